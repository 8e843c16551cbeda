// recheck --webhook over the fixture server: the receiver is hooks.example (tools/fixtures/world),
// which records every POST in the server's post log. Signatures are checked here with OpenSSL's
// HMAC directly, not with embarc's code.
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "embarc/core/bytes.h"
#include "support/fixture_server.h"
#include "support/json_lines.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kArticle = "https://news.example/world/2024/10/20/north-korean-troops-russia.html";
const char* kZelenskyyId = "1848047034574221401";
const char* kTweet = "https://twitter.com/ZelenskyyUa/status/1848047034574221401";
const char* kDeskId = "1848100000000000001";
const char* kHook = "https://hooks.example/hook";
const char* kFlaky = "https://hooks.example/flaky";
const char* kBroken = "https://hooks.example/broken";
const char* kSecret = "s3cret-webhook-key-for-tests";

struct World {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  World() : archive(dir.path() / "archive") { REQUIRE(Run({"init"}).exit_code == 0); }

  CommandResult Run(std::vector<std::string> args) const {
    std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
    a.insert(a.end(), args.begin(), args.end());
    for (const auto& n : server.EmbarcNetArgs()) a.push_back(n);
    a.push_back("--timeout");
    a.push_back("5");
    return RunCommand(a);
  }
  fs::path Syndication(const std::string& id) const {
    return server.root() / "cdn.syndication.twimg.com" / ("tweet-result?id=" + id);
  }
  fs::path Oembed(const std::string& handle, const std::string& id) const {
    return server.root() / "publish.twitter.com" /
           ("oembed?url=https%3A%2F%2Ftwitter.com%2F" + handle + "%2Fstatus%2F" + id);
  }
  void EditDeskPost() const {
    fs::copy_file(embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / "twitter" / "tweet-result.edited",
                  Syndication(kDeskId), fs::copy_options::overwrite_existing);
  }
  fs::path SecretFile(fs::perms mode) const {
    const fs::path p = dir.path() / "webhook.secret";
    embarc::testing::WriteFileText(p, std::string(kSecret) + "\n");
    fs::permissions(p, mode, fs::perm_options::replace);
    return p;
  }
  // The POSTs the server received for `url`, oldest first.
  std::vector<nlohmann::json> Posts(const std::string& url) const {
    std::vector<nlohmann::json> out;
    for (const std::string& line : server.PostLog()) {
      auto j = nlohmann::json::parse(line);
      if (j["url"] == url) out.push_back(j);
    }
    return out;
  }
};

nlohmann::json Line(const std::string& out, const std::string& post_id) {
  return embarc::testing::PostLine(out, post_id);
}

std::string Body(const nlohmann::json& post) {
  auto bytes = embarc::Base64Decode(post["body_base64"].get<std::string>());
  REQUIRE(bytes);
  return embarc::ToString(*bytes);
}

// Independent of embarc's crypto module: OpenSSL's one-shot HMAC().
std::string HmacSha256Hex(const std::string& key, const std::string& body) {
  unsigned char tag[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
               body.size(), tag, &len) != nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[tag[i] >> 4];
    out += hex[tag[i] & 0xf];
  }
  return out;
}

}  // namespace

TEST_CASE("recheck --webhook: no call when nothing changed and an edit POSTed once signed with HMAC-SHA256",
          "[integration][recheck][webhook]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  const fs::path secret = w.SecretFile(fs::perms::owner_read | fs::perms::owner_write);

  auto quiet = w.Run({"--json", "recheck", "--all", "--webhook", kHook, "--webhook-secret-file", secret.string()});
  INFO(quiet.out << quiet.err);
  REQUIRE(quiet.exit_code == 0);
  CHECK(Line(quiet.out, kDeskId)["change"] == "unchanged");
  CHECK(w.server.PostLog().empty());

  w.EditDeskPost();
  auto r = w.Run({"--json", "recheck", "--all", "--webhook", kHook, "--webhook-secret-file", secret.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const nlohmann::json desk = Line(r.out, kDeskId);
  REQUIRE(desk["change"] == "edited");
  CHECK(r.err.find(kSecret) == std::string::npos);
  CHECK(r.out.find(kSecret) == std::string::npos);

  const auto posts = w.Posts(kHook);
  REQUIRE(posts.size() == 1);  // only the edited post; the unchanged one is not sent
  const nlohmann::json& post = posts[0];
  CHECK(post["method"] == "POST");
  CHECK(post["status"] == 200);
  CHECK(post["headers"]["content-type"] == "application/json");
  CHECK(post["headers"]["x-embarc-event-id"] == desk["record_hash"]);
  const std::string body = Body(post);
  const auto event = nlohmann::json::parse(body);
  CHECK(event["event"] == "post_changed");
  CHECK(event["post_id"] == kDeskId);
  CHECK(event["change"] == "edited");
  CHECK(event["record_hash"] == desk["record_hash"]);
  const std::string signature = post["headers"].value("x-embarc-signature", "");
  CHECK(signature == "sha256=" + HmacSha256Hex(kSecret, body));
  CHECK(signature != "sha256=" + HmacSha256Hex("another secret", body));
}

TEST_CASE("recheck --webhook: a receiver answering 503 twice gets the same event three times and then takes it",
          "[integration][recheck][webhook]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  w.EditDeskPost();
  auto r = w.Run({"--json", "recheck", "--all", "--webhook", kFlaky});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("webhook") == std::string::npos);  // delivered in the end: nothing to report
  const auto posts = w.Posts(kFlaky);
  REQUIRE(posts.size() == 3);
  CHECK(posts[0]["status"] == 503);
  CHECK(posts[1]["status"] == 503);
  CHECK(posts[2]["status"] == 200);
  // Retries carry the same event id and the same bytes, so the receiver can de-duplicate.
  CHECK(posts[0]["headers"]["x-embarc-event-id"] == posts[2]["headers"]["x-embarc-event-id"]);
  CHECK(posts[0]["body_base64"] == posts[2]["body_base64"]);
  CHECK(posts[2]["headers"]["x-embarc-event-id"] == Line(r.out, kDeskId)["record_hash"]);
  CHECK_FALSE(posts[2]["headers"].contains("x-embarc-signature"));  // no secret file given
}

TEST_CASE("recheck --webhook: a receiver that keeps failing is tried kWebhookAttempts times and reported",
          "[integration][recheck][webhook]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  SECTION("with an edit found, the finding decides the exit code (1)") {
    w.EditDeskPost();
    auto r = w.Run({"--json", "recheck", "--all", "--webhook", kBroken});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(w.Posts(kBroken).size() == 4);
    CHECK(r.err.find("embarc: webhook https://hooks.example/… failed for") != std::string::npos);
    CHECK(r.err.find("HTTP 500") != std::string::npos);
  }
  SECTION("a restoration is notified but is no finding: the failed delivery is exit 4") {
    const std::string saved = embarc::testing::ReadFileText(w.Syndication(kZelenskyyId));
    const std::string saved_oembed = embarc::testing::ReadFileText(w.Oembed("ZelenskyyUa", kZelenskyyId));
    fs::remove(w.Syndication(kZelenskyyId));
    fs::remove(w.Oembed("ZelenskyyUa", kZelenskyyId));
    REQUIRE(w.Run({"recheck", kTweet}).exit_code == 1);
    embarc::testing::WriteFileText(w.Syndication(kZelenskyyId), saved);
    embarc::testing::WriteFileText(w.Oembed("ZelenskyyUa", kZelenskyyId), saved_oembed);
    auto r = w.Run({"--json", "recheck", kTweet, "--webhook", kBroken});
    INFO(r.out << r.err);
    CHECK(Line(r.out, kZelenskyyId)["change"] == "restored");
    CHECK(r.exit_code == 4);
    const auto posts = w.Posts(kBroken);
    REQUIRE(posts.size() == 4);
    CHECK(nlohmann::json::parse(Body(posts[3]))["change"] == "restored");
  }
}

TEST_CASE("recheck --webhook-secret-file: a secret readable by others is refused before anything is captured",
          "[integration][recheck][webhook]") {
  World w;
  REQUIRE(w.Run({"archive", kArticle}).exit_code == 0);
  w.EditDeskPost();
  const fs::path secret = w.SecretFile(fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                       fs::perms::others_read);
  auto r = w.Run({"--json", "recheck", "--all", "--webhook", kHook, "--webhook-secret-file", secret.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("0644") != std::string::npos);
  CHECK(r.err.find("chmod 600") != std::string::npos);
  CHECK(r.err.find(kSecret) == std::string::npos);
  CHECK(w.server.PostLog().empty());
  auto h = w.Run({"--json", "history", "https://twitter.com/WorldDeskWire/status/1848100000000000001"});
  REQUIRE(h.exit_code == 0);
  CHECK(nlohmann::json::parse(h.out)["snapshots"].size() == 1);  // the edit was not captured

  // The same file with mode 0600 is accepted.
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  auto ok = w.Run({"--json", "recheck", "--all", "--webhook", kHook, "--webhook-secret-file", secret.string()});
  CHECK(ok.exit_code == 1);
  CHECK(w.Posts(kHook).size() == 1);
}

namespace {

// Every byte sequence by which a secret could leak: its text and, for the signing key, the
// base64 lines of its PEM and the raw 32-byte seed (the end of the PKCS#8 DER) and its hex.
std::vector<std::string> SecretForms(const fs::path& key_file) {
  std::vector<std::string> forms = {kSecret};
  std::istringstream pem(embarc::testing::ReadFileText(key_file));
  std::string line;
  std::string b64;
  while (std::getline(pem, line)) {
    if (line.rfind("-----", 0) == 0 || line.empty()) continue;
    forms.push_back(line);
    b64 += line;
  }
  auto der = embarc::Base64Decode(b64);
  REQUIRE(der);
  REQUIRE(der->size() >= 32);
  const embarc::Bytes seed(der->end() - 32, der->end());
  forms.emplace_back(reinterpret_cast<const char*>(seed.data()), seed.size());
  forms.push_back(embarc::HexEncode(seed));
  return forms;
}

// The bytes of `file` as stored, and gunzipped when it is gzip (the WARCs): a secret in a
// compressed WARC would not show in its raw bytes.
std::string Searchable(const fs::path& file) {
  std::string bytes = embarc::testing::ReadFileText(file);
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b) {
    CommandResult z = RunCommand({"gzip", "-dc", file.string()});
    REQUIRE(z.exit_code == 0);
    bytes += z.out;
  }
  return bytes;
}

}  // namespace

TEST_CASE("no secret leaves the archive: the signing key and webhook secret are in no output, archive file, WARC or export",
          "[integration][secrets]") {
  World w;
  const fs::path secret = w.SecretFile(fs::perms::owner_read | fs::perms::owner_write);
  std::vector<std::string> forms = SecretForms(w.archive / "keys" / "signing.key");  // the first key
  std::vector<CommandResult> outputs;
  outputs.push_back(w.Run({"archive", kArticle}));
  w.EditDeskPost();
  outputs.push_back(w.Run({"--json", "recheck", "--all", "--webhook", kHook, "--webhook-secret-file", secret.string()}));
  REQUIRE(outputs.back().exit_code == 1);
  REQUIRE(w.Posts(kHook).size() == 1);
  outputs.push_back(w.Run({"keys", "rotate"}));
  REQUIRE(outputs.back().exit_code == 0);
  const fs::path bundle = w.dir.path() / "all.wacz";
  const fs::path table = w.dir.path() / "all.jsonl";
  outputs.push_back(w.Run({"export", "--out", bundle.string(), "--all"}));
  REQUIRE(outputs.back().exit_code == 0);
  outputs.push_back(w.Run({"export", "--out", table.string(), "--all", "--format", "jsonl"}));
  REQUIRE(outputs.back().exit_code == 0);
  for (const char* command : {"verify", "checkpoint", "status"}) outputs.push_back(w.Run({"--json", command}));
  // An error that concerns the key itself.
  fs::permissions(w.archive / "keys" / "signing.key", fs::perms::group_read, fs::perm_options::add);
  outputs.push_back(w.Run({"capture", kTweet}));
  CHECK(outputs.back().exit_code == 2);
  fs::permissions(w.archive / "keys" / "signing.key", fs::perms::group_read, fs::perm_options::remove);

  const std::vector<std::string> current = SecretForms(w.archive / "keys" / "signing.key");  // after rotation
  CHECK(current[1] != forms[1]);
  forms.insert(forms.end(), current.begin(), current.end());
  std::vector<std::pair<std::string, std::string>> haystacks;  // (what, bytes)
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    haystacks.emplace_back("output of command " + std::to_string(i), outputs[i].out + outputs[i].err);
  }
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(w.archive)) {
    if (!entry.is_regular_file() || entry.path() == w.archive / "keys" / "signing.key") continue;
    haystacks.emplace_back(entry.path().string(), Searchable(entry.path()));
    ++files;
  }
  CHECK(files > 5);
  haystacks.emplace_back(bundle.string(), Searchable(bundle));
  haystacks.emplace_back(table.string(), Searchable(table));
  for (const auto& [what, bytes] : haystacks) {
    for (std::size_t f = 0; f < forms.size(); ++f) {
      INFO(what << ": secret form " << f);
      CHECK(bytes.find(forms[f]) == std::string::npos);
    }
  }
  // The check can fail: the current key's own file holds its forms.
  const std::string key_file = embarc::testing::ReadFileText(w.archive / "keys" / "signing.key");
  CHECK(key_file.find(current[1]) != std::string::npos);
}
