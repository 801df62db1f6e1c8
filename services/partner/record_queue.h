#pragma once

// A bounded queue between the thread that reads a ReportSales stream and the thread that
// processes its records in batches. The reader blocks while the queue is full, which holds back
// the client through gRPC flow control instead of buffering without limit.
//
// Thread safety: one or more producers and consumers may use it at once.

#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace consort::partner {

template <typename T>
class RecordQueue {
 public:
  explicit RecordQueue(size_t capacity) : capacity_(capacity) {}

  // Waits for room and appends `value`. Returns false, dropping it, once Cancel was called.
  bool Push(T value) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &RecordQueue::HasRoomOrCancelled));
    if (cancelled_) return false;
    items_.push_back(std::move(value));
    return true;
  }

  // Tells the consumer that no more values will come.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

  // Drops what is queued and makes Push and PopBatch return false from now on.
  void Cancel() {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    items_.clear();
  }

  // Whether Cancel was called.
  bool cancelled() const {
    absl::MutexLock lock(&mu_);
    return cancelled_;
  }

  // Waits until a value is queued, then moves up to `max_count` of them into `out` (which it
  // clears first). Returns false once the queue is closed and empty, or cancelled.
  bool PopBatch(std::vector<T>& out, size_t max_count) {
    out.clear();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &RecordQueue::HasItemsOrEnded));
    if (cancelled_ || items_.empty()) return false;
    while (!items_.empty() && out.size() < max_count) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    return true;
  }

 private:
  bool HasRoomOrCancelled() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return cancelled_ || items_.size() < capacity_;
  }
  bool HasItemsOrEnded() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return cancelled_ || closed_ || !items_.empty();
  }

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<T> items_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace consort::partner
