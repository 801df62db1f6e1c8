// consort-incentive: accrues commission on every sale of the sales topic, reverses it on refunds,
// and serves the accrual lines and the per partner and month totals over gRPC.

#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/config.h"
#include "common/logging.h"
#include "consumer/consumer_loop.h"
#include "consumer/contract_directory.h"
#include "consumer/dead_letter_sink.h"
#include "consumer/offset_store.h"
#include "consumer/settings.h"
#include "grpcpp/grpcpp.h"
#include "incentive/event_consumer.h"
#include "incentive/incentive_service.h"
#include "incentive/incentive_store.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "redis/redis_client.h"
#include "server/service_runner.h"
#include "spdlog/spdlog.h"

namespace {

struct IncentiveConfig {
  consort::CommonConfig common;
  consort::consumer::ConsumerSettings consumer{.consumer_group = "consort-incentive"};
};

int Fail(const std::string& what, const absl::Status& status) {
  spdlog::error("msg=\"{}\" error={}", what, consort::Quote(status.ToString()));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  consort::BlockShutdownSignals();

  IncentiveConfig config;
  config.common.service_name = "incentive";
  CLI::App app{"Consort incentive service: commission accruals and clawbacks from sales events"};
  consort::AddCommonOptions(app, config.common, 50055, 9455);
  consort::consumer::AddConsumerOptions(app, config.consumer);
  CLI11_PARSE(app, argc, argv);
  consort::InitLogging("incentive", config.common.log_level);
  const consort::CommonConfig& common = config.common;

  consort::ServiceRunner runner(common);
  prometheus::Registry& registry = runner.registry();

  consort::redis::Pool redis(common.redis_address, common.redis_password, 4, registry);
  if (absl::Status status = redis.Ping(); !status.ok()) return Fail("Redis unreachable", status);

  std::vector<consort::kafka::TopicSpec> topics;
  for (const std::string& name : {common.topic_sales, common.topic_deadletter}) {
    topics.push_back({.name = name, .partitions = common.topic_partitions});
  }
  if (absl::Status status =
          consort::kafka::EnsureTopics(common.kafka_bootstrap, topics, absl::Seconds(30));
      !status.ok()) {
    return Fail("creating the Kafka topics failed", status);
  }

  // The producer only writes dead letters.
  absl::StatusOr<std::unique_ptr<consort::kafka::Producer>> producer =
      consort::kafka::Producer::Create(common.kafka_bootstrap,
                                       "consort-incentive-" + common.instance_id, registry);
  if (!producer.ok()) return Fail("creating the Kafka producer failed", producer.status());

  consort::incentive::IncentiveStore store(
      redis, common.redis_namespace,
      {.retention = absl::Hours(24) * config.consumer.dedup_retention_days});
  absl::StatusOr<int64_t> backfilled = store.BackfillParkingTimes();
  if (!backfilled.ok()) return Fail("reading the parked refunds failed", backfilled.status());
  if (*backfilled > 0) {
    spdlog::info("msg=\"parked refunds without a parking time now expire one retention from now\" "
                 "sales={}",
                 *backfilled);
  }
  consort::consumer::GrpcContractDirectory contracts(
      consort::consumer::NewContractChannel(config.consumer.contract_address),
      absl::Milliseconds(config.consumer.contract_deadline_ms));
  consort::consumer::RedisOffsetStore offset_store(redis, store.offsets_key());

  absl::StatusOr<std::unique_ptr<consort::kafka::Consumer>> consumer =
      consort::kafka::Consumer::Create(
          common.kafka_bootstrap, config.consumer.consumer_group, {common.topic_sales},
          &offset_store, registry, consort::consumer::GroupMembershipOverrides(common.instance_id));
  if (!consumer.ok()) return Fail("creating the Kafka consumer failed", consumer.status());

  consort::consumer::KafkaDeadLetterSink dead_letters(**producer, common.topic_deadletter,
                                                      "incentive", absl::Seconds(30));
  consort::incentive::EventConsumerOptions options;
  options.sales_topic = common.topic_sales;
  options.batch_size = static_cast<size_t>(config.consumer.batch_size);
  consort::incentive::EventConsumer event_consumer(consumer->get(), contracts, store, dead_letters,
                                                   registry, options);

  consort::kafka::Consumer* consumer_handle = consumer->get();
  consort::incentive::IncentiveServiceImpl service(
      store, {.partitions = [consumer_handle] { return consumer_handle->GetProgress(); },
              .dead_lettered = [&event_consumer] { return event_consumer.dead_lettered(); }});
  runner.RegisterService(&service, "consort.incentive.v1.IncentiveService");

  // Hooks run in reverse order: the consumer stores its batch in hand and closes, then the
  // producer flushes what the dead-letter sink sent.
  const absl::Duration grace = absl::Seconds(common.shutdown_grace_seconds);
  runner.AddShutdownHook("flush producer", [&] {
    if (absl::Status status = (*producer)->Flush(grace); !status.ok()) {
      spdlog::warn("msg=\"Kafka producer flush incomplete\" error={}",
                   consort::Quote(status.ToString()));
    }
  });
  runner.AddShutdownHook("stop event consumer", [&] { event_consumer.Stop(); });

  event_consumer.Start();
  return runner.Run();
}
