// Microbenchmarks of the statement engine. Items are statement lines (or events where noted), so
// items_per_second is the throughput compared with the target of 5 million lines per second.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "commission/plan_text.h"
#include "commission/statement.h"

namespace consort::commission {
namespace {

const money::Currency& Eur() { return *money::FindCurrency("EUR"); }

period::Period March() { return period::ParseMonth("2024-03", absl::UTCTimeZone()).value(); }

// `count` sales spread over March 2024, with ids "s<n>" and amounts from 1.00 to 999.99.
std::vector<Event> MarchSales(int count) {
  std::vector<Event> events;
  events.reserve(count);
  absl::Time start = March().start;
  for (int i = 0; i < count; ++i) {
    events.push_back(Event{.event_id = absl::StrCat("s", i),
                           .kind = EventKind::kSale,
                           .event_time = start + absl::Seconds(i % (30 * 24 * 3600)),
                           .amount = money::Money::FromMinor(100 + (i * 7919) % 99900, Eur()),
                           .original_event_id = "",
                           .category = i % 10 == 0 ? "books" : "",
                           .co_sellers = {},
                           .exchange_rate = std::nullopt});
  }
  return events;
}

void RunStatement(benchmark::State& state, const Plan& plan, const std::vector<Event>& events,
                  const std::vector<StatementLine>& issued, bool count_events) {
  StatementRequest request{&plan, "partner-1", March(), events, issued, {}};
  size_t items = 0;
  for (auto _ : state) {
    absl::StatusOr<Statement> statement = ComputeStatement(request);
    if (!statement.ok()) {
      state.SkipWithError(std::string(statement.status().message()).c_str());
      return;
    }
    items += count_events ? events.size() : statement->lines.size();
    benchmark::DoNotOptimize(statement);
  }
  state.SetItemsProcessed(static_cast<int64_t>(items));
}

// One line per sale at a flat rate, with a category override on every tenth sale.
void BM_FlatRateLines(benchmark::State& state) {
  Plan plan = ParsePlan("currency EUR\nrate 4%\ncategory books 2.5%\n").value();
  RunStatement(state, plan, MarchSales(static_cast<int>(state.range(0))), {}, false);
}
BENCHMARK(BM_FlatRateLines)->Arg(100)->Arg(10'000)->Arg(100'000);

// A sale line per sale plus accelerator, cap and bonus lines.
void BM_FlatRateWithTargetLines(benchmark::State& state) {
  Plan plan = ParsePlan(
                  "currency EUR\nrate 4%\ntarget 100000.00\naccelerator 1.5\ncap 900000.00\n"
                  "bonus 100% 500.00\n")
                  .value();
  RunStatement(state, plan, MarchSales(static_cast<int>(state.range(0))), {}, false);
}
BENCHMARK(BM_FlatRateWithTargetLines)->Arg(10'000);

// Recomputing a statement that was already issued, after a refund of every tenth sale: one
// clawback line per refund. Items are events.
void BM_RecomputeAfterRefunds(benchmark::State& state) {
  Plan plan = ParsePlan("currency EUR\nrate 4%\n").value();
  std::vector<Event> events = MarchSales(static_cast<int>(state.range(0)));
  StatementRequest first{&plan, "partner-1", March(), events, {}, {}};
  std::vector<StatementLine> issued = ComputeStatement(first)->lines;
  size_t sales = events.size();
  for (size_t i = 0; i < sales; i += 10) {
    events.push_back(Event{.event_id = absl::StrCat("r", i),
                           .kind = EventKind::kRefund,
                           .event_time = events[i].event_time + absl::Minutes(1),
                           .amount = money::Money::FromMinor(50, Eur()),
                           .original_event_id = events[i].event_id,
                           .category = "",
                           .co_sellers = {},
                           .exchange_rate = std::nullopt});
  }
  RunStatement(state, plan, events, issued, true);
}
BENCHMARK(BM_RecomputeAfterRefunds)->Arg(10'000);

// Marginal bands: a few band lines from many sales. Items are events.
void BM_MarginalBandEvents(benchmark::State& state) {
  Plan plan = ParsePlan(
                  "currency EUR\nband 0 100000.00 5%\nband 100000.00 1000000.00 7%\n"
                  "band 1000000.00 + 10%\n")
                  .value();
  RunStatement(state, plan, MarchSales(static_cast<int>(state.range(0))), {}, true);
}
BENCHMARK(BM_MarginalBandEvents)->Arg(10'000);

void BM_ParsePlan(benchmark::State& state) {
  const std::string text =
      "currency EUR\nband_mode marginal\nband 0 10000.00 5%\nband 10000.00 25000.00 7%\n"
      "band 25000.00 + 10%\ncategory books 2%\ntarget 20000.00\naccelerator 1.5\ncap 2000.00\n"
      "bonus 100% 500.00\nbonus 120% 1200.00\n";
  for (auto _ : state) benchmark::DoNotOptimize(ParsePlan(text));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePlan);

}  // namespace
}  // namespace consort::commission
