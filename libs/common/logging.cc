#include "common/logging.h"

#include "absl/strings/str_format.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace consort {

void InitLogging(absl::string_view service_name, absl::string_view level) {
  auto logger = spdlog::stderr_logger_mt(std::string(service_name));
  logger->set_pattern(absl::StrFormat("ts=%%Y-%%m-%%dT%%H:%%M:%%S.%%eZ level=%%l service=%s %%v",
                                      service_name),
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

std::string Quote(absl::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\x%02x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

LogRateLimiter::LogRateLimiter(int max_per_interval, std::chrono::steady_clock::duration interval)
    : max_per_interval_(max_per_interval), interval_(interval) {}

bool LogRateLimiter::Allow(absl::string_view key, int64_t& suppressed) {
  const auto now = std::chrono::steady_clock::now();
  absl::MutexLock lock(&mu_);
  Window& window = windows_[key];
  if (now - window.start >= interval_) {
    window.start = now;
    window.passed = 0;
  }
  if (window.passed >= max_per_interval_) {
    ++window.suppressed;
    return false;
  }
  ++window.passed;
  suppressed = window.suppressed;
  window.suppressed = 0;
  return true;
}

}  // namespace consort
