#include "services/communication/feedback_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "common/time_util.h"
#include "outbox/outbox_relay.h"
#include "services/communication/feedback_validation.h"

namespace consort::communication {
namespace {

// Microseconds from 0001-01-01T00:00:00Z, the earliest protobuf Timestamp, to the Unix epoch.
constexpr int64_t kEpochOffsetMicros = 62135596800LL * 1000000;
constexpr size_t kTimeKeyDigits = 18;

// KEYS: feedback key, partner index, outbox stream. ARGV: serialized feedback, index member,
// topic, event key, serialized event. Returns {1} when recorded, {0, stored feedback} when the
// feedback id was recorded before.
redis::Script& RecordScript() {
  static redis::Script script([] {
    auto append = absl::ParsedFormat<'s', 's', 's', 's'>::New(outbox::kAppendLua);
    return absl::StrCat(R"lua(
local stored = redis.call('GET', KEYS[1])
if stored then return {0, stored} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
)lua",
                        absl::StrFormat(*append, "KEYS[3]", "ARGV[3]", "ARGV[4]", "ARGV[5]"),
                        "\nreturn {1}\n");
  }());
  return script;
}

absl::StatusOr<v1::Feedback> ParseFeedback(const std::string& bytes, absl::string_view key) {
  v1::Feedback feedback;
  if (!feedback.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("stored feedback at ", key, " cannot be parsed"));
  }
  return feedback;
}

// Returns the feedback id of an index member, or an error when `member` is not one.
absl::StatusOr<std::string> FeedbackIdOf(absl::string_view member) {
  const bool shaped = member.size() > kTimeKeyDigits + 1 &&
                      member.size() <= kTimeKeyDigits + 1 + kMaxFeedbackIdLength &&
                      member[kTimeKeyDigits] == ':' &&
                      std::all_of(member.begin(), member.begin() + kTimeKeyDigits,
                                  [](char c) { return absl::ascii_isdigit(c); });
  if (!shaped) {
    return InvalidField("page_token", member, "expected the next_page_token of a previous page");
  }
  return std::string(member.substr(kTimeKeyDigits + 1));
}

}  // namespace

FeedbackStore::FeedbackStore(redis::Pool& redis, std::string key_namespace,
                             std::string feedback_topic)
    : redis_(redis),
      prefix_(absl::StrCat(key_namespace, "communication:")),
      feedback_topic_(std::move(feedback_topic)),
      outbox_key_(absl::StrCat(prefix_, "outbox")) {}

std::string FeedbackStore::FeedbackKey(const std::string& feedback_id) const {
  return absl::StrCat(prefix_, "feedback:", feedback_id);
}

std::string FeedbackStore::PartnerIndexKey(const std::string& partner_id) const {
  return absl::StrCat(prefix_, "partner:", partner_id, ":feedback");
}

std::string FeedbackStore::IndexMember(absl::Time event_time, const std::string& feedback_id) {
  const int64_t micros = absl::ToUnixMicros(event_time) + kEpochOffsetMicros;
  return absl::StrFormat("%018d:%s", micros, feedback_id);
}

absl::StatusOr<RecordResult> FeedbackStore::Record(const v1::Feedback& feedback,
                                                   const std::string& event) {
  auto event_time = FromProtoTimestamp(feedback.event_time(), "feedback.event_time");
  if (!event_time.ok()) return event_time.status();

  const std::string key = FeedbackKey(feedback.feedback_id());
  auto reply =
      redis_.Eval(RecordScript(), {key, PartnerIndexKey(feedback.partner_id()), outbox_key_},
                  {feedback.SerializeAsString(), IndexMember(*event_time, feedback.feedback_id()),
                   feedback_topic_, feedback.partner_id(), event},
                  "feedback_record");
  if (!reply.ok()) return reply.status();

  if (reply->type != redis::Reply::Type::kArray || reply->elements.empty()) {
    return absl::InternalError("Redis script feedback_record returned an unexpected reply");
  }
  if (reply->elements[0].integer == 1) return RecordResult{feedback, false};
  if (reply->elements.size() < 2) {
    return absl::InternalError("Redis script feedback_record returned an unexpected reply");
  }
  auto stored = ParseFeedback(reply->elements[1].str, key);
  if (!stored.ok()) return stored.status();
  return RecordResult{*std::move(stored), true};
}

absl::StatusOr<FeedbackPage> FeedbackStore::List(const std::string& partner_id, int page_size,
                                                 const std::string& page_token) {
  std::string max = "+";
  if (!page_token.empty()) {
    if (auto id = FeedbackIdOf(page_token); !id.ok()) return id.status();
    max = absl::StrCat("(", page_token);
  }
  auto members = redis_.Run({"ZREVRANGEBYLEX", PartnerIndexKey(partner_id), max, "-", "LIMIT", "0",
                             absl::StrCat(page_size + 1)},
                            "feedback_list");
  if (!members.ok()) return members.status();

  FeedbackPage page;
  const bool more = members->elements.size() > static_cast<size_t>(page_size);
  const size_t count = more ? page_size : members->elements.size();
  if (count == 0) return page;

  std::vector<redis::Command> reads;
  reads.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    auto id = FeedbackIdOf(members->elements[i].str);
    if (!id.ok()) {
      return absl::DataLossError(
          absl::StrCat("feedback index of partner ", partner_id, " has a malformed member"));
    }
    reads.push_back({"GET", FeedbackKey(*id)});
  }
  auto replies = redis_.RunPipeline(reads, "feedback_list");
  if (!replies.ok()) return replies.status();

  for (size_t i = 0; i < count; ++i) {
    const redis::Reply& reply = (*replies)[i];
    if (reply.is_error()) return absl::InternalError(absl::StrCat("Redis GET failed: ", reply.str));
    // One script writes the feedback and its index entry. A missing value means that someone
    // removed the key by hand, so the page skips it rather than failing.
    if (reply.is_nil()) continue;
    auto feedback = ParseFeedback(reply.str, reads[i][1]);
    if (!feedback.ok()) return feedback.status();
    page.feedback.push_back(*std::move(feedback));
  }
  if (more) page.next_page_token = members->elements[count - 1].str;
  return page;
}

}  // namespace consort::communication
