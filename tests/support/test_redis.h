#pragma once

// Redis for the unit tests of the performance and incentive stores and consumers: the server
// named by CONSORT_TEST_REDIS_ADDRESS, and a key namespace unique to each test so that tests never
// see each other's keys. Header-only, so the unit tests need not link consort_test_support.

#include <cstdlib>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace consort::testing {

inline std::string TestRedisAddress() {
  const char* address = std::getenv("CONSORT_TEST_REDIS_ADDRESS");
  return address == nullptr ? "" : address;
}

inline std::string UniqueNamespace() {
  absl::BitGen bits;
  return absl::StrCat("test-", absl::Uniform<uint64_t>(bits), ":");
}

// Skips the test when no Redis is configured.
#define CONSORT_REQUIRE_TEST_REDIS()                                                    \
  if (::consort::testing::TestRedisAddress().empty()) {                                 \
    GTEST_SKIP() << "CONSORT_TEST_REDIS_ADDRESS is not set; start Redis and set it to " \
                    "host:port to run this test";                                       \
  }

}  // namespace consort::testing
