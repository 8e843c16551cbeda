#include "embarc/log/evidence_log.h"

#include <algorithm>

#include "embarc/core/files.h"

namespace embarc::log {
namespace {

constexpr std::uint64_t kLeavesPerRead = 4096;

}  // namespace

Result<std::string> LogOrigin(store::Index& index) {
  EMBARC_ASSIGN_OR_RETURN(auto keys, index.Keys());
  if (keys.empty()) return Fail(ErrorCode::kCorruption, "the archive has no keys");
  return "embarc/" + keys.front().key_id.substr(0, 16);
}

Result<std::vector<Hash>> RecomputeLeafHashes(store::Index& index, std::uint64_t n) {
  std::vector<Hash> out;
  out.reserve(n);
  for (std::uint64_t begin = 0; begin < n; begin += kLeavesPerRead) {
    const std::uint64_t end = std::min(n, begin + kLeavesPerRead);
    EMBARC_ASSIGN_OR_RETURN(auto records, index.LeafRecords(begin, end));
    if (records.size() != end - begin) {
      return Fail(ErrorCode::kCorruption, "log leaf " + std::to_string(begin + records.size()) + " is missing from the index");
    }
    for (const std::string& r : records) out.push_back(LeafHash(AsBytes(r)));
  }
  return out;
}

Result<std::unique_ptr<EvidenceLog>> EvidenceLog::Open(store::Archive& archive) {
  store::Index& index = archive.index();
  EMBARC_ASSIGN_OR_RETURN(std::string origin, LogOrigin(index));
  EMBARC_ASSIGN_OR_RETURN(std::uint64_t leaves, index.LeafCount());
  EMBARC_ASSIGN_OR_RETURN(FileNodeStore opened, FileNodeStore::OpenForRecovery(archive.log_dir()));
  auto store = std::make_unique<FileNodeStore>(std::move(opened));
  std::uint64_t have = store->LevelSize(0);
  if (have > leaves) {
    return Fail(ErrorCode::kCorruption, "the log's node files hold " + std::to_string(have) + " leaves but the index only " +
                                            std::to_string(leaves) + ": records were removed from the index");
  }
  // Repair a crashed append (higher levels may be one entry ahead), then catch up.
  EMBARC_RETURN_IF_ERROR(store->Truncate(have));
  EMBARC_ASSIGN_OR_RETURN(MerkleTree opened_tree, MerkleTree::Open(*store));
  auto tree = std::make_unique<MerkleTree>(std::move(opened_tree));
  while (have < leaves) {
    const std::uint64_t end = std::min(leaves, have + kLeavesPerRead);
    EMBARC_ASSIGN_OR_RETURN(auto records, index.LeafRecords(have, end));
    if (records.size() != end - have) return Fail(ErrorCode::kCorruption, "log leaf " + std::to_string(have) + " is missing from the index");
    for (const std::string& r : records) {
      EMBARC_RETURN_IF_ERROR(tree->Append(LeafHash(AsBytes(r))));
    }
    have = end;
  }
  EMBARC_RETURN_IF_ERROR(store->Sync());
  return std::unique_ptr<EvidenceLog>(new EvidenceLog(archive, std::move(store), std::move(tree), std::move(origin)));
}

Result<std::unique_ptr<EvidenceLog>> EvidenceLog::OpenForReading(store::Archive& archive) {
  store::Index& index = archive.index();
  EMBARC_ASSIGN_OR_RETURN(std::string origin, LogOrigin(index));
  EMBARC_ASSIGN_OR_RETURN(std::uint64_t leaves, index.LeafCount());
  EMBARC_ASSIGN_OR_RETURN(FileNodeStore opened, FileNodeStore::Open(archive.log_dir()));
  auto store = std::make_unique<FileNodeStore>(std::move(opened));
  if (store->LevelSize(0) > leaves) {
    return Fail(ErrorCode::kCorruption, "the log's node files hold " + std::to_string(store->LevelSize(0)) +
                                            " leaves but the index only " + std::to_string(leaves));
  }
  EMBARC_ASSIGN_OR_RETURN(MerkleTree opened_tree, MerkleTree::Open(*store));
  auto tree = std::make_unique<MerkleTree>(std::move(opened_tree));
  return std::unique_ptr<EvidenceLog>(new EvidenceLog(archive, std::move(store), std::move(tree), std::move(origin)));
}

Result<store::CheckpointRow> EvidenceLog::WriteCheckpoint(const crypto::Signer& signer, const std::string& now) {
  Checkpoint c;
  c.origin = origin_;
  c.size = tree_->size();
  EMBARC_ASSIGN_OR_RETURN(c.root, tree_->Root());
  EMBARC_ASSIGN_OR_RETURN(std::string note, SignNote(CheckpointBody(c), origin_, signer));
  store::CheckpointRow row;
  row.tree_size = c.size;
  row.root_hash = c.root.Hex();
  row.note = note;
  row.key_id = signer.key_id();
  row.created_at = now;
  EMBARC_ASSIGN_OR_RETURN(row.id, archive_.index().AddCheckpoint(row));
  EMBARC_RETURN_IF_ERROR(ReplaceFile(archive_.log_dir() / "checkpoint", note));
  return row;
}

}  // namespace embarc::log
