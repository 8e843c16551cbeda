#include "warc/warc_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>

namespace embarc::warc::internal {
namespace {

constexpr int kGzipWindowBits = 31;            // 15-bit window + 16: gzip wrapper only
constexpr std::size_t kMinOutputChunk = 64 << 10;
constexpr std::size_t kFirstInflateChunk = 16 << 10;
constexpr std::size_t kMaxZlibChunk = 1u << 30;  // avail_in/avail_out are 32-bit

struct DeflateEnder {
  void operator()(z_stream* s) const {
    deflateEnd(s);  // safe on a stream whose init failed (it returns Z_STREAM_ERROR)
    delete s;
  }
};
struct InflateEnder {
  void operator()(z_stream* s) const {
    inflateEnd(s);
    delete s;
  }
};

std::string ZlibMessage(const z_stream& s, int rc) {
  return s.msg != nullptr ? std::string(s.msg) : "zlib error " + std::to_string(rc);
}

// One deflate and one inflate stream per thread, reset for each member: setting up a deflate
// stream allocates ~300 KB (and freeing it costs page faults and TLB shootdowns), more than
// compressing a typical record. A stream left mid-member by an error is reset by the next use.
Result<z_stream*> ThreadDeflater() {
  thread_local std::unique_ptr<z_stream, DeflateEnder> stream;
  if (stream) {
    const int rc = deflateReset(stream.get());
    if (rc == Z_OK) return stream.get();
    stream.reset();
  }
  std::unique_ptr<z_stream, DeflateEnder> fresh(new z_stream{});
  const int init = deflateInit2(fresh.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
  if (init != Z_OK) return Fail(ErrorCode::kInternal, "deflateInit2: " + ZlibMessage(*fresh, init));
  stream = std::move(fresh);
  return stream.get();
}

Result<z_stream*> ThreadInflater() {
  thread_local std::unique_ptr<z_stream, InflateEnder> stream;
  if (stream) {
    const int rc = inflateReset(stream.get());
    if (rc == Z_OK) return stream.get();
    stream.reset();
  }
  std::unique_ptr<z_stream, InflateEnder> fresh(new z_stream{});
  const int init = inflateInit2(fresh.get(), kGzipWindowBits);
  if (init != Z_OK) return Fail(ErrorCode::kInternal, "inflateInit2: " + ZlibMessage(*fresh, init));
  stream = std::move(fresh);
  return stream.get();
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    Reset();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void UniqueFd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<UniqueFd> OpenForRead(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    return Fail(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                "open " + path.string() + ": " + std::strerror(err));
  }
  return fd;
}

Result<std::uint64_t> FileSize(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Fail(ErrorCode::kIo, "stat " + path.string() + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Fail(ErrorCode::kIo, path.string() + " is not a regular file");
  return static_cast<std::uint64_t>(st.st_size);
}

Result<ByteView> RangeReader::Peek() {
  if (pos_ < buffer_.size()) return ByteView(buffer_.data() + pos_, buffer_.size() - pos_);
  buffer_offset_ += pos_;
  pos_ = 0;
  buffer_.clear();
  if (buffer_offset_ >= end_) return ByteView();
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kBufferBytes, end_ - buffer_offset_));
  buffer_.resize(want);
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(fd_, buffer_.data() + got, want - got, static_cast<off_t>(buffer_offset_ + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      buffer_.clear();
      return Fail(ErrorCode::kIo, std::string("read: ") + std::strerror(err));
    }
    if (n == 0) {
      buffer_.clear();
      return Fail(ErrorCode::kIo, "read: file shrank while being read");
    }
    got += static_cast<std::size_t>(n);
  }
  return ByteView(buffer_.data(), buffer_.size());
}

bool HasGzipMagic(ByteView bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

Result<Bytes> GzipMember(std::initializer_list<ByteView> parts) {
  EMBARC_ASSIGN_OR_RETURN(z_stream* stream, ThreadDeflater());

  std::uint64_t total = 0;
  for (ByteView p : parts) total += p.size();
  Bytes out(static_cast<std::size_t>(deflateBound(stream, static_cast<uLong>(total))));
  std::size_t produced = 0;

  // Runs deflate until it has taken all of next_in (or, with Z_FINISH, until the member ends),
  // growing `out` whenever it is full.
  auto run = [&](int flush) -> Result<void> {
    for (;;) {
      if (produced == out.size()) out.resize(out.size() * 2 + kMinOutputChunk);
      stream->next_out = out.data() + produced;
      stream->avail_out = static_cast<uInt>(std::min(out.size() - produced, kMaxZlibChunk));
      const uInt before = stream->avail_out;
      const int rc = deflate(stream, flush);
      produced += before - stream->avail_out;
      if (rc == Z_STREAM_END) return Ok();
      if (rc != Z_OK && rc != Z_BUF_ERROR) return Fail(ErrorCode::kInternal, "deflate: " + ZlibMessage(*stream, rc));
      if (flush == Z_NO_FLUSH && stream->avail_in == 0) return Ok();
    }
  };
  for (ByteView p : parts) {
    std::size_t done = 0;
    while (done < p.size()) {
      const std::size_t n = std::min(p.size() - done, kMaxZlibChunk);
      // zlib's API takes a non-const pointer but does not write through next_in.
      stream->next_in = const_cast<Bytef*>(p.data() + done);
      stream->avail_in = static_cast<uInt>(n);
      EMBARC_RETURN_IF_ERROR(run(Z_NO_FLUSH));
      done += n;
    }
  }
  stream->next_in = nullptr;
  stream->avail_in = 0;
  EMBARC_RETURN_IF_ERROR(run(Z_FINISH));
  out.resize(produced);
  return out;
}

Result<InflatedMember> InflateMember(RangeReader& reader, std::uint64_t max_output) {
  EMBARC_ASSIGN_OR_RETURN(z_stream* stream, ThreadInflater());

  InflatedMember result;
  Bytes& out = result.data;
  std::size_t produced = 0;
  // One byte more than allowed, so that "exactly max_output" and "too much" can be told apart.
  const std::uint64_t cap = max_output + 1;
  for (;;) {
    EMBARC_ASSIGN_OR_RETURN(ByteView in, reader.Peek());
    if (in.empty()) {  // input ended inside the member
      out.resize(produced);
      result.complete = false;
      return result;
    }
    in = in.first(std::min(in.size(), kMaxZlibChunk));
    stream->next_in = const_cast<Bytef*>(in.data());
    stream->avail_in = static_cast<uInt>(in.size());
    for (;;) {
      if (produced == out.size()) {
        if (out.size() >= cap) {
          return Fail(ErrorCode::kLimitExceeded,
                      "gzip member inflates past " + std::to_string(max_output) + " bytes");
        }
        // Most records are a few KB: start small (vector growth zero-fills what it adds).
        const std::uint64_t grown = std::max<std::uint64_t>(out.size() * 2, kFirstInflateChunk);
        out.resize(static_cast<std::size_t>(std::min(grown, cap)));
      }
      stream->next_out = out.data() + produced;
      stream->avail_out = static_cast<uInt>(std::min(out.size() - produced, kMaxZlibChunk));
      const uInt out_before = stream->avail_out;
      const int rc = inflate(stream, Z_NO_FLUSH);
      produced += out_before - stream->avail_out;
      if (rc == Z_STREAM_END) {
        reader.Consume(in.size() - stream->avail_in);
        if (produced > max_output) {
          return Fail(ErrorCode::kLimitExceeded,
                      "gzip member inflates past " + std::to_string(max_output) + " bytes");
        }
        out.resize(produced);
        result.complete = true;
        return result;
      }
      if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
        return Fail(ErrorCode::kCorruption, "bad gzip data: " + ZlibMessage(*stream, rc));
      }
      if (rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
        return Fail(ErrorCode::kInternal, "inflate: " + ZlibMessage(*stream, rc));
      }
      if (stream->avail_in == 0) break;  // need more input
      if (stream->avail_out != 0) {
        // Neither input nor output is exhausted, yet zlib stopped: never expected.
        return Fail(ErrorCode::kCorruption, "inflate made no progress: " + ZlibMessage(*stream, rc));
      }
    }
    reader.Consume(in.size());
  }
}

}  // namespace embarc::warc::internal
