// The libcurl multi-interface fetcher: an own scheduler (global and per-host limits),
// redirects followed here hop by hop, every socket address-checked before connect.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <curl/curl.h>

#include "embarc/net/fetcher.h"
#include "net/curl_handles.h"
#include "core/ascii.h"

#ifndef EMBARC_VERSION
#define EMBARC_VERSION "0"
#endif

namespace embarc::net {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long curl_multi_poll may sleep; bounds how late a first-byte timeout is noticed.
constexpr int kPollTimeoutMs = 50;
constexpr const char* kAllowedProtocols = "http,https";

std::string_view TrimWhitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Caller-supplied headers go onto the wire verbatim: no CR/LF/NUL smuggling.
bool IsValidRequestHeader(std::string_view name, std::string_view value) {
  constexpr std::string_view kBadInName(":\r\n\0 \t", 6);
  constexpr std::string_view kBadInValue("\r\n\0", 3);
  return !name.empty() && name.find_first_of(kBadInName) == std::string_view::npos &&
         value.find_first_of(kBadInValue) == std::string_view::npos &&
         name.size() + value.size() <= kMaxRequestHeaderBytes;
}

struct ParsedUrl {
  std::string url;       // as curl normalised it
  std::string host_key;  // lower-case host, the unit of the per-host limit
};

std::string GetUrlPart(CURLU* u, CURLUPart part) {
  char* raw = nullptr;
  const CURLUcode rc = curl_url_get(u, part, &raw, 0);
  const CurlString owned(raw);
  if (rc != CURLUE_OK || owned == nullptr) return {};
  return std::string(owned.get());
}

// Parses an absolute http(s) URL, or resolves `raw` against `base` when base is non-empty.
Result<ParsedUrl> ParseHttpUrl(std::string_view raw, const std::string& base) {
  if (raw.find('\0') != std::string_view::npos) return Fail(ErrorCode::kInvalidArgument, "NUL byte in URL");
  const CurlUrl u(curl_url());
  if (u == nullptr) return Fail(ErrorCode::kInternal, "curl_url failed");
  if (!base.empty() && curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) {
    return Fail(ErrorCode::kInvalidArgument, "bad base URL " + base);
  }
  const std::string text(raw);
  const CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    return Fail(ErrorCode::kInvalidArgument, "invalid URL \"" + text + "\": " + curl_url_strerror(rc));
  }
  const std::string scheme = ascii::Lower(GetUrlPart(u.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") {
    return Fail(ErrorCode::kInvalidArgument, "not an http(s) URL: \"" + text + "\"");
  }
  ParsedUrl parsed;
  parsed.url = GetUrlPart(u.get(), CURLUPART_URL);
  parsed.host_key = ascii::Lower(GetUrlPart(u.get(), CURLUPART_HOST));
  if (parsed.url.empty() || parsed.host_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "URL without host: \"" + text + "\"");
  }
  return parsed;
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Consumes one "HOST" or "[v6]" field of a connect-to entry up to the next ':'.
bool TakeHostField(std::string_view& s) {
  if (!s.empty() && s.front() == '[') {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    s.remove_prefix(close + 1);
    return true;
  }
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  s.remove_prefix(colon);
  return true;
}

bool TakePortField(std::string_view& s, bool last) {
  const std::size_t end = last ? s.size() : s.find(':');
  if (end == std::string_view::npos) return false;
  const std::string_view port = s.substr(0, end);
  if (!AllDigits(port) || port.size() > 5 || (!port.empty() && std::stoul(std::string(port)) > 65535)) {
    return false;
  }
  s.remove_prefix(end);
  return true;
}

bool TakeColon(std::string_view& s) {
  if (s.empty() || s.front() != ':') return false;
  s.remove_prefix(1);
  return true;
}

// "HOST:PORT:ADDR:PORT", each part may be empty, hosts/addresses may be "[v6]".
bool IsValidConnectTo(std::string_view s) {
  if (s.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  return TakeHostField(s) && TakeColon(s) && TakePortField(s, false) && TakeColon(s) && TakeHostField(s) &&
         TakeColon(s) && TakePortField(s, true) && s.empty();
}

// One transfer = one hop of one request. Callbacks get a pointer to it, so it lives on the heap.
struct Transfer {
  std::size_t job = 0;
  std::size_t body_cap = 0;
  std::size_t header_cap = 0;
  bool allow_private = false;
  std::chrono::milliseconds first_byte_timeout{0};
  SteadyClock::time_point started{};

  HttpExchange exchange;
  std::string host_key;
  std::string head;           // the response head being received (reset after a 1xx head)
  bool head_done = false;     // the final head is complete; later header lines are trailers
  bool got_first_byte = false;
  std::size_t header_bytes = 0;
  std::string too_large;      // set when a limit aborted the transfer
  bool first_byte_timed_out = false;
  std::string blocked_ip;     // set when the socket callback refused an address
  std::array<char, CURL_ERROR_SIZE> error_buffer{};

  CurlSlist request_headers;
  CurlEasy easy;  // declared last, destroyed first: it points at everything above
};

int StatusOf(std::string_view status_line) {
  // "HTTP/1.1 200 OK"
  const std::size_t sp = status_line.find(' ');
  if (status_line.substr(0, 5) != "HTTP/" || sp == std::string_view::npos) return 0;
  int status = 0;
  std::size_t i = sp + 1;
  for (int digits = 0; digits < 3; ++digits, ++i) {
    if (i >= status_line.size() || status_line[i] < '0' || status_line[i] > '9') return 0;
    status = status * 10 + (status_line[i] - '0');
  }
  return status;
}

void ParseResponseHead(HttpExchange& ex) {
  std::string_view rest = ex.response_head;
  bool first = true;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      ex.status = StatusOf(line);
      first = false;
      continue;
    }
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !ex.response_headers.empty()) {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous value.
      ex.response_headers.back().second += ' ';
      ex.response_headers.back().second += TrimWhitespace(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    ex.response_headers.emplace_back(std::string(line.substr(0, colon)),
                                     std::string(TrimWhitespace(line.substr(colon + 1))));
  }
  for (const auto& [name, value] : ex.response_headers) {
    if (ascii::EqualsNoCase(name, "Transfer-Encoding") && ascii::ContainsNoCase(value, "chunked")) ex.was_chunked = true;
  }
}

size_t HeaderCallback(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  t->got_first_byte = true;
  t->header_bytes += n;
  if (t->header_bytes > t->header_cap) {
    t->too_large = "response header exceeds " + std::to_string(t->header_cap) + " bytes";
    return 0;
  }
  if (t->head_done) return n;  // chunked trailers: not part of the head
  t->head.append(data, n);
  const std::string_view line(data, n);
  if (line == "\r\n" || line == "\n") {
    const int status = StatusOf(std::string_view(t->head).substr(0, t->head.find('\n')));
    if (status >= 100 && status < 200) {
      t->head.clear();  // an interim response: keep only the final head
    } else {
      t->head_done = true;
    }
  }
  return n;
}

size_t WriteCallback(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (n > t->body_cap - t->exchange.body.size()) {
    t->too_large = "response body exceeds " + std::to_string(t->body_cap) + " bytes";
    return 0;
  }
  t->exchange.body.insert(t->exchange.body.end(), data, data + n);
  return n;
}

int DebugCallback(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_OUT) return 0;
  auto* t = static_cast<Transfer*>(user);
  std::string& head = t->exchange.request_head;
  // curl may resend the request on a fresh connection when a reused one was dead:
  // keep only the head that was sent last.
  if (head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0) head.clear();
  head.append(data, size);
  return 0;
}

int XferInfoCallback(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->got_first_byte && SteadyClock::now() - t->started >= t->first_byte_timeout) {
    t->first_byte_timed_out = true;
    return 1;  // abort: CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

// Called for every connection curl is about to open, with the address it resolved (or
// got from CONNECT_TO): the only place where the real target is known.
curl_socket_t OpenSocketCallback(void* user, curlsocktype purpose, struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  std::array<char, INET6_ADDRSTRLEN> ip{};
  if (address->family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&address->addr);
    if (inet_ntop(AF_INET, &sin->sin_addr, ip.data(), static_cast<socklen_t>(ip.size())) == nullptr) {
      return CURL_SOCKET_BAD;
    }
  } else if (address->family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);
    if (inet_ntop(AF_INET6, &sin6->sin6_addr, ip.data(), static_cast<socklen_t>(ip.size())) == nullptr) {
      return CURL_SOCKET_BAD;
    }
  } else {
    t->blocked_ip = "(non-IP socket family)";
    return CURL_SOCKET_BAD;
  }
  if (!t->allow_private && IsForbiddenAddress(ip.data())) {
    t->blocked_ip = ip.data();
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

bool IsTlsError(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

FetchOutcome OutcomeFor(CURLcode code, const Transfer& t) {
  if (!t.blocked_ip.empty()) return FetchOutcome::kBlockedAddress;
  if (t.first_byte_timed_out) return FetchOutcome::kTimeout;
  if (!t.too_large.empty()) return FetchOutcome::kTooLarge;
  if (IsTlsError(code)) return FetchOutcome::kTls;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return FetchOutcome::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return FetchOutcome::kConnectionFailed;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return FetchOutcome::kReset;
    case CURLE_FILESIZE_EXCEEDED:
      return FetchOutcome::kTooLarge;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return FetchOutcome::kInvalidUrl;
    default:
      return FetchOutcome::kOther;
  }
}

std::string ErrorFor(CURLcode code, const Transfer& t, FetchOutcome outcome) {
  if (outcome == FetchOutcome::kBlockedAddress) return "refused to connect to private address " + t.blocked_ip;
  if (t.first_byte_timed_out) {
    return "no response within the first-byte timeout of " + std::to_string(t.first_byte_timeout.count()) +
           " ms";
  }
  if (!t.too_large.empty()) return t.too_large;
  const std::string detail =
      t.error_buffer[0] != '\0' ? std::string(t.error_buffer.data()) : std::string(curl_easy_strerror(code));
  if (code == CURLE_FILESIZE_EXCEEDED) return "response body exceeds " + std::to_string(t.body_cap) + " bytes";
  return detail;
}

bool IsRedirectStatus(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

class CurlFetcher final : public Fetcher {
 public:
  static Result<std::unique_ptr<Fetcher>> Create(FetchOptions options);
  Result<std::vector<FetchResponse>> FetchAll(std::span<const FetchRequest> requests) override;

 private:
  struct Job {
    const FetchRequest* request = nullptr;
    FetchResponse response;
    std::string url;       // the URL of the next hop
    std::string host_key;
    std::size_t* in_host = nullptr;  // the in-flight count of host_key (set by FetchAll's scheduler)
    int redirects = 0;
    bool post = false;     // the next hop is a POST of request->body
  };

  CurlFetcher(FetchOptions options, CurlSlist connect_to, CurlMulti multi)
      : options_(std::move(options)), connect_to_(std::move(connect_to)), multi_(std::move(multi)) {}

  Result<std::unique_ptr<Transfer>> StartTransfer(std::size_t job_index, const Job& job);
  // Records a finished hop; returns true when the job needs another hop (a redirect).
  bool CompleteTransfer(Job& job, Transfer& t, CURLcode code);
  void FillTlsChain(Transfer& t);

  const FetchOptions options_;
  const CurlSlist connect_to_;
  // The peer chain of each connection seen, by "host:port|ip": a reused connection does
  // not repeat the handshake, so curl reports no chain for the later transfers on it.
  std::map<std::string, std::string> chain_by_connection_;
  const CurlMulti multi_;  // last: its connection cache is shared by all transfers
};

Result<std::unique_ptr<Fetcher>> CurlFetcher::Create(FetchOptions options) {
  if (options.max_parallel == 0 || options.max_per_host == 0 || options.max_parallel > kMaxTransfersInFlight ||
      options.max_per_host > kMaxTransfersInFlight) {
    return Fail(ErrorCode::kInvalidArgument, "max_parallel and max_per_host must be between 1 and " +
                                                 std::to_string(kMaxTransfersInFlight));
  }
  if (options.max_redirects < 0) return Fail(ErrorCode::kInvalidArgument, "max_redirects must be >= 0");
  if (options.total_timeout.count() <= 0 || options.connect_timeout.count() <= 0 ||
      options.first_byte_timeout.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "timeouts must be positive");
  }
  if (!options.ca_file.empty()) {
    std::ifstream probe(options.ca_file, std::ios::binary);
    char c = 0;
    if (!probe || !probe.get(c)) {
      return Fail(ErrorCode::kInvalidArgument, "CA file " + options.ca_file + " is missing or unreadable");
    }
  }
  CurlSlist connect_to;
  for (const std::string& entry : options.connect_to) {
    if (!IsValidConnectTo(entry)) {
      return Fail(ErrorCode::kInvalidArgument, "connect-to entry \"" + entry + "\" is not HOST:PORT:ADDR:PORT");
    }
    if (!SlistAppend(connect_to, entry.c_str())) return Fail(ErrorCode::kInternal, "curl_slist_append failed");
  }
  if (options.user_agent.empty()) options.user_agent = std::string("embarc/") + EMBARC_VERSION;
  CurlMulti multi(curl_multi_init());
  if (multi == nullptr) return Fail(ErrorCode::kInternal, "curl_multi_init failed");
  // HTTP/1.1 only, one request at a time per connection: the stored bytes are what was sent.
  curl_multi_setopt(multi.get(), CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
  // Keep twice as many connections as may be in flight (hosts take turns). curl's default cache holds four per easy
  // handle currently added, which shrinks as a FetchAll drains, so the connections of one batch
  // were closed at its end and the next batch paid for new TCP and TLS handshakes.
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(2 * options.max_parallel));
  // No CURLMOPT_MAX_HOST_CONNECTIONS: the scheduler in FetchAll enforces max_per_host itself,
  // so a transfer handed to curl is never parked in curl's own queue while its timers run.
  return std::unique_ptr<Fetcher>(new CurlFetcher(std::move(options), std::move(connect_to), std::move(multi)));
}

Result<std::unique_ptr<Transfer>> CurlFetcher::StartTransfer(std::size_t job_index, const Job& job) {
  auto t = std::make_unique<Transfer>();
  t->job = job_index;
  t->host_key = job.host_key;
  t->body_cap = job.request->max_body_bytes != 0 ? job.request->max_body_bytes : options_.max_body_bytes;
  t->header_cap = options_.max_header_bytes;
  t->allow_private = options_.allow_private_addresses;
  t->first_byte_timeout = options_.first_byte_timeout;
  t->exchange.url = job.url;
  for (const auto& [name, value] : job.request->headers) {
    const std::string line = name + ": " + value;
    if (!SlistAppend(t->request_headers, line.c_str())) return Fail(ErrorCode::kInternal, "curl_slist_append failed");
  }
  if (job.post) {
    // No "Expect: 100-continue" round trip: the head and body go out as recorded.
    if (!SlistAppend(t->request_headers, "Expect:")) return Fail(ErrorCode::kInternal, "curl_slist_append failed");
    t->exchange.request_body = job.request->body;
  }
  t->easy.reset(curl_easy_init());
  CURL* e = t->easy.get();
  if (e == nullptr) return Fail(ErrorCode::kInternal, "curl_easy_init failed");

  bool ok = true;
  const auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(e, CURLOPT_URL, t->exchange.url.c_str()));
  set(curl_easy_setopt(e, CURLOPT_PRIVATE, t.get()));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error_buffer.data()));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, kAllowedProtocols));
  set(curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, kAllowedProtocols));
  set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));  // we follow, hop by hop
  set(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)));
  set(curl_easy_setopt(e, CURLOPT_PROXY, ""));  // never a proxy: the request line stays origin-form
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L));
  if (!options_.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str()));
  if (connect_to_ != nullptr) set(curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_.get()));
  set(curl_easy_setopt(e, CURLOPT_CERTINFO, 1L));
  set(curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str()));
  if (t->request_headers != nullptr) set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->request_headers.get()));
  if (job.post) {
    // POSTFIELDS is not copied by curl: it points into the Transfer, which outlives the handle.
    set(curl_easy_setopt(e, CURLOPT_POST, 1L));
    set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->exchange.request_body.size())));
    // An empty body must still be a non-null pointer: POSTFIELDS null means "read from stdin".
    static constexpr char kEmptyBody[] = "";
    const void* fields = t->exchange.request_body.empty() ? static_cast<const void*>(kEmptyBody)
                                                          : t->exchange.request_body.data();
    set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, fields));
  }
  set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count())));
  set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count())));
  set(curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t->body_cap)));
  set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &HeaderCallback));
  set(curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get()));
  set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &WriteCallback));
  set(curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get()));
  set(curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, &DebugCallback));
  set(curl_easy_setopt(e, CURLOPT_DEBUGDATA, t.get()));
  set(curl_easy_setopt(e, CURLOPT_VERBOSE, 1L));  // the debug callback only runs in verbose mode
  set(curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, &XferInfoCallback));
  set(curl_easy_setopt(e, CURLOPT_XFERINFODATA, t.get()));
  set(curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L));
  set(curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OpenSocketCallback));
  set(curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get()));
  if (!ok) return Fail(ErrorCode::kInternal, "curl_easy_setopt failed");

  t->exchange.started_at = std::chrono::system_clock::now();
  t->started = SteadyClock::now();
  return t;
}

void CurlFetcher::FillTlsChain(Transfer& t) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(t.easy.get(), CURLINFO_CERTINFO, &info) == CURLE_OK && info != nullptr) {
    for (int i = 0; i < info->num_of_certs; ++i) {
      for (const curl_slist* item = info->certinfo[i]; item != nullptr; item = item->next) {
        const std::string_view field(item->data);
        if (field.substr(0, 5) != "Cert:") continue;
        std::string pem(field.substr(5));
        if (!pem.empty() && pem.back() != '\n') pem += '\n';
        t.exchange.tls_peer_chain_pem += pem;
      }
    }
  }
  const std::string key = t.host_key + ":" + std::to_string(t.exchange.remote_port) + "|" + t.exchange.remote_ip;
  if (!t.exchange.tls_peer_chain_pem.empty()) {
    chain_by_connection_[key] = t.exchange.tls_peer_chain_pem;
  } else if (auto it = chain_by_connection_.find(key); it != chain_by_connection_.end()) {
    t.exchange.tls_peer_chain_pem = it->second;
  }
}

bool CurlFetcher::CompleteTransfer(Job& job, Transfer& t, CURLcode code) {
  HttpExchange& ex = t.exchange;
  ex.finished_at = std::chrono::system_clock::now();
  if (code != CURLE_OK) {
    job.response.outcome = OutcomeFor(code, t);
    job.response.error = ErrorFor(code, t, job.response.outcome);
    return false;
  }
  char* ip = nullptr;
  if (curl_easy_getinfo(t.easy.get(), CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) ex.remote_ip = ip;
  curl_easy_getinfo(t.easy.get(), CURLINFO_PRIMARY_PORT, &ex.remote_port);
  ex.response_head = std::move(t.head);
  ParseResponseHead(ex);
  char* scheme = nullptr;
  if (curl_easy_getinfo(t.easy.get(), CURLINFO_SCHEME, &scheme) == CURLE_OK && scheme != nullptr &&
      ascii::EqualsNoCase(scheme, "https")) {
    FillTlsChain(t);
  }
  const std::string location = ex.Header("Location");
  const bool redirect = IsRedirectStatus(ex.status) && !location.empty() && job.request->follow_redirects;
  const std::string hop_url = ex.url;
  const int hop_status = ex.status;
  job.response.hops.push_back(std::move(ex));
  if (!redirect) {
    job.response.outcome = FetchOutcome::kOk;
    return false;
  }
  if (job.redirects >= options_.max_redirects) {
    job.response.outcome = FetchOutcome::kTooManyRedirects;
    job.response.error = "more than " + std::to_string(options_.max_redirects) + " redirects";
    return false;
  }
  Result<ParsedUrl> next = ParseHttpUrl(location, hop_url);
  if (!next) {
    job.response.outcome = FetchOutcome::kInvalidUrl;
    job.response.error = "redirect from " + hop_url + ": " + next.error().message;
    return false;
  }
  ++job.redirects;
  if (hop_status != 307 && hop_status != 308) job.post = false;  // 301/302/303: continue with GET
  job.url = std::move(next->url);
  job.host_key = std::move(next->host_key);
  job.in_host = nullptr;
  return true;
}

Result<std::vector<FetchResponse>> CurlFetcher::FetchAll(std::span<const FetchRequest> requests) {
  std::vector<Job> jobs(requests.size());
  std::deque<std::size_t> pending;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    Job& job = jobs[i];
    job.request = &requests[i];
    const bool headers_ok = std::all_of(requests[i].headers.begin(), requests[i].headers.end(),
                                        [](const auto& h) { return IsValidRequestHeader(h.first, h.second); });
    if (!headers_ok) {
      job.response.outcome = FetchOutcome::kOther;
      job.response.error = "invalid request header";
      continue;
    }
    if (requests[i].method != "GET" && requests[i].method != "POST") {
      job.response.outcome = FetchOutcome::kOther;
      job.response.error = "unsupported method " + requests[i].method;
      continue;
    }
    if (requests[i].method == "GET" && !requests[i].body.empty()) {
      job.response.outcome = FetchOutcome::kOther;
      job.response.error = "a GET request cannot have a body";
      continue;
    }
    job.post = requests[i].method == "POST";
    Result<ParsedUrl> parsed = ParseHttpUrl(requests[i].url, "");
    if (!parsed) {
      job.response.outcome = FetchOutcome::kInvalidUrl;
      job.response.error = parsed.error().message;
      continue;
    }
    job.url = requests[i].url;
    job.host_key = std::move(parsed->host_key);
    pending.push_back(i);
  }

  // Transfers in flight, by easy handle. The guard detaches them if we leave early.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;
  std::unordered_map<std::string, std::size_t> per_host;
  CURLM* multi = multi_.get();
  struct Detach {
    CURLM* multi;
    std::unordered_map<CURL*, std::unique_ptr<Transfer>>& active;
    ~Detach() {
      for (auto& [easy, t] : active) curl_multi_remove_handle(multi, easy);
    }
  } detach{multi, active};

  while (!pending.empty() || !active.empty()) {
    for (auto it = pending.begin(); it != pending.end() && active.size() < options_.max_parallel;) {
      Job& job = jobs[*it];
      // Looked up once per hop, not on every pass over the queue (it may hold thousands).
      if (job.in_host == nullptr) job.in_host = &per_host[job.host_key];
      std::size_t& in_host = *job.in_host;
      if (in_host >= options_.max_per_host) {
        ++it;
        continue;
      }
      Result<std::unique_ptr<Transfer>> t = StartTransfer(*it, job);
      if (!t) {
        job.response.outcome = FetchOutcome::kOther;
        job.response.error = t.error().message;
        it = pending.erase(it);
        continue;
      }
      CURL* easy = (*t)->easy.get();
      if (curl_multi_add_handle(multi, easy) != CURLM_OK) return Fail(ErrorCode::kInternal, "curl_multi_add_handle failed");
      active.emplace(easy, std::move(*t));
      ++in_host;
      it = pending.erase(it);
    }

    int running = 0;
    const CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc != CURLM_OK) return Fail(ErrorCode::kInternal, std::string("curl_multi_perform: ") + curl_multi_strerror(mc));

    bool finished_any = false;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode code = msg->data.result;  // copy: msg dies with remove_handle
      auto node = active.extract(easy);
      curl_multi_remove_handle(multi, easy);
      if (node.empty()) continue;
      Transfer& t = *node.mapped();
      --*jobs[t.job].in_host;
      finished_any = true;
      if (CompleteTransfer(jobs[t.job], t, code)) pending.push_front(t.job);
    }
    if (!finished_any && !active.empty()) {
      const CURLMcode pc = curl_multi_poll(multi, nullptr, 0, kPollTimeoutMs, nullptr);
      if (pc != CURLM_OK) return Fail(ErrorCode::kInternal, std::string("curl_multi_poll: ") + curl_multi_strerror(pc));
    }
  }

  std::vector<FetchResponse> out;
  out.reserve(jobs.size());
  for (Job& job : jobs) out.push_back(std::move(job.response));
  return out;
}

}  // namespace

std::string HttpExchange::Header(std::string_view name) const {
  for (const auto& [key, value] : response_headers) {
    if (ascii::EqualsNoCase(key, name)) return value;
  }
  return {};
}

const char* FetchOutcomeName(FetchOutcome outcome) {
  switch (outcome) {
    case FetchOutcome::kOk: return "ok";
    case FetchOutcome::kTimeout: return "timeout";
    case FetchOutcome::kConnectionFailed: return "connection_failed";
    case FetchOutcome::kReset: return "reset";
    case FetchOutcome::kTls: return "tls";
    case FetchOutcome::kTooLarge: return "too_large";
    case FetchOutcome::kTooManyRedirects: return "too_many_redirects";
    case FetchOutcome::kBlockedAddress: return "blocked_address";
    case FetchOutcome::kInvalidUrl: return "invalid_url";
    case FetchOutcome::kOther: return "other";
  }
  return "other";
}

Result<std::unique_ptr<Fetcher>> MakeCurlFetcher(FetchOptions options) {
  return CurlFetcher::Create(std::move(options));
}

}  // namespace embarc::net
