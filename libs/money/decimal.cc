#include "money/decimal.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace consort::money {
namespace {

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return absl::ascii_isdigit(c); });
}

}  // namespace

std::string QuoteForError(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  if (text.size() <= kMaxShown) return absl::StrCat("\"", absl::CEscape(AbslView(text)), "\"");
  return absl::StrCat("\"", absl::CEscape(AbslView(text.substr(0, kMaxShown))), "...\" (",
                      text.size(), " characters)");
}

absl::StatusOr<DecimalText> SplitDecimal(std::string_view text, std::string_view field,
                                         bool allow_percent) {
  DecimalText parts;
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '-') {
    parts.negative = true;
    rest.remove_prefix(1);
  }
  if (allow_percent && !rest.empty() && rest.back() == '%') {
    parts.percent = true;
    rest.remove_suffix(1);
  }

  size_t dot = rest.find('.');
  parts.integer_digits = rest.substr(0, dot);
  if (dot != std::string_view::npos) parts.fraction_digits = rest.substr(dot + 1);

  bool valid = AllDigits(parts.integer_digits) &&
               (dot == std::string_view::npos || AllDigits(parts.fraction_digits));
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ", AbslView(field), " ", QuoteForError(text),
        ": expected digits with an optional leading '-'", " and an optional '.' followed by digits",
        allow_percent ? ", then an optional '%'" : "", ", for example \"",
        allow_percent ? "7.5%" : "-1234.56", "\""));
  }
  return parts;
}

absl::StatusOr<int64_t> ScaleDecimal(const DecimalText& text, int decimals, int64_t max_magnitude,
                                     std::string_view original, std::string_view field) {
  if (text.fraction_digits.size() > static_cast<size_t>(decimals)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", AbslView(field), " ", QuoteForError(original), ": at most ",
                     decimals, " decimal places are allowed, got ", text.fraction_digits.size()));
  }

  // Leading zeros do not count toward the range; 20 significant digits exceed any int64 limit.
  std::string_view integer = text.integer_digits;
  while (integer.size() > 1 && integer.front() == '0') integer.remove_prefix(1);
  absl::int128 magnitude = 0;
  bool too_large = integer.size() > 20;
  if (!too_large) {
    for (char c : integer) magnitude = magnitude * 10 + (c - '0');
    magnitude *= PowerOfTen(decimals);
    absl::int128 fraction = 0;
    for (char c : text.fraction_digits) fraction = fraction * 10 + (c - '0');
    magnitude += fraction * PowerOfTen(decimals - static_cast<int>(text.fraction_digits.size()));
    too_large = magnitude > max_magnitude;
  }
  if (too_large) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", AbslView(field), " ", QuoteForError(original),
                     ": the magnitude must not exceed ",
                     FormatScaled(max_magnitude, decimals, /*trim_zeros=*/true)));
  }

  int64_t value = static_cast<int64_t>(magnitude);
  return text.negative ? -value : value;
}

std::string FormatScaled(absl::int128 value, int decimals, bool trim_zeros) {
  bool negative = value < 0;
  absl::uint128 magnitude =
      negative ? absl::uint128(0) - static_cast<absl::uint128>(value) : absl::uint128(value);

  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  while (digits.size() < static_cast<size_t>(decimals) + 1) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());

  std::string integer = digits.substr(0, digits.size() - decimals);
  std::string fraction = digits.substr(digits.size() - decimals);
  if (trim_zeros) {
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  }

  std::string out;
  if (negative) out.push_back('-');
  out += integer;
  if (!fraction.empty()) absl::StrAppend(&out, ".", fraction);
  return out;
}

absl::int128 PowerOfTen(int exponent) {
  absl::int128 result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

}  // namespace consort::money
