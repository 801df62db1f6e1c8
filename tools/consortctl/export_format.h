#pragma once

// Formatting of what consortctl prints from the performance and incentive services: the CSV
// exports of scorecards and commission totals, the leaderboard table, and the choice of the
// busiest month. Pure functions of protobuf messages, so that they are tested without servers.
//
// Thread safety: pure functions.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "consort/common/v1/common.pb.h"
#include "consort/incentive/v1/incentive.pb.h"
#include "consort/performance/v1/performance.pb.h"

namespace consort::consortctl {

inline constexpr const char* kScorecardCsvHeader =
    "partner_id,period,currency,gross_sales,refunds,net_sales,orders,items,feedback_count,"
    "average_rating,complaints,target,attainment_pct";
inline constexpr const char* kCommissionCsvHeader = "partner_id,period,currency,commission";

// Checks the --period flag: empty (every period) or "YYYY-MM" with a month 01 to 12.
absl::Status ValidatePeriodFlag(const std::string& period);

// Checks the --format flag; "csv" is the only format.
absl::Status ValidateFormatFlag(const std::string& format);

// One CSV row, without a line end. Money is printed as the service sent it, which has exactly
// the currency's decimals.
std::string ScorecardCsvRow(const performance::v1::Scorecard& scorecard);
std::string CommissionCsvRow(const incentive::v1::CommissionTotal& total);

// A table of the ranked scorecards for a terminal: rank, partner, score, net sales, attainment,
// orders, average rating, complaints.
std::string FormatLeaderboard(const std::string& period,
                              const std::vector<performance::v1::Scorecard>& scorecards);

// Totals of one period across every partner's scorecard.
struct PeriodActivity {
  std::string period;
  int64_t items = 0;
  int64_t orders = 0;
  int64_t partners = 0;
};

// Returns the period with the most items sold; ties go to more orders, then to the earlier
// period. Returns an empty period when there is no scorecard.
PeriodActivity BusiestPeriod(const std::vector<performance::v1::Scorecard>& scorecards);

// Whether a consumer has processed everything it was given: at least one partition assigned, and
// on every partition next_offset has reached the high watermark (or the partition is empty).
bool ConsumerCaughtUp(const common::v1::ConsumerProgress& progress);

// Messages still to consume, summed over the partitions.
int64_t ConsumerLag(const common::v1::ConsumerProgress& progress);

}  // namespace consort::consortctl
