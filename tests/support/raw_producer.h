#pragma once

// Puts payloads straight onto a Kafka topic, bypassing the services, for integration tests that
// feed a consumer events, duplicates or garbage that no service would publish. Called by the
// performance and incentive integration tests.
//
// Not thread-safe: one test thread uses a producer.

#include <memory>
#include <string>

#include "kafka/producer.h"
#include "prometheus/registry.h"

namespace consort::testing {

class RawProducer {
 public:
  // Connects to the cluster at `bootstrap`. A producer that cannot be created is recorded as a
  // test failure, and every later Send or Flush then fails.
  explicit RawProducer(const std::string& bootstrap);

  // Queues `payload` for `topic` under `key`. A failure to queue is a fatal test failure.
  void Send(const std::string& topic, const std::string& key, const std::string& payload);

  // Waits up to 30 seconds until Kafka acknowledged every queued message. A failure is a fatal
  // test failure.
  void Flush();

 private:
  prometheus::Registry registry_;
  std::unique_ptr<kafka::Producer> producer_;
};

}  // namespace consort::testing
