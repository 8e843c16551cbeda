#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "embarc/core/bytes.h"
#include "embarc/crypto/ed25519.h"
#include "embarc/crypto/sha256.h"
#include "support/support.h"

using namespace embarc;
using namespace embarc::crypto;
namespace fs = std::filesystem;

namespace {

struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, TEST 1, TEST 2 and TEST 3.
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

Bytes Hex(const char* hex) {
  auto b = HexDecode(hex);
  REQUIRE(b);
  return *b;
}

std::unique_ptr<Ed25519Signer> Vector1Signer() {
  auto s = Ed25519Signer::FromSeed(Hex(kVectors[0].secret));
  REQUIRE(s);
  return std::move(*s);
}

bool IsLowerHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

TEST_CASE("ed25519: RFC 8032 §7.1 test vectors 1-3", "[crypto]") {
  for (const auto& v : kVectors) {
    INFO("public key " << v.public_key);
    auto signer = Ed25519Signer::FromSeed(Hex(v.secret));
    REQUIRE(signer);
    CHECK(HexEncode((*signer)->public_key()) == v.public_key);
    auto sig = (*signer)->Sign(Hex(v.message));
    REQUIRE(sig);
    CHECK(HexEncode(*sig) == v.signature);

    auto verifier = Ed25519Verifier::FromRaw(Hex(v.public_key));
    REQUIRE(verifier);
    CHECK((*verifier)->Verify(Hex(v.message), Hex(v.signature)));
    CHECK((*verifier)->key_id() == (*signer)->key_id());
  }
}

TEST_CASE("ed25519: round trip, and flipped bits are corruption", "[crypto]") {
  auto signer = Ed25519Signer::Generate();
  REQUIRE(signer);
  const Bytes message = ToBytes("a snapshot record");
  auto sig = (*signer)->Sign(message);
  REQUIRE(sig);
  CHECK(sig->size() == kEd25519SignatureBytes);
  auto verifier = Ed25519Verifier::FromRaw((*signer)->public_key());
  REQUIRE(verifier);
  REQUIRE((*verifier)->Verify(message, *sig));

  for (std::size_t i : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{63}}) {
    Bytes bad_sig = *sig;
    bad_sig[i] ^= 0x01;
    auto r = (*verifier)->Verify(message, bad_sig);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find("signature does not verify") != std::string::npos);
  }
  Bytes bad_message = message;
  bad_message[3] ^= 0x20;
  CHECK((*verifier)->Verify(bad_message, *sig).error().code == ErrorCode::kCorruption);
  CHECK((*verifier)->Verify(message, ByteView(sig->data(), 63)).error().code == ErrorCode::kCorruption);
  CHECK((*verifier)->Verify(message, Bytes{}).error().code == ErrorCode::kCorruption);

  // Another key does not verify it.
  CHECK(Vector1Signer()->key_id() != (*signer)->key_id());
  auto other = Ed25519Verifier::FromRaw(Vector1Signer()->public_key());
  REQUIRE(other);
  CHECK((*other)->Verify(message, *sig).error().code == ErrorCode::kCorruption);
}

TEST_CASE("ed25519: factories validate their input", "[crypto]") {
  CHECK(Ed25519Signer::FromSeed(Bytes(31)).error().code == ErrorCode::kInvalidArgument);
  CHECK(Ed25519Signer::FromSeed(Bytes(33)).error().code == ErrorCode::kInvalidArgument);
  CHECK(Ed25519Verifier::FromRaw(Bytes(31)).error().code == ErrorCode::kInvalidArgument);
  CHECK(Ed25519Verifier::FromPem("not a key").error().code == ErrorCode::kInvalidArgument);
  // A PEM private key is not a public key.
  CHECK_FALSE(Ed25519Verifier::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));

  // An X25519 key has the same size and PEM shape, but is not a signing key.
  EVP_PKEY* x = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  REQUIRE(x != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(bio != nullptr);
  REQUIRE(PEM_write_bio_PUBKEY(bio, x) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const std::string x_pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(x);
  REQUIRE(x_pem.find("-----BEGIN PUBLIC KEY-----") == 0);
  auto r = Ed25519Verifier::FromPem(x_pem);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("ed25519: KeyId is the lower-case hex SHA-256 of the raw public key", "[crypto]") {
  auto signer = Vector1Signer();
  const std::string id = signer->key_id();
  CHECK(id.size() == 64);
  CHECK(IsLowerHex(id));
  CHECK(id == KeyId(Hex(kVectors[0].public_key)));
  CHECK(id == Sha256(Hex(kVectors[0].public_key)).Hex());
  CHECK(KeyId(Hex(kVectors[1].public_key)) != id);
}

TEST_CASE("ed25519: public key PEM round trip", "[crypto]") {
  auto signer = Vector1Signer();
  const std::string pem = signer->PublicKeyPem();
  CHECK(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
  CHECK(pem.find("-----END PUBLIC KEY-----") != std::string::npos);
  auto verifier = Ed25519Verifier::FromPem(pem);
  REQUIRE(verifier);
  CHECK((*verifier)->public_key() == signer->public_key());
  CHECK((*verifier)->PublicKeyPem() == pem);
  CHECK((*verifier)->Verify(Bytes{}, Hex(kVectors[0].signature)));

  testing::TempDir dir;
  testing::WriteFileText(dir.path() / "pub.pem", pem);
  auto loaded = Ed25519Verifier::LoadPublicKeyFile(dir.path() / "pub.pem");
  REQUIRE(loaded);
  CHECK((*loaded)->key_id() == signer->key_id());
  CHECK(Ed25519Verifier::LoadPublicKeyFile(dir.path() / "missing.pem").error().code == ErrorCode::kNotFound);
}

TEST_CASE("ed25519: private key file is PKCS#8 PEM, mode 0600, never overwritten", "[crypto]") {
  testing::TempDir dir;
  const fs::path path = dir.path() / "signing.key";
  auto signer = Ed25519Signer::Generate();
  REQUIRE(signer);
  REQUIRE((*signer)->SavePrivateKeyFile(path));

  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  const std::string text = testing::ReadFileText(path);
  CHECK(text.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);

  auto loaded = Ed25519Signer::LoadPrivateKeyFile(path);
  REQUIRE(loaded);
  CHECK((*loaded)->public_key() == (*signer)->public_key());
  // Ed25519 is deterministic: the same key gives the same signature.
  CHECK(*(*loaded)->Sign(ToBytes("m")) == *(*signer)->Sign(ToBytes("m")));

  auto again = Vector1Signer()->SavePrivateKeyFile(path);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kFailedPrecondition);
  CHECK(testing::ReadFileText(path) == text);

  CHECK(Ed25519Signer::LoadPrivateKeyFile(dir.path() / "missing.key").error().code == ErrorCode::kNotFound);
}

TEST_CASE("ed25519: a private key readable by others is refused without leaking it", "[crypto]") {
  testing::TempDir dir;
  const fs::path path = dir.path() / "signing.key";
  REQUIRE(Vector1Signer()->SavePrivateKeyFile(path));
  const std::string text = testing::ReadFileText(path);
  const std::string body = text.substr(text.find('\n') + 1, 40);  // base64 of the key
  REQUIRE(body.size() == 40);

  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  auto r = Ed25519Signer::LoadPrivateKeyFile(path);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kFailedPrecondition);
  const std::string& msg = r.error().message;
  CHECK(msg.find(path.string()) != std::string::npos);
  CHECK(msg.find("0644") != std::string::npos);
  CHECK(msg.find("chmod 600") != std::string::npos);
  CHECK(msg.find(body) == std::string::npos);
  CHECK(msg.find("BEGIN") == std::string::npos);

  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_write);
  CHECK(Ed25519Signer::LoadPrivateKeyFile(path).error().code == ErrorCode::kFailedPrecondition);

  fs::permissions(path, fs::perms::owner_read);
  CHECK(Ed25519Signer::LoadPrivateKeyFile(path));
}

TEST_CASE("ed25519: a malformed private key file is refused without echoing it", "[crypto]") {
  testing::TempDir dir;
  const fs::path path = dir.path() / "bad.key";
  const std::string secret = "-----BEGIN PRIVATE KEY-----\nSECRETSECRETSECRET\n-----END PRIVATE KEY-----\n";
  testing::WriteFileText(path, secret);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  auto r = Ed25519Signer::LoadPrivateKeyFile(path);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(r.error().message.find("SECRET") == std::string::npos);

  testing::WriteFileText(path, std::string(kMaxKeyFileBytes + 1, 'A'));
  CHECK(Ed25519Signer::LoadPrivateKeyFile(path).error().code == ErrorCode::kLimitExceeded);
}

TEST_CASE("ed25519: openssl(1) verifies embarc's signature with the exported PEM", "[crypto]") {
  testing::TempDir dir;
  auto signer = Vector1Signer();
  const std::string message = "checked by a third party";
  testing::WriteFileText(dir.path() / "pub.pem", signer->PublicKeyPem());
  testing::WriteFileText(dir.path() / "msg", message);
  auto sig = signer->Sign(AsBytes(message));
  REQUIRE(sig);
  testing::WriteFileText(dir.path() / "sig", ToString(*sig));
  auto ok = testing::RunCommand({"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", (dir.path() / "pub.pem").string(),
                                 "-rawin", "-in", (dir.path() / "msg").string(), "-sigfile",
                                 (dir.path() / "sig").string()});
  CHECK(ok.exit_code == 0);
  testing::WriteFileText(dir.path() / "msg", message + "!");
  auto bad = testing::RunCommand({"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", (dir.path() / "pub.pem").string(),
                                  "-rawin", "-in", (dir.path() / "msg").string(), "-sigfile",
                                  (dir.path() / "sig").string()});
  CHECK(bad.exit_code != 0);
}
