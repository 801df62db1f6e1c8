// Checks the Grafana dashboards and the alert rules against real metrics. The test starts the five
// services against the test run's Kafka and Redis and imports a small data set from the current
// month with consortctl. Then it starts Debian's Prometheus (deploy/prometheus/run-local) on the
// services' metrics ports with the alert rules loaded, and runs check-queries, which fails for
// every dashboard or alert expression without a series.

#include <algorithm>
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

// Writes a small data set in the Olist file layout that consortctl imports. It has three sellers
// and six orders from the last hour, one of them canceled, so that it becomes a sale and a
// refund. Three reviews follow, one of them 1-star with a complaint text. The business panels
// show the current month, so the events must fall in it, which `consortctl generate` cannot do
// because it writes whole past months. Early on the first day of a month the times are moved
// up to the month's first second in America/Sao_Paulo, the zone of the imported contracts.
void WriteCurrentOlistData(const std::string& dir) {
  std::filesystem::create_directories(dir);
  const absl::TimeZone zone = [] {
    absl::TimeZone loaded;
    absl::LoadTimeZone("America/Sao_Paulo", &loaded);
    return loaded;
  }();
  const absl::Time now = absl::Now();
  const absl::Time month_start =
      absl::FromCivil(absl::CivilSecond(absl::CivilMonth(absl::ToCivilSecond(now, zone))), zone);
  auto local = [&](absl::Duration ago) {
    return absl::FormatTime("%Y-%m-%d %H:%M:%S", std::max(now - ago, month_start), zone);
  };

  std::ofstream(dir + "/olist_sellers_dataset.csv")
      << "seller_id,seller_zip_code_prefix,seller_city,seller_state\n"
      << "seller-a,01001,sao paulo,SP\nseller-b,20010,rio de janeiro,RJ\n"
      << "seller-c,30110,belo horizonte,MG\n";
  std::ofstream(dir + "/olist_products_dataset.csv")
      << "product_id,product_category_name\nproduct-1,informatica_acessorios\n";
  std::ofstream(dir + "/product_category_name_translation.csv")
      << "product_category_name,product_category_name_english\n"
      << "informatica_acessorios,computers_accessories\n";

  std::ofstream orders(dir + "/olist_orders_dataset.csv");
  std::ofstream items(dir + "/olist_order_items_dataset.csv");
  orders << "order_id,customer_id,order_status,order_purchase_timestamp\n";
  items << "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value\n";
  const char* sellers[] = {"seller-a", "seller-b", "seller-c", "seller-a", "seller-b", "seller-a"};
  for (int i = 0; i < 6; ++i) {
    const std::string order_id = absl::StrCat("order-", i);
    const std::string time = local(absl::Minutes(60 - 5 * i));
    orders << order_id << ",customer-" << i << "," << (i == 4 ? "canceled" : "delivered") << ","
           << time << "\n";
    items << order_id << ",1,product-1," << sellers[i] << "," << time << "," << 100 + 25 * i
          << ".00,12.50\n";
  }

  std::ofstream(dir + "/olist_order_reviews_dataset.csv")
      << "review_id,order_id,review_score,review_comment_title,review_comment_message,"
         "review_creation_date\n"
      << "review-0,order-0,5,,great," << local(absl::Minutes(20)) << "\n"
      << "review-1,order-1,4,,," << local(absl::Minutes(15)) << "\n"
      << "review-2,order-2,1,broken,arrived broken," << local(absl::Minutes(10)) << "\n";
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
    if (!HasTestInfrastructure()) {
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
  const std::string data_dir = work_dir_ + "/olist";
  WriteCurrentOlistData(data_dir);
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
