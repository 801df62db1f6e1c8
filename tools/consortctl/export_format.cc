#include "consortctl/export_format.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/validation.h"
#include "consortctl/csv_reader.h"

namespace consort::consortctl {

absl::Status ValidatePeriodFlag(const std::string& period) {
  if (period.empty()) return absl::OkStatus();
  absl::Status status = CheckMonthLabel("--period", period);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--period \"", period, "\" is invalid; expected a month YYYY-MM such as 2018-03"));
  }
  return absl::OkStatus();
}

absl::Status ValidateFormatFlag(const std::string& format) {
  if (format == "csv") return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--format \"", format, "\" is invalid; the only format is csv"));
}

std::string ScorecardCsvRow(const performance::v1::Scorecard& scorecard) {
  return CsvLine({scorecard.partner_id(), scorecard.period(), scorecard.currency(),
                  scorecard.gross_sales().amount(), scorecard.refunds().amount(),
                  scorecard.net_sales().amount(), absl::StrCat(scorecard.orders()),
                  absl::StrCat(scorecard.items()), absl::StrCat(scorecard.feedback_count()),
                  scorecard.average_rating(), absl::StrCat(scorecard.complaints()),
                  scorecard.target().amount(), scorecard.attainment_pct()});
}

std::string CommissionCsvRow(const incentive::v1::CommissionTotal& total) {
  return CsvLine({total.partner_id(), total.period(), total.commission().currency(),
                  total.commission().amount()});
}

std::string FormatLeaderboard(const std::string& period,
                              const std::vector<performance::v1::Scorecard>& scorecards) {
  if (scorecards.empty()) return absl::StrCat("no scorecard for ", period, "\n");

  std::string out = absl::StrFormat("top %d partners of %s\n", scorecards.size(), period);
  absl::StrAppendFormat(&out, "%4s  %-32s %7s %18s %11s %7s %7s %10s\n", "rank", "partner", "score",
                        "net sales", "attainment", "orders", "rating", "complaints");
  int rank = 0;
  for (const performance::v1::Scorecard& card : scorecards) {
    std::string net = absl::StrCat(card.net_sales().amount(), " ", card.net_sales().currency());
    std::string attainment =
        card.attainment_pct().empty() ? "-" : absl::StrCat(card.attainment_pct(), "%");
    std::string rating = card.average_rating().empty() ? "-" : card.average_rating();
    absl::StrAppendFormat(&out, "%4d  %-32s %7s %18s %11s %7d %7s %10d\n", ++rank,
                          card.partner_id(), card.score(), net, attainment, card.orders(), rating,
                          card.complaints());
  }
  return out;
}

PeriodActivity BusiestPeriod(const std::vector<performance::v1::Scorecard>& scorecards) {
  std::map<std::string, PeriodActivity> periods;
  for (const performance::v1::Scorecard& card : scorecards) {
    PeriodActivity& activity = periods[card.period()];
    activity.period = card.period();
    activity.items += card.items();
    activity.orders += card.orders();
    if (card.items() > 0) ++activity.partners;
  }

  PeriodActivity best;
  for (const auto& [period, activity] : periods) {
    // The map is ordered by period, so a strict comparison keeps the earlier one of a tie.
    if (best.period.empty() || activity.items > best.items ||
        (activity.items == best.items && activity.orders > best.orders)) {
      best = activity;
    }
  }
  return best;
}

bool ConsumerCaughtUp(const common::v1::ConsumerProgress& progress) {
  if (progress.partitions_size() == 0) return false;
  for (const common::v1::PartitionProgress& partition : progress.partitions()) {
    // An empty partition is caught up whatever the consumer reports for it, and a high watermark
    // read before the consumer's last fetch may trail next_offset.
    if (partition.high_watermark() == 0) continue;
    if (partition.next_offset() < partition.high_watermark()) return false;
  }
  return true;
}

int64_t ConsumerLag(const common::v1::ConsumerProgress& progress) {
  int64_t lag = 0;
  for (const common::v1::PartitionProgress& partition : progress.partitions()) {
    if (partition.high_watermark() > partition.next_offset()) {
      lag += partition.high_watermark() - partition.next_offset();
    }
  }
  return lag;
}

}  // namespace consort::consortctl
