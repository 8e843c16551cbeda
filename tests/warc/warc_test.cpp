#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/crypto/sha256.h"
#include "embarc/warc/warc.h"
#include "support/support.h"

using namespace embarc;
using namespace embarc::warc;
using embarc::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const auto kDate = std::chrono::system_clock::time_point(std::chrono::milliseconds(1729427696789));  // 2024-10-20T12:34:56.789Z

// --- Independent helpers (zlib and OpenSSL directly, not embarc::warc) ---

// Compresses `data` as one gzip member.
std::string Gzip(const std::string& data) {
  z_stream s{};
  REQUIRE(deflateInit2(&s, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&s, data.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// Decompresses every member of a multi-member gzip stream; `members` receives the count.
std::string GunzipAll(const std::string& gz, int* members) {
  std::string out;
  std::size_t pos = 0;
  *members = 0;
  while (pos < gz.size()) {
    z_stream s{};
    REQUIRE(inflateInit2(&s, 31) == Z_OK);
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + pos));
    s.avail_in = static_cast<uInt>(gz.size() - pos);
    int rc = Z_OK;
    char buf[65536];
    while (rc != Z_STREAM_END) {
      s.next_out = reinterpret_cast<Bytef*>(buf);
      s.avail_out = sizeof(buf);
      rc = inflate(&s, Z_NO_FLUSH);
      REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
      out.append(buf, sizeof(buf) - s.avail_out);
    }
    pos += s.total_in;
    inflateEnd(&s);
    ++*members;
  }
  return out;
}

std::string Sha1(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr) == 1);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string Sha256Hex(const std::string& data) { return crypto::Sha256(data).Hex(); }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A WARC record built by hand, with whatever digest fields the test wants.
std::string HandRecord(const std::string& type, const std::string& content_type, const std::string& block,
                       const std::vector<std::string>& extra_fields) {
  std::string r = "WARC/1.1\r\nWARC-Type: " + type +
                  "\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
                  "WARC-Date: 2024-10-20T12:34:56Z\r\n";
  for (const auto& f : extra_fields) r += f + "\r\n";
  r += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(block.size()) + "\r\n\r\n";
  return r + block + "\r\n\r\n";
}

std::string RandomBytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// `text` matches `pattern`, where '9' stands for a decimal digit, 'f' for a lower-case hex
// digit, 'y' for one of 8, 9, a, b, and any other character for itself. (std::regex trips
// gcc 12's -Wmaybe-uninitialized under the sanitizers.)
bool MatchesShape(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool digit = c >= '0' && c <= '9';
    const bool hex = digit || (c >= 'a' && c <= 'f');
    switch (pattern[i]) {
      case '9': if (!digit) return false; break;
      case 'f': if (!hex) return false; break;
      case 'y': if (c != '8' && c != '9' && c != 'a' && c != 'b') return false; break;
      default: if (c != pattern[i]) return false;
    }
  }
  return true;
}

void WriteBytes(const fs::path& p, const std::string& bytes) { embarc::testing::WriteFileText(p, bytes); }
std::string ReadBytes(const fs::path& p) { return embarc::testing::ReadFileText(p); }

const std::string kRequest = "GET /post/1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: embarc-test\r\n\r\n";
const std::string kResponseHead = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n";
const std::string kResponseBody = "{\"text\":\"hello, \\u00e9 world\"}";

struct Written {
  fs::path dir;
  std::vector<RecordLocation> locations;  // request, response, metadata, resource
};

Written WriteSample(const fs::path& dir) {
  auto writer = WarcWriter::Open(dir, "test");
  REQUIRE(writer);
  Written w{dir, {}};
  auto req = (*writer)->Write(MakeRequest("https://example.com/post/1", kDate, "93.184.216.34", kRequest));
  REQUIRE(req);
  auto resp = (*writer)->Write(MakeResponse("https://example.com/post/1", kDate, "93.184.216.34", kResponseHead,
                                            AsBytes(kResponseBody)));
  REQUIRE(resp);
  auto meta = (*writer)->Write(MakeMetadata("https://example.com/post/1", kDate, resp->record_id,
                                            "peer-ip: 93.184.216.34\r\n", "application/warc-fields"));
  REQUIRE(meta);
  auto res = (*writer)->Write(MakeResource("https://example.com/media/1.jpg", kDate, "image/jpeg",
                                           AsBytes(RandomBytes(5000, 7))));
  REQUIRE(res);
  REQUIRE((*writer)->Sync());
  w.locations = {*req, *resp, *meta, *res};
  return w;
}

std::vector<ReadRecord> ScanAll(const fs::path& path) {
  std::vector<ReadRecord> out;
  auto r = ForEachRecord(path, [&](const ReadRecord& rec) -> Result<void> {
    out.push_back(rec);
    return Ok();
  });
  REQUIRE(r);
  return out;
}

}  // namespace

TEST_CASE("warc: records are read back at their locations and by a scan, with correct digests", "[warc]") {
  TempDir tmp;
  const Written w = WriteSample(tmp.path() / "warcs");
  const auto& locs = w.locations;
  for (const auto& loc : locs) CHECK(loc.file == locs[0].file);
  const fs::path file = w.dir / locs[0].file;
  CHECK(MatchesShape(locs[0].file, "test-99999999999999999-ffffff.warc.gz"));

  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);

  const std::vector<std::string> types = {"request", "response", "metadata", "resource"};
  for (std::size_t i = 0; i < locs.size(); ++i) {
    auto rec = ReadRecordAt(file, locs[i].offset, locs[i].length);
    REQUIRE(rec);
    const WarcRecord& r = rec->record;
    CHECK(r.Field("WARC-Type") == types[i]);
    CHECK(r.Field("warc-record-id") == locs[i].record_id);
    CHECK(r.Field("WARC-Date") == "2024-10-20T12:34:56.789Z");
    CHECK(r.Field("Content-Length") == std::to_string(r.block.size()));
    // Digests recomputed independently of the writer.
    const std::string block = ToString(r.block);
    CHECK(r.Field("WARC-Block-Digest") == "sha256:" + Sha256Hex(block));
    CHECK(locs[i].block_digest == crypto::Sha256(block));
    // Stable field order: WARC-Type, WARC-Record-ID, WARC-Date first, Content-Length last.
    REQUIRE(r.fields.size() >= 5);
    CHECK(r.fields[0].first == "WARC-Type");
    CHECK(r.fields[1].first == "WARC-Record-ID");
    CHECK(r.fields[2].first == "WARC-Date");
    CHECK(r.fields[3].first == "WARC-Target-URI");
    CHECK(r.fields.back().first == "Content-Length");
  }
  // Request and response carry payload digests over the part after the HTTP head.
  auto req = ReadRecordAt(file, locs[0].offset, locs[0].length);
  auto resp = ReadRecordAt(file, locs[1].offset, locs[1].length);
  auto meta = ReadRecordAt(file, locs[2].offset, locs[2].length);
  auto res = ReadRecordAt(file, locs[3].offset, locs[3].length);
  REQUIRE((req && resp && meta && res));
  CHECK(ToString(req->record.block) == kRequest);
  CHECK(req->record.Field("Content-Type") == "application/http; msgtype=request");
  CHECK(req->record.Field("WARC-IP-Address") == "93.184.216.34");
  CHECK(req->record.Field("WARC-Payload-Digest") == "sha256:" + Sha256Hex(""));
  CHECK(ToString(resp->record.block) == kResponseHead + kResponseBody);
  CHECK(resp->record.Field("Content-Type") == "application/http; msgtype=response");
  CHECK(resp->record.Field("WARC-Payload-Digest") == "sha256:" + Sha256Hex(kResponseBody));
  REQUIRE(locs[1].payload_digest);
  CHECK(*locs[1].payload_digest == crypto::Sha256(kResponseBody));
  CHECK(meta->record.Field("WARC-Concurrent-To") == locs[1].record_id);
  CHECK(meta->record.Field("WARC-Payload-Digest").empty());
  CHECK_FALSE(locs[2].payload_digest);
  CHECK(ToString(res->record.block) == RandomBytes(5000, 7));
  CHECK(res->record.Field("Content-Type") == "image/jpeg");
  CHECK(res->record.Field("WARC-Payload-Digest").empty());

  // The scan sees the warcinfo record first, then the same records at the same places.
  const auto all = ScanAll(file);
  REQUIRE(all.size() == 5);
  CHECK(all[0].offset == 0);
  CHECK(all[0].record.Field("WARC-Type") == "warcinfo");
  CHECK(all[0].record.Field("WARC-Filename") == locs[0].file);
  CHECK(all[0].record.Field("Content-Type") == "application/warc-fields");
  CHECK(ToString(all[0].record.block).find("format: WARC File Format 1.1\r\n") != std::string::npos);
  CHECK(ToString(all[0].record.block).starts_with("software: embarc/"));
  CHECK(all[0].offset + all[0].length == locs[0].offset);
  for (std::size_t i = 0; i < locs.size(); ++i) {
    CHECK(all[i + 1].offset == locs[i].offset);
    CHECK(all[i + 1].length == locs[i].length);
    CHECK(all[i + 1].record.Field("WARC-Record-ID") == locs[i].record_id);
    CHECK(all[i + 1].record.block == (i == 1 ? resp->record.block : all[i + 1].record.block));
  }
  CHECK(locs.back().offset + locs.back().length == fs::file_size(file));

  // An independent gunzip finds one gzip member per record, each a WARC/1.1 record.
  int members = 0;
  const std::string plain = GunzipAll(ReadBytes(file), &members);
  CHECK(members == 5);
  CHECK(plain.starts_with("WARC/1.1\r\nWARC-Type: warcinfo\r\n"));
  CHECK(plain.ends_with(RandomBytes(5000, 7) + "\r\n\r\n"));
  CHECK(ValidPrefixLength(file).value() == fs::file_size(file));
}

TEST_CASE("warc: a flipped byte in a member is corruption for both readers", "[warc]") {
  TempDir tmp;
  const Written w = WriteSample(tmp.path());
  const fs::path file = w.dir / w.locations[0].file;
  const RecordLocation& resp = w.locations[1];
  embarc::testing::FlipByte(file, resp.offset + resp.length / 2);

  auto direct = ReadRecordAt(file, resp.offset, resp.length);
  REQUIRE_FALSE(direct);
  CHECK(direct.error().code == ErrorCode::kCorruption);
  // Neighbours are intact.
  CHECK(ReadRecordAt(file, w.locations[0].offset, w.locations[0].length));
  CHECK(ReadRecordAt(file, w.locations[2].offset, w.locations[2].length));

  int seen = 0;
  auto scan = ForEachRecord(file, [&](const ReadRecord&) -> Result<void> {
    ++seen;
    return Ok();
  });
  REQUIRE_FALSE(scan);
  CHECK(scan.error().code == ErrorCode::kCorruption);
  CHECK(scan.error().message.find("offset " + std::to_string(resp.offset)) != std::string::npos);
  CHECK(seen == 2);  // warcinfo and request
  CHECK(ValidPrefixLength(file).value() == resp.offset);
}

TEST_CASE("warc: a wrong offset or length is an error", "[warc]") {
  TempDir tmp;
  const Written w = WriteSample(tmp.path());
  const fs::path file = w.dir / w.locations[0].file;
  const RecordLocation& loc = w.locations[1];
  const std::uint64_t size = fs::file_size(file);

  auto check_corrupt = [&](std::uint64_t offset, std::uint64_t length) {
    auto r = ReadRecordAt(file, offset, length);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  };
  check_corrupt(loc.offset + 1, loc.length - 1);
  check_corrupt(loc.offset - 1, loc.length + 1);
  check_corrupt(loc.offset, loc.length - 1);                      // member cut short
  check_corrupt(loc.offset, loc.length + 1);                      // trailing bytes of the next member
  check_corrupt(loc.offset, loc.length + w.locations[2].length);  // two members in one range
  check_corrupt(loc.offset, 0);
  check_corrupt(size, 1);
  check_corrupt(size - 1, 2);
  check_corrupt(std::uint64_t{1} << 63, std::uint64_t{1} << 63);  // offset + length overflows
  // Every proper prefix of a member is rejected.
  const RecordLocation& small = w.locations[0];
  for (std::uint64_t k = 1; k < small.length; ++k) {
    auto r = ReadRecordAt(file, small.offset, k);
    REQUIRE_FALSE(r);
  }
  auto missing = ReadRecordAt(tmp.path() / "nope.warc.gz", 0, 10);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("warc: a truncated tail is reported as truncated, and the valid prefix ends at the last good record", "[warc]") {
  TempDir tmp;
  const Written w = WriteSample(tmp.path());
  const fs::path file = w.dir / w.locations[0].file;
  const RecordLocation& last = w.locations.back();
  const std::string bytes = ReadBytes(file);
  for (std::uint64_t cut : {std::uint64_t{1}, std::uint64_t{9}, last.length / 2, last.length - 1}) {
    const fs::path cut_file = tmp.path() / ("cut-" + std::to_string(cut) + ".warc.gz");
    WriteBytes(cut_file, bytes.substr(0, static_cast<std::size_t>(last.offset + cut)));
    int seen = 0;
    auto scan = ForEachRecord(cut_file, [&](const ReadRecord&) -> Result<void> {
      ++seen;
      return Ok();
    });
    REQUIRE_FALSE(scan);
    CHECK(scan.error().code == ErrorCode::kCorruption);
    CHECK(scan.error().message.starts_with("truncated"));
    CHECK(scan.error().message.find(std::to_string(last.offset)) != std::string::npos);
    CHECK(seen == 4);
    CHECK(ValidPrefixLength(cut_file).value() == last.offset);
  }
  // Garbage after the last member is corruption, and the valid prefix stops before it.
  const fs::path garbage = tmp.path() / "garbage.warc.gz";
  WriteBytes(garbage, bytes + "not a gzip member at all");
  auto scan = ForEachRecord(garbage, [](const ReadRecord&) -> Result<void> { return Ok(); });
  REQUIRE_FALSE(scan);
  CHECK(scan.error().code == ErrorCode::kCorruption);
  CHECK(ValidPrefixLength(garbage).value() == bytes.size());
  // Empty files have no records; missing files are not found.
  WriteBytes(tmp.path() / "empty.warc.gz", "");
  CHECK(ScanAll(tmp.path() / "empty.warc.gz").empty());
  CHECK(ValidPrefixLength(tmp.path() / "empty.warc.gz").value() == 0);
  CHECK(ValidPrefixLength(tmp.path() / "missing.warc.gz").error().code == ErrorCode::kNotFound);
}

TEST_CASE("warc: files rotate past max_file_bytes, each starting with warcinfo", "[warc]") {
  TempDir tmp;
  auto writer = WarcWriter::Open(tmp.path() / "rot", "rot", /*max_file_bytes=*/6000);
  REQUIRE(writer);
  CHECK((*writer)->CurrentFileName().empty());
  std::vector<RecordLocation> locs;
  for (std::uint32_t i = 0; i < 5; ++i) {
    auto loc = (*writer)->Write(
        MakeResource("https://example.com/" + std::to_string(i), kDate, "application/octet-stream",
                     AsBytes(RandomBytes(2500, i))));
    REQUIRE(loc);
    CHECK((*writer)->CurrentFileName() == loc->file);
    locs.push_back(*loc);
  }
  REQUIRE((*writer)->Sync());
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(tmp.path() / "rot")) files.push_back(e.path());
  CHECK(files.size() >= 2);
  CHECK(locs.front().file != locs.back().file);
  for (const auto& f : files) {
    const auto recs = ScanAll(f);
    REQUIRE(!recs.empty());
    CHECK(recs[0].record.Field("WARC-Type") == "warcinfo");
    CHECK(recs[0].record.Field("WARC-Filename") == f.filename().string());
    // A file is only rotated once it has reached the limit, so it holds at most one record past it.
    CHECK(recs.size() <= 4);
  }
  for (std::size_t i = 0; i < locs.size(); ++i) {
    auto rec = ReadRecordAt(tmp.path() / "rot" / locs[i].file, locs[i].offset, locs[i].length);
    REQUIRE(rec);
    CHECK(ToString(rec->record.block) == RandomBytes(2500, static_cast<std::uint32_t>(i)));
  }
}

TEST_CASE("warc: digests of hand-built records: other encodings accepted, a wrong payload digest detected", "[warc]") {
  TempDir tmp;
  const std::string block = kResponseHead + kResponseBody;
  const std::string block_sha1_b32 = Upper(Base32Encode(AsBytes(Sha1(block))));  // 32 chars, no padding needed
  const std::string payload_b32_padded = Upper(Base32Encode(crypto::Sha256(kResponseBody).view())) + "====";

  SECTION("sha1 base32, upper-case hex and padded base32 sha256 verify") {
    const std::string rec = HandRecord("response", "application/http; msgtype=response", block,
                                       {"WARC-Block-Digest: sha1:" + block_sha1_b32,
                                        "WARC-Block-Digest: SHA-256:" + Upper(Sha256Hex(block)),
                                        "WARC-Payload-Digest: sha256:" + payload_b32_padded});
    const std::string member = Gzip(rec);
    WriteBytes(tmp.path() / "ok.warc.gz", member);
    auto r = ReadRecordAt(tmp.path() / "ok.warc.gz", 0, member.size());
    REQUIRE(r);
    CHECK(ToString(r->record.block) == block);
    // The same record uncompressed, as a plain .warc.
    WriteBytes(tmp.path() / "ok.warc", rec + rec);
    const auto recs = ScanAll(tmp.path() / "ok.warc");
    REQUIRE(recs.size() == 2);
    CHECK(recs[1].offset == rec.size());
    CHECK(recs[1].length == rec.size());
    CHECK(ReadRecordAt(tmp.path() / "ok.warc", rec.size(), rec.size()));
  }
  SECTION("a wrong payload digest is corruption in both readers") {
    const std::string wrong = Sha256Hex(kResponseBody + " ");
    const std::string rec = HandRecord("response", "application/http; msgtype=response", block,
                                       {"WARC-Block-Digest: sha256:" + Sha256Hex(block),
                                        "WARC-Payload-Digest: sha256:" + wrong});
    const std::string member = Gzip(rec);
    WriteBytes(tmp.path() / "bad.warc.gz", member);
    auto r = ReadRecordAt(tmp.path() / "bad.warc.gz", 0, member.size());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find("payload digest mismatch in record <urn:uuid:00000000-0000-4000-8000-000000000001>") !=
          std::string::npos);
    auto scan = ForEachRecord(tmp.path() / "bad.warc.gz", [](const ReadRecord&) -> Result<void> { return Ok(); });
    REQUIRE_FALSE(scan);
    CHECK(scan.error().code == ErrorCode::kCorruption);
    CHECK(scan.error().message.find("payload digest mismatch") != std::string::npos);
    CHECK(ValidPrefixLength(tmp.path() / "bad.warc.gz").value() == 0);
  }
  SECTION("a wrong sha1 block digest is corruption") {
    const std::string rec = HandRecord("resource", "text/plain", "hello",
                                       {"WARC-Block-Digest: sha1:" + Base32Encode(AsBytes(Sha1("hellO")))});
    WriteBytes(tmp.path() / "b.warc", rec);
    auto r = ReadRecordAt(tmp.path() / "b.warc", 0, rec.size());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
    CHECK(r.error().message.find("block digest mismatch") != std::string::npos);
  }
  SECTION("a wrong Content-Length is corruption") {
    std::string rec = HandRecord("resource", "text/plain", "hello", {});
    rec.replace(rec.find("Content-Length: 5"), 17, "Content-Length: 4");
    const std::string member = Gzip(rec);
    WriteBytes(tmp.path() / "cl.warc.gz", member);
    auto r = ReadRecordAt(tmp.path() / "cl.warc.gz", 0, member.size());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
  SECTION("two records in one gzip member are rejected") {
    const std::string rec = HandRecord("resource", "text/plain", "hello", {});
    const std::string member = Gzip(rec + rec);
    WriteBytes(tmp.path() / "two.warc.gz", member);
    auto r = ReadRecordAt(tmp.path() / "two.warc.gz", 0, member.size());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kCorruption);
  }
}

TEST_CASE("warc: size limits on writing and reading", "[warc]") {
  TempDir tmp;
  SECTION("the writer refuses a record past kMaxRecordBytes and writes nothing") {
    auto writer = WarcWriter::Open(tmp.path() / "w", "big");
    REQUIRE(writer);
    Bytes huge(static_cast<std::size_t>(kMaxRecordBytes) - 100, 'x');  // block fits, block + head does not
    auto r = (*writer)->Write(MakeResource("https://example.com/big", kDate, "text/plain", huge));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kLimitExceeded);
    CHECK(fs::is_empty(tmp.path() / "w"));
    auto ok = (*writer)->Write(MakeResource("https://example.com/small", kDate, "text/plain", AsBytes("small")));
    REQUIRE(ok);
    const std::uint64_t size = fs::file_size(tmp.path() / "w" / ok->file);
    WarcRecord long_head = MakeResource("https://example.com/h", kDate, "text/plain", AsBytes("x"));
    long_head.fields.emplace_back("X-Long", std::string(kMaxHeaderBytes, 'a'));
    auto r2 = (*writer)->Write(long_head);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().code == ErrorCode::kLimitExceeded);
    CHECK(fs::file_size(tmp.path() / "w" / ok->file) == size);
  }
  SECTION("a gzip bomb stops inflating at the limit") {
    // One member that inflates to kMaxRecordBytes + 1 MiB, compressed in streaming fashion.
    const fs::path bomb = tmp.path() / "bomb.warc.gz";
    {
      std::ofstream out(bomb, std::ios::binary);
      z_stream s{};
      REQUIRE(deflateInit2(&s, Z_BEST_SPEED, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
      const std::string head = HandRecord("resource", "text/plain", "", {});
      std::string zeros(1 << 20, '\0');
      std::string buf(1 << 16, '\0');
      const std::uint64_t chunks = kMaxRecordBytes / zeros.size() + 1;
      for (std::uint64_t i = 0; i <= chunks; ++i) {
        const std::string& in = i == 0 ? head : zeros;
        s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        s.avail_in = static_cast<uInt>(in.size());
        const int flush = i == chunks ? Z_FINISH : Z_NO_FLUSH;
        int rc = Z_OK;
        do {
          s.next_out = reinterpret_cast<Bytef*>(buf.data());
          s.avail_out = static_cast<uInt>(buf.size());
          rc = deflate(&s, flush);
          out.write(buf.data(), static_cast<std::streamsize>(buf.size() - s.avail_out));
        } while (s.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
      }
      deflateEnd(&s);
    }
    auto r = ReadRecordAt(bomb, 0, fs::file_size(bomb));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kLimitExceeded);
    auto scan = ForEachRecord(bomb, [](const ReadRecord&) -> Result<void> { return Ok(); });
    REQUIRE_FALSE(scan);
    CHECK(scan.error().code == ErrorCode::kLimitExceeded);
  }
  SECTION("plain records: an endless head or a huge Content-Length is refused") {
    const fs::path head_file = tmp.path() / "head.warc";
    WriteBytes(head_file, "WARC/1.1\r\nX: " + std::string(kMaxHeaderBytes + 10, 'a') + "\r\n\r\n");
    auto r = ReadRecordAt(head_file, 0, fs::file_size(head_file));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kLimitExceeded);
    const fs::path cl_file = tmp.path() / "cl.warc";
    std::string rec = HandRecord("resource", "text/plain", "hello", {});
    rec.replace(rec.find("Content-Length: 5"), 17, "Content-Length: 99999999999999");
    WriteBytes(cl_file, rec);
    auto scan = ForEachRecord(cl_file, [](const ReadRecord&) -> Result<void> { return Ok(); });
    REQUIRE_FALSE(scan);
    CHECK(scan.error().code == ErrorCode::kLimitExceeded);
  }
}

TEST_CASE("warc: a failed append is cut back so later records follow a complete member", "[warc]") {
  TempDir tmp;
  auto writer = WarcWriter::Open(tmp.path(), "io");
  REQUIRE(writer);
  auto first = (*writer)->Write(MakeResource("https://example.com/1", kDate, "text/plain", AsBytes("first")));
  REQUIRE(first);
  const fs::path file = tmp.path() / first->file;
  const std::uint64_t end = first->offset + first->length;
  REQUIRE(fs::file_size(file) == end);
  {
    // A file size limit makes write(2) succeed partially, then fail with EFBIG.
    struct rlimit old_limit {};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    struct sigaction ignore {}, old_action {};
    ignore.sa_handler = SIG_IGN;
    REQUIRE(sigaction(SIGXFSZ, &ignore, &old_action) == 0);
    struct rlimit limit = old_limit;
    limit.rlim_cur = end + 1000;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
    auto failed = (*writer)->Write(
        MakeResource("https://example.com/2", kDate, "application/octet-stream", AsBytes(RandomBytes(20000, 3))));
    REQUIRE(setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    REQUIRE(sigaction(SIGXFSZ, &old_action, nullptr) == 0);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == ErrorCode::kIo);
  }
  CHECK(fs::file_size(file) == end);
  auto third = (*writer)->Write(MakeResource("https://example.com/3", kDate, "text/plain", AsBytes("third")));
  REQUIRE(third);
  CHECK(third->file == first->file);
  CHECK(third->offset == end);
  const auto recs = ScanAll(file);
  REQUIRE(recs.size() == 3);
  CHECK(ToString(recs[2].record.block) == "third");
}

TEST_CASE("warc: the writer rejects fields that would break the format", "[warc]") {
  TempDir tmp;
  auto writer = WarcWriter::Open(tmp.path(), "f");
  REQUIRE(writer);
  WarcRecord injected = MakeResource("https://example.com/\r\nWARC-Type: response", kDate, "text/plain", AsBytes("x"));
  auto r = (*writer)->Write(injected);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  WarcRecord bad_name = MakeResource("https://example.com/", kDate, "text/plain", AsBytes("x"));
  bad_name.fields.emplace_back("Bad Name", "v");
  CHECK((*writer)->Write(bad_name).error().code == ErrorCode::kInvalidArgument);
  WarcRecord untyped;
  untyped.block = ToBytes("x");
  CHECK((*writer)->Write(untyped).error().code == ErrorCode::kInvalidArgument);
  CHECK(fs::is_empty(tmp.path()));
  CHECK(WarcWriter::Open(tmp.path(), "a/b").error().code == ErrorCode::kInvalidArgument);
  CHECK(WarcWriter::Open(tmp.path(), "").error().code == ErrorCode::kInvalidArgument);
  // Caller-supplied ids and dates are kept; stale Content-Length and digests are replaced.
  WarcRecord given = MakeResource("https://example.com/", kDate, "text/plain", AsBytes("body"));
  given.fields.emplace_back("WARC-Record-ID", "<urn:uuid:11111111-2222-4333-8444-555555555555>");
  given.fields.emplace_back("Content-Length", "999");
  given.fields.emplace_back("WARC-Block-Digest", "sha256:00");
  auto loc = (*writer)->Write(given);
  REQUIRE(loc);
  CHECK(loc->record_id == "<urn:uuid:11111111-2222-4333-8444-555555555555>");
  auto back = ReadRecordAt(tmp.path() / loc->file, loc->offset, loc->length);
  REQUIRE(back);
  CHECK(back->record.Field("Content-Length") == "4");
}

TEST_CASE("warc: record ids, dates and HTTP block splitting", "[warc]") {
  const std::string a = NewRecordId();
  CHECK(MatchesShape(a, "<urn:uuid:ffffffff-ffff-4fff-yfff-ffffffffffff>"));
  CHECK_FALSE(MatchesShape("<urn:uuid:ffffffff-ffff-3fff-8fff-ffffffffffff>", "<urn:uuid:ffffffff-ffff-4fff-yfff-ffffffffffff>"));
  CHECK(a != NewRecordId());
  CHECK(WarcDate(kDate) == "2024-10-20T12:34:56.789Z");
  CHECK(WarcDate(std::chrono::system_clock::time_point(std::chrono::milliseconds(-1))) == "1969-12-31T23:59:59.999Z");
  const std::string block = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody\r\n\r\nmore";
  auto split = SplitHttpBlock(AsBytes(block));
  REQUIRE(split);
  CHECK(split->first == "HTTP/1.1 200 OK\r\nA: b\r\n\r\n");
  CHECK(AsChars(split->second) == "body\r\n\r\nmore");
  auto none = SplitHttpBlock(AsBytes("HTTP/1.1 200 OK\r\nA: b\r\n"));
  REQUIRE_FALSE(none);
  CHECK(none.error().code == ErrorCode::kCorruption);
}

TEST_CASE("warc: hostile bytes never crash the readers or pass as the original", "[warc]") {
  TempDir tmp;
  const std::string rec = HandRecord("resource", "text/plain", "hello world",
                                     {"WARC-Block-Digest: sha256:" + Sha256Hex("hello world")});
  const std::string member = Gzip(rec);
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    std::string plain = rec;
    plain[rng() % plain.size()] = static_cast<char>(rng() & 0xff);
    std::string gz = member;
    for (int k = 0; k < 3; ++k) gz[10 + rng() % (gz.size() - 10)] = static_cast<char>(rng() & 0xff);  // past the gzip header
    WriteBytes(tmp.path() / "p.warc", plain);
    WriteBytes(tmp.path() / "g.warc.gz", gz);
    // One changed byte may hit a field value the reader does not check (the date, say), but
    // it can never produce a different block: the block digest or the framing catches it.
    auto p = ReadRecordAt(tmp.path() / "p.warc", 0, plain.size());
    if (p) CHECK(ToString(p->record.block) == "hello world");
    auto g = ReadRecordAt(tmp.path() / "g.warc.gz", 0, gz.size());
    if (gz != member) CHECK_FALSE(g);  // the CRC-32 catches a changed deflate stream or trailer
    auto prefix = ValidPrefixLength(tmp.path() / "g.warc.gz");
    REQUIRE(prefix);
    CHECK(*prefix == (g ? gz.size() : 0));
  }
}

TEST_CASE("warc: warcio (an independent implementation) accepts the files and their digests", "[warc]") {
  const fs::path tools = embarc::testing::SourceDir() / "tools";
  const fs::path warcio = tools / "node_modules" / "warcio";
  const fs::path script = fs::path(EMBARC_SHARED_DIR) / "tools" / "warc_check.mjs";
  if (embarc::testing::RunCommand({"node", "--version"}).exit_code != 0 || !fs::exists(warcio) ||
      !fs::exists(script)) {
    WARN("skipped: needs node, " + warcio.string() + " (cd tools && npm install warcio@2) and " + script.string());
    return;
  }
  // Node resolves 'warcio' from the script's own directory upwards, so the script runs from a
  // copy inside tools/node_modules/ (git-ignored), where it finds tools/node_modules/warcio.
  const fs::path copy = tools / "node_modules" / ".embarc-warc_check.mjs";
  // The shared script is read-only, and so is its copy: replace the copy rather than write into it.
  fs::remove(copy);
  fs::copy_file(script, copy);

  TempDir tmp;
  const Written w = WriteSample(tmp.path());
  const fs::path file = w.dir / w.locations[0].file;
  auto result = embarc::testing::RunCommand({"node", copy.string(), file.string()});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("records=5 ") != std::string::npos);
  CHECK(result.out.find("bad=0") != std::string::npos);

  // The checker itself notices a wrong payload digest in a file we did not write.
  const std::string block = kResponseHead + kResponseBody;
  const fs::path bad = tmp.path() / "bad.warc.gz";
  WriteBytes(bad, Gzip(HandRecord("response", "application/http; msgtype=response", block,
                                  {"WARC-Block-Digest: sha256:" + Sha256Hex(block),
                                   "WARC-Payload-Digest: sha256:" + Sha256Hex("x")})));
  auto bad_result = embarc::testing::RunCommand({"node", copy.string(), bad.string()});
  CHECK(bad_result.exit_code != 0);
}
