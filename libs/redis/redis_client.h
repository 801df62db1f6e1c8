#pragma once

// A small Redis client over hiredis: one blocking connection (RedisConnection) and a thread-safe
// pool of them (RedisPool) with pipelining, Lua scripts by SHA, and a round-trip histogram.
//
// Redis error replies to a single command become FAILED_PRECONDITION with Redis's message; lost
// connections become UNAVAILABLE and the pool reconnects on the next call. Commands are never
// retried here, because only the caller knows whether a command is safe to repeat.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

struct redisContext;

namespace consort::redis {

struct Reply {
  enum class Type { kString, kInteger, kArray, kNil, kStatus, kError };
  Type type = Type::kNil;
  // Bulk string, status text or error message.
  std::string str;
  int64_t integer = 0;
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
};

using Command = std::vector<std::string>;

// One connection. Not thread-safe.
class Connection {
 public:
  // `address` is "host:port". Sends AUTH when `password` is not empty.
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(const std::string& address,
                                                              const std::string& password,
                                                              absl::Duration timeout);
  ~Connection();

  absl::StatusOr<Reply> Run(const Command& command);

  // Sends every command before reading any reply. Error replies stay in the result as kError.
  absl::StatusOr<std::vector<Reply>> RunPipeline(const std::vector<Command>& commands);

  // True after an I/O or protocol error; such a connection must be dropped.
  bool broken() const;

 private:
  explicit Connection(redisContext* context) : context_(context) {}
  absl::Status ConnectionError() const;

  redisContext* context_;
};

// A Lua script run by EVALSHA, loaded into the server on first use and again after NOSCRIPT.
class Script {
 public:
  explicit Script(std::string source) : source_(std::move(source)) {}
  const std::string& source() const { return source_; }

 private:
  friend class Pool;
  std::string source_;
  absl::Mutex mu_;
  std::string sha_ ABSL_GUARDED_BY(mu_);
};

// A fixed-size pool of connections. Thread-safe; a call waits while every connection is busy.
class Pool {
 public:
  Pool(std::string address, std::string password, int size, prometheus::Registry& registry,
       absl::Duration timeout = absl::Seconds(5));
  ~Pool();

  // Checks that the server answers PING; services call it at start-up.
  absl::Status Ping();

  // `operation` labels consort_redis_roundtrip_seconds; keep it to a fixed set of names.
  absl::StatusOr<Reply> Run(const Command& command, absl::string_view operation);
  absl::StatusOr<std::vector<Reply>> RunPipeline(const std::vector<Command>& commands,
                                                 absl::string_view operation);
  absl::StatusOr<Reply> Eval(Script& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args, absl::string_view operation);

  // Runs several invocations of one script in a single round trip; returns one reply per call,
  // error replies included as kError.
  absl::StatusOr<std::vector<Reply>> EvalPipeline(
      Script& script, const std::vector<std::pair<std::vector<std::string>,
                                                  std::vector<std::string>>>& calls,
      absl::string_view operation);

 private:
  class Lease;
  absl::StatusOr<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> connection);
  absl::StatusOr<std::string> ScriptSha(Script& script, Connection& connection);
  prometheus::Histogram& RoundTrip(absl::string_view operation);

  const std::string address_;
  const std::string password_;
  const absl::Duration timeout_;
  prometheus::Family<prometheus::Histogram>& roundtrip_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int available_ ABSL_GUARDED_BY(mu_);
};

// Returns the value of a flat [field, value, field, value, ...] array reply, as HGETALL and
// XRANGE entries return them, or nullptr when the field is absent.
const std::string* FindField(const Reply& flat_array, absl::string_view field);

}  // namespace consort::redis
