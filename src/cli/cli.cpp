#include "embarc/cli/cli.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/export_commands.h"
#include "cli/history.h"
#include "cli/progress.h"
#include "cli/warc_extract.h"
#include "cli/notify.h"
#include "embarc/capture/pipeline.h"
#include "embarc/capture/record.h"
#include "embarc/core/json.h"
#include "embarc/crawl/crawler.h"
#include "embarc/html/extract.h"
#include "embarc/log/evidence_log.h"
#include "embarc/log/stamping.h"
#include "embarc/net/fetcher.h"
#include "embarc/platform/platform.h"
#include "embarc/store/archive.h"
#include "embarc/verify/verify.h"
#include "embarc/warc/warc.h"

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

// Opens the archive with the write lock; what the open repaired after a crashed writer (an
// incomplete last WARC record) is named on stderr.
Result<std::unique_ptr<store::Archive>> OpenForWriting(const Options& o) {
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/true));
  for (const std::string& r : archive->repairs()) Note("repaired: " + r);
  return archive;
}

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

// One JSON line per distinct post of a document (DESIGN.md §3 "extract --json").
void PrintExtracted(const std::string& source, const std::vector<platform::ExtractedPost>& posts) {
  for (const platform::ExtractedPost& p : posts) {
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

// extract --warc FILE...: every HTML response record of each WARC, with its WARC-Target-URI as
// source and base URL. Lines are printed as records are read, so what precedes damage in a file
// is printed; a damaged or unreadable file is named in one stderr line, the remaining files are
// still scanned, and the exit code is then 2. An HTML record that cannot be used (over the size
// limit, undecodable, too deeply nested) is named on stderr and skipped; it does not change the
// exit code.
Result<int> RunExtractWarc(const Options& o) {
  int exit_code = 0;
  for (const std::string& file : o.args) {
    auto scanned = warc::ScanRecords(file, kMaxWarcBlockKept, [&](const warc::ScannedRecord& r) -> Result<void> {
      WarcHtml page = HtmlOfRecord(r);
      if (page.kind == WarcHtml::Kind::kNotHtml) return Ok();
      const std::string where = file + ", record " + std::to_string(r.index + 1) + " (" + page.target_uri + ")";
      if (page.kind == WarcHtml::Kind::kSkipped) {
        Note("embarc: skipped " + where + ": " + page.why);
        return Ok();
      }
      auto posts = html::ExtractEmbeds(page.html, page.target_uri);
      if (!posts) {
        Note("embarc: skipped " + where + ": " + posts.error().message);
        return Ok();
      }
      PrintExtracted(page.target_uri, *posts);
      return Ok();
    });
    if (!scanned) {
      std::fflush(stdout);
      Note("embarc: " + (scanned.error().message.find(file) != std::string::npos ? "" : file + ": ") +
           scanned.error().message);
      exit_code = 2;
    }
  }
  return exit_code;
}

Result<int> RunExtract(const Options& o) {
  if (o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "extract needs FILE or URL arguments (or --warc FILE...)");
  if (o.Has("--warc")) return RunExtractWarc(o);
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  for (const std::string& source : o.args) {
    std::string base;
    auto doc = capture::LoadDocument(*fetcher, source, &base);
    if (!doc) return WithContext(doc.error(), source);
    auto posts = html::ExtractEmbeds(*doc, base);
    if (!posts) return WithContext(posts.error(), source);
    PrintExtracted(source, *posts);
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
                           {"media_failed", p.media_failed}, {"quote_mismatch", p.quote_mismatch},
                           {"version_mismatch", p.version_mismatch}}.dump());
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

// Sends checkpoint `checkpoint_id` to the archive's TSAs and those given with --tsa, and retries
// earlier failures. A TSA that fails is recorded and named on stderr; it never fails the run.
Result<void> StampWithTsas(const Options& o, store::Archive& archive, std::int64_t checkpoint_id) {
  EMBARC_ASSIGN_OR_RETURN(std::vector<std::string> tsas, log::ConfiguredTsas(archive));
  tsas.insert(tsas.end(), o.tsa.begin(), o.tsa.end());
  if (tsas.empty()) return Ok();
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  EMBARC_ASSIGN_OR_RETURN(auto outcomes, log::StampCheckpoint(archive, *fetcher, checkpoint_id, tsas,
                                                              capture::Rfc3339Ms(MakeClock()())));
  for (const log::StampOutcome& s : outcomes) {
    const std::string which = "checkpoint " + std::to_string(s.checkpoint_id) + " by " + s.tsa_url;
    if (s.granted) {
      if (!o.json) Print("timestamp: " + which + ", genTime " + s.gen_time);
    } else {
      Note("warning: timestamp of " + which + " failed (" + s.error + "); recorded, retried on a later run");
    }
  }
  return Ok();
}

// After every run that adds records: the log catches up, a new signed checkpoint is written
// and sent to the TSAs.
Result<store::CheckpointRow> Checkpoint(const Options& o, store::Archive& archive) {
  EMBARC_ASSIGN_OR_RETURN(auto log, log::EvidenceLog::Open(archive));
  EMBARC_ASSIGN_OR_RETURN(auto signer, archive.LoadSigner());
  EMBARC_ASSIGN_OR_RETURN(auto row, log->WriteCheckpoint(*signer, capture::Rfc3339Ms(MakeClock()())));
  EMBARC_RETURN_IF_ERROR(StampWithTsas(o, archive, row.id));
  return row;
}

void PrintCheckpoint(const Options& o, const store::CheckpointRow& cp) {
  if (!o.json) Print("checkpoint: log size " + std::to_string(cp.tree_size) + ", root " + cp.root_hash.substr(0, 16) + "…");
}

// archive --depth N URL... / --feed URL / --sitemap URL: the crawler (crawl/crawler.h).
Result<int> RunCrawlingArchive(const Options& o) {
  auto number = [&](const char* flag, double lo, double hi) -> Result<std::optional<double>> {
    if (!o.Has(flag)) return std::optional<double>();
    const std::string v = o.flags.at(flag).back();
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || end == v.c_str() || *end != '\0' || !(d >= lo) || !(d <= hi)) {
      return Fail(ErrorCode::kInvalidArgument, std::string(flag) + " takes a number from " + std::to_string(static_cast<long>(lo)) +
                                                   " to " + std::to_string(static_cast<long>(hi)) + ", not '" + v + "'");
    }
    return std::optional<double>(d);
  };
  EMBARC_ASSIGN_OR_RETURN(auto depth, number("--depth", 0, crawl::kMaxCrawlDepth));
  EMBARC_ASSIGN_OR_RETURN(auto max_pages, number("--max-pages", 1, static_cast<double>(crawl::kMaxCrawlPages)));
  EMBARC_ASSIGN_OR_RETURN(auto interval, number("--interval", 0, 60));
  if (depth && *depth != static_cast<double>(static_cast<int>(*depth))) {
    return Fail(ErrorCode::kInvalidArgument, "--depth takes a whole number");
  }
  const bool lists = o.Has("--feed") || o.Has("--sitemap");
  if (lists && (depth || !o.args.empty())) {
    return Fail(ErrorCode::kInvalidArgument, "archive takes --feed/--sitemap or URL... [--depth N], not both");
  }
  if (!lists && !depth) return Fail(ErrorCode::kInvalidArgument, "--max-pages and --interval go with --depth N");
  if (depth && o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "archive --depth N needs a start URL");
  crawl::Politeness politeness;
  if (interval) politeness.min_interval = std::chrono::milliseconds(static_cast<long>(*interval * 1000));

  EMBARC_ASSIGN_OR_RETURN(auto archive, OpenForWriting(o));
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  const capture::Clock clock = MakeClock();
  const crawl::EventSink events = [&](const crawl::CrawlEvent& e) {
    if (o.json) {
      Print(nlohmann::json{{"event", e.kind}, {"url", e.url}, {"depth", e.depth < 0 ? nlohmann::json() : nlohmann::json(e.depth)},
                           {"status", e.status}, {"detail", e.detail}}.dump());
    } else if (e.kind == "failed") {
      Note("embarc: " + e.url + " failed: " + e.detail);
    } else if (e.kind == "retry") {
      Print("  HTTP " + std::to_string(e.status) + " from " + e.url + ": waiting (" + e.detail + ")");
    } else if (e.kind == "page") {
      Print("  fetched " + e.url + (e.depth >= 0 ? " (depth " + std::to_string(e.depth) + ", " + e.detail + ")" : ""));
    } else if (e.kind == "stopped") {
      Print("  stopped: " + e.detail + "; run the same command again to continue");
    } else {
      Print("  " + e.kind + " " + e.url + ": " + e.detail);
    }
  };
  std::vector<crawl::CrawlReport> reports;
  std::vector<std::string> what;
  for (const std::string& seed : o.args) {
    crawl::CrawlOptions co;
    co.depth = static_cast<int>(depth.value_or(0));
    if (max_pages) co.max_pages = static_cast<std::size_t>(*max_pages);
    co.politeness = politeness;
    EMBARC_ASSIGN_OR_RETURN(auto r, crawl::Crawl(*archive, *fetcher, seed, co, clock, crawl::RealTimer(), events));
    reports.push_back(std::move(r));
    what.push_back("crawl " + seed);
  }
  for (const char* flag : {"--feed", "--sitemap"}) {
    if (!o.Has(flag)) continue;
    const auto kind = std::string(flag) == "--feed" ? crawl::ListKind::kFeed : crawl::ListKind::kSitemap;
    for (const std::string& list : o.flags.at(flag)) {
      EMBARC_ASSIGN_OR_RETURN(auto r, crawl::ArchiveListed(*archive, *fetcher, kind, list, politeness, clock,
                                                           crawl::RealTimer(), events));
      reports.push_back(std::move(r));
      what.push_back(std::string(flag + 2) + " " + list);
    }
  }
  int exit_code = 0;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const crawl::CrawlReport& r = reports[i];
    PrintReport(o, r.capture);
    if (o.json) {
      Print(nlohmann::json{{"summary", what[i]}, {"pages_fetched", r.pages_fetched}, {"already_done", r.already_done},
                           {"pages_failed", r.pages_failed}, {"robots_blocked", r.robots_blocked},
                           {"offsite_links", r.offsite_links}, {"pending", r.pending}, {"listed", r.listed},
                           {"skipped_known", r.skipped_known}, {"articles", r.capture.articles.size()},
                           {"truncated", r.truncated}}.dump());
    } else if (what[i].starts_with("crawl ")) {
      Print(what[i] + ": " + std::to_string(r.pages_fetched) + " page(s) fetched, " + std::to_string(r.already_done) +
            " done in earlier runs (not fetched again), " + std::to_string(r.capture.articles.size()) +
            " article(s) archived, " + std::to_string(r.pages_failed) + " failed, " + std::to_string(r.robots_blocked) +
            " disallowed by robots.txt, " + std::to_string(r.offsite_links) + " off-site link(s) not followed, " +
            std::to_string(r.pending) + " pending");
    } else {
      Print(what[i] + ": " + std::to_string(r.listed) + " article(s) listed, " +
            std::to_string(r.listed - r.skipped_known) + " new, " + std::to_string(r.skipped_known) +
            " already in the archive (skipped)" + (r.truncated ? " (list truncated at its limit)" : ""));
    }
    const int code = ExitForReport(r.capture);
    if (code == 2 || (code == 4 && exit_code == 0)) exit_code = code;
    if (r.pages_failed > 0 && exit_code == 0) exit_code = 4;
  }
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(o, *archive));
  PrintCheckpoint(o, cp);
  return exit_code;
}

Result<int> RunArchive(const Options& o) {
  if (o.Has("--feed") || o.Has("--sitemap") || o.Has("--depth") || o.Has("--max-pages") || o.Has("--interval")) {
    return RunCrawlingArchive(o);
  }
  EMBARC_ASSIGN_OR_RETURN(auto archive, OpenForWriting(o));
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  std::unique_ptr<ProgressLine> progress;
  EMBARC_ASSIGN_OR_RETURN(auto report, capture::ArchiveArticles(*archive, *fetcher, o.args, MakeClock(),
                                                                TerminalProgress(progress)));
  if (progress) progress->Clear();
  PrintReport(o, report);
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(o, *archive));
  PrintCheckpoint(o, cp);
  return ExitForReport(report);
}

Result<int> RunCapture(const Options& o) {
  if (o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "capture needs POST_URL arguments");
  EMBARC_ASSIGN_OR_RETURN(auto posts, ParsePostUrls(o.args));
  EMBARC_ASSIGN_OR_RETURN(auto archive, OpenForWriting(o));
  EMBARC_ASSIGN_OR_RETURN(auto fetcher, MakeFetcher(o));
  std::unique_ptr<ProgressLine> progress;
  EMBARC_ASSIGN_OR_RETURN(auto report, capture::CapturePosts(*archive, *fetcher, posts, MakeClock(),
                                                             TerminalProgress(progress)));
  if (progress) progress->Clear();
  PrintReport(o, report);
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(o, *archive));
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

Result<int> RunRecheck(const Options& o) {
  const bool due = o.Has("--due") || (!o.Has("--all") && o.args.empty());
  if (o.Has("--all") && (o.Has("--due") || !o.args.empty())) {
    return Fail(ErrorCode::kInvalidArgument, "recheck takes --due, --all or POST_URL..., one of them");
  }
  EMBARC_ASSIGN_OR_RETURN(auto named, ParsePostUrls(o.args));
  NotifySettings notify;
  if (o.Has("--on-change")) notify.on_change = o.flags.at("--on-change").back();
  if (o.Has("--webhook")) notify.webhooks = o.flags.at("--webhook");
  for (const std::string& hook : notify.webhooks) {
    if (!hook.starts_with("https://") && !hook.starts_with("http://")) {
      return Fail(ErrorCode::kInvalidArgument, "--webhook needs an http(s) URL: " + RedactedUrl(hook));
    }
  }
  if (o.Has("--webhook-secret-file")) {
    if (notify.webhooks.empty()) return Fail(ErrorCode::kInvalidArgument, "--webhook-secret-file needs --webhook URL");
    // Checked before anything is captured: a secret others can read is refused like the signing key.
    EMBARC_ASSIGN_OR_RETURN(notify.secret, ReadWebhookSecret(o.flags.at("--webhook-secret-file").back()));
  }
  // The write lock is held for the whole run: overlapping runs (cron) take turns, and the later
  // one finds the posts the earlier one checked no longer due.
  EMBARC_ASSIGN_OR_RETURN(auto archive, OpenForWriting(o));
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
  std::unique_ptr<ProgressLine> progress;
  EMBARC_ASSIGN_OR_RETURN(auto report, capture::CapturePosts(*archive, *fetcher, posts, clock, TerminalProgress(progress)));
  if (progress) progress->Clear();
  PrintReport(o, report);
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(o, *archive));
  PrintCheckpoint(o, cp);
  if (!o.json) {
    for (const auto& p : report.posts) {
      if (p.quote_mismatch) Print("  " + p.post.url + ": the live post no longer says what an article printed");
      if (p.version_mismatch) Print("  " + p.post.url + ": the live post is not the version an article embedded");
    }
  }
  const NotifyOutcome notified = NotifyChanges(notify, report, *fetcher, [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
  });
  for (const std::string& problem : notified.problems) Note("embarc: " + problem);
  // Findings take precedence over failed captures and failed webhook deliveries: the evidence
  // is stored either way, and exit 1 is what a cron job acts on. A failed delivery alone
  // (e.g. of a restoration, which is not a finding) is exit 4.
  if (report.findings() > 0) return 1;
  return report.failures() > 0 || notified.webhook_failures > 0 ? 4 : 0;
}

// `status [--since T]` and `history --changed [--since T]`: every post whose state changed in
// the period (default: the last 7 days), with the articles citing it.
Result<int> RunStatus(const Options& o) {
  if (!o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "the list of changed posts takes no POST_URL (use --since T)");
  const capture::Clock clock = MakeClock();
  std::string since = capture::Rfc3339Ms(clock() - std::chrono::hours(24 * 7));
  if (o.Has("--since")) {
    EMBARC_ASSIGN_OR_RETURN(auto t, capture::ParseRfc3339(o.flags.at("--since").back()));
    since = capture::Rfc3339Ms(t);
  }
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/false));
  EMBARC_ASSIGN_OR_RETURN(std::string out, RenderChanges(archive->index(), since, o.json));
  std::fputs(out.c_str(), stdout);
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
  for (const std::string& w : report.warnings) Note("warning: " + w);
  if (o.json) {
    Print(nlohmann::json{{"ok", true}, {"warc_files", report.warc_files}, {"warc_records", report.warc_records},
                         {"snapshots", report.snapshots}, {"signatures", report.signatures},
                         {"captures", report.captures}, {"keys", report.keys}, {"log_size", report.log_size},
                         {"root_hash", report.root_hash}, {"checkpoints", report.checkpoints},
                         {"timestamps", report.timestamps}, {"timestamps_unanchored", report.timestamps_unanchored},
                         {"timestamps_failed", report.timestamps_failed}, {"warnings", report.warnings},
                         {"against", vo.against_note.empty() ? nlohmann::json() : nlohmann::json(report.against_ok)},
                         {"seconds", {{"warc", report.warc_seconds}, {"records", report.records_seconds}, {"log", report.log_seconds}}}}
              .dump());
  } else {
    Print("verified: " + std::to_string(report.warc_files) + " WARC file(s), " + std::to_string(report.warc_records) +
          " WARC record(s), " + std::to_string(report.snapshots) + " snapshot record(s), " +
          std::to_string(report.signatures) + " signature(s), " + std::to_string(report.captures) +
          " capture(s) matched to their WARC records");
    Print("log: " + std::to_string(report.log_size) + " leaves, root " + report.root_hash + ", " +
          std::to_string(report.checkpoints) + " signed checkpoint(s) consistent with it");
    if (report.timestamps + report.timestamps_unanchored + report.timestamps_failed > 0) {
      Print("trusted time: " + std::to_string(report.timestamps) + " RFC 3161 token(s) verified to a stored TSA anchor as of their genTime" +
            (report.timestamps_unanchored > 0 ? ", " + std::to_string(report.timestamps_unanchored) +
                                                    " verified against their own certificate only (no TSA anchor stored)"
                                              : "") +
            (report.timestamps_failed > 0 ? ", " + std::to_string(report.timestamps_failed) + " failed request(s) on record" : ""));
    }
    if (report.against_ok) Print("the kept checkpoint is a prefix of today's log (consistency proof verified)");
  }
  return 0;
}

Result<int> RunKeys(const Options& o) {
  if (o.args.size() != 1 || o.args[0] != "rotate") return Fail(ErrorCode::kInvalidArgument, "usage: embarc keys rotate");
  EMBARC_ASSIGN_OR_RETURN(auto archive, OpenForWriting(o));
  EMBARC_ASSIGN_OR_RETURN(std::string key_id, archive->RotateKey(capture::Rfc3339Ms(MakeClock()())));
  EMBARC_ASSIGN_OR_RETURN(auto cp, Checkpoint(o, *archive));
  if (o.json) {
    Print(nlohmann::json{{"key_id", key_id}, {"tree_size", cp.tree_size}}.dump());
  } else {
    Print("new signing key id " + key_id + " (the rotation is leaf " + std::to_string(cp.tree_size - 1) + " of the log)");
    PrintCheckpoint(o, cp);
  }
  return 0;
}

// The trusted timestamps of a checkpoint, with the files openssl needs (tsa/tokens/).
nlohmann::json TimestampsJson(store::Archive& archive, const std::vector<store::TimestampRow>& rows, std::int64_t checkpoint_id) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : rows) {
    if (t.checkpoint_id != checkpoint_id) continue;
    nlohmann::json j{{"tsa", t.tsa_url}, {"requested_at", t.requested_at}, {"status", t.status}};
    if (t.error) j["error"] = *t.error;
    if (t.status == "granted") {
      j["gen_time"] = t.gen_time.value_or("");
      if (auto unix = capture::ParseRfc3339(t.gen_time.value_or("")); unix) {
        j["gen_time_unix"] = std::chrono::duration_cast<std::chrono::seconds>(unix->time_since_epoch()).count();
      }
      j["token_file"] = log::TokenFile(archive, t.checkpoint_id, t.id).string();
      j["data_file"] = log::StampedNoteFile(archive, t.checkpoint_id).string();
    }
    out.push_back(std::move(j));
  }
  return out;
}

Result<int> RunCheckpoint(const Options& o) {
  if (!o.args.empty()) return Fail(ErrorCode::kInvalidArgument, "checkpoint takes no arguments");
  const bool stamp = o.Has("--stamp");
  EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/stamp));
  EMBARC_ASSIGN_OR_RETURN(auto rows, archive->index().Checkpoints());
  if (rows.empty()) return Fail(ErrorCode::kNotFound, "the archive has no checkpoint yet");
  if (stamp) {
    EMBARC_ASSIGN_OR_RETURN(auto tsas, log::ConfiguredTsas(*archive));
    if (tsas.empty() && o.tsa.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "--stamp needs a TSA: --tsa URL, or embarc tsa add URL");
    }
    EMBARC_RETURN_IF_ERROR(StampWithTsas(o, *archive, rows.back().id));
  }
  EMBARC_ASSIGN_OR_RETURN(auto stamps, archive->index().Timestamps());
  if (o.json) {
    Print(nlohmann::json{{"tree_size", rows.back().tree_size}, {"root_hash", rows.back().root_hash},
                         {"checkpoint", rows.back().note}, {"created_at", rows.back().created_at},
                         {"timestamps", TimestampsJson(*archive, stamps, rows.back().id)}}.dump());
  } else {
    std::fputs(rows.back().note.c_str(), stdout);
  }
  return 0;
}

Result<int> RunTsa(const Options& o) {
  const std::string sub = o.args.empty() ? "" : o.args[0];
  if (sub == "list" && o.args.size() == 1) {
    EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/false));
    EMBARC_ASSIGN_OR_RETURN(auto tsas, log::ConfiguredTsas(*archive));
    EMBARC_ASSIGN_OR_RETURN(std::string anchors, log::TsaAnchors(*archive));
    if (o.json) {
      Print(nlohmann::json{{"tsa", tsas}, {"anchors_file", (log::TsaDir(*archive) / "anchors.pem").string()},
                           {"anchors", !anchors.empty()}}.dump());
    } else {
      for (const auto& t : tsas) Print(t);
      if (tsas.empty()) Print("no TSA configured");
      if (anchors.empty()) Print("no TSA trust anchor stored: verify checks tokens against their own certificates only");
    }
    return 0;
  }
  if ((sub == "add" || sub == "remove") && o.args.size() == 2) {
    EMBARC_ASSIGN_OR_RETURN(auto archive, OpenForWriting(o));
    if (sub == "remove") {
      if (o.Has("--ca")) return Fail(ErrorCode::kInvalidArgument, "tsa remove takes no --ca");
      EMBARC_RETURN_IF_ERROR(log::RemoveTsa(*archive, o.args[1]));
      if (!o.json) Print("removed TSA " + o.args[1] + " (its tokens stay)");
      return 0;
    }
    std::string ca;
    if (o.Has("--ca")) {
      EMBARC_ASSIGN_OR_RETURN(ca, ReadTextFile(o.flags.at("--ca").back(), log::kMaxTsaSettingsBytes));
    }
    EMBARC_RETURN_IF_ERROR(log::AddTsa(*archive, o.args[1], ca));
    if (!o.json) Print("added TSA " + o.args[1] + (ca.empty() ? " (no CA given: add one with --ca FILE to anchor its tokens)" : ""));
    return 0;
  }
  return Fail(ErrorCode::kInvalidArgument, "usage: embarc tsa add URL [--ca FILE] | tsa remove URL | tsa list");
}

std::vector<std::string> HexList(const std::vector<log::Hash>& hashes) {
  std::vector<std::string> out;
  for (const auto& h : hashes) out.push_back(h.Hex());
  return out;
}

// The archive and its log for proofs against the latest checkpoint. Read without the write lock
// when log/ is whole and already holds that checkpoint's tree (a proof then reads O(log n)
// nodes and nothing waits for a running writer); otherwise opened as a writer, which repairs
// a crashed append and catches the node files up with the index first.
struct ProofSource {
  std::unique_ptr<store::Archive> archive;
  std::unique_ptr<log::EvidenceLog> log;
  store::CheckpointRow checkpoint;
};

Result<ProofSource> OpenProofSource(const Options& o) {
  auto latest = [](store::Archive& archive) -> Result<store::CheckpointRow> {
    EMBARC_ASSIGN_OR_RETURN(auto checkpoints, archive.index().Checkpoints());
    if (checkpoints.empty()) return Fail(ErrorCode::kNotFound, "the archive has no checkpoint yet");
    return checkpoints.back();
  };
  {
    EMBARC_ASSIGN_OR_RETURN(auto archive, store::Archive::Open(o.archive_dir, /*for_writing=*/false));
    EMBARC_ASSIGN_OR_RETURN(store::CheckpointRow cp, latest(*archive));
    if (auto log = log::EvidenceLog::OpenForReading(*archive); log && (*log)->size() >= cp.tree_size) {
      auto root = (*log)->tree().RootAt(cp.tree_size);
      if (root && root->Hex() == cp.root_hash) return ProofSource{std::move(archive), std::move(*log), std::move(cp)};
    }
  }
  ProofSource out;
  EMBARC_ASSIGN_OR_RETURN(out.archive, OpenForWriting(o));
  EMBARC_ASSIGN_OR_RETURN(out.log, log::EvidenceLog::Open(*out.archive));
  EMBARC_ASSIGN_OR_RETURN(out.checkpoint, latest(*out.archive));
  return out;
}

Result<int> RunProof(const Options& o) {
  EMBARC_ASSIGN_OR_RETURN(ProofSource source, OpenProofSource(o));
  store::Archive* archive = source.archive.get();
  const log::EvidenceLog* log = source.log.get();
  const store::CheckpointRow& cp = source.checkpoint;
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
  if (o.Has("--changed")) return RunStatus(o);
  if (o.Has("--since")) return Fail(ErrorCode::kInvalidArgument, "history --since T needs --changed");
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
       "  --connect-to HOST:PORT:ADDR:PORT (repeatable), --cacert FILE, --allow-private-addresses,\n"
       "  --tsa URL (repeatable: this run's checkpoint is also stamped by it; see embarc tsa add),\n"
       "  --timeout SECONDS (per request, default 30),\n"
       "  --parallel N (requests in flight, default 32), --max-per-host N (default 6; both 1 to 256)\n"
       "exit codes: 0 ok, 1 change found (recheck), 2 bad usage or input, 3 integrity failure,\n"
       "  4 some captures failed, 5 internal error\n";
  return u;
}

Result<int> RunHelp(const Options&) {
  std::fputs(Usage().c_str(), stdout);
  return 0;
}

Result<int> RunVersion(const Options&) {
  std::printf("embarc %s\n", EMBARC_VERSION);
  return 0;
}

std::vector<Command>& Commands() {
  static std::vector<Command> commands = {
      {"init", "create an archive: database, keys (private key mode 0600)", {}, RunInit},
      {"extract", "print the embedded posts of FILE|URL... as JSON Lines; --warc: of every HTML response in FILE.warc[.gz]...",
       {{"--warc", false}}, RunExtract},
      {"archive", "capture article(s) URL|FILE... and every embedded post; --depth N follows same-site links "
                  "(--max-pages N, --interval SECONDS); --feed URL, --sitemap URL archive what they list",
       {{"--depth", true}, {"--feed", true}, {"--sitemap", true}, {"--max-pages", true}, {"--interval", true}},
       RunArchive},
      {"capture", "capture POST_URL... directly", {}, RunCapture},
      {"verify", "offline integrity check of the archive [or of POST_URL...]; --against CHECKPOINT_FILE",
       {{"--against", true}}, RunVerify},
      {"proof", "inclusion proof of RECORD_HASH|POST_URL; --consistency OLD_SIZE [NEW_SIZE]",
       {{"--consistency", true}}, RunProof},
      {"checkpoint", "the latest signed checkpoint and its timestamps; --stamp sends it to the TSAs now",
       {{"--stamp", false}}, RunCheckpoint},
      {"tsa", "tsa add URL [--ca FILE] | remove URL | list: the TSAs every run stamps checkpoints with",
       {{"--ca", true}}, RunTsa},
      {"keys", "keys rotate: a new key signs from then on; old records stay verifiable", {}, RunKeys},
      {"history", "every snapshot of POST_URL (all posts without one); --changed [--since T]: as status",
       {{"--changed", false}, {"--since", true}}, RunHistory},
      {"recheck", "capture again, compare, record edits and deletions: --due (default), --all or POST_URL...;\n"
                  "              --on-change CMD, --webhook URL [--webhook-secret-file FILE (mode 0600)]",
       {{"--due", false}, {"--all", false}, {"--on-change", true}, {"--webhook", true}, {"--webhook-secret-file", true}},
       RunRecheck},
      {"status", "posts whose state changed since --since T (default: 7 days), with the articles citing them",
       {{"--since", true}}, RunStatus},
      {"export", "evidence package: --out FILE.wacz with --post URL (repeatable), --article URL, --since T --until T\n"
                 "              or --all; --format jsonl|csv writes a research table instead",
       {{"--out", true}, {"--format", true}, {"--post", true}, {"--article", true}, {"--since", true}, {"--until", true},
        {"--all", false}},
       [](const Options& o) { return RunExportCommand({o.archive_dir, o.args, o.flags, o.json}); }},
      {"verify-bundle", "verify an exported FILE.wacz offline, with no archive: exit 0, or 3 naming the first failure", {},
       [](const Options& o) { return RunVerifyBundleCommand({o.archive_dir, o.args, o.flags, o.json}); }},
      {"help", "this text", {}, RunHelp},
      {"version", "embarc's version (also --version): the one its records name as their agent", {}, RunVersion},
  };
  return commands;
}

// The value of --parallel or --max-per-host: a whole number from 1 to net::kMaxTransfersInFlight.
Result<std::size_t> ParseTransferLimit(const std::string& option, const std::string& v) {
  const bool digits = !v.empty() && v.size() <= 3 && v.find_first_not_of("0123456789") == std::string::npos;
  const unsigned long n = digits ? std::stoul(v) : 0;
  if (n < 1 || n > net::kMaxTransfersInFlight) {
    return Fail(ErrorCode::kInvalidArgument, option + " takes a whole number between 1 and " +
                                                 std::to_string(net::kMaxTransfersInFlight) + ", not '" + v + "'");
  }
  return static_cast<std::size_t>(n);
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
    } else if (a == "--parallel" || a == "--max-per-host") {
      EMBARC_ASSIGN_OR_RETURN(std::string v, value(a));
      EMBARC_ASSIGN_OR_RETURN(std::size_t n, ParseTransferLimit(a, v));
      (a == "--parallel" ? o.fetch.max_parallel : o.fetch.max_per_host) = n;
    } else if (a == "--allow-private-addresses") {
      o.fetch.allow_private_addresses = true;
    } else if (a == "--tsa") {
      EMBARC_ASSIGN_OR_RETURN(std::string v, value(a));
      o.tsa.push_back(v);
    } else if (a == "--help" || a == "-h") {
      o.command = "help";
      return o;
    } else if (a == "--version") {
      o.command = "version";
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
