#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "embarc/core/bytes.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/ed25519.h"

using namespace embarc;
using namespace embarc::crypto;

namespace {

std::unique_ptr<Ed25519Signer> SignerFromSeedByte(std::uint8_t b) {
  auto s = Ed25519Signer::FromSeed(Bytes(32, b));
  REQUIRE(s);
  return std::move(*s);
}

std::unique_ptr<Ed25519Verifier> VerifierFor(const Signer& signer) {
  auto v = Ed25519Verifier::FromRaw(signer.public_key());
  REQUIRE(v);
  return std::move(*v);
}

// A key lookup that knows exactly one verifier.
auto Knows(const Verifier& v) {
  return [&v](std::string_view keyid) -> const Verifier* { return keyid == v.key_id() ? &v : nullptr; };
}

}  // namespace

TEST_CASE("dsse: PAE of the protocol.md example", "[crypto]") {
  CHECK(ToString(Pae("http://example.com/HelloWorld", AsBytes("hello world"))) ==
        "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  CHECK(ToString(Pae("", {})) == "DSSEv1 0  0 ");
  const Bytes binary = {0x00, 0xff, 0x20};
  const Bytes pae = Pae("t", binary);
  CHECK(ToString(pae) == std::string("DSSEv1 1 t 3 \x00\xff\x20", 16));
}

TEST_CASE("dsse: envelope JSON is canonical and round trips", "[crypto]") {
  Envelope env;
  env.payload_type = "http://example.com/HelloWorld";
  env.payload = ToBytes("hello world");
  env.signatures.push_back({"k1", Bytes{1, 2, 3}});
  env.signatures.push_back({"k0", Bytes{0xfb, 0xff}});
  const std::string json = env.ToJson();
  CHECK(json ==
        R"({"payload":"aGVsbG8gd29ybGQ=","payloadType":"http://example.com/HelloWorld",)"
        R"("signatures":[{"keyid":"k1","sig":"AQID"},{"keyid":"k0","sig":"+/8="}]})");

  auto parsed = Envelope::Parse(json);
  REQUIRE(parsed);
  CHECK(parsed->payload_type == env.payload_type);
  CHECK(parsed->payload == env.payload);
  REQUIRE(parsed->signatures.size() == 2);
  CHECK(parsed->signatures[0].keyid == "k1");
  CHECK(parsed->signatures[0].sig == Bytes{1, 2, 3});
  CHECK(parsed->signatures[1].keyid == "k0");
  CHECK(parsed->ToJson() == json);

  // Whitespace and member order do not matter to Parse; keyid is optional in DSSE.
  auto loose = Envelope::Parse(R"( { "signatures" : [ { "sig" : "AQID" } ], "payloadType":"t", "payload":"" } )");
  REQUIRE(loose);
  CHECK(loose->payload.empty());
  CHECK(loose->signatures.at(0).keyid.empty());
}

TEST_CASE("dsse: Parse is strict", "[crypto]") {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"AQID"}],"extra":1})",
      R"({"payload":"aGk=","payloadType":"t"})",
      R"({"payload":"aGk","payloadType":"t","signatures":[{"keyid":"k","sig":"AQID"}]})",      // unpadded base64
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"AQ ID"}]})",
      R"({"payload":"aGk=","payloadType":"","signatures":[{"keyid":"k","sig":"AQID"}]})",
      R"({"payload":"aGk=","payloadType":7,"signatures":[{"keyid":"k","sig":"AQID"}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k"}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":1,"sig":"AQID"}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"k","sig":"AQID","x":0}]})",
      R"({"payload":"aGk=","payloadType":"t","signatures":["AQID"]})",
      R"({"payload":"aGk=","payload":"aGk=","payloadType":"t","signatures":[{"sig":"AQID"}]})",  // duplicate
      R"({"payload":"aGk=","payloadType":"t","signatures":[{"sig":"AQID"}]} trailing)",
      R"({"payload":"aGk=","payloadType":"t","signatures":[[{"sig":"AQID"}]]})",  // too deep
  };
  for (const char* text : bad) {
    INFO(text);
    auto r = Envelope::Parse(text);
    CHECK_FALSE(r);
    if (!r) CHECK(r.error().code == ErrorCode::kCorruption);
  }

  std::string many = R"({"payload":"aGk=","payloadType":"t","signatures":[)";
  for (std::size_t i = 0; i <= kMaxDsseSignatures; ++i) many += std::string(i ? "," : "") + R"({"sig":"AQID"})";
  many += "]}";
  CHECK(Envelope::Parse(many).error().code == ErrorCode::kCorruption);
  // The same in the form ToJson writes (read without the JSON parser) is refused as well.
  Envelope written;
  written.payload_type = "t";
  written.payload = ToBytes("hi");
  for (std::size_t i = 0; i <= kMaxDsseSignatures; ++i) written.signatures.push_back({"k", Bytes{1, 2, 3}});
  CHECK(Envelope::Parse(written.ToJson()).error().code == ErrorCode::kCorruption);
  written.signatures.resize(kMaxDsseSignatures);
  CHECK(Envelope::Parse(written.ToJson()));
}

TEST_CASE("dsse: an envelope as ToJson writes it and the same envelope written otherwise parse alike", "[crypto]") {
  // As written, every string plain ASCII: read without the JSON parser.
  const std::string written =
      R"({"payload":"aGVsbG8=","payloadType":"application/vnd.embarc.snapshot+json",)"
      R"("signatures":[{"keyid":"k1","sig":"AQID"},{"keyid":"","sig":"+/8="}]})";
  // The same values, with escapes, spacing and another member order: the full parse.
  const std::string other =
      R"({ "signatures":[{"sig":"AQID","keyid":"\u006b1"},{"keyid":"","sig":"+\/8="}],)"
      R"("payloadType":"application\/vnd.embarc.snapshot+json","payload":"aGVsbG8=" })";
  auto a = Envelope::Parse(written);
  auto b = Envelope::Parse(other);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->payload == ToBytes("hello"));
  CHECK(a->payload == b->payload);
  CHECK(a->payload_type == b->payload_type);
  REQUIRE(a->signatures.size() == 2);
  REQUIRE(b->signatures.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(a->signatures[i].keyid == b->signatures[i].keyid);
    CHECK(a->signatures[i].sig == b->signatures[i].sig);
  }
  CHECK(a->ToJson() == written);
  CHECK(b->ToJson() == written);
  // Damage in the written form is refused as the full parse refuses it.
  for (const std::string& bad : {written.substr(0, written.size() - 1), written + " x",
                                 std::string(written).replace(written.find("AQID"), 4, "AQI!"),
                                 std::string(written).replace(written.find("aGVsbG8="), 8, "aGVsbG8")}) {
    INFO(bad);
    auto r = Envelope::Parse(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
}

TEST_CASE("dsse: sign and verify, and tampering is corruption", "[crypto]") {
  auto signer = SignerFromSeedByte(7);
  auto verifier = VerifierFor(*signer);
  const std::string payload = R"({"post":"https://example.com/p/1","state":"available"})";
  auto env = SignEnvelope(*signer, kSnapshotPayloadType, AsBytes(payload));
  REQUIRE(env);
  CHECK(env->payload_type == kSnapshotPayloadType);
  REQUIRE(env->signatures.size() == 1);
  CHECK(env->signatures[0].keyid == signer->key_id());
  // The signature is over PAE, not over the bare payload.
  CHECK(verifier->Verify(Pae(kSnapshotPayloadType, AsBytes(payload)), env->signatures[0].sig));
  CHECK_FALSE(verifier->Verify(AsBytes(payload), env->signatures[0].sig));

  REQUIRE(VerifyEnvelope(*env, Knows(*verifier)));
  auto reparsed = Envelope::Parse(env->ToJson());
  REQUIRE(reparsed);
  CHECK(VerifyEnvelope(*reparsed, Knows(*verifier)));

  SECTION("payload") {
    Envelope t = *env;
    t.payload.back() ^= 0x01;
    auto r = VerifyEnvelope(t, Knows(*verifier));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find(signer->key_id()) != std::string::npos);
  }
  SECTION("payloadType") {
    Envelope t = *env;
    t.payload_type = "application/vnd.embarc.snapshot+jsoN";
    CHECK(VerifyEnvelope(t, Knows(*verifier)).error().code == ErrorCode::kCorruption);
  }
  SECTION("sig") {
    Envelope t = *env;
    t.signatures[0].sig[10] ^= 0x80;
    CHECK(VerifyEnvelope(t, Knows(*verifier)).error().code == ErrorCode::kCorruption);
  }
  SECTION("a byte of the serialised envelope") {
    std::string json = env->ToJson();
    const auto pos = json.find("\"payload\":\"") + 12;
    json[pos] = json[pos] == 'A' ? 'B' : 'A';
    auto t = Envelope::Parse(json);
    REQUIRE(t);
    CHECK(VerifyEnvelope(*t, Knows(*verifier)).error().code == ErrorCode::kCorruption);
  }
  SECTION("unknown key") {
    auto other = VerifierFor(*SignerFromSeedByte(8));
    auto r = VerifyEnvelope(*env, Knows(*other));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find(signer->key_id()) != std::string::npos);
  }
  SECTION("a keyid that lies about the key") {
    // The lookup maps the keyid to the wrong key: the signature must still fail.
    auto other = VerifierFor(*SignerFromSeedByte(8));
    const Verifier* wrong = other.get();
    auto r = VerifyEnvelope(*env, [wrong](std::string_view) { return wrong; });
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
  SECTION("no lookup") {
    CHECK(VerifyEnvelope(*env, nullptr).error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("dsse: several signatures", "[crypto]") {
  auto a = SignerFromSeedByte(1);
  auto b = SignerFromSeedByte(2);
  auto va = VerifierFor(*a);
  auto vb = VerifierFor(*b);
  const Bytes payload = ToBytes("{}");
  auto env = SignEnvelope(*a, "t", payload);
  REQUIRE(env);
  auto second = SignEnvelope(*b, "t", payload);
  REQUIRE(second);
  env->signatures.push_back(second->signatures[0]);
  auto both = [&](std::string_view id) -> const Verifier* {
    if (id == va->key_id()) return va.get();
    if (id == vb->key_id()) return vb.get();
    return nullptr;
  };
  CHECK(VerifyEnvelope(*env, both));
  CHECK(VerifyEnvelope(*env, Knows(*vb)));  // a's signature is by an unknown key: ignored

  // A bad signature by a known key fails even when another known key's signature verifies.
  env->signatures[1].sig[0] ^= 0x01;
  auto r = VerifyEnvelope(*env, both);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kCorruption);
  CHECK(r.error().message.find(vb->key_id()) != std::string::npos);
  CHECK(VerifyEnvelope(*env, Knows(*va)));
}

TEST_CASE("dsse: SignEnvelope validates payloadType", "[crypto]") {
  auto signer = SignerFromSeedByte(3);
  CHECK(SignEnvelope(*signer, "", AsBytes("x")).error().code == ErrorCode::kInvalidArgument);
  CHECK(SignEnvelope(*signer, "\xff", AsBytes("x")).error().code == ErrorCode::kInvalidArgument);
}
