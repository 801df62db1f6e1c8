#include "period/period.h"

#include <cstdint>
#include <optional>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace consort::period {
namespace {

void CheckFiscalStartMonth(int month) {
  if (month < 1 || month > 12) {
    ABSL_RAW_LOG(FATAL, "fiscal_start_month %d is outside 1 to 12", month);
  }
}

absl::CivilDay LocalDay(absl::Time instant, const absl::TimeZone& zone) {
  return absl::CivilDay(zone.At(instant).cs);
}

absl::CivilDay EndDay(PeriodKind kind, absl::CivilDay first_day) {
  switch (kind) {
    case PeriodKind::kDay:
      return first_day + 1;
    case PeriodKind::kIsoWeek:
      return first_day + 7;
    case PeriodKind::kMonth:
      return absl::CivilDay(absl::CivilMonth(first_day) + 1);
    case PeriodKind::kQuarter:
      return absl::CivilDay(absl::CivilMonth(first_day) + 3);
    case PeriodKind::kYear:
      return absl::CivilDay(absl::CivilMonth(first_day) + 12);
  }
  return first_day;
}

Period MakePeriod(PeriodKind kind, absl::CivilDay first_day, const absl::TimeZone& zone,
                  int fiscal_start_month) {
  Period period;
  period.kind = kind;
  period.first_day = first_day;
  period.zone = zone;
  period.fiscal_start_month = fiscal_start_month;
  period.start = StartOfDay(first_day, zone);
  period.end = StartOfDay(EndDay(kind, first_day), zone);
  return period;
}

// Months from the start of the fiscal year to `month`, 0 to 11.
int MonthsIntoFiscalYear(absl::CivilMonth month, int fiscal_start_month) {
  return static_cast<int>((month.month() - fiscal_start_month + 12) % 12);
}

absl::CivilDay IsoWeekMonday(absl::CivilDay day) {
  // absl::Weekday numbers Monday as 0 and Sunday as 6.
  return day - static_cast<int>(absl::GetWeekday(day));
}

// The ISO week-numbering year of a week is the year of its Thursday.
int64_t IsoWeekYear(absl::CivilDay monday) { return (monday + 3).year(); }

int IsoWeekNumber(absl::CivilDay monday) { return (absl::GetYearDay(monday + 3) - 1) / 7 + 1; }

absl::CivilDay FirstIsoWeekMonday(int64_t year) {
  // Week 1 is the week that contains 4 January.
  return IsoWeekMonday(absl::CivilDay(year, 1, 4));
}

// Returns `text` in double quotes and escaped for an error message, cut to 64 characters. Debian's
// Abseil has its own absl::string_view, so the view is converted explicitly.
std::string Quote(std::string_view text) {
  std::string_view shown = text.substr(0, 64);
  return absl::StrCat("\"", absl::CEscape(absl::string_view(shown.data(), shown.size())),
                      text.size() > shown.size() ? "...\"" : "\"");
}

absl::Status InvalidLabel(std::string_view label, std::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid period label ", Quote(label), ": expected ",
                   absl::string_view(expected.data(), expected.size())));
}

// Consumes exactly `width` digits from the front of `text`.
std::optional<int> TakeDigits(std::string_view& text, size_t width) {
  if (text.size() < width) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    if (!absl::ascii_isdigit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  text.remove_prefix(width);
  return value;
}

bool TakePrefix(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

std::string FiscalCalendarName(int fiscal_start_month) {
  return absl::StrCat("a fiscal calendar whose year starts in month ", fiscal_start_month);
}

}  // namespace

absl::StatusOr<absl::TimeZone> LoadZone(std::string_view iana_name) {
  absl::TimeZone zone;
  if (iana_name.empty() || !absl::LoadTimeZone(std::string(iana_name), &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid time zone ", Quote(iana_name),
                     ": expected an IANA zone name from the system's zone database, for example "
                     "\"America/Sao_Paulo\" or \"UTC\""));
  }
  return zone;
}

std::string_view PeriodKindName(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::kDay:
      return "day";
    case PeriodKind::kIsoWeek:
      return "iso_week";
    case PeriodKind::kMonth:
      return "month";
    case PeriodKind::kQuarter:
      return "quarter";
    case PeriodKind::kYear:
      return "year";
  }
  return "unknown";
}

absl::Status ValidateFiscalStartMonth(int month) {
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid fiscal_start_month ", month, ": expected 1 (January) to 12"));
  }
  return absl::OkStatus();
}

absl::Time StartOfDay(absl::CivilDay day, const absl::TimeZone& zone) {
  absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(day));
  if (info.kind == absl::TimeZone::TimeInfo::SKIPPED) return info.trans;
  return info.pre;
}

std::string Period::Label() const {
  absl::CivilMonth month(first_day);
  switch (kind) {
    case PeriodKind::kDay:
      return absl::StrFormat("%04d-%02d-%02d", first_day.year(), first_day.month(),
                             first_day.day());
    case PeriodKind::kIsoWeek:
      return absl::StrFormat("%04d-W%02d", IsoWeekYear(first_day), IsoWeekNumber(first_day));
    case PeriodKind::kMonth:
      return absl::StrFormat("%04d-%02d", month.year(), month.month());
    case PeriodKind::kQuarter: {
      int offset = MonthsIntoFiscalYear(month, fiscal_start_month);
      int quarter = offset / 3 + 1;
      if (fiscal_start_month == 1) return absl::StrFormat("%04d-Q%d", month.year(), quarter);
      absl::CivilMonth last_month = month - offset + 11;
      return absl::StrFormat("FY%04d-Q%d", last_month.year(), quarter);
    }
    case PeriodKind::kYear: {
      if (fiscal_start_month == 1) return absl::StrFormat("%04d", month.year());
      return absl::StrFormat("FY%04d", (month + 11).year());
    }
  }
  return "";
}

Period Period::Next() const {
  return MakePeriod(kind, EndDay(kind, first_day), zone, fiscal_start_month);
}

Period Period::Previous() const {
  absl::CivilDay previous_first;
  switch (kind) {
    case PeriodKind::kDay:
      previous_first = first_day - 1;
      break;
    case PeriodKind::kIsoWeek:
      previous_first = first_day - 7;
      break;
    case PeriodKind::kMonth:
      previous_first = absl::CivilDay(absl::CivilMonth(first_day) - 1);
      break;
    case PeriodKind::kQuarter:
      previous_first = absl::CivilDay(absl::CivilMonth(first_day) - 3);
      break;
    case PeriodKind::kYear:
      previous_first = absl::CivilDay(absl::CivilMonth(first_day) - 12);
      break;
  }
  return MakePeriod(kind, previous_first, zone, fiscal_start_month);
}

Period DayOf(absl::Time instant, const absl::TimeZone& zone) {
  return MakePeriod(PeriodKind::kDay, LocalDay(instant, zone), zone, 1);
}

Period IsoWeekOf(absl::Time instant, const absl::TimeZone& zone) {
  return MakePeriod(PeriodKind::kIsoWeek, IsoWeekMonday(LocalDay(instant, zone)), zone, 1);
}

Period MonthOf(absl::Time instant, const absl::TimeZone& zone) {
  absl::CivilMonth month(zone.At(instant).cs);
  return MakePeriod(PeriodKind::kMonth, absl::CivilDay(month), zone, 1);
}

Period QuarterOf(absl::Time instant, const absl::TimeZone& zone, int fiscal_start_month) {
  CheckFiscalStartMonth(fiscal_start_month);
  absl::CivilMonth month(zone.At(instant).cs);
  absl::CivilMonth first = month - MonthsIntoFiscalYear(month, fiscal_start_month) % 3;
  return MakePeriod(PeriodKind::kQuarter, absl::CivilDay(first), zone, fiscal_start_month);
}

Period YearOf(absl::Time instant, const absl::TimeZone& zone, int fiscal_start_month) {
  CheckFiscalStartMonth(fiscal_start_month);
  absl::CivilMonth month(zone.At(instant).cs);
  absl::CivilMonth first = month - MonthsIntoFiscalYear(month, fiscal_start_month);
  return MakePeriod(PeriodKind::kYear, absl::CivilDay(first), zone, fiscal_start_month);
}

Period PeriodOf(PeriodKind kind, absl::Time instant, const absl::TimeZone& zone,
                int fiscal_start_month) {
  switch (kind) {
    case PeriodKind::kDay:
      return DayOf(instant, zone);
    case PeriodKind::kIsoWeek:
      return IsoWeekOf(instant, zone);
    case PeriodKind::kMonth:
      return MonthOf(instant, zone);
    case PeriodKind::kQuarter:
      return QuarterOf(instant, zone, fiscal_start_month);
    case PeriodKind::kYear:
      return YearOf(instant, zone, fiscal_start_month);
  }
  return MonthOf(instant, zone);
}

absl::StatusOr<Period> ParseMonth(std::string_view label, const absl::TimeZone& zone) {
  std::string_view rest = label;
  std::optional<int> year = TakeDigits(rest, 4);
  bool dash = TakePrefix(rest, "-");
  std::optional<int> month = TakeDigits(rest, 2);
  if (!year || *year == 0 || !dash || !month || *month < 1 || *month > 12 || !rest.empty()) {
    return InvalidLabel(label,
                        "a month \"YYYY-MM\" with a year of 0001 to 9999, for example "
                        "\"2024-03\"");
  }
  return MakePeriod(PeriodKind::kMonth, absl::CivilDay(*year, *month, 1), zone, 1);
}

absl::StatusOr<Period> ParsePeriod(std::string_view label, const absl::TimeZone& zone,
                                   int fiscal_start_month) {
  if (absl::Status status = ValidateFiscalStartMonth(fiscal_start_month); !status.ok()) {
    return status;
  }
  constexpr std::string_view kForms =
      "\"YYYY-MM-DD\", \"YYYY-Www\", \"YYYY-MM\", \"YYYY-Qn\" or \"YYYY\", with \"FY\" before "
      "the year of a fiscal quarter or year";

  std::string_view rest = label;
  bool fiscal = TakePrefix(rest, "FY");
  std::optional<int> year = TakeDigits(rest, 4);
  if (!year || *year == 0) return InvalidLabel(label, kForms);

  bool is_quarter_or_year = rest.empty() || rest.substr(0, 2) == "-Q";
  if (fiscal && !is_quarter_or_year) return InvalidLabel(label, kForms);
  if (is_quarter_or_year && fiscal != (fiscal_start_month != 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid period label ", Quote(label), ": under ", FiscalCalendarName(fiscal_start_month),
        " quarters and years are labelled ",
        fiscal_start_month == 1 ? "\"YYYY\" and \"YYYY-Qn\"" : "\"FYYYYY\" and \"FYYYYY-Qn\""));
  }

  // The first month of the year that the label names: for a fiscal year, the one that ends in
  // calendar year `year`.
  absl::CivilMonth year_start(*year, 1);
  if (fiscal) year_start = absl::CivilMonth(*year - 1, fiscal_start_month);

  if (rest.empty()) {
    return MakePeriod(PeriodKind::kYear, absl::CivilDay(year_start), zone, fiscal_start_month);
  }
  if (TakePrefix(rest, "-Q")) {
    std::optional<int> quarter = TakeDigits(rest, 1);
    if (!quarter || *quarter < 1 || *quarter > 4 || !rest.empty()) {
      return InvalidLabel(label, "a quarter number 1 to 4, for example \"2024-Q1\"");
    }
    return MakePeriod(PeriodKind::kQuarter, absl::CivilDay(year_start + 3 * (*quarter - 1)), zone,
                      fiscal_start_month);
  }
  if (TakePrefix(rest, "-W")) {
    std::optional<int> week = TakeDigits(rest, 2);
    if (!week || *week < 1 || !rest.empty()) return InvalidLabel(label, kForms);
    absl::CivilDay monday = FirstIsoWeekMonday(*year) + 7 * (*week - 1);
    if (IsoWeekYear(monday) != *year) {
      return InvalidLabel(label, absl::StrCat("a week that ISO year ", *year, " has"));
    }
    return MakePeriod(PeriodKind::kIsoWeek, monday, zone, 1);
  }

  if (!TakePrefix(rest, "-")) return InvalidLabel(label, kForms);
  std::optional<int> month = TakeDigits(rest, 2);
  if (!month || *month < 1 || *month > 12) return InvalidLabel(label, kForms);
  if (rest.empty())
    return MakePeriod(PeriodKind::kMonth, absl::CivilDay(*year, *month, 1), zone, 1);

  bool dash = TakePrefix(rest, "-");
  std::optional<int> day = TakeDigits(rest, 2);
  if (!dash || !day || !rest.empty()) return InvalidLabel(label, kForms);
  absl::CivilDay date(*year, *month, *day);
  if (date.month() != *month || date.day() != *day) {
    return InvalidLabel(label, absl::StrCat("a date that exists; ", *year, "-",
                                            absl::StrFormat("%02d", *month), " has no day ", *day));
  }
  return MakePeriod(PeriodKind::kDay, date, zone, 1);
}

}  // namespace consort::period
