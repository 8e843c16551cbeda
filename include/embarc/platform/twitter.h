// Twitter / X: URL forms, the syndication token, and the adapter (embeds.md §1).
//
// Embeds recognised: blockquote.twitter-tweet / .twitter-video (post = the last
// status link inside, else `cite`, else data-tweet-id), any element with
// data-tweet-id / data-tweetid (rendered widgets, amp-twitter), and iframes of
// platform.twitter.com/embed/… with an `id` parameter. Capture plan: the
// syndication JSON (cdn.syndication.twimg.com/tweet-result) and publish.twitter.com oEmbed.
#ifndef EMBARC_PLATFORM_TWITTER_H_
#define EMBARC_PLATFORM_TWITTER_H_

#include <optional>
#include <string>
#include <string_view>

#include "embarc/platform/platform.h"

namespace embarc::platform::twitter {

inline constexpr std::string_view kPlatform = "twitter";

// Recognises a tweet URL: hosts twitter.com, x.com with www./mobile./m. (m. only
// for twitter.com), paths /{handle}/status(es)/{id}, /i/status/{id},
// /i/web/status/{id}, the hashbang /#!/{handle}/status/{id}, any suffix after the
// id (/photo/1, /video/1, ...), any query. The canonical URL is
// https://twitter.com/{handle}/status/{id}, or https://twitter.com/i/status/{id}
// without a handle. nullopt for anything else (profiles, timelines, other hosts).
std::optional<PostRef> ParseTweetUrl(std::string_view url);

// The PostRef of a tweet id (decimal digits) and optional handle.
PostRef MakeTweetRef(std::string_view id, std::optional<std::string> handle);

// The `token` parameter of the syndication endpoint, as react-tweet computes it:
// ((Number(id) / 1e15) * Math.PI).toString(36).replace(/(0+|\.)/g, '').
std::string SyndicationToken(std::string_view tweet_id);

// JavaScript's Number.prototype.toString(radix) for a finite double (a port of
// V8's DoubleToRadixCString: fraction digits up to the double's precision).
// radix in [2, 36]. For radix 10 JavaScript uses its shortest round-trip decimal
// form instead, which this function does not reproduce.
std::string DoubleToRadixString(double value, int radix);

// https://cdn.syndication.twimg.com/tweet-result?id={id}&lang=en&token={token}
std::string SyndicationUrl(std::string_view tweet_id);
// https://publish.twitter.com/oembed?url=<percent-encoded canonical URL>&omit_script=1&dnt=true
std::string OEmbedUrl(const PostRef& post);

// The adapter, as listed in the registry.
const Adapter& TwitterAdapter();

}  // namespace embarc::platform::twitter

#endif  // EMBARC_PLATFORM_TWITTER_H_
