#include "services/communication/feedback_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "gtest/gtest.h"
#include "services/communication/communication_service.h"
#include "tests/unit/contract/redis_test_env.h"

namespace consort::communication {
namespace {

constexpr char kTopic[] = "consort.feedback.v1";

class FeedbackStoreTest : public testing::RedisStoreTest {
 protected:
  void SetUp() override {
    RedisStoreTest::SetUp();
    if (IsSkipped()) return;
    store_ = std::make_unique<FeedbackStore>(redis(), key_namespace(), kTopic);
  }

  static v1::Feedback Make(const std::string& id, const std::string& partner_id,
                           int64_t event_seconds, int rating = 4) {
    v1::Feedback feedback;
    feedback.set_feedback_id(id);
    feedback.set_partner_id(partner_id);
    feedback.set_rating(rating);
    feedback.set_complaint(rating <= 2);
    *feedback.mutable_event_time() = ToProtoTimestamp(absl::FromUnixSeconds(event_seconds));
    *feedback.mutable_record_time() = ToProtoTimestamp(absl::FromUnixSeconds(1700000000));
    return feedback;
  }

  absl::StatusOr<RecordResult> Record(const v1::Feedback& feedback) {
    return store_->Record(feedback, BuildFeedbackEvent(feedback));
  }

  int64_t OutboxLength() {
    auto length = redis().Run({"XLEN", store_->outbox_key()}, "test");
    return length.ok() ? length->integer : -1;
  }

  FeedbackStore& store() { return *store_; }

 private:
  std::unique_ptr<FeedbackStore> store_;
};

TEST_F(FeedbackStoreTest, RecordStoresFeedback) {
  auto result = Record(Make("f1", "p1", 1600000000));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->duplicate);
  auto page = store().List("p1", 10, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->feedback.size(), 1u);
  EXPECT_EQ(page->feedback[0].SerializeAsString(),
            Make("f1", "p1", 1600000000).SerializeAsString());
}

TEST_F(FeedbackStoreTest, RecordAppendsEvent) {
  ASSERT_TRUE(Record(Make("f1", "p1", 1600000000, 2)).ok());
  const auto entries = ReadOutbox(store().outbox_key());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].topic, kTopic);
  EXPECT_EQ(entries[0].key, "p1");

  events::v1::FeedbackEvent event;
  ASSERT_TRUE(event.ParseFromString(entries[0].payload));
  EXPECT_EQ(event.feedback_id(), "f1");
  EXPECT_EQ(event.partner_id(), "p1");
  EXPECT_EQ(event.rating(), 2);
  EXPECT_TRUE(event.complaint());
  EXPECT_EQ(event.meta().producer(), "communication");
  EXPECT_EQ(event.meta().event_time().seconds(), 1600000000);
  EXPECT_EQ(event.meta().record_time().seconds(), 1700000000);
  EXPECT_EQ(event.meta().event_id().size(), 36u);
}

TEST_F(FeedbackStoreTest, DuplicateReturnsStoredAndChangesNothing) {
  ASSERT_TRUE(Record(Make("f1", "p1", 1600000000, 5)).ok());
  auto second = Record(Make("f1", "p2", 1600000100, 1));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->feedback.partner_id(), "p1");
  EXPECT_EQ(second->feedback.rating(), 5);
  EXPECT_EQ(OutboxLength(), 1);
  auto other = store().List("p2", 10, "");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->feedback.empty());
}

TEST_F(FeedbackStoreTest, ListNewestFirstWithPages) {
  ASSERT_TRUE(Record(Make("old", "p1", 1500000000)).ok());
  ASSERT_TRUE(Record(Make("new", "p1", 1600000000)).ok());
  ASSERT_TRUE(Record(Make("mid", "p1", 1550000000)).ok());
  ASSERT_TRUE(Record(Make("other", "p2", 1650000000)).ok());

  auto first = store().List("p1", 2, "");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->feedback.size(), 2u);
  EXPECT_EQ(first->feedback[0].feedback_id(), "new");
  EXPECT_EQ(first->feedback[1].feedback_id(), "mid");
  ASSERT_FALSE(first->next_page_token.empty());

  auto second = store().List("p1", 2, first->next_page_token);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->feedback.size(), 1u);
  EXPECT_EQ(second->feedback[0].feedback_id(), "old");
  EXPECT_EQ(second->next_page_token, "");
}

TEST_F(FeedbackStoreTest, ListOrdersTimesBeforeEpoch) {
  ASSERT_TRUE(Record(Make("before", "p1", -1000)).ok());
  ASSERT_TRUE(Record(Make("after", "p1", 1000)).ok());
  auto page = store().List("p1", 10, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->feedback.size(), 2u);
  EXPECT_EQ(page->feedback[0].feedback_id(), "after");
  EXPECT_EQ(page->feedback[1].feedback_id(), "before");
}

TEST_F(FeedbackStoreTest, ListRejectsForeignToken) {
  auto page = store().List("p1", 10, "not-a-token");
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(FeedbackStoreTest, ListUnknownPartnerIsEmpty) {
  auto page = store().List("nobody", 10, "");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->feedback.empty());
}

TEST(FeedbackIndexMember, SortsAsTextInTimeOrder) {
  const std::string early = FeedbackStore::IndexMember(absl::FromUnixSeconds(-62135596800), "a");
  const std::string epoch = FeedbackStore::IndexMember(absl::UnixEpoch(), "a");
  const std::string late = FeedbackStore::IndexMember(absl::FromUnixSeconds(253402300799), "a");
  EXPECT_EQ(early, "000000000000000000:a");
  EXPECT_LT(early, epoch);
  EXPECT_LT(epoch, late);
  EXPECT_EQ(late.size(), 20u);
}

}  // namespace
}  // namespace consort::communication
