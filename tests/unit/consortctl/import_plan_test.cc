#include "consortctl/import_plan.h"

#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "period/period.h"

namespace consort::consortctl {
namespace {

absl::TimeZone SaoPaulo() {
  absl::StatusOr<absl::TimeZone> zone = period::LoadZone("America/Sao_Paulo");
  EXPECT_TRUE(zone.ok());
  return *zone;
}

OlistDataset SampleDataset() {
  OlistDataset data;
  data.sellers.push_back({"seller1", "13023", "campinas", "SP"});
  data.sellers.push_back({"seller2", "20000", "rio de janeiro", "RJ"});
  data.product_categories["p-beauty"] = "beleza_saude";
  data.product_categories["p-gamer"] = "pc_gamer";
  data.product_categories["p-blank"] = "";
  data.category_translations["beleza_saude"] = "health_beauty";
  data.orders["o-delivered"] = {"o-delivered", "delivered", "2017-09-13 08:59:02"};
  data.orders["o-canceled"] = {"o-canceled", "canceled", "2018-01-31 23:30:00"};
  data.orders["o-unavailable"] = {"o-unavailable", "unavailable", "2017-05-01 10:00:00"};
  data.items.push_back(
      {2, "o-delivered", "1", "p-beauty", "seller1", "2017-09-19 09:45:35", "58.90", "13.29"});
  data.items.push_back(
      {3, "o-delivered", "2", "p-gamer", "seller2", "2017-09-19 09:45:35", "100.0", "0.00"});
  data.items.push_back(
      {4, "o-canceled", "1", "p-blank", "seller1", "2018-02-05 10:00:00", "20.00", "5.00"});
  data.items.push_back(
      {5, "o-missing", "1", "p-unknown", "seller2", "2017-03-01 12:00:00", "10.00", ""});
  data.items.push_back(
      {6, "o-unavailable", "1", "p-beauty", "seller2", "2017-05-02 10:00:00", "7.50", "1.00"});
  return data;
}

class PlanOlistImportTest : public ::testing::Test {
 protected:
  void SetUp() override { data_ = SampleDataset(); }

  ImportPlan Plan() {
    absl::StatusOr<ImportPlan> plan = PlanOlistImport(data_, ImportOptions(), tally_);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : ImportPlan();
  }

  OlistDataset data_;
  ImportTally tally_;
};

TEST_F(PlanOlistImportTest, MapsSellersToPartners) {
  ImportPlan plan = Plan();
  ASSERT_EQ(plan.partners.size(), 2u);
  EXPECT_EQ(plan.partners[0].partner_id, "seller1");
  EXPECT_EQ(plan.partners[0].home_region, "SP");
  EXPECT_EQ(plan.partners[0].contract_id, "seller1-olist");
  EXPECT_THAT(plan.partners[0].contract_regions, ::testing::ElementsAre("SP"));
  EXPECT_FALSE(plan.partners[0].display_name.empty());
}

TEST_F(PlanOlistImportTest, AddsExtraRegions) {
  ImportOptions options;
  options.extra_regions = {"RJ", "MG"};
  absl::StatusOr<ImportPlan> plan = PlanOlistImport(data_, options, tally_);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan->partners[0].contract_regions, ::testing::ElementsAre("SP", "RJ", "MG"));
  EXPECT_THAT(plan->partners[1].contract_regions, ::testing::ElementsAre("RJ", "MG"));
}

TEST_F(PlanOlistImportTest, MapsItemToSale) {
  ImportPlan plan = Plan();
  ASSERT_FALSE(plan.sales.empty());
  const PlannedSale& sale = plan.sales[0];
  EXPECT_EQ(sale.sale_id, "o-delivered-1");
  EXPECT_EQ(sale.partner_id, "seller1");
  EXPECT_FALSE(sale.refund);
  EXPECT_EQ(sale.amount, "58.90");
  EXPECT_EQ(sale.freight, "13.29");
  EXPECT_EQ(sale.region, "SP");
  EXPECT_EQ(sale.product_category, "health_beauty");
  EXPECT_EQ(sale.order_id, "o-delivered");
  // 2017-09-13 08:59:02 at UTC-3.
  EXPECT_EQ(sale.event_time,
            absl::FromCivil(absl::CivilSecond(2017, 9, 13, 11, 59, 2), absl::UTCTimeZone()));
}

TEST_F(PlanOlistImportTest, NormalizesAmountAndDropsZeroFreight) {
  ImportPlan plan = Plan();
  ASSERT_GE(plan.sales.size(), 2u);
  EXPECT_EQ(plan.sales[1].amount, "100.00");
  EXPECT_EQ(plan.sales[1].freight, "");
}

TEST_F(PlanOlistImportTest, KeepsPortugueseCategoryWithoutTranslation) {
  ImportPlan plan = Plan();
  EXPECT_EQ(plan.sales[1].product_category, "pc_gamer");
}

TEST_F(PlanOlistImportTest, UsesUncategorizedForBlankAndUnknownProducts) {
  ImportPlan plan = Plan();
  EXPECT_EQ(plan.sales[2].product_category, "uncategorized");
  EXPECT_EQ(plan.sales[4].product_category, "uncategorized");
}

TEST_F(PlanOlistImportTest, FollowsCanceledSaleWithFullRefund) {
  ImportPlan plan = Plan();
  ASSERT_GE(plan.sales.size(), 4u);
  const PlannedSale& sale = plan.sales[2];
  const PlannedSale& refund = plan.sales[3];
  EXPECT_EQ(sale.sale_id, "o-canceled-1");
  EXPECT_TRUE(refund.refund);
  EXPECT_EQ(refund.sale_id, "o-canceled-1-refund");
  EXPECT_EQ(refund.original_sale_id, "o-canceled-1");
  EXPECT_EQ(refund.amount, sale.amount);
  EXPECT_EQ(refund.event_time, sale.event_time);
  EXPECT_EQ(refund.partner_id, sale.partner_id);
  EXPECT_EQ(refund.freight, "");
}

TEST_F(PlanOlistImportTest, RefundsUnavailableOrders) {
  ImportPlan plan = Plan();
  ASSERT_EQ(plan.sales.size(), 7u);
  EXPECT_EQ(plan.sales[5].sale_id, "o-unavailable-1");
  EXPECT_EQ(plan.sales[6].sale_id, "o-unavailable-1-refund");
}

TEST_F(PlanOlistImportTest, UsesPurchaseTimeInLocalZone) {
  ImportPlan plan = Plan();
  // 23:30 on 31 January in Sao Paulo (UTC-2 in the 2018 summer time) is 01:30 UTC on 1 February,
  // and still belongs to January locally.
  EXPECT_EQ(plan.sales[2].event_time,
            absl::FromCivil(absl::CivilSecond(2018, 2, 1, 1, 30, 0), absl::UTCTimeZone()));
  EXPECT_EQ(period::MonthOf(plan.sales[2].event_time, SaoPaulo()).Label(), "2018-01");
}

TEST_F(PlanOlistImportTest, FallsBackToShippingLimitDate) {
  ImportPlan plan = Plan();
  EXPECT_EQ(plan.sales[4].sale_id, "o-missing-1");
  EXPECT_EQ(plan.sales[4].event_time,
            absl::FromCivil(absl::CivilSecond(2017, 3, 1, 12, 0, 0), SaoPaulo()));
}

TEST_F(PlanOlistImportTest, RejectsItemOfUnknownSeller) {
  data_.items.push_back(
      {7, "o-delivered", "3", "p-beauty", "nobody", "2017-09-19 09:45:35", "1.00", "1.00"});
  ImportPlan plan = Plan();
  EXPECT_EQ(plan.sales.size(), 7u);
  EXPECT_EQ(tally_.rejected(kKindSale, "seller not found"), 1);
}

TEST_F(PlanOlistImportTest, RejectsInvalidPrice) {
  for (const char* price : {"abc", "0.00", "-1.00", "1.234", ""}) {
    data_.items.push_back(
        {8, "o-missing", "9", "p-beauty", "seller1", "2017-09-19 09:45:35", price, "1.00"});
  }
  Plan();
  EXPECT_EQ(tally_.rejected(kKindSale, "invalid price"), 5);
}

TEST_F(PlanOlistImportTest, RejectsInvalidFreight) {
  data_.items.push_back(
      {8, "o-missing", "9", "p-beauty", "seller1", "2017-09-19 09:45:35", "1.00", "-2.00"});
  Plan();
  EXPECT_EQ(tally_.rejected(kKindSale, "invalid freight_value"), 1);
}

TEST_F(PlanOlistImportTest, RejectsInvalidTimestamps) {
  data_.items.push_back(
      {8, "o-missing", "9", "p-beauty", "seller1", "2017-02-30 10:00:00", "1.00", "1.00"});
  data_.orders["o-bad-time"] = {"o-bad-time", "delivered", "yesterday"};
  data_.items.push_back(
      {9, "o-bad-time", "1", "p-beauty", "seller1", "2017-02-01 10:00:00", "1.00", "1.00"});
  Plan();
  EXPECT_EQ(tally_.rejected(kKindSale, "invalid shipping_limit_date"), 1);
  EXPECT_EQ(tally_.rejected(kKindSale, "invalid order_purchase_timestamp"), 1);
}

TEST_F(PlanOlistImportTest, RejectsInvalidOrderItemId) {
  for (const char* id : {"x", "0", "-1", "1.5", "2a", " 1", "+1", "1000000000"}) {
    data_.items.push_back(
        {8, "o-missing", id, "p-beauty", "seller1", "2017-09-19 09:45:35", "1.00", "1.00"});
  }
  ImportPlan plan = Plan();
  EXPECT_EQ(tally_.rejected(kKindSale, "invalid order_item_id"), 8);
  EXPECT_EQ(plan.sales.size(), 7u);
  for (const PlannedSale& sale : plan.sales) {
    EXPECT_NE(sale.sale_id, "o-missing-x");
  }
  EXPECT_THAT(tally_.FormatTable(),
              ::testing::HasSubstr("olist_order_items_dataset.csv row 8: order_item_id \"x\"; "
                                   "expected a positive whole number such as 1"));
}

TEST_F(PlanOlistImportTest, AcceptsMultiDigitOrderItemId) {
  data_.items.push_back(
      {8, "o-missing", "21", "p-beauty", "seller1", "2017-09-19 09:45:35", "1.00", "1.00"});
  ImportPlan plan = Plan();
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kRejected), 0);
  EXPECT_EQ(plan.sales.back().sale_id, "o-missing-21");
}

// Every rejection's example names the column, the value and what is allowed.
TEST_F(PlanOlistImportTest, RejectionExamplesSayWhatIsAllowed) {
  data_.items.push_back(
      {7, "o-missing", "1", "p-beauty", "nobody", "2017-09-19 09:45:35", "1.00", "1.00"});
  data_.items.push_back(
      {8, "o-missing", "1", "p-beauty", "seller1", "2017-09-19 09:45:35", "abc", "1.00"});
  data_.items.push_back(
      {9, "o-missing", "1", "p-beauty", "seller1", "2017-09-19 09:45:35", "1.00", "-2"});
  data_.items.push_back(
      {10, "o-missing", "1", "p-beauty", "seller1", "2017-13-45 99:00:00", "1.00", "1.00"});
  data_.reviews.push_back({2, "rev", "o-nothing", "3", "", "", "2017-09-20 00:00:00"});
  data_.reviews.push_back({3, "rev", "o-delivered", "9", "", "", "2017-09-20 00:00:00"});
  data_.reviews.push_back({4, "rev", "o-delivered", "3", "", "", "2017-09-20"});
  Plan();
  const std::string table = tally_.FormatTable();
  for (const char* example : {
           "row 7: seller_id \"nobody\"; expected a seller_id of olist_sellers_dataset.csv",
           "row 8: price \"abc\"; expected a positive decimal amount with at most 2 decimals, "
           "such as 58.90",
           "row 9: freight_value \"-2\"; expected a zero or positive decimal amount with at most "
           "2 decimals",
           "row 10: shipping_limit_date \"2017-13-45 99:00:00\"; expected a date and time "
           "YYYY-MM-DD HH:MM:SS",
           "row 2: order_id \"o-nothing\"; expected an order_id with items in "
           "olist_order_items_dataset.csv",
           "row 3: review_score \"9\"; expected a whole number from 1 to 5",
           "row 4: review_creation_date \"2017-09-20\"; expected a date and time "
           "YYYY-MM-DD HH:MM:SS",
       }) {
    EXPECT_THAT(table, ::testing::HasSubstr(example));
  }
}

TEST_F(PlanOlistImportTest, AttributesReviewToEachDistinctSeller) {
  data_.reviews.push_back(
      {2, "rev1", "o-delivered", "4", "titulo", "texto", "2017-09-20 00:00:00"});
  ImportPlan plan = Plan();
  ASSERT_EQ(plan.feedback.size(), 2u);
  EXPECT_EQ(plan.feedback[0].feedback_id, "rev1-o-delivered-seller1");
  EXPECT_EQ(plan.feedback[0].partner_id, "seller1");
  EXPECT_EQ(plan.feedback[1].feedback_id, "rev1-o-delivered-seller2");
  EXPECT_EQ(plan.feedback[1].rating, 4);
  EXPECT_EQ(plan.feedback[1].title, "titulo");
  EXPECT_EQ(plan.feedback[1].text, "texto");
  EXPECT_EQ(plan.feedback[1].order_id, "o-delivered");
  EXPECT_EQ(plan.feedback[1].event_time,
            absl::FromCivil(absl::CivilSecond(2017, 9, 20, 0, 0, 0), SaoPaulo()));
}

TEST_F(PlanOlistImportTest, CountsSellerOnceForSeveralItems) {
  data_.items.push_back(
      {7, "o-delivered", "3", "p-beauty", "seller1", "2017-09-19 09:45:35", "1.00", "1.00"});
  data_.reviews.push_back({2, "rev1", "o-delivered", "5", "", "", "2017-09-20 00:00:00"});
  ImportPlan plan = Plan();
  EXPECT_EQ(plan.feedback.size(), 2u);
}

TEST_F(PlanOlistImportTest, RejectsReviewOfOrderWithoutItems) {
  data_.reviews.push_back({2, "rev1", "o-no-items", "5", "", "", "2017-09-20 00:00:00"});
  ImportPlan plan = Plan();
  EXPECT_TRUE(plan.feedback.empty());
  EXPECT_EQ(tally_.rejected(kKindFeedback, "order not found"), 1);
}

TEST_F(PlanOlistImportTest, RejectsInvalidReviewScore) {
  for (const char* score : {"0", "6", "x", ""}) {
    data_.reviews.push_back({2, "rev", "o-delivered", score, "", "", "2017-09-20 00:00:00"});
  }
  Plan();
  EXPECT_EQ(tally_.rejected(kKindFeedback, "invalid review_score"), 4);
}

TEST_F(PlanOlistImportTest, RejectsInvalidReviewDate) {
  data_.reviews.push_back({2, "rev", "o-delivered", "3", "", "", "2017-09-20"});
  Plan();
  EXPECT_EQ(tally_.rejected(kKindFeedback, "invalid review_creation_date"), 1);
}

TEST(ParseLocalTimestamp, ReadsLocalTime) {
  absl::StatusOr<absl::Time> time = ParseLocalTimestamp("2018-06-01 12:00:00", SaoPaulo());
  ASSERT_TRUE(time.ok());
  EXPECT_EQ(*time, absl::FromCivil(absl::CivilSecond(2018, 6, 1, 15, 0, 0), absl::UTCTimeZone()));
}

TEST(ParseLocalTimestamp, MapsSkippedMidnightToTheChange) {
  // Sao Paulo skipped from 00:00 to 01:00 on 2017-10-15, at 03:00 UTC.
  absl::StatusOr<absl::Time> time = ParseLocalTimestamp("2017-10-15 00:30:00", SaoPaulo());
  ASSERT_TRUE(time.ok());
  EXPECT_EQ(*time, absl::FromCivil(absl::CivilSecond(2017, 10, 15, 3, 0, 0), absl::UTCTimeZone()));
}

TEST(ParseLocalTimestamp, MapsRepeatedHourToEarlierInstant) {
  // Sao Paulo repeated 23:00 to 24:00 on 2018-02-17; the first 23:30 was at UTC-2.
  absl::StatusOr<absl::Time> time = ParseLocalTimestamp("2018-02-17 23:30:00", SaoPaulo());
  ASSERT_TRUE(time.ok());
  EXPECT_EQ(*time, absl::FromCivil(absl::CivilSecond(2018, 2, 18, 1, 30, 0), absl::UTCTimeZone()));
}

TEST(ParseLocalTimestamp, RejectsMalformedText) {
  for (const char* text : {"", "2017-09-19T09:45:35", "2017-9-19 09:45:35", "2017-09-19 09:45",
                           "2017-13-01 00:00:00", "2017-02-29 00:00:00", "2017-01-01 24:00:00",
                           "2017-01-01 00:00:60", "abcd-01-01 00:00:00"}) {
    EXPECT_FALSE(ParseLocalTimestamp(text, SaoPaulo()).ok()) << text;
  }
}

TEST(ValidateImportOptions, AcceptsDefaults) {
  EXPECT_TRUE(ValidateImportOptions(ImportOptions()).ok());
}

TEST(ValidateImportOptions, RejectsBadValues) {
  ImportOptions options;
  options.currency = "XXY";
  EXPECT_FALSE(ValidateImportOptions(options).ok());
  options = ImportOptions();
  options.time_zone = "Mars/Olympus";
  EXPECT_FALSE(ValidateImportOptions(options).ok());
  options = ImportOptions();
  options.monthly_target = "10.001";
  EXPECT_FALSE(ValidateImportOptions(options).ok());
  options = ImportOptions();
  options.monthly_target = "-1";
  EXPECT_FALSE(ValidateImportOptions(options).ok());
  options = ImportOptions();
  options.commission_rate = "120%";
  EXPECT_FALSE(ValidateImportOptions(options).ok());
  options = ImportOptions();
  options.channel = "";
  EXPECT_FALSE(ValidateImportOptions(options).ok());
  options = ImportOptions();
  options.region_from_seller = false;
  EXPECT_FALSE(ValidateImportOptions(options).ok());
}

TEST(IsRefundedOrderStatus, MatchesCanceledAndUnavailable) {
  EXPECT_TRUE(IsRefundedOrderStatus("canceled"));
  EXPECT_TRUE(IsRefundedOrderStatus("unavailable"));
  EXPECT_FALSE(IsRefundedOrderStatus("delivered"));
  EXPECT_FALSE(IsRefundedOrderStatus("shipped"));
}

}  // namespace
}  // namespace consort::consortctl
