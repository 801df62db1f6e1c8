#include "incentive/accrual_rule.h"

#include <algorithm>
#include <compare>

#include "absl/strings/str_cat.h"

namespace consort::incentive {

absl::StatusOr<SaleAccount> AccrueSale(const money::Money& amount, const money::Rate& rate) {
  if (!amount.is_positive()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a sale amount must be positive, got ", amount.ToString()));
  }
  if (rate.is_negative() || rate > money::Rate::One()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a commission rate must be 0 to 1, got ", rate.ToString()));
  }
  absl::StatusOr<money::Money> commission =
      money::MultiplyByRate(amount, rate, money::RoundingMode::kHalfUp);
  if (!commission.ok()) return commission.status();

  const money::Money zero = money::Money::Zero(amount.currency());
  return SaleAccount{.amount = amount,
                     .refunded = zero,
                     .commission = *commission,
                     .reversed = zero,
                     .rate = rate};
}

absl::StatusOr<money::Money> ApplyRefund(SaleAccount& account, const money::Money& refund) {
  if (!refund.SameCurrency(account.amount)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the refund is in ", std::string(refund.currency().code),
                     " but the sale is in ", std::string(account.amount.currency().code)));
  }
  if (!refund.is_positive()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a refund amount must be positive, got ", refund.ToString()));
  }
  const int64_t left = account.amount.minor_units() - account.refunded.minor_units();
  if (refund.minor_units() > left) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the refund of ", refund.ToString(), " exceeds the ",
        money::Money::FromMinor(left, account.amount.currency()).ToString(), " left of the sale"));
  }

  const int64_t unreversed = account.commission.minor_units() - account.reversed.minor_units();
  int64_t reversal = unreversed;
  if (refund.minor_units() < left) {
    absl::StatusOr<money::Money> share =
        money::MultiplyByRate(refund, account.rate, money::RoundingMode::kHalfUp);
    if (!share.ok()) return share.status();
    reversal = std::min(share->minor_units(), unreversed);
  }

  const money::Currency& currency = account.amount.currency();
  account.refunded =
      money::Money::FromMinor(account.refunded.minor_units() + refund.minor_units(), currency);
  account.reversed = money::Money::FromMinor(account.reversed.minor_units() + reversal, currency);
  return money::Money::FromMinor(reversal, currency);
}

}  // namespace consort::incentive
