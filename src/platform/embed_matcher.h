// Private: the hook through which an adapter recognises its embed markup.
//
// The extractor (src/html/extract.cpp) walks the DOM once in document order and
// offers every element outside <script>/<style>/<template> to each adapter's
// matcher, in registry order; the first match wins. A match may claim the
// element's descendants so that they are not offered again (a tweet blockquote
// owns the status links inside it). A claim may end early, at a node inside the
// element: that is how a blockquote a CMS left unclosed gives back the rest of
// the page. Adding a platform means implementing EmbedMatcher in its adapter
// file and returning it from Adapter::embed_matcher(); the extractor is untouched.
#ifndef EMBARC_SRC_PLATFORM_EMBED_MATCHER_H_
#define EMBARC_SRC_PLATFORM_EMBED_MATCHER_H_

#include <optional>
#include <string>
#include <string_view>

#include "embarc/platform/platform.h"
#include "html/dom.h"

namespace embarc::platform {

// Where the element was found.
struct MatchContext {
  bool in_noscript = false;     // inside <noscript> (Gumbo parses it as markup)
  bool amp_document = false;    // <html amp> / <html ⚡>
  std::string_view base_url;    // resolves relative URLs; may be empty
};

// One embed occurrence.
struct EmbedMatch {
  PostRef ref;
  std::string form;                               // e.g. "blockquote.twitter-tweet", "iframe[data-tweet-id]"
  std::optional<Quote> quote;                     // the post as printed, when the markup shows it
  std::optional<std::string> embedded_version;    // e.g. Bluesky data-bluesky-cid
  bool rendered = false;                          // produced by the platform's script (post-JS capture)
  bool amp = false;                               // an AMP component
  bool lazy = false;                              // the URL came from a lazy-loading attribute

  // Which descendants of the matched element belong to this embed and are not
  // offered to matchers again.
  enum class Claim { kNone, kSubtree, kUntil };
  Claim claim = Claim::kSubtree;
  // With kUntil: descendants before this node (in document order) are claimed;
  // this node and everything after it are offered as usual.
  std::optional<html::Node> claim_until;
};

class EmbedMatcher {
 public:
  virtual ~EmbedMatcher() = default;
  // Recognises `element` (always an element node with at least one attribute: every
  // embed code names its post in an attribute or class, so html::ExtractEmbeds does
  // not offer bare elements) as an embed of this platform. Under the skim
  // (html/skim.h) "bare" means without kept attributes: a matcher must only need
  // attributes and classes the skim keeps, which AttributeReadGuard checks wherever
  // one is asked for.
  virtual std::optional<EmbedMatch> MatchElement(const html::Node& element, const MatchContext& context) const = 0;
};

// Whether `element` begins an embed code of its own: an embed blockquote of any
// platform, a frame, object or embed element, an AMP or lite-youtube player, a
// Facebook plugin div or Telegram's widget script. A platform with a new container
// form adds it here.
bool StartsEmbedCode(const html::Node& element);

// Whether `node`, a descendant of the embed blockquote `blockquote`, lies beyond the
// blockquote's embed code: the blockquote has no end tag (CMS output; the parser made
// what follows it its children) and `node` starts another embed code. A closed
// blockquote may hold an embed code of its own post (TikTok's script renders its
// player inside), so its region is all of it. Blockquote readers stop here, and the
// extractor's claim ends here.
bool EndsUnclosedBlockquote(const html::Node& blockquote, const html::Node& node);

}  // namespace embarc::platform

#endif  // EMBARC_SRC_PLATFORM_EMBED_MATCHER_H_
