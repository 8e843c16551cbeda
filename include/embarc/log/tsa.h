// RFC 3161 time-stamping of checkpoints (DESIGN.md §4 "Trusted time").
//
// A checkpoint's bytes are sent as a TimeStampReq (SHA-256 message imprint, a random
// 64-bit nonce, certReq = true) to one or more TSAs over HTTPS (POST, Content-Type
// application/timestamp-query). The whole TimeStampResp DER is kept with the TSA's CA
// certificates, so that anyone can verify it offline years later with openssl alone:
//
//   openssl ts -verify -in resp.tsr -data checkpoint.txt -CAfile tsa-ca.pem -attime <genTime epoch>
//
// (-attime: the chain is checked as of the token's own genTime, so a TSA certificate
// that has expired since does not break old evidence; VerifyTimestampToken does the same.)
//
// This module only builds requests and checks answers; the fetch is the caller's (net/).
#ifndef EMBARC_LOG_TSA_H_
#define EMBARC_LOG_TSA_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"
#include "embarc/crypto/sha256.h"

namespace embarc::log {

// A TimeStampResp larger than this is refused (kLimitExceeded) before it is parsed.
inline constexpr std::size_t kMaxTimestampResponseBytes = 64u << 10;
// A nonce longer than this (ours are 8 bytes) is refused (kInvalidArgument).
inline constexpr std::size_t kMaxTimestampNonceBytes = 64;

// HTTP content types of RFC 3161 §3.4.
inline constexpr const char* kTimestampQueryContentType = "application/timestamp-query";
inline constexpr const char* kTimestampReplyContentType = "application/timestamp-reply";

struct TimestampRequest {
  Bytes der;                   // the DER TimeStampReq, the body to POST
  Bytes nonce;                 // the nonce as 8 big-endian bytes (compared as an integer)
  crypto::Sha256Digest imprint;  // SHA-256 of the stamped data
};

// What a verified token says.
struct TimestampInfo {
  std::string gen_time;         // genTime as RFC 3339 UTC, e.g. "2020-06-15T12:00:00Z" (fraction kept)
  std::string tsa_name;         // the token's tsa field: RFC 2253 for a directoryName; empty if absent
  std::string serial_hex;       // serialNumber, lower-case hex without leading zeros
  std::string policy_oid;       // the TSA policy, dotted decimal
  std::string signer_cert_pem;  // the certificate that signed the token, PEM
  std::int64_t gen_time_unix = 0;  // genTime in seconds since the epoch (fraction dropped), for -attime
};

// Builds a TimeStampReq for `data`: SHA-256 imprint, a random 64-bit nonce, certReq = true.
// Errors: kCrypto if OpenSSL fails.
[[nodiscard]] Result<TimestampRequest> MakeTimestampRequest(ByteView data);

// Reads back a stored TimeStampReq: its SHA-256 imprint and nonce (8 bytes or more, big-endian;
// empty when the request had none). Errors: kInvalidArgument if it is not a DER TimeStampReq
// with a SHA-256 imprint; kLimitExceeded over kMaxTimestampResponseBytes.
[[nodiscard]] Result<TimestampRequest> ParseTimestampRequest(ByteView der);

// Checks a TSA's answer to `request` right after the fetch: the TimeStampResp must have
// status granted (or grantedWithMods), the token's imprint (SHA-256) and nonce must be the
// request's, and the CMS signature must verify with the signer certificate included in the
// token (no chain or validity-time check here: that is VerifyTimestampToken's job).
// Errors: kLimitExceeded over kMaxTimestampResponseBytes; kInvalidArgument if the bytes are not
// a DER TimeStampResp; kUnavailable if the TSA did not grant (message: status and its text);
// kCorruption for a mismatched imprint or nonce, a missing signer certificate or a bad signature.
[[nodiscard]] Result<TimestampInfo> CheckTimestampResponse(ByteView response_der,
                                                           const TimestampRequest& request);

// Full offline verification of a stored TimeStampResp against the stamped `data`: the status,
// the SHA-256 imprint of `data`, the nonce (empty `nonce`: the token must carry none), the CMS
// signature (with the ESS signing-certificate binding), the signer's timeStamping key usage,
// and the certificate chain to one of `trust_anchors_pem` (one or more PEM certificates), all
// as of the token's own genTime (X509_V_FLAG_USE_CHECK_TIME), so an expired TSA certificate
// does not break evidence stamped while it was valid.
// Errors: kLimitExceeded over kMaxTimestampResponseBytes; kInvalidArgument if
// `trust_anchors_pem` holds no certificate or `nonce` exceeds kMaxTimestampNonceBytes; kCorruption for anything else that fails, with a
// message naming what failed (undecodable response, status, imprint, nonce, signature, chain).
[[nodiscard]] Result<TimestampInfo> VerifyTimestampToken(ByteView response_der, ByteView data, ByteView nonce,
                                                         const std::string& trust_anchors_pem);

}  // namespace embarc::log

#endif  // EMBARC_LOG_TSA_H_
