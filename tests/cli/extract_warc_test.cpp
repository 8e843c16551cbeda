// `embarc extract --warc`: the embeds of every HTML response record of existing web archives.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/warc_extract.h"
#include "embarc/warc/warc.h"
#include "support/fixture_server.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::CorpusDir;
using embarc::testing::EmbarcBinary;
using embarc::testing::ReadFileText;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;
using embarc::testing::WriteFileText;

namespace {

const char* kTweetPage = "pages/aeb__156770d676ce7990.html";  // one tweet, 1196540095848996871
const char* kBlueskyFragment = "fragments/atjson__bluesky_1.html";
const char* kTweetPageUri = "https://news.example/2019/11/tweet-page.html";
const char* kBlueskyUri = "https://blog.example/bluesky.html";

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

// The lines `embarc extract --json` prints for a corpus file, with `source` replaced.
std::vector<nlohmann::json> ExpectedLines(const std::string& corpus_file, const std::string& source) {
  const auto run = RunCommand({EmbarcBinary(), "extract", "--json", (CorpusDir() / corpus_file).string()});
  REQUIRE(run.exit_code == 0);
  auto lines = JsonLines(run.out);
  REQUIRE_FALSE(lines.empty());
  for (auto& l : lines) l["source"] = source;
  return lines;
}

std::vector<nlohmann::json> LinesFrom(const std::vector<nlohmann::json>& lines, const std::string& source) {
  std::vector<nlohmann::json> out;
  for (const auto& l : lines) {
    if (l["source"] == source) out.push_back(l);
  }
  return out;
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

std::string Chunked(const std::string& body, std::size_t chunk) {
  std::string out;
  char size[32];
  for (std::size_t i = 0; i < body.size(); i += chunk) {
    const std::string part = body.substr(i, chunk);
    std::snprintf(size, sizeof size, "%zx;ext=1\r\n", part.size());
    out += size + part + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// A WARC/1.0 record as other tools write it: no digests, Content-Length only.
std::string PlainRecord(const std::string& type, const std::string& uri, const std::string& content_type,
                        const std::string& block) {
  return "WARC/1.0\r\nWARC-Type: " + type + "\r\nWARC-Target-URI: " + uri +
         "\r\nWARC-Date: 2019-11-20T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000000>\r\n"
         "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(block.size()) + "\r\n\r\n" + block +
         "\r\n\r\n";
}

std::string HttpResponse(const std::string& status, const std::string& headers, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\n" + headers + "\r\n" + body;
}

// A WARC in the tests' own words: the tweet page chunked, a JSON response that contains embed
// markup (not HTML: ignored), a request record, a 404 HTML page with an embed (ignored), and the
// Bluesky fragment as application/xhtml+xml behind an angle-bracketed target URI.
std::string PlainWarc() {
  const std::string tweet_page = ReadFileText(CorpusDir() / kTweetPage);
  const std::string bluesky = ReadFileText(CorpusDir() / kBlueskyFragment);
  const std::string json_body =
      R"({"html":"<blockquote class=\"twitter-tweet\"><a href=\"https://twitter.com/a/status/111\">x</a></blockquote>"})";
  std::string warc;
  warc += PlainRecord("warcinfo", "", "application/warc-fields", "software: a test\r\n");
  warc += PlainRecord("request", kTweetPageUri, "application/http; msgtype=request",
                      "GET /2019/11/tweet-page.html HTTP/1.1\r\nHost: news.example\r\n\r\n");
  warc += PlainRecord("response", kTweetPageUri, "application/http; msgtype=response",
                      HttpResponse("200 OK", "Content-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n",
                                   Chunked(tweet_page, 1000)));
  warc += "\r\n";  // a stray blank line between records, as some writers leave
  warc += PlainRecord("response", "https://api.example/post.json", "application/http; msgtype=response",
                      HttpResponse("200 OK", "Content-Type: application/json\r\n", json_body));
  warc += PlainRecord("response", "https://news.example/missing.html", "application/http; msgtype=response",
                      HttpResponse("404 Not Found", "Content-Type: text/html\r\n", tweet_page));
  warc += PlainRecord("response", std::string("<") + kBlueskyUri + ">", "application/http; msgtype=response",
                      HttpResponse("200 OK", "content-type: application/xhtml+xml\r\n", bluesky));
  return warc;
}

CommandResult ExtractWarc(const std::vector<std::string>& files) {
  std::vector<std::string> argv = {EmbarcBinary(), "--json", "extract", "--warc"};
  argv.insert(argv.end(), files.begin(), files.end());
  return RunCommand(argv);
}

void CheckPlainWarcLines(const CommandResult& run) {
  INFO(run.out << run.err);
  const auto lines = JsonLines(run.out);
  CHECK(LinesFrom(lines, kTweetPageUri) == ExpectedLines(kTweetPage, kTweetPageUri));
  CHECK(LinesFrom(lines, kBlueskyUri) == ExpectedLines(kBlueskyFragment, kBlueskyUri));
  std::set<std::string> sources;
  for (const auto& l : lines) sources.insert(l["source"].get<std::string>());
  CHECK(sources == std::set<std::string>{kTweetPageUri, kBlueskyUri});  // not the JSON, not the 404
}

}  // namespace

TEST_CASE("extract --warc: an uncompressed WARC by another tool, its HTML responses only", "[cli][extract][warc]") {
  TempDir dir;
  const fs::path file = dir.path() / "other.warc";
  WriteFileText(file, PlainWarc());
  const auto run = ExtractWarc({file.string()});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  CheckPlainWarcLines(run);
}

TEST_CASE("extract --warc: a whole-file gzip and per-record gzip members read the same", "[cli][extract][warc]") {
  TempDir dir;
  const std::string plain = PlainWarc();
  const fs::path whole = dir.path() / "whole.warc.gz";
  WriteFileText(whole, Gzip(plain));
  // Per record: split the plain WARC at each "WARC/1.0\r\n" and compress each record alone.
  std::string members;
  for (std::size_t at = 0; at < plain.size();) {
    std::size_t next = plain.find("WARC/1.0\r\n", at + 1);
    if (next == std::string::npos) next = plain.size();
    members += Gzip(plain.substr(at, next - at));
    at = next;
  }
  const fs::path per_record = dir.path() / "members.warc.gz";
  WriteFileText(per_record, members);
  const auto a = ExtractWarc({whole.string()});
  const auto b = ExtractWarc({per_record.string()});
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  CHECK(a.out == b.out);
  CheckPlainWarcLines(a);
}

TEST_CASE("extract --warc: a WARC written by embarc's own writer: gzip content-encoding, resource records",
          "[cli][extract][warc]") {
  TempDir dir;
  const std::string page = ReadFileText(CorpusDir() / kTweetPage);
  {
    auto writer = embarc::warc::WarcWriter::Open(dir.path(), "test");
    REQUIRE(writer);
    const auto now = std::chrono::system_clock::now();
    const std::string gz = Gzip(page);
    REQUIRE((*writer)->Write(embarc::warc::MakeRequest(kTweetPageUri, now, "192.0.2.1",
                                                       "GET / HTTP/1.1\r\nHost: news.example\r\n\r\n")));
    REQUIRE((*writer)->Write(embarc::warc::MakeResponse(
        kTweetPageUri, now, "192.0.2.1",
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: " +
            std::to_string(gz.size()) + "\r\n\r\n",
        embarc::AsBytes(gz))));
    REQUIRE((*writer)->Write(embarc::warc::MakeResponse("https://img.example/a.jpg", now, "192.0.2.1",
                                                        "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n",
                                                        embarc::AsBytes(std::string("\xff\xd8\xff\xe0", 4)))));
    // A local article file, kept as embarc keeps it: a resource record, Content-Type text/html.
    REQUIRE((*writer)->Write(embarc::warc::MakeResource(
        "file:///articles/bluesky.html", now, "text/html",
        embarc::AsBytes(ReadFileText(CorpusDir() / kBlueskyFragment)))));
    REQUIRE((*writer)->Write(embarc::warc::MakeResource("file:///articles/notes.txt", now, "text/plain",
                                                        embarc::AsBytes(ReadFileText(CorpusDir() / kTweetPage)))));
    REQUIRE((*writer)->Sync());
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir.path())) files.push_back(e.path().string());
  REQUIRE(files.size() == 1);
  const auto run = ExtractWarc(files);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = JsonLines(run.out);
  CHECK(LinesFrom(lines, kTweetPageUri) == ExpectedLines(kTweetPage, kTweetPageUri));
  CHECK(LinesFrom(lines, "file:///articles/bluesky.html") ==
        ExpectedLines(kBlueskyFragment, "file:///articles/bluesky.html"));
  CHECK(lines.size() == ExpectedLines(kTweetPage, "").size() + ExpectedLines(kBlueskyFragment, "").size());
}

TEST_CASE("extract --warc: the WARC files `embarc archive` wrote, scanned again", "[cli][extract][warc][integration]") {
  embarc::testing::FixtureServer server;
  TempDir dir;
  const fs::path archive = dir.path() / "archive";
  REQUIRE(RunCommand({EmbarcBinary(), "--archive", archive.string(), "init"}).exit_code == 0);
  const std::string article = "https://news.example/world/2024/10/20/north-korean-troops-russia.html";
  std::vector<std::string> argv = {EmbarcBinary(), "--archive", archive.string(), "archive", article};
  for (const auto& a : server.EmbarcNetArgs()) argv.push_back(a);
  const auto archived = RunCommand(argv);
  INFO(archived.out << archived.err);
  REQUIRE(archived.exit_code == 0);
  CHECK(archived.err.find('\r') == std::string::npos);  // no progress line when stderr is not a terminal

  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(archive / "warc")) files.push_back(e.path().string());
  REQUIRE_FALSE(files.empty());
  const auto run = ExtractWarc(files);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  // The article's response record yields its posts, with the article URL as source; the
  // platforms' own answers (JSON, images) are not HTML pages and yield nothing.
  std::set<std::string> ids;
  for (const auto& l : JsonLines(run.out)) {
    CHECK(l["source"] == article);
    ids.insert(l["post_id"].get<std::string>());
  }
  CHECK(ids.contains("1848047034574221401"));
}

TEST_CASE("extract --warc: a truncated WARC prints what precedes the damage, one stderr line, exit 2",
          "[cli][extract][warc]") {
  TempDir dir;
  const std::string plain = PlainWarc();
  // Cut inside the last record (the Bluesky page), after the tweet page's record.
  const std::size_t cut = plain.rfind("WARC/1.0\r\n") + 200;
  const fs::path gz = dir.path() / "cut.warc.gz";
  const std::string whole = Gzip(plain);
  WriteFileText(gz, whole.substr(0, whole.size() * 3 / 4));
  const fs::path flat = dir.path() / "cut.warc";
  WriteFileText(flat, plain.substr(0, cut));
  const fs::path good = dir.path() / "good.warc";
  WriteFileText(good, plain);

  for (const fs::path& damaged : {flat, gz}) {
    const auto run = ExtractWarc({damaged.string(), good.string()});
    INFO(damaged << "\n" << run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK(run.err.find(damaged.string()) != std::string::npos);
    CHECK(run.err.find("truncated") != std::string::npos);
    // The good file after it is still scanned.
    CHECK(LinesFrom(JsonLines(run.out), kBlueskyUri) == ExpectedLines(kBlueskyFragment, kBlueskyUri));
  }
  // The uncompressed file's records before the cut are printed: the tweet page's posts appear
  // twice (damaged file, then the good one).
  const auto run = ExtractWarc({flat.string()});
  CHECK(run.exit_code == 2);
  CHECK(LinesFrom(JsonLines(run.out), kTweetPageUri) == ExpectedLines(kTweetPage, kTweetPageUri));

  // Not a WARC at all, and a missing file: exit 2 with the file named.
  const fs::path html = CorpusDir() / kTweetPage;
  const auto not_warc = ExtractWarc({html.string()});
  CHECK(not_warc.exit_code == 2);
  CHECK(not_warc.err.find(html.string()) != std::string::npos);
  const auto missing = ExtractWarc({(dir.path() / "nope.warc").string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nope.warc") != std::string::npos);
}

TEST_CASE("extract --warc: an HTML response over the size limit is skipped with a note", "[cli][extract][warc]") {
  TempDir dir;
  std::string big(embarc::html::kMaxDocumentBytes + 10, ' ');
  big.replace(0, 6, "<html>");
  std::string warc = PlainRecord("response", "https://big.example/", "application/http; msgtype=response",
                                 HttpResponse("200 OK", "Content-Type: text/html\r\n", big));
  // A big non-HTML record is skipped silently.
  warc += PlainRecord("response", "https://big.example/video.mp4", "application/http; msgtype=response",
                      HttpResponse("200 OK", "Content-Type: video/mp4\r\n", big));
  warc += PlainWarc();
  const fs::path file = dir.path() / "big.warc";
  WriteFileText(file, warc);
  const auto run = ExtractWarc({file.string()});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  CHECK(run.err.find("https://big.example/") != std::string::npos);
  CHECK(run.err.find("size limit") != std::string::npos);
  CheckPlainWarcLines(run);
}

TEST_CASE("extract --warc: Dechunk", "[cli][extract][warc]") {
  auto plain = embarc::cli::Dechunk(embarc::AsBytes(Chunked("hello chunked world", 4)));
  REQUIRE(plain);
  CHECK(embarc::ToString(*plain) == "hello chunked world");
  CHECK_FALSE(embarc::cli::Dechunk(embarc::AsBytes("<html>not chunked</html>")));
  CHECK_FALSE(embarc::cli::Dechunk(embarc::AsBytes("ff\r\nshort")));
}

TEST_CASE("extract --warc: ScanRecords keeps at most max_block_bytes of a block, and reads on", "[cli][extract][warc]") {
  TempDir dir;
  const std::string body = "<html><body>" + std::string(5000, 'x') + "</body></html>";
  const std::string warc =
      PlainRecord("response", "https://a.example/", "application/http; msgtype=response",
                  HttpResponse("200 OK", "Content-Type: text/html\r\n", body)) +
      PlainRecord("metadata", "https://a.example/", "application/warc-fields", "via: test\r\n");
  const fs::path file = dir.path() / "cut.warc.gz";
  WriteFileText(file, Gzip(warc));
  std::vector<embarc::warc::ScannedRecord> seen;
  auto scanned = embarc::warc::ScanRecords(file, 100, [&](const embarc::warc::ScannedRecord& r) -> embarc::Result<void> {
    seen.push_back(r);
    return embarc::Ok();
  });
  REQUIRE(scanned);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].block_cut);
  CHECK(seen[0].record.block.size() == 100);
  CHECK(seen[0].block_length > 5000);
  CHECK(seen[0].record.Field("WARC-Type") == "response");
  CHECK_FALSE(seen[1].block_cut);
  CHECK(embarc::ToString(seen[1].record.block) == "via: test\r\n");
  CHECK(seen[1].index == 1);
  // An HTML response whose block was cut is skipped, named as too large.
  const auto page = embarc::cli::HtmlOfRecord(seen[0]);
  CHECK(page.kind == embarc::cli::WarcHtml::Kind::kSkipped);
  CHECK(page.target_uri == "https://a.example/");
  CHECK(page.why.find("size limit") != std::string::npos);
  CHECK(embarc::cli::HtmlOfRecord(seen[1]).kind == embarc::cli::WarcHtml::Kind::kNotHtml);
}
