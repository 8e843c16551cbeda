// LinkedIn embeds found by html::ExtractEmbeds: one test per markup form (embeds.md
// §11, §14). The corpus has no LinkedIn embed; extract_telegram_test.cpp checks that
// nothing is reported for LinkedIn on any corpus page.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "embarc/html/extract.h"

namespace {

using embarc::html::ExtractEmbeds;
using embarc::platform::ExtractedPost;

std::vector<ExtractedPost> Posts(const std::string& html, const std::string& platform) {
  auto result = ExtractEmbeds(html);
  REQUIRE(result);
  std::vector<ExtractedPost> out;
  for (ExtractedPost& p : *result) {
    if (p.ref.platform == platform) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

TEST_CASE("extract: the linkedin embed iframe, lazy, consent and noscript forms", "[extract][misc][linkedin]") {
  SECTION("the generator's iframe") {
    const auto posts = Posts(R"(<iframe src="https://www.linkedin.com/embed/feed/update/urn:li:share:6550769325224054784" height="600" width="504" frameborder="0" allowfullscreen="" title="Embedded post"></iframe>)",
                             "linkedin");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == "urn:li:share:6550769325224054784");
    CHECK(posts[0].ref.url == "https://www.linkedin.com/feed/update/urn:li:share:6550769325224054784/");
    CHECK_FALSE(posts[0].ref.author);
    CHECK(posts[0].forms == std::vector<std::string>{"iframe[src]"});
  }
  SECTION("ugcPost, collapsed, lazy with a noscript copy") {
    const auto posts = Posts(R"(<iframe loading="lazy" data-lazy-src="https://www.linkedin.com/embed/feed/update/urn:li:ugcPost:7123456789012345678?collapsed=1"></iframe>
      <noscript><iframe src="https://www.linkedin.com/embed/feed/update/urn:li:ugcPost:7123456789012345678?collapsed=1"></iframe></noscript>)",
                             "linkedin");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == "urn:li:ugcPost:7123456789012345678");
    CHECK(posts[0].occurrences == 2);
  }
  SECTION("consent") {
    const auto posts = Posts(R"(<iframe src="about:blank" data-cmp-src="https://www.linkedin.com/embed/feed/update/urn:li:activity:7378805658780930048"></iframe>)",
                             "linkedin");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"iframe[data-cmp-src]"});
  }
  SECTION("not embeds: post page links, share buttons, post pages in iframes, script text") {
    CHECK(Posts(R"(<a href="https://www.linkedin.com/feed/update/urn:li:activity:7378805658780930048/">post</a>
      <a href="https://www.linkedin.com/shareArticle?mini=true&url=https%3A%2F%2Fnews.example">Share</a>
      <iframe src="https://www.linkedin.com/feed/update/urn:li:activity:7378805658780930048/"></iframe>
      <script>var s = '<iframe src="https://www.linkedin.com/embed/feed/update/urn:li:share:1"></iframe>';</script>
      <script src="https://platform.linkedin.com/in.js" type="text/javascript">lang: en_US</script>
      <script type="IN/Share" data-url="https://news.example/a"></script>)",
                "linkedin")
              .empty());
  }
}
