// HMAC-SHA256 (RFC 2104 with SHA-256) through OpenSSL's EVP_MAC API, for webhook signatures.
#ifndef EMBARC_CRYPTO_HMAC_H_
#define EMBARC_CRYPTO_HMAC_H_

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"
#include "embarc/crypto/sha256.h"

namespace embarc::crypto {

// HMAC-SHA256 of `message` under `key` (any length; RFC 2104 hashes keys longer than the
// 64-byte block first). The result is a 32-byte tag, returned in a Sha256Digest for its Hex().
// Errors: kInternal only if OpenSSL cannot compute the MAC.
[[nodiscard]] Result<Sha256Digest> HmacSha256(ByteView key, ByteView message);

}  // namespace embarc::crypto

#endif  // EMBARC_CRYPTO_HMAC_H_
