#pragma once

// Totals that the end-to-end tests expect, computed straight from the Olist CSV files by a code
// path of their own. Amounts are summed as integer cents parsed here. The month is the first
// seven characters of the local timestamp text, so no time zone library is involved. Commission
// is rounded per sale with integer arithmetic. Only the CSV parsing is shared with consortctl.
//
// The rules are the import rules: an item is a sale of its seller; canceled and unavailable
// orders are refunded in full in the same month; a review counts once for each distinct seller
// of its order; the contract terms are 1000.00 BRL monthly target and 10% commission.
//
// Not thread-safe; used by one test at a time.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace consort::e2e {

// (partner_id, period) -> the export's columns after the first two, as text.
using CsvRows = std::map<std::pair<std::string, std::string>, std::vector<std::string>>;

struct ExpectedCounts {
  int64_t partners = 0;
  int64_t sales = 0;
  int64_t duplicate_sales = 0;
  int64_t refunds = 0;
  int64_t feedback = 0;
  int64_t duplicate_feedback = 0;
  int64_t reviews_without_order = 0;
  // Data records per file name, for the four files the totals read.
  std::map<std::string, int64_t> records_read;
};

// The rows of consortctl's --summary-csv that an import into an empty stack must print, keyed
// as ParseImportSummary keys them.
std::map<std::string, int64_t> ExpectedSummary(const ExpectedCounts& counts);

struct ExpectedTotals {
  // Columns from currency to attainment_pct, as consortctl export scorecards prints them.
  CsvRows scorecards;
  // Columns currency and commission.
  CsvRows commissions;
  ExpectedCounts counts;
};

// Reads the six Olist files from `dir` and computes the totals.
absl::StatusOr<ExpectedTotals> ComputeExpectedTotals(const std::string& dir);

// Parses an export: checks the header and returns the rows keyed by partner and period. Fails
// when a key repeats or a row has the wrong number of fields.
absl::StatusOr<CsvRows> ParseExport(const std::string& csv, const std::string& header);

// Parses consortctl's --summary-csv output into "section/name/outcome/reason" -> count.
absl::StatusOr<std::map<std::string, int64_t>> ParseImportSummary(const std::string& csv);

}  // namespace consort::e2e
