#pragma once

// Helpers for the partner service's integration tests: PartnerStackTest runs the real partner and
// contract binaries (SalesStackTest in tests/support), reads the sales topic by sale id and
// scrapes the partner service's /metrics. The record builders keep the defaults these tests
// share: 58.90 BRL, an hour ago.
//
// Not thread-safe: one test thread drives a stack.

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/time_util.h"
#include "consort/contract/v1/contract.grpc.pb.h"
#include "consort/events/v1/events.pb.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "gtest/gtest.h"
#include "kafka/consumer.h"
#include "prometheus/registry.h"
#include "tests/support/client_context.h"
#include "tests/support/metrics_text.h"
#include "tests/support/partners.h"
#include "tests/support/sales.h"
#include "tests/support/sales_stack_test.h"
#include "tests/support/service_process.h"
#include "tests/support/topic_reader.h"

namespace consort::partner::testing {

using consort::testing::ContextWithDeadline;
using consort::testing::MetricValue;
using consort::testing::Stack;

inline v1::Partner NewPartnerInput(const std::string& partner_id,
                                   v1::PartnerStatus status = v1::PARTNER_STATUS_ACTIVE) {
  return consort::testing::PartnerInput(partner_id, status);
}

// A sale an hour ago, in `currency` (every other field inside the covered scope).
inline v1::SaleRecord SaleRecordOf(const std::string& sale_id, const std::string& partner_id,
                                   const std::string& amount = "58.90",
                                   const std::string& currency = "BRL") {
  v1::SaleRecord record =
      consort::testing::SaleRecordAt(sale_id, partner_id, amount, absl::Now() - absl::Hours(1));
  record.mutable_amount()->set_currency(currency);
  return record;
}

// A refund ten minutes ago.
inline v1::SaleRecord RefundRecordOf(const std::string& sale_id, const std::string& original,
                                     const std::string& partner_id, const std::string& amount) {
  return consort::testing::RefundRecordAt(sale_id, original, partner_id, amount,
                                          absl::Now() - absl::Minutes(10));
}

// A stack of partner and contract with clients and helpers. Tests are skipped when the test run
// has no Kafka or Redis.
class PartnerStackTest : public consort::testing::SalesStackTest {
 protected:
  std::vector<std::string> Services() const override { return {"partner", "contract"}; }

  std::string Metrics() { return consort::testing::ScrapeMetrics(stack_->service("partner")); }

  // Reads the sales topic from the start until every id in `sale_ids` has an event or `timeout`
  // passes; returns the events by sale id (the last one read, if Kafka contains a repeat).
  absl::flat_hash_map<std::string, events::v1::SaleEvent> ConsumeSales(
      const std::vector<std::string>& sale_ids, absl::Duration timeout = absl::Seconds(60)) {
    return consort::testing::ReadEventsById<events::v1::SaleEvent>(
        consort::testing::KafkaBootstrap(), stack_->topic("consort.sales.v1"), sale_ids, timeout);
  }
};

}  // namespace consort::partner::testing
