// End to end over the fixture server for YouTube, Vimeo and TikTok: the real embarc
// binary captures a post from the default world (available, with content and the
// thumbnail), then again with a variant copied over the live oEmbed file (deleted,
// withheld, login wall, failures), and `embarc verify` passes on the result.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/json_codec.h"
#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

struct Platform {
  std::string name;
  std::string post_url;
  std::string post_id;
  fs::path oembed_file;  // relative to the world root
  std::string author;
  std::string text_fragment;
};

const Platform kYouTube = {"youtube", "https://youtu.be/eiHXASgRTcA?si=share", "eiHXASgRTcA",
                           "www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DeiHXASgRTcA",
                           "smshdchrb", "Noisy kittens"};
const Platform kVimeo = {"vimeo", "https://player.vimeo.com/video/235352744?app_id=122963", "235352744",
                         "vimeo.com/api/oembed.json?url=https%3A%2F%2Fvimeo.com%2F235352744", "vimeomarketing",
                         "Vimeo Live is here"};
const Platform kTikTok = {
    "tiktok", "https://www.tiktok.com/@a3noticias/video/6806030056956251397?is_from_webapp=1", "6806030056956251397",
    "www.tiktok.com/oembed?url=https%3A%2F%2Fwww.tiktok.com%2F%40a3noticias%2Fvideo%2F6806030056956251397",
    "a3noticias", "AplausoSanitario"};

CommandResult Embarc(const fs::path& archive, std::initializer_list<std::string> tail,
                     const std::vector<std::string>& net = {}) {
  std::vector<std::string> argv = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
  argv.insert(argv.end(), tail.begin(), tail.end());
  argv.insert(argv.end(), net.begin(), net.end());
  return RunCommand(argv);
}

nlohmann::json PostLine(const std::string& out, const std::string& post_id) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("post_id", "") == post_id) return j;
  }
  return nullptr;
}

// The content of the archive's first snapshot record.
nlohmann::json FirstRecordContent(const fs::path& archive) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2((archive / "index.sqlite3").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string record;
  sqlite3_stmt* stmt = nullptr;
  if (rc == SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT record FROM snapshots ORDER BY leaf_index LIMIT 1", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
    if (data != nullptr) record.assign(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  REQUIRE_FALSE(record.empty());
  auto unpacked = embarc::store::UnpackJson(record);
  REQUIRE(unpacked);
  return nlohmann::json::parse(*unpacked).at("content");
}

fs::path Variant(const Platform& p, const std::string& name) {
  return embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / p.name / name;
}

struct World {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  World() : archive(dir.path() / "archive") {
    auto init = Embarc(archive, {"init"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
  }
  nlohmann::json Capture(const Platform& p, int expected_exit = 0) {
    auto run = Embarc(archive, {"--json", "capture", p.post_url}, server.EmbarcNetArgs());
    INFO(run.out << run.err);
    CHECK(run.exit_code == expected_exit);
    nlohmann::json line = PostLine(run.out, p.post_id);
    REQUIRE_FALSE(line.is_null());
    return line;
  }
  void UseVariant(const Platform& p, const std::string& name) {
    fs::copy_file(Variant(p, name), server.root() / p.oembed_file, fs::copy_options::overwrite_existing);
  }
};

void CheckPlatform(const Platform& p, const std::string& withheld_variant, const std::string& withheld_state) {
  World w;
  const nlohmann::json first = w.Capture(p);
  CHECK(first["state"] == "available");
  CHECK(first["media"] == 1);
  CHECK(first["media_failed"] == 0);

  auto history = Embarc(w.archive, {"--json", "history", p.post_url});
  INFO(history.out << history.err);
  REQUIRE(history.exit_code == 0);
  const auto h = nlohmann::json::parse(history.out);
  REQUIRE(h["snapshots"].size() == 1);
  CHECK(h["snapshots"][0]["text"].get<std::string>().find(p.text_fragment) != std::string::npos);
  const nlohmann::json content = FirstRecordContent(w.archive);
  CHECK(content["author"] == p.author);
  CHECK_FALSE(content["author_name"].get<std::string>().empty());
  REQUIRE(content["media"].size() == 1);
  CHECK(content["media"][0]["sha256"].get<std::string>().size() == 64);

  w.UseVariant(p, withheld_variant);
  CHECK(w.Capture(p)["state"] == withheld_state);

  w.UseVariant(p, "oembed.404");
  const nlohmann::json gone = w.Capture(p);
  CHECK(gone["state"] == "deleted");
  CHECK(gone["change"] == "deleted");

  auto verify = Embarc(w.archive, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}

}  // namespace

TEST_CASE("capture: a YouTube video is available, then withheld, then deleted, verify passes", "[integration][video]") {
  CheckPlatform(kYouTube, "oembed.401", "withheld");
}

TEST_CASE("capture: YouTube's 200 \"Forbidden\" is withheld and a Google sign-in redirect is login_required",
          "[integration][video]") {
  World w;
  w.UseVariant(kYouTube, "oembed.forbidden-200");
  CHECK(w.Capture(kYouTube)["state"] == "withheld");
  w.UseVariant(kYouTube, "oembed.login");
  CHECK(w.Capture(kYouTube)["state"] == "login_required");
  w.UseVariant(kYouTube, "oembed.503");
  CHECK(w.Capture(kYouTube, 4)["state"] == "unreachable");
  CHECK(Embarc(w.archive, {"verify"}).exit_code == 0);
}

TEST_CASE("capture: a Vimeo video is available, then withheld, then deleted, verify passes", "[integration][video]") {
  CheckPlatform(kVimeo, "oembed.403", "withheld");
}

TEST_CASE("capture: a TikTok video is available, then private, then deleted, verify passes", "[integration][video]") {
  CheckPlatform(kTikTok, "oembed.private", "withheld");
}

TEST_CASE("capture: TikTok's vague 400 is no deletion and its login redirect is login_required",
          "[integration][video]") {
  World w;
  w.UseVariant(kTikTok, "oembed.vague-400");
  CHECK(w.Capture(kTikTok, 4)["state"] == "unreachable");
  w.UseVariant(kTikTok, "oembed.login");
  CHECK(w.Capture(kTikTok)["state"] == "login_required");
  CHECK(Embarc(w.archive, {"verify"}).exit_code == 0);
}
