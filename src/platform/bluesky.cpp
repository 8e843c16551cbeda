#include "embarc/platform/bluesky.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "embarc/core/json.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"

namespace embarc::platform::bluesky {
namespace {

using ascii::Lower;

using html::Node;
using Json = nlohmann::json;

constexpr std::string_view kAtScheme = "at://";
constexpr std::array<std::string_view, 3> kWebHosts = {"bsky.app", "www.bsky.app", "staging.bsky.app"};
constexpr std::string_view kEmbedHost = "embed.bsky.app";
constexpr std::string_view kAppViewBase = "https://public.api.bsky.app/xrpc/";
constexpr std::string_view kEntrywayBase = "https://bsky.social/xrpc/";
constexpr std::string_view kImageCdn = "https://cdn.bsky.app/img/feed_fullsize/plain/";

// Attributes that carry an embed URL before a lazy loader or a consent manager
// copies it to `src` (embeds.md §14: data-src, data-lazy-src, data-original,
// data-cmp-src, data-*src*). The DOM view has no attribute iteration, so the
// data-*src* family is the list of names seen in the wild.
constexpr std::array<std::string_view, 16> kLazyAttributes = {
    "data-src",         "data-lazy-src",   "data-original",   "data-cmp-src",
    "data-artsrc",      "data-lazy",       "data-url",        "data-iframe-src",
    "data-embed-src",   "data-consent-src", "data-orig-src",  "data-privacy-src",
    "data-litespeed-src", "data-rocket-src", "data-ll-src",   "data-deferred-src"};

// Labels (on the post or its author) with which the platform hides content from everyone.
constexpr std::array<std::string_view, 3> kWithholdingLabels = {"!takedown", "!suspend", "!hide"};

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// did:{method}:{id}, method lower-case letters, id [A-Za-z0-9._:%-] not ending in ':' or '%'.
bool IsDid(std::string_view s) {
  if (s.size() > kMaxDidLength || !StartsWith(s, "did:")) return false;
  const std::size_t colon = s.find(':', 4);
  if (colon == std::string_view::npos || colon == 4) return false;
  for (const char c : s.substr(4, colon - 4)) {
    if (c < 'a' || c > 'z') return false;
  }
  const std::string_view id = s.substr(colon + 1);
  if (id.empty() || id.back() == ':' || id.back() == '%') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return IsAlnum(c) || c == '.' || c == '_' || c == ':' || c == '%' || c == '-';
  });
}

// A handle: a DNS name of at least two labels (atproto "Handle" syntax), any case.
bool IsHandle(std::string_view s) {
  if (s.empty() || s.size() > kMaxHandleLength) return false;
  int labels = 0;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t dot = s.find('.', pos);
    if (dot == std::string_view::npos) dot = s.size();
    const std::string_view label = s.substr(pos, dot - pos);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return IsAlnum(c) || c == '-'; })) return false;
    ++labels;
    pos = dot + 1;
    if (dot == s.size()) break;
  }
  const char tld_first = s[s.rfind('.') == std::string_view::npos ? 0 : s.rfind('.') + 1];
  return labels >= 2 && !(tld_first >= '0' && tld_first <= '9');
}

// Record key syntax: 1-512 of [A-Za-z0-9._:~-], not "." or "..".
bool IsRecordKey(std::string_view s) {
  if (s.empty() || s.size() > kMaxRecordKeyLength || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlnum(c) || c == '.' || c == '_' || c == ':' || c == '~' || c == '-';
  });
}

// A DID as written, or a handle lower-cased; nullopt if neither.
std::optional<std::string> NormalizeAuthority(std::string_view s) {
  if (IsDid(s)) return std::string(s);
  if (IsHandle(s)) return Lower(s);
  return std::nullopt;
}

std::optional<PostRef> RefFromParts(std::string_view authority, std::string_view rkey) {
  const std::optional<std::string> normalized = NormalizeAuthority(authority);
  if (!normalized || !IsRecordKey(rkey)) return std::nullopt;
  return MakePostRef(*normalized, rkey, std::nullopt);
}

std::optional<PostRef> ParseAtUriRef(std::string_view s) {
  if (!StartsWith(s, kAtScheme)) return std::nullopt;
  s.remove_prefix(kAtScheme.size());
  const std::size_t first = s.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = s.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (s.substr(first + 1, second - first - 1) != kPostCollection) return std::nullopt;
  std::string_view rkey = s.substr(second + 1);
  rkey = rkey.substr(0, rkey.find_first_of("?#"));
  return RefFromParts(url::PercentDecode(s.substr(0, first)), rkey);
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

// ---- the page's view of an embed -------------------------------------------------

// The profile a bsky.app link points at ("https://bsky.app/profile/{authority}"), if that is all it is.
std::optional<std::string> ProfileLinkAuthority(std::string_view href, std::string_view base_url) {
  Result<url::Url> parsed = url::ResolveUrl(base_url, href);
  if (!parsed) return std::nullopt;
  if (std::find(kWebHosts.begin(), kWebHosts.end(), parsed->host) == kWebHosts.end()) return std::nullopt;
  const std::vector<std::string> segments = parsed->PathSegments();
  if (segments.size() != 2 || segments[0] != "profile") return std::nullopt;
  return NormalizeAuthority(segments[1]);
}

bool IsInside(const Node& node, const Node& ancestor) {
  for (std::optional<Node> p = node.Parent(); p; p = p->Parent()) {
    if (*p == ancestor) return true;
  }
  return false;
}

struct EmbedReading {
  std::optional<PostRef> last_post_link;   // the last bsky.app post link inside
  std::vector<std::pair<std::string, std::string>> profile_handles;  // (link authority, "@handle" text) outside the <p>
  bool has_paragraph = false;
  std::string paragraph_text;
  std::string attribution;                 // collapsed text after the <p>
  std::string last_link_text;              // the date
};

EmbedReading ReadEmbed(const Node& element, std::string_view base_url) {
  EmbedReading reading;
  std::optional<Node> paragraph;
  std::string after_paragraph;
  element.Walk([&](const Node& node) {
    if (node.is_text()) {
      if (paragraph && !IsInside(node, *paragraph)) after_paragraph += node.Text();
      return Node::Step::kDescend;
    }
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (EndsUnclosedBlockquote(element, node)) return Node::Step::kStop;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (node.IsTag("p") && !paragraph) {
      paragraph = node;
      reading.has_paragraph = true;
      reading.paragraph_text = node.TextContent();
    }
    if (node.IsTag("a")) {
      const std::string text = node.TextContent();
      reading.last_link_text = text;
      if (const std::optional<std::string_view> href = node.Attr("href")) {
        if (Result<url::Url> resolved = url::ResolveUrl(base_url, *href)) {
          if (std::optional<PostRef> ref = ParseBlueskyUrl(resolved->ToString())) reading.last_post_link = std::move(ref);
        }
        const bool in_paragraph = paragraph && IsInside(node, *paragraph);
        if (!in_paragraph && text.size() > 1 && text.front() == '@' && IsHandle(std::string_view(text).substr(1))) {
          if (std::optional<std::string> authority = ProfileLinkAuthority(*href, base_url)) {
            reading.profile_handles.emplace_back(*authority, Lower(std::string_view(text).substr(1)));
          }
        }
      }
    }
    return Node::Step::kDescend;
  });
  reading.attribution = html::CollapseWhitespace(after_paragraph);
  return reading;
}

// "— Display Name (@handle) date" -> "Display Name".
std::string AuthorNameFromAttribution(std::string_view attribution) {
  const std::size_t paren = attribution.rfind("(@");
  std::string_view name = attribution.substr(0, paren == std::string_view::npos ? 0 : paren);
  static constexpr std::array<std::string_view, 3> kDashes = {"\xE2\x80\x94", "\xE2\x80\x93", "-"};
  bool changed = true;
  while (changed) {
    changed = false;
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    for (const std::string_view dash : kDashes) {
      if (StartsWith(name, dash)) {
        name.remove_prefix(dash.size());
        changed = true;
      }
    }
  }
  return Trim(name);
}

std::string WithoutEmbedMarker(std::string text) {
  static constexpr std::string_view kMarker = "[image or embed]";
  if (text.size() >= kMarker.size() && std::string_view(text).substr(text.size() - kMarker.size()) == kMarker) {
    text.resize(text.size() - kMarker.size());
  }
  return Trim(text);
}

std::optional<EmbedMatch> MatchEmbedElement(const Node& element, const MatchContext& context) {
  EmbedReading reading = ReadEmbed(element, context.base_url);
  std::optional<PostRef> ref;
  if (const std::optional<std::string_view> uri = element.Attr("data-bluesky-uri")) {
    const std::string value = Trim(*uri);
    ref = ParseAtUriRef(value);
    if (!ref) {
      if (Result<url::Url> resolved = url::ResolveUrl(context.base_url, value)) ref = ParseBlueskyUrl(resolved->ToString());
    }
  }
  if (!ref) ref = std::move(reading.last_post_link);
  if (!ref) return std::nullopt;

  // The author's handle is only in the text of the profile link (links use the DID).
  const std::optional<AtUri> at = ParseAtUri(ref->post_id);
  std::optional<std::string> handle;
  for (const auto& [authority, shown] : reading.profile_handles) {
    if (at && authority == at->authority) handle = shown;
  }
  if (!handle && !reading.profile_handles.empty()) handle = reading.profile_handles.back().second;
  if (handle && at && !ref->author) ref = MakePostRef(at->authority, at->rkey, handle);

  EmbedMatch match;
  match.ref = std::move(*ref);
  match.form = element.IsTag("blockquote") && element.HasClass("bluesky-embed")
                   ? std::string("blockquote.bluesky-embed")
                   : element.TagName() + "[data-bluesky-uri]";
  if (const std::optional<std::string_view> cid = element.Attr("data-bluesky-cid")) {
    if (std::string value = Trim(*cid); !value.empty()) match.embedded_version = std::move(value);
  }
  if (reading.has_paragraph) {
    Quote quote;
    quote.text = WithoutEmbedMarker(std::move(reading.paragraph_text));
    quote.author_name = AuthorNameFromAttribution(reading.attribution);
    quote.date = std::move(reading.last_link_text);
    match.quote = std::move(quote);
  }
  match.amp = element.TagName().rfind("amp-", 0) == 0;
  return match;
}

// https://embed.bsky.app/embed/{did}/app.bsky.feed.post/{rkey}
std::optional<PostRef> EmbedEndpointRef(std::string_view value, std::string_view base_url) {
  Result<url::Url> parsed = url::ResolveUrl(base_url, Trim(value));
  if (!parsed || parsed->host != kEmbedHost) return std::nullopt;
  return ParseBlueskyUrl(parsed->ToString());
}

struct EndpointAttribute {
  std::string_view name;
  bool lazy;
};

class BlueskyEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    // Every form below is read from attributes (all of them kept by the skim).
    if (!element.HasAttributes() || element.IsTag("a")) return std::nullopt;  // a link to a post is not an embed
    if ((element.IsTag("blockquote") && element.HasClass("bluesky-embed")) || element.Attr("data-bluesky-uri")) {
      if (std::optional<EmbedMatch> match = MatchEmbedElement(element, context)) return match;
    }

    std::vector<EndpointAttribute> attributes;
    if (element.IsTag("iframe") || element.IsTag("amp-iframe") || element.IsTag("frame") || element.IsTag("embed")) {
      attributes.push_back({"src", false});
    } else if (element.IsTag("object")) {
      attributes.push_back({"data", false});
    } else if (element.IsTag("param")) {
      const std::string name = Lower(element.Attr("name").value_or(""));
      if (name == "movie" || name == "src") attributes.push_back({"value", false});
    }
    if (element.HasAttributeWithPrefix("data-")) {  // the lazy names all start so
      for (const std::string_view name : kLazyAttributes) attributes.push_back({name, true});
    }

    for (const EndpointAttribute& attribute : attributes) {
      const std::optional<std::string_view> value = element.Attr(attribute.name);
      if (!value) continue;
      std::optional<PostRef> ref = EmbedEndpointRef(*value, context.base_url);
      if (!ref) continue;
      EmbedMatch match;
      match.ref = std::move(*ref);
      match.form = element.TagName() + "[" + std::string(attribute.name) + "]";
      match.lazy = attribute.lazy;
      match.amp = element.IsTag("amp-iframe");
      match.rendered = true;  // embed.js's iframe (or a placeholder for it)
      return match;
    }
    return std::nullopt;
  }
};

// ---- reading the answers ---------------------------------------------------------

std::string StringMember(const Json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

bool BoolMember(const Json& object, std::string_view key) {
  const Json* value = Member(object, key);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

enum class Kind { kAvailable, kDeleted, kWithheld, kLoginRequired, kRateLimited, kUnreachable };

// One source's verdict.
struct Signal {
  Kind kind = Kind::kUnreachable;
  std::string reason;
  PostContent content;
};

Signal MakeSignal(Kind kind, std::string reason) {
  Signal signal;
  signal.kind = kind;
  signal.reason = std::move(reason);
  return signal;
}

std::string StatusReason(std::string_view source, int status) {
  return std::string(source) + ": HTTP " + std::to_string(status);
}

// The JSON body of an answer (any status), after content decoding.
Result<Json> JsonBody(const net::HttpExchange& exchange) {
  const std::string content_type = Lower(exchange.Header("Content-Type"));
  if (!content_type.empty() && content_type.find("json") == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "not JSON (Content-Type " + SanitizeUtf8(content_type) + ")");
  }
  std::string body;
  const std::string encoding = Lower(exchange.Header("Content-Encoding"));
  if (!encoding.empty() && encoding != "identity") {
    Result<Bytes> decoded = net::DecodeContent(exchange);
    if (!decoded) return WithContext(decoded.error(), "Content-Encoding " + SanitizeUtf8(encoding));
    body = ToString(*decoded);
  } else {
    body = ToString(exchange.body);
  }
  Result<Json> parsed = ParseJson(body);
  if (!parsed) return WithContext(parsed.error(), "body is not JSON");
  if (!parsed->is_object()) return Fail(ErrorCode::kInvalidArgument, "body is not a JSON object");
  return parsed;
}

// Network failures, rate limits and server errors: never a statement about the post.
std::optional<Signal> TransportSignal(std::string_view source, const net::FetchResponse* response) {
  if (response == nullptr) return MakeSignal(Kind::kUnreachable, std::string(source) + ": not fetched");
  if (!response->ok()) {
    return MakeSignal(Kind::kUnreachable, std::string(source) + ": " + net::FetchOutcomeName(response->outcome) +
                                              (response->error.empty() ? "" : " (" + response->error + ")"));
  }
  const int status = response->Final()->status;
  if (status == 429) return MakeSignal(Kind::kRateLimited, StatusReason(source, status));
  if (status >= 500) return MakeSignal(Kind::kUnreachable, StatusReason(source, status));
  return std::nullopt;
}

// An XRPC error answer {"error": Name, "message": text}, read into a verdict.
Signal XrpcErrorSignal(std::string_view source, const net::HttpExchange& exchange) {
  Result<Json> body = JsonBody(exchange);
  const std::string name = body ? StringMember(*body, "error") : std::string();
  const std::string message = body ? StringMember(*body, "message") : std::string();
  const std::string shown = StatusReason(source, exchange.status) +
                            (name.empty() ? std::string() : " " + SanitizeUtf8(name)) +
                            (message.empty() ? std::string() : " \"" + SanitizeUtf8(message) + "\"");
  if (exchange.status == 401) return MakeSignal(Kind::kLoginRequired, shown);
  if (exchange.status == 403) return MakeSignal(Kind::kWithheld, shown);
  if (!body) return MakeSignal(Kind::kUnreachable, shown + " (not an XRPC error: " + body.error().message + ")");
  // AppView: 400 NotFound "Post not found: at://…"; PDS: 400 RecordNotFound "Could not locate record: at://…".
  if (name == "NotFound" || name == "RecordNotFound" || message.find("Could not locate record") != std::string::npos ||
      message.rfind("Post not found", 0) == 0) {
    return MakeSignal(Kind::kDeleted, shown);
  }
  if (name == "RepoTakendown" || name == "RepoSuspended" || name == "RepoDeactivated" || name == "AccountTakedown" ||
      name == "AccountDeactivated" || name == "BlockedActor" || name == "BlockedByActor") {
    return MakeSignal(Kind::kWithheld, shown);
  }
  if (name == "AuthRequired" || name == "AuthenticationRequired") return MakeSignal(Kind::kLoginRequired, shown);
  // Anything else ("Could not find repo" on a host that does not hold the repository,
  // InvalidRequest for an unresolvable handle, ...) says nothing about the post.
  return MakeSignal(Kind::kUnreachable, shown);
}

std::string RecordLang(const Json& record) {
  const Json* langs = Member(record, "langs");
  if (langs == nullptr || !langs->is_array()) return {};
  for (const Json& lang : *langs) {
    if (lang.is_string()) return lang.get<std::string>();
  }
  return {};
}

void AppendViewMedia(const Json& view, std::vector<MediaItem>& media) {
  const std::string type = StringMember(view, "$type");
  if (type == "app.bsky.embed.images#view") {
    if (const Json* images = Member(view, "images"); images != nullptr && images->is_array()) {
      for (const Json& image : *images) {
        const std::string full = StringMember(image, "fullsize");
        if (!full.empty()) media.push_back({full, "photo", ""});
      }
    }
  } else if (type == "app.bsky.embed.video#view") {
    if (std::string thumb = StringMember(view, "thumbnail"); !thumb.empty()) media.push_back({thumb, "poster", ""});
    if (std::string playlist = StringMember(view, "playlist"); !playlist.empty()) {
      media.push_back({playlist, "video", ""});
    }
  } else if (type == "app.bsky.embed.recordWithMedia#view") {
    if (const Json* inner = Member(view, "media")) AppendViewMedia(*inner, media);
  }
}

// The blob CID of an image in a record ({"$type":"blob","ref":{"$link":CID}}, or the legacy {"cid":CID}).
std::string BlobCid(const Json& blob) {
  if (const Json* ref = Member(blob, "ref")) {
    if (std::string link = StringMember(*ref, "$link"); !link.empty()) return link;
  }
  return StringMember(blob, "cid");
}

void AppendRecordMedia(const Json& embed, std::string_view did, std::vector<MediaItem>& media) {
  const std::string type = StringMember(embed, "$type");
  if (type == "app.bsky.embed.images") {
    if (const Json* images = Member(embed, "images"); images != nullptr && images->is_array()) {
      for (const Json& image : *images) {
        const Json* blob = Member(image, "image");
        const std::string cid = blob != nullptr ? BlobCid(*blob) : std::string();
        // The CDN's full-size form, the same URL the AppView gives (so both sources agree).
        if (!cid.empty() && IsRecordKey(cid)) {
          media.push_back({std::string(kImageCdn) + std::string(did) + "/" + cid + "@jpeg", "photo", ""});
        }
      }
    }
  } else if (type == "app.bsky.embed.recordWithMedia") {
    if (const Json* inner = Member(embed, "media")) AppendRecordMedia(*inner, did, media);
  }
}

bool HasLabel(const Json& subject, std::string_view value) {
  const Json* labels = Member(subject, "labels");
  if (labels == nullptr || !labels->is_array()) return false;
  for (const Json& label : *labels) {
    if (StringMember(label, "val") == value && !BoolMember(label, "neg")) return true;
  }
  return false;
}

Signal ReadPostThread(const net::FetchResponse* response) {
  constexpr std::string_view kSource = "getPostThread";
  if (std::optional<Signal> transport = TransportSignal(kSource, response)) return std::move(*transport);
  const net::HttpExchange& exchange = *response->Final();
  if (exchange.status != 200) return XrpcErrorSignal(kSource, exchange);
  Result<Json> body = JsonBody(exchange);
  if (!body) return MakeSignal(Kind::kUnreachable, "getPostThread: HTTP 200 but " + body.error().message);
  const Json* thread = Member(*body, "thread");
  if (thread == nullptr || !thread->is_object()) {
    return MakeSignal(Kind::kUnreachable, "getPostThread: HTTP 200 without a thread");
  }
  const std::string type = StringMember(*thread, "$type");
  if (type == "app.bsky.feed.defs#notFoundPost" || BoolMember(*thread, "notFound")) {
    return MakeSignal(Kind::kDeleted, "getPostThread: #notFoundPost");
  }
  if (type == "app.bsky.feed.defs#blockedPost" || BoolMember(*thread, "blocked")) {
    return MakeSignal(Kind::kWithheld, "getPostThread: #blockedPost");
  }
  const Json* post = Member(*thread, "post");
  if (type != "app.bsky.feed.defs#threadViewPost" || post == nullptr || !post->is_object()) {
    return MakeSignal(Kind::kUnreachable, "getPostThread: unexpected thread type \"" + SanitizeUtf8(type) + "\"");
  }
  const Json empty = Json::object();
  const Json* author = Member(*post, "author");
  if (author == nullptr) author = &empty;
  for (const std::string_view label : kWithholdingLabels) {
    if (HasLabel(*post, label)) return MakeSignal(Kind::kWithheld, "getPostThread: post label " + std::string(label));
    if (HasLabel(*author, label)) {
      return MakeSignal(Kind::kWithheld, "getPostThread: author label " + std::string(label));
    }
  }
  Signal signal = MakeSignal(Kind::kAvailable, "getPostThread: threadViewPost");
  if (HasLabel(*author, "!no-unauthenticated")) {
    // A display preference the AppView serves anyway; bsky.app asks readers to sign in.
    signal.reason += " (author asks for !no-unauthenticated)";
  }
  const Json* record = Member(*post, "record");
  if (record == nullptr) record = &empty;
  PostContent& content = signal.content;
  content.author = StringMember(*author, "handle");
  content.author_name = StringMember(*author, "displayName");
  content.created_at = StringMember(*record, "createdAt");
  content.text = StringMember(*record, "text");
  content.lang = RecordLang(*record);
  content.version = StringMember(*post, "cid");
  if (const Json* view = Member(*post, "embed")) AppendViewMedia(*view, content.media);
  if (content.version.empty()) return MakeSignal(Kind::kUnreachable, "getPostThread: post without a cid");
  return signal;
}

Signal ReadRecord(const PostRef& post, const net::FetchResponse* response) {
  constexpr std::string_view kSource = "getRecord";
  if (std::optional<Signal> transport = TransportSignal(kSource, response)) return std::move(*transport);
  const net::HttpExchange& exchange = *response->Final();
  if (exchange.status != 200) return XrpcErrorSignal(kSource, exchange);
  Result<Json> body = JsonBody(exchange);
  if (!body) return MakeSignal(Kind::kUnreachable, "getRecord: HTTP 200 but " + body.error().message);
  const Json* value = Member(*body, "value");
  const std::string cid = StringMember(*body, "cid");
  if (value == nullptr || !value->is_object() || cid.empty()) {
    return MakeSignal(Kind::kUnreachable, "getRecord: HTTP 200 without a record value and cid");
  }
  Signal signal = MakeSignal(Kind::kAvailable, "getRecord: record " + SanitizeUtf8(cid));
  const std::optional<AtUri> at = ParseAtUri(post.post_id);
  const std::string authority = at ? at->authority : std::string();
  // The record names no handle: use the one the page printed, else the URI's authority.
  signal.content.author = post.author.value_or(authority);
  signal.content.created_at = StringMember(*value, "createdAt");
  signal.content.text = StringMember(*value, "text");
  signal.content.lang = RecordLang(*value);
  signal.content.version = cid;
  if (const Json* embed = Member(*value, "embed"); embed != nullptr && IsDid(authority)) {
    AppendRecordMedia(*embed, authority, signal.content.media);
  }
  return signal;
}

const net::FetchResponse* AnswerAt(std::span<const net::FetchResponse> answers, std::size_t i) {
  return i < answers.size() ? &answers[i] : nullptr;
}

Observation Make(PostState state, std::string reason, PostContent content = {}) {
  Observation observation;
  observation.state = state;
  observation.reason = std::move(reason);
  observation.content = std::move(content);
  return observation;
}

class BlueskyAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override { return ParseBlueskyUrl(post_url); }

  // The capture plan is a fixed list, so the author's own PDS (found in the DID
  // document at plc.directory) cannot be asked in the same plan. Instead:
  //   [0] the AppView, which indexes every post:
  //       https://public.api.bsky.app/xrpc/app.bsky.feed.getPostThread?uri=<AT-URI>&depth=0
  //   [1] the signed record itself through the bsky.social entryway, which serves the
  //       records of every bsky-hosted repository by proxy:
  //       https://bsky.social/xrpc/com.atproto.repo.getRecord?repo=<did>&collection=app.bsky.feed.post&rkey=<rkey>
  // For a self-hosted PDS [1] answers "Could not find repo", which counts for nothing,
  // and the AppView answer decides alone.
  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(2);
    plan[0].url = PostThreadUrl(post);
    plan[0].headers = {{"Accept", "application/json"}};
    plan[1].url = GetRecordUrl(post);
    plan[1].headers = {{"Accept", "application/json"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    const Signal app_view = ReadPostThread(AnswerAt(answers, 0));
    const Signal record = ReadRecord(post, AnswerAt(answers, 1));
    std::string both = app_view.reason + "; " + record.reason;

    if (app_view.kind == Kind::kAvailable) {
      if (record.kind == Kind::kAvailable && record.content.version != app_view.content.version) {
        both += " (the AppView shows cid " + app_view.content.version + ", the repository holds " +
                record.content.version + ")";
      }
      return Make(PostState::kAvailable, std::move(both), app_view.content);
    }
    if (app_view.kind == Kind::kWithheld) return Make(PostState::kWithheld, std::move(both));
    if (app_view.kind == Kind::kDeleted) {
      // The AppView's not-found is a deletion unless the repository still holds the
      // record (then the AppView hides it: moderation) or withholds it.
      if (record.kind == Kind::kAvailable || record.kind == Kind::kWithheld) {
        return Make(PostState::kWithheld, std::move(both));
      }
      // Keyed by a handle, "not found" may only mean the handle moved to another account.
      const std::optional<AtUri> at = ParseAtUri(post.post_id);
      if (record.kind != Kind::kDeleted && at && !IsDid(at->authority)) {
        return Make(PostState::kUnreachable, both + " (the handle may have changed; not a deletion)");
      }
      return Make(PostState::kDeleted, std::move(both));
    }
    // The AppView said nothing about the post: the repository's answer decides.
    switch (record.kind) {
      case Kind::kAvailable:
        return Make(PostState::kAvailable, std::move(both), record.content);
      case Kind::kDeleted:
        return Make(PostState::kDeleted, std::move(both));
      case Kind::kWithheld:
        return Make(PostState::kWithheld, std::move(both));
      default:
        break;
    }
    if (app_view.kind == Kind::kLoginRequired || record.kind == Kind::kLoginRequired) {
      return Make(PostState::kLoginRequired, std::move(both));
    }
    if (app_view.kind == Kind::kRateLimited || record.kind == Kind::kRateLimited) {
      return Make(PostState::kRateLimited, std::move(both));
    }
    return Make(PostState::kUnreachable, std::move(both));
  }

  // The embed's data-bluesky-cid is the CID of the record the article showed; a CID is a hash
  // of the record, so a different CID now is the platform's own statement that the record
  // was rewritten (put again) since the article embedded it.
  std::optional<bool> EmbeddedVersionMatches(std::string_view embedded_version, const PostContent& live) const override {
    return !live.version.empty() && live.version == embedded_version;
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  BlueskyEmbedMatcher matcher_;
};

}  // namespace

std::optional<PostRef> ParseBlueskyUrl(std::string_view raw) {
  const std::string trimmed = Trim(raw);
  if (StartsWith(Lower(std::string_view(trimmed).substr(0, kAtScheme.size())), kAtScheme)) {
    return ParseAtUriRef(std::string(kAtScheme) + trimmed.substr(kAtScheme.size()));
  }
  Result<url::Url> parsed = url::ParseUrl(trimmed);
  if (!parsed) return std::nullopt;
  const std::vector<std::string> segments = parsed->PathSegments();
  if (std::find(kWebHosts.begin(), kWebHosts.end(), parsed->host) != kWebHosts.end()) {
    // /profile/{authority}/post/{rkey}[/liked-by|/reposted-by|/quotes…]
    if (segments.size() >= 4 && segments[0] == "profile" && segments[2] == "post") {
      return RefFromParts(segments[1], segments[3]);
    }
    return std::nullopt;
  }
  if (parsed->host == kEmbedHost) {
    // /embed/{authority}/app.bsky.feed.post/{rkey}
    if (segments.size() == 4 && segments[0] == "embed" && segments[2] == kPostCollection) {
      return RefFromParts(segments[1], segments[3]);
    }
  }
  return std::nullopt;
}

PostRef MakePostRef(std::string_view authority, std::string_view rkey, std::optional<std::string> handle) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = std::string(kAtScheme) + std::string(authority) + "/" + std::string(kPostCollection) + "/" +
                std::string(rkey);
  ref.url = "https://bsky.app/profile/" + std::string(authority) + "/post/" + std::string(rkey);
  if (!handle && IsHandle(authority)) handle = std::string(authority);
  ref.author = std::move(handle);
  return ref;
}

std::optional<AtUri> ParseAtUri(std::string_view post_id) {
  const std::optional<PostRef> ref = ParseAtUriRef(post_id);
  if (!ref) return std::nullopt;
  std::string_view rest = std::string_view(ref->post_id).substr(kAtScheme.size());
  const std::size_t slash = rest.find('/');
  AtUri at;
  at.authority = std::string(rest.substr(0, slash));
  at.rkey = std::string(rest.substr(rest.rfind('/') + 1));
  return at;
}

std::string PostThreadUrl(const PostRef& post) {
  return std::string(kAppViewBase) + "app.bsky.feed.getPostThread?uri=" + url::PercentEncode(post.post_id) +
         "&depth=0";
}

std::string GetRecordUrl(const PostRef& post) {
  const std::optional<AtUri> at = ParseAtUri(post.post_id);
  const std::string repo = at ? at->authority : std::string();
  const std::string rkey = at ? at->rkey : std::string();
  return std::string(kEntrywayBase) + "com.atproto.repo.getRecord?repo=" + url::PercentEncode(repo) +
         "&collection=" + std::string(kPostCollection) + "&rkey=" + url::PercentEncode(rkey);
}

const Adapter& BlueskyAdapter() {
  static const BlueskyAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::bluesky
