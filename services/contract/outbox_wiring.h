#pragma once

// Start-up of what a service needs to publish events through its transactional outbox: Redis
// reachable, the topic present, an idempotent Kafka producer and the OutboxRelay that drains the
// service's outbox stream into it. The relay's stop (drain, then flush the producer within the
// shutdown grace period) becomes a shutdown hook of the ServiceRunner. The contract and
// communication services' main() call StartPublishing once, before ServiceRunner::Run.
//
// Not thread-safe: used once on the main thread.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/config.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "outbox/outbox_relay.h"
#include "redis/redis_client.h"
#include "server/service_runner.h"

namespace consort::contract {

struct Publishing {
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<outbox::OutboxRelay> relay;
};

// Checks that Redis replies to PING, creates `topic` when missing, creates the producer and starts
// the relay on `stream_key`. Logs and returns the first failure. The returned objects must
// outlive `runner.Run()`.
absl::StatusOr<Publishing> StartPublishing(ServiceRunner& runner, const CommonConfig& config,
                                           redis::Pool& redis, const kafka::TopicSpec& topic,
                                           const std::string& stream_key);

}  // namespace consort::contract
