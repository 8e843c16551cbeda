#include <catch2/catch.hpp>

#include "embarc/core/bytes.h"
#include "embarc/crypto/sha256.h"

using namespace embarc;
using namespace std::string_literals;

TEST_CASE("hex round trip and rejection", "[core]") {
  const Bytes b = {0x00, 0x7f, 0xff, 0x10};
  CHECK(HexEncode(b) == "007fff10");
  CHECK(*HexDecode("007FFF10") == b);
  CHECK_FALSE(HexDecode("abc"));
  CHECK_FALSE(HexDecode("zz"));
}

TEST_CASE("base64 matches RFC 4648 test vectors", "[core]") {
  const char* vectors[][2] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
                              {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& v : vectors) {
    CHECK(Base64Encode(AsBytes(v[0])) == v[1]);
    auto decoded = Base64Decode(v[1]);
    REQUIRE(decoded);
    CHECK(ToString(*decoded) == v[0]);
  }
  CHECK_FALSE(Base64Decode("Zm9"));
  CHECK_FALSE(Base64Decode("Zh=="));   // non-canonical trailing bits
  CHECK_FALSE(Base64Decode("Z=9v"));
  CHECK_FALSE(Base64Decode("Zm9v\n"));
  CHECK_FALSE(Base64Decode("Zm8x"s + "Zm9="));  // a last group with a non-zero unused bit
  CHECK_FALSE(Base64Decode("A==="));
  CHECK_FALSE(Base64Decode("===="));
  CHECK_FALSE(Base64Decode("Zg==Zm9v"));  // padding before the last group
  CHECK_FALSE(Base64Decode("Zm=v"));
  CHECK_FALSE(Base64Decode("Zm9-"));      // base64url is another alphabet
}

TEST_CASE("base64 round-trips every byte value at every length modulo 3", "[core]") {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const ByteView part(all.data(), n);
    const std::string text = Base64Encode(part);
    REQUIRE(text.size() == (n + 2) / 3 * 4);
    auto back = Base64Decode(text);
    REQUIRE(back);
    REQUIRE(*back == Bytes(part.begin(), part.end()));
  }
}

TEST_CASE("base32 matches RFC 4648 test vectors (lower case, no padding)", "[core]") {
  CHECK(Base32Encode(AsBytes("foobar")) == "mzxw6ytboi");
  CHECK(Base32Encode(AsBytes("f")) == "my");
}

TEST_CASE("sha256 of known inputs, one-shot and incremental", "[crypto]") {
  CHECK(crypto::Sha256("abc").Hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  crypto::Sha256Hasher h;
  h.Update("a");
  h.Update("bc");
  CHECK(h.Finish() == crypto::Sha256("abc"));
  CHECK(h.Finish() == crypto::Sha256(""));  // reset after Finish
  CHECK_FALSE(crypto::Sha256Digest::FromHex("00"));
}
