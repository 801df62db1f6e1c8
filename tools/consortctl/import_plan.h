#pragma once

// Turns the Olist files into the records the import sends, without any I/O, so that the mapping
// rules are tested on their own:
// - each seller becomes a partner (id = seller_id, home region = seller_state, ACTIVE) with one
//   contract (regions, channel, currency, time zone, monthly target and commission rate from
//   ImportOptions, all product categories), which is then activated;
// - each order item becomes a sale with id "<order_id>-<order_item_id>", amount = price, freight
//   kept apart, region = the seller's state, category = the English name of the product's
//   category (the Portuguese name when it has no translation, "uncategorized" when blank), time =
//   the order's purchase time when the order is in the orders file, else the item's shipping limit
//   date;
// - an item whose order is "canceled" or "unavailable" is followed by a refund of its full amount
//   at the same time, with id "<sale_id>-refund";
// - each review whose order has items becomes one feedback per distinct seller of the order, with
//   id "<review_id>-<order_id>-<seller_id>" and time = review_creation_date; a review whose order
//   has no items is rejected as "order not found".
// Timestamps carry no zone in the files and are read as local time in ImportOptions::time_zone.
// Rows with values that cannot be mapped are counted in the tally as rejected, with a reason.
//
// Thread safety: pure functions of their arguments, apart from the tally (itself thread-safe).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consortctl/import_tally.h"
#include "consortctl/olist_dataset.h"

namespace consort::consortctl {

inline constexpr const char* kUncategorized = "uncategorized";

// Contract terms given to every imported seller.
struct ImportOptions {
  // Whether each contract covers its seller's state.
  bool region_from_seller = true;
  // Regions every contract covers in addition.
  std::vector<std::string> extra_regions;
  std::string channel = "marketplace";
  std::string currency = "BRL";
  std::string time_zone = "America/Sao_Paulo";
  std::string monthly_target = "1000.00";
  std::string commission_rate = "10%";
};

// Fails with INVALID_ARGUMENT naming the option when a value is malformed. Malformed values are an
// unknown currency or time zone, a target below zero or with more decimals than the currency
// has, a rate outside 0 to 100%, an empty channel, and contracts without any region.
absl::Status ValidateImportOptions(const ImportOptions& options);

struct PlannedPartner {
  std::string partner_id;
  std::string display_name;
  std::string home_region;
  std::string contract_id;
  std::vector<std::string> contract_regions;
};

struct PlannedSale {
  std::string sale_id;
  std::string partner_id;
  bool refund = false;
  // For a refund: the sale it reverses.
  std::string original_sale_id;
  // Decimal text with exactly the currency's decimals, for example "58.90".
  std::string amount;
  // Empty when the item has no freight or a freight of zero.
  std::string freight;
  std::string region;
  std::string product_category;
  std::string order_id;
  absl::Time event_time;
};

struct PlannedFeedback {
  std::string feedback_id;
  std::string partner_id;
  std::string order_id;
  int rating = 0;
  std::string title;
  std::string text;
  absl::Time event_time;
};

struct ImportPlan {
  ImportOptions options;
  std::vector<PlannedPartner> partners;
  // Sales in item file order, each refund right after its sale.
  std::vector<PlannedSale> sales;
  std::vector<PlannedFeedback> feedback;
};

// Builds the plan. `options` must have passed ValidateImportOptions.
absl::StatusOr<ImportPlan> PlanOlistImport(const OlistDataset& data, const ImportOptions& options,
                                           ImportTally& tally);

// Parses a zone-less local timestamp "YYYY-MM-DD HH:MM:SS" in `zone`. As absl::FromCivil does, a
// local time that a daylight-saving change skipped maps to the instant of the change, and one
// that occurred twice maps to the earlier instant. Fails with
// INVALID_ARGUMENT quoting the text when it does not have that form or names a date that does
// not exist.
absl::StatusOr<absl::Time> ParseLocalTimestamp(const std::string& text, const absl::TimeZone& zone);

// Returns whether an order status makes its items refunded in full.
bool IsRefundedOrderStatus(const std::string& status);

// The product category a sale reports: the English name of the Portuguese `category`, the
// Portuguese name when it has no translation, or "uncategorized" when it is blank.
std::string SaleCategory(const OlistDataset& data, const std::string& product_id);

}  // namespace consort::consortctl
