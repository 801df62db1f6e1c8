#pragma once

// Turns one polled batch of checked events into scorecard writes: which stored state the batch
// needs (PlanSnapshot), and, given that state, the new totals of every scorecard the batch
// changes, with its score event, its applied event ids and its new order ids (PlanBatch).
// Duplicates, against the stored state and within the batch, change nothing.
//
// Pure logic except for the event ids of the score events; the event consumer calls it once per
// batch and again when the store reports that the state changed underneath.
//
// Thread safety: no shared state.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "consumer/contract_directory.h"
#include "consumer/rejection.h"
#include "performance/performance_store.h"

namespace consort::performance {

using ContractTerms = consumer::ContractTerms;

// One event that passed validation, with the contract that places it in a period.
struct ScorableEvent {
  enum class Kind { kSale, kRefund, kFeedback };

  Kind kind = Kind::kSale;
  // Position of the event's message in the polled batch.
  size_t message_index = 0;
  std::string partner_id;
  // "s:<sale_id>" for sales and refunds, "f:<feedback_id>" for feedback.
  std::string event_id;
  // Month of the event time in the contract's time zone, "YYYY-MM".
  std::string period;
  // Sales only; may be empty.
  std::string order_id;
  // Signed amount in minor units: positive for a sale, negative for a refund, 0 for feedback.
  int64_t amount_minor = 0;
  int64_t quantity = 0;
  int32_t rating = 0;
  bool complaint = false;
  absl::Time event_time;
  ContractTerms contract;
};

// An event of the batch that cannot be applied; its reason label is "currency_mismatch" or
// "out_of_range".
using PlannedRejection = consumer::Rejection;

struct BatchPlan {
  // Ordered by period, then partner id.
  std::vector<ScorecardWrite> writes;
  // Indexes into the event list of the events applied, and of those already applied before.
  std::vector<size_t> applied;
  std::vector<size_t> duplicates;
  std::vector<PlannedRejection> rejected;
};

SnapshotRequest PlanSnapshot(const std::vector<ScorableEvent>& events);

// `now` becomes the update time of every changed scorecard and the event time of its score event.
BatchPlan PlanBatch(const std::vector<ScorableEvent>& events, const Snapshot& snapshot,
                    absl::Time now);

}  // namespace consort::performance
