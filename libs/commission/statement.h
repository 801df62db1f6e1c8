// The statement engine: turns a plan and the sales, refunds and amendments of a partner into the
// lines of one period's commission statement, and turns later changes to periods already issued
// into visible adjustment lines instead of rewriting them.
//
// The incentive service calls ComputeStatement when a period closes or a late event arrives,
// stores the returned lines, and passes them back as `issued` on the next call. Pure function: no
// I/O, no clock, no state between calls.
//
// How a statement is computed:
// 1. Every sale belongs to its source period, the period of the statement's kind and zone that
//    contains the sale's event time. Refunds and amendments change their sale, so they change the
//    sale's source period, whenever they happen. Only events before the end of the statement
//    period count.
// 2. For every source period touched, the engine computes what the plan pays for it now (see
//    plan.h): one entitlement per line key (a sale, a band, the cap, the bonus, a pool share).
//    A sale's entitlement is its net amount (amount after amendments, less refunds), converted
//    at the sale's own exchange rate, times its rate, rounded once. A refund therefore reverses
//    at the rate and exchange rate of the sale, and all refunds of a sale together never reverse
//    more than it earned.
// 3. Each line is the entitlement less what earlier statements issued for the same source period
//    and key. A line whose source period is earlier, or whose key was issued before, is an
//    adjustment. Nothing issued is ever changed.
// 4. A partner whose lines and carried-in balance add up to a negative amount is paid nothing
//    and carries the negative balance forward.
//
// The result depends only on the set of events: they are ordered by event time, then event id,
// before anything is computed, so replaying them in any order gives the same statement.
//
// Thread safety: pure function of its arguments.
#ifndef CONSORT_COMMISSION_STATEMENT_H_
#define CONSORT_COMMISSION_STATEMENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "commission/plan.h"
#include "money/conversion.h"
#include "money/money.h"
#include "period/period.h"

namespace consort::commission {

enum class EventKind {
  kSale,
  // Returns part or all of a sale: `amount` is the positive amount refunded.
  kRefund,
  // Corrects a sale: `amount` is the sale's new amount, zero or more.
  kAmendment,
};

// One sale, refund or amendment as the partner systems reported it.
struct Event {
  // Unique among all events, 1 to 128 printable ASCII characters.
  std::string event_id;
  EventKind kind = EventKind::kSale;
  absl::Time event_time;
  // Positive for sales and refunds, zero or more for amendments. Refunds and amendments use the
  // currency of their sale.
  money::Money amount;
  // The sale that a refund or an amendment changes; empty for sales.
  std::string original_event_id;
  // Product category of a sale, matched against the plan's category rates.
  std::string category;
  // Partners that share the sale's commission through the plan's pool. When the plan has no
  // pool, a sale's co-sellers are ignored.
  std::vector<std::string> co_sellers;
  // For a sale in another currency than the plan's: the rate from the sale's currency to the
  // plan's. Refunds and amendments always use the rate of their sale.
  std::optional<money::ExchangeRate> exchange_rate;
};

enum class LineKind {
  // Commission of one sale at the flat rate or its category's rate.
  kSale,
  // Commission of the period's base in one band (marginal) or in the band reached
  // (retroactive).
  kBand,
  // Extra commission on the part of the base above the target in one band.
  kAccelerator,
  // Reduction that keeps sale, band and accelerator lines within the cap; zero or negative.
  kCap,
  // Bonus of the highest attainment threshold reached.
  kBonus,
  // One partner's share of the pool commission of one sale.
  kPoolShare,
};

// Returns "sale", "band", "accelerator", "cap", "bonus" or "pool_share".
std::string_view LineKindName(LineKind kind);

// One line of a statement. For every kind except kCap and kPoolShare,
// `amount + previously_issued == MultiplyByRate(base, rate)` (kBonus: the bonus amount, with the
// attainment threshold as `rate` and the period's net sales as `base`). A kCap line's `base` is
// the uncapped sum it limits. A kPoolShare line's `base` and `rate` are the sale's and the pool's;
// the shares of one sale add up to MultiplyByRate(base, rate).
struct StatementLine {
  std::string partner_id;
  // Label of the period whose commission the line changes, for example "2024-03".
  std::string source_period;
  LineKind kind = LineKind::kSale;
  // Identity of the line within its source period and partner: "sale/<event id>", "band/<index>",
  // "band" (retroactive), "accelerator/<band index>", "cap", "bonus" or "pool/<event id>".
  std::string key;
  // The rule applied, for example "rate 4%", "category books", "marginal band [0.00, 10000.00)",
  // "cap 2000.00" or "bonus at 120%".
  std::string rule;
  money::Money base;
  money::Rate rate;
  // Amount that the line adds to the statement, negative for a clawback or a reduction.
  money::Money amount;
  // Sum of the lines issued earlier for the same partner, source period and key.
  money::Money previously_issued;
  // Whether the line corrects a source period before the statement period or a key issued before.
  bool adjustment = false;
  // The events behind the line that no earlier line for the key named, for example the sale and
  // the refund of a clawback.
  std::vector<std::string> event_ids;
  // For a sale in another currency: the net sale amount in its own currency and the exchange
  // rate that gave `base`.
  std::optional<money::Conversion> conversion;
};

// A balance per partner, carried between statements.
struct PartnerBalance {
  std::string partner_id;
  money::Money amount;
};

// A partner's position on one statement.
struct PartnerTotal {
  std::string partner_id;
  // Sum of the partner's lines.
  money::Money total;
  // Negative balance carried in from the previous statement, zero or less.
  money::Money carried_in;
  // max(0, total + carried_in).
  money::Money payable;
  // min(0, total + carried_in), zero or less.
  money::Money carried_forward;
};

struct Statement {
  // Label of the statement period.
  std::string period;
  const money::Currency* currency = nullptr;
  std::vector<StatementLine> lines;
  // One per partner with a line or a carried-in balance, ordered by partner id.
  std::vector<PartnerTotal> totals;
};

struct StatementRequest {
  const Plan* plan = nullptr;
  // The partner that the plan's sale, band, accelerator, cap and bonus lines belong to.
  std::string partner_id;
  // The statement period; source periods have the same kind, zone and fiscal calendar.
  period::Period period;
  // Every event of every source period that the statement touches, in any order. Events at or
  // after period.end are ignored. A source period whose events are incomplete gets wrong band,
  // cap and bonus lines, so the caller passes whole periods.
  absl::Span<const Event> events;
  // Lines issued by earlier statements. Only those of source periods that `events` touches are
  // read; others are ignored.
  absl::Span<const StatementLine> issued;
  // Negative balances carried forward by the previous statement; positive ones are invalid.
  absl::Span<const PartnerBalance> carried_in;
};

// Computes the statement. Returns InvalidArgument for an invalid plan or request. An invalid
// event gets an error naming its id and field: a duplicate or malformed id, an amount in the
// wrong currency or with the wrong sign, a change of an unknown or later sale, or refunds that
// exceed their sale. Returns OutOfRange if an amount overflows.
absl::StatusOr<Statement> ComputeStatement(const StatementRequest& request);

}  // namespace consort::commission

#endif  // CONSORT_COMMISSION_STATEMENT_H_
