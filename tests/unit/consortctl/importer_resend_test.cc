// Importer::ReportSales against an in-process PartnerService that ends streams early, including
// the fault a real partner service cannot produce on demand: a record stored whose result never
// reaches the client.

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "consortctl/importer.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

namespace v1 = partner::v1;

// How the fake ends one stream: after `answered` results, with `status`. The `lost` records that
// follow are stored but get no result, as when the connection drops after the store.
struct StreamPlan {
  int answered = 0;
  int lost = 0;
  grpc::Status status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "stopping");
};

// Stores sale ids like the real service (a repeat is DUPLICATE) and ends each stream as the next
// StreamPlan sets. Streams beyond the plans return a result for every record.
class FakePartnerService final : public v1::PartnerService::Service {
 public:
  explicit FakePartnerService(std::deque<StreamPlan> plans) : plans_(std::move(plans)) {}

  grpc::Status ReportSales(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::SaleResult, v1::SaleRecord>* stream) override {
    std::optional<StreamPlan> plan;
    {
      absl::MutexLock lock(&mu_);
      ++streams_;
      if (!plans_.empty()) {
        plan = plans_.front();
        plans_.pop_front();
      }
    }
    int answered = 0;
    int lost = 0;
    v1::SaleRecord record;
    while (stream->Read(&record)) {
      if (plan.has_value() && answered == plan->answered && lost == plan->lost) {
        return plan->status;
      }
      v1::SaleResult result;
      result.set_sale_id(record.sale_id());
      {
        absl::MutexLock lock(&mu_);
        ++sends_[record.sale_id()];
        if (int& left = coverage_rejections_[record.sale_id()]; left > 0) {
          --left;
          result.set_outcome(v1::SALE_OUTCOME_REJECTED);
          result.set_reason("coverage_unavailable");
        } else if (record.kind() == v1::SALE_RECORD_KIND_REFUND &&
                   !stored_.contains(record.original_sale_id())) {
          result.set_outcome(v1::SALE_OUTCOME_REJECTED);
          result.set_reason("original_sale_not_found");
        } else {
          const bool duplicate = ++stored_[record.sale_id()] > 1;
          result.set_outcome(duplicate ? v1::SALE_OUTCOME_DUPLICATE : v1::SALE_OUTCOME_ACCEPTED);
        }
      }
      if (plan.has_value() && answered == plan->answered) {
        ++lost;
        continue;
      }
      if (!stream->Write(result)) return grpc::Status::CANCELLED;
      ++answered;
    }
    return plan.has_value() ? plan->status : grpc::Status::OK;
  }

  int streams() {
    absl::MutexLock lock(&mu_);
    return streams_;
  }
  // Makes the next `times` sends of `sale_id` come back rejected as coverage_unavailable, which
  // stores nothing.
  void RejectCoverage(const std::string& sale_id, int times) {
    absl::MutexLock lock(&mu_);
    coverage_rejections_[sale_id] = times;
  }
  // Sends of each sale id, whatever their result.
  std::map<std::string, int> sends() {
    absl::MutexLock lock(&mu_);
    return sends_;
  }
  // Sends of each sale id that reached the store.
  std::map<std::string, int> stored() {
    absl::MutexLock lock(&mu_);
    return stored_;
  }

 private:
  absl::Mutex mu_;
  std::deque<StreamPlan> plans_ ABSL_GUARDED_BY(mu_);
  int streams_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int> stored_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> sends_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> coverage_rejections_ ABSL_GUARDED_BY(mu_);
};

class ImporterResendTest : public ::testing::Test {
 protected:
  void Start(std::deque<StreamPlan> plans) {
    service_ = std::make_unique<FakePartnerService>(std::move(plans));
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ServiceAddresses addresses;
    addresses.partner = absl::StrCat("127.0.0.1:", port_);
    clients_ = std::make_unique<ServiceClients>(addresses);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  // Imports `records` sales s-0, s-1, ... and then one refund r-<i> of each sale s-<i> in
  // `refunded`.
  absl::Status Import(int records, bool show_progress = false, std::vector<int> refunded = {}) {
    sales_.clear();
    for (int i = 0; i < records; ++i) {
      PlannedSale sale;
      sale.sale_id = absl::StrCat("s-", i);
      sale.partner_id = "p1";
      sale.amount = "10.00";
      sale.region = "SP";
      sale.product_category = "toys";
      sale.order_id = absl::StrCat("o-", i);
      sale.event_time = absl::FromUnixSeconds(1505303942);
      sales_.push_back(sale);
    }
    for (int i : refunded) {
      PlannedSale refund = sales_[i];
      refund.sale_id = absl::StrCat("r-", i);
      refund.refund = true;
      refund.original_sale_id = sales_[i].sale_id;
      sales_.push_back(refund);
    }
    ImportSettings settings;
    settings.show_progress = show_progress;
    settings.max_in_flight = 7;
    settings.retry.max_attempts = 3;
    settings.retry.first_backoff = absl::Milliseconds(1);
    settings.retry.max_backoff = absl::Milliseconds(2);
    settings.retry.timeout = absl::Seconds(10);
    Importer importer(*clients_, settings, tally_);
    return importer.ReportSales(sales_, ImportOptions());
  }

  std::unique_ptr<FakePartnerService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ServiceClients> clients_;
  int port_ = 0;
  std::vector<PlannedSale> sales_;
  ImportTally tally_;
};

TEST_F(ImporterResendTest, ResumesAfterUnavailable) {
  Start({{.answered = 10}, {.answered = 0}, {.answered = 25}});
  absl::Status status = Import(100);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(service_->streams(), 4);
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kAccepted), 100);
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kDuplicate), 0);
}

TEST_F(ImporterResendTest, CoverageUnavailableIsSentAgain) {
  Start({});
  service_->RejectCoverage("s-3", 1);
  absl::Status status = Import(10, /*show_progress=*/false, /*refunded=*/{3, 5});
  ASSERT_TRUE(status.ok()) << status;
  // The refund of s-3 was rejected because s-3 was not stored yet, so it goes again with it.
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kAccepted), 10);
  EXPECT_EQ(tally_.count(kKindRefund, Outcome::kAccepted), 2);
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kRejected), 0);
  EXPECT_EQ(tally_.count(kKindRefund, Outcome::kRejected), 0);
  std::map<std::string, int> sends = service_->sends();
  EXPECT_EQ(sends["s-3"], 2);
  EXPECT_EQ(sends["r-3"], 2);
  EXPECT_EQ(sends["s-4"], 1);
  EXPECT_EQ(sends["r-5"], 1);
  EXPECT_EQ(service_->streams(), 2);
}

TEST_F(ImporterResendTest, CoverageUnavailableCountsOnLastAttempt) {
  Start({});
  service_->RejectCoverage("s-1", 10);
  absl::Status status = Import(4);
  ASSERT_TRUE(status.ok()) << status;
  // Three attempts, then the rejection is counted like any other, once.
  EXPECT_EQ(service_->sends()["s-1"], 3);
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kAccepted), 3);
  EXPECT_EQ(tally_.rejected(kKindSale, "coverage_unavailable"), 1);
}

TEST_F(ImporterResendTest, ResumesAfterCancelled) {
  Start({{.answered = 10, .status = grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")}});
  absl::Status status = Import(30);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(service_->streams(), 2);
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kAccepted), 30);
}

TEST_F(ImporterResendTest, StoredWithoutResultCountsOnce) {
  Start({{.answered = 10, .lost = 3}});
  absl::Status status = Import(40);
  ASSERT_TRUE(status.ok()) << status;
  // The three records stored without a result come back as duplicate on the resend. Every record
  // is counted once, by the first result the importer received for it.
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kAccepted), 37);
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kDuplicate), 3);
  std::map<std::string, int> stored = service_->stored();
  EXPECT_EQ(stored.size(), 40u);
  EXPECT_EQ(stored["s-9"], 1);
  EXPECT_EQ(stored["s-10"], 2);
  EXPECT_EQ(stored["s-12"], 2);
  EXPECT_EQ(stored["s-13"], 1);
}

TEST_F(ImporterResendTest, AttemptsResetAfterProgress) {
  // Two streams without results in a row stay within three attempts; the stream with results
  // between them starts the count again.
  Start({{.answered = 0}, {.answered = 0}, {.answered = 5}, {.answered = 0}, {.answered = 0}});
  absl::Status status = Import(20);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(service_->streams(), 6);
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kAccepted), 20);
}

TEST_F(ImporterResendTest, GivesUpAfterMaxAttempts) {
  Start({{.answered = 4}, {.answered = 0}, {.answered = 0}, {.answered = 0}});
  absl::Status status = Import(20);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), ::testing::HasSubstr("after 4 of 20 results"));
  EXPECT_THAT(status.message(), ::testing::HasSubstr("run the import again"));
  EXPECT_EQ(service_->streams(), 4);
  EXPECT_EQ(tally_.count(kKindSale, Outcome::kAccepted), 4);
}

TEST_F(ImporterResendTest, PrintsTheLastProgressLineOnceAfterReconnecting) {
  Start({{.answered = 10}, {.answered = 0}, {.answered = 25}});
  ::testing::internal::CaptureStderr();
  absl::Status status = Import(100, /*show_progress=*/true);
  const std::string errors = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_THAT(errors, ::testing::HasSubstr("reconnecting"));
  int last_lines = 0;
  for (size_t pos = errors.find("sales: 100/100 records"); pos != std::string::npos;
       pos = errors.find("sales: 100/100 records", pos + 1)) {
    if (errors.substr(pos, errors.find('\n', pos) - pos).find("overall") != std::string::npos) {
      ++last_lines;
    }
  }
  EXPECT_EQ(last_lines, 1) << errors;
}

TEST_F(ImporterResendTest, StopsOnNonRetryableStatus) {
  Start({{.answered = 4, .status = grpc::Status(grpc::StatusCode::INTERNAL, "broken")}});
  absl::Status status = Import(20);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), ::testing::HasSubstr("INTERNAL: broken"));
  EXPECT_EQ(service_->streams(), 1);
}

}  // namespace
}  // namespace consort::consortctl
