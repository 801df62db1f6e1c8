#pragma once

// Where an event consumer sends the messages it cannot use. DeadLetterSink is the interface the
// consumers call (tests record instead); KafkaDeadLetterSink copies the message to the dead-letter
// topic with kafka::SendToDeadLetter, so that every consumer writes the same headers.
//
// Thread safety: KafkaDeadLetterSink may be called from any thread but a Producer delivery
// callback.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kafka/message.h"
#include "kafka/producer.h"

namespace consort::consumer {

class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;

  // Returns OK once the message is durably on the dead-letter topic, so that the consumer may
  // then store the offset past it.
  virtual absl::Status Send(const kafka::Message& message, const std::string& reason) = 0;
};

class KafkaDeadLetterSink : public DeadLetterSink {
 public:
  // `consumer` names the service in the consort.deadletter.consumer header; `timeout` bounds the
  // wait for each delivery report.
  KafkaDeadLetterSink(kafka::Producer& producer, std::string topic, std::string consumer,
                      absl::Duration timeout);

  absl::Status Send(const kafka::Message& message, const std::string& reason) override;

 private:
  kafka::Producer& producer_;
  const std::string topic_;
  const std::string consumer_;
  const absl::Duration timeout_;
};

}  // namespace consort::consumer
