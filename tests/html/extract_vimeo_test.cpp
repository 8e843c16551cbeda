// Vimeo embeds found by html::ExtractEmbeds: the corpus against truth.json, then
// one test per markup form (embeds.md §12, §14).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "embarc/html/extract.h"
#include "html/corpus_truth.h"

namespace {

using embarc::platform::ExtractedPost;

std::vector<ExtractedPost> Videos(const std::string& html) {
  auto result = embarc::html::ExtractEmbeds(html);
  REQUIRE(result);
  std::vector<ExtractedPost> out;
  for (ExtractedPost& p : *result) {
    if (p.ref.platform == "vimeo") out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

TEST_CASE("extract: every corpus page and fragment matches truth.json for vimeo", "[extract][video]") {
  const auto comparison = embarc::testing::CompareWithTruth("vimeo");
  INFO(comparison.diffs);
  CHECK(comparison.diffs.empty());
  CHECK(comparison.checked >= 80);
  CHECK(comparison.with_posts >= 5);
}

TEST_CASE("extract: the Vimeo player iframe gives the id and vimeo.com/<id>", "[extract][video]") {
  const auto videos = Videos(
      R"(<iframe src="https://player.vimeo.com/video/235352744?app_id=122963" width="640" height="360" allowfullscreen title="Vimeo Live is here"></iframe>
         <script src="https://player.vimeo.com/api/player.js"></script>)");
  REQUIRE(videos.size() == 1);
  CHECK(videos[0].ref.post_id == "235352744");
  CHECK(videos[0].ref.url == "https://vimeo.com/235352744");
  CHECK(videos[0].forms == std::vector<std::string>{"iframe[src]"});
}

TEST_CASE("extract: an unlisted video keeps its hash in the canonical URL", "[extract][video]") {
  const auto videos = Videos(R"(<iframe src="https://player.vimeo.com/video/478635699?h=c9433cf35e&amp;badge=0"></iframe>)");
  REQUIRE(videos.size() == 1);
  CHECK(videos[0].ref.post_id == "478635699");
  CHECK(videos[0].ref.url == "https://vimeo.com/478635699/c9433cf35e");
}

TEST_CASE("extract: lazy, consent, noscript, AMP and Flash forms of Vimeo", "[extract][video]") {
  const auto videos = Videos(R"(<html amp><body>
    <iframe data-src="https://player.vimeo.com/video/77911159" class="lazyload"></iframe>
    <noscript><iframe src="https://player.vimeo.com/video/77911159"></iframe></noscript>
    <iframe src="about:blank" data-cmp-src="//player.vimeo.com/video/51492729"></iframe>
    <amp-vimeo data-videoid="27246366" layout="responsive" width="500" height="281"></amp-vimeo>
    <object><param name="movie" value="http://vimeo.com/moogaloop.swf?clip_id=1084537&amp;server=vimeo.com"></object>
    </body></html>)");
  REQUIRE(videos.size() == 4);
  CHECK(videos[0].ref.post_id == "77911159");
  CHECK(videos[0].occurrences == 2);
  CHECK(videos[0].forms == std::vector<std::string>{"iframe[data-src]", "iframe[src]"});
  CHECK(videos[1].ref.post_id == "51492729");
  CHECK(videos[1].forms == std::vector<std::string>{"iframe[data-cmp-src]"});
  CHECK(videos[2].ref.post_id == "27246366");
  CHECK(videos[2].forms == std::vector<std::string>{"amp-vimeo[data-videoid]"});
  CHECK(videos[3].ref.post_id == "1084537");
  CHECK(videos[3].forms == std::vector<std::string>{"param[value]"});
}

TEST_CASE("extract: Vimeo links, scripts and showcases are no video embeds", "[extract][video]") {
  const auto videos = Videos(R"(
    <p><a href="https://vimeo.com/77911159">a link to the video</a></p>
    <script>var p = '<iframe src="https://player.vimeo.com/video/11111111"></iframe>';</script>
    <iframe src="https://vimeo.com/showcase/7894512/embed"></iframe>
    <iframe src="https://player.vimeo.com/api/player.js"></iframe>
    <svg><symbol id="icon-vimeo"></symbol></svg>)");
  CHECK(videos.empty());
}
