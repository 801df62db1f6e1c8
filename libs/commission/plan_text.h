// A line-oriented text form of a commission plan, so that plans can be stored, versioned,
// reviewed in a diff and written by hand. The contract service stores this text; the fuzz target
// plan_fuzzer feeds it arbitrary bytes.
//
// Each line is a keyword and its fields separated by single spaces; blank lines and lines that
// start with '#' are ignored. Keywords, in any order, with the currency anywhere in the text:
//
//   currency EUR                  settlement currency (required, once)
//   rounding half-up              half-up (default), half-even or down
//   rate 5%                       flat rate
//   band_mode marginal            marginal (default) or retroactive
//   band 0 10000.00 5%            [from, to) and rate; "+" as `to` makes the band open-ended
//   category electronics 3%       rate override for one product category
//   target 20000.00               net sales expected per period
//   accelerator 1.5               multiplier of the rate above the target
//   cap 2000.00                   most that rate, band and accelerator lines pay per period
//   bonus 120% 1200.00            bonus paid when the attainment reaches the threshold
//   pool 10%                      pool rate on sales with co-sellers
//   pool_share partner-a 25%      a partner's weight in the pool
//
// Thread safety: pure functions.
#ifndef CONSORT_COMMISSION_PLAN_TEXT_H_
#define CONSORT_COMMISSION_PLAN_TEXT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "commission/plan.h"

namespace consort::commission {

// Parses and validates a plan. Returns InvalidArgument naming the line number and field for
// unknown keywords, wrong field counts, malformed values, texts over 64 KiB, and every error that
// ValidatePlan reports.
absl::StatusOr<Plan> ParsePlan(std::string_view text);

// Writes a plan in the form that ParsePlan reads, one keyword per line in the order listed above.
std::string FormatPlan(const Plan& plan);

}  // namespace consort::commission

#endif  // CONSORT_COMMISSION_PLAN_TEXT_H_
