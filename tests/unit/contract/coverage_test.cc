#include "services/contract/coverage.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::contract {
namespace {

using ::testing::HasSubstr;

v1::Contract MakeContract(const std::string& id, std::vector<std::string> regions,
                          std::vector<std::string> categories, std::vector<std::string> channels) {
  v1::Contract contract;
  contract.set_contract_id(id);
  contract.set_partner_id("p1");
  contract.set_status(v1::CONTRACT_STATUS_ACTIVE);
  for (auto& region : regions) contract.add_regions(region);
  if (categories.empty()) contract.set_all_product_categories(true);
  for (auto& category : categories) contract.add_product_categories(category);
  for (auto& channel : channels) contract.add_channels(channel);
  contract.set_currency("BRL");
  contract.set_time_zone("America/Sao_Paulo");
  contract.set_commission_rate("0.1");
  return contract;
}

v1::CoverageQuery Query(const std::string& region, const std::string& category,
                        const std::string& channel) {
  v1::CoverageQuery query;
  query.set_partner_id("p1");
  query.set_region(region);
  query.set_product_category(category);
  query.set_channel(channel);
  return query;
}

TEST(CoverageMatcher, CoversMatchingQuery) {
  CoverageMatcher matcher({MakeContract("c1", {"SP"}, {"toys"}, {"marketplace"})});
  auto result = matcher.Match(Query("SP", "toys", "marketplace"));
  EXPECT_TRUE(result.covered());
  EXPECT_EQ(result.contract_id(), "c1");
  EXPECT_EQ(result.currency(), "BRL");
  EXPECT_EQ(result.time_zone(), "America/Sao_Paulo");
  EXPECT_EQ(result.commission_rate(), "0.1");
  EXPECT_EQ(result.reason(), "");
}

TEST(CoverageMatcher, AllCategoriesCoverAnyCategory) {
  CoverageMatcher matcher({MakeContract("c1", {"SP"}, {}, {"marketplace"})});
  EXPECT_TRUE(matcher.Match(Query("SP", "anything at all", "marketplace")).covered());
}

TEST(CoverageMatcher, FirstContractByIdWins) {
  CoverageMatcher matcher({MakeContract("c3", {"SP"}, {}, {"marketplace"}),
                           MakeContract("c1", {"SP"}, {}, {"marketplace"}),
                           MakeContract("c2", {"SP"}, {}, {"marketplace"})});
  EXPECT_EQ(matcher.Match(Query("SP", "toys", "marketplace")).contract_id(), "c1");
}

TEST(CoverageMatcher, SkipsContractsThatDoNotCover) {
  CoverageMatcher matcher({MakeContract("a", {"RJ"}, {}, {"marketplace"}),
                           MakeContract("b", {"SP"}, {}, {"marketplace"})});
  EXPECT_EQ(matcher.Match(Query("SP", "toys", "marketplace")).contract_id(), "b");
}

TEST(CoverageMatcher, NoContractsNamesPartner) {
  CoverageMatcher matcher({});
  auto result = matcher.Match(Query("SP", "toys", "marketplace"));
  EXPECT_FALSE(result.covered());
  EXPECT_EQ(result.reason(), "partner \"p1\" has no active contract");
}

TEST(CoverageMatcher, RegionOutOfScope) {
  CoverageMatcher matcher({MakeContract("c1", {"SP"}, {"toys"}, {"marketplace"})});
  auto result = matcher.Match(Query("RJ", "toys", "marketplace"));
  EXPECT_FALSE(result.covered());
  EXPECT_EQ(result.contract_id(), "");
  EXPECT_EQ(result.reason(), "no active contract of partner \"p1\" covers region \"RJ\"");
}

TEST(CoverageMatcher, CategoryOutOfScope) {
  CoverageMatcher matcher({MakeContract("c1", {"SP"}, {"toys"}, {"marketplace"})});
  auto result = matcher.Match(Query("SP", "books", "marketplace"));
  EXPECT_FALSE(result.covered());
  EXPECT_EQ(result.reason(),
            "no active contract of partner \"p1\" covers product category \"books\"");
}

TEST(CoverageMatcher, ChannelOutOfScope) {
  CoverageMatcher matcher({MakeContract("c1", {"SP"}, {"toys"}, {"marketplace"})});
  auto result = matcher.Match(Query("SP", "toys", "web"));
  EXPECT_FALSE(result.covered());
  EXPECT_EQ(result.reason(), "no active contract of partner \"p1\" covers channel \"web\"");
}

TEST(CoverageMatcher, NamesEveryUncoveredPart) {
  CoverageMatcher matcher({MakeContract("c1", {"SP"}, {"toys"}, {"marketplace"})});
  auto result = matcher.Match(Query("RJ", "books", "web"));
  EXPECT_THAT(result.reason(), HasSubstr("region \"RJ\""));
  EXPECT_THAT(result.reason(), HasSubstr("product category \"books\""));
  EXPECT_THAT(result.reason(), HasSubstr("channel \"web\""));
}

TEST(CoverageMatcher, PartsCoveredOnlySeparately) {
  CoverageMatcher matcher(
      {MakeContract("c1", {"SP"}, {}, {"web"}), MakeContract("c2", {"RJ"}, {}, {"marketplace"})});
  auto result = matcher.Match(Query("SP", "toys", "marketplace"));
  EXPECT_FALSE(result.covered());
  EXPECT_THAT(result.reason(), HasSubstr("no single active contract"));
  EXPECT_THAT(result.reason(), HasSubstr("together"));
}

TEST(CoverageMatcher, MatchIsCaseSensitive) {
  CoverageMatcher matcher({MakeContract("c1", {"SP"}, {"Toys"}, {"marketplace"})});
  EXPECT_FALSE(matcher.Match(Query("SP", "toys", "marketplace")).covered());
}

TEST(CheckCoverageQuery, AcceptsWellFormedQuery) {
  EXPECT_TRUE(CheckCoverageQuery(Query("SP", "toys", "marketplace")).ok());
}

TEST(CheckCoverageQuery, NamesMissingPartner) {
  v1::CoverageQuery query = Query("SP", "toys", "marketplace");
  query.clear_partner_id();
  EXPECT_THAT(std::string(CheckCoverageQuery(query).message()), HasSubstr("partner_id is missing"));
}

TEST(CheckCoverageQuery, NamesMissingRegion) {
  EXPECT_THAT(std::string(CheckCoverageQuery(Query("", "toys", "marketplace")).message()),
              HasSubstr("region is missing"));
}

TEST(CheckCoverageQuery, NamesMissingCategory) {
  EXPECT_THAT(std::string(CheckCoverageQuery(Query("SP", "", "marketplace")).message()),
              HasSubstr("product_category is missing"));
}

TEST(CheckCoverageQuery, NamesMissingChannel) {
  EXPECT_THAT(std::string(CheckCoverageQuery(Query("SP", "toys", "")).message()),
              HasSubstr("channel is missing"));
}

TEST(CheckCoverageQuery, NamesInvalidRegion) {
  EXPECT_THAT(std::string(CheckCoverageQuery(Query("sp", "toys", "marketplace")).message()),
              HasSubstr("region is invalid"));
}

TEST(CheckCoverageQuery, RejectsOversizedCategory) {
  EXPECT_THAT(
      std::string(CheckCoverageQuery(Query("SP", std::string(65, 'x'), "marketplace")).message()),
      HasSubstr("product_category is invalid"));
}

}  // namespace
}  // namespace consort::contract
