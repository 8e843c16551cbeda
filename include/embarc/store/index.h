// The archive's index: articles, posts, embeds, captures and snapshots.
// SQLite (WAL) is the first implementation; nothing outside src/store/ knows it.
// Schema and migrations: archive/FORMAT.md "index.sqlite3".
#ifndef EMBARC_STORE_INDEX_H_
#define EMBARC_STORE_INDEX_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "embarc/core/result.h"

namespace embarc::store {

inline constexpr int kSchemaVersion = 7;

struct KeyRow {
  std::string key_id;
  std::string public_key_pem;
  std::string created_at;
};

struct ArticleRow {
  std::int64_t id = 0;
  std::string url;
  std::string first_seen;
};

struct PostRow {
  std::int64_t id = 0;
  std::string platform;
  std::string post_id;
  std::string url;
  std::optional<std::string> author;
  std::string first_seen;
};

struct EmbedRow {
  std::int64_t article_id = 0;
  std::int64_t post_ref = 0;
  int occurrences = 0;
  std::optional<std::string> quote_json;   // canonical JSON {"author_name","date","text"}
  std::optional<std::string> quote_sha256;
  std::optional<std::string> embedded_version;
  std::string first_seen;
};

// One fetch: a WARC response (and request/metadata) record, or a failed attempt.
struct CaptureRow {
  std::int64_t id = 0;
  std::string url;
  std::string fetched_at;
  std::string outcome;                  // net::FetchOutcomeName
  std::optional<int> http_status;
  std::optional<std::string> error;
  std::optional<std::string> warc_file;
  std::uint64_t response_offset = 0;
  std::uint64_t response_length = 0;
  std::optional<std::string> warc_record_id;   // of the response record
  std::optional<std::string> payload_sha256;   // hex
};

struct SnapshotRow {
  std::int64_t id = 0;
  std::int64_t post_ref = 0;
  std::uint64_t leaf_index = 0;
  std::string record_hash;     // hex SHA-256 of `record`
  std::string observed_at;
  std::string state;
  std::string change;
  std::optional<std::string> content_sha256;
  std::optional<std::string> previous;
  std::string record;          // canonical JSON bytes
  std::string envelope;        // DSSE envelope JSON
  std::vector<std::int64_t> capture_ids;
};

// A key event in the log (genesis or rotation): the key history is itself logged.
struct KeyEventRow {
  std::int64_t id = 0;
  std::uint64_t leaf_index = 0;
  std::string record_hash;   // hex SHA-256 of `record`
  std::string record;        // canonical JSON bytes
  std::string envelope;      // DSSE envelope JSON, signed by the new key (and the old one on rotation)
  std::string created_at;
};

// A signed checkpoint of the log (log/checkpoint.h) and the trusted timestamps it got.
struct CheckpointRow {
  std::int64_t id = 0;
  std::uint64_t tree_size = 0;
  std::string root_hash;     // hex
  std::string note;          // the signed note text
  std::string key_id;
  std::string created_at;
};

struct TimestampRow {
  std::int64_t id = 0;
  std::int64_t checkpoint_id = 0;
  std::string tsa_url;
  std::string requested_at;
  std::string status;        // "granted", "failed"
  std::optional<std::string> error;
  std::string request_der;   // TimeStampReq (binary)
  std::string response_der;  // TimeStampResp (binary), empty when failed
  std::optional<std::string> gen_time;
};

// When a post is due for a re-check.
struct ScheduleRow {
  std::int64_t post_ref = 0;
  std::string next_check;    // RFC 3339
  int failures = 0;          // consecutive unreachable / rate-limited outcomes
};

// One URL of a crawl's frontier (crawl/crawler.h). `crawl` names the crawl (its seed and
// depth), so that a rerun of the same command finds and resumes it.
struct FrontierRow {
  std::string crawl;
  std::string url;
  int depth = 0;
  std::string state;                 // "pending", "done", "failed"
  std::optional<std::string> error;  // why it failed (or a note on a done page)
  std::string updated_at;
};

// Everything one capture run adds, written in one transaction.
struct Batch {
  std::vector<CaptureRow> captures;                       // ids assigned on commit
  struct Snapshot {
    SnapshotRow row;
    std::vector<std::size_t> capture_positions;           // indexes into `captures`
  };
  std::vector<Snapshot> snapshots;
  std::vector<ScheduleRow> schedule;                      // upserted by post_ref
};

class Index {
 public:
  virtual ~Index() = default;

  [[nodiscard]] virtual Result<void> AddKey(const KeyRow& key) = 0;
  [[nodiscard]] virtual Result<std::vector<KeyRow>> Keys() = 0;

  [[nodiscard]] virtual Result<std::int64_t> UpsertArticle(const std::string& url, const std::string& now) = 0;
  [[nodiscard]] virtual Result<std::int64_t> UpsertPost(const PostRow& post) = 0;  // by (platform, post_id)
  [[nodiscard]] virtual Result<void> UpsertEmbed(const EmbedRow& embed) = 0;
  [[nodiscard]] virtual Result<void> LinkArticleCapture(std::int64_t article_id, std::int64_t capture_id) = 0;

  [[nodiscard]] virtual Result<std::optional<PostRow>> FindPost(const std::string& platform,
                                                                const std::string& post_id) = 0;
  [[nodiscard]] virtual Result<std::vector<PostRow>> AllPosts() = 0;
  [[nodiscard]] virtual Result<std::vector<EmbedRow>> EmbedsOfPost(std::int64_t post_ref) = 0;
  [[nodiscard]] virtual Result<std::optional<ArticleRow>> ArticleById(std::int64_t id) = 0;

  [[nodiscard]] virtual Result<std::optional<SnapshotRow>> LatestSnapshot(std::int64_t post_ref) = 0;
  [[nodiscard]] virtual Result<std::vector<SnapshotRow>> SnapshotsOfPost(std::int64_t post_ref) = 0;
  // All snapshots in leaf order.
  [[nodiscard]] virtual Result<std::vector<SnapshotRow>> AllSnapshots() = 0;
  [[nodiscard]] virtual Result<std::uint64_t> SnapshotCount() = 0;
  [[nodiscard]] virtual Result<std::optional<CaptureRow>> CaptureById(std::int64_t id) = 0;
  [[nodiscard]] virtual Result<std::vector<CaptureRow>> AllCaptures() = 0;

  // For reading a large index in bounded memory (verify):
  // at most `limit` snapshots with leaf_index >= first_leaf, in leaf order, with capture_ids.
  [[nodiscard]] virtual Result<std::vector<SnapshotRow>> SnapshotsFrom(std::uint64_t first_leaf, std::size_t limit) = 0;
  // The leaf_index of every snapshot, ascending.
  [[nodiscard]] virtual Result<std::vector<std::uint64_t>> SnapshotLeafIndexes() = 0;
  // The record hash of the post's last snapshot before leaf `before_leaf`, if any.
  [[nodiscard]] virtual Result<std::optional<std::string>> PreviousRecordHash(std::int64_t post_ref,
                                                                               std::uint64_t before_leaf) = 0;
  [[nodiscard]] virtual Result<std::optional<PostRow>> PostById(std::int64_t id) = 0;
  // Capture rows in the order of `ids`; nullopt where an id has no row.
  [[nodiscard]] virtual Result<std::vector<std::optional<CaptureRow>>> CapturesById(const std::vector<std::int64_t>& ids) = 0;
  // The end (offset + length) of the record of `warc_file` named by the newest capture row that
  // names that file, looking only at the newest `recent_rows` rows (a writer appends, so this is
  // the file's last referenced record); 0 when none of them does. Crash repair scans a WARC file only
  // past this point instead of from its start.
  [[nodiscard]] virtual Result<std::uint64_t> RecentReferencedEnd(const std::string& warc_file, std::uint64_t recent_rows) = 0;

  [[nodiscard]] virtual Result<std::optional<ScheduleRow>> ScheduleOf(std::int64_t post_ref) = 0;
  // Posts whose next check is at or before `now` (RFC 3339 strings compare in time order).
  [[nodiscard]] virtual Result<std::vector<PostRow>> DuePosts(const std::string& now) = 0;
  // Snapshots with a change in `changes` observed at or after `since`, in leaf order.
  [[nodiscard]] virtual Result<std::vector<SnapshotRow>> ChangedSince(const std::string& since) = 0;

  // Leaves of the log: snapshots and key events, numbered together from 0. LeafCount is one
  // more than the highest leaf index: the number of leaves, as they are numbered without gaps
  // (verify checks that they are).
  [[nodiscard]] virtual Result<std::uint64_t> LeafCount() = 0;
  [[nodiscard]] virtual Result<void> AddKeyEvent(const KeyEventRow& row) = 0;
  [[nodiscard]] virtual Result<std::vector<KeyEventRow>> KeyEvents() = 0;   // in leaf order
  // Leaf i's record bytes for i in [begin, end), in leaf order.
  [[nodiscard]] virtual Result<std::vector<std::string>> LeafRecords(std::uint64_t begin, std::uint64_t end) = 0;
  [[nodiscard]] virtual Result<std::optional<SnapshotRow>> SnapshotByHash(const std::string& record_hash) = 0;

  [[nodiscard]] virtual Result<std::int64_t> AddCheckpoint(const CheckpointRow& row) = 0;
  [[nodiscard]] virtual Result<std::vector<CheckpointRow>> Checkpoints() = 0;   // oldest first
  [[nodiscard]] virtual Result<std::int64_t> AddTimestamp(const TimestampRow& row) = 0;
  [[nodiscard]] virtual Result<std::vector<TimestampRow>> Timestamps() = 0;
  [[nodiscard]] virtual Result<void> UpdateTimestamp(const TimestampRow& row) = 0;

  // The crawl frontier (schema v5). AddToFrontier inserts rows whose (crawl, url) is new and
  // leaves existing rows as they are; Frontier lists a crawl's rows by depth, then insertion.
  [[nodiscard]] virtual Result<void> AddToFrontier(const std::vector<FrontierRow>& rows) = 0;
  [[nodiscard]] virtual Result<void> SetFrontierState(const std::string& crawl, const std::string& url,
                                                      const std::string& state,
                                                      const std::optional<std::string>& error,
                                                      const std::string& now) = 0;
  [[nodiscard]] virtual Result<std::vector<FrontierRow>> Frontier(const std::string& crawl) = 0;
  // Whether `url` was archived as an article with a successful (2xx) answer.
  [[nodiscard]] virtual Result<bool> HasArchivedArticle(const std::string& url) = 0;

  // Writes the batch atomically; assigns capture ids and snapshot ids.
  [[nodiscard]] virtual Result<void> Commit(Batch& batch) = 0;

  // Transactions around a sequence of Upserts (articles, posts, embeds).
  [[nodiscard]] virtual Result<void> Begin() = 0;
  // A read transaction: the reads until CommitTransaction or Rollback see one state
  // of the index, and take the database's locks once rather than per statement.
  [[nodiscard]] virtual Result<void> BeginRead() = 0;
  [[nodiscard]] virtual Result<void> CommitTransaction() = 0;
  virtual void Rollback() = 0;
};

// Opens (creating if `create`) the SQLite index at `path` and migrates it to
// kSchemaVersion. Errors: kDatabase; kFailedPrecondition for a newer schema.
[[nodiscard]] Result<std::unique_ptr<Index>> OpenSqliteIndex(const std::filesystem::path& path, bool create);

}  // namespace embarc::store

#endif  // EMBARC_STORE_INDEX_H_
