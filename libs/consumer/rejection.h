#pragma once

// A message of a polled batch that a consumer cannot use and sends to the dead-letter topic.
// Plain value type.

#include <cstddef>
#include <string>

namespace consort::consumer {

struct Rejection {
  // Position of the message in the polled batch.
  size_t message_index = 0;
  // Label of consort_events_rejected_total, from a fixed set per service.
  std::string reason;
  // Sentence stored in the dead-letter header and logged.
  std::string message;
};

}  // namespace consort::consumer
