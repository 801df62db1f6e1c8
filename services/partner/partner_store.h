#pragma once

// Redis storage of the partner register. Each partner is a hash `<ns>partner:p:<id>` with its
// status (the PartnerStatus name, which the sale script reads) and its serialized proto; the
// sorted set `<ns>partner:ids` holds every id with score 0 so that ListPartners pages through
// ids in byte order with ZRANGEBYLEX. Creating and updating are single Lua scripts that also
// append a PartnerEvent to the outbox stream, so a partner's hash, its id entry and the event that
// announces the change never diverge.
//
// Thread safety: any number of threads may call the methods at once.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "consort/partner/v1/partner.pb.h"
#include "partner/partner_keys.h"
#include "redis/redis_client.h"

namespace consort::partner {

class PartnerStore {
 public:
  struct CreateResult {
    // The partner as stored: the new one, or the one that already had the id.
    v1::Partner partner;
    bool created = false;
  };

  struct Page {
    std::vector<v1::Partner> partners;
    // Id of the last partner of the page when more follow; empty on the last page.
    std::string next_after;
  };

  // Returns the partner with `mutation` applied, or an error that UpdatePartner returns as is.
  using Mutation = std::function<absl::StatusOr<v1::Partner>(const v1::Partner& stored)>;

  // `partners_topic` is the Kafka topic that the outbox relay publishes partner events to.
  PartnerStore(redis::Pool& redis, PartnerKeys keys, std::string partners_topic);

  // Stores `partner` unless its id exists; then returns the stored one with created = false.
  absl::StatusOr<CreateResult> Create(const v1::Partner& partner);

  // Returns NOT_FOUND when no partner has the id.
  absl::StatusOr<v1::Partner> Get(const std::string& partner_id);

  // Returns up to `page_size` partners whose ids sort after `after` (all when `after` is empty).
  absl::StatusOr<Page> List(const std::string& after, int page_size);

  // Reads the partner, applies `mutation` and writes the result if the partner did not change in
  // between; otherwise reads again, up to a few times, then fails with ABORTED.
  absl::StatusOr<v1::Partner> Update(const std::string& partner_id, const Mutation& mutation);

 private:
  // Returns the stored proto bytes, or NOT_FOUND.
  absl::StatusOr<std::string> ReadRaw(const std::string& partner_id);

  redis::Pool& redis_;
  const PartnerKeys keys_;
  const std::string partners_topic_;
  redis::Script create_script_;
  redis::Script replace_script_;
};

}  // namespace consort::partner
