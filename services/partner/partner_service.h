#pragma once

// The gRPC handlers of consort.partner.v1.PartnerService: they check requests, call the stores
// and map errors to gRPC status codes once, here.
//
// ReportSales runs two threads per stream: a reader that moves records into a bounded
// RecordQueue, and the handler thread, which takes whatever has arrived (up to
// SaleBatchProcessor::kMaxBatchSize records), processes it as one batch and writes one result per
// record, in order. Results are written only after their batch is stored, so every ACCEPTED or
// DUPLICATE that a client receives is in Redis together with its outbox event.
//
// When the service stops, BeginStop makes every open ReportSales stream store the batch in hand
// and write its results, then end with UNAVAILABLE. The records read but not processed get no
// result and are not stored, so the client reconnects and resends them. A stream that opens after
// BeginStop ends with UNAVAILABLE at once.
//
// Thread safety: gRPC calls the handlers from many threads at once, and BeginStop may be called
// from any thread. A mutex guards the set of open streams.

#include <functional>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "outbox/outbox_relay.h"
#include "partner/partner_store.h"
#include "partner/record_queue.h"
#include "partner/sale_batch_processor.h"

namespace consort::partner {

class PartnerServiceImpl final : public v1::PartnerService::Service {
 public:
  // `outbox_status` reports the outbox relay's state for GetOutboxStatus.
  PartnerServiceImpl(PartnerStore& partners, SaleBatchProcessor& sales,
                     std::function<outbox::RelayStatus()> outbox_status,
                     std::function<absl::Time()> now = absl::Now);

  grpc::Status CreatePartner(grpc::ServerContext* context, const v1::CreatePartnerRequest* request,
                             v1::Partner* response) override;
  grpc::Status GetPartner(grpc::ServerContext* context, const v1::GetPartnerRequest* request,
                          v1::Partner* response) override;
  grpc::Status ListPartners(grpc::ServerContext* context, const v1::ListPartnersRequest* request,
                            v1::ListPartnersResponse* response) override;
  grpc::Status UpdatePartner(grpc::ServerContext* context, const v1::UpdatePartnerRequest* request,
                             v1::Partner* response) override;
  grpc::Status ReportSales(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::SaleResult, v1::SaleRecord>* stream) override;
  grpc::Status GetOutboxStatus(grpc::ServerContext* context,
                               const common::v1::GetOutboxStatusRequest* request,
                               common::v1::OutboxStatus* response) override;

  // Ends every open ReportSales stream after the batch it is processing, and every later one at
  // once, with UNAVAILABLE. Returns without waiting for the streams to end. Called by a drain hook
  // of the ServiceRunner when the service stops.
  void BeginStop();

 private:
  using SaleQueue = RecordQueue<v1::SaleRecord>;

  // Adds a stream's queue to the set that BeginStop cancels. Returns false, adding nothing, once
  // BeginStop was called.
  bool AddOpenStream(SaleQueue* queue);
  void RemoveOpenStream(SaleQueue* queue);

  PartnerStore& partners_;
  SaleBatchProcessor& sales_;
  const std::function<outbox::RelayStatus()> outbox_status_;
  const std::function<absl::Time()> now_;

  absl::Mutex streams_mu_;
  bool stopping_ ABSL_GUARDED_BY(streams_mu_) = false;
  absl::flat_hash_set<SaleQueue*> open_streams_ ABSL_GUARDED_BY(streams_mu_);
};

}  // namespace consort::partner
