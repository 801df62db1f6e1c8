#pragma once

// Progress of one import stage on stderr. While the stage runs and records remain, it prints at
// most one line per second: records done of the total, records per second over the last interval,
// and the tally's counts for the stage's kind. A last line follows when the stage ends. The final
// count appears once, even when the stage waits after its last record (a sales stream
// reconnecting).
//
// The import's worker threads call Advance; a background thread of its own prints. Thread-safe.

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "consortctl/import_tally.h"

namespace consort::consortctl {

class Progress {
 public:
  // `kinds` names the tally kinds whose counts the lines show. `out` is stderr except in tests.
  Progress(std::string stage, int64_t total, const ImportTally& tally,
           std::vector<std::string> kinds, FILE* out = stderr);
  // Prints the last line and stops the printing thread.
  ~Progress();

  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Advance(int64_t records = 1) { done_.fetch_add(records, std::memory_order_relaxed); }
  int64_t done() const { return done_.load(std::memory_order_relaxed); }

 private:
  void PrintLine(double records_per_second, bool last);
  void Run();

  const std::string stage_;
  const int64_t total_;
  const ImportTally& tally_;
  const std::vector<std::string> kinds_;
  FILE* const out_;
  const absl::Time start_;
  std::atomic<int64_t> done_{0};

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace consort::consortctl
