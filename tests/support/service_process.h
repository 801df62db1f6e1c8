#pragma once

// Starts the real service binaries for integration and end-to-end tests.
//
// ServiceProcess runs one built binary (build/services/<name>/consort-<name>) as a child process
// on loopback ports chosen free at start, with its stderr in a log file, and waits until its gRPC
// health service reports SERVING. Stack runs the five services together against the Kafka and
// Redis named by CONSORT_TEST_KAFKA_BOOTSTRAP and CONSORT_TEST_REDIS_ADDRESS, with topic names,
// consumer groups and a Redis key prefix unique to the stack, so that tests never see each
// other's data.
//
// Not thread-safe: one test thread drives a stack.

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace consort::testing {

// Bootstrap servers of the test run's Kafka, or empty when CONSORT_TEST_KAFKA_BOOTSTRAP is unset.
std::string KafkaBootstrap();
// host:port of the test run's Redis, or empty when CONSORT_TEST_REDIS_ADDRESS is unset.
std::string RedisAddress();
// Whether both are set, so that tests that need a Kafka and a Redis can run.
bool HasTestInfrastructure();
// Message for GTEST_SKIP when either is unset.
std::string MissingInfrastructureMessage();

// 12 random hexadecimal digits, for unique topic, group and key names.
std::string UniqueSuffix();

// Returns a TCP port on 127.0.0.1 that was free a moment ago.
int PickFreePort();

// Path of a binary in the build tree, for example BinaryPath("tools/consortctl/consortctl").
std::string BinaryPath(const std::string& relative);

// The five service names in start order: partner, contract, communication, performance,
// incentive.
const std::vector<std::string>& AllServices();

class ServiceProcess {
 public:
  // Starts consort-<service> with CONSORT_LISTEN_HOST=127.0.0.1, free gRPC and metrics ports
  // (unless `env` sets CONSORT_GRPC_PORT or CONSORT_METRICS_PORT) and `env` added to the
  // environment. Waits up to `ready_timeout` for health SERVING; fails with the log tail when the
  // process exits or the time runs out.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(
      const std::string& service, std::map<std::string, std::string> env,
      absl::Duration ready_timeout = absl::Seconds(60));

  // Stops the process with SIGTERM, then SIGKILL after 30 seconds.
  ~ServiceProcess();

  const std::string& service() const { return service_; }
  std::string grpc_address() const;
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  const std::map<std::string, std::string>& env() const { return env_; }
  std::shared_ptr<grpc::Channel> Channel() const;

  void Signal(int signal_number);

  // Waits for the process to exit. Returns its exit code, or minus the signal number that ended
  // it, or DEADLINE_EXCEEDED.
  absl::StatusOr<int> WaitForExit(absl::Duration timeout);
  bool running();

  // The last `max_bytes` of the process's stderr.
  std::string LogTail(size_t max_bytes = 4000) const;
  const std::string& log_path() const { return log_path_; }

 private:
  ServiceProcess() = default;

  std::string service_;
  std::map<std::string, std::string> env_;
  std::string log_path_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  pid_t pid_ = -1;
  bool exited_ = false;
};

class Stack {
 public:
  // Starts `services` (all five by default) in order, wired to each other. `extra_env` is added
  // to every service's environment.
  static absl::StatusOr<std::unique_ptr<Stack>> Start(
      const std::vector<std::string>& services = AllServices(),
      std::map<std::string, std::string> extra_env = {});

  ServiceProcess& service(const std::string& name);
  bool has(const std::string& name) const { return processes_.count(name) > 0; }

  // Environment shared by the services: Kafka, Redis, namespace, topics and every service's
  // address (CONSORT_<NAME>_ADDRESS), which consortctl reads too.
  const std::map<std::string, std::string>& env() const { return env_; }
  const std::string& suffix() const { return suffix_; }
  std::string topic(const std::string& base) const;  // "consort.sales.v1" -> unique name

  // Stops `name` with `signal_number` (SIGTERM or SIGKILL), waits for it to exit, and starts it
  // again with the same ports and settings.
  absl::Status Restart(const std::string& name, int signal_number);

  // Stops one service without restarting it, and starts it again later.
  absl::Status Stop(const std::string& name, int signal_number);
  absl::Status StartAgain(const std::string& name);

 private:
  Stack() = default;
  std::map<std::string, std::string> ServiceEnv(const std::string& name) const;

  std::string suffix_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::pair<int, int>> ports_;
  std::vector<std::string> order_;
  std::map<std::string, std::unique_ptr<ServiceProcess>> processes_;
};

// Runs a program to completion with `env` added, capturing stdout and stderr separately.
struct CommandResult {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env,
                                         absl::Duration timeout);

}  // namespace consort::testing
