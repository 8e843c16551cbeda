// Private: OpenSSL handles owned by unique_ptr, and OpenSSL error text.
#ifndef EMBARC_SRC_CRYPTO_OPENSSL_HANDLES_H_
#define EMBARC_SRC_CRYPTO_OPENSSL_HANDLES_H_

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "embarc/crypto/ed25519.h"

namespace embarc::crypto {

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free_all(bio); }
};

using EvpPkey = internal::EvpPkeyPtr;  // EVP_PKEY_free; the deleter is declared in ed25519.h.
using EvpMdCtx = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

// Drains OpenSSL's thread-local error queue and returns its first entry as text
// ("unknown OpenSSL error" if empty). Call after every failed OpenSSL call so that a
// stale entry is not reported by a later, unrelated failure.
inline std::string TakeOpenSslError() {
  const unsigned long code = ERR_get_error();
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    text = buf;
  }
  ERR_clear_error();
  return text;
}

}  // namespace embarc::crypto

#endif  // EMBARC_SRC_CRYPTO_OPENSSL_HANDLES_H_
