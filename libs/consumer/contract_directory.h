#pragma once

// Contract look-ups for the event consumers of the performance and incentive services: the
// currency, time zone, monthly target and commission rate that place a sale or a feedback in a
// period and price it. ContractLookup is the interface the consumers use; GrpcContractDirectory
// implements it over ContractService with a deadline on every call and an in-process cache, so
// that each contract is fetched once per process.
//
// Errors: NOT_FOUND when the contract or the partner's active contract does not exist, and
// FAILED_PRECONDITION when its terms cannot be used. Both make the event unusable. UNAVAILABLE,
// DEADLINE_EXCEEDED and the other codes that IsTransient accepts mean that the contract service
// cannot answer now, and the caller retries.
//
// Thread safety: GrpcContractDirectory may be called from any thread.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "money/money.h"

namespace consort::consumer {

// The terms of a contract that the consumers use.
struct ContractTerms {
  std::string contract_id;
  std::string partner_id;
  // ISO 4217 code.
  std::string currency;
  // IANA time zone in which periods are calendar months.
  std::string time_zone;
  // Monthly net-sales target in the currency's minor unit.
  int64_t monthly_target_minor = 0;
  // Commission rate as a fraction, 0 to 1; zero when the contract has none.
  money::Rate commission_rate;
};

class ContractLookup {
 public:
  virtual ~ContractLookup() = default;

  // Returns the contract with `contract_id`, whatever its status.
  virtual absl::StatusOr<ContractTerms> GetContract(const std::string& contract_id) = 0;

  // Returns the partner's first ACTIVE contract by contract_id, or NOT_FOUND.
  virtual absl::StatusOr<ContractTerms> GetActiveContract(const std::string& partner_id) = 0;
};

// True for errors after which the same call may succeed later: the contract service is down,
// overloaded or slow.
bool IsTransient(const absl::Status& status);

// Converts a contract from the contract service. Fails with FAILED_PRECONDITION when its
// currency, time zone, target or commission rate cannot be used.
absl::StatusOr<ContractTerms> ToContractTerms(const consort::contract::v1::Contract& contract);

// Returns a channel to the contract service at `address` whose reconnect backoff is capped at
// 5 s (gRPC's default cap is two minutes), so a consumer paused by an outage resumes within
// seconds of the service coming back.
std::shared_ptr<grpc::Channel> NewContractChannel(const std::string& address);

class GrpcContractDirectory : public ContractLookup {
 public:
  // `deadline` bounds each call to the contract service.
  GrpcContractDirectory(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline);

  absl::StatusOr<ContractTerms> GetContract(const std::string& contract_id) override;
  absl::StatusOr<ContractTerms> GetActiveContract(const std::string& partner_id) override;

 private:
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  std::unique_ptr<consort::contract::v1::ContractService::Stub> stub_;
  const absl::Duration deadline_;

  absl::Mutex mu_;
  // Contract fields other than the status never change after creation, so entries stay valid.
  absl::flat_hash_map<std::string, ContractTerms> by_contract_ ABSL_GUARDED_BY(mu_);
  // NOTE: a partner's active contract is cached for the life of the process; a contract that the
  // partner activates later with a smaller contract_id is seen after a restart.
  absl::flat_hash_map<std::string, ContractTerms> active_by_partner_ ABSL_GUARDED_BY(mu_);
};

}  // namespace consort::consumer
