#include "consortctl/cli.h"

#include <cstdio>
#include <iostream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "consortctl/import_tally.h"
#include "consortctl/olist_dataset.h"

namespace consort::consortctl {
namespace {

// Accepts a number of seconds from kMinWaitTimeout to one day, so that the message of a bad
// value names the unit and the range.
CLI::Validator WaitTimeoutSeconds() {
  const double min_seconds = absl::ToDoubleSeconds(kMinWaitTimeout);
  const double max_seconds = absl::ToDoubleSeconds(kMaxWaitTimeout);
  return CLI::Validator(
      [min_seconds, max_seconds](std::string& text) -> std::string {
        double seconds = 0;
        if (absl::SimpleAtod(text, &seconds) && seconds >= min_seconds && seconds <= max_seconds) {
          return "";
        }
        return absl::StrCat("\"", text, "\" is invalid; expected a number of seconds from ",
                            min_seconds, " to ", max_seconds, ", such as 300");
      },
      absl::StrCat("SECONDS from ", min_seconds, " to ", max_seconds));
}

}  // namespace

CommandLine::CommandLine()
    : app_(
          "consortctl: import data into the Consort services, export scorecards and "
          "commissions, and watch the pipeline",
          "consortctl") {
  app_.require_subcommand(1);

  app_.add_option("--partner-address", addresses_.partner, "Partner service host:port")
      ->envname("CONSORT_PARTNER_ADDRESS")
      ->capture_default_str();
  app_.add_option("--contract-address", addresses_.contract, "Contract service host:port")
      ->envname("CONSORT_CONTRACT_ADDRESS")
      ->capture_default_str();
  app_.add_option("--communication-address", addresses_.communication,
                  "Communication service host:port")
      ->envname("CONSORT_COMMUNICATION_ADDRESS")
      ->capture_default_str();
  app_.add_option("--performance-address", addresses_.performance, "Performance service host:port")
      ->envname("CONSORT_PERFORMANCE_ADDRESS")
      ->capture_default_str();
  app_.add_option("--incentive-address", addresses_.incentive, "Incentive service host:port")
      ->envname("CONSORT_INCENTIVE_ADDRESS")
      ->capture_default_str();
  app_.add_option("--rpc-timeout", rpc_timeout_seconds_,
                  "Deadline of one call to a service, in seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();

  // import olist DIR
  CLI::App* import_app = app_.add_subcommand("import", "Load data into the services");
  import_app->require_subcommand(1);
  olist_ = import_app->add_subcommand(
      "olist",
      "Load the Olist marketplace files: sellers as partners with one active contract "
      "each, order items as sales, canceled and unavailable orders as refunds, reviews "
      "as feedback");
  olist_->add_option("dir", import_.dir, "Folder with the Olist CSV files")
      ->required()
      ->check(CLI::ExistingDirectory);
  ImportOptions& options = import_.options;
  olist_->add_flag("--region-from-seller,!--no-region-from-seller", options.region_from_seller,
                   "Whether each contract covers its seller's state (default: yes)");
  olist_->add_option("--extra-region", options.extra_regions,
                     "A region every contract covers besides the seller's state; repeatable");
  olist_->add_option("--channel", options.channel, "Sales channel of the contracts and sales")
      ->capture_default_str();
  olist_->add_option("--currency", options.currency, "ISO 4217 currency of the contracts and sales")
      ->capture_default_str();
  olist_
      ->add_option("--time-zone", options.time_zone,
                   "IANA time zone of the contracts, also used to read the files' timestamps")
      ->capture_default_str();
  olist_
      ->add_option("--monthly-target", options.monthly_target,
                   "Monthly net-sales target of each contract, in --currency")
      ->capture_default_str();
  olist_
      ->add_option("--commission-rate", options.commission_rate,
                   "Commission rate of each contract, \"10%\" or \"0.1\"")
      ->capture_default_str();
  olist_
      ->add_option("--concurrency", import_.settings.concurrency,
                   "Partner and feedback calls in flight at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  olist_
      ->add_option("--max-in-flight", import_.settings.max_in_flight,
                   "Sale records sent on the stream and not yet answered, at most")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  olist_
      ->add_option("--max-records-per-second", import_.settings.max_records_per_second,
                   "Upper limit on sale and feedback records sent per second; 0 for none")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  olist_->add_option("--summary-csv", import_.summary_csv,
                     "Also write the counts as CSV to this file");
  olist_->add_flag("--quiet", import_.quiet, "Print no progress, only the summary");

  // export scorecards|commissions
  CLI::App* export_app = app_.add_subcommand("export", "Print data from the services as CSV");
  export_app->require_subcommand(1);
  scorecards_ = export_app->add_subcommand(
      "scorecards", "One row per partner and month from the performance service");
  commissions_ = export_app->add_subcommand(
      "commissions", "Commission per partner and month from the incentive service");
  for (CLI::App* sub : {scorecards_, commissions_}) {
    sub->add_option("--format", export_options_.format, "Output format; only csv")
        ->capture_default_str();
    sub->add_option("--period", export_options_.period, "Only this month, YYYY-MM");
  }

  // wait
  wait_ = app_.add_subcommand(
      "wait",
      "Wait until every accepted event has reached Kafka and been consumed by the "
      "performance and incentive services");
  wait_->add_option("--timeout", wait_timeout_seconds_, "Seconds to wait before failing")
      ->check(WaitTimeoutSeconds())
      ->capture_default_str();

  // leaderboard
  leaderboard_ =
      app_.add_subcommand("leaderboard", "Print the top partners of a month with their scorecards");
  leaderboard_->add_option("--period", leaderboard_period_, "Month, YYYY-MM")->required();
  leaderboard_->add_option("--limit", leaderboard_limit_, "Number of partners, 1 to 1000")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

  // busiest-month
  busiest_ = app_.add_subcommand("busiest-month",
                                 "Print the month with the most items sold across all partners");

  // generate
  generate_ = app_.add_subcommand(
      "generate", "Write a synthetic data set in the Olist file layout, the same for a seed");
  generate_->add_option("--seed", generator_options_.seed, "Random seed")->capture_default_str();
  generate_->add_option("--partners", generator_options_.partners, "Number of sellers")
      ->capture_default_str();
  generate_->add_option("--months", generator_options_.months, "Number of months of orders")
      ->capture_default_str();
  generate_
      ->add_option("--start-month", generator_options_.start_month,
                   "First month of orders, YYYY-MM")
      ->capture_default_str();
  generate_
      ->add_option("--orders-per-partner-month", generator_options_.orders_per_partner_month,
                   "Average orders per seller and month before seasonality")
      ->capture_default_str();
  generate_->add_option("outdir", generate_dir_, "Folder to write the files into")->required();
}

std::optional<int> CommandLine::Parse(int argc, const char* const* argv, std::ostream& out,
                                      std::ostream& err) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (ExplainMissingSubcommand(error, err)) return kExitUsage;
    // CLI11 prints help and its own message; its exit codes differ per error, so every error
    // maps to the one usage code.
    return app_.exit(error, out, err) == kExitOk ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

bool CommandLine::ExplainMissingSubcommand(const CLI::Error& error, std::ostream& err) {
  if (error.get_name() != "RequiredError" ||
      std::string(error.what()).find("subcommand") == std::string::npos) {
    return false;
  }
  // The deepest subcommand that was given is the one whose subcommand is missing.
  CLI::App* current = &app_;
  std::string path = app_.get_name();
  while (!current->get_subcommands().empty()) {
    current = current->get_subcommands().front();
    absl::StrAppend(&path, " ", current->get_name());
  }
  std::vector<std::string> valid;
  for (const CLI::App* sub : current->get_subcommands([](CLI::App*) { return true; })) {
    valid.push_back(sub->get_name());
  }
  if (valid.empty()) return false;

  std::string unknown;
  for (const std::string& word : app_.remaining(/*recurse=*/true)) {
    if (!word.empty() && word[0] != '-') {
      unknown = word;
      break;
    }
  }
  if (unknown.empty()) {
    err << "error: " << path
        << " needs a subcommand; expected one of: " << absl::StrJoin(valid, ", ") << "\n";
  } else {
    err << "error: unknown subcommand \"" << unknown << "\" of " << path
        << "; expected one of: " << absl::StrJoin(valid, ", ") << "\n";
  }
  err << "Run with --help for more information.\n";
  err.flush();
  return true;
}

int CommandLine::Run() {
  if (generate_->parsed()) return RunGenerate();

  RetryPolicy retry;
  retry.timeout = absl::Seconds(rpc_timeout_seconds_);
  ServiceClients clients(addresses_);
  if (olist_->parsed()) return RunImport(clients, retry);
  if (scorecards_->parsed()) {
    return ExportScorecards(clients, retry, export_options_, std::cout, std::cerr);
  }
  if (commissions_->parsed()) {
    return ExportCommissions(clients, retry, export_options_, std::cout, std::cerr);
  }
  if (wait_->parsed()) {
    WaitOptions wait_options;
    wait_options.timeout = absl::Seconds(wait_timeout_seconds_);
    return WaitForQuiet(clients, retry, wait_options, std::cerr);
  }
  if (leaderboard_->parsed()) {
    return PrintLeaderboard(clients, retry, leaderboard_period_, leaderboard_limit_, std::cout,
                            std::cerr);
  }
  if (busiest_->parsed()) return PrintBusiestMonth(clients, retry, std::cout, std::cerr);
  return kExitUsage;
}

int CommandLine::RunGenerate() {
  absl::StatusOr<GeneratorSummary> summary =
      GenerateOlistDataset(generator_options_, generate_dir_);
  if (!summary.ok()) {
    std::cerr << "error: " << summary.status().message() << "\n";
    return kExitUsage;
  }
  std::cout << "wrote " << summary->sellers << " sellers, " << summary->products << " products, "
            << summary->orders << " orders, " << summary->items << " order items and "
            << summary->reviews << " reviews to " << generate_dir_ << "\n";
  return kExitOk;
}

int CommandLine::RunImport(ServiceClients& clients, const RetryPolicy& retry) {
  if (absl::Status status = ValidateImportOptions(import_.options); !status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return kExitUsage;
  }

  ImportTally tally;
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(import_.dir, tally);
  if (!data.ok()) {
    std::cerr << "error: " << data.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<ImportPlan> plan = PlanOlistImport(*data, import_.options, tally);
  if (!plan.ok()) {
    std::cerr << "error: " << plan.status().message() << "\n";
    return kExitUsage;
  }
  if (!import_.quiet) {
    std::cerr << "import: " << plan->partners.size() << " partners, " << plan->sales.size()
              << " sales and refunds, " << plan->feedback.size() << " feedback records to send\n";
  }

  import_.settings.retry = retry;
  import_.settings.show_progress = !import_.quiet;
  Importer importer(clients, import_.settings, tally);
  absl::Status status = importer.Run(*plan);

  std::cout << tally.FormatTable();
  std::cout.flush();
  if (!import_.summary_csv.empty()) {
    FILE* file = std::fopen(import_.summary_csv.c_str(), "w");
    std::string csv = tally.FormatCsv();
    if (file == nullptr || std::fwrite(csv.data(), 1, csv.size(), file) != csv.size() ||
        std::fclose(file) != 0) {
      std::cerr << "error: cannot write the summary to " << import_.summary_csv << "\n";
      return kExitServiceFailure;
    }
  }
  if (!status.ok()) {
    std::cerr << "error: the import stopped: " << status.message() << "\n";
    return kExitServiceFailure;
  }
  return kExitOk;
}

}  // namespace consort::consortctl
