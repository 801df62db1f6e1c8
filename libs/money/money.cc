#include "money/money.h"

#include <functional>

#include "absl/base/internal/raw_logging.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "money/decimal.h"

namespace consort::money {
namespace {

// Returns the table entry for `currency`: itself when it is one, else the entry with its code.
const Currency* CanonicalCurrency(const Currency& currency) {
  absl::Span<const Currency> table = AllCurrencies();
  std::less<const Currency*> before;
  if (!before(&currency, table.data()) && before(&currency, table.data() + table.size())) {
    return &currency;
  }
  return FindCurrency(currency.code);
}

absl::Status CurrencyMismatch(std::string_view operation, const Money& a, const Money& b) {
  return absl::InvalidArgumentError(absl::StrCat("cannot ", AbslView(operation), " ", a.ToString(),
                                                 " ", AbslView(a.currency().code), " and ",
                                                 b.ToString(), " ", AbslView(b.currency().code),
                                                 ": the currencies differ; convert one first"));
}

absl::StatusOr<Money> CheckedResult(absl::int128 minor_units, const Currency& currency,
                                    std::string_view operation) {
  if (minor_units > Money::kMaxMinorUnits || minor_units < -Money::kMaxMinorUnits) {
    return absl::OutOfRangeError(
        absl::StrCat(AbslView(operation), " overflows: the result must stay within +-",
                     FormatScaled(Money::kMaxMinorUnits, currency.minor_unit, /*trim_zeros=*/false),
                     " ", AbslView(currency.code)));
  }
  return Money::FromMinor(static_cast<int64_t>(minor_units), currency);
}

}  // namespace

absl::StatusOr<Money> Money::Parse(std::string_view amount, std::string_view currency_code) {
  const Currency* currency = FindCurrency(currency_code);
  if (currency == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid currency ", QuoteForError(currency_code),
                     ": expected an active ISO 4217 code in upper case, for example \"EUR\""));
  }
  return Parse(amount, *currency);
}

absl::StatusOr<Money> Money::Parse(std::string_view amount, const Currency& currency) {
  absl::StatusOr<DecimalText> parts = SplitDecimal(amount, "amount", /*allow_percent=*/false);
  if (!parts.ok()) return parts.status();

  if (parts->fraction_digits.size() > static_cast<size_t>(currency.minor_unit)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid amount ", QuoteForError(amount), ": ", AbslView(currency.code), " allows at most ",
        currency.minor_unit, " decimal places, got ", parts->fraction_digits.size()));
  }
  absl::StatusOr<int64_t> minor_units =
      ScaleDecimal(*parts, currency.minor_unit, kMaxMinorUnits, amount, "amount");
  if (!minor_units.ok()) return minor_units.status();
  return FromMinor(*minor_units, currency);
}

Money Money::FromMinor(int64_t minor_units, const Currency& currency) {
  const Currency* canonical = CanonicalCurrency(currency);
  if (canonical == nullptr) {
    ABSL_RAW_LOG(FATAL, "Money::FromMinor: unknown currency code \"%.*s\"",
                 static_cast<int>(currency.code.size()), currency.code.data());
  }
  if (minor_units > kMaxMinorUnits || minor_units < -kMaxMinorUnits) {
    ABSL_RAW_LOG(FATAL, "Money::FromMinor: %lld minor units exceed the range +-%lld",
                 static_cast<long long>(minor_units), static_cast<long long>(kMaxMinorUnits));
  }
  return Money(minor_units, canonical);
}

absl::StatusOr<Money> Money::FromMinorChecked(int64_t minor_units, std::string_view currency_code) {
  const Currency* currency = FindCurrency(currency_code);
  if (currency == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid currency ", QuoteForError(currency_code),
                     ": expected an active ISO 4217 code in upper case, for example \"EUR\""));
  }
  if (minor_units > kMaxMinorUnits || minor_units < -kMaxMinorUnits) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid minor_units ", minor_units, ": the magnitude must not exceed ", kMaxMinorUnits));
  }
  return Money(minor_units, currency);
}

std::string Money::ToString() const {
  return FormatScaled(minor_units_, currency_->minor_unit, /*trim_zeros=*/false);
}

absl::StatusOr<Money> Money::Add(const Money& other) const {
  if (!SameCurrency(other)) return CurrencyMismatch("add", *this, other);
  return CheckedResult(absl::int128(minor_units_) + other.minor_units_, *currency_, "addition");
}

absl::StatusOr<Money> Money::Subtract(const Money& other) const {
  if (!SameCurrency(other)) return CurrencyMismatch("subtract", *this, other);
  return CheckedResult(absl::int128(minor_units_) - other.minor_units_, *currency_, "subtraction");
}

absl::StatusOr<Money> Money::MultiplyBy(int64_t factor) const {
  return CheckedResult(absl::int128(minor_units_) * factor, *currency_, "multiplication");
}

absl::StatusOr<std::strong_ordering> Money::Compare(const Money& other) const {
  if (!SameCurrency(other)) return CurrencyMismatch("compare", *this, other);
  return minor_units_ <=> other.minor_units_;
}

absl::StatusOr<Money> Sum(absl::Span<const Money> amounts) {
  if (amounts.empty()) {
    return absl::InvalidArgumentError(
        "cannot sum an empty list of amounts: the currency is unknown");
  }
  absl::int128 total = 0;
  for (const Money& amount : amounts) {
    if (!amount.SameCurrency(amounts.front())) {
      return CurrencyMismatch("add", amounts.front(), amount);
    }
    // Each term is below 10^18, so 2^127 / 10^18 terms could not overflow the accumulator.
    total += amount.minor_units();
  }
  return CheckedResult(total, amounts.front().currency(), "sum");
}

absl::StatusOr<Rate> Rate::Parse(std::string_view text) {
  absl::StatusOr<DecimalText> parts = SplitDecimal(text, "rate", /*allow_percent=*/true);
  if (!parts.ok()) return parts.status();

  // A percentage scaled by 10^10 instead of 10^12 is the same number of units of 10^-12 as its
  // fraction: "7.5%" and "0.075" both give 75,000,000,000.
  int decimals = parts->percent ? kDecimals - 2 : kDecimals;
  absl::StatusOr<int64_t> units = ScaleDecimal(*parts, decimals, kMaxUnits, text, "rate");
  if (!units.ok()) return units.status();
  return Rate(*units);
}

Rate Rate::FromUnits(int64_t units) {
  if (units > kMaxUnits || units < -kMaxUnits) {
    ABSL_RAW_LOG(FATAL, "Rate::FromUnits: %lld units exceed the range +-%lld",
                 static_cast<long long>(units), static_cast<long long>(kMaxUnits));
  }
  return Rate(units);
}

std::string Rate::ToString() const { return FormatScaled(units_, kDecimals, /*trim_zeros=*/true); }

std::string Rate::ToPercentString() const {
  return absl::StrCat(FormatScaled(units_, kDecimals - 2, /*trim_zeros=*/true), "%");
}

absl::StatusOr<Money> MultiplyByRate(const Money& amount, const Rate& rate, RoundingMode mode) {
  // Most products fit in 64 bits, where dividing by the constant scale compiles to a multiply.
  int64_t product;
  if (!__builtin_mul_overflow(amount.minor_units(), rate.units(), &product)) {
    return CheckedResult(DivideRounded<int64_t>(product, Rate::kScale, mode), amount.currency(),
                         "multiplication by a rate");
  }
  absl::int128 wide = absl::int128(amount.minor_units()) * rate.units();
  return CheckedResult(DivideRounded<absl::int128>(wide, Rate::kScale, mode), amount.currency(),
                       "multiplication by a rate");
}

absl::StatusOr<Rate> MultiplyRates(const Rate& a, const Rate& b) {
  absl::int128 product = absl::int128(a.units()) * b.units();
  if (product % Rate::kScale != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot multiply rates ", a.ToString(), " and ", b.ToString(),
                     ": the exact product needs more than ", Rate::kDecimals, " decimal places"));
  }
  absl::int128 units = product / Rate::kScale;
  if (units > Rate::kMaxUnits || units < -Rate::kMaxUnits) {
    return absl::OutOfRangeError(absl::StrCat("cannot multiply rates ", a.ToString(), " and ",
                                              b.ToString(), ": the product reaches 1000000"));
  }
  return Rate::FromUnits(static_cast<int64_t>(units));
}

absl::StatusOr<Rate> Ratio(const Money& numerator, const Money& denominator, RoundingMode mode) {
  if (!numerator.SameCurrency(denominator)) {
    return CurrencyMismatch("divide", numerator, denominator);
  }
  if (denominator.is_zero()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot divide ", numerator.ToString(), " ",
                                                   AbslView(numerator.currency().code),
                                                   " by zero"));
  }

  absl::int128 scaled = absl::int128(numerator.minor_units()) * Rate::kScale;
  absl::int128 divisor = denominator.minor_units();
  if (divisor < 0) {
    scaled = -scaled;
    divisor = -divisor;
  }
  absl::int128 units = DivideRounded<absl::int128>(scaled, divisor, mode);
  if (units > Rate::kMaxUnits || units < -Rate::kMaxUnits) {
    return absl::OutOfRangeError(absl::StrCat("the ratio of ", numerator.ToString(), " to ",
                                              denominator.ToString(), " reaches 1000000"));
  }
  return Rate::FromUnits(static_cast<int64_t>(units));
}

std::string_view RoundingModeName(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::kHalfUp:
      return "half-up";
    case RoundingMode::kHalfEven:
      return "half-even";
    case RoundingMode::kDown:
      return "down";
  }
  return "unknown";
}

}  // namespace consort::money
