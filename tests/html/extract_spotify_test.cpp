// Spotify embeds found by html::ExtractEmbeds (recognised, never archived): the
// corpus against truth.json, then the markup forms (embeds.md §12, §14).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "embarc/html/extract.h"
#include "html/corpus_truth.h"

namespace {

using embarc::platform::ExtractedPost;

std::vector<ExtractedPost> Items(const std::string& html) {
  auto result = embarc::html::ExtractEmbeds(html);
  REQUIRE(result);
  std::vector<ExtractedPost> out;
  for (ExtractedPost& p : *result) {
    if (p.ref.platform == "spotify") out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

TEST_CASE("extract: every corpus page and fragment matches truth.json for spotify", "[extract][video]") {
  const auto comparison = embarc::testing::CompareWithTruth("spotify");
  INFO(comparison.diffs);
  CHECK(comparison.diffs.empty());
  CHECK(comparison.checked >= 80);
  CHECK(comparison.with_posts >= 4);
}

TEST_CASE("extract: Spotify player forms give <type>:<id>", "[extract][video]") {
  const auto items = Items(R"(
    <iframe style="border-radius: 12px" width="100%" height="352" src="https://open.spotify.com/embed/album/7s66wU1XJ2NsUuWM2NKiUV?utm_source=oembed"></iframe>
    <iframe src="https://open.spotify.com/embed/album/7s66wU1XJ2NsUuWM2NKiUV"></iframe>
    <iframe src="https://open.spotify.com/embed-podcast/episode/4rOoJ6Egrf8K2IrywzwOMk"></iframe>
    <iframe src="https://embed.spotify.com/?uri=spotify:track:6rqhFgbbKwnb9MLmUQDhG6"></iframe>
    <iframe src="about:blank" data-cmp-src="https://open.spotify.com/embed/show/3n4Nh9dQYWpi8ho7egojvB"></iframe>)");
  REQUIRE(items.size() == 4);
  CHECK(items[0].ref.post_id == "album:7s66wU1XJ2NsUuWM2NKiUV");
  CHECK(items[0].ref.url == "https://open.spotify.com/album/7s66wU1XJ2NsUuWM2NKiUV");
  CHECK(items[0].occurrences == 2);
  CHECK(items[1].ref.post_id == "episode:4rOoJ6Egrf8K2IrywzwOMk");
  CHECK(items[2].ref.post_id == "track:6rqhFgbbKwnb9MLmUQDhG6");
  CHECK(items[3].ref.post_id == "show:3n4Nh9dQYWpi8ho7egojvB");
  CHECK(items[3].forms == std::vector<std::string>{"iframe[data-cmp-src]"});
}

TEST_CASE("extract: Spotify links are not embeds", "[extract][video]") {
  const auto items = Items(R"(<p><a href="https://open.spotify.com/show/3n4Nh9dQYWpi8ho7egojvB">podcast</a></p>
    <script>x = '<iframe src="https://open.spotify.com/embed/album/7s66wU1XJ2NsUuWM2NKiUV"></iframe>'</script>)");
  CHECK(items.empty());
}
