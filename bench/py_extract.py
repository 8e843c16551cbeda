#!/usr/bin/env python3
"""A plain Python embed extractor (standard library html.parser), the baseline of bench/extract.py.

Written from the platforms' documented embed codes (../reference/embeds.md), independently of
embarc's matchers: blockquote embeds (Twitter/X, Instagram, TikTok, Bluesky, Reddit, Mastodon,
Threads), player and widget iframes/embeds/objects with their lazy-loading attributes (YouTube,
Vimeo, Spotify, Twitter, Instagram, TikTok, Reddit, Facebook, Mastodon, LinkedIn, Bluesky), Facebook
XFBML divs, AMP components, lite-youtube facades, data-tweet-id and Telegram's widget script.
Markup inside <script>, <style>, <template> and comments is ignored (html.parser gives script and
style text as data; comments go to handle_comment).

Usage: py_extract.py [--json] FILE...   (or "@LIST", a file with one path a line)
Prints one line per distinct (platform, post_id) of each file: "FILE\\tPLATFORM\\tPOST_ID"
(--json: {"source", "platform", "post_id"}). Files are read as UTF-8 with replacement.
"""

import html.parser
import json
import re
import sys
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

LAZY = ("data-src", "data-lazy-src", "data-original", "data-artsrc", "data-cmp-src", "data-url", "data-embed-src",
        "data-litespeed-src", "data-rocket-src", "data-ezsrc", "data-iframe-src")
URL_ATTRS = ("src",) + LAZY
CARRIERS = {"iframe", "embed", "amp-iframe", "frame", "div", "span", "figure"}

TWEET_STATUS = re.compile(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?(\w{1,15})/status(?:es)?/(\d{5,20})",
                          re.I)
YOUTUBE_ID = re.compile(r"^[\w-]{11}$")


def _host(url):
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _path(url):
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def _query(url):
    try:
        return parse_qs(urlsplit(url).query)
    except ValueError:
        return {}


def youtube_id(url):
    host = _host(url)
    path = _path(url)
    if host.endswith("youtube.com") or host.endswith("youtube-nocookie.com"):
        m = re.match(r"^/(?:embed|v|e|shorts)/([\w-]+)", path)
        if m and m.group(1) in ("videoseries", "live_stream"):
            playlist = _query(url).get("list", [""])[0]
            return "list:" + playlist if m.group(1) == "videoseries" and playlist else None
        if m and YOUTUBE_ID.match(m.group(1)):
            return m.group(1)
        if path == "/watch":
            v = _query(url).get("v", [""])[0]
            if YOUTUBE_ID.match(v):
                return v
    if host == "youtu.be":
        m = re.match(r"^/([\w-]{11})", path)
        if m:
            return m.group(1)
    return None


def vimeo_id(url):
    host = _host(url)
    if host == "player.vimeo.com":
        m = re.match(r"^/video/(\d+)", _path(url))
        return m.group(1) if m else None
    return None


def spotify_id(url):
    if _host(url) in ("open.spotify.com", "embed.spotify.com"):
        m = re.match(r"^/embed(?:-podcast)?/(track|album|playlist|artist|episode|show)/(\w+)", _path(url))
        if m:
            return m.group(1) + ":" + m.group(2)
        uri = _query(url).get("uri", [""])[0]
        m = re.match(r"^spotify:(track|album|playlist|artist|episode|show):(\w+)$", uri)
        if m:
            return m.group(1) + ":" + m.group(2)
    return None


def tweet_from_url(url):
    m = TWEET_STATUS.match(url)
    return m.group(2) if m else None


def twitter_iframe_id(url):
    if _host(url) in ("platform.twitter.com", "platform.x.com") and _path(url).startswith("/embed/"):
        v = _query(url).get("id", [""])[0]
        return v if v.isdigit() else None
    return None


def instagram_code(url):
    if _host(url).endswith("instagram.com") or _host(url) == "instagr.am":
        m = re.match(r"^/(?:[\w.]+/)?(?:p|reel|tv)/([\w-]+)", _path(url))
        return m.group(1) if m else None
    return None


def tiktok_id(url):
    if _host(url).endswith("tiktok.com"):
        m = re.search(r"/(?:video|embed/v2|embed|player/v1)/(\d{10,25})", _path(url))
        return m.group(1) if m else None
    return None


def reddit_id(url):
    host = _host(url)
    if host.endswith("reddit.com") or host.endswith("redditmedia.com"):
        m = re.search(r"/comments/([a-z0-9]+)(?:/[^/]*/([a-z0-9]+))?", _path(url))
        if not m:
            return None
        return "t1_" + m.group(2) if m.group(2) else "t3_" + m.group(1)
    return None


def facebook_post(url):
    host = _host(url)
    if host.endswith("facebook.com") and _path(url).startswith("/plugins/"):
        href = _query(url).get("href", [""])[0]
        if re.search(r"/(?:posts|videos|photos)/|permalink\.php|story_fbid=|/watch/?\?v=", href):
            return href
    return None
    return None


def linkedin_urn(url):
    if _host(url).endswith("linkedin.com"):
        m = re.match(r"^/embed/feed/update/(urn:li:(?:share|ugcPost|activity):\d+)", unquote(_path(url)))
        return m.group(1) if m else None
    return None


def mastodon_status(url):
    m = re.match(r"^https://([^/]+)/@[\w.]+(?:@[^/]+)?/(\d+)/embed$", url)
    return m.group(2) if m else None


def bluesky_from_embed(url):
    if _host(url) == "embed.bsky.app":
        m = re.match(r"^/embed/(did:[\w:.%-]+)/app\.bsky\.feed\.post/(\w+)", _path(url))
        if m:
            return "at://%s/app.bsky.feed.post/%s" % (unquote(m.group(1)), m.group(2))
    return None


def threads_code(url):
    if _host(url).endswith("threads.net") or _host(url).endswith("threads.com"):
        m = re.match(r"^/@[\w.]+/post/([\w-]+)", _path(url))
        return m.group(1) if m else None
    return None


def player_url(url):
    """(platform, post_id) of a player or widget URL, or None."""
    for platform, fn in (("youtube", youtube_id), ("vimeo", vimeo_id), ("spotify", spotify_id),
                         ("twitter", twitter_iframe_id), ("tiktok", tiktok_id), ("reddit", reddit_id),
                         ("linkedin", linkedin_urn), ("mastodon", mastodon_status), ("bluesky", bluesky_from_embed)):
        v = fn(url)
        if v:
            return platform, v
    if _host(url).endswith("instagram.com") and "/embed" in _path(url):
        code = instagram_code(url)
        if code:
            return "instagram", code
    return None


class _Capture:
    """An open blockquote embed and what is read inside it."""

    def __init__(self, platform, attrs):
        self.platform = platform
        self.attrs = attrs
        self.links = []
        self.depth = 1


class Extractor(html.parser.HTMLParser):
    def __init__(self, base_url=""):
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.posts = []  # (platform, post_id), first occurrence order
        self.seen = set()
        self.capture = None
        self.template_depth = 0

    def add(self, platform, post_id):
        if post_id and (platform, post_id) not in self.seen:
            self.seen.add((platform, post_id))
            self.posts.append((platform, post_id))

    def resolve(self, url):
        url = (url or "").strip()
        if url.startswith("//"):
            url = "https:" + url
        return urljoin(self.base_url, url) if self.base_url else url

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        a = {k: (v or "") for k, v in attrs}
        if self.capture is not None:
            if tag == self.capture_tag:
                self.capture.depth += 1
            if tag == "a" and a.get("href"):
                self.capture.links.append(self.resolve(a["href"]))
            if tag == "script" and "widgets.js" in a.get("src", "") and self.capture.platform == "twitter":
                self.finish_capture()  # an unclosed tweet blockquote ends at widgets.js
            return
        classes = set(a.get("class", "").lower().split())
        if tag == "blockquote":
            platform = None
            if classes & {"twitter-tweet", "twitter-video"}:
                platform = "twitter"
            elif "instagram-media" in classes:
                platform = "instagram"
            elif "tiktok-embed" in classes:
                platform = "tiktok"
            elif "bluesky-embed" in classes:
                platform = "bluesky"
            elif classes & {"reddit-embed-bq", "reddit-card"}:
                platform = "reddit"
            elif "mastodon-embed" in classes:
                platform = "mastodon"
            elif "text-post-media" in classes:
                platform = "threads"
            if platform:
                self.capture = _Capture(platform, a)
                self.capture_tag = "blockquote"
                return
        if tag == "script" and a.get("data-telegram-post"):
            self.add("telegram", a["data-telegram-post"].lower())
            return
        tweet_id = a.get("data-tweet-id") or a.get("data-tweetid")
        if tweet_id and tweet_id.isdigit():
            self.add("twitter", tweet_id)
            return
        if tag == "div" and classes & {"fb-post", "fb-video"} and a.get("data-href"):
            # embarc reports Facebook posts by their canonical URL; this baseline keeps the href.
            self.add("facebook", self.resolve(a["data-href"]))
            return
        if tag in ("amp-youtube", "lite-youtube"):
            vid = a.get("data-videoid") or a.get("videoid")
            if vid and YOUTUBE_ID.match(vid):
                self.add("youtube", vid)
            return
        if tag in ("amp-vimeo", "lite-vimeo"):
            vid = a.get("data-videoid") or a.get("videoid")
            if vid and vid.isdigit():
                self.add("vimeo", vid)
            return
        if tag == "amp-instagram" and a.get("data-shortcode"):
            self.add("instagram", a["data-shortcode"])
            return
        urls = [a[name] for name in URL_ATTRS if a.get(name)]
        if tag == "object" and a.get("data"):
            urls.insert(0, a["data"])
        if tag == "param" and a.get("name", "").lower() in ("movie", "src") and a.get("value"):
            urls.append(a["value"])
        if tag in CARRIERS or tag in ("object", "param") or urls:
            for url in urls:
                found = player_url(self.resolve(url))
                if found:
                    self.add(*found)
                    return
                fb = facebook_post(self.resolve(url))
                if fb:
                    self.add("facebook", fb)
                    return

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.capture is not None and tag == self.capture_tag:
            self.capture.depth -= 1

    def handle_endtag(self, tag):
        if tag == "template" and self.template_depth:
            self.template_depth -= 1
            return
        if self.template_depth or self.capture is None:
            return
        if tag == self.capture_tag:
            self.capture.depth -= 1
            if self.capture.depth == 0:
                self.finish_capture()

    def close(self):
        super().close()
        if self.capture is not None:
            self.finish_capture()

    def finish_capture(self):
        c = self.capture
        self.capture = None
        a = c.attrs
        if c.platform == "twitter":
            ids = [tweet_from_url(u) for u in c.links]
            ids = [i for i in ids if i]
            tid = ids[-1] if ids else tweet_from_url(self.resolve(a.get("cite", "")))
            tid = tid or (a.get("data-tweet-id") if (a.get("data-tweet-id") or "").isdigit() else None)
            self.add("twitter", tid)
        elif c.platform == "instagram":
            for url in [a.get("data-instgrm-permalink", "")] + c.links:
                code = instagram_code(self.resolve(url))
                if code:
                    self.add("instagram", code)
                    break
        elif c.platform == "tiktok":
            vid = a.get("data-video-id")
            self.add("tiktok", vid if vid and vid.isdigit() else tiktok_id(self.resolve(a.get("cite", ""))))
        elif c.platform == "bluesky":
            uri = a.get("data-bluesky-uri", "")
            if uri.startswith("at://"):
                self.add("bluesky", uri)
        elif c.platform == "reddit":
            for url in c.links:
                rid = reddit_id(url)
                if rid:
                    self.add("reddit", rid)
                    break
        elif c.platform == "mastodon":
            for url in [a.get("data-embed-url", "")] + c.links:
                m = re.match(r"^https://[^/]+/@[^/]+/(\d+)", url)
                if m:
                    self.add("mastodon", m.group(1))
                    break
        elif c.platform == "threads":
            for url in [a.get("data-text-post-permalink", "")] + c.links:
                code = threads_code(self.resolve(url))
                if code:
                    self.add("threads", code)
                    break


def extract(text, base_url=""):
    p = Extractor(base_url)
    p.feed(text)
    p.close()
    return p.posts


def files_from(args):
    out = []
    for a in args:
        if a.startswith("@"):
            with open(a[1:]) as f:
                out.extend(line.rstrip("\n") for line in f if line.strip())
        else:
            out.append(a)
    return out


def main(argv):
    as_json = "--json" in argv
    files = files_from([a for a in argv if a != "--json"])
    write = sys.stdout.write
    for path in files:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        for platform, post_id in extract(text):
            if as_json:
                write(json.dumps({"source": path, "platform": platform, "post_id": post_id}) + "\n")
            else:
                write("%s\t%s\t%s\n" % (path, platform, post_id))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
