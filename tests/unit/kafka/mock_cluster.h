#pragma once

// An in-process Kafka cluster from librdkafka's mock broker (rdkafka_mock.h), for faults a real
// broker cannot produce on demand: request errors and brokers that go down. Its brokers listen
// on loopback ports chosen by librdkafka.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace consort::kafka::testing {

// Kafka protocol API key of Produce requests.
inline constexpr int16_t kProduceApiKey = 0;

class MockCluster {
 public:
  explicit MockCluster(int brokers) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The owning handle only keeps the cluster's books and never connects anywhere.
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (owner_ == nullptr) ADD_FAILURE() << "creating the mock cluster's handle failed: " << errstr;
    cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
    if (cluster_ == nullptr) ADD_FAILURE() << "creating the mock cluster failed";
  }

  ~MockCluster() {
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
    if (owner_ != nullptr) rd_kafka_destroy(owner_);
  }

  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() const { return cluster_; }

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

}  // namespace consort::kafka::testing
