#include "performance/event_consumer.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/logging.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "performance/aggregation.h"
#include "performance/event_validation.h"
#include "spdlog/spdlog.h"

namespace consort::performance {
namespace {

using consort::events::v1::FeedbackEvent;
using consort::events::v1::SaleEvent;

// Commit retries after which a batch that keeps conflicting waits with backoff between tries.
constexpr int kImmediateConflictRetries = 5;

// Event time to scorecard update: from 10 ms for live events to a day for a replayed backlog.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400};
  return *buckets;
}

}  // namespace

KafkaDeadLetterSink::KafkaDeadLetterSink(kafka::Producer& producer, std::string topic,
                                         absl::Duration timeout)
    : producer_(producer), topic_(std::move(topic)), timeout_(timeout) {}

absl::Status KafkaDeadLetterSink::Send(const kafka::Message& message, const std::string& reason) {
  // TODO: use kafka::SendToDeadLetter once libs/kafka provides it, so that every service writes
  // the same headers.
  std::vector<std::pair<std::string, std::string>> headers = {
      {"consort-deadletter-reason", reason},
      {"consort-original-topic", message.topic},
      {"consort-original-partition", absl::StrCat(message.partition)},
      {"consort-original-offset", absl::StrCat(message.offset)},
      {"consort-consumer", "performance"},
  };

  absl::Mutex mu;
  bool done = false;
  absl::Status delivery;
  absl::Status queued =
      producer_.Produce(topic_, message.key, message.payload, std::move(headers),
                        [&](absl::Status status) {
                          absl::MutexLock lock(&mu);
                          delivery = std::move(status);
                          done = true;
                        });
  if (!queued.ok()) return queued;

  absl::MutexLock lock(&mu);
  if (!mu.AwaitWithTimeout(absl::Condition(&done), timeout_)) {
    // The callback still refers to the locals, so wait for it without a limit: librdkafka calls
    // it after message.timeout.ms at the latest.
    mu.Await(absl::Condition(&done));
  }
  return delivery;
}

std::string OffsetField(const std::string& topic, int32_t partition) {
  return absl::StrCat(topic, ":", partition);
}

absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> RedisOffsetStore::Load(
    const std::vector<kafka::TopicPartition>& partitions) {
  absl::StatusOr<std::map<std::string, int64_t>> stored = store_.LoadOffsets();
  if (!stored.ok()) return stored.status();
  std::map<kafka::TopicPartition, int64_t> offsets;
  for (const kafka::TopicPartition& partition : partitions) {
    auto found = stored->find(OffsetField(partition.first, partition.second));
    if (found != stored->end()) offsets[partition] = found->second;
  }
  return offsets;
}

EventConsumer::EventConsumer(kafka::Consumer* consumer, ContractLookup& contracts,
                             PerformanceStore& store, DeadLetterSink& dead_letters,
                             prometheus::Registry& registry, EventConsumerOptions options)
    : consumer_(consumer),
      contracts_(contracts),
      store_(store),
      dead_letters_(dead_letters),
      options_(std::move(options)),
      consumed_(prometheus::BuildCounter()
                    .Name("consort_events_consumed_total")
                    .Help("Events read from Kafka and stored: applied, duplicate or rejected.")
                    .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("consort_events_rejected_total")
                    .Help("Events sent to the dead-letter topic, by reason.")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("consort_event_processing_latency_seconds")
                   .Help("Time from an event's event time to the scorecard update that "
                         "includes it.")
                   .Register(registry)),
      complaints_(prometheus::BuildCounter()
                      .Name("consort_complaints_total")
                      .Help("Complaints applied to scorecards.")
                      .Register(registry)
                      .Add({})),
      log_limiter_(3, std::chrono::seconds(10)) {}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Start() { thread_ = std::thread([this] { Run(); }); }

void EventConsumer::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
  if (consumer_ != nullptr) consumer_->Close();
}

void EventConsumer::Run() {
  spdlog::info("msg=\"event consumer started\" sales_topic={} feedback_topic={} batch_size={}",
               options_.sales_topic, options_.feedback_topic, options_.batch_size);
  absl::Duration backoff = options_.min_backoff;
  while (!stop_.HasBeenNotified()) {
    absl::StatusOr<std::vector<kafka::Message>> batch =
        consumer_->Poll(options_.batch_size, options_.poll_timeout);
    if (!batch.ok()) {
      int64_t suppressed = 0;
      if (log_limiter_.Allow("poll", suppressed)) {
        spdlog::error("msg=\"polling Kafka failed\" error={} suppressed={}",
                      Quote(batch.status().ToString()), suppressed);
      }
      if (!Backoff(backoff)) break;
      continue;
    }
    backoff = options_.min_backoff;
    if (batch->empty()) continue;

    absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> offsets = ProcessBatch(*batch);
    if (!offsets.ok()) break;  // Stopped while waiting for a dependency; the batch is re-read.
    consumer_->MarkProcessed(*offsets);
  }
  spdlog::info("msg=\"event consumer stopped\"");
}

bool EventConsumer::Backoff(absl::Duration& backoff) {
  const bool stopped = stop_.WaitForNotificationWithTimeout(backoff);
  backoff = std::min(backoff * 2, options_.max_backoff);
  return !stopped;
}

absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> EventConsumer::ProcessBatch(
    const std::vector<kafka::Message>& batch) {
  std::map<kafka::TopicPartition, int64_t> next_offsets;
  for (const kafka::Message& message : batch) {
    int64_t& next = next_offsets[{message.topic, message.partition}];
    next = std::max(next, message.offset + 1);
  }
  std::vector<std::pair<std::string, int64_t>> offset_fields;
  for (const auto& [partition, offset] : next_offsets) {
    offset_fields.emplace_back(OffsetField(partition.first, partition.second), offset);
  }

  Decoded decoded;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!Decode(batch[i], i, decoded)) return absl::CancelledError("stopped");
  }
  if (!DeadLetter(batch, decoded.rejected)) return absl::CancelledError("stopped");

  // Recompute from a fresh snapshot until the commit finds the state it was computed from.
  const SnapshotRequest request = PlanSnapshot(decoded.events);
  absl::Duration backoff = options_.min_backoff;
  absl::flat_hash_set<size_t> sent;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<Snapshot> snapshot = store_.ReadSnapshot(request);
    absl::Status status = snapshot.status();
    if (status.ok()) {
      BatchPlan plan = PlanBatch(decoded.events, *snapshot, absl::Now());
      // A rejection found on an earlier attempt was sent already.
      std::vector<PlannedRejection> fresh;
      for (PlannedRejection& rejection : plan.rejected) {
        if (sent.insert(rejection.message_index).second) fresh.push_back(std::move(rejection));
      }
      if (!DeadLetter(batch, fresh)) return absl::CancelledError("stopped");

      status = store_.Commit(plan.writes, offset_fields);
      if (status.ok()) {
        RecordApplied(batch, decoded.events, plan);
        return next_offsets;
      }
    }

    int64_t suppressed = 0;
    if (log_limiter_.Allow(absl::StrCat("store:", status.code()), suppressed)) {
      spdlog::warn("msg=\"storing a batch failed; retrying\" attempt={} messages={} error={} "
                   "suppressed={}",
                   attempt, batch.size(), Quote(status.ToString()), suppressed);
    }
    if (status.code() == absl::StatusCode::kAborted && attempt < kImmediateConflictRetries) {
      continue;
    }
    if (!Backoff(backoff)) return absl::CancelledError("stopped");
  }
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

  std::optional<absl::StatusOr<ContractTerms>> contract = ResolveContract(
      [&] { return contracts_.GetContract(sale.contract_id()); },
      absl::StrCat("contract ", sale.contract_id()));
  if (!contract.has_value()) return false;
  if (!contract->ok()) {
    decoded.rejected.push_back({index, "unknown_contract", std::string(contract->status().message())});
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

bool EventConsumer::DecodeFeedback(const kafka::Message& message, size_t index,
                                   Decoded& decoded) {
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

  std::optional<absl::StatusOr<ContractTerms>> contract = ResolveContract(
      [&] { return contracts_.GetActiveContract(feedback.partner_id()); },
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

std::optional<absl::StatusOr<ContractTerms>> EventConsumer::ResolveContract(
    const std::function<absl::StatusOr<ContractTerms>()>& lookup, const std::string& what) {
  absl::Duration backoff = options_.min_backoff;
  while (true) {
    absl::StatusOr<ContractTerms> terms = lookup();
    if (terms.ok() || !IsTransient(terms.status())) return terms;

    int64_t suppressed = 0;
    if (log_limiter_.Allow("contract", suppressed)) {
      spdlog::warn("msg=\"contract service unreachable; consumer paused\" look_up={} error={} "
                   "suppressed={}",
                   Quote(what), Quote(terms.status().ToString()), suppressed);
    }
    if (!Backoff(backoff)) return std::nullopt;
  }
}

bool EventConsumer::DeadLetter(const std::vector<kafka::Message>& batch,
                               const std::vector<PlannedRejection>& rejected) {
  for (const PlannedRejection& rejection : rejected) {
    const kafka::Message& message = batch[rejection.message_index];
    absl::Duration backoff = options_.min_backoff;
    while (true) {
      absl::Status status = dead_letters_.Send(message, rejection.message);
      if (status.ok()) break;
      int64_t suppressed = 0;
      if (log_limiter_.Allow("deadletter", suppressed)) {
        spdlog::error("msg=\"sending to the dead-letter topic failed; retrying\" topic={} "
                      "partition={} offset={} error={} suppressed={}",
                      message.topic, message.partition, message.offset,
                      Quote(status.ToString()), suppressed);
      }
      if (!Backoff(backoff)) return false;
    }

    rejected_.Add({{"topic", message.topic}, {"reason", rejection.reason}}).Increment();
    ++dead_lettered_;
    int64_t suppressed = 0;
    if (log_limiter_.Allow("rejected", suppressed)) {
      spdlog::warn("msg=\"event dead-lettered\" topic={} partition={} offset={} reason={} "
                   "detail={} suppressed={}",
                   message.topic, message.partition, message.offset, rejection.reason,
                   Quote(rejection.message), suppressed);
    }
  }
  return true;
}

void EventConsumer::RecordApplied(const std::vector<kafka::Message>& batch,
                                  const std::vector<ScorableEvent>& events,
                                  const BatchPlan& plan) {
  absl::flat_hash_map<std::string, int64_t> consumed_by_topic;
  for (const kafka::Message& message : batch) ++consumed_by_topic[message.topic];
  for (const auto& [topic, count] : consumed_by_topic) {
    consumed_.Add({{"topic", topic}}).Increment(static_cast<double>(count));
  }

  const absl::Time now = absl::Now();
  prometheus::Histogram& sales_latency =
      latency_.Add({{"topic", options_.sales_topic}}, LatencyBuckets());
  prometheus::Histogram& feedback_latency =
      latency_.Add({{"topic", options_.feedback_topic}}, LatencyBuckets());
  for (size_t index : plan.applied) {
    const ScorableEvent& event = events[index];
    const bool feedback = event.kind == ScorableEvent::Kind::kFeedback;
    const double seconds = absl::ToDoubleSeconds(now - event.event_time);
    (feedback ? feedback_latency : sales_latency).Observe(std::max(seconds, 0.0));
    if (feedback && event.complaint) complaints_.Increment();
  }
}

}  // namespace consort::performance
