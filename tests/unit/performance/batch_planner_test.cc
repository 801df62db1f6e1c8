#include "performance/batch_planner.h"

#include "consort/events/v1/events.pb.h"
#include "gtest/gtest.h"

namespace consort::performance {
namespace {

ContractTerms Brl() {
  ContractTerms terms;
  terms.contract_id = "c-1";
  terms.partner_id = "p-1";
  terms.currency = "BRL";
  terms.time_zone = "America/Sao_Paulo";
  terms.monthly_target_minor = 100'000;
  return terms;
}

ScorableEvent Sale(const std::string& sale_id, int64_t amount, const std::string& order_id,
                   int64_t quantity = 1) {
  ScorableEvent event;
  event.kind = ScorableEvent::Kind::kSale;
  event.partner_id = "p-1";
  event.event_id = "s:" + sale_id;
  event.period = "2024-03";
  event.order_id = order_id;
  event.amount_minor = amount;
  event.quantity = quantity;
  event.contract = Brl();
  return event;
}

ScorableEvent Refund(const std::string& sale_id, int64_t amount) {
  ScorableEvent event = Sale(sale_id, amount, "");
  event.kind = ScorableEvent::Kind::kRefund;
  event.quantity = 0;
  return event;
}

ScorableEvent Feedback(const std::string& feedback_id, int rating, bool complaint) {
  ScorableEvent event;
  event.kind = ScorableEvent::Kind::kFeedback;
  event.partner_id = "p-1";
  event.event_id = "f:" + feedback_id;
  event.period = "2024-03";
  event.rating = rating;
  event.complaint = complaint;
  event.contract = Brl();
  return event;
}

const ScorecardKey kMarch{"2024-03", "p-1"};

TEST(PlanSnapshot, ListsScorecardsIdsAndOrders) {
  std::vector<ScorableEvent> events = {Sale("a", 100, "o-1"), Sale("b", 100, ""),
                                       Feedback("f", 4, false)};
  SnapshotRequest request = PlanSnapshot(events);
  ASSERT_EQ(request.scorecards.size(), 1u);
  EXPECT_EQ(request.scorecards[0], kMarch);
  EXPECT_EQ(request.event_ids["p-1"], (std::vector<std::string>{"s:a", "s:b", "f:f"}));
  EXPECT_EQ(request.order_ids[kMarch], std::vector<std::string>{"o-1"});
}

TEST(PlanBatch, CountsDistinctOrders) {
  std::vector<ScorableEvent> events = {Sale("a", 100, "o-1"), Sale("b", 200, "o-1"),
                                       Sale("c", 300, "o-2"), Sale("d", 400, ""),
                                       Sale("e", 500, "")};
  BatchPlan plan = PlanBatch(events, Snapshot{}, absl::Now());
  ASSERT_EQ(plan.writes.size(), 1u);
  EXPECT_EQ(plan.writes[0].totals.orders, 4);
  EXPECT_EQ(plan.writes[0].new_order_ids, (std::vector<std::string>{"o-1", "o-2"}));
  EXPECT_EQ(plan.writes[0].totals.gross_minor, 1500);
}

TEST(PlanBatch, StoredOrderIsNotCountedAgain) {
  Snapshot snapshot;
  ScorecardTotals stored;
  stored.partner_id = "p-1";
  stored.period = "2024-03";
  stored.currency = "BRL";
  stored.orders = 1;
  stored.gross_minor = 100;
  stored.version = 3;
  snapshot.scorecards[kMarch] = stored;
  snapshot.known_orders.emplace(kMarch, "o-1");

  BatchPlan plan = PlanBatch({Sale("b", 50, "o-1")}, snapshot, absl::Now());
  ASSERT_EQ(plan.writes.size(), 1u);
  EXPECT_EQ(plan.writes[0].totals.orders, 1);
  EXPECT_EQ(plan.writes[0].totals.gross_minor, 150);
  EXPECT_TRUE(plan.writes[0].new_order_ids.empty());
  EXPECT_EQ(plan.writes[0].expected_version, 3);
  EXPECT_EQ(plan.writes[0].totals.version, 4);
}

TEST(PlanBatch, RefundRaisesRefundsNotOrders) {
  BatchPlan plan =
      PlanBatch({Sale("a", 10'000, "o-1", 3), Refund("a-r", -2'500)}, Snapshot{}, absl::Now());
  ASSERT_EQ(plan.writes.size(), 1u);
  const ScorecardTotals& totals = plan.writes[0].totals;
  EXPECT_EQ(totals.gross_minor, 10'000);
  EXPECT_EQ(totals.refunds_minor, 2'500);
  EXPECT_EQ(totals.net_minor(), 7'500);
  EXPECT_EQ(totals.orders, 1);
  EXPECT_EQ(totals.items, 3);
}

TEST(PlanBatch, FeedbackCountsRatingsAndComplaints) {
  BatchPlan plan =
      PlanBatch({Feedback("f1", 5, false), Feedback("f2", 2, true)}, Snapshot{}, absl::Now());
  ASSERT_EQ(plan.writes.size(), 1u);
  const ScorecardTotals& totals = plan.writes[0].totals;
  EXPECT_EQ(totals.feedback_count, 2);
  EXPECT_EQ(totals.rating_sum, 7);
  EXPECT_EQ(totals.complaints, 1);
  EXPECT_EQ(totals.currency, "BRL");
  EXPECT_EQ(totals.target_minor, 100'000);
}

TEST(PlanBatch, DuplicateWithinBatchCountsOnce) {
  BatchPlan plan =
      PlanBatch({Sale("a", 100, "o-1"), Sale("a", 100, "o-1")}, Snapshot{}, absl::Now());
  ASSERT_EQ(plan.writes.size(), 1u);
  EXPECT_EQ(plan.writes[0].totals.gross_minor, 100);
  EXPECT_EQ(plan.applied, std::vector<size_t>{0});
  EXPECT_EQ(plan.duplicates, std::vector<size_t>{1});
  EXPECT_EQ(plan.writes[0].event_ids, std::vector<std::string>{"s:a"});
}

TEST(PlanBatch, AlreadyAppliedEventChangesNothing) {
  Snapshot snapshot;
  snapshot.seen_events.emplace("p-1", "s:a");
  BatchPlan plan = PlanBatch({Sale("a", 100, "o-1")}, snapshot, absl::Now());
  EXPECT_TRUE(plan.writes.empty());
  EXPECT_EQ(plan.duplicates, std::vector<size_t>{0});
}

TEST(PlanBatch, SalesAndFeedbackShareOneIdSpaceEach) {
  // A sale and a feedback with the same id are different events.
  BatchPlan plan =
      PlanBatch({Sale("x", 100, ""), Feedback("x", 4, false)}, Snapshot{}, absl::Now());
  EXPECT_EQ(plan.applied.size(), 2u);
}

TEST(PlanBatch, OtherCurrencyIsRejected) {
  Snapshot snapshot;
  ScorecardTotals stored;
  stored.currency = "BRL";
  stored.version = 1;
  snapshot.scorecards[kMarch] = stored;
  ScorableEvent sale = Sale("a", 100, "");
  sale.contract.currency = "EUR";
  sale.message_index = 7;

  BatchPlan plan = PlanBatch({sale}, snapshot, absl::Now());
  EXPECT_TRUE(plan.writes.empty());
  ASSERT_EQ(plan.rejected.size(), 1u);
  EXPECT_EQ(plan.rejected[0].reason, "currency_mismatch");
  EXPECT_EQ(plan.rejected[0].message_index, 7u);
}

TEST(PlanBatch, OneWritePerScorecardInKeyOrder) {
  ScorableEvent april = Sale("b", 100, "");
  april.period = "2024-04";
  ScorableEvent other_partner = Sale("c", 100, "");
  other_partner.partner_id = "p-0";
  BatchPlan plan = PlanBatch({april, Sale("a", 100, ""), other_partner}, Snapshot{}, absl::Now());
  ASSERT_EQ(plan.writes.size(), 3u);
  EXPECT_EQ(plan.writes[0].totals.partner_id, "p-0");
  EXPECT_EQ(plan.writes[1].totals.period, "2024-03");
  EXPECT_EQ(plan.writes[2].totals.period, "2024-04");
}

TEST(PlanBatch, ScoreEventCarriesNewTotals) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  BatchPlan plan = PlanBatch({Sale("a", 700, "o"), Feedback("f", 1, true)}, Snapshot{}, now);
  ASSERT_EQ(plan.writes.size(), 1u);
  events::v1::ScoreEvent event;
  ASSERT_TRUE(event.ParseFromString(plan.writes[0].score_event));
  EXPECT_EQ(event.partner_id(), "p-1");
  EXPECT_EQ(event.period(), "2024-03");
  EXPECT_EQ(event.version(), 1);
  EXPECT_EQ(event.currency(), "BRL");
  EXPECT_EQ(event.net_sales_minor(), 700);
  EXPECT_EQ(event.target_minor(), 100'000);
  EXPECT_EQ(event.orders(), 1);
  EXPECT_EQ(event.feedback_count(), 1);
  EXPECT_EQ(event.complaints(), 1);
  EXPECT_EQ(event.meta().producer(), "performance");
  EXPECT_EQ(event.meta().event_time().seconds(), 1'700'000'000);
  EXPECT_EQ(plan.writes[0].totals.update_time, now);
}

}  // namespace
}  // namespace consort::performance
