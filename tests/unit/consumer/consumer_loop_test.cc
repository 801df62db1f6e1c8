#include "consumer/consumer_loop.h"

#include "gtest/gtest.h"
#include "prometheus/registry.h"

namespace consort::consumer {
namespace {

class FlakySink : public DeadLetterSink {
 public:
  absl::Status Send(const kafka::Message& message, const std::string& reason) override {
    ++calls;
    if (failures_left > 0) {
      --failures_left;
      return absl::UnavailableError("broker down");
    }
    sent.emplace_back(message.offset, reason);
    return absl::OkStatus();
  }
  int failures_left = 0;
  int calls = 0;
  std::vector<std::pair<int64_t, std::string>> sent;
};

ConsumerLoopOptions FastOptions() {
  ConsumerLoopOptions options;
  options.name = "test";
  options.topics = {"sales"};
  options.rejection_reasons = {"decode", "invalid"};
  options.min_backoff = absl::Milliseconds(1);
  options.max_backoff = absl::Milliseconds(2);
  return options;
}

double CounterValue(prometheus::Registry& registry, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> found;
      for (const auto& label : metric.label) found[label.name] = label.value;
      if (found == labels) return metric.counter.value;
    }
  }
  return -1;  // series absent
}

TEST(ConsumerLoop, CreatesSeriesAtStart) {
  prometheus::Registry registry;
  FlakySink sink;
  ConsumerLoop loop(nullptr, sink, registry, FastOptions());
  EXPECT_EQ(CounterValue(registry, "consort_events_consumed_total", {{"topic", "sales"}}), 0);
  EXPECT_EQ(CounterValue(registry, "consort_events_rejected_total",
                         {{"topic", "sales"}, {"reason", "decode"}}),
            0);
  EXPECT_EQ(CounterValue(registry, "consort_events_rejected_total",
                         {{"topic", "sales"}, {"reason", "invalid"}}),
            0);
}

TEST(ConsumerLoop, DeadLetterRetriesUntilSent) {
  prometheus::Registry registry;
  FlakySink sink;
  sink.failures_left = 2;
  ConsumerLoop loop(nullptr, sink, registry, FastOptions());
  std::vector<kafka::Message> batch = {{.topic = "sales", .offset = 4}};
  ASSERT_TRUE(loop.DeadLetter(batch, {{0, "decode", "not a SaleEvent"}}));
  EXPECT_EQ(sink.calls, 3);
  ASSERT_EQ(sink.sent.size(), 1u);
  EXPECT_EQ(sink.sent[0].second, "not a SaleEvent");
  EXPECT_EQ(loop.dead_lettered(), 1);
  EXPECT_EQ(CounterValue(registry, "consort_events_rejected_total",
                         {{"topic", "sales"}, {"reason", "decode"}}),
            1);
}

TEST(ConsumerLoop, DeadLetterGivesUpWhenStopped) {
  prometheus::Registry registry;
  FlakySink sink;
  sink.failures_left = 1'000'000;
  ConsumerLoop loop(nullptr, sink, registry, FastOptions());
  loop.Stop();
  std::vector<kafka::Message> batch = {{.topic = "sales", .offset = 4}};
  EXPECT_FALSE(loop.DeadLetter(batch, {{0, "decode", "not a SaleEvent"}}));
  EXPECT_EQ(loop.dead_lettered(), 0);
}

TEST(ConsumerLoop, RetryStoreRepeatsConflicts) {
  prometheus::Registry registry;
  FlakySink sink;
  ConsumerLoop loop(nullptr, sink, registry, FastOptions());
  int attempts = 0;
  EXPECT_TRUE(loop.RetryStore(
      [&] {
        ++attempts;
        return attempts < 8 ? absl::AbortedError("changed") : absl::OkStatus();
      },
      1));
  EXPECT_EQ(attempts, 8);
}

TEST(ConsumerLoop, RetryStoreStopsOnCancelled) {
  prometheus::Registry registry;
  FlakySink sink;
  ConsumerLoop loop(nullptr, sink, registry, FastOptions());
  int attempts = 0;
  EXPECT_FALSE(loop.RetryStore(
      [&] {
        ++attempts;
        return absl::CancelledError("stopped");
      },
      1));
  EXPECT_EQ(attempts, 1);
}

TEST(ConsumerLoop, ResolveContractRetriesTransientErrors) {
  prometheus::Registry registry;
  FlakySink sink;
  ConsumerLoop loop(nullptr, sink, registry, FastOptions());
  int calls = 0;
  std::optional<absl::StatusOr<ContractTerms>> terms = loop.ResolveContract(
      [&]() -> absl::StatusOr<ContractTerms> {
        if (++calls < 3) return absl::UnavailableError("down");
        ContractTerms terms;
        terms.contract_id = "c-1";
        return terms;
      },
      "contract c-1");
  ASSERT_TRUE(terms.has_value());
  ASSERT_TRUE(terms->ok());
  EXPECT_EQ((*terms)->contract_id, "c-1");
  EXPECT_EQ(calls, 3);
}

TEST(ConsumerLoop, ResolveContractReturnsNotFoundAtOnce) {
  prometheus::Registry registry;
  FlakySink sink;
  ConsumerLoop loop(nullptr, sink, registry, FastOptions());
  int calls = 0;
  std::optional<absl::StatusOr<ContractTerms>> terms = loop.ResolveContract(
      [&]() -> absl::StatusOr<ContractTerms> {
        ++calls;
        return absl::NotFoundError("no such contract");
      },
      "contract c-9");
  ASSERT_TRUE(terms.has_value());
  EXPECT_EQ(terms->status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(calls, 1);
}

TEST(ConsumerLoop, CountConsumedPerTopic) {
  prometheus::Registry registry;
  FlakySink sink;
  ConsumerLoop loop(nullptr, sink, registry, FastOptions());
  loop.CountConsumed({{.topic = "sales"}, {.topic = "sales"}, {.topic = "feedback"}});
  EXPECT_EQ(CounterValue(registry, "consort_events_consumed_total", {{"topic", "sales"}}), 2);
  EXPECT_EQ(CounterValue(registry, "consort_events_consumed_total", {{"topic", "feedback"}}), 1);
}

TEST(GroupMembershipOverrides, StaticWithInstanceId) {
  std::map<std::string, std::string> overrides = GroupMembershipOverrides("incentive-0");
  EXPECT_EQ(overrides["group.instance.id"], "incentive-0");
  EXPECT_EQ(overrides["session.timeout.ms"], "10000");
}

TEST(GroupMembershipOverrides, DynamicWithoutInstanceId) {
  EXPECT_FALSE(GroupMembershipOverrides("").contains("group.instance.id"));
}

}  // namespace
}  // namespace consort::consumer
