// The Threads adapter: URL forms, capture plan, and reading the embed page
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
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("threads");
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
                          const std::string& url = "https://www.threads.com/@worlddeskwire/post/DBc4Hq1tY9e/embed") {
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
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "threads" / name;
}
const char* kEmbedUrl = "https://www.threads.com/@worlddeskwire/post/DBc4Hq1tY9e/embed";

}  // namespace

TEST_CASE("threads: URL forms give the shortcode and a canonical URL", "[threads]") {
  struct Case {
    const char* url;
    const char* id;
    const char* canonical;
    const char* author;
  };
  const Case cases[] = {
      {"https://www.threads.net/@bbc/post/CuZrQ2osUpi", "CuZrQ2osUpi", "https://www.threads.com/@bbc/post/CuZrQ2osUpi", "bbc"},
      {"https://www.threads.com/@bbc/post/CuZrQ2osUpi?xmt=AQGz&slof=1", "CuZrQ2osUpi",
       "https://www.threads.com/@bbc/post/CuZrQ2osUpi", "bbc"},
      {"https://threads.net/@some.one_2/post/CuZrQ2osUpi/media", "CuZrQ2osUpi",
       "https://www.threads.com/@some.one_2/post/CuZrQ2osUpi", "some.one_2"},
      {"https://www.threads.com/@bbc/post/CuZrQ2osUpi/embed", "CuZrQ2osUpi", "https://www.threads.com/@bbc/post/CuZrQ2osUpi",
       "bbc"},
      {"https://www.threads.com/t/CuZrQ2osUpi", "CuZrQ2osUpi", "https://www.threads.com/t/CuZrQ2osUpi", ""},
  };
  for (const Case& c : cases) {
    const PostRef ref = Parse(c.url);
    CHECK(ref.platform == "threads");
    CHECK(ref.post_id == c.id);
    CHECK(ref.url == c.canonical);
    CHECK(ref.author.value_or("") == c.author);
  }
  for (const char* not_post : {"https://www.threads.com/@bbc", "https://www.threads.com/@bbc/post/", "https://www.threads.com/",
                               "https://www.threads.com/@bad!name/post/CuZrQ2osUpi", "https://example.com/@bbc/post/CuZrQ2osUpi",
                               "https://www.threads.com/search?q=x"}) {
    INFO(not_post);
    CHECK_FALSE(Adapter().ParsePostUrl(not_post));
  }
}

TEST_CASE("threads: the capture plan is the public embed page", "[threads]") {
  const auto plan = Adapter().CapturePlan(Parse("https://www.threads.net/@worlddeskwire/post/DBc4Hq1tY9e"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url == kEmbedUrl);
  const auto short_plan = Adapter().CapturePlan(Parse("https://www.threads.com/t/DBc4Hq1tY9e"));
  REQUIRE(short_plan.size() == 1);
  CHECK(short_plan[0].url == "https://www.threads.com/t/DBc4Hq1tY9e/embed");
}

TEST_CASE("threads: the fixture world's embed page is available with content", "[threads]") {
  const PostRef post = Parse("https://www.threads.com/@worlddeskwire/post/DBc4Hq1tY9e");
  const Observation o = Interpret(
      post, RawAnswer(World() / "www.threads.com" / "@worlddeskwire" / "post" / "DBc4Hq1tY9e" / "embed", kEmbedUrl));
  INFO(o.reason);
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.author == "worlddeskwire");
  CHECK(o.content.author_name == "World Desk Wire");
  CHECK(o.content.created_at == "2024-10-20T15:05:00.000Z");
  CHECK(o.content.text ==
        "Border crossing update: queues of about 4 km reported on the northbound side since early morning. "
        "Officials expect delays into the evening.");
  REQUIRE(o.content.media.size() == 1);
  CHECK(o.content.media[0].kind == "photo");
  CHECK(o.content.media[0].url.rfind("https://scontent.cdninstagram.com/v/t51.29350-15/464125501_", 0) == 0);
}

TEST_CASE("threads: variants and synthetic answers give the right states", "[threads]") {
  const PostRef post = Parse("https://www.threads.com/@worlddeskwire/post/DBc4Hq1tY9e");
  SECTION("the not-found page is a deletion") {
    CHECK(Interpret(post, RawAnswer(Variant("embed.deleted-404"), kEmbedUrl)).state == PostState::kDeleted);
    CHECK(Interpret(post, Answer(200, "<html><body><h2>Sorry, this page isn't available</h2></body></html>")).state ==
          PostState::kDeleted);
  }
  SECTION("'Post unavailable' is withheld") {
    CHECK(Interpret(post, RawAnswer(Variant("embed.unavailable"), kEmbedUrl)).state == PostState::kWithheld);
  }
  SECTION("a redirect to the login page, or a login form, is a login wall") {
    CHECK(Interpret(post, RawAnswer(Variant("embed.login-redirect"), kEmbedUrl)).state == PostState::kLoginRequired);
    const std::string login = embarc::testing::ReadFileText(World() / "www.threads.com" / "login");
    CHECK(Interpret(post, Answer(200, login)).state == PostState::kLoginRequired);
  }
  SECTION("429, 5xx, timeouts, bare 404s and unknown pages are never deletions") {
    CHECK(Interpret(post, Answer(429, "<html></html>")).state == PostState::kRateLimited);
    CHECK(Interpret(post, Answer(502, "<html></html>")).state == PostState::kUnreachable);
    CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout)).state == PostState::kUnreachable);
    CHECK(Interpret(post, Failed(net::FetchOutcome::kReset)).state == PostState::kUnreachable);
    CHECK(Interpret(post, Answer(404, "Not Found\n", "text/plain")).state == PostState::kUnreachable);
    CHECK(Interpret(post, Answer(200, "<html><body>Hello</body></html>")).state == PostState::kUnreachable);
  }
}

TEST_CASE("threads: no recorded corpus answer exists for the platform", "[threads]") {
  for (const auto& entry : fs::directory_iterator(embarc::testing::CorpusDir() / "api")) {
    const std::string name = entry.path().filename().string();
    INFO(name);
    CHECK(name.find("threads") == std::string::npos);
  }
}
