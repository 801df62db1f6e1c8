#include "performance/score.h"

#include "money/money.h"
#include "performance/aggregation.h"
#include "scorecard/scorecard.h"

namespace consort::performance {

ScoreResult ComputeScore(const ScorecardTotals& totals) {
  static const scorecard::Definition* const kDefinition =
      new scorecard::Definition(scorecard::DefaultDefinition());

  const money::Currency* currency = money::FindCurrency(totals.currency);
  if (currency == nullptr) return ScoreResult{};

  scorecard::Inputs inputs;
  inputs.net_sales = money::Money::FromMinor(totals.net_minor(), *currency);
  if (totals.target_minor > 0) {
    inputs.target = money::Money::FromMinor(totals.target_minor, *currency);
  }
  inputs.rating_sum = totals.rating_sum;
  inputs.rating_count = totals.feedback_count;
  inputs.complaints = totals.complaints;
  inputs.orders = totals.orders;
  absl::StatusOr<scorecard::Scorecard> card = scorecard::ComputeScorecard(*kDefinition, inputs);
  if (!card.ok()) return ScoreResult{};

  ScoreResult result;
  result.score = card->score.ToString();
  result.score_hundredths = card->score.hundredths();
  for (int i = 0; i < card->contribution_count; ++i) {
    const scorecard::Contribution& source = card->contributions[i];
    v1::KpiContribution& contribution = result.contributions.emplace_back();
    contribution.set_kpi(std::string(scorecard::KpiName(source.kpi)));
    contribution.set_weight(source.weight);
    contribution.set_kpi_score(source.kpi_score.ToString());
    contribution.set_contribution(source.contribution.ToString());
  }
  return result;
}

}  // namespace consort::performance
