#include "partner/sale_store.h"

#include "gtest/gtest.h"
#include "partner/partner_store.h"
#include "tests/unit/partner/redis_fixture.h"
#include "tests/unit/partner/test_records.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::TestNow;
using ::consort::partner::testing::TestPartner;
using Outcome = CommitResult::Outcome;

SaleWrite SaleOf(const std::string& sale_id, int64_t amount_minor,
                 const std::string& partner_id = "p-1") {
  SaleWrite write;
  write.sale_id = sale_id;
  write.partner_id = partner_id;
  write.amount_minor = amount_minor;
  write.currency = "BRL";
  write.contract_id = "c-1";
  write.region = "SP";
  write.product_category = "toys";
  write.channel = "marketplace";
  write.order_id = "o-1";
  write.quantity = 1;
  write.event_time = TestNow();
  write.event_id = "event-" + sale_id;
  write.event_payload = "payload-" + sale_id;
  return write;
}

SaleWrite RefundOf(const std::string& sale_id, const std::string& original, int64_t amount_minor,
                   const std::string& partner_id = "p-1") {
  SaleWrite write = SaleOf(sale_id, amount_minor, partner_id);
  write.is_refund = true;
  write.original_sale_id = original;
  write.quantity = 0;
  return write;
}

class SaleStoreTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped()) return;
    partners_ = std::make_unique<PartnerStore>(redis(), keys(), "partners-topic");
    store_ = std::make_unique<SaleStore>(redis(), keys(), "sales-topic");
    ASSERT_TRUE(partners_->Create(TestPartner("p-1")).ok());
    ASSERT_TRUE(partners_->Create(TestPartner("p-2")).ok());
    ASSERT_TRUE(partners_->Create(TestPartner("p-off", v1::PARTNER_STATUS_SUSPENDED)).ok());    // Creating the partners put partner events in the outbox; the tests count sale events only.
    ClearOutbox();
  }

  CommitResult CommitOne(const SaleWrite& write) {
    auto results = store_->Commit({write});
    EXPECT_TRUE(results.ok()) << results.status();
    if (!results.ok() || results->empty()) return {};
    return results->front();
  }

  std::unique_ptr<PartnerStore> partners_;
  std::unique_ptr<SaleStore> store_;
};

TEST_F(SaleStoreTest, CommitStoresSaleAndEvent) {
  EXPECT_EQ(CommitOne(SaleOf("s-1", 5890)).outcome, Outcome::kAccepted);
  const std::string key = keys().Sale("s-1");
  EXPECT_EQ(HashField(key, "partner_id"), "p-1");
  EXPECT_EQ(HashField(key, "kind"), "sale");
  EXPECT_EQ(HashField(key, "amount_minor"), "5890");
  EXPECT_EQ(HashField(key, "refunded_minor"), "0");
  EXPECT_EQ(HashField(key, "currency"), "BRL");
  EXPECT_EQ(HashField(key, "contract_id"), "c-1");
  EXPECT_EQ(HashField(key, "region"), "SP");
  EXPECT_EQ(HashField(key, "product_category"), "toys");
  EXPECT_EQ(HashField(key, "channel"), "marketplace");
  EXPECT_EQ(HashField(key, "order_id"), "o-1");
  EXPECT_EQ(HashField(key, "event_time"), "2024-03-15T12:00:00+00:00");

  auto entries = redis().Run({"XRANGE", keys().Outbox(), "-", "+"}, "test");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->elements.size(), 1u);
  const redis::Reply& fields = entries->elements[0].elements[1];
  EXPECT_EQ(*redis::FindField(fields, "topic"), "sales-topic");
  EXPECT_EQ(*redis::FindField(fields, "key"), "p-1");
  EXPECT_EQ(*redis::FindField(fields, "payload"), "payload-s-1");
}

TEST_F(SaleStoreTest, SecondCommitIsDuplicate) {
  CommitOne(SaleOf("s-1", 100));
  EXPECT_EQ(CommitOne(SaleOf("s-1", 200)).outcome, Outcome::kDuplicate);
  EXPECT_EQ(HashField(keys().Sale("s-1"), "amount_minor"), "100");
  EXPECT_EQ(OutboxLength(), 1);
}

TEST_F(SaleStoreTest, SameIdTwiceInOnePipeline) {
  auto results = store_->Commit({SaleOf("s-1", 100), SaleOf("s-1", 100)});
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, Outcome::kAccepted);
  EXPECT_EQ((*results)[1].outcome, Outcome::kDuplicate);
  EXPECT_EQ(OutboxLength(), 1);
}

TEST_F(SaleStoreTest, UnknownPartnerIsRejected) {
  const CommitResult result = CommitOne(SaleOf("s-1", 100, "nobody"));
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_EQ(result.reason, "partner_not_found");
  EXPECT_EQ(OutboxLength(), 0);
}

TEST_F(SaleStoreTest, InactivePartnerIsRejected) {
  const CommitResult result = CommitOne(SaleOf("s-1", 100, "p-off"));
  EXPECT_EQ(result.reason, "partner_not_active");
  EXPECT_EQ(result.detail, "PARTNER_STATUS_SUSPENDED");
  EXPECT_EQ(HashField(keys().Sale("s-1"), "kind"), "<nil>");
}

TEST_F(SaleStoreTest, RefundAddsToRefunded) {
  CommitOne(SaleOf("s-1", 1000));
  EXPECT_EQ(CommitOne(RefundOf("r-1", "s-1", 300)).outcome, Outcome::kAccepted);
  EXPECT_EQ(HashField(keys().Sale("s-1"), "refunded_minor"), "300");
  EXPECT_EQ(HashField(keys().Sale("r-1"), "kind"), "refund");
  EXPECT_EQ(HashField(keys().Sale("r-1"), "original_sale_id"), "s-1");
  EXPECT_EQ(OutboxLength(), 2);
}

TEST_F(SaleStoreTest, RefundOverRemainingIsRejected) {
  CommitOne(SaleOf("s-1", 1000));
  CommitOne(RefundOf("r-1", "s-1", 700));
  const CommitResult result = CommitOne(RefundOf("r-2", "s-1", 301));
  EXPECT_EQ(result.reason, "refund_exceeds_remaining");
  EXPECT_EQ(result.detail, "300");
  EXPECT_EQ(HashField(keys().Sale("s-1"), "refunded_minor"), "700");
}

TEST_F(SaleStoreTest, RefundOfExactRemainderIsAccepted) {
  CommitOne(SaleOf("s-1", 1000));
  CommitOne(RefundOf("r-1", "s-1", 700));
  EXPECT_EQ(CommitOne(RefundOf("r-2", "s-1", 300)).outcome, Outcome::kAccepted);
  EXPECT_EQ(HashField(keys().Sale("s-1"), "refunded_minor"), "1000");
}

TEST_F(SaleStoreTest, RefundOfMissingOriginalIsRejected) {
  EXPECT_EQ(CommitOne(RefundOf("r-1", "nothing", 1)).reason, "original_sale_not_found");
}

TEST_F(SaleStoreTest, RefundOfOtherPartnersSaleIsRejected) {
  CommitOne(SaleOf("s-1", 1000, "p-2"));
  EXPECT_EQ(CommitOne(RefundOf("r-1", "s-1", 1)).reason, "original_sale_not_found");
  EXPECT_EQ(HashField(keys().Sale("s-1"), "refunded_minor"), "0");
}

TEST_F(SaleStoreTest, RefundOfRefundIsRejected) {
  CommitOne(SaleOf("s-1", 1000));
  CommitOne(RefundOf("r-1", "s-1", 100));
  const CommitResult result = CommitOne(RefundOf("r-2", "r-1", 1));
  EXPECT_EQ(result.reason, "original_sale_not_found");
  EXPECT_EQ(result.detail, "refund");
}

TEST_F(SaleStoreTest, SaleThenRefundInOnePipeline) {
  auto results = store_->Commit({SaleOf("s-1", 1000), RefundOf("r-1", "s-1", 1000)});
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, Outcome::kAccepted);
  EXPECT_EQ((*results)[1].outcome, Outcome::kAccepted);
  EXPECT_EQ(HashField(keys().Sale("s-1"), "refunded_minor"), "1000");
}

TEST_F(SaleStoreTest, LargestAmountsCompareExactly) {
  const int64_t max = (int64_t{1} << 53) - 1;
  CommitOne(SaleOf("s-1", max));
  CommitOne(RefundOf("r-1", "s-1", max - 1));
  const CommitResult result = CommitOne(RefundOf("r-2", "s-1", 2));
  EXPECT_EQ(result.reason, "refund_exceeds_remaining");
  EXPECT_EQ(result.detail, "1");
}

TEST_F(SaleStoreTest, PreflightReadsStateOfBatch) {
  CommitOne(SaleOf("s-1", 1000));
  auto preflight = store_->Preflight(
      PreflightQuery{{"p-1", "p-off", "nobody"}, {"s-1", "s-2"}, {"s-1", "missing"}});
  ASSERT_TRUE(preflight.ok()) << preflight.status();
  EXPECT_EQ(preflight->partner_status.at("p-1"), "PARTNER_STATUS_ACTIVE");
  EXPECT_EQ(preflight->partner_status.at("p-off"), "PARTNER_STATUS_SUSPENDED");
  EXPECT_FALSE(preflight->partner_status.contains("nobody"));
  EXPECT_TRUE(preflight->existing_sale_ids.contains("s-1"));
  EXPECT_FALSE(preflight->existing_sale_ids.contains("s-2"));
  ASSERT_TRUE(preflight->originals.contains("s-1"));
  const StoredSale& original = preflight->originals.at("s-1");
  EXPECT_EQ(original.partner_id, "p-1");
  EXPECT_EQ(original.kind, "sale");
  EXPECT_EQ(original.currency, "BRL");
  EXPECT_EQ(original.contract_id, "c-1");
  EXPECT_EQ(original.region, "SP");
  EXPECT_EQ(original.product_category, "toys");
  EXPECT_EQ(original.channel, "marketplace");
  EXPECT_FALSE(preflight->originals.contains("missing"));
}

TEST_F(SaleStoreTest, ScriptReloadsAfterFlush) {
  CommitOne(SaleOf("s-1", 100));
  ASSERT_TRUE(redis().Run({"SCRIPT", "FLUSH"}, "test").ok());
  EXPECT_EQ(CommitOne(SaleOf("s-2", 100)).outcome, Outcome::kAccepted);
}

}  // namespace
}  // namespace consort::partner
