#pragma once

// The incentive service's Redis state. Every key starts with `<namespace>incentive:`:
//
//   offsets                     hash "topic:partition" -> next offset to consume
//   applied                     set of the applied sale and refund ids
//   sale:<sale_id>              hash, the account of one sale (see StoredSale): partner_id,
//                               contract_id, period, currency, amount, refunded, commission,
//                               reversed (minor units), rate, version
//   parked:<sale_id>            hash refund id -> parked record, refunds waiting for that sale
//   parked_sales                set of the sale ids that have parked refunds
//   lines:<period>:<partner_id> list of serialized consort.incentive.v1.AccrualLine, in accrual
//                               order
//   totals                      hash "<period> <partner_id> <currency>" -> commission total in
//                               minor units
//   index                       sorted set of the same members (all scores 0), which orders the
//                               totals by period, then partner id, for paging
//
// The consumer reads what a batch needs with ReadSnapshot, computes the batch with PlanBatch, and
// writes it with Commit. Commit is one Lua script. It checks that no sale account changed, no id
// was applied and no parked refund came or went since the snapshot. Then it writes the lines, the
// sale accounts, the totals, the parked refunds and the offsets, all or nothing.
//
// Thread safety: every method may be called from any thread; the pool serializes connections.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "consort/incentive/v1/incentive.pb.h"
#include "incentive/batch_planner.h"
#include "redis/redis_client.h"

namespace consort::incentive {

// One page of a partner's accrual lines for a month.
struct AccrualPage {
  std::vector<consort::incentive::v1::AccrualLine> lines;
  // Empty on the last page.
  std::string next_page_token;
};

// Commission total of one partner, month and currency.
struct CommissionTotal {
  std::string period;
  std::string partner_id;
  std::string currency;
  int64_t commission_minor = 0;
};

struct TotalsPage {
  // Ordered by period, partner id, then currency.
  std::vector<CommissionTotal> totals;
  std::string next_page_token;
};

class IncentiveStore {
 public:
  // `redis_namespace` is CommonConfig::redis_namespace.
  IncentiveStore(redis::Pool& redis, const std::string& redis_namespace);

  // Key of the consumer offsets hash (see consumer/offset_store.h).
  std::string offsets_key() const { return prefix_ + "offsets"; }

  // Reads the applied ids, sale accounts and parked refunds that `request` names.
  absl::StatusOr<Snapshot> ReadSnapshot(const SnapshotRequest& request);

  // Stores `plan` and the batch's offsets ("topic:partition" -> next offset; an offset never
  // moves backwards) in one script. Returns ABORTED, changing nothing, when the state differs from
  // the snapshot the plan was computed from: the caller then reads a new snapshot and plans again.
  absl::Status Commit(const BatchPlan& plan,
                      const std::vector<std::pair<std::string, int64_t>>& offsets);

  // Returns the stored next offset per "topic:partition".
  absl::StatusOr<std::map<std::string, int64_t>> LoadOffsets();

  // Returns up to `page_size` lines of the partner and month after `page_token` (empty for the
  // first page). An invalid token, or one from another partner or month, is INVALID_ARGUMENT.
  absl::StatusOr<AccrualPage> ListAccruals(const std::string& partner_id, const std::string& period,
                                           int page_size, const std::string& page_token);

  // Returns up to `page_size` totals after `page_token` (empty for the first page), of `period`
  // only when it is not empty. An invalid token is INVALID_ARGUMENT.
  absl::StatusOr<TotalsPage> ListCommissionTotals(const std::string& period, int page_size,
                                                  const std::string& page_token);

  // Returns the stored account of `sale_id`, or NOT_FOUND.
  absl::StatusOr<StoredSale> GetSale(const std::string& sale_id);

 private:
  std::string SaleKey(const std::string& sale_id) const { return prefix_ + "sale:" + sale_id; }
  std::string ParkedKey(const std::string& sale_id) const { return prefix_ + "parked:" + sale_id; }
  std::string LinesKey(const std::string& period, const std::string& partner_id) const {
    return prefix_ + "lines:" + period + ":" + partner_id;
  }

  redis::Pool& redis_;
  const std::string prefix_;
  redis::Script commit_script_;
};

// Parses the hash of a stored sale account. Fails with INTERNAL on a missing or malformed field.
absl::StatusOr<StoredSale> ParseSaleHash(const std::string& sale_id, const redis::Reply& hash);

// Parked records: "<partition>:<offset>:<payload>" of the refund's original Kafka message.
std::string EncodeParkingRecord(int32_t partition, int64_t offset, const std::string& payload);
struct ParkingRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string payload;
};
absl::StatusOr<ParkingRecord> DecodeParkingRecord(const std::string& record);

}  // namespace consort::incentive
