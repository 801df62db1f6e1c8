#include "tests/e2e/expected_totals.h"

#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "consortctl/csv_reader.h"

namespace consort::e2e {
namespace {

using consortctl::CsvRecord;

constexpr int64_t kTargetCents = 100000;

// Reads a CSV file into rows of column name -> value.
absl::StatusOr<std::vector<std::map<std::string, std::string>>> ReadRows(const std::string& path) {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  absl::Status row_error;
  absl::Status status = consortctl::ReadCsvFile(path, [&](CsvRecord& record) {
    if (header.empty()) {
      header = record.fields;
      return;
    }
    if (!record.error.empty() || record.fields.size() != header.size()) {
      row_error = absl::DataLossError(absl::StrCat(path, " record ", record.number,
                                                   " is malformed; the test data must be clean"));
      return;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = record.fields[i];
    rows.push_back(std::move(row));
  });
  if (!status.ok()) return status;
  if (!row_error.ok()) return row_error;
  return rows;
}

// "58.90" or "58.9" -> 5890.
absl::StatusOr<int64_t> ParseCents(const std::string& text) {
  size_t dot = text.find('.');
  std::string whole = text.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (fraction.size() > 2) return absl::InvalidArgumentError(absl::StrCat("price ", text));
  while (fraction.size() < 2) fraction += '0';
  int64_t units = 0;
  int64_t cents = 0;
  if (!absl::SimpleAtoi(whole, &units) || !absl::SimpleAtoi(fraction, &cents)) {
    return absl::InvalidArgumentError(absl::StrCat("price ", text));
  }
  return units * 100 + cents;
}

std::string FormatCents(int64_t cents) {
  std::string sign = cents < 0 ? "-" : "";
  int64_t magnitude = cents < 0 ? -cents : cents;
  return absl::StrFormat("%s%d.%02d", sign, magnitude / 100, magnitude % 100);
}

// numerator / denominator rounded half-up to two decimals, for non-negative values.
std::string FormatRatioTwoDecimals(int64_t numerator, int64_t denominator) {
  int64_t hundredths = (numerator * 100 * 2 + denominator) / (2 * denominator);
  return absl::StrFormat("%d.%02d", hundredths / 100, hundredths % 100);
}

struct Aggregate {
  int64_t gross = 0;
  int64_t refunds = 0;
  std::set<std::string> orders;
  int64_t items = 0;
  int64_t feedback = 0;
  int64_t rating_sum = 0;
  int64_t complaints = 0;
  int64_t commission = 0;
  bool has_sales = false;
};

}  // namespace

absl::StatusOr<ExpectedTotals> ComputeExpectedTotals(const std::string& dir) {
  auto sellers_rows = ReadRows(dir + "/olist_sellers_dataset.csv");
  auto orders_rows = ReadRows(dir + "/olist_orders_dataset.csv");
  auto items_rows = ReadRows(dir + "/olist_order_items_dataset.csv");
  auto reviews_rows = ReadRows(dir + "/olist_order_reviews_dataset.csv");
  for (const auto* rows : {&sellers_rows, &orders_rows, &items_rows, &reviews_rows}) {
    if (!rows->ok()) return rows->status();
  }

  ExpectedTotals totals;
  totals.counts.records_read = {{"olist_sellers_dataset.csv", sellers_rows->size()},
                                {"olist_orders_dataset.csv", orders_rows->size()},
                                {"olist_order_items_dataset.csv", items_rows->size()},
                                {"olist_order_reviews_dataset.csv", reviews_rows->size()}};
  std::set<std::string> sellers;
  for (const auto& row : *sellers_rows) sellers.insert(row.at("seller_id"));
  totals.counts.partners = sellers.size();

  absl::flat_hash_map<std::string, std::pair<std::string, std::string>> orders;
  for (const auto& row : *orders_rows) {
    orders.emplace(row.at("order_id"),
                   std::make_pair(row.at("order_status"), row.at("order_purchase_timestamp")));
  }

  std::map<std::pair<std::string, std::string>, Aggregate> aggregates;
  std::set<std::string> sale_ids;
  absl::flat_hash_map<std::string, std::vector<std::string>> order_sellers;
  for (const auto& row : *items_rows) {
    const std::string& seller = row.at("seller_id");
    const std::string& order_id = row.at("order_id");
    if (sellers.count(seller) == 0) continue;
    std::vector<std::string>& seller_list = order_sellers[order_id];
    if (std::find(seller_list.begin(), seller_list.end(), seller) == seller_list.end()) {
      seller_list.push_back(seller);
    }
    if (!sale_ids.insert(absl::StrCat(order_id, "-", row.at("order_item_id"))).second) {
      ++totals.counts.duplicate_sales;
      continue;
    }
    absl::StatusOr<int64_t> cents = ParseCents(row.at("price"));
    if (!cents.ok()) return cents.status();

    auto order = orders.find(order_id);
    std::string time = order != orders.end() ? order->second.second : row.at("shipping_limit_date");
    Aggregate& aggregate = aggregates[{seller, time.substr(0, 7)}];
    aggregate.has_sales = true;
    aggregate.gross += *cents;
    aggregate.orders.insert(order_id);
    aggregate.items += 1;
    // 10% of the amount in cents, rounded half-up per sale.
    int64_t commission = (*cents + 5) / 10;
    aggregate.commission += commission;
    ++totals.counts.sales;

    bool refunded = order != orders.end() &&
                    (order->second.first == "canceled" || order->second.first == "unavailable");
    if (refunded) {
      aggregate.refunds += *cents;
      aggregate.commission -= commission;
      ++totals.counts.refunds;
    }
  }

  std::set<std::string> feedback_ids;
  for (const auto& row : *reviews_rows) {
    auto order = order_sellers.find(row.at("order_id"));
    if (order == order_sellers.end()) {
      ++totals.counts.reviews_without_order;
      continue;
    }
    int64_t rating = 0;
    if (!absl::SimpleAtoi(row.at("review_score"), &rating)) {
      return absl::DataLossError(absl::StrCat("review score ", row.at("review_score")));
    }
    for (const std::string& seller : order->second) {
      std::string id = absl::StrCat(row.at("review_id"), "-", row.at("order_id"), "-", seller);
      if (!feedback_ids.insert(id).second) {
        ++totals.counts.duplicate_feedback;
        continue;
      }
      Aggregate& aggregate = aggregates[{seller, row.at("review_creation_date").substr(0, 7)}];
      aggregate.feedback += 1;
      aggregate.rating_sum += rating;
      if (rating <= 2) aggregate.complaints += 1;
      ++totals.counts.feedback;
    }
  }

  for (const auto& [key, aggregate] : aggregates) {
    int64_t net = aggregate.gross - aggregate.refunds;
    totals.scorecards[key] = {
        "BRL",
        FormatCents(aggregate.gross),
        FormatCents(aggregate.refunds),
        FormatCents(net),
        absl::StrCat(aggregate.orders.size()),
        absl::StrCat(aggregate.items),
        absl::StrCat(aggregate.feedback),
        aggregate.feedback == 0 ? ""
                                : FormatRatioTwoDecimals(aggregate.rating_sum, aggregate.feedback),
        absl::StrCat(aggregate.complaints),
        FormatCents(kTargetCents),
        FormatRatioTwoDecimals(net * 100, kTargetCents),
    };
    if (aggregate.has_sales) {
      totals.commissions[key] = {"BRL", FormatCents(aggregate.commission)};
    }
  }
  return totals;
}

std::map<std::string, int64_t> ExpectedSummary(const ExpectedCounts& counts) {
  std::map<std::string, int64_t> summary;
  for (const auto& [file, records] : counts.records_read) {
    summary[absl::StrCat("read/", file, "//")] = records;
  }
  auto add = [&summary](const std::string& key, int64_t count) {
    if (count > 0) summary[absl::StrCat("result/", key)] = count;
  };
  add("partner/accepted/", counts.partners);
  add("sale/accepted/", counts.sales);
  add("sale/duplicate/", counts.duplicate_sales);
  add("refund/accepted/", counts.refunds);
  add("feedback/accepted/", counts.feedback);
  add("feedback/duplicate/", counts.duplicate_feedback);
  add("feedback/rejected/order not found", counts.reviews_without_order);
  return summary;
}

absl::StatusOr<CsvRows> ParseExport(const std::string& csv, const std::string& header) {
  absl::StatusOr<std::vector<CsvRecord>> records = consortctl::ParseCsvText(csv);
  if (!records.ok()) return records.status();
  if (records->empty()) return absl::DataLossError("the export is empty; expected a header");
  std::string got_header = absl::StrJoin((*records)[0].fields, ",");
  if (got_header != header) {
    return absl::DataLossError(
        absl::StrCat("header is \"", got_header, "\"; expected \"", header, "\""));
  }
  size_t width = (*records)[0].fields.size();
  CsvRows rows;
  for (size_t i = 1; i < records->size(); ++i) {
    const std::vector<std::string>& fields = (*records)[i].fields;
    if (fields.size() != width) {
      return absl::DataLossError(
          absl::StrCat("export row ", i, " has ", fields.size(), " fields; expected ", width));
    }
    std::vector<std::string> values(fields.begin() + 2, fields.end());
    if (!rows.emplace(std::make_pair(fields[0], fields[1]), values).second) {
      return absl::DataLossError(
          absl::StrCat("export has two rows for ", fields[0], " in ", fields[1]));
    }
  }
  return rows;
}

absl::StatusOr<std::map<std::string, int64_t>> ParseImportSummary(const std::string& csv) {
  absl::StatusOr<std::vector<CsvRecord>> records = consortctl::ParseCsvText(csv);
  if (!records.ok()) return records.status();
  std::map<std::string, int64_t> counts;
  for (size_t i = 1; i < records->size(); ++i) {
    const std::vector<std::string>& fields = (*records)[i].fields;
    int64_t count = 0;
    if (fields.size() != 5 || !absl::SimpleAtoi(fields[4], &count)) {
      return absl::DataLossError(absl::StrCat("summary row ", i, " is malformed"));
    }
    counts[absl::StrJoin({fields[0], fields[1], fields[2], fields[3]}, "/")] = count;
  }
  return counts;
}

}  // namespace consort::e2e
