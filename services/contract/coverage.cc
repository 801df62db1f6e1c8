#include "services/contract/coverage.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/logging.h"
#include "common/validation.h"
#include "services/contract/contract_validation.h"

namespace consort::contract {
namespace {

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& values,
              const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

v1::CoverageResult NotCovered(std::string reason) {
  v1::CoverageResult result;
  result.set_covered(false);
  result.set_reason(std::move(reason));
  return result;
}

}  // namespace

bool CoversRegion(const v1::Contract& contract, const std::string& region) {
  return Contains(contract.regions(), region);
}

bool CoversCategory(const v1::Contract& contract, const std::string& category) {
  return contract.all_product_categories() || Contains(contract.product_categories(), category);
}

bool CoversChannel(const v1::Contract& contract, const std::string& channel) {
  return Contains(contract.channels(), channel);
}

absl::Status CheckCoverageQuery(const v1::CoverageQuery& query) {
  if (auto status = CheckIdentifier("partner_id", query.partner_id()); !status.ok()) {
    return status;
  }
  if (auto status = CheckRegion("region", query.region()); !status.ok()) return status;
  if (auto status = CheckProductCategory("product_category", query.product_category());
      !status.ok()) {
    return status;
  }
  return CheckChannel("channel", query.channel());
}

CoverageMatcher::CoverageMatcher(std::vector<v1::Contract> contracts)
    : contracts_(std::move(contracts)) {
  std::sort(contracts_.begin(), contracts_.end(), [](const v1::Contract& a, const v1::Contract& b) {
    return a.contract_id() < b.contract_id();
  });
}

v1::CoverageResult CoverageMatcher::Match(const v1::CoverageQuery& query) const {
  if (contracts_.empty()) {
    return NotCovered(
        absl::StrCat("partner ", Quote(query.partner_id()), " has no active contract"));
  }

  bool region_seen = false;
  bool category_seen = false;
  bool channel_seen = false;
  for (const v1::Contract& contract : contracts_) {
    const bool region = CoversRegion(contract, query.region());
    const bool category = CoversCategory(contract, query.product_category());
    const bool channel = CoversChannel(contract, query.channel());
    if (region && category && channel) {
      v1::CoverageResult result;
      result.set_covered(true);
      result.set_contract_id(contract.contract_id());
      result.set_currency(contract.currency());
      result.set_time_zone(contract.time_zone());
      result.set_commission_rate(contract.commission_rate());
      return result;
    }
    region_seen = region_seen || region;
    category_seen = category_seen || category;
    channel_seen = channel_seen || channel;
  }

  std::vector<std::string> uncovered;
  if (!region_seen) uncovered.push_back(absl::StrCat("region ", Quote(query.region())));
  if (!category_seen) {
    uncovered.push_back(absl::StrCat("product category ", Quote(query.product_category())));
  }
  if (!channel_seen) uncovered.push_back(absl::StrCat("channel ", Quote(query.channel())));
  if (uncovered.empty()) {
    return NotCovered(absl::StrCat(
        "no single active contract of partner ", Quote(query.partner_id()), " covers region ",
        Quote(query.region()), ", product category ", Quote(query.product_category()),
        " and channel ", Quote(query.channel()), " together"));
  }
  return NotCovered(absl::StrCat("no active contract of partner ", Quote(query.partner_id()),
                                 " covers ", absl::StrJoin(uncovered, " or ")));
}

}  // namespace consort::contract
