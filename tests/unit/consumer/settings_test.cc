#include "consumer/settings.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace consort::consumer {
namespace {

TEST(AddConsumerOptions, KeepsDefaults) {
  CLI::App app;
  ConsumerSettings settings{.consumer_group = "consort-incentive"};
  AddConsumerOptions(app, settings);
  ASSERT_NO_THROW(app.parse(std::vector<std::string>{}));
  EXPECT_EQ(settings.contract_address, "127.0.0.1:50052");
  EXPECT_EQ(settings.consumer_group, "consort-incentive");
  EXPECT_EQ(settings.batch_size, 5000);
  EXPECT_EQ(settings.contract_deadline_ms, 2000);
  EXPECT_EQ(settings.dedup_retention_days, 7);
}

TEST(AddConsumerOptions, ReadsFlagsAndEnvironment) {
  setenv("CONSORT_CONSUMER_BATCH_SIZE", "250", 1);
  CLI::App app;
  ConsumerSettings settings;
  AddConsumerOptions(app, settings);
  // CLI11 takes the arguments in reverse order.
  ASSERT_NO_THROW(app.parse(
      std::vector<std::string>{"g-1", "--consumer-group", "127.0.0.1:6000", "--contract-address"}));
  unsetenv("CONSORT_CONSUMER_BATCH_SIZE");
  EXPECT_EQ(settings.contract_address, "127.0.0.1:6000");
  EXPECT_EQ(settings.consumer_group, "g-1");
  EXPECT_EQ(settings.batch_size, 250);
}

TEST(AddConsumerOptions, RejectsBatchSizeOutOfRange) {
  CLI::App app;
  ConsumerSettings settings;
  AddConsumerOptions(app, settings);
  EXPECT_THROW(app.parse(std::vector<std::string>{"0", "--consumer-batch-size"}),
               CLI::ValidationError);
}

TEST(AddConsumerOptions, ReadsRetentionFromEnvironment) {
  setenv("CONSORT_DEDUP_RETENTION_DAYS", "30", 1);
  CLI::App app;
  ConsumerSettings settings;
  AddConsumerOptions(app, settings);
  ASSERT_NO_THROW(app.parse(std::vector<std::string>{}));
  unsetenv("CONSORT_DEDUP_RETENTION_DAYS");
  EXPECT_EQ(settings.dedup_retention_days, 30);
}

TEST(AddConsumerOptions, RejectsRetentionOutOfRange) {
  for (const char* days : {"0", "366", "seven"}) {
    CLI::App app;
    ConsumerSettings settings;
    AddConsumerOptions(app, settings);
    EXPECT_THROW(app.parse(std::vector<std::string>{days, "--dedup-retention-days"}), CLI::Error)
        << days;
  }
}

}  // namespace
}  // namespace consort::consumer
