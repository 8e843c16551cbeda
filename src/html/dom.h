// Private: a small read-only view of a Gumbo parse tree, for the extractor and the
// platform adapters' embed matchers. Gumbo types stay out of this header.
#ifndef EMBARC_SRC_HTML_DOM_H_
#define EMBARC_SRC_HTML_DOM_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "embarc/core/result.h"

struct GumboInternalNode;
struct GumboInternalOutput;

namespace embarc::html {

// One node of a parsed document: an element, a text node (text, whitespace,
// CDATA) or something else (document, comment, template content). Cheap to copy;
// valid while its Document lives.
class Node {
 public:
  enum class Kind { kElement, kText, kOther };
  // What a Walk visitor wants next.
  enum class Step { kDescend, kSkipChildren, kStop };

  explicit Node(const GumboInternalNode* node) : node_(node) {}

  Kind kind() const;
  bool is_element() const { return kind() == Kind::kElement; }
  bool is_text() const { return kind() == Kind::kText; }

  // Lower-case tag name, also for elements Gumbo does not know ("amp-twitter");
  // empty for non-elements.
  std::string TagName() const;
  // Whether the element's own end tag is in the source: false for one the parser closed
  // (at its parent's end tag or the end of the document), and for void elements.
  bool HasEndTag() const;
  // Whether this is an element named `lower_name` (lower-case).
  bool IsTag(std::string_view lower_name) const;
  // The value of attribute `name` (names are matched ASCII case-insensitively).
  std::optional<std::string_view> Attr(std::string_view name) const;
  // The attributes whose names `wanted` accepts, in source order: names as Gumbo
  // lower-cases them, values decoded. Under an AttributeReadGuard, a value the skim
  // replaced is noticed; `wanted` must only accept names the skim keeps
  // (IsKeptAttribute in html/skim.h).
  std::vector<std::pair<std::string_view, std::string_view>> Attributes(bool (*wanted)(std::string_view name)) const;
  // Whether the element has any attribute. Under ParseMode::kSkim only the kept ones
  // count, so a reader that asks only for kept attributes and classes (as
  // AttributeReadGuard checks) may stop at an element without any.
  bool HasAttributes() const;
  // Whether some attribute's name starts with `lower_prefix` (ASCII case-insensitive).
  // A shortcut before asking Attr for several names with that prefix; it is not
  // watched by AttributeReadGuard, so under ParseMode::kSkim it is only exact for
  // prefixes of names the skim keeps.
  bool HasAttributeWithPrefix(std::string_view lower_prefix) const;
  // Whether the class attribute lists `name` (ASCII case-insensitive).
  bool HasClass(std::string_view name) const;
  // The characters of a text node; empty for other nodes.
  std::string_view Text() const;
  // 1-based source line of an element or text node (0 when unknown).
  std::size_t line() const;

  std::optional<Node> Parent() const;
  std::vector<Node> Children() const;  // elements and text nodes; template contents included
  std::size_t ChildCount() const;      // Children().size(), without building the vector
  Node Child(std::size_t index) const; // Children()[index]

  // Visits the descendants of this node (not the node itself) in document order,
  // iteratively (no recursion, so depth is no risk). Returns true unless stopped.
  bool Walk(const std::function<Step(const Node&)>& visit) const;

  // The text of all descendant text nodes, whitespace runs collapsed to one space
  // and trimmed; <br> counts as whitespace; <script>, <style> and <template> are skipped.
  std::string TextContent() const;

  bool operator==(const Node& other) const { return node_ == other.node_; }
  const GumboInternalNode* raw() const { return node_; }

 private:
  const GumboInternalNode* node_;
};

// While one lives, Node::Attr, Node::HasClass and Node::Text calls on this thread
// note whether they asked for an attribute or class that ParseMode::kSkim drops, or
// read a value or text it replaced (html/skim.h), in which case the answers may
// differ from a full parse's. Guards nest.
class AttributeReadGuard {
 public:
  AttributeReadGuard();
  ~AttributeReadGuard();
  AttributeReadGuard(const AttributeReadGuard&) = delete;
  AttributeReadGuard& operator=(const AttributeReadGuard&) = delete;
  bool missed() const { return missed_; }

 private:
  friend class Node;
  AttributeReadGuard* previous_;
  bool missed_ = false;
};

// Collapses runs of ASCII whitespace to one space and trims both ends.
std::string CollapseWhitespace(std::string_view text);

// Limits of a Document's arena (see Document::arena_bytes): beyond them Gumbo's
// allocations come from malloc, so that memory Gumbo frees while parsing hostile
// markup is given back.
inline constexpr std::size_t kArenaBaseBytes = 32u << 20;
inline constexpr std::size_t kArenaBytesPerInputByte = 8;

// What Document::Parse gives Gumbo.
enum class ParseMode {
  kFull,           // the whole text
  kSkimInertText,  // the text without the contents of <script>/<style> and comments (html/skim.h):
                   // the same tree, except that those elements' and comments' text is empty
  kSkim,           // kSkimInertText, without the attributes and classes no matcher reads and with
                   // text and href values outside embed blockquotes replaced:
                   // only valid for readers checked by an AttributeReadGuard
};

// A parsed HTML document. Owns the input text and the Gumbo output (which points into it).
class Document {
 public:
  // Parses `html` (any bytes: invalid UTF-8 is replaced by U+FFFD first) with
  // Gumbo's max_errors = 0, after checking size and an estimate of nesting depth
  // (of the whole text, whatever the mode).
  // Errors: kLimitExceeded past `max_bytes` or `max_depth`; kInvalidArgument for
  // markup on which one of Gumbo's own assertions fails (it would otherwise abort the
  // process; see __assert_fail in dom.cpp).
  [[nodiscard]] static Result<Document> Parse(std::string_view html, std::size_t max_bytes, int max_depth,
                                              ParseMode mode = ParseMode::kFull);

  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  Node root() const;  // the document node
  // Bytes Gumbo took from the document's arena (at most kArenaBaseBytes +
  // kArenaBytesPerInputByte per byte parsed; past that it gets malloc'd memory,
  // freed as it goes). For tests.
  std::size_t arena_bytes() const;

 private:
  class Arena;  // where Gumbo allocates the tree (dom.cpp)
  Document(std::unique_ptr<std::string> text, std::unique_ptr<Arena> arena, const GumboInternalOutput* output);

  std::unique_ptr<std::string> text_;  // Gumbo points into this
  std::unique_ptr<Arena> arena_;       // holds every node; freed at once, without walking the tree
  const GumboInternalOutput* output_ = nullptr;
};

// The deepest element nesting `html` would produce, estimated by a linear tag scan
// that treats elements the way HTML parsing does where it matters: void elements
// and elements closed implicitly by a sibling (p, li, td, option, ...) do not add
// depth, raw-text contents (script, style, textarea, ...) and comments are skipped,
// and an end tag closes everything opened after its start tag. Stops counting at
// `limit` + 1. Exposed for tests.
int EstimateNestingDepth(std::string_view html, int limit);

}  // namespace embarc::html

#endif  // EMBARC_SRC_HTML_DOM_H_
