#include "partner/partner_validation.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "google/protobuf/util/message_differencer.h"

namespace consort::partner {
namespace {

using v1::Contact;
using v1::Partner;
using v1::PartnerStatus;

constexpr size_t kMaxDisplayName = 200;
constexpr size_t kMaxHomeRegion = 32;
constexpr size_t kMaxContactName = 200;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMaxEmailLocalPart = 64;
constexpr size_t kMaxPhone = 32;
constexpr size_t kMaxRole = 64;

constexpr char kUpdatablePaths[] = "display_name, home_region, contacts or status";

absl::Status CheckHomeRegion(const std::string& value) {
  constexpr absl::string_view kAllowed =
      "expected 1 to 32 characters of upper-case letters, digits and '-', for example SP";
  if (value.empty()) return MissingField("partner.home_region", kAllowed);
  if (value.size() > kMaxHomeRegion) return InvalidField("partner.home_region", value, kAllowed);
  for (char c : value) {
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c) && c != '-') {
      return InvalidField("partner.home_region", value, kAllowed);
    }
  }
  return absl::OkStatus();
}

bool IsDomainLabel(absl::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!absl::ascii_isalnum(c) && c != '-') return false;
  }
  return true;
}

bool IsEmailLocalPart(absl::string_view local) {
  if (local.empty() || local.size() > kMaxEmailLocalPart) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  constexpr absl::string_view kSpecials = "!#$%&'*+/=?^_`{|}~-.";
  char previous = 0;
  for (char c : local) {
    if (!absl::ascii_isalnum(c) && kSpecials.find(c) == absl::string_view::npos) return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

// A dot-atom address "local@domain.tld" (RFC 5322 without quoted local parts or address
// literals), at most 254 characters.
bool IsEmail(absl::string_view email) {
  if (email.size() > kMaxEmail) return false;
  const size_t at = email.find('@');
  if (at == absl::string_view::npos || email.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  if (!IsEmailLocalPart(email.substr(0, at))) return false;
  std::vector<absl::string_view> labels = absl::StrSplit(email.substr(at + 1), '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (!IsDomainLabel(label)) return false;
  }
  return true;
}

bool IsPhone(absl::string_view phone) {
  if (phone.size() > kMaxPhone) return false;
  bool has_digit = false;
  for (char c : phone) {
    if (absl::ascii_isdigit(c)) {
      has_digit = true;
    } else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')') {
      return false;
    }
  }
  return has_digit;
}

absl::Status CheckContact(const Contact& contact, int index) {
  const std::string prefix = absl::StrCat("partner.contacts[", index, "].");
  if (auto status = CheckText(prefix + "name", contact.name(), kMaxContactName, true);
      !status.ok()) {
    return status;
  }
  if (!contact.email().empty() && !IsEmail(contact.email())) {
    return InvalidField(prefix + "email", contact.email(),
                        "expected an address such as name@example.com of at most 254 characters");
  }
  if (!contact.phone().empty() && !IsPhone(contact.phone())) {
    return InvalidField(prefix + "phone", contact.phone(),
                        "expected at most 32 characters of digits, spaces and \"+-()\"");
  }
  return CheckText(prefix + "role", contact.role(), kMaxRole, false);
}

absl::Status CheckContacts(const google::protobuf::RepeatedPtrField<Contact>& contacts) {
  if (contacts.size() > kMaxContacts) {
    return InvalidField("partner.contacts", absl::StrCat(contacts.size(), " contacts"),
                        absl::StrCat("expected at most ", kMaxContacts));
  }
  for (int i = 0; i < contacts.size(); ++i) {
    if (auto status = CheckContact(contacts[i], i); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status CheckStatus(PartnerStatus status, bool allow_unspecified) {
  constexpr absl::string_view kAllowed =
      "expected one of PARTNER_STATUS_APPLIED, PARTNER_STATUS_UNDER_REVIEW, "
      "PARTNER_STATUS_APPROVED, PARTNER_STATUS_ACTIVE, PARTNER_STATUS_SUSPENDED, "
      "PARTNER_STATUS_TERMINATED";
  if (!v1::PartnerStatus_IsValid(status)) {
    return InvalidField("partner.status", absl::StrCat(static_cast<int>(status)), kAllowed);
  }
  if (status == v1::PARTNER_STATUS_UNSPECIFIED && !allow_unspecified) {
    return MissingField("partner.status", kAllowed);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckNewPartner(const Partner& partner) {
  if (auto status = CheckIdentifier("partner.partner_id", partner.partner_id()); !status.ok()) {
    return status;
  }
  if (auto status =
          CheckText("partner.display_name", partner.display_name(), kMaxDisplayName, true);
      !status.ok()) {
    return status;
  }
  if (auto status = CheckHomeRegion(partner.home_region()); !status.ok()) return status;
  if (auto status = CheckContacts(partner.contacts()); !status.ok()) return status;
  return CheckStatus(partner.status(), /*allow_unspecified=*/true);
}

Partner NewPartner(const Partner& input, absl::Time now) {
  Partner partner = input;
  if (partner.status() == v1::PARTNER_STATUS_UNSPECIFIED) {
    partner.set_status(v1::PARTNER_STATUS_APPLIED);
  }
  *partner.mutable_create_time() = ToProtoTimestamp(now);
  *partner.mutable_update_time() = ToProtoTimestamp(now);
  return partner;
}

bool SameInputFields(const Partner& a, const Partner& b) {
  Partner left = a;
  Partner right = b;
  left.clear_create_time();
  left.clear_update_time();
  right.clear_create_time();
  right.clear_update_time();
  return google::protobuf::util::MessageDifferencer::Equals(left, right);
}

absl::Status CheckUpdateRequest(const v1::UpdatePartnerRequest& request) {
  const Partner& partner = request.partner();
  if (auto status = CheckIdentifier("partner.partner_id", partner.partner_id()); !status.ok()) {
    return status;
  }
  if (request.update_mask().paths().empty()) {
    return MissingField("update_mask", absl::StrCat("expected one or more of ", kUpdatablePaths));
  }
  for (const std::string& path : request.update_mask().paths()) {
    absl::Status status;
    if (path == "display_name") {
      status = CheckText("partner.display_name", partner.display_name(), kMaxDisplayName, true);
    } else if (path == "home_region") {
      status = CheckHomeRegion(partner.home_region());
    } else if (path == "contacts") {
      status = CheckContacts(partner.contacts());
    } else if (path == "status") {
      status = CheckStatus(partner.status(), /*allow_unspecified=*/false);
    } else {
      status = InvalidField("update_mask.paths", path, absl::StrCat("expected ", kUpdatablePaths));
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<Partner> ApplyUpdate(const Partner& stored, const v1::UpdatePartnerRequest& request,
                                    absl::Time now) {
  Partner updated = stored;
  const Partner& input = request.partner();
  for (const std::string& path : request.update_mask().paths()) {
    if (path == "display_name") {
      updated.set_display_name(input.display_name());
    } else if (path == "home_region") {
      updated.set_home_region(input.home_region());
    } else if (path == "contacts") {
      *updated.mutable_contacts() = input.contacts();
    } else if (path == "status") {
      if (stored.status() == v1::PARTNER_STATUS_TERMINATED &&
          input.status() != v1::PARTNER_STATUS_TERMINATED) {
        return absl::FailedPreconditionError(
            absl::StrCat("partner ", stored.partner_id(),
                         " is PARTNER_STATUS_TERMINATED, which is final; it "
                         "cannot move to ",
                         v1::PartnerStatus_Name(input.status())));
      }
      updated.set_status(input.status());
    }
  }
  *updated.mutable_update_time() = ToProtoTimestamp(now);
  return updated;
}

absl::StatusOr<int> CheckPageSize(int32_t page_size) {
  if (page_size == 0) return kDefaultPageSize;
  if (page_size < 0 || page_size > kMaxPageSize) {
    return InvalidField("page_size", absl::StrCat(page_size), "expected 1 to 1000, or 0 for 100");
  }
  return page_size;
}

absl::StatusOr<std::string> DecodePageToken(const std::string& page_token) {
  if (page_token.empty()) return std::string();
  std::string partner_id;
  if (!absl::WebSafeBase64Unescape(page_token, &partner_id) ||
      !CheckIdentifier("page_token", partner_id).ok()) {
    return InvalidField("page_token", page_token,
                        "expected the next_page_token of an earlier ListPartners response");
  }
  return partner_id;
}

std::string EncodePageToken(const std::string& last_partner_id) {
  return absl::WebSafeBase64Escape(last_partner_id);
}

}  // namespace consort::partner
