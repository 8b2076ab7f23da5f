/*
 * lookup_bench.c: `lookup-bench DIR [LOOKUPS] [SEED]`, the point-lookup
 * micro benchmark that tests/bench/load.sh runs after a load.
 *
 * It opens the store in DIR read-only and, in one read transaction, scans
 * all quads once (SPOG order) to draw LOOKUPS (default 100000) random
 * (subject, predicate) pairs that exist, uniformly among the distinct pairs
 * (reservoir sampling, own PRNG, deterministic for SEED).  Then, in random
 * order, it times each lookup on its own with clock_gettime: fdx_quad_find
 * with s and p bound, reading every result, freeing the iterator.  It prints
 * aligned `key: value` lines: the sample, the scan rate, and the lookup
 * latency p50 / p99 / mean / max in microseconds.
 */
#include "fairdex/store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct
{
  FdxId s;
  FdxId p;
} Pair;

static uint64_t rng_state;

static uint64_t
rng_next(void)
{
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z          = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z          = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint64_t
rng_below(const uint64_t n)
{
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t       v;
  do {
    v = rng_next();
  } while (v >= limit);
  return v % n;
}

static uint64_t
now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void* const a, const void* const b)
{
  const uint64_t x = *(const uint64_t*)a;
  const uint64_t y = *(const uint64_t*)b;
  return (x > y) - (x < y);
}

static bool
parse_u64(const char* const s, uint64_t* const ret)
{
  char* end = NULL;
  errno     = 0;
  if (!s[0] || s[0] == '-') {
    return false;
  }
  const unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) {
    return false;
  }
  *ret = (uint64_t)v;
  return true;
}

static int
fail(const char* const what, const FdxStatus st)
{
  fprintf(stderr, "lookup-bench: %s: %s\n", what, fdx_strerror(st));
  return 1;
}

/* The value at quantile q of the sorted array v[0..n). */
static uint64_t
quantile(const uint64_t* const v, const size_t n, const double q)
{
  size_t i = (size_t)(q * (double)n);
  if (i >= n) {
    i = n - 1;
  }
  return v[i];
}

int
main(int argc, char** argv)
{
  uint64_t want = 100000;
  uint64_t seed = 1;
  if (argc < 2 || argc > 4 || (argc >= 3 && !parse_u64(argv[2], &want)) ||
      (argc == 4 && !parse_u64(argv[3], &seed)) || want == 0) {
    fprintf(stderr, "usage: lookup-bench DIR [LOOKUPS] [SEED]\n");
    return 2;
  }
  rng_state = seed;

  FdxStore* store = NULL;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  FdxStatus st = fdx_store_new(&store);
  if (st) {
    return fail("fdx_store_new", st);
  }
  st = fdx_store_open(store, argv[1], FDX_STORE_READ_ONLY, &err);
  if (st) {
    fprintf(stderr,
            "lookup-bench: cannot open %s: %s%s%s\n",
            argv[1],
            fdx_strerror(st),
            err.message[0] ? ": " : "",
            err.message);
    fdx_store_free(store);
    return 1;
  }
  FdxTxn* txn = NULL;
  if ((st = fdx_txn_begin(store, 0, &txn))) {
    fdx_store_free(store);
    return fail("fdx_txn_begin", st);
  }

  Pair* const     sample = (Pair*)malloc((size_t)want * sizeof(Pair));
  uint64_t* const times  = (uint64_t*)malloc((size_t)want * sizeof(uint64_t));
  if (!sample || !times) {
    fprintf(stderr, "lookup-bench: out of memory\n");
    return 1;
  }

  /* Scan everything once; reservoir-sample the distinct (s, p) pairs. */
  const FdxQuad  any   = { FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY };
  FdxQuadIter*   it    = NULL;
  uint64_t       quads = 0;
  uint64_t       pairs = 0;
  FdxQuad        q;
  Pair           last       = { FDX_ID_ANY, FDX_ID_ANY };
  const uint64_t scan_start = now_ns();
  if ((st = fdx_quad_find(txn, &any, &it))) {
    return fail("fdx_quad_find (scan)", st);
  }
  while (!(st = fdx_quad_iter_next(it, &q))) {
    ++quads;
    if (q.s == last.s && q.p == last.p) {
      continue;
    }
    last.s = q.s;
    last.p = q.p;
    if (pairs < want) {
      sample[pairs] = last;
    } else {
      const uint64_t j = rng_below(pairs + 1);
      if (j < want) {
        sample[j] = last;
      }
    }
    ++pairs;
  }
  fdx_quad_iter_free(it);
  if (st != FDX_FAILURE) {
    return fail("fdx_quad_iter_next (scan)", st);
  }
  const double scan_s = (double)(now_ns() - scan_start) / 1e9;
  if (pairs == 0) {
    fprintf(stderr, "lookup-bench: the store is empty\n");
    return 1;
  }

  /* Too few distinct pairs: draw with replacement from those there are. */
  const size_t n_sample = (size_t)(pairs < want ? pairs : want);
  for (size_t i = n_sample; i < want; ++i) {
    sample[i] = sample[rng_below(n_sample)];
  }
  /* Random order, so that consecutive lookups do not share pages. */
  for (size_t i = (size_t)want - 1; i > 0; --i) {
    const size_t j   = (size_t)rng_below(i + 1);
    const Pair   tmp = sample[i];
    sample[i]        = sample[j];
    sample[j]        = tmp;
  }

  uint64_t results = 0;
  uint64_t total   = 0;
  for (size_t i = 0; i < want; ++i) {
    const FdxQuad pattern = {
      sample[i].s, sample[i].p, FDX_ID_ANY, FDX_ID_ANY
    };
    const uint64_t t0 = now_ns();
    if ((st = fdx_quad_find(txn, &pattern, &it))) {
      return fail("fdx_quad_find", st);
    }
    uint64_t n = 0;
    while (!(st = fdx_quad_iter_next(it, &q))) {
      ++n;
    }
    fdx_quad_iter_free(it);
    const uint64_t t1 = now_ns();
    if (st != FDX_FAILURE) {
      return fail("fdx_quad_iter_next", st);
    }
    if (n == 0) {
      fprintf(stderr, "lookup-bench: a sampled pair has no quads\n");
      return 1;
    }
    results += n;
    times[i] = t1 - t0;
    total += times[i];
  }
  fdx_txn_abort(txn);
  fdx_store_free(store);

  qsort(times, (size_t)want, sizeof(uint64_t), cmp_u64);
  printf("lookup store quads:   %llu\n", (unsigned long long)quads);
  printf("lookup (s,p) pairs:   %llu\n", (unsigned long long)pairs);
  printf("lookup scan:          %.2f s (%.0f quads/s)\n",
         scan_s,
         scan_s > 0 ? (double)quads / scan_s : 0.0);
  printf("lookups:              %llu (s,p bound; %.2f results each)\n",
         (unsigned long long)want,
         (double)results / (double)want);
  printf("lookup p50:           %.2f us\n",
         (double)quantile(times, (size_t)want, 0.50) / 1e3);
  printf("lookup p99:           %.2f us\n",
         (double)quantile(times, (size_t)want, 0.99) / 1e3);
  printf("lookup mean:          %.2f us\n", (double)total / (double)want / 1e3);
  printf("lookup max:           %.2f us\n", (double)times[want - 1] / 1e3);
  free(sample);
  free(times);
  return 0;
}
