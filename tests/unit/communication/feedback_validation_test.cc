#include "services/communication/feedback_validation.h"

#include <string>
#include <vector>

#include "common/time_util.h"
#include "gtest/gtest.h"

namespace consort::communication {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

v1::Feedback ValidFeedback() {
  v1::Feedback feedback;
  feedback.set_feedback_id("review-1-order-1-seller-1");
  feedback.set_partner_id("p-1");
  feedback.set_order_id("order-1");
  feedback.set_rating(4);
  feedback.set_title("Chegou no prazo");
  feedback.set_text("Produto bom, recomendo.");
  *feedback.mutable_event_time() = ToProtoTimestamp(kNow - absl::Hours(1));
  return feedback;
}

// Expects INVALID_ARGUMENT whose message starts with `prefix`.
void ExpectInvalid(const v1::Feedback& feedback, const std::string& prefix) {
  absl::Status status = ValidateFeedback(feedback, kNow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << prefix;
  EXPECT_EQ(status.message().substr(0, prefix.size()), prefix) << status.message();
}

TEST(ValidateFeedback, AcceptsValidFeedback) {
  EXPECT_TRUE(ValidateFeedback(ValidFeedback(), kNow).ok());
}

TEST(ValidateFeedback, AcceptsOnlyRequiredFields) {
  v1::Feedback feedback = ValidFeedback();
  feedback.clear_order_id();
  feedback.clear_title();
  feedback.clear_text();
  EXPECT_TRUE(ValidateFeedback(feedback, kNow).ok());
}

TEST(ValidateFeedback, IgnoresOutputOnlyFields) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_complaint(true);
  feedback.mutable_record_time()->set_seconds(-1);
  EXPECT_TRUE(ValidateFeedback(feedback, kNow).ok());
}

TEST(ValidateFeedback, RejectsBadFeedbackId) {
  v1::Feedback feedback = ValidFeedback();
  feedback.clear_feedback_id();
  ExpectInvalid(feedback, "feedback.feedback_id is missing");
  feedback.set_feedback_id("has space");
  ExpectInvalid(feedback, "feedback.feedback_id is invalid");
  feedback.set_feedback_id(std::string(257, 'f'));
  ExpectInvalid(feedback, "feedback.feedback_id is invalid");
}

TEST(ValidateFeedback, AcceptsLongestFeedbackId) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_feedback_id(std::string(256, 'f'));
  EXPECT_TRUE(ValidateFeedback(feedback, kNow).ok());
}

TEST(ValidateFeedback, RejectsBadPartnerId) {
  v1::Feedback feedback = ValidFeedback();
  feedback.clear_partner_id();
  ExpectInvalid(feedback, "feedback.partner_id is missing");
  feedback.set_partner_id("p/1");
  ExpectInvalid(feedback, "feedback.partner_id is invalid");
  feedback.set_partner_id(std::string(65, 'p'));
  ExpectInvalid(feedback, "feedback.partner_id is invalid");
}

TEST(ValidateFeedback, RejectsBadOrderId) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_order_id(std::string(129, 'o'));
  ExpectInvalid(feedback, "feedback.order_id is invalid");
  feedback.set_order_id("order 1");
  ExpectInvalid(feedback, "feedback.order_id is invalid");
}

TEST(ValidateFeedback, RejectsMissingRating) {
  v1::Feedback feedback = ValidFeedback();
  feedback.clear_rating();
  ExpectInvalid(feedback, "feedback.rating is missing");
}

TEST(ValidateFeedback, RejectsRatingOutOfRange) {
  for (int rating : {-1, 6, 100}) {
    v1::Feedback feedback = ValidFeedback();
    feedback.set_rating(rating);
    ExpectInvalid(feedback, "feedback.rating is invalid");
  }
}

TEST(ValidateFeedback, AcceptsEveryRating) {
  for (int rating = 1; rating <= 5; ++rating) {
    v1::Feedback feedback = ValidFeedback();
    feedback.set_rating(rating);
    EXPECT_TRUE(ValidateFeedback(feedback, kNow).ok()) << rating;
  }
}

TEST(ValidateFeedback, RejectsTooLongTitle) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_title(std::string(501, 't'));
  ExpectInvalid(feedback, "feedback.title is invalid");
}

TEST(ValidateFeedback, CountsTitleInCharacters) {
  v1::Feedback feedback = ValidFeedback();
  std::string title;
  for (int i = 0; i < 500; ++i) title += "\xc3\xa9";  // "é", two bytes each
  feedback.set_title(title);
  EXPECT_TRUE(ValidateFeedback(feedback, kNow).ok());
}

TEST(ValidateFeedback, RejectsInvalidUtf8Title) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_title("\xff\xfe");
  ExpectInvalid(feedback, "feedback.title is invalid");
}

TEST(ValidateFeedback, RejectsTooLongText) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_text(std::string(10001, 'x'));
  ExpectInvalid(feedback, "feedback.text is invalid");
}

TEST(ValidateFeedback, AcceptsLongestText) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_text(std::string(10000, 'x'));
  EXPECT_TRUE(ValidateFeedback(feedback, kNow).ok());
}

TEST(ValidateFeedback, AcceptsTextWithLineBreaks) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_text("first line\r\nsecond line\ttabbed");
  EXPECT_TRUE(ValidateFeedback(feedback, kNow).ok());
}

TEST(ValidateFeedback, RejectsControlCharactersInText) {
  v1::Feedback feedback = ValidFeedback();
  feedback.set_text(std::string("bell\x07", 5));
  ExpectInvalid(feedback, "feedback.text is invalid");
}

TEST(ValidateFeedback, RejectsMissingEventTime) {
  v1::Feedback feedback = ValidFeedback();
  feedback.clear_event_time();
  ExpectInvalid(feedback, "feedback.event_time is missing");
}

TEST(ValidateFeedback, RejectsEventTimeFarInFuture) {
  v1::Feedback feedback = ValidFeedback();
  *feedback.mutable_event_time() = ToProtoTimestamp(kNow + absl::Minutes(5) + absl::Seconds(1));
  ExpectInvalid(feedback, "feedback.event_time is invalid");
}

TEST(ValidateFeedback, AcceptsEventTimeSlightlyAhead) {
  v1::Feedback feedback = ValidFeedback();
  *feedback.mutable_event_time() = ToProtoTimestamp(kNow + absl::Minutes(5));
  EXPECT_TRUE(ValidateFeedback(feedback, kNow).ok());
}

TEST(ValidateFeedback, RejectsOutOfRangeTimestamp) {
  v1::Feedback feedback = ValidFeedback();
  feedback.mutable_event_time()->set_nanos(-1);
  EXPECT_EQ(ValidateFeedback(feedback, kNow).code(), absl::StatusCode::kInvalidArgument);
}

TEST(IsComplaint, LowRatingIsComplaint) {
  EXPECT_TRUE(IsComplaint(1, false));
  EXPECT_TRUE(IsComplaint(2, false));
}

TEST(IsComplaint, HighRatingIsNotComplaint) {
  EXPECT_FALSE(IsComplaint(3, false));
  EXPECT_FALSE(IsComplaint(5, false));
}

TEST(IsComplaint, FlagMakesComplaint) { EXPECT_TRUE(IsComplaint(5, true)); }

}  // namespace
}  // namespace consort::communication
