// The Merkle tree of the evidence log (RFC 9162 §2.1, the Certificate Transparency tree),
// independent of where its hashes are stored.
//
// Hashes:   leaf  = SHA-256(0x00 || leaf bytes)
//           node  = SHA-256(0x01 || left || right)
//           empty = SHA-256("")
//
// Storage model. A tree of n leaves is kept as the hashes of all its *complete perfect
// subtrees*: node(level, index) is the root of leaves [index * 2^level, (index + 1) * 2^level),
// stored for every such range that lies inside [0, n). Level 0 holds the leaf hashes and
// level L holds exactly floor(n / 2^L) entries. The hash of any range of leaves, and so any
// root, inclusion proof or consistency proof, is then assembled from O(log n) stored nodes
// (O(log^2 n) for a range that is neither perfect nor on the tree's right edge) without
// reading the leaves.
//
// Append order. Append() computes the new leaf's hash chain in memory and writes it from the
// highest level down to level 0, so level 0 is written last: after a crash part-way through an
// append, the higher levels may hold one entry too many, never one too few.
// FileNodeStore::OpenForRecovery() followed by Truncate(size) repairs this.
#ifndef EMBARC_LOG_MERKLE_H_
#define EMBARC_LOG_MERKLE_H_

#include <cstdint>
#include <filesystem>
#include <span>
#include <utility>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"
#include "embarc/crypto/sha256.h"

namespace embarc::log {

using Hash = crypto::Sha256Digest;

// A tree holds fewer than 2^63 leaves, so there are at most 64 levels (0..63).
inline constexpr std::uint32_t kMaxLevels = 64;
// Bytes per stored node hash in FileNodeStore's level files.
inline constexpr std::uint64_t kNodeBytes = 32;

// SHA-256(0x00 || leaf).
Hash LeafHash(ByteView leaf);
// SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256 of the empty string: the root of the tree with no leaves.
Hash EmptyRoot();

// Read access to the leaf hashes of a log, wherever they live (a file of 32-byte entries,
// SQLite, memory). Errors are the store's own (kIo, kDatabase, kCorruption, kNotFound).
class HashReader {
 public:
  virtual ~HashReader();
  virtual Result<Hash> LeafHashAt(std::uint64_t index) const = 0;
};

// The root of leaves [0, size) of `leaves`, computed from the leaf hashes alone:
// O(size) reads and hashes, O(log size) memory. The slow, storage-independent way to check
// a NodeStore (or a checkpoint) against the leaves themselves. size 0 gives EmptyRoot().
[[nodiscard]] Result<Hash> RootFromLeaves(const HashReader& leaves, std::uint64_t size);

// Stores node(level, index) for the complete perfect subtrees of one tree (see the header
// comment). Entries of a level are written in index order and never rewritten, except by
// Truncate(). Implementations are not thread-safe.
class NodeStore : public HashReader {
 public:
  // Entries currently held at `level` (0 for a level never written).
  virtual std::uint64_t LevelSize(std::uint32_t level) const = 0;
  // Errors: kNotFound if index >= LevelSize(level); storage errors.
  virtual Result<Hash> Get(std::uint32_t level, std::uint64_t index) const = 0;
  // Appends an entry: `index` must equal LevelSize(level) and level < kMaxLevels.
  // Errors: kInvalidArgument otherwise; storage errors.
  virtual Result<void> Put(std::uint32_t level, std::uint64_t index, const Hash& hash) = 0;
  // Rolls the store back to a tree of `tree_size` leaves: level L keeps exactly
  // floor(tree_size / 2^L) entries. Errors: kInvalidArgument if level 0 holds fewer than
  // tree_size leaf hashes; storage errors.
  virtual Result<void> Truncate(std::uint64_t tree_size) = 0;

  // Level 0.
  Result<Hash> LeafHashAt(std::uint64_t index) const override { return Get(0, index); }
};

// Nodes in memory, one vector per level. For tests, tools and small trees.
class MemoryNodeStore final : public NodeStore {
 public:
  std::uint64_t LevelSize(std::uint32_t level) const override;
  Result<Hash> Get(std::uint32_t level, std::uint64_t index) const override;
  Result<void> Put(std::uint32_t level, std::uint64_t index, const Hash& hash) override;
  Result<void> Truncate(std::uint64_t tree_size) override;

 private:
  std::vector<std::vector<Hash>> levels_;
};

// Nodes on disk: one append-only file per level, `<dir>/level-<L>.bin` (L in decimal, no
// padding), holding LevelSize(L) raw 32-byte hashes in index order; entry i is at byte i * 32.
// Reads are pread()s, so a proof touches only the O(log n) entries it needs.
// Writes are not fsync'd one by one; call Sync() at a commit point.
class FileNodeStore final : public NodeStore {
 public:
  // Opens the store in `dir`, creating the directory if missing (an empty store).
  // Validates that level files are contiguous from level 0, that every file's size is a
  // multiple of 32, and that level L+1 holds exactly floor(LevelSize(L) / 2) entries.
  // Repairs nothing. Errors: kIo; kCorruption if a check fails (see OpenForRecovery).
  [[nodiscard]] static Result<FileNodeStore> Open(const std::filesystem::path& dir);
  // Opens without the size checks, for crash recovery: a trailing partial entry is ignored
  // and levels may disagree. Follow with Truncate(size), where size is the tree size the
  // caller has committed (at most LevelSize(0)). Errors: kIo; kCorruption for a level file
  // beyond kMaxLevels or a gap in the level files.
  [[nodiscard]] static Result<FileNodeStore> OpenForRecovery(const std::filesystem::path& dir);

  FileNodeStore(FileNodeStore&& other) noexcept;
  FileNodeStore& operator=(FileNodeStore&& other) noexcept;
  FileNodeStore(const FileNodeStore&) = delete;
  FileNodeStore& operator=(const FileNodeStore&) = delete;
  ~FileNodeStore() override;

  std::uint64_t LevelSize(std::uint32_t level) const override;
  Result<Hash> Get(std::uint32_t level, std::uint64_t index) const override;
  Result<void> Put(std::uint32_t level, std::uint64_t index, const Hash& hash) override;
  // Entries [begin, begin + count) of `level` in one read (for scanning a level, e.g. verify).
  // Errors: kNotFound if the range is not stored; kIo; kCorruption if the file shrank.
  [[nodiscard]] Result<std::vector<Hash>> GetRange(std::uint32_t level, std::uint64_t begin, std::uint64_t count) const;
  // Cuts every level file to floor(tree_size / 2^L) entries (dropping any partial entry).
  // Level 0 is trusted up to tree_size; on each higher level the last kept entry is checked
  // against its two children and missing or mismatching entries are recomputed from the
  // level below (O(log n) work after a crashed append). Ends with Sync().
  Result<void> Truncate(std::uint64_t tree_size) override;
  // fsync()s every level file and the folder, when this store wrote or cut anything since it
  // was opened or last synced (else there is nothing of its own to make durable). Errors: kIo.
  Result<void> Sync();

  const std::filesystem::path& dir() const { return dir_; }

 private:
  FileNodeStore(std::filesystem::path dir, std::vector<int> fds, std::vector<std::uint64_t> counts)
      : dir_(std::move(dir)), fds_(std::move(fds)), counts_(std::move(counts)) {}
  static Result<FileNodeStore> OpenImpl(const std::filesystem::path& dir, bool strict);
  Result<void> AddLevel();
  Result<void> CutLevel(std::uint32_t level, std::uint64_t entries);
  void CloseAll();

  std::filesystem::path dir_;
  std::vector<int> fds_;                  // one O_RDWR descriptor per level, owned
  std::vector<std::uint64_t> counts_;     // whole entries per level
  bool dirty_ = false;                    // written, cut or torn since opened or last synced
};

// An append-only Merkle tree over a NodeStore it does not own (the store must outlive it).
// Not thread-safe: callers serialise Append() and Truncate().
class MerkleTree {
 public:
  // Takes the tree size from level 0 and checks every level L holds floor(size / 2^L)
  // entries. Errors: kCorruption if not; storage errors.
  [[nodiscard]] static Result<MerkleTree> Open(NodeStore& store);

  std::uint64_t size() const { return size_; }

  // Appends a leaf hash (use LeafHash() on the leaf bytes) and returns its index. Writes the
  // leaf and every perfect subtree it completes: O(log n) reads, writes and hashes.
  // Errors: storage errors. On error size() is unchanged but the store may hold part of the
  // append (higher levels only); Truncate(size()) removes it.
  Result<std::uint64_t> Append(const Hash& leaf_hash);

  // Root of the whole tree; EmptyRoot() when empty.
  Result<Hash> Root() const;
  // Root of the first `size` leaves (MTH(D[0:size])), from O(log n) stored nodes.
  // Errors: kInvalidArgument if size > size().
  Result<Hash> RootAt(std::uint64_t size) const;

  // PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf-side sibling first.
  // Errors: kInvalidArgument unless index < size <= size().
  Result<std::vector<Hash>> InclusionProof(std::uint64_t index, std::uint64_t size) const;
  // PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1; empty when old_size == new_size.
  // Errors: kInvalidArgument unless 0 < old_size <= new_size <= size(). (RFC 9162 defines no
  // proof from the empty tree: every tree extends it, so callers need no proof for that.)
  Result<std::vector<Hash>> ConsistencyProof(std::uint64_t old_size, std::uint64_t new_size) const;

  // Rolls the tree and its store back to `size` leaves. Errors: kInvalidArgument if
  // size > size(); storage errors.
  Result<void> Truncate(std::uint64_t size);

 private:
  MerkleTree(NodeStore* store, std::uint64_t size) : store_(store), size_(size) {}
  // MTH(D[begin:end]) for 0 <= begin < end <= size_, from stored perfect subtrees.
  Result<Hash> RangeHash(std::uint64_t begin, std::uint64_t end) const;

  NodeStore* store_;
  std::uint64_t size_;
};

// RFC 9162 §2.1.3.2: checks that `proof` proves leaf `leaf_hash` at `index` in the tree of
// `size` leaves with root `root`. Errors: kInvalidArgument if index >= size (so also for
// size 0); kCorruption if the proof has the wrong length or does not lead to `root`.
[[nodiscard]] Result<void> VerifyInclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                                           std::span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.2: checks that the tree of new_size leaves with root `new_root` extends the
// tree of old_size leaves with root `old_root`. When old_size == new_size the proof must be
// empty and the roots equal. Errors: kInvalidArgument if old_size == 0 or old_size > new_size;
// kCorruption if the proof has the wrong length or either root does not match.
[[nodiscard]] Result<void> VerifyConsistency(std::uint64_t old_size, std::uint64_t new_size,
                                             const Hash& old_root, const Hash& new_root,
                                             std::span<const Hash> proof);

}  // namespace embarc::log

#endif  // EMBARC_LOG_MERKLE_H_
