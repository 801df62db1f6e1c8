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
// Thread safety: gRPC calls the handlers from many threads at once; the class keeps no mutable
// state of its own.

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "outbox/outbox_relay.h"
#include "partner/partner_store.h"
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

 private:
  PartnerStore& partners_;
  SaleBatchProcessor& sales_;
  const std::function<outbox::RelayStatus()> outbox_status_;
  const std::function<absl::Time()> now_;
};

}  // namespace consort::partner
