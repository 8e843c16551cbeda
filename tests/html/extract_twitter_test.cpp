// Twitter/X embeds found by html::ExtractEmbeds: the whole corpus against
// truth.json, then one test per tricky form (embeds.md §1, §14, §15).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

#include <nlohmann/json.hpp>

#include "embarc/html/extract.h"
#include "html/dom.h"
#include "support/support.h"

namespace {

using embarc::ErrorCode;
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

std::vector<ExtractedPost> Extract(const std::string& html) {
  auto result = ExtractEmbeds(html);
  REQUIRE(result);
  return *result;
}

std::vector<ExtractedPost> Tweets(const std::string& html) {
  std::vector<ExtractedPost> out;
  for (ExtractedPost& p : Extract(html)) {
    if (p.ref.platform == "twitter") out.push_back(std::move(p));
  }
  return out;
}

// Files where truth.json is believed wrong, with the argument. Empty: none found.
const std::map<std::string, std::string> kTruthExceptions = {};

}  // namespace

TEST_CASE("extract: every corpus page and fragment matches truth.json for twitter", "[extract]") {
  const std::filesystem::path corpus = embarc::testing::CorpusDir();
  const nlohmann::json truth = nlohmann::json::parse(embarc::testing::ReadFileText(corpus / "truth.json"));
  int checked = 0;
  int with_tweets = 0;
  std::ostringstream diffs;
  for (const auto& [file, page] : truth.at("pages").items()) {
    const std::filesystem::path path = corpus / file;
    if (!std::filesystem::exists(path)) continue;  // held back for acceptance checks
    if (kTruthExceptions.count(file) != 0) continue;
    ++checked;
    std::set<PostKey> expected;
    for (const auto& post : page.at("unique_posts")) {
      if (post.at("platform") != "twitter") continue;
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
      if (post.ref.platform != "twitter") continue;
      actual.insert({post.ref.post_id, post.ref.author.value_or(""), post.occurrences,
                     std::set<std::string>(post.forms.begin(), post.forms.end())});
    }
    if (!expected.empty()) ++with_tweets;
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
  CHECK(with_tweets >= 35);
}

TEST_CASE("extract: the oEmbed blockquote gives id, author and quote", "[extract]") {
  const std::string html =
      R"(<blockquote class="twitter-tweet"><p lang="es" dir="ltr">RT <a href="https://twitter.com/PabloHerreros?ref_src=twsrc%5Etfw">@PabloHerreros</a> Pepephone rompe la baraja - <a href="http://t.co/mFn7mcB1vy">http://t.co/mFn7mcB1vy</a></p>&mdash; Pepephone (@pepephone) <a href="https://twitter.com/pepephone/status/436461658601713664?ref_src=twsrc%5Etfw">February 20, 2014</a></blockquote>
<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 1);
  const ExtractedPost& t = tweets[0];
  CHECK(t.ref.post_id == "436461658601713664");
  CHECK(t.ref.author == "pepephone");
  CHECK(t.ref.url == "https://twitter.com/pepephone/status/436461658601713664");
  CHECK(t.occurrences == 1);
  CHECK(t.forms == std::vector<std::string>{"blockquote.twitter-tweet"});
  REQUIRE(t.quote);
  CHECK(t.quote->text == "RT @PabloHerreros Pepephone rompe la baraja - http://t.co/mFn7mcB1vy");
  CHECK(t.quote->author_name == "Pepephone");
  CHECK(t.quote->date == "February 20, 2014");
}

TEST_CASE("extract: the post is the LAST status link, a quoted tweet link in the text is not it", "[extract]") {
  const std::string html =
      R"(<blockquote class="twitter-tweet"><p>look <a href="https://twitter.com/other/status/111">pic.twitter.com/abc</a></p>
      &mdash; Real Name (@real) <a href="https://twitter.com/real/status/222">May 1, 2020</a></blockquote>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 1);
  CHECK(tweets[0].ref.post_id == "222");
  CHECK(tweets[0].ref.author == "real");
  REQUIRE(tweets[0].quote);
  CHECK(tweets[0].quote->text == "look pic.twitter.com/abc");
  CHECK(tweets[0].quote->author_name == "Real Name");
}

TEST_CASE("extract: unclosed blockquotes end at widgets.js or at the next tweet blockquote", "[extract]") {
  SECTION("closed by the widgets.js script") {
    const std::string html =
        R"(<div><blockquote class="twitter-tweet"><p>one</p>&mdash; A (@aaa) <a href="https://twitter.com/aaa/status/1001">d1</a>
        <script async src="//platform.twitter.com/widgets.js"></script>
        <p>Prose with a link <a href="https://twitter.com/zzz/status/9999">to another tweet</a>.</p>
        <blockquote class="twitter-tweet"><p>two</p>&mdash; B (@bbb) <a href="https://twitter.com/bbb/status/1002">d2</a>
        <script async src="//platform.twitter.com/widgets.js"></script><p>end</p></div>)";
    const auto tweets = Tweets(html);
    REQUIRE(tweets.size() == 2);
    CHECK(tweets[0].ref.post_id == "1001");
    CHECK(tweets[0].ref.author == "aaa");
    CHECK(tweets[1].ref.post_id == "1002");
    CHECK(tweets[1].ref.author == "bbb");
  }
  SECTION("closed by the next tweet blockquote (no script)") {
    const std::string html =
        R"(<blockquote class="twitter-tweet"><p>one</p>&mdash; A (@aaa) <a href="https://twitter.com/aaa/status/1001">d1</a>
        <blockquote class="twitter-tweet"><p>two</p>&mdash; B (@bbb) <a href="https://twitter.com/bbb/status/1002">d2</a>)";
    const auto tweets = Tweets(html);
    REQUIRE(tweets.size() == 2);
    CHECK(tweets[0].ref.post_id == "1001");
    CHECK(tweets[1].ref.post_id == "1002");
  }
}

TEST_CASE("extract: an unclosed embed blockquote ends at the next embed code of any platform", "[extract]") {
  // (platform, post_id, author or "-") of every post, in page order.
  const auto posts = [](const std::string& html) {
    std::vector<std::string> out;
    for (const ExtractedPost& p : Extract(html)) {
      out.push_back(p.ref.platform + " " + p.ref.post_id + " " + p.ref.author.value_or("-"));
    }
    return out;
  };
  const std::string tweet =
      R"(<blockquote class="twitter-tweet"><p>One</p>&mdash; Jane (@jane) <a href="https://twitter.com/jane/status/1234567890123456789">May 1</a>)";
  const std::string jane = "twitter 1234567890123456789 jane";
  SECTION("a tweet, then a YouTube iframe") {
    CHECK(posts(tweet + R"(<p>Video:</p><iframe src="https://www.youtube.com/embed/eiHXASgRTcA"></iframe>)") ==
          std::vector<std::string>{jane, "youtube eiHXASgRTcA -"});
  }
  SECTION("a tweet, then a Bluesky blockquote") {
    CHECK(posts(tweet + R"(<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:xrr5j2okn7ew2zvcwsxus3gb/app.bsky.feed.post/3kshwuxmy5o2y"><p>Hi</p></blockquote>)") ==
          std::vector<std::string>{jane, "bluesky at://did:plc:xrr5j2okn7ew2zvcwsxus3gb/app.bsky.feed.post/3kshwuxmy5o2y -"});
  }
  SECTION("an Instagram blockquote, then a tweet: the tweet's (@jane) is not the Instagram author") {
    CHECK(posts(R"(<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/CU-W6L2IdxU/"><p>)"
                R"(<a href="https://www.instagram.com/p/CU-W6L2IdxU/">A post shared by Ben (@ben)</a></p>)" + tweet) ==
          std::vector<std::string>{"instagram CU-W6L2IdxU ben", jane});
  }
  SECTION("a TikTok blockquote, then a tweet") {
    CHECK(posts(R"(<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@scout/video/6806030056956251397" data-video-id="6806030056956251397"><section>x</section>)" +
                tweet) == std::vector<std::string>{"tiktok 6806030056956251397 scout", jane});
  }
  SECTION("a Reddit blockquote, then a tweet") {
    CHECK(posts(R"(<blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/investing/comments/7pfpeq/x/">Post</a> by <a href="https://www.reddit.com/user/dennisrieves/">u/dennisrieves</a>)" +
                tweet) == std::vector<std::string>{"reddit t3_7pfpeq dennisrieves", jane});
  }
  SECTION("inside a wrapper whose end tag closes the blockquote") {
    // The parser closes the blockquote at </div> or </article>: that is not its own end tag.
    const std::string video = R"(<p>Video:</p><iframe src="https://www.youtube.com/embed/eiHXASgRTcA"></iframe>)";
    const std::vector<std::string> both{jane, "youtube eiHXASgRTcA -"};
    CHECK(posts("<div class=entry>" + tweet + video + "</div>") == both);
    CHECK(posts("<article>" + tweet + video + "</article><p>after</p>") == both);
    CHECK(posts("<table><tr><td>" + tweet + video + "</td></tr></table>") == both);
    CHECK(posts("<section><div>" + tweet + video + "</DIV ></section>") == both);
    CHECK(posts(R"(<article><blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/CU-W6L2IdxU/"><p>)"
                R"(<a href="https://www.instagram.com/p/CU-W6L2IdxU/">A post shared by Ben (@ben)</a></p>)" + tweet + "</article>") ==
          std::vector<std::string>{"instagram CU-W6L2IdxU ben", jane});
  }
  SECTION("a Bluesky blockquote, then a tweet: a Bluesky profile link in the tweet is not the Bluesky author") {
    CHECK(posts(R"(<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:xrr5j2okn7ew2zvcwsxus3gb/app.bsky.feed.post/3kshwuxmy5o2y"><p>Hi</p>)"
                R"(<blockquote class="twitter-tweet"><p>One <a href="https://bsky.app/profile/evil.example">@evil.example</a></p>)"
                R"(&mdash; Jane (@jane) <a href="https://twitter.com/jane/status/1234567890123456789">May 1</a></blockquote>)") ==
          std::vector<std::string>{"bluesky at://did:plc:xrr5j2okn7ew2zvcwsxus3gb/app.bsky.feed.post/3kshwuxmy5o2y -", jane});
  }
}

TEST_CASE("extract: a closed embed blockquote keeps the player rendered inside it", "[extract]") {
  // TikTok's embed.js puts its player iframe inside the blockquote: one embed, not two.
  const std::vector<ExtractedPost> posts = Extract(
      R"(<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@scout/video/6806030056956251397" data-video-id="6806030056956251397">)"
      R"(<iframe src="https://www.tiktok.com/embed/v2/6806030056956251397?lang=en"></iframe><section><p>caption</p></section></blockquote>)"
      R"(<p>After.</p><iframe src="https://www.youtube.com/embed/eiHXASgRTcA"></iframe>)");
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].ref.post_id == "6806030056956251397");
  CHECK(posts[0].occurrences == 1);
  REQUIRE(posts[0].quote);
  CHECK(posts[0].quote->text == "caption");
  CHECK(posts[1].ref.post_id == "eiHXASgRTcA");
}

TEST_CASE("extract: a prose link to a tweet is not an embed, timelines are not posts", "[extract]") {
  const std::string html =
      R"(<p>As <a href="https://twitter.com/someone/status/123456?ref_src=twsrc%5Etfw">she tweeted</a>, ...</p>
      <a class="twitter-timeline" href="https://twitter.com/someone?ref_src=twsrc%5Etfw">Tweets by someone</a>)";
  CHECK(Tweets(html).empty());
}

TEST_CASE("extract: x.com, mobile and hashbang links inside blockquotes", "[extract]") {
  const std::string html =
      R"(<blockquote class="twitter-tweet"><p>a</p>&mdash; A (@aaa) <a href="https://x.com/aaa/status/11?s=20&amp;t=abc">d</a></blockquote>
      <blockquote class="twitter-tweet"><p>b</p>&mdash; B (@bbb) <a href="https://twitter.com/#!/bbb/status/22">d</a></blockquote>
      <blockquote class="twitter-video"><p>c</p>&mdash; C (@ccc) <a href="https://mobile.twitter.com/ccc/statuses/33/video/1">d</a></blockquote>
      <blockquote class="twitter-tweet"><p>d</p>&mdash; D (@ddd) <a href="https://twitter.com/i/web/status/44">d</a></blockquote>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 4);
  CHECK(tweets[0].ref.url == "https://twitter.com/aaa/status/11");
  CHECK(tweets[1].ref.url == "https://twitter.com/bbb/status/22");
  CHECK(tweets[2].ref.url == "https://twitter.com/ccc/status/33");
  CHECK(tweets[2].forms == std::vector<std::string>{"blockquote.twitter-video"});
  // No handle in the link: the attribution "(@ddd)" names the author.
  CHECK(tweets[3].ref.post_id == "44");
  CHECK(tweets[3].ref.author == "ddd");
  CHECK(tweets[3].ref.url == "https://twitter.com/ddd/status/44");
}

TEST_CASE("extract: cite and data-tweet-id are fallbacks for a blockquote without a status link", "[extract]") {
  const std::string html =
      R"(<blockquote class="twitter-tweet" cite="https://twitter.com/citer/status/555"><p>x</p></blockquote>
      <blockquote class="twitter-tweet" data-tweet-id="666"><p>y</p>&mdash; Y (@why)</blockquote>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 2);
  CHECK(tweets[0].ref.post_id == "555");
  CHECK(tweets[0].ref.author == "citer");
  CHECK(tweets[1].ref.post_id == "666");
  CHECK(tweets[1].ref.author == "why");
}

TEST_CASE("extract: rendered widgets give the id but no author (creatorScreenName is the publisher)", "[extract]") {
  const std::string html =
      R"(<div class="twitter-tweet twitter-tweet-rendered"><iframe id="twitter-widget-0" src="https://platform.twitter.com/embed/Tweet.html?creatorScreenName=katiejmbaker&amp;dnt=false&amp;embedId=twitter-widget-0&amp;id=790936002017755136&amp;siteScreenName=buzzfeednews" data-tweet-id="790936002017755136"></iframe></div>
      <iframe class="twitter-tweet twitter-tweet-rendered" data-tweet-id="800384752746254337"></iframe>
      <iframe src="https://platform.twitter.com/embed/Tweet.html?id=123123123&amp;theme=dark"></iframe>
      <twitterwidget data-tweet-id="456456"></twitterwidget>
      <amp-iframe width="550" height="600" layout="responsive" sandbox="allow-scripts allow-same-origin" src="https://platform.twitter.com/embed/Tweet.html?id=1234567890123456789"></amp-iframe>
      <iframe src="about:blank" data-cmplz-src="https://platform.twitter.com/embed/Tweet.html?id=777"></iframe>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 6);
  CHECK(tweets[0].ref.post_id == "790936002017755136");
  CHECK_FALSE(tweets[0].ref.author);
  CHECK(tweets[0].ref.url == "https://twitter.com/i/status/790936002017755136");
  CHECK(tweets[0].occurrences == 1);
  CHECK(tweets[0].forms == std::vector<std::string>{"iframe[data-tweet-id]"});
  CHECK(tweets[1].ref.post_id == "800384752746254337");
  CHECK(tweets[2].ref.post_id == "123123123");
  CHECK(tweets[2].forms == std::vector<std::string>{"iframe[src]"});
  CHECK(tweets[3].ref.post_id == "456456");
  CHECK(tweets[4].ref.post_id == "1234567890123456789");
  CHECK(tweets[4].forms == std::vector<std::string>{"amp-iframe[src]"});
  CHECK(tweets[5].ref.post_id == "777");
  CHECK(tweets[5].forms == std::vector<std::string>{"iframe[data-cmplz-src]"});
}

TEST_CASE("extract: amp-twitter", "[extract]") {
  const std::string html =
      R"(<html amp><body><amp-twitter width="375" height="472" layout="responsive" data-tweetid="1311697819384844290"></amp-twitter></body></html>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 1);
  CHECK(tweets[0].ref.post_id == "1311697819384844290");
  CHECK_FALSE(tweets[0].ref.author);
  CHECK(tweets[0].forms == std::vector<std::string>{"amp-twitter[data-tweetid]"});
}

TEST_CASE("extract: a <noscript> copy is one more occurrence of the same post", "[extract]") {
  const std::string html =
      R"(<body><div data-tweet-id="777"></div><noscript><blockquote class="twitter-tweet"><p>t</p>&mdash; N (@nnn) <a href="https://twitter.com/nnn/status/777">d</a></blockquote></noscript>
      <blockquote class="twitter-tweet"><p>t</p>&mdash; N (@nnn) <a href="https://twitter.com/nnn/status/777">d</a></blockquote></body>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 1);
  CHECK(tweets[0].occurrences == 3);
  CHECK(tweets[0].ref.author == "nnn");  // filled in from a later occurrence
  CHECK(tweets[0].forms == std::vector<std::string>{"div[data-tweet-id]", "blockquote.twitter-tweet"});
  REQUIRE(tweets[0].quote);
  CHECK(tweets[0].quote->author_name == "N");
}

TEST_CASE("extract: markup inside <script>, <template>, <style> and comments is not an embed", "[extract]") {
  const std::string html = R"(<html><head><style>.twitter-tweet { margin: 0 }</style></head><body>
      <script>var s = '<blockquote class="twitter-tweet"><a href="https://twitter.com/a/status/1">x</a></blockquote>';</script>
      <script type="text/template"><blockquote class="twitter-tweet"><a href="https://twitter.com/a/status/2">x</a></blockquote></script>
      <template><blockquote class="twitter-tweet"><a href="https://twitter.com/a/status/3">x</a></blockquote><div data-tweet-id="4"></div></template>
      <!-- <blockquote class="twitter-tweet"><a href="https://twitter.com/a/status/5">x</a></blockquote> -->
      </body></html>)";
  CHECK(Extract(html).empty());
}

TEST_CASE("extract: 100000 nested <div> are refused quickly", "[extract]") {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<div>";
  const auto start = std::chrono::steady_clock::now();
  auto result = ExtractEmbeds(html);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::kLimitExceeded);
  CHECK(result.error().message == "HTML nesting deeper than 512");
  CHECK(elapsed < std::chrono::seconds(1));
}

TEST_CASE("extract: markup on which Gumbo fails an assertion is refused, and the process lives on", "[extract]") {
  // Each of these made Gumbo 0.10.1 fail an assertion (src/parser.c:714) and abort the process.
  for (const std::string html : {"<table><svg><select><desc><select><tbody>",
                                 "<table><math><select><mi><select><tbody>",
                                 "<table><td><svg><select><desc><select><tbody>",
                                 // (a generated page that the earlier pre-scan for <select> in svg missed)
                                 R"page(<a href="https://twitter.com/a/status/7"><p><li><<i onclick="doSomethingLong()"><!--></body><caption><table></button><i><svg viewBox="0 0 1 1" class="icon"><path d="M0"/><a href="https://example.com/a/long/path" title="A long title h&#101;re"><math><a href="https://example.com/other/path"><style><></p></title><use xlink:href="#a" data-x=y></em>&#32;=</head><col><marquee></em><select><desc><select><tbody>--><a href="https://example.com/other/path"><p class="reddit-card" class="x" style><nobr><col><math><mi>t</mi><blockquote class="bluesky-embed"><desc>)page" "\f" R"page(<x a= / b=c/>text)page"}) {
    INFO(html);
    for (const auto& extract : {ExtractEmbeds, embarc::html::ExtractEmbedsFullParse}) {
      auto result = extract(html, "");
      REQUIRE_FALSE(result);
      CHECK(result.error().code == ErrorCode::kInvalidArgument);
      CHECK(result.error().message ==
            "HTML that Gumbo 0.10.1 cannot parse (its assertion `node' failed at parser.c:714)");
    }
  }
  // The next parse on the same thread works, and so does one on another thread.
  const std::string page = R"(<blockquote class="twitter-tweet"><a href="https://twitter.com/a/status/7">x</a></blockquote>)";
  CHECK(Extract(page).size() == 1);
  std::size_t found_elsewhere = 0;
  std::thread([&] { found_elsewhere = Extract(page).size(); }).join();
  CHECK(found_elsewhere == 1);
  // A <select> after the svg is closed, or outside it, is parsed as usual.
  CHECK(ExtractEmbeds("<table><svg><desc>x</desc></svg><select><option>a</select></table>", ""));
  CHECK(ExtractEmbeds("<select><option>a</select><svg><path/></svg>", ""));
}

TEST_CASE("extract: self-closing <div/> does not hide nesting", "[extract]") {
  std::string html;
  for (int i = 0; i < 1000; ++i) html += "<div/>";
  auto result = ExtractEmbeds(html);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::kLimitExceeded);
}

TEST_CASE("extract: nesting just under the limit is parsed", "[extract]") {
  std::string html;
  for (int i = 0; i < 500; ++i) html += "<div>";
  html += R"(<blockquote class="twitter-tweet"><a href="https://twitter.com/deep/status/42">d</a></blockquote>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 1);
  CHECK(tweets[0].ref.post_id == "42");
}

TEST_CASE("extract: many unclosed <p>, <li>, <td> and <option> do not count as nesting", "[extract]") {
  std::string html = "<ul>";
  for (int i = 0; i < 2000; ++i) html += "<li><p>item <b>x</b> <br><img src=a.png>";
  html += "</ul><table>";
  for (int i = 0; i < 2000; ++i) html += "<tr><td>cell";
  html += "</table><select>";
  for (int i = 0; i < 2000; ++i) html += "<option>o";
  html += "</select>";
  CHECK(ExtractEmbeds(html));
}

TEST_CASE("extract: the depth estimate is never below the real depth on corpus pages", "[extract]") {
  namespace fs = std::filesystem;
  for (const char* dir : {"pages", "fragments"}) {
    for (const auto& entry : fs::directory_iterator(embarc::testing::CorpusDir() / dir)) {
      const std::string html = embarc::testing::ReadFileText(entry.path());
      const int estimate = embarc::html::EstimateNestingDepth(html, embarc::html::kMaxNestingDepth);
      INFO(entry.path().filename().string() << " estimate " << estimate);
      CHECK(estimate <= embarc::html::kMaxNestingDepth);  // no real page trips the limit
      CHECK(ExtractEmbeds(html));
    }
  }
}

TEST_CASE("extract: input over kMaxDocumentBytes is refused", "[extract]") {
  const std::string html(20u << 20, 'a');
  auto result = ExtractEmbeds(html);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::kLimitExceeded);
}

TEST_CASE("extract: invalid UTF-8 does not crash and embeds are still found", "[extract]") {
  std::string html = "<p>\xff\xfe\xc3(\xed\xa0\x80 caf\xe9 \x80\x80</p>";
  html += std::string("\0\x01", 2);
  html += R"(<blockquote class="twitter-tweet"><p>caf)" "\xe9\xff" R"(</p>&mdash; Z (@zzz) <a href="https://twitter.com/zzz/status/99">d</a></blockquote>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 1);
  CHECK(tweets[0].ref.post_id == "99");
  REQUIRE(tweets[0].quote);
  CHECK(tweets[0].quote->text == "caf\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("extract: relative status links resolve against the base URL", "[extract]") {
  const std::string html =
      R"(<blockquote class="twitter-tweet"><p>x</p>&mdash; R (@rel) <a href="/rel/status/31337">d</a></blockquote>)";
  auto result = ExtractEmbeds(html, "https://twitter.com/home");
  REQUIRE(result);
  REQUIRE(result->size() == 1);
  CHECK((*result)[0].ref.url == "https://twitter.com/rel/status/31337");
  // Without a base a relative link is not a status link (and nothing else identifies the post).
  auto no_base = ExtractEmbeds(html);
  REQUIRE(no_base);
  CHECK(no_base->empty());
}

TEST_CASE("extract: embed code parked in a consent manager's <textarea> is an embed", "[extract]") {
  // The shape of trafilatura__eval_amnesty.de-waffensysteme.html (Drupal third_party_services).
  const std::string html = R"(<div class="third-party-services--placeholder">
      <textarea class="third-party-services--original-content" hidden>
        <form><input type="checkbox"></form>
        <blockquote class="twitter-tweet"><p lang="en" dir="ltr">Text</p>&mdash; T (@ttt) <a href="https://twitter.com/ttt/status/8080?ref_src=twsrc%5Etfw">May 1, 2021</a></blockquote>
        <script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>
      </textarea><h2>Twitter freischalten</h2></div>
      <textarea>just &lt;b&gt;text&lt;/b&gt; a user typed: https://twitter.com/u/status/1</textarea>)";
  const auto tweets = Tweets(html);
  REQUIRE(tweets.size() == 1);
  CHECK(tweets[0].ref.post_id == "8080");
  CHECK(tweets[0].ref.author == "ttt");
}
