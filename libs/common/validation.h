#pragma once

// Field checks shared by the services' request validation. Each returns OK or an
// INVALID_ARGUMENT error that names the field, shows the value and says what is allowed.

#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace consort {

// An entity identifier chosen by a client: 1 to `max_length` characters of ASCII letters, digits,
// '-', '_' and '.'.
absl::Status CheckIdentifier(absl::string_view field, absl::string_view value,
                             size_t max_length = 64);

// A reference chosen by an outside system (sale, order or feedback id): 1 to `max_length`
// printable ASCII characters without spaces.
absl::Status CheckReference(absl::string_view field, absl::string_view value, size_t max_length);

// Free text: valid UTF-8 of at most `max_chars` code points, without control characters other
// than tab, line feed and carriage return. Empty is allowed unless `required`.
absl::Status CheckText(absl::string_view field, absl::string_view value, size_t max_chars,
                       bool required);

// A period label "YYYY-MM" with a month from 01 to 12.
absl::Status CheckMonthLabel(absl::string_view field, absl::string_view value);

}  // namespace consort
