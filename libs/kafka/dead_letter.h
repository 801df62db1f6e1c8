#pragma once

// Dead-letter helper for consumers: a message that cannot be decoded or validated is copied to
// the dead-letter topic with the reason and its origin in headers, and the consumer moves on.
// Called by every service's event consumers. Thread safety is that of Producer: any thread may
// call these functions, except a Producer delivery callback for the waiting one.

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kafka/message.h"
#include "kafka/producer.h"

namespace consort::kafka {

// Header names added to a dead-lettered message. The original message's own headers come first,
// so when a message is dead-lettered twice, the last header of each name is the newest.
inline constexpr char kDeadLetterReasonHeader[] = "consort.deadletter.reason";
inline constexpr char kDeadLetterTopicHeader[] = "consort.deadletter.original_topic";
inline constexpr char kDeadLetterPartitionHeader[] = "consort.deadletter.original_partition";
inline constexpr char kDeadLetterOffsetHeader[] = "consort.deadletter.original_offset";
inline constexpr char kDeadLetterConsumerHeader[] = "consort.deadletter.consumer";

// Produces `original`'s key, payload and headers to `deadletter_topic`, adding the reason, the
// original topic, partition and offset (decimal) and the consumer's name as headers. Waits for
// the delivery report, so that the caller may mark the original offset processed once this
// returns OK. Returns the delivery error, or DEADLINE_EXCEEDED when no report came within
// `timeout`.
absl::Status SendToDeadLetter(Producer& producer, const std::string& deadletter_topic,
                              const Message& original, std::string_view reason,
                              std::string_view consumer,
                              absl::Duration timeout = absl::Seconds(30));

// Same message as SendToDeadLetter, without waiting: `on_delivery` receives the outcome.
absl::Status SendToDeadLetterAsync(Producer& producer, const std::string& deadletter_topic,
                                   const Message& original, std::string_view reason,
                                   std::string_view consumer,
                                   Producer::DeliveryCallback on_delivery);

}  // namespace consort::kafka
