#include "partner/sale_batch_processor.h"

#include <utility>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/status.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "partner/sale_validation.h"
#include "spdlog/spdlog.h"

namespace consort::partner {
namespace {

using v1::SaleOutcome;
using v1::SaleRecord;
using v1::SaleResult;

constexpr char kActiveStatus[] = "PARTNER_STATUS_ACTIVE";

LogRateLimiter& CoverageLogLimiter() {
  static LogRateLimiter limiter(5, std::chrono::minutes(1));
  return limiter;
}

std::string DescribeScope(const CheckedSale& sale) {
  return absl::StrCat("region ", Quote(sale.region), ", product_category ",
                      Quote(sale.product_category), " and channel ", Quote(sale.channel));
}

std::string FormatMinor(int64_t minor, const money::Currency& currency) {
  return absl::StrCat(money::Money::FromMinor(minor, currency).ToString(), " ",
                      std::string(currency.code.data(), currency.code.size()));
}

std::string BuildEventPayload(const CheckedSale& sale, const SaleWrite& write, absl::Time now) {
  events::v1::SaleEvent event;
  auto* meta = event.mutable_meta();
  meta->set_event_id(write.event_id);
  *meta->mutable_event_time() = ToProtoTimestamp(sale.event_time);
  *meta->mutable_record_time() = ToProtoTimestamp(now);
  meta->set_producer("partner");
  event.set_sale_id(write.sale_id);
  event.set_partner_id(write.partner_id);
  event.set_kind(write.is_refund ? events::v1::SALE_KIND_REFUND : events::v1::SALE_KIND_SALE);
  event.set_original_sale_id(write.original_sale_id);
  event.set_currency(write.currency);
  event.set_amount_minor(write.is_refund ? -write.amount_minor : write.amount_minor);
  event.set_region(write.region);
  event.set_product_category(write.product_category);
  event.set_channel(write.channel);
  event.set_order_id(write.order_id);
  event.set_quantity(write.quantity);
  event.set_contract_id(write.contract_id);
  event.set_freight_minor(write.freight_minor);
  return event.SerializeAsString();
}

// The reason a refund's original_sale_id names no sale that the refund may reverse.
enum class OriginalProblem { kMissing, kOtherPartner, kRefund };

std::string OriginalNotFoundMessage(const CheckedSale& refund, OriginalProblem problem) {
  std::string allowed = absl::StrCat("expected the sale_id of an accepted sale of partner_id ",
                                     Quote(refund.partner_id));
  if (problem == OriginalProblem::kOtherPartner) {
    absl::StrAppend(&allowed, "; it names a sale of another partner");
  } else if (problem == OriginalProblem::kRefund) {
    absl::StrAppend(&allowed, "; it names a refund, and only a sale can be refunded");
  }
  return std::string(InvalidField("original_sale_id", refund.original_sale_id, allowed).message());
}

// Message for a rejection that the store's script found, which the preflight read did not see
// because another stream or an earlier record of the batch changed the state in between.
std::string CommitRejectionMessage(const CheckedSale& sale, const CommitResult& commit) {
  if (commit.reason == reason::kRefundExceedsRemaining) {
    int64_t remaining = 0;
    if (!absl::SimpleAtoi(commit.detail, &remaining)) remaining = 0;
    return std::string(
        InvalidField("amount.amount",
                     money::Money::FromMinor(sale.amount_minor, *sale.currency).ToString(),
                     absl::StrCat("expected at most ", FormatMinor(remaining, *sale.currency),
                                  ", what is left of original sale ", Quote(sale.original_sale_id),
                                  " after earlier refunds"))
            .message());
  }
  if (commit.reason == reason::kOriginalSaleNotFound) {
    OriginalProblem problem = OriginalProblem::kMissing;
    if (commit.detail == "other_partner") problem = OriginalProblem::kOtherPartner;
    if (commit.detail == "refund") problem = OriginalProblem::kRefund;
    return OriginalNotFoundMessage(sale, problem);
  }
  if (commit.reason == reason::kPartnerNotActive) {
    return std::string(InvalidField("partner_id", sale.partner_id,
                                    absl::StrCat("expected a partner in status ", kActiveStatus,
                                                 "; this partner is ", commit.detail))
                           .message());
  }
  return std::string(
      InvalidField("partner_id", sale.partner_id, "expected the id of an existing partner")
          .message());
}

}  // namespace

struct SaleBatchProcessor::Item {
  size_t index = 0;
  CheckedSale sale;
  // Set once the record has its result; only pending items reach the store.
  bool done = false;
  // Resolved from the covering contract, or for a refund from the original sale.
  std::string contract_id;
  std::string region;
  std::string product_category;
  std::string channel;
};

SaleBatchProcessor::SaleBatchProcessor(SaleStore& store, CoverageCache& coverage,
                                       prometheus::Registry& registry,
                                       std::function<absl::Time()> now)
    : store_(store),
      coverage_(coverage),
      now_(std::move(now)),
      accepted_sales_(prometheus::BuildCounter()
                          .Name("consort_sales_accepted_total")
                          .Help("Sales and refunds accepted through ReportSales")
                          .Register(registry)
                          .Add({{"kind", "sale"}})),
      accepted_refunds_(prometheus::BuildCounter()
                            .Name("consort_sales_accepted_total")
                            .Help("Sales and refunds accepted through ReportSales")
                            .Register(registry)
                            .Add({{"kind", "refund"}})),
      duplicates_(prometheus::BuildCounter()
                      .Name("consort_sales_duplicate_total")
                      .Help("Sale records whose sale_id was already recorded")
                      .Register(registry)
                      .Add({})),
      rejected_(prometheus::BuildCounter()
                    .Name("consort_sales_rejected_total")
                    .Help("Sale records rejected, by reason")
                    .Register(registry)) {
  // Every reason is exported from the start, so that rate() counts the first rejection.
  for (const char* reason : reason::kAll) rejected_.Add({{"reason", reason}});
}

void SaleBatchProcessor::Reject(SaleResult& result, const std::string& reason,
                                std::string message) {
  result.set_outcome(v1::SALE_OUTCOME_REJECTED);
  result.set_reason(reason);
  result.set_message(std::move(message));
  rejected_.Add({{"reason", reason}}).Increment();
}

void SaleBatchProcessor::MarkDuplicate(SaleResult& result) {
  result.set_outcome(v1::SALE_OUTCOME_DUPLICATE);
  result.set_message(absl::StrCat("sale_id ", Quote(result.sale_id()),
                                  " was already recorded; a sale id counts once"));
  duplicates_.Increment();
}

absl::StatusOr<std::vector<SaleResult>> SaleBatchProcessor::Process(
    const std::vector<SaleRecord>& records) {
  const absl::Time now = now_();
  std::vector<SaleResult> results(records.size());
  std::vector<Item> items;
  items.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    results[i].set_sale_id(records[i].sale_id());
    auto checked = CheckSaleRecord(records[i], now);
    if (auto* rejection = std::get_if<SaleRejection>(&checked)) {
      Reject(results[i], rejection->reason, std::move(rejection->message));
      continue;
    }
    Item item;
    item.index = i;
    item.sale = std::move(std::get<CheckedSale>(checked));
    items.push_back(std::move(item));
  }
  if (items.empty()) return results;

  PreflightQuery query;
  absl::flat_hash_set<std::string> partners, sales, originals;
  for (const Item& item : items) {
    if (partners.insert(item.sale.partner_id).second) {
      query.partner_ids.push_back(item.sale.partner_id);
    }
    if (sales.insert(item.sale.sale_id).second) query.sale_ids.push_back(item.sale.sale_id);
    if (item.sale.is_refund && originals.insert(item.sale.original_sale_id).second) {
      query.original_sale_ids.push_back(item.sale.original_sale_id);
    }
  }
  auto preflight = store_.Preflight(query);
  if (!preflight.ok()) return preflight.status();

  CheckStoredState(*preflight, items, results);
  ResolveCoverage(items, results);
  ResolveOriginals(*preflight, items, results);
  if (auto status = CommitPending(items, now, results); !status.ok()) return status;
  return results;
}

void SaleBatchProcessor::CheckStoredState(const PreflightResult& preflight,
                                          std::vector<Item>& items,
                                          std::vector<SaleResult>& results) {
  for (Item& item : items) {
    SaleResult& result = results[item.index];
    // A record reported again gets DUPLICATE whatever changed since, so that a client that
    // retries after a lost response learns that the record is stored.
    if (preflight.existing_sale_ids.contains(item.sale.sale_id)) {
      MarkDuplicate(result);
      item.done = true;
      continue;
    }
    auto status = preflight.partner_status.find(item.sale.partner_id);
    if (status == preflight.partner_status.end()) {
      Reject(result, reason::kPartnerNotFound,
             std::string(InvalidField("partner_id", item.sale.partner_id,
                                      "expected the id of an existing partner")
                             .message()));
      item.done = true;
    } else if (status->second != kActiveStatus) {
      Reject(result, reason::kPartnerNotActive,
             std::string(InvalidField("partner_id", item.sale.partner_id,
                                      absl::StrCat("expected a partner in status ", kActiveStatus,
                                                   "; this partner is ", status->second))
                             .message()));
      item.done = true;
    }
  }
}

void SaleBatchProcessor::ResolveCoverage(std::vector<Item>& items,
                                         std::vector<SaleResult>& results) {
  std::vector<CoverageScope> scopes;
  std::vector<Item*> sales;
  for (Item& item : items) {
    if (item.done || item.sale.is_refund) continue;
    scopes.push_back(CoverageScope{item.sale.partner_id, item.sale.region,
                                   item.sale.product_category, item.sale.channel});
    sales.push_back(&item);
  }
  if (scopes.empty()) return;

  CoverageCache::Lookup lookup = coverage_.Resolve(scopes);
  if (!lookup.source_error.ok()) {
    int64_t suppressed = 0;
    if (CoverageLogLimiter().Allow("coverage", suppressed)) {
      spdlog::warn(
          "msg=\"coverage check failed; sales rejected as coverage_unavailable\" "
          "error={} suppressed={}",
          Quote(lookup.source_error.ToString()), suppressed);
    }
  }
  for (size_t i = 0; i < sales.size(); ++i) {
    Item& item = *sales[i];
    SaleResult& result = results[item.index];
    const std::optional<CoverageAnswer>& answer = lookup.answers[i];
    item.done = true;
    if (!answer.has_value()) {
      Reject(result, reason::kCoverageUnavailable,
             absl::StrCat("coverage of ", DescribeScope(item.sale), " for partner_id ",
                          Quote(item.sale.partner_id),
                          " could not be checked with the contract service (",
                          lookup.source_error.message(), "); nothing was stored, retry later"));
      continue;
    }
    if (!answer->covered) {
      Reject(result, reason::kNotCovered,
             absl::StrCat(DescribeScope(item.sale),
                          " are not covered by an active contract of "
                          "partner_id ",
                          Quote(item.sale.partner_id),
                          "; expected a scope that an "
                          "active contract covers",
                          answer->reason.empty() ? "" : absl::StrCat(" (", answer->reason, ")")));
      continue;
    }
    const std::string sale_currency(item.sale.currency->code.data(),
                                    item.sale.currency->code.size());
    if (answer->currency != sale_currency) {
      Reject(result, reason::kCurrencyMismatch,
             std::string(InvalidField("amount.currency", sale_currency,
                                      absl::StrCat("expected ", answer->currency,
                                                   ", the currency of covering contract ",
                                                   answer->contract_id))
                             .message()));
      continue;
    }
    item.done = false;
    item.contract_id = answer->contract_id;
    item.region = item.sale.region;
    item.product_category = item.sale.product_category;
    item.channel = item.sale.channel;
  }
}

void SaleBatchProcessor::ResolveOriginals(const PreflightResult& preflight,
                                          std::vector<Item>& items,
                                          std::vector<SaleResult>& results) {
  // Records of this batch still pending, by sale_id, that a later refund in the batch may name.
  absl::flat_hash_map<std::string, const Item*> batch_records;
  for (Item& item : items) {
    if (item.done) continue;
    batch_records.emplace(item.sale.sale_id, &item);
    if (!item.sale.is_refund) continue;

    SaleResult& result = results[item.index];
    const std::string& original_id = item.sale.original_sale_id;
    const auto reject_original = [&](OriginalProblem problem) {
      Reject(result, reason::kOriginalSaleNotFound, OriginalNotFoundMessage(item.sale, problem));
      item.done = true;
    };
    std::string original_currency;
    if (auto stored = preflight.originals.find(original_id); stored != preflight.originals.end()) {
      const StoredSale& original = stored->second;
      if (original.partner_id != item.sale.partner_id) {
        reject_original(OriginalProblem::kOtherPartner);
        continue;
      }
      if (original.kind != "sale") {
        reject_original(OriginalProblem::kRefund);
        continue;
      }
      original_currency = original.currency;
      item.contract_id = original.contract_id;
      item.region = original.region;
      item.product_category = original.product_category;
      item.channel = original.channel;
    } else if (auto pending = batch_records.find(original_id); pending != batch_records.end()) {
      const Item& original = *pending->second;
      if (original.sale.partner_id != item.sale.partner_id) {
        reject_original(OriginalProblem::kOtherPartner);
        continue;
      }
      if (original.sale.is_refund) {
        reject_original(OriginalProblem::kRefund);
        continue;
      }
      original_currency =
          std::string(original.sale.currency->code.data(), original.sale.currency->code.size());
      item.contract_id = original.contract_id;
      item.region = original.region;
      item.product_category = original.product_category;
      item.channel = original.channel;
    } else {
      reject_original(OriginalProblem::kMissing);
      continue;
    }

    const std::string refund_currency(item.sale.currency->code.data(),
                                      item.sale.currency->code.size());
    if (refund_currency != original_currency) {
      Reject(result, reason::kCurrencyMismatch,
             std::string(
                 InvalidField("amount.currency", refund_currency,
                              absl::StrCat("expected ", original_currency,
                                           ", the currency of original sale ", Quote(original_id)))
                     .message()));
      item.done = true;
    }
  }
}

absl::Status SaleBatchProcessor::CommitPending(std::vector<Item>& items, absl::Time now,
                                               std::vector<SaleResult>& results) {
  std::vector<SaleWrite> writes;
  std::vector<const Item*> written;
  for (const Item& item : items) {
    if (item.done) continue;
    const CheckedSale& sale = item.sale;
    SaleWrite write;
    write.sale_id = sale.sale_id;
    write.partner_id = sale.partner_id;
    write.is_refund = sale.is_refund;
    write.original_sale_id = sale.original_sale_id;
    write.amount_minor = sale.amount_minor;
    write.currency = std::string(sale.currency->code.data(), sale.currency->code.size());
    write.contract_id = item.contract_id;
    write.region = item.region;
    write.product_category = item.product_category;
    write.channel = item.channel;
    write.order_id = sale.order_id;
    write.quantity = sale.quantity;
    write.event_time = sale.event_time;
    write.freight_minor = sale.freight_minor;
    write.event_id = NewEventId();
    write.event_payload = BuildEventPayload(sale, write, now);
    writes.push_back(std::move(write));
    written.push_back(&item);
  }
  if (writes.empty()) return absl::OkStatus();

  auto committed = store_.Commit(writes);
  if (!committed.ok()) return committed.status();

  for (size_t i = 0; i < written.size(); ++i) {
    const Item& item = *written[i];
    const CommitResult& commit = (*committed)[i];
    SaleResult& result = results[item.index];
    switch (commit.outcome) {
      case CommitResult::Outcome::kAccepted:
        result.set_outcome(v1::SALE_OUTCOME_ACCEPTED);
        (item.sale.is_refund ? accepted_refunds_ : accepted_sales_).Increment();
        break;
      case CommitResult::Outcome::kDuplicate:
        MarkDuplicate(result);
        break;
      case CommitResult::Outcome::kRejected:
        Reject(result, commit.reason, CommitRejectionMessage(item.sale, commit));
        break;
    }
  }
  return absl::OkStatus();
}

}  // namespace consort::partner
