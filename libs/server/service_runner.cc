#include "server/service_runner.h"

#include <signal.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/grpc_metrics.h"
#include "spdlog/spdlog.h"

namespace consort {
namespace {

sigset_t ShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t signals = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

ServiceRunner::ServiceRunner(const CommonConfig& config)
    : config_(config), registry_(std::make_shared<prometheus::Registry>()) {}

ServiceRunner::~ServiceRunner() = default;

void ServiceRunner::RegisterService(grpc::Service* service, const std::string& full_name) {
  services_.emplace_back(service, full_name);
}

void ServiceRunner::AddDrainHook(std::string name, std::function<void()> hook) {
  drain_hooks_.emplace_back(std::move(name), std::move(hook));
}

void ServiceRunner::AddShutdownHook(std::string name, std::function<void()> hook) {
  shutdown_hooks_.emplace_back(std::move(name), std::move(hook));
}

void ServiceRunner::RequestShutdown() {
  if (!shutdown_requested_.HasBeenNotified()) shutdown_requested_.Notify();
}

int ServiceRunner::Run() {
  const std::string metrics_address = absl::StrCat(config_.listen_host, ":", config_.metrics_port);
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(metrics_address);
  } catch (const std::exception& e) {
    spdlog::error("msg=\"metrics server failed to start\" address={} error=\"{}\"",
                  metrics_address, e.what());
    return 1;
  }
  exposer_->RegisterCollectable(registry_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string grpc_address = absl::StrCat(config_.listen_host, ":", config_.grpc_port);
  builder.AddListeningPort(grpc_address, grpc::InsecureServerCredentials(), &bound_grpc_port_);
  builder.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<GrpcMetricsInterceptorFactory>(*registry_));
  builder.experimental().SetInterceptorCreators(std::move(factories));
  for (auto& [service, name] : services_) builder.RegisterService(service);

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_grpc_port_ == 0) {
    spdlog::error("msg=\"gRPC server failed to start\" address={}", grpc_address);
    return 1;
  }
  auto* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  for (auto& [service, name] : services_) health->SetServingStatus(name, true);

  const auto ports = exposer_->GetListeningPorts();
  spdlog::info("msg=\"service started\" grpc_address={}:{} metrics_port={}", config_.listen_host,
               bound_grpc_port_, ports.empty() ? 0 : ports.front());

  // sigtimedwait lets the loop also notice RequestShutdown() from another thread.
  sigset_t signals = ShutdownSignals();
  const timespec poll_interval{0, 200'000'000};
  while (!shutdown_requested_.HasBeenNotified()) {
    const int signal_number = sigtimedwait(&signals, nullptr, &poll_interval);
    if (signal_number > 0) {
      spdlog::info("msg=\"shutdown signal received\" signal={}", strsignal(signal_number));
      RequestShutdown();
    }
  }

  Shutdown(*server);
  return 0;
}

void ServiceRunner::Shutdown(grpc::Server& server) {
  const auto started = std::chrono::steady_clock::now();
  auto* health = server.GetHealthCheckService();
  health->SetServingStatus(false);

  for (auto& [name, hook] : drain_hooks_) {
    spdlog::info("msg=\"running drain step\" step={}", name);
    hook();
  }

  // Calls in flight may finish within the grace period; after it they are cancelled.
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::seconds(config_.shutdown_grace_seconds);
  server.Shutdown(deadline);
  server.Wait();
  spdlog::info("msg=\"gRPC server stopped\"");

  for (auto it = shutdown_hooks_.rbegin(); it != shutdown_hooks_.rend(); ++it) {
    spdlog::info("msg=\"running shutdown step\" step={}", it->first);
    it->second();
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  spdlog::info("msg=\"service stopped\" seconds={:.3f}", elapsed.count());
  spdlog::default_logger()->flush();
}

}  // namespace consort
