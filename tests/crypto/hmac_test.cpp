#include "embarc/crypto/hmac.h"

#include <catch2/catch.hpp>
#include <string>

using embarc::AsBytes;
using embarc::Bytes;
using embarc::crypto::HmacSha256;

TEST_CASE("hmac: RFC 4231 test vectors for HMAC-SHA256", "[crypto][hmac][webhook]") {
  // Test case 2: a short key.
  auto t2 = HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"));
  REQUIRE(t2);
  CHECK(t2->Hex() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size is hashed first.
  const Bytes key(131, 0xaa);
  auto t6 = HmacSha256(key, AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"));
  REQUIRE(t6);
  CHECK(t6->Hex() == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Test case 1: key 0x0b * 20, "Hi There".
  auto t1 = HmacSha256(Bytes(20, 0x0b), AsBytes("Hi There"));
  REQUIRE(t1);
  CHECK(t1->Hex() == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}
