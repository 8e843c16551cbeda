// Test helper: compares html::ExtractEmbeds with corpus/truth.json for one platform.
#ifndef EMBARC_TESTS_HTML_CORPUS_TRUTH_H_
#define EMBARC_TESTS_HTML_CORPUS_TRUTH_H_

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/html/extract.h"
#include "support/support.h"

namespace embarc::testing {

struct TruthPost {
  std::string post_id;
  std::string author;  // "" when null
  int occurrences = 0;
  std::set<std::string> forms;
  auto operator<=>(const TruthPost&) const = default;
};

// A page where truth.json is believed wrong for this platform: posts truth lists
// that should not be reported, and posts it misses. `why` is the argument.
struct TruthCorrection {
  std::set<std::string> remove_post_ids;
  std::vector<TruthPost> add;
  std::string why;
};

struct TruthComparison {
  std::string diffs;     // empty when everything matches
  int checked = 0;       // files on disk compared
  int with_posts = 0;    // files where truth (after corrections) has posts of the platform
  int posts = 0;         // distinct posts expected, summed over files
};

inline std::string DescribeTruthPosts(const std::set<TruthPost>& posts) {
  std::ostringstream out;
  for (const TruthPost& p : posts) {
    out << " (" << p.post_id << ", @" << p.author << ", x" << p.occurrences << ",";
    for (const std::string& f : p.forms) out << " " << f;
    out << ")";
  }
  return out.str();
}

inline TruthComparison CompareWithTruth(const std::string& platform,
                                        const std::map<std::string, TruthCorrection>& corrections = {}) {
  const std::filesystem::path corpus = CorpusDir();
  const nlohmann::json truth = nlohmann::json::parse(ReadFileText(corpus / "truth.json"));
  TruthComparison comparison;
  std::ostringstream diffs;
  for (const auto& [file, page] : truth.at("pages").items()) {
    const std::filesystem::path path = corpus / file;
    if (!std::filesystem::exists(path)) continue;  // held back for acceptance checks
    ++comparison.checked;
    std::set<TruthPost> expected;
    const auto correction = corrections.find(file);
    for (const auto& post : page.at("unique_posts")) {
      if (post.at("platform") != platform) continue;
      const std::string id = post.at("post_id").get<std::string>();
      if (correction != corrections.end() && correction->second.remove_post_ids.count(id) != 0) continue;
      const auto& author = post.at("author_handle");
      expected.insert({id, author.is_null() ? "" : author.get<std::string>(), post.at("occurrences").get<int>(),
                       post.at("forms").get<std::set<std::string>>()});
    }
    if (correction != corrections.end()) expected.insert(correction->second.add.begin(), correction->second.add.end());
    auto result = html::ExtractEmbeds(ReadFileText(path));
    if (!result) {
      diffs << file << ": error " << result.error().message << "\n";
      continue;
    }
    std::set<TruthPost> actual;
    for (const platform::ExtractedPost& post : *result) {
      if (post.ref.platform != platform) continue;
      actual.insert({post.ref.post_id, post.ref.author.value_or(""), post.occurrences,
                     std::set<std::string>(post.forms.begin(), post.forms.end())});
    }
    if (!expected.empty()) ++comparison.with_posts;
    comparison.posts += static_cast<int>(expected.size());
    if (actual != expected) {
      std::set<TruthPost> missing;
      std::set<TruthPost> extra;
      std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                          std::inserter(missing, missing.end()));
      std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                          std::inserter(extra, extra.end()));
      diffs << file << ":\n  missing:" << DescribeTruthPosts(missing) << "\n  extra:  " << DescribeTruthPosts(extra)
            << "\n";
    }
  }
  comparison.diffs = diffs.str();
  return comparison;
}

}  // namespace embarc::testing

#endif  // EMBARC_TESTS_HTML_CORPUS_TRUTH_H_
