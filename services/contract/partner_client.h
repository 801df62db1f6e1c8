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
  // How long a partner found to exist is not asked again; zero disables the cache.
  absl::Duration cache_ttl = absl::Seconds(60);
  // Entries kept at most; the cache is emptied when it would grow past this.
  size_t max_cache_entries = 100000;
};

class PartnerClient {
 public:
  // `address` is the partner service's host:port, used in error messages.
  PartnerClient(std::shared_ptr<grpc::Channel> channel, std::string address,
                PartnerClientOptions options = {});

  // Returns OK when the partner exists, NOT_FOUND "partner ... not found" when the partner
  // service does not know it, and UNAVAILABLE naming the partner service when it cannot be
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

}  // namespace consort::contract
