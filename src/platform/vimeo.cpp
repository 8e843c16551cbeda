// Vimeo (embeds.md §12): videos, post_id = the decimal video id.
//
// Embeds recognised: player iframes https://player.vimeo.com/video/ID[?h=HASH]
// from `src` or a lazy / consent attribute (data-src, data-lazy-src, data-cmp-src,
// ...), Flash-era moogaloop.swf?clip_id=ID in <object data> / <param value> /
// <embed src>, <amp-vimeo data-videoid> and <lite-vimeo videoid>.
// URL forms: vimeo.com/ID, vimeo.com/ID/HASH (unlisted), vimeo.com/channels/C/ID,
// vimeo.com/groups/G/videos/ID, vimeo.com/album/A/video/ID,
// vimeo.com/showcase/S/video/ID, vimeo.com/video/ID, player.vimeo.com/video/ID.
// Canonical https://vimeo.com/ID, or https://vimeo.com/ID/HASH when the embed
// carries the unlisted hash (`h`): without it Vimeo answers 404 for an unlisted video.
//
// Capture plan: https://vimeo.com/api/oembed.json?url=<percent-encoded canonical URL>
// (public, no key). States: 200 JSON = available (a domain-restricted or
// password-protected video gets a truncated answer without title: still
// available, with less content); 404 = deleted (Vimeo's documented "not found";
// note that a video made unlisted or private also answers 404 to a URL without
// its hash); 403 = withheld (embedding restricted / private); 401 or a redirect to
// vimeo.com/log_in = login_required; 429 = rate_limited; other codes, 5xx and
// transport failures = unreachable. No version witness.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "platform/media_embed.h"

namespace embarc::platform::vimeo {
namespace {

using ascii::IsDigits;

using html::Node;

constexpr std::string_view kPlatform = "vimeo";
constexpr std::size_t kMaxVideoIdDigits = 12;
constexpr std::size_t kMinHashLength = 6;
constexpr std::size_t kMaxHashLength = 20;

constexpr std::array<std::string_view, 0> kLoginHosts = {};
constexpr std::array<std::string_view, 2> kLoginPaths = {"/log_in", "/login"};

bool IsSiteHost(std::string_view host) { return host == "vimeo.com" || host == "www.vimeo.com"; }

std::optional<std::string> NormalizeVideoId(std::string_view s) {
  if (!IsDigits(s)) return std::nullopt;
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (s == "0" || s.size() > kMaxVideoIdDigits) return std::nullopt;
  return std::string(s);
}

bool IsHash(std::string_view s) {
  if (s.size() < kMinHashLength || s.size() > kMaxHashLength) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

PostRef VideoRef(std::string_view id, std::optional<std::string> hash) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = std::string(id);
  ref.url = "https://vimeo.com/" + ref.post_id;
  if (hash && IsHash(*hash)) ref.url += "/" + *hash;
  return ref;
}

std::optional<PostRef> RefFrom(std::string_view id, std::optional<std::string> hash) {
  const std::optional<std::string> normalized = NormalizeVideoId(id);
  if (!normalized) return std::nullopt;
  return VideoRef(*normalized, std::move(hash));
}

// player.vimeo.com/video/ID[?h=HASH] and the Flash player moogaloop.swf?clip_id=ID.
std::optional<PostRef> ParseEmbedEndpoint(const url::Url& parsed) {
  const std::vector<std::string> segments = parsed.PathSegments();
  if (parsed.host == "player.vimeo.com") {
    if (segments.size() >= 2 && segments[0] == "video") return RefFrom(segments[1], parsed.QueryValue("h"));
    return std::nullopt;
  }
  if (IsSiteHost(parsed.host) && segments.size() == 1 && segments[0] == "moogaloop.swf") {
    if (const std::optional<std::string> clip = parsed.QueryValue("clip_id")) return RefFrom(*clip, std::nullopt);
  }
  return std::nullopt;
}

std::optional<PostRef> ParseVimeoUrl(const url::Url& parsed) {
  if (std::optional<PostRef> ref = ParseEmbedEndpoint(parsed)) return ref;
  if (!IsSiteHost(parsed.host)) return std::nullopt;
  const std::vector<std::string> s = parsed.PathSegments();
  if (s.empty()) return std::nullopt;
  const auto hash_at = [&](std::size_t i) -> std::optional<std::string> {
    if (i < s.size() && IsHash(s[i])) return s[i];
    return parsed.QueryValue("h");
  };
  if (IsDigits(s[0])) return RefFrom(s[0], hash_at(1));                                      // /ID[/HASH]
  if (s[0] == "video" && s.size() >= 2) return RefFrom(s[1], hash_at(2));                      // /video/ID
  if (s[0] == "channels" && s.size() >= 3) return RefFrom(s[2], hash_at(3));                   // /channels/C/ID
  if (s[0] == "groups" && s.size() >= 4 && s[2] == "videos") return RefFrom(s[3], hash_at(4));  // /groups/G/videos/ID
  if ((s[0] == "album" || s[0] == "showcase") && s.size() >= 4 && s[2] == "video") return RefFrom(s[3], hash_at(4));
  return std::nullopt;
}

// ---- embed markup ----------------------------------------------------------------

class VimeoEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (element.IsTag("amp-vimeo") || element.IsTag("lite-vimeo")) {
      const bool amp = element.IsTag("amp-vimeo");
      const std::string_view attribute = amp ? "data-videoid" : "videoid";
      const std::optional<std::string_view> id = element.Attr(attribute);
      if (!id) return std::nullopt;
      std::optional<PostRef> ref = RefFrom(*id, std::nullopt);
      if (!ref) return std::nullopt;
      EmbedMatch match;
      match.ref = std::move(*ref);
      match.form = element.TagName() + "[" + std::string(attribute) + "]";
      match.amp = amp;
      match.lazy = !amp;
      return match;
    }
    return media_embed::MatchPlayerElement(element, context, ParseEmbedEndpoint);
  }
};

// ---- reading the answer ----------------------------------------------------------

Observation ReadOEmbed(const net::FetchResponse* response) {
  constexpr std::string_view kSource = "Vimeo oEmbed";
  if (std::optional<Observation> transport =
          media_embed::TransportObservation(kSource, response, kLoginHosts, kLoginPaths)) {
    return std::move(*transport);
  }
  const int status = response->Final()->status;
  if (status == 404) return media_embed::MakeObservation(PostState::kDeleted, "Vimeo oEmbed: HTTP 404 (video not found)");
  if (status == 403) {
    return media_embed::MakeObservation(PostState::kWithheld, "Vimeo oEmbed: HTTP 403 (private or embedding restricted)");
  }
  if (status == 401) return media_embed::MakeObservation(PostState::kLoginRequired, "Vimeo oEmbed: HTTP 401");
  if (status != 200) return media_embed::MakeObservation(PostState::kUnreachable, "Vimeo oEmbed: HTTP " + std::to_string(status));
  Result<nlohmann::json> body = media_embed::JsonObjectBody(*response->Final());
  if (!body) return media_embed::MakeObservation(PostState::kUnreachable, "Vimeo oEmbed: HTTP 200 but " + body.error().message);
  if (media_embed::StringMember(*body, "video_id").empty() && media_embed::StringMember(*body, "html").empty()) {
    return media_embed::MakeObservation(PostState::kUnreachable, "Vimeo oEmbed: HTTP 200 without video_id or html");
  }
  const bool truncated = media_embed::StringMember(*body, "title").empty();
  Observation observation = media_embed::MakeObservation(
      PostState::kAvailable, truncated ? "Vimeo oEmbed: HTTP 200 (truncated: private metadata omitted)"
                                       : "Vimeo oEmbed: HTTP 200");
  observation.content = media_embed::OEmbedContent(*body, "https://vimeo.com/");
  observation.content.created_at = media_embed::StringMember(*body, "upload_date");
  return observation;
}

class VimeoAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override {
    Result<url::Url> parsed = url::ParseUrl(post_url);
    if (!parsed) return std::nullopt;
    return ParseVimeoUrl(*parsed);
  }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = "https://vimeo.com/api/oembed.json?url=" + url::PercentEncode(post.url);
    plan[0].headers = {{"Accept", "application/json"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    (void)post;
    return ReadOEmbed(answers.empty() ? nullptr : &answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  VimeoEmbedMatcher matcher_;
};

}  // namespace

const Adapter& VimeoAdapter() {
  static const VimeoAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::vimeo
