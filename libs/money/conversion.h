// Currency conversion with an explicit exchange-rate record, so that a converted amount always
// carries the original amount and the rate that produced it.
//
// The incentive service converts sales reported in one currency into the contract's settlement
// currency here, and reuses the stored Conversion of a sale when a refund of that sale arrives,
// so that a clawback reverses at the original rate.
//
// Thread safety: immutable value types and pure functions.
#ifndef CONSORT_MONEY_CONVERSION_H_
#define CONSORT_MONEY_CONVERSION_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "money/money.h"

namespace consort::money {

// One quoted exchange rate: one unit of `from` is worth `rate` units of `to` as of `as_of`.
struct ExchangeRate {
  const Currency* from = nullptr;
  const Currency* to = nullptr;
  Rate rate = Rate::Zero();
  absl::CivilDay as_of;
};

// Builds an ExchangeRate from its text fields. Returns InvalidArgument naming the field for an
// unknown currency, equal currencies, or a rate that is not positive.
absl::StatusOr<ExchangeRate> MakeExchangeRate(std::string_view from_code, std::string_view to_code,
                                              std::string_view rate, absl::CivilDay as_of);

// An amount converted into another currency, with what was needed to recompute it.
struct Conversion {
  Money original;
  Money converted;
  ExchangeRate exchange_rate;
  RoundingMode mode;
};

// Converts `amount` into exchange_rate.to, rounding once to that currency's minor unit. Returns
// InvalidArgument when the amount is not in exchange_rate.from or the record is incomplete, and
// OutOfRange when the result exceeds Money::kMaxMinorUnits.
absl::StatusOr<Conversion> Convert(const Money& amount, const ExchangeRate& exchange_rate,
                                   RoundingMode mode);

}  // namespace consort::money

#endif  // CONSORT_MONEY_CONVERSION_H_
