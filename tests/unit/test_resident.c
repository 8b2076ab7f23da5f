/*
 * test_resident.c: the store's pages in this process's resident set, and
 * fdx_txn_trim_mapped(), which a harvest's look-up thread calls so that
 * its scattered reads of a big store do not pile up beside the writer's
 * transaction.
 *
 * The store's map is file-backed and shared: every page a thread reads
 * stays resident (and counts in the third field of /proc/self/statm) until
 * unmapped.  This test writes some 48 MiB of auxiliary values, reads them
 * all back in a read transaction so that they are mapped, and checks that
 * fdx_txn_trim_mapped() with a budget above what is mapped drops nothing,
 * that with a budget of 0 it drops most of it, and that every value reads
 * back byte for byte afterwards.  Inside a write transaction it must keep
 * the pages that transaction wrote: the values written before the trim
 * read back inside the transaction and after its commit, and
 * fdx_store_last_commit_mapped() then reports them.
 *
 * Keys and values come from a fixed-seed xorshift generator (FDX_TEST_SEED
 * overrides the seed, which is printed) so a failure reproduces.
 */
#include "test_util.h"

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TABLE "resident"
#define N_VALUES 48000
#define VALUE_BYTES 1024
#define N_WRITTEN 4000

/* This process's file-backed resident bytes, or UINT64_MAX. */
static uint64_t
file_resident(void)
{
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return UINT64_MAX;
  }
  char          text[128];
  const ssize_t n = read(fd, text, sizeof(text) - 1);
  close(fd);
  if (n <= 0) {
    return UINT64_MAX;
  }
  text[n] = '\0';
  unsigned long long size = 0, resident = 0, shared = 0;
  if (sscanf(text, "%llu %llu %llu", &size, &resident, &shared) != 3) {
    return UINT64_MAX;
  }
  return (uint64_t)shared * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Value `i`'s key: 16 bytes spread as a hash would spread them. */
static void
key_of(const uint64_t seed, const uint32_t i, uint8_t out[16])
{
  uint64_t x = seed ^ ((uint64_t)i * UINT64_C(0x9E3779B97F4A7C15));
  for (int half = 0; half < 2; ++half) {
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    memcpy(out + 8 * half, &x, 8);
    x += UINT64_C(0x9E3779B97F4A7C15);
  }
}

/* Value `i`: VALUE_BYTES bytes that depend on i and the seed. */
static void
value_of(const uint64_t seed, const uint32_t i, uint8_t out[VALUE_BYTES])
{
  uint64_t x = (seed + i) | 1;
  for (size_t b = 0; b < VALUE_BYTES; b += 8) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    const uint64_t v = x * UINT64_C(0x2545F4914F6CDD1D);
    memcpy(out + b, &v, 8);
  }
}

/* Values [from, to) of `seed` in `txn`: written (`put`), else checked to
 * read back exactly; false at the first that does not. */
static bool
each_value(FdxTxn* const  txn,
           const uint64_t seed,
           const uint32_t from,
           const uint32_t to,
           const bool     put)
{
  uint8_t key[16];
  uint8_t want[VALUE_BYTES];
  for (uint32_t i = from; i < to; ++i) {
    key_of(seed, i, key);
    value_of(seed, i, want);
    const void* val = NULL;
    size_t      len = 0;
    const bool  ok =
      put ? !fdx_aux_put(txn, TABLE, key, sizeof(key), want, sizeof(want))
          : !fdx_aux_get(txn, TABLE, key, sizeof(key), &val, &len) &&
              len == VALUE_BYTES && !memcmp(val, want, VALUE_BYTES);
    if (!ok) {
      fprintf(stderr, "value %" PRIu32 " %s\n", i,
              put ? "cannot be written" : "does not read back");
      return false;
    }
  }
  return true;
}

#define values_hold(txn, seed, from, to) each_value(txn, seed, from, to, false)
#define put_values(txn, seed, from, to) \
  CHECK(each_value(txn, seed, from, to, true))

int
main(void)
{
  test_start("resident");
  make_tmp_root("resident");
  if (file_resident() == UINT64_MAX) {
    printf("resident: skip: /proc/self/statm cannot be read\n");
    return 77;
  }
  const uint64_t seed  = rng_next();
  FdxStore*      store = open_store("db", FDX_STORE_CREATE | FDX_STORE_NO_SYNC,
                                      (uint64_t)512 << 20, 0);

  /* Some 48 MiB of values, in transactions of a tenth. */
  for (uint32_t from = 0; from < N_VALUES; from += N_VALUES / 10) {
    FdxTxn* const txn = begin(store, FDX_TXN_WRITE);
    put_values(txn, seed, from, from + N_VALUES / 10);
    CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  }

  /* Read back, so that every page is mapped. */
  FdxTxn* txn = begin(store, 0);
  CHECK(values_hold(txn, seed, 0, N_VALUES));
  const uint64_t mapped = file_resident();
  printf("resident: %" PRIu64 " KiB file-backed after reading %d values\n",
         mapped >> 10, N_VALUES);
  CHECK(mapped >= (uint64_t)32 << 20);

  /* Under the budget: nothing is dropped. */
  fdx_txn_trim_mapped(txn, UINT64_MAX - 1);
  const uint64_t kept = file_resident();
  CHECK(kept + ((uint64_t)2 << 20) >= mapped);

  /* Over it: the store's clean pages go, and still read back. */
  fdx_txn_trim_mapped(txn, 0);
  const uint64_t trimmed = file_resident();
  printf("resident: %" PRIu64 " KiB after fdx_txn_trim_mapped(txn, 0)\n",
         trimmed >> 10);
  CHECK(trimmed + ((uint64_t)24 << 20) <= mapped);
  CHECK(values_hold(txn, seed, 0, N_VALUES));
  fdx_txn_trim_mapped(NULL, 0); /* does nothing */
  fdx_txn_abort(txn);

  /* In a write transaction: what it wrote stays, mapped and readable. */
  const uint64_t seed2 = rng_next();
  txn                  = begin(store, FDX_TXN_WRITE);
  put_values(txn, seed2, 0, N_WRITTEN);
  fdx_txn_trim_mapped(txn, 0);
  const uint64_t dirty_kept = file_resident();
  printf("resident: %" PRIu64 " KiB after fdx_txn_trim_mapped() in a write "
         "transaction of %d values\n", dirty_kept >> 10, N_WRITTEN);
  /* N_WRITTEN values of 1 KiB dirty more than 4 MiB of leaf pages: they
   * stay, over what the read transaction's trim left (the program's own
   * file-backed pages). */
  CHECK(dirty_kept >= trimmed + (uint64_t)N_WRITTEN * VALUE_BYTES);
  CHECK(values_hold(txn, seed2, 0, N_WRITTEN));
  put_values(txn, seed2, N_WRITTEN, 2 * N_WRITTEN);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  const uint64_t last = fdx_store_last_commit_mapped(store);
  printf("resident: the last commit held %" PRIu64 " KiB\n", last >> 10);
  CHECK(last >= (uint64_t)N_WRITTEN * VALUE_BYTES);
  CHECK(last != UINT64_MAX);

  txn = begin(store, 0);
  CHECK(values_hold(txn, seed2, 0, 2 * N_WRITTEN));
  CHECK(values_hold(txn, seed, 0, N_VALUES));
  fdx_txn_abort(txn);

  /* And after closing and opening again. */
  fdx_store_free(store);
  store = open_store("db", 0, 0, 0);
  txn   = begin(store, 0);
  CHECK(values_hold(txn, seed2, 0, 2 * N_WRITTEN));
  CHECK(values_hold(txn, seed, 0, N_VALUES));
  fdx_txn_abort(txn);
  fdx_store_free(store);
  return test_finish("resident");
}
