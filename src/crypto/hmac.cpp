#include "embarc/crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace embarc::crypto {
namespace {

struct MacDeleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

}  // namespace

Result<Sha256Digest> HmacSha256(ByteView key, ByteView message) {
  std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return Fail(ErrorCode::kInternal, "OpenSSL has no HMAC");
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return Fail(ErrorCode::kInternal, "HMAC context allocation failed");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  // EVP_MAC_init refuses a null key pointer even for an empty key.
  static const unsigned char kEmpty = 0;
  const unsigned char* key_data = key.empty() ? &kEmpty : key.data();
  if (EVP_MAC_init(ctx.get(), key_data, key.size(), params) != 1) {
    return Fail(ErrorCode::kInternal, "HMAC-SHA256 init failed");
  }
  if (!message.empty() && EVP_MAC_update(ctx.get(), message.data(), message.size()) != 1) {
    return Fail(ErrorCode::kInternal, "HMAC-SHA256 update failed");
  }
  Sha256Digest tag;
  std::size_t len = 0;
  if (EVP_MAC_final(ctx.get(), tag.bytes.data(), &len, tag.bytes.size()) != 1 || len != tag.bytes.size()) {
    return Fail(ErrorCode::kInternal, "HMAC-SHA256 final failed");
  }
  return tag;
}

}  // namespace embarc::crypto
