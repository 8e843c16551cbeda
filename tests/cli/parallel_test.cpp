// --parallel N and --max-per-host N: validated, and they bound how many requests are in flight.
//
// The bound is read from when each request started (captures.fetched_at, the hop's start, in
// ms). The fixture server answers every request after its --latency-ms L, and a transfer
// holds its slot from its start until its answer, so a slot starts at most one request in any
// window shorter than L: with k slots, at most k requests start in such a window. No wall-time
// target is asserted (speed is the benchmark's business, bench/archive.py).
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "embarc/capture/record.h"
#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::FixtureServer;
using embarc::testing::FixtureServerOptions;
using embarc::testing::QuerySql;
using embarc::testing::RunEmbarc;
using embarc::testing::TempDir;
using embarc::testing::WriteFileText;

namespace {

constexpr int kLatencyMs = 300;
// Shorter than the latency, with room for the ms rounding of the stored times.
constexpr std::int64_t kWindowMs = kLatencyMs - 50;
constexpr std::uint64_t kFirstId = 1860000000000000000ULL;

std::string TweetId(int k) { return std::to_string(kFirstId + static_cast<std::uint64_t>(k)); }
std::string PostUrl(int k) { return "https://twitter.com/ParallelDesk/status/" + TweetId(k); }

// A world of n text-only tweets by @ParallelDesk: syndication and oEmbed answers.
void WriteWorld(const fs::path& world, int n) {
  fs::create_directories(world / "cdn.syndication.twimg.com");
  fs::create_directories(world / "publish.twitter.com");
  for (int k = 0; k < n; ++k) {
    const std::string id = TweetId(k);
    const std::string text = "Parallel test post number " + std::to_string(k) + ": officials said talks continue.";
    WriteFileText(world / "cdn.syndication.twimg.com" / ("tweet-result?id=" + id),
                  "HTTP/1.1 200 OK\ncontent-type: application/json;charset=utf-8\n\n"
                  "{\"__typename\":\"Tweet\",\"lang\":\"en\",\"favorite_count\":3,\"possibly_sensitive\":false,"
                  "\"created_at\":\"2024-10-20T20:32:30.000Z\",\"display_text_range\":[0," +
                      std::to_string(text.size()) +
                      "],\"entities\":{\"hashtags\":[],\"urls\":[],\"user_mentions\":[],\"symbols\":[]},"
                      "\"id_str\":\"" + id + "\",\"text\":\"" + text +
                      "\",\"user\":{\"id_str\":\"1587263300145609999\",\"name\":\"Parallel Desk\","
                      "\"screen_name\":\"ParallelDesk\",\"verified\":false,\"is_blue_verified\":false},"
                      "\"edit_control\":{\"edit_tweet_ids\":[\"" + id +
                      "\"],\"editable_until_msecs\":\"1729459950000\",\"is_edit_eligible\":true,"
                      "\"edits_remaining\":\"5\"},\"mediaDetails\":[],\"photos\":[],\"isEdited\":false,"
                      "\"isStaleEdit\":false}");
    WriteFileText(world / "publish.twitter.com" /
                      ("oembed?url=https%3A%2F%2Ftwitter.com%2FParallelDesk%2Fstatus%2F" + id),
                  "HTTP/1.1 200 OK\ncontent-type: application/json; charset=utf-8\n\n"
                  "{\"url\":\"" + PostUrl(k) +
                      "\",\"author_name\":\"Parallel Desk\",\"author_url\":\"https://twitter.com/ParallelDesk\","
                      "\"html\":\"<blockquote class=\\\"twitter-tweet\\\"><p lang=\\\"en\\\" dir=\\\"ltr\\\">" +
                      text + "</p>&mdash; Parallel Desk (@ParallelDesk)</blockquote>\\n\",\"width\":550,"
                      "\"height\":null,\"type\":\"rich\",\"provider_name\":\"Twitter\",\"version\":\"1.0\"}");
  }
}

struct Starts {
  std::vector<std::int64_t> all;                            // ms since the epoch
  std::map<std::string, std::vector<std::int64_t>> by_host;
};

std::string HostOf(const std::string& url) {
  const std::size_t begin = url.find("://") + 3;
  return url.substr(begin, url.find('/', begin) - begin);
}

Starts ReadStarts(const fs::path& archive) {
  Starts s;
  for (const std::string& line : QuerySql(archive / "index.sqlite3", "SELECT fetched_at || ' ' || url FROM captures")) {
    const std::size_t sp = line.find(' ');
    auto t = embarc::capture::ParseRfc3339(line.substr(0, sp));
    REQUIRE(t);
    const std::int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
    s.all.push_back(ms);
    s.by_host[HostOf(line.substr(sp + 1))].push_back(ms);
  }
  return s;
}

// The most start times within any window [t, t + kWindowMs].
std::size_t MostInWindow(std::vector<std::int64_t> times) {
  std::sort(times.begin(), times.end());
  std::size_t best = 0;
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < times.size(); ++hi) {
    while (times[hi] - times[lo] > kWindowMs) ++lo;
    best = std::max(best, hi - lo + 1);
  }
  return best;
}

struct Run {
  TempDir dir;
  Starts starts;
};

// Captures posts 0..n-1 with the given options and returns when each request started.
void CaptureWith(Run& run, int n, const std::vector<std::string>& options) {
  const fs::path world = run.dir.path() / "world";
  WriteWorld(world, n);
  FixtureServerOptions server_options;
  server_options.world = world;
  server_options.latency_ms = kLatencyMs;
  FixtureServer server(server_options);
  const fs::path archive = run.dir.path() / "archive";
  auto init = RunEmbarc(archive, {"init"});
  REQUIRE(init.exit_code == 0);
  std::vector<std::string> args = options;
  args.push_back("--json");
  args.push_back("capture");
  for (int k = 0; k < n; ++k) args.push_back(PostUrl(k));
  auto r = RunEmbarc(archive, args, server.EmbarcNetArgs());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(QuerySql(archive / "index.sqlite3", "SELECT COUNT(*) FROM snapshots WHERE state = 'available'") ==
          std::vector<std::string>{std::to_string(n)});
  run.starts = ReadStarts(archive);
  REQUIRE(run.starts.all.size() == static_cast<std::size_t>(2 * n));
}

}  // namespace

TEST_CASE("cli: --parallel and --max-per-host take 1 to 256, anything else is a usage error", "[cli][parallel]") {
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  for (const char* option : {"--parallel", "--max-per-host"}) {
    for (const char* bad : {"0", "257", "-1", "abc", "4x", "", "1e2"}) {
      auto r = RunEmbarc(archive, {option, bad, "status"});
      INFO(option << " " << bad << ": " << r.err);
      CHECK(r.exit_code == 2);
      CHECK(r.err.find(option) != std::string::npos);
      CHECK(r.err.find("1 and 256") != std::string::npos);
    }
    auto missing = RunEmbarc(archive, {"status", option});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find(option) != std::string::npos);
  }
  // Valid values parse (the command then fails for want of an archive, not for the option).
  auto ok = RunEmbarc(archive, {"--parallel", "256", "--max-per-host", "1", "status"});
  CHECK(ok.err.find("--parallel") == std::string::npos);
  CHECK(ok.err.find("--max-per-host") == std::string::npos);
  auto help = RunEmbarc(archive, {"help"});
  CHECK(help.out.find("--parallel N") != std::string::npos);
  CHECK(help.out.find("--max-per-host N") != std::string::npos);
}

TEST_CASE("cli: --version and version print the version records name as their agent", "[cli]") {
  TempDir dir;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--version"}, std::vector<std::string>{"version"}}) {
    auto r = RunEmbarc(dir.path() / "none", args);
    CHECK(r.exit_code == 0);
    CHECK(r.out == std::string("embarc ") + EMBARC_VERSION + "\n");
    CHECK(r.err.empty());
  }
  CHECK_FALSE(std::filesystem::exists(dir.path() / "none"));
}

TEST_CASE("cli: --parallel 2 keeps at most 2 requests in flight", "[cli][parallel][integration]") {
  Run run;
  CaptureWith(run, 6, {"--parallel", "2"});
  // The defaults (32 overall, 6 per host) would start all 12 requests at once.
  CHECK(MostInWindow(run.starts.all) <= 2);
  CHECK(MostInWindow(run.starts.all) >= 1);
}

TEST_CASE("cli: --max-per-host 1 sends one request at a time to each host", "[cli][parallel][integration]") {
  Run run;
  CaptureWith(run, 6, {"--max-per-host", "1", "--parallel", "64"});
  REQUIRE(run.starts.by_host.size() == 2);
  for (const auto& [host, times] : run.starts.by_host) {
    INFO(host);
    CHECK(MostInWindow(times) == 1);
  }
  CHECK(MostInWindow(run.starts.all) <= 2);
}

TEST_CASE("cli: --max-per-host 16 lifts the default limit of 6 per host", "[cli][parallel][integration]") {
  Run run;
  // 40 requests, 20 per host; the default overall limit (32) lets 16 per host start at once.
  CaptureWith(run, 20, {"--max-per-host", "16"});
  REQUIRE(run.starts.by_host.size() == 2);
  for (const auto& [host, times] : run.starts.by_host) {
    INFO(host);
    CHECK(MostInWindow(times) > 6);
    CHECK(MostInWindow(times) <= 16);
  }
  CHECK(MostInWindow(run.starts.all) <= 32);
}
