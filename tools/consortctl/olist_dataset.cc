#include "consortctl/olist_dataset.h"

#include <filesystem>
#include <functional>
#include <optional>

#include "absl/strings/str_cat.h"
#include "consortctl/csv_reader.h"

namespace consort::consortctl {
namespace {

// Why a row cannot be used: the reason that groups it in the tally, and the column, the value
// and what is allowed.
struct RowRejection {
  std::string reason;
  std::string detail;
};

// Returns the rejection of a row whose content cannot be used, or nullopt when it can be used.
using RowHandler =
    std::function<std::optional<RowRejection>(const CsvTable& table, const CsvRecord& record)>;

std::string Example(const std::string& file, int64_t row, const std::string& detail) {
  return absl::StrCat(file, " row ", row, ": ", detail);
}

std::string Quoted(const std::string& value) {
  return absl::StrCat("\"", value.substr(0, 64), "\"");
}

// Rejects a repeat of a key column's value.
RowRejection Duplicate(const std::string& column, const std::string& value) {
  return {absl::StrCat("duplicate ", column),
          absl::StrCat(column, " ", Quoted(value), " appeared in an earlier row; expected each ",
                       column, " once")};
}

// Reads one file, checks every data row's field count against the header, and passes the
// well-formed rows to `handle`. Rejections are counted under `kind`.
absl::Status ReadTable(const std::string& dir, const std::string& file,
                       const std::vector<std::string>& required, const std::string& kind,
                       ImportTally& tally, const RowHandler& handle) {
  std::string path = (std::filesystem::path(dir) / file).string();
  std::optional<CsvTable> table;
  absl::Status header_status;
  int64_t rows = 0;

  absl::Status status = ReadCsvFile(path, [&](CsvRecord& record) {
    if (!header_status.ok()) return;
    if (!table.has_value()) {
      absl::StatusOr<CsvTable> parsed = CsvTable::FromHeader(file, record, required);
      if (!parsed.ok()) {
        header_status = parsed.status();
        return;
      }
      table = std::move(*parsed);
      return;
    }

    ++rows;
    if (!record.error.empty()) {
      // The error is about the row's last field, the one being read when it occurred.
      std::string field = "the row";
      if (!record.fields.empty()) {
        size_t index = record.fields.size() - 1;
        field = absl::StrCat(
            index < table->width() ? table->column(index) : absl::StrCat("field ", index + 1), " ",
            Quoted(record.fields.back()));
      }
      tally.Add(kind, Outcome::kRejected, "malformed row",
                Example(file, record.number,
                        absl::StrCat(field, ": ", record.error,
                                     "; expected RFC 4180 CSV, a quoted field ending in a quote")));
      return;
    }
    if (record.fields.size() != table->width()) {
      tally.Add(kind, Outcome::kRejected, "wrong number of fields",
                Example(file, record.number,
                        absl::StrCat("the row has ", record.fields.size(), " fields; expected ",
                                     table->width(), ", one per column of the header")));
      return;
    }
    std::optional<RowRejection> rejection = handle(*table, record);
    if (rejection.has_value()) {
      tally.Add(kind, Outcome::kRejected, rejection->reason,
                Example(file, record.number, rejection->detail));
    }
  });
  if (!status.ok()) return status;
  if (!header_status.ok()) return header_status;
  if (!table.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is empty; expected a header row"));
  }
  tally.AddRead(file, rows);
  return absl::OkStatus();
}

// Rejects as "missing <column>" a row whose column that later steps join on is empty.
std::optional<RowRejection> CheckPresent(const CsvTable& table, const CsvRecord& record,
                                         const std::vector<std::string>& columns) {
  for (const std::string& column : columns) {
    if (table.Get(record, column).empty()) {
      return RowRejection{absl::StrCat("missing ", column),
                          absl::StrCat(column, " \"\"; expected a non-empty ", column)};
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<OlistDataset> ReadOlistDataset(const std::string& dir, ImportTally& tally) {
  OlistDataset data;

  absl::Status status = ReadTable(
      dir, kSellersFile, {"seller_id", "seller_city", "seller_state"}, kKindPartner, tally,
      [&](const CsvTable& table, const CsvRecord& record) -> std::optional<RowRejection> {
        if (auto missing = CheckPresent(table, record, {"seller_id", "seller_state"})) {
          return missing;
        }
        OlistSeller seller;
        seller.seller_id = table.Get(record, "seller_id");
        int zip = table.Find("seller_zip_code_prefix");
        if (zip >= 0) seller.zip_code_prefix = record.fields[zip];
        seller.city = table.Get(record, "seller_city");
        seller.state = table.Get(record, "seller_state");
        data.sellers.push_back(std::move(seller));
        return std::nullopt;
      });
  if (!status.ok()) return status;

  status =
      ReadTable(dir, kProductsFile, {"product_id", "product_category_name"}, kKindProduct, tally,
                [&](const CsvTable& table, const CsvRecord& record) -> std::optional<RowRejection> {
                  if (auto missing = CheckPresent(table, record, {"product_id"})) return missing;
                  bool inserted = data.product_categories
                                      .emplace(table.Get(record, "product_id"),
                                               table.Get(record, "product_category_name"))
                                      .second;
                  if (!inserted) {
                    return Duplicate("product_id", table.Get(record, "product_id"));
                  }
                  return std::nullopt;
                });
  if (!status.ok()) return status;

  status = ReadTable(
      dir, kTranslationFile, {"product_category_name", "product_category_name_english"},
      kKindCategory, tally,
      [&](const CsvTable& table, const CsvRecord& record) -> std::optional<RowRejection> {
        if (auto missing = CheckPresent(
                table, record, {"product_category_name", "product_category_name_english"})) {
          return missing;
        }
        bool inserted = data.category_translations
                            .emplace(table.Get(record, "product_category_name"),
                                     table.Get(record, "product_category_name_english"))
                            .second;
        if (!inserted) {
          return Duplicate("product_category_name", table.Get(record, "product_category_name"));
        }
        return std::nullopt;
      });
  if (!status.ok()) return status;

  status = ReadTable(
      dir, kOrdersFile, {"order_id", "order_status", "order_purchase_timestamp"}, kKindOrder, tally,
      [&](const CsvTable& table, const CsvRecord& record) -> std::optional<RowRejection> {
        if (auto missing = CheckPresent(table, record, {"order_id"})) return missing;
        OlistOrder order;
        order.order_id = table.Get(record, "order_id");
        order.status = table.Get(record, "order_status");
        order.purchase_timestamp = table.Get(record, "order_purchase_timestamp");
        if (!data.orders.emplace(order.order_id, order).second) {
          return Duplicate("order_id", order.order_id);
        }
        return std::nullopt;
      });
  if (!status.ok()) return status;

  status =
      ReadTable(dir, kItemsFile,
                {"order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date",
                 "price", "freight_value"},
                kKindSale, tally,
                [&](const CsvTable& table, const CsvRecord& record) -> std::optional<RowRejection> {
                  if (auto missing =
                          CheckPresent(table, record, {"order_id", "order_item_id", "seller_id"})) {
                    return missing;
                  }
                  OlistItem item;
                  item.row = record.number;
                  item.order_id = table.Get(record, "order_id");
                  item.order_item_id = table.Get(record, "order_item_id");
                  item.product_id = table.Get(record, "product_id");
                  item.seller_id = table.Get(record, "seller_id");
                  item.shipping_limit_date = table.Get(record, "shipping_limit_date");
                  item.price = table.Get(record, "price");
                  item.freight_value = table.Get(record, "freight_value");
                  data.items.push_back(std::move(item));
                  return std::nullopt;
                });
  if (!status.ok()) return status;

  status =
      ReadTable(dir, kReviewsFile,
                {"review_id", "order_id", "review_score", "review_comment_title",
                 "review_comment_message", "review_creation_date"},
                kKindFeedback, tally,
                [&](const CsvTable& table, const CsvRecord& record) -> std::optional<RowRejection> {
                  if (auto missing = CheckPresent(table, record, {"review_id", "order_id"}))
                    return missing;
                  OlistReview review;
                  review.row = record.number;
                  review.review_id = table.Get(record, "review_id");
                  review.order_id = table.Get(record, "order_id");
                  review.score = table.Get(record, "review_score");
                  review.title = table.Get(record, "review_comment_title");
                  review.message = table.Get(record, "review_comment_message");
                  review.creation_date = table.Get(record, "review_creation_date");
                  data.reviews.push_back(std::move(review));
                  return std::nullopt;
                });
  if (!status.ok()) return status;

  return data;
}

}  // namespace consort::consortctl
