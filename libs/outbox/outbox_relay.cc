#include "outbox/outbox_relay.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace consort::outbox {
namespace {

constexpr char kGroup[] = "relay";

LogRateLimiter& RelayLogLimiter() {
  static LogRateLimiter limiter(5, std::chrono::minutes(1));
  return limiter;
}

void LogRelayError(absl::string_view what, const absl::Status& status) {
  int64_t suppressed = 0;
  if (RelayLogLimiter().Allow(what, suppressed)) {
    spdlog::warn("msg=\"outbox relay {}\" error={} suppressed={}", what,
                 Quote(status.ToString()), suppressed);
  }
}

}  // namespace

OutboxRelay::OutboxRelay(redis::Pool& redis, kafka::Producer& producer, std::string stream_key,
                         std::string consumer_name, prometheus::Registry& registry,
                         RelayOptions options)
    : redis_(redis),
      producer_(producer),
      stream_key_(std::move(stream_key)),
      consumer_name_(std::move(consumer_name)),
      options_(options),
      depth_(prometheus::BuildGauge()
                 .Name("consort_outbox_depth")
                 .Help("Events committed to the outbox and not yet acknowledged by Kafka")
                 .Register(registry)
                 .Add({})) {}

OutboxRelay::~OutboxRelay() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::Status OutboxRelay::Start() {
  // "0" rather than "$" so that entries written before the group existed are relayed too.
  auto created = redis_.Run({"XGROUP", "CREATE", stream_key_, kGroup, "0", "MKSTREAM"},
                            "outbox_group");
  if (!created.ok() && !absl::StrContains(created.status().message(), "BUSYGROUP")) {
    return created.status();
  }
  auto length = StreamLength();
  if (!length.ok()) return length.status();
  spdlog::info("msg=\"outbox relay started\" stream={} consumer={} pending={}", stream_key_,
               consumer_name_, *length);
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

absl::Status OutboxRelay::Stop(absl::Duration timeout) {
  drain_deadline_ = absl::Now() + timeout;
  draining_ = true;
  if (thread_.joinable()) thread_.join();

  auto flushed = producer_.Flush(std::max(drain_deadline_ - absl::Now(), absl::Seconds(1)));
  if (auto acked = AcknowledgeDelivered(); !acked.ok()) LogRelayError("acknowledge", acked);
  auto left = StreamLength();
  const int64_t remaining = left.ok() ? *left : -1;
  spdlog::info("msg=\"outbox relay stopped\" stream={} relayed={} left={}", stream_key_,
               relayed_.load(), remaining);
  if (!flushed.ok()) return flushed;
  if (remaining > 0) {
    return absl::DeadlineExceededError(
        absl::StrCat(remaining, " outbox entries were left for the next start"));
  }
  return absl::OkStatus();
}

RelayStatus OutboxRelay::Status() {
  auto length = StreamLength();
  RelayStatus status;
  status.pending = length.ok() ? *length : pending_.load();
  status.relayed = relayed_.load();
  return status;
}

absl::StatusOr<int64_t> OutboxRelay::StreamLength() {
  auto reply = redis_.Run({"XLEN", stream_key_}, "outbox_length");
  if (!reply.ok()) return reply.status();
  pending_ = reply->integer;
  depth_.Set(static_cast<double>(reply->integer));
  return reply->integer;
}

void OutboxRelay::Run() {
  // Entries this consumer read before a restart and never acknowledged come first.
  bool own_pending = true;
  auto last_claim = absl::InfinitePast();
  auto last_retry = absl::Now();

  while (!stop_) {
    if (auto acked = AcknowledgeDelivered(); !acked.ok()) LogRelayError("acknowledge", acked);

    bool retry_failed = false;
    {
      absl::MutexLock lock(&mu_);
      if (failed_since_retry_ > 0 && absl::Now() - last_retry > absl::Seconds(5) &&
          in_flight_ == 0) {
        failed_since_retry_ = 0;
        retry_failed = true;
      }
    }
    if (retry_failed) {
      own_pending = true;
      last_retry = absl::Now();
    }

    if (absl::Now() - last_claim > options_.claim_idle) {
      last_claim = absl::Now();
      if (auto claimed = ClaimAbandoned(); !claimed.ok()) LogRelayError("claim", claimed.status());
    }

    auto read = RelayBatch(own_pending, /*block=*/!draining_);
    if (!read.ok()) {
      LogRelayError("read", read.status());
      absl::SleepFor(absl::Milliseconds(500));
      continue;
    }
    if (own_pending && *read == 0) own_pending = false;

    if (draining_) {
      int64_t in_flight;
      {
        absl::MutexLock lock(&mu_);
        in_flight = in_flight_;
      }
      auto length = StreamLength();
      const bool empty = length.ok() && *length == 0;
      if ((empty && in_flight == 0) || absl::Now() >= drain_deadline_) break;
      if (*read == 0) absl::SleepFor(absl::Milliseconds(20));
    }
  }
}

absl::StatusOr<int> OutboxRelay::RelayBatch(bool own_pending, bool block) {
  redis::Command command{"XREADGROUP", "GROUP", kGroup, consumer_name_, "COUNT",
                         absl::StrCat(options_.batch_size)};
  if (block && !own_pending) {
    command.push_back("BLOCK");
    command.push_back("200");
  }
  command.push_back("STREAMS");
  command.push_back(stream_key_);
  command.push_back(own_pending ? "0" : ">");
  auto reply = redis_.Run(command, "outbox_read");
  if (!reply.ok()) return reply.status();
  if (reply->is_nil() || reply->elements.empty()) return 0;
  // Reply: [[stream_key, [[id, [field, value, ...]], ...]]]
  const redis::Reply& entries = reply->elements[0].elements[1];
  return ProduceEntries(entries);
}

absl::StatusOr<int> OutboxRelay::ClaimAbandoned() {
  auto reply = redis_.Run({"XAUTOCLAIM", stream_key_, kGroup, consumer_name_,
                           absl::StrCat(absl::ToInt64Milliseconds(options_.claim_idle)), "0",
                           "COUNT", absl::StrCat(options_.batch_size)},
                          "outbox_claim");
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() < 2) return 0;
  return ProduceEntries(reply->elements[1]);
}

int OutboxRelay::ProduceEntries(const redis::Reply& entries) {
  int produced = 0;
  for (const redis::Reply& entry : entries.elements) {
    if (entry.elements.size() < 2) continue;
    const std::string id = entry.elements[0].str;
    const redis::Reply& fields = entry.elements[1];
    const std::string* topic = redis::FindField(fields, "topic");
    const std::string* key = redis::FindField(fields, "key");
    const std::string* payload = redis::FindField(fields, "payload");
    if (topic == nullptr || key == nullptr || payload == nullptr) {
      // Only this service writes the stream, so a malformed entry is a bug; keep it for a human
      // and do not block the rest.
      spdlog::error("msg=\"outbox entry is malformed and was skipped\" stream={} entry_id={}",
                    stream_key_, id);
      continue;
    }
    {
      absl::MutexLock lock(&mu_);
      ++in_flight_;
    }
    auto status = producer_.Produce(*topic, *key, *payload, {}, [this, id](absl::Status result) {
      absl::MutexLock lock(&mu_);
      --in_flight_;
      if (result.ok()) {
        delivered_.push_back(id);
      } else {
        ++failed_since_retry_;
      }
    });
    if (!status.ok()) {
      absl::MutexLock lock(&mu_);
      --in_flight_;
      ++failed_since_retry_;
      LogRelayError("produce", status);
      continue;
    }
    ++produced;
  }
  return static_cast<int>(entries.elements.size());
}

absl::Status OutboxRelay::AcknowledgeDelivered() {
  std::vector<std::string> ids;
  {
    absl::MutexLock lock(&mu_);
    ids.swap(delivered_);
  }
  if (ids.empty()) return absl::OkStatus();
  redis::Command ack{"XACK", stream_key_, kGroup};
  redis::Command del{"XDEL", stream_key_};
  ack.insert(ack.end(), ids.begin(), ids.end());
  del.insert(del.end(), ids.begin(), ids.end());
  auto replies = redis_.RunPipeline({ack, del}, "outbox_ack");
  if (!replies.ok()) {
    // The entries were delivered; keep their ids so the next round acknowledges them.
    absl::MutexLock lock(&mu_);
    delivered_.insert(delivered_.end(), ids.begin(), ids.end());
    return replies.status();
  }
  relayed_ += static_cast<int64_t>(ids.size());
  return absl::OkStatus();
}

}  // namespace consort::outbox
