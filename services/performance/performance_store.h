#pragma once

// The performance service's Redis state. Every key starts with `<namespace>performance:`:
//
//   sc:<period>:<partner_id>      hash, the totals of one scorecard (see ScorecardTotals)
//   orders:<period>:<partner_id>  set of the order ids counted in the scorecard's orders
//   dedup:<partner_id>            sorted set of the partner's applied event ids, "s:<sale_id>"
//                                 for sales and refunds and "f:<feedback_id>" for feedback,
//                                 scored by the Unix milliseconds at which they were applied.
//                                 An id older than the retention no longer counts. Each commit
//                                 trims such ids from the sets it writes, and a set expires one
//                                 retention after its last write
//   seen:<partner_id>             set of applied event ids written by releases before the
//                                 dedup sorted sets; still read, never written (see README)
//   index                         sorted set of "<period> <partner_id>" (all scores 0), which
//                                 orders scorecards by period, then partner id, for paging
//   offsets                       hash "topic:partition" -> next offset to consume
//   outbox                        stream of ScoreEvents that libs/outbox relays to Kafka
//
// The consumer reads what a batch needs with ReadSnapshot and computes the new totals in C++.
// Commit then runs one Lua script that first checks that no scorecard changed and no event was
// applied since the snapshot. It then updates every scorecard, records the event ids, trims the
// ids older than the retention, appends the score events to the outbox and advances the
// offsets, all or nothing.
//
// Duplicates: the partner service publishes a sale id once (it returns DUPLICATE to a second
// report), so a second copy on the topic comes from the outbox relay sending an entry again
// after a crash or a failed acknowledgement. That happens when the relay restarts, or after
// 30 seconds when another replica claims the entry. The retention (7 days by default) covers
// such a resend even after a long outage. A copy that arrives later than the retention after
// the first one was applied is counted again.
//
// Thread safety: every method may be called from any thread; the pool serializes connections.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "consumer/retention.h"
#include "performance/aggregation.h"
#include "redis/redis_client.h"

namespace consort::performance {

// Identifies one scorecard.
struct ScorecardKey {
  std::string period;
  std::string partner_id;

  friend bool operator==(const ScorecardKey&, const ScorecardKey&) = default;
  friend bool operator<(const ScorecardKey& a, const ScorecardKey& b) {
    return std::tie(a.period, a.partner_id) < std::tie(b.period, b.partner_id);
  }
  template <typename H>
  friend H AbslHashValue(H state, const ScorecardKey& key) {
    return H::combine(std::move(state), key.period, key.partner_id);
  }
};

// The scorecards, event ids and order ids that ReadSnapshot fetches for one batch.
struct SnapshotRequest {
  std::vector<ScorecardKey> scorecards;
  // Event ids ("s:<sale_id>", "f:<feedback_id>") per partner.
  absl::flat_hash_map<std::string, std::vector<std::string>> event_ids;
  // Non-empty order ids per scorecard.
  absl::flat_hash_map<ScorecardKey, std::vector<std::string>> order_ids;
};

// The stored state that a batch builds on.
struct Snapshot {
  // One entry per requested scorecard; version 0, with period and partner set, when absent.
  absl::flat_hash_map<ScorecardKey, ScorecardTotals> scorecards;
  // (partner_id, event id) pairs applied within the retention, or recorded by an older release.
  absl::flat_hash_set<std::pair<std::string, std::string>> seen_events;
  // (scorecard, order id) pairs already counted.
  absl::flat_hash_set<std::pair<ScorecardKey, std::string>> known_orders;
};

// The change of one scorecard by one batch.
struct ScorecardWrite {
  // New totals; totals.version is expected_version + 1.
  ScorecardTotals totals;
  int64_t expected_version = 0;
  // Event ids applied to this scorecard, recorded in the partner's dedup set.
  std::vector<std::string> event_ids;
  // Order ids counted for the first time.
  std::vector<std::string> new_order_ids;
  // Serialized consort.events.v1.ScoreEvent for the outbox.
  std::string score_event;
};

// One scorecard page in (period, partner_id) order.
struct ScorecardPage {
  std::vector<ScorecardTotals> scorecards;
  // Opaque token of the last scorecard, or empty on the last page.
  std::string next_page_token;
};

class PerformanceStore {
 public:
  // `redis_namespace` is CommonConfig::redis_namespace; `scores_topic` is the topic written into
  // each outbox entry; `retention` sets how long an applied event id is kept.
  PerformanceStore(redis::Pool& redis, const std::string& redis_namespace,
                   std::string scores_topic, consumer::RetentionOptions retention = {});

  // Key of the outbox stream that the relay drains.
  std::string outbox_key() const { return prefix_ + "outbox"; }

  // Key of the consumer offsets hash (see consumer/offset_store.h).
  std::string offsets_key() const { return prefix_ + "offsets"; }

  absl::StatusOr<Snapshot> ReadSnapshot(const SnapshotRequest& request);

  // Applies `writes` and stores `offsets` ("topic:partition" -> next offset; an offset never moves
  // backwards) in one script. Returns the number of applied event ids that it removed because
  // they were older than the retention. Returns ABORTED, changing nothing, when a scorecard's
  // version differs from its expected_version or an event id is already recorded: the caller
  // then reads a new snapshot and computes the batch again.
  absl::StatusOr<int64_t> Commit(const std::vector<ScorecardWrite>& writes,
                                 const std::vector<std::pair<std::string, int64_t>>& offsets);

  // Returns the stored next offset per "topic:partition".
  absl::StatusOr<std::map<std::string, int64_t>> LoadOffsets();

  // Returns NOT_FOUND when the partner has no scorecard for the period.
  absl::StatusOr<ScorecardTotals> GetScorecard(const std::string& partner_id,
                                               const std::string& period);

  // Returns every scorecard of `period`, ordered by partner id.
  absl::StatusOr<std::vector<ScorecardTotals>> ListPeriod(const std::string& period);

  // Returns up to `page_size` scorecards after `page_token` (empty for the first page), of
  // `period` only when it is not empty. An invalid token is INVALID_ARGUMENT.
  absl::StatusOr<ScorecardPage> ListScorecards(const std::string& period, int page_size,
                                               const std::string& page_token);

 private:
  std::string ScorecardHashKey(const ScorecardKey& key) const;
  absl::StatusOr<std::vector<ScorecardTotals>> ReadScorecards(const std::vector<ScorecardKey>& keys,
                                                              bool skip_missing);

  redis::Pool& redis_;
  const std::string prefix_;
  const std::string scores_topic_;
  const consumer::RetentionOptions retention_;
  redis::Script commit_script_;
};

// Parses the hash of a stored scorecard. Fails with INTERNAL on a malformed field.
absl::StatusOr<ScorecardTotals> ParseScorecardHash(const ScorecardKey& key,
                                                   const redis::Reply& hash);

// Page tokens: the "<period> <partner_id>" index member, base64url-encoded.
std::string EncodePageToken(const ScorecardKey& key);
absl::StatusOr<ScorecardKey> DecodePageToken(const std::string& token);

}  // namespace consort::performance
