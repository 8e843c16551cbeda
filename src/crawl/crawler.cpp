#include "embarc/crawl/crawler.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <deque>
#include <thread>

#include "core/ascii.h"
#include "embarc/capture/record.h"
#include "embarc/crawl/feed.h"
#include "embarc/html/extract.h"
#include "html/dom.h"

namespace embarc::crawl {
namespace {

using ascii::Lower;

using std::chrono::milliseconds;

class SteadyTimer final : public Timer {
 public:
  SteadyTime Now() override { return std::chrono::steady_clock::now(); }
  void Sleep(milliseconds d) override { std::this_thread::sleep_for(d); }
};

// Links to these are assets, not pages: never followed.
bool IsAssetPath(std::string_view path) {
  static const char* kExtensions[] = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".avif",
                                      ".mp4", ".webm", ".mov", ".m3u8", ".mp3", ".ogg", ".wav", ".pdf", ".zip",
                                      ".gz", ".tgz", ".tar", ".css", ".js", ".woff", ".woff2", ".ttf", ".json"};
  const std::string lower = Lower(path);
  for (const char* ext : kExtensions) {
    if (lower.ends_with(ext)) return true;
  }
  return false;
}

std::string Origin(const url::Url& u) { return u.scheme + "://" + u.host + (u.port.empty() ? "" : ":" + u.port); }

std::string PathAndQuery(const url::Url& u) { return u.path + (u.query ? "?" + *u.query : ""); }

bool IsHtml(const net::HttpExchange& fin) {
  const std::string type = Lower(fin.Header("Content-Type"));
  return type.empty() || type.find("html") != std::string::npos;
}

bool Is2xx(const net::FetchResponse& r) { return r.ok() && r.Final()->status >= 200 && r.Final()->status < 300; }

std::string FailureOf(const net::FetchResponse& r) {
  if (!r.ok()) return std::string(net::FetchOutcomeName(r.outcome)) + ": " + r.error;
  return "HTTP " + std::to_string(r.Final()->status);
}

void Merge(capture::RunReport& into, capture::RunReport&& from) {
  for (auto& a : from.articles) into.articles.push_back(std::move(a));
  for (auto& p : from.posts) into.posts.push_back(std::move(p));
}

// Robots rules per origin, fetched once per run through the polite fetcher.
class RobotsCache {
 public:
  RobotsCache(PoliteFetcher& fetcher, const EventSink& events) : fetcher_(fetcher), events_(events) {}

  const RobotsRules& For(const url::Url& u) {
    const std::string origin = Origin(u);
    auto it = rules_.find(origin);
    if (it != rules_.end()) return it->second;
    const std::string robots_url = origin + "/robots.txt";
    RobotsRules rules = RobotsRules::DisallowAll();
    std::string note;
    auto resp = fetcher_.Get(robots_url, /*keep=*/false);
    if (!resp || !resp->ok()) {
      note = "unreachable (" + (resp ? FailureOf(*resp) : resp.error().message) + "): nothing is followed on this host";
    } else {
      const int status = resp->Final()->status;
      if (status >= 200 && status < 300) {
        auto body = net::DecodeContent(*resp->Final());
        if (body) {
          rules = RobotsRules::Parse(ToString(*body), kRobotsAgent);
          note = std::to_string(rules.rules().size()) + " rule(s) for " + kRobotsAgent;
        } else {
          note = "unreadable: nothing is followed on this host";
        }
      } else if (status >= 400 && status < 500 && status != 429) {
        rules = RobotsRules::AllowAll();
        note = "HTTP " + std::to_string(status) + ": no restrictions";
      } else {
        note = "HTTP " + std::to_string(status) + ": nothing is followed on this host";
      }
    }
    if (rules.crawl_delay()) {
      fetcher_.SetCrawlDelay(u.host, *rules.crawl_delay());
      note += ", crawl-delay " + std::to_string(rules.crawl_delay()->count()) + " ms";
    }
    if (events_) events_(CrawlEvent{"robots", robots_url, -1, resp && resp->ok() ? resp->Final()->status : 0, note});
    return rules_.emplace(origin, std::move(rules)).first->second;
  }

 private:
  PoliteFetcher& fetcher_;
  const EventSink& events_;
  std::map<std::string, RobotsRules> rules_;
};

}  // namespace

// --- policies -------------------------------------------------------------------------

milliseconds DelayBeforeNext(const HostState& host, SteadyTime now) {
  SteadyTime ready = host.not_before;
  if (host.last_answer) ready = std::max(ready, *host.last_answer + host.interval);
  if (ready <= now) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(ready - now);
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return milliseconds(999'999'999'000LL);  // absurdly long: far over any cap
    return milliseconds(std::stoll(std::string(value)) * 1000);
  }
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const std::string text(value);
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(::timegm(&tm));
  if (at <= now) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(at - now);
}

std::string SiteKey(std::string_view host) {
  std::string h = Lower(host);
  if (h.starts_with("www.")) h.erase(0, 4);
  return h;
}

bool SameSite(const url::Url& a, const url::Url& b) { return SiteKey(a.host) == SiteKey(b.host); }

std::optional<std::string> NormaliseLink(std::string_view base, std::string_view href) {
  auto u = url::ResolveUrl(base, href);
  if (!u) return std::nullopt;
  u->fragment.reset();
  return u->ToString();
}

Result<PageLinks> ReadPage(std::string_view html_text, std::string_view base_url) {
  EMBARC_ASSIGN_OR_RETURN(html::Document doc, html::Document::Parse(html_text, html::kMaxDocumentBytes, html::kMaxNestingDepth));
  PageLinks out;
  std::set<std::string> seen;
  doc.root().Walk([&](const html::Node& n) {
    if (!n.is_element()) return html::Node::Step::kDescend;
    if (n.IsTag("a") || n.IsTag("area")) {
      auto href = n.Attr("href");
      if (!href || out.links.size() >= kMaxLinksPerPage) return html::Node::Step::kDescend;
      auto link = NormaliseLink(base_url, *href);
      if (!link) return html::Node::Step::kDescend;
      auto u = url::ParseUrl(*link);
      if (!u || IsAssetPath(u->path)) return html::Node::Step::kDescend;
      if (seen.insert(*link).second) out.links.push_back(*link);
    } else if (n.IsTag("article")) {
      out.is_article = true;
    } else if (n.IsTag("meta")) {
      if (Lower(n.Attr("property").value_or("")) == "og:type" && Lower(n.Attr("content").value_or("")) == "article") {
        out.is_article = true;
      }
    } else if (n.IsTag("script") && Lower(n.Attr("type").value_or("")) == "application/ld+json") {
      const std::string json = n.Children().empty() ? std::string() : std::string(n.Children().front().Text());
      if (json.find("Article\"") != std::string::npos || json.find("\"BlogPosting\"") != std::string::npos) {
        out.is_article = true;
      }
      return html::Node::Step::kSkipChildren;
    }
    return html::Node::Step::kDescend;
  });
  if (!out.is_article) {
    auto posts = html::ExtractEmbeds(html_text, base_url);
    out.is_article = posts && !posts->empty();
  }
  return out;
}

Timer& RealTimer() {
  static SteadyTimer timer;
  return timer;
}

// --- PoliteFetcher --------------------------------------------------------------------

HostState& PoliteFetcher::Host(const std::string& host) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) {
    HostState s;
    s.interval = policy_.min_interval;
    it = hosts_.emplace(host, s).first;
  }
  return it->second;
}

void PoliteFetcher::SetCrawlDelay(const std::string& host, milliseconds delay) {
  HostState& h = Host(host);
  h.interval = std::max(h.interval, delay);
}

Result<net::FetchResponse> PoliteFetcher::Get(const std::string& target, bool keep, std::size_t max_body_bytes) {
  EMBARC_ASSIGN_OR_RETURN(url::Url u, url::ParseUrl(target));
  HostState& host = Host(u.host);
  net::FetchResponse resp;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    const milliseconds wait = DelayBeforeNext(host, timer_.Now());
    if (wait > policy_.max_retry_after) {
      // The host asked for a pause longer than we wait in one run: do not ask again now.
      resp = net::FetchResponse{};
      resp.outcome = net::FetchOutcome::kOther;
      resp.error = "the host asked to wait " + std::to_string(wait.count() / 1000) + " s (Retry-After), over the " +
                   std::to_string(policy_.max_retry_after.count() / 1000) + " s cap; try again later";
      return resp;
    }
    if (wait.count() > 0) timer_.Sleep(wait);
    net::FetchRequest req;
    req.url = target;
    req.max_body_bytes = max_body_bytes;
    EMBARC_ASSIGN_OR_RETURN(auto answers, inner_.FetchAll(std::span<const net::FetchRequest>(&req, 1)));
    ++requests_;
    host.last_answer = timer_.Now();
    resp = std::move(answers.at(0));
    if (!resp.ok()) break;
    const int status = resp.Final()->status;
    if (status != 429 && status != 503) break;
    const auto retry_after = ParseRetryAfter(resp.Final()->Header("Retry-After"), std::chrono::system_clock::now());
    if (!retry_after) break;
    host.not_before = timer_.Now() + *retry_after;
    if (*retry_after > policy_.max_retry_after || attempt == kMaxAttempts) break;
    if (events_) {
      events_(CrawlEvent{"retry", target, -1, status,
                         "Retry-After " + std::to_string(retry_after->count()) + " ms, attempt " + std::to_string(attempt + 1)});
    }
  }
  if (keep) kept_[target] = resp;
  return resp;
}

Result<std::vector<net::FetchResponse>> PoliteFetcher::FetchAll(std::span<const net::FetchRequest> requests) {
  std::vector<net::FetchResponse> out(requests.size());
  std::vector<net::FetchRequest> rest;
  std::vector<std::size_t> rest_at;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const net::FetchRequest& r = requests[i];
    auto it = kept_.find(r.url);
    if (it != kept_.end() && r.method == "GET" && r.headers.empty()) {
      out[i] = std::move(it->second);
      kept_.erase(it);
    } else {
      rest_at.push_back(i);
      rest.push_back(r);
    }
  }
  if (!rest.empty()) {
    EMBARC_ASSIGN_OR_RETURN(auto answers, inner_.FetchAll(rest));
    for (std::size_t j = 0; j < rest.size(); ++j) out[rest_at[j]] = std::move(answers.at(j));
  }
  return out;
}

// --- runs -----------------------------------------------------------------------------

Result<CrawlReport> Crawl(store::Archive& archive, net::Fetcher& fetcher, const std::string& seed,
                          const CrawlOptions& options, const capture::Clock& now, Timer& timer, const EventSink& events) {
  auto seed_norm = NormaliseLink("", seed);
  if (!seed_norm) return Fail(ErrorCode::kInvalidArgument, "not an http(s) URL: " + seed);
  EMBARC_ASSIGN_OR_RETURN(url::Url seed_url, url::ParseUrl(*seed_norm));
  const std::string key = "depth=" + std::to_string(options.depth) + " " + *seed_norm;
  store::Index& index = archive.index();
  CrawlReport report;

  EMBARC_ASSIGN_OR_RETURN(auto rows, index.Frontier(key));
  if (rows.empty()) {
    store::FrontierRow seed_row{key, *seed_norm, 0, "pending", std::nullopt, capture::Rfc3339Ms(now())};
    EMBARC_RETURN_IF_ERROR(index.AddToFrontier({seed_row}));
    rows.push_back(seed_row);
  }
  std::set<std::string> known;
  std::deque<std::pair<std::string, int>> queue;
  for (const auto& r : rows) {
    known.insert(r.url);
    if (r.state == "done") {
      ++report.already_done;
    } else {
      queue.emplace_back(r.url, r.depth);  // pending, and failed pages are tried again
    }
  }

  PoliteFetcher polite(fetcher, options.politeness, timer, events);
  RobotsCache robots(polite, events);
  std::vector<std::string> batch;
  int batch_depth = 0;

  auto set_state = [&](const std::string& u, const char* state, const std::optional<std::string>& error) {
    return index.SetFrontierState(key, u, state, error, capture::Rfc3339Ms(now()));
  };
  auto flush = [&]() -> Result<void> {
    if (batch.empty()) return Ok();
    EMBARC_ASSIGN_OR_RETURN(auto run, capture::ArchiveArticles(archive, polite, batch, now));
    for (std::size_t i = 0; i < run.articles.size() && i < batch.size(); ++i) {
      const capture::ArticleOutcome& a = run.articles[i];
      EMBARC_RETURN_IF_ERROR(set_state(batch[i], a.ok ? "done" : "failed",
                                       a.ok ? std::nullopt : std::optional<std::string>(a.error)));
    }
    Merge(report.capture, std::move(run));
    batch.clear();
    return Ok();
  };

  while (!queue.empty()) {
    if (report.pages_fetched >= options.max_pages) {
      if (events) events(CrawlEvent{"stopped", "", -1, 0, "page limit " + std::to_string(options.max_pages) + " reached"});
      break;
    }
    const auto [page, depth] = queue.front();
    queue.pop_front();
    // Each level is archived before the next one is fetched, so an interrupted crawl keeps its finished levels.
    if (!batch.empty() && depth != batch_depth) EMBARC_RETURN_IF_ERROR(flush());
    auto page_url = url::ParseUrl(page);
    if (!page_url) {
      EMBARC_RETURN_IF_ERROR(set_state(page, "failed", page_url.error().message));
      ++report.pages_failed;
      continue;
    }
    const RobotsRules& rules = robots.For(*page_url);
    if (depth > 0 && !rules.IsAllowed(PathAndQuery(*page_url))) {
      // Only a frontier from an older robots.txt gets here: new links are checked before they are queued.
      EMBARC_RETURN_IF_ERROR(set_state(page, "done", std::string("disallowed by robots.txt, not fetched")));
      ++report.robots_blocked;
      continue;
    }
    EMBARC_ASSIGN_OR_RETURN(net::FetchResponse resp, polite.Get(page, /*keep=*/true));
    ++report.pages_fetched;
    if (!Is2xx(resp)) {
      polite.Forget(page);
      const std::string why = FailureOf(resp);
      if (events) events(CrawlEvent{"failed", page, depth, resp.ok() ? resp.Final()->status : 0, why});
      EMBARC_RETURN_IF_ERROR(set_state(page, "failed", why));
      ++report.pages_failed;
      continue;
    }
    const net::HttpExchange& fin = *resp.Final();
    PageLinks links;
    if (IsHtml(fin)) {
      auto body = net::DecodeContent(fin);
      if (body) {
        auto read = ReadPage(ToString(*body), fin.url);
        if (read) links = std::move(*read);
      }
    }
    if (events) events(CrawlEvent{"page", page, depth, fin.status, links.is_article ? "article" : "page"});
    if (depth < options.depth) {
      std::vector<store::FrontierRow> added;
      const std::string at = capture::Rfc3339Ms(now());
      for (const std::string& link : links.links) {
        auto lu = url::ParseUrl(link);
        if (!lu) continue;
        if (!SameSite(seed_url, *lu)) {
          ++report.offsite_links;
          continue;
        }
        if (known.contains(link)) continue;
        known.insert(link);
        if (!robots.For(*lu).IsAllowed(PathAndQuery(*lu))) {
          ++report.robots_blocked;
          if (events) events(CrawlEvent{"skip", link, depth + 1, 0, "disallowed by robots.txt"});
          continue;
        }
        added.push_back(store::FrontierRow{key, link, depth + 1, "pending", std::nullopt, at});
        queue.emplace_back(link, depth + 1);
      }
      if (!added.empty()) {
        EMBARC_RETURN_IF_ERROR(index.Begin());
        if (auto r = index.AddToFrontier(added); !r) {
          index.Rollback();
          return tl::unexpected(r.error());
        }
        EMBARC_RETURN_IF_ERROR(index.CommitTransaction());
      }
    }
    if (depth == 0 || links.is_article) {
      batch.push_back(page);  // stays pending until archived
      batch_depth = depth;
      if (batch.size() >= kArticlesPerBatch) EMBARC_RETURN_IF_ERROR(flush());
    } else {
      polite.Forget(page);
      EMBARC_RETURN_IF_ERROR(set_state(page, "done", std::nullopt));
    }
  }
  EMBARC_RETURN_IF_ERROR(flush());
  report.pending = queue.size();
  return report;
}

Result<CrawlReport> ArchiveListed(store::Archive& archive, net::Fetcher& fetcher, ListKind kind, const std::string& list_url,
                                  const Politeness& politeness, const capture::Clock& now, Timer& timer,
                                  const EventSink& events) {
  PoliteFetcher polite(fetcher, politeness, timer, events);
  auto load = [&](const std::string& u) -> Result<std::string> {
    EMBARC_ASSIGN_OR_RETURN(net::FetchResponse resp, polite.Get(u, /*keep=*/false));
    if (!Is2xx(resp)) return Fail(ErrorCode::kNetwork, "fetch " + u + ": " + FailureOf(resp));
    EMBARC_ASSIGN_OR_RETURN(Bytes body, net::DecodeContent(*resp.Final()));
    return ToString(body);
  };
  CrawlReport report;
  std::vector<ListedArticle> listed;
  if (kind == ListKind::kFeed) {
    EMBARC_ASSIGN_OR_RETURN(std::string text, load(list_url));
    auto parsed = ParseFeed(text, list_url);
    if (!parsed) return WithContext(parsed.error(), "feed " + list_url);
    listed = std::move(parsed->articles);
    report.truncated = parsed->truncated;
  } else {
    EMBARC_ASSIGN_OR_RETURN(SitemapCrawl sm, CollectSitemap(list_url, load));
    for (const auto& [child, why] : sm.failed) {
      if (events) events(CrawlEvent{"failed", child, -1, 0, "sitemap: " + why});
      ++report.pages_failed;
    }
    for (const auto& child : sm.too_deep) {
      if (events) events(CrawlEvent{"skip", child, -1, 0, "sitemap nested deeper than " + std::to_string(kMaxSitemapDepth)});
    }
    listed = std::move(sm.articles);
    report.truncated = sm.truncated;
  }
  report.listed = listed.size();
  std::vector<std::string> fresh;
  for (const ListedArticle& a : listed) {
    EMBARC_ASSIGN_OR_RETURN(bool known, archive.index().HasArchivedArticle(a.url));
    if (known) {
      ++report.skipped_known;
      if (events) events(CrawlEvent{"skip", a.url, -1, 0, "already in the archive"});
    } else {
      fresh.push_back(a.url);
    }
  }
  for (std::size_t start = 0; start < fresh.size(); start += kArticlesPerBatch) {
    const std::vector<std::string> batch(fresh.begin() + static_cast<std::ptrdiff_t>(start),
                                         fresh.begin() + static_cast<std::ptrdiff_t>(std::min(fresh.size(), start + kArticlesPerBatch)));
    for (const std::string& u : batch) {
      EMBARC_ASSIGN_OR_RETURN(net::FetchResponse resp, polite.Get(u, /*keep=*/true));
      ++report.pages_fetched;
      if (events) events(CrawlEvent{"page", u, -1, resp.ok() ? resp.Final()->status : 0, Is2xx(resp) ? "article" : FailureOf(resp)});
    }
    EMBARC_ASSIGN_OR_RETURN(auto run, capture::ArchiveArticles(archive, polite, batch, now));
    Merge(report.capture, std::move(run));
  }
  return report;
}

}  // namespace embarc::crawl
