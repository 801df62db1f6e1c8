#include "performance/current_month_metrics.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "prometheus/metric_family.h"
#include "test_redis.h"

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

class CurrentMonthMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CONSORT_REQUIRE_TEST_REDIS();
    pool_ = std::make_unique<redis::Pool>(TestRedisAddress(), "", 2, registry_);
    store_ = std::make_unique<PerformanceStore>(*pool_, UniqueNamespace(), "scores");
  }

  void AddScorecard(const std::string& period, const std::string& partner_id, int64_t gross_minor) {
    ScorecardWrite write;
    write.totals.period = period;
    write.totals.partner_id = partner_id;
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
  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<PerformanceStore> store_;
};

TEST_F(CurrentMonthMetricsTest, SumsNetSalesOfTheMonth) {
  AddScorecard("2024-03", "a", 10'050);
  AddScorecard("2024-03", "b", 20'000);
  AddScorecard("2024-02", "c", 99'999);
  CurrentMonthMetrics metrics(*store_, registry_);
  ASSERT_TRUE(metrics.Refresh(now_).ok());
  EXPECT_DOUBLE_EQ(GaugeValue(registry_, "consort_net_sales", "currency", "BRL"), 300.50);
}

TEST_F(CurrentMonthMetricsTest, RanksTopScores) {
  AddScorecard("2024-03", "small", 30'000);
  AddScorecard("2024-03", "large", 120'000);
  CurrentMonthMetrics metrics(*store_, registry_);
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
  CurrentMonthMetrics metrics(*store_, registry_);
  ASSERT_TRUE(metrics.Refresh(now_).ok());
  ASSERT_GE(GaugeValue(registry_, "consort_leaderboard_score", "rank", "1"), 0);
  ASSERT_TRUE(metrics.Refresh(now_ + absl::Hours(24 * 31)).ok());
  EXPECT_EQ(GaugeValue(registry_, "consort_leaderboard_score", "rank", "1"), -1);
  EXPECT_DOUBLE_EQ(GaugeValue(registry_, "consort_net_sales", "currency", "BRL"), 0);
}

}  // namespace
}  // namespace consort::performance
