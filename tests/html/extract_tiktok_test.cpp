// TikTok embeds found by html::ExtractEmbeds: the corpus against truth.json, then
// one test per markup form (embeds.md §3, §14).
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
    if (p.ref.platform == "tiktok") out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

TEST_CASE("extract: every corpus page and fragment matches truth.json for tiktok", "[extract][video]") {
  const auto comparison = embarc::testing::CompareWithTruth("tiktok");
  INFO(comparison.diffs);
  CHECK(comparison.diffs.empty());
  CHECK(comparison.checked >= 80);
  CHECK(comparison.with_posts >= 3);
}

TEST_CASE("extract: the TikTok oEmbed blockquote gives id, handle and caption", "[extract][video]") {
  const auto videos = Videos(
      R"(<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@a3noticias/video/6806030056956251397" data-video-id="6806030056956251397" data-embed-from="oembed" style="max-width:605px; min-width:325px;"> <section> <a target="_blank" title="@a3noticias" href="https://www.tiktok.com/@a3noticias?refer=embed">@a3noticias</a> <p>Nuestro <a title="aplausosanitario" target="_blank" href="https://www.tiktok.com/tag/aplausosanitario?refer=embed">#AplausoSanitario</a> más sincero.</p> <a target="_blank" title="♬ Resistiré - Duo Dinamico" href="https://www.tiktok.com/music/Resistiré-250824169968246784?refer=embed">♬ Resistiré - Duo Dinamico</a> </section> </blockquote> <script async src="https://www.tiktok.com/embed.js"></script>)");
  REQUIRE(videos.size() == 1);
  CHECK(videos[0].ref.post_id == "6806030056956251397");
  CHECK(videos[0].ref.author == "a3noticias");
  CHECK(videos[0].ref.url == "https://www.tiktok.com/@a3noticias/video/6806030056956251397");
  CHECK(videos[0].forms == std::vector<std::string>{"blockquote.tiktok-embed"});
  REQUIRE(videos[0].quote);
  CHECK(videos[0].quote->text == "Nuestro #AplausoSanitario más sincero.");
}

TEST_CASE("extract: a stripped TikTok blockquote has the id only", "[extract][video]") {
  const auto videos = Videos(R"(<blockquote class="tiktok-embed" data-video-id="7361091431944965419"><section></section></blockquote>)");
  REQUIRE(videos.size() == 1);
  CHECK(videos[0].ref.post_id == "7361091431944965419");
  CHECK_FALSE(videos[0].ref.author);
  CHECK(videos[0].ref.url == "https://www.tiktok.com/@/video/7361091431944965419");
  CHECK_FALSE(videos[0].quote);
}

TEST_CASE("extract: rendered, player, lazy, noscript and AMP TikTok forms", "[extract][video]") {
  const auto videos = Videos(R"(<html amp><body>
    <iframe src="https://www.tiktok.com/embed/v2/6806030056956251397?lang=en-US"></iframe>
    <blockquote class="tiktok-embed" cite="https://www.tiktok.com/@a3noticias/video/6806030056956251397" data-video-id="6806030056956251397"><section></section></blockquote>
    <iframe data-src="https://www.tiktok.com/player/v1/7361091431944965419?music_info=1"></iframe>
    <noscript><iframe src="https://www.tiktok.com/player/v1/7361091431944965419"></iframe></noscript>
    <amp-tiktok width="325" height="575" data-src="https://www.tiktok.com/@teenvogue/video/292170367534714880"></amp-tiktok>
    <amp-tiktok width="325" height="575" data-src="6718335390845095173"></amp-tiktok>
    </body></html>)");
  REQUIRE(videos.size() == 4);
  CHECK(videos[0].ref.post_id == "6806030056956251397");
  CHECK(videos[0].occurrences == 2);
  CHECK(videos[0].ref.author == "a3noticias");  // the later blockquote names the author the iframe did not
  CHECK(videos[0].ref.url == "https://www.tiktok.com/@a3noticias/video/6806030056956251397");
  CHECK(videos[0].forms == std::vector<std::string>{"iframe[src]", "blockquote.tiktok-embed"});
  CHECK(videos[1].ref.post_id == "7361091431944965419");
  CHECK(videos[1].occurrences == 2);
  CHECK(videos[1].forms == std::vector<std::string>{"iframe[data-src]", "iframe[src]"});
  CHECK(videos[2].ref.post_id == "292170367534714880");
  CHECK(videos[2].ref.author == "teenvogue");
  CHECK(videos[2].forms == std::vector<std::string>{"amp-tiktok[data-src]"});
  CHECK(videos[3].ref.post_id == "6718335390845095173");
}

TEST_CASE("extract: creator embeds, loader scripts and links are not TikTok posts", "[extract][video]") {
  const auto videos = Videos(R"(
    <blockquote class="tiktok-embed" cite="https://www.tiktok.com/@teenvogue" data-unique-id="teenvogue" data-embed-type="creator" style="max-width: 780px; min-width: 288px;"><section><a target="_blank" href="https://www.tiktok.com/@teenvogue?refer=creator_embed">@teenvogue</a></section></blockquote>
    <iframe src="https://www.tiktok.com/embed/@teenvogue"></iframe>
    <script async src="https://www.tiktok.com/embed.js"></script>
    <script>var html = '<blockquote class="tiktok-embed" data-video-id="6806030056956251397"></blockquote>';</script>
    <p><a href="https://www.tiktok.com/@a3noticias/video/6806030056956251397">on TikTok</a></p>
    <i class="ico-tiktok"></i>)");
  CHECK(videos.empty());
}
