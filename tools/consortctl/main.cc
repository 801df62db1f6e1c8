// consortctl: the command-line client of the Consort services. See README.md for the commands.

#include <iostream>
#include <optional>

#include "consortctl/cli.h"

int main(int argc, char** argv) {
  consort::consortctl::CommandLine command_line;
  if (std::optional<int> exit_code = command_line.Parse(argc, argv, std::cout, std::cerr)) {
    return *exit_code;
  }
  return command_line.Run();
}
