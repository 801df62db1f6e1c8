#include "partner/partner_service.h"

#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/logging.h"
#include "common/status.h"
#include "common/validation.h"
#include "partner/partner_validation.h"
#include "spdlog/spdlog.h"

namespace consort::partner {
namespace {

// Records read ahead of the batch being processed, per stream.
constexpr size_t kQueueCapacity = 4 * SaleBatchProcessor::kMaxBatchSize;

// Time a stream that the stop ended waits for its reader thread to leave Read before it cancels
// the call to wake it.
constexpr absl::Duration kReaderStopWait = absl::Seconds(1);

grpc::Status StoppingStatus() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "the partner service is stopping; reconnect and resend the records that "
                      "got no result");
}

// Writes one result per record; all but the last with a buffer hint, so that gRPC may send the
// batch's results in few frames. Returns false when the stream is broken.
// ReportSales sends the initial metadata before the first batch. gRPC holds back a hinted write
// that also carries the initial metadata (github.com/grpc/grpc/issues/12975). A synchronous Write
// of the stream's first result with a hint then never returns, and the client gets nothing.
bool WriteResults(grpc::ServerReaderWriter<v1::SaleResult, v1::SaleRecord>& stream,
                  const std::vector<v1::SaleResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    grpc::WriteOptions options;
    if (i + 1 < results.size()) options.set_buffer_hint();
    if (!stream.Write(results[i], options)) return false;
  }
  return true;
}

}  // namespace

PartnerServiceImpl::PartnerServiceImpl(PartnerStore& partners, SaleBatchProcessor& sales,
                                       std::function<outbox::RelayStatus()> outbox_status,
                                       std::function<absl::Time()> now)
    : partners_(partners),
      sales_(sales),
      outbox_status_(std::move(outbox_status)),
      now_(std::move(now)) {}

grpc::Status PartnerServiceImpl::CreatePartner(grpc::ServerContext* context,
                                               const v1::CreatePartnerRequest* request,
                                               v1::Partner* response) {
  if (!request->has_partner()) {
    return ToGrpcStatus(MissingField("partner", "expected the partner to create"));
  }
  if (auto status = CheckNewPartner(request->partner()); !status.ok()) return ToGrpcStatus(status);

  const v1::Partner partner = NewPartner(request->partner(), now_());
  auto created = partners_.Create(partner);
  if (!created.ok()) return ToGrpcStatus(created.status());
  if (!created->created && !SameInputFields(created->partner, partner)) {
    return ToGrpcStatus(absl::AlreadyExistsError(
        absl::StrCat("partner ", partner.partner_id(),
                     " already exists with different fields; use UpdatePartner to change it")));
  }
  if (created->created) {
    spdlog::info("msg=\"partner created\" partner_id={} status={}", partner.partner_id(),
                 v1::PartnerStatus_Name(partner.status()));
  }
  *response = std::move(created->partner);
  return grpc::Status::OK;
}

grpc::Status PartnerServiceImpl::GetPartner(grpc::ServerContext* context,
                                            const v1::GetPartnerRequest* request,
                                            v1::Partner* response) {
  if (auto status = CheckIdentifier("partner_id", request->partner_id()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  auto partner = partners_.Get(request->partner_id());
  if (!partner.ok()) return ToGrpcStatus(partner.status());
  *response = *std::move(partner);
  return grpc::Status::OK;
}

grpc::Status PartnerServiceImpl::ListPartners(grpc::ServerContext* context,
                                              const v1::ListPartnersRequest* request,
                                              v1::ListPartnersResponse* response) {
  auto page_size = CheckPageSize(request->page_size());
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  auto after = DecodePageToken(request->page_token());
  if (!after.ok()) return ToGrpcStatus(after.status());

  auto page = partners_.List(*after, *page_size);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (auto& partner : page->partners) *response->add_partners() = std::move(partner);
  if (!page->next_after.empty()) {
    response->set_next_page_token(EncodePageToken(page->next_after));
  }
  return grpc::Status::OK;
}

grpc::Status PartnerServiceImpl::UpdatePartner(grpc::ServerContext* context,
                                               const v1::UpdatePartnerRequest* request,
                                               v1::Partner* response) {
  if (auto status = CheckUpdateRequest(*request); !status.ok()) return ToGrpcStatus(status);
  const absl::Time now = now_();
  auto updated = partners_.Update(request->partner().partner_id(), [&](const v1::Partner& stored) {
    return ApplyUpdate(stored, *request, now);
  });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  spdlog::info("msg=\"partner updated\" partner_id={} fields={} status={}", updated->partner_id(),
               Quote(request->update_mask().ShortDebugString()),
               v1::PartnerStatus_Name(updated->status()));
  *response = *std::move(updated);
  return grpc::Status::OK;
}

grpc::Status PartnerServiceImpl::ReportSales(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::SaleResult, v1::SaleRecord>* stream) {
  SaleQueue queue(kQueueCapacity);
  if (!AddOpenStream(&queue)) return StoppingStatus();
  stream->SendInitialMetadata();

  std::atomic<int64_t> read{0};
  absl::Notification reader_done;
  std::thread reader([&queue, &read, &reader_done, stream] {
    v1::SaleRecord record;
    while (stream->Read(&record)) {
      read.fetch_add(1, std::memory_order_relaxed);
      if (!queue.Push(std::move(record))) break;
      record.Clear();
    }
    queue.Close();
    reader_done.Notify();
  });

  grpc::Status status = grpc::Status::OK;
  int64_t answered = 0;
  std::vector<v1::SaleRecord> batch;
  while (queue.PopBatch(batch, SaleBatchProcessor::kMaxBatchSize)) {
    if (context->IsCancelled()) {
      status = grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled");
      break;
    }
    auto results = sales_.Process(batch);
    if (!results.ok()) {
      spdlog::error("msg=\"sales batch failed; stream ended\" peer={} records={} error={}",
                    context->peer(), batch.size(), Quote(results.status().ToString()));
      status = ToGrpcStatus(results.status());
      break;
    }
    if (!WriteResults(*stream, *results)) {
      status = grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading results");
      break;
    }
    answered += static_cast<int64_t>(results->size());
  }
  // BeginStop cancels the queue, after the loop above stored the batch in hand and wrote its
  // results. A stream whose client had half-closed and got every result completed all the same.
  const bool completed = reader_done.HasBeenNotified() && read.load() == answered;
  const bool stopped = status.ok() && queue.cancelled() && !completed;
  RemoveOpenStream(&queue);

  if (stopped) {
    status = StoppingStatus();
    // The reader is woken by the client's next record or by its half-close. A client that sends
    // nothing for kReaderStopWait is cancelled instead, and then receives CANCELLED (or
    // UNAVAILABLE when the process closes the connection first) rather than this status.
    if (!reader_done.WaitForNotificationWithTimeout(kReaderStopWait)) context->TryCancel();
  } else if (!status.ok()) {
    // The reader may be blocked in Read; cancelling the call is the only way to wake it.
    queue.Cancel();
    context->TryCancel();
  }
  reader.join();

  if (stopped) {
    spdlog::info(
        "msg=\"sales stream ended because the service is stopping\" peer={} answered={} "
        "unanswered={}",
        context->peer(), answered, read.load() - answered);
  }
  spdlog::debug("msg=\"sales stream ended\" peer={} answered={} code={}", context->peer(), answered,
                static_cast<int>(status.error_code()));
  return status;
}

void PartnerServiceImpl::BeginStop() {
  absl::MutexLock lock(&streams_mu_);
  stopping_ = true;
  for (SaleQueue* queue : open_streams_) queue->Cancel();
  spdlog::info("msg=\"ending open sales streams\" streams={}", open_streams_.size());
}

bool PartnerServiceImpl::AddOpenStream(SaleQueue* queue) {
  absl::MutexLock lock(&streams_mu_);
  if (stopping_) return false;
  open_streams_.insert(queue);
  return true;
}

void PartnerServiceImpl::RemoveOpenStream(SaleQueue* queue) {
  absl::MutexLock lock(&streams_mu_);
  open_streams_.erase(queue);
}

grpc::Status PartnerServiceImpl::GetOutboxStatus(grpc::ServerContext* context,
                                                 const common::v1::GetOutboxStatusRequest* request,
                                                 common::v1::OutboxStatus* response) {
  const outbox::RelayStatus status = outbox_status_();
  response->set_pending(status.pending);
  response->set_relayed(status.relayed);
  return grpc::Status::OK;
}

}  // namespace consort::partner
