#include "embarc/log/merkle.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support/naive_merkle.h"
#include "support/support.h"

using namespace embarc;
using embarc::log::FileNodeStore;
using embarc::log::Hash;
using embarc::log::MemoryNodeStore;
using embarc::log::MerkleTree;
namespace naive = embarc::testing::naive;

namespace {

Hash H(std::string_view hex) {
  auto h = Hash::FromHex(hex);
  REQUIRE(h);
  return *h;
}

std::vector<Hash> Hs(std::initializer_list<std::string_view> hexes) {
  std::vector<Hash> out;
  for (auto h : hexes) out.push_back(H(h));
  return out;
}

// Distinct leaves of varied lengths (including empty), reproducible.
std::vector<Bytes> MakeLeaves(std::size_t n, std::uint32_t seed = 7) {
  std::mt19937 rng(seed);
  std::vector<Bytes> leaves;
  for (std::size_t i = 0; i < n; ++i) {
    Bytes b = ToBytes("leaf-" + std::to_string(i) + "-");
    const std::size_t extra = rng() % 40;
    for (std::size_t j = 0; j < extra; ++j) b.push_back(static_cast<std::uint8_t>(rng()));
    leaves.push_back(std::move(b));
  }
  leaves[0].clear();
  return leaves;
}

MerkleTree OpenTree(log::NodeStore& store) {
  auto tree = MerkleTree::Open(store);
  REQUIRE(tree);
  return std::move(*tree);
}

void AppendAll(MerkleTree& tree, const std::vector<Bytes>& leaves) {
  for (const Bytes& leaf : leaves) {
    auto idx = tree.Append(log::LeafHash(leaf));
    REQUIRE(idx);
  }
}

Hash Flip(Hash h, std::size_t byte = 0) {
  h.bytes[byte] ^= 0x01;
  return h;
}

std::span<const Bytes> Prefix(const std::vector<Bytes>& leaves, std::size_t n) {
  return std::span<const Bytes>(leaves).subspan(0, n);
}

// Forwards to another store and counts node reads, to assert O(log n) access without timing.
class CountingNodeStore final : public log::NodeStore {
 public:
  explicit CountingNodeStore(log::NodeStore& inner) : inner_(inner) {}
  std::uint64_t LevelSize(std::uint32_t level) const override { return inner_.LevelSize(level); }
  Result<Hash> Get(std::uint32_t level, std::uint64_t index) const override {
    ++reads_;
    return inner_.Get(level, index);
  }
  Result<void> Put(std::uint32_t level, std::uint64_t index, const Hash& hash) override {
    return inner_.Put(level, index, hash);
  }
  Result<void> Truncate(std::uint64_t tree_size) override { return inner_.Truncate(tree_size); }
  std::uint64_t reads() const { return reads_; }
  void Reset() { reads_ = 0; }

 private:
  log::NodeStore& inner_;
  mutable std::uint64_t reads_ = 0;
};

// Forwards to another store but fails every Put below `fail_below_level` once armed: a crash
// part-way through Append(), which writes the highest level first.
class FailingNodeStore final : public log::NodeStore {
 public:
  explicit FailingNodeStore(log::NodeStore& inner) : inner_(inner) {}
  std::uint64_t LevelSize(std::uint32_t level) const override { return inner_.LevelSize(level); }
  Result<Hash> Get(std::uint32_t level, std::uint64_t index) const override { return inner_.Get(level, index); }
  Result<void> Put(std::uint32_t level, std::uint64_t index, const Hash& hash) override {
    if (armed_ && level < fail_below_level_) return Fail(ErrorCode::kIo, "injected write failure");
    return inner_.Put(level, index, hash);
  }
  Result<void> Truncate(std::uint64_t tree_size) override { return inner_.Truncate(tree_size); }
  void Arm(std::uint32_t fail_below_level) {
    armed_ = true;
    fail_below_level_ = fail_below_level;
  }

 private:
  log::NodeStore& inner_;
  bool armed_ = false;
  std::uint32_t fail_below_level_ = 0;
};

class VectorHashReader final : public log::HashReader {
 public:
  explicit VectorHashReader(std::vector<Hash> hashes) : hashes_(std::move(hashes)) {}
  Result<Hash> LeafHashAt(std::uint64_t index) const override {
    if (index >= hashes_.size()) return Fail(ErrorCode::kNotFound, "no leaf");
    return hashes_[index];
  }

 private:
  std::vector<Hash> hashes_;
};

std::uint64_t FileSize(const std::filesystem::path& p) { return std::filesystem::file_size(p); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Known answers

TEST_CASE("merkle: leaf, node and empty hashes use the RFC 9162 prefixes", "[merkle]") {
  CHECK(log::EmptyRoot().Hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // SHA-256(0x00) and SHA-256(0x00 0x00).
  CHECK(log::LeafHash(ByteView()).Hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  const Bytes zero = {0x00};
  CHECK(log::LeafHash(zero).Hex() == "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  // node = SHA-256(0x01 || l || r): the 2-leaf root of the vectors below.
  CHECK(log::NodeHash(log::LeafHash(ByteView()), log::LeafHash(zero)).Hex() ==
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
  MemoryNodeStore store;
  MerkleTree tree = OpenTree(store);
  CHECK(tree.size() == 0);
  CHECK(*tree.Root() == log::EmptyRoot());
}

namespace {

// The RFC 6962 / transparency-dev test tree.
std::vector<Bytes> VectorLeaves() {
  std::vector<Bytes> out;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(*HexDecode(hex));
  }
  return out;
}

}  // namespace

TEST_CASE("merkle: roots of the transparency-dev 8-leaf tree", "[merkle]") {
  const std::vector<std::string_view> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  const std::vector<Bytes> leaves = VectorLeaves();
  MemoryNodeStore store;
  MerkleTree tree = OpenTree(store);
  for (std::size_t n = 1; n <= 8; ++n) {
    REQUIRE(tree.Append(log::LeafHash(leaves[n - 1])));
    CHECK(tree.Root()->Hex() == roots[n - 1]);           // as the tree grows
    CHECK(naive::Mth(Prefix(leaves, n)).Hex() == roots[n - 1]);
  }
  for (std::size_t n = 1; n <= 8; ++n) CHECK(tree.RootAt(n)->Hex() == roots[n - 1]);  // from the full tree
}

TEST_CASE("merkle: transparency-dev inclusion and consistency vectors", "[merkle]") {
  const std::vector<Bytes> leaves = VectorLeaves();
  MemoryNodeStore store;
  MerkleTree tree = OpenTree(store);
  AppendAll(tree, leaves);

  struct Incl {
    std::uint64_t index, size;
    std::vector<Hash> proof;
  };
  // proofgen numbers leaves from 1; these are 0-based.
  const std::vector<Incl> incl = {
      {0, 8, Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8, Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, Hs({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5, Hs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const Incl& v : incl) {
    INFO("index " << v.index << " size " << v.size);
    auto proof = tree.InclusionProof(v.index, v.size);
    REQUIRE(proof);
    CHECK(*proof == v.proof);
    CHECK(naive::Path(v.index, Prefix(leaves, v.size)) == v.proof);
    CHECK(log::VerifyInclusion(v.index, v.size, log::LeafHash(leaves[v.index]), v.proof, *tree.RootAt(v.size)));
  }

  struct Cons {
    std::uint64_t old_size, new_size;
    std::vector<Hash> proof;
  };
  const std::vector<Cons> cons = {
      {1, 8, Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8, Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5, Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 7, Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                 "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const Cons& v : cons) {
    INFO("old " << v.old_size << " new " << v.new_size);
    auto proof = tree.ConsistencyProof(v.old_size, v.new_size);
    REQUIRE(proof);
    CHECK(*proof == v.proof);
    CHECK(naive::Proof(v.old_size, Prefix(leaves, v.new_size)) == v.proof);
    CHECK(log::VerifyConsistency(v.old_size, v.new_size, *tree.RootAt(v.old_size), *tree.RootAt(v.new_size), v.proof));
    std::vector<Hash> short_proof(v.proof.begin(), v.proof.end() - 1);
    CHECK_FALSE(log::VerifyConsistency(v.old_size, v.new_size, *tree.RootAt(v.old_size), *tree.RootAt(v.new_size),
                                       short_proof));
  }
}

// ---------------------------------------------------------------------------------------------
// Against the naive reference

TEST_CASE("merkle: every root, and sampled proofs, match the naive RFC 9162 reference for sizes 1..300",
          "[merkle]") {
  constexpr std::size_t kMax = 300;
  const std::vector<Bytes> leaves = MakeLeaves(kMax);
  MemoryNodeStore store;
  MerkleTree tree = OpenTree(store);
  AppendAll(tree, leaves);
  std::mt19937_64 rng(42);
  std::size_t inclusion_checked = 0;
  std::size_t consistency_checked = 0;

  for (std::size_t n = 1; n <= kMax; ++n) {
    const auto d = Prefix(leaves, n);
    const Hash root = naive::Mth(d);
    REQUIRE(*tree.RootAt(n) == root);

    std::set<std::size_t> indexes;
    if (n <= 64) {
      for (std::size_t i = 0; i < n; ++i) indexes.insert(i);
    } else {
      indexes = {0, n / 2, n - 1};
      while (indexes.size() < 10) indexes.insert(rng() % n);
    }
    for (std::size_t i : indexes) {
      INFO("index " << i << " size " << n);
      auto proof = tree.InclusionProof(i, n);
      REQUIRE(proof);
      REQUIRE(*proof == naive::Path(i, d));
      REQUIRE(log::VerifyInclusion(i, n, log::LeafHash(leaves[i]), *proof, root));
      ++inclusion_checked;
    }

    std::set<std::size_t> olds = {1, n, n / 2 == 0 ? 1 : n / 2, n > 1 ? n - 1 : 1};
    for (std::size_t p = 1; p <= n; p *= 2) olds.insert(p);
    while (olds.size() < std::min<std::size_t>(n, 12)) olds.insert(1 + rng() % n);
    for (std::size_t m : olds) {
      INFO("old " << m << " new " << n);
      auto proof = tree.ConsistencyProof(m, n);
      REQUIRE(proof);
      REQUIRE(*proof == naive::Proof(m, d));
      REQUIRE(log::VerifyConsistency(m, n, naive::Mth(Prefix(leaves, m)), root, *proof));
      ++consistency_checked;
    }
  }
  CHECK(inclusion_checked > 4000);
  CHECK(consistency_checked > 3000);
}

TEST_CASE("merkle: RootFromLeaves over a HashReader matches the naive root", "[merkle]") {
  const std::vector<Bytes> leaves = MakeLeaves(130);
  std::vector<Hash> hashes;
  for (const Bytes& l : leaves) hashes.push_back(log::LeafHash(l));
  const VectorHashReader reader(hashes);
  for (std::size_t n = 0; n <= leaves.size(); ++n) {
    auto root = log::RootFromLeaves(reader, n);
    REQUIRE(root);
    CHECK(*root == naive::Mth(Prefix(leaves, n)));
  }
  auto missing = log::RootFromLeaves(reader, leaves.size() + 1);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Tampering

TEST_CASE("merkle: tampered inclusion proofs fail verification", "[merkle]") {
  const std::vector<Bytes> leaves = MakeLeaves(64);
  MemoryNodeStore store;
  MerkleTree tree = OpenTree(store);
  AppendAll(tree, leaves);
  std::size_t wrong_size_checked = 0;
  for (std::uint64_t n = 1; n <= 64; ++n) {
    const Hash root = *tree.RootAt(n);
    for (std::uint64_t i = 0; i < n; ++i) {
      INFO("index " << i << " size " << n);
      const Hash leaf = log::LeafHash(leaves[i]);
      const std::vector<Hash> proof = *tree.InclusionProof(i, n);
      REQUIRE(log::VerifyInclusion(i, n, leaf, proof, root));

      for (std::size_t k = 0; k < proof.size(); ++k) {
        std::vector<Hash> bad = proof;
        bad[k] = Flip(bad[k], k % 32);
        auto r = log::VerifyInclusion(i, n, leaf, bad, root);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::kCorruption);
      }
      CHECK_FALSE(log::VerifyInclusion(i, n, Flip(leaf), proof, root));
      CHECK_FALSE(log::VerifyInclusion(i, n, leaf, proof, Flip(root, 31)));
      if (i + 1 < n) CHECK_FALSE(log::VerifyInclusion(i + 1, n, leaf, proof, root));
      if (i > 0) CHECK_FALSE(log::VerifyInclusion(i - 1, n, leaf, proof, root));
      if (!proof.empty()) {
        std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
        auto r = log::VerifyInclusion(i, n, leaf, truncated, root);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::kCorruption);
      }
      std::vector<Hash> extra = proof;
      extra.push_back(root);
      CHECK_FALSE(log::VerifyInclusion(i, n, leaf, extra, root));
      // A proof commits to its tree size only through the root: another size whose path has
      // the same shape computes the same hash. Every size with a different path length fails.
      for (std::uint64_t other : {n - 1, n + 1, 2 * n, n + 3}) {
        if (other <= i || other == n || other > 64) continue;
        if (naive::Path(i, Prefix(leaves, other)).size() == proof.size()) continue;
        CHECK_FALSE(log::VerifyInclusion(i, other, leaf, proof, root));
        ++wrong_size_checked;
      }
    }
  }
  CHECK(wrong_size_checked > 100);
}

TEST_CASE("merkle: tampered consistency proofs fail verification", "[merkle]") {
  const std::vector<Bytes> leaves = MakeLeaves(48);
  MemoryNodeStore store;
  MerkleTree tree = OpenTree(store);
  AppendAll(tree, leaves);
  for (std::uint64_t n = 2; n <= 48; ++n) {
    const Hash new_root = *tree.RootAt(n);
    for (std::uint64_t m = 1; m < n; ++m) {
      INFO("old " << m << " new " << n);
      const Hash old_root = *tree.RootAt(m);
      const std::vector<Hash> proof = *tree.ConsistencyProof(m, n);
      REQUIRE(log::VerifyConsistency(m, n, old_root, new_root, proof));
      for (std::size_t k = 0; k < proof.size(); ++k) {
        std::vector<Hash> bad = proof;
        bad[k] = Flip(bad[k], 31 - k % 32);
        auto r = log::VerifyConsistency(m, n, old_root, new_root, bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::kCorruption);
      }
      CHECK_FALSE(log::VerifyConsistency(m, n, Flip(old_root), new_root, proof));
      CHECK_FALSE(log::VerifyConsistency(m, n, old_root, Flip(new_root), proof));
      CHECK_FALSE(log::VerifyConsistency(m, n, new_root, old_root, proof));
      std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
      CHECK_FALSE(log::VerifyConsistency(m, n, old_root, new_root, truncated));
      std::vector<Hash> extra = proof;
      extra.push_back(new_root);
      CHECK_FALSE(log::VerifyConsistency(m, n, old_root, new_root, extra));
      CHECK_FALSE(log::VerifyConsistency(m, n, old_root, new_root, {}));
      if (m + 1 < n) CHECK_FALSE(log::VerifyConsistency(m + 1, n, old_root, new_root, proof));
      if (m > 1) CHECK_FALSE(log::VerifyConsistency(m - 1, n, old_root, new_root, proof));
    }
  }
}

TEST_CASE("merkle: argument errors", "[merkle]") {
  const std::vector<Bytes> leaves = MakeLeaves(10);
  MemoryNodeStore store;
  MerkleTree tree = OpenTree(store);
  AppendAll(tree, leaves);
  const Hash root = *tree.Root();
  const Hash leaf = log::LeafHash(leaves[0]);
  auto code = [](const auto& r) { return r.error().code; };

  auto r1 = tree.InclusionProof(10, 10);
  REQUIRE_FALSE(r1);
  CHECK(code(r1) == ErrorCode::kInvalidArgument);
  CHECK(code(tree.InclusionProof(0, 11)) == ErrorCode::kInvalidArgument);
  CHECK(code(tree.InclusionProof(0, 0)) == ErrorCode::kInvalidArgument);
  CHECK(code(tree.RootAt(11)) == ErrorCode::kInvalidArgument);
  CHECK(*tree.RootAt(0) == log::EmptyRoot());
  CHECK(code(tree.ConsistencyProof(0, 5)) == ErrorCode::kInvalidArgument);
  CHECK(code(tree.ConsistencyProof(6, 5)) == ErrorCode::kInvalidArgument);
  CHECK(code(tree.ConsistencyProof(5, 11)) == ErrorCode::kInvalidArgument);
  CHECK(tree.ConsistencyProof(7, 7)->empty());
  CHECK(code(tree.Truncate(11)) == ErrorCode::kInvalidArgument);

  CHECK(code(log::VerifyInclusion(10, 10, leaf, {}, root)) == ErrorCode::kInvalidArgument);
  CHECK(code(log::VerifyInclusion(0, 0, leaf, {}, root)) == ErrorCode::kInvalidArgument);
  CHECK(code(log::VerifyConsistency(0, 10, log::EmptyRoot(), root, {})) == ErrorCode::kInvalidArgument);
  CHECK(code(log::VerifyConsistency(0, 0, log::EmptyRoot(), log::EmptyRoot(), {})) == ErrorCode::kInvalidArgument);
  CHECK(code(log::VerifyConsistency(6, 5, root, root, {})) == ErrorCode::kInvalidArgument);

  // Equal sizes: empty proof and equal roots, nothing else.
  CHECK(log::VerifyConsistency(10, 10, root, root, {}));
  const std::vector<Hash> one = {root};
  CHECK(code(log::VerifyConsistency(10, 10, root, root, one)) == ErrorCode::kCorruption);
  CHECK(code(log::VerifyConsistency(10, 10, root, Flip(root), {})) == ErrorCode::kCorruption);
  // A one-leaf tree: the proof is empty and the root is the leaf hash.
  CHECK(log::VerifyInclusion(0, 1, leaf, {}, leaf));
  CHECK(tree.InclusionProof(0, 1)->empty());

  // The store accepts only the next index of a level.
  MemoryNodeStore s;
  CHECK(code(s.Put(0, 1, leaf)) == ErrorCode::kInvalidArgument);
  CHECK(code(s.Put(log::kMaxLevels, 0, leaf)) == ErrorCode::kInvalidArgument);
  CHECK(code(s.Get(0, 0)) == ErrorCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Independent cross-check with the Python reference

TEST_CASE("merkle: roots and proofs agree with /work/shared/tools/rfc9162_check.py", "[merkle]") {
  constexpr std::size_t kLeaves = 70;
  const std::vector<Bytes> leaves = MakeLeaves(kLeaves, 99);
  embarc::testing::TempDir dir;
  const auto leaves_path = dir.path() / "leaves.txt";
  {
    std::ofstream out(leaves_path);
    for (const Bytes& l : leaves) out << HexEncode(l) << "\n";
  }
  // -B: importing must not write __pycache__ into the shared tools directory.
  const std::string script = R"PY(
import sys
sys.path.insert(0, sys.argv[1])
import rfc9162_check as r
leaves = [bytes.fromhex(x) for x in open(sys.argv[2]).read().split("\n")[:-1]]
j = lambda hs: ",".join(h.hex() for h in hs) or "-"
for n in range(1, len(leaves) + 1):
    D = leaves[:n]
    print("root", n, r.mth(D).hex())
    for m in range(n):
        if m in (0, n - 1) or (m * 7 + n) % 5 == 0:
            print("path", m, n, j(r.path(m, D)))
    for m in range(1, n):
        if m in (1, n - 1) or (m & (m - 1)) == 0 or (m * 3 + n) % 7 == 0:
            print("proof", m, n, j(r.proof(m, D)))
)PY";
  const auto result = embarc::testing::RunCommand(
      {"python3", "-B", "-c", script, std::string(EMBARC_SHARED_DIR) + "/tools", leaves_path.string()});
  if (result.exit_code == 127) {
    WARN("python3 not found; skipping the cross-check with rfc9162_check.py");
    return;
  }
  INFO(result.err);
  REQUIRE(result.exit_code == 0);

  MemoryNodeStore store;
  MerkleTree tree = OpenTree(store);
  AppendAll(tree, leaves);
  auto join = [](const std::vector<Hash>& hs) {
    std::string s;
    for (const Hash& h : hs) s += (s.empty() ? "" : ",") + h.Hex();
    return s.empty() ? std::string("-") : s;
  };
  std::istringstream lines(result.out);
  std::string line;
  std::map<std::string, int> seen;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string kind;
    f >> kind;
    INFO(line);
    if (kind == "root") {
      std::uint64_t n = 0;
      std::string hex;
      f >> n >> hex;
      CHECK(tree.RootAt(n)->Hex() == hex);
    } else if (kind == "path") {
      std::uint64_t m = 0, n = 0;
      std::string hexes;
      f >> m >> n >> hexes;
      CHECK(join(*tree.InclusionProof(m, n)) == hexes);
    } else if (kind == "proof") {
      std::uint64_t m = 0, n = 0;
      std::string hexes;
      f >> m >> n >> hexes;
      CHECK(join(*tree.ConsistencyProof(m, n)) == hexes);
    } else {
      continue;  // the module's own "all ... vectors OK" line
    }
    ++seen[kind];
  }
  CHECK(seen["root"] == static_cast<int>(kLeaves));
  CHECK(seen["path"] > 500);
  CHECK(seen["proof"] > 500);
}

// ---------------------------------------------------------------------------------------------
// FileNodeStore

TEST_CASE("merkle: FileNodeStore survives reopening with the same roots and proofs", "[merkle]") {
  embarc::testing::TempDir dir;
  const auto store_dir = dir.path() / "nodes";
  const std::vector<Bytes> leaves = MakeLeaves(1000, 3);
  MemoryNodeStore mem;
  MerkleTree reference = OpenTree(mem);
  AppendAll(reference, leaves);

  std::vector<std::vector<Hash>> proofs;
  {
    auto store = FileNodeStore::Open(store_dir);
    REQUIRE(store);
    MerkleTree tree = OpenTree(*store);
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      auto idx = tree.Append(log::LeafHash(leaves[i]));
      REQUIRE(idx);
      CHECK(*idx == i);
    }
    REQUIRE(store->Sync());
    CHECK(*tree.Root() == *reference.Root());
  }
  // One file per level, 32 bytes per complete subtree: 1000, 500, 250, 125, 62, 31, 15, 7, 3, 1.
  std::uint64_t expect = 1000;
  for (std::uint32_t level = 0; level < 10; ++level, expect /= 2) {
    CHECK(FileSize(store_dir / ("level-" + std::to_string(level) + ".bin")) == expect * 32);
  }
  CHECK_FALSE(std::filesystem::exists(store_dir / "level-10.bin"));

  auto store = FileNodeStore::Open(store_dir);
  REQUIRE(store);
  MerkleTree tree = OpenTree(*store);
  REQUIRE(tree.size() == 1000);
  CHECK(*tree.Root() == *reference.Root());
  for (std::uint64_t n : {1, 2, 3, 511, 512, 513, 999, 1000}) CHECK(*tree.RootAt(n) == *reference.RootAt(n));
  for (std::uint64_t i : {0, 1, 255, 256, 500, 998, 999}) {
    CHECK(*tree.InclusionProof(i, 1000) == *reference.InclusionProof(i, 1000));
    if (i < 999) CHECK(*tree.InclusionProof(i, 999) == *reference.InclusionProof(i, 999));
  }
  for (std::uint64_t m : {1, 7, 256, 500, 999}) {
    CHECK(*tree.ConsistencyProof(m, 1000) == *reference.ConsistencyProof(m, 1000));
  }
  // Appending after reopening continues the same tree.
  const std::vector<Bytes> more = MakeLeaves(37, 4);
  AppendAll(tree, more);
  AppendAll(reference, more);
  CHECK(*tree.Root() == *reference.Root());
  CHECK(*tree.InclusionProof(1020, 1037) == *reference.InclusionProof(1020, 1037));
}

TEST_CASE("merkle: FileNodeStore::GetRange reads what Get reads, and only what is stored", "[merkle]") {
  embarc::testing::TempDir dir;
  const auto store_dir = dir.path() / "nodes";
  auto store = FileNodeStore::Open(store_dir);
  REQUIRE(store);
  MerkleTree tree = OpenTree(*store);
  AppendAll(tree, MakeLeaves(300));
  for (std::uint32_t level : {0u, 1u, 4u}) {
    const std::uint64_t size = store->LevelSize(level);
    for (auto [begin, count] : {std::pair<std::uint64_t, std::uint64_t>{0, size}, {1, size - 2}, {size - 1, 1}, {5, 0}}) {
      INFO("level " << level << " [" << begin << ", +" << count << ")");
      auto range = store->GetRange(level, begin, count);
      REQUIRE(range);
      REQUIRE(range->size() == count);
      for (std::uint64_t i = 0; i < count; ++i) CHECK((*range)[i] == *store->Get(level, begin + i));
    }
    auto past = store->GetRange(level, size - 1, 2);
    REQUIRE_FALSE(past);
    CHECK(past.error().code == ErrorCode::kNotFound);
  }
  auto no_level = store->GetRange(40, 0, 1);
  REQUIRE_FALSE(no_level);
  CHECK(no_level.error().code == ErrorCode::kNotFound);
}

TEST_CASE("merkle: FileNodeStore rejects level files of the wrong size", "[merkle]") {
  embarc::testing::TempDir dir;
  const auto store_dir = dir.path() / "nodes";
  {
    auto store = FileNodeStore::Open(store_dir);
    REQUIRE(store);
    MerkleTree tree = OpenTree(*store);
    AppendAll(tree, MakeLeaves(100));
  }
  const auto level1 = store_dir / "level-1.bin";
  const auto level2 = store_dir / "level-2.bin";
  auto open_code = [&] {
    auto s = FileNodeStore::Open(store_dir);
    return s ? std::optional<ErrorCode>() : std::optional<ErrorCode>(s.error().code);
  };
  REQUIRE_FALSE(open_code().has_value());

  SECTION("a partial entry") {
    std::filesystem::resize_file(level2, FileSize(level2) + 5);
    CHECK(open_code() == ErrorCode::kCorruption);
    CHECK(FileSize(level2) == 25 * 32 + 5);  // Open repairs nothing
  }
  SECTION("a level one entry short") {
    std::filesystem::resize_file(level1, FileSize(level1) - 32);
    CHECK(open_code() == ErrorCode::kCorruption);
  }
  SECTION("a level one entry long") {
    std::filesystem::resize_file(level2, FileSize(level2) + 32);
    CHECK(open_code() == ErrorCode::kCorruption);
  }
  SECTION("a missing level") {
    std::filesystem::remove(level1);
    CHECK(open_code() == ErrorCode::kCorruption);
  }
  SECTION("a level beyond the last with entries") {
    embarc::testing::WriteFileText(store_dir / "level-7.bin", std::string(32, 'x'));
    CHECK(open_code() == ErrorCode::kCorruption);
  }
  SECTION("MerkleTree::Open checks a store's levels too") {
    MemoryNodeStore mem;
    REQUIRE(mem.Put(0, 0, log::LeafHash(ByteView())));
    REQUIRE(mem.Put(0, 1, log::LeafHash(ByteView())));
    auto t = MerkleTree::Open(mem);
    REQUIRE_FALSE(t);
    CHECK(t.error().code == ErrorCode::kCorruption);
  }
}

TEST_CASE("merkle: FileNodeStore truncation and crash recovery", "[merkle]") {
  embarc::testing::TempDir dir;
  const auto store_dir = dir.path() / "nodes";
  const std::vector<Bytes> leaves = MakeLeaves(1100, 5);
  MemoryNodeStore mem;
  MerkleTree reference = OpenTree(mem);
  AppendAll(reference, leaves);
  const std::vector<Bytes> first(leaves.begin(), leaves.begin() + 1023);
  {
    auto store = FileNodeStore::Open(store_dir);
    REQUIRE(store);
    MerkleTree tree = OpenTree(*store);
    AppendAll(tree, first);
  }

  SECTION("Truncate rolls back to an earlier tree and appends continue from there") {
    auto store = FileNodeStore::Open(store_dir);
    REQUIRE(store);
    MerkleTree tree = OpenTree(*store);
    REQUIRE(tree.Truncate(700));
    CHECK(tree.size() == 700);
    CHECK(*tree.Root() == *reference.RootAt(700));
    CHECK(FileSize(store_dir / "level-0.bin") == 700 * 32);
    CHECK(FileSize(store_dir / "level-9.bin") == 1 * 32);  // 700 >> 9
    // Level files of complete subtrees that no longer exist are emptied, not left behind.
    auto reopened = FileNodeStore::Open(store_dir);
    REQUIRE(reopened);
    MerkleTree t2 = OpenTree(*reopened);
    CHECK(t2.size() == 700);
    AppendAll(t2, std::vector<Bytes>(leaves.begin() + 700, leaves.begin() + 1100));
    CHECK(*t2.Root() == *reference.Root());
    CHECK(*t2.InclusionProof(1050, 1100) == *reference.InclusionProof(1050, 1100));
    auto too_big = store->Truncate(5000);
    REQUIRE_FALSE(too_big);
    CHECK(too_big.error().code == ErrorCode::kInvalidArgument);
  }

  SECTION("an append that stopped part-way is rolled back by OpenForRecovery + Truncate") {
    {
      auto store = FileNodeStore::Open(store_dir);
      REQUIRE(store);
      FailingNodeStore failing(*store);
      MerkleTree tree = OpenTree(failing);
      failing.Arm(/*fail_below_level=*/4);  // leaf 1023 completes levels 1..10; 10..4 get written
      auto r = tree.Append(log::LeafHash(leaves[1023]));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::kIo);
      CHECK(tree.size() == 1023);
    }
    auto strict = FileNodeStore::Open(store_dir);
    REQUIRE_FALSE(strict);
    CHECK(strict.error().code == ErrorCode::kCorruption);

    auto store = FileNodeStore::OpenForRecovery(store_dir);
    REQUIRE(store);
    CHECK(store->LevelSize(0) == 1023);  // level 0 is written last: the commit point
    REQUIRE(store->Truncate(store->LevelSize(0)));
    auto reopened = FileNodeStore::Open(store_dir);
    REQUIRE(reopened);
    MerkleTree tree = OpenTree(*reopened);
    CHECK(tree.size() == 1023);
    CHECK(*tree.Root() == *reference.RootAt(1023));
    AppendAll(tree, std::vector<Bytes>(leaves.begin() + 1023, leaves.end()));
    CHECK(*tree.Root() == *reference.Root());
  }

  SECTION("a torn tail: partial leaf bytes, a missing parent and a damaged last parent") {
    std::filesystem::resize_file(store_dir / "level-0.bin", 1023 * 32 + 11);
    std::filesystem::resize_file(store_dir / "level-3.bin", FileSize(store_dir / "level-3.bin") - 32);
    embarc::testing::FlipByte(store_dir / "level-1.bin", 511 * 32 + 4);  // the last entry
    REQUIRE_FALSE(FileNodeStore::Open(store_dir));
    auto store = FileNodeStore::OpenForRecovery(store_dir);
    REQUIRE(store);
    REQUIRE(store->Truncate(1023));
    auto reopened = FileNodeStore::Open(store_dir);
    REQUIRE(reopened);
    MerkleTree tree = OpenTree(*reopened);
    CHECK(*tree.Root() == *reference.RootAt(1023));
    CHECK(*tree.InclusionProof(1022, 1023) == *reference.InclusionProof(1022, 1023));
  }
}

// ---------------------------------------------------------------------------------------------
// Scale: O(log n) node reads, counted rather than timed

TEST_CASE("merkle: a million-leaf tree answers roots and proofs from O(log n) node reads", "[merkle]") {
  constexpr std::uint64_t kN = 1'000'000;
  MemoryNodeStore mem;
  {
    MerkleTree build = OpenTree(mem);
    for (std::uint64_t i = 0; i < kN; ++i) {
      const std::string key = std::to_string(i);
      if (!build.Append(log::LeafHash(AsBytes(key)))) FAIL("append " << i << " failed");
    }
  }
  CountingNodeStore counting(mem);
  MerkleTree tree = OpenTree(counting);
  REQUIRE(tree.size() == kN);
  const auto log2n = static_cast<std::uint64_t>(std::bit_width(kN));  // 20
  const std::uint64_t budget = 3 * log2n;

  counting.Reset();
  const Hash root = *tree.Root();
  CHECK(counting.reads() <= log2n);

  counting.Reset();
  const std::uint64_t mid = kN / 2;
  auto proof = tree.InclusionProof(mid, kN);
  REQUIRE(proof);
  CHECK(counting.reads() <= budget);
  CHECK(proof->size() == 20);
  CHECK(log::VerifyInclusion(mid, kN, log::LeafHash(AsBytes(std::to_string(mid))), *proof, root));

  std::mt19937_64 rng(1);
  std::uint64_t worst = 0;
  for (int t = 0; t < 200; ++t) {
    const std::uint64_t n = 1 + rng() % kN;
    const std::uint64_t i = rng() % n;
    const std::uint64_t m = 1 + rng() % n;
    counting.Reset();
    auto p = tree.InclusionProof(i, n);
    REQUIRE(p);
    worst = std::max(worst, counting.reads());
    counting.Reset();
    auto c = tree.ConsistencyProof(m, n);
    REQUIRE(c);
    worst = std::max(worst, counting.reads());
    if (t % 20 == 0) {
      const Hash rn = *tree.RootAt(n);
      CHECK(log::VerifyInclusion(i, n, log::LeafHash(AsBytes(std::to_string(i))), *p, rn));
      CHECK(log::VerifyConsistency(m, n, *tree.RootAt(m), rn, *c));
    }
  }
  CHECK(worst <= budget);

  // The stored nodes agree with the leaves alone (one full pass, O(n)).
  auto from_leaves = log::RootFromLeaves(mem, kN);
  REQUIRE(from_leaves);
  CHECK(*from_leaves == root);
}
