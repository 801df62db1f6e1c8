#pragma once

// Turns one polled batch of checked sales and refunds into the incentive service's writes.
// PlanSnapshot names the stored state that the batch needs. Given that state, PlanBatch computes
// the accrual lines, the new per-sale accounts, the changes of the per partner and month totals,
// and the refunds to park until their sale arrives. An event whose sale id was applied before, in
// the stored state or earlier in the batch, changes nothing.
//
// A refund whose sale is unknown is parked: stored with its original message, and applied when
// the sale arrives in a later batch (or later in the same one), in the order the refunds were
// parked. This happens when the partner service's outbox relay re-sends a sale after a crash, so
// that its refund reaches the topic first.
// NOTE: nothing expires a parked refund. One whose sale never arrives, or whose sale is
// dead-lettered, stays in Redis and adds to no total.
//
// Pure logic; the event consumer calls it once per batch and again when the store reports that
// the state changed underneath. Thread safety: no shared state.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "consort/incentive/v1/incentive.pb.h"
#include "consumer/rejection.h"
#include "incentive/accrual_rule.h"
#include "money/money.h"

namespace consort::incentive {

// One sale or refund that passed validation, placed in its period by its contract.
struct AccrualEvent {
  enum class Kind { kSale, kRefund };

  Kind kind = Kind::kSale;
  // Position of the event's message in the messages the consumer passes to the dead-letter
  // helper: the polled batch, followed by the parked refunds read back from Redis.
  size_t message_index = 0;
  std::string sale_id;
  std::string partner_id;
  // For a refund: the sale it refunds.
  std::string original_sale_id;
  std::string contract_id;
  // ISO 4217 code of the amount.
  std::string currency;
  // Sale amount, or the amount a refund returns; positive, in the currency's minor unit.
  int64_t amount_minor = 0;
  // Month of the event time in the contract's time zone, "YYYY-MM".
  std::string period;
  absl::Time event_time;
  // For a sale: the contract's commission rate. Refunds use the rate stored with their sale.
  money::Rate rate;
  // For a refund: what is stored when it must wait for its sale (see ParkedRefund).
  std::string parking_record;
  // Whether the refund was read back from the parked refunds rather than polled.
  bool from_parking = false;
};

// The stored state of one sale.
struct StoredSale {
  std::string sale_id;
  std::string partner_id;
  std::string contract_id;
  // Month of the sale in its contract's time zone.
  std::string period;
  SaleAccount account;
  // Increases by one with every stored change; the commit checks it.
  int64_t version = 0;
};

// A refund waiting for its sale, as read back from Redis.
struct ParkedRefund {
  std::string refund_id;
  std::string record;
};

// The stored state that ReadSnapshot fetches for one batch.
struct SnapshotRequest {
  // Sale and refund ids of the batch, checked against the applied ids.
  std::vector<std::string> event_ids;
  // Sales whose stored state refunds of the batch need.
  std::vector<std::string> refunded_sale_ids;
  // Sales of the batch and sales named by refunds, checked for parked refunds.
  std::vector<std::string> parking_sale_ids;
};

// The stored state that a batch builds on.
struct Snapshot {
  absl::flat_hash_set<std::string> applied_ids;
  absl::flat_hash_map<std::string, StoredSale> sales;
  // Parked refunds per original sale id, in the order they were parked.
  absl::flat_hash_map<std::string, std::vector<ParkedRefund>> parked;
};

// A sale account to store. sale.version is expected_version + 1.
struct SaleWrite {
  StoredSale sale;
  // 0 for a sale seen for the first time.
  int64_t expected_version = 0;
};

struct ParkingWrite {
  std::string original_sale_id;
  std::string refund_id;
  std::string record;
};

// Parked refunds of a sale that the batch applied or rejected, all of them.
struct ParkingRelease {
  std::string original_sale_id;
  // Number of parked refunds in the snapshot; the commit checks it.
  int64_t expected_count = 0;
};

// Change of one partner's commission total for one month and currency.
struct TotalChange {
  std::string period;
  std::string partner_id;
  std::string currency;
  int64_t delta_minor = 0;
};

struct BatchPlan {
  // Accrual lines in the order they were accrued.
  std::vector<consort::incentive::v1::AccrualLine> lines;
  std::vector<SaleWrite> sale_writes;
  // Ids of the sales and refunds applied by the batch.
  std::vector<std::string> applied_ids;
  std::vector<ParkingWrite> parkings;
  std::vector<ParkingRelease> releases;
  // Ordered by period, partner id and currency.
  std::vector<TotalChange> totals;
  // Indexes into the event list.
  std::vector<size_t> applied;
  std::vector<size_t> duplicates;
  std::vector<size_t> parked;
  std::vector<consumer::Rejection> rejected;
};

SnapshotRequest PlanSnapshot(const std::vector<AccrualEvent>& events);

// Accrues `events` in order. `parked_events` are the decoded refunds of snapshot.parked, keyed by
// their original sale id and in parking order. A parked refund that no longer decodes is missing
// from them, so the caller rejects it, and the release of its sale removes it from Redis.
BatchPlan PlanBatch(
    const std::vector<AccrualEvent>& events,
    const absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked_events,
    const Snapshot& snapshot);

}  // namespace consort::incentive
