#include "common/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace consort {
namespace {

// Returns the number of code points, or -1 when `text` is not valid UTF-8 or holds a control
// character other than tab, line feed and carriage return.
int64_t CountTextCodePoints(absl::string_view text) {
  int64_t count = 0;
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length;
    uint32_t code_point;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return -1;
    }
    if (i + length > text.size()) return -1;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return -1;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    const bool overlong = (length == 2 && code_point < 0x80) ||
                          (length == 3 && code_point < 0x800) ||
                          (length == 4 && code_point < 0x10000);
    if (overlong || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return -1;
    }
    if ((code_point < 0x20 && code_point != '\t' && code_point != '\n' && code_point != '\r') ||
        code_point == 0x7f) {
      return -1;
    }
    i += length;
    ++count;
  }
  return count;
}

}  // namespace

absl::Status CheckIdentifier(absl::string_view field, absl::string_view value, size_t max_length) {
  const std::string allowed = absl::StrCat("expected 1 to ", max_length,
                                           " characters of letters, digits, '-', '_' and '.'");
  if (value.empty()) return MissingField(field, allowed);
  if (value.size() > max_length) return InvalidField(field, value, allowed);
  for (char c : value) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.') {
      return InvalidField(field, value, allowed);
    }
  }
  return absl::OkStatus();
}

absl::Status CheckReference(absl::string_view field, absl::string_view value, size_t max_length) {
  const std::string allowed =
      absl::StrCat("expected 1 to ", max_length, " printable ASCII characters without spaces");
  if (value.empty()) return MissingField(field, allowed);
  if (value.size() > max_length) return InvalidField(field, value, allowed);
  for (char c : value) {
    if (!absl::ascii_isgraph(c)) return InvalidField(field, value, allowed);
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view field, absl::string_view value, size_t max_chars,
                       bool required) {
  const std::string allowed = absl::StrCat(
      "expected ", required ? "1" : "0", " to ", max_chars,
      " characters of UTF-8 text without control characters other than tab and line breaks");
  if (value.empty()) {
    return required ? MissingField(field, allowed) : absl::OkStatus();
  }
  const int64_t count = CountTextCodePoints(value);
  if (count < 0 || static_cast<size_t>(count) > max_chars) {
    return InvalidField(field, value, allowed);
  }
  return absl::OkStatus();
}

absl::Status CheckMonthLabel(absl::string_view field, absl::string_view value) {
  constexpr absl::string_view kAllowed = "expected a month as YYYY-MM, for example 2017-11";
  if (value.empty()) return MissingField(field, kAllowed);
  const bool shape = value.size() == 7 && value[4] == '-' && absl::ascii_isdigit(value[0]) &&
                     absl::ascii_isdigit(value[1]) && absl::ascii_isdigit(value[2]) &&
                     absl::ascii_isdigit(value[3]) && absl::ascii_isdigit(value[5]) &&
                     absl::ascii_isdigit(value[6]);
  if (!shape) return InvalidField(field, value, kAllowed);
  const int month = (value[5] - '0') * 10 + (value[6] - '0');
  if (month < 1 || month > 12) return InvalidField(field, value, kAllowed);
  return absl::OkStatus();
}

}  // namespace consort
