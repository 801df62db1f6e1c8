// Kills the performance service with SIGKILL while it consumes a stream of sales and feedback,
// restarts it, and checks that every scorecard is exact: nothing lost, nothing counted twice.
// Also stops it with SIGTERM and checks the same.

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "performance_test_stack.h"

namespace consort::performance::testing {
namespace {

constexpr int kPartners = 4;

struct Expected {
  int64_t gross_minor = 0;
  int64_t orders = 0;
  int64_t items = 0;
  int64_t feedback = 0;
  int64_t rating_sum = 0;
  int64_t complaints = 0;
};

class PerformanceRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!consort::testing::HasTestInfrastructure()) {
      GTEST_SKIP() << consort::testing::MissingInfrastructureMessage();
    }
    stack_ = PerformanceStack::Start();
    ASSERT_NE(stack_, nullptr);
    const std::string suffix = consort::testing::UniqueSuffix();
    for (int i = 0; i < kPartners; ++i) {
      partners_.push_back(absl::StrCat("restart-", i, "-", suffix));
      ASSERT_NO_FATAL_FAILURE(stack_->AddPartner(partners_.back()));
    }
  }

  // Produces `count` sales and count / 4 feedback events, spread over the partners and two
  // months, in chunks, while the test kills and restarts the service. Every event is sent twice
  // with a 1-in-10 chance, as a relay does after a crash. Fills `expected_`.
  void ProduceStream(int count, absl::Duration spread) {
    RawProducer producer(consort::testing::KafkaBootstrap());
    const std::string sales_topic = stack_->topic("consort.sales.v1");
    const std::string feedback_topic = stack_->topic("consort.feedback.v1");
    const PastMonth months[] = {MonthsBack(1), MonthsBack(2)};
    const int chunks = 20;
    for (int i = 0; i < count; ++i) {
      const std::string& partner = partners_[i % kPartners];
      const PastMonth& month = months[(i / kPartners) % 2];
      const int64_t amount = 100 + (i % 997);
      // Every third sale shares its order with the sale before it of the same scorecard.
      const std::string order = absl::StrCat("o-", i - ((i / 8) % 3 == 0 ? 8 : 0));
      events::v1::SaleEvent sale =
          SaleEventOf(absl::StrCat(partner, "-s", i), partner, amount, order, month.mid_month);
      const int copies = i % 10 == 3 ? 2 : 1;
      for (int copy = 0; copy < copies; ++copy) {
        producer.Send(sales_topic, partner, sale.SerializeAsString());
      }
      Expected& expected = expected_[{partner, month.label}];
      expected.gross_minor += amount;
      ++expected.items;
      orders_[{partner, month.label}].insert(order);

      if (i % 4 == 0) {
        events::v1::FeedbackEvent feedback;
        feedback.mutable_meta()->set_event_id(absl::StrCat("fe-", i));
        *feedback.mutable_meta()->mutable_event_time() = ToProtoTimestamp(month.mid_month);
        feedback.set_feedback_id(absl::StrCat(partner, "-f", i));
        feedback.set_partner_id(partner);
        feedback.set_rating(1 + i % 5);
        feedback.set_complaint(1 + i % 5 <= 2);
        for (int copy = 0; copy < copies; ++copy) {
          producer.Send(feedback_topic, partner, feedback.SerializeAsString());
        }
        ++expected.feedback;
        expected.rating_sum += feedback.rating();
        if (feedback.complaint()) ++expected.complaints;
      }
      if ((i + 1) % (count / chunks) == 0) {
        producer.Flush();
        absl::SleepFor(spread / chunks);
      }
    }
    producer.Flush();
    for (auto& [key, expected] : expected_) {
      expected.orders = static_cast<int64_t>(orders_[key].size());
    }
  }

  void ExpectExactTotals() {
    ASSERT_TRUE(stack_->WaitCaughtUp(absl::Seconds(120)));
    for (const auto& [key, expected] : expected_) {
      const auto& [partner, period] = key;
      v1::Scorecard card;
      grpc::Status status = stack_->GetScorecard(partner, period, &card);
      ASSERT_TRUE(status.ok()) << partner << " " << period << ": " << status.error_message();
      EXPECT_EQ(card.gross_sales().amount(),
                absl::StrFormat("%d.%02d", expected.gross_minor / 100, expected.gross_minor % 100))
          << partner << " " << period;
      EXPECT_EQ(card.orders(), expected.orders) << partner << " " << period;
      EXPECT_EQ(card.items(), expected.items) << partner << " " << period;
      EXPECT_EQ(card.feedback_count(), expected.feedback) << partner << " " << period;
      EXPECT_EQ(card.complaints(), expected.complaints) << partner << " " << period;
    }
  }

  std::unique_ptr<PerformanceStack> stack_;
  std::vector<std::string> partners_;
  std::map<std::pair<std::string, std::string>, Expected> expected_;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> orders_;
};

TEST_F(PerformanceRestartTest, SigkillMidStreamKeepsExactTotals) {
  std::atomic<bool> produced{false};
  std::thread producer([&] {
    ProduceStream(40'000, absl::Seconds(8));
    produced = true;
  });

  // Kill the service three times while the stream flows, each time after it has stored some of
  // the stream, and restart it at once.
  int kills = 0;
  int64_t stored_before_first_kill = 0;
  for (int round = 0; round < 3 && !produced; ++round) {
    absl::SleepFor(absl::Milliseconds(1500));
    if (round == 0) {
      const common::v1::ConsumerProgress progress = stack_->Progress();
      for (const common::v1::PartitionProgress& partition : progress.partitions()) {
        stored_before_first_kill += std::max<int64_t>(partition.next_offset(), 0);
      }
    }
    const absl::Status restarted = stack_->stack().Restart("performance", SIGKILL);
    EXPECT_TRUE(restarted.ok()) << restarted;
    if (!restarted.ok()) break;
    stack_->Connect();
    ++kills;
  }
  producer.join();
  EXPECT_GE(kills, 1);
  // The first kill came after the service had stored part of the stream.
  EXPECT_GT(stored_before_first_kill, 0);
  ExpectExactTotals();
}

TEST_F(PerformanceRestartTest, SigtermMidStreamKeepsExactTotals) {
  std::thread producer([&] { ProduceStream(8'000, absl::Seconds(3)); });
  absl::SleepFor(absl::Seconds(1));
  const absl::Status stopped = stack_->stack().Stop("performance", SIGTERM);
  producer.join();
  ASSERT_TRUE(stopped.ok()) << stopped;
  ASSERT_TRUE(stack_->stack().StartAgain("performance").ok());
  stack_->Connect();
  ExpectExactTotals();
}

}  // namespace
}  // namespace consort::performance::testing

namespace consort::performance::testing {
namespace {

TEST(PerformanceProgressTest, EmptyTopicsCountAsCaughtUp) {
  if (!consort::testing::HasTestInfrastructure()) {
    GTEST_SKIP() << consort::testing::MissingInfrastructureMessage();
  }
  std::unique_ptr<PerformanceStack> stack = PerformanceStack::Start();
  ASSERT_NE(stack, nullptr);
  EXPECT_TRUE(stack->WaitCaughtUp(absl::Seconds(30)));
  const common::v1::ConsumerProgress progress = stack->Progress();
  EXPECT_GT(progress.partitions_size(), 0);
  for (const common::v1::PartitionProgress& partition : progress.partitions()) {
    EXPECT_EQ(partition.next_offset(), 0) << partition.topic() << ":" << partition.partition();
    EXPECT_EQ(partition.high_watermark(), 0) << partition.topic() << ":" << partition.partition();
  }
}

}  // namespace
}  // namespace consort::performance::testing
