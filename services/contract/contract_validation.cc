#include "services/contract/contract_validation.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validation.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "money/money.h"
#include "period/period.h"

namespace consort::contract {
namespace {

using ::google::protobuf::RepeatedPtrField;

constexpr absl::string_view kRegionRule =
    "expected 1 to 32 characters of upper-case letters, digits and '-', for example SP";
constexpr absl::string_view kChannelRule =
    "expected 1 to 32 characters of lower-case letters, digits, '-' and '_', for example "
    "marketplace";
constexpr absl::string_view kTimeZoneRule =
    "expected an IANA time zone name such as America/Sao_Paulo or UTC";
constexpr absl::string_view kRateRule =
    "expected a decimal fraction from 0 to 1 such as 0.1, or a percentage from 0% to 100% such "
    "as 10%";

bool AllCharacters(absl::string_view value, bool (*allowed)(char)) {
  for (char c : value) {
    if (!allowed(c)) return false;
  }
  return true;
}

// Checks a repeated scope field: 1 to kMaxScopeEntries entries, each valid by `check`, none
// repeated.
absl::Status CheckScopeList(absl::string_view field, const RepeatedPtrField<std::string>& values,
                            absl::string_view what,
                            absl::Status (*check)(absl::string_view, absl::string_view)) {
  if (values.empty()) {
    return MissingField(field, absl::StrCat("expected at least one ", what));
  }
  if (values.size() > kMaxScopeEntries) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is invalid: got ", values.size(),
                                                   " entries; expected at most ",
                                                   kMaxScopeEntries));
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < values.size(); ++i) {
    const std::string entry_field = absl::StrCat(field, "[", i, "]");
    if (auto status = check(entry_field, values[i]); !status.ok()) return status;
    if (!seen.insert(values[i]).second) {
      return InvalidField(entry_field, values[i],
                          absl::StrCat("each ", what, " may appear only once"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProductCategories(const v1::Contract& contract) {
  if (contract.all_product_categories()) {
    if (!contract.product_categories().empty()) {
      return InvalidField("contract.product_categories", contract.product_categories(0),
                          "expected no product categories when all_product_categories is true");
    }
    return absl::OkStatus();
  }
  if (contract.product_categories().empty()) {
    return MissingField("contract.product_categories",
                        "expected at least one product category, or all_product_categories set "
                        "to true");
  }
  return CheckScopeList("contract.product_categories", contract.product_categories(),
                        "product category", &CheckProductCategory);
}

// Returns the monthly target with the currency's digits, after checking that it is present, in
// the contract's currency and not negative.
absl::StatusOr<std::string> NormalizeTarget(const v1::Contract& contract) {
  if (!contract.has_monthly_target()) {
    return MissingField("contract.monthly_target",
                        absl::StrCat("expected an amount of 0 or more in ", contract.currency()));
  }
  const auto& target = contract.monthly_target();
  if (target.currency().empty()) {
    return MissingField("contract.monthly_target.currency",
                        absl::StrCat("expected the contract's currency ", contract.currency()));
  }
  if (target.currency() != contract.currency()) {
    return InvalidField("contract.monthly_target.currency", target.currency(),
                        absl::StrCat("expected the contract's currency ", contract.currency()));
  }

  const money::Currency* currency = money::FindCurrency(contract.currency());
  const std::string rule =
      absl::StrCat("expected a decimal amount of 0 or more with at most ", currency->minor_unit,
                   " decimals for ", contract.currency(), ", for example 1000");
  if (target.amount().empty()) return MissingField("contract.monthly_target.amount", rule);
  auto amount = money::Money::Parse(target.amount(), *currency);
  if (!amount.ok() || amount->is_negative()) {
    return InvalidField("contract.monthly_target.amount", target.amount(), rule);
  }
  return amount->ToString();
}

absl::StatusOr<std::string> NormalizeRate(absl::string_view text) {
  if (text.empty()) return MissingField("contract.commission_rate", kRateRule);
  auto rate = money::Rate::Parse(std::string(text));
  if (!rate.ok() || rate->is_negative() || *rate > money::Rate::One()) {
    return InvalidField("contract.commission_rate", text, kRateRule);
  }
  return rate->ToString();
}

}  // namespace

absl::Status CheckRegion(absl::string_view field, absl::string_view region) {
  if (region.empty()) return MissingField(field, kRegionRule);
  const bool valid = region.size() <= kMaxRegionLength && AllCharacters(region, [](char c) {
                       return absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '-';
                     });
  return valid ? absl::OkStatus() : InvalidField(field, region, kRegionRule);
}

absl::Status CheckProductCategory(absl::string_view field, absl::string_view category) {
  return CheckText(field, category, kMaxCategoryLength, /*required=*/true);
}

absl::Status CheckChannel(absl::string_view field, absl::string_view channel) {
  if (channel.empty()) return MissingField(field, kChannelRule);
  const bool valid =
      channel.size() <= kMaxChannelLength && AllCharacters(channel, [](char c) {
        return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_';
      });
  return valid ? absl::OkStatus() : InvalidField(field, channel, kChannelRule);
}

absl::Status CheckTimeZone(absl::string_view field, absl::string_view time_zone) {
  if (time_zone.empty()) return MissingField(field, kTimeZoneRule);

  // The zone name becomes a path below the zone database, so only the characters of IANA names
  // pass, and no "..".
  const bool shaped =
      time_zone.size() <= kMaxTimeZoneLength && time_zone.front() != '/' &&
      !absl::StrContains(time_zone, "..") && AllCharacters(time_zone, [](char c) {
        return absl::ascii_isalnum(c) || c == '/' || c == '_' || c == '-' || c == '+';
      });
  if (!shaped || !period::LoadZone(std::string(time_zone)).ok()) {
    return InvalidField(field, time_zone, kTimeZoneRule);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Contract> NormalizeContract(const v1::Contract& contract) {
  if (auto status = CheckIdentifier("contract.contract_id", contract.contract_id()); !status.ok()) {
    return status;
  }
  if (auto status = CheckIdentifier("contract.partner_id", contract.partner_id()); !status.ok()) {
    return status;
  }
  if (auto status = CheckScopeList("contract.regions", contract.regions(), "region", &CheckRegion);
      !status.ok()) {
    return status;
  }
  if (auto status = CheckProductCategories(contract); !status.ok()) return status;
  if (auto status =
          CheckScopeList("contract.channels", contract.channels(), "channel", &CheckChannel);
      !status.ok()) {
    return status;
  }

  constexpr absl::string_view kCurrencyRule =
      "expected an ISO 4217 currency code in upper case, such as BRL or EUR";
  if (contract.currency().empty()) return MissingField("contract.currency", kCurrencyRule);
  if (money::FindCurrency(contract.currency()) == nullptr) {
    return InvalidField("contract.currency", contract.currency(), kCurrencyRule);
  }
  if (auto status = CheckTimeZone("contract.time_zone", contract.time_zone()); !status.ok()) {
    return status;
  }
  auto target = NormalizeTarget(contract);
  if (!target.ok()) return target.status();
  auto rate = NormalizeRate(contract.commission_rate());
  if (!rate.ok()) return rate.status();

  v1::Contract normalized = contract;
  normalized.clear_status();
  normalized.clear_create_time();
  normalized.clear_activate_time();
  normalized.mutable_monthly_target()->set_amount(*target);
  normalized.set_commission_rate(*rate);
  return normalized;
}

}  // namespace consort::contract
