#include "partner/partner_store.h"

#include <vector>

#include "consort/events/v1/events.pb.h"
#include "gtest/gtest.h"
#include "partner/partner_validation.h"
#include "tests/unit/partner/redis_fixture.h"
#include "tests/unit/partner/test_records.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::TestNow;
using ::consort::partner::testing::TestPartner;

class PartnerStoreTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped()) return;
    store_ = std::make_unique<PartnerStore>(redis(), keys(), "partners-topic");
  }

  // Returns the partner events in the outbox, oldest first; each entry's topic and key are checked.
  std::vector<events::v1::PartnerEvent> OutboxEvents() {
    std::vector<events::v1::PartnerEvent> events;
    auto entries = redis().Run({"XRANGE", keys().Outbox(), "-", "+"}, "test");
    EXPECT_TRUE(entries.ok()) << entries.status();
    if (!entries.ok()) return events;
    for (const redis::Reply& entry : entries->elements) {
      const redis::Reply& fields = entry.elements[1];
      events::v1::PartnerEvent event;
      EXPECT_TRUE(event.ParseFromString(*redis::FindField(fields, "payload")));
      EXPECT_EQ(*redis::FindField(fields, "topic"), "partners-topic");
      EXPECT_EQ(*redis::FindField(fields, "key"), event.partner().partner_id());
      events.push_back(std::move(event));
    }
    return events;
  }

  std::unique_ptr<PartnerStore> store_;
};

TEST_F(PartnerStoreTest, CreatePublishesPartnerEvent) {
  const v1::Partner partner = NewPartner(TestPartner("p-1"), TestNow());
  ASSERT_TRUE(store_->Create(partner).ok());
  const std::vector<events::v1::PartnerEvent> events = OutboxEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].created());
  EXPECT_EQ(events[0].partner().SerializeAsString(), partner.SerializeAsString());
  EXPECT_EQ(events[0].meta().producer(), "partner");
  EXPECT_EQ(events[0].meta().event_id().size(), 36u);
  EXPECT_EQ(events[0].meta().event_time().seconds(), partner.update_time().seconds());
}

TEST_F(PartnerStoreTest, CreateExistingPublishesNothing) {
  ASSERT_TRUE(store_->Create(TestPartner("p-1")).ok());
  ASSERT_TRUE(store_->Create(TestPartner("p-1")).ok());
  EXPECT_EQ(OutboxEvents().size(), 1u);
}

TEST_F(PartnerStoreTest, UpdatePublishesChangedPartner) {
  ASSERT_TRUE(store_->Create(TestPartner("p-1")).ok());
  auto updated = store_->Update("p-1", [](const v1::Partner& stored) {
    v1::Partner changed = stored;
    changed.set_status(v1::PARTNER_STATUS_SUSPENDED);
    return absl::StatusOr<v1::Partner>(changed);
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  const std::vector<events::v1::PartnerEvent> events = OutboxEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[1].created());
  EXPECT_EQ(events[1].partner().status(), v1::PARTNER_STATUS_SUSPENDED);
  EXPECT_NE(events[1].meta().event_id(), events[0].meta().event_id());
}

TEST_F(PartnerStoreTest, FailedUpdatePublishesNothing) {
  ASSERT_TRUE(store_->Create(TestPartner("p-1")).ok());
  auto updated = store_->Update("p-1", [](const v1::Partner&) {
    return absl::StatusOr<v1::Partner>(absl::InvalidArgumentError("rejected"));
  });
  EXPECT_FALSE(updated.ok());
  EXPECT_EQ(store_->Update("nobody", [](const v1::Partner& p) {
                     return absl::StatusOr<v1::Partner>(p);
                   }).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(OutboxEvents().size(), 1u);
}

TEST_F(PartnerStoreTest, CreateThenGet) {
  const v1::Partner partner = NewPartner(TestPartner("p-1"), TestNow());
  auto created = store_->Create(partner);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created);
  auto stored = store_->Get("p-1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->SerializeAsString(), partner.SerializeAsString());
}

TEST_F(PartnerStoreTest, CreateStoresStatusName) {
  ASSERT_TRUE(store_->Create(TestPartner("p-1", v1::PARTNER_STATUS_SUSPENDED)).ok());
  EXPECT_EQ(HashField(keys().Partner("p-1"), "status"), "PARTNER_STATUS_SUSPENDED");
}

TEST_F(PartnerStoreTest, CreateExistingReturnsStored) {
  ASSERT_TRUE(store_->Create(TestPartner("p-1")).ok());
  v1::Partner other = TestPartner("p-1");
  other.set_display_name("Other");
  auto second = store_->Create(other);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->partner.display_name(), "Loja p-1");
}

TEST_F(PartnerStoreTest, GetUnknownIsNotFound) {
  EXPECT_EQ(store_->Get("nobody").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PartnerStoreTest, ListPagesInIdOrder) {
  for (const char* id : {"c", "a", "e", "b", "d"})
    ASSERT_TRUE(store_->Create(TestPartner(id)).ok());
  auto first = store_->List("", 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->partners.size(), 2u);
  EXPECT_EQ(first->partners[0].partner_id(), "a");
  EXPECT_EQ(first->partners[1].partner_id(), "b");
  EXPECT_EQ(first->next_after, "b");

  auto second = store_->List(first->next_after, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->partners[0].partner_id(), "c");
  EXPECT_EQ(second->next_after, "d");

  auto last = store_->List(second->next_after, 2);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->partners.size(), 1u);
  EXPECT_EQ(last->partners[0].partner_id(), "e");
  EXPECT_TRUE(last->next_after.empty());
}

TEST_F(PartnerStoreTest, ListEmptyRegister) {
  auto page = store_->List("", 10);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->partners.empty());
  EXPECT_TRUE(page->next_after.empty());
}

TEST_F(PartnerStoreTest, ListExactPageHasNoNext) {
  for (const char* id : {"a", "b"}) ASSERT_TRUE(store_->Create(TestPartner(id)).ok());
  auto page = store_->List("", 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->partners.size(), 2u);
  EXPECT_TRUE(page->next_after.empty());
}

TEST_F(PartnerStoreTest, UpdateWritesProtoAndStatus) {
  ASSERT_TRUE(store_->Create(TestPartner("p-1")).ok());
  auto updated = store_->Update("p-1", [](const v1::Partner& stored) {
    v1::Partner next = stored;
    next.set_status(v1::PARTNER_STATUS_SUSPENDED);
    return absl::StatusOr<v1::Partner>(next);
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(store_->Get("p-1")->status(), v1::PARTNER_STATUS_SUSPENDED);
  EXPECT_EQ(HashField(keys().Partner("p-1"), "status"), "PARTNER_STATUS_SUSPENDED");
}

TEST_F(PartnerStoreTest, UpdateUnknownIsNotFound) {
  auto updated = store_->Update(
      "nobody", [](const v1::Partner& stored) { return absl::StatusOr<v1::Partner>(stored); });
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PartnerStoreTest, UpdatePassesMutationError) {
  ASSERT_TRUE(store_->Create(TestPartner("p-1")).ok());
  auto updated = store_->Update("p-1", [](const v1::Partner&) {
    return absl::StatusOr<v1::Partner>(absl::FailedPreconditionError("final"));
  });
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PartnerStoreTest, UpdateRetriesAfterConcurrentChange) {
  ASSERT_TRUE(store_->Create(TestPartner("p-1")).ok());
  int calls = 0;
  auto updated = store_->Update("p-1", [&](const v1::Partner& stored) {
    if (++calls == 1) {
      // Another writer changes the partner between this read and the write.
      v1::Partner concurrent = stored;
      concurrent.set_display_name("Concurrent");
      EXPECT_TRUE(
          redis()
              .Run({"HSET", keys().Partner("p-1"), "proto", concurrent.SerializeAsString()}, "test")
              .ok());
    }
    v1::Partner next = stored;
    next.set_home_region("RJ");
    return absl::StatusOr<v1::Partner>(next);
  });
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(updated->display_name(), "Concurrent");
  EXPECT_EQ(updated->home_region(), "RJ");
}

}  // namespace
}  // namespace consort::partner
