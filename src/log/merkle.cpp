#include "embarc/log/merkle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace embarc::log {
namespace {

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

std::string U(std::uint64_t v) { return std::to_string(v); }

// Largest power of two strictly smaller than n (the RFC's k), for n >= 2.
std::uint64_t SplitPoint(std::uint64_t n) { return std::bit_floor(n - 1); }

std::string Errno() { return std::strerror(errno); }

}  // namespace

Hash LeafHash(ByteView leaf) {
  crypto::Sha256Hasher hasher;
  const std::uint8_t prefix = kLeafPrefix;
  hasher.Update(ByteView(&prefix, 1));
  hasher.Update(leaf);
  return hasher.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  // One contiguous buffer and one EVP_Digest call: this is the hot path of every proof.
  std::array<std::uint8_t, 65> buf;
  buf[0] = kNodePrefix;
  std::copy(left.bytes.begin(), left.bytes.end(), buf.begin() + 1);
  std::copy(right.bytes.begin(), right.bytes.end(), buf.begin() + 33);
  return crypto::Sha256(ByteView(buf.data(), buf.size()));
}

Hash EmptyRoot() { return crypto::Sha256(ByteView()); }

HashReader::~HashReader() = default;

Result<Hash> RootFromLeaves(const HashReader& leaves, std::uint64_t size) {
  if (size == 0) return EmptyRoot();
  // A stack of perfect subtrees of strictly decreasing height, merged as they complete.
  struct Entry {
    Hash hash;
    std::uint32_t height;
  };
  std::vector<Entry> stack;
  for (std::uint64_t i = 0; i < size; ++i) {
    EMBARC_ASSIGN_OR_RETURN(Hash h, leaves.LeafHashAt(i));
    Entry e{h, 0};
    while (!stack.empty() && stack.back().height == e.height) {
      e = Entry{NodeHash(stack.back().hash, e.hash), e.height + 1};
      stack.pop_back();
    }
    stack.push_back(e);
  }
  // The remaining subtrees are the decomposition of [0, size); MTH joins them right to left.
  Hash root = stack.back().hash;
  for (std::size_t i = stack.size() - 1; i-- > 0;) root = NodeHash(stack[i].hash, root);
  return root;
}

// ---------------------------------------------------------------------------------------------
// MemoryNodeStore

std::uint64_t MemoryNodeStore::LevelSize(std::uint32_t level) const {
  return level < levels_.size() ? levels_[level].size() : 0;
}

Result<Hash> MemoryNodeStore::Get(std::uint32_t level, std::uint64_t index) const {
  if (index >= LevelSize(level)) {
    return Fail(ErrorCode::kNotFound, "merkle node (" + U(level) + ", " + U(index) + ") is not stored");
  }
  return levels_[level][index];
}

Result<void> MemoryNodeStore::Put(std::uint32_t level, std::uint64_t index, const Hash& hash) {
  if (level >= kMaxLevels) return Fail(ErrorCode::kInvalidArgument, "merkle level " + U(level) + " out of range");
  if (index != LevelSize(level)) {
    return Fail(ErrorCode::kInvalidArgument, "merkle level " + U(level) + ": put at " + U(index) +
                                                 " but next index is " + U(LevelSize(level)));
  }
  if (levels_.size() <= level) levels_.resize(level + 1);
  levels_[level].push_back(hash);
  return Ok();
}

Result<void> MemoryNodeStore::Truncate(std::uint64_t tree_size) {
  if (tree_size > LevelSize(0)) {
    return Fail(ErrorCode::kInvalidArgument, "cannot truncate " + U(LevelSize(0)) + " leaves to " + U(tree_size));
  }
  for (std::uint32_t level = 0; level < levels_.size(); ++level) {
    const std::uint64_t need = tree_size >> level;
    std::vector<Hash>& v = levels_[level];
    if (v.size() >= need) {
      v.resize(need);
      continue;
    }
    for (std::uint64_t j = v.size(); j < need; ++j) {  // only for a store filled by hand
      v.push_back(NodeHash(levels_[level - 1][2 * j], levels_[level - 1][2 * j + 1]));
    }
  }
  return Ok();
}

// ---------------------------------------------------------------------------------------------
// FileNodeStore

namespace {

std::filesystem::path LevelPath(const std::filesystem::path& dir, std::uint32_t level) {
  return dir / ("level-" + std::to_string(level) + ".bin");
}

// The level named by a canonical "level-<L>.bin" file name, or -1.
long ParseLevelName(const std::string& name) {
  constexpr std::string_view kPrefix = "level-";
  constexpr std::string_view kSuffix = ".bin";
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) || !name.ends_with(kSuffix)) {
    return -1;
  }
  const std::string digits = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.size() > 4 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  if (digits.size() > 1 && digits[0] == '0') return -1;
  return std::stol(digits);
}

Result<void> PwriteAll(int fd, const std::uint8_t* data, std::size_t len, std::uint64_t offset,
                       const std::filesystem::path& path) {
  while (len > 0) {
    const ssize_t n = ::pwrite(fd, data, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrorCode::kIo, "write " + path.string() + ": " + Errno());
    }
    data += n;
    len -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return Ok();
}

}  // namespace

Result<FileNodeStore> FileNodeStore::Open(const std::filesystem::path& dir) { return OpenImpl(dir, true); }

Result<FileNodeStore> FileNodeStore::OpenForRecovery(const std::filesystem::path& dir) {
  return OpenImpl(dir, false);
}

Result<FileNodeStore> FileNodeStore::OpenImpl(const std::filesystem::path& dir, bool strict) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kIo, "create " + dir.string() + ": " + ec.message());

  long max_level = -1;
  std::vector<bool> present(kMaxLevels, false);
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("level-")) continue;
    const long level = ParseLevelName(name);
    if (level < 0) return Fail(ErrorCode::kCorruption, "unexpected file in merkle store: " + entry.path().string());
    if (level >= static_cast<long>(kMaxLevels)) {
      return Fail(ErrorCode::kCorruption, "merkle level file beyond level 63: " + entry.path().string());
    }
    present[static_cast<std::size_t>(level)] = true;
    max_level = std::max(max_level, level);
  }
  if (ec) return Fail(ErrorCode::kIo, "list " + dir.string() + ": " + ec.message());

  // The store owns each descriptor from the moment it is opened, so every error path closes them.
  FileNodeStore store(dir, {}, {});
  for (std::uint32_t level = 0; static_cast<long>(level) <= max_level; ++level) {
    const std::filesystem::path path = LevelPath(dir, level);
    if (!present[level]) return Fail(ErrorCode::kCorruption, "merkle store is missing " + path.string());
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    // A read-only medium or another user's archive: readers (verify, proofs) still work;
    // an append then fails with EBADF.
    if (fd < 0 && (errno == EROFS || errno == EACCES)) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Fail(ErrorCode::kIo, "open " + path.string() + ": " + Errno());
    store.fds_.push_back(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return Fail(ErrorCode::kIo, "stat " + path.string() + ": " + Errno());
    const auto bytes = static_cast<std::uint64_t>(st.st_size);
    if (strict && bytes % kNodeBytes != 0) {
      return Fail(ErrorCode::kCorruption, path.string() + ": size " + U(bytes) + " is not a multiple of 32");
    }
    store.counts_.push_back(bytes / kNodeBytes);
    if (bytes % kNodeBytes != 0) store.dirty_ = true;  // a torn entry: Truncate must cut it and sync
  }
  if (strict) {
    for (std::uint32_t level = 1; level < store.counts_.size(); ++level) {
      const std::uint64_t want = store.counts_[level - 1] / 2;
      if (store.counts_[level] != want) {
        return Fail(ErrorCode::kCorruption, LevelPath(dir, level).string() + " holds " + U(store.counts_[level]) +
                                                " hashes but level " + U(level - 1) + " implies " + U(want));
      }
    }
  }
  return store;
}

FileNodeStore::FileNodeStore(FileNodeStore&& other) noexcept
    : dir_(std::move(other.dir_)), fds_(std::move(other.fds_)), counts_(std::move(other.counts_)), dirty_(other.dirty_) {
  other.fds_.clear();
  other.counts_.clear();
}

FileNodeStore& FileNodeStore::operator=(FileNodeStore&& other) noexcept {
  if (this != &other) {
    CloseAll();
    dir_ = std::move(other.dir_);
    fds_ = std::move(other.fds_);
    counts_ = std::move(other.counts_);
    dirty_ = other.dirty_;
    other.fds_.clear();
    other.counts_.clear();
  }
  return *this;
}

FileNodeStore::~FileNodeStore() { CloseAll(); }

void FileNodeStore::CloseAll() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
  counts_.clear();
}

std::uint64_t FileNodeStore::LevelSize(std::uint32_t level) const {
  return level < counts_.size() ? counts_[level] : 0;
}

Result<Hash> FileNodeStore::Get(std::uint32_t level, std::uint64_t index) const {
  if (index >= LevelSize(level)) {
    return Fail(ErrorCode::kNotFound, "merkle node (" + U(level) + ", " + U(index) + ") is not stored");
  }
  Hash h;
  std::size_t got = 0;
  while (got < kNodeBytes) {
    const ssize_t n = ::pread(fds_[level], h.bytes.data() + got, kNodeBytes - got,
                              static_cast<off_t>(index * kNodeBytes + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrorCode::kIo, "read " + LevelPath(dir_, level).string() + ": " + Errno());
    }
    if (n == 0) {  // the file shrank under us
      return Fail(ErrorCode::kCorruption, LevelPath(dir_, level).string() + ": short read at entry " + U(index));
    }
    got += static_cast<std::size_t>(n);
  }
  return h;
}

Result<std::vector<Hash>> FileNodeStore::GetRange(std::uint32_t level, std::uint64_t begin, std::uint64_t count) const {
  if (begin > LevelSize(level) || count > LevelSize(level) - begin) {
    return Fail(ErrorCode::kNotFound, "merkle nodes (" + U(level) + ", " + U(begin) + ".." + U(begin + count) + ") are not stored");
  }
  std::vector<Hash> out(static_cast<std::size_t>(count));
  static_assert(sizeof(Hash) == kNodeBytes);
  auto* data = reinterpret_cast<std::uint8_t*>(out.data());
  const std::size_t want = static_cast<std::size_t>(count * kNodeBytes);
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(fds_[level], data + got, want - got, static_cast<off_t>(begin * kNodeBytes + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrorCode::kIo, "read " + LevelPath(dir_, level).string() + ": " + Errno());
    }
    if (n == 0) {
      return Fail(ErrorCode::kCorruption, LevelPath(dir_, level).string() + ": short read at entry " + U(begin + got / kNodeBytes));
    }
    got += static_cast<std::size_t>(n);
  }
  return out;
}

Result<void> FileNodeStore::AddLevel() {
  const auto level = static_cast<std::uint32_t>(fds_.size());
  const std::filesystem::path path = LevelPath(dir_, level);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(ErrorCode::kIo, "create " + path.string() + ": " + Errno());
  fds_.push_back(fd);
  counts_.push_back(0);
  dirty_ = true;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Fail(ErrorCode::kIo, "stat " + path.string() + ": " + Errno());
  if (st.st_size != 0) {  // appeared since Open: someone else is writing this store
    return Fail(ErrorCode::kCorruption, path.string() + " appeared with " + U(static_cast<std::uint64_t>(st.st_size)) +
                                            " bytes");
  }
  return Ok();
}

Result<void> FileNodeStore::Put(std::uint32_t level, std::uint64_t index, const Hash& hash) {
  if (level >= kMaxLevels) return Fail(ErrorCode::kInvalidArgument, "merkle level " + U(level) + " out of range");
  if (index != LevelSize(level)) {
    return Fail(ErrorCode::kInvalidArgument, "merkle level " + U(level) + ": put at " + U(index) +
                                                 " but next index is " + U(LevelSize(level)));
  }
  while (fds_.size() <= level) EMBARC_RETURN_IF_ERROR(AddLevel());
  dirty_ = true;
  EMBARC_RETURN_IF_ERROR(
      PwriteAll(fds_[level], hash.bytes.data(), kNodeBytes, index * kNodeBytes, LevelPath(dir_, level)));
  ++counts_[level];
  return Ok();
}

Result<void> FileNodeStore::CutLevel(std::uint32_t level, std::uint64_t entries) {
  if (entries == counts_[level] && !dirty_) return Ok();  // nothing to cut (no torn entry either)
  dirty_ = true;
  if (::ftruncate(fds_[level], static_cast<off_t>(entries * kNodeBytes)) != 0) {
    return Fail(ErrorCode::kIo, "truncate " + LevelPath(dir_, level).string() + ": " + Errno());
  }
  counts_[level] = entries;
  return Ok();
}

Result<void> FileNodeStore::Truncate(std::uint64_t tree_size) {
  if (tree_size > LevelSize(0)) {
    return Fail(ErrorCode::kInvalidArgument, "cannot truncate " + U(LevelSize(0)) + " leaves to " + U(tree_size));
  }
  if (!fds_.empty()) EMBARC_RETURN_IF_ERROR(CutLevel(0, tree_size));
  for (std::uint32_t level = 1; level < kMaxLevels && (level < fds_.size() || (tree_size >> level) > 0); ++level) {
    if (level >= fds_.size()) EMBARC_RETURN_IF_ERROR(AddLevel());
    const std::uint64_t need = tree_size >> level;
    auto parent = [&](std::uint64_t j) -> Result<Hash> {
      EMBARC_ASSIGN_OR_RETURN(Hash left, Get(level - 1, 2 * j));
      EMBARC_ASSIGN_OR_RETURN(Hash right, Get(level - 1, 2 * j + 1));
      return NodeHash(left, right);
    };
    std::uint64_t keep = std::min(counts_[level], need);
    if (keep > 0) {
      // A crash can leave a torn last entry; it is the only one a crashed append can damage.
      EMBARC_ASSIGN_OR_RETURN(Hash stored, Get(level, keep - 1));
      EMBARC_ASSIGN_OR_RETURN(Hash expected, parent(keep - 1));
      if (stored != expected) --keep;
    }
    EMBARC_RETURN_IF_ERROR(CutLevel(level, keep));
    for (std::uint64_t j = keep; j < need; ++j) {
      EMBARC_ASSIGN_OR_RETURN(Hash h, parent(j));
      EMBARC_RETURN_IF_ERROR(Put(level, j, h));
    }
  }
  return Sync();
}

Result<void> FileNodeStore::Sync() {
  // Nothing written or cut since the last sync: the files are as durable as they were found
  // (they are derived from the index, which EvidenceLog::Open catches them up to).
  if (!dirty_) return Ok();
  for (std::uint32_t level = 0; level < fds_.size(); ++level) {
    if (::fsync(fds_[level]) != 0) {
      return Fail(ErrorCode::kIo, "fsync " + LevelPath(dir_, level).string() + ": " + Errno());
    }
  }
  // New level files must survive a crash too: their names live in the directory.
  const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Fail(ErrorCode::kIo, "open " + dir_.string() + ": " + Errno());
  const int rc = ::fsync(dfd);
  const std::string err = rc != 0 ? Errno() : std::string();
  ::close(dfd);
  if (rc != 0) return Fail(ErrorCode::kIo, "fsync " + dir_.string() + ": " + err);
  dirty_ = false;
  return Ok();
}

// ---------------------------------------------------------------------------------------------
// MerkleTree

Result<MerkleTree> MerkleTree::Open(NodeStore& store) {
  const std::uint64_t size = store.LevelSize(0);
  for (std::uint32_t level = 1; level < kMaxLevels; ++level) {
    if (store.LevelSize(level) != (size >> level)) {
      return Fail(ErrorCode::kCorruption, "merkle level " + U(level) + " holds " + U(store.LevelSize(level)) +
                                              " nodes but a tree of " + U(size) + " leaves has " + U(size >> level));
    }
  }
  return MerkleTree(&store, size);
}

Result<std::uint64_t> MerkleTree::Append(const Hash& leaf_hash) {
  const std::uint64_t index = size_;
  // chain[L] is the new node at level L; leaf `index` completes a level-L subtree for every
  // trailing 1 bit of `index`, whose left halves are already stored.
  std::array<Hash, kMaxLevels> chain;
  chain[0] = leaf_hash;
  std::uint32_t top = 0;
  for (std::uint64_t i = index; (i & 1) != 0; i >>= 1) {
    EMBARC_ASSIGN_OR_RETURN(Hash left, store_->Get(top, i - 1));
    chain[top + 1] = NodeHash(left, chain[top]);
    ++top;
  }
  // Highest level first, leaf last: level 0 is the commit point (see the header comment).
  for (std::uint32_t level = top + 1; level-- > 0;) {
    EMBARC_RETURN_IF_ERROR(store_->Put(level, index >> level, chain[level]));
  }
  ++size_;
  return index;
}

Result<Hash> MerkleTree::RangeHash(std::uint64_t begin, std::uint64_t end) const {
  const std::uint64_t n = end - begin;
  if (n == 1) return store_->Get(0, begin);
  if (std::has_single_bit(n) && begin % n == 0) {
    const auto level = static_cast<std::uint32_t>(std::countr_zero(n));
    return store_->Get(level, begin >> level);
  }
  // Not a stored node: split where MTH splits. Ranges reached from the root are aligned, so
  // only the tree's right edge recurses more than once.
  const std::uint64_t k = SplitPoint(n);
  EMBARC_ASSIGN_OR_RETURN(Hash left, RangeHash(begin, begin + k));
  EMBARC_ASSIGN_OR_RETURN(Hash right, RangeHash(begin + k, end));
  return NodeHash(left, right);
}

Result<Hash> MerkleTree::Root() const { return RootAt(size_); }

Result<Hash> MerkleTree::RootAt(std::uint64_t size) const {
  if (size > size_) {
    return Fail(ErrorCode::kInvalidArgument, "root at size " + U(size) + " of a tree of " + U(size_) + " leaves");
  }
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size);
}

Result<std::vector<Hash>> MerkleTree::InclusionProof(std::uint64_t index, std::uint64_t size) const {
  if (size > size_) {
    return Fail(ErrorCode::kInvalidArgument,
                "inclusion proof at size " + U(size) + " of a tree of " + U(size_) + " leaves");
  }
  if (index >= size) {
    return Fail(ErrorCode::kInvalidArgument, "leaf " + U(index) + " is not in a tree of " + U(size) + " leaves");
  }
  // PATH(m, D[begin:end]) = PATH(m, one half) : MTH(other half); walk down from the root and
  // reverse, so the sibling nearest the leaf comes first.
  std::vector<Hash> proof;
  std::uint64_t begin = 0;
  std::uint64_t end = size;
  while (end - begin > 1) {
    const std::uint64_t k = SplitPoint(end - begin);
    if (index < begin + k) {
      EMBARC_ASSIGN_OR_RETURN(Hash sibling, RangeHash(begin + k, end));
      proof.push_back(sibling);
      end = begin + k;
    } else {
      EMBARC_ASSIGN_OR_RETURN(Hash sibling, RangeHash(begin, begin + k));
      proof.push_back(sibling);
      begin += k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Result<std::vector<Hash>> MerkleTree::ConsistencyProof(std::uint64_t old_size, std::uint64_t new_size) const {
  if (old_size == 0 || old_size > new_size || new_size > size_) {
    return Fail(ErrorCode::kInvalidArgument, "consistency proof from size " + U(old_size) + " to " + U(new_size) +
                                                 " needs 0 < old <= new <= " + U(size_));
  }
  // SUBPROOF(m, D[begin:end], b), walked from the root; `old_size` plays m (absolute).
  std::vector<Hash> proof;
  std::uint64_t begin = 0;
  std::uint64_t end = new_size;
  bool complete = true;  // the RFC's b: D[begin:end] is the whole old tree's subtree so far
  while (old_size != end) {
    const std::uint64_t k = SplitPoint(end - begin);
    if (old_size - begin <= k) {
      EMBARC_ASSIGN_OR_RETURN(Hash right, RangeHash(begin + k, end));
      proof.push_back(right);
      end = begin + k;
    } else {
      EMBARC_ASSIGN_OR_RETURN(Hash left, RangeHash(begin, begin + k));
      proof.push_back(left);
      begin += k;
      complete = false;
    }
  }
  if (!complete) {
    EMBARC_ASSIGN_OR_RETURN(Hash here, RangeHash(begin, end));
    proof.push_back(here);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Result<void> MerkleTree::Truncate(std::uint64_t size) {
  if (size > size_) {
    return Fail(ErrorCode::kInvalidArgument, "cannot truncate a tree of " + U(size_) + " leaves to " + U(size));
  }
  EMBARC_RETURN_IF_ERROR(store_->Truncate(size));
  size_ = size;
  return Ok();
}

// ---------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2, step by step)

Result<void> VerifyInclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                             std::span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return Fail(ErrorCode::kInvalidArgument, "leaf " + U(index) + " is not in a tree of " + U(size) + " leaves");
  }
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return Fail(ErrorCode::kCorruption, "inclusion proof for leaf " + U(index) + " of " + U(size) +
                                              " has too many hashes (" + U(proof.size()) + ")");
    }
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while ((fn & 1) == 0 && fn != 0);
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Fail(ErrorCode::kCorruption, "inclusion proof for leaf " + U(index) + " of " + U(size) +
                                            " has too few hashes (" + U(proof.size()) + ")");
  }
  if (r != root) {
    return Fail(ErrorCode::kCorruption,
                "inclusion proof for leaf " + U(index) + " of " + U(size) + " does not lead to root " + root.Hex());
  }
  return Ok();
}

Result<void> VerifyConsistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, std::span<const Hash> proof) {
  if (old_size == 0 || old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument,
                "no consistency proof from size " + U(old_size) + " to " + U(new_size) + " (needs 0 < old <= new)");
  }
  const std::string what = "consistency proof from size " + U(old_size) + " to " + U(new_size);
  if (old_size == new_size) {
    if (!proof.empty()) return Fail(ErrorCode::kCorruption, what + " must be empty");
    if (old_root != new_root) return Fail(ErrorCode::kCorruption, what + ": the two roots differ");
    return Ok();
  }
  if (proof.empty()) return Fail(ErrorCode::kCorruption, what + " is empty");

  // Step 2: when old_size is a power of two, old_root is the proof's implicit first element.
  const bool prepend = std::has_single_bit(old_size);
  const std::size_t count = proof.size() + (prepend ? 1 : 0);
  auto at = [&](std::size_t i) -> const Hash& {
    if (prepend) return i == 0 ? old_root : proof[i - 1];
    return proof[i];
  };

  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = at(0);
  Hash sr = at(0);
  for (std::size_t i = 1; i < count; ++i) {
    const Hash& c = at(i);
    if (sn == 0) return Fail(ErrorCode::kCorruption, what + " has too many hashes (" + U(proof.size()) + ")");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while ((fn & 1) == 0 && fn != 0);
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Fail(ErrorCode::kCorruption, what + " has too few hashes (" + U(proof.size()) + ")");
  if (fr != old_root) return Fail(ErrorCode::kCorruption, what + " does not lead to the old root " + old_root.Hex());
  if (sr != new_root) return Fail(ErrorCode::kCorruption, what + " does not lead to the new root " + new_root.Hex());
  return Ok();
}

}  // namespace embarc::log
