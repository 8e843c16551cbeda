// robots.txt (RFC 9309): which paths of a host a crawler may fetch, and how often.
//
// Groups are chosen by product token: the groups whose User-agent equals `agent`
// (case-insensitively; a value like "embarc/0.1" matches "embarc") are merged; only when
// none matches are the "*" groups used. Within the chosen rules the longest matching
// pattern wins (length in bytes as written); on a tie Allow wins. Patterns know `*` (any
// run of bytes) and a final `$` (end of the path). An empty Disallow allows everything.
// "/robots.txt" itself is always allowed. Crawl-delay (not in the RFC, widely used) is
// read from the chosen groups, in seconds, fractions allowed, capped at kMaxCrawlDelay.
#ifndef EMBARC_CRAWL_ROBOTS_H_
#define EMBARC_CRAWL_ROBOTS_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace embarc::crawl {

// Bytes of a robots.txt that are read; the rest is ignored (RFC 9309 §2.5 asks for at least 500 KiB).
inline constexpr std::size_t kMaxRobotsBytes = 512u << 10;
// A longer Crawl-delay is read as this one.
inline constexpr std::chrono::milliseconds kMaxCrawlDelay{60'000};

struct RobotsRule {
  bool allow = false;
  std::string pattern;  // as written, percent-escapes upper-cased
};

class RobotsRules {
 public:
  // Everything allowed (robots.txt absent: a 4xx answer).
  static RobotsRules AllowAll();
  // Nothing allowed (robots.txt unreachable: 5xx, 429 or no answer, RFC 9309 §2.3.1.4).
  static RobotsRules DisallowAll();
  // Parses `text` (only its first kMaxRobotsBytes) for the crawler named `agent`.
  // Never fails: lines that are not rules are skipped.
  static RobotsRules Parse(std::string_view text, std::string_view agent);

  // `path_and_query` is the URL's path with its query ("/a/b?x=1"), percent-encoded as sent.
  bool IsAllowed(std::string_view path_and_query) const;
  std::optional<std::chrono::milliseconds> crawl_delay() const { return crawl_delay_; }
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }
  const std::vector<RobotsRule>& rules() const { return rules_; }

 private:
  std::vector<RobotsRule> rules_;
  std::optional<std::chrono::milliseconds> crawl_delay_;
  std::vector<std::string> sitemaps_;
};

// Whether `path` matches a robots.txt `pattern` (`*` wildcards, final `$` anchor). Exposed for tests.
bool RobotsPatternMatches(std::string_view pattern, std::string_view path);

}  // namespace embarc::crawl

#endif  // EMBARC_CRAWL_ROBOTS_H_
