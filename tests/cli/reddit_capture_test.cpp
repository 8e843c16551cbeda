// Reddit end to end: the real embarc binary captures a post over the fixture server
// (tools/fixtures/world/www.reddit.com), then the variants (tools/fixtures/variants/reddit)
// make it deleted, removed (withheld) and blocked; verify passes throughout.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kPost = "https://www.reddit.com/r/investing/comments/7pfpeq/buffett_on_cyrptocurrencies_i_can_say_almost_with/";

CommandResult Embarc(const fs::path& archive, const std::vector<std::string>& args, const std::vector<std::string>& net = {}) {
  return embarc::testing::RunEmbarc(archive, args, net);
}

nlohmann::json PostLine(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    if (j.value("platform", "") == "reddit") return j;
  }
  return nullptr;
}

fs::path Variant(const std::string& name) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "reddit" / name;
}

}  // namespace

TEST_CASE("capture: a reddit post is available, then deleted, removed and blocked, verify passes",
          "[integration][misc][reddit]") {
  FixtureServer server;
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(Embarc(archive, {"init"}).exit_code == 0);
  const fs::path listing = server.root() / "www.reddit.com" / "comments" / "7pfpeq.json";
  const auto capture = [&](int expected_exit) {
    CommandResult run = Embarc(archive, {"--json", "capture", kPost}, server.EmbarcNetArgs());
    INFO(run.out << run.err);
    CHECK(run.exit_code == expected_exit);
    return PostLine(run.out);
  };

  const nlohmann::json available = capture(0);
  REQUIRE_FALSE(available.is_null());
  CHECK(available["post_id"] == "t3_7pfpeq");
  CHECK(available["url"] == "https://www.reddit.com/r/investing/comments/7pfpeq/");
  CHECK(available["state"] == "available");
  bool fetched_listing = false;
  bool fetched_oembed = false;
  for (const std::string& line : server.RequestLog()) {
    fetched_listing |= line.find("https://www.reddit.com/comments/7pfpeq.json?limit=1&raw_json=1 200") != std::string::npos;
    fetched_oembed |= line.find("https://www.reddit.com/oembed?url=") != std::string::npos;
  }
  CHECK(fetched_listing);
  CHECK(fetched_oembed);

  fs::copy_file(Variant("comments.deleted.json"), listing, fs::copy_options::overwrite_existing);
  CHECK(capture(0)["state"] == "deleted");
  fs::copy_file(Variant("comments.removed.json"), listing, fs::copy_options::overwrite_existing);
  CHECK(capture(0)["state"] == "withheld");
  fs::copy_file(Variant("comments.private-403"), listing, fs::copy_options::overwrite_existing);
  CHECK(capture(0)["state"] == "withheld");
  // A blocked client still sees the post through oEmbed: available, never deleted.
  fs::copy_file(Variant("comments.blocked-403"), listing, fs::copy_options::overwrite_existing);
  CHECK(capture(0)["state"] == "available");
  fs::copy_file(Variant("oembed.404"),
                server.root() / "www.reddit.com" /
                    "oembed?url=https%3A%2F%2Fwww.reddit.com%2Fr%2Finvesting%2Fcomments%2F7pfpeq%2F",
                fs::copy_options::overwrite_existing);
  fs::copy_file(Variant("comments.429"), listing, fs::copy_options::overwrite_existing);
  CHECK(capture(4)["state"] == "rate_limited");

  const CommandResult history = Embarc(archive, {"--json", "history", kPost});
  INFO(history.out << history.err);
  REQUIRE(history.exit_code == 0);
  const auto h = nlohmann::json::parse(history.out);
  REQUIRE(h["snapshots"].size() == 6);
  CHECK(h["snapshots"][0]["state"] == "available");
  const std::string text = h["snapshots"][0]["text"];
  CHECK(text.find("Buffett on cyrptocurrencies") != std::string::npos);
  CHECK(text.find("https://news.example/markets/2018/01/10/buffett-cryptocurrencies.html") != std::string::npos);

  const CommandResult verify = Embarc(archive, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}
