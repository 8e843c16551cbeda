// Private to src/warc: file descriptors, bounded sequential reading, and gzip members.
#ifndef EMBARC_SRC_WARC_WARC_IO_H_
#define EMBARC_SRC_WARC_WARC_IO_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "embarc/core/bytes.h"
#include "embarc/core/result.h"

namespace embarc::warc::internal {

// Owns a POSIX file descriptor; -1 when empty.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset();

 private:
  int fd_ = -1;
};

// Opens `path` read-only. Errors: kNotFound (ENOENT), kIo.
[[nodiscard]] Result<UniqueFd> OpenForRead(const std::filesystem::path& path);
// Errors: kIo.
[[nodiscard]] Result<std::uint64_t> FileSize(int fd, const std::filesystem::path& path);

// Reads the byte range [begin, end) of a file front to back through a fixed-size buffer
// (pread, so the descriptor's offset is untouched). The caller consumes what it used of each
// Peek(); the rest stays buffered for the next Peek().
class RangeReader {
 public:
  static constexpr std::size_t kBufferBytes = 256 << 10;

  RangeReader(int fd, std::uint64_t begin, std::uint64_t end) : fd_(fd), end_(end), buffer_offset_(begin) {}

  // Absolute file offset of the next unconsumed byte.
  std::uint64_t position() const { return buffer_offset_ + pos_; }
  std::uint64_t remaining() const { return end_ - position(); }
  // The buffered unconsumed bytes, reading more when none are left. Empty only at `end`.
  // The view is valid until the next Consume(). Errors: kIo (including a file that shrank).
  [[nodiscard]] Result<ByteView> Peek();
  // Marks `n` bytes of the last Peek() as used; n <= its size.
  void Consume(std::size_t n) { pos_ += n; }

 private:
  int fd_;
  std::uint64_t end_;
  std::uint64_t buffer_offset_;  // file offset of buffer_[0]
  Bytes buffer_;
  std::size_t pos_ = 0;
};

// The concatenation of `parts` compressed as one gzip member (deflate, windowBits 31).
// Errors: kInternal (zlib failure).
[[nodiscard]] Result<Bytes> GzipMember(std::initializer_list<ByteView> parts);

struct InflatedMember {
  Bytes data;
  bool complete = false;  // false: the input ended before the member did (truncation)
};
// Inflates one gzip member from `reader`, leaving it positioned just after the member.
// Never holds more than max_output + 1 output bytes.
// Errors: kCorruption (not gzip, bad data, bad CRC or length), kLimitExceeded (more than
// max_output bytes), kInternal.
[[nodiscard]] Result<InflatedMember> InflateMember(RangeReader& reader, std::uint64_t max_output);

bool HasGzipMagic(ByteView bytes);

}  // namespace embarc::warc::internal

#endif  // EMBARC_SRC_WARC_WARC_IO_H_
