// embarc_bench_make_archive: writes a synthetic archive of N snapshot records through embarc's
// own library code, so that `embarc verify` accepts it.
//
//   embarc_bench_make_archive --out DIR --records N [--batch 1000] [--checkpoint-every 10000]
//                             [--threads T] [--seed S] [--no-sync]
//
// What a record is: a Twitter post observed through one or two fetches (the syndication JSON
// API, and for every third post also oEmbed), each written to WARC as the capture pipeline
// writes it (request, response, metadata records; src/capture/pipeline.cpp RecordFetch), a
// snapshot record built by capture::BuildRecord, signed as a DSSE envelope with the archive's
// key, and committed with store::Index::Commit in batches (captures, snapshots, schedule), as
// CaptureBatch does. Every post is observed twice: "first", then "unchanged" naming the first
// as `previous`. Posts are upserted per batch; a checkpoint (log::EvidenceLog) is written every
// --checkpoint-every records and at the end.
//
// Deterministic: the same N, batch size and seed give the same post ids, bodies, times and
// WARC-Record-IDs. Not deterministic: the signing key (store::Archive::Init makes a fresh one),
// hence the signatures and record hashes that include nothing of the key, and WARC file names.
//
// Speed: T worker threads (default: all cores) each own a WarcWriter (so each writes its own
// WARC file), build, compress and sign whole batches; the main thread commits the batches to
// SQLite in order and writes the checkpoints. Prints one JSON line with what it did.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/capture/record.h"
#include "embarc/capture/schedule.h"
#include "embarc/core/json.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/sha256.h"
#include "embarc/log/evidence_log.h"
#include "embarc/platform/platform.h"
#include "embarc/store/archive.h"
#include "embarc/warc/warc.h"
#include "rng.h"

namespace {

namespace fs = std::filesystem;
using namespace embarc;
using Clock = std::chrono::system_clock;

struct Options {
  fs::path out;
  std::uint64_t records = 0;
  std::uint64_t batch = 1000;
  std::uint64_t checkpoint_every = 10000;
  unsigned threads = 0;
  std::uint64_t seed = 1;
  bool sync = true;
};

using bench::Rng;

constexpr const char* kWords[] = {
    "the", "council", "vote", "tonight", "breaking", "report", "says", "minister", "we", "are", "live", "from",
    "city", "hall", "thread", "new", "data", "shows", "rates", "rising", "again", "this", "week", "according",
    "to", "sources", "statement", "read", "full", "story", "link", "below", "photo", "crowd", "outside",
    "election", "results", "update", "officials", "confirmed", "investigation", "ongoing", "police", "said",
    "witnesses", "described", "scene", "earlier", "today", "climate", "summit", "agreement", "reached",
    "budget", "deficit", "court", "ruling", "appeal", "protest", "march", "thousands", "gathered", "square"};
constexpr std::size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

std::string Words(Rng& rng, std::size_t min_chars, std::size_t max_chars) {
  const std::size_t target = min_chars + rng.Below(max_chars - min_chars + 1);
  std::string out;
  while (out.size() < target) {
    if (!out.empty()) out += ' ';
    out += kWords[rng.Below(kWordCount)];
    if (rng.Below(12) == 0) out += "#" + std::to_string(rng.Below(1000));
  }
  return out;
}

// A version-4-shaped UUID from the generator: unique for distinct (seed, counter).
std::string RecordId(std::uint64_t seed, std::uint64_t counter) {
  Rng rng{seed * 0x100000001B3ull ^ (counter * 0x9E3779B97F4A7C15ull)};
  const std::uint64_t a = rng.Next();
  const std::uint64_t b = rng.Next();
  char buf[64];
  std::snprintf(buf, sizeof buf, "<urn:uuid:%08llx-%04llx-4%03llx-%04llx-%012llx>",
                static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>((a >> 16) & 0xffff),
                static_cast<unsigned long long>(a & 0xfff), static_cast<unsigned long long>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

struct Post {
  platform::PostRef ref;
  std::string user_id;
  std::string name;
  std::uint64_t number = 0;
};

Post MakePost(std::uint64_t p) {
  Post post;
  post.number = p;
  const std::uint64_t user = p % 50000;
  post.ref.platform = "twitter";
  post.ref.post_id = std::to_string(1700000000000000000ull + p * 7919ull);
  post.ref.author = "reporter" + std::to_string(user);
  post.ref.url = "https://twitter.com/" + *post.ref.author + "/status/" + post.ref.post_id;
  post.user_id = std::to_string(100000000ull + user);
  post.name = "Reporter " + std::to_string(user);
  return post;
}

// The syndication API's answer for a post: ~1-3 KB of JSON.
std::string TweetJson(const Post& post, const platform::PostContent& content, Rng& rng) {
  nlohmann::json j = {
      {"__typename", "Tweet"},
      {"lang", content.lang},
      {"favorite_count", rng.Below(100000)},
      {"created_at", content.created_at},
      {"display_text_range", {0, content.text.size()}},
      {"entities", {{"hashtags", nlohmann::json::array()}, {"urls", nlohmann::json::array()},
                    {"user_mentions", nlohmann::json::array()}, {"symbols", nlohmann::json::array()}}},
      {"id_str", post.ref.post_id},
      {"text", content.text},
      {"user", {{"id_str", post.user_id}, {"name", post.name}, {"screen_name", *post.ref.author},
                {"profile_image_url_https", "https://pbs.twimg.com/profile_images/" + post.user_id + "/avatar_normal.jpg"},
                {"is_blue_verified", rng.Below(2) == 1}, {"verified", false},
                {"description", Words(rng, 60, 160)}}},
      {"edit_control", {{"edit_tweet_ids", {post.ref.post_id}}, {"editable_until_msecs", "1700000000000"},
                        {"is_edit_eligible", true}, {"edits_remaining", "5"}}},
      {"conversation_count", rng.Below(500)},
      {"news_action_type", "conversation"},
      {"isEdited", false},
      {"isStaleEdit", false},
  };
  if (!content.media.empty()) {
    j["mediaDetails"] = nlohmann::json::array();
    for (const auto& m : content.media) {
      j["mediaDetails"].push_back({{"media_url_https", m.url}, {"type", m.kind},
                                   {"original_info", {{"width", 1200}, {"height", 800}}},
                                   {"ext_alt_text", Words(rng, 40, 200)}});
    }
  }
  // Quoted tweets and card data make real answers vary between ~1 and ~3 KB.
  const std::size_t extra = rng.Below(3);
  for (std::size_t i = 0; i < extra; ++i) {
    j["quoted_tweet_" + std::to_string(i)] = {{"text", Words(rng, 100, 280)}, {"id_str", std::to_string(rng.Next() >> 4)},
                                              {"user", {{"name", Words(rng, 8, 20)}, {"screen_name", "u" + std::to_string(rng.Below(1000000))}}}};
  }
  return j.dump();
}

std::string OEmbedJson(const Post& post, const platform::PostContent& content) {
  nlohmann::json j = {
      {"url", post.ref.url}, {"author_name", post.name}, {"author_url", "https://twitter.com/" + *post.ref.author},
      {"html", "<blockquote class=\"twitter-tweet\"><p lang=\"" + content.lang + "\" dir=\"ltr\">" + content.text +
                   "</p>&mdash; " + post.name + " (@" + *post.ref.author + ") <a href=\"" + post.ref.url +
                   "?ref_src=twsrc%5Etfw\">" + content.created_at + "</a></blockquote>\n"
                   "<script async src=\"https://platform.twitter.com/widgets.js\" charset=\"utf-8\"></script>\n"},
      {"width", 550}, {"height", nullptr}, {"type", "rich"}, {"cache_age", "3153600000"},
      {"provider_name", "Twitter"}, {"provider_url", "https://twitter.com"}, {"version", "1.0"}};
  return j.dump();
}

struct Fetch {
  std::string url;
  std::string host;
  std::string path;
  std::string body;
};

// One batch, built by a worker; the main thread fills in post_ref and leaf_index and commits it.
struct Built {
  std::uint64_t number = 0;
  store::Batch batch;
  std::vector<std::uint64_t> post_of_snapshot;  // post number
  std::uint64_t warc_records = 0;
};

class Generator {
 public:
  Generator(const Options& o, const crypto::Signer& signer, Clock::time_point base)
      : o_(o), signer_(signer), base_(base) {}

  std::uint64_t BatchCount() const { return (o_.records + o_.batch - 1) / o_.batch; }
  std::uint64_t PostsBefore(std::uint64_t b) const { return b * (o_.batch / 2 + o_.batch % 2); }
  // Posts of batch b: the first half of its records are their first snapshots, the rest the second.
  std::uint64_t RecordsIn(std::uint64_t b) const { return std::min(o_.batch, o_.records - b * o_.batch); }

  embarc::Result<Built> Build(std::uint64_t b, warc::WarcWriter& writer) const {
    Built out;
    out.number = b;
    const std::uint64_t n = RecordsIn(b);
    const std::uint64_t firsts = (n + 1) / 2;
    const std::uint64_t post0 = PostsBefore(b);
    std::vector<platform::PostContent> contents(firsts);
    std::vector<std::string> first_hash(firsts);
    std::vector<std::string> content_sha(firsts);
    std::vector<Clock::time_point> first_time(firsts);
    for (std::uint64_t k = 0; k < n; ++k) {
      const bool second = k >= firsts;
      const std::uint64_t i = second ? k - firsts : k;
      const Post post = MakePost(post0 + i);
      const std::uint64_t record_number = b * o_.batch + k;
      Rng rng{o_.seed ^ (record_number * 0xD1342543DE82EF95ull)};
      const Clock::time_point observed = base_ + std::chrono::milliseconds(record_number * 1500 + rng.Below(1000));
      if (!second) {
        Rng crng{o_.seed ^ (post.number * 0xA24BAED4963EE407ull)};
        platform::PostContent& c = contents[i];
        c.author = *post.ref.author;
        c.author_name = post.name;
        c.created_at = capture::Rfc3339Ms(base_ - std::chrono::hours(24) + std::chrono::seconds(post.number));
        c.created_at = c.created_at.substr(0, 19) + "Z";
        c.text = Words(crng, 60, 280);
        c.lang = "en";
        c.edit_ids = {post.ref.post_id};
        c.source = "syndication";
        if (crng.Below(4) == 0) {
          c.media.push_back(platform::MediaItem{"https://pbs.twimg.com/media/F" + post.ref.post_id.substr(8) + ".jpg?name=orig",
                                                "photo", crypto::Sha256(post.ref.post_id + "photo").Hex()});
        }
        EMBARC_ASSIGN_OR_RETURN(content_sha[i], capture::ContentSha256(c));
        first_time[i] = observed;
      }
      const platform::PostContent& content = contents[i];

      // The fetches of this observation, written as RecordFetch writes them.
      std::vector<Fetch> fetches;
      fetches.push_back(Fetch{"https://cdn.syndication.twimg.com/tweet-result?id=" + post.ref.post_id + "&token=4c2mmul6mnh",
                              "cdn.syndication.twimg.com", "/tweet-result?id=" + post.ref.post_id + "&token=4c2mmul6mnh",
                              TweetJson(post, content, rng)});
      if (post.number % 3 == 0) {
        fetches.push_back(Fetch{"https://publish.twitter.com/oembed?url=" + post.ref.url, "publish.twitter.com",
                                "/oembed?url=" + post.ref.url, OEmbedJson(post, content)});
      }
      capture::SnapshotFields f;
      f.post = post.ref;
      f.observed_at = capture::Rfc3339Ms(observed);
      f.observation.state = platform::PostState::kAvailable;
      f.observation.reason = "syndication API answered 200 with the tweet";
      f.observation.content = content;
      store::Batch::Snapshot snap;
      for (std::size_t h = 0; h < fetches.size(); ++h) {
        const Fetch& fe = fetches[h];
        const Clock::time_point started = observed - std::chrono::milliseconds(400 - 100 * h);
        const Clock::time_point finished = started + std::chrono::milliseconds(80 + rng.Below(200));
        const std::string request_head = "GET " + fe.path + " HTTP/1.1\r\nHost: " + fe.host +
                                         "\r\nUser-Agent: embarc/" EMBARC_VERSION "\r\nAccept: */*\r\n\r\n";
        const std::string response_head =
            "HTTP/1.1 200 OK\r\ndate: " + capture::Rfc3339Ms(started) + "\r\ncontent-type: application/json;charset=utf-8\r\n"
            "content-length: " + std::to_string(fe.body.size()) + "\r\ncache-control: public, max-age=86400\r\n"
            "x-response-time: " + std::to_string(10 + rng.Below(90)) + "\r\nserver: tsa_b\r\n\r\n";
        const std::string ip = "104.244.42." + std::to_string(1 + rng.Below(200));
        const std::uint64_t id_base = (record_number * 2 + h) * 3;
        warc::WarcRecord req = warc::MakeRequest(fe.url, started, ip, request_head);
        req.fields.emplace_back("WARC-Record-ID", RecordId(o_.seed, id_base));
        EMBARC_ASSIGN_OR_RETURN(warc::RecordLocation rq, writer.Write(std::move(req)));
        (void)rq;
        warc::WarcRecord resp = warc::MakeResponse(fe.url, started, ip, response_head, AsBytes(fe.body));
        resp.fields.emplace_back("WARC-Record-ID", RecordId(o_.seed, id_base + 1));
        EMBARC_ASSIGN_OR_RETURN(warc::RecordLocation rs, writer.Write(std::move(resp)));
        nlohmann::json meta = {{"agent", capture::AgentString()}, {"ip", ip}, {"port", 443},
                               {"started_at", capture::Rfc3339Ms(started)}, {"finished_at", capture::Rfc3339Ms(finished)},
                               {"outcome", "ok"}, {"tls_peer_chain_pem", "-----BEGIN CERTIFICATE-----\n(synthetic)\n-----END CERTIFICATE-----\n"}};
        EMBARC_ASSIGN_OR_RETURN(std::string meta_text, CanonicalJson(meta));
        warc::WarcRecord md = warc::MakeMetadata(fe.url, finished, rs.record_id, meta_text, "application/json");
        md.fields.emplace_back("WARC-Record-ID", RecordId(o_.seed, id_base + 2));
        EMBARC_ASSIGN_OR_RETURN(warc::RecordLocation mt, writer.Write(std::move(md)));
        (void)mt;
        out.warc_records += 3;

        capture::CaptureEntry e;
        e.url = fe.url;
        e.outcome = "ok";
        e.http_status = 200;
        e.warc_file = rs.file;
        e.warc_record_id = rs.record_id;
        e.payload_sha256 = rs.payload_digest ? rs.payload_digest->Hex() : crypto::Sha256(fe.body).Hex();
        store::CaptureRow row;
        row.url = fe.url;
        row.fetched_at = capture::Rfc3339Ms(started);
        row.outcome = "ok";
        row.http_status = 200;
        row.warc_file = rs.file;
        row.response_offset = rs.offset;
        row.response_length = rs.length;
        row.warc_record_id = rs.record_id;
        row.payload_sha256 = e.payload_sha256;
        f.captures.push_back(std::move(e));
        snap.capture_positions.push_back(out.batch.captures.size());
        out.batch.captures.push_back(std::move(row));
      }
      std::vector<std::pair<std::string, std::optional<std::string>>> earlier;
      if (second) earlier.emplace_back("available", content_sha[i]);
      f.change = capture::ClassifyChange(earlier, platform::PostState::kAvailable, content_sha[i]);
      if (second) f.previous = first_hash[i];
      EMBARC_ASSIGN_OR_RETURN(std::string record, capture::BuildRecord(f));
      EMBARC_ASSIGN_OR_RETURN(crypto::Envelope env,
                              crypto::SignEnvelope(signer_, crypto::kSnapshotPayloadType, AsBytes(record)));
      snap.row.record_hash = crypto::Sha256(record).Hex();
      if (!second) first_hash[i] = snap.row.record_hash;
      snap.row.observed_at = f.observed_at;
      snap.row.state = "available";
      snap.row.change = f.change;
      snap.row.content_sha256 = content_sha[i];
      snap.row.previous = f.previous;
      snap.row.record = std::move(record);
      snap.row.envelope = env.ToJson();
      out.batch.snapshots.push_back(std::move(snap));
      out.post_of_snapshot.push_back(post.number);
      const auto first_seen = second ? first_time[i] : observed;
      out.batch.schedule.push_back(store::ScheduleRow{
          0, capture::Rfc3339Ms(capture::NextCheck(first_seen, observed, false, 0)), 0});
    }
    // Records reference only WARC bytes that are on disk (CaptureBatch syncs before it commits).
    if (o_.sync) EMBARC_RETURN_IF_ERROR(writer.Sync());
    return out;
  }

 private:
  const Options& o_;
  const crypto::Signer& signer_;
  Clock::time_point base_;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "embarc_bench_make_archive: %s\n", what.c_str());
  std::exit(1);
}

std::uint64_t ParseCount(const char* text, const char* flag) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') Die(std::string("bad number for ") + flag + ": " + text);
  return v;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--out") {
      o.out = value();
    } else if (a == "--records") {
      o.records = ParseCount(value(), "--records");
    } else if (a == "--batch") {
      o.batch = ParseCount(value(), "--batch");
    } else if (a == "--checkpoint-every") {
      o.checkpoint_every = ParseCount(value(), "--checkpoint-every");
    } else if (a == "--threads") {
      o.threads = static_cast<unsigned>(ParseCount(value(), "--threads"));
    } else if (a == "--seed") {
      o.seed = ParseCount(value(), "--seed");
    } else if (a == "--no-sync") {
      o.sync = false;
    } else {
      Die("usage: embarc_bench_make_archive --out DIR --records N [--batch 1000] [--checkpoint-every 10000] "
          "[--threads T] [--seed S] [--no-sync]");
    }
  }
  if (o.out.empty() || o.records == 0) Die("--out DIR and --records N (> 0) are required");
  if (o.batch < 2) Die("--batch must be at least 2");
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  return o;
}

std::uint64_t DirBytes(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

embarc::Result<int> Run(const Options& o) {
  const auto started = std::chrono::steady_clock::now();
  // A fixed clock for the records: 2024-06-01T00:00:00Z.
  const Clock::time_point base = Clock::time_point(std::chrono::seconds(1717200000));
  EMBARC_ASSIGN_OR_RETURN(std::string key_id, store::Archive::Init(o.out, capture::Rfc3339Ms(base)));
  (void)key_id;
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.out, /*for_writing=*/true));
  EMBARC_ASSIGN_OR_RETURN(auto signer, archive->LoadSigner());
  store::Index& index = archive->index();
  Generator gen(o, *signer, base);
  const std::uint64_t batches = gen.BatchCount();

  // Workers build batches b = 0, 1, ... (claimed in order); the main thread commits them in order.
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::uint64_t, embarc::Result<Built>> ready;
  std::atomic<std::uint64_t> next_batch{0};
  std::uint64_t committed = 0;  // batches committed (guarded by mu)
  const std::uint64_t max_ahead = 2ull * o.threads;
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < o.threads; ++t) {
    workers.emplace_back([&] {
      auto writer = warc::WarcWriter::Open(archive->warc_dir(), "embarc");
      for (;;) {
        const std::uint64_t b = next_batch.fetch_add(1);
        if (b >= batches || stop) return;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return b < committed + max_ahead || stop; });
          if (stop) return;
        }
        embarc::Result<Built> built = writer ? gen.Build(b, **writer) : tl::unexpected(writer.error());
        std::lock_guard lock(mu);
        ready.emplace(b, std::move(built));
        cv.notify_all();
      }
    });
  }

  std::uint64_t next_leaf = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t warc_records = 0;
  std::uint64_t since_checkpoint = 0;
  double commit_seconds = 0;
  double checkpoint_seconds = 0;
  auto fail = [&](const embarc::Error& e) -> embarc::Result<int> {
    {
      std::lock_guard lock(mu);
      stop = true;
      cv.notify_all();
    }
    for (auto& w : workers) w.join();
    return tl::unexpected(e);
  };
  EMBARC_ASSIGN_OR_RETURN(next_leaf, index.LeafCount());
  auto checkpoint = [&]() -> embarc::Result<void> {
    const auto t0 = std::chrono::steady_clock::now();
    EMBARC_ASSIGN_OR_RETURN(auto log, log::EvidenceLog::Open(*archive));
    EMBARC_ASSIGN_OR_RETURN(auto row, log->WriteCheckpoint(*signer, capture::Rfc3339Ms(base + std::chrono::seconds(next_leaf))));
    (void)row;
    checkpoint_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++checkpoints;
    since_checkpoint = 0;
    return embarc::Ok();
  };
  for (std::uint64_t b = 0; b < batches; ++b) {
    std::optional<embarc::Result<Built>> got;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return ready.contains(b); });
      got.emplace(std::move(ready.at(b)));
      ready.erase(b);
    }
    if (!*got) return fail(got->error());
    Built& built = **got;
    const auto t0 = std::chrono::steady_clock::now();
    // Posts first (their own transaction, as ArchiveArticles / CapturePosts upsert them).
    std::map<std::uint64_t, std::int64_t> post_refs;
    if (auto r = index.Begin(); !r) return fail(r.error());
    for (std::uint64_t p : built.post_of_snapshot) {
      if (post_refs.contains(p)) continue;
      const Post post = MakePost(p);
      store::PostRow row{0, post.ref.platform, post.ref.post_id, post.ref.url, post.ref.author,
                         capture::Rfc3339Ms(base + std::chrono::milliseconds(p))};
      auto id = index.UpsertPost(row);
      if (!id) {
        index.Rollback();
        return fail(id.error());
      }
      post_refs.emplace(p, *id);
    }
    if (auto r = index.CommitTransaction(); !r) return fail(r.error());
    for (std::size_t k = 0; k < built.batch.snapshots.size(); ++k) {
      const std::int64_t ref = post_refs.at(built.post_of_snapshot[k]);
      built.batch.snapshots[k].row.post_ref = ref;
      built.batch.snapshots[k].row.leaf_index = next_leaf++;
      built.batch.schedule[k].post_ref = ref;
    }
    if (auto r = index.Commit(built.batch); !r) return fail(r.error());
    commit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    warc_records += built.warc_records;
    since_checkpoint += built.batch.snapshots.size();
    {
      std::lock_guard lock(mu);
      ++committed;
      cv.notify_all();
    }
    if (since_checkpoint >= o.checkpoint_every) {
      if (auto r = checkpoint(); !r) return fail(r.error());
    }
  }
  for (auto& w : workers) w.join();
  if (since_checkpoint > 0 || checkpoints == 0) EMBARC_RETURN_IF_ERROR(checkpoint());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  archive.reset();

  std::error_code ec;
  const std::uint64_t index_bytes = fs::file_size(o.out / "index.sqlite3", ec) +
                                    (fs::exists(o.out / "index.sqlite3-wal", ec) ? fs::file_size(o.out / "index.sqlite3-wal", ec) : 0);
  nlohmann::json summary = {
      {"records", o.records}, {"batch", o.batch}, {"threads", o.threads}, {"seconds", seconds},
      {"records_per_s", static_cast<double>(o.records) / seconds}, {"commit_seconds", commit_seconds},
      {"checkpoint_seconds", checkpoint_seconds}, {"checkpoints", checkpoints}, {"warc_records", warc_records},
      {"warc_bytes", DirBytes(o.out / "warc")}, {"index_bytes", index_bytes}, {"log_bytes", DirBytes(o.out / "log")}};
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  auto r = Run(o);
  if (!r) Die(r.error().message);
  return *r;
}
