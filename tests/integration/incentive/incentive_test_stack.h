#pragma once

// Helpers for the incentive service's integration tests. IncentiveStackTest runs the real partner,
// contract and incentive binaries against the test run's Kafka and Redis (SalesStackTest in
// tests/support). It creates partners with active contracts, reports sales and refunds through
// ReportSales or puts raw events straight onto the sales topic, and waits until the incentive
// service has stored them.
//
// Not thread-safe: one test thread drives a stack.

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/time_util.h"
#include "consort/events/v1/events.pb.h"
#include "consort/incentive/v1/incentive.grpc.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/client_context.h"
#include "tests/support/metrics_text.h"
#include "tests/support/partners.h"
#include "tests/support/raw_producer.h"
#include "tests/support/sales.h"
#include "tests/support/sales_stack_test.h"
#include "tests/support/service_process.h"
#include "tests/support/topic_reader.h"

namespace consort::incentive::testing {

using consort::testing::ContextWithDeadline;
using consort::testing::MetricValue;
using consort::testing::RawProducer;
using consort::testing::RefundRecordAt;
using consort::testing::SaleRecordAt;
using consort::testing::TopicReader;

// The instant of a local time in America/Sao_Paulo, the zone of every test contract.
inline absl::Time SaoPaulo(int year, int month, int day, int hour = 12, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0),
                         consort::testing::ContractTimeZone());
}

// A SaleEvent as the partner service publishes it, for putting straight onto the topic: a sale of
// `amount_minor`, or, with `original_sale_id`, a refund of that much of the original sale.
inline events::v1::SaleEvent SaleEventOf(const std::string& sale_id, const std::string& partner_id,
                                         int64_t amount_minor, absl::Time time,
                                         const std::string& original_sale_id = "") {
  if (original_sale_id.empty()) {
    return consort::testing::SaleEventAt(sale_id, partner_id, amount_minor, time);
  }
  return consort::testing::RefundEventAt(sale_id, original_sale_id, partner_id, amount_minor, time);
}

// A stack of partner, contract and incentive with clients and helpers. Tests are skipped when
// the test run has no Kafka or Redis.
class IncentiveStackTest : public consort::testing::SalesStackTest {
 protected:
  std::vector<std::string> Services() const override {
    return {"partner", "contract", "incentive"};
  }

  // Reconnects the clients, after a restart.
  void Connect() override {
    SalesStackTest::Connect();
    incentive_ = v1::IncentiveService::NewStub(stack_->service("incentive").Channel());
  }

  std::string SalesTopic() const { return stack_->topic("consort.sales.v1"); }

  // Creates an active partner and an active contract "contract-<partner_id>" covering SP, every
  // category and channel marketplace in BRL and America/Sao_Paulo, at `rate`.
  void CreatePartner(const std::string& partner_id, const std::string& rate) {
    CreateCoveredPartner(partner_id, partner::v1::PARTNER_STATUS_ACTIVE, rate);
  }

  // Puts serialized events straight onto the sales topic, keyed by `key`.
  void Produce(const std::vector<std::string>& payloads, const std::string& key) {
    RawProducer producer(consort::testing::KafkaBootstrap());
    for (const std::string& payload : payloads) producer.Send(SalesTopic(), key, payload);
    producer.Flush();
    events_produced_ += static_cast<int64_t>(payloads.size());
  }

  consort::common::v1::ConsumerProgress Progress() {
    consort::common::v1::ConsumerProgress progress;
    grpc::Status status = incentive_->GetConsumerProgress(
        ContextWithDeadline().get(), consort::common::v1::GetConsumerProgressRequest(), &progress);
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

  // Waits until the incentive service has stored every event put on the topic so far: the
  // records ReportSales accepted and the events produced straight onto the topic.
  bool WaitCaughtUp(absl::Duration timeout = absl::Seconds(90)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (StoredEvents() >= accepted_records() + events_produced_) return true;
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
      grpc::Status status =
          incentive_->ListCommissionTotals(ContextWithDeadline().get(), request, &response);
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
      grpc::Status status =
          incentive_->ListAccruals(ContextWithDeadline().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      lines.insert(lines.end(), response.lines().begin(), response.lines().end());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return lines;
  }

  std::string Metrics() { return consort::testing::ScrapeMetrics(stack_->service("incentive")); }

  std::unique_ptr<v1::IncentiveService::Stub> incentive_;
  // Messages put straight on the sales topic by Produce and by the tests' own producers.
  int64_t events_produced_ = 0;
};

}  // namespace consort::incentive::testing
