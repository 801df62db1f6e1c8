#include "incentive/batch_planner.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/time_util.h"

namespace consort::incentive {
namespace {

using consort::incentive::v1::AccrualLine;

// A sale while the batch is applied to it.
struct WorkingSale {
  StoredSale sale;
  int64_t expected_version = 0;
  bool changed = false;
  std::vector<std::string> new_refund_ids = {};
};

consort::common::v1::Money ToProtoMoney(const money::Money& amount) {
  consort::common::v1::Money out;
  out.set_currency(std::string(amount.currency().code));
  out.set_amount(amount.ToString());
  return out;
}

class Planner {
 public:
  Planner(const absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked_events,
          const Snapshot& snapshot)
      : parked_events_(parked_events), snapshot_(snapshot) {}

  void Add(size_t index, const AccrualEvent& event);
  BatchPlan Finish();

 private:
  bool IsDuplicate(const AccrualEvent& event) const;
  void AddSale(size_t index, const AccrualEvent& event);
  void AddRefund(size_t index, const AccrualEvent& event);
  // Applies a refund to its known sale, or rejects it.
  void ApplyRefundTo(size_t index, const AccrualEvent& refund, WorkingSale& working);
  void ApplyParked(const std::string& sale_id, WorkingSale& working);
  // The stored or batch state of `sale_id`, or null when the sale is unknown.
  WorkingSale* FindSale(const std::string& sale_id);
  void AddLine(AccrualLine line, const money::Money& commission);
  // Releases the parked refunds of the sales in snapshot.expired_parkings that the batch did not
  // bring, rejecting each of them.
  void ExpireParkings();
  void Reject(size_t message_index, std::string reason, std::string message);

  const absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked_events_;
  const Snapshot& snapshot_;

  BatchPlan plan_;
  std::map<std::string, WorkingSale> sales_;
  absl::flat_hash_set<std::string> applied_;
  // Refunds parked by this batch, per original sale id, with their event index.
  std::map<std::string, std::vector<std::pair<size_t, const AccrualEvent*>>> batch_parked_;
  absl::flat_hash_set<std::string> batch_parked_ids_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> totals_;
};

bool Planner::IsDuplicate(const AccrualEvent& event) const {
  if (snapshot_.applied_ids.contains(event.sale_id) || applied_.contains(event.sale_id)) {
    return true;
  }
  if (event.kind != AccrualEvent::Kind::kRefund) {
    return snapshot_.stored_sale_ids.contains(event.sale_id);
  }
  auto sale = snapshot_.sales.find(event.original_sale_id);
  if (sale != snapshot_.sales.end() && sale->second.refund_ids.contains(event.sale_id)) {
    return true;
  }
  if (batch_parked_ids_.contains(event.sale_id)) return true;
  auto parked = snapshot_.parked.find(event.original_sale_id);
  if (parked == snapshot_.parked.end()) return false;
  for (const ParkedRefund& refund : parked->second) {
    if (refund.refund_id == event.sale_id) return true;
  }
  return false;
}

void Planner::Add(size_t index, const AccrualEvent& event) {
  if (IsDuplicate(event)) {
    plan_.duplicates.push_back(index);
    return;
  }
  if (event.kind == AccrualEvent::Kind::kSale) {
    AddSale(index, event);
  } else {
    AddRefund(index, event);
  }
}

void Planner::AddSale(size_t index, const AccrualEvent& event) {
  const money::Currency* currency = money::FindCurrency(event.currency);
  if (currency == nullptr) {
    Reject(event.message_index, "invalid", absl::StrCat("unknown currency ", event.currency));
    return;
  }
  absl::StatusOr<SaleAccount> account =
      AccrueSale(money::Money::FromMinor(event.amount_minor, *currency), event.rate);
  if (!account.ok()) {
    Reject(event.message_index, "out_of_range", std::string(account.status().message()));
    return;
  }

  WorkingSale working{.sale = {.sale_id = event.sale_id,
                               .partner_id = event.partner_id,
                               .contract_id = event.contract_id,
                               .period = event.period,
                               .account = *account,
                               .version = 0},
                      .expected_version = 0,
                      .changed = true};
  auto [entry, inserted] = sales_.insert_or_assign(event.sale_id, std::move(working));
  applied_.insert(event.sale_id);
  plan_.applied_ids.push_back(event.sale_id);
  plan_.applied.push_back(index);

  AccrualLine line;
  line.set_partner_id(event.partner_id);
  line.set_period(event.period);
  line.set_kind(v1::ACCRUAL_KIND_COMMISSION);
  line.set_sale_id(event.sale_id);
  line.set_contract_id(event.contract_id);
  *line.mutable_base() = ToProtoMoney(account->amount);
  line.set_rate(account->rate.ToString());
  *line.mutable_commission() = ToProtoMoney(account->commission);
  *line.mutable_event_time() = ToProtoTimestamp(event.event_time);
  AddLine(std::move(line), account->commission);

  ApplyParked(event.sale_id, entry->second);
}

void Planner::ApplyParked(const std::string& sale_id, WorkingSale& working) {
  auto stored = snapshot_.parked.find(sale_id);
  if (stored != snapshot_.parked.end() && !stored->second.empty()) {
    plan_.releases.push_back({sale_id, static_cast<int64_t>(stored->second.size())});
    auto decoded = parked_events_.find(sale_id);
    if (decoded != parked_events_.end()) {
      for (const AccrualEvent& refund : decoded->second) {
        if (applied_.contains(refund.sale_id)) continue;
        ApplyRefundTo(SIZE_MAX, refund, working);
      }
    }
  }

  auto in_batch = batch_parked_.find(sale_id);
  if (in_batch == batch_parked_.end()) return;
  for (const auto& [index, refund] : in_batch->second) {
    batch_parked_ids_.erase(refund->sale_id);
    std::erase_if(plan_.parked, [index = index](size_t parked) { return parked == index; });
    ApplyRefundTo(index, *refund, working);
  }
  batch_parked_.erase(in_batch);
}

WorkingSale* Planner::FindSale(const std::string& sale_id) {
  auto working = sales_.find(sale_id);
  if (working != sales_.end()) return &working->second;
  auto stored = snapshot_.sales.find(sale_id);
  if (stored == snapshot_.sales.end()) return nullptr;
  auto [entry, inserted] = sales_.try_emplace(
      sale_id, WorkingSale{.sale = stored->second, .expected_version = stored->second.version});
  return &entry->second;
}

void Planner::AddRefund(size_t index, const AccrualEvent& event) {
  WorkingSale* working = FindSale(event.original_sale_id);
  if (working == nullptr) {
    batch_parked_[event.original_sale_id].emplace_back(index, &event);
    batch_parked_ids_.insert(event.sale_id);
    plan_.parked.push_back(index);
    return;
  }
  ApplyRefundTo(index, event, *working);
}

void Planner::ApplyRefundTo(size_t index, const AccrualEvent& refund, WorkingSale& working) {
  StoredSale& sale = working.sale;
  if (refund.partner_id != sale.partner_id) {
    Reject(refund.message_index, "partner_mismatch",
           absl::StrCat("refund ", refund.sale_id, " of partner ", refund.partner_id,
                        " names sale ", sale.sale_id, " of partner ", sale.partner_id));
    return;
  }
  const money::Currency& currency = sale.account.amount.currency();
  if (refund.currency != currency.code) {
    Reject(refund.message_index, "currency_mismatch",
           absl::StrCat("refund ", refund.sale_id, " is in ", refund.currency, " but sale ",
                        sale.sale_id, " is in ", std::string(currency.code)));
    return;
  }

  const money::Money amount = money::Money::FromMinor(refund.amount_minor, currency);
  absl::StatusOr<money::Money> reversal = ApplyRefund(sale.account, amount);
  if (!reversal.ok()) {
    Reject(refund.message_index, "refund_exceeds_sale",
           absl::StrCat("refund ", refund.sale_id, " of sale ", sale.sale_id, ": ",
                        reversal.status().message()));
    return;
  }
  working.changed = true;
  working.sale.refund_ids.insert(refund.sale_id);
  working.new_refund_ids.push_back(refund.sale_id);
  applied_.insert(refund.sale_id);
  plan_.applied_ids.push_back(refund.sale_id);
  if (index != SIZE_MAX) plan_.applied.push_back(index);

  AccrualLine line;
  line.set_partner_id(refund.partner_id);
  line.set_period(refund.period);
  line.set_kind(v1::ACCRUAL_KIND_CLAWBACK);
  line.set_sale_id(refund.sale_id);
  line.set_original_sale_id(sale.sale_id);
  line.set_contract_id(sale.contract_id);
  *line.mutable_base() = ToProtoMoney(amount.Negate());
  line.set_rate(sale.account.rate.ToString());
  *line.mutable_commission() = ToProtoMoney(reversal->Negate());
  *line.mutable_event_time() = ToProtoTimestamp(refund.event_time);
  AddLine(std::move(line), reversal->Negate());
}

void Planner::AddLine(AccrualLine line, const money::Money& commission) {
  totals_[{line.period(), line.partner_id(), std::string(commission.currency().code)}] +=
      commission.minor_units();
  plan_.lines.push_back(std::move(line));
}

void Planner::Reject(size_t message_index, std::string reason, std::string message) {
  plan_.rejected.push_back({message_index, std::move(reason), std::move(message)});
}

void Planner::ExpireParkings() {
  for (const std::string& sale_id : snapshot_.expired_parkings) {
    const bool released = std::any_of(
        plan_.releases.begin(), plan_.releases.end(),
        [&sale_id](const ParkingRelease& release) { return release.original_sale_id == sale_id; });
    if (released) continue;

    // Released even without parked refunds, so that a parking time left without its refunds
    // cannot come back in every snapshot.
    auto stored = snapshot_.parked.find(sale_id);
    const size_t count = stored == snapshot_.parked.end() ? 0 : stored->second.size();
    plan_.releases.push_back({sale_id, static_cast<int64_t>(count)});
    auto decoded = parked_events_.find(sale_id);
    if (decoded == parked_events_.end()) continue;
    for (const AccrualEvent& refund : decoded->second) {
      Reject(refund.message_index, kParkingExpiredReason,
             absl::StrCat("refund ", refund.sale_id, " waited for sale ", sale_id,
                          " longer than the retention (CONSORT_DEDUP_RETENTION_DAYS); publish it "
                          "again once the sale is stored"));
    }
  }
}

BatchPlan Planner::Finish() {
  ExpireParkings();
  for (auto& [sale_id, working] : sales_) {
    if (!working.changed) continue;
    working.sale.version = working.expected_version + 1;
    plan_.sale_writes.push_back(
        {std::move(working.sale), working.expected_version, std::move(working.new_refund_ids)});
  }
  for (const auto& [original_sale_id, refunds] : batch_parked_) {
    for (const auto& [index, refund] : refunds) {
      plan_.parkings.push_back({original_sale_id, refund->sale_id, refund->parking_record});
    }
  }
  for (const auto& [key, delta] : totals_) {
    const auto& [period, partner_id, currency] = key;
    plan_.totals.push_back({period, partner_id, currency, delta});
  }
  return std::move(plan_);
}

}  // namespace

SnapshotRequest PlanSnapshot(const std::vector<AccrualEvent>& events) {
  SnapshotRequest request;
  absl::flat_hash_set<std::string> refunded;
  absl::flat_hash_set<std::string> parking;
  for (const AccrualEvent& event : events) {
    request.event_ids.push_back(event.sale_id);
    if (event.kind == AccrualEvent::Kind::kSale) request.sale_ids.push_back(event.sale_id);
    const std::string& sale_id =
        event.kind == AccrualEvent::Kind::kSale ? event.sale_id : event.original_sale_id;
    if (parking.insert(sale_id).second) request.parking_sale_ids.push_back(sale_id);
    if (event.kind == AccrualEvent::Kind::kRefund && refunded.insert(sale_id).second) {
      request.refunded_sale_ids.push_back(sale_id);
    }
  }
  return request;
}

BatchPlan PlanBatch(
    const std::vector<AccrualEvent>& events,
    const absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked_events,
    const Snapshot& snapshot) {
  Planner planner(parked_events, snapshot);
  for (size_t i = 0; i < events.size(); ++i) planner.Add(i, events[i]);
  return planner.Finish();
}

}  // namespace consort::incentive
