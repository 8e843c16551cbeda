// LinkedIn: URL forms, embed markup and the adapter (embeds.md §11, §14).
//
// post_id is the URN the URL names, "urn:li:{share|ugcPost|activity}:{digits}", with the
// kind spelled as LinkedIn spells it. truth.json has no LinkedIn example; the URN is
// the only identifier LinkedIn's embed code carries, and it is what the embed endpoint
// takes. One post can be reachable under two URNs (its share or ugcPost URN and its
// activity URN; /posts/… share URLs carry the activity id): embarc does not merge them,
// as nothing public maps one to the other.
// The canonical URL is https://www.linkedin.com/feed/update/{urn}/.
// Accepted URLs (www., country subdomains and bare linkedin.com):
//   /embed/feed/update/{urn}[?collapsed=1], /feed/update/{urn}[/], /posts/{slug}-activity-{id}-{x},
//   /posts/{slug}-ugcPost-{id}-{x}; the URN may be percent-encoded.
//
// Embeds recognised: iframes (and lazy/consent forms) of the embed endpoint
// https://www.linkedin.com/embed/feed/update/{urn}. There is no author in the markup.
//
// Capture plan: https://www.linkedin.com/embed/feed/update/{urn} — the embed page HTML
// (no oEmbed, no public API).
// States (no deletion is ever inferred: LinkedIn documents no not-found answer):
//   a redirect to /authwall, /login, /uas/login, /checkpoint or /signup, HTTP 401, or a
//     sign-in page                                                     -> login_required
//   a page saying the post is unavailable / cannot be displayed / removed -> withheld
//   the post card (text from the commentary element)                   -> available
//   429                                                                -> rate_limited
//   999 (LinkedIn's refusal of automated clients), 5xx, timeouts, empty or
//     unrecognised pages                                               -> unreachable
#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "embarc/core/json.h"
#include "embarc/html/extract.h"
#include "embarc/platform/platform.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"
#include "platform/media_embed.h"

namespace embarc::platform::linkedin {
namespace {

using ascii::Lower;
using ascii::IsDigits;
using ascii::ContainsNoCase;

using html::Node;
using media_embed::DirectUrlRule;
using media_embed::EmbedUrlAttributes;
using media_embed::UrlAttribute;

constexpr std::string_view kPlatform = "linkedin";
// Activity, share and ugcPost ids are 19-digit snowflakes today; longer is not an id.
constexpr std::size_t kMaxIdDigits = 20;
// The URN kinds a post can be named by, as LinkedIn spells them.
constexpr std::array<std::string_view, 3> kUrnKinds = {"share", "ugcPost", "activity"};

bool IsLinkedInHost(std::string_view host) {
  constexpr std::string_view kSuffix = ".linkedin.com";
  return host == "linkedin.com" ||
         (host.size() > kSuffix.size() && host.substr(host.size() - kSuffix.size()) == kSuffix);
}

// "share" / "ugcpost" / "UGCPOST" … -> LinkedIn's spelling; nullopt for other kinds.
std::optional<std::string_view> UrnKind(std::string_view kind) {
  for (const std::string_view known : kUrnKinds) {
    if (Lower(known) == Lower(kind)) return known;
  }
  return std::nullopt;
}

std::optional<PostRef> MakeRef(std::string_view kind, std::string_view id) {
  const std::optional<std::string_view> spelled = UrnKind(kind);
  if (!spelled || !IsDigits(id) || id.size() > kMaxIdDigits) return std::nullopt;
  while (id.size() > 1 && id.front() == '0') id.remove_prefix(1);
  if (id == "0") return std::nullopt;
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = "urn:li:" + std::string(*spelled) + ":" + std::string(id);
  ref.url = "https://www.linkedin.com/feed/update/" + ref.post_id + "/";
  return ref;
}

// "urn:li:{kind}:{id}"
std::optional<PostRef> ParseUrn(std::string_view urn) {
  constexpr std::string_view kPrefix = "urn:li:";
  if (Lower(urn.substr(0, kPrefix.size())) != kPrefix) return std::nullopt;
  urn.remove_prefix(kPrefix.size());
  const std::size_t colon = urn.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return MakeRef(urn.substr(0, colon), urn.substr(colon + 1));
}

// "{author}_{title}-activity-{id}-{code}": the last "activity-{digits}" or
// "ugcPost-{digits}" (after '-' or '_') in the segment.
std::optional<PostRef> ParsePostsSlug(std::string_view slug) {
  const std::string lower = Lower(slug);
  std::optional<PostRef> found;
  std::size_t found_at = 0;
  for (const std::string_view kind : {"activity", "ugcpost", "share"}) {
    const std::string marker = std::string(kind) + "-";
    for (std::size_t at = lower.find(marker); at != std::string::npos; at = lower.find(marker, at + 1)) {
      if (at == 0 || (lower[at - 1] != '-' && lower[at - 1] != '_')) continue;
      if (found && at < found_at) continue;
      std::string_view rest = slug.substr(at + marker.size());
      rest = rest.substr(0, rest.find('-'));
      if (std::optional<PostRef> ref = MakeRef(kind, rest)) {
        found = std::move(ref);
        found_at = at;
      }
    }
  }
  return found;
}

std::optional<PostRef> ParseLinkedInPath(const url::Url& parsed, bool embed_only) {
  if (!IsLinkedInHost(parsed.host)) return std::nullopt;
  const std::vector<std::string> s = parsed.PathSegments();
  if (s.size() >= 4 && s[0] == "embed" && s[1] == "feed" && s[2] == "update") return ParseUrn(s[3]);
  if (embed_only) return std::nullopt;
  if (s.size() >= 3 && s[0] == "feed" && s[1] == "update") return ParseUrn(s[2]);
  if (s.size() == 2 && s[0] == "posts") return ParsePostsSlug(s[1]);
  return std::nullopt;
}

std::optional<PostRef> ParseLinkedInUrl(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(raw);
  if (!parsed) return std::nullopt;
  return ParseLinkedInPath(*parsed, /*embed_only=*/false);
}

// ---- embed markup ------------------------------------------------------------------

class LinkedInEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    for (const UrlAttribute& attribute : EmbedUrlAttributes(element, DirectUrlRule::kFrames)) {
      Result<url::Url> parsed = url::ResolveUrl(context.base_url, attribute.value);
      if (!parsed) continue;
      if (std::optional<PostRef> ref = ParseLinkedInPath(*parsed, /*embed_only=*/true)) {
        EmbedMatch match;
        match.ref = std::move(*ref);
        match.form = element.TagName() + "[" + attribute.name + "]";
        match.lazy = attribute.lazy;
        return match;
      }
    }
    return std::nullopt;
  }
};

// ---- reading the embed page --------------------------------------------------------

Observation Make(PostState state, std::string reason) {
  Observation observation;
  observation.state = state;
  observation.reason = std::move(reason);
  return observation;
}

// The first element (document order) that `pred` accepts; script/style/template skipped.
template <typename Pred>
std::optional<Node> FindFirst(const Node& root, Pred pred) {
  std::optional<Node> found;
  root.Walk([&](const Node& node) {
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (pred(node)) {
      found = node;
      return Node::Step::kStop;
    }
    return Node::Step::kDescend;
  });
  return found;
}

bool RedirectedToLogin(const net::FetchResponse& response) {
  for (const net::HttpExchange& hop : response.hops) {
    Result<url::Url> parsed = url::ParseUrl(hop.url);
    if (!parsed) continue;
    const std::string path = Lower(parsed->path);
    for (const std::string_view gate : {"/authwall", "/login", "/uas/login", "/checkpoint", "/signup"}) {
      if (path.rfind(gate, 0) == 0) return true;
    }
    // The redirect itself, before it is followed (or when following is off).
    const std::string location = Lower(hop.Header("Location"));
    if (hop.status >= 300 && hop.status < 400 &&
        (location.find("/authwall") != std::string::npos || location.find("/login") != std::string::npos ||
         location.find("/checkpoint") != std::string::npos)) {
      return true;
    }
  }
  return false;
}

// The text of an element with <br> and block ends as newlines.
std::string PostText(const Node& element) {
  std::string raw;
  element.Walk([&raw](const Node& node) {
    if (node.is_text()) {
      raw += node.Text();
      return Node::Step::kDescend;
    }
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (node.IsTag("br")) raw += '\n';
    return Node::Step::kDescend;
  });
  std::string out;
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t end = raw.find('\n', start);
    if (end == std::string::npos) end = raw.size();
    if (start > 0) out += '\n';
    out += html::CollapseWhitespace(std::string_view(raw).substr(start, end - start));
    start = end + 1;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  while (!out.empty() && out.front() == '\n') out.erase(out.begin());
  return out;
}

// "/in/{handle}/" or "/company/{slug}/" -> the handle or slug.
std::string ProfileHandle(std::string_view href) {
  Result<url::Url> parsed = url::ResolveUrl("https://www.linkedin.com/", href);
  if (!parsed || !IsLinkedInHost(parsed->host)) return {};
  const std::vector<std::string> s = parsed->PathSegments();
  if (s.size() >= 2 && (s[0] == "in" || s[0] == "company" || s[0] == "school" || s[0] == "showcase")) return s[1];
  return {};
}

Observation ReadEmbedPage(const net::FetchResponse& response) {
  constexpr std::string_view kSource = "embed page";
  if (!response.ok()) {
    return Make(PostState::kUnreachable, std::string(kSource) + ": " + net::FetchOutcomeName(response.outcome) +
                                             (response.error.empty() ? "" : " (" + response.error + ")"));
  }
  const net::HttpExchange& exchange = *response.Final();
  const std::string status_reason = std::string(kSource) + ": HTTP " + std::to_string(exchange.status);
  if (RedirectedToLogin(response)) return Make(PostState::kLoginRequired, std::string(kSource) + ": redirected to sign-in");
  if (exchange.status == 401) return Make(PostState::kLoginRequired, status_reason);
  if (exchange.status == 429) return Make(PostState::kRateLimited, status_reason);
  if (exchange.status == 999) return Make(PostState::kUnreachable, status_reason + " (request refused)");
  if (exchange.status != 200 && exchange.status != 404 && exchange.status != 410) {
    return Make(PostState::kUnreachable, status_reason);
  }
  const std::string content_type = Lower(exchange.Header("Content-Type"));
  if (!content_type.empty() && content_type.find("html") == std::string::npos) {
    return Make(PostState::kUnreachable, status_reason + " but not HTML (" + content_type + ")");
  }
  std::string body;
  const std::string encoding = Lower(exchange.Header("Content-Encoding"));
  if (!encoding.empty() && encoding != "identity") {
    Result<Bytes> decoded = net::DecodeContent(exchange);
    if (!decoded) return Make(PostState::kUnreachable, status_reason + " but " + decoded.error().message);
    body = ToString(*decoded);
  } else {
    body = ToString(exchange.body);
  }
  Result<html::Document> document = html::Document::Parse(body, html::kMaxDocumentBytes, html::kMaxNestingDepth);
  if (!document) return Make(PostState::kUnreachable, status_reason + " but " + document.error().message);
  const Node root = document->root();

  const std::optional<Node> commentary = FindFirst(root, [](const Node& node) {
    return node.Attr("data-test-id") == "main-feed-activity-card__commentary" ||
           node.HasClass("attributed-text-segment-list__content") || node.HasClass("feed-shared-update-v2__commentary") ||
           node.HasClass("update-components-text");
  });
  const std::optional<Node> card = FindFirst(root, [](const Node& node) {
    return node.Attr("data-activity-urn").has_value() || node.HasClass("main-feed-activity-card") ||
           node.HasClass("share-update-card") || node.HasClass("feed-shared-update-v2");
  });
  if (exchange.status == 200 && (commentary || card)) {
    Observation observation = Make(PostState::kAvailable, status_reason + " with the post");
    PostContent& c = observation.content;
    if (commentary) c.text = PostText(*commentary);
    const Node scope = card ? *card : root;
    if (const std::optional<Node> actor = FindFirst(scope, [](const Node& node) {
          const std::string_view control = node.Attr("data-tracking-control-name").value_or("");
          return node.IsTag("a") && control.size() >= 15 && control.substr(control.size() - 15) == "feed-actor-name";
        })) {
      c.author_name = actor->TextContent();
      c.author = ProfileHandle(actor->Attr("href").value_or(""));
    }
    if (const std::optional<Node> time = FindFirst(scope, [](const Node& node) {
          return node.IsTag("time") && node.Attr("datetime").has_value();
        })) {
      c.created_at = std::string(time->Attr("datetime").value_or(""));
    }
    if (const std::optional<Node> lang = FindFirst(root, [](const Node& node) { return node.IsTag("html"); })) {
      c.lang = std::string(lang->Attr("lang").value_or(""));
    }
    return observation;
  }
  // Not the post: a sign-in page, a notice that the post is gone, or something else.
  const std::string text = [&root] {
    std::optional<Node> body_node = FindFirst(root, [](const Node& node) { return node.IsTag("body"); });
    return body_node ? body_node->TextContent() : std::string();
  }();
  std::string title;
  if (const std::optional<Node> title_node = FindFirst(root, [](const Node& node) { return node.IsTag("title"); })) {
    title = title_node->TextContent();
  }
  const bool login_form = FindFirst(root, [](const Node& node) {
                            return node.IsTag("input") && node.Attr("name") == "session_key";
                          }).has_value();
  if (login_form || ContainsNoCase(title, "sign up") || ContainsNoCase(title, "log in") ||
      ContainsNoCase(title, "sign in") || ContainsNoCase(title, "linkedin login")) {
    return Make(PostState::kLoginRequired, status_reason + ": sign-in page (\"" + SanitizeUtf8(title) + "\")");
  }
  for (const std::string_view notice : {"post is unavailable", "post cannot be displayed", "content isn't available",
                                         "content is unavailable", "no longer available", "post was removed",
                                         "post has been removed", "been deleted"}) {
    if (ContainsNoCase(text, notice)) {
      return Make(PostState::kWithheld, status_reason + ": the page says \"" + std::string(notice) + "\"");
    }
  }
  return Make(PostState::kUnreachable, status_reason + " without the post");
}

class LinkedInAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override { return ParseLinkedInUrl(post_url); }

  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = "https://www.linkedin.com/embed/feed/update/" + post.post_id;
    plan[0].headers = {{"Accept", "text/html"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    (void)post;
    if (answers.empty()) return Make(PostState::kUnreachable, "embed page: not fetched");
    return ReadEmbedPage(answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  LinkedInEmbedMatcher matcher_;
};

}  // namespace

const Adapter& LinkedInAdapter() {
  static const LinkedInAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::linkedin
