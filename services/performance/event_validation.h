#pragma once

// Checks of the events that the performance service consumes. An event that fails a check cannot
// be aggregated and goes to the dead-letter topic with the returned message as its reason. Sales
// are checked by the shared consumer library, feedback here.
//
// Thread safety: pure functions, any thread.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consort/events/v1/events.pb.h"
#include "consumer/event_validation.h"

namespace consort::performance {

using consumer::kMaxReferenceLength;
using consumer::ValidateSaleEvent;

// Checks a FeedbackEvent: event time, feedback and partner ids, a rating from 1 to 5. Returns the
// event time, or INVALID_ARGUMENT naming the field.
absl::StatusOr<absl::Time> ValidateFeedbackEvent(
    const consort::events::v1::FeedbackEvent& feedback);

}  // namespace consort::performance
