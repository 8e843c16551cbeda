#include "html/dom.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "embarc/core/json.h"
#include "html/skim.h"

namespace embarc::html {
namespace {

using ascii::Lower;
using ascii::EqualsNoCase;

// Gumbo 0.10.1 is built with its assertions on, and a few of them fail on markup it
// mishandles (one is "<table><svg><select><desc><select><tbody>": src/parser.c:714,
// node_qualified_tag_is). A failed assertion would abort the whole process. While a
// thread is inside gumbo_parse_with_options, GumboParse sets kGumboEscape to a jump
// buffer, and __assert_fail below (which Gumbo's calls bind to, since the executable
// defines it: at link time when Gumbo is linked statically, at load time when it is a
// shared library) jumps back there instead. Everything Gumbo
// allocated lives in the document's arena and is dropped with it (also what came
// from malloc past the arena's limit); Gumbo keeps no global state.
struct GumboFailure {
  const char* assertion = nullptr;
  const char* file = nullptr;
  unsigned int line = 0;
};
thread_local std::jmp_buf* kGumboEscape = nullptr;
thread_local GumboFailure kGumboFailure;

}  // namespace
}  // namespace embarc::html

// Replaces glibc's __assert_fail (same signature as <assert.h> declares it). Outside a
// Gumbo parse it does what glibc's does: the usual message, then abort().
extern "C" [[noreturn]] void __assert_fail(const char* assertion, const char* file, unsigned int line,
                                           const char* function) noexcept {
  using embarc::html::kGumboEscape;
  if (kGumboEscape != nullptr) {
    embarc::html::kGumboFailure = {assertion, file, line};
    std::jmp_buf* escape = kGumboEscape;
    kGumboEscape = nullptr;
    std::longjmp(*escape, 1);
  }
  std::fprintf(stderr, "%s: %s:%u: %s%sAssertion `%s' failed.\n", program_invocation_short_name, file, line,
               function != nullptr ? function : "", function != nullptr ? ": " : "", assertion);
  std::abort();
}

namespace embarc::html {
namespace {

// gumbo_parse_with_options, or nullptr (with kGumboFailure set) when one of Gumbo's
// assertions failed. Nothing with a destructor may live in this frame: longjmp skips it.
const GumboOutput* GumboParse(const GumboOptions& options, const std::string& text) {
  std::jmp_buf escape;
  const GumboOutput* output = nullptr;
  if (setjmp(escape) == 0) {
    kGumboEscape = &escape;
    output = gumbo_parse_with_options(&options, text.data(), text.size());
    kGumboEscape = nullptr;
    return output;
  }
  return nullptr;
}

// EqualsNoCase(c_string, b) without measuring c_string first (most names differ early).
bool CStringEqualsNoCase(const char* c_string, std::string_view b) {
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (c_string[i] == '\0' || Lower(c_string[i]) != Lower(b[i])) return false;
  }
  return c_string[b.size()] == '\0';
}

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

const GumboVector* ChildVector(const GumboNode* node) {
  switch (node->type) {
    case GUMBO_NODE_DOCUMENT:
      return &node->v.document.children;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
      return &node->v.element.children;
    default:
      return nullptr;
  }
}

bool IsElementNode(const GumboNode* node) {
  return node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE;
}

// ---- nesting-depth estimate -------------------------------------------------

bool IsNameChar(char c) {
  return !IsHtmlSpace(c) && c != '/' && c != '>' && c != '\0';
}

bool InList(std::string_view name, std::span<const std::string_view> list) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

constexpr std::array<std::string_view, 21> kVoidElements = {
    "area", "base", "basefont", "bgsound", "br", "col", "command", "embed", "frame", "hr", "image",
    "img", "input", "keygen", "link", "menuitem", "meta", "param", "source", "track", "wbr"};
// Closed implicitly by a following sibling of their kind (or by their parent's end
// tag), so unclosed ones in real pages do not pile up.
constexpr std::array<std::string_view, 22> kImpliedEndElements = {
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead",
    "tfoot", "rb", "rt", "rp", "rtc", "h1", "h2", "h3", "h4", "h5", "h6"};
// A start tag of these closes an open element of the same name (the parser's
// adoption agency for <a>/<nobr>, "button in scope", nested <select>/<form> ignored).
constexpr std::array<std::string_view, 5> kNoSelfNesting = {"a", "nobr", "button", "select", "form"};
// Contents are text up to the matching end tag.
constexpr std::array<std::string_view, 8> kRawTextElements = {
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"};

// Position just past the '>' that ends the tag whose attributes start at `pos`
// (quoted attribute values may contain '>'); sets `self_closing` for "/>".
std::size_t SkipTagRest(std::string_view s, std::size_t pos, bool& self_closing) {
  self_closing = false;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == '>') {
      self_closing = pos > 0 && s[pos - 1] == '/';
      return pos + 1;
    }
    if (c == '=') {
      ++pos;
      while (pos < s.size() && IsHtmlSpace(s[pos])) ++pos;
      if (pos < s.size() && (s[pos] == '"' || s[pos] == '\'')) {
        const std::size_t close = s.find(s[pos], pos + 1);
        if (close == std::string_view::npos) return s.size();
        pos = close + 1;
      }
      continue;
    }
    ++pos;
  }
  return s.size();
}

// Position of the end tag "</name" (case-insensitive) at or after `pos`, or npos.
std::size_t FindEndTag(std::string_view s, std::size_t pos, std::string_view name) {
  while (true) {
    pos = s.find("</", pos);
    if (pos == std::string_view::npos) return pos;
    const std::size_t after = pos + 2 + name.size();
    if (after <= s.size() && EqualsNoCase(s.substr(pos + 2, name.size()), name) &&
        (after == s.size() || !IsNameChar(s[after]))) {
      return pos;
    }
    pos += 2;
  }
}

}  // namespace

int EstimateNestingDepth(std::string_view s, int limit) {
  std::vector<std::string> open;  // names of open elements, outermost first
  int foreign = 0;                // open <svg>/<math>: "/>" closes elements there
  std::size_t deepest = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    pos = s.find('<', pos);
    if (pos == std::string_view::npos || pos + 1 >= s.size()) break;
    if (s.compare(pos, 4, "<!--") == 0) {
      const std::size_t end = s.find("-->", pos + 4);
      if (end == std::string_view::npos) break;
      pos = end + 3;
      continue;
    }
    const char next = s[pos + 1];
    if (next == '!' || next == '?') {
      const std::size_t end = s.find('>', pos + 2);
      if (end == std::string_view::npos) break;
      pos = end + 1;
      continue;
    }
    const bool is_end = next == '/';
    const std::size_t name_begin = pos + (is_end ? 2 : 1);
    if (name_begin >= s.size() || !std::isalpha(static_cast<unsigned char>(s[name_begin]))) {
      pos = name_begin;
      continue;
    }
    std::size_t name_end = name_begin;
    while (name_end < s.size() && IsNameChar(s[name_end])) ++name_end;
    std::string name(s.substr(name_begin, name_end - name_begin));
    for (char& c : name) c = Lower(c);
    bool self_closing = false;
    pos = SkipTagRest(s, name_end, self_closing);
    if (is_end) {
      for (std::size_t i = open.size(); i > 0; --i) {
        if (open[i - 1] == name) {
          for (std::size_t j = i - 1; j < open.size(); ++j) {
            if (open[j] == "svg" || open[j] == "math") --foreign;
          }
          open.resize(i - 1);
          break;
        }
      }
      continue;
    }
    if (name == "plaintext") break;  // the rest of the document is text
    if (foreign == 0 && InList(name, kRawTextElements)) {  // (in svg/math they hold markup)
      const std::size_t end = FindEndTag(s, pos, name);
      if (end == std::string_view::npos) break;
      pos = end;
      continue;
    }
    if (InList(name, kVoidElements) || InList(name, kImpliedEndElements)) continue;
    if (self_closing && foreign > 0) continue;
    if (InList(name, kNoSelfNesting)) {
      const auto same = std::find(open.rbegin(), open.rend(), name);
      if (same != open.rend()) {
        const std::size_t keep = static_cast<std::size_t>(open.rend() - same) - 1;
        for (std::size_t j = keep; j < open.size(); ++j) {
          if (open[j] == "svg" || open[j] == "math") --foreign;
        }
        open.resize(keep);
      }
    }
    if (name == "svg" || name == "math") ++foreign;
    open.push_back(std::move(name));
    deepest = std::max(deepest, open.size());
    if (deepest > static_cast<std::size_t>(limit)) return limit + 1;
  }
  return static_cast<int>(deepest);
}

// ---- Node ------------------------------------------------------------------

Node::Kind Node::kind() const {
  switch (node_->type) {
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
      return Kind::kElement;
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
      return Kind::kText;
    default:
      return Kind::kOther;
  }
}

namespace {

// The name of an element Gumbo does not know, as written in its start tag (not
// lower-cased). Gumbo's original text of a start tag right after a stray "</>" (which
// it ignores) begins with that "</>".
GumboStringPiece UnknownTagName(const GumboElement& element) {
  GumboStringPiece piece = element.original_tag;
  if (piece.data == nullptr) return GumboStringPiece{"", 0};
  while (piece.length >= 3 && std::string_view(piece.data, 3) == "</>") {
    piece.data += 3;
    piece.length -= 3;
  }
  if (piece.length < 2 || piece.data[0] != '<' || piece.data[piece.length - 1] != '>') return GumboStringPiece{"", 0};
  gumbo_tag_from_original_text(&piece);
  return piece;
}

}  // namespace

bool Node::HasEndTag() const {
  if (!IsElementNode(node_)) return false;
  // Gumbo records whichever end tag popped the element: "</div>" for a blockquote its
  // parent's end tag closed. Only an end tag that names the element is its own.
  std::string_view tag(node_->v.element.original_end_tag.data, node_->v.element.original_end_tag.length);
  while (tag.starts_with("</>")) tag.remove_prefix(3);
  if (!tag.starts_with("</") || !tag.ends_with('>')) return false;
  tag.remove_prefix(2);
  const std::size_t end = tag.find_first_of(" \t\n\f\r/>");
  tag = tag.substr(0, end);
  const std::string name = TagName();
  return !tag.empty() && tag.size() == name.size() &&
         std::equal(tag.begin(), tag.end(), name.begin(), [](char a, char b) { return Lower(a) == b; });
}

std::string Node::TagName() const {
  if (!IsElementNode(node_)) return {};
  const GumboElement& element = node_->v.element;
  std::string name;
  if (element.tag != GUMBO_TAG_UNKNOWN) {
    name = gumbo_normalized_tagname(element.tag);
  } else {
    GumboStringPiece piece = UnknownTagName(element);
    name.assign(piece.data == nullptr ? "" : piece.data, piece.length);
  }
  for (char& c : name) c = Lower(c);
  return name;
}

bool Node::IsTag(std::string_view lower_name) const {
  if (!IsElementNode(node_)) return false;
  const GumboElement& element = node_->v.element;
  if (element.tag != GUMBO_TAG_UNKNOWN) {
    // gumbo_normalized_tagname, without a call into the library for every element and matcher.
    static const std::array<const char*, GUMBO_TAG_LAST + 1> kNames = [] {
      std::array<const char*, GUMBO_TAG_LAST + 1> names{};
      for (int tag = 0; tag <= GUMBO_TAG_LAST; ++tag) names[tag] = gumbo_normalized_tagname(static_cast<GumboTag>(tag));
      return names;
    }();
    const char* normalized = kNames[element.tag];  // lower-case
    for (std::size_t i = 0; i < lower_name.size(); ++i) {
      if (normalized[i] == '\0' || normalized[i] != lower_name[i]) return false;
    }
    return normalized[lower_name.size()] == '\0';
  }
  // As TagName() == lower_name, without building the string.
  const GumboStringPiece piece = UnknownTagName(element);
  if (piece.length != lower_name.size()) return false;
  for (std::size_t i = 0; i < piece.length; ++i) {
    if (Lower(piece.data[i]) != lower_name[i]) return false;
  }
  return true;
}

namespace {

thread_local AttributeReadGuard* g_read_guard = nullptr;

// A predicate on names, remembered per name: after the first call for a name, a
// hash and a comparison in a small table.
struct NameCache {
  struct Entry {
    std::string name;
    bool known = false;
    bool value = false;
  };
  std::array<Entry, 128> entries{};

  template <typename Predicate>
  bool Get(std::string_view name, Predicate predicate) {
    Entry& entry = entries[std::hash<std::string_view>{}(name) % entries.size()];
    if (!entry.known || entry.name != name) {
      entry.name.assign(name);
      entry.known = true;
      entry.value = predicate(name);
    }
    return entry.value;
  }
};

// Whether reading attribute `name` may give another answer after ParseMode::kSkim.
bool ReadsFilteredAttribute(std::string_view name) {
  thread_local NameCache cache;
  return cache.Get(name, [](std::string_view n) {
    std::string lower(n);
    for (char& c : lower) c = Lower(c);
    return !IsKeptAttribute(lower) || lower == "class";
  });
}

bool IsKeptClassCached(std::string_view name) {
  thread_local NameCache cache;
  return cache.Get(name, [](std::string_view n) { return IsKeptClass(n); });
}

std::optional<std::string_view> FindAttribute(const GumboNode* node, std::string_view name) {
  if (!IsElementNode(node)) return std::nullopt;
  const GumboVector& attributes = node->v.element.attributes;
  for (unsigned int i = 0; i < attributes.length; ++i) {
    const auto* attribute = static_cast<const GumboAttribute*>(attributes.data[i]);
    if (attribute->name != nullptr && CStringEqualsNoCase(attribute->name, name)) {
      return std::string_view(attribute->value != nullptr ? attribute->value : "");
    }
  }
  return std::nullopt;
}

}  // namespace

AttributeReadGuard::AttributeReadGuard() : previous_(g_read_guard) { g_read_guard = this; }

AttributeReadGuard::~AttributeReadGuard() {
  if (previous_ != nullptr && missed_) previous_->missed_ = true;
  g_read_guard = previous_;
}

std::optional<std::string_view> Node::Attr(std::string_view name) const {
  std::optional<std::string_view> value = FindAttribute(node_, name);
  if (g_read_guard != nullptr && !g_read_guard->missed_ &&
      (ReadsFilteredAttribute(name) || (value && value->find(kCollapsedText) != std::string_view::npos))) {
    g_read_guard->missed_ = true;
  }
  return value;
}

std::vector<std::pair<std::string_view, std::string_view>> Node::Attributes(
    bool (*wanted)(std::string_view name)) const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  if (!IsElementNode(node_)) return out;
  const GumboVector& attributes = node_->v.element.attributes;
  for (unsigned int i = 0; i < attributes.length; ++i) {
    const auto* attribute = static_cast<const GumboAttribute*>(attributes.data[i]);
    if (attribute->name == nullptr || !wanted(attribute->name)) continue;
    const std::string_view value = attribute->value != nullptr ? attribute->value : "";
    if (g_read_guard != nullptr && !g_read_guard->missed_ && value.find(kCollapsedText) != std::string_view::npos) {
      g_read_guard->missed_ = true;
    }
    out.emplace_back(attribute->name, value);
  }
  return out;
}

bool Node::HasAttributes() const { return IsElementNode(node_) && node_->v.element.attributes.length > 0; }

bool Node::HasAttributeWithPrefix(std::string_view lower_prefix) const {
  if (!IsElementNode(node_)) return false;
  const GumboVector& attributes = node_->v.element.attributes;
  for (unsigned int i = 0; i < attributes.length; ++i) {
    const char* name = static_cast<const GumboAttribute*>(attributes.data[i])->name;
    if (name == nullptr) continue;
    std::size_t k = 0;
    while (k < lower_prefix.size() && name[k] != '\0' && Lower(name[k]) == lower_prefix[k]) ++k;
    if (k == lower_prefix.size()) return true;
  }
  return false;
}

bool Node::HasClass(std::string_view name) const {
  if (g_read_guard != nullptr && !g_read_guard->missed_ && !IsKeptClassCached(name)) g_read_guard->missed_ = true;
  const std::optional<std::string_view> classes = FindAttribute(node_, "class");
  if (!classes) return false;
  std::size_t pos = 0;
  const std::string_view list = *classes;
  while (pos < list.size()) {
    while (pos < list.size() && IsHtmlSpace(list[pos])) ++pos;
    std::size_t end = pos;
    while (end < list.size() && !IsHtmlSpace(list[end])) ++end;
    if (end > pos && EqualsNoCase(list.substr(pos, end - pos), name)) return true;
    pos = end;
  }
  return false;
}

std::string_view Node::Text() const {
  if (kind() != Kind::kText || node_->v.text.text == nullptr) return {};
  const std::string_view text = node_->v.text.text;
  if (g_read_guard != nullptr && !g_read_guard->missed_ &&
      (text.find(kCollapsedText) != std::string_view::npos || text.find(kCollapsedSpace) != std::string_view::npos)) {
    g_read_guard->missed_ = true;
  }
  return text;
}

std::size_t Node::line() const {
  if (IsElementNode(node_)) return node_->v.element.start_pos.line;
  if (kind() == Kind::kText) return node_->v.text.start_pos.line;
  return 0;
}

std::optional<Node> Node::Parent() const {
  if (node_->parent == nullptr) return std::nullopt;
  return Node(node_->parent);
}

std::vector<Node> Node::Children() const {
  std::vector<Node> out;
  const GumboVector* children = ChildVector(node_);
  if (children == nullptr) return out;
  out.reserve(children->length);
  for (unsigned int i = 0; i < children->length; ++i) {
    out.emplace_back(static_cast<const GumboNode*>(children->data[i]));
  }
  return out;
}

std::size_t Node::ChildCount() const {
  const GumboVector* children = ChildVector(node_);
  return children == nullptr ? 0 : children->length;
}

Node Node::Child(std::size_t index) const {
  return Node(static_cast<const GumboNode*>(ChildVector(node_)->data[index]));
}

bool Node::Walk(const std::function<Step(const Node&)>& visit) const {
  std::vector<const GumboNode*> pending;
  const auto push_children = [&pending](const GumboNode* parent) {
    const GumboVector* children = ChildVector(parent);
    if (children == nullptr) return;
    for (unsigned int i = children->length; i > 0; --i) {
      pending.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
    }
  };
  push_children(node_);
  while (!pending.empty()) {
    const GumboNode* current = pending.back();
    pending.pop_back();
    const Step step = visit(Node(current));
    if (step == Step::kStop) return false;
    if (step == Step::kDescend) push_children(current);
  }
  return true;
}

std::string Node::TextContent() const {
  std::string raw;
  Walk([&raw](const Node& n) {
    if (n.is_text()) {
      raw += n.Text();
      return Step::kDescend;
    }
    if (n.IsTag("br")) raw += ' ';
    if (n.IsTag("script") || n.IsTag("style") || n.IsTag("template")) return Step::kSkipChildren;
    return Step::kDescend;
  });
  return CollapseWhitespace(raw);
}

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (const char c : text) {
    if (IsHtmlSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// ---- Document --------------------------------------------------------------

// Gumbo 0.10.1 frees little of what it allocates while it parses a real page (the
// tree is most of it), so a bump allocator that frees nothing until the Document
// goes costs about the memory malloc did, and saves malloc's and
// gumbo_destroy_output's time: they were a fifth of a skimmed parse. Blocks are kept
// for the next Document on the same thread, up to kCachedBlocks, so pages do not
// fault in fresh memory each time.
//
// Hostile markup can make Gumbo allocate and free far more than it keeps (attributes
// on end tags, say): past kArenaBaseBytes + kArenaBytesPerInputByte per input byte,
// the arena hands out malloc'd memory, which Free then frees. Each such allocation
// is linked into a list, so that ~Arena frees what is left of it: the tree's part,
// and all Gumbo held when one of its assertions failed mid-parse.
class Document::Arena {
 public:
  explicit Arena(std::size_t input_bytes) : limit_(kArenaBaseBytes + kArenaBytesPerInputByte * input_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    while (loose_ != nullptr) {
      Loose* next = loose_->next;
      std::free(loose_);
      loose_ = next;
    }
    for (Block& block : blocks_) {
      if (block.size == kBlockBytes && !t_cache_gone && Cache().size() < kCachedBlocks) {
        Cache().push_back(block.data);
      } else {
        std::free(block.data);
      }
    }
  }

  static void* Allocate(void* self, std::size_t bytes) noexcept {
    try {
      return static_cast<Arena*>(self)->Take(bytes);
    } catch (...) {  // (like malloc's failure, a null pointer; Gumbo cannot handle either)
      return nullptr;
    }
  }
  static void Free(void* self, void* pointer) noexcept {
    Arena& arena = *static_cast<Arena*>(self);
    if (arena.loose_ == nullptr || pointer == nullptr || arena.Owns(pointer)) return;  // all at once, in ~Arena
    Loose* loose = static_cast<Loose*>(pointer) - 1;
    (loose->previous != nullptr ? loose->previous->next : arena.loose_) = loose->next;
    if (loose->next != nullptr) loose->next->previous = loose->previous;
    std::free(loose);
  }

  std::size_t bytes() const { return taken_; }

 private:
  static constexpr std::size_t kBlockBytes = 1u << 20;
  static constexpr std::size_t kCachedBlocks = 4;
  static constexpr std::size_t kAlignment = alignof(std::max_align_t);
  struct Block {
    char* data;
    std::size_t size;
  };
  // The header of an allocation past the limit; the caller's bytes follow it.
  struct alignas(kAlignment) Loose {
    Loose* previous;
    Loose* next;
  };

  struct BlockCache {
    std::vector<char*> blocks;
    ~BlockCache() {
      for (char* block : blocks) std::free(block);
      t_cache_gone = true;  // a Document destroyed later on this thread frees its blocks itself
    }
  };
  static inline thread_local bool t_cache_gone = false;
  static std::vector<char*>& Cache() {
    thread_local BlockCache cache;
    return cache.blocks;
  }

  bool Owns(const void* pointer) const {
    const char* p = static_cast<const char*>(pointer);
    for (const Block& block : blocks_) {
      if (p >= block.data && p < block.data + block.size) return true;
    }
    return false;
  }

  void* Take(std::size_t bytes) {
    bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    if (taken_ + bytes > limit_) {
      Loose* loose = static_cast<Loose*>(std::malloc(sizeof(Loose) + bytes));
      if (loose == nullptr) return nullptr;
      loose->previous = nullptr;
      loose->next = loose_;
      if (loose_ != nullptr) loose_->previous = loose;
      loose_ = loose;
      return loose + 1;
    }
    taken_ += bytes;
    if (bytes > left_) {
      if (bytes > kBlockBytes / 4) return NewBlock(bytes);  // a big one gets a block of its own
      char* data = nullptr;
      if (!t_cache_gone && !Cache().empty()) {
        data = Cache().back();
        Cache().pop_back();
        blocks_.push_back({data, kBlockBytes});
      } else {
        data = static_cast<char*>(NewBlock(kBlockBytes));
        if (data == nullptr) return nullptr;
      }
      cursor_ = data;
      left_ = kBlockBytes;
    }
    void* out = cursor_;
    cursor_ += bytes;
    left_ -= bytes;
    return out;
  }

  void* NewBlock(std::size_t bytes) {
    void* data = std::malloc(bytes);
    if (data != nullptr) blocks_.push_back({static_cast<char*>(data), bytes});
    return data;
  }

  const std::size_t limit_;
  std::vector<Block> blocks_;
  char* cursor_ = nullptr;
  std::size_t left_ = 0;
  std::size_t taken_ = 0;
  Loose* loose_ = nullptr;  // the allocations past the limit not yet freed, newest first
};

Document::Document(std::unique_ptr<std::string> text, std::unique_ptr<Arena> arena, const GumboInternalOutput* output)
    : text_(std::move(text)), arena_(std::move(arena)), output_(output) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;  // the arena frees the tree

std::size_t Document::arena_bytes() const { return arena_ != nullptr ? arena_->bytes() : 0; }

Node Document::root() const { return Node(output_->document); }

Result<Document> Document::Parse(std::string_view html, std::size_t max_bytes, int max_depth, ParseMode mode) {
  if (html.size() > max_bytes) {
    return Fail(ErrorCode::kLimitExceeded, "HTML document of " + std::to_string(html.size()) +
                                               " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  // Gumbo requires UTF-8; pages in other encodings or with broken bytes get U+FFFD.
  // (SanitizeUtf8 returns valid text unchanged; checking first saves a copy.)
  std::string sanitized;
  std::string_view valid = html;
  if (!IsValidUtf8Fast(html)) {
    sanitized = SanitizeUtf8(html);
    valid = sanitized;
  }
  // Gumbo 0.10.1 is quadratic in nesting depth: refuse deep documents before parsing.
  // (Estimated on the whole text in both modes, so both refuse the same documents.)
  if (EstimateNestingDepth(valid, max_depth) > max_depth) {
    return Fail(ErrorCode::kLimitExceeded, "HTML nesting deeper than " + std::to_string(max_depth));
  }
  std::unique_ptr<std::string> text;
  if (mode == ParseMode::kSkimInertText || mode == ParseMode::kSkim) {
    text = std::make_unique<std::string>(SkimInertText(valid, nullptr, mode == ParseMode::kSkim));
  } else if (!sanitized.empty()) {
    text = std::make_unique<std::string>(std::move(sanitized));
  } else {
    text = std::make_unique<std::string>(valid);
  }
  auto arena = std::make_unique<Arena>(text->size());
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  options.allocator = &Arena::Allocate;
  options.deallocator = &Arena::Free;
  options.userdata = arena.get();
  kGumboFailure = {};
  const GumboOutput* output = GumboParse(options, *text);
  if (output == nullptr && kGumboFailure.assertion != nullptr) {
    const char* file = std::strrchr(kGumboFailure.file, '/');
    return Fail(ErrorCode::kInvalidArgument,
                std::string("HTML that Gumbo 0.10.1 cannot parse (its assertion `") + kGumboFailure.assertion +
                    "' failed at " + (file != nullptr ? file + 1 : kGumboFailure.file) + ":" +
                    std::to_string(kGumboFailure.line) + ")");
  }
  if (output == nullptr) return Fail(ErrorCode::kInternal, "gumbo_parse_with_options failed");
  return Document(std::move(text), std::move(arena), output);
}

}  // namespace embarc::html
