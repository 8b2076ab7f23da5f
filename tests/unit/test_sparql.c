/*
 * test_sparql.c: the SPARQL engine's C API (fairdex/sparql.h) beyond what
 * the W3C suite covers: the three limits (time, rows, memory) stop a query
 * cleanly and say which limit; a sink's stop status comes back; the union
 * default graph counts a triple held in two graphs once while GRAPH sees
 * both; FROM narrows the default graph; updates are all or nothing; LOAD
 * reads local files only where allowed; and a prepared query runs again in
 * later transactions.  The engine's shortcuts (hash and bitmap joins, date
 * ranges, ORDER BY ... LIMIT read in order, COUNT from a scan, DISTINCT
 * jumping between objects) must give the answers of the plain evaluation:
 * each is compared with the same query written so that it cannot take the
 * shortcut.
 */
#include "test_util.h"

#include "fairdex/sparql.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

typedef struct {
  uint64_t rows;
  bool     answer;
  uint64_t stop_after; /* 0: never stop */
  char     first[256]; /* first value of the first row */
} Counter;

static FdxStatus
count_row(void* const ctx, const FdxTerm* const* values)
{
  Counter* const c = (Counter*)ctx;
  if (!c->rows && values[0]) {
    snprintf(c->first, sizeof(c->first), "%.*s", (int)values[0]->value_len,
             values[0]->value);
  }
  ++c->rows;
  return c->stop_after && c->rows >= c->stop_after ? FDX_FAILURE : FDX_SUCCESS;
}

static FdxStatus
count_boolean(void* const ctx, const bool value)
{
  ((Counter*)ctx)->answer = value;
  return FDX_SUCCESS;
}

/* Run `text` with `options`, counting rows; returns the status. */
static FdxStatus
run(FdxStore* const store, const char* const text,
    const FdxQueryOptions* const options, Counter* const c, FdxError* const err)
{
  FdxQuery* q  = NULL;
  FdxStatus st = fdx_query_prepare(text, strlen(text), options, &q, err);
  if (st) {
    return st;
  }
  FdxTxn* txn = begin(store, 0);
  const FdxQuerySink sink = {c, NULL, count_row, count_boolean, NULL};
  st = fdx_query_exec(q, txn, options, &sink, err);
  fdx_txn_abort(txn);
  fdx_query_free(q);
  return st;
}

static FdxStatus
update(FdxStore* const store, const char* const text, FdxUpdateStats* const stats,
       FdxError* const err)
{
  FdxTxn*   txn = begin(store, FDX_TXN_WRITE);
  FdxStatus st  = fdx_update_exec(txn, text, strlen(text), NULL, false, stats, err);
  if (st) {
    fdx_txn_abort(txn);
    return st;
  }
  return fdx_txn_commit(txn);
}

/* ------------------------------------------------------------------------
 * Tests
 * --------------------------------------------------------------------- */

static void
load_numbers(FdxStore* const store, const int n)
{
  /* n subjects with a value each, in one INSERT DATA. */
  size_t     cap  = (size_t)n * 80 + 64;
  char* const text = (char*)malloc(cap);
  REQUIRE(text);
  size_t len = (size_t)snprintf(text, cap, "INSERT DATA {\n");
  for (int i = 0; i < n; ++i) {
    len += (size_t)snprintf(text + len, cap - len,
                            "<http://example.org/s%d> <http://example.org/v> %d .\n",
                            i, i);
  }
  snprintf(text + len, cap - len, "}\n");
  FdxUpdateStats stats;
  FdxError       err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(update(store, text, &stats, &err), FDX_SUCCESS);
  CHECK(stats.inserted == (uint64_t)n);
  free(text);
}

static void
test_limits(FdxStore* const store)
{
  FdxError        err;
  Counter         c;
  FdxQueryOptions o;

  /* Rows: over the limit is FDX_ERR_LIMIT naming it; at it is fine. */
  memset(&o, 0, sizeof(o));
  memset(&c, 0, sizeof(c));
  memset(&err, 0, sizeof(err));
  o.max_rows = 100;
  CHECK_ST(run(store, "SELECT * { ?s ?p ?o }", &o, &c, &err), FDX_ERR_LIMIT);
  CHECK(strstr(err.message, "row limit"));
  CHECK(c.rows == 100);
  memset(&c, 0, sizeof(c));
  o.max_rows = 2000;
  CHECK_ST(run(store, "SELECT * { ?s ?p ?o }", &o, &c, &err), FDX_SUCCESS);
  CHECK(c.rows == 2000);

  /* Time: a cross product of 2000^3 rows stops within the limit's reach. */
  memset(&o, 0, sizeof(o));
  memset(&c, 0, sizeof(c));
  memset(&err, 0, sizeof(err));
  o.timeout_ms = 100;
  CHECK_ST(run(store, "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
               &o, &c, &err),
           FDX_ERR_LIMIT);
  CHECK(strstr(err.message, "time limit"));

  /* Memory: sorting 2000 rows in 16 KiB fails cleanly... */
  memset(&o, 0, sizeof(o));
  memset(&c, 0, sizeof(c));
  memset(&err, 0, sizeof(err));
  o.max_memory = 16 << 10;
  CHECK_ST(run(store, "SELECT ?s ?v { ?s ?p ?v } ORDER BY DESC(?v)", &o, &c, &err),
           FDX_ERR_LIMIT);
  CHECK(strstr(err.message, "memory limit"));
  CHECK(c.rows == 0);
  /* ...and so do DISTINCT and GROUP BY over many keys, */
  memset(&err, 0, sizeof(err));
  CHECK_ST(run(store, "SELECT DISTINCT ?v { ?s ?p ?v }", &o, &c, &err),
           FDX_ERR_LIMIT);
  memset(&err, 0, sizeof(err));
  CHECK_ST(run(store, "SELECT ?v (COUNT(*) AS ?n) { ?s ?p ?v } GROUP BY ?v", &o, &c,
               &err),
           FDX_ERR_LIMIT);
  /* ...while ORDER BY with a small LIMIT keeps only the best rows. */
  memset(&c, 0, sizeof(c));
  memset(&err, 0, sizeof(err));
  CHECK_ST(run(store, "SELECT ?v { ?s ?p ?v } ORDER BY DESC(?v) LIMIT 3", &o, &c,
               &err),
           FDX_SUCCESS);
  CHECK(c.rows == 3);
  CHECK(!strcmp(c.first, "1999"));
}

static void
test_sink_stop(FdxStore* const store)
{
  /* A sink that returns FDX_FAILURE stops the query: its status comes
   * back and no more rows arrive. */
  Counter  c;
  FdxError err;
  memset(&c, 0, sizeof(c));
  memset(&err, 0, sizeof(err));
  c.stop_after = 5;
  CHECK_ST(run(store, "SELECT * { ?s ?p ?o }", NULL, &c, &err), FDX_FAILURE);
  CHECK(c.rows == 5);
}

static void
test_graphs(FdxStore* const store)
{
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(update(store,
                  "INSERT DATA { GRAPH <http://example.org/g1> { <http://example.org/x> "
                  "<http://example.org/name> \"X\" } GRAPH <http://example.org/g2> { "
                  "<http://example.org/x> <http://example.org/name> \"X\" . "
                  "<http://example.org/y> <http://example.org/name> \"Y\" } }",
                  NULL, &err),
           FDX_SUCCESS);
  Counter c;
  /* The union default graph holds (x name "X") once... */
  memset(&c, 0, sizeof(c));
  CHECK_ST(run(store, "SELECT * { ?s <http://example.org/name> ?o }", NULL, &c, &err),
           FDX_SUCCESS);
  CHECK(c.rows == 2);
  /* ...GRAPH ?g sees it in both graphs... */
  memset(&c, 0, sizeof(c));
  CHECK_ST(run(store, "SELECT * { GRAPH ?g { ?s <http://example.org/name> ?o } }",
               NULL, &c, &err),
           FDX_SUCCESS);
  CHECK(c.rows == 3);
  /* ...and FROM narrows the default graph to the graphs it names. */
  memset(&c, 0, sizeof(c));
  CHECK_ST(run(store,
               "SELECT * FROM <http://example.org/g1> { ?s <http://example.org/name> ?o }",
               NULL, &c, &err),
           FDX_SUCCESS);
  CHECK(c.rows == 1);
  /* GRAPH over a pattern with MINUS walks the graphs one by one. */
  memset(&c, 0, sizeof(c));
  CHECK_ST(run(store,
               "SELECT * { GRAPH ?g { ?s <http://example.org/name> ?o "
               "MINUS { ?s <http://example.org/name> \"Y\" } } }",
               NULL, &c, &err),
           FDX_SUCCESS);
  CHECK(c.rows == 2);
  /* DROP removes a graph; the other keeps its triples. */
  CHECK_ST(update(store, "DROP GRAPH <http://example.org/g2>", NULL, &err),
           FDX_SUCCESS);
  memset(&c, 0, sizeof(c));
  CHECK_ST(run(store, "ASK { GRAPH <http://example.org/g2> { ?s ?p ?o } }", NULL, &c,
               &err),
           FDX_SUCCESS);
  CHECK(!c.answer);
  CHECK_ST(run(store, "ASK { GRAPH <http://example.org/g1> { ?s ?p ?o } }", NULL, &c,
               &err),
           FDX_SUCCESS);
  CHECK(c.answer);
}

static void
test_update_atomic(FdxStore* const store)
{
  FdxError       err;
  FdxUpdateStats stats;
  memset(&err, 0, sizeof(err));
  /* The second operation fails: the transaction is aborted, the first
   * operation's insert is gone with it. */
  CHECK(update(store,
               "INSERT DATA { <http://example.org/z> <http://example.org/p> 1 } ; "
               "LOAD <file:///does/not/exist.ttl>",
               &stats, &err) != FDX_SUCCESS);
  Counter c;
  memset(&c, 0, sizeof(c));
  CHECK_ST(run(store, "ASK { <http://example.org/z> ?p ?o }", NULL, &c, &err),
           FDX_SUCCESS);
  CHECK(!c.answer);
  /* Syntax errors come with a position. */
  memset(&err, 0, sizeof(err));
  CHECK_ST(update(store, "INSERT DATA {\n <a> <b> ", &stats, &err), FDX_ERR_SYNTAX);
  CHECK(err.line == 2);
  /* A read transaction cannot update. */
  FdxTxn* const txn = begin(store, 0);
  CHECK_ST(fdx_update_exec(txn, "CLEAR ALL", 9, NULL, false, NULL, NULL),
           FDX_ERR_READ_ONLY);
  fdx_txn_abort(txn);
}

static void
test_load(FdxStore* const store)
{
  /* LOAD <file:...> INTO GRAPH, allowed (the CLI) and refused (the
   * server); a file with a syntax error fails the whole request. */
  char good[4200], bad[4200], text[9000];
  snprintf(good, sizeof(good), "%s/load-good.ttl", tmp_root);
  snprintf(bad, sizeof(bad), "%s/load-bad.ttl", tmp_root);
  FILE* f = fopen(good, "w");
  REQUIRE(f);
  fputs("@prefix ex: <http://example.org/> .\nex:l1 ex:p 1 , 2 .\n", f);
  fclose(f);
  f = fopen(bad, "w");
  REQUIRE(f);
  fputs("@prefix ex: <http://example.org/> .\nex:l2 ex:p 1 .\nex:l2 ex:p ??? .\n", f);
  fclose(f);
  FdxUpdateStats stats;
  FdxError       err;
  memset(&err, 0, sizeof(err));
  snprintf(text, sizeof(text), "LOAD <file://%s> INTO GRAPH <http://example.org/lg>",
           good);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_update_exec(txn, text, strlen(text), NULL, true, &stats, &err),
           FDX_SUCCESS);
  CHECK(stats.inserted == 2);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  Counter c;
  memset(&c, 0, sizeof(c));
  CHECK_ST(run(store, "SELECT * { GRAPH <http://example.org/lg> { ?s ?p ?o } }", NULL,
               &c, &err),
           FDX_SUCCESS);
  CHECK(c.rows == 2);
  /* Not allowed: an error, unless SILENT. */
  txn = begin(store, FDX_TXN_WRITE);
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_update_exec(txn, text, strlen(text), NULL, false, &stats, &err),
           FDX_ERR_UNSUPPORTED);
  CHECK(strstr(err.message, "not allowed"));
  fdx_txn_abort(txn);
  /* A broken file: the error names its line, and nothing stays. */
  snprintf(text, sizeof(text), "LOAD SILENT <file://%s>", bad);
  txn = begin(store, FDX_TXN_WRITE);
  memset(&err, 0, sizeof(err));
  CHECK(fdx_update_exec(txn, text, strlen(text), NULL, true, &stats, &err) ==
        FDX_ERR_SYNTAX);
  CHECK(strstr(err.message, "line 3"));
  fdx_txn_abort(txn);
  /* Missing file with SILENT: nothing happens, no error. */
  snprintf(text, sizeof(text), "LOAD SILENT <file://%s/none.ttl>", tmp_root);
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_update_exec(txn, text, strlen(text), NULL, true, &stats, &err),
           FDX_SUCCESS);
  CHECK(stats.inserted == 0);
  fdx_txn_abort(txn);
  /* Only file: IRIs. */
  const char* const web = "LOAD <http://example.org/remote.ttl>";
  txn                   = begin(store, FDX_TXN_WRITE);
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_update_exec(txn, web, strlen(web), NULL, true, &stats, &err),
           FDX_ERR_UNSUPPORTED);
  CHECK(strstr(err.message, "file:"));
  fdx_txn_abort(txn);
}

static void
test_hash_joins(FdxStore* const store)
{
  /* Enough rows that the planner probes hashes instead of looking each
   * row up (one predicate's pairs by subject or object, and the subjects
   * of a constant object): the answers must be the same as by lookups. */
  const int n       = 3000;
  size_t    cap     = (size_t)n * 280 + 256;
  char*     text    = (char*)malloc(cap);
  REQUIRE(text);
  size_t len = (size_t)snprintf(text, cap, "PREFIX e: <http://example.org/h/>\nINSERT DATA {\n");
  for (int i = 0; i < n; ++i) {
    len += (size_t)snprintf(text + len, cap - len,
                            "e:s%d a e:T ; e:v e:o%d ; e:w %d, \"w%d\" .\n",
                            i, i % 50, i, i % 7);
    if (i % 10 == 0) { /* some without the type */
      len += (size_t)snprintf(text + len, cap - len, "e:x%d e:v e:o%d .\n", i, i % 50);
    }
  }
  for (int j = 0; j < 50; ++j) {
    len += (size_t)snprintf(text + len, cap - len, "e:o%d e:label \"%d\" .\n", j, j);
  }
  snprintf(text + len, cap - len, "}\n");
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(update(store, text, NULL, &err), FDX_SUCCESS);
  free(text);
  static const struct {
    const char* query;
    const char* count;
  } cases[] = {
    /* typed subjects first, then their v, then the label by object */
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(*) AS ?n) "
     "{ ?s a e:T . ?s e:v ?o . ?o e:label ?l }", "3000"},
    /* labels first, then subjects by object, then the type as a set */
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(*) AS ?n) "
     "{ ?o e:label ?l . ?s e:v ?o . ?s a e:T }", "3000"},
    /* one label: its 60 subjects, all typed (no untyped x has it) */
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(*) AS ?n) "
     "{ ?o e:label \"7\" . ?s e:v ?o . ?s a e:T }", "60"},
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(DISTINCT ?s) AS ?n) "
     "{ ?s e:v ?o . ?o e:label ?l }", "3300"},
    /* pairs by subject (?s bound by the type) and by object (?o bound) */
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(*) AS ?n) "
     "{ ?s a e:T . ?s e:v ?o }", "3000"},
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(*) AS ?n) "
     "{ ?s a e:T . ?s e:v ?o . ?x e:v ?o }", "198000"},
    /* two values per key, probed in subject order (the pairs read front
     * to back) and in the order of ?o (the table asked) */
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(*) AS ?n) "
     "{ ?s a e:T . ?s e:w ?w }", "6000"},
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(*) AS ?n) "
     "{ ?o e:label ?l . ?s e:v ?o . ?s e:w ?w }", "6000"},
    {"PREFIX e: <http://example.org/h/> SELECT (SUM(?w) AS ?n) "
     "{ ?o e:label ?l . ?s e:v ?o . ?s e:w ?w FILTER(isNumeric(?w)) }",
     "4498500"},
    /* the same predicate twice: two tables, one probed inside the other */
    {"PREFIX e: <http://example.org/h/> SELECT (COUNT(*) AS ?n) "
     "{ ?s a e:T . ?s e:w ?w . ?s e:w ?w2 }", "12000"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    Counter c;
    memset(&c, 0, sizeof(c));
    memset(&err, 0, sizeof(err));
    CHECK_ST(run(store, cases[i].query, NULL, &c, &err), FDX_SUCCESS);
    if (strcmp(c.first, cases[i].count)) {
      fprintf(stderr, "  query %zu counted %s, expected %s\n", i, c.first,
              cases[i].count);
      CHECK(!"hash join changed an answer");
    }
  }
}

static void
test_date_ranges(FdxStore* const store)
{
  /* A filter comparing a pattern's object with date or dateTime constants
   * reads only the matching range of inlined values (and every typed
   * literal that is not inlined).  The answers must be those of the same
   * filter on a copy of the variable (BIND), which reads everything. */
  size_t    cap  = 64 * 1024;
  char*     text = (char*)malloc(cap);
  REQUIRE(text);
  size_t len = (size_t)snprintf(
    text, cap,
    "PREFIX e: <http://example.org/r/>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    "INSERT DATA {\n"
    "e:d0 e:when \"2020-01-01\"^^xsd:date . e:d1 e:when \"2020-03-15\"^^xsd:date .\n"
    "e:d2 e:when \"2020-03-15+05:07\"^^xsd:date . e:d3 e:when \"2020-06-30Z\"^^xsd:date .\n"
    "e:d4 e:when \"2020-07-01\"^^xsd:date . e:d5 e:when \"2020-03-01\" .\n"
    "e:d6 e:when \"2020-03-01T00:00:00Z\"^^xsd:dateTime . e:d7 e:when 20200301 .\n"
    "e:d8 e:when \"2019-12-31-14:00\"^^xsd:date . e:d9 e:when \"2020-07-01+14:00\"^^xsd:date .\n"
    "e:t0 e:at \"2024-03-01T00:00:00Z\"^^xsd:dateTime .\n"
    "e:t1 e:at \"2024-03-15T12:00:00\"^^xsd:dateTime .\n"
    "e:t2 e:at \"2024-03-31T23:59:59.9999Z\"^^xsd:dateTime .\n"
    "e:t3 e:at \"2024-04-01T00:00:00+14:00\"^^xsd:dateTime .\n"
    "e:t4 e:at \"2024-02-29T23:00:00-02:00\"^^xsd:dateTime .\n"
    "e:t5 e:at \"2024-04-01T00:00:00Z\"^^xsd:dateTime .\n"
    "e:t6 e:at \"2024-03-10\"^^xsd:date .\n");
  for (int i = 0; i < 400; ++i) { /* filler, most outside the ranges */
    len += (size_t)snprintf(text + len, cap - len,
                            "e:f%d e:when \"%04d-%02d-%02d\"^^xsd:date ; "
                            "e:at \"%04d-%02d-%02dT%02d:00:00Z\"^^xsd:dateTime .\n",
                            i, 2010 + i % 15, 1 + i % 12, 1 + i % 28,
                            2020 + i % 6, 1 + i % 12, 1 + i % 28, i % 24);
  }
  snprintf(text + len, cap - len, "}\n");
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(update(store, text, NULL, &err), FDX_SUCCESS);
  free(text);
  static const char* const filters[][2] = {
    {"e:when", "?x >= \"2020-01-01\"^^xsd:date && ?x < \"2020-07-01\"^^xsd:date"},
    {"e:when", "\"2020-07-01\"^^xsd:date > ?x && \"2020-01-01\"^^xsd:date <= ?x"},
    {"e:when", "?x = \"2020-03-15\"^^xsd:date"},
    {"e:when", "?x > \"2019-12-31\"^^xsd:date"},
    {"e:when", "?x <= \"2020-07-01\"^^xsd:date"},
    {"e:at", "?x >= \"2024-03-01T00:00:00Z\"^^xsd:dateTime && "
             "?x < \"2024-04-01T00:00:00Z\"^^xsd:dateTime"},
    {"e:at", "?x > \"2024-03-15T12:00:00\"^^xsd:dateTime"},
    {"e:at", "?x < \"2024-03-01T00:00:00+14:00\"^^xsd:dateTime"},
  };
  for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); ++i) {
    char ranged[1024], whole[1024];
    snprintf(ranged, sizeof(ranged),
             "PREFIX e: <http://example.org/r/> "
             "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
             "SELECT (COUNT(*) AS ?n) { ?s %s ?x FILTER(%s) }",
             filters[i][0], filters[i][1]);
    snprintf(whole, sizeof(whole),
             "PREFIX e: <http://example.org/r/> "
             "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
             "SELECT (COUNT(*) AS ?n) { ?s %s ?y BIND(?y AS ?x) FILTER(%s) }",
             filters[i][0], filters[i][1]);
    Counter a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    CHECK_ST(run(store, ranged, NULL, &a, &err), FDX_SUCCESS);
    CHECK_ST(run(store, whole, NULL, &b, &err), FDX_SUCCESS);
    if (strcmp(a.first, b.first) || !strcmp(a.first, "0")) {
      fprintf(stderr, "  filter %zu: %s rows by range, %s by a full scan\n", i,
              a.first, b.first);
      CHECK(!"a date range scan changed an answer");
    }
  }
}

/* Every row of `text`'s answer, values tab-separated, rows on lines. */
typedef struct {
  char*  text;
  size_t len;
  size_t cap;
  size_t n_vars;
} Rows;

static FdxStatus
rows_begin(void* const ctx, const char* const* vars, const size_t n_vars)
{
  (void)vars;
  ((Rows*)ctx)->n_vars = n_vars;
  return FDX_SUCCESS;
}

static FdxStatus
collect_row(void* const ctx, const FdxTerm* const* values)
{
  Rows* const r = (Rows*)ctx;
  for (size_t i = 0; i < r->n_vars; ++i) {
    const FdxTerm* const t = values[i];
    const size_t need = r->len + (t ? t->value_len : 0) + 4;
    if (need > r->cap) {
      r->cap  = need * 2;
      r->text = (char*)realloc(r->text, r->cap);
      REQUIRE(r->text);
    }
    if (t) {
      memcpy(r->text + r->len, t->value, t->value_len);
      r->len += t->value_len;
    }
    r->text[r->len++] = i + 1 == r->n_vars ? '\n' : '\t';
  }
  r->text[r->len] = '\0';
  return FDX_SUCCESS;
}

static int
cmp_line(const void* const a, const void* const b)
{
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* Sort the lines of `r` (for answers whose order has ties). */
static void
sort_lines(Rows* const r)
{
  if (!r->text) {
    return;
  }
  size_t n = 0;
  for (size_t i = 0; i < r->len; ++i) {
    n += r->text[i] == '\n';
  }
  char** const lines = (char**)malloc((n + 1) * sizeof(char*));
  char* const  out   = (char*)malloc(r->len + 1);
  REQUIRE(lines && out);
  size_t k = 0;
  for (char* line = strtok(r->text, "\n"); line; line = strtok(NULL, "\n")) {
    lines[k++] = line;
  }
  qsort(lines, k, sizeof(char*), cmp_line);
  size_t len = 0;
  for (size_t i = 0; i < k; ++i) {
    const size_t l = strlen(lines[i]);
    memcpy(out + len, lines[i], l);
    len += l;
    out[len++] = '\n';
  }
  out[len] = '\0';
  free(lines);
  free(r->text);
  r->text = out;
  r->len  = len;
}

static void
run_rows(FdxStore* const store, const char* const text, Rows* const rows)
{
  FdxQuery* q = NULL;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  memset(rows, 0, sizeof(*rows));
  CHECK_ST(fdx_query_prepare(text, strlen(text), NULL, &q, &err), FDX_SUCCESS);
  FdxTxn* txn = begin(store, 0);
  const FdxQuerySink sink = {rows, rows_begin, collect_row, NULL, NULL};
  CHECK_ST(fdx_query_exec(q, txn, NULL, &sink, &err), FDX_SUCCESS);
  fdx_txn_abort(txn);
  fdx_query_free(q);
}

static void
test_ordered_top_k(FdxStore* const store)
{
  /* ORDER BY ?x LIMIT over a pattern whose predicate holds only inline
   * values of one kind reads that predicate in order and stops early.
   * The rows must be those of the full sort, which the same query takes
   * when ?x is a BIND copy: ties (with a second key to make the order
   * total), a triple in two graphs (one row), subjects without the type,
   * a predicate mixing kinds (no early stop), OFFSET, both directions. */
  size_t cap  = 256 * 1024;
  char*  text = (char*)malloc(cap);
  REQUIRE(text);
  size_t len = (size_t)snprintf(
    text, cap,
    "PREFIX e: <http://example.org/k/>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    "INSERT DATA {\n");
  for (int i = 0; i < 600; ++i) {
    len += (size_t)snprintf(
      text + len, cap - len,
      "e:s%03d e:at \"2024-%02d-%02dT%02d:00:00Z\"^^xsd:dateTime ; "
      "e:n %d ; e:mixed %s ; e:title \"t%d\"@%s .\n",
      i, 1 + i % 12, 1 + i % 28, i % 3, i % 37,
      i % 5 ? "\"2020-01-01\"^^xsd:date" : "7", i, i % 2 ? "de" : "en");
    if (i % 4) {
      len += (size_t)snprintf(text + len, cap - len, "e:s%03d a e:T .\n", i);
    }
  }
  len += (size_t)snprintf(text + len, cap - len,
                          "GRAPH e:g1 { e:s001 e:at \"2024-02-02T01:00:00Z\"^^xsd:dateTime }\n"
                          "GRAPH e:g2 { e:s001 e:at \"2024-02-02T01:00:00Z\"^^xsd:dateTime }\n");
  snprintf(text + len, cap - len, "}\n");
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(update(store, text, NULL, &err), FDX_SUCCESS);
  free(text);
  static const char* const shapes[] = {
    "?s e:at ?x . ?s a e:T . ?s e:title ?y FILTER(LANG(?y) = \"de\")",
    "?s e:n ?x . ?s e:title ?y",
    "?s e:mixed ?x . ?s a e:T . ?s e:n ?y",
    "?s e:at ?x . ?s e:n ?y FILTER(?y > 30)",
  };
  static const char* const orders[] = {"DESC(?x) ?s", "?x DESC(?s)", "DESC(?x)"};
  static const char* const slices[] = {"LIMIT 1", "LIMIT 7", "LIMIT 25 OFFSET 10",
                                       "LIMIT 1000", "LIMIT 0",
                                       "LIMIT 18446744073709551615 OFFSET 1"};
  int compared = 0;
  for (size_t a = 0; a < sizeof(shapes) / sizeof(shapes[0]); ++a) {
    for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); ++o) {
      for (size_t l = 0; l < sizeof(slices) / sizeof(slices[0]); ++l) {
        if (o == 2 && l != 3) {
          continue; /* ties at the cut: either row may be shown */
        }
        char fast[1024], full[1024];
        const char* const head = "PREFIX e: <http://example.org/k/> "
                                 "SELECT ?s ?x ?y WHERE { ";
        snprintf(fast, sizeof(fast), "%s%s } ORDER BY %s %s", head, shapes[a],
                 orders[o], slices[l]);
        char shape[512];
        snprintf(shape, sizeof(shape), "%s", shapes[a]);
        /* the same pattern with ?x bound by BIND from a fresh variable */
        char* const at = strstr(shape, "?x");
        REQUIRE(at);
        at[1] = 'w';
        snprintf(full, sizeof(full), "%s%s BIND(?w AS ?x) } ORDER BY %s %s", head,
                 shape, orders[o], slices[l]);
        Rows x, y;
        run_rows(store, fast, &x);
        run_rows(store, full, &y);
        if (o == 2) {
          sort_lines(&x);
          sort_lines(&y);
        }
        if (!x.text != !y.text || (x.text && strcmp(x.text, y.text))) {
          fprintf(stderr, "  %s\n  gave\n%s  but the full sort gave\n%s", fast,
                  x.text ? x.text : "", y.text ? y.text : "");
          CHECK(!"an ordered scan changed an answer");
        }
        compared += x.len > 0;
        free(x.text);
        free(y.text);
      }
    }
  }
  CHECK(compared >= 30);
  /* LIMIT + OFFSET past 2^64 keeps everything after the offset (the sum
   * must not wrap round to a small LIMIT). */
  Rows all;
  run_rows(store,
           "PREFIX e: <http://example.org/k/> SELECT ?s ?x ?y WHERE "
           "{ ?s e:n ?x . ?s e:title ?y } ORDER BY ?x ?s "
           "LIMIT 18446744073709551615 OFFSET 1",
           &all);
  size_t lines = 0;
  for (size_t i = 0; i < all.len; ++i) {
    lines += all.text[i] == '\n';
  }
  CHECK(lines == 599);
  free(all.text);
}

static void
test_counts(FdxStore* const store)
{
  /* COUNT over one triple pattern is counted from its scan, without rows.
   * It must agree with the same count made from rows (a FILTER(true)
   * keeps the query off that path): a triple in two graphs counts once,
   * a repeated variable only where the positions agree, a constant the
   * store lacks counts nothing, COUNT(?v) of an unbound ?v counts none. */
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(update(store,
                  "PREFIX e: <http://example.org/c/>\n"
                  "INSERT DATA { e:a a e:C . e:b a e:C . e:c a e:D . e:a e:p e:a . "
                  "e:a e:p e:b . e:b e:p e:b . e:c e:q 1, 2, 3 .\n"
                  "GRAPH e:g1 { e:a a e:C . e:d a e:C } GRAPH e:g2 { e:d a e:C } }",
                  NULL, &err),
           FDX_SUCCESS);
  static const char* const cases[][2] = {
    {"(COUNT(*) AS ?n) { ?s a e:C", "3"},
    {"(COUNT(?s) AS ?n) { ?s a e:C", "3"},
    {"(COUNT(?x) AS ?n) { ?s a e:C", "0"},
    {"(COUNT(*) AS ?n) { ?s e:p ?s", "2"},
    {"(COUNT(*) AS ?n) { ?s e:p ?o", "3"},
    {"(COUNT(*) AS ?n) { e:c e:q ?o", "3"},
    {"(COUNT(*) AS ?n) { ?s a e:Missing", "0"},
    {"(COUNT(*) AS ?n) { GRAPH e:g1 { ?s a e:C }", "2"},
    {"(COUNT(*) AS ?n) { ?s ?p ?o", NULL},
    {"(COUNT(?o) AS ?n) { ?s e:q ?o", "3"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    char fast[512], rows[512];
    snprintf(fast, sizeof(fast),
             "PREFIX e: <http://example.org/c/> SELECT %s }", cases[i][0]);
    snprintf(rows, sizeof(rows),
             "PREFIX e: <http://example.org/c/> SELECT %s FILTER(true) }",
             cases[i][0]);
    Counter a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    CHECK_ST(run(store, fast, NULL, &a, &err), FDX_SUCCESS);
    CHECK_ST(run(store, rows, NULL, &b, &err), FDX_SUCCESS);
    if (strcmp(a.first, b.first) ||
        (cases[i][1] && strcmp(a.first, cases[i][1]))) {
      fprintf(stderr, "  %s: counted %s, from rows %s, expected %s\n", fast,
              a.first, b.first, cases[i][1] ? cases[i][1] : "(as from rows)");
      CHECK(!"a count from a scan differs");
    }
  }
}

static void
test_distinct_objects(FdxStore* const store)
{
  /* SELECT DISTINCT ?o where ?o is the object of a predicate with many
   * quads per object jumps from object to object and stops at the first
   * solution of each.  The answers must be those of the same query with
   * ?o a BIND copy (every solution made, then DISTINCT): an object whose
   * subjects all lack the type is not listed, a triple in two graphs is
   * one, filters and further patterns still apply, LIMIT and ORDER BY;
   * an ORDER BY another variable decides which solution stands for each
   * value (the newest subject's object first), so it keeps every one. */
  size_t cap  = 128 * 1024;
  char*  text = (char*)malloc(cap);
  REQUIRE(text);
  size_t len = (size_t)snprintf(text, cap,
                                "PREFIX e: <http://example.org/d/>\n"
                                "INSERT DATA {\n");
  for (int i = 0; i < 400; ++i) {
    len += (size_t)snprintf(text + len, cap - len,
                            "e:x%d e:format e:f%d ; e:size %d .\n", i, i % 9, i % 13);
    if (i % 9 != 4 && i % 3) { /* f4's subjects never typed */
      len += (size_t)snprintf(text + len, cap - len, "e:x%d a e:Dist .\n", i);
    }
  }
  len += (size_t)snprintf(text + len, cap - len,
                          "GRAPH e:g1 { e:y e:format e:f9 . e:y a e:Dist }\n"
                          "GRAPH e:g2 { e:y e:format e:f9 }\n");
  snprintf(text + len, cap - len, "}\n");
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(update(store, text, NULL, &err), FDX_SUCCESS);
  free(text);
  static const char* const bodies[] = {
    "?s a e:Dist . ?s e:format ?o",
    "?s e:format ?o",
    "?s e:format ?o . ?s e:size ?n FILTER(?n > 11)",
    "?s e:format ?o . ?s e:size 12 . ?s a e:Dist",
  };
  static const char* const tails[] = {"", "ORDER BY DESC(?o)", "ORDER BY ?o LIMIT 3",
                                      "LIMIT 2", "ORDER BY DESC(?s) LIMIT 1",
                                      "ORDER BY DESC(?s)"};
  for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); ++b) {
    for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); ++t) {
      char fast[512], full[512], body[256];
      snprintf(fast, sizeof(fast),
               "PREFIX e: <http://example.org/d/> SELECT DISTINCT ?o { %s } %s",
               bodies[b], tails[t]);
      snprintf(body, sizeof(body), "%s", bodies[b]);
      char* const at = strstr(body, "?o");
      REQUIRE(at);
      at[1] = 'w';
      snprintf(full, sizeof(full),
               "PREFIX e: <http://example.org/d/> SELECT DISTINCT ?o "
               "{ %s BIND(?w AS ?o) } %s",
               body, tails[t]);
      Rows x, y;
      run_rows(store, fast, &x);
      run_rows(store, full, &y);
      const bool cut = t == 3; /* LIMIT without ORDER BY: any 2 rows */
      if (!cut) {
        if (t == 0) {
          sort_lines(&x);
          sort_lines(&y);
        }
        if (!x.text != !y.text || (x.text && strcmp(x.text, y.text))) {
          fprintf(stderr, "  %s\n  gave\n%s  but all solutions gave\n%s", fast,
                  x.text ? x.text : "", y.text ? y.text : "");
          CHECK(!"jumping between objects changed an answer");
        }
      } else {
        CHECK(x.text && y.text && x.len > 0 && x.len == y.len);
      }
      free(x.text);
      free(y.text);
    }
  }
}

static void
test_prepared_reuse(FdxStore* const store)
{
  /* One prepared query, several transactions, each seeing its snapshot. */
  const char* const text = "SELECT (COUNT(*) AS ?n) { ?s <http://example.org/v> ?v }";
  FdxQuery*         q    = NULL;
  CHECK_ST(fdx_query_prepare(text, strlen(text), NULL, &q, NULL), FDX_SUCCESS);
  CHECK(fdx_query_form(q) == FDX_QUERY_SELECT);
  CHECK(!fdx_query_ordered(q));
  for (int round = 0; round < 2; ++round) {
    Counter            c;
    const FdxQuerySink sink = {&c, NULL, count_row, NULL, NULL};
    memset(&c, 0, sizeof(c));
    FdxTxn* txn = begin(store, 0);
    CHECK_ST(fdx_query_exec(q, txn, NULL, &sink, NULL), FDX_SUCCESS);
    fdx_txn_abort(txn);
    CHECK(c.rows == 1);
    CHECK(!strcmp(c.first, round ? "2001" : "2000"));
    FdxError err;
    memset(&err, 0, sizeof(err));
    CHECK_ST(update(store, "INSERT DATA { <http://example.org/new> <http://example.org/v> 7 }",
                    NULL, &err),
             FDX_SUCCESS);
  }
  fdx_query_free(q);
  fdx_query_free(NULL);
  /* Bad arguments. */
  CHECK_ST(fdx_query_prepare(NULL, 5, NULL, &q, NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_query_prepare("ASK {}", 6, NULL, NULL, NULL), FDX_ERR_BAD_ARG);
}

int
main(void)
{
  test_start("test_sparql");
  make_tmp_root("sparql");
  FdxStore* const store =
    open_store("sparql", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  load_numbers(store, 2000);
  test_limits(store);
  test_sink_stop(store);
  test_prepared_reuse(store);
  test_graphs(store);
  test_update_atomic(store);
  test_load(store);
  test_hash_joins(store);
  test_date_ranges(store);
  test_ordered_top_k(store);
  test_counts(store);
  test_distinct_objects(store);
  fdx_store_free(store);
  remove_tmp_root();
  return test_finish("test_sparql");
}
