#pragma once

// The incentive service's Redis state. Every key starts with `<namespace>incentive:`:
//
//   offsets                     hash "topic:partition" -> next offset to consume
//   sale:<sale_id>              hash, the account of one sale (see StoredSale): partner_id,
//                               contract_id, period, currency, amount, refunded, commission,
//                               reversed (minor units), rate, version, and a field
//                               "refund:<refund_id>" (value 1) per refund applied to the sale
//   applied                     set of applied sale and refund ids written by releases before
//                               the refund fields; still read, never written (see README)
//   parked:<sale_id>            hash refund id -> parked record, refunds waiting for that sale
//   parked_sales                set of the sale ids that have parked refunds
//   parked_since                sorted set of the same sale ids, scored by the Unix milliseconds
//                               of their first parked refund, which finds the expired parkings
//   lines:<period>:<partner_id> list of serialized consort.incentive.v1.AccrualLine, in accrual
//                               order
//   totals                      hash "<period> <partner_id> <currency>" -> commission total in
//                               minor units
//   index                       sorted set of the same members (all scores 0), which orders the
//                               totals by period, then partner id, for paging
//
// The consumer reads what a batch needs with ReadSnapshot, computes the batch with PlanBatch, and
// writes it with Commit. Commit is one Lua script. It checks that no sale account changed and no
// parked refund came or went since the snapshot. Then it writes the lines, the sale accounts, the
// totals, the parked refunds and the offsets, all or nothing.
//
// Duplicates are caught through the sale accounts, which are kept for good because a refund may
// come at any time: a sale whose account exists, or a refund that its sale's account records,
// is a second copy. So no separate set of applied ids grows with the events, and a copy is
// caught however late it comes. Parked refunds expire: ReadSnapshot returns up to
// kMaxExpiredParkings sales whose refunds were parked longer than the retention, and the plan
// releases and dead-letters those refunds.
// NOTE: expiry runs with the polled batches, so while the sales topic receives nothing an
// expired parking waits for the next batch.
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
#include "consumer/retention.h"
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

// Expired parkings that one snapshot returns, so that one batch never carries many of them.
inline constexpr int kMaxExpiredParkings = 100;

class IncentiveStore {
 public:
  // `redis_namespace` is CommonConfig::redis_namespace; `retention` sets how long a refund may
  // stay parked.
  IncentiveStore(redis::Pool& redis, const std::string& redis_namespace,
                 consumer::RetentionOptions retention = {});

  // Key of the consumer offsets hash (see consumer/offset_store.h).
  std::string offsets_key() const { return prefix_ + "offsets"; }

  // Reads the applied ids, sale accounts and parked refunds that `request` names, and the
  // parkings older than the retention.
  absl::StatusOr<Snapshot> ReadSnapshot(const SnapshotRequest& request);

  // Gives the current time as the parking time of every parked sale id without one, which
  // releases before parked_since left behind. Returns how many it added. Run at start-up.
  absl::StatusOr<int64_t> BackfillParkingTimes();

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
  const consumer::RetentionOptions retention_;
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
