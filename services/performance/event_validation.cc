#include "performance/event_validation.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "money/money.h"

namespace consort::performance {
namespace {

using consort::events::v1::EventMeta;
using consort::events::v1::FeedbackEvent;
using consort::events::v1::SaleEvent;

absl::StatusOr<absl::Time> CheckEventTime(bool has_meta, const EventMeta& meta) {
  if (!has_meta || !meta.has_event_time()) {
    return MissingField("meta.event_time", "every event carries the time it happened");
  }
  return FromProtoTimestamp(meta.event_time(), "meta.event_time");
}

absl::Status CheckOptionalReference(absl::string_view field, const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  return CheckReference(field, value, kMaxReferenceLength);
}

absl::Status CheckSaleAmounts(const SaleEvent& sale) {
  const int64_t amount = sale.amount_minor();
  if (amount < -money::Money::kMaxMinorUnits || amount > money::Money::kMaxMinorUnits) {
    return InvalidField("amount_minor", absl::StrCat(amount),
                        "the magnitude is at most 999999999999999999 minor units");
  }
  if (sale.kind() == events::v1::SALE_KIND_SALE) {
    if (amount <= 0) {
      return InvalidField("amount_minor", absl::StrCat(amount), "a sale has a positive amount");
    }
    if (sale.quantity() < 1) {
      return InvalidField("quantity", absl::StrCat(sale.quantity()),
                          "a sale has a quantity of at least 1");
    }
    return absl::OkStatus();
  }

  if (amount >= 0) {
    return InvalidField("amount_minor", absl::StrCat(amount), "a refund has a negative amount");
  }
  if (sale.quantity() < 0) {
    return InvalidField("quantity", absl::StrCat(sale.quantity()),
                        "a refund has a quantity of 0 or more");
  }
  if (sale.original_sale_id().empty()) {
    return MissingField("original_sale_id", "a refund names the sale it reverses");
  }
  return CheckReference("original_sale_id", sale.original_sale_id(), kMaxReferenceLength);
}

}  // namespace

absl::StatusOr<absl::Time> ValidateSaleEvent(const SaleEvent& sale) {
  absl::StatusOr<absl::Time> event_time = CheckEventTime(sale.has_meta(), sale.meta());
  if (!event_time.ok()) return event_time.status();

  if (absl::Status status = CheckReference("sale_id", sale.sale_id(), kMaxReferenceLength);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckIdentifier("partner_id", sale.partner_id()); !status.ok()) {
    return status;
  }
  if (sale.kind() != events::v1::SALE_KIND_SALE && sale.kind() != events::v1::SALE_KIND_REFUND) {
    return InvalidField("kind", events::v1::SaleKind_Name(sale.kind()),
                        "SALE_KIND_SALE or SALE_KIND_REFUND");
  }
  if (absl::Status status = CheckSaleAmounts(sale); !status.ok()) return status;
  if (money::FindCurrency(sale.currency()) == nullptr) {
    return InvalidField("currency", sale.currency(), "an active ISO 4217 code such as BRL");
  }
  if (absl::Status status = CheckIdentifier("contract_id", sale.contract_id()); !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckOptionalReference("order_id", sale.order_id()); !status.ok()) {
    return status;
  }
  return event_time;
}

absl::StatusOr<absl::Time> ValidateFeedbackEvent(const FeedbackEvent& feedback) {
  absl::StatusOr<absl::Time> event_time = CheckEventTime(feedback.has_meta(), feedback.meta());
  if (!event_time.ok()) return event_time.status();

  if (absl::Status status =
          CheckReference("feedback_id", feedback.feedback_id(), kMaxReferenceLength);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckIdentifier("partner_id", feedback.partner_id()); !status.ok()) {
    return status;
  }
  if (feedback.rating() < 1 || feedback.rating() > 5) {
    return InvalidField("rating", absl::StrCat(feedback.rating()), "an integer from 1 to 5");
  }
  if (absl::Status status = CheckOptionalReference("order_id", feedback.order_id());
      !status.ok()) {
    return status;
  }
  return event_time;
}

}  // namespace consort::performance
