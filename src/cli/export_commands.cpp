#include "cli/export_commands.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "embarc/capture/record.h"
#include "embarc/core/files.h"
#include "embarc/export/export.h"
#include "embarc/export/verify_bundle.h"
#include "embarc/platform/platform.h"
#include "embarc/store/archive.h"

namespace embarc::cli {
namespace {

std::string Now() {
  // EMBARC_NOW pins the clock, as for every other command.
  if (const char* fixed = std::getenv("EMBARC_NOW"); fixed != nullptr && *fixed != '\0') {
    if (auto t = capture::ParseRfc3339(fixed)) return capture::Rfc3339Ms(*t);
  }
  return capture::Rfc3339Ms(std::chrono::system_clock::now());
}

const std::vector<std::string>& Values(const CommandLine& c, const std::string& flag) {
  static const std::vector<std::string> kNone;
  auto it = c.flags.find(flag);
  return it == c.flags.end() ? kNone : it->second;
}

Result<std::optional<std::string>> Single(const CommandLine& c, const std::string& flag) {
  const auto& v = Values(c, flag);
  if (v.empty()) return std::optional<std::string>();
  if (v.size() > 1) return Fail(ErrorCode::kInvalidArgument, flag + " is given more than once");
  return std::optional<std::string>(v[0]);
}

}  // namespace

Result<int> RunExportCommand(const CommandLine& c) {
  if (!c.args.empty()) return Fail(ErrorCode::kInvalidArgument, "export takes no positional arguments (select with --post URL, --article URL, --since/--until T or --all)");
  EMBARC_ASSIGN_OR_RETURN(auto out, Single(c, "--out"));
  if (!out || out->empty()) return Fail(ErrorCode::kInvalidArgument, "export needs --out FILE");
  EMBARC_ASSIGN_OR_RETURN(auto format, Single(c, "--format"));
  const std::string fmt = format.value_or("wacz");
  if (fmt != "wacz" && fmt != "jsonl" && fmt != "csv") return Fail(ErrorCode::kInvalidArgument, "--format is wacz, jsonl or csv");

  bundle::Selection selection;
  for (const std::string& u : Values(c, "--post")) {
    auto ref = platform::ParsePostUrl(u);
    if (!ref) return Fail(ErrorCode::kInvalidArgument, "not a post URL embarc knows: " + u);
    selection.posts.push_back(*ref);
  }
  selection.articles = Values(c, "--article");
  EMBARC_ASSIGN_OR_RETURN(selection.since, Single(c, "--since"));
  EMBARC_ASSIGN_OR_RETURN(selection.until, Single(c, "--until"));
  for (const auto& t : {selection.since, selection.until}) {
    if (t && !capture::ParseRfc3339(*t)) return Fail(ErrorCode::kInvalidArgument, "not an RFC 3339 UTC time: " + *t);
  }
  selection.all = c.flags.contains("--all");
  if (selection.all && (!selection.posts.empty() || !selection.articles.empty())) {
    return Fail(ErrorCode::kInvalidArgument, "--all cannot be combined with --post or --article");
  }

  std::string bytes;
  bundle::ExportSummary summary;
  if (fmt == "wacz") {
    // The log's node files may need bringing up to date to make proofs: open for writing.
    EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(c.archive_dir, /*for_writing=*/true));
    EMBARC_ASSIGN_OR_RETURN(bytes, bundle::BuildPackage(*archive, selection, Now(), &summary));
  } else {
    EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(c.archive_dir, /*for_writing=*/false));
    EMBARC_ASSIGN_OR_RETURN(bytes, bundle::BuildTable(archive->index(), selection,
                                                      fmt == "csv" ? bundle::TableFormat::kCsv : bundle::TableFormat::kJsonl));
  }
  EMBARC_RETURN_IF_ERROR(ReplaceFile(*out, bytes));
  if (c.json) {
    nlohmann::json j = {{"out", *out}, {"format", fmt}, {"bytes", bytes.size()}};
    if (fmt == "wacz") {
      j["snapshots"] = summary.snapshots;
      j["warc_records"] = summary.warc_records;
      j["files"] = summary.files;
      j["tree_size"] = summary.tree_size;
      j["timestamps"] = summary.timestamps;
    }
    std::printf("%s\n", j.dump().c_str());
  } else if (fmt == "wacz") {
    std::printf("wrote %s: %llu snapshot record(s), %llu WARC records, proofs to checkpoint %llu, %llu timestamp(s)\n",
                out->c_str(), static_cast<unsigned long long>(summary.snapshots),
                static_cast<unsigned long long>(summary.warc_records), static_cast<unsigned long long>(summary.tree_size),
                static_cast<unsigned long long>(summary.timestamps));
  } else {
    std::printf("wrote %s\n", out->c_str());
  }
  return 0;
}

Result<int> RunVerifyBundleCommand(const CommandLine& c) {
  if (c.args.size() != 1) return Fail(ErrorCode::kInvalidArgument, "usage: embarc verify-bundle FILE.wacz");
  // Refuse an oversized package by its size, before reading a byte of it.
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(c.args[0], ec);
  if (!ec && size > bundle::kMaxBundleFileBytes) {
    return Fail(ErrorCode::kCorruption, "verify-bundle " + c.args[0] + ": package: larger than " +
                                            std::to_string(bundle::kMaxBundleFileBytes) + " bytes, the most verify-bundle reads");
  }
  auto bytes = ReadFileLimited(c.args[0], bundle::kMaxBundleFileBytes);
  if (!bytes) {
    // An unreadable or absent file is bad input (2); a file too large to check is not a verified package (3).
    if (bytes.error().code == ErrorCode::kLimitExceeded) return Fail(ErrorCode::kCorruption, "package: " + bytes.error().message);
    return Fail(ErrorCode::kInvalidArgument, bytes.error().message);
  }
  auto report = bundle::VerifyBundle(*bytes);
  if (!report) return Fail(ErrorCode::kCorruption, "verify-bundle " + c.args[0] + ": " + report.error().message);
  if (c.json) {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& r : report->records) {
      records.push_back({{"record_hash", r.record_hash}, {"platform", r.platform}, {"post_id", r.post_id}, {"url", r.url},
                         {"observed_at", r.observed_at}, {"state", r.state}, {"key_id", r.key_id},
                         {"leaf_index", r.leaf_index}, {"captures", r.capture_urls}});
    }
    nlohmann::json stamps = nlohmann::json::array();
    for (const auto& t : report->timestamps) {
      stamps.push_back({{"file", t.file}, {"gen_time", t.gen_time}, {"tsa", t.tsa_name}, {"anchored", t.anchored}});
    }
    std::printf("%s\n", nlohmann::json{{"ok", true}, {"files", report->files}, {"warc_records", report->warc_records},
                                       {"origin", report->origin}, {"tree_size", report->tree_size},
                                       {"root_hash", report->root_hash}, {"checkpoint_key_id", report->checkpoint_key_id},
                                       {"keys", report->key_ids}, {"records", records}, {"timestamps", stamps}}
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::fputs(bundle::RenderReport(*report).c_str(), stdout);
  }
  return 0;
}

}  // namespace embarc::cli
