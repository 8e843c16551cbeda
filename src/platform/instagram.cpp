// Instagram (embeds.md §2): embed markup, URL forms, and the public embed page.
//
// Embeds recognised:
//   * blockquote.instagram-media — the post is data-instgrm-permalink, else the
//     first post link inside (v7 markup has no permalink attribute); the handle is
//     the last "(@handle)" of the (localised) attribution, else the profile link.
//     A blockquote a CMS never closed ends at the next embed.js script or the next
//     instagram-media blockquote, as tweets do.
//   * amp-instagram[data-shortcode] (amp).
//   * iframe.instagram-media / .instagram-media-rendered (rendered by embed.js), and
//     any iframe / embed / object / param / div whose src, data-src, data-lazy-src,
//     data-original, data-cmp-src or other data-*src* attribute is an Instagram
//     embed endpoint (…/p/CODE/embed[/captioned]) — lazy when not from src.
// Profile embeds (instagram.com/USER/embed) are not posts.
//
// post_id is the shortcode; the canonical URL is https://www.instagram.com/{p|reel|tv}/CODE/
// (/reels/ counts as /reel/), without the handle (handles change, shortcodes do not).
//
// Capture plan: one request, the public embed page
//     GET https://www.instagram.com/p/{shortcode}/embed/captioned/
// (shortcodes are global, so /p/ serves reels and IGTV too). No recorded answer of
// this page exists in the corpus; the markers below are the ones third-party
// readers of the page use (img.EmbeddedMediaImage, .UsernameText, .Caption with
// .CaptionUsername and .CaptionComments, .EmbedIsBroken) and are what the fixture
// world (tools/fixtures/world/www.instagram.com) is written in:
//   available       a page showing the post: .UsernameText / .Caption / img.EmbeddedMediaImage
//   deleted         HTTP 404 with an HTML body, or a page saying "Sorry, this page isn't available"
//   login_required  a redirect to /accounts/login, a login form, HTTP 401
//   rate_limited    HTTP 429
//   unreachable     everything else: network failures, 5xx, 403, a bare .EmbedIsBroken
//                   ("may be broken, or the post may have been removed": private accounts,
//                   embedding turned off and removed posts all look like this), unknown pages.

#include <algorithm>
#include <array>
#include <functional>
#include <initializer_list>
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

namespace embarc::platform::instagram {

const Adapter& InstagramAdapter();

namespace {

using ascii::Lower;
using ascii::ContainsNoCase;

using html::Node;
using media_embed::DirectUrlRule;
using media_embed::EmbedUrlAttributes;
using media_embed::UrlAttribute;

constexpr std::string_view kPlatform = "instagram";
constexpr std::size_t kMinShortcodeLength = 5;
constexpr std::size_t kMaxShortcodeLength = 64;   // public codes are 11; private-post codes are longer
constexpr std::size_t kMaxUsernameLength = 30;    // Instagram's own limit
constexpr std::size_t kMaxReasonTextBytes = 120;  // page text quoted in a reason

constexpr std::array<std::string_view, 5> kHosts = {"instagram.com", "www.instagram.com", "m.instagram.com",
                                                    "instagr.am", "www.instagr.am"};
// First path segments that are not usernames.
constexpr std::array<std::string_view, 17> kReservedPaths = {
    "p",     "reel",   "reels",    "tv",    "explore",  "accounts",      "stories", "about",   "developer",
    "legal", "direct", "web",      "oauth", "embed.js", "static",        "emails",  "graphql"};

bool IsShortcodeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsShortcode(std::string_view s) {
  return s.size() >= kMinShortcodeLength && s.size() <= kMaxShortcodeLength &&
         std::all_of(s.begin(), s.end(), IsShortcodeChar);
}

bool IsUsernameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

bool IsUsername(std::string_view s) {
  return !s.empty() && s.size() <= kMaxUsernameLength && std::all_of(s.begin(), s.end(), IsUsernameChar) &&
         std::find(kReservedPaths.begin(), kReservedPaths.end(), Lower(s)) == kReservedPaths.end();
}

bool IsInstagramHost(std::string_view host) {
  return std::find(kHosts.begin(), kHosts.end(), host) != kHosts.end();
}

// A post URL split into its parts.
struct ParsedPost {
  std::string kind;  // "p", "reel", "tv"
  std::string code;
  std::optional<std::string> handle;  // from /{username}/p/CODE
  bool embed_endpoint = false;        // …/CODE/embed[/captioned]
};

std::optional<ParsedPost> ParseInstagram(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed || !IsInstagramHost(parsed->host)) return std::nullopt;
  const std::vector<std::string> segments = parsed->PathSegments();
  const auto is_kind = [](std::string_view s) { return s == "p" || s == "reel" || s == "reels" || s == "tv"; };
  std::size_t i = 0;
  ParsedPost post;
  if (segments.size() >= 3 && !is_kind(segments[0]) && IsUsername(segments[0]) && is_kind(segments[1])) {
    post.handle = segments[0];
    i = 1;
  }
  if (segments.size() < i + 2 || !is_kind(segments[i]) || !IsShortcode(segments[i + 1])) return std::nullopt;
  post.kind = segments[i] == "reels" ? "reel" : segments[i];
  post.code = segments[i + 1];
  post.embed_endpoint = segments.size() > i + 2 && segments[i + 2] == "embed";
  return post;
}

PostRef MakeRef(const ParsedPost& post, std::optional<std::string> handle) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = post.code;
  ref.url = "https://www.instagram.com/" + post.kind + "/" + post.code + "/";
  ref.author = std::move(handle);
  return ref;
}

// instagram.com/{username}/ (a profile link), as the v12 attribution prints it.
std::optional<std::string> ProfileHandle(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed || !IsInstagramHost(parsed->host)) return std::nullopt;
  const std::vector<std::string> segments = parsed->PathSegments();
  if (segments.size() != 1 || !IsUsername(segments[0])) return std::nullopt;
  return segments[0];
}

std::optional<std::string> ResolveToString(std::string_view base, std::string_view reference) {
  Result<url::Url> resolved = url::ResolveUrl(base, reference);
  if (!resolved) return std::nullopt;
  return resolved->ToString();
}

// ---- blockquote.instagram-media ---------------------------------------------------

bool IsInstagramBlockquote(const Node& node) { return node.IsTag("blockquote") && node.HasClass("instagram-media"); }

bool IsEmbedScript(const Node& node) {
  if (!node.IsTag("script")) return false;
  const std::string src = Lower(node.Attr("src").value_or(""));
  return src.find("instagram.com/embed.js") != std::string::npos ||
         src.find("instagram.com/en_us/embeds.js") != std::string::npos;
}

bool IsInside(const Node& node, const Node& ancestor) {
  for (std::optional<Node> p = node.Parent(); p; p = p->Parent()) {
    if (*p == ancestor) return true;
  }
  return false;
}

// The handle of the last "(@handle)" in `text`, if any.
std::optional<std::string> LastParenthesisedHandle(std::string_view text) {
  std::size_t pos = text.size();
  while (pos > 0) {
    const std::size_t open = text.rfind("(@", pos - 1);
    if (open == std::string_view::npos) return std::nullopt;
    std::size_t end = open + 2;
    while (end < text.size() && IsUsernameChar(text[end])) ++end;
    if (end < text.size() && text[end] == ')' && IsUsername(text.substr(open + 2, end - open - 2))) {
      return std::string(text.substr(open + 2, end - open - 2));
    }
    if (open == 0) break;
    pos = open;
  }
  return std::nullopt;
}

// "A post shared by NAME (@handle) on …" in the languages the corpus shows (and a few more).
constexpr std::array<std::string_view, 9> kAttributionPrefixes = {
    "A post shared by",         "Ein Beitrag geteilt von",          "Une publication partagée par",
    "Una publicación compartida de", "Una publicación compartida por", "Un post condiviso da",
    "Uma publicação compartilhada por", "Een bericht gedeeld door",     "Ett inlägg delat av"};

std::string AuthorNameFromAttribution(std::string_view attribution) {
  const std::size_t paren = attribution.rfind("(@");
  std::string_view name = attribution.substr(0, paren == std::string_view::npos ? 0 : paren);
  for (const std::string_view prefix : kAttributionPrefixes) {
    if (name.substr(0, prefix.size()) == prefix) {
      name.remove_prefix(prefix.size());
      break;
    }
  }
  return html::CollapseWhitespace(name);
}

struct BlockquoteReading {
  std::optional<ParsedPost> first_post_link;
  std::optional<std::string> profile_handle;
  std::string profile_link_text;
  std::vector<Node> paragraphs;  // outermost <p>s, in order
  std::string all_text;
  std::string time_datetime;
  std::optional<Node> stop;
};

BlockquoteReading ReadBlockquote(const Node& blockquote, std::string_view base_url) {
  BlockquoteReading reading;
  blockquote.Walk([&](const Node& node) {
    if (node.is_text()) {
      reading.all_text += node.Text();
      return Node::Step::kDescend;
    }
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (IsEmbedScript(node) || EndsUnclosedBlockquote(blockquote, node)) {
      reading.stop = node;
      return Node::Step::kStop;
    }
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (node.IsTag("br")) reading.all_text += ' ';
    if (node.IsTag("p") &&
        std::none_of(reading.paragraphs.begin(), reading.paragraphs.end(),
                     [&node](const Node& p) { return IsInside(node, p); })) {
      reading.paragraphs.push_back(node);
    }
    if (node.IsTag("time") && reading.time_datetime.empty()) {
      reading.time_datetime = std::string(node.Attr("datetime").value_or(""));
    }
    if (node.IsTag("a")) {
      if (const std::optional<std::string_view> href = node.Attr("href")) {
        if (std::optional<std::string> resolved = ResolveToString(base_url, *href)) {
          if (std::optional<ParsedPost> post = ParseInstagram(*resolved)) {
            if (!reading.first_post_link) reading.first_post_link = std::move(post);
          } else if (std::optional<std::string> handle = ProfileHandle(*resolved)) {
            if (!reading.profile_handle) {
              reading.profile_handle = std::move(handle);
              reading.profile_link_text = node.TextContent();
            }
          }
        }
      }
    }
    return Node::Step::kDescend;
  });
  return reading;
}

std::optional<Quote> QuoteOf(const BlockquoteReading& reading) {
  if (reading.paragraphs.empty()) return std::nullopt;
  const std::string last = reading.paragraphs.back().TextContent();
  const bool last_is_attribution = LastParenthesisedHandle(last).has_value();
  std::string caption;
  if (last_is_attribution && reading.paragraphs.size() >= 2) {
    caption = reading.paragraphs[reading.paragraphs.size() - 2].TextContent();
  } else if (!last_is_attribution) {
    caption = last;
  }
  if (caption.empty()) return std::nullopt;
  Quote quote;
  quote.text = std::move(caption);
  if (last_is_attribution) {
    quote.author_name = reading.profile_link_text.empty() ? AuthorNameFromAttribution(last)
                                                          : html::CollapseWhitespace(reading.profile_link_text);
  }
  quote.date = reading.time_datetime;
  return quote;
}

std::optional<EmbedMatch> MatchBlockquote(const Node& element, const MatchContext& context) {
  BlockquoteReading reading = ReadBlockquote(element, context.base_url);
  std::optional<ParsedPost> post;
  if (const std::optional<std::string_view> permalink = element.Attr("data-instgrm-permalink")) {
    if (std::optional<std::string> resolved = ResolveToString(context.base_url, *permalink)) {
      post = ParseInstagram(*resolved);
    }
  }
  if (!post) post = reading.first_post_link;
  if (!post) return std::nullopt;
  std::optional<std::string> handle = LastParenthesisedHandle(html::CollapseWhitespace(reading.all_text));
  if (!handle) handle = reading.profile_handle;
  if (!handle) handle = post->handle;

  EmbedMatch match;
  match.ref = MakeRef(*post, std::move(handle));
  match.form = "blockquote.instagram-media";
  match.quote = QuoteOf(reading);
  if (reading.stop) {
    match.claim = EmbedMatch::Claim::kUntil;
    match.claim_until = reading.stop;
  }
  return match;
}

// ---- iframes and lazy placeholders --------------------------------------------------

bool IsUrlCarrier(const Node& element) {
  return element.IsTag("iframe") || element.IsTag("amp-iframe") || element.IsTag("embed") ||
         element.IsTag("object") || element.IsTag("param") || element.IsTag("div");
}

// Attributes that may hold the embed URL, in the order they are tried: src (or
// object data / param value) first, then lazy-loading and consent attributes.
std::optional<EmbedMatch> MatchUrlCarrier(const Node& element, const MatchContext& context) {
  const bool widget_iframe = element.IsTag("iframe") &&
                             (element.HasClass("instagram-media") || element.HasClass("instagram-media-rendered"));
  for (const UrlAttribute& attribute : EmbedUrlAttributes(element, DirectUrlRule::kAnySrc)) {
    std::optional<std::string> resolved = ResolveToString(context.base_url, attribute.value);
    if (!resolved) continue;
    std::optional<ParsedPost> post = ParseInstagram(*resolved);
    if (!post || !(post->embed_endpoint || widget_iframe)) continue;
    EmbedMatch match;
    match.ref = MakeRef(*post, post->handle);
    match.form = element.TagName() + "[" + attribute.name + "]";
    match.rendered = widget_iframe;
    match.lazy = attribute.lazy;
    return match;
  }
  return std::nullopt;
}

class InstagramEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (IsInstagramBlockquote(element)) return MatchBlockquote(element, context);
    if (element.IsTag("amp-instagram")) {
      const std::string code(element.Attr("data-shortcode").value_or(""));
      if (!IsShortcode(code)) return std::nullopt;
      ParsedPost post;
      post.kind = "p";
      post.code = code;
      EmbedMatch match;
      match.ref = MakeRef(post, std::nullopt);
      match.form = "amp-instagram[data-shortcode]";
      match.amp = true;
      match.claim = EmbedMatch::Claim::kNone;  // a placeholder blockquote inside is its own occurrence
      return match;
    }
    if (IsUrlCarrier(element)) return MatchUrlCarrier(element, context);
    return std::nullopt;
  }
};

// ---- reading the embed page ---------------------------------------------------------

// Whether any hop was sent to, or redirected to, the login page.
bool ReachedLogin(const net::FetchResponse& response) {
  for (const net::HttpExchange& hop : response.hops) {
    if (hop.url.find("/accounts/login") != std::string::npos) return true;
    if (hop.status >= 300 && hop.status < 400 && hop.Header("Location").find("/accounts/login") != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool IsHtml(const net::HttpExchange& exchange) {
  return ContainsNoCase(exchange.Header("Content-Type"), "html");
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

// The text of `root` without the subtrees of elements carrying one of `skip_classes`.
std::string TextWithout(const Node& root, std::initializer_list<std::string_view> skip_classes) {
  std::string text;
  root.Walk([&](const Node& node) {
    if (node.is_text()) {
      text += node.Text();
      return Node::Step::kDescend;
    }
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    for (const std::string_view name : skip_classes) {
      if (node.HasClass(name)) return Node::Step::kSkipChildren;
    }
    if (node.IsTag("br")) text += ' ';
    return Node::Step::kDescend;
  });
  return html::CollapseWhitespace(text);
}

std::string StripAt(std::string text) {
  if (!text.empty() && text.front() == '@') text.erase(0, 1);
  return text;
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

Observation ReadEmbedPage(const PostRef& post, const net::FetchResponse& response) {
  constexpr std::string_view kSource = "embed page: ";
  const std::string source(kSource);
  if (ReachedLogin(response)) return Make(PostState::kLoginRequired, source + "redirected to the login page");
  if (!response.ok()) {
    return Make(PostState::kUnreachable, source + net::FetchOutcomeName(response.outcome) +
                                             (response.error.empty() ? "" : " (" + response.error + ")"));
  }
  const net::HttpExchange& exchange = *response.Final();
  const std::string status = "HTTP " + std::to_string(exchange.status);
  if (exchange.status == 429) return Make(PostState::kRateLimited, source + status);
  if (exchange.status >= 500) return Make(PostState::kUnreachable, source + status);
  if (exchange.status == 401) return Make(PostState::kLoginRequired, source + status);
  if (exchange.status == 404) {
    // Instagram's own not-found page is HTML; a bare 404 from something in between is no signal.
    if (IsHtml(exchange)) return Make(PostState::kDeleted, source + "HTTP 404 (Instagram's not-found page)");
    return Make(PostState::kUnreachable, source + "HTTP 404 without Instagram's page");
  }
  if (exchange.status != 200) return Make(PostState::kUnreachable, source + status);
  Result<html::Document> document = ParseBody(exchange);
  if (!document) return Make(PostState::kUnreachable, source + "unreadable body: " + document.error().message);
  const Node root = document->root();

  const std::optional<Node> username = FindFirst(root, [](const Node& n) { return n.HasClass("UsernameText"); });
  const std::optional<Node> caption = FindFirst(root, [](const Node& n) { return n.HasClass("Caption"); });
  const std::optional<Node> image =
      FindFirst(root, [](const Node& n) { return n.IsTag("img") && n.HasClass("EmbeddedMediaImage"); });
  if (username || caption || image) {
    Observation observation = Make(PostState::kAvailable, source + "HTTP 200, the post is shown");
    PostContent& content = observation.content;
    if (username) content.author = StripAt(username->TextContent());
    if (content.author.empty() && caption) {
      if (std::optional<Node> owner = FindFirst(*caption, [](const Node& n) { return n.HasClass("CaptionUsername"); })) {
        content.author = StripAt(owner->TextContent());
      }
    }
    if (content.author.empty() && post.author) content.author = *post.author;
    if (caption) content.text = TextWithout(*caption, {"CaptionUsername", "CaptionComments"});
    if (image) {
      if (const std::optional<std::string_view> src = image->Attr("src")) {
        if (std::optional<std::string> resolved = ResolveToString(exchange.url, *src)) {
          content.media.push_back({*resolved, "photo", ""});
        }
      }
    }
    return observation;
  }

  const bool login_form = FindFirst(root, [](const Node& n) {
                            if (n.Attr("id").value_or("") == "loginForm") return true;
                            if (n.IsTag("form") && n.Attr("action").value_or("").find("/accounts/login") !=
                                                       std::string_view::npos) {
                              return true;
                            }
                            return n.IsTag("input") && n.Attr("name").value_or("") == "password";
                          }).has_value();
  if (login_form) return Make(PostState::kLoginRequired, source + "a login form instead of the post");

  const std::string text = root.TextContent();
  for (const std::string_view phrase : {"this page isn't available", "this page isn\xE2\x80\x99t available"}) {
    if (ContainsNoCase(text, phrase)) {
      return Make(PostState::kDeleted, source + "\"Sorry, this page isn't available\"");
    }
  }
  if (FindFirst(root, [](const Node& n) { return n.HasClass("EmbedIsBroken"); })) {
    return Make(PostState::kUnreachable, source + "embed shown as broken (private, embedding off or removed: "
                                                   "ambiguous): \"" + ReasonText(text) + "\"");
  }
  return Make(PostState::kUnreachable, source + "HTTP 200 but no post markers (page layout not recognised)");
}

class InstagramAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override {
    std::optional<ParsedPost> post = ParseInstagram(post_url);
    if (!post) return std::nullopt;
    return MakeRef(*post, post->handle);
  }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = "https://www.instagram.com/p/" + url::PercentEncode(post.post_id) + "/embed/captioned/";
    plan[0].headers = {{"Accept", "text/html"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    if (answers.empty()) return Make(PostState::kUnreachable, "embed page: not fetched");
    return ReadEmbedPage(post, answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  InstagramEmbedMatcher matcher_;
};

}  // namespace

const Adapter& InstagramAdapter() {
  static const InstagramAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::instagram
