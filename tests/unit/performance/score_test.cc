#include "performance/score.h"

#include "gtest/gtest.h"
#include "performance/aggregation.h"

namespace consort::performance {
namespace {

ScorecardTotals Totals() {
  ScorecardTotals totals;
  totals.currency = "BRL";
  totals.gross_minor = 100'000;
  totals.target_minor = 100'000;
  totals.orders = 10;
  totals.feedback_count = 2;
  totals.rating_sum = 10;
  return totals;
}

TEST(ComputeScore, DefaultWeights) {
  // Attainment 100% of a 120% cap scores 83.33 (41.67 of 50), a 5.00 rating 100 (30 of 30),
  // no complaints 100 (20 of 20).
  ScoreResult result = ComputeScore(Totals());
  EXPECT_EQ(result.score, "91.67");
  EXPECT_EQ(result.score_hundredths, 9167);
  ASSERT_EQ(result.contributions.size(), 3u);
  EXPECT_EQ(result.contributions[0].kpi(), "attainment");
  EXPECT_EQ(result.contributions[0].weight(), 50);
  EXPECT_EQ(result.contributions[0].kpi_score(), "83.33");
  EXPECT_EQ(result.contributions[0].contribution(), "41.67");
  EXPECT_EQ(result.contributions[1].kpi(), "rating");
  EXPECT_EQ(result.contributions[1].contribution(), "30.00");
  EXPECT_EQ(result.contributions[2].kpi(), "complaints");
  EXPECT_EQ(result.contributions[2].contribution(), "20.00");
}

TEST(ComputeScore, ComplaintRateUsesOrders) {
  ScorecardTotals totals = Totals();
  // 1 complaint in 20 orders is a 5% rate, half of the 10% limit: the KPI scores 50.
  totals.orders = 20;
  totals.complaints = 1;
  ScoreResult result = ComputeScore(totals);
  ASSERT_EQ(result.contributions.size(), 3u);
  EXPECT_EQ(result.contributions[2].kpi_score(), "50.00");
}

TEST(ComputeScore, NoTargetLeavesOtherKpis) {
  ScorecardTotals totals = Totals();
  totals.target_minor = 0;
  // Rating and complaints both score 100, scaled up to the whole weight.
  EXPECT_EQ(ComputeScore(totals).score, "100.00");
}

TEST(ComputeScore, UnknownCurrencyHasNoScore) {
  ScorecardTotals totals = Totals();
  totals.currency = "???";
  ScoreResult result = ComputeScore(totals);
  EXPECT_EQ(result.score, "");
  EXPECT_EQ(result.score_hundredths, -1);
}

}  // namespace
}  // namespace consort::performance
