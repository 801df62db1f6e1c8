#pragma once

// Redis storage of customer feedback. Every key starts with `<namespace>communication:`:
//
//   communication:feedback:<feedback_id>          serialized Feedback, as recorded
//   communication:partner:<partner_id>:feedback   sorted set of the partner's feedback, all
//                                                 scores 0; each member is
//                                                 "<event time key>:<feedback_id>", so that
//                                                 ZREVRANGEBYLEX lists newest event time first
//   communication:outbox                          outbox stream of FeedbackEvents, drained by
//                                                 OutboxRelay
//
// Record is one Lua script and one round trip: it deduplicates by feedback id, stores the
// feedback, indexes it and appends its event, all or nothing. CommunicationService calls the
// store after validating its input.
//
// Thread-safe: the store keeps no mutable state and redis::Pool is thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consort/communication/v1/communication.pb.h"
#include "redis/redis_client.h"

namespace consort::communication {

struct RecordResult {
  // The stored feedback: the one just recorded, or the one recorded earlier under the same id.
  v1::Feedback feedback;
  bool duplicate = false;
};

struct FeedbackPage {
  std::vector<v1::Feedback> feedback;
  // Token for the next page when more follow, else empty.
  std::string next_page_token;
};

class FeedbackStore {
 public:
  // `key_namespace` is CommonConfig::redis_namespace; `feedback_topic` is the Kafka topic that the
  // outbox entries name.
  FeedbackStore(redis::Pool& redis, std::string key_namespace, std::string feedback_topic);

  // Stores `feedback` (validated, with complaint and record_time set) and appends `event` (a
  // serialized FeedbackEvent) to the outbox. When the feedback id was recorded before, it returns
  // the stored feedback with duplicate set and changes nothing.
  absl::StatusOr<RecordResult> Record(const v1::Feedback& feedback, const std::string& event);

  // Returns up to `page_size` of the partner's feedback, newest event time first, starting after
  // `page_token` (empty for the first page). Returns INVALID_ARGUMENT for a token that this store
  // did not issue.
  absl::StatusOr<FeedbackPage> List(const std::string& partner_id, int page_size,
                                    const std::string& page_token);

  const std::string& outbox_key() const { return outbox_key_; }

  // Returns the index member of feedback: an 18-digit count of microseconds since
  // 0001-01-01T00:00:00Z, which sorts as text in time order, then ':' and the feedback id.
  static std::string IndexMember(absl::Time event_time, const std::string& feedback_id);

 private:
  std::string FeedbackKey(const std::string& feedback_id) const;
  std::string PartnerIndexKey(const std::string& partner_id) const;

  redis::Pool& redis_;
  const std::string prefix_;
  const std::string feedback_topic_;
  const std::string outbox_key_;
};

}  // namespace consort::communication
