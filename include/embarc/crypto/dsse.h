// DSSE v1 envelopes (Dead Simple Signing Envelope,
// https://github.com/secure-systems-lab/dsse, protocol.md and envelope.md).
// A signature covers PAE(payloadType, payload), never the envelope JSON, so the
// envelope may be re-serialised without invalidating it.
#ifndef EMBARC_CRYPTO_DSSE_H_
#define EMBARC_CRYPTO_DSSE_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"
#include "embarc/crypto/ed25519.h"

namespace embarc::crypto {

// payloadType of an embarc snapshot record (canonical JSON, see archive/FORMAT.md).
inline constexpr std::string_view kSnapshotPayloadType = "application/vnd.embarc.snapshot+json";
// Envelopes with more signatures than this are refused by Parse.
inline constexpr std::size_t kMaxDsseSignatures = 16;

// Pre-Authentication Encoding:
//   "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
// where LEN is the byte length as ASCII decimal with no leading zeros.
Bytes Pae(std::string_view payload_type, ByteView payload);

struct DsseSignature {
  std::string keyid;  // KeyId() of the signing key; an unauthenticated hint (DSSE allows "")
  Bytes sig;
};

struct Envelope {
  std::string payload_type;
  Bytes payload;
  std::vector<DsseSignature> signatures;

  // {"payload":<base64>,"payloadType":<type>,"signatures":[{"keyid":<id>,"sig":<base64>},...]}
  // in canonical JSON (RFC 8785: sorted keys, no whitespace); signatures in stored order.
  // Base64 is standard with padding. Strings that are not valid UTF-8 (which Parse
  // would reject) are written with U+FFFD replacements.
  std::string ToJson() const;
  // Strict: the three members above and nothing else, each signature an object with
  // "sig" and optionally "keyid" and nothing else, 1..kMaxDsseSignatures signatures,
  // strict padded base64. Errors: kCorruption on anything else (malformed JSON included).
  [[nodiscard]] static Result<Envelope> Parse(std::string_view json);
};

// Signs PAE(payload_type, payload) and returns an envelope with one signature whose
// keyid is signer.key_id(). Errors: kInvalidArgument if payload_type is empty or not
// valid UTF-8; the signer's errors.
[[nodiscard]] Result<Envelope> SignEnvelope(const Signer& signer, std::string_view payload_type, ByteView payload);

// Succeeds if at least one signature is by a key that `find_key` knows (it returns
// nullptr for an unknown keyid) and verifies over PAE, and no signature by a known key
// fails. Signatures by unknown keys are ignored.
// Errors: kCorruption naming the keyid of a failing signature, or saying that no
// signature is by a known key; kInvalidArgument if find_key is empty.
[[nodiscard]] Result<void> VerifyEnvelope(const Envelope& envelope,
                                          const std::function<const Verifier*(std::string_view keyid)>& find_key);

}  // namespace embarc::crypto

#endif  // EMBARC_CRYPTO_DSSE_H_
