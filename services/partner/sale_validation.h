#pragma once

// Checks one SaleRecord of ReportSales against the rules documented in partner.proto, without any
// I/O: identifiers, kind, amount and currency, scope, quantity, event time and freight. What needs
// stored state (the partner, duplicates, the original sale, the contract) is checked later by
// SaleBatchProcessor and the store's script.
//
// Pure functions; any thread may call them.

#include <cstdint>
#include <string>
#include <variant>

#include "absl/time/time.h"
#include "consort/partner/v1/partner.pb.h"
#include "money/money.h"

namespace consort::partner {

// Machine-readable reasons of a REJECTED SaleResult, as listed in partner.proto.
namespace reason {
inline constexpr char kMissingField[] = "missing_field";
inline constexpr char kInvalidField[] = "invalid_field";
inline constexpr char kPartnerNotFound[] = "partner_not_found";
inline constexpr char kPartnerNotActive[] = "partner_not_active";
inline constexpr char kInvalidAmount[] = "invalid_amount";
inline constexpr char kInvalidCurrency[] = "invalid_currency";
inline constexpr char kCurrencyMismatch[] = "currency_mismatch";
inline constexpr char kEventTimeInFuture[] = "event_time_in_future";
inline constexpr char kNotCovered[] = "not_covered";
inline constexpr char kOriginalSaleNotFound[] = "original_sale_not_found";
inline constexpr char kRefundExceedsRemaining[] = "refund_exceeds_remaining";
inline constexpr char kCoverageUnavailable[] = "coverage_unavailable";

inline constexpr const char* kAll[] = {
    kMissingField,  kInvalidField,         kPartnerNotFound,        kPartnerNotActive,
    kInvalidAmount, kInvalidCurrency,      kCurrencyMismatch,       kEventTimeInFuture,
    kNotCovered,    kOriginalSaleNotFound, kRefundExceedsRemaining, kCoverageUnavailable,
};
}  // namespace reason

// How far in the future an event_time may lie, for clocks of reporting systems that run ahead.
inline constexpr absl::Duration kMaxEventTimeSkew = absl::Minutes(5);

// Largest amount in minor units. The store's Lua script compares refunds with the remaining
// amount as Lua numbers (IEEE doubles), which represent every integer up to 2^53 exactly.
inline constexpr int64_t kMaxAmountMinor = (int64_t{1} << 53) - 1;

inline constexpr int32_t kMaxQuantity = 1'000'000;

// A record that passed every stateless check, with its amounts in minor units.
struct CheckedSale {
  std::string sale_id;
  std::string partner_id;
  bool is_refund = false;
  // Set for a refund only.
  std::string original_sale_id;
  const money::Currency* currency = nullptr;
  // Positive; a refund's sign is applied when the event is built.
  int64_t amount_minor = 0;
  // Empty for a refund, which takes the original sale's scope.
  std::string region;
  std::string product_category;
  std::string channel;
  std::string order_id;
  // At least 1 for a sale; 0 for a refund.
  int32_t quantity = 0;
  absl::Time event_time;
  int64_t freight_minor = 0;
};

struct SaleRejection {
  // One of the reason:: constants.
  std::string reason;
  // A sentence naming the field, the value and what is allowed.
  std::string message;
};

// Checks every field of `record`. `now` is the server's clock, against which event_time may be at
// most kMaxEventTimeSkew ahead. Returns the first problem found, fields checked in proto order.
std::variant<CheckedSale, SaleRejection> CheckSaleRecord(const v1::SaleRecord& record,
                                                         absl::Time now);

}  // namespace consort::partner
