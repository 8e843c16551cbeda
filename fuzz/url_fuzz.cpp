// The URL parser, resolver and post-URL recognisers on hostile text. The input is
// "<base>\n<reference>" (no newline: the whole input is both). Properties: a parsed URL's
// text parses again to the same text (normalisation is idempotent).
#include <string>

#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace embarc;
  const std::string_view text = fuzz::AsText(data, size);
  const std::size_t nl = text.find('\n');
  const std::string_view base = nl == std::string_view::npos ? text : text.substr(0, nl);
  const std::string_view ref = nl == std::string_view::npos ? text : text.substr(nl + 1);

  for (std::string_view s : {base, ref}) {
    if (auto u = url::ParseUrl(s)) {
      const std::string once = u->ToString();
      auto again = url::ParseUrl(once);
      EMBARC_FUZZ_CHECK(again.has_value());
      EMBARC_FUZZ_CHECK(again->ToString() == once);
      (void)u->QueryParams();
      (void)u->PathSegments();
    }
    (void)platform::ParsePostUrl(s);
    (void)url::ParseQuery(s);
    (void)url::PercentDecode(s, true);
  }
  if (auto r = url::ResolveUrl(base, ref)) {
    const std::string once = r->ToString();
    auto again = url::ParseUrl(once);
    EMBARC_FUZZ_CHECK(again.has_value());
    EMBARC_FUZZ_CHECK(again->ToString() == once);
  }
  return 0;
}
