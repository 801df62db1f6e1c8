#pragma once

// Builders of valid SaleRecords and Partners for the partner service's unit tests.

#include <string>

#include "absl/time/time.h"
#include "common/time_util.h"
#include "consort/partner/v1/partner.pb.h"

namespace consort::partner::testing {

// Fixed server time of the tests: 2024-03-15T12:00:00Z.
inline absl::Time TestNow() { return absl::FromUnixSeconds(1710504000); }

inline v1::SaleRecord Sale(const std::string& sale_id, const std::string& partner_id = "p-1",
                           const std::string& amount = "58.90",
                           const std::string& currency = "BRL") {
  v1::SaleRecord record;
  record.set_sale_id(sale_id);
  record.set_partner_id(partner_id);
  record.set_kind(v1::SALE_RECORD_KIND_SALE);
  record.mutable_amount()->set_currency(currency);
  record.mutable_amount()->set_amount(amount);
  record.set_region("SP");
  record.set_product_category("toys");
  record.set_channel("marketplace");
  record.set_order_id("order-1");
  record.set_quantity(2);
  *record.mutable_event_time() = ToProtoTimestamp(TestNow() - absl::Hours(1));
  return record;
}

inline v1::SaleRecord Refund(const std::string& sale_id, const std::string& original_sale_id,
                             const std::string& amount, const std::string& partner_id = "p-1",
                             const std::string& currency = "BRL") {
  v1::SaleRecord record;
  record.set_sale_id(sale_id);
  record.set_partner_id(partner_id);
  record.set_kind(v1::SALE_RECORD_KIND_REFUND);
  record.set_original_sale_id(original_sale_id);
  record.mutable_amount()->set_currency(currency);
  record.mutable_amount()->set_amount(amount);
  *record.mutable_event_time() = ToProtoTimestamp(TestNow() - absl::Minutes(30));
  return record;
}

inline v1::Partner TestPartner(const std::string& partner_id,
                               v1::PartnerStatus status = v1::PARTNER_STATUS_ACTIVE) {
  v1::Partner partner;
  partner.set_partner_id(partner_id);
  partner.set_display_name("Loja " + partner_id);
  partner.set_home_region("SP");
  auto* contact = partner.add_contacts();
  contact->set_name("Ana Souza");
  contact->set_email("ana@example.com");
  contact->set_phone("+55 11 5555-0100");
  contact->set_role("sales");
  partner.set_status(status);
  return partner;
}

}  // namespace consort::partner::testing
