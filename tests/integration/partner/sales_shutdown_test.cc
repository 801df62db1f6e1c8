// SIGTERM while a ReportSales stream is running: every record the service acknowledged is in
// Redis and on the sales topic after the service exits.

#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "redis/redis_client.h"
#include "tests/integration/partner/partner_test_stack.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::ContextWithDeadline;
using ::consort::partner::testing::SaleRecordOf;

// Records sent at most; the stream is cut by the shutdown long before.
constexpr int kMaxRecords = 200'000;
// Results to wait for before the signal.
constexpr size_t kResultsBeforeSignal = 2'000;

class SalesShutdownTest : public testing::PartnerStackTest {
 protected:
  // A short grace period, so that the service cancels the stream that is still sending.
  std::map<std::string, std::string> ExtraEnv() override {
    return {{"CONSORT_SHUTDOWN_GRACE_SECONDS", "3"}};
  }
};

TEST_F(SalesShutdownTest, SigtermDuringStreamLosesNothing) {
  CreateCoveredPartner("p-sigterm");

  auto context = ContextWithDeadline(absl::Seconds(120));
  auto stream = partner_->ReportSales(context.get());
  absl::Mutex mu;
  std::vector<v1::SaleResult> results;
  std::thread reader([&] {
    v1::SaleResult result;
    while (stream->Read(&result)) {
      absl::MutexLock lock(&mu);
      results.push_back(result);
    }
  });
  std::atomic<int> sent{0};
  std::thread writer([&] {
    for (int i = 0; i < kMaxRecords; ++i) {
      if (!stream->Write(SaleRecordOf(absl::StrCat("sig-", i), "p-sigterm"))) break;
      sent = i + 1;
      // About 10,000 records a second, so that the stream outlives the grace period.
      if (i % 100 == 99) absl::SleepFor(absl::Milliseconds(10));
    }
    stream->WritesDone();
  });

  {
    absl::MutexLock lock(&mu);
    ASSERT_TRUE(mu.AwaitWithTimeout(
        absl::Condition(
            +[](std::vector<v1::SaleResult>* r) { return r->size() >= kResultsBeforeSignal; },
            &results),
        absl::Seconds(60)))
        << "no results before the signal";
  }
  stack_->service("partner").Signal(SIGTERM);
  writer.join();
  reader.join();
  const grpc::Status status = stream->Finish();
  auto exit_code = stack_->service("partner").WaitForExit(absl::Seconds(60));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << stack_->service("partner").LogTail();

  std::vector<std::string> acknowledged;
  for (const auto& result : results) {
    EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_ACCEPTED) << result.message();
    acknowledged.push_back(result.sale_id());
  }
  ASSERT_GE(acknowledged.size(), kResultsBeforeSignal);
  EXPECT_LE(acknowledged.size(), static_cast<size_t>(sent.load()));
  std::cerr << "sent " << sent.load() << " records, " << acknowledged.size()
            << " acknowledged, stream ended with code " << status.error_code() << "\n";

  // Every acknowledged sale is stored, and the outbox was drained before the exit.
  prometheus::Registry registry;
  redis::Pool redis(consort::testing::RedisAddress(), "", 2, registry);
  const std::string prefix = absl::StrCat(stack_->env().at("CONSORT_REDIS_NAMESPACE"), "partner:");
  std::vector<redis::Command> exists;
  for (const auto& id : acknowledged) exists.push_back({"EXISTS", prefix + "sale:" + id});
  auto stored = redis.RunPipeline(exists, "test");
  ASSERT_TRUE(stored.ok()) << stored.status();
  size_t missing_in_redis = 0;
  for (const auto& reply : *stored) missing_in_redis += reply.integer == 1 ? 0 : 1;
  EXPECT_EQ(missing_in_redis, 0u);
  auto outbox = redis.Run({"XLEN", prefix + "outbox"}, "test");
  ASSERT_TRUE(outbox.ok());
  EXPECT_EQ(outbox->integer, 0);

  // Every acknowledged sale is on the topic.
  auto events = ConsumeSales(acknowledged, absl::Seconds(90));
  size_t missing_on_kafka = 0;
  for (const auto& id : acknowledged) missing_on_kafka += events.contains(id) ? 0 : 1;
  EXPECT_EQ(missing_on_kafka, 0u);
}

}  // namespace
}  // namespace consort::partner
