#include "partner/coverage_cache.h"

#include "gtest/gtest.h"
#include "tests/unit/partner/fake_coverage_source.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::FakeCoverageSource;

const CoverageScope kToys{"p-1", "SP", "toys", "marketplace"};
const CoverageScope kBooks{"p-1", "SP", "books", "marketplace"};

class CoverageCacheTest : public ::testing::Test {
 protected:
  CoverageCacheTest()
      : cache_(source_, CoverageCacheOptions{absl::Seconds(30), 3}, [this] { return now_; }) {
    source_.Cover(kToys, "c-1", "BRL");
  }

  FakeCoverageSource source_;
  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
  CoverageCache cache_;
};

TEST_F(CoverageCacheTest, ReturnsSourceAnswers) {
  const auto lookup = cache_.Resolve({kToys, kBooks});
  ASSERT_TRUE(lookup.source_error.ok());
  ASSERT_TRUE(lookup.answers[0].has_value());
  EXPECT_TRUE(lookup.answers[0]->covered);
  EXPECT_EQ(lookup.answers[0]->contract_id, "c-1");
  EXPECT_EQ(lookup.answers[0]->currency, "BRL");
  ASSERT_TRUE(lookup.answers[1].has_value());
  EXPECT_FALSE(lookup.answers[1]->covered);
  EXPECT_FALSE(lookup.answers[1]->reason.empty());
}

TEST_F(CoverageCacheTest, AsksOnceForRepeatedScopes) {
  cache_.Resolve({kToys, kToys, kBooks, kToys});
  EXPECT_EQ(source_.calls(), 1);
  EXPECT_EQ(source_.last_query().size(), 2u);
}

TEST_F(CoverageCacheTest, CachesCoveredAndNotCovered) {
  cache_.Resolve({kToys, kBooks});
  const auto lookup = cache_.Resolve({kToys, kBooks});
  EXPECT_EQ(source_.calls(), 1);
  EXPECT_TRUE(lookup.answers[0]->covered);
  EXPECT_FALSE(lookup.answers[1]->covered);
}

TEST_F(CoverageCacheTest, AsksOnlyForMissingScopes) {
  cache_.Resolve({kToys});
  cache_.Resolve({kToys, kBooks});
  EXPECT_EQ(source_.calls(), 2);
  ASSERT_EQ(source_.last_query().size(), 1u);
  EXPECT_EQ(source_.last_query()[0], kBooks);
}

TEST_F(CoverageCacheTest, ExpiresAfterTtl) {
  cache_.Resolve({kBooks});
  source_.Cover(kBooks, "c-2", "BRL");
  now_ += absl::Seconds(31);
  const auto lookup = cache_.Resolve({kBooks});
  EXPECT_EQ(source_.calls(), 2);
  EXPECT_TRUE(lookup.answers[0]->covered);
}

TEST_F(CoverageCacheTest, KeepsAnswerWithinTtl) {
  cache_.Resolve({kBooks});
  source_.Cover(kBooks, "c-2", "BRL");
  now_ += absl::Seconds(29);
  EXPECT_FALSE(cache_.Resolve({kBooks}).answers[0]->covered);
}

TEST_F(CoverageCacheTest, SourceErrorLeavesUncachedScopesUnanswered) {
  cache_.Resolve({kToys});
  source_.FailWith(absl::UnavailableError("contract service down"));
  const auto lookup = cache_.Resolve({kToys, kBooks});
  EXPECT_EQ(lookup.source_error.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(lookup.answers[0].has_value());
  EXPECT_FALSE(lookup.answers[1].has_value());
}

TEST_F(CoverageCacheTest, ErrorsAreNotCached) {
  source_.FailWith(absl::UnavailableError("contract service down"));
  cache_.Resolve({kToys});
  source_.FailWith(absl::OkStatus());
  const auto lookup = cache_.Resolve({kToys});
  EXPECT_TRUE(lookup.source_error.ok());
  EXPECT_TRUE(lookup.answers[0]->covered);
}

TEST_F(CoverageCacheTest, SizeStaysBounded) {
  for (int i = 0; i < 10; ++i) {
    cache_.Resolve({CoverageScope{"p-1", "SP", absl::StrCat("category-", i), "marketplace"}});
  }
  EXPECT_LE(cache_.size(), 3u);
}

}  // namespace
}  // namespace consort::partner
