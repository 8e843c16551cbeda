// Offline verification of an exported package (export.h), with nothing but the package:
// no archive, no network. What is checked, in order, and what a pass proves is in
// archive/FORMAT.md ("Export packages") and README.md ("verify-bundle").
#ifndef EMBARC_EXPORT_VERIFY_BUNDLE_H_
#define EMBARC_EXPORT_VERIFY_BUNDLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/core/result.h"

namespace embarc::bundle {

struct BundleTimestamp {
  std::string file;        // embarc/timestamps/….tsr
  std::string gen_time;    // RFC 3339
  std::string tsa_name;
  bool anchored = false;   // verified to embarc/tsa-anchors.pem; false: signature only, no anchor
};

struct BundleRecord {
  std::string record_hash;
  std::string platform, post_id, url, observed_at, state;
  std::string key_id;                       // the key whose signature verified
  std::uint64_t leaf_index = 0;
  std::vector<std::string> capture_urls;    // responses whose bytes are in the package's WARC
};

struct BundleReport {
  std::uint64_t files = 0;
  std::uint64_t warc_records = 0;
  std::string origin;                       // the log's origin line
  std::uint64_t tree_size = 0;
  std::string root_hash;                    // hex
  std::string checkpoint_key_id;
  std::vector<std::string> key_ids;         // bundled keys
  std::vector<BundleRecord> records;
  std::vector<BundleTimestamp> timestamps;
};

// Largest package verify-bundle reads (the ZIP limits of zip.h apply inside it).
inline constexpr std::uint64_t kMaxBundleFileBytes = 1ull << 30;

// Verifies the package bytes. Errors: kCorruption naming the first check that failed and the
// file it concerns (ZIP structure and limits are reported as kCorruption too: a package that
// cannot be read safely is not evidence).
[[nodiscard]] Result<BundleReport> VerifyBundle(std::string_view package);

// The plain-words report: what is proven, for each record, and what is not.
std::string RenderReport(const BundleReport& report);

}  // namespace embarc::bundle

#endif  // EMBARC_EXPORT_VERIFY_BUNDLE_H_
