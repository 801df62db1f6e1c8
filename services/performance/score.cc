#include "performance/score.h"

#include "performance/aggregation.h"

namespace consort::performance {

ScoreResult ComputeScore(const ScorecardTotals& totals) {
  // TODO: call libs/scorecard (weights attainment 50, rating 30, complaints 20, complaint rate =
  // complaints / orders) once that library exists; until then every score is empty.
  return ScoreResult{};
}

}  // namespace consort::performance
