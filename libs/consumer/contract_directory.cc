#include "consumer/contract_directory.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "money/money.h"
#include "period/period.h"

namespace consort::consumer {

std::shared_ptr<grpc::Channel> NewContractChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}
namespace {

using consort::contract::v1::Contract;
using consort::contract::v1::ContractService;

// Largest page the contract service serves for ListContracts.
constexpr int kListPageSize = 1000;

}  // namespace

bool IsTransient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<ContractTerms> ToContractTerms(const Contract& contract) {
  ContractTerms terms;
  terms.contract_id = contract.contract_id();
  terms.partner_id = contract.partner_id();
  terms.currency = contract.currency();
  terms.time_zone = contract.time_zone();

  if (money::FindCurrency(terms.currency) == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "contract ", terms.contract_id, " has the unknown currency \"", terms.currency, "\""));
  }
  if (absl::StatusOr<absl::TimeZone> zone = period::LoadZone(terms.time_zone); !zone.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "contract ", terms.contract_id, " has an unusable time zone: ", zone.status().message()));
  }

  const std::string& target_text = contract.monthly_target().amount();
  if (!target_text.empty()) {
    absl::StatusOr<money::Money> target = money::Money::Parse(target_text, terms.currency);
    if (!target.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("contract ", terms.contract_id,
                       " has an unusable monthly target: ", target.status().message()));
    }
    terms.monthly_target_minor = target->minor_units();
  }

  const std::string& rate_text = contract.commission_rate();
  if (!rate_text.empty()) {
    absl::StatusOr<money::Rate> rate = money::Rate::Parse(rate_text);
    if (!rate.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("contract ", terms.contract_id,
                       " has an unusable commission rate: ", rate.status().message()));
    }
    if (rate->is_negative() || *rate > money::Rate::One()) {
      return absl::FailedPreconditionError(absl::StrCat("contract ", terms.contract_id,
                                                        " has the commission rate ", rate_text,
                                                        ", outside 0 to 1"));
    }
    terms.commission_rate = *rate;
  }
  return terms;
}

GrpcContractDirectory::GrpcContractDirectory(std::shared_ptr<grpc::Channel> channel,
                                             absl::Duration deadline)
    : stub_(ContractService::NewStub(std::move(channel))), deadline_(deadline) {}

std::unique_ptr<grpc::ClientContext> GrpcContractDirectory::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline_));
  return context;
}

absl::StatusOr<ContractTerms> GrpcContractDirectory::GetContract(const std::string& contract_id) {
  {
    absl::MutexLock lock(&mu_);
    auto found = by_contract_.find(contract_id);
    if (found != by_contract_.end()) return found->second;
  }

  contract::v1::GetContractRequest request;
  request.set_contract_id(contract_id);
  Contract contract;
  std::unique_ptr<grpc::ClientContext> context = NewContext();
  grpc::Status status = stub_->GetContract(context.get(), request, &contract);
  if (!status.ok()) return FromGrpcStatus(status);

  absl::StatusOr<ContractTerms> terms = ToContractTerms(contract);
  if (!terms.ok()) return terms.status();
  absl::MutexLock lock(&mu_);
  by_contract_.emplace(contract_id, *terms);
  return terms;
}

absl::StatusOr<ContractTerms> GrpcContractDirectory::GetActiveContract(
    const std::string& partner_id) {
  {
    absl::MutexLock lock(&mu_);
    auto found = active_by_partner_.find(partner_id);
    if (found != active_by_partner_.end()) return found->second;
  }

  contract::v1::ListContractsRequest request;
  request.set_partner_id(partner_id);
  request.set_page_size(kListPageSize);
  while (true) {
    contract::v1::ListContractsResponse response;
    std::unique_ptr<grpc::ClientContext> context = NewContext();
    grpc::Status status = stub_->ListContracts(context.get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);

    // The service lists by contract_id, so the first ACTIVE contract found is the smallest id.
    for (const Contract& contract : response.contracts()) {
      if (contract.status() != contract::v1::CONTRACT_STATUS_ACTIVE) continue;
      absl::StatusOr<ContractTerms> terms = ToContractTerms(contract);
      if (!terms.ok()) return terms.status();
      absl::MutexLock lock(&mu_);
      active_by_partner_.emplace(partner_id, *terms);
      by_contract_.emplace(terms->contract_id, *terms);
      return terms;
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  return absl::NotFoundError(absl::StrCat("partner ", partner_id, " has no active contract"));
}

}  // namespace consort::consumer
