#include "consortctl/service_clients.h"

#include <algorithm>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace consort::consortctl {
namespace {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // A page of 5,000 scorecards with their KPI contributions is a few megabytes.
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

bool IsRetryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::ABORTED;
}

}  // namespace

ServiceClients::ServiceClients(const ServiceAddresses& addresses)
    : addresses_(addresses),
      partner_channel_(MakeChannel(addresses.partner)),
      partner_(partner::v1::PartnerService::NewStub(partner_channel_)),
      contract_(contract::v1::ContractService::NewStub(MakeChannel(addresses.contract))),
      communication_(
          communication::v1::CommunicationService::NewStub(MakeChannel(addresses.communication))),
      performance_(
          performance::v1::PerformanceService::NewStub(MakeChannel(addresses.performance))),
      incentive_(incentive::v1::IncentiveService::NewStub(MakeChannel(addresses.incentive))) {}

grpc::Status CallWithRetry(const RetryPolicy& policy,
                           const std::function<grpc::Status(grpc::ClientContext&)>& attempt) {
  absl::Duration backoff = policy.first_backoff;
  grpc::Status status;
  for (int i = 0; i < policy.max_attempts; ++i) {
    if (i > 0) {
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
      backoff = std::min(backoff * 2, policy.max_backoff);
    }
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + policy.timeout));
    status = attempt(context);
    if (status.ok() || !IsRetryable(status.error_code())) return status;
  }
  return status;
}

bool IsRecordRejection(grpc::StatusCode code) {
  return code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::NOT_FOUND ||
         code == grpc::StatusCode::ALREADY_EXISTS ||
         code == grpc::StatusCode::FAILED_PRECONDITION || code == grpc::StatusCode::OUT_OF_RANGE;
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::CANCELLED:
      return "cancelled";
    case grpc::StatusCode::UNKNOWN:
      return "unknown";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "failed_precondition";
    case grpc::StatusCode::ABORTED:
      return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    default:
      return absl::StrCat("code_", static_cast<int>(code));
  }
}

std::string DescribeFailure(const std::string& what, const std::string& address,
                            const grpc::Status& status) {
  return absl::StrCat(what, " at ", address,
                      " failed: ", absl::AsciiStrToUpper(StatusCodeName(status.error_code())), ": ",
                      status.error_message());
}

}  // namespace consort::consortctl
