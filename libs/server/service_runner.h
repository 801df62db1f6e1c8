#pragma once

// Runs one Consort service process: the gRPC server with the standard health service, server
// reflection and the metrics interceptor, the Prometheus /metrics endpoint, and the stop sequence
// on SIGTERM or SIGINT.
//
// A service's main() calls BlockShutdownSignals() before it starts any thread, builds a
// ServiceRunner, registers its gRPC services, its drain hooks and its shutdown hooks, and returns
// Run(). On a signal, Run() stops in this order:
//   1. marks the health status NOT_SERVING;
//   2. runs the drain hooks in order of registration while the server still serves. Through them
//      the handlers of long calls (a ReportSales stream) learn that the stop has begun, so they
//      end those calls themselves instead of waiting for the grace period to cancel them;
//   3. stops accepting calls and lets calls in flight finish within the grace period
//      (grpc::Server::Shutdown with a deadline), cancelling those still open after it;
//   4. runs the shutdown hooks in reverse order of registration (for example: stop the Kafka
//      consumer, then flush the producer).
// All methods except RequestShutdown() must be called from the thread that calls Run().

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

  // Adds a step run when the stop begins: after health turns NOT_SERVING, before the server stops
  // accepting calls. A drain hook must return promptly: it signals handlers to end their calls
  // and does not wait for them, because the server's shutdown waits for the calls in flight.
  void AddDrainHook(std::string name, std::function<void()> hook);

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
  std::vector<std::pair<std::string, std::function<void()>>> drain_hooks_;
  std::vector<std::pair<std::string, std::function<void()>>> shutdown_hooks_;
  absl::Notification shutdown_requested_;
  int bound_grpc_port_ = 0;
};

}  // namespace consort
