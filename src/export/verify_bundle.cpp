#include "embarc/export/verify_bundle.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "embarc/core/bytes.h"
#include "embarc/core/json.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/ed25519.h"
#include "embarc/crypto/sha256.h"
#include "embarc/export/zip.h"
#include "embarc/log/checkpoint.h"
#include "embarc/log/merkle.h"
#include "embarc/log/tsa.h"
#include "embarc/warc/warc.h"
#include "warc/record_codec.h"

namespace embarc::bundle {
namespace {

// Every check fails as an integrity failure naming the file it concerns.
tl::unexpected<Error> Bad(const std::string& file, const std::string& what) {
  return Fail(ErrorCode::kCorruption, file + ": " + what);
}
tl::unexpected<Error> Bad(const std::string& file, const Error& e) { return Bad(file, e.message); }

bool IsHex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool EndsWith(std::string_view s, std::string_view suffix) { return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix; }

// The kinds of file a package may hold.
bool ExpectedFile(const std::string& name) {
  if (name == "indexes/index.cdxj" || name == "pages/pages.jsonl" || name == "embarc/checkpoint.txt" ||
      name == "embarc/VERIFY.md" || name == "embarc/tsa-anchors.pem") {
    return true;
  }
  auto between = [&](std::string_view prefix, std::string_view suffix, bool hex) {
    if (!name.starts_with(prefix) || !EndsWith(name, suffix) || name.size() <= prefix.size() + suffix.size()) return false;
    const std::string_view mid = std::string_view(name).substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (hex) return IsHex64(mid);
    return mid.find('/') == std::string_view::npos && mid.find_first_not_of("0123456789-") == std::string_view::npos;
  };
  if (name.starts_with("archive/") && name.find('/', 8) == std::string::npos && EndsWith(name, ".warc.gz")) return true;
  return between("embarc/records/", ".dsse.json", true) || between("embarc/proofs/", ".json", true) ||
         between("embarc/keys/", ".pub.pem", true) || between("embarc/timestamps/", ".tsr", false) ||
         between("embarc/timestamps/", ".tsq", false) || between("embarc/timestamps/", ".note", false);
}

struct Member {
  std::string file;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string type, record_id, target_uri, payload_digest_field;
  std::string payload_sha256;   // hex, computed
};

// Reads a .warc.gz held in memory, one gzip member per record, checking every record's
// syntax and digests (src/warc's parser) as it goes.
Result<std::vector<Member>> ReadWarcMembers(const std::string& file, std::string_view gz) {
  std::vector<Member> out;
  std::size_t at = 0;
  while (at < gz.size()) {
    z_stream zs{};
    if (inflateInit2(&zs, 31) != Z_OK) return Fail(ErrorCode::kInternal, "zlib inflateInit2 failed");
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + at));
    zs.avail_in = static_cast<uInt>(std::min<std::size_t>(gz.size() - at, UINT_MAX));
    Bytes data;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      const std::size_t have = data.size();
      if (have > warc::kMaxRecordBytes) return Bad(file, "record at offset " + std::to_string(at) + " is larger than the WARC record limit");
      data.resize(have + (64 << 10));
      zs.next_out = data.data() + have;
      zs.avail_out = 64 << 10;
      rc = inflate(&zs, Z_NO_FLUSH);
      data.resize(have + (64 << 10) - zs.avail_out);
      if (rc == Z_STREAM_END) break;
      if (rc != Z_OK) return Bad(file, "bad gzip data in the record at offset " + std::to_string(at));
      if (zs.avail_in == 0 && zs.avail_out != 0) return Bad(file, "truncated record at offset " + std::to_string(at));
    }
    const std::uint64_t consumed = zs.total_in;
    auto record = warc::internal::ParseRecord(std::move(data));
    if (!record) return Bad(file, "record at offset " + std::to_string(at) + ": " + record.error().message);
    Member m;
    m.file = file;
    m.offset = at;
    m.length = consumed;
    m.type = record->Field("WARC-Type");
    m.record_id = record->Field("WARC-Record-ID");
    m.target_uri = record->Field("WARC-Target-URI");
    m.payload_digest_field = record->Field("WARC-Payload-Digest");
    ByteView payload = record->block;
    if (m.type == "response" || m.type == "request") {
      if (auto split = warc::SplitHttpBlock(record->block)) payload = split->second;
    }
    m.payload_sha256 = crypto::Sha256(payload).Hex();
    out.push_back(std::move(m));
    at += static_cast<std::size_t>(consumed);
  }
  return out;
}

std::string Str(const nlohmann::json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return "";
}

}  // namespace

Result<BundleReport> VerifyBundle(std::string_view package) {
  BundleReport report;
  auto zip = ReadZip(package);
  if (!zip) return Bad("package", zip.error());
  std::map<std::string, std::string, std::less<>> files;
  for (ZipEntry& e : *zip) {
    if (e.name.back() == '/') continue;   // a directory entry (empty, checked by ReadZip)
    files.emplace(std::move(e.name), std::move(e.data));
  }
  auto file = [&](const std::string& name) -> const std::string* {
    auto it = files.find(name);
    return it == files.end() ? nullptr : &it->second;
  };

  // 1. The manifest: every file listed with its hash and size, nothing more, nothing less.
  const std::string* dp_text = file("datapackage.json");
  if (dp_text == nullptr) return Bad("datapackage.json", "missing");
  auto dp = ParseJson(*dp_text);
  if (!dp || !dp->is_object() || !(*dp)["resources"].is_array()) return Bad("datapackage.json", "not a data package with resources[]");
  if (Str(*dp, "profile") != "data-package" || Str(*dp, "wacz_version") != "1.1.1") return Bad("datapackage.json", "not a WACZ 1.1.1 data package");
  std::set<std::string> listed;
  for (const nlohmann::json& r : (*dp)["resources"]) {
    const std::string path = Str(r, "path");
    if (path.empty() || !listed.insert(path).second) return Bad("datapackage.json", "a resource without a path, or listed twice: " + path);
    const std::string* data = file(path);
    if (data == nullptr) return Bad(path, "listed in datapackage.json but missing from the package (file removed)");
    if (Str(r, "hash") != "sha256:" + crypto::Sha256(*data).Hex()) return Bad(path, "SHA-256 differs from its hash in datapackage.json");
    if (!r.contains("bytes") || !r["bytes"].is_number_unsigned() || r["bytes"].get<std::uint64_t>() != data->size()) {
      return Bad(path, "size differs from its bytes in datapackage.json");
    }
  }
  for (const auto& [name, data] : files) {
    if (name == "datapackage.json" || name == "datapackage-digest.json") continue;
    if (!listed.contains(name)) return Bad(name, "not listed in datapackage.json (file added)");
    if (!ExpectedFile(name)) return Bad(name, "not a file an embarc package holds");
  }
  const std::string* digest_text = file("datapackage-digest.json");
  if (digest_text == nullptr) return Bad("datapackage-digest.json", "missing");
  auto digest = ParseJson(*digest_text);
  if (!digest || Str(*digest, "path") != "datapackage.json" || Str(*digest, "hash") != "sha256:" + crypto::Sha256(*dp_text).Hex()) {
    return Bad("datapackage-digest.json", "does not hold the SHA-256 of datapackage.json");
  }
  report.files = files.size();

  // 2. The keys.
  std::map<std::string, std::unique_ptr<crypto::Ed25519Verifier>> keys;
  for (const auto& [name, data] : files) {
    if (!name.starts_with("embarc/keys/")) continue;
    const std::string id = name.substr(12, 64);
    auto key = crypto::Ed25519Verifier::FromPem(data);
    if (!key) return Bad(name, key.error());
    if ((*key)->key_id() != id) return Bad(name, "the key's id is " + (*key)->key_id() + ", not the one in its name");
    report.key_ids.push_back(id);
    keys[id] = std::move(*key);
  }

  // 3. The checkpoint and its signature.
  const std::string* note_text = file("embarc/checkpoint.txt");
  if (note_text == nullptr) return Bad("embarc/checkpoint.txt", "missing");
  auto note = log::ParseNote(*note_text);
  if (!note) return Bad("embarc/checkpoint.txt", note.error());
  auto cp = log::ParseCheckpointBody(note->body);
  if (!cp) return Bad("embarc/checkpoint.txt", cp.error());
  for (const auto& [id, key] : keys) {
    if (log::VerifyNote(*note, cp->origin, *key)) {
      report.checkpoint_key_id = id;
      break;
    }
  }
  if (report.checkpoint_key_id.empty()) return Bad("embarc/checkpoint.txt", "no signature by " + cp->origin + " verifies with a bundled key");
  report.origin = cp->origin;
  report.tree_size = cp->size;
  report.root_hash = cp->root.Hex();

  // 4. Timestamps of the checkpoint.
  const std::string* anchors = file("embarc/tsa-anchors.pem");
  for (const auto& [name, data] : files) {
    if (!name.starts_with("embarc/timestamps/")) continue;
    const std::string base = name.substr(0, name.rfind('.'));
    const std::string stem = base.substr(18);
    if (EndsWith(name, ".note")) {
      if (data != *note_text) return Bad(name, "is not the checkpoint embarc/checkpoint.txt");
      continue;
    }
    if (EndsWith(name, ".tsq")) {
      if (file(base + ".tsr") == nullptr) return Bad(name, "a request without its token " + base + ".tsr");
      continue;
    }
    const std::string* tsq = file(base + ".tsq");
    if (tsq == nullptr) return Bad(name, "the token's request " + base + ".tsq is missing");
    const std::string* stamped = file("embarc/timestamps/" + stem.substr(0, stem.find('-')) + ".note");
    if (stamped == nullptr) return Bad(name, "the stamped note is missing");
    auto request = log::ParseTimestampRequest(AsBytes(*tsq));
    if (!request) return Bad(base + ".tsq", request.error());
    if (request->imprint != crypto::Sha256(*note_text)) return Bad(base + ".tsq", "the request is not for embarc/checkpoint.txt");
    BundleTimestamp t;
    t.file = name;
    if (anchors != nullptr) {
      auto info = log::VerifyTimestampToken(AsBytes(data), AsBytes(*note_text), request->nonce, *anchors);
      if (!info) return Bad(name, info.error());
      t.gen_time = info->gen_time;
      t.tsa_name = info->tsa_name;
      t.anchored = true;
    } else {
      auto info = log::CheckTimestampResponse(AsBytes(data), *request);
      if (!info) return Bad(name, info.error());
      t.gen_time = info->gen_time;
      t.tsa_name = info->tsa_name;
    }
    report.timestamps.push_back(std::move(t));
  }

  // 5. The WARC records: syntax and digests.
  std::map<std::string, Member> members;   // by WARC-Record-ID
  std::map<std::pair<std::uint64_t, std::uint64_t>, const Member*> by_range;   // data.warc.gz only
  for (const auto& [name, data] : files) {
    if (!name.starts_with("archive/")) continue;
    EMBARC_ASSIGN_OR_RETURN(auto list, ReadWarcMembers(name, data));
    for (Member& m : list) {
      ++report.warc_records;
      const std::string id = m.record_id;
      if (!members.emplace(id, std::move(m)).second) return Bad(name, "two records with the id " + id);
      if (name == "archive/data.warc.gz") by_range[{members[id].offset, members[id].length}] = &members[id];
    }
  }
  if (report.warc_records == 0) return Bad("archive/data.warc.gz", "missing or empty");

  // 6. The CDXJ index points at response records of the WARC.
  if (const std::string* cdxj = file("indexes/index.cdxj")) {
    std::size_t at = 0, line_no = 0;
    while (at < cdxj->size()) {
      std::size_t end = cdxj->find('\n', at);
      if (end == std::string::npos) end = cdxj->size();
      const std::string line = cdxj->substr(at, end - at);
      at = end + 1;
      ++line_no;
      const std::size_t brace = line.find('{');
      auto j = brace == std::string::npos ? Result<nlohmann::json>(Fail(ErrorCode::kCorruption, "no JSON")) : ParseJson(line.substr(brace));
      if (!j || !j->is_object()) return Bad("indexes/index.cdxj", "line " + std::to_string(line_no) + " is not CDXJ");
      const std::string offset = Str(*j, "offset"), length = Str(*j, "length");
      if (offset.empty() || length.empty() || offset.find_first_not_of("0123456789") != std::string::npos ||
          length.find_first_not_of("0123456789") != std::string::npos || offset.size() > 15 || length.size() > 15) {
        return Bad("indexes/index.cdxj", "line " + std::to_string(line_no) + " has no offset and length");
      }
      auto it = by_range.find({std::stoull(offset), std::stoull(length)});
      if (it == by_range.end() || it->second->target_uri != Str(*j, "url") || it->second->payload_digest_field != Str(*j, "digest")) {
        return Bad("indexes/index.cdxj", "line " + std::to_string(line_no) + " does not point at its WARC record");
      }
    }
  }

  // 7. Each record: signature, leaf hash, inclusion proof, captures.
  std::set<std::string> proofs_used;
  for (const auto& [name, data] : files) {
    if (!name.starts_with("embarc/records/")) continue;
    const std::string hash = name.substr(15, 64);
    auto envelope = crypto::Envelope::Parse(data);
    if (!envelope) return Bad(name, envelope.error());
    if (envelope->payload_type != crypto::kSnapshotPayloadType) return Bad(name, "not a snapshot record envelope");
    if (crypto::Sha256(envelope->payload).Hex() != hash) return Bad(name, "the record's SHA-256 is not the hash in its name");
    std::string signer;
    auto verified = crypto::VerifyEnvelope(*envelope, [&](std::string_view keyid) -> const crypto::Verifier* {
      auto it = keys.find(std::string(keyid));
      if (it == keys.end()) return nullptr;
      if (signer.empty()) signer = it->first;
      return it->second.get();
    });
    if (!verified) return Bad(name, "signature: " + verified.error().message);

    const std::string proof_name = "embarc/proofs/" + hash + ".json";
    const std::string* proof_text = file(proof_name);
    if (proof_text == nullptr) return Bad(proof_name, "missing (the record has no inclusion proof)");
    proofs_used.insert(proof_name);
    auto proof = ParseJson(*proof_text);
    if (!proof || !proof->is_object() || Str(*proof, "record_hash") != hash || !(*proof)["leaf_index"].is_number_unsigned() ||
        !(*proof)["tree_size"].is_number_unsigned() || !(*proof)["inclusion"].is_array()) {
      return Bad(proof_name, "not an inclusion proof of record " + hash);
    }
    const log::Hash leaf = log::LeafHash(envelope->payload);
    if (Str(*proof, "leaf_hash") != leaf.Hex()) return Bad(proof_name, "leaf_hash is not SHA-256(0x00 || record)");
    if ((*proof)["tree_size"].get<std::uint64_t>() != cp->size) return Bad(proof_name, "tree_size is not the checkpoint's");
    std::vector<log::Hash> path;
    for (const auto& h : (*proof)["inclusion"]) {
      auto d = h.is_string() ? crypto::Sha256Digest::FromHex(h.get<std::string>()) : Result<crypto::Sha256Digest>(Fail(ErrorCode::kCorruption, ""));
      if (!d) return Bad(proof_name, "inclusion holds a value that is not a hash");
      path.push_back(*d);
    }
    const std::uint64_t leaf_index = (*proof)["leaf_index"].get<std::uint64_t>();
    auto included = log::VerifyInclusion(leaf_index, cp->size, leaf, path, cp->root);
    if (!included) return Bad(proof_name, "inclusion proof does not lead to the checkpoint's root: " + included.error().message);

    auto record = ParseJson(AsChars(envelope->payload));
    if (!record || !record->is_object()) return Bad(name, "the signed record is not a JSON object");
    BundleRecord br;
    br.record_hash = hash;
    br.platform = Str(*record, "platform");
    br.post_id = Str(*record, "post_id");
    br.url = Str(*record, "url");
    br.observed_at = Str(*record, "observed_at");
    br.state = Str(*record, "state");
    br.key_id = signer;
    br.leaf_index = leaf_index;
    if ((*record)["captures"].is_array()) {
      for (const auto& c : (*record)["captures"]) {
        const std::string id = Str(c, "warc_record_id");
        if (id.empty()) continue;   // a failed fetch: no bytes were received
        auto it = members.find(id);
        if (it == members.end()) return Bad(name, "capture " + id + " (" + Str(c, "url") + ") is not in the package's WARC");
        if (it->second.payload_sha256 != Str(c, "payload_sha256")) {
          return Bad(name, "capture " + id + ": the WARC record's payload is not the one the record signed");
        }
        if (it->second.target_uri != Str(c, "url")) return Bad(name, "capture " + id + ": the WARC record is for another URL");
        br.capture_urls.push_back(it->second.target_uri);
      }
    }
    report.records.push_back(std::move(br));
  }
  for (const auto& [name, data] : files) {
    if (name.starts_with("embarc/proofs/") && !proofs_used.contains(name)) return Bad(name, "a proof without its record");
  }
  if (report.records.empty()) return Bad("embarc/records", "the package holds no signed record");
  std::sort(report.records.begin(), report.records.end(), [](const BundleRecord& a, const BundleRecord& b) { return a.leaf_index < b.leaf_index; });
  return report;
}

std::string RenderReport(const BundleReport& r) {
  std::string out = "package ok: " + std::to_string(r.files) + " files, " + std::to_string(r.warc_records) + " WARC records, " +
                    std::to_string(r.records.size()) + " signed records\n";
  out += "log " + r.origin + ": checkpoint of " + std::to_string(r.tree_size) + " leaves, root " + r.root_hash +
         ", signed by key " + r.checkpoint_key_id + "\n";
  std::string when = "the checkpoint";
  for (const BundleTimestamp& t : r.timestamps) {
    out += "trusted time: " + t.file + " dates the checkpoint " + t.gen_time + " (TSA " + (t.tsa_name.empty() ? "unnamed" : t.tsa_name) + ", " +
           (t.anchored ? "chain verified to the bundled trust anchors" : "UNANCHORED: signature checked, no trust anchor in the package") + ")\n";
  }
  if (!r.timestamps.empty()) when = r.timestamps.front().gen_time + (r.timestamps.front().anchored ? "" : " (unanchored)");
  out += "\nProven:\n";
  for (const BundleRecord& b : r.records) {
    out += "- " + b.platform + " post " + b.post_id + " (" + b.url + "): " + b.state + " as observed at " + b.observed_at +
           "; record " + b.record_hash + ", signed by key " + b.key_id + ", leaf " + std::to_string(b.leaf_index) + " of the log.\n";
    for (const std::string& u : b.capture_urls) out += "    these bytes were received from " + u + " no later than " + when + "\n";
  }
  out += "\nNot proven: that the platform's servers were honest or served the same to everyone; that nothing was\n"
         "captured outside this package (other log entries appear only as proof hashes); that the keys belong to\n"
         "whom you think: compare the key ids above with those the archive's operator publishes.\n";
  return out;
}

}  // namespace embarc::bundle
