#include "embarc/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace embarc::crypto {
namespace {

// Fetched once; EVP_MD_fetch per hash costs more than hashing a Merkle node.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) std::abort();  // OpenSSL without SHA-256 cannot run embarc at all.
    return m;
  }();
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

std::string Sha256Digest::Hex() const { return HexEncode(view()); }

Result<Sha256Digest> Sha256Digest::FromHex(std::string_view hex) {
  if (hex.size() != 64) return Fail(ErrorCode::kInvalidArgument, "a SHA-256 digest is 64 hex digits");
  EMBARC_ASSIGN_OR_RETURN(Bytes raw, HexDecode(hex));
  Sha256Digest d;
  std::copy(raw.begin(), raw.end(), d.bytes.begin());
  return d;
}

Sha256Digest Sha256(ByteView data) {
  Sha256Digest d;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), d.bytes.data(), &len, Sha256Md(), nullptr) != 1 || len != 32) {
    std::abort();
  }
  return d;
}

struct Sha256Hasher::Impl {
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx{EVP_MD_CTX_new()};
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx.get(), Sha256Md(), nullptr) != 1) std::abort();
}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(ByteView data) {
  if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) std::abort();
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest d;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), d.bytes.data(), &len) != 1 || len != 32) std::abort();
  if (EVP_DigestInit_ex(impl_->ctx.get(), Sha256Md(), nullptr) != 1) std::abort();
  return d;
}

}  // namespace embarc::crypto
