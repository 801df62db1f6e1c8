#include "tests/support/sales_stack_test.h"

#include "tests/support/partners.h"
#include "tests/support/sales.h"

namespace consort::testing {

void SalesStackTest::Connect() {
  partner_ = partner::v1::PartnerService::NewStub(stack_->service("partner").Channel());
  contract_ = contract::v1::ContractService::NewStub(stack_->service("contract").Channel());
}

void SalesStackTest::CreateCoveredPartner(const std::string& partner_id,
                                          partner::v1::PartnerStatus status,
                                          const std::string& commission_rate) {
  CoveredPartner covered;
  covered.partner_id = partner_id;
  covered.status = status;
  covered.commission_rate = commission_rate;
  const absl::Status created = testing::CreateCoveredPartner(*partner_, *contract_, covered);
  ASSERT_TRUE(created.ok()) << created;
}

SalesReport SalesStackTest::ReportAndCount(const std::vector<partner::v1::SaleRecord>& records) {
  SalesReport report = ReportSales(*partner_, records);
  for (const partner::v1::SaleResult& result : report.results) {
    if (result.outcome() == partner::v1::SALE_OUTCOME_ACCEPTED) ++accepted_records_;
  }
  return report;
}

std::vector<partner::v1::SaleResult> SalesStackTest::Report(
    const std::vector<partner::v1::SaleRecord>& records, grpc::Status* final_status) {
  SalesReport report = ReportAndCount(records);
  if (final_status != nullptr) {
    *final_status = report.status;
  } else {
    EXPECT_TRUE(report.status.ok()) << report.status.error_message();
  }
  return std::move(report.results);
}

partner::v1::SaleResult SalesStackTest::ReportOne(const partner::v1::SaleRecord& record) {
  std::vector<partner::v1::SaleResult> results = Report({record});
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? partner::v1::SaleResult() : results[0];
}

void SalesStackTest::ReportAccepted(const std::vector<partner::v1::SaleRecord>& records) {
  ExpectAllAccepted(records, ReportAndCount(records));
}

}  // namespace consort::testing
