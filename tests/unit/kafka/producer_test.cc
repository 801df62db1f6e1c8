#include "kafka/producer.h"

#include <atomic>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "kafka/topics.h"
#include "kafka_test_env.h"
#include "prometheus/registry.h"

namespace consort::kafka {
namespace {

using testing::QueryWatermarks;
using testing::UniqueName;

class ProducerTest : public testing::RealKafkaTest {
 protected:
  void SetUp() override {
    RealKafkaTest::SetUp();
    if (IsSkipped()) return;
    topic_ = UniqueName("producer");
    ASSERT_TRUE(
        EnsureTopics(bootstrap_, {{.name = topic_, .partitions = 2}}, absl::Seconds(30)).ok());
  }

  std::string topic_;
  prometheus::Registry registry_;
};

TEST_F(ProducerTest, ProduceAndFlushDelivers) {
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(bootstrap_, "producer-test", registry_);
  ASSERT_TRUE(producer.ok()) << producer.status();

  absl::Mutex mu;
  std::vector<absl::Status> results;
  constexpr int kMessages = 20;
  for (int i = 0; i < kMessages; ++i) {
    const absl::Status queued = (*producer)->Produce(
        topic_, "same-key", absl::StrCat("payload-", i), {{"h", "v"}}, [&](absl::Status status) {
          absl::MutexLock lock(&mu);
          results.push_back(std::move(status));
        });
    ASSERT_TRUE(queued.ok()) << queued;
  }
  const absl::Status flushed = (*producer)->Flush(absl::Seconds(30));

  ASSERT_TRUE(flushed.ok()) << flushed;
  EXPECT_EQ((*producer)->outstanding(), 0);
  absl::MutexLock lock(&mu);
  ASSERT_EQ(results.size(), kMessages);
  for (const absl::Status& result : results) EXPECT_TRUE(result.ok()) << result;
  // One key goes to one partition, so one of the two contains all messages.
  const int64_t total =
      QueryWatermarks(bootstrap_, topic_, 0).high + QueryWatermarks(bootstrap_, topic_, 1).high;
  EXPECT_EQ(total, kMessages);
}

TEST_F(ProducerTest, CallbackMayProduceAgain) {
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(bootstrap_, "producer-test", registry_);
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::atomic<int> delivered = 0;
  Producer& p = **producer;

  ASSERT_TRUE(p.Produce(topic_, "k", "first", {}, [&](absl::Status status) {
                 ++delivered;
                 EXPECT_TRUE(
                     p.Produce(topic_, "k", "second", {}, [&](absl::Status) { ++delivered; }).ok());
               }).ok());
  // The first flush may return between the two deliveries, so wait for both.
  for (int i = 0; i < 100 && delivered < 2; ++i) ASSERT_TRUE(p.Flush(absl::Seconds(30)).ok());

  EXPECT_EQ(delivered, 2);
}

TEST_F(ProducerTest, FlushWithNothingPendingReturnsAtOnce) {
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(bootstrap_, "producer-test", registry_);
  ASSERT_TRUE(producer.ok()) << producer.status();

  EXPECT_TRUE((*producer)->Flush(absl::ZeroDuration()).ok());
}

TEST_F(ProducerTest, QueueDepthGaugeReturnsToZero) {
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(bootstrap_, "producer-test", registry_);
  ASSERT_TRUE(producer.ok()) << producer.status();

  ASSERT_TRUE((*producer)->Produce(topic_, "k", "v", {}, nullptr).ok());
  ASSERT_TRUE((*producer)->Flush(absl::Seconds(30)).ok());

  for (const auto& family : registry_.Collect()) {
    if (family.name != "consort_kafka_producer_queue_depth") continue;
    ASSERT_EQ(family.metric.size(), 1);
    EXPECT_EQ(family.metric[0].gauge.value, 0);
  }
}

TEST(ProducerCreateTest, RejectsUnknownProperty) {
  prometheus::Registry registry;

  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create("127.0.0.1:29092", "producer-test", registry, {{"no.such.property", "1"}});

  ASSERT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(producer.status().message().find("no.such.property"), std::string::npos);
}

TEST(ProducerCreateTest, RejectsMissingBootstrap) {
  prometheus::Registry registry;

  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create("", "producer-test", registry);

  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace consort::kafka
