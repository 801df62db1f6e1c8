#include "server/grpc_metrics.h"

#include <chrono>

namespace consort {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* RpcTypeName(grpc::experimental::ServerRpcInfo::Type type) {
  switch (type) {
    case grpc::experimental::ServerRpcInfo::Type::UNARY:
      return "unary";
    case grpc::experimental::ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(GrpcMetricsInterceptorFactory& factory,
                     GrpcMetricsInterceptorFactory::MethodMetrics& metrics)
      : factory_(factory), metrics_(metrics), start_(std::chrono::steady_clock::now()) {
    metrics_.started->Increment();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      metrics_.received->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      metrics_.sent->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
      metrics_.handling_seconds->Observe(elapsed.count());
      factory_.Handled(metrics_, methods->GetSendStatus().error_code()).Increment();
    }
    methods->Proceed();
  }

 private:
  GrpcMetricsInterceptorFactory& factory_;
  GrpcMetricsInterceptorFactory::MethodMetrics& metrics_;
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

GrpcMetricsInterceptorFactory::GrpcMetricsInterceptorFactory(prometheus::Registry& registry)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("RPCs started on the server")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("RPCs completed on the server, whatever their status")
                   .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("Time from the start of an RPC to its status, in seconds")
                            .Register(registry)),
      received_(prometheus::BuildCounter()
                    .Name("grpc_server_msg_received_total")
                    .Help("Request messages received on the server")
                    .Register(registry)),
      sent_(prometheus::BuildCounter()
                .Name("grpc_server_msg_sent_total")
                .Help("Response messages sent by the server")
                .Register(registry)) {}

grpc::experimental::Interceptor* GrpcMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(*this, *MetricsFor(info->method(), info->type()));
}

GrpcMetricsInterceptorFactory::MethodMetrics* GrpcMetricsInterceptorFactory::MetricsFor(
    const char* full_method, grpc::experimental::ServerRpcInfo::Type type) {
  absl::MutexLock lock(&mu_);
  auto& slot = methods_[full_method];
  if (slot != nullptr) return slot.get();

  // A full method name is "/package.Service/Method".
  std::string name = full_method == nullptr ? "" : full_method;
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  const size_t slash = name.find('/');
  std::string service = slash == std::string::npos ? name : name.substr(0, slash);
  std::string method = slash == std::string::npos ? "" : name.substr(slash + 1);

  slot = std::make_unique<MethodMetrics>();
  slot->labels = {{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", RpcTypeName(type)}};
  slot->started = &started_.Add(slot->labels);
  slot->received = &received_.Add(slot->labels);
  slot->sent = &sent_.Add(slot->labels);
  slot->handling_seconds = &handling_seconds_.Add(
      slot->labels, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                            0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                                                            5, 10, 30, 60});
  return slot.get();
}

prometheus::Counter& GrpcMetricsInterceptorFactory::Handled(const MethodMetrics& method,
                                                            grpc::StatusCode code) {
  auto labels = method.labels;
  labels["grpc_code"] = StatusCodeName(code);
  // Family::Add returns the existing counter for known labels and is thread-safe.
  return handled_.Add(labels);
}

}  // namespace consort
