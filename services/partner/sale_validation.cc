#include "partner/sale_validation.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace consort::partner {
namespace {

using v1::SaleRecord;

constexpr size_t kMaxSaleIdLength = 128;
constexpr size_t kMaxScopeLength = 64;
constexpr size_t kMaxOrderIdLength = 128;

SaleRejection Reject(absl::string_view reason, const absl::Status& status) {
  return SaleRejection{std::string(reason), std::string(status.message())};
}

// Maps a failed field check to missing_field when the value is empty, else invalid_field.
SaleRejection RejectField(absl::string_view value, const absl::Status& status) {
  return Reject(value.empty() ? reason::kMissingField : reason::kInvalidField, status);
}

// An example amount with the currency's decimals: "1200" for JPY, "58.90" for BRL.
std::string ExampleAmount(const money::Currency& currency) {
  if (currency.minor_unit == 0) return "1200";
  return absl::StrCat("58.9", std::string(currency.minor_unit - 1, '0'));
}

std::string CurrencyCode(const money::Currency& currency) {
  return std::string(currency.code.data(), currency.code.size());
}

// Parses `money` (the field named `field`) into minor units of its currency. A zero amount passes
// only when `allow_zero`; negative amounts never do.
std::variant<int64_t, SaleRejection> ParseAmount(absl::string_view field,
                                                 const consort::common::v1::Money& money,
                                                 const money::Currency& currency, bool allow_zero) {
  const std::string amount_field = absl::StrCat(field, ".amount");
  const std::string allowed =
      absl::StrCat("expected a ", allow_zero ? "non-negative" : "positive",
                   " decimal with at most ", currency.minor_unit, " decimals for ",
                   CurrencyCode(currency), ", for example ", ExampleAmount(currency));
  if (money.amount().empty()) {
    return Reject(reason::kMissingField, MissingField(amount_field, allowed));
  }
  auto parsed = money::Money::Parse(money.amount(), currency);
  if (!parsed.ok()) {
    return Reject(reason::kInvalidAmount, InvalidField(amount_field, money.amount(), allowed));
  }
  const int64_t minor = parsed->minor_units();
  if (minor < 0 || (minor == 0 && !allow_zero)) {
    return Reject(reason::kInvalidAmount, InvalidField(amount_field, money.amount(), allowed));
  }
  if (minor > kMaxAmountMinor) {
    const auto max = money::Money::FromMinor(kMaxAmountMinor, currency);
    return Reject(reason::kInvalidAmount,
                  InvalidField(amount_field, money.amount(),
                               absl::StrCat("expected at most ", max.ToString())));
  }
  return minor;
}

// Looks up the currency of `money` (the field named `field`).
std::variant<const money::Currency*, SaleRejection> FindMoneyCurrency(
    absl::string_view field, const consort::common::v1::Money& money) {
  const std::string currency_field = absl::StrCat(field, ".currency");
  constexpr absl::string_view kAllowed =
      "expected an ISO 4217 currency code in upper case, for example BRL";
  if (money.currency().empty()) {
    return Reject(reason::kMissingField, MissingField(currency_field, kAllowed));
  }
  const money::Currency* currency = money::FindCurrency(money.currency());
  if (currency == nullptr) {
    return Reject(reason::kInvalidCurrency,
                  InvalidField(currency_field, money.currency(), kAllowed));
  }
  return currency;
}

std::optional<SaleRejection> CheckKindAndOriginal(const SaleRecord& record, CheckedSale& sale) {
  switch (record.kind()) {
    case v1::SALE_RECORD_KIND_SALE:
      sale.is_refund = false;
      break;
    case v1::SALE_RECORD_KIND_REFUND:
      sale.is_refund = true;
      break;
    case v1::SALE_RECORD_KIND_UNSPECIFIED:
      return Reject(
          reason::kMissingField,
          MissingField("kind", "expected SALE_RECORD_KIND_SALE or SALE_RECORD_KIND_REFUND"));
    default:
      return Reject(reason::kInvalidField,
                    InvalidField("kind", absl::StrCat(static_cast<int>(record.kind())),
                                 "expected SALE_RECORD_KIND_SALE or SALE_RECORD_KIND_REFUND"));
  }

  if (!sale.is_refund) {
    if (!record.original_sale_id().empty()) {
      return Reject(reason::kInvalidField,
                    InvalidField("original_sale_id", record.original_sale_id(),
                                 "expected it to be empty for a sale; only a refund names an "
                                 "original sale"));
    }
    return std::nullopt;
  }
  if (auto status = CheckReference("original_sale_id", record.original_sale_id(), kMaxSaleIdLength);
      !status.ok()) {
    return RejectField(record.original_sale_id(), status);
  }
  if (record.original_sale_id() == record.sale_id()) {
    return Reject(reason::kInvalidField,
                  InvalidField("original_sale_id", record.original_sale_id(),
                               "expected the id of an earlier sale, not the refund's own sale_id"));
  }
  sale.original_sale_id = record.original_sale_id();
  return std::nullopt;
}

std::optional<SaleRejection> CheckAmount(const SaleRecord& record, CheckedSale& sale) {
  if (!record.has_amount()) {
    return Reject(reason::kMissingField,
                  MissingField("amount",
                               "expected a currency and a positive amount, for example "
                               "{currency: \"BRL\", amount: \"58.90\"}"));
  }
  auto currency = FindMoneyCurrency("amount", record.amount());
  if (auto* rejection = std::get_if<SaleRejection>(&currency)) return std::move(*rejection);
  sale.currency = std::get<const money::Currency*>(currency);

  auto amount = ParseAmount("amount", record.amount(), *sale.currency, /*allow_zero=*/false);
  if (auto* rejection = std::get_if<SaleRejection>(&amount)) return std::move(*rejection);
  sale.amount_minor = std::get<int64_t>(amount);
  return std::nullopt;
}

std::optional<SaleRejection> CheckScope(const SaleRecord& record, CheckedSale& sale) {
  if (sale.is_refund) return std::nullopt;
  const std::pair<const char*, const std::string*> fields[] = {
      {"region", &record.region()},
      {"product_category", &record.product_category()},
      {"channel", &record.channel()},
  };
  for (const auto& [name, value] : fields) {
    if (auto status = CheckText(name, *value, kMaxScopeLength, /*required=*/true); !status.ok()) {
      return RejectField(*value, status);
    }
  }
  sale.region = record.region();
  sale.product_category = record.product_category();
  sale.channel = record.channel();
  return std::nullopt;
}

std::optional<SaleRejection> CheckQuantity(const SaleRecord& record, CheckedSale& sale) {
  if (record.quantity() < 0 || record.quantity() > kMaxQuantity) {
    return Reject(reason::kInvalidField, InvalidField("quantity", absl::StrCat(record.quantity()),
                                                      "expected 1 to 1000000 units, or 0 for 1"));
  }
  if (sale.is_refund) {
    sale.quantity = 0;
  } else {
    sale.quantity = record.quantity() == 0 ? 1 : record.quantity();
  }
  return std::nullopt;
}

std::optional<SaleRejection> CheckEventTime(const SaleRecord& record, absl::Time now,
                                            CheckedSale& sale) {
  if (!record.has_event_time()) {
    return Reject(reason::kMissingField,
                  MissingField("event_time", "expected the time the sale or refund happened"));
  }
  auto time = FromProtoTimestamp(record.event_time(), "event_time");
  if (!time.ok()) return Reject(reason::kInvalidField, time.status());
  if (*time > now + kMaxEventTimeSkew) {
    return Reject(reason::kEventTimeInFuture,
                  InvalidField("event_time", FormatUtc(*time),
                               absl::StrCat("expected at most 5 minutes after the server time ",
                                            FormatUtc(now))));
  }
  sale.event_time = *time;
  return std::nullopt;
}

std::optional<SaleRejection> CheckFreight(const SaleRecord& record, CheckedSale& sale) {
  const auto& freight = record.freight();
  if (!record.has_freight() || (freight.currency().empty() && freight.amount().empty())) {
    sale.freight_minor = 0;
    return std::nullopt;
  }
  auto currency = FindMoneyCurrency("freight", freight);
  if (auto* rejection = std::get_if<SaleRejection>(&currency)) return std::move(*rejection);
  const money::Currency* freight_currency = std::get<const money::Currency*>(currency);
  if (freight_currency->code != sale.currency->code) {
    return Reject(reason::kCurrencyMismatch,
                  InvalidField("freight.currency", freight.currency(),
                               absl::StrCat("expected the currency of amount, ",
                                            CurrencyCode(*sale.currency))));
  }
  auto amount = ParseAmount("freight", freight, *freight_currency, /*allow_zero=*/true);
  if (auto* rejection = std::get_if<SaleRejection>(&amount)) return std::move(*rejection);
  sale.freight_minor = std::get<int64_t>(amount);
  return std::nullopt;
}

}  // namespace

std::variant<CheckedSale, SaleRejection> CheckSaleRecord(const SaleRecord& record, absl::Time now) {
  CheckedSale sale;
  if (auto status = CheckReference("sale_id", record.sale_id(), kMaxSaleIdLength); !status.ok()) {
    return RejectField(record.sale_id(), status);
  }
  sale.sale_id = record.sale_id();
  if (auto status = CheckIdentifier("partner_id", record.partner_id()); !status.ok()) {
    return RejectField(record.partner_id(), status);
  }
  sale.partner_id = record.partner_id();

  if (auto rejection = CheckKindAndOriginal(record, sale)) return std::move(*rejection);
  if (auto rejection = CheckAmount(record, sale)) return std::move(*rejection);
  if (auto rejection = CheckScope(record, sale)) return std::move(*rejection);

  if (!record.order_id().empty()) {
    if (auto status = CheckText("order_id", record.order_id(), kMaxOrderIdLength, false);
        !status.ok()) {
      return Reject(reason::kInvalidField, status);
    }
  }
  sale.order_id = record.order_id();

  if (auto rejection = CheckQuantity(record, sale)) return std::move(*rejection);
  if (auto rejection = CheckEventTime(record, now, sale)) return std::move(*rejection);
  if (auto rejection = CheckFreight(record, sale)) return std::move(*rejection);
  return sale;
}

}  // namespace consort::partner
