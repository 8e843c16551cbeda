// The archive's evidence log: the Merkle tree over every snapshot record (leaf i = the
// canonical record bytes of the snapshot with leaf_index i), its node files in log/, and
// its signed checkpoints. The index is the source of the leaves; the node files are derived
// from it and are brought up to date on every open (so a crash between the index commit
// and the node append loses nothing).
#ifndef EMBARC_LOG_EVIDENCE_LOG_H_
#define EMBARC_LOG_EVIDENCE_LOG_H_

#include <memory>
#include <string>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/crypto/ed25519.h"
#include "embarc/log/checkpoint.h"
#include "embarc/log/merkle.h"
#include "embarc/store/archive.h"

namespace embarc::log {

// The log's origin line, from the archive's first key: "embarc/<first 16 hex digits of its key id>".
[[nodiscard]] Result<std::string> LogOrigin(store::Index& index);

class EvidenceLog {
 public:
  // Opens log/ and appends the leaves the node files lack. With `repair`, node files that
  // disagree with the index beyond the recorded size are cut back first.
  // Errors: kCorruption when the node files hold more leaves than the index.
  [[nodiscard]] static Result<std::unique_ptr<EvidenceLog>> Open(store::Archive& archive);
  // Opens log/ as it is, for proofs by a reader that holds no write lock: no repair, no
  // catching up, so size() may be behind the index while a writer appends. Never call
  // WriteCheckpoint on it. Errors: kCorruption when a node file is partial or its levels
  // disagree (a crashed append: Open repairs it) or hold more leaves than the index; kIo.
  [[nodiscard]] static Result<std::unique_ptr<EvidenceLog>> OpenForReading(store::Archive& archive);

  std::uint64_t size() const { return tree_->size(); }
  const MerkleTree& tree() const { return *tree_; }
  const std::string& origin() const { return origin_; }

  // Signs a checkpoint of the current tree with `signer`, stores it in the index and in
  // log/checkpoint (the latest, for publication). Returns the note text.
  [[nodiscard]] Result<store::CheckpointRow> WriteCheckpoint(const crypto::Signer& signer, const std::string& now);

 private:
  EvidenceLog(store::Archive& archive, std::unique_ptr<FileNodeStore> store, std::unique_ptr<MerkleTree> tree, std::string origin)
      : archive_(archive), store_(std::move(store)), tree_(std::move(tree)), origin_(std::move(origin)) {}
  store::Archive& archive_;
  std::unique_ptr<FileNodeStore> store_;
  std::unique_ptr<MerkleTree> tree_;  // reads store_; declared after it
  std::string origin_;
};

// Leaf hashes recomputed from the index's records, leaves [0, n) (for verify and proofs).
[[nodiscard]] Result<std::vector<Hash>> RecomputeLeafHashes(store::Index& index, std::uint64_t n);

}  // namespace embarc::log

#endif  // EMBARC_LOG_EVIDENCE_LOG_H_
