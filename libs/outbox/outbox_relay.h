#pragma once

// The transactional outbox of a service: a Redis stream to which the service's Lua scripts append
// each outgoing event in the same atomic step as the state change that caused it, and
// OutboxRelay, which copies the stream's entries to Kafka and deletes each entry once Kafka has
// acknowledged it. A crash between the two loses nothing: an entry stays in the stream until it is
// acknowledged, and the next relay sends it again, so Kafka may see an event twice and consumers
// deduplicate by event id.
//
// Each entry has the fields `topic`, `key` and `payload` (the serialized event). The relay reads
// through the Redis consumer group "relay", so several replicas of a service share the stream;
// entries that a dead replica read but never acknowledged are claimed after `claim_idle`.
//
// Thread safety: Start and Stop are called by the owning thread; Status from any thread.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kafka/producer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "redis/redis_client.h"

namespace consort::outbox {

// Lua statement that appends one entry; scripts interpolate it with their own variable names.
// KEYS[n] is the stream key.
inline constexpr char kAppendLua[] =
    "redis.call('XADD', %s, '*', 'topic', %s, 'key', %s, 'payload', %s)";

struct RelayOptions {
  int batch_size = 1000;
  absl::Duration claim_idle = absl::Seconds(30);
};

struct RelayStatus {
  int64_t pending = 0;
  int64_t relayed = 0;
};

class OutboxRelay {
 public:
  OutboxRelay(redis::Pool& redis, kafka::Producer& producer, std::string stream_key,
              std::string consumer_name, prometheus::Registry& registry, RelayOptions options = {});
  ~OutboxRelay();

  // Creates the consumer group when missing and starts the relay thread.
  absl::Status Start();

  // Relays what is left in the stream until it is empty or `timeout` passes, flushes the
  // producer, and stops the thread. Returns DEADLINE_EXCEEDED with the count left behind; those
  // entries stay in Redis and are relayed on the next start.
  absl::Status Stop(absl::Duration timeout);

  RelayStatus Status();

 private:
  void Run();
  // Reads a batch (new entries, or this consumer's unacknowledged ones when `own_pending`) and
  // hands it to the producer. Returns the number of entries read.
  absl::StatusOr<int> RelayBatch(bool own_pending, bool block);
  absl::StatusOr<int> ClaimAbandoned();
  absl::Status AcknowledgeDelivered();
  absl::StatusOr<int64_t> StreamLength();
  int ProduceEntries(const redis::Reply& entries);

  redis::Pool& redis_;
  kafka::Producer& producer_;
  const std::string stream_key_;
  const std::string consumer_name_;
  const RelayOptions options_;
  prometheus::Gauge& depth_;

  absl::Mutex mu_;
  std::vector<std::string> delivered_ ABSL_GUARDED_BY(mu_);
  int64_t failed_since_retry_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<int64_t> pending_{0};
  std::atomic<int64_t> relayed_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stop_{false};
  absl::Time drain_deadline_;
  std::thread thread_;
};

}  // namespace consort::outbox
