#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "embarc/warc/warc.h"
#include "warc/record_codec.h"
#include "warc/warc_io.h"

namespace embarc::warc {
namespace {

using internal::RangeReader;

// The bytes of the next record, decompressed.
struct RawRecord {
  Bytes bytes;
  bool complete = false;  // false: the input ended inside the record
};

// Appends up to `n` bytes from `reader` to `out`; fewer only at the end of the range.
Result<void> AppendFrom(RangeReader& reader, std::uint64_t n, Bytes& out) {
  while (n > 0) {
    EMBARC_ASSIGN_OR_RETURN(ByteView in, reader.Peek());
    if (in.empty()) return Ok();
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, in.size()));
    out.insert(out.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
    reader.Consume(take);
    n -= take;
  }
  return Ok();
}

// Reads one uncompressed record: the head up to its terminator, then exactly the rest of
// the record as given by Content-Length, so the reader ends right after the record.
Result<RawRecord> ReadPlainRecord(RangeReader& reader) {
  RawRecord raw;
  Bytes& acc = raw.bytes;
  std::optional<std::size_t> head_end;
  while (!head_end) {
    EMBARC_ASSIGN_OR_RETURN(ByteView in, reader.Peek());
    if (in.empty()) return raw;  // incomplete
    const std::size_t old_size = acc.size();
    const std::size_t take = std::min(in.size(), kMaxHeaderBytes - old_size);
    acc.insert(acc.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
    // Search only where a terminator could newly appear.
    const std::size_t from = old_size >= 3 ? old_size - 3 : 0;
    EMBARC_ASSIGN_OR_RETURN(std::optional<std::size_t> found, internal::FindHeadEnd(ByteView(acc).subspan(from)));
    if (found) {
      head_end = from + *found;
      acc.resize(*head_end);
      reader.Consume(*head_end - old_size);
    } else {
      reader.Consume(take);
      if (acc.size() >= kMaxHeaderBytes) {
        return Fail(ErrorCode::kLimitExceeded,
                    "WARC record head longer than " + std::to_string(kMaxHeaderBytes) + " bytes");
      }
    }
  }
  EMBARC_ASSIGN_OR_RETURN(internal::Fields fields, internal::ParseHead(AsChars(acc)));
  EMBARC_ASSIGN_OR_RETURN(const std::uint64_t content_length, internal::ContentLengthOf(fields));
  const std::uint64_t rest = content_length + internal::kRecordTrailer.size();
  if (*head_end + rest > kMaxRecordBytes) {
    return Fail(ErrorCode::kLimitExceeded, "WARC record exceeds " + std::to_string(kMaxRecordBytes) + " bytes");
  }
  // Reserve only what the file can actually supply, not what a hostile header claims.
  acc.reserve(static_cast<std::size_t>(*head_end + std::min(rest, reader.remaining())));
  EMBARC_RETURN_IF_ERROR(AppendFrom(reader, rest, acc));
  raw.complete = acc.size() == *head_end + rest;
  return raw;
}

Result<RawRecord> ReadRawRecord(RangeReader& reader, bool gzip) {
  if (!gzip) return ReadPlainRecord(reader);
  EMBARC_ASSIGN_OR_RETURN(internal::InflatedMember member, internal::InflateMember(reader, kMaxRecordBytes));
  return RawRecord{std::move(member.data), member.complete};
}

Result<bool> StartsWithGzipMagic(RangeReader& reader) {
  EMBARC_ASSIGN_OR_RETURN(ByteView in, reader.Peek());
  return internal::HasGzipMagic(in);
}

std::string Where(const std::filesystem::path& path, std::uint64_t offset) {
  return path.string() + " offset " + std::to_string(offset);
}

// Reads records front to back, calling `visit` (if any) for each. `valid_end` is the end
// of the last complete, valid record read, whatever the outcome; `ended_inside` (if given) is
// set when the scan stopped because the file ends inside a record.
Result<void> Scan(const std::filesystem::path& path, const std::function<Result<void>(const ReadRecord&)>* visit,
                  std::uint64_t& valid_end, bool* ended_inside = nullptr, std::uint64_t from = 0) {
  valid_end = from;
  if (ended_inside != nullptr) *ended_inside = false;
  EMBARC_ASSIGN_OR_RETURN(internal::UniqueFd fd, internal::OpenForRead(path));
  EMBARC_ASSIGN_OR_RETURN(const std::uint64_t size, internal::FileSize(fd.get(), path));
  if (from > size) {
    return Fail(ErrorCode::kCorruption, path.string() + " is shorter (" + std::to_string(size) + " bytes) than offset " +
                                            std::to_string(from));
  }
  RangeReader reader(fd.get(), from, size);
  auto gzip = StartsWithGzipMagic(reader);
  if (!gzip) return WithContext(gzip.error(), path.string());
  while (reader.remaining() > 0) {
    const std::uint64_t start = reader.position();
    auto raw = ReadRawRecord(reader, *gzip);
    if (!raw) return WithContext(raw.error(), Where(path, start));
    if (!raw->complete) {
      if (ended_inside != nullptr) *ended_inside = true;
      return Fail(ErrorCode::kCorruption, "truncated WARC file " + path.string() + ": the record at offset " +
                                              std::to_string(start) + " is incomplete; the last complete record ends at offset " +
                                              std::to_string(valid_end));
    }
    auto record = internal::ParseRecord(std::move(raw->bytes));
    if (!record) return WithContext(record.error(), Where(path, start));
    valid_end = reader.position();
    if (visit != nullptr) {
      ReadRecord rr{std::move(*record), start, valid_end - start};
      EMBARC_RETURN_IF_ERROR((*visit)(rr));
    }
  }
  return Ok();
}

// Whether a complete gzip member holding a valid record starts at some offset in
// [begin, end) of the file: the test that a damaged tail is only an interrupted append.
Result<bool> CompleteMemberStartsIn(int fd, std::uint64_t begin, std::uint64_t end) {
  constexpr std::size_t kChunk = 1 << 20;
  Bytes buf;
  for (std::uint64_t chunk = begin; chunk < end; chunk += kChunk) {
    // Read 2 bytes of overlap so a magic number across the chunk boundary is seen.
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk + 2, end - chunk));
    buf.resize(want);
    std::size_t got = 0;
    while (got < want) {
      const ssize_t n = ::pread(fd, buf.data() + got, want - got, static_cast<off_t>(chunk + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(ErrorCode::kIo, std::string("read: ") + std::strerror(errno));
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    const std::size_t last = std::min<std::size_t>(got, kChunk);
    for (std::size_t i = 0; i + 2 < got && i < last; ++i) {
      if (buf[i] != 0x1f || buf[i + 1] != 0x8b || buf[i + 2] != 0x08) continue;
      RangeReader reader(fd, chunk + i, end);
      auto member = internal::InflateMember(reader, kMaxRecordBytes);
      if (!member || !member->complete) continue;
      if (internal::ParseRecord(std::move(member->data))) return true;
    }
  }
  return false;
}

}  // namespace

Result<ReadRecord> ReadRecordAt(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t length) {
  EMBARC_ASSIGN_OR_RETURN(internal::UniqueFd fd, internal::OpenForRead(path));
  EMBARC_ASSIGN_OR_RETURN(const std::uint64_t size, internal::FileSize(fd.get(), path));
  if (length == 0 || offset > size || length > size - offset) {
    return Fail(ErrorCode::kCorruption, "record range [" + std::to_string(offset) + ", +" + std::to_string(length) +
                                            ") is outside " + path.string() + " (" + std::to_string(size) + " bytes)");
  }
  RangeReader reader(fd.get(), offset, offset + length);
  auto gzip = StartsWithGzipMagic(reader);
  if (!gzip) return WithContext(gzip.error(), Where(path, offset));
  auto raw = ReadRawRecord(reader, *gzip);
  if (!raw) return WithContext(raw.error(), Where(path, offset));
  if (!raw->complete) {
    return Fail(ErrorCode::kCorruption, Where(path, offset) + ": record ends after the given length " +
                                            std::to_string(length) + " (truncated or wrong length)");
  }
  if (reader.remaining() != 0) {
    return Fail(ErrorCode::kCorruption, Where(path, offset) + ": " + std::to_string(reader.remaining()) +
                                            " unexpected bytes after the record within the given length");
  }
  auto record = internal::ParseRecord(std::move(raw->bytes));
  if (!record) return WithContext(record.error(), Where(path, offset));
  return ReadRecord{std::move(*record), offset, length};
}

Result<void> ForEachRecord(const std::filesystem::path& path,
                           const std::function<Result<void>(const ReadRecord&)>& visit) {
  std::uint64_t valid_end = 0;
  return Scan(path, &visit, valid_end);
}

Result<std::uint64_t> ValidPrefixLength(const std::filesystem::path& path) {
  std::uint64_t valid_end = 0;
  auto scanned = Scan(path, nullptr, valid_end);
  if (!scanned && scanned.error().code != ErrorCode::kCorruption &&
      scanned.error().code != ErrorCode::kLimitExceeded) {
    return tl::unexpected(scanned.error());
  }
  return valid_end;
}

Result<TailState> InspectTail(const std::filesystem::path& path) { return InspectTailFrom(path, 0); }

Result<TailState> InspectTailFrom(const std::filesystem::path& path, std::uint64_t from) {
  TailState state;
  bool ended_inside = false;
  auto scanned = Scan(path, nullptr, state.valid_end, &ended_inside, from);
  if (!scanned && scanned.error().code != ErrorCode::kCorruption &&
      scanned.error().code != ErrorCode::kLimitExceeded) {
    return tl::unexpected(scanned.error());
  }
  EMBARC_ASSIGN_OR_RETURN(internal::UniqueFd fd, internal::OpenForRead(path));
  EMBARC_ASSIGN_OR_RETURN(state.file_size, internal::FileSize(fd.get(), path));
  if (scanned) {
    state.clean = true;
    return state;
  }
  if (!ended_inside || state.valid_end >= state.file_size) return state;
  // The incomplete record itself starts at valid_end; look for a complete one after it.
  EMBARC_ASSIGN_OR_RETURN(const bool later, CompleteMemberStartsIn(fd.get(), state.valid_end + 1, state.file_size));
  state.crash_tail = !later;
  return state;
}

Result<TailState> RepairCrashTail(const std::filesystem::path& path) {
  EMBARC_ASSIGN_OR_RETURN(TailState state, InspectTail(path));
  if (!state.crash_tail) return state;
  internal::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return Fail(ErrorCode::kIo, "open " + path.string() + ": " + std::strerror(errno));
  if (::ftruncate(fd.get(), static_cast<off_t>(state.valid_end)) != 0 || ::fsync(fd.get()) != 0) {
    return Fail(ErrorCode::kIo, "cut the incomplete last record of " + path.string() + ": " + std::strerror(errno));
  }
  return state;
}

}  // namespace embarc::warc
