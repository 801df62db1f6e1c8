#include "partner/partner_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "outbox/outbox_relay.h"

namespace consort::partner {
namespace {

constexpr int kUpdateAttempts = 5;

// KEYS: 1 partner hash, 2 id set, 3 outbox stream. ARGV: 1 partner_id, 2 status name,
// 3 serialized partner, 4 partner topic, 5 serialized PartnerEvent.
// Returns {1, proto} when created, {0, stored proto} when the id exists.
std::string CreateScript() {
  return absl::StrCat(R"lua(
local stored = redis.call('HGET', KEYS[1], 'proto')
if stored then
  return {0, stored}
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'proto', ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
)lua",
                      absl::StrFormat(outbox::kAppendLua, "KEYS[3]", "ARGV[4]", "ARGV[1]", "ARGV[5]"),
                      "\nreturn {1, ARGV[3]}\n");
}

// KEYS: 1 partner hash, 2 outbox stream. ARGV: 1 proto read before, 2 new status name,
// 3 new proto, 4 partner topic, 5 partner_id, 6 serialized PartnerEvent.
// Returns 1 when replaced, 0 when the partner changed since it was read, -1 when it is gone.
std::string ReplaceScript() {
  return absl::StrCat(R"lua(
local stored = redis.call('HGET', KEYS[1], 'proto')
if not stored then
  return -1
end
if stored ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'proto', ARGV[3])
)lua",
                      absl::StrFormat(outbox::kAppendLua, "KEYS[2]", "ARGV[4]", "ARGV[5]", "ARGV[6]"),
                      "\nreturn 1\n");
}

// Serializes the event that announces `partner` as it is after a create or an update.
std::string PartnerEventPayload(const v1::Partner& partner, bool created, absl::Time now) {
  events::v1::PartnerEvent event;
  events::v1::EventMeta* meta = event.mutable_meta();
  meta->set_event_id(NewEventId());
  *meta->mutable_event_time() = partner.update_time();
  *meta->mutable_record_time() = ToProtoTimestamp(now);
  meta->set_producer("partner");
  *event.mutable_partner() = partner;
  event.set_created(created);
  return event.SerializeAsString();
}

absl::StatusOr<v1::Partner> ParsePartner(const std::string& bytes, const std::string& id) {
  v1::Partner partner;
  if (!partner.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("stored partner ", id, " cannot be parsed"));
  }
  return partner;
}

absl::Status NotFound(const std::string& partner_id) {
  return absl::NotFoundError(absl::StrCat("partner ", partner_id, " was not found"));
}

}  // namespace

PartnerStore::PartnerStore(redis::Pool& redis, PartnerKeys keys, std::string partners_topic)
    : redis_(redis),
      keys_(std::move(keys)),
      partners_topic_(std::move(partners_topic)),
      create_script_(CreateScript()),
      replace_script_(ReplaceScript()) {}

absl::StatusOr<PartnerStore::CreateResult> PartnerStore::Create(const v1::Partner& partner) {
  auto reply = redis_.Eval(create_script_,
                           {keys_.Partner(partner.partner_id()), keys_.PartnerIds(), keys_.Outbox()},
                           {partner.partner_id(), v1::PartnerStatus_Name(partner.status()),
                            partner.SerializeAsString(), partners_topic_,
                            PartnerEventPayload(partner, /*created=*/true, absl::Now())},
                           "partner_create");
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2) {
    return absl::InternalError("partner create script returned an unexpected reply");
  }
  auto stored = ParsePartner(reply->elements[1].str, partner.partner_id());
  if (!stored.ok()) return stored.status();
  return CreateResult{*std::move(stored), reply->elements[0].integer == 1};
}

absl::StatusOr<std::string> PartnerStore::ReadRaw(const std::string& partner_id) {
  auto reply = redis_.Run({"HGET", keys_.Partner(partner_id), "proto"}, "partner_get");
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return NotFound(partner_id);
  return std::move(reply->str);
}

absl::StatusOr<v1::Partner> PartnerStore::Get(const std::string& partner_id) {
  auto raw = ReadRaw(partner_id);
  if (!raw.ok()) return raw.status();
  return ParsePartner(*raw, partner_id);
}

absl::StatusOr<PartnerStore::Page> PartnerStore::List(const std::string& after, int page_size) {
  // Reading one id more than the page shows whether another page follows.
  auto ids = redis_.Run({"ZRANGEBYLEX", keys_.PartnerIds(), after.empty() ? "-" : "(" + after, "+",
                         "LIMIT", "0", absl::StrCat(page_size + 1)},
                        "partner_list");
  if (!ids.ok()) return ids.status();

  Page page;
  const size_t count = std::min<size_t>(ids->elements.size(), page_size);
  if (count == 0) return page;
  std::vector<redis::Command> reads;
  reads.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    reads.push_back({"HGET", keys_.Partner(ids->elements[i].str), "proto"});
  }
  auto protos = redis_.RunPipeline(reads, "partner_list");
  if (!protos.ok()) return protos.status();
  for (size_t i = 0; i < count; ++i) {
    const redis::Reply& reply = (*protos)[i];
    if (reply.is_error())
      return absl::InternalError(absl::StrCat("Redis HGET failed: ", reply.str));
    if (reply.is_nil()) continue;
    auto partner = ParsePartner(reply.str, ids->elements[i].str);
    if (!partner.ok()) return partner.status();
    page.partners.push_back(*std::move(partner));
  }
  if (ids->elements.size() > count) page.next_after = ids->elements[count - 1].str;
  return page;
}

absl::StatusOr<v1::Partner> PartnerStore::Update(const std::string& partner_id,
                                                 const Mutation& mutation) {
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto raw = ReadRaw(partner_id);
    if (!raw.ok()) return raw.status();
    auto stored = ParsePartner(*raw, partner_id);
    if (!stored.ok()) return stored.status();
    auto updated = mutation(*stored);
    if (!updated.ok()) return updated.status();

    auto reply = redis_.Eval(replace_script_, {keys_.Partner(partner_id), keys_.Outbox()},
                             {*raw, v1::PartnerStatus_Name(updated->status()),
                              updated->SerializeAsString(), partners_topic_, partner_id,
                              PartnerEventPayload(*updated, /*created=*/false, absl::Now())},
                             "partner_update");
    if (!reply.ok()) return reply.status();
    if (reply->integer == 1) return updated;
    if (reply->integer == -1) return NotFound(partner_id);
  }
  return absl::AbortedError(
      absl::StrCat("partner ", partner_id, " kept changing while it was updated; retry"));
}

}  // namespace consort::partner
