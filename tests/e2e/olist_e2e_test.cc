// Imports the Olist data, and a generated data set, into a full stack of the real services and
// checks every exported scorecard and commission row, and the import's counts, against totals
// computed from the CSV files.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tests/e2e/expected_totals.h"
#include "tests/support/service_process.h"

namespace consort::e2e {
namespace {

// Keeps only the rows of the summary that the expected summary describes: every "result" row
// and the "read" rows of the four files the expected totals read.
std::map<std::string, int64_t> ComparableSummary(const std::map<std::string, int64_t>& summary,
                                                 const std::map<std::string, int64_t>& expected) {
  std::map<std::string, int64_t> kept;
  for (const auto& [key, count] : summary) {
    if (key.rfind("result/", 0) == 0 || expected.count(key) > 0) kept[key] = count;
  }
  return kept;
}

void ExpectExportsMatch(const ExpectedTotals& expected, const Exports& exports) {
  std::vector<std::string> scorecard_differences =
      CompareRows(expected.scorecards, exports.scorecards, ScorecardColumns());
  EXPECT_THAT(scorecard_differences, ::testing::IsEmpty())
      << scorecard_differences.size() << " scorecard differences";
  EXPECT_EQ(exports.scorecards.size(), expected.scorecards.size());

  std::vector<std::string> commission_differences =
      CompareRows(expected.commissions, exports.commissions, CommissionColumns());
  EXPECT_THAT(commission_differences, ::testing::IsEmpty())
      << commission_differences.size() << " commission differences";
  EXPECT_EQ(exports.commissions.size(), expected.commissions.size());
}

// The busiest month by items, from the expected scorecards (items is the sixth value column);
// ties go to more orders, then to the earlier month.
std::string ExpectedBusiestMonth(const ExpectedTotals& expected) {
  std::map<std::string, std::pair<int64_t, int64_t>> per_month;
  for (const auto& [key, values] : expected.scorecards) {
    per_month[key.second].first += std::stoll(values[5]);
    per_month[key.second].second += std::stoll(values[4]);
  }
  std::string busiest;
  std::pair<int64_t, int64_t> best = {-1, -1};
  for (const auto& [month, totals] : per_month) {
    if (totals > best) {
      best = totals;
      busiest = month;
    }
  }
  return busiest;
}

void ExpectBusiestMonthAndLeaderboard(const testing::Stack& stack, const ExpectedTotals& expected) {
  absl::StatusOr<testing::CommandResult> busiest = RunConsortctl(stack, {"busiest-month"});
  ASSERT_TRUE(busiest.ok()) << busiest.status();
  EXPECT_EQ(busiest->exit_code, 0) << busiest->stderr_text;
  std::string month = ExpectedBusiestMonth(expected);
  EXPECT_EQ(busiest->stdout_text, month + "\n");

  absl::StatusOr<testing::CommandResult> leaderboard =
      RunConsortctl(stack, {"leaderboard", "--period", month, "--limit", "10"});
  ASSERT_TRUE(leaderboard.ok()) << leaderboard.status();
  EXPECT_EQ(leaderboard->exit_code, 0) << leaderboard->stderr_text;
  EXPECT_THAT(leaderboard->stdout_text, ::testing::HasSubstr("partners of " + month));
  // A header line, a column line and one line per partner, at most ten.
  int64_t lines =
      std::count(leaderboard->stdout_text.begin(), leaderboard->stdout_text.end(), '\n');
  EXPECT_GE(lines, 3);
  EXPECT_LE(lines, 12);
  std::cout << leaderboard->stdout_text;
}

void ImportAndCheck(const std::string& dir) {
  absl::StatusOr<ExpectedTotals> expected = ComputeExpectedTotals(dir);
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_FALSE(expected->scorecards.empty());
  ASSERT_FALSE(expected->commissions.empty());

  absl::StatusOr<std::unique_ptr<testing::Stack>> stack = testing::Stack::Start();
  ASSERT_TRUE(stack.ok()) << stack.status();

  int exit_code = -1;
  absl::StatusOr<std::map<std::string, int64_t>> summary = Import(**stack, dir, {}, exit_code);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(exit_code, 0);
  std::map<std::string, int64_t> expected_summary = ExpectedSummary(expected->counts);
  EXPECT_EQ(ComparableSummary(*summary, expected_summary), expected_summary);

  absl::StatusOr<Exports> exports = WaitAndExport(**stack);
  ASSERT_TRUE(exports.ok()) << exports.status();
  ExpectExportsMatch(*expected, *exports);

  ExpectBusiestMonthAndLeaderboard(**stack, *expected);

  // A second import changes nothing and reports every record as a duplicate.
  absl::StatusOr<std::map<std::string, int64_t>> again = Import(**stack, dir, {}, exit_code);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ((*again)["result/partner/duplicate/"], expected->counts.partners);
  EXPECT_EQ((*again)["result/sale/duplicate/"],
            expected->counts.sales + expected->counts.duplicate_sales);
  EXPECT_EQ((*again)["result/sale/accepted/"], 0);
  EXPECT_EQ((*again)["result/refund/accepted/"], 0);
  EXPECT_EQ((*again)["result/feedback/accepted/"], 0);

  absl::StatusOr<Exports> after_again = WaitAndExport(**stack);
  ASSERT_TRUE(after_again.ok()) << after_again.status();
  ExpectExportsMatch(*expected, *after_again);
}

TEST(OlistEndToEnd, ExportsMatchSourceTotals) {
  if (!testing::HasTestInfrastructure()) {
    GTEST_SKIP() << testing::MissingInfrastructureMessage();
  }
  std::string dir = OlistDir();
  if (dir.empty()) GTEST_SKIP() << "no Olist data; set CONSORT_OLIST_DIR to its folder";
  ImportAndCheck(dir);
}

TEST(GeneratedEndToEnd, ExportsMatchSourceTotals) {
  if (!testing::HasTestInfrastructure()) {
    GTEST_SKIP() << testing::MissingInfrastructureMessage();
  }
  std::string dir =
      absl::StrCat(::testing::TempDir(), "/consortctl-generated-", testing::UniqueSuffix());
  std::vector<std::string> argv = {testing::BinaryPath("tools/consortctl/consortctl"),
                                   "generate",
                                   "--seed",
                                   "20240611",
                                   "--partners",
                                   "60",
                                   "--months",
                                   "14",
                                   "--start-month",
                                   "2021-06",
                                   dir};
  absl::StatusOr<testing::CommandResult> generated =
      testing::RunCommand(argv, {}, absl::Minutes(5));
  ASSERT_TRUE(generated.ok()) << generated.status();
  ASSERT_EQ(generated->exit_code, 0) << generated->stderr_text;
  ImportAndCheck(dir);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace consort::e2e
