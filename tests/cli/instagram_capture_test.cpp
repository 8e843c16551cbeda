// Instagram end to end over the fixture server: `embarc capture` of a post URL with the
// real binary, real HTTPS and the fixture world (tools/fixtures/world, variants/instagram).
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixture_server.h"
#include "support/json_lines.h"
#include "support/support.h"

namespace {

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

const char* kPostUrl = "https://www.instagram.com/p/DBa7Xk2NwQz/";
const char* kPostId = "DBa7Xk2NwQz";

CommandResult Embarc(const fs::path& archive, const std::vector<std::string>& args, const std::vector<std::string>& net = {}) {
  return embarc::testing::RunEmbarc(archive, args, net);
}

fs::path LiveFile(const FixtureServer& server) { return server.root() / "www.instagram.com" / "p" / "DBa7Xk2NwQz" / "embed" / "captioned" / "index.html"; }
fs::path Variant(const std::string& file) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "instagram" / file;
}
void CopyOver(const fs::path& from, const fs::path& to) { fs::copy_file(from, to, fs::copy_options::overwrite_existing); }

// Captures the post; returns its JSON line. Checks that verify passes afterwards.
nlohmann::json Capture(const FixtureServer& server, const fs::path& archive) {
  const CommandResult init = Embarc(archive, {"init"});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  const CommandResult run = Embarc(archive, {"--json", "capture", kPostUrl}, server.EmbarcNetArgs());
  INFO(run.out << run.err);
  const nlohmann::json found = embarc::testing::PostLine(run.out, kPostId);
  REQUIRE(found.is_object());
  CHECK(found["platform"] == "instagram");
  const CommandResult verify = Embarc(archive, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  return found;
}

}  // namespace

TEST_CASE("instagram capture: available, then each variant, and verify passes", "[integration][instagram]") {
  FixtureServer server;
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  SECTION("available with content") {
    const nlohmann::json line = Capture(server, archive);
    CHECK(line["state"] == "available");
    CHECK(line["media"] == 1);
    CHECK(line["media_failed"] == 0);
    const CommandResult history = Embarc(archive, {"--json", "history", kPostUrl});
    INFO(history.out << history.err);
    REQUIRE(history.exit_code == 0);
    const nlohmann::json h = nlohmann::json::parse(history.out);
    REQUIRE(h["snapshots"].size() == 1);
    CHECK(h["snapshots"][0]["text"].get<std::string>().find("Morning light over the harbour in Odesa") != std::string::npos);
  }
  SECTION("deleted variant (\"Sorry, this page isn't available\") is deleted") {
    CopyOver(Variant("embed.unavailable"), LiveFile(server));
    const nlohmann::json line = Capture(server, archive);
    CHECK(line["state"] == "deleted");
    CHECK(line["reason"].get<std::string>().size() > 0);
  }
  SECTION("deleted variant (HTTP 404 page) is deleted") {
    CopyOver(Variant("embed.deleted-404"), LiveFile(server));
    const nlohmann::json line = Capture(server, archive);
    CHECK(line["state"] == "deleted");
    CHECK(line["reason"].get<std::string>().size() > 0);
  }
  SECTION("login redirect is login_required") {
    CopyOver(Variant("embed.login-redirect"), LiveFile(server));
    const nlohmann::json line = Capture(server, archive);
    CHECK(line["state"] == "login_required");
    CHECK(line["reason"].get<std::string>().size() > 0);
  }
}
