"""What the harvester's end-to-end tests (test_harvest.py, test_ckan.py,
test_oai.py) share: their check counter, and a Fixture -- a loopback fixture
server (fixture_server.py) over a private copy of the test data, a store,
and ways to run `fairdex harvest`, `query` and `stats` on it.  Each scenario
makes its own Fixture and may change its copy of the data between runs, as
a source changes between harvests.  Python standard library only.

A test calls configure(FAIRDEX, SERVER, DATA) first (its command line's
paths), then check() for each expectation, and ends with summary().
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

_paths = {"fairdex": None, "server": None, "data": None}
_counts = {"checks": 0, "failures": 0}


def configure(fairdex, server, data):
    """The fairdex program, the fixture server script, the data folder."""
    _paths.update(fairdex=fairdex, server=server, data=data)


def check(cond, what):
    """One expectation: prints ok or FAIL with `what`."""
    _counts["checks"] += 1
    if cond:
        print("ok   " + what)
    else:
        _counts["failures"] += 1
        print("FAIL " + what)


def run_scenarios(scenarios):
    """Run each scenario (a scenario that raises is a failure), print the
    summary line and return the exit code: 0 when every check passed."""
    for scenario in scenarios:
        print("# " + scenario.__name__)
        try:
            scenario()
        except Exception as e:  # a scenario that breaks is a failure
            check(False, "%s raised %r" % (scenario.__name__, e))
    print("%d checks, %d failed" % (_counts["checks"], _counts["failures"]))
    return 1 if _counts["failures"] else 0


def counts(run):
    """The counts of a run report, for comparing in one go."""
    return {k: run.get(k) for k in ("status", "added", "updated",
                                    "unchanged", "deleted", "failed",
                                    "pages")}


class Fixture:
    """A fixture server over a private copy of the data, and a store."""

    prefix = "harvest"

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="fdx-%s-%s-" % (self.prefix, name))
        self.root = os.path.join(self.dir, "root")
        shutil.copytree(_paths["data"], self.root)
        self.db = os.path.join(self.dir, "db")
        self.proc = subprocess.Popen(
            [sys.executable, _paths["server"], "--root", self.root,
             "--watch-stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "listening on " not in line:
            raise RuntimeError("the fixture server did not start: %r" % line)
        self.url = line.split("listening on ")[1].strip().rstrip("/")

    def file_url(self, path):
        return "%s/files/%s" % (self.url, path)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, text):
        """Write a data file; a new mtime so Last-Modified changes even
        within the same second."""
        full = self.path(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
        t = time.time() + 2
        os.utime(full, (t, t))

    def read(self, rel):
        with open(self.path(rel), encoding="utf-8") as f:
            return f.read()

    def control(self, query):
        urllib.request.urlopen("%s/_control?%s" % (self.url, query)).read()

    def log(self):
        return json.loads(urllib.request.urlopen(self.url + "/_log").read())

    def config(self, sources, defaults=None, base="https://cat.example.org/"):
        d = {"allow_private_addresses": True, "min_delay_ms": 0,
             "max_retries": 0}
        d.update(defaults or {})
        path = os.path.join(self.dir, "config.json")
        with open(path, "w") as f:
            json.dump({"base": base, "defaults": d, "sources": sources}, f)
        return path

    def harvest(self, config, *extra, env=None):
        """Run `fairdex harvest --json` (`env`: more environment):
        (exit code, run reports, stderr)."""
        env = dict(os.environ, FAIRDEX_VOCABULARIES="none", **(env or {}))
        p = subprocess.run([_paths["fairdex"], "--db", self.db, "harvest",
                            "--config", config, "--json"] + list(extra),
                           capture_output=True, text=True, env=env,
                           timeout=120)
        try:
            runs = json.loads(p.stdout)["runs"] if p.stdout else []
        except ValueError:
            runs = []
        return p.returncode, runs, p.stderr

    def query(self, sparql):
        """SELECT bindings ([] when the query fails)."""
        p = subprocess.run([_paths["fairdex"], "--db", self.db, "query",
                            "--format", "json", sparql], capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 0:
            return []
        return json.loads(p.stdout).get("results", {}).get("bindings", [])

    def generation(self):
        """The store's generation: unchanged when nothing was written."""
        p = subprocess.run([_paths["fairdex"], "--db", self.db, "stats",
                            "--json"], capture_output=True, text=True,
                           timeout=60)
        return json.loads(p.stdout).get("generation") if p.returncode == 0 \
            else None

    def close(self):
        self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if not os.environ.get("FDX_HARVEST_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
