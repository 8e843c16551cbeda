// The packed form of the index's record and envelope columns (store/json_codec.h).
#include "store/json_codec.h"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <string>

namespace {

using embarc::ErrorCode;
using embarc::store::kMaxUnpackedJsonBytes;
using embarc::store::kPackedJsonV1;
using embarc::store::PackJson;
using embarc::store::UnpackJson;

// A deleted tweet's record, as the capture pipeline writes one.
const std::string kRecord =
    R"({"agent":"embarc/0.1.0","captures":[{"error":null,"http_status":404,"outcome":"ok","payload_sha256":"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8","url":"https://cdn.syndication.twimg.com/tweet-result?id=20&token=a","warc_file":"embarc-20260101000000000-000000.warc.gz","warc_record_id":"<urn:uuid:00000000-0000-4000-8000-000000000000>"}],"change":"deleted","cited_in":[],"content":null,"content_sha256":null,"observed_at":"2026-01-01T00:00:00.000Z","platform":"twitter","post_id":"20","previous":null,"reason":"syndication API answered 404 not found","state":"deleted","url":"https://twitter.com/jack/status/20","v":1})";

std::string FromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

// `json` deflated (raw, without the dictionary, which a raw stream need not use) behind the form byte.
std::string PackedWithoutDictionary(const std::string& json) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(1 + deflateBound(&z, static_cast<uLong>(json.size())), '\0');
  out[0] = kPackedJsonV1;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(json.data()));
  z.avail_in = static_cast<uInt>(json.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data() + 1);
  z.avail_out = static_cast<uInt>(out.size() - 1);
  const int rc = deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

}  // namespace

TEST_CASE("json codec: a record packs to a quarter of its size and unpacks to the same bytes", "[store]") {
  const std::string packed = PackJson(kRecord);
  CHECK(packed.front() == kPackedJsonV1);
  CHECK(packed.size() * 4 < kRecord.size());
  CHECK(UnpackJson(packed) == kRecord);
  // Again on the same thread (the zlib streams are reused), and a longer one after a shorter one.
  const std::string longer = kRecord.substr(0, kRecord.size() - 1) + R"(,"x":")" + std::string(100000, 'y') + "\"}";
  CHECK(UnpackJson(PackJson(longer)) == longer);
  CHECK(UnpackJson(PackJson(kRecord)) == kRecord);
}

TEST_CASE("json codec: what packing would not shrink, or is not a JSON object, is stored as it is", "[store]") {
  for (const std::string& value : {std::string(), std::string("{}"), std::string("not json {"), std::string("\x01" "abc", 4)}) {
    INFO(value);
    CHECK(PackJson(value) == value);
  }
  CHECK(UnpackJson("{}") == std::string("{}"));
  CHECK(UnpackJson("") == std::string());
}

TEST_CASE("json codec: rows packed with dictionary 1 unpack forever", "[store]") {
  // Packed when the form was made. Should this fail, kDictionaryV1 (or the codec) was changed:
  // archives hold rows packed with it; a new dictionary needs a new form byte.
  const std::string stored = FromHex(
      "01a595410e84200c452fa4495ba1d47bcc05aac5c5ccfdf7e380c4286acc5808ac8084bcd7ff54aca3065611e9a388935e4c49c005f468"
      "103d4f6223534f21740c9d81b1ea30983129629c02a1a17764f2404c82454d3d4719701ea5dabcddc37b73a875bf45d63b72ed142871"
      "732a41fee43d744bd7afb1039ce72ba1779f3e82bff8dba6425345e815786f1d3f05bef47cc2ef0b");
  CHECK(UnpackJson(stored) == kRecord);
}

TEST_CASE("json codec: a damaged packed value is corruption, never other bytes quietly", "[store]") {
  const std::string packed = PackJson(kRecord);
  SECTION("cut short") {
    auto r = UnpackJson(packed.substr(0, packed.size() / 2));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
  SECTION("bytes after its end") {
    auto r = UnpackJson(packed + "x");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
  SECTION("not deflate") {
    auto r = UnpackJson(std::string(1, kPackedJsonV1) + std::string(40, '\xff'));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
  SECTION("a flipped bit either fails or unpacks to other bytes (which the record hash then refuses)") {
    for (std::size_t i = 1; i < packed.size(); ++i) {
      std::string damaged = packed;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x04);
      auto r = UnpackJson(damaged);
      // The last byte's high bits may be padding after the final block: the same record.
      if (r && i + 1 < packed.size()) CHECK(*r != kRecord);
    }
  }
}

TEST_CASE("json codec: a packed value that inflates past kMaxUnpackedJsonBytes is refused", "[store]") {
  const std::string huge = "{\"a\":\"" + std::string(kMaxUnpackedJsonBytes, ' ') + "\"}";
  const std::string bomb = PackedWithoutDictionary(huge);
  CHECK(bomb.size() < 64u << 10);
  auto r = UnpackJson(bomb);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kCorruption);
  CHECK(r.error().message.find(std::to_string(kMaxUnpackedJsonBytes)) != std::string::npos);
  // Just under the limit is a record like any other.
  const std::string big = "{\"a\":\"" + std::string(kMaxUnpackedJsonBytes - 8, ' ') + "\"}";
  CHECK(UnpackJson(PackJson(big)) == big);
  CHECK(UnpackJson(PackedWithoutDictionary(big)) == big);
}

TEST_CASE("json codec: a value longer than kMaxUnpackedJsonBytes is stored as it is and read back", "[store]") {
  const std::string huge = "{\"a\":\"" + std::string(kMaxUnpackedJsonBytes, ' ') + "\"}";
  const std::string stored = PackJson(huge);
  CHECK(stored == huge);
  CHECK(UnpackJson(stored) == huge);
}
