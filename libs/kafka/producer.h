#pragma once

// Producer publishes messages to Kafka for the services and the outbox relay. It wraps one
// idempotent librdkafka producer (enable.idempotence=true, acks=all, linger.ms=5,
// compression.type=lz4) and a background thread that polls it for delivery reports, so a caller
// learns the outcome of each message through its DeliveryCallback.
//
// Thread safety: Produce and Flush may be called from any number of threads at once. Delivery
// callbacks run on the poll thread one at a time, except for the messages that the destructor
// cancels, whose callbacks run on the destroying thread. A callback may call Produce, but not
// Flush.
//
// Metrics, registered in the registry passed to Create:
//   consort_kafka_producer_queue_depth                 gauge, messages waiting for a delivery
//                                                      report, summed over the process's producers
//   consort_kafka_delivery_failures_total{topic}       counter, messages whose delivery failed

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kafka/client.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace consort::kafka {

// Settings of the Producer itself, beside the librdkafka properties.
struct ProducerOptions {
  // Time Produce keeps retrying while librdkafka's local queue is full (see
  // queue.buffering.max.messages) before it returns RESOURCE_EXHAUSTED.
  absl::Duration queue_full_timeout = absl::Seconds(10);
};

class Producer {
 public:
  // Receives OK once the broker acknowledged the message, or the error that made librdkafka
  // give up on it (after message.timeout.ms, 300 s by default). Called once per message that
  // Produce accepted, including the messages that the destructor cancels.
  using DeliveryCallback = std::function<void(absl::Status)>;

  // Creates a producer for the cluster at `bootstrap` (comma-separated host:port) that names
  // itself `client_id` to the brokers. `overrides` are librdkafka properties applied after the
  // defaults above. Returns INVALID_ARGUMENT for a missing bootstrap or a property librdkafka
  // rejects. Creation does not wait for a broker connection.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      const std::string& bootstrap, const std::string& client_id, prometheus::Registry& registry,
      std::map<std::string, std::string> overrides = {}, ProducerOptions options = {});

  // Cancels the messages still waiting for delivery, so their callbacks receive CANCELLED, and
  // closes the client. Call Flush first to deliver them.
  ~Producer();

  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one message for `topic`, on the partition chosen from a hash of the key. An empty key
  // is sent as a null key, so that keyless messages spread over the partitions. An empty payload
  // is sent as an empty value and never as a null value, which is a tombstone on a compacted
  // topic.
  // `on_delivery` may be empty. When librdkafka's queue is full, Produce waits for deliveries to
  // make room, up to ProducerOptions::queue_full_timeout, and then returns RESOURCE_EXHAUSTED.
  // Any other error means the message was not queued and `on_delivery` will not be called.
  absl::Status Produce(const std::string& topic, std::string_view key, std::string_view payload,
                       std::vector<std::pair<std::string, std::string>> headers,
                       DeliveryCallback on_delivery);

  // Waits until every message accepted so far has its delivery report and its callback has
  // returned. Returns DEADLINE_EXCEEDED with the number still waiting after `timeout`, and
  // FAILED_PRECONDITION when called from a delivery callback.
  absl::Status Flush(absl::Duration timeout);

  // Number of messages accepted by Produce whose delivery callback has not run yet.
  int64_t outstanding() const;

  // The client id that this producer uses, as given to Create.
  const std::string& client_id() const { return client_id_; }

 private:
  // The message opaque librdkafka hands back in the delivery report.
  struct PendingDelivery {
    DeliveryCallback callback;
  };

  Producer(std::string client_id, ProducerOptions options, prometheus::Gauge& queue_depth,
           prometheus::Family<prometheus::Counter>& delivery_failures);

  static void OnDelivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* handle, int error, const char* reason, void* opaque);

  void HandleDelivery(const rd_kafka_message_t& message);
  void PollLoop();
  bool OnPollThread() const;

  // Calls rd_kafka_producev once. Ownership of `headers` passes to librdkafka only on success.
  rd_kafka_resp_err_t Enqueue(const std::string& topic, std::string_view key,
                              std::string_view payload, rd_kafka_headers_t* headers,
                              PendingDelivery* pending);

  // Waits until at least one delivery report was served after `seen_deliveries`, or 100 ms.
  void WaitForDeliveries(uint64_t seen_deliveries);

  const std::string client_id_;
  const ProducerOptions options_;
  prometheus::Gauge& queue_depth_;
  prometheus::Family<prometheus::Counter>& delivery_failures_;

  mutable absl::Mutex mu_;
  int64_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  // Count of delivery reports served, so that a Produce waiting on a full queue can detect
  // progress.
  uint64_t deliveries_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<bool> stopping_{false};
  // Declared after the members that the callbacks use, so it is destroyed before them.
  internal::KafkaHandle handle_;
  std::thread poll_thread_;
};

}  // namespace consort::kafka
