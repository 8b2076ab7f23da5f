/*
 * query_time.c: `query-time DIR [--runs N] [--tsv] [--each] QUERY.rq...`,
 * in-process query latency for the query benchmark.
 *
 * `fairdex query` pays 20-50 ms of process start-up (the dynamic loader
 * maps the 46 libraries raptor2 pulls in) before it opens the store, and a
 * fresh process faults in every page of the store it reads, which swamps
 * selective queries.  This program opens the store once and, for each
 * query file, prepares it once and runs it N times (default 7), each in a
 * fresh read transaction.  Without --tsv it counts results without
 * formatting them; with --tsv it writes SELECT results with the TSV
 * results writer (into a sink that only counts the bytes), as an engine
 * timed around its own query call with serialisation is (Oxigraph in the
 * query benchmark).  It prints one aligned line per query: rows, median
 * and fastest time in milliseconds; with --each, one untimed run first
 * and then a line per timed run instead, tab-separated: query file name,
 * run number (0 for the untimed one: "warm"), rows, milliseconds, "ok" or
 * "error" and a message.  A query that fails prints its error and the
 * run goes on.
 */
#include "fairdex/sparql.h"
#include "fairdex/sparql_results.h"
#include "fairdex/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 101
#define MAX_QUERY_BYTES (1 << 20)

static FdxStatus
count_row(void* const ctx, const FdxTerm* const* values)
{
  (void)values;
  ++*(long*)ctx;
  return FDX_SUCCESS;
}

static FdxStatus
count_boolean(void* const ctx, const bool value)
{
  (void)value;
  ++*(long*)ctx;
  return FDX_SUCCESS;
}

static FdxStatus
count_triple(void* const ctx, const FdxTerm* const s, const FdxTerm* const p,
             const FdxTerm* const o)
{
  (void)s;
  (void)p;
  (void)o;
  ++*(long*)ctx;
  return FDX_SUCCESS;
}

static double
now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
cmp_double(const void* const a, const void* const b)
{
  const double x = *(const double*)a;
  const double y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/* --tsv: rows through the TSV writer into a byte counter. */
typedef struct {
  long              rows;
  size_t            bytes;
  FdxResultsWriter* w;
} TsvSink;

static int
count_bytes(void* const ctx, const char* const bytes, const size_t len)
{
  (void)bytes;
  ((TsvSink*)ctx)->bytes += len;
  return 0;
}

static FdxStatus
tsv_begin(void* const ctx, const char* const* vars, const size_t n_vars)
{
  return fdx_results_begin(((TsvSink*)ctx)->w, vars, n_vars);
}

static FdxStatus
tsv_row(void* const ctx, const FdxTerm* const* values)
{
  TsvSink* const t = (TsvSink*)ctx;
  ++t->rows;
  return fdx_results_row(t->w, values);
}

static FdxStatus
tsv_boolean(void* const ctx, const bool value)
{
  TsvSink* const t = (TsvSink*)ctx;
  ++t->rows;
  return fdx_results_boolean(t->w, value);
}

static FdxStatus
tsv_triple(void* const ctx, const FdxTerm* const s, const FdxTerm* const p,
           const FdxTerm* const o)
{
  (void)s;
  (void)p;
  (void)o;
  ++((TsvSink*)ctx)->rows;
  return FDX_SUCCESS;
}

/* One run of `q` in a fresh read transaction: *ret_ms, *ret_rows. */
static FdxStatus
run_once(FdxStore* const store, const FdxQuery* const q, const bool tsv,
         double* const ret_ms, long* const ret_rows, FdxError* const err)
{
  FdxTxn*   txn = NULL;
  FdxStatus st  = fdx_txn_begin(store, 0, &txn);
  if (st) {
    return st;
  }
  long    rows = 0;
  TsvSink t    = {0, 0, NULL};
  const double t0 = now_ms();
  if (tsv) {
    st = fdx_results_writer_new(FDX_RESULTS_TSV, count_bytes, &t, &t.w);
    if (!st) {
      const FdxQuerySink sink = {&t, tsv_begin, tsv_row, tsv_boolean, tsv_triple};
      st = fdx_query_exec(q, txn, NULL, &sink, err);
      if (!st) {
        st = fdx_results_end(t.w);
      }
      fdx_results_writer_free(t.w);
    }
    rows = t.rows;
  } else {
    const FdxQuerySink sink = {&rows, NULL, count_row, count_boolean, count_triple};
    st = fdx_query_exec(q, txn, NULL, &sink, err);
  }
  *ret_ms   = now_ms() - t0;
  *ret_rows = rows;
  fdx_txn_abort(txn);
  return st;
}

int
main(int argc, char** argv)
{
  int  runs  = 7;
  int  first = 2;
  bool tsv   = false;
  bool each  = false;
  for (;;) {
    if (argc > first + 1 && !strcmp(argv[first], "--runs")) {
      runs = atoi(argv[first + 1]);
      first += 2;
    } else if (argc > first && !strcmp(argv[first], "--tsv")) {
      tsv = true;
      ++first;
    } else if (argc > first && !strcmp(argv[first], "--each")) {
      each = true;
      ++first;
    } else {
      break;
    }
  }
  if (argc <= first || runs < 1 || runs > MAX_RUNS) {
    fprintf(stderr, "usage: %s DIR [--runs N (1-%d)] [--tsv] [--each] QUERY.rq...\n",
            argv[0], MAX_RUNS);
    return 2;
  }
  FdxStore* store = NULL;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  if (fdx_store_new(&store) ||
      fdx_store_open(store, argv[1], FDX_STORE_READ_ONLY, &err)) {
    fprintf(stderr, "query-time: %s: %s\n", argv[1], err.message);
    fdx_store_free(store);
    return 1;
  }
  char* const text = (char*)malloc(MAX_QUERY_BYTES);
  int         bad  = 0;
  for (int a = first; text && a < argc; ++a) {
    FILE* const f = fopen(argv[a], "r");
    if (!f) {
      fprintf(stderr, "query-time: cannot read %s\n", argv[a]);
      ++bad;
      continue;
    }
    const size_t len = fread(text, 1, MAX_QUERY_BYTES, f);
    fclose(f);
    FdxQuery* q = NULL;
    memset(&err, 0, sizeof(err));
    if (fdx_query_prepare(text, len, NULL, &q, &err)) {
      fprintf(stderr, "query-time: %s: line %ld: %s\n", argv[a], err.line,
              err.message);
      ++bad;
      continue;
    }
    const char* const slash = strrchr(argv[a], '/');
    const char* const name  = slash ? slash + 1 : argv[a];
    double    t[MAX_RUNS];
    long      rows = 0;
    FdxStatus st   = FDX_SUCCESS;
    for (int i = each ? -1 : 0; i < runs && !st; ++i) {
      double ms = 0;
      st        = run_once(store, q, tsv, &ms, &rows, &err);
      if (i >= 0) {
        t[i] = ms;
      }
      if (each) {
        printf("%s\t%s%.0d\t%ld\t%.3f\t%s\t%s\n", name, i < 0 ? "warm" : "",
               i < 0 ? 0 : i + 1, st ? -1 : rows, ms, st ? "error" : "ok",
               st ? (err.message[0] ? err.message : fdx_strerror(st)) : "");
        fflush(stdout);
      }
    }
    if (st) {
      fprintf(stderr, "query-time: %s: %s\n", name,
              err.message[0] ? err.message : fdx_strerror(st));
      ++bad;
    } else if (!each) {
      qsort(t, (size_t)runs, sizeof(double), cmp_double);
      printf("%-32s %9ld rows %10.3f ms median %10.3f ms fastest\n", name, rows,
             t[runs / 2], t[0]);
    }
    fdx_query_free(q);
  }
  free(text);
  fdx_store_free(store);
  return bad ? 1 : 0;
}
