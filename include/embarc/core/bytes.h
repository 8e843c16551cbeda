// Byte buffers and the text encodings of bytes used in evidence formats.
#ifndef EMBARC_CORE_BYTES_H_
#define EMBARC_CORE_BYTES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/core/result.h"

namespace embarc {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
inline std::string_view AsChars(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(ByteView b) { return std::string(AsChars(b)); }

// Lower-case hex.
std::string HexEncode(ByteView bytes);
// Accepts upper or lower case. Errors: kInvalidArgument on odd length or a non-hex digit.
[[nodiscard]] Result<Bytes> HexDecode(std::string_view hex);

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(ByteView bytes);
// Strict standard base64 with padding; no whitespace. Errors: kInvalidArgument.
[[nodiscard]] Result<Bytes> Base64Decode(std::string_view text);

// Base32 lower-case without padding (RFC 4648 §6 alphabet), used for WARC record ids.
std::string Base32Encode(ByteView bytes);

}  // namespace embarc

#endif  // EMBARC_CORE_BYTES_H_
