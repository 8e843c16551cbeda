// Accuracy of `embarc extract --json` over every page and fragment of ../shared/corpus, through
// the real binary, against truth.json's unique_posts (every platform but Spotify, which is not a
// post). Where truth.json is believed wrong the correction is named here with its argument.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/support.h"

namespace fs = std::filesystem;
using embarc::testing::CorpusDir;
using embarc::testing::EmbarcBinary;
using embarc::testing::ReadFileText;
using embarc::testing::RunCommand;

namespace {

using PostKey = std::pair<std::string, std::string>;  // (platform, post_id)

// What one distinct post of a file should look like on its JSON line.
struct ExpectedPost {
  std::string url;                    // canonical URL
  std::optional<std::string> author;  // checked only when truth names one
  int occurrences = 0;
};

// A file where truth.json is believed wrong: posts it lists that are not posts, posts it
// misses, each with the argument.
struct CliTruthCorrection {
  std::set<PostKey> remove;
  std::map<PostKey, ExpectedPost> add;
  std::string why;
};

const std::map<std::string, CliTruthCorrection>& Corrections() {
  static const std::map<std::string, CliTruthCorrection> corrections = {
      {"pages/trafilatura__eval_industriemagazin.at-Luftfahrtbranche.html",
       {{{"youtube", "channel:UCO7kohVnA8VzILzsnagXDHw"}},
        {},
        "the only YouTube iframe is the site's live-TV modal in the page chrome (src=about:blank, "
        "data-cmp-src=…/embed/live_stream?channel=UCO7…): it plays whatever the channel streams now and names no "
        "video, so there is no post to capture. Issue #3: 'a site-wide widget (a channel live stream, a profile "
        "timeline) is not a post'; truth's own hand_check_notes say it is 'not article content'"}},
      {"pages/trafilatura__eval_auto-presse.de-minisuv.html",
       {{},
        {{{"youtube", "list:UU0zd0WX7SHXx3YAf-1dWayQ"},
          {"https://www.youtube.com/playlist?list=UU0zd0WX7SHXx3YAf-1dWayQ", std::nullopt, 1}}},
        "the third sidebar player, youtube-nocookie.com/embed/?list=UU0zd…, is the same playlist embed as the two "
        "/embed/videoseries?list= players beside it that truth counts; YouTube's player takes list= on /embed/ "
        "exactly as on /embed/videoseries. truth's extractor only knew the videoseries form"}},
  };
  return corrections;
}

struct Expected {
  std::map<std::string, std::map<PostKey, ExpectedPost>> by_file;
  std::vector<std::string> files;  // in truth.json order, present on disk
};

// truth.json's unique posts per file (Spotify left out), corrections applied. Occurrences are
// counted from truth's embed list (each embed occurrence of the post), not copied from unique_posts.
Expected LoadExpected(std::string& correction_problems) {
  const fs::path corpus = CorpusDir();
  const nlohmann::json truth = nlohmann::json::parse(ReadFileText(corpus / "truth.json"));
  Expected e;
  for (const auto& [file, page] : truth.at("pages").items()) {
    if (!fs::exists(corpus / file)) continue;  // held back for acceptance checks
    e.files.push_back(file);
    std::map<PostKey, int> embed_count;
    for (const auto& embed : page.at("embeds")) {
      if (embed.contains("post_id") && embed.at("post_id").is_string()) {
        ++embed_count[{embed.at("platform").get<std::string>(), embed.at("post_id").get<std::string>()}];
      }
    }
    auto& posts = e.by_file[file];
    for (const auto& u : page.at("unique_posts")) {
      const PostKey key{u.at("platform").get<std::string>(), u.at("post_id").get<std::string>()};
      if (key.first == "spotify") continue;
      ExpectedPost p;
      p.url = u.at("canonical_url").get<std::string>();
      if (!u.at("author_handle").is_null()) p.author = u.at("author_handle").get<std::string>();
      p.occurrences = embed_count[key];
      posts[key] = p;
    }
    const auto c = Corrections().find(file);
    if (c == Corrections().end()) continue;
    if (c->second.why.empty()) correction_problems += file + ": correction without its argument\n";
    // A correction must still be needed: what it removes is in truth, what it adds is not.
    for (const PostKey& k : c->second.remove) {
      if (posts.erase(k) == 0) correction_problems += file + ": correction removes " + k.second + ", not in truth\n";
    }
    for (const auto& [k, p] : c->second.add) {
      if (!posts.emplace(k, p).second) correction_problems += file + ": correction adds " + k.second + ", already in truth\n";
    }
  }
  for (const auto& [file, c] : Corrections()) {
    if (!e.by_file.contains(file)) correction_problems += file + ": corrected but not in the corpus\n";
  }
  return e;
}

std::string Describe(const PostKey& k) { return k.first + " " + k.second; }

}  // namespace

TEST_CASE("extract --json over the whole corpus reports exactly truth.json's posts (100% recall and precision)",
          "[cli][extract][accuracy]") {
  std::string correction_problems;
  const Expected expected = LoadExpected(correction_problems);
  INFO(correction_problems);
  CHECK(correction_problems.empty());
  REQUIRE(expected.files.size() >= 80);

  // One run over every file, as a user would scan a folder.
  std::vector<std::string> argv = {EmbarcBinary(), "extract", "--json"};
  std::map<std::string, std::string> file_of_source;
  for (const std::string& f : expected.files) {
    const std::string path = (CorpusDir() / f).string();
    argv.push_back(path);
    file_of_source[path] = f;
  }
  const auto run = RunCommand(argv);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());

  // Actual lines per file; every line must be well-formed whatever its platform.
  std::map<std::string, std::map<PostKey, nlohmann::json>> actual;
  std::ostringstream malformed;
  std::istringstream lines(run.out);
  std::string line;
  while (std::getline(lines, line)) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool shape = j.is_object() && j.size() == 7 && j.contains("source") && j["source"].is_string() &&
                       j.contains("platform") && j["platform"].is_string() && j.contains("post_id") &&
                       j["post_id"].is_string() && !j["post_id"].get<std::string>().empty() && j.contains("url") &&
                       j["url"].is_string() && j["url"].get<std::string>().starts_with("https://") &&
                       j.contains("author") && (j["author"].is_null() || j["author"].is_string()) &&
                       j.contains("occurrences") && j["occurrences"].is_number_integer() && j["occurrences"] >= 1 &&
                       j.contains("quote") &&
                       (j["quote"].is_null() || (j["quote"].is_object() && j["quote"].contains("text") &&
                                                 j["quote"]["text"].is_string()));
    if (!shape || !file_of_source.contains(j["source"].get<std::string>())) {
      malformed << line << "\n";
      continue;
    }
    const std::string& file = file_of_source.at(j["source"].get<std::string>());
    const PostKey key{j["platform"].get<std::string>(), j["post_id"].get<std::string>()};
    if (!actual[file].emplace(key, j).second) malformed << "duplicate line for " << Describe(key) << ": " << line << "\n";
  }
  INFO("malformed lines:\n" << malformed.str());
  CHECK(malformed.str().empty());

  int true_positives = 0;
  int false_positives = 0;
  int false_negatives = 0;
  std::ostringstream diffs;
  std::ostringstream field_diffs;
  for (const std::string& file : expected.files) {
    const auto& want = expected.by_file.at(file);
    const auto& got = actual[file];
    for (const auto& [key, p] : want) {
      const auto it = got.find(key);
      if (it == got.end()) {
        ++false_negatives;
        diffs << file << ": missing " << Describe(key) << "\n";
        continue;
      }
      ++true_positives;
      const nlohmann::json& j = it->second;
      if (j["url"] != p.url) field_diffs << file << ": " << Describe(key) << " url " << j["url"] << ", truth " << p.url << "\n";
      if (p.author && j["author"] != *p.author) {
        field_diffs << file << ": " << Describe(key) << " author " << j["author"] << ", truth " << *p.author << "\n";
      }
      if (j["occurrences"] != p.occurrences) {
        field_diffs << file << ": " << Describe(key) << " occurrences " << j["occurrences"] << ", truth "
                    << p.occurrences << "\n";
      }
    }
    for (const auto& [key, j] : got) {
      if (key.first == "spotify" || want.contains(key)) continue;
      ++false_positives;
      diffs << file << ": extra " << Describe(key) << " (" << j["url"].get<std::string>() << ")\n";
    }
  }
  const double recall = true_positives + false_negatives == 0 ? 1.0 : double(true_positives) / (true_positives + false_negatives);
  const double precision =
      true_positives + false_positives == 0 ? 1.0 : double(true_positives) / (true_positives + false_positives);
  std::ostringstream summary;
  summary << expected.files.size() << " files, " << true_positives + false_negatives << " posts expected after "
          << Corrections().size() << " named corrections: recall " << recall * 100 << "%, precision " << precision * 100
          << "% (" << true_positives << " found, " << false_negatives << " missed, " << false_positives << " extra)";
  WARN(summary.str());
  INFO(summary.str() << "\n" << diffs.str());
  CHECK(diffs.str().empty());
  CHECK(false_negatives == 0);
  CHECK(false_positives == 0);
  INFO(field_diffs.str());
  CHECK(field_diffs.str().empty());
}
