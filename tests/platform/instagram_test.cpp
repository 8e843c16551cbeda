// The Instagram adapter: URL forms, capture plan, and reading the embed page
// (the fixture world's recorded-shape answers and synthetic failures).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "embarc/platform/platform.h"
#include "support/answers.h"
#include "support/support.h"

namespace {

namespace fs = std::filesystem;
namespace net = embarc::net;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;

const embarc::platform::Adapter& Adapter() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("instagram");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

PostRef Parse(const std::string& url) {
  auto ref = Adapter().ParsePostUrl(url);
  INFO(url);
  REQUIRE(ref);
  return *ref;
}

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "text/html; charset=utf-8",
                          const std::string& url = "https://www.instagram.com/p/DBa7Xk2NwQz/embed/captioned/") {
  return embarc::testing::OneAnswer(status, body, content_type, url);
}

// A raw fixture file ("HTTP/1.1 200 OK\n<headers>\n\n<body>") as the final hop of an answer.
net::FetchResponse RawAnswer(const fs::path& file, const std::string& url) { return embarc::testing::RawFileAnswer(file, url); }

Observation Interpret(const PostRef& post, net::FetchResponse answer) {
  const std::vector<net::FetchResponse> answers = {std::move(answer)};
  return Adapter().Interpret(post, answers);
}

net::FetchResponse Failed(net::FetchOutcome outcome) { return embarc::testing::FailedFetch(outcome); }

fs::path World() { return embarc::testing::SourceDir() / "tools" / "fixtures" / "world"; }
fs::path Variant(const std::string& name) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "instagram" / name;
}
const char* kEmbedUrl = "https://www.instagram.com/p/DBa7Xk2NwQz/embed/captioned/";

}  // namespace

TEST_CASE("instagram: URL forms give the shortcode and a canonical URL", "[instagram]") {
  struct Case {
    const char* url;
    const char* id;
    const char* canonical;
    const char* author;  // "" = none
  };
  const Case cases[] = {
      {"https://www.instagram.com/p/CU-W6L2IdxU/?utm_source=ig_embed&utm_campaign=loading", "CU-W6L2IdxU",
       "https://www.instagram.com/p/CU-W6L2IdxU/", ""},
      {"http://instagram.com/p/BNpLF8LD0GD", "BNpLF8LD0GD", "https://www.instagram.com/p/BNpLF8LD0GD/", ""},
      {"https://instagr.am/p/BalQ2SWFty8/", "BalQ2SWFty8", "https://www.instagram.com/p/BalQ2SWFty8/", ""},
      {"https://www.instagr.am/p/BalQ2SWFty8/", "BalQ2SWFty8", "https://www.instagram.com/p/BalQ2SWFty8/", ""},
      {"https://m.instagram.com/p/B_fawQoFahE/?igshid=abc", "B_fawQoFahE", "https://www.instagram.com/p/B_fawQoFahE/", ""},
      {"https://www.instagram.com/reel/C9xQm2bN4kP/?igsh=MWx", "C9xQm2bN4kP", "https://www.instagram.com/reel/C9xQm2bN4kP/", ""},
      {"https://www.instagram.com/reels/C9xQm2bN4kP/", "C9xQm2bN4kP", "https://www.instagram.com/reel/C9xQm2bN4kP/", ""},
      {"https://www.instagram.com/tv/B1mHd6sHGXK/", "B1mHd6sHGXK", "https://www.instagram.com/tv/B1mHd6sHGXK/", ""},
      {"https://www.instagram.com/zashay.tastas/p/B_fawQoFahE/", "B_fawQoFahE",
       "https://www.instagram.com/p/B_fawQoFahE/", "zashay.tastas"},
      {"https://www.instagram.com/someone/reel/C9xQm2bN4kP/", "C9xQm2bN4kP", "https://www.instagram.com/reel/C9xQm2bN4kP/",
       "someone"},
      {"https://www.instagram.com/p/CODE_abc-1/embed/captioned/?cr=1&v=14", "CODE_abc-1",
       "https://www.instagram.com/p/CODE_abc-1/", ""},
      {"https://www.instagram.com/p/B1mHd6sHGXK/?img_index=2", "B1mHd6sHGXK", "https://www.instagram.com/p/B1mHd6sHGXK/", ""},
  };
  for (const Case& c : cases) {
    const PostRef ref = Parse(c.url);
    CHECK(ref.platform == "instagram");
    CHECK(ref.post_id == c.id);
    CHECK(ref.url == c.canonical);
    CHECK(ref.author.value_or("") == c.author);
  }
  for (const char* not_post :
       {"https://www.instagram.com/zashay.tastas/", "https://www.instagram.com/explore/tags/odesa/",
        "https://www.instagram.com/p/", "https://www.instagram.com/p/ab/", "https://www.instagram.com/p/bad!code/",
        "https://www.instagram.com/accounts/login/", "https://example.com/p/CU-W6L2IdxU/",
        "https://www.instagram.com/stories/someone/3141592653589793238/", "ftp://www.instagram.com/p/CU-W6L2IdxU/"}) {
    INFO(not_post);
    CHECK_FALSE(Adapter().ParsePostUrl(not_post));
  }
  const auto via_registry = embarc::platform::ParsePostUrl("https://www.instagram.com/p/CU-W6L2IdxU/");
  REQUIRE(via_registry);
  CHECK(via_registry->platform == "instagram");
}

TEST_CASE("instagram: the capture plan is the public captioned embed page", "[instagram]") {
  const auto plan = Adapter().CapturePlan(Parse("https://www.instagram.com/reel/C9xQm2bN4kP/"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url == "https://www.instagram.com/p/C9xQm2bN4kP/embed/captioned/");
}

TEST_CASE("instagram: the fixture world's embed page is available with content", "[instagram]") {
  const PostRef post = Parse("https://www.instagram.com/p/DBa7Xk2NwQz/");
  const Observation o = Interpret(
      post, RawAnswer(World() / "www.instagram.com" / "p" / "DBa7Xk2NwQz" / "embed" / "captioned" / "index.html", kEmbedUrl));
  INFO(o.reason);
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.author == "worlddeskphoto");
  CHECK(o.content.text == "Morning light over the harbour in Odesa, 20 October 2024. #odesa #harbour");
  REQUIRE(o.content.media.size() == 1);
  CHECK(o.content.media[0].kind == "photo");
  CHECK(o.content.media[0].url.rfind(
            "https://scontent.cdninstagram.com/v/t51.29350-15/464120377_1071839544469385_4829183947211760943_n.jpg?stp=", 0) == 0);
  CHECK(o.content.media[0].url.find("&amp;") == std::string::npos);
  CHECK(o.content.media[0].sha256.empty());
}

TEST_CASE("instagram: variants and synthetic answers give the right states", "[instagram]") {
  const PostRef post = Parse("https://www.instagram.com/p/DBa7Xk2NwQz/");
  SECTION("the not-found page (HTTP 404, HTML) is a deletion") {
    CHECK(Interpret(post, RawAnswer(Variant("embed.deleted-404"), kEmbedUrl)).state == PostState::kDeleted);
  }
  SECTION("'Sorry, this page isn't available' in a 200 embed is a deletion") {
    CHECK(Interpret(post, RawAnswer(Variant("embed.unavailable"), kEmbedUrl)).state == PostState::kDeleted);
    CHECK(Interpret(post, Answer(200, "<html><body><h2>Sorry, this page isn\xE2\x80\x99t available.</h2></body></html>"))
              .state == PostState::kDeleted);
  }
  SECTION("a bare broken embed is ambiguous, never a deletion") {
    const Observation o = Interpret(post, RawAnswer(Variant("embed.broken"), kEmbedUrl));
    CHECK(o.state == PostState::kUnreachable);
    CHECK(o.reason.find("ambiguous") != std::string::npos);
  }
  SECTION("a redirect to the login page is a login wall") {
    net::FetchResponse response = RawAnswer(Variant("embed.login-redirect"), kEmbedUrl);
    const std::string login_page =
        embarc::testing::ReadFileText(World() / "www.instagram.com" / "accounts" / "login" / "index.html");
    response.hops.push_back(
        Answer(200, login_page, "text/html", "https://www.instagram.com/accounts/login/?next=%2Fp%2F").hops[0]);
    CHECK(Interpret(post, response).state == PostState::kLoginRequired);
    // Redirect not followed (only the 302 recorded): still a login wall.
    CHECK(Interpret(post, RawAnswer(Variant("embed.login-redirect"), kEmbedUrl)).state == PostState::kLoginRequired);
  }
  SECTION("a login form instead of the post is a login wall") {
    const std::string login = embarc::testing::ReadFileText(World() / "www.instagram.com" / "accounts" / "login" / "index.html");
    CHECK(Interpret(post, Answer(200, login)).state == PostState::kLoginRequired);
    CHECK(Interpret(post, Answer(401, "{}", "application/json")).state == PostState::kLoginRequired);
  }
  SECTION("429 is rate limiting") {
    CHECK(Interpret(post, RawAnswer(Variant("embed.429"), kEmbedUrl)).state == PostState::kRateLimited);
  }
  SECTION("5xx, timeouts, resets and odd answers are unreachable, never deleted") {
    CHECK(Interpret(post, RawAnswer(Variant("embed.503"), kEmbedUrl)).state == PostState::kUnreachable);
    CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout)).state == PostState::kUnreachable);
    CHECK(Interpret(post, Failed(net::FetchOutcome::kReset)).state == PostState::kUnreachable);
    CHECK(Interpret(post, Failed(net::FetchOutcome::kTls)).state == PostState::kUnreachable);
    CHECK(Interpret(post, Answer(404, "Not Found\n", "text/plain")).state == PostState::kUnreachable);
    CHECK(Interpret(post, Answer(403, "<html><body>Forbidden</body></html>")).state == PostState::kUnreachable);
    CHECK(Interpret(post, Answer(200, "<html><body><p>Something else</p></body></html>")).state == PostState::kUnreachable);
    CHECK(Adapter().Interpret(post, {}).state == PostState::kUnreachable);
  }
}

TEST_CASE("instagram: no recorded corpus answer exists for the platform", "[instagram]") {
  // corpus/api has no Instagram answers (Meta's endpoints needed a token when it was
  // collected); if one is added, it must be read here.
  for (const auto& entry : fs::directory_iterator(embarc::testing::CorpusDir() / "api")) {
    const std::string name = entry.path().filename().string();
    INFO(name);
    CHECK(name.find("instagram") == std::string::npos);
  }
}
