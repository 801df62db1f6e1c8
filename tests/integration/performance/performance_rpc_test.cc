// The performance service's API and consumer, run as real binaries with the partner, contract and
// communication services against the test run's Kafka and Redis. The tests share one stack; each
// uses its own partners and, where it reads a whole period, its own month.

#include <signal.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kafka/dead_letter.h"
#include "performance_test_stack.h"

namespace consort::performance::testing {
namespace {

class PerformanceRpcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!consort::testing::HasTestInfrastructure()) {
      return;
    }
    stack_ = PerformanceStack::Start().release();
  }

  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    if (!consort::testing::HasTestInfrastructure()) {
      GTEST_SKIP() << consort::testing::MissingInfrastructureMessage();
    }
    ASSERT_NE(stack_, nullptr) << "the stack did not start";
  }

  static std::string NewPartnerId(const std::string& name) {
    return absl::StrCat(name, "-", consort::testing::UniqueSuffix());
  }

  static PerformanceStack* stack_;
};

PerformanceStack* PerformanceRpcTest::stack_ = nullptr;

TEST_F(PerformanceRpcTest, ScorecardAfterSalesRefundsAndFeedback) {
  const std::string partner = NewPartnerId("card");
  ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partner));
  // The month before the current one, in Sao Paulo time. One sale is at 23:30 local time on its
  // last day, which is already the next month in UTC.
  const PastMonth month = MonthsBack(1);
  ASSERT_NO_FATAL_FAILURE(stack_->ReportAccepted({
      SaleRecord(partner + "-s1", partner, "100.00", "o-1", 1, month.mid_month),
      SaleRecord(partner + "-s2", partner, "50.50", "o-1", 1, month.mid_month),
      SaleRecord(partner + "-s3", partner, "25.25", "o-2", 2, month.last_evening),
  }));
  ASSERT_NO_FATAL_FAILURE(stack_->ReportAccepted(
      {RefundRecordAt(partner + "-r1", partner + "-s1", partner, "30.00", month.mid_month)}));
  ASSERT_NO_FATAL_FAILURE(stack_->RecordFeedback(partner + "-f1", partner, 5, month.mid_month));
  ASSERT_NO_FATAL_FAILURE(stack_->RecordFeedback(partner + "-f2", partner, 4, month.mid_month));
  ASSERT_NO_FATAL_FAILURE(stack_->RecordFeedback(partner + "-f3", partner, 2, month.last_evening));

  v1::Scorecard card = stack_->WaitForScorecard(partner, month.label, [](const v1::Scorecard& c) {
    return c.feedback_count() == 3 && c.refunds().amount() == "30.00" && c.items() == 4;
  });
  EXPECT_EQ(card.period(), month.label);
  EXPECT_EQ(card.currency(), "BRL");
  EXPECT_EQ(card.gross_sales().amount(), "175.75");
  EXPECT_EQ(card.refunds().amount(), "30.00");
  EXPECT_EQ(card.net_sales().amount(), "145.75");
  EXPECT_EQ(card.orders(), 2);
  EXPECT_EQ(card.items(), 4);
  EXPECT_EQ(card.feedback_count(), 3);
  EXPECT_EQ(card.average_rating(), "3.67");
  EXPECT_EQ(card.complaints(), 1);
  EXPECT_EQ(card.target().amount(), "1000.00");
  // 145.75 / 1000.00 * 100 = 14.575, rounded half-up.
  EXPECT_EQ(card.attainment_pct(), "14.58");
  EXPECT_FALSE(card.score().empty());
  EXPECT_EQ(card.contributions_size(), 3);
  EXPECT_GE(card.version(), 1);

  v1::Scorecard next_month;
  EXPECT_EQ(stack_->GetScorecard(partner, MonthsBack(0).label, &next_month).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PerformanceRpcTest, ScoreEventsReachScoresTopic) {
  const std::string partner = NewPartnerId("scores");
  ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partner));
  const PastMonth month = MonthsBack(1);
  ASSERT_NO_FATAL_FAILURE(stack_->ReportAccepted(
      {SaleRecord(partner + "-s1", partner, "12.34", "o-1", 1, month.mid_month)}));
  v1::Scorecard card = stack_->WaitForScorecard(
      partner, month.label, [](const v1::Scorecard& c) { return c.orders() == 1; });
  ASSERT_EQ(card.orders(), 1);

  TopicReader reader(consort::testing::KafkaBootstrap(), stack_->topic("consort.scores.v1"));
  events::v1::ScoreEvent found;
  reader.ReadUntil(
      [&](const std::vector<kafka::Message>& messages) {
        for (const kafka::Message& message : messages) {
          events::v1::ScoreEvent event;
          if (message.key == partner && event.ParseFromString(message.payload)) found = event;
        }
        return found.version() == card.version();
      },
      absl::Seconds(60));
  EXPECT_EQ(found.partner_id(), partner);
  EXPECT_EQ(found.period(), month.label);
  EXPECT_EQ(found.version(), card.version());
  EXPECT_EQ(found.net_sales_minor(), 1234);
  EXPECT_EQ(found.target_minor(), 100'000);
  EXPECT_EQ(found.score(), card.score());
}

TEST_F(PerformanceRpcTest, LeaderboardRanksByScore) {
  const PastMonth month = MonthsBack(2);
  const std::string top = NewPartnerId("top");
  const std::string middle = NewPartnerId("middle");
  const std::string low = NewPartnerId("low");
  for (const std::string& partner : {top, middle, low}) {
    ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partner));
  }
  // Attainment 120%, 60% and 30% of a 1000.00 target; no complaints.
  ASSERT_NO_FATAL_FAILURE(stack_->ReportAccepted({
      SaleRecord(low + "-s", low, "300.00", "o", 1, month.mid_month),
      SaleRecord(top + "-s", top, "1200.00", "o", 1, month.mid_month),
      SaleRecord(middle + "-s", middle, "600.00", "o", 1, month.mid_month),
  }));
  for (const std::string& partner : {top, middle, low}) {
    v1::Scorecard card = stack_->WaitForScorecard(
        partner, month.label, [](const v1::Scorecard& c) { return c.orders() == 1; });
    ASSERT_EQ(card.orders(), 1) << partner;
  }

  v1::GetLeaderboardRequest request;
  request.set_period(month.label);
  v1::GetLeaderboardResponse response;
  grpc::Status status =
      stack_->performance().GetLeaderboard(ContextWithDeadline().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> order;
  for (const v1::Scorecard& card : response.scorecards()) order.push_back(card.partner_id());
  EXPECT_EQ(order, (std::vector<std::string>{top, middle, low}));
  ASSERT_EQ(response.scorecards_size(), 3);
  EXPECT_EQ(response.scorecards(0).score(), "100.00");

  request.set_limit(2);
  response.Clear();
  status = stack_->performance().GetLeaderboard(ContextWithDeadline().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.scorecards_size(), 2);
}

TEST_F(PerformanceRpcTest, ListScorecardsPagesByPartner) {
  const PastMonth month = MonthsBack(3);
  std::vector<std::string> partners;
  const std::string suffix = consort::testing::UniqueSuffix();
  for (const char* name : {"page-c", "page-a", "page-b"}) {
    partners.push_back(absl::StrCat(name, "-", suffix));
    ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partners.back()));
    ASSERT_NO_FATAL_FAILURE(stack_->ReportAccepted(
        {SaleRecord(partners.back() + "-s", partners.back(), "10.00", "o", 1, month.mid_month)}));
  }
  for (const std::string& partner : partners) {
    ASSERT_EQ(stack_
                  ->WaitForScorecard(partner, month.label,
                                     [](const v1::Scorecard& c) { return c.orders() == 1; })
                  .orders(),
              1);
  }

  std::vector<std::string> listed;
  v1::ListScorecardsRequest request;
  request.set_period(month.label);
  request.set_page_size(2);
  int pages = 0;
  do {
    v1::ListScorecardsResponse response;
    grpc::Status status =
        stack_->performance().ListScorecards(ContextWithDeadline().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::Scorecard& card : response.scorecards()) {
      EXPECT_EQ(card.period(), month.label);
      listed.push_back(card.partner_id());
    }
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);

  std::sort(partners.begin(), partners.end());
  EXPECT_EQ(listed, partners);
  EXPECT_EQ(pages, 2);
}

TEST_F(PerformanceRpcTest, ListScorecardsWithoutPeriodCoversAllMonths) {
  v1::ListScorecardsRequest request;
  request.set_page_size(5000);
  v1::ListScorecardsResponse response;
  grpc::Status status =
      stack_->performance().ListScorecards(ContextWithDeadline().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  for (int i = 1; i < response.scorecards_size(); ++i) {
    const v1::Scorecard& before = response.scorecards(i - 1);
    const v1::Scorecard& after = response.scorecards(i);
    EXPECT_LT(std::tie(before.period(), before.partner_id()),
              std::tie(after.period(), after.partner_id()));
  }
}

TEST_F(PerformanceRpcTest, GetScorecardRejectsBadInputs) {
  v1::Scorecard card;
  EXPECT_EQ(stack_->GetScorecard("", "2024-03", &card).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stack_->GetScorecard("bad id", "2024-03", &card).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stack_->GetScorecard(std::string(65, 'p'), "2024-03", &card).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stack_->GetScorecard("p-1", "", &card).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stack_->GetScorecard("p-1", "2024-13", &card).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stack_->GetScorecard("p-1", "2024-3", &card).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PerformanceRpcTest, GetScorecardOfUnknownPartnerIsNotFound) {
  v1::Scorecard card;
  grpc::Status status = stack_->GetScorecard(NewPartnerId("nobody"), "2024-03", &card);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(PerformanceRpcTest, GetLeaderboardRejectsBadInputs) {
  for (auto [period, limit] : std::vector<std::pair<std::string, int>>{
           {"", 10}, {"24-03", 10}, {"2024-00", 10}, {"2024-03", -1}, {"2024-03", 1001}}) {
    v1::GetLeaderboardRequest request;
    request.set_period(period);
    request.set_limit(limit);
    v1::GetLeaderboardResponse response;
    grpc::Status status =
        stack_->performance().GetLeaderboard(ContextWithDeadline().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << period << " " << limit;
  }
}

TEST_F(PerformanceRpcTest, GetLeaderboardOfEmptyPeriodIsEmpty) {
  v1::GetLeaderboardRequest request;
  request.set_period("1999-01");
  v1::GetLeaderboardResponse response;
  grpc::Status status =
      stack_->performance().GetLeaderboard(ContextWithDeadline().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.scorecards_size(), 0);
}

TEST_F(PerformanceRpcTest, ListScorecardsRejectsBadInputs) {
  struct Case {
    std::string period;
    int page_size;
    std::string token;
  };
  for (const Case& c : std::vector<Case>{{"2024-13", 0, ""},
                                         {"", -1, ""},
                                         {"", 5001, ""},
                                         {"", 10, "%%%"},
                                         {"", 10, "bm90IGEgdG9rZW4"}}) {
    v1::ListScorecardsRequest request;
    request.set_period(c.period);
    request.set_page_size(c.page_size);
    request.set_page_token(c.token);
    v1::ListScorecardsResponse response;
    grpc::Status status =
        stack_->performance().ListScorecards(ContextWithDeadline().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.period << " " << c.page_size << " " << c.token;
  }
}

TEST_F(PerformanceRpcTest, GarbageMessageGoesToDeadLetter) {
  const std::string partner = NewPartnerId("garbage");
  ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partner));
  const std::string garbage = "\xff\x01not a SaleEvent " + partner;
  const int64_t rejected_before = stack_->Progress().dead_lettered();
  RawProducer producer(consort::testing::KafkaBootstrap());
  producer.Send(stack_->topic("consort.sales.v1"), partner, garbage);
  producer.Flush();
  // A good sale after the garbage shows that the consumer moved on.
  const PastMonth month = MonthsBack(1);
  ASSERT_NO_FATAL_FAILURE(stack_->ReportAccepted(
      {SaleRecord(partner + "-s1", partner, "1.00", "o", 1, month.mid_month)}));
  v1::Scorecard card = stack_->WaitForScorecard(
      partner, month.label, [](const v1::Scorecard& c) { return c.orders() == 1; });
  EXPECT_EQ(card.gross_sales().amount(), "1.00");

  TopicReader reader(consort::testing::KafkaBootstrap(), stack_->topic("consort.deadletter.v1"));
  const kafka::Message* dead = nullptr;
  const std::vector<kafka::Message>& messages = reader.ReadUntil(
      [&](const std::vector<kafka::Message>& read) {
        return std::any_of(read.begin(), read.end(),
                           [&](const kafka::Message& m) { return m.payload == garbage; });
      },
      absl::Seconds(60));
  for (const kafka::Message& message : messages) {
    if (message.payload == garbage) dead = &message;
  }
  ASSERT_NE(dead, nullptr);
  EXPECT_EQ(dead->key, partner);
  bool has_reason = false;
  for (const auto& [name, value] : dead->headers) {
    if (name == kafka::kDeadLetterReasonHeader) has_reason = !value.empty();
  }
  EXPECT_TRUE(has_reason);
  EXPECT_GT(stack_->Progress().dead_lettered(), rejected_before);

  const std::string metrics = ScrapeMetrics(stack_->stack().service("performance"));
  EXPECT_TRUE(absl::StrContains(metrics, "consort_events_rejected_total{reason=\"undecodable\""))
      << metrics.substr(0, 2000);
}

TEST_F(PerformanceRpcTest, EventProducedTwiceCountsOnce) {
  const std::string partner = NewPartnerId("twice");
  ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partner));
  const PastMonth month = MonthsBack(1);
  events::v1::SaleEvent sale = SaleEventOf(partner + "-s1", partner, 4'200, "o-1", month.mid_month);
  events::v1::FeedbackEvent feedback;
  feedback.mutable_meta()->set_event_id("event-" + partner + "-f1");
  *feedback.mutable_meta()->mutable_event_time() = ToProtoTimestamp(month.mid_month);
  feedback.set_feedback_id(partner + "-f1");
  feedback.set_partner_id(partner);
  feedback.set_rating(1);
  feedback.set_complaint(true);

  RawProducer producer(consort::testing::KafkaBootstrap());
  for (int copy = 0; copy < 2; ++copy) {
    producer.Send(stack_->topic("consort.sales.v1"), partner, sale.SerializeAsString());
    producer.Send(stack_->topic("consort.feedback.v1"), partner, feedback.SerializeAsString());
  }
  producer.Flush();
  // A second sale produced after the copies marks the point where all copies were consumed.
  producer.Send(
      stack_->topic("consort.sales.v1"), partner,
      SaleEventOf(partner + "-s2", partner, 100, "o-2", month.mid_month).SerializeAsString());
  producer.Flush();

  v1::Scorecard card = stack_->WaitForScorecard(partner, month.label, [](const v1::Scorecard& c) {
    return c.orders() == 2 && c.feedback_count() >= 1;
  });
  ASSERT_TRUE(stack_->WaitCaughtUp(absl::Seconds(60)));
  ASSERT_TRUE(stack_->GetScorecard(partner, month.label, &card).ok());
  EXPECT_EQ(card.gross_sales().amount(), "43.00");
  EXPECT_EQ(card.orders(), 2);
  EXPECT_EQ(card.items(), 2);
  EXPECT_EQ(card.feedback_count(), 1);
  EXPECT_EQ(card.complaints(), 1);
}

TEST_F(PerformanceRpcTest, SaleReportedTwiceCountsOnce) {
  const std::string partner = NewPartnerId("reported");
  ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partner));
  const PastMonth month = MonthsBack(1);
  partner::v1::SaleRecord record =
      SaleRecord(partner + "-s1", partner, "9.99", "o-1", 1, month.mid_month);
  ASSERT_NO_FATAL_FAILURE(stack_->ReportAccepted({record}));
  std::vector<partner::v1::SaleResult> again = stack_->Report({record});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].outcome(), partner::v1::SALE_OUTCOME_DUPLICATE);
  ASSERT_NO_FATAL_FAILURE(stack_->RecordFeedback(partner + "-f1", partner, 4, month.mid_month));
  ASSERT_NO_FATAL_FAILURE(stack_->RecordFeedback(partner + "-f1", partner, 4, month.mid_month));

  v1::Scorecard card = stack_->WaitForScorecard(
      partner, month.label, [](const v1::Scorecard& c) { return c.feedback_count() >= 1; });
  ASSERT_TRUE(stack_->WaitCaughtUp(absl::Seconds(60)));
  ASSERT_TRUE(stack_->GetScorecard(partner, month.label, &card).ok());
  EXPECT_EQ(card.gross_sales().amount(), "9.99");
  EXPECT_EQ(card.feedback_count(), 1);
}

TEST_F(PerformanceRpcTest, FeedbackWithoutActiveContractIsDeadLettered) {
  // The communication service accepts feedback for a partner without a contract, but the
  // performance service cannot place it in a period.
  const std::string partner = NewPartnerId("nocontract");
  partner::v1::CreatePartnerRequest create;
  *create.mutable_partner() = consort::testing::PartnerInput(partner);
  partner::v1::Partner created;
  ASSERT_TRUE(stack_->partners().CreatePartner(ContextWithDeadline().get(), create, &created).ok());

  const int64_t rejected_before = stack_->Progress().dead_lettered();
  ASSERT_NO_FATAL_FAILURE(
      stack_->RecordFeedback(partner + "-f1", partner, 3, MonthsBack(1).mid_month));
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (stack_->Progress().dead_lettered() == rejected_before && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_GT(stack_->Progress().dead_lettered(), rejected_before);
  v1::Scorecard card;
  EXPECT_EQ(stack_->GetScorecard(partner, MonthsBack(1).label, &card).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PerformanceRpcTest, CurrentMonthGaugesFollowSales) {
  const std::string partner = NewPartnerId("gauge");
  ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partner));
  // The gauges show the current month in the contract's zone, and so does a sale made now.
  const absl::Time sale_time = absl::Now();
  ASSERT_NO_FATAL_FAILURE(
      stack_->ReportAccepted({SaleRecord(partner + "-s1", partner, "77.00", "o-1", 1, sale_time)}));

  const consort::testing::ServiceProcess& performance = stack_->stack().service("performance");
  std::string metrics;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    metrics = ScrapeMetrics(performance);
    if (absl::StrContains(metrics, "consort_net_sales{currency=\"BRL\"}") &&
        absl::StrContains(metrics, "consort_leaderboard_score{rank=\"1\"}")) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
  EXPECT_TRUE(absl::StrContains(metrics, "consort_net_sales{currency=\"BRL\"}"));
  EXPECT_TRUE(absl::StrContains(metrics, "consort_leaderboard_score{rank=\"1\"}"));
}

TEST_F(PerformanceRpcTest, ContractServiceDownPausesInsteadOfDeadLettering) {
  const std::string partner = NewPartnerId("paused");
  ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partner));
  const PastMonth month = MonthsBack(1);
  const int64_t rejected_before = stack_->Progress().dead_lettered();

  // The contract is not cached yet, so the consumer has to ask the stopped contract service.
  ASSERT_TRUE(stack_->stack().Stop("contract", SIGTERM).ok());
  RawProducer producer(consort::testing::KafkaBootstrap());
  producer.Send(
      stack_->topic("consort.sales.v1"), partner,
      SaleEventOf(partner + "-s1", partner, 2'500, "o-1", month.mid_month).SerializeAsString());
  producer.Flush();
  absl::SleepFor(absl::Seconds(3));
  v1::Scorecard card;
  EXPECT_EQ(stack_->GetScorecard(partner, month.label, &card).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(stack_->Progress().dead_lettered(), rejected_before);

  ASSERT_TRUE(stack_->stack().StartAgain("contract").ok());
  stack_->Connect();
  card = stack_->WaitForScorecard(partner, month.label,
                                  [](const v1::Scorecard& c) { return c.orders() == 1; });
  EXPECT_EQ(card.gross_sales().amount(), "25.00");
  EXPECT_EQ(stack_->Progress().dead_lettered(), rejected_before);
}

TEST_F(PerformanceRpcTest, ConsumerProgressCoversBothTopics) {
  ASSERT_TRUE(stack_->WaitCaughtUp(absl::Seconds(60)));
  common::v1::ConsumerProgress progress = stack_->Progress();
  bool sales = false;
  bool feedback = false;
  for (const common::v1::PartitionProgress& partition : progress.partitions()) {
    sales = sales || partition.topic() == stack_->topic("consort.sales.v1");
    feedback = feedback || partition.topic() == stack_->topic("consort.feedback.v1");
    EXPECT_GE(partition.high_watermark(), 0);
  }
  EXPECT_TRUE(sales);
  EXPECT_TRUE(feedback);
}

TEST_F(PerformanceRpcTest, MetricsAreExported) {
  // One finished call, so that the gRPC server metrics have a series.
  stack_->Progress();
  const std::string metrics = ScrapeMetrics(stack_->stack().service("performance"));
  for (const char* name : {"consort_events_consumed_total", "consort_events_rejected_total",
                           "consort_consumer_lag", "consort_event_processing_latency_seconds",
                           "consort_complaints_total", "consort_redis_roundtrip_seconds",
                           "consort_kafka_producer_queue_depth", "grpc_server_handled_total"}) {
    EXPECT_TRUE(absl::StrContains(metrics, name)) << name;
  }
}

}  // namespace
}  // namespace consort::performance::testing
