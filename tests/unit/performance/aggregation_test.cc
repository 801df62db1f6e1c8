#include "performance/aggregation.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "money/money.h"

namespace consort::performance {
namespace {

absl::Time Local(const char* zone_name, absl::CivilSecond local) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(zone_name, &zone));
  return absl::FromCivil(local, zone);
}

TEST(FormatAverageRating, EmptyWithoutFeedback) { EXPECT_EQ(FormatAverageRating(0, 0), ""); }

TEST(FormatAverageRating, WholeNumberHasTwoDecimals) {
  EXPECT_EQ(FormatAverageRating(10, 2), "5.00");
}

TEST(FormatAverageRating, RoundsTwoThirdsUp) { EXPECT_EQ(FormatAverageRating(14, 3), "4.67"); }

TEST(FormatAverageRating, RoundsOneThirdDown) { EXPECT_EQ(FormatAverageRating(13, 3), "4.33"); }

TEST(FormatAverageRating, TieRoundsHalfUp) {
  // 9 / 8 = 1.125 exactly.
  EXPECT_EQ(FormatAverageRating(9, 8), "1.13");
}

TEST(FormatAverageRating, LargeCountsStayExact) {
  // 3,000,000,001 / 1,000,000,000 = 3.000000001.
  EXPECT_EQ(FormatAverageRating(3'000'000'001, 1'000'000'000), "3.00");
}

TEST(FormatAttainmentPct, EmptyWithoutTarget) { EXPECT_EQ(FormatAttainmentPct(5000, 0), ""); }

TEST(FormatAttainmentPct, ExactPercentage) {
  EXPECT_EQ(FormatAttainmentPct(50'000, 100'000), "50.00");
}

TEST(FormatAttainmentPct, RoundsThirds) {
  EXPECT_EQ(FormatAttainmentPct(100'000, 300'000), "33.33");
  EXPECT_EQ(FormatAttainmentPct(200'000, 300'000), "66.67");
}

TEST(FormatAttainmentPct, TieRoundsHalfUp) {
  // 1 / 800 * 100 = 0.125 exactly.
  EXPECT_EQ(FormatAttainmentPct(1, 800), "0.13");
}

TEST(FormatAttainmentPct, NegativeTieRoundsAwayFromZero) {
  EXPECT_EQ(FormatAttainmentPct(-1, 800), "-0.13");
}

TEST(FormatAttainmentPct, AboveHundredPercent) {
  EXPECT_EQ(FormatAttainmentPct(250'001, 100'000), "250.00");
}

TEST(FormatAttainmentPct, HugeAmountsDoNotOverflow) {
  EXPECT_EQ(FormatAttainmentPct(money::Money::kMaxMinorUnits, 1), "99999999999999999900.00");
}

TEST(MonthLabel, LateEveningOnLastDayBelongsToThatMonth) {
  // 23:30 on 31 January in Sao Paulo is 02:30 on 1 February in UTC.
  absl::Time sale = Local("America/Sao_Paulo", absl::CivilSecond(2024, 1, 31, 23, 30, 0));
  EXPECT_EQ(*MonthLabel(sale, "America/Sao_Paulo"), "2024-01");
  EXPECT_EQ(*MonthLabel(sale, "UTC"), "2024-02");
}

TEST(MonthLabel, MidnightStartsTheNextMonth) {
  absl::Time sale = Local("America/Sao_Paulo", absl::CivilSecond(2024, 2, 1, 0, 0, 0));
  EXPECT_EQ(*MonthLabel(sale, "America/Sao_Paulo"), "2024-02");
}

TEST(MonthLabel, ZoneAheadOfUtc) {
  // 00:30 on 1 March in Tokyo is still 29 February in UTC.
  absl::Time sale = Local("Asia/Tokyo", absl::CivilSecond(2024, 3, 1, 0, 30, 0));
  EXPECT_EQ(*MonthLabel(sale, "Asia/Tokyo"), "2024-03");
  EXPECT_EQ(*MonthLabel(sale, "UTC"), "2024-02");
}

TEST(MonthLabel, UnknownZoneIsInvalid) {
  EXPECT_EQ(MonthLabel(absl::UnixEpoch(), "Mars/Olympus").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ApplySale, AddsAmountItemsAndOrder) {
  ScorecardTotals totals;
  ASSERT_TRUE(ApplySale(totals, 5890, 2, /*new_order=*/true).ok());
  EXPECT_EQ(totals.gross_minor, 5890);
  EXPECT_EQ(totals.items, 2);
  EXPECT_EQ(totals.orders, 1);
}

TEST(ApplySale, KnownOrderIsNotCountedAgain) {
  ScorecardTotals totals;
  ASSERT_TRUE(ApplySale(totals, 100, 1, /*new_order=*/true).ok());
  ASSERT_TRUE(ApplySale(totals, 100, 1, /*new_order=*/false).ok());
  EXPECT_EQ(totals.orders, 1);
  EXPECT_EQ(totals.gross_minor, 200);
}

TEST(ApplySale, OverflowLeavesTotalsUnchanged) {
  ScorecardTotals totals;
  totals.gross_minor = money::Money::kMaxMinorUnits;
  totals.items = 7;
  absl::Status status = ApplySale(totals, 1, 1, true);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(totals.gross_minor, money::Money::kMaxMinorUnits);
  EXPECT_EQ(totals.items, 7);
  EXPECT_EQ(totals.orders, 0);
}

TEST(ApplyRefund, AddsPositiveRefundAndLowersNet) {
  ScorecardTotals totals;
  ASSERT_TRUE(ApplySale(totals, 10'000, 1, true).ok());
  ASSERT_TRUE(ApplyRefund(totals, -2'500).ok());
  EXPECT_EQ(totals.refunds_minor, 2'500);
  EXPECT_EQ(totals.net_minor(), 7'500);
  EXPECT_EQ(totals.orders, 1);
}

TEST(ApplyFeedback, CountsRatingAndComplaint) {
  ScorecardTotals totals;
  ASSERT_TRUE(ApplyFeedback(totals, 5, false).ok());
  ASSERT_TRUE(ApplyFeedback(totals, 1, true).ok());
  EXPECT_EQ(totals.feedback_count, 2);
  EXPECT_EQ(totals.rating_sum, 6);
  EXPECT_EQ(totals.complaints, 1);
}

TEST(ToScorecardProto, FormatsMoneyWithCurrencyDecimals) {
  ScorecardTotals totals;
  totals.partner_id = "p-1";
  totals.period = "2024-03";
  totals.currency = "BRL";
  totals.gross_minor = 12'345;
  totals.refunds_minor = 345;
  totals.target_minor = 100'000;
  totals.rating_sum = 14;
  totals.feedback_count = 3;
  totals.version = 4;
  absl::StatusOr<v1::Scorecard> card = ToScorecardProto(totals);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->gross_sales().amount(), "123.45");
  EXPECT_EQ(card->gross_sales().currency(), "BRL");
  EXPECT_EQ(card->refunds().amount(), "3.45");
  EXPECT_EQ(card->net_sales().amount(), "120.00");
  EXPECT_EQ(card->target().amount(), "1000.00");
  EXPECT_EQ(card->attainment_pct(), "12.00");
  EXPECT_EQ(card->average_rating(), "4.67");
  EXPECT_EQ(card->version(), 4);
}

TEST(ToScorecardProto, CurrencyWithoutDecimals) {
  ScorecardTotals totals;
  totals.currency = "JPY";
  totals.gross_minor = 1200;
  absl::StatusOr<v1::Scorecard> card = ToScorecardProto(totals);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->gross_sales().amount(), "1200");
  EXPECT_EQ(card->average_rating(), "");
  EXPECT_EQ(card->attainment_pct(), "");
}

TEST(ToScorecardProto, UnknownCurrencyIsInternal) {
  ScorecardTotals totals;
  totals.currency = "XXX";
  EXPECT_EQ(ToScorecardProto(totals).status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace consort::performance
