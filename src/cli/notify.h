// Telling a newsroom that a cited post changed: `recheck --on-change COMMAND` and
// `recheck --webhook URL [--webhook-secret-file FILE]`. Both get the same JSON event, once per
// post whose re-check is a finding or a restoration (IsNotifiable).
//
// Webhook delivery: POST of the event (Content-Type: application/json) through the project's
// fetcher, so --connect-to, --cacert, --timeout and the private-address policy apply. Headers:
//   X-Embarc-Event: post_changed
//   X-Embarc-Event-Id: <record hash of the snapshot>   (the same on every retry: de-duplicate on it)
//   X-Embarc-Signature: sha256=<hex HMAC-SHA256(secret, body bytes)>   (only with a secret file)
// A 2xx answer is delivered. Network failures, 408, 429 and 5xx are retried, at most
// kWebhookAttempts attempts in all, after kWebhookFirstDelay doubling each time, or after the
// answer's Retry-After (seconds) capped at kWebhookMaxRetryAfter. Other answers (3xx, 4xx) and
// TLS or address-policy refusals are not retried. Redirects are not followed.
// A delivery that still fails is reported, not queued: the evidence is in the archive already
// and `embarc status` lists it.
#ifndef EMBARC_SRC_CLI_NOTIFY_H_
#define EMBARC_SRC_CLI_NOTIFY_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/capture/pipeline.h"
#include "embarc/core/result.h"
#include "embarc/net/fetcher.h"

namespace embarc::cli {

inline constexpr int kWebhookAttempts = 4;                              // first try + 3 retries
inline constexpr std::chrono::milliseconds kWebhookFirstDelay{500};     // then 1 s, 2 s
inline constexpr std::chrono::seconds kWebhookMaxRetryAfter{10};        // a longer Retry-After is cut to this
inline constexpr std::size_t kMaxWebhookSecretBytes = 4096;             // larger secret files are refused
inline constexpr std::size_t kMaxWebhookAnswerBytes = 64u << 10;        // a receiver's answer body is not used

// Edited, deleted, withheld or restored, or an article's printed quote or embedded version no
// longer matches the live post.
bool IsNotifiable(const capture::PostOutcome& p);

// {"event":"post_changed","platform","post_id","url","state","change","quote_mismatch",
//  "version_mismatch","record_hash","leaf_index"}
nlohmann::json ChangeEvent(const capture::PostOutcome& p);

// Reads a webhook secret file. The secret is the file's bytes without trailing CR/LF.
// Errors: kFailedPrecondition when the file is readable or writable by group or others (it
// must be mode 0600 or stricter, like the signing key), kInvalidArgument when it cannot be
// read, is empty, or is larger than kMaxWebhookSecretBytes. Messages never contain the secret.
[[nodiscard]] Result<std::string> ReadWebhookSecret(const std::string& path);

// "sha256=" + hex HMAC-SHA256(secret, body).
[[nodiscard]] Result<std::string> WebhookSignature(std::string_view secret, std::string_view body);

// After attempt number `attempt` (1-based) got `response`: the delay before the next attempt,
// or nullopt when the delivery is done (delivered, not retryable, or attempts used up).
std::optional<std::chrono::milliseconds> WebhookRetryDelay(int attempt, const net::FetchResponse& response);

// True when the answer is a 2xx.
bool WebhookDelivered(const net::FetchResponse& response);

// The URL as shown in messages: scheme://host[:port]/… (paths and queries of webhook URLs
// often carry tokens).
std::string RedactedUrl(std::string_view url);

struct NotifySettings {
  std::string on_change;                 // shell command; empty: none
  std::vector<std::string> webhooks;     // absolute http(s) URLs
  std::optional<std::string> secret;     // HMAC key for X-Embarc-Signature
};

struct NotifyOutcome {
  std::size_t webhook_deliveries = 0;   // events delivered (one per event and URL)
  std::size_t webhook_failures = 0;     // events that could not be delivered after retries
  std::vector<std::string> problems;    // one line each, for stderr
};

using SleepFunction = std::function<void(std::chrono::milliseconds)>;

// Runs the on-change command and delivers the webhooks for every notifiable post of `report`.
// Failures are counted and described in the outcome, never returned as errors.
NotifyOutcome NotifyChanges(const NotifySettings& settings, const capture::RunReport& report, net::Fetcher& fetcher,
                            const SleepFunction& sleep);

}  // namespace embarc::cli

#endif  // EMBARC_SRC_CLI_NOTIFY_H_
