#include "services/communication/feedback_validation.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace consort::communication {

bool IsComplaint(int rating, bool flagged_complaint) { return rating <= 2 || flagged_complaint; }

absl::Status ValidateFeedback(const v1::Feedback& feedback, absl::Time now) {
  if (auto status =
          CheckReference("feedback.feedback_id", feedback.feedback_id(), kMaxFeedbackIdLength);
      !status.ok()) {
    return status;
  }
  if (auto status = CheckIdentifier("feedback.partner_id", feedback.partner_id()); !status.ok()) {
    return status;
  }
  if (!feedback.order_id().empty()) {
    if (auto status = CheckReference("feedback.order_id", feedback.order_id(), kMaxOrderIdLength);
        !status.ok()) {
      return status;
    }
  }

  constexpr absl::string_view kRatingRule = "expected a rating from 1 (worst) to 5 (best)";
  if (feedback.rating() == 0) return MissingField("feedback.rating", kRatingRule);
  if (feedback.rating() < kMinRating || feedback.rating() > kMaxRating) {
    return InvalidField("feedback.rating", absl::StrCat(feedback.rating()), kRatingRule);
  }

  if (auto status = CheckText("feedback.title", feedback.title(), kMaxTitleChars, false);
      !status.ok()) {
    return status;
  }
  if (auto status = CheckText("feedback.text", feedback.text(), kMaxTextChars, false);
      !status.ok()) {
    return status;
  }

  constexpr absl::string_view kTimeRule =
      "expected when the customer gave the feedback, at most 5 minutes in the future";
  if (!feedback.has_event_time()) return MissingField("feedback.event_time", kTimeRule);
  auto event_time = FromProtoTimestamp(feedback.event_time(), "feedback.event_time");
  if (!event_time.ok()) return event_time.status();
  if (*event_time > now + kMaxEventTimeAhead) {
    return InvalidField("feedback.event_time", FormatUtc(*event_time),
                        absl::StrCat(kTimeRule, " (now is ", FormatUtc(now), ")"));
  }
  return absl::OkStatus();
}

}  // namespace consort::communication
