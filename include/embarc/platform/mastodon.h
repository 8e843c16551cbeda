// Mastodon (and servers speaking its API): URL forms, the capture plan and the
// adapter (embeds.md §7, §14).
//
// Any host can be a Mastodon server, so embeds are recognised by markup, never by
// domain: blockquote.mastodon-embed[data-embed-url] (Mastodon 4.3+), iframe.mastodon-embed
// (classic, also as amp-iframe) and any iframe whose URL is a status embed
// (https://{host}/@{user}/{id}/embed, …/users/{user}/statuses/{id}/embed), from src
// or a lazy/consent attribute (data-src, data-lazy-src, data-original, data-cmp-src, …).
//
// post_id is the status id as the embedding server numbers it (ids are per server;
// corpus truth.json keys Mastodon posts by this id alone). The canonical URL is
// https://{host}/@{user}/{id}; the author handle is "user@host" (or "user@domain"
// for a remote account shown by that server).
#ifndef EMBARC_PLATFORM_MASTODON_H_
#define EMBARC_PLATFORM_MASTODON_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "embarc/platform/platform.h"

namespace embarc::platform::mastodon {

inline constexpr std::string_view kPlatform = "mastodon";
// Snowflake ids fit in a signed 64-bit integer (19 digits); other servers' ids
// (GoToSocial ULIDs: 26 characters) are alphanumeric and short.
inline constexpr std::size_t kMaxStatusIdLength = 32;
inline constexpr std::size_t kMaxUsernameLength = 64;

// Recognises a status URL on any host (except a few well-known non-Mastodon sites
// where /@name/… means something else):
//   https://{host}/@{user}/{id}[/embed]            (id: decimal)
//   https://{host}/@{user}@{domain}/{id}[/embed]   (a remote account's post, local id)
//   https://{host}/@{user}/statuses/{id}           (GoToSocial)
//   https://{host}/users/{user}/statuses/{id}[/embed|/activity]
//   https://{host}/web/@{user}/{id}, https://{host}/web/statuses/{id}   (old web UI)
// Queries and fragments are ignored. nullopt for anything else.
std::optional<PostRef> ParseMastodonUrl(std::string_view url);

// The PostRef of status `id` on `host` (host[:port]); `user` may be "name" or
// "name@domain", or empty when unknown.
PostRef MakeStatusRef(std::string_view host, std::string_view user, std::string_view id);

// The capture plan's one request: https://{host}/api/v1/statuses/{id}
std::string StatusApiUrl(const PostRef& post);

// Mastodon's status HTML as plain text: tags stripped, <br> and paragraph breaks as
// "\n", character references decoded, trailing whitespace trimmed.
std::string HtmlToText(std::string_view html);

// The adapter, as listed in the registry.
const Adapter& MastodonAdapter();

}  // namespace embarc::platform::mastodon

#endif  // EMBARC_PLATFORM_MASTODON_H_
