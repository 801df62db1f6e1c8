// Fuzzes plan parsing and the statement engine. A plan that parses must format to text that
// parses to the same text again. A statement computed with it over a fixed set of sales and
// refunds must be an error or have lines that add up to its totals.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "commission/plan_text.h"
#include "commission/statement.h"

namespace {

using consort::commission::Event;
using consort::commission::EventKind;
using consort::money::Money;

void Check(bool condition) {
  if (!condition) std::abort();
}

Event MakeEvent(std::string id, EventKind kind, absl::Time time, const Money& amount,
                std::string original, std::vector<std::string> co_sellers) {
  return Event{.event_id = std::move(id),
               .kind = kind,
               .event_time = time,
               .amount = amount,
               .original_event_id = std::move(original),
               .category = "books",
               .co_sellers = std::move(co_sellers),
               .exchange_rate = std::nullopt};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<consort::commission::Plan> plan = consort::commission::ParsePlan(text);
  if (!plan.ok()) return 0;

  std::string formatted = consort::commission::FormatPlan(*plan);
  absl::StatusOr<consort::commission::Plan> reparsed = consort::commission::ParsePlan(formatted);
  Check(reparsed.ok());
  Check(consort::commission::FormatPlan(*reparsed) == formatted);

  const consort::money::Currency& currency = *plan->currency;
  consort::period::Period march =
      consort::period::ParseMonth("2024-03", absl::UTCTimeZone()).value();
  absl::Time day = march.start + absl::Hours(30);
  std::vector<Event> events = {
      MakeEvent("s1", EventKind::kSale, day, Money::FromMinor(1'000'000, currency), "", {}),
      MakeEvent("s2", EventKind::kSale, day, Money::FromMinor(3'333, currency), "", {"p-a", "p-b"}),
      MakeEvent("s3", EventKind::kSale, day - absl::Hours(24 * 40),
                Money::FromMinor(2'500'000, currency), "", {}),
      MakeEvent("r1", EventKind::kRefund, day + absl::Hours(5), Money::FromMinor(999, currency),
                "s1", {}),
      MakeEvent("r2", EventKind::kRefund, day + absl::Hours(6),
                Money::FromMinor(2'500'000, currency), "s3", {}),
  };
  consort::commission::StatementRequest request{&*plan, "partner-1", march, events, {}, {}};
  absl::StatusOr<consort::commission::Statement> statement =
      consort::commission::ComputeStatement(request);
  if (!statement.ok()) return 0;

  std::map<std::string, int64_t> sums;
  for (const auto& line : statement->lines) sums[line.partner_id] += line.amount.minor_units();
  for (const auto& total : statement->totals) {
    Check(total.total.minor_units() == sums[total.partner_id]);
  }
  return 0;
}
