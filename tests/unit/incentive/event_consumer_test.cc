#include "incentive/event_consumer.h"

#include <memory>

#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/support/test_redis.h"

namespace consort::incentive {
namespace {

using testing::TestRedisAddress;
using testing::UniqueNamespace;

constexpr char kSales[] = "sales";

class FakeContracts : public consumer::ContractLookup {
 public:
  absl::StatusOr<consumer::ContractTerms> GetContract(const std::string& contract_id) override {
    ++calls;
    if (failures_left > 0) {
      --failures_left;
      return absl::UnavailableError("contract service down");
    }
    if (contract_id != "c-1") return absl::NotFoundError("contract not found");
    return consumer::ContractTerms{.contract_id = "c-1",
                                   .partner_id = "p-1",
                                   .currency = "BRL",
                                   .time_zone = "America/Sao_Paulo",
                                   .monthly_target_minor = 0,
                                   .commission_rate = *money::Rate::Parse("30%")};
  }

  absl::StatusOr<consumer::ContractTerms> GetActiveContract(const std::string&) override {
    return absl::UnimplementedError("not used by the incentive service");
  }

  int failures_left = 0;
  int calls = 0;
};

class RecordingSink : public consumer::DeadLetterSink {
 public:
  absl::Status Send(const kafka::Message& message, const std::string& reason) override {
    sent.emplace_back(message.offset, reason);
    return absl::OkStatus();
  }
  std::vector<std::pair<int64_t, std::string>> sent;
};

// 2024-03-15 12:00 UTC and 2024-04-15 12:00 UTC.
const absl::Time kMarch = absl::FromUnixSeconds(1'710'504'000);
const absl::Time kApril = absl::FromUnixSeconds(1'713'182'400);

kafka::Message SaleMessage(int64_t offset, const std::string& sale_id, int64_t amount,
                           absl::Time time, const std::string& original = "") {
  events::v1::SaleEvent sale;
  *sale.mutable_meta()->mutable_event_time() = ToProtoTimestamp(time);
  sale.set_sale_id(sale_id);
  sale.set_partner_id("p-1");
  sale.set_kind(amount > 0 ? events::v1::SALE_KIND_SALE : events::v1::SALE_KIND_REFUND);
  sale.set_original_sale_id(original);
  sale.set_currency("BRL");
  sale.set_amount_minor(amount);
  sale.set_quantity(amount > 0 ? 1 : 0);
  sale.set_contract_id("c-1");
  return {.topic = kSales,
          .partition = 0,
          .offset = offset,
          .key = "p-1",
          .payload = sale.SerializeAsString()};
}

class EventConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CONSORT_REQUIRE_TEST_REDIS();
    pool_ = std::make_unique<redis::Pool>(TestRedisAddress(), "", 2, registry_);
    store_ = std::make_unique<IncentiveStore>(*pool_, UniqueNamespace());
    EventConsumerOptions options;
    options.sales_topic = kSales;
    options.min_backoff = absl::Milliseconds(1);
    options.max_backoff = absl::Milliseconds(5);
    consumer_ =
        std::make_unique<EventConsumer>(nullptr, contracts_, *store_, sink_, registry_, options);
  }

  // Commission total of p-1 in `period`, in minor units; 0 when there is none.
  int64_t Total(const std::string& period) {
    absl::StatusOr<TotalsPage> page = store_->ListCommissionTotals(period, 10, "");
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok() || page->totals.empty()) return 0;
    return page->totals[0].commission_minor;
  }

  size_t LineCount(const std::string& period) {
    return store_->ListAccruals("p-1", period, 100, "")->lines.size();
  }

  double Accrued(const std::string& kind) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != "consort_commissions_accrued_total") continue;
      for (const auto& metric : family.metric) {
        for (const auto& label : metric.label) {
          if (label.name == "kind" && label.value == kind) return metric.counter.value;
        }
      }
    }
    return 0;
  }

  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<IncentiveStore> store_;
  FakeContracts contracts_;
  RecordingSink sink_;
  std::unique_ptr<EventConsumer> consumer_;
};

TEST_F(EventConsumerTest, AccruesSaleAndPartialRefunds) {
  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> offsets = consumer_->ProcessBatch(
      {SaleMessage(0, "s-1", 645, kMarch), SaleMessage(1, "r-1", -215, kMarch, "s-1")});
  ASSERT_TRUE(offsets.ok()) << offsets.status();
  EXPECT_EQ((*offsets)[kafka::TopicPartition(kSales, 0)], 2);
  EXPECT_EQ(Total("2024-03"), 194 - 65);

  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(2, "r-2", -430, kApril, "s-1")}).ok());
  EXPECT_EQ(Total("2024-04"), -129);
  EXPECT_EQ(store_->GetSale("s-1")->account.reversed.minor_units(), 194);
  EXPECT_EQ((*store_->LoadOffsets())["sales:0"], 3);
  EXPECT_DOUBLE_EQ(Accrued("commission"), 1.94);
  EXPECT_DOUBLE_EQ(Accrued("clawback"), 1.94);
}

TEST_F(EventConsumerTest, RedeliveredBatchChangesNothing) {
  std::vector<kafka::Message> batch = {SaleMessage(0, "s-1", 10'000, kMarch),
                                       SaleMessage(1, "r-1", -5'000, kMarch, "s-1")};
  ASSERT_TRUE(consumer_->ProcessBatch(batch).ok());
  ASSERT_TRUE(consumer_->ProcessBatch(batch).ok());
  // The same events published again at later offsets, as a relay may do after a crash.
  ASSERT_TRUE(consumer_
                  ->ProcessBatch({SaleMessage(7, "s-1", 10'000, kMarch),
                                  SaleMessage(8, "r-1", -5'000, kMarch, "s-1")})
                  .ok());
  EXPECT_EQ(Total("2024-03"), 1'500);
  EXPECT_EQ(LineCount("2024-03"), 2u);
  EXPECT_EQ((*store_->LoadOffsets())["sales:0"], 9);
}

TEST_F(EventConsumerTest, GarbageIsDeadLettered) {
  kafka::Message garbage{.topic = kSales, .partition = 0, .offset = 0, .payload = "\xff\xff\xff"};
  ASSERT_TRUE(consumer_->ProcessBatch({garbage, SaleMessage(1, "s-1", 100, kMarch)}).ok());
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(sink_.sent[0].first, 0);
  EXPECT_EQ(consumer_->dead_lettered(), 1);
  EXPECT_EQ(Total("2024-03"), 30);
  EXPECT_EQ((*store_->LoadOffsets())["sales:0"], 2);
}

TEST_F(EventConsumerTest, UnknownContractIsDeadLettered) {
  kafka::Message sale = SaleMessage(0, "s-1", 100, kMarch);
  events::v1::SaleEvent event;
  ASSERT_TRUE(event.ParseFromString(sale.payload));
  event.set_contract_id("c-unknown");
  sale.payload = event.SerializeAsString();
  ASSERT_TRUE(consumer_->ProcessBatch({sale}).ok());
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_NE(sink_.sent[0].second.find("not found"), std::string::npos) << sink_.sent[0].second;
}

TEST_F(EventConsumerTest, CurrencyOtherThanContractsIsDeadLettered) {
  kafka::Message sale = SaleMessage(0, "s-1", 100, kMarch);
  events::v1::SaleEvent event;
  ASSERT_TRUE(event.ParseFromString(sale.payload));
  event.set_currency("EUR");
  sale.payload = event.SerializeAsString();
  ASSERT_TRUE(consumer_->ProcessBatch({sale}).ok());
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(Total("2024-03"), 0);
}

TEST_F(EventConsumerTest, RefundOverWhatIsLeftIsDeadLettered) {
  ASSERT_TRUE(consumer_
                  ->ProcessBatch({SaleMessage(0, "s-1", 1'000, kMarch),
                                  SaleMessage(1, "r-1", -1'001, kMarch, "s-1")})
                  .ok());
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(sink_.sent[0].first, 1);
  EXPECT_EQ(Total("2024-03"), 300);
}

TEST_F(EventConsumerTest, RefundBeforeItsSaleIsParkedThenApplied) {
  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(0, "r-1", -215, kApril, "s-1")}).ok());
  EXPECT_EQ(Total("2024-04"), 0);
  EXPECT_TRUE(sink_.sent.empty());
  // The parked refund, delivered again, is not parked twice.
  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(0, "r-1", -215, kApril, "s-1")}).ok());

  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(1, "s-1", 645, kMarch)}).ok());
  EXPECT_EQ(Total("2024-03"), 194);
  EXPECT_EQ(Total("2024-04"), -65);
  EXPECT_EQ(store_->GetSale("s-1")->account.refunded.minor_units(), 215);

  // Once applied, the refund is a duplicate.
  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(0, "r-1", -215, kApril, "s-1")}).ok());
  EXPECT_EQ(Total("2024-04"), -65);
  EXPECT_EQ(LineCount("2024-04"), 1u);
}

TEST_F(EventConsumerTest, UnreachableContractServiceIsRetriedNotDeadLettered) {
  contracts_.failures_left = 3;
  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(0, "s-1", 100, kMarch)}).ok());
  EXPECT_TRUE(sink_.sent.empty());
  EXPECT_EQ(contracts_.calls, 4);
  EXPECT_EQ(Total("2024-03"), 30);
}

TEST_F(EventConsumerTest, StopWhileContractServiceDownStoresNothing) {
  contracts_.failures_left = 1'000'000;
  consumer_->Stop();
  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> result =
      consumer_->ProcessBatch({SaleMessage(0, "s-1", 100, kMarch)});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(store_->LoadOffsets()->empty());
}

TEST_F(EventConsumerTest, EventTimeInContractZoneChoosesMonth) {
  // 2024-04-01T02:30Z is 23:30 on 31 March in Sao Paulo.
  absl::Time late_march = absl::FromUnixSeconds(1'711'938'600);
  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(0, "s-1", 100, late_march)}).ok());
  EXPECT_EQ(Total("2024-03"), 30);
  EXPECT_EQ(Total("2024-04"), 0);
}

}  // namespace
}  // namespace consort::incentive
