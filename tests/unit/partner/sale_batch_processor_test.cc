#include "partner/sale_batch_processor.h"

#include <string>
#include <vector>

#include "consort/events/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "partner/partner_store.h"
#include "partner/sale_validation.h"
#include "tests/unit/partner/fake_coverage_source.h"
#include "tests/unit/partner/redis_fixture.h"
#include "tests/unit/partner/test_records.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::FakeCoverageSource;
using ::consort::partner::testing::Refund;
using ::consort::partner::testing::Sale;
using ::consort::partner::testing::TestNow;
using ::consort::partner::testing::TestPartner;
using ::testing::HasSubstr;

class SaleBatchProcessorTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped()) return;
    partners_ = std::make_unique<PartnerStore>(redis(), keys(), "partners-topic");
    store_ = std::make_unique<SaleStore>(redis(), keys(), "sales-topic");
    cache_ = std::make_unique<CoverageCache>(source_);
    processor_ = std::make_unique<SaleBatchProcessor>(*store_, *cache_, registry(),
                                                      [] { return TestNow(); });
    for (const char* id : {"p-1", "p-2"}) {
      ASSERT_TRUE(partners_->Create(TestPartner(id)).ok());
      source_.Cover({id, "SP", "toys", "marketplace"}, std::string("c-") + id, "BRL");
    }
    ASSERT_TRUE(partners_->Create(TestPartner("p-off", v1::PARTNER_STATUS_SUSPENDED)).ok());    // Creating the partners put partner events in the outbox; the tests count sale events only.
    ClearOutbox();
  }

  std::vector<v1::SaleResult> Process(const std::vector<v1::SaleRecord>& records) {
    auto results = processor_->Process(records);
    EXPECT_TRUE(results.ok()) << results.status();
    if (!results.ok()) return {};
    EXPECT_EQ(results->size(), records.size());
    return *results;
  }

  v1::SaleResult ProcessOne(const v1::SaleRecord& record) {
    auto results = Process({record});
    return results.empty() ? v1::SaleResult() : results[0];
  }

  std::vector<events::v1::SaleEvent> OutboxEvents() {
    std::vector<events::v1::SaleEvent> events;
    auto entries = redis().Run({"XRANGE", keys().Outbox(), "-", "+"}, "test");
    if (!entries.ok()) return events;
    for (const auto& entry : entries->elements) {
      events::v1::SaleEvent event;
      event.ParseFromString(*redis::FindField(entry.elements[1], "payload"));
      events.push_back(event);
    }
    return events;
  }

  double Counter(const std::string& name, const std::string& label_value = "") {
    for (const auto& family : registry().Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        if (label_value.empty() ||
            (!metric.label.empty() && metric.label[0].value == label_value)) {
          return metric.counter.value;
        }
      }
    }
    return 0;
  }

  FakeCoverageSource source_;
  std::unique_ptr<PartnerStore> partners_;
  std::unique_ptr<SaleStore> store_;
  std::unique_ptr<CoverageCache> cache_;
  std::unique_ptr<SaleBatchProcessor> processor_;
};

void ExpectRejected(const v1::SaleResult& result, const std::string& reason) {
  EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_REJECTED) << result.ShortDebugString();
  EXPECT_EQ(result.reason(), reason) << result.message();
}

TEST_F(SaleBatchProcessorTest, AcceptsSaleAndWritesEvent) {
  v1::SaleRecord record = Sale("s-1");
  record.mutable_freight()->set_currency("BRL");
  record.mutable_freight()->set_amount("7.25");
  const v1::SaleResult result = ProcessOne(record);
  EXPECT_EQ(result.sale_id(), "s-1");
  EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_ACCEPTED);

  const auto events = OutboxEvents();
  ASSERT_EQ(events.size(), 1u);
  const events::v1::SaleEvent& event = events[0];
  EXPECT_EQ(event.sale_id(), "s-1");
  EXPECT_EQ(event.partner_id(), "p-1");
  EXPECT_EQ(event.kind(), events::v1::SALE_KIND_SALE);
  EXPECT_EQ(event.currency(), "BRL");
  EXPECT_EQ(event.amount_minor(), 5890);
  EXPECT_EQ(event.region(), "SP");
  EXPECT_EQ(event.product_category(), "toys");
  EXPECT_EQ(event.channel(), "marketplace");
  EXPECT_EQ(event.order_id(), "order-1");
  EXPECT_EQ(event.quantity(), 2);
  EXPECT_EQ(event.contract_id(), "c-p-1");
  EXPECT_EQ(event.freight_minor(), 725);
  EXPECT_EQ(event.meta().producer(), "partner");
  EXPECT_EQ(event.meta().event_id().size(), 36u);
  EXPECT_EQ(event.meta().event_time().seconds(), absl::ToUnixSeconds(TestNow() - absl::Hours(1)));
  EXPECT_EQ(event.meta().record_time().seconds(), absl::ToUnixSeconds(TestNow()));
  EXPECT_EQ(Counter("consort_sales_accepted_total", "sale"), 1);
}

TEST_F(SaleBatchProcessorTest, ResultsKeepInputOrder) {
  v1::SaleRecord invalid = Sale("s-bad");
  invalid.clear_region();
  const auto results = Process({Sale("s-1"), invalid, Sale("s-2", "nobody"), Sale("s-3")});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].sale_id(), "s-1");
  EXPECT_EQ(results[0].outcome(), v1::SALE_OUTCOME_ACCEPTED);
  EXPECT_EQ(results[1].sale_id(), "s-bad");
  ExpectRejected(results[1], "missing_field");
  EXPECT_EQ(results[2].sale_id(), "s-2");
  ExpectRejected(results[2], "partner_not_found");
  EXPECT_EQ(results[3].sale_id(), "s-3");
  EXPECT_EQ(results[3].outcome(), v1::SALE_OUTCOME_ACCEPTED);
  EXPECT_EQ(Counter("consort_sales_rejected_total", "missing_field"), 1);
  EXPECT_EQ(Counter("consort_sales_rejected_total", "partner_not_found"), 1);
}

TEST_F(SaleBatchProcessorTest, DuplicateInSameBatchCountsOnce) {
  const auto results = Process({Sale("s-1"), Sale("s-1")});
  EXPECT_EQ(results[0].outcome(), v1::SALE_OUTCOME_ACCEPTED);
  EXPECT_EQ(results[1].outcome(), v1::SALE_OUTCOME_DUPLICATE);
  EXPECT_EQ(OutboxEvents().size(), 1u);
  EXPECT_EQ(Counter("consort_sales_duplicate_total"), 1);
}

TEST_F(SaleBatchProcessorTest, DuplicateAcrossBatches) {
  ProcessOne(Sale("s-1"));
  const v1::SaleResult result = ProcessOne(Sale("s-1"));
  EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_DUPLICATE);
  EXPECT_THAT(result.message(), HasSubstr("\"s-1\""));
  EXPECT_EQ(OutboxEvents().size(), 1u);
}

TEST_F(SaleBatchProcessorTest, DuplicateWinsOverLostCoverage) {
  ProcessOne(Sale("s-1"));
  source_.FailWith(absl::UnavailableError("down"));
  EXPECT_EQ(ProcessOne(Sale("s-1")).outcome(), v1::SALE_OUTCOME_DUPLICATE);
}

TEST_F(SaleBatchProcessorTest, UnknownPartnerIsRejected) {
  const v1::SaleResult result = ProcessOne(Sale("s-1", "nobody"));
  ExpectRejected(result, "partner_not_found");
  EXPECT_THAT(result.message(), HasSubstr("partner_id is invalid: got \"nobody\""));
  EXPECT_EQ(source_.calls(), 0);
}

TEST_F(SaleBatchProcessorTest, InactivePartnerIsRejected) {
  const v1::SaleResult result = ProcessOne(Sale("s-1", "p-off"));
  ExpectRejected(result, "partner_not_active");
  EXPECT_THAT(result.message(), HasSubstr("PARTNER_STATUS_SUSPENDED"));
}

TEST_F(SaleBatchProcessorTest, UncoveredScopeIsRejected) {
  v1::SaleRecord record = Sale("s-1");
  record.set_region("RJ");
  const v1::SaleResult result = ProcessOne(record);
  ExpectRejected(result, "not_covered");
  EXPECT_THAT(result.message(), HasSubstr("region \"RJ\""));
  EXPECT_THAT(result.message(), HasSubstr("product_category \"toys\""));
  EXPECT_THAT(result.message(), HasSubstr("channel \"marketplace\""));
  EXPECT_THAT(result.message(), HasSubstr("no active contract covers the region"));
  EXPECT_TRUE(OutboxEvents().empty());
}

TEST_F(SaleBatchProcessorTest, CurrencyOtherThanContractIsRejected) {
  const v1::SaleResult result = ProcessOne(Sale("s-1", "p-1", "10.00", "USD"));
  ExpectRejected(result, "currency_mismatch");
  EXPECT_THAT(result.message(), HasSubstr("\"USD\""));
  EXPECT_THAT(result.message(), HasSubstr("expected BRL"));
  EXPECT_THAT(result.message(), HasSubstr("c-p-1"));
}

TEST_F(SaleBatchProcessorTest, CoverageOutageStoresNothing) {
  source_.FailWith(absl::UnavailableError("contract service down"));
  const v1::SaleResult result = ProcessOne(Sale("s-1"));
  ExpectRejected(result, "coverage_unavailable");
  EXPECT_THAT(result.message(), HasSubstr("contract service down"));
  EXPECT_EQ(HashField(keys().Sale("s-1"), "kind"), "<nil>");

  source_.FailWith(absl::OkStatus());
  EXPECT_EQ(ProcessOne(Sale("s-1")).outcome(), v1::SALE_OUTCOME_ACCEPTED);
}

TEST_F(SaleBatchProcessorTest, CoverageAskedOncePerBatch) {
  v1::SaleRecord other = Sale("s-3");
  other.set_product_category("books");
  Process({Sale("s-1"), Sale("s-2"), other, Sale("s-4", "p-2")});
  EXPECT_EQ(source_.calls(), 1);
  EXPECT_EQ(source_.last_query().size(), 3u);
  Process({Sale("s-5"), Sale("s-6", "p-2")});
  EXPECT_EQ(source_.calls(), 1);
}

TEST_F(SaleBatchProcessorTest, PartialRefundIsNegativeEvent) {
  ProcessOne(Sale("s-1"));
  const v1::SaleResult result = ProcessOne(Refund("r-1", "s-1", "8.90"));
  EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_ACCEPTED) << result.message();
  const auto events = OutboxEvents();
  ASSERT_EQ(events.size(), 2u);
  const events::v1::SaleEvent& refund = events[1];
  EXPECT_EQ(refund.kind(), events::v1::SALE_KIND_REFUND);
  EXPECT_EQ(refund.amount_minor(), -890);
  EXPECT_EQ(refund.original_sale_id(), "s-1");
  EXPECT_EQ(refund.region(), "SP");
  EXPECT_EQ(refund.product_category(), "toys");
  EXPECT_EQ(refund.channel(), "marketplace");
  EXPECT_EQ(refund.contract_id(), "c-p-1");
  EXPECT_EQ(refund.quantity(), 0);
  EXPECT_EQ(HashField(keys().Sale("s-1"), "refunded_minor"), "890");
  EXPECT_EQ(Counter("consort_sales_accepted_total", "refund"), 1);
}

TEST_F(SaleBatchProcessorTest, RefundNeedsNoCoverageCall) {
  ProcessOne(Sale("s-1"));
  source_.FailWith(absl::UnavailableError("down"));
  EXPECT_EQ(ProcessOne(Refund("r-1", "s-1", "1.00")).outcome(), v1::SALE_OUTCOME_ACCEPTED);
}

TEST_F(SaleBatchProcessorTest, FullRefundThenNothingLeft) {
  ProcessOne(Sale("s-1"));
  EXPECT_EQ(ProcessOne(Refund("r-1", "s-1", "58.90")).outcome(), v1::SALE_OUTCOME_ACCEPTED);
  const v1::SaleResult result = ProcessOne(Refund("r-2", "s-1", "0.01"));
  ExpectRejected(result, "refund_exceeds_remaining");
  EXPECT_THAT(result.message(), HasSubstr("at most 0.00 BRL"));
}

TEST_F(SaleBatchProcessorTest, RefundOverRemainderNamesRemainder) {
  ProcessOne(Sale("s-1"));
  ProcessOne(Refund("r-1", "s-1", "50.00"));
  const v1::SaleResult result = ProcessOne(Refund("r-2", "s-1", "9.00"));
  ExpectRejected(result, "refund_exceeds_remaining");
  EXPECT_THAT(result.message(), HasSubstr("amount.amount is invalid: got \"9.00\""));
  EXPECT_THAT(result.message(), HasSubstr("at most 8.90 BRL"));
  EXPECT_THAT(result.message(), HasSubstr("\"s-1\""));
}

TEST_F(SaleBatchProcessorTest, RefundsInOneBatchShareRemainder) {
  ProcessOne(Sale("s-1"));
  const auto results = Process({Refund("r-1", "s-1", "30.00"), Refund("r-2", "s-1", "30.00")});
  EXPECT_EQ(results[0].outcome(), v1::SALE_OUTCOME_ACCEPTED);
  ExpectRejected(results[1], "refund_exceeds_remaining");
  EXPECT_THAT(results[1].message(), HasSubstr("at most 28.90 BRL"));
}

TEST_F(SaleBatchProcessorTest, RefundOfUnknownSaleIsRejected) {
  const v1::SaleResult result = ProcessOne(Refund("r-1", "ghost", "1.00"));
  ExpectRejected(result, "original_sale_not_found");
  EXPECT_THAT(result.message(), HasSubstr("original_sale_id is invalid: got \"ghost\""));
}

TEST_F(SaleBatchProcessorTest, RefundOfOtherPartnersSaleIsRejected) {
  ProcessOne(Sale("s-1", "p-2"));
  const v1::SaleResult result = ProcessOne(Refund("r-1", "s-1", "1.00"));
  ExpectRejected(result, "original_sale_not_found");
  EXPECT_THAT(result.message(), HasSubstr("another partner"));
  EXPECT_EQ(HashField(keys().Sale("s-1"), "refunded_minor"), "0");
}

TEST_F(SaleBatchProcessorTest, RefundOfRefundIsRejected) {
  ProcessOne(Sale("s-1"));
  ProcessOne(Refund("r-1", "s-1", "1.00"));
  const v1::SaleResult result = ProcessOne(Refund("r-2", "r-1", "1.00"));
  ExpectRejected(result, "original_sale_not_found");
  EXPECT_THAT(result.message(), HasSubstr("names a refund"));
}

TEST_F(SaleBatchProcessorTest, RefundInOtherCurrencyIsRejected) {
  ProcessOne(Sale("s-1"));
  const v1::SaleResult result = ProcessOne(Refund("r-1", "s-1", "1.00", "p-1", "USD"));
  ExpectRejected(result, "currency_mismatch");
  EXPECT_THAT(result.message(), HasSubstr("\"USD\""));
  EXPECT_THAT(result.message(), HasSubstr("expected BRL"));
}

TEST_F(SaleBatchProcessorTest, SaleThenRefundInSameBatch) {
  const auto results = Process({Sale("s-1"), Refund("r-1", "s-1", "58.90")});
  EXPECT_EQ(results[0].outcome(), v1::SALE_OUTCOME_ACCEPTED);
  EXPECT_EQ(results[1].outcome(), v1::SALE_OUTCOME_ACCEPTED) << results[1].message();
  const auto events = OutboxEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].amount_minor(), -5890);
  EXPECT_EQ(events[1].contract_id(), "c-p-1");
  EXPECT_EQ(events[1].region(), "SP");
}

TEST_F(SaleBatchProcessorTest, RefundBeforeItsSaleInBatchIsRejected) {
  const auto results = Process({Refund("r-1", "s-1", "1.00"), Sale("s-1")});
  ExpectRejected(results[0], "original_sale_not_found");
  EXPECT_EQ(results[1].outcome(), v1::SALE_OUTCOME_ACCEPTED);
}

TEST_F(SaleBatchProcessorTest, RefundOfRejectedSaleInBatchIsRejected) {
  v1::SaleRecord uncovered = Sale("s-1");
  uncovered.set_region("RJ");
  const auto results = Process({uncovered, Refund("r-1", "s-1", "1.00")});
  ExpectRejected(results[0], "not_covered");
  ExpectRejected(results[1], "original_sale_not_found");
}

TEST_F(SaleBatchProcessorTest, PartnerSuspendedLaterRejectsNewSales) {
  ProcessOne(Sale("s-1"));
  ASSERT_TRUE(partners_
                  ->Update("p-1",
                           [](const v1::Partner& stored) {
                             v1::Partner next = stored;
                             next.set_status(v1::PARTNER_STATUS_SUSPENDED);
                             return absl::StatusOr<v1::Partner>(next);
                           })
                  .ok());
  ExpectRejected(ProcessOne(Sale("s-2")), "partner_not_active");
  EXPECT_EQ(ProcessOne(Sale("s-1")).outcome(), v1::SALE_OUTCOME_DUPLICATE);
}

TEST_F(SaleBatchProcessorTest, EveryRejectReasonIsExported) {
  size_t series = 0;
  for (const auto& family : registry().Collect()) {
    if (family.name == "consort_sales_rejected_total") series = family.metric.size();
  }
  EXPECT_EQ(series, std::size(reason::kAll));
}

TEST_F(SaleBatchProcessorTest, FullBatchIsAccepted) {
  std::vector<v1::SaleRecord> records;
  for (size_t i = 0; i < SaleBatchProcessor::kMaxBatchSize; ++i) {
    records.push_back(Sale("s-" + std::to_string(i)));
  }
  const auto results = Process(records);
  for (const auto& result : results) EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_ACCEPTED);
  EXPECT_EQ(OutboxLength(), static_cast<int64_t>(SaleBatchProcessor::kMaxBatchSize));
}

}  // namespace
}  // namespace consort::partner
