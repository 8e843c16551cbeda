#include "cli/warc_extract.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "core/ascii.h"

namespace embarc::cli {
namespace {

using ascii::Lower;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The HTTP head: "\r\n\r\n"-terminated, or "\n\n" for writers that stored bare LFs.
bool SplitHead(ByteView block, std::string_view& head, ByteView& body) {
  const std::string_view text = AsChars(block);
  std::size_t end = text.find("\r\n\r\n");
  std::size_t terminator = 4;
  const std::size_t lf = text.find("\n\n");
  if (lf != std::string_view::npos && (end == std::string_view::npos || lf < end)) {
    end = lf;
    terminator = 2;
  }
  if (end == std::string_view::npos) return false;
  head = text.substr(0, end + terminator);
  body = block.subspan(end + terminator);
  return true;
}

// Status code and header lines of an HTTP response head; status 0 when it is not one.
int ParseHead(std::string_view head, net::HeaderList& headers) {
  const std::size_t eol = head.find('\n');
  const std::string_view status_line = Trim(head.substr(0, eol));
  if (!status_line.starts_with("HTTP/")) return 0;
  const std::size_t sp = status_line.find(' ');
  if (sp == std::string_view::npos || status_line.size() < sp + 4) return 0;
  const std::string_view code = status_line.substr(sp + 1, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) return 0;
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
  while (!rest.empty()) {
    const std::size_t next = rest.find('\n');
    const std::string_view line = Trim(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    const std::size_t colon = line.find(':');
    if (line.empty() || colon == std::string_view::npos) continue;
    headers.emplace_back(std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  }
  return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

bool IsHtmlType(const std::string& content_type) {
  const std::string type = Lower(Trim(std::string_view(content_type).substr(0, content_type.find(';'))));
  return type == "text/html" || type == "application/xhtml+xml";
}

}  // namespace

Result<Bytes> Dechunk(ByteView body) {
  const std::string_view text = AsChars(body);
  Bytes out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find("\r\n", pos);
    if (eol == std::string_view::npos || eol - pos > 1024) {
      return Fail(ErrorCode::kInvalidArgument, "not a chunked body: no chunk-size line");
    }
    std::string_view size_text = text.substr(pos, eol - pos);
    size_text = Trim(size_text.substr(0, size_text.find(';')));  // chunk extensions
    if (size_text.empty() || size_text.size() > 15 ||
        !std::all_of(size_text.begin(), size_text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
      return Fail(ErrorCode::kInvalidArgument, "not a chunked body: bad chunk size");
    }
    const std::uint64_t size = std::stoull(std::string(size_text), nullptr, 16);
    pos = eol + 2;
    if (size == 0) return out;  // trailers, if any, are not content
    if (size > text.size() - pos) {
      return Fail(ErrorCode::kInvalidArgument, "not a chunked body: a chunk runs past the end");
    }
    out.insert(out.end(), body.begin() + static_cast<std::ptrdiff_t>(pos),
               body.begin() + static_cast<std::ptrdiff_t>(pos + size));
    pos += static_cast<std::size_t>(size);
    if (text.substr(pos, 2) != "\r\n") {
      if (pos == text.size()) return out;
      return Fail(ErrorCode::kInvalidArgument, "not a chunked body: chunk not followed by CRLF");
    }
    pos += 2;
  }
  return out;
}

WarcHtml HtmlOfRecord(const warc::ScannedRecord& scanned) {
  WarcHtml out;
  const warc::WarcRecord& record = scanned.record;
  const std::string type = Lower(record.Field("WARC-Type"));
  if (type != "response" && type != "resource") return out;
  const std::string field = record.Field("WARC-Target-URI");
  std::string_view uri = Trim(field);
  if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>') uri = uri.substr(1, uri.size() - 2);
  out.target_uri = std::string(uri);
  if (type == "resource") {  // the document itself, no HTTP (embarc stores local article files so)
    if (!IsHtmlType(record.Field("Content-Type"))) return out;
    out.kind = WarcHtml::Kind::kSkipped;
    if (scanned.block_cut || record.block.size() > html::kMaxDocumentBytes) {
      out.why = "record block of " + std::to_string(scanned.block_length) + " bytes is over the HTML size limit";
      return out;
    }
    out.kind = WarcHtml::Kind::kHtml;
    out.html = ToString(record.block);
    return out;
  }
  std::string_view head;
  ByteView body;
  if (!SplitHead(record.block, head, body)) return out;  // not HTTP, or a head cut by kMaxWarcBlockKept
  net::HttpExchange exchange;
  exchange.url = out.target_uri;
  exchange.status = ParseHead(head, exchange.response_headers);
  if (exchange.status < 200 || exchange.status > 299) return out;
  if (!IsHtmlType(exchange.Header("Content-Type"))) return out;
  out.kind = WarcHtml::Kind::kSkipped;
  if (scanned.block_cut) {
    out.why = "record block of " + std::to_string(scanned.block_length) + " bytes is over the HTML size limit";
    return out;
  }
  exchange.body.assign(body.begin(), body.end());
  if (Lower(exchange.Header("Transfer-Encoding")).find("chunked") != std::string::npos) {
    if (auto plain = Dechunk(exchange.body)) exchange.body = std::move(*plain);
  }
  auto decoded = net::DecodeContent(exchange, html::kMaxDocumentBytes);
  if (!decoded) {
    out.why = decoded.error().code == ErrorCode::kLimitExceeded
                  ? "body is over the HTML size limit of " + std::to_string(html::kMaxDocumentBytes) + " bytes"
                  : decoded.error().message;
    return out;
  }
  out.kind = WarcHtml::Kind::kHtml;
  out.html = ToString(*decoded);
  return out;
}

}  // namespace embarc::cli
