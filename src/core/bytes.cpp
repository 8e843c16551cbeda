#include "embarc/core/bytes.h"

#include <array>
#include <cstdint>

namespace embarc {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase32Alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Each character's 6-bit value, or -1 for a character outside the alphabet.
constexpr std::array<std::int8_t, 256> kBase64Values = [] {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}();

}  // namespace

std::string HexEncode(ByteView bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0x0f]);
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return Fail(ErrorCode::kInvalidArgument, "hex string has odd length");
  Bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return Fail(ErrorCode::kInvalidArgument, "not a hex digit in hex string");
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string Base64Encode(ByteView bytes) {
  // Written in place (no push_back): verify re-encodes every detached record's payload.
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  char* o = out.data();
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3, o += 4) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16 | std::uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
    o[0] = kBase64Alphabet[v >> 18 & 63];
    o[1] = kBase64Alphabet[v >> 12 & 63];
    o[2] = kBase64Alphabet[v >> 6 & 63];
    o[3] = kBase64Alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16 | (rest == 2 ? std::uint32_t{bytes[i + 1]} << 8 : 0);
    o[0] = kBase64Alphabet[v >> 18 & 63];
    o[1] = kBase64Alphabet[v >> 12 & 63];
    o[2] = rest == 2 ? kBase64Alphabet[v >> 6 & 63] : '=';
    o[3] = '=';
  }
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Fail(ErrorCode::kInvalidArgument, "base64 length is not a multiple of 4");
  if (text.empty()) return Bytes();
  // Padding may only end the last group, and only as "x===" never, "xx==" or "xxx=".
  const std::size_t pad = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  Bytes out(text.size() / 4 * 3 - pad);
  std::uint8_t* o = out.data();
  const std::size_t groups = text.size() / 4;
  for (std::size_t g = 0; g < groups; ++g) {
    const char* in = text.data() + g * 4;
    const bool last = g + 1 == groups;
    const std::size_t live = last ? 4 - pad : 4;  // characters that carry bits
    std::uint32_t word = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = in[k];
      if (k >= live) {
        word <<= 6;
        continue;  // the padding itself, checked above to be '='
      }
      const std::int8_t v = kBase64Values[static_cast<unsigned char>(c)];
      if (v < 0) {
        return Fail(ErrorCode::kInvalidArgument, c == '=' ? "misplaced base64 padding" : "not a base64 character");
      }
      word = word << 6 | static_cast<std::uint32_t>(v);
    }
    *o++ = static_cast<std::uint8_t>(word >> 16);
    if (live > 2) *o++ = static_cast<std::uint8_t>(word >> 8 & 0xff);
    if (live > 3) *o++ = static_cast<std::uint8_t>(word & 0xff);
    // Canonical encoding only: the unused bits of the last group must be zero.
    if ((live == 3 && (word & 0xff) != 0) || (live == 2 && (word & 0xffff) != 0)) {
      return Fail(ErrorCode::kInvalidArgument, "non-canonical base64");
    }
  }
  return out;
}

std::string Base32Encode(ByteView bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

}  // namespace embarc
