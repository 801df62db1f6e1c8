#include "commission/plan_text.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "money/decimal.h"

namespace consort::commission {
namespace {

using money::AbslView;
using money::Money;
using money::Rate;

constexpr size_t kMaxPlanTextBytes = 64 * 1024;

struct TextLine {
  int number;
  std::vector<std::string_view> fields;
};

absl::Status LineError(const TextLine& line, std::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(
      "plan line ", line.number, " (", AbslView(line.fields[0]), "): ", AbslView(message)));
}

absl::Status WithLine(const TextLine& line, const absl::Status& status) {
  return LineError(line, std::string_view(status.message().data(), status.message().size()));
}

absl::Status ExpectFieldCount(const TextLine& line, size_t count, std::string_view usage) {
  if (line.fields.size() != count + 1) {
    return LineError(line,
                     absl::StrCat("expected ", count, " field", count == 1 ? "" : "s", ", as in \"",
                                  AbslView(usage), "\", got ", line.fields.size() - 1));
  }
  return absl::OkStatus();
}

std::vector<TextLine> SplitLines(std::string_view text) {
  std::vector<TextLine> lines;
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.empty() || raw.front() == '#') continue;
    TextLine line{number, {}};
    for (absl::string_view field : absl::StrSplit(raw, ' ')) {
      line.fields.emplace_back(field.data(), field.size());
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

absl::StatusOr<Rate> ParseRateField(const TextLine& line, std::string_view field) {
  absl::StatusOr<Rate> rate = Rate::Parse(field);
  if (!rate.ok()) return WithLine(line, rate.status());
  return *rate;
}

absl::StatusOr<Money> ParseMoneyField(const TextLine& line, std::string_view field,
                                      const money::Currency& currency) {
  absl::StatusOr<Money> amount = Money::Parse(field, currency);
  if (!amount.ok()) return WithLine(line, amount.status());
  return *amount;
}

absl::Status SetOnce(const TextLine& line, bool already_set) {
  if (already_set) return LineError(line, "the keyword may appear only once");
  return absl::OkStatus();
}

// Applies one line other than "currency" to the plan.
absl::Status ApplyLine(const TextLine& line, Plan& plan) {
  std::string_view keyword = line.fields[0];
  const money::Currency& currency = *plan.currency;

  if (keyword == "rounding") {
    if (absl::Status s = ExpectFieldCount(line, 1, "rounding half-up"); !s.ok()) return s;
    std::string_view mode = line.fields[1];
    if (mode == "half-up") {
      plan.rounding = money::RoundingMode::kHalfUp;
    } else if (mode == "half-even") {
      plan.rounding = money::RoundingMode::kHalfEven;
    } else if (mode == "down") {
      plan.rounding = money::RoundingMode::kDown;
    } else {
      return LineError(line, "expected half-up, half-even or down");
    }
    return absl::OkStatus();
  }
  if (keyword == "rate") {
    if (absl::Status s = ExpectFieldCount(line, 1, "rate 5%"); !s.ok()) return s;
    if (absl::Status s = SetOnce(line, plan.rate.has_value()); !s.ok()) return s;
    absl::StatusOr<Rate> rate = ParseRateField(line, line.fields[1]);
    if (!rate.ok()) return rate.status();
    plan.rate = *rate;
    return absl::OkStatus();
  }
  if (keyword == "band_mode") {
    if (absl::Status s = ExpectFieldCount(line, 1, "band_mode marginal"); !s.ok()) return s;
    if (line.fields[1] == "marginal") {
      plan.band_mode = BandMode::kMarginal;
    } else if (line.fields[1] == "retroactive") {
      plan.band_mode = BandMode::kRetroactive;
    } else {
      return LineError(line, "expected marginal or retroactive");
    }
    return absl::OkStatus();
  }
  if (keyword == "band") {
    if (absl::Status s = ExpectFieldCount(line, 3, "band 0 10000.00 5%"); !s.ok()) return s;
    absl::StatusOr<Money> from = ParseMoneyField(line, line.fields[1], currency);
    if (!from.ok()) return from.status();
    std::optional<Money> to;
    if (line.fields[2] != "+") {
      absl::StatusOr<Money> parsed = ParseMoneyField(line, line.fields[2], currency);
      if (!parsed.ok()) return parsed.status();
      to = *parsed;
    }
    absl::StatusOr<Rate> rate = ParseRateField(line, line.fields[3]);
    if (!rate.ok()) return rate.status();
    plan.bands.push_back(Band{*from, to, *rate});
    return absl::OkStatus();
  }
  if (keyword == "category") {
    if (absl::Status s = ExpectFieldCount(line, 2, "category electronics 3%"); !s.ok()) return s;
    absl::StatusOr<Rate> rate = ParseRateField(line, line.fields[2]);
    if (!rate.ok()) return rate.status();
    plan.category_rates.push_back(CategoryRate{std::string(line.fields[1]), *rate});
    return absl::OkStatus();
  }
  if (keyword == "target" || keyword == "cap") {
    if (absl::Status s = ExpectFieldCount(line, 1, "target 20000.00"); !s.ok()) return s;
    std::optional<Money>& slot = keyword == "target" ? plan.target : plan.cap;
    if (absl::Status s = SetOnce(line, slot.has_value()); !s.ok()) return s;
    absl::StatusOr<Money> amount = ParseMoneyField(line, line.fields[1], currency);
    if (!amount.ok()) return amount.status();
    slot = *amount;
    return absl::OkStatus();
  }
  if (keyword == "accelerator") {
    if (absl::Status s = ExpectFieldCount(line, 1, "accelerator 1.5"); !s.ok()) return s;
    if (absl::Status s = SetOnce(line, plan.accelerator.has_value()); !s.ok()) return s;
    absl::StatusOr<Rate> multiplier = ParseRateField(line, line.fields[1]);
    if (!multiplier.ok()) return multiplier.status();
    plan.accelerator = *multiplier;
    return absl::OkStatus();
  }
  if (keyword == "bonus") {
    if (absl::Status s = ExpectFieldCount(line, 2, "bonus 120% 1200.00"); !s.ok()) return s;
    absl::StatusOr<Rate> threshold = ParseRateField(line, line.fields[1]);
    if (!threshold.ok()) return threshold.status();
    absl::StatusOr<Money> amount = ParseMoneyField(line, line.fields[2], currency);
    if (!amount.ok()) return amount.status();
    plan.bonuses.push_back(Bonus{*threshold, *amount});
    return absl::OkStatus();
  }
  if (keyword == "pool") {
    if (absl::Status s = ExpectFieldCount(line, 1, "pool 10%"); !s.ok()) return s;
    absl::StatusOr<Rate> rate = ParseRateField(line, line.fields[1]);
    if (!rate.ok()) return rate.status();
    if (!plan.pool.has_value()) plan.pool.emplace();
    plan.pool->rate = *rate;
    return absl::OkStatus();
  }
  if (keyword == "pool_share") {
    if (absl::Status s = ExpectFieldCount(line, 2, "pool_share partner-a 25%"); !s.ok()) return s;
    absl::StatusOr<Rate> weight = ParseRateField(line, line.fields[2]);
    if (!weight.ok()) return weight.status();
    if (!plan.pool.has_value()) plan.pool.emplace();
    plan.pool->shares.push_back(PoolShare{std::string(line.fields[1]), *weight});
    return absl::OkStatus();
  }
  return LineError(line,
                   "unknown keyword; expected currency, rounding, rate, band_mode, band, "
                   "category, target, accelerator, cap, bonus, pool or pool_share");
}

}  // namespace

absl::StatusOr<Plan> ParsePlan(std::string_view text) {
  if (text.size() > kMaxPlanTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat("plan text of ", text.size(),
                                                   " bytes is invalid: at most ", kMaxPlanTextBytes,
                                                   " bytes are allowed"));
  }
  std::vector<TextLine> lines = SplitLines(text);

  // Amounts need the currency's minor unit, so the currency line is read first.
  Plan plan;
  for (const TextLine& line : lines) {
    if (line.fields[0] != "currency") continue;
    if (absl::Status s = ExpectFieldCount(line, 1, "currency EUR"); !s.ok()) return s;
    if (absl::Status s = SetOnce(line, plan.currency != nullptr); !s.ok()) return s;
    plan.currency = money::FindCurrency(line.fields[1]);
    if (plan.currency == nullptr) {
      return LineError(line, absl::StrCat("invalid currency ", money::QuoteForError(line.fields[1]),
                                          ": expected an active ISO 4217 code"));
    }
  }
  if (plan.currency == nullptr) {
    return absl::InvalidArgumentError("plan text is invalid: the line \"currency XXX\" is missing");
  }

  bool pool_rate_seen = false;
  for (const TextLine& line : lines) {
    if (line.fields[0] == "currency") continue;
    if (line.fields[0] == "pool") {
      if (absl::Status s = SetOnce(line, pool_rate_seen); !s.ok()) return s;
      pool_rate_seen = true;
    }
    if (absl::Status s = ApplyLine(line, plan); !s.ok()) return s;
  }
  if (plan.pool.has_value() && !pool_rate_seen) {
    return absl::InvalidArgumentError(
        "plan text is invalid: pool_share lines need a \"pool\" line with the pool rate");
  }

  if (absl::Status status = ValidatePlan(plan); !status.ok()) return status;
  return plan;
}

std::string FormatPlan(const Plan& plan) {
  std::string out;
  if (plan.currency != nullptr)
    absl::StrAppend(&out, "currency ", AbslView(plan.currency->code), "\n");
  absl::StrAppend(&out, "rounding ", AbslView(money::RoundingModeName(plan.rounding)), "\n");
  if (plan.rate.has_value()) absl::StrAppend(&out, "rate ", plan.rate->ToPercentString(), "\n");
  if (!plan.bands.empty()) {
    absl::StrAppend(&out, "band_mode ",
                    plan.band_mode == BandMode::kMarginal ? "marginal" : "retroactive", "\n");
  }
  for (const Band& band : plan.bands) {
    absl::StrAppend(&out, "band ", band.from.ToString(), " ",
                    band.to.has_value() ? band.to->ToString() : "+", " ",
                    band.rate.ToPercentString(), "\n");
  }
  for (const CategoryRate& category : plan.category_rates) {
    absl::StrAppend(&out, "category ", category.category, " ", category.rate.ToPercentString(),
                    "\n");
  }
  if (plan.target.has_value()) absl::StrAppend(&out, "target ", plan.target->ToString(), "\n");
  if (plan.accelerator.has_value()) {
    absl::StrAppend(&out, "accelerator ", plan.accelerator->ToString(), "\n");
  }
  if (plan.cap.has_value()) absl::StrAppend(&out, "cap ", plan.cap->ToString(), "\n");
  for (const Bonus& bonus : plan.bonuses) {
    absl::StrAppend(&out, "bonus ", bonus.threshold.ToPercentString(), " ", bonus.amount.ToString(),
                    "\n");
  }
  if (plan.pool.has_value()) {
    absl::StrAppend(&out, "pool ", plan.pool->rate.ToPercentString(), "\n");
    for (const PoolShare& share : plan.pool->shares) {
      absl::StrAppend(&out, "pool_share ", share.partner_id, " ", share.weight.ToPercentString(),
                      "\n");
    }
  }
  return out;
}

}  // namespace consort::commission
