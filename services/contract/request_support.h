#pragma once

// Request handling shared by the contract and communication services' gRPC handlers: the page
// size rule of their List RPCs and the one place where a handler's error becomes a grpc::Status.
//
// Thread-safe: FinishRequest's rate limiter is thread-safe, and ResolvePageSize keeps no state.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace consort::contract {

// Returns the page size of a List request: 100 for 0, the value for 1 to 1000, and
// INVALID_ARGUMENT naming page_size otherwise.
absl::StatusOr<int> ResolvePageSize(int requested);

// Maps `status` for the RPC edge. Failures of the service itself (Redis or the partner service
// failed) rather than of the request are logged with `method`, at most 5 lines a minute per
// method.
grpc::Status FinishRequest(absl::string_view method, const absl::Status& status);

}  // namespace consort::contract
