// Facebook (embeds.md §5): embed markup, post URL forms, and the public post plugin.
//
// Embeds recognised:
//   * div.fb-post[data-href], div.fb-video[data-href] (XFBML; also <fb:post href>);
//     the SDK renders its iframe inside, which belongs to the same occurrence.
//   * amp-facebook[data-href] (amp; data-embed-as="comment" is a comment, not a post).
//   * iframes (and lazy/consent placeholders: data-src, data-lazy-src, data-cmp-src,
//     data-*src*…) of facebook.com[/vN.N]/plugins/post.php or video.php with an
//     `href` parameter, which is URL-decoded once.
// Not posts: fb-page, fb-like, fb-comments, fb-follow, fb-share-button, plugins/like.php,
// page.php, comments.php, comment_embed.php.
//
// URL forms and identity (post_id is the id Facebook gives the post, decimal, or an
// opaque pfbid… string when that is all the URL shows; both are kept as found):
//   /{page}/posts/{id}, /{page}/posts/{slug}/{id}, /{page}/activity/{id}
//                                         → https://www.facebook.com/{page}/posts/{id}
//   /permalink.php?story_fbid={id}&id={owner}, /story.php?…
//                                         → https://www.facebook.com/permalink.php?story_fbid={id}&id={owner}
//   /photo.php?fbid={id}[&set=…], /photo/?fbid={id}, /{page}/photos/{a.…|pcb.…|…}/{id}
//                                         → https://www.facebook.com/photo.php?fbid={id}
//   /{page}/videos/[{slug}/]{id}          → https://www.facebook.com/{page}/videos/{id}/
//   /video.php?v={id}, /watch/?v={id}     → https://www.facebook.com/watch/?v={id}
//   /reel/{id}                            → https://www.facebook.com/reel/{id}
//   /groups/{group}/posts|permalink/{id}  → https://www.facebook.com/groups/{group}/posts/{id}
//   /notes/{user}/{slug}/{id}             → https://www.facebook.com/notes/{user}/{slug}/{id}
// on facebook.com, www., m., mbasic., web., business., touch. The author is the page
// name in the path when it is a name (not a numeric id). Short links (fb.watch, /share/p/)
// need a redirect to resolve and are not recognised.
//
// Capture plan: one request, the public post plugin (no login):
//     GET https://www.facebook.com/plugins/post.php?href={canonical URL, encoded}&show_text=true&width=500
//     GET https://www.facebook.com/plugins/video.php?href=…&show_text=true&width=500   (videos, reels)
// No recorded answer exists in the corpus; the markers read are those of Facebook's
// classic post markup as the plugin serves it, which the fixture world
// (tools/fixtures/world/www.facebook.com) is written in:
//   available       [data-testid=post_message] / .userContent / .userContentWrapper: author from
//                   a.profileLink (name and path), date from abbr[data-utime], text from the
//                   message, photos from img.scaledImageFitWidth / .scaledImageFitHeight
//   withheld        "This Facebook post is no longer available" / "content isn't available":
//                   Facebook shows the same page for deleted and for private posts, so it is
//                   never read as a deletion. No answer of the plugin is a deletion signal.
//   login_required  a redirect to /login or /checkpoint, a login form
//   rate_limited    HTTP 429
//   unreachable     network failures, 5xx, other statuses (404 included), unknown pages

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "embarc/core/bytes.h"
#include "embarc/core/json.h"
#include "embarc/html/extract.h"
#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "platform/media_embed.h"

namespace embarc::platform::facebook {

const Adapter& FacebookAdapter();

namespace {

using ascii::Lower;
using ascii::IsDigits;
using ascii::ContainsNoCase;

using html::Node;
using media_embed::DirectUrlRule;
using media_embed::EmbedUrlAttributes;
using media_embed::UrlAttribute;

constexpr std::string_view kPlatform = "facebook";
constexpr std::size_t kMaxNumericIdDigits = 25;  // object ids are 64-bit; leave room
constexpr std::size_t kMaxPfbidLength = 96;
constexpr std::size_t kMaxPageNameLength = 100;
constexpr std::size_t kMaxReasonTextBytes = 120;

constexpr std::array<std::string_view, 8> kHosts = {"facebook.com",     "www.facebook.com", "m.facebook.com",
                                                    "mbasic.facebook.com", "web.facebook.com", "business.facebook.com",
                                                    "touch.facebook.com",  "mobile.facebook.com"};

// First path segments that are never a page name.
constexpr std::array<std::string_view, 16> kReservedPaths = {
    "plugins", "sharer",  "sharer.php", "dialog", "login",  "login.php", "share",  "hashtag",
    "help",    "policies", "pages",     "events", "search", "home.php",  "profile.php", "l.php"};

bool IsAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsNumericId(std::string_view s) { return IsDigits(s) && s.size() <= kMaxNumericIdDigits && s.front() != '0'; }

bool IsPfbid(std::string_view s) {
  return s.size() > 5 && s.size() <= kMaxPfbidLength && s.substr(0, 5) == "pfbid" &&
         std::all_of(s.begin() + 5, s.end(), IsAlnum);
}

bool IsPostId(std::string_view s) { return IsNumericId(s) || IsPfbid(s); }

bool IsPageName(std::string_view s) {
  return !s.empty() && s.size() <= kMaxPageNameLength &&
         std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '.' || c == '-' || c == '_'; }) &&
         std::find(kReservedPaths.begin(), kReservedPaths.end(), Lower(s)) == kReservedPaths.end();
}

std::optional<std::string> AuthorOf(std::string_view page) {
  if (IsDigits(page)) return std::nullopt;  // a numeric owner id is not a handle
  return std::string(page);
}

PostRef MakeRef(std::string id, std::string canonical, std::optional<std::string> author) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = std::move(id);
  ref.url = std::move(canonical);
  ref.author = std::move(author);
  return ref;
}

constexpr std::string_view kBase = "https://www.facebook.com/";

std::optional<PostRef> ParseFacebookUrl(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed || std::find(kHosts.begin(), kHosts.end(), parsed->host) == kHosts.end()) return std::nullopt;
  const std::vector<std::string> s = parsed->PathSegments();
  if (s.empty()) return std::nullopt;
  const std::string base(kBase);
  const std::string first = Lower(s[0]);
  const auto query = [&parsed](std::string_view name) { return parsed->QueryValue(name).value_or(""); };

  if ((first == "permalink.php" || first == "story.php") && s.size() == 1) {
    const std::string id = query("story_fbid");
    if (!IsPostId(id)) return std::nullopt;
    const std::string owner = query("id");
    std::string canonical = base + "permalink.php?story_fbid=" + id;
    if (IsNumericId(owner)) canonical += "&id=" + owner;
    return MakeRef(id, std::move(canonical), std::nullopt);
  }
  if ((first == "photo.php" || first == "photo") && s.size() == 1) {
    const std::string id = query("fbid");
    if (!IsNumericId(id)) return std::nullopt;
    return MakeRef(id, base + "photo.php?fbid=" + id, std::nullopt);
  }
  if ((first == "video.php" || first == "watch") && s.size() == 1) {
    const std::string id = query("v");
    if (!IsNumericId(id)) return std::nullopt;
    return MakeRef(id, base + "watch/?v=" + id, std::nullopt);
  }
  if (first == "reel" && s.size() >= 2) {
    if (!IsNumericId(s[1])) return std::nullopt;
    return MakeRef(s[1], base + "reel/" + s[1], std::nullopt);
  }
  if (first == "groups" && s.size() >= 4 && (s[2] == "posts" || s[2] == "permalink")) {
    if (!IsPageName(s[1]) || !IsPostId(s[3])) return std::nullopt;
    return MakeRef(s[3], base + "groups/" + s[1] + "/posts/" + s[3], std::nullopt);
  }
  if (first == "notes" && s.size() >= 3) {
    const std::string& id = s.back();
    if (!IsNumericId(id)) return std::nullopt;
    std::string canonical = base + "notes";
    for (std::size_t i = 1; i < s.size(); ++i) canonical += "/" + url::PercentEncode(s[i]);
    return MakeRef(id, std::move(canonical), s.size() >= 4 ? AuthorOf(s[1]) : std::nullopt);
  }
  if (s.size() < 3 || !IsPageName(s[0])) return std::nullopt;
  const std::string kind = Lower(s[1]);
  const std::string& id = s.back();
  if ((kind == "posts" || kind == "activity") && s.size() <= 4) {
    if (!IsPostId(id)) return std::nullopt;
    return MakeRef(id, base + s[0] + "/posts/" + id, AuthorOf(s[0]));
  }
  if (kind == "photos" && s.size() <= 4) {
    if (!IsNumericId(id)) return std::nullopt;
    return MakeRef(id, base + "photo.php?fbid=" + id, AuthorOf(s[0]));
  }
  if (kind == "videos" && s.size() <= 4) {
    if (!IsNumericId(id)) return std::nullopt;
    return MakeRef(id, base + s[0] + "/videos/" + id + "/", AuthorOf(s[0]));
  }
  return std::nullopt;
}

bool IsVideoUrl(std::string_view canonical) {
  return canonical.find("/videos/") != std::string_view::npos || canonical.find("/watch/") != std::string_view::npos ||
         canonical.find("/reel/") != std::string_view::npos;
}

std::optional<std::string> ResolveToString(std::string_view base, std::string_view reference) {
  Result<url::Url> resolved = url::ResolveUrl(base, reference);
  if (!resolved) return std::nullopt;
  return resolved->ToString();
}

// facebook.com[/vN.N]/plugins/post.php|video.php?href=… → the post (href decoded once).
std::optional<PostRef> ParsePluginUrl(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed || std::find(kHosts.begin(), kHosts.end(), parsed->host) == kHosts.end()) return std::nullopt;
  std::vector<std::string> s = parsed->PathSegments();
  if (s.size() == 3 && s[0].size() > 1 && s[0][0] == 'v') s.erase(s.begin());  // /v2.5/plugins/…
  if (s.size() != 2 || s[0] != "plugins" || (s[1] != "post.php" && s[1] != "video.php")) return std::nullopt;
  const std::optional<std::string> href = parsed->QueryValue("href");
  if (!href) return std::nullopt;
  return ParseFacebookUrl(*href);
}

// ---- embed markup ---------------------------------------------------------------------

bool IsUrlCarrier(const Node& element) {
  return element.IsTag("iframe") || element.IsTag("amp-iframe") || element.IsTag("embed") ||
         element.IsTag("object") || element.IsTag("param") || element.IsTag("div");
}

class FacebookEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    const bool xfbml_div = element.IsTag("div") && (element.HasClass("fb-post") || element.HasClass("fb-video"));
    const bool xfbml_tag = element.IsTag("fb:post") || element.IsTag("fb:video");
    if (xfbml_div || xfbml_tag) {
      const std::optional<std::string_view> href = element.Attr(xfbml_div ? "data-href" : "href");
      if (!href) return std::nullopt;
      std::optional<std::string> resolved = ResolveToString(context.base_url, *href);
      std::optional<PostRef> ref = resolved ? ParseFacebookUrl(*resolved) : std::nullopt;
      if (!ref) return std::nullopt;
      EmbedMatch match;
      match.ref = std::move(*ref);
      match.form = xfbml_div ? (element.HasClass("fb-post") ? "div.fb-post" : "div.fb-video")
                             : element.TagName() + "[href]";
      return match;
    }
    if (element.IsTag("amp-facebook")) {
      if (Lower(element.Attr("data-embed-as").value_or("")) == "comment") return std::nullopt;
      const std::optional<std::string_view> href = element.Attr("data-href");
      std::optional<std::string> resolved = href ? ResolveToString(context.base_url, *href) : std::nullopt;
      std::optional<PostRef> ref = resolved ? ParseFacebookUrl(*resolved) : std::nullopt;
      if (!ref) return std::nullopt;
      EmbedMatch match;
      match.ref = std::move(*ref);
      match.form = "amp-facebook[data-href]";
      match.amp = true;
      match.claim = EmbedMatch::Claim::kNone;
      return match;
    }
    if (!IsUrlCarrier(element)) return std::nullopt;
    for (const UrlAttribute& attribute : EmbedUrlAttributes(element, DirectUrlRule::kAnySrc)) {
      std::optional<std::string> resolved = ResolveToString(context.base_url, attribute.value);
      std::optional<PostRef> ref = resolved ? ParsePluginUrl(*resolved) : std::nullopt;
      if (!ref) continue;
      EmbedMatch match;
      match.ref = std::move(*ref);
      match.form = element.TagName() + "[" + attribute.name + "]";
      match.lazy = attribute.lazy;
      return match;
    }
    return std::nullopt;
  }
};

// ---- reading the plugin page ------------------------------------------------------------

bool IsLoginPath(std::string_view target) {
  Result<url::Url> parsed = url::ResolveUrl("https://www.facebook.com/", target);
  if (!parsed) return false;
  const std::vector<std::string> segments = parsed->PathSegments();
  if (segments.empty()) return false;
  const std::string first = Lower(segments[0]);
  return first == "login" || first == "login.php" || first == "checkpoint";
}

bool ReachedLogin(const net::FetchResponse& response) {
  for (const net::HttpExchange& hop : response.hops) {
    if (IsLoginPath(hop.url)) return true;
    if (hop.status >= 300 && hop.status < 400 && IsLoginPath(hop.Header("Location"))) return true;
  }
  return false;
}

Result<html::Document> ParseBody(const net::HttpExchange& exchange) {
  EMBARC_ASSIGN_OR_RETURN(Bytes body, net::DecodeContent(exchange));
  return html::Document::Parse(ToString(body), html::kMaxDocumentBytes, html::kMaxNestingDepth);
}

std::optional<Node> FindFirst(const Node& root, const std::function<bool(const Node&)>& predicate) {
  std::optional<Node> found;
  root.Walk([&](const Node& node) {
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (predicate(node)) {
      found = node;
      return Node::Step::kStop;
    }
    return Node::Step::kDescend;
  });
  return found;
}

std::vector<Node> FindAll(const Node& root, const std::function<bool(const Node&)>& predicate) {
  std::vector<Node> found;
  root.Walk([&](const Node& node) {
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (predicate(node)) found.push_back(node);
    return Node::Step::kDescend;
  });
  return found;
}

// Unix seconds → "YYYY-MM-DDTHH:MM:SSZ"; empty if `digits` is not a plausible time.
std::string UnixToRfc3339(std::string_view digits) {
  constexpr std::size_t kMaxUnixDigits = 11;
  if (!IsDigits(digits) || digits.size() > kMaxUnixDigits) return {};
  std::int64_t seconds = 0;
  for (const char c : digits) seconds = seconds * 10 + (c - '0');
  const std::chrono::sys_seconds time{std::chrono::seconds(seconds)};
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{time - day};
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return out;
}

// The text of `root`, whitespace collapsed, with block elements and <br> kept apart.
std::string BlockText(const Node& root) {
  std::string text;
  root.Walk([&text](const Node& node) {
    if (node.is_text()) {
      text += node.Text();
      return Node::Step::kDescend;
    }
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (node.IsTag("br") || node.IsTag("p") || node.IsTag("div") || node.IsTag("li")) text += ' ';
    return Node::Step::kDescend;
  });
  return html::CollapseWhitespace(text);
}

std::string ReasonText(std::string_view text) {
  return SanitizeUtf8(text.substr(0, std::min(text.size(), kMaxReasonTextBytes)));
}

Observation Make(PostState state, std::string reason) {
  Observation observation;
  observation.state = state;
  observation.reason = std::move(reason);
  return observation;
}

PostContent ReadPost(const PostRef& post, const Node& root, const Node& message_or_wrapper, std::string_view page_url) {
  PostContent content;
  if (std::optional<Node> profile = FindFirst(root, [](const Node& n) { return n.IsTag("a") && n.HasClass("profileLink"); })) {
    content.author_name = profile->TextContent();
    if (Result<url::Url> href = url::ResolveUrl(page_url, profile->Attr("href").value_or(""))) {
      const std::vector<std::string> segments = href->PathSegments();
      if (segments.size() == 1 && IsPageName(segments[0]) && !IsDigits(segments[0])) content.author = segments[0];
    }
  }
  if (content.author.empty() && post.author) content.author = *post.author;
  if (std::optional<Node> time = FindFirst(root, [](const Node& n) { return n.IsTag("abbr") && n.Attr("data-utime"); })) {
    content.created_at = UnixToRfc3339(time->Attr("data-utime").value_or(""));
  }
  std::optional<Node> message = FindFirst(root, [](const Node& n) {
    return n.Attr("data-testid").value_or("") == "post_message" || n.HasClass("userContent");
  });
  content.text = BlockText(message ? *message : message_or_wrapper);
  for (const Node& image : FindAll(root, [](const Node& n) {
         return n.IsTag("img") && (n.HasClass("scaledImageFitWidth") || n.HasClass("scaledImageFitHeight"));
       })) {
    if (std::optional<std::string> src = ResolveToString(page_url, image.Attr("src").value_or(""))) {
      if (std::none_of(content.media.begin(), content.media.end(), [&src](const MediaItem& m) { return m.url == *src; })) {
        content.media.push_back({*src, "photo", ""});
      }
    }
  }
  return content;
}

Observation ReadPlugin(const PostRef& post, const net::FetchResponse& response) {
  const std::string source = "post plugin: ";
  if (ReachedLogin(response)) return Make(PostState::kLoginRequired, source + "redirected to the login page");
  if (!response.ok()) {
    return Make(PostState::kUnreachable, source + net::FetchOutcomeName(response.outcome) +
                                             (response.error.empty() ? "" : " (" + response.error + ")"));
  }
  const net::HttpExchange& exchange = *response.Final();
  const std::string status = "HTTP " + std::to_string(exchange.status);
  if (exchange.status == 429) return Make(PostState::kRateLimited, source + status);
  if (exchange.status != 200) return Make(PostState::kUnreachable, source + status);
  Result<html::Document> document = ParseBody(exchange);
  if (!document) return Make(PostState::kUnreachable, source + "unreadable body: " + document.error().message);
  const Node root = document->root();

  std::optional<Node> post_node = FindFirst(root, [](const Node& n) {
    return n.Attr("data-testid").value_or("") == "post_message" || n.HasClass("userContent") ||
           n.HasClass("userContentWrapper");
  });
  if (post_node) {
    Observation observation = Make(PostState::kAvailable, source + "HTTP 200, the post is shown");
    observation.content = ReadPost(post, root, *post_node, exchange.url);
    return observation;
  }
  const bool login_form = FindFirst(root, [](const Node& n) {
                            if (n.Attr("id").value_or("") == "login_form") return true;
                            if (n.IsTag("form") && IsLoginPath(n.Attr("action").value_or(""))) return true;
                            return n.IsTag("input") && n.Attr("name").value_or("") == "pass";
                          }).has_value();
  if (login_form) return Make(PostState::kLoginRequired, source + "a login form instead of the post");
  const std::string text = root.TextContent();
  for (const std::string_view phrase : {"no longer available", "isn't available", "isn\xE2\x80\x99t available",
                                        "content not found", "content unavailable"}) {
    if (ContainsNoCase(text, phrase)) {
      // Facebook says this for deleted posts and for posts whose audience excludes us alike.
      return Make(PostState::kWithheld,
                  source + "\"" + ReasonText(text) + "\" (deleted or not public: Facebook does not say which)");
    }
  }
  return Make(PostState::kUnreachable, source + "HTTP 200 but no post markers (page layout not recognised)");
}

class FacebookAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override {
    if (std::optional<PostRef> ref = ParseFacebookUrl(post_url)) return ref;
    return ParsePluginUrl(post_url);
  }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = std::string(kBase) + (IsVideoUrl(post.url) ? "plugins/video.php" : "plugins/post.php") +
                  "?href=" + url::PercentEncode(post.url) + "&show_text=true&width=500";
    plan[0].headers = {{"Accept", "text/html"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    if (answers.empty()) return Make(PostState::kUnreachable, "post plugin: not fetched");
    return ReadPlugin(post, answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  FacebookEmbedMatcher matcher_;
};

}  // namespace

const Adapter& FacebookAdapter() {
  static const FacebookAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::facebook
