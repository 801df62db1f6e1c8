#pragma once

// GoogleTest fixtures that run a Stack of real services. StackTest starts a stack of its own for
// each test. SharedStackTest starts one stack for the whole suite, which is faster when the tests
// do not disturb each other. Both skip every test when the test run has no Kafka or Redis
// (CONSORT_TEST_KAFKA_BOOTSTRAP or CONSORT_TEST_REDIS_ADDRESS unset). Derived by the integration
// suites, directly or through SalesStackTest (sales_stack_test.h).
//
// Not thread-safe: the test thread drives the stack.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/service_process.h"

namespace consort::testing {

// Base of a suite whose tests each start the services that Services() names, with ExtraEnv()
// added to their environment. A stack that does not start is a fatal failure in SetUp.
class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HasTestInfrastructure()) GTEST_SKIP() << MissingInfrastructureMessage();
    absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(Services(), ExtraEnv());
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    Connect();
  }

  // The services to start, in start order.
  virtual std::vector<std::string> Services() const = 0;

  // Settings added to every service's environment, none unless a suite overrides this.
  virtual std::map<std::string, std::string> ExtraEnv() { return {}; }

  // Creates the clients of the services. SetUp calls it after the start, and tests call it again
  // after they restart a service.
  virtual void Connect() {}

  std::unique_ptr<Stack> stack_;
};

// Base of a suite whose tests share one stack, started by the suite's SetUpTestSuite through
// StartStack. Each test fails when the stack did not start.
class SharedStackTest : public ::testing::Test {
 protected:
  static void StartStack(const std::vector<std::string>& services,
                         std::map<std::string, std::string> extra_env = {}) {
    if (!HasTestInfrastructure()) return;
    absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(services, std::move(extra_env));
    if (stack.ok()) {
      stack_ = std::move(*stack);
    } else {
      start_error_ = stack.status().ToString();
    }
  }

  static void TearDownTestSuite() { stack_.reset(); }

  void SetUp() override {
    if (!HasTestInfrastructure()) GTEST_SKIP() << MissingInfrastructureMessage();
    ASSERT_NE(stack_, nullptr) << "the stack did not start: " << start_error_;
  }

  static Stack& stack() { return *stack_; }

 private:
  static inline std::unique_ptr<Stack> stack_;
  static inline std::string start_error_;
};

}  // namespace consort::testing
