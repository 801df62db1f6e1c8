#include "tests/support/sales.h"

#include <thread>

#include "absl/time/clock.h"
#include "common/time_util.h"
#include "gtest/gtest.h"
#include "tests/support/client_context.h"
#include "tests/support/partners.h"

namespace consort::testing {
namespace {

// Sets the fields that every sale and refund event shares.
events::v1::SaleEvent EventOf(const std::string& sale_id, const std::string& partner_id,
                              absl::Time event_time) {
  events::v1::SaleEvent event;
  event.mutable_meta()->set_event_id("event-" + sale_id);
  *event.mutable_meta()->mutable_event_time() = ToProtoTimestamp(event_time);
  *event.mutable_meta()->mutable_record_time() = ToProtoTimestamp(absl::Now());
  event.mutable_meta()->set_producer("test");
  event.set_sale_id(sale_id);
  event.set_partner_id(partner_id);
  event.set_currency("BRL");
  event.set_region("SP");
  event.set_product_category("toys");
  event.set_channel("marketplace");
  event.set_contract_id(CoveredContractId(partner_id));
  return event;
}

}  // namespace

partner::v1::SaleRecord SaleRecordAt(const std::string& sale_id, const std::string& partner_id,
                                     const std::string& amount, absl::Time event_time) {
  partner::v1::SaleRecord record;
  record.set_sale_id(sale_id);
  record.set_partner_id(partner_id);
  record.set_kind(partner::v1::SALE_RECORD_KIND_SALE);
  record.mutable_amount()->set_currency("BRL");
  record.mutable_amount()->set_amount(amount);
  record.set_region("SP");
  record.set_product_category("toys");
  record.set_channel("marketplace");
  record.set_order_id("order-" + sale_id);
  record.set_quantity(1);
  *record.mutable_event_time() = ToProtoTimestamp(event_time);
  return record;
}

partner::v1::SaleRecord RefundRecordAt(const std::string& refund_id,
                                       const std::string& original_sale_id,
                                       const std::string& partner_id, const std::string& amount,
                                       absl::Time event_time) {
  partner::v1::SaleRecord record;
  record.set_sale_id(refund_id);
  record.set_partner_id(partner_id);
  record.set_kind(partner::v1::SALE_RECORD_KIND_REFUND);
  record.set_original_sale_id(original_sale_id);
  record.mutable_amount()->set_currency("BRL");
  record.mutable_amount()->set_amount(amount);
  *record.mutable_event_time() = ToProtoTimestamp(event_time);
  return record;
}

events::v1::SaleEvent SaleEventAt(const std::string& sale_id, const std::string& partner_id,
                                  int64_t amount_minor, absl::Time event_time) {
  events::v1::SaleEvent event = EventOf(sale_id, partner_id, event_time);
  event.set_kind(events::v1::SALE_KIND_SALE);
  event.set_amount_minor(amount_minor);
  event.set_quantity(1);
  return event;
}

events::v1::SaleEvent RefundEventAt(const std::string& refund_id,
                                    const std::string& original_sale_id,
                                    const std::string& partner_id, int64_t amount_minor,
                                    absl::Time event_time) {
  events::v1::SaleEvent event = EventOf(refund_id, partner_id, event_time);
  event.set_kind(events::v1::SALE_KIND_REFUND);
  event.set_original_sale_id(original_sale_id);
  event.set_amount_minor(-amount_minor);
  event.set_quantity(0);
  return event;
}

SalesReport ReportSales(partner::v1::PartnerService::Stub& partners,
                        const std::vector<partner::v1::SaleRecord>& records,
                        absl::Duration timeout) {
  std::unique_ptr<grpc::ClientContext> context = ContextWithDeadline(timeout);
  auto stream = partners.ReportSales(context.get());
  SalesReport report;
  std::thread reader([&] {
    partner::v1::SaleResult result;
    while (stream->Read(&result)) report.results.push_back(result);
  });
  for (const partner::v1::SaleRecord& record : records) {
    if (!stream->Write(record)) break;
  }
  stream->WritesDone();
  reader.join();
  report.status = stream->Finish();
  return report;
}

void ExpectAllAccepted(const std::vector<partner::v1::SaleRecord>& records,
                       const SalesReport& report) {
  ASSERT_TRUE(report.status.ok()) << report.status.error_message();
  ASSERT_EQ(report.results.size(), records.size());
  for (const partner::v1::SaleResult& result : report.results) {
    EXPECT_EQ(result.outcome(), partner::v1::SALE_OUTCOME_ACCEPTED)
        << result.sale_id() << ": " << result.reason() << " " << result.message();
  }
}

}  // namespace consort::testing
