// Trusted time for checkpoints: which TSAs an archive uses, which CAs it trusts for them,
// and sending checkpoints to them (RFC 3161, log/tsa.h). Layout in the archive:
//   tsa/tsa.json        {"tsa": ["https://…", …]}: the TSAs every run stamps with
//   tsa/anchors.pem     the TSA trust anchors (CA certificates, PEM), used by verify
//   tsa/tokens/<checkpoint id>.note          the stamped checkpoint bytes, for openssl
//   tsa/tokens/<checkpoint id>-<row id>.tsr  each granted TimeStampResp (DER), for openssl
// The index's `timestamps` table is the record (request, response, status, error); the
// token files are copies so that `openssl ts -verify` can be run on the folder as it is.
#ifndef EMBARC_LOG_STAMPING_H_
#define EMBARC_LOG_STAMPING_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/net/fetcher.h"
#include "embarc/store/archive.h"

namespace embarc::log {

// A failed stamp of one checkpoint by one TSA is retried on later runs until it has been
// tried this many times.
inline constexpr int kMaxTimestampAttempts = 3;
// At most this many retries of earlier failures per run (the new checkpoint comes first).
inline constexpr std::size_t kMaxTimestampRetriesPerRun = 8;
// tsa/tsa.json and tsa/anchors.pem are refused above this size.
inline constexpr std::size_t kMaxTsaSettingsBytes = 256u << 10;

std::filesystem::path TsaDir(const store::Archive& archive);
std::filesystem::path TokenDir(const store::Archive& archive);
std::filesystem::path TokenFile(const store::Archive& archive, std::int64_t checkpoint_id, std::int64_t timestamp_id);
std::filesystem::path StampedNoteFile(const store::Archive& archive, std::int64_t checkpoint_id);

// The TSAs configured in the archive (empty when none).
[[nodiscard]] Result<std::vector<std::string>> ConfiguredTsas(const store::Archive& archive);
// Adds a TSA URL (http or https) to the archive's settings and, when `ca_pem` is not empty,
// its CA certificate(s) to the trust anchors. Errors: kInvalidArgument for a bad URL or PEM.
[[nodiscard]] Result<void> AddTsa(const store::Archive& archive, const std::string& url, const std::string& ca_pem);
// Removes a TSA URL from the settings (its tokens and the anchors stay). kNotFound if absent.
[[nodiscard]] Result<void> RemoveTsa(const store::Archive& archive, const std::string& url);
// The trust anchors (PEM), empty when none were added.
[[nodiscard]] Result<std::string> TsaAnchors(const store::Archive& archive);

struct StampOutcome {
  std::int64_t checkpoint_id = 0;
  std::string tsa_url;
  bool granted = false;
  std::string gen_time;  // when granted
  std::string error;     // when not
};

// Sends the checkpoint `checkpoint_id` to every TSA in `tsa_urls`, then retries earlier failed
// stamps (of any checkpoint, by a TSA still in `tsa_urls`) that have had fewer than
// kMaxTimestampAttempts tries. Every attempt is a row of the timestamps table, granted or failed;
// failures never make this function fail (they are outcomes); only the index or the disk can.
// Requires the archive opened for writing.
[[nodiscard]] Result<std::vector<StampOutcome>> StampCheckpoint(store::Archive& archive, net::Fetcher& fetcher,
                                                                std::int64_t checkpoint_id,
                                                                const std::vector<std::string>& tsa_urls,
                                                                const std::string& now);

}  // namespace embarc::log

#endif  // EMBARC_LOG_STAMPING_H_
