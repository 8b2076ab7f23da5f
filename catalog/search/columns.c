/*
 * columns.c: an in-memory copy of the search index's document records
 * (search_docs) for one snapshot of the store, so that a server's searches
 * score and count facets from arrays instead of an LMDB look-up per
 * matching document.
 *
 * A broad query at a million datasets matches a hundred thousand of them,
 * and each match needs its field lengths (for BM25F), its date (for
 * filters and sorting) and its facet values (counted): through LMDB that
 * is a B-tree step and a record parse per match, most of a search's time.
 * Here the same data sits in one 64-byte row per doc number (a cache
 * line: one memory fetch per candidate, prefetched ahead of the walk),
 * with the facet values renumbered densely (the values that occur, in
 * order of first sight) so the counters of a search stay small and warm
 * in the cache; subjects and graphs, needed only for the page's hits,
 * sit apart.
 *
 * A copy describes exactly one LMDB snapshot, named by its transaction id
 * (mdb_txn_id: every commit, of anything, makes a new one).  A search in
 * a read transaction of that snapshot uses it; any other search (a write
 * transaction, an older or newer snapshot, a copy being built) reads
 * LMDB as before, and gets the same answer.  When a search sees a newer
 * snapshot than the copy, it starts a thread that copies that snapshot
 * (one at a time; the next no sooner than four times the last build's
 * duration later, so a store written every second does not spend more
 * than a fifth of a core copying) and reads LMDB itself.
 *
 * A copy also keeps decoded the postings lists of terms of many docs, as
 * searches read them (up to POSTINGS_CACHE_BYTES), and the facet values'
 * descriptions the facet lists show.
 *
 * Copies are shared between threads and counted: the store holds the
 * current one, each search holds the one it uses until it ends.
 *
 * Hand-written for the same reason as index.c.
 */
#include "search_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

_Static_assert(sizeof(ColRow) == 64, "a row is one cache line");

/* Postings lists kept decoded: those of at least 1/256 of the docs (and
 * of two), up to this many bytes per copy. */
#define POSTINGS_CACHE_DIVISOR 256
#define POSTINGS_CACHE_BYTES ((size_t)256 << 20)

/* More documents than this are not copied (their searches read LMDB). */
#define COLUMNS_MAX_DOCS ((uint32_t)1 << 27)

static void
columns_free(SearchColumns* const c)
{
  if (c) {
    free(c->row_of);
    free(c->rows);
    free(c->gs);
    free(c->spill);
    for (uint32_t d = 0; c->dense_key && d < c->n_dense; ++d) {
      free(c->dense_key[d]);
    }
    free(c->dense_key);
    free(c->dense_facet);
    free(c->dense_id);
    free(c->dense_tid);
    for (size_t i = 0; i < c->cache_cap; ++i) {
      if (c->cache_keys[i]) {
        free(c->cache_items[i]);
      }
    }
    free(c->cache_keys);
    free(c->cache_items);
    free(c->cache_n);
    pthread_mutex_destroy(&c->cache_lock);
    free(c);
  }
}

/* Drop one reference; the lock held. */
static void
columns_unref(SearchColumns* const c)
{
  if (c && !--c->refs) {
    columns_free(c);
  }
}

/* The store's destructor for its current copy (no lock: the store is
 * being freed, so no search runs). */
static void
columns_store_free(void* const p)
{
  columns_unref((SearchColumns*)p);
}

/* The dense number of `tid`, handing out the next one (and recording its
 * tid in c->dense_tid) the first time; false when out of memory. */
static bool
dense_id(TidMap* const m, SearchColumns* const c, size_t* const dense_cap,
         const uint32_t tid, uint32_t* const ret)
{
  bool           added = false;
  int64_t* const slot  = fdx_tidmap_value(m, tid, &added);
  if (!slot) {
    return false;
  }
  if (!added) {
    *ret = (uint32_t)*slot;
    return true;
  }
  if (c->n_dense == *dense_cap) {
    const size_t    cap   = *dense_cap ? *dense_cap * 2 : 1024;
    uint32_t* const grown =
      (uint32_t*)realloc(c->dense_tid, cap * sizeof(uint32_t));
    if (!grown) {
      return false;
    }
    c->dense_tid = grown;
    *dense_cap   = cap;
  }
  c->dense_tid[c->n_dense] = tid;
  *slot                    = c->n_dense;
  *ret                     = c->n_dense++;
  return true;
}

/* Room for `n` rows, cache-line aligned; in huge pages where the kernel
 * gives them on request (a walk touches rows all over the array: with
 * 4 KiB pages nearly every candidate would also miss the TLB). */
static ColRow*
alloc_rows(const size_t n)
{
  const size_t huge  = (size_t)2 << 20;
  const size_t bytes = n * sizeof(ColRow);
  if (bytes >= huge) {
    const size_t rounded = (bytes + huge - 1) / huge * huge;
    void* const  p       = aligned_alloc(huge, rounded);
    if (p) {
      madvise(p, rounded, MADV_HUGEPAGE);
    }
    return (ColRow*)p;
  }
  return (ColRow*)aligned_alloc(64, bytes);
}

/* Read what the facet lists need of each dense value (see
 * SearchColumns), as query.c's build_facets() reads it per search. */
static FdxStatus
describe_values(FdxTxn* const txn, SearchColumns* const c)
{
  const size_t n = c->n_dense ? c->n_dense : 1;
  c->dense_facet = (uint8_t*)malloc(n);
  c->dense_id    = (FdxId*)calloc(n, sizeof(FdxId));
  c->dense_key   = (char**)calloc(n, sizeof(char*));
  if (!c->dense_facet || !c->dense_id || !c->dense_key) {
    return FDX_ERR_NO_MEMORY;
  }
  for (uint32_t d = 0; d < c->n_dense; ++d) {
    const uint8_t* term  = NULL;
    const uint8_t* shown = NULL;
    size_t         len = 0, slen = 0;
    c->dense_facet[d]  = FDX_N_FACETS;
    if (fdx_search_tid_shown(txn, c->dense_tid[d], NULL, &term, &len,
                             &shown, &slen) ||
        len < 3 || term[0] != TERM_FACET) {
      continue;
    }
    int facet = FDX_N_FACETS;
    for (int f = 0; f < FDX_N_FACETS; ++f) {
      if (term[1] == (uint8_t)fdx_facet_codes[f]) {
        facet = f;
      }
    }
    if (facet == FDX_FACET_KEYWORD || facet == FDX_FACET_YEAR) {
      const uint8_t* const text = slen ? shown : term + 2;
      const size_t         tlen = slen ? slen : len - 2;
      if (!(c->dense_key[d] = strndup((const char*)text, tlen))) {
        return FDX_ERR_NO_MEMORY;
      }
      c->dense_facet[d] = (uint8_t)facet;
    } else if (facet < FDX_N_FACETS && len == 10) {
      c->dense_id[d]    = fdx_get_u64(term + 2);
      c->dense_facet[d] = (uint8_t)facet;
      FdxTermBuf buf;
      if (!fdx_term_get(txn, c->dense_id[d], &buf) &&
          !(c->dense_key[d] =
              strndup(buf.term.value, buf.term.value_len))) {
        return FDX_ERR_NO_MEMORY;
      }
    }
  }
  return FDX_SUCCESS;
}

/* Copy the document records `txn` sees. */
static FdxStatus
columns_build(FdxTxn* const txn, SearchColumns** const ret)
{
  *ret = NULL;
  SearchVersion version;
  FdxStatus     st = fdx_search_version(txn, &version);
  if (st) {
    return st;
  }
  if (version.next_doc > COLUMNS_MAX_DOCS || version.docs > version.next_doc) {
    return FDX_ERR_LIMIT;
  }
  const uint32_t       n = version.next_doc;
  SearchColumns* const c = (SearchColumns*)calloc(1, sizeof(SearchColumns));
  if (!c) {
    return FDX_ERR_NO_MEMORY;
  }
  if (pthread_mutex_init(&c->cache_lock, NULL)) {
    free(c);
    return FDX_ERR_NO_MEMORY;
  }
  c->refs    = 1;
  c->txnid   = mdb_txn_id(txn->txn);
  c->version = version;
  c->n_docs  = n;
  /* A row per record of search_docs. */
  MDB_stat stat;
  int      rc = mdb_stat(txn->txn, txn->store->search_docs, &stat);
  if (rc) {
    pthread_mutex_destroy(&c->cache_lock);
    free(c);
    return fdx_lmdb_status(rc);
  }
  if (stat.ms_entries >= ROW_NONE) {
    pthread_mutex_destroy(&c->cache_lock);
    free(c);
    return FDX_ERR_LIMIT;
  }
  const size_t n_rows = stat.ms_entries ? (size_t)stat.ms_entries : 1;
  c->row_of           = (uint32_t*)malloc(((size_t)n + 1) * sizeof(uint32_t));
  c->rows             = alloc_rows(n_rows);
  c->gs               = (FdxId*)calloc(2 * n_rows, sizeof(FdxId));
  if (!c->row_of || !c->rows || !c->gs) {
    columns_free(c);
    return FDX_ERR_NO_MEMORY;
  }
  memset(c->row_of, 0xFF, ((size_t)n + 1) * sizeof(uint32_t));
  memset(c->rows, 0, n_rows * sizeof(ColRow));
  size_t      n_spill = 0, spill_cap = 0, dense_cap = 0;
  TidMap      map     = {NULL, NULL, 0, 0};
  MDB_cursor* cur     = NULL;
  if ((rc = mdb_cursor_open(txn->txn, txn->store->search_docs, &cur))) {
    columns_free(c);
    return fdx_lmdb_status(rc);
  }
  MDB_val key, val;
  rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
  while (!rc && !st) {
    const uint32_t doc =
      key.mv_size == 4 ? get_u32be((const uint8_t*)key.mv_data) : UINT32_MAX;
    if (doc < n) {
      DocHead head;
      if (val.mv_size < sizeof(DocHead) || c->n_rows >= n_rows) {
        st = FDX_ERR_CORRUPT;
        break;
      }
      memcpy(&head, val.mv_data, sizeof(head));
      const size_t de_len =
        head.title_len_de == TITLE_SAME ? 0 : head.title_len_de;
      const size_t tids_at = sizeof(DocHead) + head.title_len_en + de_len;
      if (val.mv_size < tids_at + 4 * (size_t)head.n_facets) {
        st = FDX_ERR_CORRUPT;
        break;
      }
      const uint32_t r = c->n_rows++;
      c->row_of[doc]   = r;
      ColRow* const row = &c->rows[r];
      row->modified     = head.modified;
      memcpy(row->len, head.len, sizeof(row->len));
      row->flags               = (uint8_t)(head.flags & DOC_DATED);
      c->gs[2 * (size_t)r]     = head.g;
      c->gs[2 * (size_t)r + 1] = head.s;
      uint32_t* out            = row->values;
      if (head.n_facets > ROW_VALUES) { /* spilled */
        if (n_spill + head.n_facets > UINT32_MAX) {
          st = FDX_ERR_LIMIT;
          break;
        }
        if (n_spill + head.n_facets > spill_cap) {
          size_t cap = spill_cap ? spill_cap * 2 : 4096;
          while (cap < n_spill + head.n_facets) {
            cap *= 2;
          }
          uint32_t* const grown =
            (uint32_t*)realloc(c->spill, cap * sizeof(uint32_t));
          if (!grown) {
            st = FDX_ERR_NO_MEMORY;
            break;
          }
          c->spill  = grown;
          spill_cap = cap;
        }
        row->n_values  = ROW_SPILLED;
        row->values[0] = (uint32_t)n_spill;
        row->values[1] = head.n_facets;
        out            = c->spill + n_spill;
        n_spill += head.n_facets;
      } else {
        row->n_values = (uint8_t)head.n_facets;
      }
      const uint8_t* const tids = (const uint8_t*)val.mv_data + tids_at;
      for (uint32_t i = 0; i < head.n_facets; ++i) {
        uint32_t tid;
        memcpy(&tid, tids + 4 * (size_t)i, 4);
        if (!dense_id(&map, c, &dense_cap, tid, &out[i])) {
          st = FDX_ERR_NO_MEMORY;
          break;
        }
      }
    }
    if (!st) {
      rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
  }
  mdb_cursor_close(cur);
  fdx_tidmap_free(&map);
  if (!st && rc != MDB_NOTFOUND) {
    st = fdx_lmdb_status(rc);
  }
  if (!st) {
    size_t values = n_spill;
    for (uint32_t r = 0; r < c->n_rows; ++r) {
      values += c->rows[r].n_values == ROW_SPILLED ? 0 : c->rows[r].n_values;
    }
    c->values_per_row = c->n_rows ? (double)values / c->n_rows : 0;
    st                = describe_values(txn, c);
  }
  if (st) {
    columns_free(c);
    return st;
  }
  *ret = c;
  return FDX_SUCCESS;
}

/* Build a copy of `txn`'s snapshot and make it the store's current one
 * (unless one of a later snapshot is there or copies were turned off
 * meanwhile); `started` is when the build was decided.  *ret gets the
 * copy with a reference for the caller (NULL on failure).  The caller
 * set `building`; this clears it. */
static FdxStatus
build_and_install(FdxStore* const store, FdxTxn* const txn,
                  const double started, SearchColumns** const ret)
{
  SearchColumns*  built = NULL;
  const FdxStatus st    = columns_build(txn, &built);
  const double    done  = search_now_s();
  pthread_mutex_lock(&store->search_columns.lock);
  store->search_columns.building = false;
  /* A failed build (a store too big, no memory) is not retried soon. */
  store->search_columns.not_before =
    done + (st ? 60.0 : 4.0 * (done - started));
  if (built && store->search_columns.on) {
    SearchColumns* const c = (SearchColumns*)store->search_columns.current;
    if (!c || c->txnid < built->txnid) {
      columns_unref(c);
      store->search_columns.current = built;
      store->search_columns.free_fn = columns_store_free;
      ++built->refs; /* the store's and the caller's */
    }
  }
  pthread_mutex_unlock(&store->search_columns.lock);
  *ret = built;
  return st;
}

/* The background build of a newer snapshot's copy (see acquire). */
static void*
build_thread(void* const arg)
{
  FdxStore* const store   = (FdxStore*)arg;
  const double    started = search_now_s();
  FdxTxn*         txn     = NULL;
  if (fdx_txn_begin(store, 0, &txn)) {
    pthread_mutex_lock(&store->search_columns.lock);
    store->search_columns.building   = false;
    store->search_columns.not_before = search_now_s() + 60.0;
    pthread_mutex_unlock(&store->search_columns.lock);
    return NULL;
  }
  SearchColumns* built = NULL;
  build_and_install(store, txn, started, &built);
  fdx_txn_abort(txn);
  fdx_search_columns_release(store, built);
  return NULL;
}

/* Start a background build (`building` set by the caller, no lock held),
 * first joining the thread of the one before. */
static void
start_build(FdxStore* const store)
{
  pthread_mutex_lock(&store->search_columns.lock);
  const bool      join = store->search_columns.thread_live;
  const pthread_t old  = store->search_columns.thread;
  store->search_columns.thread_live = false;
  pthread_mutex_unlock(&store->search_columns.lock);
  if (join) { /* it has cleared `building`: it is done or about to be */
    pthread_join(old, NULL);
  }
  pthread_t       thread;
  const bool      made = !pthread_create(&thread, NULL, build_thread, store);
  pthread_mutex_lock(&store->search_columns.lock);
  if (made) {
    store->search_columns.thread      = thread;
    store->search_columns.thread_live = true;
  } else {
    store->search_columns.building   = false;
    store->search_columns.not_before = search_now_s() + 60.0;
  }
  pthread_mutex_unlock(&store->search_columns.lock);
}

SearchColumns*
fdx_search_columns_acquire(FdxTxn* const txn)
{
  if (!txn || txn->write || !search_available(txn)) {
    return NULL;
  }
  FdxStore* const store = txn->store;
  pthread_mutex_lock(&store->search_columns.lock);
  const bool on = store->search_columns.on;
  pthread_mutex_unlock(&store->search_columns.lock);
  SearchVersion version;
  if (!on || fdx_search_version(txn, &version)) {
    return NULL;
  }
  const uint64_t id    = mdb_txn_id(txn->txn);
  bool           start = false;
  pthread_mutex_lock(&store->search_columns.lock);
  SearchColumns* const c = (SearchColumns*)store->search_columns.current;
  if (c && search_version_eq(&c->version, &version)) {
    /* The same documents, though maybe not the same snapshot (commits of
     * other things: run reports, tokens, feeds). */
    ++c->refs;
    pthread_mutex_unlock(&store->search_columns.lock);
    return c;
  }
  /* A later snapshot than the copy's: copy it in the background (one
   * build at a time, rate-limited); this search reads the store. */
  if (store->search_columns.on && (!c || c->txnid < id) &&
      !store->search_columns.building &&
      search_now_s() >= store->search_columns.not_before) {
    store->search_columns.building = true;
    start                          = true;
  }
  pthread_mutex_unlock(&store->search_columns.lock);
  if (start) {
    start_build(store);
  }
  return NULL;
}

void
fdx_search_columns_release(FdxStore* const store, SearchColumns* const c)
{
  if (c) {
    pthread_mutex_lock(&store->search_columns.lock);
    columns_unref(c);
    pthread_mutex_unlock(&store->search_columns.lock);
  }
}

FdxStatus
fdx_search_keep_columns(FdxStore* const store, const bool keep)
{
  if (!store) {
    return FDX_ERR_BAD_ARG;
  }
  pthread_mutex_lock(&store->search_columns.lock);
  store->search_columns.on         = keep;
  store->search_columns.not_before = 0;
  SearchColumns* const old = (SearchColumns*)store->search_columns.current;
  if (!keep) {
    store->search_columns.current = NULL;
    columns_unref(old);
  }
  /* A copy of the current snapshot now, so that searches use one from the
   * start; unless a build is under way (it installs its copy). */
  const bool build = keep && !store->search_columns.building;
  if (build) {
    store->search_columns.building = true;
  }
  pthread_mutex_unlock(&store->search_columns.lock);
  if (!build) {
    return FDX_SUCCESS;
  }
  FdxTxn*   txn = NULL;
  FdxStatus st  = fdx_txn_begin(store, 0, &txn);
  if (st) {
    pthread_mutex_lock(&store->search_columns.lock);
    store->search_columns.building = false;
    pthread_mutex_unlock(&store->search_columns.lock);
    return st;
  }
  SearchColumns* built = NULL;
  st                   = build_and_install(store, txn, search_now_s(), &built);
  fdx_txn_abort(txn);
  fdx_search_columns_release(store, built);
  return st;
}

bool
fdx_search_postings_cacheable(const SearchColumns* const c, const uint32_t df)
{
  return df >= 2 && df >= c->version.docs / POSTINGS_CACHE_DIVISOR;
}

/* The slot of `tid` in the cache, or the empty slot it would take; the
 * lock held, the table not empty. */
static size_t
cache_slot(const SearchColumns* const c, const uint32_t tid)
{
  size_t j = ((tid + 1) * 2654435761u) & (c->cache_cap - 1);
  while (c->cache_keys[j] && c->cache_keys[j] != tid + 1) {
    j = (j + 1) & (c->cache_cap - 1);
  }
  return j;
}

bool
fdx_search_postings_cached(SearchColumns* const c, const uint32_t tid,
                           const void** const items, size_t* const n)
{
  bool found = false;
  pthread_mutex_lock(&c->cache_lock);
  if (c->cache_cap) {
    const size_t j = cache_slot(c, tid);
    if (c->cache_keys[j]) {
      *items = c->cache_items[j];
      *n     = c->cache_n[j];
      found  = true;
    }
  }
  pthread_mutex_unlock(&c->cache_lock);
  return found;
}

/* Double the table (the lock held). */
static bool
cache_grow(SearchColumns* const c)
{
  const size_t    cap   = c->cache_cap ? c->cache_cap * 2 : 64;
  uint32_t* const keys  = (uint32_t*)calloc(cap, sizeof(uint32_t));
  void** const    items = (void**)calloc(cap, sizeof(void*));
  size_t* const   ns    = (size_t*)calloc(cap, sizeof(size_t));
  if (!keys || !items || !ns) {
    free(keys);
    free(items);
    free(ns);
    return false;
  }
  for (size_t i = 0; i < c->cache_cap; ++i) {
    if (c->cache_keys[i]) {
      size_t j = (c->cache_keys[i] * 2654435761u) & (cap - 1);
      while (keys[j]) {
        j = (j + 1) & (cap - 1);
      }
      keys[j]  = c->cache_keys[i];
      items[j] = c->cache_items[i];
      ns[j]    = c->cache_n[i];
    }
  }
  free(c->cache_keys);
  free(c->cache_items);
  free(c->cache_n);
  c->cache_keys  = keys;
  c->cache_items = items;
  c->cache_n     = ns;
  c->cache_cap   = cap;
  return true;
}

bool
fdx_search_postings_cache(SearchColumns* const c, const uint32_t tid,
                          void* const items, const size_t n,
                          const size_t size, const void** const ret_items,
                          size_t* const ret_n)
{
  bool took = false;
  if (!n) { /* nothing to share (and no storage to hand out) */
    return false;
  }
  pthread_mutex_lock(&c->cache_lock);
  if (c->cache_cap) {
    const size_t j = cache_slot(c, tid);
    if (c->cache_keys[j]) { /* another search kept it first */
      free(items);
      *ret_items = c->cache_items[j];
      *ret_n     = c->cache_n[j];
      pthread_mutex_unlock(&c->cache_lock);
      return true;
    }
  }
  if (c->cache_bytes + n * size <= POSTINGS_CACHE_BYTES &&
      ((c->cache_count + 1) * 2 <= c->cache_cap || cache_grow(c))) {
    const size_t j    = cache_slot(c, tid);
    c->cache_keys[j]  = tid + 1;
    c->cache_items[j] = items;
    c->cache_n[j]     = n;
    ++c->cache_count;
    c->cache_bytes += n * size;
    *ret_items = items;
    *ret_n     = n;
    took       = true;
  }
  pthread_mutex_unlock(&c->cache_lock);
  return took;
}
