#include "cli/notify.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "embarc/crypto/hmac.h"
#include "embarc/platform/platform.h"

namespace embarc::cli {
namespace {

bool Retryable(net::FetchOutcome outcome) {
  // Transient transport failures. TLS failures, blocked addresses, bad URLs and size limits
  // will fail the same way again.
  return outcome == net::FetchOutcome::kTimeout || outcome == net::FetchOutcome::kConnectionFailed ||
         outcome == net::FetchOutcome::kReset;
}

// Retry-After in whole seconds (the HTTP-date form is not honoured: the backoff applies).
std::optional<std::chrono::seconds> RetryAfterSeconds(const net::HttpExchange& answer) {
  const std::string v = answer.Header("Retry-After");
  if (v.empty() || v.size() > 8 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::chrono::seconds(std::stol(v));
}

std::string Describe(const net::FetchResponse& response) {
  if (!response.ok()) {
    return std::string(net::FetchOutcomeName(response.outcome)) + (response.error.empty() ? "" : " (" + response.error + ")");
  }
  return "HTTP " + std::to_string(response.Final()->status);
}

void RunCommand(const std::string& command, const capture::PostOutcome& p, const std::string& event,
                NotifyOutcome& out) {
  ::setenv("EMBARC_EVENT", event.c_str(), 1);
  std::fflush(stdout);
  const int rc = std::system(command.c_str());
  ::unsetenv("EMBARC_EVENT");
  if (rc != 0) {
    out.problems.push_back("--on-change command failed for " + p.post.url + " (status " + std::to_string(rc) + ")");
  }
}

void Deliver(const std::string& url, const capture::PostOutcome& p, const std::string& body,
             const std::optional<std::string>& signature, net::Fetcher& fetcher, const SleepFunction& sleep,
             NotifyOutcome& out) {
  net::FetchRequest request;
  request.url = url;
  request.method = "POST";
  request.body = ToBytes(body);
  request.follow_redirects = false;
  request.max_body_bytes = kMaxWebhookAnswerBytes;
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Embarc-Event", "post_changed"},
                     {"X-Embarc-Event-Id", p.record_hash}};
  if (signature) request.headers.emplace_back("X-Embarc-Signature", *signature);
  const std::vector<net::FetchRequest> one = {request};
  std::string last = "not attempted";
  for (int attempt = 1; attempt <= kWebhookAttempts; ++attempt) {
    auto answers = fetcher.FetchAll(one);
    if (!answers || answers->size() != 1) {
      last = answers ? std::string("no answer") : answers.error().message;
      break;
    }
    const net::FetchResponse& response = answers->front();
    if (WebhookDelivered(response)) {
      ++out.webhook_deliveries;
      return;
    }
    last = Describe(response);
    const std::optional<std::chrono::milliseconds> delay = WebhookRetryDelay(attempt, response);
    if (!delay) {
      last += " after " + std::to_string(attempt) + " attempt(s)";
      ++out.webhook_failures;
      out.problems.push_back("webhook " + RedactedUrl(url) + " failed for " + p.post.url + ": " + last);
      return;
    }
    sleep(*delay);
  }
  ++out.webhook_failures;
  out.problems.push_back("webhook " + RedactedUrl(url) + " failed for " + p.post.url + ": " + last);
}

}  // namespace

bool IsNotifiable(const capture::PostOutcome& p) {
  return p.change == "edited" || p.change == "deleted" || p.change == "withheld" || p.change == "restored" ||
         p.quote_mismatch || p.version_mismatch;
}

nlohmann::json ChangeEvent(const capture::PostOutcome& p) {
  return {{"event", "post_changed"},
          {"platform", p.post.platform},
          {"post_id", p.post.post_id},
          {"url", p.post.url},
          {"state", platform::PostStateName(p.state)},
          {"change", p.change},
          {"quote_mismatch", p.quote_mismatch},
          {"version_mismatch", p.version_mismatch},
          {"record_hash", p.record_hash},
          {"leaf_index", p.leaf_index}};
}

Result<std::string> ReadWebhookSecret(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "cannot read webhook secret file " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Fail(ErrorCode::kInvalidArgument, "webhook secret file " + path + " is not a file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(ErrorCode::kFailedPrecondition, "webhook secret file " + path + " is accessible by others (mode " +
                                                    mode + "); run: chmod 600 " + path);
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "cannot read webhook secret file " + path + ": " + std::strerror(errno));
  }
  std::string secret;
  char buf[1024];
  std::size_t n;
  bool too_large = false;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    secret.append(buf, n);
    if (secret.size() > kMaxWebhookSecretBytes) {
      too_large = true;
      break;
    }
  }
  std::fclose(f);
  if (too_large) {
    return Fail(ErrorCode::kInvalidArgument, "webhook secret file " + path + " is larger than " +
                                                 std::to_string(kMaxWebhookSecretBytes) + " bytes");
  }
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return Fail(ErrorCode::kInvalidArgument, "webhook secret file " + path + " is empty");
  return secret;
}

Result<std::string> WebhookSignature(std::string_view secret, std::string_view body) {
  EMBARC_ASSIGN_OR_RETURN(crypto::Sha256Digest tag, crypto::HmacSha256(AsBytes(secret), AsBytes(body)));
  return "sha256=" + tag.Hex();
}

bool WebhookDelivered(const net::FetchResponse& response) {
  return response.ok() && response.Final()->status >= 200 && response.Final()->status < 300;
}

std::optional<std::chrono::milliseconds> WebhookRetryDelay(int attempt, const net::FetchResponse& response) {
  if (WebhookDelivered(response) || attempt >= kWebhookAttempts) return std::nullopt;
  if (!response.ok()) {
    if (!Retryable(response.outcome)) return std::nullopt;
  } else {
    const net::HttpExchange& answer = *response.Final();
    const int status = answer.status;
    if (!(status == 408 || status == 429 || status >= 500)) return std::nullopt;
    if (const auto after = RetryAfterSeconds(answer)) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::min(*after, kWebhookMaxRetryAfter));
    }
  }
  return kWebhookFirstDelay * (1 << (attempt - 1));
}

std::string RedactedUrl(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "(invalid URL)";
  std::size_t end = url.find_first_of("/?#", scheme + 3);
  std::string_view authority = url.substr(scheme + 3, end == std::string_view::npos ? std::string_view::npos : end - scheme - 3);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string out = std::string(url.substr(0, scheme + 3)) + std::string(authority);
  if (end != std::string_view::npos && end + 1 < url.size()) return out + "/…";
  return out + "/";
}

NotifyOutcome NotifyChanges(const NotifySettings& settings, const capture::RunReport& report, net::Fetcher& fetcher,
                            const SleepFunction& sleep) {
  NotifyOutcome out;
  for (const capture::PostOutcome& p : report.posts) {
    if (!IsNotifiable(p)) continue;
    const std::string event = ChangeEvent(p).dump();
    if (!settings.on_change.empty()) RunCommand(settings.on_change, p, event, out);
    if (settings.webhooks.empty()) continue;
    std::optional<std::string> signature;
    if (settings.secret) {
      auto sig = WebhookSignature(*settings.secret, event);
      if (!sig) {
        out.webhook_failures += settings.webhooks.size();
        out.problems.push_back("webhook signature for " + p.post.url + ": " + sig.error().message);
        continue;
      }
      signature = *sig;
    }
    for (const std::string& url : settings.webhooks) Deliver(url, p, event, signature, fetcher, sleep, out);
  }
  return out;
}

}  // namespace embarc::cli
