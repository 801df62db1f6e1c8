#include "consumer/dead_letter_sink.h"

#include <utility>

#include "kafka/dead_letter.h"

namespace consort::consumer {

KafkaDeadLetterSink::KafkaDeadLetterSink(kafka::Producer& producer, std::string topic,
                                         std::string consumer, absl::Duration timeout)
    : producer_(producer),
      topic_(std::move(topic)),
      consumer_(std::move(consumer)),
      timeout_(timeout) {}

absl::Status KafkaDeadLetterSink::Send(const kafka::Message& message, const std::string& reason) {
  return kafka::SendToDeadLetter(producer_, topic_, message, reason, consumer_, timeout_);
}

}  // namespace consort::consumer
