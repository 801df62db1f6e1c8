#include "money/allocation.h"

#include <algorithm>
#include <numeric>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace consort::money {
namespace {

constexpr size_t kMaxShares = 1'000'000;
constexpr int64_t kMaxTotalWeight = 1'000'000'000'000'000'000;

absl::Status CheckShareCount(size_t count) {
  if (count == 0 || count > kMaxShares) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid number of shares ", count, ": expected 1 to ", kMaxShares));
  }
  return absl::OkStatus();
}

// Splits by weights already checked: none negative, sum positive and at most kMaxTotalWeight.
std::vector<Money> Allocate(const Money& amount, absl::Span<const int64_t> weights,
                            int64_t total_weight) {
  const absl::int128 magnitude = amount.Abs().minor_units();
  std::vector<int64_t> shares(weights.size());
  std::vector<absl::int128> remainders(weights.size());
  int64_t allocated = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    // At most 10^18 * 10^18, which fits in 127 bits.
    absl::int128 exact = magnitude * weights[i];
    shares[i] = static_cast<int64_t>(exact / total_weight);
    remainders[i] = exact % total_weight;
    allocated += shares[i];
  }

  int64_t left_over = static_cast<int64_t>(magnitude) - allocated;
  if (left_over > 0) {
    std::vector<size_t> order(weights.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
    for (int64_t i = 0; i < left_over; ++i) ++shares[order[i]];
  }

  std::vector<Money> result;
  result.reserve(shares.size());
  for (int64_t share : shares) {
    result.push_back(Money::FromMinor(amount.is_negative() ? -share : share, amount.currency()));
  }
  return result;
}

}  // namespace

absl::StatusOr<std::vector<Money>> SplitEqually(const Money& amount, int parts) {
  if (parts <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid number of shares ", parts, ": expected 1 to ", kMaxShares));
  }
  if (absl::Status status = CheckShareCount(static_cast<size_t>(parts)); !status.ok()) {
    return status;
  }
  std::vector<int64_t> weights(static_cast<size_t>(parts), 1);
  return Allocate(amount, weights, parts);
}

absl::StatusOr<std::vector<Money>> SplitByWeights(const Money& amount,
                                                  absl::Span<const int64_t> weights) {
  if (absl::Status status = CheckShareCount(weights.size()); !status.ok()) return status;

  int64_t total = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid weights[", i, "] ", weights[i], ": weights must not be negative"));
    }
    if (weights[i] > kMaxTotalWeight - total) {
      return absl::InvalidArgumentError(absl::StrCat("invalid weights[", i, "] ", weights[i],
                                                     ": the weights must add up to at most 10^18"));
    }
    total += weights[i];
  }
  if (total == 0) {
    return absl::InvalidArgumentError("invalid weights: at least one weight must be positive");
  }
  return Allocate(amount, weights, total);
}

absl::StatusOr<std::vector<Money>> SplitByRates(const Money& amount,
                                                absl::Span<const Rate> weights) {
  std::vector<int64_t> units;
  units.reserve(weights.size());
  for (const Rate& rate : weights) units.push_back(rate.units());
  return SplitByWeights(amount, units);
}

}  // namespace consort::money
