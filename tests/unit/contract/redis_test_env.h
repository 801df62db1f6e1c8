#pragma once

// Fixture for store tests that run against the real Redis named by CONSORT_TEST_REDIS_ADDRESS.
// Each test gets its own key namespace, so tests sharing one Redis never see each other's keys;
// the fixture deletes the namespace's keys afterwards. Tests are skipped when the variable is
// unset.

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "redis/redis_client.h"

namespace consort::testing {

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* address = std::getenv("CONSORT_TEST_REDIS_ADDRESS");
    if (address == nullptr || *address == '\0') {
      GTEST_SKIP() << "CONSORT_TEST_REDIS_ADDRESS is not set; set it to a Redis host:port (for "
                      "example 127.0.0.1:6379) to run the store tests";
    }
    redis_ = std::make_unique<redis::Pool>(address, "", 4, registry_);
    ASSERT_TRUE(redis_->Ping().ok()) << "Redis at " << address << " does not answer PING";
    std::mt19937_64 generator{std::random_device{}()};
    namespace_ = absl::StrCat("test-", absl::StrFormat("%012x", generator() >> 16), ":");
  }

  void TearDown() override {
    if (redis_ == nullptr) return;
    auto keys = redis_->Run({"KEYS", absl::StrCat(namespace_, "*")}, "test");
    if (!keys.ok()) return;
    for (const auto& key : keys->elements) (void)redis_->Run({"DEL", key.str}, "test");
  }

  redis::Pool& redis() { return *redis_; }

  struct OutboxEntry {
    std::string topic;
    std::string key;
    std::string payload;
  };

  // Returns the entries of the outbox stream at `stream_key`, oldest first; fields that an entry
  // lacks are empty.
  std::vector<OutboxEntry> ReadOutbox(const std::string& stream_key) {
    std::vector<OutboxEntry> entries;
    auto reply = redis_->Run({"XRANGE", stream_key, "-", "+"}, "test");
    if (!reply.ok()) return entries;
    for (const redis::Reply& entry : reply->elements) {
      if (entry.elements.size() < 2) continue;
      const redis::Reply& fields = entry.elements[1];
      auto field = [&fields](absl::string_view name) {
        const std::string* value = redis::FindField(fields, name);
        return value == nullptr ? std::string() : *value;
      };
      entries.push_back({field("topic"), field("key"), field("payload")});
    }
    return entries;
  }
  const std::string& key_namespace() const { return namespace_; }

 private:
  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> redis_;
  std::string namespace_;
};

}  // namespace consort::testing
