#include "partner/record_queue.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace consort::partner {
namespace {

TEST(RecordQueue, PopBatchTakesUpToMax) {
  RecordQueue<int> queue(10);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.Push(i));
  std::vector<int> batch;
  ASSERT_TRUE(queue.PopBatch(batch, 3));
  EXPECT_EQ(batch, (std::vector<int>{0, 1, 2}));
  ASSERT_TRUE(queue.PopBatch(batch, 3));
  EXPECT_EQ(batch, (std::vector<int>{3, 4}));
}

TEST(RecordQueue, ClosedQueueDrainsThenEnds) {
  RecordQueue<int> queue(10);
  queue.Push(1);
  queue.Close();
  std::vector<int> batch;
  EXPECT_TRUE(queue.PopBatch(batch, 10));
  EXPECT_FALSE(queue.PopBatch(batch, 10));
  EXPECT_TRUE(batch.empty());
}

TEST(RecordQueue, CancelDropsQueued) {
  RecordQueue<int> queue(10);
  queue.Push(1);
  queue.Cancel();
  std::vector<int> batch;
  EXPECT_FALSE(queue.PopBatch(batch, 10));
  EXPECT_FALSE(queue.Push(2));
}

TEST(RecordQueue, CancelledAfterCancel) {
  RecordQueue<int> queue(10);
  queue.Close();
  EXPECT_FALSE(queue.cancelled());
  queue.Cancel();
  EXPECT_TRUE(queue.cancelled());
}

TEST(RecordQueue, CancelWakesWaitingPop) {
  RecordQueue<int> queue(10);
  bool popped = true;
  std::thread consumer([&] {
    std::vector<int> batch;
    popped = queue.PopBatch(batch, 10);
  });
  queue.Cancel();
  consumer.join();
  EXPECT_FALSE(popped);
}

TEST(RecordQueue, PushWaitsForRoom) {
  RecordQueue<int> queue(2);
  queue.Push(1);
  queue.Push(2);
  std::thread producer([&queue] { queue.Push(3); });
  std::vector<int> batch;
  ASSERT_TRUE(queue.PopBatch(batch, 1));
  producer.join();
  ASSERT_TRUE(queue.PopBatch(batch, 10));
  EXPECT_EQ(batch, (std::vector<int>{2, 3}));
}

TEST(RecordQueue, CancelWakesBlockedPush) {
  RecordQueue<int> queue(1);
  queue.Push(1);
  bool pushed = true;
  std::thread producer([&] { pushed = queue.Push(2); });
  queue.Cancel();
  producer.join();
  EXPECT_FALSE(pushed);
}

TEST(RecordQueue, PopWaitsForProducer) {
  RecordQueue<int> queue(4);
  std::thread producer([&queue] {
    for (int i = 0; i < 100; ++i) queue.Push(i);
    queue.Close();
  });
  std::vector<int> all, batch;
  while (queue.PopBatch(batch, 7)) all.insert(all.end(), batch.begin(), batch.end());
  producer.join();
  ASSERT_EQ(all.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(all[i], i);
}

}  // namespace
}  // namespace consort::partner
