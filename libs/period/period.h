// Calendar periods (day, ISO week, month, quarter, year) as half-open intervals [start, end) of
// UTC instants, computed in an IANA time zone from the system's zone database through Abseil's
// time library, so that daylight-saving changes are accounted for: a 23-hour day lasts 23 hours.
//
// The contract, performance and incentive services use this library to decide which period an
// event belongs to (by its event time, in the contract's time zone), and the commission library
// uses it for statement periods. A sale at 23:30 local time on the last day of a month belongs to
// that month, whatever the UTC date.
//
// Quarters and years may follow a fiscal calendar whose year starts on the first day of a month
// other than January. A fiscal year is named after the calendar year in which it ends: with a
// start month of April, the year from 2024-04-01 to 2025-03-31 is "FY2025" and its first
// quarter is "FY2025-Q1". With a start month of January (the default) the labels are the
// calendar ones, "2024" and "2024-Q1".
//
// Thread safety: Period is an immutable value; absl::TimeZone is safe to share between threads.
// LoadZone reads the zone database on first use of a zone and caches it inside Abseil, which
// makes it safe to call from any thread.
#ifndef CONSORT_PERIOD_PERIOD_H_
#define CONSORT_PERIOD_PERIOD_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace consort::period {

// Loads an IANA time zone such as "America/Sao_Paulo" or "UTC". Returns InvalidArgument naming
// the zone when the system's zone database does not have it.
absl::StatusOr<absl::TimeZone> LoadZone(std::string_view iana_name);

enum class PeriodKind { kDay, kIsoWeek, kMonth, kQuarter, kYear };

// Returns "day", "iso_week", "month", "quarter" or "year".
std::string_view PeriodKindName(PeriodKind kind);

// Returns OK when `month` is a valid fiscal-year start month (1 to 12), else InvalidArgument.
absl::Status ValidateFiscalStartMonth(int month);

// One calendar period in one time zone.
struct Period {
  PeriodKind kind = PeriodKind::kMonth;
  // First instant of the period.
  absl::Time start;
  // First instant after the period.
  absl::Time end;
  absl::TimeZone zone;
  // The local date on which the period starts.
  absl::CivilDay first_day;
  // Month (1 to 12) on which fiscal years start; used by quarters and years only.
  int fiscal_start_month = 1;

  // Returns the period's label: "2024-03-10" (day), "2024-W10" (ISO week), "2024-03" (month),
  // "2024-Q1" or "FY2025-Q1" (quarter), "2024" or "FY2025" (year).
  std::string Label() const;

  bool Contains(absl::Time instant) const { return start <= instant && instant < end; }
  absl::Duration Length() const { return end - start; }

  // Returns the period of the same kind, zone and calendar that follows or precedes this one.
  Period Next() const;
  Period Previous() const;

  // Periods are equal when kind, calendar, zone and first day are equal.
  friend bool operator==(const Period& a, const Period& b) {
    return a.kind == b.kind && a.first_day == b.first_day &&
           a.fiscal_start_month == b.fiscal_start_month && a.zone == b.zone;
  }
};

// Returns the first instant of a local date. When a daylight-saving change skipped the date's
// midnight, that is the instant of the change. When midnight occurred twice, it is the earlier one.
absl::Time StartOfDay(absl::CivilDay day, const absl::TimeZone& zone);

// Each returns the period of its kind that contains `instant` in `zone`. `fiscal_start_month` must
// be 1 to 12 (see ValidateFiscalStartMonth), or the program aborts.
Period DayOf(absl::Time instant, const absl::TimeZone& zone);
Period IsoWeekOf(absl::Time instant, const absl::TimeZone& zone);
Period MonthOf(absl::Time instant, const absl::TimeZone& zone);
Period QuarterOf(absl::Time instant, const absl::TimeZone& zone, int fiscal_start_month = 1);
Period YearOf(absl::Time instant, const absl::TimeZone& zone, int fiscal_start_month = 1);
Period PeriodOf(PeriodKind kind, absl::Time instant, const absl::TimeZone& zone,
                int fiscal_start_month = 1);

// Parses a month label "YYYY-MM" (years 0001 to 9999) in `zone`. Returns InvalidArgument naming
// the label and the expected form otherwise.
absl::StatusOr<Period> ParseMonth(std::string_view label, const absl::TimeZone& zone);

// Parses any label that Period::Label produces for the given fiscal calendar, and returns the
// period. A calendar label ("2024", "2024-Q1") under a fiscal calendar that does not start in
// January, or a fiscal label ("FY2025") under one that does, is InvalidArgument, as is an ISO
// week that the year does not have ("2021-W53").
absl::StatusOr<Period> ParsePeriod(std::string_view label, const absl::TimeZone& zone,
                                   int fiscal_start_month = 1);

}  // namespace consort::period

#endif  // CONSORT_PERIOD_PERIOD_H_
