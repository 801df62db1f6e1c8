// Partner scorecards: KPI scores from a period's aggregates, a weighted composite score from 0 to
// 100 with each KPI's contribution, and the tier that the score reaches.
//
// The performance service calls ComputeScorecard for a partner and period whenever its
// aggregates change, and the contract service stores a Definition per contract to override the
// default weights, scoring rules and tiers.
//
// Arithmetic is exact: each KPI score is a fraction of integers, and each displayed number (KPI
// score, contribution) is rounded once, half-up, to hundredths of a point. The composite score
// is the sum of the displayed contributions, so the contributions always add up to the score.
//
// Thread safety: immutable value types and pure functions. A Scorecard points into the
// Definition it was computed with, which must outlive it.
#ifndef CONSORT_SCORECARD_SCORECARD_H_
#define CONSORT_SCORECARD_SCORECARD_H_

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "money/money.h"

namespace consort::scorecard {

// A score in hundredths of a point: 71.5 is 7150.
class Points {
 public:
  static constexpr int64_t kScale = 100;

  // Parses "85", "71.5" or "71.50". Returns InvalidArgument for malformed text, more than two
  // decimals, or a value outside -1,000,000 to 1,000,000.
  static absl::StatusOr<Points> Parse(std::string_view text);
  static constexpr Points FromHundredths(int64_t hundredths) { return Points(hundredths); }

  constexpr Points() = default;

  constexpr int64_t hundredths() const { return hundredths_; }
  // Formats with two decimals: "71.50", "100.00".
  std::string ToString() const;

  friend constexpr auto operator<=>(const Points&, const Points&) = default;

 private:
  constexpr explicit Points(int64_t hundredths) : hundredths_(hundredths) {}

  int64_t hundredths_ = 0;
};

enum class Kpi {
  // Net sales over the period's target.
  kAttainment,
  // Net sales over the net sales of the whole market in the partner's region and category.
  kMarketShare,
  // Average customer rating.
  kRating,
  // Complaints per order.
  kComplaints,
  // Net sales against the previous period's.
  kGrowth,
};
inline constexpr int kKpiCount = 5;

// Returns "attainment", "market_share", "rating", "complaints" or "growth".
std::string_view KpiName(Kpi kpi);

// Parameters of the KPI scoring functions. Each KPI score is clamped to 0 to 100.
struct ScoringRules {
  // attainment a scores min(a, attainment_cap) / attainment_cap * 100; above 0 and at most 10.
  money::Rate attainment_cap = money::Rate::FromUnits(1'200'000'000'000);  // 120%
  // A market share s scores min(s, market_share_cap) / market_share_cap * 100; above 0 and at
  // most 1.
  money::Rate market_share_cap = money::Rate::One();
  // An average rating r scores (r - rating_min) / (rating_max - rating_min) * 100; 0 to 100.
  money::Rate rating_min = money::Rate::FromUnits(1'000'000'000'000);
  money::Rate rating_max = money::Rate::FromUnits(5'000'000'000'000);
  // A complaint rate c scores max(0, 1 - c / complaint_rate_limit) * 100; above 0 and at most 1.
  money::Rate complaint_rate_limit = money::Rate::FromUnits(100'000'000'000);  // 10%
  // Growth g = current / previous - 1 scores (g - growth_floor) / (growth_ceiling - growth_floor)
  // * 100, so with the defaults of -20% and +20% no growth scores 50. Both -100% to 1000%.
  money::Rate growth_floor = money::Rate::FromUnits(-200'000'000'000);
  money::Rate growth_ceiling = money::Rate::FromUnits(200'000'000'000);
};

// A KPI and its weight in percent.
struct KpiWeight {
  Kpi kpi;
  int weight;
};

// A named tier reached by scores of `min_score` or more.
struct Tier {
  std::string name;
  Points min_score;
};

// A scorecard's KPIs, scoring rules and tiers. Weights add up to 100, and tiers are ordered by
// strictly increasing min_score.
struct Definition {
  std::vector<KpiWeight> weights;
  ScoringRules rules;
  std::vector<Tier> tiers;
};

// Returns the default definition: attainment 50, rating 30, complaints 20, the default scoring
// rules, and no tiers.
Definition DefaultDefinition();

// Returns OK for a usable definition, else InvalidArgument naming the field, its value and what
// is allowed, for example "weights add up to 90, expected 100".
absl::Status ValidateDefinition(const Definition& definition);

// A partner's aggregates for one period. Amounts share one currency.
struct Inputs {
  // Net sales of the period (sales less refunds); needed by attainment, market share and growth.
  std::optional<money::Money> net_sales;
  // Target of the period; attainment has no data without a positive target.
  std::optional<money::Money> target;
  // Net sales of the market in the partner's region and category; market share has no data
  // without a positive value.
  std::optional<money::Money> market_net_sales;
  // Net sales of the previous period; growth has no data without a positive value.
  std::optional<money::Money> previous_net_sales;
  // Sum and count of customer ratings; rating has no data when the count is 0.
  int64_t rating_sum = 0;
  int64_t rating_count = 0;
  // Complaints and orders; complaints have no data when there are no orders.
  int64_t complaints = 0;
  int64_t orders = 0;
};

// One KPI's part of the score.
struct Contribution {
  Kpi kpi = Kpi::kAttainment;
  // Weight from the definition, in percent.
  int weight = 0;
  // False when the inputs lack what the KPI needs. Such a KPI scores and contributes 0, and the
  // weights of the KPIs with data are scaled up to add up to 100.
  bool has_data = false;
  // The KPI's own score, 0 to 100.
  Points kpi_score;
  // weight * exact KPI score / (sum of the weights of KPIs with data), 0 to 100.
  Points contribution;
};

struct Scorecard {
  // Sum of the contributions, 0 to 100; 0 when no KPI has data.
  Points score;
  // One per weighted KPI, in the definition's order; the first `contribution_count` are used.
  std::array<Contribution, kKpiCount> contributions;
  int contribution_count = 0;
  // Highest tier reached, or null when there are no tiers or none is reached. Points into the
  // Definition.
  const Tier* tier = nullptr;
};

// Computes a scorecard. The definition must be valid (see ValidateDefinition). Returns
// InvalidArgument for negative counts, counts above 10^15, or amounts in different currencies.
absl::StatusOr<Scorecard> ComputeScorecard(const Definition& definition, const Inputs& inputs);

}  // namespace consort::scorecard

#endif  // CONSORT_SCORECARD_SCORECARD_H_
