// Crashes and concurrent writers (issue 7): `archive` and `recheck` killed with SIGKILL at
// many moments leave an archive that verifies, with no record half in the log, and running the
// command again does the work once; two writers at once both finish on one consistent log.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "embarc/warc/warc.h"
#include "support/child_process.h"
#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::ChildProcess;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::FixtureServerOptions;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kArticle = "https://news.example/world/2024/10/20/north-korean-troops-russia.html";

std::int64_t Count(const fs::path& archive, const std::string& sql) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2((archive / "index.sqlite3").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::int64_t n = -1;
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

std::vector<fs::path> WarcFiles(const fs::path& archive) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(archive / "warc")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

FixtureServerOptions Options(int latency_ms) {
  FixtureServerOptions o;
  o.latency_ms = latency_ms;
  return o;
}

struct World {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  explicit World(int latency_ms) : server(Options(latency_ms)), archive(dir.path() / "archive") {
    auto init = RunCommand(Cmd({"init"}));
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
  }
  std::vector<std::string> Cmd(std::initializer_list<std::string> tail, bool net = false) const {
    std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
    a.insert(a.end(), tail.begin(), tail.end());
    if (net) {
      auto n = server.EmbarcNetArgs();
      a.insert(a.end(), n.begin(), n.end());
    }
    return a;
  }
  std::int64_t Snapshots() const { return Count(archive, "SELECT count(*) FROM snapshots"); }
  CommandResult Verify() const { return RunCommand(Cmd({"verify"})); }
};

// Deterministic pseudo-random numbers (the test must be repeatable).
struct Lcg {
  std::uint64_t state;
  std::uint64_t Next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  }
};

}  // namespace

TEST_CASE("crash: archive and recheck killed at random moments, verify passes and a rerun does the work once",
          "[integration][crash]") {
  World w(/*latency_ms=*/120);
  const auto archive_cmd = w.Cmd({"--json", "archive", kArticle}, /*net=*/true);
  const auto recheck_cmd = w.Cmd({"--json", "recheck", "--all"}, /*net=*/true);

  // One whole run first: the posts exist, and the time a run takes sets the kill moments.
  const auto t0 = std::chrono::steady_clock::now();
  auto first = RunCommand(archive_cmd);
  const auto run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  const std::int64_t per_run = w.Snapshots();
  REQUIRE(per_run >= 2);  // one snapshot per embedded post
  const std::int64_t posts = Count(w.archive, "SELECT count(*) FROM posts");
  REQUIRE(posts == per_run);

  Lcg rng{20241020};
  constexpr int kIterations = 14;
  int killed_midway = 0;
  int killed_after_commit = 0;  // the run's snapshots were in the index when it died
  int tails_planted = 0;
  for (int i = 0; i < kIterations; ++i) {
    const bool recheck = i % 2 == 1;
    const auto& cmd = recheck ? recheck_cmd : archive_cmd;
    // Moments spread over the whole run, from the start (before the lock) to past its end.
    const auto delay = std::chrono::milliseconds(static_cast<long>(rng.Next() % static_cast<std::uint64_t>(run_ms * 11 / 10 + 1)));
    INFO("iteration " << i << (recheck ? " recheck" : " archive") << ", SIGKILL after " << delay.count() << " ms of a "
                      << run_ms << " ms run");
    const std::int64_t before = w.Snapshots();
    {
      ChildProcess child(cmd);
      std::this_thread::sleep_for(delay);
      child.Kill(SIGKILL);
      const CommandResult r = child.Wait();
      if (r.exit_code == 128 + SIGKILL) {
        ++killed_midway;
        if (w.Snapshots() > before) ++killed_after_commit;
      }
    }
    // Every third crash also leaves what a kill inside write(2) would: a partial member at
    // the end of the newest WARC file (the first half of a copy of its last member).
    if (i % 3 == 2) {
      const fs::path newest = WarcFiles(w.archive).back();
      const std::string bytes = ReadBytes(newest);
      auto tail = embarc::warc::InspectTail(newest);
      REQUIRE(tail);
      REQUIRE(tail->clean);
      std::uint64_t last_offset = 0;
      REQUIRE(embarc::warc::ForEachRecord(newest, [&](const embarc::warc::ReadRecord& r) -> embarc::Result<void> {
        last_offset = r.offset;
        return embarc::Ok();
      }));
      const std::string last = bytes.substr(static_cast<std::size_t>(last_offset));
      std::ofstream(newest, std::ios::binary | std::ios::app) << last.substr(0, last.size() / 2);
      ++tails_planted;
    }

    // Right after the crash: the archive verifies (a partial WARC tail that no row names is
    // reported, not failed), and no record is half in the log (verify counts the leaves).
    const std::int64_t committed = w.Snapshots();
    auto v1 = w.Verify();
    INFO(v1.out << v1.err);
    REQUIRE(v1.exit_code == 0);
    CHECK((committed - per_run) % per_run == 0);  // a run commits all of its snapshots or none
    if (i % 3 == 2) CHECK(v1.err.find("incomplete record") != std::string::npos);

    // The same command again completes the work once: exactly one run's worth more.
    auto again = RunCommand(cmd);
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    CHECK(w.Snapshots() == committed + per_run);
    CHECK(Count(w.archive, "SELECT count(*) FROM posts") == posts);
    // ...and said so, naming the cut.
    if (i % 3 == 2) CHECK(again.err.find("repaired: warc/") != std::string::npos);
    // The rerun's writer cut any partial tail: every WARC file is whole again.
    for (const fs::path& f : WarcFiles(w.archive)) {
      auto tail = embarc::warc::InspectTail(f);
      REQUIRE(tail);
      INFO(f.filename().string());
      CHECK(tail->clean);
    }
  }
  auto v = w.Verify();
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.err.empty());
  // The log is every snapshot and key event, once.
  CHECK(Count(w.archive, "SELECT count(*) FROM snapshots") + Count(w.archive, "SELECT count(*) FROM key_events") ==
        Count(w.archive, "SELECT max(leaf_index) + 1 FROM (SELECT leaf_index FROM snapshots UNION ALL SELECT leaf_index FROM key_events)"));
  CHECK(tails_planted > 0);
  WARN(killed_midway << " of " << kIterations << " runs were killed before they finished, " << killed_after_commit
                     << " of them after their snapshots were committed (run: " << run_ms << " ms)");
}

TEST_CASE("concurrency: archive and recheck --all started at once both finish on one consistent log",
          "[integration][crash]") {
  World w(/*latency_ms=*/60);
  auto first = RunCommand(w.Cmd({"--json", "archive", kArticle}, /*net=*/true));
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  const std::int64_t per_run = w.Snapshots();
  REQUIRE(per_run >= 2);
  for (int round = 0; round < 2; ++round) {
    INFO("round " << round);
    ChildProcess archive(w.Cmd({"--json", "archive", kArticle}, /*net=*/true));
    ChildProcess recheck(w.Cmd({"--json", "recheck", "--all"}, /*net=*/true));
    ChildProcess archive2(w.Cmd({"--json", "archive", kArticle}, /*net=*/true));
    const CommandResult a = archive.Wait();
    const CommandResult r = recheck.Wait();
    const CommandResult a2 = archive2.Wait();
    INFO(a.out << a.err << r.out << r.err << a2.out << a2.err);
    CHECK(a.exit_code == 0);
    CHECK(a2.exit_code == 0);
    CHECK(r.exit_code == 0);  // nothing changed in the fixture world
  }
  CHECK(w.Snapshots() == per_run * 7);
  auto v = w.Verify();
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  // One tree: every run's checkpoint is at least as large as the one before it, and the last
  // one covers every leaf (verify checked each against today's log and its predecessor).
  CHECK(Count(w.archive, "SELECT count(*) FROM checkpoints c1 JOIN checkpoints c2 ON c2.id > c1.id "
                        "WHERE c2.tree_size < c1.tree_size") == 0);
  CHECK(Count(w.archive, "SELECT count(*) FROM checkpoints") == 7);
  CHECK(Count(w.archive, "SELECT tree_size FROM checkpoints ORDER BY id DESC LIMIT 1") ==
        Count(w.archive, "SELECT count(*) FROM snapshots") + Count(w.archive, "SELECT count(*) FROM key_events"));
}
