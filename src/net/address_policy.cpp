// Which addresses the fetcher refuses to connect to (SSRF defence).
#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "embarc/net/fetcher.h"

namespace embarc::net {
namespace {

struct V4Range {
  std::uint32_t base;
  int prefix;
};

// IANA special-purpose and non-public IPv4 ranges that a public post is never served from.
constexpr std::array<V4Range, 13> kForbiddenV4 = {{
    {0x00000000u, 8},   // 0.0.0.0/8 "this network"
    {0x0A000000u, 8},   // 10/8 private
    {0x64400000u, 10},  // 100.64/10 CGNAT
    {0x7F000000u, 8},   // 127/8 loopback
    {0xA9FE0000u, 16},  // 169.254/16 link-local, incl. 169.254.169.254 cloud metadata
    {0xAC100000u, 12},  // 172.16/12 private
    {0xC0000000u, 24},  // 192.0.0/24 IETF protocol assignments
    {0xC0A80000u, 16},  // 192.168/16 private
    {0xC6120000u, 15},  // 198.18/15 benchmarking
    {0xE0000000u, 4},   // 224/4 multicast
    {0xF0000000u, 4},   // 240/4 reserved
    {0xFFFFFFFFu, 32},  // limited broadcast (inside 240/4, kept for clarity)
    {0x00000000u, 32},  // unspecified (inside 0/8)
}};

bool IsForbiddenV4(std::uint32_t addr) {
  for (const V4Range& r : kForbiddenV4) {
    const std::uint32_t mask = r.prefix == 0 ? 0u : ~std::uint32_t{0} << (32 - r.prefix);
    if ((addr & mask) == (r.base & mask)) return true;
  }
  return false;
}

std::uint32_t V4FromBytes(const std::uint8_t* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

bool IsForbiddenV6(const std::array<std::uint8_t, 16>& a) {
  static constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr std::array<std::uint8_t, 12> kNat64Prefix = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  // ::ffff:a.b.c.d and 64:ff9b::a.b.c.d reach the embedded IPv4 address: judge that.
  if (std::memcmp(a.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0 ||
      std::memcmp(a.data(), kNat64Prefix.data(), kNat64Prefix.size()) == 0) {
    return IsForbiddenV4(V4FromBytes(a.data() + 12));
  }
  // ::/96: the unspecified address ::, loopback ::1 and the deprecated IPv4-compatible
  // form ::a.b.c.d (RFC 4291 §2.5.5.1), which no public server uses.
  static constexpr std::array<std::uint8_t, 12> kZero96 = {};
  if (std::memcmp(a.data(), kZero96.data(), kZero96.size()) == 0) return true;
  if ((a[0] & 0xfe) == 0xfc) return true;                             // fc00::/7 unique local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;             // fe80::/10 link-local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return true;             // fec0::/10 site-local
  if (a[0] == 0xff) return true;                                      // ff00::/8 multicast
  return false;
}

}  // namespace

bool IsForbiddenAddress(std::string_view ip) {
  if (ip.size() > INET6_ADDRSTRLEN) return true;
  std::string text(ip);
  // A zone index ("fe80::1%eth0") is not part of the address; only link-local uses it.
  if (const std::size_t pct = text.find('%'); pct != std::string::npos) text.resize(pct);
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) return IsForbiddenV4(V4FromBytes(v4.data()));
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) return IsForbiddenV6(v6);
  return true;  // not a numeric address: refuse rather than guess
}

}  // namespace embarc::net
