#pragma once

// gRPC connections from consortctl to the five services, and the retry rule its unary calls
// share.
//
// A call whose status is UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED or ABORTED is tried
// again with a growing pause, because consortctl's state-changing calls carry client-chosen ids
// and so are safe to repeat. Codes that describe the record itself (INVALID_ARGUMENT, NOT_FOUND,
// ALREADY_EXISTS, FAILED_PRECONDITION, OUT_OF_RANGE) are record rejections; any other code is a
// transport failure that ends the command.
//
// Thread safety: the stubs are thread-safe and shared by the importer's threads.

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "consort/communication/v1/communication.grpc.pb.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/incentive/v1/incentive.grpc.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "consort/performance/v1/performance.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace consort::consortctl {

struct ServiceAddresses {
  std::string partner = "127.0.0.1:50051";
  std::string contract = "127.0.0.1:50052";
  std::string communication = "127.0.0.1:50053";
  std::string performance = "127.0.0.1:50054";
  std::string incentive = "127.0.0.1:50055";
};

struct RetryPolicy {
  // Deadline of one attempt.
  absl::Duration timeout = absl::Seconds(30);
  int max_attempts = 6;
  absl::Duration first_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
};

class ServiceClients {
 public:
  explicit ServiceClients(const ServiceAddresses& addresses);

  const ServiceAddresses& addresses() const { return addresses_; }
  partner::v1::PartnerService::Stub& partner() { return *partner_; }
  // The partner service's channel, for waiting on its connection before a stream is reopened.
  const std::shared_ptr<grpc::Channel>& partner_channel() { return partner_channel_; }
  contract::v1::ContractService::Stub& contract() { return *contract_; }
  communication::v1::CommunicationService::Stub& communication() { return *communication_; }
  performance::v1::PerformanceService::Stub& performance() { return *performance_; }
  incentive::v1::IncentiveService::Stub& incentive() { return *incentive_; }

 private:
  ServiceAddresses addresses_;
  std::shared_ptr<grpc::Channel> partner_channel_;
  std::unique_ptr<partner::v1::PartnerService::Stub> partner_;
  std::unique_ptr<contract::v1::ContractService::Stub> contract_;
  std::unique_ptr<communication::v1::CommunicationService::Stub> communication_;
  std::unique_ptr<performance::v1::PerformanceService::Stub> performance_;
  std::unique_ptr<incentive::v1::IncentiveService::Stub> incentive_;
};

// Makes one call through `attempt`, which must issue the RPC with the context it is given, and
// repeats it on the retryable codes until it succeeds, fails otherwise, or the attempts run out.
grpc::Status CallWithRetry(const RetryPolicy& policy,
                           const std::function<grpc::Status(grpc::ClientContext&)>& attempt);

// Whether a status rejects the record that was sent rather than reporting a broken connection.
bool IsRecordRejection(grpc::StatusCode code);

// The code's name in lower case, such as "invalid_argument", for grouping rejections.
std::string StatusCodeName(grpc::StatusCode code);

// "<what> at <address> failed: <CODE name>: <message>".
std::string DescribeFailure(const std::string& what, const std::string& address,
                            const grpc::Status& status);

}  // namespace consort::consortctl
