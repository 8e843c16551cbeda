#include "embarc/platform/twitter.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "embarc/core/json.h"
#include "embarc/html/extract.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "platform/media_embed.h"

namespace embarc::platform::twitter {
namespace {

using ascii::Lower;
using ascii::IsDigits;
using ascii::ContainsNoCase;

using html::Node;
using media_embed::DirectUrlRule;
using media_embed::EmbedUrlAttributes;
using media_embed::UrlAttribute;
using Json = nlohmann::json;

constexpr std::size_t kMaxHandleLength = 15;
constexpr std::size_t kMaxTweetIdDigits = 20;  // uint64; snowflakes have up to 19

constexpr std::array<std::string_view, 7> kTweetHosts = {
    "twitter.com", "www.twitter.com", "mobile.twitter.com", "m.twitter.com", "x.com", "www.x.com", "mobile.x.com"};

bool IsHandleChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsHandle(std::string_view s) {
  return !s.empty() && s.size() <= kMaxHandleLength && std::all_of(s.begin(), s.end(), IsHandleChar);
}

// A tweet id as decimal digits without leading zeros; nullopt if `s` is not one.
std::optional<std::string> NormalizeTweetId(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  if (!IsDigits(s)) return std::nullopt;
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (s == "0" || s.size() > kMaxTweetIdDigits) return std::nullopt;
  if (s.size() == kMaxTweetIdDigits && s > std::string_view("18446744073709551615")) return std::nullopt;
  return std::string(s);
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) out.push_back(url::PercentDecode(path.substr(pos, next - pos)));
    pos = next + 1;
  }
  return out;
}

bool IsStatusWord(std::string_view s) { return s == "status" || s == "statuses"; }

// ---- the page's view of a tweet blockquote ----------------------------------------

bool IsTweetBlockquote(const Node& node) {
  return node.IsTag("blockquote") && (node.HasClass("twitter-tweet") || node.HasClass("twitter-video"));
}

bool IsWidgetsScript(const Node& node) {
  if (!node.IsTag("script")) return false;
  const std::optional<std::string_view> src = node.Attr("src");
  return src && src->find("widgets.js") != std::string_view::npos;
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
    while (end < text.size() && IsHandleChar(text[end])) ++end;
    if (end < text.size() && text[end] == ')' && IsHandle(text.substr(open + 2, end - open - 2))) {
      return std::string(text.substr(open + 2, end - open - 2));
    }
    if (open == 0) break;
    pos = open;
  }
  return std::nullopt;
}

// "— Display Name (@handle) date" -> "Display Name".
std::string AuthorNameFromAttribution(std::string_view attribution) {
  const std::size_t paren = attribution.rfind("(@");
  std::string_view name = attribution.substr(0, paren == std::string_view::npos ? 0 : paren);
  static constexpr std::string_view kMdash = "\xE2\x80\x94";
  static constexpr std::string_view kNdash = "\xE2\x80\x93";
  bool changed = true;
  while (changed) {
    changed = false;
    while (!name.empty() && (name.front() == ' ' || name.front() == '-')) {
      name.remove_prefix(1);
      changed = true;
    }
    for (const std::string_view dash : {kMdash, kNdash}) {
      if (name.substr(0, dash.size()) == dash) {
        name.remove_prefix(dash.size());
        changed = true;
      }
    }
  }
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  return std::string(name);
}

struct BlockquoteReading {
  std::optional<PostRef> status_link;     // the last status link inside
  std::string last_link_text;             // text of the last <a> (the date)
  bool has_paragraph = false;
  std::string paragraph_text;             // the tweet text as printed
  std::string paragraph_lang;
  std::string attribution;                // collapsed text after the <p>
  std::optional<std::string> text_handle; // last "(@handle)" in the blockquote text
  std::optional<Node> stop;               // where an unclosed blockquote ends
};

// Reads a tweet blockquote's region: its descendants in document order up to
// a widgets.js script or, when the blockquote was never closed, the start of
// another embed code (EndsUnclosedBlockquote), whichever comes first.
BlockquoteReading ReadBlockquote(const Node& blockquote, std::string_view base_url) {
  BlockquoteReading reading;
  std::optional<Node> paragraph;
  std::string all_text;
  std::string after_paragraph;
  blockquote.Walk([&](const Node& node) {
    if (node.is_text()) {
      all_text += node.Text();
      if (paragraph && !IsInside(node, *paragraph)) after_paragraph += node.Text();
      return Node::Step::kDescend;
    }
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (IsWidgetsScript(node) || EndsUnclosedBlockquote(blockquote, node)) {
      reading.stop = node;
      return Node::Step::kStop;
    }
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (node.IsTag("br")) {
      all_text += ' ';
      if (paragraph && !IsInside(node, *paragraph)) after_paragraph += ' ';
    }
    if (node.IsTag("p") && !paragraph) {
      paragraph = node;
      reading.has_paragraph = true;
      reading.paragraph_text = node.TextContent();
      reading.paragraph_lang = std::string(node.Attr("lang").value_or(""));
    }
    if (node.IsTag("a")) {
      reading.last_link_text = node.TextContent();
      if (const std::optional<std::string_view> href = node.Attr("href")) {
        if (Result<url::Url> resolved = url::ResolveUrl(base_url, *href)) {
          if (std::optional<PostRef> ref = ParseTweetUrl(resolved->ToString())) reading.status_link = std::move(ref);
        }
      }
    }
    return Node::Step::kDescend;
  });
  reading.text_handle = LastParenthesisedHandle(html::CollapseWhitespace(all_text));
  reading.attribution = html::CollapseWhitespace(after_paragraph);
  return reading;
}

std::optional<std::string> TweetIdAttribute(const Node& node, std::string* attribute_name) {
  for (const std::string_view name : {"data-tweet-id", "data-tweetid"}) {
    if (const std::optional<std::string_view> value = node.Attr(name)) {
      if (std::optional<std::string> id = NormalizeTweetId(*value)) {
        if (attribute_name != nullptr) *attribute_name = std::string(name);
        return id;
      }
    }
  }
  return std::nullopt;
}

std::optional<EmbedMatch> MatchBlockquote(const Node& element, const MatchContext& context) {
  BlockquoteReading reading = ReadBlockquote(element, context.base_url);
  std::optional<PostRef> ref = std::move(reading.status_link);
  if (!ref) {
    if (const std::optional<std::string_view> cite = element.Attr("cite")) {
      if (Result<url::Url> resolved = url::ResolveUrl(context.base_url, *cite)) ref = ParseTweetUrl(resolved->ToString());
    }
  }
  if (!ref) {
    if (std::optional<std::string> id = TweetIdAttribute(element, nullptr)) ref = MakeTweetRef(*id, std::nullopt);
  }
  if (!ref) return std::nullopt;
  if (!ref->author && reading.text_handle) ref = MakeTweetRef(ref->post_id, reading.text_handle);

  EmbedMatch match;
  match.ref = std::move(*ref);
  match.form = element.HasClass("twitter-tweet") ? "blockquote.twitter-tweet" : "blockquote.twitter-video";
  if (reading.has_paragraph) {
    Quote quote;
    quote.text = std::move(reading.paragraph_text);
    quote.author_name = AuthorNameFromAttribution(reading.attribution);
    quote.date = std::move(reading.last_link_text);
    match.quote = std::move(quote);
  }
  if (reading.stop) {
    match.claim = EmbedMatch::Claim::kUntil;
    match.claim_until = reading.stop;
  }
  return match;
}

// platform.twitter.com/embed/Tweet.html?...&id=N (rendered widget iframes).
std::optional<std::string> EmbedIframeTweetId(std::string_view src, std::string_view base_url) {
  Result<url::Url> parsed = url::ResolveUrl(base_url, src);
  if (!parsed) return std::nullopt;
  if (parsed->host != "platform.twitter.com" && parsed->host != "platform.x.com") return std::nullopt;
  if (parsed->path.rfind("/embed/", 0) != 0) return std::nullopt;
  const std::optional<std::string> id = parsed->QueryValue("id");
  return id ? NormalizeTweetId(*id) : std::nullopt;
}

class TwitterEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (IsTweetBlockquote(element)) return MatchBlockquote(element, context);

    std::string attribute;
    if (std::optional<std::string> id = TweetIdAttribute(element, &attribute)) {
      EmbedMatch match;
      match.ref = MakeTweetRef(*id, std::nullopt);  // creatorScreenName etc. name the publisher, not the author
      match.form = element.TagName() + "[" + attribute + "]";
      match.amp = element.IsTag("amp-twitter");
      match.rendered = !match.amp;
      // An AMP placeholder blockquote inside is its own occurrence (and may show the author).
      match.claim = EmbedMatch::Claim::kNone;
      return match;
    }

    // Rendered widget iframes (also as amp-iframe, or deferred in a lazy attribute).
    for (const UrlAttribute& url_attribute : EmbedUrlAttributes(element, DirectUrlRule::kFrames)) {
      if (std::optional<std::string> id = EmbedIframeTweetId(url_attribute.value, context.base_url)) {
        EmbedMatch match;
        match.ref = MakeTweetRef(*id, std::nullopt);
        match.form = element.TagName() + "[" + url_attribute.name + "]";
        match.rendered = true;
        match.amp = element.IsTag("amp-iframe");
        match.lazy = url_attribute.lazy;
        return match;
      }
    }
    return std::nullopt;
  }
};

// ---- reading the answers ---------------------------------------------------------

std::string HeaderValue(const net::HttpExchange& exchange, std::string_view name) {
  for (const auto& [key, value] : exchange.response_headers) {
    if (Lower(key) == Lower(name)) return value;
  }
  return {};
}

// One source's verdict.
struct Signal {
  enum class Kind { kAvailable, kDeleted, kWithheld, kLoginRequired, kRateLimited, kUnreachable };
  Kind kind = Kind::kUnreachable;
  std::string reason;
  PostContent content;
};

Signal MakeSignal(Signal::Kind kind, std::string reason) {
  Signal signal;
  signal.kind = kind;
  signal.reason = std::move(reason);
  return signal;
}

// The JSON body of a 200 answer, or the reason it cannot be trusted.
Result<Json> JsonBody(const net::HttpExchange& exchange) {
  const std::string content_type = Lower(HeaderValue(exchange, "Content-Type"));
  if (!content_type.empty() && content_type.find("json") == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "not JSON (Content-Type " + content_type + ")");
  }
  std::string body;
  const std::string encoding = Lower(HeaderValue(exchange, "Content-Encoding"));
  if (!encoding.empty() && encoding != "identity") {
    Result<Bytes> decoded = net::DecodeContent(exchange);
    if (!decoded) return WithContext(decoded.error(), "Content-Encoding " + encoding);
    body = ToString(*decoded);
  } else {
    body = ToString(exchange.body);
  }
  Result<Json> parsed = ParseJson(body);
  if (!parsed) return WithContext(parsed.error(), "body is not JSON");
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

const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::vector<std::string> IdList(const Json* array) {
  std::vector<std::string> out;
  if (array == nullptr || !array->is_array()) return out;
  for (const Json& item : *array) {
    if (item.is_string()) out.push_back(item.get<std::string>());
    if (item.is_number_unsigned()) out.push_back(std::to_string(item.get<std::uint64_t>()));
  }
  return out;
}

std::vector<MediaItem> SyndicationMedia(const Json& tweet) {
  std::vector<MediaItem> media;
  const Json* details = Member(tweet, "mediaDetails");
  if (details != nullptr && details->is_array()) {
    for (const Json& item : *details) {
      const std::string type = StringMember(item, "type");
      const std::string image = StringMember(item, "media_url_https");
      if (type == "photo") {
        if (!image.empty()) media.push_back({image + "?name=orig", "photo", ""});
        continue;
      }
      if (type != "video" && type != "animated_gif") continue;
      if (!image.empty()) media.push_back({image, "poster", ""});
      const Json* info = Member(item, "video_info");
      const Json* variants = info != nullptr ? Member(*info, "variants") : nullptr;
      if (variants == nullptr || !variants->is_array()) continue;
      std::string best;
      double best_bitrate = -1;
      for (const Json& variant : *variants) {
        if (StringMember(variant, "content_type") != "video/mp4") continue;
        const Json* bitrate = Member(variant, "bitrate");
        const double rate = (bitrate != nullptr && bitrate->is_number()) ? bitrate->get<double>() : 0.0;
        const std::string variant_url = StringMember(variant, "url");
        if (!variant_url.empty() && rate > best_bitrate) {
          best = variant_url;
          best_bitrate = rate;
        }
      }
      if (!best.empty()) media.push_back({best, "video", ""});
    }
    return media;
  }
  // Older answers: photos[] only.
  if (const Json* photos = Member(tweet, "photos"); photos != nullptr && photos->is_array()) {
    for (const Json& photo : *photos) {
      const std::string photo_url = StringMember(photo, "url");
      if (!photo_url.empty()) media.push_back({photo_url + "?name=orig", "photo", ""});
    }
  }
  return media;
}

std::vector<std::string> EditChain(const Json& tweet) {
  const Json* control = Member(tweet, "edit_control");
  if (control == nullptr) return {};
  if (std::vector<std::string> ids = IdList(Member(*control, "edit_tweet_ids")); !ids.empty()) return ids;
  // A superseded version points at the chain's first tweet.
  if (const Json* initial = Member(*control, "edit_control_initial")) {
    if (std::vector<std::string> ids = IdList(Member(*initial, "edit_tweet_ids")); !ids.empty()) return ids;
  }
  std::vector<std::string> ids;
  if (std::string first = StringMember(*control, "initial_tweet_id"); !first.empty()) ids.push_back(first);
  if (std::string self = StringMember(tweet, "id_str"); !self.empty() && (ids.empty() || ids.front() != self)) {
    ids.push_back(self);
  }
  return ids;
}

PostContent SyndicationContent(const Json& tweet) {
  PostContent content;
  if (const Json* user = Member(tweet, "user")) {
    content.author = StringMember(*user, "screen_name");
    content.author_name = StringMember(*user, "name");
  }
  content.created_at = StringMember(tweet, "created_at");
  content.text = StringMember(tweet, "text");
  if (const Json* note = Member(tweet, "note_tweet")) {
    std::string long_text = StringMember(*note, "text");
    if (long_text.empty()) {
      if (const Json* results = Member(*note, "note_tweet_results")) {
        if (const Json* result = Member(*results, "result")) long_text = StringMember(*result, "text");
      }
    }
    if (!long_text.empty()) content.text = std::move(long_text);
  }
  content.lang = StringMember(tweet, "lang");
  content.media = SyndicationMedia(tweet);
  content.edit_ids = EditChain(tweet);
  return content;
}

std::string HttpStatusReason(std::string_view source, int status) {
  return std::string(source) + ": HTTP " + std::to_string(status);
}

std::optional<Signal> TransportSignal(std::string_view source, const net::FetchResponse& response) {
  if (!response.ok()) {
    return MakeSignal(Signal::Kind::kUnreachable, std::string(source) + ": " + net::FetchOutcomeName(response.outcome) +
                                                      (response.error.empty() ? "" : " (" + response.error + ")"));
  }
  const int status = response.Final()->status;
  if (status == 429) return MakeSignal(Signal::Kind::kRateLimited, HttpStatusReason(source, status));
  if (status >= 500) return MakeSignal(Signal::Kind::kUnreachable, HttpStatusReason(source, status));
  return std::nullopt;
}

Signal ReadSyndication(const net::FetchResponse& response) {
  constexpr std::string_view kSource = "syndication";
  if (std::optional<Signal> transport = TransportSignal(kSource, response)) return std::move(*transport);
  const net::HttpExchange& exchange = *response.Final();
  if (exchange.status == 404) return MakeSignal(Signal::Kind::kDeleted, "syndication: HTTP 404 (not found)");
  if (exchange.status != 200) return MakeSignal(Signal::Kind::kUnreachable, HttpStatusReason(kSource, exchange.status));
  Result<Json> body = JsonBody(exchange);
  if (!body) return MakeSignal(Signal::Kind::kUnreachable, "syndication: HTTP 200 but " + body.error().message);
  if (!body->is_object()) return MakeSignal(Signal::Kind::kUnreachable, "syndication: HTTP 200 but not a JSON object");
  if (body->empty()) return MakeSignal(Signal::Kind::kDeleted, "syndication: HTTP 200 with an empty object {}");
  const std::string type = StringMember(*body, "__typename");
  if (type == "Tweet") {
    Signal signal = MakeSignal(Signal::Kind::kAvailable, "syndication: Tweet");
    signal.content = SyndicationContent(*body);
    return signal;
  }
  if (type == "TweetTombstone") {
    std::string text;
    if (const Json* tombstone = Member(*body, "tombstone")) {
      if (const Json* text_object = Member(*tombstone, "text")) {
        text = text_object->is_string() ? text_object->get<std::string>() : StringMember(*text_object, "text");
      }
    }
    if (ContainsNoCase(text, "deleted")) {
      return MakeSignal(Signal::Kind::kDeleted, "syndication: tombstone \"" + SanitizeUtf8(text) + "\"");
    }
    return MakeSignal(Signal::Kind::kWithheld, text.empty() ? std::string("syndication: tombstone without text")
                                                            : "syndication: tombstone \"" + SanitizeUtf8(text) + "\"");
  }
  return MakeSignal(Signal::Kind::kUnreachable,
                    "syndication: unexpected answer (__typename \"" + SanitizeUtf8(type) + "\")");
}

// The tweet as the oEmbed html prints it.
struct PrintedTweet {
  std::string text;
  std::string lang;
  std::string date;
  std::string author_name;
};

std::optional<PrintedTweet> ReadOEmbedHtml(std::string_view markup) {
  Result<html::Document> document = html::Document::Parse(markup, html::kMaxDocumentBytes, html::kMaxNestingDepth);
  if (!document) return std::nullopt;
  std::optional<PrintedTweet> printed;
  document->root().Walk([&printed](const Node& node) {
    if (!IsTweetBlockquote(node)) return Node::Step::kDescend;
    BlockquoteReading reading = ReadBlockquote(node, {});
    printed = PrintedTweet{reading.paragraph_text, reading.paragraph_lang, reading.last_link_text,
                           AuthorNameFromAttribution(reading.attribution)};
    return Node::Step::kStop;
  });
  return printed;
}

Signal ReadOEmbed(const net::FetchResponse& response) {
  constexpr std::string_view kSource = "oEmbed";
  if (std::optional<Signal> transport = TransportSignal(kSource, response)) return std::move(*transport);
  const net::HttpExchange& exchange = *response.Final();
  if (exchange.status == 404) return MakeSignal(Signal::Kind::kDeleted, "oEmbed: HTTP 404 (no longer available)");
  if (exchange.status == 403) return MakeSignal(Signal::Kind::kWithheld, "oEmbed: HTTP 403 (suspended, protected or restricted)");
  if (exchange.status == 401) return MakeSignal(Signal::Kind::kLoginRequired, "oEmbed: HTTP 401");
  if (exchange.status != 200) return MakeSignal(Signal::Kind::kUnreachable, HttpStatusReason(kSource, exchange.status));
  Result<Json> body = JsonBody(exchange);
  if (!body) return MakeSignal(Signal::Kind::kUnreachable, "oEmbed: HTTP 200 but " + body.error().message);
  const std::string markup = StringMember(*body, "html");
  if (!body->is_object() || markup.empty()) {
    return MakeSignal(Signal::Kind::kUnreachable, "oEmbed: HTTP 200 without an html member");
  }
  Signal signal = MakeSignal(Signal::Kind::kAvailable, "oEmbed: HTTP 200");
  const std::string author_url = StringMember(*body, "author_url");
  if (Result<url::Url> parsed = url::ParseUrl(author_url)) {
    const std::vector<std::string> segments = parsed->PathSegments();
    if (!segments.empty() && IsHandle(segments.back())) signal.content.author = segments.back();
  }
  signal.content.author_name = StringMember(*body, "author_name");
  if (std::optional<PrintedTweet> printed = ReadOEmbedHtml(markup)) {
    signal.content.text = std::move(printed->text);
    signal.content.lang = std::move(printed->lang);
    signal.content.created_at = std::move(printed->date);
    if (signal.content.author_name.empty()) signal.content.author_name = std::move(printed->author_name);
  }
  return signal;
}

const net::FetchResponse* AnswerAt(std::span<const net::FetchResponse> answers, std::size_t i) {
  return i < answers.size() ? &answers[i] : nullptr;
}

class TwitterAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override { return ParseTweetUrl(post_url); }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(2);
    plan[0].url = SyndicationUrl(post.post_id);
    plan[0].headers = {{"Accept", "application/json"}};
    plan[1].url = OEmbedUrl(post);
    plan[1].headers = {{"Accept", "application/json"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    (void)post;
    const net::FetchResponse* syndication_answer = AnswerAt(answers, 0);
    const net::FetchResponse* oembed_answer = AnswerAt(answers, 1);
    const Signal syndication = syndication_answer != nullptr
                                   ? ReadSyndication(*syndication_answer)
                                   : MakeSignal(Signal::Kind::kUnreachable, "syndication: not fetched");
    const Signal oembed = oembed_answer != nullptr ? ReadOEmbed(*oembed_answer)
                                                   : MakeSignal(Signal::Kind::kUnreachable, "oEmbed: not fetched");
    const std::string both = syndication.reason + "; " + oembed.reason;
    using Kind = Signal::Kind;
    Observation observation;
    observation.reason = both;
    if (syndication.kind == Kind::kAvailable) {
      observation.state = PostState::kAvailable;
      observation.content = syndication.content;
      observation.content.source = "syndication";
      if (observation.content.author.empty()) observation.content.author = oembed.content.author;
      return observation;
    }
    if (oembed.kind == Kind::kAvailable) {
      observation.state = PostState::kAvailable;
      observation.content = oembed.content;
      observation.content.source = "oembed";
      return observation;
    }
    // Only a positive answer from the platform is a deletion, and only when the
    // other source does not contradict it (a restriction or a working answer).
    const auto is_kind = [&](Kind kind) { return syndication.kind == kind || oembed.kind == kind; };
    if (syndication.kind == Kind::kDeleted &&
        (oembed.kind == Kind::kDeleted || oembed.kind == Kind::kUnreachable || oembed.kind == Kind::kRateLimited)) {
      observation.state = PostState::kDeleted;
    } else if (is_kind(Kind::kWithheld)) {
      observation.state = PostState::kWithheld;
    } else if (is_kind(Kind::kLoginRequired)) {
      observation.state = PostState::kLoginRequired;
    } else if (is_kind(Kind::kRateLimited)) {
      observation.state = PostState::kRateLimited;
    } else {
      observation.state = PostState::kUnreachable;
    }
    return observation;
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  TwitterEmbedMatcher matcher_;
};

// ---- V8's DoubleToRadixCString -------------------------------------------------

// The exponent e of value = m * 2^e with m the 53-bit integer significand
// (V8's Double::Exponent()).
int BinaryExponent(double value) {
  constexpr int kExponentBias = 0x3FF + 52;
  constexpr int kDenormalExponent = -kExponentBias + 1;
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0) return kDenormalExponent;
  return biased - kExponentBias;
}

}  // namespace

std::string DoubleToRadixString(double value, int radix) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return "0";
  radix = std::clamp(radix, 2, 36);

  const bool negative = value < 0;
  if (negative) value = -value;
  double integer = std::floor(value);
  double fraction = value - integer;
  // Fraction digits are produced only up to the precision of the input double:
  // half the distance to the next double, scaled along with the fraction.
  double delta = 0.5 * (std::nextafter(value, std::numeric_limits<double>::infinity()) - value);
  delta = std::max(std::numeric_limits<double>::denorm_min(), delta);

  std::string fraction_digits;  // after the '.'
  if (fraction >= delta) {
    do {
      fraction *= radix;
      delta *= radix;
      const int digit = static_cast<int>(fraction);
      fraction_digits += kDigits[digit];
      fraction -= digit;
      // Round half to even; a carry may run back through the digits into the integer part.
      if (fraction > 0.5 || (fraction == 0.5 && (digit & 1) != 0)) {
        if (fraction + delta > 1) {
          while (true) {
            if (fraction_digits.empty()) {
              integer += 1;
              break;
            }
            const char last = fraction_digits.back();
            fraction_digits.pop_back();
            const int last_digit = last > '9' ? (last - 'a' + 10) : (last - '0');
            if (last_digit + 1 < radix) {
              fraction_digits += kDigits[last_digit + 1];
              break;
            }
          }
          break;
        }
      }
    } while (fraction >= delta);
  }

  // Integer digits, least significant first; digits below the double's precision are zeros.
  std::string integer_digits;
  while (BinaryExponent(integer / radix) > 0) {
    integer /= radix;
    integer_digits += '0';
  }
  do {
    const double remainder = std::fmod(integer, radix);
    integer_digits += kDigits[static_cast<int>(remainder)];
    integer = (integer - remainder) / radix;
  } while (integer > 0);
  std::reverse(integer_digits.begin(), integer_digits.end());

  std::string out = negative ? "-" : "";
  out += integer_digits;
  if (!fraction_digits.empty()) out += "." + fraction_digits;
  return out;
}

std::string SyndicationToken(std::string_view tweet_id) {
  const std::string id(tweet_id);
  // Number(id): strtod rounds correctly, like JavaScript. A non-number gives NaN, as in JS.
  char* end = nullptr;
  double number = std::strtod(id.c_str(), &end);
  if (id.empty() || end != id.c_str() + id.size()) number = std::numeric_limits<double>::quiet_NaN();
  const std::string text = DoubleToRadixString((number / 1e15) * std::numbers::pi, 36);
  std::string token;
  for (const char c : text) {
    if (c != '0' && c != '.') token += c;
  }
  return token;
}

std::optional<PostRef> ParseTweetUrl(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed) return std::nullopt;
  if (std::find(kTweetHosts.begin(), kTweetHosts.end(), parsed->host) == kTweetHosts.end()) return std::nullopt;
  std::vector<std::string> segments = parsed->PathSegments();
  if (segments.empty() && parsed->fragment && parsed->fragment->rfind("!/", 0) == 0) {
    // Legacy hashbang: https://twitter.com/#!/user/status/123
    std::string_view fragment_path = std::string_view(*parsed->fragment).substr(1);
    fragment_path = fragment_path.substr(0, fragment_path.find('?'));
    segments = SplitPath(fragment_path);
  }
  std::optional<std::string> handle;
  std::size_t id_index = 0;
  if (segments.size() >= 4 && segments[0] == "i" && segments[1] == "web" && IsStatusWord(segments[2])) {
    id_index = 3;
  } else if (segments.size() >= 3 && segments[0] == "i" && IsStatusWord(segments[1])) {
    id_index = 2;
  } else if (segments.size() >= 3 && IsHandle(segments[0]) && IsStatusWord(segments[1])) {
    handle = segments[0];
    id_index = 2;
  } else {
    return std::nullopt;
  }
  const std::optional<std::string> id = NormalizeTweetId(segments[id_index]);
  if (!id) return std::nullopt;
  return MakeTweetRef(*id, std::move(handle));
}

PostRef MakeTweetRef(std::string_view id, std::optional<std::string> handle) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = std::string(id);
  ref.url = "https://twitter.com/" + (handle ? *handle : std::string("i")) + "/status/" + ref.post_id;
  ref.author = std::move(handle);
  return ref;
}

std::string SyndicationUrl(std::string_view tweet_id) {
  return "https://cdn.syndication.twimg.com/tweet-result?id=" + url::PercentEncode(tweet_id) +
         "&lang=en&token=" + SyndicationToken(tweet_id);
}

std::string OEmbedUrl(const PostRef& post) {
  return "https://publish.twitter.com/oembed?url=" + url::PercentEncode(post.url) + "&omit_script=1&dnt=true";
}

const Adapter& TwitterAdapter() {
  static const TwitterAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::twitter
