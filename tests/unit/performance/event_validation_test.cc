#include "performance/event_validation.h"

#include <string>

#include "gtest/gtest.h"

namespace consort::performance {
namespace {

using events::v1::FeedbackEvent;
using events::v1::SaleEvent;

SaleEvent ValidSale() {
  SaleEvent sale;
  sale.mutable_meta()->mutable_event_time()->set_seconds(1'700'000'000);
  sale.set_sale_id("order-1-1");
  sale.set_partner_id("p-1");
  sale.set_kind(events::v1::SALE_KIND_SALE);
  sale.set_currency("BRL");
  sale.set_amount_minor(5890);
  sale.set_quantity(1);
  sale.set_contract_id("c-1");
  sale.set_order_id("order-1");
  return sale;
}

SaleEvent ValidRefund() {
  SaleEvent refund = ValidSale();
  refund.set_sale_id("order-1-1-r");
  refund.set_kind(events::v1::SALE_KIND_REFUND);
  refund.set_amount_minor(-5890);
  refund.set_quantity(0);
  refund.set_original_sale_id("order-1-1");
  return refund;
}

FeedbackEvent ValidFeedback() {
  FeedbackEvent feedback;
  feedback.mutable_meta()->mutable_event_time()->set_seconds(1'700'000'000);
  feedback.set_feedback_id("review-1");
  feedback.set_partner_id("p-1");
  feedback.set_rating(4);
  return feedback;
}

// Returns the message of the validation error, or "ok".
std::string SaleError(const SaleEvent& sale) {
  absl::StatusOr<absl::Time> result = ValidateSaleEvent(sale);
  return result.ok() ? "ok" : std::string(result.status().message());
}

std::string FeedbackError(const FeedbackEvent& feedback) {
  absl::StatusOr<absl::Time> result = ValidateFeedbackEvent(feedback);
  return result.ok() ? "ok" : std::string(result.status().message());
}

TEST(ValidateSaleEvent, AcceptsSale) {
  absl::StatusOr<absl::Time> time = ValidateSaleEvent(ValidSale());
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, absl::FromUnixSeconds(1'700'000'000));
}

TEST(ValidateSaleEvent, AcceptsRefund) { EXPECT_EQ(SaleError(ValidRefund()), "ok"); }

TEST(ValidateSaleEvent, AcceptsSaleWithoutOrder) {
  SaleEvent sale = ValidSale();
  sale.clear_order_id();
  EXPECT_EQ(SaleError(sale), "ok");
}

TEST(ValidateSaleEvent, RejectsMissingEventTime) {
  SaleEvent sale = ValidSale();
  sale.clear_meta();
  EXPECT_NE(SaleError(sale).find("meta.event_time"), std::string::npos);
}

TEST(ValidateSaleEvent, RejectsEachBadField) {
  struct Case {
    const char* field;
    void (*mutate)(SaleEvent&);
  };
  const Case cases[] = {
      {"sale_id", [](SaleEvent& s) { s.clear_sale_id(); }},
      {"sale_id", [](SaleEvent& s) { s.set_sale_id("has space"); }},
      {"sale_id", [](SaleEvent& s) { s.set_sale_id(std::string(kMaxReferenceLength + 1, 'a')); }},
      {"partner_id", [](SaleEvent& s) { s.clear_partner_id(); }},
      {"partner_id", [](SaleEvent& s) { s.set_partner_id("p/1"); }},
      {"kind", [](SaleEvent& s) { s.set_kind(events::v1::SALE_KIND_UNSPECIFIED); }},
      {"amount_minor", [](SaleEvent& s) { s.set_amount_minor(0); }},
      {"amount_minor", [](SaleEvent& s) { s.set_amount_minor(-5); }},
      {"amount_minor", [](SaleEvent& s) { s.set_amount_minor(1'000'000'000'000'000'000); }},
      {"quantity", [](SaleEvent& s) { s.set_quantity(0); }},
      {"currency", [](SaleEvent& s) { s.set_currency("brl"); }},
      {"currency", [](SaleEvent& s) { s.set_currency("ZZZ"); }},
      {"contract_id", [](SaleEvent& s) { s.clear_contract_id(); }},
      {"order_id", [](SaleEvent& s) { s.set_order_id("a b"); }},
  };
  for (const Case& c : cases) {
    SaleEvent sale = ValidSale();
    c.mutate(sale);
    std::string error = SaleError(sale);
    EXPECT_NE(error.find(c.field), std::string::npos) << c.field << ": " << error;
  }
}

TEST(ValidateSaleEvent, RejectsPositiveRefund) {
  SaleEvent refund = ValidRefund();
  refund.set_amount_minor(100);
  EXPECT_NE(SaleError(refund).find("amount_minor"), std::string::npos);
}

TEST(ValidateSaleEvent, RejectsRefundWithoutOriginal) {
  SaleEvent refund = ValidRefund();
  refund.clear_original_sale_id();
  EXPECT_NE(SaleError(refund).find("original_sale_id"), std::string::npos);
}

TEST(ValidateFeedbackEvent, AcceptsFeedback) { EXPECT_EQ(FeedbackError(ValidFeedback()), "ok"); }

TEST(ValidateFeedbackEvent, RejectsEachBadField) {
  struct Case {
    const char* field;
    void (*mutate)(FeedbackEvent&);
  };
  const Case cases[] = {
      {"meta.event_time", [](FeedbackEvent& f) { f.clear_meta(); }},
      {"feedback_id", [](FeedbackEvent& f) { f.clear_feedback_id(); }},
      {"partner_id", [](FeedbackEvent& f) { f.set_partner_id(""); }},
      {"rating", [](FeedbackEvent& f) { f.set_rating(0); }},
      {"rating", [](FeedbackEvent& f) { f.set_rating(6); }},
      {"order_id", [](FeedbackEvent& f) { f.set_order_id("a\tb"); }},
  };
  for (const Case& c : cases) {
    FeedbackEvent feedback = ValidFeedback();
    c.mutate(feedback);
    std::string error = FeedbackError(feedback);
    EXPECT_NE(error.find(c.field), std::string::npos) << c.field << ": " << error;
  }
}

}  // namespace
}  // namespace consort::performance
