#include "embarc/capture/schedule.h"

#include <algorithm>

namespace embarc::capture {

TimePoint NextCheck(TimePoint first, TimePoint now, bool failed, int failures, std::chrono::seconds retry_after) {
  // The regular schedule: the first step that lies in the future, then monthly from now.
  TimePoint regular = now + kRecheckMonthly;
  for (const auto step : kRecheckSteps) {
    if (first + step > now) {
      regular = first + step;
      break;
    }
  }
  if (!failed) return regular;
  std::chrono::minutes backoff = kRetryFirst;
  for (int i = 1; i < failures && backoff < kRetryMax; ++i) backoff *= 2;
  backoff = std::min<std::chrono::minutes>(backoff, kRetryMax);
  const TimePoint retry = now + std::max<std::chrono::seconds>(backoff, retry_after);
  return std::min(retry, std::max(regular, now + retry_after));
}

}  // namespace embarc::capture
