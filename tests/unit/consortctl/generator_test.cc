#include "consortctl/generator.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "consortctl/import_plan.h"
#include "consortctl/olist_dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TempDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/consortctl_generator_" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

GeneratorOptions SmallOptions() {
  GeneratorOptions options;
  options.seed = 7;
  options.partners = 40;
  options.months = 12;
  options.start_month = "2020-01";
  return options;
}

const char* const kFiles[] = {kSellersFile, kProductsFile, kTranslationFile,
                              kOrdersFile,  kItemsFile,    kReviewsFile};

TEST(GenerateOlistDataset, IsDeterministicForSeed) {
  std::string a = TempDir("a");
  std::string b = TempDir("b");
  ASSERT_TRUE(GenerateOlistDataset(SmallOptions(), a).ok());
  ASSERT_TRUE(GenerateOlistDataset(SmallOptions(), b).ok());
  for (const char* file : kFiles) {
    EXPECT_EQ(ReadAll(a + "/" + file), ReadAll(b + "/" + file)) << file;
  }
}

TEST(GenerateOlistDataset, ChangesWithSeed) {
  std::string a = TempDir("seed1");
  std::string b = TempDir("seed2");
  GeneratorOptions options = SmallOptions();
  ASSERT_TRUE(GenerateOlistDataset(options, a).ok());
  options.seed = 8;
  ASSERT_TRUE(GenerateOlistDataset(options, b).ok());
  EXPECT_NE(ReadAll(a + "/" + kItemsFile), ReadAll(b + "/" + kItemsFile));
}

TEST(GenerateOlistDataset, WritesOlistFormatQuirks) {
  std::string dir = TempDir("quirks");
  ASSERT_TRUE(GenerateOlistDataset(SmallOptions(), dir).ok());
  std::string translation = ReadAll(dir + "/" + kTranslationFile);
  EXPECT_THAT(translation, ::testing::StartsWith("\xEF\xBB\xBF"));
  EXPECT_THAT(translation, ::testing::HasSubstr("\r\n"));
  std::string items = ReadAll(dir + "/" + kItemsFile);
  EXPECT_THAT(items, ::testing::StartsWith("\"order_id\""));
  EXPECT_NE(items.back(), '\n');
  std::string reviews = ReadAll(dir + "/" + kReviewsFile);
  EXPECT_THAT(reviews, ::testing::HasSubstr("\r\n"));
  EXPECT_THAT(ReadAll(dir + "/" + kProductsFile), ::testing::HasSubstr("product_name_lenght"));
}

TEST(GenerateOlistDataset, ImportsWithoutMalformedRows) {
  std::string dir = TempDir("import");
  absl::StatusOr<GeneratorSummary> summary = GenerateOlistDataset(SmallOptions(), dir);
  ASSERT_TRUE(summary.ok()) << summary.status();

  ImportTally tally;
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir, tally);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(tally.read(kSellersFile), summary->sellers);
  EXPECT_EQ(tally.read(kItemsFile), summary->items);
  EXPECT_EQ(tally.read(kReviewsFile), summary->reviews);
  EXPECT_EQ(tally.read(kOrdersFile), summary->orders);

  absl::StatusOr<ImportPlan> plan = PlanOlistImport(*data, ImportOptions(), tally);
  ASSERT_TRUE(plan.ok());
  int64_t refunds = 0;
  for (const PlannedSale& sale : plan->sales) refunds += sale.refund ? 1 : 0;
  int64_t order_not_found = tally.rejected(kKindFeedback, kReasonOrderNotFound);

  // Every rejection is a review of an unknown order, which the generator writes on purpose.
  EXPECT_EQ(tally.count(kKindSale, Outcome::kRejected), 0);
  EXPECT_EQ(tally.count(kKindPartner, Outcome::kRejected), 0);
  EXPECT_EQ(tally.count(kKindFeedback, Outcome::kRejected), order_not_found);
  EXPECT_GT(order_not_found, 0);
  EXPECT_EQ(static_cast<int64_t>(plan->sales.size()) - refunds, summary->items);
  EXPECT_GT(refunds, 0);
  EXPECT_LT(refunds * 100, summary->items * 6);
  EXPECT_LT(summary->orders, static_cast<int64_t>(plan->sales.size()));
}

TEST(GenerateOlistDataset, SkewsPartnerSizes) {
  std::string dir = TempDir("skew");
  GeneratorOptions options = SmallOptions();
  options.partners = 100;
  ASSERT_TRUE(GenerateOlistDataset(options, dir).ok());
  ImportTally tally;
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir, tally);
  ASSERT_TRUE(data.ok());

  absl::flat_hash_map<std::string, int64_t> items_per_seller;
  for (const OlistItem& item : data->items) ++items_per_seller[item.seller_id];
  std::vector<int64_t> sizes;
  for (const auto& [seller, count] : items_per_seller) sizes.push_back(count);
  std::sort(sizes.rbegin(), sizes.rend());
  // With Zipf weights 1/k over 100 sellers the largest takes about 19% and the top ten about
  // 56% of the items.
  int64_t top_ten = 0;
  for (size_t i = 0; i < 10 && i < sizes.size(); ++i) top_ten += sizes[i];
  EXPECT_GT(top_ten * 100, static_cast<int64_t>(data->items.size()) * 40);
  EXPECT_GT(sizes.front() * 10, static_cast<int64_t>(data->items.size()));
}

TEST(GenerateOlistDataset, PeaksInNovember) {
  std::string dir = TempDir("season");
  ASSERT_TRUE(GenerateOlistDataset(SmallOptions(), dir).ok());
  ImportTally tally;
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir, tally);
  ASSERT_TRUE(data.ok());
  int64_t per_month[13] = {};
  for (const auto& [id, order] : data->orders) {
    ++per_month[std::stoi(order.purchase_timestamp.substr(5, 2))];
  }
  for (int month = 1; month <= 12; ++month) {
    if (month != 11) EXPECT_GT(per_month[11], per_month[month]) << "month " << month;
  }
}

TEST(ValidateGeneratorOptions, RejectsFutureMonths) {
  GeneratorOptions options = SmallOptions();
  options.start_month = "2024-06";
  options.months = 12;
  absl::Time now = absl::FromCivil(absl::CivilDay(2025, 1, 10), absl::UTCTimeZone());
  EXPECT_EQ(ValidateGeneratorOptions(options, now).code(), absl::StatusCode::kInvalidArgument);
  options.months = 6;
  EXPECT_TRUE(ValidateGeneratorOptions(options, now).ok());
}

TEST(ValidateGeneratorOptions, RejectsOutOfRangeCounts) {
  absl::Time now = absl::Now();
  GeneratorOptions options = SmallOptions();
  options.partners = 0;
  EXPECT_FALSE(ValidateGeneratorOptions(options, now).ok());
  options = SmallOptions();
  options.months = 0;
  EXPECT_FALSE(ValidateGeneratorOptions(options, now).ok());
  options = SmallOptions();
  options.start_month = "2020-13";
  EXPECT_FALSE(ValidateGeneratorOptions(options, now).ok());
  options = SmallOptions();
  options.orders_per_partner_month = 0;
  EXPECT_FALSE(ValidateGeneratorOptions(options, now).ok());
}

}  // namespace
}  // namespace consort::consortctl
