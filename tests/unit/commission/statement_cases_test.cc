// The hand-computed cases that the commission engine must reproduce exactly.
#include <string>
#include <vector>

#include "commission/statement.h"
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

// 4% plan: a sale of 1,000.00 and a refund of 200.00 of it in the same month earn 32.00.
TEST(CommissionCaseTest, RefundInSameMonthLowersCommission) {
  Plan plan = MustParsePlan("currency EUR\nrate 4%\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 5), M("1000.00")),
                               Refund("r1", At(2024, 3, 20), M("200.00"), "s1")};

  Statement statement = MustCompute(plan, Month("2024-03"), events);

  ASSERT_EQ(statement.lines.size(), 1u);
  const StatementLine& line = statement.lines[0];
  EXPECT_EQ(line.amount.ToString(), "32.00");
  EXPECT_EQ(line.base.ToString(), "800.00");
  EXPECT_EQ(line.rate.ToString(), "0.04");
  EXPECT_EQ(line.rule, "rate 4%");
  EXPECT_EQ(line.event_ids, (std::vector<std::string>{"s1", "r1"}));
  EXPECT_FALSE(line.adjustment);
  EXPECT_EQ(TotalOf(statement).total.ToString(), "32.00");
}

// 10% plan: a 500.00 sale in March refunded in April gives March +50.00 and April -50.00, and
// April's negative balance is carried forward, not paid.
TEST(CommissionCaseTest, RefundInLaterMonthIsClawedBackThere) {
  Plan plan = MustParsePlan("currency EUR\nrate 10%\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 10), M("500.00")),
                               Refund("r1", At(2024, 4, 2), M("500.00"), "s1")};
  std::vector<StatementLine> issued;

  Statement march = MustCompute(plan, Month("2024-03"), events);
  EXPECT_EQ(TotalOf(march).total.ToString(), "50.00");
  EXPECT_EQ(TotalOf(march).payable.ToString(), "50.00");
  Issue(march, issued);

  Statement april = MustCompute(plan, Month("2024-04"), events, issued);
  ASSERT_EQ(april.lines.size(), 1u);
  EXPECT_EQ(april.lines[0].amount.ToString(), "-50.00");
  EXPECT_EQ(april.lines[0].source_period, "2024-03");
  EXPECT_TRUE(april.lines[0].adjustment);
  EXPECT_EQ(april.lines[0].event_ids, (std::vector<std::string>{"s1", "r1"}));
  EXPECT_EQ(TotalOf(april).total.ToString(), "-50.00");
  EXPECT_EQ(TotalOf(april).payable.ToString(), "0.00");
  EXPECT_EQ(TotalOf(april).carried_forward.ToString(), "-50.00");

  // May earns 30.00, which the carried-forward -50.00 absorbs.
  events.push_back(Sale("s2", At(2024, 5, 3), M("300.00")));
  Issue(april, issued);
  Statement may = MustCompute(plan, Month("2024-05"), events, issued,
                              {PartnerBalance{"partner-1", M("-50.00")}});
  EXPECT_EQ(TotalOf(may).total.ToString(), "30.00");
  EXPECT_EQ(TotalOf(may).payable.ToString(), "0.00");
  EXPECT_EQ(TotalOf(may).carried_forward.ToString(), "-20.00");
}

// 7.5% in BRL: January earns 7.50 on a 100.00 sale. February refunds 30.00 of it, sells 200.00,
// and sells and fully refunds 40.00: February nets 12.75, with one -2.25 line for the January
// sale.
TEST(CommissionCaseTest, LateRefundNamesOriginalSale) {
  Plan plan = MustParsePlan("currency BRL\nrate 7.5%\n");
  std::vector<Event> events = {
      Sale("jan-1", At(2024, 1, 15), M("100.00", "BRL")),
      Refund("feb-r1", At(2024, 2, 3), M("30.00", "BRL"), "jan-1"),
      Sale("feb-1", At(2024, 2, 10), M("200.00", "BRL")),
      Sale("feb-2", At(2024, 2, 12), M("40.00", "BRL")),
      Refund("feb-r2", At(2024, 2, 14), M("40.00", "BRL"), "feb-2"),
  };
  std::vector<StatementLine> issued;
  Statement january = MustCompute(plan, Month("2024-01"), events);
  EXPECT_EQ(TotalOf(january).total.ToString(), "7.50");
  Issue(january, issued);

  Statement february = MustCompute(plan, Month("2024-02"), events, issued);

  EXPECT_EQ(TotalOf(february).total.ToString(), "12.75");
  std::vector<const StatementLine*> clawback = LinesWithKey(february, "sale/jan-1");
  ASSERT_EQ(clawback.size(), 1u);
  EXPECT_EQ(clawback[0]->amount.ToString(), "-2.25");
  EXPECT_EQ(clawback[0]->source_period, "2024-01");
  EXPECT_EQ(clawback[0]->event_ids, (std::vector<std::string>{"jan-1", "feb-r1"}));
  EXPECT_EQ(clawback[0]->previously_issued.ToString(), "7.50");
  EXPECT_EQ(LinesWithKey(february, "sale/feb-1")[0]->amount.ToString(), "15.00");
  EXPECT_EQ(LinesWithKey(february, "sale/feb-2")[0]->amount.ToString(), "0.00");
}

// 30% plan: a 6.45 sale earns 1.94 half-up and the company keeps 4.51. Refunds of 2.15 and then
// of the remaining 4.30 reverse 0.65 and 1.29, exactly the 1.94 earned.
TEST(CommissionCaseTest, PartialRefundsNeverReverseMoreThanEarned) {
  Plan plan = MustParsePlan("currency EUR\nrate 30%\nrounding half-up\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 1), M("6.45")),
                               Refund("r1", At(2024, 4, 1), M("2.15"), "s1"),
                               Refund("r2", At(2024, 5, 1), M("4.30"), "s1")};
  std::vector<StatementLine> issued;

  Statement march = MustCompute(plan, Month("2024-03"), events);
  ASSERT_EQ(march.lines.size(), 1u);
  EXPECT_EQ(march.lines[0].amount.ToString(), "1.94");
  EXPECT_EQ(M("6.45").Subtract(march.lines[0].amount)->ToString(), "4.51");
  Issue(march, issued);

  Statement april = MustCompute(plan, Month("2024-04"), events, issued);
  ASSERT_EQ(april.lines.size(), 1u);
  EXPECT_EQ(april.lines[0].amount.ToString(), "-0.65");
  Issue(april, issued);

  Statement may = MustCompute(plan, Month("2024-05"), events, issued);
  ASSERT_EQ(may.lines.size(), 1u);
  EXPECT_EQ(may.lines[0].amount.ToString(), "-1.29");
  EXPECT_EQ(april.lines[0].amount.Add(may.lines[0].amount)->ToString(), "-1.94");
}

// A sale at 2024-10-31 23:30 in Sao Paulo is 2024-11-01 in UTC but belongs to October.
TEST(CommissionCaseTest, SaleBelongsToTheContractZonesMonth) {
  absl::TimeZone sao_paulo = period::LoadZone("America/Sao_Paulo").value();
  Plan plan = MustParsePlan("currency BRL\nrate 10%\n");
  absl::Time sale_time = absl::FromCivil(absl::CivilSecond(2024, 10, 31, 23, 30, 0), sao_paulo);
  ASSERT_EQ(absl::FormatTime("%Y-%m-%d", sale_time, absl::UTCTimeZone()), "2024-11-01");
  std::vector<Event> events = {Sale("s1", sale_time, M("100.00", "BRL"))};

  Statement october = MustCompute(plan, Month("2024-10", sao_paulo), events);
  ASSERT_EQ(october.lines.size(), 1u);
  EXPECT_EQ(october.lines[0].source_period, "2024-10");
  EXPECT_EQ(october.lines[0].amount.ToString(), "10.00");

  Statement november = MustCompute(plan, Month("2024-11", sao_paulo), events, october.lines);
  EXPECT_TRUE(november.lines.empty());
}

// Settlement in EUR at 5%: 1,000.00 USD at 0.92 earns 46.00 EUR and 1,000.00 EUR earns 50.00, 96.00
// in all. Refunding half of the USD sale when the market rate is 0.95 claws back 23.00 EUR at
// the sale's rate of 0.92.
TEST(CommissionCaseTest, ForeignSaleRefundReversesAtTheOriginalRate) {
  Plan plan = MustParsePlan("currency EUR\nrate 5%\n");
  absl::CivilDay sale_day(2024, 3, 4);
  Event usd_sale = Sale("usd-1", At(2024, 3, 4), M("1000.00", "USD"));
  usd_sale.exchange_rate = money::MakeExchangeRate("USD", "EUR", "0.92", sale_day).value();
  Event usd_refund = Refund("usd-r1", At(2024, 4, 8), M("500.00", "USD"), "usd-1");
  usd_refund.exchange_rate =
      money::MakeExchangeRate("USD", "EUR", "0.95", absl::CivilDay(2024, 4, 8)).value();
  std::vector<Event> events = {usd_sale, Sale("eur-1", At(2024, 3, 6), M("1000.00")), usd_refund};

  Statement march = MustCompute(plan, Month("2024-03"), events);
  const StatementLine& usd_line = *LinesWithKey(march, "sale/usd-1")[0];
  EXPECT_EQ(usd_line.amount.ToString(), "46.00");
  EXPECT_EQ(usd_line.base.ToString(), "920.00");
  ASSERT_TRUE(usd_line.conversion.has_value());
  EXPECT_EQ(usd_line.conversion->original.ToString(), "1000.00");
  EXPECT_EQ(usd_line.conversion->original.currency().code, "USD");
  EXPECT_EQ(usd_line.conversion->exchange_rate.rate.ToString(), "0.92");
  EXPECT_EQ(LinesWithKey(march, "sale/eur-1")[0]->amount.ToString(), "50.00");
  EXPECT_EQ(TotalOf(march).total.ToString(), "96.00");

  Statement april = MustCompute(plan, Month("2024-04"), events, march.lines);
  ASSERT_EQ(april.lines.size(), 1u);
  EXPECT_EQ(april.lines[0].amount.ToString(), "-23.00");
  EXPECT_EQ(april.lines[0].amount.currency().code, "EUR");
  EXPECT_EQ(april.lines[0].conversion->exchange_rate.rate.ToString(), "0.92");
  EXPECT_EQ(april.lines[0].conversion->original.ToString(), "500.00");
}

// A 10% pool on a 100.00 sale: 2.50 each among four partners; 3.34, 3.33 and 3.33 among three.
TEST(CommissionCaseTest, PoolSplitsExactlyAmongCoSellers) {
  Plan plan = MustParsePlan("currency EUR\nrate 0%\npool 10%\n");
  Event four = Sale("s4", At(2024, 3, 1), M("100.00"));
  four.co_sellers = {"p-a", "p-b", "p-c", "p-d"};
  Event three = Sale("s3", At(2024, 3, 2), M("100.00"));
  three.co_sellers = {"p-a", "p-b", "p-c"};

  Statement statement = MustCompute(plan, Month("2024-03"), {four, three});

  std::vector<const StatementLine*> four_shares = LinesWithKey(statement, "pool/s4");
  ASSERT_EQ(four_shares.size(), 4u);
  for (const StatementLine* share : four_shares) EXPECT_EQ(share->amount.ToString(), "2.50");
  std::vector<const StatementLine*> three_shares = LinesWithKey(statement, "pool/s3");
  ASSERT_EQ(three_shares.size(), 3u);
  EXPECT_EQ(three_shares[0]->partner_id, "p-a");
  EXPECT_EQ(three_shares[0]->amount.ToString(), "3.34");
  EXPECT_EQ(three_shares[1]->amount.ToString(), "3.33");
  EXPECT_EQ(three_shares[2]->amount.ToString(), "3.33");
  EXPECT_EQ(TotalOf(statement, "p-a").total.ToString(), "5.84");
  EXPECT_EQ(TotalOf(statement, "p-d").total.ToString(), "2.50");
}

constexpr char kBands[] = "band 0 10000.00 5%\nband 10000.00 25000.00 7%\nband 25000.00 + 10%\n";

money::Money PeriodTotal(const Plan& plan, std::string_view base) {
  Statement statement = MustCompute(plan, Month("2024-03"), {Sale("s1", At(2024, 3, 1), M(base))});
  return TotalOf(statement).total;
}

// Bands 5% below 10,000.00, 7% to 25,000.00 and 10% above: 30,000.00 earns 2,050.00 marginally
// and 3,000.00 retroactively; exactly 10,000.00 earns 500.00 and 700.00.
TEST(CommissionCaseTest, MarginalAndRetroactiveBands) {
  Plan marginal = MustParsePlan(absl::StrCat("currency EUR\nband_mode marginal\n", kBands));
  Plan retroactive = MustParsePlan(absl::StrCat("currency EUR\nband_mode retroactive\n", kBands));

  EXPECT_EQ(PeriodTotal(marginal, "30000.00").ToString(), "2050.00");
  EXPECT_EQ(PeriodTotal(retroactive, "30000.00").ToString(), "3000.00");
  EXPECT_EQ(PeriodTotal(marginal, "10000.00").ToString(), "500.00");
  EXPECT_EQ(PeriodTotal(retroactive, "10000.00").ToString(), "700.00");

  Statement statement =
      MustCompute(marginal, Month("2024-03"), {Sale("s1", At(2024, 3, 1), M("30000.00"))});
  ASSERT_EQ(statement.lines.size(), 3u);
  EXPECT_EQ(statement.lines[0].rule, "marginal band [0.00, 10000.00) at 5%");
  EXPECT_EQ(statement.lines[0].amount.ToString(), "500.00");
  EXPECT_EQ(statement.lines[1].base.ToString(), "15000.00");
  EXPECT_EQ(statement.lines[1].amount.ToString(), "1050.00");
  EXPECT_EQ(statement.lines[2].rule, "marginal band [25000.00, +inf) at 10%");
  EXPECT_EQ(statement.lines[2].amount.ToString(), "500.00");
}

// Retroactive bands: 26,000.00 earns 2,600.00; a 2,000.00 refund drops the base into the 7% band
// and gives an adjustment of -920.00.
TEST(CommissionCaseTest, RefundAcrossRetroactiveBandBoundary) {
  Plan plan = MustParsePlan(absl::StrCat("currency EUR\nband_mode retroactive\n", kBands));
  std::vector<Event> events = {Sale("s1", At(2024, 3, 1), M("16000.00")),
                               Sale("s2", At(2024, 3, 2), M("10000.00")),
                               Refund("r1", At(2024, 4, 3), M("2000.00"), "s2")};
  Statement march = MustCompute(plan, Month("2024-03"), events);
  EXPECT_EQ(TotalOf(march).total.ToString(), "2600.00");

  Statement april = MustCompute(plan, Month("2024-04"), events, march.lines);

  ASSERT_EQ(april.lines.size(), 1u);
  const StatementLine& adjustment = april.lines[0];
  EXPECT_EQ(adjustment.amount.ToString(), "-920.00");
  EXPECT_EQ(adjustment.base.ToString(), "24000.00");
  EXPECT_EQ(adjustment.rate.ToString(), "0.07");
  EXPECT_EQ(adjustment.previously_issued.ToString(), "2600.00");
  EXPECT_EQ(adjustment.event_ids, (std::vector<std::string>{"s2", "r1"}));
  EXPECT_TRUE(adjustment.adjustment);
}

// Target 20,000.00 with bonuses of 500.00 at 100% and 1,200.00 at 120%: 24,000.00 pays 1,200.00
// and 23,999.99 pays 500.00.
TEST(CommissionCaseTest, HighestBonusThresholdReachedPaysOnce) {
  Plan plan = MustParsePlan(
      "currency EUR\nrate 0%\ntarget 20000.00\nbonus 100% 500.00\nbonus 120% 1200.00\n");

  Statement at_120 =
      MustCompute(plan, Month("2024-03"), {Sale("s1", At(2024, 3, 1), M("24000.00"))});
  std::vector<const StatementLine*> bonus = LinesWithKey(at_120, "bonus");
  ASSERT_EQ(bonus.size(), 1u);
  EXPECT_EQ(bonus[0]->amount.ToString(), "1200.00");
  EXPECT_EQ(bonus[0]->rule, "bonus at 120% of target 20000.00");

  Statement below_120 =
      MustCompute(plan, Month("2024-03"), {Sale("s1", At(2024, 3, 1), M("23999.99"))});
  bonus = LinesWithKey(below_120, "bonus");
  ASSERT_EQ(bonus.size(), 1u);
  EXPECT_EQ(bonus[0]->amount.ToString(), "500.00");
  EXPECT_EQ(TotalOf(below_120).total.ToString(), "500.00");
}

// Flat 5% with a 1.5x accelerator above a 20,000.00 target: 24,000.00 earns 1,300.00.
TEST(CommissionCaseTest, AcceleratorAboveTarget) {
  Plan plan = MustParsePlan("currency EUR\nrate 5%\ntarget 20000.00\naccelerator 1.5\n");
  std::vector<Event> events = {Sale("s1", At(2024, 3, 1), M("14000.00")),
                               Sale("s2", At(2024, 3, 2), M("10000.00"))};

  Statement statement = MustCompute(plan, Month("2024-03"), events);

  EXPECT_EQ(TotalOf(statement).total.ToString(), "1300.00");
  std::vector<const StatementLine*> accelerator = LinesWithKey(statement, "accelerator");
  ASSERT_EQ(accelerator.size(), 1u);
  EXPECT_EQ(accelerator[0]->base.ToString(), "4000.00");
  EXPECT_EQ(accelerator[0]->rate.ToPercentString(), "2.5%");
  EXPECT_EQ(accelerator[0]->amount.ToString(), "100.00");
}

// The marginal bands with a cap of 2,000.00: 30,000.00 earns 2,000.00, the cap on its own line.
TEST(CommissionCaseTest, CapIsItsOwnLine) {
  Plan plan = MustParsePlan(absl::StrCat("currency EUR\ncap 2000.00\n", kBands));

  Statement statement =
      MustCompute(plan, Month("2024-03"), {Sale("s1", At(2024, 3, 1), M("30000.00"))});

  EXPECT_EQ(TotalOf(statement).total.ToString(), "2000.00");
  std::vector<const StatementLine*> cap = LinesWithKey(statement, "cap");
  ASSERT_EQ(cap.size(), 1u);
  EXPECT_EQ(cap[0]->kind, LineKind::kCap);
  EXPECT_EQ(cap[0]->base.ToString(), "2050.00");
  EXPECT_EQ(cap[0]->amount.ToString(), "-50.00");
  EXPECT_EQ(cap[0]->rule, "cap 2000.00");
}

// March 2024 in New York runs from 05:00Z on the 1st to 04:00Z on 1 April, and a sale just before
// the end belongs to it.
TEST(CommissionCaseTest, NewYorkMarchBoundaries) {
  absl::TimeZone new_york = period::LoadZone("America/New_York").value();
  period::Period march = Month("2024-03", new_york);
  EXPECT_EQ(march.start,
            absl::FromCivil(absl::CivilSecond(2024, 3, 1, 5, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(march.end,
            absl::FromCivil(absl::CivilSecond(2024, 4, 1, 4, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(period::ParsePeriod("2024-03-10", new_york)->Length(), absl::Hours(23));

  Plan plan = MustParsePlan("currency USD\nrate 10%\n");
  std::vector<Event> events = {Sale("last", march.end - absl::Seconds(1), M("10.00", "USD")),
                               Sale("next", march.end, M("20.00", "USD"))};
  Statement statement = MustCompute(plan, march, events);
  ASSERT_EQ(statement.lines.size(), 1u);
  EXPECT_EQ(statement.lines[0].key, "sale/last");
}

}  // namespace
}  // namespace consort::commission
