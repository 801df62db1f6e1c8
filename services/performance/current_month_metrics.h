#pragma once

// Refreshes the gauges about the current month every few seconds from the stored scorecards:
//   consort_net_sales{currency}    net sales of the month across partners, in currency units
//   consort_leaderboard_score{rank} the month's top 10 composite scores, rank "1" to "10"
// The current month is the calendar month of the wall clock in UTC.
// NOTE: partners whose contract zone is ahead of or behind UTC switch months a few hours earlier
// or later than these gauges do.
//
// Thread safety: Start and Stop are called by the owning thread; the refresh runs on its own.

#include <map>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "performance/performance_store.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace consort::performance {

class CurrentMonthMetrics {
 public:
  CurrentMonthMetrics(PerformanceStore& store, prometheus::Registry& registry,
                      absl::Duration interval = absl::Seconds(5));
  ~CurrentMonthMetrics();

  void Start();
  void Stop();

  // Reads the month's scorecards once and sets the gauges.
  absl::Status Refresh(absl::Time now);

 private:
  void Run();

  PerformanceStore& store_;
  const absl::Duration interval_;
  prometheus::Family<prometheus::Gauge>& net_sales_;
  prometheus::Family<prometheus::Gauge>& leaderboard_;
  std::map<std::string, prometheus::Gauge*> net_sales_by_currency_;
  std::map<int, prometheus::Gauge*> score_by_rank_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace consort::performance
