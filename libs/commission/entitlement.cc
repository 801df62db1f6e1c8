#include "commission/entitlement.h"

#include <algorithm>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "money/allocation.h"
#include "money/conversion.h"
#include "money/decimal.h"

namespace consort::commission::internal {
namespace {

using money::Money;
using money::Rate;

absl::StatusOr<Money> MoneyFromWide(absl::int128 minor_units, const money::Currency& currency) {
  if (minor_units > Money::kMaxMinorUnits || minor_units < -Money::kMaxMinorUnits) {
    return absl::OutOfRangeError(absl::StrCat("a period total exceeds +-", Money::kMaxMinorUnits,
                                              " minor units of ", money::AbslView(currency.code)));
  }
  return Money::FromMinor(static_cast<int64_t>(minor_units), currency);
}

// The base and events of the sales that earn the flat rate or band rates.
struct RateBase {
  absl::int128 minor_units = 0;
  std::vector<const Event*> events;
};

void AppendSaleEvents(const SaleState& sale, std::vector<const Event*>& events) {
  events.push_back(sale.sale);
  events.insert(events.end(), sale.changes.begin(), sale.changes.end());
}

class PeriodCalculator {
 public:
  PeriodCalculator(const PlanRules& rules, const std::string& partner_id, EntitlementSink sink)
      : rules_(rules),
        plan_(rules.plan),
        currency_(*plan_.currency),
        partner_id_(partner_id),
        sink_(sink) {}

  absl::Status Compute(const SourcePeriod& source) {
    for (SaleState* sale : source.sales) {
      if (absl::Status status = AddSale(*sale); !status.ok()) return status;
    }
    if (!plan_.bands.empty()) {
      if (absl::Status status = AddBandLines(); !status.ok()) return status;
    }
    if (plan_.accelerator.has_value()) {
      if (absl::Status status = AddAcceleratorLines(); !status.ok()) return status;
    }
    if (plan_.cap.has_value()) {
      if (absl::Status status = AddCapLine(); !status.ok()) return status;
    }
    if (!plan_.bonuses.empty()) {
      if (absl::Status status = AddBonusLine(); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

 private:
  Entitlement NewLine(LineKind kind, std::string key, const Money& base, const Rate& rate,
                      const Money& amount) {
    return Entitlement{partner_id_, kind,   std::move(key), nullptr, "",     base,
                       rate,        amount, nullptr,        {},      nullptr};
  }

  absl::Status AddSale(SaleState& sale) {
    const Event& event = *sale.sale;
    Money net = Money::FromMinor(sale.amount_minor - sale.refunded_minor, event.amount.currency());

    // A sale in another currency is converted at its own rate, whenever it is refunded.
    Money base = net;
    if (event.exchange_rate.has_value()) {
      absl::StatusOr<money::Conversion> converted =
          money::Convert(net, *event.exchange_rate, plan_.rounding);
      if (!converted.ok()) return converted.status();
      base = converted->converted;
      sale.conversion = *std::move(converted);
    }
    net_sales_ += base.minor_units();

    if (plan_.pool.has_value() && !event.co_sellers.empty()) return AddPoolShares(sale, base);

    auto category = rules_.category_index.end();
    if (!event.category.empty() && !rules_.category_index.empty()) {
      category = rules_.category_index.find(
          absl::string_view(event.category.data(), event.category.size()));
    }
    bool has_override = category != rules_.category_index.end();
    if (!has_override && plan_.rate.has_value() && plan_.accelerator.has_value()) {
      flat_base_.minor_units += base.minor_units();
      AppendSaleEvents(sale, flat_base_.events);
    }
    if (!has_override && !plan_.rate.has_value()) {
      band_base_.minor_units += base.minor_units();
      AppendSaleEvents(sale, band_base_.events);
      return absl::OkStatus();
    }

    const Rate& rate = has_override ? plan_.category_rates[category->second].rate : *plan_.rate;
    absl::StatusOr<Money> amount = money::MultiplyByRate(base, rate, plan_.rounding);
    if (!amount.ok()) return amount.status();
    capped_sum_ += amount->minor_units();

    Entitlement line =
        NewLine(LineKind::kSale, absl::StrCat("sale/", event.event_id), base, rate, *amount);
    line.rule = has_override ? &rules_.category_rules[category->second] : &rules_.flat_rule;
    line.sale = sale.sale;
    line.events = sale.changes;
    line.conversion = &sale.conversion;
    return sink_(line);
  }

  absl::Status AddPoolShares(const SaleState& sale, const Money& base) {
    const Event& event = *sale.sale;
    const Pool& pool = *plan_.pool;
    absl::StatusOr<Money> pool_amount = money::MultiplyByRate(base, pool.rate, plan_.rounding);
    if (!pool_amount.ok()) return pool_amount.status();

    std::vector<std::string_view> partners;
    absl::StatusOr<std::vector<Money>> shares;
    if (pool.shares.empty()) {
      for (const std::string& partner : event.co_sellers) partners.push_back(partner);
      shares = money::SplitEqually(*pool_amount, static_cast<int>(partners.size()));
    } else {
      std::vector<Rate> weights;
      for (const PoolShare& share : pool.shares) {
        partners.push_back(share.partner_id);
        weights.push_back(share.weight);
      }
      shares = money::SplitByRates(*pool_amount, weights);
    }
    if (!shares.ok()) return shares.status();

    for (size_t i = 0; i < partners.size(); ++i) {
      Entitlement line = NewLine(LineKind::kPoolShare, absl::StrCat("pool/", event.event_id), base,
                                 pool.rate, (*shares)[i]);
      line.partner_id = partners[i];
      line.rule = &rules_.pool_rule;
      line.sale = sale.sale;
      line.events = sale.changes;
      line.conversion = &sale.conversion;
      if (absl::Status status = sink_(line); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status AddRateLine(LineKind kind, std::string key, std::string rule, absl::int128 base,
                           const Rate& rate, const std::vector<const Event*>& events) {
    absl::StatusOr<Money> base_money = MoneyFromWide(base, currency_);
    if (!base_money.ok()) return base_money.status();
    absl::StatusOr<Money> amount = money::MultiplyByRate(*base_money, rate, plan_.rounding);
    if (!amount.ok()) return amount.status();
    capped_sum_ += amount->minor_units();

    Entitlement line = NewLine(kind, std::move(key), *base_money, rate, *amount);
    line.owned_rule = std::move(rule);
    line.events = events;
    return sink_(line);
  }

  // Index of the band that contains `amount`; bands are contiguous from zero and open-ended.
  size_t BandIndexOf(absl::int128 amount) const {
    size_t index = 0;
    while (index + 1 < plan_.bands.size() && amount >= plan_.bands[index + 1].from.minor_units()) {
      ++index;
    }
    return index;
  }

  absl::Status AddBandLines() {
    if (band_base_.events.empty()) return absl::OkStatus();
    absl::int128 base = band_base_.minor_units;

    if (plan_.band_mode == BandMode::kRetroactive) {
      size_t index = BandIndexOf(base);
      return AddRateLine(LineKind::kBand, "band",
                         absl::StrCat("retroactive ", rules_.band_rules[index]), base,
                         plan_.bands[index].rate, band_base_.events);
    }

    for (size_t i = 0; i < plan_.bands.size(); ++i) {
      const Band& band = plan_.bands[i];
      absl::int128 from = band.from.minor_units();
      if (base <= from) break;
      absl::int128 upper =
          band.to.has_value() ? std::min<absl::int128>(base, band.to->minor_units()) : base;
      absl::Status status = AddRateLine(LineKind::kBand, absl::StrCat("band/", i),
                                        absl::StrCat("marginal ", rules_.band_rules[i]),
                                        upper - from, band.rate, band_base_.events);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status AddAcceleratorLines() {
    absl::int128 target = plan_.target->minor_units();
    if (plan_.rate.has_value()) {
      if (flat_base_.minor_units <= target) return absl::OkStatus();
      return AddRateLine(LineKind::kAccelerator, "accelerator", rules_.accelerator_rule,
                         flat_base_.minor_units - target, *rules_.flat_extra_rate,
                         flat_base_.events);
    }

    absl::int128 base = band_base_.minor_units;
    if (base <= target) return absl::OkStatus();
    if (plan_.band_mode == BandMode::kRetroactive) {
      size_t index = BandIndexOf(base);
      return AddRateLine(
          LineKind::kAccelerator, absl::StrCat("accelerator/", index),
          absl::StrCat(rules_.accelerator_rule, " in retroactive ", rules_.band_rules[index]),
          base - target, rules_.band_extra_rates[index], band_base_.events);
    }
    // Marginal: the part of each band that lies between the target and the base.
    for (size_t i = 0; i < plan_.bands.size(); ++i) {
      const Band& band = plan_.bands[i];
      absl::int128 lower = std::max<absl::int128>(target, band.from.minor_units());
      absl::int128 upper =
          band.to.has_value() ? std::min<absl::int128>(base, band.to->minor_units()) : base;
      if (upper <= lower) continue;
      absl::Status status =
          AddRateLine(LineKind::kAccelerator, absl::StrCat("accelerator/", i),
                      absl::StrCat(rules_.accelerator_rule, " in marginal ", rules_.band_rules[i]),
                      upper - lower, rules_.band_extra_rates[i], band_base_.events);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status AddCapLine() {
    if (capped_sum_ <= plan_.cap->minor_units()) return absl::OkStatus();
    absl::StatusOr<Money> uncapped = MoneyFromWide(capped_sum_, currency_);
    if (!uncapped.ok()) return uncapped.status();
    absl::StatusOr<Money> reduction = plan_.cap->Subtract(*uncapped);
    if (!reduction.ok()) return reduction.status();

    Entitlement line = NewLine(LineKind::kCap, "cap", *uncapped, Rate::Zero(), *reduction);
    line.owned_rule = absl::StrCat("cap ", plan_.cap->ToString());
    return sink_(line);
  }

  absl::Status AddBonusLine() {
    // The attainment is compared exactly: net * 10^12 >= threshold units * target.
    const absl::int128 scaled_net = net_sales_ * Rate::kScale;
    const Bonus* reached = nullptr;
    for (const Bonus& bonus : plan_.bonuses) {
      if (scaled_net >= absl::int128(bonus.threshold.units()) * plan_.target->minor_units()) {
        reached = &bonus;
      }
    }
    if (reached == nullptr) return absl::OkStatus();

    absl::StatusOr<Money> net = MoneyFromWide(net_sales_, currency_);
    if (!net.ok()) return net.status();
    Entitlement line =
        NewLine(LineKind::kBonus, "bonus", *net, reached->threshold, reached->amount);
    line.owned_rule = absl::StrCat("bonus at ", reached->threshold.ToPercentString(), " of target ",
                                   plan_.target->ToString());
    return sink_(line);
  }

  const PlanRules& rules_;
  const Plan& plan_;
  const money::Currency& currency_;
  const std::string& partner_id_;
  EntitlementSink sink_;

  // Net sales of the period in the plan's currency, for the bonus attainment.
  absl::int128 net_sales_ = 0;
  // Sum of sale, band and accelerator entitlements, which the cap limits.
  absl::int128 capped_sum_ = 0;
  RateBase flat_base_;
  RateBase band_base_;
};

}  // namespace

PlanRules::PlanRules(const Plan& plan) : plan(plan) {
  if (plan.rate.has_value()) flat_rule = absl::StrCat("rate ", plan.rate->ToPercentString());
  for (const Band& band : plan.bands) {
    band_rules.push_back(
        absl::StrCat("band ", BandLabel(band), " at ", band.rate.ToPercentString()));
  }
  for (size_t i = 0; i < plan.category_rates.size(); ++i) {
    const CategoryRate& category = plan.category_rates[i];
    category_index.emplace(absl::string_view(category.category.data(), category.category.size()),
                           i);
    category_rules.push_back(
        absl::StrCat("category ", category.category, " at ", category.rate.ToPercentString()));
  }
  if (plan.accelerator.has_value()) {
    Rate extra = Rate::FromUnits(plan.accelerator->units() - Rate::kScale);
    // ValidatePlan checked that these products are exact.
    if (plan.rate.has_value()) flat_extra_rate = money::MultiplyRates(*plan.rate, extra).value();
    for (const Band& band : plan.bands) {
      band_extra_rates.push_back(money::MultiplyRates(band.rate, extra).value());
    }
    accelerator_rule = absl::StrCat("accelerator ", plan.accelerator->ToString(), " above target ",
                                    plan.target->ToString());
  }
  if (plan.pool.has_value()) {
    pool_rule = absl::StrCat("pool at ", plan.pool->rate.ToPercentString(),
                             plan.pool->shares.empty() ? " split equally" : " split by weight");
  }
}

absl::Status ComputeEntitlements(const PlanRules& rules, const std::string& partner_id,
                                 const SourcePeriod& source, EntitlementSink sink) {
  return PeriodCalculator(rules, partner_id, sink).Compute(source);
}

}  // namespace consort::commission::internal
