#include "kafka/consumer.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace consort::kafka {
namespace {

using internal::KafkaError;
using internal::ToMillis;

// High watermarks older than this are fetched again by GetProgress.
constexpr absl::Duration kWatermarkMaxAge = absl::Seconds(1);
// Wait for one ListOffsets round trip in GetProgress.
constexpr int kWatermarkQueryTimeoutMs = 1000;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t& list) {
  std::vector<TopicPartition> partitions;
  partitions.reserve(list.cnt);
  for (int i = 0; i < list.cnt; ++i) {
    partitions.emplace_back(list.elems[i].topic, list.elems[i].partition);
  }
  return partitions;
}

Message CopyMessage(const rd_kafka_message_t& source) {
  Message message;
  message.topic = rd_kafka_topic_name(source.rkt);
  message.partition = source.partition;
  message.offset = source.offset;
  if (source.key != nullptr) {
    message.key.assign(static_cast<const char*>(source.key), source.key_len);
  }
  if (source.payload != nullptr) {
    message.payload.assign(static_cast<const char*>(source.payload), source.len);
  }

  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&source, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      message.headers.emplace_back(
          name, value != nullptr ? std::string(static_cast<const char*>(value), size) : "");
    }
  }

  rd_kafka_timestamp_type_t timestamp_type;
  const int64_t timestamp_ms = rd_kafka_message_timestamp(&source, &timestamp_type);
  if (timestamp_type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && timestamp_ms >= 0) {
    message.timestamp = absl::FromUnixMillis(timestamp_ms);
  }
  return message;
}

// Lag gauges in use, counted per family and labels. prometheus-cpp returns the same gauge to
// every consumer that adds the same labels, so two consumers of one partition in one registry
// (two members of a group in one process, during a rebalance) share it. Removing it from the
// family while the other still holds it would leave that consumer a dangling pointer.
class LagGaugeRegistry {
 public:
  static LagGaugeRegistry& Get() {
    static auto* registry = new LagGaugeRegistry;
    return *registry;
  }

  prometheus::Gauge* Acquire(prometheus::Family<prometheus::Gauge>& family,
                             const TopicPartition& partition) {
    absl::MutexLock lock(&mu_);
    Entry& entry = entries_[{&family, partition}];
    if (entry.gauge == nullptr) {
      entry.gauge =
          &family.Add({{"topic", partition.first}, {"partition", absl::StrCat(partition.second)}});
    }
    ++entry.users;
    return entry.gauge;
  }

  void Release(prometheus::Family<prometheus::Gauge>& family, const TopicPartition& partition) {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find({&family, partition});
    if (it == entries_.end() || --it->second.users > 0) return;
    family.Remove(it->second.gauge);
    entries_.erase(it);
  }

 private:
  struct Entry {
    prometheus::Gauge* gauge = nullptr;
    int users = 0;
  };

  absl::Mutex mu_;
  std::map<std::pair<prometheus::Family<prometheus::Gauge>*, TopicPartition>, Entry> entries_
      ABSL_GUARDED_BY(mu_);
};

LogRateLimiter& ConsumerLogLimiter() {
  static auto* limiter = new LogRateLimiter(5, std::chrono::seconds(10));
  return *limiter;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(
    const std::string& bootstrap, const std::string& group_id,
    const std::vector<std::string>& topics, OffsetStore* offset_store,
    prometheus::Registry& registry, std::map<std::string, std::string> overrides) {
  if (bootstrap.empty()) {
    return absl::InvalidArgumentError("Kafka bootstrap servers are missing; pass host:port");
  }
  if (group_id.empty()) {
    return absl::InvalidArgumentError("consumer group id is missing; pass the service's group");
  }
  if (topics.empty()) {
    return absl::InvalidArgumentError("topics are missing; name at least one topic to consume");
  }
  if (offset_store == nullptr) {
    return absl::InvalidArgumentError("offset store is missing; pass the service's OffsetStore");
  }

  std::map<std::string, std::string> properties = {
      {"bootstrap.servers", bootstrap},
      {"group.id", group_id},
      {"client.id", group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // Applies when a stored offset is out of range, for example after retention deleted it.
      // Reading again from the earliest offset is safe because consumers are idempotent.
      {"auto.offset.reset", "earliest"},
  };
  for (auto& [name, value] : overrides) properties[name] = std::move(value);
  absl::StatusOr<internal::KafkaConf> conf = internal::NewConf(properties);
  if (!conf.ok()) return conf.status();

  auto& lag_family = prometheus::BuildGauge()
                         .Name("consort_consumer_lag")
                         .Help(
                             "Messages between the next offset to process and the high "
                             "watermark, per assigned partition")
                         .Register(registry);
  std::unique_ptr<Consumer> consumer(new Consumer(group_id, offset_store, lag_family));

  rd_kafka_conf_set_opaque(conf->get(), consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Consumer::OnRebalance);
  rd_kafka_conf_set_offset_commit_cb(conf->get(), &Consumer::OnCommit);
  rd_kafka_conf_set_error_cb(conf->get(), &Consumer::OnError);
  absl::StatusOr<internal::KafkaHandle> handle = internal::NewHandle(
      RD_KAFKA_CONSUMER, *std::move(conf), absl::StrCat("Kafka consumer for group ", group_id));
  if (!handle.ok()) return handle.status();
  consumer->handle_ = *std::move(handle);
  rd_kafka_poll_set_consumer(consumer->handle_.get());

  internal::TopicPartitionList subscription(rd_kafka_topic_partition_list_new(topics.size()));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(subscription.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t error = rd_kafka_subscribe(consumer->handle_.get(), subscription.get());
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // The consumer never joined, so there is no group to leave.
    consumer->closed_ = true;
    return KafkaError(error, absl::StrCat("subscribing group ", group_id, " to its topics"));
  }

  spdlog::info("msg=\"Kafka consumer created\" group={} topics={} bootstrap={}", Quote(group_id),
               topics.size(), Quote(bootstrap));
  return consumer;
}

Consumer::Consumer(std::string group_id, OffsetStore* offset_store,
                   prometheus::Family<prometheus::Gauge>& lag_family)
    : group_id_(std::move(group_id)), offset_store_(offset_store), lag_family_(lag_family) {}

Consumer::~Consumer() {
  if (handle_ != nullptr) Close();
  absl::MutexLock lock(&mu_);
  while (!assigned_.empty()) RemovePartition(assigned_.begin()->first);
}

void Consumer::Close() {
  if (closed_) return;
  closed_ = true;
  // Serves the final revocation through OnRebalance, which unassigns.
  const rd_kafka_resp_err_t error = rd_kafka_consumer_close(handle_.get());
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("msg=\"leaving the consumer group failed\" group={} error={}", Quote(group_id_),
                 rd_kafka_err2name(error));
    return;
  }
  spdlog::info("msg=\"Kafka consumer left its group\" group={}", Quote(group_id_));
}

bool Consumer::Cooperative() const {
  return std::strcmp(rd_kafka_rebalance_protocol(handle_.get()), "COOPERATIVE") == 0;
}

void Consumer::OnRebalance(rd_kafka_t* /*handle*/, rd_kafka_resp_err_t error,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* consumer = static_cast<Consumer*>(opaque);
  ++consumer->rebalances_;
  switch (error) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
      consumer->HandleAssign(*partitions);
      break;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      consumer->HandleRevoke(*partitions);
      break;
    default:
      spdlog::error(
          "msg=\"consumer group rebalance failed; dropping the assignment\" group={} "
          "error={}",
          Quote(consumer->group_id_), rd_kafka_err2name(error));
      consumer->HandleRevoke(*partitions);
  }
}

void Consumer::HandleAssign(const rd_kafka_topic_partition_list_t& partitions) {
  spdlog::info("msg=\"partitions assigned\" group={} partitions={}", Quote(group_id_),
               partitions.cnt);
  // The eager protocol revokes everything before it assigns, so a new list replaces the old.
  if (!Cooperative()) pending_assignment_.clear();
  for (TopicPartition& partition : ToVector(partitions)) {
    pending_assignment_.push_back(std::move(partition));
  }
  assign_error_ = AssignPending();
}

void Consumer::HandleRevoke(const rd_kafka_topic_partition_list_t& partitions) {
  const bool lost = rd_kafka_assignment_lost(handle_.get());
  spdlog::info("msg=\"partitions revoked\" group={} partitions={} lost={}", Quote(group_id_),
               partitions.cnt, lost);

  const std::vector<TopicPartition> revoked = ToVector(partitions);
  rd_kafka_resp_err_t error;
  if (Cooperative()) {
    rd_kafka_error_t* unassign_error = rd_kafka_incremental_unassign(handle_.get(), &partitions);
    error = unassign_error != nullptr ? rd_kafka_error_code(unassign_error)
                                      : RD_KAFKA_RESP_ERR_NO_ERROR;
    if (unassign_error != nullptr) rd_kafka_error_destroy(unassign_error);
  } else {
    error = rd_kafka_assign(handle_.get(), nullptr);
  }
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::error("msg=\"unassigning revoked partitions failed\" group={} error={}",
                  Quote(group_id_), rd_kafka_err2name(error));
  }

  std::erase_if(pending_assignment_, [&](const TopicPartition& partition) {
    return std::find(revoked.begin(), revoked.end(), partition) != revoked.end();
  });
  if (pending_assignment_.empty()) assign_error_ = absl::OkStatus();

  absl::MutexLock lock(&mu_);
  for (const TopicPartition& partition : revoked) RemovePartition(partition);
}

absl::Status Consumer::AssignPending() {
  if (pending_assignment_.empty()) return absl::OkStatus();

  absl::StatusOr<std::map<TopicPartition, int64_t>> stored =
      offset_store_->Load(pending_assignment_);
  if (!stored.ok()) {
    int64_t suppressed = 0;
    if (ConsumerLogLimiter().Allow(absl::StrCat(group_id_, "/load"), suppressed)) {
      spdlog::error(
          "msg=\"loading stored offsets failed; partitions stay unassigned\" group={} "
          "partitions={} error={} suppressed={}",
          Quote(group_id_), pending_assignment_.size(), Quote(stored.status().ToString()),
          suppressed);
    }
    return absl::UnavailableError(absl::StrCat(
        "loading stored offsets for ", pending_assignment_.size(), " partitions of group ",
        group_id_, " failed; the next Poll retries: ", stored.status().ToString()));
  }

  internal::TopicPartitionList list(rd_kafka_topic_partition_list_new(pending_assignment_.size()));
  for (const TopicPartition& partition : pending_assignment_) {
    auto it = stored->find(partition);
    const int64_t offset = it != stored->end() ? it->second : RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_topic_partition_list_add(list.get(), partition.first.c_str(), partition.second)
        ->offset = offset;
  }

  rd_kafka_resp_err_t error;
  if (Cooperative()) {
    rd_kafka_error_t* assign_error = rd_kafka_incremental_assign(handle_.get(), list.get());
    error =
        assign_error != nullptr ? rd_kafka_error_code(assign_error) : RD_KAFKA_RESP_ERR_NO_ERROR;
    if (assign_error != nullptr) rd_kafka_error_destroy(assign_error);
  } else {
    error = rd_kafka_assign(handle_.get(), list.get());
  }
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(error, absl::StrCat("assigning ", pending_assignment_.size(),
                                          " partitions of group ", group_id_));
  }

  absl::MutexLock lock(&mu_);
  for (const TopicPartition& partition : pending_assignment_) {
    auto it = stored->find(partition);
    PartitionState& state = assigned_[partition];
    // A partition assigned twice without a revocation in between keeps its one gauge reference.
    prometheus::Gauge* lag =
        state.lag != nullptr ? state.lag : LagGaugeRegistry::Get().Acquire(lag_family_, partition);
    state = PartitionState{};
    state.next_offset = it != stored->end() ? it->second : -1;
    state.lag = lag;
    UpdateLag(state);
  }
  pending_assignment_.clear();
  return absl::OkStatus();
}

void Consumer::OnCommit(rd_kafka_t* /*handle*/, rd_kafka_resp_err_t error,
                        rd_kafka_topic_partition_list_t* /*offsets*/, void* opaque) {
  // NO_OFFSET means there was nothing new to commit.
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  auto* consumer = static_cast<Consumer*>(opaque);
  int64_t suppressed = 0;
  if (!ConsumerLogLimiter().Allow(absl::StrCat(consumer->group_id_, "/commit"), suppressed)) {
    return;
  }
  spdlog::warn(
      "msg=\"committing offsets for lag monitoring failed\" group={} error={} "
      "suppressed={}",
      Quote(consumer->group_id_), rd_kafka_err2name(error), suppressed);
}

void Consumer::OnError(rd_kafka_t* handle, int error, const char* reason, void* opaque) {
  auto* consumer = static_cast<Consumer*>(opaque);
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    spdlog::error(
        "msg=\"Kafka consumer hit a fatal error; Poll will fail from now on\" group={} "
        "error={}",
        Quote(consumer->group_id_), Quote(internal::FatalError(handle).message()));
    return;
  }
  internal::LogClientError(consumer->group_id_, code, reason);
}

absl::Status Consumer::TakeMessage(rd_kafka_message_t* raw, std::vector<Message>& batch) {
  std::unique_ptr<rd_kafka_message_t, MessageDeleter> message(raw);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    batch.push_back(CopyMessage(*message));
    return absl::OkStatus();
  }
  if (message->err == RD_KAFKA_RESP_ERR__FATAL) return internal::FatalError(handle_.get());
  if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return absl::OkStatus();

  int64_t suppressed = 0;
  if (ConsumerLogLimiter().Allow(absl::StrCat(group_id_, "/", rd_kafka_err2name(message->err)),
                                 suppressed)) {
    const char* topic = message->rkt != nullptr ? rd_kafka_topic_name(message->rkt) : "";
    spdlog::warn(
        "msg=\"Kafka consumer error skipped\" group={} topic={} partition={} error={} "
        "reason={} suppressed={}",
        Quote(group_id_), Quote(topic), message->partition, rd_kafka_err2name(message->err),
        Quote(rd_kafka_message_errstr(message.get())), suppressed);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Message>> Consumer::Poll(size_t max_messages, absl::Duration timeout) {
  if (max_messages == 0) {
    return absl::InvalidArgumentError("max_messages is 0; Poll needs room for at least 1 message");
  }
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("Poll was called on the closed consumer of group ", group_id_));
  }
  if (absl::Status fatal = internal::FatalError(handle_.get()); !fatal.ok()) return fatal;
  if (!pending_assignment_.empty()) assign_error_ = AssignPending();
  if (!assign_error_.ok()) return assign_error_;

  std::vector<Message> batch;
  const absl::Time deadline = absl::Now() + timeout;
  while (batch.size() < max_messages) {
    // Wait for the first message until the deadline, then take only what is already buffered.
    const int wait_ms = batch.empty() ? ToMillis(deadline - absl::Now()) : 0;
    const uint64_t rebalances_before = rebalances_;
    rd_kafka_message_t* message = rd_kafka_consumer_poll(handle_.get(), wait_ms);

    if (rebalances_ != rebalances_before) {
      // Messages taken before a rebalance may belong to partitions that another member now
      // processes from the stored offset. Partitions this member keeps are fetched again from
      // their stored offsets, so dropping the messages loses nothing.
      batch.clear();
      if (!assign_error_.ok()) {
        if (message != nullptr) rd_kafka_message_destroy(message);
        return assign_error_;
      }
    }
    if (message == nullptr) {
      if (!batch.empty() || absl::Now() >= deadline) break;
      continue;
    }
    if (absl::Status taken = TakeMessage(message, batch); !taken.ok()) return taken;
    if (batch.empty() && absl::Now() >= deadline) break;
  }
  return batch;
}

void Consumer::MarkProcessed(const std::map<TopicPartition, int64_t>& next_offsets) {
  internal::TopicPartitionList commit(rd_kafka_topic_partition_list_new(next_offsets.size()));
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [partition, offset] : next_offsets) {
      auto it = assigned_.find(partition);
      if (it == assigned_.end() || offset < 0) continue;
      it->second.next_offset = offset;
      UpdateLag(it->second);
      rd_kafka_topic_partition_list_add(commit.get(), partition.first.c_str(), partition.second)
          ->offset = offset;
    }
  }
  if (commit->cnt == 0) return;

  const rd_kafka_resp_err_t error = rd_kafka_commit(handle_.get(), commit.get(), /*async=*/1);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    int64_t suppressed = 0;
    if (ConsumerLogLimiter().Allow(absl::StrCat(group_id_, "/commit"), suppressed)) {
      spdlog::warn(
          "msg=\"committing offsets for lag monitoring failed\" group={} error={} "
          "suppressed={}",
          Quote(group_id_), rd_kafka_err2name(error), suppressed);
    }
  }
}

std::vector<PartitionProgress> Consumer::GetProgress() {
  std::vector<TopicPartition> stale;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    for (const auto& [partition, state] : assigned_) {
      if (now - state.watermarks_fetched >= kWatermarkMaxAge) stale.push_back(partition);
    }
  }

  // Queried without the lock, so MarkProcessed never waits for the broker.
  for (const TopicPartition& partition : stale) {
    int64_t low = -1;
    int64_t high = -1;
    const rd_kafka_resp_err_t error =
        rd_kafka_query_watermark_offsets(handle_.get(), partition.first.c_str(), partition.second,
                                         &low, &high, kWatermarkQueryTimeoutMs);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      int64_t suppressed = 0;
      if (ConsumerLogLimiter().Allow(absl::StrCat(group_id_, "/watermarks"), suppressed)) {
        spdlog::warn(
            "msg=\"fetching high watermark failed; reporting the last known one\" "
            "group={} topic={} partition={} error={} suppressed={}",
            Quote(group_id_), Quote(partition.first), partition.second, rd_kafka_err2name(error),
            suppressed);
      }
      // The broker is most likely unreachable, so the other partitions would time out as well.
      break;
    }
    absl::MutexLock lock(&mu_);
    auto it = assigned_.find(partition);
    if (it == assigned_.end()) continue;
    it->second.low_watermark = low;
    it->second.high_watermark = high;
    it->second.watermarks_fetched = absl::Now();
    UpdateLag(it->second);
  }

  std::vector<PartitionProgress> progress;
  absl::MutexLock lock(&mu_);
  for (const auto& [partition, state] : assigned_) {
    progress.push_back(PartitionProgress{
        .topic = partition.first,
        .partition = partition.second,
        .next_offset = state.next_offset >= 0 ? state.next_offset : state.low_watermark,
        .high_watermark = state.high_watermark,
    });
  }
  return progress;
}

void Consumer::UpdateLag(PartitionState& state) {
  const int64_t next = state.next_offset >= 0 ? state.next_offset : state.low_watermark;
  if (state.lag == nullptr || next < 0 || state.high_watermark < 0) return;
  state.lag->Set(static_cast<double>(std::max<int64_t>(0, state.high_watermark - next)));
}

void Consumer::RemovePartition(const TopicPartition& partition) {
  auto it = assigned_.find(partition);
  if (it == assigned_.end()) return;
  if (it->second.lag != nullptr) LagGaugeRegistry::Get().Release(lag_family_, partition);
  assigned_.erase(it);
}

}  // namespace consort::kafka
