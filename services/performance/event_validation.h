#pragma once

// Checks of the events that the performance service consumes. An event that fails a check cannot
// be aggregated and goes to the dead-letter topic with the returned message as its reason.
//
// Thread safety: pure functions, any thread.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consort/events/v1/events.pb.h"

namespace consort::performance {

// Longest sale, order or feedback id accepted, in bytes.
inline constexpr size_t kMaxReferenceLength = 256;

// Checks a SaleEvent: event time, sale and partner ids, kind, a positive amount and a quantity of
// at least 1 for a sale, a negative amount and an original sale id for a refund, a known
// currency and a contract id. Returns the event time, or INVALID_ARGUMENT naming the field.
absl::StatusOr<absl::Time> ValidateSaleEvent(const consort::events::v1::SaleEvent& sale);

// Checks a FeedbackEvent: event time, feedback and partner ids, a rating from 1 to 5. Returns the
// event time, or INVALID_ARGUMENT naming the field.
absl::StatusOr<absl::Time> ValidateFeedbackEvent(
    const consort::events::v1::FeedbackEvent& feedback);

}  // namespace consort::performance
