#include "embarc/url/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "core/ascii.h"

namespace embarc::url {
namespace {

using ascii::Lower;
using ascii::StartsWithNoCase;

struct CurlUrlDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

// Shortens a URL for an error message, so a hostile 16 KB URL does not become a 16 KB line.
std::string Shown(std::string_view raw) {
  constexpr std::size_t kShownBytes = 200;
  std::string out;
  for (const char c : raw.substr(0, kShownBytes)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (raw.size() > kShownBytes) out += "...";
  return out;
}

// The scheme of `ref` ("http", "ftp", ...) when it starts with one, else empty.
std::string_view SchemeOf(std::string_view ref) {
  if (ref.empty() || !std::isalpha(static_cast<unsigned char>(ref[0]))) return {};
  for (std::size_t i = 1; i < ref.size(); ++i) {
    const char c = ref[i];
    if (c == ':') return ref.substr(0, i);
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

// Trims, drops tabs and newlines, and percent-encodes spaces, controls and
// non-ASCII bytes outside the authority (libcurl refuses them; browsers encode them).
std::string Clean(std::string_view raw) {
  std::size_t begin = 0;
  std::size_t end = raw.size();
  while (begin < end && static_cast<unsigned char>(raw[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(raw[end - 1]) <= 0x20) --end;
  std::string s;
  s.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    if (raw[i] != '\t' && raw[i] != '\n' && raw[i] != '\r') s += raw[i];
  }
  // Authority: after "scheme://" or a leading "//", up to the first '/', '?' or '#'.
  std::size_t authority_begin = std::string::npos;
  if (const std::size_t p = s.find("://"); p != std::string::npos && !SchemeOf(s).empty() && p == SchemeOf(s).size()) {
    authority_begin = p + 3;
  } else if (s.rfind("//", 0) == 0) {
    authority_begin = 2;
  }
  std::size_t authority_end = authority_begin;
  if (authority_begin != std::string::npos) {
    authority_end = s.find_first_of("/?#", authority_begin);
    if (authority_end == std::string::npos) authority_end = s.size();
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    const bool in_authority = authority_begin != std::string::npos && i >= authority_begin && i < authority_end;
    if (!in_authority && (u <= 0x20 || u >= 0x7f)) {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::string> GetPart(CURLU* handle, CURLUPart part) {
  char* raw = nullptr;
  const CURLUcode rc = curl_url_get(handle, part, &raw, 0);
  CurlString owned(raw);
  if (rc != CURLUE_OK || owned == nullptr) return std::nullopt;
  return std::string(owned.get());
}

Result<Url> FromHandle(CURLU* handle, std::string_view shown_input) {
  Url url;
  url.scheme = Lower(GetPart(handle, CURLUPART_SCHEME).value_or(""));
  if (url.scheme != "http" && url.scheme != "https") {
    return Fail(ErrorCode::kInvalidArgument, "not an http(s) URL: " + Shown(shown_input));
  }
  url.host = Lower(GetPart(handle, CURLUPART_HOST).value_or(""));
  if (url.host.empty()) return Fail(ErrorCode::kInvalidArgument, "URL has no host: " + Shown(shown_input));
  // curl lets a control character through in a host after an empty userinfo ("https:///@a\x7f.com"),
  // but refuses it when the URL is written out and read again: such a host is not a host.
  if (std::any_of(url.host.begin(), url.host.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
    return Fail(ErrorCode::kInvalidArgument, "malformed URL (bad hostname): " + Shown(shown_input));
  }
  const std::optional<std::string> user = GetPart(handle, CURLUPART_USER);
  const std::optional<std::string> password = GetPart(handle, CURLUPART_PASSWORD);
  if (user) url.userinfo = *user + (password ? ":" + *password : "");
  url.port = GetPart(handle, CURLUPART_PORT).value_or("");
  url.path = GetPart(handle, CURLUPART_PATH).value_or("/");
  if (url.path.empty() || url.path[0] != '/') url.path.insert(0, "/");
  url.query = GetPart(handle, CURLUPART_QUERY);
  url.fragment = GetPart(handle, CURLUPART_FRAGMENT);
  return url;
}

Result<void> SetUrl(CURLU* handle, const std::string& text, std::string_view shown_input) {
  const CURLUcode rc = curl_url_set(handle, CURLUPART_URL, text.c_str(), 0);
  if (rc != CURLUE_OK) {
    return Fail(ErrorCode::kInvalidArgument,
                "malformed URL (" + std::string(curl_url_strerror(rc)) + "): " + Shown(shown_input));
  }
  return Ok();
}

Result<CurlUrl> NewHandle() {
  CurlUrl handle(curl_url());
  if (handle == nullptr) return Fail(ErrorCode::kInternal, "curl_url() failed");
  return handle;
}

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Url::ToString() const {
  std::string out = scheme + "://";
  if (!userinfo.empty()) out += userinfo + "@";
  out += host;
  if (!port.empty()) out += ":" + port;
  out += path;
  if (query) out += "?" + *query;
  if (fragment) out += "#" + *fragment;
  return out;
}

std::vector<QueryParam> Url::QueryParams() const {
  if (!query) return {};
  return ParseQuery(*query);
}

std::optional<std::string> Url::QueryValue(std::string_view name) const {
  for (QueryParam& p : QueryParams()) {
    if (p.name == name) return std::move(p.value);
  }
  return std::nullopt;
}

std::vector<std::string> Url::PathSegments() const {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    if (next > pos) out.push_back(PercentDecode(std::string_view(path).substr(pos, next - pos)));
    pos = next + 1;
  }
  return out;
}

Result<Url> ParseUrl(std::string_view raw) {
  if (raw.size() > kMaxUrlBytes) {
    return Fail(ErrorCode::kLimitExceeded,
                "URL of " + std::to_string(raw.size()) + " bytes exceeds the limit of " + std::to_string(kMaxUrlBytes));
  }
  const std::string cleaned = Clean(raw);
  if (!StartsWithNoCase(cleaned, "http://") && !StartsWithNoCase(cleaned, "https://")) {
    return Fail(ErrorCode::kInvalidArgument, "not an http(s) URL: " + Shown(raw));
  }
  EMBARC_ASSIGN_OR_RETURN(CurlUrl handle, NewHandle());
  EMBARC_RETURN_IF_ERROR(SetUrl(handle.get(), cleaned, raw));
  return FromHandle(handle.get(), raw);
}

Result<Url> ResolveUrl(std::string_view base, std::string_view reference) {
  if (reference.size() > kMaxUrlBytes || base.size() > kMaxUrlBytes) {
    return Fail(ErrorCode::kLimitExceeded, "URL exceeds the limit of " + std::to_string(kMaxUrlBytes) + " bytes");
  }
  const std::string cleaned = Clean(reference);
  if (!SchemeOf(cleaned).empty()) return ParseUrl(cleaned);
  Result<Url> base_url = base.empty() ? Fail(ErrorCode::kInvalidArgument, "no base") : ParseUrl(base);
  if (!base_url) {
    if (cleaned.rfind("//", 0) == 0) return ParseUrl("https:" + cleaned);
    return Fail(ErrorCode::kInvalidArgument, "relative URL without a usable base: " + Shown(reference));
  }
  EMBARC_ASSIGN_OR_RETURN(CurlUrl handle, NewHandle());
  EMBARC_RETURN_IF_ERROR(SetUrl(handle.get(), base_url->ToString(), base));
  EMBARC_RETURN_IF_ERROR(SetUrl(handle.get(), cleaned, reference));
  return FromHandle(handle.get(), reference);
}

std::vector<QueryParam> ParseQuery(std::string_view query) {
  std::vector<QueryParam> out;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t next = query.find('&', pos);
    if (next == std::string_view::npos) next = query.size();
    const std::string_view piece = query.substr(pos, next - pos);
    if (!piece.empty()) {
      const std::size_t eq = piece.find('=');
      QueryParam param;
      param.name = PercentDecode(piece.substr(0, eq), /*plus_as_space=*/true);
      if (eq != std::string_view::npos) param.value = PercentDecode(piece.substr(eq + 1), /*plus_as_space=*/true);
      out.push_back(std::move(param));
    }
    pos = next + 1;
  }
  return out;
}

std::string PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_as_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (IsUnreserved(u)) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
  return out;
}

bool IsTrackingParam(std::string_view name) {
  static constexpr std::array<std::string_view, 17> kTracking = {
      "ref_src", "ref_url",      "s",          "t",   "igshid",  "igsh", "si", "feature", "is_from_webapp",
      "sender_device", "_r", "refer", "embed_source", "ref_source", "ref", "context", "rdt"};
  const std::string lower = Lower(name);
  if (lower.rfind("utm_", 0) == 0) return true;
  for (const std::string_view t : kTracking) {
    if (lower == t) return true;
  }
  return false;
}

Url WithoutTrackingParams(const Url& url) {
  Url out = url;
  if (!url.query) return out;
  std::string kept;
  std::string_view query = *url.query;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t next = query.find('&', pos);
    if (next == std::string_view::npos) next = query.size();
    const std::string_view piece = query.substr(pos, next - pos);
    if (!piece.empty()) {
      const std::string name = PercentDecode(piece.substr(0, piece.find('=')), /*plus_as_space=*/true);
      if (!IsTrackingParam(name)) {
        if (!kept.empty()) kept += '&';
        kept += piece;
      }
    }
    pos = next + 1;
  }
  out.query = kept.empty() ? std::nullopt : std::optional<std::string>(kept);
  return out;
}

}  // namespace embarc::url
