// The progress line of long runs: its text, its redraw rules, and that it shows on a terminal
// only.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cli/progress.h"
#include "support/fixture_server.h"
#include "support/support.h"

using embarc::capture::Progress;
using embarc::cli::FormatProgress;
using embarc::cli::ProgressLine;
using namespace std::chrono_literals;

namespace {

Progress Counts(std::size_t ad, std::size_t at, std::size_t pd, std::size_t pt, std::size_t failures) {
  Progress p;
  p.articles_done = ad;
  p.articles_total = at;
  p.posts_done = pd;
  p.posts_total = pt;
  p.failures = failures;
  return p;
}

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

// Runs argv with stderr on a pseudo-terminal (stdout and stdin on /dev/null) and returns
// what the terminal showed and the exit code.
std::pair<std::string, int> RunWithTerminalStderr(const std::vector<std::string>& argv) {
  int master = -1;
  int slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(master);
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(slave, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::setenv("TERM", "xterm", 1);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(slave);
  std::string shown;
  char buf[4096];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 60000) <= 0) break;
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child and its terminal are gone
    shown.append(buf, static_cast<std::size_t>(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {shown, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace

TEST_CASE("progress: the line names articles, posts, failures and the rate", "[cli][progress]") {
  CHECK(FormatProgress(Counts(3, 10, 120, 400, 2), 30s) == "articles 3/10, posts 120/400, 2 failed, 4.0 posts/s");
  CHECK(FormatProgress(Counts(1, 1, 7, 9, 0), 2500ms) == "articles 1/1, posts 7/9, 0 failed, 2.8 posts/s");
  // capture and recheck have no articles.
  CHECK(FormatProgress(Counts(0, 0, 5, 5, 1), 10s) == "posts 5/5, 1 failed, 0.5 posts/s");
  // No rate before a tenth of a second has passed (no division by nearly nothing).
  CHECK(FormatProgress(Counts(0, 2, 0, 0, 0), 0ms) == "articles 0/2, posts 0/0, 0 failed, - posts/s");
  CHECK(FormatProgress(Counts(0, 0, 0, 3, 0), 50ms) == "posts 0/3, 0 failed, - posts/s");
}

TEST_CASE("progress: one line redrawn in place, throttled, erased at the end", "[cli][progress]") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  {
    ProgressLine line(out);
    const auto cb = line.Callback();
    cb(Counts(0, 4, 0, 0, 0));
    cb(Counts(4, 4, 0, 10, 0));  // within the redraw interval and not finished: not drawn
    const std::string first = ReadAll(out);
    CHECK(first.starts_with("\rarticles 0/4, posts 0/0, 0 failed, "));
    CHECK(first.ends_with("\x1b[K"));
    CHECK(first.find("posts 0/10") == std::string::npos);
    CHECK(first.find('\n') == std::string::npos);
    std::this_thread::sleep_for(embarc::cli::kProgressRedrawInterval + 20ms);
    cb(Counts(4, 4, 3, 10, 1));
    CHECK(ReadAll(out).find("\rarticles 4/4, posts 3/10, 1 failed, ") != std::string::npos);
    cb(Counts(4, 4, 10, 10, 1));  // the end is always drawn
    CHECK(ReadAll(out).find("posts 10/10, 1 failed") != std::string::npos);
    line.Clear();
    CHECK(ReadAll(out).ends_with("\r\x1b[K"));
    const std::size_t size = ReadAll(out).size();
    line.Clear();  // idempotent; the destructor clears nothing more either
    CHECK(ReadAll(out).size() == size);
  }
  std::fclose(out);
}

TEST_CASE("progress: capture shows it on a terminal, and not when stderr is not one", "[cli][progress][integration]") {
  embarc::testing::FixtureServer server;
  embarc::testing::TempDir dir;
  const std::string archive = (dir.path() / "archive").string();
  const std::string bin = embarc::testing::EmbarcBinary();
  REQUIRE(embarc::testing::RunCommand({bin, "--archive", archive, "init"}).exit_code == 0);
  std::vector<std::string> argv = {bin, "--archive", archive, "capture",
                                   "https://twitter.com/ZelenskyyUa/status/1848047034574221401"};
  for (const auto& a : server.EmbarcNetArgs()) argv.push_back(a);

  const auto piped = embarc::testing::RunCommand(argv);
  INFO(piped.out << piped.err);
  REQUIRE(piped.exit_code == 0);
  CHECK(piped.err.find('\r') == std::string::npos);
  CHECK(piped.err.find("posts/s") == std::string::npos);

  const auto [shown, code] = RunWithTerminalStderr(argv);
  INFO(shown);
  CHECK(code == 0);
  CHECK(shown.find("\rposts 0/1, 0 failed") != std::string::npos);
  CHECK(shown.find("\rposts 1/1, 0 failed") != std::string::npos);
  CHECK(shown.ends_with("\r\x1b[K"));  // erased before the report (on stdout) is printed
}
