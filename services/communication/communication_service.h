#pragma once

// gRPC handlers of consort.communication.v1.CommunicationService. RecordFeedback validates the
// feedback in full, checks that the partner exists (PartnerClient caches partners it found), and
// records the feedback with its FeedbackEvent in one Redis script. Each handler maps its errors
// to gRPC codes once, at the end.
//
// Metrics: consort_feedback_recorded_total{complaint="true"|"false"}, feedback newly recorded
// (duplicates are not counted).
//
// Thread-safe: the gRPC server calls the handlers from many threads; the handler state is the
// thread-safe store, partner client, relay and Prometheus counters.

#include "consort/communication/v1/communication.grpc.pb.h"
#include "outbox/outbox_relay.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/communication/feedback_store.h"
#include "services/contract/partner_client.h"

namespace consort::communication {

class CommunicationServiceImpl final : public v1::CommunicationService::Service {
 public:
  CommunicationServiceImpl(FeedbackStore& store, contract::PartnerClient& partners,
                           outbox::OutboxRelay& relay, prometheus::Registry& registry);

  grpc::Status RecordFeedback(grpc::ServerContext* context,
                              const v1::RecordFeedbackRequest* request,
                              v1::RecordFeedbackResponse* response) override;
  grpc::Status ListFeedback(grpc::ServerContext* context, const v1::ListFeedbackRequest* request,
                            v1::ListFeedbackResponse* response) override;
  grpc::Status GetOutboxStatus(grpc::ServerContext* context,
                               const common::v1::GetOutboxStatusRequest* request,
                               common::v1::OutboxStatus* response) override;

 private:
  absl::StatusOr<RecordResult> Record(const v1::Feedback& requested);

  FeedbackStore& store_;
  contract::PartnerClient& partners_;
  outbox::OutboxRelay& relay_;
  prometheus::Counter& complaints_recorded_;
  prometheus::Counter& others_recorded_;
};

// Returns the FeedbackEvent of recorded feedback, serialized, with a new event id.
std::string BuildFeedbackEvent(const v1::Feedback& feedback);

}  // namespace consort::communication
