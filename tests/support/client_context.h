#pragma once

// Client contexts for the gRPC calls of integration and end-to-end tests, so that a service that
// hangs fails the call instead of the test run.
//
// Thread-safe: each call returns a new context, which one call then owns.

#include <memory>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace consort::testing {

// Returns a client context whose deadline is `timeout` from now.
std::unique_ptr<grpc::ClientContext> ContextWithDeadline(
    absl::Duration timeout = absl::Seconds(30));

}  // namespace consort::testing
