#include "incentive/incentive_store.h"

#include <memory>

#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/support/test_redis.h"

namespace consort::incentive {
namespace {

using testing::TestRedisAddress;
using testing::UniqueNamespace;

AccrualEvent Sale(const std::string& sale_id, const std::string& partner_id, int64_t amount,
                  const std::string& period) {
  AccrualEvent event;
  event.kind = AccrualEvent::Kind::kSale;
  event.sale_id = sale_id;
  event.partner_id = partner_id;
  event.contract_id = "c-" + partner_id;
  event.currency = "BRL";
  event.amount_minor = amount;
  event.period = period;
  event.event_time = absl::FromUnixSeconds(1'710'504'000);
  event.rate = *money::Rate::Parse("10%");
  return event;
}

AccrualEvent Refund(const std::string& refund_id, const std::string& sale_id, int64_t amount) {
  AccrualEvent event = Sale(refund_id, "p-1", amount, "2024-04");
  event.kind = AccrualEvent::Kind::kRefund;
  event.original_sale_id = sale_id;
  event.parking_record = EncodeParkingRecord(2, 40, "refund-payload");
  return event;
}

class IncentiveStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CONSORT_REQUIRE_TEST_REDIS();
    pool_ = std::make_unique<redis::Pool>(TestRedisAddress(), "", 2, registry_);
    namespace_ = UniqueNamespace();
    store_ = std::make_unique<IncentiveStore>(
        *pool_, namespace_,
        consumer::RetentionOptions{.retention = kRetention, .clock = [this] { return now_; }});
  }

  static constexpr absl::Duration kRetention = absl::Hours(24 * 7);

  // Plans `events` against the stored state and commits them with `offsets`.
  absl::Status Apply(const std::vector<AccrualEvent>& events,
                     const std::vector<std::pair<std::string, int64_t>>& offsets = {}) {
    absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot(PlanSnapshot(events));
    if (!snapshot.ok()) return snapshot.status();
    return store_->Commit(PlanBatch(events, {}, *snapshot), offsets);
  }

  std::vector<CommissionTotal> Totals(const std::string& period = "") {
    absl::StatusOr<TotalsPage> page = store_->ListCommissionTotals(period, 100, "");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->totals : std::vector<CommissionTotal>{};
  }

  // Plans `events` with the decoded parked refunds of `parked` and commits the plan.
  absl::StatusOr<BatchPlan> ApplyWithParked(
      const std::vector<AccrualEvent>& events,
      const absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked) {
    absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot(PlanSnapshot(events));
    if (!snapshot.ok()) return snapshot.status();
    BatchPlan plan = PlanBatch(events, parked, *snapshot);
    if (absl::Status status = store_->Commit(plan, {}); !status.ok()) return status;
    return plan;
  }

  redis::Reply Run(const redis::Command& command) {
    absl::StatusOr<redis::Reply> reply = pool_->Run(command, "test");
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *std::move(reply) : redis::Reply{};
  }

  std::string Key(const std::string& suffix) const { return namespace_ + "incentive:" + suffix; }

  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> pool_;
  std::string namespace_;
  // The store's clock: the parking time of what it commits and the end of the retention window.
  absl::Time now_ = absl::Now();
  std::unique_ptr<IncentiveStore> store_;
};

TEST_F(IncentiveStoreTest, CommitStoresLinesTotalsSaleAndOffsets) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}, {{"sales:0", 1}}).ok());

  std::vector<CommissionTotal> totals = Totals();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].period, "2024-03");
  EXPECT_EQ(totals[0].partner_id, "p-1");
  EXPECT_EQ(totals[0].currency, "BRL");
  EXPECT_EQ(totals[0].commission_minor, 1'000);

  absl::StatusOr<AccrualPage> lines = store_->ListAccruals("p-1", "2024-03", 10, "");
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->lines.size(), 1u);
  EXPECT_EQ(lines->lines[0].commission().amount(), "10.00");
  EXPECT_TRUE(lines->next_page_token.empty());

  absl::StatusOr<StoredSale> sale = store_->GetSale("s-1");
  ASSERT_TRUE(sale.ok()) << sale.status();
  EXPECT_EQ(sale->account.amount.minor_units(), 10'000);
  EXPECT_EQ(sale->account.commission.minor_units(), 1'000);
  EXPECT_EQ(sale->account.rate.ToString(), "0.1");
  EXPECT_EQ(sale->contract_id, "c-p-1");
  EXPECT_EQ(sale->period, "2024-03");
  EXPECT_EQ(sale->version, 1);

  EXPECT_EQ((*store_->LoadOffsets())["sales:0"], 1);
}

TEST_F(IncentiveStoreTest, RefundInLaterBatchUpdatesSale) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  ASSERT_TRUE(Apply({Refund("r-1", "s-1", 2'500)}).ok());

  absl::StatusOr<StoredSale> sale = store_->GetSale("s-1");
  ASSERT_TRUE(sale.ok()) << sale.status();
  EXPECT_EQ(sale->account.refunded.minor_units(), 2'500);
  EXPECT_EQ(sale->account.reversed.minor_units(), 250);
  EXPECT_EQ(sale->version, 2);

  std::vector<CommissionTotal> april = Totals("2024-04");
  ASSERT_EQ(april.size(), 1u);
  EXPECT_EQ(april[0].commission_minor, -250);
}

TEST_F(IncentiveStoreTest, ReappliedBatchChangesNothing) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  EXPECT_EQ(Totals()[0].commission_minor, 1'000);
  EXPECT_EQ(store_->ListAccruals("p-1", "2024-03", 10, "")->lines.size(), 1u);
}

TEST_F(IncentiveStoreTest, StaleSnapshotIsAborted) {
  std::vector<AccrualEvent> batch = {Sale("s-1", "p-1", 10'000, "2024-03")};
  absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot(PlanSnapshot(batch));
  ASSERT_TRUE(snapshot.ok());
  BatchPlan plan = PlanBatch(batch, {}, *snapshot);
  ASSERT_TRUE(store_->Commit(plan, {{"sales:0", 1}}).ok());

  absl::Status second = store_->Commit(plan, {{"sales:0", 5}});
  EXPECT_EQ(second.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Totals()[0].commission_minor, 1'000);
  EXPECT_EQ((*store_->LoadOffsets())["sales:0"], 1);
}

TEST_F(IncentiveStoreTest, OffsetsNeverMoveBackwards) {
  ASSERT_TRUE(Apply({}, {{"sales:0", 10}}).ok());
  ASSERT_TRUE(Apply({}, {{"sales:0", 4}, {"sales:1", 3}}).ok());
  std::map<std::string, int64_t> offsets = *store_->LoadOffsets();
  EXPECT_EQ(offsets["sales:0"], 10);
  EXPECT_EQ(offsets["sales:1"], 3);
}

TEST_F(IncentiveStoreTest, ParkedRefundIsReadBackAndReleased) {
  ASSERT_TRUE(Apply({Refund("r-1", "s-1", 2'500)}).ok());
  EXPECT_TRUE(Totals().empty());

  std::vector<AccrualEvent> sale = {Sale("s-1", "p-1", 10'000, "2024-03")};
  absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot(PlanSnapshot(sale));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  ASSERT_EQ(snapshot->parked["s-1"].size(), 1u);
  EXPECT_EQ(snapshot->parked["s-1"][0].refund_id, "r-1");
  absl::StatusOr<ParkingRecord> record = DecodeParkingRecord(snapshot->parked["s-1"][0].record);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->partition, 2);
  EXPECT_EQ(record->offset, 40);
  EXPECT_EQ(record->payload, "refund-payload");

  absl::flat_hash_map<std::string, std::vector<AccrualEvent>> parked;
  parked["s-1"] = {Refund("r-1", "s-1", 2'500)};
  ASSERT_TRUE(store_->Commit(PlanBatch(sale, parked, *snapshot), {}).ok());
  EXPECT_EQ(Totals("2024-04")[0].commission_minor, -250);

  absl::StatusOr<Snapshot> after = store_->ReadSnapshot(PlanSnapshot(sale));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->parked.empty());
  EXPECT_TRUE(after->stored_sale_ids.contains("s-1"));
  EXPECT_EQ(Run({"EXISTS", Key("parked_since")}).integer, 0);
}

TEST_F(IncentiveStoreTest, DuplicateSaleAfterRetentionChangesNothing) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  now_ += 10 * kRetention;

  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  EXPECT_EQ(Totals()[0].commission_minor, 1'000);
  EXPECT_EQ(store_->GetSale("s-1")->version, 1);
  EXPECT_EQ(Run({"EXISTS", Key("applied")}).integer, 0);
}

TEST_F(IncentiveStoreTest, DuplicateRefundAfterRetentionChangesNothing) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  ASSERT_TRUE(Apply({Refund("r-1", "s-1", 2'500)}).ok());
  EXPECT_EQ(Run({"HGET", Key("sale:s-1"), "refund:r-1"}).str, "1");
  now_ += 10 * kRetention;

  ASSERT_TRUE(Apply({Refund("r-1", "s-1", 2'500)}).ok());
  absl::StatusOr<StoredSale> sale = store_->GetSale("s-1");
  ASSERT_TRUE(sale.ok()) << sale.status();
  EXPECT_EQ(sale->account.refunded.minor_units(), 2'500);
  EXPECT_EQ(sale->version, 2);
  EXPECT_TRUE(sale->refund_ids.contains("r-1"));
  EXPECT_EQ(Totals("2024-04")[0].commission_minor, -250);
}

TEST_F(IncentiveStoreTest, AppliedSetOfOlderReleaseIsStillRead) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  // A refund applied by a release that recorded ids in the applied set only.
  ASSERT_EQ(Run({"SADD", Key("applied"), "r-old"}).integer, 1);

  ASSERT_TRUE(Apply({Refund("r-old", "s-1", 2'500)}).ok());
  EXPECT_EQ(store_->GetSale("s-1")->account.refunded.minor_units(), 0);
  EXPECT_TRUE(Totals("2024-04").empty());
}

TEST_F(IncentiveStoreTest, ParkingWithinRetentionIsKept) {
  ASSERT_TRUE(Apply({Refund("r-1", "s-1", 2'500)}).ok());
  now_ += kRetention - absl::Minutes(1);

  absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot({});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_TRUE(snapshot->expired_parkings.empty());
  EXPECT_EQ(Run({"HLEN", Key("parked:s-1")}).integer, 1);
}

TEST_F(IncentiveStoreTest, ExpiredParkingIsReleasedAndRejected) {
  ASSERT_TRUE(Apply({Refund("r-1", "s-1", 2'500)}).ok());
  now_ += kRetention;

  absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot({});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->expired_parkings, std::vector<std::string>{"s-1"});
  ASSERT_EQ(snapshot->parked["s-1"].size(), 1u);

  AccrualEvent decoded = Refund("r-1", "s-1", 2'500);
  decoded.message_index = 7;
  absl::StatusOr<BatchPlan> plan = ApplyWithParked({}, {{"s-1", {decoded}}});
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->rejected.size(), 1u);
  EXPECT_EQ(plan->rejected[0].reason, kParkingExpiredReason);
  EXPECT_EQ(plan->rejected[0].message_index, 7u);
  EXPECT_EQ(Run({"EXISTS", Key("parked:s-1")}).integer, 0);
  EXPECT_EQ(Run({"EXISTS", Key("parked_sales")}).integer, 0);
  EXPECT_EQ(Run({"EXISTS", Key("parked_since")}).integer, 0);

  // The sale arriving later accrues its commission; the dead-lettered refund is not applied.
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  EXPECT_EQ(store_->GetSale("s-1")->account.refunded.minor_units(), 0);
  EXPECT_EQ(Totals()[0].commission_minor, 1'000);
}

TEST_F(IncentiveStoreTest, ExpiredParkingMakesRoomForNewRefund) {
  ASSERT_TRUE(Apply({Refund("r-1", "s-1", 2'500)}).ok());
  now_ += kRetention;

  absl::StatusOr<BatchPlan> plan =
      ApplyWithParked({Refund("r-2", "s-1", 1'000)}, {{"s-1", {Refund("r-1", "s-1", 2'500)}}});
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->rejected.size(), 1u);
  EXPECT_EQ(plan->parked.size(), 1u);
  EXPECT_EQ(Run({"HEXISTS", Key("parked:s-1"), "r-1"}).integer, 0);
  EXPECT_EQ(Run({"HEXISTS", Key("parked:s-1"), "r-2"}).integer, 1);
  EXPECT_EQ(Run({"ZSCORE", Key("parked_since"), "s-1"}).str,
            absl::StrCat(absl::ToUnixMillis(now_)));
}

TEST_F(IncentiveStoreTest, ParkingTimeWithoutRefundsIsRemoved) {
  ASSERT_EQ(Run({"ZADD", Key("parked_since"), "1", "s-gone"}).integer, 1);

  absl::StatusOr<BatchPlan> plan = ApplyWithParked({}, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->rejected.empty());
  EXPECT_EQ(Run({"EXISTS", Key("parked_since")}).integer, 0);
}

TEST_F(IncentiveStoreTest, BackfillTimesParkingsOfOlderRelease) {
  // A parking written by a release without parked_since.
  ASSERT_EQ(Run({"HSET", Key("parked:s-9"), "r-9", EncodeParkingRecord(0, 1, "x")}).integer, 1);
  ASSERT_EQ(Run({"SADD", Key("parked_sales"), "s-9"}).integer, 1);

  absl::StatusOr<int64_t> added = store_->BackfillParkingTimes();
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 1);
  EXPECT_EQ(Run({"ZSCORE", Key("parked_since"), "s-9"}).str,
            absl::StrCat(absl::ToUnixMillis(now_)));
  EXPECT_EQ(*store_->BackfillParkingTimes(), 0);

  now_ += kRetention;
  absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot({});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->expired_parkings, std::vector<std::string>{"s-9"});
}

TEST_F(IncentiveStoreTest, ParkingAfterSaleStoredIsAborted) {
  std::vector<AccrualEvent> refund = {Refund("r-1", "s-1", 2'500)};
  absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot(PlanSnapshot(refund));
  ASSERT_TRUE(snapshot.ok());
  BatchPlan parking = PlanBatch(refund, {}, *snapshot);
  ASSERT_EQ(parking.parkings.size(), 1u);

  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 10'000, "2024-03")}).ok());
  EXPECT_EQ(store_->Commit(parking, {}).code(), absl::StatusCode::kAborted);
}

TEST_F(IncentiveStoreTest, TotalsPageInPeriodThenPartnerOrder) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-2", 100, "2024-03"), Sale("s-2", "p-10", 100, "2024-03"),
                     Sale("s-3", "p-1", 100, "2024-04"), Sale("s-4", "p-1", 100, "2024-03")})
                  .ok());
  absl::StatusOr<TotalsPage> first = store_->ListCommissionTotals("", 2, "");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->totals.size(), 2u);
  EXPECT_EQ(first->totals[0].partner_id, "p-1");
  EXPECT_EQ(first->totals[1].partner_id, "p-10");
  ASSERT_FALSE(first->next_page_token.empty());

  absl::StatusOr<TotalsPage> second = store_->ListCommissionTotals("", 2, first->next_page_token);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->totals.size(), 2u);
  EXPECT_EQ(second->totals[0].partner_id, "p-2");
  EXPECT_EQ(second->totals[1].period, "2024-04");
  EXPECT_TRUE(second->next_page_token.empty());
}

TEST_F(IncentiveStoreTest, TotalsFilterByPeriod) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 100, "2024-03"), Sale("s-2", "p-1", 100, "2024-04")}).ok());
  std::vector<CommissionTotal> april = Totals("2024-04");
  ASSERT_EQ(april.size(), 1u);
  EXPECT_EQ(april[0].period, "2024-04");
}

TEST_F(IncentiveStoreTest, TotalsTokenOfOtherPeriodIsInvalid) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 100, "2024-03"), Sale("s-2", "p-2", 100, "2024-03")}).ok());
  absl::StatusOr<TotalsPage> first = store_->ListCommissionTotals("2024-03", 1, "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store_->ListCommissionTotals("2024-04", 1, first->next_page_token).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(IncentiveStoreTest, GarbageTokensAreInvalid) {
  EXPECT_EQ(store_->ListCommissionTotals("", 1, "!!").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListAccruals("p-1", "2024-03", 1, "!!").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(IncentiveStoreTest, AccrualsPageInOrder) {
  std::vector<AccrualEvent> sales;
  for (int i = 0; i < 5; ++i) {
    sales.push_back(Sale("s-" + std::to_string(i), "p-1", 100 * (i + 1), "2024-03"));
  }
  ASSERT_TRUE(Apply(sales).ok());

  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<AccrualPage> page = store_->ListAccruals("p-1", "2024-03", 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& line : page->lines) ids.push_back(line.sale_id());
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(ids, (std::vector<std::string>{"s-0", "s-1", "s-2", "s-3", "s-4"}));
  EXPECT_EQ(pages, 3);
}

TEST_F(IncentiveStoreTest, AccrualTokenOfOtherPartnerIsInvalid) {
  ASSERT_TRUE(Apply({Sale("s-1", "p-1", 100, "2024-03"), Sale("s-2", "p-1", 100, "2024-03")}).ok());
  absl::StatusOr<AccrualPage> first = store_->ListAccruals("p-1", "2024-03", 1, "");
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_page_token.empty());
  EXPECT_EQ(store_->ListAccruals("p-2", "2024-03", 1, first->next_page_token).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParkingRecord, RoundTripsBinaryPayload) {
  const std::string payload("a:b\0c\xff", 6);
  absl::StatusOr<ParkingRecord> record = DecodeParkingRecord(EncodeParkingRecord(3, 99, payload));
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->partition, 3);
  EXPECT_EQ(record->offset, 99);
  EXPECT_EQ(record->payload, payload);
}

TEST(ParkingRecord, MalformedIsAnError) {
  EXPECT_FALSE(DecodeParkingRecord("no-colons").ok());
  EXPECT_FALSE(DecodeParkingRecord("x:1:p").ok());
}

}  // namespace
}  // namespace consort::incentive
