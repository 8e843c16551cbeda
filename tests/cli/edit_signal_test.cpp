// The platforms' own edit signals over the fixture server: Mastodon `edited_at`, Reddit
// `edited`, and the Bluesky record CID against the data-bluesky-cid an article embedded.
// Also `history --changed`, the same list as `status`.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixture_server.h"
#include "support/json_lines.h"
#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CommandResult;
using embarc::testing::FixtureServer;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;

namespace {

const char* kBlueskyId = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s";
const char* kBlueskyUrl = "https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/post/3k7qmjev5lr2s";
const char* kLiveCid = "bafyreifk6pyilxkm7vcingnkdbzueaftqg54i3al4zbh5p3jy3pryfkc3a";  // the world's record
const char* kOtherCid = "bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";  // some other version
const char* kRewrittenCid = "bafyreigq4zsipbk5w3uqkbmh2w5633c4tcwudryvoqkfocy4ryfrvsjnz4";  // variants/*.rewritten
const char* kMastodonUrl = "https://fosstodon.org/@schochastics/114620457512351116";
const char* kMastodonId = "114620457512351116";
const char* kRedditUrl = "https://www.reddit.com/r/investing/comments/7pfpeq/buffett_on_cyrptocurrencies_i_can_say_almost_with/";
const char* kRedditId = "t3_7pfpeq";
const char* kSince = "2000-01-01T00:00:00Z";

struct World {
  FixtureServer server;
  TempDir dir;
  fs::path archive;
  World() : archive(dir.path() / "archive") { REQUIRE(Run({"init"}).exit_code == 0); }
  CommandResult Run(std::vector<std::string> args) const {
    std::vector<std::string> a = {embarc::testing::EmbarcBinary(), "--archive", archive.string()};
    a.insert(a.end(), args.begin(), args.end());
    for (const auto& n : server.EmbarcNetArgs()) a.push_back(n);
    return RunCommand(a);
  }
  void UseVariant(const std::string& platform, const std::string& name, const fs::path& live) const {
    REQUIRE(fs::exists(live));
    fs::copy_file(embarc::testing::SourceDir() / "tools" / "fixtures" / "variants" / platform / name, live,
                  fs::copy_options::overwrite_existing);
  }
  fs::path ThreadFile() const {
    return server.root() / "public.api.bsky.app" / "xrpc" /
           "app.bsky.feed.getPostThread?uri=at%3A%2F%2Fdid%3Aplc%3Aic6zqvuw5ulmfpjiwnhsr2ns%2Fapp.bsky.feed.post%2F3k7qmjev5lr2s";
  }
  fs::path RecordFile() const {
    return server.root() / "bsky.social" / "xrpc" /
           "com.atproto.repo.getRecord?repo=did%3Aplc%3Aic6zqvuw5ulmfpjiwnhsr2ns&rkey=3k7qmjev5lr2s";
  }
  // A local article embedding the Bluesky post with the given data-bluesky-cid.
  fs::path BlueskyArticle(const std::string& cid) const {
    const fs::path p = dir.path() / "bluesky-article.html";
    embarc::testing::WriteFileText(
        p, std::string("<!doctype html><html><head><title>Civic data</title></head><body><article>\n") +
               "<p>A speaker announced a new version of LocalView.</p>\n"
               "<blockquote class=\"bluesky-embed\" data-bluesky-uri=\"" + kBlueskyId + "\" data-bluesky-cid=\"" + cid +
               "\">&mdash; Soubhik Barari (<a href=\"https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns?ref_src=embed\">"
               "@soubhikbarari.bsky.social</a>) <a href=\"" + kBlueskyUrl + "?ref_src=embed\">September 19, 2023</a>"
               "</blockquote>\n<script async src=\"https://embed.bsky.app/static/embed.js\" charset=\"utf-8\"></script>\n"
               "</article></body></html>\n");
    return p;
  }
};

nlohmann::json Line(const std::string& out, const std::string& post_id) {
  return embarc::testing::PostLine(out, post_id);
}

}  // namespace

TEST_CASE("recheck: a Bluesky post whose record CID is not the one the article embedded", "[integration][recheck][fedi]") {
  World w;
  const fs::path article = w.BlueskyArticle(kOtherCid);
  auto a = w.Run({"--json", "archive", article.string()});
  INFO(a.out << a.err);
  REQUIRE(a.exit_code == 0);
  const auto first = Line(a.out, kBlueskyId);
  REQUIRE_FALSE(first.is_null());
  CHECK(first["change"] == "first");
  CHECK(first["version_mismatch"] == true);

  // Reported like a printed quote that no longer matches: a finding, exit 1, in status.
  auto r = w.Run({"--json", "recheck", "--all"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Line(r.out, kBlueskyId)["change"] == "unchanged");  // the archive's own versions agree
  CHECK(Line(r.out, kBlueskyId)["version_mismatch"] == true);
  auto human = w.Run({"recheck", "--all"});
  CHECK(human.out.find("is not the version an article embedded") != std::string::npos);

  auto status = w.Run({"--json", "status", "--since", kSince});
  REQUIRE(status.exit_code == 0);
  const auto s = Line(status.out, kBlueskyId);
  REQUIRE_FALSE(s.is_null());
  CHECK(s["version_mismatch"] == true);
  CHECK(s["quote_mismatch"] == false);
  REQUIRE(s["cited_in"].size() == 1);
  CHECK(s["cited_in"][0].get<std::string>().rfind("file://", 0) == 0);
  CHECK(w.Run({"verify"}).exit_code == 0);
}

TEST_CASE("recheck: a Bluesky record rewritten after the article embedded it is edited and a CID mismatch",
          "[integration][recheck][fedi][history]") {
  World w;
  auto a = w.Run({"--json", "archive", w.BlueskyArticle(kLiveCid).string()});
  INFO(a.out << a.err);
  REQUIRE(a.exit_code == 0);
  CHECK(Line(a.out, kBlueskyId)["version_mismatch"] == false);
  auto none = w.Run({"--json", "history", "--changed", "--since", kSince});
  REQUIRE(none.exit_code == 0);
  CHECK(Line(none.out, kBlueskyId).is_null());

  // The same text, a new CID in both the AppView and the repository.
  w.UseVariant("bluesky", "getPostThread.rewritten", w.ThreadFile());
  w.UseVariant("bluesky", "getRecord.rewritten", w.RecordFile());
  auto r = w.Run({"--json", "recheck", "--all"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Line(r.out, kBlueskyId)["change"] == "edited");
  CHECK(Line(r.out, kBlueskyId)["version_mismatch"] == true);

  auto changed = w.Run({"--json", "history", "--changed", "--since", kSince});
  INFO(changed.out << changed.err);
  REQUIRE(changed.exit_code == 0);
  const auto c = Line(changed.out, kBlueskyId);
  REQUIRE_FALSE(c.is_null());
  CHECK(c["change"] == "edited");
  CHECK(c["version_mismatch"] == true);
  // history --changed is the same list as status.
  auto status = w.Run({"--json", "status", "--since", kSince});
  CHECK(status.out == changed.out);
  auto human = w.Run({"history", "--changed", "--since", kSince});
  CHECK(human.out.find("edited (not the version the article embedded)  " + std::string(kBlueskyUrl)) != std::string::npos);
  CHECK(human.out.find("    cited in file://") != std::string::npos);
  // history --since alone is a usage error, not a silent full history.
  CHECK(w.Run({"history", "--since", kSince}).exit_code == 2);

  auto h = w.Run({"--json", "history", kBlueskyUrl});
  const auto hj = nlohmann::json::parse(h.out);
  REQUIRE(hj["snapshots"].size() == 2);
  CHECK(hj["snapshots"][1]["change"] == "edited");
  CHECK_FALSE(hj["snapshots"][1].contains("diff"));  // the text is the same; the CID is the signal
  (void)kRewrittenCid;
  CHECK(w.Run({"verify"}).exit_code == 0);
}

TEST_CASE("recheck: a Mastodon status whose edited_at appears is edited even with the same text",
          "[integration][recheck][fedi]") {
  World w;
  auto first = w.Run({"--json", "capture", kMastodonUrl});
  REQUIRE(first.exit_code == 0);
  w.UseVariant("mastodon", "status.edited-at-only",
               w.server.root() / "fosstodon.org" / "api" / "v1" / "statuses" / kMastodonId);
  auto r = w.Run({"--json", "recheck", kMastodonUrl});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Line(r.out, kMastodonId)["change"] == "edited");
  CHECK(Line(r.out, kMastodonId)["reason"].get<std::string>().find("edited 2025-06-05T10:00:00.000Z") != std::string::npos);
  auto h = w.Run({"--json", "history", kMastodonUrl});
  const auto hj = nlohmann::json::parse(h.out);
  REQUIRE(hj["snapshots"].size() == 2);
  CHECK(hj["snapshots"][0]["text"] == hj["snapshots"][1]["text"]);
  // Unchanged again on the next look: the same edited_at is the same version.
  auto again = w.Run({"--json", "recheck", kMastodonUrl});
  CHECK(again.exit_code == 0);
  CHECK(Line(again.out, kMastodonId)["change"] == "unchanged");
}

TEST_CASE("recheck: a Reddit post whose listing says edited is edited", "[integration][recheck][reddit]") {
  World w;
  auto first = w.Run({"--json", "capture", kRedditUrl});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  w.UseVariant("reddit", "comments.edited.json", w.server.root() / "www.reddit.com" / "comments" / "7pfpeq.json");
  auto r = w.Run({"--json", "recheck", kRedditUrl});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Line(r.out, kRedditId)["change"] == "edited");
  auto status = w.Run({"--json", "status", "--since", kSince});
  CHECK(Line(status.out, kRedditId)["change"] == "edited");
  CHECK(w.Run({"verify"}).exit_code == 0);
}
