// Fuzzes period label parsing. The first byte picks the zone and the fiscal start month. A label
// that parses must come back unchanged from Label, and its period must be a non-empty interval
// that contains its own start.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "period/period.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr std::string_view kZones[] = {"UTC", "America/Sao_Paulo", "America/New_York",
                                         "Australia/Lord_Howe"};
  static const absl::TimeZone zones[] = {
      consort::period::LoadZone(kZones[0]).value(), consort::period::LoadZone(kZones[1]).value(),
      consort::period::LoadZone(kZones[2]).value(), consort::period::LoadZone(kZones[3]).value()};
  const absl::TimeZone& zone = zones[data[0] % 4];
  int fiscal_start_month = 1 + (data[0] / 4) % 12;
  std::string_view label(reinterpret_cast<const char*>(data + 1), size - 1);

  absl::StatusOr<consort::period::Period> period =
      consort::period::ParsePeriod(label, zone, fiscal_start_month);
  if (period.ok()) {
    Check(period->Label() == label);
    Check(period->start < period->end);
    Check(period->Contains(period->start));
    Check(period->Next().start == period->end);
    Check(consort::period::PeriodOf(period->kind, period->start, zone, fiscal_start_month) ==
          *period);
  }
  absl::StatusOr<consort::period::Period> month = consort::period::ParseMonth(label, zone);
  if (month.ok()) Check(month->Label() == label);
  return 0;
}
