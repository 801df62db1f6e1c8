#include "services/contract/request_support.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status.h"

namespace consort::contract {
namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

}  // namespace

absl::StatusOr<int> ResolvePageSize(int requested) {
  if (requested == 0) return kDefaultPageSize;
  if (requested < 0 || requested > kMaxPageSize) {
    return InvalidField("page_size", absl::StrCat(requested),
                        "expected 1 to 1000, or 0 for the default of 100");
  }
  return requested;
}

grpc::Status FinishRequest(absl::string_view method, const absl::Status& status) {
  static LogRateLimiter limiter(5, std::chrono::minutes(1));
  // redis::Pool reports error replies as FAILED_PRECONDITION with a message starting "Redis".
  const bool own_failure =
      absl::IsUnavailable(status) || absl::IsInternal(status) || absl::IsDataLoss(status) ||
      absl::IsDeadlineExceeded(status) || absl::IsUnknown(status) ||
      (absl::IsFailedPrecondition(status) && absl::StartsWith(status.message(), "Redis"));
  int64_t suppressed = 0;
  if (own_failure && limiter.Allow(method, suppressed)) {
    spdlog::warn("msg=\"request failed\" method={} error={} suppressed={}", method,
                 Quote(status.ToString()), suppressed);
  }
  return ToGrpcStatus(status);
}

}  // namespace consort::contract
