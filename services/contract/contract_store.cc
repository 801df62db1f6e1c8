#include "services/contract/contract_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "money/money.h"
#include "outbox/outbox_relay.h"

namespace consort::contract {
namespace {

constexpr char kStatusDraft[] = "DRAFT";
constexpr char kStatusActive[] = "ACTIVE";

// KEYS: contract hash, partner index. ARGV: serialized contract, status, partner id, contract id.
// Returns {1} when stored, {0, stored contract} when the id exists.
redis::Script& CreateScript() {
  static redis::Script script(R"lua(
local stored = redis.call('HGET', KEYS[1], 'proto')
if stored then return {0, stored} end
redis.call('HSET', KEYS[1], 'proto', ARGV[1], 'status', ARGV[2], 'partner_id', ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[4])
return {1}
)lua");
  return script;
}

// KEYS: contract hash, partner's active hash, outbox stream. ARGV: contract id, serialized ACTIVE
// contract, topic, serialized event. Returns {1} when activated, {2, stored contract} when it was
// ACTIVE already, {0} when the contract does not exist.
redis::Script& ActivateScript() {
  static redis::Script script([] {
    auto append = absl::ParsedFormat<'s', 's', 's', 's'>::New(outbox::kAppendLua);
    return absl::StrCat(R"lua(
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {0} end
if status == 'ACTIVE' then return {2, redis.call('HGET', KEYS[1], 'proto')} end
redis.call('HSET', KEYS[1], 'proto', ARGV[2], 'status', 'ACTIVE')
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
)lua",
                        absl::StrFormat(*append, "KEYS[3]", "ARGV[3]", "ARGV[1]", "ARGV[4]"),
                        "\nreturn {1}\n");
  }());
  return script;
}

absl::StatusOr<v1::Contract> ParseContract(const std::string& bytes, absl::string_view key) {
  v1::Contract contract;
  if (!contract.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("stored contract at ", key, " cannot be parsed"));
  }
  return contract;
}

absl::StatusOr<std::string> BuildContractEvent(const v1::Contract& contract, absl::Time now) {
  auto target = money::Money::Parse(contract.monthly_target().amount(), contract.currency());
  if (!target.ok()) return target.status();

  events::v1::ContractEvent event;
  auto* meta = event.mutable_meta();
  meta->set_event_id(NewEventId());
  *meta->mutable_event_time() = contract.activate_time();
  *meta->mutable_record_time() = ToProtoTimestamp(now);
  meta->set_producer("contract");
  event.set_contract_id(contract.contract_id());
  event.set_partner_id(contract.partner_id());
  event.set_status(contract.status());
  event.set_currency(contract.currency());
  event.set_time_zone(contract.time_zone());
  event.set_monthly_target_minor(target->minor_units());
  event.set_commission_rate(contract.commission_rate());
  *event.mutable_regions() = contract.regions();
  event.set_all_product_categories(contract.all_product_categories());
  *event.mutable_product_categories() = contract.product_categories();
  *event.mutable_channels() = contract.channels();
  return event.SerializeAsString();
}

const redis::Reply* ArrayElement(const redis::Reply& reply, size_t index) {
  if (reply.type != redis::Reply::Type::kArray || index >= reply.elements.size()) return nullptr;
  return &reply.elements[index];
}

absl::Status UnexpectedReply(absl::string_view script) {
  return absl::InternalError(
      absl::StrCat("Redis script ", script, " returned an unexpected reply"));
}

}  // namespace

ContractStore::ContractStore(redis::Pool& redis, std::string key_namespace,
                             std::string contracts_topic)
    : redis_(redis),
      prefix_(absl::StrCat(key_namespace, "contract:")),
      contracts_topic_(std::move(contracts_topic)),
      outbox_key_(absl::StrCat(prefix_, "outbox")) {}

std::string ContractStore::ContractKey(const std::string& contract_id) const {
  return absl::StrCat(prefix_, "c:", contract_id);
}

std::string ContractStore::PartnerIndexKey(const std::string& partner_id) const {
  return absl::StrCat(prefix_, "partner:", partner_id, ":all");
}

std::string ContractStore::ActiveKey(const std::string& partner_id) const {
  return absl::StrCat(prefix_, "partner:", partner_id, ":active");
}

absl::StatusOr<CreateResult> ContractStore::Create(const v1::Contract& contract) {
  auto reply = redis_.Eval(
      CreateScript(), {ContractKey(contract.contract_id()), PartnerIndexKey(contract.partner_id())},
      {contract.SerializeAsString(), kStatusDraft, contract.partner_id(), contract.contract_id()},
      "contract_create");
  if (!reply.ok()) return reply.status();

  const redis::Reply* outcome = ArrayElement(*reply, 0);
  if (outcome == nullptr) return UnexpectedReply("contract_create");
  if (outcome->integer == 1) return CreateResult{contract, true};

  const redis::Reply* stored = ArrayElement(*reply, 1);
  if (stored == nullptr) return UnexpectedReply("contract_create");
  auto existing = ParseContract(stored->str, ContractKey(contract.contract_id()));
  if (!existing.ok()) return existing.status();
  return CreateResult{*std::move(existing), false};
}

absl::StatusOr<v1::Contract> ContractStore::Get(const std::string& contract_id) {
  const std::string key = ContractKey(contract_id);
  auto reply = redis_.Run({"HGET", key, "proto"}, "contract_get");
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) {
    return absl::NotFoundError(absl::StrCat("contract ", Quote(contract_id), " not found"));
  }
  return ParseContract(reply->str, key);
}

absl::StatusOr<ContractPage> ContractStore::List(const std::string& partner_id, int page_size,
                                                 const std::string& after_contract_id) {
  const std::string min = after_contract_id.empty() ? "-" : absl::StrCat("(", after_contract_id);
  auto ids = redis_.Run({"ZRANGEBYLEX", PartnerIndexKey(partner_id), min, "+", "LIMIT", "0",
                         absl::StrCat(page_size + 1)},
                        "contract_list");
  if (!ids.ok()) return ids.status();

  ContractPage page;
  const bool more = ids->elements.size() > static_cast<size_t>(page_size);
  const size_t count = more ? page_size : ids->elements.size();
  if (count == 0) return page;

  std::vector<redis::Command> reads;
  reads.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    reads.push_back({"HGET", ContractKey(ids->elements[i].str), "proto"});
  }
  auto replies = redis_.RunPipeline(reads, "contract_list");
  if (!replies.ok()) return replies.status();

  for (size_t i = 0; i < count; ++i) {
    const redis::Reply& reply = (*replies)[i];
    if (reply.is_error())
      return absl::InternalError(absl::StrCat("Redis HGET failed: ", reply.str));
    // One script writes the index entry and the hash. A missing hash means that someone removed
    // the key by hand, so the page skips it rather than failing.
    if (reply.is_nil()) continue;
    auto contract = ParseContract(reply.str, reads[i][1]);
    if (!contract.ok()) return contract.status();
    page.contracts.push_back(*std::move(contract));
  }
  if (more) page.next_page_token = ids->elements[count - 1].str;
  return page;
}

absl::StatusOr<ActivateResult> ContractStore::Activate(const std::string& contract_id,
                                                       absl::Time now) {
  auto stored = Get(contract_id);
  if (!stored.ok()) return stored.status();
  if (stored->status() == v1::CONTRACT_STATUS_ACTIVE) return ActivateResult{*std::move(stored)};

  v1::Contract active = *std::move(stored);
  active.set_status(v1::CONTRACT_STATUS_ACTIVE);
  *active.mutable_activate_time() = ToProtoTimestamp(now);
  auto event = BuildContractEvent(active, now);
  if (!event.ok()) return event.status();

  auto reply = redis_.Eval(
      ActivateScript(), {ContractKey(contract_id), ActiveKey(active.partner_id()), outbox_key_},
      {contract_id, active.SerializeAsString(), contracts_topic_, *event}, "contract_activate");
  if (!reply.ok()) return reply.status();

  const redis::Reply* outcome = ArrayElement(*reply, 0);
  if (outcome == nullptr) return UnexpectedReply("contract_activate");
  switch (outcome->integer) {
    case 1:
      return ActivateResult{std::move(active), true};
    case 2: {
      // Another call activated the contract between the read and the script.
      const redis::Reply* current = ArrayElement(*reply, 1);
      if (current == nullptr) return UnexpectedReply("contract_activate");
      auto contract = ParseContract(current->str, ContractKey(contract_id));
      if (!contract.ok()) return contract.status();
      return ActivateResult{*std::move(contract), false};
    }
    default:
      return absl::NotFoundError(absl::StrCat("contract ", Quote(contract_id), " not found"));
  }
}

absl::StatusOr<absl::flat_hash_map<std::string, std::vector<v1::Contract>>>
ContractStore::ActiveContracts(absl::Span<const std::string> partner_ids) {
  absl::flat_hash_map<std::string, std::vector<v1::Contract>> active;
  if (partner_ids.empty()) return active;

  std::vector<redis::Command> reads;
  reads.reserve(partner_ids.size());
  for (const std::string& partner_id : partner_ids)
    reads.push_back({"HVALS", ActiveKey(partner_id)});
  auto replies = redis_.RunPipeline(reads, "contract_active");
  if (!replies.ok()) return replies.status();

  for (size_t i = 0; i < partner_ids.size(); ++i) {
    const redis::Reply& reply = (*replies)[i];
    if (reply.is_error()) {
      return absl::InternalError(absl::StrCat("Redis HVALS failed: ", reply.str));
    }
    if (reply.elements.empty()) continue;
    std::vector<v1::Contract>& contracts = active[partner_ids[i]];
    contracts.reserve(reply.elements.size());
    for (const redis::Reply& element : reply.elements) {
      auto contract = ParseContract(element.str, reads[i][1]);
      if (!contract.ok()) return contract.status();
      contracts.push_back(*std::move(contract));
    }
  }
  return active;
}

}  // namespace consort::contract
