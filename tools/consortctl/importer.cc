#include "consortctl/importer.h"

#include <condition_variable>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "consortctl/progress.h"

namespace consort::consortctl {
namespace {

// Runs task(i) for i in [0, count) on `threads` threads. Stops handing out work after the first
// error and returns it.
absl::Status RunOnPool(int threads, size_t count, const std::function<absl::Status(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  absl::Status first_error;

  auto worker = [&] {
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= count) return;
      absl::Status status = task(i);
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = status;
        failed.store(true);
      }
    }
  };

  std::vector<std::thread> pool;
  int n = std::max(1, std::min<int>(threads, static_cast<int>(count)));
  for (int i = 0; i < n; ++i) pool.emplace_back(worker);
  for (std::thread& thread : pool) thread.join();
  return first_error;
}

std::string ReasonFor(const std::string& step, const grpc::Status& status) {
  return absl::StrCat(step, ": ", StatusCodeName(status.error_code()));
}

// Whether a ReportSales stream that ended with `code` before every record had a result may be
// opened again to resend the rest. A stopping partner service ends the stream with UNAVAILABLE,
// or cancels a stream that sends nothing with CANCELLED; a dropped connection is UNAVAILABLE.
// DEADLINE_EXCEEDED means the import's stream_timeout has passed.
bool IsResumable(grpc::StatusCode code) {
  return code == grpc::StatusCode::OK || code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         code == grpc::StatusCode::ABORTED;
}

}  // namespace

partner::v1::Partner ToPartnerProto(const PlannedPartner& planned) {
  partner::v1::Partner partner;
  partner.set_partner_id(planned.partner_id);
  partner.set_display_name(planned.display_name);
  partner.set_home_region(planned.home_region);
  partner.set_status(partner::v1::PARTNER_STATUS_ACTIVE);
  return partner;
}

contract::v1::Contract ToContractProto(const PlannedPartner& planned,
                                       const ImportOptions& options) {
  contract::v1::Contract contract;
  contract.set_contract_id(planned.contract_id);
  contract.set_partner_id(planned.partner_id);
  for (const std::string& region : planned.contract_regions) contract.add_regions(region);
  contract.set_all_product_categories(true);
  contract.add_channels(options.channel);
  contract.set_currency(options.currency);
  contract.set_time_zone(options.time_zone);
  contract.mutable_monthly_target()->set_currency(options.currency);
  contract.mutable_monthly_target()->set_amount(options.monthly_target);
  contract.set_commission_rate(options.commission_rate);
  return contract;
}

partner::v1::SaleRecord ToSaleRecord(const PlannedSale& sale, const ImportOptions& options) {
  partner::v1::SaleRecord record;
  record.set_sale_id(sale.sale_id);
  record.set_partner_id(sale.partner_id);
  record.set_kind(sale.refund ? partner::v1::SALE_RECORD_KIND_REFUND
                              : partner::v1::SALE_RECORD_KIND_SALE);
  if (sale.refund) record.set_original_sale_id(sale.original_sale_id);
  record.mutable_amount()->set_currency(options.currency);
  record.mutable_amount()->set_amount(sale.amount);
  record.set_region(sale.region);
  record.set_product_category(sale.product_category);
  record.set_channel(options.channel);
  record.set_order_id(sale.order_id);
  record.set_quantity(1);
  *record.mutable_event_time() = ToProtoTimestamp(sale.event_time);
  if (!sale.freight.empty()) {
    record.mutable_freight()->set_currency(options.currency);
    record.mutable_freight()->set_amount(sale.freight);
  }
  return record;
}

communication::v1::Feedback ToFeedbackProto(const PlannedFeedback& planned) {
  communication::v1::Feedback feedback;
  feedback.set_feedback_id(planned.feedback_id);
  feedback.set_partner_id(planned.partner_id);
  feedback.set_order_id(planned.order_id);
  feedback.set_rating(planned.rating);
  feedback.set_title(planned.title);
  feedback.set_text(planned.text);
  *feedback.mutable_event_time() = ToProtoTimestamp(planned.event_time);
  return feedback;
}

Importer::Importer(ServiceClients& clients, ImportSettings settings, ImportTally& tally)
    : clients_(clients), settings_(std::move(settings)), tally_(tally) {}

absl::Status Importer::Run(const ImportPlan& plan) {
  absl::Status status = ImportPartners(plan.partners, plan.options);
  if (!status.ok()) return status;
  status = ReportSales(plan.sales, plan.options);
  if (!status.ok()) return status;
  return RecordFeedback(plan.feedback);
}

void Importer::Pace() {
  if (settings_.max_records_per_second <= 0) return;
  absl::Time due;
  {
    absl::MutexLock lock(&pace_mu_);
    if (pace_start_ == absl::InfinitePast()) pace_start_ = absl::Now();
    due = pace_start_ +
          absl::Seconds(static_cast<double>(paced_++) / settings_.max_records_per_second);
  }
  absl::SleepFor(due - absl::Now());
}

absl::Status Importer::ImportPartners(const std::vector<PlannedPartner>& partners,
                                      const ImportOptions& options) {
  std::optional<Progress> progress;
  if (settings_.show_progress) {
    progress.emplace("partners", partners.size(), tally_, std::vector<std::string>{kKindPartner});
  }
  return RunOnPool(settings_.concurrency, partners.size(), [&](size_t i) {
    absl::Status status = ImportPartner(partners[i], options);
    if (progress.has_value()) progress->Advance();
    return status;
  });
}

absl::Status Importer::ImportPartner(const PlannedPartner& planned, const ImportOptions& options) {
  // A failed step either rejects this seller (counted; the import goes on) or is a transport
  // failure that ends the import.
  auto fail = [&](const std::string& step, const std::string& rpc, const std::string& address,
                  const grpc::Status& status) -> absl::Status {
    if (!IsRecordRejection(status.error_code())) {
      return absl::UnavailableError(DescribeFailure(rpc, address, status));
    }
    tally_.Add(kKindPartner, Outcome::kRejected, ReasonFor(step, status),
               absl::StrCat("partner ", planned.partner_id, ": ", status.error_message()));
    return absl::OkStatus();
  };
  const std::string& partner_address = clients_.addresses().partner;
  const std::string& contract_address = clients_.addresses().contract;

  partner::v1::GetPartnerRequest get_request;
  get_request.set_partner_id(planned.partner_id);
  partner::v1::Partner existing;
  grpc::Status status = CallWithRetry(settings_.retry, [&](grpc::ClientContext& context) {
    return clients_.partner().GetPartner(&context, get_request, &existing);
  });
  bool existed = status.ok();
  if (!existed && status.error_code() != grpc::StatusCode::NOT_FOUND) {
    return fail("get partner", "GetPartner", partner_address, status);
  }

  if (!existed) {
    partner::v1::CreatePartnerRequest create_request;
    *create_request.mutable_partner() = ToPartnerProto(planned);
    partner::v1::Partner created;
    status = CallWithRetry(settings_.retry, [&](grpc::ClientContext& context) {
      return clients_.partner().CreatePartner(&context, create_request, &created);
    });
    if (!status.ok()) return fail("create partner", "CreatePartner", partner_address, status);

    // A partner service that always creates partners as APPLIED needs a second step.
    if (created.status() != partner::v1::PARTNER_STATUS_ACTIVE) {
      partner::v1::UpdatePartnerRequest update_request;
      update_request.mutable_partner()->set_partner_id(planned.partner_id);
      update_request.mutable_partner()->set_status(partner::v1::PARTNER_STATUS_ACTIVE);
      update_request.mutable_update_mask()->add_paths("status");
      partner::v1::Partner updated;
      status = CallWithRetry(settings_.retry, [&](grpc::ClientContext& context) {
        return clients_.partner().UpdatePartner(&context, update_request, &updated);
      });
      if (!status.ok()) return fail("activate partner", "UpdatePartner", partner_address, status);
    }
  }

  contract::v1::CreateContractRequest contract_request;
  *contract_request.mutable_contract() = ToContractProto(planned, options);
  contract::v1::Contract contract;
  status = CallWithRetry(settings_.retry, [&](grpc::ClientContext& context) {
    return clients_.contract().CreateContract(&context, contract_request, &contract);
  });
  if (!status.ok()) return fail("create contract", "CreateContract", contract_address, status);

  contract::v1::ActivateContractRequest activate_request;
  activate_request.set_contract_id(planned.contract_id);
  status = CallWithRetry(settings_.retry, [&](grpc::ClientContext& context) {
    return clients_.contract().ActivateContract(&context, activate_request, &contract);
  });
  if (!status.ok()) {
    return fail("activate contract", "ActivateContract", contract_address, status);
  }

  tally_.Add(kKindPartner, existed ? Outcome::kDuplicate : Outcome::kAccepted);
  return absl::OkStatus();
}

absl::Status Importer::ReportSales(const std::vector<PlannedSale>& sales,
                                   const ImportOptions& options) {
  if (sales.empty()) return absl::OkStatus();
  std::optional<Progress> progress;
  if (settings_.show_progress) {
    progress.emplace("sales", sales.size(), tally_,
                     std::vector<std::string>{kKindSale, kKindRefund});
  }

  std::vector<PlannedSale> pending = sales;
  absl::Duration backoff = settings_.retry.first_backoff;
  for (int attempt = 1;; ++attempt) {
    std::vector<PlannedSale> deferred;
    const bool last_attempt = attempt >= settings_.retry.max_attempts;
    absl::Status status =
        ReportSalesPass(pending, options, progress, last_attempt ? nullptr : &deferred);
    deferred_ = nullptr;
    if (!status.ok() || deferred.empty()) return status;
    std::cerr << "import: " << deferred.size() << " sales and refunds were rejected as "
              << kRetryableReason << "; sending them again in " << absl::FormatDuration(backoff)
              << " (attempt " << attempt + 1 << " of " << settings_.retry.max_attempts << ")"
              << std::endl;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, settings_.retry.max_backoff);
    pending = std::move(deferred);
  }
}

absl::Status Importer::ReportSalesPass(const std::vector<PlannedSale>& sales,
                                       const ImportOptions& options,
                                       std::optional<Progress>& progress,
                                       std::vector<PlannedSale>* deferred) {
  deferred_ = deferred;
  deferred_ids_.clear();
  const absl::Time deadline = absl::Now() + settings_.stream_timeout;
  SaleResultLedger ledger(sales.size());
  absl::Duration backoff = settings_.retry.first_backoff;
  int failed_attempts = 0;
  while (true) {
    SalesStreamEnd end = StreamSales(sales, options, deadline, ledger, progress);
    if (!end.protocol_error.empty()) {
      return absl::InternalError(
          absl::StrCat("ReportSales at ", clients_.addresses().partner,
                       " returned an unexpected result: ", end.protocol_error));
    }
    if (ledger.complete()) return absl::OkStatus();

    const std::string cause =
        end.status.ok() ? "the stream ended early"
                        : DescribeFailure("ReportSales", clients_.addresses().partner, end.status);
    // A stream that brought results made progress, so the next outage gets every attempt again.
    if (end.results > 0) {
      failed_attempts = 0;
      backoff = settings_.retry.first_backoff;
    } else {
      ++failed_attempts;
    }
    if (!IsResumable(end.status.error_code()) || failed_attempts >= settings_.retry.max_attempts) {
      return absl::UnavailableError(absl::StrCat(
          cause, " after ", ledger.answered(), " of ", sales.size(),
          " results; run the import again, records already stored are reported as duplicate"));
    }
    std::cerr << "import: " << cause << " after " << ledger.answered() << " of " << sales.size()
              << " results; reconnecting in " << absl::FormatDuration(backoff)
              << " to resend from sale " << sales[ledger.answered()].sale_id << " ("
              << failed_attempts << " of " << settings_.retry.max_attempts
              << " attempts without a result used)" << std::endl;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, settings_.retry.max_backoff);
    // The channel reconnects with its own backoff. Waiting for it here keeps a restart of the
    // partner service from using up the attempts while no connection is possible.
    clients_.partner_channel()->WaitForConnected(
        absl::ToChronoTime(std::min(deadline, absl::Now() + settings_.retry.timeout)));
  }
}

Importer::SalesStreamEnd Importer::StreamSales(const std::vector<PlannedSale>& sales,
                                               const ImportOptions& options, absl::Time deadline,
                                               SaleResultLedger& ledger,
                                               std::optional<Progress>& progress) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  std::unique_ptr<grpc::ClientReaderWriter<partner::v1::SaleRecord, partner::v1::SaleResult>>
      stream = clients_.partner().ReportSales(&context);

  // The writer waits while max_in_flight records are unanswered; the reader frees a slot per
  // result and wakes the writer when the stream ends early.
  std::mutex mu;
  std::condition_variable slot_freed;
  const size_t first = ledger.StartStream();
  size_t written = 0;
  bool reader_done = false;
  SalesStreamEnd end;

  std::thread reader([&] {
    partner::v1::SaleResult result;
    while (stream->Read(&result)) {
      size_t index;
      {
        std::lock_guard<std::mutex> lock(mu);
        index = ledger.NextResultIndex();
      }
      if (index >= sales.size() || result.sale_id() != sales[index].sale_id) {
        std::lock_guard<std::mutex> lock(mu);
        end.protocol_error = absl::StrCat("result ", index + 1, " names sale \"", result.sale_id(),
                                          "\"; expected the results in the order of the records");
        context.TryCancel();
        break;
      }
      if (CountResult(sales[index], result) && progress.has_value()) progress->Advance();
      {
        std::lock_guard<std::mutex> lock(mu);
        ledger.TakeResult();
      }
      slot_freed.notify_one();
    }
    std::lock_guard<std::mutex> lock(mu);
    reader_done = true;
    slot_freed.notify_one();
  });

  bool write_failed = false;
  const size_t window = static_cast<size_t>(std::max(1, settings_.max_in_flight));
  for (size_t i = first; i < sales.size(); ++i) {
    {
      std::unique_lock<std::mutex> lock(mu);
      slot_freed.wait(lock, [&] { return reader_done || ledger.in_flight(written) < window; });
      if (reader_done) break;
    }
    Pace();
    if (!stream->Write(ToSaleRecord(sales[i], options))) {
      write_failed = true;
      break;
    }
    std::lock_guard<std::mutex> lock(mu);
    ++written;
  }
  if (!write_failed) stream->WritesDone();
  reader.join();
  end.status = stream->Finish();
  end.results = ledger.stream_results();
  return end;
}

bool Importer::CountResult(const PlannedSale& sale, const partner::v1::SaleResult& result) {
  if (deferred_ != nullptr && result.outcome() == partner::v1::SALE_OUTCOME_REJECTED) {
    // A refund whose sale was deferred was rejected because that sale is not stored yet.
    const bool retryable =
        result.reason() == kRetryableReason ||
        (sale.refund && result.reason() == "original_sale_not_found" &&
         deferred_ids_.contains(sale.original_sale_id));
    if (retryable) {
      deferred_->push_back(sale);
      deferred_ids_.insert(sale.sale_id);
      return false;
    }
  }
  const char* kind = sale.refund ? kKindRefund : kKindSale;
  switch (result.outcome()) {
    case partner::v1::SALE_OUTCOME_ACCEPTED:
      tally_.Add(kind, Outcome::kAccepted);
      break;
    case partner::v1::SALE_OUTCOME_DUPLICATE:
      tally_.Add(kind, Outcome::kDuplicate);
      break;
    default:
      tally_.Add(kind, Outcome::kRejected,
                 result.reason().empty() ? "unspecified" : result.reason(),
                 absl::StrCat("sale ", sale.sale_id, ": ", result.message()));
      break;
  }
  return true;
}

absl::Status Importer::RecordFeedback(const std::vector<PlannedFeedback>& feedback) {
  std::optional<Progress> progress;
  if (settings_.show_progress) {
    progress.emplace("feedback", feedback.size(), tally_, std::vector<std::string>{kKindFeedback});
  }
  return RunOnPool(settings_.concurrency, feedback.size(), [&](size_t i) -> absl::Status {
    Pace();
    communication::v1::RecordFeedbackRequest request;
    *request.mutable_feedback() = ToFeedbackProto(feedback[i]);
    communication::v1::RecordFeedbackResponse response;
    grpc::Status status = CallWithRetry(settings_.retry, [&](grpc::ClientContext& context) {
      return clients_.communication().RecordFeedback(&context, request, &response);
    });
    if (progress.has_value()) progress->Advance();
    if (status.ok()) {
      tally_.Add(kKindFeedback, response.duplicate() ? Outcome::kDuplicate : Outcome::kAccepted);
      return absl::OkStatus();
    }
    if (IsRecordRejection(status.error_code())) {
      tally_.Add(kKindFeedback, Outcome::kRejected, StatusCodeName(status.error_code()),
                 absl::StrCat("feedback ", feedback[i].feedback_id, ": ", status.error_message()));
      return absl::OkStatus();
    }
    return absl::UnavailableError(
        DescribeFailure("RecordFeedback", clients_.addresses().communication, status));
  });
}

}  // namespace consort::consortctl
