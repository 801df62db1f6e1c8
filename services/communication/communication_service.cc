#include "services/communication/communication_service.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "consort/events/v1/events.pb.h"
#include "services/communication/feedback_validation.h"
#include "services/contract/request_support.h"

namespace consort::communication {
namespace {

prometheus::Family<prometheus::Counter>& RecordedFamily(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("consort_feedback_recorded_total")
      .Help("Customer feedback recorded, by whether it is a complaint; duplicates not counted")
      .Register(registry);
}

}  // namespace

std::string BuildFeedbackEvent(const v1::Feedback& feedback) {
  events::v1::FeedbackEvent event;
  auto* meta = event.mutable_meta();
  meta->set_event_id(NewEventId());
  *meta->mutable_event_time() = feedback.event_time();
  *meta->mutable_record_time() = feedback.record_time();
  meta->set_producer("communication");
  event.set_feedback_id(feedback.feedback_id());
  event.set_partner_id(feedback.partner_id());
  event.set_order_id(feedback.order_id());
  event.set_rating(feedback.rating());
  event.set_title(feedback.title());
  event.set_text(feedback.text());
  event.set_complaint(feedback.complaint());
  return event.SerializeAsString();
}

CommunicationServiceImpl::CommunicationServiceImpl(FeedbackStore& store,
                                                   contract::PartnerClient& partners,
                                                   outbox::OutboxRelay& relay,
                                                   prometheus::Registry& registry)
    : store_(store),
      partners_(partners),
      relay_(relay),
      complaints_recorded_(RecordedFamily(registry).Add({{"complaint", "true"}})),
      others_recorded_(RecordedFamily(registry).Add({{"complaint", "false"}})) {}

absl::StatusOr<RecordResult> CommunicationServiceImpl::Record(const v1::Feedback& requested) {
  const absl::Time now = absl::Now();
  if (auto status = ValidateFeedback(requested, now); !status.ok()) return status;

  if (auto exists = partners_.CheckExists(requested.partner_id()); !exists.ok()) {
    if (absl::IsNotFound(exists)) return absl::FailedPreconditionError(exists.message());
    return exists;
  }

  v1::Feedback feedback = requested;
  feedback.set_complaint(IsComplaint(feedback.rating(), feedback.flagged_complaint()));
  *feedback.mutable_record_time() = ToProtoTimestamp(now);
  auto result = store_.Record(feedback, BuildFeedbackEvent(feedback));
  if (!result.ok()) return result.status();

  if (!result->duplicate) {
    (feedback.complaint() ? complaints_recorded_ : others_recorded_).Increment();
  }
  return result;
}

grpc::Status CommunicationServiceImpl::RecordFeedback(grpc::ServerContext* context,
                                                      const v1::RecordFeedbackRequest* request,
                                                      v1::RecordFeedbackResponse* response) {
  if (!request->has_feedback()) {
    return ToGrpcStatus(MissingField("feedback", "expected the feedback to record"));
  }
  auto result = Record(request->feedback());
  if (!result.ok()) return contract::FinishRequest("RecordFeedback", result.status());
  *response->mutable_feedback() = std::move(result->feedback);
  response->set_duplicate(result->duplicate);
  return grpc::Status::OK;
}

grpc::Status CommunicationServiceImpl::ListFeedback(grpc::ServerContext* context,
                                                    const v1::ListFeedbackRequest* request,
                                                    v1::ListFeedbackResponse* response) {
  if (auto status = CheckIdentifier("partner_id", request->partner_id()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  auto page_size = contract::ResolvePageSize(request->page_size());
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());

  auto page = store_.List(request->partner_id(), *page_size, request->page_token());
  if (!page.ok()) return contract::FinishRequest("ListFeedback", page.status());
  for (auto& feedback : page->feedback) *response->add_feedback() = std::move(feedback);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status CommunicationServiceImpl::GetOutboxStatus(
    grpc::ServerContext* context, const common::v1::GetOutboxStatusRequest* request,
    common::v1::OutboxStatus* response) {
  const outbox::RelayStatus status = relay_.Status();
  response->set_pending(status.pending);
  response->set_relayed(status.relayed);
  return grpc::Status::OK;
}

}  // namespace consort::communication
