#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "embarc/crypto/dsse.h"
#include "embarc/store/index.h"
#include "store/json_codec.h"
#include "store/sqlite_handles.h"

namespace embarc::store {
namespace {

// SQLite's message plus, for I/O failures, the operating system's reason ("disk I/O error"
// alone does not say that the disk is full or read-only).
std::string DbError(sqlite3* db, const char* fallback = nullptr) {
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : (fallback != nullptr ? fallback : "unknown error");
  if (fallback != nullptr && db != nullptr && sqlite3_errcode(db) == SQLITE_OK) msg = fallback;
  const int sys = db != nullptr ? sqlite3_system_errno(db) : 0;
  if (sys != 0) msg += std::string(" (") + std::strerror(sys) + ")";
  return "index: " + msg;
}

}  // namespace

Result<Stmt> Stmt::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  Stmt stmt(db, raw);  // owned even when rc != SQLITE_OK
  if (rc != SQLITE_OK) return Fail(ErrorCode::kDatabase, DbError(db));
  return stmt;
}

Result<bool> Stmt::Step() {
  if (rc_ != SQLITE_OK) return Fail(ErrorCode::kDatabase, std::string("bind: ") + sqlite3_errstr(rc_));
  const int rc = sqlite3_step(s_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Fail(ErrorCode::kDatabase, DbError(db_));
}

Result<void> Stmt::Run() {
  EMBARC_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;
  return Ok();
}

std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(s_.get(), col));
  const int n = sqlite3_column_bytes(s_.get(), col);
  return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(n));
}

namespace {

// Each entry migrates from version i to i+1 (PRAGMA user_version).
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE keys(
  key_id TEXT PRIMARY KEY,
  public_key_pem TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE articles(
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  first_seen TEXT NOT NULL);
CREATE TABLE posts(
  id INTEGER PRIMARY KEY,
  platform TEXT NOT NULL,
  post_id TEXT NOT NULL,
  url TEXT NOT NULL,
  author TEXT,
  first_seen TEXT NOT NULL,
  UNIQUE(platform, post_id));
CREATE TABLE embeds(
  article_id INTEGER NOT NULL REFERENCES articles(id),
  post_ref INTEGER NOT NULL REFERENCES posts(id),
  occurrences INTEGER NOT NULL,
  quote_json TEXT,
  quote_sha256 TEXT,
  embedded_version TEXT,
  first_seen TEXT NOT NULL,
  PRIMARY KEY(article_id, post_ref));
CREATE TABLE captures(
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  outcome TEXT NOT NULL,
  http_status INTEGER,
  error TEXT,
  warc_file TEXT,
  response_offset INTEGER NOT NULL DEFAULT 0,
  response_length INTEGER NOT NULL DEFAULT 0,
  warc_record_id TEXT,
  payload_sha256 TEXT);
CREATE TABLE article_captures(
  article_id INTEGER NOT NULL REFERENCES articles(id),
  capture_id INTEGER NOT NULL REFERENCES captures(id),
  PRIMARY KEY(article_id, capture_id));
CREATE TABLE snapshots(
  id INTEGER PRIMARY KEY,
  post_ref INTEGER NOT NULL REFERENCES posts(id),
  leaf_index INTEGER NOT NULL UNIQUE,
  record_hash TEXT NOT NULL UNIQUE,
  observed_at TEXT NOT NULL,
  state TEXT NOT NULL,
  change TEXT NOT NULL,
  content_sha256 TEXT,
  previous TEXT,
  record BLOB NOT NULL,
  envelope TEXT NOT NULL);
CREATE INDEX snapshots_by_post ON snapshots(post_ref, leaf_index);
CREATE TABLE snapshot_captures(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  position INTEGER NOT NULL,
  capture_id INTEGER NOT NULL REFERENCES captures(id),
  PRIMARY KEY(snapshot_id, position));
)sql",
    R"sql(
CREATE TABLE checkpoints(
  id INTEGER PRIMARY KEY,
  tree_size INTEGER NOT NULL,
  root_hash TEXT NOT NULL,
  note TEXT NOT NULL,
  key_id TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE timestamps(
  id INTEGER PRIMARY KEY,
  checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
  tsa_url TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT,
  request_der BLOB NOT NULL,
  response_der BLOB NOT NULL,
  gen_time TEXT);
)sql",
    R"sql(
CREATE TABLE key_events(
  id INTEGER PRIMARY KEY,
  leaf_index INTEGER NOT NULL UNIQUE,
  record_hash TEXT NOT NULL UNIQUE,
  record BLOB NOT NULL,
  envelope TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE VIEW leaves AS
  SELECT leaf_index, record FROM snapshots UNION ALL SELECT leaf_index, record FROM key_events;
)sql",
    R"sql(
CREATE TABLE schedule(
  post_ref INTEGER PRIMARY KEY REFERENCES posts(id),
  next_check TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0);
CREATE INDEX schedule_by_time ON schedule(next_check);
)sql",
    R"sql(
CREATE TABLE crawl_frontier(
  seq INTEGER PRIMARY KEY,
  crawl TEXT NOT NULL,
  url TEXT NOT NULL,
  depth INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','done','failed')),
  error TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE(crawl, url));
CREATE INDEX crawl_frontier_order ON crawl_frontier(crawl, depth, seq);
)sql",
    // v6: a post's embeds without a scan of the table (the archive pipeline asks once per post).
    // Snapshot envelopes written from v6 on are detached (see DetachEnvelope); older rows stay whole.
    R"sql(
CREATE INDEX embeds_by_post ON embeds(post_ref, article_id);
)sql",
    // v7: snapshot records and envelopes written from v7 on are packed (store/json_codec.h), which
    // an older embarc cannot read; older rows stay as they are. No table changes.
    "SELECT 1;",
};
constexpr int kMigrationCount = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
static_assert(kMigrationCount == kSchemaVersion);

Result<void> Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  std::unique_ptr<char, decltype(&sqlite3_free)> owned(err, &sqlite3_free);
  if (rc != SQLITE_OK) {
    return Fail(ErrorCode::kDatabase, DbError(db, err != nullptr ? err : sqlite3_errstr(rc)));
  }
  return Ok();
}

constexpr const char* kCaptureSelect =
    "SELECT id, url, fetched_at, outcome, http_status, error, warc_file, response_offset, response_length, "
    "warc_record_id, payload_sha256 FROM captures";
constexpr const char* kCaptureById =
    "SELECT id, url, fetched_at, outcome, http_status, error, warc_file, response_offset, response_length, "
    "warc_record_id, payload_sha256 FROM captures WHERE id = ?";

constexpr const char* kSnapshotColumns =
    "id, post_ref, leaf_index, record_hash, observed_at, state, change, content_sha256, previous, record, envelope";

// A snapshot's envelope as stored: its payload is the record column, so the stored JSON leaves it
// out ("payload":""; a record is never empty). Only when that loses nothing: an envelope of the
// snapshot type whose payload is exactly the record and whose JSON is exactly what ToJson writes.
// Anything else is stored whole. Halves a snapshot row.
std::string DetachEnvelope(const SnapshotRow& r) {
  auto env = crypto::Envelope::Parse(r.envelope);
  if (!env || env->payload_type != crypto::kSnapshotPayloadType || AsChars(env->payload) != r.record ||
      r.record.empty() || env->ToJson() != r.envelope) {
    return r.envelope;
  }
  env->payload.clear();
  return env->ToJson();
}

// The whole envelope again from a stored one (detached or not) and the record. Canonical JSON
// writes each member on its own, so putting the payload back is putting its text back: the
// result is what ToJson wrote before DetachEnvelope emptied the payload.
std::string AttachEnvelope(std::string stored, const std::string& record) {
  constexpr std::string_view kDetached = R"({"payload":"",)";
  if (!std::string_view(stored).starts_with(kDetached)) return stored;
  std::string whole = R"({"payload":")";
  whole += Base64Encode(AsBytes(record));
  whole += '"';
  whole.append(stored, kDetached.size() - 1);  // from the comma on
  return whole;
}

class SqliteIndex final : public Index {
 public:
  explicit SqliteIndex(SqliteDb db) : db_(std::move(db)) {}

  Result<void> AddKey(const KeyRow& key) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "INSERT OR IGNORE INTO keys(key_id, public_key_pem, created_at) VALUES(?,?,?)"));
    s.Bind(1, key.key_id).Bind(2, key.public_key_pem).Bind(3, key.created_at);
    return s.Run();
  }

  Result<std::vector<KeyRow>> Keys() override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "SELECT key_id, public_key_pem, created_at FROM keys ORDER BY created_at"));
    std::vector<KeyRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(KeyRow{s.Text(0), s.Text(1), s.Text(2)});
    }
    return out;
  }

  Result<std::int64_t> UpsertArticle(const std::string& url, const std::string& now) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt ins, Stmt::Prepare(db(), "INSERT OR IGNORE INTO articles(url, first_seen) VALUES(?,?)"));
    ins.Bind(1, url).Bind(2, now);
    EMBARC_RETURN_IF_ERROR(ins.Run());
    EMBARC_ASSIGN_OR_RETURN(Stmt sel, Stmt::Prepare(db(), "SELECT id FROM articles WHERE url = ?"));
    sel.Bind(1, url);
    EMBARC_ASSIGN_OR_RETURN(bool row, sel.Step());
    if (!row) return Fail(ErrorCode::kDatabase, "article row vanished: " + url);
    return sel.Int(0);
  }

  Result<std::int64_t> UpsertPost(const PostRow& post) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt ins, Stmt::Prepare(db(),
        "INSERT INTO posts(platform, post_id, url, author, first_seen) VALUES(?,?,?,?,?) "
        "ON CONFLICT(platform, post_id) DO UPDATE SET author = COALESCE(posts.author, excluded.author)"));
    ins.Bind(1, post.platform).Bind(2, post.post_id).Bind(3, post.url).Bind(4, post.author).Bind(5, post.first_seen);
    EMBARC_RETURN_IF_ERROR(ins.Run());
    EMBARC_ASSIGN_OR_RETURN(auto found, FindPost(post.platform, post.post_id));
    if (!found) return Fail(ErrorCode::kDatabase, "post row vanished: " + post.post_id);
    return found->id;
  }

  Result<void> UpsertEmbed(const EmbedRow& e) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "INSERT INTO embeds(article_id, post_ref, occurrences, quote_json, quote_sha256, embedded_version, first_seen) "
        "VALUES(?,?,?,?,?,?,?) ON CONFLICT(article_id, post_ref) DO UPDATE SET occurrences = excluded.occurrences"));
    s.Bind(1, e.article_id).Bind(2, e.post_ref).Bind(3, std::int64_t{e.occurrences}).Bind(4, e.quote_json)
        .Bind(5, e.quote_sha256).Bind(6, e.embedded_version).Bind(7, e.first_seen);
    return s.Run();
  }

  Result<void> LinkArticleCapture(std::int64_t article_id, std::int64_t capture_id) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "INSERT OR IGNORE INTO article_captures(article_id, capture_id) VALUES(?,?)"));
    s.Bind(1, article_id).Bind(2, capture_id);
    return s.Run();
  }

  Result<std::optional<PostRow>> FindPost(const std::string& platform, const std::string& post_id) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT id, platform, post_id, url, author, first_seen FROM posts WHERE platform = ? AND post_id = ?"));
    s.Bind(1, platform).Bind(2, post_id);
    EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<PostRow>();
    return std::optional<PostRow>(ReadPost(s));
  }

  Result<std::vector<PostRow>> AllPosts() override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "SELECT id, platform, post_id, url, author, first_seen FROM posts ORDER BY id"));
    std::vector<PostRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadPost(s));
    }
    return out;
  }

  Result<std::vector<EmbedRow>> EmbedsOfPost(std::int64_t post_ref) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT article_id, post_ref, occurrences, quote_json, quote_sha256, embedded_version, first_seen "
        "FROM embeds WHERE post_ref = ? ORDER BY article_id"));
    s.Bind(1, post_ref);
    std::vector<EmbedRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      EmbedRow e;
      e.article_id = s.Int(0);
      e.post_ref = s.Int(1);
      e.occurrences = static_cast<int>(s.Int(2));
      e.quote_json = s.OptText(3);
      e.quote_sha256 = s.OptText(4);
      e.embedded_version = s.OptText(5);
      e.first_seen = s.Text(6);
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<std::optional<ArticleRow>> ArticleById(std::int64_t id) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "SELECT id, url, first_seen FROM articles WHERE id = ?"));
    s.Bind(1, id);
    EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<ArticleRow>();
    return std::optional<ArticleRow>(ArticleRow{s.Int(0), s.Text(1), s.Text(2)});
  }

  Result<std::optional<SnapshotRow>> LatestSnapshot(std::int64_t post_ref) override {
    EMBARC_ASSIGN_OR_RETURN(auto rows, QuerySnapshots(" WHERE post_ref = ? ORDER BY leaf_index DESC LIMIT 1", post_ref));
    if (rows.empty()) return std::optional<SnapshotRow>();
    return std::optional<SnapshotRow>(std::move(rows.front()));
  }

  Result<std::vector<SnapshotRow>> SnapshotsOfPost(std::int64_t post_ref) override {
    return QuerySnapshots(" WHERE post_ref = ? ORDER BY leaf_index", post_ref);
  }

  Result<std::vector<SnapshotRow>> AllSnapshots() override { return QuerySnapshots(" ORDER BY leaf_index", std::nullopt); }

  Result<std::uint64_t> SnapshotCount() override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "SELECT COUNT(*) FROM snapshots"));
    EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
    (void)row;
    return static_cast<std::uint64_t>(s.Int(0));
  }

  Result<std::optional<CaptureRow>> CaptureById(std::int64_t id) override {
    EMBARC_ASSIGN_OR_RETURN(auto rows, QueryCaptures(" WHERE id = ?", id));
    if (rows.empty()) return std::optional<CaptureRow>();
    return std::optional<CaptureRow>(std::move(rows.front()));
  }

  Result<std::vector<CaptureRow>> AllCaptures() override { return QueryCaptures(" ORDER BY id", std::nullopt); }

  Result<std::vector<SnapshotRow>> SnapshotsFrom(std::uint64_t first_leaf, std::size_t limit) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), std::string("SELECT ") + kSnapshotColumns +
                                                            " FROM snapshots WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?"));
    s.Bind(1, static_cast<std::int64_t>(first_leaf)).Bind(2, static_cast<std::int64_t>(limit));
    return ReadSnapshots(s);
  }

  Result<std::vector<std::uint64_t>> SnapshotLeafIndexes() override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "SELECT leaf_index FROM snapshots ORDER BY leaf_index"));
    std::vector<std::uint64_t> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(static_cast<std::uint64_t>(s.Int(0)));
    }
    return out;
  }

  Result<std::optional<std::string>> PreviousRecordHash(std::int64_t post_ref, std::uint64_t before_leaf) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt * s, Cached("SELECT record_hash FROM snapshots WHERE post_ref = ? AND leaf_index < ? "
                                             "ORDER BY leaf_index DESC LIMIT 1"));
    ResetOnExit reset{s};
    s->Bind(1, post_ref).Bind(2, static_cast<std::int64_t>(before_leaf));
    EMBARC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(s->Text(0));
  }

  Result<std::optional<PostRow>> PostById(std::int64_t id) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt * s, Cached("SELECT id, platform, post_id, url, author, first_seen FROM posts WHERE id = ?"));
    ResetOnExit reset{s};
    s->Bind(1, id);
    EMBARC_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<PostRow>();
    return std::optional<PostRow>(ReadPost(*s));
  }

  Result<std::vector<std::optional<CaptureRow>>> CapturesById(const std::vector<std::int64_t>& ids) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt * s, Cached(kCaptureById));
    std::vector<std::optional<CaptureRow>> out;
    out.reserve(ids.size());
    for (std::int64_t id : ids) {
      ResetOnExit reset{s};
      s->Bind(1, id);
      EMBARC_ASSIGN_OR_RETURN(bool row, s->Step());
      out.push_back(row ? std::optional<CaptureRow>(ReadCapture(*s)) : std::nullopt);
    }
    return out;
  }

  Result<std::uint64_t> RecentReferencedEnd(const std::string& warc_file, std::uint64_t recent_rows) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT e FROM (SELECT warc_file, response_offset + response_length AS e FROM captures "
        "ORDER BY id DESC LIMIT ?) WHERE warc_file = ? LIMIT 1"));
    s.Bind(1, static_cast<std::int64_t>(recent_rows)).Bind(2, warc_file);
    EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row || s.IsNull(0)) return std::uint64_t{0};
    return static_cast<std::uint64_t>(s.Int(0));
  }

  Result<std::vector<std::string>> LeafRecords(std::uint64_t begin, std::uint64_t end) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT leaf_index, record FROM leaves WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index"));
    s.Bind(1, static_cast<std::int64_t>(begin)).Bind(2, static_cast<std::int64_t>(end));
    std::vector<std::string> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (static_cast<std::uint64_t>(s.Int(0)) != begin + out.size()) {
        return Fail(ErrorCode::kCorruption, "log leaf " + std::to_string(begin + out.size()) + " is missing from the index");
      }
      EMBARC_ASSIGN_OR_RETURN(std::string record, UnpackJson(s.Text(1)));
      out.push_back(std::move(record));
    }
    return out;
  }

  Result<std::optional<ScheduleRow>> ScheduleOf(std::int64_t post_ref) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "SELECT post_ref, next_check, failures FROM schedule WHERE post_ref = ?"));
    s.Bind(1, post_ref);
    EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<ScheduleRow>();
    return std::optional<ScheduleRow>(ScheduleRow{s.Int(0), s.Text(1), static_cast<int>(s.Int(2))});
  }

  Result<std::vector<PostRow>> DuePosts(const std::string& now) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT p.id, p.platform, p.post_id, p.url, p.author, p.first_seen FROM posts p JOIN schedule s ON s.post_ref = p.id "
        "WHERE s.next_check <= ? ORDER BY s.next_check, p.id"));
    s.Bind(1, now);
    std::vector<PostRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadPost(s));
    }
    return out;
  }

  Result<std::vector<SnapshotRow>> ChangedSince(const std::string& since) override {
    return QuerySnapshotsText(" WHERE observed_at >= ? AND change IN ('edited','deleted','withheld','restored') ORDER BY leaf_index", since);
  }

  Result<std::uint64_t> LeafCount() override {
    // MAX over the unique leaf_index indexes: O(log n), where COUNT(*) reads a whole index
    // (3,000 pages at a million snapshots, on every open of the log).
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT MAX(COALESCE((SELECT MAX(leaf_index) FROM snapshots), -1), "
        "COALESCE((SELECT MAX(leaf_index) FROM key_events), -1)) + 1"));
    EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
    (void)row;
    return static_cast<std::uint64_t>(s.Int(0));
  }

  Result<void> AddKeyEvent(const KeyEventRow& k) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "INSERT INTO key_events(leaf_index, record_hash, record, envelope, created_at) VALUES(?,?,?,?,?)"));
    s.Bind(1, static_cast<std::int64_t>(k.leaf_index)).Bind(2, k.record_hash).BindBlob(3, k.record).Bind(4, k.envelope)
        .Bind(5, k.created_at);
    return s.Run();
  }

  Result<std::vector<KeyEventRow>> KeyEvents() override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT id, leaf_index, record_hash, record, envelope, created_at FROM key_events ORDER BY leaf_index"));
    std::vector<KeyEventRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(KeyEventRow{s.Int(0), static_cast<std::uint64_t>(s.Int(1)), s.Text(2), s.Text(3), s.Text(4), s.Text(5)});
    }
    return out;
  }

  Result<std::optional<SnapshotRow>> SnapshotByHash(const std::string& record_hash) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), "SELECT id FROM snapshots WHERE record_hash = ?"));
    s.Bind(1, record_hash);
    EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<SnapshotRow>();
    EMBARC_ASSIGN_OR_RETURN(auto rows, QuerySnapshots(" WHERE id = ?", s.Int(0)));
    if (rows.empty()) return std::optional<SnapshotRow>();
    return std::optional<SnapshotRow>(std::move(rows.front()));
  }

  Result<std::int64_t> AddCheckpoint(const CheckpointRow& c) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "INSERT INTO checkpoints(tree_size, root_hash, note, key_id, created_at) VALUES(?,?,?,?,?)"));
    s.Bind(1, static_cast<std::int64_t>(c.tree_size)).Bind(2, c.root_hash).Bind(3, c.note).Bind(4, c.key_id).Bind(5, c.created_at);
    EMBARC_RETURN_IF_ERROR(s.Run());
    return sqlite3_last_insert_rowid(db());
  }

  Result<std::vector<CheckpointRow>> Checkpoints() override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT id, tree_size, root_hash, note, key_id, created_at FROM checkpoints ORDER BY id"));
    std::vector<CheckpointRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(CheckpointRow{s.Int(0), static_cast<std::uint64_t>(s.Int(1)), s.Text(2), s.Text(3), s.Text(4), s.Text(5)});
    }
    return out;
  }

  Result<std::int64_t> AddTimestamp(const TimestampRow& t) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "INSERT INTO timestamps(checkpoint_id, tsa_url, requested_at, status, error, request_der, response_der, gen_time) "
        "VALUES(?,?,?,?,?,?,?,?)"));
    s.Bind(1, t.checkpoint_id).Bind(2, t.tsa_url).Bind(3, t.requested_at).Bind(4, t.status).Bind(5, t.error)
        .BindBlob(6, t.request_der).BindBlob(7, t.response_der).Bind(8, t.gen_time);
    EMBARC_RETURN_IF_ERROR(s.Run());
    return sqlite3_last_insert_rowid(db());
  }

  Result<void> UpdateTimestamp(const TimestampRow& t) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "UPDATE timestamps SET requested_at = ?, status = ?, error = ?, request_der = ?, response_der = ?, gen_time = ? "
        "WHERE id = ?"));
    s.Bind(1, t.requested_at).Bind(2, t.status).Bind(3, t.error).BindBlob(4, t.request_der).BindBlob(5, t.response_der)
        .Bind(6, t.gen_time).Bind(7, t.id);
    return s.Run();
  }

  Result<std::vector<TimestampRow>> Timestamps() override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT id, checkpoint_id, tsa_url, requested_at, status, error, request_der, response_der, gen_time "
        "FROM timestamps ORDER BY id"));
    std::vector<TimestampRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      TimestampRow t;
      t.id = s.Int(0);
      t.checkpoint_id = s.Int(1);
      t.tsa_url = s.Text(2);
      t.requested_at = s.Text(3);
      t.status = s.Text(4);
      t.error = s.OptText(5);
      t.request_der = s.Text(6);
      t.response_der = s.Text(7);
      t.gen_time = s.OptText(8);
      out.push_back(std::move(t));
    }
    return out;
  }

  Result<void> Commit(Batch& batch) override {
    EMBARC_RETURN_IF_ERROR(Begin());
    Result<void> r = WriteBatch(batch);
    if (!r) {
      Rollback();
      return r;
    }
    return CommitTransaction();
  }

  Result<void> AddToFrontier(const std::vector<FrontierRow>& rows) override {
    for (const FrontierRow& r : rows) {
      EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
          "INSERT OR IGNORE INTO crawl_frontier(crawl, url, depth, state, error, updated_at) VALUES(?,?,?,?,?,?)"));
      s.Bind(1, r.crawl).Bind(2, r.url).Bind(3, std::int64_t{r.depth}).Bind(4, r.state).Bind(5, r.error)
          .Bind(6, r.updated_at);
      EMBARC_RETURN_IF_ERROR(s.Run());
    }
    return Ok();
  }

  Result<void> SetFrontierState(const std::string& crawl, const std::string& url, const std::string& state,
                                const std::optional<std::string>& error, const std::string& now) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "UPDATE crawl_frontier SET state = ?, error = ?, updated_at = ? WHERE crawl = ? AND url = ?"));
    s.Bind(1, state).Bind(2, error).Bind(3, now).Bind(4, crawl).Bind(5, url);
    return s.Run();
  }

  Result<std::vector<FrontierRow>> Frontier(const std::string& crawl) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT crawl, url, depth, state, error, updated_at FROM crawl_frontier WHERE crawl = ? ORDER BY depth, seq"));
    s.Bind(1, crawl);
    std::vector<FrontierRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(FrontierRow{s.Text(0), s.Text(1), static_cast<int>(s.Int(2)), s.Text(3), s.OptText(4), s.Text(5)});
    }
    return out;
  }

  Result<bool> HasArchivedArticle(const std::string& url) override {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(),
        "SELECT 1 FROM articles a JOIN article_captures ac ON ac.article_id = a.id JOIN captures c ON c.id = ac.capture_id "
        "WHERE a.url = ? AND c.http_status BETWEEN 200 AND 299 LIMIT 1"));
    s.Bind(1, url);
    return s.Step();
  }

  Result<void> Begin() override { return Exec(db(), "BEGIN IMMEDIATE"); }
  Result<void> BeginRead() override { return Exec(db(), "BEGIN DEFERRED"); }
  Result<void> CommitTransaction() override { return Exec(db(), "COMMIT"); }
  void Rollback() override { (void)Exec(db(), "ROLLBACK"); }

 private:
  sqlite3* db() const { return db_.get(); }

  static PostRow ReadPost(const Stmt& s) {
    PostRow p;
    p.id = s.Int(0);
    p.platform = s.Text(1);
    p.post_id = s.Text(2);
    p.url = s.Text(3);
    p.author = s.OptText(4);
    p.first_seen = s.Text(5);
    return p;
  }

  Result<void> WriteBatch(Batch& batch) {
    // Each statement is prepared once per connection and re-run per row.
    EMBARC_ASSIGN_OR_RETURN(Stmt * capture, Cached(
        "INSERT INTO captures(url, fetched_at, outcome, http_status, error, warc_file, response_offset, "
        "response_length, warc_record_id, payload_sha256) VALUES(?,?,?,?,?,?,?,?,?,?)"));
    for (CaptureRow& c : batch.captures) {
      Stmt& s = capture->Reset();
      s.Bind(1, c.url).Bind(2, c.fetched_at).Bind(3, c.outcome).Bind(4, c.http_status).Bind(5, c.error)
          .Bind(6, c.warc_file).Bind(7, static_cast<std::int64_t>(c.response_offset))
          .Bind(8, static_cast<std::int64_t>(c.response_length)).Bind(9, c.warc_record_id).Bind(10, c.payload_sha256);
      EMBARC_RETURN_IF_ERROR(s.Run());
      c.id = sqlite3_last_insert_rowid(db());
    }
    EMBARC_ASSIGN_OR_RETURN(Stmt * snapshot, Cached(
        "INSERT INTO snapshots(post_ref, leaf_index, record_hash, observed_at, state, change, content_sha256, "
        "previous, record, envelope) VALUES(?,?,?,?,?,?,?,?,?,?)"));
    EMBARC_ASSIGN_OR_RETURN(Stmt * link, Cached("INSERT INTO snapshot_captures(snapshot_id, position, capture_id) VALUES(?,?,?)"));
    for (Batch::Snapshot& snap : batch.snapshots) {
      SnapshotRow& r = snap.row;
      Stmt& s = snapshot->Reset();
      s.Bind(1, r.post_ref).Bind(2, static_cast<std::int64_t>(r.leaf_index)).Bind(3, r.record_hash).Bind(4, r.observed_at)
          .Bind(5, r.state).Bind(6, r.change).Bind(7, r.content_sha256).Bind(8, r.previous)
          .BindBlob(9, PackJson(r.record)).BindBlob(10, PackJson(DetachEnvelope(r)));
      EMBARC_RETURN_IF_ERROR(s.Run());
      r.id = sqlite3_last_insert_rowid(db());
      r.capture_ids.clear();
      std::int64_t position = 0;
      for (std::size_t pos : snap.capture_positions) {
        if (pos >= batch.captures.size()) return Fail(ErrorCode::kInternal, "snapshot names a capture outside its batch");
        Stmt& l = link->Reset();
        l.Bind(1, r.id).Bind(2, position++).Bind(3, batch.captures[pos].id);
        EMBARC_RETURN_IF_ERROR(l.Run());
        r.capture_ids.push_back(batch.captures[pos].id);
      }
    }
    EMBARC_ASSIGN_OR_RETURN(Stmt * schedule, Cached(
        "INSERT INTO schedule(post_ref, next_check, failures) VALUES(?,?,?) "
        "ON CONFLICT(post_ref) DO UPDATE SET next_check = excluded.next_check, failures = excluded.failures"));
    for (const ScheduleRow& row : batch.schedule) {
      Stmt& s = schedule->Reset();
      s.Bind(1, row.post_ref).Bind(2, row.next_check).Bind(3, std::int64_t{row.failures});
      EMBARC_RETURN_IF_ERROR(s.Run());
    }
    capture->Reset();
    snapshot->Reset();
    link->Reset();
    schedule->Reset();
    return Ok();
  }

  Result<std::vector<SnapshotRow>> QuerySnapshotsText(const std::string& where, const std::string& arg) {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), std::string("SELECT ") + kSnapshotColumns + " FROM snapshots" + where));
    s.Bind(1, arg);
    return ReadSnapshots(s);
  }

  Result<std::vector<SnapshotRow>> QuerySnapshots(const std::string& where, std::optional<std::int64_t> arg) {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), std::string("SELECT ") + kSnapshotColumns + " FROM snapshots" + where));
    if (arg) s.Bind(1, *arg);
    return ReadSnapshots(s);
  }

  Result<std::vector<SnapshotRow>> ReadSnapshots(Stmt& s) {
    std::vector<SnapshotRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      SnapshotRow r;
      r.id = s.Int(0);
      r.post_ref = s.Int(1);
      r.leaf_index = static_cast<std::uint64_t>(s.Int(2));
      r.record_hash = s.Text(3);
      r.observed_at = s.Text(4);
      r.state = s.Text(5);
      r.change = s.Text(6);
      r.content_sha256 = s.OptText(7);
      r.previous = s.OptText(8);
      EMBARC_ASSIGN_OR_RETURN(r.record, UnpackJson(s.Text(9)));
      EMBARC_ASSIGN_OR_RETURN(std::string envelope, UnpackJson(s.Text(10)));
      r.envelope = AttachEnvelope(std::move(envelope), r.record);
      out.push_back(std::move(r));
    }
    EMBARC_ASSIGN_OR_RETURN(Stmt * c, Cached("SELECT capture_id FROM snapshot_captures WHERE snapshot_id = ? ORDER BY position"));
    for (SnapshotRow& r : out) {
      ResetOnExit reset{c};
      c->Bind(1, r.id);
      while (true) {
        EMBARC_ASSIGN_OR_RETURN(bool row, c->Step());
        if (!row) break;
        r.capture_ids.push_back(c->Int(0));
      }
    }
    return out;
  }

  Result<std::vector<CaptureRow>> QueryCaptures(const std::string& where, std::optional<std::int64_t> arg) {
    EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), std::string(kCaptureSelect) + where));
    if (arg) s.Bind(1, *arg);
    std::vector<CaptureRow> out;
    while (true) {
      EMBARC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadCapture(s));
    }
    return out;
  }

  static CaptureRow ReadCapture(const Stmt& s) {
    CaptureRow c;
    c.id = s.Int(0);
    c.url = s.Text(1);
    c.fetched_at = s.Text(2);
    c.outcome = s.Text(3);
    if (!s.IsNull(4)) c.http_status = static_cast<int>(s.Int(4));
    c.error = s.OptText(5);
    c.warc_file = s.OptText(6);
    c.response_offset = static_cast<std::uint64_t>(s.Int(7));
    c.response_length = static_cast<std::uint64_t>(s.Int(8));
    c.warc_record_id = s.OptText(9);
    c.payload_sha256 = s.OptText(10);
    return c;
  }

  // A statement prepared once per connection, reset and ready to bind. Callers reset it again
  // when done (ResetOnExit), so that no read stays open.
  Result<Stmt*> Cached(const char* sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      EMBARC_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db(), sql));
      it = cache_.emplace(sql, std::move(s)).first;
    }
    return &it->second.Reset();
  }
  struct ResetOnExit {
    Stmt* s;
    ~ResetOnExit() { s->Reset(); }
  };

  SqliteDb db_;
  std::map<std::string, Stmt> cache_;  // declared after db_: finalized before the connection closes
};

Result<void> Migrate(sqlite3* db) {
  EMBARC_ASSIGN_OR_RETURN(Stmt v, Stmt::Prepare(db, "PRAGMA user_version"));
  EMBARC_ASSIGN_OR_RETURN(bool row, v.Step());
  const int version = row ? static_cast<int>(v.Int(0)) : 0;
  if (version > kSchemaVersion) {
    return Fail(ErrorCode::kFailedPrecondition,
                "the index has schema version " + std::to_string(version) + ", newer than this embarc (" +
                    std::to_string(kSchemaVersion) + ")");
  }
  for (int i = version; i < kSchemaVersion; ++i) {
    EMBARC_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
    Result<void> r = Exec(db, kMigrations[i]);
    if (r) r = Exec(db, ("PRAGMA user_version = " + std::to_string(i + 1)).c_str());
    if (!r) {
      (void)Exec(db, "ROLLBACK");
      return WithContext(r.error(), "migrate index to version " + std::to_string(i + 1));
    }
    EMBARC_RETURN_IF_ERROR(Exec(db, "COMMIT"));
  }
  return Ok();
}

// A file path as the path of a "file:" URI (RFC 8089): '%', '?' and '#' must be escaped.
std::string PercentEncodeUriPath(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Read-only access to an index in a folder that cannot be written (see OpenSqliteIndex).
Result<std::unique_ptr<Index>> OpenImmutable(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  const std::string uri = "file:" + PercentEncodeUriPath(path.string()) + "?immutable=1";
  const int rc = sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db(raw);  // owned even when rc != SQLITE_OK
  if (rc != SQLITE_OK) {
    return Fail(ErrorCode::kDatabase, "open " + path.string() + " read-only: " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  EMBARC_RETURN_IF_ERROR(Migrate(db.get()));  // reads the schema version; a needed migration fails (read-only)
  return std::unique_ptr<Index>(std::make_unique<SqliteIndex>(std::move(db)));
}

}  // namespace

Result<std::unique_ptr<Index>> OpenSqliteIndex(const std::filesystem::path& path, bool create) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);  // owned even when rc != SQLITE_OK
  if (rc != SQLITE_OK) {
    return Fail(ErrorCode::kDatabase, "open " + path.string() + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  if (!create && ::access(path.parent_path().c_str(), W_OK) != 0 && errno != ENOENT) {
    // A folder we cannot write (a read-only medium, another user's archive): SQLite cannot
    // create the WAL's -shm and -wal files there, so the first read would fail. Without a
    // -wal file holding commits (no writer is active: none could be, or one would have
    // created it), the database file alone is the whole index; read it as immutable.
    std::error_code ec;
    const std::filesystem::path wal = path.string() + "-wal";
    const bool wal_empty = !std::filesystem::exists(wal, ec) || std::filesystem::file_size(wal, ec) == 0;
    if (wal_empty) return OpenImmutable(path);
  }
  sqlite3_busy_timeout(db.get(), 30'000);
  EMBARC_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA journal_mode = WAL"));
  EMBARC_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA synchronous = FULL"));
  EMBARC_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA foreign_keys = ON"));
  EMBARC_RETURN_IF_ERROR(Migrate(db.get()));
  return std::unique_ptr<Index>(std::make_unique<SqliteIndex>(std::move(db)));
}

}  // namespace embarc::store
