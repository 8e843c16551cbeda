// splitmix64: the small deterministic generator the benchmark tools draw their inputs
// from, so that every run sees the same ones (not for keys).
#ifndef EMBARC_BENCH_TOOLS_RNG_H_
#define EMBARC_BENCH_TOOLS_RNG_H_

#include <cstdint>

namespace embarc::bench {

struct Rng {
  std::uint64_t s;
  std::uint64_t Next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }
};

}  // namespace embarc::bench

#endif  // EMBARC_BENCH_TOOLS_RNG_H_
