#include "money/conversion.h"

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "money/decimal.h"

namespace consort::money {
namespace {

absl::Status UnknownCurrency(std::string_view field, std::string_view code) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid ", AbslView(field), " ", QuoteForError(code), ": expected an active ISO 4217 code"));
}

}  // namespace

absl::StatusOr<ExchangeRate> MakeExchangeRate(std::string_view from_code, std::string_view to_code,
                                              std::string_view rate, absl::CivilDay as_of) {
  ExchangeRate record;
  record.from = FindCurrency(from_code);
  if (record.from == nullptr) return UnknownCurrency("from", from_code);
  record.to = FindCurrency(to_code);
  if (record.to == nullptr) return UnknownCurrency("to", to_code);
  if (record.from == record.to) {
    return absl::InvalidArgumentError(absl::StrCat("invalid exchange rate from ",
                                                   AbslView(from_code), " to ", AbslView(to_code),
                                                   ": the currencies must differ"));
  }

  absl::StatusOr<Rate> parsed = Rate::Parse(rate);
  if (!parsed.ok()) return parsed.status();
  if (parsed->units() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid rate ", QuoteForError(rate), ": an exchange rate must be positive"));
  }
  record.rate = *parsed;
  record.as_of = as_of;
  return record;
}

absl::StatusOr<Conversion> Convert(const Money& amount, const ExchangeRate& exchange_rate,
                                   RoundingMode mode) {
  if (exchange_rate.from == nullptr || exchange_rate.to == nullptr) {
    return absl::InvalidArgumentError("invalid exchange rate: from and to must be set");
  }
  if (amount.currency().code != exchange_rate.from->code) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot convert ", amount.ToString(), " ", AbslView(amount.currency().code),
                     " with a rate from ", AbslView(exchange_rate.from->code), " to ",
                     AbslView(exchange_rate.to->code), ": the amount must be in ",
                     AbslView(exchange_rate.from->code)));
  }

  // converted = amount * rate, rescaled from the source minor unit to the target one. The
  // divisor's exponent is 12 plus the difference of minor units, which is at least 8, so the
  // exact product (below 10^36) is never multiplied further.
  absl::int128 product = absl::int128(amount.minor_units()) * exchange_rate.rate.units();
  int exponent = Rate::kDecimals + amount.currency().minor_unit - exchange_rate.to->minor_unit;
  absl::int128 minor_units = DivideRounded<absl::int128>(product, PowerOfTen(exponent), mode);
  if (minor_units > Money::kMaxMinorUnits || minor_units < -Money::kMaxMinorUnits) {
    return absl::OutOfRangeError(absl::StrCat(
        "converting ", amount.ToString(), " ", AbslView(amount.currency().code), " at ",
        exchange_rate.rate.ToString(), " overflows ", AbslView(exchange_rate.to->code)));
  }

  return Conversion{amount, Money::FromMinor(static_cast<int64_t>(minor_units), *exchange_rate.to),
                    exchange_rate, mode};
}

}  // namespace consort::money
