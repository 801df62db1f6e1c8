// Kills the incentive service with SIGKILL while it consumes a stream of sales and refunds,
// restarts it, and checks that every commission total is exact: nothing lost, nothing counted
// twice. Also stops it with SIGTERM mid-stream and checks the same.

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "incentive_test_stack.h"

namespace consort::incentive::testing {
namespace {

constexpr int kPartners = 4;

// Commission of `amount_minor` at 10%, rounded half-up to the minor unit, computed here without
// the service's code.
int64_t TenPercent(int64_t amount_minor) { return (amount_minor + 5) / 10; }

std::string Format(int64_t minor) {
  const char* sign = minor < 0 ? "-" : "";
  const int64_t magnitude = minor < 0 ? -minor : minor;
  return absl::StrFormat("%s%d.%02d", sign, magnitude / 100, magnitude % 100);
}

class IncentiveRestartTest : public IncentiveStackTest {
 protected:
  void SetUp() override {
    IncentiveStackTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const std::string suffix = consort::testing::UniqueSuffix();
    for (int i = 0; i < kPartners; ++i) {
      partners_.push_back(absl::StrCat("restart-", i, "-", suffix));
      ASSERT_NO_FATAL_FAILURE(CreatePartner(partners_.back(), "10%"));
    }
  }

  // Produces `count` sales over the partners and two months, in chunks spread over `spread`.
  // Every third sale is refunded in two parts, the first in the same month and the rest in the
  // next, so that both reversal cases run. One event in ten is sent twice, as a relay does after
  // a crash. Fills `expected_` by hand-computing each commission.
  void ProduceStream(int count, absl::Duration spread) {
    RawProducer producer(consort::testing::KafkaBootstrap());
    const absl::Time months[] = {SaoPaulo(2024, 3, 15), SaoPaulo(2024, 4, 15)};
    const char* labels[] = {"2024-03", "2024-04"};
    const int chunks = 20;
    int64_t sent = 0;
    auto send = [&](const std::string& partner, const events::v1::SaleEvent& event, int copies) {
      for (int copy = 0; copy < copies; ++copy) {
        producer.Send(SalesTopic(), partner, event.SerializeAsString());
        ++sent;
      }
    };

    for (int i = 0; i < count; ++i) {
      const std::string& partner = partners_[i % kPartners];
      const int month = (i / kPartners) % 2;
      const int64_t amount = 101 + (i % 997);
      const std::string sale_id = absl::StrCat(partner, "-s", i);
      const int copies = i % 10 == 3 ? 2 : 1;
      send(partner, SaleEventOf(sale_id, partner, amount, months[month]), copies);
      const int64_t commission = TenPercent(amount);
      expected_[{partner, labels[month]}] += commission;

      if (i % 3 == 0) {
        // A partial refund in the sale's month, then the rest one month later (or in the same
        // month for April sales).
        const int64_t first = amount / 3;
        const int64_t first_reversal = std::min(TenPercent(first), commission);
        send(partner, SaleEventOf(sale_id + "-r1", partner, first, months[month], sale_id), 1);
        expected_[{partner, labels[month]}] -= first_reversal;

        const int later = std::min(month + 1, 1);
        send(partner, SaleEventOf(sale_id + "-r2", partner, amount - first, months[later], sale_id),
             copies);
        expected_[{partner, labels[later]}] -= commission - first_reversal;
      }
      if ((i + 1) % (count / chunks) == 0) {
        producer.Flush();
        absl::SleepFor(spread / chunks);
      }
    }
    producer.Flush();
    events_produced_ += sent;
  }

  void ExpectExactTotals() {
    ASSERT_TRUE(WaitCaughtUp(absl::Seconds(180)));
    std::map<std::string, std::string> totals = Totals();
    for (const auto& [key, expected] : expected_) {
      const auto& [partner, period] = key;
      EXPECT_EQ(totals[absl::StrCat(partner, " ", period)], Format(expected))
          << partner << " " << period;
    }
    EXPECT_EQ(Progress().dead_lettered(), 0);
  }

  std::vector<std::string> partners_;
  std::map<std::pair<std::string, std::string>, int64_t> expected_;
};

TEST_F(IncentiveRestartTest, SigkillMidStreamKeepsExactTotals) {
  std::atomic<bool> produced{false};
  std::thread producer([&] {
    ProduceStream(20'000, absl::Seconds(8));
    produced = true;
  });

  // Kill the service while the stream flows, each time after it has stored part of it, and
  // restart it at once.
  int kills = 0;
  int64_t stored_at_last_kill = 0;
  for (int round = 0; round < 3 && !produced; ++round) {
    // Wait until this process has stored events of its own.
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (StoredEvents() <= stored_at_last_kill && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(100));
    }
    absl::SleepFor(absl::Milliseconds(300));
    if (produced) break;
    stored_at_last_kill = StoredEvents();
    ASSERT_TRUE(stack_->Restart("incentive", SIGKILL).ok());
    Connect();
    ++kills;
  }
  producer.join();
  EXPECT_GE(kills, 1);
  ExpectExactTotals();
}

TEST_F(IncentiveRestartTest, SigtermMidStreamKeepsExactTotals) {
  std::atomic<bool> produced{false};
  std::thread producer([&] {
    ProduceStream(8'000, absl::Seconds(4));
    produced = true;
  });

  absl::SleepFor(absl::Seconds(1));
  consort::testing::ServiceProcess& incentive = stack_->service("incentive");
  incentive.Signal(SIGTERM);
  absl::StatusOr<int> exit_code = incentive.WaitForExit(absl::Seconds(60));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << incentive.LogTail();
  // StartAgain replaces the exited process with a new one on the same ports.
  ASSERT_TRUE(stack_->StartAgain("incentive").ok());
  Connect();

  producer.join();
  ExpectExactTotals();
}

}  // namespace
}  // namespace consort::incentive::testing
