// SIGTERM while a ReportSales stream is running: the service ends the stream with UNAVAILABLE
// instead of waiting for the grace period. After it exits, every record it acknowledged is in
// Redis and on the sales topic exactly once, and no record without a result is stored.

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "redis/redis_client.h"
#include "tests/integration/partner/partner_test_stack.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::ContextWithDeadline;
using ::consort::partner::testing::SaleRecordOf;

// Records sent at most; the stop ends the stream long before.
constexpr int kMaxRecords = 200'000;
// Results to wait for before the signal.
constexpr size_t kResultsBeforeSignal = 2'000;
// The grace period is long, so that only ending the stream promptly lets the process exit within
// kExitWithin of the signal. The bound checks that the stream ended, not how fast.
constexpr int kGraceSeconds = 60;
constexpr absl::Duration kExitWithin = absl::Seconds(20);

class SalesShutdownTest : public testing::PartnerStackTest {
 protected:
  std::map<std::string, std::string> ExtraEnv() override {
    return {{"CONSORT_SHUTDOWN_GRACE_SECONDS", absl::StrCat(kGraceSeconds)}};
  }

  // Expects the partner service to exit with code 0 within kExitWithin of `signalled`.
  void ExpectCleanExitWithinBound(absl::Time signalled) {
    const absl::Duration left =
        std::max(kExitWithin - (absl::Now() - signalled), absl::ZeroDuration());
    auto exit_code = stack_->service("partner").WaitForExit(left);
    ASSERT_TRUE(exit_code.ok()) << "the partner service did not exit within " << kExitWithin
                                << " of SIGTERM with a grace period of " << kGraceSeconds
                                << " s: " << exit_code.status();
    EXPECT_EQ(*exit_code, 0) << stack_->service("partner").LogTail();
  }

  // Reads the sales topic from the start until every id in `sale_ids` was seen and nothing new
  // arrived for two seconds, and counts the events per sale id.
  absl::flat_hash_map<std::string, int> CountSaleEvents(const std::vector<std::string>& sale_ids,
                                                        absl::Duration timeout) {
    consort::testing::TopicReader reader(consort::testing::KafkaBootstrap(),
                                         stack_->topic("consort.sales.v1"));
    absl::flat_hash_map<std::string, int> copies;
    size_t counted = 0;
    absl::Time last_arrival = absl::Now();
    reader.ReadUntil(
        [&](const std::vector<kafka::Message>& messages) {
          if (messages.size() > counted) last_arrival = absl::Now();
          for (; counted < messages.size(); ++counted) {
            events::v1::SaleEvent event;
            if (event.ParseFromString(messages[counted].payload)) ++copies[event.sale_id()];
          }
          for (const auto& id : sale_ids) {
            if (!copies.contains(id)) return false;
          }
          return absl::Now() - last_arrival >= absl::Seconds(2);
        },
        timeout);
    return copies;
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
      // About 10,000 records a second, so that the client is still writing when the stop begins.
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
  const absl::Time signalled = absl::Now();
  stack_->service("partner").Signal(SIGTERM);
  writer.join();
  reader.join();
  const grpc::Status status = stream->Finish();
  ExpectCleanExitWithinBound(signalled);

  // The stop ended the stream with UNAVAILABLE, the code that requests a resend. The
  // message is the service's own when its trailers arrive before the process closes the
  // connection, and the transport's ("Broken pipe") when the client's records still in flight make
  // the closing socket reset the connection first.
  EXPECT_LT(sent.load(), kMaxRecords);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  std::ifstream log(stack_->service("partner").log_path());
  const std::string log_text((std::istreambuf_iterator<char>(log)),
                             std::istreambuf_iterator<char>());
  EXPECT_THAT(log_text, ::testing::HasSubstr("sales stream ended because the service is stopping"));

  std::vector<std::string> acknowledged;
  for (const auto& result : results) {
    EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_ACCEPTED) << result.message();
    acknowledged.push_back(result.sale_id());
  }
  ASSERT_GE(acknowledged.size(), kResultsBeforeSignal);
  ASSERT_LE(acknowledged.size(), static_cast<size_t>(sent.load()));
  // Results come in the order of the records, so the records after them got none.
  std::vector<std::string> unanswered;
  for (int i = static_cast<int>(acknowledged.size()); i < sent.load(); ++i) {
    unanswered.push_back(absl::StrCat("sig-", i));
  }
  std::cerr << "sent " << sent.load() << " records, " << acknowledged.size()
            << " acknowledged, stream ended with " << status.error_code() << " \""
            << status.error_message() << "\"\n";

  // Every acknowledged sale is stored, no record without a result is, and the outbox was drained
  // before the exit.
  prometheus::Registry registry;
  redis::Pool redis(consort::testing::RedisAddress(), "", 2, registry);
  const std::string prefix = absl::StrCat(stack_->env().at("CONSORT_REDIS_NAMESPACE"), "partner:");
  auto count_stored = [&](const std::vector<std::string>& ids) -> size_t {
    std::vector<redis::Command> exists;
    for (const auto& id : ids) exists.push_back({"EXISTS", prefix + "sale:" + id});
    if (exists.empty()) return 0;
    auto stored = redis.RunPipeline(exists, "test");
    EXPECT_TRUE(stored.ok()) << stored.status();
    size_t count = 0;
    if (stored.ok()) {
      for (const auto& reply : *stored) count += reply.integer == 1 ? 1 : 0;
    }
    return count;
  };
  EXPECT_EQ(count_stored(acknowledged), acknowledged.size());
  EXPECT_EQ(count_stored(unanswered), 0u);
  auto outbox = redis.Run({"XLEN", prefix + "outbox"}, "test");
  ASSERT_TRUE(outbox.ok());
  EXPECT_EQ(outbox->integer, 0);

  // Every acknowledged sale is on the topic exactly once, and nothing else is.
  auto copies = CountSaleEvents(acknowledged, absl::Seconds(90));
  size_t missing_on_kafka = 0;
  size_t repeated_on_kafka = 0;
  for (const auto& id : acknowledged) {
    auto it = copies.find(id);
    missing_on_kafka += it == copies.end() ? 1 : 0;
    repeated_on_kafka += it != copies.end() && it->second > 1 ? 1 : 0;
  }
  EXPECT_EQ(missing_on_kafka, 0u);
  EXPECT_EQ(repeated_on_kafka, 0u);
  EXPECT_EQ(copies.size(), acknowledged.size());
}

TEST_F(SalesShutdownTest, SigtermWithIdleStreamCancelsIt) {
  CreateCoveredPartner("p-idle");

  // The client sends a few records, reads their results and then neither sends nor half-closes,
  // so the service's reader thread stays blocked in Read until the service cancels the call.
  auto context = ContextWithDeadline(absl::Seconds(120));
  auto stream = partner_->ReportSales(context.get());
  constexpr int kRecords = 3;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_TRUE(stream->Write(SaleRecordOf(absl::StrCat("idle-", i), "p-idle")));
  }
  v1::SaleResult result;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_TRUE(stream->Read(&result));
    EXPECT_EQ(result.outcome(), v1::SALE_OUTCOME_ACCEPTED) << result.message();
  }

  const absl::Time signalled = absl::Now();
  stack_->service("partner").Signal(SIGTERM);
  EXPECT_FALSE(stream->Read(&result));
  const grpc::Status status = stream->Finish();
  ExpectCleanExitWithinBound(signalled);
  // The service cancels the call to wake its reader, and the process then closes the connection:
  // the client may see either, and both ask it to resend.
  EXPECT_THAT(status.error_code(),
              ::testing::AnyOf(grpc::StatusCode::CANCELLED, grpc::StatusCode::UNAVAILABLE))
      << status.error_message();
}

}  // namespace
}  // namespace consort::partner
