// What tests and the skim fuzz harness compare between ParseMode::kFull and the skims
// (html/skim.h): the extracted posts, field by field, and Gumbo's tree, node by node.
#ifndef EMBARC_TESTS_SUPPORT_SKIM_IDENTITY_H_
#define EMBARC_TESTS_SUPPORT_SKIM_IDENTITY_H_

#include <string>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/platform/platform.h"
#include "html/dom.h"

namespace embarc::testing {

// Every field of every post (platform, id, URL, author, occurrences, quote, forms,
// embedded version), or the error's code and message.
std::string Outcome(const Result<std::vector<platform::ExtractedPost>>& result);

// Gumbo's whole tree for `html` parsed in `mode`, one node per line: kinds, names,
// namespaces, attributes, text and element line numbers; not the text of HTML
// <script>/<style> elements or of comments (what the skim removes). With `filtered`,
// attributes are shown as ParseMode::kSkim leaves them (what matchers can see).
// "error: ..." when the parse fails.
std::string Tree(const std::string& html, html::ParseMode mode, bool filtered);

// "" when two Tree()s are the same node by node; with `shortened_text`, text nodes and
// attribute values may differ where the second carries the skim's markers. Otherwise
// the first differing line of each.
std::string TreeDifference(const std::string& full_tree, const std::string& skim_tree, bool shortened_text);

}  // namespace embarc::testing

#endif  // EMBARC_TESTS_SUPPORT_SKIM_IDENTITY_H_
