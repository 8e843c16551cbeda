#!/usr/bin/env python3
"""Fixture web server for embarc tests and demos (Python 3 standard library only).

Serves a directory tree ("world") over HTTPS on 127.0.0.1:

    root/<host>/<url-decoded path>      -> the response for https://<host>/<path>

with a test CA and one server certificate generated at start (openssl CLI) whose
subjectAltName lists every host directory under --root plus localhost/127.0.0.1.
Clients route any host to it with curl's --connect-to ::127.0.0.1:<port> and
trust it with --cacert <cert-dir>/ca.pem.

See tools/fixtures/README.md for the tree format, query matching and the knobs
(X-Fixture-Delay-Ms, X-Fixture-Action, X-Fixture-Chunked, X-Fixture-Fail-Times).

With --tsa-dir DIR it is also an RFC 3161 Time-Stamping Authority (openssl ts -reply):
POST https://tsa.example/tsr, an expired one at tsa-expired.example (run under faketime
in 2020) and a broken one at tsa-broken.example (500). See README.md "Time-stamping".

Usage:
    python3 tools/fixture_server.py --root DIR --cert-dir DIR [--port 0]
        [--http-port PORT] [--latency-ms N] [--ready-file FILE] [--log FILE]
        [--tsa-dir DIR] [--post-log FILE]

With --post-log FILE every POST is also recorded as one JSON line (method, url, status,
request headers, body in base64), e.g. for checking webhook deliveries and their signatures.
"""

import argparse
import base64
import json
import ipaddress
import os
import re
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

HANG_LIMIT_S = 120.0
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".tsr": "application/timestamp-reply",
}
HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")


# --------------------------------------------------------------------------- certificates

def _run(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("command failed: %s\n%s" % (" ".join(cmd), r.stderr.decode(errors="replace")))


def host_names(root):
    """Host directory names under root that can go into a certificate."""
    names = []
    for entry in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, entry)):
            continue
        names.append(entry.lower())
    return names


def generate_certificates(root, cert_dir, extra_hosts=()):
    """Makes ca.pem/ca-key.pem and server.pem/server-key.pem in cert_dir."""
    os.makedirs(cert_dir, exist_ok=True)
    sans = []
    for name in host_names(root) + list(extra_hosts) + ["localhost"]:
        try:
            ipaddress.ip_address(name)
            sans.append("IP:" + name)
            continue
        except ValueError:
            pass
        if HOST_RE.match(name):
            sans.append("DNS:" + name)
        else:
            print("fixture_server: skipping host directory %r (not a DNS name)" % name, file=sys.stderr)
    sans.append("IP:127.0.0.1")
    sans = list(dict.fromkeys(sans))

    ca_cnf = os.path.join(cert_dir, "ca.cnf")
    with open(ca_cnf, "w") as f:
        f.write("[req]\ndistinguished_name = dn\nprompt = no\nx509_extensions = v3_ca\n"
                "[dn]\nCN = embarc fixture test CA\nO = embarc tests\n"
                "[v3_ca]\nbasicConstraints = critical,CA:TRUE\n"
                "keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n")
    srv_cnf = os.path.join(cert_dir, "server.cnf")
    with open(srv_cnf, "w") as f:
        f.write("[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = embarc fixture server\n")
    ext = os.path.join(cert_dir, "server.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints = critical,CA:FALSE\n"
                "keyUsage = critical,digitalSignature\n"
                "extendedKeyUsage = serverAuth\n"
                "subjectKeyIdentifier = hash\n"
                "authorityKeyIdentifier = keyid\n"
                "subjectAltName = " + ",".join(sans) + "\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _run(["openssl", "req", "-x509", "-new"] + ec + ["-keyout", "ca-key.pem", "-out", "ca.pem",
                                                     "-days", "2", "-sha256", "-config", ca_cnf], cert_dir)
    _run(["openssl", "req", "-new"] + ec + ["-keyout", "server-key.pem", "-out", "server.csr",
                                            "-sha256", "-config", srv_cnf], cert_dir)
    _run(["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
          "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-days", "2", "-sha256",
          "-extfile", ext, "-out", "server.pem"], cert_dir)
    return os.path.join(cert_dir, "server.pem"), os.path.join(cert_dir, "server-key.pem")


# --------------------------------------------------------------------------- time-stamping

TSA_HOST = "tsa.example"
TSA_EXPIRED_HOST = "tsa-expired.example"
TSA_BROKEN_HOST = "tsa-broken.example"
TSA_HOSTS = (TSA_HOST, TSA_EXPIRED_HOST, TSA_BROKEN_HOST)
TSA_PATH = "/tsr"
TSA_POLICY = "1.2.3.4.1"  # a test policy OID, not a registered one
TSA_CA_DATES = ("20190101000000Z", "20390101000000Z")
TSA_EXPIRED_DATES = ("20200101000000Z", "20210101000000Z")
TSA_EXPIRED_NOW = "2020-06-15 12:00:00"  # faketime's clock for the expired TSA (UTC)
MAX_TSA_QUERY_BYTES = 64 * 1024


def generate_tsa(tsa_dir):
    """Makes the TSA CA, the two TSA signing certificates and tsa.cnf in tsa_dir.

    tsa-ca.pem: CA valid 2019-01-01..2039-01-01 (so it covers the expired TSA's genTime).
    tsa.pem: signing certificate, valid from now for 2 days.
    tsa-expired.pem: signing certificate valid only 2020-01-01..2021-01-01.
    Both have extendedKeyUsage critical timeStamping, as RFC 3161 §2.3 requires.
    """
    os.makedirs(tsa_dir, exist_ok=True)
    d = os.path.abspath(tsa_dir)
    os.makedirs(os.path.join(d, "newcerts"), exist_ok=True)
    for name in ("index.txt",):
        open(os.path.join(d, name), "w").close()
    for name in ("serial", "tsa-serial", "tsa-expired-serial"):
        with open(os.path.join(d, name), "w") as f:
            f.write("%016x\n" % int.from_bytes(os.urandom(8), "big"))
    cnf = os.path.join(d, "tsa.cnf")
    tsa_section = ("dir = {d}\nserial = {d}/{serial}\ncrypto_device = builtin\n"
                   "signer_cert = {d}/{cert}\ncerts = {d}/tsa-ca.pem\nsigner_key = {d}/{key}\n"
                   "signer_digest = sha256\ndefault_policy = {policy}\ndigests = sha256, sha384, sha512\n"
                   "accuracy = secs:1\nordering = yes\ntsa_name = yes\n"
                   "ess_cert_id_chain = no\ness_cert_id_alg = sha256\n")
    with open(cnf, "w") as f:
        f.write("[ca]\ndefault_ca = tsa_ca\n"
                "[tsa_ca]\ndatabase = {d}/index.txt\nnew_certs_dir = {d}/newcerts\nserial = {d}/serial\n"
                "default_md = sha256\npolicy = policy_any\nunique_subject = no\nemail_in_dn = no\n"
                "[policy_any]\ncommonName = supplied\norganizationName = optional\n"
                "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = placeholder\n"
                "[v3_tsa_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
                "subjectKeyIdentifier = hash\n"
                "[v3_tsa]\nbasicConstraints = critical,CA:FALSE\n"
                "keyUsage = critical,digitalSignature,nonRepudiation\n"
                "extendedKeyUsage = critical,timeStamping\nsubjectKeyIdentifier = hash\n"
                "authorityKeyIdentifier = keyid\n"
                "[tsa]\ndefault_tsa = tsa_config\n"
                "[tsa_config]\n".format(d=d))
        f.write(tsa_section.format(d=d, serial="tsa-serial", cert="tsa.pem", key="tsa-key.pem",
                                   policy=TSA_POLICY))
        f.write("[tsa_expired_config]\n")
        f.write(tsa_section.format(d=d, serial="tsa-expired-serial", cert="tsa-expired.pem",
                                   key="tsa-expired-key.pem", policy=TSA_POLICY))
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    ca = ["openssl", "ca", "-batch", "-notext", "-config", cnf]

    def req(key, csr, cn):
        _run(["openssl", "req", "-new"] + ec + ["-keyout", key, "-out", csr, "-config", cnf,
                                                "-subj", "/O=embarc tests/CN=" + cn], d)

    req("tsa-ca-key.pem", "tsa-ca.csr", "embarc fixture TSA CA")
    _run(ca + ["-selfsign", "-keyfile", "tsa-ca-key.pem", "-in", "tsa-ca.csr", "-extensions", "v3_tsa_ca",
               "-startdate", TSA_CA_DATES[0], "-enddate", TSA_CA_DATES[1], "-out", "tsa-ca.pem"], d)
    req("tsa-key.pem", "tsa.csr", "embarc fixture TSA")
    _run(ca + ["-cert", "tsa-ca.pem", "-keyfile", "tsa-ca-key.pem", "-in", "tsa.csr", "-extensions", "v3_tsa",
               "-days", "2", "-out", "tsa.pem"], d)
    req("tsa-expired-key.pem", "tsa-expired.csr", "embarc fixture TSA (expired)")
    _run(ca + ["-cert", "tsa-ca.pem", "-keyfile", "tsa-ca-key.pem", "-in", "tsa-expired.csr",
               "-extensions", "v3_tsa", "-startdate", TSA_EXPIRED_DATES[0], "-enddate", TSA_EXPIRED_DATES[1],
               "-out", "tsa-expired.pem"], d)
    return {"dir": d, "config": cnf, "lock": threading.Lock()}


def tsa_reply(tsa, host, query):
    """Returns a Response for one time-stamp query (DER bytes) sent to a TSA host."""
    if host == TSA_BROKEN_HOST:
        return Response(500, "Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")],
                        b"TSA unavailable\n")
    cmd = ["openssl", "ts", "-reply", "-config", tsa["config"]]
    env = dict(os.environ)
    if host == TSA_EXPIRED_HOST:
        faketime = shutil.which("faketime")
        if faketime is None:
            return Response(503, "Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")],
                            b"faketime is not installed (tools/setup)\n")
        env["TZ"] = "UTC"
        cmd = [faketime, TSA_EXPIRED_NOW] + cmd + ["-section", "tsa_expired_config"]
    fd, qpath = tempfile.mkstemp(prefix="query-", suffix=".tsq", dir=tsa["dir"])
    rpath = qpath[:-4] + ".tsr"
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(query)
        with tsa["lock"]:  # the serial file is read and rewritten by each reply
            r = subprocess.run(cmd + ["-queryfile", qpath, "-out", rpath], cwd=tsa["dir"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0 or not os.path.exists(rpath):
            return Response(400, "Bad Request", [("Content-Type", "text/plain; charset=utf-8")],
                            b"openssl ts -reply failed: " + r.stderr[-500:])
        with open(rpath, "rb") as f:
            body = f.read()
        return Response(200, "OK", [("Content-Type", "application/timestamp-reply")], body)
    finally:
        for p in (qpath, rpath):
            try:
                os.unlink(p)
            except OSError:
                pass


# --------------------------------------------------------------------------- responses

class Response:
    def __init__(self, status=200, reason="OK", headers=None, body=b""):
        self.status = status
        self.reason = reason
        self.headers = headers or []  # list of (name, value)
        self.body = body
        self.delay_ms = 0
        self.action = None  # None | "reset" | "hang"
        self.chunked = False
        self.fail_times = 0


def content_type_for(file_name, body):
    base = file_name.split("?", 1)[0]
    ext = os.path.splitext(base)[1].lower()
    if ext in CONTENT_TYPES:
        return CONTENT_TYPES[ext]
    head = body.lstrip()[:20]
    if head[:1] in (b"{", b"["):
        return "application/json; charset=utf-8"
    if head.lower().startswith((b"<!doctype html", b"<html")):
        return "text/html; charset=utf-8"
    return "application/octet-stream"


def parse_file(path):
    with open(path, "rb") as f:
        data = f.read()
    if not (data.startswith(b"HTTP/1.1 ") or data.startswith(b"HTTP/1.0 ")):
        return Response(200, "OK", [("Content-Type", content_type_for(os.path.basename(path), data))], data)
    # Raw recorded response: head ends at the first empty line (CRLF or LF).
    candidates = [(i, n) for i, n in ((data.find(b"\r\n\r\n"), 4), (data.find(b"\n\n"), 2)) if i >= 0]
    if candidates:
        end, sep = min(candidates)
        head, body = data[:end], data[end + sep:]
    else:
        head, body = data, b""
    lines = head.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    reason = parts[2].strip() if len(parts) > 2 else ""
    r = Response(status, reason, [], body)
    for line in lines[1:]:
        if not line.strip() or ":" not in line:
            continue
        name, value = line.split(":", 1)
        name, value = name.strip(), value.strip()
        low = name.lower()
        if low == "x-fixture-delay-ms":
            r.delay_ms = int(value)
        elif low == "x-fixture-action":
            r.action = value.lower()
        elif low == "x-fixture-chunked":
            r.chunked = value.lower() not in ("0", "", "false", "no")
        elif low == "x-fixture-fail-times":
            r.fail_times = int(value)
        elif low in ("content-length", "transfer-encoding"):
            continue
        else:
            r.headers.append((name, value))
    return r


# Listings of directories, kept while the directory's mtime stays the same: a world may hold
# 10,000 query files in one directory, and listing and parsing them on every request is slow.
# Adding, removing or renaming an entry changes the directory's mtime, so tests that add or
# delete fixture files see the change at once. A listing is only kept when the directory was
# last changed well before it was read (DIR_CACHE_SETTLE_NS): timestamps come from a coarse
# clock, so a change in the same tick as the listing could otherwise leave the mtime unchanged.
DIR_CACHE_SETTLE_NS = 200_000_000
_dir_cache = {}  # directory -> (st_mtime_ns, st_ino, DirListing)
_dir_cache_lock = threading.Lock()
_dir_list_lock = threading.Lock()


class DirListing:
    """The entries of one directory, with the query-file candidates of each base name parsed once."""

    def __init__(self, names):
        self.names = sorted(names)
        self._by_base = {}  # base -> (by first parameter: {param: [(name, n_params, params)]})
        self._lock = threading.Lock()

    def candidates_all(self):
        """Parses the query files of every base name now (before the listing is shared)."""
        for name in self.names:
            if "?" in name:
                self.candidates(name.split("?", 1)[0])

    def candidates(self, base):
        with self._lock:
            index = self._by_base.get(base)
            if index is None:
                index = {}
                prefix = base + "?"
                for name in self.names:
                    if not name.startswith(prefix):
                        continue
                    params = parse_qsl(name[len(prefix):], keep_blank_values=True)
                    if params:  # a file that names no parameter never matches
                        index.setdefault(params[0], []).append((name, params))
                self._by_base[base] = index
            return index


def list_directory(directory):
    """The DirListing of directory (cached by mtime), or None when it cannot be listed."""
    try:
        st = os.stat(directory)
    except OSError:
        return None
    with _dir_cache_lock:
        hit = _dir_cache.get(directory)
    if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_ino:
        return hit[2]
    # One thread lists (and the others wait for its listing): 64 requests arriving together
    # would otherwise each list and parse the same 10,000 names.
    with _dir_list_lock:
        with _dir_cache_lock:
            hit = _dir_cache.get(directory)
        if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_ino:
            return hit[2]
        try:
            listing = DirListing(os.listdir(directory))
        except OSError:
            return None
        if time.time_ns() - st.st_mtime_ns > DIR_CACHE_SETTLE_NS:
            listing.candidates_all()
            with _dir_cache_lock:
                _dir_cache[directory] = (st.st_mtime_ns, st.st_ino, listing)
    return listing


def resolve(root, host, raw_path, query):
    """Returns (status, file path or None). status is 200 when a file was found."""
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return 400, None
    if "\x00" in path or "\x00" in host or not host or host.startswith(".") or "/" in host or host == "..":
        return 400, None
    parts = path.split("/")
    if any(p == ".." for p in parts):
        return 400, None
    comps = [p for p in parts if p not in ("", ".")]
    target = os.path.join(root, host, *comps)
    if path == "" or path.endswith("/") or os.path.isdir(target):
        directory, base = target, "index.html"
    else:
        directory, base = os.path.dirname(target), os.path.basename(target)
    if not os.path.isdir(directory):
        return 404, None
    # Query matching: "<base>?<query>" files whose parameters all appear in the request. A file
    # matches only if its first parameter is among the request's, so only those are looked at.
    request_params = set(parse_qsl(query, keep_blank_values=True)) if query else set()
    listing = list_directory(directory)
    if listing is None:
        return 404, None
    index = listing.candidates(base)
    best, best_n = None, -1
    matches = []
    for p in request_params:
        for name, params in index.get(p, ()):
            if all(q in request_params for q in params):
                matches.append((name, len(params)))
    for name, n in sorted(matches):  # most parameters wins; ties: first by name
        if n > best_n and os.path.isfile(os.path.join(directory, name)):
            best, best_n = name, n
    if best is not None:
        return 200, os.path.join(directory, best)
    plain = os.path.join(directory, base)
    if os.path.isfile(plain):
        return 200, plain
    return 404, None


# --------------------------------------------------------------------------- server

class State:
    def __init__(self, root, latency_ms, log_path):
        self.root = root
        self.latency_ms = latency_ms
        self.log_path = log_path
        self.lock = threading.Lock()
        self.tsa = None  # set by main() with --tsa-dir: see generate_tsa()
        self.fail_counts = {}
        self.stopping = threading.Event()
        self.post_log_path = None  # set by main() with --post-log

    def log_post(self, record):
        if not self.post_log_path:
            return
        with self.lock:
            with open(self.post_log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, sort_keys=True) + "\n")
                f.flush()

    def log(self, line):
        if not self.log_path:
            return
        with self.lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()

    def should_fail(self, path, fail_times):
        """Counts requests per file (path + identity of its current content)."""
        try:
            st = os.stat(path)
            key = (path, st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            key = (path,)
        with self.lock:
            n = self.fail_counts.get(key, 0)
            self.fail_counts[key] = n + 1
        return n < fail_times


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "embarc-fixture/1.0"
    sys_version = ""
    timeout = 150  # idle keep-alive connections

    def log_message(self, format, *args):  # noqa: A002 - silence default stderr logging
        pass

    @property
    def state(self):
        return self.server.state

    def do_GET(self):
        self.serve(send_body=True)

    def do_HEAD(self):
        self.serve(send_body=False)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = b""
        if length:
            body = self.rfile.read(length)
        # --post-log: written when the answer's status is known (send, reset or hang).
        self.pending_post = {"method": "POST", "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body_base64": base64.b64encode(body).decode("ascii")}
        self.serve(send_body=True, post=True, body=body)

    def finish_post(self, url, status):
        record = getattr(self, "pending_post", None)
        if record is None:
            return
        self.pending_post = None
        record["url"] = url
        record["status"] = status
        self.state.log_post(record)

    def serve(self, send_body, post=False, body=b""):
        raw = self.path
        scheme = "https" if self.server.tls else "http"
        m = re.match(r"^https?://([^/?#]*)(.*)$", raw)
        host_header = self.headers.get("Host", "")
        if m:
            host_header, raw = m.group(1), m.group(2) or "/"
        raw = raw.split("#", 1)[0]
        raw_path, _, query = raw.partition("?")
        host = host_header.strip().lower()
        if host.startswith("["):
            host = host[1:host.find("]")] if "]" in host else host
        else:
            host = host.rsplit(":", 1)[0] if ":" in host else host
        host = host.rstrip(".")
        url = "%s://%s%s%s" % (scheme, host, raw_path, ("?" + query) if query else "")

        if self.state.latency_ms:
            time.sleep(self.state.latency_ms / 1000.0)

        if self.state.tsa is not None and host in TSA_HOSTS:
            self.serve_tsa(host, raw_path, post, body, send_body, url)
            return

        status, path = resolve(self.state.root, host, raw_path, query)
        if status != 200:
            if post:
                status = 405
            reason = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}[status]
            self.simple(status, reason, send_body, url)
            return
        try:
            r = parse_file(path)
        except (OSError, ValueError, IndexError) as e:
            if isinstance(e, FileNotFoundError):  # deleted between resolve and read
                self.simple(404, "Not Found", send_body, url)
            else:
                self.simple(500, "Internal Server Error", send_body, url, "bad fixture file: %s\n" % e)
            return

        if r.delay_ms:
            self.sleep(r.delay_ms / 1000.0)
        if r.action == "reset":
            self.state.log("%s %s reset" % (self.command, url))
            self.finish_post(url, "reset")
            self.reset()
            return
        if r.action == "hang":
            self.state.log("%s %s hang" % (self.command, url))
            self.finish_post(url, "hang")
            self.hang()
            return
        if r.fail_times and self.state.should_fail(path, r.fail_times):
            self.simple(503, "Service Unavailable", send_body, url, "Service Unavailable\n",
                        extra=[("Retry-After", "1")])
            return
        self.send(r, send_body, url)

    def serve_tsa(self, host, raw_path, post, body, send_body, url):
        if host != TSA_BROKEN_HOST and raw_path != TSA_PATH:
            self.simple(404, "Not Found", send_body, url)
            return
        if not post:
            self.simple(405, "Method Not Allowed", send_body, url, extra=[("Allow", "POST")])
            return
        content_type = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if host != TSA_BROKEN_HOST and content_type != "application/timestamp-query":
            self.simple(415, "Unsupported Media Type", send_body, url)
            return
        if len(body) > MAX_TSA_QUERY_BYTES:
            self.simple(413, "Payload Too Large", send_body, url)
            return
        self.send(tsa_reply(self.state.tsa, host, body), send_body, url)

    # -- helpers

    def sleep(self, seconds):
        self.state.stopping.wait(seconds)

    def simple(self, status, reason, send_body, url, text=None, extra=()):
        r = Response(status, reason, [("Content-Type", "text/plain; charset=utf-8")] + list(extra),
                     (text if text is not None else reason + "\n").encode())
        self.send(r, send_body, url)

    def send(self, r, send_body, url):
        self.state.log("%s %s %d" % (self.command, url, r.status))
        self.finish_post(url, r.status)
        names = {n.lower() for n, _ in r.headers}
        out = ["HTTP/1.1 %d %s" % (r.status, r.reason)]
        if "date" not in names:
            out.append("Date: " + self.date_time_string())
        if "server" not in names:
            out.append("Server: " + self.server_version)
        for n, v in r.headers:
            if n.lower() == "connection" and v.lower() == "close":
                self.close_connection = True
            out.append("%s: %s" % (n, v))
        no_body = r.status in (204, 304) or 100 <= r.status < 200
        if r.chunked and not no_body:
            out.append("Transfer-Encoding: chunked")
        elif not no_body:
            out.append("Content-Length: %d" % len(r.body))
        head = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1", errors="replace")
        if not send_body or no_body:
            self.wfile.write(head)
            return
        if not r.chunked:
            self.wfile.write(head + r.body)
            return
        self.wfile.write(head)
        body = r.body
        n = max(1, (len(body) + 2) // 3)
        for i in range(0, len(body), n):
            chunk = body[i:i + n]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            time.sleep(0.01)
        self.wfile.write(b"0\r\n\r\n")

    def reset(self):
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.server.close_hard(self.connection)

    def hang(self):
        self.close_connection = True
        sock = self.connection
        deadline = time.monotonic() + HANG_LIMIT_S
        while time.monotonic() < deadline and not self.state.stopping.is_set():
            try:
                readable, _, _ = select.select([sock], [], [], 0.2)
                if readable or (isinstance(sock, ssl.SSLSocket) and sock.pending()):
                    data = sock.recv(4096)
                    if not data:
                        break
            except ssl.SSLWantReadError:
                continue
            except (OSError, ValueError):
                break


class FixtureHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state, context=None):
        self.state = state
        self.context = context
        self.tls = context is not None
        super().__init__(address, Handler)

    def close_hard(self, sock):
        """Closes without TLS close_notify; with SO_LINGER 0 set this sends RST."""
        try:
            # Close the descriptor now (makefile() references would defer close()), and
            # without SSL_shutdown, so no TLS alert is sent.
            os.close(sock.detach())
        except OSError:
            pass

    def finish_request(self, request, client_address):
        sock = request
        try:
            if self.context is not None:
                sock.settimeout(30)
                sock = self.context.wrap_socket(request, server_side=True)
                sock.settimeout(None)
            self.RequestHandlerClass(sock, client_address, self)
        except (ssl.SSLError, ConnectionError, socket.timeout, OSError):
            pass  # client went away or failed the handshake (e.g. did not trust the CA)
        finally:
            if sock is not request:
                try:
                    sock.close()
                except OSError:
                    pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help="world directory: <host>/<path>")
    ap.add_argument("--cert-dir", required=True, help="where ca.pem, ca-key.pem, server.pem are written")
    ap.add_argument("--port", type=int, default=0, help="HTTPS port on 127.0.0.1 (0 = free port)")
    ap.add_argument("--http-port", type=int, default=None, help="also serve plain HTTP on this port")
    ap.add_argument("--latency-ms", type=int, default=0, help="delay added to every response")
    ap.add_argument("--ready-file", help="the HTTPS port is written here once listening")
    ap.add_argument("--log", help="one line per request is appended here")
    ap.add_argument("--tsa-dir", help="serve RFC 3161 time-stamping; TSA CA, keys and config go here")
    ap.add_argument("--post-log", help="one JSON line per POST (url, status, headers, base64 body) is appended here")
    args = ap.parse_args()

    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        print("fixture_server: --root %s is not a directory" % root, file=sys.stderr)
        return 2
    tsa = generate_tsa(args.tsa_dir) if args.tsa_dir else None
    cert, key = generate_certificates(root, os.path.abspath(args.cert_dir), TSA_HOSTS if tsa else ())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])

    log_path = os.path.abspath(args.log) if args.log else None
    if log_path:
        open(log_path, "a").close()
    state = State(root, args.latency_ms, log_path)
    state.tsa = tsa
    if args.post_log:
        state.post_log_path = os.path.abspath(args.post_log)
        open(state.post_log_path, "a").close()
    servers = [FixtureHTTPServer(("127.0.0.1", args.port), state, ctx)]
    if args.http_port is not None:
        servers.append(FixtureHTTPServer(("127.0.0.1", args.http_port), state, None))
    port = servers[0].server_address[1]

    def stop(signum, frame):
        state.stopping.set()
        for s in servers:
            threading.Thread(target=s.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
               for s in servers]
    for t in threads:
        t.start()
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.ready_file)
    print("fixture_server: https://127.0.0.1:%d/%s root %s" % (
        port, (" http://127.0.0.1:%d/" % servers[1].server_address[1]) if len(servers) > 1 else "", root),
        file=sys.stderr, flush=True)
    while not state.stopping.is_set():
        state.stopping.wait(0.5)
    for t in threads:
        t.join(timeout=2)
    for s in servers:
        s.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
