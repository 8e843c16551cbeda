// Rendering of `embarc history`: every snapshot of a post with state and change, and a
// word-level diff of the text between consecutive available versions.
#ifndef EMBARC_SRC_CLI_HISTORY_H_
#define EMBARC_SRC_CLI_HISTORY_H_

#include <string>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/platform/platform.h"
#include "embarc/store/index.h"

namespace embarc::cli {

inline constexpr std::size_t kMaxDiffWords = 4000;  // longer texts are diffed as one replacement

// Word-level diff: unchanged words as is, removed as "[-word-]", added as "{+word+}".
std::string WordDiff(const std::string& before, const std::string& after);

// History of the given posts (every post in the archive when `posts` is empty).
// Human text, or with `json` one JSON object per post per line.
// Errors: kNotFound when a named post is not in the archive.
[[nodiscard]] Result<std::string> RenderHistory(store::Index& index, const std::vector<platform::PostRef>& posts, bool json);

// Every snapshot observed at or after `since` (RFC 3339, as stored) whose change is edited,
// deleted, withheld or restored, or that records an article quote or embedded version (Bluesky
// CID) no longer matching the live post; each with the articles citing the post. This is
// `embarc status` and `embarc history --changed`. Human text, or with `json` one object per line:
// {"url","platform","post_id","observed_at","state","change","quote_mismatch","version_mismatch",
//  "record_hash","cited_in":[article url…]}.
[[nodiscard]] Result<std::string> RenderChanges(store::Index& index, const std::string& since, bool json);

}  // namespace embarc::cli

#endif  // EMBARC_SRC_CLI_HISTORY_H_
