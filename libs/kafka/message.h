#pragma once

// Message is one Kafka record as Consumer::Poll returns it, copied out of librdkafka so that it
// outlives the consumer's buffers. A plain value type with no thread-safety concerns of its own.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace consort::kafka {

struct Message {
  std::string topic = {};
  int32_t partition = 0;
  int64_t offset = 0;
  // Empty for a null key.
  std::string key = {};
  // Empty for a null value (a tombstone) as well as for an empty one.
  std::string payload = {};
  // In the order the producer added them. A name may repeat.
  std::vector<std::pair<std::string, std::string>> headers = {};
  // Record timestamp (CreateTime unless the topic uses LogAppendTime), or absl::InfinitePast()
  // when the record has none.
  absl::Time timestamp = absl::InfinitePast();
};

}  // namespace consort::kafka
