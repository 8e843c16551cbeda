// Export end to end: packages of an archive captured over the fixture server (with an RFC 3161
// token), checked by verify-bundle, by independent checkers (python zipfile, warcio.js) and by the
// package's own VERIFY.md run as written; selective disclosure; the tamper matrix (each exit 3,
// named); the research tables against their schema.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "embarc/core/bytes.h"
#include "embarc/crypto/sha256.h"
#include "embarc/export/export.h"
#include "embarc/export/verify_bundle.h"
#include "embarc/export/zip.h"
#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::bundle::ReadZip;
using embarc::bundle::ZipEntry;
using embarc::bundle::ZipWriter;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::FixtureServerOptions;
using embarc::testing::ReadFileText;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;
using embarc::testing::WriteFileText;

namespace {

const char* kArticle = "https://news.example/world/2024/10/20/north-korean-troops-russia.html";
const char* kTweet = "https://twitter.com/ZelenskyyUa/status/1848047034574221401";
const char* kTweetId = "1848047034574221401";
const char* kOtherId = "1848100000000000001";   // the article's second tweet
const char* kTsa = "https://tsa.example/tsr";

FixtureServer& Server() {
  static FixtureServer server([] {
    FixtureServerOptions options;
    options.tsa = true;
    return options;
  }());
  return server;
}

CommandResult Embarc(const fs::path& archive, std::vector<std::string> args, bool net = false) {
  std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
  a.insert(a.end(), args.begin(), args.end());
  if (net) {
    const auto n = Server().EmbarcNetArgs();
    a.insert(a.end(), n.begin(), n.end());
  }
  return RunCommand(a);
}

// An archive of the article (two tweets) with a later capture of the first tweet; every
// checkpoint stamped by the fixture TSA, whose CA is the archive's trust anchor.
struct ExportWorld {
  TempDir dir;
  fs::path archive = dir.path() / "archive";
  fs::path one = dir.path() / "one.wacz";
  fs::path all = dir.path() / "all.wacz";
  ExportWorld() {
    REQUIRE(Embarc(archive, {"init"}).exit_code == 0);
    REQUIRE(Embarc(archive, {"tsa", "add", kTsa, "--ca", Server().tsa_ca_file()}).exit_code == 0);
    auto run = Embarc(archive, {"archive", kArticle}, true);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    REQUIRE(Embarc(archive, {"capture", kTweet}, true).exit_code == 0);
    auto e1 = Embarc(archive, {"export", "--out", one.string(), "--post", kTweet});
    INFO(e1.err);
    REQUIRE(e1.exit_code == 0);
    auto e2 = Embarc(archive, {"export", "--all", "--out", all.string()});
    INFO(e2.err);
    REQUIRE(e2.exit_code == 0);
  }
};

ExportWorld& World() {
  static ExportWorld world;
  return world;
}

std::vector<ZipEntry> Entries(const fs::path& wacz) {
  auto e = ReadZip(ReadFileText(wacz));
  REQUIRE(e);
  return *e;
}

ZipEntry& Entry(std::vector<ZipEntry>& entries, const std::string& prefix) {
  for (ZipEntry& e : entries) {
    if (e.name.rfind(prefix, 0) == 0) return e;
  }
  FAIL("no entry " << prefix);
  return entries.front();
}

// Writes the entries as a package, with datapackage.json and its digest brought up to date
// for the changed files when `rehash` (a forger who rewrites the manifest too).
void Repack(std::vector<ZipEntry> entries, const fs::path& out, bool rehash) {
  if (rehash) {
    auto dp = nlohmann::json::parse(Entry(entries, "datapackage.json").data);
    for (auto& r : dp["resources"]) {
      for (const ZipEntry& e : entries) {
        if (e.name == r["path"]) {
          r["hash"] = "sha256:" + embarc::crypto::Sha256(e.data).Hex();
          r["bytes"] = e.data.size();
        }
      }
    }
    Entry(entries, "datapackage.json").data = dp.dump(2);
    Entry(entries, "datapackage-digest.json").data =
        nlohmann::json{{"path", "datapackage.json"}, {"hash", "sha256:" + embarc::crypto::Sha256(dp.dump(2)).Hex()}}.dump();
  }
  ZipWriter w(0, 0x21);
  for (ZipEntry& e : entries) REQUIRE(w.Add(e.name, e.data));
  auto z = w.Finish();
  REQUIRE(z);
  WriteFileText(out, *z);
}

// All gzip members of a .warc.gz, decompressed and concatenated.
std::string Gunzip(const std::string& gz) {
  std::string out;
  std::size_t at = 0;
  while (at < gz.size()) {
    z_stream zs{};
    REQUIRE(inflateInit2(&zs, 31) == Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + at));
    zs.avail_in = static_cast<uInt>(gz.size() - at);
    int rc = Z_OK;
    char buf[65536];
    while (rc != Z_STREAM_END) {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      rc = inflate(&zs, Z_NO_FLUSH);
      REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
      out.append(buf, sizeof buf - zs.avail_out);
    }
    at += zs.total_in;
    inflateEnd(&zs);
  }
  return out;
}

// Every byte a reader of the package can see: entries, the WARC decompressed, record payloads decoded.
std::string Readable(const fs::path& wacz) {
  std::string all;
  for (const ZipEntry& e : Entries(wacz)) {
    all += e.name + "\n" + e.data + "\n";
    if (e.name.ends_with(".warc.gz")) all += Gunzip(e.data);
    if (e.name.ends_with(".dsse.json")) {
      auto payload = embarc::Base64Decode(nlohmann::json::parse(e.data)["payload"].get<std::string>());
      REQUIRE(payload);
      all += embarc::ToString(*payload);
    }
  }
  return all;
}

CommandResult VerifyBundle(const fs::path& wacz, bool json = false) {
  std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "verify-bundle", wacz.string()};
  if (json) a.push_back("--json");
  return RunCommand(a);
}

// RFC 4180 parser for the test: rows of fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      REQUIRE(field.empty());
      quoted = was_quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      was_quoted = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      was_quoted = false;
      ++i;
    } else {
      REQUIRE_FALSE(was_quoted);
      REQUIRE(c != '\n');   // a bare LF outside quotes is not RFC 4180
      field += c;
    }
  }
  REQUIRE_FALSE(quoted);
  REQUIRE(row.empty());
  REQUIRE(field.empty());
  return rows;
}

}  // namespace

TEST_CASE("export: a package verifies offline and says in plain words what it proves", "[integration][export]") {
  ExportWorld& w = World();
  auto r = VerifyBundle(w.one);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("package ok") != std::string::npos);
  CHECK(r.out.find("these bytes were received from https://") != std::string::npos);
  CHECK(r.out.find("chain verified to the bundled trust anchors") != std::string::npos);
  CHECK(r.out.find("Not proven: that the platform's servers were honest") != std::string::npos);

  auto j = nlohmann::json::parse(VerifyBundle(w.one, true).out);
  REQUIRE(j["records"].size() == 2);   // both snapshots of the tweet
  for (const auto& rec : j["records"]) {
    CHECK(rec["post_id"] == kTweetId);
    CHECK_FALSE(rec["captures"].empty());
  }
  REQUIRE(j["timestamps"].size() == 1);
  CHECK(j["timestamps"][0]["anchored"] == true);

  auto all = nlohmann::json::parse(VerifyBundle(w.all, true).out);
  CHECK(all["records"].size() == 3);   // two tweets from the article, one recapture
  CHECK(all["tree_size"] == j["tree_size"]);

  // WACZ layout.
  auto entries = Entries(w.one);
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.name);
  for (const char* required : {"archive/data.warc.gz", "indexes/index.cdxj", "pages/pages.jsonl", "datapackage.json",
                               "datapackage-digest.json", "embarc/checkpoint.txt", "embarc/VERIFY.md", "embarc/tsa-anchors.pem"}) {
    INFO(required);
    CHECK(std::find(names.begin(), names.end(), required) != names.end());
  }
  const auto dp = nlohmann::json::parse(Entry(entries, "datapackage.json").data);
  CHECK(dp["profile"] == "data-package");
  CHECK(dp["wacz_version"] == "1.1.1");
  CHECK(dp["resources"].size() == entries.size() - 2);
  const std::string pages = Entry(entries, "pages/pages.jsonl").data;
  CHECK(nlohmann::json::parse(pages.substr(0, pages.find('\n')))["format"] == "json-pages-1.0");
  CHECK(pages.find(kTweet) != std::string::npos);
  // CDXJ lines are sorted and name response records.
  const std::string cdxj = Entry(entries, "indexes/index.cdxj").data;
  REQUIRE_FALSE(cdxj.empty());
  std::string prev;
  for (std::size_t at = 0; at < cdxj.size();) {
    const std::size_t end = cdxj.find('\n', at);
    const std::string line = cdxj.substr(at, end - at);
    at = end + 1;
    CHECK(prev <= line);
    prev = line;
    const auto sp = line.find(' ');
    CHECK(line.substr(sp + 1, 14).find_first_not_of("0123456789") == std::string::npos);
    const auto cj = nlohmann::json::parse(line.substr(line.find('{')));
    for (const char* k : {"url", "mime", "status", "digest", "length", "offset", "filename"}) CHECK(cj.contains(k));
  }
}

TEST_CASE("export: independent checkers accept the package and its WARC", "[integration][export]") {
  ExportWorld& w = World();
  TempDir out;
  const fs::path script = fs::path(EMBARC_SHARED_DIR) / "tools" / "wacz_check.py";
  for (const fs::path& p : {w.one, w.all}) {
    auto r = RunCommand({"python3", script.string(), p.string(), out.path().string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("wacz ok") != std::string::npos);
  }
  const fs::path tools = embarc::testing::SourceDir() / "tools";
  const fs::path warc_check = fs::path(EMBARC_SHARED_DIR) / "tools" / "warc_check.mjs";
  if (RunCommand({"node", "--version"}).exit_code != 0 || !fs::exists(tools / "node_modules" / "warcio")) {
    WARN("skipped warcio: needs node and tools/node_modules/warcio");
    return;
  }
  const fs::path copy = tools / "node_modules" / ".embarc-export-warc_check.mjs";
  fs::remove(copy);
  fs::copy_file(warc_check, copy);
  auto r = RunCommand({"node", copy.string(), (out.path() / "data.warc.gz").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("bad=0") != std::string::npos);
}

TEST_CASE("export: VERIFY.md's commands, run as written, verify the package with openssl and python alone",
          "[integration][export]") {
  ExportWorld& w = World();
  TempDir tmp;
  const fs::path pkg = tmp.path() / "pkg";
  auto unzip = RunCommand({"python3", "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
                           w.one.string(), pkg.string()});
  REQUIRE(unzip.exit_code == 0);
  // The shell blocks of VERIFY.md, in order, as one script.
  const std::string md = ReadFileText(pkg / "embarc" / "VERIFY.md");
  std::string script = "set -e\ncd '" + pkg.string() + "'\n";
  for (std::size_t at = md.find("```sh\n"); at != std::string::npos; at = md.find("```sh\n", at)) {
    const std::size_t end = md.find("```\n", at + 6);
    script += md.substr(at + 6, end - at - 6);
    at = end + 4;
  }
  const fs::path sh = tmp.path() / "verify.sh";
  WriteFileText(sh, script);
  auto r = RunCommand({"bash", sh.string()});
  INFO(script << "\n---\n" << r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("BAD") == std::string::npos);
  CHECK(r.out.find("Signature Verified Successfully") != std::string::npos);
  CHECK(r.out.find("Verification: OK") != std::string::npos);
  CHECK(r.out.find("leaf ") != std::string::npos);
}

TEST_CASE("export: one post's package discloses nothing of the other posts", "[integration][export]") {
  ExportWorld& w = World();
  const std::string one = Readable(w.one);
  CHECK(one.find(kTweetId) != std::string::npos);
  CHECK(one.find(kOtherId) == std::string::npos);
  CHECK(one.find("WorldDeskWire") == std::string::npos);
  // The full package does hold it: the search is not vacuous.
  CHECK(Readable(w.all).find(kOtherId) != std::string::npos);
}

TEST_CASE("export: every tampering of a package is exit 3 and named", "[integration][export]") {
  ExportWorld& w = World();
  TempDir tmp;
  const fs::path bad = tmp.path() / "bad.wacz";
  auto entries = Entries(w.one);
  auto expect = [&](const std::string& named) {
    auto r = VerifyBundle(bad);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find(named) != std::string::npos);
  };

  SECTION("a byte of the WARC (manifest rewritten to match)") {
    auto& warc = Entry(entries, "archive/data.warc.gz");
    warc.data[warc.data.size() / 2] = static_cast<char>(warc.data[warc.data.size() / 2] ^ 0x01);
    Repack(entries, bad, true);
    expect("archive/data.warc.gz");
  }
  SECTION("a byte of the WARC (manifest left alone)") {
    auto& warc = Entry(entries, "archive/data.warc.gz");
    warc.data[100] = static_cast<char>(warc.data[100] ^ 0x01);
    Repack(entries, bad, false);
    expect("archive/data.warc.gz: SHA-256 differs from its hash in datapackage.json");
  }
  SECTION("a hash in the manifest") {
    auto& dp = Entry(entries, "datapackage.json");
    const std::size_t at = dp.data.find("sha256:") + 7;
    dp.data[at] = dp.data[at] == 'a' ? 'b' : 'a';
    Repack(entries, bad, false);
    expect("SHA-256 differs from its hash in datapackage.json");
  }
  SECTION("the manifest digest") {
    auto& dg = Entry(entries, "datapackage-digest.json");
    const std::size_t at = dg.data.find("sha256:") + 7;
    dg.data[at] = dg.data[at] == 'a' ? 'b' : 'a';
    Repack(entries, bad, false);
    expect("datapackage-digest.json");
  }
  SECTION("an envelope's signature") {
    auto& env = Entry(entries, "embarc/records/");
    auto j = nlohmann::json::parse(env.data);
    auto sig = embarc::Base64Decode(j["signatures"][0]["sig"].get<std::string>());
    REQUIRE(sig);
    (*sig)[5] ^= 0x01;
    j["signatures"][0]["sig"] = embarc::Base64Encode(*sig);
    env.data = j.dump();
    Repack(entries, bad, true);
    expect(env.name + ": signature");
  }
  SECTION("an envelope's record") {
    auto& env = Entry(entries, "embarc/records/");
    auto j = nlohmann::json::parse(env.data);
    auto payload = embarc::Base64Decode(j["payload"].get<std::string>());
    REQUIRE(payload);
    std::string text = embarc::ToString(*payload);
    const std::string from = "\"state\":\"available\"";
    REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), "\"state\":\"deleted\"");
    j["payload"] = embarc::Base64Encode(embarc::AsBytes(text));
    env.data = j.dump();
    Repack(entries, bad, true);
    expect(env.name);
  }
  SECTION("a hash of an inclusion proof") {
    auto& proof = Entry(entries, "embarc/proofs/");
    auto j = nlohmann::json::parse(proof.data);
    REQUIRE_FALSE(j["inclusion"].empty());
    std::string h = j["inclusion"][0];
    h[0] = h[0] == '0' ? '1' : '0';
    j["inclusion"][0] = h;
    proof.data = j.dump();
    Repack(entries, bad, true);
    expect(proof.name + ": inclusion proof does not lead to the checkpoint's root");
  }
  SECTION("the checkpoint") {
    auto& cp = Entry(entries, "embarc/checkpoint.txt");
    const std::size_t nl = cp.data.find('\n');
    const std::size_t nl2 = cp.data.find('\n', nl + 1);
    cp.data.replace(nl + 1, nl2 - nl - 1, "99");
    Repack(entries, bad, true);
    expect("embarc/checkpoint.txt");
  }
  SECTION("a timestamp token") {
    auto& tsr = Entry(entries, "embarc/timestamps/");
    for (ZipEntry& e : entries) {
      if (e.name.ends_with(".tsr")) {
        // A byte of the signed TSTInfo (its policy OID, just after the content type
        // id-smime-ct-TSTInfo). Not the token's middle byte: that lies among the
        // embedded certificates, and may fall in the copy of the trust anchor,
        // which verification rightly ignores for the bundled one.
        const std::string tst_info_oid = "\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x04";
        const std::size_t at = e.data.find(tst_info_oid);
        REQUIRE(at != std::string::npos);
        const std::size_t flip = at + tst_info_oid.size() + 16;
        REQUIRE(flip < e.data.size());
        e.data[flip] = static_cast<char>(e.data[flip] ^ 0x01);
        Repack(entries, bad, true);
        expect(e.name);
        return;
      }
    }
    FAIL("no token in " << tsr.name);
  }
  SECTION("a file added") {
    entries.push_back({"embarc/note-from-someone.txt", "trust me"});
    Repack(entries, bad, false);
    expect("embarc/note-from-someone.txt: not listed in datapackage.json (file added)");
  }
  SECTION("a file added and listed in the manifest") {
    entries.push_back({"embarc/note-from-someone.txt", "trust me"});
    auto& dpe = Entry(entries, "datapackage.json");
    auto dp = nlohmann::json::parse(dpe.data);
    dp["resources"].push_back({{"name", "x"}, {"path", "embarc/note-from-someone.txt"}, {"hash", ""}, {"bytes", 8}});
    dpe.data = dp.dump();
    Repack(entries, bad, true);
    expect("embarc/note-from-someone.txt: not a file an embarc package holds");
  }
  SECTION("a file removed") {
    std::string removed;
    std::erase_if(entries, [&](const ZipEntry& e) {
      if (removed.empty() && e.name.starts_with("embarc/proofs/")) {
        removed = e.name;
        return true;
      }
      return false;
    });
    Repack(entries, bad, false);
    expect(removed + ": listed in datapackage.json but missing from the package (file removed)");
  }
  SECTION("a path with ..") {
    entries.push_back({"embarc/xx/evil.txt", "x"});
    Repack(entries, bad, false);
    std::string bytes = ReadFileText(bad);
    for (std::size_t at = bytes.find("embarc/xx/"); at != std::string::npos; at = bytes.find("embarc/xx/", at)) bytes.replace(at, 10, "embarc/../");
    WriteFileText(bad, bytes);
    expect("'..' path component");
  }
  SECTION("a zip entry's bytes (CRC)") {
    std::string bytes = ReadFileText(w.one);
    const std::size_t at = bytes.find("Verifying this evidence package");
    REQUIRE(at != std::string::npos);
    bytes[at] = 'v';
    WriteFileText(bad, bytes);
    expect("CRC-32 mismatch");
  }
  SECTION("a truncated package") {
    const std::string bytes = ReadFileText(w.one);
    WriteFileText(bad, bytes.substr(0, bytes.size() - 30));
    expect("package:");
  }
}

TEST_CASE("export: without trust anchors a token is checked and reported as unanchored", "[integration][export]") {
  ExportWorld& w = World();
  TempDir tmp;
  const fs::path pkg = tmp.path() / "unanchored.wacz";
  auto entries = Entries(w.one);
  std::erase_if(entries, [](const ZipEntry& e) { return e.name == "embarc/tsa-anchors.pem"; });
  auto& dpe = Entry(entries, "datapackage.json");
  auto dp = nlohmann::json::parse(dpe.data);
  auto& res = dp["resources"];
  res.erase(std::remove_if(res.begin(), res.end(), [](const nlohmann::json& r) { return r["path"] == "embarc/tsa-anchors.pem"; }),
            res.end());
  dpe.data = dp.dump();
  Repack(entries, pkg, true);
  auto r = VerifyBundle(pkg);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("UNANCHORED") != std::string::npos);
  CHECK(r.out.find("(unanchored)") != std::string::npos);
}

TEST_CASE("export: selection by article and by time window", "[integration][export]") {
  ExportWorld& w = World();
  TempDir tmp;
  const fs::path by_article = tmp.path() / "article.wacz";
  auto e = Embarc(w.archive, {"export", "--article", kArticle, "--out", by_article.string()});
  INFO(e.err);
  REQUIRE(e.exit_code == 0);
  auto j = nlohmann::json::parse(VerifyBundle(by_article, true).out);
  CHECK(j["records"].size() == 3);
  // A window that holds only the latest snapshot (the recapture of the first tweet).
  const auto all = nlohmann::json::parse(VerifyBundle(w.all, true).out);
  const std::string last = all["records"].back()["observed_at"];
  const fs::path late = tmp.path() / "late.wacz";
  REQUIRE(Embarc(w.archive, {"export", "--since", last, "--out", late.string()}).exit_code == 0);
  auto lj = nlohmann::json::parse(VerifyBundle(late, true).out);
  REQUIRE(lj["records"].size() == 1);
  CHECK(lj["records"][0]["post_id"] == kTweetId);
  // Nothing in the window: bad input, not an empty package.
  auto none = Embarc(w.archive, {"export", "--until", "2001-01-01T00:00:00Z", "--out", (tmp.path() / "n.wacz").string()});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("the selection holds no snapshot") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp.path() / "n.wacz"));
}

TEST_CASE("export: verify-bundle refuses a package over its size limit before reading it", "[integration][export]") {
  TempDir tmp;
  const fs::path huge = tmp.path() / "huge.wacz";
  WriteFileText(huge, "");
  fs::resize_file(huge, embarc::bundle::kMaxBundleFileBytes + 1);   // sparse: no disk used
  auto r = VerifyBundle(huge);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("larger than") != std::string::npos);
}

TEST_CASE("export: any changed byte of a package is read safely, and a changed entry byte is refused",
          "[integration][export]") {
  ExportWorld& w = World();
  const std::string good = ReadFileText(w.one);
  REQUIRE(embarc::bundle::VerifyBundle(good));
  auto entries = Entries(w.one);
  std::size_t refused = 0, tried = 0;
  const std::size_t stride = std::max<std::size_t>(1, good.size() / 400);
  for (std::size_t i = 0; i < good.size(); i += stride) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    ++tried;
    if (!embarc::bundle::VerifyBundle(bad)) ++refused;
  }
  // Only bytes outside every entry's data and name (DOS times, attributes) may change unnoticed.
  CHECK(refused * 10 >= tried * 9);
}

TEST_CASE("export: usage errors are exit 2", "[integration][export]") {
  ExportWorld& w = World();
  CHECK(Embarc(w.archive, {"export", "--out", (w.dir.path() / "x.wacz").string()}).exit_code == 2);
  CHECK(Embarc(w.archive, {"export", "--all"}).exit_code == 2);
  CHECK(Embarc(w.archive, {"export", "--all", "--format", "xml", "--out", "x"}).exit_code == 2);
  CHECK(Embarc(w.archive, {"export", "--post", "https://twitter.com/nobody/status/1", "--out", "x"}).exit_code == 2);
  CHECK(VerifyBundle(w.dir.path() / "absent.wacz").exit_code == 2);
  CHECK(RunCommand({embarc::testing::EmbarcBinary(), "verify-bundle"}).exit_code == 2);
}

TEST_CASE("export: research tables, CSV per RFC 4180 and JSON Lines, follow the schema", "[integration][export]") {
  ExportWorld& w = World();
  const fs::path csv = w.dir.path() / "t.csv";
  const fs::path jsonl = w.dir.path() / "t.jsonl";
  REQUIRE(Embarc(w.archive, {"export", "--all", "--format", "csv", "--out", csv.string()}).exit_code == 0);
  REQUIRE(Embarc(w.archive, {"export", "--all", "--format", "jsonl", "--out", jsonl.string()}).exit_code == 0);
  const std::vector<std::string> columns(std::begin(embarc::bundle::kTableColumns), std::end(embarc::bundle::kTableColumns));

  const auto rows = ParseCsv(ReadFileText(csv));
  REQUIRE(rows.size() == 4);   // header + 3 snapshots
  CHECK(rows[0] == columns);
  std::vector<nlohmann::json> lines;
  {
    const std::string text = ReadFileText(jsonl);
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = text.find('\n', at);
      lines.push_back(nlohmann::json::parse(text.substr(at, end - at)));
      at = end + 1;
    }
  }
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["columns"] == columns);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const auto& obj = lines[i];
    REQUIRE(row.size() == columns.size());
    CHECK(row[0] == "twitter");
    CHECK(row[10].size() == 64);
    CHECK(row[11].find_first_not_of("0123456789") == std::string::npos);
    CHECK(row[12].find(kArticle) != std::string::npos);
    CHECK(obj.size() == columns.size());
    for (std::size_t c = 0; c + 2 < columns.size(); ++c) {
      INFO(columns[c]);
      CHECK((obj[columns[c]].is_null() ? std::string() : obj[columns[c]].get<std::string>()) == row[c]);
    }
    CHECK(obj["leaf_index"].is_number_unsigned());
    CHECK(std::to_string(obj["leaf_index"].get<std::uint64_t>()) == row[11]);
    CHECK(obj["cited_in"].is_array());
    CHECK(obj["state"] == "available");
  }
  // One post's table has its two snapshots: first, then unchanged.
  const fs::path one = w.dir.path() / "one.csv";
  REQUIRE(Embarc(w.archive, {"export", "--post", kTweet, "--format", "csv", "--out", one.string()}).exit_code == 0);
  const auto one_rows = ParseCsv(ReadFileText(one));
  REQUIRE(one_rows.size() == 3);
  CHECK(one_rows[1][7] == "first");
  CHECK(one_rows[2][7] == "unchanged");
  CHECK(one_rows[1][1] == kTweetId);
}
