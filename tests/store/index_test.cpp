// The SQLite index: schema v6 (detached snapshot envelopes, the embeds-by-post index) and the
// calls verify reads a large index with.
#include "embarc/store/index.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "embarc/core/json.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/ed25519.h"
#include "embarc/crypto/sha256.h"
#include "store/json_codec.h"
#include "support/support.h"

namespace {

using namespace embarc;
using testing::QuerySql;
using testing::TempDir;

std::unique_ptr<store::Index> OpenIndex(const std::filesystem::path& path) {
  auto index = store::OpenSqliteIndex(path, /*create=*/true);
  REQUIRE(index);
  return std::move(*index);
}

// A post with `count` signed snapshots (leaves 0..count-1), each with one capture.
std::int64_t AddSnapshots(store::Index& index, const crypto::Signer& key, int count) {
  auto post = index.UpsertPost({0, "twitter", "1848047034574221401", "https://twitter.com/a/status/1848047034574221401",
                                std::nullopt, "2024-10-20T00:00:00Z"});
  REQUIRE(post);
  store::Batch batch;
  std::optional<std::string> previous;
  for (int i = 0; i < count; ++i) {
    store::CaptureRow c;
    c.url = "https://cdn.syndication.twimg.com/tweet-result?id=1848047034574221401&n=" + std::to_string(i);
    c.fetched_at = "2024-10-20T00:00:0" + std::to_string(i) + "Z";
    c.outcome = "ok";
    batch.captures.push_back(c);
    // (Shaped like a snapshot record, so that packing it makes it smaller.)
    const std::string record = *CanonicalJson(nlohmann::json{
        {"v", 1}, {"n", i}, {"agent", "embarc/0.1.0"}, {"platform", "twitter"}, {"post_id", "1848047034574221401"},
        {"captures", {{{"url", c.url}, {"outcome", "ok"}, {"http_status", 200}, {"error", nullptr}}}},
        {"url", "https://twitter.com/a/status/1848047034574221401"}, {"text", "record \xE2\x80\x94 " + std::to_string(i)}});
    auto env = crypto::SignEnvelope(key, crypto::kSnapshotPayloadType, AsBytes(record));
    REQUIRE(env);
    store::Batch::Snapshot s;
    s.row.post_ref = *post;
    s.row.leaf_index = static_cast<std::uint64_t>(i);
    s.row.record_hash = crypto::Sha256(record).Hex();
    s.row.observed_at = c.fetched_at;
    s.row.state = "available";
    s.row.change = i == 0 ? "first" : "unchanged";
    s.row.previous = previous;
    s.row.record = record;
    s.row.envelope = env->ToJson();
    s.capture_positions = {static_cast<std::size_t>(i)};
    previous = s.row.record_hash;
    batch.snapshots.push_back(std::move(s));
  }
  REQUIRE(index.Commit(batch));
  return *post;
}

}  // namespace

TEST_CASE("index: a snapshot's record and envelope are stored packed, the envelope without its payload, and read back whole",
          "[store]") {
  TempDir dir;
  const auto db = dir.path() / "index.sqlite3";
  auto key = crypto::Ed25519Signer::Generate();
  REQUIRE(key);
  auto index = OpenIndex(db);
  const std::int64_t post = AddSnapshots(*index, **key, 3);

  auto snaps = index->SnapshotsOfPost(post);
  REQUIRE(snaps);
  REQUIRE(snaps->size() == 3);
  auto verifier = crypto::Ed25519Verifier::FromRaw((*key)->public_key());
  REQUIRE(verifier);
  for (const store::SnapshotRow& s : *snaps) {
    // Read back: the envelope as signed, its payload the record.
    auto env = crypto::Envelope::Parse(s.envelope);
    REQUIRE(env);
    CHECK(AsChars(env->payload) == s.record);
    CHECK(env->ToJson() == s.envelope);
    CHECK(crypto::VerifyEnvelope(*env, [&](std::string_view) -> const crypto::Verifier* { return verifier->get(); }));
    // Stored: the same envelope with an empty payload (the record is not kept twice), packed.
    const std::string stored = testing::QueryBlob(db, "SELECT envelope FROM snapshots WHERE id = " + std::to_string(s.id));
    CHECK(stored.front() == store::kPackedJsonV1);
    auto unpacked = store::UnpackJson(stored);
    REQUIRE(unpacked);
    auto detached = crypto::Envelope::Parse(*unpacked);
    REQUIRE(detached);
    CHECK(detached->payload.empty());
    CHECK(detached->signatures.size() == 1);
    CHECK(detached->signatures[0].sig == env->signatures[0].sig);
    CHECK(stored.size() < unpacked->size());
    // The record: packed, smaller, and the same bytes unpacked.
    const std::string stored_record = testing::QueryBlob(db, "SELECT record FROM snapshots WHERE id = " + std::to_string(s.id));
    CHECK(stored_record.front() == store::kPackedJsonV1);
    CHECK(stored_record.size() < s.record.size());
    CHECK(store::UnpackJson(stored_record) == s.record);
  }
  // The other ways of reading a snapshot row give the same envelope.
  auto from = index->SnapshotsFrom(1, 10);
  REQUIRE(from);
  REQUIRE(from->size() == 2);
  CHECK(from->front().envelope == (*snaps)[1].envelope);
  auto by_hash = index->SnapshotByHash((*snaps)[2].record_hash);
  REQUIRE(by_hash);
  REQUIRE(*by_hash);
  CHECK((*by_hash)->envelope == (*snaps)[2].envelope);
}

TEST_CASE("index: an envelope that cannot be rebuilt exactly is stored whole", "[store]") {
  TempDir dir;
  const auto db = dir.path() / "index.sqlite3";
  auto key = crypto::Ed25519Signer::Generate();
  REQUIRE(key);
  auto index = OpenIndex(db);
  const std::int64_t post = AddSnapshots(*index, **key, 1);
  auto snap = index->LatestSnapshot(post);
  REQUIRE(snap);
  REQUIRE(*snap);

  // Its payload is not the record (what verify must see as it was written), or its JSON is not
  // what ToJson writes (whitespace).
  const std::string other_payload = crypto::SignEnvelope(**key, crypto::kSnapshotPayloadType, AsBytes(std::string("{}")))->ToJson();
  const std::string spaced = " " + (*snap)->envelope;
  store::Batch batch;
  int leaf = 1;
  for (const std::string& envelope : {other_payload, spaced}) {
    store::Batch::Snapshot s;
    s.row = **snap;
    s.row.leaf_index = static_cast<std::uint64_t>(leaf++);
    s.row.record_hash = std::string(63, '0') + std::to_string(leaf);
    s.row.envelope = envelope;
    batch.snapshots.push_back(std::move(s));
  }
  REQUIRE(index->Commit(batch));
  auto all = index->SnapshotsOfPost(post);
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[1].envelope == other_payload);
  CHECK((*all)[2].envelope == spaced);
  CHECK(store::UnpackJson(testing::QueryBlob(db, "SELECT envelope FROM snapshots WHERE leaf_index = 1")) == other_payload);
}

TEST_CASE("index: version 5 migrates to the current one, and rows written before stay readable", "[store]") {
  TempDir dir;
  const auto db = dir.path() / "index.sqlite3";
  auto key = crypto::Ed25519Signer::Generate();
  REQUIRE(key);
  std::string whole;
  std::string record;
  {
    auto index = OpenIndex(db);
    const std::int64_t post = AddSnapshots(*index, **key, 1);
    auto snap = index->LatestSnapshot(post);
    REQUIRE(snap);
    REQUIRE(*snap);
    whole = (*snap)->envelope;
    record = (*snap)->record;
  }
  // As a version 5 index left it: no embeds_by_post, the record as it is, the envelope whole.
  testing::ExecSql(db, "DROP INDEX embeds_by_post");
  testing::ExecSql(db, "PRAGMA user_version = 5");
  testing::ExecSql(db, "UPDATE snapshots SET envelope = ?", &whole);
  testing::ExecSql(db, "UPDATE snapshots SET record = ?", &record);
  REQUIRE(QuerySql(db, "PRAGMA user_version") == std::vector<std::string>{"5"});

  auto index = OpenIndex(db);
  CHECK(QuerySql(db, "PRAGMA user_version") == std::vector<std::string>{std::to_string(store::kSchemaVersion)});
  CHECK(QuerySql(db, "SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'embeds_by_post'").size() == 1);
  auto all = index->AllSnapshots();
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  CHECK(all->front().envelope == whole);
  CHECK(all->front().record == record);
  CHECK(QuerySql(db, "SELECT envelope FROM snapshots") == std::vector<std::string>{whole});
  auto leaves = index->LeafRecords(0, 1);
  REQUIRE(leaves);
  CHECK(*leaves == std::vector<std::string>{record});
}

TEST_CASE("index: a post's embeds are found through embeds_by_post, not a scan", "[store]") {
  TempDir dir;
  const auto db = dir.path() / "index.sqlite3";
  auto index = OpenIndex(db);
  auto article = index->UpsertArticle("https://news.example/a.html", "2024-10-20T00:00:00Z");
  REQUIRE(article);
  auto post = index->UpsertPost({0, "bluesky", "3l6oveex3ii2l", "https://bsky.app/profile/a/post/3l6oveex3ii2l", std::nullopt,
                                 "2024-10-20T00:00:00Z"});
  REQUIRE(post);
  store::EmbedRow e;
  e.article_id = *article;
  e.post_ref = *post;
  e.occurrences = 1;
  e.first_seen = "2024-10-20T00:00:00Z";
  REQUIRE(index->UpsertEmbed(e));
  auto embeds = index->EmbedsOfPost(*post);
  REQUIRE(embeds);
  CHECK(embeds->size() == 1);
  // The plan's "detail" column (the fourth) names the index it searches.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "EXPLAIN QUERY PLAN SELECT * FROM embeds WHERE post_ref = 1 ORDER BY article_id", -1, &stmt, nullptr) == SQLITE_OK);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) plan += std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3))) + "\n";
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  INFO(plan);
  CHECK(plan.find("USING INDEX embeds_by_post") != std::string::npos);
  CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // in article order without a sort
}
