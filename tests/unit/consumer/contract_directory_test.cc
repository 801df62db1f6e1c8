#include "consumer/contract_directory.h"

#include "gtest/gtest.h"

namespace consort::consumer {
namespace {

consort::contract::v1::Contract ValidContract() {
  consort::contract::v1::Contract contract;
  contract.set_contract_id("c-1");
  contract.set_partner_id("p-1");
  contract.set_currency("BRL");
  contract.set_time_zone("America/Sao_Paulo");
  contract.mutable_monthly_target()->set_currency("BRL");
  contract.mutable_monthly_target()->set_amount("1000.00");
  contract.set_commission_rate("0.1");
  return contract;
}

TEST(ToContractTerms, ConvertsEveryField) {
  absl::StatusOr<ContractTerms> terms = ToContractTerms(ValidContract());
  ASSERT_TRUE(terms.ok()) << terms.status();
  EXPECT_EQ(terms->contract_id, "c-1");
  EXPECT_EQ(terms->partner_id, "p-1");
  EXPECT_EQ(terms->currency, "BRL");
  EXPECT_EQ(terms->time_zone, "America/Sao_Paulo");
  EXPECT_EQ(terms->monthly_target_minor, 100'000);
  EXPECT_EQ(terms->commission_rate, *money::Rate::Parse("10%"));
}

TEST(ToContractTerms, MissingRateIsZero) {
  consort::contract::v1::Contract contract = ValidContract();
  contract.clear_commission_rate();
  absl::StatusOr<ContractTerms> terms = ToContractTerms(contract);
  ASSERT_TRUE(terms.ok()) << terms.status();
  EXPECT_TRUE(terms->commission_rate.is_zero());
}

TEST(ToContractTerms, RejectsUnusableTerms) {
  const std::vector<std::pair<std::string, void (*)(consort::contract::v1::Contract&)>> cases = {
      {"currency", [](consort::contract::v1::Contract& c) { c.set_currency("XYZ"); }},
      {"time zone", [](consort::contract::v1::Contract& c) { c.set_time_zone("Mars/Base"); }},
      {"target",
       [](consort::contract::v1::Contract& c) { c.mutable_monthly_target()->set_amount("1.234"); }},
      {"rate text", [](consort::contract::v1::Contract& c) { c.set_commission_rate("ten"); }},
      {"rate above one", [](consort::contract::v1::Contract& c) { c.set_commission_rate("1.5"); }},
      {"negative rate", [](consort::contract::v1::Contract& c) { c.set_commission_rate("-0.1"); }},
  };
  for (const auto& [name, mutate] : cases) {
    consort::contract::v1::Contract contract = ValidContract();
    mutate(contract);
    EXPECT_EQ(ToContractTerms(contract).status().code(), absl::StatusCode::kFailedPrecondition)
        << name;
  }
}

TEST(IsTransient, RetriesOnlyTemporaryFailures) {
  EXPECT_TRUE(IsTransient(absl::UnavailableError("down")));
  EXPECT_TRUE(IsTransient(absl::DeadlineExceededError("slow")));
  EXPECT_FALSE(IsTransient(absl::NotFoundError("gone")));
  EXPECT_FALSE(IsTransient(absl::FailedPreconditionError("bad terms")));
}

}  // namespace
}  // namespace consort::consumer
