#include "services/contract/outbox_wiring.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace consort::contract {
namespace {

constexpr absl::Duration kTopicTimeout = absl::Seconds(30);

absl::Status LogFailure(absl::string_view message, const absl::Status& status) {
  spdlog::error("msg=\"{}\" error={}", message, Quote(status.ToString()));
  return status;
}

}  // namespace

absl::StatusOr<Publishing> StartPublishing(ServiceRunner& runner, const CommonConfig& config,
                                           redis::Pool& redis, const kafka::TopicSpec& topic,
                                           const std::string& stream_key) {
  if (auto ping = redis.Ping(); !ping.ok()) {
    return LogFailure(absl::StrCat("Redis at ", config.redis_address, " is unreachable"), ping);
  }
  if (auto ensured = kafka::EnsureTopics(config.kafka_bootstrap, {topic}, kTopicTimeout);
      !ensured.ok()) {
    return LogFailure(absl::StrCat("Kafka topic ", topic.name, " setup failed"), ensured);
  }

  Publishing publishing;
  auto producer = kafka::Producer::Create(
      config.kafka_bootstrap,
      absl::StrCat("consort-", config.service_name, "-", config.instance_id), runner.registry());
  if (!producer.ok()) return LogFailure("Kafka producer failed to start", producer.status());
  publishing.producer = *std::move(producer);

  publishing.relay = std::make_unique<outbox::OutboxRelay>(redis, *publishing.producer, stream_key,
                                                           config.instance_id, runner.registry());
  if (auto started = publishing.relay->Start(); !started.ok()) {
    return LogFailure("outbox relay failed to start", started);
  }

  outbox::OutboxRelay* relay = publishing.relay.get();
  const absl::Duration grace = absl::Seconds(config.shutdown_grace_seconds);
  runner.AddShutdownHook("outbox relay", [relay, grace] {
    if (auto stopped = relay->Stop(grace); !stopped.ok()) {
      spdlog::warn("msg=\"outbox relay stopped with events left\" error={}",
                   Quote(stopped.ToString()));
    }
  });
  return publishing;
}

}  // namespace consort::contract
