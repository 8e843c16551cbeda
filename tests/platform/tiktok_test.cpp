// The TikTok adapter: URL forms, capture plan, and reading oEmbed answers
// (the recorded answer in corpus/api, plus synthetic failures).
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

const embarc::platform::Adapter& TikTok() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("tiktok");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

PostRef Video(const std::string& url) {
  auto ref = TikTok().ParsePostUrl(url);
  REQUIRE(ref);
  return *ref;
}

}  // namespace

TEST_CASE("tiktok: video URLs give the id, the handle and the canonical URL", "[video]") {
  for (const std::string url : {
           "https://www.tiktok.com/@a3noticias/video/6806030056956251397",
           "https://tiktok.com/@a3noticias/video/6806030056956251397?is_from_webapp=1&sender_device=pc",
           "https://m.tiktok.com/@a3noticias/video/6806030056956251397?lang=es",
       }) {
    INFO(url);
    const auto ref = TikTok().ParsePostUrl(url);
    REQUIRE(ref);
    CHECK(ref->platform == "tiktok");
    CHECK(ref->post_id == "6806030056956251397");
    CHECK(ref->author == "a3noticias");
    CHECK(ref->url == "https://www.tiktok.com/@a3noticias/video/6806030056956251397");
  }
  const auto photo = TikTok().ParsePostUrl("https://www.tiktok.com/@some.user/photo/7300000000000000001");
  REQUIRE(photo);
  CHECK(photo->url == "https://www.tiktok.com/@some.user/photo/7300000000000000001");
}

TEST_CASE("tiktok: player and share URLs give the id without a handle", "[video]") {
  for (const std::string url : {
           "https://www.tiktok.com/embed/v2/6806030056956251397",
           "https://www.tiktok.com/embed/6806030056956251397",
           "https://www.tiktok.com/player/v1/6806030056956251397?music_info=1",
           "https://m.tiktok.com/v/6806030056956251397.html",
           "https://www.tiktokv.com/share/video/6806030056956251397/",
           "https://www.tiktok.com/@/video/6806030056956251397",
       }) {
    INFO(url);
    const auto ref = TikTok().ParsePostUrl(url);
    REQUIRE(ref);
    CHECK(ref->post_id == "6806030056956251397");
    CHECK_FALSE(ref->author);
    CHECK(ref->url == "https://www.tiktok.com/@/video/6806030056956251397");
  }
}

TEST_CASE("tiktok: profiles, tags, music and short links are not posts here", "[video]") {
  for (const std::string url : {"https://www.tiktok.com/@a3noticias", "https://www.tiktok.com/tag/aplausosanitario",
                                "https://www.tiktok.com/music/Resistire-250824169968246784",
                                "https://www.tiktok.com/embed/@teenvogue", "https://vm.tiktok.com/ZMabcdef/",
                                "https://www.tiktok.com/embed.js", "https://example.com/@a/video/1"}) {
    INFO(url);
    CHECK_FALSE(TikTok().ParsePostUrl(url));
  }
}

TEST_CASE("tiktok: the capture plan is the public oEmbed of the canonical URL", "[video]") {
  const auto plan = TikTok().CapturePlan(Video("https://www.tiktok.com/@a3noticias/video/6806030056956251397"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url ==
        "https://www.tiktok.com/oembed?url=https%3A%2F%2Fwww.tiktok.com%2F%40a3noticias%2Fvideo%2F6806030056956251397");
}

TEST_CASE("tiktok: the recorded oEmbed answer reads as available with its content", "[video]") {
  const auto o = InterpretOne(TikTok(), Video("https://www.tiktok.com/@a3noticias/video/6806030056956251397"),
                              Recorded("oembed__tiktok.com__90135264.json").response);
  CHECK(o.state == PostState::kAvailable);
  CHECK(o.content.author == "a3noticias");
  CHECK(o.content.author_name == "Antena 3 Noticias");
  CHECK(o.content.text == "Nuestro #AplausoSanitario más sincero. Para todos. Y recuerda, #QuédateEnCasa");
  REQUIRE(o.content.media.size() == 1);
  CHECK(o.content.media[0].url.rfind("https://p77-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/", 0) == 0);
  CHECK(o.content.media[0].kind == "photo");
}

TEST_CASE("tiktok: platform signals decide deleted and withheld, failures never delete", "[video]") {
  const PostRef v = Video("https://www.tiktok.com/@a3noticias/video/6806030056956251397");
  struct Case {
    const char* name;
    net::FetchResponse answer;
    PostState state;
  };
  const std::vector<Case> cases = {
      {"404", Answer(404, R"({"code":404,"message":"Not Found"})"), PostState::kDeleted},
      {"400 removed", Answer(400, R"({"status_msg":"This video has been removed","code":400})"), PostState::kDeleted},
      {"400 private", Answer(400, R"({"status_msg":"This account is private","code":400})"), PostState::kWithheld},
      {"403", Answer(403, "", "text/html"), PostState::kWithheld},
      {"400 vague", Answer(400, R"({"code":400,"message":"Something went wrong","status_msg":"Something went wrong"})"),
       PostState::kUnreachable},
      {"200 without html, vague", Answer(200, R"({"status_msg":"Something went wrong"})"), PostState::kUnreachable},
      {"login wall", embarc::testing::RedirectedTo("https://www.tiktok.com/oembed?url=x",
                                                   "https://www.tiktok.com/login?redirect_url=x"),
       PostState::kLoginRequired},
      {"429", Answer(429, "", "text/html"), PostState::kRateLimited},
      {"503", Answer(503, "", "text/html"), PostState::kUnreachable},
      {"timeout", FailedFetch(net::FetchOutcome::kTimeout), PostState::kUnreachable},
      {"reset", FailedFetch(net::FetchOutcome::kReset), PostState::kUnreachable},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(InterpretOne(TikTok(), v, c.answer).state == c.state);
  }
}
