#pragma once

// Identifier generation. Thread-safe.

#include <string>

namespace consort {

// Returns a new UUID version 7 (RFC 9562) in its 36-character lower-case text form. The first 48
// bits are the Unix time in milliseconds, so identifiers sort by creation time; within one
// millisecond a process's identifiers increase monotonically.
std::string NewEventId();

}  // namespace consort
