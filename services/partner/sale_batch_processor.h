#pragma once

// Turns a batch of SaleRecords into one SaleResult per record, in order: the stateless checks of
// CheckSaleRecord, one Redis pipeline that reads the partners, existing sale ids and refunded
// originals of the batch, one coverage look-up for the scopes not in the cache, then one
// pipeline of per-record scripts that store each accepted record with its SaleEvent in the
// outbox. Records of one batch may refer to each other: a refund may follow its sale.
//
// Exports consort_sales_accepted_total{kind}, consort_sales_rejected_total{reason} and
// consort_sales_duplicate_total.
//
// Thread safety: Process may be called from any number of threads at once; each call works on
// its own batch.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consort/partner/v1/partner.pb.h"
#include "partner/coverage_cache.h"
#include "partner/sale_store.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace consort::partner {

class SaleBatchProcessor {
 public:
  // Records handed to one Process call at most; ReportSales batches whatever has arrived up to
  // this count.
  static constexpr size_t kMaxBatchSize = 500;

  // `now` is the clock, replaceable in tests.
  SaleBatchProcessor(SaleStore& store, CoverageCache& coverage, prometheus::Registry& registry,
                     std::function<absl::Time()> now = absl::Now);

  // Returns one result per record, in order. Fails only when Redis fails; then none of the
  // records is answered, some may be stored, and reporting them again returns DUPLICATE for
  // those.
  absl::StatusOr<std::vector<v1::SaleResult>> Process(const std::vector<v1::SaleRecord>& records);

 private:
  struct Item;

  void CheckStoredState(const PreflightResult& preflight, std::vector<Item>& items,
                        std::vector<v1::SaleResult>& results);
  void ResolveCoverage(std::vector<Item>& items, std::vector<v1::SaleResult>& results);
  void ResolveOriginals(const PreflightResult& preflight, std::vector<Item>& items,
                        std::vector<v1::SaleResult>& results);
  absl::Status CommitPending(std::vector<Item>& items, absl::Time now,
                             std::vector<v1::SaleResult>& results);

  void Reject(v1::SaleResult& result, const std::string& reason, std::string message);
  void MarkDuplicate(v1::SaleResult& result);

  SaleStore& store_;
  CoverageCache& coverage_;
  const std::function<absl::Time()> now_;
  prometheus::Counter& accepted_sales_;
  prometheus::Counter& accepted_refunds_;
  prometheus::Counter& duplicates_;
  prometheus::Family<prometheus::Counter>& rejected_;
};

}  // namespace consort::partner
