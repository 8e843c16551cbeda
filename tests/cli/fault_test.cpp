// Faults of the disk (issue 7): a read-only archive and a full disk give one clear error line
// and a failure exit code, and damage nothing stored before; afterwards verify passes and the
// same command succeeds.
//
// A full disk is a small tmpfs when the tests may mount one (root), and a file-size limit
// (RLIMIT_FSIZE with SIGXFSZ ignored: writes fail with EFBIG) otherwise and in addition.
// A read-only archive is `chmod -R a-w` for a normal user; root ignores modes, so as root it
// is a tmpfs remounted read-only (EROFS), and the check is skipped with a warning when
// neither is possible.
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "embarc/crypto/sha256.h"
#include "support/child_process.h"
#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::ChildOptions;
using embarc::testing::ChildProcess;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kArticle = "https://news.example/world/2024/10/20/north-korean-troops-russia.html";
const char* kFollowUp = "https://news.example/world/2024/10/21/follow-up.html";

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every row of a table, as text, in rowid order; empty optional when it cannot be read.
std::optional<std::string> TryDumpTable(const std::string& db_name, int flags, const std::string& table) {
  sqlite3* db = nullptr;
  std::optional<std::string> out;
  if (sqlite3_open_v2(db_name.c_str(), &db, flags, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    const std::string sql = "SELECT * FROM " + table + " ORDER BY rowid";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      out.emplace();
      while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
          const void* blob = sqlite3_column_blob(st, c);
          const int n = sqlite3_column_bytes(st, c);
          *out += sqlite3_column_type(st, c) == SQLITE_NULL
                      ? std::string("<null>")
                      : std::string(static_cast<const char*>(blob), static_cast<std::size_t>(n));
          *out += '\x1f';
        }
        *out += '\x1e';
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

std::string DumpTable(const fs::path& archive, const std::string& table) {
  const fs::path db = archive / "index.sqlite3";
  if (auto rows = TryDumpTable(db.string(), SQLITE_OPEN_READWRITE, table)) return *rows;
  // A folder this process cannot write (chmod a-w as a normal user): read the file as it is.
  if (auto rows = TryDumpTable("file:" + db.string() + "?immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, table)) {
    return *rows;
  }
  return "<cannot read " + table + ">";
}

// What is stored: every WARC file's SHA-256 and every evidence row.
struct Stored {
  std::map<std::string, std::string> warc;      // file name -> sha256 hex
  std::map<std::string, std::string> tables;    // table -> rows
};

Stored Snapshot(const fs::path& archive) {
  Stored s;
  for (const auto& e : fs::directory_iterator(archive / "warc")) {
    s.warc[e.path().filename().string()] = embarc::crypto::Sha256(ReadBytes(e.path())).Hex();
  }
  for (const char* t : {"keys", "captures", "snapshots", "snapshot_captures", "checkpoints", "key_events", "articles"}) {
    s.tables[t] = DumpTable(archive, t);
  }
  return s;
}

// Nothing stored before changed: every old WARC file is byte-identical, every old row is
// still there, unchanged and in place (new ones may follow).
void RequireUnchanged(const Stored& before, const Stored& after) {
  for (const auto& [name, sha] : before.warc) {
    INFO("warc/" << name);
    REQUIRE(after.warc.count(name) == 1);
    CHECK(after.warc.at(name) == sha);
  }
  for (const auto& [table, rows] : before.tables) {
    INFO("table " << table);
    CHECK(after.tables.at(table).substr(0, rows.size()) == rows);
  }
}

// One clear line: the failure is the last line of stderr, starts with "embarc: ", and no
// other line says "embarc:".
void RequireOneErrorLine(const CommandResult& r) {
  INFO("stderr: " << r.err);
  std::vector<std::string> lines;
  std::string line;
  for (char c : r.err) {
    if (c == '\n') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else {
      line.push_back(c);
    }
  }
  if (!line.empty()) lines.push_back(line);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back().rfind("embarc: ", 0) == 0);
  int errors = 0;
  for (const auto& l : lines) errors += l.rfind("embarc: ", 0) == 0 ? 1 : 0;
  CHECK(errors == 1);
}

struct World {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  World() : archive(dir.path() / "archive") {
    auto init = RunCommand(Cmd(archive, {"init"}));
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    auto run = RunCommand(Cmd(archive, {"--json", "archive", kArticle}, true));
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
  }
  std::vector<std::string> Cmd(const fs::path& where, std::initializer_list<std::string> tail, bool net = false) const {
    std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", where.string()};
    a.insert(a.end(), tail.begin(), tail.end());
    if (net) {
      auto n = server.EmbarcNetArgs();
      a.insert(a.end(), n.begin(), n.end());
    }
    return a;
  }
};

// A tmpfs mounted for the test (root only), unmounted on destruction.
class Tmpfs {
 public:
  Tmpfs(const fs::path& at, const std::string& size) : at_(at) {
    fs::create_directories(at);
    if (::geteuid() != 0) return;
    mounted_ = RunCommand({"mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", at.string()}).exit_code == 0;
  }
  ~Tmpfs() {
    if (mounted_) RunCommand({"umount", "-l", at_.string()});
  }
  bool mounted() const { return mounted_; }
  bool Remount(const std::string& opts) {
    return RunCommand({"mount", "-o", "remount," + opts, at_.string()}).exit_code == 0;
  }

 private:
  fs::path at_;
  bool mounted_ = false;
};

bool EveryExitIsAFailure(int code) { return code == 4 || code == 5; }

}  // namespace

TEST_CASE("faults: a file-size limit (writes fail with EFBIG) is a clear error and damages nothing",
          "[integration][faults]") {
  World w;
  const std::uintmax_t db_size = fs::file_size(w.archive / "index.sqlite3");
  int failed = 0;
  // From "no new WARC file can start" to "the index cannot grow by a page".
  for (std::uint64_t limit : {std::uint64_t{100}, std::uint64_t{4096}, std::uint64_t{40000},
                              static_cast<std::uint64_t>(db_size + 1024)}) {
    INFO("RLIMIT_FSIZE " << limit);
    const Stored before = Snapshot(w.archive);
    ChildOptions opts;
    opts.max_file_bytes = limit;
    ChildProcess child(w.Cmd(w.archive, {"archive", kArticle, kFollowUp}, true), opts);
    const CommandResult r = child.Wait();
    INFO("exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
    if (r.exit_code != 0) {
      ++failed;
      CHECK(EveryExitIsAFailure(r.exit_code));
      RequireOneErrorLine(r);
    }
    RequireUnchanged(before, Snapshot(w.archive));
    auto v = RunCommand(w.Cmd(w.archive, {"verify"}));
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
  }
  CHECK(failed >= 2);  // the small limits stop the run (the largest may let it through)
  // With the limit lifted, the same command succeeds.
  auto again = RunCommand(w.Cmd(w.archive, {"archive", kArticle, kFollowUp}, true));
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  auto v = RunCommand(w.Cmd(w.archive, {"verify"}));
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
}

TEST_CASE("faults: a full disk is a clear error and damages nothing", "[integration][faults]") {
  World w;
  TempDir mnt;
  Tmpfs fs_(mnt.path() / "disk", "16m");
  if (!fs_.mounted()) {
    WARN("SKIPPED: cannot mount a small tmpfs here (not root or not permitted); the RLIMIT_FSIZE test covers full-disk writes");
    return;
  }
  const fs::path archive = mnt.path() / "disk" / "archive";
  fs::copy(w.archive, archive, fs::copy_options::recursive);
  const fs::path filler = mnt.path() / "disk" / "filler";
  int failed = 0;
  // Free space left for the run, from nothing to a little.
  for (std::uint64_t free_bytes : {std::uint64_t{0}, std::uint64_t{8192}, std::uint64_t{65536}, std::uint64_t{200000}}) {
    INFO("free bytes " << free_bytes);
    fs::remove(filler);
    // Read what is stored while there is space (SQLite in this process must not meet the full disk).
    const Stored before = Snapshot(archive);
    struct statvfs st {};
    REQUIRE(::statvfs(archive.c_str(), &st) == 0);
    const std::uint64_t avail = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    if (avail > free_bytes) {
      std::ofstream out(filler, std::ios::binary);
      const std::string chunk(1 << 16, 'x');
      std::uint64_t left = avail - free_bytes;
      while (left > 0 && out) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
        out.write(chunk.data(), static_cast<std::streamsize>(n));
        left -= n;
      }
    }
    auto r = RunCommand(w.Cmd(archive, {"archive", kArticle, kFollowUp}, true));
    INFO("exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
    if (r.exit_code != 0) {
      ++failed;
      CHECK(EveryExitIsAFailure(r.exit_code));
      RequireOneErrorLine(r);
    }
    fs::remove(filler);  // space again: nothing was lost, verify passes
    RequireUnchanged(before, Snapshot(archive));
    auto v = RunCommand(w.Cmd(archive, {"verify"}));
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
  }
  CHECK(failed >= 2);
  auto again = RunCommand(w.Cmd(archive, {"archive", kArticle, kFollowUp}, true));
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  auto v = RunCommand(w.Cmd(archive, {"verify"}));
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
}

TEST_CASE("faults: a read-only archive is a clear error and damages nothing, verify still works",
          "[integration][faults]") {
  World w;
  TempDir mnt;
  fs::path archive;
  std::unique_ptr<Tmpfs> ro;
  if (::geteuid() != 0) {
    archive = w.archive;
    RunCommand({"chmod", "-R", "a-w", archive.string()});
  } else {
    ro = std::make_unique<Tmpfs>(mnt.path() / "ro", "16m");
    if (!ro->mounted()) {
      WARN("SKIPPED: running as root (chmod does not bind root) and cannot mount a tmpfs to remount read-only");
      return;
    }
    archive = mnt.path() / "ro" / "archive";
    fs::copy(w.archive, archive, fs::copy_options::recursive);
    REQUIRE(ro->Remount("ro"));
  }
  const Stored before = Snapshot(archive);
  for (auto cmd : {std::vector<std::string>{"archive", kArticle}, std::vector<std::string>{"recheck", "--all"},
                   std::vector<std::string>{"capture", "https://twitter.com/ZelenskyyUa/status/1848047034574221401"}}) {
    std::vector<std::string> argv = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    for (const auto& a : w.server.EmbarcNetArgs()) argv.push_back(a);
    auto r = RunCommand(argv);
    INFO(cmd[0] << ": exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(EveryExitIsAFailure(r.exit_code));
    RequireOneErrorLine(r);
    CHECK((r.err.find("ead-only") != std::string::npos || r.err.find("ermission denied") != std::string::npos));
  }
  // Reading needs no write access: verify and history work on the read-only archive.
  auto v = RunCommand(w.Cmd(archive, {"verify"}));
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  RequireUnchanged(before, Snapshot(archive));
  if (::geteuid() != 0) RunCommand({"chmod", "-R", "u+w", archive.string()});
  else REQUIRE(ro->Remount("rw"));
  auto again = RunCommand(w.Cmd(archive, {"archive", kArticle}, true));
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  auto v2 = RunCommand(w.Cmd(archive, {"verify"}));
  INFO(v2.out << v2.err);
  CHECK(v2.exit_code == 0);
}
