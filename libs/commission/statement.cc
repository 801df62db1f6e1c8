#include "commission/statement.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "commission/entitlement.h"
#include "money/decimal.h"

namespace consort::commission {
namespace {

using internal::Entitlement;
using internal::PlanRules;
using internal::SaleState;
using internal::SourcePeriod;
using money::AbslView;
using money::Money;

absl::string_view View(const std::string& text) {
  return absl::string_view(text.data(), text.size());
}

absl::Status EventError(const Event& event, std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("event ", money::QuoteForError(event.event_id),
                                                 " ", AbslView(field),
                                                 " is invalid: ", AbslView(problem)));
}

bool IsValidId(std::string_view id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 127; });
}

std::string AmountText(const Money& amount) {
  return absl::StrCat(amount.ToString(), " ", AbslView(amount.currency().code));
}

// Sales before changes at the same instant, so that a refund never precedes its sale.
bool EventBefore(const Event* a, const Event* b) {
  bool a_change = a->kind != EventKind::kSale;
  bool b_change = b->kind != EventKind::kSale;
  return std::tie(a->event_time, a_change, a->event_id) <
         std::tie(b->event_time, b_change, b->event_id);
}

absl::Status CheckSale(const Event& event, const Plan& plan) {
  if (!event.amount.is_positive()) {
    return EventError(event, "amount",
                      absl::StrCat(AmountText(event.amount), ": a sale must be positive"));
  }
  bool foreign = !money::SameCurrency(event.amount.currency(), *plan.currency);
  if (foreign && !event.exchange_rate.has_value()) {
    return EventError(
        event, "exchange_rate",
        absl::StrCat("missing: the sale is in ", AbslView(event.amount.currency().code),
                     " and the plan settles in ", AbslView(plan.currency->code)));
  }
  if (event.exchange_rate.has_value()) {
    const money::ExchangeRate& rate = *event.exchange_rate;
    if (!foreign || rate.from == nullptr || rate.to == nullptr ||
        rate.from->code != event.amount.currency().code || rate.to->code != plan.currency->code ||
        !rate.rate.is_positive()) {
      return EventError(
          event, "exchange_rate",
          absl::StrCat("expected a positive rate from ", AbslView(event.amount.currency().code),
                       " to ", AbslView(plan.currency->code), ", and none for a sale in ",
                       AbslView(plan.currency->code)));
    }
  }
  for (size_t i = 0; i < event.co_sellers.size(); ++i) {
    const std::string& partner = event.co_sellers[i];
    auto earlier_end = event.co_sellers.begin() + i;
    bool repeated = std::find(event.co_sellers.begin(), earlier_end, partner) != earlier_end;
    if (!IsValidId(partner) || repeated) {
      return EventError(event, "co_sellers",
                        absl::StrCat(money::QuoteForError(partner),
                                     ": expected distinct ids of 1 to 128 printable characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyChange(const Event& event, SaleState& sale) {
  const Event& original = *sale.sale;
  if (!event.amount.SameCurrency(original.amount)) {
    return EventError(
        event, "amount",
        absl::StrCat(AmountText(event.amount), ": it must be in the currency of sale ",
                     money::QuoteForError(original.event_id), ", ",
                     AbslView(original.amount.currency().code)));
  }
  if (event.kind == EventKind::kRefund) {
    if (!event.amount.is_positive()) {
      return EventError(
          event, "amount",
          absl::StrCat(AmountText(event.amount), ": a refund is the positive amount returned"));
    }
    sale.refunded_minor += event.amount.minor_units();
    if (sale.refunded_minor > Money::kMaxMinorUnits) {
      return EventError(event, "amount", "the refunds of the sale overflow");
    }
  } else {
    if (event.amount.is_negative()) {
      return EventError(event, "amount",
                        absl::StrCat(AmountText(event.amount),
                                     ": an amendment is the sale's new amount, zero or more"));
    }
    sale.amount_minor = event.amount.minor_units();
  }
  sale.changes.push_back(&event);
  return absl::OkStatus();
}

// Finds or adds the source period of an event time. Most events fall in the statement period,
// which is checked first without any time-zone arithmetic.
class SourcePeriodIndex {
 public:
  // `expected_sales` sizes the statement period's list, where most sales fall.
  SourcePeriodIndex(const period::Period& statement_period, std::vector<SourcePeriod>& periods,
                    size_t expected_sales)
      : statement_period_(statement_period), periods_(periods), expected_sales_(expected_sales) {}

  size_t IndexOf(absl::Time event_time) {
    if (statement_period_.Contains(event_time)) {
      if (!statement_index_.has_value()) {
        statement_index_ = Add(statement_period_);
        periods_.back().sales.reserve(expected_sales_);
      }
      return *statement_index_;
    }
    period::Period source =
        period::PeriodOf(statement_period_.kind, event_time, statement_period_.zone,
                         statement_period_.fiscal_start_month);
    auto found = earlier_.find(source.start);
    if (found != earlier_.end()) return found->second;
    size_t index = Add(source);
    earlier_.emplace(source.start, index);
    return index;
  }

 private:
  size_t Add(const period::Period& period) {
    periods_.push_back(SourcePeriod{period, period.Label(), {}});
    return periods_.size() - 1;
  }

  const period::Period& statement_period_;
  std::vector<SourcePeriod>& periods_;
  const size_t expected_sales_;
  std::optional<size_t> statement_index_;
  std::map<absl::Time, size_t> earlier_;
};

// Sales grouped by source period, with their refunds and amendments applied.
struct Ledger {
  std::vector<SaleState> sales;
  std::vector<SourcePeriod> periods;  // ordered by start
};

absl::StatusOr<Ledger> BuildLedger(const StatementRequest& request) {
  const Plan& plan = *request.plan;
  const period::Period& statement_period = request.period;

  std::vector<const Event*> ordered;
  ordered.reserve(request.events.size());
  for (const Event& event : request.events) {
    if (event.event_time < statement_period.end) ordered.push_back(&event);
  }
  // The event store usually returns events in this order already.
  if (!std::is_sorted(ordered.begin(), ordered.end(), EventBefore)) {
    std::sort(ordered.begin(), ordered.end(), EventBefore);
  }

  Ledger ledger;
  size_t sale_count = std::count_if(ordered.begin(), ordered.end(),
                                    [](const Event* e) { return e->kind == EventKind::kSale; });
  // Pointers into `sales` are kept, so it must not reallocate.
  ledger.sales.reserve(sale_count);
  absl::flat_hash_map<absl::string_view, SaleState*> sales_by_id;
  absl::flat_hash_set<absl::string_view> change_ids;
  sales_by_id.reserve(sale_count);
  SourcePeriodIndex period_index(statement_period, ledger.periods, sale_count);

  for (const Event* event : ordered) {
    if (!IsValidId(event->event_id)) {
      return EventError(*event, "event_id",
                        "expected 1 to 128 printable ASCII characters without spaces");
    }
    // One hash look-up per sale both detects a repeated id and reserves the sale's slot.
    absl::string_view id = View(event->event_id);
    bool is_sale = event->kind == EventKind::kSale;
    auto [sale_slot, new_id] = is_sale
                                   ? sales_by_id.try_emplace(id, nullptr)
                                   : std::make_pair(sales_by_id.end(), !sales_by_id.contains(id));
    if (!new_id || (!change_ids.empty() && change_ids.contains(id))) {
      return EventError(*event, "event_id", "it is used by more than one event");
    }

    if (is_sale) {
      if (absl::Status status = CheckSale(*event, plan); !status.ok()) return status;
      SaleState& sale = ledger.sales.emplace_back();
      sale.sale = event;
      sale.amount_minor = event->amount.minor_units();
      sale.period_index = period_index.IndexOf(event->event_time);
      ledger.periods[sale.period_index].sales.push_back(&sale);
      sale_slot->second = &sale;
      continue;
    }

    change_ids.insert(id);
    auto original = sales_by_id.find(View(event->original_event_id));
    if (original == sales_by_id.end()) {
      return EventError(*event, "original_event_id",
                        absl::StrCat(money::QuoteForError(event->original_event_id),
                                     ": no sale with that id at or before the event's time"));
    }
    if (absl::Status status = ApplyChange(*event, *original->second); !status.ok()) return status;
  }

  for (const SaleState& sale : ledger.sales) {
    if (sale.refunded_minor > sale.amount_minor) {
      const Event& last = *sale.changes.back();
      return EventError(
          last, "amount",
          absl::StrCat(
              "the refunds of sale ", money::QuoteForError(sale.sale->event_id), " add up to ",
              Money::FromMinor(sale.refunded_minor, sale.sale->amount.currency()).ToString(),
              ", more than its amount ",
              Money::FromMinor(sale.amount_minor, sale.sale->amount.currency()).ToString()));
    }
  }

  std::vector<SourcePeriod> by_start(std::make_move_iterator(ledger.periods.begin()),
                                     std::make_move_iterator(ledger.periods.end()));
  std::sort(by_start.begin(), by_start.end(), [](const SourcePeriod& a, const SourcePeriod& b) {
    return a.period.start < b.period.start;
  });
  ledger.periods = std::move(by_start);
  return ledger;
}

// Sum and event ids of the lines that earlier statements issued for one partner and key of one
// source period.
struct IssuedKey {
  int64_t amount_minor = 0;
  std::vector<absl::string_view> event_ids;
  const StatementLine* last = nullptr;
  bool entitled = false;  // whether the new computation has an entitlement for the key

  // Returns whether an issued line of the key named the event. Keys with many events, such as
  // band lines, get a hash set on first use.
  bool Named(absl::string_view event_id) {
    constexpr size_t kMaxLinearSearch = 16;
    if (event_ids.size() <= kMaxLinearSearch) {
      return std::find(event_ids.begin(), event_ids.end(), event_id) != event_ids.end();
    }
    if (!event_id_set.has_value()) event_id_set.emplace(event_ids.begin(), event_ids.end());
    return event_id_set->contains(event_id);
  }

  std::optional<absl::flat_hash_set<absl::string_view>> event_id_set;
};

// Issued lines of one source period by partner id and key.
using IssuedMap = absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>, IssuedKey>;

absl::StatusOr<absl::flat_hash_map<absl::string_view, IssuedMap>> IndexIssued(
    const StatementRequest& request, const Ledger& ledger) {
  absl::flat_hash_map<absl::string_view, IssuedMap> issued;
  for (const SourcePeriod& source : ledger.periods) issued[View(source.label)];
  for (const StatementLine& line : request.issued) {
    auto period = issued.find(View(line.source_period));
    if (period == issued.end()) continue;
    if (line.amount.currency().code != request.plan->currency->code) {
      return absl::InvalidArgumentError(absl::StrCat(
          "issued line ", line.source_period, " ", line.key, " amount ", AmountText(line.amount),
          " is invalid: expected the plan's currency ", AbslView(request.plan->currency->code)));
    }
    IssuedKey& key = period->second[{View(line.partner_id), View(line.key)}];
    key.amount_minor += line.amount.minor_units();
    for (const std::string& id : line.event_ids) key.event_ids.push_back(View(id));
    key.last = &line;
  }
  return issued;
}

// Calls `visit` for each event behind an entitlement, in event order.
template <typename Visit>
void ForEachEvent(const Entitlement& entitlement, Visit visit) {
  if (entitlement.sale != nullptr) visit(*entitlement.sale);
  for (const Event* event : entitlement.events) visit(*event);
}

// Names the events that no issued line of the key named yet; a new change brings its sale.
std::vector<std::string> NewEventIds(const Entitlement& entitlement, IssuedKey* issued) {
  std::vector<std::string> ids;
  if (issued == nullptr) {
    ids.reserve(entitlement.events.size() + 1);
    ForEachEvent(entitlement, [&](const Event& event) { ids.push_back(event.event_id); });
    return ids;
  }
  auto add_once = [&ids](const std::string& id) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  ForEachEvent(entitlement, [&](const Event& event) {
    if (issued->Named(View(event.event_id))) return;
    if (event.kind != EventKind::kSale) add_once(event.original_event_id);
    add_once(event.event_id);
  });
  return ids;
}

// Turns the entitlements of one source period into statement lines: each entitlement less what
// was issued for its key, then full reversals of issued keys that have no entitlement any more.
class LineWriter {
 public:
  LineWriter(const StatementRequest& request, const SourcePeriod& source, IssuedMap& issued,
             std::vector<StatementLine>& lines)
      : currency_(*request.plan->currency),
        source_(source),
        earlier_period_(source.period.start < request.period.start),
        issued_(issued),
        lines_(lines) {}

  absl::Status Write(Entitlement& entitlement) {
    IssuedKey* previous = nullptr;
    if (!issued_.empty()) {
      auto found = issued_.find({AbslView(entitlement.partner_id), View(entitlement.key)});
      if (found != issued_.end()) previous = &found->second;
    }
    int64_t previous_minor = previous == nullptr ? 0 : previous->amount_minor;
    if (previous != nullptr) previous->entitled = true;

    absl::int128 delta = absl::int128(entitlement.amount.minor_units()) - previous_minor;
    if (previous != nullptr && delta == 0) return absl::OkStatus();
    if (delta > Money::kMaxMinorUnits || delta < -Money::kMaxMinorUnits) {
      return absl::OutOfRangeError(
          absl::StrCat("the adjustment of ", entitlement.key, " in ", source_.label, " overflows"));
    }

    lines_.push_back(
        StatementLine{std::string(entitlement.partner_id), source_.label, entitlement.kind,
                      std::move(entitlement.key), entitlement.RuleText(), entitlement.base,
                      entitlement.rate, Money::FromMinor(static_cast<int64_t>(delta), currency_),
                      Money::FromMinor(previous_minor, currency_),
                      earlier_period_ || previous != nullptr, NewEventIds(entitlement, previous),
                      entitlement.conversion != nullptr ? *entitlement.conversion : std::nullopt});
    return absl::OkStatus();
  }

  // Reverses in full the keys issued before that the plan no longer pays, such as a band the
  // base left or a bonus threshold no longer reached.
  void ReverseUnentitledKeys() {
    // Ordered by partner id and key, so that the lines do not depend on hash order.
    std::vector<std::pair<std::pair<absl::string_view, absl::string_view>, const IssuedKey*>>
        reversed;
    for (const auto& [partner_and_key, previous] : issued_) {
      if (!previous.entitled && previous.amount_minor != 0) {
        reversed.emplace_back(partner_and_key, &previous);
      }
    }
    std::sort(reversed.begin(), reversed.end());

    for (const auto& [partner_and_key, previous_key] : reversed) {
      const IssuedKey& previous = *previous_key;
      const StatementLine& last = *previous.last;
      lines_.push_back(StatementLine{last.partner_id,
                                     source_.label,
                                     last.kind,
                                     last.key,
                                     last.rule,
                                     Money::Zero(currency_),
                                     last.rate,
                                     Money::FromMinor(-previous.amount_minor, currency_),
                                     Money::FromMinor(previous.amount_minor, currency_),
                                     true,
                                     {},
                                     std::nullopt});
    }
  }

 private:
  const money::Currency& currency_;
  const SourcePeriod& source_;
  const bool earlier_period_;
  IssuedMap& issued_;
  std::vector<StatementLine>& lines_;
};

absl::StatusOr<std::vector<PartnerTotal>> ComputeTotals(const StatementRequest& request,
                                                        const std::vector<StatementLine>& lines) {
  const money::Currency& currency = *request.plan->currency;
  std::map<std::string, std::pair<absl::int128, int64_t>, std::less<>> sums;  // total, carried in
  sums[request.partner_id];
  for (const StatementLine& line : lines) sums[line.partner_id].first += line.amount.minor_units();
  for (const PartnerBalance& balance : request.carried_in) {
    if (balance.amount.currency().code != currency.code || balance.amount.is_positive()) {
      return absl::InvalidArgumentError(
          absl::StrCat("carried_in for partner ", money::QuoteForError(balance.partner_id), " ",
                       AmountText(balance.amount), " is invalid: expected zero or less in ",
                       AbslView(currency.code)));
    }
    sums[balance.partner_id].second += balance.amount.minor_units();
  }

  std::vector<PartnerTotal> totals;
  for (const auto& [partner, sum] : sums) {
    auto [total, carried_in] = sum;
    absl::int128 balance = total + carried_in;
    if (balance > Money::kMaxMinorUnits || balance < -Money::kMaxMinorUnits ||
        total > Money::kMaxMinorUnits || total < -Money::kMaxMinorUnits ||
        carried_in < -Money::kMaxMinorUnits) {
      return absl::OutOfRangeError(
          absl::StrCat("the statement total of partner ", partner, " overflows"));
    }
    totals.push_back(
        PartnerTotal{partner, Money::FromMinor(static_cast<int64_t>(total), currency),
                     Money::FromMinor(carried_in, currency),
                     Money::FromMinor(balance > 0 ? static_cast<int64_t>(balance) : 0, currency),
                     Money::FromMinor(balance < 0 ? static_cast<int64_t>(balance) : 0, currency)});
  }
  return totals;
}

}  // namespace

std::string_view LineKindName(LineKind kind) {
  switch (kind) {
    case LineKind::kSale:
      return "sale";
    case LineKind::kBand:
      return "band";
    case LineKind::kAccelerator:
      return "accelerator";
    case LineKind::kCap:
      return "cap";
    case LineKind::kBonus:
      return "bonus";
    case LineKind::kPoolShare:
      return "pool_share";
  }
  return "unknown";
}

absl::StatusOr<Statement> ComputeStatement(const StatementRequest& request) {
  if (request.plan == nullptr) return absl::InvalidArgumentError("plan is missing");
  if (absl::Status status = ValidatePlan(*request.plan); !status.ok()) return status;
  if (!IsValidId(request.partner_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("partner_id ", money::QuoteForError(request.partner_id),
                     " is invalid: expected 1 to 128 printable ASCII characters without spaces"));
  }

  absl::StatusOr<Ledger> ledger = BuildLedger(request);
  if (!ledger.ok()) return ledger.status();
  absl::StatusOr<absl::flat_hash_map<absl::string_view, IssuedMap>> issued =
      IndexIssued(request, *ledger);
  if (!issued.ok()) return issued.status();

  Statement statement;
  statement.period = request.period.Label();
  statement.currency = request.plan->currency;
  statement.lines.reserve(ledger->sales.size());
  PlanRules rules(*request.plan);
  for (const SourcePeriod& source : ledger->periods) {
    LineWriter writer(request, source, (*issued)[View(source.label)], statement.lines);
    absl::Status status = internal::ComputeEntitlements(
        rules, request.partner_id, source,
        [&writer](Entitlement& entitlement) { return writer.Write(entitlement); });
    if (!status.ok()) return status;
    writer.ReverseUnentitledKeys();
  }

  absl::StatusOr<std::vector<PartnerTotal>> totals = ComputeTotals(request, statement.lines);
  if (!totals.ok()) return totals.status();
  statement.totals = *std::move(totals);
  return statement;
}

}  // namespace consort::commission
