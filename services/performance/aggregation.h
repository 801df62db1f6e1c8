#pragma once

// Aggregation rules of the performance service: the totals that a scorecard keeps for one partner
// and one calendar month, how a sale, a refund or a feedback changes them, and how they are
// formatted for the API. Pure value types and functions without I/O: the event consumer applies
// events with them and the gRPC handlers format responses with them.
//
// Thread safety: no shared state; every function may run on any thread.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consort/performance/v1/performance.pb.h"

namespace consort::performance {

// Totals of one partner for one calendar month in the contract's time zone. Amounts are in the
// minor unit of `currency`.
struct ScorecardTotals {
  std::string partner_id;
  // "YYYY-MM".
  std::string period;
  // ISO 4217 code of every amount, taken from the contract.
  std::string currency;
  // Contract whose time zone and monthly target the scorecard uses.
  std::string contract_id;
  // Sum of sale amounts.
  int64_t gross_minor = 0;
  // Sum of refund amounts as a positive number.
  int64_t refunds_minor = 0;
  // Distinct order ids among the month's sales; a sale without an order id is an order of its own.
  int64_t orders = 0;
  // Sum of sale quantities.
  int64_t items = 0;
  int64_t feedback_count = 0;
  // Sum of the ratings (1 to 5) of the month's feedback.
  int64_t rating_sum = 0;
  // Feedback flagged as a complaint.
  int64_t complaints = 0;
  // The contract's monthly net-sales target.
  int64_t target_minor = 0;
  // Number of changes so far; 0 for a scorecard that does not exist yet.
  int64_t version = 0;
  absl::Time update_time = absl::UnixEpoch();

  int64_t net_minor() const { return gross_minor - refunds_minor; }

  friend bool operator==(const ScorecardTotals&, const ScorecardTotals&) = default;
};

// Returns the calendar month of `event_time` in the IANA zone `time_zone`, as "YYYY-MM". Fails
// with INVALID_ARGUMENT when the zone is unknown.
absl::StatusOr<std::string> MonthLabel(absl::Time event_time, const std::string& time_zone);

// Adds a sale (amount_minor > 0, quantity >= 1) to `totals`. `new_order` tells whether the sale's
// order id is not yet counted in the month; a sale without an order id passes true. Fails with
// OUT_OF_RANGE, leaving `totals` unchanged, when a sum would exceed money::Money::kMaxMinorUnits.
absl::Status ApplySale(ScorecardTotals& totals, int64_t amount_minor, int64_t quantity,
                       bool new_order);

// Adds a refund, whose amount_minor is negative, to the refunds of `totals`. Fails like ApplySale.
absl::Status ApplyRefund(ScorecardTotals& totals, int64_t amount_minor);

// Adds one feedback with `rating` 1 to 5.
absl::Status ApplyFeedback(ScorecardTotals& totals, int32_t rating, bool complaint);

// Returns rating_sum / feedback_count with two decimals rounded half-up ("4.67"), computed in
// integers, or "" when feedback_count is 0.
std::string FormatAverageRating(int64_t rating_sum, int64_t feedback_count);

// Returns net / target * 100 with two decimals rounded half-up, a tie going away from zero
// ("83.33", "-12.50"), or "" when target_minor is 0.
std::string FormatAttainmentPct(int64_t net_minor, int64_t target_minor);

// Builds the API form of `totals`: amounts with the currency's decimals, the average rating, the
// attainment and the composite score. Fails with INTERNAL when the stored currency is unknown.
absl::StatusOr<consort::performance::v1::Scorecard> ToScorecardProto(const ScorecardTotals& totals);

}  // namespace consort::performance
