#pragma once

// Steps shared by the end-to-end tests: where the Olist data is, running consortctl against a
// stack, and comparing an export with the expected rows. Not thread-safe.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/e2e/expected_totals.h"
#include "tests/support/service_process.h"

namespace consort::e2e {

// The Olist folder: CONSORT_OLIST_DIR, else ../shared/data/olist beside the repository. Empty
// when the folder has no Olist files.
std::string OlistDir();

// Runs build/tools/consortctl/consortctl with `args` and the stack's addresses.
absl::StatusOr<testing::CommandResult> RunConsortctl(const testing::Stack& stack,
                                                     const std::vector<std::string>& args,
                                                     absl::Duration timeout = absl::Minutes(20));

// Runs `consortctl import olist DIR --quiet --summary-csv FILE` and returns the parsed summary;
// `exit_code` receives the exit code, and `errors`, when set, the stderr.
absl::StatusOr<std::map<std::string, int64_t>> Import(const testing::Stack& stack,
                                                      const std::string& dir,
                                                      const std::vector<std::string>& extra_args,
                                                      int& exit_code,
                                                      std::string* errors = nullptr);

// Runs consortctl wait, then both exports, and returns them parsed.
struct Exports {
  CsvRows scorecards;
  CsvRows commissions;
};
absl::StatusOr<Exports> WaitAndExport(const testing::Stack& stack);

// Lists every difference between `expected` and `actual`: rows missing, rows extra, and cells
// that differ, naming partner, period and column. `columns` names the value columns.
std::vector<std::string> CompareRows(const CsvRows& expected, const CsvRows& actual,
                                     const std::vector<std::string>& columns);

// The scorecard export's value columns, after partner_id and period.
const std::vector<std::string>& ScorecardColumns();
const std::vector<std::string>& CommissionColumns();

// Sum of next_offset over the partitions of a consumer, read from its GetConsumerProgress.
int64_t ConsumedEvents(testing::ServiceProcess& service);

}  // namespace consort::e2e
