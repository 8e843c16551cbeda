// Evidence packages (WACZ 1.1.1 plus an embarc/ folder) and research tables, written from an
// archive. The package layout is documented in archive/FORMAT.md ("Export packages") and the
// table schema in README.md ("Research tables").
//
// Module note: the directory is export/, but `export` is a C++ keyword, so the namespace is
// embarc::bundle.
#ifndef EMBARC_EXPORT_EXPORT_H_
#define EMBARC_EXPORT_EXPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/platform/platform.h"
#include "embarc/store/archive.h"

namespace embarc::bundle {

// Which snapshots go into a package or table. Posts are chosen by `posts`, by the articles in
// `articles` (every post the archive saw embedded there) or by `all`; `since`/`until` (RFC 3339,
// inclusive, compared as stored) then keep the snapshots observed in that window. With only
// since/until, every post is a candidate.
struct Selection {
  std::vector<platform::PostRef> posts;
  std::vector<std::string> articles;
  std::optional<std::string> since;
  std::optional<std::string> until;
  bool all = false;
};

struct ExportSummary {
  std::uint64_t snapshots = 0;
  std::uint64_t warc_records = 0;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t tree_size = 0;     // of the checkpoint the proofs lead to
  std::uint64_t timestamps = 0;    // RFC 3161 tokens of that checkpoint included
};

// The selected snapshots, in leaf order.
// Errors: kInvalidArgument (empty selection), kNotFound (a named post or article unknown, or
// nothing selected); the index's errors.
[[nodiscard]] Result<std::vector<store::SnapshotRow>> SelectSnapshots(store::Index& index, const Selection& selection);

// Builds the package bytes for the selection (the archive must be open for writing: the log's
// node files are brought up to date to make proofs). `now` (RFC 3339) is the package's
// creation time. Errors: those of SelectSnapshots; kFailedPrecondition when no checkpoint
// covers a selected record; kCorruption when a referenced WARC record does not read back
// intact; kLimitExceeded past the zip limits (zip.h).
[[nodiscard]] Result<std::string> BuildPackage(store::Archive& archive, const Selection& selection,
                                               const std::string& now, ExportSummary* summary);

enum class TableFormat { kJsonl, kCsv };

// Column order of the research tables.
inline constexpr const char* kTableColumns[] = {"platform", "post_id", "url", "author", "created_at",
                                                 "observed_at", "state", "change", "text", "content_sha256",
                                                 "record_hash", "leaf_index", "cited_in"};

// One row per selected snapshot, in leaf order. JSON Lines: the first line is
// {"columns":[...]} and each row an object (cited_in an array, absent values null, leaf_index
// a number); CSV (RFC 4180, CRLF line ends): a header row, absent values empty, cited_in joined
// with ";". Errors: those of SelectSnapshots; kCorruption for a stored record that is not JSON.
[[nodiscard]] Result<std::string> BuildTable(store::Index& index, const Selection& selection, TableFormat format);

// One RFC 4180 field: quoted when it holds a comma, a double quote, CR or LF (quotes doubled).
std::string CsvField(const std::string& value);

// SURT form of a URL for CDXJ keys: host labels reversed and comma-joined without "www.",
// then ")" and the lower-cased path and query (query parameters sorted), e.g.
// "https://www.Example.com/A?b=2&a=1" -> "com,example)/a?a=1&b=2".
std::string Surt(const std::string& url);

}  // namespace embarc::bundle

#endif  // EMBARC_EXPORT_EXPORT_H_
