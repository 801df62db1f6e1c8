#pragma once

// gRPC handlers of consort.contract.v1.ContractService. Each handler validates its request in
// full, calls ContractStore, and maps errors to gRPC codes once, at the end. Before it writes,
// CreateContract calls PartnerService.GetPartner to check that the partner exists.
//
// Thread-safe: the gRPC server calls the handlers from many threads; the handler state is the
// thread-safe store and partner client.

#include "consort/contract/v1/contract.grpc.pb.h"
#include "services/contract/contract_store.h"
#include "services/contract/partner_client.h"

namespace consort::contract {

class ContractServiceImpl final : public v1::ContractService::Service {
 public:
  ContractServiceImpl(ContractStore& store, PartnerClient& partners);

  grpc::Status CreateContract(grpc::ServerContext* context,
                              const v1::CreateContractRequest* request,
                              v1::Contract* response) override;
  grpc::Status GetContract(grpc::ServerContext* context, const v1::GetContractRequest* request,
                           v1::Contract* response) override;
  grpc::Status ListContracts(grpc::ServerContext* context, const v1::ListContractsRequest* request,
                             v1::ListContractsResponse* response) override;
  grpc::Status ActivateContract(grpc::ServerContext* context,
                                const v1::ActivateContractRequest* request,
                                v1::Contract* response) override;
  grpc::Status CheckCoverage(grpc::ServerContext* context, const v1::CheckCoverageRequest* request,
                             v1::CheckCoverageResponse* response) override;

 private:
  absl::StatusOr<v1::Contract> Create(const v1::Contract& requested);
  absl::Status Cover(const v1::CheckCoverageRequest& request, v1::CheckCoverageResponse& response);

  ContractStore& store_;
  PartnerClient& partners_;
};

}  // namespace consort::contract
