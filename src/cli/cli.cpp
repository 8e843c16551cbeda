#include "embarc/cli/cli.h"

#include <cstdio>

namespace embarc::cli {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kLimitExceeded:
      return 2;
    case ErrorCode::kCorruption:
      return 3;
    case ErrorCode::kNetwork:
    case ErrorCode::kUnavailable:
      return 4;
    default:
      return 5;
  }
}

int Main(std::span<char*> argv) {
  (void)argv;
  std::fprintf(stderr, "embarc: not implemented yet\n");
  return 5;
}

}  // namespace embarc::cli
