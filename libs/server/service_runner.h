#pragma once

// Runs one Consort service process: the gRPC server with the standard health service, server
// reflection and the metrics interceptor, the Prometheus /metrics endpoint, and the stop sequence
// on SIGTERM or SIGINT.
//
// A service's main() calls BlockShutdownSignals() before it starts any thread, builds a
// ServiceRunner, registers its gRPC services and its shutdown hooks, and returns Run(). On a
// signal, Run() marks the health status NOT_SERVING, stops accepting calls, lets calls in flight
// finish within the grace period, then runs the shutdown hooks in reverse order of registration
// (for example: stop the Kafka consumer, then flush the producer). All methods except
// RequestShutdown() must be called from the thread that calls Run().

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/config.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace consort {

// Blocks SIGTERM and SIGINT in the calling thread and in every thread it starts afterwards, so
// that only ServiceRunner::Run() receives them, and ignores SIGPIPE.
void BlockShutdownSignals();

class ServiceRunner {
 public:
  explicit ServiceRunner(const CommonConfig& config);
  ~ServiceRunner();

  ServiceRunner(const ServiceRunner&) = delete;
  ServiceRunner& operator=(const ServiceRunner&) = delete;

  prometheus::Registry& registry() { return *registry_; }

  // Adds a gRPC service; its health status follows the server's. The service must outlive Run().
  void RegisterService(grpc::Service* service, const std::string& full_name);

  // Adds a step of the stop sequence, run after the gRPC server has stopped.
  void AddShutdownHook(std::string name, std::function<void()> hook);

  // Starts the servers and blocks until a shutdown signal or RequestShutdown(). Returns the
  // process exit code: 0 after a clean stop, 1 when a server could not start.
  int Run();

  // Starts the same stop sequence as SIGTERM. Thread-safe.
  void RequestShutdown();

  // Ports actually bound, known once Run() has logged "service started"; useful with port 0.
  int grpc_port() const { return bound_grpc_port_; }

 private:
  void Shutdown(grpc::Server& server);

  const CommonConfig config_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::vector<std::pair<grpc::Service*, std::string>> services_;
  std::vector<std::pair<std::string, std::function<void()>>> shutdown_hooks_;
  absl::Notification shutdown_requested_;
  int bound_grpc_port_ = 0;
};

}  // namespace consort
