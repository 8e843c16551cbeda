#include "warc/record_codec.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/ascii.h"
#include "embarc/crypto/sha256.h"

namespace embarc::warc::internal {
namespace {

using ascii::Lower;

constexpr std::string_view kVersion10 = "WARC/1.0\r\n";
constexpr std::string_view kVersion11 = "WARC/1.1\r\n";
constexpr std::size_t kMaxContentLengthDigits = 19;  // fits in uint64 without overflow

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string RecordIdForMessage(const WarcRecord& record) {
  std::string id = record.Field("WARC-Record-ID");
  return id.empty() ? "(without WARC-Record-ID)" : id;
}

enum class DigestCheck { kMatch, kMismatch, kUnsupported };

// Fetched once: an implicit fetch (EVP_sha1()) per record costs a provider lookup per call.
const EVP_MD* Sha1Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md;
}

// Compares a "<algorithm>:<value>" digest field with `data`.
Result<DigestCheck> CheckDigest(std::string_view field_value, ByteView data) {
  const std::string_view value = Trim(field_value);
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size()) {
    return Fail(ErrorCode::kCorruption, "malformed digest \"" + std::string(value) + "\"");
  }
  std::string algorithm = Lower(value.substr(0, colon));
  algorithm.erase(std::remove(algorithm.begin(), algorithm.end(), '-'), algorithm.end());
  Bytes computed;
  if (algorithm == "sha256") {
    const crypto::Sha256Digest d = crypto::Sha256(data);
    computed.assign(d.bytes.begin(), d.bytes.end());
  } else if (algorithm == "sha1") {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (Sha1Md() == nullptr || EVP_Digest(data.data(), data.size(), md, &len, Sha1Md(), nullptr) != 1) {
      return Fail(ErrorCode::kCrypto, "SHA-1 failed");
    }
    computed.assign(md, md + len);
  } else {
    return DigestCheck::kUnsupported;
  }
  std::string claimed = Lower(Trim(value.substr(colon + 1)));
  if (claimed == HexEncode(computed)) return DigestCheck::kMatch;
  while (!claimed.empty() && claimed.back() == '=') claimed.pop_back();
  if (claimed == Base32Encode(computed)) return DigestCheck::kMatch;
  return DigestCheck::kMismatch;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return Lower(x) == Lower(y);
         });
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// RFC 9110's tchar: visible ASCII but the separators. (A table: header names are read
// for every record verify scans; a search of the separators per character showed up.)
constexpr std::array<bool, 256> kTokenChar = [] {
  std::array<bool, 256> table{};
  for (int c = 0x21; c < 0x7f; ++c) table[static_cast<std::size_t>(c)] = true;
  for (char c : std::string_view("()<>@,;:\\\"/[]?={}")) table[static_cast<unsigned char>(c)] = false;
  return table;
}();

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!kTokenChar[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

bool HasForbiddenByte(std::string_view s) {
  // Not find_first_of: libstdc++ runs memchr over the set for every character.
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

std::string SerializeHead(const Fields& fields) {
  std::string head(kVersion11);
  for (const auto& [name, value] : fields) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

Result<std::optional<std::size_t>> FindHeadEnd(ByteView data) {
  const std::string_view text = AsChars(data.first(std::min(data.size(), kMaxHeaderBytes)));
  const std::size_t pos = text.find(kHeadTerminator);
  if (pos != std::string_view::npos) return std::optional<std::size_t>(pos + kHeadTerminator.size());
  if (data.size() >= kMaxHeaderBytes) {
    return Fail(ErrorCode::kLimitExceeded,
                "WARC record head longer than " + std::to_string(kMaxHeaderBytes) + " bytes");
  }
  return std::optional<std::size_t>();
}

Result<Fields> ParseHead(std::string_view head) {
  if (!head.starts_with(kVersion11) && !head.starts_with(kVersion10)) {
    return Fail(ErrorCode::kCorruption, "not a WARC/1.0 or WARC/1.1 record");
  }
  if (!head.ends_with(kHeadTerminator)) return Fail(ErrorCode::kCorruption, "WARC head is not terminated");
  // The lines between the version line and the final empty line.
  std::string_view rest = head.substr(kVersion11.size(), head.size() - kVersion11.size() - 2);
  Fields fields;
  while (!rest.empty()) {
    const std::size_t eol = rest.find("\r\n");
    if (eol == std::string_view::npos) return Fail(ErrorCode::kCorruption, "WARC field line without CRLF");
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    if (line.empty()) return Fail(ErrorCode::kCorruption, "empty WARC field line");
    if (HasForbiddenByte(line)) return Fail(ErrorCode::kCorruption, "bare CR, LF or NUL in a WARC field");
    if (line.front() == ' ' || line.front() == '\t') {  // folded continuation of the previous value
      if (fields.empty()) return Fail(ErrorCode::kCorruption, "WARC continuation line without a field");
      const std::string_view more = Trim(line);
      if (!more.empty()) {
        if (!fields.back().second.empty()) fields.back().second += ' ';
        fields.back().second += more;
      }
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Fail(ErrorCode::kCorruption, "malformed WARC field line");
    }
    fields.emplace_back(std::string(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1))));
  }
  return fields;
}

Result<std::uint64_t> ContentLengthOf(const Fields& fields) {
  const std::string* found = nullptr;
  for (const auto& [name, value] : fields) {
    if (!EqualsIgnoreCase(name, "Content-Length")) continue;
    if (found != nullptr) return Fail(ErrorCode::kCorruption, "duplicate Content-Length");
    found = &value;
  }
  if (found == nullptr) return Fail(ErrorCode::kCorruption, "WARC record without Content-Length");
  const std::string& text = *found;
  if (text.empty() || text.size() > kMaxContentLengthDigits ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Fail(ErrorCode::kCorruption, "bad Content-Length \"" + text + "\"");
  }
  std::uint64_t n = 0;
  for (char c : text) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  if (n > kMaxRecordBytes) {
    return Fail(ErrorCode::kLimitExceeded, "Content-Length " + text + " exceeds " + std::to_string(kMaxRecordBytes));
  }
  return n;
}

Result<WarcRecord> ParseRecord(Bytes bytes) {
  EMBARC_ASSIGN_OR_RETURN(std::optional<std::size_t> head_end, FindHeadEnd(bytes));
  if (!head_end) return Fail(ErrorCode::kCorruption, "WARC head is not terminated");
  WarcRecord record;
  EMBARC_ASSIGN_OR_RETURN(record.fields, ParseHead(AsChars(ByteView(bytes).first(*head_end))));
  for (const char* required : {"WARC-Type", "WARC-Record-ID"}) {
    if (record.Field(required).empty()) {
      return Fail(ErrorCode::kCorruption, std::string("WARC record without ") + required);
    }
  }
  EMBARC_ASSIGN_OR_RETURN(const std::uint64_t content_length, ContentLengthOf(record.fields));
  const std::uint64_t expected = *head_end + content_length + kRecordTrailer.size();
  if (bytes.size() < expected) {
    return Fail(ErrorCode::kCorruption, "record " + RecordIdForMessage(record) + " is shorter than its Content-Length");
  }
  if (bytes.size() > expected) {
    return Fail(ErrorCode::kCorruption, "unexpected bytes after record " + RecordIdForMessage(record));
  }
  const std::size_t block_end = static_cast<std::size_t>(*head_end + content_length);
  if (AsChars(ByteView(bytes).subspan(block_end)) != kRecordTrailer) {
    return Fail(ErrorCode::kCorruption, "record " + RecordIdForMessage(record) + " does not end with CRLF CRLF");
  }
  // Reuse the buffer for the block instead of copying up to kMaxRecordBytes.
  bytes.resize(block_end);
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(*head_end));
  record.block = std::move(bytes);
  EMBARC_RETURN_IF_ERROR(VerifyDigests(record));
  return record;
}

Result<void> VerifyDigests(const WarcRecord& record) {
  std::optional<ByteView> payload;
  for (const auto& [name, value] : record.fields) {
    const bool is_block = EqualsIgnoreCase(name, "WARC-Block-Digest");
    const bool is_payload = EqualsIgnoreCase(name, "WARC-Payload-Digest");
    if (!is_block && !is_payload) continue;
    ByteView data = record.block;
    if (is_payload) {
      if (!payload) {
        payload = ByteView(record.block);
        if (StartsWithIgnoreCase(Trim(record.Field("Content-Type")), "application/http")) {
          auto split = SplitHttpBlock(record.block);
          if (!split) {
            return Fail(ErrorCode::kCorruption,
                        "record " + RecordIdForMessage(record) + " has a payload digest but no HTTP head");
          }
          payload = split->second;
        }
      }
      data = *payload;
    }
    const char* what = is_block ? "block" : "payload";
    auto check = CheckDigest(value, data);
    if (!check) return WithContext(check.error(), std::string(what) + " digest of record " + RecordIdForMessage(record));
    if (*check == DigestCheck::kMismatch) {
      return Fail(ErrorCode::kCorruption,
                  std::string(what) + " digest mismatch in record " + RecordIdForMessage(record));
    }
  }
  return Ok();
}

}  // namespace embarc::warc::internal
