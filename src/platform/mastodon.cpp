#include "embarc/platform/mastodon.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "embarc/core/json.h"
#include "embarc/html/extract.h"
#include "embarc/url/url.h"
#include "html/dom.h"
#include "platform/embed_matcher.h"

namespace embarc::platform::mastodon {
namespace {

using ascii::Lower;

using html::Node;
using Json = nlohmann::json;

// Sites where /@name/… is not a Mastodon status (matched as the host or a parent domain).
constexpr std::array<std::string_view, 16> kNotMastodonHosts = {
    "twitter.com", "x.com",      "tiktok.com",  "youtube.com", "threads.net", "threads.com",
    "medium.com",  "instagram.com", "facebook.com", "bsky.app", "reddit.com", "vimeo.com",
    "t.me",        "linkedin.com", "spotify.com", "pinterest.com"};

// Attributes that carry an embed URL before a lazy loader or a consent manager
// copies it to `src` (embeds.md §14). The DOM view has no attribute iteration, so
// the data-*src* family is the list of names seen in the wild.
constexpr std::array<std::string_view, 16> kLazyAttributes = {
    "data-src",         "data-lazy-src",   "data-original",   "data-cmp-src",
    "data-artsrc",      "data-lazy",       "data-url",        "data-iframe-src",
    "data-embed-src",   "data-consent-src", "data-orig-src",  "data-privacy-src",
    "data-litespeed-src", "data-rocket-src", "data-ll-src",   "data-deferred-src"};

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsNumericId(std::string_view s) {
  return !s.empty() && s.size() <= kMaxStatusIdLength && std::all_of(s.begin(), s.end(), IsDigit);
}

bool IsAlnumId(std::string_view s) {
  return !s.empty() && s.size() <= kMaxStatusIdLength && std::all_of(s.begin(), s.end(), IsAlnum);
}

bool IsUsername(std::string_view s) {
  return !s.empty() && s.size() <= kMaxUsernameLength &&
         std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool IsDomain(std::string_view s) {
  return !s.empty() && s.size() <= 253 && s.find('.') != std::string_view::npos && s.front() != '.' &&
         s.back() != '.' &&
         std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '.' || c == '-'; });
}

// "name" or "name@domain" (from a path segment "@name" or "@name@domain").
std::optional<std::string> AccountFromSegment(std::string_view segment) {
  if (segment.size() < 2 || segment.front() != '@') return std::nullopt;
  segment.remove_prefix(1);
  const std::size_t at = segment.find('@');
  if (at == std::string_view::npos) {
    if (!IsUsername(segment)) return std::nullopt;
    return std::string(segment);
  }
  const std::string_view name = segment.substr(0, at);
  const std::string_view domain = segment.substr(at + 1);
  if (!IsUsername(name) || !IsDomain(domain)) return std::nullopt;
  return std::string(name) + "@" + Lower(domain);
}

bool IsExcludedHost(std::string_view host) {
  for (const std::string_view excluded : kNotMastodonHosts) {
    if (host == excluded) return true;
    if (host.size() > excluded.size() && host.substr(host.size() - excluded.size()) == excluded &&
        host[host.size() - excluded.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

struct StatusUrl {
  PostRef ref;
  bool embed = false;  // the path ended in /embed
};

std::optional<StatusUrl> ParseStatusUrl(std::string_view raw) {
  Result<url::Url> parsed = url::ParseUrl(Trim(raw));
  if (!parsed || parsed->host.empty() || IsExcludedHost(parsed->host)) return std::nullopt;
  std::vector<std::string> segments = parsed->PathSegments();
  StatusUrl out;
  if (!segments.empty() && segments.back() == "embed") {
    out.embed = true;
    segments.pop_back();
  } else if (!segments.empty() && segments.back() == "activity" && segments.size() == 5) {
    segments.pop_back();  // /users/{u}/statuses/{id}/activity
  }
  if (!segments.empty() && segments.front() == "web" && !out.embed) segments.erase(segments.begin());
  const std::string host = parsed->port.empty() ? parsed->host : parsed->host + ":" + parsed->port;
  std::optional<std::string> user;
  std::string id;
  if (segments.size() == 2 && (user = AccountFromSegment(segments[0])) && IsNumericId(segments[1])) {
    id = segments[1];
  } else if (segments.size() == 3 && (user = AccountFromSegment(segments[0])) && segments[1] == "statuses" &&
             IsAlnumId(segments[2])) {
    id = segments[2];
  } else if (segments.size() == 4 && segments[0] == "users" && IsUsername(segments[1]) && segments[2] == "statuses" &&
             IsAlnumId(segments[3])) {
    user = segments[1];
    id = segments[3];
  } else if (segments.size() == 2 && segments[0] == "statuses" && IsAlnumId(segments[1]) && !out.embed) {
    id = segments[1];  // /web/statuses/{id}
  } else {
    return std::nullopt;
  }
  out.ref = MakeStatusRef(host, user.value_or(""), id);
  return out;
}

// ---- the page's view of an embed -------------------------------------------------

std::optional<EmbedMatch> MatchBlockquote(const Node& element, const MatchContext& context) {
  std::optional<PostRef> ref;
  if (const std::optional<std::string_view> embed_url = element.Attr("data-embed-url")) {
    if (Result<url::Url> resolved = url::ResolveUrl(context.base_url, Trim(*embed_url))) {
      if (std::optional<StatusUrl> status = ParseStatusUrl(resolved->ToString())) ref = std::move(status->ref);
    }
  }
  if (!ref) {
    // The post link the blockquote shows ("View on Mastodon").
    element.Walk([&](const Node& node) {
      if (EndsUnclosedBlockquote(element, node)) return Node::Step::kStop;
      if (!node.IsTag("a")) return Node::Step::kDescend;
      if (const std::optional<std::string_view> href = node.Attr("href")) {
        if (Result<url::Url> resolved = url::ResolveUrl(context.base_url, *href)) {
          if (std::optional<StatusUrl> status = ParseStatusUrl(resolved->ToString())) {
            ref = std::move(status->ref);
            return Node::Step::kStop;
          }
        }
      }
      return Node::Step::kSkipChildren;
    });
  }
  if (!ref) return std::nullopt;
  EmbedMatch match;
  match.ref = std::move(*ref);
  match.form = "blockquote.mastodon-embed";
  return match;  // the blockquote shows no post text, only "Post by @user@host"
}

bool IsFrameTag(const Node& element) {
  return element.IsTag("iframe") || element.IsTag("amp-iframe") || element.IsTag("frame");
}

class MastodonEmbedMatcher final : public EmbedMatcher {
 public:
  std::optional<EmbedMatch> MatchElement(const Node& element, const MatchContext& context) const override {
    if (element.IsTag("blockquote") && element.HasClass("mastodon-embed")) {
      if (std::optional<EmbedMatch> match = MatchBlockquote(element, context)) return match;
      return std::nullopt;
    }
    if (!IsFrameTag(element)) return std::nullopt;
    const bool classed = element.HasClass("mastodon-embed");
    std::vector<std::string_view> attributes = {"src"};
    attributes.insert(attributes.end(), kLazyAttributes.begin(), kLazyAttributes.end());
    for (const std::string_view name : attributes) {
      const std::optional<std::string_view> value = element.Attr(name);
      if (!value) continue;
      Result<url::Url> resolved = url::ResolveUrl(context.base_url, Trim(*value));
      if (!resolved) continue;
      std::optional<StatusUrl> status = ParseStatusUrl(resolved->ToString());
      // Without the class only the embed endpoint (…/embed) marks a Mastodon iframe.
      if (!status || !(status->embed || classed)) continue;
      EmbedMatch match;
      match.ref = std::move(status->ref);
      match.form = classed ? std::string("iframe.mastodon-embed") : element.TagName() + "[" + std::string(name) + "]";
      match.lazy = name != "src";
      match.amp = element.IsTag("amp-iframe");
      return match;
    }
    return std::nullopt;
  }
};

// ---- reading the answer ----------------------------------------------------------

std::string StringMember(const Json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<std::uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StatusReason(int status) { return "statuses API: HTTP " + std::to_string(status); }

Result<Json> JsonBody(const net::HttpExchange& exchange) {
  const std::string content_type = Lower(exchange.Header("Content-Type"));
  if (!content_type.empty() && content_type.find("json") == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "not JSON (Content-Type " + SanitizeUtf8(content_type) + ")");
  }
  std::string body;
  const std::string encoding = Lower(exchange.Header("Content-Encoding"));
  if (!encoding.empty() && encoding != "identity") {
    Result<Bytes> decoded = net::DecodeContent(exchange);
    if (!decoded) return WithContext(decoded.error(), "Content-Encoding " + SanitizeUtf8(encoding));
    body = ToString(*decoded);
  } else {
    body = ToString(exchange.body);
  }
  Result<Json> parsed = ParseJson(body);
  if (!parsed) return WithContext(parsed.error(), "body is not JSON");
  if (!parsed->is_object()) return Fail(ErrorCode::kInvalidArgument, "body is not a JSON object");
  return parsed;
}

std::string HostOf(const PostRef& post) {
  Result<url::Url> parsed = url::ParseUrl(post.url);
  if (!parsed) return {};
  return parsed->port.empty() ? parsed->host : parsed->host + ":" + parsed->port;
}

std::vector<MediaItem> Attachments(const Json& status) {
  std::vector<MediaItem> media;
  const Json* attachments = Member(status, "media_attachments");
  if (attachments == nullptr || !attachments->is_array()) return media;
  for (const Json& attachment : *attachments) {
    std::string media_url = StringMember(attachment, "url");
    if (media_url.empty()) media_url = StringMember(attachment, "remote_url");
    if (media_url.empty()) continue;
    const std::string type = StringMember(attachment, "type");
    std::string kind = "photo";
    if (type == "video" || type == "gifv") kind = "video";
    if (type == "audio") kind = "audio";
    media.push_back({std::move(media_url), std::move(kind), ""});
  }
  return media;
}

PostContent StatusContent(const Json& answer, std::string_view host) {
  // A boost shows the boosted post.
  const Json* reblog = Member(answer, "reblog");
  const Json& status = (reblog != nullptr && reblog->is_object()) ? *reblog : answer;
  PostContent content;
  if (const Json* account = Member(status, "account")) {
    content.author = StringMember(*account, "acct");
    if (!content.author.empty() && content.author.find('@') == std::string::npos && !host.empty()) {
      content.author += "@" + std::string(host);  // a local account: acct has no domain
    }
    content.author_name = StringMember(*account, "display_name");
  }
  content.created_at = StringMember(status, "created_at");
  content.text = HtmlToText(StringMember(status, "content"));
  content.lang = StringMember(status, "language");
  content.media = Attachments(status);
  content.version = StringMember(status, "edited_at");  // "" when never edited (null)
  return content;
}

Observation Make(PostState state, std::string reason, PostContent content = {}) {
  Observation observation;
  observation.state = state;
  observation.reason = std::move(reason);
  observation.content = std::move(content);
  return observation;
}

Observation ReadStatus(const PostRef& post, const net::FetchResponse* response) {
  if (response == nullptr) return Make(PostState::kUnreachable, "statuses API: not fetched");
  if (!response->ok()) {
    return Make(PostState::kUnreachable, std::string("statuses API: ") + net::FetchOutcomeName(response->outcome) +
                                             (response->error.empty() ? "" : " (" + response->error + ")"));
  }
  const net::HttpExchange& exchange = *response->Final();
  const int status = exchange.status;
  if (status == 429) return Make(PostState::kRateLimited, StatusReason(status));
  if (status >= 500) return Make(PostState::kUnreachable, StatusReason(status));
  Result<Json> body = JsonBody(exchange);
  const std::string error = body ? StringMember(*body, "error") : std::string();
  const std::string shown =
      StatusReason(status) + (error.empty() ? std::string() : " \"" + SanitizeUtf8(error) + "\"");
  // 401: "This API requires an authenticated user" (limited federation mode / authorized fetch).
  if (status == 401) return Make(PostState::kLoginRequired, shown);
  if (status == 403) return Make(PostState::kWithheld, shown);
  if (status == 410) return Make(PostState::kDeleted, shown + " (gone)");
  if (status == 404) {
    // Mastodon: {"error":"Record not found"}; GoToSocial: {"error":"Not Found"}. A 404
    // without the API's error body may come from something that is not the API at all.
    if (!error.empty()) return Make(PostState::kDeleted, shown);
    return Make(PostState::kUnreachable, shown + " without an API error body");
  }
  if (status != 200) return Make(PostState::kUnreachable, shown);
  if (!body) {
    // A redirect to the sign-in page instead of JSON is a login wall.
    if (exchange.url.find("/auth/sign_in") != std::string::npos) {
      return Make(PostState::kLoginRequired, "statuses API: redirected to the sign-in page");
    }
    return Make(PostState::kUnreachable, "statuses API: HTTP 200 but " + body.error().message);
  }
  if (StringMember(*body, "id").empty() || Member(*body, "account") == nullptr) {
    return Make(PostState::kUnreachable, "statuses API: HTTP 200 but not a Status entity");
  }
  std::string reason = "statuses API: Status " + SanitizeUtf8(StringMember(*body, "id"));
  PostContent content = StatusContent(*body, HostOf(post));
  if (!content.version.empty()) reason += " (edited " + SanitizeUtf8(content.version) + ")";
  return Make(PostState::kAvailable, std::move(reason), std::move(content));
}

class MastodonAdapterImpl final : public Adapter {
 public:
  std::string_view name() const override { return kPlatform; }

  std::optional<PostRef> ParsePostUrl(std::string_view post_url) const override { return ParseMastodonUrl(post_url); }

  // One request: the status entity from the server the embed points at,
  //   https://{host}/api/v1/statuses/{id}
  // (public and unlisted posts need no login). The edit history
  // (/api/v1/statuses/{id}/history) is not fetched: edited_at is the version witness.
  std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const override {
    std::vector<net::FetchRequest> plan(1);
    plan[0].url = StatusApiUrl(post);
    plan[0].headers = {{"Accept", "application/json"}};
    return plan;
  }

  Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const override {
    return ReadStatus(post, answers.empty() ? nullptr : &answers[0]);
  }

  const EmbedMatcher* embed_matcher() const override { return &matcher_; }

 private:
  MastodonEmbedMatcher matcher_;
};

}  // namespace

std::optional<PostRef> ParseMastodonUrl(std::string_view url) {
  std::optional<StatusUrl> status = ParseStatusUrl(url);
  if (!status) return std::nullopt;
  return std::move(status->ref);
}

PostRef MakeStatusRef(std::string_view host, std::string_view user, std::string_view id) {
  PostRef ref;
  ref.platform = std::string(kPlatform);
  ref.post_id = std::string(id);
  if (user.empty()) {
    ref.url = "https://" + std::string(host) + "/web/statuses/" + ref.post_id;
    return ref;
  }
  ref.url = "https://" + std::string(host) + "/@" + std::string(user) + "/" + ref.post_id;
  // A port is not part of an account's domain.
  const std::string_view domain = host.substr(0, host.find(':'));
  ref.author = user.find('@') == std::string_view::npos ? std::string(user) + "@" + std::string(domain)
                                                         : std::string(user);
  return ref;
}

std::string StatusApiUrl(const PostRef& post) {
  return "https://" + HostOf(post) + "/api/v1/statuses/" + url::PercentEncode(post.post_id);
}

std::string HtmlToText(std::string_view html) {
  Result<html::Document> document = html::Document::Parse(html, html::kMaxDocumentBytes, html::kMaxNestingDepth);
  if (!document) return {};
  std::string out;
  document->root().Walk([&out](const Node& node) {
    if (node.is_text()) {
      out += node.Text();
      return Node::Step::kDescend;
    }
    if (!node.is_element()) return Node::Step::kSkipChildren;
    if (node.IsTag("script") || node.IsTag("style") || node.IsTag("template")) return Node::Step::kSkipChildren;
    if (node.IsTag("br")) out += '\n';
    // A new paragraph (or block) starts on a new line.
    if ((node.IsTag("p") || node.IsTag("li") || node.IsTag("blockquote") || node.IsTag("pre")) && !out.empty() &&
        out.back() != '\n') {
      out += '\n';
    }
    return Node::Step::kDescend;
  });
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\t' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

const Adapter& MastodonAdapter() {
  static const MastodonAdapterImpl adapter;
  return adapter;
}

}  // namespace embarc::platform::mastodon
