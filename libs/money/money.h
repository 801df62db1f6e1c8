// Exact amounts of money in ISO 4217 currencies, exact decimal rates, and multiplication of an
// amount by a rate with one explicit rounding.
//
// The contract, performance and incentive services call this library for every amount they read,
// store or compute, and the commission and scorecard libraries build on it. No binary floating
// point touches an amount or a rate.
//
// Range and precision:
// - A Money value is an int64 count of the currency's minor unit (cents for EUR, yen for JPY,
//   fils for BHD) with |minor_units| <= Money::kMaxMinorUnits = 10^18 - 1. Every operation that
//   would leave that range returns an error instead of wrapping.
// - A Rate is an exact decimal with at most 12 decimal places (Rate::kScale = 10^12) and
//   |rate| < 1,000,000. "7.5%" and "0.075" parse to the same Rate.
// - MultiplyByRate computes the exact product with 128-bit intermediates and rounds once, to the
//   currency's minor unit, in the mode that the caller names.
//
// Thread safety: every type here is an immutable value type, and the currency table is a
// constant, so all functions may be called from any thread without synchronization.
#ifndef CONSORT_MONEY_MONEY_H_
#define CONSORT_MONEY_MONEY_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace consort::money {

// An ISO 4217 currency: its alphabetic code and the number of decimals of its minor unit.
struct Currency {
  std::string_view code;
  int minor_unit;
};

// Returns the table entry for an active ISO 4217 alphabetic code in upper case ("EUR"), or nullptr
// for any other text. The returned pointer lives for the whole program. Codes without a minor
// unit (precious metals, XDR, testing codes) are not money and are not in the table.
const Currency* FindCurrency(std::string_view code);

// Returns the whole table, ordered by code.
absl::Span<const Currency> AllCurrencies();

// Returns whether two currencies have the same code. Table entries compare by address first.
inline bool SameCurrency(const Currency& a, const Currency& b) {
  return &a == &b || a.code == b.code;
}

// Rounding of a quotient that falls between two minor units. The modes are symmetric around zero,
// so a refund rounds to the exact negation of the sale that it reverses.
enum class RoundingMode {
  kHalfUp,    // to the nearest unit; a tie goes away from zero (0.645 -> 0.65, -0.645 -> -0.65)
  kHalfEven,  // to the nearest unit; a tie goes to the even unit (0.645 -> 0.64, 0.655 -> 0.66)
  kDown,      // toward zero (0.649 -> 0.64, -0.649 -> -0.64)
};

// An exact amount in one currency.
class Money {
 public:
  static constexpr int64_t kMaxMinorUnits = 999'999'999'999'999'999;

  // Parses a decimal amount such as "58.90", "-2.25" or "1200" in the currency with the given
  // code. The grammar is an optional '-', one or more digits, then optionally '.' and one to
  // minor_unit digits. Returns InvalidArgument for an unknown currency, malformed text (signs
  // other than a leading '-', spaces, separators, exponents), more decimals than the currency
  // has, or a value outside +-kMaxMinorUnits minor units.
  static absl::StatusOr<Money> Parse(std::string_view amount, std::string_view currency_code);
  static absl::StatusOr<Money> Parse(std::string_view amount, const Currency& currency);

  // Builds an amount from a count of minor units. `currency` must be an entry of the table (as
  // returned by FindCurrency) or carry an active code, and |minor_units| must not exceed
  // kMaxMinorUnits. The program aborts if either precondition fails, so use FromMinorChecked for
  // values that come from outside the process.
  static Money FromMinor(int64_t minor_units, const Currency& currency);
  static absl::StatusOr<Money> FromMinorChecked(int64_t minor_units,
                                                std::string_view currency_code);

  static Money Zero(const Currency& currency) { return FromMinor(0, currency); }

  int64_t minor_units() const { return minor_units_; }
  const Currency& currency() const { return *currency_; }
  bool is_zero() const { return minor_units_ == 0; }
  bool is_negative() const { return minor_units_ < 0; }
  bool is_positive() const { return minor_units_ > 0; }

  // Formats the amount with exactly minor_unit decimals and no currency code: "58.90", "-2.25",
  // "1200" for JPY, "0.125" for BHD.
  std::string ToString() const;

  // Checked arithmetic. Each returns InvalidArgument when the currencies differ and OutOfRange
  // when the result would exceed kMaxMinorUnits.
  absl::StatusOr<Money> Add(const Money& other) const;
  absl::StatusOr<Money> Subtract(const Money& other) const;
  absl::StatusOr<Money> MultiplyBy(int64_t factor) const;

  // Negation and absolute value cannot leave the symmetric range.
  Money Negate() const { return Money(-minor_units_, currency_); }
  Money Abs() const { return minor_units_ < 0 ? Negate() : *this; }

  // Returns whether both the currency and the amount are equal. Amounts in different currencies
  // are never equal; ordering them is an error that Compare reports.
  friend bool operator==(const Money& a, const Money& b) {
    return a.minor_units_ == b.minor_units_ && money::SameCurrency(*a.currency_, *b.currency_);
  }

  // Orders two amounts of the same currency. Returns InvalidArgument when the currencies differ.
  absl::StatusOr<std::strong_ordering> Compare(const Money& other) const;

  // Returns whether `other` has the same currency code.
  bool SameCurrency(const Money& other) const {
    return money::SameCurrency(*currency_, *other.currency_);
  }

 private:
  Money(int64_t minor_units, const Currency* currency)
      : minor_units_(minor_units), currency_(currency) {}

  int64_t minor_units_;
  const Currency* currency_;
};

// Sums amounts of one currency. Returns InvalidArgument for an empty list or mixed currencies
// and OutOfRange on overflow.
absl::StatusOr<Money> Sum(absl::Span<const Money> amounts);

// An exact decimal rate: a commission rate, an exchange rate or a multiplier.
class Rate {
 public:
  static constexpr int kDecimals = 12;
  static constexpr int64_t kScale = 1'000'000'000'000;  // 10^kDecimals
  // Largest magnitude in scaled units: 999,999.999999999999.
  static constexpr int64_t kMaxUnits = 1'000'000 * kScale - 1;

  // Parses "0.075", "7.5%", "1.5", "-0.25" or "100%". The grammar is an optional '-', one or more
  // digits, optionally '.' and one or more digits, then an optional '%' that divides by 100.
  // Returns InvalidArgument for malformed text, more than 12 decimals after any percent scaling,
  // or a magnitude of 1,000,000 or more.
  static absl::StatusOr<Rate> Parse(std::string_view text);

  // Builds a rate from units of 10^-12; |units| must not exceed kMaxUnits, else the program
  // aborts.
  static Rate FromUnits(int64_t units);
  static Rate Zero() { return Rate(0); }

  // A zero rate.
  Rate() : units_(0) {}
  static Rate One() { return Rate(kScale); }

  // Units of 10^-12: 0.075 is 75,000,000,000.
  int64_t units() const { return units_; }
  bool is_negative() const { return units_ < 0; }
  bool is_zero() const { return units_ == 0; }
  bool is_positive() const { return units_ > 0; }

  // Formats the rate as a decimal fraction without trailing zeros: "0.075", "1", "-0.5".
  std::string ToString() const;
  // Formats the rate as a percentage without trailing zeros: "7.5%", "100%".
  std::string ToPercentString() const;

  friend auto operator<=>(const Rate&, const Rate&) = default;

 private:
  explicit Rate(int64_t units) : units_(units) {}

  int64_t units_;
};

// Multiplies an amount by a rate and rounds the exact product once, to the amount's minor unit.
// Returns OutOfRange when the rounded result exceeds Money::kMaxMinorUnits.
absl::StatusOr<Money> MultiplyByRate(const Money& amount, const Rate& rate, RoundingMode mode);

// Multiplies two rates exactly, for example a commission rate by an accelerator (5% * 1.5 =
// 7.5%). Returns InvalidArgument when the exact product needs more than 12 decimals and
// OutOfRange when it reaches 1,000,000.
absl::StatusOr<Rate> MultiplyRates(const Rate& a, const Rate& b);

// Divides numerator by denominator as an exact rate rounded once in `mode` to 12 decimals, for
// example net sales over target for an attainment. Returns InvalidArgument when the currencies
// differ or the denominator is zero, and OutOfRange when the quotient reaches 1,000,000.
absl::StatusOr<Rate> Ratio(const Money& numerator, const Money& denominator, RoundingMode mode);

// Returns the name of a rounding mode: "half-up", "half-even" or "down".
std::string_view RoundingModeName(RoundingMode mode);

}  // namespace consort::money

#endif  // CONSORT_MONEY_MONEY_H_
