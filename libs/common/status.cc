#include "common/status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace consort {
namespace {

constexpr size_t kMaxQuotedValue = 100;

std::string QuoteForMessage(absl::string_view value) {
  if (value.size() <= kMaxQuotedValue) return Quote(value);
  return absl::StrCat(Quote(value.substr(0, kMaxQuotedValue)), "... (", value.size(),
                      " characters)");
}

}  // namespace

absl::Status InvalidField(absl::string_view field, absl::string_view value,
                          absl::string_view allowed) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " is invalid: got ", QuoteForMessage(value), "; ", allowed));
}

absl::Status MissingField(absl::string_view field, absl::string_view allowed) {
  return absl::InvalidArgumentError(absl::StrCat(field, " is missing; ", allowed));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace consort
