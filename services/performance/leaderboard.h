#pragma once

// Leaderboard order: partners ranked by composite score (highest first, a scorecard without a
// score last), then by net sales (highest first), then by partner id. Used by GetLeaderboard and
// by the consort_leaderboard_score gauge. Pure functions; any thread.

#include <cstdint>
#include <string>
#include <vector>

#include "performance/aggregation.h"
#include "performance/score.h"

namespace consort::performance {

struct RankedScorecard {
  ScorecardTotals totals;
  ScoreResult score;
};

std::vector<RankedScorecard> RankScorecards(std::vector<ScorecardTotals> scorecards);

}  // namespace consort::performance
