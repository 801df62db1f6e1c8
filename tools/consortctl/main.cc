// consortctl: the command-line client of the Consort services. See README.md for the commands.

#include <cstdio>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "consortctl/commands.h"
#include "consortctl/generator.h"
#include "consortctl/import_plan.h"
#include "consortctl/import_tally.h"
#include "consortctl/importer.h"
#include "consortctl/olist_dataset.h"
#include "consortctl/service_clients.h"

namespace consort::consortctl {
namespace {

struct ImportCommand {
  std::string dir;
  ImportOptions options;
  ImportSettings settings;
  std::string summary_csv;
  bool quiet = false;
};

int RunImport(ImportCommand& command, ServiceClients& clients, const RetryPolicy& retry) {
  if (absl::Status status = ValidateImportOptions(command.options); !status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return kExitUsage;
  }

  ImportTally tally;
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(command.dir, tally);
  if (!data.ok()) {
    std::cerr << "error: " << data.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<ImportPlan> plan = PlanOlistImport(*data, command.options, tally);
  if (!plan.ok()) {
    std::cerr << "error: " << plan.status().message() << "\n";
    return kExitUsage;
  }
  if (!command.quiet) {
    std::cerr << "import: " << plan->partners.size() << " partners, " << plan->sales.size()
              << " sales and refunds, " << plan->feedback.size() << " feedback records to send\n";
  }

  command.settings.retry = retry;
  command.settings.show_progress = !command.quiet;
  Importer importer(clients, command.settings, tally);
  absl::Status status = importer.Run(*plan);

  std::cout << tally.FormatTable();
  std::cout.flush();
  if (!command.summary_csv.empty()) {
    FILE* file = std::fopen(command.summary_csv.c_str(), "w");
    std::string csv = tally.FormatCsv();
    if (file == nullptr || std::fwrite(csv.data(), 1, csv.size(), file) != csv.size() ||
        std::fclose(file) != 0) {
      std::cerr << "error: cannot write the summary to " << command.summary_csv << "\n";
      return kExitServiceFailure;
    }
  }
  if (!status.ok()) {
    std::cerr << "error: the import stopped: " << status.message() << "\n";
    return kExitServiceFailure;
  }
  return kExitOk;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "consortctl: import data into the Consort services, export scorecards and "
      "commissions, and watch the pipeline"};
  app.require_subcommand(1);

  ServiceAddresses addresses;
  app.add_option("--partner-address", addresses.partner, "Partner service host:port")
      ->envname("CONSORT_PARTNER_ADDRESS")
      ->capture_default_str();
  app.add_option("--contract-address", addresses.contract, "Contract service host:port")
      ->envname("CONSORT_CONTRACT_ADDRESS")
      ->capture_default_str();
  app.add_option("--communication-address", addresses.communication,
                 "Communication service host:port")
      ->envname("CONSORT_COMMUNICATION_ADDRESS")
      ->capture_default_str();
  app.add_option("--performance-address", addresses.performance, "Performance service host:port")
      ->envname("CONSORT_PERFORMANCE_ADDRESS")
      ->capture_default_str();
  app.add_option("--incentive-address", addresses.incentive, "Incentive service host:port")
      ->envname("CONSORT_INCENTIVE_ADDRESS")
      ->capture_default_str();
  double rpc_timeout_seconds = 30;
  app.add_option("--rpc-timeout", rpc_timeout_seconds,
                 "Deadline of one call to a service, in seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();

  // import olist DIR
  ImportCommand import_command;
  CLI::App* import_app = app.add_subcommand("import", "Load data into the services");
  import_app->require_subcommand(1);
  CLI::App* olist = import_app->add_subcommand(
      "olist",
      "Load the Olist marketplace files: sellers as partners with one active contract "
      "each, order items as sales, canceled and unavailable orders as refunds, reviews "
      "as feedback");
  olist->add_option("dir", import_command.dir, "Folder with the Olist CSV files")
      ->required()
      ->check(CLI::ExistingDirectory);
  ImportOptions& options = import_command.options;
  olist->add_flag("--region-from-seller,!--no-region-from-seller", options.region_from_seller,
                  "Whether each contract covers its seller's state (default: yes)");
  olist->add_option("--extra-region", options.extra_regions,
                    "A region every contract covers besides the seller's state; repeatable");
  olist->add_option("--channel", options.channel, "Sales channel of the contracts and sales")
      ->capture_default_str();
  olist->add_option("--currency", options.currency, "ISO 4217 currency of the contracts and sales")
      ->capture_default_str();
  olist
      ->add_option("--time-zone", options.time_zone,
                   "IANA time zone of the contracts, also used to read the files' timestamps")
      ->capture_default_str();
  olist
      ->add_option("--monthly-target", options.monthly_target,
                   "Monthly net-sales target of each contract, in --currency")
      ->capture_default_str();
  olist
      ->add_option("--commission-rate", options.commission_rate,
                   "Commission rate of each contract, \"10%\" or \"0.1\"")
      ->capture_default_str();
  olist
      ->add_option("--concurrency", import_command.settings.concurrency,
                   "Partner and feedback calls in flight at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  olist
      ->add_option("--max-in-flight", import_command.settings.max_in_flight,
                   "Sale records sent on the stream and not yet answered, at most")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  olist
      ->add_option("--max-records-per-second", import_command.settings.max_records_per_second,
                   "Upper limit on sale and feedback records sent per second; 0 for none")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  olist->add_option("--summary-csv", import_command.summary_csv,
                    "Also write the counts as CSV to this file");
  olist->add_flag("--quiet", import_command.quiet, "Print no progress, only the summary");

  // export scorecards|commissions
  ExportOptions export_options;
  CLI::App* export_app = app.add_subcommand("export", "Print data from the services as CSV");
  export_app->require_subcommand(1);
  CLI::App* scorecards = export_app->add_subcommand(
      "scorecards", "One row per partner and month from the performance service");
  CLI::App* commissions = export_app->add_subcommand(
      "commissions", "Commission per partner and month from the incentive service");
  for (CLI::App* sub : {scorecards, commissions}) {
    sub->add_option("--format", export_options.format, "Output format; only csv")
        ->capture_default_str();
    sub->add_option("--period", export_options.period, "Only this month, YYYY-MM");
  }

  // wait
  WaitOptions wait_options;
  double wait_timeout_seconds = 300;
  CLI::App* wait = app.add_subcommand(
      "wait",
      "Wait until every accepted event has reached Kafka and been consumed by the "
      "performance and incentive services");
  wait->add_option("--timeout", wait_timeout_seconds, "Seconds to wait before failing")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();

  // leaderboard
  std::string leaderboard_period;
  int leaderboard_limit = 10;
  CLI::App* leaderboard =
      app.add_subcommand("leaderboard", "Print the top partners of a month with their scorecards");
  leaderboard->add_option("--period", leaderboard_period, "Month, YYYY-MM")->required();
  leaderboard->add_option("--limit", leaderboard_limit, "Number of partners, 1 to 1000")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

  // busiest-month
  CLI::App* busiest = app.add_subcommand(
      "busiest-month", "Print the month with the most items sold across all partners");

  // generate
  GeneratorOptions generator_options;
  std::string generate_dir;
  CLI::App* generate = app.add_subcommand(
      "generate", "Write a synthetic data set in the Olist file layout, the same for a seed");
  generate->add_option("--seed", generator_options.seed, "Random seed")->capture_default_str();
  generate->add_option("--partners", generator_options.partners, "Number of sellers")
      ->capture_default_str();
  generate->add_option("--months", generator_options.months, "Number of months of orders")
      ->capture_default_str();
  generate
      ->add_option("--start-month", generator_options.start_month, "First month of orders, YYYY-MM")
      ->capture_default_str();
  generate
      ->add_option("--orders-per-partner-month", generator_options.orders_per_partner_month,
                   "Average orders per seller and month before seasonality")
      ->capture_default_str();
  generate->add_option("outdir", generate_dir, "Folder to write the files into")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  RetryPolicy retry;
  retry.timeout = absl::Seconds(rpc_timeout_seconds);

  if (generate->parsed()) {
    absl::StatusOr<GeneratorSummary> summary =
        GenerateOlistDataset(generator_options, generate_dir);
    if (!summary.ok()) {
      std::cerr << "error: " << summary.status().message() << "\n";
      return kExitUsage;
    }
    std::cout << "wrote " << summary->sellers << " sellers, " << summary->products << " products, "
              << summary->orders << " orders, " << summary->items << " order items and "
              << summary->reviews << " reviews to " << generate_dir << "\n";
    return kExitOk;
  }

  ServiceClients clients(addresses);
  if (olist->parsed()) return RunImport(import_command, clients, retry);
  if (scorecards->parsed()) {
    return ExportScorecards(clients, retry, export_options, std::cout, std::cerr);
  }
  if (commissions->parsed()) {
    return ExportCommissions(clients, retry, export_options, std::cout, std::cerr);
  }
  if (wait->parsed()) {
    wait_options.timeout = absl::Seconds(wait_timeout_seconds);
    return WaitForQuiet(clients, retry, wait_options, std::cerr);
  }
  if (leaderboard->parsed()) {
    return PrintLeaderboard(clients, retry, leaderboard_period, leaderboard_limit, std::cout,
                            std::cerr);
  }
  if (busiest->parsed()) return PrintBusiestMonth(clients, retry, std::cout, std::cerr);
  return kExitUsage;
}

}  // namespace
}  // namespace consort::consortctl

int main(int argc, char** argv) { return consort::consortctl::Main(argc, argv); }
