// Entitlements: the amounts a plan pays for one source period, before the lines already issued
// are subtracted. Internal to the statement engine in statement.cc, so callers use
// ComputeStatement.
//
// Thread safety: pure functions.
#ifndef CONSORT_COMMISSION_ENTITLEMENT_H_
#define CONSORT_COMMISSION_ENTITLEMENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "commission/plan.h"
#include "commission/statement.h"
#include "money/money.h"

namespace consort::commission::internal {

// A sale with the refunds and amendments that changed it, in event order.
struct SaleState {
  const Event* sale = nullptr;
  // Sale amount after the latest amendment, in the sale's currency.
  int64_t amount_minor = 0;
  int64_t refunded_minor = 0;
  std::vector<const Event*> changes;
  // The net amount converted into the plan's currency, for sales in another currency.
  std::optional<money::Conversion> conversion;
  // Index of the sale's source period in Ledger::periods.
  size_t period_index = 0;
};

// The sales of one source period, in event order.
struct SourcePeriod {
  period::Period period;
  std::string label;
  std::vector<SaleState*> sales;
};

// Strings and derived rates of a plan that every line reuses, computed once per statement.
struct PlanRules {
  explicit PlanRules(const Plan& plan);

  const Plan& plan;
  std::string flat_rule;
  std::vector<std::string> band_rules;
  absl::flat_hash_map<absl::string_view, size_t> category_index;
  std::vector<std::string> category_rules;
  // rate * (accelerator - 1) for the flat rate and for each band; empty without an accelerator.
  std::optional<money::Rate> flat_extra_rate;
  std::vector<money::Rate> band_extra_rates;
  std::string accelerator_rule;
  std::string pool_rule;
};

// One line key's entitlement in one source period. It lives only while the sink runs, so the
// sink copies or moves what it keeps.
struct Entitlement {
  std::string_view partner_id;
  LineKind kind = LineKind::kSale;
  std::string key;
  const std::string* rule = nullptr;
  std::string owned_rule;  // used when `rule` is null
  money::Money base;
  money::Rate rate;
  money::Money amount;
  // Events behind the line in event order: `sale` when set, then `events`.
  const Event* sale = nullptr;
  absl::Span<const Event* const> events;
  const std::optional<money::Conversion>* conversion = nullptr;

  const std::string& RuleText() const { return rule != nullptr ? *rule : owned_rule; }
};

// Receives each entitlement of a source period; an error stops the computation.
using EntitlementSink = absl::FunctionRef<absl::Status(Entitlement&)>;

// Computes the entitlements of one source period and passes them to `sink` in a fixed order:
// sale and pool lines in event order, then band, accelerator, cap and bonus lines.
absl::Status ComputeEntitlements(const PlanRules& rules, const std::string& partner_id,
                                 const SourcePeriod& source, EntitlementSink sink);

}  // namespace consort::commission::internal

#endif  // CONSORT_COMMISSION_ENTITLEMENT_H_
