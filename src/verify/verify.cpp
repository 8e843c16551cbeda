#include "embarc/verify/verify.h"

#include <sched.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "embarc/capture/record.h"
#include "embarc/core/files.h"
#include "embarc/core/json.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/sha256.h"
#include "embarc/log/checkpoint.h"
#include "embarc/log/evidence_log.h"
#include "embarc/log/merkle.h"
#include "embarc/log/stamping.h"
#include "embarc/log/tsa.h"
#include "embarc/warc/warc.h"

namespace embarc::verify {
namespace {

namespace fs = std::filesystem;

tl::unexpected<Error> Corrupt(const std::string& what) { return Fail(ErrorCode::kCorruption, what); }

std::string LeafName(const store::SnapshotRow& s) {
  return "snapshot leaf " + std::to_string(s.leaf_index) + " (record " + s.record_hash.substr(0, 16) + "…)";
}

std::optional<std::string> OptString(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return std::string("\x01<not a string>");
  return it->get<std::string>();
}

// Payload digest as stored by the WARC record (hex), recomputed from the block.
Result<std::string> PayloadDigestOf(const warc::WarcRecord& rec) {
  const std::string type = rec.Field("Content-Type");
  if (type.rfind("application/http", 0) == 0) {
    EMBARC_ASSIGN_OR_RETURN(auto parts, warc::SplitHttpBlock(rec.block));
    return crypto::Sha256(parts.second).Hex();
  }
  return crypto::Sha256(rec.block).Hex();
}

// What the file scan saw of a response record, as 16 bytes: SHA-256 over its file name,
// offset, length, WARC-Record-ID and payload digest. A capture row whose fingerprint the scan
// saw names exactly that record, which the scan has already inflated and digest-checked, so
// it need not be read again at its offset.
using Fingerprint = std::array<std::uint8_t, 16>;

Fingerprint FingerprintOf(std::string_view file, std::uint64_t offset, std::uint64_t length, std::string_view record_id,
                          std::string_view payload_sha256_hex) {
  crypto::Sha256Hasher h;
  const std::string numbers = std::to_string(offset) + '/' + std::to_string(length);
  for (std::string_view part : {file, std::string_view(numbers), record_id, payload_sha256_hex}) {
    const std::string len = std::to_string(part.size()) + ':';  // length-prefixed: no ambiguity between parts
    h.Update(AsBytes(len));
    h.Update(AsBytes(part));
  }
  const crypto::Sha256Digest d = h.Finish();
  Fingerprint out;
  std::copy_n(d.bytes.begin(), out.size(), out.begin());
  return out;
}

// The response records the file scan saw (sorted), or none for a run without the scan.
struct SeenRecords {
  std::vector<Fingerprint> sorted;
  bool Contains(const Fingerprint& f) const { return std::binary_search(sorted.begin(), sorted.end(), f); }
};

// The snapshot's capture rows (read beforehand, in the record's order) against the record's
// "captures" and the WARC bytes: the record the scan saw at the row's offset, or else read there.
Result<std::uint64_t> CheckCaptures(const fs::path& warc_dir, const SeenRecords& seen, const store::SnapshotRow& snap,
                                    const std::vector<std::optional<store::CaptureRow>>& rows, const nlohmann::json& record) {
  const std::string where = LeafName(snap);
  const auto& caps = record.at("captures");
  if (!caps.is_array()) return Corrupt(where + ": captures is not a list");
  if (caps.size() != snap.capture_ids.size()) {
    return Corrupt(where + ": the index lists " + std::to_string(snap.capture_ids.size()) +
                   " captures, the signed record " + std::to_string(caps.size()));
  }
  std::uint64_t checked = 0;
  for (std::size_t i = 0; i < caps.size(); ++i) {
    const nlohmann::json& c = caps[i];
    const std::optional<store::CaptureRow>& row = rows[i];
    if (!row) return Corrupt(where + ": capture row " + std::to_string(snap.capture_ids[i]) + " is missing");
    const std::string cap_where = where + ", capture " + std::to_string(i) + " (" + row->url + ")";
    // Statuses compared as -1 for "none": std::optional<int> comparison trips gcc 12's maybe-uninitialized.
    const int status = c.contains("http_status") && c["http_status"].is_number_integer() ? c["http_status"].get<int>() : -1;
    if (OptString(c, "url") != row->url || OptString(c, "outcome") != row->outcome || status != row->http_status.value_or(-1) ||
        OptString(c, "warc_file") != row->warc_file || OptString(c, "warc_record_id") != row->warc_record_id ||
        OptString(c, "payload_sha256") != row->payload_sha256) {
      return Corrupt(cap_where + ": the index row differs from the signed record");
    }
    if (!row->warc_file) continue;  // a failed fetch has no WARC record
    const std::string& file = *row->warc_file;
    if (file.find('/') != std::string::npos || file.find("..") != std::string::npos) {
      return Corrupt(cap_where + ": WARC file name " + file + " is not a plain name");
    }
    if (!seen.sorted.empty() && row->warc_record_id && row->payload_sha256 &&
        seen.Contains(FingerprintOf(file, row->response_offset, row->response_length, *row->warc_record_id,
                                    *row->payload_sha256))) {
      ++checked;
      continue;
    }
    auto rec = warc::ReadRecordAt(warc_dir / file, row->response_offset, row->response_length);
    if (!rec) {
      return Fail(rec.error().code == ErrorCode::kIo || rec.error().code == ErrorCode::kNotFound ? ErrorCode::kCorruption
                                                                                                  : rec.error().code,
                  "warc/" + file + " record at offset " + std::to_string(row->response_offset) + ": " + rec.error().message);
    }
    if (rec->record.Field("WARC-Record-ID") != row->warc_record_id.value_or("")) {
      return Corrupt("warc/" + file + " record at offset " + std::to_string(row->response_offset) +
                     ": not the record " + row->warc_record_id.value_or("?") + " named by " + where);
    }
    EMBARC_ASSIGN_OR_RETURN(std::string payload, PayloadDigestOf(rec->record));
    if (payload != row->payload_sha256.value_or("")) {
      return Corrupt("warc/" + file + " record " + row->warc_record_id.value_or("?") + ": payload digest differs from " + where);
    }
    ++checked;
  }
  return checked;
}

// CPUs this process may run on (taskset narrows it), at least 1.
unsigned AvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// Runs work(i) for i in [0, count) on `threads` threads (the caller's among them).
template <typename Work>
void ParallelFor(std::size_t count, unsigned threads, const Work& work) {
  std::atomic<std::size_t> next{0};
  auto loop = [&] {
    for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) work(i);
  };
  std::vector<std::thread> helpers;
  const std::size_t extra = std::min<std::size_t>(threads, count) > 0 ? std::min<std::size_t>(threads, count) - 1 : 0;
  for (std::size_t t = 0; t < extra; ++t) helpers.emplace_back(loop);
  loop();
  for (auto& h : helpers) h.join();
}

// What a snapshot is checked against, read from the index beforehand (the index is not shared
// between threads).
struct SnapshotWork {
  store::SnapshotRow row;
  std::optional<store::PostRow> post;
  std::vector<std::optional<store::CaptureRow>> captures;
  std::optional<std::string> expected_previous;
  bool selected = true;
};

struct SnapshotResult {
  std::uint64_t signatures = 0;
  std::uint64_t captures = 0;
  log::Hash leaf;  // of the record bytes just checked, for the log check
};

// One snapshot: its record bytes, signature, index row, post, previous link, content hash and captures.
Result<SnapshotResult> CheckSnapshot(const SnapshotWork& w, const fs::path& warc_dir, const SeenRecords& seen,
                                     const std::function<const crypto::Verifier*(std::string_view)>& find_key) {
  const store::SnapshotRow& s = w.row;
  const std::string where = LeafName(s);
  SnapshotResult out;
  if (crypto::Sha256(s.record).Hex() != s.record_hash) return Corrupt(where + ": record bytes do not match the record hash");
  out.leaf = log::LeafHash(AsBytes(s.record));
  auto env = crypto::Envelope::Parse(s.envelope);
  if (!env) return Corrupt(where + ": bad signature envelope: " + env.error().message);
  if (env->payload_type != crypto::kSnapshotPayloadType) return Corrupt(where + ": unexpected payload type");
  if (AsChars(env->payload) != s.record) return Corrupt(where + ": the signed payload differs from the stored record");
  if (Result<void> sig = crypto::VerifyEnvelope(*env, find_key); !sig) {
    return Corrupt(where + ": " + sig.error().message);
  }
  out.signatures = env->signatures.size();

  auto parsed = ParseCanonicalJson(s.record);
  if (!parsed) {
    return Corrupt(where + (ParseJson(s.record) ? ": record is not canonical JSON" : ": record is not JSON"));
  }
  if (!parsed->is_object()) return Corrupt(where + ": record is not JSON");
  const nlohmann::json& rec = *parsed;
  if (!w.post) return Corrupt(where + ": names a post that is not in the index");
  const store::PostRow& post = *w.post;
  if (OptString(rec, "platform") != post.platform || OptString(rec, "post_id") != post.post_id) {
    return Corrupt(where + ": the index attributes it to " + post.platform + " " + post.post_id +
                   ", the signed record to another post");
  }
  if (OptString(rec, "state") != s.state || OptString(rec, "change") != s.change ||
      OptString(rec, "observed_at") != s.observed_at || OptString(rec, "content_sha256") != s.content_sha256 ||
      OptString(rec, "previous") != s.previous) {
    return Corrupt(where + ": the index row differs from the signed record (state, change, time, content or previous)");
  }
  if (s.previous != w.expected_previous) return Corrupt(where + ": previous does not name the post's preceding snapshot");
  if (rec.contains("content") && !rec["content"].is_null()) {
    auto content_canonical = CanonicalJson(rec["content"]);
    if (!content_canonical || crypto::Sha256(*content_canonical).Hex() != s.content_sha256.value_or("")) {
      return Corrupt(where + ": content does not match content_sha256");
    }
  }
  EMBARC_ASSIGN_OR_RETURN(out.captures, CheckCaptures(warc_dir, seen, s, w.captures, rec));
  return out;
}

// Snapshots are read and checked this many at a time (bounded memory at any archive size).
constexpr std::size_t kSnapshotsPerChunk = 2048;
// Leaf hashes recomputed per read of the index.
constexpr std::uint64_t kLeavesPerChunk = 4096;

// The next chunk of snapshots from leaf `from` and what each is checked against. (A map of each
// post's latest record would save the query for `previous` but grow with the archive.)
Result<std::vector<SnapshotWork>> ReadSnapshotChunk(store::Index& index, std::uint64_t from, const std::set<std::int64_t>& selected) {
  EMBARC_ASSIGN_OR_RETURN(auto rows, index.SnapshotsFrom(from, kSnapshotsPerChunk));
  std::vector<SnapshotWork> out(rows.size());
  std::map<std::int64_t, std::optional<store::PostRow>> posts;  // per chunk: a post's snapshots are often near each other
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SnapshotWork& w = out[i];
    w.row = std::move(rows[i]);
    w.selected = selected.empty() || selected.contains(w.row.post_ref);
    if (!w.selected) continue;
    auto it = posts.find(w.row.post_ref);
    if (it == posts.end()) {
      EMBARC_ASSIGN_OR_RETURN(auto post, index.PostById(w.row.post_ref));
      it = posts.emplace(w.row.post_ref, std::move(post)).first;
    }
    w.post = it->second;
    EMBARC_ASSIGN_OR_RETURN(w.expected_previous, index.PreviousRecordHash(w.row.post_ref, w.row.leaf_index));
    EMBARC_ASSIGN_OR_RETURN(w.captures, index.CapturesById(w.row.capture_ids));
  }
  return out;
}

// The key history: every key the archive signs with was introduced by a logged key event,
// signed by the new key and, for a rotation, by the key it replaced.
Result<void> CheckKeyEvents(const std::vector<store::KeyEventRow>& events,
                            const std::map<std::string, std::unique_ptr<crypto::Verifier>>& verifiers, VerifyReport& report) {
  std::set<std::string> introduced;
  for (const store::KeyEventRow& k : events) {
    const std::string where = "key event at log leaf " + std::to_string(k.leaf_index);
    if (crypto::Sha256(k.record).Hex() != k.record_hash) return Corrupt(where + ": record bytes do not match the record hash");
    auto env = crypto::Envelope::Parse(k.envelope);
    if (!env) return Corrupt(where + ": bad signature envelope: " + env.error().message);
    if (env->payload_type != store::kKeyEventPayloadType || ToString(env->payload) != k.record) {
      return Corrupt(where + ": the signed payload differs from the stored record");
    }
    auto rec = ParseJson(k.record);
    if (!rec || !rec->is_object() || OptString(*rec, "type") != std::string("key")) return Corrupt(where + ": not a key record");
    const auto key_id = OptString(*rec, "key_id");
    const auto previous = OptString(*rec, "previous_key_id");
    auto pem = OptString(*rec, "public_key_pem");
    if (!key_id || !pem) return Corrupt(where + ": key record lacks key_id or public_key_pem");
    auto key = crypto::Ed25519Verifier::FromPem(*pem);
    if (!key || (*key)->key_id() != *key_id) return Corrupt(where + ": public key does not match its key id");
    auto it = verifiers.find(*key_id);
    if (it == verifiers.end() || it->second->public_key() != (*key)->public_key()) {
      return Corrupt(where + ": key " + key_id->substr(0, 16) + " differs from the archive's key of that id");
    }
    // Each required signer must have a signature that verifies.
    std::vector<std::string> required = {*key_id};
    if (introduced.empty()) {
      if (previous) return Corrupt(where + ": the first key event names a previous key");
    } else {
      if (!previous || !introduced.contains(*previous)) return Corrupt(where + ": rotation from a key the log never introduced");
      required.push_back(*previous);
    }
    for (const std::string& signer : required) {
      bool ok = false;
      for (const auto& sig : env->signatures) {
        if (sig.keyid != signer) continue;
        const crypto::Verifier* v = signer == *key_id ? key->get() : verifiers.at(signer).get();
        ok = static_cast<bool>(v->Verify(crypto::Pae(env->payload_type, env->payload), sig.sig));
      }
      if (!ok) return Corrupt(where + ": no valid signature by key " + signer.substr(0, 16));
    }
    introduced.insert(*key_id);
    report.signatures += env->signatures.size();
  }
  for (const auto& [id, v] : verifiers) {
    if (!introduced.contains(id)) return Corrupt("key " + id.substr(0, 16) + " is in the index but not in the log's key history");
  }
  return Ok();
}

// The note's signature by one of the archive's keys, and its parsed checkpoint.
Result<log::Checkpoint> CheckNote(const std::string& text, const std::string& origin,
                                  const std::map<std::string, std::unique_ptr<crypto::Verifier>>& verifiers,
                                  const std::string& what) {
  auto note = log::ParseNote(text);
  if (!note) return Corrupt(what + ": " + note.error().message);
  auto cp = log::ParseCheckpointBody(note->body);
  if (!cp) return Corrupt(what + ": " + cp.error().message);
  if (cp->origin != origin) return Corrupt(what + ": origin " + cp->origin + " is not this archive's log (" + origin + ")");
  for (const auto& [id, v] : verifiers) {
    if (log::VerifyNote(*note, origin, *v)) return *cp;
  }
  return Corrupt(what + ": signature does not verify with any of the archive's keys");
}

// Roots of prefixes of the log, computed from its leaf hashes as they stream past: a stack of
// the perfect subtrees of decreasing height (RFC 9162's tree), O(log n) memory.
class StreamingRoots {
 public:
  // `visit(level, index, hash)` is called for every perfect subtree above the leaves as it completes.
  template <typename Visit>
  void Add(const log::Hash& leaf, const Visit& visit) {
    Entry e{leaf, 0};
    ++size_;
    while (!stack_.empty() && stack_.back().height == e.height) {
      e = Entry{log::NodeHash(stack_.back().hash, e.hash), e.height + 1};
      stack_.pop_back();
      visit(e.height, (size_ >> e.height) - 1, e.hash);
    }
    stack_.push_back(e);
  }
  std::uint64_t size() const { return size_; }
  log::Hash Root() const {
    if (stack_.empty()) return log::EmptyRoot();
    log::Hash root = stack_.back().hash;
    for (std::size_t i = stack_.size() - 1; i-- > 0;) root = log::NodeHash(stack_[i].hash, root);
    return root;
  }

 private:
  struct Entry {
    log::Hash hash;
    std::uint32_t height;
  };
  std::vector<Entry> stack_;
  std::uint64_t size_ = 0;
};

// The Merkle log against the index's records, the node files and every stored checkpoint.
// One pass over the leaves: each recomputed leaf hash is compared with log/ level 0, each
// completed subtree with its node file entry (the nodes `embarc proof` serves), and the root
// of every checkpoint's size is taken as the stream passes it. `leaves`, when it holds every
// leaf, are the leaf hashes of the records the snapshot and key checks read (in the same read
// transaction); otherwise the records are read from the index again here.
Result<void> VerifyLog(store::Archive& archive, const std::map<std::string, std::unique_ptr<crypto::Verifier>>& verifiers,
                       const VerifyOptions& options, const std::vector<log::Hash>& leaves, VerifyReport& report) {
  store::Index& index = archive.index();
  EMBARC_ASSIGN_OR_RETURN(std::uint64_t n, index.LeafCount());
  EMBARC_ASSIGN_OR_RETURN(std::string origin, log::LogOrigin(index));
  EMBARC_ASSIGN_OR_RETURN(auto checkpoints, index.Checkpoints());

  // The sizes whose roots are needed: every checkpoint's and the kept note's.
  std::map<std::uint64_t, std::optional<log::Hash>> roots_at;
  for (const store::CheckpointRow& row : checkpoints) roots_at.emplace(row.tree_size, std::nullopt);
  if (!options.against_note.empty()) {
    if (auto note = log::ParseNote(options.against_note); note) {
      if (auto cp = log::ParseCheckpointBody(note->body); cp) roots_at.emplace(cp->size, std::nullopt);
    }
  }
  if (auto zero = roots_at.find(0); zero != roots_at.end()) zero->second = log::EmptyRoot();

  auto files = log::FileNodeStore::OpenForRecovery(archive.log_dir());
  if (!files) {
    // A disk that cannot be read is not evidence of tampering (exit 5, not 3).
    if (files.error().code == ErrorCode::kIo) return WithContext(files.error(), "log/");
    return Corrupt("log/: " + files.error().message);
  }
  const std::uint64_t stored = files->LevelSize(0);
  StreamingRoots stream;
  std::optional<Error> node_error;  // the first stored node that differs from the recomputed one
  auto check_node = [&](std::uint32_t level, std::uint64_t idx, const log::Hash& h) {
    // Only nodes over leaves that are all stored: a crashed append may leave a higher level
    // one entry ahead of level 0, and that entry is repaired, not evidence.
    if (node_error || ((idx + 1) << level) > stored || idx >= files->LevelSize(level)) return;
    auto got = files->Get(level, idx);
    if (!got) {
      node_error = got.error();
    } else if (*got != h) {
      node_error = Error{ErrorCode::kCorruption, "log/ node (level " + std::to_string(level) + ", index " +
                                                     std::to_string(idx) + ") does not match the leaves below it"};
    }
  };
  const bool known = leaves.size() == n;
  std::vector<log::Hash> computed;
  for (std::uint64_t begin = 0; begin < n; begin += kLeavesPerChunk) {
    const std::uint64_t end = std::min(n, begin + kLeavesPerChunk);
    if (!known) {
      auto records = index.LeafRecords(begin, end);
      if (!records) return Corrupt(records.error().message);
      if (records->size() != end - begin) {
        return Corrupt("log leaf " + std::to_string(begin + records->size()) + " is missing from the index");
      }
      computed.clear();
      for (const std::string& record : *records) computed.push_back(log::LeafHash(AsBytes(record)));
    }
    // The node files must hold exactly these leaf hashes: the first difference names the leaf.
    std::vector<log::Hash> on_disk;
    if (begin < stored) {
      EMBARC_ASSIGN_OR_RETURN(on_disk, files->GetRange(0, begin, std::min(end, stored) - begin));
    }
    for (std::uint64_t i = begin; i < end; ++i) {
      const log::Hash& leaf = known ? leaves[i] : computed[i - begin];
      if (i < stored && on_disk[i - begin] != leaf) {
        return Corrupt("log leaf " + std::to_string(i) + ": the record in the index is not the leaf that was logged");
      }
      stream.Add(leaf, check_node);
      if (auto it = roots_at.find(stream.size()); it != roots_at.end()) it->second = stream.Root();
    }
  }
  if (stored > n) {
    return Corrupt("log leaf " + std::to_string(n) + ": the log has " + std::to_string(stored) +
                   " leaves but the index only " + std::to_string(n) + " (records removed)");
  }
  if (node_error) {
    if (node_error->code == ErrorCode::kIo) return WithContext(*node_error, "log/");
    return Corrupt(node_error->message);
  }
  const log::Hash root = stream.Root();
  report.log_size = n;
  report.root_hash = root.Hex();

  // Every checkpoint: signed by an archive key, and a prefix of today's tree. Its root is
  // recomputed from today's leaves, so it and every later checkpoint whose root also matches
  // are prefixes of one sequence of leaves: consistent without a proof.
  std::optional<log::Checkpoint> previous;
  for (const store::CheckpointRow& row : checkpoints) {
    const std::string what = "checkpoint " + std::to_string(row.id) + " (size " + std::to_string(row.tree_size) + ")";
    EMBARC_ASSIGN_OR_RETURN(log::Checkpoint cp, CheckNote(row.note, origin, verifiers, what));
    if (cp.size != row.tree_size || cp.root.Hex() != row.root_hash) return Corrupt(what + ": the index row differs from the signed note");
    if (cp.size > n) {
      return Corrupt(what + ": the log has only " + std::to_string(n) + " leaves; leaves " + std::to_string(n) + ".." +
                     std::to_string(cp.size - 1) + " were removed");
    }
    const auto at = roots_at.find(cp.size);
    if (at == roots_at.end() || !at->second) return Fail(ErrorCode::kInternal, what + ": root not computed");
    if (*at->second != cp.root) {
      // Name the first leaf after the last checkpoint that still matches.
      const std::uint64_t from = previous ? previous->size : 0;
      return Corrupt(what + ": today's log does not extend it; a leaf in " + std::to_string(from) + ".." +
                     std::to_string(cp.size - 1) + " was altered, removed or reordered");
    }
    previous = cp;
    ++report.checkpoints;
  }

  if (!options.against_note.empty()) {
    EMBARC_ASSIGN_OR_RETURN(log::Checkpoint kept, CheckNote(options.against_note, origin, verifiers, "the kept checkpoint"));
    if (kept.size > n) {
      return Corrupt("the kept checkpoint has " + std::to_string(kept.size) + " leaves, today's log only " + std::to_string(n));
    }
    const auto at = roots_at.find(kept.size);
    if (at == roots_at.end() || !at->second) return Fail(ErrorCode::kInternal, "the kept checkpoint: root not computed");
    // Its root recomputed from today's leaves: today's log extends it (as a consistency proof
    // from the same leaves would show).
    if (*at->second != kept.root) return Corrupt("today's log does not extend the kept checkpoint of size " + std::to_string(kept.size));
    report.against_ok = true;
  }
  return Ok();
}

// Every trusted timestamp: a granted one must be a valid token for its checkpoint's exact note
// bytes and its own request's nonce, signed by a TSA that chains to an archive trust anchor as
// of the token's genTime (without anchors: the signature against the token's own certificate,
// reported as unanchored). Its copy in tsa/tokens/, if present, must be the same bytes.
Result<void> VerifyTimestamps(store::Archive& archive, VerifyReport& report) {
  store::Index& index = archive.index();
  EMBARC_ASSIGN_OR_RETURN(auto rows, index.Timestamps());
  if (rows.empty()) return Ok();
  EMBARC_ASSIGN_OR_RETURN(auto checkpoints, index.Checkpoints());
  std::map<std::int64_t, const store::CheckpointRow*> by_id;
  for (const auto& c : checkpoints) by_id.emplace(c.id, &c);
  auto anchors = log::TsaAnchors(archive);
  if (!anchors) return Corrupt("tsa/anchors.pem: " + anchors.error().message);
  for (const store::TimestampRow& row : rows) {
    const std::string what = "timestamp " + std::to_string(row.id) + " of checkpoint " + std::to_string(row.checkpoint_id) +
                             " (" + row.tsa_url + ")";
    if (row.status != "granted") {
      ++report.timestamps_failed;
      continue;
    }
    auto cp = by_id.find(row.checkpoint_id);
    if (cp == by_id.end()) return Corrupt(what + ": names a checkpoint that is not in the index");
    auto request = log::ParseTimestampRequest(AsBytes(row.request_der));
    if (!request) return Corrupt(what + ": stored request: " + request.error().message);
    if (request->imprint != crypto::Sha256(cp->second->note)) {
      return Corrupt(what + ": the request was not for this checkpoint's note");
    }
    Result<log::TimestampInfo> info =
        anchors->empty() ? log::CheckTimestampResponse(AsBytes(row.response_der), *request)
                         : log::VerifyTimestampToken(AsBytes(row.response_der), AsBytes(cp->second->note), request->nonce, *anchors);
    if (!info) return Corrupt(what + ": " + info.error().message);
    if (row.gen_time && *row.gen_time != info->gen_time) {
      return Corrupt(what + ": the index says genTime " + *row.gen_time + ", the token " + info->gen_time);
    }
    const fs::path copy = log::TokenFile(archive, row.checkpoint_id, row.id);
    std::error_code ec;
    if (fs::exists(copy, ec)) {
      auto bytes = ReadFileLimited(copy, log::kMaxTimestampResponseBytes);
      if (!bytes || *bytes != row.response_der) return Corrupt(copy.string() + ": differs from the token in the index");
    }
    if (anchors->empty()) {
      ++report.timestamps_unanchored;
    } else {
      ++report.timestamps;
    }
  }
  return Ok();
}

}  // namespace

Result<VerifyReport> VerifyArchive(store::Archive& archive, const VerifyOptions& options) {
  VerifyReport report;
  store::Index& index = archive.index();
  const unsigned threads = options.threads > 0 ? options.threads : AvailableCpus();
  report.threads = threads;

  EMBARC_RETURN_IF_ERROR(archive.CheckPrivateKeyMode());
  EMBARC_ASSIGN_OR_RETURN(auto verifiers, archive.LoadVerifiers());
  report.keys = verifiers.size();
  const std::function<const crypto::Verifier*(std::string_view)> find_key = [&](std::string_view id) -> const crypto::Verifier* {
    auto it = verifiers.find(std::string(id));
    return it == verifiers.end() ? nullptr : it->second.get();
  };

  // Every read below sees one state of the index (and takes SQLite's locks once).
  EMBARC_RETURN_IF_ERROR(index.BeginRead());
  struct EndRead {
    store::Index& index;
    ~EndRead() { index.Rollback(); }  // nothing was written: the same as a commit
  } end_read{index};

  // Which posts to check.
  std::set<std::int64_t> selected;
  for (const platform::PostRef& want : options.posts) {
    EMBARC_ASSIGN_OR_RETURN(auto found, index.FindPost(want.platform, want.post_id));
    if (!found) return Fail(ErrorCode::kNotFound, "post not in the archive: " + want.url);
    selected.insert(found->id);
  }

  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  Clock::time_point phase = Clock::now();

  // 1. Every WARC file, record by record (whole-archive runs only), files in parallel.
  SeenRecords seen;
  if (options.posts.empty()) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(archive.warc_dir(), ec)) {
      for (const auto& entry : fs::directory_iterator(archive.warc_dir(), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with(".warc.gz") || name.ends_with(".warc")) files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    struct FileResult {
      std::uint64_t records = 0;
      std::vector<Fingerprint> responses;
      std::optional<std::string> warning;
      Result<void> status = Ok();
    };
    std::vector<FileResult> results(files.size());
    ParallelFor(files.size(), threads, [&](std::size_t i) {
      const fs::path& f = files[i];
      const std::string name = f.filename().string();
      FileResult& out = results[i];
      Result<void> r = warc::ForEachRecord(f, [&](const warc::ReadRecord& rr) -> Result<void> {
        ++out.records;
        if (rr.record.Field("WARC-Type") == "response") {
          if (auto payload = PayloadDigestOf(rr.record); payload) {
            out.responses.push_back(FingerprintOf(name, rr.offset, rr.length, rr.record.Field("WARC-Record-ID"), *payload));
          }
        }
        return Ok();
      });
      if (r) return;
      // An interrupted append leaves a partial last record that nothing references (the
      // write order: WARC bytes are fsynced before any index row names them); the captures
      // check below still re-reads every referenced record. Anything else is corruption.
      auto tail = warc::InspectTail(f);
      if (!tail || !tail->crash_tail) {
        out.status = Fail(ErrorCode::kCorruption, "warc/" + f.filename().string() + ": " + r.error().message);
        return;
      }
      out.warning = "warc/" + f.filename().string() + " ends with an incomplete record (" +
                    std::to_string(tail->file_size - tail->valid_end) + " bytes after offset " +
                    std::to_string(tail->valid_end) + ") from an interrupted run; no index row names it; the next writer cuts it off";
    });
    std::size_t responses = 0;
    for (const FileResult& r : results) responses += r.responses.size();
    seen.sorted.reserve(responses);  // 16 bytes per response record, never twice over
    for (FileResult& r : results) {
      ++report.warc_files;
      report.warc_records += r.records;
      if (!r.status) return tl::unexpected(r.status.error());
      if (r.warning) report.warnings.push_back(std::move(*r.warning));
      seen.sorted.insert(seen.sorted.end(), r.responses.begin(), r.responses.end());
      std::vector<Fingerprint>().swap(r.responses);
    }
    std::sort(seen.sorted.begin(), seen.sorted.end());
  }

  report.warc_seconds = seconds_since(phase);
  phase = Clock::now();

  // 2. The leaves are numbered 0..n-1 without gaps across snapshots and key events.
  EMBARC_ASSIGN_OR_RETURN(auto key_events, index.KeyEvents());
  std::uint64_t leaf_count = 0;
  {
    EMBARC_ASSIGN_OR_RETURN(std::vector<std::uint64_t> leaves, index.SnapshotLeafIndexes());
    for (const auto& k : key_events) leaves.push_back(k.leaf_index);
    std::sort(leaves.begin(), leaves.end());
    for (std::uint64_t i = 0; i < leaves.size(); ++i) {
      if (leaves[i] != i) {
        return Corrupt("log leaf " + std::to_string(i) + " is missing or out of order (found leaf " +
                       std::to_string(leaves[i]) + ")");
      }
    }
    leaf_count = leaves.size();
  }
  EMBARC_RETURN_IF_ERROR(CheckKeyEvents(key_events, verifiers, report));
  // A whole-archive run checks every leaf's record below: their leaf hashes are kept (32 bytes
  // a leaf) so that the log check need not read and unpack every record a second time.
  std::vector<log::Hash> leaf_hashes;
  if (selected.empty()) {
    leaf_hashes.resize(leaf_count);
    for (const auto& k : key_events) leaf_hashes[k.leaf_index] = log::LeafHash(AsBytes(k.record));
  }

  // 3. Every snapshot, in log order: read in chunks (the next chunk is read while this one is
  // checked on all threads); the first failure in leaf order is reported.
  const fs::path warc_dir = archive.warc_dir();
  auto read_chunk = [&](std::uint64_t from) { return ReadSnapshotChunk(index, from, selected); };
  Result<std::vector<SnapshotWork>> chunk = read_chunk(0);
  while (true) {
    if (!chunk) return tl::unexpected(chunk.error());
    std::vector<SnapshotWork> work = std::move(*chunk);
    if (work.empty()) break;
    // Read ahead on another thread; the index is only touched there until it is joined.
    std::future<Result<std::vector<SnapshotWork>>> next;
    if (work.size() == kSnapshotsPerChunk) {
      next = std::async(std::launch::async, read_chunk, work.back().row.leaf_index + 1);
    }
    std::vector<std::optional<Result<SnapshotResult>>> results(work.size());
    ParallelFor(work.size(), threads, [&](std::size_t i) {
      if (work[i].selected) results[i] = CheckSnapshot(work[i], warc_dir, seen, find_key);
    });
    for (std::size_t i = 0; i < work.size(); ++i) {
      if (!results[i]) continue;
      if (!*results[i]) {
        if (next.valid()) next.wait();
        return tl::unexpected(results[i]->error());
      }
      report.signatures += (*results[i])->signatures;
      report.captures += (*results[i])->captures;
      if (!leaf_hashes.empty()) leaf_hashes[work[i].row.leaf_index] = (*results[i])->leaf;
      ++report.snapshots;
    }
    if (!next.valid()) break;
    chunk = next.get();
  }

  report.records_seconds = seconds_since(phase);
  phase = Clock::now();

  // 4. The Merkle log and its checkpoints.
  EMBARC_RETURN_IF_ERROR(VerifyLog(archive, verifiers, options, leaf_hashes, report));
  EMBARC_RETURN_IF_ERROR(VerifyTimestamps(archive, report));
  report.log_seconds = seconds_since(phase);
  return report;
}

}  // namespace embarc::verify
