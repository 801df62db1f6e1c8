#include "kafka/topics.h"

#include <librdkafka/rdkafka.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/logging.h"
#include "kafka/client.h"
#include "spdlog/spdlog.h"

namespace consort::kafka {
namespace {

using internal::KafkaError;
using internal::ToMillis;

// Pause between metadata requests while waiting for new topics to get partition leaders.
constexpr absl::Duration kMetadataRetryInterval = absl::Milliseconds(100);

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};
struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
};
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};

// State of one topic as broker metadata reports it.
struct TopicState {
  int partitions = 0;
  // True when every partition has a leader, so that produce and fetch requests can be served.
  bool all_partitions_led = false;
};

absl::Status ValidateSpecs(const std::vector<TopicSpec>& topics) {
  for (const TopicSpec& spec : topics) {
    if (spec.name.empty()) {
      return absl::InvalidArgumentError("topic spec has an empty name; give every topic a name");
    }
    if (spec.partitions < 1) {
      return absl::InvalidArgumentError(absl::StrCat("topic ", spec.name, " has ", spec.partitions,
                                                     " partitions; it needs at least 1"));
    }
    if (spec.replication_factor < 1 && spec.replication_factor != -1) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", spec.name, " has replication factor ", spec.replication_factor,
                       "; use at least 1, or -1 for the broker's default"));
    }
  }
  return absl::OkStatus();
}

// Reads the metadata of every topic in the cluster. Asking for all topics, and not for the
// topics by name, keeps a broker with auto.create.topics.enable=true from creating them with
// its default settings.
absl::StatusOr<std::map<std::string, TopicState>> FetchTopicStates(rd_kafka_t* handle,
                                                                   absl::Duration timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t error =
      rd_kafka_metadata(handle, /*all_topics=*/1, nullptr, &raw, ToMillis(timeout));
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError(error, "fetching topic metadata");
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(raw);

  std::map<std::string, TopicState> states;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    TopicState& state = states[topic.topic];
    state.partitions = topic.partition_cnt;
    state.all_partitions_led = topic.partition_cnt > 0;
    for (int p = 0; p < topic.partition_cnt; ++p) {
      if (topic.partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR || topic.partitions[p].leader < 0) {
        state.all_partitions_led = false;
      }
    }
  }
  return states;
}

// Fetches metadata until it succeeds or `deadline` passes; a client that has just been created
// may not have connected yet.
absl::StatusOr<std::map<std::string, TopicState>> FetchTopicStatesUntil(rd_kafka_t* handle,
                                                                        absl::Time deadline) {
  while (true) {
    absl::StatusOr<std::map<std::string, TopicState>> states =
        FetchTopicStates(handle, deadline - absl::Now());
    if (states.ok() || absl::Now() + kMetadataRetryInterval >= deadline) return states;
    absl::SleepFor(kMetadataRetryInterval);
  }
}

absl::StatusOr<std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>> NewTopic(
    const TopicSpec& spec) {
  char errstr[512];
  std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> topic(rd_kafka_NewTopic_new(
      spec.name.c_str(), spec.partitions, spec.replication_factor, errstr, sizeof(errstr)));
  if (topic == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("preparing creation of topic ", spec.name, " failed: ", errstr));
  }
  for (const auto& [name, value] : spec.config) {
    const rd_kafka_resp_err_t error =
        rd_kafka_NewTopic_set_config(topic.get(), name.c_str(), value.c_str());
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(error, absl::StrCat("setting ", name, "=", value, " on topic ", spec.name));
    }
  }
  return topic;
}

// Sends one CreateTopics request for `specs` and waits for its result. A topic that already
// exists is not an error, because another instance of the service may have created it first.
absl::Status CreateTopics(rd_kafka_t* handle, const std::vector<const TopicSpec*>& specs,
                          absl::Time deadline) {
  std::vector<std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>> owned;
  std::vector<rd_kafka_NewTopic_t*> topics;
  for (const TopicSpec* spec : specs) {
    absl::StatusOr<std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>> topic = NewTopic(*spec);
    if (!topic.ok()) return topic.status();
    topics.push_back(topic->get());
    owned.push_back(*std::move(topic));
  }

  std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter> options(
      rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  char errstr[512];
  const int remaining_ms = ToMillis(deadline - absl::Now());
  // The operation timeout makes the controller reply only after the topics are created.
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), remaining_ms, errstr,
                                                sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), remaining_ms, errstr,
                                                  sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("setting the CreateTopics timeout of ", remaining_ms, " ms failed: ", errstr));
  }

  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(handle));
  rd_kafka_CreateTopics(handle, topics.data(), topics.size(), options.get(), queue.get());
  std::unique_ptr<rd_kafka_event_t, EventDeleter> event(
      rd_kafka_queue_poll(queue.get(), ToMillis(deadline - absl::Now()) + 1000));
  if (event == nullptr) {
    return absl::DeadlineExceededError("CreateTopics request got no result before the deadline");
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::Status(
        internal::StatusCodeFor(rd_kafka_event_error(event.get())),
        absl::StrCat("CreateTopics request failed: ", rd_kafka_event_error_string(event.get())));
  }

  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  std::vector<std::string> failures;
  absl::StatusCode code = absl::StatusCode::kOk;
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t error = rd_kafka_topic_result_error(results[i]);
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      continue;
    }
    const char* message = rd_kafka_topic_result_error_string(results[i]);
    failures.push_back(absl::StrCat("creating topic ", rd_kafka_topic_result_name(results[i]),
                                    " failed: ", rd_kafka_err2name(error), ": ",
                                    message != nullptr ? message : rd_kafka_err2str(error)));
    if (code == absl::StatusCode::kOk) code = internal::StatusCodeFor(error);
  }
  if (!failures.empty()) return absl::Status(code, absl::StrJoin(failures, "; "));
  return absl::OkStatus();
}

// Returns the names of the topics in `topics` that `states` does not show as ready yet.
std::vector<std::string> TopicsNotReady(const std::vector<TopicSpec>& topics,
                                        const std::map<std::string, TopicState>& states) {
  std::vector<std::string> not_ready;
  for (const TopicSpec& spec : topics) {
    auto it = states.find(spec.name);
    if (it == states.end() || !it->second.all_partitions_led) not_ready.push_back(spec.name);
  }
  return not_ready;
}

}  // namespace

absl::Status EnsureTopics(const std::string& bootstrap, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout) {
  if (absl::Status valid = ValidateSpecs(topics); !valid.ok()) return valid;
  if (bootstrap.empty()) {
    return absl::InvalidArgumentError("Kafka bootstrap servers are missing; pass host:port");
  }
  if (topics.empty()) return absl::OkStatus();
  const absl::Time deadline = absl::Now() + timeout;

  absl::StatusOr<internal::KafkaConf> conf =
      internal::NewConf({{"bootstrap.servers", bootstrap}, {"client.id", "consort-admin"}});
  if (!conf.ok()) return conf.status();
  absl::StatusOr<internal::KafkaHandle> handle =
      internal::NewHandle(RD_KAFKA_PRODUCER, *std::move(conf), "Kafka admin client");
  if (!handle.ok()) return handle.status();

  absl::StatusOr<std::map<std::string, TopicState>> states =
      FetchTopicStatesUntil(handle->get(), deadline);
  if (!states.ok()) {
    return absl::DeadlineExceededError(
        absl::StrCat("ensuring topics at ", bootstrap, " timed out after ",
                     absl::FormatDuration(timeout), ": ", states.status().message()));
  }

  std::vector<const TopicSpec*> missing;
  for (const TopicSpec& spec : topics) {
    auto it = states->find(spec.name);
    if (it == states->end()) {
      missing.push_back(&spec);
    } else if (it->second.partitions != spec.partitions) {
      spdlog::warn(
          "msg=\"topic exists with a different partition count; left unchanged\" "
          "topic={} partitions={} spec_partitions={}",
          Quote(spec.name), it->second.partitions, spec.partitions);
    }
  }
  if (!missing.empty()) {
    if (absl::Status created = CreateTopics(handle->get(), missing, deadline); !created.ok()) {
      return created;
    }
    for (const TopicSpec* spec : missing) {
      spdlog::info("msg=\"topic created\" topic={} partitions={} replication_factor={}",
                   Quote(spec->name), spec->partitions, spec->replication_factor);
    }
  }

  while (true) {
    states = FetchTopicStates(handle->get(), deadline - absl::Now());
    std::vector<std::string> not_ready =
        states.ok() ? TopicsNotReady(topics, *states) : std::vector<std::string>{};
    if (states.ok() && not_ready.empty()) return absl::OkStatus();
    if (absl::Now() + kMetadataRetryInterval >= deadline) {
      const std::string detail =
          states.ok() ? absl::StrCat("still missing: ", absl::StrJoin(not_ready, ", "))
                      : std::string(states.status().message());
      return absl::DeadlineExceededError(absl::StrCat("waiting for topics at ", bootstrap,
                                                      " to appear in metadata timed out after ",
                                                      absl::FormatDuration(timeout), "; ", detail));
    }
    absl::SleepFor(kMetadataRetryInterval);
  }
}

}  // namespace consort::kafka
