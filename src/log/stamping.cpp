#include "embarc/log/stamping.h"

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <utility>

#include <nlohmann/json.hpp>

#include "embarc/core/files.h"
#include "embarc/core/json.h"
#include "embarc/log/tsa.h"
#include "embarc/url/url.h"

namespace embarc::log {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPemCertificateBegin = "-----BEGIN CERTIFICATE-----";

fs::path SettingsFile(const store::Archive& archive) { return TsaDir(archive) / "tsa.json"; }
fs::path AnchorsFile(const store::Archive& archive) { return TsaDir(archive) / "anchors.pem"; }

// Reads an optional file: empty when it does not exist.
Result<std::string> ReadOptional(const fs::path& path) {
  auto text = ReadFileLimited(path, kMaxTsaSettingsBytes);
  if (!text && text.error().code == ErrorCode::kNotFound) return std::string();
  return text;
}

Result<void> EnsureDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kIo, "create " + dir.string() + ": " + ec.message());
  return Ok();
}

Result<void> WriteSettings(const store::Archive& archive, const std::vector<std::string>& urls) {
  EMBARC_RETURN_IF_ERROR(EnsureDir(TsaDir(archive)));
  EMBARC_ASSIGN_OR_RETURN(std::string text, CanonicalJson(nlohmann::json{{"tsa", urls}}));
  return ReplaceFile(SettingsFile(archive), text + "\n");
}

Result<void> WriteTokenFiles(const store::Archive& archive, const store::CheckpointRow& checkpoint,
                             std::int64_t timestamp_id, const Bytes& response) {
  EMBARC_RETURN_IF_ERROR(EnsureDir(TokenDir(archive)));
  const fs::path note = StampedNoteFile(archive, checkpoint.id);
  std::error_code ec;
  if (!fs::exists(note, ec)) EMBARC_RETURN_IF_ERROR(ReplaceFile(note, checkpoint.note));
  return ReplaceFile(TokenFile(archive, checkpoint.id, timestamp_id),
                     std::string_view(reinterpret_cast<const char*>(response.data()), response.size()));
}

// One request to one TSA, recorded whatever happens.
Result<StampOutcome> StampOnce(store::Archive& archive, net::Fetcher& fetcher, const store::CheckpointRow& checkpoint,
                               const std::string& tsa_url, const std::string& now) {
  StampOutcome outcome;
  outcome.checkpoint_id = checkpoint.id;
  outcome.tsa_url = tsa_url;
  EMBARC_ASSIGN_OR_RETURN(TimestampRequest request, MakeTimestampRequest(AsBytes(checkpoint.note)));

  net::FetchRequest fetch;
  fetch.url = tsa_url;
  fetch.method = "POST";
  fetch.body = request.der;
  fetch.headers = {{"Content-Type", kTimestampQueryContentType}, {"Accept", kTimestampReplyContentType}};
  fetch.max_body_bytes = kMaxTimestampResponseBytes;
  fetch.follow_redirects = false;
  auto responses = fetcher.FetchAll(std::span(&fetch, 1));

  Bytes answer;
  if (!responses) {
    outcome.error = responses.error().message;
  } else if (const net::FetchResponse& r = responses->front(); !r.ok()) {
    outcome.error = std::string(net::FetchOutcomeName(r.outcome)) + ": " + r.error;
  } else if (r.Final()->status != 200) {
    outcome.error = "HTTP " + std::to_string(r.Final()->status);
  } else {
    answer = r.Final()->body;
    auto info = CheckTimestampResponse(answer, request);
    if (info) {
      outcome.granted = true;
      outcome.gen_time = info->gen_time;
    } else {
      outcome.error = info.error().message;
    }
  }

  store::TimestampRow row;
  row.checkpoint_id = checkpoint.id;
  row.tsa_url = tsa_url;
  row.requested_at = now;
  row.status = outcome.granted ? "granted" : "failed";
  if (!outcome.granted) row.error = outcome.error;
  row.request_der = ToString(request.der);
  // A bad answer is kept too (it is what the TSA said), but only a granted one is evidence.
  row.response_der = ToString(answer);
  if (outcome.granted) row.gen_time = outcome.gen_time;
  EMBARC_ASSIGN_OR_RETURN(std::int64_t id, archive.index().AddTimestamp(row));
  if (outcome.granted) EMBARC_RETURN_IF_ERROR(WriteTokenFiles(archive, checkpoint, id, answer));
  return outcome;
}

}  // namespace

fs::path TsaDir(const store::Archive& archive) { return archive.dir() / "tsa"; }
fs::path TokenDir(const store::Archive& archive) { return TsaDir(archive) / "tokens"; }
fs::path TokenFile(const store::Archive& archive, std::int64_t checkpoint_id, std::int64_t timestamp_id) {
  return TokenDir(archive) / (std::to_string(checkpoint_id) + "-" + std::to_string(timestamp_id) + ".tsr");
}
fs::path StampedNoteFile(const store::Archive& archive, std::int64_t checkpoint_id) {
  return TokenDir(archive) / (std::to_string(checkpoint_id) + ".note");
}

Result<std::vector<std::string>> ConfiguredTsas(const store::Archive& archive) {
  EMBARC_ASSIGN_OR_RETURN(std::string text, ReadOptional(SettingsFile(archive)));
  if (text.empty()) return std::vector<std::string>{};
  auto parsed = ParseJson(text);
  if (!parsed || !parsed->is_object() || !parsed->contains("tsa") || !(*parsed)["tsa"].is_array()) {
    return Fail(ErrorCode::kCorruption, SettingsFile(archive).string() + ": not {\"tsa\": [URL, ...]}");
  }
  std::vector<std::string> urls;
  for (const auto& u : (*parsed)["tsa"]) {
    if (!u.is_string()) return Fail(ErrorCode::kCorruption, SettingsFile(archive).string() + ": a TSA URL is not a string");
    urls.push_back(u.get<std::string>());
  }
  return urls;
}

Result<void> AddTsa(const store::Archive& archive, const std::string& url, const std::string& ca_pem) {
  EMBARC_ASSIGN_OR_RETURN(url::Url parsed, url::ParseUrl(url));
  (void)parsed;
  if (!ca_pem.empty()) {
    if (ca_pem.find(kPemCertificateBegin) == std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "the TSA CA file holds no PEM certificate");
    }
    // Checked the way verify will use it: as trust anchors for a token (an empty token fails
    // on the token, not on the anchors, so only a parse error of the PEM is fatal here).
    EMBARC_ASSIGN_OR_RETURN(std::string anchors, TsaAnchors(archive));
    if (anchors.find(ca_pem) == std::string::npos) {
      if (!anchors.empty() && anchors.back() != '\n') anchors += '\n';
      anchors += ca_pem;
      if (anchors.back() != '\n') anchors += '\n';
      EMBARC_RETURN_IF_ERROR(EnsureDir(TsaDir(archive)));
      EMBARC_RETURN_IF_ERROR(ReplaceFile(AnchorsFile(archive), anchors));
    }
  }
  EMBARC_ASSIGN_OR_RETURN(auto urls, ConfiguredTsas(archive));
  if (std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(url);
  return WriteSettings(archive, urls);
}

Result<void> RemoveTsa(const store::Archive& archive, const std::string& url) {
  EMBARC_ASSIGN_OR_RETURN(auto urls, ConfiguredTsas(archive));
  auto it = std::find(urls.begin(), urls.end(), url);
  if (it == urls.end()) return Fail(ErrorCode::kNotFound, "no TSA " + url + " in the archive's settings");
  urls.erase(it);
  return WriteSettings(archive, urls);
}

Result<std::string> TsaAnchors(const store::Archive& archive) { return ReadOptional(AnchorsFile(archive)); }

Result<std::vector<StampOutcome>> StampCheckpoint(store::Archive& archive, net::Fetcher& fetcher,
                                                  std::int64_t checkpoint_id, const std::vector<std::string>& tsa_urls,
                                                  const std::string& now) {
  std::vector<StampOutcome> outcomes;
  if (tsa_urls.empty()) return outcomes;
  EMBARC_ASSIGN_OR_RETURN(auto checkpoints, archive.index().Checkpoints());
  std::map<std::int64_t, const store::CheckpointRow*> by_id;
  for (const auto& c : checkpoints) by_id.emplace(c.id, &c);
  auto latest = by_id.find(checkpoint_id);
  if (latest == by_id.end()) return Fail(ErrorCode::kNotFound, "no checkpoint " + std::to_string(checkpoint_id));

  // Earlier attempts per (checkpoint, TSA), before this run adds any.
  EMBARC_ASSIGN_OR_RETURN(auto rows, archive.index().Timestamps());
  std::map<std::pair<std::int64_t, std::string>, int> failures;
  std::set<std::pair<std::int64_t, std::string>> granted;
  for (const auto& r : rows) {
    const auto key = std::make_pair(r.checkpoint_id, r.tsa_url);
    if (r.status == "granted") {
      granted.insert(key);
    } else {
      ++failures[key];
    }
  }

  std::vector<std::string> unique_urls;
  for (const auto& u : tsa_urls) {
    if (std::find(unique_urls.begin(), unique_urls.end(), u) == unique_urls.end()) unique_urls.push_back(u);
  }
  for (const auto& u : unique_urls) {
    if (granted.contains({checkpoint_id, u})) continue;
    EMBARC_ASSIGN_OR_RETURN(StampOutcome o, StampOnce(archive, fetcher, *latest->second, u, now));
    outcomes.push_back(std::move(o));
  }

  // Retries of earlier failures, oldest first, by TSAs still in use.
  std::size_t retried = 0;
  for (const auto& [key, count] : failures) {
    if (retried == kMaxTimestampRetriesPerRun) break;
    const auto& [cp_id, url] = key;
    if (cp_id == checkpoint_id || granted.contains(key) || count >= kMaxTimestampAttempts) continue;
    if (std::find(unique_urls.begin(), unique_urls.end(), url) == unique_urls.end()) continue;
    auto cp = by_id.find(cp_id);
    if (cp == by_id.end()) continue;
    EMBARC_ASSIGN_OR_RETURN(StampOutcome o, StampOnce(archive, fetcher, *cp->second, url, now));
    outcomes.push_back(std::move(o));
    ++retried;
  }
  return outcomes;
}

}  // namespace embarc::log
