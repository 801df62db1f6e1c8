// consort-loadgen: load generator for the throughput benchmarks in docs/benchmarks.md.
//
//   consort-loadgen report-sales   streams sales through PartnerService.ReportSales and measures
//                                  accepted sales per second, then the time until the partner
//                                  service's outbox has put every event on Kafka
//   consort-loadgen fill-topic     produces sale events straight onto the sales topic, for the
//                                  consumer catch-up benchmark
//   consort-loadgen watch-consumer polls a consumer's GetConsumerProgress and reports the events
//                                  per second it consumes until it has no lag left
//
// Every partner and contract it creates is named "lg-<run id>-<n>", so runs never collide.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/time_util.h"
#include "consort/common/v1/common.pb.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/events/v1/events.pb.h"
#include "consort/incentive/v1/incentive.grpc.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "consort/performance/v1/performance.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "kafka/producer.h"
#include "prometheus/registry.h"

namespace {

namespace partner_v1 = consort::partner::v1;
namespace contract_v1 = consort::contract::v1;

struct Options {
  std::string partner_address = "127.0.0.1:50051";
  std::string contract_address = "127.0.0.1:50052";
  std::string consumer_address = "127.0.0.1:50054";
  std::string kafka_bootstrap = "127.0.0.1:9092";
  std::string topic = "consort.sales.v1";
  std::string run_id;
  int partners = 100;
  int64_t count = 100'000;
  double timeout_seconds = 600;
};

std::unique_ptr<grpc::ClientContext> ContextWithDeadline(double seconds) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
  return context;
}

std::string PartnerId(const Options& options, int index) {
  return absl::StrCat("lg-", options.run_id, "-", index);
}

// Creates and activates the run's partners and their contracts; returns false with a message on
// the first failure.
bool CreatePartners(const Options& options) {
  auto partners = partner_v1::PartnerService::NewStub(
      grpc::CreateChannel(options.partner_address, grpc::InsecureChannelCredentials()));
  auto contracts = contract_v1::ContractService::NewStub(
      grpc::CreateChannel(options.contract_address, grpc::InsecureChannelCredentials()));
  for (int i = 0; i < options.partners; ++i) {
    partner_v1::CreatePartnerRequest create;
    auto* partner = create.mutable_partner();
    partner->set_partner_id(PartnerId(options, i));
    partner->set_display_name(absl::StrCat("Load partner ", i));
    partner->set_home_region("SP");
    partner->set_status(partner_v1::PARTNER_STATUS_ACTIVE);
    partner_v1::Partner created;
    grpc::Status status = partners->CreatePartner(ContextWithDeadline(10).get(), create, &created);
    if (!status.ok()) {
      fprintf(stderr, "CreatePartner %s failed: %s\n", partner->partner_id().c_str(),
              status.error_message().c_str());
      return false;
    }

    contract_v1::CreateContractRequest contract_request;
    auto* contract = contract_request.mutable_contract();
    contract->set_contract_id(absl::StrCat(PartnerId(options, i), "-c"));
    contract->set_partner_id(PartnerId(options, i));
    contract->add_regions("SP");
    contract->set_all_product_categories(true);
    contract->add_channels("marketplace");
    contract->set_currency("BRL");
    contract->set_time_zone("America/Sao_Paulo");
    contract->mutable_monthly_target()->set_currency("BRL");
    contract->mutable_monthly_target()->set_amount("1000.00");
    contract->set_commission_rate("10%");
    contract_v1::Contract stored;
    status = contracts->CreateContract(ContextWithDeadline(10).get(), contract_request, &stored);
    if (!status.ok()) {
      fprintf(stderr, "CreateContract failed: %s\n", status.error_message().c_str());
      return false;
    }
    contract_v1::ActivateContractRequest activate;
    activate.set_contract_id(contract->contract_id());
    status = contracts->ActivateContract(ContextWithDeadline(10).get(), activate, &stored);
    if (!status.ok()) {
      fprintf(stderr, "ActivateContract failed: %s\n", status.error_message().c_str());
      return false;
    }
  }
  return true;
}

// Partner sizes follow a Zipf-like skew: partner k gets a share proportional to 1 / (k + 1).
class PartnerPicker {
 public:
  explicit PartnerPicker(int partners) {
    double total = 0;
    for (int k = 0; k < partners; ++k) {
      total += 1.0 / (k + 1);
      cumulative_.push_back(total);
    }
  }
  int Pick(absl::BitGen& random) const {
    const double point = absl::Uniform(random, 0.0, cumulative_.back());
    return static_cast<int>(std::lower_bound(cumulative_.begin(), cumulative_.end(), point) -
                            cumulative_.begin());
  }

 private:
  std::vector<double> cumulative_;
};

int ReportSales(const Options& options) {
  if (!CreatePartners(options)) return 1;
  auto stub = partner_v1::PartnerService::NewStub(
      grpc::CreateChannel(options.partner_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  auto stream = stub->ReportSales(&context);

  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> other{0};
  const auto started = std::chrono::steady_clock::now();
  std::thread reader([&] {
    partner_v1::SaleResult result;
    while (stream->Read(&result)) {
      if (result.outcome() == partner_v1::SALE_OUTCOME_ACCEPTED) {
        ++accepted;
      } else if (++other <= 5) {
        fprintf(stderr, "sale %s: %s %s\n", result.sale_id().c_str(), result.reason().c_str(),
                result.message().c_str());
      }
    }
  });

  PartnerPicker picker(options.partners);
  absl::BitGen random;
  const absl::Time now = absl::Now();
  for (int64_t i = 0; i < options.count; ++i) {
    partner_v1::SaleRecord record;
    record.set_sale_id(absl::StrCat("lg-", options.run_id, "-s", i));
    record.set_partner_id(PartnerId(options, picker.Pick(random)));
    record.set_kind(partner_v1::SALE_RECORD_KIND_SALE);
    record.mutable_amount()->set_currency("BRL");
    record.mutable_amount()->set_amount(
        absl::StrFormat("%d.%02d", absl::Uniform(random, 5, 500), absl::Uniform(random, 0, 100)));
    record.set_region("SP");
    record.set_product_category("health_beauty");
    record.set_channel("marketplace");
    record.set_order_id(absl::StrCat("lg-", options.run_id, "-o", i / 2));
    *record.mutable_event_time() = consort::ToProtoTimestamp(now - absl::Minutes(i % 10000));
    if (!stream->Write(record)) break;
  }
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  if (!status.ok()) {
    fprintf(stderr, "ReportSales failed: %s\n", status.error_message().c_str());
    return 1;
  }
  printf("report-sales: %lld records, %lld accepted, %lld not accepted, %.2f s, %.0f accepted/s\n",
         static_cast<long long>(options.count), static_cast<long long>(accepted.load()),
         static_cast<long long>(other.load()), elapsed.count(), accepted.load() / elapsed.count());

  // The sales are on Kafka once the outbox is empty.
  const auto deadline = started + std::chrono::milliseconds(
                                      static_cast<int64_t>(options.timeout_seconds * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    consort::common::v1::OutboxStatus outbox;
    grpc::Status outbox_status = stub->GetOutboxStatus(
        ContextWithDeadline(5).get(), consort::common::v1::GetOutboxStatusRequest(), &outbox);
    if (outbox_status.ok() && outbox.pending() == 0) {
      const std::chrono::duration<double> total = std::chrono::steady_clock::now() - started;
      printf("report-sales: all accepted sales on Kafka after %.2f s, %.0f sales/s end to end\n",
             total.count(), accepted.load() / total.count());
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  fprintf(stderr, "the outbox was not empty after %.0f s\n", options.timeout_seconds);
  return 1;
}

int FillTopic(const Options& options) {
  if (!CreatePartners(options)) return 1;
  prometheus::Registry registry;
  auto producer = consort::kafka::Producer::Create(options.kafka_bootstrap, "consort-loadgen",
                                                   registry);
  if (!producer.ok()) {
    fprintf(stderr, "%s\n", producer.status().ToString().c_str());
    return 1;
  }
  PartnerPicker picker(options.partners);
  absl::BitGen random;
  std::atomic<int64_t> failed{0};
  const absl::Time now = absl::Now();
  const auto started = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < options.count; ++i) {
    consort::events::v1::SaleEvent event;
    const std::string partner_id = PartnerId(options, picker.Pick(random));
    event.mutable_meta()->set_event_id(consort::NewEventId());
    *event.mutable_meta()->mutable_event_time() =
        consort::ToProtoTimestamp(now - absl::Minutes(i % 10000));
    *event.mutable_meta()->mutable_record_time() = consort::ToProtoTimestamp(now);
    event.mutable_meta()->set_producer("loadgen");
    event.set_sale_id(absl::StrCat("lg-", options.run_id, "-s", i));
    event.set_partner_id(partner_id);
    event.set_kind(consort::events::v1::SALE_KIND_SALE);
    event.set_currency("BRL");
    event.set_amount_minor(absl::Uniform<int64_t>(random, 500, 50000));
    event.set_region("SP");
    event.set_product_category("health_beauty");
    event.set_channel("marketplace");
    event.set_order_id(absl::StrCat("lg-", options.run_id, "-o", i / 2));
    event.set_quantity(1);
    event.set_contract_id(absl::StrCat(partner_id, "-c"));
    absl::Status status = (*producer)->Produce(options.topic, partner_id,
                                               event.SerializeAsString(), {},
                                               [&failed](absl::Status delivered) {
                                                 if (!delivered.ok()) ++failed;
                                               });
    if (!status.ok()) {
      fprintf(stderr, "produce failed: %s\n", status.ToString().c_str());
      return 1;
    }
  }
  absl::Status flushed = (*producer)->Flush(absl::Seconds(options.timeout_seconds));
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  if (!flushed.ok() || failed > 0) {
    fprintf(stderr, "delivery failed: %s, %lld failed\n", flushed.ToString().c_str(),
            static_cast<long long>(failed.load()));
    return 1;
  }
  printf("fill-topic: %lld sale events on %s in %.2f s\n", static_cast<long long>(options.count),
         options.topic.c_str(), elapsed.count());
  return 0;
}

int64_t SumOffsets(const consort::common::v1::ConsumerProgress& progress, bool high_watermark) {
  int64_t sum = 0;
  for (const auto& partition : progress.partitions()) {
    sum += high_watermark ? partition.high_watermark() : partition.next_offset();
  }
  return sum;
}

int WatchConsumer(const Options& options) {
  auto channel = grpc::CreateChannel(options.consumer_address, grpc::InsecureChannelCredentials());
  auto performance = consort::performance::v1::PerformanceService::NewStub(channel);
  auto incentive = consort::incentive::v1::IncentiveService::NewStub(channel);
  auto fetch = [&](consort::common::v1::ConsumerProgress* progress) {
    grpc::Status status = performance->GetConsumerProgress(
        ContextWithDeadline(5).get(), consort::common::v1::GetConsumerProgressRequest(), progress);
    if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      status = incentive->GetConsumerProgress(
          ContextWithDeadline(5).get(), consort::common::v1::GetConsumerProgressRequest(),
          progress);
    }
    return status;
  };

  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(options.timeout_seconds * 1000));
  int64_t first_offset = -1;
  std::chrono::steady_clock::time_point first_time;
  int64_t last_offset = -1;
  auto last_time = std::chrono::steady_clock::now();
  double peak_rate = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    consort::common::v1::ConsumerProgress progress;
    grpc::Status status = fetch(&progress);
    const auto now = std::chrono::steady_clock::now();
    if (status.ok() && progress.partitions_size() > 0) {
      const int64_t consumed = SumOffsets(progress, false);
      const int64_t end = SumOffsets(progress, true);
      if (first_offset < 0) {
        first_offset = consumed;
        first_time = now;
      } else if (last_offset >= 0) {
        const std::chrono::duration<double> step = now - last_time;
        if (step.count() > 0.5) {
          peak_rate = std::max(peak_rate, (consumed - last_offset) / step.count());
        }
      }
      if (last_offset < 0 || now - last_time > std::chrono::milliseconds(500)) {
        last_offset = consumed;
        last_time = now;
      }
      if (consumed >= end && consumed == first_offset) {
        printf("watch-consumer: no lag at the first observation; nothing to measure\n");
        return 0;
      }
      if (consumed >= end) {
        const std::chrono::duration<double> elapsed = now - first_time;
        printf("watch-consumer: %lld events in %.2f s, %.0f events/s on average, %.0f at peak\n",
               static_cast<long long>(consumed - first_offset), elapsed.count(),
               (consumed - first_offset) / elapsed.count(), peak_rate);
        return 0;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  fprintf(stderr, "the consumer still had lag after %.0f s\n", options.timeout_seconds);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Load generator for the Consort throughput benchmarks");
  app.require_subcommand(1);
  Options options;
  options.run_id = absl::FormatTime("%H%M%S", absl::Now(), absl::UTCTimeZone());
  app.add_option("--partner-address", options.partner_address, "Partner service host:port")
      ->capture_default_str();
  app.add_option("--contract-address", options.contract_address, "Contract service host:port")
      ->capture_default_str();
  app.add_option("--run-id", options.run_id, "Tag in the ids of everything the run creates")
      ->capture_default_str();
  app.add_option("--partners", options.partners, "Partners to create")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--timeout", options.timeout_seconds, "Seconds to wait for completion")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  auto* report = app.add_subcommand("report-sales", "Stream sales through ReportSales");
  report->add_option("--count", options.count, "Sales to report")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}))
      ->capture_default_str();
  auto* fill = app.add_subcommand("fill-topic", "Produce sale events straight onto Kafka");
  fill->add_option("--count", options.count, "Events to produce")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}))
      ->capture_default_str();
  fill->add_option("--kafka-bootstrap", options.kafka_bootstrap, "Kafka bootstrap servers")
      ->capture_default_str();
  fill->add_option("--topic", options.topic, "Sales topic")->capture_default_str();
  auto* watch = app.add_subcommand("watch-consumer", "Measure a consumer catching up");
  watch->add_option("--address", options.consumer_address,
                    "Performance or incentive service host:port")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (report->parsed()) return ReportSales(options);
  if (fill->parsed()) return FillTopic(options);
  return WatchConsumer(options);
}
