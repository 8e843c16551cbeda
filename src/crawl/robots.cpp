#include "embarc/crawl/robots.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "core/ascii.h"

namespace embarc::crawl {
namespace {

using ascii::Lower;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Upper-cases the hex digits of %XX escapes and escapes bytes outside ASCII, so that a
// pattern and a path written with different escaping compare equal (RFC 9309 §2.2.2).
std::string NormaliseEscapes(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += '%';
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 1])));
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 2])));
      i += 2;
    } else if (c >= 0x80) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// The product token of a User-agent value: up to the first '/' or blank, lower-case.
std::string ProductToken(std::string_view value) {
  const std::size_t end = value.find_first_of("/ \t");
  return Lower(value.substr(0, end));
}

struct Group {
  std::vector<std::string> agents;
  std::vector<RobotsRule> rules;
  std::optional<std::chrono::milliseconds> crawl_delay;
};

std::optional<std::chrono::milliseconds> ParseDelay(std::string_view value) {
  const std::string v(value);
  char* end = nullptr;
  const double secs = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || !std::isfinite(secs) || secs < 0) return std::nullopt;
  const double ms = std::min(secs * 1000.0, static_cast<double>(kMaxCrawlDelay.count()));
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

}  // namespace

bool RobotsPatternMatches(std::string_view pattern, std::string_view path) {
  bool anchored = false;
  if (!pattern.empty() && pattern.back() == '$') {
    anchored = true;
    pattern.remove_suffix(1);
  }
  // Split on '*': the first piece is a prefix, the others are found left to right (the
  // earliest place is always the best one), the last one must end the path when anchored.
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t star = pattern.find('*', start);
    pieces.push_back(pattern.substr(start, star == std::string_view::npos ? std::string_view::npos : star - start));
    if (star == std::string_view::npos) break;
    start = star + 1;
  }
  if (!path.starts_with(pieces.front())) return false;
  std::size_t pos = pieces.front().size();
  if (pieces.size() == 1) return !anchored || pos == path.size();
  for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
    const std::size_t at = path.find(pieces[i], pos);
    if (at == std::string_view::npos) return false;
    pos = at + pieces[i].size();
  }
  const std::string_view last = pieces.back();
  if (anchored) return path.size() >= pos + last.size() && path.ends_with(last);
  return path.find(last, pos) != std::string_view::npos;
}

RobotsRules RobotsRules::AllowAll() { return RobotsRules(); }

RobotsRules RobotsRules::DisallowAll() {
  RobotsRules r;
  r.rules_.push_back(RobotsRule{false, "/"});
  return r;
}

RobotsRules RobotsRules::Parse(std::string_view text, std::string_view agent) {
  if (text.size() > kMaxRobotsBytes) text = text.substr(0, kMaxRobotsBytes);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  RobotsRules out;
  std::vector<Group> groups;
  bool in_agent_lines = false;  // the previous rule line was a User-agent line
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find_first_of("\r\n", line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key = Lower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (key == "user-agent") {
      if (!in_agent_lines) groups.emplace_back();
      groups.back().agents.push_back(value == "*" ? "*" : ProductToken(value));
      in_agent_lines = true;
    } else if (key == "allow" || key == "disallow") {
      in_agent_lines = false;
      if (groups.empty()) continue;  // rules before any User-agent line belong to no group
      if (value.empty()) continue;   // "Disallow:" with no path allows everything
      groups.back().rules.push_back(RobotsRule{key == "allow", NormaliseEscapes(value)});
    } else if (key == "crawl-delay") {
      in_agent_lines = false;
      if (groups.empty()) continue;
      if (auto d = ParseDelay(value)) groups.back().crawl_delay = d;
    } else if (key == "sitemap") {
      if (!value.empty()) out.sitemaps_.emplace_back(value);  // not part of a group
    } else {
      in_agent_lines = false;
    }
  }
  const std::string me = ProductToken(agent);
  auto collect = [&](const std::string& name) {
    bool any = false;
    for (const Group& g : groups) {
      if (std::find(g.agents.begin(), g.agents.end(), name) == g.agents.end()) continue;
      any = true;
      out.rules_.insert(out.rules_.end(), g.rules.begin(), g.rules.end());
      if (g.crawl_delay && (!out.crawl_delay_ || *g.crawl_delay > *out.crawl_delay_)) out.crawl_delay_ = g.crawl_delay;
    }
    return any;
  };
  if (me.empty() || me == "*" || !collect(me)) collect("*");
  return out;
}

bool RobotsRules::IsAllowed(std::string_view path_and_query) const {
  const std::string path = NormaliseEscapes(path_and_query.empty() ? std::string_view("/") : path_and_query);
  if (path == "/robots.txt") return true;
  std::size_t best_len = 0;
  bool matched = false;
  bool allowed = true;
  for (const RobotsRule& r : rules_) {
    if (!RobotsPatternMatches(r.pattern, path)) continue;
    const std::size_t len = r.pattern.size();
    if (!matched || len > best_len || (len == best_len && r.allow && !allowed)) {
      matched = true;
      best_len = len;
      allowed = r.allow;
    }
  }
  return allowed;
}

}  // namespace embarc::crawl
