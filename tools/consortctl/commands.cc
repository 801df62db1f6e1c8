#include "consortctl/commands.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "consortctl/export_format.h"

namespace consort::consortctl {
namespace {

absl::Status CheckExportFlags(const ExportOptions& options) {
  absl::Status status = ValidateFormatFlag(options.format);
  if (!status.ok()) return status;
  return ValidatePeriodFlag(options.period);
}

// Reads every page of ListScorecards.
grpc::Status ListAllScorecards(ServiceClients& clients, const RetryPolicy& retry,
                               const std::string& period, int page_size,
                               std::vector<performance::v1::Scorecard>& scorecards) {
  performance::v1::ListScorecardsRequest request;
  request.set_period(period);
  request.set_page_size(page_size);
  while (true) {
    performance::v1::ListScorecardsResponse response;
    grpc::Status status = CallWithRetry(retry, [&](grpc::ClientContext& context) {
      return clients.performance().ListScorecards(&context, request, &response);
    });
    if (!status.ok()) return status;
    for (auto& card : *response.mutable_scorecards()) scorecards.push_back(std::move(card));
    if (response.next_page_token().empty()) return grpc::Status::OK;
    request.set_page_token(response.next_page_token());
  }
}

}  // namespace

int ExportScorecards(ServiceClients& clients, const RetryPolicy& retry,
                     const ExportOptions& options, std::ostream& out, std::ostream& err) {
  if (absl::Status status = CheckExportFlags(options); !status.ok()) {
    err << "error: " << status.message() << "\n";
    return kExitUsage;
  }
  std::vector<performance::v1::Scorecard> scorecards;
  grpc::Status status =
      ListAllScorecards(clients, retry, options.period, options.page_size, scorecards);
  if (!status.ok()) {
    err << "error: " << DescribeFailure("ListScorecards", clients.addresses().performance, status)
        << "\n";
    return kExitServiceFailure;
  }
  out << kScorecardCsvHeader << "\n";
  for (const performance::v1::Scorecard& card : scorecards) out << ScorecardCsvRow(card) << "\n";
  out.flush();
  return kExitOk;
}

int ExportCommissions(ServiceClients& clients, const RetryPolicy& retry,
                      const ExportOptions& options, std::ostream& out, std::ostream& err) {
  if (absl::Status status = CheckExportFlags(options); !status.ok()) {
    err << "error: " << status.message() << "\n";
    return kExitUsage;
  }
  std::vector<incentive::v1::CommissionTotal> totals;
  incentive::v1::ListCommissionTotalsRequest request;
  request.set_period(options.period);
  request.set_page_size(options.page_size);
  while (true) {
    incentive::v1::ListCommissionTotalsResponse response;
    grpc::Status status = CallWithRetry(retry, [&](grpc::ClientContext& context) {
      return clients.incentive().ListCommissionTotals(&context, request, &response);
    });
    if (!status.ok()) {
      err << "error: "
          << DescribeFailure("ListCommissionTotals", clients.addresses().incentive, status) << "\n";
      return kExitServiceFailure;
    }
    for (auto& total : *response.mutable_totals()) totals.push_back(std::move(total));
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }

  out << kCommissionCsvHeader << "\n";
  for (const incentive::v1::CommissionTotal& total : totals) out << CommissionCsvRow(total) << "\n";
  out.flush();
  return kExitOk;
}

int WaitForQuiet(ServiceClients& clients, const RetryPolicy& retry, const WaitOptions& options,
                 std::ostream& err) {
  if (options.timeout < kMinWaitTimeout || options.timeout > kMaxWaitTimeout) {
    err << "error: --timeout " << absl::FormatDuration(options.timeout)
        << " is invalid; expected from " << absl::FormatDuration(kMinWaitTimeout) << " to "
        << absl::FormatDuration(kMaxWaitTimeout) << "\n";
    return kExitUsage;
  }
  // One poll with a short deadline, so that a service that is down shows up as waiting rather
  // than blocking the loop.
  RetryPolicy poll_retry = retry;
  poll_retry.max_attempts = 1;
  poll_retry.timeout = std::min(retry.timeout, absl::Seconds(5));

  absl::Time deadline = absl::Now() + options.timeout;
  absl::Time last_print = absl::InfinitePast();
  int stable = 0;
  std::string previous_offsets;
  std::string state = "no answer yet";

  while (true) {
    common::v1::GetOutboxStatusRequest outbox_request;
    common::v1::OutboxStatus partner_outbox;
    common::v1::OutboxStatus communication_outbox;
    common::v1::GetConsumerProgressRequest progress_request;
    common::v1::ConsumerProgress performance_progress;
    common::v1::ConsumerProgress incentive_progress;

    std::vector<std::string> failures;
    auto check = [&](const std::string& what, const std::string& address,
                     const grpc::Status& status) {
      if (!status.ok()) failures.push_back(DescribeFailure(what, address, status));
    };
    check("partner GetOutboxStatus", clients.addresses().partner,
          CallWithRetry(poll_retry, [&](grpc::ClientContext& context) {
            return clients.partner().GetOutboxStatus(&context, outbox_request, &partner_outbox);
          }));
    check("communication GetOutboxStatus", clients.addresses().communication,
          CallWithRetry(poll_retry, [&](grpc::ClientContext& context) {
            return clients.communication().GetOutboxStatus(&context, outbox_request,
                                                           &communication_outbox);
          }));
    check("performance GetConsumerProgress", clients.addresses().performance,
          CallWithRetry(poll_retry, [&](grpc::ClientContext& context) {
            return clients.performance().GetConsumerProgress(&context, progress_request,
                                                             &performance_progress);
          }));
    check("incentive GetConsumerProgress", clients.addresses().incentive,
          CallWithRetry(poll_retry, [&](grpc::ClientContext& context) {
            return clients.incentive().GetConsumerProgress(&context, progress_request,
                                                           &incentive_progress);
          }));

    bool drained = false;
    if (failures.empty()) {
      state = absl::StrFormat(
          "outbox pending: partner %d, communication %d; consumer lag: performance %d (%d "
          "partitions), incentive %d (%d partitions)",
          partner_outbox.pending(), communication_outbox.pending(),
          ConsumerLag(performance_progress), performance_progress.partitions_size(),
          ConsumerLag(incentive_progress), incentive_progress.partitions_size());
      drained = partner_outbox.pending() == 0 && communication_outbox.pending() == 0 &&
                ConsumerCaughtUp(performance_progress) && ConsumerCaughtUp(incentive_progress);
    } else {
      state = failures.front();
    }

    std::string offsets = absl::StrCat(performance_progress.ShortDebugString(), "|",
                                       incentive_progress.ShortDebugString());
    stable = drained && (stable == 0 || offsets == previous_offsets) ? stable + 1 : 0;
    previous_offsets = offsets;
    if (stable >= options.stable_polls) {
      err << "wait: done; " << state << "\n";
      return kExitOk;
    }

    absl::Time now = absl::Now();
    if (now >= deadline) {
      err << "error: wait timed out after " << absl::FormatDuration(options.timeout) << "; "
          << state << "\n";
      return kExitTimeout;
    }
    if (now - last_print >= absl::Seconds(1)) {
      err << "wait: " << state << "\n";
      last_print = now;
    }
    absl::SleepFor(options.poll_interval);
  }
}

int PrintLeaderboard(ServiceClients& clients, const RetryPolicy& retry, const std::string& period,
                     int limit, std::ostream& out, std::ostream& err) {
  if (period.empty()) {
    err << "error: --period is missing; expected a month YYYY-MM such as 2018-03\n";
    return kExitUsage;
  }
  if (absl::Status status = ValidatePeriodFlag(period); !status.ok()) {
    err << "error: " << status.message() << "\n";
    return kExitUsage;
  }
  performance::v1::GetLeaderboardRequest request;
  request.set_period(period);
  request.set_limit(limit);
  performance::v1::GetLeaderboardResponse response;
  grpc::Status status = CallWithRetry(retry, [&](grpc::ClientContext& context) {
    return clients.performance().GetLeaderboard(&context, request, &response);
  });
  if (!status.ok()) {
    err << "error: " << DescribeFailure("GetLeaderboard", clients.addresses().performance, status)
        << "\n";
    return kExitServiceFailure;
  }
  std::vector<performance::v1::Scorecard> scorecards(response.scorecards().begin(),
                                                     response.scorecards().end());
  out << FormatLeaderboard(period, scorecards);
  out.flush();
  return kExitOk;
}

int PrintBusiestMonth(ServiceClients& clients, const RetryPolicy& retry, std::ostream& out,
                      std::ostream& err) {
  std::vector<performance::v1::Scorecard> scorecards;
  grpc::Status status = ListAllScorecards(clients, retry, "", 1000, scorecards);
  if (!status.ok()) {
    err << "error: " << DescribeFailure("ListScorecards", clients.addresses().performance, status)
        << "\n";
    return kExitServiceFailure;
  }
  PeriodActivity busiest = BusiestPeriod(scorecards);
  if (busiest.period.empty()) {
    err << "error: the performance service has no scorecard yet; import data first\n";
    return kExitServiceFailure;
  }
  out << busiest.period << "\n";
  out.flush();
  err << "busiest month " << busiest.period << ": " << busiest.items << " items in "
      << busiest.orders << " orders across " << busiest.partners << " partners\n";
  return kExitOk;
}

}  // namespace consort::consortctl
