// The partner register RPCs of the real consort-partner binary: create, get, list, update, and
// the outbox status.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/partner/partner_test_stack.h"

namespace consort::partner {
namespace {

using ::consort::partner::testing::ContextWithDeadline;
using ::consort::partner::testing::NewPartnerInput;
using ::testing::HasSubstr;

class PartnerRpcTest : public testing::PartnerStackTest {
 protected:
  grpc::Status Create(const v1::Partner& input, v1::Partner* output) {
    v1::CreatePartnerRequest request;
    *request.mutable_partner() = input;
    return partner_->CreatePartner(ContextWithDeadline().get(), request, output);
  }

  grpc::Status Update(const v1::Partner& input, std::vector<std::string> paths,
                      v1::Partner* output) {
    v1::UpdatePartnerRequest request;
    *request.mutable_partner() = input;
    for (auto& path : paths) request.mutable_update_mask()->add_paths(path);
    return partner_->UpdatePartner(ContextWithDeadline().get(), request, output);
  }
};

TEST_F(PartnerRpcTest, CreateIsIdempotent) {
  v1::Partner input = NewPartnerInput("p-create", v1::PARTNER_STATUS_UNSPECIFIED);
  v1::Partner first;
  ASSERT_TRUE(Create(input, &first).ok());
  EXPECT_EQ(first.partner_id(), "p-create");
  EXPECT_EQ(first.status(), v1::PARTNER_STATUS_APPLIED);
  EXPECT_GT(first.create_time().seconds(), 0);
  EXPECT_EQ(first.update_time().seconds(), first.create_time().seconds());

  v1::Partner second;
  ASSERT_TRUE(Create(input, &second).ok());
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());

  input.set_display_name("Another name");
  v1::Partner ignored;
  const grpc::Status conflict = Create(input, &ignored);
  EXPECT_EQ(conflict.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(conflict.error_message(), HasSubstr("p-create"));
}

TEST_F(PartnerRpcTest, CreateRejectsInvalidFields) {
  struct Case {
    std::string field;
    std::function<void(v1::Partner&)> mutate;
  };
  const std::vector<Case> cases = {
      {"partner.partner_id is missing", [](auto& p) { p.clear_partner_id(); }},
      {"partner.partner_id is invalid", [](auto& p) { p.set_partner_id(std::string(65, 'x')); }},
      {"partner.display_name is missing", [](auto& p) { p.clear_display_name(); }},
      {"partner.display_name is invalid",
       [](auto& p) { p.set_display_name(std::string(201, 'x')); }},
      {"partner.home_region is invalid", [](auto& p) { p.set_home_region("sp"); }},
      {"partner.contacts[0].email is invalid",
       [](auto& p) { p.mutable_contacts(0)->set_email("not-an-address"); }},
      {"partner.contacts[0].phone is invalid",
       [](auto& p) { p.mutable_contacts(0)->set_phone("phone"); }},
      {"partner.status is invalid",
       [](auto& p) { p.set_status(static_cast<v1::PartnerStatus>(99)); }},
  };
  for (const Case& c : cases) {
    v1::Partner input = NewPartnerInput("p-invalid");
    c.mutate(input);
    v1::Partner ignored;
    const grpc::Status status = Create(input, &ignored);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(status.error_message(), HasSubstr(c.field));
  }
  v1::Partner missing;
  const grpc::Status status =
      partner_->CreatePartner(ContextWithDeadline().get(), v1::CreatePartnerRequest(), &missing);
  EXPECT_THAT(status.error_message(), HasSubstr("partner is missing"));
}

TEST_F(PartnerRpcTest, GetReturnsStoredPartner) {
  v1::Partner created;
  ASSERT_TRUE(Create(NewPartnerInput("p-get"), &created).ok());
  v1::GetPartnerRequest request;
  request.set_partner_id("p-get");
  v1::Partner got;
  ASSERT_TRUE(partner_->GetPartner(ContextWithDeadline().get(), request, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  request.set_partner_id("p-unknown");
  EXPECT_EQ(partner_->GetPartner(ContextWithDeadline().get(), request, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  request.set_partner_id("bad id");
  EXPECT_EQ(partner_->GetPartner(ContextWithDeadline().get(), request, &got).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PartnerRpcTest, ListPagesInIdOrder) {
  const std::vector<std::string> ids = {"list-c", "list-a", "list-e", "list-b", "list-d"};
  for (const auto& id : ids) {
    v1::Partner ignored;
    ASSERT_TRUE(Create(NewPartnerInput(id), &ignored).ok());
  }
  std::vector<std::string> listed;
  v1::ListPartnersRequest request;
  request.set_page_size(2);
  int pages = 0;
  do {
    v1::ListPartnersResponse response;
    ASSERT_TRUE(partner_->ListPartners(ContextWithDeadline().get(), request, &response).ok());
    EXPECT_LE(response.partners_size(), 2);
    for (const auto& partner : response.partners()) listed.push_back(partner.partner_id());
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(listed, (std::vector<std::string>{"list-a", "list-b", "list-c", "list-d", "list-e"}));
  EXPECT_EQ(pages, 3);

  v1::ListPartnersResponse response;
  request.set_page_token("");
  request.set_page_size(1001);
  EXPECT_EQ(partner_->ListPartners(ContextWithDeadline().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_page_size(0);
  request.set_page_token("!!not a token!!");
  EXPECT_EQ(partner_->ListPartners(ContextWithDeadline().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PartnerRpcTest, UpdateChangesMaskedFields) {
  v1::Partner created;
  ASSERT_TRUE(Create(NewPartnerInput("p-update", v1::PARTNER_STATUS_APPLIED), &created).ok());
  v1::Partner input = NewPartnerInput("p-update", v1::PARTNER_STATUS_ACTIVE);
  input.set_display_name("Renamed");
  input.set_home_region("RJ");
  v1::Partner updated;
  ASSERT_TRUE(Update(input, {"display_name", "status"}, &updated).ok());
  EXPECT_EQ(updated.display_name(), "Renamed");
  EXPECT_EQ(updated.home_region(), "SP");
  EXPECT_EQ(updated.status(), v1::PARTNER_STATUS_ACTIVE);
  EXPECT_EQ(updated.create_time().seconds(), created.create_time().seconds());

  v1::GetPartnerRequest get;
  get.set_partner_id("p-update");
  v1::Partner stored;
  ASSERT_TRUE(partner_->GetPartner(ContextWithDeadline().get(), get, &stored).ok());
  EXPECT_EQ(stored.display_name(), "Renamed");
}

TEST_F(PartnerRpcTest, ChangesReachPartnersTopic) {
  v1::Partner created;
  ASSERT_TRUE(Create(NewPartnerInput("p-events", v1::PARTNER_STATUS_APPLIED), &created).ok());
  v1::Partner repeated;
  ASSERT_TRUE(Create(NewPartnerInput("p-events", v1::PARTNER_STATUS_APPLIED), &repeated).ok());
  v1::Partner updated;
  ASSERT_TRUE(
      Update(NewPartnerInput("p-events", v1::PARTNER_STATUS_ACTIVE), {"status"}, &updated).ok());

  consort::testing::TopicReader reader(consort::testing::KafkaBootstrap(),
                                       stack_->topic("consort.partners.v1"));
  const std::vector<kafka::Message>& messages = reader.ReadAtLeast(2, absl::Seconds(60));
  // The repeated create changed nothing, so it published nothing.
  ASSERT_EQ(messages.size(), 2u);
  std::vector<events::v1::PartnerEvent> events(2);
  for (size_t i = 0; i < messages.size(); ++i) {
    ASSERT_TRUE(events[i].ParseFromString(messages[i].payload));
    EXPECT_EQ(messages[i].key, "p-events");
  }
  // Both events have the same key, so they share a partition and arrive in order.
  EXPECT_TRUE(events[0].created());
  EXPECT_EQ(events[0].partner().SerializeAsString(), created.SerializeAsString());
  EXPECT_FALSE(events[1].created());
  EXPECT_EQ(events[1].partner().SerializeAsString(), updated.SerializeAsString());
  EXPECT_EQ(events[1].meta().producer(), "partner");
}

TEST_F(PartnerRpcTest, UpdateRejectsBadRequests) {
  v1::Partner created;
  ASSERT_TRUE(Create(NewPartnerInput("p-upd-bad"), &created).ok());
  v1::Partner ignored;
  EXPECT_EQ(Update(NewPartnerInput("p-upd-bad"), {}, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Update(NewPartnerInput("p-upd-bad"), {"partner_id"}, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Update(NewPartnerInput("p-upd-unknown"), {"display_name"}, &ignored).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::Partner bad_region = NewPartnerInput("p-upd-bad");
  bad_region.set_home_region("lower");
  const grpc::Status status = Update(bad_region, {"home_region"}, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("partner.home_region is invalid"));
}

TEST_F(PartnerRpcTest, TerminatedIsFinal) {
  v1::Partner created;
  ASSERT_TRUE(Create(NewPartnerInput("p-term"), &created).ok());
  v1::Partner updated;
  ASSERT_TRUE(
      Update(NewPartnerInput("p-term", v1::PARTNER_STATUS_TERMINATED), {"status"}, &updated).ok());
  const grpc::Status status =
      Update(NewPartnerInput("p-term", v1::PARTNER_STATUS_ACTIVE), {"status"}, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("TERMINATED"));
}

}  // namespace
}  // namespace consort::partner
