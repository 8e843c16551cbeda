// End to end over the fixture server: the real embarc binary, real HTTPS, real files.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store/json_codec.h"
#include "support/fixture_server.h"
#include "support/json_lines.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kArticle = "https://news.example/world/2024/10/20/north-korean-troops-russia.html";
const char* kTweet = "https://twitter.com/ZelenskyyUa/status/1848047034574221401";
const char* kTweetId = "1848047034574221401";

std::vector<std::string> Args(const fs::path& archive, std::initializer_list<std::string> tail,
                              const std::vector<std::string>& net = {}) {
  std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
  a.insert(a.end(), tail.begin(), tail.end());
  a.insert(a.end(), net.begin(), net.end());
  return a;
}

CommandResult Embarc(const fs::path& archive, std::initializer_list<std::string> tail,
                     const std::vector<std::string>& net = {}) {
  return RunCommand(Args(archive, tail, net));
}

fs::path SyndicationFile(const FixtureServer& s) {
  return s.root() / "cdn.syndication.twimg.com" / (std::string("tweet-result?id=") + kTweetId);
}
fs::path OembedFile(const FixtureServer& s) {
  return s.root() / "publish.twitter.com" /
         "oembed?url=https%3A%2F%2Ftwitter.com%2FZelenskyyUa%2Fstatus%2F1848047034574221401";
}
fs::path Variant(const std::string& name) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "twitter" / name;
}

void CopyOver(const fs::path& from, const fs::path& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

nlohmann::json PostLine(const std::string& out, const std::string& post_id) {
  return embarc::testing::PostLine(out, post_id);
}

void Sql(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

struct ArchivedWorld {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  ArchivedWorld() : archive(dir.path() / "archive") {
    auto init = Embarc(archive, {"init"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    auto run = Embarc(archive, {"--json", "archive", kArticle}, server.EmbarcNetArgs());
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    archive_out = run.out;
  }
  std::string archive_out;
};

}  // namespace

TEST_CASE("archive: the sample article's tweets are captured, signed, indexed, and verify passes", "[integration]") {
  ArchivedWorld w;
  const nlohmann::json z = PostLine(w.archive_out, kTweetId);
  REQUIRE_FALSE(z.is_null());
  CHECK(z["state"] == "available");
  CHECK(z["change"] == "first");
  CHECK(z["media"] == 1);
  CHECK(z["media_failed"] == 0);
  const nlohmann::json second = PostLine(w.archive_out, "1848100000000000001");
  REQUIRE_FALSE(second.is_null());
  CHECK(second["state"] == "available");

  // What was fetched: the article, both tweets' syndication (with the real token) and oEmbed, the photo.
  const auto log = w.server.RequestLog();
  auto fetched = [&](const std::string& needle) {
    for (const auto& l : log) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  CHECK(fetched("news.example/world/2024/10/20/north-korean-troops-russia.html"));
  CHECK(fetched("cdn.syndication.twimg.com/tweet-result?id=1848047034574221401"));
  CHECK(fetched("publish.twitter.com/oembed?url="));
  CHECK(fetched("pbs.twimg.com/media/"));

  auto verify = Embarc(w.archive, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("verified") != std::string::npos);

  auto history = Embarc(w.archive, {"--json", "history", kTweet});
  REQUIRE(history.exit_code == 0);
  const auto h = nlohmann::json::parse(history.out);
  REQUIRE(h["snapshots"].size() == 1);
  const std::string text = h["snapshots"][0]["text"];
  CHECK(text.find("Pyongyang") != std::string::npos);  // the full text, beyond the article's shortened quote
}

TEST_CASE("verify: a flipped byte in a WARC file is exit 3 naming the file", "[integration]") {
  ArchivedWorld w;
  fs::path warc;
  for (const auto& e : fs::directory_iterator(w.archive / "warc")) warc = e.path();
  REQUIRE_FALSE(warc.empty());
  embarc::testing::FlipByte(warc, fs::file_size(warc) / 2);
  auto verify = Embarc(w.archive, {"verify"});
  CHECK(verify.exit_code == 3);
  CHECK(verify.err.find(warc.filename().string()) != std::string::npos);
  CHECK(std::count(verify.err.begin(), verify.err.end(), '\n') == 1);
}

TEST_CASE("verify: a changed row in the database is exit 3", "[integration]") {
  ArchivedWorld w;
  SECTION("a snapshot's state") { Sql(w.archive / "index.sqlite3", "UPDATE snapshots SET state = 'deleted' WHERE leaf_index = 1"); }
  SECTION("a capture's payload digest") {
    Sql(w.archive / "index.sqlite3", "UPDATE captures SET payload_sha256 = '" + std::string(64, '0') + "' WHERE id = (SELECT MAX(id) FROM captures)");
  }
  // Records are stored packed (store/json_codec.h): a forger unpacks, edits and packs again.
  SECTION("a record's bytes, packed again") {
    const fs::path db = w.archive / "index.sqlite3";
    int changed = 0;
    for (const std::string& id : embarc::testing::QuerySql(db, "SELECT id FROM snapshots")) {
      const std::string stored = embarc::testing::QueryBlob(db, "SELECT record FROM snapshots WHERE id = " + id);
      REQUIRE(stored.front() == embarc::store::kPackedJsonV1);
      auto record = embarc::store::UnpackJson(stored);
      REQUIRE(record);
      const std::size_t at = record->find("Pyongyang");
      if (at == std::string::npos) continue;
      record->replace(at, 9, "Pyongyanh");
      const std::string repacked = embarc::store::PackJson(*record);
      embarc::testing::ExecSql(db, "UPDATE snapshots SET record = ? WHERE id = " + id, &repacked);
      ++changed;
    }
    REQUIRE(changed > 0);
  }
  SECTION("a packed record's byte") {
    const fs::path db = w.archive / "index.sqlite3";
    std::string stored = embarc::testing::QueryBlob(db, "SELECT record FROM snapshots WHERE leaf_index = 1");
    stored[stored.size() / 2] = static_cast<char>(stored[stored.size() / 2] ^ 0x10);
    embarc::testing::ExecSql(db, "UPDATE snapshots SET record = ? WHERE leaf_index = 1", &stored);
  }
  // verify matches capture rows against the records its WARC scan saw; a row naming any other
  // range is read there and refused.
  SECTION("a capture row moved one byte into its record") {
    Sql(w.archive / "index.sqlite3",
        "UPDATE captures SET response_offset = response_offset + 1 WHERE id = (SELECT MAX(id) FROM captures WHERE warc_file IS NOT NULL)");
  }
  SECTION("a capture row pointing at another record") {
    Sql(w.archive / "index.sqlite3",
        "UPDATE captures SET (response_offset, response_length) = (SELECT response_offset, response_length FROM captures "
        "WHERE id = (SELECT MIN(id) FROM captures WHERE warc_file IS NOT NULL)) "
        "WHERE id = (SELECT MAX(id) FROM captures WHERE warc_file IS NOT NULL)");
  }
  SECTION("a removed snapshot") { Sql(w.archive / "index.sqlite3", "DELETE FROM snapshot_captures WHERE snapshot_id = 1; DELETE FROM snapshots WHERE id = 1"); }
  auto verify = Embarc(w.archive, {"verify"});
  INFO(verify.err);
  CHECK(verify.exit_code == 3);
  CHECK_FALSE(verify.err.empty());
}

TEST_CASE("capture: a deleted tweet is recorded as deleted, after available", "[integration]") {
  ArchivedWorld w;
  fs::remove(SyndicationFile(w.server));
  fs::remove(OembedFile(w.server));
  auto run = Embarc(w.archive, {"--json", "capture", kTweet}, w.server.EmbarcNetArgs());
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  const auto line = PostLine(run.out, kTweetId);
  REQUIRE_FALSE(line.is_null());
  CHECK(line["state"] == "deleted");
  CHECK(line["change"] == "deleted");
  auto history = Embarc(w.archive, {"--json", "history", kTweet});
  const auto h = nlohmann::json::parse(history.out);
  REQUIRE(h["snapshots"].size() == 2);
  CHECK(h["snapshots"][0]["state"] == "available");
  CHECK(h["snapshots"][1]["state"] == "deleted");
  CHECK(Embarc(w.archive, {"verify"}).exit_code == 0);
}

TEST_CASE("capture: a 503 and a timeout are unreachable, never deleted", "[integration]") {
  ArchivedWorld w;
  std::string variant;
  SECTION("503") { variant = "tweet-result.503"; }
  SECTION("timeout") { variant = "tweet-result.timeout"; }
  CopyOver(Variant(variant), SyndicationFile(w.server));
  fs::remove(OembedFile(w.server));  // even with oEmbed saying 404, a failed primary source is no deletion
  auto net = w.server.EmbarcNetArgs();
  net.push_back("--timeout");
  net.push_back("2");
  auto run = Embarc(w.archive, {"--json", "capture", kTweet}, net);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  const auto line = PostLine(run.out, kTweetId);
  REQUIRE_FALSE(line.is_null());
  CHECK(line["state"] == "unreachable");
  CHECK(line["change"] == "unknown");
  CHECK(Embarc(w.archive, {"verify"}).exit_code == 0);
}

TEST_CASE("bad input: one line on stderr, exit 2, nothing written", "[integration]") {
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(Embarc(archive, {"init"}).exit_code == 0);
  auto count_warc = [&] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(archive / "warc")) ++n;
    return n;
  };

  SECTION("a URL that is not http(s)") {
    auto r = Embarc(archive, {"archive", "ftp://news.example/a.html"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("not an http(s) URL") != std::string::npos);
  }
  SECTION("a missing file") {
    auto r = Embarc(archive, {"archive", (dir.path() / "nope.html").string()});
    CHECK(r.exit_code == 2);
  }
  SECTION("a huge HTML file") {
    embarc::testing::WriteFileText(dir.path() / "huge.html", std::string(17u << 20, 'a'));
    auto r = Embarc(archive, {"archive", (dir.path() / "huge.html").string()});
    CHECK(r.exit_code == 2);
  }
  SECTION("deeply nested HTML") {
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "<div>";
    embarc::testing::WriteFileText(dir.path() / "deep.html", deep);
    auto r = Embarc(archive, {"archive", (dir.path() / "deep.html").string()});
    CHECK(r.exit_code == 2);
  }
  SECTION("non-UTF-8 HTML is read, not refused") {
    embarc::testing::WriteFileText(dir.path() / "latin1.html", "<html><body><p>caf\xe9 \xff\xfe</p></body></html>");
    auto r = Embarc(archive, {"--json", "extract", (dir.path() / "latin1.html").string()});
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
    return;
  }
  SECTION("a missing archive folder") {
    auto r = Embarc(dir.path() / "absent", {"verify"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no embarc archive") != std::string::npos);
    return;
  }
  SECTION("a foreign folder") {
    embarc::testing::WriteFileText(dir.path() / "foreign" / "notes.txt", "mine");
    auto r = Embarc(dir.path() / "foreign", {"verify"});
    CHECK(r.exit_code == 2);
    auto init = Embarc(dir.path() / "foreign", {"init"});
    CHECK(init.exit_code == 2);
    CHECK(embarc::testing::ReadFileText(dir.path() / "foreign" / "notes.txt") == "mine");
    return;
  }
  SECTION("an unknown command") {
    auto r = Embarc(archive, {"frobnicate"});
    CHECK(r.exit_code == 2);
  }
  CHECK(count_warc() == 0);
  CHECK(Embarc(archive, {"verify"}).exit_code == 0);
}

TEST_CASE("extract --json prints the DESIGN §3 shape for the sample article", "[integration]") {
  FixtureServer server;
  auto args = std::vector<std::string>{embarc::testing::EmbarcBinary(), "extract", "--json", kArticle};
  for (const auto& a : server.EmbarcNetArgs()) args.push_back(a);
  auto r = RunCommand(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto z = PostLine(r.out, kTweetId);
  REQUIRE_FALSE(z.is_null());
  CHECK(z["source"] == kArticle);
  CHECK(z["platform"] == "twitter");
  CHECK(z["url"] == kTweet);
  CHECK(z["author"] == "ZelenskyyUa");
  CHECK(z["occurrences"] == 1);
  CHECK(z["quote"]["date"] == "October 20, 2024");
  CHECK(z["quote"]["author_name"] == "Volodymyr Zelenskyy / Володимир Зеленський");
  const std::string text = z["quote"]["text"];
  CHECK(text.find("pic.twitter.com/3k70A8T7AF") != std::string::npos);
  // A prose link to a tweet is not an embed: only the two embedded tweets are reported.
  CHECK(JsonLines(r.out).size() == 2);
}
