#include "incentive/batch_planner.h"

#include "gtest/gtest.h"

namespace consort::incentive {
namespace {

using consort::incentive::v1::AccrualLine;

// 2024-03-15 12:00 UTC and 2024-04-15 12:00 UTC.
const absl::Time kMarch = absl::FromUnixSeconds(1'710'504'000);
const absl::Time kApril = absl::FromUnixSeconds(1'713'182'400);

AccrualEvent Sale(const std::string& sale_id, int64_t amount, const std::string& rate,
                  const std::string& period = "2024-03") {
  AccrualEvent event;
  event.kind = AccrualEvent::Kind::kSale;
  event.sale_id = sale_id;
  event.partner_id = "p-1";
  event.contract_id = "c-1";
  event.currency = "EUR";
  event.amount_minor = amount;
  event.period = period;
  event.event_time = period == "2024-03" ? kMarch : kApril;
  event.rate = *money::Rate::Parse(rate);
  return event;
}

AccrualEvent Refund(const std::string& refund_id, const std::string& sale_id, int64_t amount,
                    const std::string& period = "2024-03") {
  AccrualEvent event = Sale(refund_id, amount, "0", period);
  event.kind = AccrualEvent::Kind::kRefund;
  event.original_sale_id = sale_id;
  event.parking_record = "0:7:payload-of-" + refund_id;
  return event;
}

StoredSale Stored(const std::string& sale_id, int64_t amount, const std::string& rate,
                  int64_t version = 1) {
  const money::Currency& eur = *money::FindCurrency("EUR");
  SaleAccount account =
      *AccrueSale(money::Money::FromMinor(amount, eur), *money::Rate::Parse(rate));
  return {.sale_id = sale_id,
          .partner_id = "p-1",
          .contract_id = "c-1",
          .period = "2024-03",
          .account = account,
          .version = version};
}

BatchPlan Plan(const std::vector<AccrualEvent>& events, const Snapshot& snapshot = {},
               const absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked = {}) {
  return PlanBatch(events, parked, snapshot);
}

int64_t TotalOf(const BatchPlan& plan, const std::string& period) {
  int64_t total = 0;
  for (const TotalChange& change : plan.totals) {
    if (change.period == period) total += change.delta_minor;
  }
  return total;
}

TEST(PlanBatch, SaleEarnsCommissionLine) {
  BatchPlan plan = Plan({Sale("s-1", 645, "30%")});
  ASSERT_EQ(plan.lines.size(), 1u);
  const AccrualLine& line = plan.lines[0];
  EXPECT_EQ(line.kind(), v1::ACCRUAL_KIND_COMMISSION);
  EXPECT_EQ(line.sale_id(), "s-1");
  EXPECT_EQ(line.period(), "2024-03");
  EXPECT_EQ(line.base().amount(), "6.45");
  EXPECT_EQ(line.base().currency(), "EUR");
  EXPECT_EQ(line.rate(), "0.3");
  EXPECT_EQ(line.commission().amount(), "1.94");
  EXPECT_EQ(line.contract_id(), "c-1");
  ASSERT_EQ(plan.sale_writes.size(), 1u);
  EXPECT_EQ(plan.sale_writes[0].expected_version, 0);
  EXPECT_EQ(plan.sale_writes[0].sale.version, 1);
  EXPECT_EQ(plan.applied_ids, std::vector<std::string>{"s-1"});
}

TEST(PlanBatch, ThirtyPercentRefundsReverseExactly) {
  BatchPlan plan =
      Plan({Sale("s-1", 645, "30%"), Refund("r-1", "s-1", 215), Refund("r-2", "s-1", 430)});
  ASSERT_EQ(plan.lines.size(), 3u);
  EXPECT_EQ(plan.lines[1].kind(), v1::ACCRUAL_KIND_CLAWBACK);
  EXPECT_EQ(plan.lines[1].commission().amount(), "-0.65");
  EXPECT_EQ(plan.lines[1].base().amount(), "-2.15");
  EXPECT_EQ(plan.lines[1].original_sale_id(), "s-1");
  EXPECT_EQ(plan.lines[1].rate(), "0.3");
  EXPECT_EQ(plan.lines[2].commission().amount(), "-1.29");
  EXPECT_EQ(TotalOf(plan, "2024-03"), 0);
  ASSERT_EQ(plan.sale_writes.size(), 1u);
  EXPECT_EQ(plan.sale_writes[0].sale.account.reversed.minor_units(), 194);
  EXPECT_EQ(plan.sale_writes[0].sale.account.refunded.minor_units(), 645);
}

TEST(PlanBatch, TenPercentMarchSaleRefundedInApril) {
  BatchPlan plan = Plan({Sale("s-1", 50'000, "10%"), Refund("r-1", "s-1", 50'000, "2024-04")});
  EXPECT_EQ(TotalOf(plan, "2024-03"), 5'000);
  EXPECT_EQ(TotalOf(plan, "2024-04"), -5'000);
  ASSERT_EQ(plan.lines.size(), 2u);
  EXPECT_EQ(plan.lines[1].period(), "2024-04");
  EXPECT_EQ(plan.lines[1].commission().amount(), "-50.00");
}

TEST(PlanBatch, FourPercentSaleAndRefundInOneMonth) {
  BatchPlan plan = Plan({Sale("s-1", 100'000, "4%"), Refund("r-1", "s-1", 20'000)});
  EXPECT_EQ(TotalOf(plan, "2024-03"), 3'200);
}

TEST(PlanBatch, RefundOfStoredSaleUsesStoredRate) {
  Snapshot snapshot;
  snapshot.sales.emplace("s-1", Stored("s-1", 645, "30%", 3));
  BatchPlan plan = Plan({Refund("r-1", "s-1", 215, "2024-04")}, snapshot);
  ASSERT_EQ(plan.lines.size(), 1u);
  EXPECT_EQ(plan.lines[0].commission().amount(), "-0.65");
  EXPECT_EQ(plan.lines[0].period(), "2024-04");
  ASSERT_EQ(plan.sale_writes.size(), 1u);
  EXPECT_EQ(plan.sale_writes[0].expected_version, 3);
  EXPECT_EQ(plan.sale_writes[0].sale.version, 4);
  EXPECT_EQ(plan.sale_writes[0].sale.period, "2024-03");
}

TEST(PlanBatch, DuplicateInBatchCountsOnce) {
  BatchPlan plan = Plan({Sale("s-1", 1'000, "10%"), Sale("s-1", 1'000, "10%"),
                         Refund("r-1", "s-1", 500), Refund("r-1", "s-1", 500)});
  EXPECT_EQ(plan.lines.size(), 2u);
  EXPECT_EQ(plan.duplicates, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(TotalOf(plan, "2024-03"), 50);
}

TEST(PlanBatch, AppliedIdsChangeNothing) {
  Snapshot snapshot;
  snapshot.applied_ids = {"s-1", "r-1"};
  snapshot.sales.emplace("s-1", Stored("s-1", 1'000, "10%"));
  BatchPlan plan = Plan({Sale("s-1", 1'000, "10%"), Refund("r-1", "s-1", 500)}, snapshot);
  EXPECT_TRUE(plan.lines.empty());
  EXPECT_TRUE(plan.sale_writes.empty());
  EXPECT_TRUE(plan.totals.empty());
  EXPECT_EQ(plan.duplicates.size(), 2u);
}

TEST(PlanBatch, StoredSaleIsDuplicate) {
  Snapshot snapshot;
  snapshot.stored_sale_ids = {"s-1"};
  BatchPlan plan = Plan({Sale("s-1", 1'000, "10%")}, snapshot);
  EXPECT_TRUE(plan.lines.empty());
  EXPECT_TRUE(plan.sale_writes.empty());
  EXPECT_EQ(plan.duplicates, std::vector<size_t>{0});
}

TEST(PlanBatch, RefundRecordedInItsSaleIsDuplicate) {
  Snapshot snapshot;
  StoredSale sale = Stored("s-1", 1'000, "10%", 2);
  sale.account.refunded = money::Money::FromMinor(500, sale.account.amount.currency());
  sale.refund_ids = {"r-1"};
  snapshot.sales.emplace("s-1", sale);
  BatchPlan plan = Plan({Refund("r-1", "s-1", 500), Refund("r-2", "s-1", 200)}, snapshot);
  EXPECT_EQ(plan.duplicates, std::vector<size_t>{0});
  ASSERT_EQ(plan.sale_writes.size(), 1u);
  EXPECT_EQ(plan.sale_writes[0].new_refund_ids, std::vector<std::string>{"r-2"});
  EXPECT_TRUE(plan.sale_writes[0].sale.refund_ids.contains("r-1"));
  EXPECT_TRUE(plan.sale_writes[0].sale.refund_ids.contains("r-2"));
}

TEST(PlanBatch, ExpiredParkingIsReleasedAndRejected) {
  Snapshot snapshot;
  snapshot.parked["s-9"] = {{"r-1", "0:7:x"}};
  snapshot.expired_parkings = {"s-9"};
  absl::flat_hash_map<std::string, std::vector<AccrualEvent>> parked;
  parked["s-9"] = {Refund("r-1", "s-9", 215)};
  parked["s-9"][0].message_index = 3;
  parked["s-9"][0].from_parking = true;

  BatchPlan plan = Plan({}, snapshot, parked);
  ASSERT_EQ(plan.releases.size(), 1u);
  EXPECT_EQ(plan.releases[0].original_sale_id, "s-9");
  EXPECT_EQ(plan.releases[0].expected_count, 1);
  ASSERT_EQ(plan.rejected.size(), 1u);
  EXPECT_EQ(plan.rejected[0].reason, kParkingExpiredReason);
  EXPECT_EQ(plan.rejected[0].message_index, 3u);
  EXPECT_TRUE(plan.lines.empty());
}

TEST(PlanBatch, ExpiredParkingOfArrivingSaleIsApplied) {
  Snapshot snapshot;
  snapshot.parked["s-1"] = {{"r-1", "0:7:x"}};
  snapshot.expired_parkings = {"s-1"};
  absl::flat_hash_map<std::string, std::vector<AccrualEvent>> parked;
  parked["s-1"] = {Refund("r-1", "s-1", 215, "2024-04")};
  parked["s-1"][0].from_parking = true;

  BatchPlan plan = Plan({Sale("s-1", 645, "30%")}, snapshot, parked);
  EXPECT_TRUE(plan.rejected.empty());
  EXPECT_EQ(plan.releases.size(), 1u);
  EXPECT_EQ(plan.lines.size(), 2u);
}

TEST(PlanBatch, RefundBeforeSaleInBatchWaitsForIt) {
  BatchPlan plan = Plan({Refund("r-1", "s-1", 215), Sale("s-1", 645, "30%")});
  ASSERT_EQ(plan.lines.size(), 2u);
  EXPECT_EQ(plan.lines[0].kind(), v1::ACCRUAL_KIND_COMMISSION);
  EXPECT_EQ(plan.lines[1].commission().amount(), "-0.65");
  EXPECT_TRUE(plan.parkings.empty());
  EXPECT_TRUE(plan.parked.empty());
  EXPECT_EQ(plan.applied.size(), 2u);
}

TEST(PlanBatch, RefundOfUnknownSaleIsParked) {
  BatchPlan plan = Plan({Refund("r-1", "s-9", 215)});
  EXPECT_TRUE(plan.lines.empty());
  ASSERT_EQ(plan.parkings.size(), 1u);
  EXPECT_EQ(plan.parkings[0].original_sale_id, "s-9");
  EXPECT_EQ(plan.parkings[0].refund_id, "r-1");
  EXPECT_EQ(plan.parkings[0].record, "0:7:payload-of-r-1");
  EXPECT_EQ(plan.parked, std::vector<size_t>{0});
  EXPECT_TRUE(plan.applied_ids.empty());
}

TEST(PlanBatch, ParkedRefundIsDuplicateWhileParked) {
  Snapshot snapshot;
  snapshot.parked["s-9"] = {{"r-1", "0:7:x"}};
  BatchPlan plan = Plan({Refund("r-1", "s-9", 215)}, snapshot);
  EXPECT_TRUE(plan.parkings.empty());
  EXPECT_EQ(plan.duplicates, std::vector<size_t>{0});
}

TEST(PlanBatch, ArrivingSaleAppliesParkedRefunds) {
  Snapshot snapshot;
  snapshot.parked["s-1"] = {{"r-1", "0:7:x"}, {"r-2", "0:8:y"}};
  absl::flat_hash_map<std::string, std::vector<AccrualEvent>> parked;
  parked["s-1"] = {Refund("r-1", "s-1", 215, "2024-04"), Refund("r-2", "s-1", 430, "2024-04")};
  parked["s-1"][0].from_parking = true;
  parked["s-1"][1].from_parking = true;

  BatchPlan plan = Plan({Sale("s-1", 645, "30%")}, snapshot, parked);
  ASSERT_EQ(plan.lines.size(), 3u);
  EXPECT_EQ(plan.lines[1].commission().amount(), "-0.65");
  EXPECT_EQ(plan.lines[2].commission().amount(), "-1.29");
  EXPECT_EQ(TotalOf(plan, "2024-03"), 194);
  EXPECT_EQ(TotalOf(plan, "2024-04"), -194);
  ASSERT_EQ(plan.releases.size(), 1u);
  EXPECT_EQ(plan.releases[0].original_sale_id, "s-1");
  EXPECT_EQ(plan.releases[0].expected_count, 2);
  EXPECT_EQ(plan.applied_ids, (std::vector<std::string>{"s-1", "r-1", "r-2"}));
  EXPECT_EQ(plan.applied, std::vector<size_t>{0});
}

TEST(PlanBatch, RefundOfOtherPartnersSaleIsRejected) {
  AccrualEvent refund = Refund("r-1", "s-1", 100);
  refund.partner_id = "p-2";
  refund.message_index = 1;
  BatchPlan plan = Plan({Sale("s-1", 1'000, "10%"), refund});
  ASSERT_EQ(plan.rejected.size(), 1u);
  EXPECT_EQ(plan.rejected[0].reason, "partner_mismatch");
  EXPECT_EQ(plan.rejected[0].message_index, 1u);
  EXPECT_EQ(plan.lines.size(), 1u);
}

TEST(PlanBatch, RefundAboveWhatIsLeftIsRejected) {
  AccrualEvent refund = Refund("r-2", "s-1", 600);
  refund.message_index = 2;
  BatchPlan plan = Plan({Sale("s-1", 1'000, "10%"), Refund("r-1", "s-1", 500), refund});
  ASSERT_EQ(plan.rejected.size(), 1u);
  EXPECT_EQ(plan.rejected[0].reason, "refund_exceeds_sale");
  EXPECT_EQ(plan.sale_writes[0].sale.account.refunded.minor_units(), 500);
}

TEST(PlanBatch, RefundInOtherCurrencyIsRejected) {
  AccrualEvent refund = Refund("r-1", "s-1", 100);
  refund.currency = "USD";
  BatchPlan plan = Plan({Sale("s-1", 1'000, "10%"), refund});
  ASSERT_EQ(plan.rejected.size(), 1u);
  EXPECT_EQ(plan.rejected[0].reason, "currency_mismatch");
}

TEST(PlanBatch, TotalsAreOrderedByPeriodThenPartner) {
  AccrualEvent other = Sale("s-2", 1'000, "10%");
  other.partner_id = "p-0";
  BatchPlan plan = Plan({Sale("s-3", 1'000, "10%", "2024-04"), Sale("s-1", 1'000, "10%"), other});
  ASSERT_EQ(plan.totals.size(), 3u);
  EXPECT_EQ(plan.totals[0].partner_id, "p-0");
  EXPECT_EQ(plan.totals[1].partner_id, "p-1");
  EXPECT_EQ(plan.totals[1].period, "2024-03");
  EXPECT_EQ(plan.totals[2].period, "2024-04");
}

TEST(PlanSnapshot, AsksForRefundedSalesAndParking) {
  SnapshotRequest request =
      PlanSnapshot({Sale("s-1", 1'000, "10%"), Refund("r-1", "s-0", 100), Refund("r-2", "s-0", 1)});
  EXPECT_EQ(request.event_ids, (std::vector<std::string>{"s-1", "r-1", "r-2"}));
  EXPECT_EQ(request.refunded_sale_ids, std::vector<std::string>{"s-0"});
  EXPECT_EQ(request.parking_sale_ids, (std::vector<std::string>{"s-1", "s-0"}));
}

}  // namespace
}  // namespace consort::incentive
