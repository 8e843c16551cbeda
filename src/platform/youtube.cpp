// YouTube (embeds.md §4): videos (11-character ids) and playlists ("list:<id>").
//
// Embeds recognised: player iframes of youtube.com / youtube-nocookie.com
// (/embed/ID, /embed/videoseries?list=, /embed?list=) from `src` or a lazy /
// consent attribute (data-src, data-lazy-src, data-original, data-cmp-src with
// src="about:blank", data-artsrc, ...), Flash-era <object data>, <param value> and
// <embed src> with /v/ID (each element an occurrence), WP-Rocket
// div.rll-youtube-player[data-src|data-id], <lite-youtube videoid|playlistid> and
// <amp-youtube data-videoid>. A channel's live slot (/embed/live_stream?channel=,
// amp-youtube[data-live-channelid]) is a site widget, not a post.
//
// Capture plan: https://www.youtube.com/oembed?url=<percent-encoded canonical URL>&format=json
// (public, no key). States: 200 JSON = available; 404 = deleted (removed or never
// existed); 401 = withheld (the owner disabled embedding); 403 and a 200 whose body
// is not JSON but "Forbidden" = withheld (private); a redirect to
// accounts.google.com / consent.youtube.com = login_required; 429 = rate_limited;
// 400, other codes, 5xx and transport failures = unreachable. YouTube has no
// version witness (edits are only visible by comparing the title).
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

namespace embarc::platform::youtube {
namespace {

using html::Node;

constexpr std::string_view kPlatform = "youtube";
constexpr std::size_t kVideoIdLength = 11;
constexpr std::size_t kMinPlaylistIdLength = 2;
constexpr std::size_t kMaxPlaylistIdLength = 64;

constexpr std::array<std::string_view, 5> kSiteHosts = {"youtube.com", "www.youtube.com", "m.youtube.com",
                                                        "music.youtube.com", "gaming.youtube.com"};
constexpr std::array<std::string_view, 2> kNoCookieHosts = {"youtube-nocookie.com", "www.youtube-nocookie.com"};
constexpr std::array<std::string_view, 2> kLoginHosts = {"accounts.google.com", "consent.youtube.com"};
constexpr std::array<std::string_view, 1> kLoginPaths = {"/ServiceLogin"};

template <std::size_t N>
bool In(const std::array<std::string_view, N>& list, std::string_view value) {
  for (const std::string_view item : list) {
    if (item == value) return true;
  }
  return false;
}

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsVideoId(std::string_view s) {
  if (s.size() != kVideoIdLength) return false;
  for (const char c : s) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool IsPlaylistId(std::string_view s) {
  if (s.size() < kMinPlaylistIdLength || s.size() > kMaxPlaylistIdLength) return false;
  for (const char c : s) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

PostRef VideoRef(std::string_view id) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = std::string(id);
  ref.url = "https://www.youtube.com/watch?v=" + ref.post_id;
  return ref;
}

PostRef PlaylistRef(std::string_view list) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = "list:" + std::string(list);
  ref.url = "https://www.youtube.com/playlist?list=" + std::string(list);
  return ref;
}

// The value of parameter `name` in the '&'-separated parameters that old embed codes
// put in a path segment, after its first '&' ("videoseries&list=PL…&hl=en").
std::optional<std::string> SegmentParameter(std::string_view segment, std::string_view name) {
  std::size_t amp = segment.find('&');
  while (amp != std::string_view::npos) {
    const std::size_t start = amp + 1;
    amp = segment.find('&', start);
    const std::string_view pair = segment.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
  }
  return std::nullopt;
}

// A playlist named by the `list` parameter, in the query or in the '&' parameters of
// `segment` (the player's path segment); listType=user_uploads / search name a
// channel or a search, not a playlist.
std::optional<PostRef> PlaylistFromQuery(const url::Url& parsed, std::string_view segment = {}) {
  const auto parameter = [&](std::string_view name) {
    std::optional<std::string> value = parsed.QueryValue(name);
    return value ? value : SegmentParameter(segment, name);
  };
  const std::optional<std::string> list = parameter("list");
  if (!list || !IsPlaylistId(*list)) return std::nullopt;
  const std::optional<std::string> list_type = parameter("listType");
  if (list_type && *list_type != "playlist") return std::nullopt;
  return PlaylistRef(*list);
}

// The player endpoints: /embed/ID, /embed/videoseries?list=, /embed[/]?list=,
// /v/ID, /e/ID, /p/PLAYLIST (Flash). live_stream is a channel slot.
std::optional<PostRef> ParseEmbedEndpoint(const url::Url& parsed) {
  if (!In(kSiteHosts, parsed.host) && !In(kNoCookieHosts, parsed.host)) return std::nullopt;
  const std::vector<std::string> segments = parsed.PathSegments();
  if (segments.empty()) return std::nullopt;
  const std::string& head = segments[0];
  // Old embed codes sometimes carry parameters after '&' in the path, with no '?':
  // /v/ID&hl=en&fs=1, /embed/ID&rel=0. The id is what comes before the '&'.
  const auto id_segment = [&segments]() { return std::string_view(segments[1]).substr(0, segments[1].find('&')); };
  if (head == "embed") {
    if (segments.size() == 1) return PlaylistFromQuery(parsed);
    // "videoseries" and "live_stream" have the shape of an id (11 characters) but
    // name a playlist player and a channel's live slot.
    const std::string_view id = id_segment();
    if (id == "videoseries") return PlaylistFromQuery(parsed, segments[1]);
    if (id != "live_stream" && IsVideoId(id)) return VideoRef(id);
    return std::nullopt;  // live_stream?channel=…, unknown words
  }
  if ((head == "v" || head == "e") && segments.size() >= 2) {
    if (const std::string_view id = id_segment(); IsVideoId(id)) return VideoRef(id);
    return std::nullopt;
  }
  if (head == "p" && segments.size() >= 2 && IsPlaylistId(segments[1])) return PlaylistRef(segments[1]);
  return std::nullopt;
}

std::optional<PostRef> ParseYouTubeUrl(const url::Url& parsed) {
  if (std::optional<PostRef> ref = ParseEmbedEndpoint(parsed)) return ref;
  const std::vector<std::string> segments = parsed.PathSegments();
  if (parsed.host == "youtu.be" || parsed.host == "www.youtu.be") {
    if (!segments.empty() && IsVideoId(segments[0])) return VideoRef(segments[0]);
    return std::nullopt;
  }
  if (!In(kSiteHosts, parsed.host)) return std::nullopt;
  if (segments.empty()) return std::nullopt;
  const std::string& head = segments[0];
  if (head == "watch") {
    if (const std::optional<std::string> v = parsed.QueryValue("v"); v && IsVideoId(*v)) return VideoRef(*v);
    if (segments.size() >= 2 && IsVideoId(segments[1])) return VideoRef(segments[1]);
    return std::nullopt;
  }
  if ((head == "shorts" || head == "live") && segments.size() >= 2 && IsVideoId(segments[1])) {
    return VideoRef(segments[1]);
  }
  if (head == "playlist") return PlaylistFromQuery(parsed);
  return std::nullopt;
}

// ---- embed markup ----------------------------------------------------------------

std::optional<EmbedMatch> MatchCustomElement(const Node& element) {
  EmbedMatch match;
  if (element.IsTag("lite-youtube")) {
    if (const std::optional<std::string_view> id = element.Attr("videoid"); id && IsVideoId(*id)) {
      match.ref = VideoRef(*id);
      match.form = "lite-youtube[videoid]";
    } else if (const std::optional<std::string_view> list = element.Attr("playlistid"); list && IsPlaylistId(*list)) {
      match.ref = PlaylistRef(*list);
      match.form = "lite-youtube[playlistid]";
    } else {
      return std::nullopt;
    }
    match.lazy = true;  // a facade: the player loads on click
    return match;
  }
  if (element.IsTag("amp-youtube")) {
    const std::optional<std::string_view> id = element.Attr("data-videoid");
    if (!id || !IsVideoId(*id)) return std::nullopt;  // data-live-channelid: a channel's live slot
    match.ref = VideoRef(*id);
    match.form = "amp-youtube[data-videoid]";
    match.amp = true;
    return match;
  }
  return std::nullopt;
}

class YouTubeEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (std::optional<EmbedMatch> custom = MatchCustomElement(element)) return custom;
    if (std::optional<EmbedMatch> player = media_embed::MatchPlayerElement(element, context, ParseEmbedEndpoint)) {
      return player;
    }
    // WP-Rocket's facade without a data-src keeps the id alone.
    if (element.HasClass("rll-youtube-player")) {
      if (const std::optional<std::string_view> id = element.Attr("data-id"); id && IsVideoId(*id)) {
        EmbedMatch match;
        match.ref = VideoRef(*id);
        match.form = element.TagName() + "[data-id]";
        match.lazy = true;
        match.claim = EmbedMatch::Claim::kNone;
        return match;
      }
    }
    return std::nullopt;
  }
};

// ---- reading the answer ----------------------------------------------------------

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

Observation ReadOEmbed(const net::FetchResponse* response) {
  constexpr std::string_view kSource = "YouTube oEmbed";
  if (std::optional<Observation> transport =
          media_embed::TransportObservation(kSource, response, kLoginHosts, kLoginPaths)) {
    return std::move(*transport);
  }
  const net::HttpExchange& exchange = *response->Final();
  const int status = exchange.status;
  if (status == 404) return media_embed::MakeObservation(PostState::kDeleted, "YouTube oEmbed: HTTP 404 (video removed or not found)");
  if (status == 401) {
    return media_embed::MakeObservation(PostState::kWithheld, "YouTube oEmbed: HTTP 401 (embedding disabled by the owner)");
  }
  if (status == 403) return media_embed::MakeObservation(PostState::kWithheld, "YouTube oEmbed: HTTP 403 (private or restricted)");
  if (status != 200) {
    return media_embed::MakeObservation(PostState::kUnreachable, "YouTube oEmbed: HTTP " + std::to_string(status));
  }
  Result<nlohmann::json> body = media_embed::JsonObjectBody(exchange);
  if (!body) {
    // Private videos have been answered with HTTP 200 and the bare text "Forbidden".
    Result<std::string> text = media_embed::BodyText(exchange);
    if (text && ascii::Lower(Trim(*text)) == "forbidden") {
      return media_embed::MakeObservation(PostState::kWithheld, "YouTube oEmbed: HTTP 200 \"Forbidden\" (private video)");
    }
    return media_embed::MakeObservation(PostState::kUnreachable, "YouTube oEmbed: HTTP 200 but " + body.error().message);
  }
  if (media_embed::StringMember(*body, "title").empty() && media_embed::StringMember(*body, "html").empty()) {
    return media_embed::MakeObservation(PostState::kUnreachable, "YouTube oEmbed: HTTP 200 without title or html");
  }
  Observation observation = media_embed::MakeObservation(PostState::kAvailable, "YouTube oEmbed: HTTP 200");
  observation.content = media_embed::OEmbedContent(*body, "https://www.youtube.com/");
  return observation;
}

class YouTubeAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override {
    Result<url::Url> parsed = url::ParseUrl(post_url);
    if (!parsed) return std::nullopt;
    return ParseYouTubeUrl(*parsed);
  }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = "https://www.youtube.com/oembed?url=" + url::PercentEncode(post.url) + "&format=json";
    plan[0].headers = {{"Accept", "application/json"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    (void)post;
    return ReadOEmbed(answers.empty() ? nullptr : &answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  YouTubeEmbedMatcher matcher_;
};

}  // namespace

const Adapter& YouTubeAdapter() {
  static const YouTubeAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::youtube
