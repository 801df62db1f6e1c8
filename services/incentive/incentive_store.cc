#include "incentive/incentive_store.h"

#include <algorithm>
#include <climits>
#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status.h"
#include "common/validation.h"
#include "consumer/offset_store.h"

namespace consort::incentive {
namespace {

using consort::incentive::v1::AccrualLine;

// ARGV: prefix, parking time (Unix milliseconds), then six sections, each a count followed by its
// entries:
//   sale accounts:    sale_id, expected version, field count F, F (name, value) pairs
//   parkings:         original sale id, refund id, record
//   releases:         original sale id, expected number of parked refunds
//   line groups:      period, partner_id, line count L, L serialized lines
//   total changes:    "<period> <partner_id> <currency>", delta in minor units
//   offsets:          "topic:partition", next offset
// Returns 1, or {"conflict", what} when the snapshot is stale. advance_offsets comes from
// consumer::kAdvanceOffsetsLua, which is put before this text.
constexpr char kCommitLua[] = R"lua(
local prefix = ARGV[1]
local now = ARGV[2]

local function add_members(command, key, first, n)
  local i = first
  local last = first + n - 1
  while i <= last do
    local stop = math.min(i + 499, last)
    redis.call(command, key, unpack(ARGV, i, stop))
    i = stop + 1
  end
end

-- First pass: reject the whole batch when the snapshot it was computed from is stale.
local sales = tonumber(ARGV[3])
local sales_first = 4
local p = sales_first
for s = 1, sales do
  local key = prefix .. 'sale:' .. ARGV[p]
  local current = redis.call('HGET', key, 'version') or '0'
  if current ~= ARGV[p + 1] then return {'conflict', key} end
  p = p + 3 + 2 * tonumber(ARGV[p + 2])
end

local parkings = tonumber(ARGV[p])
local parkings_first = p + 1
for k = parkings_first, parkings_first + 3 * parkings - 1, 3 do
  if redis.call('EXISTS', prefix .. 'sale:' .. ARGV[k]) == 1 then
    return {'conflict', ARGV[k]}
  end
  if redis.call('HEXISTS', prefix .. 'parked:' .. ARGV[k], ARGV[k + 1]) == 1 then
    return {'conflict', ARGV[k + 1]}
  end
end
p = parkings_first + 3 * parkings

local releases = tonumber(ARGV[p])
local releases_first = p + 1
for k = releases_first, releases_first + 2 * releases - 1, 2 do
  if redis.call('HLEN', prefix .. 'parked:' .. ARGV[k]) ~= tonumber(ARGV[k + 1]) then
    return {'conflict', ARGV[k]}
  end
end
local lines_first = releases_first + 2 * releases

-- Second pass: write.
p = sales_first
for s = 1, sales do
  local fields = tonumber(ARGV[p + 2])
  redis.call('HSET', prefix .. 'sale:' .. ARGV[p], unpack(ARGV, p + 3, p + 2 + 2 * fields))
  p = p + 3 + 2 * fields
end
-- Releases go first: an expired parking is released in the same batch that parks a new refund
-- of that sale, and the new refund must stay.
for k = releases_first, releases_first + 2 * releases - 1, 2 do
  redis.call('DEL', prefix .. 'parked:' .. ARGV[k])
  redis.call('SREM', prefix .. 'parked_sales', ARGV[k])
  redis.call('ZREM', prefix .. 'parked_since', ARGV[k])
end
for k = parkings_first, parkings_first + 3 * parkings - 1, 3 do
  redis.call('HSET', prefix .. 'parked:' .. ARGV[k], ARGV[k + 1], ARGV[k + 2])
  redis.call('SADD', prefix .. 'parked_sales', ARGV[k])
  redis.call('ZADD', prefix .. 'parked_since', 'NX', now, ARGV[k])
end

p = lines_first
local groups = tonumber(ARGV[p])
p = p + 1
for g = 1, groups do
  local n = tonumber(ARGV[p + 2])
  add_members('RPUSH', prefix .. 'lines:' .. ARGV[p] .. ':' .. ARGV[p + 1], p + 3, n)
  p = p + 3 + n
end

local totals = tonumber(ARGV[p])
p = p + 1
for k = p, p + 2 * totals - 1, 2 do
  redis.call('HINCRBY', prefix .. 'totals', ARGV[k], ARGV[k + 1])
  redis.call('ZADD', prefix .. 'index', 'NX', 0, ARGV[k])
end
p = p + 2 * totals

advance_offsets(prefix .. 'offsets', p + 1, tonumber(ARGV[p]))
return 1
)lua";

// Separates the parts of a totals member. A space sorts before every character that a period,
// an identifier or a currency code may contain, so members order by period, then partner id.
constexpr char kSeparator = ' ';

std::string TotalsMember(const std::string& period, const std::string& partner_id,
                         const std::string& currency) {
  return absl::StrCat(period, std::string(1, kSeparator), partner_id, std::string(1, kSeparator),
                      currency);
}

absl::StatusOr<CommissionTotal> ParseTotalsMember(absl::string_view member) {
  std::vector<std::string> parts = absl::StrSplit(member, kSeparator);
  if (parts.size() != 3) {
    return absl::InternalError(absl::StrCat("malformed commission index member \"", member, "\""));
  }
  return CommissionTotal{.period = parts[0], .partner_id = parts[1], .currency = parts[2]};
}

// Field of a sale account that records one refund applied to the sale.
constexpr absl::string_view kRefundFieldPrefix = "refund:";

void AppendSaleFields(const StoredSale& sale, const std::vector<std::string>& new_refund_ids,
                      std::vector<std::string>& args) {
  const SaleAccount& account = sale.account;
  const std::pair<const char*, std::string> fields[] = {
      {"partner_id", sale.partner_id},
      {"contract_id", sale.contract_id},
      {"period", sale.period},
      {"currency", std::string(account.amount.currency().code)},
      {"amount", absl::StrCat(account.amount.minor_units())},
      {"refunded", absl::StrCat(account.refunded.minor_units())},
      {"commission", absl::StrCat(account.commission.minor_units())},
      {"reversed", absl::StrCat(account.reversed.minor_units())},
      {"rate", account.rate.ToString()},
      {"version", absl::StrCat(sale.version)},
  };
  args.push_back(absl::StrCat(std::size(fields) + new_refund_ids.size()));
  for (const auto& [name, value] : fields) {
    args.push_back(name);
    args.push_back(value);
  }
  for (const std::string& refund_id : new_refund_ids) {
    args.push_back(absl::StrCat(kRefundFieldPrefix, refund_id));
    args.push_back("1");
  }
}

// Appends the lines grouped by (period, partner_id), keeping their order within each group.
void AppendLineGroups(const std::vector<AccrualLine>& lines, std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> keys;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> groups;
  for (const AccrualLine& line : lines) {
    std::pair<std::string, std::string> key{line.period(), line.partner_id()};
    auto [entry, inserted] = groups.try_emplace(key);
    if (inserted) keys.push_back(key);
    entry->second.push_back(line.SerializeAsString());
  }
  args.push_back(absl::StrCat(keys.size()));
  for (const auto& key : keys) {
    std::vector<std::string>& serialized = groups[key];
    args.push_back(key.first);
    args.push_back(key.second);
    args.push_back(absl::StrCat(serialized.size()));
    for (std::string& line : serialized) args.push_back(std::move(line));
  }
}

absl::Status ReadInt(const redis::Reply& hash, const std::string& sale_id, absl::string_view field,
                     int64_t& out) {
  const std::string* text = redis::FindField(hash, field);
  if (text == nullptr || !absl::SimpleAtoi(*text, &out)) {
    return absl::InternalError(
        absl::StrCat("stored sale ", sale_id, " has no integer field ", field));
  }
  return absl::OkStatus();
}

absl::Status CheckReply(const redis::Reply& reply, absl::string_view what) {
  if (reply.is_error()) {
    return absl::InternalError(absl::StrCat("Redis ", what, " failed: ", reply.str));
  }
  return absl::OkStatus();
}

// Accrual page tokens: "<period> <partner_id> <index of the next line>", base64url-encoded.
std::string EncodeAccrualToken(const std::string& period, const std::string& partner_id,
                               int64_t next_index) {
  return absl::WebSafeBase64Escape(absl::StrCat(period, " ", partner_id, " ", next_index));
}

absl::StatusOr<int64_t> DecodeAccrualToken(const std::string& token, const std::string& period,
                                           const std::string& partner_id) {
  const absl::Status invalid =
      InvalidField("page_token", token,
                   "a next_page_token returned by ListAccruals for the same partner and period");
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return invalid;
  std::vector<std::string> parts = absl::StrSplit(text, ' ');
  int64_t index = 0;
  if (parts.size() != 3 || parts[0] != period || parts[1] != partner_id ||
      !absl::SimpleAtoi(parts[2], &index) || index < 0) {
    return invalid;
  }
  return index;
}

absl::StatusOr<std::string> DecodeTotalsToken(const std::string& token) {
  const absl::Status invalid =
      InvalidField("page_token", token, "a next_page_token returned by ListCommissionTotals");
  std::string member;
  if (!absl::WebSafeBase64Unescape(token, &member)) return invalid;
  std::vector<std::string> parts = absl::StrSplit(member, kSeparator);
  if (parts.size() != 3) return invalid;
  if (!CheckMonthLabel("page_token", parts[0]).ok()) return invalid;
  if (!CheckIdentifier("page_token", parts[1]).ok()) return invalid;
  if (money::FindCurrency(parts[2]) == nullptr) return invalid;
  return member;
}

}  // namespace

IncentiveStore::IncentiveStore(redis::Pool& redis, const std::string& redis_namespace,
                               consumer::RetentionOptions retention)
    : redis_(redis),
      prefix_(absl::StrCat(redis_namespace, "incentive:")),
      retention_(std::move(retention)),
      commit_script_(absl::StrCat(consumer::kAdvanceOffsetsLua, kCommitLua)) {}

absl::StatusOr<Snapshot> IncentiveStore::ReadSnapshot(const SnapshotRequest& request) {
  std::vector<redis::Command> commands;
  if (!request.event_ids.empty()) {
    redis::Command command{"SMISMEMBER", prefix_ + "applied"};
    command.insert(command.end(), request.event_ids.begin(), request.event_ids.end());
    commands.push_back(std::move(command));
  }
  if (!request.parking_sale_ids.empty()) {
    redis::Command command{"SMISMEMBER", prefix_ + "parked_sales"};
    command.insert(command.end(), request.parking_sale_ids.begin(), request.parking_sale_ids.end());
    commands.push_back(std::move(command));
  }
  for (const std::string& sale_id : request.refunded_sale_ids) {
    commands.push_back({"HGETALL", SaleKey(sale_id)});
  }
  for (const std::string& sale_id : request.sale_ids) {
    commands.push_back({"EXISTS", SaleKey(sale_id)});
  }
  // A parking is expired when it is at least one retention old.
  const int64_t cutoff_ms = absl::ToUnixMillis(retention_.clock() - retention_.retention);
  commands.push_back({"ZRANGEBYSCORE", prefix_ + "parked_since", "-inf", absl::StrCat(cutoff_ms),
                      "LIMIT", "0", absl::StrCat(kMaxExpiredParkings)});

  Snapshot snapshot;
  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.RunPipeline(commands, "snapshot");
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& reply : *replies) {
    if (absl::Status status = CheckReply(reply, "snapshot read"); !status.ok()) return status;
  }

  size_t next = 0;
  if (!request.event_ids.empty()) {
    const redis::Reply& flags = (*replies)[next++];
    for (size_t i = 0; i < flags.elements.size() && i < request.event_ids.size(); ++i) {
      if (flags.elements[i].integer == 1) snapshot.applied_ids.insert(request.event_ids[i]);
    }
  }
  std::vector<std::string> parked_sale_ids;
  if (!request.parking_sale_ids.empty()) {
    const redis::Reply& flags = (*replies)[next++];
    for (size_t i = 0; i < flags.elements.size() && i < request.parking_sale_ids.size(); ++i) {
      if (flags.elements[i].integer == 1) parked_sale_ids.push_back(request.parking_sale_ids[i]);
    }
  }
  for (const std::string& sale_id : request.refunded_sale_ids) {
    const redis::Reply& hash = (*replies)[next++];
    if (hash.elements.empty()) continue;
    absl::StatusOr<StoredSale> sale = ParseSaleHash(sale_id, hash);
    if (!sale.ok()) return sale.status();
    snapshot.sales.emplace(sale_id, *std::move(sale));
  }
  for (const std::string& sale_id : request.sale_ids) {
    if ((*replies)[next++].integer == 1) snapshot.stored_sale_ids.insert(sale_id);
  }
  for (const redis::Reply& member : (*replies)[next++].elements) {
    snapshot.expired_parkings.push_back(member.str);
    if (std::find(parked_sale_ids.begin(), parked_sale_ids.end(), member.str) ==
        parked_sale_ids.end()) {
      parked_sale_ids.push_back(member.str);
    }
  }

  if (parked_sale_ids.empty()) return snapshot;
  std::vector<redis::Command> parked_commands;
  for (const std::string& sale_id : parked_sale_ids) {
    parked_commands.push_back({"HGETALL", ParkedKey(sale_id)});
  }
  absl::StatusOr<std::vector<redis::Reply>> parked =
      redis_.RunPipeline(parked_commands, "snapshot");
  if (!parked.ok()) return parked.status();
  for (size_t i = 0; i < parked_sale_ids.size(); ++i) {
    const redis::Reply& hash = (*parked)[i];
    if (absl::Status status = CheckReply(hash, "parked refund read"); !status.ok()) return status;
    std::vector<std::tuple<int32_t, int64_t, ParkedRefund>> refunds;
    for (size_t k = 0; k + 1 < hash.elements.size(); k += 2) {
      ParkedRefund refund{hash.elements[k].str, hash.elements[k + 1].str};
      // A malformed record sorts last. The consumer logs it and drops it when its sale arrives.
      absl::StatusOr<ParkingRecord> record = DecodeParkingRecord(refund.record);
      refunds.emplace_back(record.ok() ? record->partition : INT32_MAX,
                           record.ok() ? record->offset : INT64_MAX, std::move(refund));
    }
    // Refunds of one partner share a partition, so offsets give the order they were parked in.
    std::sort(refunds.begin(), refunds.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    std::vector<ParkedRefund>& out = snapshot.parked[parked_sale_ids[i]];
    for (auto& entry : refunds) out.push_back(std::move(std::get<2>(entry)));
  }
  return snapshot;
}

absl::Status IncentiveStore::Commit(const BatchPlan& plan,
                                    const std::vector<std::pair<std::string, int64_t>>& offsets) {
  std::vector<std::string> args = {prefix_, absl::StrCat(absl::ToUnixMillis(retention_.clock())),
                                   absl::StrCat(plan.sale_writes.size())};
  for (const SaleWrite& write : plan.sale_writes) {
    args.push_back(write.sale.sale_id);
    args.push_back(absl::StrCat(write.expected_version));
    AppendSaleFields(write.sale, write.new_refund_ids, args);
  }
  args.push_back(absl::StrCat(plan.parkings.size()));
  for (const ParkingWrite& parking : plan.parkings) {
    args.push_back(parking.original_sale_id);
    args.push_back(parking.refund_id);
    args.push_back(parking.record);
  }
  args.push_back(absl::StrCat(plan.releases.size()));
  for (const ParkingRelease& release : plan.releases) {
    args.push_back(release.original_sale_id);
    args.push_back(absl::StrCat(release.expected_count));
  }
  AppendLineGroups(plan.lines, args);
  args.push_back(absl::StrCat(plan.totals.size()));
  for (const TotalChange& total : plan.totals) {
    args.push_back(TotalsMember(total.period, total.partner_id, total.currency));
    args.push_back(absl::StrCat(total.delta_minor));
  }
  args.push_back(absl::StrCat(offsets.size()));
  for (const auto& [partition, offset] : offsets) {
    args.push_back(partition);
    args.push_back(absl::StrCat(offset));
  }

  absl::StatusOr<redis::Reply> reply = redis_.Eval(commit_script_, {}, args, "commit_batch");
  if (!reply.ok()) return reply.status();
  if (reply->type == redis::Reply::Type::kArray) {
    std::string what = reply->elements.size() > 1 ? reply->elements[1].str : "";
    return absl::AbortedError(
        absl::StrCat("the stored state changed since the batch was read: ", what));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> IncentiveStore::BackfillParkingTimes() {
  redis::Script script(R"lua(
local added = 0
for _, sale_id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  added = added + redis.call('ZADD', KEYS[2], 'NX', ARGV[1], sale_id)
end
return added
)lua");
  absl::StatusOr<redis::Reply> reply =
      redis_.Eval(script, {prefix_ + "parked_sales", prefix_ + "parked_since"},
                  {absl::StrCat(absl::ToUnixMillis(retention_.clock()))}, "backfill_parking_times");
  if (!reply.ok()) return reply.status();
  if (absl::Status status = CheckReply(*reply, "parking time backfill"); !status.ok()) {
    return status;
  }
  return reply->integer;
}

absl::StatusOr<std::map<std::string, int64_t>> IncentiveStore::LoadOffsets() {
  return consumer::LoadOffsetHash(redis_, offsets_key());
}

absl::StatusOr<AccrualPage> IncentiveStore::ListAccruals(const std::string& partner_id,
                                                         const std::string& period, int page_size,
                                                         const std::string& page_token) {
  int64_t start = 0;
  if (!page_token.empty()) {
    absl::StatusOr<int64_t> decoded = DecodeAccrualToken(page_token, period, partner_id);
    if (!decoded.ok()) return decoded.status();
    start = *decoded;
  }

  // One line more than the page shows whether another page follows.
  absl::StatusOr<redis::Reply> reply =
      redis_.Run({"LRANGE", LinesKey(period, partner_id), absl::StrCat(start),
                  absl::StrCat(start + page_size)},
                 "list_accruals");
  if (!reply.ok()) return reply.status();

  AccrualPage page;
  for (const redis::Reply& element : reply->elements) {
    if (static_cast<int>(page.lines.size()) == page_size) break;
    AccrualLine line;
    if (!line.ParseFromString(element.str)) {
      return absl::InternalError(absl::StrCat("stored accrual line ", start + page.lines.size(),
                                              " of partner ", partner_id, " for ", period,
                                              " does not parse"));
    }
    page.lines.push_back(std::move(line));
  }
  if (static_cast<int>(reply->elements.size()) > page_size) {
    page.next_page_token = EncodeAccrualToken(period, partner_id, start + page_size);
  }
  return page;
}

absl::StatusOr<TotalsPage> IncentiveStore::ListCommissionTotals(const std::string& period,
                                                                int page_size,
                                                                const std::string& page_token) {
  std::string min = period.empty() ? "-" : absl::StrCat("[", period, std::string(1, kSeparator));
  std::string max =
      period.empty() ? "+" : absl::StrCat("(", period, std::string(1, kSeparator + 1));
  if (!page_token.empty()) {
    absl::StatusOr<std::string> after = DecodeTotalsToken(page_token);
    if (!after.ok()) return after.status();
    if (!period.empty() && !absl::StartsWith(*after, absl::StrCat(period, " "))) {
      return InvalidField("page_token", page_token,
                          "a token returned by a call with the same period filter");
    }
    min = absl::StrCat("(", *after);
  }

  absl::StatusOr<redis::Reply> members = redis_.Run(
      {"ZRANGEBYLEX", prefix_ + "index", min, max, "LIMIT", "0", absl::StrCat(page_size + 1)},
      "list_totals");
  if (!members.ok()) return members.status();

  TotalsPage page;
  redis::Command read{"HMGET", prefix_ + "totals"};
  for (const redis::Reply& member : members->elements) {
    if (static_cast<int>(page.totals.size()) == page_size) break;
    absl::StatusOr<CommissionTotal> total = ParseTotalsMember(member.str);
    if (!total.ok()) return total.status();
    page.totals.push_back(*std::move(total));
    read.push_back(member.str);
  }
  if (page.totals.empty()) return page;

  absl::StatusOr<redis::Reply> values = redis_.Run(read, "list_totals");
  if (!values.ok()) return values.status();
  for (size_t i = 0; i < page.totals.size(); ++i) {
    const std::string text = i < values->elements.size() ? values->elements[i].str : "";
    if (!absl::SimpleAtoi(text, &page.totals[i].commission_minor)) {
      return absl::InternalError(
          absl::StrCat("stored commission total of ", read[i + 2], " is not an integer"));
    }
  }
  if (static_cast<int>(members->elements.size()) > page_size) {
    const CommissionTotal& last = page.totals.back();
    page.next_page_token =
        absl::WebSafeBase64Escape(TotalsMember(last.period, last.partner_id, last.currency));
  }
  return page;
}

absl::StatusOr<StoredSale> IncentiveStore::GetSale(const std::string& sale_id) {
  absl::StatusOr<redis::Reply> hash = redis_.Run({"HGETALL", SaleKey(sale_id)}, "get_sale");
  if (!hash.ok()) return hash.status();
  if (hash->elements.empty()) {
    return absl::NotFoundError(absl::StrCat("sale ", sale_id, " is not stored"));
  }
  return ParseSaleHash(sale_id, *hash);
}

absl::StatusOr<StoredSale> ParseSaleHash(const std::string& sale_id, const redis::Reply& hash) {
  const std::string* currency_code = redis::FindField(hash, "currency");
  const money::Currency* currency =
      currency_code == nullptr ? nullptr : money::FindCurrency(*currency_code);
  if (currency == nullptr) {
    return absl::InternalError(absl::StrCat("stored sale ", sale_id, " has no known currency"));
  }
  const std::string* rate_text = redis::FindField(hash, "rate");
  absl::StatusOr<money::Rate> rate =
      rate_text == nullptr ? absl::InvalidArgumentError("missing") : money::Rate::Parse(*rate_text);
  if (!rate.ok()) {
    return absl::InternalError(absl::StrCat("stored sale ", sale_id, " has no valid rate"));
  }

  int64_t amount = 0, refunded = 0, commission = 0, reversed = 0, version = 0;
  const std::pair<const char*, int64_t*> numbers[] = {
      {"amount", &amount},     {"refunded", &refunded}, {"commission", &commission},
      {"reversed", &reversed}, {"version", &version},
  };
  for (const auto& [field, value] : numbers) {
    if (absl::Status status = ReadInt(hash, sale_id, field, *value); !status.ok()) return status;
  }
  for (int64_t value : {amount, refunded, commission, reversed}) {
    if (value < -money::Money::kMaxMinorUnits || value > money::Money::kMaxMinorUnits) {
      return absl::InternalError(
          absl::StrCat("stored sale ", sale_id, " has an amount out of range"));
    }
  }

  auto text_field = [&hash](absl::string_view field) {
    const std::string* value = redis::FindField(hash, field);
    return value == nullptr ? std::string() : *value;
  };
  StoredSale sale{.sale_id = sale_id,
                  .partner_id = text_field("partner_id"),
                  .contract_id = text_field("contract_id"),
                  .period = text_field("period"),
                  .account = {.amount = money::Money::FromMinor(amount, *currency),
                              .refunded = money::Money::FromMinor(refunded, *currency),
                              .commission = money::Money::FromMinor(commission, *currency),
                              .reversed = money::Money::FromMinor(reversed, *currency),
                              .rate = *rate},
                  .version = version};
  for (size_t k = 0; k + 1 < hash.elements.size(); k += 2) {
    absl::string_view field = hash.elements[k].str;
    if (absl::ConsumePrefix(&field, kRefundFieldPrefix)) sale.refund_ids.insert(std::string(field));
  }
  return sale;
}

std::string EncodeParkingRecord(int32_t partition, int64_t offset, const std::string& payload) {
  return absl::StrCat(partition, ":", offset, ":", payload);
}

absl::StatusOr<ParkingRecord> DecodeParkingRecord(const std::string& record) {
  const size_t first = record.find(':');
  const size_t second = first == std::string::npos ? first : record.find(':', first + 1);
  ParkingRecord decoded;
  if (second == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(record).substr(0, first), &decoded.partition) ||
      !absl::SimpleAtoi(absl::string_view(record).substr(first + 1, second - first - 1),
                        &decoded.offset)) {
    return absl::InternalError("a parked refund record is malformed");
  }
  decoded.payload = record.substr(second + 1);
  return decoded;
}

}  // namespace consort::incentive
