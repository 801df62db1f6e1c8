#include "performance/batch_planner.h"

#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "performance/score.h"

namespace consort::performance {
namespace {

// A scorecard while the batch is applied to it.
struct WorkingScorecard {
  ScorecardTotals totals;
  int64_t expected_version = 0;
  std::vector<std::string> event_ids;
  std::vector<std::string> new_order_ids;
};

ScorecardKey KeyOf(const ScorableEvent& event) { return {event.period, event.partner_id}; }

std::string BuildScoreEvent(const ScorecardTotals& totals, absl::Time now) {
  events::v1::ScoreEvent event;
  events::v1::EventMeta& meta = *event.mutable_meta();
  meta.set_event_id(NewEventId());
  *meta.mutable_event_time() = ToProtoTimestamp(now);
  *meta.mutable_record_time() = ToProtoTimestamp(now);
  meta.set_producer("performance");
  event.set_partner_id(totals.partner_id);
  event.set_period(totals.period);
  event.set_version(totals.version);
  event.set_currency(totals.currency);
  event.set_net_sales_minor(totals.net_minor());
  event.set_target_minor(totals.target_minor);
  event.set_orders(totals.orders);
  event.set_feedback_count(totals.feedback_count);
  event.set_complaints(totals.complaints);
  event.set_score(ComputeScore(totals).score);
  return event.SerializeAsString();
}

// Applies one event to `card`, all or nothing. Returns the rejection reason label and message
// when the event cannot be applied.
std::optional<std::pair<std::string, std::string>> Apply(const ScorableEvent& event, bool new_order,
                                                         WorkingScorecard& card) {
  ScorecardTotals updated = card.totals;
  const bool moves_money = event.kind != ScorableEvent::Kind::kFeedback;
  if (updated.currency.empty()) {
    updated.currency = event.contract.currency;
    updated.contract_id = event.contract.contract_id;
    updated.target_minor = event.contract.monthly_target_minor;
  }
  if (moves_money) {
    if (updated.currency != event.contract.currency) {
      return std::pair{
          std::string("currency_mismatch"),
          absl::StrCat("the scorecard of ", event.partner_id, " for ", event.period, " is in ",
                       updated.currency, " but the sale is in ", event.contract.currency)};
    }
    // The sale's own contract sets the target from now on.
    updated.contract_id = event.contract.contract_id;
    updated.target_minor = event.contract.monthly_target_minor;
  }

  absl::Status status;
  switch (event.kind) {
    case ScorableEvent::Kind::kSale:
      status = ApplySale(updated, event.amount_minor, event.quantity, new_order);
      break;
    case ScorableEvent::Kind::kRefund:
      status = ApplyRefund(updated, event.amount_minor);
      break;
    case ScorableEvent::Kind::kFeedback:
      status = ApplyFeedback(updated, event.rating, event.complaint);
      break;
  }
  if (!status.ok()) return std::pair{std::string("out_of_range"), std::string(status.message())};
  card.totals = std::move(updated);
  return std::nullopt;
}

}  // namespace

SnapshotRequest PlanSnapshot(const std::vector<ScorableEvent>& events) {
  SnapshotRequest request;
  absl::flat_hash_set<ScorecardKey> keys;
  for (const ScorableEvent& event : events) {
    ScorecardKey key = KeyOf(event);
    if (keys.insert(key).second) request.scorecards.push_back(key);
    request.event_ids[event.partner_id].push_back(event.event_id);
    if (event.kind == ScorableEvent::Kind::kSale && !event.order_id.empty()) {
      request.order_ids[key].push_back(event.order_id);
    }
  }
  return request;
}

BatchPlan PlanBatch(const std::vector<ScorableEvent>& events, const Snapshot& snapshot,
                    absl::Time now) {
  BatchPlan plan;
  std::map<ScorecardKey, WorkingScorecard> cards;
  absl::flat_hash_set<std::pair<std::string, std::string>> applied_ids;
  absl::flat_hash_set<std::pair<ScorecardKey, std::string>> counted_orders;

  for (size_t i = 0; i < events.size(); ++i) {
    const ScorableEvent& event = events[i];
    std::pair<std::string, std::string> id{event.partner_id, event.event_id};
    if (snapshot.seen_events.contains(id) || applied_ids.contains(id)) {
      plan.duplicates.push_back(i);
      continue;
    }

    ScorecardKey key = KeyOf(event);
    auto [entry, inserted] = cards.try_emplace(key);
    WorkingScorecard& card = entry->second;
    if (inserted) {
      auto stored = snapshot.scorecards.find(key);
      if (stored != snapshot.scorecards.end()) card.totals = stored->second;
      card.totals.period = key.period;
      card.totals.partner_id = key.partner_id;
      card.expected_version = card.totals.version;
    }

    bool new_order = true;
    std::pair<ScorecardKey, std::string> order{key, event.order_id};
    if (event.kind == ScorableEvent::Kind::kSale && !event.order_id.empty()) {
      new_order = !snapshot.known_orders.contains(order) && !counted_orders.contains(order);
    }

    if (auto rejection = Apply(event, new_order, card)) {
      plan.rejected.push_back({event.message_index, rejection->first, rejection->second});
      continue;
    }
    applied_ids.insert(std::move(id));
    card.event_ids.push_back(event.event_id);
    if (event.kind == ScorableEvent::Kind::kSale && !event.order_id.empty() && new_order) {
      counted_orders.insert(order);
      card.new_order_ids.push_back(event.order_id);
    }
    plan.applied.push_back(i);
  }

  for (auto& [key, card] : cards) {
    if (card.event_ids.empty()) continue;
    ScorecardWrite write;
    write.totals = std::move(card.totals);
    write.totals.version = card.expected_version + 1;
    write.totals.update_time = now;
    write.expected_version = card.expected_version;
    write.event_ids = std::move(card.event_ids);
    write.new_order_ids = std::move(card.new_order_ids);
    write.score_event = BuildScoreEvent(write.totals, now);
    plan.writes.push_back(std::move(write));
  }
  return plan;
}

}  // namespace consort::performance
