// When to look at a post again. Pure functions of their inputs: the caller passes `now`.
#ifndef EMBARC_CAPTURE_SCHEDULE_H_
#define EMBARC_CAPTURE_SCHEDULE_H_

#include <chrono>

namespace embarc::capture {

using TimePoint = std::chrono::system_clock::time_point;

// Re-checks after the first capture: 1 h, 6 h, 1 d, 7 d, 30 d, then every 30 d.
inline constexpr std::chrono::hours kRecheckSteps[] = {std::chrono::hours(1), std::chrono::hours(6), std::chrono::hours(24),
                                                       std::chrono::hours(24 * 7), std::chrono::hours(24 * 30)};
inline constexpr std::chrono::hours kRecheckMonthly{24 * 30};
// Unreachable and rate-limited outcomes are retried sooner, backing off from 5 min to 6 h.
inline constexpr std::chrono::minutes kRetryFirst{5};
inline constexpr std::chrono::hours kRetryMax{6};

// The next check of a post first captured at `first`, observed now. A failed observation
// (unreachable, rate limited) after `failures` consecutive failures (counting this one) is
// retried with exponential backoff, but never later than the regular schedule.
// `retry_after` (from a 429) is honoured when it is later than the backoff.
TimePoint NextCheck(TimePoint first, TimePoint now, bool failed, int failures,
                    std::chrono::seconds retry_after = std::chrono::seconds(0));

}  // namespace embarc::capture

#endif  // EMBARC_CAPTURE_SCHEDULE_H_
