#pragma once

// Error values shared by the services: constructors for the errors that name a field, and the one
// mapping from absl::Status to grpc::Status at the RPC edge.

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace consort {

// INVALID_ARGUMENT: "<field> is invalid: got <value>; <allowed>". The value is quoted and cut to
// 100 characters so that an oversized input does not flood the caller or the log.
absl::Status InvalidField(absl::string_view field, absl::string_view value, absl::string_view allowed);

// INVALID_ARGUMENT: "<field> is missing; <allowed>".
absl::Status MissingField(absl::string_view field, absl::string_view allowed);

// Maps the canonical code and message one to one; the codes of Abseil and gRPC share numbers.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Maps a gRPC client-side status back, for errors returned by another service.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace consort
