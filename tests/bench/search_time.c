/*
 * search_time.c: `search-time STORE FTS.sqlite QUERIES [--runs R]`, the
 * in-process keyword search comparison of tests/bench/search.sh: fairdex's
 * search (fairdex/search.h) against SQLite FTS5 over the same titles and
 * descriptions, top 20 by relevance, no process start-up, no HTTP.
 *
 * QUERIES has one keyword query per line (blank lines and lines starting
 * with '#' are skipped).  Each query runs on
 *   fairdex  fdx_search_run() with q = the line, limit 20, facet_limit 0,
 *            sort by relevance, in a fresh read transaction (begun and
 *            ended inside the timed span, as SQLite's statement takes and
 *            drops its read lock inside its own);
 *   sqlite   SELECT rowid FROM docs WHERE docs MATCH ?1
 *              ORDER BY bm25(docs, 5.0, 1.0) LIMIT 20
 *            (title weighted 5, description 1, as fairdex weights those
 *            fields) on the FTS5 table docs(title, description, iri
 *            UNINDEXED) that search.sh built; the statement is prepared
 *            once per query and reset and bound for each run (the cheapest
 *            way to use SQLite), every row stepped.  The line becomes an
 *            FTS5 expression of its words, each quoted ("word"), which FTS5
 *            ANDs like fairdex does;
 *   facets   (informational) fairdex again with facet_limit 20, as GET
 *            /api/datasets asks for: the cost of the seven facets.
 * One untimed run of each first (it also gives the counts: hits returned
 * and total matches, the latter from a separate SELECT count(*) for
 * SQLite), then R timed runs (default 20) alternating which engine goes
 * first.  One line per query: counts, the median microseconds of each and
 * the ratio fairdex/sqlite; then the geometric mean of the ratios over the
 * queries on which both engines found something:
 *   keyword top-20: fairdex/sqlite geomean X.XX (fairdex faster when < 1)
 * The exit status is 1 when a query fails on either engine.
 */
#include "fairdex/search.h"
#include "fairdex/store.h"

#include <sqlite3.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 201
#define MAX_LINE 1100
#define TOP 20
#define FACETS 20

static const char top_sql[] = "SELECT rowid FROM docs WHERE docs MATCH ?1 "
                              "ORDER BY bm25(docs, 5.0, 1.0) LIMIT 20";
static const char count_sql[] =
  "SELECT count(*) FROM docs WHERE docs MATCH ?1";

static double
now_us(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int
cmp_double(const void* const a, const void* const b)
{
  const double x = *(const double*)a;
  const double y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double
median(double* const t, const int n)
{
  qsort(t, (size_t)n, sizeof(double), cmp_double);
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* The FTS5 expression of `q`: each whitespace-separated word quoted, with
 * its own quotes doubled.  False when it does not fit. */
static bool
fts_expression(const char* const q, char* const out, const size_t cap)
{
  size_t      o = 0;
  const char* p = q;
  while (*p) {
    while (*p == ' ' || *p == '\t') {
      ++p;
    }
    if (!*p) {
      break;
    }
    if (o + 3 >= cap) {
      return false;
    }
    if (o) {
      out[o++] = ' ';
    }
    out[o++] = '"';
    for (; *p && *p != ' ' && *p != '\t'; ++p) {
      if (o + 3 >= cap) {
        return false;
      }
      if (*p == '"') {
        out[o++] = '"';
      }
      out[o++] = *p;
    }
    out[o++] = '"';
  }
  out[o] = '\0';
  return o > 0;
}

typedef struct {
  FdxStore*  store;
  FdxSearch* search;
  FdxError   err;
} Fdx;

/* One fairdex search: hits returned (or -1 on error), total in *total. */
static long
fdx_once(Fdx* const f, const char* const q, const size_t facet_limit,
         unsigned long long* const total)
{
  FdxTxn* txn = NULL;
  if (fdx_txn_begin(f->store, 0, &txn)) {
    snprintf(f->err.message, sizeof(f->err.message), "cannot begin a read");
    return -1;
  }
  FdxSearchQuery sq;
  memset(&sq, 0, sizeof(sq));
  sq.q           = q;
  sq.limit       = TOP;
  sq.facet_limit = facet_limit;
  sq.sort        = FDX_SEARCH_SORT_RELEVANCE;
  FdxSearchResult* res = NULL;
  long             n   = -1;
  if (!fdx_search_run(f->search, txn, &sq, &res, &f->err)) {
    n = (long)fdx_search_result_count(res);
    if (total) {
      *total = (unsigned long long)fdx_search_result_total(res);
    }
  } else if (!f->err.message[0]) {
    snprintf(f->err.message, sizeof(f->err.message), "search failed");
  }
  fdx_search_result_free(res);
  fdx_txn_abort(txn);
  return n;
}

/* One run of a prepared statement with `expr` bound: rows (or -1). */
static long
sql_once(sqlite3_stmt* const st, const char* const expr, long* const first)
{
  sqlite3_reset(st);
  if (sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC) != SQLITE_OK) {
    return -1;
  }
  long rows = 0;
  int  rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (!rows && first) {
      *first = (long)sqlite3_column_int64(st, 0);
    }
    ++rows;
  }
  return rc == SQLITE_DONE ? rows : -1;
}

/* `q` left-aligned in `width` columns (UTF-8: one column per character). */
static void
print_query(const char* const q, const int width)
{
  int cols = 0;
  for (const char* p = q; *p; ++p) {
    cols += ((unsigned char)*p & 0xC0) != 0x80;
  }
  printf("%s%*s", q, cols < width ? width - cols : 0, "");
}

static void
usage(const char* const prog)
{
  fprintf(stderr, "usage: %s STORE FTS.sqlite QUERIES [--runs R (1-%d)]\n",
          prog, MAX_RUNS);
  exit(2);
}

int
main(int argc, char** argv)
{
  int runs = 20;
  if (argc == 6 && !strcmp(argv[4], "--runs")) {
    runs = atoi(argv[5]);
  } else if (argc != 4) {
    usage(argv[0]);
  }
  if (runs < 1 || runs > MAX_RUNS) {
    usage(argv[0]);
  }
  Fdx f;
  memset(&f, 0, sizeof(f));
  if (fdx_store_new(&f.store) ||
      fdx_store_open(f.store, argv[1], FDX_STORE_READ_ONLY, &f.err)) {
    fprintf(stderr, "search-time: %s: %s\n", argv[1], f.err.message);
    return 1;
  }
  if (!(f.search = fdx_search_new())) {
    fprintf(stderr, "search-time: out of memory\n");
    return 1;
  }
  sqlite3* db = NULL;
  if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fprintf(stderr, "search-time: %s: %s\n", argv[2],
            db ? sqlite3_errmsg(db) : "cannot open");
    return 1;
  }
  /* The database mapped and cached whole, as LMDB maps fairdex's store:
   * no read() per page for SQLite either. */
  sqlite3_exec(db, "PRAGMA mmap_size = 68719476736; PRAGMA cache_size = "
                   "-1048576; PRAGMA temp_store = MEMORY;",
               NULL, NULL, NULL);
  sqlite3_stmt* top = NULL;
  sqlite3_stmt* cnt = NULL;
  if (sqlite3_prepare_v2(db, top_sql, -1, &top, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, count_sql, -1, &cnt, NULL) != SQLITE_OK) {
    fprintf(stderr, "search-time: %s: %s\n", argv[2], sqlite3_errmsg(db));
    return 1;
  }
  FILE* const in = fopen(argv[3], "r");
  if (!in) {
    fprintf(stderr, "search-time: cannot read %s\n", argv[3]);
    return 1;
  }
  printf("SQLite %s (FTS5), %d timed runs per query and engine; times are "
         "medians in microseconds\n",
         sqlite3_libversion(), runs);
  printf("%-36s %6s %9s %6s %9s %10s %10s %7s %10s\n", "query", "fdx", "fdx",
         "sql", "sql", "fairdex", "sqlite", "fdx/sql", "+facets");
  printf("%-36s %6s %9s %6s %9s %10s %10s %7s %10s\n", "", "top", "total",
         "top", "total", "us", "us", "", "us");
  char   line[MAX_LINE];
  char   expr[2 * MAX_LINE + 8];
  double tf[MAX_RUNS], ts[MAX_RUNS], tx[MAX_RUNS];
  double log_sum = 0, log_sum_facets = 0;
  int    n_ratio = 0, n_queries = 0, n_empty = 0, bad = 0;
  while (fgets(line, sizeof(line), in)) {
    line[strcspn(line, "\r\n")] = '\0';
    const char* q = line;
    while (*q == ' ' || *q == '\t') {
      ++q;
    }
    if (!*q || *q == '#') {
      continue;
    }
    if (!fts_expression(q, expr, sizeof(expr))) {
      fprintf(stderr, "search-time: cannot quote '%s' for FTS5\n", q);
      ++bad;
      continue;
    }
    ++n_queries;
    /* The untimed run, with the counts. */
    unsigned long long fdx_total = 0;
    memset(&f.err, 0, sizeof(f.err));
    const long fdx_top = fdx_once(&f, q, 0, &fdx_total);
    const long sql_top = sql_once(top, expr, NULL);
    long       sql_total = -1;
    if (sql_once(cnt, expr, &sql_total) != 1) {
      sql_total = -1;
    }
    if (fdx_top < 0 || sql_top < 0 || sql_total < 0) {
      print_query(q, 36);
      printf(" FAILED: %s\n",
             fdx_top < 0 ? f.err.message : sqlite3_errmsg(db));
      ++bad;
      continue;
    }
    fdx_once(&f, q, FACETS, NULL);
    bool failed = false;
    for (int r = 0; r < runs && !failed; ++r) {
      for (int k = 0; k < 2; ++k) {
        double t0;
        if ((k == 0) == (r % 2 == 0)) {
          t0 = now_us();
          failed |= fdx_once(&f, q, 0, NULL) < 0;
          tf[r] = now_us() - t0;
        } else {
          t0 = now_us();
          failed |= sql_once(top, expr, NULL) < 0;
          ts[r] = now_us() - t0;
        }
      }
      const double t0 = now_us();
      failed |= fdx_once(&f, q, FACETS, NULL) < 0;
      tx[r] = now_us() - t0;
    }
    if (failed) {
      print_query(q, 36);
      printf(" FAILED in a timed run\n");
      ++bad;
      continue;
    }
    const double mf    = median(tf, runs);
    const double ms    = median(ts, runs);
    const double mx    = median(tx, runs);
    const double ratio = mf / (ms > 0.01 ? ms : 0.01);
    const bool   empty = fdx_top == 0 || sql_top == 0;
    print_query(q, 36);
    printf(" %6ld %9llu %6ld %9ld %10.1f %10.1f %7.2f %10.1f%s\n", fdx_top, fdx_total, sql_top, sql_total, mf, ms, ratio, mx,
           empty ? "  NO RESULTS on one side (left out of the mean)"
                 : (ratio >= 3 ? "  <- fairdex slower" : ""));
    if (empty) {
      ++n_empty;
    } else {
      log_sum += log(ratio);
      log_sum_facets += log(mx / (ms > 0.01 ? ms : 0.01));
      ++n_ratio;
    }
    fflush(stdout);
  }
  fclose(in);
  if (n_ratio) {
    printf("keyword top-20: fairdex/sqlite geomean %.2f (fairdex faster when "
           "< 1)\n",
           exp(log_sum / n_ratio));
    printf("  over %d of %d queries (%d with no results on one side left "
           "out); with all 7 facets (facet_limit %d) fairdex/sqlite geomean "
           "%.2f\n",
           n_ratio, n_queries, n_empty, FACETS,
           exp(log_sum_facets / n_ratio));
  } else {
    printf("keyword top-20: fairdex/sqlite geomean - (no query found "
           "results on both engines)\n");
  }
  sqlite3_finalize(top);
  sqlite3_finalize(cnt);
  sqlite3_close(db);
  fdx_search_free(f.search);
  fdx_store_free(f.store);
  return bad ? 1 : 0;
}
