#include "embarc/store/archive.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "embarc/core/json.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/sha256.h"
#include "embarc/warc/warc.h"

namespace embarc::store {
namespace {

namespace fs = std::filesystem;

// How many of the newest capture rows crash repair looks through for the newest WARC file.
constexpr std::uint64_t kRecentCaptureRows = 10000;

Result<void> WriteNewFile(const fs::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Fail(ErrorCode::kIo, "create " + path.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Fail(ErrorCode::kIo, "write " + path.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Fail(ErrorCode::kIo, "fsync " + path.string() + ": " + std::strerror(errno));
  return Ok();
}

Result<std::string> ReadSmallFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, "read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string MarkerText() {
  return std::string("{\"format\":\"embarc-archive\",\"version\":") + std::to_string(kArchiveFormatVersion) + "}\n";
}

// The key event record (archive/FORMAT.md "Key events") as a log leaf, signed by the new key
// and, on rotation, by the key it replaces.
Result<KeyEventRow> MakeKeyEvent(Index& index, const crypto::Ed25519Signer& key, const crypto::Signer* previous,
                                 const std::string& now) {
  nlohmann::json record = {{"v", 1},
                           {"type", "key"},
                           {"event", previous == nullptr ? "genesis" : "rotation"},
                           {"key_id", key.key_id()},
                           {"public_key_pem", key.PublicKeyPem()},
                           {"previous_key_id", previous == nullptr ? nlohmann::json() : nlohmann::json(previous->key_id())},
                           {"at", now},
                           {"agent", std::string("embarc/") + EMBARC_VERSION}};
  EMBARC_ASSIGN_OR_RETURN(std::string bytes, CanonicalJson(record));
  EMBARC_ASSIGN_OR_RETURN(crypto::Envelope env, crypto::SignEnvelope(key, kKeyEventPayloadType, AsBytes(bytes)));
  if (previous != nullptr) {
    EMBARC_ASSIGN_OR_RETURN(Bytes sig, previous->Sign(crypto::Pae(kKeyEventPayloadType, AsBytes(bytes))));
    env.signatures.push_back(crypto::DsseSignature{previous->key_id(), sig});
  }
  EMBARC_ASSIGN_OR_RETURN(std::uint64_t leaf, index.LeafCount());
  KeyEventRow row;
  row.leaf_index = leaf;
  row.record_hash = crypto::Sha256(bytes).Hex();
  row.record = bytes;
  row.envelope = env.ToJson();
  row.created_at = now;
  return row;
}

// Crash repair of the newest WARC file (archive/FORMAT.md "Write order"). Writers take the
// lock in turn and each starts a new file, so only the newest file can hold the partial
// record of an interrupted run: every earlier crash was repaired by the writer after it.
Result<std::vector<std::string>> RepairWarcTail(const fs::path& warc_dir, Index& index) {
  std::vector<std::string> repairs;
  std::error_code ec;
  if (!fs::is_directory(warc_dir, ec)) return repairs;
  fs::path newest;
  for (const auto& entry : fs::directory_iterator(warc_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || !(name.ends_with(".warc.gz") || name.ends_with(".warc"))) continue;
    if (newest.empty() || name > newest.filename().string()) newest = entry.path();
  }
  if (ec) return Fail(ErrorCode::kIo, "list " + warc_dir.string() + ": " + ec.message());
  if (newest.empty()) return repairs;
  const std::string file = newest.filename().string();
  // Only the bytes after the last record the index names can be an interrupted append, so a
  // clean tail after it is enough (O(1) per open instead of re-reading a file of up to 1 GiB).
  // Anything else gets the whole-file inspection.
  EMBARC_ASSIGN_OR_RETURN(std::uint64_t referenced_end, index.RecentReferencedEnd(file, kRecentCaptureRows));
  if (referenced_end > 0) {
    auto quick = warc::InspectTailFrom(newest, referenced_end);
    if (quick && quick->clean) return repairs;
  }
  EMBARC_ASSIGN_OR_RETURN(warc::TailState tail, warc::InspectTail(newest));
  if (!tail.crash_tail) return repairs;
  // The write order means no index row names bytes past the last complete record; if one
  // does, this is damage for verify to report, not a crash to repair.
  EMBARC_ASSIGN_OR_RETURN(auto captures, index.AllCaptures());
  for (const CaptureRow& c : captures) {
    if (c.warc_file == file && c.response_offset + c.response_length > tail.valid_end) return repairs;
  }
  EMBARC_ASSIGN_OR_RETURN(warc::TailState cut, warc::RepairCrashTail(newest));
  if (cut.crash_tail) {
    repairs.push_back("warc/" + file + ": cut an incomplete last record (" + std::to_string(cut.file_size - cut.valid_end) +
                      " bytes after offset " + std::to_string(cut.valid_end) + ") left by an interrupted run");
  }
  return repairs;
}

}  // namespace

Result<std::string> Archive::Init(const fs::path& dir, const std::string& now) {
  std::error_code ec;
  if (fs::exists(dir / kMarkerFile, ec)) {
    return Fail(ErrorCode::kInvalidArgument, "an embarc archive already exists at " + dir.string());
  }
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Fail(ErrorCode::kInvalidArgument, dir.string() + " is not a folder");
    if (!fs::is_empty(dir, ec)) {
      return Fail(ErrorCode::kInvalidArgument, "refusing to create an archive in the non-empty folder " + dir.string());
    }
  }
  fs::create_directories(dir / "keys", ec);
  if (ec) return Fail(ErrorCode::kIo, "create " + (dir / "keys").string() + ": " + ec.message());
  fs::create_directories(dir / "warc", ec);
  fs::create_directories(dir / "log", ec);
  if (ec) return Fail(ErrorCode::kIo, "create folders in " + dir.string() + ": " + ec.message());

  EMBARC_ASSIGN_OR_RETURN(auto signer, crypto::Ed25519Signer::Generate());
  EMBARC_RETURN_IF_ERROR(signer->SavePrivateKeyFile(dir / "keys" / "signing.key"));
  const std::string key_id = signer->key_id();
  const std::string pem = signer->PublicKeyPem();
  EMBARC_RETURN_IF_ERROR(WriteNewFile(dir / "keys" / (key_id + ".pub.pem"), pem, 0644));

  EMBARC_ASSIGN_OR_RETURN(auto index, OpenSqliteIndex(dir / "index.sqlite3", /*create=*/true));
  EMBARC_ASSIGN_OR_RETURN(KeyEventRow genesis, MakeKeyEvent(*index, *signer, nullptr, now));
  EMBARC_RETURN_IF_ERROR(index->Begin());
  Result<void> added = index->AddKey(KeyRow{key_id, pem, now});
  if (added) added = index->AddKeyEvent(genesis);
  if (!added) {
    index->Rollback();
    return tl::unexpected(added.error());
  }
  EMBARC_RETURN_IF_ERROR(index->CommitTransaction());
  // The marker comes last: a folder without it is not (yet) an archive.
  EMBARC_RETURN_IF_ERROR(WriteNewFile(dir / kMarkerFile, MarkerText(), 0644));
  return key_id;
}

Result<std::unique_ptr<Archive>> Archive::Open(const fs::path& dir, bool for_writing) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Fail(ErrorCode::kNotFound, "no embarc archive at " + dir.string() + " (run: embarc init --archive " +
                                          dir.string() + ")");
  }
  const fs::path marker = dir / kMarkerFile;
  if (!fs::exists(marker, ec)) {
    return Fail(ErrorCode::kInvalidArgument, dir.string() + " is not an embarc archive (no " + kMarkerFile + ")");
  }
  EMBARC_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(marker));
  auto parsed = ParseJson(text);
  if (!parsed || !parsed->is_object() || parsed->value("format", "") != "embarc-archive") {
    return Fail(ErrorCode::kInvalidArgument, dir.string() + " is not an embarc archive (bad " + kMarkerFile + ")");
  }
  if (!(*parsed)["version"].is_number_integer() || (*parsed)["version"].get<int>() != kArchiveFormatVersion) {
    return Fail(ErrorCode::kFailedPrecondition, "unsupported archive format version in " + marker.string());
  }
  int lock_fd = -1;
  if (for_writing) {
    lock_fd = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0) return Fail(ErrorCode::kIo, "open " + (dir / ".lock").string() + ": " + std::strerror(errno));
    while (::flock(lock_fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int err = errno;
        ::close(lock_fd);
        return Fail(ErrorCode::kIo, "lock " + dir.string() + ": " + std::strerror(err));
      }
    }
  }
  auto index = OpenSqliteIndex(dir / "index.sqlite3", /*create=*/false);
  if (!index) {
    if (lock_fd >= 0) ::close(lock_fd);
    return WithContext(index.error(), "open index of " + dir.string());
  }
  std::unique_ptr<Archive> archive(new Archive(dir, std::move(*index), lock_fd));
  if (for_writing) {
    auto repaired = RepairWarcTail(archive->warc_dir(), archive->index());
    if (!repaired) return WithContext(repaired.error(), "repair the WARC files of " + dir.string());
    archive->repairs_ = std::move(*repaired);
  }
  return archive;
}

Archive::~Archive() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::string> Archive::RotateKey(const std::string& now) {
  if (lock_fd_ < 0) return Fail(ErrorCode::kInternal, "RotateKey needs the archive opened for writing");
  EMBARC_ASSIGN_OR_RETURN(auto old_key, LoadSigner());
  EMBARC_ASSIGN_OR_RETURN(auto new_key, crypto::Ed25519Signer::Generate());
  const fs::path staged = key_dir() / "signing.key.new";
  std::error_code ec;
  fs::remove(staged, ec);  // a rotation that crashed before its commit left it behind
  EMBARC_RETURN_IF_ERROR(new_key->SavePrivateKeyFile(staged));
  const fs::path pub = key_dir() / (new_key->key_id() + ".pub.pem");
  EMBARC_RETURN_IF_ERROR(WriteNewFile(pub, new_key->PublicKeyPem(), 0644));
  EMBARC_ASSIGN_OR_RETURN(KeyEventRow event, MakeKeyEvent(*index_, *new_key, old_key.get(), now));
  EMBARC_RETURN_IF_ERROR(index_->Begin());
  Result<void> added = index_->AddKey(KeyRow{new_key->key_id(), new_key->PublicKeyPem(), now});
  if (added) added = index_->AddKeyEvent(event);
  if (!added) {
    index_->Rollback();
    return tl::unexpected(added.error());
  }
  EMBARC_RETURN_IF_ERROR(index_->CommitTransaction());
  // The new private key replaces the old one in one rename; the old one is gone.
  if (::rename(staged.c_str(), (key_dir() / "signing.key").c_str()) != 0) {
    return Fail(ErrorCode::kIo, "install the new signing key: " + std::string(std::strerror(errno)));
  }
  return new_key->key_id();
}

Result<void> Archive::CheckPrivateKeyMode() const {
  const fs::path key = key_dir() / "signing.key";
  struct stat st {};
  if (::stat(key.c_str(), &st) != 0) return Fail(ErrorCode::kFailedPrecondition, "missing private key " + key.string());
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(ErrorCode::kFailedPrecondition, "private key " + key.string() + " is readable by others (mode " + mode +
                                                    "); run: chmod 600 " + key.string());
  }
  return Ok();
}

Result<std::unique_ptr<crypto::Ed25519Signer>> Archive::LoadSigner() const {
  return crypto::Ed25519Signer::LoadPrivateKeyFile(key_dir() / "signing.key");
}

Result<std::map<std::string, std::unique_ptr<crypto::Verifier>>> Archive::LoadVerifiers() {
  std::map<std::string, std::unique_ptr<crypto::Verifier>> out;
  EMBARC_ASSIGN_OR_RETURN(auto keys, index_->Keys());
  for (const KeyRow& k : keys) {
    auto v = crypto::Ed25519Verifier::FromPem(k.public_key_pem);
    if (!v) return WithContext(v.error(), "public key " + k.key_id + " in the index");
    if ((*v)->key_id() != k.key_id) {
      return Fail(ErrorCode::kCorruption, "public key in the index does not match its key id " + k.key_id);
    }
    out.emplace(k.key_id, std::move(*v));
  }
  return out;
}

}  // namespace embarc::store
