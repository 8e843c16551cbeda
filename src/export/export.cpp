#include "embarc/export/export.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "embarc/capture/record.h"
#include "embarc/core/bytes.h"
#include "embarc/core/json.h"
#include "embarc/crypto/dsse.h"
#include "embarc/crypto/sha256.h"
#include "embarc/export/zip.h"
#include "embarc/log/evidence_log.h"
#include "embarc/log/merkle.h"
#include "embarc/log/stamping.h"
#include "embarc/log/tsa.h"
#include "embarc/warc/warc.h"
#include "export/verify_md.h"
#include "warc/record_codec.h"
#include "warc/warc_io.h"

namespace embarc::bundle {
namespace {

using ascii::Lower;

using Json = nlohmann::ordered_json;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

// What the package needs of one WARC record of the archive.
struct WarcEntry {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string type;
  std::string record_id;
  std::string target_uri;
  std::string concurrent_to;
  std::string date;
  std::string payload_digest;   // the WARC-Payload-Digest field
  int http_status = 0;
  std::string mime;
};

// Status code and media type of an HTTP response head.
void ReadHttpHead(std::string_view head, WarcEntry& e) {
  const std::size_t eol = head.find("\r\n");
  const std::string_view status_line = head.substr(0, eol);
  const std::size_t sp = status_line.find(' ');
  if (sp != std::string_view::npos) e.http_status = std::atoi(std::string(status_line.substr(sp + 1, 3)).c_str());
  std::size_t at = eol == std::string_view::npos ? head.size() : eol + 2;
  while (at < head.size()) {
    std::size_t end = head.find("\r\n", at);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(at, end - at);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && Lower(std::string(line.substr(0, colon))) == "content-type") {
      std::string v = Trim(line.substr(colon + 1));
      e.mime = Lower(Trim(v.substr(0, v.find(';'))));
    }
    at = end + 2;
  }
}

// Every record of a WARC file of the archive, digests checked. A truncated tail (a crash can
// leave unreferenced records there, archive/FORMAT.md "Write order") ends the list; records a
// capture names are then looked up by offset, so a missing one is still an error.
Result<std::vector<WarcEntry>> ScanWarcFile(const std::filesystem::path& path) {
  std::vector<WarcEntry> out;
  auto scanned = warc::ForEachRecord(path, [&](const warc::ReadRecord& r) -> Result<void> {
    WarcEntry e;
    e.offset = r.offset;
    e.length = r.length;
    e.type = r.record.Field("WARC-Type");
    e.record_id = r.record.Field("WARC-Record-ID");
    e.target_uri = r.record.Field("WARC-Target-URI");
    e.concurrent_to = r.record.Field("WARC-Concurrent-To");
    e.date = r.record.Field("WARC-Date");
    e.payload_digest = r.record.Field("WARC-Payload-Digest");
    if (e.type == "response") {
      auto split = warc::SplitHttpBlock(r.record.block);
      if (split) ReadHttpHead(split->first, e);
    }
    out.push_back(std::move(e));
    return Ok();
  });
  if (!scanned && !(scanned.error().code == ErrorCode::kCorruption && scanned.error().message.starts_with("truncated"))) {
    return tl::unexpected(scanned.error());
  }
  return out;
}

Result<std::string> ReadRange(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t length) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, "cannot read " + path.string());
  std::string bytes(static_cast<std::size_t>(length), '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(length));
  if (static_cast<std::uint64_t>(in.gcount()) != length) return Fail(ErrorCode::kCorruption, path.string() + ": record range beyond the end of the file");
  return bytes;
}

// "2024-10-20T12:34:56.789Z" -> "20241020123456".
std::string Timestamp14(const std::string& date) {
  std::string out;
  for (char c : date) {
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
    if (out.size() == 14) break;
  }
  return out;
}

Result<std::string> WarcinfoMember(const std::string& now, std::size_t snapshots) {
  const std::string block = "software: " + capture::AgentString() +
                            "\r\nformat: WARC File Format 1.1\r\n"
                            "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
                            "description: embarc evidence package of " + std::to_string(snapshots) + " snapshot record(s)\r\n";
  warc::internal::Fields fields = {{"WARC-Type", "warcinfo"},
                                   {"WARC-Record-ID", warc::NewRecordId()},
                                   {"WARC-Date", now},
                                   {"WARC-Filename", "data.warc.gz"},
                                   {"WARC-Block-Digest", "sha256:" + crypto::Sha256(block).Hex()},
                                   {"Content-Type", "application/warc-fields"},
                                   {"Content-Length", std::to_string(block.size())}};
  const std::string head = warc::internal::SerializeHead(fields);
  EMBARC_ASSIGN_OR_RETURN(Bytes member, warc::internal::GzipMember({AsBytes(head), AsBytes(block), AsBytes("\r\n\r\n")}));
  return ToString(member);
}

std::string ResourceName(const std::string& path) {
  if (path == "archive/data.warc.gz") return "data.warc.gz";
  if (path == "indexes/index.cdxj") return "index.cdxj";
  if (path == "pages/pages.jsonl") return "pages.jsonl";
  std::string n = Lower(path);
  std::replace(n.begin(), n.end(), '/', '-');
  return n;
}

std::optional<std::string> JsonString(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return std::nullopt;
  return j[key].get<std::string>();
}

}  // namespace

std::string Surt(const std::string& url) {
  std::string rest = url;
  const std::size_t scheme = rest.find("://");
  if (scheme != std::string::npos) rest = rest.substr(scheme + 3);
  const std::size_t slash = rest.find_first_of("/?#");
  std::string host = Lower(rest.substr(0, slash));
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (const std::size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (const std::size_t colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos) {
    const std::string port = host.substr(colon + 1);
    if (port == "80" || port == "443") host = host.substr(0, colon);
  }
  if (host.starts_with("www.")) host = host.substr(4);
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::string key;
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
    if (!key.empty()) key += ',';
    key += *it;
  }
  if (const std::size_t hash = path.find('#'); hash != std::string::npos) path = path.substr(0, hash);
  if (path.empty() || path[0] == '?') path = "/" + path;
  std::string query;
  if (const std::size_t q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  key += ')' + Lower(path);
  if (!query.empty()) {
    std::vector<std::string> params;
    std::size_t s = 0;
    while (true) {
      const std::size_t amp = query.find('&', s);
      params.push_back(query.substr(s, amp == std::string::npos ? std::string::npos : amp - s));
      if (amp == std::string::npos) break;
      s = amp + 1;
    }
    std::sort(params.begin(), params.end());
    std::string joined;
    for (const std::string& p : params) joined += (joined.empty() ? "" : "&") + p;
    key += '?' + Lower(joined);
  }
  return key;
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Result<std::vector<store::SnapshotRow>> SelectSnapshots(store::Index& index, const Selection& selection) {
  if (!selection.all && selection.posts.empty() && selection.articles.empty() && !selection.since && !selection.until) {
    return Fail(ErrorCode::kInvalidArgument, "nothing selected: use --post URL, --article URL, --since T / --until T or --all");
  }
  const bool every = selection.all || (selection.posts.empty() && selection.articles.empty());
  std::set<std::int64_t> post_refs;
  for (const platform::PostRef& p : selection.posts) {
    EMBARC_ASSIGN_OR_RETURN(auto row, index.FindPost(p.platform, p.post_id));
    if (!row) return Fail(ErrorCode::kNotFound, "post not in the archive: " + p.url);
    post_refs.insert(row->id);
  }
  if (!selection.articles.empty()) {
    EMBARC_ASSIGN_OR_RETURN(auto posts, index.AllPosts());
    std::map<std::int64_t, std::string> article_urls;
    std::set<std::string> found;
    for (const store::PostRow& p : posts) {
      EMBARC_ASSIGN_OR_RETURN(auto embeds, index.EmbedsOfPost(p.id));
      for (const store::EmbedRow& e : embeds) {
        if (!article_urls.contains(e.article_id)) {
          EMBARC_ASSIGN_OR_RETURN(auto article, index.ArticleById(e.article_id));
          article_urls[e.article_id] = article ? article->url : "";
        }
        const std::string& url = article_urls[e.article_id];
        if (std::find(selection.articles.begin(), selection.articles.end(), url) != selection.articles.end()) {
          post_refs.insert(p.id);
          found.insert(url);
        }
      }
    }
    for (const std::string& a : selection.articles) {
      if (!found.contains(a)) return Fail(ErrorCode::kNotFound, "no article with embedded posts in the archive: " + a);
    }
  }
  EMBARC_ASSIGN_OR_RETURN(auto all, index.AllSnapshots());
  std::vector<store::SnapshotRow> out;
  for (store::SnapshotRow& s : all) {
    if (!every && !post_refs.contains(s.post_ref)) continue;
    if (selection.since && s.observed_at < *selection.since) continue;
    if (selection.until && s.observed_at > *selection.until) continue;
    out.push_back(std::move(s));
  }
  if (out.empty()) return Fail(ErrorCode::kNotFound, "the selection holds no snapshot");
  return out;
}

Result<std::string> BuildPackage(store::Archive& archive, const Selection& selection, const std::string& now,
                                 ExportSummary* summary) {
  store::Index& index = archive.index();
  EMBARC_ASSIGN_OR_RETURN(auto snaps, SelectSnapshots(index, selection));
  EMBARC_ASSIGN_OR_RETURN(auto log, log::EvidenceLog::Open(archive));
  EMBARC_ASSIGN_OR_RETURN(auto checkpoints, index.Checkpoints());
  if (checkpoints.empty()) return Fail(ErrorCode::kFailedPrecondition, "the archive has no checkpoint yet");
  const store::CheckpointRow& cp = checkpoints.back();
  EMBARC_ASSIGN_OR_RETURN(log::Hash root, log->tree().RootAt(cp.tree_size));
  if (root.Hex() != cp.root_hash) return Fail(ErrorCode::kCorruption, "the log's root at " + std::to_string(cp.tree_size) + " differs from the latest checkpoint");

  // Files of the package, in order; datapackage*.json are added at the end.
  std::vector<std::pair<std::string, std::string>> files;
  std::set<std::string> key_ids = {cp.key_id};

  // WARC records: request, response and metadata of every capture of every selected snapshot.
  std::map<std::string, std::vector<WarcEntry>> scanned;   // by WARC file name
  std::set<std::pair<std::string, std::uint64_t>> taken;
  std::string warc_gz;
  EMBARC_ASSIGN_OR_RETURN(warc_gz, WarcinfoMember(now, snaps.size()));
  std::vector<std::string> cdxj;
  std::uint64_t warc_records = 1;
  auto copy = [&](const std::string& file, const WarcEntry& e) -> Result<void> {
    if (!taken.insert({file, e.offset}).second) return Ok();
    if (warc_gz.size() + e.length > kMaxZipBytes) return Fail(ErrorCode::kLimitExceeded, "the selected WARC records exceed the package limit");
    EMBARC_ASSIGN_OR_RETURN(std::string bytes, ReadRange(archive.warc_dir() / file, e.offset, e.length));
    const std::uint64_t offset = warc_gz.size();
    warc_gz += bytes;
    ++warc_records;
    if (e.type == "response") {
      std::string digest = e.payload_digest;
      Json j = {{"url", e.target_uri}, {"mime", e.mime.empty() ? "unk" : e.mime}, {"status", std::to_string(e.http_status)},
                {"digest", digest}, {"length", std::to_string(e.length)}, {"offset", std::to_string(offset)},
                {"filename", "data.warc.gz"}};
      cdxj.push_back(Surt(e.target_uri) + " " + Timestamp14(e.date) + " " + j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    return Ok();
  };

  for (const store::SnapshotRow& s : snaps) {
    if (s.leaf_index >= cp.tree_size) {
      return Fail(ErrorCode::kFailedPrecondition, "record " + s.record_hash + " is not covered by the latest checkpoint yet");
    }
    EMBARC_ASSIGN_OR_RETURN(crypto::Envelope envelope, crypto::Envelope::Parse(s.envelope));
    for (const auto& sig : envelope.signatures) key_ids.insert(sig.keyid);
    for (std::int64_t capture_id : s.capture_ids) {
      EMBARC_ASSIGN_OR_RETURN(auto capture, index.CaptureById(capture_id));
      if (!capture || !capture->warc_file || !capture->warc_record_id) continue;   // a failed fetch has no WARC record
      const std::string& file = *capture->warc_file;
      if (file.find('/') != std::string::npos || file.starts_with(".")) return Fail(ErrorCode::kCorruption, "capture names a bad WARC file: " + file);
      if (!scanned.contains(file)) {
        EMBARC_ASSIGN_OR_RETURN(auto entries, ScanWarcFile(archive.warc_dir() / file));
        scanned[file] = std::move(entries);
      }
      const auto& entries = scanned[file];
      auto it = std::find_if(entries.begin(), entries.end(), [&](const WarcEntry& e) { return e.offset == capture->response_offset; });
      if (it == entries.end() || it->record_id != *capture->warc_record_id) {
        return Fail(ErrorCode::kCorruption, file + ": no record " + *capture->warc_record_id + " at offset " + std::to_string(capture->response_offset));
      }
      // The request is written just before its response; the metadata record names it.
      if (it != entries.begin()) {
        const WarcEntry& before = *(it - 1);
        if (before.type == "request" && before.target_uri == it->target_uri && before.offset + before.length == it->offset) {
          EMBARC_RETURN_IF_ERROR(copy(file, before));
        }
      }
      EMBARC_RETURN_IF_ERROR(copy(file, *it));
      for (const WarcEntry& e : entries) {
        if (e.type == "metadata" && e.concurrent_to == it->record_id) EMBARC_RETURN_IF_ERROR(copy(file, e));
      }
    }
  }
  std::sort(cdxj.begin(), cdxj.end());
  std::string cdxj_text;
  for (const std::string& line : cdxj) cdxj_text += line + "\n";

  // pages.jsonl: one page per post, at its latest selected observation.
  std::string pages = Json{{"format", "json-pages-1.0"}, {"id", "pages"}, {"title", "embarc evidence package"}}.dump() + "\n";
  {
    std::map<std::int64_t, const store::SnapshotRow*> latest;
    std::vector<std::int64_t> order;
    for (const store::SnapshotRow& s : snaps) {
      if (!latest.contains(s.post_ref)) order.push_back(s.post_ref);
      latest[s.post_ref] = &s;
    }
    for (std::int64_t ref : order) {
      auto record = ParseJson(latest[ref]->record);
      if (!record) return Fail(ErrorCode::kCorruption, "record " + latest[ref]->record_hash + " is not JSON");
      const std::string platform = JsonString(*record, "platform").value_or("");
      const std::string post_id = JsonString(*record, "post_id").value_or("");
      pages += Json{{"id", platform + ":" + post_id}, {"url", JsonString(*record, "url").value_or("")},
                    {"ts", latest[ref]->observed_at}, {"title", platform + " post " + post_id}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
  }
  files.emplace_back("archive/data.warc.gz", std::move(warc_gz));
  files.emplace_back("indexes/index.cdxj", std::move(cdxj_text));
  files.emplace_back("pages/pages.jsonl", std::move(pages));

  // embarc/: records, proofs, checkpoint, timestamps, keys, VERIFY.md.
  VerifyMdInput md;
  md.checkpoint_key_id = cp.key_id;
  md.tree_size = cp.tree_size;
  md.root_hash = cp.root_hash;
  md.origin = log->origin();
  for (const store::SnapshotRow& s : snaps) {
    files.emplace_back("embarc/records/" + s.record_hash + ".dsse.json", s.envelope);
    EMBARC_ASSIGN_OR_RETURN(auto proof, log->tree().InclusionProof(s.leaf_index, cp.tree_size));
    std::vector<std::string> hex;
    for (const log::Hash& h : proof) hex.push_back(h.Hex());
    Json j = {{"record_hash", s.record_hash}, {"leaf_index", s.leaf_index}, {"tree_size", cp.tree_size},
              {"leaf_hash", log::LeafHash(AsBytes(s.record)).Hex()}, {"inclusion", hex},
              {"checkpoint", "embarc/checkpoint.txt"}};
    files.emplace_back("embarc/proofs/" + s.record_hash + ".json", j.dump(2) + "\n");
    EMBARC_ASSIGN_OR_RETURN(crypto::Envelope envelope, crypto::Envelope::Parse(s.envelope));
    md.records.push_back({s.record_hash, envelope.signatures.empty() ? "" : envelope.signatures[0].keyid});
  }
  files.emplace_back("embarc/checkpoint.txt", cp.note);

  EMBARC_ASSIGN_OR_RETURN(auto stamps, index.Timestamps());
  EMBARC_ASSIGN_OR_RETURN(std::string anchors, log::TsaAnchors(archive));
  std::uint64_t tokens = 0;
  for (const store::TimestampRow& t : stamps) {
    if (t.checkpoint_id != cp.id || t.status != "granted" || t.response_der.empty()) continue;
    EMBARC_ASSIGN_OR_RETURN(log::TimestampRequest request, log::ParseTimestampRequest(AsBytes(t.request_der)));
    EMBARC_ASSIGN_OR_RETURN(log::TimestampInfo info, log::CheckTimestampResponse(AsBytes(t.response_der), request));
    const std::string base = "embarc/timestamps/" + std::to_string(cp.id) + "-" + std::to_string(t.id);
    if (tokens == 0) files.emplace_back("embarc/timestamps/" + std::to_string(cp.id) + ".note", cp.note);
    files.emplace_back(base + ".tsq", t.request_der);
    files.emplace_back(base + ".tsr", t.response_der);
    md.timestamps.push_back({base + ".tsr", base + ".tsq", "embarc/timestamps/" + std::to_string(cp.id) + ".note",
                             info.gen_time, info.gen_time_unix, t.tsa_url});
    ++tokens;
  }
  if (tokens > 0 && !anchors.empty()) {
    files.emplace_back("embarc/tsa-anchors.pem", anchors);
    md.anchors = true;
  }

  EMBARC_ASSIGN_OR_RETURN(auto keys, index.Keys());
  for (const std::string& id : key_ids) {
    auto it = std::find_if(keys.begin(), keys.end(), [&](const store::KeyRow& k) { return k.key_id == id; });
    if (it == keys.end()) return Fail(ErrorCode::kFailedPrecondition, "the archive lacks the public key " + id);
    files.emplace_back("embarc/keys/" + id + ".pub.pem", it->public_key_pem);
  }
  md.warc_records = warc_records;
  files.emplace_back("embarc/VERIFY.md", RenderVerifyMd(md));

  // datapackage.json lists every file; datapackage-digest.json hashes it.
  Json resources = Json::array();
  for (const auto& [path, data] : files) {
    resources.push_back({{"name", ResourceName(path)}, {"path", path}, {"hash", "sha256:" + crypto::Sha256(data).Hex()},
                         {"bytes", data.size()}});
  }
  Json datapackage = {{"profile", "data-package"},
                      {"wacz_version", "1.1.1"},
                      {"title", "embarc evidence package"},
                      {"description", std::to_string(snaps.size()) + " snapshot record(s) with proofs to checkpoint " +
                                          std::to_string(cp.tree_size) + " of " + log->origin()},
                      {"created", now},
                      {"modified", now},
                      {"software", capture::AgentString()},
                      {"resources", resources}};
  const std::string dp_text = datapackage.dump(2) + "\n";
  const std::string digest_text = Json{{"path", "datapackage.json"}, {"hash", "sha256:" + crypto::Sha256(dp_text).Hex()}}.dump(2) + "\n";

  const auto [dos_time, dos_date] = DosTimeDate(now);
  ZipWriter zip(dos_time, dos_date);
  for (auto& [path, data] : files) EMBARC_RETURN_IF_ERROR(zip.Add(path, std::move(data)));
  EMBARC_RETURN_IF_ERROR(zip.Add("datapackage.json", dp_text));
  EMBARC_RETURN_IF_ERROR(zip.Add("datapackage-digest.json", digest_text));
  EMBARC_ASSIGN_OR_RETURN(std::string bytes, zip.Finish());
  if (summary != nullptr) {
    summary->snapshots = snaps.size();
    summary->warc_records = warc_records;
    summary->files = files.size() + 2;
    summary->bytes = bytes.size();
    summary->tree_size = cp.tree_size;
    summary->timestamps = tokens;
  }
  return bytes;
}

Result<std::string> BuildTable(store::Index& index, const Selection& selection, TableFormat format) {
  EMBARC_ASSIGN_OR_RETURN(auto snaps, SelectSnapshots(index, selection));
  std::string out;
  if (format == TableFormat::kJsonl) {
    Json cols = Json::array();
    for (const char* c : kTableColumns) cols.push_back(c);
    out += Json{{"columns", cols}}.dump() + "\n";
  } else {
    std::string header;
    for (const char* c : kTableColumns) header += (header.empty() ? "" : ",") + std::string(c);
    out += header + "\r\n";
  }
  for (const store::SnapshotRow& s : snaps) {
    auto record = ParseJson(s.record);
    if (!record || !record->is_object()) return Fail(ErrorCode::kCorruption, "record " + s.record_hash + " is not a JSON object");
    const nlohmann::json& r = *record;
    const nlohmann::json content = r.contains("content") ? r["content"] : nlohmann::json();
    std::vector<std::string> cited;
    if (r.contains("cited_in") && r["cited_in"].is_array()) {
      for (const auto& c : r["cited_in"]) {
        if (auto a = JsonString(c, "article_url")) cited.push_back(*a);
      }
    }
    std::optional<std::string> author = JsonString(content, "author");
    const std::vector<std::pair<const char*, std::optional<std::string>>> values = {
        {"platform", JsonString(r, "platform")},   {"post_id", JsonString(r, "post_id")},
        {"url", JsonString(r, "url")},             {"author", author},
        {"created_at", JsonString(content, "created_at")}, {"observed_at", JsonString(r, "observed_at")},
        {"state", JsonString(r, "state")},         {"change", JsonString(r, "change")},
        {"text", JsonString(content, "text")},     {"content_sha256", JsonString(r, "content_sha256")},
        {"record_hash", s.record_hash}};
    if (format == TableFormat::kJsonl) {
      Json row;
      for (const auto& [k, v] : values) row[k] = v ? Json(*v) : Json(nullptr);
      row["leaf_index"] = s.leaf_index;
      row["cited_in"] = cited;
      out += row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else {
      std::string line;
      for (const auto& [k, v] : values) line += CsvField(v.value_or("")) + ",";
      std::string joined;
      for (const std::string& c : cited) joined += (joined.empty() ? "" : ";") + c;
      line += std::to_string(s.leaf_index) + "," + CsvField(joined);
      out += line + "\r\n";
    }
  }
  return out;
}

}  // namespace embarc::bundle
