#pragma once

// The incentive service's commission rule for one sale and its refunds. A sale earns
// MultiplyByRate(amount, rate) rounded half-up to the currency's minor unit, once. A refund
// reverses exactly the commission of what it refunds:
// - when the refund brings the refunded total to the whole sale amount, it reverses all the
//   commission not yet reversed;
// - otherwise it reverses round_half_up(refund * rate), capped at the commission not yet
//   reversed.
// So the refunds of a sale together never reverse more than the sale earned, and a fully refunded
// sale nets exactly zero. A 30% plan on a 6.45 sale earns 1.94; a 2.15 refund reverses 0.65; a
// refund of the remaining 4.30 reverses 1.29.
//
// The statement engine of libs/commission books refunds as differences of whole-period
// entitlements (round(net * rate) - issued), which can differ from this per-refund rule by a
// minor unit on partial refunds, so the service keeps its own rule here.
//
// Pure functions on value types; any thread.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "money/money.h"

namespace consort::incentive {

// The account of one sale: its commission and what its refunds took back, in its currency.
struct SaleAccount {
  money::Money amount;
  money::Money refunded;
  money::Money commission;
  money::Money reversed;
  money::Rate rate;
};

// Opens the account of a sale of `amount` (positive) at `rate` (0 to 1) and computes its
// commission. Returns INVALID_ARGUMENT for a non-positive amount or a rate outside 0 to 1, and
// OUT_OF_RANGE when the commission overflows.
absl::StatusOr<SaleAccount> AccrueSale(const money::Money& amount, const money::Rate& rate);

// Applies a refund of `refund` (positive, in the sale's currency) to `account` and returns the
// commission it reverses (zero or positive). Returns INVALID_ARGUMENT, leaving the account
// unchanged, when the refund is not positive, is in another currency, or exceeds what is left of
// the sale.
absl::StatusOr<money::Money> ApplyRefund(SaleAccount& account, const money::Money& refund);

}  // namespace consort::incentive
