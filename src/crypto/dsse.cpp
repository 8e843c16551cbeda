#include "embarc/crypto/dsse.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>
#include <utility>

#include "embarc/core/json.h"

namespace embarc::crypto {
namespace {

// object -> "signatures" array -> signature object.
constexpr int kEnvelopeJsonDepth = 3;

Error Corrupt(const std::string& what) { return Error{ErrorCode::kCorruption, "DSSE envelope: " + what}; }

Result<Bytes> DecodeBase64Member(const nlohmann::json& value, const char* name) {
  if (!value.is_string()) return tl::unexpected(Corrupt(std::string("\"") + name + "\" is not a string"));
  auto decoded = Base64Decode(value.get_ref<const std::string&>());
  if (!decoded) return tl::unexpected(Corrupt(std::string("\"") + name + "\" is not valid base64"));
  return std::move(*decoded);
}

// A JSON string's content in the form ToJson writes it, up to its closing quote (consumed):
// printable ASCII without '"' or '\\', so the raw bytes are the value. nullopt otherwise.
std::optional<std::string_view> TakePlainString(std::string_view& json) {
  const std::size_t end = json.find('"');
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view value = json.substr(0, end);
  for (char c : value) {
    if (c < 0x20 || c > 0x7e || c == '\\') return std::nullopt;
  }
  json.remove_prefix(end + 1);
  return value;
}

bool TakeLiteral(std::string_view& json, std::string_view literal) {
  if (!json.starts_with(literal)) return false;
  json.remove_prefix(literal.size());
  return true;
}

// Envelopes exactly as ToJson writes them (what embarc stores and exports), read without a JSON
// parser: verify reads one per record. nullopt for anything else, which Parse then reads in full;
// on what this accepts, both give the same envelope.
std::optional<Envelope> ParseAsWritten(std::string_view json) {
  Envelope env;
  if (!TakeLiteral(json, R"({"payload":")")) return std::nullopt;
  const auto payload = TakePlainString(json);
  if (!payload || !TakeLiteral(json, R"(,"payloadType":")")) return std::nullopt;
  const auto type = TakePlainString(json);
  if (!type || type->empty() || !TakeLiteral(json, R"(,"signatures":[)")) return std::nullopt;
  auto decoded = Base64Decode(*payload);
  if (!decoded) return std::nullopt;
  env.payload = std::move(*decoded);
  env.payload_type = std::string(*type);
  while (true) {
    if (env.signatures.size() == kMaxDsseSignatures || !TakeLiteral(json, R"({"keyid":")")) return std::nullopt;
    const auto keyid = TakePlainString(json);
    if (!keyid || !TakeLiteral(json, R"(,"sig":")")) return std::nullopt;
    const auto sig = TakePlainString(json);
    if (!sig || !TakeLiteral(json, "}")) return std::nullopt;
    auto sig_bytes = Base64Decode(*sig);
    if (!sig_bytes) return std::nullopt;
    env.signatures.push_back(DsseSignature{std::string(*keyid), std::move(*sig_bytes)});
    if (TakeLiteral(json, ",")) continue;
    if (TakeLiteral(json, "]}") && json.empty()) return env;
    return std::nullopt;
  }
}

}  // namespace

Bytes Pae(std::string_view payload_type, ByteView payload) {
  // Appended piece by piece (also avoids GCC 12's false -Wrestrict on "literal" + std::string in Release).
  const std::string type_len = std::to_string(payload_type.size());
  const std::string body_len = std::to_string(payload.size());
  constexpr std::string_view kPrefix = "DSSEv1 ";
  Bytes out;
  out.reserve(kPrefix.size() + type_len.size() + 1 + payload_type.size() + 1 + body_len.size() + 1 + payload.size());
  auto append = [&out](std::string_view s) { out.insert(out.end(), s.begin(), s.end()); };
  append(kPrefix);
  append(type_len);
  out.push_back(' ');
  append(payload_type);
  out.push_back(' ');
  append(body_len);
  out.push_back(' ');
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::string Envelope::ToJson() const {
  nlohmann::json sigs = nlohmann::json::array();
  for (const DsseSignature& s : signatures) {
    sigs.push_back({{"keyid", SanitizeUtf8(s.keyid)}, {"sig", Base64Encode(s.sig)}});
  }
  const nlohmann::json j = {
      {"payload", Base64Encode(payload)},
      {"payloadType", SanitizeUtf8(payload_type)},
      {"signatures", std::move(sigs)},
  };
  // Cannot fail: every value is a valid UTF-8 string and the depth is 3.
  Result<std::string> text = CanonicalJson(j);
  return text ? std::move(*text) : std::string();
}

Result<Envelope> Envelope::Parse(std::string_view json) {
  if (auto fast = ParseAsWritten(json)) return std::move(*fast);
  auto parsed = ParseJson(json, kEnvelopeJsonDepth);
  if (!parsed) return tl::unexpected(Corrupt(parsed.error().message));
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return tl::unexpected(Corrupt("not a JSON object"));
  for (const auto& [key, unused] : j.items()) {
    if (key != "payload" && key != "payloadType" && key != "signatures") {
      return tl::unexpected(Corrupt("unexpected member \"" + key + "\""));
    }
  }
  if (!j.contains("payload") || !j.contains("payloadType") || !j.contains("signatures")) {
    return tl::unexpected(Corrupt("needs \"payload\", \"payloadType\" and \"signatures\""));
  }
  Envelope env;
  EMBARC_ASSIGN_OR_RETURN(env.payload, DecodeBase64Member(j.at("payload"), "payload"));
  const nlohmann::json& type = j.at("payloadType");
  if (!type.is_string() || type.get_ref<const std::string&>().empty()) {
    return tl::unexpected(Corrupt("\"payloadType\" is not a non-empty string"));
  }
  env.payload_type = type.get<std::string>();
  const nlohmann::json& sigs = j.at("signatures");
  if (!sigs.is_array() || sigs.empty()) return tl::unexpected(Corrupt("\"signatures\" is not a non-empty array"));
  if (sigs.size() > kMaxDsseSignatures) {
    return tl::unexpected(Corrupt("more than " + std::to_string(kMaxDsseSignatures) + " signatures"));
  }
  for (const nlohmann::json& s : sigs) {
    if (!s.is_object()) return tl::unexpected(Corrupt("a signature is not an object"));
    for (const auto& [key, unused] : s.items()) {
      if (key != "keyid" && key != "sig") return tl::unexpected(Corrupt("unexpected signature member \"" + key + "\""));
    }
    if (!s.contains("sig")) return tl::unexpected(Corrupt("a signature has no \"sig\""));
    DsseSignature sig;
    if (s.contains("keyid")) {
      if (!s.at("keyid").is_string()) return tl::unexpected(Corrupt("\"keyid\" is not a string"));
      sig.keyid = s.at("keyid").get<std::string>();
    }
    EMBARC_ASSIGN_OR_RETURN(sig.sig, DecodeBase64Member(s.at("sig"), "sig"));
    env.signatures.push_back(std::move(sig));
  }
  return env;
}

Result<Envelope> SignEnvelope(const Signer& signer, std::string_view payload_type, ByteView payload) {
  if (payload_type.empty() || !IsValidUtf8(payload_type)) {
    return Fail(ErrorCode::kInvalidArgument, "DSSE payloadType must be a non-empty UTF-8 string");
  }
  EMBARC_ASSIGN_OR_RETURN(Bytes sig, signer.Sign(Pae(payload_type, payload)));
  Envelope env;
  env.payload_type = std::string(payload_type);
  env.payload.assign(payload.begin(), payload.end());
  env.signatures.push_back(DsseSignature{signer.key_id(), std::move(sig)});
  return env;
}

Result<void> VerifyEnvelope(const Envelope& envelope,
                            const std::function<const Verifier*(std::string_view keyid)>& find_key) {
  if (!find_key) return Fail(ErrorCode::kInvalidArgument, "VerifyEnvelope needs a key lookup");
  const Bytes pae = Pae(envelope.payload_type, envelope.payload);
  std::size_t verified = 0;
  std::string unknown;
  for (const DsseSignature& s : envelope.signatures) {
    const Verifier* verifier = find_key(s.keyid);
    if (verifier == nullptr) {
      unknown += unknown.empty() ? "" : ", ";
      unknown += s.keyid.empty() ? std::string("(none)") : SanitizeUtf8(s.keyid);
      continue;
    }
    if (auto ok = verifier->Verify(pae, s.sig); !ok) {
      if (ok.error().code != ErrorCode::kCorruption) return ok;
      return Fail(ErrorCode::kCorruption, "DSSE signature by key " + SanitizeUtf8(s.keyid) + " does not verify");
    }
    ++verified;
  }
  if (verified == 0) {
    return Fail(ErrorCode::kCorruption,
                "DSSE envelope has no signature by a known key (keyids: " + (unknown.empty() ? "none" : unknown) + ")");
  }
  return Ok();
}

}  // namespace embarc::crypto
