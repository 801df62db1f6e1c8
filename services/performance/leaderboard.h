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
  // The score in hundredths (87.50 is 8750), or -1 when there is no score.
  int64_t score_hundredths = -1;
};

// Parses a score with at most two decimals ("87.5", "87.50", "100") into hundredths; returns -1
// for an empty or malformed score.
int64_t ScoreHundredths(const std::string& score);

std::vector<RankedScorecard> RankScorecards(std::vector<ScorecardTotals> scorecards);

}  // namespace consort::performance
