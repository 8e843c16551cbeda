// TikTok (embeds.md §3): videos and photo posts, post_id = the decimal item id.
//
// Embeds recognised: blockquote.tiktok-embed (post = `cite` /@handle/video/ID,
// else data-video-id; the caption <p> is the quote), rendered / player iframes
// https://www.tiktok.com/embed/v2/ID, /embed/ID and /player/v1/ID (from `src` or
// a lazy / consent attribute), and <amp-tiktok data-src=URL|ID>. Creator-profile
// embeds (data-embed-type="creator", data-unique-id, /embed/@handle) show an
// account, not a post. Short links (vm.tiktok.com/…, /t/…) need a redirect and are
// not resolved here.
// Canonical https://www.tiktok.com/@HANDLE/video/ID (/photo/ID for photo posts);
// without a known handle https://www.tiktok.com/@/video/ID, which TikTok resolves.
//
// Capture plan: https://www.tiktok.com/oembed?url=<percent-encoded canonical URL>
// (public, no key). States: 200 JSON with html = available; 404 = deleted; 403 =
// withheld; an error answer (400 or a 200 without html) whose message says the
// video is private = withheld, and one that says it was removed / does not exist
// = deleted [embeds.md: error shape unverified]; anything else that is not
// explicit (400 "Something went wrong", other codes, 5xx, transport failures) =
// unreachable; a redirect to a /login page = login_required; 429 = rate_limited.
// No version witness.
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "embarc/core/json.h"
#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "platform/media_embed.h"

namespace embarc::platform::tiktok {
namespace {

using ascii::IsDigits;

using html::Node;

constexpr std::string_view kPlatform = "tiktok";
constexpr std::size_t kMaxItemIdDigits = 20;
constexpr std::size_t kMaxHandleLength = 32;

constexpr std::array<std::string_view, 4> kHosts = {"tiktok.com", "www.tiktok.com", "m.tiktok.com", "vt.tiktok.com"};
constexpr std::array<std::string_view, 0> kLoginHosts = {};
constexpr std::array<std::string_view, 1> kLoginPaths = {"/login"};

bool IsHost(std::string_view host) { return std::find(kHosts.begin(), kHosts.end(), host) != kHosts.end(); }

bool IsHandle(std::string_view s) {
  if (s.empty() || s.size() > kMaxHandleLength) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

std::optional<std::string> NormalizeItemId(std::string_view s) {
  if (!IsDigits(s)) return std::nullopt;
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (s == "0" || s.size() > kMaxItemIdDigits) return std::nullopt;
  return std::string(s);
}

std::optional<PostRef> ItemRef(std::string_view id, std::optional<std::string> handle, bool photo = false) {
  const std::optional<std::string> normalized = NormalizeItemId(id);
  if (!normalized) return std::nullopt;
  if (handle && !IsHandle(*handle)) handle.reset();
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = *normalized;
  ref.url = "https://www.tiktok.com/@" + handle.value_or("") + (photo ? "/photo/" : "/video/") + ref.post_id;
  ref.author = std::move(handle);
  return ref;
}

// The player endpoints: /embed/v2/ID, /embed/ID, /player/v1/ID.
std::optional<PostRef> ParseEmbedEndpoint(const url::Url& parsed) {
  if (!IsHost(parsed.host)) return std::nullopt;
  const std::vector<std::string> s = parsed.PathSegments();
  if (s.size() >= 3 && s[0] == "embed" && s[1] == "v2") return ItemRef(s[2], std::nullopt);
  if (s.size() >= 2 && s[0] == "embed") return ItemRef(s[1], std::nullopt);  // /embed/@handle: a creator
  if (s.size() >= 3 && s[0] == "player" && s[1] == "v1") return ItemRef(s[2], std::nullopt);
  return std::nullopt;
}

std::optional<PostRef> ParseTikTokUrl(const url::Url& parsed) {
  if (std::optional<PostRef> ref = ParseEmbedEndpoint(parsed)) return ref;
  if (!IsHost(parsed.host)) {
    // Share links of the app: www.tiktokv.com/share/video/ID.
    if (parsed.host != "www.tiktokv.com" && parsed.host != "tiktokv.com") return std::nullopt;
  }
  const std::vector<std::string> s = parsed.PathSegments();
  if (s.size() >= 3 && s[0].size() >= 1 && s[0].front() == '@' && (s[1] == "video" || s[1] == "photo")) {
    std::optional<std::string> handle;
    if (s[0].size() > 1) handle = s[0].substr(1);
    return ItemRef(s[2], std::move(handle), s[1] == "photo");
  }
  if (s.size() >= 3 && s[0] == "share" && s[1] == "video") return ItemRef(s[2], std::nullopt);
  if (s.size() >= 2 && s[0] == "v" && s[1].ends_with(".html")) {  // m.tiktok.com/v/ID.html
    return ItemRef(std::string_view(s[1]).substr(0, s[1].size() - 5), std::nullopt);
  }
  return std::nullopt;
}

std::optional<PostRef> ParseAttributeUrl(std::string_view base_url, std::string_view raw) {
  const std::optional<url::Url> resolved = media_embed::ResolveAttributeUrl(base_url, raw);
  if (!resolved) return std::nullopt;
  return ParseTikTokUrl(*resolved);
}

// ---- embed markup ----------------------------------------------------------------

std::optional<EmbedMatch> MatchBlockquote(const Node& element, const MatchContext& context) {
  if (ascii::Lower(element.Attr("data-embed-type").value_or("")) == "creator") return std::nullopt;
  std::optional<PostRef> ref;
  if (const std::optional<std::string_view> cite = element.Attr("cite")) ref = ParseAttributeUrl(context.base_url, *cite);
  if (!ref) {
    if (const std::optional<std::string_view> id = element.Attr("data-video-id")) ref = ItemRef(*id, std::nullopt);
  }
  if (!ref) return std::nullopt;  // a creator embed (cite = profile URL) or an empty placeholder
  EmbedMatch match;
  match.ref = std::move(*ref);
  match.form = "blockquote.tiktok-embed";
  std::optional<Node> caption;
  element.Walk([&](const Node& node) {
    if (EndsUnclosedBlockquote(element, node)) return Node::Step::kStop;
    if (node.IsTag("p")) {
      caption = node;
      return Node::Step::kStop;
    }
    return Node::Step::kDescend;
  });
  if (caption) {
    Quote quote;
    quote.text = caption->TextContent();
    match.quote = std::move(quote);
  }
  return match;
}

class TikTokEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (element.IsTag("blockquote") && element.HasClass("tiktok-embed")) return MatchBlockquote(element, context);
    if (element.IsTag("amp-tiktok")) {
      const std::optional<std::string_view> src = element.Attr("data-src");
      if (!src) return std::nullopt;
      std::optional<PostRef> ref = IsDigits(*src) ? ItemRef(*src, std::nullopt) : ParseAttributeUrl(context.base_url, *src);
      if (!ref) return std::nullopt;
      EmbedMatch match;
      match.ref = std::move(*ref);
      match.form = "amp-tiktok[data-src]";
      match.amp = true;
      return match;
    }
    std::optional<EmbedMatch> match = media_embed::MatchPlayerElement(element, context, ParseEmbedEndpoint);
    if (match && element.IsTag("iframe")) {
      // embed.js replaces the blockquote with an /embed/v2/ iframe.
      const std::optional<std::string_view> src = element.Attr("src");
      match->rendered = src && src->find("/embed/v2/") != std::string_view::npos;
    }
    return match;
  }
};

// ---- reading the answer ----------------------------------------------------------

bool Mentions(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  const std::string lower = ascii::Lower(haystack);
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view needle) { return lower.find(needle) != std::string::npos; });
}

// An error answer's own words, if it has any.
std::optional<Observation> ExplicitError(int status, const nlohmann::json& body) {
  std::string message;
  for (const std::string_view key : {"status_msg", "message", "error", "errMsg"}) {
    const std::string value = media_embed::StringMember(body, key);
    if (!value.empty()) message += (message.empty() ? "" : "; ") + value;
  }
  const std::string where = "TikTok oEmbed: HTTP " + std::to_string(status) + " \"" + SanitizeUtf8(message) + "\"";
  if (Mentions(message, {"private"})) return media_embed::MakeObservation(PostState::kWithheld, where);
  if (Mentions(message, {"not exist", "not found", "removed", "deleted", "unavailable"})) {
    return media_embed::MakeObservation(PostState::kDeleted, where);
  }
  return std::nullopt;
}

Observation ReadOEmbed(const net::FetchResponse* response) {
  constexpr std::string_view kSource = "TikTok oEmbed";
  if (std::optional<Observation> transport =
          media_embed::TransportObservation(kSource, response, kLoginHosts, kLoginPaths)) {
    return std::move(*transport);
  }
  const net::HttpExchange& exchange = *response->Final();
  const int status = exchange.status;
  if (status == 404) return media_embed::MakeObservation(PostState::kDeleted, "TikTok oEmbed: HTTP 404 (video not found)");
  if (status == 403) return media_embed::MakeObservation(PostState::kWithheld, "TikTok oEmbed: HTTP 403 (private or restricted)");
  Result<nlohmann::json> body = media_embed::JsonObjectBody(exchange);
  if (status != 200) {
    if (body) {
      if (std::optional<Observation> error = ExplicitError(status, *body)) return std::move(*error);
    }
    return media_embed::MakeObservation(PostState::kUnreachable, "TikTok oEmbed: HTTP " + std::to_string(status));
  }
  if (!body) return media_embed::MakeObservation(PostState::kUnreachable, "TikTok oEmbed: HTTP 200 but " + body.error().message);
  if (media_embed::StringMember(*body, "html").empty()) {
    if (std::optional<Observation> error = ExplicitError(status, *body)) return std::move(*error);
    return media_embed::MakeObservation(PostState::kUnreachable, "TikTok oEmbed: HTTP 200 without html");
  }
  Observation observation = media_embed::MakeObservation(PostState::kAvailable, "TikTok oEmbed: HTTP 200");
  observation.content = media_embed::OEmbedContent(*body, "https://www.tiktok.com/");
  if (const std::string unique_id = media_embed::StringMember(*body, "author_unique_id"); !unique_id.empty()) {
    observation.content.author = unique_id;
  }
  return observation;
}

class TikTokAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override {
    Result<url::Url> parsed = url::ParseUrl(post_url);
    if (!parsed) return std::nullopt;
    return ParseTikTokUrl(*parsed);
  }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = "https://www.tiktok.com/oembed?url=" + url::PercentEncode(post.url);
    plan[0].headers = {{"Accept", "application/json"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    (void)post;
    return ReadOEmbed(answers.empty() ? nullptr : &answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  TikTokEmbedMatcher matcher_;
};

}  // namespace

const Adapter& TikTokAdapter() {
  static const TikTokAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::tiktok
