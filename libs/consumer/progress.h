#pragma once

// GetConsumerProgress for the services that consume: how far the service's stored state has got
// on each partition that its Kafka consumer is assigned, and how many messages it dead-lettered.
//
// Thread safety: FillConsumerProgress is a pure function; the sources are called on the gRPC
// handler's thread and must be thread-safe (kafka::Consumer::GetProgress is).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "consort/common/v1/common.pb.h"
#include "kafka/consumer.h"

namespace consort::consumer {

// The assigned partitions with their high watermarks, and the count of dead-lettered messages.
struct ProgressSources {
  std::function<std::vector<kafka::PartitionProgress>()> partitions;
  std::function<int64_t()> dead_lettered;
};

// Fills `out` with one entry per partition in `sources.partitions()`: the next offset stored in
// `stored` ("topic:partition" -> next offset), or the consumer's own position when none is stored
// yet, and the partition's high watermark.
void FillConsumerProgress(const std::map<std::string, int64_t>& stored,
                          const ProgressSources& sources,
                          consort::common::v1::ConsumerProgress& out);

}  // namespace consort::consumer
