#include "platform/embed_matcher.h"

#include <array>
#include <string>
#include <string_view>

namespace embarc::platform {
namespace {

// The classes of every platform's embed blockquote (embeds.md §1-§9, §14).
constexpr std::array<std::string_view, 9> kEmbedBlockquoteClasses = {
    "twitter-tweet", "twitter-video", "instagram-media", "tiktok-embed",   "bluesky-embed",
    "reddit-embed-bq", "reddit-card", "text-post-media", "mastodon-embed"};

// Elements that are an embed (or hold a player URL) by their tag alone.
constexpr std::array<std::string_view, 13> kEmbedTags = {
    "iframe",        "frame",       "amp-iframe",  "embed",      "object",   "lite-youtube", "amp-twitter",
    "amp-instagram", "amp-youtube", "amp-facebook", "amp-vimeo", "amp-tiktok", "amp-reddit"};

}  // namespace

bool StartsEmbedCode(const html::Node& element) {
  if (!element.is_element()) return false;
  // By the tag alone, with or without attributes: under the skim (html/skim.h) an
  // element may have lost the attributes no matcher reads.
  const std::string tag = element.TagName();
  for (const std::string_view embed_tag : kEmbedTags) {
    if (tag == embed_tag) return true;
  }
  if (!element.HasAttributes()) return false;  // (the ones read below are all kept)
  if (tag == "blockquote") {
    if (element.Attr("data-bluesky-uri")) return true;
    for (const std::string_view name : kEmbedBlockquoteClasses) {
      if (element.HasClass(name)) return true;
    }
    return false;
  }
  if (tag == "div") return element.HasClass("fb-post") || element.HasClass("fb-video");
  if (tag == "script") return element.Attr("data-telegram-post").has_value();
  return false;
}

bool EndsUnclosedBlockquote(const html::Node& blockquote, const html::Node& node) {
  return !blockquote.HasEndTag() && StartsEmbedCode(node);
}

}  // namespace embarc::platform
