#pragma once

// The part of an event consumer that the performance and incentive services share. One thread
// polls batches from a kafka::Consumer and hands each to the service's batch handler, which
// stores the batch's state and offsets atomically. Then the loop marks the batch processed. While
// a dependency (the contract service, Redis, the dead-letter topic) cannot be reached, the
// handler keeps its batch and retries through this class with exponential backoff. Stop
// interrupts that wait, so the batch is abandoned unstored and read again after a restart.
//
// Metrics, registered at construction with a series per consumed topic (and per topic and
// rejection reason) created at 0:
//   consort_events_consumed_total{topic}                 messages of stored batches
//   consort_events_rejected_total{topic,reason}          messages sent to the dead-letter topic
//   consort_event_processing_latency_seconds{topic}      event time to the stored state change
//
// Thread safety: Start and Stop are called by the owning thread. The helpers (Backoff,
// ResolveContract, DeadLetter, RetryStore, the metric updates) run on the polling thread, or on a
// test's thread when the loop was never started. dead_lettered() and stopping() may be called from
// any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "consumer/contract_directory.h"
#include "consumer/dead_letter_sink.h"
#include "consumer/rejection.h"
#include "kafka/consumer.h"
#include "kafka/message.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace consort::consumer {

struct ConsumerLoopOptions {
  // Service name, written into the loop's log lines.
  std::string name;
  // Topics whose metric series are created at start.
  std::vector<std::string> topics;
  // Rejection reasons whose consort_events_rejected_total series are created at start.
  std::vector<std::string> rejection_reasons;
  // Messages per poll, and so per stored batch.
  size_t batch_size = 5000;
  absl::Duration poll_timeout = absl::Milliseconds(200);
  // First and longest wait between retries while a dependency is unreachable.
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
};

// librdkafka properties for a service's group consumer: static group membership under
// `instance_id` (group.instance.id), so that a replica restarted under the same id takes its
// partitions back at once instead of after the old member's session expires, and a session
// timeout of 10 s. Replicas must therefore have distinct instance ids. An empty id leaves the
// membership dynamic. The fetch wait is cut to 100 ms because Consumer::GetProgress queries the
// watermarks on the connection that carries the fetches, so each query waits for a pending fetch.
std::map<std::string, std::string> GroupMembershipOverrides(const std::string& instance_id);

class ConsumerLoop {
 public:
  // Stores one batch and returns its next offsets (see NextOffsets), or CANCELLED when Stop
  // interrupted it.
  using BatchHandler = std::function<absl::StatusOr<std::map<kafka::TopicPartition, int64_t>>(
      const std::vector<kafka::Message>&)>;

  // `consumer` may be null for tests that call the handler directly and never Start the loop.
  ConsumerLoop(kafka::Consumer* consumer, DeadLetterSink& dead_letters,
               prometheus::Registry& registry, ConsumerLoopOptions options);
  ~ConsumerLoop();

  ConsumerLoop(const ConsumerLoop&) = delete;
  ConsumerLoop& operator=(const ConsumerLoop&) = delete;

  // Starts the polling thread, which calls `handler` with every non-empty batch.
  void Start(BatchHandler handler);

  // Lets the thread finish and store the batch in hand, then closes the Kafka consumer. A batch
  // that waits for an unreachable dependency is abandoned unstored. Later calls do nothing.
  void Stop();

  bool stopping() const { return stop_.HasBeenNotified(); }
  const ConsumerLoopOptions& options() const { return options_; }

  // Sleeps for `backoff`, then doubles it up to max_backoff. Returns false when Stop was called.
  bool Backoff(absl::Duration& backoff);

  // Calls `lookup` until it returns a result that IsTransient does not retry, logging the waits
  // (rate-limited) with `what`. Returns nullopt when Stop was called first.
  std::optional<absl::StatusOr<ContractTerms>> ResolveContract(
      const std::function<absl::StatusOr<ContractTerms>()>& lookup, const std::string& what);

  // Sends each rejected message of `batch` to the dead-letter topic, retrying each until the
  // broker acknowledges it, and counts it. Returns false when Stop was called while the topic was
  // unreachable.
  bool DeadLetter(const std::vector<kafka::Message>& batch,
                  const std::vector<Rejection>& rejections);

  // Calls `attempt` until it returns OK, logging each failure (rate-limited). ABORTED, which means
  // that the stored state changed under the batch, is retried at once up to five times and then
  // with backoff like every other error. Returns false when Stop was called or `attempt` returned
  // CANCELLED.
  bool RetryStore(const std::function<absl::Status()>& attempt, size_t batch_messages);

  // Counts the messages of a stored batch per topic.
  void CountConsumed(const std::vector<kafka::Message>& batch);

  // Records the time from an event's event time to `stored_at`, the moment its state was stored.
  void ObserveLatency(const std::string& topic, absl::Time event_time, absl::Time stored_at);

  // Messages sent to the dead-letter topic since start.
  int64_t dead_lettered() const { return dead_lettered_.load(); }

  LogRateLimiter& log_limiter() { return log_limiter_; }

 private:
  void Run(const BatchHandler& handler);
  prometheus::Histogram& Latency(const std::string& topic);

  kafka::Consumer* consumer_;
  DeadLetterSink& dead_letters_;
  const ConsumerLoopOptions options_;

  prometheus::Family<prometheus::Counter>& consumed_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Histogram>& latency_;
  LogRateLimiter log_limiter_;

  std::atomic<int64_t> dead_lettered_{0};
  absl::Notification stop_;
  std::thread thread_;
  bool closed_ = false;
};

}  // namespace consort::consumer
