#pragma once

// Helpers for the incentive service's integration tests. IncentiveStackTest runs the real partner,
// contract and incentive binaries against the test run's Kafka and Redis. It creates partners with
// active contracts, reports sales and refunds through ReportSales or puts raw events straight onto
// the sales topic, and waits until the incentive service has stored them. TopicReader reads the
// dead-letter topic.
//
// Not thread-safe: one test thread drives a stack.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/time_util.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/events/v1/events.pb.h"
#include "consort/incentive/v1/incentive.grpc.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "gtest/gtest.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "prometheus/registry.h"
#include "tests/support/service_process.h"

namespace consort::incentive::testing {

using consort::testing::Stack;

inline std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration deadline = absl::Seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return context;
}

// The instant of a local time in America/Sao_Paulo, the zone of every test contract.
inline absl::Time SaoPaulo(int year, int month, int day, int hour = 12, int minute = 0) {
  absl::TimeZone zone;
  absl::LoadTimeZone("America/Sao_Paulo", &zone);
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0), zone);
}

// A SaleEvent as the partner service publishes it, for putting straight onto the topic.
inline events::v1::SaleEvent SaleEventOf(const std::string& sale_id, const std::string& partner_id,
                                         int64_t amount_minor, absl::Time time,
                                         const std::string& original_sale_id = "") {
  events::v1::SaleEvent sale;
  sale.mutable_meta()->set_event_id("event-" + sale_id);
  *sale.mutable_meta()->mutable_event_time() = ToProtoTimestamp(time);
  *sale.mutable_meta()->mutable_record_time() = ToProtoTimestamp(absl::Now());
  sale.mutable_meta()->set_producer("incentive-test");
  sale.set_sale_id(sale_id);
  sale.set_partner_id(partner_id);
  const bool refund = !original_sale_id.empty();
  sale.set_kind(refund ? events::v1::SALE_KIND_REFUND : events::v1::SALE_KIND_SALE);
  sale.set_original_sale_id(original_sale_id);
  sale.set_currency("BRL");
  sale.set_amount_minor(refund ? -amount_minor : amount_minor);
  sale.set_region("SP");
  sale.set_product_category("toys");
  sale.set_channel("marketplace");
  sale.set_quantity(refund ? 0 : 1);
  sale.set_contract_id("contract-" + partner_id);
  return sale;
}

// Produces raw payloads to a topic, keyed like the partner service keys them.
class RawProducer {
 public:
  explicit RawProducer(const std::string& bootstrap) {
    auto producer = kafka::Producer::Create(bootstrap, "incentive-test", registry_);
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

// Reads a topic from its beginning in a consumer group of its own.
class TopicReader : public kafka::OffsetStore {
 public:
  TopicReader(const std::string& bootstrap, const std::string& topic) {
    auto consumer = kafka::Consumer::Create(
        bootstrap, "incentive-test-reader-" + consort::testing::UniqueSuffix(), {topic}, this,
        registry_, {{"auto.offset.reset", "earliest"}});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (consumer.ok()) consumer_ = *std::move(consumer);
  }

  absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> Load(
      const std::vector<kafka::TopicPartition>&) override {
    return std::map<kafka::TopicPartition, int64_t>{};
  }

  // Polls until `count` messages were read or `timeout` passes.
  const std::vector<kafka::Message>& ReadAtLeast(size_t count, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (consumer_ != nullptr && messages_.size() < count && absl::Now() < deadline) {
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

// Returns the value of the sample line that starts with `series` (name and labels exactly as
// exposed), or -1 when there is none.
inline double MetricValue(const std::string& metrics, const std::string& series) {
  size_t at = 0;
  while ((at = metrics.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || metrics[at - 1] == '\n') {
      return std::stod(metrics.substr(at + series.size() + 1));
    }
    at += series.size();
  }
  return -1;
}

// A stack of partner, contract and incentive with clients and helpers. Tests are skipped when
// the test run has no Kafka or Redis.
class IncentiveStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (consort::testing::KafkaBootstrap().empty() || consort::testing::RedisAddress().empty()) {
      GTEST_SKIP() << consort::testing::MissingInfrastructureMessage();
    }
    auto stack = Stack::Start({"partner", "contract", "incentive"});
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    Connect();
  }

  // Reconnects the clients, after a restart.
  void Connect() {
    partner_ = partner::v1::PartnerService::NewStub(stack_->service("partner").Channel());
    contract_ = contract::v1::ContractService::NewStub(stack_->service("contract").Channel());
    incentive_ = v1::IncentiveService::NewStub(stack_->service("incentive").Channel());
  }

  std::string SalesTopic() const { return stack_->topic("consort.sales.v1"); }

  // Creates an active partner and an active contract "contract-<partner_id>" covering SP, every
  // category and channel marketplace in BRL and America/Sao_Paulo, at `rate`.
  void CreatePartner(const std::string& partner_id, const std::string& rate) {
    partner::v1::CreatePartnerRequest request;
    partner::v1::Partner& partner = *request.mutable_partner();
    partner.set_partner_id(partner_id);
    partner.set_display_name("Loja " + partner_id);
    partner.set_home_region("SP");
    partner.set_status(partner::v1::PARTNER_STATUS_ACTIVE);
    partner::v1::Contact& contact = *partner.add_contacts();
    contact.set_name("Ana Souza");
    contact.set_email("ana@example.com");
    partner::v1::Partner created;
    grpc::Status status = partner_->CreatePartner(Deadline().get(), request, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();

    contract::v1::CreateContractRequest contract_request;
    contract::v1::Contract& contract = *contract_request.mutable_contract();
    contract.set_contract_id("contract-" + partner_id);
    contract.set_partner_id(partner_id);
    contract.add_regions("SP");
    contract.set_all_product_categories(true);
    contract.add_channels("marketplace");
    contract.set_currency("BRL");
    contract.set_time_zone("America/Sao_Paulo");
    contract.mutable_monthly_target()->set_currency("BRL");
    contract.mutable_monthly_target()->set_amount("1000.00");
    contract.set_commission_rate(rate);
    contract::v1::Contract stored;
    status = contract_->CreateContract(Deadline().get(), contract_request, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
    contract::v1::ActivateContractRequest activate;
    activate.set_contract_id("contract-" + partner_id);
    status = contract_->ActivateContract(Deadline().get(), activate, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  static partner::v1::SaleRecord SaleRecord(const std::string& sale_id,
                                            const std::string& partner_id,
                                            const std::string& amount, absl::Time time) {
    partner::v1::SaleRecord record;
    record.set_sale_id(sale_id);
    record.set_partner_id(partner_id);
    record.set_kind(partner::v1::SALE_RECORD_KIND_SALE);
    record.mutable_amount()->set_currency("BRL");
    record.mutable_amount()->set_amount(amount);
    record.set_region("SP");
    record.set_product_category("toys");
    record.set_channel("marketplace");
    record.set_order_id("order-" + sale_id);
    record.set_quantity(1);
    *record.mutable_event_time() = ToProtoTimestamp(time);
    return record;
  }

  static partner::v1::SaleRecord RefundRecord(const std::string& refund_id,
                                              const std::string& sale_id,
                                              const std::string& partner_id,
                                              const std::string& amount, absl::Time time) {
    partner::v1::SaleRecord record;
    record.set_sale_id(refund_id);
    record.set_partner_id(partner_id);
    record.set_kind(partner::v1::SALE_RECORD_KIND_REFUND);
    record.set_original_sale_id(sale_id);
    record.mutable_amount()->set_currency("BRL");
    record.mutable_amount()->set_amount(amount);
    *record.mutable_event_time() = ToProtoTimestamp(time);
    return record;
  }

  // Reports `records` on one ReportSales stream and expects each to be accepted.
  void Report(const std::vector<partner::v1::SaleRecord>& records) {
    auto context = Deadline(absl::Seconds(120));
    auto stream = partner_->ReportSales(context.get());
    std::vector<partner::v1::SaleResult> results;
    std::thread reader([&] {
      partner::v1::SaleResult result;
      while (stream->Read(&result)) results.push_back(result);
    });
    for (const partner::v1::SaleRecord& record : records) {
      if (!stream->Write(record)) break;
    }
    stream->WritesDone();
    reader.join();
    grpc::Status status = stream->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(results.size(), records.size());
    for (const partner::v1::SaleResult& result : results) {
      EXPECT_EQ(result.outcome(), partner::v1::SALE_OUTCOME_ACCEPTED)
          << result.sale_id() << ": " << result.reason() << " " << result.message();
    }
    events_on_topic_ += static_cast<int64_t>(records.size());
  }

  // Puts serialized events straight onto the sales topic, keyed by `key`.
  void Produce(const std::vector<std::string>& payloads, const std::string& key) {
    RawProducer producer(consort::testing::KafkaBootstrap());
    for (const std::string& payload : payloads) producer.Send(SalesTopic(), key, payload);
    producer.Flush();
    events_on_topic_ += static_cast<int64_t>(payloads.size());
  }

  consort::common::v1::ConsumerProgress Progress() {
    consort::common::v1::ConsumerProgress progress;
    grpc::Status status = incentive_->GetConsumerProgress(
        Deadline().get(), consort::common::v1::GetConsumerProgressRequest(), &progress);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return progress;
  }

  // Events the service has stored, summed over its assigned partitions. The topic is the
  // stack's own, so offsets count events.
  int64_t StoredEvents() {
    int64_t stored = 0;
    const consort::common::v1::ConsumerProgress progress = Progress();
    for (const auto& partition : progress.partitions()) {
      stored += std::max<int64_t>(partition.next_offset(), 0);
    }
    return stored;
  }

  // Waits until the incentive service has stored every event put on the topic so far.
  bool WaitCaughtUp(absl::Duration timeout = absl::Seconds(90)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (StoredEvents() >= events_on_topic_) return true;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return false;
  }

  // Returns the commission total per "<partner_id> <period>", all pages read with `page_size`.
  std::map<std::string, std::string> Totals(const std::string& period = "", int page_size = 500) {
    std::map<std::string, std::string> totals;
    v1::ListCommissionTotalsRequest request;
    request.set_period(period);
    request.set_page_size(page_size);
    for (int page = 0; page < 1000; ++page) {
      v1::ListCommissionTotalsResponse response;
      grpc::Status status = incentive_->ListCommissionTotals(Deadline().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::CommissionTotal& total : response.totals()) {
        EXPECT_EQ(total.commission().currency(), "BRL");
        totals[absl::StrCat(total.partner_id(), " ", total.period())] = total.commission().amount();
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return totals;
  }

  // Returns every accrual line of the partner and period.
  std::vector<v1::AccrualLine> Lines(const std::string& partner_id, const std::string& period) {
    std::vector<v1::AccrualLine> lines;
    v1::ListAccrualsRequest request;
    request.set_partner_id(partner_id);
    request.set_period(period);
    for (int page = 0; page < 1000; ++page) {
      v1::ListAccrualsResponse response;
      grpc::Status status = incentive_->ListAccruals(Deadline().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      lines.insert(lines.end(), response.lines().begin(), response.lines().end());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return lines;
  }

  std::string Metrics() { return HttpGet(stack_->service("incentive").metrics_port(), "/metrics"); }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<partner::v1::PartnerService::Stub> partner_;
  std::unique_ptr<contract::v1::ContractService::Stub> contract_;
  std::unique_ptr<v1::IncentiveService::Stub> incentive_;
  // Messages put on the sales topic by Report and Produce.
  int64_t events_on_topic_ = 0;
};

}  // namespace consort::incentive::testing
