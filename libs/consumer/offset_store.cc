#include "consumer/offset_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace consort::consumer {

std::string OffsetField(const std::string& topic, int32_t partition) {
  return absl::StrCat(topic, ":", partition);
}

BatchOffsets NextOffsets(const std::vector<kafka::Message>& batch) {
  BatchOffsets offsets;
  for (const kafka::Message& message : batch) {
    int64_t& next = offsets.next[{message.topic, message.partition}];
    next = std::max(next, message.offset + 1);
  }
  for (const auto& [partition, offset] : offsets.next) {
    offsets.fields.emplace_back(OffsetField(partition.first, partition.second), offset);
  }
  return offsets;
}

absl::StatusOr<std::map<std::string, int64_t>> LoadOffsetHash(redis::Pool& redis,
                                                              const std::string& key) {
  absl::StatusOr<redis::Reply> reply = redis.Run({"HGETALL", key}, "load_offsets");
  if (!reply.ok()) return reply.status();
  std::map<std::string, int64_t> offsets;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    int64_t offset = 0;
    if (!absl::SimpleAtoi(reply->elements[i + 1].str, &offset)) {
      return absl::InternalError(
          absl::StrCat("stored offset of ", reply->elements[i].str, " is not an integer"));
    }
    offsets[reply->elements[i].str] = offset;
  }
  return offsets;
}

absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> RedisOffsetStore::Load(
    const std::vector<kafka::TopicPartition>& partitions) {
  absl::StatusOr<std::map<std::string, int64_t>> stored = LoadOffsetHash(redis_, key_);
  if (!stored.ok()) return stored.status();
  std::map<kafka::TopicPartition, int64_t> offsets;
  for (const kafka::TopicPartition& partition : partitions) {
    auto found = stored->find(OffsetField(partition.first, partition.second));
    if (found != stored->end()) offsets[partition] = found->second;
  }
  return offsets;
}

}  // namespace consort::consumer
