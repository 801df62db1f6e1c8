#include "kafka/dead_letter.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace consort::kafka {

absl::Status SendToDeadLetterAsync(Producer& producer, const std::string& deadletter_topic,
                                   const Message& original, std::string_view reason,
                                   std::string_view consumer,
                                   Producer::DeliveryCallback on_delivery) {
  std::vector<std::pair<std::string, std::string>> headers = original.headers;
  headers.emplace_back(kDeadLetterReasonHeader, std::string(reason));
  headers.emplace_back(kDeadLetterTopicHeader, original.topic);
  headers.emplace_back(kDeadLetterPartitionHeader, absl::StrCat(original.partition));
  headers.emplace_back(kDeadLetterOffsetHeader, absl::StrCat(original.offset));
  headers.emplace_back(kDeadLetterConsumerHeader, std::string(consumer));
  return producer.Produce(deadletter_topic, original.key, original.payload, std::move(headers),
                          std::move(on_delivery));
}

absl::Status SendToDeadLetter(Producer& producer, const std::string& deadletter_topic,
                              const Message& original, std::string_view reason,
                              std::string_view consumer, absl::Duration timeout) {
  // Shared with the callback, which may run after this function gave up waiting.
  struct Outcome {
    absl::Mutex mu;
    bool done ABSL_GUARDED_BY(mu) = false;
    absl::Status status ABSL_GUARDED_BY(mu);
  };
  auto outcome = std::make_shared<Outcome>();

  absl::Status queued = SendToDeadLetterAsync(producer, deadletter_topic, original, reason,
                                              consumer, [outcome](absl::Status status) {
                                                absl::MutexLock lock(&outcome->mu);
                                                outcome->status = std::move(status);
                                                outcome->done = true;
                                              });
  if (!queued.ok()) return queued;

  absl::MutexLock lock(&outcome->mu);
  if (!outcome->mu.AwaitWithTimeout(absl::Condition(&outcome->done), timeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("dead-lettering message ", original.topic, "/", original.partition, "@",
                     original.offset, " to ", deadletter_topic, " timed out after ",
                     absl::FormatDuration(timeout), " without a delivery report"));
  }
  return outcome->status;
}

}  // namespace consort::kafka
