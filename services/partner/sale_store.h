#pragma once

// Redis storage of accepted sales and refunds, for SaleBatchProcessor.
//
// A batch costs two round trips. Preflight reads, in one pipeline, the status of the batch's
// partners, which sale ids already exist and the originals that its refunds name. Commit runs one
// Lua script per record in a single pipeline, in stream order. Each script checks again,
// atomically, what Preflight saw (the partner is ACTIVE, the sale id is new, the original belongs
// to the partner and has enough left to refund), then stores the record in
// `<ns>partner:sale:<sale_id>`, adds the refund to the original's refunded_minor and appends the
// SaleEvent to the outbox stream. A record is stored with its event or not at all.
//
// Sale hash fields: partner_id, kind ("sale" or "refund"), amount_minor (positive),
// refunded_minor (0 for a refund), currency, contract_id, region, product_category, channel,
// order_id, original_sale_id, quantity, event_time (RFC 3339), freight_minor, event_id.
//
// Thread safety: any number of threads may call the methods at once.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "partner/partner_keys.h"
#include "redis/redis_client.h"

namespace consort::partner {

// The fields of a stored sale that a refund of it needs.
struct StoredSale {
  std::string partner_id;
  // "sale" or "refund".
  std::string kind;
  std::string currency;
  std::string contract_id;
  std::string region;
  std::string product_category;
  std::string channel;
};

struct PreflightQuery {
  std::vector<std::string> partner_ids;
  std::vector<std::string> sale_ids;
  std::vector<std::string> original_sale_ids;
};

struct PreflightResult {
  // Status name (for example "PARTNER_STATUS_ACTIVE") of each partner that exists.
  absl::flat_hash_map<std::string, std::string> partner_status;
  // Sale ids of the query that are already stored.
  absl::flat_hash_set<std::string> existing_sale_ids;
  // Originals of the query that are stored.
  absl::flat_hash_map<std::string, StoredSale> originals;
};

// One record that passed every check before the write.
struct SaleWrite {
  std::string sale_id;
  std::string partner_id;
  bool is_refund = false;
  std::string original_sale_id;
  // Positive.
  int64_t amount_minor = 0;
  std::string currency;
  std::string contract_id;
  std::string region;
  std::string product_category;
  std::string channel;
  std::string order_id;
  int32_t quantity = 0;
  absl::Time event_time;
  int64_t freight_minor = 0;
  std::string event_id;
  // Serialized SaleEvent for the outbox.
  std::string event_payload;
};

struct CommitResult {
  enum class Outcome { kAccepted, kDuplicate, kRejected };
  Outcome outcome = Outcome::kRejected;
  // For kRejected: partner_not_found, partner_not_active, original_sale_not_found or
  // refund_exceeds_remaining.
  std::string reason;
  // For partner_not_active: the status; for refund_exceeds_remaining: the remaining amount in
  // minor units; for original_sale_not_found: empty when no such record exists, `other_partner`
  // when it belongs to another partner, `refund` when it is a refund.
  std::string detail;
};

class SaleStore {
 public:
  SaleStore(redis::Pool& redis, PartnerKeys keys, std::string sales_topic);

  absl::StatusOr<PreflightResult> Preflight(const PreflightQuery& query);

  // Runs the records' scripts in order in one pipeline and returns one result per record. A lost
  // connection is retried twice; this is safe because a record that was stored before the
  // connection broke comes back as kDuplicate.
  absl::StatusOr<std::vector<CommitResult>> Commit(const std::vector<SaleWrite>& writes);

 private:
  redis::Pool& redis_;
  const PartnerKeys keys_;
  const std::string sales_topic_;
  redis::Script record_script_;
};

}  // namespace consort::partner
