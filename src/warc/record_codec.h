// Private to src/warc: the text form of a WARC record (head, block, trailer) and digest checks.
#ifndef EMBARC_SRC_WARC_RECORD_CODEC_H_
#define EMBARC_SRC_WARC_RECORD_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"
#include "embarc/warc/warc.h"

namespace embarc::warc::internal {

using Fields = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kRecordTrailer = "\r\n\r\n";
inline constexpr std::string_view kHeadTerminator = "\r\n\r\n";

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
// RFC 9110 token characters.
bool IsToken(std::string_view s);
// Whether `s` holds a CR, LF or NUL (never allowed in a WARC field).
bool HasForbiddenByte(std::string_view s);

// "WARC/1.1\r\n" + "Name: value\r\n"... + "\r\n".
std::string SerializeHead(const Fields& fields);

// Offset just past the first "\r\n\r\n" in `data` when it lies within kMaxHeaderBytes;
// nullopt when `data` is shorter than kMaxHeaderBytes and has no terminator yet.
// Errors: kLimitExceeded when the first kMaxHeaderBytes bytes hold no terminator.
[[nodiscard]] Result<std::optional<std::size_t>> FindHeadEnd(ByteView data);

// Parses a head that ends with its terminator. Accepts WARC/1.0 and WARC/1.1 and folded
// (continuation) lines. Errors: kCorruption.
[[nodiscard]] Result<Fields> ParseHead(std::string_view head);

// The single Content-Length. Errors: kCorruption (missing, duplicate, not decimal),
// kLimitExceeded (past kMaxRecordBytes).
[[nodiscard]] Result<std::uint64_t> ContentLengthOf(const Fields& fields);

// Parses a whole record that fills `bytes` exactly (head, Content-Length bytes of block,
// "\r\n\r\n") and verifies its digests. Errors: kCorruption, kLimitExceeded.
[[nodiscard]] Result<WarcRecord> ParseRecord(Bytes bytes);

// Checks every WARC-Block-Digest and WARC-Payload-Digest of `record`.
// Errors: kCorruption ("block digest mismatch in record <id>", malformed digest, ...).
[[nodiscard]] Result<void> VerifyDigests(const WarcRecord& record);

}  // namespace embarc::warc::internal

#endif  // EMBARC_SRC_WARC_RECORD_CODEC_H_
