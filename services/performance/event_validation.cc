#include "performance/event_validation.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validation.h"

namespace consort::performance {

using consort::events::v1::FeedbackEvent;
using consumer::CheckEventTime;
using consumer::CheckOptionalReference;

absl::StatusOr<absl::Time> ValidateFeedbackEvent(const FeedbackEvent& feedback) {
  absl::StatusOr<absl::Time> event_time = CheckEventTime(feedback.has_meta(), feedback.meta());
  if (!event_time.ok()) return event_time.status();

  if (absl::Status status =
          CheckReference("feedback_id", feedback.feedback_id(), kMaxReferenceLength);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckIdentifier("partner_id", feedback.partner_id()); !status.ok()) {
    return status;
  }
  if (feedback.rating() < 1 || feedback.rating() > 5) {
    return InvalidField("rating", absl::StrCat(feedback.rating()), "an integer from 1 to 5");
  }
  if (absl::Status status = CheckOptionalReference("order_id", feedback.order_id()); !status.ok()) {
    return status;
  }
  return event_time;
}

}  // namespace consort::performance
