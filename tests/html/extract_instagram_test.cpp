// Instagram embeds found by html::ExtractEmbeds: the whole corpus against truth.json,
// then one test per markup form (embeds.md §2, §14, §15).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/html/extract.h"
#include "html/corpus_truth.h"
#include "support/support.h"

namespace {

using embarc::html::ExtractEmbeds;
using embarc::platform::ExtractedPost;

constexpr const char* kPlatform = "instagram";

std::vector<ExtractedPost> Posts(const std::string& html, const std::string& base_url = {}) {
  auto result = ExtractEmbeds(html, base_url);
  REQUIRE(result);
  std::vector<ExtractedPost> out;
  for (ExtractedPost& p : *result) {
    if (p.ref.platform == kPlatform) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

TEST_CASE("extract: every corpus page and fragment matches truth.json for instagram", "[extract][instagram]") {
  const auto comparison = embarc::testing::CompareWithTruth(kPlatform);
  INFO(comparison.diffs);
  CHECK(comparison.diffs.empty());
  CHECK(comparison.checked >= 80);
  CHECK(comparison.with_posts >= 6);
}

TEST_CASE("extract: instagram v14 blockquote with permalink and localised attribution", "[extract][instagram]") {
  const std::string html = R"(<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-permalink="https://www.instagram.com/p/CU-W6L2IdxU/?utm_source=ig_embed&amp;utm_campaign=loading" data-instgrm-version="14">
 <div> <a href="https://www.instagram.com/p/CU-W6L2IdxU/?utm_source=ig_embed&amp;utm_campaign=loading" target="_blank">Sieh dir diesen Beitrag auf Instagram an</a>
  <p><a href="https://www.instagram.com/p/CU-W6L2IdxU/?utm_source=ig_embed&amp;utm_campaign=loading" target="_blank">Ein Beitrag geteilt von Benjamin N&auml;&szlig;ler (he/him) (@3ensta)</a></p></div>
</blockquote>
<script async src="//www.instagram.com/embed.js"></script>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "CU-W6L2IdxU");
  CHECK(posts[0].ref.author == "3ensta");
  CHECK(posts[0].ref.url == "https://www.instagram.com/p/CU-W6L2IdxU/");
  CHECK(posts[0].forms == std::vector<std::string>{"blockquote.instagram-media"});
  CHECK_FALSE(posts[0].quote);  // no caption printed
}

TEST_CASE("extract: instagram v7 blockquote without permalink gives caption, name and date", "[extract][instagram]") {
  const std::string html = R"(<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-version="7"><div><div><div></div></div>
<p><a href="https://www.instagram.com/p/BNpLF8LD0GD/" target="_blank">At 30 Rockefeller center my charity the @btwfoundation also offers a place.</a></p>
<p>A post shared by xoxo, Gaga (@ladygaga) on <time datetime="2016-12-05T17:10:10+00:00">Dec 5, 2016 at 9:10am PST</time></p>
</div></blockquote>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "BNpLF8LD0GD");
  CHECK(posts[0].ref.author == "ladygaga");
  REQUIRE(posts[0].quote);
  CHECK(posts[0].quote->text == "At 30 Rockefeller center my charity the @btwfoundation also offers a place.");
  CHECK(posts[0].quote->author_name == "xoxo, Gaga");
  CHECK(posts[0].quote->date == "2016-12-05T17:10:10+00:00");
}

TEST_CASE("extract: instagram handle from the profile link when no (@handle) is printed", "[extract][instagram]") {
  const std::string html = R"(<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/B_fawQoFahE/"><div>
<p><a href="https://www.instagram.com/p/B_fawQoFahE/">Caption here</a></p>
<p>A post shared by <a href="https://www.instagram.com/zashay.tastas/?utm_source=ig_embed">zashay tastas</a> on Apr 27, 2020</p></div></blockquote>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.author == "zashay.tastas");
  REQUIRE(posts[0].quote);
  // Known gap (issue 3 stays open): the quote text of this v7 shape includes the attribution line.
}

TEST_CASE("extract: instagram blockquote stripped to its attributes (no author)", "[extract][instagram]") {
  const auto posts = Posts(
      R"(<p>Intro</p><blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/CkT2fRvsq0K/?utm_source=ig_embed&amp;utm_campaign=loading" data-instgrm-version="14"></blockquote>)");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "CkT2fRvsq0K");
  CHECK_FALSE(posts[0].ref.author);
}

TEST_CASE("extract: an unclosed instagram blockquote ends at embed.js", "[extract][instagram]") {
  const std::string html = R"(<div><blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/AAAAAAAAAAA/"><p>A post shared by X (@first)</p>
<script async src="//www.instagram.com/embed.js"></script>
<p>Article text (@notahandle) continues.</p>
<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/BBBBBBBBBBB/"><p>A post shared by Y (@second)</p></blockquote></div>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].ref.post_id == "AAAAAAAAAAA");
  CHECK(posts[0].ref.author == "first");
  CHECK(posts[1].ref.post_id == "BBBBBBBBBBB");
  CHECK(posts[1].ref.author == "second");
}

TEST_CASE("extract: amp-instagram components", "[extract][instagram]") {
  const std::string html = R"(<html amp><body>
<amp-instagram data-shortcode="B1mHd6sHGXK" data-captioned width="400" height="400" layout="responsive"></amp-instagram>
<amp-instagram data-shortcode="B1mHd6sHGXK" width="1" height="1"></amp-instagram>
<amp-instagram data-shortcode="bad" width="1" height="1"></amp-instagram>
</body></html>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "B1mHd6sHGXK");
  CHECK(posts[0].occurrences == 2);
  CHECK_FALSE(posts[0].ref.author);
  CHECK(posts[0].forms == std::vector<std::string>{"amp-instagram[data-shortcode]"});
}

TEST_CASE("extract: rendered instagram iframes", "[extract][instagram]") {
  const std::string html = R"(<iframe class="instagram-media instagram-media-rendered" id="instagram-embed-0" src="https://www.instagram.com/p/CODEabc1234/embed/captioned/?cr=1&amp;v=14&amp;wp=540" allowtransparency="true" frameborder="0" data-instgrm-payload-id="instagram-media-payload-0" scrolling="no"></iframe>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "CODEabc1234");
  CHECK(posts[0].forms == std::vector<std::string>{"iframe[src]"});
}

TEST_CASE("extract: lazy, consent and noscript copies of an instagram embed iframe", "[extract][instagram]") {
  const std::string html = R"(<body>
<iframe src="about:blank" data-cmp-src="https://www.instagram.com/p/LAZYcode123/embed/" width="400"></iframe>
<iframe class="lazyload" data-src="https://www.instagram.com/p/LAZYcode123/embed/captioned" width="400"></iframe>
<iframe data-lazy-src="//www.instagram.com/reel/REELcode123/embed/"></iframe>
<div class="embed-placeholder" data-original="https://www.instagram.com/tv/TVcode12345/embed"></div>
<noscript><iframe src="https://www.instagram.com/p/LAZYcode123/embed/"></iframe></noscript>
</body>)";
  const auto posts = Posts(html, "https://news.example/a.html");
  REQUIRE(posts.size() == 3);
  CHECK(posts[0].ref.post_id == "LAZYcode123");
  CHECK(posts[0].occurrences == 3);
  CHECK(std::set<std::string>(posts[0].forms.begin(), posts[0].forms.end()) ==
        std::set<std::string>{"iframe[data-cmp-src]", "iframe[data-src]", "iframe[src]"});
  CHECK(posts[1].ref.post_id == "REELcode123");
  CHECK(posts[1].ref.url == "https://www.instagram.com/reel/REELcode123/");
  CHECK(posts[2].ref.post_id == "TVcode12345");
  CHECK(posts[2].forms == std::vector<std::string>{"div[data-original]"});
}

TEST_CASE("extract: instagram markup in scripts, templates, comments and CSS, and plain links, are not embeds", "[extract][instagram]") {
  const std::string html = R"(<head><style>.instagram-media { max-width: 540px; }</style></head><body>
<script>var s = '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/SCRIPTcode1/"></blockquote>';</script>
<template><blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/TEMPLcode12/"></blockquote></template>
<!-- <blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/COMMENTcode/"></blockquote> -->
<p>See <a href="https://www.instagram.com/p/LINKcode123/">this post</a> and <a href="https://www.instagram.com/someone/">profile</a>.</p>
<iframe src="https://www.instagram.com/someone/embed/"></iframe>
<iframe src="https://www.instagram.com/p/NOTembed123/"></iframe>
<script async src="//www.instagram.com/embed.js"></script>
</body>)";
  CHECK(Posts(html).empty());
}
