// Reddit: URL forms, embed markup and the adapter (embeds.md §9, §14).
//
// post_id is the Reddit fullname: "t3_{id}" for a post (submission), "t1_{id}" for
// a comment, ids in lower-case base36. The canonical URL is
// https://www.reddit.com/r/{sub}/comments/{post}/ or, for a comment,
// https://www.reddit.com/r/{sub}/comments/{post}/comment/{comment}/ (the subreddit
// keeps the case it was written in: it is presentation, not identity). Without a
// subreddit (redd.it short links, /comments/{id}, /gallery/{id}) the canonical URL is
// https://www.reddit.com/comments/{post}/ (and /comments/{post}/_/{comment}/).
// /r/{sub}/s/{code} share links only name a post after a redirect: not recognised.
//
// Embeds recognised:
//   blockquote.reddit-embed-bq (2024 generator) and blockquote.reddit-card (until ~2023):
//     the first Reddit post/comment link inside is the post; the author comes from the
//     /user/{name} link; data-embed-created (+ data-embed-showedits="false", which makes
//     Reddit's widget hide a post edited after that time) is kept as embedded_version.
//   amp-reddit[data-src].
//   iframes (and embed/object/param/div lazy or consent forms) whose URL is an embed
//     endpoint: www.redditmedia.com/r/{sub}/comments/{id}/…, embed.reddit.com/r/…,
//     or a reddit.com post URL carrying embed=true.
//
// Capture plan (in this order):
//   1. https://www.reddit.com/comments/{post}.json?limit=1&raw_json=1 for a post, or
//      https://www.reddit.com/r/{sub}/comments/{post}/_/{comment}.json?raw_json=1 for a
//      comment (https://www.reddit.com/comments/{post}/_/{comment}.json?raw_json=1 without
//      a subreddit): the public JSON listing [post listing, comment listing].
//   2. https://www.reddit.com/oembed?url={canonical URL, percent-encoded}&format=json
// Both are sent with a descriptive User-Agent (Reddit blocks default ones) and
// Accept: application/json.
//
// States (only the listing can say deleted or withheld):
//   listing thing with removed_by_category "deleted"/"author", or author and
//     selftext/body both "[deleted]"                          -> deleted (by the author)
//   removed_by_category anything else, selftext/body "[removed]" -> withheld (moderators/admins)
//   listing 403/404 JSON with a reason (private, quarantined, gated, banned) -> withheld
//   listing 404 JSON {"error":404} (no such post)             -> deleted, unless oEmbed shows it
//   listing 401, or a redirect to a login / over-18 page       -> login_required
//   429                                                        -> rate_limited
//   other 403 (blocked client), 5xx, timeouts, non-JSON answers -> unreachable
//   otherwise an oEmbed 200 with html                          -> available (author, title only)
// content.version is the listing's `edited` value as a string: "false", or the epoch
// seconds of the last edit.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "embarc/core/json.h"
#include "embarc/html/extract.h"
#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "platform/media_embed.h"

namespace embarc::platform::reddit {
namespace {

using ascii::Lower;

using html::Node;
using media_embed::DirectUrlRule;
using media_embed::EmbedUrlAttributes;
using media_embed::UrlAttribute;
using Json = nlohmann::json;

constexpr std::string_view kPlatform = "reddit";
// Reddit ids are base36; today 6-7 characters. Longer strings are not ids.
constexpr std::size_t kMaxIdLength = 13;
// Subreddit names: 3-21 characters (some old ones are shorter); usernames 3-20.
constexpr std::size_t kMaxSubredditLength = 21;
constexpr std::size_t kMaxUsernameLength = 20;
// The User-Agent Reddit's API rules ask for: <platform>:<app id>:<version> (description).
constexpr std::string_view kUserAgent = "embarc:embarc:" EMBARC_VERSION " (social-embed evidence archiver)";

constexpr std::array<std::string_view, 10> kSiteHosts = {
    "reddit.com",     "www.reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com",
    "m.reddit.com",   "i.reddit.com",   "sh.reddit.com",  "amp.reddit.com", "ssl.reddit.com"};
// Hosts that only serve embeds: any post URL there is an embed endpoint.
constexpr std::array<std::string_view, 3> kEmbedHosts = {"www.redditmedia.com", "redditmedia.com",
                                                         "embed.reddit.com"};
constexpr std::array<std::string_view, 2> kShortHosts = {"redd.it", "www.redd.it"};

template <std::size_t N>
bool OneOf(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool IsBase36Id(std::string_view s) {
  return !s.empty() && s.size() <= kMaxIdLength && std::all_of(s.begin(), s.end(), IsAlnum);
}

bool IsName(std::string_view s, std::size_t max_length) {
  return !s.empty() && s.size() <= max_length &&
         std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '_' || c == '-'; });
}

bool IsSubreddit(std::string_view s) {
  return !s.empty() && s.size() <= kMaxSubredditLength &&
         std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '_'; });
}

// The parts of a Reddit post or comment URL.
struct RedditUrl {
  std::string subreddit;  // as written; empty when the URL has none
  std::string user;       // for /user/{name}/comments/… posts
  std::string post;       // lower-case base36
  std::string comment;    // lower-case base36; empty for a post
};

// /…/comments/{post}[/{slug}[/{comment}]] or …/comments/{post}/comment/{comment}, from
// segments[at] == "comments".
std::optional<RedditUrl> ReadCommentsPath(const std::vector<std::string>& segments, std::size_t at) {
  if (segments.size() <= at + 1 || !IsBase36Id(segments[at + 1])) return std::nullopt;
  RedditUrl out;
  out.post = Lower(segments[at + 1]);
  // …/{slug}/{comment}/ (old permalinks) and …/comment/{comment}/ (2023+) both name a comment.
  if (segments.size() > at + 3 && IsBase36Id(segments[at + 3])) out.comment = Lower(segments[at + 3]);
  return out;
}

std::optional<RedditUrl> ParseRedditPath(const url::Url& parsed) {
  const std::vector<std::string> s = parsed.PathSegments();
  if (OneOf(kShortHosts, parsed.host)) {
    if (s.size() != 1 || !IsBase36Id(s[0])) return std::nullopt;
    RedditUrl out;
    out.post = Lower(s[0]);
    return out;
  }
  if (s.empty()) return std::nullopt;
  if (s[0] == "r" && s.size() >= 4 && IsSubreddit(s[1]) && s[2] == "comments") {
    std::optional<RedditUrl> out = ReadCommentsPath(s, 2);
    if (out) out->subreddit = s[1];
    return out;
  }
  if ((s[0] == "user" || s[0] == "u") && s.size() >= 4 && IsName(s[1], kMaxUsernameLength) && s[2] == "comments") {
    std::optional<RedditUrl> out = ReadCommentsPath(s, 2);
    if (out) out->user = s[1];
    return out;
  }
  if (s[0] == "comments") return ReadCommentsPath(s, 0);
  if (s[0] == "gallery" && s.size() == 2 && IsBase36Id(s[1])) {
    RedditUrl out;
    out.post = Lower(s[1]);
    return out;
  }
  return std::nullopt;
}

PostRef MakeRef(const RedditUrl& parts, std::optional<std::string> author) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  std::string base = "https://www.reddit.com/";
  if (!parts.subreddit.empty()) {
    base += "r/" + parts.subreddit + "/";
  } else if (!parts.user.empty()) {
    base += "user/" + parts.user + "/";
  }
  base += "comments/" + parts.post + "/";
  if (parts.comment.empty()) {
    ref.post_id = "t3_" + parts.post;
    ref.url = base;
  } else {
    ref.post_id = "t1_" + parts.comment;
    ref.url = base + (parts.subreddit.empty() && parts.user.empty() ? "_/" : "comment/") + parts.comment + "/";
  }
  ref.author = std::move(author);
  return ref;
}

std::optional<PostRef> ParseRedditUrl(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed) return std::nullopt;
  if (!OneOf(kSiteHosts, parsed->host) && !OneOf(kEmbedHosts, parsed->host) && !OneOf(kShortHosts, parsed->host)) {
    return std::nullopt;
  }
  std::optional<RedditUrl> parts = ParseRedditPath(*parsed);
  if (!parts) return std::nullopt;
  return MakeRef(*parts, std::nullopt);
}

// An embed endpoint: a post URL on an embed-only host, or a reddit.com post URL with embed=true.
std::optional<PostRef> ParseEmbedEndpoint(std::string_view src, std::string_view base_url) {
  Result<url::Url> parsed = url::ResolveUrl(base_url, src);
  if (!parsed) return std::nullopt;
  const bool embed_host = OneOf(kEmbedHosts, parsed->host);
  if (!embed_host && !(OneOf(kSiteHosts, parsed->host) && parsed->QueryValue("embed") == "true")) return std::nullopt;
  std::optional<RedditUrl> parts = ParseRedditPath(*parsed);
  if (!parts) return std::nullopt;
  return MakeRef(*parts, std::nullopt);
}

// The username of a /user/{name}/ or /u/{name}/ profile link.
std::optional<std::string> ProfileHandle(std::string_view href, std::string_view base_url) {
  Result<url::Url> parsed = url::ResolveUrl(base_url, href);
  if (!parsed || !OneOf(kSiteHosts, parsed->host)) return std::nullopt;
  const std::vector<std::string> s = parsed->PathSegments();
  if (s.size() < 2 || (s[0] != "user" && s[0] != "u") || !IsName(s[1], kMaxUsernameLength)) return std::nullopt;
  if (s.size() > 2 && s[2] == "comments") return std::nullopt;
  return s[1];
}

// ---- embed markup ------------------------------------------------------------------

bool IsRedditBlockquote(const Node& node) {
  return node.IsTag("blockquote") && (node.HasClass("reddit-embed-bq") || node.HasClass("reddit-card"));
}

bool IsWidgetScript(const Node& node) {
  if (!node.IsTag("script")) return false;
  const std::string src = Lower(node.Attr("src").value_or(""));
  return src.find("embed.reddit.com/widgets.js") != std::string::npos ||
         src.find("redditmedia.com/widgets/platform.js") != std::string::npos;
}

struct BlockquoteReading {
  std::optional<PostRef> post;
  std::string title;                  // text of the post link
  std::optional<std::string> handle;  // from the /user/ link
  std::string handle_text;            // "u/name" as printed
  std::optional<Node> stop;           // where an unclosed blockquote ends
};

BlockquoteReading ReadBlockquote(const Node& blockquote, std::string_view base_url) {
  BlockquoteReading reading;
  blockquote.Walk([&](const Node& node) {
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (IsWidgetScript(node) || EndsUnclosedBlockquote(blockquote, node)) {
      reading.stop = node;
      return Node::Step::kStop;
    }
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (!node.IsTag("a")) return Node::Step::kDescend;
    const std::optional<std::string_view> href = node.Attr("href");
    if (!href) return Node::Step::kDescend;
    if (!reading.post) {
      if (Result<url::Url> resolved = url::ResolveUrl(base_url, *href)) {
        if (std::optional<PostRef> ref = ParseRedditUrl(resolved->ToString())) {
          reading.post = std::move(ref);
          reading.title = node.TextContent();
          return Node::Step::kSkipChildren;
        }
      }
    }
    if (!reading.handle) {
      if (std::optional<std::string> handle = ProfileHandle(*href, base_url)) {
        reading.handle = std::move(handle);
        reading.handle_text = node.TextContent();
      }
    }
    return Node::Step::kSkipChildren;
  });
  return reading;
}

std::optional<EmbedMatch> MatchBlockquote(const Node& element, const MatchContext& context) {
  BlockquoteReading reading = ReadBlockquote(element, context.base_url);
  if (!reading.post) {
    if (const std::optional<std::string_view> cite = element.Attr("cite")) {
      if (Result<url::Url> resolved = url::ResolveUrl(context.base_url, *cite)) {
        reading.post = ParseRedditUrl(resolved->ToString());
      }
    }
  }
  if (!reading.post) return std::nullopt;
  EmbedMatch match;
  match.ref = std::move(*reading.post);
  match.ref.author = reading.handle;
  match.form = element.HasClass("reddit-embed-bq") ? "blockquote.reddit-embed-bq" : "blockquote.reddit-card";
  Quote quote;
  quote.text = std::move(reading.title);
  quote.author_name = std::move(reading.handle_text);
  if (!quote.text.empty() || !quote.author_name.empty()) match.quote = std::move(quote);
  // What the article embedded is the post as of this time; with showedits="false"
  // Reddit's widget hides the content if the post was edited later.
  for (const std::string_view created_attribute : {"data-embed-created", "data-card-created"}) {
    const std::optional<std::string_view> created = element.Attr(created_attribute);
    if (!created || created->empty()) continue;
    std::string version = "created=" + std::string(*created);
    if (const std::optional<std::string_view> edits = element.Attr("data-embed-showedits")) {
      version += ";showedits=" + Lower(*edits);
    }
    match.embedded_version = std::move(version);
    break;
  }
  if (reading.stop) {
    match.claim = EmbedMatch::Claim::kUntil;
    match.claim_until = reading.stop;
  }
  return match;
}

class RedditEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (IsRedditBlockquote(element)) return MatchBlockquote(element, context);
    if (element.IsTag("amp-reddit")) {
      for (const std::string_view name : {"data-src", "src"}) {
        const std::optional<std::string_view> src = element.Attr(name);
        if (!src) continue;
        Result<url::Url> resolved = url::ResolveUrl(context.base_url, *src);
        if (!resolved) continue;
        if (std::optional<PostRef> ref = ParseRedditUrl(resolved->ToString())) {
          EmbedMatch match;
          match.ref = std::move(*ref);
          match.form = "amp-reddit";
          match.amp = true;
          return match;
        }
      }
      return std::nullopt;
    }
    for (const UrlAttribute& attribute : EmbedUrlAttributes(element, DirectUrlRule::kFramesAndParams)) {
      if (std::optional<PostRef> ref = ParseEmbedEndpoint(attribute.value, context.base_url)) {
        EmbedMatch match;
        match.ref = std::move(*ref);
        match.form = element.TagName() + "[" + attribute.name + "]";
        match.lazy = attribute.lazy;
        match.rendered = element.IsTag("iframe") && !match.lazy;
        return match;
      }
    }
    return std::nullopt;
  }
};

// ---- reading the answers ---------------------------------------------------------

enum class Kind { kAvailable, kDeleted, kNotFound, kWithheld, kLoginRequired, kRateLimited, kUnreachable };

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

std::string HttpStatusReason(std::string_view source, int status) {
  return std::string(source) + ": HTTP " + std::to_string(status);
}

std::optional<Signal> TransportSignal(std::string_view source, const net::FetchResponse& response) {
  if (!response.ok()) {
    return MakeSignal(Kind::kUnreachable, std::string(source) + ": " + net::FetchOutcomeName(response.outcome) +
                                              (response.error.empty() ? "" : " (" + response.error + ")"));
  }
  const int status = response.Final()->status;
  if (status == 429) return MakeSignal(Kind::kRateLimited, HttpStatusReason(source, status));
  if (status >= 500) return MakeSignal(Kind::kUnreachable, HttpStatusReason(source, status));
  return std::nullopt;
}

// The body of an exchange with any Content-Encoding removed.
Result<std::string> BodyText(const net::HttpExchange& exchange) {
  const std::string encoding = Lower(exchange.Header("Content-Encoding"));
  if (encoding.empty() || encoding == "identity") return ToString(exchange.body);
  Result<Bytes> decoded = net::DecodeContent(exchange);
  if (!decoded) return WithContext(decoded.error(), "Content-Encoding " + encoding);
  return ToString(*decoded);
}

// The JSON body of an answer, if it is JSON (by Content-Type, or by shape when there is none).
std::optional<Json> JsonBody(const net::HttpExchange& exchange, std::string* why) {
  const std::string content_type = Lower(exchange.Header("Content-Type"));
  if (!content_type.empty() && content_type.find("json") == std::string::npos) {
    *why = "not JSON (Content-Type " + content_type + ")";
    return std::nullopt;
  }
  Result<std::string> body = BodyText(exchange);
  if (!body) {
    *why = body.error().message;
    return std::nullopt;
  }
  Result<Json> parsed = ParseJson(*body);
  if (!parsed) {
    *why = "body is not JSON (" + parsed.error().message + ")";
    return std::nullopt;
  }
  return std::move(*parsed);
}

const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StringMember(const Json& object, std::string_view key) {
  const Json* value = Member(object, key);
  return (value != nullptr && value->is_string()) ? value->get<std::string>() : std::string();
}

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
void CivilFromDays(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

// Epoch seconds (Reddit's created_utc) as RFC 3339 UTC; empty when out of range.
std::string EpochToRfc3339(double seconds) {
  constexpr double kMaxEpochSeconds = 253402300799.0;  // 9999-12-31T23:59:59Z
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxEpochSeconds) return {};
  const auto whole = static_cast<std::int64_t>(std::floor(seconds));
  std::int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(whole / 86400, year, month, day);
  const auto rest = static_cast<unsigned>(whole % 86400);
  char out[64];
  std::snprintf(out, sizeof out, "%04u-%02u-%02uT%02u:%02u:%02uZ", static_cast<unsigned>(year), month % 100u, day % 100u,
                rest / 3600 % 100u, rest / 60 % 60, rest % 60);
  return out;
}

// The `edited` member as a version string: "false", or the epoch seconds of the last edit.
std::string EditedVersion(const Json& data) {
  const Json* edited = Member(data, "edited");
  if (edited == nullptr || edited->is_null()) return {};
  if (edited->is_boolean()) return edited->get<bool>() ? "true" : "false";
  if (edited->is_number_integer()) return std::to_string(edited->get<std::int64_t>());
  if (edited->is_number()) {
    const double value = edited->get<double>();
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
      return std::to_string(static_cast<std::int64_t>(value));
    }
    return edited->dump();
  }
  return edited->is_string() ? edited->get<std::string>() : std::string();
}

std::string CreatedAt(const Json& data) {
  const Json* created = Member(data, "created_utc");
  return (created != nullptr && created->is_number()) ? EpochToRfc3339(created->get<double>()) : std::string();
}

bool IsImageHost(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  return parsed && (parsed->host == "i.redd.it" || parsed->host == "preview.redd.it" || parsed->host == "i.imgur.com");
}

std::vector<MediaItem> PostMedia(const Json& data) {
  std::vector<MediaItem> media;
  const std::string hint = StringMember(data, "post_hint");
  const std::string link = StringMember(data, "url_overridden_by_dest").empty() ? StringMember(data, "url")
                                                                                 : StringMember(data, "url_overridden_by_dest");
  if (hint == "image" && IsImageHost(link)) media.push_back({link, "photo", ""});
  // Galleries: gallery_data.items order, files in media_metadata (i.redd.it/{media_id}.{ext}).
  const Json* gallery = Member(data, "gallery_data");
  const Json* items = gallery != nullptr ? Member(*gallery, "items") : nullptr;
  const Json* metadata = Member(data, "media_metadata");
  if (items != nullptr && items->is_array() && metadata != nullptr) {
    for (const Json& item : *items) {
      const std::string media_id = StringMember(item, "media_id");
      const Json* meta = Member(*metadata, media_id);
      if (media_id.empty() || !IsBase36Id(media_id) || meta == nullptr) continue;
      const std::string mime = StringMember(*meta, "m");  // "image/jpg", "image/png", "image/gif"
      const std::size_t slash = mime.find('/');
      if (mime.rfind("image/", 0) != 0 || slash == std::string::npos) continue;
      const std::string extension = mime.substr(slash + 1);
      if (!IsBase36Id(extension)) continue;
      media.push_back({"https://i.redd.it/" + media_id + "." + extension, "photo", ""});
    }
  }
  // Reddit-hosted video: the progressive MP4.
  for (const std::string_view key : {"secure_media", "media"}) {
    const Json* holder = Member(data, key);
    const Json* video = holder != nullptr ? Member(*holder, "reddit_video") : nullptr;
    if (video == nullptr) continue;
    const std::string fallback = StringMember(*video, "fallback_url");
    if (!fallback.empty()) {
      media.push_back({fallback, "video", ""});
      break;
    }
  }
  return media;
}

// A post (t3) or comment (t1) of the listing, read for its state and content.
Signal ReadThing(const Json& thing) {
  const Json* data_ptr = Member(thing, "data");
  if (data_ptr == nullptr || !data_ptr->is_object()) return MakeSignal(Kind::kUnreachable, "listing: thing without data");
  const Json& data = *data_ptr;
  const std::string kind = StringMember(thing, "kind");
  const std::string author = StringMember(data, "author");
  const std::string name = StringMember(data, "name");
  if (kind == "t3") {
    const std::string selftext = StringMember(data, "selftext");
    const std::string removed_by = StringMember(data, "removed_by_category");
    if (removed_by == "deleted" || removed_by == "author" || (author == "[deleted]" && selftext == "[deleted]")) {
      return MakeSignal(Kind::kDeleted, "listing: " + name + " deleted by its author" +
                                            (removed_by.empty() ? "" : " (removed_by_category \"" + removed_by + "\")"));
    }
    if (!removed_by.empty() || selftext == "[removed]") {
      return MakeSignal(Kind::kWithheld, "listing: " + name + " removed" +
                                             (removed_by.empty() ? std::string(" ([removed])")
                                                                 : " by " + SanitizeUtf8(removed_by)));
    }
    Signal signal = MakeSignal(Kind::kAvailable, "listing: " + name);
    PostContent& c = signal.content;
    c.author = author;
    c.created_at = CreatedAt(data);
    c.text = StringMember(data, "title");
    if (!selftext.empty()) c.text += "\n\n" + selftext;
    const Json* is_self = Member(data, "is_self");
    const std::string link = StringMember(data, "url_overridden_by_dest");
    if (is_self != nullptr && is_self->is_boolean() && !is_self->get<bool>() && !link.empty()) c.text += "\n\n" + link;
    c.media = PostMedia(data);
    c.version = EditedVersion(data);
    return signal;
  }
  if (kind == "t1") {
    const std::string body = StringMember(data, "body");
    if (body == "[deleted]" && author == "[deleted]") {
      return MakeSignal(Kind::kDeleted, "listing: " + name + " deleted by its author");
    }
    if (body == "[removed]") return MakeSignal(Kind::kWithheld, "listing: " + name + " removed ([removed])");
    Signal signal = MakeSignal(Kind::kAvailable, "listing: " + name);
    signal.content.author = author;
    signal.content.created_at = CreatedAt(data);
    signal.content.text = body;
    signal.content.version = EditedVersion(data);
    return signal;
  }
  return MakeSignal(Kind::kUnreachable, "listing: unexpected thing kind \"" + SanitizeUtf8(kind) + "\"");
}

// Finds the thing called `fullname` in a listing, or in an array of listings, at top
// level of each listing's children (a comment permalink's comment is a top-level child).
const Json* FindThing(const Json& body, std::string_view fullname) {
  const auto search_listing = [fullname](const Json& listing) -> const Json* {
    const Json* data = Member(listing, "data");
    const Json* children = data != nullptr ? Member(*data, "children") : nullptr;
    if (children == nullptr || !children->is_array()) return nullptr;
    for (const Json& child : *children) {
      const Json* child_data = Member(child, "data");
      if (child_data != nullptr && StringMember(*child_data, "name") == fullname) return &child;
    }
    return nullptr;
  };
  if (body.is_array()) {
    for (const Json& listing : body) {
      if (const Json* found = search_listing(listing)) return found;
    }
    return nullptr;
  }
  return search_listing(body);
}

// Whether any hop went to a login or age-gate page (Reddit answers such requests by redirecting).
bool RedirectedToGate(const net::FetchResponse& response) {
  for (const net::HttpExchange& hop : response.hops) {
    Result<url::Url> parsed = url::ParseUrl(hop.url);
    if (!parsed) continue;
    const std::string path = Lower(parsed->path);
    if (path.rfind("/login", 0) == 0 || path.rfind("/account/login", 0) == 0 || path.rfind("/over18", 0) == 0) {
      return true;
    }
  }
  return false;
}

Signal ReadListing(const net::FetchResponse& response, std::string_view fullname) {
  constexpr std::string_view kSource = "listing";
  if (std::optional<Signal> transport = TransportSignal(kSource, response)) return std::move(*transport);
  const net::HttpExchange& exchange = *response.Final();
  const int status = exchange.status;
  if (RedirectedToGate(response)) return MakeSignal(Kind::kLoginRequired, "listing: redirected to a login or age gate");
  if (status == 401) return MakeSignal(Kind::kLoginRequired, HttpStatusReason(kSource, status));
  std::string why;
  std::optional<Json> body = JsonBody(exchange, &why);
  if (status == 403 || status == 404) {
    // Reddit's own errors are JSON: {"reason": "private"|"quarantined"|"gated"|"banned", "message", "error"}.
    const std::string reason = body ? StringMember(*body, "reason") : std::string();
    if (!reason.empty()) {
      return MakeSignal(Kind::kWithheld, HttpStatusReason(kSource, status) + " (subreddit " + SanitizeUtf8(reason) + ")");
    }
    const Json* error = body ? Member(*body, "error") : nullptr;
    if (status == 404 && error != nullptr && error->is_number() && error->get<double>() == 404) {
      return MakeSignal(Kind::kNotFound, "listing: HTTP 404 (no such post)");
    }
    return MakeSignal(Kind::kUnreachable,
                      HttpStatusReason(kSource, status) + (status == 403 ? " (client blocked)" : " without Reddit's error body"));
  }
  if (status != 200) return MakeSignal(Kind::kUnreachable, HttpStatusReason(kSource, status));
  if (!body) return MakeSignal(Kind::kUnreachable, "listing: HTTP 200 but " + why);
  const Json* thing = FindThing(*body, fullname);
  if (thing == nullptr) {
    return MakeSignal(Kind::kUnreachable, "listing: HTTP 200 without " + std::string(fullname));
  }
  return ReadThing(*thing);
}

Signal ReadOEmbed(const net::FetchResponse& response) {
  constexpr std::string_view kSource = "oEmbed";
  if (std::optional<Signal> transport = TransportSignal(kSource, response)) return std::move(*transport);
  const net::HttpExchange& exchange = *response.Final();
  if (exchange.status != 200) return MakeSignal(Kind::kUnreachable, HttpStatusReason(kSource, exchange.status));
  std::string why;
  std::optional<Json> body = JsonBody(exchange, &why);
  if (!body) return MakeSignal(Kind::kUnreachable, "oEmbed: HTTP 200 but " + why);
  if (StringMember(*body, "html").empty()) return MakeSignal(Kind::kUnreachable, "oEmbed: HTTP 200 without html");
  Signal signal = MakeSignal(Kind::kAvailable, "oEmbed: HTTP 200");
  signal.content.author = StringMember(*body, "author_name");
  signal.content.text = StringMember(*body, "title");
  return signal;
}

const net::FetchResponse* AnswerAt(std::span<const net::FetchResponse> answers, std::size_t i) {
  return i < answers.size() ? &answers[i] : nullptr;
}

PostState StateOf(Kind kind) {
  switch (kind) {
    case Kind::kAvailable: return PostState::kAvailable;
    case Kind::kDeleted:
    case Kind::kNotFound: return PostState::kDeleted;
    case Kind::kWithheld: return PostState::kWithheld;
    case Kind::kLoginRequired: return PostState::kLoginRequired;
    case Kind::kRateLimited: return PostState::kRateLimited;
    case Kind::kUnreachable: return PostState::kUnreachable;
  }
  return PostState::kUnreachable;
}

class RedditAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override { return ParseRedditUrl(post_url); }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::optional<RedditUrl> parts;
    if (Result<url::Url> parsed = url::ParseUrl(post.url)) parts = ParseRedditPath(*parsed);
    const std::string id = post.post_id.size() > 3 ? post.post_id.substr(3) : std::string();
    std::string listing;
    if (parts && !parts->comment.empty()) {
      listing = "https://www.reddit.com/" + (parts->subreddit.empty() ? std::string() : "r/" + parts->subreddit + "/") +
                "comments/" + parts->post + "/_/" + parts->comment + ".json?raw_json=1";
    } else if (post.post_id.rfind("t1_", 0) == 0) {
      // A comment known only by its fullname: the info endpoint lists it.
      listing = "https://www.reddit.com/api/info.json?id=" + url::PercentEncode(post.post_id) + "&raw_json=1";
    } else {
      listing = "https://www.reddit.com/comments/" + url::PercentEncode(parts ? parts->post : id) +
                ".json?limit=1&raw_json=1";
    }
    const net::HeaderList headers = {{"Accept", "application/json"}, {"User-Agent", std::string(kUserAgent)}};
    std::vector<net::FetchRequest> plan(2);
    plan[0].url = std::move(listing);
    plan[0].headers = headers;
    plan[1].url = "https://www.reddit.com/oembed?url=" + url::PercentEncode(post.url) + "&format=json";
    plan[1].headers = headers;
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    const net::FetchResponse* listing_answer = AnswerAt(answers, 0);
    const net::FetchResponse* oembed_answer = AnswerAt(answers, 1);
    const Signal listing = listing_answer != nullptr ? ReadListing(*listing_answer, post.post_id)
                                                     : MakeSignal(Kind::kUnreachable, "listing: not fetched");
    const Signal oembed = oembed_answer != nullptr ? ReadOEmbed(*oembed_answer)
                                                   : MakeSignal(Kind::kUnreachable, "oEmbed: not fetched");
    Observation observation;
    observation.reason = listing.reason + "; " + oembed.reason;
    switch (listing.kind) {
      case Kind::kAvailable:
        observation.state = PostState::kAvailable;
        observation.content = listing.content;
        return observation;
      case Kind::kDeleted:
      case Kind::kWithheld:
        // The listing is Reddit's own statement about the post; oEmbed answers for
        // removed posts too, so it cannot contradict it.
        observation.state = StateOf(listing.kind);
        return observation;
      default:
        break;
    }
    if (oembed.kind == Kind::kAvailable) {
      observation.state = PostState::kAvailable;
      observation.content = oembed.content;
      return observation;
    }
    observation.state = StateOf(listing.kind);
    if (listing.kind == Kind::kUnreachable && oembed.kind == Kind::kRateLimited) observation.state = PostState::kRateLimited;
    return observation;
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  RedditEmbedMatcher matcher_;
};

}  // namespace

const Adapter& RedditAdapter() {
  static const RedditAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::reddit
