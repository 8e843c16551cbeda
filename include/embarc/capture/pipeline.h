// The archiving pipeline: articles -> embeds -> capture plans -> WARC -> signed records -> index.
#ifndef EMBARC_CAPTURE_PIPELINE_H_
#define EMBARC_CAPTURE_PIPELINE_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/net/fetcher.h"
#include "embarc/platform/platform.h"
#include "embarc/store/archive.h"

namespace embarc::capture {

inline constexpr std::size_t kMaxArticleFileBytes = 16u << 20;  // local article files
inline constexpr std::size_t kMaxMediaBytes = 32u << 20;        // one photo or video variant
// Posts fetched, written and committed together: one WARC fsync and one index transaction per
// batch. Batches go through three stages on three threads: fetched (through the one Fetcher,
// one FetchAll at a time), written to WARC, then signed and committed on the caller's thread,
// so the next batches are fetched while the earlier ones are written and indexed.
inline constexpr std::size_t kPostsPerBatch = 256;

// The capture clock. Posts are fetched on a worker thread while earlier batches are indexed,
// so the clock is called from two threads: it must be safe to call concurrently.
using Clock = std::function<std::chrono::system_clock::time_point()>;

struct PostOutcome {
  platform::PostRef post;
  platform::PostState state = platform::PostState::kUnreachable;
  std::string reason;
  std::string change;
  std::string record_hash;
  std::uint64_t leaf_index = 0;
  std::size_t media = 0;
  std::size_t media_failed = 0;
  bool quote_mismatch = false;   // an article's printed quote is no longer in the live text
  bool version_mismatch = false; // the live post is not the version an article embedded (Bluesky CID)
  std::string next_check;
};

struct ArticleOutcome {
  std::string source;        // the URL or file as given
  std::string url;           // the article URL recorded (file:// for files)
  bool ok = false;
  std::string error;         // when !ok
  bool bad_input = false;    // the article was fetched but its HTML was refused (size, depth)
  std::vector<platform::ExtractedPost> posts;
};

struct RunReport {
  std::vector<ArticleOutcome> articles;
  std::vector<PostOutcome> posts;
  // Articles that could not be read or fetched, and posts whose state is unreachable or rate_limited.
  std::size_t failures() const;
  // Posts found edited, deleted or withheld, or whose printed quote or embedded version no longer matches.
  std::size_t findings() const;
};

// How far a run has come, for a progress display. Counts only grow; posts_total grows when an
// article's embeds are known. `failures` counts as RunReport::failures() does.
struct Progress {
  std::size_t articles_done = 0;
  std::size_t articles_total = 0;
  std::size_t posts_done = 0;    // posts whose capture finished, in any state
  std::size_t posts_total = 0;
  std::size_t failures = 0;
};
// Called from the running thread after each step (article fetches, each batch of posts).
using ProgressFn = std::function<void(const Progress&)>;

// Reads a local file or fetches a URL and returns the document bytes, for `extract`.
// Errors: kInvalidArgument (not http(s), unreadable file), kLimitExceeded, kNetwork.
[[nodiscard]] Result<std::string> LoadDocument(net::Fetcher& fetcher, const std::string& source, std::string* final_url);

// Archives articles (http(s) URLs or local files): captures each article, extracts its
// embeds, and captures every embedded post. Inputs are validated before anything is written.
[[nodiscard]] Result<RunReport> ArchiveArticles(store::Archive& archive, net::Fetcher& fetcher,
                                                const std::vector<std::string>& inputs, const Clock& now,
                                                const ProgressFn& progress = {});

// Captures posts directly (a new snapshot for each).
[[nodiscard]] Result<RunReport> CapturePosts(store::Archive& archive, net::Fetcher& fetcher,
                                             const std::vector<platform::PostRef>& posts, const Clock& now,
                                             const ProgressFn& progress = {});

}  // namespace embarc::capture

#endif  // EMBARC_CAPTURE_PIPELINE_H_
