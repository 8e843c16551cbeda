// What embarc knows about a social platform: how its posts are embedded in HTML,
// what their URLs look like, which public requests show a post, and how to read
// the answers. One adapter per platform (src/platform/<name>.cpp), listed once in
// src/platform/registry.cpp. Nothing outside an adapter knows platform details.
#ifndef EMBARC_PLATFORM_PLATFORM_H_
#define EMBARC_PLATFORM_PLATFORM_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "embarc/core/result.h"
#include "embarc/net/fetcher.h"

namespace embarc::platform {

class EmbedMatcher;  // private hook (src/platform/embed_matcher.h): how an adapter finds its embeds in a DOM

// A post's identity is (platform, post_id); url and author are presentation.
struct PostRef {
  std::string platform;                // "twitter", "youtube", ...
  std::string post_id;                 // conventions of DESIGN.md §3 / corpus truth.json
  std::string url;                     // canonical URL
  std::optional<std::string> author;   // handle as shown, if any
};

// The post as the article printed it (blockquote text etc.), when the markup shows it.
struct Quote {
  std::string text;
  std::string author_name;
  std::string date;
};

// One distinct post found in one document.
struct ExtractedPost {
  PostRef ref;
  int occurrences = 0;
  std::optional<Quote> quote;          // from the first occurrence that has one
  std::vector<std::string> forms;      // distinct forms it was recognised from, e.g. "blockquote.twitter-tweet"
  std::optional<std::string> embedded_version;  // e.g. Bluesky data-bluesky-cid
};

enum class PostState { kAvailable, kDeleted, kWithheld, kLoginRequired, kRateLimited, kUnreachable };
const char* PostStateName(PostState state);               // "available", "deleted", ...
std::optional<PostState> ParsePostState(std::string_view name);

struct MediaItem {
  std::string url;         // what embarc fetched (full-size form)
  std::string kind;        // "photo", "video", "poster"
  std::string sha256;      // hex of the fetched body; empty when the fetch failed
};

// Normalised content: what is compared between snapshots and hashed into content_sha256.
struct PostContent {
  std::string author;        // handle
  std::string author_name;   // display name
  std::string created_at;    // as the platform states it (RFC 3339 where available)
  std::string text;
  std::string lang;
  std::vector<MediaItem> media;
  std::vector<std::string> edit_ids;  // Twitter edit chain, oldest first
  std::string version;       // platform version id of the content (e.g. Bluesky CID); empty if none
  std::string source;        // which endpoint the content was read from, when an adapter has several
                             // (contents from different endpoints are not compared for edits)
};

// The result of reading a post's capture answers.
struct Observation {
  PostState state = PostState::kUnreachable;
  std::string reason;        // one line: which signal decided the state
  PostContent content;       // meaningful when state == kAvailable
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string_view name() const = 0;
  // Recognises a post URL of this platform in any accepted form.
  virtual std::optional<PostRef> ParsePostUrl(std::string_view url) const = 0;
  // The public requests that show the post (JSON API, oEmbed, embed page), in order of authority.
  virtual std::vector<net::FetchRequest> CapturePlan(const PostRef& post) const = 0;
  // Reads the answers to CapturePlan (same order). Media items come back with empty sha256.
  virtual Observation Interpret(const PostRef& post, std::span<const net::FetchResponse> answers) const = 0;
  // Whether the live content is the version an article's embed named (ExtractedPost::embedded_version),
  // for platforms whose embeds carry a comparable version id (Bluesky: the record CID). nullopt
  // when this platform's embedded version cannot be compared with what the capture shows.
  virtual std::optional<bool> EmbeddedVersionMatches(std::string_view /*embedded_version*/,
                                                     const PostContent& /*live*/) const {
    return std::nullopt;
  }
  // Whether posts of this platform are archived (Spotify is recognised but is not a post).
  virtual bool is_post_platform() const { return true; }
  // Recognises this platform's embed markup for html::ExtractEmbeds; nullptr if the
  // platform has none. Owned by the adapter.
  virtual const EmbedMatcher* embed_matcher() const { return nullptr; }
};

// All adapters, in registry order.
std::span<const Adapter* const> Adapters();
const Adapter* FindAdapter(std::string_view platform);

// Tries every adapter. Errors: kInvalidArgument when no platform recognises the URL.
[[nodiscard]] Result<PostRef> ParsePostUrl(std::string_view url);

}  // namespace embarc::platform

#endif  // EMBARC_PLATFORM_PLATFORM_H_
