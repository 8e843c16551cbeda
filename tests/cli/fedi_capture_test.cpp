// Bluesky and Mastodon end to end over the fixture server: the real embarc binary
// captures a post directly, then again after the platform's answer changes
// (variants in tools/fixtures/variants/{bluesky,mastodon}/), and verify passes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/fixture_server.h"
#include "support/json_lines.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kBlueskyUrl = "https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/post/3k7qmjev5lr2s";
const char* kBlueskyId = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s";
const char* kMastodonUrl = "https://fosstodon.org/@schochastics/114620457512351116";
const char* kMastodonId = "114620457512351116";

CommandResult Embarc(const fs::path& archive, std::initializer_list<std::string> tail,
                     const std::vector<std::string>& net = {}) {
  std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
  a.insert(a.end(), tail.begin(), tail.end());
  a.insert(a.end(), net.begin(), net.end());
  return RunCommand(a);
}

nlohmann::json PostLine(const std::string& out, const std::string& post_id) {
  return embarc::testing::PostLine(out, post_id);
}

fs::path Variant(const std::string& platform, const std::string& name) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / platform / name;
}

void CopyOver(const fs::path& from, const fs::path& to) {
  REQUIRE(fs::exists(from));
  REQUIRE(fs::exists(to));
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

fs::path ThreadFile(const FixtureServer& s) {
  return s.root() / "public.api.bsky.app" / "xrpc" /
         "app.bsky.feed.getPostThread?uri=at%3A%2F%2Fdid%3Aplc%3Aic6zqvuw5ulmfpjiwnhsr2ns%2Fapp.bsky.feed.post%2F3k7qmjev5lr2s";
}
fs::path RecordFile(const FixtureServer& s) {
  return s.root() / "bsky.social" / "xrpc" /
         "com.atproto.repo.getRecord?repo=did%3Aplc%3Aic6zqvuw5ulmfpjiwnhsr2ns&rkey=3k7qmjev5lr2s";
}
fs::path StatusFile(const FixtureServer& s) {
  return s.root() / "fosstodon.org" / "api" / "v1" / "statuses" / kMastodonId;
}

struct World {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  World() : archive(dir.path() / "archive") {
    const CommandResult init = Embarc(archive, {"init"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
  }
  CommandResult Capture(const std::string& url, std::vector<std::string> extra = {}) {
    std::vector<std::string> net = server.EmbarcNetArgs();
    net.insert(net.end(), extra.begin(), extra.end());
    return Embarc(archive, {"--json", "capture", url}, net);
  }
  bool Fetched(const std::string& needle) const {
    for (const std::string& line : server.RequestLog()) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

// Captures `url` and returns its output line, checking the exit code.
nlohmann::json CaptureLine(World& w, const std::string& url, const std::string& post_id, int exit_code = 0,
                           std::vector<std::string> extra = {}) {
  const CommandResult run = w.Capture(url, std::move(extra));
  INFO(run.out << run.err);
  CHECK(run.exit_code == exit_code);
  nlohmann::json line = PostLine(run.out, post_id);
  REQUIRE_FALSE(line.is_null());
  return line;
}

}  // namespace

TEST_CASE("capture: a Bluesky post is available, then withheld, then deleted, verify passes",
          "[integration][fedi]") {
  World w;
  nlohmann::json line = CaptureLine(w, kBlueskyUrl, kBlueskyId);
  CHECK(line["state"] == "available");
  CHECK(line["change"] == "first");
  CHECK(line["media"] == 1);
  CHECK(line["media_failed"] == 0);
  CHECK(w.Fetched("public.api.bsky.app/xrpc/app.bsky.feed.getPostThread?uri=at%3A%2F%2Fdid%3Aplc%3A"));
  CHECK(w.Fetched("bsky.social/xrpc/com.atproto.repo.getRecord?repo=did%3Aplc%3Aic6zqvuw5ulmfpjiwnhsr2ns"));
  CHECK(w.Fetched("cdn.bsky.app/img/feed_fullsize/plain/"));

  CopyOver(Variant("bluesky", "getPostThread.takedown"), ThreadFile(w.server));
  line = CaptureLine(w, kBlueskyUrl, kBlueskyId);
  CHECK(line["state"] == "withheld");

  CopyOver(Variant("bluesky", "getPostThread.notfound-400"), ThreadFile(w.server));
  CopyOver(Variant("bluesky", "getRecord.notfound-400"), RecordFile(w.server));
  line = CaptureLine(w, kBlueskyUrl, kBlueskyId);
  CHECK(line["state"] == "deleted");

  const CommandResult history = Embarc(w.archive, {"--json", "history", kBlueskyUrl});
  INFO(history.out << history.err);
  REQUIRE(history.exit_code == 0);
  const auto h = nlohmann::json::parse(history.out);
  REQUIRE(h["snapshots"].size() == 3);
  CHECK(h["snapshots"][0]["state"] == "available");
  CHECK(h["snapshots"][0]["text"].get<std::string>().find("LocalView") != std::string::npos);
  CHECK(h["snapshots"][1]["state"] == "withheld");
  CHECK(h["snapshots"][2]["state"] == "deleted");

  const CommandResult verify = Embarc(w.archive, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("capture: a Bluesky AppView outage is never a deletion", "[integration][fedi]") {
  World w;
  std::string variant;
  std::string state;
  SECTION("503, record host unaware of the repo") {
    variant = "getPostThread.503";
    state = "unreachable";
  }
  SECTION("429, record host unaware of the repo") {
    variant = "getPostThread.429";
    state = "rate_limited";
  }
  CopyOver(Variant("bluesky", variant), ThreadFile(w.server));
  CopyOver(Variant("bluesky", "getRecord.repo-not-found-400"), RecordFile(w.server));
  const nlohmann::json line = CaptureLine(w, kBlueskyUrl, kBlueskyId, 4);
  CHECK(line["state"] == state);
  CHECK(Embarc(w.archive, {"verify"}).exit_code == 0);
}

TEST_CASE("capture: a Mastodon post is available, edited, behind a login wall, then deleted, verify passes",
          "[integration][fedi]") {
  World w;
  nlohmann::json line = CaptureLine(w, kMastodonUrl, kMastodonId);
  CHECK(line["state"] == "available");
  CHECK(line["change"] == "first");
  CHECK(w.Fetched("fosstodon.org/api/v1/statuses/114620457512351116 200"));

  CopyOver(Variant("mastodon", "status.edited"), StatusFile(w.server));
  line = CaptureLine(w, kMastodonUrl, kMastodonId);
  CHECK(line["state"] == "available");
  CHECK(line["change"] == "edited");

  CopyOver(Variant("mastodon", "status.401"), StatusFile(w.server));
  line = CaptureLine(w, kMastodonUrl, kMastodonId);
  CHECK(line["state"] == "login_required");

  CopyOver(Variant("mastodon", "status.404"), StatusFile(w.server));
  line = CaptureLine(w, kMastodonUrl, kMastodonId);
  CHECK(line["state"] == "deleted");

  const CommandResult history = Embarc(w.archive, {"--json", "history", kMastodonUrl});
  INFO(history.out << history.err);
  REQUIRE(history.exit_code == 0);
  const auto h = nlohmann::json::parse(history.out);
  REQUIRE(h["snapshots"].size() == 4);
  CHECK(h["snapshots"][0]["text"].get<std::string>().rfind("Super grateful", 0) == 0);
  CHECK(h["snapshots"][1]["text"].get<std::string>().rfind("Very grateful", 0) == 0);
  CHECK(h["snapshots"][2]["state"] == "login_required");
  CHECK(h["snapshots"][3]["state"] == "deleted");

  const CommandResult verify = Embarc(w.archive, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("capture: Mastodon restrictions and outages are never deletions", "[integration][fedi]") {
  World w;
  std::string variant;
  std::string state;
  int exit_code = 0;
  SECTION("403") {
    variant = "status.403";
    state = "withheld";
  }
  SECTION("429") {
    variant = "status.429";
    state = "rate_limited";
    exit_code = 4;
  }
  SECTION("503") {
    variant = "status.503";
    state = "unreachable";
    exit_code = 4;
  }
  SECTION("a plain 404 from something that is not the API") {
    fs::remove(StatusFile(w.server));
    state = "unreachable";
    exit_code = 4;
  }
  if (!variant.empty()) CopyOver(Variant("mastodon", variant), StatusFile(w.server));
  const nlohmann::json line = CaptureLine(w, kMastodonUrl, kMastodonId, exit_code);
  CHECK(line["state"] == state);
  CHECK(Embarc(w.archive, {"verify"}).exit_code == 0);
}
