#pragma once

// Reads every message of one Kafka topic from the beginning, for integration tests that check
// what a service published. Uses a plain librdkafka consumer in a group of its own, so it never
// disturbs the services' consumer groups.
//
// Not thread-safe: one test thread uses a reader.

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/support/service_process.h"

namespace consort::testing {

struct TopicMessage {
  std::string key;
  std::string payload;
};

class TopicReader {
 public:
  TopicReader(const std::string& bootstrap, const std::string& topic) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::string group = absl::StrCat("test-reader-", UniqueSuffix());
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof(error));
    rd_kafka_conf_set(conf, "group.id", group.c_str(), error, sizeof(error));
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", error, sizeof(error));
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", error, sizeof(error));
    handle_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
    if (handle_ == nullptr) return;
    rd_kafka_poll_set_consumer(handle_);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(handle_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
  }

  ~TopicReader() {
    if (handle_ == nullptr) return;
    rd_kafka_consumer_close(handle_);
    rd_kafka_destroy(handle_);
  }

  TopicReader(const TopicReader&) = delete;
  TopicReader& operator=(const TopicReader&) = delete;

  // Reads until `count` messages have arrived in total or `timeout` passes, and returns all
  // messages read so far.
  const std::vector<TopicMessage>& ReadAtLeast(size_t count, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (handle_ != nullptr && messages_.size() < count && absl::Now() < deadline) {
      rd_kafka_message_t* message = rd_kafka_consumer_poll(handle_, 200);
      if (message == nullptr) continue;
      if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        TopicMessage read;
        if (message->key != nullptr) {
          read.key.assign(static_cast<const char*>(message->key), message->key_len);
        }
        if (message->payload != nullptr) {
          read.payload.assign(static_cast<const char*>(message->payload), message->len);
        }
        messages_.push_back(std::move(read));
      }
      rd_kafka_message_destroy(message);
    }
    return messages_;
  }

 private:
  rd_kafka_t* handle_ = nullptr;
  std::vector<TopicMessage> messages_;
};

}  // namespace consort::testing
