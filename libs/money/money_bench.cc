// Microbenchmarks of the money primitives that every commission line uses.
#include "benchmark/benchmark.h"
#include "money/allocation.h"
#include "money/money.h"

namespace consort::money {
namespace {

void BM_ParseAmount(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Money::Parse("12345.67", "EUR"));
  }
}
BENCHMARK(BM_ParseAmount);

void BM_MultiplyByRate(benchmark::State& state) {
  Money amount = Money::Parse("12345.67", "EUR").value();
  Rate rate = Rate::Parse("7.5%").value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(amount);
    benchmark::DoNotOptimize(MultiplyByRate(amount, rate, RoundingMode::kHalfUp));
  }
}
BENCHMARK(BM_MultiplyByRate);

void BM_SplitEqually(benchmark::State& state) {
  Money amount = Money::Parse("100.00", "EUR").value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(SplitEqually(amount, 3));
  }
}
BENCHMARK(BM_SplitEqually);

}  // namespace
}  // namespace consort::money
