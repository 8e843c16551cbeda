// Bluesky and Mastodon embeds found by html::ExtractEmbeds: the whole corpus
// against truth.json, then one test per markup form (embeds.md §6, §7, §14).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/html/extract.h"
#include "embarc/platform/bluesky.h"
#include "embarc/platform/mastodon.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "support/support.h"

namespace {

using embarc::html::ExtractEmbeds;
using embarc::platform::EmbedMatch;
using embarc::platform::ExtractedPost;

bool IsFedi(const std::string& platform) { return platform == "bluesky" || platform == "mastodon"; }

struct PostKey {
  std::string platform;
  std::string post_id;
  std::string author;  // "" when null
  int occurrences = 0;
  std::set<std::string> forms;
  auto operator<=>(const PostKey&) const = default;
};

std::string Describe(const std::set<PostKey>& posts) {
  std::ostringstream out;
  for (const PostKey& p : posts) {
    out << " (" << p.platform << " " << p.post_id << ", @" << p.author << ", x" << p.occurrences << ",";
    for (const std::string& f : p.forms) out << " " << f;
    out << ")";
  }
  return out.str();
}

std::vector<ExtractedPost> Fedi(const std::string& html, const std::string& base_url = {}) {
  auto result = ExtractEmbeds(html, base_url);
  REQUIRE(result);
  std::vector<ExtractedPost> out;
  for (ExtractedPost& p : *result) {
    if (IsFedi(p.ref.platform)) out.push_back(std::move(p));
  }
  return out;
}

// The match of `adapter`'s matcher for the first element named `tag` in `html`
// (the flags are not visible in ExtractedPost).
std::optional<EmbedMatch> MatchFirst(const embarc::platform::Adapter& adapter, const std::string& html,
                                     const std::string& tag, bool in_noscript = false) {
  auto document = embarc::html::Document::Parse(html, embarc::html::kMaxDocumentBytes, embarc::html::kMaxNestingDepth);
  REQUIRE(document);
  std::optional<embarc::html::Node> found;
  document->root().Walk([&](const embarc::html::Node& node) {
    if (node.IsTag(tag)) {
      found = node;
      return embarc::html::Node::Step::kStop;
    }
    return embarc::html::Node::Step::kDescend;
  });
  REQUIRE(found);
  embarc::platform::MatchContext context;
  context.in_noscript = in_noscript;
  return adapter.embed_matcher()->MatchElement(*found, context);
}

const embarc::platform::Adapter& Bluesky() { return embarc::platform::bluesky::BlueskyAdapter(); }
const embarc::platform::Adapter& Mastodon() { return embarc::platform::mastodon::MastodonAdapter(); }

constexpr const char* kCatsUri = "at://did:plc:xrr5j2okn7ew2zvcwsxus3gb/app.bsky.feed.post/3kshwuxmy5o2y";
constexpr const char* kCatsUrl = "https://bsky.app/profile/did:plc:xrr5j2okn7ew2zvcwsxus3gb/post/3kshwuxmy5o2y";
constexpr const char* kCatsCid = "bafyreicg7axsdp6b7f4uj75ggdfhrdl52cqpjah45scox3prmqflwg557i";
constexpr const char* kCatsEmbedIframe =
    "https://embed.bsky.app/embed/did:plc:xrr5j2okn7ew2zvcwsxus3gb/app.bsky.feed.post/3kshwuxmy5o2y"
    "?id=12345&amp;ref_url=https%3A%2F%2Fnews.example%2F&amp;colorMode=system";

// The generator's snippet (corpus fragment atjson__bluesky_1.html).
const std::string kCatsBlockquote =
    R"(<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:xrr5j2okn7ew2zvcwsxus3gb/app.bsky.feed.post/3kshwuxmy5o2y" data-bluesky-cid="bafyreicg7axsdp6b7f4uj75ggdfhrdl52cqpjah45scox3prmqflwg557i" data-bluesky-embed-color-mode="system"><p lang="en">Lap time al fresco. Photo from my collection, no date/info.<br><br><a href="https://bsky.app/profile/did:plc:xrr5j2okn7ew2zvcwsxus3gb/post/3kshwuxmy5o2y?ref_src=embed">[image or embed]</a></p>&mdash; Cats of Yore (<a href="https://bsky.app/profile/did:plc:xrr5j2okn7ew2zvcwsxus3gb?ref_src=embed">@catsofyore.bsky.social</a>) <a href="https://bsky.app/profile/did:plc:xrr5j2okn7ew2zvcwsxus3gb/post/3kshwuxmy5o2y?ref_src=embed">May 14, 2024 at 3:43 PM</a></blockquote><script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>)";

const std::string kArsIframe =
    R"(<iframe src="https://mastodon.social/@arstechnica/112441115030608987/embed" class="mastodon-embed" style="max-width: 100%; border: 0" width="400" allowfullscreen="allowfullscreen"></iframe><script src="https://mastodon.social/embed.js" async="async"></script>)";

}  // namespace

TEST_CASE("extract: every corpus page and fragment matches truth.json for bluesky and mastodon", "[extract][fedi]") {
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
      const std::string platform = post.at("platform");
      if (!IsFedi(platform)) continue;
      const auto& author = post.at("author_handle");
      expected.insert({platform, post.at("post_id").get<std::string>(),
                       author.is_null() ? "" : author.get<std::string>(), post.at("occurrences").get<int>(),
                       post.at("forms").get<std::set<std::string>>()});
    }
    auto result = ExtractEmbeds(embarc::testing::ReadFileText(path));
    if (!result) {
      diffs << file << ": error " << result.error().message << "\n";
      continue;
    }
    std::set<PostKey> actual;
    for (const ExtractedPost& post : *result) {
      if (!IsFedi(post.ref.platform)) continue;
      actual.insert({post.ref.platform, post.ref.post_id, post.ref.author.value_or(""), post.occurrences,
                     std::set<std::string>(post.forms.begin(), post.forms.end())});
      // The canonical URL of truth.json too.
      for (const auto& want : page.at("unique_posts")) {
        if (want.at("post_id") == post.ref.post_id && post.ref.url != want.at("canonical_url").get<std::string>()) {
          diffs << file << ": url " << post.ref.url << " != " << want.at("canonical_url") << "\n";
        }
      }
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
  CHECK(with_posts == 3);
}

TEST_CASE("extract: the Bluesky generator snippet gives AT-URI, handle, CID and quote", "[extract][fedi]") {
  const auto posts = Fedi(kCatsBlockquote);
  REQUIRE(posts.size() == 1);
  const ExtractedPost& p = posts[0];
  CHECK(p.ref.platform == "bluesky");
  CHECK(p.ref.post_id == kCatsUri);
  CHECK(p.ref.url == kCatsUrl);
  CHECK(p.ref.author == "catsofyore.bsky.social");
  CHECK(p.embedded_version == kCatsCid);
  CHECK(p.forms == std::vector<std::string>{"blockquote.bluesky-embed"});
  REQUIRE(p.quote);
  CHECK(p.quote->text == "Lap time al fresco. Photo from my collection, no date/info.");
  CHECK(p.quote->author_name == "Cats of Yore");
  CHECK(p.quote->date == "May 14, 2024 at 3:43 PM");
}

TEST_CASE("extract: data-bluesky-uri may be a bsky.app URL, a handle URI names the author", "[extract][fedi]") {
  SECTION("bsky.app URL, older snippet without color mode or cid") {
    const auto posts = Fedi(
        R"(<blockquote class="bluesky-embed" data-bluesky-uri="https://bsky.app/profile/did:plc:xrr5j2okn7ew2zvcwsxus3gb/post/3kshwuxmy5o2y?ref_src=embed"><p>Lap time</p>&mdash; Cats of Yore (<a href="https://bsky.app/profile/did:plc:xrr5j2okn7ew2zvcwsxus3gb">@catsofyore.bsky.social</a>)</blockquote>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == kCatsUri);
    CHECK(posts[0].ref.author == "catsofyore.bsky.social");
    CHECK_FALSE(posts[0].embedded_version);
  }
  SECTION("handle authority, no profile link") {
    const auto posts =
        Fedi(R"(<div data-bluesky-uri="at://CatsOfYore.bsky.social/app.bsky.feed.post/3kshwuxmy5o2y"></div>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == "at://catsofyore.bsky.social/app.bsky.feed.post/3kshwuxmy5o2y");
    CHECK(posts[0].ref.author == "catsofyore.bsky.social");
    CHECK(posts[0].forms == std::vector<std::string>{"div[data-bluesky-uri]"});
  }
  SECTION("no data-bluesky-uri: the post link inside; a mention in the text is not the author") {
    const auto posts = Fedi(
        R"(<blockquote class="bluesky-embed"><p>Hi <a href="https://bsky.app/profile/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa">@friend.bsky.social</a></p>&mdash; Cats (<a href="https://bsky.app/profile/did:plc:xrr5j2okn7ew2zvcwsxus3gb">@catsofyore.bsky.social</a>) <a href="https://bsky.app/profile/did:plc:xrr5j2okn7ew2zvcwsxus3gb/post/3kshwuxmy5o2y">May 14</a></blockquote>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == kCatsUri);
    CHECK(posts[0].ref.author == "catsofyore.bsky.social");
  }
}

TEST_CASE("extract: rendered, lazy, consent, noscript, AMP and object forms of Bluesky", "[extract][fedi]") {
  SECTION("rendered iframe (embed.js output)") {
    const std::string html = std::string(R"(<div class="bluesky-embed"><iframe data-bluesky-id="12345" src=")") +
                             kCatsEmbedIframe + R"(" width="100%"></iframe></div>)";
    const auto posts = Fedi(html);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == kCatsUri);
    CHECK_FALSE(posts[0].ref.author);
    CHECK(posts[0].forms == std::vector<std::string>{"iframe[src]"});
    const auto match = MatchFirst(Bluesky(), html, "iframe");
    REQUIRE(match);
    CHECK(match->rendered);
    CHECK_FALSE(match->lazy);
  }
  SECTION("lazy data-src and consent data-cmp-src with src=about:blank") {
    for (const std::string attribute : {"data-src", "data-lazy-src", "data-original", "data-cmp-src"}) {
      INFO(attribute);
      const std::string html =
          std::string(R"(<iframe src="about:blank" )") + attribute + "=\"" + kCatsEmbedIframe + "\"></iframe>";
      const auto posts = Fedi(html);
      REQUIRE(posts.size() == 1);
      CHECK(posts[0].ref.post_id == kCatsUri);
      CHECK(posts[0].forms == std::vector<std::string>{"iframe[" + attribute + "]"});
      const auto match = MatchFirst(Bluesky(), html, "iframe");
      REQUIRE(match);
      CHECK(match->lazy);
    }
  }
  SECTION("a lazy placeholder div and its <noscript> copy: one post, two occurrences") {
    const std::string html = std::string(R"(<div class="lazy-embed" data-src=")") + kCatsEmbedIframe +
                             R"("></div><noscript><iframe src=")" + kCatsEmbedIframe + R"("></iframe></noscript>)";
    const auto posts = Fedi(html);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].occurrences == 2);
    CHECK(std::set<std::string>(posts[0].forms.begin(), posts[0].forms.end()) ==
          std::set<std::string>{"div[data-src]", "iframe[src]"});
  }
  SECTION("the blockquote and the rendered iframe of the same post merge; the CID is kept") {
    const auto posts = Fedi(kCatsBlockquote + R"(<iframe src=")" + kCatsEmbedIframe + R"("></iframe>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].occurrences == 2);
    CHECK(posts[0].embedded_version == kCatsCid);
    CHECK(posts[0].ref.author == "catsofyore.bsky.social");
  }
  SECTION("amp-iframe") {
    const std::string html = std::string(R"(<html amp><body><amp-iframe layout="responsive" src=")") +
                             kCatsEmbedIframe + R"("></amp-iframe></body></html>)";
    const auto posts = Fedi(html);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"amp-iframe[src]"});
    const auto match = MatchFirst(Bluesky(), html, "amp-iframe");
    REQUIRE(match);
    CHECK(match->amp);
  }
  SECTION("object data and embed src") {
    const auto posts = Fedi(std::string(R"(<object data=")") + kCatsEmbedIframe + R"("><embed src=")" +
                            kCatsEmbedIframe + R"("></object>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"object[data]"});  // the <embed> belongs to the <object>
  }
}

TEST_CASE("extract: Bluesky markup in scripts, templates, comments and plain links is not an embed", "[extract][fedi]") {
  const std::string escaped_json = R"({"html":"<blockquote class=\"bluesky-embed\" data-bluesky-uri=\"at://did:plc:xrr5j2okn7ew2zvcwsxus3gb/app.bsky.feed.post/3kshwuxmy5o2y\"></blockquote>"})";
  for (const std::string& html : {
           "<script>var s = '" + kCatsBlockquote + "';</script>",
           R"(<script type="application/json">)" + escaped_json + "</script>",
           "<template>" + kCatsBlockquote + "</template>",
           "<!-- " + kCatsBlockquote + " -->",
           std::string(R"(<p>See <a href=")") + kCatsUrl + R"(">this post</a>.</p>)",
           std::string(R"(<a href=")") + kCatsEmbedIframe + R"(">embed</a>)",
           std::string(R"(<script async src="https://embed.bsky.app/static/embed.js"></script>)"),
           std::string(R"(<iframe src="https://embed.bsky.app/static/embed.js"></iframe>)"),
           std::string(R"(<blockquote class="bluesky-embed"><p>no link at all</p></blockquote>)"),
           std::string(R"(<style>.bluesky-embed{margin:0}</style><div class="bluesky-embed"></div>)"),
       }) {
    INFO(html);
    CHECK(Fedi(html).empty());
  }
}

TEST_CASE("extract: the classic Mastodon iframe (corpus forms)", "[extract][fedi]") {
  const auto posts = Fedi(kArsIframe);
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].ref.platform == "mastodon");
  CHECK(posts[0].ref.post_id == "112441115030608987");
  CHECK(posts[0].ref.url == "https://mastodon.social/@arstechnica/112441115030608987");
  CHECK(posts[0].ref.author == "arstechnica@mastodon.social");
  CHECK(posts[0].forms == std::vector<std::string>{"iframe.mastodon-embed"});
  CHECK_FALSE(posts[0].quote);
}

TEST_CASE("extract: the Mastodon 4.3 blockquote and its rendered iframe", "[extract][fedi]") {
  const std::string blockquote =
      R"(<blockquote class="mastodon-embed" data-embed-url="https://fosstodon.org/@schochastics/114620457512351116/embed" style="background: #FCF8FF; border-radius: 8px;"> <a href="https://fosstodon.org/@schochastics/114620457512351116" target="_blank" style="align-items: center;"> <svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 79 75"><path d="M63 45"/></svg> <div style="color: #1C1A25;">Post by @schochastics@fosstodon.org</div> <div style="font-weight: 500;">View on Mastodon</div> </a> </blockquote> <script data-allowed-prefixes="https://fosstodon.org/" async src="https://fosstodon.org/embed.js"></script>)";
  SECTION("blockquote") {
    const auto posts = Fedi(blockquote);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == "114620457512351116");
    CHECK(posts[0].ref.url == "https://fosstodon.org/@schochastics/114620457512351116");
    CHECK(posts[0].ref.author == "schochastics@fosstodon.org");
    CHECK(posts[0].occurrences == 1);  // the link inside belongs to it
    CHECK(posts[0].forms == std::vector<std::string>{"blockquote.mastodon-embed"});
  }
  SECTION("blockquote without data-embed-url falls back to its post link") {
    std::string old = blockquote;
    old.replace(old.find(" data-embed-url"), std::string(R"( data-embed-url="https://fosstodon.org/@schochastics/114620457512351116/embed")").size(), "");
    const auto posts = Fedi(old);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.post_id == "114620457512351116");
  }
  SECTION("embed.js output: an iframe with the class") {
    const auto posts = Fedi(
        R"(<iframe src="https://fosstodon.org/@schochastics/114620457512351116/embed" class="mastodon-embed" id="mastodon-embed-1" style="width: 100%"></iframe>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"iframe.mastodon-embed"});
  }
}

TEST_CASE("extract: any host's status embed iframe, lazy, consent, noscript and AMP", "[extract][fedi]") {
  SECTION("no class: the /embed path is enough, on any host") {
    const auto posts = Fedi(R"(<iframe src="https://social.ridetrans.it/@JamieDay/112440841508955844/embed" width="400"></iframe>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.author == "JamieDay@social.ridetrans.it");
    CHECK(posts[0].forms == std::vector<std::string>{"iframe[src]"});
  }
  SECTION("/users/{u}/statuses/{id}/embed") {
    const auto posts = Fedi(R"(<iframe src="https://hachyderm.io/users/someone/statuses/110000000000000001/embed"></iframe>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.url == "https://hachyderm.io/@someone/110000000000000001");
  }
  SECTION("a remote account's post embedded from another server") {
    const auto posts = Fedi(R"(<iframe class="mastodon-embed" src="https://mastodon.social/@maelle@fosstodon.org/112441115030600000/embed"></iframe>)");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].ref.author == "maelle@fosstodon.org");
  }
  SECTION("lazy with the class, consent without") {
    const std::string lazy =
        R"(<iframe class="mastodon-embed lazyload" data-src="https://mastodon.social/@arstechnica/112441115030608987/embed"></iframe>)";
    auto posts = Fedi(lazy);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"iframe.mastodon-embed"});
    auto match = MatchFirst(Mastodon(), lazy, "iframe");
    REQUIRE(match);
    CHECK(match->lazy);
    const std::string consent =
        R"(<iframe src="about:blank" data-cmp-src="https://mastodon.social/@arstechnica/112441115030608987/embed"></iframe>)";
    posts = Fedi(consent);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"iframe[data-cmp-src]"});
  }
  SECTION("a placeholder plus a <noscript> copy is one post seen twice") {
    const auto posts = Fedi(
        R"(<iframe class="mastodon-embed" data-lazy-src="https://mastodon.social/@arstechnica/112441115030608987/embed" src="about:blank"></iframe><noscript>)" +
        kArsIframe + "</noscript>");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].occurrences == 2);
  }
  SECTION("amp-iframe") {
    const std::string html =
        R"(<html amp><body><amp-iframe src="https://mastodon.social/@arstechnica/112441115030608987/embed" layout="responsive" width="400" height="300"></amp-iframe></body></html>)";
    const auto posts = Fedi(html);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].forms == std::vector<std::string>{"amp-iframe[src]"});
    const auto match = MatchFirst(Mastodon(), html, "amp-iframe");
    REQUIRE(match);
    CHECK(match->amp);
  }
}

TEST_CASE("extract: Mastodon negatives", "[extract][fedi]") {
  for (const std::string& html : {
           "<script>document.write('" + kArsIframe + "')</script>",
           "<template>" + kArsIframe + "</template>",
           "<!-- " + kArsIframe + " -->",
           // A plain link to a status is not an embed.
           std::string(R"(<p><a href="https://mastodon.social/@arstechnica/112441115030608987">toot</a></p>)"),
           std::string(R"(<a href="https://mastodon.social/@arstechnica/112441115030608987/embed">embed</a>)"),
           // Without the class, an iframe needs the /embed endpoint.
           std::string(R"(<iframe src="https://mastodon.social/@arstechnica/112441115030608987"></iframe>)"),
           // A profile is not a post.
           std::string(R"(<iframe class="mastodon-embed" src="https://mastodon.social/@arstechnica/embed"></iframe>)"),
           // Other platforms' /@name/ paths.
           std::string(R"(<iframe src="https://www.tiktok.com/@scout2015/video/6718335390845095173/embed"></iframe>)"),
           std::string(R"(<iframe class="mastodon-embed" src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>)"),
           std::string(R"(<script src="https://mastodon.social/embed.js" async="async"></script>)"),
           std::string(R"(<blockquote class="mastodon-embed"><p>nothing to point at</p></blockquote>)"),
       }) {
    INFO(html);
    CHECK(Fedi(html).empty());
  }
}
