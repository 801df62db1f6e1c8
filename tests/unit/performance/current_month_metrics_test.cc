#include "performance/current_month_metrics.h"

#include <map>
#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/metric_family.h"
#include "tests/support/test_redis.h"

namespace consort::performance {
namespace {

using testing::TestRedisAddress;
using testing::UniqueNamespace;

// Returns the value of the gauge `name` with the label `label` = `value`, or -1 when absent.
double GaugeValue(prometheus::Registry& registry, const std::string& name, const std::string& label,
                  const std::string& value) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      for (const prometheus::ClientMetric::Label& pair : metric.label) {
        if (pair.name == label && pair.value == value) return metric.gauge.value;
      }
    }
  }
  return -1;
}

// Contracts by contract_id; each has only the time zone that the gauges read.
class ZoneContracts : public consumer::ContractLookup {
 public:
  absl::StatusOr<consumer::ContractTerms> GetContract(const std::string& contract_id) override {
    auto found = zones.find(contract_id);
    if (found == zones.end()) return absl::NotFoundError("contract not found");
    consumer::ContractTerms terms;
    terms.contract_id = contract_id;
    terms.time_zone = found->second;
    return terms;
  }

  absl::StatusOr<consumer::ContractTerms> GetActiveContract(const std::string&) override {
    return absl::UnimplementedError("not used by the gauges");
  }

  std::map<std::string, std::string> zones = {{"c-utc", "UTC"},
                                              {"c-sp", "America/Sao_Paulo"},
                                              {"c-tokyo", "Asia/Tokyo"}};
};

class CurrentMonthMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CONSORT_REQUIRE_TEST_REDIS();
    pool_ = std::make_unique<redis::Pool>(TestRedisAddress(), "", 2, registry_);
    store_ = std::make_unique<PerformanceStore>(*pool_, UniqueNamespace(), "scores");
  }

  void AddScorecard(const std::string& period, const std::string& partner_id, int64_t gross_minor,
                    const std::string& contract_id = "c-utc") {
    ScorecardWrite write;
    write.totals.period = period;
    write.totals.partner_id = partner_id;
    write.totals.contract_id = contract_id;
    write.totals.currency = "BRL";
    write.totals.gross_minor = gross_minor;
    write.totals.orders = 1;
    write.totals.target_minor = 100'000;
    write.totals.version = 1;
    write.event_ids = {"s:" + partner_id + period};
    ASSERT_TRUE(store_->Commit({write}, {}).ok());
  }

  // 2024-03-15 12:00 UTC.
  const absl::Time now_ =
      absl::FromCivil(absl::CivilSecond(2024, 3, 15, 12, 0, 0), absl::UTCTimeZone());
  ZoneContracts contracts_;
  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<PerformanceStore> store_;
};

TEST_F(CurrentMonthMetricsTest, SumsNetSalesOfTheMonth) {
  AddScorecard("2024-03", "a", 10'050);
  AddScorecard("2024-03", "b", 20'000);
  AddScorecard("2024-02", "c", 99'999);
  CurrentMonthMetrics metrics(*store_, contracts_, registry_);
  ASSERT_TRUE(metrics.Refresh(now_).ok());
  EXPECT_DOUBLE_EQ(GaugeValue(registry_, "consort_net_sales", "currency", "BRL"), 300.50);
}

TEST_F(CurrentMonthMetricsTest, RanksTopScores) {
  AddScorecard("2024-03", "small", 30'000);
  AddScorecard("2024-03", "large", 120'000);
  CurrentMonthMetrics metrics(*store_, contracts_, registry_);
  ASSERT_TRUE(metrics.Refresh(now_).ok());
  // Without feedback the attainment and complaint weights (50 and 20) are scaled up to 100.
  // 120% attainment and no complaints score 100. 30% attainment is a KPI score of 25, so the
  // score is (50 * 25 + 20 * 100) / 70 = 46.43.
  EXPECT_DOUBLE_EQ(GaugeValue(registry_, "consort_leaderboard_score", "rank", "1"), 100.0);
  EXPECT_DOUBLE_EQ(GaugeValue(registry_, "consort_leaderboard_score", "rank", "2"), 46.43);
  EXPECT_EQ(GaugeValue(registry_, "consort_leaderboard_score", "rank", "3"), -1);
}

TEST_F(CurrentMonthMetricsTest, EmptyMonthRemovesRanks) {
  AddScorecard("2024-03", "a", 10'000);
  CurrentMonthMetrics metrics(*store_, contracts_, registry_);
  ASSERT_TRUE(metrics.Refresh(now_).ok());
  ASSERT_GE(GaugeValue(registry_, "consort_leaderboard_score", "rank", "1"), 0);
  ASSERT_TRUE(metrics.Refresh(now_ + absl::Hours(24 * 31)).ok());
  EXPECT_EQ(GaugeValue(registry_, "consort_leaderboard_score", "rank", "1"), -1);
  EXPECT_DOUBLE_EQ(GaugeValue(registry_, "consort_net_sales", "currency", "BRL"), 0);
}

TEST_F(CurrentMonthMetricsTest, MonthFollowsContractZone) {
  // 2024-04-01 01:00 UTC is still 2024-03-31 in Sao Paulo (UTC-3) and already April in Tokyo.
  const absl::Time now =
      absl::FromCivil(absl::CivilSecond(2024, 4, 1, 1, 0, 0), absl::UTCTimeZone());
  AddScorecard("2024-03", "sp-march", 10'000, "c-sp");
  AddScorecard("2024-04", "sp-april", 1'000'000, "c-sp");
  AddScorecard("2024-04", "tokyo-april", 20'000, "c-tokyo");
  AddScorecard("2024-03", "utc-march", 1'000'000, "c-utc");
  AddScorecard("2024-04", "utc-april", 40'000, "c-utc");
  CurrentMonthMetrics metrics(*store_, contracts_, registry_);
  ASSERT_TRUE(metrics.Refresh(now).ok());
  EXPECT_DOUBLE_EQ(GaugeValue(registry_, "consort_net_sales", "currency", "BRL"), 700.00);
  EXPECT_GE(GaugeValue(registry_, "consort_leaderboard_score", "rank", "3"), 0);
  EXPECT_EQ(GaugeValue(registry_, "consort_leaderboard_score", "rank", "4"), -1);
}

TEST_F(CurrentMonthMetricsTest, UnknownContractIsLeftOut) {
  AddScorecard("2024-03", "known", 10'000);
  AddScorecard("2024-03", "orphan", 50'000, "c-gone");
  CurrentMonthMetrics metrics(*store_, contracts_, registry_);
  const absl::Status status = metrics.Refresh(now_);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("\"c-gone\""));
  EXPECT_DOUBLE_EQ(GaugeValue(registry_, "consort_net_sales", "currency", "BRL"), 100.00);
}

}  // namespace
}  // namespace consort::performance
