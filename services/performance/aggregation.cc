#include "performance/aggregation.h"

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "money/decimal.h"
#include "money/money.h"
#include "performance/score.h"
#include "period/period.h"

namespace consort::performance {
namespace {

using consort::performance::v1::Scorecard;

// Adds `delta` (>= 0) to `sum` unless the result would leave the range of a money amount.
absl::Status AddBounded(int64_t& sum, int64_t delta, absl::string_view what) {
  if (delta > money::Money::kMaxMinorUnits - sum) {
    return absl::OutOfRangeError(
        absl::StrCat(what, " would exceed ", money::Money::kMaxMinorUnits, " minor units"));
  }
  sum += delta;
  return absl::OkStatus();
}

// Formats value / 100 with exactly two decimals.
std::string FormatHundredths(absl::int128 hundredths) {
  return money::FormatScaled(hundredths, 2, /*trim_zeros=*/false);
}

absl::Status SetMoney(int64_t minor, const money::Currency& currency,
                      consort::common::v1::Money* out) {
  absl::StatusOr<money::Money> amount = money::Money::FromMinorChecked(minor, currency.code);
  if (!amount.ok()) return amount.status();
  out->set_currency(std::string(currency.code));
  out->set_amount(amount->ToString());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> MonthLabel(absl::Time event_time, const std::string& time_zone) {
  absl::StatusOr<absl::TimeZone> zone = period::LoadZone(time_zone);
  if (!zone.ok()) return zone.status();
  return period::MonthOf(event_time, *zone).Label();
}

absl::Status ApplySale(ScorecardTotals& totals, int64_t amount_minor, int64_t quantity,
                       bool new_order) {
  ScorecardTotals updated = totals;
  if (absl::Status status = AddBounded(updated.gross_minor, amount_minor, "gross sales");
      !status.ok()) {
    return status;
  }
  if (absl::Status status = AddBounded(updated.items, quantity, "items"); !status.ok()) {
    return status;
  }
  if (new_order) ++updated.orders;
  totals = std::move(updated);
  return absl::OkStatus();
}

absl::Status ApplyRefund(ScorecardTotals& totals, int64_t amount_minor) {
  return AddBounded(totals.refunds_minor, -amount_minor, "refunds");
}

absl::Status ApplyFeedback(ScorecardTotals& totals, int32_t rating, bool complaint) {
  ++totals.feedback_count;
  totals.rating_sum += rating;
  if (complaint) ++totals.complaints;
  return absl::OkStatus();
}

std::string FormatAverageRating(int64_t rating_sum, int64_t feedback_count) {
  if (feedback_count <= 0) return "";
  return FormatHundredths(money::DivideRounded<absl::int128>(
      absl::int128(rating_sum) * 100, feedback_count, money::RoundingMode::kHalfUp));
}

std::string FormatAttainmentPct(int64_t net_minor, int64_t target_minor) {
  if (target_minor == 0) return "";
  // net / target * 100 in hundredths of a percent is net * 10,000 / target.
  return FormatHundredths(money::DivideRounded<absl::int128>(
      absl::int128(net_minor) * 10000, target_minor, money::RoundingMode::kHalfUp));
}

absl::StatusOr<Scorecard> ToScorecardProto(const ScorecardTotals& totals) {
  const money::Currency* currency = money::FindCurrency(totals.currency);
  if (currency == nullptr) {
    return absl::InternalError(absl::StrCat("scorecard of partner ", totals.partner_id, " for ",
                                            totals.period, " has the unknown currency \"",
                                            totals.currency, "\""));
  }

  Scorecard card;
  card.set_partner_id(totals.partner_id);
  card.set_period(totals.period);
  card.set_currency(totals.currency);
  for (auto [minor, field] : {std::pair{totals.gross_minor, card.mutable_gross_sales()},
                              std::pair{totals.refunds_minor, card.mutable_refunds()},
                              std::pair{totals.net_minor(), card.mutable_net_sales()},
                              std::pair{totals.target_minor, card.mutable_target()}}) {
    if (absl::Status status = SetMoney(minor, *currency, field); !status.ok()) return status;
  }
  card.set_orders(totals.orders);
  card.set_items(totals.items);
  card.set_feedback_count(totals.feedback_count);
  card.set_average_rating(FormatAverageRating(totals.rating_sum, totals.feedback_count));
  card.set_complaints(totals.complaints);
  card.set_attainment_pct(FormatAttainmentPct(totals.net_minor(), totals.target_minor));

  ScoreResult score = ComputeScore(totals);
  card.set_score(score.score);
  for (const v1::KpiContribution& contribution : score.contributions) {
    *card.add_contributions() = contribution;
  }
  card.set_version(totals.version);
  *card.mutable_update_time() = ToProtoTimestamp(totals.update_time);
  return card;
}

}  // namespace consort::performance
