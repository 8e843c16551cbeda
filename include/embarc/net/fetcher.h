// Fetching over HTTP(S) with libcurl's multi interface, keeping the raw exchanges for WARC.
//
// Every hop of a redirect chain is its own HttpExchange (redirects are followed by
// the fetcher, not by curl, so that each hop is recorded and address-checked).
// Only http and https are fetched. TLS is always verified.
#ifndef EMBARC_NET_FETCHER_H_
#define EMBARC_NET_FETCHER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"

namespace embarc::net {

// Named limits (hostile input). Each has a test.
inline constexpr std::size_t kMaxBodyBytes = 32u << 20;          // response body, as received
inline constexpr std::size_t kMaxDecodedBodyBytes = 64u << 20;   // after gzip/deflate decoding
inline constexpr std::size_t kMaxHeaderBytes = 256u << 10;       // all response header lines of one hop
inline constexpr std::size_t kMaxRequestHeaderBytes = 8u << 10; // one caller-supplied request header
inline constexpr int kMaxRedirects = 5;
inline constexpr std::size_t kMaxTransfersInFlight = 256;       // the most max_parallel / max_per_host may be
inline constexpr std::chrono::milliseconds kTotalTimeout{30'000};
inline constexpr std::chrono::milliseconds kConnectTimeout{10'000};
inline constexpr std::chrono::milliseconds kFirstByteTimeout{15'000};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct FetchOptions {
  std::vector<std::string> connect_to;  // curl's CURLOPT_CONNECT_TO entries, "HOST:PORT:ADDR:PORT"
  std::string ca_file;                   // empty: the system's CA store
  bool allow_private_addresses = false;  // tests only: permits loopback/private targets
  // Transfers in flight overall and per host, each 1..kMaxTransfersInFlight. The defaults are
  // polite to real platforms; `embarc --parallel N --max-per-host N` raises them. Idle
  // connections are kept (up to 2 * max_parallel in all) between FetchAll calls.
  std::size_t max_parallel = 32;
  std::size_t max_per_host = 6;
  // Timeouts apply to each hop (each transfer) of a redirect chain.
  std::chrono::milliseconds total_timeout = kTotalTimeout;
  std::chrono::milliseconds connect_timeout = kConnectTimeout;
  std::chrono::milliseconds first_byte_timeout = kFirstByteTimeout;
  std::size_t max_body_bytes = kMaxBodyBytes;
  std::size_t max_header_bytes = kMaxHeaderBytes;
  int max_redirects = kMaxRedirects;
  std::string user_agent;                // empty: "embarc/<version>"
  // Never set: no proxy (environment proxies are ignored, the request line stays origin-form),
  // no Accept-Encoding, no curl redirect following, HTTP/1.1 only.
};

struct FetchRequest {
  std::string url;
  HeaderList headers;             // extra request headers; CR/LF/NUL or over kMaxRequestHeaderBytes
                                  // makes the request fail (kOther, "invalid request header")
  std::size_t max_body_bytes = 0; // 0: FetchOptions::max_body_bytes; a smaller cap for media
  bool follow_redirects = true;
  // "GET" or "POST" (anything else fails: kOther, "unsupported method"). A POST sends `body`
  // as is (set a Content-Type header; curl's "Expect: 100-continue" is suppressed). A 301/302/303
  // answer to a POST is followed with a GET without body; 307/308 repeat the POST.
  std::string method = "GET";
  Bytes body;                     // POST only; must be empty for GET
};

enum class FetchOutcome {
  kOk,                 // an HTTP response was received completely (any status code)
  kTimeout,            // total, connect or first-byte timeout
  kConnectionFailed,   // DNS failure, refused, unreachable
  kReset,              // connection reset or closed before the response was complete
  kTls,                // certificate or handshake failure
  kTooLarge,           // body or header limit exceeded
  kTooManyRedirects,
  kBlockedAddress,     // the address connected to is private/loopback/... and not allowed
  kInvalidUrl,         // not an absolute http(s) URL
  kOther,
};
const char* FetchOutcomeName(FetchOutcome outcome);  // "ok", "timeout", "reset", ...

// One request/response pair as it crossed the wire (HTTP/1.1).
struct HttpExchange {
  std::string url;             // the URL requested in this hop
  std::string request_head;    // request line + header lines as sent, ending in "\r\n\r\n"
  Bytes request_body;          // the request body as sent (POST), empty for GET
  std::string response_head;   // status line + header lines as received, ending in "\r\n\r\n"
  int status = 0;
  HeaderList response_headers; // parsed from response_head, names as sent
  Bytes body;                  // after transfer decoding (chunked removed); content-encoding kept
  bool was_chunked = false;    // the response used Transfer-Encoding: chunked
  std::string remote_ip;       // address actually connected to
  long remote_port = 0;
  std::string tls_peer_chain_pem;  // the server's certificate chain as PEM (https only); on a
                                   // reused connection, the chain seen at its handshake
  std::chrono::system_clock::time_point started_at;
  std::chrono::system_clock::time_point finished_at;

  // Case-insensitive lookup of the first response header with this name; empty if absent.
  std::string Header(std::string_view name) const;
};

struct FetchResponse {
  FetchOutcome outcome = FetchOutcome::kOther;
  std::string error;                // curl's message or our own, when outcome != kOk
  std::vector<HttpExchange> hops;   // complete exchanges, in order; the last is the final one
  const HttpExchange* Final() const { return hops.empty() ? nullptr : &hops.back(); }
  bool ok() const { return outcome == FetchOutcome::kOk && !hops.empty(); }
};

// Decodes Content-Encoding gzip/deflate (or identity) of an exchange's body.
// Errors: kLimitExceeded past `max_bytes` (a gzip bomb stops there), kInvalidArgument
// for a corrupt stream or an unknown encoding.
[[nodiscard]] Result<Bytes> DecodeContent(const HttpExchange& exchange,
                                          std::size_t max_bytes = kMaxDecodedBodyBytes);

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Fetches every request, in parallel within the options' limits. The result has one
  // FetchResponse per request, in the same order. Failures of single requests are
  // reported in their FetchResponse, never as an error of the whole call.
  // Errors: kInternal only if the transfer machinery itself could not be set up.
  // Not thread-safe: one FetchAll at a time per Fetcher. Connections are kept between calls.
  [[nodiscard]] virtual Result<std::vector<FetchResponse>> FetchAll(std::span<const FetchRequest> requests) = 0;
};

// The production fetcher. Errors: kInvalidArgument for a malformed connect_to entry
// or an unreadable ca_file.
[[nodiscard]] Result<std::unique_ptr<Fetcher>> MakeCurlFetcher(FetchOptions options);

// True for loopback, private (RFC 1918, ULA), link-local, multicast, unspecified,
// CGNAT, cloud metadata and IPv4-mapped forms of these. `ip` is a numeric address.
bool IsForbiddenAddress(std::string_view ip);

}  // namespace embarc::net

#endif  // EMBARC_NET_FETCHER_H_
