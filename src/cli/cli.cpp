#include "embarc/cli/cli.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/history.h"
#include "embarc/capture/pipeline.h"
#include "embarc/capture/record.h"
#include "embarc/core/json.h"
#include "embarc/html/extract.h"
#include "embarc/log/evidence_log.h"
#include "embarc/net/fetcher.h"
#include "embarc/platform/platform.h"
#include "embarc/store/archive.h"
#include "embarc/verify/verify.h"

namespace embarc::cli {
namespace {

struct Options {
  std::string command;
  std::vector<std::string> args;            // positional arguments after the command
  std::map<std::string, std::vector<std::string>> flags;  // command flags with values
  std::string archive_dir;
  bool json = false;
  net::FetchOptions fetch;
  std::vector<std::string> tsa;
  bool Has(const std::string& f) const { return flags.contains(f); }
};

// A command: its name, one line of help, the flags it takes (name -> takes a value), and its function.
struct Command {
  const char* name;
  const char* help;
  std::map<std::string, bool> flags;
  std::function<Result<int>(const Options&)> run;
};

std::vector<Command>& Commands();

void Print(const std::string& line) { std::fprintf(stdout, "%s\n", line.c_str()); }
void Note(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

capture::Clock MakeClock() {
  // EMBARC_NOW pins the clock (tests, reproducible demos); otherwise the system clock.
  if (const char* fixed = std::getenv("EMBARC_NOW"); fixed != nullptr && *fixed != '\0') {
    auto t = capture::ParseRfc3339(fixed);
    if (t) {
      const auto pinned = *t;
      return [pinned] { return pinned; };
    }
  }
  return [] { return std::chrono::system_clock::now(); };
}

Result<std::unique_ptr<net::Fetcher>> MakeFetcher(const Options& o) { return net::MakeCurlFetcher(o.fetch); }

Result<std::vector<platform::PostRef>> ParsePostUrls(const std::vector<std::string>& urls) {
  std::vector<platform::PostRef> out;
  for (const std::string& u : urls) {
    auto ref = platform::ParsePostUrl(u);
    if (!ref) return Fail(ErrorCode::kInvalidArgument, "not a post URL embarc knows: " + u);
    out.push_back(*ref);
  }
  return out;
}

nlohmann::ordered_json QuoteToJson(const std::optional<platform::Quote>& q) {
  if (!q) return nullptr;
  return {{"text", q->text}, {"author_name", q->author_name}, {"date", q->date}};
}

// --- commands ---------------------------------------------------------------

Result<int> RunInit(const Options& o) {
  if (!o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "init takes no arguments (use --archive DIR)");
  EMBARC_ASSIGN_OR_RETURN(std::string key_id, store::Archive::Init(o.archive_dir, capture::Rfc3339Ms(MakeClock()())));
  if (o.json) {
    Print(nlohmann::json{{"archive", o.archive_dir}, {"key_id", key_id}}.dump());
  } else {
    Print("created archive " + o.archive_dir);
    Print("signing key id " + key_id);
  }
  return 0;
}

Result<int> RunExtract(const Options& o) {
  if (o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "extract needs FILE or URL arguments");
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  for (const std::string& source : o.args) {
    std::string base;
    auto doc = capture::LoadDocument(*fetcher, source, &base);
    if (!doc) return WithContext(doc.error(), source);
    auto posts = html::ExtractEmbeds(*doc, base);
    if (!posts) return WithContext(posts.error(), source);
    for (const platform::ExtractedPost& p : *posts) {
      nlohmann::ordered_json line = {{"source", source},
                             {"platform", p.ref.platform},
                             {"post_id", p.ref.post_id},
                             {"url", p.ref.url},
                             {"author", p.ref.author ? nlohmann::ordered_json(*p.ref.author) : nlohmann::ordered_json()},
                             {"occurrences", p.occurrences},
                             {"quote", QuoteToJson(p.quote)}};
      Print(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
  return 0;
}

int ExitForReport(const capture::RunReport& report) {
  for (const auto& a : report.articles) {
    if (a.bad_input) return 2;
  }
  return report.failures() > 0 ? 4 : 0;
}

void PrintReport(const Options& o, const capture::RunReport& report) {
  for (const auto& a : report.articles) {
    if (o.json) {
      Print(nlohmann::json{{"article", a.url}, {"ok", a.ok}, {"error", a.ok ? nlohmann::json() : nlohmann::json(a.error)},
                           {"posts", a.posts.size()}}.dump());
    } else if (a.ok) {
      Print("article " + a.url + ": " + std::to_string(a.posts.size()) + " embedded post(s)");
    } else {
      Note("embarc: article " + a.source + " failed: " + a.error);
    }
  }
  for (const auto& p : report.posts) {
    if (o.json) {
      Print(nlohmann::json{{"platform", p.post.platform}, {"post_id", p.post.post_id}, {"url", p.post.url},
                           {"state", platform::PostStateName(p.state)}, {"change", p.change}, {"reason", p.reason},
                           {"record_hash", p.record_hash}, {"leaf_index", p.leaf_index}, {"media", p.media},
                           {"media_failed", p.media_failed}}.dump());
    } else {
      std::string line = "  " + p.post.platform + " " + p.post.post_id + " " + platform::PostStateName(p.state) + " (" +
                         p.change + ")";
      if (p.media > 0) line += ", media " + std::to_string(p.media - p.media_failed) + "/" + std::to_string(p.media);
      line += ", record " + p.record_hash.substr(0, 16) + "…";
      if (p.state != platform::PostState::kAvailable) line += " — " + p.reason;
      Print(line);
    }
  }
  if (!o.json) {
    Print(std::to_string(report.posts.size()) + " snapshot(s) signed and indexed; " +
          std::to_string(report.failures()) + " failure(s)");
  }
}

// After every run that adds records: the log catches up and a new signed checkpoint is written.
Result<store::CheckpointRow> Checkpoint(store::Archive& archive) {
  EMBARC_ASSIGN_OR_RETURN(auto log, log::EvidenceLog::Open(archive));
  EMBARC_ASSIGN_OR_RETURN(auto signer, archive.LoadSigner());
  return log->WriteCheckpoint(*signer, capture::Rfc3339Ms(MakeClock()()));
}

void PrintCheckpoint(const Options& o, const store::CheckpointRow& cp) {
  if (!o.json) Print("checkpoint: log size " + std::to_string(cp.tree_size) + ", root " + cp.root_hash.substr(0, 16) + "…");
}

Result<int> RunArchive(const Options& o) {
  if (o.Has("--feed") || o.Has("--sitemap") || o.Has("--depth")) {
    return Fail(ErrorCode::kInvalidArgument, "--depth, --feed and --sitemap are not implemented yet");
  }
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/true));
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  EMBARC_ASSIGN_OR_RETURN(auto report, capture::ArchiveArticles(*archive, *fetcher, o.args, MakeClock()));
  PrintReport(o, report);
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(*archive));
  PrintCheckpoint(o, cp);
  return ExitForReport(report);
}

Result<int> RunCapture(const Options& o) {
  if (o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "capture needs POST_URL arguments");
  EMBARC_ASSIGN_OR_RETURN(auto posts, ParsePostUrls(o.args));
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/true));
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  EMBARC_ASSIGN_OR_RETURN(auto report, capture::CapturePosts(*archive, *fetcher, posts, MakeClock()));
  PrintReport(o, report);
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(*archive));
  PrintCheckpoint(o, cp);
  return ExitForReport(report);
}

Result<std::string> ReadTextFile(const std::string& path, std::size_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Fail(ErrorCode::kInvalidArgument, "cannot read " + path);
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > max_bytes) {
      std::fclose(f);
      return Fail(ErrorCode::kLimitExceeded, path + " is too large");
    }
  }
  std::fclose(f);
  return text;
}

// The event a newsroom is told about when a cited post changes.
nlohmann::json ChangeEvent(const capture::PostOutcome& p) {
  return {{"event", "post_changed"},    {"platform", p.post.platform}, {"post_id", p.post.post_id},
          {"url", p.post.url},          {"state", platform::PostStateName(p.state)},
          {"change", p.change},         {"quote_mismatch", p.quote_mismatch},
          {"record_hash", p.record_hash}, {"leaf_index", p.leaf_index}};
}

// --on-change COMMAND: run through /bin/sh once per changed post, the event JSON in
// $EMBARC_EVENT. A failing command is reported on stderr; it does not undo the evidence.
Result<void> NotifyChanges(const Options& o, const capture::RunReport& report) {
  if (!o.Has("--on-change")) return Ok();
  const std::string command = o.flags.at("--on-change").back();
  for (const auto& p : report.posts) {
    const bool finding = p.change == "edited" || p.change == "deleted" || p.change == "withheld" ||
                         p.change == "restored" || p.quote_mismatch;
    if (!finding) continue;
    const std::string event = ChangeEvent(p).dump();
    ::setenv("EMBARC_EVENT", event.c_str(), 1);
    std::fflush(stdout);
    const int rc = std::system(command.c_str());
    ::unsetenv("EMBARC_EVENT");
    if (rc != 0) Note("embarc: --on-change command failed for " + p.post.url + " (status " + std::to_string(rc) + ")");
  }
  return Ok();
}

Result<int> RunRecheck(const Options& o) {
  const bool due = o.Has("--due") || (!o.Has("--all") && o.args.empty());
  if (o.Has("--all") && (o.Has("--due") || !o.args.empty())) {
    return Fail(ErrorCode::kInvalidArgument, "recheck takes --due, --all or POST_URL..., one of them");
  }
  EMBARC_ASSIGN_OR_RETURN(auto named, ParsePostUrls(o.args));
  // The write lock is held for the whole run: overlapping runs (cron) take turns, and the later
  // one finds the posts the earlier one checked no longer due.
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/true));
  const capture::Clock clock = MakeClock();
  std::vector<platform::PostRef> posts = named;
  if (named.empty()) {
    std::vector<store::PostRow> rows;
    if (due) {
      EMBARC_ASSIGN_OR_RETURN(rows, archive->index().DuePosts(capture::Rfc3339Ms(clock())));
    } else {
      EMBARC_ASSIGN_OR_RETURN(rows, archive->index().AllPosts());
    }
    for (const auto& r : rows) posts.push_back(platform::PostRef{r.platform, r.post_id, r.url, r.author});
  }
  if (posts.empty()) {
    if (!o.json) Print("nothing to re-check");
    return 0;
  }
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  EMBARC_ASSIGN_OR_RETURN(auto report, capture::CapturePosts(*archive, *fetcher, posts, clock));
  PrintReport(o, report);
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(*archive));
  PrintCheckpoint(o, cp);
  if (!o.json) {
    for (const auto& p : report.posts) {
      if (p.quote_mismatch) Print("  " + p.post.url + ": the live post no longer says what an article printed");
    }
  }
  EMBARC_RETURN_IF_ERROR(NotifyChanges(o, report));
  if (report.findings() > 0) return 1;
  return report.failures() > 0 ? 4 : 0;
}

Result<int> RunStatus(const Options& o) {
  const capture::Clock clock = MakeClock();
  std::string since = capture::Rfc3339Ms(clock() - std::chrono::hours(24 * 7));
  if (o.Has("--since")) {
    EMBARC_ASSIGN_OR_RETURN(auto t, capture::ParseRfc3339(o.flags.at("--since").back()));
    since = capture::Rfc3339Ms(t);
  }
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/false));
  store::Index& index = archive->index();
  EMBARC_ASSIGN_OR_RETURN(auto snapshots, index.AllSnapshots());
  std::size_t shown = 0;
  for (const auto& s : snapshots) {
    if (s.observed_at < since) continue;
    auto rec = ParseJson(s.record);
    bool mismatch = false;
    if (rec && rec->contains("cited_in") && (*rec)["cited_in"].is_array()) {
      for (const auto& c : (*rec)["cited_in"]) mismatch = mismatch || (c.contains("quote_matches") && c["quote_matches"] == false);
    }
    const bool changed = s.change == "edited" || s.change == "deleted" || s.change == "withheld" || s.change == "restored";
    if (!changed && !mismatch) continue;
    std::vector<std::string> articles;
    EMBARC_ASSIGN_OR_RETURN(auto embeds, index.EmbedsOfPost(s.post_ref));
    for (const auto& e : embeds) {
      EMBARC_ASSIGN_OR_RETURN(auto a, index.ArticleById(e.article_id));
      if (a) articles.push_back(a->url);
    }
    const std::string url = rec ? rec->value("url", "") : "";
    ++shown;
    if (o.json) {
      Print(nlohmann::json{{"url", url}, {"platform", rec ? rec->value("platform", "") : ""},
                           {"post_id", rec ? rec->value("post_id", "") : ""}, {"observed_at", s.observed_at},
                           {"state", s.state}, {"change", s.change}, {"quote_mismatch", mismatch},
                           {"record_hash", s.record_hash}, {"cited_in", articles}}.dump());
    } else {
      Print(s.observed_at + "  " + s.change + (mismatch ? " (quote no longer matches)" : "") + "  " + url);
      for (const auto& a : articles) Print("    cited in " + a);
    }
  }
  if (!o.json && shown == 0) Print("no post changed since " + since);
  return 0;
}

Result<int> RunVerify(const Options& o) {
  verify::VerifyOptions vo;
  EMBARC_ASSIGN_OR_RETURN(vo.posts, ParsePostUrls(o.args));
  if (o.Has("--against")) {
    EMBARC_ASSIGN_OR_RETURN(vo.against_note, ReadTextFile(o.flags.at("--against").back(), log::kMaxNoteBytes));
  }
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/false));
  EMBARC_ASSIGN_OR_RETURN(auto report, verify::VerifyArchive(*archive, vo));
  if (o.json) {
    Print(nlohmann::json{{"ok", true}, {"warc_files", report.warc_files}, {"warc_records", report.warc_records},
                         {"snapshots", report.snapshots}, {"signatures", report.signatures},
                         {"captures", report.captures}, {"keys", report.keys}, {"log_size", report.log_size},
                         {"root_hash", report.root_hash}, {"checkpoints", report.checkpoints},
                         {"against", vo.against_note.empty() ? nlohmann::json() : nlohmann::json(report.against_ok)}}.dump());
  } else {
    Print("verified: " + std::to_string(report.warc_files) + " WARC file(s), " + std::to_string(report.warc_records) +
          " WARC record(s), " + std::to_string(report.snapshots) + " snapshot record(s), " +
          std::to_string(report.signatures) + " signature(s), " + std::to_string(report.captures) +
          " capture(s) re-hashed at their offsets");
    Print("log: " + std::to_string(report.log_size) + " leaves, root " + report.root_hash + ", " +
          std::to_string(report.checkpoints) + " signed checkpoint(s) consistent with it");
    if (report.against_ok) Print("the kept checkpoint is a prefix of today's log (consistency proof verified)");
  }
  return 0;
}

Result<int> RunKeys(const Options& o) {
  if (o.args.size() != 1 || o.args[0] != "rotate") return Fail(ErrorCode::kInvalidArgument, "usage: embarc keys rotate");
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/true));
  EMBARC_ASSIGN_OR_RETURN(std::string key_id, archive->RotateKey(capture::Rfc3339Ms(MakeClock()())));
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(*archive));
  if (o.json) {
    Print(nlohmann::json{{"key_id", key_id}, {"tree_size", cp.tree_size}}.dump());
  } else {
    Print("new signing key id " + key_id + " (the rotation is leaf " + std::to_string(cp.tree_size - 1) + " of the log)");
    PrintCheckpoint(o, cp);
  }
  return 0;
}

Result<int> RunCheckpoint(const Options& o) {
  if (!o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "checkpoint takes no arguments");
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/false));
  EMBARC_ASSIGN_OR_RETURN(auto rows, archive->index().Checkpoints());
  if (rows.empty()) return Fail(ErrorCode::kNotFound, "the archive has no checkpoint yet");
  if (o.json) {
    Print(nlohmann::json{{"tree_size", rows.back().tree_size}, {"root_hash", rows.back().root_hash},
                         {"checkpoint", rows.back().note}, {"created_at", rows.back().created_at}}.dump());
  } else {
    std::fputs(rows.back().note.c_str(), stdout);
  }
  return 0;
}

std::vector<std::string> HexList(const std::vector<log::Hash>& hashes) {
  std::vector<std::string> out;
  for (const auto& h : hashes) out.push_back(h.Hex());
  return out;
}

Result<int> RunProof(const Options& o) {
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/true));
  EMBARC_ASSIGN_OR_RETURN(auto log, log::EvidenceLog::Open(*archive));
  EMBARC_ASSIGN_OR_RETURN(auto checkpoints, archive->index().Checkpoints());
  if (checkpoints.empty()) return Fail(ErrorCode::kNotFound, "the archive has no checkpoint yet");
  const store::CheckpointRow& cp = checkpoints.back();
  auto parse_size = [](const std::string& text) -> Result<std::uint64_t> {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || end == text.c_str() || *end != '\0') return Fail(ErrorCode::kInvalidArgument, "not a tree size: " + text);
    return static_cast<std::uint64_t>(v);
  };
  if (o.Has("--consistency")) {
    EMBARC_ASSIGN_OR_RETURN(std::uint64_t old_size, parse_size(o.flags.at("--consistency").back()));
    std::uint64_t new_size = cp.tree_size;
    if (o.args.size() == 1) {
      EMBARC_ASSIGN_OR_RETURN(new_size, parse_size(o.args[0]));
    } else if (o.args.size() > 1) {
      return Fail(ErrorCode::kInvalidArgument, "proof --consistency OLD_SIZE [NEW_SIZE]");
    }
    if (old_size == 0 || old_size > new_size || new_size > log->size()) {
      return Fail(ErrorCode::kInvalidArgument, "need 0 < OLD_SIZE <= NEW_SIZE <= " + std::to_string(log->size()));
    }
    EMBARC_ASSIGN_OR_RETURN(auto proof, log->tree().ConsistencyProof(old_size, new_size));
    EMBARC_ASSIGN_OR_RETURN(log::Hash old_root, log->tree().RootAt(old_size));
    EMBARC_ASSIGN_OR_RETURN(log::Hash new_root, log->tree().RootAt(new_size));
    nlohmann::ordered_json j = {{"old_size", old_size}, {"new_size", new_size}, {"old_root", old_root.Hex()},
                                {"new_root", new_root.Hex()}, {"consistency", HexList(proof)}};
    if (new_size == cp.tree_size) j["checkpoint"] = cp.note;
    Print(j.dump());
    return 0;
  }
  if (o.args.size() != 1) return Fail(ErrorCode::kInvalidArgument, "proof RECORD_HASH|POST_URL");
  const std::string& what = o.args[0];
  std::optional<store::SnapshotRow> snap;
  if (what.size() == 64 && what.find_first_not_of("0123456789abcdef") == std::string::npos) {
    EMBARC_ASSIGN_OR_RETURN(snap, archive->index().SnapshotByHash(what));
    if (!snap) return Fail(ErrorCode::kNotFound, "no record with hash " + what);
  } else {
    EMBARC_ASSIGN_OR_RETURN(auto posts, ParsePostUrls({what}));
    EMBARC_ASSIGN_OR_RETURN(auto post, archive->index().FindPost(posts[0].platform, posts[0].post_id));
    if (!post) return Fail(ErrorCode::kNotFound, "post not in the archive: " + what);
    EMBARC_ASSIGN_OR_RETURN(snap, archive->index().LatestSnapshot(post->id));
    if (!snap) return Fail(ErrorCode::kNotFound, "post has no snapshot: " + what);
  }
  if (snap->leaf_index >= cp.tree_size) return Fail(ErrorCode::kNotFound, "no checkpoint covers this record yet");
  EMBARC_ASSIGN_OR_RETURN(auto proof, log->tree().InclusionProof(snap->leaf_index, cp.tree_size));
  nlohmann::ordered_json j = {{"leaf_index", snap->leaf_index}, {"tree_size", cp.tree_size},
                              {"leaf_hash", log::LeafHash(AsBytes(snap->record)).Hex()},
                              {"record_hash", snap->record_hash}, {"inclusion", HexList(proof)},
                              {"checkpoint", cp.note}};
  Print(j.dump());
  return 0;
}

Result<int> RunHistory(const Options& o) {
  EMBARC_ASSIGN_OR_RETURN(auto posts, ParsePostUrls(o.args));
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/false));
  EMBARC_ASSIGN_OR_RETURN(std::string out, RenderHistory(archive->index(), posts, o.json));
  std::fputs(out.c_str(), stdout);
  return 0;
}

std::string Usage() {
  std::string u = "usage: embarc [--archive DIR] [--json] COMMAND [ARGS]\n\ncommands:\n";
  for (const Command& c : Commands()) u += "  " + std::string(c.name) + std::string(12 - std::min<std::size_t>(11, std::string(c.name).size()), ' ') + c.help + "\n";
  u += "\nglobal options: --archive DIR (else $EMBARC_ARCHIVE, else ./archive), --json,\n"
       "  --connect-to HOST:PORT:ADDR:PORT (repeatable), --cacert FILE, --allow-private-addresses, --tsa URL,\n"
       "  --timeout SECONDS (per request, default 30)\n"
       "exit codes: 0 ok, 1 change found (recheck), 2 bad usage or input, 3 integrity failure,\n"
       "  4 some captures failed, 5 internal error\n";
  return u;
}

Result<int> RunHelp(const Options&) {
  std::fputs(Usage().c_str(), stdout);
  return 0;
}

std::vector<Command>& Commands() {
  static std::vector<Command> commands = {
      {"init", "create an archive: database, keys (private key mode 0600)", {}, RunInit},
      {"extract", "print the embedded posts of FILE|URL... as JSON Lines", {}, RunExtract},
      {"archive", "capture article(s) URL|FILE... and every embedded post",
       {{"--depth", true}, {"--feed", true}, {"--sitemap", true}}, RunArchive},
      {"capture", "capture POST_URL... directly", {}, RunCapture},
      {"verify", "offline integrity check of the archive [or of POST_URL...]; --against CHECKPOINT_FILE",
       {{"--against", true}}, RunVerify},
      {"proof", "inclusion proof of RECORD_HASH|POST_URL; --consistency OLD_SIZE [NEW_SIZE]",
       {{"--consistency", true}}, RunProof},
      {"checkpoint", "the latest signed checkpoint", {}, RunCheckpoint},
      {"keys", "keys rotate: a new key signs from then on; old records stay verifiable", {}, RunKeys},
      {"history", "every snapshot of POST_URL (all posts without one)", {}, RunHistory},
      {"recheck", "capture again, compare, record edits and deletions: --due (default), --all or POST_URL...",
       {{"--due", false}, {"--all", false}, {"--on-change", true}, {"--webhook", true}, {"--webhook-secret-file", true}},
       RunRecheck},
      {"status", "posts whose state changed since --since T (default: 7 days), with the articles citing them",
       {{"--since", true}}, RunStatus},
      {"help", "this text", {}, RunHelp},
  };
  return commands;
}

// Global options are accepted before or after the command name.
Result<Options> ParseArgs(std::span<char*> argv) {
  Options o;
  if (const char* env = std::getenv("EMBARC_ARCHIVE"); env != nullptr && *env != '\0') {
    o.archive_dir = env;
  } else {
    o.archive_dir = "archive";
  }
  std::vector<std::string> rest;
  for (std::size_t i = 1; i < argv.size(); ++i) rest.emplace_back(argv[i]);
  const Command* command = nullptr;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    auto value = [&](const std::string& name) -> Result<std::string> {
      if (i + 1 >= rest.size()) return Fail(ErrorCode::kInvalidArgument, name + " needs a value");
      return rest[++i];
    };
    if (a == "--archive") {
      EMBARC_ASSIGN_OR_RETURN(o.archive_dir, value(a));
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--connect-to") {
      EMBARC_ASSIGN_OR_RETURN(std::string v, value(a));
      o.fetch.connect_to.push_back(v);
    } else if (a == "--cacert") {
      EMBARC_ASSIGN_OR_RETURN(o.fetch.ca_file, value(a));
    } else if (a == "--timeout") {
      EMBARC_ASSIGN_OR_RETURN(std::string v, value(a));
      char* end = nullptr;
      const double secs = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(secs > 0) || secs > 3600) {
        return Fail(ErrorCode::kInvalidArgument, "--timeout takes seconds between 0 and 3600");
      }
      o.fetch.total_timeout = std::chrono::milliseconds(static_cast<long>(secs * 1000));
      o.fetch.first_byte_timeout = std::min(o.fetch.first_byte_timeout, o.fetch.total_timeout);
      o.fetch.connect_timeout = std::min(o.fetch.connect_timeout, o.fetch.total_timeout);
    } else if (a == "--allow-private-addresses") {
      o.fetch.allow_private_addresses = true;
    } else if (a == "--tsa") {
      EMBARC_ASSIGN_OR_RETURN(std::string v, value(a));
      o.tsa.push_back(v);
    } else if (a == "--help" || a == "-h") {
      o.command = "help";
      return o;
    } else if (command == nullptr && !a.starts_with("-")) {
      for (const Command& c : Commands()) {
        if (a == c.name) command = &c;
      }
      if (command == nullptr) return Fail(ErrorCode::kInvalidArgument, "unknown command '" + a + "' (see embarc help)");
      o.command = a;
    } else if (command != nullptr && command->flags.contains(a)) {
      if (command->flags.at(a)) {
        EMBARC_ASSIGN_OR_RETURN(std::string v, value(a));
        o.flags[a].push_back(v);
      } else {
        o.flags[a];
      }
    } else if (a.starts_with("--") && a != "--") {
      return Fail(ErrorCode::kInvalidArgument, "unknown option " + a);
    } else if (command == nullptr) {
      return Fail(ErrorCode::kInvalidArgument, "missing command (see embarc help)");
    } else {
      o.args.push_back(a);
    }
  }
  if (command == nullptr) return Fail(ErrorCode::kInvalidArgument, "missing command (see embarc help)");
  return o;
}

}  // namespace

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kLimitExceeded:
    case ErrorCode::kFailedPrecondition:
      return 2;
    case ErrorCode::kCorruption:
      return 3;
    case ErrorCode::kNetwork:
    case ErrorCode::kUnavailable:
      return 4;
    default:
      return 5;
  }
}

int Main(std::span<char*> argv) {
  auto options = ParseArgs(argv);
  if (!options) {
    std::fprintf(stderr, "embarc: %s\n", options.error().message.c_str());
    return 2;
  }
  for (const Command& c : Commands()) {
    if (options->command != c.name) continue;
    Result<int> r = [&]() -> Result<int> {
      try {
        return c.run(*options);
      } catch (const std::exception& e) {
        return Fail(ErrorCode::kInternal, std::string("internal error: ") + e.what());
      }
    }();
    std::fflush(stdout);
    if (r) return *r;
    std::fprintf(stderr, "embarc: %s\n", r.error().message.c_str());
    return ExitCodeFor(r.error().code);
  }
  std::fprintf(stderr, "embarc: unknown command\n");
  return 2;
}

}  // namespace embarc::cli
