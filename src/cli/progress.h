// A single updating status line on a terminal for long `archive`, `capture` and `recheck` runs.
#ifndef EMBARC_SRC_CLI_PROGRESS_H_
#define EMBARC_SRC_CLI_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "embarc/capture/pipeline.h"

namespace embarc::cli {

inline constexpr std::chrono::milliseconds kProgressRedrawInterval{200};  // at most 5 redraws a second

// "articles 3/10, posts 120/400, 2 failed, 4.2 posts/s". Articles are left out when the
// run has none (capture, recheck); the rate is posts done over `elapsed`, with one decimal,
// and "-" before a tenth of a second has passed.
std::string FormatProgress(const capture::Progress& p, std::chrono::steady_clock::duration elapsed);

// Draws FormatProgress on one terminal line ("\r", the text, erase to end of line), redrawn
// at most every kProgressRedrawInterval (and always when the counts reach their totals).
class ProgressLine {
 public:
  // A line on stderr when stderr is a terminal (isatty(2)) and $TERM is not "dumb"; else null,
  // and a run shows no progress.
  static std::unique_ptr<ProgressLine> ForStderr();
  // Draws on `out` regardless of what it is (tests).
  explicit ProgressLine(std::FILE* out) : out_(out), start_(std::chrono::steady_clock::now()) {}
  ~ProgressLine() { Clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void Update(const capture::Progress& p);
  // Erases the line, so that what is printed next starts on a clean line. Idempotent.
  void Clear();
  // The callback for capture::ArchiveArticles and CapturePosts; it calls Update.
  capture::ProgressFn Callback();

 private:
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

// ProgressLine::ForStderr()'s callback, or an empty function when there is no terminal.
// `line` keeps the ProgressLine alive for the run; Clear() it before printing the report.
capture::ProgressFn TerminalProgress(std::unique_ptr<ProgressLine>& line);

}  // namespace embarc::cli

#endif  // EMBARC_SRC_CLI_PROGRESS_H_
