#include "embarc/crawl/feed.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "support/support.h"

using embarc::ErrorCode;
using namespace embarc::crawl;

namespace {

std::string SiteFile(const std::string& name) {
  return embarc::testing::ReadFileText(embarc::testing::SourceDir() / "tools" / "fixtures" / "world" / "site.example" / name);
}

std::vector<std::string> Urls(const std::vector<ListedArticle>& a) {
  std::vector<std::string> out;
  for (const auto& x : a) out.push_back(x.url);
  return out;
}

}  // namespace

TEST_CASE("feed: RSS 2.0 items, relative links resolved, a non-permalink guid ignored", "[crawl][feed]") {
  auto r = ParseFeed(SiteFile("feed.xml"), "https://site.example/feed.xml");
  REQUIRE(r);
  CHECK(Urls(r->articles) == std::vector<std::string>{"https://site.example/2024/10/first-article.html",
                                                      "https://site.example/2024/10/second-article.html"});
  CHECK(r->articles[0].title == "Zelenskyy: intelligence on North Korean troops");
  CHECK(r->articles[0].date == "Sun, 20 Oct 2024 12:00:00 GMT");
  CHECK_FALSE(r->truncated);
}

TEST_CASE("feed: RSS guid as permalink when there is no link, RSS 1.0 (RDF)", "[crawl][feed]") {
  auto r = ParseFeed("<rss><channel><item><guid>https://a.example/x</guid></item>"
                     "<item><guid isPermaLink=\"false\">https://a.example/not-a-link</guid></item></channel></rss>",
                     "https://a.example/feed");
  REQUIRE(r);
  CHECK(Urls(r->articles) == std::vector<std::string>{"https://a.example/x"});
  auto rdf = ParseFeed("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
                       "<channel rdf:about=\"https://a.example/\"><title>t</title></channel>"
                       "<item rdf:about=\"https://a.example/1\"><link>https://a.example/1</link><dc:date>2024-01-01</dc:date></item>"
                       "</rdf:RDF>",
                       "https://a.example/feed");
  REQUIRE(rdf);
  CHECK(Urls(rdf->articles) == std::vector<std::string>{"https://a.example/1"});
  CHECK(rdf->articles[0].date == "2024-01-01");
}

TEST_CASE("feed: Atom alternate links, relative hrefs, other rels ignored", "[crawl][feed]") {
  auto r = ParseFeed(SiteFile("atom.xml"), "https://site.example/atom.xml");
  REQUIRE(r);
  CHECK(Urls(r->articles) == std::vector<std::string>{"https://site.example/2024/10/deep-article.html",
                                                      "https://site.example/2024/09/older-article.html"});
  CHECK(r->articles[0].date == "2024-10-22T09:00:00Z");
}

TEST_CASE("feed: entities, CDATA and duplicates", "[crawl][feed]") {
  auto r = ParseFeed("<?xml version='1.0'?><!-- c --><rss><channel>"
                     "<item><link>https://a.example/?a=1&amp;b=2</link><title>&#x41;&#66;&lt;&nbsp;</title></item>"
                     "<item><link><![CDATA[https://a.example/?a=1&b=2]]></link></item>"
                     "<item><link>https://a.example/2#frag</link></item>"
                     "</channel></rss>",
                     "https://a.example/feed");
  REQUIRE(r);
  CHECK(Urls(r->articles) == std::vector<std::string>{"https://a.example/?a=1&b=2", "https://a.example/2"});
  CHECK(r->articles[0].title == "AB<&nbsp;");  // an unknown entity is kept, never expanded
}

TEST_CASE("feed: a DTD's entities are never expanded (billion laughs, external entities)", "[crawl][feed][limits]") {
  const char* laughs =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE rss [\n"
      " <!ENTITY lol \"lol\">\n"
      " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
      " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
      " <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
      "]>\n"
      "<rss><channel><item><title>&lol3;&xxe;</title><link>https://a.example/1</link></item></channel></rss>";
  auto r = ParseFeed(laughs, "https://a.example/feed");
  REQUIRE(r);
  REQUIRE(r->articles.size() == 1);
  CHECK(r->articles[0].title == "&lol3;&xxe;");
}

TEST_CASE("feed: malformed XML and other documents are refused", "[crawl][feed]") {
  const char* bad[] = {
      "<rss><channel><item><link>https://a.example/1</link></item></channel>",    // unclosed
      "<rss><channel></item></channel></rss>",                                     // mismatched
      "<rss><channel><item a=1></item></channel></rss>",                           // unquoted attribute
      "<rss><channel><![CDATA[x</channel></rss>",                                  // unterminated CDATA
      "<rss></rss><rss></rss>",                                                    // two roots
      "",                                                                          // nothing
      "just text",
  };
  for (const char* text : bad) {
    INFO(text);
    auto r = ParseFeed(text, "https://a.example/feed");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  auto html = ParseFeed("<html><body></body></html>", "https://a.example/");
  REQUIRE_FALSE(html);
  CHECK(html.error().message.find("not an RSS or Atom feed") != std::string::npos);
  CHECK_FALSE(ParseSitemap("<rss><channel/></rss>", "https://a.example/"));
}

TEST_CASE("feed: kMaxXmlDepth and kMaxXmlBytes", "[crawl][feed][limits]") {
  std::string deep;
  for (int i = 0; i < kMaxXmlDepth + 1; ++i) deep += "<a>";
  for (int i = 0; i < kMaxXmlDepth + 1; ++i) deep += "</a>";
  auto r = ParseFeed(deep, "https://a.example/");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kLimitExceeded);
  std::string ok_depth;
  for (int i = 0; i < kMaxXmlDepth; ++i) ok_depth += "<a>";
  for (int i = 0; i < kMaxXmlDepth; ++i) ok_depth += "</a>";
  CHECK(ParseFeed(ok_depth, "https://a.example/").error().code == ErrorCode::kInvalidArgument);  // read, just not a feed

  std::string big = "<rss><channel>" + std::string(kMaxXmlBytes, ' ') + "</channel></rss>";
  auto b = ParseFeed(big, "https://a.example/");
  REQUIRE_FALSE(b);
  CHECK(b.error().code == ErrorCode::kLimitExceeded);
}

TEST_CASE("feed: entries past kMaxFeedEntries are ignored and reported", "[crawl][feed][limits]") {
  std::string text = "<rss><channel>";
  for (std::size_t i = 0; i < kMaxFeedEntries + 5; ++i) text += "<item><link>https://a.example/" + std::to_string(i) + "</link></item>";
  text += "</channel></rss>";
  auto r = ParseFeed(text, "https://a.example/feed");
  REQUIRE(r);
  CHECK(r->articles.size() == kMaxFeedEntries);
  CHECK(r->truncated);
  CHECK(r->articles.back().url == "https://a.example/" + std::to_string(kMaxFeedEntries - 1));
}

TEST_CASE("sitemap: urlset, news sitemap and index", "[crawl][sitemap]") {
  auto news = ParseSitemap(SiteFile("sitemap-news.xml"), "https://site.example/sitemap-news.xml");
  REQUIRE(news);
  CHECK(Urls(news->articles) == std::vector<std::string>{"https://site.example/2024/10/first-article.html",
                                                         "https://site.example/2024/10/deep-article.html"});
  CHECK(news->articles[0].title == "Zelenskyy: intelligence on North Korean troops");
  CHECK(news->articles[0].date == "2024-10-20T12:00:00Z");
  auto index = ParseSitemap(SiteFile("sitemap_index.xml"), "https://site.example/sitemap_index.xml");
  REQUIRE(index);
  CHECK(index->articles.empty());
  CHECK(index->sitemaps == std::vector<std::string>{"https://site.example/sitemap-news.xml",
                                                    "https://site.example/sitemap-2024.xml"});
}

TEST_CASE("sitemap: URLs past kMaxSitemapEntries are ignored and reported", "[crawl][sitemap][limits]") {
  std::string text = "<urlset>";
  for (std::size_t i = 0; i < kMaxSitemapEntries + 1; ++i) text += "<url><loc>https://a.example/" + std::to_string(i) + "</loc></url>";
  text += "</urlset>";
  auto r = ParseSitemap(text, "https://a.example/sitemap.xml");
  REQUIRE(r);
  CHECK(r->articles.size() == kMaxSitemapEntries);
  CHECK(r->truncated);
}

TEST_CASE("sitemap: CollectSitemap follows the index, once each, not past kMaxSitemapDepth", "[crawl][sitemap][limits]") {
  // s0 -> s1 -> s2 -> s3 -> s4 (each an index with one URL-free child), s0 also lists itself and a broken child.
  std::map<std::string, std::string> docs;
  auto index_of = [](std::vector<std::string> children) {
    std::string t = "<sitemapindex>";
    for (const auto& c : children) t += "<sitemap><loc>" + c + "</loc></sitemap>";
    return t + "</sitemapindex>";
  };
  docs["https://a.example/s0"] = index_of({"https://a.example/s0", "https://a.example/s1", "https://a.example/broken",
                                           "https://a.example/urls"});
  for (int i = 1; i <= kMaxSitemapDepth + 1; ++i) {
    docs["https://a.example/s" + std::to_string(i)] = index_of({"https://a.example/s" + std::to_string(i + 1)});
  }
  docs["https://a.example/urls"] = "<urlset><url><loc>https://a.example/article</loc></url></urlset>";
  docs["https://a.example/broken"] = "<urlset><url>";
  std::map<std::string, int> loads;
  auto load = [&](const std::string& u) -> embarc::Result<std::string> {
    ++loads[u];
    auto it = docs.find(u);
    if (it == docs.end()) return embarc::Fail(ErrorCode::kNetwork, "404");
    return it->second;
  };
  auto r = CollectSitemap("https://a.example/s0", load);
  REQUIRE(r);
  CHECK(Urls(r->articles) == std::vector<std::string>{"https://a.example/article"});
  for (const auto& [u, n] : loads) CHECK(n == 1);
  CHECK(loads.count("https://a.example/s" + std::to_string(kMaxSitemapDepth)) == 1);
  CHECK(loads.count("https://a.example/s" + std::to_string(kMaxSitemapDepth + 1)) == 0);
  REQUIRE(r->too_deep.size() == 1);
  CHECK(r->too_deep[0] == "https://a.example/s" + std::to_string(kMaxSitemapDepth + 1));
  REQUIRE(r->failed.size() == 1);
  CHECK(r->failed[0].first == "https://a.example/broken");

  // The root failing is an error.
  auto missing = CollectSitemap("https://a.example/none", load);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNetwork);
}
