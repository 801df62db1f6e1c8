#pragma once

// Reads what the services published, for integration tests that check a topic. TopicReader reads
// one Kafka topic from its beginning with the project's kafka::Consumer, in a consumer group of
// its own, so it never disturbs the services' groups. ReadEventsById decodes the events of one
// protobuf type and collects them by id. Called by the partner, contract, communication,
// performance and incentive integration tests.
//
// Not thread-safe: one test thread uses a reader.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consort/events/v1/events.pb.h"
#include "gtest/gtest.h"
#include "kafka/consumer.h"
#include "kafka/message.h"
#include "prometheus/registry.h"

namespace consort::testing {

class TopicReader : public kafka::OffsetStore {
 public:
  // Subscribes to `topic` on the cluster at `bootstrap`. A consumer that cannot be created is
  // recorded as a test failure, and the reader then reads nothing.
  TopicReader(const std::string& bootstrap, const std::string& topic);

  TopicReader(const TopicReader&) = delete;
  TopicReader& operator=(const TopicReader&) = delete;

  // Starts every partition at its beginning: the reader stores no offsets.
  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> Load(
      const std::vector<kafka::TopicPartition>& partitions) override;

  // Polls until `done` returns true for the messages read so far, or `timeout` passes, and
  // returns every message read so far, in the order read.
  const std::vector<kafka::Message>& ReadUntil(
      const std::function<bool(const std::vector<kafka::Message>&)>& done, absl::Duration timeout);

  // Polls until `count` messages have been read in total, or `timeout` passes, and returns every
  // message read so far.
  const std::vector<kafka::Message>& ReadAtLeast(size_t count, absl::Duration timeout);

 private:
  prometheus::Registry registry_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::vector<kafka::Message> messages_;
};

// The id each event type is collected by, and the key its producer gives its message (the topic
// table in docs/design.md).
inline const std::string& EventId(const events::v1::SaleEvent& event) { return event.sale_id(); }
inline const std::string& EventKey(const events::v1::SaleEvent& event) {
  return event.partner_id();
}
inline const std::string& EventId(const events::v1::FeedbackEvent& event) {
  return event.feedback_id();
}
inline const std::string& EventKey(const events::v1::FeedbackEvent& event) {
  return event.partner_id();
}
inline const std::string& EventId(const events::v1::ContractEvent& event) {
  return event.contract_id();
}
inline const std::string& EventKey(const events::v1::ContractEvent& event) {
  return event.contract_id();
}

// Reads `topic` from its beginning until every id in `ids` has an event, or `timeout` passes.
// Returns the events by id, and where the topic contains an id twice, the last one read wins.
// Records a test failure for every message that does not decode as `Event`, and for every message
// whose key is not the event's key.
template <typename Event>
absl::flat_hash_map<std::string, Event> ReadEventsById(const std::string& bootstrap,
                                                       const std::string& topic,
                                                       const std::vector<std::string>& ids,
                                                       absl::Duration timeout) {
  absl::flat_hash_map<std::string, Event> events;
  auto all_found = [&] {
    for (const std::string& id : ids) {
      if (!events.contains(id)) return false;
    }
    return true;
  };
  TopicReader reader(bootstrap, topic);
  size_t decoded = 0;
  reader.ReadUntil(
      [&](const std::vector<kafka::Message>& messages) {
        for (; decoded < messages.size(); ++decoded) {
          const kafka::Message& message = messages[decoded];
          Event event;
          if (!event.ParseFromString(message.payload)) {
            ADD_FAILURE() << "undecodable message at " << message.topic << ":" << message.partition
                          << "@" << message.offset;
            continue;
          }
          EXPECT_EQ(message.key, EventKey(event)) << "message of " << EventId(event);
          events[EventId(event)] = event;
        }
        return all_found();
      },
      timeout);
  return events;
}

}  // namespace consort::testing
