#pragma once

// The performance service's consumer of consort.sales.v1 and consort.feedback.v1. One thread polls
// batches from the Kafka consumer group, decodes and checks each event, finds its contract,
// computes the changed scorecards, and stores them together with the batch's offsets and score
// events in one Redis script; only then does it mark the batch processed. A message that cannot
// be decoded, fails a check or has no usable contract goes to the dead-letter topic, and the
// consumer moves on. When the contract service or Redis cannot be reached, the consumer keeps the
// batch and retries with backoff instead, because the events themselves are fine.
//
// Metrics: consort_events_consumed_total{topic}, consort_events_rejected_total{topic,reason},
// consort_event_processing_latency_seconds{topic} (event time to scorecard update) and
// consort_complaints_total.
//
// Thread safety: Start and Stop are called by the owning thread; ProcessBatch runs on the consumer
// thread (or a test's thread, without Start); dead_lettered() from any thread.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "kafka/consumer.h"
#include "kafka/message.h"
#include "kafka/producer.h"
#include "performance/batch_planner.h"
#include "performance/contract_directory.h"
#include "performance/performance_store.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace consort::performance {

// Where rejected messages go. Send returns once the message is durably on the dead-letter topic,
// so that the consumer may then store the offset past it.
class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  virtual absl::Status Send(const kafka::Message& message, const std::string& reason) = 0;
};

// Sends to the dead-letter topic through a Producer and waits for the broker's acknowledgement.
class KafkaDeadLetterSink : public DeadLetterSink {
 public:
  KafkaDeadLetterSink(kafka::Producer& producer, std::string topic, absl::Duration timeout);
  absl::Status Send(const kafka::Message& message, const std::string& reason) override;

 private:
  kafka::Producer& producer_;
  const std::string topic_;
  const absl::Duration timeout_;
};

// Stores the consumer's offsets in the performance service's Redis state.
class RedisOffsetStore : public kafka::OffsetStore {
 public:
  explicit RedisOffsetStore(PerformanceStore& store) : store_(store) {}
  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> Load(
      const std::vector<kafka::TopicPartition>& partitions) override;

 private:
  PerformanceStore& store_;
};

// "topic:partition", the field of a partition in the stored offsets.
std::string OffsetField(const std::string& topic, int32_t partition);

struct EventConsumerOptions {
  std::string sales_topic = "consort.sales.v1";
  std::string feedback_topic = "consort.feedback.v1";
  // Messages per poll, and so per Redis script.
  size_t batch_size = 5000;
  absl::Duration poll_timeout = absl::Milliseconds(200);
  // First and longest wait between retries while a dependency is unreachable.
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
};

class EventConsumer {
 public:
  // `consumer` may be null for tests that call ProcessBatch directly.
  EventConsumer(kafka::Consumer* consumer, ContractLookup& contracts, PerformanceStore& store,
                DeadLetterSink& dead_letters, prometheus::Registry& registry,
                EventConsumerOptions options);
  ~EventConsumer();

  // Starts the polling thread.
  void Start();

  // Lets the thread finish and store the batch in hand, then closes the Kafka consumer. A batch
  // that waits for an unreachable dependency is abandoned unstored, and is read again on restart.
  void Stop();

  // Applies one batch: dead-letters what cannot be used, stores the rest with the batch's offsets.
  // Returns the next offset per partition, ready for Consumer::MarkProcessed, or CANCELLED when
  // Stop was called while a dependency was unreachable.
  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> ProcessBatch(
      const std::vector<kafka::Message>& batch);

  // Messages sent to the dead-letter topic since start.
  int64_t dead_lettered() const { return dead_lettered_.load(); }

 private:
  struct Decoded {
    std::vector<ScorableEvent> events;
    // (message index, reason label, message) of the messages to dead-letter.
    std::vector<PlannedRejection> rejected;
  };

  void Run();
  // Returns false when Stop was called before the event could be resolved.
  bool Decode(const kafka::Message& message, size_t index, Decoded& decoded);
  bool DecodeSale(const kafka::Message& message, size_t index, Decoded& decoded);
  bool DecodeFeedback(const kafka::Message& message, size_t index, Decoded& decoded);
  // Calls `lookup` until it returns a non-transient result; nullopt when stopped first.
  std::optional<absl::StatusOr<ContractTerms>> ResolveContract(
      const std::function<absl::StatusOr<ContractTerms>()>& lookup, const std::string& what);
  // Sends each rejection once; returns false when stopped while the topic was unreachable.
  bool DeadLetter(const std::vector<kafka::Message>& batch,
                  const std::vector<PlannedRejection>& rejected);
  absl::Status StorePlan(const BatchPlan& plan,
                         const std::vector<std::pair<std::string, int64_t>>& offsets);
  void RecordApplied(const std::vector<kafka::Message>& batch,
                     const std::vector<ScorableEvent>& events, const BatchPlan& plan);
  // Sleeps for the current backoff, doubling it; returns false when Stop was called.
  bool Backoff(absl::Duration& backoff);

  kafka::Consumer* consumer_;
  ContractLookup& contracts_;
  PerformanceStore& store_;
  DeadLetterSink& dead_letters_;
  const EventConsumerOptions options_;

  prometheus::Family<prometheus::Counter>& consumed_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Counter& complaints_;
  LogRateLimiter log_limiter_;

  std::atomic<int64_t> dead_lettered_{0};
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace consort::performance
