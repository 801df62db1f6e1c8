#pragma once

// Refreshes the gauges about the current month every few seconds from the stored scorecards:
//   consort_net_sales{currency}    net sales of the month across partners, in currency units
//   consort_leaderboard_score{rank} the month's top 10 composite scores, rank "1" to "10"
// A partner's current month is the calendar month of the wall clock in its contract's time zone,
// so near midnight on the last day of a month partners in different zones count different months.
// A scorecard whose contract cannot be looked up is left out of that refresh.
//
// Thread safety: Start and Stop are called by the owning thread; the refresh runs on its own.

#include <map>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "consumer/contract_directory.h"
#include "performance/performance_store.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace consort::performance {

class CurrentMonthMetrics {
 public:
  CurrentMonthMetrics(PerformanceStore& store, consumer::ContractLookup& contracts,
                      prometheus::Registry& registry, absl::Duration interval = absl::Seconds(5));
  ~CurrentMonthMetrics();

  void Start();
  void Stop();

  // Reads the scorecards of the month that contains `now` in each contract's zone and sets the
  // gauges. Returns the first error of a contract look-up after setting the gauges without the
  // scorecards it concerns, or the store's error without touching the gauges.
  absl::Status Refresh(absl::Time now);

 private:
  void Run();

  // Returns the scorecards whose period is the current month of their contract at `now`.
  absl::StatusOr<std::vector<ScorecardTotals>> CurrentScorecards(absl::Time now,
                                                                 absl::Status& lookup_error);

  PerformanceStore& store_;
  consumer::ContractLookup& contracts_;
  const absl::Duration interval_;
  prometheus::Family<prometheus::Gauge>& net_sales_;
  prometheus::Family<prometheus::Gauge>& leaderboard_;
  std::map<std::string, prometheus::Gauge*> net_sales_by_currency_;
  std::map<int, prometheus::Gauge*> score_by_rank_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace consort::performance
