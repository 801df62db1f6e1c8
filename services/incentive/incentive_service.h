#pragma once

// gRPC handlers of consort.incentive.v1.IncentiveService: validate the request, read the store,
// and map errors once with ToGrpcStatus. Accrual lines and totals are written only by the event
// consumer.
//
// Thread safety: the gRPC server calls the handlers concurrently; the store and the Kafka
// consumer's GetProgress are thread-safe.

#include "consort/incentive/v1/incentive.grpc.pb.h"
#include "consumer/progress.h"
#include "incentive/incentive_store.h"

namespace consort::incentive {

class IncentiveServiceImpl final : public consort::incentive::v1::IncentiveService::Service {
 public:
  IncentiveServiceImpl(IncentiveStore& store, consumer::ProgressSources progress);

  grpc::Status ListAccruals(grpc::ServerContext* context, const v1::ListAccrualsRequest* request,
                            v1::ListAccrualsResponse* response) override;
  grpc::Status ListCommissionTotals(grpc::ServerContext* context,
                                    const v1::ListCommissionTotalsRequest* request,
                                    v1::ListCommissionTotalsResponse* response) override;
  grpc::Status GetConsumerProgress(grpc::ServerContext* context,
                                   const consort::common::v1::GetConsumerProgressRequest* request,
                                   consort::common::v1::ConsumerProgress* response) override;

 private:
  IncentiveStore& store_;
  consumer::ProgressSources progress_;
};

}  // namespace consort::incentive
