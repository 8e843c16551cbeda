#!/usr/bin/env python3
"""`embarc verify` over a synthetic archive of 100,000 snapshot records (issue #8), against what
OpenSSL does on this machine in the same run.

Figures (bench/out/verify.json):
  verify.records_per_s         snapshot records / wall of `embarc verify` (the whole check: WARC
                               files, signatures, index rows, captures at their offsets, log).
                               Compared with verify.openssl_ed25519_verify, goal 0.8 x cores used.
  verify.records_per_s_1core   the same under `taskset -c 0` (one core), goal 0.8 x the per-core rate.
  verify.warc_scan_mb_per_s    uncompressed WARC bytes / wall of verify's WARC scan (the part that
                               re-hashes: `--json` seconds.warc) in the same runs.
                               "Uncompressed WARC bytes" = the bytes of every WARC file after
                               gunzip (zcat FILES | wc -c): what verify inflates and re-hashes
                               (block and payload digests). Compared with
                               verify.zcat_openssl_sha256 = the same uncompressed bytes / wall of
                               `zcat FILES | openssl dgst -sha256`, goal 0.7.
  verify.warc_mb_per_s         the same bytes / wall of the whole `embarc verify` run (signatures,
                               index and log included), for comparison; no goal.
  verify.openssl_ed25519_verify   verify/s of `openssl speed -seconds 3 ed25519` (one core).
  verify.openssl_sha256_mb_per_s  `openssl speed -seconds 3 -evp sha256`, 16 KiB blocks, MB/s.
  verify.peak_rss_mib          peak RSS of `embarc verify`.

The archive is built once by embarc_bench_make_archive and cached in WORK/verify-<ARCHIVE_TAG>-<N>.
Environment: EMBARC_BENCH_VERIFY_RECORDS (default 100000), EMBARC_BENCH_RUNS, EMBARC_BENCH_BUILD.
"""

import glob
import json
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

GROUP = "verify"
N = int(os.environ.get("EMBARC_BENCH_VERIFY_RECORDS", "100000"))


def archive_of(n):
    return benchlib.generated_archive("verify", n)


def warc_files(d):
    return sorted(glob.glob(os.path.join(d, "warc", "*.warc.gz")))


def uncompressed_bytes(files):
    total = 0
    p = subprocess.Popen(["zcat"] + files, stdout=subprocess.PIPE)
    while True:
        b = p.stdout.read(1 << 20)
        if not b:
            break
        total += len(b)
    p.wait()
    return total


def openssl_ed25519():
    out = subprocess.run(["openssl", "speed", "-seconds", "3", "ed25519"], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        if "Ed25519" in line and re.search(r"\d+\.\d+\s+\d+\.\d+\s*$", line):
            nums = re.findall(r"[\d.]+", line)
            return float(nums[-1])
    raise RuntimeError("cannot parse openssl speed ed25519:\n" + out)


def openssl_sha256():
    out = subprocess.run(["openssl", "speed", "-seconds", "3", "-evp", "sha256"], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        if line.lower().startswith("sha256") or line.lower().startswith("sha2-256"):
            last = line.split()[-1]
            return float(last.rstrip("k")) * 1000 / 1e6  # 1000s of bytes/s -> MB/s
    raise RuntimeError("cannot parse openssl speed sha256:\n" + out)


def main():
    runs = benchlib.RUNS
    d, gen = archive_of(N)
    files = warc_files(d)
    raw = uncompressed_bytes(files)
    compressed = sum(os.path.getsize(f) for f in files)
    cores = len(os.sched_getaffinity(0))
    benchlib.log("archive: %d records, %d WARC files, %.1f MB compressed, %.1f MB uncompressed, %d cores" %
                 (N, len(files), compressed / 1e6, raw / 1e6, cores))

    cmd = [benchlib.EMBARC, "--archive", d, "--json", "verify"]
    walls, rss, records, scans = [], [], None, []
    for _ in range(runs):
        r = benchlib.run_timed(cmd, capture=True)
        rep = json.loads(r.stdout.decode().strip().splitlines()[-1])
        records = rep["snapshots"]
        walls.append(r.wall)
        rss.append(r.maxrss_mib)
        scans.append(rep["seconds"]["warc"])
    one_core = []
    cmd1 = benchlib.pin_one_core(cmd)
    for _ in range(min(runs, 3)):
        one_core.append(benchlib.run_timed(cmd1, capture=True).wall)

    ref_hash = []
    zcat_cmd = "zcat %s | openssl dgst -sha256" % " ".join(shlex.quote(f) for f in files)
    for _ in range(runs):
        ref_hash.append(benchlib.run_timed(["sh", "-c", zcat_cmd]).wall)
    ed = [openssl_ed25519() for _ in range(runs)]
    sha_runs = min(runs, 3)  # 6 block sizes x 3 s each: ~18 s a run
    sha = [openssl_sha256() for _ in range(sha_runs)]

    benchlib.reset_group(GROUP)
    c = shlex.join(cmd)
    benchlib.record(GROUP, "verify.openssl_ed25519_verify", "openssl Ed25519 verifications per second (1 core)",
                    "verify/s", ed, "openssl speed -seconds 3 ed25519")
    benchlib.record(GROUP, "verify.records_per_s", "embarc verify: snapshot records per second (%d cores)" % cores,
                    "records/s", [records / w for w in walls], c, compare_to="verify.openssl_ed25519_verify",
                    goal_ratio=0.8 * cores,
                    goal_text="records/s >= 0.8 x openssl Ed25519 verify/s x %d cores used" % cores,
                    note="%d records (%d WARC records); verify uses one thread per CPU in its affinity mask (%d)" %
                    (records, gen.get("warc_records", 0), cores))
    benchlib.record(GROUP, "verify.records_per_s_1core", "embarc verify on one core (taskset -c 0)", "records/s",
                    [records / w for w in one_core], shlex.join(cmd1), compare_to="verify.openssl_ed25519_verify",
                    goal_ratio=0.8, goal_text="records/s on 1 core >= 0.8 x openssl Ed25519 verify/s",
                    note="%d runs" % len(one_core))
    benchlib.record(GROUP, "verify.zcat_openssl_sha256", "zcat | openssl dgst -sha256 over the same WARC files",
                    "MB/s", [raw / 1e6 / w for w in ref_hash], zcat_cmd,
                    note="MB = uncompressed WARC bytes (%d) / 1e6" % raw)
    benchlib.record(GROUP, "verify.warc_scan_mb_per_s", "embarc verify's WARC scan: uncompressed WARC MB per second",
                    "MB/s", [raw / 1e6 / w for w in scans], c, compare_to="verify.zcat_openssl_sha256", goal_ratio=0.7,
                    note="uncompressed bytes of every WARC file / the scan's own wall time (`--json` seconds.warc): "
                         "every record inflated, parsed, its block and payload digests checked, a fingerprint of each "
                         "response kept; files on %d threads (%d files)" % (cores, len(files)))
    benchlib.record(GROUP, "verify.warc_mb_per_s", "embarc verify: uncompressed WARC MB per second of the whole verify wall",
                    "MB/s", [raw / 1e6 / w for w in walls], c, compare_to="verify.zcat_openssl_sha256",
                    note="uncompressed bytes of every WARC file (%d; %d compressed) / wall of the whole verify run, "
                         "which also checks signatures, index rows and the log, and matches every capture row to the "
                         "response record the scan saw at its offset" % (raw, compressed))
    benchlib.record(GROUP, "verify.openssl_sha256_mb_per_s", "openssl SHA-256, 16 KiB blocks", "MB/s", sha,
                    "openssl speed -seconds 3 -evp sha256", note="%d runs (each ~18 s)" % sha_runs)
    benchlib.record(GROUP, "verify.peak_rss_mib", "embarc verify peak RSS", "MiB", rss, c, higher_is_better=False)
    benchlib.record(GROUP, "verify.wall_s", "embarc verify wall time", "s", walls, c, higher_is_better=False)


if __name__ == "__main__":
    main()
