// Runs the real partner and communication binaries against the test run's Kafka and Redis and
// checks every CommunicationService RPC: the happy paths, each invalid field, duplicates, the
// feedback events on Kafka and the recorded-feedback metric.

#include <signal.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "consort/communication/v1/communication.grpc.pb.h"
#include "consort/events/v1/events.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/client_context.h"
#include "tests/support/metrics_text.h"
#include "tests/support/partners.h"
#include "tests/support/service_process.h"
#include "tests/support/stack_test.h"
#include "tests/support/topic_reader.h"

namespace consort::communication {
namespace {

using ::testing::HasSubstr;

using testing::MetricValue;

std::unique_ptr<grpc::ClientContext> Context() {
  return testing::ContextWithDeadline(absl::Seconds(10));
}

class CommunicationIntegrationTest : public testing::SharedStackTest {
 protected:
  static void SetUpTestSuite() { StartStack({"partner", "communication"}); }

  void SetUp() override {
    SharedStackTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    communication_ = v1::CommunicationService::NewStub(stack().service("communication").Channel());
    partners_ = partner::v1::PartnerService::NewStub(stack().service("partner").Channel());
  }

  std::string NewPartner() { return testing::CreateTestPartner(*partners_); }

  static v1::Feedback ValidFeedback(const std::string& partner_id, int rating = 4) {
    v1::Feedback feedback;
    feedback.set_feedback_id(absl::StrCat("review-", testing::UniqueSuffix()));
    feedback.set_partner_id(partner_id);
    feedback.set_order_id("order-1");
    feedback.set_rating(rating);
    feedback.set_title("Entrega rápida");
    feedback.set_text("Chegou antes do prazo.\nRecomendo.");
    *feedback.mutable_event_time() = ToProtoTimestamp(absl::Now() - absl::Hours(24));
    return feedback;
  }

  grpc::Status Record(const v1::Feedback& feedback, v1::RecordFeedbackResponse* response) {
    v1::RecordFeedbackRequest request;
    *request.mutable_feedback() = feedback;
    return communication_->RecordFeedback(Context().get(), request, response);
  }

  // Records `feedback` and returns the stored feedback; a failure is a test failure.
  v1::Feedback MustRecord(const v1::Feedback& feedback) {
    v1::RecordFeedbackResponse response;
    const grpc::Status status = Record(feedback, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.feedback();
  }

  // Expects RecordFeedback to fail with INVALID_ARGUMENT naming `field`.
  void ExpectInvalid(const v1::Feedback& feedback, const std::string& field) {
    v1::RecordFeedbackResponse response;
    const grpc::Status status = Record(feedback, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(status.error_message(), HasSubstr(field));
  }

  grpc::Status List(const std::string& partner_id, int page_size, const std::string& token,
                    v1::ListFeedbackResponse* response) {
    v1::ListFeedbackRequest request;
    request.set_partner_id(partner_id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return communication_->ListFeedback(Context().get(), request, response);
  }

  common::v1::OutboxStatus OutboxStatus() {
    common::v1::OutboxStatus status;
    EXPECT_TRUE(
        communication_
            ->GetOutboxStatus(Context().get(), common::v1::GetOutboxStatusRequest(), &status)
            .ok());
    return status;
  }

  std::unique_ptr<v1::CommunicationService::Stub> communication_;
  std::unique_ptr<partner::v1::PartnerService::Stub> partners_;
};

TEST_F(CommunicationIntegrationTest, RecordReturnsStoredFeedback) {
  const v1::Feedback feedback = ValidFeedback(NewPartner());
  v1::RecordFeedbackResponse response;
  const grpc::Status status = Record(feedback, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.duplicate());
  EXPECT_EQ(response.feedback().feedback_id(), feedback.feedback_id());
  EXPECT_EQ(response.feedback().title(), feedback.title());
  EXPECT_EQ(response.feedback().text(), feedback.text());
  EXPECT_FALSE(response.feedback().complaint());
  EXPECT_TRUE(response.feedback().has_record_time());
}

TEST_F(CommunicationIntegrationTest, LowRatingIsComplaint) {
  const std::string partner_id = NewPartner();
  EXPECT_TRUE(MustRecord(ValidFeedback(partner_id, 1)).complaint());
  EXPECT_TRUE(MustRecord(ValidFeedback(partner_id, 2)).complaint());
  EXPECT_FALSE(MustRecord(ValidFeedback(partner_id, 3)).complaint());
}

TEST_F(CommunicationIntegrationTest, FlagMakesComplaint) {
  v1::Feedback feedback = ValidFeedback(NewPartner(), 5);
  feedback.set_flagged_complaint(true);
  EXPECT_TRUE(MustRecord(feedback).complaint());
}

TEST_F(CommunicationIntegrationTest, DuplicateReturnsStored) {
  const std::string partner_id = NewPartner();
  v1::Feedback feedback = ValidFeedback(partner_id, 5);
  const v1::Feedback first = MustRecord(feedback);
  feedback.set_rating(1);
  feedback.set_text("changed");
  v1::RecordFeedbackResponse second;
  ASSERT_TRUE(Record(feedback, &second).ok());
  EXPECT_TRUE(second.duplicate());
  EXPECT_EQ(second.feedback().SerializeAsString(), first.SerializeAsString());

  v1::ListFeedbackResponse listed;
  ASSERT_TRUE(List(partner_id, 10, "", &listed).ok());
  EXPECT_EQ(listed.feedback_size(), 1);
}

TEST_F(CommunicationIntegrationTest, MissingFeedbackIsInvalid) {
  v1::RecordFeedbackResponse response;
  const grpc::Status status =
      communication_->RecordFeedback(Context().get(), v1::RecordFeedbackRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("feedback is missing"));
}

TEST_F(CommunicationIntegrationTest, UnknownPartnerIsFailedPrecondition) {
  v1::RecordFeedbackResponse response;
  const grpc::Status status =
      Record(ValidFeedback(absl::StrCat("nobody-", testing::UniqueSuffix())), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("not found"));
}

TEST_F(CommunicationIntegrationTest, RejectsEachInvalidField) {
  const std::string partner_id = NewPartner();
  struct Case {
    std::string field;
    std::function<void(v1::Feedback&)> change;
  };
  const std::vector<Case> cases = {
      {"feedback.feedback_id is missing", [](v1::Feedback& f) { f.clear_feedback_id(); }},
      {"feedback.feedback_id is invalid", [](v1::Feedback& f) { f.set_feedback_id("a b"); }},
      {"feedback.feedback_id is invalid",
       [](v1::Feedback& f) { f.set_feedback_id(std::string(257, 'f')); }},
      {"feedback.partner_id is missing", [](v1::Feedback& f) { f.clear_partner_id(); }},
      {"feedback.partner_id is invalid", [](v1::Feedback& f) { f.set_partner_id("p 1"); }},
      {"feedback.partner_id is invalid",
       [](v1::Feedback& f) { f.set_partner_id(std::string(65, 'p')); }},
      {"feedback.order_id is invalid",
       [](v1::Feedback& f) { f.set_order_id(std::string(129, 'o')); }},
      {"feedback.rating is missing", [](v1::Feedback& f) { f.clear_rating(); }},
      {"feedback.rating is invalid", [](v1::Feedback& f) { f.set_rating(6); }},
      {"feedback.rating is invalid", [](v1::Feedback& f) { f.set_rating(-2); }},
      {"feedback.title is invalid", [](v1::Feedback& f) { f.set_title(std::string(501, 't')); }},
      // Invalid UTF-8 never reaches the handler, because gRPC rejects it while parsing a proto3
      // string field, so control characters stand for malformed text here.
      {"feedback.title is invalid", [](v1::Feedback& f) { f.set_title("bell\x07"); }},
      {"feedback.text is invalid", [](v1::Feedback& f) { f.set_text(std::string(10001, 'x')); }},
      {"feedback.text is invalid", [](v1::Feedback& f) { f.set_text(std::string("\0x", 2)); }},
      {"feedback.event_time is missing", [](v1::Feedback& f) { f.clear_event_time(); }},
      {"feedback.event_time is invalid",
       [](v1::Feedback& f) {
         *f.mutable_event_time() = ToProtoTimestamp(absl::Now() + absl::Minutes(10));
       }},
  };
  for (const Case& test_case : cases) {
    v1::Feedback feedback = ValidFeedback(partner_id);
    test_case.change(feedback);
    ExpectInvalid(feedback, test_case.field);
  }

  v1::ListFeedbackResponse listed;
  ASSERT_TRUE(List(partner_id, 10, "", &listed).ok());
  EXPECT_EQ(listed.feedback_size(), 0);
}

TEST_F(CommunicationIntegrationTest, ListNewestFirstInPages) {
  const std::string partner_id = NewPartner();
  const absl::Time base = absl::Now() - absl::Hours(100);
  for (int hours : {3, 1, 2}) {
    v1::Feedback feedback = ValidFeedback(partner_id);
    feedback.set_feedback_id(absl::StrCat(partner_id, "-h", hours));
    *feedback.mutable_event_time() = ToProtoTimestamp(base + absl::Hours(hours));
    MustRecord(feedback);
  }

  v1::ListFeedbackResponse first;
  ASSERT_TRUE(List(partner_id, 2, "", &first).ok());
  ASSERT_EQ(first.feedback_size(), 2);
  EXPECT_EQ(first.feedback(0).feedback_id(), partner_id + "-h3");
  EXPECT_EQ(first.feedback(1).feedback_id(), partner_id + "-h2");
  ASSERT_FALSE(first.next_page_token().empty());

  v1::ListFeedbackResponse second;
  ASSERT_TRUE(List(partner_id, 2, first.next_page_token(), &second).ok());
  ASSERT_EQ(second.feedback_size(), 1);
  EXPECT_EQ(second.feedback(0).feedback_id(), partner_id + "-h1");
  EXPECT_EQ(second.next_page_token(), "");
}

TEST_F(CommunicationIntegrationTest, ListRejectsBadRequests) {
  v1::ListFeedbackResponse response;
  EXPECT_EQ(List("", 10, "", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(List("p1", 1001, "", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(List("p1", -1, "", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(List("p1", 10, "garbage", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CommunicationIntegrationTest, EventsReachKafkaWithComplaintFlag) {
  const std::string partner_id = NewPartner();
  const v1::Feedback happy = MustRecord(ValidFeedback(partner_id, 5));
  const v1::Feedback unhappy = MustRecord(ValidFeedback(partner_id, 1));
  v1::Feedback flagged_input = ValidFeedback(partner_id, 4);
  flagged_input.set_flagged_complaint(true);
  const v1::Feedback flagged = MustRecord(flagged_input);

  auto found = testing::ReadEventsById<events::v1::FeedbackEvent>(
      testing::KafkaBootstrap(), stack().topic("consort.feedback.v1"),
      {happy.feedback_id(), unhappy.feedback_id(), flagged.feedback_id()}, absl::Seconds(30));
  ASSERT_EQ(found.count(happy.feedback_id()), 1u) << "feedback event missing on the topic";
  ASSERT_EQ(found.count(unhappy.feedback_id()), 1u) << "feedback event missing on the topic";
  ASSERT_EQ(found.count(flagged.feedback_id()), 1u) << "feedback event missing on the topic";
  EXPECT_FALSE(found[happy.feedback_id()].complaint());
  EXPECT_TRUE(found[unhappy.feedback_id()].complaint());
  EXPECT_TRUE(found[flagged.feedback_id()].complaint());

  const events::v1::FeedbackEvent& event = found[unhappy.feedback_id()];
  EXPECT_EQ(event.partner_id(), partner_id);
  EXPECT_EQ(event.rating(), 1);
  EXPECT_EQ(event.order_id(), "order-1");
  EXPECT_EQ(event.title(), unhappy.title());
  EXPECT_EQ(event.text(), unhappy.text());
  EXPECT_EQ(event.meta().producer(), "communication");
  EXPECT_EQ(event.meta().event_time().seconds(), unhappy.event_time().seconds());
  EXPECT_EQ(event.meta().record_time().seconds(), unhappy.record_time().seconds());
  EXPECT_EQ(event.meta().event_id().size(), 36u);
}

TEST_F(CommunicationIntegrationTest, OutboxDrains) {
  const std::string partner_id = NewPartner();
  for (int i = 0; i < 5; ++i) MustRecord(ValidFeedback(partner_id));
  common::v1::OutboxStatus status = OutboxStatus();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (status.pending() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
    status = OutboxStatus();
  }
  EXPECT_EQ(status.pending(), 0);
  EXPECT_GE(status.relayed(), 5);
}

TEST_F(CommunicationIntegrationTest, MetricsCountByComplaint) {
  const testing::ServiceProcess& communication = stack().service("communication");
  const std::string before = testing::ScrapeMetrics(communication);
  const double complaints_before =
      std::max(0.0, MetricValue(before, "consort_feedback_recorded_total{complaint=\"true\"}"));
  const double others_before =
      std::max(0.0, MetricValue(before, "consort_feedback_recorded_total{complaint=\"false\"}"));

  const std::string partner_id = NewPartner();
  const v1::Feedback complaint = MustRecord(ValidFeedback(partner_id, 1));
  MustRecord(ValidFeedback(partner_id, 5));
  MustRecord(complaint);  // a duplicate is not counted

  const std::string after = testing::ScrapeMetrics(communication);
  EXPECT_EQ(MetricValue(after, "consort_feedback_recorded_total{complaint=\"true\"}"),
            complaints_before + 1);
  EXPECT_EQ(MetricValue(after, "consort_feedback_recorded_total{complaint=\"false\"}"),
            others_before + 1);
  EXPECT_GE(MetricValue(after, "consort_outbox_depth"), 0);
  EXPECT_GE(MetricValue(after, "consort_kafka_producer_queue_depth"), 0);
}

TEST_F(CommunicationIntegrationTest, ConcurrentRecordsAllStored) {
  const std::string partner_id = NewPartner();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        v1::Feedback feedback = ValidFeedback(partner_id, 1 + (i % 5));
        feedback.set_feedback_id(absl::StrCat(partner_id, "-", t, "-", i));
        v1::RecordFeedbackResponse response;
        if (!Record(feedback, &response).ok() || response.duplicate()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  v1::ListFeedbackResponse listed;
  ASSERT_TRUE(List(partner_id, 1000, "", &listed).ok());
  EXPECT_EQ(listed.feedback_size(), kThreads * kPerThread);
}

TEST_F(CommunicationIntegrationTest, StopLosesNothingAcknowledged) {
  const std::string partner_id = NewPartner();
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      // Each thread records until the stopping service rejects a call.
      for (int i = 0;; ++i) {
        v1::Feedback feedback = ValidFeedback(partner_id, 1 + (i % 5));
        feedback.set_feedback_id(absl::StrCat(partner_id, "-", t, "-", i));
        v1::RecordFeedbackResponse response;
        if (!Record(feedback, &response).ok()) return;
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.insert(feedback.feedback_id());
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(500));
  stack().service("communication").Signal(SIGTERM);
  auto exit_code = stack().service("communication").WaitForExit(absl::Seconds(60));
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << stack().service("communication").LogTail();
  ASSERT_TRUE(stack().StartAgain("communication").ok());
  ASSERT_FALSE(acknowledged.empty());

  auto published = testing::ReadEventsById<events::v1::FeedbackEvent>(
      testing::KafkaBootstrap(), stack().topic("consort.feedback.v1"),
      std::vector<std::string>(acknowledged.begin(), acknowledged.end()), absl::Seconds(60));
  for (const std::string& id : acknowledged) {
    EXPECT_EQ(published.count(id), 1u) << id << " was acknowledged but never published";
  }
}

}  // namespace
}  // namespace consort::communication
