// consort-performance: aggregates sales and feedback events into per partner and month
// scorecards, serves them over gRPC, and publishes scorecard changes to the scores topic.

#include <map>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "common/config.h"
#include "common/logging.h"
#include "consumer/consumer_loop.h"
#include "consumer/contract_directory.h"
#include "consumer/dead_letter_sink.h"
#include "consumer/offset_store.h"
#include "consumer/settings.h"
#include "grpcpp/grpcpp.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "outbox/outbox_relay.h"
#include "performance/current_month_metrics.h"
#include "performance/event_consumer.h"
#include "performance/performance_service.h"
#include "performance/performance_store.h"
#include "redis/redis_client.h"
#include "server/service_runner.h"
#include "spdlog/spdlog.h"

namespace {

struct PerformanceConfig {
  consort::CommonConfig common;
  consort::consumer::ConsumerSettings consumer{.consumer_group = "consort-performance"};
};

int Fail(const std::string& what, const absl::Status& status) {
  spdlog::error("msg=\"{}\" error={}", what, consort::Quote(status.ToString()));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  consort::BlockShutdownSignals();

  PerformanceConfig config;
  config.common.service_name = "performance";
  CLI::App app{"Consort performance service: scorecards from sales and feedback events"};
  consort::AddCommonOptions(app, config.common, 50054, 9454);
  consort::consumer::AddConsumerOptions(app, config.consumer);
  CLI11_PARSE(app, argc, argv);
  consort::InitLogging("performance", config.common.log_level);
  const consort::CommonConfig& common = config.common;

  consort::ServiceRunner runner(common);
  prometheus::Registry& registry = runner.registry();

  consort::redis::Pool redis(common.redis_address, common.redis_password, 4, registry);
  if (absl::Status status = redis.Ping(); !status.ok()) return Fail("Redis unreachable", status);

  const std::vector<std::string> consumed_topics = {common.topic_sales, common.topic_feedback};
  std::vector<consort::kafka::TopicSpec> topics;
  for (const std::string& name :
       {common.topic_sales, common.topic_feedback, common.topic_scores, common.topic_deadletter}) {
    topics.push_back({.name = name, .partitions = common.topic_partitions});
  }
  if (absl::Status status =
          consort::kafka::EnsureTopics(common.kafka_bootstrap, topics, absl::Seconds(30));
      !status.ok()) {
    return Fail("creating the Kafka topics failed", status);
  }

  absl::StatusOr<std::unique_ptr<consort::kafka::Producer>> producer =
      consort::kafka::Producer::Create(common.kafka_bootstrap,
                                       "consort-performance-" + common.instance_id, registry);
  if (!producer.ok()) return Fail("creating the Kafka producer failed", producer.status());

  consort::performance::PerformanceStore store(
      redis, common.redis_namespace, common.topic_scores,
      {.retention = absl::Hours(24) * config.consumer.dedup_retention_days});
  consort::consumer::GrpcContractDirectory contracts(
      consort::consumer::NewContractChannel(config.consumer.contract_address),
      absl::Milliseconds(config.consumer.contract_deadline_ms));
  consort::consumer::RedisOffsetStore offset_store(redis, store.offsets_key());

  absl::StatusOr<std::unique_ptr<consort::kafka::Consumer>> consumer =
      consort::kafka::Consumer::Create(
          common.kafka_bootstrap, config.consumer.consumer_group, consumed_topics, &offset_store,
          registry, consort::consumer::GroupMembershipOverrides(common.instance_id));
  if (!consumer.ok()) return Fail("creating the Kafka consumer failed", consumer.status());

  consort::consumer::KafkaDeadLetterSink dead_letters(**producer, common.topic_deadletter,
                                                      "performance", absl::Seconds(30));
  consort::performance::EventConsumerOptions options;
  options.sales_topic = common.topic_sales;
  options.feedback_topic = common.topic_feedback;
  options.batch_size = static_cast<size_t>(config.consumer.batch_size);
  consort::performance::EventConsumer event_consumer(consumer->get(), contracts, store,
                                                     dead_letters, registry, options);

  consort::outbox::OutboxRelay relay(redis, **producer, store.outbox_key(), common.instance_id,
                                     registry);
  if (absl::Status status = relay.Start(); !status.ok()) {
    return Fail("starting the outbox relay failed", status);
  }
  consort::performance::CurrentMonthMetrics month_metrics(store, contracts, registry);

  consort::kafka::Consumer* consumer_handle = consumer->get();
  consort::performance::PerformanceServiceImpl service(
      store, {.partitions = [consumer_handle] { return consumer_handle->GetProgress(); },
              .dead_lettered = [&event_consumer] { return event_consumer.dead_lettered(); }});
  runner.RegisterService(&service, "consort.performance.v1.PerformanceService");

  // Hooks run in reverse order: the consumer stores its batch in hand first, then the relay
  // drains the score events, then the producer flushes.
  const absl::Duration grace = absl::Seconds(common.shutdown_grace_seconds);
  runner.AddShutdownHook("flush producer", [&] {
    if (absl::Status status = (*producer)->Flush(grace); !status.ok()) {
      spdlog::warn("msg=\"Kafka producer flush incomplete\" error={}",
                   consort::Quote(status.ToString()));
    }
  });
  runner.AddShutdownHook("drain outbox relay", [&] {
    if (absl::Status status = relay.Stop(grace); !status.ok()) {
      spdlog::warn("msg=\"outbox relay stopped before the stream was empty\" error={}",
                   consort::Quote(status.ToString()));
    }
  });
  runner.AddShutdownHook("stop gauges", [&] { month_metrics.Stop(); });
  runner.AddShutdownHook("stop event consumer", [&] { event_consumer.Stop(); });

  event_consumer.Start();
  month_metrics.Start();
  return runner.Run();
}
