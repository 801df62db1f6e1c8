#pragma once

// Settings of a service that consumes events (performance, incentive), beside the common ones of
// common/config.h, as CLI11 options backed by environment variables. Not thread-safe; used once
// at start-up.

#include <string>

#include "CLI/CLI.hpp"

namespace consort::consumer {

struct ConsumerSettings {
  // host:port of the contract service.
  std::string contract_address = "127.0.0.1:50052";
  // Kafka consumer group; the service sets its own default, "consort-<service>".
  std::string consumer_group;
  // Messages per poll, and so per Redis script.
  int batch_size = 5000;
  // Deadline of each call to the contract service, in milliseconds.
  int contract_deadline_ms = 2000;
  // Days an applied event id (performance) or a parked refund (incentive) is kept; see
  // retention.h.
  int dedup_retention_days = 7;
};

// Registers --contract-address (CONSORT_CONTRACT_ADDRESS), --consumer-group
// (CONSORT_CONSUMER_GROUP), --consumer-batch-size (CONSORT_CONSUMER_BATCH_SIZE, 1 to 20,000) and
// --contract-deadline-ms (CONSORT_CONTRACT_DEADLINE_MS, 10 to 60,000) and
// --dedup-retention-days (CONSORT_DEDUP_RETENTION_DAYS, 1 to 365) on `app`. The values in
// `settings` are the defaults.
void AddConsumerOptions(CLI::App& app, ConsumerSettings& settings);

}  // namespace consort::consumer
