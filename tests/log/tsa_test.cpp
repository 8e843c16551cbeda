#include "embarc/log/tsa.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/crypto/sha256.h"
#include "embarc/net/fetcher.h"
#include "support/fixture_server.h"
#include "support/support.h"

using namespace embarc;
using embarc::log::CheckTimestampResponse;
using embarc::log::kMaxTimestampResponseBytes;
using embarc::log::MakeTimestampRequest;
using embarc::log::TimestampInfo;
using embarc::log::TimestampRequest;
using embarc::log::VerifyTimestampToken;
using embarc::testing::FixtureServer;
using embarc::testing::FixtureServerOptions;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kNote = "embarc.example/log\n42\nq6ZVs0B4dM6n0jVZz3Y1mD2xg2m9Vb2pXK2Jx8X0eQ8=\n";

// One server for all [tsa] tests: generating its CAs and keys takes a few seconds.
FixtureServer& TsaServer() {
  static FixtureServer server([] {
    FixtureServerOptions options;
    options.tsa = true;
    return options;
  }());
  return server;
}

net::HttpExchange Post(const std::string& url, const Bytes& body,
                       const std::string& content_type = log::kTimestampQueryContentType) {
  FixtureServer& server = TsaServer();
  net::FetchOptions options;
  options.connect_to = {server.connect_to()};
  options.ca_file = server.ca_file();
  options.allow_private_addresses = true;
  auto fetcher = net::MakeCurlFetcher(options);
  REQUIRE(fetcher);
  net::FetchRequest request;
  request.url = url;
  request.method = "POST";
  request.body = body;
  request.headers = {{"Content-Type", content_type}};
  auto responses = (*fetcher)->FetchAll(std::span(&request, 1));
  REQUIRE(responses);
  REQUIRE(responses->size() == 1);
  const net::FetchResponse& response = (*responses)[0];
  INFO(response.error);
  REQUIRE(response.ok());
  return *response.Final();
}

Bytes ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteBytes(const fs::path& path, ByteView bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

struct Stamp {
  TimestampRequest request;
  Bytes response;
};

Stamp StampNote(const std::string& host) {
  auto request = MakeTimestampRequest(AsBytes(kNote));
  REQUIRE(request);
  const net::HttpExchange exchange = Post("https://" + host + "/tsr", request->der);
  REQUIRE(exchange.status == 200);
  CHECK(exchange.Header("Content-Type") == log::kTimestampReplyContentType);
  return Stamp{*request, exchange.body};
}

std::string TsaCa() { return testing::ReadFileText(TsaServer().tsa_ca_file()); }

// A DER element: tag at `offset`, `header` bytes of tag and length, `length` bytes of content.
struct Tlv {
  std::size_t offset = 0;
  std::size_t header = 0;
  std::size_t length = 0;
  std::size_t content() const { return offset + header; }
  std::size_t end() const { return offset + header + length; }
};

Tlv ReadTlv(const Bytes& der, std::size_t at) {
  REQUIRE(at + 2 <= der.size());
  Tlv t;
  t.offset = at;
  const std::uint8_t first = der[at + 1];
  if (first < 0x80) {
    t.header = 2;
    t.length = first;
  } else {
    const std::size_t n = first & 0x7fu;
    REQUIRE(n >= 1);
    REQUIRE(n <= 3);
    REQUIRE(at + 2 + n <= der.size());
    t.header = 2 + n;
    for (std::size_t i = 0; i < n; ++i) t.length = (t.length << 8) | der[at + 2 + i];
  }
  REQUIRE(t.end() <= der.size());
  return t;
}

// The children of a constructed element, in order.
std::vector<Tlv> Children(const Bytes& der, const Tlv& parent) {
  std::vector<Tlv> out;
  for (std::size_t at = parent.content(); at < parent.end(); at = out.back().end()) out.push_back(ReadTlv(der, at));
  return out;
}

}  // namespace

TEST_CASE("tsa: a request is DER with a SHA-256 imprint, a 64-bit nonce and certReq", "[tsa]") {
  auto a = MakeTimestampRequest(AsBytes(kNote));
  auto b = MakeTimestampRequest(AsBytes(kNote));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->imprint == crypto::Sha256(kNote));
  CHECK(a->nonce.size() == 8);
  CHECK(a->nonce != b->nonce);
  // openssl reads it back as the same request.
  TempDir dir;
  WriteBytes(dir.path() / "q.tsq", a->der);
  const auto text = RunCommand({"openssl", "ts", "-query", "-in", (dir.path() / "q.tsq").string(), "-text"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("Hash Algorithm: sha256") != std::string::npos);
  CHECK(text.out.find("Certificate required: yes") != std::string::npos);
  CHECK(text.out.find("Nonce: 0x") != std::string::npos);
}

TEST_CASE("tsa: a token from the fixture TSA checks, verifies offline and is what was asked for", "[tsa]") {
  auto request = MakeTimestampRequest(AsBytes(kNote));
  REQUIRE(request);
  const net::HttpExchange exchange = Post("https://tsa.example/tsr", request->der);
  REQUIRE(exchange.status == 200);
  CHECK(exchange.Header("Content-Type") == "application/timestamp-reply");
  // The request went out as recorded: POST head and the exact body.
  CHECK(exchange.request_head.rfind("POST /tsr HTTP/1.1\r\n", 0) == 0);
  CHECK(exchange.request_head.find("\r\nContent-Type: application/timestamp-query\r\n") != std::string::npos);
  CHECK(exchange.request_head.find("\r\nContent-Length: " + std::to_string(request->der.size()) + "\r\n") !=
        std::string::npos);
  CHECK(exchange.request_head.find("Expect:") == std::string::npos);
  CHECK(exchange.request_body == request->der);

  auto checked = CheckTimestampResponse(exchange.body, *request);
  INFO((checked ? std::string() : checked.error().message));
  REQUIRE(checked);
  CHECK(std::regex_match(checked->gen_time, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(checked->gen_time_unix <= now + 5);
  CHECK(checked->gen_time_unix >= now - 300);
  CHECK(checked->policy_oid == "1.2.3.4.1");
  CHECK(checked->tsa_name == "O=embarc tests,CN=embarc fixture TSA");
  CHECK(std::regex_match(checked->serial_hex, std::regex("[0-9a-f]+")));
  CHECK(checked->signer_cert_pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);

  auto verified = VerifyTimestampToken(exchange.body, AsBytes(kNote), request->nonce, TsaCa());
  INFO((verified ? std::string() : verified.error().message));
  REQUIRE(verified);
  CHECK(verified->gen_time == checked->gen_time);
  CHECK(verified->serial_hex == checked->serial_hex);
  CHECK(verified->signer_cert_pem == checked->signer_cert_pem);

  // Two stamps of the same data have different serial numbers.
  const Stamp again = StampNote("tsa.example");
  auto second = CheckTimestampResponse(again.response, again.request);
  REQUIRE(second);
  CHECK(second->serial_hex != checked->serial_hex);
}

TEST_CASE("tsa: other data, another nonce, a flipped byte or a wrong anchor are corruption", "[tsa]") {
  const Stamp stamp = StampNote("tsa.example");
  const std::string ca = TsaCa();
  REQUIRE(VerifyTimestampToken(stamp.response, AsBytes(kNote), stamp.request.nonce, ca));

  SECTION("other data") {
    auto r = VerifyTimestampToken(stamp.response, AsBytes("embarc.example/log\n43\n"), stamp.request.nonce, ca);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find("message imprint") != std::string::npos);
  }
  SECTION("another nonce") {
    Bytes nonce = stamp.request.nonce;
    nonce.back() = static_cast<std::uint8_t>(nonce.back() ^ 0x01);
    auto r = VerifyTimestampToken(stamp.response, AsBytes(kNote), nonce, ca);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find("nonce") != std::string::npos);
    // The same answer checked against another request for the same data.
    auto other = MakeTimestampRequest(AsBytes(kNote));
    REQUIRE(other);
    auto c = CheckTimestampResponse(stamp.response, *other);
    REQUIRE_FALSE(c);
    CHECK(c.error().code == ErrorCode::kCorruption);
    CHECK(c.error().message.find("nonce") != std::string::npos);
    // No nonce expected, but the token has one.
    auto none = VerifyTimestampToken(stamp.response, AsBytes(kNote), {}, ca);
    REQUIRE_FALSE(none);
    CHECK(none.error().code == ErrorCode::kCorruption);
  }
  SECTION("a flipped byte in the signature") {
    Bytes bad = stamp.response;
    bad.back() = static_cast<std::uint8_t>(bad.back() ^ 0x01);  // the last field of a TimeStampResp is the SignerInfo's signature
    auto r = VerifyTimestampToken(bad, AsBytes(kNote), stamp.request.nonce, ca);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find("does not verify") != std::string::npos);
    auto c = CheckTimestampResponse(bad, stamp.request);
    REQUIRE_FALSE(c);
    CHECK(c.error().code == ErrorCode::kCorruption);
  }
  SECTION("a flipped digit of the signed genTime") {
    auto info = CheckTimestampResponse(stamp.response, stamp.request);
    REQUIRE(info);
    // "2026-11-26T02:07:38Z" is "20261126020738" in the DER.
    std::string digits;
    for (const char ch : info->gen_time.substr(0, 19)) {
      if (ch >= '0' && ch <= '9') digits += ch;
    }
    const std::string_view der = AsChars(stamp.response);
    const std::size_t at = der.find(digits);
    REQUIRE(at != std::string_view::npos);
    Bytes bad = stamp.response;
    bad[at + 13] = static_cast<std::uint8_t>(bad[at + 13] == '0' ? '1' : '0');  // the last second digit
    auto r = VerifyTimestampToken(bad, AsBytes(kNote), stamp.request.nonce, ca);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find("does not verify") != std::string::npos);
    auto c = CheckTimestampResponse(bad, stamp.request);
    REQUIRE_FALSE(c);
    CHECK(c.error().code == ErrorCode::kCorruption);
  }
  SECTION("every flipped byte of what the TSA signed, and of the signature, is refused") {
    // TimeStampResp { status, ContentInfo { OID, [0] SignedData { version, digestAlgorithms,
    // encapContentInfo (the TSTInfo), [0] certificates, signerInfos { SignerInfo { version, sid,
    // digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature } } } } }.
    // The rest (status, versions, the copies of the certificates, NULL parameters) is outside the
    // signature by CMS's design; a change there either breaks the chain or changes nothing signed.
    const Bytes& der = stamp.response;
    const Tlv root = ReadTlv(der, 0);
    const Tlv token = Children(der, root).at(1);
    const Tlv signed_data = Children(der, Children(der, token).at(1)).at(0);
    const std::vector<Tlv> sd = Children(der, signed_data);
    REQUIRE(sd.size() >= 4);
    const Tlv encap = sd.at(2);
    const Tlv signer_info = Children(der, sd.back()).at(0);
    const std::vector<Tlv> si = Children(der, signer_info);
    REQUIRE(si.size() == 6);
    const Tlv signed_attrs = si.at(3);
    const Tlv signature = si.at(5);
    REQUIRE(der[signed_attrs.offset] == 0xa0);
    REQUIRE(der[signature.offset] == 0x04);
    std::vector<std::size_t> offsets;
    for (const Tlv& region : {encap, signed_attrs, signature}) {
      for (std::size_t i = region.offset; i < region.end(); ++i) offsets.push_back(i);
    }
    CHECK(offsets.size() > 300);
    for (const std::size_t i : offsets) {
      Bytes bad = stamp.response;
      bad[i] = static_cast<std::uint8_t>(bad[i] ^ 0x01);
      auto r = VerifyTimestampToken(bad, AsBytes(kNote), stamp.request.nonce, ca);
      INFO("offset " << i);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::kCorruption);
    }
  }
  SECTION("a wrong trust anchor") {
    // The HTTPS server's CA: a real CA, but not the TSA's.
    auto r = VerifyTimestampToken(stamp.response, AsBytes(kNote), stamp.request.nonce,
                                  testing::ReadFileText(TsaServer().ca_file()));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    // The token carries a copy of the TSA CA, untrusted: the chain ends in a self-signed
    // certificate that is not an anchor.
    CHECK(r.error().message.find("certificate verify error") != std::string::npos);
    CHECK((r.error().message.find("self-signed certificate in certificate chain") != std::string::npos ||
           r.error().message.find("unable to get local issuer certificate") != std::string::npos));
    auto empty = VerifyTimestampToken(stamp.response, AsBytes(kNote), stamp.request.nonce, "no PEM here");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == ErrorCode::kInvalidArgument);
  }
  SECTION("bytes that are no TimeStampResp") {
    auto c = CheckTimestampResponse(AsBytes("TSA unavailable\n"), stamp.request);
    REQUIRE_FALSE(c);
    CHECK(c.error().code == ErrorCode::kInvalidArgument);
    Bytes trailing = stamp.response;
    trailing.push_back(0);
    auto t = CheckTimestampResponse(trailing, stamp.request);
    REQUIRE_FALSE(t);
    CHECK(t.error().code == ErrorCode::kInvalidArgument);
    auto v = VerifyTimestampToken(AsBytes("TSA unavailable\n"), AsBytes(kNote), stamp.request.nonce, ca);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == ErrorCode::kCorruption);
  }
}

TEST_CASE("tsa: a response over kMaxTimestampResponseBytes is refused before parsing", "[tsa]") {
  auto request = MakeTimestampRequest(AsBytes(kNote));
  REQUIRE(request);
  Bytes at_limit(kMaxTimestampResponseBytes, 0x30);
  auto c = CheckTimestampResponse(at_limit, *request);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == ErrorCode::kInvalidArgument);  // parsed, and not a TimeStampResp
  Bytes over(kMaxTimestampResponseBytes + 1, 0x30);
  auto o = CheckTimestampResponse(over, *request);
  REQUIRE_FALSE(o);
  CHECK(o.error().code == ErrorCode::kLimitExceeded);
  auto v = VerifyTimestampToken(over, AsBytes(kNote), request->nonce, "");
  REQUIRE_FALSE(v);
  CHECK(v.error().code == ErrorCode::kLimitExceeded);
}

TEST_CASE("tsa: a nonce over kMaxTimestampNonceBytes is refused", "[tsa]") {
  const Stamp stamp = StampNote("tsa.example");
  Bytes at_limit(log::kMaxTimestampNonceBytes, 0);
  at_limit.insert(at_limit.end(), stamp.request.nonce.begin(), stamp.request.nonce.end());
  at_limit.erase(at_limit.begin(), at_limit.begin() + static_cast<std::ptrdiff_t>(stamp.request.nonce.size()));
  // 64 bytes, leading zeros, the same integer: accepted.
  REQUIRE(at_limit.size() == log::kMaxTimestampNonceBytes);
  auto ok = VerifyTimestampToken(stamp.response, AsBytes(kNote), at_limit, TsaCa());
  INFO((ok ? std::string() : ok.error().message));
  CHECK(ok);
  Bytes over = at_limit;
  over.insert(over.begin(), 0);
  auto v = VerifyTimestampToken(stamp.response, AsBytes(kNote), over, TsaCa());
  REQUIRE_FALSE(v);
  CHECK(v.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("tsa: a token of a TSA whose certificate has expired since still verifies as of genTime", "[tsa]") {
  const Stamp stamp = StampNote("tsa-expired.example");
  auto checked = CheckTimestampResponse(stamp.response, stamp.request);
  INFO((checked ? std::string() : checked.error().message));
  REQUIRE(checked);
  CHECK(checked->gen_time.rfind("2020-06-15T", 0) == 0);
  CHECK(checked->tsa_name == "O=embarc tests,CN=embarc fixture TSA (expired)");
  auto verified = VerifyTimestampToken(stamp.response, AsBytes(kNote), stamp.request.nonce, TsaCa());
  INFO((verified ? std::string() : verified.error().message));
  REQUIRE(verified);
  CHECK(verified->gen_time.rfind("2020-", 0) == 0);

  // The signer certificate really is expired today: openssl without -attime refuses it.
  TempDir dir;
  WriteBytes(dir.path() / "resp.tsr", stamp.response);
  testing::WriteFileText(dir.path() / "note.txt", std::string(kNote));
  const auto now = RunCommand({"openssl", "ts", "-verify", "-in", (dir.path() / "resp.tsr").string(), "-data",
                               (dir.path() / "note.txt").string(), "-CAfile", TsaServer().tsa_ca_file()});
  CHECK(now.exit_code != 0);
  CHECK(now.err.find("certificate has expired") != std::string::npos);
}

TEST_CASE("tsa: the broken TSA's 500 and a rejected request are reported", "[tsa]") {
  auto request = MakeTimestampRequest(AsBytes(kNote));
  REQUIRE(request);
  const net::HttpExchange broken = Post("https://tsa-broken.example/tsr", request->der);
  CHECK(broken.status == 500);
  auto c = CheckTimestampResponse(broken.body, *request);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == ErrorCode::kInvalidArgument);

  // A SHA-1 query is rejected by the fixture TSA (its config accepts SHA-2 only): a
  // TimeStampResp with status rejection and failure info badAlg.
  TempDir dir;
  testing::WriteFileText(dir.path() / "note.txt", std::string(kNote));
  const auto query = RunCommand({"openssl", "ts", "-query", "-data", (dir.path() / "note.txt").string(), "-sha1",
                                 "-cert", "-out", (dir.path() / "q.tsq").string()});
  REQUIRE(query.exit_code == 0);
  const net::HttpExchange rejected = Post("https://tsa.example/tsr", ReadBytes(dir.path() / "q.tsq"));
  REQUIRE(rejected.status == 200);
  auto r = CheckTimestampResponse(rejected.body, *request);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(r.error().message.find("rejection") != std::string::npos);
  CHECK(r.error().message.find("badAlg") != std::string::npos);
  auto v = VerifyTimestampToken(rejected.body, AsBytes(kNote), {}, TsaCa());
  REQUIRE_FALSE(v);
  CHECK(v.error().code == ErrorCode::kCorruption);

  // The TSA wants its content type.
  const net::HttpExchange wrong_type = Post("https://tsa.example/tsr", request->der, "application/octet-stream");
  CHECK(wrong_type.status == 415);
}

TEST_CASE("tsa: openssl ts -verify alone verifies a stored token as of its genTime", "[tsa]") {
  for (const char* host : {"tsa.example", "tsa-expired.example"}) {
    INFO(host);
    const Stamp stamp = StampNote(host);
    auto info = VerifyTimestampToken(stamp.response, AsBytes(kNote), stamp.request.nonce, TsaCa());
    REQUIRE(info);
    TempDir dir;
    const fs::path resp = dir.path() / "resp.tsr";
    const fs::path note = dir.path() / "note.txt";
    const fs::path ca = dir.path() / "tsa-ca.pem";
    WriteBytes(resp, stamp.response);
    testing::WriteFileText(note, std::string(kNote));
    testing::WriteFileText(ca, TsaCa());
    const std::string attime = std::to_string(info->gen_time_unix);

    // With the data.
    const auto by_data = RunCommand({"openssl", "ts", "-verify", "-in", resp.string(), "-data", note.string(),
                                     "-CAfile", ca.string(), "-attime", attime});
    INFO(by_data.out << by_data.err);
    CHECK(by_data.exit_code == 0);
    CHECK(by_data.out.find("Verification: OK") != std::string::npos);
    // With only the digest (what a checkpoint record stores).
    const auto by_digest =
        RunCommand({"openssl", "ts", "-verify", "-in", resp.string(), "-digest", crypto::Sha256(kNote).Hex(),
                    "-CAfile", ca.string(), "-attime", attime});
    INFO(by_digest.out << by_digest.err);
    CHECK(by_digest.exit_code == 0);
    // Other data fails.
    testing::WriteFileText(note, "something else\n");
    const auto other = RunCommand({"openssl", "ts", "-verify", "-in", resp.string(), "-data", note.string(),
                                   "-CAfile", ca.string(), "-attime", attime});
    CHECK(other.exit_code != 0);
  }
}
