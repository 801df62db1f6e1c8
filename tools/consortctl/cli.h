#pragma once

// The command line of consortctl: declares its subcommands and flags with CLI11, parses argv
// and runs the chosen subcommand. main() only creates a CommandLine, calls Parse and then Run;
// the unit tests call Parse alone, so that exit codes and messages of command-line errors are
// checked without any service.
//
// Exit codes: 0 on success and after --help, 1 when a service call failed, 2 for any
// command-line error (unknown subcommand, unknown or malformed flag, missing argument) and for
// bad input files, 3 when wait timed out.
//
// Called from the main thread. Not thread-safe; one instance per run.

#include <optional>
#include <ostream>
#include <string>

#include "CLI/CLI.hpp"
#include "consortctl/commands.h"
#include "consortctl/generator.h"
#include "consortctl/import_plan.h"
#include "consortctl/importer.h"
#include "consortctl/service_clients.h"

namespace consort::consortctl {

class CommandLine {
 public:
  CommandLine();

  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Parses argv. Returns 0 after printing --help to `out`, and 2 after printing a command-line
  // error to `err`. An unknown or missing subcommand is named together with the valid ones.
  // Returns nullopt when Run follows.
  std::optional<int> Parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

  // Runs the parsed subcommand against the services and returns the exit code.
  int Run();

  // The values Parse read, for the tests.
  double wait_timeout_seconds() const { return wait_timeout_seconds_; }
  const ImportOptions& import_options() const { return import_.options; }

 private:
  struct ImportCommand {
    std::string dir;
    ImportOptions options;
    ImportSettings settings;
    std::string summary_csv;
    bool quiet = false;
  };

  // Writes the message for a RequiredError raised because a subcommand is missing or unknown.
  // Returns false when `error` is another kind of error.
  bool ExplainMissingSubcommand(const CLI::Error& error, std::ostream& err);
  int RunImport(ServiceClients& clients, const RetryPolicy& retry);
  int RunGenerate();

  CLI::App app_;
  ServiceAddresses addresses_;
  double rpc_timeout_seconds_ = 30;

  ImportCommand import_;
  CLI::App* olist_ = nullptr;

  ExportOptions export_options_;
  CLI::App* scorecards_ = nullptr;
  CLI::App* commissions_ = nullptr;

  double wait_timeout_seconds_ = 300;
  CLI::App* wait_ = nullptr;

  std::string leaderboard_period_;
  int leaderboard_limit_ = 10;
  CLI::App* leaderboard_ = nullptr;

  CLI::App* busiest_ = nullptr;

  GeneratorOptions generator_options_;
  std::string generate_dir_;
  CLI::App* generate_ = nullptr;
};

}  // namespace consort::consortctl
