// LinkedIn end to end: the real embarc binary captures a post's embed page over the
// fixture server (tools/fixtures/world/www.linkedin.com), then the variants
// (tools/fixtures/variants/linkedin) put it behind the sign-in wall and make it
// unavailable (withheld: LinkedIn gives no deletion signal); verify passes.
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

const char* kPost = "https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001";

CommandResult Embarc(const fs::path& archive, const std::vector<std::string>& args, const std::vector<std::string>& net = {}) {
  return embarc::testing::RunEmbarc(archive, args, net);
}

nlohmann::json PostLine(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    if (j.value("platform", "") == "linkedin") return j;
  }
  return nullptr;
}

fs::path Variant(const std::string& name) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "linkedin" / name;
}

}  // namespace

TEST_CASE("capture: a linkedin post is available, then login-walled and unavailable, verify passes",
          "[integration][misc][linkedin]") {
  FixtureServer server;
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(Embarc(archive, {"init"}).exit_code == 0);
  const fs::path page =
      server.root() / "www.linkedin.com" / "embed" / "feed" / "update" / "urn:li:share:7250000000000000001";
  const auto capture = [&](int expected_exit) {
    CommandResult run = Embarc(archive, {"--json", "capture", kPost}, server.EmbarcNetArgs());
    INFO(run.out << run.err);
    CHECK(run.exit_code == expected_exit);
    return PostLine(run.out);
  };

  const nlohmann::json available = capture(0);
  REQUIRE_FALSE(available.is_null());
  CHECK(available["post_id"] == "urn:li:share:7250000000000000001");
  CHECK(available["url"] == "https://www.linkedin.com/feed/update/urn:li:share:7250000000000000001/");
  CHECK(available["state"] == "available");

  fs::copy_file(Variant("embed.authwall"), page, fs::copy_options::overwrite_existing);
  CHECK(capture(0)["state"] == "login_required");
  fs::copy_file(Variant("embed.unavailable"), page, fs::copy_options::overwrite_existing);
  CHECK(capture(0)["state"] == "withheld");
  fs::copy_file(Variant("embed.999"), page, fs::copy_options::overwrite_existing);
  CHECK(capture(4)["state"] == "unreachable");

  const CommandResult history = Embarc(archive, {"--json", "history", kPost});
  INFO(history.out << history.err);
  REQUIRE(history.exit_code == 0);
  const auto h = nlohmann::json::parse(history.out);
  REQUIRE(h["snapshots"].size() == 4);
  const std::string text = h["snapshots"][0]["text"];
  CHECK(text.find("North Korean troops are being moved to the Kursk region") != std::string::npos);

  const CommandResult verify = Embarc(archive, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}
