#pragma once

// Fixture for tests that need the real Redis named by CONSORT_TEST_REDIS_ADDRESS; they are
// skipped when it is unset. Each test gets its own key namespace, deleted afterwards.

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "gtest/gtest.h"
#include "partner/partner_keys.h"
#include "prometheus/registry.h"
#include "redis/redis_client.h"

namespace consort::partner::testing {

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* address = std::getenv("CONSORT_TEST_REDIS_ADDRESS");
    if (address == nullptr || *address == '\0') {
      GTEST_SKIP() << "CONSORT_TEST_REDIS_ADDRESS is not set; set it to a Redis host:port to run "
                      "the partner store tests";
    }
    redis_ = std::make_unique<redis::Pool>(address, "", 4, registry_);
    ASSERT_TRUE(redis_->Ping().ok()) << "Redis at " << address << " does not answer PING";
    namespace_ = absl::StrCat("test-", NewEventId(), ":");
  }

  void TearDown() override {
    if (redis_ == nullptr) return;
    auto keys = redis_->Run({"KEYS", absl::StrCat(namespace_, "*")}, "test");
    if (!keys.ok()) return;
    for (const auto& key : keys->elements) (void)redis_->Run({"DEL", key.str}, "test");
  }

  redis::Pool& redis() { return *redis_; }
  PartnerKeys keys() const { return PartnerKeys(namespace_); }
  prometheus::Registry& registry() { return registry_; }

  // Returns the value of `field` in hash `key`, or "<nil>".
  std::string HashField(const std::string& key, const std::string& field) {
    auto reply = redis_->Run({"HGET", key, field}, "test");
    if (!reply.ok() || reply->is_nil()) return "<nil>";
    return reply->str;
  }

  // Deletes the outbox stream, for tests that look only at the entries written after set-up.
  void ClearOutbox() { (void)redis_->Run({"DEL", keys().Outbox()}, "test"); }

  int64_t OutboxLength() {
    auto reply = redis_->Run({"XLEN", keys().Outbox()}, "test");
    return reply.ok() ? reply->integer : -1;
  }

 private:
  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> redis_;
  std::string namespace_;
};

}  // namespace consort::partner::testing
