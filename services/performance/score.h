#pragma once

// The composite score of a scorecard: the adapter between the performance service's totals and
// the shared scorecard rules in libs/scorecard. Default weights: attainment 50, rating 30,
// complaints 20, with the complaint rate taken as complaints / orders.
//
// Thread safety: pure function, any thread.

#include <string>
#include <vector>

#include "consort/performance/v1/performance.pb.h"

namespace consort::performance {

struct ScorecardTotals;

struct ScoreResult {
  // Composite score from 0 to 100 with two decimals; empty while no score can be computed.
  std::string score;
  std::vector<consort::performance::v1::KpiContribution> contributions;
};

ScoreResult ComputeScore(const ScorecardTotals& totals);

}  // namespace consort::performance
