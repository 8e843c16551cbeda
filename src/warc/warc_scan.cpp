// ScanRecords: reading WARC files written by any tool, as a stream of records.
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "embarc/warc/warc.h"
#include "warc/record_codec.h"
#include "warc/warc_io.h"

namespace embarc::warc {
namespace {

using internal::RangeReader;

constexpr std::size_t kStreamChunkBytes = 64u << 10;   // decompressed bytes produced per Read()
constexpr std::string_view kVersionPrefix = "WARC/";
constexpr std::uint64_t kMaxContentLength = 1ull << 40;  // a Content-Length beyond this is nonsense

struct InflateEnder {
  void operator()(z_stream* s) const {
    inflateEnd(s);
    delete s;
  }
};

// The decompressed bytes of a WARC file, in order: plain files pass through; gzip files are
// inflated member after member (RFC 1952 §2.2 allows any number of members).
class StreamSource {
 public:
  StreamSource(RangeReader& reader, bool gzip) : reader_(reader), gzip_(gzip) {}

  // Appends up to `cap` next bytes to `out`; returns how many. 0 only at the end of the file.
  // Errors: kCorruption (bad gzip data; "truncated" when the file ends inside a member), kIo, kInternal.
  Result<std::size_t> Read(std::uint8_t* out, std::size_t cap) {
    if (!gzip_) {
      EMBARC_ASSIGN_OR_RETURN(ByteView in, reader_.Peek());
      const std::size_t n = std::min(in.size(), cap);
      if (n == 0) return std::size_t{0};  // end of file (in.data() may be null: no memcpy)
      std::memcpy(out, in.data(), n);
      reader_.Consume(n);
      return n;
    }
    for (;;) {
      EMBARC_ASSIGN_OR_RETURN(ByteView in, reader_.Peek());
      if (!in_member_) {
        if (in.empty()) return std::size_t{0};
        EMBARC_RETURN_IF_ERROR(StartMember());
      } else if (in.empty()) {
        return Fail(ErrorCode::kCorruption, "truncated gzip member starting at file offset " +
                                                std::to_string(member_start_) + " (the file ends inside it)");
      }
      in = in.first(std::min<std::size_t>(in.size(), UINT_MAX));
      zs_->next_in = const_cast<Bytef*>(in.data());
      zs_->avail_in = static_cast<uInt>(in.size());
      zs_->next_out = out;
      zs_->avail_out = static_cast<uInt>(std::min<std::size_t>(cap, UINT_MAX));
      const uInt out_before = zs_->avail_out;
      const int rc = inflate(zs_.get(), Z_NO_FLUSH);
      reader_.Consume(in.size() - zs_->avail_in);
      const std::size_t produced = out_before - zs_->avail_out;
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Fail(ErrorCode::kCorruption, "bad gzip data in the member starting at file offset " +
                                                std::to_string(member_start_) + ": " +
                                                (zs_->msg != nullptr ? zs_->msg : "inflate error"));
      }
      if (produced > 0) return produced;
    }
  }

 private:
  Result<void> StartMember() {
    if (!zs_) {
      zs_.reset(new z_stream{});
      if (inflateInit2(zs_.get(), 16 + MAX_WBITS) != Z_OK) {
        zs_.reset();
        return Fail(ErrorCode::kInternal, "inflateInit2 failed");
      }
    } else if (inflateReset(zs_.get()) != Z_OK) {
      return Fail(ErrorCode::kInternal, "inflateReset failed");
    }
    in_member_ = true;
    member_start_ = reader_.position();
    return Ok();
  }

  RangeReader& reader_;
  const bool gzip_;
  std::unique_ptr<z_stream, InflateEnder> zs_;
  bool in_member_ = false;
  std::uint64_t member_start_ = 0;
};

// A buffered cursor over the decompressed stream.
class RecordStream {
 public:
  explicit RecordStream(StreamSource& source) : source_(source) {}

  std::uint64_t offset() const { return offset_; }

  // Skips CR and LF bytes (record trailers, stray blank lines). True at the end of the stream.
  Result<bool> SkipBlankLines() {
    for (;;) {
      while (pos_ < buf_.size() && (buf_[pos_] == '\r' || buf_[pos_] == '\n')) Advance(1);
      if (pos_ < buf_.size()) return false;
      EMBARC_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return true;
    }
  }

  // The record head through its "\r\n\r\n". Errors: kCorruption (too long, or truncated).
  Result<std::string> ReadHead() {
    std::size_t searched = 0;  // bytes after pos_ known to hold no terminator start
    for (;;) {
      const std::string_view avail(reinterpret_cast<const char*>(buf_.data() + pos_), buf_.size() - pos_);
      if (!avail.starts_with(kVersionPrefix.substr(0, std::min(avail.size(), kVersionPrefix.size())))) {
        return Fail(ErrorCode::kCorruption, "not a WARC record (no \"WARC/\" version line)");
      }
      const std::size_t found = avail.find(internal::kHeadTerminator, searched);
      if (found != std::string_view::npos) {
        std::string head(avail.substr(0, found + internal::kHeadTerminator.size()));
        Advance(head.size());
        return head;
      }
      if (avail.size() > kMaxHeaderBytes) {
        return Fail(ErrorCode::kCorruption, "no WARC record head ends within " + std::to_string(kMaxHeaderBytes) + " bytes");
      }
      searched = avail.size() >= 3 ? avail.size() - 3 : 0;
      EMBARC_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return Fail(ErrorCode::kCorruption, "truncated WARC file: it ends inside a record head");
    }
  }

  // Consumes `n` bytes, appending the first `keep` of them to `out`. Errors: kCorruption
  // ("truncated ...") when the stream ends first.
  Result<void> ReadBlock(std::uint64_t n, std::uint64_t keep, Bytes& out) {
    while (n > 0) {
      if (pos_ == buf_.size()) {
        EMBARC_ASSIGN_OR_RETURN(bool more, Fill());
        if (!more) {
          return Fail(ErrorCode::kCorruption, "truncated WARC file: it ends " + std::to_string(n) +
                                                  " bytes before the end of a record block");
        }
      }
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, buf_.size() - pos_));
      if (keep > 0) {
        const std::size_t kept = static_cast<std::size_t>(std::min<std::uint64_t>(keep, take));
        out.insert(out.end(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_),
                   buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + kept));
        keep -= kept;
      }
      Advance(take);
      n -= take;
    }
    return Ok();
  }

 private:
  void Advance(std::size_t n) {
    pos_ += n;
    offset_ += n;
  }

  // Appends one chunk of the stream to the buffer; false at its end.
  Result<bool> Fill() {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    } else if (pos_ >= kStreamChunkBytes) {
      buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
      pos_ = 0;
    }
    const std::size_t old = buf_.size();
    buf_.resize(old + kStreamChunkBytes);
    auto n = source_.Read(buf_.data() + old, kStreamChunkBytes);
    if (!n) {
      buf_.resize(old);
      return tl::unexpected(n.error());
    }
    buf_.resize(old + *n);
    return *n > 0;
  }

  StreamSource& source_;
  Bytes buf_;
  std::size_t pos_ = 0;
  std::uint64_t offset_ = 0;  // stream offset of buf_[pos_]
};

// The value of the single Content-Length field. Unlike the verifier this accepts any size:
// big records are skipped, not refused.
Result<std::uint64_t> BlockLength(const internal::Fields& fields) {
  const std::string* found = nullptr;
  for (const auto& [name, value] : fields) {
    if (!internal::EqualsIgnoreCase(name, "Content-Length")) continue;
    if (found != nullptr) return Fail(ErrorCode::kCorruption, "duplicate Content-Length");
    found = &value;
  }
  if (found == nullptr) return Fail(ErrorCode::kCorruption, "WARC record without Content-Length");
  if (found->empty() || found->size() > 15 || found->find_first_not_of("0123456789") != std::string::npos) {
    return Fail(ErrorCode::kCorruption, "bad Content-Length \"" + *found + "\"");
  }
  const std::uint64_t n = std::stoull(*found);
  if (n > kMaxContentLength) return Fail(ErrorCode::kCorruption, "implausible Content-Length " + *found);
  return n;
}

}  // namespace

Result<void> ScanRecords(const std::filesystem::path& path, std::uint64_t max_block_bytes,
                         const std::function<Result<void>(const ScannedRecord&)>& visit) {
  EMBARC_ASSIGN_OR_RETURN(internal::UniqueFd fd, internal::OpenForRead(path));
  EMBARC_ASSIGN_OR_RETURN(const std::uint64_t size, internal::FileSize(fd.get(), path));
  RangeReader reader(fd.get(), 0, size);
  bool gzip = false;
  {
    // Two bytes decide; a one-byte file is plain (and then not a WARC record).
    auto first = reader.Peek();
    if (!first) return WithContext(first.error(), path.string());
    gzip = internal::HasGzipMagic(*first);
  }
  StreamSource source(reader, gzip);
  RecordStream stream(source);
  for (std::uint64_t index = 0;; ++index) {
    auto where = [&](std::uint64_t at) {
      return path.string() + ", record " + std::to_string(index + 1) + " (at " + (gzip ? "decompressed " : "") +
             "offset " + std::to_string(at) + ")";
    };
    auto end = stream.SkipBlankLines();
    if (!end) return WithContext(end.error(), where(stream.offset()));
    if (*end) return Ok();
    const std::uint64_t start = stream.offset();
    auto head = stream.ReadHead();
    if (!head) return WithContext(head.error(), where(start));
    auto fields = internal::ParseHead(*head);
    if (!fields) return WithContext(fields.error(), where(start));
    auto length = BlockLength(*fields);
    if (!length) return WithContext(length.error(), where(start));
    ScannedRecord scanned;
    scanned.record.fields = std::move(*fields);
    scanned.block_length = *length;
    scanned.block_cut = *length > max_block_bytes;
    scanned.index = index;
    scanned.stream_offset = start;
    const std::uint64_t keep = std::min(*length, max_block_bytes);
    if (auto block = stream.ReadBlock(*length, keep, scanned.record.block); !block) {
      return WithContext(block.error(), where(start));
    }
    EMBARC_RETURN_IF_ERROR(visit(scanned));
  }
}

}  // namespace embarc::warc
