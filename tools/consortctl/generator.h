#pragma once

// A seeded generator of a synthetic marketplace data set in the Olist file layout, so that
// `consortctl import olist` loads it unchanged. It writes the six files the import reads, with
// their names, columns and format quirks: quoted and unquoted fields mixed, a byte order mark and
// CRLF in the translation file, CRLF and quoted line breaks in the reviews, and no line end after
// the last record of the sample files.
//
// The data has the shapes that make a scorecard interesting:
// - partner sizes follow a Zipf law (exponent 1) over a random ranking of the sellers;
// - the monthly order count follows a seasonal curve with a November peak and a slow growth;
// - about 1.5% of orders are canceled and 1% unavailable (so their items are refunded);
// - about 15% of the sellers are poor performers whose reviews are mostly 1 to 3 stars;
// - 3% of orders are left out of the orders file, so their items fall back to the shipping limit
//   date, and about 2% of reviews name an order without items, which the import rejects.
// The same options and seed write byte-identical files with any standard library and any
// IEEE-754 platform (see random.h).
//
// Called once per command on the main thread.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace consort::consortctl {

struct GeneratorOptions {
  uint64_t seed = 1;
  int partners = 100;
  int months = 12;
  // First month of the orders, "YYYY-MM".
  std::string start_month = "2021-01";
  // Orders per seller and month on average before seasonality.
  int orders_per_partner_month = 6;
};

struct GeneratorSummary {
  int64_t sellers = 0;
  int64_t products = 0;
  int64_t orders = 0;
  int64_t items = 0;
  int64_t reviews = 0;
};

// Checks the options: 1 to 100,000 partners, 1 to 240 months, 1 to 1,000 orders per partner and
// month, and a valid start month. The last month, with the three weeks that reviews may trail,
// must end before `now`, because the services reject event times in the future.
absl::Status ValidateGeneratorOptions(const GeneratorOptions& options, absl::Time now);

// Writes the six files into `out_dir`, creating it when missing.
absl::StatusOr<GeneratorSummary> GenerateOlistDataset(const GeneratorOptions& options,
                                                      const std::string& out_dir);

}  // namespace consort::consortctl
