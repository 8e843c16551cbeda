// WARC/1.1 writing and reading. One gzip member per record, so any record can be
// read alone at its (offset, length). embarc writes digests as
// "sha256:<lower-case hex>" as warcio and pywb accept, and reads sha1/sha256 in base32 or hex.
// The on-disk format is documented in archive/FORMAT.md ("warc/").
//
// A record on disk is
//   "WARC/1.1\r\n" ("Name: value\r\n")* "\r\n" block "\r\n\r\n"
// compressed as exactly one gzip member (RFC 1952, zlib windowBits 31) and appended to a
// ".warc.gz" file. The readers also accept "WARC/1.0" records and uncompressed ".warc" files
// (records back to back), but never more than one record per gzip member.
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
inline constexpr std::size_t kMaxHeaderBytes = 64 << 10;            // "WARC/1.1\r\n" through the blank line

struct WarcRecord {
  // WARC named fields in order, e.g. {"WARC-Type","response"}. The writer adds
  // WARC-Record-ID (if absent), WARC-Date (if absent), Content-Length,
  // WARC-Block-Digest and, for request/response records with an application/http
  // block, WARC-Payload-Digest.
  std::vector<std::pair<std::string, std::string>> fields;
  Bytes block;

  // Case-insensitive lookup of the first field named `name`; empty when absent.
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

// "<urn:uuid:xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx>" (UUID version 4, lower-case) from a CSPRNG.
std::string NewRecordId();
// "2024-10-20T12:34:56.789Z" (WARC/1.1 allows fractional seconds); always milliseconds, UTC.
std::string WarcDate(std::chrono::system_clock::time_point t);

// Builders for the record types embarc writes. `target_uri` is the URL fetched.
// None sets WARC-Record-ID, Content-Length or digests: WarcWriter::Write adds them.
//
// warcinfo: WARC-Type, WARC-Filename, Content-Type "application/warc-fields"; block
//   "software: <software>\r\nformat: WARC File Format 1.1\r\nconformsTo: <WARC 1.1 spec URL>\r\n".
WarcRecord MakeWarcinfo(std::string_view filename, std::string_view software);
// request: WARC-Type, WARC-Date, WARC-Target-URI, WARC-IP-Address (only when `ip` is not
//   empty), Content-Type "application/http; msgtype=request"; block = the request bytes.
WarcRecord MakeRequest(std::string_view target_uri, std::chrono::system_clock::time_point date,
                       std::string_view ip, std::string_view http_request_bytes);
// response: as request, Content-Type "application/http; msgtype=response"; block =
//   http_head (status line and headers through "\r\n\r\n") + http_body. The body must be
//   stored as received minus transfer coding, so the payload digest covers the entity.
WarcRecord MakeResponse(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view ip, std::string_view http_head, ByteView http_body);
// metadata: WARC-Type, WARC-Date, WARC-Target-URI, WARC-Concurrent-To (when not empty),
//   Content-Type `content_type`; block = `body`.
WarcRecord MakeMetadata(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view concurrent_to_record_id, std::string_view body /* application/warc-fields or JSON */,
                        std::string_view content_type);
// resource: WARC-Type, WARC-Date, WARC-Target-URI, Content-Type `content_type`; block = `body`.
WarcRecord MakeResource(std::string_view target_uri, std::chrono::system_clock::time_point date,
                        std::string_view content_type, ByteView body);

// Appends records to WARC files in one directory, rotating past max_file_bytes.
// Not thread-safe. Callers hold the archive's write lock.
//
// Field order written (stable): WARC-Type, WARC-Record-ID, WARC-Date, then the caller's other
// fields in their order (WARC-Target-URI, WARC-IP-Address, WARC-Concurrent-To, ...), then
// WARC-Block-Digest, WARC-Payload-Digest (when computed), Content-Type (when given),
// Content-Length. Caller-supplied Content-Length and digest fields are replaced by computed ones.
// The payload digest is SHA-256 of the block after its first "\r\n\r\n"; it is added for
// request/response records whose Content-Type starts with "application/http" and whose block
// has a head terminator.
//
// Files are created with mode 0644 and O_EXCL, and written with write(2) in append mode.
// A file is rotated when, before a Write, it has reached max_file_bytes (so a file exceeds
// the limit by at most one record); the old file is fsynced before it is closed. Every new
// file starts with a warcinfo record (software "embarc/<version>").
// If appending a member fails partway, the file is truncated back to its previous end, so a
// file never holds a partial member followed by later records; if even that truncation fails,
// the next Write starts a new file.
class WarcWriter {
 public:
  // Opens a new file "<prefix>-<UTC yyyymmddHHMMSSmmm>-<random 6 hex>.warc.gz" in `dir`
  // lazily on the first Write, starting it with a warcinfo record. `dir` is created now if
  // missing. Errors: kInvalidArgument (empty prefix or one containing '/', max_file_bytes 0),
  // kIo (cannot create `dir`).
  [[nodiscard]] static Result<std::unique_ptr<WarcWriter>> Open(const std::filesystem::path& dir,
                                                                std::string prefix,
                                                                std::uint64_t max_file_bytes = kDefaultMaxFileBytes);
  ~WarcWriter();
  WarcWriter(const WarcWriter&) = delete;
  WarcWriter& operator=(const WarcWriter&) = delete;
  // Completes the record's fields, compresses it as one gzip member and appends it.
  // Errors: kInvalidArgument (no WARC-Type; a field name that is not a token or a value with
  // CR, LF or NUL), kLimitExceeded (record past kMaxRecordBytes or header past kMaxHeaderBytes;
  // nothing is written), kIo.
  [[nodiscard]] Result<RecordLocation> Write(WarcRecord record);
  // Fsyncs the current file (and the directory when a file was created since the last
  // Sync). Call once per batch, not per record. Errors: kIo.
  [[nodiscard]] Result<void> Sync();
  // Name (relative to the directory) of the file being written; empty before the first Write.
  std::string CurrentFileName() const;

 private:
  WarcWriter();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A parsed record and where it was.
struct ReadRecord {
  WarcRecord record;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// Reads the record at [offset, offset+length) of `path`: a single gzip member (the usual
// case) or, when the bytes do not start with the gzip magic, one uncompressed record. The
// member must end exactly at offset+length. Parses it, checks Content-Length against the
// block and checks every WARC-Block-Digest and WARC-Payload-Digest (sha1 or sha256; hex in
// either case, or base32 with or without padding; other algorithms are not checked).
// Inflation stops at kMaxRecordBytes.
// Errors: kCorruption (bad gzip, bad syntax, digest mismatch naming the record id, trailing
// bytes, range beyond the end of the file), kLimitExceeded, kIo, kNotFound (no such file).
[[nodiscard]] Result<ReadRecord> ReadRecordAt(const std::filesystem::path& path, std::uint64_t offset,
                                              std::uint64_t length);

// Reads every record of a .warc.gz (one member per record) or a plain .warc file in
// order, checking digests as ReadRecordAt does, and calls `visit` for each. The file is
// gzip when its first two bytes are the gzip magic. Stops at the first error; an error
// returned by `visit` is returned as is. An empty file has no records.
// Errors: kCorruption naming the offset of the bad record; a truncated final member
// is kCorruption with the message starting "truncated" and naming the offset where the
// last complete record ends. kLimitExceeded, kIo, kNotFound.
[[nodiscard]] Result<void> ForEachRecord(const std::filesystem::path& path,
                                         const std::function<Result<void>(const ReadRecord&)>& visit);

// Byte length of the longest prefix of `path` made of complete records whose syntax and
// digests are valid (the end of the last good record before the first bad or truncated one;
// the file size when every record is good). Crash repair truncates a file to this length.
// Errors: kIo, kNotFound (only when the file cannot be read; bad bytes are not an error).
[[nodiscard]] Result<std::uint64_t> ValidPrefixLength(const std::filesystem::path& path);

// What the end of a WARC file looks like, for crash repair (archive/FORMAT.md "Write order").
struct TailState {
  std::uint64_t file_size = 0;
  std::uint64_t valid_end = 0;  // as ValidPrefixLength
  // Every byte belongs to a complete, valid record.
  bool clean = false;
  // Not clean, but only as an interrupted append leaves a file: the bytes from valid_end to the
  // end are the beginning of ONE record that the file ends inside of, and no complete valid
  // gzip member starts anywhere in them. Any other damage (a bad record followed by more
  // bytes, a bad digest, garbage) is corruption, and crash_tail is false.
  bool crash_tail = false;
};

// Reads the whole file and classifies its tail. Errors: kIo, kNotFound.
[[nodiscard]] Result<TailState> InspectTail(const std::filesystem::path& path);
// As InspectTail, but reads only from `from` on, which the caller knows is the end of a complete
// record (e.g. one the index names) or 0: O(bytes after `from`) instead of O(file size).
// The bytes before `from` are not checked. `from` beyond the end of the file is kCorruption.
[[nodiscard]] Result<TailState> InspectTailFrom(const std::filesystem::path& path, std::uint64_t from);

// Crash repair: when InspectTail says crash_tail, cuts the file back to valid_end (ftruncate,
// then fsync), so the next complete record is never preceded by a partial one. Complete
// records keep every byte. Any other file is left untouched. Returns the state found before
// the repair. Callers hold the archive's write lock. Errors: kIo, kNotFound.
[[nodiscard]] Result<TailState> RepairCrashTail(const std::filesystem::path& path);

// A record met by ScanRecords. `record.block` holds at most the first `max_block_bytes`
// bytes of the block; `block_length` is the whole block's length (its Content-Length).
struct ScannedRecord {
  WarcRecord record;
  std::uint64_t block_length = 0;
  bool block_cut = false;         // block_length > max_block_bytes: record.block is a prefix
  std::uint64_t index = 0;        // 0-based position of the record in the file
  std::uint64_t stream_offset = 0;  // of the record's "WARC/" line in the (decompressed) stream
};

// Reads the records of any WARC file front to back, as general WARC tools read them: a plain
// ".warc" (records back to back), or gzip with any number of members, whether one per record
// (what embarc writes) or one for the whole file — both decompress to the same stream. Blank
// lines (CR, LF) between records are tolerated. Digests are NOT checked (this is for reading
// collections written by other tools; ForEachRecord is the verifier). Blocks are never held
// beyond `max_block_bytes`: the rest is read and dropped, so any record size is scanned in
// bounded memory. Stops at the first error; an error returned by `visit` is returned as is.
// Errors: kCorruption (bad gzip data, bytes that are not a WARC record, a bad head, a
// message starting "truncated" when the file ends inside a record or gzip member), each
// naming the record's position; kIo, kNotFound.
[[nodiscard]] Result<void> ScanRecords(const std::filesystem::path& path, std::uint64_t max_block_bytes,
                                       const std::function<Result<void>(const ScannedRecord&)>& visit);

// Splits an application/http block into head (through the first "\r\n\r\n") and body.
// Errors: kCorruption when there is no head terminator.
[[nodiscard]] Result<std::pair<std::string_view, ByteView>> SplitHttpBlock(ByteView block);

}  // namespace embarc::warc

#endif  // EMBARC_WARC_WARC_H_
