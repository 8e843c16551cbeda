#include "cli/progress.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace embarc::cli {

std::string FormatProgress(const capture::Progress& p, std::chrono::steady_clock::duration elapsed) {
  std::string line;
  if (p.articles_total > 0) {
    line += "articles " + std::to_string(p.articles_done) + "/" + std::to_string(p.articles_total) + ", ";
  }
  line += "posts " + std::to_string(p.posts_done) + "/" + std::to_string(p.posts_total);
  line += ", " + std::to_string(p.failures) + " failed, ";
  const double seconds = std::chrono::duration<double>(elapsed).count();
  if (seconds < 0.1) {
    line += "- posts/s";
  } else {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", static_cast<double>(p.posts_done) / seconds);
    line += std::string(rate) + " posts/s";
  }
  return line;
}

std::unique_ptr<ProgressLine> ProgressLine::ForStderr() {
  if (::isatty(STDERR_FILENO) != 1) return nullptr;
  if (const char* term = std::getenv("TERM"); term != nullptr && std::strcmp(term, "dumb") == 0) return nullptr;
  return std::make_unique<ProgressLine>(stderr);
}

void ProgressLine::Update(const capture::Progress& p) {
  const auto now = std::chrono::steady_clock::now();
  const bool finished = p.articles_done == p.articles_total && p.posts_done == p.posts_total;
  if (drawn_ && !finished && now - last_draw_ < kProgressRedrawInterval) return;
  last_draw_ = now;
  drawn_ = true;
  std::fprintf(out_, "\r%s\x1b[K", FormatProgress(p, now - start_).c_str());
  std::fflush(out_);
}

void ProgressLine::Clear() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

capture::ProgressFn ProgressLine::Callback() {
  return [this](const capture::Progress& p) { Update(p); };
}

capture::ProgressFn TerminalProgress(std::unique_ptr<ProgressLine>& line) {
  line = ProgressLine::ForStderr();
  if (!line) return {};
  return line->Callback();
}

}  // namespace embarc::cli
