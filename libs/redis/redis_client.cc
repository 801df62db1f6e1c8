#include "redis/redis_client.h"

#include <hiredis/hiredis.h>

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace consort::redis {
namespace {

Reply Convert(const redisReply* raw) {
  Reply reply;
  switch (raw->type) {
    case REDIS_REPLY_STRING:
      reply.type = Reply::Type::kString;
      reply.str.assign(raw->str, raw->len);
      break;
    case REDIS_REPLY_STATUS:
      reply.type = Reply::Type::kStatus;
      reply.str.assign(raw->str, raw->len);
      break;
    case REDIS_REPLY_ERROR:
      reply.type = Reply::Type::kError;
      reply.str.assign(raw->str, raw->len);
      break;
    case REDIS_REPLY_INTEGER:
      reply.type = Reply::Type::kInteger;
      reply.integer = raw->integer;
      break;
    case REDIS_REPLY_ARRAY:
      reply.type = Reply::Type::kArray;
      reply.elements.reserve(raw->elements);
      for (size_t i = 0; i < raw->elements; ++i) reply.elements.push_back(Convert(raw->element[i]));
      break;
    default:
      reply.type = Reply::Type::kNil;
  }
  return reply;
}

void AppendCommand(redisContext* context, const Command& command) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(command.size());
  lengths.reserve(command.size());
  for (const auto& arg : command) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisAppendCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data());
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(const std::string& address,
                                                                const std::string& password,
                                                                absl::Duration timeout) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("Redis address is invalid: got \"", address, "\"; expected host:port"));
  }
  const std::string host = address.substr(0, colon);
  redisContext* context = redisConnectWithTimeout(host.c_str(), port, absl::ToTimeval(timeout));
  if (context == nullptr) {
    return absl::ResourceExhaustedError("could not allocate a Redis connection");
  }
  if (context->err != 0) {
    std::string message =
        absl::StrCat("connecting to Redis at ", address, " failed: ", context->errstr);
    redisFree(context);
    return absl::UnavailableError(message);
  }
  redisSetTimeout(context, absl::ToTimeval(timeout));
  std::unique_ptr<Connection> connection(new Connection(context));
  if (!password.empty()) {
    auto reply = connection->Run({"AUTH", password});
    if (!reply.ok()) return reply.status();
    if (reply->is_error()) {
      return absl::PermissionDeniedError(absl::StrCat("Redis AUTH failed: ", reply->str));
    }
  }
  return connection;
}

Connection::~Connection() { redisFree(context_); }

bool Connection::broken() const { return context_->err != 0; }

absl::Status Connection::ConnectionError() const {
  return absl::UnavailableError(absl::StrCat("Redis connection failed: ", context_->errstr));
}

absl::StatusOr<Reply> Connection::Run(const Command& command) {
  AppendCommand(context_, command);
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return ConnectionError();
  Reply reply = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return reply;
}

absl::StatusOr<std::vector<Reply>> Connection::RunPipeline(const std::vector<Command>& commands) {
  for (const auto& command : commands) AppendCommand(context_, command);
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return ConnectionError();
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return replies;
}

// Returns a connection to the pool when it goes out of scope, unless it broke.
class Pool::Lease {
 public:
  Lease(Pool& pool, std::unique_ptr<Connection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  ~Lease() { pool_.Release(std::move(connection_)); }
  Connection& operator*() { return *connection_; }
  Connection* operator->() { return connection_.get(); }

 private:
  Pool& pool_;
  std::unique_ptr<Connection> connection_;
};

Pool::Pool(std::string address, std::string password, int size, prometheus::Registry& registry,
           absl::Duration timeout)
    : address_(std::move(address)),
      password_(std::move(password)),
      timeout_(timeout),
      roundtrip_(prometheus::BuildHistogram()
                     .Name("consort_redis_roundtrip_seconds")
                     .Help("Time from sending a Redis command or pipeline to its last reply")
                     .Register(registry)),
      available_(size) {}

Pool::~Pool() = default;

absl::StatusOr<std::unique_ptr<Connection>> Pool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* available) { return *available > 0; }, &available_));
    --available_;
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  auto connection = Connection::Connect(address_, password_, timeout_);
  if (!connection.ok()) {
    absl::MutexLock lock(&mu_);
    ++available_;
  }
  return connection;
}

void Pool::Release(std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  ++available_;
  if (connection != nullptr && !connection->broken()) idle_.push_back(std::move(connection));
}

prometheus::Histogram& Pool::RoundTrip(absl::string_view operation) {
  return roundtrip_.Add(
      {{"operation", std::string(operation)}},
      prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                              0.025, 0.05, 0.1, 0.25, 0.5, 1});
}

absl::Status Pool::Ping() {
  auto reply = Run({"PING"}, "ping");
  if (!reply.ok()) return reply.status();
  return absl::OkStatus();
}

absl::StatusOr<Reply> Pool::Run(const Command& command, absl::string_view operation) {
  auto acquired = Acquire();
  if (!acquired.ok()) return acquired.status();
  Lease lease(*this, std::move(*acquired));
  const auto start = std::chrono::steady_clock::now();
  auto reply = lease->Run(command);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  RoundTrip(operation).Observe(elapsed.count());
  if (reply.ok() && reply->is_error()) {
    return absl::FailedPreconditionError(
        absl::StrCat("Redis ", command.empty() ? "" : command[0], " failed: ", reply->str));
  }
  return reply;
}

absl::StatusOr<std::vector<Reply>> Pool::RunPipeline(const std::vector<Command>& commands,
                                                     absl::string_view operation) {
  auto acquired = Acquire();
  if (!acquired.ok()) return acquired.status();
  Lease lease(*this, std::move(*acquired));
  const auto start = std::chrono::steady_clock::now();
  auto replies = lease->RunPipeline(commands);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  RoundTrip(operation).Observe(elapsed.count());
  return replies;
}

absl::StatusOr<std::string> Pool::ScriptSha(Script& script, Connection& connection) {
  {
    absl::MutexLock lock(&script.mu_);
    if (!script.sha_.empty()) return script.sha_;
  }
  auto reply = connection.Run({"SCRIPT", "LOAD", script.source()});
  if (!reply.ok()) return reply.status();
  if (reply->type != Reply::Type::kString) {
    return absl::InternalError(absl::StrCat("Redis SCRIPT LOAD failed: ", reply->str));
  }
  absl::MutexLock lock(&script.mu_);
  script.sha_ = reply->str;
  return script.sha_;
}

absl::StatusOr<std::vector<Reply>> Pool::EvalPipeline(
    Script& script,
    const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>& calls,
    absl::string_view operation) {
  auto acquired = Acquire();
  if (!acquired.ok()) return acquired.status();
  Lease lease(*this, std::move(*acquired));

  // A server that restarted or ran SCRIPT FLUSH returns NOSCRIPT, so load the script and retry
  // once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto sha = ScriptSha(script, *lease);
    if (!sha.ok()) return sha.status();
    std::vector<Command> commands;
    commands.reserve(calls.size());
    for (const auto& [keys, args] : calls) {
      Command command{"EVALSHA", *sha, absl::StrCat(keys.size())};
      command.insert(command.end(), keys.begin(), keys.end());
      command.insert(command.end(), args.begin(), args.end());
      commands.push_back(std::move(command));
    }
    const auto start = std::chrono::steady_clock::now();
    auto replies = lease->RunPipeline(commands);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    RoundTrip(operation).Observe(elapsed.count());
    if (!replies.ok()) return replies.status();
    const bool noscript = !replies->empty() && replies->front().is_error() &&
                          absl::StartsWith(replies->front().str, "NOSCRIPT");
    if (!noscript) return replies;
    absl::MutexLock lock(&script.mu_);
    script.sha_.clear();
  }
  return absl::InternalError("Redis returned NOSCRIPT again after the script was loaded");
}

absl::StatusOr<Reply> Pool::Eval(Script& script, const std::vector<std::string>& keys,
                                 const std::vector<std::string>& args,
                                 absl::string_view operation) {
  auto replies = EvalPipeline(script, {{keys, args}}, operation);
  if (!replies.ok()) return replies.status();
  Reply& reply = replies->front();
  if (reply.is_error()) {
    return absl::FailedPreconditionError(absl::StrCat("Redis script failed: ", reply.str));
  }
  return std::move(reply);
}

const std::string* FindField(const Reply& flat_array, absl::string_view field) {
  for (size_t i = 0; i + 1 < flat_array.elements.size(); i += 2) {
    if (flat_array.elements[i].str == field) return &flat_array.elements[i + 1].str;
  }
  return nullptr;
}

}  // namespace consort::redis
