#pragma once

// Test doubles and helpers for the Consumer tests: an in-memory OffsetStore that records its
// calls and can be told to fail, and a loop that polls until enough messages arrived.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "kafka/consumer.h"

namespace consort::kafka::testing {

class InMemoryOffsetStore : public OffsetStore {
 public:
  void Set(const TopicPartition& partition, int64_t offset) {
    absl::MutexLock lock(&mu_);
    offsets_[partition] = offset;
  }

  // Makes the next `count` loads return UNAVAILABLE.
  void FailNextLoads(int count) {
    absl::MutexLock lock(&mu_);
    failures_left_ = count;
  }

  // Partitions of every load request, in call order.
  std::vector<std::vector<TopicPartition>> loads() const {
    absl::MutexLock lock(&mu_);
    return loads_;
  }

  absl::StatusOr<std::map<TopicPartition, int64_t>> Load(
      const std::vector<TopicPartition>& partitions) override {
    absl::MutexLock lock(&mu_);
    loads_.push_back(partitions);
    if (failures_left_ > 0) {
      --failures_left_;
      return absl::UnavailableError("offset store is down for this test");
    }
    std::map<TopicPartition, int64_t> found;
    for (const TopicPartition& partition : partitions) {
      auto it = offsets_.find(partition);
      if (it != offsets_.end()) found.insert(*it);
    }
    return found;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<TopicPartition, int64_t> offsets_ ABSL_GUARDED_BY(mu_);
  std::vector<std::vector<TopicPartition>> loads_ ABSL_GUARDED_BY(mu_);
  int failures_left_ ABSL_GUARDED_BY(mu_) = 0;
};

// Polls until `count` messages arrived or `timeout` passed, and returns them. Poll errors end
// the loop and are returned.
inline absl::StatusOr<std::vector<Message>> PollUntil(Consumer& consumer, size_t count,
                                                      absl::Duration timeout) {
  std::vector<Message> received;
  const absl::Time deadline = absl::Now() + timeout;
  while (received.size() < count && absl::Now() < deadline) {
    absl::StatusOr<std::vector<Message>> batch =
        consumer.Poll(count - received.size(), absl::Milliseconds(200));
    if (!batch.ok()) return batch.status();
    for (Message& message : *batch) received.push_back(std::move(message));
  }
  return received;
}

}  // namespace consort::kafka::testing
