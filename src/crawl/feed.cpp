#include "embarc/crawl/feed.h"

#include <deque>
#include <memory>
#include <set>
#include <utility>

#include "embarc/url/url.h"

namespace embarc::crawl {
namespace {

// A parsed element: local name, attributes by local name, its own text, its children.
struct Element {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::string text;
  std::vector<std::unique_ptr<Element>> children;

  std::optional<std::string> Attr(std::string_view n) const {
    for (const auto& [k, v] : attrs) {
      if (k == n) return v;
    }
    return std::nullopt;
  }
  const Element* Child(std::string_view n) const {
    for (const auto& c : children) {
      if (c->name == n) return c.get();
    }
    return nullptr;
  }
};

std::string LocalName(std::string_view qname) {
  const std::size_t colon = qname.rfind(':');
  return std::string(colon == std::string_view::npos ? qname : qname.substr(colon + 1));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

void AppendUtf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the predefined entities and character references. Any other reference (&nbsp;,
// or one a DTD declares) is kept as written: entities are never expanded.
std::string DecodeText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t semi = s.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += '&';
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    std::optional<unsigned long> cp;
    if (name == "lt") cp = '<';
    else if (name == "gt") cp = '>';
    else if (name == "amp") cp = '&';
    else if (name == "quot") cp = '"';
    else if (name == "apos") cp = '\'';
    else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string digits(name.substr(hex ? 2 : 1));
      char* end = nullptr;
      const unsigned long v = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (!digits.empty() && end != nullptr && *end == '\0' && v > 0 && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF)) cp = v;
    }
    if (!cp) {
      out += '&';
      continue;
    }
    AppendUtf8(out, *cp);
    i = semi;
  }
  return out;
}

// A small, bounded, non-validating XML reader. It never loads or expands anything.
class XmlReader {
 public:
  static Result<std::unique_ptr<Element>> Read(std::string_view xml) {
    if (xml.size() > kMaxXmlBytes) {
      return Fail(ErrorCode::kLimitExceeded, "XML document larger than " + std::to_string(kMaxXmlBytes) + " bytes");
    }
    XmlReader r(xml);
    return r.Document();
  }

 private:
  explicit XmlReader(std::string_view s) : s_(s) {}

  tl::unexpected<Error> Malformed(const std::string& what) const {
    return Fail(ErrorCode::kInvalidArgument, "malformed XML at byte " + std::to_string(pos_) + ": " + what);
  }

  bool Starts(std::string_view p) const { return s_.substr(pos_).starts_with(p); }

  // Skips past `end`; false if it never comes.
  bool SkipPast(std::string_view end) {
    const std::size_t at = s_.find(end, pos_);
    if (at == std::string_view::npos) return false;
    pos_ = at + end.size();
    return true;
  }

  Result<void> SkipDoctype() {
    // <!DOCTYPE name [ internal subset ] > : brackets and quotes are tracked only to find the end.
    int brackets = 0;
    char quote = 0;
    for (; pos_ < s_.size(); ++pos_) {
      const char c = s_[pos_];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        --brackets;
      } else if (c == '>' && brackets <= 0) {
        ++pos_;
        return Ok();
      }
    }
    return Malformed("unterminated DOCTYPE");
  }

  Result<std::unique_ptr<Element>> Document() {
    if (Starts("\xEF\xBB\xBF")) pos_ += 3;
    std::unique_ptr<Element> root;
    std::vector<Element*> stack;
    while (pos_ < s_.size()) {
      if (s_[pos_] != '<') {
        const std::size_t lt = s_.find('<', pos_);
        const std::string_view text = s_.substr(pos_, lt == std::string_view::npos ? std::string_view::npos : lt - pos_);
        if (!stack.empty()) {
          stack.back()->text += DecodeText(text);
        } else if (!Trim(text).empty()) {
          return Malformed("text outside the root element");
        }
        pos_ = lt == std::string_view::npos ? s_.size() : lt;
        continue;
      }
      if (Starts("<?")) {
        if (!SkipPast("?>")) return Malformed("unterminated processing instruction");
      } else if (Starts("<!--")) {
        if (!SkipPast("-->")) return Malformed("unterminated comment");
      } else if (Starts("<![CDATA[")) {
        pos_ += 9;
        const std::size_t end = s_.find("]]>", pos_);
        if (end == std::string_view::npos) return Malformed("unterminated CDATA section");
        if (stack.empty()) return Malformed("CDATA outside the root element");
        stack.back()->text.append(s_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (Starts("<!DOCTYPE") || Starts("<!doctype")) {
        if (root) return Malformed("DOCTYPE after the root element");
        EMBARC_RETURN_IF_ERROR(SkipDoctype());
      } else if (Starts("<!")) {
        return Malformed("unexpected markup declaration");
      } else if (Starts("</")) {
        pos_ += 2;
        const std::string name = Name();
        while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
        if (pos_ >= s_.size() || s_[pos_] != '>') return Malformed("bad end tag");
        ++pos_;
        if (stack.empty() || stack.back()->name != LocalName(name)) return Malformed("unexpected </" + name + ">");
        stack.pop_back();
      } else {
        ++pos_;
        const std::string qname = Name();
        if (qname.empty()) return Malformed("bad start tag");
        auto el = std::make_unique<Element>();
        el->name = LocalName(qname);
        bool empty = false;
        while (true) {
          while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
          if (pos_ >= s_.size()) return Malformed("unterminated start tag <" + qname + ">");
          if (s_[pos_] == '>') {
            ++pos_;
            break;
          }
          if (Starts("/>")) {
            pos_ += 2;
            empty = true;
            break;
          }
          const std::string attr = Name();
          if (attr.empty()) return Malformed("bad attribute in <" + qname + ">");
          while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
          if (pos_ >= s_.size() || s_[pos_] != '=') return Malformed("attribute without value in <" + qname + ">");
          ++pos_;
          while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
          if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return Malformed("unquoted attribute value");
          const char quote = s_[pos_++];
          const std::size_t end = s_.find(quote, pos_);
          if (end == std::string_view::npos) return Malformed("unterminated attribute value");
          el->attrs.emplace_back(LocalName(attr), DecodeText(s_.substr(pos_, end - pos_)));
          pos_ = end + 1;
        }
        Element* raw = el.get();
        if (stack.empty()) {
          if (root) return Malformed("a second root element <" + qname + ">");
          root = std::move(el);
        } else {
          stack.back()->children.push_back(std::move(el));
        }
        if (!empty) {
          if (static_cast<int>(stack.size()) >= kMaxXmlDepth) {
            return Fail(ErrorCode::kLimitExceeded, "XML nesting deeper than " + std::to_string(kMaxXmlDepth));
          }
          stack.push_back(raw);
        }
      }
    }
    if (!stack.empty()) return Malformed("unclosed <" + stack.back()->name + ">");
    if (!root) return Malformed("no root element");
    return root;
  }

  std::string Name() {
    const std::size_t start = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (IsSpace(c) || c == '>' || c == '/' || c == '=' || c == '<' || c == '"' || c == '\'') break;
      ++pos_;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string TextOf(const Element* e) { return e == nullptr ? std::string() : std::string(Trim(e->text)); }

// Collects distinct http(s) URLs up to `limit`.
class Collector {
 public:
  Collector(std::string_view base, std::size_t limit) : base_(base), limit_(limit) {}

  void Add(std::string_view raw, std::string title, std::string date) {
    raw = Trim(raw);
    if (raw.empty()) return;
    auto u = url::ResolveUrl(base_, raw);
    if (!u) return;
    u->fragment.reset();
    std::string s = u->ToString();
    if (!seen_.insert(s).second) return;
    if (out_.articles.size() + out_.sitemaps.size() >= limit_) {
      out_.truncated = true;
      return;
    }
    out_.articles.push_back(ListedArticle{std::move(s), std::move(title), std::move(date)});
  }
  void AddSitemap(std::string_view raw) {
    raw = Trim(raw);
    auto u = url::ResolveUrl(base_, raw);
    if (!u) return;
    std::string s = u->ToString();
    if (!seen_.insert(s).second) return;
    if (out_.articles.size() + out_.sitemaps.size() >= limit_) {
      out_.truncated = true;
      return;
    }
    out_.sitemaps.push_back(std::move(s));
  }
  ParsedList Take() { return std::move(out_); }

 private:
  std::string base_;
  std::size_t limit_;
  std::set<std::string> seen_;
  ParsedList out_;
};

void RssItems(const Element& parent, Collector& c) {
  for (const auto& item : parent.children) {
    if (item->name != "item") continue;
    std::string link = TextOf(item->Child("link"));
    if (link.empty()) {
      // RSS 2.0: a <guid> is the item's permalink unless isPermaLink="false".
      const Element* guid = item->Child("guid");
      if (guid != nullptr && guid->Attr("isPermaLink").value_or("true") != "false") link = TextOf(guid);
    }
    if (link.empty()) link = item->Attr("about").value_or("");  // RSS 1.0 rdf:about
    std::string date = TextOf(item->Child("pubDate"));
    if (date.empty()) date = TextOf(item->Child("date"));  // dc:date
    c.Add(link, TextOf(item->Child("title")), std::move(date));
  }
}

}  // namespace

Result<ParsedList> ParseFeed(std::string_view xml, std::string_view feed_url) {
  EMBARC_ASSIGN_OR_RETURN(std::unique_ptr<Element> root, XmlReader::Read(xml));
  Collector c(feed_url, kMaxFeedEntries);
  if (root->name == "rss") {
    const Element* channel = root->Child("channel");
    if (channel == nullptr) return Fail(ErrorCode::kInvalidArgument, "RSS feed without <channel>");
    RssItems(*channel, c);
  } else if (root->name == "RDF") {
    RssItems(*root, c);
  } else if (root->name == "feed") {
    for (const auto& entry : root->children) {
      if (entry->name != "entry") continue;
      // Atom: the rel="alternate" link (no rel means alternate), text/html preferred.
      std::string href;
      for (const auto& link : entry->children) {
        if (link->name != "link") continue;
        if (link->Attr("rel").value_or("alternate") != "alternate") continue;
        const std::string type = link->Attr("type").value_or("");
        if (href.empty() || type == "text/html") href = link->Attr("href").value_or("");
      }
      std::string date = TextOf(entry->Child("published"));
      if (date.empty()) date = TextOf(entry->Child("updated"));
      c.Add(href, TextOf(entry->Child("title")), std::move(date));
    }
  } else {
    return Fail(ErrorCode::kInvalidArgument, "not an RSS or Atom feed (root element <" + root->name + ">)");
  }
  return c.Take();
}

Result<ParsedList> ParseSitemap(std::string_view xml, std::string_view sitemap_url) {
  EMBARC_ASSIGN_OR_RETURN(std::unique_ptr<Element> root, XmlReader::Read(xml));
  Collector c(sitemap_url, kMaxSitemapEntries);
  if (root->name == "urlset") {
    for (const auto& u : root->children) {
      if (u->name != "url") continue;
      std::string title;
      std::string date = TextOf(u->Child("lastmod"));
      if (const Element* news = u->Child("news"); news != nullptr) {  // Google news sitemap
        title = TextOf(news->Child("title"));
        if (const std::string d = TextOf(news->Child("publication_date")); !d.empty()) date = d;
      }
      c.Add(TextOf(u->Child("loc")), std::move(title), std::move(date));
    }
  } else if (root->name == "sitemapindex") {
    for (const auto& s : root->children) {
      if (s->name == "sitemap") c.AddSitemap(TextOf(s->Child("loc")));
    }
  } else {
    return Fail(ErrorCode::kInvalidArgument, "not a sitemap (root element <" + root->name + ">)");
  }
  return c.Take();
}

Result<SitemapCrawl> CollectSitemap(const std::string& root_url,
                                    const std::function<Result<std::string>(const std::string&)>& load) {
  SitemapCrawl out;
  std::set<std::string> seen_sitemaps{root_url};
  std::set<std::string> seen_urls;
  std::deque<std::pair<std::string, int>> queue{{root_url, 0}};
  while (!queue.empty()) {
    auto [sitemap, depth] = queue.front();
    queue.pop_front();
    // The URL is passed in, not captured: clang before 16 cannot capture structured bindings.
    Result<ParsedList> parsed = [&](const std::string& url) -> Result<ParsedList> {
      EMBARC_ASSIGN_OR_RETURN(std::string text, load(url));
      return ParseSitemap(text, url);
    }(sitemap);
    if (!parsed) {
      if (depth == 0) return WithContext(parsed.error(), "sitemap " + sitemap);
      out.failed.emplace_back(sitemap, parsed.error().message);
      continue;
    }
    out.fetched.push_back(sitemap);
    out.truncated = out.truncated || parsed->truncated;
    for (ListedArticle& a : parsed->articles) {
      if (!seen_urls.insert(a.url).second) continue;
      if (out.articles.size() >= kMaxSitemapEntries) {
        out.truncated = true;
        break;
      }
      out.articles.push_back(std::move(a));
    }
    for (const std::string& child : parsed->sitemaps) {
      if (!seen_sitemaps.insert(child).second) continue;
      if (depth + 1 > kMaxSitemapDepth) {
        out.too_deep.push_back(child);
        continue;
      }
      queue.emplace_back(child, depth + 1);
    }
  }
  return out;
}

}  // namespace embarc::crawl
