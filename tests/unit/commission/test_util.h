// Builders shared by the commission tests.
#ifndef CONSORT_TESTS_UNIT_COMMISSION_TEST_UTIL_H_
#define CONSORT_TESTS_UNIT_COMMISSION_TEST_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "commission/plan_text.h"
#include "commission/statement.h"
#include "gtest/gtest.h"
#include "period/period.h"

namespace consort::commission::testing {

inline Plan MustParsePlan(std::string_view text) {
  absl::StatusOr<Plan> plan = ParsePlan(text);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return *plan;
}

inline money::Money M(std::string_view amount, std::string_view currency = "EUR") {
  return money::Money::Parse(amount, currency).value();
}

inline absl::Time At(int year, int month, int day, int hour = 12,
                     const absl::TimeZone& zone = absl::UTCTimeZone()) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, 0, 0), zone);
}

inline Event MakeEvent(std::string id, EventKind kind, absl::Time time, money::Money amount,
                       std::string original_id) {
  return Event{.event_id = std::move(id),
               .kind = kind,
               .event_time = time,
               .amount = amount,
               .original_event_id = std::move(original_id),
               .category = "",
               .co_sellers = {},
               .exchange_rate = std::nullopt};
}

inline Event Sale(std::string id, absl::Time time, money::Money amount) {
  return MakeEvent(std::move(id), EventKind::kSale, time, amount, "");
}

inline Event Refund(std::string id, absl::Time time, money::Money amount, std::string sale_id) {
  return MakeEvent(std::move(id), EventKind::kRefund, time, amount, std::move(sale_id));
}

inline Event Amendment(std::string id, absl::Time time, money::Money amount, std::string sale_id) {
  return MakeEvent(std::move(id), EventKind::kAmendment, time, amount, std::move(sale_id));
}

inline period::Period Month(std::string_view label,
                            const absl::TimeZone& zone = absl::UTCTimeZone()) {
  return period::ParseMonth(label, zone).value();
}

inline Statement MustCompute(const Plan& plan, const period::Period& period,
                             const std::vector<Event>& events,
                             const std::vector<StatementLine>& issued = {},
                             const std::vector<PartnerBalance>& carried_in = {}) {
  StatementRequest request{&plan, "partner-1", period, events, issued, carried_in};
  absl::StatusOr<Statement> statement = ComputeStatement(request);
  EXPECT_TRUE(statement.ok()) << statement.status();
  return statement.ok() ? *std::move(statement) : Statement{};
}

inline const PartnerTotal& TotalOf(const Statement& statement,
                                   std::string_view partner = "partner-1") {
  for (const PartnerTotal& total : statement.totals) {
    if (total.partner_id == partner) return total;
  }
  ADD_FAILURE() << "no total for " << partner;
  static const PartnerTotal kMissing{"", money::Money::Zero(*money::FindCurrency("EUR")),
                                     money::Money::Zero(*money::FindCurrency("EUR")),
                                     money::Money::Zero(*money::FindCurrency("EUR")),
                                     money::Money::Zero(*money::FindCurrency("EUR"))};
  return kMissing;
}

inline std::vector<const StatementLine*> LinesWithKey(const Statement& statement,
                                                      std::string_view key) {
  std::vector<const StatementLine*> found;
  for (const StatementLine& line : statement.lines) {
    if (line.key == key) found.push_back(&line);
  }
  return found;
}

// Appends the lines of `statement` to `issued`, as the incentive service stores them.
inline void Issue(const Statement& statement, std::vector<StatementLine>& issued) {
  issued.insert(issued.end(), statement.lines.begin(), statement.lines.end());
}

}  // namespace consort::commission::testing

#endif  // CONSORT_TESTS_UNIT_COMMISSION_TEST_UTIL_H_
