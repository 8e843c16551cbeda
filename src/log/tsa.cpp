// RFC 3161 requests and responses with OpenSSL's TS API.
//
// The imprint and nonce are compared here before OpenSSL's own checks so that a mismatch is
// reported in words; the signature, the ESS signing-certificate binding, the signer's key usage
// and the chain are left to TS_RESP_verify_response, which is what `openssl ts -verify` runs.
#include "embarc/log/tsa.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <climits>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "crypto/openssl_handles.h"
#include "core/ascii.h"

namespace embarc::log {
namespace {

using crypto::Bio;
using crypto::Sha256Digest;

constexpr std::size_t kNonceBytes = 8;  // a 64-bit nonce (RFC 3161 §2.4.1 recommends >= 64 bits)

struct TsReqFree {
  void operator()(TS_REQ* p) const { TS_REQ_free(p); }
};
struct TsMsgImprintFree {
  void operator()(TS_MSG_IMPRINT* p) const { TS_MSG_IMPRINT_free(p); }
};
struct X509AlgorFree {
  void operator()(X509_ALGOR* p) const { X509_ALGOR_free(p); }
};
struct Asn1IntegerFree {
  void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); }
};
struct BignumFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct TsRespFree {
  void operator()(TS_RESP* p) const { TS_RESP_free(p); }
};
struct TsVerifyCtxFree {
  void operator()(TS_VERIFY_CTX* p) const { TS_VERIFY_CTX_free(p); }
};
struct X509StoreFree {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
// PKCS7_get0_signers returns a stack that owns no certificates.
struct X509StackShallowFree {
  void operator()(STACK_OF(X509) * p) const { sk_X509_free(p); }
};
struct OpenSslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};

using TsReq = std::unique_ptr<TS_REQ, TsReqFree>;
using TsMsgImprint = std::unique_ptr<TS_MSG_IMPRINT, TsMsgImprintFree>;
using X509Algor = std::unique_ptr<X509_ALGOR, X509AlgorFree>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, Asn1IntegerFree>;
using Bignum = std::unique_ptr<BIGNUM, BignumFree>;
using TsResp = std::unique_ptr<TS_RESP, TsRespFree>;
using TsVerifyCtx = std::unique_ptr<TS_VERIFY_CTX, TsVerifyCtxFree>;
using X509Store = std::unique_ptr<X509_STORE, X509StoreFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using X509Signers = std::unique_ptr<STACK_OF(X509), X509StackShallowFree>;
using OpenSslString = std::unique_ptr<char, OpenSslFree>;

// Drains the whole error queue: TS verification pushes a generic entry ("certificate verify
// error") whose detail ("Verify error:certificate has expired") is in the entry's data.
std::string TakeAllOpenSslErrors() {
  std::string text;
  const char* data = nullptr;
  int flags = 0;
  while (const unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    const char* reason = ERR_reason_error_string(code);
    std::string entry = reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(code));
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') entry += std::string(" (") + data + ")";
    if (text.find(entry) != std::string::npos) continue;
    if (!text.empty()) text += "; ";
    text += entry;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

Result<Asn1Integer> NonceToAsn1(ByteView nonce) {
  if (nonce.size() > kMaxTimestampNonceBytes) {
    return Fail(ErrorCode::kInvalidArgument, "nonce of " + std::to_string(nonce.size()) + " bytes exceeds " +
                                                 std::to_string(kMaxTimestampNonceBytes));
  }
  Bignum bn(BN_bin2bn(nonce.data(), static_cast<int>(nonce.size()), nullptr));
  if (bn == nullptr) return Fail(ErrorCode::kCrypto, "nonce: " + crypto::TakeOpenSslError());
  Asn1Integer integer(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (integer == nullptr) return Fail(ErrorCode::kCrypto, "nonce: " + crypto::TakeOpenSslError());
  return integer;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 && data != nullptr ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// Names of the PKIFailureInfo bits of RFC 3161 §2.4.2.
std::string FailureInfoText(const ASN1_BIT_STRING* bits) {
  if (bits == nullptr) return {};
  static constexpr std::array<std::pair<int, const char*>, 8> kNames = {{{0, "badAlg"},
                                                                          {2, "badRequest"},
                                                                          {5, "badDataFormat"},
                                                                          {14, "timeNotAvailable"},
                                                                          {15, "unacceptedPolicy"},
                                                                          {16, "unacceptedExtension"},
                                                                          {17, "addInfoNotAvailable"},
                                                                          {25, "systemFailure"}}};
  std::string text;
  for (const auto& [bit, name] : kNames) {
    if (ASN1_BIT_STRING_get_bit(bits, bit) == 0) continue;
    if (!text.empty()) text += ",";
    text += name;
  }
  return text;
}

// Returns the error for a response whose status grants no token, or nothing.
Result<void> CheckGranted(TS_RESP* resp, ErrorCode code) {
  const TS_STATUS_INFO* info = TS_RESP_get_status_info(resp);
  const long status = info != nullptr ? ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info)) : -1;
  if (status == 0 || status == 1) return Ok();  // granted, grantedWithMods
  static constexpr std::array<const char*, 6> kStatusNames = {
      "granted", "grantedWithMods", "rejection", "waiting", "revocationWarning", "revocationNotification"};
  std::string message = "TSA status ";
  message += status >= 0 && status < static_cast<long>(kStatusNames.size()) ? kStatusNames[static_cast<std::size_t>(status)]
                                                                            : std::to_string(status);
  if (info != nullptr) {
    const STACK_OF(ASN1_UTF8STRING)* texts = TS_STATUS_INFO_get0_text(info);
    for (int i = 0; texts != nullptr && i < sk_ASN1_UTF8STRING_num(texts); ++i) {
      const ASN1_UTF8STRING* s = sk_ASN1_UTF8STRING_value(texts, i);
      message += i == 0 ? ": \"" : ", \"";
      message.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
      message += "\"";
    }
    const std::string failure = FailureInfoText(TS_STATUS_INFO_get0_failure_info(info));
    if (!failure.empty()) message += " (failure info: " + failure + ")";
  }
  return Fail(code, message);
}

// Parses a TimeStampResp; `code` is the error for bytes that are not one.
Result<TsResp> ParseResponse(ByteView der, ErrorCode code) {
  if (der.size() > kMaxTimestampResponseBytes) {
    return Fail(ErrorCode::kLimitExceeded, "timestamp response of " + std::to_string(der.size()) +
                                               " bytes exceeds " + std::to_string(kMaxTimestampResponseBytes));
  }
  const unsigned char* p = der.data();
  TsResp resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  if (resp == nullptr) {
    return Fail(code, "timestamp response is not a DER TimeStampResp: " + TakeAllOpenSslErrors());
  }
  if (p != der.data() + der.size()) {
    return Fail(code, "timestamp response has " + std::to_string(der.data() + der.size() - p) + " trailing bytes");
  }
  return resp;
}

// The token's message imprint must be SHA-256 of the stamped data.
Result<void> CheckImprint(TS_TST_INFO* tst, const Sha256Digest& expected) {
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst);
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  if (OBJ_obj2nid(algorithm) != NID_sha256) {
    return Fail(ErrorCode::kCorruption, "timestamp token: message imprint is not SHA-256");
  }
  const ASN1_OCTET_STRING* hash = TS_MSG_IMPRINT_get_msg(imprint);
  const ByteView got(ASN1_STRING_get0_data(hash), static_cast<std::size_t>(ASN1_STRING_length(hash)));
  if (!std::ranges::equal(got, expected.view())) {
    return Fail(ErrorCode::kCorruption, "timestamp token: message imprint " + HexEncode(got) +
                                            " does not match the data (" + expected.Hex() + ")");
  }
  return Ok();
}

// The token's nonce must equal `nonce` as an integer; an empty `nonce` means none was sent.
Result<void> CheckNonce(TS_TST_INFO* tst, ByteView nonce) {
  const ASN1_INTEGER* got = TS_TST_INFO_get_nonce(tst);
  if (nonce.empty()) {
    if (got != nullptr) return Fail(ErrorCode::kCorruption, "timestamp token: has a nonce, none was expected");
    return Ok();
  }
  if (got == nullptr) return Fail(ErrorCode::kCorruption, "timestamp token: has no nonce");
  EMBARC_ASSIGN_OR_RETURN(Asn1Integer expected, NonceToAsn1(nonce));
  if (ASN1_INTEGER_cmp(got, expected.get()) != 0) {
    return Fail(ErrorCode::kCorruption, "timestamp token: nonce does not match the request");
  }
  return Ok();
}

// The certificate that signed the token, from the token's own certificates.
Result<X509Ptr> SignerOf(PKCS7* token) {
  X509Signers signers(PKCS7_get0_signers(token, nullptr, 0));
  if (signers == nullptr || sk_X509_num(signers.get()) != 1) {
    return Fail(ErrorCode::kCorruption,
                "timestamp token: the signer certificate is not in the token: " + TakeAllOpenSslErrors());
  }
  X509* signer = sk_X509_value(signers.get(), 0);
  if (X509_up_ref(signer) != 1) return Fail(ErrorCode::kCrypto, "X509_up_ref: " + crypto::TakeOpenSslError());
  return X509Ptr(signer);
}

// A TimeStampReq for a SHA-256 imprint (sha256 with NULL parameters, as `openssl ts -query`
// writes it), certReq = true; no nonce if `nonce` is empty. The setters copy their arguments.
Result<TsReq> BuildRequest(const Sha256Digest& imprint, ByteView nonce) {
  TsReq req(TS_REQ_new());
  TsMsgImprint msg(TS_MSG_IMPRINT_new());
  X509Algor algorithm(X509_ALGOR_new());
  if (req == nullptr || msg == nullptr || algorithm == nullptr) {
    return Fail(ErrorCode::kCrypto, "TS_REQ_new: " + crypto::TakeOpenSslError());
  }
  bool ok = X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
            TS_MSG_IMPRINT_set_algo(msg.get(), algorithm.get()) == 1 &&
            TS_MSG_IMPRINT_set_msg(msg.get(), const_cast<unsigned char*>(imprint.bytes.data()),
                                   static_cast<int>(imprint.bytes.size())) == 1 &&
            TS_REQ_set_version(req.get(), 1) == 1 && TS_REQ_set_msg_imprint(req.get(), msg.get()) == 1 &&
            TS_REQ_set_cert_req(req.get(), 1) == 1;
  if (ok && !nonce.empty()) {
    EMBARC_ASSIGN_OR_RETURN(Asn1Integer integer, NonceToAsn1(nonce));
    ok = TS_REQ_set_nonce(req.get(), integer.get()) == 1;
  }
  if (!ok) return Fail(ErrorCode::kCrypto, "building TimeStampReq: " + crypto::TakeOpenSslError());
  return req;
}

// Runs OpenSSL's token verification, as `openssl ts -verify` does: signature, ESS
// signing-certificate binding, signer key usage and the chain to `store` (whose verify
// parameters decide about time), plus version, imprint (algorithm and hash) and nonce once more.
Result<void> VerifyWithOpenSsl(TS_RESP* resp, X509Store store, const Sha256Digest& imprint, ByteView nonce) {
  EMBARC_ASSIGN_OR_RETURN(TsReq req, BuildRequest(imprint, nonce));
  // Sets the imprint, its algorithm, the nonce and the TS_VFY_* flags for them (OpenSSL 3.0
  // has no TS_VERIFY_CTX_set_nonce).
  TsVerifyCtx ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
  if (ctx == nullptr) return Fail(ErrorCode::kCrypto, "TS_REQ_to_TS_VERIFY_CTX: " + crypto::TakeOpenSslError());
  TS_VERIFY_CTX_add_flags(ctx.get(), TS_VFY_SIGNATURE);
  // The context owns the store from here (TS_VERIFY_CTX_free frees it in OpenSSL 3.0).
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());
  ERR_clear_error();
  if (TS_RESP_verify_response(ctx.get(), resp) != 1) {
    return Fail(ErrorCode::kCorruption, "timestamp token does not verify: " + TakeAllOpenSslErrors());
  }
  return Ok();
}

struct GenTime {
  std::string rfc3339;
  std::int64_t unix_seconds = 0;
};

// GeneralizedTime "YYYYMMDDHHMMSS[.fff]Z" (RFC 3161 §2.4.2 requires UTC).
Result<GenTime> ParseGenTime(const ASN1_GENERALIZEDTIME* t) {
  if (t == nullptr) return Fail(ErrorCode::kCorruption, "timestamp token: no genTime");
  const std::string_view raw(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                             static_cast<std::size_t>(ASN1_STRING_length(t)));
  const auto bad = [&] { return Fail(ErrorCode::kCorruption, "timestamp token: bad genTime \"" + std::string(raw) + "\""); };
  if (raw.size() < 15 || raw.back() != 'Z') return bad();
  for (std::size_t i = 0; i < 14; ++i) {
    if (std::isdigit(static_cast<unsigned char>(raw[i])) == 0) return bad();
  }
  std::string_view fraction = raw.substr(14, raw.size() - 15);  // "" or ".ddd"
  if (!fraction.empty()) {
    if (fraction.size() < 2 || fraction[0] != '.') return bad();
    for (const char c : fraction.substr(1)) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) return bad();
    }
  }
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return bad();
  const std::chrono::year_month_day day{std::chrono::year(tm.tm_year + 1900),
                                        std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                                        std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
  if (!day.ok()) return bad();
  const auto seconds = std::chrono::sys_days(day).time_since_epoch() + std::chrono::hours(tm.tm_hour) +
                       std::chrono::minutes(tm.tm_min) + std::chrono::seconds(tm.tm_sec);
  GenTime out;
  out.unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(seconds).count();
  // The digits were checked above and by ASN1_TIME_to_tm: "YYYYMMDDHHMMSS" -> "YYYY-MM-DDTHH:MM:SS".
  out.rfc3339 = std::string(raw.substr(0, 4)) + "-" + std::string(raw.substr(4, 2)) + "-" +
                std::string(raw.substr(6, 2)) + "T" + std::string(raw.substr(8, 2)) + ":" +
                std::string(raw.substr(10, 2)) + ":" + std::string(raw.substr(12, 2)) + std::string(fraction) + "Z";
  return out;
}

Result<std::string> TsaNameText(TS_TST_INFO* tst) {
  const GENERAL_NAME* name = TS_TST_INFO_get_tsa(tst);
  if (name == nullptr) return std::string();
  Bio bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return Fail(ErrorCode::kCrypto, "BIO_new: " + crypto::TakeOpenSslError());
  if (name->type == GEN_DIRNAME) {
    X509_NAME_print_ex(bio.get(), name->d.directoryName, 0, XN_FLAG_RFC2253);
  } else {
    GENERAL_NAME_print(bio.get(), const_cast<GENERAL_NAME*>(name));
  }
  return BioContents(bio.get());
}

Result<TimestampInfo> InfoOf(TS_TST_INFO* tst, X509* signer) {
  TimestampInfo info;
  EMBARC_ASSIGN_OR_RETURN(GenTime gen_time, ParseGenTime(TS_TST_INFO_get_time(tst)));
  info.gen_time = std::move(gen_time.rfc3339);
  info.gen_time_unix = gen_time.unix_seconds;
  EMBARC_ASSIGN_OR_RETURN(info.tsa_name, TsaNameText(tst));

  Bignum serial(ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(tst), nullptr));
  if (serial == nullptr) return Fail(ErrorCode::kCorruption, "timestamp token: bad serial number");
  OpenSslString hex(BN_bn2hex(serial.get()));
  if (hex == nullptr) return Fail(ErrorCode::kCrypto, "BN_bn2hex: " + crypto::TakeOpenSslError());
  info.serial_hex = hex.get();
  info.serial_hex = ascii::Lower(info.serial_hex);

  std::array<char, 128> oid{};
  const ASN1_OBJECT* policy = TS_TST_INFO_get_policy_id(tst);
  const int n = policy != nullptr ? OBJ_obj2txt(oid.data(), static_cast<int>(oid.size()), policy, 1) : -1;
  if (n <= 0 || static_cast<std::size_t>(n) >= oid.size()) {
    return Fail(ErrorCode::kCorruption, "timestamp token: bad policy OID");
  }
  info.policy_oid.assign(oid.data(), static_cast<std::size_t>(n));

  Bio pem(BIO_new(BIO_s_mem()));
  if (pem == nullptr || PEM_write_bio_X509(pem.get(), signer) != 1) {
    return Fail(ErrorCode::kCrypto, "PEM_write_bio_X509: " + crypto::TakeOpenSslError());
  }
  info.signer_cert_pem = BioContents(pem.get());
  return info;
}

// A store holding only `cert`, trusted as it is: checks the signature without a chain.
Result<X509Store> StoreTrustingOnly(X509* cert) {
  X509Store store(X509_STORE_new());
  if (store == nullptr || X509_STORE_add_cert(store.get(), cert) != 1) {
    return Fail(ErrorCode::kCrypto, "X509_STORE: " + crypto::TakeOpenSslError());
  }
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  return store;
}

Result<X509Store> StoreFromPem(const std::string& pem, std::int64_t check_time) {
  X509Store store(X509_STORE_new());
  if (store == nullptr) return Fail(ErrorCode::kCrypto, "X509_STORE_new: " + crypto::TakeOpenSslError());
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) return Fail(ErrorCode::kInvalidArgument, "trust anchors too large");
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return Fail(ErrorCode::kCrypto, "BIO_new_mem_buf: " + crypto::TakeOpenSslError());
  int count = 0;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) break;
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) {
      return Fail(ErrorCode::kCrypto, "X509_STORE_add_cert: " + crypto::TakeOpenSslError());
    }
    ++count;
  }
  ERR_clear_error();  // the loop ends with "no start line"
  if (count == 0) return Fail(ErrorCode::kInvalidArgument, "trust anchors hold no PEM certificate");
  // As of genTime: sets X509_V_FLAG_USE_CHECK_TIME on the store's parameters.
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), static_cast<time_t>(check_time));
  return store;
}

struct Token {
  PKCS7* token = nullptr;    // owned by the response
  TS_TST_INFO* tst = nullptr;
};

Result<Token> TokenOf(TS_RESP* resp) {
  Token t{TS_RESP_get_token(resp), TS_RESP_get_tst_info(resp)};
  if (t.token == nullptr || t.tst == nullptr) {
    return Fail(ErrorCode::kCorruption, "timestamp response has status granted but no token");
  }
  return t;
}

}  // namespace

Result<TimestampRequest> MakeTimestampRequest(ByteView data) {
  TimestampRequest out;
  out.imprint = crypto::Sha256(data);
  out.nonce.resize(kNonceBytes);
  if (RAND_bytes(out.nonce.data(), static_cast<int>(out.nonce.size())) != 1) {
    return Fail(ErrorCode::kCrypto, "RAND_bytes: " + crypto::TakeOpenSslError());
  }
  EMBARC_ASSIGN_OR_RETURN(TsReq req, BuildRequest(out.imprint, out.nonce));
  const int size = i2d_TS_REQ(req.get(), nullptr);
  if (size <= 0) return Fail(ErrorCode::kCrypto, "i2d_TS_REQ: " + crypto::TakeOpenSslError());
  out.der.resize(static_cast<std::size_t>(size));
  unsigned char* p = out.der.data();
  if (i2d_TS_REQ(req.get(), &p) != size) return Fail(ErrorCode::kCrypto, "i2d_TS_REQ: " + crypto::TakeOpenSslError());
  return out;
}

Result<TimestampRequest> ParseTimestampRequest(ByteView der) {
  if (der.size() > kMaxTimestampResponseBytes) {
    return Fail(ErrorCode::kLimitExceeded, "TimeStampReq of " + std::to_string(der.size()) + " bytes");
  }
  const unsigned char* p = der.data();
  TsReq req(d2i_TS_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (req == nullptr || p != der.data() + der.size()) {
    ERR_clear_error();
    return Fail(ErrorCode::kInvalidArgument, "not a DER TimeStampReq");
  }
  TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(req.get());
  const X509_ALGOR* algorithm = TS_MSG_IMPRINT_get_algo(imprint);
  const ASN1_OCTET_STRING* digest = TS_MSG_IMPRINT_get_msg(imprint);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
  TimestampRequest out;
  if (OBJ_obj2nid(oid) != NID_sha256 || ASN1_STRING_length(digest) != static_cast<int>(out.imprint.bytes.size())) {
    return Fail(ErrorCode::kInvalidArgument, "TimeStampReq: the imprint is not SHA-256");
  }
  std::copy_n(ASN1_STRING_get0_data(digest), out.imprint.bytes.size(), out.imprint.bytes.begin());
  if (const ASN1_INTEGER* nonce = TS_REQ_get_nonce(req.get()); nonce != nullptr) {
    Bignum bn(ASN1_INTEGER_to_BN(nonce, nullptr));
    if (bn == nullptr) return Fail(ErrorCode::kInvalidArgument, "TimeStampReq: bad nonce");
    const int bytes = BN_num_bytes(bn.get());
    if (bytes < 0 || static_cast<std::size_t>(bytes) > kMaxTimestampNonceBytes) {
      return Fail(ErrorCode::kInvalidArgument, "TimeStampReq: nonce too long");
    }
    // Left-padded to our nonce width, so that it compares equal to what MakeTimestampRequest made.
    out.nonce.assign(std::max<std::size_t>(kNonceBytes, static_cast<std::size_t>(bytes)), 0);
    BN_bn2bin(bn.get(), out.nonce.data() + (out.nonce.size() - static_cast<std::size_t>(bytes)));
  }
  out.der.assign(der.begin(), der.end());
  return out;
}

Result<TimestampInfo> CheckTimestampResponse(ByteView response_der, const TimestampRequest& request) {
  EMBARC_ASSIGN_OR_RETURN(TsResp resp, ParseResponse(response_der, ErrorCode::kInvalidArgument));
  EMBARC_RETURN_IF_ERROR(CheckGranted(resp.get(), ErrorCode::kUnavailable));
  EMBARC_ASSIGN_OR_RETURN(Token token, TokenOf(resp.get()));
  EMBARC_RETURN_IF_ERROR(CheckImprint(token.tst, request.imprint));
  EMBARC_RETURN_IF_ERROR(CheckNonce(token.tst, request.nonce));
  EMBARC_ASSIGN_OR_RETURN(X509Ptr signer, SignerOf(token.token));
  EMBARC_ASSIGN_OR_RETURN(X509Store store, StoreTrustingOnly(signer.get()));
  EMBARC_RETURN_IF_ERROR(VerifyWithOpenSsl(resp.get(), std::move(store), request.imprint, request.nonce));
  return InfoOf(token.tst, signer.get());
}

Result<TimestampInfo> VerifyTimestampToken(ByteView response_der, ByteView data, ByteView nonce,
                                           const std::string& trust_anchors_pem) {
  EMBARC_ASSIGN_OR_RETURN(TsResp resp, ParseResponse(response_der, ErrorCode::kCorruption));
  EMBARC_RETURN_IF_ERROR(CheckGranted(resp.get(), ErrorCode::kCorruption));
  EMBARC_ASSIGN_OR_RETURN(Token token, TokenOf(resp.get()));
  const Sha256Digest imprint = crypto::Sha256(data);
  EMBARC_RETURN_IF_ERROR(CheckImprint(token.tst, imprint));
  EMBARC_RETURN_IF_ERROR(CheckNonce(token.tst, nonce));
  EMBARC_ASSIGN_OR_RETURN(GenTime gen_time, ParseGenTime(TS_TST_INFO_get_time(token.tst)));
  EMBARC_ASSIGN_OR_RETURN(X509Store store, StoreFromPem(trust_anchors_pem, gen_time.unix_seconds));
  EMBARC_RETURN_IF_ERROR(VerifyWithOpenSsl(resp.get(), std::move(store), imprint, nonce));
  EMBARC_ASSIGN_OR_RETURN(X509Ptr signer, SignerOf(token.token));
  return InfoOf(token.tst, signer.get());
}

}  // namespace embarc::log
