#include "kafka/dead_letter.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "consumer_test_util.h"
#include "gtest/gtest.h"
#include "kafka/consumer.h"
#include "kafka/topics.h"
#include "kafka_test_env.h"
#include "prometheus/registry.h"

namespace consort::kafka {
namespace {

using testing::InMemoryOffsetStore;
using testing::PollUntil;
using testing::UniqueName;

constexpr absl::Duration kWait = absl::Seconds(30);

class DeadLetterTest : public testing::RealKafkaTest {};

// Returns the value of the last header named `name`, or "<absent>".
std::string LastHeader(const Message& message, const std::string& name) {
  std::string value = "<absent>";
  for (const auto& [header, header_value] : message.headers) {
    if (header == name) value = header_value;
  }
  return value;
}

TEST_F(DeadLetterTest, CopiesMessageWithOriginHeaders) {
  const std::string deadletter_topic = UniqueName("deadletter");
  ASSERT_TRUE(EnsureTopics(bootstrap_, {{.name = deadletter_topic, .partitions = 1}}, kWait).ok());
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(bootstrap_, "deadletter-test", registry);
  ASSERT_TRUE(producer.ok()) << producer.status();
  const Message original{.topic = "consort.sales.v1",
                         .partition = 3,
                         .offset = 1234,
                         .key = "partner-7",
                         .payload = std::string("\x0a\x02\xff\x00", 4),
                         .headers = {{"event-type", "sale"}}};

  const absl::Status sent = SendToDeadLetter(**producer, deadletter_topic, original,
                                             "payload is not a valid Sale", "performance");

  ASSERT_TRUE(sent.ok()) << sent;
  InMemoryOffsetStore store;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(bootstrap_, UniqueName("group"), {deadletter_topic}, &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  absl::StatusOr<std::vector<Message>> messages = PollUntil(**consumer, 1, kWait);
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 1);
  const Message& copy = messages->front();
  EXPECT_EQ(copy.key, "partner-7");
  EXPECT_EQ(copy.payload, original.payload);
  EXPECT_EQ(LastHeader(copy, "event-type"), "sale");
  EXPECT_EQ(LastHeader(copy, kDeadLetterReasonHeader), "payload is not a valid Sale");
  EXPECT_EQ(LastHeader(copy, kDeadLetterTopicHeader), "consort.sales.v1");
  EXPECT_EQ(LastHeader(copy, kDeadLetterPartitionHeader), "3");
  EXPECT_EQ(LastHeader(copy, kDeadLetterOffsetHeader), "1234");
  EXPECT_EQ(LastHeader(copy, kDeadLetterConsumerHeader), "performance");
}

TEST_F(DeadLetterTest, AsyncReportsDelivery) {
  const std::string deadletter_topic = UniqueName("deadletter");
  ASSERT_TRUE(EnsureTopics(bootstrap_, {{.name = deadletter_topic, .partitions = 1}}, kWait).ok());
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(bootstrap_, "deadletter-test", registry);
  ASSERT_TRUE(producer.ok()) << producer.status();
  absl::Notification delivered;
  absl::Status result = absl::UnknownError("callback not called");

  const absl::Status queued = SendToDeadLetterAsync(
      **producer, deadletter_topic, Message{.topic = "t", .key = "k", .payload = "p"}, "reason",
      "consumer", [&](absl::Status status) {
        result = status;
        delivered.Notify();
      });

  ASSERT_TRUE(queued.ok()) << queued;
  ASSERT_TRUE(delivered.WaitForNotificationWithTimeout(kWait));
  EXPECT_TRUE(result.ok()) << result;
}

}  // namespace
}  // namespace consort::kafka
