#pragma once

// A gRPC server interceptor that records the metrics the community gRPC dashboards expect
// (grpc_server_started_total, grpc_server_handled_total, grpc_server_handling_seconds,
// grpc_server_msg_received_total, grpc_server_msg_sent_total), labelled by grpc_service,
// grpc_method and grpc_type, plus grpc_code on the handled counter.
//
// The factory is shared by every call of the server and is thread-safe; one interceptor object
// lives for one call.

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace consort {

class GrpcMetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit GrpcMetricsInterceptorFactory(prometheus::Registry& registry);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // Metrics of one method, created on the method's first call and then reused.
  struct MethodMetrics {
    prometheus::Counter* started;
    prometheus::Counter* received;
    prometheus::Counter* sent;
    prometheus::Histogram* handling_seconds;
    std::map<std::string, std::string> labels;
  };

  prometheus::Counter& Handled(const MethodMetrics& method, grpc::StatusCode code);

 private:
  MethodMetrics* MetricsFor(const char* full_method, grpc::experimental::ServerRpcInfo::Type type);

  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& sent_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods_ ABSL_GUARDED_BY(mu_);
};

// Returns the upper-case name of a status code, as the grpc_code label spells it ("OK",
// "INVALID_ARGUMENT", ...).
const char* StatusCodeName(grpc::StatusCode code);

}  // namespace consort
