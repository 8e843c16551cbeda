// embarc_bench_scale: in-library timings on an existing archive (bench/scale.py), without the
// process start-up that dominates `embarc proof` end to end.
//
//   embarc_bench_scale --archive DIR [--proofs 200] [--appends 5]
//
// Prints one JSON object:
//   leaves                 the log's size
//   open_for_writing_ms    store::Archive::Open(for_writing) (lock, index, WARC crash-repair check)
//   log_open_ms            log::EvidenceLog::Open (node files, catch-up)
//   proof_us               per proof: SnapshotByHash + InclusionProof + VerifyInclusion (median, p90)
//   append                 per append run: Archive::Open(for_writing), one record with one capture
//                          (WARC request/response/metadata + fsync, BuildRecord, sign, Index::Commit),
//                          EvidenceLog::Open, WriteCheckpoint; each phase's median in ms.
// Appends really add records (each a new post observed once), so the archive stays valid.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/capture/record.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/sha256.h"
#include "embarc/log/evidence_log.h"
#include "embarc/log/merkle.h"
#include "embarc/core/json.h"
#include "embarc/store/archive.h"
#include "embarc/warc/warc.h"
#include "store/json_codec.h"
#include "rng.h"

namespace {

namespace fs = std::filesystem;
using namespace embarc;
using Steady = std::chrono::steady_clock;

using bench::Rng;

double MsSince(Steady::time_point t0) { return std::chrono::duration<double, std::milli>(Steady::now() - t0).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "embarc_bench_scale: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Check(Result<T> r, const char* what) {
  if (!r) Die(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}
void Check(Result<void> r, const char* what) {
  if (!r) Die(std::string(what) + ": " + r.error().message);
}

struct AppendTimes {
  double open = 0, warc = 0, sign = 0, commit = 0, log_open = 0, checkpoint = 0, total = 0;
};

AppendTimes AppendOne(const fs::path& dir, std::uint64_t k) {
  AppendTimes t;
  const auto t_all = Steady::now();
  auto t0 = Steady::now();
  auto archive = Check(store::Archive::Open(dir, /*for_writing=*/true), "open for writing");
  t.open = MsSince(t0);
  store::Index& index = archive->index();
  const auto now = std::chrono::system_clock::now();
  const std::string stamp = capture::Rfc3339Ms(now);

  platform::PostRef post{"twitter", std::to_string(1900000000000000000ull + k), "", std::string("scalebench")};
  post.url = "https://twitter.com/scalebench/status/" + post.post_id;
  t0 = Steady::now();
  auto writer = Check(warc::WarcWriter::Open(archive->warc_dir(), "embarc"), "warc writer");
  const std::string url = "https://cdn.syndication.twimg.com/tweet-result?id=" + post.post_id;
  const std::string body = "{\"id_str\":\"" + post.post_id + "\",\"text\":\"" + std::string(1500, 'x') + "\"}";
  auto req = Check(writer->Write(warc::MakeRequest(url, now, "127.0.0.1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n")), "write");
  (void)req;
  const std::string head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n";
  auto resp = Check(writer->Write(warc::MakeResponse(url, now, "127.0.0.1", head, AsBytes(body))), "write");
  auto meta = Check(writer->Write(warc::MakeMetadata(url, now, resp.record_id, "{}", "application/json")), "write");
  (void)meta;
  Check(writer->Sync(), "sync");
  t.warc = MsSince(t0);

  t0 = Steady::now();
  capture::SnapshotFields f;
  f.post = post;
  f.observed_at = stamp;
  f.observation.state = platform::PostState::kAvailable;
  f.observation.reason = "scale benchmark";
  f.observation.content.author = "scalebench";
  f.observation.content.text = "append " + std::to_string(k);
  f.change = "first";
  capture::CaptureEntry e{url, "ok", 200, std::nullopt, resp.file, resp.record_id, resp.payload_digest->Hex()};
  f.captures.push_back(e);
  const std::string content_sha = Check(capture::ContentSha256(f.observation.content), "content");
  const std::string record = Check(capture::BuildRecord(f), "record");
  auto signer = Check(archive->LoadSigner(), "signer");
  const crypto::Envelope env = Check(crypto::SignEnvelope(*signer, crypto::kSnapshotPayloadType, AsBytes(record)), "sign");
  t.sign = MsSince(t0);

  t0 = Steady::now();
  const std::int64_t post_ref = Check(index.UpsertPost(store::PostRow{0, post.platform, post.post_id, post.url, post.author, stamp}), "post");
  store::Batch batch;
  store::CaptureRow row;
  row.url = url;
  row.fetched_at = stamp;
  row.outcome = "ok";
  row.http_status = 200;
  row.warc_file = resp.file;
  row.response_offset = resp.offset;
  row.response_length = resp.length;
  row.warc_record_id = resp.record_id;
  row.payload_sha256 = e.payload_sha256;
  batch.captures.push_back(row);
  store::Batch::Snapshot snap;
  snap.row.post_ref = post_ref;
  snap.row.leaf_index = Check(index.LeafCount(), "leaf count");
  snap.row.record_hash = crypto::Sha256(record).Hex();
  snap.row.observed_at = stamp;
  snap.row.state = "available";
  snap.row.change = "first";
  snap.row.content_sha256 = content_sha;
  snap.row.record = record;
  snap.row.envelope = env.ToJson();
  snap.capture_positions.push_back(0);
  batch.snapshots.push_back(snap);
  Check(index.Commit(batch), "commit");
  t.commit = MsSince(t0);

  t0 = Steady::now();
  auto log = Check(log::EvidenceLog::Open(*archive), "log open");
  t.log_open = MsSince(t0);
  t0 = Steady::now();
  auto cp = Check(log->WriteCheckpoint(*signer, stamp), "checkpoint");
  (void)cp;
  t.checkpoint = MsSince(t0);
  log.reset();
  archive.reset();
  t.total = MsSince(t_all);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir;
  std::uint64_t proofs = 200;
  std::uint64_t appends = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) Die("usage: embarc_bench_scale --archive DIR [--proofs N] [--appends N]");
    if (a == "--archive") {
      dir = argv[++i];
    } else if (a == "--proofs") {
      proofs = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--appends") {
      appends = std::strtoull(argv[++i], nullptr, 10);
    } else {
      Die("unknown option " + a);
    }
  }
  if (dir.empty()) Die("--archive DIR is required");

  nlohmann::json out;
  {
    auto t0 = Steady::now();
    auto archive = Check(store::Archive::Open(dir, /*for_writing=*/true), "open for writing");
    out["open_for_writing_ms"] = MsSince(t0);
    t0 = Steady::now();
    auto log = Check(log::EvidenceLog::Open(*archive), "log open");
    out["log_open_ms"] = MsSince(t0);
    const std::uint64_t n = log->size();
    out["leaves"] = n;
    auto checkpoints = Check(archive->index().Checkpoints(), "checkpoints");
    if (checkpoints.empty()) Die("the archive has no checkpoint");
    const store::CheckpointRow& cp = checkpoints.back();
    const log::Hash root = Check(log::Hash::FromHex(cp.root_hash), "root");
    // Record hashes of leaves spread over the log (snapshots only; key events have none).
    std::vector<std::string> hashes;
    for (std::uint64_t k = 0; k < proofs; ++k) {
      const std::uint64_t leaf = (k * 2654435761ull) % cp.tree_size;
      auto rows = Check(archive->index().SnapshotsFrom(leaf, 1), "snapshot");
      if (!rows.empty() && rows[0].leaf_index < cp.tree_size) hashes.push_back(rows[0].record_hash);
    }
    // How small the index packs a record (store/json_codec.h), and how small it would if the
    // post's text were random characters: the generator's text comes from a 64-word
    // vocabulary and packs better than real posts do.
    std::vector<double> packed, packed_random_text, text_chars;
    Rng rng{0x5eed};  // (the same characters every run)
    for (const std::string& h : hashes) {
      auto snap = Check(archive->index().SnapshotByHash(h), "by hash");
      if (!snap) Die("snapshot vanished");
      nlohmann::json record = nlohmann::json::parse(snap->record);
      packed.push_back(static_cast<double>(store::PackJson(snap->record).size()));
      if (!record["content"].is_object()) continue;
      std::string& text = record["content"]["text"].get_ref<std::string&>();
      text_chars.push_back(static_cast<double>(text.size()));
      static constexpr std::string_view kAlphabet =
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:!?'-#@/()";
      for (char& c : text) c = kAlphabet[rng.Below(kAlphabet.size())];
      const std::string random_record = Check(CanonicalJson(record), "canonical");
      packed_random_text.push_back(static_cast<double>(store::PackJson(random_record).size()));
    }
    out["packed_record_bytes"] = {{"median", Percentile(packed, 0.5)},
                                  {"random_text_median", Percentile(packed_random_text, 0.5)},
                                  {"text_chars_median", Percentile(text_chars, 0.5)}};
    std::vector<double> lookup_us, proof_us, total_us;
    for (const std::string& h : hashes) {
      const auto t_all = Steady::now();
      auto snap = Check(archive->index().SnapshotByHash(h), "by hash");
      if (!snap) Die("snapshot vanished");
      const double lookup = std::chrono::duration<double, std::micro>(Steady::now() - t_all).count();
      const auto t1 = Steady::now();
      auto proof = Check(log->tree().InclusionProof(snap->leaf_index, cp.tree_size), "proof");
      const log::Hash leaf = log::LeafHash(AsBytes(snap->record));
      Check(log::VerifyInclusion(snap->leaf_index, cp.tree_size, leaf, proof, root), "verify proof");
      proof_us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t1).count());
      lookup_us.push_back(lookup);
      total_us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t_all).count());
    }
    out["proofs"] = hashes.size();
    out["proof_us"] = {{"median", Percentile(total_us, 0.5)}, {"p90", Percentile(total_us, 0.9)},
                       {"lookup_median", Percentile(lookup_us, 0.5)}, {"tree_median", Percentile(proof_us, 0.5)},
                       {"all", total_us}};
  }
  std::vector<AppendTimes> runs;
  for (std::uint64_t k = 0; k < appends; ++k) {
    runs.push_back(AppendOne(dir, static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000000ull + k));
  }
  auto med = [&](double AppendTimes::*field) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(r.*field);
    return Percentile(v, 0.5);
  };
  std::vector<double> totals;
  for (const auto& r : runs) totals.push_back(r.total);
  out["append_ms"] = {{"open_for_writing", med(&AppendTimes::open)}, {"warc", med(&AppendTimes::warc)},
                      {"record_and_sign", med(&AppendTimes::sign)}, {"commit", med(&AppendTimes::commit)},
                      {"log_open", med(&AppendTimes::log_open)}, {"checkpoint", med(&AppendTimes::checkpoint)},
                      {"total", med(&AppendTimes::total)}, {"all", totals}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
