/*
 * test_w3c_syntax.c: the parser against the W3C SPARQL 1.1 test suite.
 *
 * For every sub-folder of argv[1] that has a manifest.ttl (read with
 * raptor2, which only this test uses for manifests), runs
 *   mf:PositiveSyntaxTest11 and mf:PositiveUpdateSyntaxTest11 (must parse),
 *   mf:NegativeSyntaxTest11 and mf:NegativeUpdateSyntaxTest11 (must fail
 *     with FDX_ERR_SYNTAX),
 *   and, as positive tests, the qt:query of every mf:QueryEvaluationTest
 *   and the ut:request of every mf:UpdateEvaluationTest.
 * The base IRI of each parse is the file's own URI, as the suite expects.
 *
 * argv[2] (optional) is the skip list: one test IRI per line, then
 * `# reason`; blank lines and lines starting with '#' are ignored.
 *
 * Prints one line per failure (test IRI, file, our message) and
 * `syntax: N passed, N failed, N skipped`; exits 1 on any failure, and
 * 77 (skipped) if the folder does not exist.
 */
#include "ast.h"

#include <raptor2.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MF "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
#define QT "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
#define UT "http://www.w3.org/2009/sparql/tests/test-update#"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

/* ------------------------------------------------------------------------
 * The manifest as a list of triples
 * --------------------------------------------------------------------- */

/* A term as one string: 'I' IRI, 'B' blank node or 'L' literal, then its
 * value. */
typedef struct
{
  char* s;
  char* p;
  char* o;
} Triple;

typedef struct
{
  Triple* triples;
  size_t  n;
  size_t  cap;
  bool    oom;
} Graph;

static char*
term_string(const raptor_term* const t)
{
  const char* kind  = "I";
  const char* value = "";
  switch (t->type) {
    case RAPTOR_TERM_TYPE_URI:
      value = (const char*)raptor_uri_as_string(t->value.uri);
      break;
    case RAPTOR_TERM_TYPE_BLANK:
      kind  = "B";
      value = (const char*)t->value.blank.string;
      break;
    case RAPTOR_TERM_TYPE_LITERAL:
      kind  = "L";
      value = (const char*)t->value.literal.string;
      break;
    case RAPTOR_TERM_TYPE_UNKNOWN:
    default:
      kind = "?";
      break;
  }
  const size_t n   = strlen(value);
  char* const  out = (char*)malloc(n + 2);
  if (out) {
    out[0] = kind[0];
    memcpy(out + 1, value, n + 1);
  }
  return out;
}

static void
on_statement(void* const user_data, raptor_statement* const st)
{
  Graph* const g = (Graph*)user_data;
  if (g->n == g->cap) {
    const size_t  ncap = g->cap ? g->cap * 2 : 256;
    Triple* const nt   = (Triple*)realloc(g->triples, ncap * sizeof(Triple));
    if (!nt) {
      g->oom = true;
      return;
    }
    g->triples = nt;
    g->cap     = ncap;
  }
  Triple t = { term_string(st->subject),
               term_string(st->predicate),
               term_string(st->object) };
  if (!t.s || !t.p || !t.o) {
    free(t.s);
    free(t.p);
    free(t.o);
    g->oom = true;
    return;
  }
  g->triples[g->n++] = t;
}

static void
graph_free(Graph* const g)
{
  for (size_t i = 0; i < g->n; ++i) {
    free(g->triples[i].s);
    free(g->triples[i].p);
    free(g->triples[i].o);
  }
  free(g->triples);
}

/* The first object of (s, p), or NULL. */
static const char*
object_of(const Graph* const g, const char* const s, const char* const p)
{
  for (size_t i = 0; i < g->n; ++i) {
    if (!strcmp(g->triples[i].s, s) && !strcmp(g->triples[i].p + 1, p)) {
      return g->triples[i].o;
    }
  }
  return NULL;
}

/* ------------------------------------------------------------------------
 * Running tests
 * --------------------------------------------------------------------- */

typedef struct
{
  char** skip;
  size_t n_skip;
  int    passed;
  int    failed;
  int    skipped;
} Totals;

static bool
skipped(const Totals* const t, const char* const iri)
{
  for (size_t i = 0; i < t->n_skip; ++i) {
    if (!strcmp(t->skip[i], iri)) {
      return true;
    }
  }
  return false;
}

static char*
slurp(const char* const path, size_t* const ret_len)
{
  FILE* const f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  const long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* const buf = size >= 0 ? (char*)malloc((size_t)size + 1) : NULL;
  if (buf) {
    *ret_len      = fread(buf, 1, (size_t)size, f);
    buf[*ret_len] = '\0';
  }
  fclose(f);
  return buf;
}

/* Parse the file whose URI is `file_iri` (a query or an update), and
 * check the outcome against `positive`. */
static void
run_test(Totals* const     t,
         const char* const test_iri,
         const char* const file_iri,
         const bool        update,
         const bool        positive)
{
  if (skipped(t, test_iri)) {
    ++t->skipped;
    return;
  }
  char* const path =
    (char*)raptor_uri_uri_string_to_filename((const unsigned char*)file_iri);
  size_t      len  = 0;
  char* const text = path ? slurp(path, &len) : NULL;
  if (!text) {
    printf(
      "FAIL %s %s: cannot read the file\n", test_iri, path ? path : file_iri);
    ++t->failed;
    raptor_free_memory(path);
    return;
  }
  FdxError  err;
  FdxStatus st = FDX_SUCCESS;
  memset(&err, 0, sizeof(err));
  if (update) {
    FdxSparqlUpdate* u = NULL;
    st = fdx_sparql_parse_update(text, len, file_iri, NULL, &u, &err);
    fdx_sparql_update_free(u);
  } else {
    FdxSparqlQuery* q = NULL;
    st = fdx_sparql_parse_query(text, len, file_iri, NULL, &q, &err);
    fdx_sparql_query_free(q);
  }
  if (positive && st != FDX_SUCCESS) {
    printf("FAIL %s %s: %ld:%ld: %s\n",
           test_iri,
           path,
           err.line,
           err.column,
           err.message);
    ++t->failed;
  } else if (!positive && st != FDX_ERR_SYNTAX) {
    printf("FAIL %s %s: %s\n",
           test_iri,
           path,
           st ? fdx_strerror(st) : "parsed, but the test says it is not valid");
    ++t->failed;
  } else {
    ++t->passed;
  }
  free(text);
  raptor_free_memory(path);
}

/* The tests of one manifest. */
static int
run_manifest(raptor_world* const world, const char* const path, Totals* const t)
{
  Graph          g      = { NULL, 0, 0, false };
  raptor_parser* parser = raptor_new_parser(world, "turtle");
  raptor_uri*    uri    = raptor_new_uri_from_uri_or_file_string(
    world, NULL, (const unsigned char*)path);
  if (!parser || !uri) {
    printf("FAIL %s: cannot set up raptor\n", path);
    ++t->failed;
    raptor_free_parser(parser);
    raptor_free_uri(uri);
    return 1;
  }
  raptor_parser_set_statement_handler(parser, &g, on_statement);
  const int rc = raptor_parser_parse_file(parser, uri, uri);
  raptor_free_parser(parser);
  raptor_free_uri(uri);
  if (rc || g.oom) {
    printf("FAIL %s: cannot read the manifest\n", path);
    ++t->failed;
    graph_free(&g);
    return 1;
  }

  static const struct
  {
    const char* type;
    bool        update;
    bool        positive;
    const char* file_prop; /* NULL: the action is the file */
  } kinds[] = {
    { MF "PositiveSyntaxTest11", false, true, NULL },
    { MF "NegativeSyntaxTest11", false, false, NULL },
    { MF "PositiveUpdateSyntaxTest11", true, true, NULL },
    { MF "NegativeUpdateSyntaxTest11", true, false, NULL },
    { MF "QueryEvaluationTest", false, true, QT "query" },
    { MF "UpdateEvaluationTest", true, true, UT "request" },
  };
  for (size_t i = 0; i < g.n; ++i) {
    const Triple* const tr = &g.triples[i];
    if (strcmp(tr->p + 1, RDF_TYPE) || tr->o[0] != 'I') {
      continue;
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); ++k) {
      if (strcmp(tr->o + 1, kinds[k].type)) {
        continue;
      }
      const char* action = object_of(&g, tr->s, MF "action");
      if (action && kinds[k].file_prop) {
        action = object_of(&g, action, kinds[k].file_prop);
      }
      if (!action || action[0] != 'I') {
        printf("FAIL %s: no file for the test in %s\n", tr->s + 1, path);
        ++t->failed;
        break;
      }
      run_test(t, tr->s + 1, action + 1, kinds[k].update, kinds[k].positive);
    }
  }
  graph_free(&g);
  return 0;
}

/* Read the skip list: IRI, then anything (a `# reason`). */
static void
read_skip_list(const char* const path, Totals* const t)
{
  FILE* const f = fopen(path, "r");
  if (!f) {
    return;
  }
  char line[2048];
  while (fgets(line, sizeof(line), f)) {
    size_t n = strspn(line, " \t");
    if (line[n] == '#' || line[n] == '\n' || line[n] == '\0') {
      continue;
    }
    const size_t m  = strcspn(line + n, " \t\n#");
    char** const ns = (char**)realloc(t->skip, (t->n_skip + 1) * sizeof(char*));
    if (!ns) {
      break;
    }
    t->skip              = ns;
    t->skip[t->n_skip++] = strndup(line + n, m);
  }
  fclose(f);
}

static int
compare_names(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

int
main(int argc, char** argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s SUITE-FOLDER [SKIP-LIST]\n", argv[0]);
    return 2;
  }
  DIR* const d = opendir(argv[1]);
  if (!d) {
    printf("syntax: no test suite at %s, skipped\n", argv[1]);
    return 77;
  }
  Totals t;
  memset(&t, 0, sizeof(t));
  if (argc > 2) {
    read_skip_list(argv[2], &t);
  }
  char**         dirs   = NULL;
  size_t         n_dirs = 0;
  struct dirent* ent    = NULL;
  while ((ent = readdir(d)) != NULL) {
    if (ent->d_name[0] == '.') {
      continue;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/manifest.ttl", argv[1], ent->d_name);
    struct stat sb;
    if (stat(path, &sb) == 0) {
      char** const nd = (char**)realloc(dirs, (n_dirs + 1) * sizeof(char*));
      if (!nd) {
        break;
      }
      dirs           = nd;
      dirs[n_dirs++] = strdup(path);
    }
  }
  closedir(d);
  qsort(dirs, n_dirs, sizeof(char*), compare_names);

  raptor_world* const world = raptor_new_world();
  for (size_t i = 0; i < n_dirs; ++i) {
    run_manifest(world, dirs[i], &t);
    free(dirs[i]);
  }
  free(dirs);
  raptor_free_world(world);
  for (size_t i = 0; i < t.n_skip; ++i) {
    free(t.skip[i]);
  }
  free(t.skip);
  printf("syntax: %d passed, %d failed, %d skipped\n",
         t.passed,
         t.failed,
         t.skipped);
  return t.failed ? 1 : 0;
}
