#include "embarc/store/archive.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "embarc/core/json.h"

namespace embarc::store {
namespace {

namespace fs = std::filesystem;

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
  EMBARC_RETURN_IF_ERROR(index->AddKey(KeyRow{key_id, pem, now}));
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
  return std::unique_ptr<Archive>(new Archive(dir, std::move(*index), lock_fd));
}

Archive::~Archive() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
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
