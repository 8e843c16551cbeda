// The YouTube adapter: URL forms, capture plan, and reading oEmbed answers
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

const embarc::platform::Adapter& YouTube() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("youtube");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

PostRef Video(const std::string& id) {
  auto ref = YouTube().ParsePostUrl("https://www.youtube.com/watch?v=" + id);
  REQUIRE(ref);
  return *ref;
}

}  // namespace

TEST_CASE("youtube: every video URL form gives the 11-character id and the watch URL", "[video]") {
  for (const std::string url : {
           "https://www.youtube.com/watch?v=eiHXASgRTcA",
           "http://youtube.com/watch?feature=share&v=eiHXASgRTcA&t=30s",
           "https://m.youtube.com/watch?v=eiHXASgRTcA&si=xyz",
           "https://music.youtube.com/watch?v=eiHXASgRTcA",
           "https://www.youtube.com/watch?v=eiHXASgRTcA&list=PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST&index=2",
           "https://youtu.be/eiHXASgRTcA?si=abc&t=12",
           "https://www.youtube.com/shorts/eiHXASgRTcA",
           "https://www.youtube.com/live/eiHXASgRTcA?feature=share",
           "https://www.youtube.com/embed/eiHXASgRTcA?feature=oembed",
           "https://www.youtube-nocookie.com/embed/eiHXASgRTcA?rel=0",
           "http://www.youtube.com/v/eiHXASgRTcA?version=3&autoplay=1",
           "http://www.youtube.com/v/eiHXASgRTcA&hl=en&fs=1",
           "https://www.youtube.com/e/eiHXASgRTcA",
       }) {
    INFO(url);
    const auto ref = YouTube().ParsePostUrl(url);
    REQUIRE(ref);
    CHECK(ref->platform == "youtube");
    CHECK(ref->post_id == "eiHXASgRTcA");
    CHECK(ref->url == "https://www.youtube.com/watch?v=eiHXASgRTcA");
    CHECK_FALSE(ref->author);
  }
  // The registry finds it too.
  const auto any = embarc::platform::ParsePostUrl("https://youtu.be/dQw4w9WgXcQ");
  REQUIRE(any);
  CHECK(any->platform == "youtube");
}

TEST_CASE("youtube: playlists are list:<id> with the playlist URL", "[video]") {
  for (const std::string url : {
           "https://www.youtube.com/playlist?list=PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST",
           "https://www.youtube.com/embed/videoseries?list=PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST",
           "https://www.youtube-nocookie.com/embed/?list=PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST",
           "https://www.youtube.com/embed?listType=playlist&list=PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST",
       }) {
    INFO(url);
    const auto ref = YouTube().ParsePostUrl(url);
    REQUIRE(ref);
    CHECK(ref->post_id == "list:PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST");
    CHECK(ref->url == "https://www.youtube.com/playlist?list=PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST");
  }
}

TEST_CASE("youtube: channels, live slots and other pages are not posts", "[video]") {
  for (const std::string url : {
           "https://www.youtube.com/embed/live_stream?channel=UCO7kohVnA8VzILzsnagXDHw",
           "https://www.youtube.com/channel/UCO7kohVnA8VzILzsnagXDHw/live",
           "https://www.youtube.com/@smshdchrb",
           "https://www.youtube.com/user/Scadrei5",
           "https://www.youtube.com/embed?listType=user_uploads&list=Scadrei5",
           "https://www.youtube.com/watch?v=tooshort",
           "https://www.youtube.com/",
           "https://youtu.be/",
           "https://notyoutube.com/watch?v=eiHXASgRTcA",
           "https://i.ytimg.com/vi/eiHXASgRTcA/hqdefault.jpg",
       }) {
    INFO(url);
    CHECK_FALSE(YouTube().ParsePostUrl(url));
  }
}

TEST_CASE("youtube: the capture plan is the public oEmbed of the watch URL", "[video]") {
  const auto plan = YouTube().CapturePlan(Video("eiHXASgRTcA"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url ==
        "https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DeiHXASgRTcA&format=json");
  auto playlist = YouTube().ParsePostUrl("https://www.youtube.com/playlist?list=PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST");
  REQUIRE(playlist);
  CHECK(YouTube().CapturePlan(*playlist)[0].url ==
        "https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fplaylist%3Flist%3DPL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST&format=json");
  CHECK(YouTube().is_post_platform());
}

TEST_CASE("youtube: every recorded oEmbed answer reads as available with its content", "[video]") {
  SECTION("2024 answer, @handle author URL") {
    const auto recorded = Recorded("oembed__youtube.com__4e2dd395.json");
    const auto o = InterpretOne(YouTube(), Video("eiHXASgRTcA"), recorded.response);
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.author == "smshdchrb");
    CHECK(o.content.author_name == "smshdchrb");
    CHECK(o.content.text == "Noisy kittens waiting for dinner!");
    REQUIRE(o.content.media.size() == 1);
    CHECK(o.content.media[0].url == "https://i.ytimg.com/vi/eiHXASgRTcA/hqdefault.jpg");
    CHECK(o.content.media[0].kind == "photo");
    CHECK(o.content.media[0].sha256.empty());
    CHECK(o.content.version.empty());
  }
  SECTION("2021 answers, /user/ author URL") {
    for (const std::string file : {"oembed__youtube.com__5983a984.json", "oembed__youtube.com__8ce1ccae.json"}) {
      const auto o = InterpretOne(YouTube(), Video("eiHXASgRTcA"), Recorded(file).response);
      CHECK(o.state == PostState::kAvailable);
      CHECK(o.content.author == "smshdchrb");
      CHECK(o.content.text == "Noisy kittens waiting for dinner!");
    }
  }
  SECTION("playlist answer with a relative author URL") {
    auto playlist = YouTube().ParsePostUrl("https://www.youtube.com/playlist?list=PL4qTakKkQATKOyZPJG_cAMnRtF7fAIdST");
    REQUIRE(playlist);
    const auto o = InterpretOne(YouTube(), *playlist, Recorded("oembed__youtube.com__44a61a3c.json").response);
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.author == "Scadrei5");
    CHECK(o.content.text == "De espaldas al patriarcado");
    REQUIRE(o.content.media.size() == 1);
    CHECK(o.content.media[0].url == "https://i.ytimg.com/vi/CdbnVwot6lc/hqdefault.jpg");
  }
}

TEST_CASE("youtube: platform signals decide deleted and withheld, failures never delete", "[video]") {
  const PostRef v = Video("eiHXASgRTcA");
  struct Case {
    const char* name;
    net::FetchResponse answer;
    PostState state;
  };
  const std::vector<Case> cases = {
      {"404", Answer(404, "Not Found", "text/html; charset=utf-8"), PostState::kDeleted},
      {"401 embedding disabled", Answer(401, "Unauthorized", "text/html; charset=utf-8"), PostState::kWithheld},
      {"403", Answer(403, "Forbidden", "text/html; charset=utf-8"), PostState::kWithheld},
      {"200 Forbidden text", Answer(200, "Forbidden", "text/html; charset=utf-8"), PostState::kWithheld},
      {"200 Forbidden no type", Answer(200, "Forbidden\n", ""), PostState::kWithheld},
      {"login wall", embarc::testing::RedirectedTo("https://www.youtube.com/oembed?url=x",
                                                   "https://accounts.google.com/ServiceLogin?continue=x"),
       PostState::kLoginRequired},
      {"consent wall", embarc::testing::RedirectedTo("https://www.youtube.com/oembed?url=x",
                                                     "https://consent.youtube.com/m?continue=x"),
       PostState::kLoginRequired},
      {"429", Answer(429, "", "text/html", {{"Retry-After", "30"}}), PostState::kRateLimited},
      {"503", Answer(503, "Service Unavailable", "text/html"), PostState::kUnreachable},
      {"500", Answer(500, "", "text/html"), PostState::kUnreachable},
      {"400 bad request", Answer(400, "Bad Request", "text/html"), PostState::kUnreachable},
      {"200 html page", Answer(200, "<html><body>oops</body></html>", "text/html"), PostState::kUnreachable},
      {"200 json without title", Answer(200, "{\"type\":\"video\"}"), PostState::kUnreachable},
      {"200 broken json", Answer(200, "{\"title\":"), PostState::kUnreachable},
      {"timeout", FailedFetch(net::FetchOutcome::kTimeout), PostState::kUnreachable},
      {"reset", FailedFetch(net::FetchOutcome::kReset), PostState::kUnreachable},
      {"tls", FailedFetch(net::FetchOutcome::kTls), PostState::kUnreachable},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const auto o = InterpretOne(YouTube(), v, c.answer);
    CHECK(o.state == c.state);
    CHECK_FALSE(o.reason.empty());
  }
  CHECK(YouTube().Interpret(v, {}).state == PostState::kUnreachable);
}
