// The package ZIP: round trip through the writer and reader, an independent reader (python's
// zipfile) agreeing, and hostile archives refused with the named limits.
#include <catch2/catch.hpp>
#include <string>

#include "embarc/export/export.h"
#include "embarc/export/zip.h"
#include "support/support.h"

using embarc::ErrorCode;
using namespace embarc::bundle;

namespace {

std::string MakeZip(const std::vector<std::pair<std::string, std::string>>& files) {
  ZipWriter w(0, 0x21);
  for (const auto& [n, d] : files) REQUIRE(w.Add(n, d));
  auto z = w.Finish();
  REQUIRE(z);
  return *z;
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("zip: entries written are read back in order, byte for byte", "[export][zip]") {
  std::string binary;
  for (int i = 0; i < 70000; ++i) binary.push_back(static_cast<char>(i * 7));
  const std::string z = MakeZip({{"a.txt", "hello"}, {"dir/empty", ""}, {"dir/sub/bin", binary}});
  auto entries = ReadZip(z);
  REQUIRE(entries);
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0].name == "a.txt");
  CHECK((*entries)[0].data == "hello");
  CHECK((*entries)[1].data.empty());
  CHECK((*entries)[2].data == binary);

  // python's zipfile (an independent reader) agrees, CRCs included.
  embarc::testing::TempDir tmp;
  const auto path = tmp.path() / "t.zip";
  embarc::testing::WriteFileText(path, z);
  auto py = embarc::testing::RunCommand({"python3", "-c",
                                         "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; "
                                         "print(','.join(z.namelist()), len(z.read('dir/sub/bin')))",
                                         path.string()});
  INFO(py.err);
  CHECK(py.exit_code == 0);
  CHECK(py.out == "a.txt,dir/empty,dir/sub/bin 70000\n");
}

TEST_CASE("zip: the reader also reads deflated entries written by another tool", "[export][zip]") {
  embarc::testing::TempDir tmp;
  const auto path = tmp.path() / "d.zip";
  auto py = embarc::testing::RunCommand({"python3", "-c",
                                         "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED); "
                                         "z.writestr('x/y.txt', 'abc' * 1000); z.close()",
                                         path.string()});
  REQUIRE(py.exit_code == 0);
  auto entries = ReadZip(embarc::testing::ReadFileText(path));
  REQUIRE(entries);
  REQUIRE(entries->size() == 1);
  CHECK((*entries)[0].data.size() == 3000);
}

TEST_CASE("zip: unsafe names are refused by the writer and the reader", "[export][zip]") {
  ZipWriter w(0, 0x21);
  for (const char* bad : {"../evil", "a/../../evil", "/etc/passwd", "a\\b", "C:/x", "a//b", "./a", ""}) {
    INFO(bad);
    CHECK_FALSE(w.Add(bad, "x"));
  }
  REQUIRE(w.Add("ok", "1"));
  auto dup = w.Add("ok", "2");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == ErrorCode::kInvalidArgument);

  // The same names smuggled into the bytes (names of the same length, replaced in place).
  const std::string z = MakeZip({{"aa/evil.txt", "x"}});
  for (const char* bad : {"../evil.txt", "/a/evil.txt", "aa\\evil.txt"}) {
    std::string hostile = z;
    ReplaceAll(hostile, "aa/evil.txt", bad);
    auto r = ReadZip(hostile);
    INFO(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
  std::string twice = MakeZip({{"a.txt", "1"}, {"b.txt", "2"}});
  ReplaceAll(twice, "b.txt", "a.txt");
  auto r = ReadZip(twice);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("duplicate zip entry a.txt") != std::string::npos);
}

TEST_CASE("zip: kMaxZipEntries is a limit of both the writer and the reader", "[export][zip]") {
  ZipWriter w(0, 0x21);
  for (std::size_t i = 0; i < kMaxZipEntries; ++i) REQUIRE(w.Add("f" + std::to_string(i), ""));
  auto over = w.Add("one-more", "");
  REQUIRE_FALSE(over);
  CHECK(over.error().code == ErrorCode::kLimitExceeded);
  auto z = w.Finish();
  REQUIRE(z);
  CHECK(ReadZip(*z));
  // An end record claiming one entry more than the limit.
  std::string hostile = *z;
  const std::size_t end = hostile.size() - 22;
  const auto count = static_cast<std::uint16_t>(kMaxZipEntries + 1);
  hostile[end + 8] = hostile[end + 10] = static_cast<char>(count & 0xff);
  hostile[end + 9] = hostile[end + 11] = static_cast<char>(count >> 8);
  auto r = ReadZip(hostile);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kLimitExceeded);
}

TEST_CASE("zip: an entry declaring more than kMaxZipEntryBytes is refused before it is read", "[export][zip]") {
  std::string z = MakeZip({{"big", "0123456789"}});
  // Central directory entry: uncompressed size at +24; make it (and the compressed size) huge.
  const std::size_t cd = z.find(std::string("PK\x01\x02", 4));
  REQUIRE(cd != std::string::npos);
  for (std::size_t off : {cd + 20, cd + 24}) {
    z[off] = 1; z[off + 1] = 0; z[off + 2] = 0; z[off + 3] = 0x50;   // 0x50000001 > 1 GiB
  }
  auto r = ReadZip(z);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kLimitExceeded);
  CHECK(r.error().message.find("big") != std::string::npos);
  // A whole file over kMaxZipBytes is refused by its size alone.
  // (The view's length is all ReadZip looks at before refusing: no byte past `z` is read.)
  auto h = ReadZip(std::string_view(z.data(), static_cast<std::size_t>(kMaxZipBytes) + 1));
  REQUIRE_FALSE(h);
  CHECK(h.error().code == ErrorCode::kLimitExceeded);
}

TEST_CASE("zip: truncated or damaged archives are corruption, never a crash", "[export][zip]") {
  const std::string z = MakeZip({{"a.txt", "hello"}, {"b.txt", "world"}});
  const std::size_t cd = z.find(std::string("PK\x01\x02", 4));
  SECTION("cut inside the central directory") {
    for (std::size_t cut = cd; cut < z.size(); ++cut) {
      auto r = ReadZip(std::string_view(z).substr(0, cut));
      CHECK_FALSE(r);
    }
  }
  SECTION("central directory size claims fewer bytes than its entries") {
    std::string h = z;
    const std::size_t end = h.size() - 22;
    h[end + 12] = static_cast<char>(h[end + 12] - 10);
    auto r = ReadZip(h);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
  SECTION("a flipped data byte fails the CRC") {
    std::string h = z;
    h[h.find("hello")] = 'j';
    auto r = ReadZip(h);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("a.txt: CRC-32 mismatch") != std::string::npos);
  }
  SECTION("every single-byte change is either read or refused") {
    for (std::size_t i = 0; i < z.size(); ++i) {
      std::string h = z;
      h[i] = static_cast<char>(h[i] ^ 0x5a);
      (void)ReadZip(h);
    }
  }
}

TEST_CASE("export helpers: SURT keys and RFC 4180 fields", "[export]") {
  CHECK(Surt("https://www.Example.com/A?b=2&a=1") == "com,example)/a?a=1&b=2");
  CHECK(Surt("https://twitter.com/ZelenskyyUa/status/1") == "com,twitter)/zelenskyyua/status/1");
  CHECK(Surt("http://example.com:80") == "com,example)/");
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvField("line\nbreak") == "\"line\nbreak\"");
}
