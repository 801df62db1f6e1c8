#include "commission/plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "money/decimal.h"

namespace consort::commission {
namespace {

using money::AbslView;
using money::Money;
using money::Rate;

absl::Status Invalid(std::string_view field, std::string_view value, std::string_view allowed) {
  return absl::InvalidArgumentError(
      absl::StrCat(AbslView(field), " ", AbslView(value), " is invalid: ", AbslView(allowed)));
}

// Category names and partner ids appear as single fields of the plan text and in line keys.
absl::Status CheckName(std::string_view field, std::string_view name) {
  constexpr size_t kMaxNameBytes = 128;
  bool printable = std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127; });
  if (name.empty() || name.size() > kMaxNameBytes || !printable) {
    return Invalid(field, money::QuoteForError(name),
                   "expected 1 to 128 printable ASCII characters without spaces");
  }
  return absl::OkStatus();
}

absl::Status CheckCommissionRate(std::string_view field, const Rate& rate) {
  if (rate.is_negative() || rate > Rate::One()) {
    return Invalid(field, rate.ToPercentString(), "a rate must be 0% to 100%");
  }
  return absl::OkStatus();
}

absl::Status CheckPositiveAmount(std::string_view field, const Money& amount,
                                 const money::Currency& currency) {
  if (amount.currency().code != currency.code) {
    return Invalid(
        field, absl::StrCat(amount.ToString(), " ", AbslView(amount.currency().code)),
        absl::StrCat("amounts must be in the plan's currency ", AbslView(currency.code)));
  }
  if (!amount.is_positive()) return Invalid(field, amount.ToString(), "it must be positive");
  return absl::OkStatus();
}

absl::Status CheckBands(const Plan& plan) {
  for (size_t i = 0; i < plan.bands.size(); ++i) {
    const Band& band = plan.bands[i];
    std::string field = absl::StrCat("bands[", i, "]");
    if (absl::Status status = CheckCommissionRate(field + ".rate", band.rate); !status.ok()) {
      return status;
    }
    if (band.from.currency().code != plan.currency->code) {
      return Invalid(
          field + ".from", band.from.ToString(),
          absl::StrCat("bands must be in the plan's currency ", AbslView(plan.currency->code)));
    }
    if (i == 0 && !band.from.is_zero()) {
      return Invalid(field + ".from", band.from.ToString(), "the first band must start at 0");
    }
    if (i > 0 && !(band.from == *plan.bands[i - 1].to)) {
      return Invalid(
          field + ".from", band.from.ToString(),
          absl::StrCat("it must equal bands[", i - 1, "].to ", plan.bands[i - 1].to->ToString(),
                       " because bands must be ordered, contiguous and not overlap"));
    }
    bool last = i + 1 == plan.bands.size();
    if (last && band.to.has_value()) {
      return Invalid(field + ".to", band.to->ToString(), "the last band must be open-ended");
    }
    if (!last && !band.to.has_value()) {
      return Invalid(field + ".to", "(open-ended)", "only the last band may be open-ended");
    }
    if (band.to.has_value()) {
      if (band.to->currency().code != plan.currency->code) {
        return Invalid(field + ".to", band.to->ToString(), "bands must be in the plan's currency");
      }
      if (band.to->minor_units() <= band.from.minor_units()) {
        return Invalid(
            field + ".to", band.to->ToString(),
            absl::StrCat("it must be greater than ", field, ".from ", band.from.ToString()));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCategories(const Plan& plan) {
  std::set<std::string> seen;
  for (size_t i = 0; i < plan.category_rates.size(); ++i) {
    const CategoryRate& override_rate = plan.category_rates[i];
    std::string field = absl::StrCat("category_rates[", i, "]");
    if (absl::Status status = CheckName(field + ".category", override_rate.category);
        !status.ok()) {
      return status;
    }
    if (!seen.insert(override_rate.category).second) {
      return Invalid(field + ".category", override_rate.category,
                     "each category may have only one rate");
    }
    if (absl::Status status = CheckCommissionRate(field + ".rate", override_rate.rate);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAccelerator(const Plan& plan) {
  if (!plan.accelerator.has_value()) return absl::OkStatus();
  if (!plan.target.has_value()) {
    return Invalid("accelerator", plan.accelerator->ToString(), "an accelerator needs a target");
  }
  if (*plan.accelerator < Rate::One()) {
    return Invalid("accelerator", plan.accelerator->ToString(), "the multiplier must be 1 or more");
  }

  // The extra rate above target is rate * (multiplier - 1); it must be exact for every rate.
  Rate extra = Rate::FromUnits(plan.accelerator->units() - Rate::kScale);
  std::vector<std::pair<std::string, Rate>> rates;
  if (plan.rate.has_value()) rates.emplace_back("rate", *plan.rate);
  for (size_t i = 0; i < plan.bands.size(); ++i) {
    rates.emplace_back(absl::StrCat("bands[", i, "].rate"), plan.bands[i].rate);
  }
  for (const auto& [field, rate] : rates) {
    if (!money::MultiplyRates(rate, extra).ok()) {
      return Invalid("accelerator", plan.accelerator->ToString(),
                     absl::StrCat("(multiplier - 1) times ", field, " ", rate.ToString(),
                                  " must be exact to ", Rate::kDecimals, " decimal places"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBonuses(const Plan& plan) {
  if (!plan.bonuses.empty() && !plan.target.has_value()) {
    return Invalid("bonuses", absl::StrCat(plan.bonuses.size(), " bonuses"),
                   "bonuses need a target");
  }
  for (size_t i = 0; i < plan.bonuses.size(); ++i) {
    const Bonus& bonus = plan.bonuses[i];
    std::string field = absl::StrCat("bonuses[", i, "]");
    if (!bonus.threshold.is_positive()) {
      return Invalid(field + ".threshold", bonus.threshold.ToPercentString(),
                     "a threshold must be positive");
    }
    if (i > 0 && !(plan.bonuses[i - 1].threshold < bonus.threshold)) {
      return Invalid(
          field + ".threshold", bonus.threshold.ToPercentString(),
          absl::StrCat("thresholds must increase strictly; bonuses[", i - 1, "].threshold is ",
                       plan.bonuses[i - 1].threshold.ToPercentString()));
    }
    if (absl::Status status = CheckPositiveAmount(field + ".amount", bonus.amount, *plan.currency);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPool(const Plan& plan) {
  if (!plan.pool.has_value()) return absl::OkStatus();
  if (absl::Status status = CheckCommissionRate("pool.rate", plan.pool->rate); !status.ok()) {
    return status;
  }

  std::set<std::string> seen;
  int64_t total = 0;
  for (size_t i = 0; i < plan.pool->shares.size(); ++i) {
    const PoolShare& share = plan.pool->shares[i];
    std::string field = absl::StrCat("pool.shares[", i, "]");
    if (absl::Status status = CheckName(field + ".partner_id", share.partner_id); !status.ok()) {
      return status;
    }
    if (!seen.insert(share.partner_id).second) {
      return Invalid(field + ".partner_id", share.partner_id, "each partner may appear once");
    }
    if (!share.weight.is_positive() || share.weight > Rate::One()) {
      return Invalid(field + ".weight", share.weight.ToPercentString(),
                     "a weight must be above 0% and at most 100%");
    }
    total += share.weight.units();
  }
  if (!plan.pool->shares.empty() && total != Rate::kScale) {
    return Invalid("pool.shares",
                   absl::StrCat("weights adding up to ", Rate::FromUnits(total).ToPercentString()),
                   "the weights must add up to exactly 100%");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePlan(const Plan& plan) {
  if (plan.currency == nullptr || money::FindCurrency(plan.currency->code) == nullptr) {
    return Invalid("currency", plan.currency == nullptr ? "(missing)" : plan.currency->code,
                   "expected an active ISO 4217 code");
  }
  if (plan.rate.has_value() == !plan.bands.empty()) {
    return Invalid("rate", plan.rate.has_value() ? plan.rate->ToPercentString() : "(missing)",
                   "a plan needs exactly one of a flat rate and bands");
  }
  if (plan.rate.has_value()) {
    if (absl::Status status = CheckCommissionRate("rate", *plan.rate); !status.ok()) return status;
  }

  for (absl::Status status : {CheckBands(plan), CheckCategories(plan)}) {
    if (!status.ok()) return status;
  }
  if (plan.target.has_value()) {
    if (absl::Status status = CheckPositiveAmount("target", *plan.target, *plan.currency);
        !status.ok()) {
      return status;
    }
  }
  if (plan.cap.has_value()) {
    if (absl::Status status = CheckPositiveAmount("cap", *plan.cap, *plan.currency); !status.ok()) {
      return status;
    }
  }
  for (absl::Status status : {CheckAccelerator(plan), CheckBonuses(plan), CheckPool(plan)}) {
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

std::string BandLabel(const Band& band) {
  return absl::StrCat("[", band.from.ToString(), ", ",
                      band.to.has_value() ? band.to->ToString() : "+inf", ")");
}

}  // namespace consort::commission
