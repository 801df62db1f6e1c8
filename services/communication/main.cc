// consort-communication: the communication service. Reads its settings, connects to Redis and
// Kafka, starts the outbox relay that publishes feedback events, and serves CommunicationService
// until SIGTERM.

#include "CLI/CLI.hpp"
#include "common/config.h"
#include "common/logging.h"
#include "redis/redis_client.h"
#include "server/service_runner.h"
#include "services/communication/communication_service.h"
#include "services/communication/feedback_store.h"
#include "services/contract/outbox_wiring.h"
#include "services/contract/partner_client.h"
#include "spdlog/spdlog.h"

namespace {

// Connections shared by the gRPC threads. RecordFeedback uses one for a single round trip.
constexpr int kRedisConnections = 32;

struct CommunicationConfig {
  consort::CommonConfig common;
  consort::contract::PartnerSettings partner;
};

int Serve(const CommunicationConfig& config) {
  consort::ServiceRunner runner(config.common);
  consort::redis::Pool redis(config.common.redis_address, config.common.redis_password,
                             kRedisConnections, runner.registry());
  consort::communication::FeedbackStore store(redis, config.common.redis_namespace,
                                              config.common.topic_feedback);

  const consort::kafka::TopicSpec topic{config.common.topic_feedback,
                                        config.common.topic_partitions};
  auto publishing =
      consort::contract::StartPublishing(runner, config.common, redis, topic, store.outbox_key());
  if (!publishing.ok()) return 1;

  auto partners = consort::contract::NewPartnerClient(config.partner);
  consort::communication::CommunicationServiceImpl service(store, *partners, *publishing->relay,
                                                           runner.registry());
  runner.RegisterService(&service, "consort.communication.v1.CommunicationService");
  return runner.Run();
}

}  // namespace

int main(int argc, char** argv) {
  consort::BlockShutdownSignals();

  CommunicationConfig config;
  config.common.service_name = "communication";
  CLI::App app{"Consort communication service: customer feedback and its events"};
  consort::AddCommonOptions(app, config.common, 50053, 9453);
  consort::contract::AddPartnerOptions(app, config.partner);
  CLI11_PARSE(app, argc, argv);

  consort::InitLogging(config.common.service_name, config.common.log_level);
  spdlog::info(
      "msg=\"communication service starting\" grpc_port={} metrics_port={} redis={} kafka={} "
      "partner_address={} topic={}",
      config.common.grpc_port, config.common.metrics_port, config.common.redis_address,
      config.common.kafka_bootstrap, config.partner.address, config.common.topic_feedback);
  return Serve(config);
}
