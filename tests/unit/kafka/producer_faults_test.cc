// Producer and EnsureTopics against librdkafka's mock cluster, for the failures that the real
// broker in the other tests cannot be made to show on demand.

#include <atomic>
#include <optional>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "mock_cluster.h"
#include "prometheus/registry.h"

namespace consort::kafka {
namespace {

using testing::MockCluster;

double CounterValue(prometheus::Registry& registry, const std::string& name,
                    const std::string& topic) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        if (label.name == "topic" && label.value == topic) return metric.counter.value;
      }
    }
  }
  return -1;
}

TEST(ProducerFaultsTest, RejectedMessageFailsDeliveryAndCounts) {
  MockCluster cluster(1);
  ASSERT_EQ(rd_kafka_mock_topic_create(cluster.get(), "denied", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  // Enough errors to outlast every retry librdkafka makes.
  for (int i = 0; i < 20; ++i) {
    rd_kafka_mock_push_request_errors(cluster.get(), testing::kProduceApiKey, 1,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  }
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(cluster.bootstrap(), "faults-test", registry);
  ASSERT_TRUE(producer.ok()) << producer.status();

  std::optional<absl::Status> result;
  absl::Notification delivered;
  ASSERT_TRUE((*producer)
                  ->Produce("denied", "k", "v", {},
                            [&](absl::Status status) {
                              result = status;
                              delivered.Notify();
                            })
                  .ok());
  ASSERT_TRUE(delivered.WaitForNotificationWithTimeout(absl::Seconds(30)));

  EXPECT_EQ(result->code(), absl::StatusCode::kPermissionDenied) << *result;
  EXPECT_EQ(CounterValue(registry, "consort_kafka_delivery_failures_total", "denied"), 1);
}

TEST(ProducerFaultsTest, FullQueueReturnsResourceExhausted) {
  MockCluster cluster(1);
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Producer>> producer = Producer::Create(
      cluster.bootstrap(), "faults-test", registry, {{"queue.buffering.max.messages", "1"}},
      {.queue_full_timeout = absl::Milliseconds(300)});
  ASSERT_TRUE(producer.ok()) << producer.status();

  std::optional<absl::Status> first_result;
  ASSERT_TRUE(
      (*producer)
          ->Produce("t", "k", "first", {}, [&](absl::Status status) { first_result = status; })
          .ok());
  const absl::Time start = absl::Now();
  const absl::Status second = (*producer)->Produce("t", "k", "second", {}, nullptr);
  const absl::Duration waited = absl::Now() - start;

  EXPECT_EQ(second.code(), absl::StatusCode::kResourceExhausted) << second;
  EXPECT_GE(waited, absl::Milliseconds(300));
  EXPECT_EQ((*producer)->outstanding(), 1);

  // Destroying the producer cancels the first message, and its callback still runs.
  producer->reset();
  ASSERT_TRUE(first_result.has_value());
  EXPECT_EQ(first_result->code(), absl::StatusCode::kCancelled) << *first_result;
}

TEST(ProducerFaultsTest, FlushTimesOutWhileBrokerIsDown) {
  MockCluster cluster(1);
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(cluster.bootstrap(), "faults-test", registry);
  ASSERT_TRUE(producer.ok()) << producer.status();
  ASSERT_TRUE((*producer)->Produce("t", "k", "v", {}, nullptr).ok());

  const absl::Status flushed = (*producer)->Flush(absl::Milliseconds(500));

  EXPECT_EQ(flushed.code(), absl::StatusCode::kDeadlineExceeded) << flushed;
  EXPECT_NE(flushed.message().find("1 messages"), std::string::npos) << flushed;
}

TEST(ProducerFaultsTest, DeliversAfterBrokerComesBack) {
  MockCluster cluster(1);
  ASSERT_EQ(rd_kafka_mock_topic_create(cluster.get(), "t", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(cluster.bootstrap(), "faults-test", registry);
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::optional<absl::Status> result;
  ASSERT_TRUE((*producer)->Produce("t", "k", "v", {}, [&](absl::Status s) { result = s; }).ok());
  ASSERT_FALSE((*producer)->Flush(absl::Milliseconds(300)).ok());

  rd_kafka_mock_broker_set_up(cluster.get(), 1);
  const absl::Status flushed = (*producer)->Flush(absl::Seconds(30));

  ASSERT_TRUE(flushed.ok()) << flushed;
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok()) << *result;
}

TEST(EnsureTopicsFaultsTest, TimesOutWhenBrokerIsDown) {
  MockCluster cluster(1);
  rd_kafka_mock_broker_set_down(cluster.get(), 1);

  const absl::Time start = absl::Now();
  const absl::Status status =
      EnsureTopics(cluster.bootstrap(), {{.name = "t", .partitions = 1}}, absl::Seconds(1));

  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

}  // namespace
}  // namespace consort::kafka
