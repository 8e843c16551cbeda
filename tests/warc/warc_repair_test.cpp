// Crash repair of WARC files: a partial last record is cut off, complete records keep every
// byte, and anything that is not an interrupted append is left alone.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/warc/warc.h"
#include "support/support.h"

using namespace embarc;
using namespace embarc::warc;
using embarc::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

struct Sample {
  fs::path file;
  std::vector<RecordLocation> records;  // warcinfo is records[0]
  std::string bytes;
};

// A file of warcinfo + 4 records written by the real writer; the last block is large and
// incompressible-ish so that cuts land inside deflate data, not only in the gzip header.
Sample WriteSample(const fs::path& dir) {
  auto writer = WarcWriter::Open(dir / "w", "embarc");
  REQUIRE(writer);
  const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1729427696789));
  Sample s;
  std::string big;
  std::uint32_t x = 12345;
  for (int i = 0; i < 20000; ++i) {
    x = x * 1103515245u + 12345u;
    big.push_back(static_cast<char>('a' + (x >> 16) % 26));
  }
  const std::vector<WarcRecord> records = {
      MakeRequest("https://example.com/a", t, "192.0.2.1", "GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n"),
      MakeResponse("https://example.com/a", t, "192.0.2.1", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", AsBytes("hello")),
      MakeMetadata("https://example.com/a", t, "", "{\"outcome\":\"ok\"}", "application/json"),
      MakeResponse("https://example.com/big", t, "192.0.2.1", "HTTP/1.1 200 OK\r\n\r\n", AsBytes(big)),
  };
  for (const WarcRecord& r : records) {
    auto loc = (*writer)->Write(r);
    REQUIRE(loc);
    if (s.records.empty()) {
      // warcinfo went first, at offset 0, up to this record.
      RecordLocation info;
      info.file = loc->file;
      info.offset = 0;
      info.length = loc->offset;
      s.records.push_back(info);
    }
    s.records.push_back(*loc);
  }
  REQUIRE((*writer)->Sync());
  s.file = dir / "w" / s.records[0].file;
  s.bytes = ReadBytes(s.file);
  return s;
}

}  // namespace

TEST_CASE("warc repair: a clean file is clean and left as it is", "[warc][repair]") {
  TempDir tmp;
  const Sample s = WriteSample(tmp.path());
  auto state = RepairCrashTail(s.file);
  REQUIRE(state);
  CHECK(state->clean);
  CHECK_FALSE(state->crash_tail);
  CHECK(state->valid_end == s.bytes.size());
  CHECK(ReadBytes(s.file) == s.bytes);
  // An empty file (a crash right after creating it) is clean too.
  WriteBytes(tmp.path() / "empty.warc.gz", "");
  auto empty = RepairCrashTail(tmp.path() / "empty.warc.gz");
  REQUIRE(empty);
  CHECK(empty->clean);
}

TEST_CASE("warc repair: a cut last member is cut off and every complete record stays byte-identical", "[warc][repair]") {
  TempDir tmp;
  const Sample s = WriteSample(tmp.path());
  const RecordLocation& last = s.records.back();
  REQUIRE(last.length > 100);
  for (std::uint64_t cut : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{10}, std::uint64_t{30}, last.length / 3,
                            last.length / 2, last.length - 8, last.length - 1}) {
    INFO("cut after " << cut << " bytes of the last member");
    const fs::path f = tmp.path() / ("cut-" + std::to_string(cut) + ".warc.gz");
    WriteBytes(f, s.bytes.substr(0, static_cast<std::size_t>(last.offset + cut)));

    auto inspected = InspectTail(f);
    REQUIRE(inspected);
    CHECK_FALSE(inspected->clean);
    CHECK(inspected->crash_tail);
    CHECK(inspected->valid_end == last.offset);
    CHECK(ReadBytes(f).size() == last.offset + cut);  // inspecting changes nothing

    auto repaired = RepairCrashTail(f);
    REQUIRE(repaired);
    CHECK(repaired->crash_tail);
    CHECK(repaired->file_size == last.offset + cut);
    const std::string after = ReadBytes(f);
    CHECK(after == s.bytes.substr(0, static_cast<std::size_t>(last.offset)));
    // Every complete record reads back at its old location, and the file scans clean.
    for (std::size_t i = 1; i + 1 < s.records.size(); ++i) {
      CHECK(ReadRecordAt(f, s.records[i].offset, s.records[i].length));
    }
    CHECK(ForEachRecord(f, [](const ReadRecord&) -> Result<void> { return Ok(); }));
    // A second repair finds nothing to do.
    auto again = RepairCrashTail(f);
    REQUIRE(again);
    CHECK(again->clean);
    CHECK(ReadBytes(f) == after);
  }
  // A cut inside the very first record leaves an empty (clean) file.
  const fs::path first = tmp.path() / "first.warc.gz";
  WriteBytes(first, s.bytes.substr(0, 20));
  auto r = RepairCrashTail(first);
  REQUIRE(r);
  CHECK(r->crash_tail);
  CHECK(ReadBytes(first).empty());
}

TEST_CASE("warc repair: InspectTailFrom a record boundary sees the same tail as from the start", "[warc][repair]") {
  TempDir tmp;
  const Sample s = WriteSample(tmp.path());
  const RecordLocation& last = s.records.back();
  const RecordLocation& before_last = s.records[s.records.size() - 2];
  // Whole: clean from any record boundary.
  for (const RecordLocation& r : s.records) {
    auto from = InspectTailFrom(s.file, r.offset);
    REQUIRE(from);
    CHECK(from->clean);
    CHECK(from->valid_end == s.bytes.size());
  }
  // Cut inside the last member: from the boundary before it, or from its own start, the same
  // crash tail as a whole-file inspection finds.
  const fs::path cut = tmp.path() / "cut.warc.gz";
  WriteBytes(cut, s.bytes.substr(0, static_cast<std::size_t>(last.offset + last.length / 2)));
  auto whole = InspectTail(cut);
  REQUIRE(whole);
  REQUIRE(whole->crash_tail);
  for (std::uint64_t from : {before_last.offset, last.offset}) {
    INFO("from offset " << from);
    auto tail = InspectTailFrom(cut, from);
    REQUIRE(tail);
    CHECK(tail->crash_tail);
    CHECK_FALSE(tail->clean);
    CHECK(tail->valid_end == whole->valid_end);
  }
  // A damaged record before `from` is not looked at (the caller vouches for those bytes); one
  // after it is corruption, not a crash tail.
  std::string damaged = s.bytes;
  damaged[static_cast<std::size_t>(before_last.offset + before_last.length / 2)] ^= 0x40;
  const fs::path bad = tmp.path() / "bad.warc.gz";
  WriteBytes(bad, damaged);
  auto after_damage = InspectTailFrom(bad, last.offset);
  REQUIRE(after_damage);
  CHECK(after_damage->clean);
  auto over_damage = InspectTailFrom(bad, before_last.offset);
  REQUIRE(over_damage);
  CHECK_FALSE(over_damage->clean);
  CHECK_FALSE(over_damage->crash_tail);
  // An offset past the end (an index naming bytes the file lacks) is neither clean nor a crash
  // tail: crash repair then inspects the whole file.
  auto past_end = InspectTailFrom(s.file, s.bytes.size() + 1);
  REQUIRE(past_end);
  CHECK_FALSE(past_end->clean);
  CHECK_FALSE(past_end->crash_tail);
}

TEST_CASE("warc repair: damage that is not an interrupted append is never cut", "[warc][repair]") {
  TempDir tmp;
  const Sample s = WriteSample(tmp.path());
  const RecordLocation& mid = s.records[2];

  SECTION("a flipped byte inside a middle record") {
    const fs::path f = tmp.path() / "flipped.warc.gz";
    std::string b = s.bytes;
    b[static_cast<std::size_t>(mid.offset + mid.length / 2)] ^= 0x01;
    WriteBytes(f, b);
    auto state = RepairCrashTail(f);
    REQUIRE(state);
    CHECK_FALSE(state->clean);
    CHECK_FALSE(state->crash_tail);
    CHECK(ReadBytes(f) == b);
  }
  SECTION("a middle record cut short, complete records after it") {
    const fs::path f = tmp.path() / "hole.warc.gz";
    std::string b = s.bytes;
    b.erase(static_cast<std::size_t>(mid.offset + mid.length / 2), static_cast<std::size_t>(mid.length / 4));
    WriteBytes(f, b);
    auto state = RepairCrashTail(f);
    REQUIRE(state);
    CHECK_FALSE(state->crash_tail);
    CHECK(ReadBytes(f) == b);
  }
  SECTION("garbage after the last record") {
    const fs::path f = tmp.path() / "garbage.warc.gz";
    const std::string b = s.bytes + "this is not gzip";
    WriteBytes(f, b);
    auto state = RepairCrashTail(f);
    REQUIRE(state);
    CHECK_FALSE(state->crash_tail);
    CHECK(ReadBytes(f) == b);
  }
  SECTION("a whole record spliced in after a partial one") {
    // A partial member followed by a complete one is not what an append that stopped leaves.
    const fs::path f = tmp.path() / "spliced.warc.gz";
    const RecordLocation& last = s.records.back();
    const std::string b = s.bytes.substr(0, static_cast<std::size_t>(last.offset + last.length / 2)) +
                          s.bytes.substr(static_cast<std::size_t>(mid.offset), static_cast<std::size_t>(mid.length));
    WriteBytes(f, b);
    auto state = RepairCrashTail(f);
    REQUIRE(state);
    CHECK_FALSE(state->crash_tail);
    CHECK(ReadBytes(f) == b);
  }
  CHECK(RepairCrashTail(tmp.path() / "missing.warc.gz").error().code == ErrorCode::kNotFound);
}
