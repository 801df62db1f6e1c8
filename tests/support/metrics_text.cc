#include "tests/support/metrics_text.h"

#include "tests/support/http_get.h"

namespace consort::testing {

std::string ScrapeMetrics(const ServiceProcess& service) {
  return HttpGet(service.metrics_port(), "/metrics");
}

double MetricValue(const std::string& metrics, const std::string& series) {
  size_t at = 0;
  while ((at = metrics.find(series, at)) != std::string::npos) {
    const bool line_start = at == 0 || metrics[at - 1] == '\n';
    const size_t value_at = at + series.size();
    if (line_start && value_at < metrics.size() && metrics[value_at] == ' ') {
      return std::stod(metrics.substr(value_at + 1, metrics.find('\n', value_at) - value_at - 1));
    }
    at = value_at;
  }
  return -1;
}

}  // namespace consort::testing
