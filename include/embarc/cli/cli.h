// The command line: a table of commands and one error path.
#ifndef EMBARC_CLI_CLI_H_
#define EMBARC_CLI_CLI_H_

#include <span>

#include "embarc/core/result.h"

namespace embarc::cli {

// Runs one command line and returns the process exit code (DESIGN.md §3).
// Prints results to stdout; on failure prints one line "embarc: <message>" to stderr.
int Main(std::span<char*> argv);

// kCorruption -> 3, kInvalidArgument/kNotFound/kLimitExceeded -> 2, kNetwork/kUnavailable -> 4, else 5.
int ExitCodeFor(ErrorCode code);

}  // namespace embarc::cli

#endif  // EMBARC_CLI_CLI_H_
