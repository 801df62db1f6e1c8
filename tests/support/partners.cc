#include "tests/support/partners.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/client_context.h"
#include "tests/support/service_process.h"

namespace consort::testing {
namespace {

// Returns `status` as an absl::Status whose message names the call and the partner.
absl::Status CallStatus(const grpc::Status& status, const std::string& call,
                        const std::string& partner_id) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(
      static_cast<absl::StatusCode>(status.error_code()),
      absl::StrCat(call, " for partner ", partner_id, " failed: ", status.error_message()));
}

}  // namespace

partner::v1::Partner PartnerInput(const std::string& partner_id,
                                  partner::v1::PartnerStatus status) {
  partner::v1::Partner partner;
  partner.set_partner_id(partner_id);
  partner.set_display_name("Loja " + partner_id);
  partner.set_home_region("SP");
  partner::v1::Contact& contact = *partner.add_contacts();
  contact.set_name("Ana Souza");
  contact.set_email("ana@example.com");
  partner.set_status(status);
  return partner;
}

std::string CreateTestPartner(partner::v1::PartnerService::Stub& partners) {
  const std::string id = absl::StrCat("p-", UniqueSuffix());
  partner::v1::CreatePartnerRequest request;
  request.mutable_partner()->set_partner_id(id);
  request.mutable_partner()->set_display_name(absl::StrCat("Loja ", id));
  request.mutable_partner()->set_home_region("SP");
  partner::v1::Partner response;
  const grpc::Status status =
      partners.CreatePartner(ContextWithDeadline(absl::Seconds(10)).get(), request, &response);
  EXPECT_TRUE(status.ok()) << "CreatePartner failed: " << status.error_message();
  return id;
}

std::string CoveredContractId(const std::string& partner_id) { return "contract-" + partner_id; }

absl::Status CreateCoveredPartner(partner::v1::PartnerService::Stub& partners,
                                  contract::v1::ContractService::Stub& contracts,
                                  const CoveredPartner& covered) {
  partner::v1::CreatePartnerRequest create;
  *create.mutable_partner() = PartnerInput(covered.partner_id, covered.status);
  partner::v1::Partner created;
  absl::Status status =
      CallStatus(partners.CreatePartner(ContextWithDeadline().get(), create, &created),
                 "CreatePartner", covered.partner_id);
  if (!status.ok()) return status;

  contract::v1::CreateContractRequest contract_request;
  contract::v1::Contract& contract = *contract_request.mutable_contract();
  contract.set_contract_id(CoveredContractId(covered.partner_id));
  contract.set_partner_id(covered.partner_id);
  contract.add_regions("SP");
  contract.set_all_product_categories(true);
  contract.add_channels("marketplace");
  contract.set_currency("BRL");
  contract.set_time_zone("America/Sao_Paulo");
  contract.mutable_monthly_target()->set_currency("BRL");
  contract.mutable_monthly_target()->set_amount(covered.monthly_target);
  contract.set_commission_rate(covered.commission_rate);
  contract::v1::Contract stored;
  status =
      CallStatus(contracts.CreateContract(ContextWithDeadline().get(), contract_request, &stored),
                 "CreateContract", covered.partner_id);
  if (!status.ok()) return status;

  contract::v1::ActivateContractRequest activate;
  activate.set_contract_id(CoveredContractId(covered.partner_id));
  return CallStatus(contracts.ActivateContract(ContextWithDeadline().get(), activate, &stored),
                    "ActivateContract", covered.partner_id);
}

absl::TimeZone ContractTimeZone() {
  absl::TimeZone zone;
  absl::LoadTimeZone("America/Sao_Paulo", &zone);
  return zone;
}

}  // namespace consort::testing
