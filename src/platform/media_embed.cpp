#include "platform/media_embed.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/ascii.h"
#include "embarc/core/json.h"

namespace embarc::platform::media_embed {
namespace {

using ascii::Lower;

using html::Node;
using Json = nlohmann::json;

// Elements whose lazy attributes never hold a player (images, links, sources):
// a thumbnail in <img data-src> or a lightbox link is not the player itself.
constexpr std::array<std::string_view, 10> kNonPlayerTags = {"a",      "img",   "link",   "meta",  "source",
                                                             "picture", "input", "area",  "track", "video"};

constexpr std::array<std::string_view, 4> kSrcTags = {"iframe", "frame", "embed", "amp-iframe"};

bool HostMatches(std::string_view host, std::string_view listed) {
  if (host == listed) return true;
  return host.size() > listed.size() && host.ends_with(listed) && host[host.size() - listed.size() - 1] == '.';
}

bool IsLoginHop(const net::HttpExchange& hop, std::span<const std::string_view> login_hosts,
                std::span<const std::string_view> login_paths) {
  Result<url::Url> parsed = url::ParseUrl(hop.url);
  if (!parsed) return false;
  for (const std::string_view host : login_hosts) {
    if (HostMatches(parsed->host, host)) return true;
  }
  for (const std::string_view path : login_paths) {
    if (parsed->path.rfind(path, 0) == 0) return true;
  }
  return false;
}

// The redirect target of a 3xx hop, if it points at a login page.
bool RedirectsToLogin(const net::HttpExchange& hop, std::span<const std::string_view> login_hosts,
                      std::span<const std::string_view> login_paths) {
  if (hop.status < 300 || hop.status >= 400) return false;
  const std::string location = hop.Header("Location");
  if (location.empty()) return false;
  Result<url::Url> target = url::ResolveUrl(hop.url, location);
  if (!target) return false;
  net::HttpExchange probe;
  probe.url = target->ToString();
  return IsLoginHop(probe, login_hosts, login_paths);
}

}  // namespace

std::vector<UrlAttribute> PlayerUrlAttributes(const Node& element) {
  std::vector<UrlAttribute> out;
  if (!element.HasAttributes()) return out;
  const auto add = [&](std::string_view name, bool lazy) {
    if (const std::optional<std::string_view> value = element.Attr(name)) {
      out.push_back({std::string(name), std::string(*value), lazy});
    }
  };
  const std::string tag = element.TagName();  // once, rather than an IsTag call per listed name
  const auto tag_in = [&tag](std::span<const std::string_view> tags) {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
  };
  if (tag_in(kSrcTags)) add("src", false);
  if (tag == "object") add("data", false);
  if (tag == "param") add("value", false);
  // (Every lazy name starts with "data-", and the skim keeps them all.)
  if (!tag_in(kNonPlayerTags) && element.HasAttributeWithPrefix("data-")) {
    for (const auto& [name, value] : element.Attributes(&IsLazyUrlAttributeName)) {
      out.push_back({std::string(name), std::string(value), true});
    }
  }
  return out;
}

bool IsLazyUrlAttributeName(std::string_view name) {
  return name == "data-original" || (name.starts_with("data-") && name.find("src") != std::string_view::npos);
}

std::vector<UrlAttribute> EmbedUrlAttributes(const Node& element, DirectUrlRule rule) {
  std::vector<UrlAttribute> out;
  if (!element.is_element()) return out;
  const std::string tag = element.TagName();
  const bool frames_only = rule == DirectUrlRule::kFrames || rule == DirectUrlRule::kFramesAndParams;
  if (frames_only && (tag == "a" || tag == "img" || tag == "script" || tag == "link" || tag == "source" ||
                      tag == "blockquote")) {
    return out;
  }
  bool param_value = false;
  if (tag == "param") {
    if (rule == DirectUrlRule::kAnySrc) {
      param_value = true;
    } else if (rule == DirectUrlRule::kFramesAndParams) {
      const std::string param = Lower(element.Attr("name").value_or(""));
      param_value = param == "movie" || param == "src" || param == "url";
    }
  }
  const bool src = frames_only ? (tag == "iframe" || tag == "frame" || tag == "amp-iframe" || tag == "embed")
                               : tag != "div";
  const auto is_direct = [&](std::string_view name) {
    return (src && name == "src") || (tag == "object" && name == "data") || (param_value && name == "value");
  };
  // (Gumbo lower-cases attribute names; the skim keeps src, data, value and data-*.)
  const auto attributes = element.Attributes(
      [](std::string_view name) { return name == "src" || name == "data" || name == "value" || IsLazyUrlAttributeName(name); });
  for (const auto& [name, value] : attributes) {
    if (is_direct(name)) out.push_back({std::string(name), std::string(value), false});
  }
  for (const auto& [name, value] : attributes) {
    if (IsLazyUrlAttributeName(name)) out.push_back({std::string(name), std::string(value), true});
  }
  return out;
}

std::optional<url::Url> ResolveAttributeUrl(std::string_view base_url, std::string_view raw) {
  if (raw.empty()) return std::nullopt;
  Result<url::Url> resolved = url::ResolveUrl(base_url, raw);
  if (!resolved) return std::nullopt;
  return std::move(*resolved);
}

std::optional<EmbedMatch> MatchPlayerElement(const Node& element, const MatchContext& context,
                                             const EndpointParser& parse) {
  for (const UrlAttribute& attribute : PlayerUrlAttributes(element)) {
    const std::optional<url::Url> resolved = ResolveAttributeUrl(context.base_url, attribute.value);
    if (!resolved) continue;  // about:blank, javascript:, empty: a consent placeholder
    std::optional<PostRef> ref = parse(*resolved);
    if (!ref) continue;
    EmbedMatch match;
    match.ref = std::move(*ref);
    match.form = element.TagName() + "[" + attribute.name + "]";
    match.lazy = attribute.lazy;
    match.claim = EmbedMatch::Claim::kNone;
    return match;
  }
  return std::nullopt;
}

// ---- reading oEmbed answers ----------------------------------------------------------

Observation MakeObservation(PostState state, std::string reason) {
  Observation observation;
  observation.state = state;
  observation.reason = std::move(reason);
  return observation;
}

std::optional<Observation> TransportObservation(std::string_view source, const net::FetchResponse* response,
                                                std::span<const std::string_view> login_hosts,
                                                std::span<const std::string_view> login_paths) {
  const std::string prefix = std::string(source) + ": ";
  if (response == nullptr) return MakeObservation(PostState::kUnreachable, prefix + "not fetched");
  // A login wall reached by redirect is a login wall even when the last hop failed.
  for (const net::HttpExchange& hop : response->hops) {
    if (IsLoginHop(hop, login_hosts, login_paths) || RedirectsToLogin(hop, login_hosts, login_paths)) {
      return MakeObservation(PostState::kLoginRequired, prefix + "redirected to a login or consent page (" +
                                                            SanitizeUtf8(hop.url) + ")");
    }
  }
  if (!response->ok()) {
    return MakeObservation(PostState::kUnreachable, prefix + net::FetchOutcomeName(response->outcome) +
                                                        (response->error.empty() ? "" : " (" + response->error + ")"));
  }
  const int status = response->Final()->status;
  if (status == 429) return MakeObservation(PostState::kRateLimited, prefix + "HTTP 429");
  if (status >= 500) return MakeObservation(PostState::kUnreachable, prefix + "HTTP " + std::to_string(status));
  if (status >= 300 && status < 400) {
    return MakeObservation(PostState::kUnreachable, prefix + "HTTP " + std::to_string(status) + " (redirect not followed)");
  }
  return std::nullopt;
}

Result<std::string> BodyText(const net::HttpExchange& exchange) {
  const std::string encoding = Lower(exchange.Header("Content-Encoding"));
  if (encoding.empty() || encoding == "identity") return ToString(exchange.body);
  Result<Bytes> decoded = net::DecodeContent(exchange);
  if (!decoded) return WithContext(decoded.error(), "Content-Encoding " + encoding);
  return ToString(*decoded);
}

Result<Json> JsonObjectBody(const net::HttpExchange& exchange) {
  const std::string content_type = Lower(exchange.Header("Content-Type"));
  if (!content_type.empty() && content_type.find("json") == std::string::npos &&
      content_type.find("javascript") == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "not JSON (Content-Type " + SanitizeUtf8(content_type) + ")");
  }
  EMBARC_ASSIGN_OR_RETURN(std::string text, BodyText(exchange));
  Result<Json> parsed = ParseJson(text);
  if (!parsed) return WithContext(parsed.error(), "body is not JSON");
  if (!parsed->is_object()) return Fail(ErrorCode::kInvalidArgument, "body is not a JSON object");
  return parsed;
}

std::string StringMember(const Json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<std::uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

PostContent OEmbedContent(const Json& body, std::string_view provider_base) {
  PostContent content;
  const std::string author_url = StringMember(body, "author_url");
  if (!author_url.empty()) {
    if (Result<url::Url> resolved = url::ResolveUrl(provider_base, author_url)) {
      const std::vector<std::string> segments = resolved->PathSegments();
      if (!segments.empty()) {
        std::string_view handle = segments.back();
        if (!handle.empty() && handle.front() == '@') handle.remove_prefix(1);
        content.author = std::string(handle);
      }
    }
  }
  content.author_name = StringMember(body, "author_name");
  content.text = StringMember(body, "title");
  const std::string thumbnail = StringMember(body, "thumbnail_url");
  if (!thumbnail.empty()) {
    if (Result<url::Url> resolved = url::ResolveUrl(provider_base, thumbnail)) {
      content.media.push_back({resolved->ToString(), "photo", ""});
    }
  }
  return content;
}

}  // namespace embarc::platform::media_embed
