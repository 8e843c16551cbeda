// Bluesky: URL forms, the capture plan and the adapter (embeds.md §6, §14).
//
// Embeds recognised: blockquote.bluesky-embed and any element with
// data-bluesky-uri (an AT-URI or a bsky.app post URL; data-bluesky-cid is the
// embedded record version, the handle comes from the "@…" profile-link text), and
// the rendered iframes of embed.bsky.app/embed/<did>/app.bsky.feed.post/<rkey>
// from src or a lazy/consent attribute (data-src, data-lazy-src, data-original,
// data-cmp-src, …), also as amp-iframe, <embed src> or <object data>.
//
// post_id is the AT-URI at://{did}/app.bsky.feed.post/{rkey}; canonical URL
// https://bsky.app/profile/{did}/post/{rkey}. A URL that names the author by
// handle keeps the handle as the AT-URI authority (at://{handle}/…): resolving it
// to a DID needs the network, and the XRPC endpoints accept either.
#ifndef EMBARC_PLATFORM_BLUESKY_H_
#define EMBARC_PLATFORM_BLUESKY_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "embarc/platform/platform.h"

namespace embarc::platform::bluesky {

inline constexpr std::string_view kPlatform = "bluesky";
inline constexpr std::string_view kPostCollection = "app.bsky.feed.post";
// Record keys are at most 512 characters (atproto "Record Key" spec).
inline constexpr std::size_t kMaxRecordKeyLength = 512;
// Handles are at most 253 characters (a DNS name); DIDs at most 2 KiB (DID spec limit used by atproto).
inline constexpr std::size_t kMaxHandleLength = 253;
inline constexpr std::size_t kMaxDidLength = 2048;

// Recognises a Bluesky post in any accepted form:
//   at://{did|handle}/app.bsky.feed.post/{rkey}
//   https://bsky.app/profile/{did|handle}/post/{rkey}[/…][?ref_src=embed…]  (also www., staging.)
//   https://embed.bsky.app/embed/{did|handle}/app.bsky.feed.post/{rkey}[?…]
// DIDs are kept as written (they are case-sensitive), handles are lower-cased.
// nullopt for anything else (profiles, feeds, lists, other collections).
std::optional<PostRef> ParseBlueskyUrl(std::string_view url);

// The PostRef of (authority, rkey); `authority` is a DID or a handle (then it is
// also the author). `handle`, when given, is the author's handle as printed.
PostRef MakePostRef(std::string_view authority, std::string_view rkey, std::optional<std::string> handle);

// The parts of a post_id ("at://{authority}/app.bsky.feed.post/{rkey}").
struct AtUri {
  std::string authority;
  std::string rkey;
};
std::optional<AtUri> ParseAtUri(std::string_view post_id);

// Capture plan request 1, the AppView:
// https://public.api.bsky.app/xrpc/app.bsky.feed.getPostThread?uri=<percent-encoded AT-URI>&depth=0
std::string PostThreadUrl(const PostRef& post);
// Capture plan request 2, the signed repository record through the bsky.social entryway:
// https://bsky.social/xrpc/com.atproto.repo.getRecord?repo=<did>&collection=app.bsky.feed.post&rkey=<rkey>
std::string GetRecordUrl(const PostRef& post);

// The adapter, as listed in the registry.
const Adapter& BlueskyAdapter();

}  // namespace embarc::platform::bluesky

#endif  // EMBARC_PLATFORM_BLUESKY_H_
