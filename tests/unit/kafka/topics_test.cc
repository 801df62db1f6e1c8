#include "kafka/topics.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "kafka_test_env.h"

namespace consort::kafka {
namespace {

using testing::PartitionCount;
using testing::UniqueName;

constexpr absl::Duration kTimeout = absl::Seconds(30);

class EnsureTopicsTest : public testing::RealKafkaTest {};

TEST_F(EnsureTopicsTest, CreatesMissingTopics) {
  const std::vector<TopicSpec> topics = {
      {.name = UniqueName("topics.a"), .partitions = 3},
      {.name = UniqueName("topics.b"), .partitions = 1, .config = {{"cleanup.policy", "compact"}}},
  };

  ASSERT_TRUE(EnsureTopics(bootstrap_, topics, kTimeout).ok());

  EXPECT_EQ(PartitionCount(bootstrap_, topics[0].name), 3);
  EXPECT_EQ(PartitionCount(bootstrap_, topics[1].name), 1);
}

TEST_F(EnsureTopicsTest, IsIdempotent) {
  const std::vector<TopicSpec> topics = {{.name = UniqueName("topics.idem"), .partitions = 2}};

  ASSERT_TRUE(EnsureTopics(bootstrap_, topics, kTimeout).ok());
  const absl::Status second = EnsureTopics(bootstrap_, topics, kTimeout);

  EXPECT_TRUE(second.ok()) << second;
}

TEST_F(EnsureTopicsTest, LeavesExistingTopicWithOtherPartitionCount) {
  const std::string name = UniqueName("topics.existing");
  ASSERT_TRUE(EnsureTopics(bootstrap_, {{.name = name, .partitions = 1}}, kTimeout).ok());

  const absl::Status again = EnsureTopics(bootstrap_, {{.name = name, .partitions = 4}}, kTimeout);

  EXPECT_TRUE(again.ok()) << again;
  EXPECT_EQ(PartitionCount(bootstrap_, name), 1);
}

TEST_F(EnsureTopicsTest, ReturnsBrokerRefusal) {
  // A single broker cannot hold 3 replicas.
  const absl::Status status = EnsureTopics(
      bootstrap_, {{.name = UniqueName("topics.rf3"), .partitions = 1, .replication_factor = 3}},
      kTimeout);

  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find("INVALID_REPLICATION_FACTOR"), std::string::npos) << status;
}

TEST(EnsureTopicsValidationTest, RejectsZeroPartitions) {
  const absl::Status status =
      EnsureTopics("127.0.0.1:29092", {{.name = "t", .partitions = 0}}, absl::Seconds(1));

  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(EnsureTopicsValidationTest, RejectsEmptyName) {
  const absl::Status status =
      EnsureTopics("127.0.0.1:29092", {{.name = "", .partitions = 1}}, absl::Seconds(1));

  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(EnsureTopicsValidationTest, RejectsMissingBootstrap) {
  const absl::Status status = EnsureTopics("", {{.name = "t", .partitions = 1}}, absl::Seconds(1));

  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace consort::kafka
