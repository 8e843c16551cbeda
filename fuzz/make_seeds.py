#!/usr/bin/env python3
"""Regenerates the seed corpora of fuzz/corpus/<harness>/ from ../shared/corpus, the fixture
world of tools/fixtures and an archive written by the embarc binary (WARC files, checkpoint
notes, DSSE envelopes, packed index values). Small on purpose: a handful of files per harness.

usage: fuzz/make_seeds.py EMBARC_BINARY
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
WORLD = os.path.join(ROOT, "tools", "fixtures", "world")
OUT = os.path.join(ROOT, "fuzz", "corpus")
MAX_SEED = 64 << 10

# Adapter order of json_platform_fuzz.cpp's Targets().
ADAPTERS = ["twitter", "bluesky", "mastodon", "facebook", "instagram", "threads", "reddit", "telegram",
            "linkedin", "youtube", "vimeo", "tiktok", "spotify"]


# Hand-picked for the skim harness: raw text, foreign content, templates, formatting
# elements, line breaks and character references (see tests/html/extract_skim_test.cpp).
SKIM_SNIPPETS = [
    "<p>a<script>x</script>b<style>p{}</style><!-- c -->d</p>",
    "<table><svg><select><desc><select><tbody>",
    "<svg><title>Logo</title></svg><b class=x><p>text</b> more",
    "<template><col>  text  </template><pre>\n\nx</pre>",
    "<a href=\"https://twitter.com/a/status/7\" title=\"t\">x</a><a href=\"https://twitter.com/a/status/7\">y",
    "<math><mi>t</mi><style><select></style></math>&#13;x\r\ny\rz",
    "<blockquote class=\"twitter-tweet\"><p>quoted &amp; text</p><a href=\"https://twitter.com/a/status/7\">d</a></blockquote>",
    "<noscript><iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe></noscript><textarea><b>t</textarea>",
]


def put(harness, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def small_files(folder, limit):
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    files = [f for f in files if os.path.isfile(f) and os.path.getsize(f) <= MAX_SEED]
    return files[:limit]


def main():
    binary = sys.argv[1]
    for h in ["html_extract", "skim", "url", "warc_reader", "json_platform", "note", "dsse", "json_codec"]:
        shutil.rmtree(os.path.join(OUT, h), ignore_errors=True)

    # html: every fragment, a few small pages, the fixture articles.
    for f in small_files(os.path.join(SHARED, "fragments"), 40):
        put("html_extract", open(f, "rb").read())
    for f in small_files(os.path.join(SHARED, "pages"), 400)[::25]:
        put("html_extract", open(f, "rb").read())
    for rel in ["news.example/world/2024/10/20/north-korean-troops-russia.html",
                "news.example/world/2024/10/21/follow-up.html"]:
        put("html_extract", open(os.path.join(WORLD, rel), "rb").read())

    # skim: the same pages, and markup that steers Gumbo's tokenizer and tree builder.
    for f in os.listdir(os.path.join(OUT, "html_extract")):
        put("skim", open(os.path.join(OUT, "html_extract", f), "rb").read())
    for snippet in SKIM_SNIPPETS:
        put("skim", snippet)

    # url: post URLs of every platform in their accepted forms, and relative references.
    urls = [
        "https://twitter.com/ZelenskyyUa/status/1848047034574221401?ref_src=twsrc%5Etfw",
        "https://x.com/i/web/status/1848047034574221401/photo/1",
        "https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/post/3k7qmjev5lr2s",
        "https://fosstodon.org/@schochastics/114620457512351116",
        "https://www.facebook.com/worlddeskwire/posts/1092837465019283",
        "https://www.instagram.com/p/DBa7Xk2NwQz/?utm_source=ig_embed",
        "https://www.threads.net/@worlddeskwire/post/DBc4Hq1tY9e",
        "https://www.reddit.com/r/investing/comments/7pfpeq/buffett/",
        "https://t.me/WorldDeskWire/1042?embed=1",
        "https://www.linkedin.com/embed/feed/update/urn:li:share:7250000000000000001",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=youtu.be",
        "https://youtu.be/dQw4w9WgXcQ?t=42",
        "https://vimeo.com/76979871#t=3",
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "https://open.spotify.com/intl-de/album/7s66wU1XJ2NsUuWM2NKiUV?si=abc",
        "http://user:pw@[::1]:8080/a/./b/../c?x=%20y#frag",
        "HTTPS://News.Example:443/%7Efoo/bar/",
    ]
    refs = ["../other.html", "//cdn.example/x.js", "/abs?q=1", "?only=query", "#frag", "a/b/../c", ""]
    for i, u in enumerate(urls):
        put("url", u)
        put("url", u + "\n" + refs[i % len(refs)])

    # json_platform: recorded API answers, each behind its adapter byte and a status byte.
    def platform_of(name):
        for p in ADAPTERS:
            if p in name:
                return p
        if "x.com" in name:
            return "twitter"
        return None
    for f in small_files(os.path.join(SHARED, "api"), 100):
        p = platform_of(os.path.basename(f))
        if p is None:
            continue
        put("json_platform", bytes([ADAPTERS.index(p), 0]) + open(f, "rb").read())
    for host, p in [("www.facebook.com", "facebook"), ("www.instagram.com", "instagram"), ("www.threads.com", "threads"),
                    ("t.me", "telegram"), ("www.linkedin.com", "linkedin"), ("www.reddit.com", "reddit"),
                    ("cdn.syndication.twimg.com", "twitter"), ("public.api.bsky.app", "bluesky")]:
        base = os.path.join(WORLD, host)
        found = []
        for dirpath, _, files in os.walk(base):
            for fn in sorted(files):
                full = os.path.join(dirpath, fn)
                if os.path.getsize(full) <= MAX_SEED:
                    found.append(full)
        for full in sorted(found)[:3]:
            put("json_platform", bytes([ADAPTERS.index(p), 0]) + open(full, "rb").read())

    # An archive written by embarc: WARC files, checkpoint notes, envelopes.
    with tempfile.TemporaryDirectory() as tmp:
        archive = os.path.join(tmp, "a")
        subprocess.run([binary, "--archive", archive, "init"], check=True, capture_output=True)
        article = os.path.join(WORLD, "news.example/world/2024/10/21/follow-up.html")
        subprocess.run([binary, "--archive", archive, "archive", article], capture_output=True)
        warcs = sorted(os.listdir(os.path.join(archive, "warc")))
        for w in warcs[:2]:
            data = open(os.path.join(archive, "warc", w), "rb").read()
            put("warc_reader", data)
            put("warc_reader", data[: len(data) * 2 // 3])  # a crash tail
            # The same records uncompressed (a plain .warc).
            plain, rest = b"", data
            while rest:
                d = zlib.decompressobj(31)
                plain += d.decompress(rest)
                rest = d.unused_data
            put("warc_reader", plain)
        db = sqlite3.connect(os.path.join(archive, "index.sqlite3"))
        for (env,) in db.execute("SELECT envelope FROM key_events LIMIT 3"):
            put("dsse", env)
        # Snapshot rows keep their record and envelope packed (store/json_codec.h).
        for (record, env) in db.execute("SELECT record, envelope FROM snapshots LIMIT 2"):
            put("json_codec", record)
            put("json_codec", env)
            put("json_codec", record[: len(record) // 2])  # cut short
        for (note,) in db.execute("SELECT note FROM checkpoints LIMIT 2"):
            put("note", note)
            put("note", note.split("\n\n")[0] + "\n")  # a checkpoint body alone
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
