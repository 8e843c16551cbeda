#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "embarc/core/json.h"

using namespace embarc;
using nlohmann::json;

namespace {

std::string Nested(int depth) { return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'); }

std::string Canon(const json& j) {
  auto r = CanonicalJson(j);
  REQUIRE(r);
  return *r;
}

std::string CanonOfText(std::string_view text) {
  auto parsed = ParseJson(text);
  REQUIRE(parsed);
  return Canon(*parsed);
}

}  // namespace

TEST_CASE("json: RFC 8785 sorts member names by UTF-16 code units", "[json]") {
  // The key set of RFC 8785 §3.2.3. U+FB33 sorts after U+1F600 in UTF-16 (0xD83D < 0xFB33)
  // although its UTF-8 bytes (EF ...) sort before the emoji's (F0 ...).
  const std::string text =
      R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",)"
      R"("\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"})";
  const std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
      "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
      "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\",\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  CHECK(CanonOfText(text) == expected);

  // The pair alone, built in code: UTF-8 byte order would put U+E000 first.
  json j = json::object();
  j["\xEE\x80\x80"] = 1;          // U+E000
  j["\xF0\x9F\x98\x80"] = 2;      // U+1F600
  j["\xE2\x82\xAC"] = 3;          // U+20AC
  CHECK(Canon(j) == "{\"\xE2\x82\xAC\":3,\"\xF0\x9F\x98\x80\":2,\"\xEE\x80\x80\":1}");
}

TEST_CASE("json: canonical string escapes follow JCS", "[json]") {
  // RFC 8785 §3.2.2.2's string example.
  CHECK(CanonOfText(R"(["\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"])") ==
        "[\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"]");
  const std::string controls = std::string("\x00\x01\b\t\n\x0b\f\r\x1f\x7f", 10);
  CHECK(Canon(json(controls)) == R"("\u0000\u0001\b\t\n\u000b\f\r\u001f)" "\x7f\"");
  CHECK(Canon(json("a/b \xE2\x82\xAC \xF0\x9F\x98\x80")) == "\"a/b \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST_CASE("json: canonical form of nested values, no whitespace", "[json]") {
  CHECK(CanonOfText(R"( { "b" : [ 1 , { "z" : null , "a" : true } , [ ] , { } ], "a" : "x", "c": -42, "d": false } )") ==
        R"({"a":"x","b":[1,{"a":true,"z":null},[],{}],"c":-42,"d":false})");
  CHECK(Canon(json::array()) == "[]");
  CHECK(Canon(json(0)) == "0");
  CHECK(Canon(json(9007199254740991LL)) == "9007199254740991");
  CHECK(Canon(json(-9007199254740991LL)) == "-9007199254740991");
}

TEST_CASE("json: canonical form rejects floats, huge integers and invalid UTF-8", "[json]") {
  auto f = CanonicalJson(json{{"a", 1.5}});
  REQUIRE_FALSE(f);
  CHECK(f.error().code == ErrorCode::kInvalidArgument);
  CHECK(f.error().message == "canonical JSON allows integers only");
  CHECK_FALSE(CanonicalJson(json(1.0)));

  CHECK(CanonicalJson(json(9007199254740992LL)).error().code == ErrorCode::kInvalidArgument);
  CHECK(CanonicalJson(json(-9007199254740992LL)).error().code == ErrorCode::kInvalidArgument);
  CHECK(CanonicalJson(json(std::uint64_t{18446744073709551615u})).error().code == ErrorCode::kInvalidArgument);

  CHECK(CanonicalJson(json(std::string("ab\xff"))).error().code == ErrorCode::kInvalidArgument);
  CHECK(CanonicalJson(json(std::string("\xED\xA0\x80"))).error().code == ErrorCode::kInvalidArgument);  // surrogate
  json bad_key = json::object();
  bad_key[std::string("\xC0\xAF")] = 1;  // overlong '/'
  CHECK(CanonicalJson(bad_key).error().code == ErrorCode::kInvalidArgument);
  CHECK(CanonicalJson(json::binary({1, 2})).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("json: ParseJson depth limit", "[json]") {
  REQUIRE(ParseJson(Nested(64)));
  auto deep = ParseJson(Nested(65));
  REQUIRE_FALSE(deep);
  CHECK(deep.error().code == ErrorCode::kLimitExceeded);
  CHECK(ParseJson(std::string(64, '{')).error().code == ErrorCode::kInvalidArgument);  // not too deep, just bad
  CHECK(ParseJson(R"({"a":{"b":{"c":1}}})", 3));
  CHECK(ParseJson(R"({"a":{"b":{"c":[]}}})", 3).error().code == ErrorCode::kLimitExceeded);
  // Brackets inside strings do not count.
  CHECK(ParseJson(R"(["[[[[[[\"{{{{{{"])", 1));

  const auto start = std::chrono::steady_clock::now();
  auto hostile = ParseJson(std::string(100000, '['));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(hostile);
  CHECK(hostile.error().code == ErrorCode::kLimitExceeded);
  CHECK(elapsed < std::chrono::seconds(1));
}

TEST_CASE("json: ParseJson size limit", "[json]") {
  std::string big = "\"" + std::string(kMaxJsonBytes - 2, 'a') + "\"";
  CHECK(ParseJson(big));
  big.insert(1, "a");
  auto r = ParseJson(big);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kLimitExceeded);
}

TEST_CASE("json: ParseJson rejects malformed input without throwing", "[json]") {
  for (const char* text : {"", "{", "[1,]", "{\"a\":}", "nul", "{'a':1}", "[1] x", "\"\\ud800\"", "01"}) {
    auto r = ParseJson(text);
    CHECK_FALSE(r);
    if (!r) CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK(ParseJson("\"\xff\"").error().code == ErrorCode::kInvalidArgument);
  CHECK(ParseJson("[\"\xED\xA0\x80\"]").error().code == ErrorCode::kInvalidArgument);
  auto dup = ParseJson(R"({"a":1,"b":{"a":2},"a":3})");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == ErrorCode::kInvalidArgument);
  CHECK(dup.error().message.find("\"a\"") != std::string::npos);
  // Same name in different objects is fine.
  auto ok = ParseJson(R"({"a":1,"b":{"a":2}})");
  REQUIRE(ok);
  CHECK((*ok)["b"]["a"] == 2);
}

TEST_CASE("json: SanitizeUtf8 replaces each maximal ill-formed subpart with U+FFFD", "[json]") {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::string valid = "plain \xC3\xB6 \xE2\x82\xAC \xF0\x9F\x98\x80";
  CHECK(SanitizeUtf8(valid) == valid);
  CHECK(IsValidUtf8(valid));
  CHECK(SanitizeUtf8("a\xff" "b") == "a" + fffd + "b");
  CHECK(SanitizeUtf8("\xE2\x82") == fffd);                        // truncated sequence: one replacement
  CHECK(SanitizeUtf8("\xE2\x82z") == fffd + "z");
  CHECK(SanitizeUtf8("\xC0\xAF") == fffd + fffd);                 // overlong
  CHECK(SanitizeUtf8("\xED\xA0\x80") == fffd + fffd + fffd);      // surrogate
  CHECK(SanitizeUtf8("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  CHECK(IsValidUtf8(SanitizeUtf8("\xF0\x9F\x98 x \x80")));
}

TEST_CASE("json: ParseCanonicalJson takes exactly the bytes CanonicalJson writes", "[json]") {
  const std::string canonical = R"({"a":[1,-2,{"b":null,"c":"x\"\\\n\u001f"}],"d":true,"é":"ü"})";
  auto parsed = ParseCanonicalJson(canonical);
  REQUIRE(parsed);
  CHECK((*parsed)["a"][2]["c"] == "x\"\\\n\x1f");
  CHECK(Canon(*parsed) == canonical);
  for (const char* not_canonical : {
           R"({"a":1,"a":1})",          // a duplicate member, even with equal values
           R"({"a":1,"a":2})",
           R"({"b":1,"a":2})",          // members out of order
           R"({"a": 1})",               // whitespace
           R"({"a":1.5})",              // a float
           R"({"a":"\u0041"})",         // an escape JCS does not write
           R"({"a":1}
)",
       }) {
    INFO(not_canonical);
    auto r = ParseCanonicalJson(not_canonical);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK_FALSE(ParseCanonicalJson("{\"a\":"));
  CHECK(ParseCanonicalJson(Nested(kMaxJsonDepth + 1)).error().code == ErrorCode::kLimitExceeded);
  CHECK(ParseCanonicalJson(Nested(kMaxJsonDepth)));
}
