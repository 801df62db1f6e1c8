#include "consortctl/olist_dataset.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

class ReadOlistDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/consortctl_olist_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Write(kSellersFile,
          "seller_id,seller_zip_code_prefix,seller_city,seller_state\n"
          "\"s1\",\"13023\",campinas,SP\n"
          "s2,20000,rio de janeiro,RJ\n");
    Write(kProductsFile,
          "product_id,product_category_name,product_name_lenght\n"
          "\"p1\",beleza_saude,40\n"
          "p2,,10\n");
    Write(kTranslationFile,
          "\xEF\xBB\xBFproduct_category_name,product_category_name_english\r\n"
          "beleza_saude,health_beauty\r\n");
    Write(kOrdersFile,
          "\"order_id\",\"customer_id\",\"order_status\",\"order_purchase_timestamp\"\n"
          "o1,c1,delivered,2017-09-13 08:59:02\n"
          "\"o2\",c2,canceled,2017-09-14 10:00:00");
    Write(kItemsFile,
          "\"order_id\",\"order_item_id\",\"product_id\",\"seller_id\",\"shipping_limit_date\","
          "\"price\",\"freight_value\"\n"
          "\"o1\",1,\"p1\",s1,2017-09-19 09:45:35,58.90,13.29\n"
          "o2,1,p2,\"s2\",2017-09-20 09:45:35,10.00,1.00");
    Write(kReviewsFile,
          "\"review_id\",\"order_id\",\"review_score\",\"review_comment_title\","
          "\"review_comment_message\",\"review_creation_date\",\"review_answer_timestamp\"\r\n"
          "\"r1\",\"o1\",4,,\"linha um\r\nlinha dois\",2017-09-20 00:00:00,2017-09-21 10:00:00\r\n"
          "r2,o9,5,ok,,2017-09-22 00:00:00,2017-09-23 10:00:00");
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& file, const std::string& text) {
    std::ofstream out(dir_ + "/" + file, std::ios::binary);
    out << text;
  }

  std::string dir_;
  ImportTally tally_;
};

TEST_F(ReadOlistDatasetTest, ReadsEveryFile) {
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir_, tally_);
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ(data->sellers.size(), 2u);
  EXPECT_EQ(data->sellers[0].seller_id, "s1");
  EXPECT_EQ(data->sellers[0].zip_code_prefix, "13023");
  EXPECT_EQ(data->sellers[1].state, "RJ");
  EXPECT_EQ(data->product_categories.at("p1"), "beleza_saude");
  EXPECT_EQ(data->product_categories.at("p2"), "");
  EXPECT_EQ(data->category_translations.at("beleza_saude"), "health_beauty");
  EXPECT_EQ(data->orders.at("o2").status, "canceled");
  ASSERT_EQ(data->items.size(), 2u);
  EXPECT_EQ(data->items[1].seller_id, "s2");
  EXPECT_EQ(data->items[0].price, "58.90");
  ASSERT_EQ(data->reviews.size(), 2u);
  EXPECT_EQ(data->reviews[0].message, "linha um\r\nlinha dois");
  EXPECT_EQ(data->reviews[1].title, "ok");
}

TEST_F(ReadOlistDatasetTest, CountsRecordsRead) {
  ASSERT_TRUE(ReadOlistDataset(dir_, tally_).ok());
  EXPECT_EQ(tally_.read(kSellersFile), 2);
  EXPECT_EQ(tally_.read(kTranslationFile), 1);
  EXPECT_EQ(tally_.read(kOrdersFile), 2);
  EXPECT_EQ(tally_.read(kItemsFile), 2);
  EXPECT_EQ(tally_.read(kReviewsFile), 2);
}

TEST_F(ReadOlistDatasetTest, RejectsRowWithWrongFieldCount) {
  Write(kItemsFile,
        "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value\n"
        "o1,1,p1,s1,2017-09-19 09:45:35,58.90\n"
        "o1,2,p1,s1,2017-09-19 09:45:35,58.90,1.00\n");
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir_, tally_);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->items.size(), 1u);
  EXPECT_EQ(tally_.read(kItemsFile), 2);
  EXPECT_EQ(tally_.rejected(kKindSale, "wrong number of fields"), 1);
  EXPECT_THAT(tally_.FormatTable(),
              ::testing::HasSubstr("olist_order_items_dataset.csv row 2: the row has 6 fields; "
                                   "expected 7, one per column of the header"));
}

TEST_F(ReadOlistDatasetTest, RejectsRowWithUnclosedQuote) {
  Write(kReviewsFile,
        "review_id,order_id,review_score,review_comment_title,review_comment_message,"
        "review_creation_date\n"
        "r1,o1,4,,\"never closed,2017-09-20 00:00:00\n");
  ASSERT_TRUE(ReadOlistDataset(dir_, tally_).ok());
  EXPECT_EQ(tally_.rejected(kKindFeedback, "malformed row"), 1);
  EXPECT_THAT(tally_.FormatTable(),
              ::testing::HasSubstr("row 2: review_comment_message \"never closed,2017-09-20 "));
  EXPECT_THAT(tally_.FormatTable(), ::testing::HasSubstr("; expected RFC 4180 CSV"));
  EXPECT_EQ(tally_.read(kReviewsFile), 1);
}

TEST_F(ReadOlistDatasetTest, RejectsRowWithoutJoinKey) {
  Write(kSellersFile,
        "seller_id,seller_zip_code_prefix,seller_city,seller_state\n"
        ",13023,campinas,SP\n"
        "s3,1,x,\n");
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir_, tally_);
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(data->sellers.empty());
  EXPECT_EQ(tally_.rejected(kKindPartner, "missing seller_id"), 1);
  EXPECT_EQ(tally_.rejected(kKindPartner, "missing seller_state"), 1);
  EXPECT_THAT(tally_.FormatTable(),
              ::testing::HasSubstr("row 2: seller_id \"\"; expected a non-empty seller_id"));
}

TEST_F(ReadOlistDatasetTest, RejectsDuplicateOrder) {
  Write(kOrdersFile,
        "order_id,customer_id,order_status,order_purchase_timestamp\n"
        "o1,c1,delivered,2017-09-13 08:59:02\n"
        "o1,c1,canceled,2017-09-13 08:59:02\n");
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir_, tally_);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->orders.at("o1").status, "delivered");
  EXPECT_EQ(tally_.rejected(kKindOrder, "duplicate order_id"), 1);
  EXPECT_THAT(tally_.FormatTable(),
              ::testing::HasSubstr("row 3: order_id \"o1\" appeared in an earlier row; expected "
                                   "each order_id once"));
}

TEST_F(ReadOlistDatasetTest, FailsWhenFileIsMissing) {
  std::filesystem::remove(dir_ + "/" + kOrdersFile);
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir_, tally_);
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ReadOlistDatasetTest, FailsWhenColumnIsMissing) {
  Write(kItemsFile, "order_id,order_item_id\no1,1\n");
  absl::StatusOr<OlistDataset> data = ReadOlistDataset(dir_, tally_);
  EXPECT_EQ(data.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(data.status().message()), ::testing::HasSubstr("product_id"));
}

TEST_F(ReadOlistDatasetTest, FailsWhenFileIsEmpty) {
  Write(kSellersFile, "");
  EXPECT_EQ(ReadOlistDataset(dir_, tally_).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace consort::consortctl
