// A deliberately naive Merkle tree, transcribed from RFC 9162 §2.1 over a list of leaves:
// MTH, PATH and PROOF/SUBPROOF as recursive functions on slices, with the 0x00/0x01 prefixes
// written out here rather than borrowed from embarc::log. Quadratic and allocation-happy on
// purpose: it is the reference the stored-node implementation in src/log/merkle.cpp is
// compared against, so it must be obviously right, not fast.
#ifndef EMBARC_TESTS_SUPPORT_NAIVE_MERKLE_H_
#define EMBARC_TESTS_SUPPORT_NAIVE_MERKLE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/crypto/sha256.h"

namespace embarc::testing::naive {

using Digest = crypto::Sha256Digest;
using Leaves = std::span<const Bytes>;

inline Digest HashOf(const Bytes& data) { return crypto::Sha256(ByteView(data)); }

// "the largest power of two smaller than n (i.e., k < n <= 2k)"
inline std::size_t K(std::size_t n) {
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// MTH({}) = SHA-256(); MTH({d(0)}) = SHA-256(0x00 || d(0));
// MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
inline Digest Mth(Leaves d) {
  const std::size_t n = d.size();
  if (n == 0) return HashOf({});
  if (n == 1) {
    Bytes buf = {0x00};
    buf.insert(buf.end(), d[0].begin(), d[0].end());
    return HashOf(buf);
  }
  const std::size_t k = K(n);
  const Digest left = Mth(d.subspan(0, k));
  const Digest right = Mth(d.subspan(k));
  Bytes buf = {0x01};
  buf.insert(buf.end(), left.bytes.begin(), left.bytes.end());
  buf.insert(buf.end(), right.bytes.begin(), right.bytes.end());
  return HashOf(buf);
}

inline std::vector<Digest> Concat(std::vector<Digest> a, const Digest& b) {
  a.push_back(b);
  return a;
}

// PATH(0, {d(0)}) = {}
// PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])      for m < k
// PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])  for m >= k
inline std::vector<Digest> Path(std::size_t m, Leaves d) {
  const std::size_t n = d.size();
  if (n == 1) return {};
  const std::size_t k = K(n);
  if (m < k) return Concat(Path(m, d.subspan(0, k)), Mth(d.subspan(k)));
  return Concat(Path(m - k, d.subspan(k)), Mth(d.subspan(0, k)));
}

// SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
// SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])           for m <= k
// SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])   for m > k
inline std::vector<Digest> Subproof(std::size_t m, Leaves d, bool b) {
  const std::size_t n = d.size();
  if (m == n) return b ? std::vector<Digest>{} : std::vector<Digest>{Mth(d)};
  const std::size_t k = K(n);
  if (m <= k) return Concat(Subproof(m, d.subspan(0, k), b), Mth(d.subspan(k)));
  return Concat(Subproof(m - k, d.subspan(k), false), Mth(d.subspan(0, k)));
}

// PROOF(m, D[n]) = SUBPROOF(m, D[n], true)
inline std::vector<Digest> Proof(std::size_t m, Leaves d) { return Subproof(m, d, true); }

}  // namespace embarc::testing::naive

#endif  // EMBARC_TESTS_SUPPORT_NAIVE_MERKLE_H_
