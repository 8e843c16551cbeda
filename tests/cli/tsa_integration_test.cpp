// Trusted time end to end: checkpoints stamped by the fixture server's RFC 3161 TSAs, the
// tokens kept and verified (also by openssl alone, as of their genTime), failures recorded and
// retried, and forged or altered tokens caught by verify (exit 3, named).
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::ExecSql;
using embarc::testing::QueryBlob;
using embarc::testing::FixtureServer;
using embarc::testing::FixtureServerOptions;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kTweet = "https://twitter.com/ZelenskyyUa/status/1848047034574221401";
const char* kSecond = "https://twitter.com/WorldDeskWire/status/1848100000000000001";
const char* kTsa = "https://tsa.example/tsr";
const char* kExpiredTsa = "https://tsa-expired.example/tsr";
const char* kBrokenTsa = "https://tsa-broken.example/tsr";

FixtureServer& Server() {
  static FixtureServer server([] {
    FixtureServerOptions options;
    options.tsa = true;
    return options;
  }());
  return server;
}

CommandResult Embarc(const fs::path& archive, const std::vector<std::string>& args, bool net = true) {
  return embarc::testing::RunEmbarc(archive, args, net ? Server().EmbarcNetArgs() : std::vector<std::string>{});
}

nlohmann::json Json(const CommandResult& r) {
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

// An archive whose TSA setting is the fixture TSA, with its CA as trust anchor.
struct StampedArchive {
  TempDir dir;
  fs::path archive = dir.path() / "archive";
  StampedArchive() {
    REQUIRE(Embarc(archive, {"init"}, false).exit_code == 0);
    auto add = Embarc(archive, {"tsa", "add", kTsa, "--ca", Server().tsa_ca_file()}, false);
    INFO(add.err);
    REQUIRE(add.exit_code == 0);
  }
};

}  // namespace

TEST_CASE("tsa: every run's checkpoint is stamped by the archive's TSA and verifies, also with openssl alone",
          "[integration][tsa]") {
  StampedArchive a;
  auto run = Embarc(a.archive, {"capture", kTweet});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("timestamp: checkpoint 1 by https://tsa.example/tsr, genTime ") != std::string::npos);

  const auto cp = Json(Embarc(a.archive, {"--json", "checkpoint"}, false));
  REQUIRE(cp["timestamps"].size() == 1);
  const auto& t = cp["timestamps"][0];
  CHECK(t["tsa"] == kTsa);
  CHECK(t["status"] == "granted");
  REQUIRE(fs::exists(t["token_file"].get<std::string>()));
  // The stamped data file is the note itself, byte for byte.
  CHECK(embarc::testing::ReadFileText(t["data_file"].get<std::string>()) == cp["checkpoint"].get<std::string>());

  const auto v = Json(Embarc(a.archive, {"--json", "verify"}, false));
  CHECK(v["timestamps"] == 1);
  CHECK(v["timestamps_unanchored"] == 0);
  CHECK(v["timestamps_failed"] == 0);
  // How long each part took (the benchmarks read these).
  for (const char* part : {"warc", "records", "log"}) {
    INFO(part);
    CHECK(v["seconds"][part].is_number());
    CHECK(v["seconds"][part].get<double>() >= 0);
  }

  // The documented offline check (archive/FORMAT.md "Trusted time").
  auto openssl = RunCommand({"openssl", "ts", "-verify", "-in", t["token_file"], "-data", t["data_file"], "-CAfile",
                             (a.archive / "tsa" / "anchors.pem").string(), "-attime",
                             std::to_string(t["gen_time_unix"].get<long long>())});
  INFO(openssl.out << openssl.err);
  CHECK(openssl.exit_code == 0);
  CHECK(openssl.out.find("Verification: OK") != std::string::npos);

  // A second run stamps its own checkpoint; the first is not stamped again.
  REQUIRE(Embarc(a.archive, {"capture", kSecond}).exit_code == 0);
  CHECK(Json(Embarc(a.archive, {"--json", "verify"}, false))["timestamps"] == 2);
}

TEST_CASE("tsa: --tsa stamps one run, without a stored anchor verify says the tokens are unanchored",
          "[integration][tsa]") {
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(Embarc(archive, {"init"}, false).exit_code == 0);
  auto run = Embarc(archive, {"--tsa", kTsa, "capture", kTweet});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto v = Json(Embarc(archive, {"--json", "verify"}, false));
  CHECK(v["timestamps"] == 0);
  CHECK(v["timestamps_unanchored"] == 1);
  // Not a setting: the next run without --tsa stamps nothing.
  REQUIRE(Embarc(archive, {"capture", kSecond}).exit_code == 0);
  CHECK(Json(Embarc(archive, {"--json", "checkpoint"}, false))["timestamps"].empty());

  // Adding the TSA's CA later anchors the old token; --stamp stamps the latest checkpoint now.
  REQUIRE(Embarc(archive, {"tsa", "add", kTsa, "--ca", Server().tsa_ca_file()}, false).exit_code == 0);
  auto stamp = Embarc(archive, {"checkpoint", "--stamp"});
  INFO(stamp.err);
  REQUIRE(stamp.exit_code == 0);
  v = Json(Embarc(archive, {"--json", "verify"}, false));
  CHECK(v["timestamps"] == 2);
  CHECK(v["timestamps_unanchored"] == 0);
}

TEST_CASE("tsa: a failing TSA never fails the run, it is recorded and retried a bounded number of times",
          "[integration][tsa]") {
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(Embarc(archive, {"init"}, false).exit_code == 0);
  REQUIRE(Embarc(archive, {"tsa", "add", kBrokenTsa}, false).exit_code == 0);

  auto run = Embarc(archive, {"capture", kTweet});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("warning: timestamp of checkpoint 1 by https://tsa-broken.example/tsr failed (HTTP 500)") !=
        std::string::npos);
  auto cp = Json(Embarc(archive, {"--json", "checkpoint"}, false));
  REQUIRE(cp["timestamps"].size() == 1);
  CHECK(cp["timestamps"][0]["status"] == "failed");
  CHECK(cp["timestamps"][0]["error"] == "HTTP 500");

  // Each later run retries every earlier failure until it has been tried kMaxTimestampAttempts (3)
  // times: failed rows after runs 1..4 are 1, 1+2, 3+3, 6+3 (checkpoint 1 is not tried a 4th time).
  const int expected[] = {3, 6, 9};
  for (int want : expected) {
    auto again = Embarc(archive, {"capture", kTweet});
    CHECK(again.exit_code == 0);
    CHECK(Json(Embarc(archive, {"--json", "verify"}, false))["timestamps_failed"] == want);
  }
  CHECK(Json(Embarc(archive, {"--json", "verify"}, false))["timestamps"] == 0);
}

TEST_CASE("tsa: a stamp refused earlier (blocked address) is granted on a later run", "[integration][tsa]") {
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(Embarc(archive, {"init"}, false).exit_code == 0);
  REQUIRE(Embarc(archive, {"tsa", "add", kTsa, "--ca", Server().tsa_ca_file()}, false).exit_code == 0);
  // Without --allow-private-addresses the loopback fixture TSA is refused: a recorded failure.
  auto keys = Embarc(archive, {"--connect-to", Server().connect_to(), "--cacert", Server().ca_file(), "keys", "rotate"}, false);
  INFO(keys.err);
  REQUIRE(keys.exit_code == 0);
  CHECK(keys.err.find("blocked") != std::string::npos);
  REQUIRE(Json(Embarc(archive, {"--json", "verify"}, false))["timestamps_failed"] == 1);

  REQUIRE(Embarc(archive, {"capture", kTweet}).exit_code == 0);
  const auto v = Json(Embarc(archive, {"--json", "verify"}, false));
  CHECK(v["timestamps_failed"] == 1);
  CHECK(v["timestamps"] == 2);  // the new checkpoint, and the retry of the refused one
}

TEST_CASE("tsa: a token of a TSA whose certificate has expired since verifies as of its genTime",
          "[integration][tsa]") {
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(Embarc(archive, {"init"}, false).exit_code == 0);
  REQUIRE(Embarc(archive, {"tsa", "add", kExpiredTsa, "--ca", Server().tsa_ca_file()}, false).exit_code == 0);
  auto run = Embarc(archive, {"capture", kTweet});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("genTime 2020-06-15T") != std::string::npos);
  const auto v = Json(Embarc(archive, {"--json", "verify"}, false));
  CHECK(v["timestamps"] == 1);

  // openssl agrees as of genTime, and refuses today (the certificate expired in 2021).
  const auto t = Json(Embarc(archive, {"--json", "checkpoint"}, false))["timestamps"][0];
  const std::string anchors = (archive / "tsa" / "anchors.pem").string();
  auto at_gen_time = RunCommand({"openssl", "ts", "-verify", "-in", t["token_file"], "-data", t["data_file"], "-CAfile",
                                 anchors, "-attime", std::to_string(t["gen_time_unix"].get<long long>())});
  CHECK(at_gen_time.exit_code == 0);
  auto today = RunCommand({"openssl", "ts", "-verify", "-in", t["token_file"], "-data", t["data_file"], "-CAfile", anchors});
  CHECK(today.exit_code != 0);
}

TEST_CASE("tsa: forged, swapped or altered tokens are integrity failures naming the timestamp", "[integration][tsa]") {
  StampedArchive a;
  REQUIRE(Embarc(a.archive, {"capture", kTweet}).exit_code == 0);
  REQUIRE(Embarc(a.archive, {"capture", kSecond}).exit_code == 0);
  REQUIRE(Json(Embarc(a.archive, {"--json", "verify"}, false))["timestamps"] == 2);
  const fs::path db = a.archive / "index.sqlite3";
  const std::string token1 = QueryBlob(db, "SELECT response_der FROM timestamps WHERE id = 1");
  const std::string token2 = QueryBlob(db, "SELECT response_der FROM timestamps WHERE id = 2");

  auto expect_failure = [&](const std::string& named) {
    auto r = Embarc(a.archive, {"verify"}, false);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find(named) != std::string::npos);
  };

  SECTION("a token of another checkpoint put in its place") {
    ExecSql(db, "UPDATE timestamps SET response_der = ?1 WHERE id = 1", &token2);
    expect_failure("timestamp 1 of checkpoint 1 (https://tsa.example/tsr)");
  }
  SECTION("one byte of the token flipped") {
    std::string flipped = token1;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
    ExecSql(db, "UPDATE timestamps SET response_der = ?1 WHERE id = 1", &flipped);
    expect_failure("timestamp 1 of checkpoint 1");
  }
  SECTION("the checkpoint note it stamps rewritten (with a valid signature it still would not match)") {
    ExecSql(db, "UPDATE timestamps SET checkpoint_id = 2 WHERE id = 1");
    expect_failure("timestamp 1 of checkpoint 2");
  }
  SECTION("a token from another TSA whose CA is not an anchor") {
    // Same TSA software, different trust: replace the anchors with the TLS test CA.
    fs::copy_file(Server().ca_file(), a.archive / "tsa" / "anchors.pem", fs::copy_options::overwrite_existing);
    expect_failure("timestamp 1 of checkpoint 1");
  }
  SECTION("the copy in tsa/tokens/ altered") {
    const auto t = Json(Embarc(a.archive, {"--json", "checkpoint"}, false))["timestamps"][0];
    embarc::testing::FlipByte(t["token_file"].get<std::string>(), 40);
    expect_failure("differs from the token in the index");
  }
  SECTION("a failed attempt relabelled as granted") {
    const std::string empty;
    ExecSql(db, "UPDATE timestamps SET response_der = ?1 WHERE id = 2", &empty);
    expect_failure("timestamp 2 of checkpoint 2");
  }
}
