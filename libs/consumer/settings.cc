#include "consumer/settings.h"

#include "common/config.h"

namespace consort::consumer {

void AddConsumerOptions(CLI::App& app, ConsumerSettings& settings) {
  AddStringOption(app, "--contract-address", "CONSORT_CONTRACT_ADDRESS", settings.contract_address,
                  "Contract service host:port");
  AddStringOption(app, "--consumer-group", "CONSORT_CONSUMER_GROUP", settings.consumer_group,
                  "Kafka consumer group of the event consumer");
  app.add_option("--consumer-batch-size", settings.batch_size,
                 "Messages polled and stored per Redis script")
      ->envname("CONSORT_CONSUMER_BATCH_SIZE")
      ->check(CLI::Range(1, 20000))
      ->capture_default_str();
  app.add_option("--contract-deadline-ms", settings.contract_deadline_ms,
                 "Deadline of each call to the contract service, in milliseconds")
      ->envname("CONSORT_CONTRACT_DEADLINE_MS")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  app.add_option("--dedup-retention-days", settings.dedup_retention_days,
                 "Days an applied event id (performance) or a parked refund (incentive) is kept "
                 "to catch a second copy of the event")
      ->envname("CONSORT_DEDUP_RETENTION_DAYS")
      ->check(CLI::Range(1, 365))
      ->capture_default_str();
}

}  // namespace consort::consumer
