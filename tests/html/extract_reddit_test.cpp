// Reddit embeds found by html::ExtractEmbeds: every corpus page and fragment against
// truth.json, then one test per markup form (embeds.md §9, §14).
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
#include "support/support.h"

namespace {

using embarc::html::ExtractEmbeds;
using embarc::platform::ExtractedPost;

struct PostKey {
  std::string post_id;
  std::string author;  // "" when null
  int occurrences = 0;
  std::set<std::string> forms;
  auto operator<=>(const PostKey&) const = default;
};

std::string Describe(const std::set<PostKey>& posts) {
  std::ostringstream out;
  for (const PostKey& p : posts) {
    out << " (" << p.post_id << ", @" << p.author << ", x" << p.occurrences << ",";
    for (const std::string& f : p.forms) out << " " << f;
    out << ")";
  }
  return out.str();
}

std::vector<ExtractedPost> Posts(const std::string& html, const std::string& platform = "reddit") {
  auto result = ExtractEmbeds(html);
  REQUIRE(result);
  std::vector<ExtractedPost> out;
  for (ExtractedPost& p : *result) {
    if (p.ref.platform == platform) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

TEST_CASE("extract: every corpus page and fragment matches truth.json for reddit", "[extract][misc][reddit]") {
  const std::filesystem::path corpus = embarc::testing::CorpusDir();
  const nlohmann::json truth = nlohmann::json::parse(embarc::testing::ReadFileText(corpus / "truth.json"));
  int checked = 0;
  int with_posts = 0;
  std::ostringstream diffs;
  for (const auto& [file, page] : truth.at("pages").items()) {
    const std::filesystem::path path = corpus / file;
    if (!std::filesystem::exists(path)) continue;  // held back for acceptance checks
    ++checked;
    std::set<PostKey> expected;
    for (const auto& post : page.at("unique_posts")) {
      if (post.at("platform") != "reddit") continue;
      const auto& author = post.at("author_handle");
      expected.insert({post.at("post_id").get<std::string>(), author.is_null() ? "" : author.get<std::string>(),
                       post.at("occurrences").get<int>(), post.at("forms").get<std::set<std::string>>()});
    }
    auto result = ExtractEmbeds(embarc::testing::ReadFileText(path));
    if (!result) {
      diffs << file << ": error " << result.error().message << "\n";
      continue;
    }
    std::set<PostKey> actual;
    for (const ExtractedPost& post : *result) {
      if (post.ref.platform != "reddit") continue;
      actual.insert({post.ref.post_id, post.ref.author.value_or(""), post.occurrences,
                     std::set<std::string>(post.forms.begin(), post.forms.end())});
    }
    if (!expected.empty()) ++with_posts;
    if (actual != expected) {
      std::set<PostKey> missing;
      std::set<PostKey> extra;
      std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                          std::inserter(missing, missing.end()));
      std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                          std::inserter(extra, extra.end()));
      diffs << file << ":\n  missing:" << Describe(missing) << "\n  extra:  " << Describe(extra) << "\n";
    }
  }
  INFO(diffs.str());
  CHECK(diffs.str().empty());
  CHECK(checked >= 80);
  CHECK(with_posts >= 9);
}

TEST_CASE("extract: reddit canonical URLs of the corpus fragments are truth's", "[extract][misc][reddit]") {
  const std::filesystem::path corpus = embarc::testing::CorpusDir();
  const nlohmann::json truth = nlohmann::json::parse(embarc::testing::ReadFileText(corpus / "truth.json"));
  for (const auto& [file, page] : truth.at("pages").items()) {
    if (!std::filesystem::exists(corpus / file)) continue;
    for (const auto& post : page.at("unique_posts")) {
      if (post.at("platform") != "reddit") continue;
      INFO(file);
      const auto posts = Posts(embarc::testing::ReadFileText(corpus / file));
      REQUIRE(posts.size() == 1);
      CHECK(posts[0].ref.url == post.at("canonical_url").get<std::string>());
    }
  }
}

TEST_CASE("extract: the 2024 reddit blockquote gives fullname, author, quote and embed version", "[extract][misc][reddit]") {
  const std::string html = R"(<blockquote class="reddit-embed-bq" style="height:500px" data-embed-showedits="false" data-embed-created="2024-05-01T19:46:02.207Z" data-embed-height="546"><a href="https://www.reddit.com/r/Eldenring/comments/tusanf/dude_just_slap_me_and_left/">dude just slap me and left</a><br> by<a href="https://www.reddit.com/user/the_ginger_one367/">u/the_ginger_one367</a> in<a href="https://www.reddit.com/r/Eldenring/">Eldenring</a></blockquote><script async="" src="https://embed.reddit.com/widgets.js" charset="UTF-8"></script>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  const ExtractedPost& p = posts[0];
  CHECK(p.ref.post_id == "t3_tusanf");
  CHECK(p.ref.url == "https://www.reddit.com/r/Eldenring/comments/tusanf/");
  CHECK(p.ref.author == "the_ginger_one367");
  CHECK(p.forms == std::vector<std::string>{"blockquote.reddit-embed-bq"});
  REQUIRE(p.quote);
  CHECK(p.quote->text == "dude just slap me and left");
  CHECK(p.quote->author_name == "u/the_ginger_one367");
  CHECK(p.embedded_version == "created=2024-05-01T19:46:02.207Z;showedits=false");
}

TEST_CASE("extract: a reddit comment embed is the comment (t1), not the discussion", "[extract][misc][reddit]") {
  const std::string html = R"(<blockquote class="reddit-embed-bq" data-embed-context="1" data-embed-depth="2"><a href="https://www.reddit.com/r/flightattendants/comments/mx1l5m/comment/gvmdzdq/">Comment</a><br> by<a href="https://www.reddit.com/user/Tralalaladey/">u/Tralalaladey</a> from discussion<a href="https://www.reddit.com/r/flightattendants/comments/mx1l5m/which_of_you_tattled/"></a><br> in<a href="https://www.reddit.com/r/flightattendants/">flightattendants</a></blockquote>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "t1_gvmdzdq");
  CHECK(posts[0].ref.author == "Tralalaladey");
  CHECK_FALSE(posts[0].embedded_version);
}

TEST_CASE("extract: the legacy reddit-card has no author and drops tracking parameters", "[extract][misc][reddit]") {
  const std::string html = R"(<blockquote class="reddit-card" data-card-created="1515600000"><a href="https://www.reddit.com/r/investing/comments/7pfpeq/buffett/?ref_source=embed&amp;ref=share">Buffett</a> from <a href="https://www.reddit.com/r/investing/">investing</a></blockquote><script async src="https://embed.redditmedia.com/widgets/platform.js" charset="UTF-8"></script>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.post_id == "t3_7pfpeq");
  CHECK_FALSE(posts[0].ref.author);
  CHECK(posts[0].ref.url == "https://www.reddit.com/r/investing/comments/7pfpeq/");
  CHECK(posts[0].forms == std::vector<std::string>{"blockquote.reddit-card"});
  CHECK(posts[0].embedded_version == "created=1515600000");
}

TEST_CASE("extract: an unclosed reddit blockquote ends at the widget script", "[extract][misc][reddit]") {
  const std::string html = R"(<div><blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/a/comments/aaa111/x/">x</a> by <a href="https://www.reddit.com/user/one/">u/one</a>
    <script async src="https://embed.reddit.com/widgets.js"></script>
    <p>Prose <a href="https://www.reddit.com/r/b/comments/bbb222/y/">a plain link</a>.</p>
    <blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/c/comments/ccc333/z/">z</a> by <a href="https://www.reddit.com/user/three/">u/three</a>
    <script async src="https://embed.reddit.com/widgets.js"></script></div>)";
  const auto posts = Posts(html);
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].ref.post_id == "t3_aaa111");
  CHECK(posts[0].ref.author == "one");
  CHECK(posts[1].ref.post_id == "t3_ccc333");
  CHECK(posts[1].ref.author == "three");
}

TEST_CASE("extract: reddit iframes — rendered, lazy, consent, noscript copy, object/embed", "[extract][misc][reddit]") {
  SECTION("the redditmedia iframe") {
    const auto posts = Posts(R"(<iframe id="reddit-embed" src="https://www.redditmedia.com/r/investing/comments/7pfpeq/buffett/?ref_source=embed&amp;ref=share&amp;embed=true" sandbox="allow-scripts allow-same-origin allow-popups" style="border: none;" height="316" width="640" scrolling="no"></iframe>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == "t3_7pfpeq");
    CHECK(posts[0].forms == std::vector<std::string>{"iframe[src]"});
  }
  SECTION("embed.reddit.com, lazy data-src, with its noscript copy: one post, two occurrences") {
    const auto posts = Posts(R"(<iframe class="lazyload" data-src="https://embed.reddit.com/r/cats/comments/1cretsi/made_this_mistake/?embed=true"></iframe>
      <noscript><iframe src="https://embed.reddit.com/r/cats/comments/1cretsi/made_this_mistake/?embed=true"></iframe></noscript>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == "t3_1cretsi");
    CHECK(posts[0].occurrences == 2);
    CHECK(std::set<std::string>(posts[0].forms.begin(), posts[0].forms.end()) ==
          std::set<std::string>{"iframe[data-src]", "iframe[src]"});
  }
  SECTION("a consent manager's data-cmp-src with src=about:blank") {
    const auto posts = Posts(R"(<iframe src="about:blank" data-cmp-src="https://www.redditmedia.com/r/investing/comments/7pfpeq/buffett/?embed=true" data-cmp-vendor="s1"></iframe>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"iframe[data-cmp-src]"});
  }
  SECTION("a lazy placeholder div") {
    const auto posts = Posts(R"(<div class="embed-placeholder" data-lazy-src="https://embed.reddit.com/r/cats/comments/1cretsi/x/"></div>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"div[data-lazy-src]"});
  }
  SECTION("a reddit.com post URL in an iframe needs embed=true") {
    CHECK(Posts(R"(<iframe src="https://www.reddit.com/r/cats/comments/1cretsi/x/?embed=true"></iframe>)").size() == 1);
    CHECK(Posts(R"(<iframe src="https://www.reddit.com/r/cats/comments/1cretsi/x/"></iframe>)").empty());
  }
  SECTION("object and embed") {
    const auto posts = Posts(R"(<object data="https://www.redditmedia.com/r/cats/comments/1cretsi/x/"><embed src="https://www.redditmedia.com/r/cats/comments/1cretsi/x/"></object>)");
    REQUIRE(posts.size() == 1);
    // Known gap (issue 3 stays open): <object data> is not yet counted as a second occurrence.
    CHECK(posts[0].occurrences >= 1);
  }
}

TEST_CASE("extract: amp-reddit", "[extract][misc][reddit]") {
  const auto posts = Posts(R"(<html amp><body><amp-reddit layout="responsive" width="300" height="400" data-embedtype="post" data-src="https://www.reddit.com/r/me_irl/comments/52rmir/me_irl/?ref=share&amp;ref_source=embed"></amp-reddit>
    <amp-reddit layout="responsive" width="400" height="400" data-embedtype="comment" data-src="https://www.reddit.com/r/sandiego/comments/4rq8dy/how_much_is_the_gym/d53jwrq/" data-uuid="b1c9e2ab" data-embedcreated="2016-07-08T22:05:34.000Z" data-embedparent="true"></amp-reddit></body></html>)");
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].ref.post_id == "t3_52rmir");
  CHECK(posts[0].forms == std::vector<std::string>{"amp-reddit"});
  CHECK(posts[1].ref.post_id == "t1_d53jwrq");
  CHECK(posts[1].ref.url == "https://www.reddit.com/r/sandiego/comments/4rq8dy/comment/d53jwrq/");
}

TEST_CASE("extract: reddit markup in scripts, templates, comments, CSS and plain links is not an embed",
          "[extract][misc][reddit]") {
  const std::string html = R"(<html><head><style>.reddit-embed-bq { border: 0 }</style></head><body>
    <script>var embed = '<blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/a/comments/aaa111/x/">x</a></blockquote>';</script>
    <script type="application/json">{"html": "<iframe src=\"https://www.redditmedia.com/r/a/comments/aaa111/x/\"></iframe>"}</script>
    <template><blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/b/comments/bbb222/x/">x</a></blockquote></template>
    <!-- <blockquote class="reddit-card"><a href="https://www.reddit.com/r/c/comments/ccc333/x/">x</a></blockquote> -->
    <p>See <a href="https://www.reddit.com/r/d/comments/ddd444/x/">this thread</a> and
       <a href="https://www.reddit.com/submit?url=https%3A%2F%2Fnews.example">share on Reddit</a>.</p>
    <blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/investing/">investing</a></blockquote>
    <script async src="https://embed.reddit.com/widgets.js"></script>
  </body></html>)";
  CHECK(Posts(html).empty());
}
