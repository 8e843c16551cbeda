// Feeds (RSS 2.0, RSS 1.0/RDF, Atom 1.0) and sitemaps (sitemaps.org urlset and sitemap
// index, Google news sitemaps): the article URLs they list.
//
// The XML reader is embarc's own and small: elements, attributes, text, CDATA, the five
// predefined entities and numeric character references. A DOCTYPE is skipped and nothing
// it declares is used: no external entity is ever loaded and no entity is expanded, so
// "billion laughs" documents stay as small as they are. Element names are compared by
// local name (prefixes dropped), so any namespace prefix works.
#ifndef EMBARC_CRAWL_FEED_H_
#define EMBARC_CRAWL_FEED_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/core/result.h"

namespace embarc::crawl {

inline constexpr std::size_t kMaxXmlBytes = 32u << 20;    // larger feeds and sitemaps are refused
inline constexpr int kMaxXmlDepth = 64;                    // deeper element nesting is refused
inline constexpr std::size_t kMaxFeedEntries = 1'000;      // entries past this are ignored
inline constexpr std::size_t kMaxSitemapEntries = 50'000;  // URLs per run past this are ignored (sitemaps.org's per-file limit)
inline constexpr int kMaxSitemapDepth = 3;                 // index -> index -> index -> urlset; deeper is not fetched

struct ListedArticle {
  std::string url;    // absolute http(s), resolved against the feed or sitemap URL, fragment removed
  std::string title;  // may be empty
  std::string date;   // as written (pubDate, updated/published, news:publication_date, lastmod); may be empty
};

struct ParsedList {
  std::vector<ListedArticle> articles;  // distinct URLs in document order
  std::vector<std::string> sitemaps;    // a sitemap index's children
  bool truncated = false;               // entries past the limit were ignored
};

// Errors: kInvalidArgument for malformed XML or a document that is not RSS/RDF/Atom;
// kLimitExceeded past kMaxXmlBytes or kMaxXmlDepth.
[[nodiscard]] Result<ParsedList> ParseFeed(std::string_view xml, std::string_view feed_url);
// A <urlset> fills `articles`, a <sitemapindex> fills `sitemaps`.
// Errors: as ParseFeed; kInvalidArgument for a document that is neither.
[[nodiscard]] Result<ParsedList> ParseSitemap(std::string_view xml, std::string_view sitemap_url);

// Follows a sitemap index breadth first from `root_url` (depth 0) and collects the article
// URLs of every urlset reached, each sitemap fetched at most once, none deeper than
// kMaxSitemapDepth, at most kMaxSitemapEntries URLs in all. `load` fetches one sitemap.
// A child sitemap that fails to load or parse is reported in `failed`; only the root's
// failure is an error.
struct SitemapCrawl {
  std::vector<ListedArticle> articles;
  std::vector<std::string> fetched;                          // sitemaps read, in order
  std::vector<std::pair<std::string, std::string>> failed;   // child sitemap, why
  std::vector<std::string> too_deep;                         // children past kMaxSitemapDepth
  bool truncated = false;
};
[[nodiscard]] Result<SitemapCrawl> CollectSitemap(const std::string& root_url,
                                                  const std::function<Result<std::string>(const std::string&)>& load);

}  // namespace embarc::crawl

#endif  // EMBARC_CRAWL_FEED_H_
