#include "consortctl/import_tally.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

using ::testing::HasSubstr;

TEST(ImportTally, CountsOutcomesPerKind) {
  ImportTally tally;
  tally.Add(kKindSale, Outcome::kAccepted);
  tally.Add(kKindSale, Outcome::kAccepted);
  tally.Add(kKindSale, Outcome::kDuplicate);
  tally.Add(kKindSale, Outcome::kRejected, "not_covered");
  tally.Add(kKindRefund, Outcome::kAccepted);
  EXPECT_EQ(tally.count(kKindSale, Outcome::kAccepted), 2);
  EXPECT_EQ(tally.count(kKindSale, Outcome::kDuplicate), 1);
  EXPECT_EQ(tally.count(kKindSale, Outcome::kRejected), 1);
  EXPECT_EQ(tally.count(kKindRefund, Outcome::kAccepted), 1);
  EXPECT_EQ(tally.rejected(kKindSale, "not_covered"), 1);
  EXPECT_EQ(tally.rejected(kKindSale, "other"), 0);
}

TEST(ImportTally, AddsReadCountsPerFile) {
  ImportTally tally;
  tally.AddRead("a.csv", 3);
  tally.AddRead("a.csv", 2);
  EXPECT_EQ(tally.read("a.csv"), 5);
  EXPECT_EQ(tally.read("b.csv"), 0);
}

TEST(ImportTally, FormatsTableWithReasonsAndFirstExample) {
  ImportTally tally;
  tally.AddRead("olist_sellers_dataset.csv", 2);
  tally.Add(kKindPartner, Outcome::kAccepted);
  tally.Add(kKindFeedback, Outcome::kRejected, kReasonOrderNotFound, "reviews row 2: order x");
  tally.Add(kKindFeedback, Outcome::kRejected, kReasonOrderNotFound, "reviews row 3: order y");
  std::string table = tally.FormatTable();
  EXPECT_THAT(table, HasSubstr("olist_sellers_dataset.csv"));
  EXPECT_THAT(table, HasSubstr("order not found"));
  EXPECT_THAT(table, HasSubstr("reviews row 2"));
  EXPECT_THAT(table, ::testing::Not(HasSubstr("reviews row 3")));
  EXPECT_LT(table.find("partner"), table.find("feedback"));
}

TEST(ImportTally, SaysWhenNothingWasRejected) {
  ImportTally tally;
  tally.Add(kKindSale, Outcome::kAccepted);
  EXPECT_THAT(tally.FormatTable(), HasSubstr("no record was rejected"));
}

TEST(ImportTally, FormatsCsv) {
  ImportTally tally;
  tally.AddRead("f.csv", 4);
  tally.Add(kKindSale, Outcome::kAccepted);
  tally.Add(kKindSale, Outcome::kRejected, "wrong, reason");
  EXPECT_EQ(tally.FormatCsv(),
            "section,name,outcome,reason,count\n"
            "read,f.csv,,,4\n"
            "result,sale,accepted,,1\n"
            "result,sale,rejected,\"wrong, reason\",1\n");
}

TEST(ImportTally, CountsFromManyThreads) {
  ImportTally tally;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&tally] {
      for (int i = 0; i < 1000; ++i) tally.Add(kKindFeedback, Outcome::kAccepted);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(tally.count(kKindFeedback, Outcome::kAccepted), 4000);
}

}  // namespace
}  // namespace consort::consortctl
