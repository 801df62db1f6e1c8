#pragma once

// Helpers for the performance service's integration tests. PerformanceStack runs the real
// partner, contract, communication and performance binaries with clients for them, sets up
// partners with active contracts, reports sales and feedback, and waits for scorecards. The
// partners, sales, topic reader and raw producer come from tests/support.
//
// Not thread-safe: one test thread drives a stack.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/time_util.h"
#include "consort/communication/v1/communication.grpc.pb.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/events/v1/events.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "consort/performance/v1/performance.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/client_context.h"
#include "tests/support/metrics_text.h"
#include "tests/support/partners.h"
#include "tests/support/raw_producer.h"
#include "tests/support/sales.h"
#include "tests/support/service_process.h"
#include "tests/support/topic_reader.h"

namespace consort::performance::testing {

using consort::testing::ContextWithDeadline;
using consort::testing::RawProducer;
using consort::testing::RefundRecordAt;
using consort::testing::ScrapeMetrics;
using consort::testing::Stack;
using consort::testing::TopicReader;

// Returns the "YYYY-MM" label of the month `months_back` months before the current one in
// America/Sao_Paulo, and the instant of 23:30 local time on its last day.
struct PastMonth {
  std::string label;
  absl::Time last_evening;
  absl::Time mid_month;
};

inline PastMonth MonthsBack(int months_back) {
  const absl::TimeZone zone = consort::testing::ContractTimeZone();
  const absl::CivilMonth month =
      absl::CivilMonth(absl::ToCivilSecond(absl::Now(), zone)) - months_back;
  const absl::CivilDay last_day = absl::CivilDay(month + 1) - 1;
  PastMonth past;
  past.label = absl::FormatCivilTime(month).substr(0, 7);
  past.last_evening = absl::FromCivil(
      absl::CivilSecond(last_day.year(), last_day.month(), last_day.day(), 23, 30, 0), zone);
  past.mid_month =
      absl::FromCivil(absl::CivilSecond(month.year(), month.month(), 15, 12, 0, 0), zone);
  return past;
}

// The services and their clients.
class PerformanceStack {
 public:
  static std::unique_ptr<PerformanceStack> Start() {
    auto stack = Stack::Start({"partner", "contract", "communication", "performance"});
    EXPECT_TRUE(stack.ok()) << stack.status();
    if (!stack.ok()) return nullptr;
    auto result = std::unique_ptr<PerformanceStack>(new PerformanceStack());
    result->stack_ = *std::move(stack);
    result->Connect();
    return result;
  }

  Stack& stack() { return *stack_; }
  std::string topic(const std::string& base) const { return stack_->topic(base); }
  partner::v1::PartnerService::Stub& partners() { return *partners_; }
  contract::v1::ContractService::Stub& contracts() { return *contracts_; }
  communication::v1::CommunicationService::Stub& feedback() { return *feedback_; }
  v1::PerformanceService::Stub& performance() { return *performance_; }

  // Re-creates the performance client after a restart.
  void Connect() {
    partners_ = partner::v1::PartnerService::NewStub(stack_->service("partner").Channel());
    contracts_ = contract::v1::ContractService::NewStub(stack_->service("contract").Channel());
    feedback_ = communication::v1::CommunicationService::NewStub(
        stack_->service("communication").Channel());
    performance_ = v1::PerformanceService::NewStub(stack_->service("performance").Channel());
  }

  // Creates an active partner with an active covered contract (tests/support/partners.h) with
  // the given monthly target.
  void AddPartner(const std::string& partner_id, const std::string& target = "1000.00") {
    consort::testing::CoveredPartner covered;
    covered.partner_id = partner_id;
    covered.monthly_target = target;
    const absl::Status created =
        consort::testing::CreateCoveredPartner(*partners_, *contracts_, covered);
    ASSERT_TRUE(created.ok()) << created;
  }

  // Reports records through ReportSales and returns one outcome per record.
  std::vector<partner::v1::SaleResult> Report(const std::vector<partner::v1::SaleRecord>& records) {
    consort::testing::SalesReport report =
        consort::testing::ReportSales(*partners_, records, absl::Seconds(60));
    EXPECT_TRUE(report.status.ok()) << report.status.error_message();
    return std::move(report.results);
  }

  // Reports records and expects each to be accepted.
  void ReportAccepted(const std::vector<partner::v1::SaleRecord>& records) {
    consort::testing::ExpectAllAccepted(
        records, consort::testing::ReportSales(*partners_, records, absl::Seconds(60)));
  }

  void RecordFeedback(const std::string& feedback_id, const std::string& partner_id, int rating,
                      absl::Time time) {
    communication::v1::RecordFeedbackRequest request;
    communication::v1::Feedback& feedback = *request.mutable_feedback();
    feedback.set_feedback_id(feedback_id);
    feedback.set_partner_id(partner_id);
    feedback.set_rating(rating);
    *feedback.mutable_event_time() = ToProtoTimestamp(time);
    communication::v1::RecordFeedbackResponse response;
    grpc::Status status =
        feedback_->RecordFeedback(ContextWithDeadline().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status GetScorecard(const std::string& partner_id, const std::string& period,
                            v1::Scorecard* card) {
    v1::GetScorecardRequest request;
    request.set_partner_id(partner_id);
    request.set_period(period);
    return performance_->GetScorecard(ContextWithDeadline().get(), request, card);
  }

  // Polls GetScorecard until `done` accepts the scorecard or `timeout` passes; returns the last
  // scorecard read (empty when none exists).
  v1::Scorecard WaitForScorecard(const std::string& partner_id, const std::string& period,
                                 const std::function<bool(const v1::Scorecard&)>& done,
                                 absl::Duration timeout = absl::Seconds(60)) {
    const absl::Time deadline = absl::Now() + timeout;
    v1::Scorecard card;
    while (absl::Now() < deadline) {
      v1::Scorecard read;
      if (GetScorecard(partner_id, period, &read).ok()) {
        card = read;
        if (done(card)) break;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return card;
  }

  common::v1::ConsumerProgress Progress() {
    common::v1::ConsumerProgress progress;
    grpc::Status status = performance_->GetConsumerProgress(
        ContextWithDeadline().get(), common::v1::GetConsumerProgressRequest(), &progress);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return progress;
  }

  // Waits until the consumer has stored every message up to the high watermark of each partition
  // assigned to it. Returns false on timeout.
  bool WaitCaughtUp(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      common::v1::ConsumerProgress progress = Progress();
      bool caught_up = progress.partitions_size() > 0;
      for (const common::v1::PartitionProgress& partition : progress.partitions()) {
        if (partition.high_watermark() < 0 ||
            partition.next_offset() < partition.high_watermark()) {
          caught_up = false;
        }
      }
      if (caught_up) return true;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return false;
  }

 private:
  PerformanceStack() = default;

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<partner::v1::PartnerService::Stub> partners_;
  std::unique_ptr<contract::v1::ContractService::Stub> contracts_;
  std::unique_ptr<communication::v1::CommunicationService::Stub> feedback_;
  std::unique_ptr<v1::PerformanceService::Stub> performance_;
};

// A sale of `quantity` items in order `order_id`, inside the covered scope.
inline partner::v1::SaleRecord SaleRecord(const std::string& sale_id, const std::string& partner_id,
                                          const std::string& amount, const std::string& order_id,
                                          int quantity, absl::Time time) {
  partner::v1::SaleRecord record =
      consort::testing::SaleRecordAt(sale_id, partner_id, amount, time);
  record.set_order_id(order_id);
  record.set_quantity(quantity);
  return record;
}

// A SaleEvent as the partner service publishes it, for producing straight onto the topic.
inline events::v1::SaleEvent SaleEventOf(const std::string& sale_id, const std::string& partner_id,
                                         int64_t amount_minor, const std::string& order_id,
                                         absl::Time time) {
  events::v1::SaleEvent sale =
      consort::testing::SaleEventAt(sale_id, partner_id, amount_minor, time);
  sale.set_order_id(order_id);
  return sale;
}

}  // namespace consort::performance::testing
