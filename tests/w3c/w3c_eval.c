/*
 * w3c_eval.c: runs the W3C SPARQL 1.1 query and update evaluation tests
 * against fairdex.
 *
 *   w3c_eval SUITE_DIR XFAIL_FILE RDFCMP [--ratchet FILE] [--verbose]
 *            [--only SUBSTRING]
 *
 * SUITE_DIR is the suite's sparql11 folder (the committed copy in
 * tests/data/w3c-sparql11).  Every sub-folder's manifest.ttl is read with
 * raptor2; each mf:QueryEvaluationTest loads its data into a fresh store
 * (qt:data into the default graph, qt:graphData and the query's FROM /
 * FROM NAMED files into graphs named by their file IRIs), runs the query
 * and compares: SELECT results as multisets (blank nodes matched) with the
 * .srx / .srj / .tsv / .csv file, ASK booleans, CONSTRUCT / DESCRIBE
 * graphs with rdfcmp.  Each mf:UpdateEvaluationTest loads ut:data and
 * ut:graphData, runs the request and compares every graph of the store
 * with the expected ones.
 *
 * XFAIL_FILE lists tests expected to fail (name, then '#' and the reason).
 * The run fails if a test not listed fails, and says which listed tests
 * now pass, so the list only ever shrinks.  The ratchet file holds the
 * least numbers of query and update tests that must pass ("query N",
 * "update N"); raise them as the engine improves.  It prints a line per
 * folder and the totals.  Folders for features outside
 * the core (entailment regimes, SERVICE, the protocols) are skipped.
 */
#include "fairdex/rdf.h"
#include "fairdex/sparql.h"
#include "fairdex/store.h"
#include "sparql_results_read.h"

#include <raptor2.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MF "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
#define QT "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
#define UT "http://www.w3.org/2009/sparql/tests/test-update#"
#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDFS "http://www.w3.org/2000/01/rdf-schema#"

/* Folders this runner does not run, and why. */
static const struct {
  const char* folder;
  const char* reason;
} skipped_folders[] = {
  {"entailment", "entailment regimes (RDFS/OWL reasoning) are not offered"},
  {"service", "SERVICE (federated query) is not offered"},
  {"syntax-fed", "SERVICE (federated query) syntax"},
  {"protocol", "SPARQL protocol: tested against the HTTP server"},
  {"http-rdf-update", "graph store protocol: tested against the HTTP server"},
  {"graph-store-protocol", "graph store protocol: tested against the HTTP server"},
  {"service-description", "service description: tested against the HTTP server"},
  {"syntax-query", "syntax tests: run by tests/sparql (w3c-syntax)"},
  {"syntax-update-1", "syntax tests: run by tests/sparql (w3c-syntax)"},
  {"syntax-update-2", "syntax tests: run by tests/sparql (w3c-syntax)"},
  {"json-res", "result formats: run by tests/results (w3c)"},
  {"csv-tsv-res", "result formats: run by tests/results (w3c)"}};

/* ------------------------------------------------------------------------
 * Manifests as a list of triples of strings
 * --------------------------------------------------------------------- */

typedef struct {
  char*        s;
  char*        p;
  char*        o; /* IRIs and blank labels as they are; literals with a
                     leading '"' */
  raptor_term* term; /* the object itself */
} Triple;

typedef struct {
  Triple* t;
  size_t  n;
  size_t  cap;
} Graph;

static char*
term_string(const raptor_term* const t)
{
  size_t               len = 0;
  const unsigned char* s   = NULL;
  char*                out = NULL;
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI:
    s = raptor_uri_as_counted_string(t->value.uri, &len);
    out = (char*)malloc(len + 1);
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
  case RAPTOR_TERM_TYPE_BLANK:
    len = t->value.blank.string_len;
    out = (char*)malloc(len + 3);
    out[0] = '_';
    out[1] = ':';
    memcpy(out + 2, t->value.blank.string, len);
    out[len + 2] = '\0';
    return out;
  case RAPTOR_TERM_TYPE_LITERAL:
    len = t->value.literal.string_len;
    out = (char*)malloc(len + 2);
    out[0] = '"';
    memcpy(out + 1, t->value.literal.string, len);
    out[len + 1] = '\0';
    return out;
  default:
    return strdup("");
  }
}

static void
add_statement(void* const data, raptor_statement* const st)
{
  Graph* const g = (Graph*)data;
  if (g->n == g->cap) {
    g->cap = g->cap ? g->cap * 2 : 256;
    g->t   = (Triple*)realloc(g->t, g->cap * sizeof(Triple));
  }
  g->t[g->n].s = term_string(st->subject);
  g->t[g->n].p = term_string(st->predicate);
  g->t[g->n].o    = term_string(st->object);
  g->t[g->n].term = raptor_term_copy(st->object);
  ++g->n;
}

static bool
read_rdf(raptor_world* const world, const char* const path, Graph* const g,
         const char* const syntax)
{
  raptor_parser* const p = raptor_new_parser(world, syntax);
  unsigned char* const uri_str =
    raptor_uri_filename_to_uri_string((const char*)path);
  raptor_uri* const uri = raptor_new_uri(world, uri_str);
  raptor_parser_set_statement_handler(p, g, add_statement);
  const int rc = raptor_parser_parse_file(p, uri, uri);
  raptor_free_uri(uri);
  raptor_free_memory(uri_str);
  raptor_free_parser(p);
  return rc == 0;
}

static void
graph_free(Graph* const g)
{
  for (size_t i = 0; i < g->n; ++i) {
    free(g->t[i].s);
    free(g->t[i].p);
    free(g->t[i].o);
    raptor_free_term(g->t[i].term);
  }
  free(g->t);
}

static bool
read_manifest(raptor_world* const world, const char* const path, Graph* const g)
{
  return read_rdf(world, path, g, "turtle");
}

/* The k-th object of (s, p), or NULL. */
static const char*
object(const Graph* const g, const char* const s, const char* const p, size_t k)
{
  for (size_t i = 0; i < g->n; ++i) {
    if (!strcmp(g->t[i].s, s) && !strcmp(g->t[i].p, p) && k-- == 0) {
      return g->t[i].o;
    }
  }
  return NULL;
}

/* The k-th object term of (s, p), or NULL. */
static const raptor_term*
object_term(const Graph* const g, const char* const s, const char* const p,
            size_t k)
{
  for (size_t i = 0; i < g->n; ++i) {
    if (!strcmp(g->t[i].s, s) && !strcmp(g->t[i].p, p) && k-- == 0) {
      return g->t[i].term;
    }
  }
  return NULL;
}

/* file:///a/b -> /a/b */
static const char*
file_path(const char* const iri)
{
  return !strncmp(iri, "file://", 7) ? iri + 7 : iri;
}

/* ------------------------------------------------------------------------
 * Running one test
 * --------------------------------------------------------------------- */

typedef struct {
  const char* tmp;
  unsigned    seq;
  bool        verbose;
  char        why[8192];
} Runner;

static FdxStore*
fresh_store(Runner* const r, char* const dir, const size_t dir_len)
{
  snprintf(dir, dir_len, "%s/store-%u", r->tmp, ++r->seq);
  FdxStore* store = NULL;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  if (fdx_store_new(&store) ||
      fdx_store_open(store, dir, FDX_STORE_CREATE | FDX_STORE_NO_SYNC, &err)) {
    snprintf(r->why, sizeof(r->why), "cannot create a store: %s", err.message);
    fdx_store_free(store);
    return NULL;
  }
  return store;
}

static bool
load(Runner* const r, FdxStore* const store, const char* const iri,
     const char* const graph)
{
  FdxLoadOptions opts;
  memset(&opts, 0, sizeof(opts));
  opts.graph = graph;
  opts.base  = iri;
  FdxError err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_load_file(store, file_path(iri), &opts, NULL, &err);
  if (st) {
    snprintf(r->why, sizeof(r->why), "cannot load %s: %s", iri, err.message);
    return false;
  }
  return true;
}

typedef struct {
  SrResults* res;
  FILE*      nt;
  bool       boolean;
  bool       is_boolean;
} Collect;

static FdxStatus
c_begin(void* const ctx, const char* const* vars, const size_t n)
{
  Collect* const c = (Collect*)ctx;
  for (size_t i = 0; i < n; ++i) {
    if (sr_results_add_var(c->res, vars[i], strlen(vars[i]))) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
c_row(void* const ctx, const FdxTerm* const* values)
{
  return sr_results_add_row(((Collect*)ctx)->res, values);
}

static FdxStatus
c_boolean(void* const ctx, const bool value)
{
  Collect* const c = (Collect*)ctx;
  c->is_boolean    = true;
  c->boolean       = value;
  return FDX_SUCCESS;
}

static int
write_file(void* const ctx, const char* const bytes, const size_t len)
{
  return fwrite(bytes, 1, len, (FILE*)ctx) == len ? 0 : -1;
}

static FdxStatus
c_triple(void* const ctx, const FdxTerm* const s, const FdxTerm* const p,
         const FdxTerm* const o)
{
  FILE* const f = ((Collect*)ctx)->nt;
  fdx_write_term_nt(s, write_file, f);
  fputc(' ', f);
  fdx_write_term_nt(p, write_file, f);
  fputc(' ', f);
  fdx_write_term_nt(o, write_file, f);
  fputs(" .\n", f);
  return FDX_SUCCESS;
}

#define RS "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"

/* A raptor term as an FdxTerm (strings borrowed from the term). */
static FdxTerm
fdx_term_of(const raptor_term* const t)
{
  FdxTerm out;
  memset(&out, 0, sizeof(out));
  size_t len = 0;
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI:
    out.kind  = FDX_TERM_IRI;
    out.value = (const char*)raptor_uri_as_counted_string(t->value.uri, &len);
    out.value_len = len;
    break;
  case RAPTOR_TERM_TYPE_BLANK:
    out.kind      = FDX_TERM_BLANK;
    out.value     = (const char*)t->value.blank.string;
    out.value_len = t->value.blank.string_len;
    break;
  default:
    out.kind      = FDX_TERM_LITERAL;
    out.value     = (const char*)t->value.literal.string;
    out.value_len = t->value.literal.string_len;
    if (t->value.literal.language) {
      out.lang     = (const char*)t->value.literal.language;
      out.lang_len = t->value.literal.language_len;
    } else if (t->value.literal.datatype) {
      out.datatype =
        (const char*)raptor_uri_as_counted_string(t->value.literal.datatype, &len);
      out.datatype_len = len;
    }
    break;
  }
  return out;
}

/* Expected SELECT/ASK results written in RDF (the rs: vocabulary). */
static SrResults*
read_rdf_results(raptor_world* const world, const char* const path)
{
  Graph g = {NULL, 0, 0};
  const char* syntax = strstr(path, ".rdf") ? "rdfxml" : "turtle";
  if (!read_rdf(world, path, &g, syntax)) {
    graph_free(&g);
    return NULL;
  }
  SrResults* const r  = sr_results_new();
  const char*      rs = NULL;
  for (size_t i = 0; i < g.n && !rs; ++i) {
    if (!strcmp(g.t[i].p, RDF "type") && !strcmp(g.t[i].o, RS "ResultSet")) {
      rs = g.t[i].s;
    }
  }
  const char* b = rs ? object(&g, rs, RS "boolean", 0) : NULL;
  if (b) {
    r->is_boolean = true;
    r->boolean    = !strcmp(b, "\"true");
  }
  const char* v;
  for (size_t k = 0; rs && (v = object(&g, rs, RS "resultVariable", k)); ++k) {
    sr_results_add_var(r, v + 1, strlen(v + 1));
  }
  const char* sol;
  for (size_t k = 0; rs && (sol = object(&g, rs, RS "solution", k)); ++k) {
    FdxTerm         terms[64];
    const FdxTerm*  values[64] = {NULL};
    const char*     bnode;
    for (size_t j = 0; (bnode = object(&g, sol, RS "binding", j)); ++j) {
      const char* const        name = object(&g, bnode, RS "variable", 0);
      const raptor_term* const val  = object_term(&g, bnode, RS "value", 0);
      for (size_t x = 0; name && val && x < r->n_vars && x < 64; ++x) {
        if (!strcmp(r->vars[x], name + 1)) {
          terms[x]  = fdx_term_of(val);
          values[x] = &terms[x];
        }
      }
    }
    sr_results_add_row(r, values);
  }
  graph_free(&g);
  return r;
}

static raptor_world* world_for_results;

/* rdfcmp A B: 0 equal. */
static int
rdfcmp(const char* const exe, const char* const a, const char* const b)
{
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", 1);
    dup2(devnull, 1);
    execl(exe, exe, a, b, (char*)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

static const char* rdfcmp_exe;

static bool
run_query_test(Runner* const r, const Graph* const m, const char* const test)
{
  const char* const action = object(m, test, MF "action", 0);
  const char* const result = object(m, test, MF "result", 0);
  const char* const qfile  = action ? object(m, action, QT "query", 0) : NULL;
  if (!qfile || !result) {
    snprintf(r->why, sizeof(r->why), "no query or result in the manifest");
    return false;
  }
  char      dir[PATH_MAX];
  FdxStore* store = fresh_store(r, dir, sizeof(dir));
  if (!store) {
    return false;
  }
  bool        ok = true;
  const char* d;
  for (size_t k = 0; ok && (d = object(m, action, QT "data", k)); ++k) {
    ok = load(r, store, d, NULL);
  }
  for (size_t k = 0; ok && (d = object(m, action, QT "graphData", k)); ++k) {
    ok = load(r, store, d, d);
  }
  char*  text = NULL;
  size_t len  = 0;
  if (ok && sr_slurp(file_path(qfile), &text, &len)) {
    snprintf(r->why, sizeof(r->why), "cannot read %s", qfile);
    ok = false;
  }
  FdxQuery*       q = NULL;
  FdxQueryOptions opts;
  memset(&opts, 0, sizeof(opts));
  opts.base_iri   = qfile;
  opts.timeout_ms = 20000;
  FdxError err;
  memset(&err, 0, sizeof(err));
  if (ok && fdx_query_prepare(text, len, &opts, &q, &err)) {
    snprintf(r->why, sizeof(r->why), "parse error %ld:%ld: %s", err.line,
             err.column, err.message);
    ok = false;
  }
  /* FROM / FROM NAMED files are loaded as graphs named by their IRIs. */
  if (ok && !object(m, action, QT "data", 0) && !object(m, action, QT "graphData", 0)) {
    const char* p = text;
    while (ok && (p = strstr(p, "FROM"))) {
      const char* lt = strchr(p, '<');
      const char* gt = lt ? strchr(lt, '>') : NULL;
      if (!gt) {
        break;
      }
      char rel[1024];
      snprintf(rel, sizeof(rel), "%.*s", (int)(gt - lt - 1), lt + 1);
      char iri[PATH_MAX + 16];
      if (strchr(rel, ':')) {
        snprintf(iri, sizeof(iri), "%s", rel);
      } else {
        const char* slash = strrchr(qfile, '/');
        snprintf(iri, sizeof(iri), "%.*s/%s", (int)(slash - qfile), qfile, rel);
      }
      if (!strncmp(iri, "file://", 7)) {
        ok = load(r, store, iri, iri);
      }
      p = gt;
    }
  }
  Collect c = {sr_results_new(), NULL, false, false};
  char    nt_path[PATH_MAX + 8];
  snprintf(nt_path, sizeof(nt_path), "%s/out.nt", dir);
  if (ok) {
    FdxTxn* txn = NULL;
    fdx_txn_begin(store, 0, &txn);
    c.nt                    = fopen(nt_path, "w");
    const FdxQuerySink sink = {&c, c_begin, c_row, c_boolean, c_triple};
    memset(&err, 0, sizeof(err));
    const FdxStatus st = fdx_query_exec(q, txn, NULL, &sink, &err);
    fclose(c.nt);
    fdx_txn_abort(txn);
    if (st) {
      snprintf(r->why, sizeof(r->why), "execution failed: %s (%s)",
               fdx_strerror(st), err.message);
      ok = false;
    }
  }
  if (ok) {
    const FdxQueryForm form = fdx_query_form(q);
    if (form == FDX_QUERY_CONSTRUCT || form == FDX_QUERY_DESCRIBE) {
      const int rc = rdfcmp(rdfcmp_exe, nt_path, file_path(result));
      if (rc) {
        snprintf(r->why, sizeof(r->why), "graph differs from %s (rdfcmp %d)",
                 result, rc);
        ok = false;
      }
    } else {
      FdxResultsFormat fmt;
      SrResults*       expected = NULL;
      char             why[512] = "";
      if (!sr_format_from_path(file_path(result), &fmt)) {
        /* .ttl / .rdf: the result set written in RDF */
        expected = read_rdf_results(world_for_results, file_path(result));
        fmt      = FDX_RESULTS_JSON;
        if (!expected) {
          snprintf(r->why, sizeof(r->why), "cannot read %s", result);
          ok = false;
        }
      } else if (sr_read_file(file_path(result), fmt, &expected, why, sizeof(why))) {
        snprintf(r->why, sizeof(r->why), "cannot read %s: %s", result, why);
        ok = false;
      }
      if (!ok) {
        /* reported above */
      } else if (c.is_boolean != expected->is_boolean ||
                 (c.is_boolean && c.boolean != expected->boolean)) {
        snprintf(r->why, sizeof(r->why), "ASK answered %s",
                 c.is_boolean ? (c.boolean ? "true" : "false") : "rows");
        ok = false;
      } else if (!c.is_boolean &&
                 !sr_results_equal(c.res, expected,
                                   SR_CMP_NUMERIC_VALUE |
                                     (fmt == FDX_RESULTS_CSV ? SR_CMP_CSV : 0) |
                                     (fdx_query_ordered(q) ? SR_CMP_ORDERED : 0),
                                   why,
                                   sizeof(why))) {
        snprintf(r->why, sizeof(r->why), "results differ: %s", why);
        ok = false;
      }
      sr_results_free(expected);
    }
  }
  sr_results_free(c.res);
  fdx_query_free(q);
  free(text);
  fdx_store_free(store);
  return ok;
}

/* Load an update test's data (ut:data and ut:graphData) from `node`. */
static bool
load_update_data(Runner* const r, FdxStore* const store, const Graph* const m,
                 const char* const node)
{
  const char* d;
  bool        ok = true;
  for (size_t k = 0; ok && (d = object(m, node, UT "data", k)); ++k) {
    ok = load(r, store, d, NULL);
  }
  for (size_t k = 0; ok && (d = object(m, node, UT "graphData", k)); ++k) {
    const char* const file  = object(m, d, UT "graph", 0);
    const char* const label = object(m, d, RDFS "label", 0);
    if (file && label) {
      ok = load(r, store, file, label + 1);
    }
  }
  return ok;
}

static int
dump_file(void* const ctx, const char* const bytes, const size_t len)
{
  return fwrite(bytes, 1, len, (FILE*)ctx) == len ? 0 : -1;
}

static bool
run_update_test(Runner* const r, const Graph* const m, const char* const test)
{
  const char* const action = object(m, test, MF "action", 0);
  const char* const result = object(m, test, MF "result", 0);
  const char* const req    = action ? object(m, action, UT "request", 0) : NULL;
  if (!req || !result) {
    snprintf(r->why, sizeof(r->why), "no request or result in the manifest");
    return false;
  }
  char      dir[PATH_MAX], edir[PATH_MAX];
  FdxStore* store    = fresh_store(r, dir, sizeof(dir));
  FdxStore* expected = store ? fresh_store(r, edir, sizeof(edir)) : NULL;
  bool      ok       = store && expected && load_update_data(r, store, m, action) &&
                load_update_data(r, expected, m, result);
  char*  text = NULL;
  size_t len  = 0;
  if (ok && sr_slurp(file_path(req), &text, &len)) {
    snprintf(r->why, sizeof(r->why), "cannot read %s", req);
    ok = false;
  }
  const char* const outcome = object(m, result, UT "result", 0);
  const bool        must_fail = outcome && strstr(outcome, "failure");
  if (ok) {
    FdxTxn* txn = NULL;
    FdxError err;
    memset(&err, 0, sizeof(err));
    FdxQueryOptions opts;
    memset(&opts, 0, sizeof(opts));
    opts.base_iri = req;
    FdxStatus st  = fdx_txn_begin(store, FDX_TXN_WRITE, &txn);
    if (!st) {
      st = fdx_update_exec(txn, text, len, &opts, true, NULL, &err);
    }
    if (!st) {
      st = fdx_txn_commit(txn);
    } else {
      fdx_txn_abort(txn);
    }
    if (st && !must_fail) {
      snprintf(r->why, sizeof(r->why), "update failed: %s (%s)", fdx_strerror(st),
               err.message);
      ok = false;
    } else if (!st && must_fail) {
      snprintf(r->why, sizeof(r->why), "update should have failed");
      ok = false;
    }
  }
  if (ok) {
    /* Compare the whole stores as N-Quads. */
    char a[PATH_MAX + 16], b[PATH_MAX + 16];
    snprintf(a, sizeof(a), "%s.nq", dir);
    snprintf(b, sizeof(b), "%s.nq", edir);
    FdxStore* const stores[2] = {store, expected};
    const char*     paths[2]  = {a, b};
    for (int i = 0; i < 2; ++i) {
      FILE*   f   = fopen(paths[i], "w");
      FdxTxn* txn = NULL;
      fdx_txn_begin(stores[i], 0, &txn);
      fdx_dump(txn, FDX_FORMAT_NQUADS, FDX_ID_ANY, dump_file, f);
      fdx_txn_abort(txn);
      fclose(f);
    }
    const int rc = rdfcmp(rdfcmp_exe, a, b);
    if (rc) {
      snprintf(r->why, sizeof(r->why), "store differs from the expected one (rdfcmp %d)", rc);
      ok = false;
    }
  }
  free(text);
  fdx_store_free(store);
  fdx_store_free(expected);
  return ok;
}

/* ------------------------------------------------------------------------
 * Main
 * --------------------------------------------------------------------- */

typedef struct {
  char** names;
  char** reasons;
  bool*  seen;
  size_t n;
} XFail;

static void
read_xfail(const char* const path, XFail* const x)
{
  FILE* const f = fopen(path, "r");
  char        line[1024];
  while (f && fgets(line, sizeof(line), f)) {
    char* const hash = strchr(line, '#');
    char*       name = line;
    while (*name == ' ') {
      ++name;
    }
    if (*name == '#' || *name == '\n' || !*name) {
      continue;
    }
    size_t len = hash ? (size_t)(hash - name) : strcspn(name, "\n");
    while (len && (name[len - 1] == ' ' || name[len - 1] == '\n')) {
      --len;
    }
    x->names   = (char**)realloc(x->names, (x->n + 1) * sizeof(char*));
    x->reasons = (char**)realloc(x->reasons, (x->n + 1) * sizeof(char*));
    x->seen    = (bool*)realloc(x->seen, (x->n + 1) * sizeof(bool));
    x->names[x->n]   = strndup(name, len);
    x->reasons[x->n] = strdup(hash ? hash + 1 : "");
    x->seen[x->n]    = false;
    ++x->n;
  }
  if (f) {
    fclose(f);
  }
}

static int
cmp_str(const void* a, const void* b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

int
main(int argc, char** argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: %s SUITE_DIR XFAIL_FILE RDFCMP [--verbose] [--only S]\n",
            argv[0]);
    return 2;
  }
  const char* const suite = argv[1];
  rdfcmp_exe              = argv[3];
  const char* only        = NULL;
  const char* ratchet     = NULL;
  Runner      r;
  memset(&r, 0, sizeof(r));
  for (int i = 4; i < argc; ++i) {
    if (!strcmp(argv[i], "--verbose")) {
      r.verbose = true;
    } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
      only = argv[++i];
    } else if (!strcmp(argv[i], "--ratchet") && i + 1 < argc) {
      ratchet = argv[++i];
    }
  }
  XFail xfail;
  memset(&xfail, 0, sizeof(xfail));
  read_xfail(argv[2], &xfail);
  const char* const tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR")
                                                                    : "/tmp";
  char tmpl[PATH_MAX];
  snprintf(tmpl, sizeof(tmpl), "%s/fdx-w3c-XXXXXX", tmpdir);
  r.tmp = mkdtemp(tmpl);
  if (!r.tmp) {
    perror("mkdtemp");
    return 2;
  }
  DIR* const dir = opendir(suite);
  if (!dir) {
    fprintf(stderr, "w3c_eval: cannot open %s: %s\n", suite, strerror(errno));
    return 2;
  }
  char**         folders = NULL;
  size_t         n_folders = 0;
  struct dirent* e;
  while ((e = readdir(dir))) {
    if (e->d_name[0] == '.') {
      continue;
    }
    folders = (char**)realloc(folders, (n_folders + 1) * sizeof(char*));
    folders[n_folders++] = strdup(e->d_name);
  }
  closedir(dir);
  qsort(folders, n_folders, sizeof(char*), cmp_str);

  raptor_world* const world = raptor_new_world();
  world_for_results         = world;
  unsigned passed = 0, failed = 0, xfailed = 0, skipped = 0, xpassed = 0;
  unsigned q_passed = 0, q_total = 0, u_passed = 0, u_total = 0;
  for (size_t f = 0; f < n_folders; ++f) {
    const char* skip = NULL;
    for (size_t k = 0; k < sizeof(skipped_folders) / sizeof(*skipped_folders); ++k) {
      if (!strcmp(folders[f], skipped_folders[k].folder)) {
        skip = skipped_folders[k].reason;
      }
    }
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s/manifest.ttl", suite, folders[f]);
    struct stat sb;
    if (skip || stat(path, &sb)) {
      if (skip && !only) {
        printf("%-20s skipped: %s\n", folders[f], skip);
      }
      free(folders[f]);
      continue;
    }
    unsigned f_passed = 0, f_failed = 0, f_skipped = 0;
    Graph m = {NULL, 0, 0};
    if (!read_manifest(world, path, &m)) {
      fprintf(stderr, "w3c_eval: cannot read %s\n", path);
      ++failed;
      graph_free(&m);
      free(folders[f]);
      continue;
    }
    for (size_t i = 0; i < m.n; ++i) {
      if (strcmp(m.t[i].p, RDF "type")) {
        continue;
      }
      const bool query  = !strcmp(m.t[i].o, MF "QueryEvaluationTest");
      const bool update = !strcmp(m.t[i].o, MF "UpdateEvaluationTest");
      if (!query && !update) {
        continue;
      }
      const char* const test   = m.t[i].s;
      const char* const hash   = strrchr(test, '#');
      char              name[512];
      snprintf(name, sizeof(name), "%s/%s", folders[f], hash ? hash + 1 : test);
      if (only && !strstr(name, only)) {
        continue;
      }
      const char* const action = object(&m, test, MF "action", 0);
      if (action && object(&m, action, QT "serviceData", 0)) {
        ++skipped;
        ++f_skipped;
        printf("SKIP  %s: uses SERVICE\n", name);
        continue;
      }
      r.why[0]      = '\0';
      const bool ok = query ? run_query_test(&r, &m, test) : run_update_test(&r, &m, test);
      if (query) {
        ++q_total;
        q_passed += ok;
      } else {
        ++u_total;
        u_passed += ok;
      }
      if (ok) {
        ++f_passed;
      } else {
        ++f_failed;
      }
      size_t     x  = 0;
      while (x < xfail.n && strcmp(xfail.names[x], name)) {
        ++x;
      }
      const bool expected_fail = x < xfail.n;
      if (expected_fail) {
        xfail.seen[x] = true;
      }
      if (ok) {
        ++passed;
        if (expected_fail) {
          ++xpassed;
          printf("XPASS %s (listed in the expected failures: remove it)\n", name);
        } else if (r.verbose) {
          printf("PASS  %s\n", name);
        }
      } else if (expected_fail) {
        ++xfailed;
        if (r.verbose) {
          printf("XFAIL %s: %s\n", name, r.why);
        }
      } else {
        ++failed;
        printf("FAIL  %s: %s\n", name, r.why);
      }
    }
    if (f_passed + f_failed + f_skipped) {
      printf("%-20s %u passed, %u failed, %u skipped\n", folders[f], f_passed,
             f_failed, f_skipped);
    }
    graph_free(&m);
    free(folders[f]);
  }
  free(folders);
  raptor_free_world(world);
  for (size_t x = 0; x < xfail.n; ++x) {
    if (!xfail.seen[x] && !only) {
      printf("note: expected failure %s names no test\n", xfail.names[x]);
    }
    free(xfail.names[x]);
    free(xfail.reasons[x]);
  }
  free(xfail.names);
  free(xfail.reasons);
  free(xfail.seen);
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r.tmp);
  if (system(cmd)) {
    fprintf(stderr, "w3c_eval: could not remove %s\n", r.tmp);
  }
  printf("query evaluation: %u of %u passed (%.1f%%)\n", q_passed, q_total,
         q_total ? 100.0 * q_passed / q_total : 0.0);
  printf("update evaluation: %u of %u passed (%.1f%%)\n", u_passed, u_total,
         u_total ? 100.0 * u_passed / u_total : 0.0);
  printf("w3c evaluation: %u passed, %u failed, %u expected failures, %u skipped"
         "%s\n",
         passed - xpassed, failed, xfailed, skipped,
         xpassed ? " (some expected failures pass now)" : "");
  /* The ratchet: the pass counts may not fall below the committed ones. */
  bool below = false;
  if (ratchet && !only) {
    FILE* const rf = fopen(ratchet, "r");
    char        line[256];
    while (rf && fgets(line, sizeof(line), rf)) {
      unsigned min = 0;
      if (sscanf(line, "query %u", &min) == 1 && q_passed < min) {
        printf("ratchet: %u query tests pass, %u did before\n", q_passed, min);
        below = true;
      } else if (sscanf(line, "update %u", &min) == 1 && u_passed < min) {
        printf("ratchet: %u update tests pass, %u did before\n", u_passed, min);
        below = true;
      }
    }
    if (rf) {
      fclose(rf);
    } else {
      printf("ratchet: cannot read %s\n", ratchet);
      below = true;
    }
  }
  return failed || xpassed || below ? 1 : 0;
}
