#include "embarc/capture/quote.h"

#include <vector>

namespace embarc::capture {
namespace {

bool StartsWithAt(std::string_view s, std::size_t i, std::string_view p) { return s.substr(i, p.size()) == p; }

std::string DecodeEntities(std::string_view s) {
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&#x27;", "'"}, {"&nbsp;", " "}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      for (const auto& [from, to] : kEntities) {
        if (StartsWithAt(s, i, from)) {
          out += to;
          i += from.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string NormaliseForQuote(std::string_view text) {
  const std::string decoded = DecodeEntities(text);
  // U+00A0 (no-break space) is whitespace for this purpose.
  std::string spaced;
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    if (static_cast<unsigned char>(decoded[i]) == 0xC2 && i + 1 < decoded.size() && static_cast<unsigned char>(decoded[i + 1]) == 0xA0) {
      spaced += ' ';
      ++i;
    } else {
      spaced += decoded[i];
    }
  }
  std::string out;
  std::size_t i = 0;
  while (i < spaced.size()) {
    while (i < spaced.size() && IsSpace(static_cast<unsigned char>(spaced[i]))) ++i;
    std::size_t j = i;
    while (j < spaced.size() && !IsSpace(static_cast<unsigned char>(spaced[j]))) ++j;
    if (j == i) break;
    std::string_view word(spaced.data() + i, j - i);
    const bool link = word.starts_with("http://") || word.starts_with("https://") || word.starts_with("pic.twitter.com/") ||
                      word.starts_with("t.co/") || word.starts_with("pic.x.com/");
    if (!link) {
      if (!out.empty()) out += ' ';
      out += word;
    }
    i = j;
  }
  return out;
}

bool QuoteStillMatches(std::string_view printed_quote, std::string_view live_text) {
  const std::string quote = NormaliseForQuote(printed_quote);
  const std::string live = NormaliseForQuote(live_text);
  // Split the quote at ellipses: each piece must occur in the live text, in order.
  std::vector<std::string> pieces;
  std::string current;
  for (std::size_t i = 0; i < quote.size();) {
    if (StartsWithAt(quote, i, "\xE2\x80\xA6")) {
      pieces.push_back(current);
      current.clear();
      i += 3;
    } else if (StartsWithAt(quote, i, "...")) {
      pieces.push_back(current);
      current.clear();
      i += 3;
    } else {
      current += quote[i++];
    }
  }
  pieces.push_back(current);
  std::size_t from = 0;
  for (std::string piece : pieces) {
    while (!piece.empty() && piece.front() == ' ') piece.erase(piece.begin());
    while (!piece.empty() && piece.back() == ' ') piece.pop_back();
    if (piece.empty()) continue;
    const std::size_t at = live.find(piece, from);
    if (at == std::string::npos) return false;
    from = at + piece.size();
  }
  return true;
}

}  // namespace embarc::capture
