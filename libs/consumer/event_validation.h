#pragma once

// Checks of the events that the performance and incentive services consume. An event that fails
// a check cannot be used and goes to the dead-letter topic with the returned message as its
// reason.
//
// Thread safety: pure functions, any thread.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "consort/events/v1/events.pb.h"

namespace consort::consumer {

// Maximum length of a sale, order or feedback id, in bytes.
inline constexpr size_t kMaxReferenceLength = 256;

// Checks a SaleEvent: event time, sale and partner ids, kind, a known currency and a contract id.
// A sale needs a positive amount and a quantity of at least 1, a refund a negative amount and an
// original sale id. Returns the event time, or INVALID_ARGUMENT naming the field.
absl::StatusOr<absl::Time> ValidateSaleEvent(const consort::events::v1::SaleEvent& sale);

// Returns the event time of `meta`, or INVALID_ARGUMENT when it is missing or out of range.
absl::StatusOr<absl::Time> CheckEventTime(bool has_meta,
                                          const consort::events::v1::EventMeta& meta);

// Checks a reference that may be empty (CheckReference of libs/common otherwise).
absl::Status CheckOptionalReference(absl::string_view field, const std::string& value);

}  // namespace consort::consumer
