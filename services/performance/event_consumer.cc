#include "performance/event_consumer.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "consort/events/v1/events.pb.h"
#include "performance/aggregation.h"
#include "performance/event_validation.h"

namespace consort::performance {
namespace {

using consort::events::v1::FeedbackEvent;
using consort::events::v1::SaleEvent;

// Reasons of consort_events_rejected_total, created at start.
const std::vector<std::string>& RejectionReasons() {
  static const auto* reasons = new std::vector<std::string>{
      "undecodable",        "invalid",      "unknown_contract", "currency_mismatch",
      "no_active_contract", "out_of_range", "unknown_topic"};
  return *reasons;
}

consumer::ConsumerLoopOptions LoopOptions(const EventConsumerOptions& options) {
  consumer::ConsumerLoopOptions loop;
  loop.name = "performance";
  loop.topics = {options.sales_topic, options.feedback_topic};
  loop.rejection_reasons = RejectionReasons();
  loop.batch_size = options.batch_size;
  loop.poll_timeout = options.poll_timeout;
  loop.min_backoff = options.min_backoff;
  loop.max_backoff = options.max_backoff;
  return loop;
}

}  // namespace

EventConsumer::EventConsumer(kafka::Consumer* consumer, ContractLookup& contracts,
                             PerformanceStore& store, DeadLetterSink& dead_letters,
                             prometheus::Registry& registry, EventConsumerOptions options)
    : contracts_(contracts),
      store_(store),
      options_(std::move(options)),
      complaints_(prometheus::BuildCounter()
                      .Name("consort_complaints_total")
                      .Help("Complaints applied to scorecards.")
                      .Register(registry)
                      .Add({})),
      dedup_expired_(prometheus::BuildCounter()
                         .Name("consort_dedup_ids_expired_total")
                         .Help("Applied event ids removed from the duplicate check because they "
                               "were older than the retention.")
                         .Register(registry)
                         .Add({})),
      loop_(consumer, dead_letters, registry, LoopOptions(options_)) {}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Start() {
  loop_.Start([this](const std::vector<kafka::Message>& batch) { return ProcessBatch(batch); });
}

void EventConsumer::Stop() { loop_.Stop(); }

absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> EventConsumer::ProcessBatch(
    const std::vector<kafka::Message>& batch) {
  const consumer::BatchOffsets offsets = consumer::NextOffsets(batch);

  Decoded decoded;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!Decode(batch[i], i, decoded)) return absl::CancelledError("stopped");
  }
  if (!loop_.DeadLetter(batch, decoded.rejected)) return absl::CancelledError("stopped");

  // Recompute from a fresh snapshot until the commit finds the state it was computed from.
  const SnapshotRequest request = PlanSnapshot(decoded.events);
  absl::flat_hash_set<size_t> sent;
  const bool stored = loop_.RetryStore(
      [&]() -> absl::Status {
        absl::StatusOr<Snapshot> snapshot = store_.ReadSnapshot(request);
        if (!snapshot.ok()) return snapshot.status();
        BatchPlan plan = PlanBatch(decoded.events, *snapshot, absl::Now());

        // A rejection found on an earlier attempt was sent already.
        std::vector<PlannedRejection> fresh;
        for (PlannedRejection& rejection : plan.rejected) {
          if (sent.insert(rejection.message_index).second) fresh.push_back(std::move(rejection));
        }
        if (!loop_.DeadLetter(batch, fresh)) return absl::CancelledError("stopped");

        absl::StatusOr<int64_t> expired = store_.Commit(plan.writes, offsets.fields);
        if (!expired.ok()) return expired.status();
        dedup_expired_.Increment(static_cast<double>(*expired));
        loop_.CountConsumed(batch);
        RecordApplied(decoded.events, plan);
        return absl::OkStatus();
      },
      batch.size());
  if (!stored) return absl::CancelledError("stopped");
  return offsets.next;
}

bool EventConsumer::Decode(const kafka::Message& message, size_t index, Decoded& decoded) {
  if (message.topic == options_.sales_topic) return DecodeSale(message, index, decoded);
  if (message.topic == options_.feedback_topic) return DecodeFeedback(message, index, decoded);
  decoded.rejected.push_back(
      {index, "unknown_topic", absl::StrCat("the consumer does not read topic ", message.topic)});
  return true;
}

bool EventConsumer::DecodeSale(const kafka::Message& message, size_t index, Decoded& decoded) {
  SaleEvent sale;
  if (!sale.ParseFromString(message.payload)) {
    decoded.rejected.push_back({index, "undecodable", "the payload is not a SaleEvent"});
    return true;
  }
  absl::StatusOr<absl::Time> event_time = ValidateSaleEvent(sale);
  if (!event_time.ok()) {
    decoded.rejected.push_back({index, "invalid", std::string(event_time.status().message())});
    return true;
  }

  std::optional<absl::StatusOr<ContractTerms>> contract =
      loop_.ResolveContract([&] { return contracts_.GetContract(sale.contract_id()); },
                            absl::StrCat("contract ", sale.contract_id()));
  if (!contract.has_value()) return false;
  if (!contract->ok()) {
    decoded.rejected.push_back(
        {index, "unknown_contract", std::string(contract->status().message())});
    return true;
  }
  const ContractTerms& terms = **contract;
  if (terms.partner_id != sale.partner_id()) {
    decoded.rejected.push_back({index, "unknown_contract",
                                absl::StrCat("contract ", terms.contract_id, " binds partner ",
                                             terms.partner_id, ", not ", sale.partner_id())});
    return true;
  }
  if (terms.currency != sale.currency()) {
    decoded.rejected.push_back({index, "currency_mismatch",
                                absl::StrCat("the sale is in ", sale.currency(), " but contract ",
                                             terms.contract_id, " is in ", terms.currency)});
    return true;
  }
  absl::StatusOr<std::string> period = MonthLabel(*event_time, terms.time_zone);
  if (!period.ok()) {
    decoded.rejected.push_back({index, "unknown_contract", std::string(period.status().message())});
    return true;
  }

  ScorableEvent event;
  event.kind = sale.kind() == events::v1::SALE_KIND_REFUND ? ScorableEvent::Kind::kRefund
                                                           : ScorableEvent::Kind::kSale;
  event.message_index = index;
  event.partner_id = sale.partner_id();
  event.event_id = absl::StrCat("s:", sale.sale_id());
  event.period = *std::move(period);
  event.order_id = sale.order_id();
  event.amount_minor = sale.amount_minor();
  event.quantity = sale.quantity();
  event.event_time = *event_time;
  event.contract = terms;
  decoded.events.push_back(std::move(event));
  return true;
}

bool EventConsumer::DecodeFeedback(const kafka::Message& message, size_t index, Decoded& decoded) {
  FeedbackEvent feedback;
  if (!feedback.ParseFromString(message.payload)) {
    decoded.rejected.push_back({index, "undecodable", "the payload is not a FeedbackEvent"});
    return true;
  }
  absl::StatusOr<absl::Time> event_time = ValidateFeedbackEvent(feedback);
  if (!event_time.ok()) {
    decoded.rejected.push_back({index, "invalid", std::string(event_time.status().message())});
    return true;
  }

  std::optional<absl::StatusOr<ContractTerms>> contract =
      loop_.ResolveContract([&] { return contracts_.GetActiveContract(feedback.partner_id()); },
                            absl::StrCat("active contract of partner ", feedback.partner_id()));
  if (!contract.has_value()) return false;
  if (!contract->ok()) {
    decoded.rejected.push_back(
        {index, "no_active_contract", std::string(contract->status().message())});
    return true;
  }
  absl::StatusOr<std::string> period = MonthLabel(*event_time, (*contract)->time_zone);
  if (!period.ok()) {
    decoded.rejected.push_back(
        {index, "no_active_contract", std::string(period.status().message())});
    return true;
  }

  ScorableEvent event;
  event.kind = ScorableEvent::Kind::kFeedback;
  event.message_index = index;
  event.partner_id = feedback.partner_id();
  event.event_id = absl::StrCat("f:", feedback.feedback_id());
  event.period = *std::move(period);
  event.rating = feedback.rating();
  event.complaint = feedback.complaint();
  event.event_time = *event_time;
  event.contract = **contract;
  decoded.events.push_back(std::move(event));
  return true;
}

void EventConsumer::RecordApplied(const std::vector<ScorableEvent>& events, const BatchPlan& plan) {
  const absl::Time now = absl::Now();
  for (size_t index : plan.applied) {
    const ScorableEvent& event = events[index];
    const bool feedback = event.kind == ScorableEvent::Kind::kFeedback;
    loop_.ObserveLatency(feedback ? options_.feedback_topic : options_.sales_topic,
                         event.event_time, now);
    if (feedback && event.complaint) complaints_.Increment();
  }
}

}  // namespace consort::performance
