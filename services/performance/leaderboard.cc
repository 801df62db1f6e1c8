#include "performance/leaderboard.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace consort::performance {

int64_t ScoreHundredths(const std::string& score) {
  if (score.empty()) return -1;
  std::vector<absl::string_view> parts = absl::StrSplit(score, '.');
  if (parts.size() > 2 || parts[0].empty()) return -1;
  int64_t whole = 0;
  if (!absl::SimpleAtoi(parts[0], &whole) || whole < 0) return -1;
  int64_t fraction = 0;
  if (parts.size() == 2) {
    absl::string_view digits = parts[1];
    if (digits.empty() || digits.size() > 2) return -1;
    for (char c : digits) {
      if (c < '0' || c > '9') return -1;
    }
    if (!absl::SimpleAtoi(digits, &fraction)) return -1;
    if (digits.size() == 1) fraction *= 10;
  }
  return whole * 100 + fraction;
}

std::vector<RankedScorecard> RankScorecards(std::vector<ScorecardTotals> scorecards) {
  std::vector<RankedScorecard> ranked;
  ranked.reserve(scorecards.size());
  for (ScorecardTotals& totals : scorecards) {
    RankedScorecard entry;
    entry.score = ComputeScore(totals);
    entry.score_hundredths = ScoreHundredths(entry.score.score);
    entry.totals = std::move(totals);
    ranked.push_back(std::move(entry));
  }
  std::sort(ranked.begin(), ranked.end(), [](const RankedScorecard& a, const RankedScorecard& b) {
    if (a.score_hundredths != b.score_hundredths) return a.score_hundredths > b.score_hundredths;
    if (a.totals.net_minor() != b.totals.net_minor()) {
      return a.totals.net_minor() > b.totals.net_minor();
    }
    return a.totals.partner_id < b.totals.partner_id;
  });
  return ranked;
}

}  // namespace consort::performance
