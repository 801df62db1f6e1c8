#pragma once

// Structured logging for the services: one `key=value` line per event on stderr, through spdlog.
//
// Lines look like
//   ts=2026-12-04T15:04:05.123Z level=info service=partner msg="sale rejected" sale_id=a-1
// Callers put the message first and the ids involved after it, quoting values that may hold
// spaces with Quote(). InitLogging is called once at start-up; logging itself is thread-safe.

#include <chrono>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "spdlog/spdlog.h"

namespace consort {

// Installs the process-wide logger writing to stderr at `level` (trace, debug, info, warn, error).
void InitLogging(absl::string_view service_name, absl::string_view level);

// Returns `value` in double quotes with '"' and '\' escaped and control characters as \n, \t or
// \xNN, so that a log value never breaks the line format.
std::string Quote(absl::string_view value);

// Lets through at most `max_per_interval` events per key and interval, and reports how many were
// held back when the next event of that key passes. Used for errors that may repeat once per
// message or request. Thread-safe.
class LogRateLimiter {
 public:
  LogRateLimiter(int max_per_interval, std::chrono::steady_clock::duration interval);

  // Returns true when an event of `key` may be logged now. `suppressed` receives how many events
  // of this key were rejected since the last one that passed.
  bool Allow(absl::string_view key, int64_t& suppressed);

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    int passed = 0;
    int64_t suppressed = 0;
  };

  const int max_per_interval_;
  const std::chrono::steady_clock::duration interval_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Window> windows_ ABSL_GUARDED_BY(mu_);
};

}  // namespace consort

// Debian's Abseil keeps its own absl::string_view type, which fmt does not know; format it as a
// string so that log calls can take it directly.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view value, FormatContext& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(value.data(), value.size()),
                                                    ctx);
  }
};
