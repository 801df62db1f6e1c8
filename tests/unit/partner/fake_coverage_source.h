#pragma once

// An in-process CoverageSource for unit tests: answers from a table of covered scopes, counts
// calls, and fails on demand, to stand in for the contract service and its outages.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "partner/coverage_cache.h"

namespace consort::partner::testing {

class FakeCoverageSource : public CoverageSource {
 public:
  // Marks `scope` as covered by `contract_id` in `currency`.
  void Cover(const CoverageScope& scope, std::string contract_id, std::string currency) {
    absl::MutexLock lock(&mu_);
    covered_[scope] = CoverageAnswer{true, std::move(contract_id), std::move(currency), ""};
  }

  void Uncover(const CoverageScope& scope) {
    absl::MutexLock lock(&mu_);
    covered_.erase(scope);
  }

  // Makes every later call fail with `error` (OK restores answers).
  void FailWith(absl::Status error) {
    absl::MutexLock lock(&mu_);
    error_ = std::move(error);
  }

  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  // Scopes asked for in the last call.
  std::vector<CoverageScope> last_query() {
    absl::MutexLock lock(&mu_);
    return last_query_;
  }

  absl::StatusOr<std::vector<CoverageAnswer>> Check(
      const std::vector<CoverageScope>& scopes) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    last_query_ = scopes;
    if (!error_.ok()) return error_;
    std::vector<CoverageAnswer> answers;
    for (const auto& scope : scopes) {
      auto it = covered_.find(scope);
      if (it != covered_.end()) {
        answers.push_back(it->second);
      } else {
        answers.push_back(CoverageAnswer{false, "", "", "no active contract covers the region"});
      }
    }
    return answers;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<CoverageScope, CoverageAnswer> covered_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<CoverageScope> last_query_ ABSL_GUARDED_BY(mu_);
};

}  // namespace consort::partner::testing
