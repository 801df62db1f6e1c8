#pragma once

// The composite score of a scorecard: the adapter between the performance service's totals and
// the shared scorecard rules of libs/scorecard, with their default definition (attainment 50,
// rating 30, complaints 20; complaint rate = complaints / orders). A KPI without data (no target,
// no feedback, no orders) contributes 0 and the other weights are scaled up to add up to 100.
//
// Thread safety: pure function, any thread.

#include <cstdint>
#include <string>
#include <vector>

#include "consort/performance/v1/performance.pb.h"

namespace consort::performance {

struct ScorecardTotals;

struct ScoreResult {
  // Composite score from 0 to 100 with two decimals ("71.50"); empty when it cannot be computed
  // (a currency that the money library does not know).
  std::string score;
  // The same score in hundredths of a point, or -1 when `score` is empty.
  int64_t score_hundredths = -1;
  std::vector<consort::performance::v1::KpiContribution> contributions;
};

ScoreResult ComputeScore(const ScorecardTotals& totals);

}  // namespace consort::performance
