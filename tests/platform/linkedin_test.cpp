// The LinkedIn adapter: URN URL forms, capture plan, and reading the embed page —
// available, sign-in walls, unavailable notices (withheld, never deleted), failures.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "embarc/platform/platform.h"
#include "support/answers.h"

namespace {

namespace net = embarc::net;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;

const embarc::platform::Adapter& LinkedIn() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("linkedin");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "text/html; charset=utf-8") {
  return embarc::testing::OneAnswer(status, body, content_type, "https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001");
}

net::FetchResponse Failed(net::FetchOutcome outcome) { return embarc::testing::FailedFetch(outcome); }

PostRef Ref(const std::string& url) {
  auto ref = LinkedIn().ParsePostUrl(url);
  REQUIRE(ref);
  return *ref;
}

Observation Interpret(const PostRef& post, net::FetchResponse page) {
  const std::vector<net::FetchResponse> answers = {std::move(page)};
  return LinkedIn().Interpret(post, answers);
}

const char* kPostPage = R"(<!DOCTYPE html>
<html lang="en"><head><title>World Desk Wire on LinkedIn</title></head>
<body>
<article class="main-feed-activity-card main-feed-activity-card--embed" data-activity-urn="urn:li:activity:7250000000000000009" data-attributed-urn="urn:li:share:7250000000000000001">
  <div class="main-feed-activity-card__header">
    <a href="https://www.linkedin.com/company/world-desk-wire?trk=embedded-post_feed-actor-name" data-tracking-control-name="embedded-post_feed-actor-name">World Desk Wire</a>
    <time datetime="2024-10-20T09:30:00.000Z">1w</time>
  </div>
  <p class="attributed-text-segment-list__content text-color-text" dir="ltr" data-test-id="main-feed-activity-card__commentary">Line one.<br>Line   two with <a href="https://www.linkedin.com/feed/hashtag/news">#news</a></p>
</article>
</body></html>)";

}  // namespace

TEST_CASE("linkedin: URL forms give URN post ids and canonical URLs", "[misc][linkedin]") {
  struct Case {
    const char* url;
    const char* post_id;
  };
  const Case cases[] = {
      {"https://www.linkedin.com/embed/feed/update/urn:li:share:6550769325224054784", "urn:li:share:6550769325224054784"},
      {"https://www.linkedin.com/embed/feed/update/urn:li:share:6550769325224054784?collapsed=1",
       "urn:li:share:6550769325224054784"},
      {"https://www.linkedin.com/embed/feed/update/urn:li:ugcPost:7123456789012345678", "urn:li:ugcPost:7123456789012345678"},
      {"https://www.linkedin.com/embed/feed/update/urn%3Ali%3Augcpost%3A7123456789012345678",
       "urn:li:ugcPost:7123456789012345678"},
      {"https://linkedin.com/feed/update/urn:li:activity:7378805658780930048/", "urn:li:activity:7378805658780930048"},
      {"https://de.linkedin.com/feed/update/urn:li:activity:7378805658780930048", "urn:li:activity:7378805658780930048"},
      {"https://www.linkedin.com/posts/prytaneum-partners_activity-7378805658780930048-_bo9?utm_source=share&utm_medium=member_desktop",
       "urn:li:activity:7378805658780930048"},
      {"https://www.linkedin.com/posts/someone_a-title-with-activity-in-it-ugcPost-7123456789012345678-AbCd",
       "urn:li:ugcPost:7123456789012345678"},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    const auto ref = LinkedIn().ParsePostUrl(c.url);
    REQUIRE(ref);
    CHECK(ref->platform == "linkedin");
    CHECK(ref->post_id == c.post_id);
    CHECK(ref->url == "https://www.linkedin.com/feed/update/" + std::string(c.post_id) + "/");
    CHECK_FALSE(ref->author);
    const auto again = LinkedIn().ParsePostUrl(ref->url);
    REQUIRE(again);
    CHECK(again->post_id == ref->post_id);
  }
  for (const char* not_a_post :
       {"https://www.linkedin.com/", "https://www.linkedin.com/in/someone/", "https://www.linkedin.com/company/x/",
        "https://www.linkedin.com/shareArticle?mini=true&url=https%3A%2F%2Fnews.example",
        "https://www.linkedin.com/embed/feed/update/urn:li:comment:123", "https://www.linkedin.com/feed/update/urn:li:share:abc",
        "https://notlinkedin.com/feed/update/urn:li:share:1", "https://www.linkedin.com/pulse/some-article-slug"}) {
    INFO(not_a_post);
    CHECK_FALSE(LinkedIn().ParsePostUrl(not_a_post));
  }
}

TEST_CASE("linkedin: capture plan is the embed page", "[misc][linkedin]") {
  const auto plan = LinkedIn().CapturePlan(Ref("https://www.linkedin.com/feed/update/urn:li:share:7250000000000000001/"));
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url == "https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001");
}

TEST_CASE("linkedin: the embed page reads as available with text, author and date", "[misc][linkedin]") {
  const PostRef post = Ref("https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001");
  const Observation o = Interpret(post, Answer(200, kPostPage));
  INFO(o.reason);
  REQUIRE(o.state == PostState::kAvailable);
  CHECK(o.content.text == "Line one.\nLine two with #news");
  CHECK(o.content.author_name == "World Desk Wire");
  CHECK(o.content.author == "world-desk-wire");
  CHECK(o.content.created_at == "2024-10-20T09:30:00.000Z");
  CHECK(o.content.lang == "en");
}

TEST_CASE("linkedin: sign-in walls are login_required", "[misc][linkedin]") {
  const PostRef post = Ref("https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001");
  SECTION("a redirect to the authwall") {
    net::FetchResponse response;
    response.outcome = net::FetchOutcome::kOk;
    net::HttpExchange first;
    first.url = "https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001";
    first.status = 302;
    first.response_headers = {{"Location", "https://www.linkedin.com/authwall?trk=bf&sessionRedirect=x"}};
    net::HttpExchange second;
    second.url = "https://www.linkedin.com/authwall?trk=bf&sessionRedirect=x";
    second.status = 200;
    second.response_headers = {{"Content-Type", "text/html"}};
    second.body = embarc::ToBytes("<html><title>Sign Up | LinkedIn</title></html>");
    response.hops = {first, second};
    CHECK(Interpret(post, response).state == PostState::kLoginRequired);
    // Redirect not followed: the Location alone says it.
    response.hops = {first};
    CHECK(Interpret(post, response).state == PostState::kLoginRequired);
  }
  SECTION("a sign-in page served in place") {
    CHECK(Interpret(post, Answer(200, R"(<html><head><title>LinkedIn Login, Sign in | LinkedIn</title></head>
      <body><form><input name="session_key"><input name="session_password"></form></body></html>)"))
              .state == PostState::kLoginRequired);
  }
  SECTION("HTTP 401") { CHECK(Interpret(post, Answer(401, "")).state == PostState::kLoginRequired); }
}

TEST_CASE("linkedin: an unavailable notice is withheld, never deleted", "[misc][linkedin]") {
  const PostRef post = Ref("https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001");
  for (const int status : {200, 404}) {
    const Observation o = Interpret(
        post, Answer(status, "<html><body><main><h1>This post is unavailable</h1><p>It may have been removed.</p></main></body></html>"));
    CHECK(o.state == PostState::kWithheld);
  }
}

TEST_CASE("linkedin: failures, empty pages and 999 are unreachable or rate limited", "[misc][linkedin]") {
  const PostRef post = Ref("https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001");
  CHECK(Interpret(post, Failed(net::FetchOutcome::kTimeout)).state == PostState::kUnreachable);
  CHECK(Interpret(post, Failed(net::FetchOutcome::kReset)).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(429, "")).state == PostState::kRateLimited);
  CHECK(Interpret(post, Answer(999, "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(503, "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(404, "")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(404, "Not Found\n", "text/plain")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(200, "<html><body></body></html>")).state == PostState::kUnreachable);
  CHECK(Interpret(post, Answer(200, "{}", "application/json")).state == PostState::kUnreachable);
  CHECK(LinkedIn().Interpret(post, {}).state == PostState::kUnreachable);
}
