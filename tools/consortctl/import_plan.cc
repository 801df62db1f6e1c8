#include "consortctl/import_plan.h"

#include <algorithm>
#include <cctype>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "money/money.h"
#include "period/period.h"

namespace consort::consortctl {
namespace {

// The example of a rejected row: the file, the row, the column, its value and what is allowed.
std::string Example(const std::string& file, int64_t row, const std::string& field,
                    const std::string& value, const std::string& expected) {
  return absl::StrCat(file, " row ", row, ": ", field, " \"", value.substr(0, 64), "\"; expected ",
                      expected);
}

// Expected form of a timestamp column.
constexpr const char* kExpectedTimestamp = "a date and time YYYY-MM-DD HH:MM:SS";

// Returns the expected form of an amount column, with an example in the currency's decimals
// ("58.90" for BRL).
std::string ExpectedAmount(const money::Currency& currency, bool allow_zero) {
  std::string example = "58";
  if (currency.minor_unit > 0) {
    absl::StrAppend(&example, ".9", std::string(currency.minor_unit - 1, '0'));
  }
  return absl::StrCat("a ", allow_zero ? "zero or positive" : "positive",
                      " decimal amount with at most ", currency.minor_unit, " decimals, such as ",
                      example);
}

// Whether `text` is a positive integer in decimal digits, as an order_item_id is.
bool IsPositiveInteger(const std::string& text) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  int value = 0;
  return absl::SimpleAtoi(text, &value) && value > 0;
}

// Reads exactly `width` digits at `pos`.
bool ReadDigits(const std::string& text, size_t pos, size_t width, int& value) {
  value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

absl::Status InvalidTimestamp(const std::string& text) {
  return absl::InvalidArgumentError(
      absl::StrCat("timestamp \"", text.substr(0, 64),
                   "\" is invalid; expected local time YYYY-MM-DD HH:MM:SS"));
}

std::string DisplayName(const OlistSeller& seller) {
  std::string name = absl::StrCat("Olist seller ", seller.seller_id.substr(0, 8));
  if (!seller.city.empty()) absl::StrAppend(&name, ", ", seller.city, "/", seller.state);
  return name;
}

}  // namespace

absl::Status ValidateImportOptions(const ImportOptions& options) {
  const money::Currency* currency = money::FindCurrency(options.currency);
  if (currency == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--currency \"", options.currency, "\" is invalid; expected an ISO 4217 code such as BRL"));
  }
  absl::StatusOr<absl::TimeZone> zone = period::LoadZone(options.time_zone);
  if (!zone.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--time-zone \"", options.time_zone,
                                                   "\" is invalid; expected an IANA time zone "
                                                   "such as America/Sao_Paulo"));
  }
  absl::StatusOr<money::Money> target = money::Money::Parse(options.monthly_target, *currency);
  if (!target.ok() || target->is_negative()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--monthly-target \"", options.monthly_target, "\" is invalid; expected an amount of ",
        options.currency, " of zero or more with at most ", currency->minor_unit, " decimals"));
  }
  absl::StatusOr<money::Rate> rate = money::Rate::Parse(options.commission_rate);
  if (!rate.ok() || rate->is_negative() || *rate > money::Rate::One()) {
    return absl::InvalidArgumentError(absl::StrCat("--commission-rate \"", options.commission_rate,
                                                   "\" is invalid; expected 0 to 100%, as a "
                                                   "percentage (\"10%\") or a fraction (\"0.1\")"));
  }
  if (options.channel.empty()) {
    return absl::InvalidArgumentError("--channel is empty; expected a channel such as marketplace");
  }
  if (!options.region_from_seller && options.extra_regions.empty()) {
    return absl::InvalidArgumentError(
        "contracts would cover no region; keep --region-from-seller or give --extra-region");
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ParseLocalTimestamp(const std::string& text,
                                               const absl::TimeZone& zone) {
  // "YYYY-MM-DD HH:MM:SS"
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':') {
    return InvalidTimestamp(text);
  }
  int year, month, day, hour, minute, second;
  if (!ReadDigits(text, 0, 4, year) || !ReadDigits(text, 5, 2, month) ||
      !ReadDigits(text, 8, 2, day) || !ReadDigits(text, 11, 2, hour) ||
      !ReadDigits(text, 14, 2, minute) || !ReadDigits(text, 17, 2, second)) {
    return InvalidTimestamp(text);
  }

  // CivilSecond normalizes out-of-range fields (month 13 becomes January of the next year), so a
  // date that does not exist shows up as a difference after the round trip.
  absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.year() != year || civil.month() != month || civil.day() != day ||
      civil.hour() != hour || civil.minute() != minute || civil.second() != second) {
    return InvalidTimestamp(text);
  }
  return absl::FromCivil(civil, zone);
}

bool IsRefundedOrderStatus(const std::string& status) {
  return status == "canceled" || status == "unavailable";
}

std::string SaleCategory(const OlistDataset& data, const std::string& product_id) {
  auto product = data.product_categories.find(product_id);
  if (product == data.product_categories.end() || product->second.empty()) return kUncategorized;
  auto english = data.category_translations.find(product->second);
  if (english == data.category_translations.end()) return product->second;
  return english->second;
}

absl::StatusOr<ImportPlan> PlanOlistImport(const OlistDataset& data, const ImportOptions& options,
                                           ImportTally& tally) {
  const money::Currency* currency = money::FindCurrency(options.currency);
  absl::StatusOr<absl::TimeZone> zone = period::LoadZone(options.time_zone);
  if (currency == nullptr || !zone.ok()) {
    return absl::InvalidArgumentError("import options were not validated");
  }

  ImportPlan plan;
  plan.options = options;

  absl::flat_hash_map<std::string, const OlistSeller*> sellers;
  for (const OlistSeller& seller : data.sellers) {
    // A repeated seller row keeps the first row's state and is still sent, so that the partner
    // service reports it as a duplicate.
    sellers.emplace(seller.seller_id, &seller);
    PlannedPartner partner;
    partner.partner_id = seller.seller_id;
    partner.display_name = DisplayName(seller);
    partner.home_region = seller.state;
    partner.contract_id = absl::StrCat(seller.seller_id, "-olist");
    if (options.region_from_seller) partner.contract_regions.push_back(seller.state);
    for (const std::string& region : options.extra_regions) {
      if (std::find(partner.contract_regions.begin(), partner.contract_regions.end(), region) ==
          partner.contract_regions.end()) {
        partner.contract_regions.push_back(region);
      }
    }
    plan.partners.push_back(std::move(partner));
  }

  // Distinct sellers of each order, in item order, for attributing reviews.
  absl::flat_hash_map<std::string, std::vector<std::string>> order_sellers;

  for (const OlistItem& item : data.items) {
    auto seller = sellers.find(item.seller_id);
    if (seller == sellers.end()) {
      tally.Add(kKindSale, Outcome::kRejected, "seller not found",
                Example(kItemsFile, item.row, "seller_id", item.seller_id,
                        absl::StrCat("a seller_id of ", kSellersFile)));
      continue;
    }
    std::vector<std::string>& order_seller_ids = order_sellers[item.order_id];
    if (std::find(order_seller_ids.begin(), order_seller_ids.end(), item.seller_id) ==
        order_seller_ids.end()) {
      order_seller_ids.push_back(item.seller_id);
    }

    if (!IsPositiveInteger(item.order_item_id)) {
      tally.Add(kKindSale, Outcome::kRejected, "invalid order_item_id",
                Example(kItemsFile, item.row, "order_item_id", item.order_item_id,
                        "a positive whole number such as 1, the item's number in its order"));
      continue;
    }
    absl::StatusOr<money::Money> price = money::Money::Parse(item.price, *currency);
    if (!price.ok() || !price->is_positive()) {
      tally.Add(kKindSale, Outcome::kRejected, "invalid price",
                Example(kItemsFile, item.row, "price", item.price,
                        ExpectedAmount(*currency, /*allow_zero=*/false)));
      continue;
    }
    std::string freight;
    if (!item.freight_value.empty()) {
      absl::StatusOr<money::Money> parsed = money::Money::Parse(item.freight_value, *currency);
      if (!parsed.ok() || parsed->is_negative()) {
        tally.Add(kKindSale, Outcome::kRejected, "invalid freight_value",
                  Example(kItemsFile, item.row, "freight_value", item.freight_value,
                          ExpectedAmount(*currency, /*allow_zero=*/true)));
        continue;
      }
      if (parsed->is_positive()) freight = parsed->ToString();
    }

    auto order = data.orders.find(item.order_id);
    bool order_known = order != data.orders.end();
    const std::string& time_text =
        order_known ? order->second.purchase_timestamp : item.shipping_limit_date;
    absl::StatusOr<absl::Time> event_time = ParseLocalTimestamp(time_text, *zone);
    if (!event_time.ok()) {
      std::string field = order_known ? "order_purchase_timestamp" : "shipping_limit_date";
      tally.Add(kKindSale, Outcome::kRejected, absl::StrCat("invalid ", field),
                Example(kItemsFile, item.row, field, time_text, kExpectedTimestamp));
      continue;
    }

    PlannedSale sale;
    sale.sale_id = absl::StrCat(item.order_id, "-", item.order_item_id);
    sale.partner_id = item.seller_id;
    sale.amount = price->ToString();
    sale.freight = freight;
    sale.region = seller->second->state;
    sale.product_category = SaleCategory(data, item.product_id);
    sale.order_id = item.order_id;
    sale.event_time = *event_time;
    plan.sales.push_back(sale);

    if (order_known && IsRefundedOrderStatus(order->second.status)) {
      PlannedSale refund = sale;
      refund.refund = true;
      refund.original_sale_id = sale.sale_id;
      refund.sale_id = absl::StrCat(sale.sale_id, "-refund");
      refund.freight.clear();
      plan.sales.push_back(std::move(refund));
    }
  }

  for (const OlistReview& review : data.reviews) {
    auto order = order_sellers.find(review.order_id);
    if (order == order_sellers.end()) {
      tally.Add(kKindFeedback, Outcome::kRejected, kReasonOrderNotFound,
                Example(kReviewsFile, review.row, "order_id", review.order_id,
                        absl::StrCat("an order_id with items in ", kItemsFile)));
      continue;
    }
    int rating = 0;
    if (!absl::SimpleAtoi(review.score, &rating) || rating < 1 || rating > 5) {
      tally.Add(kKindFeedback, Outcome::kRejected, "invalid review_score",
                Example(kReviewsFile, review.row, "review_score", review.score,
                        "a whole number from 1 to 5"));
      continue;
    }
    absl::StatusOr<absl::Time> event_time = ParseLocalTimestamp(review.creation_date, *zone);
    if (!event_time.ok()) {
      tally.Add(kKindFeedback, Outcome::kRejected, "invalid review_creation_date",
                Example(kReviewsFile, review.row, "review_creation_date", review.creation_date,
                        kExpectedTimestamp));
      continue;
    }
    for (const std::string& seller_id : order->second) {
      PlannedFeedback feedback;
      feedback.feedback_id = absl::StrCat(review.review_id, "-", review.order_id, "-", seller_id);
      feedback.partner_id = seller_id;
      feedback.order_id = review.order_id;
      feedback.rating = rating;
      feedback.title = review.title;
      feedback.text = review.message;
      feedback.event_time = *event_time;
      plan.feedback.push_back(std::move(feedback));
    }
  }
  return plan;
}

}  // namespace consort::consortctl
