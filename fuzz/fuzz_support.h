// Shared by the libFuzzer harnesses: the entry point libFuzzer calls, and a check that stops
// the run (a crash libFuzzer keeps as an input) when a property of the code under test fails.
#ifndef EMBARC_FUZZ_FUZZ_SUPPORT_H_
#define EMBARC_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace embarc::fuzz {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Aborts with a message (libFuzzer and the replay driver report it as a crash).
[[noreturn]] inline void PropertyFailed(const char* what) {
  std::fprintf(stderr, "fuzz property failed: %s\n", what);
  std::abort();
}

#define EMBARC_FUZZ_CHECK(cond) \
  do {                          \
    if (!(cond)) ::embarc::fuzz::PropertyFailed(#cond); \
  } while (0)

}  // namespace embarc::fuzz

#endif  // EMBARC_FUZZ_FUZZ_SUPPORT_H_
