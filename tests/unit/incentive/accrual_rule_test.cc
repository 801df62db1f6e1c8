#include "incentive/accrual_rule.h"

#include "gtest/gtest.h"

namespace consort::incentive {
namespace {

money::Money Amount(const std::string& text, const std::string& currency = "EUR") {
  return *money::Money::Parse(text, currency);
}

money::Rate RateOf(const std::string& text) { return *money::Rate::Parse(text); }

TEST(AccrueSale, ThirtyPercentRoundsHalfUp) {
  absl::StatusOr<SaleAccount> account = AccrueSale(Amount("6.45"), RateOf("30%"));
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->commission, Amount("1.94"));
  EXPECT_EQ(account->refunded, Amount("0.00"));
  EXPECT_EQ(account->reversed, Amount("0.00"));
}

TEST(AccrueSale, ZeroRateEarnsNothing) {
  absl::StatusOr<SaleAccount> account = AccrueSale(Amount("100.00"), RateOf("0"));
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->commission, Amount("0.00"));
}

TEST(AccrueSale, CurrencyWithoutDecimals) {
  absl::StatusOr<SaleAccount> account = AccrueSale(Amount("1005", "JPY"), RateOf("5%"));
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->commission, Amount("50", "JPY"));  // 50.25 rounds to 50
}

TEST(AccrueSale, RejectsNonPositiveAmount) {
  EXPECT_EQ(AccrueSale(Amount("0.00"), RateOf("10%")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AccrueSale, RejectsRateAboveOne) {
  EXPECT_EQ(AccrueSale(Amount("1.00"), RateOf("1.5")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AccrueSale, RejectsNegativeRate) {
  EXPECT_EQ(AccrueSale(Amount("1.00"), RateOf("-0.1")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ApplyRefund, ThirtyPercentPartialThenRest) {
  SaleAccount account = *AccrueSale(Amount("6.45"), RateOf("30%"));

  absl::StatusOr<money::Money> first = ApplyRefund(account, Amount("2.15"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, Amount("0.65"));  // 0.645 rounds half-up

  absl::StatusOr<money::Money> rest = ApplyRefund(account, Amount("4.30"));
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, Amount("1.29"));

  EXPECT_EQ(account.reversed, Amount("1.94"));
  EXPECT_EQ(account.refunded, Amount("6.45"));
}

TEST(ApplyRefund, FullRefundReversesAllCommission) {
  SaleAccount account = *AccrueSale(Amount("500.00"), RateOf("10%"));
  absl::StatusOr<money::Money> reversal = ApplyRefund(account, Amount("500.00"));
  ASSERT_TRUE(reversal.ok()) << reversal.status();
  EXPECT_EQ(*reversal, Amount("50.00"));
}

TEST(ApplyRefund, FourPercentPartialRefundNets32) {
  SaleAccount account = *AccrueSale(Amount("1000.00"), RateOf("4%"));
  absl::StatusOr<money::Money> reversal = ApplyRefund(account, Amount("200.00"));
  ASSERT_TRUE(reversal.ok()) << reversal.status();
  EXPECT_EQ(*reversal, Amount("8.00"));
  EXPECT_EQ(account.commission.minor_units() - account.reversed.minor_units(), 3200);
}

TEST(ApplyRefund, PartialReversalsAreCappedAtCommission) {
  // 0.07 at 50% earns 0.04 (0.035 half-up). Each 0.01 refund reverses 0.01 (0.005 half-up), so
  // the third reaches the cap early and the last refund reverses nothing.
  SaleAccount account = *AccrueSale(Amount("0.07"), RateOf("50%"));
  ASSERT_EQ(account.commission, Amount("0.04"));
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<money::Money> reversal = ApplyRefund(account, Amount("0.01"));
    ASSERT_TRUE(reversal.ok()) << reversal.status();
    EXPECT_EQ(*reversal, Amount("0.01")) << "refund " << i;
  }
  absl::StatusOr<money::Money> capped = ApplyRefund(account, Amount("0.01"));
  ASSERT_TRUE(capped.ok()) << capped.status();
  EXPECT_EQ(*capped, Amount("0.00"));
  absl::StatusOr<money::Money> last = ApplyRefund(account, Amount("0.02"));
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, Amount("0.00"));
  EXPECT_EQ(account.reversed, Amount("0.04"));
}

TEST(ApplyRefund, NeverReversesMoreThanEarnedOverManyRefunds) {
  SaleAccount account = *AccrueSale(Amount("9.99"), RateOf("33.3%"));
  int64_t reversed = 0;
  for (int i = 0; i < 999; ++i) {
    absl::StatusOr<money::Money> reversal = ApplyRefund(account, Amount("0.01"));
    ASSERT_TRUE(reversal.ok()) << reversal.status();
    reversed += reversal->minor_units();
    ASSERT_LE(reversed, account.commission.minor_units());
  }
  EXPECT_EQ(reversed, account.commission.minor_units());
}

TEST(ApplyRefund, RejectsRefundAboveWhatIsLeft) {
  SaleAccount account = *AccrueSale(Amount("10.00"), RateOf("10%"));
  ASSERT_TRUE(ApplyRefund(account, Amount("6.00")).ok());
  EXPECT_EQ(ApplyRefund(account, Amount("4.01")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(account.refunded, Amount("6.00"));
}

TEST(ApplyRefund, RejectsOtherCurrency) {
  SaleAccount account = *AccrueSale(Amount("10.00"), RateOf("10%"));
  EXPECT_EQ(ApplyRefund(account, Amount("1.00", "USD")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ApplyRefund, RejectsZeroRefund) {
  SaleAccount account = *AccrueSale(Amount("10.00"), RateOf("10%"));
  EXPECT_EQ(ApplyRefund(account, Amount("0.00")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace consort::incentive
