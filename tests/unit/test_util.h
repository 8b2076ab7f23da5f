/*
 * test_util.h: what every unit test of the store in tests/unit/ needs, in
 * one place: the CHECK, CHECK_ST and REQUIRE macros and the failure count
 * behind them, a temporary directory removed at exit, the fixed-seed
 * xorshift generator (FDX_TEST_SEED overrides the seed, which is printed,
 * so a failure reproduces), opening stores and beginning transactions that
 * must succeed, and the summary line each test ends with.
 */
#ifndef FDX_TEST_UTIL_H
#define FDX_TEST_UTIL_H

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------------
 * Checks
 * --------------------------------------------------------------------- */

/* How many checks have failed so far. */
extern int n_failures;

/* Count a failed check, and report it (the first 60 of them). */
void
check_failed(const char* file, int line, const char* what);

#define CHECK(cond)                            \
  do {                                         \
    if (!(cond)) {                             \
      check_failed(__FILE__, __LINE__, #cond); \
    }                                          \
  } while (0)

#define CHECK_ST(expr, want)                        \
  do {                                              \
    const FdxStatus got_st_ = (expr);               \
    if (got_st_ != (want)) {                        \
      char msg_[512];                               \
      snprintf(msg_,                                \
               sizeof(msg_),                        \
               "%s gave %d (%s), expected %d (%s)", \
               #expr,                               \
               (int)got_st_,                        \
               fdx_strerror(got_st_),               \
               (int)(want),                         \
               fdx_strerror(want));                 \
      check_failed(__FILE__, __LINE__, msg_);       \
    }                                               \
  } while (0)

/* For failures after which the test cannot go on. */
#define REQUIRE(cond)                          \
  do {                                         \
    if (!(cond)) {                             \
      check_failed(__FILE__, __LINE__, #cond); \
      exit(1);                                 \
    }                                          \
  } while (0)

/* The last line of a test: "<name>: ok", or the number of failed checks
 * on stderr.  Returns the exit status for main(). */
int
test_finish(const char* name);

/* ------------------------------------------------------------------------
 * Temporary directory
 * --------------------------------------------------------------------- */

/* The test's temporary directory, "" before make_tmp_root(). */
extern char tmp_root[4096];

/* Make tmp_root, "$TMPDIR/fdx-test-<slug>-XXXXXX" (TMPDIR defaults to
 * /tmp), and remove it with everything in it at exit.  Exits with 1 if it
 * cannot be made. */
void
make_tmp_root(const char* slug);

/* Remove tmp_root and everything in it (does nothing a second time). */
void
remove_tmp_root(void);

/* The directory of the store called `name`: tmp_root/name. */
void
store_dir(const char* name, char* out, size_t size);

/* ------------------------------------------------------------------------
 * Random numbers: xorshift64*, the same sequence for the same seed
 * --------------------------------------------------------------------- */

extern uint64_t rng_state;

/* The first thing a randomised test does: make stdout line-buffered, seed
 * the generator from FDX_TEST_SEED (default 20240607; 0 is taken as 1) and
 * print "<name>: seed <seed> ...". */
void
test_start(const char* name);

/* Inline, so that the compiler sees the range of rng_below(n) (the format
 * checks of the callers' snprintf rely on it). */
static inline uint64_t
rng_next(void)
{
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* A number in [0, n). */
static inline uint64_t
rng_below(const uint64_t n)
{
  return rng_next() % n;
}

/* ------------------------------------------------------------------------
 * Stores and transactions that must work
 * --------------------------------------------------------------------- */

/* Open the store `name` in tmp_root with `flags`; a nonzero `map_size` or
 * `max_term` is set first.  Exits if the store does not open. */
FdxStore*
open_store(const char* name,
           unsigned    flags,
           uint64_t    map_size,
           size_t      max_term);

/* Begin a transaction; exits if it does not begin. */
FdxTxn*
begin(FdxStore* store, unsigned flags);

/* Are the byte strings a and b equal? */
bool
bytes_eq(const char* a, size_t alen, const char* b, size_t blen);

/* ------------------------------------------------------------------------
 * Older store layouts, made with LMDB directly (upgrade tests)
 * --------------------------------------------------------------------- */

/* Set the schema version of the (closed) store in `dir` to `version` and
 * drop those of the `n` tables `drop` that it has.  Exits on an error. */
void
store_set_layout(const char*        dir,
                 uint64_t           version,
                 const char* const* drop,
                 size_t             n);

/* The schema version of the (closed) store in `dir`, and (`ret_has` may be
 * NULL) whether it has the table `name`. */
uint64_t
store_layout(const char* dir, const char* name, bool* ret_has);

#endif /* FDX_TEST_UTIL_H */
