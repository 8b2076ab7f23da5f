/*
 * test_jsonld.c: the DCAT-AP JSON-LD of /api/datasets/{id} (and ?iri=)
 * with Accept: application/ld+json (web/serve_jsonld.c) is correct
 * JSON-LD: expanding it with the official DCAT-AP 3.0.1 context gives
 * exactly the quads of the resource, its distributions and the blank nodes
 * it embeds.
 *
 * The expansion is done by jsonld.js (the npm package `jsonld`) through
 * tests/integration/jsonld_check.js, with the shipped context
 * (web/contexts/dcat-ap-3.0.1.jsonld) and no network; the test is skipped
 * (77) when node or the package is missing (`npm install -g jsonld`).
 *
 * On the standard fixture plus an edge-case resource inserted here (two
 * classes with scoped contexts and one without a term, a literal rdf:type,
 * plain, language-tagged, typed and xsd:string literals under terms that
 * fit them and under terms that do not, strings that look like keywords
 * or IRIs, a blank distribution, a distribution IRI without quads, a
 * distribution IRI referenced by another property too, a blank node shared
 * by the resource and a distribution, a cycle of blank nodes, a blank node
 * that refers to itself, a chain of blank nodes deeper than the embedding
 * limit, nested blank nodes in a period of time and a checksum) and a data
 * service:
 *
 *   - every resource typed dcat:Dataset, dcat:DatasetSeries or
 *     dcat:DataService is answered (200, application/ld+json) by ?iri=;
 *   - jsonld_check.js: each answer is one object with the official
 *     @context URL and the resource's @id, and its quads are those of the
 *     resource as the graph holds them (compared after RDFC-1.0
 *     canonicalization against every triple of the default graph, read
 *     with a SPARQL CONSTRUCT);
 *   - a few shapes of the edge-case answer, checked here: @type terms, a
 *     literal under a full IRI key where the term wants IRIs, a value
 *     typed as its term fixes written as a string, the chain cut at the
 *     limit, the shared blank node labelled.
 *
 *   test_it_jsonld FAIRDEX SRCROOT
 */
#include "harness.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

/* MAX_DEPTH of web/serve_jsonld.c: keep them equal. */
#define MAX_DEPTH 8

#define CONTEXT_URL \
  "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld"
#define EDGE IT_BASE "dataset/jsonld-edge"
#define EX IT_BASE "ex/"

static ItServer srv;

/* The edge cases (INSERT DATA). */
static const char* const edge_update =
  "PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"
  "PREFIX dct: <http://purl.org/dc/terms/>\n"
  "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
  "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
  "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
  "PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>\n"
  "PREFIX spdx: <http://spdx.org/rdf/terms#>\n"
  "PREFIX ex: <" EX ">\n"
  "INSERT DATA {\n"
  "<" EDGE "> a dcat:Dataset, dcat:DatasetSeries, ex:OtherClass ;\n"
  "  rdf:type \"a literal type\" ;\n"
  "  dct:title \"plain title\", \"Titel\"@de, \"Title\"@en-GB,\n"
  "    \"typed title\"^^ex:customType, \"jsonld edge case\"@en ;\n"
  "  dct:language \"de\", <http://publications.europa.eu/resource/"
  "authority/language/DEU> ;\n"
  "  dct:identifier \"ID-1\", \"42\"^^xsd:integer ;\n"
  "  dcat:version \"1.0\"^^xsd:string ;\n"
  "  dcat:spatialResolutionInMeters \"1.5\"^^xsd:decimal, "
  "\"2.0\"^^xsd:double ;\n"
  "  dcat:temporalResolution \"P1D\"^^xsd:duration ;\n"
  "  dct:description \"quote \\\" backslash \\\\ newline \\n tab \\t "
  "unicode \\u2713 control \\u0001 end\"@en ;\n"
  "  dcat:keyword \"@id\", \"@type\", \"_:notblank\", "
  "\"http://example.org/not-an-iri\" ;\n"
  "  dcat:contactPoint [ a vcard:Kind ; vcard:fn \"Team\" ;\n"
  "    vcard:hasEmail <mailto:team@example.org> ] ;\n"
  "  dct:temporal [ a dct:PeriodOfTime ;\n"
  "    dcat:startDate \"2020-01-01\"^^xsd:date ;\n"
  "    dcat:endDate \"2020-12-31T23:59:59Z\"^^xsd:dateTime ;\n"
  "    ex:inner [ ex:v \"inner\" ; ex:w [ ex:v \"innermost\" ] ] ] ;\n"
  "  dct:relation _:shared ;\n"
  "  ex:deep _:c1 ;\n"
  "  ex:cycle _:y1 ;\n"
  "  ex:self _:z ;\n"
  "  dcat:distribution <" IT_BASE "distribution/jsonld-edge-a>, _:bd,\n"
  "    <" IT_BASE "distribution/jsonld-edge-missing> ;\n"
  "  dct:isReferencedBy <" IT_BASE "distribution/jsonld-edge-a> ;\n"
  "  ex:number \"7\"^^xsd:integer ;\n"
  "  ex:flag true .\n"
  "_:shared rdfs:label \"shared\" .\n"
  "<" IT_BASE "distribution/jsonld-edge-a> a dcat:Distribution ;\n"
  "  dct:title \"A\"@en ;\n"
  "  dcat:byteSize \"12\"^^xsd:nonNegativeInteger, \"13\"^^xsd:integer ;\n"
  "  dct:relation _:shared ;\n"
  "  dcat:accessURL <https://example.org/a> ;\n"
  "  dct:format \"CSV\" ;\n"
  "  spdx:checksum [ a spdx:Checksum ;\n"
  "    spdx:algorithm spdx:checksumAlgorithm_sha1 ;\n"
  "    spdx:checksumValue \"abcd\"^^xsd:hexBinary ] .\n"
  "_:bd a dcat:Distribution ; dct:title \"blank distribution\" ;\n"
  "  dcat:downloadURL <https://example.org/b> .\n"
  "_:c1 ex:next _:c2 . _:c2 ex:next _:c3 . _:c3 ex:next _:c4 .\n"
  "_:c4 ex:next _:c5 . _:c5 ex:next _:c6 . _:c6 ex:next _:c7 .\n"
  "_:c7 ex:next _:c8 . _:c8 ex:next _:c9 . _:c9 ex:next _:c10 .\n"
  "_:c10 ex:next _:c11 . _:c11 ex:v \"end of the chain\" .\n"
  "_:y1 ex:next _:y2 . _:y2 ex:next _:y1 .\n"
  "_:z ex:self _:z .\n"
  "<" IT_BASE "dataset/jsonld-service> a dcat:DataService ;\n"
  "  dct:title \"JSON-LD edge service\"@en ;\n"
  "  dcat:endpointURL <https://example.org/api> ;\n"
  "  dcat:servesDataset <" EDGE "> .\n"
  "}\n";

/* Run `argv` (node ...), its output into the test's; the exit status, or
 * 127 when it cannot be started, -1 when it died of a signal. */
static int
run(char* const* const argv)
{
  fflush(stdout);
  fflush(stderr);
  pid_t     pid = 0;
  const int err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
  if (err) {
    it_note("cannot run %s: %s", argv[0], strerror(err));
    return 127;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool
write_file(const char* const path, const char* const data, const size_t len)
{
  FILE* const f = fopen(path, "wb");
  if (!f) {
    return false;
  }
  const bool ok = fwrite(data, 1, len, f) == len;
  return fclose(f) == 0 && ok;
}

/* The resources of the default graph typed dcat:Dataset, DatasetSeries
 * or DataService (new strings, at most `max`); how many. */
static size_t
list_resources(char** const ret, const size_t max)
{
  char* const target = it_target(
    "/sparql?query=",
    "PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"
    "SELECT DISTINCT ?s WHERE { ?s a ?t . VALUES ?t { dcat:Dataset "
    "dcat:DatasetSeries dcat:DataService } FILTER(isIRI(?s)) } ORDER BY ?s");
  ItResponse r;
  it_get(&srv, target, "application/sparql-results+json", &r);
  free(target);
  IT_REQUIRE(r.status == 200, "SELECT the datasets, series and services");
  json_t* const root = it_json(r.body, r.body_len, NULL, 0);
  json_t* const rows = it_json_path(root, "results.bindings");
  size_t        n    = 0;
  for (size_t i = 0; i < json_array_size(rows) && n < max; ++i) {
    const char* const iri =
      json_string_value(it_json_path(json_array_get(rows, i), "s.value"));
    if (iri) {
      ret[n++] = strdup(iri);
    }
  }
  json_decref(root);
  it_response_free(&r);
  return n;
}

/* Checks of the edge-case answer that need no JSON-LD processor. */
static void
check_edge_shape(json_t* const doc)
{
  IT_CHECK(json_is_string(json_object_get(doc, "@context")) &&
             !strcmp(json_string_value(json_object_get(doc, "@context")),
                     CONTEXT_URL),
           "edge: @context is the official context URL");
  json_t* const ty = json_object_get(doc, "@type");
  IT_CHECK(json_array_size(ty) == 3 &&
             !strcmp(json_string_value(json_array_get(ty, 0)), "Dataset") &&
             !strcmp(json_string_value(json_array_get(ty, 1)),
                     "DatasetSeries") &&
             !strcmp(json_string_value(json_array_get(ty, 2)),
                     EX "OtherClass"),
           "edge: @type is [Dataset, DatasetSeries, the full IRI of a class "
           "without a term]");
  json_t* const lang_iri =
    json_object_get(doc, "http://purl.org/dc/terms/language");
  IT_CHECK(json_is_string(lang_iri) &&
             !strcmp(json_string_value(lang_iri), "de"),
           "edge: a literal dct:language is under the full IRI (the term "
           "\"language\" makes strings IRIs)");
  json_t* const language = json_object_get(doc, "language");
  IT_CHECK(json_array_size(language) == 1 &&
             json_is_string(json_array_get(language, 0)),
           "edge: the IRI dct:language is under \"language\" as a string");
  json_t* const res = json_object_get(doc, "spatialResolution");
  IT_CHECK(json_array_size(res) == 1 &&
             !strcmp(json_string_value(json_array_get(res, 0)), "1.5"),
           "edge: an xsd:decimal under \"spatialResolution\" (which fixes "
           "xsd:decimal) is the string \"1.5\"");
  IT_CHECK(json_is_object(json_object_get(
             doc, "http://www.w3.org/ns/dcat#spatialResolutionInMeters")),
           "edge: an xsd:double of the same property is a value object "
           "under the full IRI");
  json_t* const version = json_object_get(doc, "version");
  IT_CHECK(json_is_string(version) &&
             !strcmp(json_string_value(version), "1.0"),
           "edge: an xsd:string literal is a plain string");
  json_t* const ltype = json_object_get(
    doc, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
  IT_CHECK(json_is_string(ltype) &&
             !strcmp(json_string_value(ltype), "a literal type"),
           "edge: a literal rdf:type is a property, not @type");
  /* The chain: levels 1..MAX_DEPTH embedded, then a reference. */
  json_t* node  = json_object_get(doc, EX "deep");
  int     depth = 1;
  while (json_is_object(node) && json_object_get(node, EX "next") &&
         !json_object_get(node, "@id")) {
    node = json_object_get(node, EX "next");
    ++depth;
  }
  IT_CHECK(depth == MAX_DEPTH + 1 && json_is_object(node) &&
             json_object_size(node) == 1 &&
             json_is_string(json_object_get(node, "@id")) &&
             !strncmp(json_string_value(json_object_get(node, "@id")), "_:",
                      2),
           "edge: a chain of blank nodes is embedded %d levels deep, then "
           "referenced (got a reference at level %d)",
           MAX_DEPTH, depth);
  json_t* const rel = json_object_get(doc, "relatedResource");
  json_t* const shared = json_array_get(rel, 0);
  IT_CHECK(json_is_object(shared) &&
             json_is_string(json_object_get(shared, "@id")) &&
             json_object_get(shared, "http://www.w3.org/2000/01/"
                                     "rdf-schema#label"),
           "edge: a blank node the graph references twice is embedded with "
           "its label");
  json_t* const dists = json_object_get(doc, "datasetDistribution");
  size_t        n_obj = 0, n_str = 0;
  for (size_t i = 0; i < json_array_size(dists); ++i) {
    n_obj += json_is_object(json_array_get(dists, i));
    n_str += json_is_string(json_array_get(dists, i));
  }
  IT_CHECK(n_obj == 2 && n_str == 1,
           "edge: datasetDistribution embeds the IRI and the blank "
           "distribution and names the one without quads (%zu objects, %zu "
           "strings)",
           n_obj, n_str);
}

int
main(int argc, char** argv)
{
  it_begin("jsonld", argc, argv, 256);
  char checker[4400];
  snprintf(checker, sizeof(checker), "%s/jsonld_check.js", it_testdir);
  char* probe[] = {"node", checker, "--probe", NULL};
  const int probed = run(probe);
  if (probed != 0) {
    printf("skip: node or the npm package jsonld is missing (exit %d); "
           "install with `npm install -g jsonld`\n",
           probed);
    return 77;
  }

  it_server_prepare(&srv, "jsonld", true);
  IT_REQUIRE(it_server_start(&srv, NULL), "server started");

  char auth[600];
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", srv.admin_token);
  const ItRequest insert = {.method  = "POST",
                            .target  = "/sparql",
                            .headers = {"Content-Type: "
                                        "application/sparql-update",
                                        auth, NULL},
                            .body    = edge_update};
  ItResponse r;
  it_http(&srv, &insert, &r);
  IT_REQUIRE(IT_STATUS(&r, 200), "insert the edge cases");
  it_response_free(&r);

  char*        iris[64];
  const size_t n = list_resources(iris, 64);
  IT_CHECK(n == IT_N_CATALOG_DATASETS + 2,
           "%d resources: the catalogue's and the 2 edge cases (got %zu)",
           IT_N_CATALOG_DATASETS + 2, n);

  /* Every answer into a file. */
  char** const args = calloc(n + 6, sizeof(char*));
  char         context[4400];
  char         graph[4400];
  char         depth[16];
  snprintf(context, sizeof(context), "%s/web/contexts/dcat-ap-3.0.1.jsonld",
           it_srcroot);
  snprintf(graph, sizeof(graph), "%s/graph.nt", it_tmp);
  snprintf(depth, sizeof(depth), "%d", MAX_DEPTH);
  size_t k  = 0;
  args[k++] = "node";
  args[k++] = checker;
  args[k++] = context;
  args[k++] = graph;
  args[k++] = depth;
  bool edge_seen = false;
  for (size_t i = 0; i < n; ++i) {
    char* const target = it_target("/api/datasets?iri=", iris[i]);
    it_get(&srv, target, "application/ld+json", &r);
    free(target);
    char type[128];
    it_media_type(&r, type, sizeof(type));
    IT_CHECK(r.status == 200 && !strcmp(type, "application/ld+json"),
             "GET /api/datasets?iri=%s as JSON-LD: 200 application/ld+json "
             "(got %ld %s)",
             iris[i], r.status, type);
    char path[4400];
    snprintf(path, sizeof(path), "%s/answer-%zu.json", it_tmp, i);
    IT_REQUIRE(write_file(path, r.body, r.body_len), "write %s", path);
    const size_t len = strlen(iris[i]) + strlen(path) + 2;
    args[k]          = malloc(len);
    snprintf(args[k++], len, "%s=%s", iris[i], path);
    if (!strcmp(iris[i], EDGE)) {
      edge_seen          = true;
      json_t* const doc = it_json(r.body, r.body_len, NULL, 0);
      check_edge_shape(doc);
      json_decref(doc);
    }
    it_response_free(&r);
  }
  IT_CHECK(edge_seen, "the edge case was answered");

  /* Every triple of the default graph. */
  char* const target =
    it_target("/sparql?query=", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }");
  it_get(&srv, target, "application/n-triples", &r);
  free(target);
  IT_REQUIRE(r.status == 200 && write_file(graph, r.body, r.body_len),
             "CONSTRUCT the default graph as N-Triples into %s", graph);
  it_response_free(&r);

  const int rc = run(args);
  IT_CHECK(rc == 0,
           "jsonld.js expands each of the %zu answers to exactly the quads "
           "of its resource (jsonld_check.js exit %d)",
           n, rc);

  for (size_t i = 5; i < k; ++i) {
    free(args[i]);
  }
  free(args);
  for (size_t i = 0; i < n; ++i) {
    free(iris[i]);
  }
  it_server_stop(&srv, 15.0);
  return it_finish("jsonld");
}
