// The webhook retry policy and URL redaction (pure functions of src/cli/notify.h).
#include "cli/notify.h"

#include <catch2/catch.hpp>

using embarc::cli::kWebhookAttempts;
using embarc::cli::kWebhookFirstDelay;
using embarc::cli::kWebhookMaxRetryAfter;
using embarc::cli::RedactedUrl;
using embarc::cli::WebhookRetryDelay;
using embarc::net::FetchOutcome;
using embarc::net::FetchResponse;
using std::chrono::milliseconds;

namespace {

FetchResponse Answer(int status, const std::string& retry_after = "") {
  FetchResponse r;
  r.outcome = FetchOutcome::kOk;
  embarc::net::HttpExchange x;
  x.status = status;
  if (!retry_after.empty()) x.response_headers.emplace_back("Retry-After", retry_after);
  r.hops.push_back(x);
  return r;
}

FetchResponse Failure(FetchOutcome outcome) {
  FetchResponse r;
  r.outcome = outcome;
  return r;
}

}  // namespace

TEST_CASE("webhook: retry policy", "[cli][webhook]") {
  CHECK_FALSE(WebhookRetryDelay(1, Answer(200)));
  CHECK_FALSE(WebhookRetryDelay(1, Answer(204)));
  CHECK_FALSE(WebhookRetryDelay(1, Answer(400)));  // the receiver refuses the event: retrying changes nothing
  CHECK_FALSE(WebhookRetryDelay(1, Answer(302)));  // redirects are not followed
  CHECK_FALSE(WebhookRetryDelay(1, Failure(FetchOutcome::kTls)));
  CHECK_FALSE(WebhookRetryDelay(1, Failure(FetchOutcome::kBlockedAddress)));
  // Backoff: 0.5 s, 1 s, 2 s, then no fourth retry.
  CHECK(WebhookRetryDelay(1, Answer(503)) == kWebhookFirstDelay);
  CHECK(WebhookRetryDelay(2, Failure(FetchOutcome::kReset)) == 2 * kWebhookFirstDelay);
  CHECK(WebhookRetryDelay(3, Failure(FetchOutcome::kTimeout)) == 4 * kWebhookFirstDelay);
  CHECK_FALSE(WebhookRetryDelay(kWebhookAttempts, Answer(503)));
  // Retry-After in seconds is honoured, up to the cap.
  CHECK(WebhookRetryDelay(1, Answer(429, "3")) == milliseconds(3000));
  CHECK(WebhookRetryDelay(1, Answer(503, "86400")) == std::chrono::duration_cast<milliseconds>(kWebhookMaxRetryAfter));
  CHECK(WebhookRetryDelay(1, Answer(429, "Wed, 21 Oct 2015 07:28:00 GMT")) == kWebhookFirstDelay);
}

TEST_CASE("webhook: URLs in messages do not show paths or credentials", "[cli][webhook]") {
  CHECK(RedactedUrl("https://hooks.example/services/T000/B000/XXXXSECRET") == "https://hooks.example/…");
  CHECK(RedactedUrl("https://user:pw@hooks.example:8443/x?token=1") == "https://hooks.example:8443/…");
  CHECK(RedactedUrl("https://hooks.example") == "https://hooks.example/");
  CHECK(RedactedUrl("not a url") == "(invalid URL)");
}
