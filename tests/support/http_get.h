#pragma once

// A minimal HTTP/1.0 GET over loopback, for tests that read a service's /metrics page without an
// HTTP client library. Called through ScrapeMetrics in metrics_text.h.
//
// Thread-safe: each call opens and closes its own socket.

#include <string>

namespace consort::testing {

// Returns the body of GET http://127.0.0.1:<port><path>, or an empty string when the connection
// or the request fails or the response has no header terminator.
std::string HttpGet(int port, const std::string& path);

}  // namespace consort::testing
