#include "partner/sale_store.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "outbox/outbox_relay.h"

namespace consort::partner {
namespace {

constexpr int kCommitAttempts = 3;

// KEYS: 1 partner hash, 2 sale hash, 3 original sale hash (the sale hash again for a sale),
//       4 outbox stream.
// ARGV: 1 kind, 2 partner_id, 3 amount_minor, 4 topic, 5 payload, 6 currency, 7 contract_id,
//       8 region, 9 product_category, 10 channel, 11 order_id, 12 original_sale_id, 13 quantity,
//       14 event_time, 15 freight_minor, 16 event_id.
// Returns {outcome, reason, detail}. For original_sale_not_found the detail is empty when the
// original does not exist, and `other_partner` or `refund` when it exists but cannot be refunded.
// Every check comes before the first write, so a record is stored whole or not at all. Amounts
// stay below 2^53, so Lua numbers compare them exactly.
std::string RecordScript() {
  return absl::StrCat(
      R"lua(
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'duplicate', '', ''}
end
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return {'rejected', 'partner_not_found', ''}
end
if status ~= 'PARTNER_STATUS_ACTIVE' then
  return {'rejected', 'partner_not_active', status}
end
local amount = tonumber(ARGV[3])
if ARGV[1] == 'refund' then
  local original = redis.call('HMGET', KEYS[3], 'partner_id', 'kind', 'amount_minor',
                              'refunded_minor')
  if not original[1] then
    return {'rejected', 'original_sale_not_found', ''}
  end
  if original[1] ~= ARGV[2] then
    return {'rejected', 'original_sale_not_found', 'other_partner'}
  end
  if original[2] ~= 'sale' then
    return {'rejected', 'original_sale_not_found', 'refund'}
  end
  local remaining = tonumber(original[3]) - tonumber(original[4])
  if amount > remaining then
    return {'rejected', 'refund_exceeds_remaining', string.format('%.0f', remaining)}
  end
  redis.call('HINCRBY', KEYS[3], 'refunded_minor', ARGV[3])
end
redis.call('HSET', KEYS[2], 'partner_id', ARGV[2], 'kind', ARGV[1], 'amount_minor', ARGV[3],
           'refunded_minor', '0', 'currency', ARGV[6], 'contract_id', ARGV[7], 'region', ARGV[8],
           'product_category', ARGV[9], 'channel', ARGV[10], 'order_id', ARGV[11],
           'original_sale_id', ARGV[12], 'quantity', ARGV[13], 'event_time', ARGV[14],
           'freight_minor', ARGV[15], 'event_id', ARGV[16])
)lua",
      absl::StrFormat(outbox::kAppendLua, "KEYS[4]", "ARGV[4]", "ARGV[2]", "ARGV[5]"),
      "\nreturn {'accepted', '', ''}\n");
}

CommitResult ParseCommitReply(const redis::Reply& reply) {
  CommitResult result;
  const std::string& outcome = reply.elements[0].str;
  if (outcome == "accepted") {
    result.outcome = CommitResult::Outcome::kAccepted;
  } else if (outcome == "duplicate") {
    result.outcome = CommitResult::Outcome::kDuplicate;
  } else {
    result.outcome = CommitResult::Outcome::kRejected;
  }
  result.reason = reply.elements[1].str;
  result.detail = reply.elements[2].str;
  return result;
}

}  // namespace

SaleStore::SaleStore(redis::Pool& redis, PartnerKeys keys, std::string sales_topic)
    : redis_(redis),
      keys_(std::move(keys)),
      sales_topic_(std::move(sales_topic)),
      record_script_(RecordScript()) {}

absl::StatusOr<PreflightResult> SaleStore::Preflight(const PreflightQuery& query) {
  std::vector<redis::Command> commands;
  commands.reserve(query.partner_ids.size() + query.sale_ids.size() +
                   query.original_sale_ids.size());
  for (const auto& id : query.partner_ids) {
    commands.push_back({"HGET", keys_.Partner(id), "status"});
  }
  for (const auto& id : query.sale_ids) commands.push_back({"EXISTS", keys_.Sale(id)});
  for (const auto& id : query.original_sale_ids) {
    commands.push_back({"HMGET", keys_.Sale(id), "partner_id", "kind", "currency", "contract_id",
                        "region", "product_category", "channel"});
  }
  if (commands.empty()) return PreflightResult{};

  auto replies = redis_.RunPipeline(commands, "sales_preflight");
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    if (reply.is_error()) {
      return absl::InternalError(absl::StrCat("Redis preflight read failed: ", reply.str));
    }
  }

  PreflightResult result;
  size_t next = 0;
  for (const auto& id : query.partner_ids) {
    const redis::Reply& reply = (*replies)[next++];
    if (!reply.is_nil()) result.partner_status[id] = reply.str;
  }
  for (const auto& id : query.sale_ids) {
    if ((*replies)[next++].integer == 1) result.existing_sale_ids.insert(id);
  }
  for (const auto& id : query.original_sale_ids) {
    const redis::Reply& reply = (*replies)[next++];
    if (reply.elements.size() != 7 || reply.elements[0].is_nil()) continue;
    result.originals[id] = StoredSale{
        reply.elements[0].str, reply.elements[1].str, reply.elements[2].str, reply.elements[3].str,
        reply.elements[4].str, reply.elements[5].str, reply.elements[6].str};
  }
  return result;
}

absl::StatusOr<std::vector<CommitResult>> SaleStore::Commit(const std::vector<SaleWrite>& writes) {
  if (writes.empty()) return std::vector<CommitResult>{};
  const std::string outbox_key = keys_.Outbox();
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> calls;
  calls.reserve(writes.size());
  for (const SaleWrite& write : writes) {
    std::string sale_key = keys_.Sale(write.sale_id);
    std::string original_key = write.is_refund ? keys_.Sale(write.original_sale_id) : sale_key;
    calls.emplace_back(
        std::vector<std::string>{keys_.Partner(write.partner_id), std::move(sale_key),
                                 std::move(original_key), outbox_key},
        std::vector<std::string>{
            write.is_refund ? "refund" : "sale", write.partner_id, absl::StrCat(write.amount_minor),
            sales_topic_, write.event_payload, write.currency, write.contract_id, write.region,
            write.product_category, write.channel, write.order_id, write.original_sale_id,
            absl::StrCat(write.quantity),
            absl::FormatTime(absl::RFC3339_full, write.event_time, absl::UTCTimeZone()),
            absl::StrCat(write.freight_minor), write.event_id});
  }

  absl::StatusOr<std::vector<redis::Reply>> replies;
  for (int attempt = 1; attempt <= kCommitAttempts; ++attempt) {
    replies = redis_.EvalPipeline(record_script_, calls, "sales_commit");
    if (replies.ok() || !absl::IsUnavailable(replies.status())) break;
    if (attempt < kCommitAttempts) absl::SleepFor(absl::Milliseconds(100 * attempt));
  }
  if (!replies.ok()) return replies.status();

  std::vector<CommitResult> results;
  results.reserve(writes.size());
  for (size_t i = 0; i < replies->size(); ++i) {
    const redis::Reply& reply = (*replies)[i];
    if (reply.is_error() || reply.elements.size() != 3) {
      return absl::InternalError(
          absl::StrCat("sale script failed for sale_id ", writes[i].sale_id, ": ", reply.str));
    }
    results.push_back(ParseCommitReply(reply));
  }
  return results;
}

}  // namespace consort::partner
