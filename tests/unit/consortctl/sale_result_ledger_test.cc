#include "consortctl/sale_result_ledger.h"

#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

TEST(SaleResultLedger, FirstStreamStartsAtZero) {
  SaleResultLedger ledger(5);
  EXPECT_EQ(ledger.StartStream(), 0u);
  EXPECT_EQ(ledger.NextResultIndex(), 0u);
  EXPECT_EQ(ledger.answered(), 0u);
  EXPECT_FALSE(ledger.complete());
}

TEST(SaleResultLedger, ResendStartsAtFirstUnanswered) {
  SaleResultLedger ledger(5);
  ledger.StartStream();
  ledger.TakeResult();
  ledger.TakeResult();
  EXPECT_EQ(ledger.StartStream(), 2u);
  EXPECT_EQ(ledger.NextResultIndex(), 2u);
  EXPECT_EQ(ledger.stream_results(), 0u);
}

TEST(SaleResultLedger, StreamWithoutResultsResendsSameRecords) {
  SaleResultLedger ledger(5);
  ledger.StartStream();
  ledger.TakeResult();
  EXPECT_EQ(ledger.StartStream(), 1u);
  EXPECT_EQ(ledger.StartStream(), 1u);
  EXPECT_EQ(ledger.answered(), 1u);
}

TEST(SaleResultLedger, CountsEachRecordOnceAcrossStreams) {
  SaleResultLedger ledger(5);
  ledger.StartStream();
  ledger.TakeResult();
  ledger.TakeResult();
  ledger.StartStream();
  ledger.TakeResult();
  EXPECT_EQ(ledger.stream_results(), 1u);
  ledger.StartStream();
  ledger.TakeResult();
  ledger.TakeResult();
  EXPECT_EQ(ledger.answered(), 5u);
  EXPECT_TRUE(ledger.complete());
  EXPECT_EQ(ledger.StartStream(), 5u);
}

TEST(SaleResultLedger, IgnoresResultBeyondLastRecord) {
  SaleResultLedger ledger(1);
  ledger.StartStream();
  ledger.TakeResult();
  ledger.TakeResult();
  EXPECT_EQ(ledger.answered(), 1u);
  EXPECT_EQ(ledger.NextResultIndex(), 1u);
}

TEST(SaleResultLedger, InFlightCountsSentWithoutResult) {
  SaleResultLedger ledger(10);
  ledger.StartStream();
  ledger.TakeResult();
  ledger.TakeResult();
  ledger.StartStream();
  EXPECT_EQ(ledger.in_flight(0), 0u);
  EXPECT_EQ(ledger.in_flight(4), 4u);
  ledger.TakeResult();
  EXPECT_EQ(ledger.in_flight(4), 3u);
}

}  // namespace
}  // namespace consort::consortctl
