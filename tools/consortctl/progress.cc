#include "consortctl/progress.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace consort::consortctl {

Progress::Progress(std::string stage, int64_t total, const ImportTally& tally,
                   std::vector<std::string> kinds, FILE* out)
    : stage_(std::move(stage)),
      total_(total),
      tally_(tally),
      kinds_(std::move(kinds)),
      out_(out),
      start_(absl::Now()) {
  thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
  PrintLine(seconds > 0 ? static_cast<double>(done()) / seconds : 0, /*last=*/true);
}

void Progress::PrintLine(double records_per_second, bool last) {
  std::string counts;
  for (const std::string& kind : kinds_) {
    absl::StrAppendFormat(&counts, "  %s: %d accepted, %d duplicate, %d rejected", kind,
                          tally_.count(kind, Outcome::kAccepted),
                          tally_.count(kind, Outcome::kDuplicate),
                          tally_.count(kind, Outcome::kRejected));
  }
  std::string line = absl::StrFormat("%s: %d/%d records, %.0f records/s%s%s\n", stage_, done(),
                                     total_, records_per_second, last ? " overall" : "", counts);
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

void Progress::Run() {
  int64_t last_done = 0;
  absl::Time last_time = start_;
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(1));
    if (stopping_) return;
    absl::Time now = absl::Now();
    int64_t current = done();
    // Once every record is done, the last line follows with the same count, so a line here would
    // show the final count twice.
    if (current >= total_) continue;
    double seconds = absl::ToDoubleSeconds(now - last_time);
    PrintLine(seconds > 0 ? static_cast<double>(current - last_done) / seconds : 0, false);
    last_done = current;
    last_time = now;
  }
}

}  // namespace consort::consortctl
