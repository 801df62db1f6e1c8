#include "services/contract/contract_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "gtest/gtest.h"
#include "tests/unit/contract/redis_test_env.h"

namespace consort::contract {
namespace {

constexpr char kTopic[] = "consort.contracts.v1";

class ContractStoreTest : public testing::RedisStoreTest {
 protected:
  void SetUp() override {
    RedisStoreTest::SetUp();
    if (IsSkipped()) return;
    store_ = std::make_unique<ContractStore>(redis(), key_namespace(), kTopic);
  }

  static v1::Contract Draft(const std::string& id, const std::string& partner_id) {
    v1::Contract contract;
    contract.set_contract_id(id);
    contract.set_partner_id(partner_id);
    contract.set_status(v1::CONTRACT_STATUS_DRAFT);
    contract.add_regions("SP");
    contract.set_all_product_categories(true);
    contract.add_channels("marketplace");
    contract.set_currency("BRL");
    contract.set_time_zone("America/Sao_Paulo");
    contract.mutable_monthly_target()->set_currency("BRL");
    contract.mutable_monthly_target()->set_amount("1000.00");
    contract.set_commission_rate("0.1");
    *contract.mutable_create_time() = ToProtoTimestamp(absl::FromUnixSeconds(1700000000));
    return contract;
  }

  ContractStore& store() { return *store_; }

 private:
  std::unique_ptr<ContractStore> store_;
};

TEST_F(ContractStoreTest, CreateThenGet) {
  auto created = store().Create(Draft("c1", "p1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created);
  auto stored = store().Get("c1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->SerializeAsString(), Draft("c1", "p1").SerializeAsString());
}

TEST_F(ContractStoreTest, CreateExistingReturnsStored) {
  ASSERT_TRUE(store().Create(Draft("c1", "p1")).ok());
  v1::Contract other = Draft("c1", "p1");
  other.set_commission_rate("0.2");
  auto second = store().Create(other);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->contract.commission_rate(), "0.1");
}

TEST_F(ContractStoreTest, HashHoldsStatusAndPartner) {
  ASSERT_TRUE(store().Create(Draft("c1", "p1")).ok());
  auto hash = redis().Run({"HGETALL", absl::StrCat(key_namespace(), "contract:c:c1")}, "test");
  ASSERT_TRUE(hash.ok());
  ASSERT_NE(redis::FindField(*hash, "status"), nullptr);
  EXPECT_EQ(*redis::FindField(*hash, "status"), "DRAFT");
  ASSERT_NE(redis::FindField(*hash, "partner_id"), nullptr);
  EXPECT_EQ(*redis::FindField(*hash, "partner_id"), "p1");
}

TEST_F(ContractStoreTest, GetUnknownIsNotFound) {
  auto stored = store().Get("nope");
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ContractStoreTest, ListPagesInIdOrder) {
  for (const char* id : {"c3", "c1", "c2", "c5", "c4"}) {
    ASSERT_TRUE(store().Create(Draft(id, "p1")).ok());
  }
  ASSERT_TRUE(store().Create(Draft("x1", "p2")).ok());

  auto first = store().List("p1", 2, "");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->contracts.size(), 2u);
  EXPECT_EQ(first->contracts[0].contract_id(), "c1");
  EXPECT_EQ(first->contracts[1].contract_id(), "c2");
  EXPECT_EQ(first->next_page_token, "c2");

  auto second = store().List("p1", 2, first->next_page_token);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->contracts.size(), 2u);
  EXPECT_EQ(second->contracts[0].contract_id(), "c3");

  auto last = store().List("p1", 2, second->next_page_token);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->contracts.size(), 1u);
  EXPECT_EQ(last->contracts[0].contract_id(), "c5");
  EXPECT_EQ(last->next_page_token, "");
}

TEST_F(ContractStoreTest, ListUnknownPartnerIsEmpty) {
  auto page = store().List("nobody", 10, "");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->contracts.empty());
  EXPECT_EQ(page->next_page_token, "");
}

TEST_F(ContractStoreTest, ActivateSetsStatusAndTime) {
  ASSERT_TRUE(store().Create(Draft("c1", "p1")).ok());
  const absl::Time now = absl::FromUnixSeconds(1700000100);
  auto activated = store().Activate("c1", now);
  ASSERT_TRUE(activated.ok()) << activated.status();
  EXPECT_TRUE(activated->activated);
  EXPECT_EQ(activated->contract.status(), v1::CONTRACT_STATUS_ACTIVE);
  EXPECT_EQ(activated->contract.activate_time().seconds(), 1700000100);

  auto stored = store().Get("c1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status(), v1::CONTRACT_STATUS_ACTIVE);
}

TEST_F(ContractStoreTest, ActivateTwiceChangesNothing) {
  ASSERT_TRUE(store().Create(Draft("c1", "p1")).ok());
  ASSERT_TRUE(store().Activate("c1", absl::FromUnixSeconds(1700000100)).ok());
  auto again = store().Activate("c1", absl::FromUnixSeconds(1700000200));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->activated);
  EXPECT_EQ(again->contract.activate_time().seconds(), 1700000100);
  auto length = redis().Run({"XLEN", store().outbox_key()}, "test");
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(length->integer, 1);
}

TEST_F(ContractStoreTest, ActivateUnknownIsNotFound) {
  auto activated = store().Activate("nope", absl::Now());
  EXPECT_EQ(activated.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ContractStoreTest, ActivateAppendsEventToOutbox) {
  ASSERT_TRUE(store().Create(Draft("c1", "p1")).ok());
  ASSERT_TRUE(store().Activate("c1", absl::FromUnixSeconds(1700000100)).ok());

  const auto entries = ReadOutbox(store().outbox_key());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].topic, kTopic);
  EXPECT_EQ(entries[0].key, "c1");

  events::v1::ContractEvent event;
  ASSERT_TRUE(event.ParseFromString(entries[0].payload));
  EXPECT_EQ(event.contract_id(), "c1");
  EXPECT_EQ(event.partner_id(), "p1");
  EXPECT_EQ(event.status(), v1::CONTRACT_STATUS_ACTIVE);
  EXPECT_EQ(event.currency(), "BRL");
  EXPECT_EQ(event.time_zone(), "America/Sao_Paulo");
  EXPECT_EQ(event.monthly_target_minor(), 100000);
  EXPECT_EQ(event.commission_rate(), "0.1");
  EXPECT_EQ(event.meta().producer(), "contract");
  EXPECT_EQ(event.meta().event_time().seconds(), 1700000100);
  EXPECT_EQ(event.meta().event_id().size(), 36u);
}

TEST_F(ContractStoreTest, ActiveContractsOnlyActive) {
  ASSERT_TRUE(store().Create(Draft("c1", "p1")).ok());
  ASSERT_TRUE(store().Create(Draft("c2", "p1")).ok());
  ASSERT_TRUE(store().Create(Draft("c3", "p2")).ok());
  ASSERT_TRUE(store().Activate("c2", absl::Now()).ok());
  ASSERT_TRUE(store().Activate("c3", absl::Now()).ok());

  const std::vector<std::string> partners = {"p1", "p2", "p3"};
  auto active = store().ActiveContracts(partners);
  ASSERT_TRUE(active.ok()) << active.status();
  ASSERT_EQ(active->count("p1"), 1u);
  ASSERT_EQ(active->at("p1").size(), 1u);
  EXPECT_EQ(active->at("p1")[0].contract_id(), "c2");
  ASSERT_EQ(active->count("p2"), 1u);
  EXPECT_EQ(active->at("p2")[0].contract_id(), "c3");
  EXPECT_EQ(active->count("p3"), 0u);
}

TEST_F(ContractStoreTest, KeysCarryNamespace) {
  ASSERT_TRUE(store().Create(Draft("c1", "p1")).ok());
  ASSERT_TRUE(store().Activate("c1", absl::Now()).ok());
  auto keys = redis().Run({"KEYS", absl::StrCat(key_namespace(), "contract:*")}, "test");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->elements.size(), 4u);
}

}  // namespace
}  // namespace consort::contract
