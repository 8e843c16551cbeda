// Does the live post still say what the article printed?
#ifndef EMBARC_CAPTURE_QUOTE_H_
#define EMBARC_CAPTURE_QUOTE_H_

#include <string>
#include <string_view>

namespace embarc::capture {

// Text reduced to what both an embed's printed quote and a platform's text share: HTML
// entities decoded, links and media placeholders (http(s)://…, pic.twitter.com/…, t.co/…)
// removed, whitespace collapsed.
std::string NormaliseForQuote(std::string_view text);

// True when every piece of the printed quote (split at "…" or "...", the marks embeds use
// for a shortened text) appears in the live text, in order. A truncated prefix, rendered
// entities, links shown as pic.twitter.com/… or t.co/…, and whitespace are not differences.
bool QuoteStillMatches(std::string_view printed_quote, std::string_view live_text);

}  // namespace embarc::capture

#endif  // EMBARC_CAPTURE_QUOTE_H_
