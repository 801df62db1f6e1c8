#pragma once

// gRPC handlers of consort.performance.v1.PerformanceService: validate the request, read the
// store, and map errors once with ToGrpcStatus. The scorecards themselves are written only by the
// event consumer.
//
// Thread safety: the gRPC server calls the handlers concurrently; the store and the Kafka
// consumer's GetProgress are thread-safe.

#include "consort/performance/v1/performance.grpc.pb.h"
#include "consumer/progress.h"
#include "performance/performance_store.h"

namespace consort::performance {

using ProgressSources = consumer::ProgressSources;

class PerformanceServiceImpl final : public consort::performance::v1::PerformanceService::Service {
 public:
  PerformanceServiceImpl(PerformanceStore& store, ProgressSources progress);

  grpc::Status GetScorecard(grpc::ServerContext* context, const v1::GetScorecardRequest* request,
                            v1::Scorecard* response) override;
  grpc::Status GetLeaderboard(grpc::ServerContext* context,
                              const v1::GetLeaderboardRequest* request,
                              v1::GetLeaderboardResponse* response) override;
  grpc::Status ListScorecards(grpc::ServerContext* context,
                              const v1::ListScorecardsRequest* request,
                              v1::ListScorecardsResponse* response) override;
  grpc::Status GetConsumerProgress(grpc::ServerContext* context,
                                   const consort::common::v1::GetConsumerProgressRequest* request,
                                   consort::common::v1::ConsumerProgress* response) override;

 private:
  PerformanceStore& store_;
  ProgressSources progress_;
};

}  // namespace consort::performance
