#pragma once

// Request checks of the partner register (CreatePartner, UpdatePartner, ListPartners) as the
// comments in partner.proto state them, and the update-mask logic of UpdatePartner. No I/O.
//
// Pure functions; any thread may call them.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "consort/partner/v1/partner.pb.h"

namespace consort::partner {

inline constexpr int kMaxContacts = 20;
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// Checks every input field of a partner to create. Status UNSPECIFIED is allowed (it defaults to
// APPLIED); create_time and update_time are output only and not checked.
absl::Status CheckNewPartner(const v1::Partner& partner);

// Returns the partner to store for a create request: the input with status defaulted and both
// times set to `now`.
v1::Partner NewPartner(const v1::Partner& input, absl::Time now);

// Returns whether two partners have the same input fields (id, display name, home region,
// contacts, status), ignoring the output-only times.
bool SameInputFields(const v1::Partner& a, const v1::Partner& b);

// Checks an UpdatePartner request without looking at stored state: partner_id, a non-empty
// update_mask of known paths, and the new value of each path named.
absl::Status CheckUpdateRequest(const v1::UpdatePartnerRequest& request);

// Applies a checked request to the stored partner and sets update_time to `now`. Fails with
// FAILED_PRECONDITION when the request would move a TERMINATED partner to another status.
absl::StatusOr<v1::Partner> ApplyUpdate(const v1::Partner& stored,
                                        const v1::UpdatePartnerRequest& request, absl::Time now);

// Returns the page size that a ListPartners request asks for, or INVALID_ARGUMENT.
absl::StatusOr<int> CheckPageSize(int32_t page_size);

// Returns the partner id after which the page starts, or INVALID_ARGUMENT for a malformed token.
// An empty token starts at the first partner.
absl::StatusOr<std::string> DecodePageToken(const std::string& page_token);
std::string EncodePageToken(const std::string& last_partner_id);

}  // namespace consort::partner
