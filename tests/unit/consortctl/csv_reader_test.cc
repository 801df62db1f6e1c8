#include "consortctl/csv_reader.h"

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<CsvRecord> Parse(std::string_view text) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsvText(text);
  EXPECT_TRUE(records.ok()) << records.status();
  return records.ok() ? *records : std::vector<CsvRecord>{};
}

TEST(CsvParser, ReadsSimpleRows) {
  std::vector<CsvRecord> records = Parse("a,b,c\n1,2,3\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(records[1].fields, ElementsAre("1", "2", "3"));
  EXPECT_EQ(records[1].number, 2);
}

TEST(CsvParser, StripsByteOrderMark) {
  std::vector<CsvRecord> records = Parse("\xEF\xBB\xBFname,english\r\nbeleza,beauty\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields[0], "name");
}

TEST(CsvParser, StripsByteOrderMarkSplitAcrossChunks) {
  std::vector<CsvRecord> records;
  CsvParser parser([&](CsvRecord& record) { records.push_back(record); });
  ASSERT_TRUE(parser.Feed("\xEF").ok());
  ASSERT_TRUE(parser.Feed("\xBB").ok());
  ASSERT_TRUE(parser
                  .Feed("\xBF"
                        "x,y\n")
                  .ok());
  ASSERT_TRUE(parser.Finish().ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("x", "y"));
}

TEST(CsvParser, KeepsByteOrderMarkInsideText) {
  std::vector<CsvRecord> records = Parse("a,\xEF\xBB\xBF\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields[1], "\xEF\xBB\xBF");
}

TEST(CsvParser, HandlesCrlfLineEnds) {
  std::vector<CsvRecord> records = Parse("a,b\r\n1,2\r\n3,4");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[2].fields, ElementsAre("3", "4"));
}

TEST(CsvParser, ReadsLastRecordWithoutLineEnd) {
  std::vector<CsvRecord> records = Parse("a,b\n1,2");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[1].fields, ElementsAre("1", "2"));
}

TEST(CsvParser, ReadsQuotedLineBreaks) {
  std::vector<CsvRecord> records = Parse("id,text\r\n\"r1\",\"line one\r\nline two\"\r\nr2,x\r\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].fields[1], "line one\r\nline two");
  EXPECT_EQ(records[2].fields[0], "r2");
}

TEST(CsvParser, ReadsMixedQuotingAndEscapedQuotes) {
  std::vector<CsvRecord> records = Parse("\"a\",b,\"say \"\"hi\"\", ok\",,\"\"\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b", "say \"hi\", ok", "", ""));
}

TEST(CsvParser, KeepsSpacesAroundFields) {
  std::vector<CsvRecord> records = Parse(" a , b\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre(" a ", " b"));
}

TEST(CsvParser, SkipsBlankLines) {
  std::vector<CsvRecord> records = Parse("a\n\n\nb\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields[0], "b");
}

TEST(CsvParser, ReportsUnclosedQuoteAtEnd) {
  std::vector<CsvRecord> records = Parse("a,b\n1,\"open field\n2,3");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0].error, IsEmpty());
  EXPECT_FALSE(records[1].error.empty());
}

TEST(CsvParser, HandlesEmptyInput) { EXPECT_THAT(Parse(""), IsEmpty()); }

TEST(CsvParser, HandlesInputThatIsOnlyByteOrderMark) {
  EXPECT_THAT(Parse("\xEF\xBB\xBF"), IsEmpty());
}

TEST(CsvParser, SplitsChunksAnywhere) {
  std::string text = "\xEF\xBB\xBFid,text\r\n\"1\",\"a,\"\"b\"\"\r\nc\"\r\n2,d";
  std::vector<CsvRecord> whole = Parse(text);
  for (size_t chunk = 1; chunk <= 4; ++chunk) {
    std::vector<CsvRecord> records;
    CsvParser parser([&](CsvRecord& record) { records.push_back(record); });
    for (size_t i = 0; i < text.size(); i += chunk) {
      ASSERT_TRUE(parser.Feed(std::string_view(text).substr(i, chunk)).ok());
    }
    ASSERT_TRUE(parser.Finish().ok());
    ASSERT_EQ(records.size(), whole.size()) << "chunk size " << chunk;
    for (size_t r = 0; r < records.size(); ++r) {
      EXPECT_EQ(records[r].fields, whole[r].fields) << "chunk size " << chunk << " record " << r;
    }
  }
}

TEST(ReadCsvFile, FailsForMissingFile) {
  absl::Status status = ReadCsvFile("/nonexistent/consortctl.csv", [](CsvRecord&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
}

TEST(ReadCsvFile, ReadsFileLargerThanOneChunk) {
  std::string path = ::testing::TempDir() + "/consortctl_large.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "id,text\n";
    for (int i = 0; i < 20000; ++i) out << i << ",\"row, " << i << "\"\n";
  }
  int64_t count = 0;
  std::string last;
  ASSERT_TRUE(ReadCsvFile(path, [&](CsvRecord& record) {
                ++count;
                last = record.fields[1];
              }).ok());
  EXPECT_EQ(count, 20001);
  EXPECT_EQ(last, "row, 19999");
}

TEST(CsvTable, FindsColumnsByName) {
  CsvRecord header{1, {"b", " a "}, ""};
  absl::StatusOr<CsvTable> table = CsvTable::FromHeader("f.csv", header, {"a", "b"});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->Find("a"), 1);
  EXPECT_EQ(table->Find("b"), 0);
  EXPECT_EQ(table->Find("c"), -1);
  EXPECT_EQ(table->width(), 2u);
}

TEST(CsvTable, RejectsMissingColumn) {
  CsvRecord header{1, {"a"}, ""};
  absl::StatusOr<CsvTable> table = CsvTable::FromHeader("f.csv", header, {"a", "price"});
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(std::string(table.status().message()), ::testing::HasSubstr("price"));
}

TEST(CsvTable, RejectsRepeatedColumn) {
  CsvRecord header{1, {"a", "a"}, ""};
  EXPECT_FALSE(CsvTable::FromHeader("f.csv", header, {"a"}).ok());
}

TEST(CsvField, LeavesPlainValues) { EXPECT_EQ(CsvField("abc 1.5"), "abc 1.5"); }

TEST(CsvField, QuotesSpecialCharacters) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
}

TEST(CsvField, LeavesEmptyValueEmpty) { EXPECT_EQ(CsvField(""), ""); }

TEST(CsvLine, RoundTripsThroughParser) {
  std::vector<std::string> fields = {"a", "b,c", "\"q\"", "x\r\ny", "", " s"};
  std::vector<CsvRecord> records = Parse(CsvLine(fields) + "\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields, fields);
}

}  // namespace
}  // namespace consort::consortctl
