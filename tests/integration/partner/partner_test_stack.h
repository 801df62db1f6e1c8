#pragma once

// Helpers for the partner service's integration tests: a stack of the real partner and contract
// binaries, clients for both, a ReportSales call that reads results while it writes, a reader of
// the sales topic, and a scrape of /metrics.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/time_util.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/events/v1/events.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "gtest/gtest.h"
#include "kafka/consumer.h"
#include "prometheus/registry.h"
#include "tests/support/service_process.h"

namespace consort::partner::testing {

using consort::testing::Stack;

inline std::unique_ptr<grpc::ClientContext> ContextWithDeadline(
    absl::Duration deadline = absl::Seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return context;
}

inline v1::Partner NewPartnerInput(const std::string& partner_id,
                                   v1::PartnerStatus status = v1::PARTNER_STATUS_ACTIVE) {
  v1::Partner partner;
  partner.set_partner_id(partner_id);
  partner.set_display_name("Loja " + partner_id);
  partner.set_home_region("SP");
  auto* contact = partner.add_contacts();
  contact->set_name("Ana Souza");
  contact->set_email("ana@example.com");
  partner.set_status(status);
  return partner;
}

inline v1::SaleRecord SaleRecordOf(const std::string& sale_id, const std::string& partner_id,
                                   const std::string& amount = "58.90",
                                   const std::string& currency = "BRL") {
  v1::SaleRecord record;
  record.set_sale_id(sale_id);
  record.set_partner_id(partner_id);
  record.set_kind(v1::SALE_RECORD_KIND_SALE);
  record.mutable_amount()->set_currency(currency);
  record.mutable_amount()->set_amount(amount);
  record.set_region("SP");
  record.set_product_category("toys");
  record.set_channel("marketplace");
  record.set_order_id("order-" + sale_id);
  record.set_quantity(1);
  *record.mutable_event_time() = ToProtoTimestamp(absl::Now() - absl::Hours(1));
  return record;
}

inline v1::SaleRecord RefundRecordOf(const std::string& sale_id, const std::string& original,
                                     const std::string& partner_id, const std::string& amount) {
  v1::SaleRecord record;
  record.set_sale_id(sale_id);
  record.set_partner_id(partner_id);
  record.set_kind(v1::SALE_RECORD_KIND_REFUND);
  record.set_original_sale_id(original);
  record.mutable_amount()->set_currency("BRL");
  record.mutable_amount()->set_amount(amount);
  *record.mutable_event_time() = ToProtoTimestamp(absl::Now() - absl::Minutes(10));
  return record;
}

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

// A stack of partner and contract with clients and helpers. Tests are skipped when the test run
// has no Kafka or Redis.
class PartnerStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (consort::testing::KafkaBootstrap().empty() || consort::testing::RedisAddress().empty()) {
      GTEST_SKIP() << consort::testing::MissingInfrastructureMessage();
    }
    auto stack = Stack::Start({"partner", "contract"}, ExtraEnv());
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    Connect();
  }

  // Settings added to both services; tests may override.
  virtual std::map<std::string, std::string> ExtraEnv() { return {}; }

  void Connect() {
    partner_ = v1::PartnerService::NewStub(stack_->service("partner").Channel());
    contract_ = contract::v1::ContractService::NewStub(stack_->service("contract").Channel());
  }

  // Creates an ACTIVE partner and an active contract covering SP, every category and channel
  // marketplace in BRL.
  void CreateCoveredPartner(const std::string& partner_id,
                            v1::PartnerStatus status = v1::PARTNER_STATUS_ACTIVE) {
    v1::CreatePartnerRequest request;
    *request.mutable_partner() = NewPartnerInput(partner_id, status);
    v1::Partner partner;
    grpc::Status created = partner_->CreatePartner(ContextWithDeadline().get(), request, &partner);
    ASSERT_TRUE(created.ok()) << created.error_message();

    contract::v1::CreateContractRequest contract_request;
    auto* contract = contract_request.mutable_contract();
    contract->set_contract_id("contract-" + partner_id);
    contract->set_partner_id(partner_id);
    contract->add_regions("SP");
    contract->set_all_product_categories(true);
    contract->add_channels("marketplace");
    contract->set_currency("BRL");
    contract->set_time_zone("America/Sao_Paulo");
    contract->mutable_monthly_target()->set_currency("BRL");
    contract->mutable_monthly_target()->set_amount("1000.00");
    contract->set_commission_rate("10%");
    contract::v1::Contract stored;
    grpc::Status contract_created =
        contract_->CreateContract(ContextWithDeadline().get(), contract_request, &stored);
    ASSERT_TRUE(contract_created.ok()) << contract_created.error_message();
    contract::v1::ActivateContractRequest activate;
    activate.set_contract_id("contract-" + partner_id);
    grpc::Status activated =
        contract_->ActivateContract(ContextWithDeadline().get(), activate, &stored);
    ASSERT_TRUE(activated.ok()) << activated.error_message();
  }

  // Sends `records` on one ReportSales stream while a second thread reads the results.
  std::vector<v1::SaleResult> Report(const std::vector<v1::SaleRecord>& records,
                                     grpc::Status* final_status = nullptr) {
    auto context = ContextWithDeadline(absl::Seconds(120));
    auto stream = partner_->ReportSales(context.get());
    std::vector<v1::SaleResult> results;
    std::thread reader([&] {
      v1::SaleResult result;
      while (stream->Read(&result)) results.push_back(result);
    });
    for (const auto& record : records) {
      if (!stream->Write(record)) break;
    }
    stream->WritesDone();
    reader.join();
    grpc::Status status = stream->Finish();
    if (final_status != nullptr) {
      *final_status = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return results;
  }

  v1::SaleResult ReportOne(const v1::SaleRecord& record) {
    auto results = Report({record});
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? v1::SaleResult() : results[0];
  }

  std::string Metrics() { return HttpGet(stack_->service("partner").metrics_port(), "/metrics"); }

  // Reads the sales topic from the start until every id in `sale_ids` has an event or `timeout`
  // passes; returns the events by sale id (the last one read, if Kafka contains a repeat).
  absl::flat_hash_map<std::string, events::v1::SaleEvent> ConsumeSales(
      const std::vector<std::string>& sale_ids, absl::Duration timeout = absl::Seconds(60)) {
    absl::flat_hash_map<std::string, events::v1::SaleEvent> events;
    prometheus::Registry registry;
    NoOffsets offsets;
    auto consumer =
        kafka::Consumer::Create(consort::testing::KafkaBootstrap(),
                                absl::StrCat("partner-test-", consort::testing::UniqueSuffix()),
                                {stack_->topic("consort.sales.v1")}, &offsets, registry,
                                {{"auto.offset.reset", "earliest"}});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (!consumer.ok()) return events;
    const absl::Time deadline = absl::Now() + timeout;
    auto missing = [&] {
      for (const auto& id : sale_ids) {
        if (!events.contains(id)) return true;
      }
      return false;
    };
    while (missing() && absl::Now() < deadline) {
      auto batch = (*consumer)->Poll(1000, absl::Milliseconds(500));
      if (!batch.ok()) continue;
      for (const auto& message : *batch) {
        events::v1::SaleEvent event;
        if (event.ParseFromString(message.payload)) {
          EXPECT_EQ(message.key, event.partner_id());
          events[event.sale_id()] = event;
        }
      }
    }
    (*consumer)->Close();
    return events;
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<v1::PartnerService::Stub> partner_;
  std::unique_ptr<contract::v1::ContractService::Stub> contract_;

  // Offset store of a test consumer that reads from the start.
  class NoOffsets : public kafka::OffsetStore {
   public:
    absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> Load(
        const std::vector<kafka::TopicPartition>&) override {
      return std::map<kafka::TopicPartition, int64_t>{};
    }
  };
};

}  // namespace consort::partner::testing
