#include "tests/e2e/e2e_support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "consort/common/v1/common.pb.h"
#include "consort/incentive/v1/incentive.grpc.pb.h"
#include "consort/performance/v1/performance.grpc.pb.h"
#include "consortctl/export_format.h"
#include "tests/support/client_context.h"

namespace consort::e2e {

std::string OlistDir() {
  const char* from_env = std::getenv("CONSORT_OLIST_DIR");
  std::string dir = from_env != nullptr && *from_env != '\0'
                        ? from_env
                        : absl::StrCat(CONSORT_SOURCE_DIR, "/../shared/data/olist");
  if (!std::filesystem::exists(std::filesystem::path(dir) / "olist_order_items_dataset.csv")) {
    return "";
  }
  return dir;
}

absl::StatusOr<testing::CommandResult> RunConsortctl(const testing::Stack& stack,
                                                     const std::vector<std::string>& args,
                                                     absl::Duration timeout) {
  std::vector<std::string> argv = {testing::BinaryPath("tools/consortctl/consortctl")};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunCommand(argv, stack.env(), timeout);
}

absl::StatusOr<std::map<std::string, int64_t>> Import(const testing::Stack& stack,
                                                      const std::string& dir,
                                                      const std::vector<std::string>& extra_args,
                                                      int& exit_code, std::string* errors) {
  std::string summary_path = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                          "/consortctl-summary-", testing::UniqueSuffix(), ".csv");
  std::vector<std::string> args = {"import",  "olist",         dir,
                                   "--quiet", "--summary-csv", summary_path};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<testing::CommandResult> result = RunConsortctl(stack, args);
  if (!result.ok()) return result.status();
  exit_code = result->exit_code;
  if (errors != nullptr) *errors = result->stderr_text;

  std::ifstream in(summary_path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("consortctl wrote no summary; exit code ",
                                            result->exit_code,
                                            "; stderr: ", result->stderr_text.substr(0, 4000)));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(summary_path);
  return ParseImportSummary(text.str());
}

absl::StatusOr<Exports> WaitAndExport(const testing::Stack& stack) {
  absl::StatusOr<testing::CommandResult> wait =
      RunConsortctl(stack, {"wait", "--timeout", "300"}, absl::Minutes(6));
  if (!wait.ok()) return wait.status();
  if (wait->exit_code != 0) {
    return absl::DeadlineExceededError(
        absl::StrCat("consortctl wait failed: ", wait->stderr_text.substr(0, 4000)));
  }

  Exports exports;
  absl::StatusOr<testing::CommandResult> scorecards =
      RunConsortctl(stack, {"export", "scorecards", "--format", "csv"});
  if (!scorecards.ok()) return scorecards.status();
  if (scorecards->exit_code != 0) {
    return absl::InternalError(absl::StrCat("export scorecards failed: ", scorecards->stderr_text));
  }
  absl::StatusOr<CsvRows> scorecard_rows =
      ParseExport(scorecards->stdout_text, consortctl::kScorecardCsvHeader);
  if (!scorecard_rows.ok()) return scorecard_rows.status();
  exports.scorecards = std::move(*scorecard_rows);

  absl::StatusOr<testing::CommandResult> commissions =
      RunConsortctl(stack, {"export", "commissions", "--format", "csv"});
  if (!commissions.ok()) return commissions.status();
  if (commissions->exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("export commissions failed: ", commissions->stderr_text));
  }
  absl::StatusOr<CsvRows> commission_rows =
      ParseExport(commissions->stdout_text, consortctl::kCommissionCsvHeader);
  if (!commission_rows.ok()) return commission_rows.status();
  exports.commissions = std::move(*commission_rows);
  return exports;
}

std::vector<std::string> CompareRows(const CsvRows& expected, const CsvRows& actual,
                                     const std::vector<std::string>& columns) {
  std::vector<std::string> differences;
  for (const auto& [key, values] : expected) {
    auto it = actual.find(key);
    if (it == actual.end()) {
      differences.push_back(absl::StrCat("missing row ", key.first, " ", key.second, ": ",
                                         absl::StrJoin(values, ",")));
      continue;
    }
    for (size_t i = 0; i < columns.size() && i < values.size(); ++i) {
      if (it->second[i] != values[i]) {
        differences.push_back(absl::StrCat(key.first, " ", key.second, " ", columns[i], ": got \"",
                                           it->second[i], "\", expected \"", values[i], "\""));
      }
    }
  }
  for (const auto& [key, values] : actual) {
    if (expected.count(key) == 0) {
      differences.push_back(
          absl::StrCat("extra row ", key.first, " ", key.second, ": ", absl::StrJoin(values, ",")));
    }
  }
  return differences;
}

const std::vector<std::string>& ScorecardColumns() {
  static const auto* columns = new std::vector<std::string>{
      "currency",       "gross_sales",    "refunds",    "net_sales", "orders",        "items",
      "feedback_count", "average_rating", "complaints", "target",    "attainment_pct"};
  return *columns;
}

const std::vector<std::string>& CommissionColumns() {
  static const auto* columns = new std::vector<std::string>{"currency", "commission"};
  return *columns;
}

int64_t ConsumedEvents(testing::ServiceProcess& service) {
  common::v1::GetConsumerProgressRequest request;
  common::v1::ConsumerProgress progress;
  std::unique_ptr<grpc::ClientContext> context = testing::ContextWithDeadline(absl::Seconds(2));
  grpc::Status status;
  if (service.service() == "performance") {
    status = performance::v1::PerformanceService::NewStub(service.Channel())
                 ->GetConsumerProgress(context.get(), request, &progress);
  } else {
    status = incentive::v1::IncentiveService::NewStub(service.Channel())
                 ->GetConsumerProgress(context.get(), request, &progress);
  }
  if (!status.ok()) return -1;
  int64_t consumed = 0;
  for (const auto& partition : progress.partitions()) {
    if (partition.next_offset() > 0) consumed += partition.next_offset();
  }
  return consumed;
}

}  // namespace consort::e2e
