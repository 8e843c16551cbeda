#include "embarc/crawl/robots.h"

#include <catch2/catch.hpp>
#include <string>

using embarc::crawl::kMaxRobotsBytes;
using embarc::crawl::RobotsPatternMatches;
using embarc::crawl::RobotsRules;

TEST_CASE("robots: embarc's own group replaces the * group", "[crawl][robots]") {
  const char* text =
      "User-agent: *\n"
      "Disallow: /\n"
      "\n"
      "User-agent: Embarc/0.1\n"
      "Disallow: /private/\n";
  const RobotsRules r = RobotsRules::Parse(text, "embarc");
  CHECK(r.IsAllowed("/"));
  CHECK(r.IsAllowed("/2024/10/a.html"));
  CHECK_FALSE(r.IsAllowed("/private/x.html"));
  // Another crawler gets the * group.
  const RobotsRules other = RobotsRules::Parse(text, "otherbot");
  CHECK_FALSE(other.IsAllowed("/2024/10/a.html"));
}

TEST_CASE("robots: groups naming several agents and split groups are merged", "[crawl][robots]") {
  const char* text =
      "User-agent: a\n"
      "User-agent: embarc\n"
      "Disallow: /one/\n"
      "User-agent: b\n"
      "Disallow: /two/\n"
      "User-agent: embarc\n"
      "Disallow: /three/\n";
  const RobotsRules r = RobotsRules::Parse(text, "embarc");
  CHECK_FALSE(r.IsAllowed("/one/x"));
  CHECK(r.IsAllowed("/two/x"));
  CHECK_FALSE(r.IsAllowed("/three/x"));
}

TEST_CASE("robots: the longest match wins, Allow wins a tie", "[crawl][robots]") {
  const char* text =
      "User-agent: *\n"
      "Disallow: /private/\n"
      "Allow: /private/press/\n"
      "Disallow: /private/press/embargoed\n"
      "Allow: /tie\n"
      "Disallow: /tie\n";
  const RobotsRules r = RobotsRules::Parse(text, "embarc");
  CHECK_FALSE(r.IsAllowed("/private/drafts.html"));
  CHECK(r.IsAllowed("/private/press/statement.html"));
  CHECK_FALSE(r.IsAllowed("/private/press/embargoed-2024.html"));
  CHECK(r.IsAllowed("/tie/x"));
  CHECK(r.IsAllowed("/elsewhere"));
}

TEST_CASE("robots: wildcards, end anchors, queries and escapes", "[crawl][robots]") {
  CHECK(RobotsPatternMatches("/*.pdf$", "/docs/a.pdf"));
  CHECK_FALSE(RobotsPatternMatches("/*.pdf$", "/docs/a.pdf?x=1"));
  CHECK(RobotsPatternMatches("/*.pdf", "/docs/a.pdf?x=1"));
  CHECK(RobotsPatternMatches("/a*b*c", "/a--b--c--"));
  CHECK_FALSE(RobotsPatternMatches("/a*b*c", "/a--c--b"));
  CHECK(RobotsPatternMatches("/exact$", "/exact"));
  CHECK_FALSE(RobotsPatternMatches("/exact$", "/exactly"));
  CHECK(RobotsPatternMatches("*", "/anything"));

  const RobotsRules r = RobotsRules::Parse("User-agent: *\nDisallow: /*?print=1$\nDisallow: /caf%c3%a9/\n", "embarc");
  CHECK_FALSE(r.IsAllowed("/story.html?print=1"));
  CHECK(r.IsAllowed("/story.html?print=10"));
  CHECK(r.IsAllowed("/story.html"));
  CHECK_FALSE(r.IsAllowed("/caf%C3%A9/menu"));   // escapes compare case-insensitively
}

TEST_CASE("robots: empty Disallow, comments, unknown lines, /robots.txt", "[crawl][robots]") {
  const RobotsRules r = RobotsRules::Parse(
      "\xEF\xBB\xBF# comment\nUser-agent: * # all\nDisallow:\nNoindex: /x\nfoo bar\n", "embarc");
  CHECK(r.IsAllowed("/anything"));
  CHECK(RobotsRules::DisallowAll().IsAllowed("/robots.txt"));
  CHECK_FALSE(RobotsRules::DisallowAll().IsAllowed("/"));
  CHECK(RobotsRules::AllowAll().IsAllowed("/"));
  // Rules before any User-agent line belong to no group.
  CHECK(RobotsRules::Parse("Disallow: /\n", "embarc").IsAllowed("/a"));
}

TEST_CASE("robots: Crawl-delay of the chosen group, fractions, capped, Sitemap lines", "[crawl][robots]") {
  const RobotsRules r = RobotsRules::Parse(
      "User-agent: *\nCrawl-delay: 9\n\nUser-agent: embarc\nCrawl-delay: 0.5\nDisallow: /x\n"
      "Sitemap: https://site.example/sitemap.xml\n", "embarc");
  REQUIRE(r.crawl_delay());
  CHECK(r.crawl_delay()->count() == 500);
  REQUIRE(r.sitemaps().size() == 1);
  CHECK(r.sitemaps()[0] == "https://site.example/sitemap.xml");
  const RobotsRules huge = RobotsRules::Parse("User-agent: *\nCrawl-delay: 86400\n", "embarc");
  REQUIRE(huge.crawl_delay());
  CHECK(*huge.crawl_delay() == embarc::crawl::kMaxCrawlDelay);
  CHECK_FALSE(RobotsRules::Parse("User-agent: *\nCrawl-delay: soon\n", "embarc").crawl_delay());
}

TEST_CASE("robots: only the first kMaxRobotsBytes are read", "[crawl][robots][limits]") {
  std::string text = "User-agent: *\nDisallow: /early/\n";
  text += "# " + std::string(kMaxRobotsBytes, 'x') + "\n";
  text += "Disallow: /late/\n";
  const RobotsRules r = RobotsRules::Parse(text, "embarc");
  CHECK_FALSE(r.IsAllowed("/early/a"));
  CHECK(r.IsAllowed("/late/a"));  // past the limit: ignored
  // Within the limit the same rule counts.
  const RobotsRules small = RobotsRules::Parse("User-agent: *\nDisallow: /early/\nDisallow: /late/\n", "embarc");
  CHECK_FALSE(small.IsAllowed("/late/a"));
}
