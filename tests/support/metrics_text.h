#pragma once

// Reads the Prometheus text exposition that every service serves on /metrics, for integration
// tests that check a counter or gauge. Called by the partner, communication, performance and
// incentive integration tests.
//
// Thread-safe: the functions keep no state.

#include <string>

#include "tests/support/service_process.h"

namespace consort::testing {

// Returns the body of the service's /metrics page, or an empty string when it cannot be read.
std::string ScrapeMetrics(const ServiceProcess& service);

// Returns the value of the sample line that starts with `series` followed by a space, or -1 when
// there is none. `series` is the metric name with its labels exactly as exposed, in the same
// order and quoting, for example consort_sales_accepted_total{kind="sale"}. A line with more
// labels does not match.
double MetricValue(const std::string& metrics, const std::string& series);

}  // namespace consort::testing
