#pragma once

// Redis key names of the partner service. Every key starts with the configured namespace and
// "partner:", so that the service never touches another service's keys:
//   <ns>partner:p:<partner_id>   hash: status (PartnerStatus name) and proto (serialized Partner)
//   <ns>partner:ids              sorted set of partner ids, all with score 0, paged by ZRANGEBYLEX
//   <ns>partner:sale:<sale_id>   hash: one accepted sale or refund
//   <ns>partner:outbox           stream of events waiting for the outbox relay
//
// Immutable after construction, so any thread may use it.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace consort::partner {

class PartnerKeys {
 public:
  explicit PartnerKeys(absl::string_view redis_namespace)
      : prefix_(absl::StrCat(redis_namespace, "partner:")) {}

  std::string Partner(absl::string_view partner_id) const {
    return absl::StrCat(prefix_, "p:", partner_id);
  }
  std::string PartnerIds() const { return absl::StrCat(prefix_, "ids"); }
  std::string Sale(absl::string_view sale_id) const {
    return absl::StrCat(prefix_, "sale:", sale_id);
  }
  std::string Outbox() const { return absl::StrCat(prefix_, "outbox"); }

 private:
  std::string prefix_;
};

}  // namespace consort::partner
