#include "services/contract/partner_client.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace consort::contract {

PartnerClient::PartnerClient(std::shared_ptr<grpc::Channel> channel, std::string address,
                             PartnerClientOptions options)
    : stub_(partner::v1::PartnerService::NewStub(std::move(channel))),
      address_(std::move(address)),
      options_(options) {}

bool PartnerClient::Cached(const std::string& partner_id) {
  if (options_.cache_ttl <= absl::ZeroDuration()) return false;
  absl::MutexLock lock(&mu_);
  auto it = known_until_.find(partner_id);
  return it != known_until_.end() && absl::Now() < it->second;
}

void PartnerClient::Remember(const std::string& partner_id) {
  if (options_.cache_ttl <= absl::ZeroDuration()) return;
  absl::MutexLock lock(&mu_);
  if (known_until_.size() >= options_.max_cache_entries) known_until_.clear();
  known_until_[partner_id] = absl::Now() + options_.cache_ttl;
}

absl::Status PartnerClient::CheckExists(const std::string& partner_id) {
  if (Cached(partner_id)) return absl::OkStatus();

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options_.deadline));
  partner::v1::GetPartnerRequest request;
  request.set_partner_id(partner_id);
  partner::v1::Partner response;
  const grpc::Status status = stub_->GetPartner(&context, request, &response);

  if (status.ok()) {
    Remember(partner_id);
    return absl::OkStatus();
  }
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return absl::NotFoundError(absl::StrCat("partner ", Quote(partner_id), " not found"));
  }
  return absl::UnavailableError(absl::StrCat(
      "partner service at ", address_, " failed to look up partner ", Quote(partner_id), ": ",
      status.error_message(), " (gRPC code ", static_cast<int>(status.error_code()), ")"));
}

void AddPartnerOptions(CLI::App& app, PartnerSettings& settings) {
  app.add_option("--partner-address", settings.address, "Partner service gRPC host:port")
      ->envname("CONSORT_PARTNER_ADDRESS")
      ->capture_default_str();
  app.add_option("--partner-timeout-ms", settings.timeout_ms,
                 "Deadline in milliseconds of each call to the partner service")
      ->envname("CONSORT_PARTNER_TIMEOUT_MS")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  app.add_option("--partner-cache-seconds", settings.cache_seconds,
                 "Seconds a partner found to exist is not looked up again; 0 disables the cache")
      ->envname("CONSORT_PARTNER_CACHE_SECONDS")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
}

std::unique_ptr<PartnerClient> NewPartnerClient(const PartnerSettings& settings) {
  PartnerClientOptions options;
  options.deadline = absl::Milliseconds(settings.timeout_ms);
  options.cache_ttl = absl::Seconds(settings.cache_seconds);
  return std::make_unique<PartnerClient>(
      grpc::CreateChannel(settings.address, grpc::InsecureChannelCredentials()), settings.address,
      options);
}

}  // namespace consort::contract
