#include "support/skim_identity.h"

#include <gumbo.h>

#include <sstream>
#include <string>
#include <vector>

#include "embarc/html/extract.h"
#include "html/dom.h"
#include "html/skim.h"

namespace embarc::testing {
namespace {

using embarc::html::Document;
using embarc::html::ParseMode;
using embarc::platform::ExtractedPost;

std::string DescribePosts(const std::vector<ExtractedPost>& posts) {
  std::ostringstream out;
  for (const ExtractedPost& p : posts) {
    out << p.ref.platform << " | " << p.ref.post_id << " | " << p.ref.url << " | "
        << (p.ref.author ? "@" + *p.ref.author : "-") << " | x" << p.occurrences << " | ";
    if (p.quote) {
      out << "quote[" << p.quote->text << "][" << p.quote->author_name << "][" << p.quote->date << "]";
    } else {
      out << "no quote";
    }
    out << " | forms";
    for (const std::string& f : p.forms) out << " " << f;
    out << " | " << (p.embedded_version ? *p.embedded_version : "-") << "\n";
  }
  return out.str();
}

}  // namespace

std::string Outcome(const embarc::Result<std::vector<ExtractedPost>>& result) {
  if (!result) return "error " + std::to_string(static_cast<int>(result.error().code)) + ": " + result.error().message;
  return DescribePosts(*result);
}

namespace {

bool IsHtmlRawTextParent(const GumboNode* node) {
  return node->type == GUMBO_NODE_ELEMENT && node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
         (node->v.element.tag == GUMBO_TAG_SCRIPT || node->v.element.tag == GUMBO_TAG_STYLE);
}

bool KeepsAllAttributes(const std::string& name) {
  for (const char* kept : {"html", "body", "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike",
                           "strong", "tt", "u"}) {
    if (name == kept) return true;
  }
  return false;
}

// The classes of `value` that ParseMode::kSkim keeps, or "" for none.
std::string KeptClasses(const std::string& value) {
  std::istringstream in(value);
  std::string token, out;
  while (in >> token) {
    if (embarc::html::IsKeptClass(token)) out += (out.empty() ? "" : " ") + token;
  }
  return out;
}

// The whole tree, one node per line: kinds, names, namespaces, attributes, text and
// element line numbers. Not compared: the text of HTML <script>/<style> elements
// and of comments (what the skim removes). With `filtered`, attributes are shown as
// ParseMode::kSkim leaves them (what matchers can see).
void Serialize(const GumboNode* node, int depth, bool filtered, std::string& out) {
  out.append(static_cast<std::size_t>(depth), ' ');
  switch (node->type) {
    case GUMBO_NODE_DOCUMENT: {
      const GumboDocument& d = node->v.document;
      out += "#document " + std::to_string(d.has_doctype) + " " + (d.name ? d.name : "") + " " +
             (d.public_identifier ? d.public_identifier : "") + " " + (d.system_identifier ? d.system_identifier : "") +
             " quirks=" + std::to_string(d.doc_type_quirks_mode) + "\n";
      for (unsigned int i = 0; i < d.children.length; ++i) {
        Serialize(static_cast<const GumboNode*>(d.children.data[i]), depth + 1, filtered, out);
      }
      return;
    }
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE: {
      const GumboElement& e = node->v.element;
      std::string name = gumbo_normalized_tagname(e.tag);
      if (e.tag == GUMBO_TAG_UNKNOWN) {
        GumboStringPiece piece = e.original_tag;
        if (piece.data != nullptr) {
          gumbo_tag_from_original_text(&piece);
          name.assign(piece.data, piece.length);
        }
      }
      out += (node->type == GUMBO_NODE_TEMPLATE ? "template-node " : "") + name + " ns=" +
             std::to_string(e.tag_namespace) + " line=" + std::to_string(e.start_pos.line) +
             " flags=" + std::to_string(node->parse_flags);
      for (unsigned int i = 0; i < e.attributes.length; ++i) {
        const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
        std::string attribute_name = a->name;
        std::string value = a->value;
        // (By Gumbo's tag: the name of an unknown element is cut at any isspace() byte,
        // so "<b\v d>" shows as "b" but is no formatting element.)
        if (filtered && !(e.tag != GUMBO_TAG_UNKNOWN && KeepsAllAttributes(name))) {
          std::string lower = attribute_name;
          for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
          if (lower != "class" && !embarc::html::IsKeptAttribute(lower)) continue;
          if (lower == "class") {
            value = KeptClasses(value);
            if (value.empty()) continue;
          }
        }
        out += " [" + std::to_string(a->attr_namespace) + ":" + attribute_name + "=" + value + "]";
      }
      out += "\n";
      if (IsHtmlRawTextParent(node)) return;
      for (unsigned int i = 0; i < e.children.length; ++i) {
        Serialize(static_cast<const GumboNode*>(e.children.data[i]), depth + 1, filtered, out);
      }
      return;
    }
    case GUMBO_NODE_COMMENT:
      out += "#comment\n";
      return;
    default:
      // One line per node: line breaks in the text are written as "\n" (and '\\' as "\\\\").
      out += "#text" + std::to_string(node->type) + " line=" + std::to_string(node->v.text.start_pos.line) + " [";
      for (const char* c = node->v.text.text; *c != '\0'; ++c) {
        if (*c == '\n') {
          out += "\\n";
        } else if (*c == '\\') {
          out += "\\\\";
        } else {
          out += *c;
        }
      }
      out += "]\n";
      return;
  }
}

}  // namespace

std::string Tree(const std::string& html, ParseMode mode, bool filtered) {
  auto document = Document::Parse(html, embarc::html::kMaxDocumentBytes, embarc::html::kMaxNestingDepth, mode);
  if (!document) return "error: " + document.error().message;
  std::string out;
  Serialize(document->root().raw(), 0, filtered, out);
  return out;
}

namespace {

// Whether two serialized text-node lines are the same node, the second with its text
// shortened by the skim (kCollapsedText, kCollapsedSpace): same type and line, and the
// skim's text keeps the line breaks written in the source. The full text may hold more:
// a character reference such as &#10; is an LF in the text but no line in the source.
// (The line numbers of all later nodes check that none went missing.)
bool SameShortenedText(const std::string& full, const std::string& skim) {
  if (skim.find(embarc::html::kCollapsedText) == std::string::npos &&
      skim.find(embarc::html::kCollapsedSpace) == std::string::npos) {
    return false;
  }
  const std::size_t open = full.find(" [");
  if (open == std::string::npos || full.compare(0, open + 2, skim, 0, open + 2) != 0) return false;
  const auto breaks = [](const std::string& line) {
    std::size_t count = 0;
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      if (line[i] != '\\') continue;
      if (line[i + 1] == 'n') ++count;
      ++i;  // "\\n" or "\\\\"
    }
    return count;
  };
  return breaks(full) >= breaks(skim);
}

// Whether two serialized element lines are the same but for attribute values that
// the skim replaced by tokens (kCollapsedText and digits) in the second.
bool SameButTokens(const std::string& full, const std::string& skim) {
  const std::string marker(embarc::html::kCollapsedText);
  std::size_t i = 0, j = 0;
  while (i < full.size() && j < skim.size()) {
    if (skim.compare(j, marker.size(), marker) == 0) {
      j += marker.size();
      while (j < skim.size() && skim[j] >= '0' && skim[j] <= '9') ++j;
      // The full value runs to the ']' that ends the attribute.
      std::size_t end = full.find(']', i);
      while (end != std::string::npos && end + 1 < full.size() && full.compare(end + 1, 2, " [") != 0) {
        end = full.find(']', end + 1);
      }
      if (end == std::string::npos) return false;
      i = end;
      continue;
    }
    if (full[i] != skim[j]) return false;
    ++i;
    ++j;
  }
  return i == full.size() && j == skim.size();
}

}  // namespace

std::string TreeDifference(const std::string& full_tree, const std::string& skim_tree, bool shortened_text) {
  if (full_tree == skim_tree) return "";
  std::istringstream a(full_tree), b(skim_tree);
  std::string la, lb;
  int line = 0;
  bool more_a = false, more_b = false;
  while ((more_a = static_cast<bool>(std::getline(a, la))) & (more_b = static_cast<bool>(std::getline(b, lb)))) {
    if (la != lb && !(shortened_text && (SameShortenedText(la, lb) || SameButTokens(la, lb)))) break;
    ++line;
  }
  if (!more_a && !more_b) return "";
  return "tree line " + std::to_string(line) + "\nfull: " + (more_a ? la : "(end)") + "\nskim: " + (more_b ? lb : "(end)");
}

}  // namespace embarc::testing
