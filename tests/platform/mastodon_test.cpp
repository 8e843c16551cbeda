// The Mastodon adapter: URL forms on any host, capture plan, and reading answers
// (every recorded Mastodon answer in corpus/api, plus synthetic failures).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/platform/mastodon.h"
#include "embarc/platform/platform.h"
#include "support/answers.h"
#include "support/support.h"

namespace {

namespace net = embarc::net;
namespace mastodon = embarc::platform::mastodon;
using embarc::platform::Observation;
using embarc::platform::PostRef;
using embarc::platform::PostState;
using Json = nlohmann::json;

constexpr const char* kStatusUrl = "https://fosstodon.org/@schochastics/114620457512351116";
constexpr const char* kStatusId = "114620457512351116";

net::FetchResponse Answer(int status, const std::string& body, const std::string& content_type = "application/json") {
  return embarc::testing::OneAnswer(status, body, content_type);
}

net::FetchResponse Failed(net::FetchOutcome outcome) { return embarc::testing::FailedFetch(outcome); }

Json RecordedJson(const std::string& file) {
  return Json::parse(embarc::testing::ReadFileText(embarc::testing::CorpusDir() / "api" / file));
}

net::FetchResponse Recorded(const std::string& file) { return embarc::testing::RecordedApiAnswer(file); }

const embarc::platform::Adapter& Adapter() { return mastodon::MastodonAdapter(); }

PostRef Post() { return *mastodon::ParseMastodonUrl(kStatusUrl); }

Observation Interpret(net::FetchResponse answer, const PostRef& post = Post()) {
  const std::vector<net::FetchResponse> answers = {std::move(answer)};
  return Adapter().Interpret(post, answers);
}

Json RecordedStatus() { return RecordedJson("mastodon__get_status_anonymous.json").at("response"); }

}  // namespace

TEST_CASE("mastodon: status URL forms on any host", "[fedi][mastodon]") {
  struct Case {
    std::string url;
    std::string post_id;
    std::string canonical;
    std::string author;
  };
  const std::vector<Case> cases = {
      {kStatusUrl, kStatusId, kStatusUrl, "schochastics@fosstodon.org"},
      {std::string(kStatusUrl) + "/embed", kStatusId, kStatusUrl, "schochastics@fosstodon.org"},
      {std::string(kStatusUrl) + "?utm_source=x#top", kStatusId, kStatusUrl, "schochastics@fosstodon.org"},
      {"https://FOSSTODON.org/users/schochastics/statuses/114620457512351116", kStatusId, kStatusUrl,
       "schochastics@fosstodon.org"},
      {"https://fosstodon.org/users/schochastics/statuses/114620457512351116/embed", kStatusId, kStatusUrl,
       "schochastics@fosstodon.org"},
      {"https://fosstodon.org/users/schochastics/statuses/114620457512351116/activity", kStatusId, kStatusUrl,
       "schochastics@fosstodon.org"},
      {"https://fosstodon.org/web/@schochastics/114620457512351116", kStatusId, kStatusUrl,
       "schochastics@fosstodon.org"},
      {"https://mastodon.social/@arstechnica/112441115030608987/embed", "112441115030608987",
       "https://mastodon.social/@arstechnica/112441115030608987", "arstechnica@mastodon.social"},
      {"https://social.ridetrans.it/@JamieDay/112440841508955844", "112440841508955844",
       "https://social.ridetrans.it/@JamieDay/112440841508955844", "JamieDay@social.ridetrans.it"},
      // A remote account's post as another server shows it: that server's id, the account's domain.
      {"https://mastodon.social/@maelle@Fosstodon.org/112440000000000000", "112440000000000000",
       "https://mastodon.social/@maelle@fosstodon.org/112440000000000000", "maelle@fosstodon.org"},
      {"https://gts.example/@someone/statuses/01HZY3G6W2X3C4V5B6N7M8K9J0", "01HZY3G6W2X3C4V5B6N7M8K9J0",
       "https://gts.example/@someone/01HZY3G6W2X3C4V5B6N7M8K9J0", "someone@gts.example"},
      {"https://social.example:8443/@a_b/123", "123", "https://social.example:8443/@a_b/123", "a_b@social.example"},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    const auto ref = mastodon::ParseMastodonUrl(c.url);
    REQUIRE(ref);
    CHECK(ref->platform == "mastodon");
    CHECK(ref->post_id == c.post_id);
    CHECK(ref->url == c.canonical);
    CHECK(ref->author == c.author);
  }
  const auto web = mastodon::ParseMastodonUrl("https://fosstodon.org/web/statuses/114620457512351116");
  REQUIRE(web);
  CHECK(web->post_id == kStatusId);
  CHECK(web->url == "https://fosstodon.org/web/statuses/114620457512351116");
  CHECK_FALSE(web->author);
  auto routed = embarc::platform::ParsePostUrl(kStatusUrl);
  REQUIRE(routed);
  CHECK(routed->platform == "mastodon");
}

TEST_CASE("mastodon: profiles, other paths and other sites' /@name/ URLs are not statuses", "[fedi][mastodon]") {
  for (const std::string url : {
           "https://fosstodon.org/@schochastics",
           "https://fosstodon.org/@schochastics/media",
           "https://fosstodon.org/@schochastics/with_replies",
           "https://fosstodon.org/tags/rstats",
           "https://fosstodon.org/@schochastics/1146204575123511161146204575123511161",
           "https://www.tiktok.com/@scout2015/video/6718335390845095173",
           "https://www.youtube.com/@channel/123",
           "https://medium.com/@someone/123",
           "https://www.threads.net/@zuck/post/C1234567890",
           "https://fosstodon.org/@/123",
           "ftp://fosstodon.org/@schochastics/114620457512351116",
           "at://fosstodon.org/@schochastics/114620457512351116",
       }) {
    INFO(url);
    CHECK_FALSE(mastodon::ParseMastodonUrl(url));
  }
}

TEST_CASE("mastodon: the capture plan is the status API of the embedding server", "[fedi][mastodon]") {
  const auto plan = Adapter().CapturePlan(Post());
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].url == "https://fosstodon.org/api/v1/statuses/114620457512351116");
  const auto ported = *mastodon::ParseMastodonUrl("https://social.example:8443/@a/123");
  CHECK(Adapter().CapturePlan(ported)[0].url == "https://social.example:8443/api/v1/statuses/123");
}

TEST_CASE("mastodon: every recorded status answer is available with normalised content", "[fedi][mastodon]") {
  for (const std::string file :
       {"mastodon__get_status_anonymous.json", "mastodon__get_status_default.json", "mastodon__get_status_instance.json"}) {
    INFO(file);
    const Observation o = Interpret(Recorded(file));
    INFO(o.reason);
    REQUIRE(o.state == PostState::kAvailable);
    CHECK(o.content.author == "schochastics@fosstodon.org");
    CHECK(o.content.author_name == "David Schoch");
    CHECK(o.content.created_at == "2025-06-03T16:49:43.431Z");
    CHECK(o.content.lang == "en");
    CHECK(o.content.version.empty());  // edited_at null
    CHECK(o.content.media.empty());
    CHECK(o.content.text.rfind("Super grateful to have received an R Consortium grant", 0) == 0);
    // Links are shown in full (the "invisible" spans are text too); tags are stripped.
    CHECK(o.content.text.find("https://r-consortium.org/posts/r-consortium-awards-first-round-of-2025-isc-grants/"
                              "#bridging-worlds-enhancing-r-igraph-with-c-core-innovations") != std::string::npos);
    CHECK(o.content.text.find("#rstats cc @maelle") != std::string::npos);
    CHECK(o.content.text.find('<') == std::string::npos);
  }
}

TEST_CASE("mastodon: the recorded 404 \"Record not found\" is a deletion", "[fedi][mastodon]") {
  const Observation o = Interpret(Recorded("mastodon__post_user_pin_silent.json"));
  CHECK(o.state == PostState::kDeleted);
  CHECK(o.reason.find("Record not found") != std::string::npos);
  CHECK(Interpret(Answer(404, R"({"error":"Not Found"})")).state == PostState::kDeleted);  // GoToSocial
  CHECK(Interpret(Answer(410, "", "")).state == PostState::kDeleted);
}

TEST_CASE("mastodon: edits, media, remote accounts and boosts", "[fedi][mastodon]") {
  Json status = RecordedStatus();
  SECTION("edited_at is the version") {
    status["edited_at"] = "2025-06-04T08:00:00.000Z";
    status["content"] = "<p>Edited &amp; better</p>";
    const Observation o = Interpret(Answer(200, status.dump()));
    CHECK(o.content.version == "2025-06-04T08:00:00.000Z");
    CHECK(o.content.text == "Edited & better");
  }
  SECTION("media attachments") {
    status["media_attachments"] = Json::parse(R"([
      {"id":"1","type":"image","url":"https://cdn.fosstodon.org/media_attachments/files/1/original/a.png","remote_url":null},
      {"id":"2","type":"gifv","url":"https://cdn.fosstodon.org/media_attachments/files/2/original/b.mp4"},
      {"id":"3","type":"video","url":null,"remote_url":"https://other.example/c.mp4"},
      {"id":"4","type":"unknown","url":null,"remote_url":null}])");
    const Observation o = Interpret(Answer(200, status.dump()));
    REQUIRE(o.content.media.size() == 3);
    CHECK(o.content.media[0].kind == "photo");
    CHECK(o.content.media[0].url == "https://cdn.fosstodon.org/media_attachments/files/1/original/a.png");
    CHECK(o.content.media[1].kind == "video");
    CHECK(o.content.media[2].url == "https://other.example/c.mp4");
    CHECK(o.content.media[2].sha256.empty());
  }
  SECTION("a remote account keeps its acct") {
    status["account"]["acct"] = "maelle@mastodon.social";
    CHECK(Interpret(Answer(200, status.dump())).content.author == "maelle@mastodon.social");
  }
  SECTION("a boost shows the boosted post") {
    Json boost = status;
    boost["content"] = "";
    boost["reblog"] = status;
    boost["reblog"]["content"] = "<p>original</p>";
    boost["reblog"]["language"] = nullptr;
    const Observation o = Interpret(Answer(200, boost.dump()));
    CHECK(o.content.text == "original");
    CHECK(o.content.lang.empty());
  }
}

TEST_CASE("mastodon: status HTML to plain text", "[fedi][mastodon]") {
  CHECK(mastodon::HtmlToText("<p>one<br>two<br />three</p><p>four &lt;5&gt; &amp; &#x1F600;</p>") ==
        "one\ntwo\nthree\nfour <5> & \xF0\x9F\x98\x80");
  CHECK(mastodon::HtmlToText("<p>a</p>\n<p>b</p>") == "a\nb");
  CHECK(mastodon::HtmlToText("") == "");
  CHECK(mastodon::HtmlToText("plain") == "plain");
  CHECK(mastodon::HtmlToText("<p>x<script>alert(1)</script></p>") == "x");
}

TEST_CASE("mastodon: login walls and restrictions are not deletions", "[fedi][mastodon]") {
  CHECK(Interpret(Answer(401, R"({"error":"This API requires an authenticated user"})")).state ==
        PostState::kLoginRequired);
  CHECK(Interpret(Answer(403, R"({"error":"This action is not allowed"})")).state == PostState::kWithheld);
  // A redirect to the sign-in page.
  net::FetchResponse redirected = Answer(302, "", "");
  redirected.hops[0].url = "https://fosstodon.org/api/v1/statuses/114620457512351116";
  net::HttpExchange page;
  page.url = "https://fosstodon.org/auth/sign_in";
  page.status = 200;
  page.response_headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  page.body = embarc::ToBytes("<!doctype html><title>Log in</title>");
  redirected.hops.push_back(page);
  CHECK(Interpret(redirected).state == PostState::kLoginRequired);
}

TEST_CASE("mastodon: rate limits, server errors and network failures are never deletions", "[fedi][mastodon]") {
  CHECK(Interpret(Answer(429, R"({"error":"Too many requests"})")).state == PostState::kRateLimited);
  CHECK(Interpret(Answer(503, "<html>maintenance</html>", "text/html")).state == PostState::kUnreachable);
  CHECK(Interpret(Answer(500, R"({"error":"Something went wrong"})")).state == PostState::kUnreachable);
  // A 404 that is not the API's answer (no JSON error body) says nothing.
  CHECK(Interpret(Answer(404, "Not Found\n", "text/plain; charset=utf-8")).state == PostState::kUnreachable);
  CHECK(Interpret(Answer(200, "<html>not the API</html>", "text/html")).state == PostState::kUnreachable);
  CHECK(Interpret(Answer(200, R"({"error":"odd"})")).state == PostState::kUnreachable);
  for (const auto outcome : {net::FetchOutcome::kTimeout, net::FetchOutcome::kReset, net::FetchOutcome::kTls,
                             net::FetchOutcome::kConnectionFailed, net::FetchOutcome::kTooLarge}) {
    const Observation o = Interpret(Failed(outcome));
    CHECK(o.state == PostState::kUnreachable);
    CHECK(o.reason.find("simulated") != std::string::npos);
  }
  CHECK(Adapter().Interpret(Post(), {}).state == PostState::kUnreachable);
}
