#pragma once

// Helpers for the performance service's integration tests. PerformanceStack runs the real
// partner, contract, communication and performance binaries with clients for them, sets up
// partners with active contracts, reports sales and feedback, and waits for scorecards.
// RawProducer puts events straight onto a topic, and TopicReader reads a topic from its start.
//
// Not thread-safe: one test thread drives a stack.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/time_util.h"
#include "consort/communication/v1/communication.grpc.pb.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/events/v1/events.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "consort/performance/v1/performance.grpc.pb.h"
#include "gtest/gtest.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "prometheus/registry.h"
#include "tests/support/service_process.h"

namespace consort::performance::testing {

using consort::testing::Stack;

inline std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration deadline = absl::Seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return context;
}

// Returns the instant of a local time in America/Sao_Paulo.
inline absl::Time SaoPaulo(absl::CivilSecond local) {
  absl::TimeZone zone;
  absl::LoadTimeZone("America/Sao_Paulo", &zone);
  return absl::FromCivil(local, zone);
}

// Returns the "YYYY-MM" label of the month `months_back` months before the current one in
// America/Sao_Paulo, and the instant of 23:30 local time on its last day.
struct PastMonth {
  std::string label;
  absl::Time last_evening;
  absl::Time mid_month;
};

inline PastMonth MonthsBack(int months_back) {
  absl::TimeZone zone;
  absl::LoadTimeZone("America/Sao_Paulo", &zone);
  const absl::CivilMonth month =
      absl::CivilMonth(absl::ToCivilSecond(absl::Now(), zone)) - months_back;
  const absl::CivilDay last_day = absl::CivilDay(month + 1) - 1;
  PastMonth past;
  past.label = absl::FormatCivilTime(month).substr(0, 7);
  past.last_evening = absl::FromCivil(
      absl::CivilSecond(last_day.year(), last_day.month(), last_day.day(), 23, 30, 0), zone);
  past.mid_month =
      absl::FromCivil(absl::CivilSecond(month.year(), month.month(), 15, 12, 0, 0), zone);
  return past;
}

// Reads every message of a topic from its beginning, in a consumer group of its own.
class TopicReader : public kafka::OffsetStore {
 public:
  TopicReader(const std::string& bootstrap, const std::string& topic) {
    auto consumer =
        kafka::Consumer::Create(bootstrap, "test-reader-" + consort::testing::UniqueSuffix(),
                                {topic}, this, registry_, {{"auto.offset.reset", "earliest"}});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (consumer.ok()) consumer_ = *std::move(consumer);
  }

  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> Load(
      const std::vector<kafka::TopicPartition>&) override {
    return std::map<kafka::TopicPartition, int64_t>{};
  }

  // Polls until `done` returns true for the messages read so far, or `timeout` passes.
  const std::vector<kafka::Message>& ReadUntil(
      const std::function<bool(const std::vector<kafka::Message>&)>& done, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (consumer_ != nullptr && !done(messages_) && absl::Now() < deadline) {
      auto batch = consumer_->Poll(1000, absl::Milliseconds(200));
      if (!batch.ok()) continue;
      for (kafka::Message& message : *batch) messages_.push_back(std::move(message));
    }
    return messages_;
  }

 private:
  prometheus::Registry registry_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::vector<kafka::Message> messages_;
};

// Produces raw payloads to a topic and waits for each acknowledgement.
class RawProducer {
 public:
  explicit RawProducer(const std::string& bootstrap) {
    auto producer = kafka::Producer::Create(bootstrap, "performance-test", registry_);
    EXPECT_TRUE(producer.ok()) << producer.status();
    if (producer.ok()) producer_ = *std::move(producer);
  }

  void Send(const std::string& topic, const std::string& key, const std::string& payload) {
    ASSERT_NE(producer_, nullptr);
    ASSERT_TRUE(producer_->Produce(topic, key, payload, {}, {}).ok());
  }

  void Flush() {
    ASSERT_NE(producer_, nullptr);
    ASSERT_TRUE(producer_->Flush(absl::Seconds(30)).ok());
  }

 private:
  prometheus::Registry registry_;
  std::unique_ptr<kafka::Producer> producer_;
};

// Returns the body of GET http://127.0.0.1:<port><path>, or an empty string on failure.
inline std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[8192];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
    }
  }
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// The services and their clients.
class PerformanceStack {
 public:
  static std::unique_ptr<PerformanceStack> Start() {
    auto stack = Stack::Start({"partner", "contract", "communication", "performance"});
    EXPECT_TRUE(stack.ok()) << stack.status();
    if (!stack.ok()) return nullptr;
    auto result = std::unique_ptr<PerformanceStack>(new PerformanceStack());
    result->stack_ = *std::move(stack);
    result->Connect();
    return result;
  }

  Stack& stack() { return *stack_; }
  std::string topic(const std::string& base) const { return stack_->topic(base); }
  partner::v1::PartnerService::Stub& partners() { return *partners_; }
  contract::v1::ContractService::Stub& contracts() { return *contracts_; }
  communication::v1::CommunicationService::Stub& feedback() { return *feedback_; }
  v1::PerformanceService::Stub& performance() { return *performance_; }

  // Re-creates the performance client after a restart.
  void Connect() {
    partners_ = partner::v1::PartnerService::NewStub(stack_->service("partner").Channel());
    contracts_ = contract::v1::ContractService::NewStub(stack_->service("contract").Channel());
    feedback_ = communication::v1::CommunicationService::NewStub(
        stack_->service("communication").Channel());
    performance_ = v1::PerformanceService::NewStub(stack_->service("performance").Channel());
  }

  // Creates an active partner with an active BRL contract "c-<partner_id>" covering region SP,
  // every category and channel "marketplace", with the given monthly target.
  void AddPartner(const std::string& partner_id, const std::string& target = "1000.00") {
    partner::v1::CreatePartnerRequest create;
    partner::v1::Partner& partner = *create.mutable_partner();
    partner.set_partner_id(partner_id);
    partner.set_display_name("Loja " + partner_id);
    partner.set_home_region("SP");
    partner.add_contacts()->set_name("Ana Souza");
    partner.set_status(partner::v1::PARTNER_STATUS_ACTIVE);
    partner::v1::Partner created;
    grpc::Status status = partners_->CreatePartner(Deadline().get(), create, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();

    contract::v1::CreateContractRequest contract_request;
    contract::v1::Contract& contract = *contract_request.mutable_contract();
    contract.set_contract_id(ContractId(partner_id));
    contract.set_partner_id(partner_id);
    contract.add_regions("SP");
    contract.set_all_product_categories(true);
    contract.add_channels("marketplace");
    contract.set_currency("BRL");
    contract.set_time_zone("America/Sao_Paulo");
    contract.mutable_monthly_target()->set_currency("BRL");
    contract.mutable_monthly_target()->set_amount(target);
    contract.set_commission_rate("10%");
    contract::v1::Contract stored;
    status = contracts_->CreateContract(Deadline().get(), contract_request, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();

    contract::v1::ActivateContractRequest activate;
    activate.set_contract_id(ContractId(partner_id));
    status = contracts_->ActivateContract(Deadline().get(), activate, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  static std::string ContractId(const std::string& partner_id) { return "c-" + partner_id; }

  // Reports records through ReportSales and returns one outcome per record.
  std::vector<partner::v1::SaleResult> Report(const std::vector<partner::v1::SaleRecord>& records) {
    auto context = Deadline(absl::Seconds(60));
    auto stream = partners_->ReportSales(context.get());
    for (const partner::v1::SaleRecord& record : records) stream->Write(record);
    stream->WritesDone();
    std::vector<partner::v1::SaleResult> results;
    partner::v1::SaleResult result;
    while (stream->Read(&result)) results.push_back(result);
    grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return results;
  }

  // Reports records and expects each to be accepted.
  void ReportAccepted(const std::vector<partner::v1::SaleRecord>& records) {
    std::vector<partner::v1::SaleResult> results = Report(records);
    ASSERT_EQ(results.size(), records.size());
    for (const partner::v1::SaleResult& result : results) {
      EXPECT_EQ(result.outcome(), partner::v1::SALE_OUTCOME_ACCEPTED)
          << result.sale_id() << ": " << result.reason() << " " << result.message();
    }
  }

  void RecordFeedback(const std::string& feedback_id, const std::string& partner_id, int rating,
                      absl::Time time) {
    communication::v1::RecordFeedbackRequest request;
    communication::v1::Feedback& feedback = *request.mutable_feedback();
    feedback.set_feedback_id(feedback_id);
    feedback.set_partner_id(partner_id);
    feedback.set_rating(rating);
    *feedback.mutable_event_time() = ToProtoTimestamp(time);
    communication::v1::RecordFeedbackResponse response;
    grpc::Status status = feedback_->RecordFeedback(Deadline().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status GetScorecard(const std::string& partner_id, const std::string& period,
                            v1::Scorecard* card) {
    v1::GetScorecardRequest request;
    request.set_partner_id(partner_id);
    request.set_period(period);
    return performance_->GetScorecard(Deadline().get(), request, card);
  }

  // Polls GetScorecard until `done` accepts the scorecard or `timeout` passes; returns the last
  // scorecard read (empty when none exists).
  v1::Scorecard WaitForScorecard(const std::string& partner_id, const std::string& period,
                                 const std::function<bool(const v1::Scorecard&)>& done,
                                 absl::Duration timeout = absl::Seconds(60)) {
    const absl::Time deadline = absl::Now() + timeout;
    v1::Scorecard card;
    while (absl::Now() < deadline) {
      v1::Scorecard read;
      if (GetScorecard(partner_id, period, &read).ok()) {
        card = read;
        if (done(card)) break;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return card;
  }

  common::v1::ConsumerProgress Progress() {
    common::v1::ConsumerProgress progress;
    grpc::Status status = performance_->GetConsumerProgress(
        Deadline().get(), common::v1::GetConsumerProgressRequest(), &progress);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return progress;
  }

  // Waits until the consumer has stored every message up to the high watermark of each partition
  // assigned to it. Returns false on timeout.
  bool WaitCaughtUp(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      common::v1::ConsumerProgress progress = Progress();
      bool caught_up = progress.partitions_size() > 0;
      for (const common::v1::PartitionProgress& partition : progress.partitions()) {
        if (partition.high_watermark() < 0 ||
            partition.next_offset() < partition.high_watermark()) {
          caught_up = false;
        }
      }
      if (caught_up) return true;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return false;
  }

 private:
  PerformanceStack() = default;

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<partner::v1::PartnerService::Stub> partners_;
  std::unique_ptr<contract::v1::ContractService::Stub> contracts_;
  std::unique_ptr<communication::v1::CommunicationService::Stub> feedback_;
  std::unique_ptr<v1::PerformanceService::Stub> performance_;
};

inline partner::v1::SaleRecord SaleRecord(const std::string& sale_id, const std::string& partner_id,
                                          const std::string& amount, const std::string& order_id,
                                          int quantity, absl::Time time) {
  partner::v1::SaleRecord record;
  record.set_sale_id(sale_id);
  record.set_partner_id(partner_id);
  record.set_kind(partner::v1::SALE_RECORD_KIND_SALE);
  record.mutable_amount()->set_currency("BRL");
  record.mutable_amount()->set_amount(amount);
  record.set_region("SP");
  record.set_product_category("toys");
  record.set_channel("marketplace");
  record.set_order_id(order_id);
  record.set_quantity(quantity);
  *record.mutable_event_time() = ToProtoTimestamp(time);
  return record;
}

inline partner::v1::SaleRecord RefundRecord(const std::string& sale_id, const std::string& original,
                                            const std::string& partner_id,
                                            const std::string& amount, absl::Time time) {
  partner::v1::SaleRecord record;
  record.set_sale_id(sale_id);
  record.set_partner_id(partner_id);
  record.set_kind(partner::v1::SALE_RECORD_KIND_REFUND);
  record.set_original_sale_id(original);
  record.mutable_amount()->set_currency("BRL");
  record.mutable_amount()->set_amount(amount);
  *record.mutable_event_time() = ToProtoTimestamp(time);
  return record;
}

// A SaleEvent as the partner service publishes it, for producing straight onto the topic.
inline events::v1::SaleEvent SaleEventOf(const std::string& sale_id, const std::string& partner_id,
                                         int64_t amount_minor, const std::string& order_id,
                                         absl::Time time) {
  events::v1::SaleEvent sale;
  sale.mutable_meta()->set_event_id("event-" + sale_id);
  *sale.mutable_meta()->mutable_event_time() = ToProtoTimestamp(time);
  *sale.mutable_meta()->mutable_record_time() = ToProtoTimestamp(absl::Now());
  sale.mutable_meta()->set_producer("test");
  sale.set_sale_id(sale_id);
  sale.set_partner_id(partner_id);
  sale.set_kind(events::v1::SALE_KIND_SALE);
  sale.set_currency("BRL");
  sale.set_amount_minor(amount_minor);
  sale.set_region("SP");
  sale.set_product_category("toys");
  sale.set_channel("marketplace");
  sale.set_order_id(order_id);
  sale.set_quantity(1);
  sale.set_contract_id(PerformanceStack::ContractId(partner_id));
  return sale;
}

}  // namespace consort::performance::testing
