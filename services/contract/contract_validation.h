#pragma once

// Validation of a contract as CreateContract receives it. Pure: no I/O, so it runs before any
// write and the service never stores a partly valid contract. The partner's existence is checked
// separately, over gRPC.
//
// Thread-safe: the functions keep no state.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "consort/contract/v1/contract.pb.h"

namespace consort::contract {

// Limits on the contract's lists, so that one contract cannot grow without bound.
inline constexpr int kMaxScopeEntries = 1000;
inline constexpr size_t kMaxRegionLength = 32;
inline constexpr size_t kMaxCategoryLength = 64;
inline constexpr size_t kMaxChannelLength = 32;
inline constexpr size_t kMaxTimeZoneLength = 64;

// Checks every field that a client sets and returns the contract in the form the service stores.
// That form has the output-only fields (status, create_time, activate_time) cleared, the monthly
// target with exactly the currency's minor-unit digits, and the commission rate as a decimal
// fraction without trailing zeros. Returns INVALID_ARGUMENT naming the first invalid field, its
// value and what is allowed.
absl::StatusOr<v1::Contract> NormalizeContract(const v1::Contract& contract);

// A region: 1 to 32 characters of upper-case letters, digits and '-'.
absl::Status CheckRegion(absl::string_view field, absl::string_view region);

// A product category: 1 to 64 characters of UTF-8 text.
absl::Status CheckProductCategory(absl::string_view field, absl::string_view category);

// A channel: 1 to 32 characters of lower-case letters, digits, '-' and '_'.
absl::Status CheckChannel(absl::string_view field, absl::string_view channel);

// An IANA time zone name that the system's zone database has.
absl::Status CheckTimeZone(absl::string_view field, absl::string_view time_zone);

}  // namespace consort::contract
