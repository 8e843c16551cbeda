#include "store/json_codec.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <string>

namespace embarc::store {
namespace {

// The preset dictionary of kPackedJsonV1. NEVER EDIT: rows packed with it exist.
// (Deflate finds matches up to 32 KiB back and codes near ones in fewer bits, so what
// every record repeats comes last: a record's skeleton with its member names in
// canonical order.)
constexpr std::string_view kDictionaryV1 =
    "https://www.linkedin.com/embed/feed/update/urn:li:share:https://open.spotify.com/oembed?url="
    "https://vimeo.com/api/oembed.json?url=https://vimeo.com/https://t.me/https://www.facebook.com/"
    "https://www.threads.com/t/https://www.threads.net/@https://www.reddit.com/api/info.json?id=t3_"
    "https://www.reddit.com/oembed?url=https://www.reddit.com/r/comments/https://i.redd.it/"
    "https://www.tiktok.com/oembed?url=https://www.tiktok.com/@/video/"
    "https://www.instagram.com/p/https://www.instagram.com/reel/"
    "https://www.youtube.com/oembed?url=https://www.youtube.com/watch?v=https://i.ytimg.com/vi/"
    "https://public.api.bsky.app/xrpc/app.bsky.feed.getPostThread?uri=at://did:plc:/app.bsky.feed.post/"
    "https://cdn.bsky.app/img/feed_fullsize/plain/https://bsky.app/profile//post/"
    "https://pbs.twimg.com/media/https://video.twimg.com/"
    "{\"payload\":\"\",\"payloadType\":\"application/vnd.embarc.snapshot+json\",\"signatures\":[{\"keyid\":\"\",\"sig\":\"\"}]}"
    "\"state\":\"deleted\"\"state\":\"withheld\"\"state\":\"login_required\"\"state\":\"rate_limited\""
    "\"state\":\"unreachable\"\"outcome\":\"error\",\"http_status\":404,\"outcome\":\"ok\",\"http_status\":429,"
    "\"http_status\":null,\"outcome\":\"timeout\",\"error\":\"\"content\":null,"
    "\"reason\":\"oEmbed answered 200 with the API answered 404 not found\"change\":\"same\""
    "\"change\":\"edited\"\"media\":[{\"sha256\":\"\",\"url\":\"https://\"}],"
    "\"cited_in\":[{\"article_url\":\"https://\",\"quote_sha256\":\"\"}],"
    "{\"agent\":\"embarc/0.1.0\",\"captures\":[{\"error\":null,\"http_status\":200,\"outcome\":\"ok\","
    "\"payload_sha256\":\"\",\"url\":\"https://cdn.syndication.twimg.com/tweet-result?id=&token=\","
    "\"warc_file\":\"embarc-2026.warc.gz\",\"warc_record_id\":\"<urn:uuid:>\"},{\"error\":null,"
    "\"http_status\":200,\"outcome\":\"ok\",\"payload_sha256\":\"\","
    "\"url\":\"https://publish.twitter.com/oembed?url=https://twitter.com//status/\","
    "\"warc_file\":\"embarc-2026.warc.gz\",\"warc_record_id\":\"<urn:uuid:>\"}],\"change\":\"first\","
    "\"cited_in\":[],\"content\":{\"author\":\"\",\"author_name\":\"\",\"created_at\":\"2026-T:00:00.000Z\","
    "\"edit_ids\":[\"\"],\"lang\":\"en\",\"media\":[],\"source\":\"syndication\",\"text\":\"\",\"version\":\"\"},"
    "\"content_sha256\":\"\",\"observed_at\":\"2026-T:00:00.000Z\",\"platform\":\"twitter\",\"post_id\":\"\","
    "\"previous\":null,\"reason\":\"syndication API answered 200 with the tweet\",\"state\":\"available\","
    "\"url\":\"https://twitter.com//status/\",\"v\":1}";

constexpr int kRawDeflate = -MAX_WBITS;
constexpr std::size_t kFirstBufferBytes = 16u << 10;  // UnpackJson's buffer: most records fit
constexpr std::size_t kKeptBufferBytes = 1u << 20;    // and what it keeps between calls
constexpr int kMemLevel = 8;

struct DeflateEnd {
  void operator()(z_stream* s) const {
    deflateEnd(s);
    delete s;
  }
};
struct InflateEnd {
  void operator()(z_stream* s) const {
    inflateEnd(s);
    delete s;
  }
};

// One stream per thread, reset for each value: setting a stream up allocates its
// window and tables (a quarter of a megabyte for deflate), which would cost more than
// packing a record.
z_stream* Deflater() {
  thread_local std::unique_ptr<z_stream, DeflateEnd> stream = [] {
    auto* s = new z_stream{};
    if (deflateInit2(s, Z_BEST_COMPRESSION, Z_DEFLATED, kRawDeflate, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
      delete s;
      return std::unique_ptr<z_stream, DeflateEnd>();
    }
    return std::unique_ptr<z_stream, DeflateEnd>(s);
  }();
  return stream.get();
}

z_stream* Inflater() {
  thread_local std::unique_ptr<z_stream, InflateEnd> stream = [] {
    auto* s = new z_stream{};
    if (inflateInit2(s, kRawDeflate) != Z_OK) {
      delete s;
      return std::unique_ptr<z_stream, InflateEnd>();
    }
    return std::unique_ptr<z_stream, InflateEnd>(s);
  }();
  return stream.get();
}

const Bytef* DictionaryBytes() { return reinterpret_cast<const Bytef*>(kDictionaryV1.data()); }

}  // namespace

std::string PackJson(std::string_view record) {
  z_stream* zs = Deflater();
  // Past kMaxUnpackedJsonBytes it stays as it is: UnpackJson would refuse it packed.
  if (zs == nullptr || record.empty() || record.front() != '{' || record.size() > kMaxUnpackedJsonBytes) {
    return std::string(record);
  }
  if (deflateReset(zs) != Z_OK ||
      deflateSetDictionary(zs, DictionaryBytes(), static_cast<uInt>(kDictionaryV1.size())) != Z_OK) {
    return std::string(record);
  }
  std::string out(1 + deflateBound(zs, static_cast<uLong>(record.size())), '\0');
  out[0] = kPackedJsonV1;
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(record.data()));
  zs->avail_in = static_cast<uInt>(record.size());
  zs->next_out = reinterpret_cast<Bytef*>(out.data() + 1);
  zs->avail_out = static_cast<uInt>(out.size() - 1);
  if (deflate(zs, Z_FINISH) != Z_STREAM_END) return std::string(record);
  out.resize(out.size() - zs->avail_out);
  if (out.size() >= record.size()) return std::string(record);
  return out;
}

Result<std::string> UnpackJson(std::string_view stored) {
  if (stored.empty() || stored.front() != kPackedJsonV1) return std::string(stored);
  const auto corrupt = [](const std::string& why) {
    return Fail(ErrorCode::kCorruption, "a packed value in the index " + why);
  };
  z_stream* zs = Inflater();
  // (A raw stream names no dictionary: the form byte does, and it is set before inflating.)
  if (zs == nullptr || inflateReset(zs) != Z_OK ||
      inflateSetDictionary(zs, DictionaryBytes(), static_cast<uInt>(kDictionaryV1.size())) != Z_OK) {
    return Fail(ErrorCode::kInternal, "cannot set up zlib's inflate");
  }
  if (stored.size() > UINT_MAX) return corrupt("is too large");
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stored.data() + 1));
  zs->avail_in = static_cast<uInt>(stored.size() - 1);
  // Inflated into a buffer kept per thread (verify unpacks two values a record), then copied
  // out at its size.
  thread_local std::string buffer;
  if (buffer.size() < kFirstBufferBytes) buffer.resize(kFirstBufferBytes);
  // A hostile value may grow the buffer up to the limit: that much is not kept per thread.
  struct Shrink {
    ~Shrink() {
      if (buffer.size() > kKeptBufferBytes) std::string().swap(buffer);
    }
  } shrink;
  std::size_t produced = 0;
  while (true) {
    zs->next_out = reinterpret_cast<Bytef*>(buffer.data() + produced);
    zs->avail_out = static_cast<uInt>(std::min(buffer.size(), kMaxUnpackedJsonBytes + 1) - produced);
    const int rc = inflate(zs, Z_FINISH);
    produced = std::min(buffer.size(), kMaxUnpackedJsonBytes + 1) - zs->avail_out;
    if (produced > kMaxUnpackedJsonBytes) {
      return corrupt("inflates past " + std::to_string(kMaxUnpackedJsonBytes) + " bytes");
    }
    if (rc == Z_STREAM_END) break;
    // Short of room (Z_BUF_ERROR, or Z_OK, with the output full): more room. Else it is
    // cut short or not deflate.
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || zs->avail_out != 0) return corrupt("does not inflate");
    buffer.resize(std::min(buffer.size() * 2, kMaxUnpackedJsonBytes + 1));
  }
  if (zs->avail_in != 0) return corrupt("has bytes after its end");
  if (produced == 0 || buffer.front() != '{') return corrupt("does not inflate to JSON");
  return std::string(buffer.data(), produced);
}

}  // namespace embarc::store
