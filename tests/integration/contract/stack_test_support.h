#pragma once

// Helpers that the contract and communication integration suites share: a fixture whose tests
// share one stack of real services, a client context with a deadline, and creating a partner
// through the real partner service.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/service_process.h"

namespace consort::testing {

// Returns a client context whose deadline is 10 seconds away.
inline std::unique_ptr<grpc::ClientContext> ContextWithDeadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

// Creates a partner with a unique id in home region SP and returns the id; a failure is recorded
// as a test failure.
inline std::string CreateTestPartner(partner::v1::PartnerService::Stub& partners) {
  const std::string id = absl::StrCat("p-", UniqueSuffix());
  partner::v1::CreatePartnerRequest request;
  request.mutable_partner()->set_partner_id(id);
  request.mutable_partner()->set_display_name(absl::StrCat("Loja ", id));
  request.mutable_partner()->set_home_region("SP");
  partner::v1::Partner response;
  const grpc::Status status =
      partners.CreatePartner(ContextWithDeadline().get(), request, &response);
  EXPECT_TRUE(status.ok()) << "CreatePartner failed: " << status.error_message();
  return id;
}

// Base of a suite whose tests share one stack, started by the suite's SetUpTestSuite through
// StartStack. Each test skips itself when CONSORT_TEST_KAFKA_BOOTSTRAP or
// CONSORT_TEST_REDIS_ADDRESS is unset, and fails when the stack did not start.
class SharedStackTest : public ::testing::Test {
 protected:
  static void StartStack(const std::vector<std::string>& services,
                         std::map<std::string, std::string> extra_env = {}) {
    if (KafkaBootstrap().empty() || RedisAddress().empty()) return;
    auto stack = Stack::Start(services, std::move(extra_env));
    if (stack.ok()) {
      stack_ = std::move(*stack);
    } else {
      start_error_ = stack.status().ToString();
    }
  }

  static void TearDownTestSuite() { stack_.reset(); }

  void SetUp() override {
    if (KafkaBootstrap().empty() || RedisAddress().empty()) {
      GTEST_SKIP() << MissingInfrastructureMessage();
    }
    ASSERT_NE(stack_, nullptr) << "the stack did not start: " << start_error_;
  }

  static Stack& stack() { return *stack_; }

 private:
  static inline std::unique_ptr<Stack> stack_;
  static inline std::string start_error_;
};

}  // namespace consort::testing
