#pragma once

// The read-side subcommands of consortctl: exports, wait, leaderboard and busiest month. Each
// calls the services over gRPC, writes its result to `out` and progress or errors to `err`, and
// returns the process exit code: 0 on success, 1 when a service call failed, 2 for a bad flag
// value, 3 when wait timed out.
//
// Called from the main thread.

#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "consortctl/service_clients.h"

namespace consort::consortctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitServiceFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitTimeout = 3;

struct ExportOptions {
  std::string format = "csv";
  // Empty for every period.
  std::string period;
  int page_size = 1000;
};

int ExportScorecards(ServiceClients& clients, const RetryPolicy& retry,
                     const ExportOptions& options, std::ostream& out, std::ostream& err);
int ExportCommissions(ServiceClients& clients, const RetryPolicy& retry,
                      const ExportOptions& options, std::ostream& out, std::ostream& err);

// Range of WaitOptions::timeout.
inline constexpr absl::Duration kMinWaitTimeout = absl::Seconds(1);
inline constexpr absl::Duration kMaxWaitTimeout = absl::Hours(24);

struct WaitOptions {
  // From kMinWaitTimeout to kMaxWaitTimeout.
  absl::Duration timeout = absl::Seconds(300);
  absl::Duration poll_interval = absl::Milliseconds(500);
  // Consecutive polls that must find everything drained with unchanged offsets, so that an event
  // on its way from an outbox to a consumer is not missed between two looks.
  int stable_polls = 2;
};

// Waits until the partner and communication outboxes are empty and the performance and
// incentive consumers have no lag, printing progress to `err` about once a second. Returns
// kExitUsage without any call when options.timeout is out of its range.
int WaitForQuiet(ServiceClients& clients, const RetryPolicy& retry, const WaitOptions& options,
                 std::ostream& err);

int PrintLeaderboard(ServiceClients& clients, const RetryPolicy& retry, const std::string& period,
                     int limit, std::ostream& out, std::ostream& err);

// Prints the period with the most items sold across all scorecards as "YYYY-MM" on a line of
// its own, and its totals to `err`.
int PrintBusiestMonth(ServiceClients& clients, const RetryPolicy& retry, std::ostream& out,
                      std::ostream& err);

}  // namespace consort::consortctl
