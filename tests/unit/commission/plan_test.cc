#include "commission/plan.h"

#include <string>

#include "absl/status/status.h"
#include "commission/plan_text.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace consort::commission {
namespace {

using testing::M;
using testing::MustParsePlan;

// Returns the error message of parsing `text`, or "OK".
std::string ParseError(std::string_view text) {
  absl::StatusOr<Plan> plan = ParsePlan(text);
  if (plan.ok()) return "OK";
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(plan.status().message());
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(PlanTextTest, ParsesEveryKeyword) {
  Plan plan = MustParsePlan(R"(# A plan with every part.
currency EUR
rounding half-even
band_mode retroactive
band 0 10000.00 5%
band 10000.00 + 0.07
category books 3%
target 20000.00
accelerator 1.5
cap 5000.00
bonus 100% 500.00
bonus 120% 1200.00
pool 10%
pool_share p-a 60%
pool_share p-b 40%
)");
  EXPECT_EQ(plan.currency->code, "EUR");
  EXPECT_EQ(plan.rounding, money::RoundingMode::kHalfEven);
  EXPECT_EQ(plan.band_mode, BandMode::kRetroactive);
  ASSERT_EQ(plan.bands.size(), 2u);
  EXPECT_FALSE(plan.bands[1].to.has_value());
  EXPECT_EQ(plan.bands[1].rate.ToPercentString(), "7%");
  ASSERT_EQ(plan.category_rates.size(), 1u);
  EXPECT_EQ(plan.category_rates[0].category, "books");
  EXPECT_EQ(plan.target->ToString(), "20000.00");
  EXPECT_EQ(plan.accelerator->ToString(), "1.5");
  EXPECT_EQ(plan.cap->ToString(), "5000.00");
  ASSERT_EQ(plan.bonuses.size(), 2u);
  EXPECT_EQ(plan.bonuses[1].amount.ToString(), "1200.00");
  ASSERT_TRUE(plan.pool.has_value());
  EXPECT_EQ(plan.pool->shares[1].partner_id, "p-b");
}

TEST(PlanTextTest, FormatRoundTrips) {
  Plan plan = MustParsePlan(
      "currency JPY\nrate 2.5%\ncategory tv 1%\ntarget 1000000\naccelerator 2\ncap 90000\n"
      "bonus 110% 5000\npool 3%\n");
  std::string text = FormatPlan(plan);
  EXPECT_EQ(FormatPlan(MustParsePlan(text)), text);
  EXPECT_EQ(text,
            "currency JPY\nrounding half-up\nrate 2.5%\ncategory tv 1%\ntarget 1000000\n"
            "accelerator 2\ncap 90000\nbonus 110% 5000\npool 3%\n");
}

TEST(PlanTextTest, RejectsUnknownKeywordNamingTheLine) {
  EXPECT_EQ(ParseError("currency EUR\nrate 5%\nbogus 1\n"),
            "plan line 3 (bogus): unknown keyword; expected currency, rounding, rate, band_mode, "
            "band, category, target, accelerator, cap, bonus, pool or pool_share");
}

TEST(PlanTextTest, RejectsMalformedFields) {
  EXPECT_EQ(ParseError("currency EUR\nrate 5"), "rate 500% is invalid: a rate must be 0% to 100%");
  EXPECT_TRUE(
      Contains(ParseError("currency EUR\nrate five%\n"), "plan line 2 (rate): invalid rate"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5% 6%\n"), "expected 1 field"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\ntarget 1.234\n"),
                       "EUR allows at most 2 decimal places"));
  EXPECT_TRUE(Contains(ParseError("rate 5%\n"), "\"currency XXX\" is missing"));
  EXPECT_TRUE(Contains(ParseError("currency EURO\nrate 5%\n"), "invalid currency \"EURO\""));
  EXPECT_TRUE(Contains(ParseError("currency EUR\ncurrency EUR\nrate 5%\n"), "only once"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\nrate 6%\n"), "only once"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\nrounding up\n"), "half-up"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\npool_share a 100%\n"), "\"pool\" line"));
  EXPECT_TRUE(Contains(ParseError(std::string(70 * 1024, '#')), "at most 65536 bytes"));
}

TEST(ValidatePlanTest, RejectsOverlappingBandsNamingTheField) {
  std::string error = ParseError(
      "currency EUR\nband 0 10000.00 5%\nband 9000.00 25000.00 7%\nband 25000.00 + 10%\n");
  EXPECT_EQ(error,
            "bands[1].from 9000.00 is invalid: it must equal bands[0].to 10000.00 because bands "
            "must be ordered, contiguous and not overlap");
}

TEST(ValidatePlanTest, RejectsUnorderedAndOpenBands) {
  EXPECT_TRUE(Contains(ParseError("currency EUR\nband 10000.00 + 7%\nband 0 10000.00 5%\n"),
                       "bands[0].from 10000.00 is invalid: the first band must start at 0"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nband 0 100.00 5%\n"),
                       "bands[0].to 100.00 is invalid: the last band must be open-ended"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nband 0 + 5%\nband 100.00 + 7%\n"),
                       "bands[0].to (open-ended) is invalid"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nband 0 0 5%\nband 0 + 7%\n"),
                       "bands[0].to 0.00 is invalid: it must be greater than bands[0].from"));
}

TEST(ValidatePlanTest, RejectsNegativeAndExcessiveRates) {
  EXPECT_EQ(ParseError("currency EUR\nrate -1%\n"),
            "rate -1% is invalid: a rate must be 0% to 100%");
  EXPECT_TRUE(Contains(ParseError("currency EUR\nband 0 + -5%\n"), "bands[0].rate -5%"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\ncategory tv 101%\n"),
                       "category_rates[0].rate 101%"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\npool -2%\n"), "pool.rate -2%"));
}

TEST(ValidatePlanTest, RejectsPoolWeightsThatDoNotAddUp) {
  EXPECT_EQ(ParseError("currency EUR\nrate 5%\npool 10%\npool_share a 60%\npool_share b 30%\n"),
            "pool.shares weights adding up to 90% is invalid: the weights must add up to exactly "
            "100%");
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\npool 10%\npool_share a 50%\n"
                                  "pool_share a 50%\n"),
                       "pool.shares[1].partner_id a is invalid: each partner may appear once"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\npool 10%\npool_share a 0%\n"
                                  "pool_share b 100%\n"),
                       "pool.shares[0].weight 0%"));
}

TEST(ValidatePlanTest, RejectsUnknownOrMissingCurrency) {
  Plan plan;
  plan.rate = money::Rate::Parse("5%").value();
  EXPECT_EQ(ValidatePlan(plan).message(),
            "currency (missing) is invalid: expected an active ISO 4217 code");
  money::Currency made_up{"ZZZ", 2};
  plan.currency = &made_up;
  EXPECT_EQ(ValidatePlan(plan).message(),
            "currency ZZZ is invalid: expected an active ISO 4217 code");
}

TEST(ValidatePlanTest, RejectsAmountsInAnotherCurrency) {
  Plan plan = MustParsePlan("currency EUR\nrate 5%\n");
  plan.target = M("100.00", "USD");
  EXPECT_TRUE(Contains(std::string(ValidatePlan(plan).message()),
                       "target 100.00 USD is invalid: amounts must be in the plan's currency EUR"));
}

TEST(ValidatePlanTest, RequiresExactlyOneOfRateAndBands) {
  EXPECT_TRUE(Contains(ParseError("currency EUR\n"), "exactly one of a flat rate and bands"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\nband 0 + 5%\n"),
                       "exactly one of a flat rate and bands"));
}

TEST(ValidatePlanTest, RejectsTargetDependentPartsWithoutTarget) {
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\naccelerator 1.5\n"),
                       "an accelerator needs a target"));
  EXPECT_TRUE(
      Contains(ParseError("currency EUR\nrate 5%\nbonus 100% 10.00\n"), "bonuses need a target"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\ntarget 10.00\naccelerator 0.5\n"),
                       "the multiplier must be 1 or more"));
}

TEST(ValidatePlanTest, RejectsUnorderedBonusesAndBadAmounts) {
  EXPECT_TRUE(Contains(
      ParseError("currency EUR\nrate 5%\ntarget 10.00\nbonus 120% 10.00\nbonus 100% 5.00\n"),
      "bonuses[1].threshold 100% is invalid: thresholds must increase strictly"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\ntarget 10.00\nbonus 100% 0\n"),
                       "bonuses[0].amount 0.00 is invalid: it must be positive"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\ntarget -10.00\n"),
                       "target -10.00 is invalid: it must be positive"));
  EXPECT_TRUE(Contains(ParseError("currency EUR\nrate 5%\ncap 0\n"), "cap 0.00 is invalid"));
}

TEST(ValidatePlanTest, RejectsInexactAcceleratedRate) {
  EXPECT_TRUE(
      Contains(ParseError("currency EUR\nrate 0.000000000003\ntarget 10.00\naccelerator 1.5\n"),
               "must be exact to 12 decimal places"));
}

TEST(ValidatePlanTest, RejectsBadCategoryNames) {
  Plan plan = MustParsePlan("currency EUR\nrate 5%\n");
  plan.category_rates.push_back(CategoryRate{"home garden", money::Rate::Parse("1%").value()});
  EXPECT_TRUE(Contains(std::string(ValidatePlan(plan).message()),
                       "category_rates[0].category \"home garden\" is invalid"));
  plan.category_rates = {CategoryRate{"tv", money::Rate()}, CategoryRate{"tv", money::Rate()}};
  EXPECT_TRUE(
      Contains(std::string(ValidatePlan(plan).message()),
               "category_rates[1].category tv is invalid: each category may have only one rate"));
}

}  // namespace
}  // namespace consort::commission
