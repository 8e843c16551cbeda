// Micro-benchmarks of the Merkle log: leaf and node hashing, and proofs from a FileNodeStore.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "embarc/log/merkle.h"

namespace {

using embarc::log::Hash;
namespace fs = std::filesystem;

void BM_LeafHash(benchmark::State& state) {
  const std::string leaf(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(embarc::log::LeafHash(embarc::AsBytes(leaf)));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_LeafHash)->Arg(64)->Arg(1500)->Arg(4096);

void BM_NodeHash(benchmark::State& state) {
  Hash a = embarc::log::LeafHash(embarc::AsBytes("a"));
  const Hash b = embarc::log::LeafHash(embarc::AsBytes("b"));
  for (auto _ : state) {
    a = embarc::log::NodeHash(a, b);
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_NodeHash);

// A FileNodeStore of `leaves` leaves in a temporary folder, built once per size.
struct FileTree {
  fs::path dir;
  std::unique_ptr<embarc::log::FileNodeStore> store;
  std::unique_ptr<embarc::log::MerkleTree> tree;
};

FileTree& TreeOf(std::uint64_t leaves) {
  static std::map<std::uint64_t, FileTree> trees;
  auto it = trees.find(leaves);
  if (it != trees.end()) return it->second;
  FileTree t;
  t.dir = fs::temp_directory_path() / ("embarc-bench-merkle-" + std::to_string(leaves) + "-" + std::to_string(::getpid()));
  fs::remove_all(t.dir);
  t.store = std::make_unique<embarc::log::FileNodeStore>(std::move(*embarc::log::FileNodeStore::Open(t.dir)));
  t.tree = std::make_unique<embarc::log::MerkleTree>(std::move(*embarc::log::MerkleTree::Open(*t.store)));
  for (std::uint64_t i = 0; i < leaves; ++i) {
    const std::string leaf = "leaf " + std::to_string(i);
    if (!t.tree->Append(embarc::log::LeafHash(embarc::AsBytes(leaf)))) std::abort();
  }
  if (!t.store->Sync()) std::abort();
  return trees.emplace(leaves, std::move(t)).first->second;
}

void BM_InclusionProofFileStore(benchmark::State& state) {
  FileTree& t = TreeOf(static_cast<std::uint64_t>(state.range(0)));
  const std::uint64_t n = t.tree->size();
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto proof = t.tree->InclusionProof(i, n);
    if (!proof) state.SkipWithError("proof failed");
    benchmark::DoNotOptimize(proof);
    i = (i + 7919) % n;
  }
}
BENCHMARK(BM_InclusionProofFileStore)->Arg(1 << 10)->Arg(1 << 16)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void BM_AppendFileStore(benchmark::State& state) {
  FileTree& t = TreeOf(static_cast<std::uint64_t>(state.range(0)));
  std::uint64_t i = 0;
  for (auto _ : state) {
    const std::string leaf = "extra " + std::to_string(i++);
    if (!t.tree->Append(embarc::log::LeafHash(embarc::AsBytes(leaf)))) state.SkipWithError("append failed");
  }
  // After the loop: not timed. Back to the size the other benchmarks expect.
  if (!t.tree->Truncate(static_cast<std::uint64_t>(state.range(0)))) std::abort();
}
BENCHMARK(BM_AppendFileStore)->Arg(1 << 10)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void BM_RootAtFileStore(benchmark::State& state) {
  FileTree& t = TreeOf(static_cast<std::uint64_t>(state.range(0)));
  for (auto _ : state) {
    auto root = t.tree->RootAt(t.tree->size() - 1);
    benchmark::DoNotOptimize(root);
  }
}
BENCHMARK(BM_RootAtFileStore)->Arg(1000000)->Unit(benchmark::kMicrosecond);

}  // namespace
