// The skim (html/skim.h) against the full parse on hostile pages: Gumbo builds the same
// tree from the skimmed text as from every byte (apart from what the skim marks as
// shortened), and the extractor reports the same posts, field by field, or the same error.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "embarc/html/extract.h"
#include "fuzz_support.h"
#include "html/dom.h"
#include "support/skim_identity.h"

namespace {

void CheckNoDifference(const char* what, const std::string& difference) {
  if (difference.empty()) return;
  std::fprintf(stderr, "%s: %s\n", what, difference.c_str());
  ::embarc::fuzz::PropertyFailed(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using embarc::html::ParseMode;
  using embarc::testing::Tree;
  using embarc::testing::TreeDifference;
  const std::string html(embarc::fuzz::AsText(data, size));
  CheckNoDifference("script/style/comment text removed: same tree",
                    TreeDifference(Tree(html, ParseMode::kFull, false), Tree(html, ParseMode::kSkimInertText, false),
                                   /*shortened_text=*/false));
  CheckNoDifference("attributes filtered and text shortened: same tree",
                    TreeDifference(Tree(html, ParseMode::kFull, true), Tree(html, ParseMode::kSkim, true),
                                   /*shortened_text=*/true));
  const std::string base_url = "https://news.example/world/article.html";
  const std::string skimmed = embarc::testing::Outcome(embarc::html::ExtractEmbeds(html, base_url));
  const std::string full = embarc::testing::Outcome(embarc::html::ExtractEmbedsFullParse(html, base_url));
  if (skimmed != full) std::fprintf(stderr, "skim:\n%s\nfull:\n%s\n", skimmed.c_str(), full.c_str());
  EMBARC_FUZZ_CHECK(skimmed == full);
  return 0;
}
