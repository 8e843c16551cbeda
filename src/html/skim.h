// Private: the pre-pass that lets html::ExtractEmbeds parse less.
//
// Most bytes of a real page are the text of <script> and <style> elements and
// comments, which no embed matcher ever reads (DOM walks skip script, style and
// template text; comment text is not reachable through html::Node). SkimInertText
// removes that text before Gumbo sees the page, so that Gumbo builds the same tree
// with empty script/style/comment text nodes.
//
// Exactness argument (tests/html/extract_skim_test.cpp checks it on every corpus
// file and on adversarial inputs): the skimmer runs Gumbo 0.10.1's tokenizer
// (data, tag, attribute, comment, doctype, bogus-comment and script-data escape
// states) over the page, so it finds the same tokens Gumbo would. It only cuts text
// where the tree builder is certain to have switched the tokenizer to script-data or
// RAWTEXT state, which holds for <script>/<style> in HTML content outside <select>,
// <template> and framesets. Inside <svg>/<math>/<select>/<template> (tracked by
// counts of their start and end tags, which never undercount the open elements) it
// cuts nothing and, where the tokenization of a raw-text element's content would
// depend on the tree, only continues if both readings agree (the first '<' of the
// content starts its end tag); otherwise, and at <plaintext>, <frameset> or a
// CDATA section, it copies the rest of the page unchanged. Line breaks of removed
// text are kept, so Node::line() is unchanged.
//
// Optionally (ParseMode::kSkim) it also
// - drops the attributes and classes that no matcher reads (formatting elements,
//   whose attributes Gumbo compares, keep those names with token values instead);
// - shortens the text between tags outside embed blockquotes (ones with a cite,
//   data-* or matcher class): such a run keeps its leading whitespace and its line
//   breaks, and the rest becomes one kCollapsedText character. The tree builder
//   treats a run of character tokens alike whatever its non-whitespace characters
//   are, once it has seen the first of them (that one may close <head>, open
//   <body>, foster-parent the run, ...), so the tree keeps its elements; only those
//   text nodes differ. A run whose first non-whitespace byte starts a character
//   reference ('&': it may be whitespace) or is a NUL (dropped) is kept. A run of
//   whitespace only becomes kCollapsedSpace and its line breaks;
// - replaces long href values outside embed blockquotes by tokens: kCollapsedText
//   and a number, equal for equal values and different for different ones (values
//   with '&' or anything but printable ASCII are kept, so Gumbo's comparisons of
//   formatting elements' attributes give the same answers).
// That is exact only for readers that an AttributeReadGuard (dom.h) watches:
// ExtractEmbeds parses the page again, with every attribute and all text, if a
// matcher ever asks for a dropped attribute or reads a replaced value or text.
#ifndef EMBARC_SRC_HTML_SKIM_H_
#define EMBARC_SRC_HTML_SKIM_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace embarc::html {

struct SkimStats {
  std::size_t removed_bytes = 0;
  bool copied_rest = false;  // gave up at some point and copied the rest unchanged
};

// `html` must be valid UTF-8 (as Gumbo is given). Returns the page with the text of
// HTML <script>/<style> elements and of comments removed (line breaks kept).
//
// With `filter_attributes`, start tags also lose the attributes that no embed matcher
// reads and that Gumbo's tree builder ignores (all but IsKeptAttribute), class
// attributes keep only the classes matchers ask about (IsKeptClass), and text runs
// and href values outside embed blockquotes are replaced (see above). Not filtered:
// <html>/<body> (Gumbo merges their attributes into earlier ones); the formatting
// elements (Gumbo compares their attributes: the "Noah's Ark" clause) only have
// values replaced one for one. Whoever parses such a text must make sure no reader
// asks for a dropped attribute or class or reads a replaced value or text
// (html::AttributeReadGuard in dom.h notices, and ExtractEmbeds parses again if one did).
std::string SkimInertText(std::string_view html, SkimStats* stats = nullptr, bool filter_attributes = false);

// Attribute names (lower-case) that the attribute filter keeps (class aside).
bool IsKeptAttribute(std::string_view lower_name);

// What a shortened text run holds in place of its characters: U+10FFFD, a private
// use character that Gumbo keeps as it is (it replaces control characters) and that
// real text hardly ever contains (a text that does is parsed again like a shortened one).
inline constexpr std::string_view kCollapsedText = "\xF4\x8F\xBF\xBD";
// What a shortened run of whitespace starts with: a form feed, whitespace to the
// tree builder like the run, and rare in real text (a text node holding one is
// parsed again like a shortened one).
inline constexpr char kCollapsedSpace = '\f';
// Classes (ASCII case-insensitive) that the attribute filter keeps.
bool IsKeptClass(std::string_view name);

// Whether `text` is valid UTF-8 in the sense of embarc::IsValidUtf8 (so that
// SanitizeUtf8 would return it unchanged), with a fast path for ASCII.
bool IsValidUtf8Fast(std::string_view text);

}  // namespace embarc::html

#endif  // EMBARC_SRC_HTML_SKIM_H_
