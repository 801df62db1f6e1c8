#pragma once

// Reads the Olist marketplace files (the public "Brazilian E-Commerce Public Dataset by Olist"
// layout) into memory for the import: sellers, products, the category translation, orders,
// order items and reviews. Columns are found by name, so their order does not matter and extra
// columns are ignored.
//
// Reading checks only the shape of each row (field count, the identifiers that later steps join
// on). A row that fails is counted in the tally as rejected with a reason and an example, under
// the kind of record it would have become, and is left out; values (prices, timestamps, scores)
// are checked when the import is planned. Called once per import on the main thread.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "consortctl/import_tally.h"

namespace consort::consortctl {

inline constexpr const char* kSellersFile = "olist_sellers_dataset.csv";
inline constexpr const char* kProductsFile = "olist_products_dataset.csv";
inline constexpr const char* kTranslationFile = "product_category_name_translation.csv";
inline constexpr const char* kOrdersFile = "olist_orders_dataset.csv";
inline constexpr const char* kItemsFile = "olist_order_items_dataset.csv";
inline constexpr const char* kReviewsFile = "olist_order_reviews_dataset.csv";

struct OlistSeller {
  std::string seller_id;
  std::string zip_code_prefix;
  std::string city;
  std::string state;
};

struct OlistOrder {
  std::string order_id;
  std::string status;
  // Local time "YYYY-MM-DD HH:MM:SS" without a zone.
  std::string purchase_timestamp;
};

struct OlistItem {
  // Row number in the items file (the header is row 1), for messages.
  int64_t row = 0;
  std::string order_id;
  std::string order_item_id;
  std::string product_id;
  std::string seller_id;
  std::string shipping_limit_date;
  std::string price;
  std::string freight_value;
};

struct OlistReview {
  int64_t row = 0;
  std::string review_id;
  std::string order_id;
  std::string score;
  std::string title;
  std::string message;
  std::string creation_date;
};

struct OlistDataset {
  // In file order.
  std::vector<OlistSeller> sellers;
  // product_id -> Portuguese category name, empty when the product has none.
  absl::flat_hash_map<std::string, std::string> product_categories;
  // Portuguese category name -> English category name.
  absl::flat_hash_map<std::string, std::string> category_translations;
  absl::flat_hash_map<std::string, OlistOrder> orders;
  std::vector<OlistItem> items;
  std::vector<OlistReview> reviews;
};

// Reads the six files from `dir`. Fails with NOT_FOUND when a file is missing and with
// INVALID_ARGUMENT when a header lacks a column the import needs; rejected rows are counted in
// `tally` instead.
absl::StatusOr<OlistDataset> ReadOlistDataset(const std::string& dir, ImportTally& tally);

}  // namespace consort::consortctl
