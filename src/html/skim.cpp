#include "html/skim.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <unordered_map>
#include <vector>

#include "core/ascii.h"
#include "embarc/core/json.h"

namespace embarc::html {
namespace {

using ascii::Lower;
using ascii::StartsWithNoCase;

constexpr std::size_t npos = std::string_view::npos;

// Shorter text runs are not worth shortening.
constexpr std::size_t kShortestCollapsedText = 3;

// Gumbo's UTF-8 iterator turns "\r\n" and a lone '\r' into '\n', so '\r' is
// whitespace wherever '\n' is.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether s[pos..] starts with `lower` (ASCII case-insensitive).
bool StartsWithNoCase(std::string_view s, std::size_t pos, std::string_view lower) {
  if (pos + lower.size() > s.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (Lower(s[pos + i]) != lower[i]) return false;
  }
  return true;
}

std::size_t Find(std::string_view s, char c, std::size_t from) {
  if (from >= s.size()) return npos;
  const void* hit = std::memchr(s.data() + from, c, s.size() - from);
  return hit == nullptr ? npos : static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
}

// Appends the line breaks of `text` (removed from the page) to `out`, counted as
// Gumbo counts lines: CR LF is one, so is a lone CR or LF. Each becomes '\n', except
// a CR that ends `text`, which stays '\r': an LF right after `text` makes it CR LF,
// one line break, as it was. (A leading LF after a CR before `text` pairs likewise.)
void AppendLineBreaks(std::string_view text, std::string& out) {
  if (Find(text, '\r', 0) != npos) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        out.push_back('\n');
      } else if (text[i] == '\r') {
        if (i + 1 == text.size()) {
          out.push_back('\r');
        } else {
          out.push_back('\n');
          if (text[i + 1] == '\n') ++i;
        }
      }
    }
    return;
  }
  std::size_t count = 0;
  for (std::size_t at = Find(text, '\n', 0); at != npos; at = Find(text, '\n', at + 1)) ++count;
  out.append(count, '\n');
}

// Whether an end tag "</name" (name lower-case, letters only) that the tokenizer
// would accept as the appropriate end tag of a raw-text element starts at `pos`:
// the name is followed by whitespace, '/' or '>' (not by another letter).
bool IsAppropriateEndTag(std::string_view s, std::size_t pos, std::string_view name) {
  if (pos + 2 + name.size() >= s.size()) return false;  // needs the character after the name
  if (s[pos] != '<' || s[pos + 1] != '/' || !StartsWithNoCase(s, pos + 2, name)) return false;
  const char next = s[pos + 2 + name.size()];
  return IsSpace(next) || next == '/' || next == '>';
}

// RAWTEXT / RCDATA: the position of the '<' of the appropriate end tag, or npos (EOF).
std::size_t FindRawTextEnd(std::string_view s, std::size_t from, std::string_view name) {
  for (std::size_t lt = Find(s, '<', from); lt != npos; lt = Find(s, '<', lt + 1)) {
    if (IsAppropriateEndTag(s, lt, name)) return lt;
  }
  return npos;
}

// Script data (with its escaped and double-escaped states, as Gumbo 0.10.1's
// tokenizer.c has them): the position of the '<' of the "</script" that ends the
// element, or npos when the script runs to the end of the input.
std::size_t FindScriptEnd(std::string_view s, std::size_t from) {
  enum class State { kData, kEscaped, kEscapedDash, kEscapedDashDash, kDouble, kDoubleDash, kDoubleDashDash };
  State state = State::kData;
  std::size_t i = from;
  const std::size_t n = s.size();
  // Letters of a tag name starting at `at`, lower-cased, compared with "script";
  // sets `after` to the first position after the letters.
  const auto letters_are_script = [&s, n](std::size_t at, std::size_t& after) {
    std::size_t end = at;
    while (end < n && IsAlpha(s[end])) ++end;
    after = end;
    return end - at == 6 && StartsWithNoCase(s, at, "script");
  };
  while (i < n) {
    const char c = s[i];
    switch (state) {
      case State::kData: {
        const std::size_t lt = Find(s, '<', i);
        if (lt == npos) return npos;
        if (IsAppropriateEndTag(s, lt, "script")) return lt;
        if (lt + 3 < n && s[lt + 1] == '!' && s[lt + 2] == '-' && s[lt + 3] == '-') {
          state = State::kEscapedDashDash;  // "<!--": escape start, start dash, dash dash
          i = lt + 4;
        } else {
          i = lt + 1;
        }
        break;
      }
      case State::kEscaped:
      case State::kEscapedDash:
      case State::kEscapedDashDash:
        if (c == '-') {
          state = state == State::kEscaped ? State::kEscapedDash : State::kEscapedDashDash;
          ++i;
        } else if (c == '>' && state == State::kEscapedDashDash) {
          state = State::kData;
          ++i;
        } else if (c == '<') {
          // Escaped less-than sign state.
          if (i + 1 < n && s[i + 1] == '/') {
            if (IsAppropriateEndTag(s, i, "script")) return i;
            state = State::kEscaped;  // the tag is abandoned; its characters are text
            i += 2;
          } else if (i + 1 < n && IsAlpha(s[i + 1])) {
            // Double escape start: letters, then whitespace, '/' or '>' after "script".
            std::size_t after = 0;
            const bool script = letters_are_script(i + 1, after);
            if (after < n && (IsSpace(s[after]) || s[after] == '/' || s[after] == '>')) {
              state = script ? State::kDouble : State::kEscaped;
              i = after + 1;  // that character is consumed as text
            } else {
              state = State::kEscaped;
              i = after;  // reconsumed in the escaped state
            }
          } else {
            state = State::kEscaped;
            i += 1;
          }
        } else {
          state = State::kEscaped;
          ++i;
        }
        break;
      case State::kDouble:
      case State::kDoubleDash:
      case State::kDoubleDashDash:
        if (c == '-') {
          state = state == State::kDouble ? State::kDoubleDash : State::kDoubleDashDash;
          ++i;
        } else if (c == '>' && state == State::kDoubleDashDash) {
          state = State::kData;
          ++i;
        } else if (c == '<') {
          // Double-escaped less-than sign state ('<' is text).
          if (i + 1 < n && s[i + 1] == '/') {
            std::size_t after = 0;
            const bool script = letters_are_script(i + 2, after);
            if (after < n && (IsSpace(s[after]) || s[after] == '/' || s[after] == '>')) {
              state = script ? State::kEscaped : State::kDouble;
              i = after + 1;
            } else {
              state = State::kDouble;
              i = after;
            }
          } else {
            state = State::kDouble;
            i += 1;
          }
        } else {
          state = State::kDouble;
          ++i;
        }
        break;
    }
  }
  return npos;
}

// The position just past the '>' of the comment that starts at `lt` ("<!--"), or
// npos when it runs to the end of the input. Gumbo ends a comment at "<!-->",
// "<!--->", or at the first "-->" or "--!>" whose dashes follow the "<!--".
std::size_t FindCommentEnd(std::string_view s, std::size_t lt) {
  const std::size_t body = lt + 4;
  if (body < s.size() && s[body] == '>') return body + 1;
  if (body + 1 < s.size() && s[body] == '-' && s[body + 1] == '>') return body + 2;
  for (std::size_t gt = Find(s, '>', body); gt != npos; gt = Find(s, '>', gt + 1)) {
    if (gt >= body + 2 && s[gt - 1] == '-' && s[gt - 2] == '-') return gt + 1;
    if (gt >= body + 3 && s[gt - 1] == '!' && s[gt - 2] == '-' && s[gt - 3] == '-') return gt + 1;
  }
  return npos;
}

// The rest of a tag after its name: Gumbo's attribute states. `pos` is the first
// character after the tag name. Returns the position just past the '>' that emits
// the tag (npos: the input ends inside the tag, which is then dropped), and sets
// `self_closing`.
std::size_t SkipTagRest(std::string_view s, std::size_t pos, bool& self_closing) {
  enum class State { kBeforeName, kName, kAfterName, kBeforeValue, kUnquoted, kAfterQuoted, kSelfClosing };
  self_closing = false;
  State state = State::kBeforeName;
  const std::size_t n = s.size();
  // The tag name state ends like the attribute name state.
  if (pos < n && s[pos] == '/') {
    state = State::kSelfClosing;
    ++pos;
  } else if (pos < n && s[pos] == '>') {
    return pos + 1;
  }
  while (pos < n) {
    const char c = s[pos];
    switch (state) {
      case State::kBeforeName:
      case State::kAfterName:
        if (IsSpace(c)) {
          ++pos;
        } else if (c == '/') {
          state = State::kSelfClosing;
          ++pos;
        } else if (c == '>') {
          return pos + 1;
        } else if (c == '=' && state == State::kAfterName) {
          state = State::kBeforeValue;
          ++pos;
        } else {
          state = State::kName;
          ++pos;
        }
        break;
      case State::kName:
        if (IsSpace(c)) {
          state = State::kAfterName;
        } else if (c == '/') {
          state = State::kSelfClosing;
        } else if (c == '=') {
          state = State::kBeforeValue;
        } else if (c == '>') {
          return pos + 1;
        }
        ++pos;
        break;
      case State::kBeforeValue:
        if (IsSpace(c)) {
          ++pos;
        } else if (c == '"' || c == '\'') {
          const std::size_t close = Find(s, c, pos + 1);
          if (close == npos) return npos;
          state = State::kAfterQuoted;
          pos = close + 1;
        } else if (c == '>') {
          return pos + 1;
        } else {
          state = State::kUnquoted;
          ++pos;
        }
        break;
      case State::kUnquoted:
        if (IsSpace(c)) {
          state = State::kBeforeName;
        } else if (c == '>') {
          return pos + 1;
        }
        ++pos;
        break;
      case State::kAfterQuoted:
        if (IsSpace(c)) {
          state = State::kBeforeName;
          ++pos;
        } else if (c == '/') {
          state = State::kSelfClosing;
          ++pos;
        } else if (c == '>') {
          return pos + 1;
        } else {
          state = State::kBeforeName;  // reconsumed
        }
        break;
      case State::kSelfClosing:
        if (c == '>') {
          self_closing = true;
          return pos + 1;
        }
        state = State::kBeforeName;  // reconsumed
        break;
    }
  }
  return npos;
}

// The classes of a class attribute's value that IsKeptClass keeps, space-separated.
std::string KeptClasses(std::string_view value) {
  std::string classes;
  std::size_t k = 0;
  while (k < value.size()) {
    while (k < value.size() && IsSpace(value[k])) ++k;
    std::size_t e = k;
    while (e < value.size() && !IsSpace(value[e])) ++e;
    if (e > k && IsKeptClass(value.substr(k, e - k))) {
      if (!classes.empty()) classes.push_back(' ');
      classes.append(value.substr(k, e - k));
    }
    k = e;
  }
  return classes;
}

bool IsOneOf(std::string_view lower, std::initializer_list<std::string_view> names) {
  for (const std::string_view name : names) {
    if (lower == name) return true;
  }
  return false;
}

// Follows, from the tags alone, whether every entry of the tree builder's list of
// active formatting elements is surely on the stack of open elements: then nothing
// is "reconstructed" (inserted again) when text comes. It models the top of the
// stack from the first open formatting element (<a>, <b>, <i>, ...) up, and gives up
// for good (dirty) at anything that could pop a formatting element other than by
// its own end tag on top: another end tag, a start tag with special handling (div,
// li, table, ...; div and the like only while a <p> may be open, as they close it),
// a nested <a>/<nobr>, or any tag breaking out of foreign content.
// Elements the tree builder ignores (a <b> in <select>) only make it give up sooner.
class FormattingTracker {
 public:
  bool clean() const { return !dirty_; }

  void StartTag(std::string_view lower, bool self_closing, bool foreign) {
    if (dirty_) return;
    if (foreign && IsBreakout(lower)) {
      dirty_ = true;  // it ends foreign content, which the svg/math counts do not see
      return;
    }
    if (!foreign && IsScopeBoundary(lower)) ++boundaries_;
    const bool closes_p = !foreign && ClosesP(lower);
    if (!foreign && lower == "p") ++paragraphs_;
    const bool formatting = IsFormatting(lower);
    if (formatting_ == 0 && !formatting) return;  // nothing open that could be left behind
    if ((lower == "a" || lower == "nobr") && std::find(open_.begin(), open_.end(), lower) != open_.end()) {
      dirty_ = true;  // the adoption agency runs for the open one
      return;
    }
    if (formatting) {
      open_.emplace_back(lower);
      ++formatting_;
      return;
    }
    if (foreign) {
      if (!self_closing) open_.emplace_back(lower);  // a foreign element
      return;
    }
    if (IsVoid(lower)) {
      if (lower == "hr") dirty_ = true;  // closes a <p>
      return;
    }
    if (closes_p) {
      // It closes a <p> in button scope (and what is open above it); with no <p>
      // possibly open, it is inserted like any other element.
      if (paragraphs_ > (lower == "p" ? 1 : 0)) {
        dirty_ = true;
      } else {
        open_.emplace_back(lower);
      }
      return;
    }
    if (IsSpecial(lower)) {
      dirty_ = true;
      return;
    }
    if ((lower == "svg" || lower == "math") && self_closing) return;
    open_.emplace_back(lower);  // "any other start tag" (a self-closing flag is ignored): stays open
  }

  void EndTag(std::string_view lower, bool foreign) {
    if (!foreign && IsScopeBoundary(lower) && boundaries_ > 0) --boundaries_;
    // A </p> closes an open <p> only if no scope boundary (a button, table cell, ...,
    // an svg title) stands between: otherwise it may make and close an empty one.
    if (lower == "p" && paragraphs_ > 0 && boundaries_ == 0 && !foreign) --paragraphs_;
    if (dirty_ || formatting_ == 0) return;
    if (open_.back() != lower) {
      dirty_ = true;  // it may pop more than the current node
      return;
    }
    if (IsFormatting(lower)) --formatting_;
    open_.pop_back();
  }

 private:
  static bool IsFormatting(std::string_view lower) {
    return IsOneOf(lower, {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong",
                           "tt", "u"});
  }
  static bool IsVoid(std::string_view lower) {
    return IsOneOf(lower, {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
                           "input", "keygen", "link", "meta", "param", "source", "track", "wbr"});
  }
  // Start tags that "in body" only closes a <p> in button scope for, then inserts.
  static bool ClosesP(std::string_view lower) {
    return IsOneOf(lower, {"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
                           "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu",
                           "nav", "ol", "p", "search", "section", "summary", "ul"});
  }
  // Other start tags "in body" handles otherwise than "any other start tag" in ways
  // that may pop elements or touch the list (markers aside, which only shorten it).
  static bool IsSpecial(std::string_view lower) {
    return IsOneOf(lower, {"body", "button", "caption", "colgroup", "dd", "dt", "form", "frameset", "h1", "h2", "h3",
                           "h4", "h5", "h6", "head", "html", "isindex", "li", "listing", "menuitem", "optgroup",
                           "option", "plaintext", "pre", "rb", "rp", "rt", "rtc", "select", "table", "tbody", "td",
                           "template", "tfoot", "th", "thead", "tr", "xmp"});
  }
  // Elements that bound "button scope", in which a <p> start tag looks for a <p> to close.
  static bool IsScopeBoundary(std::string_view lower) {
    return IsOneOf(lower, {"applet", "button", "caption", "marquee", "object", "table", "td", "th", "template"});
  }
  // Start tags that end foreign content (and "font" with attributes, taken as one).
  static bool IsBreakout(std::string_view lower) {
    return IsOneOf(lower, {"b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em",
                           "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing",
                           "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike",
                           "sub", "sup", "table", "tt", "u", "ul", "var", "font"});
  }

  std::vector<std::string> open_;  // lower-case names, from the first open formatting element up
  int formatting_ = 0;             // formatting elements among them
  int paragraphs_ = 0;             // <p> start tags not yet matched by </p>: a <p> may be open
  int boundaries_ = 0;             // the same for IsScopeBoundary elements
  bool dirty_ = false;
};

class Skimmer {
 public:
  Skimmer(std::string_view s, bool filter_attributes) : s_(s), filter_attributes_(filter_attributes) {
    out_.reserve(s.size() / 2);
  }

  std::string Run(SkimStats* stats) {
    Scan();
    out_.append(s_.substr(copied_));
    if (stats != nullptr) {
      stats->removed_bytes = s_.size() - out_.size();
      stats->copied_rest = copied_rest_;
    }
    return std::move(out_);
  }

 private:
  // Elements whose content Gumbo may tokenize other than as raw text at a
  // <script>/<style> start tag are open (or may be).
  bool Careful() const { return svg_ > 0 || math_ > 0 || select_ > 0 || template_ > 0; }

  // The data-state text s_[text_from_, to) ends here: with the attribute filter and
  // outside embed blockquotes, keep its leading whitespace and line breaks and put
  // one kCollapsedText for the rest (html/skim.h says why the tree keeps its
  // elements). That holds in foreign content and <select> too: there too a
  // character token is inserted, after at most what its first one set off. Not in a
  // <template>: after a <col> there ("in column group" with the template as the
  // current node) every non-whitespace character is dropped and every whitespace
  // one inserted, so all of the whitespace counts. (Framesets, the other such case,
  // stop the skim.)
  //
  // A run of whitespace only becomes kCollapsedSpace and its line breaks: still
  // whitespace, so the tree builder does the same with it. (Not right after <pre> or
  // <listing>, which drop a first line feed.)
  void EndText(std::size_t to) {
    const std::size_t from = text_from_;
    text_from_ = to;
    const bool after_pre = after_pre_;
    after_pre_ = false;
    if (!filter_attributes_ || quoting_ > 0 || template_ > 0 || to < from + kShortestCollapsedText) return;
    std::size_t first = from;
    while (first < to && IsSpace(s_[first])) ++first;
    if (first == to) {
      if (after_pre) return;
      out_.append(s_.substr(copied_, from - copied_));
      out_.push_back(kCollapsedSpace);
      AppendLineBreaks(s_.substr(from, to - from), out_);
      copied_ = to;
      return;
    }
    // The first non-whitespace byte must start a non-whitespace character token: a
    // NUL is dropped, a character reference may be whitespace. After it, none of
    // that matters.
    if (s_[first] == '\0' || (s_[first] == '&' && !IsNonSpaceReference(first, to))) return;
    const std::string_view rest = s_.substr(first, to - first);
    out_.append(s_.substr(copied_, first - copied_));
    out_.append(kCollapsedText);
    AppendLineBreaks(rest, out_);
    copied_ = to;
  }

  // Whether the '&' at `at` (before `to`) gives a first character that is not
  // whitespace: true for numeric references to anything but TAB, LF, FF, CR and
  // space (and NUL, to be safe), for a '&' that starts no reference (it is itself
  // the character), and for named references other than &Tab; and &NewLine;.
  bool IsNonSpaceReference(std::size_t at, std::size_t to) const {
    std::size_t i = at + 1;
    if (i < to && s_[i] == '#') {
      ++i;
      const bool hex = i < to && (s_[i] == 'x' || s_[i] == 'X');
      if (hex) ++i;
      std::uint32_t value = 0;
      bool digits = false;
      for (; i < to; ++i) {
        const char c = s_[i];
        int digit = -1;
        if (c >= '0' && c <= '9') {
          digit = c - '0';
        } else if (hex && Lower(c) >= 'a' && Lower(c) <= 'f') {
          digit = Lower(c) - 'a' + 10;
        }
        if (digit < 0) break;
        digits = true;
        value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit), 0x110000);
      }
      if (!digits) return true;  // "&#" is text
      return value != 0 && value != 0x09 && value != 0x0A && value != 0x0C && value != 0x0D && value != 0x20;
    }
    const std::string_view rest = s_.substr(i, to - i);
    return rest.substr(0, 3) != "Tab" && rest.substr(0, 7) != "NewLine";
  }

  // Replaces s_[from, to) by its line breaks.
  void Cut(std::size_t from, std::size_t to) {
    out_.append(s_.substr(copied_, from - copied_));
    AppendLineBreaks(s_.substr(from, to - from), out_);
    copied_ = to;
  }

  void Scan() {
    const std::size_t n = s_.size();
    std::size_t pos = 0;
    while (true) {
      const std::size_t lt = Find(s_, '<', pos);
      if (lt == npos || lt + 1 >= n) {
        EndText(n);  // a '<' at the end is text too
        return;
      }
      const char next = s_[lt + 1];
      if (next == '!') {
        EndText(lt);
        if (lt + 3 < n && s_[lt + 2] == '-' && s_[lt + 3] == '-') {
          const std::size_t end = FindCommentEnd(s_, lt);
          if (end == npos) {
            Cut(lt + 4, n);  // the comment runs to the end
            return;
          }
          if (end - lt > 7) {
            Cut(lt + 4, end);  // "<!--" + line breaks + "-->" is the same comment token, emptied
            out_.append("-->");
          }
          pos = end;
          text_from_ = end;
          continue;
        }
        if (StartsWithNoCase(s_, lt + 2, "[cdata[") && (svg_ > 0 || math_ > 0)) {
          copied_rest_ = true;  // a CDATA section if the current node is foreign, else a bogus comment
          return;
        }
        // DOCTYPE or bogus comment: both end at the first '>'.
        const std::size_t gt = Find(s_, '>', lt + 2);
        if (gt == npos) return;
        pos = text_from_ = gt + 1;
        continue;
      }
      if (next == '?') {
        EndText(lt);
        const std::size_t gt = Find(s_, '>', lt + 2);
        if (gt == npos) return;
        pos = text_from_ = gt + 1;
        continue;
      }
      if (next == '/') {
        if (lt + 2 >= n) {
          EndText(n);  // "</" at the end is text
          return;
        }
        EndText(lt);
        if (!IsAlpha(s_[lt + 2])) {
          if (s_[lt + 2] == '>') {
            pos = text_from_ = lt + 3;  // "</>" is dropped
            continue;
          }
          const std::size_t gt = Find(s_, '>', lt + 2);  // bogus comment
          if (gt == npos) return;
          pos = text_from_ = gt + 1;
          continue;
        }
        std::size_t name_end = lt + 2;
        while (name_end < n && !IsSpace(s_[name_end]) && s_[name_end] != '/' && s_[name_end] != '>') ++name_end;
        bool self_closing = false;
        const std::size_t end = SkipTagRest(s_, name_end, self_closing);
        if (end == npos) return;
        const std::string_view name = s_.substr(lt + 2, name_end - lt - 2);
        const auto closes = [&name](std::string_view lower) {
          return name.size() == lower.size() && StartsWithNoCase(name, 0, lower);
        };
        if (closes("svg") && svg_ > 0 && !foreign_sticky_) --svg_;
        if (closes("math") && math_ > 0 && !foreign_sticky_) --math_;
        if (closes("select") && select_ > 0) --select_;
        if (closes("template") && template_ > 0) --template_;
        formatting_.EndTag(LowerName(name), svg_ > 0 || math_ > 0 || foreign_sticky_);
        if (closes("blockquote") && !blockquotes_.empty()) {
          if (blockquotes_.back()) --quoting_;
          blockquotes_.pop_back();
        }
        pos = text_from_ = end;
        continue;
      }
      if (!IsAlpha(next)) {
        pos = lt + 1;  // a '<' that starts no tag is text
        continue;
      }
      EndText(lt);
      std::size_t name_end = lt + 1;
      while (name_end < n && !IsSpace(s_[name_end]) && s_[name_end] != '/' && s_[name_end] != '>') ++name_end;
      bool self_closing = false;
      const std::size_t end = SkipTagRest(s_, name_end, self_closing);
      if (end == npos) return;
      const std::string_view name = s_.substr(lt + 1, name_end - lt - 1);
      formatting_.StartTag(LowerName(name), self_closing, svg_ > 0 || math_ > 0 || foreign_sticky_);
      if (filter_attributes_ && name.size() == 10 && StartsWithNoCase(name, 0, "blockquote")) {
        blockquotes_.push_back(IsEmbedBlockquote(name_end, end));
        if (blockquotes_.back()) ++quoting_;
      }
      // Gumbo's "</>" emits no token, so the next tag's original text (from which an
      // unknown element's name is read) starts at that "</": such a tag stays as written.
      const bool after_empty_end_tag = lt >= 3 && s_.compare(lt - 3, 3, "</>") == 0;
      if (filter_attributes_ && !KeepsAttributesOf(name) && !after_empty_end_tag) {
        FilterAttributes(name_end, end, self_closing, /*link=*/name.size() == 1 && Lower(name[0]) == 'a',
                         IsImage(name));
      }
      pos = end;
      if (!StartTag(name, self_closing, pos)) return;
      text_from_ = pos;
      after_pre_ = (name.size() == 3 && StartsWithNoCase(name, 0, "pre")) ||
                   (name.size() == 7 && StartsWithNoCase(name, 0, "listing"));
    }
  }

  // Handles a start tag ending just before `pos`; moves `pos` past raw-text content.
  // Returns false when the rest of the input is to be copied unchanged.
  bool StartTag(std::string_view name, bool self_closing, std::size_t& pos) {
    const auto is = [&name](std::string_view lower) {
      return name.size() == lower.size() && StartsWithNoCase(name, 0, lower);
    };
    const std::size_t n = s_.size();
    if ((svg_ > 0 || math_ > 0) && !self_closing && !foreign_sticky_ && IsIntegrationPoint(name)) {
      // Inside an integration point the tree builder may insert HTML elements (a
      // reconstructed <a>, say); then an end tag like </svg> can be ignored while
      // we would count the <svg> closed. Unless the element is empty, or holds text
      // only while no formatting element can be reconstructed, stop counting.
      const std::string_view lower = LowerName(name);
      const std::size_t lt = Find(s_, '<', pos);
      const bool empty = IsAppropriateEndTag(s_, pos, lower);
      const bool text_only = lt != npos && IsAppropriateEndTag(s_, lt, lower);
      if (!empty && !(text_only && formatting_.clean())) foreign_sticky_ = true;
    }
    switch (name.size()) {
      case 3:
        if (is("svg") && !self_closing) ++svg_;
        if (is("xmp")) return RawText("xmp", false, pos);
        return true;
      case 4:
        if (is("math") && !self_closing) ++math_;
        return true;
      case 5:
        if (is("style")) return RawText("style", true, pos);
        if (is("title")) return RawText("title", false, pos);
        return true;
      case 6:
        if (is("script")) {
          if (Careful()) return RawText("script", false, pos);
          const std::size_t end = FindScriptEnd(s_, pos);
          Cut(pos, end == npos ? n : end);
          pos = end == npos ? n : end;
          return true;
        }
        if (is("select")) ++select_;
        if (is("iframe")) return RawText("iframe", false, pos);
        return true;
      case 7:
        if (is("noembed")) return RawText("noembed", false, pos);
        return true;
      case 8:
        if (is("template")) ++template_;
        if (is("textarea")) return RawText("textarea", false, pos);
        if (is("noframes")) return RawText("noframes", false, pos);
        if (is("frameset")) return CopyRest();
        return true;
      case 9:
        if (is("plaintext")) return CopyRest();
        return true;

      default:
        return true;
    }
  }

  // The content of a RAWTEXT/RCDATA element (or, when careful, of a script) that
  // starts at `pos`: cut when `cut` and certain, else skipped unchanged.
  bool RawText(std::string_view name, bool cut, std::size_t& pos) {
    const std::size_t n = s_.size();
    if (Careful()) {
      // The content may be markup here (foreign content, <select>, <template>).
      // Both readings agree only if its first '<' starts the end tag (or there is none).
      const std::size_t lt = Find(s_, '<', pos);
      if (lt == npos) {
        pos = n;
        return true;
      }
      if (!IsAppropriateEndTag(s_, lt, name)) return CopyRest();
      pos = lt;
      return true;
    }
    const std::size_t end = FindRawTextEnd(s_, pos, name);
    if (cut) Cut(pos, end == npos ? n : end);
    pos = end == npos ? n : end;
    return true;
  }

  // SVG's and MathML's HTML integration points and MathML's text integration points.
  static bool IsIntegrationPoint(std::string_view name) {
    for (const std::string_view point : {"foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext",
                                         "annotation-xml"}) {
      if (name.size() == point.size() && StartsWithNoCase(name, 0, point)) return true;
    }
    return false;
  }

  // `name` in lower case (ASCII), valid until the next call.
  std::string_view LowerName(std::string_view name) {
    lower_name_.assign(name);
    for (char& c : lower_name_) c = Lower(c);
    return lower_name_;
  }

  // Whether the <blockquote> start tag whose name ends at `name_end` (and that ends
  // before `tag_end`) looks like embed code, whose text matchers read: it has a cite
  // or data-* attribute, or a class a matcher asks about. (Other blockquotes quote
  // the article's own text.)
  bool IsEmbedBlockquote(std::size_t name_end, std::size_t tag_end) {
    ReadAttributes(name_end, tag_end, attributes_);
    for (const Attribute& a : attributes_) {
      const std::string_view name = s_.substr(a.begin, a.name_end - a.begin);
      if (name.size() == 4 && StartsWithNoCase(name, 0, "cite")) return true;
      if (name.size() > 5 && StartsWithNoCase(name, 0, "data-")) return true;
      if (name.size() == 5 && StartsWithNoCase(name, 0, "class") && a.has_value &&
          !KeptClasses(s_.substr(a.value_begin, a.value_end - a.value_begin)).empty()) {
        return true;
      }
    }
    return false;
  }

  // Gumbo copies <html>/<body> attributes into the first such element: those keep
  // them all.
  static bool KeepsAttributesOf(std::string_view name) {
    return (name.size() == 4 && (StartsWithNoCase(name, 0, "html") || StartsWithNoCase(name, 0, "body"))) ||
           IsFormatting(name);
  }

  // Gumbo compares the attributes of formatting elements (the "Noah's Ark" clause,
  // on decoded values): those keep every attribute as it is. Except <a>: a second <a>
  // runs the adoption agency for the first, so the list never holds two and <a>'s
  // attributes are never compared; it keeps every name, with Token values.
  static bool IsFormatting(std::string_view name) {
    if (name.size() > 6) return false;
    for (const std::string_view kept : {"b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike",
                                        "strong", "tt", "u"}) {
      if (name.size() == kept.size() && StartsWithNoCase(name, 0, kept)) return true;
    }
    return false;
  }

  // Elements whose src is an image, which matchers read only inside embed code.
  static bool IsImage(std::string_view name) {
    return (name.size() == 3 && StartsWithNoCase(name, 0, "img")) ||
           (name.size() == 6 && StartsWithNoCase(name, 0, "source"));
  }

  // Whether an attribute value may be replaced by a Token: long enough to be worth
  // it, and printable ASCII without '&', so that Gumbo reads it as written and two
  // values are equal for Gumbo exactly when they are equal bytes.
  static bool IsTokenizable(std::string_view value) {
    if (value.size() < 12) return false;
    for (const char c : value) {
      if (c < 0x20 || c > 0x7E || c == '&') return false;
    }
    return true;
  }

  // The value that stands for `value`: kCollapsedText and a number, the same for
  // equal values and different for different ones. (No value with '&' is replaced,
  // and every token lacks one, so a token never equals a value left as it was.)
  std::string Token(std::string_view value) {
    const auto [it, inserted] = tokens_.try_emplace(value, tokens_.size());
    return std::string(kCollapsedText) + std::to_string(it->second);
  }

  struct Attribute {
    std::size_t begin = 0;     // first character of the name
    std::size_t name_end = 0;
    std::size_t value_begin = 0;
    std::size_t value_end = 0;
    bool has_value = false;
    std::size_t end = 0;       // past the value (or the name)
  };

  // The attributes of the start tag whose name ends at `name_end` and that ends just
  // before `tag_end` (past its '>'), by the states of SkipTagRest.
  void ReadAttributes(std::size_t name_end, std::size_t tag_end, std::vector<Attribute>& out) const {
    enum class State { kBeforeName, kName, kAfterName, kBeforeValue, kUnquoted, kAfterQuoted, kSelfClosing };
    out.clear();
    State state = State::kBeforeName;
    std::size_t pos = name_end;
    const std::size_t gt = tag_end - 1;
    Attribute current;
    bool open = false;
    const auto start = [&](std::size_t at) {
      if (open) out.push_back(current);
      current = Attribute{};
      current.begin = at;
      open = true;
    };
    while (pos < gt) {
      const char c = s_[pos];
      switch (state) {
        case State::kBeforeName:
        case State::kAfterName:
          if (IsSpace(c)) {
            ++pos;
          } else if (c == '/') {
            state = State::kSelfClosing;
            ++pos;
          } else if (c == '=' && state == State::kAfterName) {
            state = State::kBeforeValue;
            ++pos;
          } else {
            start(pos);
            state = State::kName;
            ++pos;
          }
          break;
        case State::kName:
          if (IsSpace(c) || c == '/' || c == '=') {
            current.name_end = pos;
            current.end = pos;
            state = c == '=' ? State::kBeforeValue : (c == '/' ? State::kSelfClosing : State::kAfterName);
          }
          ++pos;
          break;
        case State::kBeforeValue:
          if (IsSpace(c)) {
            ++pos;
          } else if (c == '"' || c == '\'') {
            const std::size_t close = Find(s_, c, pos + 1);
            current.has_value = true;
            current.value_begin = pos + 1;
            current.value_end = close;
            current.end = close + 1;
            state = State::kAfterQuoted;
            pos = close + 1;
          } else {
            current.has_value = true;
            current.value_begin = pos;
            state = State::kUnquoted;
            ++pos;
          }
          break;
        case State::kUnquoted:
          if (IsSpace(c)) {
            current.value_end = pos;
            current.end = pos;
            state = State::kBeforeName;
          }
          ++pos;
          break;
        case State::kAfterQuoted:
          if (IsSpace(c)) {
            state = State::kBeforeName;
            ++pos;
          } else if (c == '/') {
            state = State::kSelfClosing;
            ++pos;
          } else {
            state = State::kBeforeName;
          }
          break;
        case State::kSelfClosing:
          state = State::kBeforeName;  // '>' is at gt, outside the loop
          break;
      }
    }
    if (!open) return;
    if (state == State::kName) {
      current.name_end = gt;
      current.end = gt;
    } else if (state == State::kBeforeValue) {
      current.end = gt;  // "a=" (and spaces) before '>': an empty value
    } else if (state == State::kUnquoted) {
      current.value_end = gt;
      current.end = gt;
    }
    out.push_back(current);
  }

  // Rewrites the start tag ending at tag_end without the attributes nobody reads.
  //
  // Outside embed blockquotes, href values (and the src of images) become Tokens
  // too (Node::Attr and Node::Attributes notice a token read, through AttributeReadGuard). A formatting element drops nothing: its
  // attributes that no matcher reads keep their names, with Token values.
  void FilterAttributes(std::size_t name_end, std::size_t tag_end, bool self_closing, bool link, bool image) {
    ReadAttributes(name_end, tag_end, attributes_);
    if (attributes_.empty()) return;
    // What to do with each: 0 drop, 1 keep, 2 keep the listed classes only, 3 keep
    // the name with a Token value.
    decisions_.assign(attributes_.size(), 1);
    names_.clear();
    bool changed = false;
    for (std::size_t i = 0; i < attributes_.size(); ++i) {
      const Attribute& a = attributes_[i];
      std::string name(s_.substr(a.begin, a.name_end - a.begin));
      if (name.find('\0') != std::string::npos) return;  // Gumbo's U+FFFD could make two names equal
      // A name can start with '=' after a '/' ("<a h/= s>"); written after a space it
      // would give the attribute before it a value.
      if (name.front() == '=') return;
      for (char& c : name) c = Lower(c);
      bool duplicate = false;
      for (const std::string& seen : names_) duplicate = duplicate || seen == name;
      // Gumbo 0.10.1 drops a repeated name but keeps it in its buffer when no value
      // follows: the next attribute's name then starts with it ("<a r r #>" has the
      // attributes "r" and "r#"). Such a tag is left as written.
      if (duplicate && !a.has_value && i + 1 < attributes_.size()) return;
      const bool kept = name == "class" || IsKeptAttribute(name);
      const std::string_view value = s_.substr(a.value_begin, a.has_value ? a.value_end - a.value_begin : 0);
      if (duplicate || (!kept && !link)) {
        decisions_[i] = 0;  // Gumbo ignores a repeated attribute
        changed = true;
      } else if (((!kept && link) || ((name == "href" || (image && name == "src")) && quoting_ == 0)) &&
                 a.has_value && IsTokenizable(value)) {
        decisions_[i] = 3;
        changed = true;
      } else if (name == "class" && a.has_value && !link) {
        if (value.find('&') == std::string_view::npos && value.find('\0') == std::string_view::npos) {
          decisions_[i] = 2;
          changed = true;
        }
      }
      names_.push_back(std::move(name));
    }
    if (!changed) return;
    out_.append(s_.substr(copied_, name_end - copied_));
    std::string breaks;
    const auto skip = [&](std::size_t from, std::size_t to) {
      // A CR that ended the last range pairs with an LF only if the LF comes right after it.
      if (!breaks.empty() && breaks.back() == '\r' && from < to && s_[from] != '\n') breaks.back() = '\n';
      AppendLineBreaks(s_.substr(from, to - from), breaks);
    };
    const auto separate = [&]() {
      out_.append(breaks.empty() ? std::string_view(" ") : std::string_view(breaks));
      breaks.clear();
    };
    std::size_t at = name_end;
    for (std::size_t i = 0; i < attributes_.size(); ++i) {
      const Attribute& a = attributes_[i];
      skip(at, a.begin);
      at = a.end;
      if (decisions_[i] == 0) {
        skip(a.begin, a.end);
      } else if (decisions_[i] == 1) {
        separate();
        out_.append(s_.substr(a.begin, a.end - a.begin));
      } else if (decisions_[i] == 3) {
        skip(a.begin, a.end);
        separate();
        out_.append(s_.substr(a.begin, a.name_end - a.begin))
            .append("=\"")
            .append(Token(s_.substr(a.value_begin, a.value_end - a.value_begin)))
            .append("\"");
      } else {
        const std::string classes = KeptClasses(s_.substr(a.value_begin, a.value_end - a.value_begin));
        skip(a.begin, a.end);
        if (!classes.empty()) {
            separate();
          out_.append("class=\"").append(classes).append("\"");
        }
      }
    }
    skip(at, tag_end);
    out_.append(breaks);
    out_.append(self_closing ? " />" : ">");
    copied_ = tag_end;
  }

  bool CopyRest() {
    copied_rest_ = true;
    return false;
  }

  std::string_view s_;
  const bool filter_attributes_;
  std::string out_;
  std::vector<Attribute> attributes_;
  std::vector<int> decisions_;
  std::vector<std::string> names_;
  std::size_t copied_ = 0;  // s_[0, copied_) is accounted for in out_
  bool copied_rest_ = false;
  int svg_ = 0;
  int math_ = 0;
  int select_ = 0;
  int template_ = 0;
  // Open <blockquote>s (start tags not yet matched by an end tag, innermost last),
  // true for embed code (IsEmbedBlockquote); quoting_ counts those. Text is kept while
  // quoting_ > 0. (An end tag the tree builder ignores makes this end a zone early,
  // and AttributeReadGuard notices any shortened text a matcher reads.)
  std::vector<bool> blockquotes_;
  int quoting_ = 0;
  std::unordered_map<std::string_view, std::size_t> tokens_;  // value -> its Token's number
  std::size_t text_from_ = 0; // where the data-state text before the next token starts
  bool after_pre_ = false;    // that text follows a <pre> or <listing> start tag
  bool foreign_sticky_ = false;  // svg_/math_ no longer go down
  FormattingTracker formatting_;
  std::string lower_name_;
};

}  // namespace

std::string SkimInertText(std::string_view html, SkimStats* stats, bool filter_attributes) {
  return Skimmer(html, filter_attributes).Run(stats);
}

bool IsKeptAttribute(std::string_view lower_name) {
  // Every attribute an embed matcher asks for (src/platform/*.cpp: Node::Attr calls,
  // and the loops over an element's attributes, which look only at src, data, value
  // and the lazy-loading data-*src* / data-original family), and the few Gumbo's tree
  // builder reads: input[type], font[color|face|size], annotation-xml[encoding],
  // isindex[prompt|action|name]. Bulky ones no matcher needs (style, srcset, alt,
  // title, ...) are not listed. A matcher asking for an unlisted one through
  // Node::Attr is noticed by AttributeReadGuard, and the page is parsed again.
  static constexpr std::string_view kKept[] = {
      "href", "src", "data", "value", "name", "type", "cite", "datetime", "lang", "action", "amp", "\xE2\x9A\xA1",
      "color", "face", "size", "encoding", "prompt", "videoid", "playlistid", "data-post", "data-utime",
      "data-testid", "data-test-id", "data-bluesky-uri", "data-bluesky-cid", "data-videoid", "data-video-id",
      "data-tracking-control-name", "data-text-post-permalink", "data-telegram-post", "data-shortcode",
      "data-instgrm-permalink", "data-id", "data-href", "data-embed-url", "data-embed-type", "data-embed-showedits",
      "data-embed-as", "data-activity-urn", "data-embed-created", "data-card-created", "data-tweet-id",
      "data-tweetid", "data-url", "data-lazy", "data-original"};
  const auto kept = [](std::string_view name) {
    if (name.size() > 5 && name.substr(0, 5) == "data-" && name.find("src") != std::string_view::npos) return true;
    return std::find(std::begin(kKept), std::end(kKept), name) != std::end(kKept);
  };
  // Gumbo turns "xlink:href" on foreign elements into "href" (in the xlink namespace):
  // a prefixed name is kept if it or its local name is.
  const std::size_t colon = lower_name.rfind(':');
  return kept(lower_name) || (colon != std::string_view::npos && kept(lower_name.substr(colon + 1)));
}

bool IsKeptClass(std::string_view name) {
  // Every class the embed matchers ask about (src/platform/*.cpp HasClass calls).
  static constexpr std::string_view kKept[] = {
      "twitter-tweet", "twitter-video", "instagram-media", "instagram-media-rendered", "tiktok-embed",
      "bluesky-embed", "reddit-embed-bq", "reddit-card", "mastodon-embed", "text-post-media",
      "text-post-media-rendered", "fb-post", "fb-video", "rll-youtube-player", "userContent",
      "userContentWrapper", "UsernameText", "MediaContainer", "BodyTextContainer", "DisplayNameText",
      "CaptionUsername", "Caption", "EmbeddedMediaImage", "EmbedIsBroken", "profileLink", "scaledImageFitWidth",
      "scaledImageFitHeight", "tgme_widget_message", "tgme_widget_message_video",
      "tgme_widget_message_photo_wrap", "update-components-text", "share-update-card",
      "main-feed-activity-card", "feed-shared-update-v2", "feed-shared-update-v2__commentary",
      "attributed-text-segment-list__content"};
  for (const std::string_view kept : kKept) {
    if (name.size() == kept.size()) {
      bool same = true;
      for (std::size_t i = 0; same && i < name.size(); ++i) same = Lower(name[i]) == Lower(kept[i]);
      if (same) return true;
    }
  }
  return false;
}

bool IsValidUtf8Fast(std::string_view text) {
  // Every ill-formed sequence lies inside a run of non-ASCII bytes (an ASCII byte
  // ends any sequence), so checking each such run alone gives IsValidUtf8's answer.
  const std::size_t n = text.size();
  std::size_t pos = 0;
  while (pos < n) {
    // Skip ASCII, eight bytes at a time.
    while (pos + 8 <= n) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + pos, 8);
      if ((word & 0x8080808080808080ull) != 0) break;
      pos += 8;
    }
    while (pos < n && static_cast<unsigned char>(text[pos]) < 0x80) ++pos;
    if (pos >= n) break;
    std::size_t end = pos;
    while (end < n && static_cast<unsigned char>(text[end]) >= 0x80) ++end;
    if (!IsValidUtf8(text.substr(pos, end - pos))) return false;
    pos = end;
  }
  return true;
}

}  // namespace embarc::html
