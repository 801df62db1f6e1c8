#include "common/config.h"

#include <unistd.h>

#include <array>

namespace consort {

CLI::Option* AddStringOption(CLI::App& app, const std::string& flag, const std::string& env,
                             std::string& value, const std::string& help) {
  return app.add_option(flag, value, help)->envname(env)->capture_default_str();
}

void AddCommonOptions(CLI::App& app, CommonConfig& config, int default_grpc_port,
                      int default_metrics_port) {
  config.grpc_port = default_grpc_port;
  config.metrics_port = default_metrics_port;
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) == 0) config.instance_id = host.data();

  AddStringOption(app, "--listen-host", "CONSORT_LISTEN_HOST", config.listen_host,
                  "Address the gRPC and metrics servers bind");
  app.add_option("--grpc-port", config.grpc_port, "gRPC port")
      ->envname("CONSORT_GRPC_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--metrics-port", config.metrics_port, "HTTP port of the /metrics endpoint")
      ->envname("CONSORT_METRICS_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  AddStringOption(app, "--redis-address", "CONSORT_REDIS_ADDRESS", config.redis_address,
                  "Redis host:port");
  AddStringOption(app, "--redis-password", "CONSORT_REDIS_PASSWORD", config.redis_password,
                  "Redis password; empty for none");
  AddStringOption(app, "--redis-namespace", "CONSORT_REDIS_NAMESPACE", config.redis_namespace,
                  "Prefix for every Redis key of the service; empty in production");
  AddStringOption(app, "--kafka-bootstrap", "CONSORT_KAFKA_BOOTSTRAP", config.kafka_bootstrap,
                  "Kafka bootstrap servers, comma-separated host:port");
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn or error")
      ->envname("CONSORT_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--shutdown-grace-seconds", config.shutdown_grace_seconds,
                 "Seconds allowed on SIGTERM to finish accepted work and flush Kafka")
      ->envname("CONSORT_SHUTDOWN_GRACE_SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  AddStringOption(app, "--topic-sales", "CONSORT_TOPIC_SALES", config.topic_sales, "Sales topic");
  AddStringOption(app, "--topic-feedback", "CONSORT_TOPIC_FEEDBACK", config.topic_feedback,
                  "Feedback topic");
  AddStringOption(app, "--topic-scores", "CONSORT_TOPIC_SCORES", config.topic_scores,
                  "Score topic");
  AddStringOption(app, "--topic-deadletter", "CONSORT_TOPIC_DEADLETTER", config.topic_deadletter,
                  "Dead-letter topic");
  app.add_option("--topic-partitions", config.topic_partitions,
                 "Partitions of a topic this service creates when it is missing")
      ->envname("CONSORT_TOPIC_PARTITIONS")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  AddStringOption(app, "--instance-id", "CONSORT_INSTANCE_ID", config.instance_id,
                  "Name of this replica, unique among the replicas of the service (default: "
                  "the host name)");
}

}  // namespace consort
