// Absolute http(s) URLs: parsing, resolving references against a base, query
// parameters and the tracking parameters that are never part of a post's identity.
//
// Input is a URL as it appears in an attribute value after HTML character
// references were decoded (Gumbo does that). Leading and trailing whitespace is
// removed and tabs/newlines inside are dropped, as browsers do; other spaces and
// non-ASCII bytes after the host are percent-encoded.
#ifndef EMBARC_URL_URL_H_
#define EMBARC_URL_URL_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/core/result.h"

namespace embarc::url {

// Longer URLs are refused (kLimitExceeded).
inline constexpr std::size_t kMaxUrlBytes = 16u << 10;

struct QueryParam {
  std::string name;   // percent-decoded, '+' read as a space
  std::string value;  // percent-decoded, '+' read as a space; empty when the pair has no '='
  bool operator==(const QueryParam&) const = default;
};

// An absolute http(s) URL split into parts. Parts keep their percent-encoding as
// found; scheme and host are lower-case; dot segments of the path are removed.
struct Url {
  std::string scheme;    // "http" or "https"
  std::string userinfo;  // "user:password" or empty
  std::string host;      // lower-case; an IPv6 literal keeps its brackets
  std::string port;      // digits as written, or empty
  std::string path;      // starts with '/'
  std::optional<std::string> query;     // without the '?'
  std::optional<std::string> fragment;  // without the '#'

  // The URL as text: scheme://[userinfo@]host[:port]path[?query][#fragment].
  std::string ToString() const;
  // The query as (name, value) pairs, in order; empty when there is no query.
  std::vector<QueryParam> QueryParams() const;
  // The decoded value of the first parameter called `name`, if any.
  std::optional<std::string> QueryValue(std::string_view name) const;
  // The path split on '/', percent-decoded, without empty segments.
  std::vector<std::string> PathSegments() const;
};

// Parses an absolute http or https URL.
// Errors: kInvalidArgument "not an http(s) URL: <raw>" for other schemes or
// relative references, kInvalidArgument for a malformed URL, kLimitExceeded
// past kMaxUrlBytes.
[[nodiscard]] Result<Url> ParseUrl(std::string_view raw);

// Resolves `reference` (absolute, protocol-relative "//host/…", absolute-path
// "/…" or relative) against `base` (RFC 3986 §5). An absolute `reference` needs
// no base; a protocol-relative one with an empty or unusable base is taken as https.
// Errors: as ParseUrl; kInvalidArgument for a relative reference without a usable base.
[[nodiscard]] Result<Url> ResolveUrl(std::string_view base, std::string_view reference);

// Splits a raw query string ("a=1&b=%20") into decoded pairs. Empty pieces are skipped.
std::vector<QueryParam> ParseQuery(std::string_view query);

// Decodes %XX escapes (invalid escapes are kept as they are). With
// `plus_as_space`, '+' becomes ' ' (form encoding, used in queries).
std::string PercentDecode(std::string_view text, bool plus_as_space = false);

// Encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~)
// as %XX with upper-case hex: a value safe to put in a query component.
std::string PercentEncode(std::string_view text);

// True for parameters that only track where a link was shared from (embeds.md §0.8):
// ref_src, ref_url, s, t, utm_*, igshid, igsh, si, feature, is_from_webapp,
// sender_device, _r, refer, embed_source, ref_source, ref, context, rdt. Case-insensitive.
bool IsTrackingParam(std::string_view name);

// `url` with tracking parameters removed from its query (the remaining pairs keep
// their original encoding and order; an emptied query is dropped). The fragment is kept.
Url WithoutTrackingParams(const Url& url);

}  // namespace embarc::url

#endif  // EMBARC_URL_URL_H_
