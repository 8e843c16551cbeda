// Re-checking over the fixture server: edits, deletions, restorations, withheld posts,
// rate limits and timeouts, the schedule on a pinned clock, overlapping runs, notifications.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/fixture_server.h"
#include "support/json_lines.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::BackgroundCommand;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kArticle = "https://news.example/world/2024/10/20/north-korean-troops-russia.html";
const char* kTweet = "https://twitter.com/ZelenskyyUa/status/1848047034574221401";
const char* kZelenskyyId = "1848047034574221401";
const char* kDeskId = "1848100000000000001";
const char* kDesk = "https://twitter.com/WorldDeskWire/status/1848100000000000001";

struct World {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  World() : archive(dir.path() / "archive") { REQUIRE(Run({"init"}).exit_code == 0); }

  std::vector<std::string> Cmd(std::vector<std::string> args) const {
    std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
    a.insert(a.end(), args.begin(), args.end());
    for (const auto& n : server.EmbarcNetArgs()) a.push_back(n);
    a.push_back("--timeout");
    a.push_back("2");
    return a;
  }
  CommandResult Run(std::vector<std::string> args, const std::vector<std::string>& env = {}) const {
    return RunCommand(Cmd(std::move(args)), env);
  }
  fs::path Syndication(const std::string& id) const {
    return server.root() / "cdn.syndication.twimg.com" / ("tweet-result?id=" + id);
  }
  fs::path Oembed(const std::string& handle, const std::string& id) const {
    return server.root() / "publish.twitter.com" /
           ("oembed?url=https%3A%2F%2Ftwitter.com%2F" + handle + "%2Fstatus%2F" + id);
  }
  void UseVariant(const std::string& variant, const std::string& id) const {
    fs::copy_file(embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "twitter" / variant, Syndication(id),
                  fs::copy_options::overwrite_existing);
  }
};

nlohmann::json Line(const std::string& out, const std::string& post_id) {
  return embarc::testing::PostLine(out, post_id);
}

}  // namespace

TEST_CASE("recheck: unchanged posts are exit 0 and recorded as unchanged", "[integration][recheck]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  auto r = w.Run({"--json", "recheck", "--all"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Line(r.out, kZelenskyyId)["change"] == "unchanged");
  CHECK(Line(r.out, kDeskId)["change"] == "unchanged");
}

TEST_CASE("recheck: an edited tweet (an edit chain, new text) is exit 1 with a word diff", "[integration][recheck]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  w.UseVariant("tweet-result.edited", kDeskId);
  auto r = w.Run({"--json", "recheck", "--all"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Line(r.out, kDeskId)["change"] == "edited");
  CHECK(Line(r.out, kZelenskyyId)["change"] == "unchanged");
  auto h = w.Run({"--json", "history", kDesk});
  REQUIRE(h.exit_code == 0);
  const auto j = nlohmann::json::parse(h.out);
  REQUIRE(j["snapshots"].size() == 2);
  CHECK(j["snapshots"][1]["change"] == "edited");
  const std::string diff = j["snapshots"][1]["diff"];
  CHECK(diff.find("{+") != std::string::npos);
  CHECK(diff.find("[-") != std::string::npos);
  auto human = w.Run({"history", kDesk});
  CHECK(human.out.find("text changed:") != std::string::npos);
  CHECK(w.Run({"verify"}).exit_code == 0);
}

TEST_CASE("recheck: deleted, then restored", "[integration][recheck]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  const std::string saved = embarc::testing::ReadFileText(w.Syndication(kZelenskyyId));
  const std::string saved_oembed = embarc::testing::ReadFileText(w.Oembed("ZelenskyyUa", kZelenskyyId));
  fs::remove(w.Syndication(kZelenskyyId));
  fs::remove(w.Oembed("ZelenskyyUa", kZelenskyyId));
  auto gone = w.Run({"--json", "recheck", kTweet});
  CHECK(gone.exit_code == 1);
  CHECK(Line(gone.out, kZelenskyyId)["change"] == "deleted");
  embarc::testing::WriteFileText(w.Syndication(kZelenskyyId), saved);
  embarc::testing::WriteFileText(w.Oembed("ZelenskyyUa", kZelenskyyId), saved_oembed);
  auto back = w.Run({"--json", "recheck", kTweet});
  CHECK(back.exit_code == 0);
  CHECK(Line(back.out, kZelenskyyId)["state"] == "available");
  CHECK(Line(back.out, kZelenskyyId)["change"] == "restored");
}

TEST_CASE("recheck: withheld, rate limited and timed out posts", "[integration][recheck]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  SECTION("withheld (tombstone: unavailable, oEmbed 403) is a finding, not a deletion") {
    w.UseVariant("tweet-result.tombstone-unavailable", kZelenskyyId);
    fs::copy_file(embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "twitter" / "oembed.403",
                  w.Oembed("ZelenskyyUa", kZelenskyyId), fs::copy_options::overwrite_existing);
    auto r = w.Run({"--json", "recheck", kTweet});
    CHECK(r.exit_code == 1);
    CHECK(Line(r.out, kZelenskyyId)["state"] == "withheld");
    CHECK(Line(r.out, kZelenskyyId)["change"] == "withheld");
  }
  SECTION("429 with Retry-After, oEmbed still answering: available from oEmbed, not compared, no edit") {
    w.UseVariant("tweet-result.429", kZelenskyyId);
    auto r = w.Run({"--json", "recheck", kTweet});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(Line(r.out, kZelenskyyId)["state"] == "available");
    CHECK(Line(r.out, kZelenskyyId)["change"] == "unknown");
  }
  SECTION("429 with Retry-After is rate_limited, unknown, exit 4, retried no sooner than asked") {
    w.UseVariant("tweet-result.429", kZelenskyyId);
    fs::copy_file(embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "twitter" / "tweet-result.429",
                  w.Oembed("ZelenskyyUa", kZelenskyyId), fs::copy_options::overwrite_existing);
    auto r = w.Run({"--json", "recheck", kTweet}, {"EMBARC_NOW=2030-01-01T00:00:00.000Z"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    const auto line = Line(r.out, kZelenskyyId);
    CHECK(line["state"] == "rate_limited");
    CHECK(line["change"] == "unknown");
    auto due = w.Run({"--json", "recheck", "--due"}, {"EMBARC_NOW=2030-01-01T00:00:10.000Z"});
    CHECK(Line(due.out, kZelenskyyId).is_null());  // Retry-After: 30 not yet passed
  }
  SECTION("a timeout is unreachable, unknown, exit 4") {
    w.UseVariant("tweet-result.timeout", kZelenskyyId);
    fs::copy_file(embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "twitter" / "tweet-result.503",
                  w.Oembed("ZelenskyyUa", kZelenskyyId), fs::copy_options::overwrite_existing);
    auto r = w.Run({"--json", "recheck", kTweet});
    CHECK(r.exit_code == 4);
    CHECK(Line(r.out, kZelenskyyId)["state"] == "unreachable");
    CHECK(Line(r.out, kZelenskyyId)["change"] == "unknown");
  }
  CHECK(w.Run({"verify"}).exit_code == 0);
}

TEST_CASE("recheck: a post that no longer says what the article printed, on its first capture", "[integration][recheck]") {
  World w;
  // The live text changed before the archive ever saw the post.
  std::string body = embarc::testing::ReadFileText(w.Syndication(kZelenskyyId));
  const std::string from = "I received an intelligence report";
  REQUIRE(body.find(from) != std::string::npos);
  body.replace(body.find(from), from.size(), "We received a report");
  embarc::testing::WriteFileText(w.Syndication(kZelenskyyId), body);
  auto r = w.Run({"--json", "archive", kArticle});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto status = w.Run({"--json", "status", "--since", "2000-01-01T00:00:00Z"});
  REQUIRE(status.exit_code == 0);
  const auto line = Line(status.out, kZelenskyyId);
  REQUIRE_FALSE(line.is_null());
  CHECK(line["quote_mismatch"] == true);
  CHECK(line["cited_in"][0] == kArticle);
  // The other tweet's quote is the full text: it still matches.
  CHECK(Line(status.out, kDeskId).is_null());
}

TEST_CASE("recheck --due follows the schedule on a pinned clock", "[integration][recheck]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}, {"EMBARC_NOW=2030-01-01T00:00:00.000Z"}).exit_code == 0);
  auto early = w.Run({"--json", "recheck", "--due"}, {"EMBARC_NOW=2030-01-01T00:30:00.000Z"});
  CHECK(early.exit_code == 0);
  CHECK(early.out.empty());
  auto due = w.Run({"--json", "recheck", "--due"}, {"EMBARC_NOW=2030-01-01T01:00:01.000Z"});
  CHECK(due.exit_code == 0);
  CHECK(Line(due.out, kZelenskyyId)["change"] == "unchanged");
  CHECK(Line(due.out, kDeskId)["change"] == "unchanged");
  auto again = w.Run({"--json", "recheck", "--due"}, {"EMBARC_NOW=2030-01-01T01:05:00.000Z"});
  CHECK(again.out.empty());
  auto six = w.Run({"--json", "recheck", "--due"}, {"EMBARC_NOW=2030-01-01T06:00:01.000Z"});
  CHECK_FALSE(Line(six.out, kZelenskyyId).is_null());
}

TEST_CASE("recheck: two overlapping --due runs capture each post once", "[integration][recheck]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}, {"EMBARC_NOW=2030-01-01T00:00:00.000Z"}).exit_code == 0);
  const std::vector<std::string> env = {"EMBARC_NOW=2030-01-01T02:00:00.000Z"};
  BackgroundCommand a(w.Cmd({"--json", "recheck", "--due"}), env);
  BackgroundCommand b(w.Cmd({"--json", "recheck", "--due"}), env);
  const auto ra = a.Wait();
  const auto rb = b.Wait();
  CHECK(ra.exit_code == 0);
  CHECK(rb.exit_code == 0);
  auto h = w.Run({"--json", "history", kTweet});
  const auto j = nlohmann::json::parse(h.out);
  CHECK(j["snapshots"].size() == 2);  // the archive run and exactly one re-check
  auto v = w.Run({"verify"});
  INFO(v.err);
  CHECK(v.exit_code == 0);
}

TEST_CASE("recheck --on-change runs the command with the event", "[integration][recheck]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  w.UseVariant("tweet-result.edited", kDeskId);
  const fs::path events = w.dir.path() / "events.jsonl";
  auto r = w.Run({"recheck", "--all", "--on-change", "printf '%s\\n' \"$EMBARC_EVENT\" >> '" + events.string() + "'"});
  CHECK(r.exit_code == 1);
  const auto line = Line(embarc::testing::ReadFileText(events), kDeskId);
  REQUIRE_FALSE(line.is_null());
  CHECK(line["change"] == "edited");
  CHECK(line["event"] == "post_changed");
  CHECK(Line(embarc::testing::ReadFileText(events), kZelenskyyId).is_null());
}
