// ReportSales on the real consort-partner binary with the real contract service: every reject
// reason, duplicates, refunds, and the events that reach the sales topic.

#include <csignal>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/partner/partner_test_stack.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::ContextWithDeadline;
using ::consort::partner::testing::MetricValue;
using ::consort::partner::testing::NewPartnerInput;
using ::consort::partner::testing::RefundRecordOf;
using ::consort::partner::testing::SaleRecordOf;
using ::testing::HasSubstr;

class ReportSalesTest : public testing::PartnerStackTest {};

void ExpectAccepted(const v1::SaleResult& result) {
  EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_ACCEPTED)
      << result.sale_id() << ": " << result.reason() << " " << result.message();
}

void ExpectRejected(const v1::SaleResult& result, const std::string& reason,
                    const std::string& message_part) {
  EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_REJECTED) << result.sale_id();
  EXPECT_EQ(result.reason(), reason) << result.sale_id() << ": " << result.message();
  EXPECT_THAT(result.message(), HasSubstr(message_part)) << result.sale_id();
}

TEST_F(ReportSalesTest, AcceptedSalesReachKafka) {
  CreateCoveredPartner("p-kafka");
  v1::SaleRecord with_freight = SaleRecordOf("k-2", "p-kafka", "100.00");
  with_freight.mutable_freight()->set_currency("BRL");
  with_freight.mutable_freight()->set_amount("15.50");
  with_freight.set_quantity(3);
  const auto results = Report({SaleRecordOf("k-1", "p-kafka"), with_freight,
                               RefundRecordOf("k-r1", "k-1", "p-kafka", "8.90")});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) ExpectAccepted(result);
  EXPECT_EQ(results[0].sale_id(), "k-1");
  EXPECT_EQ(results[1].sale_id(), "k-2");
  EXPECT_EQ(results[2].sale_id(), "k-r1");

  auto events = ConsumeSales({"k-1", "k-2", "k-r1"});
  ASSERT_EQ(events.count("k-1"), 1u);
  ASSERT_EQ(events.count("k-2"), 1u);
  ASSERT_EQ(events.count("k-r1"), 1u);
  EXPECT_EQ(events["k-1"].amount_minor(), 5890);
  EXPECT_EQ(events["k-1"].kind(), events::v1::SALE_KIND_SALE);
  EXPECT_EQ(events["k-1"].contract_id(), "contract-p-kafka");
  EXPECT_EQ(events["k-1"].meta().producer(), "partner");
  EXPECT_EQ(events["k-2"].freight_minor(), 1550);
  EXPECT_EQ(events["k-2"].quantity(), 3);
  EXPECT_EQ(events["k-r1"].kind(), events::v1::SALE_KIND_REFUND);
  EXPECT_EQ(events["k-r1"].amount_minor(), -890);
  EXPECT_EQ(events["k-r1"].original_sale_id(), "k-1");
  EXPECT_EQ(events["k-r1"].region(), "SP");

  // The relay deletes an entry once Kafka acknowledged it. The fourth entry is the event of the
  // partner's creation.
  common::v1::OutboxStatus outbox;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(partner_
                    ->GetOutboxStatus(ContextWithDeadline().get(),
                                      common::v1::GetOutboxStatusRequest(), &outbox)
                    .ok());
    if (outbox.pending() == 0 && outbox.relayed() >= 4) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(outbox.pending(), 0);
  EXPECT_EQ(outbox.relayed(), 4);

  const std::string metrics = Metrics();
  EXPECT_EQ(MetricValue(metrics, "consort_sales_accepted_total{kind=\"sale\"}"), 2);
  EXPECT_EQ(MetricValue(metrics, "consort_sales_accepted_total{kind=\"refund\"}"), 1);
  EXPECT_EQ(MetricValue(metrics, "consort_outbox_depth"), 0);
}

TEST_F(ReportSalesTest, RejectsInvalidFields) {
  CreateCoveredPartner("p-fields");
  struct Case {
    std::string reason;
    std::string message_part;
    std::function<void(v1::SaleRecord&)> mutate;
  };
  const std::vector<Case> cases = {
      {"missing_field", "sale_id is missing", [](auto& r) { r.clear_sale_id(); }},
      {"invalid_field", "sale_id is invalid",
       [](auto& r) { r.set_sale_id(std::string(129, 's')); }},
      {"missing_field", "partner_id is missing", [](auto& r) { r.clear_partner_id(); }},
      {"invalid_field", "partner_id is invalid", [](auto& r) { r.set_partner_id("p 1"); }},
      {"missing_field", "kind is missing",
       [](auto& r) { r.set_kind(v1::SALE_RECORD_KIND_UNSPECIFIED); }},
      {"invalid_field", "original_sale_id is invalid",
       [](auto& r) { r.set_original_sale_id("x"); }},
      {"missing_field", "original_sale_id is missing",
       [](auto& r) { r.set_kind(v1::SALE_RECORD_KIND_REFUND); }},
      {"missing_field", "amount is missing", [](auto& r) { r.clear_amount(); }},
      {"invalid_currency", "amount.currency is invalid: got \"ZZZ\"",
       [](auto& r) { r.mutable_amount()->set_currency("ZZZ"); }},
      {"invalid_amount", "amount.amount is invalid: got \"1.234\"",
       [](auto& r) { r.mutable_amount()->set_amount("1.234"); }},
      {"invalid_amount", "amount.amount is invalid: got \"-1.00\"",
       [](auto& r) { r.mutable_amount()->set_amount("-1.00"); }},
      {"invalid_amount", "amount.amount is invalid: got \"0\"",
       [](auto& r) { r.mutable_amount()->set_amount("0"); }},
      {"missing_field", "region is missing", [](auto& r) { r.clear_region(); }},
      {"invalid_field", "product_category is invalid",
       [](auto& r) { r.set_product_category(std::string(65, 'c')); }},
      {"missing_field", "channel is missing", [](auto& r) { r.clear_channel(); }},
      {"invalid_field", "order_id is invalid",
       [](auto& r) { r.set_order_id(std::string(129, 'o')); }},
      {"invalid_field", "quantity is invalid", [](auto& r) { r.set_quantity(-3); }},
      {"missing_field", "event_time is missing", [](auto& r) { r.clear_event_time(); }},
      {"event_time_in_future", "event_time is invalid",
       [](auto& r) {
         *r.mutable_event_time() = ToProtoTimestamp(absl::Now() + absl::Minutes(10));
       }},
      {"currency_mismatch", "freight.currency is invalid: got \"USD\"",
       [](auto& r) {
         r.mutable_freight()->set_currency("USD");
         r.mutable_freight()->set_amount("1.00");
       }},
  };
  std::vector<v1::SaleRecord> records;
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::SaleRecord record = SaleRecordOf(absl::StrCat("f-", i), "p-fields");
    cases[i].mutate(record);
    records.push_back(record);
  }
  records.push_back(SaleRecordOf("f-valid", "p-fields"));
  const auto results = Report(records);
  ASSERT_EQ(results.size(), records.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    ExpectRejected(results[i], cases[i].reason, cases[i].message_part);
  }
  ExpectAccepted(results.back());

  const std::string metrics = Metrics();
  EXPECT_EQ(MetricValue(metrics, "consort_sales_rejected_total{reason=\"missing_field\"}"), 8);
  EXPECT_EQ(MetricValue(metrics, "consort_sales_rejected_total{reason=\"invalid_amount\"}"), 3);
}

TEST_F(ReportSalesTest, RejectsByPartnerAndContract) {
  CreateCoveredPartner("p-state");
  v1::CreatePartnerRequest suspended;
  *suspended.mutable_partner() = NewPartnerInput("p-suspended", v1::PARTNER_STATUS_SUSPENDED);
  v1::Partner ignored;
  ASSERT_TRUE(partner_->CreatePartner(ContextWithDeadline().get(), suspended, &ignored).ok());

  v1::SaleRecord other_region = SaleRecordOf("st-3", "p-state");
  other_region.set_region("RJ");
  v1::SaleRecord other_channel = SaleRecordOf("st-4", "p-state");
  other_channel.set_channel("store");
  const auto results = Report({
      SaleRecordOf("st-1", "p-nobody"),
      SaleRecordOf("st-2", "p-suspended"),
      other_region,
      other_channel,
      SaleRecordOf("st-5", "p-state", "10.00", "USD"),
  });
  ASSERT_EQ(results.size(), 5u);
  ExpectRejected(results[0], "partner_not_found", "partner_id is invalid: got \"p-nobody\"");
  ExpectRejected(results[1], "partner_not_active", "PARTNER_STATUS_SUSPENDED");
  ExpectRejected(results[2], "not_covered", "region \"RJ\"");
  ExpectRejected(results[3], "not_covered", "channel \"store\"");
  ExpectRejected(results[4], "currency_mismatch", "expected BRL");
  EXPECT_THAT(results[4].message(), HasSubstr("\"USD\""));
}

TEST_F(ReportSalesTest, DuplicatesCountOnce) {
  CreateCoveredPartner("p-dup");
  const auto first = Report({SaleRecordOf("d-1", "p-dup"), SaleRecordOf("d-1", "p-dup")});
  ASSERT_EQ(first.size(), 2u);
  ExpectAccepted(first[0]);
  EXPECT_EQ(first[1].outcome(), v1::SALE_OUTCOME_DUPLICATE);

  // A second stream, with a different amount: still the same sale.
  const v1::SaleResult again = ReportOne(SaleRecordOf("d-1", "p-dup", "99.00"));
  EXPECT_EQ(again.outcome(), v1::SALE_OUTCOME_DUPLICATE);

  auto events = ConsumeSales({"d-1"});
  ASSERT_EQ(events.count("d-1"), 1u);
  EXPECT_EQ(events["d-1"].amount_minor(), 5890);
  EXPECT_EQ(MetricValue(Metrics(), "consort_sales_duplicate_total"), 2);
}

TEST_F(ReportSalesTest, RefundRules) {
  CreateCoveredPartner("p-ref");
  CreateCoveredPartner("p-ref-other");
  ASSERT_EQ(Report({SaleRecordOf("rf-1", "p-ref", "100.00"), SaleRecordOf("rf-2", "p-ref", "40.00"),
                    SaleRecordOf("rf-other", "p-ref-other", "10.00")})
                .size(),
            3u);

  const auto results = Report({
      RefundRecordOf("rf-1-a", "rf-1", "p-ref", "30.00"),   // partial
      RefundRecordOf("rf-1-b", "rf-1", "p-ref", "70.01"),   // over the remainder
      RefundRecordOf("rf-1-c", "rf-1", "p-ref", "70.00"),   // the exact remainder
      RefundRecordOf("rf-2-a", "rf-2", "p-ref", "40.00"),   // full
      RefundRecordOf("rf-x", "rf-ghost", "p-ref", "1.00"),  // unknown original
      RefundRecordOf("rf-o", "rf-other", "p-ref", "1.00"),  // another partner's sale
      RefundRecordOf("rf-rr", "rf-1-a", "p-ref", "1.00"),   // refund of a refund
      RefundRecordOf("rf-1-d", "rf-1", "p-ref", "0.01"),    // nothing left
  });
  ASSERT_EQ(results.size(), 8u);
  ExpectAccepted(results[0]);
  ExpectRejected(results[1], "refund_exceeds_remaining", "at most 70.00 BRL");
  ExpectAccepted(results[2]);
  ExpectAccepted(results[3]);
  ExpectRejected(results[4], "original_sale_not_found", "\"rf-ghost\"");
  ExpectRejected(results[5], "original_sale_not_found", "another partner");
  ExpectRejected(results[6], "original_sale_not_found", "names a refund");
  ExpectRejected(results[7], "refund_exceeds_remaining", "at most 0.00 BRL");

  // The same checks against records stored by an earlier call rather than pending in this batch.
  const auto later = Report({RefundRecordOf("rf-rr-later", "rf-1-a", "p-ref", "1.00"),
                             RefundRecordOf("rf-o-later", "rf-other", "p-ref", "1.00")});
  ASSERT_EQ(later.size(), 2u);
  ExpectRejected(later[0], "original_sale_not_found", "names a refund");
  ExpectRejected(later[1], "original_sale_not_found", "another partner");

  auto events = ConsumeSales({"rf-1-a", "rf-1-c", "rf-2-a"});
  EXPECT_EQ(events["rf-1-a"].amount_minor(), -3000);
  EXPECT_EQ(events["rf-1-c"].amount_minor(), -7000);
  EXPECT_EQ(events["rf-2-a"].amount_minor(), -4000);
  EXPECT_EQ(events["rf-2-a"].contract_id(), "contract-p-ref");
  EXPECT_FALSE(events.contains("rf-1-b"));
}

TEST_F(ReportSalesTest, SaleThenRefundInOneBatch) {
  CreateCoveredPartner("p-same");
  const auto results = Report({SaleRecordOf("sb-1", "p-same", "20.00"),
                               RefundRecordOf("sb-1-r", "sb-1", "p-same", "20.00"),
                               RefundRecordOf("sb-1-r2", "sb-1", "p-same", "0.01")});
  ASSERT_EQ(results.size(), 3u);
  ExpectAccepted(results[0]);
  ExpectAccepted(results[1]);
  ExpectRejected(results[2], "refund_exceeds_remaining", "at most 0.00 BRL");
  auto events = ConsumeSales({"sb-1", "sb-1-r"});
  EXPECT_EQ(events["sb-1-r"].amount_minor(), -2000);
  EXPECT_EQ(events["sb-1-r"].product_category(), "toys");
}

TEST_F(ReportSalesTest, CoverageUnavailableStoresNothing) {
  CreateCoveredPartner("p-down");
  ASSERT_TRUE(stack_->Stop("contract", SIGTERM).ok());
  const v1::SaleResult result = ReportOne(SaleRecordOf("cu-1", "p-down"));
  ExpectRejected(result, "coverage_unavailable", "retry later");

  ASSERT_TRUE(stack_->StartAgain("contract").ok());
  // The partner service reconnects after gRPC's reconnect backoff, so the client retries.
  v1::SaleResult retried;
  for (int attempt = 0; attempt < 60; ++attempt) {
    retried = ReportOne(SaleRecordOf("cu-1", "p-down"));
    if (retried.reason() != "coverage_unavailable") break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  ExpectAccepted(retried);
}

}  // namespace
}  // namespace consort::partner
