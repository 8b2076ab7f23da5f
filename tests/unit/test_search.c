/*
 * test_search.c: the full-text search index (fairdex/search.h): how the
 * store's commit keeps it, and what fdx_search_run(), fdx_search_suggest(),
 * fdx_search_find() and fdx_search_snippet() answer from it.
 *
 * Search is the catalogue's front door: a dataset the index forgets to add
 * is invisible, one it forgets to remove is a dead link, and a facet count
 * that disagrees with the data makes every filter lie.  The index is
 * maintained inside fdx_txn_commit(), so this test writes through every
 * write path (fdx_quad_add, SPARQL INSERT DATA and DELETE WHERE, the bulk
 * loader and fdx_load_file from Turtle, fdx_graph_clear) and checks, in a
 * read transaction begun right after each commit, exactly which datasets
 * each search finds; that removing a dataset's type quad, all its quads or
 * its graph removes it at that commit, while an aborted transaction and a
 * snapshot begun before the commit see nothing change; and that changing a
 * title, a publisher's foaf:name (a separate subject) or a theme concept's
 * skos:prefLabel (in another graph) re-indexes the datasets that use them.
 *
 * Facets are checked against SPARQL: a random catalogue of a few hundred
 * datasets in two graphs (themes, publishers, formats through
 * distributions, licences on datasets and distributions, access rights,
 * keywords in random case, modified and issued dates) is searched with
 * large facet limits and each facet's counts compared with COUNT(DISTINCT
 * graph and dataset) GROUP BY over the same store, without words and with
 * words and facet filters; the hits of title words, keywords, publisher
 * names and concept labels are compared with the documents SPARQL finds.
 * The same comparisons run along ~600 random adds, removals and updates
 * (through every write path, in ~80 commits, some aborted) over subjects
 * that live in up to three graphs, and again after fdx_search_rebuild(),
 * whose answers (totals, hits, scores, facet counts) must equal those of
 * the index the commits kept.  SPARQL is the oracle, so one check makes
 * sure of the one feature of it the format facet would lean on.
 *
 * Also: the query syntax (AND, phrases in order, exclusions, prefixes, the
 * documented errors and limits, German and English inflections, text in
 * other languages, ranking by field); the cancel callback and time limit;
 * sorting by date and title and paging; the modified_from/to bounds
 * (inclusive); the year facet; the upgrade of a schema-3 store (no index
 * read-only, built when opened for writing); look-ups by IRI and short
 * id; labels; suggestions; snippets (marks and escaping, and random texts
 * whose snippets must be valid UTF-8, escaped, and pieces of the text).
 *
 * Checks marked "search.h:" or "tokenize.h:" hold the implementation to
 * what its headers promise; where they fail, the failure is the finding.
 *
 * Random parts use the fixed-seed xorshift generator of test_util
 * (FDX_TEST_SEED overrides the seed, which is printed) so a failure
 * reproduces.
 */
#include "test_util.h"

#include "fairdex/rdf.h"
#include "fairdex/search.h"
#include "fairdex/sparql.h"
#include "fairdex/status.h"
#include "fairdex/store.h"


#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EX "http://example.org/"
#define DS EX "ds/"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT "http://purl.org/dc/terms/"
#define FOAF "http://xmlns.com/foaf/0.1/"
#define SKOS "http://www.w3.org/2004/02/skos/core#"
#define XSD "http://www.w3.org/2001/XMLSchema#"

#define PREFIXES                                                           \
  "PREFIX dcat: <" DCAT "> PREFIX dct: <" DCT "> PREFIX foaf: <" FOAF     \
  "> PREFIX skos: <" SKOS "> PREFIX xsd: <" XSD "> PREFIX ex: <" EX ">\n"

/* One searcher for the whole test (one thread). */
static FdxSearch* srch;

/* ------------------------------------------------------------------------
 * Writing quads by their strings
 * --------------------------------------------------------------------- */

static FdxId
intern(FdxTxn* const txn, const FdxTerm* const t)
{
  FdxId id = 0;
  REQUIRE(fdx_term_intern(txn, t, &id) == FDX_SUCCESS);
  return id;
}

static FdxId
iri(FdxTxn* const txn, const char* const s)
{
  const FdxTerm t = fdx_term_iri(s);
  return intern(txn, &t);
}

/* The graph `g` (NULL: the default graph). */
static FdxId
graph(FdxTxn* const txn, const char* const g)
{
  return g ? iri(txn, g) : FDX_ID_DEFAULT_GRAPH;
}

static FdxId
literal(FdxTxn* const     txn,
        const char* const lex,
        const char* const lang,
        const char* const datatype)
{
  const FdxTerm t = fdx_term_literal(lex, lang, datatype);
  return intern(txn, &t);
}

/* While set, adding a quad that is already there is fine (random data
 * repeats values). */
static bool allow_repeats;

/* While set, put() adds quads through a bulk loader (fdx_loader_add_ids(),
 * as the harvester writes its batches), written when the transaction
 * commits or before a quad is removed. */
static bool       via_loader;
static FdxLoader* put_loader;

static void
flush_puts(void)
{
  if (put_loader) {
    CHECK_ST(fdx_loader_finish(put_loader, NULL), FDX_SUCCESS);
    fdx_loader_free(put_loader);
    put_loader = NULL;
  }
}

static void
put(FdxTxn* const txn, const char* const g, const char* const s,
    const char* const p, const FdxId o)
{
  const FdxQuad q = {iri(txn, s), iri(txn, p), o, graph(txn, g)};
  if (via_loader) {
    if (!put_loader) {
      CHECK_ST(fdx_loader_new(txn, 0, &put_loader), FDX_SUCCESS);
    }
    CHECK_ST(fdx_loader_add_ids(put_loader, &q), FDX_SUCCESS);
    return;
  }
  const FdxStatus st = fdx_quad_add(txn, &q);
  if (!(allow_repeats && st == FDX_FAILURE)) {
    CHECK_ST(st, FDX_SUCCESS);
  }
}

static void
put_iri(FdxTxn* const txn, const char* const g, const char* const s,
        const char* const p, const char* const o)
{
  put(txn, g, s, p, iri(txn, o));
}

static void
put_lit(FdxTxn* const txn, const char* const g, const char* const s,
        const char* const p, const char* const lex, const char* const lang)
{
  put(txn, g, s, p, literal(txn, lex, lang, NULL));
}

static void
put_date(FdxTxn* const txn, const char* const g, const char* const s,
         const char* const p, const char* const lex)
{
  put(txn, g, s, p,
      literal(txn, lex, NULL, strchr(lex, 'T') ? XSD "dateTime" : XSD "date"));
}

static void
del(FdxTxn* const txn, const char* const g, const char* const s,
    const char* const p, const FdxId o)
{
  flush_puts();
  const FdxQuad q = {iri(txn, s), iri(txn, p), o, graph(txn, g)};
  CHECK_ST(fdx_quad_remove(txn, &q), FDX_SUCCESS);
}

/* Remove every quad matching (s, p, ANY, g), p NULL for any; returns how
 * many there were. */
static size_t
del_all(FdxTxn* const txn, const char* const g, const char* const s,
        const char* const p)
{
  flush_puts();
  const FdxQuad pattern = {iri(txn, s), p ? iri(txn, p) : FDX_ID_ANY,
                           FDX_ID_ANY, graph(txn, g)};
  FdxQuadIter*  it      = NULL;
  REQUIRE(fdx_quad_find(txn, &pattern, &it) == FDX_SUCCESS);
  FdxQuad* quads = NULL;
  size_t   n = 0, cap = 0;
  FdxQuad  q;
  while (fdx_quad_iter_next(it, &q) == FDX_SUCCESS) {
    if (n == cap) {
      cap   = cap ? cap * 2 : 16;
      quads = (FdxQuad*)realloc(quads, cap * sizeof(FdxQuad));
      REQUIRE(quads);
    }
    quads[n++] = q;
  }
  fdx_quad_iter_free(it);
  for (size_t i = 0; i < n; ++i) {
    CHECK_ST(fdx_quad_remove(txn, &quads[i]), FDX_SUCCESS);
  }
  free(quads);
  return n;
}

/* base followed by the number i. */
static void
numbered(char* const out, const size_t cap, const char* const base,
         const unsigned i)
{
  snprintf(out, cap, "%s%u", base, i);
}

/* A dataset with a title (lang may be NULL) in graph g. */
static void
put_dataset(FdxTxn* const txn, const char* const g, const char* const s,
            const char* const title, const char* const lang)
{
  put_iri(txn, g, s, RDF_TYPE, DCAT "Dataset");
  if (title) {
    put_lit(txn, g, s, DCT "title", title, lang);
  }
}

static void
commit(FdxTxn* const txn)
{
  flush_puts();
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
}

/* ------------------------------------------------------------------------
 * Name lists (sorted, space-separated for messages)
 * --------------------------------------------------------------------- */

typedef struct {
  char** items;
  size_t n;
  size_t cap;
} Names;

static void
names_push(Names* const l, const char* const s, const size_t len)
{
  if (l->n == l->cap) {
    l->cap   = l->cap ? l->cap * 2 : 16;
    l->items = (char**)realloc(l->items, l->cap * sizeof(char*));
    REQUIRE(l->items);
  }
  char* const c = (char*)malloc(len + 1);
  REQUIRE(c);
  memcpy(c, s, len);
  c[len]          = '\0';
  l->items[l->n++] = c;
}

static void
names_free(Names* const l)
{
  for (size_t i = 0; i < l->n; ++i) {
    free(l->items[i]);
  }
  free(l->items);
  memset(l, 0, sizeof(*l));
}

static int
str_cmp(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

/* Join (sorted first if `sort`) with single spaces into out. */
static void
names_join(Names* const l, const bool sort, char* const out, const size_t cap)
{
  if (sort && l->n > 1) {
    qsort(l->items, l->n, sizeof(char*), str_cmp);
  }
  size_t len = 0;
  out[0]     = '\0';
  for (size_t i = 0; i < l->n && len + 1 < cap; ++i) {
    len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "",
                            l->items[i]);
    if (len >= cap) {
      len = cap - 1;
    }
  }
}

/* The words of `s`, sorted, joined again. */
static void
normalize(const char* const s, char* const out, const size_t cap)
{
  Names l = {NULL, 0, 0};
  for (const char* p = s; *p;) {
    while (*p == ' ') {
      ++p;
    }
    const char* const start = p;
    while (*p && *p != ' ') {
      ++p;
    }
    if (p > start) {
      names_push(&l, start, (size_t)(p - start));
    }
  }
  names_join(&l, true, out, cap);
  names_free(&l);
}

/* The name of a subject: its IRI without DS. */
static void
subject_name(FdxTxn* const txn, const FdxId id, char* const out,
             const size_t cap)
{
  FdxTermBuf buf;
  if (fdx_term_get(txn, id, &buf)) {
    snprintf(out, cap, "?%" PRIu64, id);
    return;
  }
  const FdxTerm* const t  = &buf.term;
  const size_t         pl = strlen(DS);
  if (t->value_len >= pl && !memcmp(t->value, DS, pl)) {
    snprintf(out, cap, "%.*s", (int)(t->value_len - pl), t->value + pl);
  } else {
    snprintf(out, cap, "%.*s", (int)t->value_len, t->value);
  }
}

/* The IRI or lexical form of `id` as a string. */
static void
term_text(FdxTxn* const txn, const FdxId id, char* const out,
          const size_t cap)
{
  FdxTermBuf buf;
  if (fdx_term_get(txn, id, &buf)) {
    snprintf(out, cap, "?%" PRIu64, id);
    return;
  }
  snprintf(out, cap, "%.*s", (int)buf.term.value_len, buf.term.value);
}

/* ------------------------------------------------------------------------
 * Searching
 * --------------------------------------------------------------------- */

static FdxSearchQuery
query_of(const char* const q)
{
  FdxSearchQuery x;
  memset(&x, 0, sizeof(x));
  x.q     = q;
  x.limit = 1000;
  return x;
}

/* Do two results agree in every respect (total, hits in order with their
 * scores, facets with their counts)? */
static bool
same_results(const FdxSearchResult* const a, const FdxSearchResult* const b)
{
  if (fdx_search_result_total(a) != fdx_search_result_total(b) ||
      fdx_search_result_count(a) != fdx_search_result_count(b)) {
    return false;
  }
  for (size_t i = 0; i < fdx_search_result_count(a); ++i) {
    const FdxSearchHit* const x = fdx_search_result_hit(a, i);
    const FdxSearchHit* const y = fdx_search_result_hit(b, i);
    if (x->graph != y->graph || x->subject != y->subject ||
        x->doc != y->doc || x->score != y->score ||
        x->has_modified != y->has_modified || x->modified != y->modified) {
      return false;
    }
  }
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    const size_t n = fdx_search_result_facet_count(a, (FdxFacet)f);
    if (n != fdx_search_result_facet_count(b, (FdxFacet)f)) {
      return false;
    }
    for (size_t i = 0; i < n; ++i) {
      const FdxFacetValue* const x = fdx_search_result_facet(a, (FdxFacet)f, i);
      const FdxFacetValue* const y = fdx_search_result_facet(b, (FdxFacet)f, i);
      if (x->id != y->id || x->count != y->count ||
          !x->text != !y->text || (x->text && strcmp(x->text, y->text))) {
        return false;
      }
    }
  }
  return true;
}

/* Searches that compared both ways of reading the docs (see run_search),
 * of all searches run both ways. */
static unsigned n_column_checks;
static unsigned n_both_ways;

static FdxStatus
run_both_ways(FdxTxn* txn, const FdxSearchQuery* q, FdxSearchResult** ret,
              FdxError* err);

/* fdx_search_run(); in a read transaction twice, reading the docs from the
 * store and from the in-memory columns (fdx_search_keep_columns()), which
 * must agree in every respect; and, for a query without facets, the same
 * with 2 and with 1000 values per facet (the columns count the values of
 * a search matching many docs in lanes, of one matching few in counters
 * of the values met). */
static FdxStatus
run_search(FdxTxn* const txn, const FdxSearchQuery* const q,
           FdxSearchResult** const ret, FdxError* const err)
{
  memset(err, 0, sizeof(*err));
  *ret = NULL;
  if (fdx_txn_is_write(txn)) {
    return fdx_search_run(srch, txn, q, ret, err);
  }
  if (!q->facet_limit) {
    static const size_t limits[] = {2, 1000};
    for (size_t i = 0; i < 2; ++i) {
      FdxSearchQuery   fq = *q;
      FdxSearchResult* fr = NULL;
      FdxError         fe;
      fq.facet_limit      = limits[i];
      run_both_ways(txn, &fq, &fr, &fe);
      fdx_search_result_free(fr);
    }
  }
  return run_both_ways(txn, q, ret, err);
}

static FdxStatus
run_both_ways(FdxTxn* const txn, const FdxSearchQuery* const q,
              FdxSearchResult** const ret, FdxError* const err)
{
  memset(err, 0, sizeof(*err));
  *ret = NULL;
  FdxStore* const store = fdx_txn_store(txn);
  CHECK_ST(fdx_search_keep_columns(store, false), FDX_SUCCESS);
  FdxSearchResult* plain = NULL;
  const FdxStatus  st    = fdx_search_run(srch, txn, q, &plain, err);
  /* The copy is of the newest snapshot: only a search in it uses it. */
  CHECK_ST(fdx_search_keep_columns(store, true), FDX_SUCCESS);
  FdxError         err2;
  FdxSearchResult* cols = NULL;
  memset(&err2, 0, sizeof(err2));
  const FdxStatus st2 = fdx_search_run(srch, txn, q, &cols, &err2);
  CHECK_ST(fdx_search_keep_columns(store, false), FDX_SUCCESS);
  CHECK_ST(st2, st);
  CHECK(!plain || !fdx_search_result_from_columns(plain));
  n_both_ways += !st && !st2 && q->sort != FDX_SEARCH_SORT_TITLE;
  if (!st && !st2) {
    n_column_checks += fdx_search_result_from_columns(cols);
    if (!same_results(plain, cols)) {
      char msg[512];
      snprintf(msg, sizeof(msg),
               "q=\"%.200s\": the search from the in-memory columns differs "
               "from the search from the store",
               q->q ? q->q : "");
      check_failed(__FILE__, __LINE__, msg);
    }
  }
  fdx_search_result_free(cols);
  *ret = plain;
  return st;
}

/* Check that `q` finds exactly the datasets named in `want` (any order;
 * a name twice for a subject found in two graphs). */
static void
expect_query(FdxTxn* const txn, const FdxSearchQuery* const q,
             const char* const want, const int line)
{
  FdxSearchResult* res = NULL;
  FdxError         err;
  const FdxStatus  st = run_search(txn, q, &res, &err);
  char             msg[2600];
  if (st) {
    snprintf(msg, sizeof(msg), "q=\"%.200s\": status %s (%s), want [%s]",
             q->q ? q->q : "", fdx_strerror(st), err.message, want);
    check_failed(__FILE__, line, msg);
    return;
  }
  Names names = {NULL, 0, 0};
  for (size_t i = 0; i < fdx_search_result_count(res); ++i) {
    char name[256];
    subject_name(txn, fdx_search_result_hit(res, i)->subject, name,
                 sizeof(name));
    names_push(&names, name, strlen(name));
  }
  char got[1024], exp[1024];
  names_join(&names, true, got, sizeof(got));
  normalize(want, exp, sizeof(exp));
  const uint64_t total = fdx_search_result_total(res);
  if (strcmp(got, exp) || total != names.n) {
    snprintf(msg, sizeof(msg),
             "q=\"%.200s\": found [%s] (total %" PRIu64 "), expected [%s]",
             q->q ? q->q : "", got, total, exp);
    check_failed(__FILE__, line, msg);
  }
  names_free(&names);
  fdx_search_result_free(res);
}

/* The words `q` find exactly `want`. */
#define EXPECT_Q(txn, q, want)                   \
  do {                                           \
    const FdxSearchQuery x_ = query_of(q);       \
    expect_query((txn), &x_, (want), __LINE__);  \
  } while (0)

/* The words `q` with the filter facet = value find exactly `want`. */
#define EXPECT_F(txn, q, facet, value, want)     \
  do {                                           \
    FdxSearchQuery    x_    = query_of(q);       \
    const char* const v_[1] = {(value)};         \
    x_.values[facet]        = v_;                \
    x_.n_values[facet]      = 1;                 \
    expect_query((txn), &x_, (want), __LINE__);  \
  } while (0)

/* The same in a read transaction begun now. */
#define EXPECT_S(store, q, want)                 \
  do {                                           \
    FdxTxn* const t_ = begin((store), 0);        \
    EXPECT_Q(t_, (q), (want));                   \
    fdx_txn_abort(t_);                           \
  } while (0)

#define EXPECT_SF(store, q, facet, value, want)        \
  do {                                                 \
    FdxTxn* const t_ = begin((store), 0);              \
    EXPECT_F(t_, (q), (facet), (value), (want));       \
    fdx_txn_abort(t_);                                 \
  } while (0)

/* The status fdx_search_run gives for `q` (the result freed). */
static FdxStatus
search_status(FdxTxn* const txn, const FdxSearchQuery* const q)
{
  FdxSearchResult* res = NULL;
  FdxError         err;
  const FdxStatus  st = run_search(txn, q, &res, &err);
  if (st) {
    CHECK(res == NULL);
    CHECK(err.message[0] != '\0');
  }
  fdx_search_result_free(res);
  return st;
}

static uint64_t
search_total(FdxTxn* const txn, const char* const q)
{
  const FdxSearchQuery x   = query_of(q);
  FdxSearchResult*     res = NULL;
  FdxError             err;
  CHECK_ST(run_search(txn, &x, &res, &err), FDX_SUCCESS);
  const uint64_t n = fdx_search_result_total(res);
  fdx_search_result_free(res);
  return n;
}

/* ------------------------------------------------------------------------
 * SPARQL
 * --------------------------------------------------------------------- */

static void
update(FdxStore* const store, const char* const body, const int line)
{
  char* const text = (char*)malloc(strlen(PREFIXES) + strlen(body) + 1);
  REQUIRE(text);
  strcpy(text, PREFIXES);
  strcat(text, body);
  FdxTxn* const  txn = begin(store, FDX_TXN_WRITE);
  FdxError       err;
  FdxUpdateStats stats;
  memset(&err, 0, sizeof(err));
  const FdxStatus st =
    fdx_update_exec(txn, text, strlen(text), NULL, false, &stats, &err);
  if (st) {
    char msg[1024];
    snprintf(msg, sizeof(msg), "update failed: %s: %s", fdx_strerror(st),
             err.message);
    check_failed(__FILE__, line, msg);
    fdx_txn_abort(txn);
  } else {
    CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  }
  free(text);
}

/* Rows of (key, count), or (key, score) for search hits. */
typedef struct {
  char*    key;
  uint64_t n;
  double   x;
} KV;

typedef struct {
  KV*    items;
  size_t n;
  size_t cap;
} Counts;

static void
counts_add(Counts* const c, const char* const key, const size_t len,
           const uint64_t n, const double x)
{
  if (c->n == c->cap) {
    c->cap   = c->cap ? c->cap * 2 : 32;
    c->items = (KV*)realloc(c->items, c->cap * sizeof(KV));
    REQUIRE(c->items);
  }
  char* const k = (char*)malloc(len + 1);
  REQUIRE(k);
  memcpy(k, key, len);
  k[len]               = '\0';
  c->items[c->n].key   = k;
  c->items[c->n].n     = n;
  c->items[c->n++].x   = x;
}

static void
counts_free(Counts* const c)
{
  for (size_t i = 0; i < c->n; ++i) {
    free(c->items[i].key);
  }
  free(c->items);
  memset(c, 0, sizeof(*c));
}

static int
kv_cmp(const void* const a, const void* const b)
{
  return strcmp(((const KV*)a)->key, ((const KV*)b)->key);
}

static void
counts_sort(Counts* const c)
{
  if (c->n > 1) {
    qsort(c->items, c->n, sizeof(KV), kv_cmp);
  }
}

static FdxStatus
on_count_row(void* const ctx, const FdxTerm* const* values)
{
  Counts* const c = (Counts*)ctx;
  char          n[32];
  if (!values[0]) {
    return FDX_SUCCESS;
  }
  snprintf(n, sizeof(n), "%.*s",
           values[1] ? (int)values[1]->value_len : 1,
           values[1] ? values[1]->value : "0");
  counts_add(c, values[0]->value, values[0]->value_len,
             strtoull(n, NULL, 10), 0);
  return FDX_SUCCESS;
}

/* Run the SELECT `body` (PREFIXES prepended), whose rows are (?key, ?n),
 * into `out`. */
static void
sparql_rows(FdxTxn* const txn, const char* const body, Counts* const out,
            const int line)
{
  char* const text = (char*)malloc(strlen(PREFIXES) + strlen(body) + 1);
  REQUIRE(text);
  strcpy(text, PREFIXES);
  strcat(text, body);
  FdxQuery* q = NULL;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  FdxStatus st = fdx_query_prepare(text, strlen(text), NULL, &q, &err);
  if (!st) {
    const FdxQuerySink sink = {out, NULL, on_count_row, NULL, NULL};
    st                      = fdx_query_exec(q, txn, NULL, &sink, &err);
  }
  if (st) {
    char msg[2048];
    snprintf(msg, sizeof(msg), "SPARQL failed: %s: %s (line %d col %d)\n%s",
             fdx_strerror(st), err.message, (int)err.line, (int)err.column,
             body);
    check_failed(__FILE__, line, msg);
  }
  fdx_query_free(q);
  free(text);
}

/* Compare two row lists as maps; `keys_only` ignores the counts. */
static bool
compare_counts(Counts* const a, Counts* const b, const bool keys_only,
               const char* const what, const int line)
{
  counts_sort(a);
  counts_sort(b);
  char   msg[2048];
  size_t len = (size_t)snprintf(msg, sizeof(msg),
                                "%s: search (%zu values) and SPARQL (%zu "
                                "values) differ:",
                                what, a->n, b->n);
  int    bad = 0;
  size_t i = 0, j = 0;
  while (i < a->n || j < b->n) {
    const int c = i >= a->n   ? 1
                  : j >= b->n ? -1
                              : strcmp(a->items[i].key, b->items[j].key);
    if (c == 0) {
      if (!keys_only && a->items[i].n != b->items[j].n && bad++ < 6) {
        len += (size_t)snprintf(msg + len, sizeof(msg) - len,
                                " [%s: %" PRIu64 " vs %" PRIu64 "]",
                                a->items[i].key, a->items[i].n,
                                b->items[j].n);
      }
      ++i;
      ++j;
    } else if (c < 0) {
      if (bad++ < 6) {
        len += (size_t)snprintf(msg + len, sizeof(msg) - len,
                                " [%s: %" PRIu64 " vs none]",
                                a->items[i].key, a->items[i].n);
      }
      ++i;
    } else {
      if (bad++ < 6) {
        len += (size_t)snprintf(msg + len, sizeof(msg) - len,
                                " [%s: none vs %" PRIu64 "]",
                                b->items[j].key, b->items[j].n);
      }
      ++j;
    }
    if (len >= sizeof(msg)) {
      len = sizeof(msg) - 1;
    }
  }
  if (bad) {
    check_failed(__FILE__, line, msg);
  }
  return !bad;
}

/* Each facet's pattern over ?d in its graph, binding ?v to the value as
 * the search reports it (IRI, literal text, lower-cased keyword, year). */
static const char* const facet_sparql[FDX_N_FACETS] = {
  "?d dcat:theme ?v .",
  "?d dct:publisher ?v .",
  "{ ?d dcat:distribution ?x . ?x dct:format ?v } UNION "
  "{ ?d dcat:distribution ?x . ?x dcat:mediaType ?v . "
  "OPTIONAL { ?x dct:format ?ff } FILTER(!BOUND(?ff)) }",
  "{ ?d dct:license ?v } UNION { ?d dcat:distribution ?x . "
  "?x dct:license ?v }",
  "?d dct:accessRights ?v .",
  "?d dcat:keyword ?k . BIND(LCASE(STR(?k)) AS ?v)",
  "OPTIONAL { ?d dct:modified ?m } OPTIONAL { ?d dct:issued ?i } "
  "BIND(SUBSTR(STR(COALESCE(?m, ?i)), 1, 4) AS ?v) FILTER(BOUND(?v))",
};

/* The documents: (?g, ?d) typed with a search class in ?g, as one key. */
#define DOC_WHERE_HEAD                                                   \
  "GRAPH ?g { ?d a ?c . FILTER(?c IN (dcat:Dataset, dcat:DataService, " \
  "dcat:DatasetSeries)) "

/* SPARQL's facet counts of the documents restricted by `inner` (in the
 * document's graph) and `outer` (in the union graph). */
static void
sparql_facet(FdxTxn* const txn, const FdxFacet f, const char* const inner,
             const char* const outer, Counts* const out, const int line)
{
  char body[4096];
  snprintf(body, sizeof(body),
           "SELECT ?v (COUNT(DISTINCT ?key) AS ?n) WHERE { " DOC_WHERE_HEAD
           "%s %s } %s BIND(CONCAT(STR(?g), \" \", STR(?d)) AS ?key) } "
           "GROUP BY ?v",
           inner, facet_sparql[f], outer);
  sparql_rows(txn, body, out, line);
}

/* SPARQL's documents restricted by `inner` and `outer`, as keys. */
static void
sparql_docs(FdxTxn* const txn, const char* const inner,
            const char* const outer, Counts* const out, const int line)
{
  char body[4096];
  snprintf(body, sizeof(body),
           "SELECT ?key (COUNT(*) AS ?n) WHERE { " DOC_WHERE_HEAD
           "%s } %s BIND(CONCAT(STR(?g), \" \", STR(?d)) AS ?key) } "
           "GROUP BY ?key",
           inner, outer);
  sparql_rows(txn, body, out, line);
}

/* The search's facet counts for `base`, keyed as facet_sparql binds ?v;
 * *ret_total the search's total. */
static void
search_facet(FdxTxn* const txn, const FdxSearchQuery* const base,
             const FdxFacet f, Counts* const out, uint64_t* const ret_total,
             const int line)
{
  FdxSearchQuery q = *base;
  q.facet_limit    = 1u << 20;
  q.offset         = 0;
  q.limit          = 0;
  FdxSearchResult* res = NULL;
  FdxError         err;
  const FdxStatus  st = run_search(txn, &q, &res, &err);
  if (st) {
    char msg[700];
    snprintf(msg, sizeof(msg), "search for facets failed: %s: %s",
             fdx_strerror(st), err.message);
    check_failed(__FILE__, line, msg);
    return;
  }
  CHECK(fdx_search_result_count(res) == 0);
  if (ret_total) {
    *ret_total = fdx_search_result_total(res);
  }
  for (size_t i = 0; i < fdx_search_result_facet_count(res, f); ++i) {
    const FdxFacetValue* const v = fdx_search_result_facet(res, f, i);
    char                       key[512];
    /* Keyword and year values are texts, the others ids. */
    CHECK((v->text != NULL) ==
          (f == FDX_FACET_KEYWORD || f == FDX_FACET_YEAR));
    CHECK(!v->text || v->id == 0);
    if (v->text) {
      snprintf(key, sizeof(key), "%s", v->text);
      if (f == FDX_FACET_KEYWORD) {
        for (char* p = key; *p; ++p) {
          *p = (char)tolower((unsigned char)*p);
        }
      }
    } else {
      term_text(txn, v->id, key, sizeof(key));
    }
    /* Listed by count, most first. */
    if (i) {
      CHECK(fdx_search_result_facet(res, f, i - 1)->count >= v->count);
    }
    counts_add(out, key, strlen(key), v->count, 0);
  }
  fdx_search_result_free(res);
}

/* The search's hits for `base` (all of them), keyed as sparql_docs keys,
 * with their scores. */
static void
search_docs(FdxTxn* const txn, const FdxSearchQuery* const base,
            Counts* const out, uint64_t* const ret_total, const int line)
{
  FdxSearchQuery q = *base;
  q.offset         = 0;
  q.limit          = FDX_SEARCH_MAX_WINDOW;
  FdxSearchResult* res = NULL;
  FdxError         err;
  const FdxStatus  st = run_search(txn, &q, &res, &err);
  if (st) {
    char msg[700];
    snprintf(msg, sizeof(msg), "search \"%s\" failed: %s: %s",
             q.q ? q.q : "", fdx_strerror(st), err.message);
    check_failed(__FILE__, line, msg);
    return;
  }
  *ret_total = fdx_search_result_total(res);
  for (size_t i = 0; i < fdx_search_result_count(res); ++i) {
    const FdxSearchHit* const h = fdx_search_result_hit(res, i);
    char                      g[256], s[256], key[520];
    term_text(txn, h->graph, g, sizeof(g));
    term_text(txn, h->subject, s, sizeof(s));
    snprintf(key, sizeof(key), "%s %s", g, s);
    counts_add(out, key, strlen(key), 1, h->score);
  }
  fdx_search_result_free(res);
}

/* Every facet of `q` against SPARQL restricted by inner/outer, and the
 * totals. */
static void
compare_facets(FdxTxn* const txn, const FdxSearchQuery* const q,
               const char* const inner, const char* const outer,
               const char* const what, const int line)
{
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    Counts   a = {NULL, 0, 0}, b = {NULL, 0, 0};
    uint64_t total = 0;
    search_facet(txn, q, (FdxFacet)f, &a, &total, line);
    sparql_facet(txn, (FdxFacet)f, inner, outer, &b, line);
    char label[256];
    snprintf(label, sizeof(label), "%s, facet %s", what,
             fdx_facet_name((FdxFacet)f));
    compare_counts(&a, &b, false, label, line);
    counts_free(&a);
    counts_free(&b);
    if (f == 0) {
      Counts d = {NULL, 0, 0};
      sparql_docs(txn, inner, outer, &d, line);
      if (total != d.n) {
        char msg[512];
        snprintf(msg, sizeof(msg),
                 "%s: search total %" PRIu64 ", SPARQL %zu documents", what,
                 total, d.n);
        check_failed(__FILE__, line, msg);
      }
      counts_free(&d);
    }
  }
}

/* The hits of `q` against SPARQL's documents restricted by inner/outer. */
static void
compare_docs(FdxTxn* const txn, const char* const q, const char* const inner,
             const char* const outer, const int line)
{
  const FdxSearchQuery x = query_of(q);
  Counts               a = {NULL, 0, 0}, b = {NULL, 0, 0};
  uint64_t             total = 0;
  search_docs(txn, &x, &a, &total, line);
  sparql_docs(txn, inner, outer, &b, line);
  char label[256];
  snprintf(label, sizeof(label), "documents of \"%s\"", q);
  compare_counts(&a, &b, true, label, line);
  if (total != a.n) {
    check_failed(__FILE__, line, "total is not the number of hits");
  }
  counts_free(&a);
  counts_free(&b);
}

/* The SPARQL this test checks facets against evaluates FILTER NOT EXISTS
 * inside GRAPH ?g in the active graph, as SPARQL 1.1 (18.6, substitute)
 * says: a distribution with a dct:format in one graph and only a
 * dcat:mediaType in another has no format in the second.  (facet_sparql
 * uses OPTIONAL/!BOUND for the format facet, which does not depend on
 * this.) */
static void
test_sparql_oracle(void)
{
  FdxStore* const store =
    open_store("oracle", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  update(store,
         "INSERT DATA { GRAPH ex:g1 { ex:x dct:format ex:F . ex:x "
         "dcat:mediaType ex:M1 } GRAPH ex:g2 { ex:x dcat:mediaType ex:M2 } }",
         __LINE__);
  FdxTxn* const txn = begin(store, 0);
  Counts        a = {NULL, 0, 0}, b = {NULL, 0, 0};
  sparql_rows(txn,
              "SELECT ?v (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?x "
              "dcat:mediaType ?v FILTER NOT EXISTS { ?x dct:format ?f } } } "
              "GROUP BY ?v",
              &a, __LINE__);
  sparql_rows(txn,
              "SELECT ?v (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?x "
              "dcat:mediaType ?v OPTIONAL { ?x dct:format ?f } "
              "FILTER(!BOUND(?f)) } } GROUP BY ?v",
              &b, __LINE__);
  CHECK(b.n == 1 && !strcmp(b.items[0].key, EX "M2"));
  compare_counts(&a, &b, false, "NOT EXISTS vs OPTIONAL/!BOUND in GRAPH ?g",
                 __LINE__);
  counts_free(&a);
  counts_free(&b);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * 1-3: every write path, deletion, re-indexing through links
 * --------------------------------------------------------------------- */

#define G1 EX "graph/1"
#define G2 EX "graph/2"
#define GC EX "graph/concepts"
#define THEME1 EX "theme/1"
#define THEME2 EX "theme/2"
#define PUB1 EX "pub/1"

static void
test_write_paths(void)
{
  FdxStore* const store =
    open_store("paths", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);

  /* fdx_quad_add in a write transaction. */
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "a", "Water quality", NULL);
  put_iri(txn, G1, DS "a", DCAT "theme", THEME1);
  put_dataset(txn, G1, DS "a2", "Drinking water", "en");
  commit(txn);
  EXPECT_S(store, "water", "a a2");
  EXPECT_S(store, "quality", "a");
  EXPECT_SF(store, "", FDX_FACET_THEME, THEME1, "a");
  EXPECT_SF(store, "water", FDX_FACET_THEME, THEME1, "a");
  EXPECT_SF(store, "", FDX_FACET_THEME, THEME2, "");
  {
    FdxTxn* const  r = begin(store, 0);
    FdxSearchStats stats;
    CHECK_ST(fdx_search_stats(r, &stats), FDX_SUCCESS);
    CHECK(stats.documents == 2);
    CHECK(stats.terms > 0);
    fdx_txn_abort(r);
  }

  /* SPARQL INSERT DATA, then DELETE WHERE. */
  update(store,
         "INSERT DATA { GRAPH <" G1 "> { ex:ds\\/b a dcat:Dataset ; "
         "dct:title \"Forest inventory\"@en ; dcat:theme <" THEME2 "> ; "
         "dcat:keyword \"Trees\" } }",
         __LINE__);
  EXPECT_S(store, "forest", "b");
  EXPECT_S(store, "inventory trees", "b");
  EXPECT_SF(store, "", FDX_FACET_THEME, THEME2, "b");
  EXPECT_SF(store, "", FDX_FACET_KEYWORD, "TREES", "b");
  EXPECT_S(store, "", "a a2 b");
  update(store, "DELETE WHERE { GRAPH <" G1 "> { ex:ds\\/b ?p ?o } }",
         __LINE__);
  EXPECT_S(store, "forest", "");
  EXPECT_SF(store, "", FDX_FACET_THEME, THEME2, "");
  EXPECT_SF(store, "", FDX_FACET_KEYWORD, "trees", "");
  EXPECT_S(store, "", "a a2");

  /* fdx_load_file from a Turtle file into G2, with a blank-node
   * publisher and a distribution. */
  char path[4200];
  snprintf(path, sizeof(path), "%s/load.ttl", tmp_root);
  FILE* const f = fopen(path, "w");
  REQUIRE(f);
  fputs("@prefix dcat: <" DCAT "> . @prefix dct: <" DCT "> .\n"
        "@prefix foaf: <" FOAF "> .\n"
        "<" DS "c> a dcat:Dataset ; dct:title \"Census results\" ;\n"
        "  dcat:keyword \"Population\" ;\n"
        "  dct:publisher [ foaf:name \"Statistikamt\" ] ;\n"
        "  dcat:distribution <" DS "c/dist> .\n"
        "<" DS "c/dist> dct:format <" EX "format/CSV> .\n"
        "<" DS "c2> a dcat:DataService ; dct:title \"Census API\" .\n"
        "[] a dcat:Dataset ; dct:title \"Anonymous census\" .\n",
        f);
  fclose(f);
  FdxLoadOptions opts;
  memset(&opts, 0, sizeof(opts));
  opts.format = FDX_FORMAT_TURTLE;
  opts.graph  = G2;
  FdxLoadResult lr;
  FdxError      err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_load_file(store, path, &opts, &lr, &err), FDX_SUCCESS);
  CHECK(lr.quads_added == 11);
  {
    FdxTxn* const r = begin(store, 0);
    CHECK(search_total(r, "census") == 3);
    CHECK(search_total(r, "anonymous") == 1);
    fdx_txn_abort(r);
  }
  EXPECT_S(store, "census results", "c");
  EXPECT_S(store, "statistikamt", "c");
  EXPECT_S(store, "census results", "c");
  EXPECT_SF(store, "", FDX_FACET_KEYWORD, "population", "c");
  EXPECT_SF(store, "", FDX_FACET_KEYWORD, "POPULATION", "c");
  EXPECT_SF(store, "census", FDX_FACET_FORMAT, EX "format/CSV", "c");

  /* The bulk loader directly, in a transaction of ours. */
  txn               = begin(store, FDX_TXN_WRITE);
  FdxLoader* loader = NULL;
  CHECK_ST(fdx_loader_new(txn, 0, &loader), FDX_SUCCESS);
  {
    const FdxTerm g  = fdx_term_iri(G2);
    const FdxTerm s  = fdx_term_iri(DS "d");
    const FdxTerm pt = fdx_term_iri(RDF_TYPE);
    const FdxTerm ds = fdx_term_iri(DCAT "Dataset");
    const FdxTerm ti = fdx_term_iri(DCT "title");
    const FdxTerm tv = fdx_term_literal("Traffic counts", "en", NULL);
    const FdxTerm ac = fdx_term_iri(DCT "accessRights");
    const FdxTerm av = fdx_term_iri(EX "access/public");
    CHECK_ST(fdx_loader_add(loader, &s, &pt, &ds, &g), FDX_SUCCESS);
    CHECK_ST(fdx_loader_add(loader, &s, &ti, &tv, &g), FDX_SUCCESS);
    CHECK_ST(fdx_loader_add(loader, &s, &ac, &av, &g), FDX_SUCCESS);
  }
  uint64_t added = 0;
  CHECK_ST(fdx_loader_finish(loader, &added), FDX_SUCCESS);
  fdx_loader_free(loader);
  CHECK(added == 3);
  commit(txn);
  EXPECT_S(store, "traffic", "d");
  EXPECT_SF(store, "", FDX_FACET_ACCESS_RIGHTS, EX "access/public", "d");

  /* fdx_graph_clear of G2 removes c, c2 and d at once; G1 stays. */
  txn              = begin(store, FDX_TXN_WRITE);
  uint64_t removed = 0;
  CHECK_ST(fdx_graph_clear(txn, graph(txn, G2), &removed), FDX_SUCCESS);
  CHECK(removed == 14);
  commit(txn);
  EXPECT_S(store, "census", "");
  EXPECT_S(store, "traffic", "");
  EXPECT_S(store, "statistikamt", "");
  EXPECT_SF(store, "", FDX_FACET_FORMAT, EX "format/CSV", "");
  EXPECT_S(store, "", "a a2");

  /* The default graph holds documents too. */
  txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, NULL, DS "dflt", "Default budget", NULL);
  commit(txn);
  EXPECT_S(store, "budget", "dflt");
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_graph_clear(txn, FDX_ID_DEFAULT_GRAPH, NULL), FDX_SUCCESS);
  commit(txn);
  EXPECT_S(store, "budget", "");
  fdx_store_free(store);
}

/* A dataset added through fdx_store_write(). */
static FdxStatus
write_budget(FdxTxn* const txn, void* const ctx)
{
  ++*(int*)ctx;
  put_dataset(txn, G1, DS "e", "Budget plan", "en");
  return FDX_SUCCESS;
}

/* The server's in-memory copy (fdx_search_keep_columns()) follows
 * commits: a search in a newer snapshot than the copy reads the store and
 * starts a copy of that snapshot in the background, which later searches
 * of it use; the answers never change with the way they were found. */
static void
test_columns_follow_commits(void)
{
  FdxStore* const store =
    open_store("columns", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "a", "Alpine lakes", NULL);
  put_dataset(txn, G1, DS "b", "Alpine meadows", NULL);
  commit(txn);
  CHECK_ST(fdx_search_keep_columns(store, true), FDX_SUCCESS);
  FdxSearchQuery q = query_of("alpine");
  q.facet_limit    = 10;
  FdxSearchResult* res = NULL;
  FdxError         err;
  FdxTxn*          r = begin(store, 0);
  CHECK_ST(fdx_search_run(srch, r, &q, &res, &err), FDX_SUCCESS);
  CHECK(fdx_search_result_from_columns(res));
  CHECK(fdx_search_result_total(res) == 2);
  fdx_search_result_free(res);
  fdx_txn_abort(r);

  txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "c", "Alpine glaciers", NULL);
  del(txn, G1, DS "a", RDF_TYPE, iri(txn, DCAT "Dataset"));
  commit(txn);
  /* The first search of the new snapshot reads the store. */
  r = begin(store, 0);
  CHECK_ST(fdx_search_run(srch, r, &q, &res, &err), FDX_SUCCESS);
  CHECK(!fdx_search_result_from_columns(res));
  CHECK(fdx_search_result_total(res) == 2);
  fdx_search_result_free(res);
  fdx_txn_abort(r);
  /* Soon a copy of it answers, with the same results. */
  bool from_columns = false;
  for (int i = 0; i < 500 && !from_columns; ++i) {
    r = begin(store, 0);
    CHECK_ST(fdx_search_run(srch, r, &q, &res, &err), FDX_SUCCESS);
    from_columns = fdx_search_result_from_columns(res);
    CHECK(fdx_search_result_total(res) == 2);
    fdx_search_result_free(res);
    fdx_txn_abort(r);
    if (!from_columns) {
      const struct timespec ms = {0, 10 * 1000 * 1000};
      nanosleep(&ms, NULL);
    }
  }
  CHECK(from_columns);
  EXPECT_S(store, "alpine", "b c");

  /* A doc with more facet values than a row holds (spilled), and an
   * identifier of two docs whose digit part is no word of them: the
   * identifier's list alone makes the clause's list (scored as a word). */
  txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "d", "Alpine huts", NULL);
  for (int i = 0; i < 14; ++i) {
    char kw[32];
    snprintf(kw, sizeof(kw), "hut %d", i);
    put_lit(txn, G1, DS "d", DCAT "keyword", kw, NULL);
  }
  put_lit(txn, G1, DS "b", DCT "identifier", "ABC-0815", NULL);
  put_lit(txn, G2, DS "e", DCT "identifier", "ABC-0815", NULL);
  put_dataset(txn, G2, DS "e", "Lowland lakes", NULL);
  commit(txn);
  EXPECT_S(store, "alpine", "b c d");
  EXPECT_S(store, "ABC-0815", "b e");
  EXPECT_SF(store, "alpine", FDX_FACET_KEYWORD, "hut 13", "d");
  CHECK_ST(fdx_search_keep_columns(store, false), FDX_SUCCESS);
  fdx_store_free(store);
}

/* Threads searching while commits come, with copies kept: every search
 * answers, and a copy is built and installed many times over (a build's
 * end racing the next search's start must not deadlock). */
typedef struct {
  FdxStore*    store;
  volatile int stop;
  unsigned     searches;
  unsigned     from_columns;
  unsigned     failures;
} ColumnsRace;

static void*
columns_race_thread(void* const arg)
{
  ColumnsRace* const race = (ColumnsRace*)arg;
  FdxSearch* const   own  = fdx_search_new();
  while (own && !race->stop) {
    FdxTxn* t = NULL;
    if (fdx_txn_begin(race->store, 0, &t)) {
      ++race->failures;
      break;
    }
    FdxSearchQuery q = query_of("alpine");
    q.facet_limit    = 5;
    FdxSearchResult* res = NULL;
    FdxError         err;
    if (fdx_search_run(own, t, &q, &res, &err) ||
        fdx_search_result_total(res) < 1) {
      ++race->failures;
    }
    race->from_columns += fdx_search_result_from_columns(res);
    ++race->searches;
    fdx_search_result_free(res);
    fdx_txn_abort(t);
  }
  fdx_search_free(own);
  return NULL;
}

static void
test_columns_threads(void)
{
  FdxStore* const store =
    open_store("columns-threads", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "a", "Alpine lakes", NULL);
  commit(txn);
  CHECK_ST(fdx_search_keep_columns(store, true), FDX_SUCCESS);
  ColumnsRace race[3];
  pthread_t   threads[3];
  for (int i = 0; i < 3; ++i) {
    memset(&race[i], 0, sizeof(race[i]));
    race[i].store = store;
    REQUIRE(!pthread_create(&threads[i], NULL, columns_race_thread,
                            &race[i]));
  }
  for (int i = 0; i < 60; ++i) {
    char name[64];
    snprintf(name, sizeof(name), DS "r%d", i);
    txn = begin(store, FDX_TXN_WRITE);
    put_dataset(txn, G1, name, "Alpine ridge", NULL);
    commit(txn);
    const struct timespec ms = {0, 2 * 1000 * 1000};
    nanosleep(&ms, NULL);
  }
  for (int i = 0; i < 3; ++i) {
    race[i].stop = 1;
    pthread_join(threads[i], NULL);
    CHECK(race[i].failures == 0);
    CHECK(race[i].searches > 0);
  }
  EXPECT_S(store, "ridge", "r0 r1 r10 r11 r12 r13 r14 r15 r16 r17 r18 r19 r2 "
                           "r20 r21 r22 r23 r24 r25 r26 r27 r28 r29 r3 r30 "
                           "r31 r32 r33 r34 r35 r36 r37 r38 r39 r4 r40 r41 "
                           "r42 r43 r44 r45 r46 r47 r48 r49 r5 r50 r51 r52 "
                           "r53 r54 r55 r56 r57 r58 r59 r6 r7 r8 r9");
  printf("test_search: %u, %u and %u searches in three threads during 60 "
         "commits, %u from copies\n",
         race[0].searches, race[1].searches, race[2].searches,
         race[0].from_columns + race[1].from_columns + race[2].from_columns);
  fdx_store_free(store); /* joins a build still running */
}

static void
test_delete(void)
{
  FdxStore* const store =
    open_store("delete", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "a", "Alpine lakes", NULL);
  put_lit(txn, G1, DS "a", DCT "description", "Lakes above 1000 m", "en");
  put_dataset(txn, G1, DS "b", "Alpine meadows", NULL);
  put_dataset(txn, G1, DS "c", "Alpine glaciers", NULL);
  put_dataset(txn, G2, DS "c", "Alpine glaciers", NULL);
  put_dataset(txn, G2, DS "d", "Alpine huts", NULL);
  commit(txn);
  EXPECT_S(store, "alpine", "a b c c d");
  int runs = 0;
  CHECK_ST(fdx_store_write(store, write_budget, &runs), FDX_SUCCESS);
  CHECK(runs == 1);
  EXPECT_S(store, "budget", "e");

  /* Only the type quad goes: out of search at once, though its title and
   * description stay; a snapshot begun before still has it. */
  FdxTxn* const before = begin(store, 0);
  txn                  = begin(store, FDX_TXN_WRITE);
  del(txn, G1, DS "a", RDF_TYPE, iri(txn, DCAT "Dataset"));
  commit(txn);
  EXPECT_S(store, "alpine", "b c c d");
  EXPECT_S(store, "lakes", "");
  EXPECT_Q(before, "alpine", "a b c c d");
  EXPECT_Q(before, "lakes", "a");
  fdx_txn_abort(before);
  {
    FdxTxn* const  r = begin(store, 0);
    FdxSearchStats stats;
    CHECK_ST(fdx_search_stats(r, &stats), FDX_SUCCESS);
    CHECK(stats.documents == 5);
    fdx_txn_abort(r);
  }

  /* Typed again: back. */
  txn = begin(store, FDX_TXN_WRITE);
  put_iri(txn, G1, DS "a", RDF_TYPE, DCAT "Dataset");
  commit(txn);
  EXPECT_S(store, "lakes", "a");

  /* Every quad of b, one by one. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK(del_all(txn, G1, DS "b", NULL) == 2);
  commit(txn);
  EXPECT_S(store, "alpine", "a c c d");
  EXPECT_S(store, "meadows", "");

  /* c in G2 only (its G1 twin stays). */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK(del_all(txn, G2, DS "c", NULL) == 2);
  commit(txn);
  EXPECT_S(store, "glaciers", "c");

  /* Aborted: an add, a removal, a retitle and a clear, none of which
   * shows. */
  txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "z", "Zeppelin routes", NULL);
  del(txn, G1, DS "c", RDF_TYPE, iri(txn, DCAT "Dataset"));
  del(txn, G1, DS "a", DCT "title", literal(txn, "Alpine lakes", NULL, NULL));
  put_lit(txn, G1, DS "a", DCT "title", "Mountain ponds", NULL);
  CHECK_ST(fdx_graph_clear(txn, graph(txn, G2), NULL), FDX_SUCCESS);
  fdx_txn_abort(txn);
  EXPECT_S(store, "zeppelin", "");
  EXPECT_S(store, "alpine", "a c d");
  EXPECT_S(store, "mountain", "");
  EXPECT_S(store, "huts", "d");

  /* Typed twice: one document, which stays while one type is left. */
  txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "two", "Twofold register", NULL);
  put_iri(txn, G1, DS "two", RDF_TYPE, DCAT "DataService");
  commit(txn);
  EXPECT_S(store, "twofold", "two");
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G1, DS "two", RDF_TYPE, iri(txn, DCAT "Dataset"));
  commit(txn);
  EXPECT_S(store, "twofold", "two");
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G1, DS "two", RDF_TYPE, iri(txn, DCAT "DataService"));
  commit(txn);
  EXPECT_S(store, "twofold", "");

  /* A commit that changes no quad changes nothing. */
  txn = begin(store, FDX_TXN_WRITE);
  {
    const FdxQuad q = {iri(txn, DS "a"), iri(txn, RDF_TYPE),
                       iri(txn, DCAT "Dataset"), graph(txn, G1)};
    CHECK_ST(fdx_quad_add(txn, &q), FDX_FAILURE);
  }
  commit(txn);
  EXPECT_S(store, "alpine", "a c d");

  /* The graph: d goes. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_graph_clear(txn, graph(txn, G2), NULL), FDX_SUCCESS);
  commit(txn);
  EXPECT_S(store, "alpine", "a c");
  EXPECT_S(store, "huts", "");
  {
    FdxTxn* const  r = begin(store, 0);
    FdxSearchStats stats;
    CHECK_ST(fdx_search_stats(r, &stats), FDX_SUCCESS);
    CHECK(stats.documents == 3);
    fdx_txn_abort(r);
  }
  fdx_store_free(store);
}

/* The time limit and the cancel callback stop a search that reads many
 * documents. */
static bool
always_cancelled(void* const ctx)
{
  ++*(int*)ctx;
  return true;
}

#define N_MANY 5000

static void
test_cancel(void)
{
  FdxStore* const store =
    open_store("cancel", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* const txn    = begin(store, FDX_TXN_WRITE);
  FdxLoader*    loader = NULL;
  CHECK_ST(fdx_loader_new(txn, 0, &loader), FDX_SUCCESS);
  const FdxTerm g  = fdx_term_iri(G1);
  const FdxTerm pt = fdx_term_iri(RDF_TYPE);
  const FdxTerm ds = fdx_term_iri(DCAT "Dataset");
  const FdxTerm ti = fdx_term_iri(DCT "title");
  const FdxTerm tv = fdx_term_literal("Common title", NULL, NULL);
  for (unsigned i = 0; i < N_MANY; ++i) {
    char name[64];
    numbered(name, sizeof(name), DS "m", i);
    const FdxTerm st = fdx_term_iri(name);
    CHECK_ST(fdx_loader_add(loader, &st, &pt, &ds, &g), FDX_SUCCESS);
    CHECK_ST(fdx_loader_add(loader, &st, &ti, &tv, &g), FDX_SUCCESS);
  }
  CHECK_ST(fdx_loader_finish(loader, NULL), FDX_SUCCESS);
  fdx_loader_free(loader);
  commit(txn);
  FdxTxn* const r = begin(store, 0);
  CHECK(search_total(r, "") == N_MANY);
  CHECK(search_total(r, "common") == N_MANY);
  /* (The empty query reads no doc: its page comes from the modified
   * order and its facets from document frequencies.) */
  static const char* const qs[2] = {"common", "common title"};
  for (int i = 0; i < 2; ++i) {
    int              polls = 0;
    FdxSearchQuery   q     = query_of(qs[i]);
    FdxSearchResult* res   = NULL;
    FdxError         err;
    q.cancelled  = always_cancelled;
    q.cancel_ctx = &polls;
    CHECK_ST(run_search(r, &q, &res, &err), FDX_ERR_LIMIT);
    CHECK(polls >= 1);
    CHECK(res == NULL);
    fdx_search_result_free(res);
    q           = query_of(qs[i]);
    q.timeout_s = 1e-9;
    CHECK_ST(run_search(r, &q, &res, &err), FDX_ERR_LIMIT);
    fdx_search_result_free(res);
  }
  fdx_txn_abort(r);
  fdx_store_free(store);
}

static void
test_reindex_links(const char* const name)
{
  FdxStore* const store =
    open_store(name, FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "a", "Water quality", NULL);
  put_iri(txn, G1, DS "a", DCT "publisher", PUB1);
  put_iri(txn, G1, DS "a", DCAT "theme", THEME1);
  put_iri(txn, G1, DS "a", DCAT "distribution", DS "a/dist");
  put_iri(txn, G1, DS "a/dist", DCT "format", EX "format/CSV");
  put_dataset(txn, G1, DS "b", "River levels", NULL);
  put_iri(txn, G1, DS "b", DCAT "theme", THEME1);
  put_dataset(txn, G2, DS "c", "Lake levels", NULL);
  put_iri(txn, G2, DS "c", DCT "publisher", PUB1); /* name only in G1 */
  put_lit(txn, G1, PUB1, FOAF "name", "Nordamt", NULL);
  put_lit(txn, GC, THEME1, SKOS "prefLabel", "Hydrology", "en");
  commit(txn);
  EXPECT_S(store, "water", "a");
  EXPECT_S(store, "nordamt", "a c");
  EXPECT_S(store, "hydrology", "a b");
  EXPECT_SF(store, "", FDX_FACET_PUBLISHER, PUB1, "a c");
  EXPECT_SF(store, "", FDX_FACET_FORMAT, EX "format/CSV", "a");

  /* The title. */
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G1, DS "a", DCT "title", literal(txn, "Water quality", NULL, NULL));
  put_lit(txn, G1, DS "a", DCT "title", "Groundwater chemistry", NULL);
  commit(txn);
  EXPECT_S(store, "water", "");
  EXPECT_S(store, "quality", "");
  EXPECT_S(store, "groundwater chemistry", "a");

  /* The publisher's name (another subject, same graph as a; c's graph has
   * no name for it but finds it in G1). */
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G1, PUB1, FOAF "name", literal(txn, "Nordamt", NULL, NULL));
  put_lit(txn, G1, PUB1, FOAF "name", "Suedamt", NULL);
  commit(txn);
  EXPECT_S(store, "nordamt", "");
  EXPECT_S(store, "suedamt", "a c");

  /* The concept's label, in a third graph. */
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, GC, THEME1, SKOS "prefLabel", literal(txn, "Hydrology", "en", NULL));
  put_lit(txn, GC, THEME1, SKOS "prefLabel", "Limnology", "en");
  commit(txn);
  EXPECT_S(store, "hydrology", "");
  EXPECT_S(store, "limnology", "a b");

  /* A second label added by SPARQL in yet another graph, then the
   * concept graph cleared: only the new label is left. */
  update(store,
         "INSERT DATA { GRAPH ex:labels { <" THEME1
         "> skos:altLabel \"Freshwater\"@en } }",
         __LINE__);
  EXPECT_S(store, "freshwater", "a b");
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_graph_clear(txn, graph(txn, GC), NULL), FDX_SUCCESS);
  commit(txn);
  EXPECT_S(store, "limnology", "");
  EXPECT_S(store, "freshwater", "a b");

  /* The distribution's format. */
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G1, DS "a/dist", DCT "format", iri(txn, EX "format/CSV"));
  put_iri(txn, G1, DS "a/dist", DCT "format", EX "format/JSON");
  commit(txn);
  EXPECT_SF(store, "", FDX_FACET_FORMAT, EX "format/CSV", "");
  EXPECT_SF(store, "", FDX_FACET_FORMAT, EX "format/JSON", "a");

  /* The publisher loses its name altogether. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK(del_all(txn, G1, PUB1, NULL) == 1);
  commit(txn);
  EXPECT_S(store, "suedamt", "");
  EXPECT_SF(store, "", FDX_FACET_PUBLISHER, PUB1, "a c");
  fdx_store_free(store);
}

/* The same statements in several graphs, as harvested records repeat a
 * publisher's name: documents in other graphs are looked at again only
 * when the union of the graphs changes (their labels come from there),
 * documents in the graph that changed always (their distributions come
 * from there). */
static void
test_reindex_shared_copies(const char* const name)
{
  FdxStore* const store =
    open_store(name, FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "a", "Water quality", NULL);
  put_iri(txn, G1, DS "a", DCT "publisher", PUB1);
  put_iri(txn, G1, DS "a", DCAT "distribution", DS "a/dist");
  put_iri(txn, G1, DS "a/dist", DCT "format", EX "format/CSV");
  put_dataset(txn, G2, DS "b", "River levels", NULL);
  put_iri(txn, G2, DS "b", DCT "publisher", PUB1);
  put_lit(txn, G1, PUB1, FOAF "name", "Nordamt", NULL);
  commit(txn);
  EXPECT_S(store, "nordamt", "a b");

  /* A copy of the name in G2: the union is the same. */
  txn = begin(store, FDX_TXN_WRITE);
  put_lit(txn, G2, PUB1, FOAF "name", "Nordamt", NULL);
  commit(txn);
  EXPECT_S(store, "nordamt", "a b");
  /* G1 loses its copy: G2's keeps the name in the union. */
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G1, PUB1, FOAF "name", literal(txn, "Nordamt", NULL, NULL));
  commit(txn);
  EXPECT_S(store, "nordamt", "a b");
  /* The last copy goes: nobody is found by it any more. */
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G2, PUB1, FOAF "name", literal(txn, "Nordamt", NULL, NULL));
  commit(txn);
  EXPECT_S(store, "nordamt", "");
  /* A new name in one graph reaches the documents of both. */
  txn = begin(store, FDX_TXN_WRITE);
  put_lit(txn, G2, PUB1, FOAF "name", "Suedamt", NULL);
  commit(txn);
  EXPECT_S(store, "suedamt", "a b");

  /* The distribution's format also stated in G2: the union does not
   * change when G1 loses it, but a (which reads its distribution in G1)
   * must lose the facet. */
  txn = begin(store, FDX_TXN_WRITE);
  put_iri(txn, G2, DS "a/dist", DCT "format", EX "format/CSV");
  commit(txn);
  EXPECT_SF(store, "", FDX_FACET_FORMAT, EX "format/CSV", "a");
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G1, DS "a/dist", DCT "format", iri(txn, EX "format/CSV"));
  commit(txn);
  EXPECT_SF(store, "", FDX_FACET_FORMAT, EX "format/CSV", "");
  /* And a graph replaced by the same statements changes nothing. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_graph_clear(txn, graph(txn, G2), NULL), FDX_SUCCESS);
  put_dataset(txn, G2, DS "b", "River levels", NULL);
  put_iri(txn, G2, DS "b", DCT "publisher", PUB1);
  put_lit(txn, G2, PUB1, FOAF "name", "Suedamt", NULL);
  put_iri(txn, G2, DS "a/dist", DCT "format", EX "format/CSV");
  commit(txn);
  EXPECT_S(store, "suedamt", "a b");
  EXPECT_S(store, "river", "b");

  /* A statement of the publisher that sorts after its name (a predicate
   * interned later): a second name goes in among the stored statements
   * (the loader's one-put-per-quad path) and reaches both documents. */
  txn = begin(store, FDX_TXN_WRITE);
  put_lit(txn, G1, PUB1, EX "zzNote", "note", NULL);
  commit(txn);
  txn = begin(store, FDX_TXN_WRITE);
  put_lit(txn, G2, PUB1, FOAF "name", "Ostamt", NULL);
  commit(txn);
  EXPECT_S(store, "ostamt", "a b");
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * 4 and 8: random catalogues against SPARQL
 * --------------------------------------------------------------------- */

#define N_THEMES 6
#define N_PUBS 5
#define N_LICENSES 4
#define N_ACCESS 3
#define N_FORMATS 3

static const char* const title_words[] = {
  "water", "forest", "census", "traffic", "energy", "school", "budget",
  "climate"};
#define N_TITLE_WORDS (sizeof(title_words) / sizeof(title_words[0]))

static const char* const kw_words[] = {"alpha", "beta",  "gamma", "delta",
                                       "omega", "sigma", "kappa"};
#define N_KW_WORDS (sizeof(kw_words) / sizeof(kw_words[0]))

static const char* const pub_names[] = {"Nordamt", "Suedamt", "Westamt",
                                        "Ostamt",  "Mittamt", "Randamt"};
#define N_PUB_NAMES (sizeof(pub_names) / sizeof(pub_names[0]))

static const char* const theme_labels[] = {"Hydrology", "Geology", "Zoology",
                                           "Botany",    "Ecology",
                                           "Astronomy"};
#define N_THEME_LABELS (sizeof(theme_labels) / sizeof(theme_labels[0]))

static const char* const format_iris[N_FORMATS] = {
  EX "format/CSV", EX "format/JSON", EX "format/XML"};
static const char* const media_iris[N_FORMATS] = {
  "http://www.iana.org/assignments/media-types/text/csv",
  "http://www.iana.org/assignments/media-types/application/json",
  "http://www.iana.org/assignments/media-types/application/xml"};

#define CONCEPTS EX "graph/concepts"
#define AGENTS EX "graph/agents"

/* The publishers (names in AGENTS) and themes (labels in CONCEPTS). */
static void
put_agents(FdxTxn* const txn)
{
  char s[128];
  for (unsigned i = 0; i < N_PUBS; ++i) {
    numbered(s, sizeof(s), EX "pub/", i);
    put_iri(txn, AGENTS, s, RDF_TYPE, FOAF "Organization");
    put_lit(txn, AGENTS, s, FOAF "name", pub_names[i], NULL);
  }
  for (unsigned i = 0; i < N_THEMES; ++i) {
    numbered(s, sizeof(s), EX "theme/", i);
    put_iri(txn, CONCEPTS, s, RDF_TYPE, SKOS "Concept");
    put_lit(txn, CONCEPTS, s, SKOS "prefLabel", theme_labels[i], "en");
  }
}

static void
random_case(const char* const in, char* const out, const size_t cap)
{
  size_t i = 0;
  for (; in[i] && i + 1 < cap; ++i) {
    out[i] = rng_below(2) ? (char)toupper((unsigned char)in[i]) : in[i];
  }
  out[i] = '\0';
}

static void
random_date(char* const out, const size_t cap)
{
  const unsigned y = 2000 + (unsigned)rng_below(25);
  const unsigned m = 1 + (unsigned)rng_below(12);
  const unsigned d = 1 + (unsigned)rng_below(28);
  if (rng_below(5) == 0) {
    snprintf(out, cap, "%04u-%02u-%02uT%02u:%02u:00Z", y, m, d,
             (unsigned)rng_below(24), (unsigned)rng_below(60));
  } else {
    snprintf(out, cap, "%04u-%02u-%02u", y, m, d);
  }
}

/* A random title of 1 to 3 distinct title words. */
static void
random_title(char* const out, const size_t cap)
{
  const unsigned n    = 1 + (unsigned)rng_below(3);
  unsigned       used = 0;
  size_t         len  = 0;
  out[0]              = '\0';
  for (unsigned k = 0; k < n; ++k) {
    unsigned w = (unsigned)rng_below(N_TITLE_WORDS);
    while (used & (1u << w)) {
      w = (w + 1) % N_TITLE_WORDS;
    }
    used |= 1u << w;
    char word[32];
    snprintf(word, sizeof(word), "%s", title_words[w]);
    if (k == 0) {
      word[0] = (char)toupper((unsigned char)word[0]);
    }
    len += (size_t)snprintf(out + len, cap - len, "%s%s", k ? " " : "", word);
  }
}

/* Remove (g, s) and its distributions entirely. */
static void
clear_rich(FdxTxn* const txn, const char* const g, const char* const s)
{
  del_all(txn, g, s, NULL);
  char dist[256];
  for (unsigned k = 0; k < 2; ++k) {
    snprintf(dist, sizeof(dist), "%s/dist/%u", s, k);
    del_all(txn, g, dist, NULL);
  }
}

/* A random document (g, s), replacing whatever (g, s) had. */
static void
put_rich(FdxTxn* const txn, const char* const g, const char* const s)
{
  clear_rich(txn, g, s);
  allow_repeats = true;
  char           buf[256];
  const unsigned cls = (unsigned)rng_below(20);
  put_iri(txn, g, s, RDF_TYPE,
          cls < 17   ? DCAT "Dataset"
          : cls < 19 ? DCAT "DataService"
                     : DCAT "DatasetSeries");
  random_title(buf, sizeof(buf));
  put_lit(txn, g, s, DCT "title", buf, rng_below(5) < 2 ? "en" : NULL);
  for (unsigned k = (unsigned)rng_below(4); k > 0; --k) {
    random_case(kw_words[rng_below(N_KW_WORDS)], buf, sizeof(buf));
    put_lit(txn, g, s, DCAT "keyword", buf, NULL);
  }
  for (unsigned k = (unsigned)rng_below(3); k > 0; --k) {
    numbered(buf, sizeof(buf), EX "theme/", (unsigned)rng_below(N_THEMES));
    put_iri(txn, g, s, DCAT "theme", buf);
  }
  const unsigned p = (unsigned)rng_below(10);
  if (p < 7) {
    numbered(buf, sizeof(buf), EX "pub/", (unsigned)rng_below(N_PUBS));
    put_iri(txn, g, s, DCT "publisher", buf);
  } else if (p < 9) {
    put_lit(txn, g, s, DCT "publisher", p == 7 ? "Stadtwerke" : "Landesamt",
            NULL);
  }
  if (rng_below(2)) {
    numbered(buf, sizeof(buf), EX "license/", (unsigned)rng_below(N_LICENSES));
    put_iri(txn, g, s, DCT "license", buf);
  }
  if (rng_below(10) < 7) {
    numbered(buf, sizeof(buf), EX "access/", (unsigned)rng_below(N_ACCESS));
    put_iri(txn, g, s, DCT "accessRights", buf);
  }
  if (rng_below(10) < 7) {
    random_date(buf, sizeof(buf));
    put_date(txn, g, s, DCT "modified", buf);
  }
  if (rng_below(2)) {
    random_date(buf, sizeof(buf));
    put_date(txn, g, s, DCT "issued", buf);
  }
  if (rng_below(10) < 3) {
    put_lit(txn, g, s, DCT "description", "Collected <b>numbers</b> & tables",
            "en");
  } else if (rng_below(10) < 9) {
    /* Most documents: terms with several postings blocks. */
    put_lit(txn, g, s, DCT "description", "Open catalogue record", "en");
  }
  for (unsigned k = (unsigned)rng_below(3); k-- > 0;) {
    char dist[256];
    snprintf(dist, sizeof(dist), "%s/dist/%u", s, k);
    put_iri(txn, g, s, DCAT "distribution", dist);
    put_iri(txn, g, dist, RDF_TYPE, DCAT "Distribution");
    if (rng_below(10) < 6) {
      put_iri(txn, g, dist, DCT "format", format_iris[rng_below(N_FORMATS)]);
    }
    if (rng_below(2)) {
      put_iri(txn, g, dist, DCAT "mediaType", media_iris[rng_below(N_FORMATS)]);
    }
    if (rng_below(10) < 3) {
      numbered(buf, sizeof(buf), EX "license/",
               (unsigned)rng_below(N_LICENSES));
      put_iri(txn, g, dist, DCT "license", buf);
    }
  }
  allow_repeats = false;
}

/* Everything the search answers, checked against SPARQL over the same
 * snapshot: facets without and with words and filters, and documents of
 * title words, keywords, publisher names and concept labels. */
static void
check_catalogue(FdxTxn* const txn, const char* const what, const int line)
{
  char label[256];
  snprintf(label, sizeof(label), "%s, no words", what);
  FdxSearchQuery q = query_of("");
  compare_facets(txn, &q, "", "", label, line);

  /* A word and a theme filter of two values. */
  const char* const themes[2] = {EX "theme/1", EX "theme/2"};
  q                           = query_of("water");
  q.values[FDX_FACET_THEME]   = themes;
  q.n_values[FDX_FACET_THEME] = 2;
  snprintf(label, sizeof(label), "%s, water + theme 1|2", what);
  compare_facets(txn, &q,
                 "?d dct:title ?tq FILTER(CONTAINS(LCASE(STR(?tq)), "
                 "\"water\")) ?d dcat:theme ?tf FILTER(?tf IN (<" EX
                 "theme/1>, <" EX "theme/2>))",
                 "", label, line);

  /* A keyword filter in another case, and two words. */
  const char* const kw[1]       = {"ALPHA"};
  q                             = query_of("forest census");
  q.values[FDX_FACET_KEYWORD]   = kw;
  q.n_values[FDX_FACET_KEYWORD] = 1;
  snprintf(label, sizeof(label), "%s, forest census + keyword ALPHA", what);
  compare_facets(txn, &q,
                 "?d dct:title ?tq FILTER(CONTAINS(LCASE(STR(?tq)), "
                 "\"forest\") && CONTAINS(LCASE(STR(?tq)), \"census\")) "
                 "?d dcat:keyword ?kq FILTER(LCASE(STR(?kq)) = \"alpha\")",
                 "", label, line);

  /* Years, a literal publisher, a licence (on the dataset or a
   * distribution), a format. */
  const char* const years[2] = {"2010", "2020"};
  q                          = query_of("");
  q.values[FDX_FACET_YEAR]   = years;
  q.n_values[FDX_FACET_YEAR] = 2;
  snprintf(label, sizeof(label), "%s, year 2010|2020", what);
  compare_facets(txn, &q,
                 "OPTIONAL { ?d dct:modified ?mq } OPTIONAL { ?d dct:issued "
                 "?iq } FILTER(SUBSTR(STR(COALESCE(?mq, ?iq)), 1, 4) IN "
                 "(\"2010\", \"2020\"))",
                 "", label, line);
  const char* const pub[1]        = {"Stadtwerke"};
  const char* const lic[1]        = {EX "license/1"};
  q                               = query_of("");
  q.values[FDX_FACET_PUBLISHER]   = pub;
  q.n_values[FDX_FACET_PUBLISHER] = 1;
  q.values[FDX_FACET_LICENSE]     = lic;
  q.n_values[FDX_FACET_LICENSE]   = 1;
  snprintf(label, sizeof(label), "%s, publisher Stadtwerke + license 1",
           what);
  compare_facets(txn, &q,
                 "?d dct:publisher \"Stadtwerke\" . { ?d dct:license <" EX
                 "license/1> } UNION { ?d dcat:distribution ?xq . ?xq "
                 "dct:license <" EX "license/1> }",
                 "", label, line);
  const char* const fmt[1]     = {EX "format/JSON"};
  q                            = query_of("energy");
  q.values[FDX_FACET_FORMAT]   = fmt;
  q.n_values[FDX_FACET_FORMAT] = 1;
  snprintf(label, sizeof(label), "%s, energy + format JSON", what);
  compare_facets(txn, &q,
                 "?d dct:title ?tq FILTER(CONTAINS(LCASE(STR(?tq)), "
                 "\"energy\")) ?d dcat:distribution ?xq . ?xq dct:format <" EX
                 "format/JSON> .",
                 "", label, line);

  /* Documents. */
  char inner[512], outer[512];
  for (size_t w = 0; w < N_TITLE_WORDS; ++w) {
    snprintf(inner, sizeof(inner),
             "?d dct:title ?tq FILTER(CONTAINS(LCASE(STR(?tq)), \"%s\"))",
             title_words[w]);
    compare_docs(txn, title_words[w], inner, "", line);
  }
  compare_docs(txn, "record",
               "?d dct:description ?dq FILTER(CONTAINS(STR(?dq), "
               "\"record\"))",
               "", line);
  compare_docs(txn, "catalogue -water",
               "?d dct:description ?dq FILTER(CONTAINS(STR(?dq), "
               "\"catalogue\")) OPTIONAL { ?d dct:title ?tx "
               "FILTER(CONTAINS(LCASE(STR(?tx)), \"water\")) } "
               "FILTER(!BOUND(?tx))",
               "", line);
  for (size_t w = 0; w < N_KW_WORDS; ++w) {
    snprintf(inner, sizeof(inner),
             "?d dcat:keyword ?kq FILTER(LCASE(STR(?kq)) = \"%s\")",
             kw_words[w]);
    compare_docs(txn, kw_words[w], inner, "", line);
  }
  for (size_t w = 0; w < N_PUB_NAMES; ++w) {
    char word[64];
    snprintf(word, sizeof(word), "%s", pub_names[w]);
    word[0] = (char)tolower((unsigned char)word[0]);
    snprintf(outer, sizeof(outer),
             "?pq foaf:name ?nq FILTER(LCASE(STR(?nq)) = \"%s\")", word);
    compare_docs(txn, word, "?d dct:publisher ?pq", outer, line);
  }
  for (size_t w = 0; w < N_THEME_LABELS; ++w) {
    char word[64];
    snprintf(word, sizeof(word), "%s", theme_labels[w]);
    word[0] = (char)tolower((unsigned char)word[0]);
    snprintf(outer, sizeof(outer),
             "?tq skos:prefLabel ?lq FILTER(LCASE(STR(?lq)) = \"%s\")", word);
    compare_docs(txn, word, "?d dcat:theme ?tq", outer, line);
  }
}

#define N_CATALOGUE 300

static void
test_facets(void)
{
  FdxStore* const store =
    open_store("facets", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_agents(txn);
  char s[128];
  for (unsigned i = 0; i < N_CATALOGUE; ++i) {
    numbered(s, sizeof(s), DS "f", i);
    put_rich(txn, i % 3 ? EX "graph/cat-a" : EX "graph/cat-b", s);
  }
  commit(txn);
  txn = begin(store, 0);
  CHECK(search_total(txn, "") == N_CATALOGUE);
  check_catalogue(txn, "random catalogue", __LINE__);

  /* Facet limits: the most frequent values, by count. */
  FdxSearchQuery q = query_of("");
  q.facet_limit    = 2;
  FdxSearchResult* res = NULL;
  FdxError         err;
  CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    CHECK(fdx_search_result_facet_count(res, (FdxFacet)f) <= 2);
  }
  CHECK(fdx_search_result_facet_count(res, FDX_FACET_THEME) == 2);
  Counts all = {NULL, 0, 0};
  search_facet(txn, &q, FDX_FACET_THEME, &all, NULL, __LINE__);
  uint64_t max = 0;
  for (size_t i = 0; i < all.n; ++i) {
    max = all.items[i].n > max ? all.items[i].n : max;
  }
  CHECK(fdx_search_result_facet(res, FDX_FACET_THEME, 0)->count == max);
  counts_free(&all);
  fdx_search_result_free(res);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * 8: random operations, the kept index against SPARQL and a rebuild
 * --------------------------------------------------------------------- */

#define N_POOL 120
#define N_RGRAPHS 3

static void
pool_subject(char* const out, const size_t cap, const unsigned i)
{
  numbered(out, cap, DS "r", i);
}

static void
pool_graph(char* const out, const size_t cap, const unsigned i)
{
  numbered(out, cap, EX "graph/r", i);
}

/* One random operation in `txn`. */
static void
random_op(FdxTxn* const txn, unsigned* const counts)
{
  char           s[128], g[128], buf[256];
  const unsigned si = (unsigned)rng_below(N_POOL);
  const unsigned gi = (unsigned)rng_below(N_RGRAPHS);
  pool_subject(s, sizeof(s), si);
  pool_graph(g, sizeof(g), gi);
  const unsigned kind = (unsigned)rng_below(1000);
  unsigned       k    = 0;
  if (kind < 250) {
    put_rich(txn, g, s);
    k = 0;
  } else if (kind < 310) {
    const FdxQuad q = {iri(txn, s), iri(txn, RDF_TYPE), FDX_ID_ANY,
                       graph(txn, g)};
    FdxQuadIter* it = NULL;
    REQUIRE(fdx_quad_find(txn, &q, &it) == FDX_SUCCESS);
    FdxQuad found;
    const bool has = fdx_quad_iter_next(it, &found) == FDX_SUCCESS;
    fdx_quad_iter_free(it);
    if (has) {
      CHECK_ST(fdx_quad_remove(txn, &found), FDX_SUCCESS);
    }
    k = 1;
  } else if (kind < 370) {
    clear_rich(txn, g, s);
    k = 2;
  } else if (kind < 530) {
    del_all(txn, g, s, DCT "title");
    random_title(buf, sizeof(buf));
    put_lit(txn, g, s, DCT "title", buf, rng_below(2) ? "en" : NULL);
    k = 3;
  } else if (kind < 610) {
    random_case(kw_words[rng_below(N_KW_WORDS)], buf, sizeof(buf));
    const FdxQuad q = {iri(txn, s), iri(txn, DCAT "keyword"),
                       literal(txn, buf, NULL, NULL), graph(txn, g)};
    fdx_quad_add(txn, &q);
    k = 4;
  } else if (kind < 660) {
    del_all(txn, g, s, DCAT "keyword");
    k = 5;
  } else if (kind < 720) {
    numbered(buf, sizeof(buf), EX "pub/", (unsigned)rng_below(N_PUBS));
    del_all(txn, AGENTS, buf, FOAF "name");
    put_lit(txn, AGENTS, buf, FOAF "name",
            pub_names[rng_below(N_PUB_NAMES)], NULL);
    k = 6;
  } else if (kind < 780) {
    numbered(buf, sizeof(buf), EX "theme/", (unsigned)rng_below(N_THEMES));
    del_all(txn, CONCEPTS, buf, SKOS "prefLabel");
    put_lit(txn, CONCEPTS, buf, SKOS "prefLabel",
            theme_labels[rng_below(N_THEME_LABELS)], "en");
    k = 7;
  } else if (kind < 830) {
    char dist[256];
    snprintf(dist, sizeof(dist), "%s/dist/0", s);
    del_all(txn, g, dist, DCT "format");
    if (rng_below(4)) {
      put_iri(txn, g, dist, DCT "format", format_iris[rng_below(N_FORMATS)]);
    }
    k = 8;
  } else if (kind < 880) {
    del_all(txn, g, s, DCT "modified");
    if (rng_below(4)) {
      random_date(buf, sizeof(buf));
      put_date(txn, g, s, DCT "modified", buf);
    }
    k = 9;
  } else if (kind < 883) {
    CHECK_ST(fdx_graph_clear(txn, graph(txn, g), NULL), FDX_SUCCESS);
    k = 10;
  } else if (kind < 960) {
    /* SPARQL in the same transaction: a new title, and a theme. */
    char title[128], text[2048];
    random_title(title, sizeof(title));
    snprintf(text, sizeof(text),
             PREFIXES "DELETE WHERE { GRAPH <%s> { <%s> dct:title ?t } } ;\n"
                      "INSERT DATA { GRAPH <%s> { <%s> dct:title \"%s\" ; "
                      "dcat:theme <" EX "theme/%u> } }",
             g, s, g, s, title, (unsigned)rng_below(N_THEMES));
    FdxError err;
    memset(&err, 0, sizeof(err));
    CHECK_ST(fdx_update_exec(txn, text, strlen(text), NULL, false, NULL, &err),
             FDX_SUCCESS);
    k = 11;
  } else {
    /* The bulk loader in the same transaction: a keyword and a type. */
    FdxLoader* loader = NULL;
    CHECK_ST(fdx_loader_new(txn, rng_below(2), &loader), FDX_SUCCESS);
    const FdxTerm tg = fdx_term_iri(g);
    const FdxTerm ts = fdx_term_iri(s);
    const FdxTerm tp = fdx_term_iri(DCAT "keyword");
    random_case(kw_words[rng_below(N_KW_WORDS)], buf, sizeof(buf));
    const FdxTerm to = fdx_term_literal(buf, NULL, NULL);
    const FdxTerm tt = fdx_term_iri(RDF_TYPE);
    const FdxTerm tc = fdx_term_iri(DCAT "Dataset");
    CHECK_ST(fdx_loader_add(loader, &ts, &tp, &to, &tg), FDX_SUCCESS);
    CHECK_ST(fdx_loader_add(loader, &ts, &tt, &tc, &tg), FDX_SUCCESS);
    CHECK_ST(fdx_loader_finish(loader, NULL), FDX_SUCCESS);
    fdx_loader_free(loader);
    k = 12;
  }
  ++counts[k];
}

/* The answers to compare before and after a rebuild. */
typedef struct {
  uint64_t total;
  Counts   hits;
  Counts   facets[FDX_N_FACETS];
} Answer;

static const char* const diff_queries[] = {
  "",          "water",          "forest census", "energy -school",
  "alpha",     "beta",           "nordamt",       "hydrology",
  "geology",   "w*",             "clim*",         "\"school budget\"",
  "ostamt",    "botany traffic", "kappa omega",   "zoology"};
#define N_DIFF_QUERIES (sizeof(diff_queries) / sizeof(diff_queries[0]))

static void
answer(FdxTxn* const txn, const size_t qi, Answer* const a)
{
  memset(a, 0, sizeof(*a));
  FdxSearchQuery q = query_of(diff_queries[qi]);
  if (qi % 4 == 3) {
    static const char* const th[1] = {EX "theme/3"};
    q.values[FDX_FACET_THEME]      = th;
    q.n_values[FDX_FACET_THEME]    = 1;
  }
  search_docs(txn, &q, &a->hits, &a->total, __LINE__);
  counts_sort(&a->hits);
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    search_facet(txn, &q, (FdxFacet)f, &a->facets[f], NULL, __LINE__);
  }
}

static void
answer_free(Answer* const a)
{
  counts_free(&a->hits);
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    counts_free(&a->facets[f]);
  }
}

static void
test_differential(void)
{
  FdxStore* const store =
    open_store("diff", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_agents(txn);
  /* A start: most pool subjects in one or more graphs. */
  for (unsigned i = 0; i < N_POOL; ++i) {
    for (unsigned gi = 0; gi < N_RGRAPHS; ++gi) {
      if (rng_below(10) < 6) {
        char s[128], g[128];
        pool_subject(s, sizeof(s), i);
        pool_graph(g, sizeof(g), gi);
        put_rich(txn, g, s);
      }
    }
  }
  commit(txn);
  unsigned counts[13] = {0};
  unsigned ops = 0, commits = 0, aborts = 0;
  while (ops < 600) {
    txn                 = begin(store, FDX_TXN_WRITE);
    const unsigned n_op = 1 + (unsigned)rng_below(15);
    for (unsigned i = 0; i < n_op; ++i) {
      random_op(txn, counts);
    }
    if (rng_below(10) == 0) {
      fdx_txn_abort(txn);
      ++aborts;
      continue;
    }
    ops += n_op;
    commit(txn);
    ++commits;
    if (commits % 10 == 0) {
      FdxTxn* const r = begin(store, 0);
      char          what[64];
      snprintf(what, sizeof(what), "after commit %u", commits);
      check_catalogue(r, what, __LINE__);
      fdx_txn_abort(r);
    }
  }
  printf("  differential: %u operations in %u commits (%u aborted); kinds",
         ops, commits, aborts);
  for (int k = 0; k < 13; ++k) {
    printf(" %u", counts[k]);
  }
  printf("\n");

  /* The kept index against SPARQL, and its answers. */
  txn = begin(store, 0);
  check_catalogue(txn, "after the random operations", __LINE__);
  FdxSearchStats before_stats;
  CHECK_ST(fdx_search_stats(txn, &before_stats), FDX_SUCCESS);
  Answer before[N_DIFF_QUERIES];
  for (size_t i = 0; i < N_DIFF_QUERIES; ++i) {
    answer(txn, i, &before[i]);
  }
  Counts docs = {NULL, 0, 0};
  sparql_docs(txn, "", "", &docs, __LINE__);
  CHECK(before_stats.documents == docs.n);
  printf("  differential: %" PRIu64 " documents\n", before_stats.documents);
  CHECK(docs.n > 20);
  counts_free(&docs);
  fdx_txn_abort(txn);

  /* Rebuilt: the same answers. */
  uint64_t rebuilt = 0;
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_search_rebuild(store, &rebuilt, &err), FDX_SUCCESS);
  CHECK(rebuilt == before_stats.documents);
  txn = begin(store, 0);
  FdxSearchStats after_stats;
  CHECK_ST(fdx_search_stats(txn, &after_stats), FDX_SUCCESS);
  CHECK(after_stats.documents == before_stats.documents);
  for (size_t i = 0; i < N_DIFF_QUERIES; ++i) {
    Answer after;
    answer(txn, i, &after);
    char label[128];
    snprintf(label, sizeof(label), "rebuild vs kept, \"%s\"", diff_queries[i]);
    if (after.total != before[i].total) {
      char msg[256];
      snprintf(msg, sizeof(msg), "%s: total %" PRIu64 " vs %" PRIu64, label,
               after.total, before[i].total);
      check_failed(__FILE__, __LINE__, msg);
    }
    if (compare_counts(&after.hits, &before[i].hits, true, label, __LINE__)) {
      for (size_t h = 0; h < after.hits.n; ++h) {
        const double x = after.hits.items[h].x, y = before[i].hits.items[h].x;
        if (fabs(x - y) > 1e-9 * (fabs(x) + fabs(y) + 1)) {
          char msg[512];
          snprintf(msg, sizeof(msg), "%s: score of %s: %.12g vs %.12g", label,
                   after.hits.items[h].key, x, y);
          check_failed(__FILE__, __LINE__, msg);
          break;
        }
      }
    }
    for (int f = 0; f < FDX_N_FACETS; ++f) {
      char flabel[192];
      snprintf(flabel, sizeof(flabel), "%s, facet %s", label,
               fdx_facet_name((FdxFacet)f));
      compare_counts(&after.facets[f], &before[i].facets[f], false, flabel,
                     __LINE__);
    }
    answer_free(&after);
    answer_free(&before[i]);
  }
  check_catalogue(txn, "after the rebuild", __LINE__);
  fdx_txn_abort(txn);

  /* And the rebuilt index goes on being kept. */
  txn = begin(store, FDX_TXN_WRITE);
  for (unsigned i = 0; i < 30; ++i) {
    random_op(txn, counts);
  }
  commit(txn);
  txn = begin(store, 0);
  check_catalogue(txn, "after more operations", __LINE__);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * 5: query syntax
 * --------------------------------------------------------------------- */

static void
test_syntax(void)
{
  FdxStore* const store =
    open_store("syntax", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "s1", "red green blue", NULL);
  put_dataset(txn, G1, DS "s2", "blue green red", NULL);
  put_dataset(txn, G1, DS "s3", "green apple", NULL);
  put_dataset(txn, G1, DS "s4", "Krankenhaus Statistik", "de");
  put_dataset(txn, G1, DS "s5", "Universitäten und hospitals", NULL);
  put_dataset(txn, G1, DS "s6", "hospitals", "en");
  put_dataset(txn, G1, DS "s7", "Données de santé", "fr");
  put_dataset(txn, G1, DS "s8", "Registry", "en");
  put_lit(txn, G1, DS "s8", DCT "identifier", "ABC-123", NULL);
  put_dataset(txn, G1, DS "s9", "Surveillance", "en");
  put_iri(txn, G1, DS "s9", DCT "publisher", PUB1);
  put_lit(txn, G1, PUB1, FOAF "name", "Robert Koch Institut", "de");
  put_dataset(txn, G1, DS "s10", "Zephyr", "en");
  put_dataset(txn, G1, DS "s11", "Wind", "en");
  put_lit(txn, G1, DS "s11", DCT "description", "zephyr and other winds",
          "en");
  put_dataset(txn, G1, DS "s12", "Wind", "en");
  put_lit(txn, G1, DS "s12", DCAT "keyword", "Ökologie", NULL);
  put_dataset(txn, G1, DS "s13", "Wind", "en");
  put_lit(txn, G1, DS "s13", DCAT "keyword", "OKOLOGIE", NULL);
  put_dataset(txn, G1, DS "s14", "IT security incidents", "en");
  put_lit(txn, G1, DS "s14", DCT "publisher", "Landesamt", "de");
  put_dataset(txn, G1, DS "s15", "IT-Sicherheit", "de");
  put_lit(txn, G1, DS "s15", DCT "publisher", "Stadtwerke", NULL);
  commit(txn);
  txn = begin(store, 0);

  /* A title match ranks above a description match. */
  {
    FdxSearchQuery   rq  = query_of("zephyr");
    FdxSearchResult* res = NULL;
    FdxError         err;
    CHECK_ST(run_search(txn, &rq, &res, &err), FDX_SUCCESS);
    CHECK(res && fdx_search_result_count(res) == 2);
    if (res && fdx_search_result_count(res) == 2) {
      char first[64];
      subject_name(txn, fdx_search_result_hit(res, 0)->subject, first,
                   sizeof(first));
      CHECK(!strcmp(first, "s10"));
      CHECK(fdx_search_result_hit(res, 0)->score >
            fdx_search_result_hit(res, 1)->score);
    }
    fdx_search_result_free(res);
  }
  /* Keywords fold case and accents, as words and as a facet. */
  EXPECT_Q(txn, "okologie", "s12 s13");
  EXPECT_F(txn, "", FDX_FACET_KEYWORD, "ökologie", "s12 s13");
  EXPECT_F(txn, "", FDX_FACET_KEYWORD, "Okologie", "s12 s13");
  {
    FdxSearchQuery   fq  = query_of("wind");
    FdxSearchResult* res = NULL;
    FdxError         err;
    fq.facet_limit = 10;
    CHECK_ST(run_search(txn, &fq, &res, &err), FDX_SUCCESS);
    CHECK(res &&
          fdx_search_result_facet_count(res, FDX_FACET_KEYWORD) == 1 &&
          fdx_search_result_facet(res, FDX_FACET_KEYWORD, 0)->count == 2);
    fdx_search_result_free(res);
  }

  /* Words: all required. */
  EXPECT_Q(txn, "red", "s1 s2");
  EXPECT_Q(txn, "red blue", "s1 s2");
  EXPECT_Q(txn, "RED  Green\tblue", "s1 s2");
  EXPECT_Q(txn, "red apple", "");
  EXPECT_Q(txn, "green", "s1 s2 s3");
  EXPECT_Q(txn, "purple", "");
  EXPECT_Q(txn, "+red +blue", "s1 s2");

  /* Phrases: the words in that order, next to each other. */
  EXPECT_Q(txn, "\"red green\"", "s1");
  EXPECT_Q(txn, "\"green red\"", "s2");
  EXPECT_Q(txn, "\"green blue\"", "s1");
  EXPECT_Q(txn, "\"blue red\"", "");
  EXPECT_Q(txn, "\"red green blue\"", "s1");
  EXPECT_Q(txn, "\"green apple\" green", "s3");

  /* Exclusions. */
  EXPECT_Q(txn, "green -blue", "s3");
  EXPECT_Q(txn, "green -\"red green\"", "s2 s3");
  EXPECT_Q(txn, "green -apple -red", "");
  EXPECT_Q(txn, "green -gre*", "");
  EXPECT_Q(txn, "green -purple", "s1 s2 s3");

  /* Prefixes. */
  EXPECT_Q(txn, "gre*", "s1 s2 s3");
  EXPECT_Q(txn, "app*", "s3");
  EXPECT_Q(txn, "bl* re*", "s1 s2");
  EXPECT_Q(txn, "zz*", "");

  /* German inflection of German text; untagged text in both languages. */
  EXPECT_Q(txn, "Krankenhäuser", "s4");
  EXPECT_Q(txn, "krankenhauses", "s4");
  EXPECT_Q(txn, "KRANKENHAUS statistik", "s4");
  EXPECT_Q(txn, "Universität", "s5");
  EXPECT_Q(txn, "universitaeten", "");
  EXPECT_Q(txn, "hospital", "s5 s6");
  EXPECT_Q(txn, "hospitals", "s5 s6");

  /* Words of text in another language, found by themselves: such text is
   * folded, not stemmed (tokenize.h, FDX_TOKEN_LANG_NONE), so the query
   * word as it is must find it, whatever the German and English stemmers
   * make of it. */
  EXPECT_Q(txn, "données", "s7");
  EXPECT_Q(txn, "santé", "s7");

  /* A prefix matches the words that start with it (tokenize.h: prefix
   * queries go by the folded words): "hospita*" must find "hospitals"
   * in English text, whose stem "hospit" is shorter than the prefix. */
  EXPECT_Q(txn, "hospita*", "s5 s6");

  /* The identifier and the publisher's name are fields like the others
   * (search.h lists six): an identifier with a hyphen (which the parser
   * makes a phrase, as for "COVID-19"), and a quoted name. */
  EXPECT_Q(txn, "abc", "s8");
  EXPECT_Q(txn, "ABC-123", "s8");
  EXPECT_Q(txn, "robert koch", "s9");
  EXPECT_Q(txn, "\"Robert Koch\"", "s9");

  /* "it" is a stop word of English only (stopwords.c): English text
   * drops it, so a query must not require it of English text. */
  EXPECT_Q(txn, "incidents", "s14");
  EXPECT_Q(txn, "IT-Sicherheit", "s15");
  EXPECT_Q(txn, "IT security", "s14");

  /* Literal facet values are given by their text (search.h), with or
   * without a language tag. */
  EXPECT_F(txn, "", FDX_FACET_PUBLISHER, "Stadtwerke", "s15");
  {
    FdxSearchQuery   fq  = query_of("incidents");
    FdxSearchResult* res = NULL;
    FdxError         err;
    fq.facet_limit = 10;
    CHECK_ST(run_search(txn, &fq, &res, &err), FDX_SUCCESS);
    CHECK(res && fdx_search_result_facet_count(res, FDX_FACET_PUBLISHER) == 1);
    if (res && fdx_search_result_facet_count(res, FDX_FACET_PUBLISHER) == 1) {
      char text[64];
      term_text(txn, fdx_search_result_facet(res, FDX_FACET_PUBLISHER, 0)->id,
                text, sizeof(text));
      CHECK(!strcmp(text, "Landesamt"));
    }
    fdx_search_result_free(res);
    fq.facet_limit = 0;
    CHECK_ST(run_search(txn, &fq, &res, &err), FDX_SUCCESS);
    for (int f = 0; res && f < FDX_N_FACETS; ++f) {
      CHECK(fdx_search_result_facet_count(res, (FdxFacet)f) == 0);
    }
    fdx_search_result_free(res);
  }
  /* A language-tagged literal is given back as the API lists it. */
  EXPECT_F(txn, "", FDX_FACET_PUBLISHER, "\"Landesamt\"@de", "s14");

  /* Errors and limits. */
  FdxSearchQuery q = query_of("-red");
  CHECK_ST(search_status(txn, &q), FDX_ERR_BAD_ARG);
  q = query_of("-red -\"green blue\"");
  CHECK_ST(search_status(txn, &q), FDX_ERR_BAD_ARG);
  q = query_of("\"");
  CHECK_ST(search_status(txn, &q), FDX_ERR_BAD_ARG);
  q = query_of("red \"green");
  CHECK_ST(search_status(txn, &q), FDX_ERR_BAD_ARG);
  char long_q[2001];
  for (size_t i = 0; i < 2000; ++i) {
    long_q[i] = i % 5 == 4 ? ' ' : 'a';
  }
  long_q[2000] = '\0';
  q            = query_of(long_q);
  CHECK_ST(search_status(txn, &q), FDX_ERR_LIMIT);
  /* At the limit of bytes exactly: fine. */
  {
    char at_limit[FDX_SEARCH_MAX_QUERY_BYTES + 1];
    memset(at_limit, ' ', FDX_SEARCH_MAX_QUERY_BYTES);
    memcpy(at_limit, "red", 3);
    at_limit[FDX_SEARCH_MAX_QUERY_BYTES] = '\0';
    q                                    = query_of(at_limit);
    CHECK_ST(search_status(txn, &q), FDX_SUCCESS);
  }
  /* The window. */
  q        = query_of("red");
  q.offset = FDX_SEARCH_MAX_WINDOW - 10;
  q.limit  = 20;
  CHECK_ST(search_status(txn, &q), FDX_ERR_LIMIT);
  q.limit = 10;
  CHECK_ST(search_status(txn, &q), FDX_SUCCESS);
  q.offset = FDX_SEARCH_MAX_WINDOW + 1;
  q.limit  = 0;
  CHECK_ST(search_status(txn, &q), FDX_ERR_LIMIT);
  q.offset = 0;
  q.limit  = SIZE_MAX;
  CHECK_ST(search_status(txn, &q), FDX_ERR_LIMIT);
  q.offset = SIZE_MAX;
  q.limit  = 2;
  CHECK_ST(search_status(txn, &q), FDX_ERR_LIMIT);
  /* Offsets past the results: no hits, the same total. */
  q        = query_of("green");
  q.offset = 100;
  q.limit  = 10;
  {
    FdxSearchResult* res = NULL;
    FdxError         err;
    CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
    CHECK(fdx_search_result_count(res) == 0);
    CHECK(fdx_search_result_total(res) == 3);
    CHECK(fdx_search_result_hit(res, 0) == NULL);
    fdx_search_result_free(res);
  }
  /* Only stop words or punctuation: every document. */
  EXPECT_Q(txn, "the , .",
           "s1 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 s12 s13 s14 s15");
  /* An unknown facet value matches nothing; it is no error. */
  EXPECT_F(txn, "", FDX_FACET_THEME, EX "no/such/theme", "");
  EXPECT_F(txn, "", FDX_FACET_YEAR, "1999", "");
  /* Bad arguments. */
  {
    FdxSearchResult* res = NULL;
    FdxError         err;
    q = query_of("red");
    CHECK_ST(fdx_search_run(NULL, txn, &q, &res, &err), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_search_run(srch, NULL, &q, &res, &err), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_search_run(srch, txn, NULL, &res, &err), FDX_ERR_BAD_ARG);
  }
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * 6 and 7: sorting, paging, date bounds
 * --------------------------------------------------------------------- */

static int64_t
days_from_civil(int64_t y, const unsigned m, const unsigned d)
{
  y -= m <= 2;
  const int64_t  era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

#define N_SORT 60

typedef struct {
  bool    dated;
  int64_t secs;
} DateOf;

/* Collect the subject names of a whole result, in order. */
static void
result_names(FdxTxn* const txn, const FdxSearchResult* const res,
             Names* const out)
{
  for (size_t i = 0; i < fdx_search_result_count(res); ++i) {
    char name[128];
    subject_name(txn, fdx_search_result_hit(res, i)->subject, name,
                 sizeof(name));
    names_push(out, name, strlen(name));
  }
}

/* Pages of `page` results concatenate to the full ordering. */
static void
check_paging(FdxTxn* const txn, const FdxSearchQuery* const base,
             const size_t page, const int line)
{
  FdxSearchQuery q = *base;
  q.offset         = 0;
  q.limit          = 1000;
  FdxSearchResult* full = NULL;
  FdxError         err;
  CHECK_ST(run_search(txn, &q, &full, &err), FDX_SUCCESS);
  if (!full) {
    return;
  }
  const uint64_t total = fdx_search_result_total(full);
  Names          whole = {NULL, 0, 0}, paged = {NULL, 0, 0};
  result_names(txn, full, &whole);
  for (q.offset = 0; q.offset < total + page; q.offset += page) {
    q.limit              = page;
    FdxSearchResult* res = NULL;
    CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
    if (!res) {
      break;
    }
    if (fdx_search_result_total(res) != total) {
      check_failed(__FILE__, line, "a page's total differs");
    }
    const size_t expect =
      q.offset >= total ? 0 : (total - q.offset < page ? total - q.offset
                                                       : page);
    if (fdx_search_result_count(res) != expect) {
      check_failed(__FILE__, line, "a page has the wrong number of hits");
    }
    result_names(txn, res, &paged);
    fdx_search_result_free(res);
  }
  bool same = paged.n == whole.n;
  for (size_t i = 0; same && i < whole.n; ++i) {
    same = !strcmp(paged.items[i], whole.items[i]);
  }
  if (!same) {
    char a[2048], b[2048], msg[4200];
    names_join(&paged, false, a, sizeof(a));
    names_join(&whole, false, b, sizeof(b));
    snprintf(msg, sizeof(msg), "q=\"%s\" sort %d: pages [%s] vs whole [%s]",
             q.q ? q.q : "", (int)q.sort, a, b);
    check_failed(__FILE__, line, msg);
  }
  /* No duplicates. */
  if (whole.n > 1) {
    qsort(whole.items, whole.n, sizeof(char*), str_cmp);
  }
  for (size_t i = 1; i < whole.n; ++i) {
    if (!strcmp(whole.items[i], whole.items[i - 1])) {
      check_failed(__FILE__, line, "a document twice in one ordering");
      break;
    }
  }
  names_free(&whole);
  names_free(&paged);
  fdx_search_result_free(full);
}

static void
test_sort_and_dates(void)
{
  FdxStore* const store =
    open_store("sort", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  DateOf  dates[N_SORT];
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  char    s[128], lex[64], title[128];
  for (unsigned i = 0; i < N_SORT; ++i) {
    numbered(s, sizeof(s), DS "t", i);
    snprintf(title, sizeof(title), "%s %s", title_words[rng_below(3)],
             title_words[3 + rng_below(3)]);
    put_dataset(txn, G1, s, title, NULL);
    dates[i].dated = rng_below(4) != 0;
    if (dates[i].dated) {
      /* Few distinct dates, so that ties are common. */
      const unsigned d = 1 + (unsigned)rng_below(10);
      const unsigned h = (unsigned)rng_below(3) * 6;
      snprintf(lex, sizeof(lex), "2021-03-%02uT%02u:00:00Z", d, h);
      dates[i].secs = days_from_civil(2021, 3, d) * 86400 + h * 3600;
      /* Some only through dct:issued; an issued date never beats a
       * modified one. */
      if (rng_below(4) == 0) {
        put_date(txn, G1, s, DCT "issued", lex);
      } else {
        put_date(txn, G1, s, DCT "modified", lex);
        if (rng_below(2)) {
          put_date(txn, G1, s, DCT "issued", "2030-01-01");
        }
      }
    } else if (rng_below(3) == 0) {
      put_lit(txn, G1, s, DCT "modified", "not a date", NULL);
    }
  }
  commit(txn);
  txn = begin(store, 0);

  /* Newest first, undated last. */
  FdxSearchQuery q = query_of("");
  q.sort           = FDX_SEARCH_SORT_MODIFIED;
  FdxSearchResult* res = NULL;
  FdxError         err;
  CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
  REQUIRE(res);
  CHECK(fdx_search_result_total(res) == N_SORT);
  CHECK(fdx_search_result_count(res) == N_SORT);
  bool seen_undated = false;
  for (size_t i = 0; i < fdx_search_result_count(res); ++i) {
    const FdxSearchHit* const h = fdx_search_result_hit(res, i);
    char                      name[64];
    subject_name(txn, h->subject, name, sizeof(name));
    const unsigned k = (unsigned)atoi(name + 1);
    REQUIRE(k < N_SORT);
    CHECK(h->has_modified == dates[k].dated);
    if (h->has_modified) {
      CHECK(!seen_undated);
      CHECK(h->modified == dates[k].secs);
      if (i) {
        const FdxSearchHit* const p = fdx_search_result_hit(res, i - 1);
        CHECK(p->modified >= h->modified);
      }
    } else {
      seen_undated = true;
    }
    CHECK(h->score == 0);
  }
  fdx_search_result_free(res);

  /* Relevance without words is the order of dates. */
  {
    FdxSearchQuery   rq = query_of("");
    FdxSearchResult* r1 = NULL;
    FdxSearchResult* r2 = NULL;
    CHECK_ST(run_search(txn, &rq, &r1, &err), FDX_SUCCESS);
    rq.sort = FDX_SEARCH_SORT_MODIFIED;
    CHECK_ST(run_search(txn, &rq, &r2, &err), FDX_SUCCESS);
    Names n1 = {NULL, 0, 0}, n2 = {NULL, 0, 0};
    if (r1 && r2) {
      result_names(txn, r1, &n1);
      result_names(txn, r2, &n2);
    }
    char a1[1024], a2[1024];
    names_join(&n1, false, a1, sizeof(a1));
    names_join(&n2, false, a2, sizeof(a2));
    CHECK(n1.n == N_SORT && !strcmp(a1, a2));
    names_free(&n1);
    names_free(&n2);
    fdx_search_result_free(r1);
    fdx_search_result_free(r2);
  }

  /* Paging, in every order, with and without words. */
  static const char* const qs[] = {"", "water", "forest census", "w*"};
  for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); ++i) {
    for (int sort = 0; sort < 3; ++sort) {
      q      = query_of(qs[i]);
      q.sort = (FdxSearchSort)sort;
      check_paging(txn, &q, 7, __LINE__);
      check_paging(txn, &q, 1, __LINE__);
    }
  }
  /* With words, relevance is by score, best first. */
  q = query_of("water census");
  CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
  for (size_t i = 1; res && i < fdx_search_result_count(res); ++i) {
    CHECK(fdx_search_result_hit(res, i - 1)->score >=
          fdx_search_result_hit(res, i)->score);
    CHECK(fdx_search_result_hit(res, i)->score > 0);
  }
  fdx_search_result_free(res);

  /* Date bounds, inclusive, on modified else issued; undated never. */
  for (int round = 0; round < 40; ++round) {
    const unsigned a = (unsigned)rng_below(N_SORT);
    const unsigned b = (unsigned)rng_below(N_SORT);
    q                = query_of(round % 2 ? "" : "water");
    q.has_from       = round % 4 != 1;
    q.has_to         = round % 4 != 2;
    q.modified_from  = dates[a].secs + (round % 8 == 5 ? 1 : 0);
    q.modified_to    = dates[b].secs - (round % 8 == 6 ? 1 : 0);
    if (!dates[a].dated) {
      q.modified_from = days_from_civil(2021, 3, 5) * 86400;
    }
    if (!dates[b].dated) {
      q.modified_to = days_from_civil(2021, 3, 7) * 86400;
    }
    CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
    if (!res) {
      continue;
    }
    /* The expected set: dated, within the bounds, and (with a word)
     * titled with it. */
    Names want = {NULL, 0, 0}, got = {NULL, 0, 0};
    for (unsigned i = 0; i < N_SORT; ++i) {
      if (!dates[i].dated || (q.has_from && dates[i].secs < q.modified_from) ||
          (q.has_to && dates[i].secs > q.modified_to)) {
        continue;
      }
      numbered(s, sizeof(s), "t", i);
      names_push(&want, s, strlen(s));
    }
    /* Words: keep those the word search finds. */
    if (q.q[0]) {
      FdxSearchQuery   wq   = query_of(q.q);
      FdxSearchResult* wres = NULL;
      CHECK_ST(run_search(txn, &wq, &wres, &err), FDX_SUCCESS);
      Names with = {NULL, 0, 0};
      if (wres) {
        result_names(txn, wres, &with);
      }
      fdx_search_result_free(wres);
      Names kept = {NULL, 0, 0};
      for (size_t i = 0; i < want.n; ++i) {
        for (size_t j = 0; j < with.n; ++j) {
          if (!strcmp(want.items[i], with.items[j])) {
            names_push(&kept, want.items[i], strlen(want.items[i]));
            break;
          }
        }
      }
      names_free(&with);
      names_free(&want);
      want = kept;
    }
    result_names(txn, res, &got);
    char a1[2048], b1[2048];
    names_join(&got, true, a1, sizeof(a1));
    names_join(&want, true, b1, sizeof(b1));
    if (strcmp(a1, b1) || fdx_search_result_total(res) != want.n) {
      char msg[4400];
      snprintf(msg, sizeof(msg),
               "dates [%" PRId64 " (%d), %" PRId64 " (%d)] q=\"%s\": got [%s] "
               "want [%s]",
               q.modified_from, (int)q.has_from, q.modified_to,
               (int)q.has_to, q.q, a1, b1);
      check_failed(__FILE__, __LINE__, msg);
    }
    names_free(&want);
    names_free(&got);
    fdx_search_result_free(res);
  }
  fdx_txn_abort(txn);
  fdx_store_free(store);

  /* Titles, folded, A to Z. */
  FdxStore* const titles =
    open_store("titles", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  static const char* const names[] = {
    "banana", "Apple", "cherry", "Äpfel", "apricot", "Zebra", "zucchini",
    "Édition",
    /* A series whose titles differ only after 60 bytes, the later one
     * added first. */
    "Monthly statistics of road traffic accidents in the districts, 2021",
    "Monthly statistics of road traffic accidents in the districts, 2020"};
  txn = begin(titles, FDX_TXN_WRITE);
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
    numbered(s, sizeof(s), DS "n", (unsigned)i);
    put_dataset(txn, G1, s, names[i], NULL);
  }
  commit(txn);
  txn    = begin(titles, 0);
  q      = query_of("");
  q.sort = FDX_SEARCH_SORT_TITLE;
  CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
  Names got = {NULL, 0, 0};
  if (res) {
    result_names(txn, res, &got);
  }
  char order[512];
  names_join(&got, false, order, sizeof(order));
  /* apfel apple apricot banana cherry edition monthly...2020
   * monthly...2021 zebra zucchini */
  if (strcmp(order, "n3 n1 n4 n0 n2 n7 n9 n8 n5 n6")) {
    char msg[700];
    snprintf(msg, sizeof(msg), "title order [%s]", order);
    check_failed(__FILE__, __LINE__, msg);
  }
  names_free(&got);
  fdx_search_result_free(res);
  fdx_txn_abort(txn);
  fdx_store_free(titles);
}

/* ------------------------------------------------------------------------
 * 9: the upgrade of a schema-3 store
 * --------------------------------------------------------------------- */

/* Make the store in `dir` a schema-3 store: no search tables, version 3
 * (the change feed and auxiliary tables stay: version 3 had them). */
static void
make_v3(const char* const dir)
{
  static const char* const search_tables[] = {
    "search_terms", "search_postings", "search_docs", "search_forward",
    "search_keys", "search_tids"};
  int present = 0;
  for (size_t i = 0; i < sizeof(search_tables) / sizeof(search_tables[0]);
       ++i) {
    bool has = false;
    store_layout(dir, search_tables[i], &has);
    present += has;
  }
  REQUIRE(present >= 5);
  store_set_layout(dir, 3, search_tables,
                   sizeof(search_tables) / sizeof(search_tables[0]));
}

static uint64_t
schema_version(const char* const dir)
{
  return store_layout(dir, "meta", NULL);
}

static void
count_found(void* const ctx, const FdxId g, const FdxId s)
{
  (void)g;
  (void)s;
  ++*(int*)ctx;
}

static void
no_suggestion(void* const ctx, const FdxSuggestion* const s)
{
  (void)s;
  ++*(int*)ctx;
}

#define N_UPGRADE 25

static void
test_upgrade(void)
{
  char dir[4200];
  store_dir("v3", dir, sizeof(dir));
  FdxStore* store = open_store("v3", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn*   txn   = begin(store, FDX_TXN_WRITE);
  char      s[128];
  for (unsigned i = 0; i < N_UPGRADE; ++i) {
    numbered(s, sizeof(s), DS "u", i);
    put_dataset(txn, G1, s, i % 5 ? "Water levels" : "Forest fires", NULL);
    put_iri(txn, G1, s, DCAT "theme", THEME1);
  }
  /* Not a document. */
  put_lit(txn, G1, DS "other", DCT "title", "Water", NULL);
  commit(txn);
  fdx_store_free(store);
  make_v3(dir);
  CHECK(schema_version(dir) == 3);

  /* Read-only: no index, and the store stays at version 3. */
  store = open_store("v3", FDX_STORE_READ_ONLY, 0, 0);
  txn   = begin(store, 0);
  FdxSearchQuery   q   = query_of("water");
  FdxSearchResult* res = NULL;
  FdxError         err;
  CHECK_ST(run_search(txn, &q, &res, &err), FDX_ERR_UNSUPPORTED);
  CHECK(res == NULL);
  CHECK(err.message[0] != '\0');
  int n = 0;
  CHECK_ST(fdx_search_find(txn, DS "u1", false, count_found, &n),
           FDX_ERR_UNSUPPORTED);
  CHECK_ST(fdx_search_suggest(srch, txn, "wat", 5, NULL, no_suggestion, &n),
           FDX_ERR_UNSUPPORTED);
  CHECK(n == 0);
  fdx_txn_abort(txn);
  fdx_store_free(store);
  CHECK(schema_version(dir) == 3);

  /* For writing: upgraded and indexed at open. */
  store = open_store("v3", FDX_STORE_NO_SYNC, 0, 0);
  CHECK(schema_version(dir) == FDX_STORE_SCHEMA_VERSION);
  txn = begin(store, 0);
  FdxSearchStats stats;
  CHECK_ST(fdx_search_stats(txn, &stats), FDX_SUCCESS);
  CHECK(stats.documents == N_UPGRADE);
  CHECK(search_total(txn, "water") == N_UPGRADE - N_UPGRADE / 5);
  CHECK(search_total(txn, "forest") == N_UPGRADE / 5);
  CHECK(search_total(txn, "") == N_UPGRADE);
  EXPECT_F(txn, "fires", FDX_FACET_THEME, THEME1, "u0 u5 u10 u15 u20");
  n = 0;
  CHECK_ST(fdx_search_find(txn, DS "u1", false, count_found, &n),
           FDX_SUCCESS);
  CHECK(n == 1);
  fdx_txn_abort(txn);
  /* And is kept from now on. */
  txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "new", "Forest roads", NULL);
  commit(txn);
  txn = begin(store, 0);
  CHECK(search_total(txn, "forest") == N_UPGRADE / 5 + 1);
  fdx_txn_abort(txn);
  fdx_store_free(store);

  /* Read-only again: the index is there now. */
  store = open_store("v3", FDX_STORE_READ_ONLY, 0, 0);
  txn   = begin(store, 0);
  CHECK(search_total(txn, "forest") == N_UPGRADE / 5 + 1);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * 10: find, suggest, snippets
 * --------------------------------------------------------------------- */

typedef struct {
  FdxId  graphs[8];
  FdxId  subjects[8];
  size_t n;
} Found;

static void
on_found(void* const ctx, const FdxId g, const FdxId s)
{
  Found* const f = (Found*)ctx;
  if (f->n < 8) {
    f->graphs[f->n]   = g;
    f->subjects[f->n] = s;
  }
  ++f->n;
}

typedef struct {
  FdxSuggestType type[32];
  char           text[32][128];
  FdxId          id[32];
  size_t         n;
} Suggested;

static void
on_suggestion(void* const ctx, const FdxSuggestion* const s)
{
  Suggested* const out = (Suggested*)ctx;
  if (out->n < 32) {
    out->type[out->n] = s->type;
    snprintf(out->text[out->n], sizeof(out->text[0]), "%.*s",
             (int)s->text_len, s->text);
    out->id[out->n] = s->id;
  }
  ++out->n;
}

static bool
suggested(const Suggested* const s, const FdxSuggestType type,
          const char* const text)
{
  for (size_t i = 0; i < s->n && i < 32; ++i) {
    if (s->type[i] == type && !strcmp(s->text[i], text)) {
      return true;
    }
  }
  return false;
}

/* Does one (type, text, id) come twice? */
static bool
repeated(const Suggested* const s)
{
  for (size_t i = 0; i < s->n && i < 32; ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (s->type[i] == s->type[j] && s->id[i] == s->id[j] &&
          !strcmp(s->text[i], s->text[j])) {
        return true;
      }
    }
  }
  return false;
}

static void
test_find_suggest_snippet(void)
{
  FdxStore* const store =
    open_store("find", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "a", "Polar research stations", "en");
  put_lit(txn, G1, DS "a", DCAT "keyword", "Pollution", NULL);
  put_lit(txn, G1, DS "a", DCAT "keyword", "Ice", NULL);
  put_iri(txn, G1, DS "a", DCAT "theme", EX "theme/policy");
  put_lit(txn, G1, DS "a", DCT "description",
          "Measurements of <b>ice</b> & snow at quality stations", "en");
  put_dataset(txn, G2, DS "a", "Polar research stations", "en");
  put_dataset(txn, G1, DS "b", "Population counts", "en");
  put_lit(txn, G1, DS "b", DCAT "keyword", "population", NULL);
  put_lit(txn, G1, DS "b", DCAT "keyword", "Pollution", NULL);
  put_lit(txn, GC, EX "theme/policy", SKOS "prefLabel", "Policy", "en");
  put_lit(txn, GC, EX "theme/policy", SKOS "prefLabel", "Politik", "de");
  commit(txn);
  txn = begin(store, 0);
  const FdxTerm ta = fdx_term_iri(DS "a");
  const FdxTerm tg1 = fdx_term_iri(G1), tg2 = fdx_term_iri(G2);
  FdxId         a_id = 0, g1 = 0, g2 = 0;
  CHECK_ST(fdx_term_id(txn, &ta, &a_id), FDX_SUCCESS);
  CHECK_ST(fdx_term_id(txn, &tg1, &g1), FDX_SUCCESS);
  CHECK_ST(fdx_term_id(txn, &tg2, &g2), FDX_SUCCESS);

  /* By IRI: both graphs. */
  Found f = {{0}, {0}, 0};
  CHECK_ST(fdx_search_find(txn, DS "a", false, on_found, &f), FDX_SUCCESS);
  CHECK(f.n == 2);
  CHECK(f.subjects[0] == a_id && f.subjects[1] == a_id);
  CHECK((f.graphs[0] == g1 && f.graphs[1] == g2) ||
        (f.graphs[0] == g2 && f.graphs[1] == g1));
  /* By short id. */
  char id[18];
  fdx_search_hash_id(DS "a", strlen(DS "a"), id);
  CHECK(id[0] == 'x' && strlen(id) == 17);
  memset(&f, 0, sizeof(f));
  CHECK_ST(fdx_search_find(txn, id, true, on_found, &f), FDX_SUCCESS);
  CHECK(f.n == 2);
  CHECK(f.subjects[0] == a_id);
  /* Unknown, not a document, malformed. */
  memset(&f, 0, sizeof(f));
  CHECK_ST(fdx_search_find(txn, DS "nope", false, on_found, &f), FDX_FAILURE);
  CHECK_ST(fdx_search_find(txn, EX "theme/policy", false, on_found, &f),
           FDX_FAILURE);
  fdx_search_hash_id(DS "nope", strlen(DS "nope"), id);
  CHECK_ST(fdx_search_find(txn, id, true, on_found, &f), FDX_FAILURE);
  CHECK_ST(fdx_search_find(txn, "xZZ", true, on_found, &f), FDX_FAILURE);
  CHECK_ST(fdx_search_find(txn, "not-a-hash-at-all", true, on_found, &f),
           FDX_FAILURE);
  CHECK(f.n == 0);
  CHECK_ST(fdx_search_find(txn, NULL, false, on_found, &f), FDX_ERR_BAD_ARG);

  /* Suggestions: keywords (most used first), concepts, titles. */
  Suggested sg;
  memset(&sg, 0, sizeof(sg));
  CHECK_ST(fdx_search_suggest(srch, txn, "pol", 10, "en", on_suggestion, &sg),
           FDX_SUCCESS);
  CHECK(sg.n >= 3);
  CHECK(sg.type[0] == FDX_SUGGEST_KEYWORD && !strcmp(sg.text[0], "Pollution"));
  CHECK(sg.type[1] == FDX_SUGGEST_CONCEPT && !strcmp(sg.text[1], "Policy"));
  CHECK(sg.type[2] == FDX_SUGGEST_TITLE &&
        !strcmp(sg.text[2], "Polar research stations"));
  CHECK(sg.id[0] == 0);
  CHECK(sg.id[2] == a_id);
  /* a is in two graphs with the same title: one suggestion is enough (the
   * same type, text and id twice tells the user nothing). */
  CHECK(sg.n == 3);
  CHECK(!repeated(&sg));
  memset(&sg, 0, sizeof(sg));
  CHECK_ST(fdx_search_suggest(srch, txn, "Pol", 10, "de", on_suggestion, &sg),
           FDX_SUCCESS);
  CHECK(suggested(&sg, FDX_SUGGEST_CONCEPT, "Politik"));
  memset(&sg, 0, sizeof(sg));
  CHECK_ST(fdx_search_suggest(srch, txn, "pop", 10, "en", on_suggestion, &sg),
           FDX_SUCCESS);
  CHECK(suggested(&sg, FDX_SUGGEST_KEYWORD, "population"));
  CHECK(suggested(&sg, FDX_SUGGEST_TITLE, "Population counts"));
  memset(&sg, 0, sizeof(sg));
  CHECK_ST(fdx_search_suggest(srch, txn, "pol", 1, "en", on_suggestion, &sg),
           FDX_SUCCESS);
  CHECK(sg.n == 1);
  memset(&sg, 0, sizeof(sg));
  CHECK_ST(fdx_search_suggest(srch, txn, "qqq", 10, "en", on_suggestion, &sg),
           FDX_SUCCESS);
  CHECK(sg.n == 0);
  CHECK_ST(fdx_search_suggest(srch, txn, "", 10, "en", on_suggestion, &sg),
           FDX_ERR_BAD_ARG);

  /* Labels: the language asked for, else English, else any; within a
   * language skos:prefLabel before foaf:name. */
  {
    const FdxTerm tp  = fdx_term_iri(EX "theme/policy");
    FdxId         pid = 0;
    CHECK_ST(fdx_term_id(txn, &tp, &pid), FDX_SUCCESS);
    FdxTermBuf lb;
    CHECK_ST(fdx_search_label(txn, pid, "de", &lb), FDX_SUCCESS);
    CHECK(bytes_eq(lb.term.value, lb.term.value_len, "Politik", 7));
    CHECK_ST(fdx_search_label(txn, pid, "de-AT", &lb), FDX_SUCCESS);
    CHECK(bytes_eq(lb.term.value, lb.term.value_len, "Politik", 7));
    CHECK_ST(fdx_search_label(txn, pid, "fr", &lb), FDX_SUCCESS);
    CHECK(bytes_eq(lb.term.value, lb.term.value_len, "Policy", 6));
    CHECK_ST(fdx_search_label(txn, pid, NULL, &lb), FDX_SUCCESS);
    CHECK(bytes_eq(lb.term.value, lb.term.value_len, "Policy", 6));
    CHECK_ST(fdx_search_label(txn, a_id, "en", &lb), FDX_SUCCESS);
    CHECK(bytes_eq(lb.term.value, lb.term.value_len,
                   "Polar research stations", 23));
    const FdxTerm tn  = fdx_term_iri(EX "nowhere");
    FdxId         nid = 0;
    CHECK_ST(fdx_term_id(txn, &tn, &nid), FDX_FAILURE);
    CHECK_ST(fdx_search_label(txn, g1, "en", &lb), FDX_FAILURE);
  }

  /* Snippets: the word marked, the text escaped. */
  FdxSearchQuery   q   = query_of("quality");
  FdxSearchResult* res = NULL;
  FdxError         err;
  CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
  const char* const text =
    "Measurements of <b>ice</b> & snow at quality stations";
  char* snip = fdx_search_snippet(srch, res, text, strlen(text), "en", 200);
  CHECK(snip && !strcmp(snip,
                        "Measurements of &lt;b&gt;ice&lt;/b&gt; &amp; snow at "
                        "<mark>quality</mark> stations"));
  free(snip);
  const char* const text2 = "Water <b>& quality</b> \"report\"";
  snip = fdx_search_snippet(srch, res, text2, strlen(text2), NULL, 200);
  CHECK(snip && !strcmp(snip, "Water &lt;b&gt;&amp; <mark>quality</mark>"
                              "&lt;/b&gt; &quot;report&quot;"));
  free(snip);
  /* Cut around the match, with ellipses. */
  char long_text[2000];
  size_t len = 0;
  for (int i = 0; i < 60; ++i) {
    len += (size_t)snprintf(long_text + len, sizeof(long_text) - len,
                            "filler%d ", i);
  }
  len += (size_t)snprintf(long_text + len, sizeof(long_text) - len,
                          "qualities matter ");
  for (int i = 0; i < 60; ++i) {
    len += (size_t)snprintf(long_text + len, sizeof(long_text) - len,
                            "tail%d ", i);
  }
  snip = fdx_search_snippet(srch, res, long_text, len, "en", 120);
  CHECK(snip && strstr(snip, "<mark>qualities</mark>"));
  CHECK(snip && !strncmp(snip, "\xe2\x80\xa6", 3));
  CHECK(snip && strlen(snip) >= 3 &&
        !strcmp(snip + strlen(snip) - 3, "\xe2\x80\xa6"));
  CHECK(snip && strlen(snip) < 120 + 40);
  free(snip);
  /* No match: the start of the text, escaped. */
  snip = fdx_search_snippet(srch, res, "a < b", 5, NULL, 200);
  CHECK(snip && !strcmp(snip, "a &lt; b"));
  free(snip);
  fdx_search_result_free(res);
  /* A phrase's words are marked; an excluded word is not. */
  q = query_of("\"research stations\" -ice polar");
  CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
  CHECK(res && fdx_search_result_total(res) == 1);
  const char* const t3 = "Polar research stations without ice";
  snip = fdx_search_snippet(srch, res, t3, strlen(t3), "en", 200);
  CHECK(snip && !strcmp(snip, "<mark>Polar</mark> <mark>research</mark> "
                              "<mark>stations</mark> without ice"));
  free(snip);
  fdx_search_result_free(res);
  fdx_txn_abort(txn);

  /* A concept no document uses any more is no suggestion (search.h:
   * "concept labels (of the concepts documents use ...)"). */
  txn = begin(store, FDX_TXN_WRITE);
  del(txn, G1, DS "a", DCAT "theme", iri(txn, EX "theme/policy"));
  commit(txn);
  txn = begin(store, 0);
  memset(&sg, 0, sizeof(sg));
  CHECK_ST(fdx_search_suggest(srch, txn, "pol", 10, "en", on_suggestion, &sg),
           FDX_SUCCESS);
  CHECK(!suggested(&sg, FDX_SUGGEST_CONCEPT, "Policy"));
  CHECK(suggested(&sg, FDX_SUGGEST_KEYWORD, "Pollution"));
  fdx_txn_abort(txn);

  /* Deleted documents: not found by IRI or short id, no title
   * suggestion. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_graph_clear(txn, graph(txn, G1), NULL), FDX_SUCCESS);
  commit(txn);
  txn = begin(store, 0);
  memset(&f, 0, sizeof(f));
  CHECK_ST(fdx_search_find(txn, DS "a", false, on_found, &f), FDX_SUCCESS);
  CHECK(f.n == 1 && f.graphs[0] == g2);
  CHECK_ST(fdx_search_find(txn, DS "b", false, on_found, &f), FDX_FAILURE);
  fdx_search_hash_id(DS "b", strlen(DS "b"), id);
  CHECK_ST(fdx_search_find(txn, id, true, on_found, &f), FDX_FAILURE);
  memset(&sg, 0, sizeof(sg));
  CHECK_ST(fdx_search_suggest(srch, txn, "pop", 10, "en", on_suggestion, &sg),
           FDX_SUCCESS);
  CHECK(sg.n == 0);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* Is s[0..n) valid UTF-8? */
static bool
valid_utf8(const unsigned char* const s, const size_t n)
{
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    size_t              k;
    if (c < 0x80) {
      k = 0;
    } else if (c >= 0xc2 && c < 0xe0) {
      k = 1;
    } else if (c >= 0xe0 && c < 0xf0) {
      k = 2;
    } else if (c >= 0xf0 && c < 0xf5) {
      k = 3;
    } else {
      return false;
    }
    if (i + k >= n) {
      return false;
    }
    for (size_t j = 1; j <= k; ++j) {
      if ((s[i + j] & 0xc0) != 0x80) {
        return false;
      }
    }
    i += k + 1;
  }
  return true;
}

/* Snippets of random texts: valid UTF-8, only <mark> tags, only the five
 * entities, and, unescaped and unmarked, a piece of the text. */
static void
test_snippet_random(void)
{
  static const char* const words[] = {
    "quality", "Qualität", "größe", "Ärzte", "<b>", "&", "\"x\"", "'",
    "日本語", "data", "qualities", "—", "a", "x<y", "é"};
  FdxStore* const store =
    open_store("snippets", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "q", "quality data", NULL);
  commit(txn);
  txn                  = begin(store, 0);
  FdxSearchQuery   q   = query_of("quality data");
  FdxSearchResult* res = NULL;
  FdxError         err;
  CHECK_ST(run_search(txn, &q, &res, &err), FDX_SUCCESS);
  REQUIRE(res);
  int bad = 0;
  for (int round = 0; round < 400 && bad < 5; ++round) {
    char   text[2048];
    size_t len = 0;
    /* A third of them start with the word: it must be marked. */
    const bool lead = round % 3 == 0;
    if (lead) {
      len = (size_t)snprintf(text, sizeof(text), "quality ");
    }
    for (int w = (int)rng_below(80); w >= 0; --w) {
      len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
                              words[rng_below(sizeof(words) / sizeof(words[0]))],
                              rng_below(4) ? " " : "");
    }
    const size_t max_bytes = 8 + (size_t)rng_below(150);
    char* const  snip =
      fdx_search_snippet(srch, res, text, len, round % 2 ? "de" : NULL,
                         max_bytes);
    if (!snip) {
      check_failed(__FILE__, __LINE__, "snippet is NULL");
      ++bad;
      continue;
    }
    /* Unmark and unescape. */
    char        plain[4096];
    size_t      pl = 0;
    bool        ok = valid_utf8((const unsigned char*)snip, strlen(snip));
    const char* p  = snip;
    if (!strncmp(p, "\xe2\x80\xa6", 3)) {
      p += 3;
    }
    size_t end = strlen(p);
    if (end >= 3 && !strcmp(p + end - 3, "\xe2\x80\xa6")) {
      end -= 3;
    }
    static const char* const ent[5][2] = {{"&amp;", "&"},
                                          {"&lt;", "<"},
                                          {"&gt;", ">"},
                                          {"&quot;", "\""},
                                          {"&#39;", "'"}};
    for (size_t i = 0; i < end && ok;) {
      if (!strncmp(p + i, "<mark>", 6)) {
        i += 6;
        continue;
      }
      if (!strncmp(p + i, "</mark>", 7)) {
        i += 7;
        continue;
      }
      if (p[i] == '<' || p[i] == '>' || p[i] == '"' || p[i] == '\'') {
        ok = false;
        break;
      }
      if (p[i] == '&') {
        bool known = false;
        for (int e = 0; e < 5 && !known; ++e) {
          const size_t el = strlen(ent[e][0]);
          if (!strncmp(p + i, ent[e][0], el)) {
            plain[pl++] = ent[e][1][0];
            i += el;
            known = true;
          }
        }
        ok = known;
        continue;
      }
      plain[pl++] = p[i++];
    }
    plain[pl] = '\0';
    if (ok && pl && !strstr(text, plain)) {
      ok = false;
    }
    if (ok && lead && max_bytes > 16 &&
        strncmp(snip, "<mark>quality</mark>", 20)) {
      ok = false;
    }
    if (!ok) {
      char msg[6000];
      snprintf(msg, sizeof(msg), "snippet of [%s] in %zu bytes: [%s]", text,
               max_bytes, snip);
      check_failed(__FILE__, __LINE__, msg);
      ++bad;
    }
    free(snip);
  }
  fdx_search_result_free(res);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * Dates: the year facet
 * --------------------------------------------------------------------- */

static void
test_year_facet(void)
{
  FdxStore* const store =
    open_store("years", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put_dataset(txn, G1, DS "y1", "One", NULL);
  put_date(txn, G1, DS "y1", DCT "modified", "2019-06-01");
  put_date(txn, G1, DS "y1", DCT "issued", "2001-01-01");
  put_dataset(txn, G1, DS "y2", "Two", NULL);
  put_date(txn, G1, DS "y2", DCT "issued", "2018-02-03");
  put_dataset(txn, G1, DS "y3", "Three", NULL);
  put_lit(txn, G1, DS "y3", DCT "modified", "2017", NULL);
  put_dataset(txn, G1, DS "y4", "Four", NULL);
  /* The year of a date written with a time zone is the year written:
   * 1 January 2020 in UTC+05:00 is in 2020 (fn:year-from-date). */
  put_dataset(txn, G1, DS "y5", "Five", NULL);
  put_date(txn, G1, DS "y5", DCT "modified", "2020-01-01T01:00:00+05:00");
  /* An unreadable dct:modified: dct:issued gives the year. */
  put_dataset(txn, G1, DS "y6", "Six", NULL);
  put_lit(txn, G1, DS "y6", DCT "modified", "unknown", NULL);
  put_date(txn, G1, DS "y6", DCT "issued", "2016-05-05");
  commit(txn);
  txn = begin(store, 0);
  EXPECT_F(txn, "", FDX_FACET_YEAR, "2019", "y1");
  EXPECT_F(txn, "", FDX_FACET_YEAR, "2001", "");
  EXPECT_F(txn, "", FDX_FACET_YEAR, "2018", "y2");
  EXPECT_F(txn, "", FDX_FACET_YEAR, "2017", "y3");
  EXPECT_F(txn, "", FDX_FACET_YEAR, "2016", "y6");
  EXPECT_F(txn, "", FDX_FACET_YEAR, "2020", "y5");
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

int
main(void)
{
  test_start("test_search");
  make_tmp_root("search");
  srch = fdx_search_new();
  REQUIRE(srch);
  test_sparql_oracle();
  test_write_paths();
  test_delete();
  test_columns_follow_commits();
  test_columns_threads();
  test_cancel();
  test_reindex_links("links");
  test_reindex_shared_copies("shared");
  /* The same writes through the bulk loader: it tells whether a new
   * quad's triple was held by another graph as fdx_quad_add() does. */
  via_loader = true;
  test_reindex_links("links-loader");
  test_reindex_shared_copies("shared-loader");
  via_loader = false;
  test_syntax();
  test_sort_and_dates();
  test_year_facet();
  test_find_suggest_snippet();
  test_snippet_random();
  test_upgrade();
  test_facets();
  test_differential();
  fdx_search_free(srch);
  /* Most searches ran in the newest snapshot, so both ways. */
  printf("test_search: %u of %u searches compared with the in-memory "
         "columns\n",
         n_column_checks, n_both_ways);
  CHECK(n_column_checks >= 100);
  /* Of the searches that succeeded and did not sort by title (the copy
   * has no title sort keys); the others ran in an older snapshot. */
  CHECK(n_column_checks * 10 >= n_both_ways * 8);
  return test_finish("test_search");
}
