#!/usr/bin/env python3
"""Writes bench/RESULTS.md (to stdout) from the figures in bench/out/*.json (see benchlib.record)
followed by the hand-written analysis in bench/ANALYSIS.md."""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ORDER = ["extract", "archive", "verify", "scale", "micro"]
TITLES = {
    "extract": "Finding embeds",
    "archive": "Archiving",
    "verify": "Verifying",
    "scale": "Scale",
    "micro": "Micro-benchmarks (Google Benchmark)",
}


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return ("%d" % v) if float(v).is_integer() else "%.2f" % v
    return "%.3g" % v


def cell(text):
    return str(text).replace("|", "\\|")


def load():
    groups = {}
    for name in sorted(os.listdir(benchlib.OUT)) if os.path.isdir(benchlib.OUT) else []:
        if not name.endswith(".json") or name == "machine.json":
            continue
        with open(os.path.join(benchlib.OUT, name)) as f:
            figures = json.load(f)
        if isinstance(figures, list):  # other JSON (e.g. a tool's raw output) is not a figure file
            groups[name[:-5]] = figures
    return groups


def evaluate(fig, by_id):
    """(ratio, goal text, met) for one figure; met is None when it has no checkable goal."""
    med = benchlib.median(fig["values"])
    ratio = None
    goal = fig.get("goal_text") or ""
    met = None
    ref = by_id.get(fig.get("compare_to")) if fig.get("compare_to") else None
    if ref is not None and ref["values"]:
        ref_med = benchlib.median(ref["values"])
        if ref_med:
            ratio = med / ref_med
    if fig.get("goal_ratio") is not None and ratio is not None:
        g = fig["goal_ratio"]
        if fig.get("higher_is_better", True):
            met = ratio >= g
            goal = goal or ("≥ %s× %s" % (fmt(g), ref["title"]))
        else:
            met = ratio <= g
            goal = goal or ("≤ %s× %s" % (fmt(g), ref["title"]))
    checks = []
    if fig.get("goal_max") is not None:
        checks.append(med <= fig["goal_max"])
        goal = goal or ("≤ %s %s" % (fmt(fig["goal_max"]), fig["unit"]))
    if fig.get("goal_min") is not None:
        checks.append(med >= fig["goal_min"])
        goal = goal or ("≥ %s %s" % (fmt(fig["goal_min"]), fig["unit"]))
    if checks:
        met = all(checks) if met is None else (met and all(checks))
    return ratio, goal, met


def git_head():
    try:
        head = subprocess.run(["git", "-C", benchlib.ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", benchlib.ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def compiler():
    try:
        return subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--took", type=int, default=None)
    ap.add_argument("--groups", default="")
    args = ap.parse_args()
    groups = load()
    by_id = {f["id"]: f for figs in groups.values() for f in figs}
    m = benchlib.machine()
    out = []
    w = out.append
    w("# Benchmark results")
    w("")
    w("Written by `bench/run` (generated: edit bench/ANALYSIS.md, not this file's tables). "
      "Every figure is the median of its runs, with min and max; a ratio divides the median by the "
      "median of the figure it is compared with, measured in the same `bench/run`.")
    w("")
    w("- Machine: %s cores (`nproc`), %s, %s, %s, Linux %s" % (m["nproc"], m["cpu"], m["memory"], m["os"], m["kernel"]))
    w("- Build: Release (`EMBARC_BUILD_TYPE=Release EMBARC_BENCH=1 tools/build`), %s" % compiler())
    w("- Report written at commit %s; each group below names the commit its programs were built from" % git_head())
    w("- Generated: %s%s" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              (", last `bench/run %s` took %d s" % (args.groups, args.took)) if args.took is not None else ""))
    w("- Command: `bench/run` (all), or `bench/run GROUP...` for some of: %s" % " ".join(ORDER))
    w("")

    goals = []
    for g in ORDER:
        for f in groups.get(g, []):
            ratio, goal, met = evaluate(f, by_id)
            if met is not None:
                shown = ("%s× (%s %s)" % (fmt(ratio), fmt(benchlib.median(f["values"])), f["unit"])) if ratio is not None \
                    and f.get("goal_ratio") is not None else "%s %s" % (fmt(benchlib.median(f["values"])), f["unit"])
                goals.append((f["title"], goal, shown, met))
    if goals:
        w("## Goals")
        w("")
        w("| Figure | Goal | Measured | Met |")
        w("|---|---|---|---|")
        for title, goal, shown, met in goals:
            w("| %s | %s | %s | %s |" % (cell(title), cell(goal), cell(shown), "yes" if met else "**no**"))
        w("")

    for g in ORDER + sorted(k for k in groups if k not in ORDER):
        figs = groups.get(g)
        if not figs:
            continue
        w("## %s" % TITLES.get(g, g))
        w("")
        when = sorted({f.get("measured_at", "") for f in figs if f.get("measured_at")})
        commits = sorted({f["commit"] for f in figs if f.get("commit")})
        if when:
            w("Measured %s%s." % (when[0] if len(when) == 1 else "%s to %s" % (when[0], when[-1]),
                                  (", built from commit " + " and ".join(commits)) if commits else ""))
            w("")
        w("| Figure | Median | Min | Max | Unit | Runs | Compared with | Ratio | Goal |")
        w("|---|---|---|---|---|---|---|---|---|")
        for f in figs:
            v = f["values"]
            ratio, goal, met = evaluate(f, by_id)
            goal_cell = goal + ("" if met is None else (" (met)" if met else " (**missed**)"))
            w("| %s | %s | %s | %s | %s | %d | %s | %s | %s |" % (
                cell(f["title"]), fmt(benchlib.median(v)), fmt(min(v)) if v else "", fmt(max(v)) if v else "", f["unit"],
                len(v), cell(by_id[f["compare_to"]]["title"]) if f.get("compare_to") in by_id else (f.get("compare_to") or ""),
                (fmt(ratio) + "×") if ratio is not None else "", cell(goal_cell)))
        w("")
        notes = [(f["title"], f["note"]) for f in figs if f.get("note")]
        for title, note in notes:
            w("- *%s*: %s" % (title, note))
        if notes:
            w("")
        w("<details><summary>Commands</summary>")
        w("")
        for f in figs:
            w("- %s:" % f["title"])
            w("  ```")
            for line in f["command"].splitlines():
                w("  " + line)
            w("  ```")
        w("</details>")
        w("")

    analysis = os.path.join(benchlib.ROOT, "bench", "ANALYSIS.md")
    if os.path.exists(analysis):
        with open(analysis) as f:
            w(f.read().rstrip())
            w("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
