#!/usr/bin/env python3
"""Loopback HTTP fixture server for the harvester tests (suite 'harvest').

Started by the tests themselves: it binds 127.0.0.1 on an ephemeral port,
prints one line, ``listening on http://127.0.0.1:PORT/``, and serves until
SIGTERM (or, with --watch-stdin, until its standard input closes, so a test
that dies does not leave it behind).  Python standard library only.

Routes are a table (ROUTES below): a path pattern and a handler each.  Add a
route by adding a function and a line.  What is there:

  /files/PATH              a file under --root, with ETag and Last-Modified;
                           If-None-Match / If-Modified-Since answered 304;
                           content type by extension
  /robots.txt              chosen with /_control (default: 404)
  /robots-moved.txt        the text set with /_control (robots=redirect)
  /p/ANYTHING              a small text page naming its path
  /status/CODE[/KEY]       status CODE; ?times=K: only the first K requests
                           per (CODE, KEY), then 200; ?retry_after=N sends
                           Retry-After N (&retry_after_date=1: as HTTP-date)
  /status/500-then-ok/KEY  500 once per KEY, then 200
  /status/503-always       503, always
  /redirect/loop           302 to itself
  /redirect/n/N            N hops of 302, then 200
  /redirect/to?url=U       302 to U
  /big?bytes=N             N bytes (&chunked=1: without Content-Length)
  /gzip-bomb?bytes=N       N zero bytes, gzip-compressed on the fly
                           (Content-Encoding: gzip)
  /stall?after=N           N bytes of a longer body, then silence
  /slow?bytes_per_s=N      a body trickled at N bytes/s (&bytes=M total)
  /etag/NAME               fixed ETag "NAME" and Last-Modified; 304 on match
  /echo-headers            the request headers as a JSON object
  /oai/NAME?QUERY          an OAI-PMH repository replayed from files:
                           --root/oai/NAME/mapping.txt holds pairs of lines
                           (a query, then a file name), as pyoai's test
                           fixtures do; the request's query, sorted by key
                           and URL-encoded, picks the file (a value `*` in
                           mapping.txt matches any value); ETag and 304 as
                           for /files/; no match: 404
  /ckan/NAME/api/3/action/package_search
                           a CKAN portal: pages made from the package
                           list --root/ckan/NAME/packages.json (read anew
                           when it changed), sorted by metadata_modified,
                           honouring rows, start, q (a substring of title,
                           name, notes or tags) and an fq of the form
                           metadata_modified:[X TO *]; page-START.json in
                           that folder, when present, is served verbatim
                           instead; control.json there may cap rows
                           ("max_rows") and break pages from
                           "mode_from_start" on ("mode": success-false,
                           malformed, truncated, deep, count-drift,
                           short: a count 3 higher than the packages)
  /_log                    JSON list of {method, path, headers, time} of
                           every request so far (not /_log or /_control)
  /_control?...            test control: robots=none|text|404|500|503|
                           redirect (with text=...: the robots.txt body);
                           reset=1 clears the log, counters and robots
"""

import argparse
import email.utils
import hashlib
import json
import mimetypes
import os
import re
import signal
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv",
    ".gz": "application/gzip",
}

FIXED_LAST_MODIFIED = "Wed, 01 Jan 2025 00:00:00 GMT"


class State:
    """What the tests control and what they read back; one lock for all."""

    def __init__(self, robots_mode, robots_text):
        self.lock = threading.Lock()
        self.log = []
        self.counters = {}
        self.robots_mode = robots_mode
        self.robots_text = robots_text
        self.stop = threading.Event()

    def reset(self):
        with self.lock:
            self.log = []
            self.counters = {}
            self.robots_mode = "none"
            self.robots_text = ""

    def count(self, key):
        """How many times `key` was asked for before, counting this one."""
        with self.lock:
            n = self.counters.get(key, 0) + 1
            self.counters[key] = n
            return n


STATE = None
ROOT = None


# ------------------------------------------------------------------------
# Handlers: each takes (handler, match, query) and answers.
# ------------------------------------------------------------------------

def q_int(query, name, default):
    try:
        return int(query.get(name, [str(default)])[0])
    except ValueError:
        return default


def route_robots(h, m, q):
    with STATE.lock:
        mode, text = STATE.robots_mode, STATE.robots_text
    if mode in ("none", "404"):
        h.send_simple(404, b"no robots.txt\n")
    elif mode in ("500", "503"):
        h.send_simple(int(mode), b"robots.txt is broken\n")
    elif mode == "redirect":
        h.send_redirect("/robots-moved.txt")
    else:
        h.send_simple(200, text.encode("utf-8"), "text/plain; charset=utf-8")


def route_robots_moved(h, m, q):
    with STATE.lock:
        text = STATE.robots_text
    h.send_simple(200, text.encode("utf-8"), "text/plain; charset=utf-8")


def route_page(h, m, q):
    h.send_simple(200, ("page " + h.path + "\n").encode("utf-8"),
                  "text/plain; charset=utf-8")


def route_status(h, m, q):
    code = int(m.group(1))
    key = m.group(2) or ""
    headers = {}
    if "retry_after" in q:
        ra = q_int(q, "retry_after", 1)
        if q_int(q, "retry_after_date", 0):
            headers["Retry-After"] = email.utils.formatdate(
                time.time() + ra, usegmt=True)
        else:
            headers["Retry-After"] = str(ra)
    if "times" in q:
        n = STATE.count(("status", code, key))
        if n > q_int(q, "times", 1):
            h.send_simple(200, b"ok after %d\n" % (n - 1), "text/plain")
            return
    h.send_simple(code, b"status %d\n" % code, "text/plain", headers)


def route_500_then_ok(h, m, q):
    n = STATE.count(("500-then-ok", m.group(1)))
    if n == 1:
        h.send_simple(500, b"first time: 500\n", "text/plain")
    else:
        h.send_simple(200, b"ok\n", "text/plain")


def route_503_always(h, m, q):
    h.send_simple(503, b"always 503\n", "text/plain")


def route_redirect_loop(h, m, q):
    h.send_redirect("/redirect/loop")


def route_redirect_n(h, m, q):
    n = int(m.group(1))
    if n <= 0:
        h.send_simple(200, b"redirected\n", "text/plain")
    else:
        h.send_redirect("/redirect/n/%d" % (n - 1))


def route_redirect_to(h, m, q):
    h.send_redirect(q.get("url", ["/"])[0])


def route_big(h, m, q):
    n = q_int(q, "bytes", 1024)
    chunked = q_int(q, "chunked", 0)
    h.send_response(200)
    h.send_header("Content-Type", "application/octet-stream")
    if chunked:
        h.send_header("Connection", "close")
        h.close_connection = True
    else:
        h.send_header("Content-Length", str(n))
    h.end_headers()
    block = b"x" * 65536
    try:
        while n > 0:
            k = min(n, len(block))
            h.wfile.write(block[:k])
            n -= k
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True


def route_gzip_bomb(h, m, q):
    n = q_int(q, "bytes", 1 << 30)
    h.send_response(200)
    h.send_header("Content-Type", "application/octet-stream")
    h.send_header("Content-Encoding", "gzip")
    h.send_header("Connection", "close")
    h.close_connection = True
    h.end_headers()
    # Compressed as it is sent: the client's refusal stops the work too.
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    try:
        while n > 0:
            k = min(n, len(block))
            out = comp.compress(block[:k])
            if out:
                h.wfile.write(out)
            n -= k
        h.wfile.write(comp.flush())
    except (BrokenPipeError, ConnectionResetError):
        pass


def route_stall(h, m, q):
    n = q_int(q, "after", 100)
    h.send_response(200)
    h.send_header("Content-Type", "application/octet-stream")
    h.send_header("Content-Length", str(n + 100000))
    h.send_header("Connection", "close")
    h.close_connection = True
    h.end_headers()
    try:
        h.wfile.write(b"s" * n)
        h.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        return
    STATE.stop.wait(q_int(q, "hold_s", 120))


def route_slow(h, m, q):
    rate = max(1, q_int(q, "bytes_per_s", 10))
    n = q_int(q, "bytes", rate * 60)
    h.send_response(200)
    h.send_header("Content-Type", "application/octet-stream")
    h.send_header("Content-Length", str(n))
    h.send_header("Connection", "close")
    h.close_connection = True
    h.end_headers()
    step = max(1, rate // 10)
    try:
        while n > 0 and not STATE.stop.is_set():
            k = min(step, n)
            h.wfile.write(b"w" * k)
            h.wfile.flush()
            n -= k
            time.sleep(k / rate)
    except (BrokenPipeError, ConnectionResetError):
        pass


def route_etag(h, m, q):
    name = m.group(1)
    etag = '"%s"' % name
    headers = {"ETag": etag, "Last-Modified": FIXED_LAST_MODIFIED}
    if h.not_modified(etag, email.utils.parsedate_to_datetime(
            FIXED_LAST_MODIFIED).timestamp()):
        h.send_simple(304, b"", None, headers)
    else:
        h.send_simple(200, ("etag %s\n" % name).encode("utf-8"),
                      "text/plain; charset=utf-8", headers)


def route_echo_headers(h, m, q):
    body = json.dumps({k: v for k, v in h.headers.items()}, indent=1)
    h.send_simple(200, body.encode("utf-8"), "application/json")


def route_files(h, m, q):
    if ROOT is None:
        h.send_simple(404, b"no --root\n")
        return
    rel = m.group(1)
    path = os.path.realpath(os.path.join(ROOT, rel))
    if not (path == ROOT or path.startswith(ROOT + os.sep)) \
            or not os.path.isfile(path):
        h.send_simple(404, b"not found\n")
        return
    with open(path, "rb") as fh:
        data = fh.read()
    st = os.stat(path)
    etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
    headers = {"ETag": etag,
               "Last-Modified": email.utils.formatdate(st.st_mtime,
                                                       usegmt=True)}
    if h.not_modified(etag, int(st.st_mtime)):
        h.send_simple(304, b"", None, headers)
        return
    ext = os.path.splitext(path)[1].lower()
    ctype = MEDIA_TYPES.get(ext) or mimetypes.guess_type(path)[0] \
        or "application/octet-stream"
    h.send_simple(200, data, ctype, headers)


def oai_canonical(pairs):
    """A query as mapping.txt writes it: sorted by key, URL-encoded."""
    return urlencode(sorted(pairs))


def oai_matches(pattern, query):
    """Whether mapping.txt's `pattern` matches the canonical `query`."""
    if pattern == query:
        return True
    want = parse_qsl(pattern, keep_blank_values=True)
    got = parse_qsl(query, keep_blank_values=True)
    return len(want) == len(got) and all(
        wk == gk and (wv == "*" or wv == gv)
        for (wk, wv), (gk, gv) in zip(want, got))


# Files parsed once, by (path, parser), kept while their size and
# modification time stay the same: a test that rewrites a file is seen at
# once, and a big generated source (tests/bench/harvest.sh) is not parsed
# again per request.  Shared between requests: callers read the values,
# never change them.
_parsed_cache = {}
_parsed_cache_lock = threading.Lock()


def parsed_file(path, parse):
    """parse(f) of the file at `path` opened as UTF-8 text, from the cache
    when the file is unchanged; None when it cannot be read or parsed."""
    try:
        st = os.stat(path)
        stamp = (st.st_size, st.st_mtime_ns)
        with _parsed_cache_lock:
            hit = _parsed_cache.get((path, parse))
        if hit and hit[0] == stamp:
            return hit[1]
        with open(path, encoding="utf-8") as f:
            value = parse(f)
    except (OSError, ValueError):
        return None
    with _parsed_cache_lock:
        _parsed_cache[(path, parse)] = (stamp, value)
    return value


def oai_mapping_parse(f):
    """(exact, wild) of a mapping.txt: exact maps a query to (line pair
    index, file name), wild lists (index, pattern, file name) of the
    patterns holding a `*`.  Each request then finds its file by one
    dictionary look-up and a scan of the few wild patterns, where matching
    every pattern per request made a replay of P pages cost P * P query
    parses (a second at 300 pages, in tests/bench/harvest.sh)."""
    lines = [line.strip() for line in f if line.strip()]
    exact, wild = {}, []
    for i, (pattern, file_name) in enumerate(zip(lines[0::2], lines[1::2])):
        if "*" in pattern:
            wild.append((i, pattern, file_name))
        elif pattern not in exact:
            exact[pattern] = (i, file_name)
    return exact, wild


def route_oai(h, m, q):
    if ROOT is None:
        h.send_simple(404, b"no --root\n")
        return
    folder = os.path.realpath(os.path.join(ROOT, "oai", m.group(1)))
    if not folder.startswith(ROOT + os.sep):
        h.send_simple(404, b"not found\n")
        return
    query = oai_canonical(parse_qsl(urlsplit(h.path).query,
                                    keep_blank_values=True))
    mapping = parsed_file(os.path.join(folder, "mapping.txt"),
                          oai_mapping_parse)
    if mapping is None:
        h.send_simple(404, b"no mapping.txt\n")
        return
    exact, wild = mapping
    # The first pair that matches, as the file lists them.
    index, name = exact.get(query, (len(exact) + len(wild), None))
    for i, pattern, file_name in wild:
        if i > index:
            break
        if oai_matches(pattern, query):
            name = file_name
            break
    path = os.path.realpath(os.path.join(folder, name or ""))
    if name is None or not path.startswith(folder + os.sep) \
            or not os.path.isfile(path):
        h.send_simple(404, ("no mapping for %s\n" % query).encode("utf-8"))
        return
    with open(path, "rb") as fh:
        data = fh.read()
    st = os.stat(path)
    etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
    headers = {"ETag": etag,
               "Last-Modified": email.utils.formatdate(st.st_mtime,
                                                       usegmt=True)}
    if h.not_modified(etag, int(st.st_mtime)):
        h.send_simple(304, b"", None, headers)
        return
    h.send_simple(200, data, "text/xml; charset=utf-8", headers)


def ckan_load(folder, name):
    return parsed_file(os.path.join(folder, name), json.load)


def ckan_since(fq):
    """The lower bound of `metadata_modified:[X TO *]` in fq, or None."""
    m = re.search(r"metadata_modified:\[(\S+) TO \*\]", fq or "")
    return m.group(1).rstrip("Z")[:19] if m else None


def route_ckan(h, m, q):
    if ROOT is None:
        h.send_simple(404, b"no --root\n")
        return
    folder = os.path.realpath(os.path.join(ROOT, "ckan", m.group(1)))
    if not folder.startswith(ROOT + os.sep) or not os.path.isdir(folder):
        h.send_simple(404, b"not found\n")
        return
    control = ckan_load(folder, "control.json") or {}
    start = q_int(q, "start", 0)
    canned = os.path.join(folder, "page-%d.json" % start)
    if os.path.isfile(canned):
        with open(canned, "rb") as fh:
            h.send_simple(200, fh.read(), "application/json")
        return
    packages = ckan_load(folder, "packages.json") or []
    text = (q.get("q", [""])[0] or "").lower()
    if text and text != "*:*":
        packages = [p for p in packages if text in json.dumps(
            [p.get("title"), p.get("name"), p.get("notes"),
             [t.get("name") for t in p.get("tags") or []
              if isinstance(t, dict)]],
            ensure_ascii=False).lower()]
    since = ckan_since(q.get("fq", [""])[0])
    if since:
        packages = [p for p in packages
                    if str(p.get("metadata_modified") or "")[:19] >= since]
    packages = sorted(packages,
                      key=lambda p: (str(p.get("metadata_modified") or ""),
                                     str(p.get("id"))))
    rows = min(q_int(q, "rows", 10), control.get("max_rows", 1000))
    mode = control.get("mode", "ok")
    active = start >= control.get("mode_from_start", 0)
    count = len(packages)
    if mode == "count-drift" and active:
        count += STATE.count(("ckan-drift", m.group(1)))
    elif mode == "short":
        count += 3  # more than it will ever list
    doc = {"help": "http://%s/api/3/action/help_show?name=package_search"
                   % h.headers.get("Host", "localhost"),
           "success": True,
           "result": {"count": count, "sort": q.get("sort", [""])[0],
                      "facets": {}, "search_facets": {},
                      "results": packages[start:start + rows]}}
    if mode == "success-false" and active:
        doc = {"help": doc["help"], "success": False,
               "error": {"__type": "Search Query Error",
                         "message": "Search Query is invalid"}}
    elif mode == "deep" and active:
        doc["result"]["results"][:0] = [{"id": "deep", "x": json.loads(
            "[" * 100 + "]" * 100)}]
    body = json.dumps(doc).encode("utf-8")
    if mode == "malformed" and active:
        body = body.replace(b'"success": true', b'"success": true,,', 1)
    elif mode == "truncated" and active:
        body = body[:len(body) // 2]
    h.send_simple(200, body, "application/json; charset=utf-8")


def route_log(h, m, q):
    with STATE.lock:
        body = json.dumps(STATE.log)
    h.send_simple(200, body.encode("utf-8"), "application/json")


def route_control(h, m, q):
    if q_int(q, "reset", 0):
        STATE.reset()
    with STATE.lock:
        if "robots" in q:
            mode = q["robots"][0]
            presets = {"allow-all": "User-agent: *\nDisallow:\n",
                       "disallow-all": "User-agent: *\nDisallow: /\n"}
            if mode in presets:
                STATE.robots_text = presets[mode]
                mode = "text"
            STATE.robots_mode = mode
        if "text" in q:
            STATE.robots_text = q["text"][0]
    h.send_simple(200, b"ok\n", "text/plain")


# Path pattern (matched against the whole path, without the query) and
# handler, first match wins.
ROUTES = [
    (r"/robots\.txt", route_robots),
    (r"/robots-moved\.txt", route_robots_moved),
    (r"/files/(.+)", route_files),
    (r"/p/.*", route_page),
    (r"/status/500-then-ok/([^/]+)", route_500_then_ok),
    (r"/status/503-always", route_503_always),
    (r"/status/(\d{3})(?:/([^/]+))?", route_status),
    (r"/redirect/loop", route_redirect_loop),
    (r"/redirect/n/(\d+)", route_redirect_n),
    (r"/redirect/to", route_redirect_to),
    (r"/big", route_big),
    (r"/gzip-bomb", route_gzip_bomb),
    (r"/stall", route_stall),
    (r"/slow", route_slow),
    (r"/etag/([^/]+)", route_etag),
    (r"/echo-headers", route_echo_headers),
    (r"/oai/([A-Za-z0-9._-]+)", route_oai),
    (r"/ckan/([A-Za-z0-9._-]+)/api/3/action/package_search", route_ckan),
    (r"/_log", route_log),
    (r"/_control", route_control),
]
ROUTES = [(re.compile(p + r"\Z"), f) for p, f in ROUTES]

# Not logged: the tests' own look at the server.
UNLOGGED = ("/_log", "/_control")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fairdex-fixture/1"
    # Headers and body go out in two writes; with Nagle's algorithm the
    # body waits for the client's delayed ACK (about 40 ms a response).
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 (quiet by default)
        if self.server.verbose:
            sys.stderr.write("fixture: " + (format % args) + "\n")

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path not in UNLOGGED:
            with STATE.lock:
                STATE.log.append({"method": self.command,
                                  "path": self.path,
                                  "headers": dict(self.headers.items()),
                                  "time": time.time()})
        query = parse_qs(parts.query, keep_blank_values=True)
        for pattern, handler in ROUTES:
            m = pattern.match(parts.path)
            if m:
                handler(self, m, query)
                return
        self.send_simple(404, b"no such route\n", "text/plain")

    def send_simple(self, code, body, ctype="text/plain", headers=None):
        try:
            self.send_response(code)
            if ctype:
                self.send_header("Content-Type", ctype)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if code != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if code != 304 and body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_redirect(self, location, code=302):
        self.send_simple(code, b"moved\n", "text/plain",
                         {"Location": location})

    def not_modified(self, etag, mtime):
        """Whether a conditional request is answered 304 (RFC 9110 13.2.2:
        If-None-Match wins over If-Modified-Since)."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or etag in tags or ("W/" + etag) in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return int(mtime) <= since
        return False


def main():
    global STATE, ROOT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", help="serve the files under DIR at /files/")
    ap.add_argument("--robots", default="none",
                    choices=["none", "allow-all", "disallow-all", "500"],
                    help="the robots.txt to start with (default: 404)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--watch-stdin", action="store_true",
                    help="exit when standard input reaches end of file")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    texts = {"allow-all": ("text", "User-agent: *\nDisallow:\n"),
             "disallow-all": ("text", "User-agent: *\nDisallow: /\n"),
             "500": ("500", ""),
             "none": ("none", "")}
    STATE = State(*texts[args.robots])
    if args.root:
        ROOT = os.path.realpath(args.root)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.verbose = args.verbose

    def stop(*_):
        STATE.stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.watch_stdin:
        def watch():
            # The raw descriptor, not sys.stdin: a thread blocked in a
            # buffered read would hold its lock at interpreter shutdown.
            try:
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            stop()
        threading.Thread(target=watch, daemon=True).start()

    port = server.server_address[1]
    sys.stdout.write("listening on http://127.0.0.1:%d/\n" % port)
    sys.stdout.flush()
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
