#include "incentive/incentive_service.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validation.h"
#include "money/money.h"

namespace consort::incentive {
namespace {

constexpr int kDefaultPageSize = 500;
constexpr int kMaxPageSize = 5000;

absl::StatusOr<int> CheckPageSize(int32_t value) {
  if (value == 0) return kDefaultPageSize;
  if (value < 0 || value > kMaxPageSize) {
    return InvalidField("page_size", absl::StrCat(value),
                        absl::StrCat("1 to ", kMaxPageSize, ", or 0 for ", kDefaultPageSize));
  }
  return value;
}

absl::Status ToProtoTotal(const CommissionTotal& total, v1::CommissionTotal& out) {
  const money::Currency* currency = money::FindCurrency(total.currency);
  if (currency == nullptr) {
    return absl::InternalError(absl::StrCat("stored commission total of ", total.partner_id,
                                            " for ", total.period, " has the unknown currency ",
                                            total.currency));
  }
  absl::StatusOr<money::Money> commission =
      money::Money::FromMinorChecked(total.commission_minor, total.currency);
  if (!commission.ok()) return commission.status();
  out.set_partner_id(total.partner_id);
  out.set_period(total.period);
  out.mutable_commission()->set_currency(total.currency);
  out.mutable_commission()->set_amount(commission->ToString());
  return absl::OkStatus();
}

}  // namespace

IncentiveServiceImpl::IncentiveServiceImpl(IncentiveStore& store,
                                           consumer::ProgressSources progress)
    : store_(store), progress_(std::move(progress)) {}

grpc::Status IncentiveServiceImpl::ListAccruals(grpc::ServerContext* context,
                                                const v1::ListAccrualsRequest* request,
                                                v1::ListAccrualsResponse* response) {
  if (absl::Status status = CheckIdentifier("partner_id", request->partner_id()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  if (absl::Status status = CheckMonthLabel("period", request->period()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  absl::StatusOr<int> page_size = CheckPageSize(request->page_size());
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());

  absl::StatusOr<AccrualPage> page = store_.ListAccruals(request->partner_id(), request->period(),
                                                         *page_size, request->page_token());
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (v1::AccrualLine& line : page->lines) *response->add_lines() = std::move(line);
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status IncentiveServiceImpl::ListCommissionTotals(
    grpc::ServerContext* context, const v1::ListCommissionTotalsRequest* request,
    v1::ListCommissionTotalsResponse* response) {
  if (!request->period().empty()) {
    if (absl::Status status = CheckMonthLabel("period", request->period()); !status.ok()) {
      return ToGrpcStatus(status);
    }
  }
  absl::StatusOr<int> page_size = CheckPageSize(request->page_size());
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());

  absl::StatusOr<TotalsPage> page =
      store_.ListCommissionTotals(request->period(), *page_size, request->page_token());
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const CommissionTotal& total : page->totals) {
    if (absl::Status status = ToProtoTotal(total, *response->add_totals()); !status.ok()) {
      return ToGrpcStatus(status);
    }
  }
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status IncentiveServiceImpl::GetConsumerProgress(
    grpc::ServerContext* context, const consort::common::v1::GetConsumerProgressRequest* request,
    consort::common::v1::ConsumerProgress* response) {
  absl::StatusOr<std::map<std::string, int64_t>> stored = store_.LoadOffsets();
  if (!stored.ok()) return ToGrpcStatus(stored.status());

  consumer::FillConsumerProgress(*stored, progress_, *response);
  return grpc::Status::OK;
}

}  // namespace consort::incentive
