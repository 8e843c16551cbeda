// Result<T>: the return type of every fallible function in embarc.
//
// An Error carries a code from a closed list and one human-readable line.
// The CLI maps codes to exit codes (see DESIGN.md §3):
//   kInvalidArgument, kNotFound, kLimitExceeded -> 2   (bad usage or bad input)
//   kCorruption                                  -> 3   (tampering, bad signature/proof)
//   kNetwork, kUnavailable                       -> 4   (captures failed)
//   everything else                              -> 5   (internal error)
#ifndef EMBARC_CORE_RESULT_H_
#define EMBARC_CORE_RESULT_H_

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace embarc {

enum class ErrorCode {
  kInvalidArgument,     // bad usage or malformed input
  kNotFound,            // a named thing does not exist
  kLimitExceeded,       // a hostile-input limit was hit
  kCorruption,          // stored bytes, hashes, signatures or proofs do not match
  kIo,                  // the filesystem failed
  kDatabase,            // SQLite failed
  kNetwork,             // a fetch failed (DNS, TLS, reset, timeout)
  kUnavailable,         // some captures could not be completed
  kCrypto,              // OpenSSL failed (not a bad signature: that is kCorruption)
  kFailedPrecondition,  // the archive is not in a state that allows the operation
  kInternal,            // a bug
};

// Short stable name of a code ("corruption", "io", ...), for messages and JSON.
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

// `return Fail(ErrorCode::kIo, "read x: ...");` from any function returning Result<T>.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// Prefixes the message of an error with context, keeping its code.
inline tl::unexpected<Error> WithContext(const Error& e, const std::string& context) {
  return tl::unexpected<Error>(Error{e.code, context + ": " + e.message});
}

inline Result<void> Ok() { return {}; }

}  // namespace embarc

#define EMBARC_CONCAT_INNER_(a, b) a##b
#define EMBARC_CONCAT_(a, b) EMBARC_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Result<...>) from the enclosing function.
#define EMBARC_RETURN_IF_ERROR(expr)                                  \
  do {                                                                \
    auto&& embarc_result_ = (expr);                                   \
    if (!embarc_result_) return ::tl::unexpected(embarc_result_.error()); \
  } while (false)

// `EMBARC_ASSIGN_OR_RETURN(Type name, expr);` declares `name` from a successful
// Result or returns its error.
#define EMBARC_ASSIGN_OR_RETURN(lhs, expr) \
  EMBARC_ASSIGN_OR_RETURN_IMPL_(EMBARC_CONCAT_(embarc_r_, __LINE__), lhs, expr)
#define EMBARC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)    \
  auto tmp = (expr);                                     \
  if (!tmp) return ::tl::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)

#endif  // EMBARC_CORE_RESULT_H_
