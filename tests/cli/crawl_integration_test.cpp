// The crawler end to end: the real embarc binary over the fixture server's site.example
// (tools/fixtures/README.md, "A crawlable site").
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kSite = "https://site.example/";

std::vector<std::string> Args(const fs::path& archive, const std::vector<std::string>& tail, const FixtureServer* server) {
  std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
  a.insert(a.end(), tail.begin(), tail.end());
  if (server != nullptr) {
    auto net = server->EmbarcNetArgs();
    a.insert(a.end(), net.begin(), net.end());
  }
  return a;
}

struct World {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  World() : archive(dir.path() / "archive") {
    auto init = RunCommand(Args(archive, {"init"}, nullptr));
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
  }
  CommandResult Embarc(const std::vector<std::string>& tail) { return RunCommand(Args(archive, tail, &server)); }
  // How many requests for `path` on site.example the server has answered (any status).
  std::size_t Count(const std::string& path) const {
    const std::string needle = "GET https://site.example" + path + " ";
    std::size_t n = 0;
    for (const auto& l : server.RequestLog()) n += l.rfind(needle, 0) == 0 ? 1 : 0;
    return n;
  }
  std::vector<std::string> SitePaths() const {
    std::vector<std::string> out;
    for (const auto& l : server.RequestLog()) {
      const std::string prefix = "GET https://site.example";
      if (l.rfind(prefix, 0) != 0) continue;
      out.push_back(l.substr(prefix.size(), l.find(' ', prefix.size()) - prefix.size()));
    }
    return out;
  }
  bool AnyRequestTo(const std::string& needle) const {
    for (const auto& l : server.RequestLog()) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

nlohmann::json Summary(const std::string& out) {
  for (auto& j : JsonLines(out)) {
    if (j.contains("summary")) return j;
  }
  return nullptr;
}

std::set<std::string> ArchivedArticles(const std::string& out) {
  std::set<std::string> s;
  for (auto& j : JsonLines(out)) {
    if (j.contains("article") && j["ok"] == true) s.insert(j["article"].get<std::string>());
  }
  return s;
}

// Rows of one SQL query, each row's columns joined by '|'.
std::vector<std::string> Query(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  std::vector<std::string> rows;
  sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int n, char** values, char**) {
        std::string row;
        for (int i = 0; i < n; ++i) row += (i ? "|" : "") + std::string(values[i] ? values[i] : "NULL");
        static_cast<std::vector<std::string>*>(out)->push_back(row);
        return 0;
      },
      &rows, nullptr);
  sqlite3_close(db);
  return rows;
}

// Waits until the server has logged a line containing `needle`; returns when it saw it.
Clock::time_point WaitForLog(const FixtureServer& s, const std::string& needle, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    for (const auto& l : s.RequestLog()) {
      if (l.find(needle) != std::string::npos) return Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("no request log line with " << needle);
  return Clock::now();
}

const std::string A1 = "/2024/10/first-article.html";
const std::string A2 = "/2024/10/second-article.html";
const std::string BUSY = "/2024/10/busy-article.html";
const std::string DEEP = "/2024/10/deep-article.html";
const std::string OLDER = "/2024/09/older-article.html";
const std::string DEEPEST = "/2024/08/deepest-article.html";

}  // namespace

TEST_CASE("crawl: --depth 1 follows same-site links once, honours robots.txt, archives the articles", "[integration][crawl]") {
  World w;
  auto run = w.Embarc({"--json", "archive", kSite, "--depth", "1", "--interval", "0.01"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);

  // Depth 0 and 1, each page once (the busy page: 503 with Retry-After, then its answer).
  for (const std::string& p : {std::string("/"), std::string("/about.html"), A1, A2, std::string("/private/press/statement.html")}) {
    INFO(p);
    CHECK(w.Count(p) == 1);
  }
  CHECK(w.Count(BUSY) == 2);
  CHECK(w.Count("/robots.txt") == 1);
  // Not at depth 1: the links of depth-1 pages.
  CHECK(w.Count(DEEP) == 0);
  CHECK(w.Count(OLDER) == 0);
  // robots.txt disallows /private/ for embarc (the longer Allow opens /private/press/).
  CHECK(w.Count("/private/drafts.html") == 0);
  // Off-site links, assets and fragments are not followed.
  CHECK_FALSE(w.AnyRequestTo("news.example/"));
  CHECK(w.Count("/static/logo.png") == 0);

  // The seed and the three articles went through the capture pipeline; both tweets were captured.
  const auto archived = ArchivedArticles(run.out);
  CHECK(archived == std::set<std::string>{kSite, kSite + A1.substr(1), kSite + A2.substr(1), kSite + BUSY.substr(1)});
  CHECK(w.AnyRequestTo("cdn.syndication.twimg.com/tweet-result?id=1848047034574221401"));
  CHECK(w.AnyRequestTo("cdn.syndication.twimg.com/tweet-result?id=1848100000000000001"));
  const nlohmann::json s = Summary(run.out);
  REQUIRE_FALSE(s.is_null());
  CHECK(s["robots_blocked"] == 1);
  CHECK(s["offsite_links"].get<int>() >= 1);
  CHECK(s["pending"] == 0);

  // The frontier is in the index: every URL done, depths as crawled.
  const auto rows = Query(w.archive / "index.sqlite3", "SELECT url, depth, state FROM crawl_frontier ORDER BY depth, seq");
  CHECK(std::find(rows.begin(), rows.end(), kSite + "|0|done") != rows.end());
  CHECK(std::find(rows.begin(), rows.end(), kSite + A1.substr(1) + "|1|done") != rows.end());
  CHECK(rows.size() == 6);

  auto verify = RunCommand(Args(w.archive, {"verify"}, nullptr));
  INFO(verify.err);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("crawl: --depth 2 reaches the links of depth-1 pages and no further", "[integration][crawl]") {
  World w;
  auto run = w.Embarc({"--json", "archive", kSite, "--depth", "2", "--interval", "0.01"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(w.Count(DEEP) == 1);
  CHECK(w.Count(OLDER) == 1);     // linked from two depth-1 pages, fetched once
  CHECK(w.Count(DEEPEST) == 0);   // depth 3
  CHECK(w.Count("/private/drafts.html") == 0);
  const auto archived = ArchivedArticles(run.out);
  CHECK(archived.count(kSite + DEEP.substr(1)) == 1);
  CHECK(archived.count(kSite + OLDER.substr(1)) == 1);
  // Every page the server saw for site.example was asked once, but the busy one (503 then 200).
  std::map<std::string, int> seen;
  for (const auto& p : w.SitePaths()) ++seen[p];
  for (const auto& [p, n] : seen) {
    INFO(p);
    CHECK(n == (p == BUSY ? 2 : 1));
  }
}

TEST_CASE("crawl: Retry-After on 503 and 429 is waited for before the retry", "[integration][crawl]") {
  SECTION("503 with Retry-After: 1 (X-Fixture-Fail-Times)") {
    World w;
    embarc::testing::BackgroundCommand bg(Args(w.archive, {"--json", "archive", kSite, "--depth", "1", "--interval", "0.01"}, &w.server));
    const auto first = WaitForLog(w.server, "site.example" + BUSY + " 503", std::chrono::seconds(60));
    const auto second = WaitForLog(w.server, "site.example" + BUSY + " 200", std::chrono::seconds(60));
    auto run = bg.Wait();
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(second - first >= std::chrono::milliseconds(900));
    bool retry_event = false;
    for (auto& j : JsonLines(run.out)) {
      retry_event = retry_event || (j.value("event", "") == "retry" && j["status"] == 503 &&
                                    j["url"].get<std::string>().find("busy-article") != std::string::npos);
    }
    CHECK(retry_event);
  }
  SECTION("429 with Retry-After: 2, then the page") {
    World w;
    const fs::path about = w.server.root() / "site.example" / "about.html";
    const std::string original = embarc::testing::ReadFileText(about);
    fs::copy_file(embarc::testing::SourceDir() / "tools/fixtures/variants/site/page.429", about,
                  fs::copy_options::overwrite_existing);
    embarc::testing::BackgroundCommand bg(Args(w.archive, {"--json", "archive", kSite, "--depth", "1", "--interval", "0.01"}, &w.server));
    const auto first = WaitForLog(w.server, "site.example/about.html 429", std::chrono::seconds(60));
    embarc::testing::WriteFileText(about, original);  // the site recovers
    const auto second = WaitForLog(w.server, "site.example/about.html 200", std::chrono::seconds(60));
    auto run = bg.Wait();
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(second - first >= std::chrono::milliseconds(1800));
    CHECK(w.Count("/about.html") == 2);
  }
}

TEST_CASE("crawl: a Retry-After over the cap fails the page (exit 4) and a rerun picks it up", "[integration][crawl]") {
  World w;
  const fs::path page = w.server.root() / "site.example" / "private/press/statement.html";
  const std::string original = embarc::testing::ReadFileText(page);
  fs::copy_file(embarc::testing::SourceDir() / "tools/fixtures/variants/site/page.429-long", page,
                fs::copy_options::overwrite_existing);
  auto run = w.Embarc({"--json", "archive", kSite, "--depth", "1", "--interval", "0.01"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  CHECK(w.Count("/private/press/statement.html") == 1);  // not asked again in the same run
  auto rows = Query(w.archive / "index.sqlite3",
                    "SELECT state FROM crawl_frontier WHERE url = 'https://site.example/private/press/statement.html'");
  CHECK(rows == std::vector<std::string>{"failed"});

  embarc::testing::WriteFileText(page, original);
  auto again = w.Embarc({"--json", "archive", kSite, "--depth", "1", "--interval", "0.01"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(w.Count("/private/press/statement.html") == 2);
  CHECK(w.Count(A1) == 1);  // done pages are not fetched again
  rows = Query(w.archive / "index.sqlite3",
               "SELECT state FROM crawl_frontier WHERE url = 'https://site.example/private/press/statement.html'");
  CHECK(rows == std::vector<std::string>{"done"});
}

TEST_CASE("crawl: a run stopped by --max-pages resumes where it stopped", "[integration][crawl]") {
  World w;
  auto first = w.Embarc({"--json", "archive", kSite, "--depth", "2", "--interval", "0.01", "--max-pages", "3"});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  const nlohmann::json s1 = Summary(first.out);
  REQUIRE_FALSE(s1.is_null());
  CHECK(s1["pages_fetched"] == 3);
  CHECK(s1["pending"].get<int>() > 0);
  const auto before = w.SitePaths();

  auto second = w.Embarc({"--json", "archive", kSite, "--depth", "2", "--interval", "0.01"});
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  const nlohmann::json s2 = Summary(second.out);
  CHECK(s2["already_done"] == 3);
  CHECK(s2["pending"] == 0);
  // The pages of the first run were not fetched again.
  for (const auto& p : before) {
    if (p == "/robots.txt") continue;
    INFO(p);
    CHECK(w.Count(p) == 1);
  }
  CHECK(w.Count(DEEP) == 1);
  CHECK(w.Count(OLDER) == 1);
  const auto states = Query(w.archive / "index.sqlite3", "SELECT DISTINCT state FROM crawl_frontier");
  CHECK(states == std::vector<std::string>{"done"});

  // A third run has nothing left to do and asks the site for nothing.
  const std::size_t requests = w.SitePaths().size();
  auto third = w.Embarc({"--json", "archive", kSite, "--depth", "2", "--interval", "0.01"});
  CHECK(third.exit_code == 0);
  CHECK(w.SitePaths().size() == requests);
}

TEST_CASE("crawl: a killed run resumes without fetching its finished pages again", "[integration][crawl]") {
  World w;
  // The depth-2 page answers only after a long delay: the crawler is killed while waiting for it.
  const fs::path deep = w.server.root() / "site.example" / DEEP.substr(1);
  const std::string original = embarc::testing::ReadFileText(deep);
  embarc::testing::WriteFileText(deep, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nX-Fixture-Delay-Ms: 120000\r\n\r\n" + original);
  const auto argv = Args(w.archive, {"archive", kSite, "--depth", "2", "--interval", "0.01"}, &w.server);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execv(cargv[0], cargv.data());
    _exit(127);
  }
  // Wait until depth 0 and 1 are finished (their articles archived), then kill the crawler.
  const auto deadline = Clock::now() + std::chrono::seconds(90);
  bool levels_done = false;
  while (Clock::now() < deadline && !levels_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!fs::exists(w.archive / "index.sqlite3")) continue;
    const auto open = Query(w.archive / "index.sqlite3", "SELECT COUNT(*) FROM crawl_frontier WHERE depth <= 1 AND state != 'done'");
    const auto all = Query(w.archive / "index.sqlite3", "SELECT COUNT(*) FROM crawl_frontier WHERE depth = 2");
    levels_done = open == std::vector<std::string>{"0"} && all != std::vector<std::string>{"0"};
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(levels_done);
  CHECK(WIFSIGNALED(status));
  const auto pending = Query(w.archive / "index.sqlite3", "SELECT url FROM crawl_frontier WHERE state = 'pending' ORDER BY url");
  CHECK(pending == std::vector<std::string>{kSite + OLDER.substr(1), kSite + DEEP.substr(1)});  // ORDER BY url

  embarc::testing::WriteFileText(deep, original);
  auto resumed = w.Embarc({"--json", "archive", kSite, "--depth", "2", "--interval", "0.01"});
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(w.Count("/") == 1);
  CHECK(w.Count(A1) == 1);
  CHECK(w.Count(A2) == 1);
  CHECK(w.Count("/about.html") == 1);
  CHECK(w.Count("/private/press/statement.html") == 1);
  CHECK(Summary(resumed.out)["already_done"] == 6);
  CHECK(ArchivedArticles(resumed.out) == std::set<std::string>{kSite + DEEP.substr(1), kSite + OLDER.substr(1)});
}

TEST_CASE("feed: RSS and Atom articles are archived once, a second run captures only new entries", "[integration][crawl]") {
  World w;
  auto first = w.Embarc({"--json", "archive", "--feed", kSite + "feed.xml", "--interval", "0.01"});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(ArchivedArticles(first.out) == std::set<std::string>{kSite + A1.substr(1), kSite + A2.substr(1)});
  CHECK(Summary(first.out)["skipped_known"] == 0);
  CHECK(w.AnyRequestTo("cdn.syndication.twimg.com/tweet-result?id=1848047034574221401"));

  auto second = w.Embarc({"archive", "--feed", kSite + "feed.xml", "--interval", "0.01"});
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("2 article(s) listed, 0 new, 2 already in the archive (skipped)") != std::string::npos);
  CHECK(w.Count(A1) == 1);
  CHECK(w.Count(A2) == 1);
  CHECK(w.Count("/feed.xml") == 2);

  // The site publishes a new story: only it is fetched.
  const fs::path feed = w.server.root() / "site.example" / "feed.xml";
  std::string text = embarc::testing::ReadFileText(feed);
  text.replace(text.find("    <item>"), 0,
               "    <item><title>New</title><link>https://site.example/2024/10/deep-article.html</link></item>\n");
  embarc::testing::WriteFileText(feed, text);
  auto third = w.Embarc({"--json", "archive", "--feed", kSite + "feed.xml", "--interval", "0.01"});
  INFO(third.out << third.err);
  REQUIRE(third.exit_code == 0);
  CHECK(ArchivedArticles(third.out) == std::set<std::string>{kSite + DEEP.substr(1)});
  CHECK(Summary(third.out)["skipped_known"] == 2);
  CHECK(w.Count(DEEP) == 1);
  CHECK(w.Count(A1) == 1);

  // Atom: one entry is new, the other (deep-article) is known by now.
  auto atom = w.Embarc({"--json", "archive", "--feed", kSite + "atom.xml", "--interval", "0.01"});
  INFO(atom.out << atom.err);
  REQUIRE(atom.exit_code == 0);
  CHECK(ArchivedArticles(atom.out) == std::set<std::string>{kSite + OLDER.substr(1)});
  CHECK(w.Count(DEEP) == 1);
}

TEST_CASE("sitemap: an index with a news sitemap, a second run captures only new URLs", "[integration][crawl]") {
  World w;
  auto first = w.Embarc({"--json", "archive", "--sitemap", kSite + "sitemap_index.xml", "--interval", "0.01"});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(ArchivedArticles(first.out) == std::set<std::string>{kSite + A1.substr(1), kSite + DEEP.substr(1),
                                                             kSite + A2.substr(1), kSite + OLDER.substr(1)});
  CHECK(Summary(first.out)["listed"] == 4);  // first-article is in both child sitemaps: once
  CHECK(w.Count("/sitemap-news.xml") == 1);
  CHECK(w.Count("/sitemap-2024.xml") == 1);
  CHECK(w.Count(A1) == 1);

  const fs::path sm = w.server.root() / "site.example" / "sitemap-2024.xml";
  std::string text = embarc::testing::ReadFileText(sm);
  text.replace(text.find("</urlset>"), 0, "  <url><loc>https://site.example/2024/08/deepest-article.html</loc></url>\n");
  embarc::testing::WriteFileText(sm, text);
  auto second = w.Embarc({"archive", "--sitemap", kSite + "sitemap_index.xml", "--interval", "0.01"});
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("5 article(s) listed, 1 new, 4 already in the archive (skipped)") != std::string::npos);
  CHECK(w.Count(DEEPEST) == 1);
  CHECK(w.Count(A1) == 1);
  CHECK(w.Count(OLDER) == 1);
}

TEST_CASE("crawl: bad usage and unreadable feeds are exit 2 with one line", "[integration][crawl]") {
  World w;
  CHECK(w.Embarc({"archive", kSite, "--depth", "x"}).exit_code == 2);
  CHECK(w.Embarc({"archive", kSite, "--depth", "99"}).exit_code == 2);
  CHECK(w.Embarc({"archive", "--depth", "1"}).exit_code == 2);
  CHECK(w.Embarc({"archive", kSite, "--feed", kSite + "feed.xml"}).exit_code == 2);
  embarc::testing::WriteFileText(w.server.root() / "site.example" / "broken.xml", "<rss><channel><item>");
  auto broken = w.Embarc({"archive", "--feed", kSite + "broken.xml"});
  CHECK(broken.exit_code == 2);
  CHECK(broken.err.find("malformed XML") != std::string::npos);
  CHECK(std::count(broken.err.begin(), broken.err.end(), '\n') == 1);
  auto missing = w.Embarc({"archive", "--sitemap", kSite + "no-such-sitemap.xml"});
  CHECK(missing.exit_code == 4);
  CHECK(missing.err.find("HTTP 404") != std::string::npos);
}
