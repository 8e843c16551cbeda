// Offline integrity check of an archive: every WARC record re-read and re-hashed,
// every snapshot record re-hashed, its signature checked, its index row and its
// captures cross-checked against the signed bytes.
#ifndef EMBARC_VERIFY_VERIFY_H_
#define EMBARC_VERIFY_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/platform/platform.h"
#include "embarc/store/archive.h"

namespace embarc::verify {

struct VerifyOptions {
  std::vector<platform::PostRef> posts;  // empty: the whole archive
  std::string against_note;              // a checkpoint note someone kept (verify --against)
  unsigned threads = 0;                  // worker threads; 0: one per CPU this process may run on
};

struct VerifyReport {
  std::uint64_t warc_files = 0;
  std::uint64_t warc_records = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t signatures = 0;
  std::uint64_t captures = 0;
  std::uint64_t keys = 0;
  std::uint64_t log_size = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t timestamps = 0;            // granted tokens verified to an archive trust anchor
  std::uint64_t timestamps_unanchored = 0; // granted tokens verified, but no trust anchor is stored
  std::uint64_t timestamps_failed = 0;     // recorded failed requests (not evidence, not an error)
  std::uint64_t threads = 0;             // worker threads used
  // Wall time of each part: the WARC scan (inflate, parse, digests), the snapshot records
  // (signatures, index rows, captures), the log (leaves, nodes, checkpoints) and timestamps.
  double warc_seconds = 0;
  double records_seconds = 0;
  double log_seconds = 0;
  std::string root_hash;                 // hex, of the whole log
  bool against_ok = false;               // the kept checkpoint is a prefix of today's log
  // Not failures, but worth telling: e.g. a WARC file that ends inside a record no index row
  // names (a run was interrupted while appending; the next writer cuts it off).
  std::vector<std::string> warnings;
};

// Memory is bounded but for 16 bytes per WARC response record (what the WARC scan saw, so that
// capture rows need not be read again; snapshots are read in chunks; the log is checked as a
// stream), and the WARC
// files and the snapshots are checked on `threads` threads; the error reported is the one a
// sequential check would meet first.
// Errors: kCorruption naming the first file/record/leaf that failed; kNotFound when a
// requested post is not in the archive; kFailedPrecondition for unusable keys.
[[nodiscard]] Result<VerifyReport> VerifyArchive(store::Archive& archive, const VerifyOptions& options);

}  // namespace embarc::verify

#endif  // EMBARC_VERIFY_VERIFY_H_
