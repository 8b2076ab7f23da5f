#!/usr/bin/env python3
"""The harvester end to end (suite 'harvest'): the real `fairdex harvest`
against the loopback fixture server (fixture_server.py), for DCAT sources.

Each scenario gets its own store and its own copy of the fixture files
(tests/harvest/data/), which it may change between runs, as a source
changes between harvests.  Checked: records become named graphs with their
dcat:CatalogRecord; a second run of an unchanged source writes nothing
(store generation unchanged) and fetches conditionally; one changed record
is one update; a record gone is deleted after a complete listing; an empty
listing, a failed page, or more deletions than delete_threshold delete
nothing; Hydra paging, a paging loop, blank-node datasets, robots.txt,
private addresses, size caps, bad documents, and configuration errors with
the key's path.  With the external data present, the real GovData catalogue
dumps are harvested too.

usage: test_harvest.py FAIRDEX FIXTURE_SERVER DATA_DIR [EXTERNAL_DATA]
Exit 0 when every check passes, 1 otherwise, 77 when python3 lacks what it
needs (it needs nothing beyond the standard library).
"""

import json
import os
import shutil
import subprocess
import sys
import time

FAIRDEX, SERVER, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harvest_fixture  # noqa: E402 (after the path it is found by)
from harvest_fixture import check, counts, run_scenarios  # noqa: E402

harvest_fixture.configure(FAIRDEX, SERVER, DATA)
EXTERNAL = sys.argv[4] if len(sys.argv) > 4 else ""


class Fixture(harvest_fixture.Fixture):
    prefix = "harvest"


def dcat_source(fx, name="portal", path="dcat/page1.ttl", **opts):
    s = {"name": name, "type": "dcat", "url": fx.file_url(path)}
    s.update(opts)
    return s


def titles(fx):
    rows = fx.query("SELECT ?t WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ;"
                    " <http://purl.org/dc/terms/title> ?t }")
    return sorted(r["t"]["value"] for r in rows)


def quads(fx):
    rows = fx.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(rows[0]["n"]["value"]) if rows else -1


def datasets(fx):
    rows = fx.query("SELECT DISTINCT ?d WHERE { ?d a "
                    "<http://www.w3.org/ns/dcat#Dataset> }")
    return len(rows)


# ---------------------------------------------------------------------------

def scenario_first_and_unchanged():
    fx = Fixture("first")
    try:
        cfg = fx.config([dcat_source(fx)])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0, "first run exits 0 (%d: %s)" % (rc, err.strip()))
        check(len(runs) == 1 and counts(runs[0]) == {
            "status": "complete", "added": 4, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 0, "pages": 2},
            "first run: 4 records added from 2 Hydra pages (%s)"
            % (counts(runs[0]) if runs else runs))
        rows = fx.query(
            "SELECT ?g ?d WHERE { GRAPH ?g { ?g a "
            "<http://www.w3.org/ns/dcat#CatalogRecord> ; "
            "<http://xmlns.com/foaf/0.1/primaryTopic> ?d } }")
        check(len(rows) == 4 and all(
            r["g"]["value"].startswith("https://cat.example.org/record/portal-")
            for r in rows),
            "each record is a named graph named by its dcat:CatalogRecord "
            "under the base (%d)" % len(rows))
        minted = [r["d"]["value"] for r in rows
                  if r["d"]["value"].startswith(
                      "https://cat.example.org/dataset/portal-")]
        check(len(minted) == 1,
              "the blank-node dataset gets an IRI minted from its "
              "dct:identifier (%s)" % minted)
        prov = fx.query(
            "PREFIX prov: <http://www.w3.org/ns/prov#> "
            "PREFIX spdx: <http://spdx.org/rdf/terms#> "
            "SELECT ?src ?run ?hash WHERE { GRAPH ?g { ?g "
            "prov:wasDerivedFrom ?src ; prov:wasGeneratedBy ?run ; "
            "spdx:checksum [ spdx:checksumValue ?hash ] } }")
        check(len(prov) == 4 and all(
            r["src"]["value"].startswith(fx.url + "/files/dcat/page")
            and len(r["hash"]["value"]) == 64 for r in prov),
            "every record has provenance: source page, run and SHA-256")
        dist = fx.query(
            "SELECT ?g WHERE { GRAPH ?g { "
            "<https://portal.example.org/dataset/herz-register> "
            "<http://www.w3.org/ns/dcat#distribution> ?x . ?x "
            "<http://purl.org/dc/terms/format> ?f . "
            "<https://portal.example.org/dataset/herz-register> "
            "<http://www.w3.org/ns/dcat#contactPoint> ?c . ?c "
            "<http://www.w3.org/2006/vcard/ns#fn> ?n } }")
        check(len(dist) == 1,
              "a record keeps its distribution and blank-node contact point")
        gen = fx.generation()
        before = len(fx.log())
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 0, "updated": 0, "unchanged": 4,
            "deleted": 0, "failed": 0, "pages": 2},
            "second run: all 4 unchanged (%s)"
            % (counts(runs[0]) if runs else err))
        check(fx.generation() == gen,
              "an unchanged source writes no quad (generation stays %s)" % gen)
        pages = [e for e in fx.log()[before:]
                 if e["path"].startswith("/files/")]
        check(len(pages) == 2 and all("If-None-Match" in e["headers"]
                                      for e in pages),
              "the second run asks conditionally (If-None-Match)")
        n_quads = quads(fx)
        rc, runs, err = fx.harvest(cfg, "--full")
        check(rc == 0 and runs and runs[0]["updated"] == 4,
              "--full writes every record again (%s)"
              % (counts(runs[0]) if runs else err))
        # Rewritten by difference: what stays is kept, what the rewrite
        # mints anew (blank nodes, the record's modified time) replaces
        # the old, and nothing is left over.
        check(n_quads > 0 and quads(fx) == n_quads,
              "--full leaves as many quads as before (%s, then %s)"
              % (n_quads, quads(fx)))
    finally:
        fx.close()


def scenario_change_and_delete():
    fx = Fixture("change")
    try:
        cfg = fx.config([dcat_source(fx)])
        fx.harvest(cfg)
        page2 = open(os.path.join(fx.root, "dcat/page2.ttl")).read()
        fx.write("dcat/page2.ttl", page2.replace('"Lipid-Kohorte"@de',
                                                 '"Lipid-Kohorte 2"@de'))
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 0, "updated": 1, "unchanged": 3,
            "deleted": 0, "failed": 0, "pages": 2},
            "one changed record is one update (%s)"
            % (counts(runs[0]) if runs else err))
        check("Lipid-Kohorte 2" in titles(fx) and
              "Lipid-Kohorte" not in titles(fx),
              "the update replaced the record's statements")
        # The blank-node dataset leaves the source.
        cut = page2.index("[] a dcat:Dataset")
        fx.write("dcat/page2.ttl", page2[:cut])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0]["deleted"] == 1 and
              runs[0]["status"] == "complete",
              "a record gone from a complete listing is deleted (%s)"
              % (counts(runs[0]) if runs else err))
        check("EKG-Sammlung" not in titles(fx),
              "its graph is gone from the store")
    finally:
        fx.close()


def scenario_outage_and_threshold():
    fx = Fixture("outage")
    try:
        cfg = fx.config([dcat_source(fx)])
        fx.harvest(cfg)
        page1 = open(os.path.join(fx.root, "dcat/page1.ttl")).read()
        # An outage answering 200 with an empty catalogue.
        fx.write("dcat/page1.ttl",
                 "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
                 "<https://portal.example.org/catalog> a dcat:Catalog .\n")
        rc, runs, err = fx.harvest(cfg)
        check(rc == 1 and runs and runs[0]["status"] == "failed" and
              runs[0]["deleted"] == 0 and "empty" in (runs[0]["message"] or ""),
              "an empty listing deletes nothing and fails (%s, %s)"
              % (counts(runs[0]) if runs else err,
                 runs[0]["message"] if runs else ""))
        check(datasets(fx) == 4, "all 4 datasets are still there")
        # Three of four gone at once: over the 0.5 threshold.
        page1_only = page1.replace("hydra:next <page2.ttl> ;", "")
        cut = page1_only.index(
            "\n<https://portal.example.org/dataset/blutdruck-studie> a")
        fx.write("dcat/page1.ttl", page1_only[:cut])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 1 and runs and runs[0]["status"] == "stopped" and
              runs[0]["deleted"] == 0,
              "deleting 3 of 4 (over delete_threshold 0.5) stops the run "
              "(%s: %s)" % (counts(runs[0]) if runs else err,
                            runs[0]["message"] if runs else ""))
        check(datasets(fx) == 4, "nothing was deleted")
        cfg2 = fx.config([dcat_source(fx, delete_threshold=0.9)])
        rc, runs, err = fx.harvest(cfg2)
        check(rc == 0 and runs and runs[0]["deleted"] == 3,
              "with delete_threshold 0.9 the same run deletes the 3 (%s)"
              % (counts(runs[0]) if runs else err))
    finally:
        fx.close()


def scenario_failures():
    fx = Fixture("fail")
    try:
        cfg = fx.config([dcat_source(fx)])
        fx.harvest(cfg)
        # Page 2 fails: records of page 1 are fine, nothing is deleted.
        os.remove(os.path.join(fx.root, "dcat/page2.ttl"))
        rc, runs, err = fx.harvest(cfg)
        check(rc == 1 and runs and runs[0]["status"] == "failed" and
              runs[0]["deleted"] == 0 and "404" in (runs[0]["message"] or ""),
              "a failed page fails the run and deletes nothing (%s: %s)"
              % (counts(runs[0]) if runs else err,
                 runs[0]["message"] if runs else ""))
        check(datasets(fx) == 4, "all 4 datasets are still there")
        # A syntax error in a page.
        fx.write("dcat/bad.ttl", "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
                                 "<a> a dcat:Dataset ,, .\n")
        cfg_bad = fx.config([dcat_source(fx, name="bad", path="dcat/bad.ttl")])
        rc, runs, err = fx.harvest(cfg_bad)
        check(rc == 1 and runs and runs[0]["status"] == "failed" and
              "bad.ttl:2:" in (runs[0]["message"] or ""),
              "a malformed page fails with file:line (%s)"
              % (runs[0]["message"] if runs else err))
        # A JSON-LD catalogue page is read like the others ...
        fx.write("dcat/cat.jsonld", json.dumps({
            "@context": {"dcat": "http://www.w3.org/ns/dcat#",
                         "dct": "http://purl.org/dc/terms/"},
            "@graph": [{"@id": "https://portal.example.org/dataset/jl-1",
                        "@type": "dcat:Dataset",
                        "dct:title": {"@value": "JSON-LD-Datensatz",
                                      "@language": "de"}}]}))
        cfg_jl = fx.config([dcat_source(fx, name="jl", path="dcat/cat.jsonld")])
        rc, runs, err = fx.harvest(cfg_jl)
        check(rc == 0 and runs and runs[0]["added"] == 1,
              "a JSON-LD page is harvested (%s)"
              % (counts(runs[0]) if runs else err))
        # ... but a context fairdex does not ship is never fetched.
        fx.write("dcat/remote.jsonld", json.dumps({
            "@context": "https://contexts.example.org/unknown.jsonld",
            "@id": "https://portal.example.org/dataset/x", "@type": "Dataset"}))
        cfg_rc = fx.config([dcat_source(fx, name="rc",
                                        path="dcat/remote.jsonld")])
        before = len(fx.log())
        rc, runs, err = fx.harvest(cfg_rc)
        check(rc == 1 and runs and "not shipped" in (runs[0]["message"] or "")
              and not any("unknown.jsonld" in e["path"]
                          for e in fx.log()[before:]),
              "a JSON-LD page with an unshipped remote context fails, and the "
              "context is not fetched (%s)"
              % (runs[0]["message"] if runs else err))
        # Over the size cap.
        cfg_big = fx.config([dcat_source(fx, name="big",
                                          max_document_bytes=1024)])
        rc, runs, err = fx.harvest(cfg_big)
        check(rc == 1 and runs and runs[0]["status"] == "failed" and
              runs[0]["added"] == 0,
              "a page over max_document_bytes fails (%s)"
              % (runs[0]["message"] if runs else err))
        # robots.txt says no.
        fx.control("robots=text&text=" +
                   "User-agent%3A%20*%0ADisallow%3A%20%2Ffiles%2F")
        cfg_r = fx.config([dcat_source(fx, name="robots")])
        rc, runs, err = fx.harvest(cfg_r)
        check(rc == 1 and runs and "robots" in (runs[0]["message"] or ""),
              "robots.txt disallowing the page fails the run (%s)"
              % (runs[0]["message"] if runs else err))
        fx.control("robots=404")
        # A private address without allow_private_addresses.
        cfg_p = fx.config([dcat_source(fx, name="private")],
                          defaults={"allow_private_addresses": False})
        rc, runs, err = fx.harvest(cfg_p)
        check(rc == 1 and runs and runs[0]["status"] == "failed",
              "a loopback source without allow_private_addresses fails (%s)"
              % (runs[0]["message"] if runs else err))
    finally:
        fx.close()


def scenario_loop():
    fx = Fixture("loop")
    try:
        page2 = open(os.path.join(fx.root, "dcat/page2.ttl")).read()
        fx.write("dcat/page2.ttl", page2.replace(
            "hydra:first <page1.ttl> ;",
            "hydra:next <page1.ttl> ;\n  hydra:first <page1.ttl> ;"))
        cfg = fx.config([dcat_source(fx)])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0]["pages"] == 2 and
              runs[0]["added"] == 4 and "loops" in (runs[0]["message"] or ""),
              "a Hydra loop ends after each page once, saying so (%s: %s)"
              % (counts(runs[0]) if runs else err,
                 runs[0]["message"] if runs else ""))
    finally:
        fx.close()


def scenario_fdp():
    fx = Fixture("fdp")
    try:
        src = {"name": "fdp", "type": "fdp", "url": fx.file_url("fdp/fdp.ttl")}
        cfg = fx.config([src])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 2, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 0, "pages": 6},
            "FDP -> catalogue -> 2 datasets (+2 distribution documents): 2 "
            "records (%s: %s)" % (counts(runs[0]) if runs else err,
                                  runs[0]["message"] if runs else ""))
        rows = fx.query(
            "SELECT ?t ?f WHERE { GRAPH ?g { ?d a "
            "<http://www.w3.org/ns/dcat#Dataset> ; "
            "<http://www.w3.org/ns/dcat#distribution> ?x . ?x "
            "<http://purl.org/dc/terms/title> ?t . OPTIONAL { ?x "
            "<http://purl.org/dc/terms/format> ?f } } }")
        check(sorted(r["t"]["value"] for r in rows) ==
              ["CSV-Export", "SPARQL-Endpunkt"],
              "the distributions' own documents are in the dataset's record "
              "(%s)" % rows)
        gen = fx.generation()
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0]["unchanged"] == 2 and
              fx.generation() == gen,
              "a second FDP run writes nothing (%s)"
              % (counts(runs[0]) if runs else err))
        # A dataset document that fails keeps its record, and the run goes on.
        os.remove(os.path.join(fx.root, "fdp/dataset-mrt.ttl"))
        rc, runs, err = fx.harvest(cfg)
        check(runs and runs[0]["failed"] == 1 and runs[0]["deleted"] == 0
              and runs[0]["status"] == "complete" and datasets(fx) == 2,
              "a dataset document that fails costs that record only, and the "
              "record stays (%s)" % (counts(runs[0]) if runs else err))
        # The catalogue fails: the listing fails, nothing is deleted.
        os.remove(os.path.join(fx.root, "fdp/catalog.ttl"))
        rc, runs, err = fx.harvest(cfg)
        check(rc == 1 and runs and runs[0]["status"] == "failed" and
              datasets(fx) == 2,
              "a catalogue that fails fails the listing and deletes nothing "
              "(%s)" % (counts(runs[0]) if runs else err))
    finally:
        fx.close()


def scenario_schemaorg():
    fx = Fixture("schemaorg")
    try:
        import gzip
        # A sitemap index: a gzipped sitemap and a plain one.
        page = fx.file_url("schemaorg/%s.html")
        urlset = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
                  '"http://www.sitemaps.org/schemas/sitemap/0.9">%s</urlset>\n')
        one = urlset % "".join("<url><loc>%s</loc></url>" % (page % n)
                               for n in ("a", "b"))
        with open(os.path.join(fx.root, "schemaorg/one.xml.gz"), "wb") as f:
            f.write(gzip.compress(one.encode()))
        fx.write("schemaorg/two.xml", urlset % "".join(
            "<url><loc>%s</loc></url>" % (page % n) for n in ("c", "d", "a")))
        fx.write("schemaorg/index.xml",
                 '<?xml version="1.0"?>\n<sitemapindex xmlns="http://www.'
                 'sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>%s</loc>'
                 '</sitemap><sitemap><loc>%s</loc></sitemap></sitemapindex>\n'
                 % (fx.file_url("schemaorg/one.xml.gz"),
                    fx.file_url("schemaorg/two.xml")))
        src = {"name": "pages", "type": "schemaorg",
               "url": fx.file_url("schemaorg/index.xml")}
        cfg = fx.config([src])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 2, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 2, "pages": 7},
            "a sitemap index, a gzipped sitemap, 4 pages: 2 datasets, the "
            "page without JSON-LD and the broken one fail alone (%s: %s)"
            % (counts(runs[0]) if runs else err,
               runs[0]["errors"] if runs else ""))
        rows = fx.query(
            "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
            "PREFIX dct: <http://purl.org/dc/terms/> "
            "SELECT ?k WHERE { <https://pages.example.org/dataset/herzregister>"
            " dcat:keyword ?k }")
        check(sorted(r["k"]["value"] for r in rows) ==
              ["Herz", "Kreislauf", "Register"],
              "keywords in one string are split at commas (%s)" % rows)
        rows = fx.query(
            "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
            "PREFIX dct: <http://purl.org/dc/terms/> "
            "PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
            "SELECT ?dl ?lic ?who ?id WHERE { "
            "<https://pages.example.org/dataset/herzregister> "
            "dcat:distribution [ dcat:downloadURL ?dl ] ; dct:license ?lic ; "
            "dct:creator [ foaf:name ?who ] ; dct:identifier ?id }")
        check(len(rows) == 1 and rows[0]["dl"]["value"].endswith(
            "herzregister.csv") and rows[0]["who"]["value"] == "Dr. Beispiel"
            and rows[0]["id"]["value"] == "HR-7",
            "distribution, licence, creator and identifier are mapped (%s)"
            % rows)
        rows = fx.query("SELECT ?t WHERE { "
                        "<https://pages.example.org/blutdruck> "
                        "<http://purl.org/dc/terms/title> ?t }")
        check([r["t"]["value"] for r in rows] == ["Blutdruckmessungen"],
              "a Dataset without @id is named by its url (%s)" % rows)
        gen = fx.generation()
        rc, runs, err = fx.harvest(cfg)
        check(runs and runs[0]["unchanged"] == 2 and runs[0]["added"] == 0
              and fx.generation() == gen,
              "a second run of unchanged pages writes nothing (%s)"
              % (counts(runs[0]) if runs else err))
        # A source that is one landing page rather than a sitemap.
        one = fx.config([{"name": "one", "type": "schemaorg",
                          "url": fx.file_url("schemaorg/b.html")}])
        rc, runs, err = fx.harvest(one)
        check(rc == 0 and runs and runs[0]["added"] == 1 and
              runs[0]["pages"] == 1,
              "a source URL that is a landing page is that one page (%s)"
              % (counts(runs[0]) if runs else err))
        rc, runs, err = fx.harvest(one)
        check(rc == 0 and runs and runs[0]["unchanged"] == 1,
              "... and unchanged the next time (%s)"
              % (counts(runs[0]) if runs else err))
    finally:
        fx.close()


def scenario_folder():
    fx = Fixture("folder")
    try:
        src = {"name": "projects", "type": "folder",
               "path": fx.path("folder")}
        cfg = fx.config([src])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 3, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 1, "pages": 0},
            "a project folder: an RO-Crate, a Data Package and a DataCite "
            "record; the broken package fails alone, hidden folders are not "
            "read (%s: %s)" % (counts(runs[0]) if runs else err,
                               runs[0]["errors"] if runs else ""))
        rows = fx.query(
            "PREFIX dct: <http://purl.org/dc/terms/> "
            "SELECT ?d ?t WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; "
            "dct:title ?t }")
        got = {r["d"]["value"]: r["t"]["value"] for r in rows}
        check(got.get("https://doi.org/10.9999/echo-study") ==
              "Echokardiographie-Studie" and
              got.get("https://doi.org/10.9999/mri-results") ==
              "Kardio-MRT-Ergebnisse" and
              "Blutdruck-Datenpaket" in got.values(),
              "the three datasets, named by DOI where they have one (%s)"
              % got)
        rows = fx.query(
            "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
            "PREFIX dct: <http://purl.org/dc/terms/> "
            "SELECT ?k ?lic ?dl WHERE { ?d dct:title \"Blutdruck-Datenpaket\" ;"
            " dcat:keyword ?k ; dct:license ?lic ; dcat:distribution [ "
            "dcat:downloadURL ?dl ] }")
        check({r["k"]["value"] for r in rows} == {"Blutdruck", "Hypertonie"}
              and {r["dl"]["value"] for r in rows} ==
              {"https://projects.example.org/blutdruck/codebuch.pdf"},
              "the Data Package's keywords, licence and distribution (%s)"
              % rows)
        gen = fx.generation()
        rc, runs, err = fx.harvest(cfg)
        check(runs and runs[0]["unchanged"] == 3 and fx.generation() == gen,
              "a second run of the unchanged folder writes nothing (%s)"
              % (counts(runs[0]) if runs else err))
        shutil.rmtree(fx.path("folder/mri-results"))
        rc, runs, err = fx.harvest(cfg)
        check(runs and runs[0]["deleted"] == 1 and datasets(fx) == 2,
              "a record file removed from the folder is deleted (%s)"
              % (counts(runs[0]) if runs else err))
    finally:
        fx.close()


def scenario_serve():
    """serve --harvest-config: a scheduled source runs at start, a run can
    be asked for (admin token), reports are served, SIGTERM stops."""
    import signal
    import urllib.error
    import urllib.request
    fx = Fixture("serve")
    server = None
    try:
        cfg = fx.config([dcat_source(fx, name="scheduled", schedule="daily"),
                         dcat_source(fx, name="manual",
                                     path="fdp/dataset-mrt.ttl")])
        env = dict(os.environ, FAIRDEX_VOCABULARIES="none")
        token = subprocess.run(
            [FAIRDEX, "--db", fx.db, "token", "create", "--name", "adm",
             "--role", "admin"], capture_output=True, text=True, env=env,
            check=True).stdout.strip()
        server = subprocess.Popen(
            [FAIRDEX, "--db", fx.db, "serve", "--listen", "127.0.0.1:0",
             "--harvest-config", cfg], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env=env)
        url = server.stdout.readline().split("listening on ")[1].strip()

        def get(path):
            return json.loads(urllib.request.urlopen(url + path.lstrip("/"),
                                                     timeout=10).read())

        def runs_of(name):
            return get("/api/runs?source=" + name)["runs"]

        def wait_for(name, n):
            for _ in range(100):
                runs = runs_of(name)
                if len([r for r in runs if r["status"] != "running"]) >= n:
                    return runs
                time.sleep(0.1)
            return runs_of(name)

        runs = wait_for("scheduled", 1)
        check(runs and runs[0]["status"] == "complete" and
              runs[0]["added"] == 4,
              "a scheduled source never run is harvested at start (%s)"
              % [counts(r) for r in runs])
        sources = {x["name"]: x for x in get("/api/sources")["sources"]}
        check(sources["scheduled"]["next_run"] and
              sources["manual"]["next_run"] is None and
              sources["scheduled"]["last_run"]["status"] == "complete",
              "/api/sources: next run a day on, last report (%s)"
              % sources.get("scheduled"))
        req = urllib.request.Request(url + "api/sources/manual/harvest",
                                     method="POST")
        try:
            urllib.request.urlopen(req, timeout=10)
            status = 200
        except urllib.error.HTTPError as e:
            status = e.code
        check(status == 401, "starting a run needs a token (got %s)" % status)
        req.add_header("Authorization", "Bearer " + token)
        answer = urllib.request.urlopen(req, timeout=10)
        check(answer.status == 202 and answer.headers["Location"] ==
              "/api/runs?source=manual", "POST .../harvest answers 202")
        runs = wait_for("manual", 1)
        check(runs and runs[0]["status"] == "complete" and
              get("/api/runs/%d" % runs[0]["id"])["source"] == "manual",
              "the run asked for ran, and /api/runs/{id} shows it (%s)"
              % [counts(r) for r in runs])
        everything = get("/api/runs")["runs"]
        newest = get("/api/runs?order=newest&limit=1")
        check(len(everything) >= 2 and
              [r["id"] for r in newest["runs"]] == [everything[-1]["id"]] and
              newest["next"] == everything[-1]["id"],
              "order=newest gives the latest run first (%s)" % newest["next"])
        older = get("/api/runs?before=%d" % newest["next"])["runs"]
        check([r["id"] for r in older] ==
              [r["id"] for r in reversed(everything[:-1])],
              "before= pages on to the older runs, newest first")
        check(get("/api/runs?order=newest&source=manual")["runs"][0]["source"]
              == "manual", "order=newest keeps to one source")
        try:
            urllib.request.urlopen(url + "api/runs?order=newest&since=1",
                                   timeout=10)
            status = 200
        except urllib.error.HTTPError as e:
            status = e.code
        check(status == 400, "since with order=newest is a 400 (%s)" % status)
        page = urllib.request.urlopen(
            url + "resource?iri=https%3A%2F%2Fportal.example.org%2Fdataset"
            "%2Fherz-register&format=html", timeout=10).read().decode()
        check("<h2>Provenance</h2>" in page and "Harvested from" in page and
              "/files/dcat/page1.ttl" in page and
              '"@type": "Dataset"' in page,
              "a harvested dataset's page says where it came from and "
              "carries schema.org JSON-LD")
        server.send_signal(signal.SIGTERM)
        check(server.wait(timeout=30) == 0, "SIGTERM stops the server")
        server = None
    finally:
        if server:
            server.kill()
        fx.close()


def scenario_config_errors():
    fx = Fixture("config")
    try:
        cases = [
            ({"sources": [{"name": "a", "type": "dcat",
                           "url": "http://x.example/", "colour": 1}]},
             "sources[0].colour: unknown key"),
            ({"sources": [{"name": "a", "type": "dcat",
                           "url": "http://x.example/", "timeout_s": 0}]},
             "sources[0].timeout_s: must be a whole number from 1 to 3600"),
            ({"sources": [{"name": "a", "type": "dcat", "url": "ftp://x/"}]},
             "sources[0].url:"),
            ({"sources": [{"name": "a", "type": "gopher",
                           "url": "http://x.example/"}]},
             "sources[0].type:"),
            ({"sources": [{"name": "a", "type": "dcat", "url": "http://x/"},
                          {"name": "a", "type": "dcat", "url": "http://y/"}]},
             "sources[1].name:"),
            ({"sources": [{"name": "a", "type": "dcat", "url": "http://x/"}],
              "defaults": {"delete_threshold": 2}},
             "defaults.delete_threshold:"),
            ({"sources": [{"name": "a", "type": "dcat", "url": "http://x/",
                           "schedule": "sometimes"}]},
             "sources[0].schedule:"),
            ({"sources": [{"name": "a", "type": "ckan", "url": "http://x/",
                           "complete_listing": "P0D"}]},
             "sources[0].complete_listing:"),
            ({"sources": [{"name": "a", "type": "ckan", "url": "http://x/"}],
              "defaults": {"complete_listing": 7}},
             "defaults.complete_listing:"),
            ({"sources": [{"name": "a", "type": "dcat", "url": "http://x/",
                           "complete_listing": "daily"}]},
             "sources[0].complete_listing:"),
            ({"sources": [{"name": "a", "type": "ckan", "url": "http://x/",
                           "metadata_prefix": "oai_dc"}]},
             "sources[0].metadata_prefix:"),
            ({"sources": [{"name": "f", "type": "folder"}]},
             "sources[0].path:"),
        ]
        for n, (conf, expected) in enumerate(cases):
            path = os.path.join(fx.dir, "bad%d.json" % n)
            with open(path, "w") as f:
                json.dump(conf, f)
            p = subprocess.run([FAIRDEX, "--db", fx.db, "harvest", "--config",
                                path], capture_output=True, text=True)
            check(p.returncode == 2 and expected in p.stderr,
                  "config refused with the key's path: %s (%d: %s)"
                  % (expected, p.returncode, p.stderr.strip()))
        path = os.path.join(fx.dir, "syntax.json")
        with open(path, "w") as f:
            f.write('{"sources": [}')
        p = subprocess.run([FAIRDEX, "--db", fx.db, "harvest", "--config",
                            path], capture_output=True, text=True)
        check(p.returncode == 2 and "syntax.json:1:" in p.stderr,
              "a config that is not JSON is refused with line:column (%s)"
              % p.stderr.strip())
        cfg = fx.config([dcat_source(fx)])
        p = subprocess.run([FAIRDEX, "--db", fx.db, "harvest", "--config",
                            cfg, "--source", "nope"], capture_output=True,
                           text=True)
        check(p.returncode == 2 and "no source named nope" in p.stderr,
              "an unknown --source is refused (%s)" % p.stderr.strip())
    finally:
        fx.close()


def scenario_external():
    folder = os.path.join(EXTERNAL, "govdata-dcat-ap-de-shacl-validation",
                          "testcases", "dashboard")
    if not EXTERNAL or not os.path.isdir(folder):
        print("skip the GovData catalogue dumps: %s is absent (set the "
              "external_data option)" % folder)
        return
    fx = Fixture("govdata")
    try:
        expected = {"brandenburg-catalog-original-input.ttl": 112,
                    "brandenburg-catalog-original-input.rdf": 112,
                    "bremen-catalog-original-input.rdf": 153,
                    "destatis-catalog-original-input.rdf": 135,
                    "rostock-catalog-original-input.rdf": 100}
        os.makedirs(os.path.join(fx.root, "govdata"))
        sources = []
        for n, name in enumerate(sorted(expected)):
            shutil.copy(os.path.join(folder, name),
                        os.path.join(fx.root, "govdata", name))
            sources.append(dcat_source(fx, name="gov%d" % n,
                                       path="govdata/" + name))
        cfg = fx.config(sources)
        t0 = time.time()
        rc, runs, err = fx.harvest(cfg)
        first = time.time() - t0
        got = {os.path.basename(s["url"]): r["added"]
               for s, r in zip(sources, runs)}
        check(rc == 0 and got == expected,
              "the GovData dumps: every dataset is one record (%s)" % got)
        t0 = time.time()
        rc, runs, err = fx.harvest(cfg)
        again = time.time() - t0
        check(rc == 0 and all(r["unchanged"] == expected[os.path.basename(
            s["url"])] and r["added"] == 0 for s, r in zip(sources, runs)),
              "re-run of the unchanged dumps: everything unchanged")
        print("     first run %.2f s, unchanged re-run %.2f s" % (first, again))
    finally:
        fx.close()


def main():
    return run_scenarios((scenario_first_and_unchanged, scenario_change_and_delete,
                     scenario_outage_and_threshold, scenario_failures,
                     scenario_loop, scenario_fdp, scenario_schemaorg,
                     scenario_folder, scenario_serve,
                     scenario_config_errors,
                     scenario_external))


if __name__ == "__main__":
    sys.exit(main())
