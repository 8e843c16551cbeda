// Content-Encoding decoding with a hard output cap, so a compression bomb stops at the cap.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "embarc/net/fetcher.h"
#include "core/ascii.h"

namespace embarc::net {
namespace {

constexpr std::size_t kInflateChunkBytes = 64u << 10;    // output produced per inflate() call
constexpr std::size_t kInflateInputSlice = 1u << 30;     // avail_in is a uInt
constexpr std::size_t kMaxContentCodings = 4;            // "gzip, gzip, ..." beyond this is hostile

enum class Wrapper { kGzip, kZlib, kRaw };

std::string LowerTrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return ascii::Lower(s);
}

Result<Bytes> Inflate(ByteView in, Wrapper wrapper, std::size_t max_bytes) {
  z_stream zs{};
  const int window_bits = wrapper == Wrapper::kGzip ? 16 + MAX_WBITS
                          : wrapper == Wrapper::kZlib ? MAX_WBITS
                                                      : -MAX_WBITS;
  if (inflateInit2(&zs, window_bits) != Z_OK) return Fail(ErrorCode::kInternal, "inflateInit2 failed");
  struct InflateEnd {
    void operator()(z_stream* s) const { inflateEnd(s); }
  };
  const std::unique_ptr<z_stream, InflateEnd> guard(&zs);

  Bytes out;
  std::array<std::uint8_t, kInflateChunkBytes> chunk{};
  std::size_t consumed = 0;
  bool ended = false;
  while (true) {
    if (zs.avail_in == 0 && consumed < in.size()) {
      const std::size_t slice = std::min(in.size() - consumed, kInflateInputSlice);
      zs.next_in = const_cast<Bytef*>(in.data() + consumed);
      zs.avail_in = static_cast<uInt>(slice);
      consumed += slice;
    }
    zs.next_out = chunk.data();
    zs.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - zs.avail_out;
    if (produced > max_bytes - out.size()) {
      return Fail(ErrorCode::kLimitExceeded,
                  "decompressed body exceeds " + std::to_string(max_bytes) + " bytes");
    }
    out.insert(out.end(), chunk.data(), chunk.data() + produced);
    if (rc == Z_STREAM_END) {
      const bool more_input = zs.avail_in > 0 || consumed < in.size();
      // A gzip body may hold several members (RFC 1952 §2.2); decode them all.
      if (wrapper == Wrapper::kGzip && more_input) {
        if (inflateReset(&zs) != Z_OK) return Fail(ErrorCode::kInternal, "inflateReset failed");
        continue;
      }
      ended = true;
      break;
    }
    if (rc == Z_BUF_ERROR && produced == 0 && zs.avail_in == 0 && consumed == in.size()) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string("corrupt compressed body: ") + (zs.msg != nullptr ? zs.msg : "inflate error"));
    }
  }
  if (!ended) return Fail(ErrorCode::kInvalidArgument, "corrupt compressed body: truncated stream");
  return out;
}

// "deflate" means a zlib stream (RFC 9110 §8.4.1.2), but some servers send raw deflate.
bool LooksLikeZlibHeader(ByteView in) {
  if (in.size() < 2) return false;
  const unsigned cmf = in[0];
  const unsigned flg = in[1];
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

Result<Bytes> DecodeOne(const std::string& coding, ByteView in, std::size_t max_bytes) {
  if (coding.empty() || coding == "identity") {
    if (in.size() > max_bytes) {
      return Fail(ErrorCode::kLimitExceeded,
                  "decompressed body exceeds " + std::to_string(max_bytes) + " bytes");
    }
    return Bytes(in.begin(), in.end());
  }
  if (coding == "gzip" || coding == "x-gzip") return Inflate(in, Wrapper::kGzip, max_bytes);
  if (coding == "deflate") {
    return Inflate(in, LooksLikeZlibHeader(in) ? Wrapper::kZlib : Wrapper::kRaw, max_bytes);
  }
  return Fail(ErrorCode::kInvalidArgument, "unsupported content-encoding \"" + coding + "\"");
}

}  // namespace

Result<Bytes> DecodeContent(const HttpExchange& exchange, std::size_t max_bytes) {
  // Codings are listed in the order applied (RFC 9110 §8.4), so undo them right to left.
  std::vector<std::string> codings;
  const std::string header = exchange.Header("Content-Encoding");
  std::size_t start = 0;
  while (start <= header.size()) {
    const std::size_t comma = std::min(header.find(',', start), header.size());
    std::string coding = LowerTrim(std::string_view(header).substr(start, comma - start));
    if (!coding.empty() && coding != "identity") codings.push_back(std::move(coding));
    start = comma + 1;
  }
  if (codings.size() > kMaxContentCodings) {
    return Fail(ErrorCode::kInvalidArgument, "too many content codings: " + header);
  }
  if (codings.empty()) return DecodeOne("", exchange.body, max_bytes);
  Bytes current;
  ByteView input = exchange.body;
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    EMBARC_ASSIGN_OR_RETURN(Bytes next, DecodeOne(*it, input, max_bytes));
    current = std::move(next);
    input = current;
  }
  return current;
}

}  // namespace embarc::net
