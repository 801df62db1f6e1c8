#include "performance/performance_store.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "common/validation.h"
#include "consumer/offset_store.h"

namespace consort::performance {
namespace {

// ARGV: prefix, scores topic, apply time, retention cutoff and expiry time of the dedup sets (all
// Unix milliseconds), record count, then per record:
//   period, partner_id, expected version, field count F, F (name, value) pairs,
//   id count I, I event ids, order count O, O order ids, serialized ScoreEvent,
// then offset count N and N ("topic:partition", next offset) pairs.
// An applied id scored at or before the cutoff no longer counts. Returns the number of such ids
// that the script trimmed, or {"conflict", what} when the snapshot is stale.
// advance_offsets comes from consumer::kAdvanceOffsetsLua, which is put before this text.
constexpr char kCommitLua[] = R"lua(
local prefix = ARGV[1]
local topic = ARGV[2]
local now = ARGV[3]
local cutoff = tonumber(ARGV[4])
local expire_at = ARGV[5]
local count = tonumber(ARGV[6])

local function add_members(key, first, n)
  local i = first
  local last = first + n - 1
  while i <= last do
    local stop = math.min(i + 499, last)
    redis.call('SADD', key, unpack(ARGV, i, stop))
    i = stop + 1
  end
end

local function add_scored(key, first, n)
  local i = first
  local last = first + n - 1
  while i <= last do
    local stop = math.min(i + 499, last)
    local args = {}
    for k = i, stop do
      args[#args + 1] = now
      args[#args + 1] = ARGV[k]
    end
    redis.call('ZADD', key, unpack(args))
    i = stop + 1
  end
end

-- Returns the first of ARGV[first..last] that the partner applied within the retention, or
-- that the set written by older releases records.
local function find_applied(partner, first, last)
  local scores = redis.call('ZMSCORE', prefix .. 'dedup:' .. partner, unpack(ARGV, first, last))
  for k = 1, #scores do
    if scores[k] and tonumber(scores[k]) > cutoff then return ARGV[first + k - 1] end
  end
  local flags = redis.call('SMISMEMBER', prefix .. 'seen:' .. partner, unpack(ARGV, first, last))
  for k = 1, #flags do
    if flags[k] == 1 then return ARGV[first + k - 1] end
  end
  return nil
end

-- First pass: reject the whole batch when the snapshot it was computed from is stale.
local pos = 7
for r = 1, count do
  local period, partner, expected = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2]
  local card = prefix .. 'sc:' .. period .. ':' .. partner
  local current = redis.call('HGET', card, 'version') or '0'
  if current ~= expected then return {'conflict', card} end
  pos = pos + 4 + 2 * tonumber(ARGV[pos + 3])
  local ids = tonumber(ARGV[pos])
  local first = pos + 1
  while first <= pos + ids do
    local last = math.min(first + 499, pos + ids)
    local applied = find_applied(partner, first, last)
    if applied then return {'conflict', applied} end
    first = last + 1
  end
  pos = pos + 1 + ids
  pos = pos + 2 + tonumber(ARGV[pos])
end

-- Second pass: write.
local touched = {}
pos = 7
for r = 1, count do
  local period, partner, expected = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2]
  local suffix = period .. ':' .. partner
  local card = prefix .. 'sc:' .. suffix
  local fields = tonumber(ARGV[pos + 3])
  redis.call('HSET', card, unpack(ARGV, pos + 4, pos + 3 + 2 * fields))
  if expected == '0' then
    redis.call('ZADD', prefix .. 'index', 0, period .. ' ' .. partner)
  end
  pos = pos + 4 + 2 * fields
  local ids = tonumber(ARGV[pos])
  if ids > 0 then
    add_scored(prefix .. 'dedup:' .. partner, pos + 1, ids)
    touched[partner] = true
  end
  pos = pos + 1 + ids
  local orders = tonumber(ARGV[pos])
  add_members(prefix .. 'orders:' .. suffix, pos + 1, orders)
  pos = pos + 1 + orders
  redis.call('XADD', prefix .. 'outbox', '*', 'topic', topic, 'key', partner,
             'payload', ARGV[pos])
  pos = pos + 1
end

local trimmed = 0
for partner in pairs(touched) do
  local key = prefix .. 'dedup:' .. partner
  trimmed = trimmed + redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[4])
  redis.call('PEXPIREAT', key, expire_at)
end

advance_offsets(prefix .. 'offsets', pos + 1, tonumber(ARGV[pos]))
return trimmed
)lua";

// Separates period and partner id in index members. A space sorts before every character that
// a period or an identifier may contain, so members order by period, then partner id.
constexpr char kIndexSeparator = ' ';

std::string IndexMember(const ScorecardKey& key) {
  return absl::StrCat(key.period, std::string(1, kIndexSeparator), key.partner_id);
}

absl::StatusOr<ScorecardKey> ParseIndexMember(absl::string_view member) {
  std::vector<std::string> parts = absl::StrSplit(member, kIndexSeparator);
  if (parts.size() != 2) {
    return absl::InternalError(absl::StrCat("malformed scorecard index member \"", member, "\""));
  }
  return ScorecardKey{parts[0], parts[1]};
}

void AppendTotalsFields(const ScorecardTotals& totals, std::vector<std::string>& args) {
  const std::pair<const char*, std::string> fields[] = {
      {"currency", totals.currency},
      {"contract_id", totals.contract_id},
      {"gross", absl::StrCat(totals.gross_minor)},
      {"refunds", absl::StrCat(totals.refunds_minor)},
      {"orders", absl::StrCat(totals.orders)},
      {"items", absl::StrCat(totals.items)},
      {"feedback", absl::StrCat(totals.feedback_count)},
      {"rating_sum", absl::StrCat(totals.rating_sum)},
      {"complaints", absl::StrCat(totals.complaints)},
      {"target", absl::StrCat(totals.target_minor)},
      {"version", absl::StrCat(totals.version)},
      {"update_ms", absl::StrCat(absl::ToUnixMillis(totals.update_time))},
  };
  args.push_back(absl::StrCat(std::size(fields)));
  for (const auto& [name, value] : fields) {
    args.push_back(name);
    args.push_back(value);
  }
}

void AppendList(const std::vector<std::string>& values, std::vector<std::string>& args) {
  args.push_back(absl::StrCat(values.size()));
  args.insert(args.end(), values.begin(), values.end());
}

absl::Status ParseInt(const redis::Reply& hash, absl::string_view field, int64_t& out) {
  const std::string* text = redis::FindField(hash, field);
  if (text == nullptr) {
    out = 0;
    return absl::OkStatus();
  }
  if (!absl::SimpleAtoi(*text, &out)) {
    return absl::InternalError(
        absl::StrCat("stored scorecard field ", field, " is not an integer: \"", *text, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

PerformanceStore::PerformanceStore(redis::Pool& redis, const std::string& redis_namespace,
                                   std::string scores_topic, consumer::RetentionOptions retention)
    : redis_(redis),
      prefix_(absl::StrCat(redis_namespace, "performance:")),
      scores_topic_(std::move(scores_topic)),
      retention_(std::move(retention)),
      commit_script_(absl::StrCat(consumer::kAdvanceOffsetsLua, kCommitLua)) {}

std::string PerformanceStore::ScorecardHashKey(const ScorecardKey& key) const {
  return absl::StrCat(prefix_, "sc:", key.period, ":", key.partner_id);
}

absl::StatusOr<Snapshot> PerformanceStore::ReadSnapshot(const SnapshotRequest& request) {
  std::vector<redis::Command> commands;
  commands.reserve(request.scorecards.size() + 2 * request.event_ids.size() +
                   request.order_ids.size());
  for (const ScorecardKey& key : request.scorecards) {
    commands.push_back({"HGETALL", ScorecardHashKey(key)});
  }
  // Per partner: the scores of the ids in the dedup set, then their flags in the older set.
  std::vector<const std::pair<const std::string, std::vector<std::string>>*> id_requests;
  for (const auto& entry : request.event_ids) {
    redis::Command scores{"ZMSCORE", absl::StrCat(prefix_, "dedup:", entry.first)};
    scores.insert(scores.end(), entry.second.begin(), entry.second.end());
    commands.push_back(std::move(scores));
    redis::Command flags{"SMISMEMBER", absl::StrCat(prefix_, "seen:", entry.first)};
    flags.insert(flags.end(), entry.second.begin(), entry.second.end());
    commands.push_back(std::move(flags));
    id_requests.push_back(&entry);
  }
  std::vector<const std::pair<const ScorecardKey, std::vector<std::string>>*> order_requests;
  for (const auto& entry : request.order_ids) {
    redis::Command command{"SMISMEMBER", absl::StrCat(prefix_, "orders:", entry.first.period, ":",
                                                      entry.first.partner_id)};
    command.insert(command.end(), entry.second.begin(), entry.second.end());
    commands.push_back(std::move(command));
    order_requests.push_back(&entry);
  }

  Snapshot snapshot;
  if (commands.empty()) return snapshot;
  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.RunPipeline(commands, "snapshot");
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& reply : *replies) {
    if (reply.is_error()) {
      return absl::InternalError(absl::StrCat("Redis snapshot read failed: ", reply.str));
    }
  }

  size_t next = 0;
  for (const ScorecardKey& key : request.scorecards) {
    absl::StatusOr<ScorecardTotals> totals = ParseScorecardHash(key, (*replies)[next++]);
    if (!totals.ok()) return totals.status();
    snapshot.scorecards[key] = *std::move(totals);
  }
  const int64_t cutoff_ms = absl::ToUnixMillis(retention_.clock() - retention_.retention);
  for (const auto* entry : id_requests) {
    const redis::Reply& scores = (*replies)[next++];
    const redis::Reply& flags = (*replies)[next++];
    for (size_t i = 0; i < entry->second.size(); ++i) {
      int64_t applied_ms = 0;
      const bool recent = i < scores.elements.size() && !scores.elements[i].is_nil() &&
                          absl::SimpleAtoi(scores.elements[i].str, &applied_ms) &&
                          applied_ms > cutoff_ms;
      const bool recorded_before = i < flags.elements.size() && flags.elements[i].integer == 1;
      if (recent || recorded_before) snapshot.seen_events.emplace(entry->first, entry->second[i]);
    }
  }
  for (const auto* entry : order_requests) {
    const redis::Reply& flags = (*replies)[next++];
    for (size_t i = 0; i < flags.elements.size() && i < entry->second.size(); ++i) {
      if (flags.elements[i].integer == 1) {
        snapshot.known_orders.emplace(entry->first, entry->second[i]);
      }
    }
  }
  return snapshot;
}

absl::StatusOr<int64_t> PerformanceStore::Commit(
    const std::vector<ScorecardWrite>& writes,
    const std::vector<std::pair<std::string, int64_t>>& offsets) {
  const absl::Time now = retention_.clock();
  std::vector<std::string> args = {prefix_,
                                   scores_topic_,
                                   absl::StrCat(absl::ToUnixMillis(now)),
                                   absl::StrCat(absl::ToUnixMillis(now - retention_.retention)),
                                   absl::StrCat(absl::ToUnixMillis(now + retention_.retention)),
                                   absl::StrCat(writes.size())};
  for (const ScorecardWrite& write : writes) {
    args.push_back(write.totals.period);
    args.push_back(write.totals.partner_id);
    args.push_back(absl::StrCat(write.expected_version));
    AppendTotalsFields(write.totals, args);
    AppendList(write.event_ids, args);
    AppendList(write.new_order_ids, args);
    args.push_back(write.score_event);
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
  return reply->integer;
}

absl::StatusOr<std::map<std::string, int64_t>> PerformanceStore::LoadOffsets() {
  return consumer::LoadOffsetHash(redis_, offsets_key());
}

absl::StatusOr<std::vector<ScorecardTotals>> PerformanceStore::ReadScorecards(
    const std::vector<ScorecardKey>& keys, bool skip_missing) {
  std::vector<ScorecardTotals> result;
  if (keys.empty()) return result;
  std::vector<redis::Command> commands;
  commands.reserve(keys.size());
  for (const ScorecardKey& key : keys) commands.push_back({"HGETALL", ScorecardHashKey(key)});
  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.RunPipeline(commands, "read");
  if (!replies.ok()) return replies.status();

  result.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const redis::Reply& reply = (*replies)[i];
    if (reply.is_error()) {
      return absl::InternalError(absl::StrCat("Redis read failed: ", reply.str));
    }
    if (reply.elements.empty() && skip_missing) continue;
    absl::StatusOr<ScorecardTotals> totals = ParseScorecardHash(keys[i], reply);
    if (!totals.ok()) return totals.status();
    result.push_back(*std::move(totals));
  }
  return result;
}

absl::StatusOr<ScorecardTotals> PerformanceStore::GetScorecard(const std::string& partner_id,
                                                               const std::string& period) {
  ScorecardKey key{period, partner_id};
  absl::StatusOr<std::vector<ScorecardTotals>> found = ReadScorecards({key}, /*skip_missing=*/true);
  if (!found.ok()) return found.status();
  if (found->empty()) {
    return absl::NotFoundError(
        absl::StrCat("partner ", partner_id, " has no scorecard for ", period));
  }
  return std::move(found->front());
}

absl::StatusOr<std::vector<ScorecardTotals>> PerformanceStore::ListPeriod(
    const std::string& period) {
  absl::StatusOr<redis::Reply> members =
      redis_.Run({"ZRANGEBYLEX", absl::StrCat(prefix_, "index"),
                  absl::StrCat("[", period, std::string(1, kIndexSeparator)),
                  absl::StrCat("(", period, std::string(1, kIndexSeparator + 1))},
                 "list_period");
  if (!members.ok()) return members.status();
  std::vector<ScorecardKey> keys;
  keys.reserve(members->elements.size());
  for (const redis::Reply& member : members->elements) {
    absl::StatusOr<ScorecardKey> key = ParseIndexMember(member.str);
    if (!key.ok()) return key.status();
    keys.push_back(*std::move(key));
  }
  return ReadScorecards(keys, /*skip_missing=*/true);
}

absl::StatusOr<ScorecardPage> PerformanceStore::ListScorecards(const std::string& period,
                                                               int page_size,
                                                               const std::string& page_token) {
  std::string min =
      period.empty() ? "-" : absl::StrCat("[", period, std::string(1, kIndexSeparator));
  std::string max =
      period.empty() ? "+" : absl::StrCat("(", period, std::string(1, kIndexSeparator + 1));
  if (!page_token.empty()) {
    absl::StatusOr<ScorecardKey> after = DecodePageToken(page_token);
    if (!after.ok()) return after.status();
    if (!period.empty() && after->period != period) {
      return InvalidField("page_token", page_token,
                          "a token returned by a call with the same period filter");
    }
    min = absl::StrCat("(", IndexMember(*after));
  }

  absl::StatusOr<redis::Reply> members =
      redis_.Run({"ZRANGEBYLEX", absl::StrCat(prefix_, "index"), min, max, "LIMIT", "0",
                  absl::StrCat(page_size + 1)},
                 "list_scorecards");
  if (!members.ok()) return members.status();

  std::vector<ScorecardKey> keys;
  for (const redis::Reply& member : members->elements) {
    if (static_cast<int>(keys.size()) == page_size) break;
    absl::StatusOr<ScorecardKey> key = ParseIndexMember(member.str);
    if (!key.ok()) return key.status();
    keys.push_back(*std::move(key));
  }

  ScorecardPage page;
  absl::StatusOr<std::vector<ScorecardTotals>> scorecards =
      ReadScorecards(keys, /*skip_missing=*/true);
  if (!scorecards.ok()) return scorecards.status();
  page.scorecards = *std::move(scorecards);
  if (static_cast<int>(members->elements.size()) > page_size && !keys.empty()) {
    page.next_page_token = EncodePageToken(keys.back());
  }
  return page;
}

absl::StatusOr<ScorecardTotals> ParseScorecardHash(const ScorecardKey& key,
                                                   const redis::Reply& hash) {
  ScorecardTotals totals;
  totals.period = key.period;
  totals.partner_id = key.partner_id;
  if (const std::string* currency = redis::FindField(hash, "currency")) {
    totals.currency = *currency;
  }
  if (const std::string* contract_id = redis::FindField(hash, "contract_id")) {
    totals.contract_id = *contract_id;
  }

  int64_t update_ms = 0;
  const std::pair<const char*, int64_t*> numbers[] = {
      {"gross", &totals.gross_minor},       {"refunds", &totals.refunds_minor},
      {"orders", &totals.orders},           {"items", &totals.items},
      {"feedback", &totals.feedback_count}, {"rating_sum", &totals.rating_sum},
      {"complaints", &totals.complaints},   {"target", &totals.target_minor},
      {"version", &totals.version},         {"update_ms", &update_ms},
  };
  for (const auto& [field, value] : numbers) {
    if (absl::Status status = ParseInt(hash, field, *value); !status.ok()) return status;
  }
  totals.update_time = absl::FromUnixMillis(update_ms);
  return totals;
}

std::string EncodePageToken(const ScorecardKey& key) {
  return absl::WebSafeBase64Escape(IndexMember(key));
}

absl::StatusOr<ScorecardKey> DecodePageToken(const std::string& token) {
  const absl::Status invalid =
      InvalidField("page_token", token, "a next_page_token returned by ListScorecards");
  std::string member;
  if (!absl::WebSafeBase64Unescape(token, &member)) return invalid;
  std::vector<std::string> parts = absl::StrSplit(member, kIndexSeparator);
  if (parts.size() != 2) return invalid;
  if (!CheckMonthLabel("page_token", parts[0]).ok()) return invalid;
  if (!CheckIdentifier("page_token", parts[1]).ok()) return invalid;
  return ScorecardKey{parts[0], parts[1]};
}

}  // namespace consort::performance
