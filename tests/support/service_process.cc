#include "tests/support/service_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace consort::testing {
namespace {

std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs in the forked child: applies `env`, restores default signal handling, dies with the parent,
// and replaces itself with `argv`. Never returns.
[[noreturn]] void ExecChild(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  fprintf(stderr, "exec %s failed: %s\n", args[0], strerror(errno));
  _exit(127);
}

std::string TempDirectory() {
  std::string dir = GetEnv("TEST_TMPDIR");
  if (dir.empty()) dir = GetEnv("TMPDIR");
  return dir.empty() ? "/tmp" : dir;
}

}  // namespace

std::string KafkaBootstrap() { return GetEnv("CONSORT_TEST_KAFKA_BOOTSTRAP"); }
std::string RedisAddress() { return GetEnv("CONSORT_TEST_REDIS_ADDRESS"); }

bool HasTestInfrastructure() { return !KafkaBootstrap().empty() && !RedisAddress().empty(); }

std::string MissingInfrastructureMessage() {
  return "CONSORT_TEST_KAFKA_BOOTSTRAP and CONSORT_TEST_REDIS_ADDRESS must name a running Kafka "
         "and Redis; scripts/test starts both and sets them";
}

std::string UniqueSuffix() {
  static absl::BitGen generator;
  return absl::StrFormat("%012x", absl::Uniform<uint64_t>(generator, 0, uint64_t{1} << 48));
}

int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    socklen_t length = sizeof(address);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::string BinaryPath(const std::string& relative) {
  return absl::StrCat(CONSORT_BINARY_DIR, "/", relative);
}

const std::vector<std::string>& AllServices() {
  static const auto* services = new std::vector<std::string>{"partner", "contract", "communication",
                                                             "performance", "incentive"};
  return *services;
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(
    const std::string& service, std::map<std::string, std::string> env,
    absl::Duration ready_timeout) {
  std::unique_ptr<ServiceProcess> process(new ServiceProcess());
  process->service_ = service;
  env.try_emplace("CONSORT_LISTEN_HOST", "127.0.0.1");
  env.try_emplace("CONSORT_GRPC_PORT", absl::StrCat(PickFreePort()));
  env.try_emplace("CONSORT_METRICS_PORT", absl::StrCat(PickFreePort()));
  env.try_emplace("CONSORT_LOG_LEVEL", "info");
  process->grpc_port_ = std::stoi(env["CONSORT_GRPC_PORT"]);
  process->metrics_port_ = std::stoi(env["CONSORT_METRICS_PORT"]);
  process->env_ = env;

  const std::string binary = BinaryPath(absl::StrCat("services/", service, "/consort-", service));
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("service binary ", binary, " is missing; build it"));
  }
  process->log_path_ =
      absl::StrCat(TempDirectory(), "/consort-", service, "-", UniqueSuffix(), ".log");
  const int log_fd =
      open(process->log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("cannot open ", process->log_path_));

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    ExecChild({binary}, env);
  }
  close(log_fd);
  process->pid_ = pid;

  const absl::Time deadline = absl::Now() + ready_timeout;
  while (absl::Now() < deadline) {
    if (!process->running()) {
      return absl::InternalError(
          absl::StrCat(service, " exited during start-up; log:\n", process->LogTail()));
    }
    if (absl::StrContains(ReadFile(process->log_path_), "msg=\"service started\"")) {
      auto channel = process->Channel();
      if (channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
        return process;
      }
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat(service, " was not ready after ",
                                                  absl::FormatDuration(ready_timeout), "; log:\n",
                                                  process->LogTail()));
}

ServiceProcess::~ServiceProcess() {
  if (pid_ <= 0 || !running()) return;
  Signal(SIGTERM);
  if (!WaitForExit(absl::Seconds(30)).ok()) {
    Signal(SIGKILL);
    (void)WaitForExit(absl::Seconds(10));
  }
}

std::string ServiceProcess::grpc_address() const { return absl::StrCat("127.0.0.1:", grpc_port_); }

std::shared_ptr<grpc::Channel> ServiceProcess::Channel() const {
  return grpc::CreateChannel(grpc_address(), grpc::InsecureChannelCredentials());
}

void ServiceProcess::Signal(int signal_number) {
  if (pid_ > 0 && !exited_) kill(pid_, signal_number);
}

bool ServiceProcess::running() {
  if (exited_ || pid_ <= 0) return false;
  int status = 0;
  const pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == pid_) exited_ = true;
  return !exited_;
}

absl::StatusOr<int> ServiceProcess::WaitForExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    const pid_t result = waitpid(pid_, &status, WNOHANG);
    if (result == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return -WTERMSIG(status);
      return -1;
    }
    if (result < 0) {
      exited_ = true;
      return absl::FailedPreconditionError(absl::StrCat(service_, " was already reaped"));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(service_, " did not exit within ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

std::string ServiceProcess::LogTail(size_t max_bytes) const {
  std::string log = ReadFile(log_path_);
  if (log.size() > max_bytes) log = log.substr(log.size() - max_bytes);
  return log;
}

absl::StatusOr<std::unique_ptr<Stack>> Stack::Start(const std::vector<std::string>& services,
                                                    std::map<std::string, std::string> extra_env) {
  if (!HasTestInfrastructure()) {
    return absl::FailedPreconditionError(MissingInfrastructureMessage());
  }
  std::unique_ptr<Stack> stack(new Stack());
  stack->suffix_ = UniqueSuffix();
  stack->order_ = services;
  stack->env_ = std::move(extra_env);
  auto& env = stack->env_;
  env.try_emplace("CONSORT_KAFKA_BOOTSTRAP", KafkaBootstrap());
  env.try_emplace("CONSORT_REDIS_ADDRESS", RedisAddress());
  env.try_emplace("CONSORT_REDIS_NAMESPACE", absl::StrCat("test-", stack->suffix_, ":"));
  env.try_emplace("CONSORT_TOPIC_SALES", stack->topic("consort.sales.v1"));
  env.try_emplace("CONSORT_TOPIC_FEEDBACK", stack->topic("consort.feedback.v1"));
  env.try_emplace("CONSORT_TOPIC_SCORES", stack->topic("consort.scores.v1"));
  env.try_emplace("CONSORT_TOPIC_DEADLETTER", stack->topic("consort.deadletter.v1"));
  env.try_emplace("CONSORT_TOPIC_CONTRACTS", stack->topic("consort.contracts.v1"));
  env.try_emplace("CONSORT_TOPIC_PARTNERS", stack->topic("consort.partners.v1"));
  env.try_emplace("CONSORT_TOPIC_PARTITIONS", "3");
  env.try_emplace("CONSORT_SHUTDOWN_GRACE_SECONDS", "15");
  for (const std::string& name : AllServices()) {
    const int grpc_port = PickFreePort();
    const int metrics_port = PickFreePort();
    stack->ports_[name] = {grpc_port, metrics_port};
    env[absl::StrCat("CONSORT_", absl::AsciiStrToUpper(name), "_ADDRESS")] =
        absl::StrCat("127.0.0.1:", grpc_port);
  }
  for (const std::string& name : services) {
    if (absl::Status started = stack->StartAgain(name); !started.ok()) return started;
  }
  return stack;
}

std::string Stack::topic(const std::string& base) const { return absl::StrCat(base, ".", suffix_); }

std::map<std::string, std::string> Stack::ServiceEnv(const std::string& name) const {
  std::map<std::string, std::string> env = env_;
  const auto& [grpc_port, metrics_port] = ports_.at(name);
  env["CONSORT_GRPC_PORT"] = absl::StrCat(grpc_port);
  env["CONSORT_METRICS_PORT"] = absl::StrCat(metrics_port);
  env["CONSORT_CONSUMER_GROUP"] = absl::StrCat("consort-", name, "-", suffix_);
  env["CONSORT_INSTANCE_ID"] = absl::StrCat(name, "-0");
  return env;
}

ServiceProcess& Stack::service(const std::string& name) { return *processes_.at(name); }

absl::Status Stack::Stop(const std::string& name, int signal_number) {
  auto it = processes_.find(name);
  if (it == processes_.end()) return absl::NotFoundError(absl::StrCat(name, " is not running"));
  it->second->Signal(signal_number);
  auto exited = it->second->WaitForExit(absl::Seconds(60));
  if (!exited.ok()) return exited.status();
  processes_.erase(it);
  return absl::OkStatus();
}

absl::Status Stack::StartAgain(const std::string& name) {
  auto process = ServiceProcess::Start(name, ServiceEnv(name));
  if (!process.ok()) return process.status();
  processes_[name] = std::move(*process);
  return absl::OkStatus();
}

absl::Status Stack::Restart(const std::string& name, int signal_number) {
  if (absl::Status stopped = Stop(name, signal_number); !stopped.ok()) return stopped;
  return StartAgain(name);
}

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env,
                                         absl::Duration timeout) {
  int out_pipe[2];
  int err_pipe[2];
  // O_CLOEXEC keeps the pipes out of every other child. A program that leaves a process running
  // in the background then cannot hold them open. dup2 clears the flag on the copies.
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError("pipe failed");
  }
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    ExecChild(argv, env);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  CommandResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
  int open_fds = 2;
  const absl::Time deadline = absl::Now() + timeout;
  char buffer[65536];
  while (open_fds > 0) {
    const int64_t wait_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (wait_ms <= 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(out_pipe[0]);
      close(err_pipe[0]);
      return absl::DeadlineExceededError(absl::StrCat(argv[0], " did not finish within ",
                                                      absl::FormatDuration(timeout), "; stderr:\n",
                                                      result.stderr_text));
    }
    if (poll(fds, 2, static_cast<int>(std::min<int64_t>(wait_ms, 1000))) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return result;
}

}  // namespace consort::testing
