// Fuzzes amount and rate parsing. The first byte picks the currency; the rest is the text. A
// value that parses must format to text that parses back to the same value, and arithmetic on it
// must return a value or an error, never crash or overflow silently.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "money/allocation.h"
#include "money/money.h"

namespace {

using consort::money::Money;
using consort::money::Rate;
using consort::money::RoundingMode;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr std::string_view kCodes[] = {"EUR", "JPY", "BHD", "CLF", "BRL", "USD", "XXX", "eur"};
  std::string_view code = kCodes[data[0] % 8];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  absl::StatusOr<Money> amount = Money::Parse(text, code);
  if (amount.ok()) {
    Check(Money::Parse(amount->ToString(), code).value() == *amount);
    Check(std::llabs(amount->minor_units()) <= Money::kMaxMinorUnits);
    (void)amount->Add(*amount);
    (void)amount->MultiplyBy(-3);
    absl::StatusOr<std::vector<Money>> shares =
        consort::money::SplitEqually(*amount, 1 + data[0] % 7);
    Check(shares.ok());
    Check(consort::money::Sum(*shares).value() == *amount);
  }

  absl::StatusOr<Rate> rate = Rate::Parse(text);
  if (rate.ok()) {
    Check(Rate::Parse(rate->ToString()).value() == *rate);
    Check(Rate::Parse(rate->ToPercentString()).value() == *rate);
    Money base = Money::FromMinor(123'456'789, *consort::money::FindCurrency("EUR"));
    for (RoundingMode mode :
         {RoundingMode::kHalfUp, RoundingMode::kHalfEven, RoundingMode::kDown}) {
      absl::StatusOr<Money> product = consort::money::MultiplyByRate(base, *rate, mode);
      absl::StatusOr<Money> negated = consort::money::MultiplyByRate(base.Negate(), *rate, mode);
      Check(product.ok() == negated.ok());
      if (product.ok()) Check(*negated == product->Negate());
    }
  }
  return 0;
}
