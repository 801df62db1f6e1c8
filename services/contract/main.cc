// consort-contract: the contract service. Reads its settings, connects to Redis and Kafka,
// starts the outbox relay that publishes contract events, and serves ContractService until
// SIGTERM.

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "common/logging.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "outbox/outbox_relay.h"
#include "redis/redis_client.h"
#include "server/service_runner.h"
#include "services/contract/contract_service.h"
#include "services/contract/contract_store.h"
#include "services/contract/partner_client.h"
#include "spdlog/spdlog.h"

namespace {

constexpr int kRedisConnections = 16;
constexpr absl::Duration kTopicTimeout = absl::Seconds(30);

struct ContractConfig {
  consort::CommonConfig common;
  std::string partner_address = "127.0.0.1:50051";
  std::string topic_contracts = "consort.contracts.v1";
  int partner_timeout_ms = 3000;
};

int Serve(const ContractConfig& config) {
  consort::ServiceRunner runner(config.common);
  prometheus::Registry& registry = runner.registry();

  consort::redis::Pool redis(config.common.redis_address, config.common.redis_password,
                             kRedisConnections, registry);
  if (auto ping = redis.Ping(); !ping.ok()) {
    spdlog::error("msg=\"Redis is unreachable\" address={} error={}", config.common.redis_address,
                  consort::Quote(ping.ToString()));
    return 1;
  }

  consort::kafka::TopicSpec topic{
      config.topic_contracts, config.common.topic_partitions, {{"cleanup.policy", "compact"}}};
  if (auto ensured =
          consort::kafka::EnsureTopics(config.common.kafka_bootstrap, {topic}, kTopicTimeout);
      !ensured.ok()) {
    spdlog::error("msg=\"Kafka topic setup failed\" bootstrap={} topic={} error={}",
                  config.common.kafka_bootstrap, config.topic_contracts,
                  consort::Quote(ensured.ToString()));
    return 1;
  }
  auto producer = consort::kafka::Producer::Create(
      config.common.kafka_bootstrap, absl::StrCat("consort-contract-", config.common.instance_id),
      registry);
  if (!producer.ok()) {
    spdlog::error("msg=\"Kafka producer failed to start\" error={}",
                  consort::Quote(producer.status().ToString()));
    return 1;
  }

  consort::contract::ContractStore store(redis, config.common.redis_namespace,
                                         config.topic_contracts);
  consort::outbox::OutboxRelay relay(redis, **producer, store.outbox_key(),
                                     config.common.instance_id, registry);
  if (auto started = relay.Start(); !started.ok()) {
    spdlog::error("msg=\"outbox relay failed to start\" error={}",
                  consort::Quote(started.ToString()));
    return 1;
  }

  consort::contract::PartnerClientOptions partner_options;
  partner_options.deadline = absl::Milliseconds(config.partner_timeout_ms);
  consort::contract::PartnerClient partners(
      grpc::CreateChannel(config.partner_address, grpc::InsecureChannelCredentials()),
      config.partner_address, partner_options);
  consort::contract::ContractServiceImpl service(store, partners);

  runner.RegisterService(&service, "consort.contract.v1.ContractService");
  runner.AddShutdownHook("outbox relay", [&relay, &config] {
    if (auto stopped = relay.Stop(absl::Seconds(config.common.shutdown_grace_seconds));
        !stopped.ok()) {
      spdlog::warn("msg=\"outbox relay stopped with events left\" error={}",
                   consort::Quote(stopped.ToString()));
    }
  });
  return runner.Run();
}

}  // namespace

int main(int argc, char** argv) {
  consort::BlockShutdownSignals();

  ContractConfig config;
  config.common.service_name = "contract";
  CLI::App app{"Consort contract service: contracts, their scope and coverage look-ups"};
  consort::AddCommonOptions(app, config.common, 50052, 9452);
  consort::AddStringOption(app, "--partner-address", "CONSORT_PARTNER_ADDRESS",
                           config.partner_address, "Partner service gRPC host:port");
  consort::AddStringOption(app, "--topic-contracts", "CONSORT_TOPIC_CONTRACTS",
                           config.topic_contracts, "Contract event topic (compacted)");
  app.add_option("--partner-timeout-ms", config.partner_timeout_ms,
                 "Deadline in milliseconds of each call to the partner service")
      ->envname("CONSORT_PARTNER_TIMEOUT_MS")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  consort::InitLogging(config.common.service_name, config.common.log_level);
  spdlog::info(
      "msg=\"contract service starting\" grpc_port={} metrics_port={} redis={} "
      "kafka={} partner_address={}",
      config.common.grpc_port, config.common.metrics_port, config.common.redis_address,
      config.common.kafka_bootstrap, config.partner_address);
  return Serve(config);
}
