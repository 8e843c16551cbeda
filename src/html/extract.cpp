#include "embarc/html/extract.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "html/dom.h"
#include "platform/embed_matcher.h"

namespace embarc::html {
namespace {

using platform::EmbedMatch;
using platform::EmbedMatcher;
using platform::ExtractedPost;

bool IsAmpDocument(const Node& root) {
  for (const Node& child : root.Children()) {
    if (child.IsTag("html")) return child.Attr("amp").has_value() || child.Attr("\xE2\x9A\xA1").has_value();
  }
  return false;
}

// The descendants of a matched element that belong to it (see EmbedMatch::Claim).
struct ActiveClaim {
  bool active = false;
  std::size_t owner_depth = 0;
  const GumboInternalNode* until = nullptr;  // nullptr: to the end of the owner's subtree
  // The owner is a blockquote without its end tag (CMS output): the parser made what
  // follows it its children, up to the end of its parent, so the claim ends at the
  // next embed code. (A closed blockquote keeps its own iframe: TikTok's script
  // renders the player inside the blockquote.)
  bool unclosed_blockquote = false;
};

class Collector {
 public:
  void Add(EmbedMatch match) {
    const auto key = std::make_pair(match.ref.platform, match.ref.post_id);
    const auto [it, inserted] = index_.try_emplace(key, posts_.size());
    if (inserted) {
      ExtractedPost post;
      post.ref = std::move(match.ref);
      post.occurrences = 1;
      post.quote = std::move(match.quote);
      post.forms.push_back(std::move(match.form));
      post.embedded_version = std::move(match.embedded_version);
      posts_.push_back(std::move(post));
      return;
    }
    ExtractedPost& post = posts_[it->second];
    ++post.occurrences;
    if (std::find(post.forms.begin(), post.forms.end(), match.form) == post.forms.end()) {
      post.forms.push_back(std::move(match.form));
    }
    if (!post.quote && match.quote) post.quote = std::move(match.quote);
    // A rendered widget shows no author; a later blockquote of the same post may.
    if (!post.ref.author && match.ref.author) {
      post.ref.author = std::move(match.ref.author);
      post.ref.url = std::move(match.ref.url);
    }
    if (!post.embedded_version && match.embedded_version) post.embedded_version = std::move(match.embedded_version);
  }

  std::vector<ExtractedPost> Take() && { return std::move(posts_); }

 private:
  std::vector<ExtractedPost> posts_;
  std::map<std::pair<std::string, std::string>, std::size_t> index_;
};

// Embed code inside a <textarea> is parsed as a fragment, but not a textarea inside that.
constexpr int kMaxTextareaFragmentDepth = 1;

void CollectTextareaEmbeds(const Node& textarea, const std::vector<const EmbedMatcher*>& matchers,
                           const platform::MatchContext& base_context, bool in_noscript, int fragment_depth,
                           ParseMode mode, Collector& collector);

// Offers every element under `root` to the matchers, in document order.
// `fragment_depth` counts how many <textarea> fragments we are inside of.
void CollectEmbeds(const Node& root, const std::vector<const EmbedMatcher*>& matchers,
                   const platform::MatchContext& base_context, int fragment_depth, ParseMode mode,
                   Collector& collector) {
  struct Pending {
    Node node;
    std::size_t depth;
    bool in_noscript;
  };
  std::vector<Pending> pending;
  const auto push_children = [&pending](const Node& parent, std::size_t depth, bool in_noscript) {
    for (std::size_t i = parent.ChildCount(); i > 0; --i) pending.push_back({parent.Child(i - 1), depth, in_noscript});
  };
  push_children(root, 1, base_context.in_noscript);

  ActiveClaim claim;
  while (!pending.empty()) {
    const Pending current = pending.back();
    pending.pop_back();
    if (claim.active && (current.depth <= claim.owner_depth || current.node.raw() == claim.until ||
                         (claim.unclosed_blockquote && platform::StartsEmbedCode(current.node)))) {
      claim = ActiveClaim{};
    }
    if (!current.node.is_element()) continue;
    // Contents of these are not part of the rendered page (and <template> content
    // is inert): embed markup there is a "hidden mention", not an embed.
    if (current.node.IsTag("style") || current.node.IsTag("template")) continue;
    // A <script> element's text is never offered, but the element itself is: some
    // embed codes are script elements whose attributes name the post
    // (Telegram's script[data-telegram-post]).
    const bool is_script = current.node.IsTag("script");
    const bool in_noscript = current.in_noscript || current.node.IsTag("noscript");
    if (current.node.IsTag("textarea")) {
      // Consent managers park the publisher's embed code in a hidden <textarea>
      // and insert it once the reader agrees: it is the article's embed, held back.
      if (!claim.active && fragment_depth < kMaxTextareaFragmentDepth) {
        CollectTextareaEmbeds(current.node, matchers, base_context, in_noscript, fragment_depth, mode, collector);
      }
      continue;
    }
    // (Bare elements are not offered: see EmbedMatcher::MatchElement.)
    if (!claim.active && current.node.HasAttributes()) {
      platform::MatchContext context = base_context;
      context.in_noscript = in_noscript;
      for (const EmbedMatcher* matcher : matchers) {
        std::optional<EmbedMatch> match = matcher->MatchElement(current.node, context);
        if (!match) continue;
        const bool unclosed_blockquote = current.node.IsTag("blockquote") && !current.node.HasEndTag();
        if (match->claim == EmbedMatch::Claim::kSubtree) {
          claim = ActiveClaim{true, current.depth, nullptr, unclosed_blockquote};
        } else if (match->claim == EmbedMatch::Claim::kUntil && match->claim_until) {
          claim = ActiveClaim{true, current.depth, match->claim_until->raw(), unclosed_blockquote};
        }
        collector.Add(std::move(*match));
        break;
      }
    }
    if (!is_script) push_children(current.node, current.depth + 1, in_noscript);
  }
}

void CollectTextareaEmbeds(const Node& textarea, const std::vector<const EmbedMatcher*>& matchers,
                           const platform::MatchContext& base_context, bool in_noscript, int fragment_depth,
                           ParseMode mode, Collector& collector) {
  std::string markup;
  for (const Node& child : textarea.Children()) markup += child.Text();
  if (markup.find('<') == std::string::npos) return;
  // The fragment is checked like a document; one that is too big or too deep is ignored.
  Result<Document> fragment = Document::Parse(markup, kMaxDocumentBytes, kMaxNestingDepth, mode);
  if (!fragment) return;
  platform::MatchContext context = base_context;
  context.in_noscript = in_noscript;
  CollectEmbeds(fragment->root(), matchers, context, fragment_depth + 1, mode, collector);
}

const std::vector<const EmbedMatcher*>& Matchers() {
  static const std::vector<const EmbedMatcher*> matchers = [] {
    std::vector<const EmbedMatcher*> out;
    for (const platform::Adapter* adapter : platform::Adapters()) {
      if (const EmbedMatcher* matcher = adapter->embed_matcher()) out.push_back(matcher);
    }
    return out;
  }();
  return matchers;
}

Result<std::vector<platform::ExtractedPost>> Extract(std::string_view html, std::string_view base_url, ParseMode mode) {
  EMBARC_ASSIGN_OR_RETURN(Document document, Document::Parse(html, kMaxDocumentBytes, kMaxNestingDepth, mode));
  platform::MatchContext context;
  context.amp_document = IsAmpDocument(document.root());
  context.base_url = base_url;
  Collector collector;
  CollectEmbeds(document.root(), Matchers(), context, 0, mode, collector);
  return std::move(collector).Take();
}

}  // namespace

Result<std::vector<platform::ExtractedPost>> ExtractEmbeds(std::string_view html, std::string_view base_url) {
  // Matchers never read script, style or comment text, nor most attributes, so Gumbo
  // need not see them. Should a matcher ask for a dropped attribute or class, the
  // answer may be wrong: then the page is parsed again with all its attributes.
  {
    AttributeReadGuard guard;
    Result<std::vector<platform::ExtractedPost>> posts = Extract(html, base_url, ParseMode::kSkim);
    if (!guard.missed()) return posts;
  }
  return Extract(html, base_url, ParseMode::kSkimInertText);
}

Result<std::vector<platform::ExtractedPost>> ExtractEmbedsFullParse(std::string_view html, std::string_view base_url) {
  return Extract(html, base_url, ParseMode::kFull);
}

}  // namespace embarc::html
