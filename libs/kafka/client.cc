#include "kafka/client.h"

#include <chrono>
#include <climits>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace consort::kafka::internal {
namespace {

// A broker that is down makes librdkafka repeat the same line on every reconnect attempt, so
// each (client, facility or error) pair may pass 5 lines per 10 seconds.
LogRateLimiter& ClientLogLimiter() {
  static auto* limiter = new LogRateLimiter(5, std::chrono::seconds(10));
  return *limiter;
}

spdlog::level::level_enum LevelForSyslog(int level) {
  if (level <= 3) return spdlog::level::err;
  if (level == 4) return spdlog::level::warn;
  if (level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

void OnLibrdkafkaLog(const rd_kafka_t* handle, int level, const char* facility,
                     const char* message) {
  const spdlog::level::level_enum spd_level = LevelForSyslog(level);
  if (!spdlog::should_log(spd_level)) return;

  const char* client = rd_kafka_name(handle);
  int64_t suppressed = 0;
  if (!ClientLogLimiter().Allow(absl::StrCat(client, "/", facility), suppressed)) return;
  spdlog::log(spd_level, "msg=\"librdkafka log\" client={} facility={} text={} suppressed={}",
              Quote(client), Quote(facility), Quote(message), suppressed);
}

}  // namespace

absl::StatusOr<KafkaConf> NewConf(const std::map<std::string, std::string>& properties) {
  KafkaConf conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("setting librdkafka property ", name, "=", value, " failed: ", errstr));
    }
  }
  rd_kafka_conf_set_log_cb(conf.get(), OnLibrdkafkaLog);
  return conf;
}

absl::StatusOr<KafkaHandle> NewHandle(rd_kafka_type_t type, KafkaConf conf,
                                      absl::string_view what) {
  char errstr[512];
  rd_kafka_t* handle = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (handle == nullptr) {
    // rd_kafka_new frees the configuration only when it succeeds.
    return absl::InvalidArgumentError(absl::StrCat("creating ", what, " failed: ", errstr));
  }
  conf.release();
  return KafkaHandle(handle);
}

absl::StatusCode StatusCodeFor(rd_kafka_resp_err_t error) {
  switch (error) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return absl::StatusCode::kOk;
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return absl::StatusCode::kDeadlineExceeded;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE:
      return absl::StatusCode::kUnavailable;
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return absl::StatusCode::kResourceExhausted;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return absl::StatusCode::kPermissionDenied;
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      return absl::StatusCode::kUnauthenticated;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return absl::StatusCode::kNotFound;
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return absl::StatusCode::kAlreadyExists;
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
      return absl::StatusCode::kInvalidArgument;
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
      return absl::StatusCode::kOutOfRange;
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
    case RD_KAFKA_RESP_ERR__DESTROY:
      return absl::StatusCode::kCancelled;
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE:
      return absl::StatusCode::kUnimplemented;
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__FENCED:
      return absl::StatusCode::kInternal;
    default:
      return absl::StatusCode::kUnknown;
  }
}

absl::Status KafkaError(rd_kafka_resp_err_t error, absl::string_view what) {
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::Status(StatusCodeFor(error), absl::StrCat(what, " failed: ", rd_kafka_err2str(error),
                                                         " (", rd_kafka_err2name(error), ")"));
}

absl::Status FatalError(rd_kafka_t* handle) {
  char reason[512];
  const rd_kafka_resp_err_t error = rd_kafka_fatal_error(handle, reason, sizeof(reason));
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("Kafka client ", rd_kafka_name(handle),
                                          " hit a fatal error: ", rd_kafka_err2name(error), ": ",
                                          reason, "; recreate the client"));
}

void LogClientError(absl::string_view client, rd_kafka_resp_err_t error, absl::string_view reason) {
  int64_t suppressed = 0;
  if (!ClientLogLimiter().Allow(absl::StrCat(client, "/", rd_kafka_err2name(error)), suppressed)) {
    return;
  }
  // librdkafka reconnects by itself, so transport and leadership errors are only warnings.
  const spdlog::level::level_enum level = StatusCodeFor(error) == absl::StatusCode::kUnavailable
                                              ? spdlog::level::warn
                                              : spdlog::level::err;
  spdlog::log(level, "msg=\"Kafka client error\" client={} error={} reason={} suppressed={}",
              Quote(client), rd_kafka_err2name(error), Quote(reason), suppressed);
}

int ToMillis(absl::Duration duration) {
  if (duration <= absl::ZeroDuration()) return 0;
  if (duration >= absl::Milliseconds(INT_MAX)) return INT_MAX;
  return static_cast<int>(absl::ToInt64Milliseconds(absl::Ceil(duration, absl::Milliseconds(1))));
}

}  // namespace consort::kafka::internal
