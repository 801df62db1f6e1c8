#include "consortctl/progress.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

std::string ReadBack(FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[512];
  size_t count;
  while ((count = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, count);
  return text;
}

TEST(Progress, PrintsFinalLineWithCounts) {
  FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ImportTally tally;
  tally.Add(kKindSale, Outcome::kAccepted);
  tally.Add(kKindSale, Outcome::kRejected, "not_covered");
  {
    Progress progress("sales", 2, tally, {kKindSale}, out);
    progress.Advance(2);
    EXPECT_EQ(progress.done(), 2);
  }
  std::string text = ReadBack(out);
  std::fclose(out);
  EXPECT_THAT(text, ::testing::HasSubstr("sales: 2/2 records"));
  EXPECT_THAT(text, ::testing::HasSubstr("overall"));
  EXPECT_THAT(text, ::testing::HasSubstr("sale: 1 accepted, 0 duplicate, 1 rejected"));
}

TEST(Progress, PrintsAboutOncePerSecond) {
  FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ImportTally tally;
  {
    Progress progress("feedback", 10, tally, {kKindFeedback}, out);
    absl::SleepFor(absl::Milliseconds(2300));
  }
  std::string text = ReadBack(out);
  std::fclose(out);
  // At most one line per second while running (two in 2.3 s, one if the machine is slow to
  // wake the thread) and the final one.
  int64_t lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_GE(lines, 2);
  EXPECT_LE(lines, 3);
}

TEST(Progress, PrintsTheFinalCountOnce) {
  FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ImportTally tally;
  {
    Progress progress("sales", 4, tally, {kKindSale}, out);
    progress.Advance(4);
    // Past one printing interval with every record done, as when the stage still waits for its
    // stream to end.
    absl::SleepFor(absl::Milliseconds(1300));
  }
  std::string text = ReadBack(out);
  std::fclose(out);
  size_t first = text.find("sales: 4/4 records");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find("sales: 4/4 records", first + 1), std::string::npos) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("overall"));
}

}  // namespace
}  // namespace consort::consortctl
