#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "money/money.h"

namespace consort::money {
namespace {

Money Eur(std::string_view amount) { return Money::Parse(amount, "EUR").value(); }
Rate R(std::string_view text) { return Rate::Parse(text).value(); }

TEST(RateParseTest, PercentAndFractionParseToTheSameRate) {
  EXPECT_EQ(R("7.5%"), R("0.075"));
  EXPECT_EQ(R("7.5%").units(), 75'000'000'000);
  EXPECT_EQ(R("100%"), Rate::One());
  EXPECT_EQ(R("0%"), Rate::Zero());
  EXPECT_EQ(R("1.5"), R("150%"));
  EXPECT_EQ(R("-0.25").units(), -250'000'000'000);
}

TEST(RateParseTest, AcceptsTwelveDecimalsAndNoMore) {
  EXPECT_EQ(R("0.000000000001").units(), 1);
  EXPECT_EQ(R("0.0000000001%").units(), 1);
  EXPECT_FALSE(Rate::Parse("0.0000000000001").ok());
  EXPECT_FALSE(Rate::Parse("0.00000000001%").ok());
}

TEST(RateParseTest, RejectsMagnitudeOfAMillion) {
  EXPECT_EQ(R("999999.999999999999").units(), Rate::kMaxUnits);
  EXPECT_FALSE(Rate::Parse("1000000").ok());
  EXPECT_FALSE(Rate::Parse("100000000%").ok());
  EXPECT_EQ(R("99999999.9999999999%").units(), Rate::kMaxUnits);
}

TEST(RateParseTest, RejectsMalformedText) {
  for (std::string_view text :
       {"", "%", "-%", "7.5 %", "7,5%", ".5", "5.", "+1", "1e-2", "%5", "5%%", "0.5.1", "abc"}) {
    absl::StatusOr<Rate> parsed = Rate::Parse(text);
    EXPECT_FALSE(parsed.ok()) << '"' << text << '"';
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(RateParseTest, ErrorNamesFieldAndValue) {
  absl::StatusOr<Rate> parsed = Rate::Parse("7,5%");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().substr(0, 20), "invalid rate \"7,5%\":");
}

TEST(RateToStringTest, WritesFractionWithoutTrailingZeros) {
  EXPECT_EQ(R("7.5%").ToString(), "0.075");
  EXPECT_EQ(R("10%").ToString(), "0.1");
  EXPECT_EQ(R("1.50").ToString(), "1.5");
  EXPECT_EQ(R("2").ToString(), "2");
  EXPECT_EQ(R("-0.5").ToString(), "-0.5");
  EXPECT_EQ(Rate::Zero().ToString(), "0");
  EXPECT_EQ(R("0.075").ToPercentString(), "7.5%");
  EXPECT_EQ(R("0.000000000001").ToPercentString(), "0.0000000001%");
}

TEST(RateCompareTest, OrdersByValue) {
  EXPECT_LT(R("5%"), R("0.07"));
  EXPECT_GT(R("0.1"), R("-1"));
}

TEST(MultiplyByRateTest, RoundsOnceInTheNamedMode) {
  // 6.45 * 30% = 1.935 and 2.15 * 30% = 0.645: exact ties at the minor unit.
  EXPECT_EQ(MultiplyByRate(Eur("6.45"), R("30%"), RoundingMode::kHalfUp)->ToString(), "1.94");
  EXPECT_EQ(MultiplyByRate(Eur("6.45"), R("30%"), RoundingMode::kHalfEven)->ToString(), "1.94");
  EXPECT_EQ(MultiplyByRate(Eur("6.45"), R("30%"), RoundingMode::kDown)->ToString(), "1.93");
  EXPECT_EQ(MultiplyByRate(Eur("2.15"), R("30%"), RoundingMode::kHalfUp)->ToString(), "0.65");
  EXPECT_EQ(MultiplyByRate(Eur("2.15"), R("30%"), RoundingMode::kHalfEven)->ToString(), "0.64");
  EXPECT_EQ(MultiplyByRate(Eur("2.15"), R("30%"), RoundingMode::kDown)->ToString(), "0.64");
}

TEST(MultiplyByRateTest, NegativeAmountsMirrorPositiveOnes) {
  for (RoundingMode mode : {RoundingMode::kHalfUp, RoundingMode::kHalfEven, RoundingMode::kDown}) {
    for (std::string_view amount : {"2.15", "6.45", "0.01", "123.45", "0.05"}) {
      Money positive = MultiplyByRate(Eur(amount), R("30%"), mode).value();
      Money negative = MultiplyByRate(Eur(amount).Negate(), R("30%"), mode).value();
      EXPECT_EQ(negative, positive.Negate()) << amount << " " << RoundingModeName(mode);
    }
  }
}

TEST(MultiplyByRateTest, RoundsNonTiesToNearest) {
  EXPECT_EQ(MultiplyByRate(Eur("0.01"), R("0.6"), RoundingMode::kHalfEven)->ToString(), "0.01");
  EXPECT_EQ(MultiplyByRate(Eur("0.01"), R("0.4"), RoundingMode::kHalfUp)->ToString(), "0.00");
  EXPECT_EQ(MultiplyByRate(Eur("0.01"), R("0.999"), RoundingMode::kDown)->ToString(), "0.00");
}

TEST(MultiplyByRateTest, UsesWideIntermediatesForLargeProducts) {
  Money max = Money::FromMinor(Money::kMaxMinorUnits, *FindCurrency("EUR"));
  EXPECT_EQ(MultiplyByRate(max, R("0.5"), RoundingMode::kDown)->minor_units(),
            Money::kMaxMinorUnits / 2);
  EXPECT_EQ(MultiplyByRate(max, Rate::One(), RoundingMode::kDown)->minor_units(),
            Money::kMaxMinorUnits);
  absl::StatusOr<Money> overflow = MultiplyByRate(max, R("2"), RoundingMode::kHalfUp);
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().code(), absl::StatusCode::kOutOfRange);
}

TEST(MultiplyRatesTest, MultipliesExactlyOrRejects) {
  EXPECT_EQ(*MultiplyRates(R("5%"), R("1.5")), R("7.5%"));
  EXPECT_EQ(*MultiplyRates(R("-2"), R("0.5")), R("-1"));
  EXPECT_FALSE(MultiplyRates(R("0.000001"), R("0.0000001")).ok());
  EXPECT_FALSE(MultiplyRates(R("1000"), R("1000")).ok());
}

TEST(RatioTest, DividesSameCurrencyAmounts) {
  EXPECT_EQ(*Ratio(Eur("18000"), Eur("20000"), RoundingMode::kHalfUp), R("0.9"));
  EXPECT_EQ(*Ratio(Eur("1"), Eur("3"), RoundingMode::kHalfUp), R("0.333333333333"));
  EXPECT_EQ(*Ratio(Eur("2"), Eur("3"), RoundingMode::kHalfUp), R("0.666666666667"));
  EXPECT_EQ(*Ratio(Eur("2"), Eur("-3"), RoundingMode::kDown), R("-0.666666666666"));
  EXPECT_FALSE(Ratio(Eur("1"), Eur("0"), RoundingMode::kHalfUp).ok());
  EXPECT_FALSE(Ratio(Eur("1"), Money::Parse("1", "USD").value(), RoundingMode::kHalfUp).ok());
}

}  // namespace
}  // namespace consort::money
