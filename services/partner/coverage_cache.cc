#include "partner/coverage_cache.h"

#include <chrono>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "grpcpp/client_context.h"

namespace consort::partner {
namespace {

constexpr size_t kMaxQueriesPerCall = 1000;

}  // namespace

GrpcCoverageSource::GrpcCoverageSource(std::shared_ptr<grpc::Channel> channel,
                                       absl::Duration deadline)
    : stub_(contract::v1::ContractService::NewStub(std::move(channel))), deadline_(deadline) {}

absl::StatusOr<std::vector<CoverageAnswer>> GrpcCoverageSource::Check(
    const std::vector<CoverageScope>& scopes) {
  std::vector<CoverageAnswer> answers;
  answers.reserve(scopes.size());
  for (size_t begin = 0; begin < scopes.size(); begin += kMaxQueriesPerCall) {
    const size_t end = std::min(scopes.size(), begin + kMaxQueriesPerCall);
    contract::v1::CheckCoverageRequest request;
    for (size_t i = begin; i < end; ++i) {
      auto* query = request.add_queries();
      query->set_partner_id(scopes[i].partner_id);
      query->set_region(scopes[i].region);
      query->set_product_category(scopes[i].product_category);
      query->set_channel(scopes[i].channel);
    }

    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
    contract::v1::CheckCoverageResponse response;
    grpc::Status status = stub_->CheckCoverage(&context, request, &response);
    if (!status.ok()) {
      absl::Status error = FromGrpcStatus(status);
      return absl::Status(error.code(),
                          absl::StrCat("ContractService.CheckCoverage failed: ", error.message()));
    }
    if (static_cast<size_t>(response.results_size()) != end - begin) {
      return absl::InternalError(absl::StrCat("ContractService.CheckCoverage returned ",
                                              response.results_size(), " results for ", end - begin,
                                              " queries"));
    }
    for (const auto& result : response.results()) {
      answers.push_back(CoverageAnswer{result.covered(), result.contract_id(), result.currency(),
                                       result.reason()});
    }
  }
  return answers;
}

CoverageCache::CoverageCache(CoverageSource& source, CoverageCacheOptions options,
                             std::function<absl::Time()> now)
    : source_(source), options_(options), now_(std::move(now)) {}

size_t CoverageCache::size() {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

void CoverageCache::Store(const CoverageScope& scope, const CoverageAnswer& answer,
                          absl::Time now) {
  if (entries_.size() >= options_.max_entries && !entries_.contains(scope)) {
    absl::erase_if(entries_, [now](const auto& item) { return item.second.expires <= now; });
    if (entries_.size() >= options_.max_entries) entries_.clear();
  }
  entries_[scope] = Entry{answer, now + options_.ttl};
}

CoverageCache::Lookup CoverageCache::Resolve(const std::vector<CoverageScope>& scopes) {
  Lookup lookup;
  lookup.answers.resize(scopes.size());
  std::vector<CoverageScope> missing;
  absl::flat_hash_map<CoverageScope, size_t> missing_index;

  const absl::Time now = now_();
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < scopes.size(); ++i) {
      auto it = entries_.find(scopes[i]);
      if (it != entries_.end() && it->second.expires > now) {
        lookup.answers[i] = it->second.answer;
      } else if (missing_index.emplace(scopes[i], missing.size()).second) {
        missing.push_back(scopes[i]);
      }
    }
  }
  if (missing.empty()) return lookup;

  auto fetched = source_.Check(missing);
  if (!fetched.ok()) {
    lookup.source_error = fetched.status();
    return lookup;
  }
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < missing.size(); ++i) Store(missing[i], (*fetched)[i], now);
  }
  for (size_t i = 0; i < scopes.size(); ++i) {
    if (lookup.answers[i].has_value()) continue;
    lookup.answers[i] = (*fetched)[missing_index.at(scopes[i])];
  }
  return lookup;
}

}  // namespace consort::partner
