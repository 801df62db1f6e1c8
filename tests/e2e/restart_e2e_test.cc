// Stops services in the middle of an import and checks that the final exports are still exact.
// One test kills the performance and incentive consumers with SIGKILL and restarts them. The
// other stops the partner service with SIGTERM mid-stream, restarts it and runs the import again.

#include <csignal>
#include <filesystem>
#include <future>
#include <iostream>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tests/e2e/expected_totals.h"
#include "tests/support/client_context.h"
#include "tests/support/service_process.h"

namespace consort::e2e {
namespace {

// Sales sent per second during the import, so that the services are stopped while the stream
// still has records to send (the Olist sample has about 5,000).
constexpr const char* kSlowRate = "800";
constexpr const char* kSlowerRate = "300";

// Events the partner service has copied from its outbox to Kafka since it started.
int64_t RelayedSaleEvents(testing::ServiceProcess& partner) {
  common::v1::GetOutboxStatusRequest request;
  common::v1::OutboxStatus status;
  grpc::Status rpc =
      partner::v1::PartnerService::NewStub(partner.Channel())
          ->GetOutboxStatus(testing::ContextWithDeadline(absl::Seconds(2)).get(), request, &status);
  return rpc.ok() ? status.relayed() : -1;
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
    // A short shutdown grace period makes a stopping partner service end the sales stream
    // rather than wait for the slow import to finish it.
    absl::StatusOr<std::unique_ptr<testing::Stack>> stack =
        testing::Stack::Start(testing::AllServices(), {{"CONSORT_SHUTDOWN_GRACE_SECONDS", "3"}});
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
  }

  // Starts a rate-limited import on another thread.
  std::future<std::pair<int, absl::StatusOr<std::map<std::string, int64_t>>>> StartSlowImport(
      const std::string& rate) {
    return std::async(std::launch::async, [this, rate] {
      int exit_code = -1;
      absl::StatusOr<std::map<std::string, int64_t>> summary =
          Import(*stack_, dir_, {"--max-records-per-second", rate}, exit_code);
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

TEST_F(RestartEndToEnd, PartnerStoppedMidStreamThenImportRerun) {
  auto import = StartSlowImport(kSlowerRate);

  ASSERT_TRUE(WaitUntil([&] { return RelayedSaleEvents(stack_->service("partner")); }, 600,
                        absl::Minutes(3)))
      << "the partner service relayed no sale events";
  ASSERT_TRUE(stack_->Restart("partner", SIGTERM).ok());

  auto [first_exit, first] = import.get();
  ASSERT_TRUE(first.ok()) << first.status();
  // The partner service may end the stream (the import then exits 1) or, within its shutdown
  // grace period, answer every record first (exit 0); either way nothing may be lost.
  EXPECT_TRUE(first_exit == 0 || first_exit == 1) << "exit code " << first_exit;
  int64_t stored_first = (*first)["result/sale/accepted/"] + (*first)["result/refund/accepted/"];

  int exit_code = -1;
  absl::StatusOr<std::map<std::string, int64_t>> second = Import(*stack_, dir_, {}, exit_code);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(exit_code, 0);

  // Every sale is stored once: what the first run had confirmed comes back as a duplicate, and
  // records in flight when the service stopped may be either.
  int64_t total = expected_.counts.sales + expected_.counts.refunds;
  int64_t accepted_second =
      (*second)["result/sale/accepted/"] + (*second)["result/refund/accepted/"];
  int64_t duplicate_second =
      (*second)["result/sale/duplicate/"] + (*second)["result/refund/duplicate/"];
  std::cout << "first import: exit code " << first_exit << ", " << stored_first
            << " sales and refunds accepted; second import: " << accepted_second << " accepted, "
            << duplicate_second << " duplicate" << std::endl;
  EXPECT_EQ(accepted_second + duplicate_second, total);
  EXPECT_GE(duplicate_second, stored_first);
  EXPECT_LE(stored_first + accepted_second, total);
  EXPECT_EQ((*second)["result/partner/duplicate/"], expected_.counts.partners);
  ExpectExactExports();
}

}  // namespace
}  // namespace consort::e2e
