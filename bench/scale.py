#!/usr/bin/env python3
"""Scale of the log and index (issue #8): synthetic archives of 10k, 100k and 1M snapshot records.

Per size N (archives built once by embarc_bench_make_archive and cached in WORK/scale-<ARCHIVE_TAG>-<N>):
  scale.generate_records_per_s.N   how fast the generator wrote the archive (when built by this run
                                   or an earlier one; its own summary)
  scale.proof_cli_ms.N             `embarc proof RECORD_HASH` end to end (process start, lock, index,
                                   log open, proof), goal < 10 ms
  scale.proof_lib_us.N             the same in the library (SnapshotByHash + InclusionProof +
                                   VerifyInclusion), embarc_bench_scale, goal < 10 ms
  scale.append_checkpoint_ms.N     one capture run of one record in the library: Archive::Open for
                                   writing, WARC write + fsync, record + signature, Index::Commit,
                                   EvidenceLog::Open, WriteCheckpoint; O(log n): roughly flat in N
  scale.overhead_bytes_per_record.N   (index.sqlite3 [+ -wal] + log/) / records, goal < 2048
At the largest N: scale.verify_peak_rss_mib (goal < 200 MiB) and scale.verify_wall_s.
Environment: EMBARC_BENCH_SCALE_SIZES (default 10000,100000,1000000), EMBARC_BENCH_RUNS.
"""

import json
import os
import shlex
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

GROUP = "scale"
SIZES = [int(x) for x in os.environ.get("EMBARC_BENCH_SCALE_SIZES", "10000,100000,1000000").split(",")]
TOOLS = os.path.join(benchlib.BUILD, "bench")
MAKE_ARCHIVE = os.path.join(TOOLS, "embarc_bench_make_archive")
SCALE = os.path.join(TOOLS, "embarc_bench_scale")


def archive_of(n):
    return benchlib.generated_archive("scale", n)


def size_of(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def main():
    runs = benchlib.RUNS
    benchlib.reset_group(GROUP)
    for n in SIZES:
        d, gen = archive_of(n)
        benchlib.record(GROUP, "scale.generate_records_per_s.%d" % n, "generator: records written per second (N=%d)" % n,
                        "records/s", [gen["records"] / gen["wall"]], gen.get("command", MAKE_ARCHIVE),
                        note="%.0f s for %d records on %d threads; commit %.0f s, checkpoints %.0f s" %
                        (gen["wall"], gen["records"], gen["threads"], gen["commit_seconds"], gen["checkpoint_seconds"]))
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(d, "index.sqlite3"), uri=True)
        leaves = db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] + \
            db.execute("SELECT COUNT(*) FROM key_events").fetchone()[0]
        index_bytes = size_of(os.path.join(d, "index.sqlite3")) + \
            (size_of(os.path.join(d, "index.sqlite3-wal")) if os.path.exists(os.path.join(d, "index.sqlite3-wal")) else 0)
        log_bytes = size_of(os.path.join(d, "log"))
        warc_bytes = size_of(os.path.join(d, "warc"))
        rec, env = db.execute("SELECT AVG(LENGTH(record)), AVG(LENGTH(envelope)) FROM snapshots").fetchone()
        # How the records pack, and how they would with random text (embarc_bench_scale, below).
        packing = json.loads(benchlib.run_timed([SCALE, "--archive", d, "--proofs", "200", "--appends", "0"],
                                                capture=True).stdout.decode())["packed_record_bytes"]
        random_text_extra = packing["random_text_median"] - packing["median"]
        benchlib.record(GROUP, "scale.overhead_bytes_per_record.%d" % n,
                        "index.sqlite3 + log/ bytes per record beyond the WARC bytes (N=%d)" % n, "bytes/record",
                        [(index_bytes + log_bytes) / leaves], "du -b index.sqlite3* log/ (÷ %d leaves)" % leaves,
                        higher_is_better=False, goal_text="< 2048 bytes per record", goal_max=2048,
                        note="index %d B, log %d B, WARC %d B (%.0f B/record); records and envelopes are stored packed "
                             "(store/json_codec.h): average stored record %.0f B, envelope %.0f B. The generated post "
                             "text (median %.0f characters from a 64-word vocabulary) packs better than real text: "
                             "with random characters in its place a record packs to %.0f B instead of %.0f B (median), "
                             "which would make this figure about %.0f bytes/record" %
                        (index_bytes, log_bytes, warc_bytes, warc_bytes / leaves, rec, env,
                         packing["text_chars_median"], packing["random_text_median"], packing["median"],
                         (index_bytes + log_bytes) / leaves + random_text_extra))
        # A record in the middle of the log, and one near its end.
        hashes = [db.execute("SELECT record_hash FROM snapshots WHERE leaf_index >= ? ORDER BY leaf_index LIMIT 1",
                             (leaves * k // 10,)).fetchone()[0] for k in (1, 5, 9)]
        db.close()
        cli = []
        for i in range(runs):
            cmd = [benchlib.EMBARC, "--archive", d, "proof", hashes[i % len(hashes)]]
            cli.append(benchlib.run_timed(cmd).wall * 1000)
        benchlib.record(GROUP, "scale.proof_cli_ms.%d" % n, "embarc proof RECORD_HASH, end to end (N=%d)" % n, "ms", cli,
                        shlex.join(cmd), higher_is_better=False, goal_text="< 10 ms", goal_max=10,
                        note="of which the process start is most: see embarc --version below")
        r = benchlib.run_timed([SCALE, "--archive", d, "--proofs", "200", "--appends", str(runs)], capture=True)
        lib = json.loads(r.stdout.decode())
        scmd = shlex.join([SCALE, "--archive", d, "--proofs", "200", "--appends", str(runs)])
        benchlib.record(GROUP, "scale.proof_lib_us.%d" % n, "inclusion proof in the library (N=%d)" % n, "us",
                        lib["proof_us"]["all"], scmd, higher_is_better=False, goal_text="< 10 ms", goal_max=10000,
                        note="median %.1f us: lookup by hash %.1f us, proof + verify %.1f us; log open %.1f ms, "
                             "Archive::Open(for writing) %.1f ms" %
                        (lib["proof_us"]["median"], lib["proof_us"]["lookup_median"], lib["proof_us"]["tree_median"],
                         lib["log_open_ms"], lib["open_for_writing_ms"]))
        a = lib["append_ms"]
        benchlib.record(GROUP, "scale.append_checkpoint_ms.%d" % n,
                        "append one record + write a checkpoint, one whole run in the library (N=%d)" % n, "ms",
                        a["all"], scmd, higher_is_better=False, goal_text="O(log n): roughly flat from 10k to 1M",
                        note="medians: open %.1f, WARC+fsync %.1f, record+sign %.2f, commit %.1f, log open %.1f, "
                             "checkpoint %.1f ms" % (a["open_for_writing"], a["warc"], a["record_and_sign"], a["commit"],
                                                     a["log_open"], a["checkpoint"]))
    # The floor under every end-to-end command: loading embarc and the shared libraries it
    # links (libc and libm; libcurl is loaded only by the commands that fetch or parse URLs).
    cmd = [benchlib.EMBARC, "--version"]
    benchlib.record(GROUP, "scale.startup_ms", "embarc --version: process start, the floor under any command", "ms",
                    [benchlib.run_timed(cmd).wall * 1000 for _ in range(runs)], shlex.join(cmd), higher_is_better=False)
    n = SIZES[-1]
    d, _ = archive_of(n)
    cmd = [benchlib.EMBARC, "--archive", d, "--json", "verify"]
    vr = benchlib.run_timed(cmd, capture=True)
    benchlib.record(GROUP, "scale.verify_peak_rss_mib", "embarc verify peak RSS (N=%d)" % n, "MiB", [vr.maxrss_mib],
                    shlex.join(cmd), higher_is_better=False, goal_text="< 200 MiB", goal_max=200, note="1 run")
    benchlib.record(GROUP, "scale.verify_wall_s", "embarc verify wall time (N=%d)" % n, "s", [vr.wall], shlex.join(cmd),
                    higher_is_better=False, note="1 run; CPU %.0f s" % vr.cpu)


if __name__ == "__main__":
    main()
