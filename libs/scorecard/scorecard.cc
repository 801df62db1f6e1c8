#include "scorecard/scorecard.h"

#include <algorithm>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "money/decimal.h"

namespace consort::scorecard {
namespace {

using money::Money;
using money::Rate;

constexpr int64_t kMaxCount = 1'000'000'000'000'000;  // 10^15

// A KPI score of numerator / denominator points, 0 to 100, with a positive denominator.
struct Fraction {
  absl::int128 numerator;
  absl::int128 denominator;
};

// Returns 100 * clamp(value / denominator, 0, 1) as a fraction.
Fraction ClampedPercent(absl::int128 value, absl::int128 denominator) {
  absl::int128 clamped = std::clamp<absl::int128>(value, 0, denominator);
  return Fraction{clamped * 100, denominator};
}

// min(amount / base, cap) / cap * 100 = min(amount * 10^12, base * cap) / (base * cap) * 100.
Fraction CappedRatio(const Money& amount, const Money& base, const Rate& cap) {
  absl::int128 scaled = absl::int128(amount.minor_units()) * Rate::kScale;
  return ClampedPercent(scaled, absl::int128(base.minor_units()) * cap.units());
}

bool IsPositive(const std::optional<Money>& amount) {
  return amount.has_value() && amount->is_positive();
}

std::optional<Fraction> ScoreKpi(Kpi kpi, const ScoringRules& rules, const Inputs& inputs) {
  switch (kpi) {
    case Kpi::kAttainment:
      if (!inputs.net_sales.has_value() || !IsPositive(inputs.target)) return std::nullopt;
      return CappedRatio(*inputs.net_sales, *inputs.target, rules.attainment_cap);
    case Kpi::kMarketShare:
      if (!inputs.net_sales.has_value() || !IsPositive(inputs.market_net_sales)) {
        return std::nullopt;
      }
      return CappedRatio(*inputs.net_sales, *inputs.market_net_sales, rules.market_share_cap);
    case Kpi::kRating: {
      if (inputs.rating_count == 0) return std::nullopt;
      // (sum / count - min) / (max - min) = (sum * 10^12 - min * count) / ((max - min) * count).
      absl::int128 count = inputs.rating_count;
      absl::int128 above_min =
          absl::int128(inputs.rating_sum) * Rate::kScale - rules.rating_min.units() * count;
      absl::int128 range =
          absl::int128(rules.rating_max.units() - rules.rating_min.units()) * count;
      return ClampedPercent(above_min, range);
    }
    case Kpi::kComplaints: {
      if (inputs.orders == 0) return std::nullopt;
      // 1 - (complaints / orders) / limit = (orders * limit - complaints * 10^12) / (orders *
      // limit).
      absl::int128 scale = absl::int128(inputs.orders) * rules.complaint_rate_limit.units();
      absl::int128 remaining = scale - absl::int128(inputs.complaints) * Rate::kScale;
      return ClampedPercent(remaining, scale);
    }
    case Kpi::kGrowth: {
      if (!inputs.net_sales.has_value() || !IsPositive(inputs.previous_net_sales)) {
        return std::nullopt;
      }
      // (g - floor) / (ceiling - floor) with g = (current - previous) / previous, multiplied
      // through by previous * 10^12.
      absl::int128 previous = inputs.previous_net_sales->minor_units();
      absl::int128 growth =
          (absl::int128(inputs.net_sales->minor_units()) - previous) * Rate::kScale;
      absl::int128 above_floor = growth - previous * rules.growth_floor.units();
      absl::int128 range =
          previous * (absl::int128(rules.growth_ceiling.units()) - rules.growth_floor.units());
      return ClampedPercent(above_floor, range);
    }
  }
  return std::nullopt;
}

absl::Status Invalid(std::string_view field, std::string_view value, std::string_view allowed) {
  return absl::InvalidArgumentError(absl::StrCat(money::AbslView(field), " ",
                                                 money::AbslView(value),
                                                 " is invalid: ", money::AbslView(allowed)));
}

absl::Status CheckRateRange(std::string_view field, const Rate& rate, const Rate& low,
                            bool low_inclusive, const Rate& high) {
  bool above_low = low_inclusive ? rate >= low : rate > low;
  if (!above_low || rate > high) {
    return Invalid(field, rate.ToString(),
                   absl::StrCat("expected ", low_inclusive ? "" : "more than ", low.ToString(),
                                " to ", high.ToString()));
  }
  return absl::OkStatus();
}

absl::Status CheckRules(const ScoringRules& rules) {
  const Rate zero = Rate::Zero();
  const Rate one = Rate::One();
  const Rate ten = Rate::FromUnits(10 * Rate::kScale);
  const Rate hundred = Rate::FromUnits(100 * Rate::kScale);
  for (absl::Status status :
       {CheckRateRange("rules.attainment_cap", rules.attainment_cap, zero, false, ten),
        CheckRateRange("rules.market_share_cap", rules.market_share_cap, zero, false, one),
        CheckRateRange("rules.rating_min", rules.rating_min, zero, true, hundred),
        CheckRateRange("rules.rating_max", rules.rating_max, zero, true, hundred),
        CheckRateRange("rules.complaint_rate_limit", rules.complaint_rate_limit, zero, false, one),
        CheckRateRange("rules.growth_floor", rules.growth_floor, Rate::FromUnits(-Rate::kScale),
                       true, ten),
        CheckRateRange("rules.growth_ceiling", rules.growth_ceiling, Rate::FromUnits(-Rate::kScale),
                       true, ten)}) {
    if (!status.ok()) return status;
  }
  if (rules.rating_max <= rules.rating_min) {
    return Invalid(
        "rules.rating_max", rules.rating_max.ToString(),
        absl::StrCat("it must be greater than rules.rating_min ", rules.rating_min.ToString()));
  }
  if (rules.growth_ceiling <= rules.growth_floor) {
    return Invalid(
        "rules.growth_ceiling", rules.growth_ceiling.ToString(),
        absl::StrCat("it must be greater than rules.growth_floor ", rules.growth_floor.ToString()));
  }
  return absl::OkStatus();
}

absl::Status CheckTiers(const std::vector<Tier>& tiers) {
  for (size_t i = 0; i < tiers.size(); ++i) {
    std::string field = absl::StrCat("tiers[", i, "]");
    const Tier& tier = tiers[i];
    if (tier.name.empty() || tier.name.size() > 64) {
      return Invalid(field + ".name", money::QuoteForError(tier.name), "expected 1 to 64 bytes");
    }
    if (tier.min_score < Points() ||
        tier.min_score > Points::FromHundredths(100 * Points::kScale)) {
      return Invalid(field + ".min_score", tier.min_score.ToString(), "expected 0 to 100");
    }
    if (i > 0 && tier.min_score <= tiers[i - 1].min_score) {
      return Invalid(field + ".min_score", tier.min_score.ToString(),
                     absl::StrCat("tiers must be ordered by strictly increasing min_score; tiers[",
                                  i - 1, "].min_score is ", tiers[i - 1].min_score.ToString()));
    }
    for (size_t j = 0; j < i; ++j) {
      if (tiers[j].name == tier.name) {
        return Invalid(field + ".name", tier.name, "tier names must be unique");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckInputs(const Inputs& inputs) {
  for (const auto& [field, count] :
       {std::pair<std::string_view, int64_t>{"rating_count", inputs.rating_count},
        {"rating_sum", inputs.rating_sum},
        {"complaints", inputs.complaints},
        {"orders", inputs.orders}}) {
    if (count < 0 || count > 100 * kMaxCount) {
      return Invalid(field, absl::StrCat(count), "expected 0 to 10^15 (10^17 for rating_sum)");
    }
    if (field != "rating_sum" && count > kMaxCount) {
      return Invalid(field, absl::StrCat(count), "expected 0 to 10^15");
    }
  }

  const Money* first = nullptr;
  for (const std::optional<Money>* amount :
       {&inputs.net_sales, &inputs.target, &inputs.market_net_sales, &inputs.previous_net_sales}) {
    if (!amount->has_value()) continue;
    if (first == nullptr) {
      first = &**amount;
    } else if (!first->SameCurrency(**amount)) {
      return Invalid("inputs", absl::StrCat(money::AbslView((*amount)->currency().code)),
                     absl::StrCat("all amounts must be in one currency, here ",
                                  money::AbslView(first->currency().code)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Points> Points::Parse(std::string_view text) {
  absl::StatusOr<money::DecimalText> parts =
      money::SplitDecimal(text, "score", /*allow_percent=*/false);
  if (!parts.ok()) return parts.status();
  absl::StatusOr<int64_t> hundredths =
      money::ScaleDecimal(*parts, 2, 1'000'000 * kScale, text, "score");
  if (!hundredths.ok()) return hundredths.status();
  return Points(*hundredths);
}

std::string Points::ToString() const {
  return money::FormatScaled(hundredths_, 2, /*trim_zeros=*/false);
}

std::string_view KpiName(Kpi kpi) {
  switch (kpi) {
    case Kpi::kAttainment:
      return "attainment";
    case Kpi::kMarketShare:
      return "market_share";
    case Kpi::kRating:
      return "rating";
    case Kpi::kComplaints:
      return "complaints";
    case Kpi::kGrowth:
      return "growth";
  }
  return "unknown";
}

Definition DefaultDefinition() {
  return Definition{
      {{Kpi::kAttainment, 50}, {Kpi::kRating, 30}, {Kpi::kComplaints, 20}}, ScoringRules{}, {}};
}

absl::Status ValidateDefinition(const Definition& definition) {
  if (definition.weights.empty() || definition.weights.size() > kKpiCount) {
    return Invalid("weights", absl::StrCat(definition.weights.size(), " KPIs"),
                   absl::StrCat("expected 1 to ", kKpiCount));
  }
  int total = 0;
  for (size_t i = 0; i < definition.weights.size(); ++i) {
    const KpiWeight& weight = definition.weights[i];
    std::string field = absl::StrCat("weights[", i, "]");
    if (weight.weight < 0 || weight.weight > 100) {
      return Invalid(field + ".weight", absl::StrCat(weight.weight), "expected 0 to 100");
    }
    for (size_t j = 0; j < i; ++j) {
      if (definition.weights[j].kpi == weight.kpi) {
        return Invalid(field + ".kpi", KpiName(weight.kpi), "each KPI may appear once");
      }
    }
    total += weight.weight;
  }
  if (total != 100) {
    return Invalid("weights", absl::StrCat("adding up to ", total), "they must add up to 100");
  }
  if (absl::Status status = CheckRules(definition.rules); !status.ok()) return status;
  return CheckTiers(definition.tiers);
}

absl::StatusOr<Scorecard> ComputeScorecard(const Definition& definition, const Inputs& inputs) {
  if (absl::Status status = CheckInputs(inputs); !status.ok()) return status;

  Scorecard scorecard;
  std::array<std::optional<Fraction>, kKpiCount> scores;
  int weight_with_data = 0;
  const int count = static_cast<int>(std::min<size_t>(definition.weights.size(), kKpiCount));
  for (int i = 0; i < count; ++i) {
    scores[i] = ScoreKpi(definition.weights[i].kpi, definition.rules, inputs);
    if (scores[i].has_value()) weight_with_data += definition.weights[i].weight;
  }

  int64_t total = 0;
  for (int i = 0; i < count; ++i) {
    Contribution& contribution = scorecard.contributions[i];
    contribution.kpi = definition.weights[i].kpi;
    contribution.weight = definition.weights[i].weight;
    contribution.has_data = scores[i].has_value();
    if (!contribution.has_data || weight_with_data == 0) continue;

    const Fraction& score = *scores[i];
    contribution.kpi_score = Points::FromHundredths(static_cast<int64_t>(money::DivideRounded(
        score.numerator * Points::kScale, score.denominator, money::RoundingMode::kHalfUp)));
    contribution.contribution = Points::FromHundredths(static_cast<int64_t>(
        money::DivideRounded(score.numerator * Points::kScale * contribution.weight,
                             score.denominator * weight_with_data, money::RoundingMode::kHalfUp)));
    total += contribution.contribution.hundredths();
  }
  // Each contribution is at most its weight's share of 100, but when weights were scaled up for
  // missing KPIs, rounding up each share can overshoot 100.00 by a few hundredths. The first
  // largest contribution gives those back, so the contributions still add up to the score.
  if (total > 100 * Points::kScale) {
    Contribution* largest = &scorecard.contributions[0];
    for (int i = 1; i < count; ++i) {
      if (scorecard.contributions[i].contribution > largest->contribution) {
        largest = &scorecard.contributions[i];
      }
    }
    largest->contribution =
        Points::FromHundredths(largest->contribution.hundredths() - (total - 100 * Points::kScale));
    total = 100 * Points::kScale;
  }
  scorecard.contribution_count = count;
  scorecard.score = Points::FromHundredths(total);

  for (auto tier = definition.tiers.rbegin(); tier != definition.tiers.rend(); ++tier) {
    if (scorecard.score >= tier->min_score) {
      scorecard.tier = &*tier;
      break;
    }
  }
  return scorecard;
}

}  // namespace consort::scorecard
