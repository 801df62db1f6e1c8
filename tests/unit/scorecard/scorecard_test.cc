#include "scorecard/scorecard.h"

#include <random>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace consort::scorecard {
namespace {

money::Money Eur(std::string_view amount) { return money::Money::Parse(amount, "EUR").value(); }
money::Rate R(std::string_view text) { return money::Rate::Parse(text).value(); }

Definition SingleKpi(Kpi kpi) { return Definition{{{kpi, 100}}, ScoringRules{}, {}}; }

// Returns the KPI score of `kpi` alone for the inputs, as "75.00", or "no data".
std::string KpiScore(Kpi kpi, const Inputs& inputs) {
  Scorecard scorecard = ComputeScorecard(SingleKpi(kpi), inputs).value();
  if (!scorecard.contributions[0].has_data) return "no data";
  return scorecard.contributions[0].kpi_score.ToString();
}

// Default weights 50/30/20: attainment 90% scores 75, rating 4.2 scores 80, and 3 complaints in
// 60 orders score 50, contributing 37.5, 24.0 and 10.0 to a score of 71.5.
TEST(ScorecardCaseTest, DefaultWeightsHandComputed) {
  Inputs inputs;
  inputs.net_sales = Eur("18000.00");
  inputs.target = Eur("20000.00");
  inputs.rating_sum = 21;  // five ratings averaging 4.2
  inputs.rating_count = 5;
  inputs.complaints = 3;
  inputs.orders = 60;
  Definition definition = DefaultDefinition();
  ASSERT_TRUE(ValidateDefinition(definition).ok());

  Scorecard scorecard = ComputeScorecard(definition, inputs).value();

  ASSERT_EQ(scorecard.contribution_count, 3);
  const Contribution& attainment = scorecard.contributions[0];
  EXPECT_EQ(attainment.kpi, Kpi::kAttainment);
  EXPECT_EQ(attainment.weight, 50);
  EXPECT_EQ(attainment.kpi_score.ToString(), "75.00");
  EXPECT_EQ(attainment.contribution.ToString(), "37.50");
  const Contribution& rating = scorecard.contributions[1];
  EXPECT_EQ(rating.kpi, Kpi::kRating);
  EXPECT_EQ(rating.kpi_score.ToString(), "80.00");
  EXPECT_EQ(rating.contribution.ToString(), "24.00");
  const Contribution& complaints = scorecard.contributions[2];
  EXPECT_EQ(complaints.kpi, Kpi::kComplaints);
  EXPECT_EQ(complaints.kpi_score.ToString(), "50.00");
  EXPECT_EQ(complaints.contribution.ToString(), "10.00");
  EXPECT_EQ(scorecard.score.ToString(), "71.50");
  EXPECT_EQ(scorecard.score, Points::FromHundredths(7150));
}

TEST(ScorecardKpiTest, AttainmentIsCappedAt120Percent) {
  Inputs inputs;
  inputs.target = Eur("100.00");
  for (auto [net, expected] :
       std::vector<std::pair<std::string, std::string>>{{"0", "0.00"},
                                                        {"-50.00", "0.00"},
                                                        {"60.00", "50.00"},
                                                        {"100.00", "83.33"},
                                                        {"120.00", "100.00"},
                                                        {"500.00", "100.00"},
                                                        {"33.33", "27.78"}}) {
    inputs.net_sales = Eur(net);
    EXPECT_EQ(KpiScore(Kpi::kAttainment, inputs), expected) << net;
  }
  inputs.target = Eur("0");
  EXPECT_EQ(KpiScore(Kpi::kAttainment, inputs), "no data");
  inputs.target.reset();
  EXPECT_EQ(KpiScore(Kpi::kAttainment, inputs), "no data");
}

TEST(ScorecardKpiTest, RatingScalesFromOneToFive) {
  Inputs inputs;
  for (auto [sum, count, expected] : std::vector<std::tuple<int, int, std::string>>{
           {1, 1, "0.00"}, {5, 1, "100.00"}, {3, 1, "50.00"}, {10, 3, "58.33"}, {0, 1, "0.00"}}) {
    inputs.rating_sum = sum;
    inputs.rating_count = count;
    EXPECT_EQ(KpiScore(Kpi::kRating, inputs), expected) << sum << "/" << count;
  }
  inputs.rating_count = 0;
  inputs.rating_sum = 0;
  EXPECT_EQ(KpiScore(Kpi::kRating, inputs), "no data");
}

TEST(ScorecardKpiTest, ComplaintRateScoresZeroAtTenPercent) {
  Inputs inputs;
  inputs.orders = 200;
  for (auto [complaints, expected] : std::vector<std::pair<int, std::string>>{
           {0, "100.00"}, {10, "50.00"}, {20, "0.00"}, {50, "0.00"}, {1, "95.00"}, {3, "85.00"}}) {
    inputs.complaints = complaints;
    EXPECT_EQ(KpiScore(Kpi::kComplaints, inputs), expected) << complaints;
  }
  inputs.orders = 0;
  EXPECT_EQ(KpiScore(Kpi::kComplaints, inputs), "no data");
}

TEST(ScorecardKpiTest, MarketShareAgainstTheCap) {
  Inputs inputs;
  inputs.net_sales = Eur("250.00");
  inputs.market_net_sales = Eur("1000.00");
  EXPECT_EQ(KpiScore(Kpi::kMarketShare, inputs), "25.00");
  Definition definition = SingleKpi(Kpi::kMarketShare);
  definition.rules.market_share_cap = R("20%");
  EXPECT_EQ(ComputeScorecard(definition, inputs)->score.ToString(), "100.00");
  inputs.market_net_sales.reset();
  EXPECT_EQ(KpiScore(Kpi::kMarketShare, inputs), "no data");
}

TEST(ScorecardKpiTest, GrowthScoresFiftyWhenFlat) {
  Inputs inputs;
  inputs.previous_net_sales = Eur("1000.00");
  for (auto [current, expected] :
       std::vector<std::pair<std::string, std::string>>{{"1000.00", "50.00"},
                                                        {"1200.00", "100.00"},
                                                        {"800.00", "0.00"},
                                                        {"1100.00", "75.00"},
                                                        {"0", "0.00"},
                                                        {"5000.00", "100.00"},
                                                        {"-10.00", "0.00"}}) {
    inputs.net_sales = Eur(current);
    EXPECT_EQ(KpiScore(Kpi::kGrowth, inputs), expected) << current;
  }
  inputs.previous_net_sales = Eur("0");
  EXPECT_EQ(KpiScore(Kpi::kGrowth, inputs), "no data");
}

TEST(ScorecardTest, MissingKpiWeightsAreSpreadOverTheOthers) {
  Inputs inputs;
  inputs.net_sales = Eur("120.00");
  inputs.target = Eur("100.00");
  inputs.complaints = 0;
  inputs.orders = 10;
  Scorecard scorecard = ComputeScorecard(DefaultDefinition(), inputs).value();
  EXPECT_FALSE(scorecard.contributions[1].has_data);
  EXPECT_EQ(scorecard.contributions[1].contribution.ToString(), "0.00");
  // 50 / 70 and 20 / 70 of 100 points.
  EXPECT_EQ(scorecard.contributions[0].contribution.ToString(), "71.43");
  EXPECT_EQ(scorecard.contributions[2].contribution.ToString(), "28.57");
  EXPECT_EQ(scorecard.score.ToString(), "100.00");
}

TEST(ScorecardTest, RoundingNeverPushesTheScoreAbove100) {
  Definition definition{
      {{Kpi::kAttainment, 35}, {Kpi::kRating, 35}, {Kpi::kComplaints, 15}, {Kpi::kGrowth, 15}},
      ScoringRules{},
      {}};
  ASSERT_TRUE(ValidateDefinition(definition).ok());
  Inputs inputs;
  inputs.net_sales = Eur("500.00");
  inputs.target = Eur("100.00");
  inputs.rating_sum = 5;
  inputs.rating_count = 1;
  inputs.orders = 3;
  // Growth has no data, so the weights 35, 35 and 15 are scaled by 100 / 85.
  Scorecard scorecard = ComputeScorecard(definition, inputs).value();
  int64_t sum = 0;
  for (int i = 0; i < scorecard.contribution_count; ++i) {
    sum += scorecard.contributions[i].contribution.hundredths();
  }
  EXPECT_EQ(scorecard.score.ToString(), "100.00");
  EXPECT_EQ(sum, scorecard.score.hundredths());
}

TEST(ScorecardTest, NoDataScoresZero) {
  Scorecard scorecard = ComputeScorecard(DefaultDefinition(), Inputs{}).value();
  EXPECT_EQ(scorecard.score.ToString(), "0.00");
  EXPECT_EQ(scorecard.tier, nullptr);
}

TEST(ScorecardTest, HighestTierReachedIsReturned) {
  Definition definition = DefaultDefinition();
  definition.tiers = {{"bronze", Points::Parse("50").value()},
                      {"silver", Points::Parse("70").value()},
                      {"gold", Points::Parse("85").value()}};
  ASSERT_TRUE(ValidateDefinition(definition).ok());
  Inputs inputs;
  inputs.net_sales = Eur("18000.00");
  inputs.target = Eur("20000.00");
  inputs.rating_sum = 21;
  inputs.rating_count = 5;
  inputs.complaints = 3;
  inputs.orders = 60;

  Scorecard scorecard = ComputeScorecard(definition, inputs).value();
  ASSERT_NE(scorecard.tier, nullptr);
  EXPECT_EQ(scorecard.tier->name, "silver");

  inputs.complaints = 60;  // complaints now score 0: 61.50
  scorecard = ComputeScorecard(definition, inputs).value();
  EXPECT_EQ(scorecard.tier->name, "bronze");

  inputs.net_sales = Eur("0");  // 24.00
  scorecard = ComputeScorecard(definition, inputs).value();
  EXPECT_EQ(scorecard.tier, nullptr);
}

TEST(ValidateDefinitionTest, RejectsWeightsThatDoNotAddUpTo100) {
  Definition definition = DefaultDefinition();
  definition.weights[0].weight = 40;
  EXPECT_EQ(ValidateDefinition(definition).message(),
            "weights adding up to 90 is invalid: they must add up to 100");
  definition.weights[0].weight = -10;
  EXPECT_EQ(ValidateDefinition(definition).message(),
            "weights[0].weight -10 is invalid: expected 0 to 100");
  definition.weights = {{Kpi::kRating, 50}, {Kpi::kRating, 50}};
  EXPECT_EQ(ValidateDefinition(definition).message(),
            "weights[1].kpi rating is invalid: each KPI may appear once");
  definition.weights = {};
  EXPECT_FALSE(ValidateDefinition(definition).ok());
}

TEST(ValidateDefinitionTest, RejectsOutOfRangeRules) {
  Definition definition = DefaultDefinition();
  definition.rules.attainment_cap = money::Rate::Zero();
  EXPECT_EQ(ValidateDefinition(definition).message(),
            "rules.attainment_cap 0 is invalid: expected more than 0 to 10");
  definition = DefaultDefinition();
  definition.rules.rating_max = R("1");
  EXPECT_EQ(ValidateDefinition(definition).message(),
            "rules.rating_max 1 is invalid: it must be greater than rules.rating_min 1");
  definition = DefaultDefinition();
  definition.rules.growth_ceiling = R("-0.5");
  EXPECT_FALSE(ValidateDefinition(definition).ok());
  definition = DefaultDefinition();
  definition.rules.complaint_rate_limit = R("150%");
  EXPECT_FALSE(ValidateDefinition(definition).ok());
}

TEST(ValidateDefinitionTest, RejectsUnorderedOrDuplicateTiers) {
  Definition definition = DefaultDefinition();
  definition.tiers = {{"gold", Points::Parse("85").value()},
                      {"silver", Points::Parse("70").value()}};
  EXPECT_EQ(ValidateDefinition(definition).message(),
            "tiers[1].min_score 70.00 is invalid: tiers must be ordered by strictly increasing "
            "min_score; tiers[0].min_score is 85.00");
  definition.tiers = {{"gold", Points::Parse("10").value()}, {"gold", Points::Parse("70").value()}};
  EXPECT_FALSE(ValidateDefinition(definition).ok());
  definition.tiers = {{"", Points::Parse("10").value()}};
  EXPECT_FALSE(ValidateDefinition(definition).ok());
  definition.tiers = {{"top", Points::Parse("100.01").value()}};
  EXPECT_FALSE(ValidateDefinition(definition).ok());
}

TEST(ComputeScorecardTest, RejectsInvalidInputs) {
  Inputs inputs;
  inputs.orders = -1;
  EXPECT_EQ(ComputeScorecard(DefaultDefinition(), inputs).status().code(),
            absl::StatusCode::kInvalidArgument);
  inputs = Inputs{};
  inputs.net_sales = Eur("1.00");
  inputs.target = money::Money::Parse("1.00", "USD").value();
  absl::StatusOr<Scorecard> mixed = ComputeScorecard(DefaultDefinition(), inputs);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().message(),
            "inputs USD is invalid: all amounts must be in one currency, here EUR");
}

TEST(PointsTest, ParsesAndFormatsHundredths) {
  EXPECT_EQ(Points::Parse("71.5")->hundredths(), 7150);
  EXPECT_EQ(Points::Parse("85")->ToString(), "85.00");
  EXPECT_EQ(Points::Parse("-0.25")->ToString(), "-0.25");
  EXPECT_FALSE(Points::Parse("7.125").ok());
  EXPECT_FALSE(Points::Parse("abc").ok());
}

TEST(ScorecardPropertyTest, ScoreIsBoundedAndEqualsTheContributions) {
  std::mt19937_64 random(7);
  auto pick = [&](int64_t n) { return static_cast<int64_t>(random() % n); };
  const Kpi kpis[] = {Kpi::kAttainment, Kpi::kMarketShare, Kpi::kRating, Kpi::kComplaints,
                      Kpi::kGrowth};
  const money::Currency& eur = *money::FindCurrency("EUR");
  for (int round = 0; round < 20000; ++round) {
    Definition definition;
    int remaining = 100;
    for (int i = 0; i < kKpiCount && remaining > 0; ++i) {
      int weight = i == kKpiCount - 1 ? remaining : static_cast<int>(pick(remaining + 1));
      definition.weights.push_back({kpis[i], weight});
      remaining -= weight;
    }
    if (remaining > 0) definition.weights.back().weight += remaining;
    ASSERT_TRUE(ValidateDefinition(definition).ok());

    Inputs inputs;
    if (pick(5) != 0) {
      inputs.net_sales =
          money::Money::FromMinor(pick(money::Money::kMaxMinorUnits) - pick(1000), eur);
    }
    if (pick(5) != 0)
      inputs.target = money::Money::FromMinor(pick(money::Money::kMaxMinorUnits), eur);
    if (pick(5) != 0) {
      inputs.market_net_sales = money::Money::FromMinor(pick(money::Money::kMaxMinorUnits), eur);
    }
    if (pick(5) != 0) {
      inputs.previous_net_sales = money::Money::FromMinor(pick(money::Money::kMaxMinorUnits), eur);
    }
    inputs.rating_count = pick(1'000'000'000'000'000);
    inputs.rating_sum = inputs.rating_count * (1 + pick(5));
    inputs.orders = pick(1'000'000'000'000'000);
    inputs.complaints = pick(inputs.orders + 1);

    Scorecard scorecard = ComputeScorecard(definition, inputs).value();
    int64_t sum = 0;
    for (int i = 0; i < scorecard.contribution_count; ++i) {
      const Contribution& contribution = scorecard.contributions[i];
      ASSERT_GE(contribution.kpi_score.hundredths(), 0);
      ASSERT_LE(contribution.kpi_score.hundredths(), 10000);
      ASSERT_GE(contribution.contribution.hundredths(), 0);
      sum += contribution.contribution.hundredths();
    }
    ASSERT_EQ(sum, scorecard.score.hundredths()) << round;
    ASSERT_GE(scorecard.score.hundredths(), 0);
    ASSERT_LE(scorecard.score.hundredths(), 10000) << round;
  }
}

}  // namespace
}  // namespace consort::scorecard
