// Ed25519 signatures (RFC 8032) through OpenSSL 3, behind the small Signer and
// Verifier interfaces that the rest of embarc uses.
//
// Keys on disk: the private key is PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"),
// mode 0600; the public key is SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"),
// so `openssl pkeyutl -verify -rawin -pubin -inkey pub.pem` can check a signature.
#ifndef EMBARC_CRYPTO_ED25519_H_
#define EMBARC_CRYPTO_ED25519_H_

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept opaque so this header needs no OpenSSL include.

namespace embarc::crypto {

inline constexpr std::size_t kEd25519SeedBytes = 32;
inline constexpr std::size_t kEd25519PublicKeyBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;
// Key files larger than this are refused before parsing.
inline constexpr std::size_t kMaxKeyFileBytes = 64u << 10;

// The key id of a public key: lower-case hex of SHA-256 over its 32 raw bytes
// (64 characters). Used as the DSSE "keyid" and to name keys in the archive.
std::string KeyId(ByteView raw_public_key);

class Signer {
 public:
  virtual ~Signer();
  // Signs `message` (pure Ed25519: the message itself, not a prehash).
  // Errors: kCrypto if OpenSSL fails.
  [[nodiscard]] virtual Result<Bytes> Sign(ByteView message) const = 0;
  // The 32 raw public key bytes.
  virtual const Bytes& public_key() const = 0;
  // KeyId(public_key()).
  virtual std::string key_id() const = 0;
};

class Verifier {
 public:
  virtual ~Verifier();
  // Errors: kCorruption ("signature does not verify") if `signature` is not a valid
  // signature of `message` by this key, including a signature of the wrong length;
  // kCrypto if OpenSSL fails.
  [[nodiscard]] virtual Result<void> Verify(ByteView message, ByteView signature) const = 0;
  virtual std::string key_id() const = 0;
  virtual const Bytes& public_key() const = 0;
};

namespace internal {
struct EvpPkeyFree {
  void operator()(evp_pkey_st* key) const;
};
using EvpPkeyPtr = std::unique_ptr<evp_pkey_st, EvpPkeyFree>;
}  // namespace internal

class Ed25519Signer final : public Signer {
 public:
  // The RFC 8032 secret key: 32 bytes. Errors: kInvalidArgument on another size; kCrypto.
  [[nodiscard]] static Result<std::unique_ptr<Ed25519Signer>> FromSeed(ByteView seed32);
  // A fresh key from OpenSSL's CSPRNG. Errors: kCrypto.
  [[nodiscard]] static Result<std::unique_ptr<Ed25519Signer>> Generate();
  // Reads an unencrypted PKCS#8 PEM Ed25519 private key.
  // Errors: kFailedPrecondition if the file's mode gives group or others any access
  // (the message names the path, the mode and the chmod that fixes it); kNotFound,
  // kIo; kLimitExceeded above kMaxKeyFileBytes; kInvalidArgument if it is not an
  // Ed25519 private key. No message ever contains key bytes.
  [[nodiscard]] static Result<std::unique_ptr<Ed25519Signer>> LoadPrivateKeyFile(const std::filesystem::path& path);

  Ed25519Signer(const Ed25519Signer&) = delete;
  Ed25519Signer& operator=(const Ed25519Signer&) = delete;
  ~Ed25519Signer() override;

  // Writes the private key as PKCS#8 PEM to a new file of mode 0600 and fsyncs it
  // (and its directory). Never overwrites: kFailedPrecondition if `path` exists.
  // Errors: kIo, kCrypto.
  [[nodiscard]] Result<void> SavePrivateKeyFile(const std::filesystem::path& path) const;
  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), ending in a newline.
  std::string PublicKeyPem() const { return public_key_pem_; }

  [[nodiscard]] Result<Bytes> Sign(ByteView message) const override;
  const Bytes& public_key() const override { return public_key_; }
  std::string key_id() const override { return key_id_; }

 private:
  Ed25519Signer(internal::EvpPkeyPtr key, Bytes public_key, std::string public_key_pem);
  static Result<std::unique_ptr<Ed25519Signer>> FromKey(internal::EvpPkeyPtr key);

  const internal::EvpPkeyPtr key_;
  const Bytes public_key_;
  const std::string key_id_;
  const std::string public_key_pem_;
};

class Ed25519Verifier final : public Verifier {
 public:
  // Errors: kInvalidArgument unless exactly 32 bytes that OpenSSL accepts; kCrypto.
  [[nodiscard]] static Result<std::unique_ptr<Ed25519Verifier>> FromRaw(ByteView pub32);
  // SubjectPublicKeyInfo PEM. Errors: kInvalidArgument if it is not PEM or not an Ed25519 key.
  [[nodiscard]] static Result<std::unique_ptr<Ed25519Verifier>> FromPem(std::string_view pem);
  // Errors: as FromPem, plus kNotFound, kIo, kLimitExceeded.
  [[nodiscard]] static Result<std::unique_ptr<Ed25519Verifier>> LoadPublicKeyFile(const std::filesystem::path& path);

  Ed25519Verifier(const Ed25519Verifier&) = delete;
  Ed25519Verifier& operator=(const Ed25519Verifier&) = delete;
  ~Ed25519Verifier() override;

  [[nodiscard]] Result<void> Verify(ByteView message, ByteView signature) const override;
  std::string key_id() const override { return key_id_; }
  const Bytes& public_key() const override { return public_key_; }
  std::string PublicKeyPem() const { return public_key_pem_; }

 private:
  Ed25519Verifier(internal::EvpPkeyPtr key, Bytes public_key, std::string public_key_pem);
  static Result<std::unique_ptr<Ed25519Verifier>> FromKey(internal::EvpPkeyPtr key);

  const internal::EvpPkeyPtr key_;
  const Bytes public_key_;
  const std::string key_id_;
  const std::string public_key_pem_;
};

}  // namespace embarc::crypto

#endif  // EMBARC_CRYPTO_ED25519_H_
