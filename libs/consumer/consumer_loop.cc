#include "consumer/consumer_loop.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace consort::consumer {
namespace {

// Store attempts after which a batch that keeps conflicting waits with backoff between tries.
constexpr int kImmediateConflictRetries = 5;

// Event time to stored state: from 10 ms for live events to a day for a replayed backlog.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400};
  return *buckets;
}

}  // namespace

std::map<std::string, std::string> GroupMembershipOverrides(const std::string& instance_id) {
  std::map<std::string, std::string> overrides = {{"session.timeout.ms", "10000"},
                                                  {"fetch.wait.max.ms", "100"}};
  if (!instance_id.empty()) overrides["group.instance.id"] = instance_id;
  return overrides;
}

ConsumerLoop::ConsumerLoop(kafka::Consumer* consumer, DeadLetterSink& dead_letters,
                           prometheus::Registry& registry, ConsumerLoopOptions options)
    : consumer_(consumer),
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
                   .Help("Time from an event's event time to the stored state change that "
                         "includes it.")
                   .Register(registry)),
      log_limiter_(3, std::chrono::seconds(10)) {
  for (const std::string& topic : options_.topics) {
    consumed_.Add({{"topic", topic}});
    Latency(topic);
    for (const std::string& reason : options_.rejection_reasons) {
      rejected_.Add({{"topic", topic}, {"reason", reason}});
    }
  }
}

ConsumerLoop::~ConsumerLoop() { Stop(); }

void ConsumerLoop::Start(BatchHandler handler) {
  thread_ = std::thread([this, handler = std::move(handler)] { Run(handler); });
}

void ConsumerLoop::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
  if (consumer_ != nullptr && !closed_) {
    consumer_->Close();
    closed_ = true;
  }
}

void ConsumerLoop::Run(const BatchHandler& handler) {
  spdlog::info("msg=\"event consumer started\" consumer={} batch_size={}", options_.name,
               options_.batch_size);
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

    absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> offsets = handler(*batch);
    if (!offsets.ok()) break;  // Stopped while waiting for a dependency; the batch is re-read.
    consumer_->MarkProcessed(*offsets);
  }
  spdlog::info("msg=\"event consumer stopped\" consumer={}", options_.name);
}

bool ConsumerLoop::Backoff(absl::Duration& backoff) {
  const bool stopped = stop_.WaitForNotificationWithTimeout(backoff);
  backoff = std::min(backoff * 2, options_.max_backoff);
  return !stopped;
}

std::optional<absl::StatusOr<ContractTerms>> ConsumerLoop::ResolveContract(
    const std::function<absl::StatusOr<ContractTerms>()>& lookup, const std::string& what) {
  absl::Duration backoff = options_.min_backoff;
  while (true) {
    absl::StatusOr<ContractTerms> terms = lookup();
    if (terms.ok() || !IsTransient(terms.status())) return terms;

    int64_t suppressed = 0;
    if (log_limiter_.Allow("contract", suppressed)) {
      spdlog::warn(
          "msg=\"contract service unreachable; consumer paused\" look_up={} error={} "
          "suppressed={}",
          Quote(what), Quote(terms.status().ToString()), suppressed);
    }
    if (!Backoff(backoff)) return std::nullopt;
  }
}

bool ConsumerLoop::DeadLetter(const std::vector<kafka::Message>& batch,
                              const std::vector<Rejection>& rejections) {
  for (const Rejection& rejection : rejections) {
    const kafka::Message& message = batch[rejection.message_index];
    absl::Duration backoff = options_.min_backoff;
    while (true) {
      absl::Status status = dead_letters_.Send(message, rejection.message);
      if (status.ok()) break;
      int64_t suppressed = 0;
      if (log_limiter_.Allow("deadletter", suppressed)) {
        spdlog::error(
            "msg=\"sending to the dead-letter topic failed; retrying\" topic={} "
            "partition={} offset={} error={} suppressed={}",
            message.topic, message.partition, message.offset, Quote(status.ToString()), suppressed);
      }
      if (!Backoff(backoff)) return false;
    }

    rejected_.Add({{"topic", message.topic}, {"reason", rejection.reason}}).Increment();
    ++dead_lettered_;
    int64_t suppressed = 0;
    if (log_limiter_.Allow("rejected", suppressed)) {
      spdlog::warn(
          "msg=\"event dead-lettered\" topic={} partition={} offset={} reason={} "
          "detail={} suppressed={}",
          message.topic, message.partition, message.offset, rejection.reason,
          Quote(rejection.message), suppressed);
    }
  }
  return true;
}

bool ConsumerLoop::RetryStore(const std::function<absl::Status()>& attempt, size_t batch_messages) {
  absl::Duration backoff = options_.min_backoff;
  for (int attempt_number = 1;; ++attempt_number) {
    absl::Status status = attempt();
    if (status.ok()) return true;
    if (status.code() == absl::StatusCode::kCancelled) return false;

    int64_t suppressed = 0;
    if (log_limiter_.Allow(absl::StrCat("store:", status.code()), suppressed)) {
      spdlog::warn(
          "msg=\"storing a batch failed; retrying\" attempt={} messages={} error={} "
          "suppressed={}",
          attempt_number, batch_messages, Quote(status.ToString()), suppressed);
    }
    if (status.code() == absl::StatusCode::kAborted && attempt_number < kImmediateConflictRetries) {
      continue;
    }
    if (!Backoff(backoff)) return false;
  }
}

void ConsumerLoop::CountConsumed(const std::vector<kafka::Message>& batch) {
  absl::flat_hash_map<std::string, int64_t> consumed_by_topic;
  for (const kafka::Message& message : batch) ++consumed_by_topic[message.topic];
  for (const auto& [topic, count] : consumed_by_topic) {
    consumed_.Add({{"topic", topic}}).Increment(static_cast<double>(count));
  }
}

void ConsumerLoop::ObserveLatency(const std::string& topic, absl::Time event_time,
                                  absl::Time stored_at) {
  const double seconds = absl::ToDoubleSeconds(stored_at - event_time);
  Latency(topic).Observe(std::max(seconds, 0.0));
}

prometheus::Histogram& ConsumerLoop::Latency(const std::string& topic) {
  return latency_.Add({{"topic", topic}}, LatencyBuckets());
}

}  // namespace consort::consumer
