/*
 * query_time.c: `query-time DIR [--runs N] QUERY.rq...`, in-process query
 * latency for the query benchmark.
 *
 * `fairdex query` pays 20-50 ms of process start-up (the dynamic loader
 * maps the 46 libraries raptor2 pulls in) before it opens the store, which
 * swamps selective queries.  This program opens the store once and, for
 * each query file, prepares it once and runs it N times (default 7), each
 * in a fresh read transaction, counting results without formatting them.
 * It prints one aligned line per query: rows, median and fastest time in
 * milliseconds.  A query that fails prints its error and the run goes on.
 */
#include "fairdex/sparql.h"
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

int
main(int argc, char** argv)
{
  int runs  = 7;
  int first = 2;
  if (argc > 3 && !strcmp(argv[2], "--runs")) {
    runs  = atoi(argv[3]);
    first = 4;
  }
  if (argc <= first || runs < 1 || runs > MAX_RUNS) {
    fprintf(stderr, "usage: %s DIR [--runs N (1-%d)] QUERY.rq...\n", argv[0],
            MAX_RUNS);
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
    double    t[MAX_RUNS];
    long      rows = 0;
    FdxStatus st   = FDX_SUCCESS;
    for (int i = 0; i < runs && !st; ++i) {
      rows              = 0;
      FdxTxn*            txn  = NULL;
      const FdxQuerySink sink = {&rows, NULL, count_row, count_boolean, count_triple};
      if ((st = fdx_txn_begin(store, 0, &txn))) {
        break;
      }
      const double t0 = now_ms();
      st              = fdx_query_exec(q, txn, NULL, &sink, &err);
      t[i]            = now_ms() - t0;
      fdx_txn_abort(txn);
    }
    const char* const slash = strrchr(argv[a], '/');
    const char* const name  = slash ? slash + 1 : argv[a];
    if (st) {
      fprintf(stderr, "query-time: %s: %s\n", name,
              err.message[0] ? err.message : fdx_strerror(st));
      ++bad;
    } else {
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
