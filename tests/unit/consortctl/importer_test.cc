#include "consortctl/importer.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

PlannedSale Sale() {
  PlannedSale sale;
  sale.sale_id = "o1-1";
  sale.partner_id = "s1";
  sale.amount = "58.90";
  sale.freight = "13.29";
  sale.region = "SP";
  sale.product_category = "health_beauty";
  sale.order_id = "o1";
  sale.event_time = absl::FromUnixSeconds(1505303942);
  return sale;
}

TEST(ToSaleRecord, MapsSale) {
  partner::v1::SaleRecord record = ToSaleRecord(Sale(), ImportOptions());
  EXPECT_EQ(record.sale_id(), "o1-1");
  EXPECT_EQ(record.partner_id(), "s1");
  EXPECT_EQ(record.kind(), partner::v1::SALE_RECORD_KIND_SALE);
  EXPECT_EQ(record.original_sale_id(), "");
  EXPECT_EQ(record.amount().currency(), "BRL");
  EXPECT_EQ(record.amount().amount(), "58.90");
  EXPECT_EQ(record.freight().amount(), "13.29");
  EXPECT_EQ(record.region(), "SP");
  EXPECT_EQ(record.product_category(), "health_beauty");
  EXPECT_EQ(record.channel(), "marketplace");
  EXPECT_EQ(record.order_id(), "o1");
  EXPECT_EQ(record.quantity(), 1);
  EXPECT_EQ(record.event_time().seconds(), 1505303942);
}

TEST(ToSaleRecord, MapsRefund) {
  PlannedSale refund = Sale();
  refund.refund = true;
  refund.sale_id = "o1-1-refund";
  refund.original_sale_id = "o1-1";
  refund.freight.clear();
  partner::v1::SaleRecord record = ToSaleRecord(refund, ImportOptions());
  EXPECT_EQ(record.kind(), partner::v1::SALE_RECORD_KIND_REFUND);
  EXPECT_EQ(record.original_sale_id(), "o1-1");
  EXPECT_FALSE(record.has_freight());
}

TEST(ToPartnerProto, CreatesActivePartner) {
  PlannedPartner planned{"s1", "Olist seller s1", "SP", "s1-olist", {"SP"}};
  partner::v1::Partner partner = ToPartnerProto(planned);
  EXPECT_EQ(partner.partner_id(), "s1");
  EXPECT_EQ(partner.display_name(), "Olist seller s1");
  EXPECT_EQ(partner.home_region(), "SP");
  EXPECT_EQ(partner.status(), partner::v1::PARTNER_STATUS_ACTIVE);
}

TEST(ToContractProto, UsesImportOptions) {
  PlannedPartner planned{"s1", "Olist seller s1", "SP", "s1-olist", {"SP", "RJ"}};
  ImportOptions options;
  options.commission_rate = "12.5%";
  contract::v1::Contract contract = ToContractProto(planned, options);
  EXPECT_EQ(contract.contract_id(), "s1-olist");
  EXPECT_EQ(contract.partner_id(), "s1");
  ASSERT_EQ(contract.regions_size(), 2);
  EXPECT_EQ(contract.regions(1), "RJ");
  EXPECT_TRUE(contract.all_product_categories());
  EXPECT_EQ(contract.product_categories_size(), 0);
  ASSERT_EQ(contract.channels_size(), 1);
  EXPECT_EQ(contract.channels(0), "marketplace");
  EXPECT_EQ(contract.currency(), "BRL");
  EXPECT_EQ(contract.time_zone(), "America/Sao_Paulo");
  EXPECT_EQ(contract.monthly_target().amount(), "1000.00");
  EXPECT_EQ(contract.monthly_target().currency(), "BRL");
  EXPECT_EQ(contract.commission_rate(), "12.5%");
}

TEST(ToFeedbackProto, MapsFeedback) {
  PlannedFeedback planned{
      "r1-o1-s1", "s1", "o1", 2, "ruim", "veio quebrado", absl::FromUnixSeconds(1505876400)};
  communication::v1::Feedback feedback = ToFeedbackProto(planned);
  EXPECT_EQ(feedback.feedback_id(), "r1-o1-s1");
  EXPECT_EQ(feedback.partner_id(), "s1");
  EXPECT_EQ(feedback.order_id(), "o1");
  EXPECT_EQ(feedback.rating(), 2);
  EXPECT_EQ(feedback.title(), "ruim");
  EXPECT_EQ(feedback.text(), "veio quebrado");
  EXPECT_FALSE(feedback.flagged_complaint());
  EXPECT_EQ(feedback.event_time().seconds(), 1505876400);
}

TEST(IsRecordRejection, SeparatesRecordErrorsFromTransportErrors) {
  EXPECT_TRUE(IsRecordRejection(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(IsRecordRejection(grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(IsRecordRejection(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_TRUE(IsRecordRejection(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_FALSE(IsRecordRejection(grpc::StatusCode::UNAVAILABLE));
  EXPECT_FALSE(IsRecordRejection(grpc::StatusCode::INTERNAL));
  EXPECT_FALSE(IsRecordRejection(grpc::StatusCode::DEADLINE_EXCEEDED));
}

TEST(CallWithRetry, RetriesUnavailableThenSucceeds) {
  RetryPolicy policy;
  policy.first_backoff = absl::Milliseconds(1);
  int calls = 0;
  grpc::Status status = CallWithRetry(policy, [&](grpc::ClientContext&) {
    return ++calls < 3 ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "down") : grpc::Status::OK;
  });
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(calls, 3);
}

TEST(CallWithRetry, DoesNotRetryRecordErrors) {
  RetryPolicy policy;
  int calls = 0;
  grpc::Status status = CallWithRetry(policy, [&](grpc::ClientContext&) {
    ++calls;
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad");
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(calls, 1);
}

TEST(CallWithRetry, GivesUpAfterMaxAttempts) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.first_backoff = absl::Milliseconds(1);
  int calls = 0;
  grpc::Status status = CallWithRetry(policy, [&](grpc::ClientContext&) {
    ++calls;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(calls, 3);
}

TEST(StatusCodeName, UsesLowerCaseNames) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::INVALID_ARGUMENT), "invalid_argument");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::NOT_FOUND), "not_found");
}

TEST(Importer, FailsClearlyWhenPartnerServiceIsDown) {
  ServiceAddresses addresses;
  addresses.partner = "127.0.0.1:1";
  addresses.contract = "127.0.0.1:1";
  ServiceClients clients(addresses);
  ImportSettings settings;
  settings.show_progress = false;
  settings.retry.max_attempts = 2;
  settings.retry.timeout = absl::Milliseconds(500);
  settings.retry.first_backoff = absl::Milliseconds(1);
  ImportTally tally;
  Importer importer(clients, settings, tally);
  PlannedPartner planned{"s1", "Olist seller s1", "SP", "s1-olist", {"SP"}};
  absl::Status status = importer.ImportPartners({planned}, ImportOptions());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("127.0.0.1:1"), absl::string_view::npos);
}

TEST(Importer, FailsClearlyWhenSalesStreamCannotOpen) {
  ServiceAddresses addresses;
  addresses.partner = "127.0.0.1:1";
  ServiceClients clients(addresses);
  ImportSettings settings;
  settings.show_progress = false;
  settings.stream_timeout = absl::Seconds(2);
  ImportTally tally;
  Importer importer(clients, settings, tally);
  absl::Status status = importer.ReportSales({Sale()}, ImportOptions());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("run the import again"), absl::string_view::npos);
}

}  // namespace
}  // namespace consort::consortctl
