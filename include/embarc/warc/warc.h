// WARC/1.1 writing and reading. One gzip member per record, so any record can be
// read alone at its (offset, length). embarc writes digests as
// "sha256:<lower-case hex>" as warcio and pywb accept, and reads sha1/sha256 in base32 or hex.
// The on-disk format is documented in archive/FORMAT.md ("warc/").
#ifndef EMBARC_WARC_WARC_H_
#define EMBARC_WARC_WARC_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"
#include "embarc/crypto/sha256.h"

namespace embarc::warc {

inline constexpr std::uint64_t kMaxRecordBytes = 128ull << 20;      // uncompressed record (headers + block)
inline constexpr std::uint64_t kDefaultMaxFileBytes = 1ull << 30;   // rotate WARC files past this size

struct WarcRecord {
  // WARC named fields in order, e.g. {"WARC-Type","response"}. The writer adds
  // WARC-Record-ID (if absent), WARC-Date (if absent), Content-Length,
  // WARC-Block-Digest and, for request/response records with an application/http
  // block, WARC-Payload-Digest.
  std::vector<std::pair<std::string, std::string>> fields;
  Bytes block;

  // Case-insensitive lookup; empty when absent.
  std::string Field(std::string_view name) const;
};

// Where a record went.
struct RecordLocation {
  std::string file;          // file name, relative to the WARC directory
  std::uint64_t offset = 0;  // of the gzip member
  std::uint64_t length = 0;  // compressed length of the gzip member
  std::string record_id;     // "<urn:uuid:...>"
  crypto::Sha256Digest block_digest;
  std::optional<crypto::Sha256Digest> payload_digest;
};

// "<urn:uuid:xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx>" from a CSPRNG.
std::string NewRecordId();
// "2024-10-20T12:34:56.789Z" (WARC/1.1 allows fractional seconds).
std::string WarcDate(std::chrono::system_clock::time_point t);

// Builders for the record types embarc writes. `target_uri` is the URL fetched.
WarcRecord MakeWarcinfo(std::string_view filename, std::string_view software);
WarcRecord MakeRequest(std::string_view target_uri, std::chrono::system_clock::time_point date,
                       std::string_view ip, std::string_view http_request_bytes);
WarcRecord MakeResponse(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view ip, std::string_view http_head, ByteView http_body);
WarcRecord MakeMetadata(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view concurrent_to_record_id, std::string_view body /* application/warc-fields or JSON */,
                        std::string_view content_type);
WarcRecord MakeResource(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view content_type, ByteView body);

// Appends records to WARC files in one directory, rotating past max_file_bytes.
// Not thread-safe. Callers hold the archive's write lock.
class WarcWriter {
 public:
  // Opens a new file "<prefix>-<UTC yyyymmddHHMMSSmmm>-<random 6 hex>.warc.gz" in `dir`
  // (created if missing) lazily on the first Write, starting it with a warcinfo record.
  [[nodiscard]] static Result<std::unique_ptr<WarcWriter>> Open(const std::filesystem::path& dir,
                                                                std::string prefix,
                                                                std::uint64_t max_file_bytes = kDefaultMaxFileBytes);
  ~WarcWriter();
  // Completes the record's fields, compresses it as one gzip member and appends it.
  // Errors: kLimitExceeded past kMaxRecordBytes, kIo.
  [[nodiscard]] Result<RecordLocation> Write(WarcRecord record);
  // Flushes and fsyncs the current file (call once per batch, not per record).
  [[nodiscard]] Result<void> Sync();

 private:
  WarcWriter() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A parsed record and where it was.
struct ReadRecord {
  WarcRecord record;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// Reads the single gzip member at [offset, offset+length) of `path`, parses it and
// checks its WARC-Block-Digest and WARC-Payload-Digest (sha1 or sha256, base32 or hex).
// Errors: kCorruption (bad gzip, bad syntax, digest mismatch, trailing bytes), kIo, kNotFound.
[[nodiscard]] Result<ReadRecord> ReadRecordAt(const std::filesystem::path& path, std::uint64_t offset,
                                              std::uint64_t length);

// Reads every record of a .warc.gz (one member per record) or a plain .warc file in
// order, checking digests, and calls `visit` for each. Stops at the first error.
// Errors: kCorruption naming the offset of the bad record; a truncated final member
// is kCorruption with the message starting "truncated".
[[nodiscard]] Result<void> ForEachRecord(const std::filesystem::path& path,
                                         const std::function<Result<void>(const ReadRecord&)>& visit);

// Splits an application/http block into head (through "\r\n\r\n") and body.
// Errors: kCorruption when there is no head terminator.
[[nodiscard]] Result<std::pair<std::string_view, ByteView>> SplitHttpBlock(ByteView block);

}  // namespace embarc::warc

#endif  // EMBARC_WARC_WARC_H_
