// Finding embedded posts in an HTML document (Gumbo).
#ifndef EMBARC_HTML_EXTRACT_H_
#define EMBARC_HTML_EXTRACT_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/platform/platform.h"

namespace embarc::html {

inline constexpr std::size_t kMaxDocumentBytes = 16u << 20;  // larger documents are refused
inline constexpr int kMaxNestingDepth = 512;                 // Gumbo 0.10.1 is quadratic in depth

// Every distinct embedded post in `html`, in document order of first occurrence.
// Markup inside <script>, <template>, <style> or comments is not an embed; a plain
// link to a post in prose is not an embed. Embed code inside a <textarea> (where
// consent managers park it until the reader agrees) is parsed and counts. `base_url` resolves relative URLs (may be empty).
// Errors: kLimitExceeded past kMaxDocumentBytes or kMaxNestingDepth.
// Gumbo is not given the text of <script>/<style> elements and comments (most of a
// page's bytes), which no matcher reads; the answer is that of ExtractEmbedsFullParse.
[[nodiscard]] Result<std::vector<platform::ExtractedPost>> ExtractEmbeds(std::string_view html,
                                                                         std::string_view base_url = {});

// The reference for ExtractEmbeds: the same, with Gumbo parsing every byte of `html`.
// Kept for the tests that compare the two (tests/html/extract_skim_test.cpp).
[[nodiscard]] Result<std::vector<platform::ExtractedPost>> ExtractEmbedsFullParse(std::string_view html,
                                                                                 std::string_view base_url = {});

}  // namespace embarc::html

#endif  // EMBARC_HTML_EXTRACT_H_
