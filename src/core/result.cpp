#include "embarc/core/result.h"

namespace embarc {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kLimitExceeded: return "limit_exceeded";
    case ErrorCode::kCorruption: return "corruption";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kDatabase: return "database";
    case ErrorCode::kNetwork: return "network";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kCrypto: return "crypto";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace embarc
