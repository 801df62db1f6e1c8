// Microbenchmark of ComputeScorecard, compared with the target of 2 million scorecards per second.
#include <vector>

#include "benchmark/benchmark.h"
#include "scorecard/scorecard.h"

namespace consort::scorecard {
namespace {

void BM_ComputeScorecard(benchmark::State& state) {
  const money::Currency& eur = *money::FindCurrency("EUR");
  Definition definition = state.range(0) == 3
                              ? DefaultDefinition()
                              : Definition{{{Kpi::kAttainment, 30},
                                            {Kpi::kMarketShare, 10},
                                            {Kpi::kRating, 25},
                                            {Kpi::kComplaints, 20},
                                            {Kpi::kGrowth, 15}},
                                           ScoringRules{},
                                           {{"bronze", Points::FromHundredths(5000)},
                                            {"silver", Points::FromHundredths(7000)},
                                            {"gold", Points::FromHundredths(8500)}}};

  // Distinct inputs, so that no branch or division is predicted from the previous call.
  std::vector<Inputs> inputs(1024);
  for (size_t i = 0; i < inputs.size(); ++i) {
    int64_t n = static_cast<int64_t>(i);
    inputs[i].net_sales = money::Money::FromMinor(1'000'000 + n * 7919, eur);
    inputs[i].target = money::Money::FromMinor(2'000'000, eur);
    inputs[i].market_net_sales = money::Money::FromMinor(9'000'000 + n, eur);
    inputs[i].previous_net_sales = money::Money::FromMinor(1'500'000 - n * 13, eur);
    inputs[i].rating_count = 10 + n % 50;
    inputs[i].rating_sum = inputs[i].rating_count * 3 + n % 40;
    inputs[i].orders = 100 + n;
    inputs[i].complaints = n % 17;
  }

  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ComputeScorecard(definition, inputs[next]));
    next = (next + 1) % inputs.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ComputeScorecard)->Arg(3)->Arg(5);

}  // namespace
}  // namespace consort::scorecard
