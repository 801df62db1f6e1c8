// Runs the real partner and contract binaries against the test run's Kafka and Redis and checks
// every ContractService RPC: the happy paths, each invalid field, and the contract events on
// Kafka.

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/events/v1/events.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/client_context.h"
#include "tests/support/partners.h"
#include "tests/support/service_process.h"
#include "tests/support/stack_test.h"
#include "tests/support/topic_reader.h"

namespace consort::contract {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<grpc::ClientContext> Context() {
  return testing::ContextWithDeadline(absl::Seconds(10));
}

class ContractIntegrationTest : public testing::SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    contracts_topic_ = absl::StrCat("consort.contracts.v1.", testing::UniqueSuffix());
    StartStack({"partner", "contract"}, {{"CONSORT_TOPIC_CONTRACTS", contracts_topic_}});
  }

  void SetUp() override {
    SharedStackTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    contracts_ = v1::ContractService::NewStub(stack().service("contract").Channel());
    partners_ = partner::v1::PartnerService::NewStub(stack().service("partner").Channel());
  }

  std::string NewPartner() { return testing::CreateTestPartner(*partners_); }

  static v1::Contract ValidContract(const std::string& partner_id) {
    v1::Contract contract;
    contract.set_contract_id(absl::StrCat("c-", testing::UniqueSuffix()));
    contract.set_partner_id(partner_id);
    contract.add_regions("SP");
    contract.add_regions("RJ");
    contract.add_product_categories("toys");
    contract.add_product_categories("health_beauty");
    contract.add_channels("marketplace");
    contract.set_currency("BRL");
    contract.set_time_zone("America/Sao_Paulo");
    contract.mutable_monthly_target()->set_currency("BRL");
    contract.mutable_monthly_target()->set_amount("1000");
    contract.set_commission_rate("10%");
    return contract;
  }

  grpc::Status Create(const v1::Contract& contract, v1::Contract* response) {
    v1::CreateContractRequest request;
    *request.mutable_contract() = contract;
    return contracts_->CreateContract(Context().get(), request, response);
  }

  grpc::Status Activate(const std::string& id, v1::Contract* response) {
    v1::ActivateContractRequest request;
    request.set_contract_id(id);
    return contracts_->ActivateContract(Context().get(), request, response);
  }

  // Creates and activates a valid contract of `partner_id` and returns it.
  v1::Contract ActiveContract(const std::string& partner_id) {
    v1::Contract created;
    auto status = Create(ValidContract(partner_id), &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    v1::Contract active;
    status = Activate(created.contract_id(), &active);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return active;
  }

  // Expects CreateContract to fail with INVALID_ARGUMENT naming `field`.
  void ExpectInvalid(const v1::Contract& contract, const std::string& field) {
    v1::Contract response;
    auto status = Create(contract, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(status.error_message(), HasSubstr(field));
  }

  v1::CheckCoverageResponse Cover(const std::vector<v1::CoverageQuery>& queries) {
    v1::CheckCoverageRequest request;
    for (const auto& query : queries) *request.add_queries() = query;
    v1::CheckCoverageResponse response;
    auto status = contracts_->CheckCoverage(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static v1::CoverageQuery Query(const std::string& partner_id, const std::string& region,
                                 const std::string& category, const std::string& channel) {
    v1::CoverageQuery query;
    query.set_partner_id(partner_id);
    query.set_region(region);
    query.set_product_category(category);
    query.set_channel(channel);
    return query;
  }

  static inline std::string contracts_topic_;
  std::unique_ptr<v1::ContractService::Stub> contracts_;
  std::unique_ptr<partner::v1::PartnerService::Stub> partners_;
};

TEST_F(ContractIntegrationTest, CreateReturnsDraft) {
  const std::string partner_id = NewPartner();
  v1::Contract created;
  auto status = Create(ValidContract(partner_id), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.status(), v1::CONTRACT_STATUS_DRAFT);
  EXPECT_TRUE(created.has_create_time());
  EXPECT_FALSE(created.has_activate_time());
  EXPECT_EQ(created.monthly_target().amount(), "1000.00");
  EXPECT_EQ(created.commission_rate(), "0.1");
}

TEST_F(ContractIntegrationTest, GetReturnsCreated) {
  const std::string partner_id = NewPartner();
  v1::Contract created;
  ASSERT_TRUE(Create(ValidContract(partner_id), &created).ok());
  v1::GetContractRequest request;
  request.set_contract_id(created.contract_id());
  v1::Contract fetched;
  auto status = contracts_->GetContract(Context().get(), request, &fetched);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
}

TEST_F(ContractIntegrationTest, GetUnknownIsNotFound) {
  v1::GetContractRequest request;
  request.set_contract_id("no-such-contract");
  v1::Contract fetched;
  EXPECT_EQ(contracts_->GetContract(Context().get(), request, &fetched).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContractIntegrationTest, GetInvalidIdIsInvalidArgument) {
  v1::GetContractRequest request;
  request.set_contract_id("bad id");
  v1::Contract fetched;
  EXPECT_EQ(contracts_->GetContract(Context().get(), request, &fetched).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContractIntegrationTest, CreateSameFieldsIsIdempotent) {
  const std::string partner_id = NewPartner();
  v1::Contract contract = ValidContract(partner_id);
  v1::Contract first;
  ASSERT_TRUE(Create(contract, &first).ok());
  contract.set_commission_rate("0.10");
  v1::Contract second;
  auto status = Create(contract, &second);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
}

TEST_F(ContractIntegrationTest, CreateDifferentFieldsAlreadyExists) {
  const std::string partner_id = NewPartner();
  v1::Contract contract = ValidContract(partner_id);
  v1::Contract first;
  ASSERT_TRUE(Create(contract, &first).ok());
  contract.set_commission_rate("0.2");
  v1::Contract second;
  EXPECT_EQ(Create(contract, &second).error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(ContractIntegrationTest, CreateWithoutContractIsInvalid) {
  v1::CreateContractRequest request;
  v1::Contract response;
  auto status = contracts_->CreateContract(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("contract is missing"));
}

TEST_F(ContractIntegrationTest, UnknownPartnerIsFailedPrecondition) {
  v1::Contract response;
  auto status = Create(ValidContract("nobody-" + testing::UniqueSuffix()), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("not found"));
}

TEST_F(ContractIntegrationTest, RejectsEachInvalidField) {
  const std::string partner_id = NewPartner();
  struct Case {
    std::string field;
    std::function<void(v1::Contract&)> change;
  };
  const std::vector<Case> cases = {
      {"contract.contract_id is missing", [](v1::Contract& c) { c.clear_contract_id(); }},
      {"contract.contract_id is invalid", [](v1::Contract& c) { c.set_contract_id("a b"); }},
      {"contract.contract_id is invalid",
       [](v1::Contract& c) { c.set_contract_id(std::string(65, 'c')); }},
      {"contract.partner_id is missing", [](v1::Contract& c) { c.clear_partner_id(); }},
      {"contract.partner_id is invalid",
       [](v1::Contract& c) { c.set_partner_id(std::string(65, 'p')); }},
      {"contract.regions is missing", [](v1::Contract& c) { c.clear_regions(); }},
      {"contract.regions[2] is invalid", [](v1::Contract& c) { c.add_regions("sp"); }},
      {"contract.regions[2] is invalid",
       [](v1::Contract& c) { c.add_regions(std::string(33, 'A')); }},
      {"contract.regions[2] is invalid", [](v1::Contract& c) { c.add_regions("SP"); }},
      {"contract.product_categories is missing",
       [](v1::Contract& c) { c.clear_product_categories(); }},
      {"contract.product_categories is invalid",
       [](v1::Contract& c) { c.set_all_product_categories(true); }},
      {"contract.product_categories[2] is invalid",
       [](v1::Contract& c) { c.add_product_categories(std::string(65, 'x')); }},
      {"contract.channels is missing", [](v1::Contract& c) { c.clear_channels(); }},
      {"contract.channels[1] is invalid", [](v1::Contract& c) { c.add_channels("Web Shop"); }},
      {"contract.channels[1] is invalid",
       [](v1::Contract& c) { c.add_channels(std::string(33, 'w')); }},
      {"contract.currency is missing", [](v1::Contract& c) { c.clear_currency(); }},
      {"contract.currency is invalid", [](v1::Contract& c) { c.set_currency("BRX"); }},
      {"contract.time_zone is missing", [](v1::Contract& c) { c.clear_time_zone(); }},
      {"contract.time_zone is invalid", [](v1::Contract& c) { c.set_time_zone("Mars/Base"); }},
      {"contract.monthly_target is missing", [](v1::Contract& c) { c.clear_monthly_target(); }},
      {"contract.monthly_target.currency is invalid",
       [](v1::Contract& c) { c.mutable_monthly_target()->set_currency("USD"); }},
      {"contract.monthly_target.amount is invalid",
       [](v1::Contract& c) { c.mutable_monthly_target()->set_amount("-5"); }},
      {"contract.monthly_target.amount is invalid",
       [](v1::Contract& c) { c.mutable_monthly_target()->set_amount("1.001"); }},
      {"contract.commission_rate is missing", [](v1::Contract& c) { c.clear_commission_rate(); }},
      {"contract.commission_rate is invalid",
       [](v1::Contract& c) { c.set_commission_rate("1.5"); }},
      {"contract.commission_rate is invalid",
       [](v1::Contract& c) { c.set_commission_rate("-1%"); }},
      {"contract.commission_rate is invalid",
       [](v1::Contract& c) { c.set_commission_rate("abc"); }},
  };
  for (const Case& test_case : cases) {
    v1::Contract contract = ValidContract(partner_id);
    test_case.change(contract);
    ExpectInvalid(contract, test_case.field);
  }
}

TEST_F(ContractIntegrationTest, InvalidContractIsNotStored) {
  const std::string partner_id = NewPartner();
  v1::Contract contract = ValidContract(partner_id);
  contract.set_time_zone("Nowhere/Land");
  v1::Contract response;
  ASSERT_EQ(Create(contract, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetContractRequest request;
  request.set_contract_id(contract.contract_id());
  EXPECT_EQ(contracts_->GetContract(Context().get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContractIntegrationTest, ListPagesByContractId) {
  const std::string partner_id = NewPartner();
  for (const char* suffix : {"b", "c", "a"}) {
    v1::Contract contract = ValidContract(partner_id);
    contract.set_contract_id(absl::StrCat(partner_id, "-", suffix));
    v1::Contract created;
    ASSERT_TRUE(Create(contract, &created).ok());
  }

  v1::ListContractsRequest request;
  request.set_partner_id(partner_id);
  request.set_page_size(2);
  v1::ListContractsResponse first;
  ASSERT_TRUE(contracts_->ListContracts(Context().get(), request, &first).ok());
  ASSERT_EQ(first.contracts_size(), 2);
  EXPECT_EQ(first.contracts(0).contract_id(), partner_id + "-a");
  EXPECT_EQ(first.contracts(1).contract_id(), partner_id + "-b");
  ASSERT_FALSE(first.next_page_token().empty());

  request.set_page_token(first.next_page_token());
  v1::ListContractsResponse second;
  ASSERT_TRUE(contracts_->ListContracts(Context().get(), request, &second).ok());
  ASSERT_EQ(second.contracts_size(), 1);
  EXPECT_EQ(second.contracts(0).contract_id(), partner_id + "-c");
  EXPECT_EQ(second.next_page_token(), "");
}

TEST_F(ContractIntegrationTest, ListRejectsBadPageSize) {
  v1::ListContractsRequest request;
  request.set_partner_id("p1");
  request.set_page_size(1001);
  v1::ListContractsResponse response;
  EXPECT_EQ(contracts_->ListContracts(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_page_size(-1);
  EXPECT_EQ(contracts_->ListContracts(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContractIntegrationTest, ListRejectsMissingPartner) {
  v1::ListContractsRequest request;
  v1::ListContractsResponse response;
  EXPECT_EQ(contracts_->ListContracts(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContractIntegrationTest, ActivateSetsActive) {
  const std::string partner_id = NewPartner();
  v1::Contract active = ActiveContract(partner_id);
  EXPECT_EQ(active.status(), v1::CONTRACT_STATUS_ACTIVE);
  EXPECT_TRUE(active.has_activate_time());
}

TEST_F(ContractIntegrationTest, ActivateTwiceReturnsSame) {
  const std::string partner_id = NewPartner();
  v1::Contract active = ActiveContract(partner_id);
  v1::Contract again;
  ASSERT_TRUE(Activate(active.contract_id(), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), active.SerializeAsString());
}

TEST_F(ContractIntegrationTest, ActivateUnknownIsNotFound) {
  v1::Contract response;
  EXPECT_EQ(Activate("never-created", &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContractIntegrationTest, ActivateMissingIdIsInvalid) {
  v1::Contract response;
  EXPECT_EQ(Activate("", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContractIntegrationTest, ActivationPublishesEvent) {
  const std::string partner_id = NewPartner();
  v1::Contract active = ActiveContract(partner_id);

  auto by_id = testing::ReadEventsById<events::v1::ContractEvent>(
      testing::KafkaBootstrap(), contracts_topic_, {active.contract_id()}, absl::Seconds(30));
  ASSERT_EQ(by_id.count(active.contract_id()), 1u)
      << "no event for " << active.contract_id() << " on " << contracts_topic_;
  const events::v1::ContractEvent& found = by_id[active.contract_id()];
  EXPECT_EQ(found.partner_id(), partner_id);
  EXPECT_EQ(found.status(), v1::CONTRACT_STATUS_ACTIVE);
  EXPECT_EQ(found.currency(), "BRL");
  EXPECT_EQ(found.time_zone(), "America/Sao_Paulo");
  EXPECT_EQ(found.monthly_target_minor(), 100000);
  EXPECT_EQ(found.commission_rate(), "0.1");
  EXPECT_EQ(found.meta().producer(), "contract");
}

TEST_F(ContractIntegrationTest, CoverageFindsActiveContract) {
  const std::string partner_id = NewPartner();
  v1::Contract active = ActiveContract(partner_id);
  auto response = Cover({Query(partner_id, "RJ", "toys", "marketplace")});
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_TRUE(response.results(0).covered());
  EXPECT_EQ(response.results(0).contract_id(), active.contract_id());
  EXPECT_EQ(response.results(0).currency(), "BRL");
  EXPECT_EQ(response.results(0).time_zone(), "America/Sao_Paulo");
  EXPECT_EQ(response.results(0).commission_rate(), "0.1");
}

TEST_F(ContractIntegrationTest, CoverageIgnoresDraft) {
  const std::string partner_id = NewPartner();
  v1::Contract created;
  ASSERT_TRUE(Create(ValidContract(partner_id), &created).ok());
  auto response = Cover({Query(partner_id, "SP", "toys", "marketplace")});
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_FALSE(response.results(0).covered());
  EXPECT_THAT(response.results(0).reason(), HasSubstr("no active contract"));
}

TEST_F(ContractIntegrationTest, CoverageRegionOutOfScope) {
  const std::string partner_id = NewPartner();
  ActiveContract(partner_id);
  auto response = Cover({Query(partner_id, "MG", "toys", "marketplace")});
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_FALSE(response.results(0).covered());
  EXPECT_THAT(response.results(0).reason(), HasSubstr("region \"MG\""));
}

TEST_F(ContractIntegrationTest, CoverageCategoryOutOfScope) {
  const std::string partner_id = NewPartner();
  ActiveContract(partner_id);
  auto response = Cover({Query(partner_id, "SP", "books", "marketplace")});
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_FALSE(response.results(0).covered());
  EXPECT_THAT(response.results(0).reason(), HasSubstr("product category \"books\""));
}

TEST_F(ContractIntegrationTest, CoverageChannelOutOfScope) {
  const std::string partner_id = NewPartner();
  ActiveContract(partner_id);
  auto response = Cover({Query(partner_id, "SP", "toys", "web")});
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_FALSE(response.results(0).covered());
  EXPECT_THAT(response.results(0).reason(), HasSubstr("channel \"web\""));
}

TEST_F(ContractIntegrationTest, CoverageMalformedQueryNamesField) {
  auto response = Cover({Query("p1", "", "toys", "marketplace")});
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_FALSE(response.results(0).covered());
  EXPECT_THAT(response.results(0).reason(), HasSubstr("region is missing"));
}

TEST_F(ContractIntegrationTest, CoverageRejectsOverThousandQueries) {
  v1::CheckCoverageRequest request;
  for (int i = 0; i < 1001; ++i) *request.add_queries() = Query("p1", "SP", "toys", "web");
  v1::CheckCoverageResponse response;
  EXPECT_EQ(contracts_->CheckCoverage(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContractIntegrationTest, CoverageThousandPartnersIsFast) {
  std::vector<v1::CoverageQuery> queries;
  for (int i = 0; i < 1000; ++i) {
    const std::string partner_id = NewPartner();
    ActiveContract(partner_id);
    queries.push_back(Query(partner_id, "SP", "toys", "marketplace"));
  }
  v1::CheckCoverageRequest request;
  for (const auto& query : queries) *request.add_queries() = query;

  // The best of five calls, so that one call slowed by other work on the machine does not fail
  // the test.
  auto best = std::chrono::steady_clock::duration::max();
  for (int round = 0; round < 5; ++round) {
    v1::CheckCoverageResponse response;
    const auto start = std::chrono::steady_clock::now();
    const grpc::Status status = contracts_->CheckCoverage(Context().get(), request, &response);
    best = std::min(best, std::chrono::steady_clock::now() - start);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.results_size(), 1000);
    for (const auto& result : response.results()) ASSERT_TRUE(result.covered());
  }
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(best).count(), 50);
}

TEST_F(ContractIntegrationTest, CoverageBatchKeepsOrder) {
  std::vector<std::string> partner_ids;
  for (int i = 0; i < 20; ++i) {
    partner_ids.push_back(NewPartner());
    ActiveContract(partner_ids.back());
  }
  std::vector<v1::CoverageQuery> queries;
  for (int i = 0; i < 1000; ++i) {
    const std::string region = i % 3 == 0 ? "MG" : "SP";
    queries.push_back(Query(partner_ids[i % partner_ids.size()], region, "toys", "marketplace"));
  }

  const v1::CheckCoverageResponse response = Cover(queries);
  ASSERT_EQ(response.results_size(), 1000);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(response.results(i).covered(), i % 3 != 0) << i;
  }
}

}  // namespace
}  // namespace consort::contract
