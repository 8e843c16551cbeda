// Telegram public channels: URL forms, embed markup and the adapter (embeds.md §10, §14).
//
// post_id is "{channel}/{message id}" with the channel username in lower case
// (usernames are case-insensitive; message ids are per channel). The canonical URL is
// https://t.me/{channel}/{id}; the author is the channel username as written.
// Accepted URLs: t.me, telegram.me, telegram.dog (with or without www.), paths
// /{channel}/{id}, /s/{channel}/{id}, /{channel}/{topic}/{id} (forum topics); any query
// (?single, ?comment=, ?embed=1) is dropped. Private-channel links /c/{internal}/{id}
// cannot be fetched publicly and are not recognised, nor are /joinchat, /share, /addstickers, ….
//
// Embeds recognised:
//   script[data-telegram-post="{channel}/{id}"] (telegram-widget.js; the extractor offers
//     script elements' attributes, never their text),
//   iframes (and lazy/consent forms) of the widget it renders: https://t.me/{channel}/{id}?embed=1.
//
// Capture plan: https://t.me/{channel}/{id}?embed=1&mode=tme — the public widget HTML.
// States:
//   .tgme_widget_message_error "Post not found"             -> deleted (HTTP 200)
//   .tgme_widget_message_error "Channel is private", or text that says the
//     channel/post is restricted, unavailable or can't be displayed -> withheld
//   any other error text, a page without the message, a message about another post,
//     non-200, timeouts                                      -> unreachable (429 -> rate_limited)
//   .tgme_widget_message[data-post] = the post               -> available: text from
//     .tgme_widget_message_text (<br> as newlines), author_name from
//     .tgme_widget_message_owner_name, created_at from time[datetime] of the date link,
//     photos (background-image of .tgme_widget_message_photo_wrap) and videos.
//     content.version is "edited" when the meta line says "edited", else empty.
#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "embarc/core/json.h"
#include "embarc/html/extract.h"
#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "platform/media_embed.h"

namespace embarc::platform::telegram {
namespace {

using ascii::Lower;
using ascii::IsDigits;
using ascii::ContainsNoCase;

using html::Node;
using media_embed::DirectUrlRule;
using media_embed::EmbedUrlAttributes;
using media_embed::UrlAttribute;

constexpr std::string_view kPlatform = "telegram";
// Telegram usernames are 5-32 characters; a few old or reserved ones are shorter.
constexpr std::size_t kMaxChannelLength = 32;
// Message ids are positive 32-bit integers.
constexpr std::size_t kMaxMessageIdDigits = 10;

constexpr std::array<std::string_view, 6> kHosts = {"t.me",         "www.t.me",     "telegram.me",
                                                    "www.telegram.me", "telegram.dog", "www.telegram.dog"};
// First path segments that are Telegram features, not channels.
constexpr std::array<std::string_view, 16> kReservedPaths = {
    "c",       "joinchat", "addstickers", "addemoji", "addtheme", "share", "proxy", "socks",
    "iv",      "login",    "setlanguage", "bg",       "boost",    "invoice", "contact", "addlist"};

bool IsChannel(std::string_view s) {
  if (s.empty() || s.size() > kMaxChannelLength) return false;
  const char first = Lower(s.front());
  if (first < 'a' || first > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A message id without leading zeros; nullopt if `s` is not one.
std::optional<std::string> MessageId(std::string_view s) {
  if (!IsDigits(s)) return std::nullopt;
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (s == "0" || s.size() > kMaxMessageIdDigits) return std::nullopt;
  return std::string(s);
}

std::optional<PostRef> MakeRef(std::string_view channel, std::string_view id_text) {
  if (!IsChannel(channel)) return std::nullopt;
  if (std::find(kReservedPaths.begin(), kReservedPaths.end(), Lower(channel)) != kReservedPaths.end()) {
    return std::nullopt;
  }
  const std::optional<std::string> id = MessageId(id_text);
  if (!id) return std::nullopt;
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = Lower(channel) + "/" + *id;
  ref.url = "https://t.me/" + ref.post_id;
  ref.author = std::string(channel);
  return ref;
}

std::optional<PostRef> ParsePostPath(const url::Url& parsed) {
  if (std::find(kHosts.begin(), kHosts.end(), parsed.host) == kHosts.end()) return std::nullopt;
  std::vector<std::string> s = parsed.PathSegments();
  if (!s.empty() && s[0] == "s") s.erase(s.begin());  // the channel preview page
  if (s.size() == 2) return MakeRef(s[0], s[1]);
  if (s.size() == 3 && IsDigits(s[1])) return MakeRef(s[0], s[2]);  // /{group}/{topic}/{id}
  return std::nullopt;
}

std::optional<PostRef> ParseTelegramUrl(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed) return std::nullopt;
  return ParsePostPath(*parsed);
}

// data-telegram-post="{channel}/{id}"
std::optional<PostRef> ParsePostAttribute(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.front() == '\n')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\n')) value.remove_suffix(1);
  const std::size_t slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return MakeRef(value.substr(0, slash), value.substr(slash + 1));
}

// The widget iframe: t.me/{channel}/{id}?embed=1 (an embed endpoint only with `embed`).
std::optional<PostRef> ParseEmbedEndpoint(std::string_view src, std::string_view base_url) {
  Result<url::Url> parsed = url::ResolveUrl(base_url, src);
  if (!parsed) return std::nullopt;
  const std::optional<std::string> embed = parsed->QueryValue("embed");
  if (!embed || *embed == "0") return std::nullopt;
  return ParsePostPath(*parsed);
}

// ---- embed markup ------------------------------------------------------------------

class TelegramEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (element.IsTag("script")) {
      const std::optional<std::string_view> post = element.Attr("data-telegram-post");
      if (!post) return std::nullopt;
      std::optional<PostRef> ref = ParsePostAttribute(*post);
      if (!ref) return std::nullopt;
      EmbedMatch match;
      match.ref = std::move(*ref);
      match.form = "script[data-telegram-post]";
      return match;
    }
    for (const UrlAttribute& attribute : EmbedUrlAttributes(element, DirectUrlRule::kFrames)) {
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

// ---- reading the widget ------------------------------------------------------------

Observation Make(PostState state, std::string reason) {
  Observation observation;
  observation.state = state;
  observation.reason = std::move(reason);
  return observation;
}

// The first element under `root` (not `root` itself) with class `name`.
std::optional<Node> FindByClass(const Node& root, std::string_view name) {
  std::optional<Node> found;
  root.Walk([&](const Node& node) {
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (node.HasClass(name)) {
      found = node;
      return Node::Step::kStop;
    }
    return Node::Step::kDescend;
  });
  return found;
}

std::optional<Node> FindTag(const Node& root, std::string_view tag) {
  std::optional<Node> found;
  root.Walk([&](const Node& node) {
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag(tag)) {
      found = node;
      return Node::Step::kStop;
    }
    return Node::Step::kDescend;
  });
  return found;
}

// The text of a message as shown: <br> as a newline, other whitespace kept as
// written inside lines but trimmed per line.
std::string MessageText(const Node& element) {
  std::string raw;
  element.Walk([&raw](const Node& node) {
    if (node.is_text()) {
      raw += node.Text();
      return Node::Step::kDescend;
    }
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (node.IsTag("br")) raw += '\n';
    return Node::Step::kDescend;
  });
  std::string out;
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t end = raw.find('\n', start);
    if (end == std::string::npos) end = raw.size();
    if (!out.empty() || start > 0) out += '\n';
    out += html::CollapseWhitespace(std::string_view(raw).substr(start, end - start));
    start = end + 1;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  while (!out.empty() && out.front() == '\n') out.erase(out.begin());
  return out;
}

// url('…') inside a style attribute.
std::optional<std::string> BackgroundImage(std::string_view style) {
  const std::size_t at = style.find("url(");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = style.substr(at + 4);
  const std::size_t close = rest.find(')');
  if (close == std::string_view::npos) return std::nullopt;
  rest = rest.substr(0, close);
  while (!rest.empty() && (rest.front() == '\'' || rest.front() == '"' || rest.front() == ' ')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == '\'' || rest.back() == '"' || rest.back() == ' ')) rest.remove_suffix(1);
  Result<url::Url> parsed = url::ResolveUrl("https://t.me/", rest);
  if (!parsed) return std::nullopt;
  return parsed->ToString();
}

std::vector<MediaItem> MessageMedia(const Node& message) {
  std::vector<MediaItem> media;
  message.Walk([&media](const Node& node) {
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.HasClass("tgme_widget_message_photo_wrap")) {
      if (std::optional<std::string> image = BackgroundImage(node.Attr("style").value_or(""))) {
        media.push_back({*image, "photo", ""});
      }
    } else if (node.IsTag("video") && node.HasClass("tgme_widget_message_video")) {
      if (const std::optional<std::string_view> src = node.Attr("src")) {
        if (Result<url::Url> parsed = url::ResolveUrl("https://t.me/", *src)) media.push_back({parsed->ToString(), "video", ""});
      }
    }
    return Node::Step::kDescend;
  });
  return media;
}

std::string CreatedAt(const Node& message) {
  if (std::optional<Node> date = FindByClass(message, "tgme_widget_message_date")) {
    if (std::optional<Node> time = FindTag(*date, "time")) return std::string(time->Attr("datetime").value_or(""));
  }
  if (std::optional<Node> time = FindTag(message, "time")) return std::string(time->Attr("datetime").value_or(""));
  return {};
}

Observation ReadWidget(const PostRef& post, const net::FetchResponse& response) {
  constexpr std::string_view kSource = "widget";
  if (!response.ok()) {
    return Make(PostState::kUnreachable, std::string(kSource) + ": " + net::FetchOutcomeName(response.outcome) +
                                             (response.error.empty() ? "" : " (" + response.error + ")"));
  }
  const net::HttpExchange& exchange = *response.Final();
  const std::string status_reason = std::string(kSource) + ": HTTP " + std::to_string(exchange.status);
  if (exchange.status == 429) return Make(PostState::kRateLimited, status_reason);
  if (exchange.status != 200) return Make(PostState::kUnreachable, status_reason);
  const std::string content_type = Lower(exchange.Header("Content-Type"));
  if (!content_type.empty() && content_type.find("html") == std::string::npos) {
    return Make(PostState::kUnreachable, status_reason + " but not HTML (" + content_type + ")");
  }
  std::string body;
  const std::string encoding = Lower(exchange.Header("Content-Encoding"));
  if (!encoding.empty() && encoding != "identity") {
    Result<Bytes> decoded = net::DecodeContent(exchange);
    if (!decoded) return Make(PostState::kUnreachable, status_reason + " but " + decoded.error().message);
    body = ToString(*decoded);
  } else {
    body = ToString(exchange.body);
  }
  Result<html::Document> document = html::Document::Parse(body, html::kMaxDocumentBytes, html::kMaxNestingDepth);
  if (!document) return Make(PostState::kUnreachable, status_reason + " but " + document.error().message);
  const Node root = document->root();

  if (std::optional<Node> error = FindByClass(root, "tgme_widget_message_error")) {
    const std::string text = SanitizeUtf8(error->TextContent());
    const std::string quoted = std::string(kSource) + ": \"" + text + "\"";
    if (ContainsNoCase(text, "post not found")) return Make(PostState::kDeleted, quoted);
    if (ContainsNoCase(text, "private") || ContainsNoCase(text, "restricted") ||
        ContainsNoCase(text, "can't be displayed") || ContainsNoCase(text, "cannot be displayed") ||
        ContainsNoCase(text, "unavailable")) {
      return Make(PostState::kWithheld, quoted);
    }
    return Make(PostState::kUnreachable, quoted + " (not a known signal)");
  }
  std::optional<Node> message;
  root.Walk([&message](const Node& node) {
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.HasClass("tgme_widget_message") && node.Attr("data-post")) {
      message = node;
      return Node::Step::kStop;
    }
    return Node::Step::kDescend;
  });
  if (!message) return Make(PostState::kUnreachable, status_reason + " without a message");
  const std::string data_post = Lower(message->Attr("data-post").value_or(""));
  if (data_post != post.post_id) {
    return Make(PostState::kUnreachable, status_reason + " about another post (" + SanitizeUtf8(data_post) + ")");
  }
  Observation observation = Make(PostState::kAvailable, std::string(kSource) + ": message " + data_post);
  PostContent& c = observation.content;
  const std::string_view written = message->Attr("data-post").value_or("");
  c.author = std::string(written.substr(0, written.find('/')));
  if (std::optional<Node> owner = FindByClass(*message, "tgme_widget_message_owner_name")) c.author_name = owner->TextContent();
  if (std::optional<Node> text = FindByClass(*message, "tgme_widget_message_text")) c.text = MessageText(*text);
  c.created_at = CreatedAt(*message);
  c.media = MessageMedia(*message);
  if (std::optional<Node> meta = FindByClass(*message, "tgme_widget_message_meta")) {
    if (ContainsNoCase(meta->TextContent(), "edited")) c.version = "edited";
  }
  return observation;
}

class TelegramAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override { return ParseTelegramUrl(post_url); }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = "https://t.me/" + post.post_id + "?embed=1&mode=tme";
    plan[0].headers = {{"Accept", "text/html"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    if (answers.empty()) return Make(PostState::kUnreachable, "widget: not fetched");
    return ReadWidget(post, answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  TelegramEmbedMatcher matcher_;
};

}  // namespace

const Adapter& TelegramAdapter() {
  static const TelegramAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::telegram
