#include "money/money.h"

#include <compare>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace consort::money {
namespace {

Money Eur(std::string_view amount) { return Money::Parse(amount, "EUR").value(); }

TEST(CurrencyTest, FindsActiveCodesWithTheirMinorUnits) {
  ASSERT_NE(FindCurrency("EUR"), nullptr);
  EXPECT_EQ(FindCurrency("EUR")->minor_unit, 2);
  EXPECT_EQ(FindCurrency("JPY")->minor_unit, 0);
  EXPECT_EQ(FindCurrency("BHD")->minor_unit, 3);
  EXPECT_EQ(FindCurrency("CLF")->minor_unit, 4);
  EXPECT_EQ(FindCurrency("BRL")->minor_unit, 2);
  EXPECT_EQ(FindCurrency("USD")->code, "USD");
}

TEST(CurrencyTest, RejectsUnknownLowerCaseAndNonMoneyCodes) {
  EXPECT_EQ(FindCurrency("eur"), nullptr);
  EXPECT_EQ(FindCurrency("XAU"), nullptr);
  EXPECT_EQ(FindCurrency("XXX"), nullptr);
  EXPECT_EQ(FindCurrency("HRK"), nullptr);
  EXPECT_EQ(FindCurrency(""), nullptr);
  EXPECT_EQ(FindCurrency("EURO"), nullptr);
}

TEST(CurrencyTest, TableIsOrderedAndLookupReturnsTableEntries) {
  absl::Span<const Currency> table = AllCurrencies();
  ASSERT_GT(table.size(), 150u);
  for (const Currency& currency : table) {
    EXPECT_EQ(FindCurrency(currency.code), &currency) << currency.code;
    EXPECT_GE(currency.minor_unit, 0) << currency.code;
    EXPECT_LE(currency.minor_unit, 4) << currency.code;
  }
}

TEST(MoneyParseTest, ParsesAmountsInTheCurrencysMinorUnit) {
  EXPECT_EQ(Eur("58.90").minor_units(), 5890);
  EXPECT_EQ(Eur("58.9").minor_units(), 5890);
  EXPECT_EQ(Eur("58").minor_units(), 5800);
  EXPECT_EQ(Eur("-2.25").minor_units(), -225);
  EXPECT_EQ(Eur("0007.50").minor_units(), 750);
  EXPECT_EQ(Eur("-0").minor_units(), 0);
  EXPECT_EQ(Money::Parse("1200", "JPY")->minor_units(), 1200);
  EXPECT_EQ(Money::Parse("0.125", "BHD")->minor_units(), 125);
}

TEST(MoneyParseTest, RejectsTooManyDecimals) {
  absl::StatusOr<Money> parsed = Money::Parse("1.234", "EUR");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "invalid amount \"1.234\": EUR allows at most 2 decimal places, got 3");
  EXPECT_FALSE(Money::Parse("1200.0", "JPY").ok());
  EXPECT_FALSE(Money::Parse("1.2340", "BHD").ok());
}

TEST(MoneyParseTest, RejectsMalformedText) {
  for (std::string_view text : {"", "-", ".5", "5.", "+5", " 5", "5 ", "1,000.00", "1e3", "--5",
                                "5-", "0x10", "1.2.3", "NaN", "5%", "١٢"}) {
    absl::StatusOr<Money> parsed = Money::Parse(text, "EUR");
    EXPECT_FALSE(parsed.ok()) << '"' << text << '"';
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(MoneyParseTest, RejectsUnknownCurrencyNamingIt) {
  absl::StatusOr<Money> parsed = Money::Parse("1.00", "ZZZ");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("invalid currency \"ZZZ\""), std::string::npos);
}

TEST(MoneyParseTest, AcceptsTheRangeLimitAndRejectsBeyondIt) {
  EXPECT_EQ(Eur("9999999999999999.99").minor_units(), Money::kMaxMinorUnits);
  EXPECT_EQ(Eur("-9999999999999999.99").minor_units(), -Money::kMaxMinorUnits);
  EXPECT_FALSE(Money::Parse("10000000000000000.00", "EUR").ok());
  EXPECT_FALSE(Money::Parse("99999999999999999999999999999999", "EUR").ok());
  EXPECT_EQ(Money::Parse("999999999999999999", "JPY")->minor_units(), Money::kMaxMinorUnits);
  EXPECT_FALSE(Money::Parse("1000000000000000000", "JPY").ok());
}

TEST(MoneyParseTest, QuotesLongInputShortened) {
  std::string long_text(1000, '9');
  absl::StatusOr<Money> parsed = Money::Parse(long_text, "EUR");
  ASSERT_FALSE(parsed.ok());
  EXPECT_LT(parsed.status().message().size(), 200u);
}

TEST(MoneyToStringTest, WritesExactlyTheMinorUnitDecimals) {
  EXPECT_EQ(Eur("58.9").ToString(), "58.90");
  EXPECT_EQ(Eur("-2.25").ToString(), "-2.25");
  EXPECT_EQ(Eur("0.05").ToString(), "0.05");
  EXPECT_EQ(Eur("-0.05").ToString(), "-0.05");
  EXPECT_EQ(Eur("0").ToString(), "0.00");
  EXPECT_EQ(Money::Parse("1200", "JPY")->ToString(), "1200");
  EXPECT_EQ(Money::Parse("-1", "BHD")->ToString(), "-1.000");
  EXPECT_EQ(Money::FromMinor(-Money::kMaxMinorUnits, *FindCurrency("EUR")).ToString(),
            "-9999999999999999.99");
}

TEST(MoneyFromMinorTest, AcceptsCurrencyOutsideTheTableByCode) {
  Currency copy{"EUR", 2};
  Money amount = Money::FromMinor(100, copy);
  EXPECT_EQ(&amount.currency(), FindCurrency("EUR"));
}

TEST(MoneyFromMinorTest, CheckedVariantRejectsOutOfRangeAndUnknownCurrency) {
  EXPECT_FALSE(Money::FromMinorChecked(Money::kMaxMinorUnits + 1, "EUR").ok());
  EXPECT_FALSE(Money::FromMinorChecked(1, "ZZZ").ok());
  EXPECT_EQ(Money::FromMinorChecked(-5, "EUR")->ToString(), "-0.05");
}

TEST(MoneyFromMinorDeathTest, AbortsOnUnknownCurrency) {
  EXPECT_DEATH(Money::FromMinor(1, Currency{"ZZZ", 2}), "unknown currency");
}

TEST(MoneyArithmeticTest, AddsAndSubtractsSameCurrency) {
  EXPECT_EQ(Eur("1.10").Add(Eur("2.25"))->ToString(), "3.35");
  EXPECT_EQ(Eur("1.10").Subtract(Eur("2.25"))->ToString(), "-1.15");
  EXPECT_EQ(Eur("1.10").MultiplyBy(-3)->ToString(), "-3.30");
  EXPECT_EQ(Eur("-1.10").Negate().ToString(), "1.10");
  EXPECT_EQ(Eur("-1.10").Abs().ToString(), "1.10");
}

TEST(MoneyArithmeticTest, RejectsDifferentCurrencies) {
  Money usd = Money::Parse("1.00", "USD").value();
  absl::StatusOr<Money> sum = Eur("1.00").Add(usd);
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(sum.status().message().find("currencies differ"), std::string::npos);
  EXPECT_FALSE(Eur("1.00").Subtract(usd).ok());
  EXPECT_FALSE(Eur("1.00").Compare(usd).ok());
  EXPECT_FALSE(Sum({Eur("1.00"), usd}).ok());
}

TEST(MoneyArithmeticTest, ReportsOverflowInsteadOfWrapping) {
  Money max = Money::FromMinor(Money::kMaxMinorUnits, *FindCurrency("EUR"));
  absl::StatusOr<Money> sum = max.Add(Eur("0.01"));
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_FALSE(max.Negate().Subtract(Eur("0.01")).ok());
  EXPECT_FALSE(max.MultiplyBy(2).ok());
  EXPECT_FALSE(Eur("1.00").MultiplyBy(INT64_MIN).ok());
  EXPECT_FALSE(Sum({max, max, max.Negate().Negate()}).ok());
  EXPECT_EQ(Sum({max, max, max.Negate(), max.Negate()})->minor_units(), 0);
}

TEST(MoneyCompareTest, OrdersSameCurrencyAndEqualityNeedsSameCurrency) {
  EXPECT_EQ(*Eur("1.00").Compare(Eur("2.00")), std::strong_ordering::less);
  EXPECT_EQ(*Eur("2.00").Compare(Eur("2.0")), std::strong_ordering::equal);
  EXPECT_EQ(*Eur("-1.00").Compare(Eur("-2.00")), std::strong_ordering::greater);
  EXPECT_EQ(Eur("1.00"), Eur("1"));
  EXPECT_FALSE(Eur("1.00") == Money::Parse("1.00", "USD").value());
}

TEST(MoneySumTest, RejectsEmptyList) { EXPECT_FALSE(Sum({}).ok()); }

}  // namespace
}  // namespace consort::money
