#pragma once

// Consumer reads the event topics for the performance and incentive services (and any other
// service that consumes). It joins a consumer group, starts every assigned partition at the
// offset that the service's OffsetStore returns, and hands out batches of messages. Offsets are
// committed to Kafka only for lag monitoring, because the service stores the offsets it has
// processed together with the state it derived from them.
//
// Intended loop, on one thread:
//   Poll -> process the batch -> write state and next offsets atomically -> MarkProcessed -> Poll
// Finish storing one batch before calling Poll again. A rebalance runs inside Poll, and the new
// owner of a revoked partition starts from the stored offset.
//
// Thread safety: Poll, Close and the destructor must not run concurrently with each other, and
// OffsetStore::Load runs on the thread that calls Poll (or Close). MarkProcessed and GetProgress
// may be called from any thread at any time before destruction.
//
// Metric, registered in the registry passed to Create:
//   consort_consumer_lag{topic,partition}   gauge, high watermark minus the next offset to
//                                           process, for each assigned partition. Consumers of
//                                           one partition that share a registry share its
//                                           series, and the last value set wins.

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kafka/client.h"
#include "kafka/message.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace consort::kafka {

using TopicPartition = std::pair<std::string, int32_t>;

// Storage for a consumer's next offsets. The performance and incentive services store them in Redis
// in the same atomic write as the state derived from the messages, so a crash neither loses nor
// double-counts.
class OffsetStore {
 public:
  virtual ~OffsetStore() = default;

  // Returns the next offset to read for each partition in `partitions`, leaving out those that
  // have none stored (they start from the beginning). Called on every partition assignment.
  virtual absl::StatusOr<std::map<TopicPartition, int64_t>> Load(
      const std::vector<TopicPartition>& partitions) = 0;
};

// How far a consumer has got on one assigned partition.
struct PartitionProgress {
  std::string topic;
  int32_t partition = 0;
  // Next offset to process: every earlier offset is in the service's stored state. Before the
  // first MarkProcessed it is the offset the partition was assigned at, or the partition's low
  // watermark when it started from the beginning; -1 while that watermark is unknown.
  int64_t next_offset = -1;
  // Offset after the last message in the partition as the broker reported it at most about a
  // second ago, or -1 while the broker has not replied.
  int64_t high_watermark = -1;
};

class Consumer {
 public:
  // Creates a consumer in group `group_id` subscribed to `topics` on the cluster at `bootstrap`,
  // with enable.auto.commit=false and enable.auto.offset.store=false. `overrides` are librdkafka
  // properties applied after the defaults. `offset_store` must outlive the consumer. Returns
  // INVALID_ARGUMENT for a missing argument or a property librdkafka rejects.
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      const std::string& bootstrap, const std::string& group_id,
      const std::vector<std::string>& topics, OffsetStore* offset_store,
      prometheus::Registry& registry, std::map<std::string, std::string> overrides = {});

  // Leaves the group (see Close) and releases the client.
  ~Consumer();

  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Returns up to `max_messages` messages, waiting at most `timeout` for the first, and an empty
  // batch when none arrived. Broker errors that are not fatal (an unknown topic, a broker that is
  // down) are logged, rate-limited, and skipped. Returns INTERNAL for a fatal client error, after
  // which the consumer must be recreated. Returns UNAVAILABLE when OffsetStore::Load failed for a
  // new assignment. Those partitions stay unassigned, and the next Poll retries the load. Returns
  // FAILED_PRECONDITION after Close and INVALID_ARGUMENT for a `max_messages` of 0.
  absl::StatusOr<std::vector<Message>> Poll(size_t max_messages, absl::Duration timeout);

  // Records that every offset before `next_offsets` is durably stored, updates the lag metric,
  // and commits the offsets to Kafka asynchronously for lag monitoring. Correctness never depends
  // on that commit. Partitions that are not assigned to this consumer are ignored.
  void MarkProcessed(const std::map<TopicPartition, int64_t>& next_offsets);

  // Returns the progress of each assigned partition, ordered by topic and partition. High
  // watermarks older than one second are fetched from the broker first. The first failed fetch
  // ends the fetching, so an unreachable broker blocks this call for about one second.
  std::vector<PartitionProgress> GetProgress();

  // Leaves the group cleanly, so that its partitions move to the other members at once instead of
  // after session.timeout.ms. Later calls do nothing.
  void Close();

  const std::string& group_id() const { return group_id_; }

 private:
  struct PartitionState {
    int64_t next_offset = -1;
    int64_t low_watermark = -1;
    int64_t high_watermark = -1;
    absl::Time watermarks_fetched = absl::InfinitePast();
    prometheus::Gauge* lag = nullptr;
  };

  Consumer(std::string group_id, OffsetStore* offset_store,
           prometheus::Family<prometheus::Gauge>& lag_family);

  static void OnRebalance(rd_kafka_t* handle, rd_kafka_resp_err_t error,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void OnCommit(rd_kafka_t* handle, rd_kafka_resp_err_t error,
                       rd_kafka_topic_partition_list_t* offsets, void* opaque);
  static void OnError(rd_kafka_t* handle, int error, const char* reason, void* opaque);

  void HandleAssign(const rd_kafka_topic_partition_list_t& partitions);
  void HandleRevoke(const rd_kafka_topic_partition_list_t& partitions);
  bool Cooperative() const;

  // Loads offsets for `pending_assignment_` and assigns those partitions. On failure the
  // partitions stay pending and the error is returned.
  absl::Status AssignPending();

  // Adds the message to `batch`, or returns the fatal error it carries. Other errors are logged.
  absl::Status TakeMessage(rd_kafka_message_t* message, std::vector<Message>& batch);

  void UpdateLag(PartitionState& state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemovePartition(const TopicPartition& partition) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string group_id_;
  OffsetStore* const offset_store_;
  prometheus::Family<prometheus::Gauge>& lag_family_;

  // Used only on the thread that calls Poll and Close, where the rebalance callback runs.
  std::vector<TopicPartition> pending_assignment_;
  absl::Status assign_error_;
  uint64_t rebalances_ = 0;
  bool closed_ = false;

  absl::Mutex mu_;
  std::map<TopicPartition, PartitionState> assigned_ ABSL_GUARDED_BY(mu_);

  internal::KafkaHandle handle_;
};

}  // namespace consort::kafka
