#pragma once

// Coverage of a sale's scope (partner, region, product category, channel) by an active contract.
//
// CoverageSource asks the contract service; GrpcCoverageSource does so over gRPC with a deadline.
// CoverageCache sits in front of a source for ReportSales: it keeps covered and not-covered
// answers for a fixed time (contracts change rarely, sales come in bursts) and asks the source
// once per batch for every scope it does not hold. Failures are never cached.
//
// Thread safety: GrpcCoverageSource and CoverageCache may be called from any number of threads.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "grpcpp/channel.h"

namespace consort::partner {

struct CoverageScope {
  std::string partner_id;
  std::string region;
  std::string product_category;
  std::string channel;

  friend bool operator==(const CoverageScope&, const CoverageScope&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const CoverageScope& scope) {
    return H::combine(std::move(h), scope.partner_id, scope.region, scope.product_category,
                      scope.channel);
  }
};

struct CoverageAnswer {
  bool covered = false;
  // The covering contract and its currency, when covered.
  std::string contract_id;
  std::string currency;
  // When not covered: the contract service's sentence saying what is not covered.
  std::string reason;
};

class CoverageSource {
 public:
  virtual ~CoverageSource() = default;

  // Returns one answer per scope, in order. Any error means no answer is known.
  virtual absl::StatusOr<std::vector<CoverageAnswer>> Check(
      const std::vector<CoverageScope>& scopes) = 0;
};

// Calls ContractService.CheckCoverage, in chunks of at most 1,000 queries, each call with
// `deadline`.
class GrpcCoverageSource : public CoverageSource {
 public:
  GrpcCoverageSource(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline);

  absl::StatusOr<std::vector<CoverageAnswer>> Check(
      const std::vector<CoverageScope>& scopes) override;

 private:
  std::unique_ptr<contract::v1::ContractService::Stub> stub_;
  const absl::Duration deadline_;
};

struct CoverageCacheOptions {
  absl::Duration ttl = absl::Seconds(30);
  // Answers kept at most; when full, expired answers are dropped, then all of them.
  size_t max_entries = 100'000;
};

class CoverageCache {
 public:
  // Result of a lookup: one answer per scope, or nullopt for the scopes the source could not
  // answer, with `source_error` saying why.
  struct Lookup {
    std::vector<std::optional<CoverageAnswer>> answers;
    absl::Status source_error;
  };

  // `now` is the clock, replaceable in tests.
  explicit CoverageCache(CoverageSource& source, CoverageCacheOptions options = {},
                         std::function<absl::Time()> now = absl::Now);

  // Returns an answer for each scope, asking the source at most once, for the scopes not cached.
  Lookup Resolve(const std::vector<CoverageScope>& scopes);

  size_t size();

 private:
  struct Entry {
    CoverageAnswer answer;
    absl::Time expires;
  };

  void Store(const CoverageScope& scope, const CoverageAnswer& answer, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CoverageSource& source_;
  const CoverageCacheOptions options_;
  const std::function<absl::Time()> now_;

  absl::Mutex mu_;
  absl::flat_hash_map<CoverageScope, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace consort::partner
