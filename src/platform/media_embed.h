// Private: what the media-player adapters (YouTube, Vimeo, TikTok, Spotify) share.
//
// Their embeds are mostly player iframes whose URL sits in `src` or, on lazy and
// consent-managed pages, in a data-* attribute (embeds.md §14: iframe / embed /
// object / param / div[data-*src]); their capture plans are one oEmbed request
// each, answered with the same JSON fields (title, author_name, author_url,
// thumbnail_url). The platform rules (which URLs are posts, which status means
// what) stay in each adapter file.
#ifndef EMBARC_SRC_PLATFORM_MEDIA_EMBED_H_
#define EMBARC_SRC_PLATFORM_MEDIA_EMBED_H_

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/core/result.h"
#include "embarc/net/fetcher.h"
#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"

namespace embarc::platform::media_embed {

// One attribute of an element that may hold a player URL.
struct UrlAttribute {
  std::string name;   // "src", "data-src", "value", ...
  std::string value;  // as Gumbo decoded it
  bool lazy = false;  // not the attribute a browser loads from (src / object data / param value)
};

// The URL-bearing attributes of `element`, most authoritative first: `src` of
// iframe / frame / embed / amp-iframe, `data` of object, `value` of param, then the
// lazy attributes (IsLazyUrlAttributeName, in document order) of any element except
// links, images and other non-player tags.
std::vector<UrlAttribute> PlayerUrlAttributes(const html::Node& element);

// Lazy-loading and consent-manager attributes that may hold a deferred embed URL
// (embeds.md §14 "data-*src*"): data-original, or any data-* name with "src" in it:
// lazysizes' data-src, WP-Rocket's data-lazy-src, consentmanager.net's data-cmp-src,
// Complianz's data-src-cmplz and data-cmplz-src, Cookiebot's data-cookieblock-src,
// CookieLawInfo's data-cli-src, WP Fastest Cache's data-wpfc-original-src, ...
bool IsLazyUrlAttributeName(std::string_view name);

// Which attributes hold an element's own (not deferred) embed URL.
enum class DirectUrlRule {
  kFrames,           // src of iframe / frame / embed / amp-iframe, data of object; and no
                     // URL at all, lazy or not, on a, img, script, link, source or blockquote
  kFramesAndParams,  // kFrames, and value of a <param name="movie|src|url">
  kAnySrc,           // src of any element but div, data of object, value of param
  kAnySrcNoParam,    // kAnySrc without param
};

// The URL-bearing attributes of `element`: the direct ones under `rule`, then those
// IsLazyUrlAttributeName accepts (lazy = true), each group in document order.
std::vector<UrlAttribute> EmbedUrlAttributes(const html::Node& element, DirectUrlRule rule);

// Recognises a player URL (already resolved against the page) as a post; nullopt if
// it is not one of the platform's embed endpoints, or is one that shows no post.
using EndpointParser = std::function<std::optional<PostRef>(const url::Url&)>;

// The first of PlayerUrlAttributes(element) that `parse` accepts, as an occurrence
// with form "<tag>[<attribute>]" and the lazy flag. Claims nothing: an object's
// <param> and <embed> are occurrences of their own (embeds.md §0.3).
std::optional<EmbedMatch> MatchPlayerElement(const html::Node& element, const MatchContext& context,
                                             const EndpointParser& parse);

// Parses `raw` (an attribute value) against the page's base URL; nullopt if unusable.
std::optional<url::Url> ResolveAttributeUrl(std::string_view base_url, std::string_view raw);

// ---- reading oEmbed answers ----------------------------------------------------------

Observation MakeObservation(PostState state, std::string reason);

// What the transport alone decides: not fetched / timeout / reset (unreachable),
// 429 (rate_limited), 5xx (unreachable), or a redirect that ended on a login or
// consent page (login_required: any hop whose host is in `login_hosts`, or whose
// path starts with one of `login_paths` on any host). nullopt: read the answer.
std::optional<Observation> TransportObservation(std::string_view source, const net::FetchResponse* response,
                                                std::span<const std::string_view> login_hosts,
                                                std::span<const std::string_view> login_paths);

// The body as text, Content-Encoding decoded. Errors: as net::DecodeContent.
[[nodiscard]] Result<std::string> BodyText(const net::HttpExchange& exchange);

// The body parsed as a JSON object. Errors: kInvalidArgument when the Content-Type
// says it is not JSON, or it does not parse, or it is not an object.
[[nodiscard]] Result<nlohmann::json> JsonObjectBody(const net::HttpExchange& exchange);

// A string (or integer, as decimal) member of `object`; empty if absent or another type.
std::string StringMember(const nlohmann::json& object, std::string_view key);

// The normalised content of an oEmbed answer: author = the last path segment of
// author_url (resolved against `provider_base`, a leading '@' dropped), author_name,
// text = title, media = thumbnail_url as one "photo" item.
PostContent OEmbedContent(const nlohmann::json& body, std::string_view provider_base);

}  // namespace embarc::platform::media_embed

#endif  // EMBARC_SRC_PLATFORM_MEDIA_EMBED_H_
