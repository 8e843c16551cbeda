// Threads embeds found by html::ExtractEmbeds: the whole corpus against truth.json,
// then one test per markup form (embeds.md §8, §14).
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

constexpr const char* kPlatform = "threads";

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

TEST_CASE("extract: every corpus page and fragment matches truth.json for threads", "[extract][threads]") {
  const auto comparison = embarc::testing::CompareWithTruth(kPlatform);
  INFO(comparison.diffs);
  CHECK(comparison.diffs.empty());
  CHECK(comparison.checked >= 80);
  CHECK(comparison.with_posts >= 2);
}

TEST_CASE("extract: threads blockquote on threads.net and threads.com gives one canonical post", "[extract][threads]") {
  const std::string html = R"(<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.net/@bbc/post/CuZrQ2osUpi" data-text-post-version="0" id="ig-tp-CuZrQ2osUpi"><a href="https://www.threads.net/@bbc/post/CuZrQ2osUpi" target="_blank"><div>Post by @bbc</div><div>View on Threads</div></a></blockquote>
<script async src="https://www.threads.net/embed.js"></script>
<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.com/@bbc/post/CuZrQ2osUpi?xmt=AQGz" data-text-post-version="0"><a href="https://www.threads.com/@bbc/post/CuZrQ2osUpi">Post by @bbc</a></blockquote>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "CuZrQ2osUpi");
  CHECK(posts[0].ref.author == "bbc");
  CHECK(posts[0].ref.url == "https://www.threads.com/@bbc/post/CuZrQ2osUpi");
  CHECK(posts[0].occurrences == 2);
  CHECK_FALSE(posts[0].quote);  // the markup carries no post text
}

TEST_CASE("extract: threads blockquote without permalink attribute falls back to its link", "[extract][threads]") {
  const auto posts = Posts(
      R"(<blockquote class="text-post-media"><a href="https://www.threads.com/t/CuZrQ2osUpi">Post by @bbc</a></blockquote>)");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "CuZrQ2osUpi");
  CHECK(posts[0].ref.author == "bbc");
}

TEST_CASE("extract: threads embed iframes, lazy and noscript", "[extract][threads]") {
  const std::string html = R"(<body>
<iframe class="text-post-media-rendered" src="https://www.threads.com/@worlddeskwire/post/DBc4Hq1tY9e/embed?embed_host=news.example"></iframe>
<iframe src="about:blank" data-cmp-src="https://www.threads.net/@worlddeskwire/post/DBc4Hq1tY9e/embed"></iframe>
<noscript><iframe src="https://www.threads.net/@worlddeskwire/post/DBc4Hq1tY9e/embed"></iframe></noscript>
<iframe src="https://www.threads.com/@worlddeskwire"></iframe>
<iframe src="https://www.threads.com/@worlddeskwire/post/DBc4Hq1tY9e"></iframe>
</body>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "DBc4Hq1tY9e");
  CHECK(posts[0].ref.author == "worlddeskwire");
  CHECK(posts[0].occurrences == 3);
  CHECK(std::set<std::string>(posts[0].forms.begin(), posts[0].forms.end()) ==
        std::set<std::string>{"iframe[data-cmp-src]", "iframe[src]"});
}

TEST_CASE("extract: threads markup in scripts and comments, and plain links, are not embeds", "[extract][threads]") {
  const std::string html = R"(<body>
<script>var t = '<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.com/@bbc/post/CuZrQ2osUpi"></blockquote>';</script>
<!-- <blockquote class="text-post-media" data-text-post-permalink="https://www.threads.com/@bbc/post/CuZrQ2osUpi"></blockquote> -->
<p><a href="https://www.threads.com/@bbc/post/CuZrQ2osUpi">a plain link</a> and <a href="https://www.threads.com/@bbc">a profile</a></p>
<script async src="https://www.threads.com/embed.js"></script>
</body>)";
  CHECK(Posts(html).empty());
}
