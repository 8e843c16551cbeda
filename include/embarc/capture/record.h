// Snapshot records: the signed, logged statement of one observation of one post.
// Format: DESIGN.md §4 and archive/FORMAT.md "Snapshot record".
#ifndef EMBARC_CAPTURE_RECORD_H_
#define EMBARC_CAPTURE_RECORD_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/core/result.h"
#include "embarc/platform/platform.h"

namespace embarc::capture {

inline constexpr int kRecordVersion = 1;

// "embarc/<version>"
std::string AgentString();
// "2024-10-20T12:34:56.789Z"
std::string Rfc3339Ms(std::chrono::system_clock::time_point t);
// Parses the forms Rfc3339Ms writes, and whole seconds ("…:56Z"). Errors: kInvalidArgument.
[[nodiscard]] Result<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text);

// One entry of a record's "captures".
struct CaptureEntry {
  std::string url;
  std::string outcome;                        // "ok", "timeout", ...
  std::optional<int> http_status;
  std::optional<std::string> error;
  std::optional<std::string> warc_file;
  std::optional<std::string> warc_record_id;
  std::optional<std::string> payload_sha256;
};

struct CitedIn {
  std::string article_url;
  std::optional<std::string> quote_sha256;
  std::optional<bool> quote_matches;   // does the live text still say what the article printed? null: unknown
  // The version the article's embed named (e.g. Bluesky data-bluesky-cid), when the adapter can
  // compare it; both keys appear in the record only then (archive/FORMAT.md).
  std::optional<std::string> embedded_version;
  std::optional<bool> version_matches;  // is the live post that version? null: not observed now
};

struct SnapshotFields {
  platform::PostRef post;
  std::string observed_at;
  platform::Observation observation;
  std::string change;                         // first, unchanged, edited, deleted, withheld, restored, unknown
  std::vector<CaptureEntry> captures;
  std::vector<CitedIn> cited_in;
  std::optional<std::string> previous;        // record hash (hex) of the post's previous snapshot
};

// The normalised content as JSON (keys: author, author_name, created_at, edit_ids, lang,
// media [{kind, sha256, url}], text, version).
nlohmann::json ContentJson(const platform::PostContent& content);
// Hex SHA-256 of the canonical content JSON. Errors from canonicalisation (invalid UTF-8).
[[nodiscard]] Result<std::string> ContentSha256(const platform::PostContent& content);
// The canonical record bytes. content and content_sha256 are null unless the state is available.
[[nodiscard]] Result<std::string> BuildRecord(const SnapshotFields& fields);

// Canonical quote JSON {"author_name","date","text"} and its hex SHA-256.
[[nodiscard]] Result<std::string> QuoteJson(const platform::Quote& quote);

// The change of a new observation against the post's earlier states (oldest first).
// A post's first snapshot is "first". Unreachable, rate-limited and login-walled outcomes
// are "unknown": they never count as deletions.
std::string ClassifyChange(const std::vector<std::pair<std::string, std::optional<std::string>>>& earlier_states_and_hashes,
                           platform::PostState state, const std::optional<std::string>& content_sha256);

}  // namespace embarc::capture

#endif  // EMBARC_CAPTURE_RECORD_H_
