#pragma once

// The incentive service's consumer of consort.sales.v1. The shared consumer::ConsumerLoop polls
// batches from the Kafka consumer group. For each batch this class decodes and checks every sale
// and refund, finds its contract (rate, currency and time zone) and plans the accrual lines with
// PlanBatch. It stores lines, sale accounts, totals, parked refunds and offsets in one Redis
// script, and only then is the batch marked processed. A message that cannot be decoded, fails a
// check or has no usable contract goes to the dead-letter topic, and the consumer moves on. When
// the contract service or Redis cannot be reached, the consumer keeps the batch and retries with
// backoff, because the events themselves are fine.
//
// Metrics: consort_events_consumed_total{topic}, consort_events_rejected_total{topic,reason} (the
// reason "parking_expired" counts refunds parked longer than the retention; each is dead-lettered
// and logged like any rejection) and consort_event_processing_latency_seconds{topic} (event time to accrual) through ConsumerLoop,
// and consort_commissions_accrued_total{currency,kind} in currency units, clawbacks counted as
// positive.
//
// Thread safety: Start and Stop are called by the owning thread; ProcessBatch runs on the consumer
// thread (or a test's thread, without Start); dead_lettered() from any thread.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consumer/consumer_loop.h"
#include "consumer/contract_directory.h"
#include "consumer/dead_letter_sink.h"
#include "incentive/batch_planner.h"
#include "incentive/incentive_store.h"
#include "kafka/consumer.h"
#include "kafka/message.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace consort::incentive {

struct EventConsumerOptions {
  std::string sales_topic = "consort.sales.v1";
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
  EventConsumer(kafka::Consumer* consumer, consumer::ContractLookup& contracts,
                IncentiveStore& store, consumer::DeadLetterSink& dead_letters,
                prometheus::Registry& registry, EventConsumerOptions options);
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
  // Decodes messages[index] into `decoded` or a rejection. Returns false when Stop was called
  // before its contract could be resolved.
  bool Decode(size_t index, const std::vector<kafka::Message>& messages,
              std::vector<AccrualEvent>& decoded, std::vector<consumer::Rejection>& rejected);

  // Decodes the parked refunds of `snapshot`, appending their messages to `messages`. Returns
  // false when stopped.
  bool DecodeParked(const Snapshot& snapshot, std::vector<kafka::Message>& messages,
                    absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked,
                    std::vector<consumer::Rejection>& rejected);

  void RecordApplied(const std::vector<AccrualEvent>& events, const BatchPlan& plan);

  consumer::ContractLookup& contracts_;
  IncentiveStore& store_;
  const EventConsumerOptions options_;
  prometheus::Family<prometheus::Counter>& accrued_;
  consumer::ConsumerLoop loop_;
};

}  // namespace consort::incentive
