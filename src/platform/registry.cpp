// The list of platform adapters. Adding a platform = one adapter file that defines
// `const Adapter& embarc::platform::<ns>::<Function>()` + one line in EMBARC_ADAPTERS.
// Order matters only when two adapters claim the same markup: the first wins.
#include <array>
#include <span>

#include "embarc/platform/platform.h"

#define EMBARC_ADAPTERS(X)        \
  X(twitter, TwitterAdapter) \
  X(instagram, InstagramAdapter) \
  X(facebook, FacebookAdapter) \
  X(threads, ThreadsAdapter) \
  X(reddit, RedditAdapter) \
  X(telegram, TelegramAdapter) \
  X(linkedin, LinkedInAdapter) \
  X(bluesky, BlueskyAdapter) \
  X(mastodon, MastodonAdapter) \
  X(youtube, YouTubeAdapter) \
  X(vimeo, VimeoAdapter) \
  X(tiktok, TikTokAdapter) \
  X(spotify, SpotifyAdapter)

namespace embarc::platform {

#define EMBARC_DECLARE_ADAPTER(ns, fn) \
  namespace ns {                       \
  const Adapter& fn();                 \
  }
EMBARC_ADAPTERS(EMBARC_DECLARE_ADAPTER)
#undef EMBARC_DECLARE_ADAPTER

std::span<const Adapter* const> Adapters() {
#define EMBARC_ADAPTER_ENTRY(ns, fn) &ns::fn(),
  static const Adapter* const kAdapters[] = {EMBARC_ADAPTERS(EMBARC_ADAPTER_ENTRY)};
#undef EMBARC_ADAPTER_ENTRY
  return kAdapters;
}

}  // namespace embarc::platform
