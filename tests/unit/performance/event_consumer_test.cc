#include "performance/event_consumer.h"

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "gtest/gtest.h"
#include "tests/support/test_redis.h"

namespace consort::performance {
namespace {

using testing::TestRedisAddress;
using testing::UniqueNamespace;

constexpr char kSales[] = "sales";
constexpr char kFeedback[] = "feedback";

class FakeContracts : public ContractLookup {
 public:
  absl::StatusOr<ContractTerms> GetContract(const std::string& contract_id) override {
    ++calls;
    if (failures_left > 0) {
      --failures_left;
      return absl::UnavailableError("contract service down");
    }
    if (contract_id != "c-1") return absl::NotFoundError("contract not found");
    return Terms();
  }

  absl::StatusOr<ContractTerms> GetActiveContract(const std::string& partner_id) override {
    ++calls;
    if (failures_left > 0) {
      --failures_left;
      return absl::UnavailableError("contract service down");
    }
    if (partner_id != "p-1") return absl::NotFoundError("no active contract");
    return Terms();
  }

  static ContractTerms Terms() {
    ContractTerms terms;
    terms.contract_id = "c-1";
    terms.partner_id = "p-1";
    terms.currency = "BRL";
    terms.time_zone = "America/Sao_Paulo";
    terms.monthly_target_minor = 100'000;
    return terms;
  }

  int failures_left = 0;
  int calls = 0;
};

class RecordingSink : public DeadLetterSink {
 public:
  absl::Status Send(const kafka::Message& message, const std::string& reason) override {
    sent.emplace_back(message.offset, reason);
    return absl::OkStatus();
  }
  std::vector<std::pair<int64_t, std::string>> sent;
};

kafka::Message SaleMessage(int64_t offset, const std::string& sale_id, int64_t amount,
                           const std::string& order_id, absl::Time time) {
  events::v1::SaleEvent sale;
  *sale.mutable_meta()->mutable_event_time() = ToProtoTimestamp(time);
  sale.set_sale_id(sale_id);
  sale.set_partner_id("p-1");
  sale.set_kind(amount > 0 ? events::v1::SALE_KIND_SALE : events::v1::SALE_KIND_REFUND);
  if (amount < 0) sale.set_original_sale_id("orig");
  sale.set_currency("BRL");
  sale.set_amount_minor(amount);
  sale.set_quantity(amount > 0 ? 1 : 0);
  sale.set_contract_id("c-1");
  sale.set_order_id(order_id);
  return {.topic = kSales,
          .partition = 0,
          .offset = offset,
          .key = "p-1",
          .payload = sale.SerializeAsString()};
}

kafka::Message FeedbackMessage(int64_t offset, const std::string& partner_id,
                               const std::string& feedback_id, int rating, absl::Time time) {
  events::v1::FeedbackEvent feedback;
  *feedback.mutable_meta()->mutable_event_time() = ToProtoTimestamp(time);
  feedback.set_feedback_id(feedback_id);
  feedback.set_partner_id(partner_id);
  feedback.set_rating(rating);
  feedback.set_complaint(rating <= 2);
  return {.topic = kFeedback,
          .partition = 1,
          .offset = offset,
          .key = partner_id,
          .payload = feedback.SerializeAsString()};
}

class EventConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CONSORT_REQUIRE_TEST_REDIS();
    pool_ = std::make_unique<redis::Pool>(TestRedisAddress(), "", 2, registry_);
    store_ = std::make_unique<PerformanceStore>(*pool_, UniqueNamespace(), "scores");
    EventConsumerOptions options;
    options.sales_topic = kSales;
    options.feedback_topic = kFeedback;
    options.min_backoff = absl::Milliseconds(1);
    options.max_backoff = absl::Milliseconds(5);
    consumer_ =
        std::make_unique<EventConsumer>(nullptr, contracts_, *store_, sink_, registry_, options);
  }

  ScorecardTotals March() {
    absl::StatusOr<ScorecardTotals> totals = store_->GetScorecard("p-1", "2024-03");
    EXPECT_TRUE(totals.ok()) << totals.status();
    return totals.value_or(ScorecardTotals{});
  }

  // 2024-03-15 12:00 UTC.
  const absl::Time mid_march_ = absl::FromUnixSeconds(1'710'504'000);
  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<PerformanceStore> store_;
  FakeContracts contracts_;
  RecordingSink sink_;
  std::unique_ptr<EventConsumer> consumer_;
};

TEST_F(EventConsumerTest, AppliesSalesRefundsAndFeedback) {
  std::vector<kafka::Message> batch = {
      SaleMessage(0, "a", 10'000, "o-1", mid_march_),
      SaleMessage(1, "b", 5'000, "o-1", mid_march_),
      SaleMessage(2, "a-r", -2'500, "", mid_march_),
      FeedbackMessage(0, "p-1", "f-1", 5, mid_march_),
      FeedbackMessage(1, "p-1", "f-2", 2, mid_march_),
  };
  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> offsets = consumer_->ProcessBatch(batch);
  ASSERT_TRUE(offsets.ok()) << offsets.status();
  EXPECT_EQ((*offsets)[kafka::TopicPartition(kSales, 0)], 3);
  EXPECT_EQ((*offsets)[kafka::TopicPartition(kFeedback, 1)], 2);

  ScorecardTotals march = March();
  EXPECT_EQ(march.gross_minor, 15'000);
  EXPECT_EQ(march.refunds_minor, 2'500);
  EXPECT_EQ(march.orders, 1);
  EXPECT_EQ(march.items, 2);
  EXPECT_EQ(march.feedback_count, 2);
  EXPECT_EQ(march.rating_sum, 7);
  EXPECT_EQ(march.complaints, 1);
  EXPECT_EQ(march.target_minor, 100'000);
  EXPECT_EQ(march.version, 1);

  absl::StatusOr<std::map<std::string, int64_t>> stored = store_->LoadOffsets();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ((*stored)["sales:0"], 3);
  EXPECT_EQ((*stored)["feedback:1"], 2);
}

TEST_F(EventConsumerTest, RedeliveredBatchChangesNothing) {
  std::vector<kafka::Message> batch = {SaleMessage(0, "a", 10'000, "o-1", mid_march_)};
  ASSERT_TRUE(consumer_->ProcessBatch(batch).ok());
  ASSERT_TRUE(consumer_->ProcessBatch(batch).ok());
  // The same sale published again at a later offset, as a relay may do after a crash.
  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(5, "a", 10'000, "o-1", mid_march_)}).ok());

  ScorecardTotals march = March();
  EXPECT_EQ(march.gross_minor, 10'000);
  EXPECT_EQ(march.version, 1);
  EXPECT_EQ((*store_->LoadOffsets())["sales:0"], 6);
}

TEST_F(EventConsumerTest, GarbageIsDeadLettered) {
  kafka::Message garbage{.topic = kSales, .partition = 0, .offset = 0, .payload = "\xff\xff\xff"};
  std::vector<kafka::Message> batch = {garbage, SaleMessage(1, "a", 100, "", mid_march_)};
  ASSERT_TRUE(consumer_->ProcessBatch(batch).ok());
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(sink_.sent[0].first, 0);
  EXPECT_EQ(consumer_->dead_lettered(), 1);
  EXPECT_EQ(March().gross_minor, 100);
  EXPECT_EQ((*store_->LoadOffsets())["sales:0"], 2);
}

TEST_F(EventConsumerTest, InvalidSaleIsDeadLetteredWithReason) {
  kafka::Message sale = SaleMessage(0, "a", 100, "", mid_march_);
  events::v1::SaleEvent event;
  ASSERT_TRUE(event.ParseFromString(sale.payload));
  event.set_currency("NOPE");
  sale.payload = event.SerializeAsString();
  ASSERT_TRUE(consumer_->ProcessBatch({sale}).ok());
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_NE(sink_.sent[0].second.find("currency"), std::string::npos) << sink_.sent[0].second;
}

TEST_F(EventConsumerTest, UnknownContractIsDeadLettered) {
  kafka::Message sale = SaleMessage(0, "a", 100, "", mid_march_);
  events::v1::SaleEvent event;
  ASSERT_TRUE(event.ParseFromString(sale.payload));
  event.set_contract_id("c-unknown");
  sale.payload = event.SerializeAsString();
  ASSERT_TRUE(consumer_->ProcessBatch({sale}).ok());
  EXPECT_EQ(sink_.sent.size(), 1u);
}

TEST_F(EventConsumerTest, PartnerWithoutActiveContractIsDeadLettered) {
  ASSERT_TRUE(consumer_->ProcessBatch({FeedbackMessage(0, "p-2", "f-1", 4, mid_march_)}).ok());
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(store_->ListPeriod("2024-03")->size(), 0u);
}

TEST_F(EventConsumerTest, UnreachableContractServiceIsRetriedNotDeadLettered) {
  contracts_.failures_left = 3;
  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(0, "a", 100, "", mid_march_)}).ok());
  EXPECT_TRUE(sink_.sent.empty());
  EXPECT_EQ(contracts_.calls, 4);
  EXPECT_EQ(March().gross_minor, 100);
}

TEST_F(EventConsumerTest, StopWhileContractServiceDownStoresNothing) {
  contracts_.failures_left = 1'000'000;
  consumer_->Stop();
  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> result =
      consumer_->ProcessBatch({SaleMessage(0, "a", 100, "", mid_march_)});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(store_->LoadOffsets()->empty());
}

TEST_F(EventConsumerTest, EventTimeInContractZoneChoosesMonth) {
  // 2024-04-01T02:30Z is 23:30 on 31 March in Sao Paulo.
  absl::Time late_march = absl::FromUnixSeconds(1'711'938'600);
  ASSERT_TRUE(consumer_->ProcessBatch({SaleMessage(0, "a", 100, "", late_march)}).ok());
  EXPECT_EQ(March().gross_minor, 100);
  EXPECT_EQ(store_->GetScorecard("p-1", "2024-04").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace consort::performance
