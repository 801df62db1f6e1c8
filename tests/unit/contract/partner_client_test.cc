#include "services/contract/partner_client.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace consort::contract {
namespace {

// An in-process PartnerService with the partners "known" and "slow" (which replies after 500 ms)
// and "broken" (which fails with INTERNAL).
class FakePartnerService final : public partner::v1::PartnerService::Service {
 public:
  grpc::Status GetPartner(grpc::ServerContext* context,
                          const partner::v1::GetPartnerRequest* request,
                          partner::v1::Partner* response) override {
    ++calls;
    if (request->partner_id() == "slow") {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    if (request->partner_id() == "broken") {
      return grpc::Status(grpc::StatusCode::INTERNAL, "storage failed");
    }
    if (request->partner_id() != "known" && request->partner_id() != "slow") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such partner");
    }
    response->set_partner_id(request->partner_id());
    return grpc::Status::OK;
  }

  std::atomic<int> calls{0};
};

class PartnerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    address_ = absl::StrCat("127.0.0.1:", port_);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  PartnerClient Client(PartnerClientOptions options = {}) {
    return PartnerClient(grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()),
                         address_, options);
  }

  FakePartnerService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
};

TEST_F(PartnerClientTest, KnownPartnerExists) {
  auto client = Client();
  EXPECT_TRUE(client.CheckExists("known").ok());
}

TEST_F(PartnerClientTest, UnknownPartnerIsNotFound) {
  auto client = Client();
  auto status = client.CheckExists("ghost");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "partner \"ghost\" not found");
}

TEST_F(PartnerClientTest, CachesPositiveAnswers) {
  auto client = Client();
  ASSERT_TRUE(client.CheckExists("known").ok());
  ASSERT_TRUE(client.CheckExists("known").ok());
  EXPECT_EQ(service_.calls.load(), 1);
}

TEST_F(PartnerClientTest, DoesNotCacheNegativeAnswers) {
  auto client = Client();
  ASSERT_FALSE(client.CheckExists("ghost").ok());
  ASSERT_FALSE(client.CheckExists("ghost").ok());
  EXPECT_EQ(service_.calls.load(), 2);
}

TEST_F(PartnerClientTest, ZeroTtlDisablesCache) {
  PartnerClientOptions options;
  options.cache_ttl = absl::ZeroDuration();
  auto client = Client(options);
  ASSERT_TRUE(client.CheckExists("known").ok());
  ASSERT_TRUE(client.CheckExists("known").ok());
  EXPECT_EQ(service_.calls.load(), 2);
}

TEST_F(PartnerClientTest, DeadlineExceededIsUnavailable) {
  PartnerClientOptions options;
  options.deadline = absl::Milliseconds(50);
  auto client = Client(options);
  auto status = client.CheckExists("slow");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
}

TEST_F(PartnerClientTest, ServerErrorIsUnavailable) {
  auto client = Client();
  auto status = client.CheckExists("broken");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find(address_), std::string::npos) << status.message();
}

TEST_F(PartnerClientTest, UnreachableServiceIsUnavailable) {
  server_->Shutdown();
  server_.reset();
  PartnerClientOptions options;
  options.deadline = absl::Milliseconds(200);
  auto client = Client(options);
  EXPECT_EQ(client.CheckExists("known").code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace consort::contract
