#pragma once

// Helpers for the tests that run against a real Kafka broker. The broker's bootstrap address
// comes from CONSORT_TEST_KAFKA_BOOTSTRAP; without it those tests are skipped. Each test names
// its topics and groups with a random suffix so that runs sharing one broker do not collide.

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace consort::kafka::testing {

inline std::string UniqueName(absl::string_view prefix) {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  return absl::StrCat("consort-test.", prefix, ".", absl::StrFormat("%016x", generator()));
}

// Base fixture for tests that need the real broker; skips the test when none is configured.
class RealKafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bootstrap = std::getenv("CONSORT_TEST_KAFKA_BOOTSTRAP");
    if (bootstrap == nullptr || *bootstrap == '\0') {
      GTEST_SKIP() << "CONSORT_TEST_KAFKA_BOOTSTRAP is not set; set it to a Kafka broker's "
                      "host:port (for example 127.0.0.1:29092) to run the tests that need one";
    }
    bootstrap_ = bootstrap;
  }

  std::string bootstrap_;
};

// Low and high watermark of one partition, read with a short-lived consumer handle. Retries for
// up to 10 seconds because a partition created moments ago may not serve ListOffsets yet.
struct Watermarks {
  int64_t low = -1;
  int64_t high = -1;
};

inline Watermarks QueryWatermarks(const std::string& bootstrap, const std::string& topic,
                                  int32_t partition) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof(errstr));
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  Watermarks marks;
  if (handle == nullptr) return marks;
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (rd_kafka_query_watermark_offsets(handle, topic.c_str(), partition, &marks.low, &marks.high,
                                         5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      break;
    }
    marks = Watermarks{};
    absl::SleepFor(absl::Milliseconds(100));
  }
  rd_kafka_destroy(handle);
  return marks;
}

// Partition count of `topic` from broker metadata, or -1 when the topic is not found.
inline int PartitionCount(const std::string& bootstrap, const std::string& topic) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof(errstr));
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (handle == nullptr) return -1;
  int count = -1;
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(handle, /*all_topics=*/1, nullptr, &metadata, 10000) ==
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      if (topic == metadata->topics[i].topic) count = metadata->topics[i].partition_cnt;
    }
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_destroy(handle);
  return count;
}

// Offset committed to Kafka by `group` for one partition, or -1 when none is found within 10
// seconds. Reads with a handle that never joins the group.
inline int64_t CommittedOffset(const std::string& bootstrap, const std::string& group,
                               const std::string& topic, int32_t partition) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "group.id", group.c_str(), errstr, sizeof(errstr));
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (handle == nullptr) return -1;
  int64_t offset = -1;
  for (int attempt = 0; attempt < 100 && offset < 0; ++attempt) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
    if (rd_kafka_committed(handle, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        list->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      offset = list->elems[0].offset;
    }
    rd_kafka_topic_partition_list_destroy(list);
    if (offset < 0) absl::SleepFor(absl::Milliseconds(100));
  }
  rd_kafka_destroy(handle);
  return offset;
}

}  // namespace consort::kafka::testing
