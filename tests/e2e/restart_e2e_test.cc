// Stops services in the middle of an import and checks that the final exports are still exact.
// One test kills the performance and incentive consumers with SIGKILL and restarts them. The
// other stops the partner service with SIGTERM mid-stream and starts it again while the one
// import reconnects and resends.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tests/e2e/expected_totals.h"
#include "tests/support/metrics_text.h"
#include "tests/support/service_process.h"

namespace consort::e2e {
namespace {

// Sales sent per second during the import, so that the services are stopped while the stream
// still has records to send (the Olist sample has about 5,000).
constexpr const char* kSlowRate = "800";
constexpr const char* kSlowerRate = "300";

// Sales the partner service has accepted since it started. The outbox also carries partner
// events, so its relayed count does not say whether the sales stream has begun.
int64_t AcceptedSales(const testing::ServiceProcess& partner) {
  const double accepted = testing::MetricValue(testing::ScrapeMetrics(partner),
                                               "consort_sales_accepted_total{kind=\"sale\"}");
  return accepted < 0 ? -1 : static_cast<int64_t>(accepted);
}

// Polls `count` until it reaches `at_least` or the time runs out.
bool WaitUntil(const std::function<int64_t()>& count, int64_t at_least, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (count() >= at_least) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

class RestartEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HasTestInfrastructure()) {
      GTEST_SKIP() << testing::MissingInfrastructureMessage();
    }
    dir_ = OlistDir();
    if (dir_.empty()) GTEST_SKIP() << "no Olist data; set CONSORT_OLIST_DIR to its folder";
    absl::StatusOr<ExpectedTotals> expected = ComputeExpectedTotals(dir_);
    ASSERT_TRUE(expected.ok()) << expected.status();
    expected_ = std::move(*expected);
    // A grace period longer than the slow import's sales stage, so that only the partner service
    // ending its open stream when the stop begins lets it stop while the import runs.
    absl::StatusOr<std::unique_ptr<testing::Stack>> stack =
        testing::Stack::Start(testing::AllServices(), {{"CONSORT_SHUTDOWN_GRACE_SECONDS", "60"}});
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
  }

  // Starts a rate-limited import on another thread; `errors`, when set, receives its stderr.
  std::future<std::pair<int, absl::StatusOr<std::map<std::string, int64_t>>>> StartSlowImport(
      const std::string& rate, std::string* errors = nullptr) {
    return std::async(std::launch::async, [this, rate, errors] {
      int exit_code = -1;
      absl::StatusOr<std::map<std::string, int64_t>> summary =
          Import(*stack_, dir_, {"--max-records-per-second", rate}, exit_code, errors);
      return std::make_pair(exit_code, std::move(summary));
    });
  }

  void ExpectExactExports() {
    absl::StatusOr<Exports> exports = WaitAndExport(*stack_);
    ASSERT_TRUE(exports.ok()) << exports.status();
    std::vector<std::string> scorecard_differences =
        CompareRows(expected_.scorecards, exports->scorecards, ScorecardColumns());
    EXPECT_THAT(scorecard_differences, ::testing::IsEmpty());
    std::vector<std::string> commission_differences =
        CompareRows(expected_.commissions, exports->commissions, CommissionColumns());
    EXPECT_THAT(commission_differences, ::testing::IsEmpty());
  }

  std::string dir_;
  ExpectedTotals expected_;
  std::unique_ptr<testing::Stack> stack_;
};

TEST_F(RestartEndToEnd, ConsumersKilledMidImport) {
  auto import = StartSlowImport(kSlowRate);

  // Kill both consumers once they have stored part of the sales.
  ASSERT_TRUE(WaitUntil([&] { return ConsumedEvents(stack_->service("performance")); }, 500,
                        absl::Minutes(3)))
      << "the performance service consumed nothing";
  ASSERT_TRUE(WaitUntil([&] { return ConsumedEvents(stack_->service("incentive")); }, 500,
                        absl::Minutes(1)))
      << "the incentive service consumed nothing";
  std::cout << "killing the consumers after " << ConsumedEvents(stack_->service("performance"))
            << " events" << std::endl;
  ASSERT_TRUE(stack_->Restart("performance", SIGKILL).ok());
  ASSERT_TRUE(stack_->Restart("incentive", SIGKILL).ok());

  auto [exit_code, summary] = import.get();
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ((*summary)["result/sale/accepted/"], expected_.counts.sales);
  EXPECT_EQ((*summary)["result/feedback/accepted/"], expected_.counts.feedback);
  ExpectExactExports();
}

TEST_F(RestartEndToEnd, PartnerRestartedMidImport) {
  std::string import_errors;
  auto import = StartSlowImport(kSlowerRate, &import_errors);

  ASSERT_TRUE(WaitUntil([&] { return AcceptedSales(stack_->service("partner")); }, 600,
                        absl::Minutes(3)))
      << "the partner service accepted fewer than 600 sales";
  const std::string stopped_log = stack_->service("partner").log_path();
  ASSERT_TRUE(stack_->Restart("partner", SIGTERM).ok());

  // The stop ended the open stream rather than letting the import finish it.
  std::ifstream log(stopped_log);
  const std::string log_text((std::istreambuf_iterator<char>(log)),
                             std::istreambuf_iterator<char>());
  EXPECT_THAT(log_text, ::testing::HasSubstr("sales stream ended because the service is stopping"));

  // The one import reconnects, resends what got no result and completes.
  auto [exit_code, summary] = import.get();
  ASSERT_TRUE(summary.ok()) << summary.status();
  std::cout << "import stderr:\n" << import_errors << std::endl;
  EXPECT_EQ(exit_code, 0);
  EXPECT_THAT(import_errors, ::testing::HasSubstr("reconnecting"));

  // Every record is counted once. The stopping service wrote a result for every record it stored,
  // so none comes back as duplicate.
  EXPECT_EQ((*summary)["result/sale/accepted/"], expected_.counts.sales);
  EXPECT_EQ((*summary)["result/refund/accepted/"], expected_.counts.refunds);
  EXPECT_EQ((*summary)["result/sale/duplicate/"], 0);
  EXPECT_EQ((*summary)["result/refund/duplicate/"], 0);
  EXPECT_EQ((*summary)["result/feedback/accepted/"], expected_.counts.feedback);
  ExpectExactExports();
}

}  // namespace
}  // namespace consort::e2e
