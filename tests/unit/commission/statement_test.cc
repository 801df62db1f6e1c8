#include "commission/statement.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "money/conversion.h"
#include "test_util.h"

namespace consort::commission {
namespace {

using testing::Amendment;
using testing::At;
using testing::Issue;
using testing::LinesWithKey;
using testing::M;
using testing::Month;
using testing::MustCompute;
using testing::MustParsePlan;
using testing::Refund;
using testing::Sale;
using testing::TotalOf;

std::string ComputeError(const Plan& plan, const std::vector<Event>& events,
                         const std::vector<PartnerBalance>& carried_in = {}) {
  StatementRequest request{&plan, "partner-1", Month("2024-03"), events, {}, carried_in};
  absl::StatusOr<Statement> statement = ComputeStatement(request);
  if (statement.ok()) return "OK";
  return std::string(statement.status().message());
}

TEST(StatementTest, RecomputingWithIssuedLinesAddsNothing) {
  Plan plan = MustParsePlan("currency EUR\nband 0 1000.00 5%\nband 1000.00 + 8%\ncap 100.00\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 1), M("700.00")),
                               Sale("s2", At(2024, 3, 9), M("900.00"))};
  Statement first = MustCompute(plan, Month("2024-03"), events);
  ASSERT_FALSE(first.lines.empty());

  Statement again = MustCompute(plan, Month("2024-03"), events, first.lines);

  EXPECT_TRUE(again.lines.empty());
  EXPECT_EQ(TotalOf(again).total.ToString(), "0.00");
}

TEST(StatementTest, AmendmentAfterIssueIsAnAdjustment) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 1), M("100.00")),
                               Amendment("a1", At(2024, 3, 20), M("120.00"), "s1")};
  std::vector<Event> before_amendment = {events[0]};
  Statement preliminary = MustCompute(plan, Month("2024-03"), before_amendment);
  ASSERT_EQ(preliminary.lines.size(), 1u);

  Statement final_run = MustCompute(plan, Month("2024-03"), events, preliminary.lines);

  ASSERT_EQ(final_run.lines.size(), 1u);
  EXPECT_EQ(final_run.lines[0].amount.ToString(), "2.00");
  EXPECT_EQ(final_run.lines[0].base.ToString(), "120.00");
  EXPECT_TRUE(final_run.lines[0].adjustment);
  EXPECT_EQ(final_run.lines[0].event_ids, (std::vector<std::string>{"s1", "a1"}));
}

TEST(StatementTest, AmendmentThenRefundUsesTheAmendedAmount) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 1), M("100.00")),
                               Amendment("a1", At(2024, 3, 2), M("80.00"), "s1"),
                               Refund("r1", At(2024, 3, 3), M("80.00"), "s1")};
  Statement statement = MustCompute(plan, Month("2024-03"), events);
  ASSERT_EQ(statement.lines.size(), 1u);
  EXPECT_EQ(statement.lines[0].amount.ToString(), "0.00");
}

TEST(StatementTest, CategoryRateStaysOutOfBands) {
  Plan plan = MustParsePlan(
      "currency EUR\nband 0 1000.00 5%\nband 1000.00 + 10%\n"
      "category books 2%\n");
  Event books = Sale("b1", At(2024, 3, 1), M("5000.00"));
  books.category = "books";
  Event other = Sale("o1", At(2024, 3, 2), M("800.00"));
  other.category = "toys";

  Statement statement = MustCompute(plan, Month("2024-03"), {books, other});

  std::vector<const StatementLine*> book_line = LinesWithKey(statement, "sale/b1");
  ASSERT_EQ(book_line.size(), 1u);
  EXPECT_EQ(book_line[0]->amount.ToString(), "100.00");
  EXPECT_EQ(book_line[0]->rule, "category books at 2%");
  std::vector<const StatementLine*> band = LinesWithKey(statement, "band/0");
  ASSERT_EQ(band.size(), 1u);
  EXPECT_EQ(band[0]->base.ToString(), "800.00");
  EXPECT_EQ(band[0]->event_ids, (std::vector<std::string>{"o1"}));
  EXPECT_TRUE(LinesWithKey(statement, "band/1").empty());
}

TEST(StatementTest, LostBonusAndReleasedCapAreReversed) {
  Plan plan = MustParsePlan(
      "currency EUR\nrate 10%\ncap 1500.00\ntarget 20000.00\n"
      "bonus 100% 500.00\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 1), M("20000.00")),
                               Refund("r1", At(2024, 4, 1), M("6000.00"), "s1")};
  Statement march = MustCompute(plan, Month("2024-03"), events);
  EXPECT_EQ(TotalOf(march).total.ToString(), "2000.00");
  EXPECT_EQ(LinesWithKey(march, "cap")[0]->amount.ToString(), "-500.00");

  Statement april = MustCompute(plan, Month("2024-04"), events, march.lines);

  EXPECT_EQ(LinesWithKey(april, "sale/s1")[0]->amount.ToString(), "-600.00");
  std::vector<const StatementLine*> cap = LinesWithKey(april, "cap");
  ASSERT_EQ(cap.size(), 1u);
  EXPECT_EQ(cap[0]->amount.ToString(), "500.00");
  std::vector<const StatementLine*> bonus = LinesWithKey(april, "bonus");
  ASSERT_EQ(bonus.size(), 1u);
  EXPECT_EQ(bonus[0]->amount.ToString(), "-500.00");
  EXPECT_TRUE(bonus[0]->adjustment);
  // March now pays 1,400.00 of commission and no bonus: 2,000.00 - 600.00.
  EXPECT_EQ(TotalOf(april).total.ToString(), "-600.00");
}

TEST(StatementTest, MarginalAcceleratorFollowsEachBand) {
  Plan plan = MustParsePlan(
      "currency EUR\nband 0 10000.00 5%\nband 10000.00 + 10%\n"
      "target 8000.00\naccelerator 2\n");
  Statement statement =
      MustCompute(plan, Month("2024-03"), {Sale("s1", At(2024, 3, 1), M("12000.00"))});

  // Bands pay 500.00 + 200.00; the accelerator doubles 2,000.00 at 5% and 2,000.00 at 10%.
  std::vector<const StatementLine*> first = LinesWithKey(statement, "accelerator/0");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]->base.ToString(), "2000.00");
  EXPECT_EQ(first[0]->amount.ToString(), "100.00");
  std::vector<const StatementLine*> second = LinesWithKey(statement, "accelerator/1");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0]->amount.ToString(), "200.00");
  EXPECT_EQ(TotalOf(statement).total.ToString(), "1000.00");
}

TEST(StatementTest, WeightedPoolSplitsByPlanShares) {
  Plan plan = MustParsePlan(
      "currency EUR\nrate 5%\npool 10%\npool_share p-a 50%\n"
      "pool_share p-b 30%\npool_share p-c 20%\n");
  Event sale = Sale("s1", At(2024, 3, 1), M("9.90"));
  sale.co_sellers = {"p-a"};
  Statement statement = MustCompute(plan, Month("2024-03"), {sale});

  std::vector<const StatementLine*> shares = LinesWithKey(statement, "pool/s1");
  ASSERT_EQ(shares.size(), 3u);
  // 0.99 by 50:30:20 is 49.5, 29.7 and 19.8 cents.
  EXPECT_EQ(shares[0]->amount.ToString(), "0.49");
  EXPECT_EQ(shares[1]->amount.ToString(), "0.30");
  EXPECT_EQ(shares[2]->amount.ToString(), "0.20");
  EXPECT_TRUE(LinesWithKey(statement, "sale/s1").empty());
}

TEST(StatementTest, PoolRefundReversesEachShareExactly) {
  Plan plan = MustParsePlan("currency EUR\nrate 0%\npool 10%\n");
  Event sale = Sale("s1", At(2024, 3, 1), M("100.00"));
  sale.co_sellers = {"p-a", "p-b", "p-c"};
  std::vector<Event> events = {sale, Refund("r1", At(2024, 4, 1), M("100.00"), "s1")};
  Statement march = MustCompute(plan, Month("2024-03"), events);

  Statement april = MustCompute(plan, Month("2024-04"), events, march.lines);

  ASSERT_EQ(april.lines.size(), 3u);
  EXPECT_EQ(TotalOf(april, "p-a").total.ToString(), "-3.34");
  EXPECT_EQ(TotalOf(april, "p-b").total.ToString(), "-3.33");
  EXPECT_EQ(TotalOf(april, "p-c").carried_forward.ToString(), "-3.33");
}

TEST(StatementTest, IgnoresLaterEventsAndOtherPeriods) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 1), M("100.00")),
                               Refund("r1", At(2024, 4, 1), M("100.00"), "s1")};
  Statement february = MustCompute(plan, Month("2024-02"), {Sale("f1", At(2024, 2, 1), M("1.00"))});

  Statement march = MustCompute(plan, Month("2024-03"), events, february.lines);

  ASSERT_EQ(march.lines.size(), 1u);
  EXPECT_EQ(march.lines[0].amount.ToString(), "10.00");
}

TEST(StatementTest, LateSaleIsAnAdjustment) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  std::vector<Event> events = {Sale("s1", At(2024, 2, 28), M("100.00"))};
  Statement march = MustCompute(plan, Month("2024-03"), events);
  ASSERT_EQ(march.lines.size(), 1u);
  EXPECT_EQ(march.lines[0].source_period, "2024-02");
  EXPECT_TRUE(march.lines[0].adjustment);
  EXPECT_EQ(TotalOf(march).total.ToString(), "10.00");
}

TEST(StatementTest, QuarterlyStatementsGroupByQuarter) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  period::Period q1 = period::ParsePeriod("2024-Q1", absl::UTCTimeZone()).value();
  std::vector<Event> events = {Sale("s1", At(2024, 1, 5), M("100.00")),
                               Sale("s2", At(2024, 3, 30), M("50.00"))};
  StatementRequest request{&plan, "partner-1", q1, events, {}, {}};
  Statement statement = ComputeStatement(request).value();
  EXPECT_EQ(statement.period, "2024-Q1");
  ASSERT_EQ(statement.lines.size(), 2u);
  EXPECT_EQ(statement.lines[1].source_period, "2024-Q1");
  EXPECT_FALSE(statement.lines[1].adjustment);
}

TEST(StatementValidationTest, RejectsDuplicateEventIds) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  EXPECT_EQ(ComputeError(plan, {Sale("s1", At(2024, 3, 1), M("1.00")),
                                Sale("s1", At(2024, 3, 2), M("2.00"))}),
            "event \"s1\" event_id is invalid: it is used by more than one event");
}

TEST(StatementValidationTest, RejectsRefundOfUnknownOrLaterSale) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  EXPECT_EQ(
      ComputeError(plan, {Refund("r1", At(2024, 3, 1), M("1.00"), "nope")}),
      "event \"r1\" original_event_id is invalid: \"nope\": no sale with that id at or before "
      "the event's time");
  EXPECT_NE(ComputeError(plan, {Sale("s1", At(2024, 3, 5), M("1.00")),
                                Refund("r1", At(2024, 3, 1), M("1.00"), "s1")}),
            "OK");
}

TEST(StatementValidationTest, RejectsRefundsAboveTheSale) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  EXPECT_EQ(ComputeError(plan, {Sale("s1", At(2024, 3, 1), M("10.00")),
                                Refund("r1", At(2024, 3, 2), M("6.00"), "s1"),
                                Refund("r2", At(2024, 3, 3), M("6.00"), "s1")}),
            "event \"r2\" amount is invalid: the refunds of sale \"s1\" add up to 12.00, more "
            "than its amount 10.00");
}

TEST(StatementValidationTest, RejectsWrongSignsAndCurrencies) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  EXPECT_EQ(ComputeError(plan, {Sale("s1", At(2024, 3, 1), M("-1.00"))}),
            "event \"s1\" amount is invalid: -1.00 EUR: a sale must be positive");
  EXPECT_EQ(ComputeError(plan, {Sale("s1", At(2024, 3, 1), M("1.00", "USD"))}),
            "event \"s1\" exchange_rate is invalid: missing: the sale is in USD and the plan "
            "settles in EUR");
  EXPECT_NE(ComputeError(plan, {Sale("s1", At(2024, 3, 1), M("1.00")),
                                Refund("r1", At(2024, 3, 2), M("1.00", "USD"), "s1")}),
            "OK");
  EXPECT_NE(ComputeError(plan, {Sale("s1", At(2024, 3, 1), M("1.00")),
                                Refund("r1", At(2024, 3, 2), M("-1.00"), "s1")}),
            "OK");
  Event wrong_rate = Sale("s1", At(2024, 3, 1), M("1.00", "USD"));
  wrong_rate.exchange_rate =
      money::MakeExchangeRate("GBP", "EUR", "1.1", absl::CivilDay(2024, 3, 1)).value();
  EXPECT_NE(ComputeError(plan, {wrong_rate}), "OK");
}

TEST(StatementValidationTest, RejectsBadIdsAndBalances) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  EXPECT_NE(ComputeError(plan, {Sale("", At(2024, 3, 1), M("1.00"))}), "OK");
  EXPECT_NE(ComputeError(plan, {Sale("a b", At(2024, 3, 1), M("1.00"))}), "OK");
  Event co_sold = Sale("s1", At(2024, 3, 1), M("1.00"));
  co_sold.co_sellers = {"p-a", "p-a"};
  EXPECT_NE(ComputeError(MustParsePlan("currency EUR\nrate 1%\npool 1%\n"), {co_sold}), "OK");
  EXPECT_EQ(ComputeError(plan, {}, {PartnerBalance{"partner-1", M("5.00")}}),
            "carried_in for partner \"partner-1\" 5.00 EUR is invalid: expected zero or less in "
            "EUR");
  StatementRequest request{nullptr, "partner-1", Month("2024-03"), {}, {}, {}};
  EXPECT_FALSE(ComputeStatement(request).ok());
}

}  // namespace
}  // namespace consort::commission
