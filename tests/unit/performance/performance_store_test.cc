#include "performance/performance_store.h"

#include "gtest/gtest.h"
#include "tests/support/test_redis.h"

namespace consort::performance {
namespace {

using testing::TestRedisAddress;
using testing::UniqueNamespace;

class PerformanceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CONSORT_REQUIRE_TEST_REDIS();
    pool_ = std::make_unique<redis::Pool>(TestRedisAddress(), "", 2, registry_);
    namespace_ = UniqueNamespace();
    store_ = std::make_unique<PerformanceStore>(
        *pool_, namespace_, "scores-topic",
        consumer::RetentionOptions{.retention = kRetention, .clock = [this] { return now_; }});
  }

  static constexpr absl::Duration kRetention = absl::Hours(24 * 7);

  // Builds the write of a new or changed scorecard.
  static ScorecardWrite Write(const std::string& period, const std::string& partner_id,
                              int64_t expected_version, std::vector<std::string> event_ids) {
    ScorecardWrite write;
    write.totals.period = period;
    write.totals.partner_id = partner_id;
    write.totals.currency = "BRL";
    write.totals.contract_id = "c-1";
    write.totals.gross_minor = 1000 * (expected_version + 1);
    write.totals.refunds_minor = 100;
    write.totals.orders = 2;
    write.totals.items = 3;
    write.totals.feedback_count = 4;
    write.totals.rating_sum = 17;
    write.totals.complaints = 1;
    write.totals.target_minor = 100'000;
    write.totals.version = expected_version + 1;
    write.totals.update_time = absl::FromUnixMillis(1'700'000'000'123);
    write.expected_version = expected_version;
    write.event_ids = std::move(event_ids);
    write.new_order_ids = {"o-1", "o-2"};
    write.score_event = "payload-" + partner_id;
    return write;
  }

  int64_t Count(const redis::Command& command) {
    absl::StatusOr<redis::Reply> reply = pool_->Run(command, "test");
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? reply->integer : -1;
  }

  // Whether the partner's dedup set contains `id`, whatever its age.
  bool InDedupSet(const std::string& partner_id, const std::string& id) {
    absl::StatusOr<redis::Reply> reply =
        pool_->Run({"ZSCORE", namespace_ + "performance:dedup:" + partner_id, id}, "test");
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() && !reply->is_nil();
  }

  bool SnapshotSeen(const std::string& partner_id, const std::string& id) {
    SnapshotRequest request;
    request.event_ids[partner_id] = {id};
    absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot(request);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() &&
           snapshot->seen_events.contains(std::pair<std::string, std::string>(partner_id, id));
  }

  prometheus::Registry registry_;
  std::unique_ptr<redis::Pool> pool_;
  std::string namespace_;
  // The store's clock: the apply time of what it commits and the end of the retention window.
  absl::Time now_ = absl::Now();
  std::unique_ptr<PerformanceStore> store_;
};

TEST_F(PerformanceStoreTest, CommitThenGetReturnsTotals) {
  ScorecardWrite write = Write("2024-03", "p-1", 0, {"s:a", "s:b"});
  ASSERT_TRUE(store_->Commit({write}, {{"sales:0", 12}}).ok());

  absl::StatusOr<ScorecardTotals> stored = store_->GetScorecard("p-1", "2024-03");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, write.totals);
}

TEST_F(PerformanceStoreTest, MissingScorecardIsNotFound) {
  EXPECT_EQ(store_->GetScorecard("p-1", "2024-03").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PerformanceStoreTest, CommitAppendsScoreEventToOutbox) {
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:a"})}, {}).ok());
  absl::StatusOr<redis::Reply> entries =
      pool_->Run({"XRANGE", store_->outbox_key(), "-", "+"}, "test");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->elements.size(), 1u);
  const redis::Reply& fields = entries->elements[0].elements[1];
  EXPECT_EQ(*redis::FindField(fields, "topic"), "scores-topic");
  EXPECT_EQ(*redis::FindField(fields, "key"), "p-1");
  EXPECT_EQ(*redis::FindField(fields, "payload"), "payload-p-1");
}

TEST_F(PerformanceStoreTest, SnapshotShowsSeenEventsAndKnownOrders) {
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:a"})}, {}).ok());
  SnapshotRequest request;
  const ScorecardKey key{"2024-03", "p-1"};
  const ScorecardKey absent{"2024-04", "p-1"};
  request.scorecards = {key, absent};
  request.event_ids["p-1"] = {"s:a", "s:new"};
  request.order_ids[key] = {"o-1", "o-9"};

  absl::StatusOr<Snapshot> snapshot = store_->ReadSnapshot(request);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->scorecards[key].version, 1);
  EXPECT_EQ(snapshot->scorecards[absent].version, 0);
  EXPECT_EQ(snapshot->scorecards[absent].partner_id, "p-1");
  EXPECT_TRUE(snapshot->seen_events.contains(std::pair<std::string, std::string>("p-1", "s:a")));
  EXPECT_FALSE(snapshot->seen_events.contains(std::pair<std::string, std::string>("p-1", "s:new")));
  EXPECT_TRUE(snapshot->known_orders.contains(std::pair<ScorecardKey, std::string>(key, "o-1")));
  EXPECT_FALSE(snapshot->known_orders.contains(std::pair<ScorecardKey, std::string>(key, "o-9")));
}

TEST_F(PerformanceStoreTest, StaleVersionAbortsWithoutChange) {
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:a"})}, {{"sales:0", 1}}).ok());

  // A second writer computed from version 0 as well, for another scorecard and this one.
  absl::StatusOr<int64_t> status = store_->Commit(
      {Write("2024-03", "p-2", 0, {"s:x"}), Write("2024-03", "p-1", 0, {"s:b"})}, {{"sales:0", 5}});
  EXPECT_EQ(status.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->GetScorecard("p-2", "2024-03").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*store_->LoadOffsets())["sales:0"], 1);
  EXPECT_FALSE(InDedupSet("p-1", "s:b"));
  EXPECT_EQ(Count({"XLEN", store_->outbox_key()}), 1);
}

TEST_F(PerformanceStoreTest, AppliedEventIdAbortsAgain) {
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:a"})}, {}).ok());
  // Same event, now planned against another month's scorecard.
  EXPECT_EQ(store_->Commit({Write("2024-04", "p-1", 0, {"s:a"})}, {}).status().code(),
            absl::StatusCode::kAborted);
}

TEST_F(PerformanceStoreTest, DuplicateWithinRetentionIsSeen) {
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:a"})}, {}).ok());
  now_ += kRetention - absl::Minutes(1);

  EXPECT_TRUE(SnapshotSeen("p-1", "s:a"));
  EXPECT_EQ(store_->Commit({Write("2024-04", "p-1", 0, {"s:a"})}, {}).status().code(),
            absl::StatusCode::kAborted);
}

TEST_F(PerformanceStoreTest, IdsOlderThanRetentionAreTrimmed) {
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:a", "s:b"})}, {}).ok());
  now_ += kRetention;

  absl::StatusOr<int64_t> trimmed = store_->Commit({Write("2024-03", "p-1", 1, {"s:c"})}, {});
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 2);
  EXPECT_FALSE(InDedupSet("p-1", "s:a"));
  EXPECT_FALSE(InDedupSet("p-1", "s:b"));
  EXPECT_TRUE(InDedupSet("p-1", "s:c"));
}

TEST_F(PerformanceStoreTest, DedupSetExpiresOneRetentionAfterLastWrite) {
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:a"})}, {}).ok());
  const int64_t ttl_ms = Count({"PTTL", namespace_ + "performance:dedup:p-1"});
  EXPECT_GT(ttl_ms, 0);
  EXPECT_LE(ttl_ms, absl::ToInt64Milliseconds(kRetention));

  // Written by a commit whose apply time lies more than a retention in the past, the set's
  // expiry time has passed already, so Redis removes it.
  now_ = absl::Now() - kRetention - absl::Minutes(1);
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-2", 0, {"s:x"})}, {}).ok());
  EXPECT_EQ(Count({"EXISTS", namespace_ + "performance:dedup:p-2"}), 0);
}

TEST_F(PerformanceStoreTest, DuplicateAfterRetentionIsAppliedAgain) {
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:a"})}, {}).ok());
  now_ += kRetention + absl::Hours(1);

  // The id is still in Redis until a commit trims it, but it no longer counts.
  EXPECT_TRUE(InDedupSet("p-1", "s:a"));
  EXPECT_FALSE(SnapshotSeen("p-1", "s:a"));
  absl::StatusOr<int64_t> again = store_->Commit({Write("2024-03", "p-1", 1, {"s:a"})}, {});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(store_->GetScorecard("p-1", "2024-03")->version, 2);
  EXPECT_TRUE(SnapshotSeen("p-1", "s:a"));
}

TEST_F(PerformanceStoreTest, SeenSetOfOlderReleaseIsStillRead) {
  const std::string seen_key = namespace_ + "performance:seen:p-1";
  ASSERT_EQ(Count({"SADD", seen_key, "s:old"}), 1);
  now_ += 10 * kRetention;

  EXPECT_TRUE(SnapshotSeen("p-1", "s:old"));
  EXPECT_EQ(store_->Commit({Write("2024-03", "p-1", 0, {"s:old"})}, {}).status().code(),
            absl::StatusCode::kAborted);
  ASSERT_TRUE(store_->Commit({Write("2024-03", "p-1", 0, {"s:new"})}, {}).ok());
  EXPECT_EQ(Count({"SCARD", seen_key}), 1);
}

TEST_F(PerformanceStoreTest, OffsetsNeverMoveBackwards) {
  ASSERT_TRUE(store_->Commit({}, {{"sales:0", 10}, {"feedback:1", 3}}).ok());
  ASSERT_TRUE(store_->Commit({}, {{"sales:0", 7}, {"feedback:1", 4}}).ok());
  absl::StatusOr<std::map<std::string, int64_t>> offsets = store_->LoadOffsets();
  ASSERT_TRUE(offsets.ok()) << offsets.status();
  EXPECT_EQ((*offsets)["sales:0"], 10);
  EXPECT_EQ((*offsets)["feedback:1"], 4);
}

TEST_F(PerformanceStoreTest, LargeBatchCommitsInOneScript) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back("s:" + std::to_string(i));
  ScorecardWrite write = Write("2024-03", "p-1", 0, ids);
  ASSERT_TRUE(store_->Commit({write}, {{"sales:0", 5000}}).ok());
  EXPECT_EQ(Count({"ZCARD", namespace_ + "performance:dedup:p-1"}), 5000);
}

TEST_F(PerformanceStoreTest, ListsByPeriodThenPartner) {
  ASSERT_TRUE(store_
                  ->Commit({Write("2024-04", "a", 0, {"s:1"}), Write("2024-03", "b", 0, {"s:2"}),
                            Write("2024-03", "a-x", 0, {"s:3"}), Write("2024-03", "a", 0, {"s:4"})},
                           {})
                  .ok());
  absl::StatusOr<ScorecardPage> page = store_->ListScorecards("", 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<std::string> order;
  for (const ScorecardTotals& totals : page->scorecards) {
    order.push_back(totals.period + "/" + totals.partner_id);
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"2024-03/a", "2024-03/a-x", "2024-03/b", "2024-04/a"}));
  EXPECT_EQ(page->next_page_token, "");
}

TEST_F(PerformanceStoreTest, PagesFollowEachOther) {
  std::vector<ScorecardWrite> writes;
  for (int i = 0; i < 7; ++i) {
    writes.push_back(Write("2024-03", "p" + std::to_string(i), 0, {"s:" + std::to_string(i)}));
  }
  writes.push_back(Write("2024-05", "p0", 0, {"s:other"}));
  ASSERT_TRUE(store_->Commit(writes, {}).ok());

  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<ScorecardPage> page = store_->ListScorecards("2024-03", 3, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const ScorecardTotals& totals : page->scorecards) seen.push_back(totals.partner_id);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4", "p5", "p6"}));
}

TEST_F(PerformanceStoreTest, InvalidPageTokenIsRejected) {
  EXPECT_EQ(store_->ListScorecards("", 10, "not a token!").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListScorecards("", 10, EncodePageToken({"2024-13", "p"})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PerformanceStoreTest, TokenOfOtherPeriodIsRejected) {
  EXPECT_EQ(
      store_->ListScorecards("2024-03", 10, EncodePageToken({"2024-04", "p"})).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(PerformanceStoreTest, ListPeriodReturnsOnlyThatMonth) {
  ASSERT_TRUE(store_
                  ->Commit({Write("2024-03", "a", 0, {"s:1"}), Write("2024-04", "b", 0, {"s:2"}),
                            Write("2024-03", "c", 0, {"s:3"})},
                           {})
                  .ok());
  absl::StatusOr<std::vector<ScorecardTotals>> march = store_->ListPeriod("2024-03");
  ASSERT_TRUE(march.ok()) << march.status();
  ASSERT_EQ(march->size(), 2u);
  EXPECT_EQ((*march)[0].partner_id, "a");
  EXPECT_EQ((*march)[1].partner_id, "c");
}

TEST(PageToken, RoundTrips) {
  absl::StatusOr<ScorecardKey> key = DecodePageToken(EncodePageToken({"2024-03", "p-1.x"}));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->period, "2024-03");
  EXPECT_EQ(key->partner_id, "p-1.x");
}

}  // namespace
}  // namespace consort::performance
