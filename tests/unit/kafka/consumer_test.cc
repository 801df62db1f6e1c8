#include "kafka/consumer.h"

#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "consumer_test_util.h"
#include "gtest/gtest.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "kafka_test_env.h"
#include "prometheus/registry.h"

namespace consort::kafka {
namespace {

using testing::InMemoryOffsetStore;
using testing::PollUntil;
using testing::UniqueName;

constexpr absl::Duration kWait = absl::Seconds(30);

class ConsumerTest : public testing::RealKafkaTest {
 protected:
  // Creates a topic with `partitions` partitions and returns its name.
  std::string NewTopic(int partitions) {
    std::string name = UniqueName("consumer");
    const absl::Status created =
        EnsureTopics(bootstrap_, {{.name = name, .partitions = partitions}}, kWait);
    EXPECT_TRUE(created.ok()) << created;
    return name;
  }

  // Produces `count` messages to `topic`, keyed and valued by their index, and waits for them.
  void ProduceMessages(const std::string& topic, int count) {
    prometheus::Registry registry;
    absl::StatusOr<std::unique_ptr<Producer>> producer =
        Producer::Create(bootstrap_, "consumer-test-producer", registry);
    ASSERT_TRUE(producer.ok()) << producer.status();
    for (int i = 0; i < count; ++i) {
      const absl::Status queued =
          (*producer)->Produce(topic, absl::StrCat("key-", i), absl::StrCat("payload-", i),
                               {{"index", absl::StrCat(i)}}, nullptr);
      ASSERT_TRUE(queued.ok()) << queued;
    }
    ASSERT_TRUE((*producer)->Flush(kWait).ok());
  }

  absl::StatusOr<std::unique_ptr<Consumer>> NewConsumer(const std::string& group,
                                                        const std::string& topic,
                                                        OffsetStore* store,
                                                        prometheus::Registry& registry) {
    return Consumer::Create(bootstrap_, group, {topic}, store, registry,
                            {{"session.timeout.ms", "6000"}});
  }

  size_t LagSeriesCount(prometheus::Registry& registry) {
    for (const auto& family : registry.Collect()) {
      if (family.name == "consort_consumer_lag") return family.metric.size();
    }
    return 0;
  }

  double LagValue(prometheus::Registry& registry, const std::string& topic, int32_t partition) {
    for (const auto& family : registry.Collect()) {
      if (family.name != "consort_consumer_lag") continue;
      for (const auto& metric : family.metric) {
        bool topic_matches = false;
        bool partition_matches = false;
        for (const auto& label : metric.label) {
          if (label.name == "topic" && label.value == topic) topic_matches = true;
          if (label.name == "partition" && label.value == absl::StrCat(partition)) {
            partition_matches = true;
          }
        }
        if (topic_matches && partition_matches) return metric.gauge.value;
      }
    }
    return -1;
  }
};

TEST_F(ConsumerTest, ConsumesFromBeginning) {
  const std::string topic = NewTopic(1);
  ProduceMessages(topic, 5);
  InMemoryOffsetStore store;
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      NewConsumer(UniqueName("group"), topic, &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();

  absl::StatusOr<std::vector<Message>> messages = PollUntil(**consumer, 5, kWait);

  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 5);
  for (int i = 0; i < 5; ++i) {
    const Message& message = (*messages)[i];
    EXPECT_EQ(message.topic, topic);
    EXPECT_EQ(message.partition, 0);
    EXPECT_EQ(message.offset, i);
    EXPECT_EQ(message.key, absl::StrCat("key-", i));
    EXPECT_EQ(message.payload, absl::StrCat("payload-", i));
    ASSERT_EQ(message.headers.size(), 1);
    EXPECT_EQ(message.headers[0].first, "index");
    EXPECT_EQ(message.headers[0].second, absl::StrCat(i));
    EXPECT_LT(absl::AbsDuration(absl::Now() - message.timestamp), absl::Minutes(5));
  }
}

TEST_F(ConsumerTest, StartsAtStoredOffset) {
  const std::string topic = NewTopic(1);
  ProduceMessages(topic, 10);
  InMemoryOffsetStore store;
  store.Set({topic, 0}, 5);
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      NewConsumer(UniqueName("group"), topic, &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();

  absl::StatusOr<std::vector<Message>> messages = PollUntil(**consumer, 5, kWait);

  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 5);
  EXPECT_EQ(messages->front().offset, 5);
  EXPECT_EQ(messages->front().payload, "payload-5");
  EXPECT_EQ(messages->back().offset, 9);
  ASSERT_FALSE(store.loads().empty());
  EXPECT_EQ(store.loads().front(), (std::vector<TopicPartition>{{topic, 0}}));
}

TEST_F(ConsumerTest, RetriesFailedOffsetLoad) {
  const std::string topic = NewTopic(1);
  ProduceMessages(topic, 3);
  InMemoryOffsetStore store;
  store.Set({topic, 0}, 1);
  store.FailNextLoads(1);
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      NewConsumer(UniqueName("group"), topic, &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();

  absl::Status first_error;
  for (int i = 0; i < 100 && first_error.ok(); ++i) {
    absl::StatusOr<std::vector<Message>> batch = (*consumer)->Poll(10, absl::Milliseconds(200));
    ASSERT_TRUE(!batch.ok() || batch->empty()) << "read a message before the offsets loaded";
    if (!batch.ok()) first_error = batch.status();
  }
  absl::StatusOr<std::vector<Message>> messages = PollUntil(**consumer, 2, kWait);

  EXPECT_EQ(first_error.code(), absl::StatusCode::kUnavailable) << first_error;
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 2);
  EXPECT_EQ(messages->front().offset, 1);
}

TEST_F(ConsumerTest, SkipsMissingTopicError) {
  InMemoryOffsetStore store;
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      NewConsumer(UniqueName("group"), UniqueName("missing"), &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();

  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<std::vector<Message>> batch = (*consumer)->Poll(10, absl::Milliseconds(300));
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_TRUE(batch->empty());
  }
}

TEST_F(ConsumerTest, GroupMembersSplitPartitions) {
  const std::string topic = NewTopic(4);
  const std::string group = UniqueName("group");
  InMemoryOffsetStore store_a;
  InMemoryOffsetStore store_b;
  // One registry for both members, so that they share lag series while partitions move.
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Consumer>> a = NewConsumer(group, topic, &store_a, registry);
  ASSERT_TRUE(a.ok()) << a.status();
  for (int i = 0; i < 100 && (*a)->GetProgress().size() < 4; ++i) {
    ASSERT_TRUE((*a)->Poll(10, absl::Milliseconds(100)).ok());
  }
  ASSERT_EQ((*a)->GetProgress().size(), 4);

  absl::StatusOr<std::unique_ptr<Consumer>> b = NewConsumer(group, topic, &store_b, registry);
  ASSERT_TRUE(b.ok()) << b.status();
  // Both members take part in the rebalance only while they poll.
  std::vector<PartitionProgress> progress_a;
  std::vector<PartitionProgress> progress_b;
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE((*a)->Poll(10, absl::Milliseconds(50)).ok());
    ASSERT_TRUE((*b)->Poll(10, absl::Milliseconds(50)).ok());
    progress_a = (*a)->GetProgress();
    progress_b = (*b)->GetProgress();
    if (progress_a.size() == 2 && progress_b.size() == 2) break;
  }

  ASSERT_EQ(progress_a.size(), 2);
  ASSERT_EQ(progress_b.size(), 2);
  std::set<int32_t> partitions;
  for (const PartitionProgress& p : progress_a) partitions.insert(p.partition);
  for (const PartitionProgress& p : progress_b) partitions.insert(p.partition);
  EXPECT_EQ(partitions, (std::set<int32_t>{0, 1, 2, 3}));
  ASSERT_FALSE(store_b.loads().empty());
  EXPECT_EQ(store_b.loads().back().size(), 2);

  // When b leaves cleanly, a gets every partition back without waiting for a session timeout.
  (*b)->Close();
  for (int i = 0; i < 100 && (*a)->GetProgress().size() < 4; ++i) {
    ASSERT_TRUE((*a)->Poll(10, absl::Milliseconds(100)).ok());
  }
  EXPECT_EQ((*a)->GetProgress().size(), 4);
  EXPECT_EQ((*b)->Poll(10, absl::Milliseconds(10)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  (*a)->Close();
  EXPECT_EQ(LagSeriesCount(registry), 0);
}

TEST_F(ConsumerTest, RebalanceResumesAtStoredOffsets) {
  const std::string topic = NewTopic(2);
  const std::string group = UniqueName("group");
  // Both members share one store, as two replicas of a service share Redis.
  InMemoryOffsetStore store;
  prometheus::Registry registry_a;
  prometheus::Registry registry_b;
  ProduceMessages(topic, 20);
  absl::StatusOr<std::unique_ptr<Consumer>> a = NewConsumer(group, topic, &store, registry_a);
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<std::vector<Message>> first = PollUntil(**a, 20, kWait);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 20);
  std::map<TopicPartition, int64_t> next_offsets;
  for (const Message& message : *first) {
    next_offsets[{message.topic, message.partition}] = message.offset + 1;
  }
  for (const auto& [partition, offset] : next_offsets) store.Set(partition, offset);
  (*a)->MarkProcessed(next_offsets);

  absl::StatusOr<std::unique_ptr<Consumer>> b = NewConsumer(group, topic, &store, registry_b);
  ASSERT_TRUE(b.ok()) << b.status();
  std::vector<Message> received;
  for (int i = 0; i < 300; ++i) {
    for (Consumer* consumer : {a->get(), b->get()}) {
      absl::StatusOr<std::vector<Message>> batch = consumer->Poll(10, absl::Milliseconds(50));
      ASSERT_TRUE(batch.ok()) << batch.status();
      received.insert(received.end(), batch->begin(), batch->end());
    }
    if ((*a)->GetProgress().size() == 1 && (*b)->GetProgress().size() == 1) break;
  }
  ASSERT_EQ((*a)->GetProgress().size(), 1);
  ASSERT_EQ((*b)->GetProgress().size(), 1);
  ProduceMessages(topic, 20);
  for (int i = 0; i < 300 && received.size() < 20; ++i) {
    for (Consumer* consumer : {a->get(), b->get()}) {
      absl::StatusOr<std::vector<Message>> batch = consumer->Poll(10, absl::Milliseconds(50));
      ASSERT_TRUE(batch.ok()) << batch.status();
      received.insert(received.end(), batch->begin(), batch->end());
    }
  }

  // Exactly the 20 new messages: none before the stored offsets, none twice.
  ASSERT_EQ(received.size(), 20);
  std::set<std::pair<int32_t, int64_t>> positions;
  for (const Message& message : received) {
    const TopicPartition partition(message.topic, message.partition);
    EXPECT_GE(message.offset, next_offsets[partition]);
    positions.insert({message.partition, message.offset});
  }
  EXPECT_EQ(positions.size(), 20);
}

TEST_F(ConsumerTest, ReportsProgressAndLag) {
  const std::string topic = NewTopic(1);
  ProduceMessages(topic, 10);
  InMemoryOffsetStore store;
  store.Set({topic, 0}, 2);
  prometheus::Registry registry;
  const std::string group = UniqueName("group");
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = NewConsumer(group, topic, &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  absl::StatusOr<std::vector<Message>> messages = PollUntil(**consumer, 8, kWait);
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 8);

  const std::vector<PartitionProgress> before = (*consumer)->GetProgress();
  const double lag_before = LagValue(registry, topic, 0);
  (*consumer)->MarkProcessed({{{topic, 0}, 10}});
  const std::vector<PartitionProgress> after = (*consumer)->GetProgress();
  const double lag_after = LagValue(registry, topic, 0);

  ASSERT_EQ(before.size(), 1);
  EXPECT_EQ(before[0].topic, topic);
  EXPECT_EQ(before[0].partition, 0);
  EXPECT_EQ(before[0].next_offset, 2);
  EXPECT_EQ(before[0].high_watermark, 10);
  EXPECT_EQ(lag_before, 8);
  ASSERT_EQ(after.size(), 1);
  EXPECT_EQ(after[0].next_offset, 10);
  EXPECT_EQ(after[0].high_watermark, 10);
  EXPECT_EQ(lag_after, 0);
}

TEST_F(ConsumerTest, ProgressStartsAtLowWatermark) {
  const std::string topic = NewTopic(1);
  ProduceMessages(topic, 3);
  InMemoryOffsetStore store;
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      NewConsumer(UniqueName("group"), topic, &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE(PollUntil(**consumer, 3, kWait).ok());

  const std::vector<PartitionProgress> progress = (*consumer)->GetProgress();

  ASSERT_EQ(progress.size(), 1);
  EXPECT_EQ(progress[0].next_offset, 0);
  EXPECT_EQ(progress[0].high_watermark, 3);
  EXPECT_EQ(LagValue(registry, topic, 0), 3);
}

TEST_F(ConsumerTest, CommitsProcessedOffsets) {
  const std::string topic = NewTopic(1);
  ProduceMessages(topic, 4);
  InMemoryOffsetStore store;
  prometheus::Registry registry;
  const std::string group = UniqueName("group");
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = NewConsumer(group, topic, &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE(PollUntil(**consumer, 4, kWait).ok());

  (*consumer)->MarkProcessed({{{topic, 0}, 4}});
  // The commit is asynchronous, so CommittedOffset retries until the broker has it.
  (*consumer)->Close();

  EXPECT_EQ(testing::CommittedOffset(bootstrap_, group, topic, 0), 4);
}

TEST(ConsumerCreateTest, RejectsMissingOffsetStore) {
  prometheus::Registry registry;

  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create("127.0.0.1:29092", "group", {"topic"}, nullptr, registry);

  EXPECT_EQ(consumer.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ConsumerTest, PollRejectsZeroMaxMessages) {
  InMemoryOffsetStore store;
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      NewConsumer(UniqueName("group"), NewTopic(1), &store, registry);
  ASSERT_TRUE(consumer.ok()) << consumer.status();

  EXPECT_EQ((*consumer)->Poll(0, absl::Milliseconds(10)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConsumerCreateTest, RejectsEmptyTopicList) {
  testing::InMemoryOffsetStore store;
  prometheus::Registry registry;

  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create("127.0.0.1:29092", "group", {}, &store, registry);

  EXPECT_EQ(consumer.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace consort::kafka
