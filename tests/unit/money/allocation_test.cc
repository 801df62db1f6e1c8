#include "money/allocation.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace consort::money {
namespace {

Money Eur(std::string_view amount) { return Money::Parse(amount, "EUR").value(); }

std::vector<std::string> Strings(const std::vector<Money>& amounts) {
  std::vector<std::string> out;
  for (const Money& amount : amounts) out.push_back(amount.ToString());
  return out;
}

TEST(SplitEquallyTest, GivesTheRemainderToTheFirstShares) {
  EXPECT_EQ(Strings(*SplitEqually(Eur("10.00"), 4)),
            (std::vector<std::string>{"2.50", "2.50", "2.50", "2.50"}));
  EXPECT_EQ(Strings(*SplitEqually(Eur("10.00"), 3)),
            (std::vector<std::string>{"3.34", "3.33", "3.33"}));
  EXPECT_EQ(Strings(*SplitEqually(Eur("0.05"), 3)),
            (std::vector<std::string>{"0.02", "0.02", "0.01"}));
  EXPECT_EQ(Strings(*SplitEqually(Eur("0.01"), 3)),
            (std::vector<std::string>{"0.01", "0.00", "0.00"}));
}

TEST(SplitEquallyTest, NegativeAmountMirrorsPositive) {
  EXPECT_EQ(Strings(*SplitEqually(Eur("-10.00"), 3)),
            (std::vector<std::string>{"-3.34", "-3.33", "-3.33"}));
}

TEST(SplitEquallyTest, RejectsInvalidShareCounts) {
  EXPECT_FALSE(SplitEqually(Eur("1"), 0).ok());
  EXPECT_FALSE(SplitEqually(Eur("1"), -2).ok());
  EXPECT_FALSE(SplitEqually(Eur("1"), 1'000'001).ok());
}

TEST(SplitByWeightsTest, GivesTheRemainderToTheLargestFractions) {
  // 1.00 by 1:1:1:3 is 16.66..., 16.66..., 16.66..., 50 cents.
  EXPECT_EQ(Strings(*SplitByWeights(Eur("1.00"), std::vector<int64_t>{1, 1, 1, 3})),
            (std::vector<std::string>{"0.17", "0.17", "0.16", "0.50"}));
  // 0.10 by 3:7 is exact.
  EXPECT_EQ(Strings(*SplitByWeights(Eur("0.10"), std::vector<int64_t>{3, 7})),
            (std::vector<std::string>{"0.03", "0.07"}));
  // 0.10 by 1:0:2 is 3.33 and 6.66 cents; the larger fraction (.67 of 6.66...) gets the cent.
  EXPECT_EQ(Strings(*SplitByWeights(Eur("0.10"), std::vector<int64_t>{1, 0, 2})),
            (std::vector<std::string>{"0.03", "0.00", "0.07"}));
}

TEST(SplitByWeightsTest, RejectsNegativeZeroAndOversizedWeights) {
  EXPECT_FALSE(SplitByWeights(Eur("1"), std::vector<int64_t>{1, -1}).ok());
  EXPECT_FALSE(SplitByWeights(Eur("1"), std::vector<int64_t>{0, 0}).ok());
  EXPECT_FALSE(SplitByWeights(Eur("1"), std::vector<int64_t>{}).ok());
  EXPECT_FALSE(SplitByWeights(Eur("1"), std::vector<int64_t>{INT64_MAX / 2, INT64_MAX / 2}).ok());
}

TEST(SplitByRatesTest, SplitsByPercentages) {
  std::vector<Rate> shares = {Rate::Parse("50%").value(), Rate::Parse("30%").value(),
                              Rate::Parse("20%").value()};
  // 49.5, 29.7 and 19.8 cents: the two left-over cents go to the two largest fractions.
  EXPECT_EQ(Strings(*SplitByRates(Eur("0.99"), shares)),
            (std::vector<std::string>{"0.49", "0.30", "0.20"}));
}

TEST(SplitPropertyTest, SharesAlwaysSumToTheAmountAndDifferByAtMostOneUnit) {
  std::mt19937_64 random(20240301);
  std::uniform_int_distribution<int64_t> amounts(-Money::kMaxMinorUnits, Money::kMaxMinorUnits);
  std::uniform_int_distribution<int> counts(1, 40);
  std::uniform_int_distribution<int64_t> weights(0, 1'000'000'000);
  const Currency& eur = *FindCurrency("EUR");
  for (int round = 0; round < 2000; ++round) {
    Money amount = Money::FromMinor(round % 2 == 0 ? amounts(random) : amounts(random) % 1000, eur);
    int count = counts(random);

    std::vector<Money> equal = SplitEqually(amount, count).value();
    ASSERT_EQ(Sum(equal)->minor_units(), amount.minor_units());
    int64_t low = equal.back().minor_units();
    int64_t high = equal.front().minor_units();
    ASSERT_LE(std::abs(high - low), 1);

    std::vector<int64_t> share_weights(count);
    for (int64_t& weight : share_weights) weight = weights(random);
    share_weights[0] += 1;
    std::vector<Money> weighted = SplitByWeights(amount, share_weights).value();
    ASSERT_EQ(Sum(weighted)->minor_units(), amount.minor_units());
    std::vector<Money> mirrored = SplitByWeights(amount.Negate(), share_weights).value();
    for (size_t i = 0; i < weighted.size(); ++i) {
      ASSERT_EQ(mirrored[i], weighted[i].Negate());
    }
  }
}

}  // namespace
}  // namespace consort::money
