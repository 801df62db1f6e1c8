#pragma once

// Validation and classification of customer feedback as RecordFeedback receives it. Pure: no
// I/O, so the service checks every field before it writes anything. The partner's existence is
// checked separately, over gRPC.
//
// Thread-safe: the functions keep no state.

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "consort/communication/v1/communication.pb.h"

namespace consort::communication {

inline constexpr size_t kMaxFeedbackIdLength = 256;
inline constexpr size_t kMaxOrderIdLength = 128;
inline constexpr size_t kMaxTitleChars = 500;
inline constexpr size_t kMaxTextChars = 10000;
inline constexpr int kMinRating = 1;
inline constexpr int kMaxRating = 5;
// How far in the future an event time may be, to allow for clock differences between systems.
inline constexpr absl::Duration kMaxEventTimeAhead = absl::Minutes(5);

// Checks every field that a client sets, with `now` as the current time. Returns
// INVALID_ARGUMENT naming the first invalid field, its value and what is allowed. Output-only
// fields (complaint, record_time) are ignored.
absl::Status ValidateFeedback(const v1::Feedback& feedback, absl::Time now);

// Returns whether feedback counts as a complaint: a rating of 2 or less, or flagged as one.
bool IsComplaint(int rating, bool flagged_complaint);

}  // namespace consort::communication
