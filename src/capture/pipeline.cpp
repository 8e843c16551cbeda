#include "embarc/capture/pipeline.h"

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "embarc/capture/quote.h"
#include "embarc/capture/record.h"
#include "embarc/capture/schedule.h"
#include "embarc/core/json.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/sha256.h"
#include "embarc/html/extract.h"
#include "embarc/warc/warc.h"
#include "core/ascii.h"

namespace embarc::capture {
namespace {

namespace fs = std::filesystem;
using platform::PostState;

bool IsHttpUrl(const std::string& s) {
  return ascii::StartsWithNoCase(s, "http://") || ascii::StartsWithNoCase(s, "https://");
}

bool LooksLikeUrl(const std::string& s) { return s.find("://") != std::string::npos; }

Result<std::string> ReadArticleFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "not a readable file or an http(s) URL: " + path);
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxArticleFileBytes) {
    return Fail(ErrorCode::kLimitExceeded, path + " is larger than " + std::to_string(kMaxArticleFileBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kInvalidArgument, "cannot read " + path);
  // One read into a string of the file's size (no stream buffer copies); a file that
  // grew since stat is read to its end, still within the limit.
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  char more[4096];
  while (in.read(more, sizeof more) || in.gcount() > 0) {
    text.append(more, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxArticleFileBytes) {
      return Fail(ErrorCode::kLimitExceeded, path + " is larger than " + std::to_string(kMaxArticleFileBytes) + " bytes");
    }
  }
  if (in.bad()) return Fail(ErrorCode::kInvalidArgument, "cannot read " + path);
  return text;
}

// Refuses anything that is neither an http(s) URL nor a readable regular file, before any write.
Result<void> ValidateInputs(const std::vector<std::string>& inputs) {
  if (inputs.empty()) return Fail(ErrorCode::kInvalidArgument, "no article URL or file given");
  for (const std::string& in : inputs) {
    if (IsHttpUrl(in)) continue;
    if (LooksLikeUrl(in)) return Fail(ErrorCode::kInvalidArgument, "not an http(s) URL: " + in);
    struct stat st {};
    if (::stat(in.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::kInvalidArgument, "not a readable file or an http(s) URL: " + in);
    }
  }
  return Ok();
}

std::string FileUri(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  return "file://" + (ec ? path : abs.lexically_normal().string());
}

// A fetch written to WARC: the record's capture entries and the index rows.
struct RecordedFetch {
  std::vector<CaptureEntry> entries;
  std::vector<store::CaptureRow> rows;
};

std::string MetadataJson(const net::HttpExchange& hop, const std::string& outcome) {
  nlohmann::json meta = {
      {"agent", AgentString()},
      {"ip", hop.remote_ip},
      {"port", hop.remote_port},
      {"started_at", Rfc3339Ms(hop.started_at)},
      {"finished_at", Rfc3339Ms(hop.finished_at)},
      {"outcome", outcome},
      {"tls_peer_chain_pem", hop.tls_peer_chain_pem},
  };
  auto canonical = CanonicalJson(meta);
  return canonical ? *canonical : meta.dump();
}

// The response head as stored: curl removed the chunked framing from the body, so the
// Transfer-Encoding line is renamed to keep the stored message self-consistent (FORMAT.md).
std::string StoredResponseHead(const net::HttpExchange& hop) {
  if (!hop.was_chunked) return hop.response_head;
  std::string out;
  std::istringstream lines(hop.response_head);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (ascii::StartsWithNoCase(line, "transfer-encoding:")) line = "X-Embarc-Original-Transfer-Encoding:" + line.substr(18);
    out += line + "\r\n";
  }
  out += "Content-Length: " + std::to_string(hop.body.size()) + "\r\n\r\n";
  return out;
}

Result<RecordedFetch> RecordFetch(warc::WarcWriter& writer, const net::FetchRequest& request,
                                  const net::FetchResponse& response, const std::string& fetched_at) {
  RecordedFetch out;
  for (std::size_t i = 0; i < response.hops.size(); ++i) {
    const net::HttpExchange& hop = response.hops[i];
    EMBARC_ASSIGN_OR_RETURN(warc::RecordLocation req,
                            writer.Write(warc::MakeRequest(hop.url, hop.started_at, hop.remote_ip, hop.request_head)));
    (void)req;
    const std::string head = StoredResponseHead(hop);
    EMBARC_ASSIGN_OR_RETURN(warc::RecordLocation resp,
                            writer.Write(warc::MakeResponse(hop.url, hop.started_at, hop.remote_ip, head, hop.body)));
    EMBARC_ASSIGN_OR_RETURN(warc::RecordLocation meta,
                            writer.Write(warc::MakeMetadata(hop.url, hop.finished_at, resp.record_id,
                                                            MetadataJson(hop, "ok"), "application/json")));
    (void)meta;
    CaptureEntry e;
    e.url = hop.url;
    e.outcome = "ok";
    e.http_status = hop.status;
    e.warc_file = resp.file;
    e.warc_record_id = resp.record_id;
    e.payload_sha256 = resp.payload_digest ? resp.payload_digest->Hex() : crypto::Sha256(hop.body).Hex();
    store::CaptureRow row;
    row.url = hop.url;
    row.fetched_at = Rfc3339Ms(hop.started_at);
    row.outcome = "ok";
    row.http_status = hop.status;
    row.warc_file = resp.file;
    row.response_offset = resp.offset;
    row.response_length = resp.length;
    row.warc_record_id = resp.record_id;
    row.payload_sha256 = e.payload_sha256;
    out.entries.push_back(std::move(e));
    out.rows.push_back(std::move(row));
  }
  if (!response.ok()) {
    CaptureEntry e;
    e.url = response.hops.empty() ? request.url : response.hops.back().url;
    e.outcome = net::FetchOutcomeName(response.outcome);
    e.error = response.error;
    store::CaptureRow row;
    row.url = e.url;
    row.fetched_at = fetched_at;
    row.outcome = e.outcome;
    row.error = response.error;
    out.entries.push_back(std::move(e));
    out.rows.push_back(std::move(row));
  }
  return out;
}

struct PendingPost {
  platform::PostRef post;
  const platform::Adapter* adapter = nullptr;
  std::int64_t post_ref = 0;
  RecordedFetch fetched;
  platform::Observation observation;
  std::size_t media_failed = 0;
  std::chrono::seconds retry_after{0};
};

// A batch of posts: FetchBatch fetches and interprets it, WriteBatch writes its exchanges to
// WARC (both on the worker thread), RecordBatch signs and indexes it.
struct FetchedBatch {
  std::vector<PendingPost> posts;
  std::vector<net::FetchRequest> requests;                 // the capture plans, post after post
  std::vector<net::FetchResponse> answers;                 // one per request
  std::vector<std::pair<std::size_t, std::size_t>> ranges; // per post: [begin, end) into requests
  std::string fetched_at;
  std::vector<net::FetchRequest> media_requests;           // media of available posts
  std::vector<net::FetchResponse> media_answers;
  std::vector<std::pair<std::size_t, std::size_t>> media_owner;  // (post, media item)
  std::string media_at;
};

// The articles citing the post; with live content, whether each printed quote and embedded
// version (when the adapter can compare it; the call with empty content only asks that) still match.
Result<std::vector<CitedIn>> CitationsOf(store::Index& index, std::int64_t post_ref, const platform::Adapter& adapter,
                                         const platform::PostContent* live,
                                         std::map<std::int64_t, std::string>& article_urls) {
  std::optional<std::string> live_text;
  if (live != nullptr) live_text = live->text;
  EMBARC_ASSIGN_OR_RETURN(auto embeds, index.EmbedsOfPost(post_ref));
  std::vector<CitedIn> out;
  for (const store::EmbedRow& e : embeds) {
    auto known = article_urls.find(e.article_id);
    if (known == article_urls.end()) {
      EMBARC_ASSIGN_OR_RETURN(auto article, index.ArticleById(e.article_id));
      if (!article) return Fail(ErrorCode::kDatabase, "embed names a missing article");
      known = article_urls.emplace(e.article_id, article->url).first;
    }
    const std::string& article_url = known->second;
    CitedIn c{article_url, e.quote_sha256, std::nullopt, std::nullopt, std::nullopt};
    if (live_text && e.quote_json) {
      auto quote = ParseJson(*e.quote_json);
      if (quote && quote->is_object() && quote->contains("text") && (*quote)["text"].is_string() &&
          !(*quote)["text"].get<std::string>().empty()) {
        c.quote_matches = QuoteStillMatches((*quote)["text"].get<std::string>(), *live_text);
      }
    }
    if (e.embedded_version) {
      // Only versions the adapter can compare are recorded (Reddit's embed "version" is a
      // display setting, not a content id).
      const std::optional<bool> matches =
          adapter.EmbeddedVersionMatches(*e.embedded_version, live != nullptr ? *live : platform::PostContent{});
      if (matches) {
        c.embedded_version = e.embedded_version;
        if (live != nullptr) c.version_matches = matches;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Retry-After seconds of a 429 among a post's answers (0 when none).
std::chrono::seconds RetryAfter(std::span<const net::FetchResponse> answers) {
  std::chrono::seconds best{0};
  for (const auto& a : answers) {
    for (const auto& hop : a.hops) {
      if (hop.status != 429 && hop.status != 503) continue;
      const std::string v = hop.Header("Retry-After");
      if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() < 9) {
        best = std::max(best, std::chrono::seconds(std::stol(v)));
      }
    }
  }
  return best;
}

// Fetches one batch of posts: capture plans, interpretation, media. Touches neither the
// archive nor the index, so it runs on a worker thread while the previous batch is recorded.
Result<void> FetchBatch(net::Fetcher& fetcher, const Clock& now, FetchedBatch& b) {
  for (PendingPost& p : b.posts) {
    const std::size_t begin = b.requests.size();
    for (net::FetchRequest& r : p.adapter->CapturePlan(p.post)) b.requests.push_back(std::move(r));
    b.ranges.emplace_back(begin, b.requests.size());
  }
  b.fetched_at = Rfc3339Ms(now());
  EMBARC_ASSIGN_OR_RETURN(b.answers, fetcher.FetchAll(b.requests));
  if (b.answers.size() != b.requests.size()) return Fail(ErrorCode::kInternal, "fetcher returned a wrong number of answers");
  for (std::size_t i = 0; i < b.posts.size(); ++i) {
    PendingPost& p = b.posts[i];
    const auto [begin, end] = b.ranges[i];
    const std::span<const net::FetchResponse> mine(b.answers.data() + begin, end - begin);
    p.observation = p.adapter->Interpret(p.post, mine);
    p.retry_after = RetryAfter(mine);
  }

  // Media of available posts: photos, posters, video variants.
  for (std::size_t i = 0; i < b.posts.size(); ++i) {
    if (b.posts[i].observation.state != PostState::kAvailable) continue;
    auto& media = b.posts[i].observation.content.media;
    for (std::size_t m = 0; m < media.size(); ++m) {
      net::FetchRequest r;
      r.url = media[m].url;
      r.max_body_bytes = kMaxMediaBytes;
      b.media_requests.push_back(std::move(r));
      b.media_owner.emplace_back(i, m);
    }
  }
  if (b.media_requests.empty()) return Ok();
  b.media_at = Rfc3339Ms(now());
  EMBARC_ASSIGN_OR_RETURN(b.media_answers, fetcher.FetchAll(b.media_requests));
  if (b.media_answers.size() != b.media_requests.size()) {
    return Fail(ErrorCode::kInternal, "fetcher returned a wrong number of answers");
  }
  for (std::size_t k = 0; k < b.media_requests.size(); ++k) {
    auto [i, m] = b.media_owner[k];
    PendingPost& p = b.posts[i];
    const net::HttpExchange* fin = b.media_answers[k].Final();
    if (b.media_answers[k].ok() && fin != nullptr && fin->status >= 200 && fin->status < 300) {
      p.observation.content.media[m].sha256 = crypto::Sha256(fin->body).Hex();
    } else {
      ++p.media_failed;
    }
  }
  return Ok();
}

// Writes one fetched batch to WARC: the plans' exchanges post after post, then the media, then
// one fsync. Runs on the write stage's thread, the writer's only user while posts are captured.
Result<void> WriteBatch(warc::WarcWriter& writer, FetchedBatch& b) {
  std::vector<PendingPost>& batch = b.posts;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    PendingPost& p = batch[i];
    const auto [begin, end] = b.ranges[i];
    for (std::size_t k = begin; k < end; ++k) {
      EMBARC_ASSIGN_OR_RETURN(RecordedFetch rec, RecordFetch(writer, b.requests[k], b.answers[k], b.fetched_at));
      for (auto& e : rec.entries) p.fetched.entries.push_back(std::move(e));
      for (auto& r : rec.rows) p.fetched.rows.push_back(std::move(r));
    }
  }
  for (std::size_t k = 0; k < b.media_requests.size(); ++k) {
    PendingPost& p = batch[b.media_owner[k].first];
    EMBARC_ASSIGN_OR_RETURN(RecordedFetch rec, RecordFetch(writer, b.media_requests[k], b.media_answers[k], b.media_at));
    for (auto& e : rec.entries) p.fetched.entries.push_back(std::move(e));
    for (auto& r : rec.rows) p.fetched.rows.push_back(std::move(r));
  }
  // The bodies are in the WARC file now; the records and index rows need only their digests.
  b.answers = {};
  b.media_answers = {};
  // Records reference only WARC bytes that are on disk.
  return writer.Sync();
}

// Signs and indexes one written batch: a snapshot record per post, all committed in one
// transaction.
Result<void> RecordBatch(store::Archive& archive, const crypto::Signer& signer, FetchedBatch& b, const Clock& now,
                         std::vector<PostOutcome>& outcomes) {
  std::vector<PendingPost>& batch = b.posts;
  store::Index& index = archive.index();
  EMBARC_ASSIGN_OR_RETURN(std::uint64_t next_leaf, index.LeafCount());
  store::Batch db_batch;
  std::map<std::int64_t, std::string> article_urls;  // article id -> URL, read once per batch
  for (PendingPost& p : batch) {
    EMBARC_ASSIGN_OR_RETURN(auto history, index.SnapshotsOfPost(p.post_ref));
    std::vector<std::pair<std::string, std::optional<std::string>>> earlier;
    for (const auto& s : history) earlier.emplace_back(s.state, s.content_sha256);
    SnapshotFields f;
    f.post = p.post;
    f.observed_at = Rfc3339Ms(now());
    f.observation = p.observation;
    std::optional<std::string> content_sha;
    if (p.observation.state == PostState::kAvailable) {
      EMBARC_ASSIGN_OR_RETURN(std::string sha, ContentSha256(p.observation.content));
      content_sha = sha;
    }
    f.change = ClassifyChange(earlier, p.observation.state, content_sha);
    if (f.change == "edited") {
      // Content read from another endpoint than last time (e.g. oEmbed while the syndication
      // API was rate limited) differs in form, not necessarily in substance: not an edit.
      std::string previous_source;
      for (auto it = history.rbegin(); it != history.rend(); ++it) {
        if (it->state != "available") continue;
        auto rec = ParseJson(it->record);
        if (rec && rec->contains("content") && (*rec)["content"].is_object()) {
          previous_source = (*rec)["content"].value("source", "");
        }
        break;
      }
      if (previous_source != p.observation.content.source) {
        f.change = "unknown";
        f.observation.reason += "; content read from " + p.observation.content.source + ", last time from " +
                                previous_source + ": not compared";
      }
    }
    f.captures = p.fetched.entries;
    const platform::PostContent* live =
        p.observation.state == PostState::kAvailable ? &p.observation.content : nullptr;
    EMBARC_ASSIGN_OR_RETURN(f.cited_in, CitationsOf(index, p.post_ref, *p.adapter, live, article_urls));
    if (!history.empty()) f.previous = history.back().record_hash;
    EMBARC_ASSIGN_OR_RETURN(std::string record, BuildRecord(f));
    EMBARC_ASSIGN_OR_RETURN(crypto::Envelope env, crypto::SignEnvelope(signer, crypto::kSnapshotPayloadType, AsBytes(record)));

    store::Batch::Snapshot snap;
    snap.row.post_ref = p.post_ref;
    snap.row.leaf_index = next_leaf++;
    snap.row.record_hash = crypto::Sha256(record).Hex();
    snap.row.observed_at = f.observed_at;
    snap.row.state = platform::PostStateName(p.observation.state);
    snap.row.change = f.change;
    snap.row.content_sha256 = content_sha;
    snap.row.previous = f.previous;
    snap.row.record = record;
    snap.row.envelope = env.ToJson();
    for (auto& row : p.fetched.rows) {
      snap.capture_positions.push_back(db_batch.captures.size());
      db_batch.captures.push_back(std::move(row));
    }
    PostOutcome o;
    o.post = p.post;
    o.state = p.observation.state;
    o.reason = p.observation.reason;
    o.change = f.change;
    o.record_hash = snap.row.record_hash;
    o.leaf_index = snap.row.leaf_index;
    o.media = p.observation.content.media.size();
    o.media_failed = p.media_failed;
    for (const CitedIn& c : f.cited_in) {
      o.quote_mismatch = o.quote_mismatch || (c.quote_matches && !*c.quote_matches);
      o.version_mismatch = o.version_mismatch || (c.version_matches && !*c.version_matches);
    }

    // The next check: by age since the first capture; failures retried sooner.
    const bool failed = p.observation.state == PostState::kUnreachable || p.observation.state == PostState::kRateLimited;
    EMBARC_ASSIGN_OR_RETURN(auto sched, index.ScheduleOf(p.post_ref));
    const int failures = failed ? (sched ? sched->failures : 0) + 1 : 0;
    const auto first_time = history.empty() ? now() : ParseRfc3339(history.front().observed_at).value_or(now());
    store::ScheduleRow row{p.post_ref, Rfc3339Ms(NextCheck(first_time, now(), failed, failures, p.retry_after)), failures};
    o.next_check = row.next_check;
    db_batch.schedule.push_back(row);
    outcomes.push_back(std::move(o));
    db_batch.snapshots.push_back(std::move(snap));
  }
  EMBARC_RETURN_IF_ERROR(index.Commit(db_batch));
  return Ok();
}

// A bounded queue between two stages of CaptureAll. Close() wakes both sides: Push then
// returns false (the consumer is gone or done), Pop returns what is left, then nullopt.
template <typename T>
class Channel {
 public:
  explicit Channel(std::size_t capacity) : capacity_(capacity) {}
  bool Push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  std::optional<T> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

using StageItem = Result<std::unique_ptr<FetchedBatch>>;

// Runs a stage's step on a worker thread, where an exception would end the process: it
// becomes an error, as the CLI makes of exceptions on the main thread.
template <typename F>
Result<void> Guarded(F&& step) {
  try {
    return step();
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("internal error: ") + e.what());
  }
}

// Captures posts in batches through three stages, each on its own thread, so that the network
// is kept busy while earlier batches are written and indexed:
//   fetch (worker): capture plans, interpretation, media   -> fetched
//   write (worker): WARC records of the batch, one fsync     -> written
//   record (this thread): signed snapshot records, one index transaction per batch
// Batches pass every stage in order, so WARC and log order are those of the posts, and a
// batch's index rows are committed only after its WARC bytes are fsynced. Only the fetch
// stage uses the fetcher, only the write stage the writer, only this thread the index. An
// error in any stage stops the run: the guard closes both queues and joins the workers on
// every path out (a worker inside FetchAll finishes that batch first).
Result<void> CaptureAll(store::Archive& archive, net::Fetcher& fetcher, warc::WarcWriter& writer,
                        const std::vector<std::pair<platform::PostRef, std::int64_t>>& posts, const Clock& now,
                        std::vector<PostOutcome>& outcomes, const ProgressFn& progress, Progress& state) {
  state.posts_total = posts.size();
  if (progress) progress(state);
  if (posts.empty()) return Ok();
  EMBARC_ASSIGN_OR_RETURN(auto signer, archive.LoadSigner());
  auto make_batch = [&posts](std::size_t start) -> StageItem {
    auto b = std::make_unique<FetchedBatch>();
    for (std::size_t i = start; i < std::min(posts.size(), start + kPostsPerBatch); ++i) {
      PendingPost p;
      p.post = posts[i].first;
      p.post_ref = posts[i].second;
      p.adapter = platform::FindAdapter(p.post.platform);
      if (p.adapter == nullptr) return Fail(ErrorCode::kInternal, "no adapter for platform " + p.post.platform);
      b->posts.push_back(std::move(p));
    }
    return b;
  };

  Channel<StageItem> fetched(1);
  Channel<StageItem> written(1);
  struct Workers {
    Channel<StageItem>& fetched;
    Channel<StageItem>& written;
    std::thread fetch;
    std::thread write;
    ~Workers() {
      fetched.Close();
      written.Close();
      if (fetch.joinable()) fetch.join();
      if (write.joinable()) write.join();
    }
  } workers{fetched, written, {}, {}};

  workers.fetch = std::thread([&] {
    for (std::size_t start = 0; start < posts.size(); start += kPostsPerBatch) {
      StageItem b = make_batch(start);
      if (b) {
        if (Result<void> r = Guarded([&] { return FetchBatch(fetcher, now, **b); }); !r) b = tl::unexpected(r.error());
      }
      const bool failed = !b;
      if (!fetched.Push(std::move(b)) || failed) break;
    }
    fetched.Close();
  });
  workers.write = std::thread([&] {
    while (std::optional<StageItem> b = fetched.Pop()) {
      if (*b) {
        if (Result<void> r = Guarded([&] { return WriteBatch(writer, ***b); }); !r) *b = tl::unexpected(r.error());
      }
      const bool failed = !*b;
      if (!written.Push(std::move(*b)) || failed) break;
    }
    fetched.Close();  // stops the fetch stage when this one stopped early
    written.Close();
  });

  while (std::optional<StageItem> b = written.Pop()) {
    if (!*b) return tl::unexpected(b->error());
    FetchedBatch& batch = ***b;
    const std::size_t before = outcomes.size();
    EMBARC_RETURN_IF_ERROR(RecordBatch(archive, *signer, batch, now, outcomes));
    state.posts_done += batch.posts.size();
    for (std::size_t k = before; k < outcomes.size(); ++k) {
      state.failures += (outcomes[k].state == PostState::kUnreachable || outcomes[k].state == PostState::kRateLimited) ? 1 : 0;
    }
    if (progress) progress(state);
  }
  if (state.posts_done != posts.size()) return Fail(ErrorCode::kInternal, "capture stages stopped early");
  return Ok();
}

}  // namespace

std::size_t RunReport::failures() const {
  std::size_t n = 0;
  for (const auto& a : articles) n += a.ok ? 0 : 1;
  for (const auto& p : posts) n += (p.state == PostState::kUnreachable || p.state == PostState::kRateLimited) ? 1 : 0;
  return n;
}

std::size_t RunReport::findings() const {
  std::size_t n = 0;
  for (const auto& p : posts) {
    n += (p.change == "edited" || p.change == "deleted" || p.change == "withheld" || p.quote_mismatch ||
          p.version_mismatch)
             ? 1
             : 0;
  }
  return n;
}

Result<std::string> LoadDocument(net::Fetcher& fetcher, const std::string& source, std::string* final_url) {
  if (!IsHttpUrl(source)) {
    if (LooksLikeUrl(source)) return Fail(ErrorCode::kInvalidArgument, "not an http(s) URL: " + source);
    if (final_url != nullptr) *final_url = FileUri(source);
    return ReadArticleFile(source);
  }
  std::vector<net::FetchRequest> req(1);
  req[0].url = source;
  EMBARC_ASSIGN_OR_RETURN(auto answers, fetcher.FetchAll(req));
  const net::FetchResponse& r = answers.at(0);
  if (!r.ok()) return Fail(ErrorCode::kNetwork, "fetch " + source + ": " + r.error);
  const net::HttpExchange& fin = *r.Final();
  if (fin.status < 200 || fin.status >= 300) {
    return Fail(ErrorCode::kNetwork, "fetch " + source + ": HTTP " + std::to_string(fin.status));
  }
  if (final_url != nullptr) *final_url = fin.url;
  EMBARC_ASSIGN_OR_RETURN(Bytes body, net::DecodeContent(fin));
  return ToString(body);
}

Result<RunReport> ArchiveArticles(store::Archive& archive, net::Fetcher& fetcher, const std::vector<std::string>& inputs,
                                  const Clock& now, const ProgressFn& progress) {
  EMBARC_RETURN_IF_ERROR(ValidateInputs(inputs));
  RunReport report;
  Progress state;
  state.articles_total = inputs.size();
  if (progress) progress(state);

  // Local files are read and parsed before anything is written: a bad file leaves no trace.
  std::vector<std::string> file_text(inputs.size());
  std::vector<std::vector<platform::ExtractedPost>> file_posts(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (IsHttpUrl(inputs[i])) continue;
    EMBARC_ASSIGN_OR_RETURN(file_text[i], ReadArticleFile(inputs[i]));
    auto posts = html::ExtractEmbeds(file_text[i], FileUri(inputs[i]));
    if (!posts) return WithContext(posts.error(), inputs[i]);
    file_posts[i] = std::move(*posts);
  }

  std::vector<net::FetchRequest> requests;
  std::vector<std::size_t> request_of(inputs.size(), SIZE_MAX);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!IsHttpUrl(inputs[i])) continue;
    request_of[i] = requests.size();
    net::FetchRequest r;
    r.url = inputs[i];
    requests.push_back(std::move(r));
  }
  const std::string fetched_at = Rfc3339Ms(now());
  std::vector<net::FetchResponse> answers;
  if (!requests.empty()) {
    EMBARC_ASSIGN_OR_RETURN(answers, fetcher.FetchAll(requests));
  }

  EMBARC_ASSIGN_OR_RETURN(auto writer, warc::WarcWriter::Open(archive.warc_dir(), "embarc"));
  store::Batch article_batch;
  std::vector<std::vector<std::size_t>> article_capture_positions(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    ArticleOutcome a;
    a.source = inputs[i];
    std::string document;
    std::string base_url;
    if (request_of[i] == SIZE_MAX) {
      a.url = FileUri(inputs[i]);
      EMBARC_ASSIGN_OR_RETURN(warc::RecordLocation loc,
                              writer->Write(warc::MakeResource(a.url, now(), "text/html", AsBytes(file_text[i]))));
      store::CaptureRow row;
      row.url = a.url;
      row.fetched_at = fetched_at;
      row.outcome = "ok";
      row.warc_file = loc.file;
      row.response_offset = loc.offset;
      row.response_length = loc.length;
      row.warc_record_id = loc.record_id;
      row.payload_sha256 = loc.block_digest.Hex();
      article_capture_positions[i].push_back(article_batch.captures.size());
      article_batch.captures.push_back(std::move(row));
      a.ok = true;
      for (auto& p : file_posts[i]) {
        const platform::Adapter* adapter = platform::FindAdapter(p.ref.platform);
        if (adapter != nullptr && adapter->is_post_platform()) a.posts.push_back(std::move(p));
      }
    } else {
      a.url = inputs[i];
      const net::FetchRequest& req = requests[request_of[i]];
      const net::FetchResponse& resp = answers[request_of[i]];
      EMBARC_ASSIGN_OR_RETURN(RecordedFetch rec, RecordFetch(*writer, req, resp, fetched_at));
      for (auto& row : rec.rows) {
        article_capture_positions[i].push_back(article_batch.captures.size());
        article_batch.captures.push_back(std::move(row));
      }
      const net::HttpExchange* fin = resp.Final();
      if (!resp.ok()) {
        a.error = std::string(net::FetchOutcomeName(resp.outcome)) + ": " + resp.error;
      } else if (fin->status < 200 || fin->status >= 300) {
        a.error = "HTTP " + std::to_string(fin->status);
      } else {
        auto body = net::DecodeContent(*fin);
        if (!body) {
          a.error = body.error().message;
        } else {
          document = ToString(*body);
          base_url = fin->url;
          a.ok = true;
        }
      }
    }
    if (a.ok && request_of[i] != SIZE_MAX) {
      auto posts = html::ExtractEmbeds(document, base_url);
      if (!posts) {
        a.ok = false;
        a.error = posts.error().message;
        a.bad_input = true;
      } else {
        for (auto& p : *posts) {
          const platform::Adapter* adapter = platform::FindAdapter(p.ref.platform);
          if (adapter != nullptr && adapter->is_post_platform()) a.posts.push_back(std::move(p));
        }
      }
    }
    report.articles.push_back(std::move(a));
  }
  EMBARC_RETURN_IF_ERROR(writer->Sync());

  // Index the article captures, then articles, posts and embeds, in one transaction each.
  store::Index& index = archive.index();
  EMBARC_RETURN_IF_ERROR(index.Commit(article_batch));
  const std::string seen = Rfc3339Ms(now());
  std::vector<std::pair<platform::PostRef, std::int64_t>> to_capture;
  std::set<std::pair<std::string, std::string>> queued;
  EMBARC_RETURN_IF_ERROR(index.Begin());
  auto upserts = [&]() -> Result<void> {
    for (std::size_t i = 0; i < report.articles.size(); ++i) {
      const ArticleOutcome& a = report.articles[i];
      EMBARC_ASSIGN_OR_RETURN(std::int64_t article_id, index.UpsertArticle(a.url, seen));
      for (std::size_t pos : article_capture_positions[i]) {
        EMBARC_RETURN_IF_ERROR(index.LinkArticleCapture(article_id, article_batch.captures[pos].id));
      }
      for (const platform::ExtractedPost& p : a.posts) {
        store::PostRow row{0, p.ref.platform, p.ref.post_id, p.ref.url, p.ref.author, seen};
        EMBARC_ASSIGN_OR_RETURN(std::int64_t post_ref, index.UpsertPost(row));
        store::EmbedRow e;
        e.article_id = article_id;
        e.post_ref = post_ref;
        e.occurrences = p.occurrences;
        if (p.quote) {
          EMBARC_ASSIGN_OR_RETURN(std::string q, QuoteJson(*p.quote));
          e.quote_json = q;
          e.quote_sha256 = crypto::Sha256(q).Hex();
        }
        e.embedded_version = p.embedded_version;
        e.first_seen = seen;
        EMBARC_RETURN_IF_ERROR(index.UpsertEmbed(e));
        if (queued.insert({p.ref.platform, p.ref.post_id}).second) to_capture.emplace_back(p.ref, post_ref);
      }
    }
    return Ok();
  };
  if (Result<void> r = upserts(); !r) {
    index.Rollback();
    return tl::unexpected(r.error());
  }
  EMBARC_RETURN_IF_ERROR(index.CommitTransaction());

  state.articles_done = report.articles.size();
  for (const ArticleOutcome& a : report.articles) state.failures += a.ok ? 0 : 1;
  EMBARC_RETURN_IF_ERROR(CaptureAll(archive, fetcher, *writer, to_capture, now, report.posts, progress, state));
  return report;
}

Result<RunReport> CapturePosts(store::Archive& archive, net::Fetcher& fetcher, const std::vector<platform::PostRef>& posts,
                               const Clock& now, const ProgressFn& progress) {
  if (posts.empty()) return Fail(ErrorCode::kInvalidArgument, "no post URL given");
  RunReport report;
  store::Index& index = archive.index();
  const std::string seen = Rfc3339Ms(now());
  std::vector<std::pair<platform::PostRef, std::int64_t>> to_capture;
  std::set<std::pair<std::string, std::string>> queued;
  for (const platform::PostRef& p : posts) {
    if (!queued.insert({p.platform, p.post_id}).second) continue;
    store::PostRow row{0, p.platform, p.post_id, p.url, p.author, seen};
    EMBARC_ASSIGN_OR_RETURN(std::int64_t post_ref, index.UpsertPost(row));
    // Keep the post's known canonical URL and author when it was seen before.
    EMBARC_ASSIGN_OR_RETURN(auto stored, index.FindPost(p.platform, p.post_id));
    platform::PostRef ref = p;
    if (stored) {
      ref.url = stored->url;
      if (stored->author) ref.author = stored->author;
    }
    to_capture.emplace_back(ref, post_ref);
  }
  EMBARC_ASSIGN_OR_RETURN(auto writer, warc::WarcWriter::Open(archive.warc_dir(), "embarc"));
  Progress state;
  EMBARC_RETURN_IF_ERROR(CaptureAll(archive, fetcher, *writer, to_capture, now, report.posts, progress, state));
  return report;
}

}  // namespace embarc::capture
