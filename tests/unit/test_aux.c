/*
 * test_aux.c: the auxiliary key/value tables, and the upgrade of a
 * version-2 store, which lacks them and the change feed.
 *
 * The programs around the store keep API tokens and harvest reports in
 * these tables, so a key that leaks from one table into another, or a walk
 * that skips or repeats a key when resumed, is a security or bookkeeping
 * bug.  This test checks: put, get, replace and delete, with the
 * documented statuses for absent keys and bad arguments (and the limits at
 * their exact edges); that tables whose names prefix each other ("a" and
 * "ab") never see each other's keys; that a walk gives keys in byte order,
 * including keys holding NUL and 0xff bytes, and resumes strictly after
 * the key it is given; that auxiliary writes leave the generation and the
 * change feed alone, and commit or abort with their transaction; that
 * everything survives closing and reopening.
 *
 * The upgrade: a store is made, written, and turned back into a version-2
 * store with LMDB directly (version 2 in the meta table, the two new
 * tables dropped), which is all that told version 2 from 3.  Read-only it
 * must open, unchanged, with an empty feed and empty tables; opened for
 * writing it must become version 3 with working tables.
 *
 * Random parts use a fixed-seed xorshift generator (FDX_TEST_SEED
 * overrides the seed, which is printed) so a failure reproduces.
 */
#include "test_util.h"

#include "fairdex/status.h"
#include "fairdex/store.h"


#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EX "http://example.org/"

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

static void
put(FdxTxn* const     txn,
    const char* const table,
    const char* const key,
    const char* const val)
{
  CHECK_ST(fdx_aux_put(txn, table, key, strlen(key), val, strlen(val)),
           FDX_SUCCESS);
}

/* Is `key` of `table` set to `want` (NULL: absent)? */
static bool
holds(FdxTxn* const     txn,
      const char* const table,
      const char* const key,
      const char* const want)
{
  const void*     val = NULL;
  size_t          len = 0;
  const FdxStatus st  = fdx_aux_get(txn, table, key, strlen(key), &val, &len);
  if (!want) {
    return st == FDX_FAILURE;
  }
  return st == FDX_SUCCESS &&
         bytes_eq((const char*)val, len, want, strlen(want));
}

/* The entries a walk gave, as "key=value" strings (keys may hold any
 * byte: they are written in hex). */
typedef struct
{
  char   items[64][64];
  size_t n;
  size_t stop_after; /* nonzero: stop with FDX_FAILURE after this many */
} Walk;

static FdxStatus
record(void* const       ctx,
       const void* const key,
       const size_t      key_len,
       const void* const val,
       const size_t      val_len)
{
  Walk* const w = (Walk*)ctx;
  if (w->stop_after && w->n == w->stop_after) {
    return FDX_FAILURE;
  }
  REQUIRE(w->n < 64);
  char* out = w->items[w->n++];
  for (size_t i = 0; i < key_len && i < 20; ++i) {
    out += sprintf(out, "%02x", ((const unsigned char*)key)[i]);
  }
  snprintf(
    out, 20, "=%.*s", (int)(val_len < 16 ? val_len : 16), (const char*)val);
  return FDX_SUCCESS;
}

static void
walk(FdxTxn* const     txn,
     const char* const table,
     const char* const after,
     const size_t      after_len,
     Walk* const       w)
{
  memset(w, 0, sizeof(*w));
  CHECK_ST(fdx_aux_each(txn, table, after, after_len, record, w), FDX_SUCCESS);
}

static uint64_t
generation(FdxStore* const store)
{
  FdxTxn* const  txn = begin(store, 0);
  const uint64_t gen = fdx_txn_generation(txn);
  fdx_txn_abort(txn);
  return gen;
}

static FdxStatus
count_change(void* const ctx, const FdxChange* const change)
{
  (void)change;
  ++*(size_t*)ctx;
  return FDX_SUCCESS;
}

/* The number of entries in the change feed, and the generation to read
 * from next. */
static size_t
feed_size(FdxStore* const store, uint64_t* const ret_next)
{
  FdxTxn* const txn = begin(store, 0);
  size_t        n   = 0;
  CHECK_ST(fdx_changes_read(txn, 0, UINT64_MAX, count_change, &n, ret_next),
           FDX_SUCCESS);
  fdx_txn_abort(txn);
  return n;
}

/* Add a dataset (type and title) to the default graph. */
static void
add_dataset(FdxTxn* const txn, const char* const iri)
{
  const FdxTerm s = fdx_term_iri(iri);
  const FdxTerm type =
    fdx_term_iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
  const FdxTerm cls   = fdx_term_iri("http://www.w3.org/ns/dcat#Dataset");
  const FdxTerm title = fdx_term_iri("http://purl.org/dc/terms/title");
  const FdxTerm value = fdx_term_literal("title", NULL, NULL);
  FdxQuad       q1    = { 0, 0, 0, FDX_ID_DEFAULT_GRAPH };
  FdxQuad       q2    = { 0, 0, 0, FDX_ID_DEFAULT_GRAPH };
  CHECK_ST(fdx_term_intern(txn, &s, &q1.s), FDX_SUCCESS);
  CHECK_ST(fdx_term_intern(txn, &type, &q1.p), FDX_SUCCESS);
  CHECK_ST(fdx_term_intern(txn, &cls, &q1.o), FDX_SUCCESS);
  CHECK_ST(fdx_term_intern(txn, &title, &q2.p), FDX_SUCCESS);
  CHECK_ST(fdx_term_intern(txn, &value, &q2.o), FDX_SUCCESS);
  q2.s = q1.s;
  CHECK_ST(fdx_quad_add(txn, &q1), FDX_SUCCESS);
  CHECK_ST(fdx_quad_add(txn, &q2), FDX_SUCCESS);
}

/* ------------------------------------------------------------------------
 * Put, get, replace, delete
 * --------------------------------------------------------------------- */

static void
test_basic(FdxStore* const store)
{
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put(txn, "tokens", "alice", "secret-1");
  put(txn, "tokens", "bob", "secret-2");
  CHECK(holds(txn, "tokens", "alice", "secret-1"));
  CHECK(holds(txn, "tokens", "bob", "secret-2"));
  CHECK(holds(txn, "tokens", "carol", NULL));
  /* Replace, with a longer and then a shorter value. */
  put(txn, "tokens", "alice", "a much longer secret than before");
  CHECK(holds(txn, "tokens", "alice", "a much longer secret than before"));
  put(txn, "tokens", "alice", "s");
  CHECK(holds(txn, "tokens", "alice", "s"));
  /* Empty values are values. */
  CHECK_ST(fdx_aux_put(txn, "tokens", "empty", 5, NULL, 0), FDX_SUCCESS);
  CHECK(holds(txn, "tokens", "empty", ""));
  /* Delete. */
  CHECK_ST(fdx_aux_del(txn, "tokens", "bob", 3), FDX_SUCCESS);
  CHECK(holds(txn, "tokens", "bob", NULL));
  CHECK_ST(fdx_aux_del(txn, "tokens", "bob", 3), FDX_FAILURE);
  CHECK_ST(fdx_aux_del(txn, "tokens", "never", 5), FDX_FAILURE);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  /* Committed; visible to readers; a reader cannot write. */
  txn = begin(store, 0);
  CHECK(holds(txn, "tokens", "alice", "s"));
  CHECK(holds(txn, "tokens", "bob", NULL));
  CHECK(holds(txn, "tokens", "empty", ""));
  CHECK_ST(fdx_aux_put(txn, "tokens", "x", 1, "y", 1), FDX_ERR_READ_ONLY);
  CHECK_ST(fdx_aux_del(txn, "tokens", "alice", 5), FDX_ERR_READ_ONLY);
  fdx_txn_abort(txn);

  /* An aborted write leaves nothing. */
  txn = begin(store, FDX_TXN_WRITE);
  put(txn, "tokens", "dave", "d");
  CHECK_ST(fdx_aux_del(txn, "tokens", "alice", 5), FDX_SUCCESS);
  fdx_txn_abort(txn);
  txn = begin(store, 0);
  CHECK(holds(txn, "tokens", "dave", NULL));
  CHECK(holds(txn, "tokens", "alice", "s"));
  fdx_txn_abort(txn);
}

/* ------------------------------------------------------------------------
 * Arguments and limits
 * --------------------------------------------------------------------- */

static FdxStatus
never(void* const       ctx,
      const void* const key,
      const size_t      key_len,
      const void* const val,
      const size_t      val_len)
{
  (void)ctx;
  (void)key;
  (void)key_len;
  (void)val;
  (void)val_len;
  return FDX_ERR_UNKNOWN;
}

static void
test_limits(FdxStore* const store)
{
  FdxTxn* const txn = begin(store, FDX_TXN_WRITE);
  const void*   val = NULL;
  size_t        len = 0;

  /* Missing or empty things. */
  CHECK_ST(fdx_aux_put(NULL, "t", "k", 1, "v", 1), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_put(txn, NULL, "k", 1, "v", 1), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_put(txn, "", "k", 1, "v", 1), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_put(txn, "t", NULL, 1, "v", 1), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_put(txn, "t", "k", 0, "v", 1), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_put(txn, "t", "k", 1, NULL, 1), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_get(txn, "t", "k", 1, NULL, &len), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_get(txn, "t", "k", 1, &val, NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_get(txn, "t", "", 0, &val, &len), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_get(NULL, "t", "k", 1, &val, &len), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_del(txn, "", "k", 1), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_del(txn, "t", "k", 0), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_each(txn, "t", NULL, 0, NULL, NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_each(txn, NULL, NULL, 0, never, NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_aux_each(NULL, "t", NULL, 0, never, NULL), FDX_ERR_BAD_ARG);

  /* Table names: 64 bytes, not 65. */
  char table[80];
  memset(table, 't', sizeof(table));
  table[FDX_AUX_MAX_TABLE] = '\0';
  CHECK_ST(fdx_aux_put(txn, table, "k", 1, "v", 1), FDX_SUCCESS);
  CHECK_ST(fdx_aux_get(txn, table, "k", 1, &val, &len), FDX_SUCCESS);
  table[FDX_AUX_MAX_TABLE]     = 't';
  table[FDX_AUX_MAX_TABLE + 1] = '\0';
  CHECK_ST(fdx_aux_put(txn, table, "k", 1, "v", 1), FDX_ERR_LIMIT);
  CHECK_ST(fdx_aux_get(txn, table, "k", 1, &val, &len), FDX_ERR_LIMIT);
  CHECK_ST(fdx_aux_each(txn, table, NULL, 0, never, NULL), FDX_ERR_LIMIT);

  /* Keys: 400 bytes, not 401; any bytes. */
  char key[FDX_AUX_MAX_KEY + 1];
  for (size_t i = 0; i < sizeof(key); ++i) {
    key[i] = (char)(i * 7);
  }
  CHECK_ST(fdx_aux_put(txn, "t", key, FDX_AUX_MAX_KEY, "v", 1), FDX_SUCCESS);
  CHECK_ST(fdx_aux_get(txn, "t", key, FDX_AUX_MAX_KEY, &val, &len),
           FDX_SUCCESS);
  CHECK(bytes_eq((const char*)val, len, "v", 1));
  CHECK_ST(fdx_aux_put(txn, "t", key, FDX_AUX_MAX_KEY + 1, "v", 1),
           FDX_ERR_LIMIT);
  CHECK_ST(fdx_aux_get(txn, "t", key, FDX_AUX_MAX_KEY + 1, &val, &len),
           FDX_ERR_LIMIT);
  CHECK_ST(fdx_aux_del(txn, "t", key, FDX_AUX_MAX_KEY + 1), FDX_ERR_LIMIT);
  CHECK_ST(fdx_aux_each(txn, "t", key, FDX_AUX_MAX_KEY + 1, never, NULL),
           FDX_ERR_LIMIT);
  CHECK_ST(fdx_aux_del(txn, "t", key, FDX_AUX_MAX_KEY), FDX_SUCCESS);

  /* Values: 16 MiB, not a byte more; the big one reads back whole. */
  char* const big = (char*)malloc(FDX_AUX_MAX_VALUE + 1);
  REQUIRE(big);
  for (size_t i = 0; i <= FDX_AUX_MAX_VALUE; ++i) {
    big[i] = (char)(i % 251);
  }
  CHECK_ST(fdx_aux_put(txn, "t", "big", 3, big, FDX_AUX_MAX_VALUE),
           FDX_SUCCESS);
  CHECK_ST(fdx_aux_put(txn, "t", "bigger", 6, big, FDX_AUX_MAX_VALUE + 1),
           FDX_ERR_LIMIT);
  CHECK_ST(fdx_aux_get(txn, "t", "big", 3, &val, &len), FDX_SUCCESS);
  CHECK(len == FDX_AUX_MAX_VALUE && !memcmp(val, big, len));
  CHECK_ST(fdx_aux_get(txn, "t", "bigger", 6, &val, &len), FDX_FAILURE);
  CHECK_ST(fdx_aux_del(txn, "t", "big", 3), FDX_SUCCESS);
  free(big);
  fdx_txn_abort(txn);
}

/* ------------------------------------------------------------------------
 * Tables apart, walks in order
 * --------------------------------------------------------------------- */

static void
test_tables_and_walks(FdxStore* const store)
{
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  /* "a" is a prefix of "ab"; "a" keys that start like "ab"'s name would
   * if the separator were missing. */
  put(txn, "a", "b", "a:b");
  put(txn, "a", "bx", "a:bx");
  put(txn, "a", "z", "a:z");
  put(txn, "ab", "a", "ab:a");
  put(txn, "ab", "b", "ab:b");
  put(txn, "b", "a", "b:a");
  CHECK(holds(txn, "a", "b", "a:b"));
  CHECK(holds(txn, "ab", "b", "ab:b"));
  CHECK(holds(txn, "a", "a", NULL));
  CHECK(holds(txn, "ab", "z", NULL));
  CHECK(holds(txn, "ab", "bx", NULL));

  Walk w;
  walk(txn, "a", NULL, 0, &w);
  CHECK(w.n == 3);
  CHECK(w.n == 3 && !strcmp(w.items[0], "62=a:b") &&
        !strcmp(w.items[1], "6278=a:bx") && !strcmp(w.items[2], "7a=a:z"));
  walk(txn, "ab", NULL, 0, &w);
  CHECK(w.n == 2);
  CHECK(w.n == 2 && !strcmp(w.items[0], "61=ab:a") &&
        !strcmp(w.items[1], "62=ab:b"));
  walk(txn, "b", NULL, 0, &w);
  CHECK(w.n == 1);
  walk(txn, "c", NULL, 0, &w);
  CHECK(w.n == 0);
  walk(txn, "aa", NULL, 0, &w);
  CHECK(w.n == 0);

  /* Resuming: strictly after the given key, whether it exists or not. */
  walk(txn, "a", "b", 1, &w);
  CHECK(w.n == 2 && !strcmp(w.items[0], "6278=a:bx"));
  walk(txn, "a", "ba", 2, &w);
  CHECK(w.n == 2 && !strcmp(w.items[0], "6278=a:bx"));
  walk(txn, "a", "bx", 2, &w);
  CHECK(w.n == 1 && !strcmp(w.items[0], "7a=a:z"));
  walk(txn, "a", "z", 1, &w);
  CHECK(w.n == 0);
  walk(txn, "a", "\xff", 1, &w);
  CHECK(w.n == 0);
  walk(txn, "a", "", 0, &w); /* empty: from the start */
  CHECK(w.n == 3);

  /* A callback that stops. */
  memset(&w, 0, sizeof(w));
  w.stop_after = 1;
  CHECK_ST(fdx_aux_each(txn, "a", NULL, 0, record, &w), FDX_FAILURE);
  CHECK(w.n == 1);
  CHECK_ST(fdx_aux_each(txn, "a", NULL, 0, never, NULL), FDX_ERR_UNKNOWN);

  /* Binary keys in byte order: NUL and 0xff, prefixes before longer. */
  static const struct
  {
    const char* key;
    size_t      len;
  } keys[] = { { "\xff", 1 }, { "\x00", 1 },   { "\x00\x00", 2 },
               { "\x01", 1 }, { "a\x00z", 3 }, { "a", 1 },
               { "\x7f", 1 }, { "\x80", 1 },   { "a\xff", 2 } };
  static const char* const sorted[] = {
    "00=", "0000=", "01=", "61=", "61007a=", "61ff=", "7f=", "80=", "ff="
  };
  const size_t n_keys = sizeof(keys) / sizeof(keys[0]);
  for (size_t i = 0; i < n_keys; ++i) {
    CHECK_ST(fdx_aux_put(txn, "bin", keys[i].key, keys[i].len, NULL, 0),
             FDX_SUCCESS);
  }
  walk(txn, "bin", NULL, 0, &w);
  CHECK(w.n == n_keys);
  for (size_t i = 0; i < n_keys && i < w.n; ++i) {
    CHECK(!strcmp(w.items[i], sorted[i]));
  }
  /* Paging the table two at a time from the last key seen. */
  size_t seen = 0;
  char   after[8];
  size_t after_len = 0;
  for (int page = 0; page < 20; ++page) {
    Walk part;
    memset(&part, 0, sizeof(part));
    part.stop_after    = 2;
    const FdxStatus st = fdx_aux_each(
      txn, "bin", after_len ? after : NULL, after_len, record, &part);
    CHECK(st == FDX_SUCCESS || st == FDX_FAILURE);
    for (size_t i = 0; i < part.n; ++i) {
      CHECK(seen + i < n_keys && !strcmp(part.items[i], sorted[seen + i]));
    }
    seen += part.n;
    if (!part.n || seen >= n_keys) {
      break;
    }
    /* The last key seen, from the sorted list. */
    for (size_t i = 0; i < n_keys; ++i) {
      Walk one;
      memset(&one, 0, sizeof(one));
      record(&one, keys[i].key, keys[i].len, "", 0);
      if (!strcmp(one.items[0], sorted[seen - 1])) {
        memcpy(after, keys[i].key, keys[i].len);
        after_len = keys[i].len;
      }
    }
  }
  CHECK(seen == n_keys);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  /* Many keys in random order come back sorted. */
  txn         = begin(store, FDX_TXN_WRITE);
  bool in[50] = { false };
  for (int i = 0; i < 200; ++i) {
    const unsigned k = (unsigned)rng_below(50);
    char           key[8];
    snprintf(key, sizeof(key), "k%02u", k);
    if (rng_below(4) == 0) {
      CHECK_ST(fdx_aux_del(txn, "rand", key, 3),
               in[k] ? FDX_SUCCESS : FDX_FAILURE);
      in[k] = false;
    } else {
      put(txn, "rand", key, key);
      in[k] = true;
    }
  }
  walk(txn, "rand", NULL, 0, &w);
  size_t n_in = 0;
  for (unsigned k = 0; k < 50; ++k) {
    if (in[k]) {
      char want[32];
      snprintf(
        want, sizeof(want), "6b%02x%02x=k%02u", '0' + k / 10, '0' + k % 10, k);
      CHECK(n_in < w.n && !strcmp(w.items[n_in], want));
      ++n_in;
    }
  }
  CHECK(w.n == n_in);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
}

/* ------------------------------------------------------------------------
 * Not quad changes
 * --------------------------------------------------------------------- */

static void
test_no_generation(FdxStore* const store)
{
  uint64_t       next   = 0;
  const uint64_t gen    = generation(store);
  const size_t   n_feed = feed_size(store, &next);

  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  put(txn, "reports", "run-1", "ok");
  put(txn, "reports", "run-1", "replaced");
  CHECK_ST(fdx_aux_del(txn, "tokens", "alice", 5), FDX_SUCCESS);
  put(txn, "tokens", "alice", "s");
  CHECK(fdx_txn_generation(txn) == gen);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  CHECK(generation(store) == gen);
  CHECK(feed_size(store, &next) == n_feed);
  CHECK(next == gen);

  /* With a quad change beside it: one generation, one feed entry. */
  txn = begin(store, FDX_TXN_WRITE);
  put(txn, "reports", "run-2", "ok");
  add_dataset(txn, EX "dataset/1");
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  CHECK(generation(store) == gen + 1);
  CHECK(feed_size(store, &next) == n_feed + 1);
  CHECK(next == gen + 1);
  txn = begin(store, 0);
  CHECK(holds(txn, "reports", "run-2", "ok"));
  fdx_txn_abort(txn);
}

/* ------------------------------------------------------------------------
 * Persistence, and the upgrade from version 2
 * --------------------------------------------------------------------- */

static void
test_reopen(void)
{
  FdxStore* const store = open_store("aux", FDX_STORE_READ_ONLY, 0, 0);
  FdxTxn* const   txn   = begin(store, 0);
  CHECK(holds(txn, "tokens", "alice", "s"));
  CHECK(holds(txn, "tokens", "empty", ""));
  CHECK(holds(txn, "reports", "run-1", "replaced"));
  CHECK(holds(txn, "a", "bx", "a:bx"));
  Walk w;
  walk(txn, "bin", NULL, 0, &w);
  CHECK(w.n == 9);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* The tables of versions 3 and 4 (search_impl.h). */
static const char* const v3_v4_tables[] = {
  "changes",        "aux",         "search_terms",   "search_tids",
  "search_postings", "search_docs", "search_forward", "search_keys"};

/* Turn the store in `dir` back into a version-2 store with LMDB: the
 * version, and no `changes`, `aux` or search table. */
static void
make_v2(const char* const dir)
{
  store_set_layout(dir, 2, v3_v4_tables,
                   sizeof(v3_v4_tables) / sizeof(v3_v4_tables[0]));
}

/* The store's schema version and whether it has the table `name`. */
static uint64_t
read_v(const char* const dir, const char* const name, bool* const ret_has)
{
  return store_layout(dir, name, ret_has);
}

static void
test_upgrade(void)
{
  char dir[4200];
  store_dir("v2", dir, sizeof(dir));
  FdxStore* store =
    open_store("v2", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  add_dataset(txn, EX "dataset/old");
  put(txn, "t", "k", "v");
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  fdx_store_free(store);
  make_v2(dir);
  bool has = true;
  CHECK(read_v(dir, "changes", &has) == 2 && !has);
  CHECK(read_v(dir, "aux", &has) == 2 && !has);

  /* Read-only: opens, reads the quads, has an empty feed and tables, and
   * leaves the store at version 2. */
  store = open_store("v2", FDX_STORE_READ_ONLY, 0, 0);
  txn   = begin(store, 0);
  FdxStoreStats stats;
  CHECK_ST(fdx_store_stats(txn, &stats), FDX_SUCCESS);
  CHECK(stats.quads == 2 && stats.generation == 1);
  size_t   n    = 0;
  uint64_t next = 0;
  CHECK_ST(fdx_changes_read(txn, 0, 10, count_change, &n, &next), FDX_SUCCESS);
  CHECK(n == 0 && next == 1);
  CHECK(holds(txn, "t", "k", NULL));
  Walk w;
  walk(txn, "t", NULL, 0, &w);
  CHECK(w.n == 0);
  fdx_txn_abort(txn);
  CHECK_ST(fdx_txn_begin(store, FDX_TXN_WRITE, &txn), FDX_ERR_READ_ONLY);
  fdx_store_free(store);
  CHECK(read_v(dir, "changes", &has) == 2 && !has);

  /* For writing (no CREATE): upgraded in place, and everything works. */
  store = open_store("v2", FDX_STORE_NO_SYNC, 0, 0);
  CHECK(read_v(dir, "changes", &has) == FDX_STORE_SCHEMA_VERSION && has);
  CHECK(read_v(dir, "aux", &has) == FDX_STORE_SCHEMA_VERSION && has);
  txn = begin(store, FDX_TXN_WRITE);
  CHECK(holds(txn, "t", "k", NULL));
  put(txn, "t", "k", "v3");
  add_dataset(txn, EX "dataset/new");
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  n   = 0;
  txn = begin(store, 0);
  CHECK_ST(fdx_changes_read(txn, 0, 10, count_change, &n, &next), FDX_SUCCESS);
  CHECK(n == 1 && next == 2);
  CHECK(holds(txn, "t", "k", "v3"));
  CHECK_ST(fdx_store_stats(txn, &stats), FDX_SUCCESS);
  CHECK(stats.quads == 4);
  fdx_txn_abort(txn);
  fdx_store_free(store);

  /* And opens again as version 3, read-only too. */
  store = open_store("v2", FDX_STORE_READ_ONLY, 0, 0);
  txn   = begin(store, 0);
  CHECK(holds(txn, "t", "k", "v3"));
  fdx_txn_abort(txn);
  fdx_store_free(store);

  /* A version-3 store that lacks a table is not a store. */
  make_v2(dir);
  store_set_layout(dir, 3, NULL, 0);
  store = NULL;
  REQUIRE(fdx_store_new(&store) == FDX_SUCCESS);
  CHECK_ST(fdx_store_open(store, dir, FDX_STORE_READ_ONLY, NULL),
           FDX_ERR_CORRUPT);
  fdx_store_free(store);

  /* Nor is a version-4 one. */
  store_set_layout(dir, 4, NULL, 0);
  store = NULL;
  REQUIRE(fdx_store_new(&store) == FDX_SUCCESS);
  CHECK_ST(fdx_store_open(store, dir, FDX_STORE_READ_ONLY, NULL),
           FDX_ERR_CORRUPT);
  fdx_store_free(store);
}

int
main(void)
{
  test_start("test_aux");
  make_tmp_root("aux");
  FdxStore* const store =
    open_store("aux", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  test_basic(store);
  test_limits(store);
  test_tables_and_walks(store);
  test_no_generation(store);
  fdx_store_free(store);
  test_reopen();
  test_upgrade();
  return test_finish("test_aux");
}
