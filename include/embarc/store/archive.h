// An archive folder: its marker file, index, keys, WARC directory and write lock.
// Layout (archive/FORMAT.md):
//   <dir>/embarc-archive.json   marker {"format":"embarc-archive","version":1}
//   <dir>/index.sqlite3         the index (WAL)
//   <dir>/keys/signing.key      Ed25519 private key, PKCS#8 PEM, mode 0600
//   <dir>/keys/<key_id>.pub.pem public keys, one per key ever used
//   <dir>/warc/*.warc.gz        raw captures
//   <dir>/log/                  the Merkle log
//   <dir>/.lock                 writers hold an exclusive flock on it
#ifndef EMBARC_STORE_ARCHIVE_H_
#define EMBARC_STORE_ARCHIVE_H_

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/crypto/ed25519.h"
#include "embarc/store/index.h"

namespace embarc::store {

inline constexpr const char* kMarkerFile = "embarc-archive.json";
inline constexpr int kArchiveFormatVersion = 1;
inline constexpr const char* kKeyEventPayloadType = "application/vnd.embarc.key+json";

class Archive {
 public:
  // Creates an archive in `dir` (created if absent; must be empty otherwise) with a new
  // Ed25519 key. Returns the key id. Errors: kInvalidArgument if `dir` is a non-empty
  // folder or already an archive; kIo.
  [[nodiscard]] static Result<std::string> Init(const std::filesystem::path& dir, const std::string& now);

  // Opens an existing archive. `for_writing` takes the exclusive write lock (waits for
  // other writers) and then repairs what a crashed writer may have left: when the newest WARC
  // file ends inside a record that no index row names (an interrupted append), that partial
  // record is cut off (warc::RepairCrashTail); complete records are never changed, and a file
  // with any other damage is left for `verify` to report. Errors: kNotFound "no embarc archive at DIR" when the folder or its
  // marker is missing; kInvalidArgument for a folder that is not an embarc archive.
  [[nodiscard]] static Result<std::unique_ptr<Archive>> Open(const std::filesystem::path& dir, bool for_writing);

  ~Archive();

  // Replaces the signing key: a new key signs from then on; the old public key stays, so old
  // records stay verifiable. The rotation is a leaf of the log, signed by both keys.
  // Requires the archive opened for writing. Returns the new key id.
  [[nodiscard]] Result<std::string> RotateKey(const std::string& now);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path warc_dir() const { return dir_ / "warc"; }
  std::filesystem::path log_dir() const { return dir_ / "log"; }
  std::filesystem::path key_dir() const { return dir_ / "keys"; }
  Index& index() { return *index_; }
  // What Open(for_writing) repaired, one line each (for the CLI to show); usually empty.
  const std::vector<std::string>& repairs() const { return repairs_; }

  // Refuses a private key file that group or others may read or write (kFailedPrecondition).
  [[nodiscard]] Result<void> CheckPrivateKeyMode() const;
  // The current signing key. Errors: kFailedPrecondition when the key file is readable by others.
  [[nodiscard]] Result<std::unique_ptr<crypto::Ed25519Signer>> LoadSigner() const;
  // Every key the archive has used, by key id (from the index and keys/*.pub.pem).
  [[nodiscard]] Result<std::map<std::string, std::unique_ptr<crypto::Verifier>>> LoadVerifiers();

 private:
  Archive(std::filesystem::path dir, std::unique_ptr<Index> index, int lock_fd)
      : dir_(std::move(dir)), index_(std::move(index)), lock_fd_(lock_fd) {}
  std::filesystem::path dir_;
  std::unique_ptr<Index> index_;
  int lock_fd_ = -1;
  std::vector<std::string> repairs_;
};

}  // namespace embarc::store

#endif  // EMBARC_STORE_ARCHIVE_H_
