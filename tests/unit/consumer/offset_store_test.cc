#include "consumer/offset_store.h"

#include <cstdlib>
#include <memory>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "consumer/progress.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"

namespace consort::consumer {
namespace {

std::string TestRedisAddress() {
  const char* address = std::getenv("CONSORT_TEST_REDIS_ADDRESS");
  return address == nullptr ? "" : address;
}

TEST(NextOffsets, TakesOffsetAfterLastMessagePerPartition) {
  BatchOffsets offsets = NextOffsets({{.topic = "sales", .partition = 0, .offset = 7},
                                      {.topic = "sales", .partition = 0, .offset = 5},
                                      {.topic = "sales", .partition = 2, .offset = 1}});
  EXPECT_EQ(offsets.next[kafka::TopicPartition("sales", 0)], 8);
  EXPECT_EQ(offsets.next[kafka::TopicPartition("sales", 2)], 2);
  EXPECT_EQ(offsets.fields,
            (std::vector<std::pair<std::string, int64_t>>{{"sales:0", 8}, {"sales:2", 2}}));
}

TEST(FillConsumerProgress, PrefersStoredOffsets) {
  ProgressSources sources{
      .partitions =
          [] {
            return std::vector<kafka::PartitionProgress>{
                {.topic = "sales", .partition = 0, .next_offset = 3, .high_watermark = 10},
                {.topic = "sales", .partition = 1, .next_offset = 0, .high_watermark = 4}};
          },
      .dead_lettered = [] { return int64_t{2}; }};
  consort::common::v1::ConsumerProgress progress;
  FillConsumerProgress({{"sales:0", 9}}, sources, progress);
  ASSERT_EQ(progress.partitions_size(), 2);
  EXPECT_EQ(progress.partitions(0).next_offset(), 9);
  EXPECT_EQ(progress.partitions(0).high_watermark(), 10);
  EXPECT_EQ(progress.partitions(1).next_offset(), 0);
  EXPECT_EQ(progress.dead_lettered(), 2);
}

class RedisOffsetStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestRedisAddress().empty()) {
      GTEST_SKIP() << "CONSORT_TEST_REDIS_ADDRESS is not set; start Redis and set it to "
                      "host:port to run this test";
    }
    pool_ = std::make_unique<redis::Pool>(TestRedisAddress(), "", 1, registry_);
    absl::BitGen bits;
    key_ = absl::StrCat("test-", absl::Uniform<uint64_t>(bits), ":offsets");
  }

  // Runs advance_offsets over `pairs` the way a service's commit script does.
  absl::Status Advance(const std::vector<std::pair<std::string, int64_t>>& pairs) {
    redis::Script script(absl::StrCat(kAdvanceOffsetsLua,
                                      "advance_offsets(KEYS[1], 2, tonumber(ARGV[1]))\n"
                                      "return 1\n"));
    std::vector<std::string> args = {absl::StrCat(pairs.size())};
    for (const auto& [field, offset] : pairs) {
      args.push_back(field);
      args.push_back(absl::StrCat(offset));
    }
    return pool_->Eval(script, {key_}, args, "test").status();
  }

  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> pool_;
  std::string key_;
};

TEST_F(RedisOffsetStoreTest, LoadsStoredPartitionsOnly) {
  ASSERT_TRUE(Advance({{"sales:0", 12}, {"sales:2", 3}}).ok());
  RedisOffsetStore store(*pool_, key_);
  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> offsets =
      store.Load({{"sales", 0}, {"sales", 1}});
  ASSERT_TRUE(offsets.ok()) << offsets.status();
  EXPECT_EQ(offsets->size(), 1u);
  EXPECT_EQ((*offsets)[kafka::TopicPartition("sales", 0)], 12);
}

TEST_F(RedisOffsetStoreTest, AdvanceNeverMovesBackwards) {
  ASSERT_TRUE(Advance({{"sales:0", 12}}).ok());
  ASSERT_TRUE(Advance({{"sales:0", 5}}).ok());
  absl::StatusOr<std::map<std::string, int64_t>> stored = LoadOffsetHash(*pool_, key_);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ((*stored)["sales:0"], 12);
}

TEST_F(RedisOffsetStoreTest, MalformedOffsetIsAnError) {
  ASSERT_TRUE(pool_->Run({"HSET", key_, "sales:0", "twelve"}, "test").ok());
  EXPECT_EQ(LoadOffsetHash(*pool_, key_).status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace consort::consumer
