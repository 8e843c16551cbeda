#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "embarc/warc/warc.h"
#include "warc/record_codec.h"
#include "warc/warc_io.h"

namespace embarc::warc {
namespace {

using internal::EqualsIgnoreCase;
using internal::Fields;

constexpr mode_t kFileMode = 0644;
constexpr int kMaxNameAttempts = 8;  // O_EXCL collisions of a random 24-bit suffix in one millisecond
constexpr std::string_view kSoftware = "embarc/" EMBARC_VERSION;

// A record ready to append.
struct PreparedRecord {
  Bytes member;
  std::string record_id;
  crypto::Sha256Digest block_digest;
  std::optional<crypto::Sha256Digest> payload_digest;
};

bool IsComputedField(std::string_view name) {
  for (std::string_view f : {"WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Type", "Content-Length",
                             "WARC-Block-Digest", "WARC-Payload-Digest"}) {
    if (EqualsIgnoreCase(name, f)) return true;
  }
  return false;
}

// Completes, orders and checks the fields (see the class comment in warc.h), then compresses.
Result<PreparedRecord> Prepare(const WarcRecord& record) {
  if (record.block.size() > kMaxRecordBytes) {
    return Fail(ErrorCode::kLimitExceeded, "WARC record block of " + std::to_string(record.block.size()) +
                                               " bytes exceeds " + std::to_string(kMaxRecordBytes));
  }
  for (const auto& [name, value] : record.fields) {
    if (!internal::IsToken(name)) return Fail(ErrorCode::kInvalidArgument, "bad WARC field name \"" + name + "\"");
    if (internal::HasForbiddenByte(value)) {
      return Fail(ErrorCode::kInvalidArgument, "CR, LF or NUL in the value of WARC field " + name);
    }
  }
  const std::string type = record.Field("WARC-Type");
  if (type.empty()) return Fail(ErrorCode::kInvalidArgument, "WARC record without WARC-Type");

  PreparedRecord out;
  out.record_id = record.Field("WARC-Record-ID");
  if (out.record_id.empty()) out.record_id = NewRecordId();
  std::string date = record.Field("WARC-Date");
  if (date.empty()) date = WarcDate(std::chrono::system_clock::now());
  const std::string content_type = record.Field("Content-Type");

  const bool has_payload = (type == "request" || type == "response") &&
                           internal::StartsWithIgnoreCase(content_type, "application/http") &&
                           SplitHttpBlock(record.block).has_value();

  // Digests are filled in after the size checks, so an oversized block is never hashed;
  // placeholders of the same length keep the head size exact.
  const std::string placeholder = "sha256:" + std::string(64, '0');
  Fields fields;
  fields.emplace_back("WARC-Type", type);
  fields.emplace_back("WARC-Record-ID", out.record_id);
  fields.emplace_back("WARC-Date", date);
  for (const auto& field : record.fields) {
    if (!IsComputedField(field.first)) fields.push_back(field);
  }
  const std::size_t block_digest_index = fields.size();
  fields.emplace_back("WARC-Block-Digest", placeholder);
  if (has_payload) fields.emplace_back("WARC-Payload-Digest", placeholder);
  if (!content_type.empty()) fields.emplace_back("Content-Type", content_type);
  fields.emplace_back("Content-Length", std::to_string(record.block.size()));

  std::string head = internal::SerializeHead(fields);
  if (head.size() > kMaxHeaderBytes) {
    return Fail(ErrorCode::kLimitExceeded, "WARC record head of " + std::to_string(head.size()) + " bytes exceeds " +
                                               std::to_string(kMaxHeaderBytes));
  }
  const std::uint64_t total = head.size() + record.block.size() + internal::kRecordTrailer.size();
  if (total > kMaxRecordBytes) {
    return Fail(ErrorCode::kLimitExceeded,
                "WARC record of " + std::to_string(total) + " bytes exceeds " + std::to_string(kMaxRecordBytes));
  }

  out.block_digest = crypto::Sha256(record.block);
  fields[block_digest_index].second = "sha256:" + out.block_digest.Hex();
  if (has_payload) {
    out.payload_digest = crypto::Sha256(SplitHttpBlock(record.block)->second);
    fields[block_digest_index + 1].second = "sha256:" + out.payload_digest->Hex();
  }
  head = internal::SerializeHead(fields);
  EMBARC_ASSIGN_OR_RETURN(out.member,
                          internal::GzipMember({AsBytes(head), ByteView(record.block), AsBytes(internal::kRecordTrailer)}));
  return out;
}

// "yyyymmddHHMMSSmmm" in UTC.
std::string FileTimestamp(std::chrono::system_clock::time_point t) {
  std::string date = WarcDate(t);  // 2024-10-20T12:34:56.789Z
  std::string out;
  for (char c : date) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

std::string RandomHex6() {
  // The first 6 hex digits of a fresh random UUID: 24 random bits.
  const std::string id = NewRecordId();  // "<urn:uuid:xxxxxxxx-..."
  return id.substr(10, 6);
}

Result<void> WriteAll(int fd, ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(ErrorCode::kIo, std::strerror(errno));
    if (n == 0) return Fail(ErrorCode::kIo, "write made no progress");
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

}  // namespace

struct WarcWriter::Impl {
  std::filesystem::path dir;
  std::string prefix;
  std::uint64_t max_file_bytes = kDefaultMaxFileBytes;
  internal::UniqueFd fd;  // the current file; empty before the first Write
  std::string file_name;
  std::uint64_t size = 0;         // bytes of complete members in the current file
  bool dir_needs_sync = false;    // a file was created since the last Sync()
  bool must_rotate = false;       // a failed write could not be undone in the current file

  std::string FilePath() const { return (dir / file_name).string(); }

  Result<void> CloseCurrent() {
    if (!fd.valid()) return Ok();
    const int rc = ::fsync(fd.get());
    const int err = errno;
    fd.Reset();
    if (rc != 0) return Fail(ErrorCode::kIo, "fsync " + FilePath() + ": " + std::strerror(err));
    return Ok();
  }

  // Appends a member at the end of the current file; on failure cuts the file back.
  Result<RecordLocation> Append(const PreparedRecord& p) {
    const std::uint64_t previous_end = size;
    if (auto written = WriteAll(fd.get(), p.member); !written) {
      if (::ftruncate(fd.get(), static_cast<off_t>(previous_end)) != 0) must_rotate = true;
      return Fail(ErrorCode::kIo, "write " + FilePath() + ": " + written.error().message);
    }
    size += p.member.size();
    RecordLocation loc;
    loc.file = file_name;
    loc.offset = previous_end;
    loc.length = p.member.size();
    loc.record_id = p.record_id;
    loc.block_digest = p.block_digest;
    loc.payload_digest = p.payload_digest;
    return loc;
  }

  Result<void> StartNewFile() {
    EMBARC_RETURN_IF_ERROR(CloseCurrent());
    must_rotate = false;
    const auto now = std::chrono::system_clock::now();
    for (int attempt = 0; attempt < kMaxNameAttempts; ++attempt) {
      std::string name = prefix + "-" + FileTimestamp(now) + "-" + RandomHex6() + ".warc.gz";
      const std::filesystem::path path = dir / name;
      internal::UniqueFd created(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, kFileMode));
      if (!created.valid()) {
        if (errno == EEXIST) continue;
        return Fail(ErrorCode::kIo, "create " + path.string() + ": " + std::strerror(errno));
      }
      // The umask may have narrowed the mode; archive files are world-readable by design.
      if (::fchmod(created.get(), kFileMode) != 0) {
        return Fail(ErrorCode::kIo, "chmod " + path.string() + ": " + std::strerror(errno));
      }
      fd = std::move(created);
      file_name = std::move(name);
      size = 0;
      dir_needs_sync = true;
      EMBARC_ASSIGN_OR_RETURN(PreparedRecord info, Prepare(MakeWarcinfo(file_name, kSoftware)));
      if (auto appended = Append(info); !appended) {
        fd.Reset();  // the next Write starts another file
        if (size == 0) ::unlink(path.c_str());
        return tl::unexpected(appended.error());
      }
      return Ok();
    }
    return Fail(ErrorCode::kIo, "could not create a new WARC file name in " + dir.string());
  }
};

WarcWriter::WarcWriter() : impl_(std::make_unique<Impl>()) {}
WarcWriter::~WarcWriter() = default;

Result<std::unique_ptr<WarcWriter>> WarcWriter::Open(const std::filesystem::path& dir, std::string prefix,
                                                     std::uint64_t max_file_bytes) {
  if (prefix.empty() || prefix.find('/') != std::string::npos || prefix.find('\0') != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "bad WARC file prefix \"" + prefix + "\"");
  }
  if (max_file_bytes == 0) return Fail(ErrorCode::kInvalidArgument, "max_file_bytes must be positive");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kIo, "create directory " + dir.string() + ": " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) return Fail(ErrorCode::kIo, dir.string() + " is not a directory");
  std::unique_ptr<WarcWriter> writer(new WarcWriter());
  writer->impl_->dir = dir;
  writer->impl_->prefix = std::move(prefix);
  writer->impl_->max_file_bytes = max_file_bytes;
  return writer;
}

Result<RecordLocation> WarcWriter::Write(WarcRecord record) {
  // Everything that can reject the record happens before any byte is written.
  EMBARC_ASSIGN_OR_RETURN(PreparedRecord prepared, Prepare(record));
  Impl& w = *impl_;
  if (!w.fd.valid() || w.must_rotate || w.size >= w.max_file_bytes) EMBARC_RETURN_IF_ERROR(w.StartNewFile());
  return w.Append(prepared);
}

Result<void> WarcWriter::Sync() {
  Impl& w = *impl_;
  if (w.fd.valid() && ::fsync(w.fd.get()) != 0) {
    return Fail(ErrorCode::kIo, "fsync " + w.FilePath() + ": " + std::strerror(errno));
  }
  if (w.dir_needs_sync) {
    internal::UniqueFd dir_fd(::open(w.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd.valid() || ::fsync(dir_fd.get()) != 0) {
      return Fail(ErrorCode::kIo, "fsync " + w.dir.string() + ": " + std::strerror(errno));
    }
    w.dir_needs_sync = false;
  }
  return Ok();
}

std::string WarcWriter::CurrentFileName() const { return impl_->fd.valid() ? impl_->file_name : std::string(); }

}  // namespace embarc::warc
