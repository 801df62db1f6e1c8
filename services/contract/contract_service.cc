#include "services/contract/contract_service.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/contract/contract_validation.h"
#include "services/contract/coverage.h"
#include "services/contract/request_support.h"

namespace consort::contract {
namespace {

// Returns the fields a client sets, without the output-only ones, for comparing two contracts.
v1::Contract ClientFields(v1::Contract contract) {
  contract.clear_status();
  contract.clear_create_time();
  contract.clear_activate_time();
  return contract;
}

}  // namespace

ContractServiceImpl::ContractServiceImpl(ContractStore& store, PartnerClient& partners)
    : store_(store), partners_(partners) {}

absl::StatusOr<v1::Contract> ContractServiceImpl::Create(const v1::Contract& requested) {
  auto contract = NormalizeContract(requested);
  if (!contract.ok()) return contract.status();

  if (auto exists = partners_.CheckExists(contract->partner_id()); !exists.ok()) {
    if (absl::IsNotFound(exists)) return absl::FailedPreconditionError(exists.message());
    return exists;
  }

  contract->set_status(v1::CONTRACT_STATUS_DRAFT);
  *contract->mutable_create_time() = ToProtoTimestamp(absl::Now());
  auto result = store_.Create(*contract);
  if (!result.ok()) return result.status();
  if (result->created) {
    spdlog::info("msg=\"contract created\" contract_id={} partner_id={}", contract->contract_id(),
                 contract->partner_id());
    return std::move(result->contract);
  }

  if (!google::protobuf::util::MessageDifferencer::Equals(ClientFields(result->contract),
                                                          ClientFields(*contract))) {
    return absl::AlreadyExistsError(absl::StrCat(
        "contract ", Quote(contract->contract_id()),
        " already exists with different fields; choose another contract_id or send the stored "
        "fields unchanged"));
  }
  return std::move(result->contract);
}

grpc::Status ContractServiceImpl::CreateContract(grpc::ServerContext* context,
                                                 const v1::CreateContractRequest* request,
                                                 v1::Contract* response) {
  if (!request->has_contract()) {
    return ToGrpcStatus(MissingField("contract", "expected the contract to create"));
  }
  auto contract = Create(request->contract());
  if (!contract.ok()) return FinishRequest("CreateContract", contract.status());
  *response = *std::move(contract);
  return grpc::Status::OK;
}

grpc::Status ContractServiceImpl::GetContract(grpc::ServerContext* context,
                                              const v1::GetContractRequest* request,
                                              v1::Contract* response) {
  if (auto status = CheckIdentifier("contract_id", request->contract_id()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  auto contract = store_.Get(request->contract_id());
  if (!contract.ok()) return FinishRequest("GetContract", contract.status());
  *response = *std::move(contract);
  return grpc::Status::OK;
}

grpc::Status ContractServiceImpl::ListContracts(grpc::ServerContext* context,
                                                const v1::ListContractsRequest* request,
                                                v1::ListContractsResponse* response) {
  if (auto status = CheckIdentifier("partner_id", request->partner_id()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  auto page_size = ResolvePageSize(request->page_size());
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  // A page token is the last contract id of the previous page.
  if (!request->page_token().empty()) {
    if (auto status = CheckIdentifier("page_token", request->page_token()); !status.ok()) {
      return ToGrpcStatus(status);
    }
  }

  auto page = store_.List(request->partner_id(), *page_size, request->page_token());
  if (!page.ok()) return FinishRequest("ListContracts", page.status());
  for (auto& contract : page->contracts) *response->add_contracts() = std::move(contract);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status ContractServiceImpl::ActivateContract(grpc::ServerContext* context,
                                                   const v1::ActivateContractRequest* request,
                                                   v1::Contract* response) {
  if (auto status = CheckIdentifier("contract_id", request->contract_id()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  auto result = store_.Activate(request->contract_id(), absl::Now());
  if (!result.ok()) return FinishRequest("ActivateContract", result.status());
  if (result->activated) {
    spdlog::info("msg=\"contract activated\" contract_id={} partner_id={}",
                 result->contract.contract_id(), result->contract.partner_id());
  }
  *response = std::move(result->contract);
  return grpc::Status::OK;
}

absl::Status ContractServiceImpl::Cover(const v1::CheckCoverageRequest& request,
                                        v1::CheckCoverageResponse& response) {
  if (request.queries_size() > kMaxCoverageQueries) {
    return absl::InvalidArgumentError(
        absl::StrCat("queries is invalid: got ", request.queries_size(),
                     " queries; expected at most ", kMaxCoverageQueries, " per call"));
  }

  // A malformed query gets its result at once, and the others name the partners to read.
  std::vector<absl::Status> checks;
  checks.reserve(request.queries_size());
  std::vector<std::string> partner_ids;
  absl::flat_hash_set<absl::string_view> seen;
  for (const auto& query : request.queries()) {
    checks.push_back(CheckCoverageQuery(query));
    if (checks.back().ok() && seen.insert(query.partner_id()).second) {
      partner_ids.push_back(query.partner_id());
    }
  }

  auto active = store_.ActiveContracts(partner_ids);
  if (!active.ok()) return active.status();
  absl::flat_hash_map<std::string, CoverageMatcher> matchers;
  matchers.reserve(active->size());
  for (auto& [partner_id, contracts] : *active) {
    matchers.emplace(partner_id, CoverageMatcher(std::move(contracts)));
  }
  const CoverageMatcher no_contracts({});

  auto* results = response.mutable_results();
  results->Reserve(request.queries_size());
  for (int i = 0; i < request.queries_size(); ++i) {
    const auto& query = request.queries(i);
    v1::CoverageResult* result = results->Add();
    if (!checks[i].ok()) {
      result->set_covered(false);
      result->set_reason(std::string(checks[i].message()));
      continue;
    }
    auto it = matchers.find(query.partner_id());
    *result = (it == matchers.end() ? no_contracts : it->second).Match(query);
  }
  return absl::OkStatus();
}

grpc::Status ContractServiceImpl::CheckCoverage(grpc::ServerContext* context,
                                                const v1::CheckCoverageRequest* request,
                                                v1::CheckCoverageResponse* response) {
  return FinishRequest("CheckCoverage", Cover(*request, *response));
}

}  // namespace consort::contract
