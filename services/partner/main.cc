// consort-partner: the partner register and the ReportSales intake. Settings come from
// environment variables and flags (docs/configuration.md); see README.md beside this file.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/logging.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "kafka/producer.h"
#include "kafka/topics.h"
#include "outbox/outbox_relay.h"
#include "partner/coverage_cache.h"
#include "partner/partner_keys.h"
#include "partner/partner_service.h"
#include "partner/partner_store.h"
#include "partner/sale_batch_processor.h"
#include "partner/sale_store.h"
#include "redis/redis_client.h"
#include "server/service_runner.h"
#include "spdlog/spdlog.h"

namespace {

constexpr int kDefaultGrpcPort = 50051;
constexpr int kDefaultMetricsPort = 9451;
// Connections to Redis; each ReportSales batch uses one for a round trip at a time.
constexpr int kRedisPoolSize = 16;
// Time allowed for one CheckCoverage call; past it the batch's uncached sales are rejected as
// coverage_unavailable.
constexpr absl::Duration kCoverageDeadline = absl::Seconds(2);
constexpr absl::Duration kTopicTimeout = absl::Seconds(30);

}  // namespace

int main(int argc, char** argv) {
  consort::BlockShutdownSignals();

  CLI::App app{"Consort partner service: partner register and sales reporting"};
  consort::CommonConfig config;
  config.service_name = "partner";
  consort::AddCommonOptions(app, config, kDefaultGrpcPort, kDefaultMetricsPort);
  std::string contract_address = "127.0.0.1:50052";
  consort::AddStringOption(app, "--contract-address", "CONSORT_CONTRACT_ADDRESS", contract_address,
                           "host:port of the contract service, asked for sale coverage");
  std::string topic_partners = "consort.partners.v1";
  consort::AddStringOption(app, "--topic-partners", "CONSORT_TOPIC_PARTNERS", topic_partners,
                           "Partner event topic (compacted)");
  CLI11_PARSE(app, argc, argv);
  consort::InitLogging(config.service_name, config.log_level);

  consort::ServiceRunner runner(config);
  consort::redis::Pool redis(config.redis_address, config.redis_password, kRedisPoolSize,
                             runner.registry());
  if (auto status = redis.Ping(); !status.ok()) {
    spdlog::error("msg=\"Redis is not reachable\" address={} error={}", config.redis_address,
                  consort::Quote(status.ToString()));
    return 1;
  }

  // The partner topic is compacted: the latest event of each partner is its current profile.
  const std::vector<consort::kafka::TopicSpec> topics = {
      {config.topic_sales, config.topic_partitions},
      {topic_partners, config.topic_partitions, {{"cleanup.policy", "compact"}}}};
  if (auto status = consort::kafka::EnsureTopics(config.kafka_bootstrap, topics, kTopicTimeout);
      !status.ok()) {
    spdlog::error("msg=\"Kafka topics could not be created\" bootstrap={} error={}",
                  config.kafka_bootstrap, consort::Quote(status.ToString()));
    return 1;
  }
  auto producer = consort::kafka::Producer::Create(
      config.kafka_bootstrap, absl::StrCat("consort-partner-", config.instance_id),
      runner.registry());
  if (!producer.ok()) {
    spdlog::error("msg=\"Kafka producer could not be created\" error={}",
                  consort::Quote(producer.status().ToString()));
    return 1;
  }

  const consort::partner::PartnerKeys keys(config.redis_namespace);
  consort::outbox::OutboxRelay relay(redis, **producer, keys.Outbox(), config.instance_id,
                                     runner.registry());
  if (auto status = relay.Start(); !status.ok()) {
    spdlog::error("msg=\"outbox relay could not start\" error={}",
                  consort::Quote(status.ToString()));
    return 1;
  }

  consort::partner::GrpcCoverageSource coverage_source(
      grpc::CreateChannel(contract_address, grpc::InsecureChannelCredentials()), kCoverageDeadline);
  consort::partner::CoverageCache coverage(coverage_source);
  consort::partner::PartnerStore partners(redis, keys, topic_partners);
  consort::partner::SaleStore sales(redis, keys, config.topic_sales);
  consort::partner::SaleBatchProcessor processor(sales, coverage, runner.registry());
  consort::partner::PartnerServiceImpl service(partners, processor,
                                               [&relay] { return relay.Status(); });

  runner.RegisterService(&service, "consort.partner.v1.PartnerService");
  runner.AddDrainHook("end open sales streams", [&service] { service.BeginStop(); });
  runner.AddShutdownHook("drain outbox relay", [&relay, &config] {
    if (auto status = relay.Stop(absl::Seconds(config.shutdown_grace_seconds)); !status.ok()) {
      spdlog::warn("msg=\"outbox relay stopped with entries left\" error={}",
                   consort::Quote(status.ToString()));
    }
  });
  spdlog::info(
      "msg=\"partner service configured\" contract_address={} redis_namespace={} "
      "topic_partners={}",
      contract_address, consort::Quote(config.redis_namespace), topic_partners);
  return runner.Run();
}
