// Splitting an amount into shares that always add up to the amount exactly, for commission pools
// shared among co-selling partners and any other division of money.
//
// The remainder rule: each share first gets its exact proportion of the amount's magnitude,
// rounded toward zero. The minor units left over (fewer than the number of shares) go one each
// to the shares whose exact proportion had the largest fractional part. Among equal fractions,
// the share that comes first gets the unit first. The sign is applied last, so splitting -X gives
// exactly the negation of splitting X, and a reversed pool reverses each partner's share exactly.
// Example: 10.00 split equally in three is 3.34, 3.33, 3.33.
//
// Thread safety: pure functions without state.
#ifndef CONSORT_MONEY_ALLOCATION_H_
#define CONSORT_MONEY_ALLOCATION_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "money/money.h"

namespace consort::money {

// Splits `amount` into `parts` shares that differ by at most one minor unit. Returns
// InvalidArgument unless `parts` is 1 to 1,000,000.
absl::StatusOr<std::vector<Money>> SplitEqually(const Money& amount, int parts);

// Splits `amount` in proportion to `weights`. Each weight must be zero or positive, at least one
// must be positive, there must be 1 to 1,000,000 of them, and their sum must not exceed 10^18;
// otherwise returns InvalidArgument naming the weight. A share with weight zero is zero.
absl::StatusOr<std::vector<Money>> SplitByWeights(const Money& amount,
                                                  absl::Span<const int64_t> weights);

// Splits `amount` in proportion to rates, for example shares of "50%", "30%" and "20%". The rates
// need not add up to 1; the same rules as for SplitByWeights apply to their units.
absl::StatusOr<std::vector<Money>> SplitByRates(const Money& amount,
                                                absl::Span<const Rate> weights);

}  // namespace consort::money

#endif  // CONSORT_MONEY_ALLOCATION_H_
