#!/usr/bin/env python3
"""Finding embeds (issue #8): `embarc extract` over ~200 MB of real pages, on one core.

Input: the corpus pages and fragments (../shared/corpus), each copied N times as separate files
under WORK/extract/ until the total passes 200 MB (file list fixed and sorted). Each of RUNS runs
pins the process to CPU 0 and divides the bytes by the process's CPU time (user + sys):

  extract.embarc      embarc extract FILE...                       (goal: 4x extract.python)
  extract.python      bench/py_extract.py @LIST (html.parser)       the plain-Python baseline
  extract.gumbo_bare  embarc_bench_gumbo_parse - < LIST             Gumbo parsing every byte, nothing else

"Same answers": embarc's and the Python extractor's (platform, post_id) per corpus file are
compared and the agreement is recorded as a note.
"""

import json
import math
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import CORPUS, EMBARC, RUNS, WORK, log, median, pin_one_core, record, run_timed  # noqa: E402

GROUP = "extract"
TARGET_BYTES = 200 * 1000 * 1000
HERE = os.path.dirname(os.path.abspath(__file__))
PY_EXTRACT = os.path.join(HERE, "py_extract.py")
GUMBO_BARE = os.path.join(benchlib.BUILD, "bench", "embarc_bench_gumbo_parse")
ARGV_BUDGET = 1 << 20  # bytes of file names per embarc process


def corpus_files():
    out = []
    for sub in ("pages", "fragments"):
        d = os.path.join(CORPUS, sub)
        out += [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith(".html")]
    return out


def build_input():
    """N copies of every corpus file under WORK/extract/; returns (sorted paths, total bytes, N)."""
    sources = corpus_files()
    corpus_bytes = sum(os.path.getsize(p) for p in sources)
    copies = max(1, math.ceil(TARGET_BYTES / corpus_bytes))
    root = os.path.join(WORK, "extract")
    stamp = os.path.join(root, "STAMP")
    want = "%d copies of %d files, %d bytes\n" % (copies, len(sources), corpus_bytes)
    if not (os.path.exists(stamp) and open(stamp).read() == want):
        log("writing %d copies of the corpus (%.1f MB) to %s" % (copies, corpus_bytes / 1e6, root))
        os.makedirs(root, exist_ok=True)
        for name in os.listdir(root):
            os.remove(os.path.join(root, name))
        for src in sources:
            with open(src, "rb") as f:
                data = f.read()
            base = os.path.basename(os.path.dirname(src)) + "__" + os.path.basename(src)
            for i in range(copies):
                with open(os.path.join(root, "%03d__%s" % (i, base)), "wb") as f:
                    f.write(data)
        with open(stamp, "w") as f:
            f.write(want)
    files = sorted(os.path.join(root, n) for n in os.listdir(root) if n.endswith(".html"))
    with open(os.path.join(root, "LIST"), "w") as f:
        f.write("".join(p + "\n" for p in files))
    return files, sum(os.path.getsize(p) for p in files), copies


def chunks(files):
    """Argument lists of at most ARGV_BUDGET bytes each (as xargs would split them)."""
    out, cur, size = [], [], 0
    for p in files:
        if cur and size + len(p) + 1 > ARGV_BUDGET:
            out.append(cur)
            cur, size = [], 0
        cur.append(p)
        size += len(p) + 1
    if cur:
        out.append(cur)
    return out


def run_embarc(files, capture=False):
    """CPU seconds of `embarc extract` over `files` (one process per chunk) and its stdout."""
    cpu = 0.0
    out = b""
    for part in chunks(files):
        r = run_timed(pin_one_core([EMBARC, "extract"] + part), capture=capture)
        cpu += r.cpu
        if capture:
            out += r.stdout
    return cpu, out


def answers_embarc(stdout):
    got = {}
    for line in stdout.decode().splitlines():
        d = json.loads(line)
        got.setdefault(d["source"], set()).add((d["platform"], d["post_id"]))
    return got


def answers_python(stdout):
    got = {}
    for line in stdout.decode().splitlines():
        source, platform, post_id = line.split("\t")
        got.setdefault(source, set()).add((platform, post_id))
    return got


def compare_answers():
    """Agreement of the two extractors on the corpus files: (note, embarc posts, common posts)."""
    files = corpus_files()
    _, out = run_embarc(files, capture=True)
    emb = answers_embarc(out)
    py = answers_python(run_timed([sys.executable, PY_EXTRACT] + files, capture=True).stdout)
    emb_all = {(s, p) for s, ps in emb.items() for p in ps}
    py_all = {(s, p) for s, ps in py.items() for p in ps}
    common = emb_all & py_all
    for s, p in sorted(emb_all - py_all):
        log("only embarc: %s %s %s" % (os.path.basename(s), p[0], p[1]))
    for s, p in sorted(py_all - emb_all):
        log("only python: %s %s %s" % (os.path.basename(s), p[0], p[1]))
    note = ("same answers: on the %d corpus files the Python extractor finds %d of embarc's %d posts "
            "(and %d that embarc does not report)" % (len(files), len(common), len(emb_all), len(py_all - emb_all)))
    return note, emb


def main():
    for tool in (EMBARC, GUMBO_BARE):
        if not os.path.exists(tool):
            sys.exit("bench/extract.py: %s is missing (build with EMBARC_BENCH=1, or set EMBARC_BENCH_BUILD)" % tool)
    files, total, copies = build_input()
    mb = total / 1e6
    listing = os.path.join(WORK, "extract", "LIST")
    log("%d files, %.1f MB (%d copies of the corpus)" % (len(files), mb, copies))
    note_answers, corpus_answers = compare_answers()
    log(note_answers)

    embarc_rates, python_rates, gumbo_rates = [], [], []
    for i in range(RUNS):
        cpu, out = run_embarc(files, capture=(i == 0))
        if i == 0:
            # The copies must give the corpus's answers, copy by copy.
            got = answers_embarc(out)
            for path in files:
                name = os.path.basename(path)[5:]
                sub, base = name.split("__", 1)
                want = corpus_answers.get(os.path.join(CORPUS, sub, base), set())
                if got.get(path, set()) != want:
                    sys.exit("bench/extract.py: %s differs from the corpus file's answers" % path)
            log("embarc output: %d lines, %.1f KB" % (out.count(b"\n"), len(out) / 1e3))
        embarc_rates.append(mb / cpu)
        r = run_timed(pin_one_core([sys.executable, PY_EXTRACT, "@" + listing]))
        python_rates.append(mb / r.cpu)
        with open(listing) as stdin:
            r = run_timed(pin_one_core([GUMBO_BARE, "-"]), stdin=stdin)
        gumbo_rates.append(mb / r.cpu)
        log("run %d: embarc %.1f, python %.1f, gumbo bare %.1f MB/s" %
            (i + 1, embarc_rates[-1], python_rates[-1], gumbo_rates[-1]))

    where = "%d files, %.0f MB (%d copies of ../shared/corpus pages and fragments)" % (len(files), mb, copies)
    vs_gumbo = median(embarc_rates) / median(gumbo_rates)
    record(GROUP, "extract.python", "Python html.parser extractor (bench/py_extract.py), one core", "MB/s",
           python_rates, "taskset -c 0 python3 bench/py_extract.py @LIST  # " + where)
    record(GROUP, "extract.gumbo_bare", "Gumbo's bare parse of the same bytes, one core", "MB/s", gumbo_rates,
           "taskset -c 0 %s - < LIST  # %s" % (shlex.quote(GUMBO_BARE), where))
    record(GROUP, "extract.embarc", "embarc extract, one core", "MB/s", embarc_rates,
           "taskset -c 0 embarc extract FILE...  # " + where, compare_to="extract.python", goal_ratio=4.0,
           note="%.1fx Gumbo's bare parse of the same bytes; %s" % (vs_gumbo, note_answers))
    record(GROUP, "extract.embarc_vs_gumbo_bare", "embarc extract over Gumbo's bare parse (MB/s ratio)", "x",
           [e / g for e, g in zip(embarc_rates, gumbo_rates)], "extract.embarc / extract.gumbo_bare, run by run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
