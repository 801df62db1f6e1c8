#pragma once

// Consumer offsets kept in Redis next to the state derived from the messages. A service's offsets
// are one hash (for example `<namespace>incentive:offsets`) with a field "topic:partition" per
// partition and the next offset to consume as its value. The service's own Lua script advances
// them in the same call that writes the batch's state, with kAdvanceOffsetsLua, so a crash at any
// point neither loses nor double-counts a message. RedisOffsetStore reads them back when the
// Kafka consumer is assigned partitions.
//
// Thread safety: every function may be called from any thread; the pool serializes connections.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "kafka/consumer.h"
#include "kafka/message.h"
#include "redis/redis_client.h"

namespace consort::consumer {

// "topic:partition", the field of a partition in the stored offsets.
std::string OffsetField(const std::string& topic, int32_t partition);

// The offsets that one processed batch advances to.
struct BatchOffsets {
  // Next offset per partition, ready for kafka::Consumer::MarkProcessed.
  std::map<kafka::TopicPartition, int64_t> next;
  // The same offsets as (OffsetField, next offset) pairs, ready for a Lua script.
  std::vector<std::pair<std::string, int64_t>> fields;
};

// Returns, per partition of `batch`, the offset after its last message.
BatchOffsets NextOffsets(const std::vector<kafka::Message>& batch);

// Lua function `advance_offsets(key, first, n)` for a service's commit script: reads n
// ("topic:partition", next offset) pairs from ARGV starting at index `first` and stores each
// offset in hash `key` unless the stored one is larger, so an offset never moves backwards.
// Paste it at the top of the script.
inline constexpr char kAdvanceOffsetsLua[] = R"lua(
local function advance_offsets(key, first, n)
  for k = first, first + 2 * n - 1, 2 do
    local current = redis.call('HGET', key, ARGV[k])
    if not current or tonumber(ARGV[k + 1]) > tonumber(current) then
      redis.call('HSET', key, ARGV[k], ARGV[k + 1])
    end
  end
end
)lua";

// Reads the offsets hash `key`: "topic:partition" -> next offset. Fails with INTERNAL when a
// value is not an integer.
absl::StatusOr<std::map<std::string, int64_t>> LoadOffsetHash(redis::Pool& redis,
                                                              const std::string& key);

// Gives the Kafka consumer the offsets stored in the hash `key`.
class RedisOffsetStore : public kafka::OffsetStore {
 public:
  RedisOffsetStore(redis::Pool& redis, std::string key) : redis_(redis), key_(std::move(key)) {}

  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> Load(
      const std::vector<kafka::TopicPartition>& partitions) override;

 private:
  redis::Pool& redis_;
  const std::string key_;
};

}  // namespace consort::consumer
