#pragma once

// Conversions between protobuf Timestamps and absl::Time. Thread-safe.

#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace consort {

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);

// Fails with INVALID_ARGUMENT naming `field` when the seconds or nanos are outside the ranges
// that google.protobuf.Timestamp allows (years 1 to 9999, nanos 0 to 999,999,999).
absl::StatusOr<absl::Time> FromProtoTimestamp(const google::protobuf::Timestamp& timestamp,
                                              absl::string_view field);

// Formats as RFC 3339 in UTC with seconds, for logs and messages.
std::string FormatUtc(absl::Time time);

}  // namespace consort
