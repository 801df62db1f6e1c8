#include "consumer/progress.h"

#include "consumer/offset_store.h"

namespace consort::consumer {

void FillConsumerProgress(const std::map<std::string, int64_t>& stored,
                          const ProgressSources& sources,
                          consort::common::v1::ConsumerProgress& out) {
  std::vector<kafka::PartitionProgress> assigned;
  if (sources.partitions) assigned = sources.partitions();
  for (const kafka::PartitionProgress& partition : assigned) {
    consort::common::v1::PartitionProgress& entry = *out.add_partitions();
    entry.set_topic(partition.topic);
    entry.set_partition(partition.partition);
    auto found = stored.find(OffsetField(partition.topic, partition.partition));
    // With nothing stored yet, the consumer's own position is the start of the partition.
    entry.set_next_offset(found != stored.end() ? found->second : partition.next_offset);
    entry.set_high_watermark(partition.high_watermark);
  }
  if (sources.dead_lettered) out.set_dead_lettered(sources.dead_lettered());
}

}  // namespace consort::consumer
