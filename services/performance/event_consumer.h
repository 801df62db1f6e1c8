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
// consort_event_processing_latency_seconds{topic} (event time to scorecard update), through the
// shared consumer::ConsumerLoop, consort_complaints_total, and consort_dedup_ids_expired_total
// (applied event ids that commits removed because they were older than the retention).
//
// Thread safety: Start and Stop are called by the owning thread; ProcessBatch runs on the consumer
// thread (or a test's thread, without Start); dead_lettered() from any thread.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consumer/consumer_loop.h"
#include "consumer/contract_directory.h"
#include "consumer/dead_letter_sink.h"
#include "consumer/offset_store.h"
#include "kafka/consumer.h"
#include "kafka/message.h"
#include "performance/batch_planner.h"
#include "performance/performance_store.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace consort::performance {

using ContractLookup = consumer::ContractLookup;
using DeadLetterSink = consumer::DeadLetterSink;
using consumer::OffsetField;

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
  int64_t dead_lettered() const { return loop_.dead_lettered(); }

 private:
  struct Decoded {
    std::vector<ScorableEvent> events;
    // (message index, reason label, message) of the messages to dead-letter.
    std::vector<PlannedRejection> rejected;
  };

  // Returns false when Stop was called before the event could be resolved.
  bool Decode(const kafka::Message& message, size_t index, Decoded& decoded);
  bool DecodeSale(const kafka::Message& message, size_t index, Decoded& decoded);
  bool DecodeFeedback(const kafka::Message& message, size_t index, Decoded& decoded);
  void RecordApplied(const std::vector<ScorableEvent>& events, const BatchPlan& plan);

  ContractLookup& contracts_;
  PerformanceStore& store_;
  const EventConsumerOptions options_;
  prometheus::Counter& complaints_;
  prometheus::Counter& dedup_expired_;
  consumer::ConsumerLoop loop_;
};

}  // namespace consort::performance
