#include "partner/sale_validation.h"

#include <functional>
#include <string>
#include <variant>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/partner/test_records.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::Refund;
using ::consort::partner::testing::Sale;
using ::consort::partner::testing::TestNow;
using ::testing::HasSubstr;

SaleRejection ExpectRejected(const v1::SaleRecord& record) {
  auto result = CheckSaleRecord(record, TestNow());
  EXPECT_TRUE(std::holds_alternative<SaleRejection>(result)) << record.ShortDebugString();
  if (!std::holds_alternative<SaleRejection>(result)) return {};
  return std::get<SaleRejection>(result);
}

CheckedSale ExpectAccepted(const v1::SaleRecord& record) {
  auto result = CheckSaleRecord(record, TestNow());
  EXPECT_TRUE(std::holds_alternative<CheckedSale>(result))
      << std::get<SaleRejection>(result).message;
  if (!std::holds_alternative<CheckedSale>(result)) return {};
  return std::get<CheckedSale>(result);
}

TEST(CheckSaleRecord, ValidSaleConvertsAmount) {
  const CheckedSale sale = ExpectAccepted(Sale("s-1"));
  EXPECT_EQ(sale.amount_minor, 5890);
  EXPECT_EQ(sale.currency->code, "BRL");
  EXPECT_FALSE(sale.is_refund);
  EXPECT_EQ(sale.quantity, 2);
  EXPECT_EQ(sale.region, "SP");
  EXPECT_EQ(sale.freight_minor, 0);
}

TEST(CheckSaleRecord, ZeroQuantityMeansOne) {
  v1::SaleRecord record = Sale("s-1");
  record.set_quantity(0);
  EXPECT_EQ(ExpectAccepted(record).quantity, 1);
}

TEST(CheckSaleRecord, ValidRefundHasNoScopeOrQuantity) {
  v1::SaleRecord record = Refund("r-1", "s-1", "10.00");
  record.set_region("ignored");
  record.set_quantity(5);
  const CheckedSale refund = ExpectAccepted(record);
  EXPECT_TRUE(refund.is_refund);
  EXPECT_EQ(refund.original_sale_id, "s-1");
  EXPECT_EQ(refund.amount_minor, 1000);
  EXPECT_EQ(refund.quantity, 0);
  EXPECT_TRUE(refund.region.empty());
}

TEST(CheckSaleRecord, RefundScopeNotRequired) {
  v1::SaleRecord record = Refund("r-1", "s-1", "10.00");
  record.clear_region();
  record.clear_product_category();
  record.clear_channel();
  ExpectAccepted(record);
}

TEST(CheckSaleRecord, FreightInSameCurrencyIsKept) {
  v1::SaleRecord record = Sale("s-1");
  record.mutable_freight()->set_currency("BRL");
  record.mutable_freight()->set_amount("12.5");
  EXPECT_EQ(ExpectAccepted(record).freight_minor, 1250);
}

TEST(CheckSaleRecord, ZeroFreightIsAllowed) {
  v1::SaleRecord record = Sale("s-1");
  record.mutable_freight()->set_currency("BRL");
  record.mutable_freight()->set_amount("0");
  EXPECT_EQ(ExpectAccepted(record).freight_minor, 0);
}

TEST(CheckSaleRecord, CurrencyWithoutDecimalsTakesWholeAmount) {
  const CheckedSale sale = ExpectAccepted(Sale("s-1", "p-1", "1200", "JPY"));
  EXPECT_EQ(sale.amount_minor, 1200);
}

TEST(CheckSaleRecord, EventTimeWithinSkewIsAccepted) {
  v1::SaleRecord record = Sale("s-1");
  *record.mutable_event_time() = ToProtoTimestamp(TestNow() + absl::Minutes(5));
  ExpectAccepted(record);
}

TEST(CheckSaleRecord, LargestAmountIsAccepted) {
  ExpectAccepted(Sale("s-1", "p-1", "90071992547409.91"));
}

struct RejectCase {
  std::string name;
  std::function<void(v1::SaleRecord&)> mutate;
  std::string reason;
  // Fragments the message must contain: the field, the value, what is allowed.
  std::vector<std::string> message_parts;
};

void PrintTo(const RejectCase& reject_case, std::ostream* out) { *out << reject_case.name; }

class CheckSaleRecordRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(CheckSaleRecordRejects, WithReasonAndMessage) {
  v1::SaleRecord record = Sale("s-1");
  GetParam().mutate(record);
  const SaleRejection rejection = ExpectRejected(record);
  EXPECT_EQ(rejection.reason, GetParam().reason);
  for (const std::string& part : GetParam().message_parts) {
    EXPECT_THAT(rejection.message, HasSubstr(part));
  }
}

std::vector<RejectCase> RejectCases() {
  const std::string long_id(129, 'x');
  const std::string long_scope(65, 'x');
  return {
      {"SaleIdMissing",
       [](auto& r) { r.clear_sale_id(); },
       "missing_field",
       {"sale_id is missing", "1 to 128"}},
      {"SaleIdTooLong",
       [=](auto& r) { r.set_sale_id(long_id); },
       "invalid_field",
       {"sale_id is invalid", "xxx", "1 to 128"}},
      {"SaleIdWithSpace",
       [](auto& r) { r.set_sale_id("a b"); },
       "invalid_field",
       {"sale_id is invalid", "\"a b\"", "without spaces"}},
      {"PartnerIdMissing",
       [](auto& r) { r.clear_partner_id(); },
       "missing_field",
       {"partner_id is missing"}},
      {"PartnerIdInvalid",
       [](auto& r) { r.set_partner_id("p/1"); },
       "invalid_field",
       {"partner_id is invalid", "\"p/1\"", "letters, digits"}},
      {"PartnerIdTooLong",
       [](auto& r) { r.set_partner_id(std::string(65, 'p')); },
       "invalid_field",
       {"partner_id is invalid", "1 to 64"}},
      {"KindMissing",
       [](auto& r) { r.set_kind(v1::SALE_RECORD_KIND_UNSPECIFIED); },
       "missing_field",
       {"kind is missing", "SALE_RECORD_KIND_SALE"}},
      {"KindUnknown",
       [](auto& r) { r.set_kind(static_cast<v1::SaleRecordKind>(7)); },
       "invalid_field",
       {"kind is invalid", "\"7\"", "SALE_RECORD_KIND_REFUND"}},
      {"OriginalOnSale",
       [](auto& r) { r.set_original_sale_id("s-0"); },
       "invalid_field",
       {"original_sale_id is invalid", "\"s-0\"", "empty for a sale"}},
      {"OriginalMissingOnRefund",
       [](auto& r) { r.set_kind(v1::SALE_RECORD_KIND_REFUND); },
       "missing_field",
       {"original_sale_id is missing"}},
      {"OriginalTooLong",
       [=](auto& r) {
         r.set_kind(v1::SALE_RECORD_KIND_REFUND);
         r.set_original_sale_id(long_id);
       },
       "invalid_field",
       {"original_sale_id is invalid", "1 to 128"}},
      {"RefundOfItself",
       [](auto& r) {
         r.set_kind(v1::SALE_RECORD_KIND_REFUND);
         r.set_original_sale_id("s-1");
       },
       "invalid_field",
       {"original_sale_id is invalid", "own sale_id"}},
      {"AmountMissing", [](auto& r) { r.clear_amount(); }, "missing_field", {"amount is missing"}},
      {"CurrencyMissing",
       [](auto& r) { r.mutable_amount()->clear_currency(); },
       "missing_field",
       {"amount.currency is missing", "ISO 4217"}},
      {"CurrencyUnknown",
       [](auto& r) { r.mutable_amount()->set_currency("XYZ"); },
       "invalid_currency",
       {"amount.currency is invalid", "\"XYZ\"", "ISO 4217"}},
      {"CurrencyLowerCase",
       [](auto& r) { r.mutable_amount()->set_currency("brl"); },
       "invalid_currency",
       {"amount.currency is invalid", "\"brl\""}},
      {"AmountTextMissing",
       [](auto& r) { r.mutable_amount()->clear_amount(); },
       "missing_field",
       {"amount.amount is missing", "BRL"}},
      {"AmountZero",
       [](auto& r) { r.mutable_amount()->set_amount("0.00"); },
       "invalid_amount",
       {"amount.amount is invalid", "\"0.00\"", "positive"}},
      {"AmountNegative",
       [](auto& r) { r.mutable_amount()->set_amount("-5.00"); },
       "invalid_amount",
       {"amount.amount is invalid", "\"-5.00\"", "positive"}},
      {"AmountTooManyDecimals",
       [](auto& r) { r.mutable_amount()->set_amount("1.234"); },
       "invalid_amount",
       {"amount.amount is invalid", "\"1.234\"", "at most 2 decimals for BRL"}},
      {"AmountDecimalsForJpy",
       [](auto& r) {
         r.mutable_amount()->set_currency("JPY");
         r.mutable_amount()->set_amount("10.5");
       },
       "invalid_amount",
       {"at most 0 decimals for JPY", "1200"}},
      {"AmountMalformed",
       [](auto& r) { r.mutable_amount()->set_amount("1,00"); },
       "invalid_amount",
       {"amount.amount is invalid", "\"1,00\""}},
      {"AmountExponent",
       [](auto& r) { r.mutable_amount()->set_amount("1e3"); },
       "invalid_amount",
       {"amount.amount is invalid", "\"1e3\""}},
      {"AmountTooLarge",
       [](auto& r) { r.mutable_amount()->set_amount("90071992547409.92"); },
       "invalid_amount",
       {"amount.amount is invalid", "at most 90071992547409.91"}},
      {"RegionMissing",
       [](auto& r) { r.clear_region(); },
       "missing_field",
       {"region is missing", "1 to 64"}},
      {"RegionTooLong",
       [=](auto& r) { r.set_region(long_scope); },
       "invalid_field",
       {"region is invalid", "1 to 64"}},
      {"CategoryMissing",
       [](auto& r) { r.clear_product_category(); },
       "missing_field",
       {"product_category is missing"}},
      {"CategoryTooLong",
       [=](auto& r) { r.set_product_category(long_scope); },
       "invalid_field",
       {"product_category is invalid"}},
      {"CategoryControlCharacter",
       [](auto& r) { r.set_product_category("toys\x01"); },
       "invalid_field",
       {"product_category is invalid"}},
      {"ChannelMissing",
       [](auto& r) { r.clear_channel(); },
       "missing_field",
       {"channel is missing"}},
      {"ChannelTooLong",
       [=](auto& r) { r.set_channel(long_scope); },
       "invalid_field",
       {"channel is invalid"}},
      {"OrderIdTooLong",
       [=](auto& r) { r.set_order_id(long_id); },
       "invalid_field",
       {"order_id is invalid", "0 to 128"}},
      {"QuantityNegative",
       [](auto& r) { r.set_quantity(-1); },
       "invalid_field",
       {"quantity is invalid", "\"-1\"", "1 to 1000000"}},
      {"QuantityTooLarge",
       [](auto& r) { r.set_quantity(1'000'001); },
       "invalid_field",
       {"quantity is invalid", "\"1000001\""}},
      {"EventTimeMissing",
       [](auto& r) { r.clear_event_time(); },
       "missing_field",
       {"event_time is missing"}},
      {"EventTimeInFuture",
       [](auto& r) {
         *r.mutable_event_time() =
             ToProtoTimestamp(TestNow() + absl::Minutes(5) + absl::Seconds(1));
       },
       "event_time_in_future",
       {"event_time is invalid", "2024-03-15T12:05:01Z", "at most 5 minutes",
        "2024-03-15T12:00:00Z"}},
      {"EventTimeNanosInvalid",
       [](auto& r) { r.mutable_event_time()->set_nanos(-1); },
       "invalid_field",
       {"event_time.nanos is invalid"}},
      {"EventTimeOutOfRange",
       [](auto& r) { r.mutable_event_time()->set_seconds(253402300800); },
       "invalid_field",
       {"event_time is invalid", "years 1 and 9999"}},
      {"FreightOtherCurrency",
       [](auto& r) {
         r.mutable_freight()->set_currency("USD");
         r.mutable_freight()->set_amount("1.00");
       },
       "currency_mismatch",
       {"freight.currency is invalid", "\"USD\"", "BRL"}},
      {"FreightUnknownCurrency",
       [](auto& r) {
         r.mutable_freight()->set_currency("ABC");
         r.mutable_freight()->set_amount("1.00");
       },
       "invalid_currency",
       {"freight.currency is invalid", "\"ABC\""}},
      {"FreightCurrencyMissing",
       [](auto& r) { r.mutable_freight()->set_amount("1.00"); },
       "missing_field",
       {"freight.currency is missing"}},
      {"FreightAmountMissing",
       [](auto& r) { r.mutable_freight()->set_currency("BRL"); },
       "missing_field",
       {"freight.amount is missing"}},
      {"FreightNegative",
       [](auto& r) {
         r.mutable_freight()->set_currency("BRL");
         r.mutable_freight()->set_amount("-1.00");
       },
       "invalid_amount",
       {"freight.amount is invalid", "\"-1.00\"", "non-negative"}},
      {"FreightTooManyDecimals",
       [](auto& r) {
         r.mutable_freight()->set_currency("BRL");
         r.mutable_freight()->set_amount("1.001");
       },
       "invalid_amount",
       {"freight.amount is invalid", "\"1.001\""}},
  };
}

INSTANTIATE_TEST_SUITE_P(Fields, CheckSaleRecordRejects, ::testing::ValuesIn(RejectCases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace consort::partner
