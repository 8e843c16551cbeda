#include "embarc/crypto/ed25519.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "crypto/openssl_handles.h"
#include "embarc/crypto/sha256.h"

namespace embarc::crypto {

void internal::EvpPkeyFree::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

Signer::~Signer() = default;
Verifier::~Verifier() = default;

std::string KeyId(ByteView raw_public_key) { return Sha256(raw_public_key).Hex(); }

namespace {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  // Closes now so that a close error can be reported.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// A buffer that may hold key material; wiped before it is freed.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  ~SecretBuffer() {
    if (!data_.empty()) OPENSSL_cleanse(data_.data(), data_.size());
  }
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  std::string& data() { return data_; }

 private:
  std::string data_;
};

std::string Errno() { return std::strerror(errno); }

std::string OctalMode(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Passphrase callback that refuses: embarc keys are unencrypted, and the default
// callback would prompt on the terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

// Reads a key file through one descriptor (the mode check and the read see the same
// file). When `private_key` is set, refuses group or other access.
Result<void> ReadKeyFile(const std::filesystem::path& path, bool private_key, std::string& out) {
  const char* kind = private_key ? "private key " : "public key ";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
    return Fail(code, std::string("open ") + kind + path.string() + ": " + Errno());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Fail(ErrorCode::kIo, "stat " + path.string() + ": " + Errno());
  if (!S_ISREG(st.st_mode)) return Fail(ErrorCode::kInvalidArgument, kind + path.string() + " is not a regular file");
  if (private_key && (st.st_mode & 077) != 0) {
    const char* what = (st.st_mode & 044) != 0 ? " is readable by others" : " is accessible to others";
    return Fail(ErrorCode::kFailedPrecondition, "private key " + path.string() + what + " (mode " +
                                                    OctalMode(st.st_mode) + "); run chmod 600 " + path.string());
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxKeyFileBytes) {
    return Fail(ErrorCode::kLimitExceeded, kind + path.string() + " is larger than " +
                                               std::to_string(kMaxKeyFileBytes) + " bytes");
  }
  out.resize(kMaxKeyFileBytes + 1);
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(ErrorCode::kIo, "read " + path.string() + ": " + Errno());
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > kMaxKeyFileBytes) {
    return Fail(ErrorCode::kLimitExceeded, kind + path.string() + " is larger than " +
                                               std::to_string(kMaxKeyFileBytes) + " bytes");
  }
  out.resize(got);
  return Ok();
}

Result<Bytes> RawPublicKey(EVP_PKEY* key) {
  Bytes raw(kEd25519PublicKeyBytes);
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &len) != 1 || len != kEd25519PublicKeyBytes) {
    return Fail(ErrorCode::kCrypto, "Ed25519 public key: " + TakeOpenSslError());
  }
  return raw;
}

Result<std::string> PublicKeyPemOf(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return Fail(ErrorCode::kCrypto, "encode public key PEM: " + TakeOpenSslError());
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return Fail(ErrorCode::kCrypto, "encode public key PEM: empty output");
  return std::string(data, static_cast<std::size_t>(len));
}

bool IsEd25519(EVP_PKEY* key) { return EVP_PKEY_is_a(key, "ED25519") == 1; }

// EVP_DigestSign/Verify want a non-null pointer even for an empty message.
const unsigned char* DataOrEmpty(ByteView b) {
  static const unsigned char kEmpty = 0;
  return b.empty() ? &kEmpty : b.data();
}

Result<void> SyncDirectory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Fail(ErrorCode::kIo, "open directory " + dir.string() + ": " + Errno());
  if (::fsync(fd.get()) != 0) return Fail(ErrorCode::kIo, "fsync directory " + dir.string() + ": " + Errno());
  return Ok();
}

Result<void> WriteAll(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(ErrorCode::kIo, "write " + path.string() + ": " + Errno());
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

}  // namespace

// ---------------------------------------------------------------------------
// Ed25519Signer

Ed25519Signer::Ed25519Signer(internal::EvpPkeyPtr key, Bytes public_key, std::string public_key_pem)
    : key_(std::move(key)),
      public_key_(std::move(public_key)),
      key_id_(KeyId(public_key_)),
      public_key_pem_(std::move(public_key_pem)) {}

Ed25519Signer::~Ed25519Signer() = default;

Result<std::unique_ptr<Ed25519Signer>> Ed25519Signer::FromKey(internal::EvpPkeyPtr key) {
  if (!IsEd25519(key.get())) return Fail(ErrorCode::kInvalidArgument, "not an Ed25519 private key");
  EMBARC_ASSIGN_OR_RETURN(Bytes raw, RawPublicKey(key.get()));
  EMBARC_ASSIGN_OR_RETURN(std::string pem, PublicKeyPemOf(key.get()));
  return std::unique_ptr<Ed25519Signer>(new Ed25519Signer(std::move(key), std::move(raw), std::move(pem)));
}

Result<std::unique_ptr<Ed25519Signer>> Ed25519Signer::FromSeed(ByteView seed32) {
  if (seed32.size() != kEd25519SeedBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "an Ed25519 seed is 32 bytes, got " + std::to_string(seed32.size()));
  }
  EvpPkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed32.data(), seed32.size()));
  if (!key) return Fail(ErrorCode::kCrypto, "Ed25519 key from seed: " + TakeOpenSslError());
  return FromKey(std::move(key));
}

Result<std::unique_ptr<Ed25519Signer>> Ed25519Signer::Generate() {
  EvpPkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return Fail(ErrorCode::kCrypto, "generate Ed25519 key: " + TakeOpenSslError());
  return FromKey(std::move(key));
}

Result<std::unique_ptr<Ed25519Signer>> Ed25519Signer::LoadPrivateKeyFile(const std::filesystem::path& path) {
  SecretBuffer pem;
  EMBARC_RETURN_IF_ERROR(ReadKeyFile(path, /*private_key=*/true, pem.data()));
  Bio bio(BIO_new_mem_buf(pem.data().data(), static_cast<int>(pem.data().size())));
  if (!bio) return Fail(ErrorCode::kCrypto, "read private key: " + TakeOpenSslError());
  EvpPkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    ERR_clear_error();  // OpenSSL's text adds nothing useful here and must not leak into later errors.
    return Fail(ErrorCode::kInvalidArgument,
                "private key " + path.string() + " is not an unencrypted PKCS#8 PEM private key");
  }
  auto signer = FromKey(std::move(key));
  if (!signer) return WithContext(signer.error(), "private key " + path.string());
  return signer;
}

Result<void> Ed25519Signer::SavePrivateKeyFile(const std::filesystem::path& path) const {
  // BIO_s_secmem wipes its buffer when freed.
  Bio bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Fail(ErrorCode::kCrypto, "encode private key: " + TakeOpenSslError());
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return Fail(ErrorCode::kCrypto, "encode private key: empty output");

  UniqueFd fd(::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return Fail(ErrorCode::kFailedPrecondition, "refusing to overwrite existing file " + path.string());
    }
    return Fail(ErrorCode::kIo, "create " + path.string() + ": " + Errno());
  }
  // The file is ours from here on (O_EXCL), so a failed write removes it rather than
  // leaving a truncated key behind.
  auto written = [&]() -> Result<void> {
    if (::fchmod(fd.get(), 0600) != 0) return Fail(ErrorCode::kIo, "chmod " + path.string() + ": " + Errno());
    EMBARC_RETURN_IF_ERROR(WriteAll(fd.get(), data, static_cast<std::size_t>(len), path));
    if (::fsync(fd.get()) != 0) return Fail(ErrorCode::kIo, "fsync " + path.string() + ": " + Errno());
    if (fd.Close() != 0) return Fail(ErrorCode::kIo, "close " + path.string() + ": " + Errno());
    return Ok();
  }();
  if (!written) {
    ::unlink(path.c_str());
    return written;
  }
  return SyncDirectory(path.parent_path());
}

Result<Bytes> Ed25519Signer::Sign(ByteView message) const {
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return Fail(ErrorCode::kCrypto, "Ed25519 sign init: " + TakeOpenSslError());
  }
  Bytes sig(kEd25519SignatureBytes);
  std::size_t sig_len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &sig_len, DataOrEmpty(message), message.size()) != 1 ||
      sig_len != kEd25519SignatureBytes) {
    return Fail(ErrorCode::kCrypto, "Ed25519 sign: " + TakeOpenSslError());
  }
  return sig;
}

// ---------------------------------------------------------------------------
// Ed25519Verifier

Ed25519Verifier::Ed25519Verifier(internal::EvpPkeyPtr key, Bytes public_key, std::string public_key_pem)
    : key_(std::move(key)),
      public_key_(std::move(public_key)),
      key_id_(KeyId(public_key_)),
      public_key_pem_(std::move(public_key_pem)) {}

Ed25519Verifier::~Ed25519Verifier() = default;

Result<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::FromKey(internal::EvpPkeyPtr key) {
  if (!IsEd25519(key.get())) return Fail(ErrorCode::kInvalidArgument, "not an Ed25519 public key");
  EMBARC_ASSIGN_OR_RETURN(Bytes raw, RawPublicKey(key.get()));
  EMBARC_ASSIGN_OR_RETURN(std::string pem, PublicKeyPemOf(key.get()));
  return std::unique_ptr<Ed25519Verifier>(new Ed25519Verifier(std::move(key), std::move(raw), std::move(pem)));
}

Result<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::FromRaw(ByteView pub32) {
  if (pub32.size() != kEd25519PublicKeyBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "an Ed25519 public key is 32 bytes, got " + std::to_string(pub32.size()));
  }
  EvpPkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub32.data(), pub32.size()));
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument, "not a valid Ed25519 public key: " + TakeOpenSslError());
  }
  return FromKey(std::move(key));
}

Result<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::FromPem(std::string_view pem) {
  if (pem.size() > kMaxKeyFileBytes) {
    return Fail(ErrorCode::kLimitExceeded, "public key PEM is larger than " + std::to_string(kMaxKeyFileBytes) + " bytes");
  }
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Fail(ErrorCode::kCrypto, "read public key: " + TakeOpenSslError());
  EvpPkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument, "not a PEM public key: " + TakeOpenSslError());
  }
  return FromKey(std::move(key));
}

Result<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::LoadPublicKeyFile(const std::filesystem::path& path) {
  std::string pem;
  EMBARC_RETURN_IF_ERROR(ReadKeyFile(path, /*private_key=*/false, pem));
  auto verifier = FromPem(pem);
  if (!verifier) return WithContext(verifier.error(), "public key " + path.string());
  return verifier;
}

Result<void> Ed25519Verifier::Verify(ByteView message, ByteView signature) const {
  if (signature.size() != kEd25519SignatureBytes) {
    return Fail(ErrorCode::kCorruption, "signature does not verify (length " + std::to_string(signature.size()) +
                                            ", expected " + std::to_string(kEd25519SignatureBytes) + ")");
  }
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return Fail(ErrorCode::kCrypto, "Ed25519 verify init: " + TakeOpenSslError());
  }
  const int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), DataOrEmpty(message), message.size());
  if (rc == 1) return Ok();
  // 0 is a bad signature; OpenSSL's Ed25519 also reports some malformed signatures
  // (e.g. S not reduced mod L) as errors rather than 0. Both are bad bytes, not a
  // failure of the library, so both are corruption.
  ERR_clear_error();
  return Fail(ErrorCode::kCorruption, "signature does not verify (key " + key_id_ + ")");
}

}  // namespace embarc::crypto
