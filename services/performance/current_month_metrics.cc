#include "performance/current_month_metrics.h"

#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "money/money.h"
#include "performance/leaderboard.h"
#include "period/period.h"
#include "spdlog/spdlog.h"

namespace consort::performance {
namespace {

constexpr int kRanks = 10;

double ToUnits(int64_t minor, int minor_unit) {
  double divisor = 1;
  for (int i = 0; i < minor_unit; ++i) divisor *= 10;
  return static_cast<double>(minor) / divisor;
}

}  // namespace

CurrentMonthMetrics::CurrentMonthMetrics(PerformanceStore& store,
                                         consumer::ContractLookup& contracts,
                                         prometheus::Registry& registry, absl::Duration interval)
    : store_(store),
      contracts_(contracts),
      interval_(interval),
      net_sales_(prometheus::BuildGauge()
                     .Name("consort_net_sales")
                     .Help("Net sales of the current month in each contract's time zone across "
                           "partners, in currency units.")
                     .Register(registry)),
      leaderboard_(prometheus::BuildGauge()
                       .Name("consort_leaderboard_score")
                       .Help("Composite scores of the current month's top 10 partners, by rank.")
                       .Register(registry)) {}

CurrentMonthMetrics::~CurrentMonthMetrics() { Stop(); }

void CurrentMonthMetrics::Start() {
  thread_ = std::thread([this] { Run(); });
}

void CurrentMonthMetrics::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void CurrentMonthMetrics::Run() {
  LogRateLimiter limiter(1, std::chrono::minutes(1));
  do {
    if (absl::Status status = Refresh(absl::Now()); !status.ok()) {
      int64_t suppressed = 0;
      if (limiter.Allow("refresh", suppressed)) {
        spdlog::warn(
            "msg=\"refreshing the current month's gauges failed\" error={} "
            "suppressed={}",
            Quote(status.ToString()), suppressed);
      }
    }
  } while (!stop_.WaitForNotificationWithTimeout(interval_));
}

absl::StatusOr<std::vector<ScorecardTotals>> CurrentMonthMetrics::CurrentScorecards(
    absl::Time now, absl::Status& lookup_error) {
  // Civil time zones lie between UTC-12 and UTC+14, so these two UTC months contain the current
  // month of every contract.
  std::set<std::string> periods;
  for (absl::Time shifted : {now - absl::Hours(14), now + absl::Hours(14)}) {
    periods.insert(absl::FormatTime("%Y-%m", shifted, absl::UTCTimeZone()));
  }

  std::vector<ScorecardTotals> current;
  absl::flat_hash_map<std::string, std::string> month_by_contract;
  for (const std::string& period : periods) {
    absl::StatusOr<std::vector<ScorecardTotals>> scorecards = store_.ListPeriod(period);
    if (!scorecards.ok()) return scorecards.status();
    for (ScorecardTotals& totals : *scorecards) {
      auto month = month_by_contract.find(totals.contract_id);
      if (month == month_by_contract.end()) {
        absl::StatusOr<consumer::ContractTerms> terms = contracts_.GetContract(totals.contract_id);
        absl::StatusOr<absl::TimeZone> zone =
            terms.ok() ? period::LoadZone(terms->time_zone) : terms.status();
        if (!zone.ok()) {
          if (lookup_error.ok()) {
            lookup_error = absl::Status(
                zone.status().code(), absl::StrCat("contract_id ", Quote(totals.contract_id),
                                                   " of partner_id ", Quote(totals.partner_id),
                                                   ": ", zone.status().message()));
          }
          continue;
        }
        month = month_by_contract.emplace(totals.contract_id, period::MonthOf(now, *zone).Label())
                    .first;
      }
      if (month->second == totals.period) current.push_back(std::move(totals));
    }
  }
  return current;
}

absl::Status CurrentMonthMetrics::Refresh(absl::Time now) {
  absl::Status lookup_error;
  absl::StatusOr<std::vector<ScorecardTotals>> scorecards = CurrentScorecards(now, lookup_error);
  if (!scorecards.ok()) return scorecards.status();

  std::map<std::string, int64_t> net_by_currency;
  for (const ScorecardTotals& totals : *scorecards) {
    net_by_currency[totals.currency] += totals.net_minor();
  }
  for (auto& [currency, gauge] : net_sales_by_currency_) {
    if (!net_by_currency.contains(currency)) gauge->Set(0);
  }
  for (const auto& [code, net_minor] : net_by_currency) {
    const money::Currency* currency = money::FindCurrency(code);
    if (currency == nullptr) continue;
    prometheus::Gauge*& gauge = net_sales_by_currency_[code];
    if (gauge == nullptr) gauge = &net_sales_.Add({{"currency", code}});
    gauge->Set(ToUnits(net_minor, currency->minor_unit));
  }

  std::vector<RankedScorecard> ranked = RankScorecards(*std::move(scorecards));
  for (int rank = 1; rank <= kRanks; ++rank) {
    const bool present =
        rank <= static_cast<int>(ranked.size()) && ranked[rank - 1].score.score_hundredths >= 0;
    auto found = score_by_rank_.find(rank);
    if (!present) {
      if (found != score_by_rank_.end()) {
        leaderboard_.Remove(found->second);
        score_by_rank_.erase(found);
      }
      continue;
    }
    if (found == score_by_rank_.end()) {
      found = score_by_rank_.emplace(rank, &leaderboard_.Add({{"rank", absl::StrCat(rank)}})).first;
    }
    found->second->Set(static_cast<double>(ranked[rank - 1].score.score_hundredths) / 100);
  }
  return lookup_error;
}

}  // namespace consort::performance
