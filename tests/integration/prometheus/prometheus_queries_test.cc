// Checks the Grafana dashboards and the alert rules against real metrics. The test starts the five
// services against the test run's Kafka and Redis and imports the data set that
// `consortctl generate --seed 7` writes. Then it starts Debian's Prometheus
// (deploy/prometheus/run-local) on the services' metrics ports with the alert rules loaded, and
// runs check-queries, which fails for every dashboard or alert expression without a series.

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/support/service_process.h"

namespace consort::testing {
namespace {

const std::string kSourceDir = CONSORT_SOURCE_DIR;
const std::string kRunLocal = kSourceDir + "/deploy/prometheus/run-local";
const std::string kCheckQueries = kSourceDir + "/tests/integration/prometheus/check-queries";

// Stops the Prometheus that run-local started with `data_dir` when the test ends.
class PrometheusGuard {
 public:
  explicit PrometheusGuard(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  ~PrometheusGuard() {
    absl::StatusOr<CommandResult> stopped =
        RunCommand({kRunLocal, "stop", "--data-dir", data_dir_}, {}, absl::Seconds(30));
    if (!stopped.ok() || stopped->exit_code != 0) {
      ADD_FAILURE() << "run-local stop failed for " << data_dir_;
    }
  }

 private:
  std::string data_dir_;
};

// Writes a Prometheus configuration that scrapes the stack's services every 2 seconds, labels
// each target with its service name and loads the repository's alert rules.
std::string WriteScrapeConfig(Stack& stack, const std::string& path) {
  std::ofstream out(path);
  out << "global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\n  evaluation_interval: 2s\n"
      << "rule_files:\n  - " << kSourceDir << "/deploy/prometheus/rules/*.yml\n"
      << "scrape_configs:\n  - job_name: consort\n    static_configs:\n";
  for (const std::string& name : AllServices()) {
    out << "      - targets: [\"127.0.0.1:" << stack.service(name).metrics_port() << "\"]\n"
        << "        labels:\n          service: " << name << "\n";
  }
  return path;
}

// Reports each FAIL line of check-queries as its own test failure.
void ReportFailedQueries(const std::string& output) {
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, "FAIL")) ADD_FAILURE() << line;
  }
}

class PrometheusQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (KafkaBootstrap().empty() || RedisAddress().empty()) {
      GTEST_SKIP() << MissingInfrastructureMessage();
    }
    // A service folder without a CMakeLists.txt is not written yet, so the test skips. A
    // service that has one must build and start.
    for (const std::string& name : AllServices()) {
      if (!std::filesystem::exists(kSourceDir + "/services/" + name + "/CMakeLists.txt")) {
        GTEST_SKIP() << "services/" << name << " does not exist yet";
      }
    }
    work_dir_ =
        absl::StrCat(CONSORT_BINARY_DIR, "/tests/integration/prometheus/run-", UniqueSuffix());
    std::filesystem::create_directories(work_dir_);

    absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
  }

  // Runs consortctl with the stack's settings and asserts that it succeeds.
  void RunConsortctl(std::vector<std::string> arguments, absl::Duration timeout) {
    arguments.insert(arguments.begin(), BinaryPath("tools/consortctl/consortctl"));
    absl::StatusOr<CommandResult> result = RunCommand(arguments, stack_->env(), timeout);
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->exit_code, 0) << absl::StrJoin(arguments, " ") << "\n"
                                    << result->stdout_text << result->stderr_text;
  }

  // Starts Prometheus on a free loopback port and returns its URL.
  std::string StartPrometheus() {
    const std::string config = WriteScrapeConfig(*stack_, work_dir_ + "/prometheus.yml");
    const std::string url = absl::StrCat("http://127.0.0.1:", PickFreePort());
    absl::StatusOr<CommandResult> started =
        RunCommand({kRunLocal, "start", "--port", url.substr(url.rfind(':') + 1), "--data-dir",
                    PrometheusDir(), "--config", config},
                   {}, absl::Seconds(60));
    if (!started.ok()) {
      ADD_FAILURE() << "run-local start failed: " << started.status();
    } else {
      EXPECT_EQ(started->exit_code, 0) << started->stdout_text << started->stderr_text;
    }
    return url;
  }

  std::string PrometheusDir() const { return work_dir_ + "/prometheus"; }

  std::string work_dir_;
  std::unique_ptr<Stack> stack_;
};

TEST_F(PrometheusQueriesTest, EveryPanelAndAlertReturnsSeries) {
  if (!std::filesystem::exists(kSourceDir + "/tools/consortctl/CMakeLists.txt")) {
    GTEST_SKIP() << "tools/consortctl, which loads the data, does not exist yet";
  }
  const std::string data_dir = work_dir_ + "/generated";
  ASSERT_NO_FATAL_FAILURE(RunConsortctl({"generate", "--seed", "7", data_dir}, absl::Minutes(2)));
  ASSERT_NO_FATAL_FAILURE(RunConsortctl({"import", "olist", data_dir}, absl::Minutes(5)));
  ASSERT_NO_FATAL_FAILURE(RunConsortctl({"wait", "--timeout", "300"}, absl::Minutes(6)));

  const std::string url = StartPrometheus();
  PrometheusGuard guard(PrometheusDir());
  if (HasFailure()) return;

  absl::StatusOr<CommandResult> checked = RunCommand(
      {kCheckQueries, "--url", url, "--targets", "5", "--timeout", "120"}, {}, absl::Minutes(5));
  ASSERT_TRUE(checked.ok()) << checked.status();
  ReportFailedQueries(checked->stdout_text);
  EXPECT_EQ(checked->exit_code, 0) << checked->stdout_text << checked->stderr_text;
}

TEST_F(PrometheusQueriesTest, PanelOnUnexportedMetricFails) {
  const std::string dashboards = work_dir_ + "/dashboards";
  std::filesystem::create_directories(dashboards);
  std::ofstream(dashboards + "/unexported.json")
      << R"json({"title": "Unexported", "panels": [{"title": "Missing metric", "targets": [)json"
      << R"json({"refId": "A", "expr": "sum(rate(consort_not_exported_total[1m]))"}]}]})json";

  const std::string url = StartPrometheus();
  PrometheusGuard guard(PrometheusDir());
  if (HasFailure()) return;

  absl::StatusOr<CommandResult> checked =
      RunCommand({kCheckQueries, "--url", url, "--targets", "5", "--timeout", "120", "--dashboards",
                  dashboards, "--no-rules"},
                 {}, absl::Minutes(5));
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->exit_code, 1) << checked->stdout_text;
  EXPECT_TRUE(absl::StrContains(checked->stdout_text,
                                "metric consort_not_exported_total: no service exports it"))
      << checked->stdout_text;
}

}  // namespace
}  // namespace consort::testing
