#include "performance/leaderboard.h"

#include "gtest/gtest.h"

namespace consort::performance {
namespace {

ScorecardTotals Card(const std::string& partner_id, int64_t gross_minor) {
  ScorecardTotals totals;
  totals.partner_id = partner_id;
  totals.period = "2024-03";
  totals.currency = "BRL";
  totals.gross_minor = gross_minor;
  totals.target_minor = 100'000;
  return totals;
}

std::vector<std::string> Order(const std::vector<RankedScorecard>& ranked) {
  std::vector<std::string> partners;
  for (const RankedScorecard& entry : ranked) partners.push_back(entry.totals.partner_id);
  return partners;
}

TEST(RankScorecards, HigherScoreFirst) {
  ScorecardTotals rated = Card("rated", 10'000);
  rated.feedback_count = 1;
  rated.rating_sum = 5;
  // Same net sales; the rating adds to the second partner's score.
  ScorecardTotals unrated = Card("unrated", 10'000);
  unrated.feedback_count = 1;
  unrated.rating_sum = 1;
  EXPECT_EQ(Order(RankScorecards({unrated, rated})),
            (std::vector<std::string>{"rated", "unrated"}));
}

TEST(RankScorecards, EqualScoresRankByNetSalesThenPartner) {
  // Without a target, feedback or orders nothing has data, so every score is 0.
  std::vector<ScorecardTotals> cards = {Card("b", 100), Card("c", 500), Card("a", 100)};
  for (ScorecardTotals& card : cards) card.target_minor = 0;
  std::vector<RankedScorecard> ranked = RankScorecards(cards);
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].score.score, "0.00");
  EXPECT_EQ(Order(ranked), (std::vector<std::string>{"c", "a", "b"}));
}

TEST(RankScorecards, UnknownCurrencyRanksLast) {
  ScorecardTotals broken = Card("broken", 1'000'000);
  broken.currency = "XXX";
  std::vector<RankedScorecard> ranked = RankScorecards({broken, Card("ok", 1)});
  EXPECT_EQ(Order(ranked), (std::vector<std::string>{"ok", "broken"}));
  EXPECT_EQ(ranked[1].score.score, "");
}

}  // namespace
}  // namespace consort::performance
