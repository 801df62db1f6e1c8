// Runs the real partner, contract and incentive binaries and checks the accruals and totals that
// the incentive service derives from sales and refunds. Also checks its handling of duplicates
// and garbage on the sales topic, its metrics, and the validation of every RPC.

#include "absl/strings/str_cat.h"
#include "incentive_test_stack.h"
#include "kafka/dead_letter.h"

namespace consort::incentive::testing {
namespace {

const absl::Time kMarch = SaoPaulo(2024, 3, 15);
const absl::Time kApril = SaoPaulo(2024, 4, 10);

class IncentiveRpcTest : public IncentiveStackTest {};

TEST_F(IncentiveRpcTest, SaleAndRefundsGiveLinesAndTotals) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-thirty", "30%"));
  ASSERT_NO_FATAL_FAILURE(
      ReportAccepted({SaleRecordAt("s-1", "p-thirty", "6.45", kMarch),
                      RefundRecordAt("r-1", "s-1", "p-thirty", "2.15", kMarch),
                      RefundRecordAt("r-2", "s-1", "p-thirty", "4.30", kApril)}));
  ASSERT_TRUE(WaitCaughtUp());

  std::map<std::string, std::string> totals = Totals();
  EXPECT_EQ(totals["p-thirty 2024-03"], "1.29");  // 1.94 - 0.65
  EXPECT_EQ(totals["p-thirty 2024-04"], "-1.29");

  std::vector<v1::AccrualLine> march = Lines("p-thirty", "2024-03");
  ASSERT_EQ(march.size(), 2u);
  EXPECT_EQ(march[0].kind(), v1::ACCRUAL_KIND_COMMISSION);
  EXPECT_EQ(march[0].sale_id(), "s-1");
  EXPECT_EQ(march[0].base().amount(), "6.45");
  EXPECT_EQ(march[0].rate(), "0.3");
  EXPECT_EQ(march[0].commission().amount(), "1.94");
  EXPECT_EQ(march[0].contract_id(), "contract-p-thirty");
  EXPECT_EQ(march[1].kind(), v1::ACCRUAL_KIND_CLAWBACK);
  EXPECT_EQ(march[1].sale_id(), "r-1");
  EXPECT_EQ(march[1].original_sale_id(), "s-1");
  EXPECT_EQ(march[1].base().amount(), "-2.15");
  EXPECT_EQ(march[1].commission().amount(), "-0.65");

  std::vector<v1::AccrualLine> april = Lines("p-thirty", "2024-04");
  ASSERT_EQ(april.size(), 1u);
  EXPECT_EQ(april[0].original_sale_id(), "s-1");
  EXPECT_EQ(april[0].commission().amount(), "-1.29");
  EXPECT_EQ(april[0].rate(), "0.3");
}

TEST_F(IncentiveRpcTest, RefundInLaterMonthSitsInItsMonth) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-ten", "10%"));
  ASSERT_NO_FATAL_FAILURE(
      ReportAccepted({SaleRecordAt("s-500", "p-ten", "500.00", kMarch),
                      RefundRecordAt("r-500", "s-500", "p-ten", "500.00", kApril)}));
  ASSERT_TRUE(WaitCaughtUp());

  std::map<std::string, std::string> totals = Totals();
  EXPECT_EQ(totals["p-ten 2024-03"], "50.00");
  EXPECT_EQ(totals["p-ten 2024-04"], "-50.00");
  std::map<std::string, std::string> april = Totals("2024-04");
  EXPECT_EQ(april.size(), 1u);
  EXPECT_EQ(april["p-ten 2024-04"], "-50.00");
}

TEST_F(IncentiveRpcTest, PartialRefundInSameMonth) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-four", "4%"));
  ASSERT_NO_FATAL_FAILURE(
      ReportAccepted({SaleRecordAt("s-1000", "p-four", "1000.00", kMarch),
                      RefundRecordAt("r-200", "s-1000", "p-four", "200.00", kMarch)}));
  ASSERT_TRUE(WaitCaughtUp());
  EXPECT_EQ(Totals()["p-four 2024-03"], "32.00");
}

TEST_F(IncentiveRpcTest, LastEveningOfMonthInContractZone) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-late", "10%"));
  // 23:30 on 31 October 2024 in Sao Paulo is 1 November in UTC.
  ASSERT_NO_FATAL_FAILURE(
      ReportAccepted({SaleRecordAt("s-late", "p-late", "100.00", SaoPaulo(2024, 10, 31, 23, 30))}));
  ASSERT_TRUE(WaitCaughtUp());
  std::map<std::string, std::string> totals = Totals();
  EXPECT_EQ(totals["p-late 2024-10"], "10.00");
  EXPECT_FALSE(totals.contains("p-late 2024-11"));
}

TEST_F(IncentiveRpcTest, DuplicatesOnTopicCountOnce) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-dup", "10%"));
  const std::string sale = SaleEventOf("s-dup", "p-dup", 12'345, kMarch).SerializeAsString();
  const std::string refund =
      SaleEventOf("r-dup", "p-dup", 2'345, kApril, "s-dup").SerializeAsString();
  // Each event twice, as a relay re-sends after a crash, and the sale once more at the end.
  ASSERT_NO_FATAL_FAILURE(Produce({sale, sale, refund, refund, sale}, "p-dup"));
  ASSERT_TRUE(WaitCaughtUp());

  std::map<std::string, std::string> totals = Totals();
  EXPECT_EQ(totals["p-dup 2024-03"], "12.35");  // 10% of 123.45 is 12.345, rounded half-up
  EXPECT_EQ(totals["p-dup 2024-04"], "-2.35");  // 10% of 23.45 is 2.345, rounded half-up
  EXPECT_EQ(Lines("p-dup", "2024-03").size(), 1u);
  EXPECT_EQ(Lines("p-dup", "2024-04").size(), 1u);
  EXPECT_EQ(Progress().dead_lettered(), 0);
}

TEST_F(IncentiveRpcTest, RefundBeforeItsSaleIsApplied) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-early", "30%"));
  ASSERT_NO_FATAL_FAILURE(Produce(
      {SaleEventOf("r-early", "p-early", 215, kApril, "s-early").SerializeAsString()}, "p-early"));
  ASSERT_TRUE(WaitCaughtUp());
  EXPECT_TRUE(Totals().empty());

  ASSERT_NO_FATAL_FAILURE(
      Produce({SaleEventOf("s-early", "p-early", 645, kMarch).SerializeAsString()}, "p-early"));
  ASSERT_TRUE(WaitCaughtUp());
  std::map<std::string, std::string> totals = Totals();
  EXPECT_EQ(totals["p-early 2024-03"], "1.94");
  EXPECT_EQ(totals["p-early 2024-04"], "-0.65");
}

TEST_F(IncentiveRpcTest, GarbageIsDeadLettered) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-garbage", "10%"));
  ASSERT_NO_FATAL_FAILURE(
      Produce({std::string("\xff\xfe not a sale event", 20),
               SaleEventOf("s-ok", "p-garbage", 1'000, kMarch).SerializeAsString()},
              "p-garbage"));
  ASSERT_TRUE(WaitCaughtUp());

  EXPECT_EQ(Totals()["p-garbage 2024-03"], "1.00");
  EXPECT_EQ(Progress().dead_lettered(), 1);

  TopicReader reader(consort::testing::KafkaBootstrap(), stack_->topic("consort.deadletter.v1"));
  const std::vector<kafka::Message>& dead = reader.ReadAtLeast(1, absl::Seconds(30));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "p-garbage");
  std::map<std::string, std::string> headers(dead[0].headers.begin(), dead[0].headers.end());
  EXPECT_EQ(headers[kafka::kDeadLetterConsumerHeader], "incentive");
  EXPECT_EQ(headers[kafka::kDeadLetterTopicHeader], SalesTopic());
  EXPECT_FALSE(headers[kafka::kDeadLetterReasonHeader].empty());

  const std::string metrics = Metrics();
  EXPECT_EQ(MetricValue(metrics, absl::StrCat("consort_events_rejected_total{reason=\"decode\","
                                              "topic=\"",
                                              SalesTopic(), "\"}")),
            1);
}

TEST_F(IncentiveRpcTest, MetricsCountAccruals) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-metrics", "10%"));
  ASSERT_NO_FATAL_FAILURE(
      ReportAccepted({SaleRecordAt("s-m", "p-metrics", "200.00", kMarch),
                      RefundRecordAt("r-m", "s-m", "p-metrics", "50.00", kApril)}));
  ASSERT_TRUE(WaitCaughtUp());

  const std::string metrics = Metrics();
  EXPECT_EQ(MetricValue(metrics,
                        "consort_commissions_accrued_total{currency=\"BRL\","
                        "kind=\"commission\"}"),
            20);
  EXPECT_EQ(MetricValue(metrics,
                        "consort_commissions_accrued_total{currency=\"BRL\","
                        "kind=\"clawback\"}"),
            5);
  EXPECT_EQ(MetricValue(metrics, absl::StrCat("consort_events_consumed_total{topic=\"",
                                              SalesTopic(), "\"}")),
            2);
  EXPECT_NE(metrics.find("consort_event_processing_latency_seconds_count"), std::string::npos);
  EXPECT_NE(metrics.find("consort_consumer_lag{"), std::string::npos);
  EXPECT_NE(metrics.find("consort_redis_roundtrip_seconds_count"), std::string::npos);
}

TEST_F(IncentiveRpcTest, TotalsArePagedInPeriodThenPartnerOrder) {
  for (const char* partner : {"p-b", "p-a", "p-c"}) {
    ASSERT_NO_FATAL_FAILURE(CreatePartner(partner, "10%"));
  }
  ASSERT_NO_FATAL_FAILURE(ReportAccepted(
      {SaleRecordAt("b-1", "p-b", "10.00", kApril), SaleRecordAt("a-1", "p-a", "10.00", kApril),
       SaleRecordAt("c-1", "p-c", "10.00", kMarch), SaleRecordAt("b-2", "p-b", "10.00", kMarch)}));
  ASSERT_TRUE(WaitCaughtUp());

  std::vector<std::string> order;
  v1::ListCommissionTotalsRequest request;
  request.set_page_size(1);
  for (int page = 0; page < 10; ++page) {
    v1::ListCommissionTotalsResponse response;
    grpc::Status status =
        incentive_->ListCommissionTotals(ContextWithDeadline().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_LE(response.totals_size(), 1);
    for (const v1::CommissionTotal& total : response.totals()) {
      order.push_back(absl::StrCat(total.period(), " ", total.partner_id()));
      EXPECT_EQ(total.commission().amount(), "1.00");
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"2024-03 p-b", "2024-03 p-c", "2024-04 p-a", "2024-04 p-b"}));
}

TEST_F(IncentiveRpcTest, AccrualsArePaged) {
  ASSERT_NO_FATAL_FAILURE(CreatePartner("p-pages", "10%"));
  std::vector<partner::v1::SaleRecord> records;
  for (int i = 0; i < 7; ++i) {
    records.push_back(
        SaleRecordAt(absl::StrCat("pg-", i), "p-pages", "1.00", kMarch + absl::Minutes(i)));
  }
  ASSERT_NO_FATAL_FAILURE(ReportAccepted(records));
  ASSERT_TRUE(WaitCaughtUp());

  v1::ListAccrualsRequest request;
  request.set_partner_id("p-pages");
  request.set_period("2024-03");
  request.set_page_size(3);
  std::vector<std::string> ids;
  int pages = 0;
  for (; pages < 10; ++pages) {
    v1::ListAccrualsResponse response;
    grpc::Status status = incentive_->ListAccruals(ContextWithDeadline().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::AccrualLine& line : response.lines()) ids.push_back(line.sale_id());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(pages, 2);  // three pages: 3, 3 and 1 lines
  EXPECT_EQ(ids.size(), 7u);
}

TEST_F(IncentiveRpcTest, UnknownPartnerHasNoLines) {
  v1::ListAccrualsRequest request;
  request.set_partner_id("p-nobody");
  request.set_period("2024-03");
  v1::ListAccrualsResponse response;
  grpc::Status status = incentive_->ListAccruals(ContextWithDeadline().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.lines_size(), 0);
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(IncentiveRpcTest, ListAccrualsRejectsBadInput) {
  struct Case {
    std::string name;
    std::string partner_id;
    std::string period;
    int32_t page_size;
    std::string page_token;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"missing partner", "", "2024-03", 0, "", "partner_id"},
      {"invalid partner", "p 1", "2024-03", 0, "", "partner_id"},
      {"partner too long", std::string(65, 'p'), "2024-03", 0, "", "partner_id"},
      {"missing period", "p-1", "", 0, "", "period"},
      {"invalid period", "p-1", "2024-13", 0, "", "period"},
      {"period as a day", "p-1", "2024-03-01", 0, "", "period"},
      {"negative page size", "p-1", "2024-03", -1, "", "page_size"},
      {"page size too large", "p-1", "2024-03", 5001, "", "page_size"},
      {"garbage token", "p-1", "2024-03", 0, "not-a-token", "page_token"},
  };
  for (const Case& c : cases) {
    v1::ListAccrualsRequest request;
    request.set_partner_id(c.partner_id);
    request.set_period(c.period);
    request.set_page_size(c.page_size);
    request.set_page_token(c.page_token);
    v1::ListAccrualsResponse response;
    grpc::Status status = incentive_->ListAccruals(ContextWithDeadline().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_NE(status.error_message().find(c.field), std::string::npos)
        << c.name << ": " << status.error_message();
  }
}

TEST_F(IncentiveRpcTest, ListCommissionTotalsRejectsBadInput) {
  struct Case {
    std::string name;
    std::string period;
    int32_t page_size;
    std::string page_token;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"invalid period", "March", 0, "", "period"},
      {"month zero", "2024-00", 0, "", "period"},
      {"negative page size", "", -5, "", "page_size"},
      {"page size too large", "", 100000, "", "page_size"},
      {"garbage token", "", 0, "%%%", "page_token"},
  };
  for (const Case& c : cases) {
    v1::ListCommissionTotalsRequest request;
    request.set_period(c.period);
    request.set_page_size(c.page_size);
    request.set_page_token(c.page_token);
    v1::ListCommissionTotalsResponse response;
    grpc::Status status =
        incentive_->ListCommissionTotals(ContextWithDeadline().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_NE(status.error_message().find(c.field), std::string::npos)
        << c.name << ": " << status.error_message();
  }
}

TEST_F(IncentiveRpcTest, TokenOfOtherPeriodIsRejected) {
  for (const char* partner : {"p-x", "p-y"}) ASSERT_NO_FATAL_FAILURE(CreatePartner(partner, "10%"));
  ASSERT_NO_FATAL_FAILURE(ReportAccepted(
      {SaleRecordAt("x-1", "p-x", "10.00", kMarch), SaleRecordAt("y-1", "p-y", "10.00", kMarch)}));
  ASSERT_TRUE(WaitCaughtUp());

  v1::ListCommissionTotalsRequest request;
  request.set_period("2024-03");
  request.set_page_size(1);
  v1::ListCommissionTotalsResponse first;
  ASSERT_TRUE(incentive_->ListCommissionTotals(ContextWithDeadline().get(), request, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());

  request.set_period("2024-04");
  request.set_page_token(first.next_page_token());
  v1::ListCommissionTotalsResponse second;
  grpc::Status status =
      incentive_->ListCommissionTotals(ContextWithDeadline().get(), request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IncentiveRpcTest, ConsumerProgressCoversEveryPartition) {
  ASSERT_TRUE(WaitCaughtUp());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  consort::common::v1::ConsumerProgress progress;
  while (absl::Now() < deadline) {
    progress = Progress();
    if (progress.partitions_size() == 3) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_EQ(progress.partitions_size(), 3);
  for (const auto& partition : progress.partitions()) {
    EXPECT_EQ(partition.topic(), SalesTopic());
  }
}

}  // namespace
}  // namespace consort::incentive::testing
