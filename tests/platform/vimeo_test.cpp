// The Vimeo adapter: URL forms, capture plan, and reading oEmbed answers
// (every recorded answer in corpus/api, plus synthetic failures).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "embarc/platform/platform.h"
#include "platform/recorded_answers.h"

namespace {

namespace net = embarc::net;
using embarc::platform::PostRef;
using embarc::platform::PostState;
using embarc::testing::Answer;
using embarc::testing::FailedFetch;
using embarc::testing::InterpretOne;
using embarc::testing::Recorded;

const embarc::platform::Adapter& Vimeo() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("vimeo");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

PostRef Video(const std::string& url) {
  auto ref = Vimeo().ParsePostUrl(url);
  REQUIRE(ref);
  return *ref;
}

}  // namespace

TEST_CASE("vimeo: URL forms give the decimal id and vimeo.com/<id>", "[video]") {
  for (const std::string url : {
           "https://vimeo.com/235352744",
           "http://www.vimeo.com/235352744?utm_source=x",
           "https://player.vimeo.com/video/235352744?app_id=122963",
           "http://player.vimeo.com/video/235352744",
           "https://vimeo.com/channels/staffpicks/235352744",
           "https://vimeo.com/groups/motion/videos/235352744",
           "https://vimeo.com/album/2222/video/235352744",
           "https://vimeo.com/showcase/7894512/video/235352744",
           "https://vimeo.com/video/235352744",
           "http://vimeo.com/moogaloop.swf?clip_id=235352744&server=vimeo.com",
       }) {
    INFO(url);
    const auto ref = Vimeo().ParsePostUrl(url);
    REQUIRE(ref);
    CHECK(ref->platform == "vimeo");
    CHECK(ref->post_id == "235352744");
    CHECK(ref->url == "https://vimeo.com/235352744");
  }
}

TEST_CASE("vimeo: the unlisted hash is kept (h= or the second path segment)", "[video]") {
  for (const std::string url : {"https://player.vimeo.com/video/478635699?h=c9433cf35e&badge=0",
                                "https://vimeo.com/478635699/c9433cf35e"}) {
    INFO(url);
    const auto ref = Vimeo().ParsePostUrl(url);
    REQUIRE(ref);
    CHECK(ref->post_id == "478635699");
    CHECK(ref->url == "https://vimeo.com/478635699/c9433cf35e");
  }
}

TEST_CASE("vimeo: profiles, showcases and other hosts are not videos", "[video]") {
  for (const std::string url : {"https://vimeo.com/vimeomarketing", "https://vimeo.com/showcase/7894512",
                                "https://vimeo.com/channels/staffpicks", "https://player.vimeo.com/api/player.js",
                                "https://vimeo.com/", "https://notvimeo.com/235352744",
                                "https://i.vimeocdn.com/video/657162424_640.jpg"}) {
    INFO(url);
    CHECK_FALSE(Vimeo().ParsePostUrl(url));
  }
}

TEST_CASE("vimeo: the capture plan is the public oEmbed", "[video]") {
  const auto plan = Vimeo().CapturePlan(Video("https://vimeo.com/235352744"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url == "https://vimeo.com/api/oembed.json?url=https%3A%2F%2Fvimeo.com%2F235352744");
  CHECK(Vimeo().CapturePlan(Video("https://vimeo.com/478635699/c9433cf35e"))[0].url ==
        "https://vimeo.com/api/oembed.json?url=https%3A%2F%2Fvimeo.com%2F478635699%2Fc9433cf35e");
}

TEST_CASE("vimeo: every recorded oEmbed answer reads as available", "[video]") {
  const PostRef v = Video("https://vimeo.com/235352744");
  SECTION("2021: full answer") {
    const auto o = InterpretOne(Vimeo(), v, Recorded("oembed__vimeo.com__ebd0c8c1.json").response);
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.author == "vimeomarketing");
    CHECK(o.content.author_name == "Vimeo");
    CHECK(o.content.text == "Vimeo Live is here");
    CHECK(o.content.created_at == "2017-09-25 10:36:56");
    REQUIRE(o.content.media.size() == 1);
    CHECK(o.content.media[0].url == "https://i.vimeocdn.com/video/657162424_640.jpg");
  }
  SECTION("2024: truncated answer (private metadata omitted) is still the video") {
    const auto o = InterpretOne(Vimeo(), v, Recorded("oembed__vimeo.com__a647af9e.json").response);
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.reason.find("truncated") != std::string::npos);
    CHECK(o.content.text.empty());
    CHECK(o.content.media.empty());
  }
}

TEST_CASE("vimeo: platform signals decide deleted and withheld, failures never delete", "[video]") {
  const PostRef v = Video("https://vimeo.com/235352744");
  struct Case {
    const char* name;
    net::FetchResponse answer;
    PostState state;
  };
  const std::vector<Case> cases = {
      {"404", Answer(404, "404 Not Found", "text/html"), PostState::kDeleted},
      {"403", Answer(403, "403 Forbidden", "text/html"), PostState::kWithheld},
      {"401", Answer(401, "", "text/html"), PostState::kLoginRequired},
      {"login wall", embarc::testing::RedirectedTo("https://vimeo.com/api/oembed.json?url=x", "https://vimeo.com/log_in"),
       PostState::kLoginRequired},
      {"429", Answer(429, "", "text/plain", {{"Retry-After", "60"}}), PostState::kRateLimited},
      {"503", Answer(503, "", "text/html"), PostState::kUnreachable},
      {"400", Answer(400, "", "text/html"), PostState::kUnreachable},
      {"200 not json", Answer(200, "<html></html>", "text/html"), PostState::kUnreachable},
      {"200 empty object", Answer(200, "{}"), PostState::kUnreachable},
      {"timeout", FailedFetch(net::FetchOutcome::kTimeout), PostState::kUnreachable},
      {"refused", FailedFetch(net::FetchOutcome::kConnectionFailed), PostState::kUnreachable},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(InterpretOne(Vimeo(), v, c.answer).state == c.state);
  }
}
