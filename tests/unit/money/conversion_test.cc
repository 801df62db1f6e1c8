#include "money/conversion.h"

#include "gtest/gtest.h"

namespace consort::money {
namespace {

TEST(ConvertTest, KeepsOriginalAmountAndRate) {
  ExchangeRate usd_eur = MakeExchangeRate("USD", "EUR", "0.92", absl::CivilDay(2024, 3, 1)).value();
  Conversion conversion =
      Convert(Money::Parse("1000.00", "USD").value(), usd_eur, RoundingMode::kHalfUp).value();
  EXPECT_EQ(conversion.converted.ToString(), "920.00");
  EXPECT_EQ(conversion.converted.currency().code, "EUR");
  EXPECT_EQ(conversion.original.ToString(), "1000.00");
  EXPECT_EQ(conversion.original.currency().code, "USD");
  EXPECT_EQ(conversion.exchange_rate.rate.ToString(), "0.92");
  EXPECT_EQ(conversion.exchange_rate.as_of, absl::CivilDay(2024, 3, 1));
}

TEST(ConvertTest, RescalesBetweenMinorUnits) {
  absl::CivilDay day(2024, 3, 1);
  ExchangeRate jpy_eur = MakeExchangeRate("JPY", "EUR", "0.0062", day).value();
  EXPECT_EQ(Convert(Money::Parse("1200", "JPY").value(), jpy_eur, RoundingMode::kHalfUp)
                ->converted.ToString(),
            "7.44");
  ExchangeRate eur_jpy = MakeExchangeRate("EUR", "JPY", "161.25", day).value();
  EXPECT_EQ(Convert(Money::Parse("10.01", "EUR").value(), eur_jpy, RoundingMode::kHalfUp)
                ->converted.ToString(),
            "1614");
  ExchangeRate eur_bhd = MakeExchangeRate("EUR", "BHD", "0.4085", day).value();
  EXPECT_EQ(Convert(Money::Parse("-10.00", "EUR").value(), eur_bhd, RoundingMode::kHalfUp)
                ->converted.ToString(),
            "-4.085");
}

TEST(ConvertTest, RejectsAmountInTheWrongCurrency) {
  ExchangeRate usd_eur = MakeExchangeRate("USD", "EUR", "0.92", absl::CivilDay(2024, 3, 1)).value();
  EXPECT_FALSE(Convert(Money::Parse("1", "EUR").value(), usd_eur, RoundingMode::kHalfUp).ok());
  EXPECT_FALSE(
      Convert(Money::Parse("1", "EUR").value(), ExchangeRate{}, RoundingMode::kHalfUp).ok());
}

TEST(ConvertTest, ReportsOverflow) {
  ExchangeRate rate = MakeExchangeRate("JPY", "CLF", "999999", absl::CivilDay(2024, 3, 1)).value();
  Money max = Money::FromMinor(Money::kMaxMinorUnits, *FindCurrency("JPY"));
  absl::StatusOr<Conversion> converted = Convert(max, rate, RoundingMode::kHalfUp);
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.status().code(), absl::StatusCode::kOutOfRange);
}

TEST(MakeExchangeRateTest, RejectsInvalidFields) {
  absl::CivilDay day(2024, 3, 1);
  EXPECT_FALSE(MakeExchangeRate("usd", "EUR", "0.92", day).ok());
  EXPECT_FALSE(MakeExchangeRate("USD", "EURO", "0.92", day).ok());
  EXPECT_FALSE(MakeExchangeRate("USD", "USD", "1", day).ok());
  EXPECT_FALSE(MakeExchangeRate("USD", "EUR", "0", day).ok());
  EXPECT_FALSE(MakeExchangeRate("USD", "EUR", "-0.92", day).ok());
  EXPECT_FALSE(MakeExchangeRate("USD", "EUR", "abc", day).ok());
}

}  // namespace
}  // namespace consort::money
