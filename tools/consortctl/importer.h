#pragma once

// Sends an ImportPlan to the services:
// - partners: for each seller, GetPartner, then CreatePartner (ACTIVE) when it does not exist,
//   then CreateContract and ActivateContract; a few sellers at a time on a small thread pool;
// - sales and refunds: a PartnerService.ReportSales stream, written on one thread and read on
//   another, so that up to ImportSettings::max_in_flight records are in flight and the service
//   can batch them. A stopping partner service ends the stream with UNAVAILABLE, and a connection
//   may drop. When the stream ends before every record has a result, the importer waits with the
//   retry policy's backoff, opens a new stream and resends from the first record without a
//   result (see SaleResultLedger). It gives up after the policy's max_attempts streams in a row
//   that brought no result. A record rejected as coverage_unavailable was not stored, because the
//   contract service did not reply to the partner service in time. After the pass the importer
//   sends those records again on a new stream with the retry policy's backoff, together with the
//   refunds that were rejected because their sale was one of them. The last attempt counts
//   whatever they get;
// - feedback: RecordFeedback on a small thread pool.
// Every record ends in the tally as accepted, duplicate or rejected with a reason, counted once.
// A transport failure (a service down after the retries) stops the import and is returned as an
// error, and what was counted until then stays in the tally. The ids are the plan's, so running the
// import again is safe: what was stored before is reported as duplicate.
//
// Called from the main thread; Importer runs its own threads and joins them before returning.

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "consort/communication/v1/communication.pb.h"
#include "consort/contract/v1/contract.pb.h"
#include "consort/partner/v1/partner.pb.h"
#include "consortctl/import_plan.h"
#include "consortctl/import_tally.h"
#include "consortctl/progress.h"
#include "consortctl/sale_result_ledger.h"
#include "consortctl/service_clients.h"

namespace consort::consortctl {

struct ImportSettings {
  // Unary calls in flight at once for partners and feedback.
  int concurrency = 8;
  // Sale records written to the stream that have no result yet. The partner service batches what is
  // in flight, so a deeper window raises throughput: with the whole stack on one 2-core machine,
  // 2,000 gave about 2,000 sales/s and 20,000 about 5,500 (consortctl import of a generated set).
  int max_in_flight = 10000;
  // Sale and feedback records sent per second at most; 0 for no limit.
  double max_records_per_second = 0;
  RetryPolicy retry;
  // Deadline of the sales stage, reconnections included.
  absl::Duration stream_timeout = absl::Hours(2);
  bool show_progress = true;
};

// Request messages built from the plan.
partner::v1::Partner ToPartnerProto(const PlannedPartner& partner);
contract::v1::Contract ToContractProto(const PlannedPartner& partner, const ImportOptions& options);
partner::v1::SaleRecord ToSaleRecord(const PlannedSale& sale, const ImportOptions& options);
communication::v1::Feedback ToFeedbackProto(const PlannedFeedback& feedback);

class Importer {
 public:
  Importer(ServiceClients& clients, ImportSettings settings, ImportTally& tally);

  // Runs the three stages in order: partners, sales, feedback.
  absl::Status Run(const ImportPlan& plan);

  absl::Status ImportPartners(const std::vector<PlannedPartner>& partners,
                              const ImportOptions& options);
  absl::Status ReportSales(const std::vector<PlannedSale>& sales, const ImportOptions& options);

  // The partner service's rejection reason for a record that was not stored and may be sent again.
  static constexpr char kRetryableReason[] = "coverage_unavailable";
  absl::Status RecordFeedback(const std::vector<PlannedFeedback>& feedback);

 private:
  // Creates one partner and its contract. Returns an error only for a transport failure.
  absl::Status ImportPartner(const PlannedPartner& partner, const ImportOptions& options);

  // End of one ReportSales stream.
  struct SalesStreamEnd {
    grpc::Status status;
    // Results the stream brought.
    size_t results = 0;
    // Set when a result named another sale than the record it belongs to.
    std::string protocol_error;
  };

  // Reports `sales` over as many streams as outages need (one pass). With `deferred` set, a
  // record rejected as kRetryableReason, or a refund rejected because its sale was, is appended
  // to it instead of being counted.
  absl::Status ReportSalesPass(const std::vector<PlannedSale>& sales, const ImportOptions& options,
                               std::optional<Progress>& progress,
                               std::vector<PlannedSale>* deferred);

  // Sends the records from the ledger's first record without a result on one stream, counting
  // each result, until the stream ends.
  SalesStreamEnd StreamSales(const std::vector<PlannedSale>& sales, const ImportOptions& options,
                             absl::Time deadline, SaleResultLedger& ledger,
                             std::optional<Progress>& progress);

  // Adds a sale's result to the tally, or to deferred_ when the pass defers it. Returns whether
  // it was counted. Called by the stream's reader thread only.
  bool CountResult(const PlannedSale& sale, const partner::v1::SaleResult& result);

  // Sleeps as needed to keep to max_records_per_second. Thread-safe.
  void Pace();

  ServiceClients& clients_;
  const ImportSettings settings_;
  ImportTally& tally_;
  // The current pass's deferred records and their sale ids; null when it defers nothing.
  std::vector<PlannedSale>* deferred_ = nullptr;
  absl::flat_hash_set<std::string> deferred_ids_;
  absl::Mutex pace_mu_;
  absl::Time pace_start_ ABSL_GUARDED_BY(pace_mu_) = absl::InfinitePast();
  int64_t paced_ ABSL_GUARDED_BY(pace_mu_) = 0;
};

}  // namespace consort::consortctl
