#include "consortctl/export_format.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

performance::v1::Scorecard Card(const std::string& partner, const std::string& period,
                                int64_t items, int64_t orders) {
  performance::v1::Scorecard card;
  card.set_partner_id(partner);
  card.set_period(period);
  card.set_currency("BRL");
  card.mutable_gross_sales()->set_amount("120.00");
  card.mutable_refunds()->set_amount("20.00");
  card.mutable_net_sales()->set_amount("100.00");
  card.mutable_net_sales()->set_currency("BRL");
  card.set_orders(orders);
  card.set_items(items);
  card.set_feedback_count(3);
  card.set_average_rating("4.33");
  card.set_complaints(1);
  card.mutable_target()->set_amount("1000.00");
  card.set_attainment_pct("10.00");
  card.set_score("55.50");
  return card;
}

TEST(ScorecardCsvRow, PrintsColumnsInHeaderOrder) {
  EXPECT_EQ(ScorecardCsvRow(Card("p1", "2018-03", 5, 4)),
            "p1,2018-03,BRL,120.00,20.00,100.00,4,5,3,4.33,1,1000.00,10.00");
}

TEST(ScorecardCsvRow, LeavesEmptyRatingEmpty) {
  performance::v1::Scorecard card = Card("p1", "2018-03", 5, 4);
  card.set_average_rating("");
  card.set_attainment_pct("");
  EXPECT_EQ(ScorecardCsvRow(card), "p1,2018-03,BRL,120.00,20.00,100.00,4,5,3,,1,1000.00,");
}

TEST(ScorecardCsvRow, QuotesFieldsThatNeedIt) {
  performance::v1::Scorecard card = Card("p,1", "2018-03", 5, 4);
  EXPECT_THAT(ScorecardCsvRow(card), ::testing::StartsWith("\"p,1\",2018-03"));
}

TEST(ScorecardCsvHeader, HasThirteenColumns) {
  EXPECT_EQ(std::string(kScorecardCsvHeader),
            "partner_id,period,currency,gross_sales,refunds,net_sales,orders,items,"
            "feedback_count,average_rating,complaints,target,attainment_pct");
}

TEST(CommissionCsvRow, PrintsCurrencyAndAmount) {
  incentive::v1::CommissionTotal total;
  total.set_partner_id("p1");
  total.set_period("2018-03");
  total.mutable_commission()->set_currency("BRL");
  total.mutable_commission()->set_amount("-1.25");
  EXPECT_EQ(CommissionCsvRow(total), "p1,2018-03,BRL,-1.25");
}

TEST(ValidatePeriodFlag, AcceptsEmptyAndMonth) {
  EXPECT_TRUE(ValidatePeriodFlag("").ok());
  EXPECT_TRUE(ValidatePeriodFlag("2018-03").ok());
}

TEST(ValidatePeriodFlag, RejectsMalformedMonth) {
  for (const char* period : {"2018-3", "2018-13", "2018-00", "201803", "2018-03-01", "march"}) {
    absl::Status status = ValidatePeriodFlag(period);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << period;
  }
}

TEST(ValidateFormatFlag, AcceptsOnlyCsv) {
  EXPECT_TRUE(ValidateFormatFlag("csv").ok());
  absl::Status status = ValidateFormatFlag("json");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("json"));
}

TEST(FormatLeaderboard, ListsRankedPartners) {
  std::string table = FormatLeaderboard(
      "2018-03", {Card("first", "2018-03", 5, 4), Card("second", "2018-03", 1, 1)});
  EXPECT_THAT(table, ::testing::HasSubstr("top 2 partners of 2018-03"));
  EXPECT_THAT(table, ::testing::HasSubstr("first"));
  EXPECT_THAT(table, ::testing::HasSubstr("100.00 BRL"));
  EXPECT_THAT(table, ::testing::HasSubstr("10.00%"));
  EXPECT_LT(table.find("first"), table.find("second"));
}

TEST(FormatLeaderboard, SaysWhenEmpty) {
  EXPECT_EQ(FormatLeaderboard("2018-03", {}), "no scorecard for 2018-03\n");
}

TEST(BusiestPeriod, PicksMostItems) {
  PeriodActivity busiest = BusiestPeriod(
      {Card("a", "2018-01", 5, 5), Card("b", "2018-01", 5, 5), Card("a", "2018-02", 9, 9)});
  EXPECT_EQ(busiest.period, "2018-01");
  EXPECT_EQ(busiest.items, 10);
  EXPECT_EQ(busiest.orders, 10);
  EXPECT_EQ(busiest.partners, 2);
}

TEST(BusiestPeriod, BreaksTieByOrdersThenEarlierPeriod) {
  EXPECT_EQ(BusiestPeriod({Card("a", "2018-01", 5, 4), Card("a", "2018-02", 5, 5)}).period,
            "2018-02");
  EXPECT_EQ(BusiestPeriod({Card("a", "2018-02", 5, 5), Card("a", "2018-01", 5, 5)}).period,
            "2018-01");
}

TEST(BusiestPeriod, ReturnsEmptyWithoutScorecards) { EXPECT_EQ(BusiestPeriod({}).period, ""); }

common::v1::ConsumerProgress Progress(std::vector<std::pair<int64_t, int64_t>> partitions) {
  common::v1::ConsumerProgress progress;
  for (auto [next, high] : partitions) {
    common::v1::PartitionProgress* partition = progress.add_partitions();
    partition->set_next_offset(next);
    partition->set_high_watermark(high);
  }
  return progress;
}

TEST(ConsumerCaughtUp, NeedsAnAssignedPartition) { EXPECT_FALSE(ConsumerCaughtUp(Progress({}))); }

TEST(ConsumerCaughtUp, ComparesEveryPartition) {
  EXPECT_TRUE(ConsumerCaughtUp(Progress({{10, 10}, {3, 3}})));
  EXPECT_FALSE(ConsumerCaughtUp(Progress({{10, 10}, {2, 3}})));
}

TEST(ConsumerCaughtUp, TreatsEmptyPartitionAsCaughtUp) {
  EXPECT_TRUE(ConsumerCaughtUp(Progress({{-1001, 0}, {5, 5}})));
}

TEST(ConsumerLag, SumsPartitions) {
  EXPECT_EQ(ConsumerLag(Progress({{10, 12}, {3, 4}, {7, 7}})), 3);
}

}  // namespace
}  // namespace consort::consortctl
