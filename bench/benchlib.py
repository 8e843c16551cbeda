"""Shared helpers of the benchmark scripts in bench/ (Python 3 standard library only).

Every benchmark script records figures with record(); bench/report.py turns them into
bench/RESULTS.md. A figure is the list of values of its runs (at least RUNS of them), the
exact command, and optionally the figure it is compared with and the goal for that ratio.
"""

import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
CORPUS = os.path.join(SHARED, "corpus")
BUILD = os.environ.get("EMBARC_BENCH_BUILD", os.path.join(ROOT, "build-release"))
EMBARC = os.path.join(BUILD, "embarc")
OUT = os.environ.get("EMBARC_BENCH_OUT", os.path.join(ROOT, "bench", "out"))
WORK = os.environ.get("EMBARC_BENCH_WORK", os.path.join(tempfile.gettempdir(), "embarc-bench"))
RUNS = int(os.environ.get("EMBARC_BENCH_RUNS", "5"))
# Names the generated archives cached in WORK: an archive written by an older schema (v5 stored
# whole envelopes) would measure the old format. Change it with the schema or the generator.
ARCHIVE_TAG = "schema7"


def log(*args):
    print("bench:", *args, file=sys.stderr, flush=True)


class Run:
    """What one timed child process cost."""

    def __init__(self, wall, user, sys_, maxrss_kib, returncode, stdout):
        self.wall = wall
        self.user = user
        self.sys = sys_
        self.cpu = user + sys_
        self.maxrss_mib = maxrss_kib / 1024.0
        self.returncode = returncode
        self.stdout = stdout


def run_timed(cmd, cwd=None, env=None, stdin=None, capture=False, check=True):
    """Runs cmd (a list) and returns a Run: wall seconds, CPU seconds and peak RSS of the child
    (os.wait4 on that one process). stdout is kept when `capture`, else discarded."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=stdin, stdout=out if capture else subprocess.DEVNULL,
                             stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
        code = p.returncode
        out.seek(0)
        stdout = out.read() if capture else None
        if check and code != 0:
            err.seek(0)
            raise RuntimeError("command failed (%d): %s\n%s" % (code, shlex.join(cmd),
                                                                err.read().decode(errors="replace")[-2000:]))
    return Run(wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, code, stdout)


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            mem = "%.1f GiB" % (kib / 1048576.0)
    except (OSError, ValueError, IndexError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "kernel": platform.release(),
            "os": _os_name()}


def _os_name():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def generated_archive(name, records):
    """The archive of `records` synthetic snapshot records that embarc_bench_make_archive writes,
    cached as WORK/<name>-<ARCHIVE_TAG>-<records> (built when missing). Returns (dir, the
    generator's JSON summary plus "wall" and "command")."""
    d = os.path.join(WORK, "%s-%s-%d" % (name, ARCHIVE_TAG, records))
    done = d + ".json"
    if os.path.exists(done) and os.path.isdir(d):
        with open(done) as f:
            return d, json.load(f)
    subprocess.run(["rm", "-rf", d], check=True)
    os.makedirs(WORK, exist_ok=True)
    cmd = [os.path.join(BUILD, "bench", "embarc_bench_make_archive"), "--out", d, "--records", str(records)]
    log("building: " + shlex.join(cmd))
    r = run_timed(cmd, capture=True)
    summary = json.loads(r.stdout.decode())
    summary["wall"] = r.wall
    summary["command"] = shlex.join(cmd)
    with open(done, "w") as f:
        json.dump(summary, f)
    return d, summary


_COMMIT = []


def source_commit():
    """The commit the measured programs were built from: HEAD, marked when the sources differ from it."""
    if not _COMMIT:
        try:
            head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                  check=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "src",
                                    "include", "CMakeLists.txt", "bench/tools", "bench/micro"],
                                   capture_output=True, text=True, check=True).stdout.strip()
            _COMMIT.append(head + (" with uncommitted source changes" if dirty else ""))
        except (OSError, subprocess.CalledProcessError):
            _COMMIT.append("unknown")
    return _COMMIT[0]


def record(group, fid, title, unit, values, command, compare_to=None, goal_ratio=None, goal_text=None,
           higher_is_better=True, note=None, goal_max=None, goal_min=None):
    """Appends one figure to OUT/<group>.json.

    values: one number per run; command: the exact command (a string); compare_to: the id of the
    figure this one is divided by (median / median); goal_ratio: the least (or, when not
    higher_is_better, the most) that ratio may be; goal_text: a goal stated otherwise (e.g. an
    absolute bound) shown as written; goal_max / goal_min: absolute bounds on the median, checked."""
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, group + ".json")
    figures = []
    if os.path.exists(path):
        with open(path) as f:
            figures = json.load(f)
    figures = [x for x in figures if x["id"] != fid]
    figures.append({"id": fid, "title": title, "unit": unit, "values": list(values), "command": command,
                    "commit": source_commit(),
                    "compare_to": compare_to, "goal_ratio": goal_ratio, "goal_text": goal_text,
                    "higher_is_better": higher_is_better, "note": note, "goal_max": goal_max,
                    "goal_min": goal_min, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())})
    with open(path, "w") as f:
        json.dump(figures, f, indent=1)
    log("%s: %s %s (runs: %s)" % (fid, _median(values), unit, ", ".join("%.4g" % v for v in values)))


def reset_group(group):
    path = os.path.join(OUT, group + ".json")
    if os.path.exists(path):
        os.remove(path)


def _median(values):
    s = sorted(values)
    n = len(s)
    if n == 0:
        return float("nan")
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


median = _median


class FixtureServer:
    """tools/fixture_server.py over `root`, for the duration of a `with` block."""

    def __init__(self, root, latency_ms=0, http=False):
        self.root = root
        self.latency_ms = latency_ms
        self.http = http
        self.dir = tempfile.mkdtemp(prefix="embarc-bench-server-")
        self.proc = None
        self.port = None
        self.http_port = None

    def __enter__(self):
        ready = os.path.join(self.dir, "ready")
        cmd = [sys.executable, os.path.join(ROOT, "tools", "fixture_server.py"), "--root", self.root,
               "--cert-dir", os.path.join(self.dir, "certs"), "--port", "0", "--ready-file", ready,
               "--latency-ms", str(self.latency_ms)]
        if self.http:
            self.http_port = _free_port()
            cmd += ["--http-port", str(self.http_port)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "err"), "wb"))
        deadline = time.time() + 60
        while time.time() < deadline:
            if os.path.exists(ready) and open(ready).read().strip():
                self.port = int(open(ready).read().strip())
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("fixture server exited: " + open(os.path.join(self.dir, "err")).read())
            time.sleep(0.05)
        raise RuntimeError("fixture server did not start")

    @property
    def ca(self):
        return os.path.join(self.dir, "certs", "ca.pem")

    def embarc_args(self):
        return ["--connect-to", "::127.0.0.1:%d" % self.port, "--cacert", self.ca, "--allow-private-addresses"]

    def __exit__(self, *exc):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin_one_core(cmd):
    """cmd run on CPU 0 only (taskset), for figures stated per core."""
    return (["taskset", "-c", "0"] + cmd) if shutil.which("taskset") else cmd
