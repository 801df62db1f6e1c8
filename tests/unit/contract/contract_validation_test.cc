#include "services/contract/contract_validation.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace consort::contract {
namespace {

v1::Contract ValidContract() {
  v1::Contract contract;
  contract.set_contract_id("c-1");
  contract.set_partner_id("p-1");
  contract.add_regions("SP");
  contract.add_regions("RJ");
  contract.set_all_product_categories(true);
  contract.add_channels("marketplace");
  contract.set_currency("BRL");
  contract.set_time_zone("America/Sao_Paulo");
  contract.mutable_monthly_target()->set_currency("BRL");
  contract.mutable_monthly_target()->set_amount("1000");
  contract.set_commission_rate("10%");
  return contract;
}

// Expects INVALID_ARGUMENT whose message starts with `field`.
void ExpectInvalid(const v1::Contract& contract, const std::string& field) {
  auto result = NormalizeContract(contract);
  ASSERT_FALSE(result.ok()) << "expected " << field << " to be rejected";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message().substr(0, field.size()), field) << result.status().message();
}

TEST(NormalizeContract, AcceptsValidContract) {
  auto result = NormalizeContract(ValidContract());
  ASSERT_TRUE(result.ok()) << result.status();
}

TEST(NormalizeContract, CanonicalizesTargetAndRate) {
  auto result = NormalizeContract(ValidContract());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->monthly_target().amount(), "1000.00");
  EXPECT_EQ(result->commission_rate(), "0.1");
}

TEST(NormalizeContract, ClearsOutputOnlyFields) {
  v1::Contract contract = ValidContract();
  contract.set_status(v1::CONTRACT_STATUS_ACTIVE);
  contract.mutable_create_time()->set_seconds(100);
  contract.mutable_activate_time()->set_seconds(200);
  auto result = NormalizeContract(contract);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status(), v1::CONTRACT_STATUS_UNSPECIFIED);
  EXPECT_FALSE(result->has_create_time());
  EXPECT_FALSE(result->has_activate_time());
}

TEST(NormalizeContract, RejectsBadContractId) {
  v1::Contract contract = ValidContract();
  contract.set_contract_id("");
  ExpectInvalid(contract, "contract.contract_id is missing");
  contract.set_contract_id("has space");
  ExpectInvalid(contract, "contract.contract_id is invalid");
  contract.set_contract_id(std::string(65, 'c'));
  ExpectInvalid(contract, "contract.contract_id is invalid");
}

TEST(NormalizeContract, RejectsBadPartnerId) {
  v1::Contract contract = ValidContract();
  contract.set_partner_id("");
  ExpectInvalid(contract, "contract.partner_id is missing");
  contract.set_partner_id("p/1");
  ExpectInvalid(contract, "contract.partner_id is invalid");
}

TEST(NormalizeContract, RejectsMissingRegions) {
  v1::Contract contract = ValidContract();
  contract.clear_regions();
  ExpectInvalid(contract, "contract.regions is missing");
}

TEST(NormalizeContract, RejectsBadRegion) {
  for (const std::string& region :
       std::vector<std::string>{"sp", "S P", "SP!", std::string(33, 'A'), std::string()}) {
    v1::Contract contract = ValidContract();
    contract.add_regions(region);
    ExpectInvalid(contract, "contract.regions[2]");
  }
}

TEST(NormalizeContract, AcceptsLongestRegion) {
  v1::Contract contract = ValidContract();
  contract.add_regions(std::string(32, 'A'));
  contract.add_regions("BR-SP-1");
  EXPECT_TRUE(NormalizeContract(contract).ok());
}

TEST(NormalizeContract, RejectsRepeatedRegion) {
  v1::Contract contract = ValidContract();
  contract.add_regions("SP");
  ExpectInvalid(contract, "contract.regions[2] is invalid");
}

TEST(NormalizeContract, RejectsTooManyRegions) {
  v1::Contract contract = ValidContract();
  contract.clear_regions();
  for (int i = 0; i <= kMaxScopeEntries; ++i) contract.add_regions("R" + std::to_string(i));
  ExpectInvalid(contract, "contract.regions is invalid");
}

TEST(NormalizeContract, RejectsCategoriesWithAllCategories) {
  v1::Contract contract = ValidContract();
  contract.add_product_categories("toys");
  ExpectInvalid(contract, "contract.product_categories is invalid");
}

TEST(NormalizeContract, RejectsNoCategories) {
  v1::Contract contract = ValidContract();
  contract.set_all_product_categories(false);
  ExpectInvalid(contract, "contract.product_categories is missing");
}

TEST(NormalizeContract, AcceptsListedCategories) {
  v1::Contract contract = ValidContract();
  contract.set_all_product_categories(false);
  contract.add_product_categories("health_beauty");
  contract.add_product_categories("cama mesa banho");
  contract.add_product_categories(std::string(64, 'x'));
  EXPECT_TRUE(NormalizeContract(contract).ok());
}

TEST(NormalizeContract, RejectsBadCategory) {
  for (const std::string& category : std::vector<std::string>{
           std::string(), std::string(65, 'x'), std::string("a\x01"), std::string("\xff\xfe")}) {
    v1::Contract contract = ValidContract();
    contract.set_all_product_categories(false);
    contract.add_product_categories("toys");
    contract.add_product_categories(category);
    ExpectInvalid(contract, "contract.product_categories[1]");
  }
}

TEST(NormalizeContract, RejectsRepeatedCategory) {
  v1::Contract contract = ValidContract();
  contract.set_all_product_categories(false);
  contract.add_product_categories("toys");
  contract.add_product_categories("toys");
  ExpectInvalid(contract, "contract.product_categories[1] is invalid");
}

TEST(NormalizeContract, RejectsMissingChannels) {
  v1::Contract contract = ValidContract();
  contract.clear_channels();
  ExpectInvalid(contract, "contract.channels is missing");
}

TEST(NormalizeContract, RejectsBadChannel) {
  for (const std::string& channel :
       std::vector<std::string>{"Web", "web shop", "web.shop", std::string(33, 'w'), ""}) {
    v1::Contract contract = ValidContract();
    contract.add_channels(channel);
    ExpectInvalid(contract, "contract.channels[1]");
  }
}

TEST(NormalizeContract, RejectsRepeatedChannel) {
  v1::Contract contract = ValidContract();
  contract.add_channels("marketplace");
  ExpectInvalid(contract, "contract.channels[1] is invalid");
}

TEST(NormalizeContract, RejectsMissingCurrency) {
  v1::Contract contract = ValidContract();
  contract.set_currency("");
  ExpectInvalid(contract, "contract.currency is missing");
}

TEST(NormalizeContract, RejectsUnknownCurrency) {
  for (const std::string& currency : std::vector<std::string>{"XYZ", "brl", "BRLL", "XAU"}) {
    v1::Contract contract = ValidContract();
    contract.set_currency(currency);
    ExpectInvalid(contract, "contract.currency is invalid");
  }
}

TEST(NormalizeContract, RejectsMissingTimeZone) {
  v1::Contract contract = ValidContract();
  contract.set_time_zone("");
  ExpectInvalid(contract, "contract.time_zone is missing");
}

TEST(NormalizeContract, RejectsUnknownTimeZone) {
  for (const std::string& zone : std::vector<std::string>{
           "Mars/Olympus_Mons", "America/Sao Paulo", "../../etc/passwd", "/etc/localtime",
           "America/../Europe/Paris", std::string(65, 'A')}) {
    v1::Contract contract = ValidContract();
    contract.set_time_zone(zone);
    ExpectInvalid(contract, "contract.time_zone is invalid");
  }
}

TEST(NormalizeContract, AcceptsOtherTimeZones) {
  for (const std::string& zone : std::vector<std::string>{
           "UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"}) {
    v1::Contract contract = ValidContract();
    contract.set_time_zone(zone);
    EXPECT_TRUE(NormalizeContract(contract).ok()) << zone;
  }
}

TEST(NormalizeContract, RejectsMissingTarget) {
  v1::Contract contract = ValidContract();
  contract.clear_monthly_target();
  ExpectInvalid(contract, "contract.monthly_target is missing");
}

TEST(NormalizeContract, RejectsTargetCurrencyMismatch) {
  v1::Contract contract = ValidContract();
  contract.mutable_monthly_target()->set_currency("EUR");
  ExpectInvalid(contract, "contract.monthly_target.currency is invalid");
}

TEST(NormalizeContract, RejectsMissingTargetCurrency) {
  v1::Contract contract = ValidContract();
  contract.mutable_monthly_target()->set_currency("");
  ExpectInvalid(contract, "contract.monthly_target.currency is missing");
}

TEST(NormalizeContract, RejectsBadTargetAmount) {
  for (const std::string& amount :
       std::vector<std::string>{"-1.00", "10.001", "1e3", "abc", " 10", "1,000.00"}) {
    v1::Contract contract = ValidContract();
    contract.mutable_monthly_target()->set_amount(amount);
    ExpectInvalid(contract, "contract.monthly_target.amount is invalid");
  }
}

TEST(NormalizeContract, RejectsMissingTargetAmount) {
  v1::Contract contract = ValidContract();
  contract.mutable_monthly_target()->set_amount("");
  ExpectInvalid(contract, "contract.monthly_target.amount is missing");
}

TEST(NormalizeContract, AcceptsZeroTarget) {
  v1::Contract contract = ValidContract();
  contract.mutable_monthly_target()->set_amount("0");
  auto result = NormalizeContract(contract);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->monthly_target().amount(), "0.00");
}

TEST(NormalizeContract, TargetFollowsCurrencyDecimals) {
  v1::Contract contract = ValidContract();
  contract.set_currency("JPY");
  contract.mutable_monthly_target()->set_currency("JPY");
  contract.mutable_monthly_target()->set_amount("1000.5");
  ExpectInvalid(contract, "contract.monthly_target.amount is invalid");
}

TEST(NormalizeContract, RejectsRateOutOfRange) {
  for (const std::string& rate : std::vector<std::string>{"1.01", "101%", "-0.1", "-1%", "2"}) {
    v1::Contract contract = ValidContract();
    contract.set_commission_rate(rate);
    ExpectInvalid(contract, "contract.commission_rate is invalid");
  }
}

TEST(NormalizeContract, RejectsMalformedRate) {
  for (const std::string& rate : std::vector<std::string>{"ten", "0,1", "10 %", "."}) {
    v1::Contract contract = ValidContract();
    contract.set_commission_rate(rate);
    ExpectInvalid(contract, "contract.commission_rate is invalid");
  }
}

TEST(NormalizeContract, RejectsMissingRate) {
  v1::Contract contract = ValidContract();
  contract.set_commission_rate("");
  ExpectInvalid(contract, "contract.commission_rate is missing");
}

TEST(NormalizeContract, AcceptsRateBounds) {
  for (const std::string& rate : std::vector<std::string>{"0", "1", "100%", "0%", "0.075"}) {
    v1::Contract contract = ValidContract();
    contract.set_commission_rate(rate);
    EXPECT_TRUE(NormalizeContract(contract).ok()) << rate;
  }
}

}  // namespace
}  // namespace consort::contract
