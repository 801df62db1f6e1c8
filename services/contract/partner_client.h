#pragma once

// Checks with PartnerService.GetPartner that a partner exists, before the contract or
// communication service stores anything that names the partner. Every call carries a deadline.
// A partner found to exist is remembered for `cache_ttl`, because a partner, once created, is
// never deleted. A partner not found is never remembered, so one created a moment later is found
// at once.
//
// Thread-safe: handlers on any gRPC thread call PartnerClient concurrently.

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "consort/partner/v1/partner.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace consort::contract {

struct PartnerClientOptions {
  // Deadline of each GetPartner call.
  absl::Duration deadline = absl::Seconds(3);
  // How long a partner found to exist is not looked up again; zero disables the cache.
  absl::Duration cache_ttl = absl::Seconds(60);
  // Entries kept at most; the cache is emptied when it would grow past this.
  size_t max_cache_entries = 100000;
};

class PartnerClient {
 public:
  // `address` is the partner service's host:port, used in error messages.
  PartnerClient(std::shared_ptr<grpc::Channel> channel, std::string address,
                PartnerClientOptions options = {});

  // Returns OK when the partner exists, NOT_FOUND "partner ... not found" when GetPartner
  // returns NOT_FOUND, and UNAVAILABLE naming the partner service when it cannot be
  // reached, times out or fails otherwise.
  absl::Status CheckExists(const std::string& partner_id);

 private:
  bool Cached(const std::string& partner_id);
  void Remember(const std::string& partner_id);

  std::unique_ptr<partner::v1::PartnerService::Stub> stub_;
  const std::string address_;
  const PartnerClientOptions options_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> known_until_ ABSL_GUARDED_BY(mu_);
};

// Settings of the partner look-up as the services read them from flags and the environment.
struct PartnerSettings {
  std::string address = "127.0.0.1:50051";
  int timeout_ms = 3000;
  int cache_seconds = 60;
};

// Registers --partner-address (CONSORT_PARTNER_ADDRESS), --partner-timeout-ms
// (CONSORT_PARTNER_TIMEOUT_MS) and --partner-cache-seconds (CONSORT_PARTNER_CACHE_SECONDS).
void AddPartnerOptions(CLI::App& app, PartnerSettings& settings);

// Returns a client of the partner service at `settings.address` over an insecure channel.
std::unique_ptr<PartnerClient> NewPartnerClient(const PartnerSettings& settings);

}  // namespace consort::contract
