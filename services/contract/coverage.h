#pragma once

// Coverage matching: which of a partner's ACTIVE contracts covers a sale's region, product
// category and channel. Pure: CheckCoverage in the service reads the contracts from Redis and
// calls these functions for each query.
//
// Thread-safe: the functions keep no state, and a CoverageMatcher is immutable once built.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "consort/contract/v1/contract.pb.h"

namespace consort::contract {

// Maximum number of queries in one CheckCoverage call.
inline constexpr int kMaxCoverageQueries = 1000;

// Checks that every field of a query is present and well formed, so that a malformed query gets
// a not-covered result whose reason names the field.
absl::Status CheckCoverageQuery(const v1::CoverageQuery& query);

// The ACTIVE contracts of one partner, ordered by contract_id, so that the first contract that
// covers a query is the one with the smallest id.
class CoverageMatcher {
 public:
  // `contracts` are the partner's ACTIVE contracts in any order.
  explicit CoverageMatcher(std::vector<v1::Contract> contracts);

  // Returns the covering contract's id, currency, time zone and commission rate, or, when none
  // covers the query, covered=false with a reason that names the region, category or channel
  // that no active contract covers. `query` must have passed CheckCoverageQuery.
  v1::CoverageResult Match(const v1::CoverageQuery& query) const;

  bool empty() const { return contracts_.empty(); }

 private:
  std::vector<v1::Contract> contracts_;
};

// Returns whether one contract covers each part of the scope.
bool CoversRegion(const v1::Contract& contract, const std::string& region);
bool CoversCategory(const v1::Contract& contract, const std::string& category);
bool CoversChannel(const v1::Contract& contract, const std::string& channel);

}  // namespace consort::contract
