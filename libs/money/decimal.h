// Decimal text and integer rounding helpers shared by the money, commission and scorecard
// libraries: splitting a decimal literal into its parts, formatting a scaled integer, and integer
// division that rounds once in a named mode.
//
// Thread safety: pure functions without state.
#ifndef CONSORT_MONEY_DECIMAL_H_
#define CONSORT_MONEY_DECIMAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "money/money.h"

namespace consort::money {

// A decimal literal split into its sign, digits and suffix, without any interpretation of its
// value. Leading zeros are kept in `integer_digits`.
struct DecimalText {
  bool negative = false;
  std::string_view integer_digits;   // one or more digits
  std::string_view fraction_digits;  // empty when the literal has no '.'
  bool percent = false;              // whether the literal ended in '%'
};

// Splits `text` of the form [-]digits[.digits][%] (the '%' only when `allow_percent`). Returns
// InvalidArgument naming `field` and quoting the text when it does not match.
absl::StatusOr<DecimalText> SplitDecimal(std::string_view text, std::string_view field,
                                         bool allow_percent);

// Returns the integer value of `text` scaled by 10^decimals (so "1.5" with 2 decimals is 150).
// Returns InvalidArgument naming `field` when the fraction has more than `decimals` digits or the
// magnitude exceeds `max_magnitude`. `decimals` must be 0 to 18.
absl::StatusOr<int64_t> ScaleDecimal(const DecimalText& text, int decimals, int64_t max_magnitude,
                                     std::string_view original, std::string_view field);

// Formats value / 10^decimals. With `trim_zeros`, trailing zeros of the fraction and a bare '.'
// are dropped ("0.075", "1"); without it, exactly `decimals` decimals are written ("1.50").
std::string FormatScaled(absl::int128 value, int decimals, bool trim_zeros);

// Converts a std::string_view for Abseil functions. Debian's Abseil 20220623 is built with its
// own absl::string_view class (ABSL_OPTION_USE_STD_STRING_VIEW is 0), which absl::StrCat and
// absl::CEscape take and which std::string_view does not convert to implicitly.
inline absl::string_view AbslView(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// Returns `text` in double quotes for an error message, cut to 64 characters so that a huge input
// does not make a huge message.
std::string QuoteForError(std::string_view text);

// Returns 10^exponent for exponent 0 to 38.
absl::int128 PowerOfTen(int exponent);

// Divides and rounds the exact quotient once. `denominator` must be positive.
template <typename Int>
Int DivideRounded(Int numerator, Int denominator, RoundingMode mode) {
  Int quotient = numerator / denominator;
  Int remainder = numerator % denominator;
  if (remainder == 0 || mode == RoundingMode::kDown) return quotient;

  Int twice_remainder = remainder < 0 ? -remainder * 2 : remainder * 2;
  bool away_from_zero =
      twice_remainder > denominator ||
      (twice_remainder == denominator && (mode == RoundingMode::kHalfUp || quotient % 2 != 0));
  if (!away_from_zero) return quotient;
  return numerator < 0 ? quotient - 1 : quotient + 1;
}

}  // namespace consort::money

#endif  // CONSORT_MONEY_DECIMAL_H_
