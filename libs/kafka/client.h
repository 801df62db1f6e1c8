#pragma once

// Shared plumbing for the librdkafka handles that Producer, Consumer and EnsureTopics own:
// building a configuration from properties, mapping librdkafka error codes to absl::Status, and
// routing librdkafka's own log lines and error events into spdlog as rate-limited key=value
// lines. Only code under libs/kafka includes this header.
//
// Thread safety: the functions are stateless or guard their state, so any thread may call them.
// The callbacks installed here run on librdkafka's internal threads (logs) or on the thread that
// polls the handle (errors).

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace consort::kafka::internal {

struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};

using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;
using TopicPartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;

// Creates a configuration holding `properties` in order, with librdkafka's logs routed to
// spdlog. Returns INVALID_ARGUMENT naming the property that librdkafka rejected.
absl::StatusOr<KafkaConf> NewConf(const std::map<std::string, std::string>& properties);

// Creates a client of `type` from `conf`, which the client takes over even on failure.
absl::StatusOr<KafkaHandle> NewHandle(rd_kafka_type_t type, KafkaConf conf, absl::string_view what);

// Returns the status code that matches a librdkafka error: DEADLINE_EXCEEDED for timeouts,
// UNAVAILABLE for transport and leadership errors, RESOURCE_EXHAUSTED for a full queue, and so on.
absl::StatusCode StatusCodeFor(rd_kafka_resp_err_t error);

// Returns "<what> failed: <librdkafka description> (<error name>)" with the matching code, or OK
// for RD_KAFKA_RESP_ERR_NO_ERROR.
absl::Status KafkaError(rd_kafka_resp_err_t error, absl::string_view what);

// Returns the reason of the handle's fatal error as INTERNAL, or OK when there is none.
absl::Status FatalError(rd_kafka_t* handle);

// Logs an error event that librdkafka reported through error_cb, at most a few lines per error
// code and 10 seconds. `client` names the handle in the log line.
void LogClientError(absl::string_view client, rd_kafka_resp_err_t error, absl::string_view reason);

// Converts a duration to the milliseconds librdkafka takes, clamping negative values to 0 and
// infinite or oversized ones to INT_MAX.
int ToMillis(absl::Duration duration);

}  // namespace consort::kafka::internal
