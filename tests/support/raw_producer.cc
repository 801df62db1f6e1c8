#include "tests/support/raw_producer.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace consort::testing {

RawProducer::RawProducer(const std::string& bootstrap) {
  absl::StatusOr<std::unique_ptr<kafka::Producer>> producer =
      kafka::Producer::Create(bootstrap, "consort-test", registry_);
  EXPECT_TRUE(producer.ok()) << producer.status();
  if (producer.ok()) producer_ = *std::move(producer);
}

void RawProducer::Send(const std::string& topic, const std::string& key,
                       const std::string& payload) {
  ASSERT_NE(producer_, nullptr);
  ASSERT_TRUE(producer_->Produce(topic, key, payload, {}, {}).ok());
}

void RawProducer::Flush() {
  ASSERT_NE(producer_, nullptr);
  ASSERT_TRUE(producer_->Flush(absl::Seconds(30)).ok());
}

}  // namespace consort::testing
