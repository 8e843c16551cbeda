// `embarc export` and `embarc verify-bundle` (DESIGN.md §3), kept apart from cli.cpp. The
// command table in cli.cpp passes the parsed command line through CommandLine.
#ifndef EMBARC_SRC_CLI_EXPORT_COMMANDS_H_
#define EMBARC_SRC_CLI_EXPORT_COMMANDS_H_

#include <map>
#include <string>
#include <vector>

#include "embarc/core/result.h"

namespace embarc::cli {

struct CommandLine {
  std::string archive_dir;
  std::vector<std::string> args;                          // positional arguments
  std::map<std::string, std::vector<std::string>> flags;  // command flags with their values
  bool json = false;
};

// export --out FILE [--format wacz|jsonl|csv] (--post URL... | --article URL... | --since T | --until T | --all)
[[nodiscard]] Result<int> RunExportCommand(const CommandLine& c);
// verify-bundle FILE.wacz: exit 0 when every check passes, else kCorruption naming the first failure.
[[nodiscard]] Result<int> RunVerifyBundleCommand(const CommandLine& c);

}  // namespace embarc::cli

#endif  // EMBARC_SRC_CLI_EXPORT_COMMANDS_H_
