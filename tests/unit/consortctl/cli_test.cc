// CommandLine::Parse: exit codes and messages of the command line, without any service.

#include "consortctl/cli.h"

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace consort::consortctl {
namespace {

using ::testing::HasSubstr;

struct ParseResult {
  std::optional<int> exit_code;
  std::string out;
  std::string err;
};

ParseResult Parse(CommandLine& command_line, std::vector<std::string> args) {
  args.insert(args.begin(), "consortctl");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out, err;
  ParseResult result;
  result.exit_code = command_line.Parse(static_cast<int>(argv.size()), argv.data(), out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

ParseResult Parse(std::vector<std::string> args) {
  CommandLine command_line;
  return Parse(command_line, std::move(args));
}

TEST(CommandLine, NamesUnknownSubcommand) {
  ParseResult result = Parse({"frobnicate"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("unknown subcommand \"frobnicate\""));
  EXPECT_THAT(result.err,
              HasSubstr("expected one of: import, export, wait, leaderboard, busiest-month, "
                        "generate"));
}

TEST(CommandLine, NamesUnknownNestedSubcommand) {
  ParseResult result = Parse({"import", "foo", "/tmp"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("unknown subcommand \"foo\" of consortctl import"));
  EXPECT_THAT(result.err, HasSubstr("expected one of: olist"));
}

TEST(CommandLine, ListsSubcommandsWhenMissing) {
  ParseResult result = Parse({"export"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("consortctl export needs a subcommand"));
  EXPECT_THAT(result.err, HasSubstr("expected one of: scorecards, commissions"));

  result = Parse({});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_THAT(result.err, HasSubstr("consortctl needs a subcommand"));
}

// Each of these is a different CLI11 error with its own CLI11 exit code; all exit with 2.
TEST(CommandLine, ExitsWithTwoOnErrors) {
  const std::vector<std::vector<std::string>> cases = {
      {"--bogus", "wait"},                                     // ExtrasError
      {"leaderboard"},                                         // RequiredError: --period
      {"leaderboard", "--period", "2018-01", "--limit", "0"},  // ValidationError
      {"leaderboard", "--period", "2018-01", "--limit", "x"},  // not a number
      {"wait", "--timeout"},                                   // ArgumentMismatch
      {"import", "olist", "/nonexistent/consortctl-test"},     // ValidationError on dir
      {"wait", "extra"},                                       // ExtrasError in a subcommand
  };
  for (const std::vector<std::string>& args : cases) {
    ParseResult result = Parse(args);
    EXPECT_EQ(result.exit_code, kExitUsage) << ::testing::PrintToString(args);
    EXPECT_FALSE(result.err.empty()) << ::testing::PrintToString(args);
  }
}

TEST(CommandLine, HelpExitsWithZero) {
  ParseResult result = Parse({"--help"});
  EXPECT_EQ(result.exit_code, kExitOk);
  EXPECT_THAT(result.out, HasSubstr("Usage"));

  result = Parse({"wait", "--help"});
  EXPECT_EQ(result.exit_code, kExitOk);
  EXPECT_THAT(result.out, HasSubstr("--timeout"));
}

TEST(CommandLine, RejectsWaitTimeoutOutOfRange) {
  for (const char* value : {"0", "0.5", "-3", "abc", "86401"}) {
    ParseResult result = Parse({"wait", "--timeout", value});
    EXPECT_EQ(result.exit_code, kExitUsage) << value;
    EXPECT_THAT(result.err, HasSubstr(absl::StrCat("--timeout: \"", value, "\" is invalid")))
        << value;
    EXPECT_THAT(result.err, HasSubstr("expected a number of seconds from 1 to 86400")) << value;
  }
}

TEST(CommandLine, AcceptsWaitTimeoutInRange) {
  CommandLine command_line;
  ParseResult result = Parse(command_line, {"wait", "--timeout", "1"});
  EXPECT_EQ(result.exit_code, std::nullopt) << result.err;
  EXPECT_EQ(command_line.wait_timeout_seconds(), 1);

  CommandLine defaults;
  result = Parse(defaults, {"wait"});
  EXPECT_EQ(result.exit_code, std::nullopt) << result.err;
  EXPECT_EQ(defaults.wait_timeout_seconds(), 300);
}

TEST(CommandLine, ReadsImportFlags) {
  CommandLine command_line;
  ParseResult result = Parse(command_line, {"import", "olist", ".", "--currency", "EUR",
                                            "--no-region-from-seller", "--extra-region", "SP"});
  EXPECT_EQ(result.exit_code, std::nullopt) << result.err;
  EXPECT_EQ(command_line.import_options().currency, "EUR");
  EXPECT_FALSE(command_line.import_options().region_from_seller);
  EXPECT_THAT(command_line.import_options().extra_regions, ::testing::ElementsAre("SP"));
}

}  // namespace
}  // namespace consort::consortctl
