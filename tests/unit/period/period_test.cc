#include "period/period.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace consort::period {
namespace {

absl::TimeZone Zone(std::string_view name) { return LoadZone(name).value(); }

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

absl::Time Local(std::string_view zone, int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), Zone(zone));
}

std::string Iso(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

TEST(LoadZoneTest, LoadsIanaZones) {
  EXPECT_TRUE(LoadZone("America/Sao_Paulo").ok());
  EXPECT_TRUE(LoadZone("UTC").ok());
  EXPECT_EQ(LoadZone("Europe/Berlin")->name(), "Europe/Berlin");
}

TEST(LoadZoneTest, RejectsUnknownZoneNamingIt) {
  absl::StatusOr<absl::TimeZone> zone = LoadZone("Mars/Olympus_Mons");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zone.status().message().find("\"Mars/Olympus_Mons\""), std::string::npos);
  EXPECT_FALSE(LoadZone("").ok());
  EXPECT_FALSE(LoadZone("../../etc/passwd").ok());
}

// A sale at 23:30 on 31 October in Sao Paulo is already 1 November in UTC.
TEST(MonthOfTest, SaleBeforeLocalMidnightBelongsToLocalMonth) {
  absl::Time sale = Local("America/Sao_Paulo", 2024, 10, 31, 23, 30);
  ASSERT_EQ(Iso(sale), "2024-11-01T02:30:00Z");
  Period month = MonthOf(sale, Zone("America/Sao_Paulo"));
  EXPECT_EQ(month.Label(), "2024-10");
  EXPECT_TRUE(month.Contains(sale));
  EXPECT_EQ(MonthOf(sale, absl::UTCTimeZone()).Label(), "2024-11");
}

TEST(MonthOfTest, NewYorkMarch2024SpansTheDaylightSavingChange) {
  absl::TimeZone new_york = Zone("America/New_York");
  Period march = ParseMonth("2024-03", new_york).value();
  EXPECT_EQ(Iso(march.start), "2024-03-01T05:00:00Z");
  EXPECT_EQ(Iso(march.end), "2024-04-01T04:00:00Z");
  EXPECT_EQ(march.Length(), absl::Hours(31 * 24 - 1));
  EXPECT_EQ(MonthOf(Utc(2024, 3, 15, 12), new_york), march);
}

TEST(DayOfTest, SpringForwardDayLastsTwentyThreeHours) {
  absl::TimeZone new_york = Zone("America/New_York");
  Period day = DayOf(Utc(2024, 3, 10, 12), new_york);
  EXPECT_EQ(day.Label(), "2024-03-10");
  EXPECT_EQ(day.Length(), absl::Hours(23));
  EXPECT_EQ(Iso(day.start), "2024-03-10T05:00:00Z");
  EXPECT_EQ(Iso(day.end), "2024-03-11T04:00:00Z");
}

TEST(DayOfTest, FallBackDayLastsTwentyFiveHours) {
  Period day = DayOf(Utc(2024, 11, 3, 12), Zone("America/New_York"));
  EXPECT_EQ(day.Length(), absl::Hours(25));
}

TEST(DayOfTest, DayWhoseMidnightWasSkippedStartsAtTheChange) {
  // On 2018-11-04 Sao Paulo moved its clocks from 00:00 to 01:00, so the day began at 01:00 local.
  Period day = ParsePeriod("2018-11-04", Zone("America/Sao_Paulo")).value();
  EXPECT_EQ(Iso(day.start), "2018-11-04T03:00:00Z");
  EXPECT_EQ(day.Length(), absl::Hours(23));
  EXPECT_EQ(day.Previous().end, day.start);
}

TEST(DayOfTest, DayWithRepeatedHourStartsAtFirstMidnight) {
  // On 2019-02-17 Sao Paulo moved its clocks back from 00:00 to 23:00 on the 16th.
  Period day = ParsePeriod("2019-02-16", Zone("America/Sao_Paulo")).value();
  EXPECT_EQ(Iso(day.start), "2019-02-16T02:00:00Z");
  EXPECT_EQ(day.Length(), absl::Hours(25));
}

TEST(PeriodTest, IntervalsAreHalfOpen) {
  absl::TimeZone utc = absl::UTCTimeZone();
  Period march = ParseMonth("2024-03", utc).value();
  EXPECT_TRUE(march.Contains(march.start));
  EXPECT_FALSE(march.Contains(march.end));
  EXPECT_FALSE(march.Contains(march.start - absl::Nanoseconds(1)));
  EXPECT_TRUE(march.Contains(march.end - absl::Nanoseconds(1)));
  EXPECT_EQ(MonthOf(march.end, utc).Label(), "2024-04");
}

TEST(IsoWeekOfTest, LabelsWeeksByTheirThursdaysYear) {
  absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_EQ(IsoWeekOf(Utc(2024, 3, 10, 12), utc).Label(), "2024-W10");
  // 2021-01-03 is a Sunday in ISO week 53 of 2020.
  EXPECT_EQ(IsoWeekOf(Utc(2021, 1, 3, 12), utc).Label(), "2020-W53");
  // 2024-12-30 is a Monday in ISO week 1 of 2025.
  EXPECT_EQ(IsoWeekOf(Utc(2024, 12, 30, 0), utc).Label(), "2025-W01");
  Period week = IsoWeekOf(Utc(2024, 3, 13, 0), utc);
  EXPECT_EQ(week.first_day, absl::CivilDay(2024, 3, 11));
  EXPECT_EQ(week.Length(), absl::Hours(7 * 24));
}

TEST(QuarterOfTest, CalendarQuarters) {
  absl::TimeZone utc = absl::UTCTimeZone();
  Period q1 = QuarterOf(Utc(2024, 2, 29, 12), utc);
  EXPECT_EQ(q1.Label(), "2024-Q1");
  EXPECT_EQ(q1.first_day, absl::CivilDay(2024, 1, 1));
  EXPECT_EQ(Iso(q1.end), "2024-04-01T00:00:00Z");
  EXPECT_EQ(QuarterOf(Utc(2024, 12, 31, 23), utc).Label(), "2024-Q4");
}

TEST(QuarterOfTest, FiscalQuartersNamedByTheYearTheyEnd) {
  absl::TimeZone utc = absl::UTCTimeZone();
  Period quarter = QuarterOf(Utc(2024, 5, 15, 0), utc, /*fiscal_start_month=*/4);
  EXPECT_EQ(quarter.Label(), "FY2025-Q1");
  EXPECT_EQ(quarter.first_day, absl::CivilDay(2024, 4, 1));
  EXPECT_EQ(QuarterOf(Utc(2025, 2, 1, 0), utc, 4).Label(), "FY2025-Q4");
  EXPECT_EQ(QuarterOf(Utc(2025, 2, 1, 0), utc, 4).first_day, absl::CivilDay(2025, 1, 1));
  EXPECT_EQ(QuarterOf(Utc(2024, 12, 1, 0), utc, 11).Label(), "FY2025-Q1");
}

TEST(YearOfTest, CalendarAndFiscalYears) {
  absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_EQ(YearOf(Utc(2024, 7, 1, 0), utc).Label(), "2024");
  Period fiscal = YearOf(Utc(2024, 3, 31, 23), utc, 4);
  EXPECT_EQ(fiscal.Label(), "FY2024");
  EXPECT_EQ(fiscal.first_day, absl::CivilDay(2023, 4, 1));
  EXPECT_EQ(Iso(fiscal.end), "2024-04-01T00:00:00Z");
  EXPECT_EQ(YearOf(Utc(2024, 4, 1, 0), utc, 4).Label(), "FY2025");
  EXPECT_EQ(YearOf(Utc(2024, 4, 1, 0), utc, 4).Length(), absl::Hours(365 * 24));
}

TEST(YearOfTest, YearInLocalZoneStartsAtLocalMidnight) {
  Period year = YearOf(Utc(2024, 1, 1, 1), Zone("America/Sao_Paulo"));
  EXPECT_EQ(year.Label(), "2023");
  EXPECT_EQ(Iso(year.end), "2024-01-01T03:00:00Z");
}

TEST(PeriodNavigationTest, NextAndPreviousAreAdjacent) {
  absl::TimeZone zone = Zone("Europe/Berlin");
  for (PeriodKind kind : {PeriodKind::kDay, PeriodKind::kIsoWeek, PeriodKind::kMonth,
                          PeriodKind::kQuarter, PeriodKind::kYear}) {
    Period period = PeriodOf(kind, Utc(2024, 3, 31, 1), zone, kind == PeriodKind::kYear ? 7 : 1);
    EXPECT_EQ(period.Next().start, period.end) << PeriodKindName(kind);
    EXPECT_EQ(period.Previous().end, period.start) << PeriodKindName(kind);
    EXPECT_EQ(period.Next().Previous(), period) << PeriodKindName(kind);
  }
}

TEST(ParseMonthTest, RejectsMalformedLabels) {
  absl::TimeZone utc = absl::UTCTimeZone();
  for (std::string_view label : {"2024-3", "2024-13", "2024-00", "24-03", "2024/03", "2024-03-01",
                                 "0000-01", "2024-03 ", ""}) {
    absl::StatusOr<Period> period = ParseMonth(label, utc);
    EXPECT_FALSE(period.ok()) << label;
    EXPECT_EQ(period.status().code(), absl::StatusCode::kInvalidArgument) << label;
  }
}

TEST(ParsePeriodTest, RoundTripsEveryLabelForm) {
  absl::TimeZone zone = Zone("America/Sao_Paulo");
  for (std::string_view label :
       {"2024-03-10", "2024-W10", "2020-W53", "2024-03", "2024-Q2", "2024", "2024-02-29"}) {
    absl::StatusOr<Period> period = ParsePeriod(label, zone);
    ASSERT_TRUE(period.ok()) << label << ": " << period.status();
    EXPECT_EQ(period->Label(), label);
  }
  for (std::string_view label : {"FY2025-Q1", "FY2025"}) {
    absl::StatusOr<Period> period = ParsePeriod(label, zone, 4);
    ASSERT_TRUE(period.ok()) << label << ": " << period.status();
    EXPECT_EQ(period->Label(), label);
  }
  EXPECT_EQ(ParsePeriod("FY2025", zone, 4)->first_day, absl::CivilDay(2024, 4, 1));
}

TEST(ParsePeriodTest, RejectsInvalidLabels) {
  absl::TimeZone utc = absl::UTCTimeZone();
  for (std::string_view label : {"2021-W53", "2024-W00", "2023-02-29", "2024-04-31", "2024-Q5",
                                 "2024-Q0", "FY2024", "FY2024-03", "2024-W1", "2024-Q", "20240"}) {
    EXPECT_FALSE(ParsePeriod(label, utc).ok()) << label;
  }
  EXPECT_FALSE(ParsePeriod("2024", utc, 4).ok());
  EXPECT_FALSE(ParsePeriod("2024-Q1", utc, 4).ok());
  EXPECT_FALSE(ParsePeriod("2024", utc, 13).ok());
  EXPECT_TRUE(ParsePeriod("2024-03", utc, 4).ok());
}

TEST(ValidateFiscalStartMonthTest, AcceptsOneToTwelve) {
  EXPECT_TRUE(ValidateFiscalStartMonth(1).ok());
  EXPECT_TRUE(ValidateFiscalStartMonth(12).ok());
  EXPECT_FALSE(ValidateFiscalStartMonth(0).ok());
  EXPECT_FALSE(ValidateFiscalStartMonth(13).ok());
}

TEST(PeriodPropertyTest, EveryInstantLiesInTheLocalPeriodItMapsTo) {
  absl::TimeZone zones[] = {Zone("America/New_York"), Zone("America/Sao_Paulo"),
                            Zone("Australia/Lord_Howe"), Zone("Asia/Kathmandu"), Zone("UTC")};
  // Every 37 minutes across 2018 and 2019 catches every daylight-saving change in those zones.
  for (const absl::TimeZone& zone : zones) {
    for (absl::Time t = Utc(2018, 1, 1, 0); t < Utc(2020, 1, 1, 0); t += absl::Minutes(37)) {
      for (PeriodKind kind : {PeriodKind::kDay, PeriodKind::kIsoWeek, PeriodKind::kMonth,
                              PeriodKind::kQuarter, PeriodKind::kYear}) {
        Period period = PeriodOf(kind, t, zone, kind == PeriodKind::kQuarter ? 10 : 1);
        ASSERT_TRUE(period.Contains(t)) << zone.name() << " " << Iso(t) << " " << period.Label();
      }
    }
  }
}

}  // namespace
}  // namespace consort::period
