// Finding articles the way a newsroom publishes them: following a site's links
// (`archive URL --depth N`), reading its feeds (`--feed`) and sitemaps (`--sitemap`).
// Every article found goes through capture::ArchiveArticles (the article and its posts).
//
// Politeness. Every request the crawler makes to a site goes through a PoliteFetcher:
// one request at a time (so at most one per host), at least `min_interval` between the
// end of one answer and the next request to the same host (or the host's robots.txt
// Crawl-delay when longer), and a 429 or 503 answer with Retry-After is retried after
// that wait when it is at most `max_retry_after`; a longer wait fails the page and keeps
// the host closed for the rest of the run. The answer the crawler read is kept, so the
// capture pipeline archives that same exchange and a page is fetched once per run.
//
// Same site: a link is followed when its host equals the seed's host, a leading "www."
// ignored on both (news.example and www.news.example are one site; sub.news.example is
// not). Only http(s) links are followed; fragments are dropped; links to obvious media
// and assets (images, video, audio, fonts, css, js, pdf, archives) are not followed.
//
// Frontier. The crawl's URLs, depths and states (pending, done, failed) are written to
// the archive's index as the crawl goes (schema v5, table crawl_frontier), under a key
// made of the seed and the depth. Running the same command again resumes: done pages
// are not fetched again, failed ones are tried again, pending ones are fetched.
//
// Robots. robots.txt is read once per host per run for the agent "embarc" (robots.h).
// A 4xx answer allows everything, a 429, 5xx or failed fetch disallows everything for
// the run. Disallowed links are never requested (they are counted, not stored). The
// robots rules govern following links; URLs named on the command line, in a feed or in
// a sitemap are the operator's choice and are fetched as `archive URL` fetches them.
#ifndef EMBARC_CRAWL_CRAWLER_H_
#define EMBARC_CRAWL_CRAWLER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/capture/pipeline.h"
#include "embarc/core/result.h"
#include "embarc/crawl/robots.h"
#include "embarc/net/fetcher.h"
#include "embarc/store/archive.h"
#include "embarc/url/url.h"

namespace embarc::crawl {

inline constexpr std::size_t kMaxCrawlPages = 10'000;   // pages fetched per run; the rest stays pending
inline constexpr int kMaxCrawlDepth = 10;               // --depth larger than this is refused
inline constexpr std::size_t kMaxLinksPerPage = 2'000;  // links past this on one page are ignored
inline constexpr std::size_t kArticlesPerBatch = 16;    // articles handed to ArchiveArticles together
inline constexpr std::chrono::milliseconds kDefaultMinInterval{1'000};
inline constexpr std::chrono::milliseconds kMaxRetryAfter{60'000};  // longer waits are not waited for
inline constexpr int kMaxAttempts = 3;                  // per URL, counting retries after Retry-After
inline constexpr const char* kRobotsAgent = "embarc";

// --- policies (pure) ---------------------------------------------------------------

using SteadyTime = std::chrono::steady_clock::time_point;

struct HostState {
  std::optional<SteadyTime> last_answer;   // when the last answer from the host ended
  SteadyTime not_before{};                 // set by Retry-After
  std::chrono::milliseconds interval{0};   // max(min_interval, Crawl-delay)
};

// How long to wait before the next request to a host: zero or more.
std::chrono::milliseconds DelayBeforeNext(const HostState& host, SteadyTime now);

// Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date, relative to `now`.
// nullopt when absent or unreadable; a date in the past is zero.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// The host with one leading "www." removed: the unit of "same site".
std::string SiteKey(std::string_view host);
bool SameSite(const url::Url& a, const url::Url& b);

// The URL as the frontier keeps it: parsed, fragment dropped. nullopt for non-http(s).
std::optional<std::string> NormaliseLink(std::string_view base, std::string_view href);

struct PageLinks {
  std::vector<std::string> links;  // distinct, normalised, in document order, at most kMaxLinksPerPage
  bool is_article = false;         // og:type article, an <article> element, JSON-LD *Article/BlogPosting, or an embedded post
};
// Errors: kLimitExceeded for a page the HTML parser refuses (size, depth).
[[nodiscard]] Result<PageLinks> ReadPage(std::string_view html, std::string_view base_url);

// --- time ----------------------------------------------------------------------------

class Timer {
 public:
  virtual ~Timer() = default;
  virtual SteadyTime Now() = 0;
  virtual void Sleep(std::chrono::milliseconds d) = 0;
};
Timer& RealTimer();

// --- polite fetching ------------------------------------------------------------------

struct CrawlEvent {
  std::string kind;   // "page", "retry", "robots", "skip", "failed", "stopped"
  std::string url;
  int depth = -1;
  int status = 0;
  std::string detail;
};
using EventSink = std::function<void(const CrawlEvent&)>;

struct Politeness {
  std::chrono::milliseconds min_interval = kDefaultMinInterval;
  std::chrono::milliseconds max_retry_after = kMaxRetryAfter;
};

class PoliteFetcher final : public net::Fetcher {
 public:
  PoliteFetcher(net::Fetcher& inner, Politeness policy, Timer& timer, EventSink events)
      : inner_(inner), policy_(policy), timer_(timer), events_(std::move(events)) {}

  // Fetches one URL politely (see the file comment). With `keep`, the answer is kept and
  // a later FetchAll of the same URL is answered with it (once).
  [[nodiscard]] Result<net::FetchResponse> Get(const std::string& url, bool keep, std::size_t max_body_bytes = 0);
  // Drops a kept answer that will not be archived.
  void Forget(const std::string& url) { kept_.erase(url); }
  // Raises a host's interval (robots.txt Crawl-delay).
  void SetCrawlDelay(const std::string& host, std::chrono::milliseconds delay);
  std::size_t requests() const { return requests_; }

  // Kept answers first; everything else goes to the inner fetcher unchanged.
  [[nodiscard]] Result<std::vector<net::FetchResponse>> FetchAll(std::span<const net::FetchRequest> requests) override;

 private:
  HostState& Host(const std::string& host);
  net::Fetcher& inner_;
  Politeness policy_;
  Timer& timer_;
  EventSink events_;
  std::map<std::string, HostState> hosts_;
  std::map<std::string, net::FetchResponse> kept_;
  std::size_t requests_ = 0;
};

// --- runs -----------------------------------------------------------------------------

struct CrawlOptions {
  int depth = 0;
  std::size_t max_pages = kMaxCrawlPages;  // pages fetched in this run (robots.txt not counted)
  Politeness politeness;
};

struct CrawlReport {
  capture::RunReport capture;         // every ArchiveArticles of the run, merged
  std::size_t pages_fetched = 0;      // pages requested in this run
  std::size_t already_done = 0;       // frontier pages done in earlier runs (not fetched)
  std::size_t pages_failed = 0;
  std::size_t robots_blocked = 0;     // links not followed because robots.txt disallows them
  std::size_t offsite_links = 0;      // links to other sites, not followed
  std::size_t pending = 0;            // left for the next run
  std::size_t listed = 0;             // --feed/--sitemap: distinct articles listed
  std::size_t skipped_known = 0;      // --feed/--sitemap: already in the archive, not fetched
  bool truncated = false;             // a list limit was reached
  std::size_t failures() const { return capture.failures() + pages_failed; }
};

// Crawls from `seed` breadth first to `options.depth`, resuming the frontier of the same
// seed and depth. Errors: kInvalidArgument for a seed that is not http(s); store errors.
[[nodiscard]] Result<CrawlReport> Crawl(store::Archive& archive, net::Fetcher& fetcher, const std::string& seed,
                                        const CrawlOptions& options, const capture::Clock& now, Timer& timer,
                                        const EventSink& events);

// Archives the articles a feed (RSS/Atom) or a sitemap (index, urlset, news) lists, skipping
// those already archived. Errors: kNetwork when the feed or root sitemap cannot be fetched,
// kInvalidArgument when it cannot be read.
enum class ListKind { kFeed, kSitemap };
[[nodiscard]] Result<CrawlReport> ArchiveListed(store::Archive& archive, net::Fetcher& fetcher, ListKind kind,
                                                const std::string& list_url, const Politeness& politeness,
                                                const capture::Clock& now, Timer& timer, const EventSink& events);

}  // namespace embarc::crawl

#endif  // EMBARC_CRAWL_CRAWLER_H_
