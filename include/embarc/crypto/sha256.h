// SHA-256 through OpenSSL's EVP API. The digest is fetched once per process
// (EVP_MD_fetch), not per call: per-call lookup makes small hashes several times slower.
#ifndef EMBARC_CRYPTO_SHA256_H_
#define EMBARC_CRYPTO_SHA256_H_

#include <array>
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"

namespace embarc::crypto {

struct Sha256Digest {
  std::array<std::uint8_t, 32> bytes{};
  auto operator<=>(const Sha256Digest&) const = default;
  ByteView view() const { return ByteView(bytes.data(), bytes.size()); }
  std::string Hex() const;
  // Errors: kInvalidArgument unless exactly 64 hex digits.
  [[nodiscard]] static Result<Sha256Digest> FromHex(std::string_view hex);
};

Sha256Digest Sha256(ByteView data);
inline Sha256Digest Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

// Incremental hashing for streams (WARC blocks, files).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  void Update(ByteView data);
  void Update(std::string_view data) { Update(AsBytes(data)); }
  // Returns the digest and resets the hasher for reuse.
  Sha256Digest Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace embarc::crypto

#endif  // EMBARC_CRYPTO_SHA256_H_
