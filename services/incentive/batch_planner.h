#pragma once

// Turns one polled batch of checked sales and refunds into the incentive service's writes.
// PlanSnapshot names the stored state that the batch needs. Given that state, PlanBatch computes
// the accrual lines, the new per-sale accounts, the changes of the per partner and month totals,
// and the refunds to park until their sale arrives. An event applied before, in the stored state
// or earlier in the batch, changes nothing. A sale counts as applied when its account is stored,
// and a refund when its sale's account records the refund id, so a second copy is caught for as
// long as the account exists. Ids in the applied set of older releases count too.
//
// A refund whose sale is unknown is parked: stored with its original message, and applied when
// the sale arrives in a later batch (or later in the same one), in the order the refunds were
// parked. This happens when the partner service's outbox relay re-sends a sale after a crash, so
// that its refund reaches the topic first. A refund that waited longer than the retention (its
// sale was dead-lettered, say) is released and rejected with the reason "parking_expired", so it
// goes to the dead-letter topic. Once the sale is stored, the refund can be published again.
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
  // Ids of the refunds applied to the sale.
  absl::flat_hash_set<std::string> refund_ids = {};
};

// A refund waiting for its sale, as read back from Redis.
struct ParkedRefund {
  std::string refund_id;
  std::string record;
};

// The stored state that ReadSnapshot fetches for one batch.
struct SnapshotRequest {
  // Sale and refund ids of the batch, checked against the applied set of older releases.
  std::vector<std::string> event_ids;
  // Sales of the batch, checked for a stored account.
  std::vector<std::string> sale_ids;
  // Sales whose stored state refunds of the batch need.
  std::vector<std::string> refunded_sale_ids;
  // Sales of the batch and sales named by refunds, checked for parked refunds.
  std::vector<std::string> parking_sale_ids;
};

// The stored state that a batch builds on.
struct Snapshot {
  // Ids of the batch that the applied set of older releases records.
  absl::flat_hash_set<std::string> applied_ids;
  // Sales of the batch whose account is stored.
  absl::flat_hash_set<std::string> stored_sale_ids;
  // Accounts of the sales that refunds of the batch name.
  absl::flat_hash_map<std::string, StoredSale> sales;
  // Parked refunds per original sale id, in the order they were parked.
  absl::flat_hash_map<std::string, std::vector<ParkedRefund>> parked;
  // Sales whose refunds were parked longer than the retention; their refunds are in `parked`.
  std::vector<std::string> expired_parkings;
};

// A sale account to store. sale.version is expected_version + 1.
struct SaleWrite {
  StoredSale sale;
  // 0 for a sale seen for the first time.
  int64_t expected_version = 0;
  // Refunds applied to the sale by the batch, added to its stored refund ids.
  std::vector<std::string> new_refund_ids = {};
};

struct ParkingWrite {
  std::string original_sale_id;
  std::string refund_id;
  std::string record;
};

// Parked refunds of a sale that the batch applied, rejected or expired, all of them.
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
  // Ids of the sales and refunds applied by the batch, in order.
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

// Reason label of a parked refund whose sale did not arrive within the retention.
inline constexpr char kParkingExpiredReason[] = "parking_expired";

SnapshotRequest PlanSnapshot(const std::vector<AccrualEvent>& events);

// Accrues `events` in order. `parked_events` are the decoded refunds of snapshot.parked, keyed by
// their original sale id and in parking order. A parked refund that no longer decodes is missing
// from them, so the caller rejects it, and the release of its sale removes it from Redis.
BatchPlan PlanBatch(
    const std::vector<AccrualEvent>& events,
    const absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked_events,
    const Snapshot& snapshot);

}  // namespace consort::incentive
