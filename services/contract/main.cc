// consort-contract: the contract service. Reads its settings, connects to Redis and Kafka,
// starts the outbox relay that publishes contract events, and serves ContractService until
// SIGTERM.

#include <string>

#include "CLI/CLI.hpp"
#include "common/config.h"
#include "common/logging.h"
#include "redis/redis_client.h"
#include "server/service_runner.h"
#include "services/contract/contract_service.h"
#include "services/contract/contract_store.h"
#include "services/contract/outbox_wiring.h"
#include "services/contract/partner_client.h"
#include "spdlog/spdlog.h"

namespace {

constexpr int kRedisConnections = 16;

struct ContractConfig {
  consort::CommonConfig common;
  consort::contract::PartnerSettings partner;
  std::string topic_contracts = "consort.contracts.v1";
};

int Serve(const ContractConfig& config) {
  consort::ServiceRunner runner(config.common);
  consort::redis::Pool redis(config.common.redis_address, config.common.redis_password,
                             kRedisConnections, runner.registry());
  consort::contract::ContractStore store(redis, config.common.redis_namespace,
                                         config.topic_contracts);

  // The topic is compacted: the latest event of each contract is its current terms.
  const consort::kafka::TopicSpec topic{
      config.topic_contracts, config.common.topic_partitions, {{"cleanup.policy", "compact"}}};
  auto publishing =
      consort::contract::StartPublishing(runner, config.common, redis, topic, store.outbox_key());
  if (!publishing.ok()) return 1;

  auto partners = consort::contract::NewPartnerClient(config.partner);
  consort::contract::ContractServiceImpl service(store, *partners);
  runner.RegisterService(&service, "consort.contract.v1.ContractService");
  return runner.Run();
}

}  // namespace

int main(int argc, char** argv) {
  consort::BlockShutdownSignals();

  ContractConfig config;
  config.common.service_name = "contract";
  CLI::App app{"Consort contract service: contracts, their scope and coverage look-ups"};
  consort::AddCommonOptions(app, config.common, 50052, 9452);
  consort::contract::AddPartnerOptions(app, config.partner);
  consort::AddStringOption(app, "--topic-contracts", "CONSORT_TOPIC_CONTRACTS",
                           config.topic_contracts, "Contract event topic (compacted)");
  CLI11_PARSE(app, argc, argv);

  consort::InitLogging(config.common.service_name, config.common.log_level);
  spdlog::info(
      "msg=\"contract service starting\" grpc_port={} metrics_port={} redis={} kafka={} "
      "partner_address={} topic={}",
      config.common.grpc_port, config.common.metrics_port, config.common.redis_address,
      config.common.kafka_bootstrap, config.partner.address, config.topic_contracts);
  return Serve(config);
}
