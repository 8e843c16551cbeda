// `embarc extract --warc`: which WARC records are HTML pages, and their documents.
#ifndef EMBARC_SRC_CLI_WARC_EXTRACT_H_
#define EMBARC_SRC_CLI_WARC_EXTRACT_H_

#include <cstdint>
#include <string>

#include "embarc/html/extract.h"
#include "embarc/net/fetcher.h"
#include "embarc/warc/warc.h"

namespace embarc::cli {

// Blocks are kept up to this size while scanning: an HTML body past kMaxDocumentBytes is skipped
// anyway, and the HTTP head before it is at most net::kMaxHeaderBytes.
inline constexpr std::uint64_t kMaxWarcBlockKept = html::kMaxDocumentBytes + net::kMaxHeaderBytes;

struct WarcHtml {
  enum class Kind {
    kNotHtml,  // not a response or resource record, not HTTP, not 2xx, or not text/html / application/xhtml+xml
    kHtml,     // `html` is the decoded document
    kSkipped,  // an HTML response that cannot be used; `why` says why (too large, bad encoding)
  };
  Kind kind = Kind::kNotHtml;
  std::string target_uri;  // WARC-Target-URI, without the <> some writers put around it
  std::string html;
  std::string why;
};

// Classifies one scanned record. An HTML page is a `resource` record with WARC Content-Type
// text/html or application/xhtml+xml (the block is the document), or a `response` record whose block is an HTTP
// response (any WARC Content-Type; the block must start "HTTP/") with a 2xx status and a
// Content-Type of text/html or application/xhtml+xml. Its body is de-chunked when the head says
// Transfer-Encoding: chunked and the body parses as chunks (some writers store it that way; if
// it does not parse, it is taken as is), then Content-Encoding gzip/deflate is undone, capped at
// html::kMaxDocumentBytes.
WarcHtml HtmlOfRecord(const warc::ScannedRecord& scanned);

// Removes HTTP/1.1 chunked transfer coding. Errors: kInvalidArgument when `body` is not a
// well-formed chunked body (a missing last chunk counts as well-formed: it was cut in transit).
[[nodiscard]] Result<Bytes> Dechunk(ByteView body);

}  // namespace embarc::cli

#endif  // EMBARC_SRC_CLI_WARC_EXTRACT_H_
