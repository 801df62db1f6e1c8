#pragma once

// Redis storage of the contract service. Every key starts with `<namespace>contract:`:
//
//   contract:c:<contract_id>              hash: proto (serialized Contract), status (DRAFT or
//                                         ACTIVE), partner_id
//   contract:partner:<partner_id>:all     sorted set of the partner's contract ids, all scores 0,
//                                         so ZRANGEBYLEX pages through them in id order
//   contract:partner:<partner_id>:active  hash of the partner's ACTIVE contracts, contract id to
//                                         serialized Contract, read by coverage look-ups
//   contract:outbox                       outbox stream of ContractEvents, drained by OutboxRelay
//
// Each change is one Lua script, so a contract, its indexes and its outgoing event are written
// together or not at all. ContractService calls the store after validating its input.
//
// Thread-safe: the store keeps no mutable state and redis::Pool is thread-safe.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "consort/contract/v1/contract.pb.h"
#include "redis/redis_client.h"

namespace consort::contract {

struct CreateResult {
  // The stored contract: the new one, or the one stored earlier under the same id.
  v1::Contract contract;
  // False when a contract with this id existed already; the caller compares the fields.
  bool created = false;
};

struct ActivateResult {
  v1::Contract contract;
  // False when the contract was ACTIVE already and nothing changed.
  bool activated = false;
};

struct ContractPage {
  std::vector<v1::Contract> contracts;
  // The last contract id of this page when more follow, else empty.
  std::string next_page_token;
};

class ContractStore {
 public:
  // `key_namespace` is CommonConfig::redis_namespace; `contracts_topic` is the Kafka topic that
  // the outbox entries name.
  ContractStore(redis::Pool& redis, std::string key_namespace, std::string contracts_topic);

  // Stores `contract` (validated, with status DRAFT and create_time set) unless its id exists.
  absl::StatusOr<CreateResult> Create(const v1::Contract& contract);

  // Returns NOT_FOUND "contract ... not found" for an unknown id.
  absl::StatusOr<v1::Contract> Get(const std::string& contract_id);

  // Returns up to `page_size` contracts of the partner with ids after `after_contract_id` (empty
  // for the first page), ordered by contract id.
  absl::StatusOr<ContractPage> List(const std::string& partner_id, int page_size,
                                    const std::string& after_contract_id);

  // Sets a DRAFT contract ACTIVE with activate_time `now`, adds it to the partner's active
  // contracts and appends its ContractEvent to the outbox, in one script. Returns the stored
  // contract unchanged when it is ACTIVE already, and NOT_FOUND for an unknown id.
  absl::StatusOr<ActivateResult> Activate(const std::string& contract_id, absl::Time now);

  // Returns the ACTIVE contracts of each partner in `partner_ids` (partners without any are
  // absent), read in one pipeline.
  absl::StatusOr<absl::flat_hash_map<std::string, std::vector<v1::Contract>>> ActiveContracts(
      absl::Span<const std::string> partner_ids);

  const std::string& outbox_key() const { return outbox_key_; }

 private:
  std::string ContractKey(const std::string& contract_id) const;
  std::string PartnerIndexKey(const std::string& partner_id) const;
  std::string ActiveKey(const std::string& partner_id) const;

  redis::Pool& redis_;
  const std::string prefix_;
  const std::string contracts_topic_;
  const std::string outbox_key_;
};

}  // namespace consort::contract
