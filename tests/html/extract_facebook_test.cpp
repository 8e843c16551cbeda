// Facebook embeds found by html::ExtractEmbeds: the whole corpus against truth.json,
// then one test per markup form (embeds.md §5, §14).
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

constexpr const char* kPlatform = "facebook";

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

TEST_CASE("extract: every corpus page and fragment matches truth.json for facebook", "[extract][facebook]") {
  const auto comparison = embarc::testing::CompareWithTruth(kPlatform);  // the visible corpus has no Facebook posts, only non-post plugins
  INFO(comparison.diffs);
  CHECK(comparison.diffs.empty());
  CHECK(comparison.checked >= 80);
}

TEST_CASE("extract: facebook SDK div.fb-post with its rendered iframe is one occurrence", "[extract][facebook]") {
  const std::string html = R"(<div id="fb-root"></div>
<script async defer crossorigin="anonymous" src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&version=v19.0"></script>
<div class="fb-post fb_iframe_widget" data-href="https://www.facebook.com/unialesznoks/photos/pcb.3485430601537621/3485430308204317" data-width="500" data-show-text="true"><span><iframe src="https://www.facebook.com/v19.0/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Funialesznoks%2Fphotos%2Fpcb.3485430601537621%2F3485430308204317&amp;width=500"></iframe></span>
<blockquote cite="https://www.facebook.com/unialesznoks/posts/3485430601537621" class="fb-xfbml-parse-ignore"><p>Text</p>Posted by <a href="https://www.facebook.com/unialesznoks">Unia Leszno</a></blockquote></div>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "3485430308204317");
  CHECK(posts[0].ref.author == "unialesznoks");
  CHECK(posts[0].ref.url == "https://www.facebook.com/photo.php?fbid=3485430308204317");
  CHECK(posts[0].occurrences == 1);
  CHECK(posts[0].forms == std::vector<std::string>{"div.fb-post"});
}

TEST_CASE("extract: facebook plugin iframe with an encoded photo.php href (owner only as a number)", "[extract][facebook]") {
  const std::string html = R"(<iframe src="https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fphoto.php%3Ffbid%3D10207393772231779%26set%3Da.1332832050135.2039779.1511060888%26type%3D3&amp;width=500" width="500" height="499" style="border:none;overflow:hidden" scrolling="no" frameborder="0" allowTransparency="true"></iframe>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "10207393772231779");
  CHECK_FALSE(posts[0].ref.author);
  CHECK(posts[0].forms == std::vector<std::string>{"iframe[src]"});
}

TEST_CASE("extract: facebook videos, amp-facebook and lazy plugin iframes", "[extract][facebook]") {
  const std::string html = R"(<html amp><body>
<div class="fb-video" data-href="https://www.facebook.com/worlddeskwire/videos/1234567890123456/" data-width="500"></div>
<amp-facebook width="552" height="310" layout="responsive" data-embed-as="video" data-href="https://www.facebook.com/worlddeskwire/videos/1234567890123456/"></amp-facebook>
<amp-facebook width="552" height="310" data-href="https://www.facebook.com/worlddeskwire/posts/pfbid02abcDEF123"></amp-facebook>
<amp-facebook width="552" height="310" data-embed-as="comment" data-href="https://www.facebook.com/worlddeskwire/posts/111?comment_id=222"></amp-facebook>
<iframe src="about:blank" data-cmp-src="https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D998877665544" width="560"></iframe>
<noscript><iframe src="https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D998877665544"></iframe></noscript>
</body></html>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 3);
  CHECK(posts[0].ref.post_id == "1234567890123456");
  CHECK(posts[0].ref.url == "https://www.facebook.com/worlddeskwire/videos/1234567890123456/");
  CHECK(posts[0].occurrences == 2);
  CHECK(std::set<std::string>(posts[0].forms.begin(), posts[0].forms.end()) ==
        std::set<std::string>{"amp-facebook[data-href]", "div.fb-video"});
  CHECK(posts[1].ref.post_id == "pfbid02abcDEF123");
  CHECK(posts[1].ref.url == "https://www.facebook.com/worlddeskwire/posts/pfbid02abcDEF123");
  CHECK(posts[2].ref.post_id == "998877665544");
  CHECK(posts[2].ref.url == "https://www.facebook.com/watch/?v=998877665544");
  CHECK(posts[2].occurrences == 2);
  CHECK(std::set<std::string>(posts[2].forms.begin(), posts[2].forms.end()) ==
        std::set<std::string>{"iframe[data-cmp-src]", "iframe[src]"});
}

TEST_CASE("extract: facebook page, like, comments and share plugins are not posts", "[extract][facebook]") {
  const std::string html = R"(<body>
<div class="fb-page" data-href="https://www.facebook.com/worlddeskwire" data-tabs="timeline"></div>
<div class="fb-like" data-href="https://www.facebook.com/worlddeskwire" data-layout="button_count"></div>
<div class="fb-comments" data-href="https://news.example/a.html" data-numposts="5"></div>
<div class="fb-share-button" data-href="https://news.example/a.html"></div>
<iframe src="//www.facebook.com/plugins/like.php?href=http%3A%2F%2Fwww.facebook.com%2FUPROXX&amp;width=90"></iframe>
<iframe src="https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2Fworlddeskwire&amp;tabs=timeline"></iframe>
<iframe src="https://www.facebook.com/plugins/comment_embed.php?href=https%3A%2F%2Fwww.facebook.com%2Fx%2Fposts%2F1%3Fcomment_id%3D2"></iframe>
<div class="fb-post" data-href="https://www.facebook.com/worlddeskwire"></div>
<p><a href="https://www.facebook.com/worlddeskwire/posts/1092837465019283">a plain link</a></p>
<script>document.write('<div class="fb-post" data-href="https://www.facebook.com/x/posts/123"></div>');</script>
<!-- <div class="fb-post" data-href="https://www.facebook.com/x/posts/456"></div> -->
</body>)";
  CHECK(Posts(html).empty());
}
