#include "tests/support/topic_reader.h"

#include "tests/support/service_process.h"

namespace consort::testing {

TopicReader::TopicReader(const std::string& bootstrap, const std::string& topic) {
  absl::StatusOr<std::unique_ptr<kafka::Consumer>> consumer =
      kafka::Consumer::Create(bootstrap, "test-reader-" + UniqueSuffix(), {topic}, this, registry_,
                              {{"auto.offset.reset", "earliest"}});
  EXPECT_TRUE(consumer.ok()) << consumer.status();
  if (consumer.ok()) consumer_ = *std::move(consumer);
}

absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> TopicReader::Load(
    const std::vector<kafka::TopicPartition>&) {
  return std::map<kafka::TopicPartition, int64_t>{};
}

const std::vector<kafka::Message>& TopicReader::ReadUntil(
    const std::function<bool(const std::vector<kafka::Message>&)>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (consumer_ != nullptr && !done(messages_) && absl::Now() < deadline) {
    absl::StatusOr<std::vector<kafka::Message>> batch =
        consumer_->Poll(1000, absl::Milliseconds(200));
    if (!batch.ok()) continue;
    for (kafka::Message& message : *batch) messages_.push_back(std::move(message));
  }
  return messages_;
}

const std::vector<kafka::Message>& TopicReader::ReadAtLeast(size_t count, absl::Duration timeout) {
  return ReadUntil(
      [count](const std::vector<kafka::Message>& messages) { return messages.size() >= count; },
      timeout);
}

}  // namespace consort::testing
