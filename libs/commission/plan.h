// Commission plans as data: the rates, bands, overrides, accelerator, cap, bonuses and pool that
// decide what a partner earns in a period, and the checks that reject an inconsistent plan.
//
// The contract service stores and versions plans (see plan_text.h for the text form) and calls
// ValidatePlan before it accepts one; the incentive service passes a validated plan to
// ComputeStatement (statement.h).
//
// How the parts combine, per statement period and partner:
// - A sale in a category with an override earns the override rate on its own line. Other sales
//   earn either the flat `rate` on a line per sale, or, when the plan has bands, band lines on
//   the period's base: the net of those sales. Sales with co-sellers earn the pool instead.
// - Bands are half-open [from, to): a base exactly on a boundary is in the upper band. Marginal
//   bands pay each band's rate on the part of the base inside that band; retroactive bands pay
//   the rate of the band that contains the base on the whole base.
// - The accelerator multiplies the flat or band rate on the part of the same base above the
//   target, shown as extra lines of rate * (multiplier - 1).
// - The cap limits the sum of the rate, band and accelerator lines of a period, shown as a
//   negative cap line; bonuses and pool shares are not capped.
// - Bonuses compare the attainment (all net sales of the period, overrides and pool sales
//   included, over the target) with each threshold; the highest threshold reached pays once.
// - The pool pays `pool.rate` on each sale with co-sellers, split by `pool.shares` when the plan
//   lists them, else equally among the sale's co-sellers (see money/allocation.h for the rule
//   that makes shares add up exactly).
//
// Thread safety: Plan is a plain value; ValidatePlan is a pure function.
#ifndef CONSORT_COMMISSION_PLAN_H_
#define CONSORT_COMMISSION_PLAN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "money/money.h"

namespace consort::commission {

enum class BandMode { kMarginal, kRetroactive };

// One commission band [from, to); `to` is absent for the last, open-ended band.
struct Band {
  money::Money from;
  std::optional<money::Money> to;
  money::Rate rate;
};

// A rate that replaces the flat or band rate for the sales of one product category.
struct CategoryRate {
  std::string category;
  money::Rate rate;
};

// A bonus paid once per period when the attainment reaches `threshold` (1.2 is 120%).
struct Bonus {
  money::Rate threshold;
  money::Money amount;
};

// One partner's weight in a commission pool.
struct PoolShare {
  std::string partner_id;
  money::Rate weight;
};

// Commission shared among the partners that co-sold a sale.
struct Pool {
  money::Rate rate;
  // Weights that add up to exactly 100%, or empty for an equal split among each sale's
  // co-sellers.
  std::vector<PoolShare> shares;
};

struct Plan {
  // Settlement currency: lines, targets, caps and bonuses are in it.
  const money::Currency* currency = nullptr;
  // Rounding of every multiplication by a rate and of every currency conversion.
  money::RoundingMode rounding = money::RoundingMode::kHalfUp;
  // Flat rate on each sale; set exactly one of `rate` and `bands`.
  std::optional<money::Rate> rate;
  BandMode band_mode = BandMode::kMarginal;
  // Ordered, contiguous bands starting at zero.
  std::vector<Band> bands;
  std::vector<CategoryRate> category_rates;
  // Net sales expected per period; needed by the accelerator and by bonuses.
  std::optional<money::Money> target;
  // Multiplier of the rate above the target, 1 or more (1.5 pays 150% of the rate).
  std::optional<money::Rate> accelerator;
  // Most that the rate, band and accelerator lines of one period may pay together.
  std::optional<money::Money> cap;
  // Bonuses ordered by strictly increasing threshold.
  std::vector<Bonus> bonuses;
  std::optional<Pool> pool;
};

// Returns OK for a consistent plan, else InvalidArgument naming the first invalid field, its
// value and what is allowed, for example
// `bands[1].from 9000.00 must equal bands[0].to 10000.00: bands must be ordered and contiguous`.
// Rates must be 0 to 1 (0% to 100%), amounts positive and in the plan's currency, bonus
// thresholds positive, and the accelerator times every rate exact to 12 decimals.
absl::Status ValidatePlan(const Plan& plan);

// Returns the label of a band for statement lines: "[10000.00, 25000.00)" or "[25000.00, +inf)".
std::string BandLabel(const Band& band);

}  // namespace consort::commission

#endif  // CONSORT_COMMISSION_PLAN_H_
