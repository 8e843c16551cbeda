#!/usr/bin/env python3
"""Archiving throughput (issue #8): 10,000 tweets embedded across 1,000 articles, archived end to
end by `embarc archive` against the fixture server with 50 ms latency per response, compared
with `curl --parallel --parallel-max 64` (fetch only) and `wget --warc-file` (sequential) on
the same URLs and the same server.

The fixture world (WORK/archive/world) is generated deterministically:
  news.example/articles/N.html            N = 0..999, each embedding 10 distinct tweets
                                          (Twitter's blockquote embed code + widgets.js)
  cdn.syndication.twimg.com/tweet-result?id=ID   raw 200, syndication JSON in the real shape
  publish.twitter.com/oembed?url=https%3A%2F%2Ftwitter.com%2FUSER%2Fstatus%2FID
                                          raw 200, oEmbed JSON in the recorded shape
Tweets have no media, so each post is exactly 2 requests (syndication + oEmbed) on 2 hosts;
a run fetches 1,000 + 20,000 URLs.

Units: every figure is in posts/s = 10,000 * (URLs fetched / URLs of an embarc run) / wall
seconds. For embarc that is 10,000 / wall; curl fetches all 21,000 URLs of the run (so also
10,000 / wall); wget fetches a fixed subset (every 70th URL, 300 URLs) and is scaled by
300 / 21,000. Fetches per second are given in the notes.

Env: EMBARC_BENCH_ARCHIVE_PARALLEL (default 64): embarc's --parallel and --max-per-host, the
same as curl's --parallel-max; 0 runs embarc with its defaults (no options; for a baseline).
"""

import gzip
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import RUNS, WORK, EMBARC, FixtureServer, log, median, record, run_timed  # noqa: E402

GROUP = "archive"
ARTICLES = 1000
TWEETS_PER_ARTICLE = 10
POSTS = ARTICLES * TWEETS_PER_ARTICLE
LATENCY_MS = 50
PARALLEL = int(os.environ.get("EMBARC_BENCH_ARCHIVE_PARALLEL", "64"))
CURL_PARALLEL = 64
WGET_STRIDE = 70  # every 70th URL of the run: 21,000 / 70 = 300 URLs
WORLD_VERSION = "archive-world-1"
FIRST_ID = 1850000000000000000
ACCOUNTS = 40

BASE = os.path.join(WORK, "archive")
WORLD = os.path.join(BASE, "world")

WORDS = ("officials said the ministry confirmed troops border talks ceasefire report statement "
         "according to sources briefing reporters capital region election results vote count "
         "delegation agreement sanctions energy prices grain exports port shipping convoy "
         "emergency services flooding evacuation residents power outages repairs weather").split()

SYNDICATION_HEAD = ("HTTP/1.1 200 OK\n"
                    "content-type: application/json;charset=utf-8\n"
                    "cache-control: public, max-age=86400, s-maxage=86400, stale-while-revalidate=86400\n"
                    "access-control-allow-origin: *\n"
                    "vary: Accept-Encoding\n"
                    "x-content-type-options: nosniff\n"
                    "strict-transport-security: max-age=631138519\n"
                    "x-response-time: 38\n\n")
OEMBED_HEAD = ("HTTP/1.1 200 OK\n"
               "content-type: application/json; charset=utf-8\n"
               "cache-control: must-revalidate, max-age=3153600000\n"
               "access-control-allow-origin: *\n"
               "strict-transport-security: max-age=631138519\n"
               "x-response-time: 11\n\n")


def html_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&quot;")


def tweet(k):
    """The k-th tweet of the world: id, account, display name, text, date."""
    tid = FIRST_ID + k * 7
    a = k % ACCOUNTS
    screen = "WireDesk%02d" % a
    name = "Wire Desk %d" % a
    words = [WORDS[(k * 31 + i * 17) % len(WORDS)] for i in range(18 + k % 14)]
    text = ("Update %d: " % k) + " ".join(words) + "."
    day = 1 + k % 28
    return {"id": str(tid), "screen": screen, "name": name, "text": text,
            "created": "2024-10-%02dT%02d:%02d:00.000Z" % (day, k % 24, k % 60),
            "date": "October %d, 2024" % day, "user_id": str(1587263300145600000 + a)}


def syndication_body(t):
    return json.dumps({
        "__typename": "Tweet", "lang": "en", "favorite_count": 100 + int(t["id"]) % 900,
        "possibly_sensitive": False, "created_at": t["created"],
        "display_text_range": [0, len(t["text"])],
        "entities": {"hashtags": [], "urls": [], "user_mentions": [], "symbols": []},
        "id_str": t["id"], "text": t["text"],
        "user": {"id_str": t["user_id"], "name": t["name"],
                 "profile_image_url_https": "https://pbs.twimg.com/profile_images/1590968738358079488/Wd3pK1sL_normal.jpg",
                 "screen_name": t["screen"], "verified": False, "is_blue_verified": True,
                 "profile_image_shape": "Circle"},
        "edit_control": {"edit_tweet_ids": [t["id"]], "editable_until_msecs": "1729459950000",
                         "is_edit_eligible": True, "edits_remaining": "5"},
        "mediaDetails": [], "photos": [], "conversation_count": 27, "news_action_type": "conversation",
        "isEdited": False, "isStaleEdit": False}, separators=(",", ":"), ensure_ascii=False)


def post_url(t):
    return "https://twitter.com/%s/status/%s" % (t["screen"], t["id"])


def blockquote(t):
    return ('<blockquote class="twitter-tweet"><p lang="en" dir="ltr">%s</p>&mdash; %s (@%s) '
            '<a href="%s?ref_src=twsrc%%5Etfw">%s</a></blockquote>'
            % (html_escape(t["text"]), html_escape(t["name"]), t["screen"], post_url(t), t["date"]))


def oembed_body(t):
    return json.dumps({
        "url": post_url(t), "author_name": t["name"], "author_url": "https://twitter.com/" + t["screen"],
        "html": blockquote(t) + '\n<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>\n',
        "width": 550, "height": None, "type": "rich", "cache_age": "3153600000", "provider_name": "Twitter",
        "provider_url": "https://twitter.com", "version": "1.0"}, separators=(",", ":"), ensure_ascii=False)


def article_url(n):
    return "https://news.example/articles/%d.html" % n


def article_html(n, tweets):
    title = "Bench article %d: %s" % (n, " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(6)))
    paras = []
    for i, t in enumerate(tweets):
        prose = " ".join(WORDS[(n * 13 + i * 5 + j) % len(WORDS)] for j in range(60))
        paras.append("      <p>%s.</p>\n      %s <script async src=\"https://platform.twitter.com/widgets.js\" "
                     "charset=\"utf-8\"></script>\n" % (prose.capitalize(), blockquote(t)))
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n"
            "  <title>%s</title>\n  <link rel=\"canonical\" href=\"%s\">\n"
            "  <meta property=\"og:type\" content=\"article\">\n  <meta property=\"og:title\" content=\"%s\">\n"
            "  <script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\","
            "\"headline\":\"%s\",\"datePublished\":\"2024-10-21T08:00:00Z\"}</script>\n</head>\n<body>\n"
            "  <header><nav><a href=\"/\">News Example</a></nav></header>\n  <main>\n    <article>\n"
            "      <h1>%s</h1>\n%s    </article>\n  </main>\n  <footer>&copy; News Example</footer>\n</body>\n</html>\n"
            % (title, article_url(n), title, title, title, "".join(paras)))


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def make_world():
    stamp = os.path.join(BASE, "world.version")
    if os.path.exists(stamp) and open(stamp).read() == WORLD_VERSION and os.path.isdir(WORLD):
        return
    log("generating the fixture world in", WORLD)
    shutil.rmtree(WORLD, ignore_errors=True)
    os.makedirs(os.path.join(WORLD, "news.example", "articles"))
    os.makedirs(os.path.join(WORLD, "cdn.syndication.twimg.com"))
    os.makedirs(os.path.join(WORLD, "publish.twitter.com"))
    for n in range(ARTICLES):
        tweets = [tweet(n * TWEETS_PER_ARTICLE + i) for i in range(TWEETS_PER_ARTICLE)]
        write(os.path.join(WORLD, "news.example", "articles", "%d.html" % n), article_html(n, tweets))
        for t in tweets:
            write(os.path.join(WORLD, "cdn.syndication.twimg.com", "tweet-result?id=" + t["id"]),
                  SYNDICATION_HEAD + syndication_body(t))
            write(os.path.join(WORLD, "publish.twitter.com", "oembed?url=" + quote(post_url(t), safe="")),
                  OEMBED_HEAD + oembed_body(t))
    write(stamp, WORLD_VERSION)


def embarc_parallel_args():
    if PARALLEL <= 0:
        return []
    return ["--parallel", str(PARALLEL), "--max-per-host", str(PARALLEL)]


def check_archive(archive):
    """Fails unless the run archived every article and 10,000 available posts; returns the
    URLs it fetched (captures, in order) and a description of the files it wrote."""
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(archive, "index.sqlite3"), uri=True)
    try:
        articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        posts = db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
        available = db.execute("SELECT COUNT(DISTINCT post_ref) FROM snapshots WHERE state = 'available'").fetchone()[0]
        snapshots = db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
        urls = [r[0] for r in db.execute("SELECT url FROM captures ORDER BY id")]
        bad = db.execute("SELECT COUNT(*) FROM captures WHERE outcome != 'ok' OR http_status != 200").fetchone()[0]
    finally:
        db.close()
    if (articles, posts, available, snapshots, bad) != (ARTICLES, POSTS, POSTS, POSTS, 0):
        raise RuntimeError("the run did not archive everything: articles %d, posts %d, available posts %d, "
                           "snapshots %d, failed captures %d" % (articles, posts, available, snapshots, bad))
    if len(urls) != ARTICLES + 2 * POSTS:
        raise RuntimeError("expected %d captures, found %d" % (ARTICLES + 2 * POSTS, len(urls)))
    files = 0
    warc_files = 0
    for dirpath, _, names in os.walk(archive):
        files += len(names)
        if os.path.basename(dirpath) == "warc":
            warc_files += sum(1 for n in names if n.endswith(".warc.gz"))
    return urls, files, warc_files


def run_embarc(server):
    walls, rss, cpu = [], [], []
    urls = None
    layout = None
    archive = os.path.join(BASE, "embarc-archive")
    base_cmd = [EMBARC, "--archive", archive] + server.embarc_args() + embarc_parallel_args()
    articles = [article_url(n) for n in range(ARTICLES)]
    for i in range(RUNS):
        shutil.rmtree(archive, ignore_errors=True)
        run_timed([EMBARC, "--archive", archive, "init"])
        r = run_timed(base_cmd + ["archive"] + articles)
        urls, files, warc_files = check_archive(archive)
        layout = (files, warc_files)
        walls.append(r.wall)
        rss.append(r.maxrss_mib)
        cpu.append(r.cpu)
        log("embarc run %d: %.2f s, %.0f posts/s, %.1f MiB peak RSS, %.1f s CPU; %d files in the archive "
            "(%d WARC files)" % (i + 1, r.wall, POSTS / r.wall, r.maxrss_mib, r.cpu, files, warc_files))
    shown = [shlex.quote(a) for a in base_cmd[:1]] + ["--archive", "DIR", "--connect-to", "::127.0.0.1:PORT",
                                                      "--cacert", "CA", "--allow-private-addresses"] + \
        embarc_parallel_args() + ["archive", "https://news.example/articles/{0..999}.html"]
    return walls, rss, cpu, urls, layout, " ".join(shown)


def run_curl(server, urls):
    cfg = os.path.join(BASE, "curl.cfg")
    with open(cfg, "w") as f:
        for u in urls:
            f.write('url = "%s"\noutput = "/dev/null"\n' % u.replace("\\", "\\\\").replace('"', '\\"'))
    cmd = ["curl", "--silent", "--show-error", "--parallel", "--parallel-max", str(CURL_PARALLEL),
           "--connect-to", "::127.0.0.1:%d" % server.port, "--cacert", server.ca, "--write-out", "%{http_code}\\n",
           "-K", cfg]
    walls = []
    for i in range(RUNS):
        r = run_timed(cmd, capture=True)
        codes = r.stdout.decode().split()
        ok = sum(1 for c in codes if c == "200")
        if ok != len(urls):
            raise RuntimeError("curl fetched %d of %d URLs with status 200" % (ok, len(urls)))
        walls.append(r.wall)
        log("curl run %d: %.2f s, %.0f fetches/s" % (i + 1, r.wall, len(urls) / r.wall))
    return walls, ("curl --silent --show-error --parallel --parallel-max %d --connect-to ::127.0.0.1:PORT "
                   "--cacert CA --write-out '%%{http_code}\\n' -K CONFIG  # CONFIG: url = \"...\" / output = "
                   "\"/dev/null\" for each of the %d URLs" % (CURL_PARALLEL, len(urls)))


def count_warc_responses(path):
    n = 0
    with gzip.open(path, "rb") as f:
        for line in f:
            if line.rstrip(b"\r\n") == b"WARC-Type: response":
                n += 1
    return n


def run_wget(server, urls):
    subset = ["http://" + u.split("://", 1)[1] for u in urls[::WGET_STRIDE]]
    listing = os.path.join(BASE, "wget-urls.txt")
    with open(listing, "w") as f:
        f.write("\n".join(subset) + "\n")
    out = os.path.join(BASE, "wget")
    cmd = ["wget", "--no-config", "--quiet", "-e", "use_proxy=yes", "-e",
           "http_proxy=http://127.0.0.1:%d" % server.http_port, "--warc-file", os.path.join(out, "bench"),
           "-O", "/dev/null", "-i", listing]
    walls = []
    for i in range(RUNS):
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        r = run_timed(cmd, cwd=out)
        got = count_warc_responses(os.path.join(out, "bench.warc.gz"))
        if got != len(subset):
            raise RuntimeError("wget wrote %d response records for %d URLs" % (got, len(subset)))
        walls.append(r.wall)
        log("wget run %d: %.2f s, %.1f fetches/s" % (i + 1, r.wall, len(subset) / r.wall))
    return walls, subset, ("wget --no-config --quiet -e use_proxy=yes -e http_proxy=http://127.0.0.1:HTTP_PORT "
                           "--warc-file DIR/bench -O /dev/null -i URLS  # URLS: every %dth URL of the run "
                           "(%d), as http://" % (WGET_STRIDE, len(subset)))


def main():
    if not os.path.exists(EMBARC):
        print("bench/archive.py: %s is missing (build it, or set EMBARC_BENCH_BUILD)" % EMBARC, file=sys.stderr)
        return 2
    os.makedirs(BASE, exist_ok=True)
    make_world()
    with FixtureServer(WORLD, latency_ms=LATENCY_MS, http=True) as server:
        e_walls, e_rss, e_cpu, urls, layout, e_cmd = run_embarc(server)
        c_walls, c_cmd = run_curl(server, urls)
        w_walls, subset, w_cmd = run_wget(server, urls)
    total = len(urls)
    embarc_rate = [POSTS / w for w in e_walls]
    curl_rate = [POSTS * (total / total) / w for w in c_walls]
    wget_rate = [POSTS * (len(subset) / total) / w for w in w_walls]
    par = ("--parallel %d --max-per-host %d, the same parallelism as curl's --parallel-max" % (PARALLEL, PARALLEL)
           if PARALLEL > 0 else "embarc's default parallelism (32 overall, 6 per host)")
    common = ("%d tweets in %d articles (%d per article, no media: 2 requests per post), fixture server "
              "tools/fixture_server.py --latency-ms %d; a run fetches %d URLs. posts/s = %d * (URLs fetched / %d) "
              "/ wall s." % (POSTS, ARTICLES, TWEETS_PER_ARTICLE, LATENCY_MS, total, POSTS, total))
    record(GROUP, "archive.embarc", "embarc archive: posts archived per second, end to end", "posts/s", embarc_rate,
           e_cmd, compare_to="archive.curl", goal_ratio=0.5,
           note=common + " Fresh archive each run (init not timed); fetch, WARC, hashes, signature, log, index, "
                "checkpoint. Every run checked: %d articles, %d available posts, 0 failed captures. %s. "
                "Median %.0f fetches/s, CPU %.1f s (user+sys) per run. The archive holds %d files after a run "
                "(%d WARC files): records are appended to WARC files and fsynced once per batch."
                % (ARTICLES, POSTS, par, total / median(e_walls), median(e_cpu), layout[0], layout[1]))
    record(GROUP, "archive.embarc_vs_wget", "embarc archive compared with wget --warc-file", "posts/s", embarc_rate,
           e_cmd, compare_to="archive.wget", goal_ratio=20,
           note="The same values as archive.embarc, compared with wget (goal: at least 20x).")
    record(GROUP, "archive.curl", "curl --parallel --parallel-max 64: fetch only (no archiving)", "posts/s", curl_rate,
           c_cmd, note=common + " The %d URLs embarc fetched (from the index's captures table), HTTPS through "
                                "--connect-to, bodies to /dev/null; all answered 200. Median %.0f fetches/s (the "
                                "latency bound at 64 in flight is %.0f/s)."
                                % (total, total / median(c_walls), CURL_PARALLEL * 1000.0 / LATENCY_MS))
    record(GROUP, "archive.wget", "wget --warc-file, sequential", "posts/s", wget_rate, w_cmd,
           note=common + " wget has no --connect-to: it goes through the fixture server's plain-HTTP port as an "
                         "HTTP proxy (absolute-form requests, same hosts and paths, http:// instead of https://, so "
                         "no TLS). It fetches every %dth URL of the run (%d URLs), one at a time, and writes them to "
                         "a gzipped WARC; posts/s = %d * %d / %d / wall. Median %.1f fetches/s."
                         % (WGET_STRIDE, len(subset), POSTS, len(subset), total, len(subset) / median(w_walls)))
    record(GROUP, "archive.embarc_peak_rss", "embarc archive: peak memory (RSS)", "MiB", e_rss, e_cmd,
           goal_text="< 150 MB", goal_max=150e6 / 2**20, higher_is_better=False,
           note="Peak RSS of the embarc process (wait4 ru_maxrss) in the runs of archive.embarc.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
