#pragma once

// A GoogleTest fixture for suites that report sales: StackTest with clients of the partner and
// contract services, covered partners (partners.h) and ReportSales streams (sales.h). The partner
// and incentive integration suites derive from it, and their Services() name partner, contract
// and whatever else the suite needs.
//
// Not thread-safe: the test thread drives the stack.

#include <memory>
#include <string>
#include <vector>

#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "tests/support/sales.h"
#include "tests/support/stack_test.h"

namespace consort::testing {

class SalesStackTest : public StackTest {
 protected:
  // Creates the partner and contract clients. An override that adds clients calls this first.
  void Connect() override;

  // Creates an ACTIVE partner (or one in `status`) with an active covered contract at
  // `commission_rate`. A failure is a fatal test failure.
  void CreateCoveredPartner(const std::string& partner_id,
                            partner::v1::PartnerStatus status = partner::v1::PARTNER_STATUS_ACTIVE,
                            const std::string& commission_rate = "10%");

  // Sends `records` on one ReportSales stream and returns the results. The stream's final
  // status goes to `final_status`, or, without one, is expected to be OK.
  std::vector<partner::v1::SaleResult> Report(const std::vector<partner::v1::SaleRecord>& records,
                                              grpc::Status* final_status = nullptr);

  // Reports one record and expects exactly one result.
  partner::v1::SaleResult ReportOne(const partner::v1::SaleRecord& record);

  // Reports `records` and expects each to be accepted, as ExpectAllAccepted does.
  void ReportAccepted(const std::vector<partner::v1::SaleRecord>& records);

  // Sales and refunds that Report and ReportAccepted got ACCEPTED for, which is how many events
  // the partner service has put on the sales topic for this test.
  int64_t accepted_records() const { return accepted_records_; }

  std::unique_ptr<partner::v1::PartnerService::Stub> partner_;
  std::unique_ptr<contract::v1::ContractService::Stub> contract_;

 private:
  SalesReport ReportAndCount(const std::vector<partner::v1::SaleRecord>& records);

  int64_t accepted_records_ = 0;
};

}  // namespace consort::testing
