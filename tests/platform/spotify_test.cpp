// The Spotify adapter: recognised, never archived; URL forms and oEmbed answers.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "embarc/platform/platform.h"
#include "platform/recorded_answers.h"

namespace {

namespace net = embarc::net;
using embarc::platform::PostRef;
using embarc::platform::PostState;
using embarc::testing::Answer;
using embarc::testing::FailedFetch;
using embarc::testing::InterpretOne;
using embarc::testing::Recorded;

const embarc::platform::Adapter& Spotify() {
  const embarc::platform::Adapter* adapter = embarc::platform::FindAdapter("spotify");
  REQUIRE(adapter != nullptr);
  return *adapter;
}

}  // namespace

TEST_CASE("spotify: recognised as <type>:<id> but not a post platform", "[video]") {
  CHECK_FALSE(Spotify().is_post_platform());
  for (const std::string url : {
           "https://open.spotify.com/album/7s66wU1XJ2NsUuWM2NKiUV",
           "https://open.spotify.com/intl-de/album/7s66wU1XJ2NsUuWM2NKiUV?si=abc",
           "https://open.spotify.com/embed/album/7s66wU1XJ2NsUuWM2NKiUV?utm_source=oembed",
           "https://embed.spotify.com/?uri=spotify:album:7s66wU1XJ2NsUuWM2NKiUV",
           "spotify:album:7s66wU1XJ2NsUuWM2NKiUV",
       }) {
    INFO(url);
    const auto ref = Spotify().ParsePostUrl(url);
    REQUIRE(ref);
    CHECK(ref->post_id == "album:7s66wU1XJ2NsUuWM2NKiUV");
    CHECK(ref->url == "https://open.spotify.com/album/7s66wU1XJ2NsUuWM2NKiUV");
  }
  const auto episode = Spotify().ParsePostUrl("https://open.spotify.com/embed-podcast/episode/4rOoJ6Egrf8K2IrywzwOMk");
  REQUIRE(episode);
  CHECK(episode->post_id == "episode:4rOoJ6Egrf8K2IrywzwOMk");
  CHECK_FALSE(Spotify().ParsePostUrl("https://open.spotify.com/album/short"));
  CHECK_FALSE(Spotify().ParsePostUrl("https://open.spotify.com/"));
}

TEST_CASE("spotify: the recorded oEmbed answers read as available", "[video]") {
  auto album = Spotify().ParsePostUrl("https://open.spotify.com/album/7s66wU1XJ2NsUuWM2NKiUV");
  REQUIRE(album);
  CHECK(Spotify().CapturePlan(*album)[0].url ==
        "https://open.spotify.com/oembed?url=https%3A%2F%2Fopen.spotify.com%2Falbum%2F7s66wU1XJ2NsUuWM2NKiUV");
  for (const std::string file : {"oembed__embed.spotify.com__ef6aab8b.json", "oembed__open.spotify.com__36324a8b.json",
                                 "oembed__open.spotify.com__ef6aab8b.json"}) {
    INFO(file);
    const auto o = InterpretOne(Spotify(), *album, Recorded(file).response);
    CHECK(o.state == PostState::kAvailable);
    CHECK(o.content.text.rfind("A Cantar con Xabarin", 0) == 0);
    CHECK(o.content.media.size() == 1);
  }
  CHECK(InterpretOne(Spotify(), *album, Answer(404, "")).state == PostState::kDeleted);
  CHECK(InterpretOne(Spotify(), *album, Answer(429, "")).state == PostState::kRateLimited);
  CHECK(InterpretOne(Spotify(), *album, Answer(502, "")).state == PostState::kUnreachable);
  CHECK(InterpretOne(Spotify(), *album, FailedFetch(net::FetchOutcome::kTimeout)).state == PostState::kUnreachable);
}
