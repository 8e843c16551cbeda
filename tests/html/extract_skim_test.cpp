// html::ExtractEmbeds (Gumbo given the page without script/style/comment text,
// html/skim.h) against html::ExtractEmbedsFullParse (Gumbo given every byte): the same
// posts, field by field, and the same Gumbo tree apart from the removed text, on every
// corpus page and fragment, on hand-written adversarial pages and on generated ones.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <malloc.h>

#if defined(__SANITIZE_ADDRESS__)
#define EMBARC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMBARC_TEST_ASAN 1
#endif
#endif
#ifndef EMBARC_TEST_ASAN
#define EMBARC_TEST_ASAN 0
#endif
#if EMBARC_TEST_ASAN
// The sanitizer runtime's count of live heap bytes (declared in clang's
// <sanitizer/allocator_interface.h>, which gcc 12 does not install).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include "embarc/core/json.h"
#include "embarc/html/extract.h"
#include "html/dom.h"
#include "html/skim.h"
#include "support/skim_identity.h"
#include "support/support.h"

namespace {

using embarc::testing::Outcome;
using embarc::testing::Tree;
using embarc::html::Document;
using embarc::html::ParseMode;

// The trees are the same, node by node (see TreeDifference).
void CheckSameTree(const std::string& what, const std::string& full_tree, const std::string& skim_tree,
                   bool shortened_text = false) {
  const std::string difference = embarc::testing::TreeDifference(full_tree, skim_tree, shortened_text);
  INFO(what << ": " << difference);
  CHECK(difference.empty());
}

// Both ways agree on `html`: the same tree (but for the removed text and, with the
// attribute filter, the removed attributes) and the same posts.
void CheckSame(const std::string& label, const std::string& html, const std::string& base_url = "") {
  INFO(label);
  CheckSameTree("script/style/comment text removed", Tree(html, ParseMode::kFull, false),
                Tree(html, ParseMode::kSkimInertText, false));
  CheckSameTree("attributes filtered and text shortened too", Tree(html, ParseMode::kFull, true),
                Tree(html, ParseMode::kSkim, true), /*shortened_text=*/true);
  CHECK(Outcome(embarc::html::ExtractEmbeds(html, base_url)) ==
        Outcome(embarc::html::ExtractEmbedsFullParse(html, base_url)));
}

std::vector<std::filesystem::path> CorpusFiles() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"pages", "fragments"}) {
    for (const auto& entry : std::filesystem::directory_iterator(embarc::testing::CorpusDir() / dir)) {
      if (entry.path().extension() == ".html") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("extract skim: every corpus page and fragment gives the full parse's tree and posts", "[extract][skim]") {
  const std::vector<std::filesystem::path> files = CorpusFiles();
  REQUIRE(files.size() >= 80);
  std::size_t bytes = 0;
  std::size_t removed = 0;
  int posts = 0;
  int fallbacks = 0;
  for (const std::filesystem::path& file : files) {
    const std::string html = embarc::testing::ReadFileText(file);
    CheckSame(file.filename().string(), html);
    CheckSame(file.filename().string() + " with a base URL", html, "https://news.example/world/article.html");
    embarc::html::SkimStats stats;
    (void)embarc::html::SkimInertText(embarc::IsValidUtf8(html) ? html : embarc::SanitizeUtf8(html), &stats);
    bytes += html.size();
    removed += stats.removed_bytes;
    embarc::html::AttributeReadGuard guard;  // notes whether ExtractEmbeds fell back to reading all attributes
    auto result = embarc::html::ExtractEmbeds(html);
    if (result) posts += static_cast<int>(result->size());
    if (guard.missed()) ++fallbacks;
  }
  CHECK(posts >= 150);              // the comparison is not vacuous
  CHECK(removed * 10 >= bytes * 3);  // and the skim does remove most script/style text
  CHECK(fallbacks == 0);            // no matcher asks for an attribute the filter drops
}

TEST_CASE("extract skim: reading a dropped attribute or class is noticed", "[extract][skim]") {
  auto document = Document::Parse(R"(<div class="x twitter-tweet" style="a" src="b"></div>)", 1000, 10, ParseMode::kSkim);
  REQUIRE(document);
  const embarc::html::Node html = document->root().Child(0);
  const embarc::html::Node div = html.Child(1).Child(0);
  REQUIRE(div.IsTag("div"));
  {
    embarc::html::AttributeReadGuard guard;
    CHECK(div.Attr("src") == "b");
    CHECK(div.HasClass("twitter-tweet"));
    CHECK_FALSE(guard.missed());
  }
  {
    embarc::html::AttributeReadGuard guard;
    CHECK_FALSE(div.Attr("style"));
    CHECK(guard.missed());
  }
  {
    embarc::html::AttributeReadGuard guard;
    CHECK_FALSE(div.HasClass("x"));
    CHECK(guard.missed());
  }
  {
    embarc::html::AttributeReadGuard guard;
    (void)div.Attr("class");
    CHECK(guard.missed());
  }
}

TEST_CASE("extract skim: reading shortened text is noticed, kept text is not", "[extract][skim]") {
  const std::string html = "<p>Article text here</p><blockquote class=\"twitter-tweet\"><p>Quoted words</p></blockquote>";
  auto document = Document::Parse(html, 1000, 10, ParseMode::kSkim);
  REQUIRE(document);
  const embarc::html::Node body = document->root().Child(0).Child(1);
  const embarc::html::Node paragraph = body.Child(0);
  const embarc::html::Node quote = body.Child(1);
  REQUIRE(paragraph.IsTag("p"));
  REQUIRE(quote.IsTag("blockquote"));
  {
    embarc::html::AttributeReadGuard guard;
    CHECK(quote.TextContent() == "Quoted words");
    CHECK_FALSE(guard.missed());
  }
  {
    embarc::html::AttributeReadGuard guard;
    CHECK(paragraph.Child(0).Text() == embarc::html::kCollapsedText);
    CHECK(guard.missed());
  }
  {
    embarc::html::AttributeReadGuard guard;
    (void)body.TextContent();
    CHECK(guard.missed());
  }
  {
    auto spaced = Document::Parse("<p>a</p>\n   \n<p>b</p>", 1000, 10, ParseMode::kSkim);
    REQUIRE(spaced);
    const embarc::html::Node between = spaced->root().Child(0).Child(1).Child(1);
    REQUIRE(between.is_text());
    embarc::html::AttributeReadGuard guard;
    CHECK(between.Text() == "\f\n\n");
    CHECK(guard.missed());
  }
  // Real text holding the marker character is parsed again too, never taken as it stands.
  auto marked = Document::Parse("<p>a" + std::string(embarc::html::kCollapsedText) + "</p>", 1000, 10, ParseMode::kFull);
  REQUIRE(marked);
  embarc::html::AttributeReadGuard guard;
  (void)marked->root().TextContent();
  CHECK(guard.missed());
}

TEST_CASE("extract skim: a document's arena stops at its limit on markup Gumbo allocates and frees a lot for",
          "[extract][skim]") {
  // Attributes on end tags: Gumbo builds each and throws it away.
  std::string html = "<p>";
  std::string end_tag = "</p";
  for (int i = 0; i < 100; ++i) end_tag += " a" + std::to_string(i);
  end_tag += ">";
  while (html.size() < (2u << 20)) html += end_tag;
  html += R"(<blockquote class="twitter-tweet"><a href="https://twitter.com/x/status/42">d</a></blockquote>)";
  for (const ParseMode mode : {ParseMode::kFull, ParseMode::kSkim}) {
    auto document = Document::Parse(html, embarc::html::kMaxDocumentBytes, embarc::html::kMaxNestingDepth, mode);
    REQUIRE(document);
    CHECK(document->arena_bytes() <= embarc::html::kArenaBaseBytes + embarc::html::kArenaBytesPerInputByte * html.size());
    CHECK(document->arena_bytes() + (1u << 20) >= embarc::html::kArenaBaseBytes);  // the limit was reached
  }
  auto posts = embarc::html::ExtractEmbeds(html);
  REQUIRE(posts);
  REQUIRE(posts->size() == 1);
  CHECK(posts->at(0).ref.post_id == "42");
}

namespace {

// Bytes malloc has handed out and not had back: under AddressSanitizer (whose allocator
// glibc's mallinfo2 does not see) its own count; else the main arena's and mmap's.
std::size_t BytesAllocated() {
#if EMBARC_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

}  // namespace

TEST_CASE("extract skim: a document's arena frees what came from malloc past its limit, also when Gumbo fails",
          "[extract][skim]") {
  // Many elements: the tree outgrows the arena's limit (8 bytes per input byte, and a
  // <br> node takes more than 32), so that Gumbo keeps malloc'd memory.
  std::string many(1u << 20, ' ');
  for (std::size_t i = 0; i + 4 <= many.size(); i += 4) many.replace(i, 4, "<br>");
  for (const ParseMode mode : {ParseMode::kFull, ParseMode::kSkim}) {
    (void)Document::Parse("<p>warm up the arena's block cache</p>" + many, embarc::html::kMaxDocumentBytes,
                          embarc::html::kMaxNestingDepth, mode);
    const std::size_t before = BytesAllocated();
    {
      auto document = Document::Parse(many, embarc::html::kMaxDocumentBytes, embarc::html::kMaxNestingDepth, mode);
      REQUIRE(document);
      CHECK(document->arena_bytes() + (1u << 20) >= embarc::html::kArenaBaseBytes + 8 * many.size());
      CHECK(BytesAllocated() > before + (16u << 20));  // memory past the limit is in use while the document lives
    }
    {
      auto failed = Document::Parse(many + "<table><svg><select><desc><select><tbody>", embarc::html::kMaxDocumentBytes,
                                    embarc::html::kMaxNestingDepth, mode);
      REQUIRE_FALSE(failed);
      CHECK(failed.error().code == embarc::ErrorCode::kInvalidArgument);
    }
    // Both gave everything back (but the blocks the arena caches for the next document).
    CHECK(BytesAllocated() < before + (8u << 20));
  }
}

TEST_CASE("extract skim: HasAttributeWithPrefix", "[extract][skim]") {
  auto document = Document::Parse(R"(<div Data-Src="x" id="y"></div><span id="z"></span>)", 1000, 10);
  REQUIRE(document);
  const embarc::html::Node body = document->root().Child(0).Child(1);
  CHECK(body.Child(0).HasAttributeWithPrefix("data-"));
  CHECK(body.Child(0).HasAttributeWithPrefix("i"));
  CHECK_FALSE(body.Child(0).HasAttributeWithPrefix("data-x"));
  CHECK_FALSE(body.Child(1).HasAttributeWithPrefix("data-"));
}

TEST_CASE("extract skim: adversarial pages give the full parse's tree and posts", "[extract][skim]") {
  const std::string tweet =
      R"(<blockquote class="twitter-tweet"><p lang="en">Hello <a href="https://t.co/x">t.co/x</a></p>)"
      R"(&mdash; Some One (@someone) <a href="https://twitter.com/someone/status/1196540095848996871">May 1, 2020</a></blockquote>)";
  const std::string yt = R"(<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"script with escaped nested script", "<script><!--<script>var a = '</script>" + tweet + "';</script>-->" + yt +
                                                "</script>" + tweet},
      {"script with escape ended early", "<script><!-- x --></script>" + tweet},
      {"script escape with dashes", "<script><!--- a --- <script> -- </script> --> " + tweet + "</script>" + yt},
      {"double escape ended by </script>", "<script><!--<script></script>" + tweet + "</script>" + yt},
      {"unterminated script", "<p>a</p><script>var s = '" + tweet + "';"},
      {"unterminated escaped script", "<script><!--<script>" + tweet},
      {"script end tag with space and attributes", "<script>a</script >" + tweet + "<script>b</script foo=\">\" >" + yt},
      {"script end tag with slash", "<script>a</script/>" + tweet},
      {"script end tag prefix", "<script>a</scripts>" + tweet + "</script>" + yt},
      {"uppercase tags", "<SCRIPT>x</SCRIPT>" + tweet + "<STYLE>y</STYLE><BLOCKQUOTE CLASS=\"twitter-tweet\"><A HREF="
                                                        "\"https://twitter.com/a/status/1\">d</A></BLOCKQUOTE>"},
      {"carriage returns", "<script>\r\nx\r\n</script\r>\r" + tweet + "\r\n<!--\r\n-->\r" + yt},
      {"unterminated comment", tweet + "<!-- " + yt},
      {"comment forms", "<!--><!---><!----><!-- -- --><!--x--!>" + tweet + "<!-- --!-->" + yt + "<!---->-->"},
      {"comment with markup", "<!-- " + tweet + " -->" + yt},
      {"comment ends at --!>", "<!-- a --!>" + tweet},
      {"bogus comments", "<? " + tweet + " ?><!x " + yt + "></3 " + tweet + ">" + yt},
      {"doctype", "<!DOCTYPE html PUBLIC \"a>b\" \"c\">" + tweet},
      {"script in attribute value", "<div title=\"<script>\">" + tweet + "</div><div title='<!--'>" + yt + "</div>"},
      {"unquoted attributes", "<div a=<script> b=x>" + tweet + "</div><div c=\"x\"d=<!-->" + yt},
      {"style", "<style>p { content: '</p>'; }</style>" + tweet + "<style>" + yt + "</style>"},
      {"style unterminated", tweet + "<style>" + yt},
      {"title and textarea", "<title><script>" + yt + "</title>" + tweet + "<textarea><script></textarea>" + yt},
      {"textarea embed", "<textarea class=\"consent\">" + tweet + "<script>x</script></textarea>"},
      {"noscript", "<noscript>" + tweet + "<script>x</script></noscript>" + yt},
      {"noscript in head", "<html><head><noscript><style>a</style>" + yt + "</noscript><script>b</script></head>" + tweet},
      {"template", "<template>" + tweet + "<script>x</script></template>" + yt},
      {"template column group text", "<template><col>  some words\n here <col> x </template>" + tweet},
      {"template column group", "<template><col><script>" + tweet + "</script></template>" + yt},
      {"select", "<select><style>" + tweet + "</style><option>a</select><style>b</style>" + yt},
      {"select unclosed", "<select><option><script>x</script>" + tweet},
      {"svg style is markup", "<svg><style><a href=x>" + tweet + "</style></svg><style>x</style>" + yt},
      {"svg script", "<svg><script>if (a<b) {}</script></svg>" + tweet + "<script>x</script>"},
      {"svg title then style", "<svg><title>Logo</title><style>.a{}</style></svg><script>x</script>" + tweet},
      {"svg foreignObject", "<svg><foreignObject><div></svg></div></foreignObject><style><b>" + tweet + "</style>" + yt},
      {"svg integration point with formatting", "<p><a>x</p><svg><title>t</title></svg></a></title><style>" + tweet +
                                                   "</style>" + yt},
      {"svg title in a link", "<a href=x><svg><title>Icon</title><path d=y/></svg></a><style>" + tweet + "</style>" + yt},
      {"svg title in a span in a link", "<a><span>x</span><svg><title>t</title><path/></svg></a><script>var a = '<b>';</script>" + tweet},
      {"svg title after misnested formatting", "<b><i>x</b></i><svg><title>t</title></svg><style>" + tweet + "</style>" + yt},
      {"svg title after a formatting element a </p> closed", "<p><b>x</p><svg><title>t</title></svg><style>" + tweet + "</style>" + yt},
      {"svg title after a <b> in <select>", "<select><b>x</select><svg><title>t</title></svg><style>" + tweet + "</style>" + yt},
      {"svg title after an <a> in a table", "<table><a>x<svg><title>t</title></svg></table><style>" + tweet + "</style>" + yt},
      {"svg title after nested links", "<a>1<a>2<svg><title>t</title></svg><style>" + tweet + "</style>" + yt},
      {"svg title after a div in a link", "<a><div>x</a><svg><title>t</title></svg><style>" + tweet + "</style>" + yt},
      {"svg title after a div in an open paragraph's link", "<p><a>x<div>y</div></a><svg><title>t</title></svg><style>" +
                                                              tweet + "</style>" + yt},
      {"svg title after a closed div in a link", "<p>x</p><a><div>y</div></a><svg><title>t</title></svg><style>" + tweet + "</style>" + yt},
      {"svg title after a paragraph left open in a link", "<a><div><p>y</div></a><svg><title>t</title></svg><style>" + tweet +
                                                              "</style>" + yt},
      {"formatting values equal only once decoded", "<p><b title=\"abcdefghijk&#108;\">1<b title=\"abcdefghijkl\">2"
                                                    "<b title=\"abcdefghijkl\">3<b title=\"abcdefghijkl\">4</p>5" + tweet},
      {"formatting hrefs in and out of an embed blockquote", "<blockquote cite=x><b href=\"https://example.com/abc\">1"
                                                             "<b href=\"https://example.com/abc\">2<b href=\"https://example.com/abc\">3"
                                                             "</blockquote><b href=\"https://example.com/abc\">4</p>5" + tweet},
      {"lone carriage returns in removed text", "<p>ab\rcd\nef</p><div title=\"a\r\" style=\"\nb\">x</div> \r \n <script>a\rb\nc\r</script>\n" + tweet},
      {"a prefixed lazy attribute", "<iframe data-src:1=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe>" + tweet},
      {"svg title after a formatting breakout", "<p><svg><b><article><svg><title>t</title></svg><style>" + tweet + "</style>" + yt},
      {"svg title after </p> in a button", "<p><button></p></button><b><div><svg><title>t</title></svg><style>" + tweet +
                                           "</style>" + yt},
      {"svg title after a breakout in svg", "<b><svg><p>x</svg></b><svg><title>t</title></svg><style>" + tweet + "</style>" + yt},
      {"math", "<math><mi><style>x</style></mi><style>" + tweet + "</style></math><script>y</script>" + yt},
      {"svg self-closing", "<svg/><script>" + tweet + "</script>" + yt},
      {"cdata in svg", "<svg><![CDATA[<script>]]></svg><script>" + tweet + "</script>" + yt},
      {"cdata in html", "<![CDATA[<script>]]>" + tweet + "</script>" + yt},
      {"frameset", "<frameset><script>" + tweet + "</script><frame src=x></frameset>"},
      {"plaintext", "<plaintext><script>x</script>" + tweet},
      {"xmp iframe noembed noframes", "<xmp><script></xmp>" + tweet + "<iframe><script></iframe><noembed><script>"
                                                                        "</noembed><noframes><script></noframes>" + yt},
      {"quote text after a script", R"(<blockquote class="twitter-tweet"><p>Text <script>var x = "<p>";</script> more</p>)"
                                    R"(&mdash; Name (@name) <script>y</script><a href="https://twitter.com/name/status/123">Jan 1</a></blockquote>)"},
      {"unclosed blockquote with widgets script", R"(<blockquote class="twitter-tweet"><p>A</p><a href="https://twitter.com/a/status/1">d</a>)"
                                                  R"(<script async src="https://platform.twitter.com/widgets.js"></script><p>after</p>)" + tweet},
      {"telegram script", R"(<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="durov/1"></script>)"},
      {"lone less-than signs", "<script>a < b</script><</script><  " + tweet + " <3 </ >" + yt},
      {"tag cut by end of input", tweet + "<script src=\"x"},
      {"nul bytes", std::string("<script>a\0b</script>", 20) + tweet + std::string("<scr\0ipt>x</scr\0ipt>", 20) + yt},
      {"invalid utf-8", "\xff<script>\xe2\x80</script>\xc3" + tweet + "<!-- \xf0\x9f -->" + yt},
      {"deep nesting", std::string(600, ' ') + "<script>" + std::string(600, '<') + "</script>"},
      // Gumbo keeps a repeated name that has no value in its buffer: "<a r r #>" has "r" and "r#".
      // (Found by fuzz/skim_fuzz.cpp.)
      // A CR and an LF around a dropped attribute are two line breaks, not one CR LF (found by fuzzing).
      {"line breaks around a dropped attribute", "<h\rz\n>\n<p\rstyle=x\n>\n<p \rid=y\r\n>x\n" + tweet},
      // An iframe ends an unclosed embed blockquote whether or not the skim kept its attributes (found by fuzzing).
      {"iframe without kept attributes in an unclosed blockquote",
       R"(<blockquote data-bluesky-uri="at://did:p:b/app.bsky.feed.post/y"><iframe "></iframe><d data-bluesky-uri="at://did:p:5/app.bsky.feed.post/o">)"},
      // After "</>", an unknown element's name comes from text that starts at the "</" (found by fuzzing).
      {"unknown element after </>", "</><c/b>x</c></><lite-youtube videoid=\"eiHXASgRTcA\" style=x></lite-youtube>" + tweet},
      // An attribute named "=" after a solidus (found by fuzzing).
      {"attribute named = after a solidus", "<a h/= s s>x</a><div id=a/=x style=y>" + tweet},
      {"repeated attribute without a value", "<a r r #>x</a><div s s cite=y></div>"
                                             R"(<blockquote class="twitter-tweet" data-x data-x cite=q><a href="https://twitter.com/a/status/9">d</a></blockquote>)"},
  };
  for (const auto& [label, html] : cases) CheckSame(label, html, "https://news.example/a.html");
  std::string deep;
  for (int i = 0; i < 700; ++i) deep += "<div>";
  CheckSame("too deep", deep + "<script>x</script>");
  CheckSame("too deep inside a script", "<script>" + deep + "</script>" + tweet);
}

TEST_CASE("extract skim: generated pages give the full parse's tree and posts", "[extract][skim]") {
  // Pages strung together from pieces that steer Gumbo's tokenizer and tree builder.
  const std::vector<std::string> pieces = {
      "<script>", "</script>", "</script >", "<script type=x>", "<!--", "-->", "--!>", "<!-->", "-", "--", "<style>",
      "</style>", "<svg>", "</svg>", "<svg/>", "<math>", "</math>", "<mi>", "</mi>", "<title>", "</title>",
      "<foreignObject>", "</foreignObject>", "<desc>", "<select>", "</select>", "<option>", "<template>", "</template>",
      "<textarea>", "</textarea>", "<iframe>", "</iframe>", "<xmp>", "<noscript>", "</noscript>", "<![CDATA[", "]]>",
      "<table>", "<tr>", "<td>", "</table>", "<col>", "<p>", "</p>", "<a href=\"https://twitter.com/a/status/7\">",
      "</a>", "<b>", "</b>", "<div>", "</div>", "<blockquote class=\"twitter-tweet\">", "</blockquote>",
      "<iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe>", "text", " ", "\n", "\r\n", "<", ">", "/",
      "\"", "'", "=", "!", "<head>", "<body>", "<frameset>", "<plaintext>", "<? x >", "<!DOCTYPE html>", "&lt;", "<br/>",
      "<img src=x alt=\"a>b\" style='c' srcset=y/>", "<div class=\"c twitter-tweet\" style=x class=z>",
      "<p title=\"t\"\nid=i\r\nstyle=s>", "<b class=x style=y>", "<a class=q href=\"https://twitter.com/b/status/8\" title=t>",
      "<input type=hidden style=x>", "<body class=x style=y>", "<html lang=en style=z>", "<span class=\"&amp;\" d=x >",
      "<svg viewBox=\"0 0 1 1\" class=\"icon\"><path d=\"M0\"/>", "<font color=red style=x>", "<x a= / b=c/>",
      "<p class=\"reddit-card\" class=\"x\" style>", "Some words", "  lead\nx ", "&#32;", "&#x41;b", "&Tab;x",
      "&amp;x", "&#0;y", std::string("\0z", 2), "<pre>", "</pre>", "<listing>", "<caption>", "<colgroup>", "<tbody>",
      "<blockquote>", "<blockquote cite=x>", "<blockquote class=\"bluesky-embed\">", "<i>", "</i>", "<li>", "<html>",
      "<a href=\"https://example.com/a/long/path\" title=\"A long title here\">", "<a href=\"https://example.com/other/path\">",
      "<a href=\"https://example.com/a/long/path\" title=\"A long title h&#101;re\">", "<b title=\"Another long title\">",
      "<b title=\"Another long title\">", "<i onclick=\"doSomethingLong()\">",
      "</body>", "</html>", "<h1>", "<nobr>", "<button>", "<use xlink:href=\"#a\" data-x=y>", "   ", "\n\t\n ", "\f",
      "<select>", "<optgroup>", "<frameset>", "</head>", "<head>", "<template>", "<svg><title>Logo</title>",
      "<title>t</title>", "<span>", "</span>", "<path d=x/>", "<a>", "<i>", "</svg></a>", "<em>", "</em>", "<ul><li>", "\r", "</button>", "<object>",
      "</object>", "<marquee>", "<font color=red>", "<caption>", "<svg><desc>d</desc>", "<math><mi>t</mi>", "&#13;x",
      "</nobr>", "<article>", "</p>"};
  // EMBARC_SKIM_PAGES and EMBARC_SKIM_SEED run more pages, or others, by hand.
  const char* pages_env = std::getenv("EMBARC_SKIM_PAGES");
  const char* seed_env = std::getenv("EMBARC_SKIM_SEED");
  const int pages = pages_env != nullptr ? std::atoi(pages_env) : 3000;
  std::uint64_t state = seed_env != nullptr ? std::strtoull(seed_env, nullptr, 10) | 1 : 0x9E3779B97F4A7C15ull;
  const auto next = [&state]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int page = 0; page < pages; ++page) {
    std::string html;
    const int count = 5 + static_cast<int>(next() % 40);
    for (int i = 0; i < count; ++i) html += pieces[next() % pieces.size()];
    CheckSame("generated page " + std::to_string(page) + ": " + html, html);
  }
}

TEST_CASE("extract skim: removes script, style and comment text only where Gumbo reads raw text", "[extract][skim]") {
  using embarc::html::SkimInertText;
  CHECK(SkimInertText("<p>a</p><script src=x>var a = 1;\nb()</script><p>b</p>") ==
        "<p>a</p><script src=x>\n</script><p>b</p>");
  CHECK(SkimInertText("<style>p{}</style><!-- x\n-->") == "<style></style><!--\n-->");
  CHECK(SkimInertText("<script><!--<script></script>x</script>y") == "<script></script>y");
  CHECK(SkimInertText("<svg><style>p{}</style></svg><style>q{}</style>") == "<svg><style>p{}</style></svg><style></style>");
  CHECK(SkimInertText("<select><style>p{}</style></select><style>q{}</style>") ==
        "<select><style>p{}</style></select><style></style>");
  CHECK(SkimInertText("<plaintext><script>x</script>") == "<plaintext><script>x</script>");
  CHECK(SkimInertText("<textarea><script>x</script></textarea>") == "<textarea><script>x</script></textarea>");
}

TEST_CASE("extract skim: shortens text outside embed blockquotes, keeping what steers the tree builder",
          "[extract][skim]") {
  using embarc::html::SkimInertText;
  const std::string m(embarc::html::kCollapsedText);
  const auto skim = [](const std::string& html) { return SkimInertText(html, nullptr, /*filter_attributes=*/true); };
  // Leading whitespace and line breaks stay; the rest becomes one marker.
  CHECK(skim("<p> Some\nwords here\r\n</p>") == "<p> " + m + "\n\n</p>");
  // Line breaks as Gumbo counts them: CR LF is one, a lone CR is one, and a CR that
  // ends the removed text stays a CR (an LF after it would make CR LF).
  CHECK(skim("<p>ab\rcd\nef\r</p>") == "<p>" + m + "\n\n\r</p>");
  // Whitespace-only runs become a form feed and their line breaks, but not right
  // after <pre> (whose first line feed is dropped); very short runs stay.
  CHECK(skim("<p>\n   </p><p> \t </p><p>ab</p>") == "<p>\f\n</p><p>\f</p><p>ab</p>");
  CHECK(skim("<pre>\n\n  </pre><listing>\n  </listing>") == "<pre>\n\n  </pre><listing>\n  </listing>");
  // A first character that is a reference to whitespace, or a NUL, keeps the run;
  // a reference to anything else does not.
  CHECK(skim("<p>&#32;words</p><p>&Tab;words</p><p>&#x0a;x y</p>") == "<p>&#32;words</p><p>&Tab;words</p><p>&#x0a;x y</p>");
  CHECK(skim(std::string("<p>\0words</p>", 13)) == std::string("<p>\0words</p>", 13));
  CHECK(skim("<p>&#x9AD8;&#x6728;</p><p>&amp; more</p><p>&# x</p>") == "<p>" + m + "</p><p>" + m + "</p><p>" + m + "</p>");
  // Embed blockquotes (a cite, data-* or a matcher's class) keep their text, nested
  // blockquotes included; a bare blockquote does not.
  CHECK(skim("<blockquote class=\"x twitter-tweet\"><p>Keep this</p><blockquote>and this</blockquote> too</blockquote>after") ==
        "<blockquote class=\"twitter-tweet\"><p>Keep this</p><blockquote>and this</blockquote> too</blockquote>" + m);
  CHECK(skim("<blockquote cite=x>\n   <p>Keep</p>\n   </blockquote>") == "<blockquote cite=x>\n   <p>Keep</p>\n   </blockquote>");
  CHECK(skim("<blockquote cite=\"https://x\">Keep</blockquote><blockquote>Quote</blockquote>") ==
        "<blockquote cite=\"https://x\">Keep</blockquote><blockquote>" + m + "</blockquote>");
  // Raw text and RCDATA are not touched; text in foreign content is shortened like any.
  CHECK(skim("<title>A title</title><textarea>Some text</textarea><svg><text>Label</text></svg>") ==
        "<title>A title</title><textarea>Some text</textarea><svg><text>" + m + "</text></svg>");
  // Without the attribute filter, text stays.
  CHECK(SkimInertText("<p>Some words</p>") == "<p>Some words</p>");
}

TEST_CASE("extract skim: replaces href values and formatting elements' other values one for one", "[extract][skim]") {
  using embarc::html::SkimInertText;
  const std::string m(embarc::html::kCollapsedText);
  const auto skim = [](const std::string& html) { return SkimInertText(html, nullptr, /*filter_attributes=*/true); };
  // Equal values get equal tokens, different ones different tokens; a formatting
  // element keeps every attribute name; other elements drop what no matcher reads.
  CHECK(skim(R"(<a href="https://example.com/page" title="Some title text">x</a><a href="https://example.com/page">y</a>)"
             R"(<link href="https://example.com/feed.xml" rel="alternate">)") ==
        "<a href=\"" + m + "0\" title=\"" + m + "1\">x</a><a href=\"" + m + "0\">y</a><link href=\"" + m + "2\">");
  // Kept: short values, values with '&' or beyond printable ASCII, classes and names
  // matchers read, and every href inside an embed blockquote.
  CHECK(skim(R"(<a href="/short" title="caf&eacute; au lait" class="profileLink other">x</a>)") ==
        R"(<a href="/short" title="caf&eacute; au lait" class="profileLink other">x</a>)");
  CHECK(skim("<a title=\"caf\xC3\xA9 au lait ok\" data-id=\"1234567890123\">x</a>") ==
        "<a title=\"caf\xC3\xA9 au lait ok\" data-id=\"1234567890123\">x</a>");
  CHECK(skim(R"(<blockquote class="twitter-tweet"><a href="https://twitter.com/a/status/1">d</a></blockquote>)") ==
        R"(<blockquote class="twitter-tweet"><a href="https://twitter.com/a/status/1">d</a></blockquote>)");
  // A matcher reading a replaced value is noticed.
  auto document = Document::Parse(R"(<p><a href="https://example.com/page">x</a></p>)", 1000, 10, ParseMode::kSkim);
  REQUIRE(document);
  const embarc::html::Node link = document->root().Child(0).Child(1).Child(0).Child(0);
  REQUIRE(link.IsTag("a"));
  embarc::html::AttributeReadGuard guard;
  CHECK(link.Attr("href") == m + "0");
  CHECK(guard.missed());
}

TEST_CASE("extract skim: the fast UTF-8 check agrees with IsValidUtf8", "[extract][skim]") {
  const std::vector<std::string> texts = {
      "", "ascii only", "caf\xc3\xa9", "\xe2\x82\xac and \xf0\x9f\x98\x80", "\xc3", "abc\xc3", "\xc3(", "\xe2\x82",
      "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\xe0\x80\xaf", "\x80", "12345678\xc3\xa9" "12345678",
      "1234567\xff", "\xef\xbb\xbf<html>"};
  for (const std::string& t : texts) {
    INFO(t);
    CHECK(embarc::html::IsValidUtf8Fast(t) == embarc::IsValidUtf8(t));
  }
}
