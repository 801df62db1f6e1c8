#pragma once

// Topic provisioning: EnsureTopics creates the topics a service publishes to or consumes from
// when they are missing, so that a fresh cluster works without a separate set-up step. Services
// call it once at start-up, before they create their producers and consumers; tests call it for
// their own uniquely named topics.
//
// Thread safety: EnsureTopics keeps no state between calls and may run on any thread.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace consort::kafka {

struct TopicSpec {
  std::string name = {};
  // Partition count for a new topic, at least 1.
  int partitions = 1;
  // Topic-level settings for a new topic, for example {"cleanup.policy", "compact"}.
  std::map<std::string, std::string> config = {};
  // Replicas per partition for a new topic, or -1 for the broker's default.replication.factor.
  int replication_factor = 1;
};

// Creates the topics in `topics` that the cluster does not have yet, with rd_kafka_CreateTopics,
// and waits until broker metadata shows every topic in `topics` with a leader for each partition.
// Existing topics are left as they are, even when their partition count or settings differ from
// the spec (a warning is logged for a different partition count). A topic that another client
// creates at the same time counts as created.
//
// Returns INVALID_ARGUMENT for a spec without a name or with fewer than 1 partition. Returns the
// broker's error for a topic it rejected, and DEADLINE_EXCEEDED when the broker is unreachable or
// the topics do not appear in metadata within `timeout`.
absl::Status EnsureTopics(const std::string& bootstrap, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout);

}  // namespace consort::kafka
