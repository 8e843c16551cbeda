// Spotify (embeds.md §12): recognised so that articles' audio embeds are reported,
// but not archived: is_post_platform() is false (an album or a podcast is not a
// social-media post).
//
// post_id "<type>:<22-character id>" (truth.json: "album:7s66wU1XJ2NsUuWM2NKiUV"),
// types track, album, playlist, episode, show, artist. Canonical
// https://open.spotify.com/<type>/<id>.
// Embeds recognised: iframes of open.spotify.com/embed/<type>/<id>,
// /embed-podcast/<episode|show>/<id>, /embed/user/<u>/playlist/<id> and
// embed.spotify.com/?uri=spotify:<type>:<id>, from `src` or a lazy / consent attribute.
// URL forms also: open.spotify.com[/intl-xx]/<type>/<id>, play.spotify.com/<type>/<id>.
//
// Capture plan (used only if asked for directly): https://open.spotify.com/oembed?url=<canonical>.
// States: 200 JSON = available (title, thumbnail); 404 = deleted; 403 = withheld;
// 429 = rate_limited; others = unreachable.
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "platform/media_embed.h"

namespace embarc::platform::spotify {
namespace {

using html::Node;

constexpr std::string_view kPlatform = "spotify";
constexpr std::size_t kIdLength = 22;

constexpr std::array<std::string_view, 6> kTypes = {"track", "album", "playlist", "episode", "show", "artist"};
constexpr std::array<std::string_view, 0> kLoginHosts = {};
constexpr std::array<std::string_view, 0> kLoginPaths = {};

bool IsType(std::string_view s) { return std::find(kTypes.begin(), kTypes.end(), s) != kTypes.end(); }

bool IsId(std::string_view s) {
  return s.size() == kIdLength && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

std::optional<PostRef> ItemRef(std::string_view type, std::string_view id) {
  if (!IsType(type) || !IsId(id)) return std::nullopt;
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = std::string(type) + ":" + std::string(id);
  ref.url = "https://open.spotify.com/" + std::string(type) + "/" + std::string(id);
  return ref;
}

// "spotify:album:ID" (also "spotify:user:U:playlist:ID").
std::optional<PostRef> ParseUri(std::string_view uri) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t colon = uri.find(':');
    parts.push_back(uri.substr(0, colon));
    if (colon == std::string_view::npos) break;
    uri.remove_prefix(colon + 1);
  }
  if (parts.size() < 3 || parts[0] != "spotify") return std::nullopt;
  return ItemRef(parts[parts.size() - 2], parts.back());
}

// /<type>/<id> after the leading segments `skip`; /user/<u>/playlist/<id> too.
std::optional<PostRef> ParseTypedPath(const std::vector<std::string>& s, std::size_t skip) {
  if (s.size() >= skip + 4 && s[skip] == "user" && s[skip + 2] == "playlist") return ItemRef("playlist", s[skip + 3]);
  if (s.size() >= skip + 2) return ItemRef(s[skip], s[skip + 1]);
  return std::nullopt;
}

std::optional<PostRef> ParseEmbedEndpoint(const url::Url& parsed) {
  const std::vector<std::string> s = parsed.PathSegments();
  if (parsed.host == "embed.spotify.com" || (parsed.host == "open.spotify.com" && s.size() == 1 && s[0] == "embed")) {
    if (const std::optional<std::string> uri = parsed.QueryValue("uri")) return ParseUri(*uri);
    return std::nullopt;
  }
  if (parsed.host != "open.spotify.com" || s.empty()) return std::nullopt;
  if (s[0] == "embed" || s[0] == "embed-podcast") return ParseTypedPath(s, 1);
  return std::nullopt;
}

std::optional<PostRef> ParseSpotifyUrl(const url::Url& parsed) {
  if (std::optional<PostRef> ref = ParseEmbedEndpoint(parsed)) return ref;
  if (parsed.host != "open.spotify.com" && parsed.host != "play.spotify.com") return std::nullopt;
  const std::vector<std::string> s = parsed.PathSegments();
  const std::size_t skip = (!s.empty() && s[0].rfind("intl-", 0) == 0) ? 1 : 0;
  return ParseTypedPath(s, skip);
}

class SpotifyEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    return media_embed::MatchPlayerElement(element, context, ParseEmbedEndpoint);
  }
};

Observation ReadOEmbed(const net::FetchResponse* response) {
  constexpr std::string_view kSource = "Spotify oEmbed";
  if (std::optional<Observation> transport =
          media_embed::TransportObservation(kSource, response, kLoginHosts, kLoginPaths)) {
    return std::move(*transport);
  }
  const int status = response->Final()->status;
  if (status == 404) return media_embed::MakeObservation(PostState::kDeleted, "Spotify oEmbed: HTTP 404");
  if (status == 403) return media_embed::MakeObservation(PostState::kWithheld, "Spotify oEmbed: HTTP 403");
  if (status != 200) return media_embed::MakeObservation(PostState::kUnreachable, "Spotify oEmbed: HTTP " + std::to_string(status));
  Result<nlohmann::json> body = media_embed::JsonObjectBody(*response->Final());
  if (!body) return media_embed::MakeObservation(PostState::kUnreachable, "Spotify oEmbed: HTTP 200 but " + body.error().message);
  if (media_embed::StringMember(*body, "html").empty()) {
    return media_embed::MakeObservation(PostState::kUnreachable, "Spotify oEmbed: HTTP 200 without html");
  }
  Observation observation = media_embed::MakeObservation(PostState::kAvailable, "Spotify oEmbed: HTTP 200");
  observation.content = media_embed::OEmbedContent(*body, "https://open.spotify.com/");
  return observation;
}

class SpotifyAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override {
    if (post_url.rfind("spotify:", 0) == 0) return ParseUri(post_url);
    Result<url::Url> parsed = url::ParseUrl(post_url);
    if (!parsed) return std::nullopt;
    return ParseSpotifyUrl(*parsed);
  }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = "https://open.spotify.com/oembed?url=" + url::PercentEncode(post.url);
    plan[0].headers = {{"Accept", "application/json"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    (void)post;
    return ReadOEmbed(answers.empty() ? nullptr : &answers[0]);
  }

  bool is_post_platform() const override { return false; }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  SpotifyEmbedMatcher matcher_;
};

}  // namespace

const Adapter& SpotifyAdapter() {
  static const SpotifyAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::spotify
