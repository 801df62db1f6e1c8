#include "performance/leaderboard.h"

#include <algorithm>

namespace consort::performance {

std::vector<RankedScorecard> RankScorecards(std::vector<ScorecardTotals> scorecards) {
  std::vector<RankedScorecard> ranked;
  ranked.reserve(scorecards.size());
  for (ScorecardTotals& totals : scorecards) {
    RankedScorecard entry;
    entry.score = ComputeScore(totals);
    entry.totals = std::move(totals);
    ranked.push_back(std::move(entry));
  }
  std::sort(ranked.begin(), ranked.end(), [](const RankedScorecard& a, const RankedScorecard& b) {
    if (a.score.score_hundredths != b.score.score_hundredths) {
      return a.score.score_hundredths > b.score.score_hundredths;
    }
    if (a.totals.net_minor() != b.totals.net_minor()) {
      return a.totals.net_minor() > b.totals.net_minor();
    }
    return a.totals.partner_id < b.totals.partner_id;
  });
  return ranked;
}

}  // namespace consort::performance
