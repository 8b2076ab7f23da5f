/*
 * test_jsonld_read.c: the JSON-LD reader (catalog/rdf/jsonld_read.c).
 *
 *   test_jsonld_read
 *       hand-written documents, each with the N-Quads it must give (as a
 *       set of lines; labels the reader makes up are "g0", "g1", ... in
 *       the order it needs them), the errors it must report (status and
 *       words of the message, JSON path included), and fdx_load_file() of
 *       a .jsonld file: blank nodes scoped, --graph, all-or-nothing.
 *   test_jsonld_read --differential DATA SCRIPT KNOWN
 *       every *.jsonld file under DATA (the external data folder) through
 *       our reader and through jsonld.js (SCRIPT, jsonld_to_nquads.js),
 *       both canonicalized by jsonld.js (URDNA2015); every file must give
 *       the same N-Quads, or both must refuse it, or it must be listed in
 *       KNOWN (jsonld-known-differences.txt) with the outcome it has.
 *       The hand-written documents are compared the same way
 *       ("hand-written/case-NN.jsonld", NN counting from 00).
 *       Exit 77 (skip) without node, the jsonld package or DATA.
 *   test_jsonld_read --dump FILE [BASE]
 *       print the N-Quads our reader gives for FILE (for a person).
 */
#include "fairdex/rdf.h"
#include "fairdex/store.h"

#include "test_util.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* ------------------------------------------------------------------------
 * A growing buffer of N-Quads
 * --------------------------------------------------------------------- */

typedef struct
{
  char*  data;
  size_t len;
  size_t cap;
} Buf;

static int
buf_write(void* const ctx, const char* const bytes, const size_t len)
{
  Buf* const b = (Buf*)ctx;
  if (b->len + len + 1 > b->cap) {
    b->cap  = (b->len + len + 1) * 2;
    b->data = (char*)realloc(b->data, b->cap);
    REQUIRE(b->data);
  }
  memcpy(b->data + b->len, bytes, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

static FdxStatus
to_nquads(void* const          ctx,
          const FdxTerm* const s,
          const FdxTerm* const p,
          const FdxTerm* const o,
          const FdxTerm* const g)
{
  Buf* const b = (Buf*)ctx;
  fdx_write_term_nt(s, buf_write, b);
  buf_write(b, " ", 1);
  fdx_write_term_nt(p, buf_write, b);
  buf_write(b, " ", 1);
  fdx_write_term_nt(o, buf_write, b);
  if (g) {
    buf_write(b, " ", 1);
    fdx_write_term_nt(g, buf_write, b);
  }
  buf_write(b, " .\n", 3);
  return FDX_SUCCESS;
}

static int
cmp_str(const void* a, const void* b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

/* Split `text` (modified) into sorted, de-duplicated lines. */
static size_t
sorted_lines(char* const text, char*** const ret)
{
  size_t n = 0, cap = 16;
  char** lines = (char**)malloc(cap * sizeof(char*));
  for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    if (n == cap) {
      cap *= 2;
      lines = (char**)realloc(lines, cap * sizeof(char*));
    }
    lines[n++] = line;
  }
  qsort(lines, n, sizeof(char*), cmp_str);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!k || strcmp(lines[k - 1], lines[i])) {
      lines[k++] = lines[i];
    }
  }
  *ret = lines;
  return k;
}

/* ------------------------------------------------------------------------
 * Hand-written cases
 * --------------------------------------------------------------------- */

#define XSD "http://www.w3.org/2001/XMLSchema#"
#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define DCATAP_URL \
  "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld"

typedef struct
{
  const char* name;
  const char* base;
  const char* doc;
  const char* expected; /* N-Quads lines, any order */
} Case;

static const Case cases[] = {
  { "term and @id",
    NULL,
    "{\"@context\": {\"name\": \"http://xmlns.com/foaf/0.1/name\"},"
    " \"@id\": \"http://ex/a\", \"name\": \"Alice\"}",
    "<http://ex/a> <http://xmlns.com/foaf/0.1/name> \"Alice\" .\n" },
  { "vocab, type, prefix, language",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/v#\", \"foaf\": "
    "\"http://xmlns.com/foaf/0.1/\", \"@language\": \"DE\"},"
    " \"@id\": \"http://ex/a\", \"@type\": [\"Person\", \"foaf:Agent\"],"
    " \"foaf:name\": \"Anna\", \"nick\": {\"@value\": \"A\", \"@language\": "
    "\"en-GB\"}, \"plain\": {\"@value\": \"p\"}}",
    "<http://ex/a> <" RDF "type> <http://ex/v#Person> .\n"
    "<http://ex/a> <" RDF "type> <http://xmlns.com/foaf/0.1/Agent> .\n"
    "<http://ex/a> <http://xmlns.com/foaf/0.1/name> \"Anna\"@de .\n"
    "<http://ex/a> <http://ex/v#nick> \"A\"@en-gb .\n"
    "<http://ex/a> <http://ex/v#plain> \"p\" .\n" },
  { "native values",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\", \"d\": {\"@type\": "
    "\"http://www.w3.org/2001/XMLSchema#double\"}, \"dec\": {\"@type\": "
    "\"http://www.w3.org/2001/XMLSchema#decimal\"}},"
    " \"@id\": \"http://ex/a\", \"i\": 42, \"n\": -7, \"r\": 1.5, "
    "\"one\": 1.0, \"big\": 1e25, \"small\": 0.00001, \"t\": true, "
    "\"f\": false, \"d\": 5, \"dec\": 2, \"s\": {\"@value\": \"5\", \"@type\": "
    "\"http://www.w3.org/2001/XMLSchema#integer\"}}",
    "<http://ex/a> <http://ex/i> \"42\"^^<" XSD "integer> .\n"
    "<http://ex/a> <http://ex/n> \"-7\"^^<" XSD "integer> .\n"
    "<http://ex/a> <http://ex/r> \"1.5E0\"^^<" XSD "double> .\n"
    "<http://ex/a> <http://ex/one> \"1\"^^<" XSD "integer> .\n"
    "<http://ex/a> <http://ex/big> \"1.0E25\"^^<" XSD "double> .\n"
    "<http://ex/a> <http://ex/small> \"1.0E-5\"^^<" XSD "double> .\n"
    "<http://ex/a> <http://ex/t> \"true\"^^<" XSD "boolean> .\n"
    "<http://ex/a> <http://ex/f> \"false\"^^<" XSD "boolean> .\n"
    "<http://ex/a> <http://ex/d> \"5.0E0\"^^<" XSD "double> .\n"
    "<http://ex/a> <http://ex/dec> \"2\"^^<" XSD "decimal> .\n"
    "<http://ex/a> <http://ex/s> \"5\"^^<" XSD "integer> .\n" },
  { "@list and @set",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\", \"l\": {\"@container\": "
    "\"@list\"}}, \"@id\": \"http://ex/a\", \"l\": [\"x\", {\"@id\": "
    "\"http://ex/b\"}], \"e\": {\"@list\": []}, \"s\": {\"@set\": [1, 2]}}",
    "<http://ex/a> <http://ex/l> _:g0 .\n"
    "_:g0 <" RDF "first> \"x\" .\n"
    "_:g0 <" RDF "rest> _:g1 .\n"
    "_:g1 <" RDF "first> <http://ex/b> .\n"
    "_:g1 <" RDF "rest> <" RDF "nil> .\n"
    "<http://ex/a> <http://ex/e> <" RDF "nil> .\n"
    "<http://ex/a> <http://ex/s> \"1\"^^<" XSD "integer> .\n"
    "<http://ex/a> <http://ex/s> \"2\"^^<" XSD "integer> .\n" },
  { "@reverse, and a reverse term",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\", \"child\": {\"@reverse\": "
    "\"http://ex/parent\"}}, \"@id\": \"http://ex/a\", \"child\": {\"@id\": "
    "\"http://ex/c\"}, \"@reverse\": {\"knows\": {\"@id\": \"http://ex/k\"}}}",
    "<http://ex/c> <http://ex/parent> <http://ex/a> .\n"
    "<http://ex/k> <http://ex/knows> <http://ex/a> .\n" },
  { "named graphs and the default graph",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\"}, \"@graph\": ["
    "{\"@id\": \"http://ex/g\", \"label\": \"G\", \"@graph\": [{\"@id\": "
    "\"http://ex/a\", \"p\": \"x\"}]},"
    "{\"@id\": \"http://ex/b\", \"p\": \"y\"},"
    "{\"@graph\": {\"@id\": \"http://ex/c\", \"p\": \"z\"}}]}",
    "<http://ex/g> <http://ex/label> \"G\" .\n"
    "<http://ex/a> <http://ex/p> \"x\" <http://ex/g> .\n"
    "<http://ex/b> <http://ex/p> \"y\" .\n"
    "<http://ex/c> <http://ex/p> \"z\" _:g0 .\n" },
  { "@json",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\", \"j\": {\"@type\": "
    "\"@json\"}}, \"@id\": \"http://ex/a\", \"j\": {\"b\": [true, null], "
    "\"a\": \"x\"}}",
    "<http://ex/a> <http://ex/j> \"{\\\"a\\\":\\\"x\\\",\\\"b\\\":[true,null]}"
    "\"^^<" RDF "JSON> .\n" },
  { "relative IRIs and @base",
    "http://ex/x/y",
    "[{\"@id\": \"a/b\", \"http://ex/p\": {\"@id\": \"../c\"}},"
    " {\"@context\": {\"@base\": \"http://other/d/\"}, \"@id\": \"e?q\","
    " \"http://ex/p\": {\"@id\": \"#f\"}}]",
    "<http://ex/x/a/b> <http://ex/p> <http://ex/c> .\n"
    "<http://other/d/e?q> <http://ex/p> <http://other/d/#f> .\n" },
  { "relative IRIs without a usable base are dropped",
    NULL,
    "{\"@context\": {\"@base\": null}, \"@id\": \"rel\", \"http://ex/p\": "
    "\"x\", \"_:b\": \"blank predicate\"}",
    "" },
  { "blank node labels",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\"}, \"@id\": \"_:g0\", "
    "\"p\": {\"q\": \"inner\"}, \"r\": {\"@id\": \"_:x\"}}",
    "_:g0 <http://ex/p> _:g1 .\n"
    "_:g1 <http://ex/q> \"inner\" .\n"
    "_:g0 <http://ex/r> _:x .\n" },
  { "containers: language, index, id, type, graph",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\","
    " \"label\": {\"@container\": \"@language\"},"
    " \"byIndex\": {\"@container\": \"@index\"},"
    " \"byProp\": {\"@container\": \"@index\", \"@index\": \"http://ex/k\"},"
    " \"byId\": {\"@container\": \"@id\"},"
    " \"byType\": {\"@container\": \"@type\"},"
    " \"inGraph\": {\"@container\": \"@graph\"}},"
    " \"@id\": \"http://ex/a\","
    " \"label\": {\"EN\": \"one\", \"de\": [\"eins\"], \"@none\": \"1\"},"
    " \"byIndex\": {\"i1\": \"v1\"},"
    " \"byProp\": {\"kv\": {\"@id\": \"http://ex/n\"}},"
    " \"byId\": {\"http://ex/m\": {\"p\": \"m\"}},"
    " \"byType\": {\"T\": {\"@id\": \"http://ex/t\"}},"
    " \"inGraph\": {\"@id\": \"http://ex/in\", \"p\": \"q\"}}",
    "<http://ex/a> <http://ex/label> \"one\"@en .\n"
    "<http://ex/a> <http://ex/label> \"eins\"@de .\n"
    "<http://ex/a> <http://ex/label> \"1\" .\n"
    "<http://ex/a> <http://ex/byIndex> \"v1\" .\n"
    "<http://ex/a> <http://ex/byProp> <http://ex/n> .\n"
    "<http://ex/n> <http://ex/k> \"kv\" .\n"
    "<http://ex/a> <http://ex/byId> <http://ex/m> .\n"
    "<http://ex/m> <http://ex/p> \"m\" .\n"
    "<http://ex/a> <http://ex/byType> <http://ex/t> .\n"
    "<http://ex/t> <" RDF "type> <http://ex/T> .\n"
    "<http://ex/a> <http://ex/inGraph> _:g0 .\n"
    "<http://ex/in> <http://ex/p> \"q\" _:g0 .\n" },
  { "@nest and @included",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\", \"meta\": \"@nest\"},"
    " \"@id\": \"http://ex/a\", \"meta\": {\"p\": \"nested\"},"
    " \"@included\": [{\"@id\": \"http://ex/i\", \"p\": \"inc\"}]}",
    "<http://ex/a> <http://ex/p> \"nested\" .\n"
    "<http://ex/i> <http://ex/p> \"inc\" .\n" },
  { "scoped contexts",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\","
    " \"Person\": {\"@context\": {\"name\": "
    "\"http://xmlns.com/foaf/0.1/name\"}},"
    " \"addr\": {\"@context\": {\"@vocab\": \"http://addr/\"}}},"
    " \"@id\": \"http://ex/a\", \"@type\": \"Person\", \"name\": \"N\","
    " \"addr\": {\"street\": \"S\", \"knows\": {\"name\": \"x\"}}}",
    "<http://ex/a> <" RDF "type> <http://ex/Person> .\n"
    "<http://ex/a> <http://xmlns.com/foaf/0.1/name> \"N\" .\n"
    "<http://ex/a> <http://ex/addr> _:g0 .\n"
    "_:g0 <http://addr/street> \"S\" .\n"
    "_:g0 <http://addr/knows> _:g1 .\n"
    "_:g1 <http://addr/name> \"x\" .\n" },
  { "@direction is dropped, the language kept",
    NULL,
    "{\"@context\": {\"@vocab\": \"http://ex/\", \"@direction\": \"rtl\"},"
    " \"@id\": \"http://ex/a\", \"t\": {\"@value\": \"x\", \"@language\": "
    "\"ar\", \"@direction\": \"rtl\"}, \"u\": \"y\"}",
    "<http://ex/a> <http://ex/t> \"x\"@ar .\n"
    "<http://ex/a> <http://ex/u> \"y\" .\n" },
  { "schema.org, shipped",
    NULL,
    "{\"@context\": \"https://schema.org/\", \"@type\": \"Dataset\","
    " \"@id\": \"http://ex/ds\", \"name\": \"N\", \"url\": \"http://ex/u\","
    " \"identifier\": \"doi:10.1/x\", \"license\": "
    "\"https://creativecommons.org/licenses/by/4.0/\"}",
    "<http://ex/ds> <" RDF "type> <http://schema.org/Dataset> .\n"
    "<http://ex/ds> <http://schema.org/name> \"N\" .\n"
    "<http://ex/ds> <http://schema.org/url> <http://ex/u> .\n"
    "<http://ex/ds> <http://schema.org/identifier> \"doi:10.1/x\" .\n"
    "<http://ex/ds> <http://schema.org/license> "
    "<https://creativecommons.org/licenses/by/4.0/> .\n" },
  { "DCAT-AP 3.0.1, shipped",
    NULL,
    "{\"@context\": \"" DCATAP_URL "\", \"@id\": \"http://ex/d\","
    " \"@type\": \"Dataset\", \"title\": \"T\","
    " \"datasetDistribution\": {\"@id\": \"http://ex/dist\", \"@type\": "
    "\"Distribution\"}}",
    "<http://ex/d> <" RDF "type> <http://www.w3.org/ns/dcat#Dataset> .\n"
    "<http://ex/d> <http://purl.org/dc/terms/title> \"T\" .\n"
    "<http://ex/d> <http://www.w3.org/ns/dcat#distribution> <http://ex/dist> "
    ".\n"
    "<http://ex/dist> <" RDF "type> <http://www.w3.org/ns/dcat#Distribution> "
    ".\n" },
};

static void
run_cases(void)
{
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    const Case* const c   = &cases[i];
    Buf               got = { NULL, 0, 0 };
    FdxError          err;
    memset(&err, 0, sizeof(err));
    const FdxStatus st = fdx_parse_bytes(c->doc,
                                         strlen(c->doc),
                                         FDX_FORMAT_JSONLD,
                                         c->base,
                                         c->name,
                                         to_nquads,
                                         &got,
                                         &err);
    if (st) {
      fprintf(stderr, "%s: %s\n", c->name, err.message);
    }
    CHECK_ST(st, FDX_SUCCESS);
    char* const  want = strdup(c->expected);
    char*        have = got.data ? got.data : strdup("");
    char**       a    = NULL;
    char**       b    = NULL;
    const size_t na   = sorted_lines(want, &a);
    const size_t nb   = sorted_lines(have, &b);
    bool         same = na == nb;
    for (size_t k = 0; same && k < na; ++k) {
      same = !strcmp(a[k], b[k]);
    }
    if (!same) {
      fprintf(stderr, "case '%s': want\n", c->name);
      for (size_t k = 0; k < na; ++k) {
        fprintf(stderr, "  %s\n", a[k]);
      }
      fprintf(stderr, "got\n");
      for (size_t k = 0; k < nb; ++k) {
        fprintf(stderr, "  %s\n", b[k]);
      }
    }
    CHECK(same);
    free(a);
    free(b);
    free(want);
    free(have);
  }
}

/* ------------------------------------------------------------------------
 * Errors
 * --------------------------------------------------------------------- */

static void
expect_error(const char* const doc,
             const FdxStatus   want,
             const char* const words)
{
  Buf      got = { NULL, 0, 0 };
  FdxError err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_parse_bytes(
    doc, strlen(doc), FDX_FORMAT_JSONLD, NULL, "doc", to_nquads, &got, &err);
  CHECK_ST(st, want);
  if (!strstr(err.message, words)) {
    fprintf(stderr, "message '%s' lacks '%s'\n", err.message, words);
    CHECK(!"error message");
  }
  free(got.data);
}

static void
run_errors(void)
{
  expect_error("{\"@context\": \"https://example.org/ctx.jsonld\"}",
               FDX_ERR_UNSUPPORTED,
               "context URL https://example.org/ctx.jsonld is not shipped; "
               "fairdex never fetches contexts");
  expect_error("{\"@context\": {\"@vocab\": \"http://ex/\"}, \"@graph\": ["
               "{\"@id\": \"http://ex/a\"}, {\"@id\": \"http://ex/b\"},"
               "{\"@id\": \"http://ex/c\"}, {\"title\": {\"@id\": 5}}]}",
               FDX_ERR_SYNTAX,
               "$.@graph[3].title.@id: invalid @id value");
  expect_error("{\"a\": ", FDX_ERR_SYNTAX, "");
  expect_error("{\"@context\": {\"@vocab\": \"http://ex/\"}, \"p\": "
               "{\"@value\": \"x\", \"@type\": \"http://ex/t\", \"@language\":"
               " \"en\"}}",
               FDX_ERR_SYNTAX,
               "$.p: invalid value object");
  expect_error("{\"@context\": {\"p\": {\"@id\": \"http://ex/p\", "
               "\"@protected\": true}}, \"http://ex/q\": {\"@context\": "
               "{\"p\": \"http://ex/other\"}, \"p\": 1}}",
               FDX_ERR_SYNTAX,
               "protected term redefinition of p");
  expect_error("{\"@context\": {\"@import\": \"https://schema.org\"}}",
               FDX_ERR_UNSUPPORTED,
               "@import");
  expect_error("{\"@context\": {\"a\": {\"@id\": \"b:x\"}, \"b\": "
               "{\"@id\": \"a:y\"}}, \"a:z\": 1}",
               FDX_ERR_SYNTAX,
               "cyclic IRI mapping");

  /* A byte order mark is skipped; integers are exact, unless the
   * document holds one beyond 64 bits: then all its numbers are doubles,
   * as in JavaScript. */
  {
    const char* const docs[2] = {
      "\xEF\xBB\xBF{\"@id\": \"http://ex/a\", \"http://ex/p\": "
      "9007199254740993}",
      "{\"@id\": \"http://ex/a\", \"http://ex/p\": [9007199254740993, "
      "123456789012345678901234]}"
    };
    const char* const want[3] = { "\"9007199254740993\"^^<" XSD "integer>",
                                  "\"9007199254740992\"^^<" XSD "integer>",
                                  "\"1.234567890123457E23\"^^<" XSD "double>" };
    for (int i = 0; i < 2; ++i) {
      Buf got = { NULL, 0, 0 };
      CHECK_ST(fdx_parse_bytes(docs[i],
                               strlen(docs[i]),
                               FDX_FORMAT_JSONLD,
                               NULL,
                               "numbers",
                               to_nquads,
                               &got,
                               NULL),
               FDX_SUCCESS);
      CHECK(got.data && strstr(got.data, want[i]));
      CHECK(i == 0 || (got.data && strstr(got.data, want[2])));
      free(got.data);
    }
  }

  /* Nesting deeper than the limit. */
  const size_t depth = 300;
  char* const  deep  = (char*)malloc(depth * 48 + 64);
  size_t       n     = 0;
  n += (size_t)sprintf(deep, "{\"@id\": \"http://ex/a\"");
  for (size_t i = 0; i < depth; ++i) {
    n += (size_t)sprintf(deep + n, ", \"http://ex/p\": {\"@id\": \"_:n\"");
  }
  for (size_t i = 0; i <= depth; ++i) {
    deep[n++] = '}';
  }
  deep[n] = '\0';
  expect_error(deep, FDX_ERR_LIMIT, "nested deeper than 256");
  free(deep);

  /* Too big: nothing is parsed. */
  const size_t big  = (size_t)FDX_JSONLD_MAX_BYTES + 1;
  char* const  huge = (char*)malloc(big);
  REQUIRE(huge);
  memset(huge, ' ', big);
  huge[0]       = '[';
  huge[big - 1] = ']';
  Buf      got  = { NULL, 0, 0 };
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_parse_bytes(
             huge, big, FDX_FORMAT_JSONLD, NULL, "huge", to_nquads, &got, &err),
           FDX_ERR_LIMIT);
  free(huge);
}

/* ------------------------------------------------------------------------
 * fdx_load_file()
 * --------------------------------------------------------------------- */

static void
write_file(const char* const path, const char* const text)
{
  FILE* const f = fopen(path, "w");
  REQUIRE(f);
  fputs(text, f);
  fclose(f);
}

static uint64_t
count_quads(FdxStore* const store)
{
  FdxTxn* const txn = begin(store, 0);
  FdxQuad const any = { FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY };
  uint64_t      n   = 0;
  CHECK_ST(fdx_quad_count(txn, &any, &n), FDX_SUCCESS);
  fdx_txn_abort(txn);
  return n;
}

static void
run_load(void)
{
  char path[4200], bad[4200];
  snprintf(path, sizeof(path), "%s/doc.jsonld", tmp_root);
  snprintf(bad, sizeof(bad), "%s/bad.jsonld", tmp_root);
  write_file(
    path,
    "{\"@context\": {\"@vocab\": \"http://ex/\"}, \"@id\": \"http://ex/g\","
    " \"p\": {\"q\": \"x\"}, \"@graph\": [{\"@id\": \"http://ex/s\","
    " \"r\": 1}]}");
  write_file(bad,
             "{\"@context\": {\"@vocab\": \"http://ex/\"}, \"@graph\": "
             "[{\"@id\": \"http://ex/t\", \"r\": 2}, {\"@id\": 7}]}");
  FdxStore* const store =
    open_store("load", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxLoadResult res;
  FdxError      err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_load_file(store, path, NULL, &res, &err), FDX_SUCCESS);
  CHECK(res.quads_read == 3);
  CHECK(res.quads_added == 3);
  CHECK(res.format == FDX_FORMAT_JSONLD);
  const uint64_t base_count = count_quads(store);
  /* The same file again: its blank nodes are new nodes (2 of the 3
   * quads have one), the named graph's quad is the same. */
  CHECK_ST(fdx_load_file(store, path, NULL, &res, &err), FDX_SUCCESS);
  CHECK(res.quads_added == 2);
  CHECK(count_quads(store) == base_count + 2);
  /* A bad document loads nothing. */
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_load_file(store, bad, NULL, &res, &err), FDX_ERR_SYNTAX);
  CHECK(strstr(err.message, "$.@graph[1].@id: invalid @id value") != NULL);
  CHECK(count_quads(store) == base_count + 2);
  /* --graph puts everything into one graph. */
  FdxLoadOptions opts;
  memset(&opts, 0, sizeof(opts));
  opts.graph = "http://ex/forced";
  CHECK_ST(fdx_load_file(store, path, &opts, &res, &err), FDX_SUCCESS);
  CHECK(res.quads_added == 3);
  /* The byte limit applies. */
  opts.graph     = NULL;
  opts.max_bytes = 10;
  CHECK_ST(fdx_load_file(store, path, &opts, &res, &err), FDX_ERR_LIMIT);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * Differential test against jsonld.js
 * --------------------------------------------------------------------- */

typedef struct
{
  char** items;
  size_t n;
  size_t cap;
} List;

static void
list_add(List* const l, const char* const s)
{
  if (l->n == l->cap) {
    l->cap   = l->cap ? l->cap * 2 : 64;
    l->items = (char**)realloc(l->items, l->cap * sizeof(char*));
    REQUIRE(l->items);
  }
  l->items[l->n++] = strdup(s);
}

static void
find_jsonld(const char* const dir, List* const out)
{
  DIR* const d = opendir(dir);
  if (!d) {
    return;
  }
  struct dirent* e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') {
      continue;
    }
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    struct stat sb;
    if (stat(path, &sb)) {
      continue;
    }
    if (S_ISDIR(sb.st_mode)) {
      find_jsonld(path, out);
    } else {
      const size_t len = strlen(path);
      if (len > 7 && !strcmp(path + len - 7, ".jsonld")) {
        list_add(out, path);
      }
    }
  }
  closedir(d);
}

static char*
read_all(const char* const path, size_t* const ret_len)
{
  FILE* const f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  Buf    b = { NULL, 0, 0 };
  char   chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
    buf_write(&b, chunk, n);
  }
  fclose(f);
  if (!b.data) {
    b.data = strdup("");
  }
  *ret_len = b.len;
  return b.data;
}

static int
run_differential(const char* const data,
                 const char* const script,
                 const char* const known_path)
{
  char cmd[9000];
  snprintf(cmd, sizeof(cmd), "node '%s' --probe >/dev/null 2>&1", script);
  const int probe = system(cmd);
  if (probe == -1 || !WIFEXITED(probe) || WEXITSTATUS(probe) != 0) {
    printf("jsonld_read differential: skip: node or the npm package jsonld "
           "is missing\n");
    return 77;
  }
  List files = { NULL, 0, 0 };
  find_jsonld(data, &files);
  if (!files.n) {
    printf("jsonld_read differential: skip: no .jsonld files under %s "
           "(external data missing?)\n",
           data);
    return 77;
  }
  qsort(files.items, files.n, sizeof(char*), cmp_str);
  make_tmp_root("jsonld-diff");
  char manifest[4200];
  snprintf(manifest, sizeof(manifest), "%s/manifest.tsv", tmp_root);
  FILE* const m = fopen(manifest, "w");
  REQUIRE(m);
  const size_t data_len = strlen(data);
  for (size_t i = 0; i < files.n; ++i) {
    char base[4300];
    snprintf(base, sizeof(base), "file://%s", files.items[i]);
    size_t      len = 0;
    char* const doc = read_all(files.items[i], &len);
    REQUIRE(doc);
    Buf      out = { NULL, 0, 0 };
    FdxError err;
    memset(&err, 0, sizeof(err));
    const FdxStatus st = fdx_parse_bytes(doc,
                                         len,
                                         FDX_FORMAT_JSONLD,
                                         base,
                                         files.items[i] + data_len + 1,
                                         to_nquads,
                                         &out,
                                         &err);
    if (st) {
      for (char* c = err.message; *c; ++c) {
        if (*c == '\t' || *c == '\n') {
          *c = ' ';
        }
      }
      fprintf(m, "%s\t%s\t!%s\n", files.items[i], base, err.message);
    } else {
      char nq[4300];
      snprintf(nq, sizeof(nq), "%s/%zu.nq", tmp_root, i);
      FILE* const f = fopen(nq, "w");
      REQUIRE(f);
      if (out.len) {
        fwrite(out.data, 1, out.len, f);
      }
      fclose(f);
      fprintf(m, "%s\t%s\t%s\n", files.items[i], base, nq);
    }
    free(out.data);
    free(doc);
  }
  /* The hand-written cases too, as "hand-written/case-NN.jsonld". */
  char hand[4300];
  snprintf(hand, sizeof(hand), "%s/hand-written", tmp_root);
  REQUIRE(!mkdir(hand, 0700));
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    char path[4400], nq[4400];
    snprintf(path, sizeof(path), "%s/case-%02zu.jsonld", hand, i);
    snprintf(nq, sizeof(nq), "%s/case-%02zu.nq", hand, i);
    FILE* const f = fopen(path, "w");
    REQUIRE(f);
    fputs(cases[i].doc, f);
    fclose(f);
    Buf out = { NULL, 0, 0 };
    CHECK_ST(fdx_parse_bytes(cases[i].doc,
                             strlen(cases[i].doc),
                             FDX_FORMAT_JSONLD,
                             cases[i].base,
                             path,
                             to_nquads,
                             &out,
                             NULL),
             FDX_SUCCESS);
    FILE* const g = fopen(nq, "w");
    REQUIRE(g);
    if (out.len) {
      fwrite(out.data, 1, out.len, g);
    }
    fclose(g);
    free(out.data);
    fprintf(m,
            "%s\t%s\t%s\n",
            path,
            cases[i].base ? cases[i].base : "file:///document",
            nq);
  }
  fclose(m);
  const size_t hand_len = strlen(tmp_root);

  /* Known differences: "OUTCOME<TAB>PATH-UNDER-DATA<TAB>REASON" lines. */
  size_t      known_len = 0;
  char* const known     = read_all(known_path, &known_len);
  if (!known) {
    fprintf(stderr, "cannot read %s\n", known_path);
    return 1;
  }

  snprintf(cmd, sizeof(cmd), "node '%s' --batch '%s'", script, manifest);
  FILE* const res = popen(cmd, "r");
  REQUIRE(res);
  char   line[16384];
  size_t same = 0, both_error = 0, listed = 0, bad = 0, seen = 0;
  while (fgets(line, sizeof(line), res)) {
    line[strcspn(line, "\n")] = '\0';
    char* const tab1          = strchr(line, '\t');
    char* const tab2          = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (!tab1 || !tab2) {
      continue;
    }
    *tab1 = *tab2             = '\0';
    const char* const outcome = line;
    const char* const file    = tab1 + 1;
    const char* const detail  = tab2 + 1;
    const char* const rel     = !strncmp(file, tmp_root, hand_len)
                                  ? file + hand_len + 1
                                : strlen(file) > data_len ? file + data_len + 1
                                                          : file;
    ++seen;
    if (!strcmp(outcome, "same")) {
      ++same;
      continue;
    }
    if (!strcmp(outcome, "both-error")) {
      ++both_error;
      printf("both refuse %s: %.300s\n", rel, detail);
      continue;
    }
    const size_t klen = strlen(outcome) + strlen(rel) + 4;
    char* const  key  = (char*)malloc(klen);
    REQUIRE(key);
    memcpy(key, "\n", 2);
    strcat(key, outcome);
    strcat(key, "\t");
    strcat(key, rel);
    strcat(key, "\t");
    char* const hay = (char*)malloc(known_len + 2);
    hay[0]          = '\n';
    memcpy(hay + 1, known, known_len + 1);
    const bool is_known = strstr(hay, key) != NULL;
    free(hay);
    free(key);
    if (is_known) {
      ++listed;
      printf("known %s %s\n", outcome, rel);
    } else {
      ++bad;
      printf("UNEXPECTED %s %s: %.600s\n", outcome, rel, detail);
    }
  }
  const int rc = pclose(res);
  CHECK(rc == 0);
  CHECK(seen == files.n + sizeof(cases) / sizeof(cases[0]));
  CHECK(bad == 0);
  printf("jsonld_read differential: %zu files and %zu hand-written cases: "
         "%zu same, %zu refused by both, %zu known differences, "
         "%zu unexpected\n",
         files.n,
         sizeof(cases) / sizeof(cases[0]),
         same,
         both_error,
         listed,
         bad);
  for (size_t i = 0; i < files.n; ++i) {
    free(files.items[i]);
  }
  free(files.items);
  free(known);
  return test_finish("jsonld_read differential");
}

int
main(int argc, char** argv)
{
  if (argc >= 3 && !strcmp(argv[1], "--dump")) {
    size_t      len = 0;
    char* const doc = read_all(argv[2], &len);
    if (!doc) {
      perror(argv[2]);
      return 1;
    }
    Buf      out = { NULL, 0, 0 };
    FdxError err;
    memset(&err, 0, sizeof(err));
    const FdxStatus st = fdx_parse_bytes(doc,
                                         len,
                                         FDX_FORMAT_JSONLD,
                                         argc > 3 ? argv[3] : NULL,
                                         argv[2],
                                         to_nquads,
                                         &out,
                                         &err);
    if (out.data) {
      fputs(out.data, stdout);
    }
    if (st) {
      fprintf(stderr, "%s: %s\n", fdx_strerror(st), err.message);
    }
    free(out.data);
    free(doc);
    return st ? 1 : 0;
  }
  if (argc == 5 && !strcmp(argv[1], "--differential")) {
    test_start("jsonld_read differential");
    return run_differential(argv[2], argv[3], argv[4]);
  }
  test_start("jsonld_read");
  make_tmp_root("jsonld-read");
  run_cases();
  run_errors();
  run_load();
  return test_finish("jsonld_read");
}
