// Telegram end to end: the real embarc binary captures a channel post's widget over
// the fixture server (tools/fixtures/world/t.me), then the variants
// (tools/fixtures/variants/telegram) make it edited, deleted and private; verify passes.
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

const char* kPost = "https://t.me/WorldDeskWire/1042";

CommandResult Embarc(const fs::path& archive, const std::vector<std::string>& args, const std::vector<std::string>& net = {}) {
  return embarc::testing::RunEmbarc(archive, args, net);
}

nlohmann::json PostLine(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    if (j.value("platform", "") == "telegram") return j;
  }
  return nullptr;
}

fs::path Variant(const std::string& name) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "telegram" / name;
}

}  // namespace

TEST_CASE("capture: a telegram post is available, then edited, deleted and private, verify passes",
          "[integration][misc][telegram]") {
  FixtureServer server;
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(Embarc(archive, {"init"}).exit_code == 0);
  const fs::path widget = server.root() / "t.me" / "worlddeskwire" / "1042?embed=1";
  const auto capture = [&](int expected_exit) {
    CommandResult run = Embarc(archive, {"--json", "capture", kPost}, server.EmbarcNetArgs());
    INFO(run.out << run.err);
    CHECK(run.exit_code == expected_exit);
    return PostLine(run.out);
  };

  const nlohmann::json available = capture(0);
  REQUIRE_FALSE(available.is_null());
  CHECK(available["post_id"] == "worlddeskwire/1042");
  CHECK(available["url"] == "https://t.me/worlddeskwire/1042");
  CHECK(available["state"] == "available");
  bool fetched = false;
  for (const std::string& line : server.RequestLog()) {
    fetched |= line.find("https://t.me/worlddeskwire/1042?embed=1&mode=tme 200") != std::string::npos;
  }
  CHECK(fetched);

  fs::copy_file(Variant("widget.edited"), widget, fs::copy_options::overwrite_existing);
  const nlohmann::json edited = capture(0);
  CHECK(edited["state"] == "available");
  CHECK(edited["change"] != "unchanged");
  fs::copy_file(Variant("widget.deleted"), widget, fs::copy_options::overwrite_existing);
  CHECK(capture(0)["state"] == "deleted");
  fs::copy_file(Variant("widget.private"), widget, fs::copy_options::overwrite_existing);
  CHECK(capture(0)["state"] == "withheld");
  fs::copy_file(Variant("widget.429"), widget, fs::copy_options::overwrite_existing);
  CHECK(capture(4)["state"] == "rate_limited");

  const CommandResult history = Embarc(archive, {"--json", "history", kPost});
  INFO(history.out << history.err);
  REQUIRE(history.exit_code == 0);
  const auto h = nlohmann::json::parse(history.out);
  REQUIRE(h["snapshots"].size() == 5);
  const std::string first = h["snapshots"][0]["text"];
  const std::string second = h["snapshots"][1]["text"];
  CHECK(first.find("About 1,500 soldiers") != std::string::npos);
  CHECK(second.find("About 3,000 soldiers") != std::string::npos);

  const CommandResult verify = Embarc(archive, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}
