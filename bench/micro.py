#!/usr/bin/env python3
"""Micro-benchmarks: runs embarc_bench_micro (Google Benchmark, bench/micro/*.cpp) with
RUNS repetitions and records each benchmark's time per iteration (and its rate, where the
benchmark reports items or bytes per second)."""

import json
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def main():
    program = os.path.join(benchlib.BUILD, "bench", "embarc_bench_micro")
    if not os.path.exists(program):
        benchlib.log("micro: %s not built (no bench/micro/*.cpp?); skipped" % program)
        return
    cmd = benchlib.pin_one_core([program, "--benchmark_repetitions=%d" % benchlib.RUNS,
                                 "--benchmark_format=json", "--benchmark_min_time=0.2"])
    run = benchlib.run_timed(cmd, capture=True)
    data = json.loads(run.stdout)
    per_name = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"] if "run_name" in b else b["name"]
        entry = per_name.setdefault(name, {"ns": [], "items": [], "bytes": []})
        entry["ns"].append(b["real_time"] * UNIT_NS.get(b.get("time_unit", "ns"), 1.0))
        if "items_per_second" in b:
            entry["items"].append(b["items_per_second"])
        if "bytes_per_second" in b:
            entry["bytes"].append(b["bytes_per_second"] / 1e6)
    command = shlex.join(cmd)
    for name, e in per_name.items():
        benchlib.record("micro", "micro." + name, name + " (time per iteration)", "ns", e["ns"], command,
                        higher_is_better=False)
        if e["bytes"]:
            benchlib.record("micro", "micro." + name + ".rate", name + " (throughput)", "MB/s", e["bytes"], command)
        elif e["items"]:
            benchlib.record("micro", "micro." + name + ".rate", name + " (rate)", "items/s", e["items"], command)


if __name__ == "__main__":
    main()
