#pragma once

// Sales and refunds for integration tests: records for the partner service's ReportSales,
// SaleEvents as the partner service publishes them (for putting straight onto the sales topic),
// and one ReportSales stream that writes and reads at the same time. Every record and event is
// in BRL, region SP, category toys and channel marketplace, inside the scope of the covered
// contracts of partners.h. Called by the partner, performance and incentive integration tests.
//
// Thread-safe: the functions keep no state. ReportSales runs a reader thread of its own and
// joins it before it returns.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "consort/events/v1/events.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"

namespace consort::testing {

// Returns a sale of `amount` (decimal BRL) at `event_time`, with order id "order-<sale_id>" and
// quantity 1.
partner::v1::SaleRecord SaleRecordAt(const std::string& sale_id, const std::string& partner_id,
                                     const std::string& amount, absl::Time event_time);

// Returns a refund of `amount` (decimal BRL, positive) of the sale `original_sale_id`.
partner::v1::SaleRecord RefundRecordAt(const std::string& refund_id,
                                       const std::string& original_sale_id,
                                       const std::string& partner_id, const std::string& amount,
                                       absl::Time event_time);

// Returns the SaleEvent of a sale of `amount_minor` centavos with quantity 1 and no order id,
// under the partner's covered contract, with event id "event-<sale_id>" and producer "test".
events::v1::SaleEvent SaleEventAt(const std::string& sale_id, const std::string& partner_id,
                                  int64_t amount_minor, absl::Time event_time);

// Returns the SaleEvent of a refund of `amount_minor` centavos of the sale `original_sale_id`,
// with quantity 0. `amount_minor` is positive, and the event carries it negated.
events::v1::SaleEvent RefundEventAt(const std::string& refund_id,
                                    const std::string& original_sale_id,
                                    const std::string& partner_id, int64_t amount_minor,
                                    absl::Time event_time);

// The outcome of one ReportSales stream: the results in the order received, and the status that
// Finish returned.
struct SalesReport {
  std::vector<partner::v1::SaleResult> results;
  grpc::Status status;
};

// Sends `records` on one ReportSales stream, with the call's deadline `timeout` from now, while a
// second thread reads the results. Stops writing when the stream breaks.
SalesReport ReportSales(partner::v1::PartnerService::Stub& partners,
                        const std::vector<partner::v1::SaleRecord>& records,
                        absl::Duration timeout = absl::Seconds(120));

// Expects `report` to have finished with OK and one ACCEPTED result per record. A failed status or
// a missing result is a fatal test failure, and each result that is not ACCEPTED a non-fatal one.
void ExpectAllAccepted(const std::vector<partner::v1::SaleRecord>& records,
                       const SalesReport& report);

}  // namespace consort::testing
