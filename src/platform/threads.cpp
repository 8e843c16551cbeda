// Threads (embeds.md §8): embed markup, URL forms, and the public embed page.
//
// Embeds recognised:
//   * blockquote.text-post-media — the post is data-text-post-permalink, else the first
//     Threads post link inside; the handle is the /@handle/ of that URL, else the
//     "Post by @handle" line. Like Mastodon's new embed, the markup carries no post text.
//   * iframes (and lazy placeholders) of the embed endpoint …/@handle/post/CODE/embed,
//     as embed.js renders them (rendered) or as publishers paste them.
// Hosts threads.com and threads.net, with or without www.; paths /@handle/post/CODE
// (any suffix: /embed, /media) and the handle-less /t/CODE.
//
// post_id is the shortcode; the canonical URL is https://www.threads.com/@handle/post/CODE,
// or https://www.threads.com/t/CODE when no handle is known.
//
// Capture plan: one request, the public embed page
//     GET https://www.threads.com/@{handle}/post/{shortcode}/embed
//     GET https://www.threads.com/t/{shortcode}/embed        (no handle known; unverified form)
// No recorded answer of this page exists anywhere I could read. The markers below are
// what the fixture world (tools/fixtures/world/www.threads.com) is written in, chosen
// after the Instagram embed page that the Threads one is built on:
//   available       .BodyTextContainer (the text) or a media image under .MediaContainer;
//                   author from .UsernameText or the first /@handle link, date from time[datetime]
//   deleted         HTTP 404 with an HTML body, or "Sorry, this page isn't available"
//   withheld        "Post unavailable" / "This post is unavailable" (private, restricted)
//   login_required  a redirect to /login or /accounts/login, a login form
//   rate_limited    HTTP 429
//   unreachable     network failures, 5xx, other statuses, unknown pages

#include <algorithm>
#include <array>
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

namespace embarc::platform::threads {

const Adapter& ThreadsAdapter();

namespace {

using ascii::ContainsNoCase;

using html::Node;
using media_embed::DirectUrlRule;
using media_embed::EmbedUrlAttributes;
using media_embed::UrlAttribute;

constexpr std::string_view kPlatform = "threads";
constexpr std::size_t kMinShortcodeLength = 5;
constexpr std::size_t kMaxShortcodeLength = 64;
constexpr std::size_t kMaxUsernameLength = 30;
constexpr std::size_t kMaxReasonTextBytes = 120;

constexpr std::array<std::string_view, 4> kHosts = {"threads.com", "www.threads.com", "threads.net",
                                                    "www.threads.net"};

bool IsShortcode(std::string_view s) {
  return s.size() >= kMinShortcodeLength && s.size() <= kMaxShortcodeLength &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
}

bool IsUsernameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

bool IsUsername(std::string_view s) {
  return !s.empty() && s.size() <= kMaxUsernameLength && std::all_of(s.begin(), s.end(), IsUsernameChar);
}

struct ParsedPost {
  std::string code;
  std::optional<std::string> handle;
  bool embed_endpoint = false;
};

std::optional<ParsedPost> ParseThreads(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed || std::find(kHosts.begin(), kHosts.end(), parsed->host) == kHosts.end()) return std::nullopt;
  const std::vector<std::string> s = parsed->PathSegments();
  ParsedPost post;
  std::size_t next = 0;
  if (s.size() >= 3 && s[0].size() > 1 && s[0][0] == '@' && s[1] == "post") {
    const std::string handle = s[0].substr(1);
    if (!IsUsername(handle) || !IsShortcode(s[2])) return std::nullopt;
    post.handle = handle;
    post.code = s[2];
    next = 3;
  } else if (s.size() >= 2 && s[0] == "t") {
    if (!IsShortcode(s[1])) return std::nullopt;
    post.code = s[1];
    next = 2;
  } else {
    return std::nullopt;
  }
  post.embed_endpoint = s.size() > next && s[next] == "embed";
  return post;
}

PostRef MakeRef(std::string_view code, std::optional<std::string> handle) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = std::string(code);
  ref.url = handle ? "https://www.threads.com/@" + *handle + "/post/" + ref.post_id
                   : "https://www.threads.com/t/" + ref.post_id;
  ref.author = std::move(handle);
  return ref;
}

std::optional<std::string> ResolveToString(std::string_view base, std::string_view reference) {
  Result<url::Url> resolved = url::ResolveUrl(base, reference);
  if (!resolved) return std::nullopt;
  return resolved->ToString();
}

// "Post by @handle" → handle.
std::optional<std::string> HandleFromText(std::string_view text) {
  const std::size_t at = text.find("by @");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t end = at + 4;
  while (end < text.size() && IsUsernameChar(text[end])) ++end;
  std::string_view handle = text.substr(at + 4, end - at - 4);
  while (!handle.empty() && handle.back() == '.') handle.remove_suffix(1);
  if (!IsUsername(handle)) return std::nullopt;
  return std::string(handle);
}

// ---- embed markup ---------------------------------------------------------------------

std::optional<EmbedMatch> MatchBlockquote(const Node& element, const MatchContext& context) {
  std::optional<ParsedPost> post;
  if (const std::optional<std::string_view> permalink = element.Attr("data-text-post-permalink")) {
    if (std::optional<std::string> resolved = ResolveToString(context.base_url, *permalink)) {
      post = ParseThreads(*resolved);
    }
  }
  if (!post) {
    element.Walk([&](const Node& node) {
      if (!node.is_element()) return Node::Step::kSkipChildren;
      if (EndsUnclosedBlockquote(element, node)) return Node::Step::kStop;
      if (node.IsTag("a")) {
        if (std::optional<std::string> resolved = ResolveToString(context.base_url, node.Attr("href").value_or(""))) {
          post = ParseThreads(*resolved);
          if (post) return Node::Step::kStop;
        }
      }
      return Node::Step::kDescend;
    });
  }
  if (!post) return std::nullopt;
  std::optional<std::string> handle = post->handle;
  if (!handle) handle = HandleFromText(element.TextContent());
  EmbedMatch match;
  match.ref = MakeRef(post->code, std::move(handle));
  match.form = "blockquote.text-post-media";
  return match;
}

bool IsUrlCarrier(const Node& element) {
  return element.IsTag("iframe") || element.IsTag("amp-iframe") || element.IsTag("embed") ||
         element.IsTag("object") || element.IsTag("div");
}

class ThreadsEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (element.IsTag("blockquote") && element.HasClass("text-post-media")) return MatchBlockquote(element, context);
    if (!IsUrlCarrier(element)) return std::nullopt;
    for (const UrlAttribute& attribute : EmbedUrlAttributes(element, DirectUrlRule::kAnySrcNoParam)) {
      std::optional<std::string> resolved = ResolveToString(context.base_url, attribute.value);
      std::optional<ParsedPost> post = resolved ? ParseThreads(*resolved) : std::nullopt;
      if (!post || !post->embed_endpoint) continue;
      EmbedMatch match;
      match.ref = MakeRef(post->code, post->handle);
      match.form = element.TagName() + "[" + attribute.name + "]";
      match.rendered = element.IsTag("iframe") && element.HasClass("text-post-media-rendered");
      match.lazy = attribute.lazy;
      return match;
    }
    return std::nullopt;
  }
};

// ---- reading the embed page -------------------------------------------------------------

bool IsLoginPath(std::string_view target) {
  Result<url::Url> parsed = url::ResolveUrl("https://www.threads.com/", target);
  if (!parsed) return false;
  const std::vector<std::string> segments = parsed->PathSegments();
  if (segments.empty()) return false;
  return segments[0] == "login" || (segments[0] == "accounts" && segments.size() >= 2 && segments[1] == "login");
}

bool ReachedLogin(const net::FetchResponse& response) {
  for (const net::HttpExchange& hop : response.hops) {
    if (IsLoginPath(hop.url)) return true;
    if (hop.status >= 300 && hop.status < 400 && IsLoginPath(hop.Header("Location"))) return true;
  }
  return false;
}

bool IsHtml(const net::HttpExchange& exchange) { return ContainsNoCase(exchange.Header("Content-Type"), "html"); }

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

std::optional<std::string> ProfileHandle(std::string_view page_url, std::string_view href) {
  Result<url::Url> parsed = url::ResolveUrl(page_url, href);
  if (!parsed || std::find(kHosts.begin(), kHosts.end(), parsed->host) == kHosts.end()) return std::nullopt;
  const std::vector<std::string> s = parsed->PathSegments();
  if (s.empty() || s[0].size() < 2 || s[0][0] != '@' || !IsUsername(s[0].substr(1))) return std::nullopt;
  return s[0].substr(1);
}

PostContent ReadPost(const PostRef& post, const Node& root, std::string_view page_url) {
  PostContent content;
  if (std::optional<Node> username = FindFirst(root, [](const Node& n) { return n.HasClass("UsernameText"); })) {
    content.author = username->TextContent();
    if (!content.author.empty() && content.author.front() == '@') content.author.erase(0, 1);
  }
  if (content.author.empty()) {
    std::optional<std::string> handle;
    FindFirst(root, [&](const Node& n) {
      if (n.IsTag("a")) handle = ProfileHandle(page_url, n.Attr("href").value_or(""));
      return handle.has_value();
    });
    if (handle) content.author = *handle;
  }
  if (content.author.empty() && post.author) content.author = *post.author;
  if (std::optional<Node> name = FindFirst(root, [](const Node& n) { return n.HasClass("DisplayNameText"); })) {
    content.author_name = name->TextContent();
  }
  if (std::optional<Node> time = FindFirst(root, [](const Node& n) { return n.IsTag("time") && n.Attr("datetime"); })) {
    content.created_at = std::string(time->Attr("datetime").value_or(""));
  }
  if (std::optional<Node> body = FindFirst(root, [](const Node& n) { return n.HasClass("BodyTextContainer"); })) {
    content.text = BlockText(*body);
  }
  if (std::optional<Node> media = FindFirst(root, [](const Node& n) { return n.HasClass("MediaContainer"); })) {
    media->Walk([&](const Node& n) {
      if (n.IsTag("img")) {
        if (std::optional<std::string> src = ResolveToString(page_url, n.Attr("src").value_or(""))) {
          content.media.push_back({*src, "photo", ""});
        }
      }
      return Node::Step::kDescend;
    });
  }
  return content;
}

Observation ReadEmbedPage(const PostRef& post, const net::FetchResponse& response) {
  const std::string source = "embed page: ";
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
    if (IsHtml(exchange)) return Make(PostState::kDeleted, source + "HTTP 404 (Threads' not-found page)");
    return Make(PostState::kUnreachable, source + "HTTP 404 without Threads' page");
  }
  if (exchange.status != 200) return Make(PostState::kUnreachable, source + status);
  Result<html::Document> document = ParseBody(exchange);
  if (!document) return Make(PostState::kUnreachable, source + "unreadable body: " + document.error().message);
  const Node root = document->root();

  const bool shows_post = FindFirst(root, [](const Node& n) {
                            return n.HasClass("BodyTextContainer") || n.HasClass("MediaContainer");
                          }).has_value();
  if (shows_post) {
    Observation observation = Make(PostState::kAvailable, source + "HTTP 200, the post is shown");
    observation.content = ReadPost(post, root, exchange.url);
    return observation;
  }
  const bool login_form = FindFirst(root, [](const Node& n) {
                            if (n.IsTag("form") && IsLoginPath(n.Attr("action").value_or(""))) return true;
                            return n.IsTag("input") && n.Attr("name").value_or("") == "password";
                          }).has_value();
  if (login_form) return Make(PostState::kLoginRequired, source + "a login form instead of the post");
  const std::string text = root.TextContent();
  for (const std::string_view phrase : {"this page isn't available", "this page isn\xE2\x80\x99t available"}) {
    if (ContainsNoCase(text, phrase)) return Make(PostState::kDeleted, source + "\"Sorry, this page isn't available\"");
  }
  for (const std::string_view phrase : {"post unavailable", "post is unavailable", "post isn't available"}) {
    if (ContainsNoCase(text, phrase)) {
      return Make(PostState::kWithheld, source + "\"" + ReasonText(text) + "\" (private or restricted)");
    }
  }
  return Make(PostState::kUnreachable, source + "HTTP 200 but no post markers (page layout not recognised)");
}

class ThreadsAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override {
    std::optional<ParsedPost> post = ParseThreads(post_url);
    if (!post) return std::nullopt;
    return MakeRef(post->code, post->handle);
  }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    const std::string code = url::PercentEncode(post.post_id);
    plan[0].url = post.author ? "https://www.threads.com/@" + url::PercentEncode(*post.author) + "/post/" + code + "/embed"
                              : "https://www.threads.com/t/" + code + "/embed";
    plan[0].headers = {{"Accept", "text/html"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    if (answers.empty()) return Make(PostState::kUnreachable, "embed page: not fetched");
    return ReadEmbedPage(post, answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  ThreadsEmbedMatcher matcher_;
};

}  // namespace

const Adapter& ThreadsAdapter() {
  static const ThreadsAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::threads
