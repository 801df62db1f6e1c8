#include "performance/performance_service.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validation.h"
#include "performance/aggregation.h"
#include "performance/leaderboard.h"

namespace consort::performance {
namespace {

constexpr int kDefaultLeaderboardLimit = 10;
constexpr int kMaxLeaderboardLimit = 1000;
constexpr int kDefaultPageSize = 500;
constexpr int kMaxPageSize = 5000;

absl::StatusOr<int> CheckLimit(absl::string_view field, int32_t value, int default_value,
                               int max_value) {
  if (value == 0) return default_value;
  if (value < 0 || value > max_value) {
    return InvalidField(field, absl::StrCat(value),
                        absl::StrCat("1 to ", max_value, ", or 0 for ", default_value));
  }
  return value;
}

// Fills the scorecard from `totals`, reusing an already computed score.
absl::Status AppendScorecard(const ScorecardTotals& totals,
                             google::protobuf::RepeatedPtrField<v1::Scorecard>& out) {
  absl::StatusOr<v1::Scorecard> card = ToScorecardProto(totals);
  if (!card.ok()) return card.status();
  *out.Add() = *std::move(card);
  return absl::OkStatus();
}

}  // namespace

PerformanceServiceImpl::PerformanceServiceImpl(PerformanceStore& store, ProgressSources progress)
    : store_(store), progress_(std::move(progress)) {}

grpc::Status PerformanceServiceImpl::GetScorecard(grpc::ServerContext* context,
                                                  const v1::GetScorecardRequest* request,
                                                  v1::Scorecard* response) {
  if (absl::Status status = CheckIdentifier("partner_id", request->partner_id()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  if (absl::Status status = CheckMonthLabel("period", request->period()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  absl::StatusOr<ScorecardTotals> totals =
      store_.GetScorecard(request->partner_id(), request->period());
  if (!totals.ok()) return ToGrpcStatus(totals.status());
  absl::StatusOr<v1::Scorecard> card = ToScorecardProto(*totals);
  if (!card.ok()) return ToGrpcStatus(card.status());
  *response = *std::move(card);
  return grpc::Status::OK;
}

grpc::Status PerformanceServiceImpl::GetLeaderboard(grpc::ServerContext* context,
                                                    const v1::GetLeaderboardRequest* request,
                                                    v1::GetLeaderboardResponse* response) {
  if (absl::Status status = CheckMonthLabel("period", request->period()); !status.ok()) {
    return ToGrpcStatus(status);
  }
  absl::StatusOr<int> limit =
      CheckLimit("limit", request->limit(), kDefaultLeaderboardLimit, kMaxLeaderboardLimit);
  if (!limit.ok()) return ToGrpcStatus(limit.status());

  absl::StatusOr<std::vector<ScorecardTotals>> scorecards = store_.ListPeriod(request->period());
  if (!scorecards.ok()) return ToGrpcStatus(scorecards.status());
  std::vector<RankedScorecard> ranked = RankScorecards(*std::move(scorecards));
  for (size_t i = 0; i < ranked.size() && static_cast<int>(i) < *limit; ++i) {
    if (absl::Status status = AppendScorecard(ranked[i].totals, *response->mutable_scorecards());
        !status.ok()) {
      return ToGrpcStatus(status);
    }
  }
  return grpc::Status::OK;
}

grpc::Status PerformanceServiceImpl::ListScorecards(grpc::ServerContext* context,
                                                    const v1::ListScorecardsRequest* request,
                                                    v1::ListScorecardsResponse* response) {
  if (!request->period().empty()) {
    if (absl::Status status = CheckMonthLabel("period", request->period()); !status.ok()) {
      return ToGrpcStatus(status);
    }
  }
  absl::StatusOr<int> page_size =
      CheckLimit("page_size", request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());

  absl::StatusOr<ScorecardPage> page =
      store_.ListScorecards(request->period(), *page_size, request->page_token());
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const ScorecardTotals& totals : page->scorecards) {
    if (absl::Status status = AppendScorecard(totals, *response->mutable_scorecards());
        !status.ok()) {
      return ToGrpcStatus(status);
    }
  }
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status PerformanceServiceImpl::GetConsumerProgress(
    grpc::ServerContext* context, const consort::common::v1::GetConsumerProgressRequest* request,
    consort::common::v1::ConsumerProgress* response) {
  absl::StatusOr<std::map<std::string, int64_t>> stored = store_.LoadOffsets();
  if (!stored.ok()) return ToGrpcStatus(stored.status());

  consumer::FillConsumerProgress(*stored, progress_, *response);
  return grpc::Status::OK;
}

}  // namespace consort::performance
