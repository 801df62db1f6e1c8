#pragma once

// Command-line and environment settings shared by every Consort service.
//
// Each setting is a CLI11 option whose value comes, in order of precedence, from the command-line
// flag, the environment variable, then the default. Services call AddCommonOptions and add their
// own options to the same CLI::App before parsing. Not thread-safe; used once at start-up.

#include <string>

#include "absl/strings/string_view.h"
#include "CLI/CLI.hpp"

namespace consort {

struct CommonConfig {
  std::string service_name;
  std::string listen_host = "0.0.0.0";
  int grpc_port = 0;
  int metrics_port = 0;
  std::string redis_address = "127.0.0.1:6379";
  std::string redis_password;
  // Prefix put before every Redis key of the service, so that several stacks (tests, say) can
  // share one Redis server. Empty in production.
  std::string redis_namespace;
  std::string kafka_bootstrap = "127.0.0.1:9092";
  std::string log_level = "info";
  int shutdown_grace_seconds = 20;
  std::string topic_sales = "consort.sales.v1";
  std::string topic_feedback = "consort.feedback.v1";
  std::string topic_scores = "consort.scores.v1";
  std::string topic_deadletter = "consort.deadletter.v1";
  // Partition count used when a service creates a topic that does not exist yet.
  int topic_partitions = 6;
  // Name of this process among the replicas of a service, used as its Redis consumer name.
  std::string instance_id;
};

// Registers the shared options on `app`, with `grpc_port` and `metrics_port` as the service's
// default ports.
void AddCommonOptions(CLI::App& app, CommonConfig& config, int default_grpc_port,
                      int default_metrics_port);

// Adds a string option `--flag` that falls back to environment variable `env`.
CLI::Option* AddStringOption(CLI::App& app, const std::string& flag, const std::string& env,
                             std::string& value, const std::string& help);

}  // namespace consort
