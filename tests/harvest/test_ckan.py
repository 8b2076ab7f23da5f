#!/usr/bin/env python3
"""The CKAN adapter end to end (suite 'harvest'): the real `fairdex harvest`
against the loopback fixture server's CKAN portal (fixture_server.py, route
/ckan/NAME/api/3/action/package_search).

Each scenario gets its own store and its own copy of the fixture files
(tests/harvest/data/), which it changes between runs as a portal changes
between harvests.  Checked: paging advances `start` by the results received
(the portal serves two per page whatever rows asks); the mapping to DCAT-AP
as ckanext-dcat documents it (title, description, keywords, publisher,
contact point, licence, dates, distributions with formats, media types,
sizes and checksums); private packages are not records; a second run with
nothing changed writes nothing; later runs are incremental (fq on
metadata_modified) and keep what they do not list; one changed package is
one update; a package gone is deleted by a full run; success:false,
malformed or truncated JSON, a count that changes while paging and JSON
nested too deep fail the listing and delete nothing; a package without an
id fails alone.  With the external data present, the real Birmingham
package_search response is harvested in place.

usage: test_ckan.py FAIRDEX FIXTURE_SERVER DATA_DIR [EXTERNAL_DATA]
Exit 0 when every check passes, 1 otherwise.
"""

import json
import os
import shutil
import sys
import time
import urllib.parse

FAIRDEX, SERVER, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harvest_fixture  # noqa: E402 (after the path it is found by)
from harvest_fixture import check, counts, run_scenarios  # noqa: E402

harvest_fixture.configure(FAIRDEX, SERVER, DATA)
EXTERNAL = sys.argv[4] if len(sys.argv) > 4 else ""

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
XSD = "http://www.w3.org/2001/XMLSchema#"
LUFT = "0a1b2c3d-0000-4000-8000-000000000001"


class Fixture(harvest_fixture.Fixture):
    prefix = "ckan"

    def site(self, portal="portal"):
        return "%s/ckan/%s" % (self.url, portal)

    def packages(self, portal="portal"):
        with open(os.path.join(self.root, "ckan", portal, "packages.json"),
                  encoding="utf-8") as f:
            return json.load(f)

    def write_json(self, path, value):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False)

    def set_packages(self, packages, portal="portal"):
        self.write_json("ckan/%s/packages.json" % portal, packages)

    def set_control(self, control, portal="portal"):
        self.write_json("ckan/%s/control.json" % portal, control)


def ckan_source(fx, name="portal", portal="portal", **opts):
    s = {"name": name, "type": "ckan", "url": fx.site(portal) + "/"}
    s.update(opts)
    return s


def titles(fx):
    rows = fx.query("SELECT ?t WHERE { ?d a <%sDataset> ; <%stitle> ?t }"
                    % (DCAT, DCT))
    return sorted(r["t"]["value"] for r in rows)


def searches(fx, since=0):
    """The package_search requests after log entry `since`, as dicts."""
    out = []
    for e in fx.log()[since:]:
        parts = urllib.parse.urlsplit(e["path"])
        if parts.path.endswith("/package_search"):
            out.append(dict(urllib.parse.parse_qsl(parts.query)))
    return out


def now_ckan():
    """Now as CKAN writes metadata_modified (UTC, no zone)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000001", time.gmtime())


def values(fx, subject, predicate):
    rows = fx.query("SELECT ?o WHERE { <%s> <%s> ?o }" % (subject, predicate))
    return sorted(r["o"]["value"] for r in rows)


def typed(fx, subject, predicate):
    rows = fx.query("SELECT ?o WHERE { <%s> <%s> ?o }" % (subject, predicate))
    return sorted((r["o"]["value"], r["o"].get("datatype")) for r in rows)


# ---------------------------------------------------------------------------

def scenario_first_and_unchanged():
    fx = Fixture("first")
    try:
        cfg = fx.config([ckan_source(fx)])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0, "first run exits 0 (%d: %s)" % (rc, err.strip()))
        check(len(runs) == 1 and counts(runs[0]) == {
            "status": "complete", "added": 5, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 0, "pages": 3},
            "first run: 5 public packages added from 3 pages, the private "
            "one left out (%s)" % (counts(runs[0]) if runs else runs))
        asked = searches(fx)
        check([a.get("start") for a in asked] == ["0", "2", "4"] and
              all(a.get("rows") == "1000" and
                  a.get("sort") == "metadata_modified asc" and
                  "fq" not in a for a in asked),
              "start advances by the results received (2 a page although "
              "rows=1000), sorted by metadata_modified (%s)" % asked)
        d = fx.site() + "/dataset/" + LUFT
        check(values(fx, d, DCT + "title") == ["Luftqualität: Messungen"] and
              values(fx, d, DCT + "description") == [
                  "Stündliche Messwerte der Luftmessstationen "
                  "(erfundene Daten)."] and
              values(fx, d, DCAT + "keyword") == ["feinstaub", "luft"] and
              values(fx, d, DCT + "identifier") == [LUFT],
              "title, notes, tags and id map to dct:title, dct:description, "
              "dcat:keyword, dct:identifier")
        check(typed(fx, d, DCT + "issued") == [
            ("2019-03-04T10:20:30.123456Z", XSD + "dateTime")] and
              typed(fx, d, DCT + "modified") == [
            ("2020-01-02T03:04:05.678901Z", XSD + "dateTime")],
              "metadata_created/modified become xsd:dateTime (UTC)")
        check(values(fx, d, DCAT + "landingPage") ==
              ["https://portal.example.org/luft"] and
              values(fx, d, "http://www.w3.org/2002/07/owl#versionInfo") ==
              ["1.2"] and
              values(fx, d, DCT + "license") ==
              ["https://creativecommons.org/licenses/by/4.0/"],
              "url, version and license_url map to dcat:landingPage, "
              "owl:versionInfo, dct:license")
        pub = fx.query(
            "SELECT ?p ?n WHERE { <%s> <%spublisher> ?p . ?p a "
            "<http://xmlns.com/foaf/0.1/Organization> ; "
            "<http://xmlns.com/foaf/0.1/name> ?n }" % (d, DCT))
        check(len(pub) == 1 and pub[0]["n"]["value"] ==
              "Umweltamt Musterstadt" and pub[0]["p"]["value"] ==
              fx.site() + "/organization/5b1e8a0c-2f3d-4e5a-9b6c-0d1e2f3a4b5c",
              "the organization is the publisher (%s)" % pub)
        contact = fx.query(
            "PREFIX v: <http://www.w3.org/2006/vcard/ns#> "
            "SELECT ?n ?e WHERE { <%s> <%scontactPoint> ?c . ?c a v:Kind ; "
            "v:fn ?n ; v:hasEmail ?e }" % (d, DCAT))
        check(len(contact) == 1 and
              contact[0]["n"]["value"] == "Erika Mustermann" and
              contact[0]["e"]["value"] ==
              "mailto:erika.mustermann@example.org",
              "the maintainer is the contact point, e-mail as a trimmed "
              "mailto: IRI (%s)" % contact)
        check(values(fx, d, DCT + "accrualPeriodicity") == [
            "http://publications.europa.eu/resource/authority/frequency/DAILY"]
              and values(fx, d, DCAT + "theme") == [
            "http://publications.europa.eu/resource/authority/data-theme/ENVI"]
              and values(fx, d, DCT + "language") == [
            "http://publications.europa.eu/resource/authority/language/DEU"],
              "the extras frequency, theme and language (JSON lists) map "
              "as ckanext-dcat documents")
        temporal = fx.query(
            "SELECT ?s ?e WHERE { <%s> <%stemporal> ?t . ?t <%sstartDate> ?s ;"
            " <%sendDate> ?e }" % (d, DCT, DCAT, DCAT))
        check(len(temporal) == 1 and
              temporal[0]["s"]["value"] == "2019-01-01" and
              temporal[0]["s"].get("datatype") == XSD + "date",
              "temporal_start/end become a dct:PeriodOfTime (%s)" % temporal)
        dist = fx.query(
            "SELECT ?x ?t ?f ?m ?a ?dl ?size WHERE { <%s> <%sdistribution> ?x ."
            " ?x <%stitle> ?t ; <%sformat> ?f ; <%saccessURL> ?a . "
            "OPTIONAL { ?x <%smediaType> ?m } "
            "OPTIONAL { ?x <%sdownloadURL> ?dl } "
            "OPTIONAL { ?x <%sbyteSize> ?size } }"
            % (d, DCAT, DCT, DCT, DCAT, DCAT, DCAT, DCAT))
        by_title = {r["t"]["value"]: r for r in dist}
        csv = by_title.get("Messwerte 2019", {})
        check(len(dist) == 2 and
              csv.get("f", {}).get("value") == FILE_TYPE + "CSV" and
              csv.get("m", {}).get("value") ==
              "https://www.iana.org/assignments/media-types/text/csv" and
              csv.get("dl", {}).get("value", "").endswith("luft2019.csv") and
              csv.get("size", {}).get("value") == "2048" and
              csv.get("size", {}).get("datatype") ==
              XSD + "nonNegativeInteger" and
              csv.get("x", {}).get("value", "").startswith(
                  fx.site() + "/dataset/" + LUFT + "/resource/"),
              "resources are distributions: title, EU file type, IANA media "
              "type, an upload's download URL, byteSize (%s)"
              % sorted(by_title))
        check(by_title.get("Messwerte-API", {}).get("f", {}).get("value") ==
              FILE_TYPE + "JSON" and
              "dl" not in by_title.get("Messwerte-API", {}),
              "a linked (not uploaded) resource has an access URL only")
        checksum = fx.query(
            "PREFIX spdx: <http://spdx.org/rdf/terms#> "
            "SELECT ?v ?a WHERE { <%s> <%sdistribution> ?x . ?x "
            "spdx:checksum [ spdx:checksumValue ?v ; spdx:algorithm ?a ] }"
            % (d, DCAT))
        check(len(checksum) == 1 and checksum[0]["a"]["value"].endswith(
            "checksumAlgorithm_md5"),
              "a resource hash becomes spdx:checksum (%s)" % checksum)
        v = "https://data.example.org/id/dataset/verkehrszaehlung"
        formats = fx.query(
            "SELECT ?f WHERE { <%s> <%sdistribution> ?x . ?x <%sformat> ?f }"
            % (v, DCAT, DCT))
        check(sorted(r["f"]["value"] for r in formats) ==
              [FILE_TYPE + "PDF", FILE_TYPE + "XLSX", FILE_TYPE + "ZIP"] and
              values(fx, v, DCAT + "distribution").count(
                  "https://data.example.org/id/distribution/verkehr-archiv")
              == 1,
              "the uri extra names the dataset, a resource uri the "
              "distribution; XLSX, PDF and zip are EU file types")
        h = fx.site() + "/dataset/0a1b2c3d-0000-4000-8000-000000000003"
        hf = fx.query("SELECT ?f ?m WHERE { <%s> <%sdistribution> ?x . "
                      "OPTIONAL { ?x <%sformat> ?f } OPTIONAL { ?x "
                      "<%smediaType> ?m } }" % (h, DCAT, DCT, DCAT))
        fs = sorted(r["f"]["value"] for r in hf if "f" in r)
        ms = sorted(r["m"]["value"] for r in hf if "m" in r)
        check(fs == ["Esri Shapefile Spezial"] and ms == [
            "https://www.iana.org/assignments/media-types/text/plain"],
              "an unknown format stays a literal, a media type given as "
              "format is the media type (%s, %s)" % (fs, ms))
        original = fx.query(
            "SELECT ?v WHERE { GRAPH ?g { ?g "
            "<http://xmlns.com/foaf/0.1/primaryTopic> <%s> ; <%ssource> ?s ."
            " ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?v } }"
            % (d, DCT))
        check(len(original) == 1 and
              json.loads(original[0]["v"]["value"]).get("id") == LUFT,
              "the package's own JSON is kept on the catalogue record")
        check(not fx.query("SELECT ?d WHERE { ?d <%stitle> "
                           "\"Interner Entwurf\" }" % DCT),
              "the private package is not harvested")
        # Nothing changed: incremental, nothing written.
        gen = fx.generation()
        before = len(fx.log())
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 0, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 0, "pages": 1},
            "second run: incremental, nothing listed (%s)"
            % (counts(runs[0]) if runs else err))
        check(fx.generation() == gen,
              "an unchanged portal writes no quad (generation stays %s)"
              % gen)
        asked = searches(fx, before)
        check(len(asked) == 1 and asked[0].get("fq", "").startswith(
            "metadata_modified:[") and asked[0]["fq"].endswith("Z TO *]"),
              "the second run asks with fq=metadata_modified:[SINCE TO *] "
              "(%s)" % asked)
        check(len(titles(fx)) == 5,
              "an incremental run keeps the packages it did not list")
        rc, runs, err = fx.harvest(cfg, "--full")
        check(rc == 0 and runs and runs[0]["updated"] == 5 and
              runs[0]["deleted"] == 0,
              "--full lists everything and writes every record again (%s)"
              % (counts(runs[0]) if runs else err))
    finally:
        fx.close()


def scenario_change_and_delete():
    fx = Fixture("change")
    try:
        cfg = fx.config([ckan_source(fx)])
        fx.harvest(cfg)
        packages = fx.packages()
        packages[3]["title"] = "Schulstandorte 2"
        packages[3]["metadata_modified"] = now_ckan()
        fx.set_packages(packages)
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 0, "updated": 1, "unchanged": 0,
            "deleted": 0, "failed": 0, "pages": 1},
            "one changed package is one update (%s)"
            % (counts(runs[0]) if runs else err))
        check("Schulstandorte 2" in titles(fx) and
              "Schulstandorte" not in titles(fx),
              "the update replaced the record's statements")
        gone = packages.pop(4)  # Baumkataster
        fx.set_packages(packages)
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0]["deleted"] == 0 and
              runs[0].get("listing") == "incremental" and
              gone["title"] in titles(fx),
              "an incremental run does not delete what it does not list (%s)"
              % (counts(runs[0]) if runs else err))
        # The last complete listing (the first run) is younger than the
        # source's complete_listing: the run stays incremental.
        cfg = fx.config([ckan_source(fx, complete_listing="PT1H")])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0].get("listing") == "incremental"
              and runs[0]["deleted"] == 0,
              "complete_listing PT1H, the last complete listing seconds ago: "
              "incremental (%s)" % (runs[0] if runs else err))
        # Older than complete_listing: everything is listed, the unchanged
        # cost no write and the package gone is deleted.  What counts is
        # the last complete listing (the first run, over 3 s ago), not the
        # last complete run (an incremental one, just now).
        time.sleep(3.1)
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0].get("listing") == "incremental",
              "an incremental run just before (%s)"
              % (runs[0].get("listing") if runs else err))
        cfg = fx.config([ckan_source(fx, complete_listing="PT3S")])
        before = fx.generation()
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0].get("listing") == "complete" and
              counts(runs[0]) == {
                  "status": "complete", "added": 0, "updated": 0,
                  "unchanged": 4, "deleted": 1, "failed": 0, "pages": 3}
              and gone["title"] not in titles(fx)
              and fx.generation() == before + 1,
              "complete_listing PT3S, 3 s after the last complete listing: "
              "everything listed, the 4 unchanged not written, the package "
              "gone deleted in one commit (%s)"
              % (counts(runs[0]) if runs else err))
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0].get("listing") == "incremental",
              "the next run is incremental again (%s)"
              % (runs[0].get("listing") if runs else err))
        gone2 = packages.pop(0)
        fx.set_packages(packages)
        cfg = fx.config([ckan_source(fx, complete_listing="always")])
        rc, runs, err = fx.harvest(cfg, "--full")
        check(rc == 0 and runs and runs[0]["deleted"] == 1 and
              runs[0]["status"] == "complete" and
              runs[0].get("listing") == "complete" and
              gone2["title"] not in titles(fx),
              "a package gone from a full listing is deleted (%s)"
              % (counts(runs[0]) if runs else err))
        cfg = fx.config([ckan_source(fx, complete_listing="never")])
        packages.pop(0)
        fx.set_packages(packages)
        time.sleep(1.1)
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0].get("listing") == "incremental"
              and runs[0]["deleted"] == 0,
              "complete_listing never: incremental however old the last "
              "complete listing (%s)" % (runs[0] if runs else err))
        cfg = fx.config([ckan_source(fx, complete_listing="always")])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and runs[0].get("listing") == "complete"
              and runs[0]["deleted"] == 1,
              "complete_listing always: every run lists everything (%s)"
              % (counts(runs[0]) if runs else err))
    finally:
        fx.close()


def scenario_failures():
    fx = Fixture("fail")
    try:
        cfg = fx.config([ckan_source(fx)])
        fx.harvest(cfg)
        packages = fx.packages()
        fx.set_packages(packages[1:])  # one gone: a full run would delete
        cases = [
            ({"max_rows": 2, "mode": "success-false", "mode_from_start": 2},
             "success:false"),
            ({"max_rows": 2, "mode": "malformed", "mode_from_start": 2},
             "not a JSON answer"),
            ({"max_rows": 2, "mode": "truncated", "mode_from_start": 2},
             "not a JSON answer"),
            ({"max_rows": 2, "mode": "count-drift", "mode_from_start": 2},
             "count changed"),
            ({"max_rows": 2, "mode": "deep", "mode_from_start": 0},
             "deeper than 64"),
            ({"max_rows": 2, "mode": "short"}, "stopped short"),
        ]
        for control, expected in cases:
            fx.set_control(control)
            rc, runs, err = fx.harvest(cfg, "--full")
            check(rc == 1 and runs and runs[0]["status"] == "failed" and
                  runs[0]["deleted"] == 0 and
                  expected in (runs[0]["message"] or ""),
                  "%s fails the listing and deletes nothing (%s: %s)"
                  % (control["mode"], counts(runs[0]) if runs else err,
                     runs[0]["message"] if runs else ""))
        check(len(titles(fx)) == 5, "all 5 datasets are still there")
        fx.set_control({"max_rows": 2})
        # Odd values where CKAN has strings, lists and objects: mapped as
        # far as they go, nothing fails.
        odd = {"id": "odd", "name": "odd", "title": None, "notes": 7,
               "tags": {"name": "x"}, "extras": "none", "groups": None,
               "organization": "org", "url": "not a url",
               "license_url": "x y", "license_id": None,
               "maintainer_email": "a b@c", "metadata_created": "2019-13-45",
               "metadata_modified": "yesterday",
               "resources": [7, None, {"size": -1, "hash": "xyz",
                                       "format": "", "mimetype": "a/b/c",
                                       "url": "ftp://x y", "uri": "None",
                                       "created": "2019-01-01T25:00:00"},
                             {"id": "r", "package_id": "odd",
                              "size": "12a", "hash": "abc",
                              "format": "." + "x" * 300,
                              "description": " " + "y" * 5000 + " "}]}
        fx.set_packages(packages + [odd, {"name": "ohne-id",
                                          "title": "Ohne Id",
                                          "metadata_modified": now_ckan()}])
        rc, runs, err = fx.harvest(cfg, "--full")
        errors = runs[0]["errors"] if runs else []
        check(rc == 0 and runs and runs[0]["status"] == "complete" and
              runs[0]["failed"] == 1 and runs[0]["unchanged"] +
              runs[0]["updated"] + runs[0]["added"] == 6 and
              len(errors) == 1 and "no id" in errors[0]["message"],
              "a package without an id fails alone, odd values do not fail "
              "(%s: %s)" % (counts(runs[0]) if runs else err, errors))
        cfg_q = fx.config([ckan_source(fx, name="query", query="bäume")])
        before = len(fx.log())
        rc, runs, err = fx.harvest(cfg_q)
        asked = searches(fx, before)
        check(rc == 0 and runs and runs[0]["added"] == 1 and asked and
              asked[0].get("q") == "bäume",
              "a source query is sent URL-encoded as q= (%s, %s)"
              % (counts(runs[0]) if runs else err, asked))
    finally:
        fx.close()


def scenario_external():
    path = os.path.join(EXTERNAL, "ckan-api-package-search-birmingham",
                        "package_search.json")
    if not EXTERNAL or not os.path.isfile(path):
        print("skip the Birmingham package_search response: %s is absent "
              "(set the external_data option)" % path)
        return
    fx = Fixture("birmingham")
    try:
        # As it was captured: count 38, 10 results, and no more pages.
        os.makedirs(os.path.join(fx.root, "ckan", "bham"))
        shutil.copy(path, os.path.join(fx.root, "ckan", "bham",
                                       "page-0.json"))
        cfg = fx.config([ckan_source(fx, name="bham", portal="bham")])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 1 and runs and runs[0]["added"] == 10 and
              runs[0]["status"] == "failed" and runs[0]["deleted"] == 0,
              "the real response: 10 of count 38, then nothing: the 10 are "
              "kept, the run fails (%s: %s)"
              % (counts(runs[0]) if runs else err,
                 runs[0]["message"] if runs else ""))
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        doc["result"]["count"] = len(doc["result"]["results"])
        fx.write_json("ckan/bham/page-0.json", doc)
        rc, runs, err = fx.harvest(cfg, "--full")
        check(rc == 0 and runs and runs[0]["status"] == "complete" and
              runs[0]["updated"] == 10 and runs[0]["failed"] == 0,
              "with the count made to match, the listing is complete (%s)"
              % (counts(runs[0]) if runs else err))
        pkg = doc["result"]["results"][0]
        d = fx.site("bham") + "/dataset/" + pkg["id"]
        check(values(fx, d, DCT + "title") == [pkg["title"]] and
              values(fx, d, DCT + "license") == [pkg["license_url"]] and
              len(values(fx, d, DCAT + "distribution")) ==
              len(pkg["resources"]),
              "a real package: title, licence, one distribution per resource")
        xls = fx.query("SELECT DISTINCT ?x WHERE { ?x <%sformat> <%sXLS> ; "
                       "<%sdownloadURL> ?u }" % (DCT, FILE_TYPE, DCAT))
        check(len(xls) >= 50,
              "XLS uploads are EU file type XLS with a download URL (%d)"
              % len(xls))
        pub = fx.query("SELECT DISTINCT ?n WHERE { ?d <%spublisher> ?p . ?p "
                       "<http://xmlns.com/foaf/0.1/name> ?n }" % DCT)
        check([r["n"]["value"] for r in pub] == ["Birmingham City Council"],
              "the publisher is the organization (%s)" % pub)
    finally:
        fx.close()


def scenario_small_transactions():
    """A write transaction that held more of the store's map at its commit
    than the run allows ($FAIRDEX_HARVEST_TXN_MAPPED, here 1 byte) makes
    the next ones smaller (50 records, the least): the 1,200 packages of
    two pages still all arrive, in more commits, and a --full run replaces
    each record's graph in such transactions too."""
    packages = [{
        "id": "pkg-%04d" % i, "name": "dataset-%d" % i,
        "title": "Studie %d" % i, "notes": "Messwerte der Studie %d." % i,
        "metadata_modified": "2024-02-01T00:%02d:%02d.000000"
        % (i // 60 % 60, i % 60),
        "organization": {"id": "org-%d" % (i % 7), "name": "org-%d" % (i % 7),
                         "title": "Klinik %d" % (i % 7)},
        "tags": [{"name": "herz"}], "private": False, "type": "dataset",
        "resources": [{"id": "res-%d" % i, "format": "CSV",
                       "url": "https://data.example.org/%d.csv" % i}]}
        for i in range(1200)]
    commits = {}
    for budget in ("", "1"):
        fx = Fixture("txn" + budget)
        try:
            fx.set_packages(packages)
            fx.set_control({})  # pages of 1,000
            cfg = fx.config([ckan_source(fx)])
            rc, runs, err = fx.harvest(
                cfg, env={"FAIRDEX_HARVEST_TXN_MAPPED": budget} if budget
                else None)
            check(rc == 0 and len(runs) == 1 and
                  counts(runs[0])["added"] == 1200 and
                  runs[0]["pages"] == 2 and runs[0]["status"] == "complete",
                  "budget %r: 1,200 packages added (%s)"
                  % (budget, counts(runs[0]) if runs else err.strip()))
            rows = fx.query("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?d a "
                            "<%sDataset> ; <%stitle> ?t }" % (DCAT, DCT))
            check(rows and rows[0]["n"]["value"] == "1200",
                  "budget %r: 1,200 datasets with their titles in the store "
                  "(%s)" % (budget, rows))
            commits[budget] = fx.generation()
            rc, runs, err = fx.harvest(
                cfg, "--full", env={"FAIRDEX_HARVEST_TXN_MAPPED": budget}
                if budget else None)
            check(rc == 0 and runs and runs[0]["updated"] == 1200,
                  "budget %r: a --full run writes the 1,200 again (%s)"
                  % (budget, counts(runs[0]) if runs else err.strip()))
            rows = fx.query("SELECT (COUNT(?t) AS ?n) WHERE { ?d a "
                            "<%sDataset> ; <%stitle> ?t }" % (DCAT, DCT))
            check(rows and rows[0]["n"]["value"] == "1200",
                  "budget %r: still one title each (%s)" % (budget, rows))
        finally:
            fx.close()
    check(None not in commits.values() and commits["1"] >= commits[""] + 3,
          "the 200 records of the second page take 4 transactions with the "
          "budget of 1 byte, 1 without, as the first page's 1,000 take 1 "
          "(store generations %s)" % commits)


def main():
    return run_scenarios((scenario_first_and_unchanged, scenario_change_and_delete,
                     scenario_failures, scenario_small_transactions,
                     scenario_external))


if __name__ == "__main__":
    sys.exit(main())
