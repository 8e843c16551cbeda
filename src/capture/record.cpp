#include "embarc/capture/record.h"

#include <ctime>
#include <cstdio>

#include "embarc/core/json.h"
#include "embarc/crypto/sha256.h"

namespace embarc::capture {

std::string AgentString() { return std::string("embarc/") + EMBARC_VERSION; }

std::string Rfc3339Ms(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

Result<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  int millis = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return Fail(ErrorCode::kInvalidArgument, "not an RFC 3339 UTC time: " + text);
  }
  std::string rest = text.substr(static_cast<std::size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    int digits = 0;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      if (digits < 3) millis = millis * 10 + (rest[i] - '0');
      ++digits;
      ++i;
    }
    for (int d = digits; d < 3; ++d) millis *= 10;
    rest = rest.substr(i);
  }
  if (rest != "Z") return Fail(ErrorCode::kInvalidArgument, "not an RFC 3339 UTC time (must end in Z): " + text);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t secs = timegm(&tm);
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs)) + std::chrono::milliseconds(millis);
}

nlohmann::json ContentJson(const platform::PostContent& c) {
  nlohmann::json media = nlohmann::json::array();
  for (const auto& m : c.media) media.push_back({{"kind", m.kind}, {"sha256", m.sha256.empty() ? nlohmann::json() : nlohmann::json(m.sha256)}, {"url", m.url}});
  return {{"author", c.author},       {"author_name", c.author_name}, {"created_at", c.created_at},
          {"edit_ids", c.edit_ids},   {"lang", c.lang},               {"media", media},
          {"source", c.source},       {"text", c.text},               {"version", c.version}};
}

Result<std::string> ContentSha256(const platform::PostContent& content) {
  EMBARC_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(ContentJson(content)));
  return crypto::Sha256(canonical).Hex();
}

namespace {
nlohmann::json OptJson(const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }
}  // namespace

Result<std::string> BuildRecord(const SnapshotFields& f) {
  nlohmann::json captures = nlohmann::json::array();
  for (const CaptureEntry& c : f.captures) {
    captures.push_back({{"url", c.url},
                        {"outcome", c.outcome},
                        {"http_status", c.http_status ? nlohmann::json(*c.http_status) : nlohmann::json()},
                        {"error", OptJson(c.error)},
                        {"warc_file", OptJson(c.warc_file)},
                        {"warc_record_id", OptJson(c.warc_record_id)},
                        {"payload_sha256", OptJson(c.payload_sha256)}});
  }
  nlohmann::json cited = nlohmann::json::array();
  for (const CitedIn& c : f.cited_in) {
    nlohmann::json entry = {{"article_url", c.article_url},
                            {"quote_sha256", OptJson(c.quote_sha256)},
                            {"quote_matches", c.quote_matches ? nlohmann::json(*c.quote_matches) : nlohmann::json()}};
    if (c.embedded_version) {
      entry["embedded_version"] = *c.embedded_version;
      entry["version_matches"] = c.version_matches ? nlohmann::json(*c.version_matches) : nlohmann::json();
    }
    cited.push_back(std::move(entry));
  }
  const bool available = f.observation.state == platform::PostState::kAvailable;
  nlohmann::json content;
  nlohmann::json content_sha;
  if (available) {
    content = ContentJson(f.observation.content);
    EMBARC_ASSIGN_OR_RETURN(std::string sha, ContentSha256(f.observation.content));
    content_sha = sha;
  }
  nlohmann::json record = {
      {"v", kRecordVersion},
      {"platform", f.post.platform},
      {"post_id", f.post.post_id},
      {"url", f.post.url},
      {"observed_at", f.observed_at},
      {"state", platform::PostStateName(f.observation.state)},
      {"reason", f.observation.reason},
      {"change", f.change},
      {"content", content},
      {"content_sha256", content_sha},
      {"captures", captures},
      {"cited_in", cited},
      {"previous", OptJson(f.previous)},
      {"agent", AgentString()},
  };
  return CanonicalJson(record);
}

Result<std::string> QuoteJson(const platform::Quote& q) {
  return CanonicalJson(nlohmann::json{{"author_name", q.author_name}, {"date", q.date}, {"text", q.text}});
}

std::string ClassifyChange(const std::vector<std::pair<std::string, std::optional<std::string>>>& earlier,
                           platform::PostState state, const std::optional<std::string>& content_sha256) {
  using platform::PostState;
  if (earlier.empty()) return "first";
  if (state == PostState::kUnreachable || state == PostState::kRateLimited || state == PostState::kLoginRequired) {
    return "unknown";
  }
  // Compare with the last decisive observation; unknown outcomes in between change nothing.
  const std::pair<std::string, std::optional<std::string>>* last = nullptr;
  for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
    if (it->first == "available" || it->first == "deleted" || it->first == "withheld") {
      last = &*it;
      break;
    }
  }
  const std::string now = platform::PostStateName(state);
  if (last == nullptr) return state == PostState::kAvailable ? "first" : now;
  if (state == PostState::kAvailable) {
    if (last->first != "available") return "restored";
    return last->second == content_sha256 ? "unchanged" : "edited";
  }
  return last->first == now ? "unchanged" : now;
}

}  // namespace embarc::capture
