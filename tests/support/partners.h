#pragma once

// Creates partners and their contracts through the real partner and contract services, for
// integration tests that need a partner whose sales are accepted. A covered partner is an ACTIVE
// partner with one active contract "contract-<partner_id>" that covers region SP, every product
// category and channel marketplace, in BRL and the America/Sao_Paulo time zone. The builders in
// sales.h make records and events inside that scope. Called by the partner, contract,
// communication, performance and incentive integration tests.
//
// Thread-safe: the functions keep no state, and gRPC stubs may be shared between threads.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"

namespace consort::testing {

// Returns a valid partner "Loja <partner_id>" in home region SP with one contact, in `status`.
partner::v1::Partner PartnerInput(
    const std::string& partner_id,
    partner::v1::PartnerStatus status = partner::v1::PARTNER_STATUS_ACTIVE);

// Creates a partner with a unique id "p-<suffix>" in home region SP and the status the service
// gives a new partner, with a 10-second deadline, and returns the id. A failure is recorded as a
// test failure.
std::string CreateTestPartner(partner::v1::PartnerService::Stub& partners);

// The terms of a covered partner's contract.
struct CoveredPartner {
  std::string partner_id;
  partner::v1::PartnerStatus status = partner::v1::PARTNER_STATUS_ACTIVE;
  // Decimal amount in BRL.
  std::string monthly_target = "1000.00";
  // A percentage ("10%") or a fraction ("0.1").
  std::string commission_rate = "10%";
};

// The id of the contract that CreateCoveredPartner creates for `partner_id`.
std::string CoveredContractId(const std::string& partner_id);

// Creates the partner, then creates and activates its contract. Returns the first failed call's
// status with the RPC and the partner id in its message.
absl::Status CreateCoveredPartner(partner::v1::PartnerService::Stub& partners,
                                  contract::v1::ContractService::Stub& contracts,
                                  const CoveredPartner& covered);

// The time zone of every covered contract: America/Sao_Paulo.
absl::TimeZone ContractTimeZone();

}  // namespace consort::testing
