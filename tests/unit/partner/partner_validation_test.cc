#include "partner/partner_validation.h"

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/partner/test_records.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::TestNow;
using ::consort::partner::testing::TestPartner;
using ::testing::HasSubstr;

struct PartnerCase {
  std::string name;
  std::function<void(v1::Partner&)> mutate;
  std::string message_part;
};

void PrintTo(const PartnerCase& partner_case, std::ostream* out) { *out << partner_case.name; }

class CheckNewPartnerRejects : public ::testing::TestWithParam<PartnerCase> {};

TEST_P(CheckNewPartnerRejects, WithFieldInMessage) {
  v1::Partner partner = TestPartner("p-1");
  GetParam().mutate(partner);
  const absl::Status status = CheckNewPartner(partner);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, CheckNewPartnerRejects,
    ::testing::ValuesIn(std::vector<PartnerCase>{
        {"IdMissing", [](auto& p) { p.clear_partner_id(); }, "partner.partner_id is missing"},
        {"IdTooLong", [](auto& p) { p.set_partner_id(std::string(65, 'a')); },
         "partner.partner_id is invalid"},
        {"IdWithSlash", [](auto& p) { p.set_partner_id("a/b"); }, "\"a/b\""},
        {"DisplayNameMissing", [](auto& p) { p.clear_display_name(); },
         "partner.display_name is missing"},
        {"DisplayNameTooLong", [](auto& p) { p.set_display_name(std::string(201, 'n')); },
         "partner.display_name is invalid"},
        {"HomeRegionMissing", [](auto& p) { p.clear_home_region(); },
         "partner.home_region is missing"},
        {"HomeRegionLowerCase", [](auto& p) { p.set_home_region("sp"); }, "\"sp\""},
        {"HomeRegionTooLong", [](auto& p) { p.set_home_region(std::string(33, 'A')); },
         "1 to 32 characters"},
        {"ContactNameMissing", [](auto& p) { p.mutable_contacts(0)->clear_name(); },
         "partner.contacts[0].name is missing"},
        {"ContactEmailInvalid", [](auto& p) { p.mutable_contacts(0)->set_email("ana@"); },
         "partner.contacts[0].email is invalid: got \"ana@\""},
        {"ContactEmailNoDomainDot",
         [](auto& p) { p.mutable_contacts(0)->set_email("ana@localhost"); },
         "partner.contacts[0].email is invalid"},
        {"ContactEmailTwoAts", [](auto& p) { p.mutable_contacts(0)->set_email("a@b@c.com"); },
         "partner.contacts[0].email is invalid"},
        {"ContactEmailTooLong",
         [](auto& p) { p.mutable_contacts(0)->set_email("a@" + std::string(250, 'b') + ".com"); },
         "partner.contacts[0].email is invalid"},
        {"ContactPhoneLetters", [](auto& p) { p.mutable_contacts(0)->set_phone("call me"); },
         "partner.contacts[0].phone is invalid"},
        {"ContactPhoneTooLong",
         [](auto& p) { p.mutable_contacts(0)->set_phone(std::string(33, '1')); },
         "at most 32 characters"},
        {"ContactRoleTooLong",
         [](auto& p) { p.mutable_contacts(0)->set_role(std::string(65, 'r')); },
         "partner.contacts[0].role is invalid"},
        {"TooManyContacts",
         [](auto& p) {
           for (int i = 0; i < kMaxContacts; ++i) *p.add_contacts() = p.contacts(0);
         },
         "expected at most 20"},
        {"StatusUnknown", [](auto& p) { p.set_status(static_cast<v1::PartnerStatus>(42)); },
         "partner.status is invalid: got \"42\""},
    }),
    [](const auto& info) { return info.param.name; });

TEST(CheckNewPartner, ValidPartnerPasses) { EXPECT_TRUE(CheckNewPartner(TestPartner("p-1")).ok()); }

TEST(CheckNewPartner, OptionalContactFieldsMayBeEmpty) {
  v1::Partner partner = TestPartner("p-1");
  partner.mutable_contacts(0)->clear_email();
  partner.mutable_contacts(0)->clear_phone();
  partner.mutable_contacts(0)->clear_role();
  EXPECT_TRUE(CheckNewPartner(partner).ok());
}

TEST(NewPartner, DefaultsStatusToApplied) {
  v1::Partner input = TestPartner("p-1", v1::PARTNER_STATUS_UNSPECIFIED);
  const v1::Partner partner = NewPartner(input, TestNow());
  EXPECT_EQ(partner.status(), v1::PARTNER_STATUS_APPLIED);
  EXPECT_EQ(partner.create_time().seconds(), absl::ToUnixSeconds(TestNow()));
  EXPECT_EQ(partner.update_time().seconds(), absl::ToUnixSeconds(TestNow()));
}

TEST(SameInputFields, IgnoresTimes) {
  const v1::Partner a = NewPartner(TestPartner("p-1"), TestNow());
  const v1::Partner b = NewPartner(TestPartner("p-1"), TestNow() + absl::Hours(1));
  EXPECT_TRUE(SameInputFields(a, b));
}

TEST(SameInputFields, SeesChangedContact) {
  const v1::Partner a = TestPartner("p-1");
  v1::Partner b = TestPartner("p-1");
  b.mutable_contacts(0)->set_role("finance");
  EXPECT_FALSE(SameInputFields(a, b));
}

v1::UpdatePartnerRequest UpdateRequest(const v1::Partner& partner, std::vector<std::string> paths) {
  v1::UpdatePartnerRequest request;
  *request.mutable_partner() = partner;
  for (auto& path : paths) request.mutable_update_mask()->add_paths(path);
  return request;
}

TEST(CheckUpdateRequest, MaskMissingIsRejected) {
  const absl::Status status = CheckUpdateRequest(UpdateRequest(TestPartner("p-1"), {}));
  EXPECT_THAT(std::string(status.message()), HasSubstr("update_mask is missing"));
}

TEST(CheckUpdateRequest, UnknownPathIsRejected) {
  const absl::Status status =
      CheckUpdateRequest(UpdateRequest(TestPartner("p-1"), {"create_time"}));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("update_mask.paths is invalid: got \"create_time\""));
}

TEST(CheckUpdateRequest, OnlyNamedFieldsAreChecked) {
  v1::Partner partner = TestPartner("p-1");
  partner.clear_home_region();
  EXPECT_TRUE(CheckUpdateRequest(UpdateRequest(partner, {"display_name"})).ok());
}

TEST(CheckUpdateRequest, NamedFieldIsChecked) {
  v1::Partner partner = TestPartner("p-1");
  partner.clear_home_region();
  const absl::Status status = CheckUpdateRequest(UpdateRequest(partner, {"home_region"}));
  EXPECT_THAT(std::string(status.message()), HasSubstr("partner.home_region is missing"));
}

TEST(CheckUpdateRequest, UnspecifiedStatusIsRejected) {
  v1::Partner partner = TestPartner("p-1", v1::PARTNER_STATUS_UNSPECIFIED);
  const absl::Status status = CheckUpdateRequest(UpdateRequest(partner, {"status"}));
  EXPECT_THAT(std::string(status.message()), HasSubstr("partner.status is missing"));
}

TEST(ApplyUpdate, ChangesOnlyMaskedFields) {
  const v1::Partner stored = NewPartner(TestPartner("p-1"), TestNow());
  v1::Partner input = TestPartner("p-1", v1::PARTNER_STATUS_SUSPENDED);
  input.set_display_name("New name");
  input.set_home_region("RJ");
  auto updated =
      ApplyUpdate(stored, UpdateRequest(input, {"display_name"}), TestNow() + absl::Hours(1));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->display_name(), "New name");
  EXPECT_EQ(updated->home_region(), "SP");
  EXPECT_EQ(updated->status(), v1::PARTNER_STATUS_ACTIVE);
  EXPECT_EQ(updated->create_time().seconds(), absl::ToUnixSeconds(TestNow()));
  EXPECT_EQ(updated->update_time().seconds(), absl::ToUnixSeconds(TestNow() + absl::Hours(1)));
}

TEST(ApplyUpdate, ReplacesContacts) {
  const v1::Partner stored = TestPartner("p-1");
  v1::Partner input = TestPartner("p-1");
  input.clear_contacts();
  auto updated = ApplyUpdate(stored, UpdateRequest(input, {"contacts"}), TestNow());
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->contacts_size(), 0);
}

TEST(ApplyUpdate, StatusMovesFreely) {
  const v1::Partner stored = TestPartner("p-1", v1::PARTNER_STATUS_SUSPENDED);
  auto updated = ApplyUpdate(
      stored, UpdateRequest(TestPartner("p-1", v1::PARTNER_STATUS_APPLIED), {"status"}), TestNow());
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->status(), v1::PARTNER_STATUS_APPLIED);
}

TEST(ApplyUpdate, TerminatedIsFinal) {
  const v1::Partner stored = TestPartner("p-1", v1::PARTNER_STATUS_TERMINATED);
  auto updated = ApplyUpdate(
      stored, UpdateRequest(TestPartner("p-1", v1::PARTNER_STATUS_ACTIVE), {"status"}), TestNow());
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ApplyUpdate, TerminatedMayStayTerminated) {
  const v1::Partner stored = TestPartner("p-1", v1::PARTNER_STATUS_TERMINATED);
  v1::Partner input = TestPartner("p-1", v1::PARTNER_STATUS_TERMINATED);
  input.set_display_name("Closed shop");
  auto updated = ApplyUpdate(stored, UpdateRequest(input, {"status", "display_name"}), TestNow());
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->display_name(), "Closed shop");
}

TEST(CheckPageSize, ZeroMeansDefault) { EXPECT_EQ(*CheckPageSize(0), 100); }

TEST(CheckPageSize, MaximumIsAccepted) { EXPECT_EQ(*CheckPageSize(1000), 1000); }

TEST(CheckPageSize, NegativeIsRejected) {
  EXPECT_EQ(CheckPageSize(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckPageSize, AboveMaximumIsRejected) {
  EXPECT_EQ(CheckPageSize(1001).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PageToken, RoundTrips) {
  auto decoded = DecodePageToken(EncodePageToken("partner-42.x"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "partner-42.x");
}

TEST(PageToken, EmptyStartsAtFirst) { EXPECT_EQ(*DecodePageToken(""), ""); }

TEST(PageToken, GarbageIsRejected) {
  const absl::Status status = DecodePageToken("%%%").status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("page_token is invalid"));
}

}  // namespace
}  // namespace consort::partner
