#!/usr/bin/env python3
"""The OAI-PMH adapter end to end (suite 'harvest'): the real `fairdex
harvest` against the loopback fixture server (fixture_server.py, route
/oai/NAME, which replays files by a pyoai-style mapping.txt).

Our own small responses (tests/harvest/data/oai/, invented, CC0): a
resumptionToken chain of three pages with a deleted record, oai_dc and
oai_datacite records, an error page per OAI error code, a
badResumptionToken in the middle of the chain, and broken pages (truncated,
not XML, a DOCTYPE declaring entities, billion laughs, not OAI-PMH).  Checked: the chain is
followed to the end; a second run asks from= (Identify's granularity) and
writes nothing when nothing changed; a deleted record removes a harvested
one while unlisted records stay; badResumptionToken fails the listing and
deletes nothing; noRecordsMatch is an empty complete listing; every other
error code fails naming the code; a malformed page fails its source alone;
the DataCite mapping (title, ORCID creator, DOI IRI, licence).  With the
external data present, the real responses of sickle, pyoai and viringo
are harvested too.

usage: test_oai.py FAIRDEX FIXTURE_SERVER DATA_DIR [EXTERNAL_DATA]
Exit 0 when every check passes, 1 otherwise.
"""

import os
import re
import shutil
import sys
from urllib.parse import urlencode

FAIRDEX, SERVER, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harvest_fixture  # noqa: E402 (after the path it is found by)
from harvest_fixture import check, counts, run_scenarios  # noqa: E402

harvest_fixture.configure(FAIRDEX, SERVER, DATA)
EXTERNAL = sys.argv[4] if len(sys.argv) > 4 else ""

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
CODES = ["badArgument", "badResumptionToken", "badVerb",
         "cannotDisseminateFormat", "idDoesNotExist", "noRecordsMatch",
         "noMetadataFormats", "noSetHierarchy"]


class Fixture(harvest_fixture.Fixture):
    prefix = "oai"

    def oai_url(self, name):
        return "%s/oai/%s" % (self.url, name)


def oai_source(fx, name, folder=None, **opts):
    s = {"name": name, "type": "oai-pmh", "url": fx.oai_url(folder or name)}
    s.update(opts)
    return s


def datasets(fx):
    rows = fx.query("SELECT DISTINCT ?d WHERE { ?d a <%sDataset> }" % DCAT)
    return sorted(r["d"]["value"] for r in rows)


def values(fx, subject, prop):
    rows = fx.query("SELECT ?o WHERE { <%s> <%s> ?o }" % (subject, prop))
    return sorted(r["o"]["value"] for r in rows)


def oai_requests(fx, since=0):
    return [e["path"] for e in fx.log()[since:]
            if e["path"].startswith("/oai/")]


def mapping_line(**query):
    """A mapping.txt query line, as the fixture server canonicalises it."""
    return urlencode(sorted(query.items()))


# ---------------------------------------------------------------------------

def scenario_chain_incremental():
    fx = Fixture("chain")
    try:
        cfg = fx.config([oai_source(fx, "repo")])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and len(runs) == 1 and counts(runs[0]) == {
            "status": "complete", "added": 4, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 0, "pages": 3},
            "first run: 4 records from a chain of 3 pages (%s %s)"
            % (counts(runs[0]) if runs else runs, err.strip()))
        reqs = oai_requests(fx)
        check(len(reqs) == 3 and "verb=ListRecords" in reqs[0]
              and "metadataPrefix=oai_dc" in reqs[0]
              and "from=" not in reqs[0]
              and "resumptionToken=page%202%2F3" in reqs[1]
              and "resumptionToken=page%203%2F3" in reqs[2],
              "ListRecords, then the URL-encoded resumptionTokens (%s)"
              % reqs)
        minted = [d for d in datasets(fx)
                  if d.startswith("https://cat.example.org/dataset/repo-")]
        check(datasets(fx) == sorted(
            ["https://repo.example.org/record/1",
             "https://doi.org/10.99999/soil.2023",
             "http://repo.example.org/record/4"] + minted)
            and len(minted) == 1 and len(minted[0]) == len(
                "https://cat.example.org/dataset/repo-") + 16,
            "dataset IRIs: the only http identifier, the DOI, or minted "
            "(%s)" % datasets(fx))
        r1 = "https://repo.example.org/record/1"
        rows = fx.query('SELECT ?t (LANG(?t) AS ?l) WHERE { <%s> <%stitle> ?t'
                        ' }' % (r1, DCT))
        check(sorted((r["t"]["value"], r["l"]["value"]) for r in rows) == [
            ("Pegelstände der Weser 2019-2024", "de"),
            ("River gauge readings, Weser 2019-2024", "en")],
            "oai_dc titles keep their xml:lang (%s)" % rows)
        check(values(fx, r1, DCT + "language") == [
            "http://publications.europa.eu/resource/authority/language/DEU"],
            "dc:language 'ger' is the EU language authority's DEU")
        rows = fx.query("SELECT ?n WHERE { <%s> <%screator> ?a . ?a a <%s"
                        "Agent> ; <%sname> ?n }" % (r1, DCT, FOAF, FOAF))
        check([r["n"]["value"] for r in rows] == ["Lindqvist, Maja"],
              "dc:creator is a foaf:Agent with foaf:name")
        rows = fx.query("SELECT (DATATYPE(?d) AS ?t) WHERE { <%s> <%sissued>"
                        " ?d }" % (r1, DCT))
        check([r["t"]["value"] for r in rows] ==
              ["http://www.w3.org/2001/XMLSchema#date"],
              "dc:date 2024-11-05 is dct:issued xsd:date")
        check(values(fx, r1, DCAT + "keyword") == ["hydrology",
                                                   "river gauges"]
              and values(fx, r1, DCAT + "landingPage") == [r1]
              and values(fx, r1, DCT + "type") == ["Dataset"],
              "keywords, landing page and dct:type")
        rows = fx.query("SELECT ?f WHERE { <%s> <%sdistribution> ?x . ?x "
                        "<%saccessURL> <%s> ; <%sformat> ?f }"
                        % (r1, DCAT, DCAT, r1, DCT))
        check([r["f"]["value"] for r in rows] == ["text/csv"],
              "dc:format is on a distribution at the landing page")
        rows = fx.query("SELECT ?v WHERE { GRAPH ?g { ?g <%sprimaryTopic> "
                        "<%s> ; <%ssource> [ <http://www.w3.org/1999/02/22-"
                        "rdf-syntax-ns#value> ?v ] } }" % (FOAF, r1, DCT))
        check(len(rows) == 1 and rows[0]["v"]["value"].startswith("<record")
              and "Lindqvist" in rows[0]["v"]["value"]
              and 'xmlns="http://www.openarchives.org/OAI/2.0/"'
              in rows[0]["v"]["value"],
              "the catalogue record keeps the <record> XML as its original")
        title4 = values(fx, "http://repo.example.org/record/4", DCT + "title")
        check(title4 == ["Air quality & weather, station 4"],
              "character references are read (%s)" % title4)

        # Nothing changed: from= with the time of the last run.
        gen = fx.generation()
        before = len(fx.log())
        rc, runs, err = fx.harvest(cfg)
        reqs = oai_requests(fx, before)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 0, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 0, "pages": 2},
            "second run: noRecordsMatch, nothing to do (%s %s)"
            % (counts(runs[0]) if runs else runs, err.strip()))
        check(len(reqs) == 2 and "verb=Identify" in reqs[0] and re.search(
            r"from=\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\dZ", reqs[1]),
            "an incremental run asks Identify, then from= in seconds (%s)"
            % reqs)
        check(fx.generation() == gen,
              "nothing changed: no write (generation stays %s)" % gen)
        check(len(datasets(fx)) == 4,
              "records the incremental run did not list are kept")

        # A change: record 1 deleted, record 2 updated.
        page1 = fx.read("oai/repo/page1.xml")
        start = page1.index("<record>", page1.index("oai:repo.example.org:1")
                            - 200)
        rec2 = page1[page1.index("<record>", start + 10):
                     page1.index("<resumptionToken")]
        fx.write("oai/repo/changes.xml", page1[:start]
                 + "<record><header status=\"deleted\"><identifier>"
                 "oai:repo.example.org:1</identifier><datestamp>"
                 "2025-03-01T00:00:00Z</datestamp></header></record>\n"
                 + rec2.replace("Soil moisture survey",
                                "Soil moisture survey, revised")
                 + "</ListRecords>\n</OAI-PMH>\n")
        mapping = fx.read("oai/repo/mapping.txt")
        fx.write("oai/repo/mapping.txt",
                 mapping.replace("norecords.xml", "changes.xml"))
        before = len(fx.log())
        rc, runs, err = fx.harvest(cfg)
        log = [e for e in fx.log()[before:] if e["path"].startswith("/oai/")]
        check(len(log) == 2 and "If-None-Match" in log[0]["headers"]
              and re.search(r"from=[0-9-]+T", log[1]["path"]),
              "Identify unchanged (304): the granularity kept from the last "
              "run still gives from= in seconds")
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 0, "updated": 1, "unchanged": 0,
            "deleted": 1, "failed": 0, "pages": 2},
            "incremental run: one deleted, one updated (%s %s)"
            % (counts(runs[0]) if runs else runs, err.strip()))
        check(r1 not in datasets(fx) and len(datasets(fx)) == 3,
              "the deleted record is gone, the unlisted ones stay (%s)"
              % datasets(fx))
        check(values(fx, "https://doi.org/10.99999/soil.2023",
                     DCT + "title") == ["Soil moisture survey, revised"],
              "the update replaced the record's statements")

        # Day granularity: from= is cut to the date.
        fx.write("oai/repo/identify.xml", fx.read("oai/repo/identify.xml")
                 .replace("YYYY-MM-DDThh:mm:ssZ", "YYYY-MM-DD"))
        before = len(fx.log())
        rc, runs, err = fx.harvest(cfg)
        reqs = oai_requests(fx, before)
        check(rc == 0 and len(reqs) == 2 and re.search(
            r"from=\d{4}-\d\d-\d\d(&|$)", reqs[1]),
            "with day granularity from= is a date (%s)" % reqs)

        # badResumptionToken mid-chain: the listing fails, nothing deleted.
        fx.write("oai/repo/mapping.txt", fx.read("oai/repo/mapping.txt")
                 .replace("page2.xml", "badtoken.xml"))
        kept = datasets(fx)
        rc, runs, err = fx.harvest(cfg, "--full")
        check(rc == 1 and runs and runs[0]["status"] == "failed"
              and runs[0]["deleted"] == 0
              and "badResumptionToken" in (runs[0].get("message") or ""),
              "badResumptionToken fails the run and deletes nothing (%s: %s)"
              % (counts(runs[0]) if runs else runs,
                 runs[0].get("message") if runs else err))
        check(set(kept) <= set(datasets(fx)),
              "after the failed listing every dataset is still there (%s)"
              % datasets(fx))
    finally:
        fx.close()


def scenario_resume_after_failure():
    fx = Fixture("resume")
    try:
        cfg = fx.config([oai_source(fx, "repo")])
        mapping = fx.read("oai/repo/mapping.txt")
        fx.write("oai/repo/mapping.txt",
                 mapping.replace("page2.xml", "badtoken.xml"))
        rc, runs, err = fx.harvest(cfg)
        check(rc == 1 and runs and runs[0]["status"] == "failed"
              and runs[0]["added"] == 2,
              "a first run failing on page 2 keeps page 1's records (%s)"
              % (counts(runs[0]) if runs else err))
        fx.write("oai/repo/mapping.txt", mapping)
        before = len(fx.log())
        rc, runs, err = fx.harvest(cfg)
        log = [e for e in fx.log()[before:] if e["path"].startswith("/oai/")]
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 2, "updated": 0, "unchanged": 2,
            "deleted": 0, "failed": 0, "pages": 3},
            "the next run is a full listing: page 1 unchanged (304, its "
            "token kept), pages 2 and 3 read (%s)"
            % (counts(runs[0]) if runs else err))
        check(len(log) == 3 and "from=" not in log[0]["path"]
              and "If-None-Match" in log[0]["headers"]
              and "resumptionToken=page%202%2F3" in log[1]["path"],
              "no from= after a failed run; page 1 asked conditionally")
        check(len(datasets(fx)) == 4, "all four datasets are there")
    finally:
        fx.close()


def scenario_error_codes():
    fx = Fixture("errors")
    try:
        sources = [oai_source(fx, "e-" + code, "errors", set=code)
                   for code in CODES]
        rc, runs, err = fx.harvest(fx.config(sources))
        check(rc == 1 and len(runs) == len(CODES), "one run per source")
        for code, run in zip(CODES, runs):
            msg = run.get("message") or ""
            if code == "noRecordsMatch":
                check(run["status"] == "complete" and run["added"] == 0,
                      "noRecordsMatch is an empty complete listing (%s)"
                      % counts(run))
            else:
                check(run["status"] == "failed" and code in msg
                      and "the repository says " + code in msg,
                      "%s fails the listing, naming code and message (%s)"
                      % (code, msg))
    finally:
        fx.close()


def scenario_malformed():
    fx = Fixture("malformed")
    try:
        broken = ["truncated", "notxml", "entities", "laughs", "other"]
        sources = [oai_source(fx, "repo")] + [
            oai_source(fx, "b-" + b, "broken", set=b) for b in broken]
        rc, runs, err = fx.harvest(fx.config(sources))
        check(rc == 1 and len(runs) == 6 and runs[0]["status"] == "complete"
              and runs[0]["added"] == 4,
              "a good source next to broken ones completes (%s)"
              % [counts(r) for r in runs])
        for b, run in zip(broken, runs[1:]):
            check(run["status"] == "failed" and run["added"] == 0,
                  "a %s page fails its listing alone (%s)"
                  % (b, run.get("message")))
        msgs = {b: r.get("message") or "" for b, r in zip(broken, runs[1:])}
        check("not well-formed" in msgs["truncated"]
              and "not well-formed" in msgs["notxml"]
              and "declares entities" in msgs["entities"]
              and "not well-formed" in msgs["laughs"]
              and "not an OAI-PMH" in msgs["other"],
              "the messages say why (%s)" % msgs)
        rc, runs, err = fx.harvest(fx.config([oai_source(fx, "loop")]))
        check(rc == 1 and runs and runs[0]["status"] == "failed"
              and runs[0]["pages"] == 2
              and "repeats" in (runs[0].get("message") or ""),
              "a resumptionToken that repeats stops the listing (%s)"
              % (runs[0].get("message") if runs else err))
    finally:
        fx.close()


def scenario_datacite():
    fx = Fixture("datacite")
    try:
        cfg = fx.config([oai_source(fx, "dc4", "datacite",
                                    metadata_prefix="oai_datacite")])
        rc, runs, err = fx.harvest(cfg)
        check(rc == 0 and runs and counts(runs[0]) == {
            "status": "complete", "added": 2, "updated": 0, "unchanged": 0,
            "deleted": 0, "failed": 0, "pages": 1},
            "two oai_datacite records (%s %s)"
            % (counts(runs[0]) if runs else runs, err.strip()))
        d = "https://doi.org/10.99999/GLACIER.7"
        check(d in datasets(fx), "a DOI identifier is the dataset IRI")
        check(values(fx, d, DCT + "title") ==
              ["Glacier surface velocities, Vatnajokull 2015-2024"]
              and values(fx, d, DCT + "alternative") ==
              ["Sentinel-1 feature tracking"],
              "title, and a typed title as dct:alternative")
        rows = fx.query("SELECT ?a ?n WHERE { <%s> <%screator> ?a . ?a "
                        "<%sname> ?n }" % (d, DCT, FOAF))
        got = sorted((r["a"]["type"], r["a"]["value"], r["n"]["value"])
                     for r in rows)
        check(len(got) == 2 and got[1] == (
            "uri", "https://orcid.org/0000-0002-1825-0097",
            "Haraldsdottir, Sigrun") and got[0][0] == "bnode",
            "a creator with an ORCID is named by it, the other is a blank "
            "node (%s)" % got)
        check(values(fx, d, DCT + "license") ==
              ["https://creativecommons.org/licenses/by/4.0/"],
              "a Creative Commons rightsURI is dct:license")
        check(values(fx, d, DCT + "issued") == ["2024-04-15"]
              and values(fx, d, DCT + "created") == ["2024-03-01"]
              and values(fx, d, DCT + "modified") == ["2025-01-20T10:00:00Z"],
              "dates: Issued wins over publicationYear, Created, Updated")
        check(values(fx, d, DCT + "type") == ["Dataset"]
              and values(fx, d, DCT + "isPartOf") ==
              ["https://doi.org/10.99999/GLACIER"]
              and values(fx, d, DCT + "description") ==
              ["Annual mean surface velocities on a 100 m grid."]
              and values(fx, d, DCT + "identifier") ==
              ["10.99999/GLACIER.7", "oai:data.example.org:glacier-7"],
              "type, relation, abstract only, identifiers")
        rows = fx.query("SELECT ?f ?s WHERE { <%s> <%sdistribution> ?x . ?x "
                        "<%saccessURL> <%s> ; <%sformat> ?f ; <%sbyteSize> "
                        "?s }" % (d, DCAT, DCAT, d, DCT, DCAT))
        check([(r["f"]["value"], r["s"]["value"]) for r in rows] ==
              [("application/x-netcdf", "48213377")],
              "formats and a byte size on a distribution at the DOI")
        other = [x for x in datasets(fx) if x != d]
        check(len(other) == 1 and other[0].startswith(
            "https://cat.example.org/dataset/dc4-")
            and values(fx, other[0], DCT + "issued") == ["2019"],
            "no DOI: a minted IRI; publicationYear as dct:issued (%s)"
            % other)
        rows = fx.query("SELECT ?l WHERE { <%s> <%srights> ?r . ?r a <%s"
                        "RightsStatement> ; <http://www.w3.org/2000/01/rdf-"
                        "schema#label> ?l }" % (other[0], DCT, DCT))
        check([r["l"]["value"] for r in rows] ==
              ["Access on request to the data steward."],
              "rights without a licence URI are a dct:RightsStatement")
    finally:
        fx.close()


def scenario_external():
    base = os.path.join(EXTERNAL, "")
    sickle = os.path.join(EXTERNAL, "oai-pmh-sickle", "sample_data")
    pyoai = os.path.join(EXTERNAL, "oai-pmh-pyoai")
    viringo = os.path.join(EXTERNAL, "oai-pmh-datacite-viringo", "fixtures")
    if not EXTERNAL or not all(os.path.isdir(p)
                               for p in (sickle, pyoai, viringo)):
        print("skip the external OAI-PMH responses (%s)"
              % ("not in " + base if EXTERNAL else "no external data folder"))
        return
    fx = Fixture("external")
    try:
        # sickle: a four-page chain, the same records again on each page.
        shutil.copytree(sickle, fx.path("oai/sickle"))
        lines = [mapping_line(verb="ListRecords", metadataPrefix="oai_dc"),
                 "ListRecords.xml"]
        for n in (2, 3, 4):
            lines += [mapping_line(verb="ListRecords",
                                   resumptionToken="ListRecords%d.xml" % n),
                      "ListRecords%d.xml" % n]
        for code in ("badArgument", "badResumptionToken",
                     "cannotDisseminateFormat", "idDoesNotExist",
                     "noRecordsMatch", "noSetHierarchy"):
            lines += [mapping_line(verb="ListRecords",
                                   metadataPrefix="oai_dc", set=code),
                      code + ".xml"]
        lines += [mapping_line(verb="ListRecords", metadataPrefix="oai_dc",
                               set="broken"), "ListRecordsBroken.xml"]
        fx.write("oai/sickle/mapping.txt", "\n".join(lines) + "\n")
        # pyoai fake1: the 16 records of its ListRecords.
        shutil.copytree(os.path.join(pyoai, "fake1"), fx.path("oai/pyoai"))
        with open(fx.path("oai/pyoai/mapping.txt"), "a") as f:
            f.write("\n%s\n00005.xml\n" % mapping_line(
                verb="ListRecords", metadataPrefix="oai_dc"))
        # viringo: oai_dc ListRecords; its token ends at an empty page;
        # its GetRecord oai_datacite record served as a ListRecords page.
        os.makedirs(fx.path("oai/viringo"))
        shutil.copy(os.path.join(viringo, "oai_listrecords_dc.xml"),
                    fx.path("oai/viringo/list.xml"))
        with open(os.path.join(viringo, "oai_getrecord_oaidatacite.xml"),
                  encoding="utf-8") as f:
            fx.write("oai/viringo/datacite.xml", f.read()
                     .replace("<GetRecord>", "<ListRecords>")
                     .replace("</GetRecord>", "</ListRecords>"))
        fx.write("oai/viringo/end.xml",
                 '<?xml version="1.0"?><OAI-PMH xmlns="http://www.'
                 'openarchives.org/OAI/2.0/"><ListRecords><resumptionToken/>'
                 '</ListRecords></OAI-PMH>\n')
        fx.write("oai/viringo/mapping.txt", "\n".join([
            mapping_line(verb="ListRecords", metadataPrefix="oai_dc"),
            "list.xml",
            mapping_line(verb="ListRecords", resumptionToken="metadataPrefix"
                         "%3Doai_dc%26set%3DDATACITE.DATACITE%26paging_cursor"
                         "%3D1%26cursor%3D1"), "end.xml",
            mapping_line(verb="ListRecords", metadataPrefix="oai_datacite"),
            "datacite.xml"]) + "\n")
        sources = [oai_source(fx, "sickle"),
                   oai_source(fx, "pyoai"),
                   oai_source(fx, "viringo"),
                   oai_source(fx, "viringo-dc", "viringo",
                              metadata_prefix="oai_datacite")]
        sources += [oai_source(fx, "sickle-" + c, "sickle", set=c)
                    for c in ("badArgument", "badResumptionToken",
                              "cannotDisseminateFormat", "idDoesNotExist",
                              "noRecordsMatch", "noSetHierarchy", "broken")]
        rc, runs, err = fx.harvest(fx.config(sources))
        by = {r["source"]: r for r in runs}
        s = by.get("sickle", {})
        check(s.get("status") == "complete" and s.get("pages") == 4
              and s.get("added", 0) >= 1 and s.get("failed") == 1,
              "sickle: the four-page resumptionToken chain; its deleted "
              "record without identifier fails alone (%s)" % counts(s))
        p = by.get("pyoai", {})
        check(p.get("status") == "complete" and p.get("added") == 16,
              "pyoai: the 16 records of its ListRecords (%s)" % counts(p))
        v = by.get("viringo", {})
        check(v.get("status") == "complete" and v.get("added") == 2
              and v.get("pages") == 2,
              "viringo: the oai_dc records, an encoded token (%s)"
              % counts(v))
        d = "https://doi.org/10.5072/not-a-real-doi"
        # The viringo oai_dc listing describes the same DOI (its creators
        # without ORCID are blank nodes there).
        rows = fx.query("SELECT ?a WHERE { <%s> <%screator> ?a FILTER "
                        "isIRI(?a) }" % (d, DCT))
        check(by.get("viringo-dc", {}).get("added") == 1 and sorted(
            r["a"]["value"] for r in rows) == [
                "https://orcid.org/0000-0002-8599-0773",
                "https://orcid.org/0000-0003-1419-2405"]
            and values(fx, d, DCT + "title") ==
            ["This is a fake DOI with fake metadata."],
            "viringo oai_datacite: DOI IRI, title, ORCID creators (%s)"
            % rows)
        for c in ("badArgument", "badResumptionToken",
                  "cannotDisseminateFormat", "idDoesNotExist",
                  "noSetHierarchy"):
            r = by.get("sickle-" + c, {})
            check(r.get("status") == "failed" and c in (r.get("message")
                                                         or ""),
                  "sickle %s fails naming the code" % c)
        r = by.get("sickle-noRecordsMatch", {})
        check(r.get("status") == "complete" and r.get("added") == 0,
              "sickle noRecordsMatch is an empty listing")
        r = by.get("sickle-broken", {})
        check(r.get("status") == "failed",
              "sickle ListRecordsBroken.xml fails (%s)" % r.get("message"))
        check(rc == 1, "exit 1 as some sources failed")
    finally:
        fx.close()


def main():
    return run_scenarios((scenario_chain_incremental,
                     scenario_resume_after_failure, scenario_error_codes,
                     scenario_malformed, scenario_datacite,
                     scenario_external))


if __name__ == "__main__":
    sys.exit(main())
