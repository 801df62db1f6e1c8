// Properties of the statement engine over random plans and event sequences.
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commission/statement.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace consort::commission {
namespace {

using testing::At;
using testing::M;
using testing::Month;
using testing::MustParsePlan;

constexpr int kRounds = 300;

std::string RandomPlanText(std::mt19937_64& random) {
  auto pick = [&](int n) { return static_cast<int>(random() % n); };
  std::string text = "currency EUR\n";
  absl::StrAppend(&text, "rounding ",
                  std::vector<std::string>{"half-up", "half-even", "down"}[pick(3)], "\n");
  if (pick(2) == 0) {
    absl::StrAppend(&text, "rate ", pick(30), ".", pick(10), "%\n");
  } else {
    absl::StrAppend(&text, "band_mode ", pick(2) == 0 ? "marginal" : "retroactive", "\n");
    absl::StrAppend(&text, "band 0 1000.00 ", pick(10), "%\nband 1000.00 2500.00 ", pick(15),
                    "%\nband 2500.00 + ", pick(20), ".5%\n");
  }
  if (pick(2) == 0) absl::StrAppend(&text, "category books ", pick(10), ".25%\n");
  bool has_target = pick(2) == 0;
  if (has_target) {
    absl::StrAppend(&text, "target ", 500 + pick(3000), ".00\n");
    if (pick(2) == 0) absl::StrAppend(&text, "accelerator 1.", pick(10), "\n");
    if (pick(2) == 0)
      absl::StrAppend(&text, "bonus 80% 50.00\nbonus 100% 75.50\nbonus 150% 99.99\n");
  }
  if (pick(3) == 0) absl::StrAppend(&text, "cap ", 50 + pick(300), ".00\n");
  if (pick(2) == 0) {
    absl::StrAppend(&text, "pool ", pick(20), ".3%\n");
    if (pick(2) == 0) absl::StrAppend(&text, "pool_share p-a 33.3%\npool_share p-b 66.7%\n");
  }
  return text;
}

// Sales over January to March with refunds and amendments that may come months later.
std::vector<Event> RandomEvents(std::mt19937_64& random) {
  auto pick = [&](int n) { return static_cast<int>(random() % n); };
  std::vector<Event> events;
  int sales = 1 + pick(12);
  for (int i = 0; i < sales; ++i) {
    absl::Time time = At(2024, 1 + pick(3), 1 + pick(28), pick(24));
    int64_t amount = 1 + pick(200000);
    Event sale = testing::Sale(absl::StrCat("s", i), time,
                               money::Money::FromMinor(amount, *money::FindCurrency("EUR")));
    if (pick(4) == 0) sale.category = "books";
    if (pick(3) == 0) sale.co_sellers = {"p-a", "p-b", "p-c"};
    events.push_back(sale);

    if (pick(4) == 0) {
      amount = pick(300000);
      events.push_back(testing::Amendment(
          absl::StrCat("a", i), time + absl::Hours(1 + pick(24 * 60)),
          money::Money::FromMinor(amount, *money::FindCurrency("EUR")), sale.event_id));
    }
    int64_t refundable = amount;
    for (int r = 0; r < pick(4) && refundable > 0; ++r) {
      int64_t refund = 1 + static_cast<int64_t>(random() % refundable);
      refundable -= refund;
      events.push_back(testing::Refund(
          absl::StrCat("r", i, "-", r), time + absl::Hours(24 * 60 + 1 + pick(24 * 30)),
          money::Money::FromMinor(refund, *money::FindCurrency("EUR")), sale.event_id));
    }
  }
  return events;
}

std::string Render(const Statement& statement) {
  std::string out;
  for (const StatementLine& line : statement.lines) {
    absl::StrAppend(&out, line.partner_id, " ", line.source_period, " ", line.key, " ", line.rule,
                    " ", line.base.ToString(), " ", line.rate.ToString(), " ",
                    line.amount.ToString(), " ", line.previously_issued.ToString(), " ",
                    line.adjustment, " [");
    for (const std::string& id : line.event_ids) absl::StrAppend(&out, id, ",");
    absl::StrAppend(&out, "]\n");
  }
  for (const PartnerTotal& total : statement.totals) {
    absl::StrAppend(&out, total.partner_id, " total ", total.total.ToString(), " payable ",
                    total.payable.ToString(), " forward ", total.carried_forward.ToString(), "\n");
  }
  return out;
}

absl::StatusOr<Statement> Compute(const Plan& plan, std::string_view month,
                                  const std::vector<Event>& events,
                                  const std::vector<StatementLine>& issued) {
  StatementRequest request{&plan, "partner-1", Month(month), events, issued, {}};
  return ComputeStatement(request);
}

using LineKey = std::tuple<std::string, std::string, std::string>;  // period, partner, key

std::map<LineKey, int64_t> SumByKey(const std::vector<StatementLine>& lines) {
  std::map<LineKey, int64_t> sums;
  for (const StatementLine& line : lines) {
    sums[{line.source_period, line.partner_id, line.key}] += line.amount.minor_units();
  }
  return sums;
}

class StatementPropertyTest : public ::testing::Test {
 protected:
  // Amendments can lower a sale below its refunds; such sequences are invalid input and skipped.
  bool NextCase(Plan& plan, std::vector<Event>& events) {
    plan = MustParsePlan(RandomPlanText(random_));
    events = RandomEvents(random_);
    bool valid = Compute(plan, "2024-06", events, {}).ok();
    valid_cases_ += valid;
    return valid;
  }

  // Guards against a generator whose cases are all skipped.
  void TearDown() override { EXPECT_GT(valid_cases_, kRounds / 2); }

  std::mt19937_64 random_{20240517};
  int valid_cases_ = 0;
};

// Computes the statements of January to May in turn, as the incentive service would, each with
// the lines of the statements before it as issued.
std::vector<Statement> ComputeMonthly(const Plan& plan, const std::vector<Event>& events) {
  std::vector<Statement> statements;
  std::vector<StatementLine> issued;
  for (std::string_view month : {"2024-01", "2024-02", "2024-03", "2024-04", "2024-05"}) {
    statements.push_back(Compute(plan, month, events, issued).value());
    issued.insert(issued.end(), statements.back().lines.begin(), statements.back().lines.end());
  }
  return statements;
}

TEST_F(StatementPropertyTest, LinesSumToTheTotals) {
  Plan plan;
  std::vector<Event> events;
  for (int round = 0; round < kRounds; ++round) {
    if (!NextCase(plan, events)) continue;
    for (const Statement& statement : ComputeMonthly(plan, events)) {
      std::map<std::string, int64_t> sums;
      for (const StatementLine& line : statement.lines) {
        sums[line.partner_id] += line.amount.minor_units();
      }
      for (const PartnerTotal& total : statement.totals) {
        ASSERT_EQ(total.total.minor_units(), sums[total.partner_id]) << round;
        ASSERT_EQ(total.payable.minor_units() + total.carried_forward.minor_units(),
                  total.total.minor_units() + total.carried_in.minor_units());
      }
    }
  }
}

TEST_F(StatementPropertyTest, RefundsNeverReverseMoreThanEarned) {
  Plan plan;
  std::vector<Event> events;
  for (int round = 0; round < kRounds; ++round) {
    if (!NextCase(plan, events)) continue;
    std::vector<StatementLine> issued;
    for (const Statement& statement : ComputeMonthly(plan, events)) {
      issued.insert(issued.end(), statement.lines.begin(), statement.lines.end());
      for (const auto& [key, sum] : SumByKey(issued)) {
        // What a sale or a pool share has paid in all never drops below zero.
        const std::string& line_key = std::get<2>(key);
        if (line_key.starts_with("sale/") || line_key.starts_with("pool/")) {
          ASSERT_GE(sum, 0) << round << " " << line_key;
        }
      }
    }
  }
}

TEST_F(StatementPropertyTest, IncrementalEqualsOneRecomputation) {
  Plan plan;
  std::vector<Event> events;
  for (int round = 0; round < kRounds; ++round) {
    if (!NextCase(plan, events)) continue;
    std::vector<StatementLine> issued;
    for (const Statement& statement : ComputeMonthly(plan, events)) {
      issued.insert(issued.end(), statement.lines.begin(), statement.lines.end());
    }
    Statement at_once = Compute(plan, "2024-05", events, {}).value();

    std::map<LineKey, int64_t> incremental = SumByKey(issued);
    std::map<LineKey, int64_t> recomputed = SumByKey(at_once.lines);
    std::erase_if(incremental, [](const auto& entry) { return entry.second == 0; });
    std::erase_if(recomputed, [](const auto& entry) { return entry.second == 0; });
    ASSERT_EQ(incremental, recomputed) << round;
  }
}

TEST_F(StatementPropertyTest, EventOrderDoesNotMatter) {
  Plan plan;
  std::vector<Event> events;
  for (int round = 0; round < kRounds; ++round) {
    if (!NextCase(plan, events)) continue;
    std::string expected = Render(Compute(plan, "2024-03", events, {}).value());
    for (int shuffle = 0; shuffle < 3; ++shuffle) {
      std::shuffle(events.begin(), events.end(), random_);
      ASSERT_EQ(Render(Compute(plan, "2024-03", events, {}).value()), expected) << round;
    }
  }
}

TEST_F(StatementPropertyTest, PoolSharesAddUpToThePoolCommission) {
  valid_cases_ = kRounds;
  Plan plan = MustParsePlan("currency EUR\nrate 1%\npool 7.3%\n");
  for (int round = 0; round < kRounds; ++round) {
    Event sale = testing::Sale(
        "s1", At(2024, 3, 1),
        money::Money::FromMinor(1 + random_() % 10'000'000, *money::FindCurrency("EUR")));
    for (size_t i = 0; i <= random_() % 7; ++i) sale.co_sellers.push_back(absl::StrCat("p", i));
    Statement statement = Compute(plan, "2024-03", {sale}, {}).value();
    int64_t shares = 0;
    for (const StatementLine& line : statement.lines) shares += line.amount.minor_units();
    money::Money pool = money::MultiplyByRate(sale.amount, plan.pool->rate, plan.rounding).value();
    ASSERT_EQ(shares, pool.minor_units()) << sale.amount.ToString();
  }
}

}  // namespace
}  // namespace consort::commission
