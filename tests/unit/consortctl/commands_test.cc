#include "consortctl/commands.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

using ::testing::HasSubstr;

// Addresses on which nothing listens, so that every call fails fast with UNAVAILABLE.
ServiceAddresses Unreachable() {
  ServiceAddresses addresses;
  addresses.partner = "127.0.0.1:1";
  addresses.contract = "127.0.0.1:1";
  addresses.communication = "127.0.0.1:1";
  addresses.performance = "127.0.0.1:1";
  addresses.incentive = "127.0.0.1:1";
  return addresses;
}

RetryPolicy FastRetry() {
  RetryPolicy retry;
  retry.max_attempts = 1;
  retry.timeout = absl::Milliseconds(500);
  return retry;
}

TEST(ExportScorecards, RejectsUnknownFormat) {
  ServiceClients clients(Unreachable());
  std::ostringstream out, err;
  ExportOptions options;
  options.format = "xlsx";
  EXPECT_EQ(ExportScorecards(clients, FastRetry(), options, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("--format \"xlsx\" is invalid"));
  EXPECT_EQ(out.str(), "");
}

TEST(ExportCommissions, RejectsBadPeriod) {
  ServiceClients clients(Unreachable());
  std::ostringstream out, err;
  ExportOptions options;
  options.period = "2018-3";
  EXPECT_EQ(ExportCommissions(clients, FastRetry(), options, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("--period \"2018-3\" is invalid"));
}

TEST(ExportScorecards, ReportsUnreachableService) {
  ServiceClients clients(Unreachable());
  std::ostringstream out, err;
  EXPECT_EQ(ExportScorecards(clients, FastRetry(), ExportOptions(), out, err), kExitServiceFailure);
  EXPECT_THAT(err.str(), HasSubstr("ListScorecards at 127.0.0.1:1 failed: UNAVAILABLE"));
  EXPECT_EQ(out.str(), "");
}

TEST(WaitForQuiet, TimesOutWhenServicesAreDown) {
  ServiceClients clients(Unreachable());
  std::ostringstream err;
  WaitOptions options;
  options.timeout = absl::Seconds(1);
  options.poll_interval = absl::Milliseconds(100);
  EXPECT_EQ(WaitForQuiet(clients, FastRetry(), options, err), kExitTimeout);
  EXPECT_THAT(err.str(), HasSubstr("wait timed out after 1s;"));
}

TEST(WaitForQuiet, RejectsTimeoutBelowOneSecond) {
  ServiceClients clients(Unreachable());
  for (absl::Duration timeout : {absl::ZeroDuration(), absl::Milliseconds(999), absl::Hours(25)}) {
    std::ostringstream err;
    WaitOptions options;
    options.timeout = timeout;
    EXPECT_EQ(WaitForQuiet(clients, FastRetry(), options, err), kExitUsage) << timeout;
    EXPECT_THAT(err.str(), HasSubstr(absl::StrCat("--timeout ", absl::FormatDuration(timeout),
                                                  " is invalid; expected from 1s to 24h")));
    EXPECT_THAT(err.str(), ::testing::Not(HasSubstr("timed out")));
  }
}

TEST(PrintLeaderboard, RequiresPeriod) {
  ServiceClients clients(Unreachable());
  std::ostringstream out, err;
  EXPECT_EQ(PrintLeaderboard(clients, FastRetry(), "", 10, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("--period is missing"));
}

TEST(PrintBusiestMonth, ReportsUnreachableService) {
  ServiceClients clients(Unreachable());
  std::ostringstream out, err;
  EXPECT_EQ(PrintBusiestMonth(clients, FastRetry(), out, err), kExitServiceFailure);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace consort::consortctl
