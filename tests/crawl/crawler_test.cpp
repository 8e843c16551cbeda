#include "embarc/crawl/crawler.h"

#include <catch2/catch.hpp>
#include <string>

#include "embarc/store/index.h"
#include "support/support.h"

using namespace embarc;
using namespace embarc::crawl;
using std::chrono::milliseconds;

namespace {

class FakeTimer final : public Timer {
 public:
  SteadyTime Now() override { return now; }
  void Sleep(milliseconds d) override {
    slept.push_back(d);
    now += d;
  }
  SteadyTime now{std::chrono::hours(1000)};
  std::vector<milliseconds> slept;
};

// Answers from a script: each URL gets its answers in turn (the last one repeats).
class ScriptedFetcher final : public net::Fetcher {
 public:
  struct Answer {
    int status;
    net::HeaderList headers;
    std::string body;
  };
  Result<std::vector<net::FetchResponse>> FetchAll(std::span<const net::FetchRequest> requests) override {
    std::vector<net::FetchResponse> out;
    for (const auto& r : requests) {
      log.push_back(r.url);
      if (timer != nullptr) at.push_back(timer->now);
      auto& list = script[r.url];
      net::FetchResponse resp;
      resp.outcome = net::FetchOutcome::kOk;
      net::HttpExchange ex;
      ex.url = r.url;
      const Answer a = list.empty() ? Answer{404, {}, ""} : list.front();
      if (list.size() > 1) list.erase(list.begin());
      ex.status = a.status;
      ex.response_headers = a.headers;
      ex.body = Bytes(a.body.begin(), a.body.end());
      resp.hops.push_back(ex);
      out.push_back(resp);
      if (timer != nullptr) timer->now += milliseconds(10);  // each answer takes 10 ms
    }
    return out;
  }
  std::map<std::string, std::vector<Answer>> script;
  std::vector<std::string> log;
  std::vector<SteadyTime> at;
  FakeTimer* timer = nullptr;
};

}  // namespace

TEST_CASE("crawl policy: DelayBeforeNext keeps the interval and Retry-After", "[crawl][politeness]") {
  const SteadyTime t0{std::chrono::hours(10)};
  HostState h;
  h.interval = milliseconds(1000);
  CHECK(DelayBeforeNext(h, t0) == milliseconds(0));  // never asked yet
  h.last_answer = t0;
  CHECK(DelayBeforeNext(h, t0) == milliseconds(1000));
  CHECK(DelayBeforeNext(h, t0 + milliseconds(400)) == milliseconds(600));
  CHECK(DelayBeforeNext(h, t0 + milliseconds(1500)) == milliseconds(0));
  h.not_before = t0 + milliseconds(5000);
  CHECK(DelayBeforeNext(h, t0 + milliseconds(1500)) == milliseconds(3500));
}

TEST_CASE("crawl policy: Retry-After as seconds or HTTP-date", "[crawl][politeness]") {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(ParseRetryAfter("120", now) == milliseconds(120'000));
  CHECK(ParseRetryAfter(" 0 ", now) == milliseconds(0));
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:50:37 GMT", now) == milliseconds(60'000));
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now) == milliseconds(0));
  CHECK_FALSE(ParseRetryAfter("", now));
  CHECK_FALSE(ParseRetryAfter("soon", now));
  CHECK_FALSE(ParseRetryAfter("-5", now));
  CHECK(*ParseRetryAfter("99999999999999999999", now) > kMaxRetryAfter);
}

TEST_CASE("crawl: same site ignores one leading www.", "[crawl]") {
  auto u = [](const char* s) { return *url::ParseUrl(s); };
  CHECK(SameSite(u("https://site.example/a"), u("https://www.site.example/b")));
  CHECK(SameSite(u("https://SITE.example/a"), u("http://site.example/b")));
  CHECK_FALSE(SameSite(u("https://site.example/a"), u("https://news.example/")));
  CHECK_FALSE(SameSite(u("https://site.example/a"), u("https://blog.site.example/")));
  CHECK_FALSE(SameSite(u("https://site.example/a"), u("https://site.example.evil.test/")));
}

TEST_CASE("crawl: ReadPage finds links and tells articles from other pages", "[crawl]") {
  const char* home =
      "<html><body><a href='/a.html#x'>a</a><a href='b.html'>b</a><a href='/a.html'>again</a>"
      "<a href='mailto:x@y'>m</a><a href='/logo.PNG'>img</a><a href='https://other.example/'>o</a>"
      "<script>document.write('<a href=\"/from-script\">')</script></body></html>";
  auto page = ReadPage(home, "https://site.example/dir/index.html");
  REQUIRE(page);
  CHECK(page->links == std::vector<std::string>{"https://site.example/a.html", "https://site.example/dir/b.html",
                                                "https://other.example/"});
  CHECK_FALSE(page->is_article);
  CHECK(ReadPage("<html><head><meta property='og:type' content='article'></head></html>", "https://s.example/")->is_article);
  CHECK(ReadPage("<html><body><article><p>x</p></article></body></html>", "https://s.example/")->is_article);
  CHECK(ReadPage("<html><head><script type='application/ld+json'>{\"@type\": \"NewsArticle\"}</script></head></html>",
                 "https://s.example/")->is_article);
  CHECK(ReadPage("<blockquote class='twitter-tweet'><a href='https://twitter.com/ZelenskyyUa/status/1848047034574221401'>x</a>"
                 "</blockquote>", "https://s.example/")->is_article);
}

TEST_CASE("crawl: ReadPage keeps at most kMaxLinksPerPage links", "[crawl][limits]") {
  std::string html = "<html><body>";
  for (std::size_t i = 0; i < kMaxLinksPerPage + 10; ++i) html += "<a href='/p" + std::to_string(i) + "'>x</a>";
  auto page = ReadPage(html, "https://s.example/");
  REQUIRE(page);
  CHECK(page->links.size() == kMaxLinksPerPage);
}

TEST_CASE("PoliteFetcher: the minimum interval separates requests to one host, not to others", "[crawl][politeness]") {
  FakeTimer timer;
  ScriptedFetcher inner;
  inner.timer = &timer;
  PoliteFetcher polite(inner, Politeness{milliseconds(500), kMaxRetryAfter}, timer, nullptr);
  REQUIRE(polite.Get("https://a.example/1", false));
  REQUIRE(polite.Get("https://b.example/1", false));
  REQUIRE(polite.Get("https://a.example/2", false));
  REQUIRE(inner.at.size() == 3);
  CHECK(inner.at[1] - inner.at[0] == milliseconds(10));     // another host: no wait
  CHECK(inner.at[2] - inner.at[0] == milliseconds(510));    // 10 ms answer + 500 ms interval
  polite.SetCrawlDelay("a.example", milliseconds(2000));
  REQUIRE(polite.Get("https://a.example/3", false));
  CHECK(inner.at[3] - inner.at[2] == milliseconds(2010));
}

TEST_CASE("PoliteFetcher: 429/503 with Retry-After is retried after the wait, within the cap", "[crawl][politeness]") {
  FakeTimer timer;
  ScriptedFetcher inner;
  inner.timer = &timer;
  inner.script["https://a.example/p"] = {{429, {{"Retry-After", "2"}}, "slow"}, {503, {{"retry-after", "1"}}, ""}, {200, {}, "ok"}};
  std::vector<CrawlEvent> events;
  PoliteFetcher polite(inner, Politeness{milliseconds(0), kMaxRetryAfter}, timer,
                       [&](const CrawlEvent& e) { events.push_back(e); });
  auto r = polite.Get("https://a.example/p", false);
  REQUIRE(r);
  REQUIRE(r->ok());
  CHECK(r->Final()->status == 200);
  REQUIRE(inner.at.size() == 3);
  CHECK(inner.at[1] - inner.at[0] == milliseconds(2010));
  CHECK(inner.at[2] - inner.at[1] == milliseconds(1010));
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == "retry");
  CHECK(events[0].status == 429);
}

TEST_CASE("PoliteFetcher: a Retry-After over the cap is not waited for and closes the host", "[crawl][politeness]") {
  FakeTimer timer;
  ScriptedFetcher inner;
  inner.timer = &timer;
  inner.script["https://a.example/p"] = {{429, {{"Retry-After", "3600"}}, ""}, {200, {}, "ok"}};
  inner.script["https://a.example/q"] = {{200, {}, "ok"}};
  PoliteFetcher polite(inner, Politeness{milliseconds(0), milliseconds(60'000)}, timer, nullptr);
  auto r = polite.Get("https://a.example/p", false);
  REQUIRE(r);
  CHECK(r->Final()->status == 429);
  auto q = polite.Get("https://a.example/q", false);
  REQUIRE(q);
  CHECK_FALSE(q->ok());
  CHECK(q->error.find("Retry-After") != std::string::npos);
  CHECK(inner.log == std::vector<std::string>{"https://a.example/p"});  // nothing more was asked of the host
  CHECK(timer.slept.empty());
}

TEST_CASE("PoliteFetcher: a 429 or 503 without Retry-After is not retried, kMaxAttempts bounds retries", "[crawl][politeness]") {
  FakeTimer timer;
  ScriptedFetcher inner;
  inner.script["https://a.example/p"] = {{503, {}, ""}};
  inner.script["https://a.example/q"] = {{503, {{"Retry-After", "1"}}, ""}};
  PoliteFetcher polite(inner, Politeness{milliseconds(0), kMaxRetryAfter}, timer, nullptr);
  REQUIRE(polite.Get("https://a.example/p", false)->Final()->status == 503);
  CHECK(inner.log.size() == 1);
  REQUIRE(polite.Get("https://a.example/q", false)->Final()->status == 503);
  CHECK(inner.log.size() == 1 + static_cast<std::size_t>(kMaxAttempts));
}

TEST_CASE("PoliteFetcher: a kept answer serves the pipeline's request once, others pass through", "[crawl]") {
  FakeTimer timer;
  ScriptedFetcher inner;
  inner.script["https://a.example/article"] = {{200, {}, "first"}, {200, {}, "second"}};
  PoliteFetcher polite(inner, Politeness{milliseconds(0), kMaxRetryAfter}, timer, nullptr);
  REQUIRE(polite.Get("https://a.example/article", true));
  std::vector<net::FetchRequest> reqs(2);
  reqs[0].url = "https://a.example/article";
  reqs[1].url = "https://b.example/post";
  auto answers = polite.FetchAll(reqs);
  REQUIRE(answers);
  CHECK(ToString((*answers)[0].Final()->body) == "first");
  CHECK(inner.log == std::vector<std::string>{"https://a.example/article", "https://b.example/post"});
  auto again = polite.FetchAll(std::span<const net::FetchRequest>(reqs.data(), 1));
  REQUIRE(again);
  CHECK(ToString((*again)[0].Final()->body) == "second");  // kept once only
}

TEST_CASE("index v5: the crawl frontier keeps order, states and ignores duplicates", "[crawl][store]") {
  testing::TempDir dir;
  auto index = store::OpenSqliteIndex(dir.path() / "index.sqlite3", true);
  REQUIRE(index);
  store::Index& ix = **index;
  REQUIRE(ix.AddToFrontier({{"k", "https://s.example/", 0, "pending", std::nullopt, "t0"},
                            {"k", "https://s.example/b", 1, "pending", std::nullopt, "t0"},
                            {"k", "https://s.example/a", 1, "pending", std::nullopt, "t0"},
                            {"other", "https://s.example/", 0, "pending", std::nullopt, "t0"}}));
  REQUIRE(ix.SetFrontierState("k", "https://s.example/", "done", std::nullopt, "t1"));
  REQUIRE(ix.AddToFrontier({{"k", "https://s.example/", 0, "pending", std::nullopt, "t2"}}));  // already known: unchanged
  REQUIRE(ix.SetFrontierState("k", "https://s.example/a", "failed", std::string("HTTP 500"), "t1"));
  auto rows = ix.Frontier("k");
  REQUIRE(rows);
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].url == "https://s.example/");
  CHECK((*rows)[0].state == "done");
  CHECK((*rows)[1].url == "https://s.example/b");
  CHECK((*rows)[2].state == "failed");
  CHECK((*rows)[2].error == std::optional<std::string>("HTTP 500"));
  CHECK_FALSE(ix.SetFrontierState("k", "https://s.example/b", "bogus", std::nullopt, "t1"));  // CHECK constraint
  CHECK(ix.Frontier("other")->size() == 1);
  CHECK_FALSE(*ix.HasArchivedArticle("https://s.example/"));
}
