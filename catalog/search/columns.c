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
 * Here the same data sits in flat arrays: one ColDoc per doc number, the
 * subjects and graphs beside it, and the facet values of all docs in one
 * array, renumbered densely (the values that occur, in order of first
 * sight) so the counters of a search stay small and warm in the cache.
 *
 * A copy describes exactly one LMDB snapshot, named by its transaction id
 * (mdb_txn_id: every commit, of anything, makes a new one).  A search in
 * a read transaction of that snapshot uses it; any other search (a write
 * transaction, an older or newer snapshot, a copy being built) reads
 * LMDB as before, and gets the same answer.  When a search sees a newer
 * snapshot than the copy, it builds a new copy itself (one at a time, the
 * others read LMDB meanwhile), and afterwards no sooner than four times
 * the last build's duration later, so a store written every second does
 * not spend more than a fifth of a core rebuilding.
 *
 * Copies are shared between threads and counted: the store holds the
 * current one, each search holds the one it uses until it ends.
 *
 * Hand-written for the same reason as index.c.
 */
#include "search_impl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* More documents than this are not copied (their searches read LMDB). */
#define COLUMNS_MAX_DOCS ((uint32_t)1 << 27)

/* Frequent facet values: those of at least 1/128 of the docs (and of two
 * docs), the most frequent first, at most this many and this many bytes
 * of bitmaps (64 MiB: 512 values at a million docs). */
#define COLUMNS_FREQ_DIVISOR 128
#define COLUMNS_MAX_FREQ 512
#define COLUMNS_FREQ_BYTES ((size_t)64 << 20)

static double
mono_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
columns_free(SearchColumns* const c)
{
  if (c) {
    free(c->docs);
    free(c->gs);
    free(c->facet_off);
    free(c->facets);
    free(c->freq_off);
    free(c->freq_facets);
    free(c->dense_tid);
    free(c->freq_dense);
    free(c->freq_df);
    free(c->freq_facet);
    free(c->freq_bits);
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

/* A map from facet tid to its dense number (open addressing; keys are
 * tid + 1, 0 empty). */
typedef struct {
  uint32_t* keys;
  uint32_t* vals;
  size_t    cap; /* a power of two */
  size_t    n;
} DenseMap;

static bool
dense_grow(DenseMap* const m)
{
  const size_t    cap  = m->cap ? m->cap * 2 : 1024;
  uint32_t* const keys = (uint32_t*)calloc(cap, sizeof(uint32_t));
  uint32_t* const vals = (uint32_t*)malloc(cap * sizeof(uint32_t));
  if (!keys || !vals) {
    free(keys);
    free(vals);
    return false;
  }
  for (size_t i = 0; i < m->cap; ++i) {
    if (m->keys[i]) {
      size_t j = (m->keys[i] * 2654435761u) & (cap - 1);
      while (keys[j]) {
        j = (j + 1) & (cap - 1);
      }
      keys[j] = m->keys[i];
      vals[j] = m->vals[i];
    }
  }
  free(m->keys);
  free(m->vals);
  m->keys = keys;
  m->vals = vals;
  m->cap  = cap;
  return true;
}

/* The dense number of `tid`, handing out the next one (and recording its
 * tid in c->dense_tid) the first time; false when out of memory. */
static bool
dense_id(DenseMap* const m, SearchColumns* const c, size_t* const dense_cap,
         uint32_t** const df, const uint32_t tid, uint32_t* const ret)
{
  if ((m->n + 1) * 2 > m->cap && !dense_grow(m)) {
    return false;
  }
  const uint32_t key = tid + 1;
  size_t         j   = (key * 2654435761u) & (m->cap - 1);
  while (m->keys[j]) {
    if (m->keys[j] == key) {
      *ret = m->vals[j];
      ++(*df)[*ret];
      return true;
    }
    j = (j + 1) & (m->cap - 1);
  }
  if (c->n_dense == *dense_cap) {
    const size_t    cap   = *dense_cap ? *dense_cap * 2 : 1024;
    uint32_t* const grown =
      (uint32_t*)realloc(c->dense_tid, cap * sizeof(uint32_t));
    uint32_t* const grown_df =
      grown ? (uint32_t*)realloc(*df, cap * sizeof(uint32_t)) : NULL;
    if (grown) {
      c->dense_tid = grown;
    }
    if (!grown_df) {
      return false;
    }
    *df        = grown_df;
    *dense_cap = cap;
  }
  m->keys[j]               = key;
  m->vals[j]               = c->n_dense;
  c->dense_tid[c->n_dense] = tid;
  (*df)[c->n_dense]        = 1;
  *ret                     = c->n_dense++;
  ++m->n;
  return true;
}

static int
df_desc_cmp(const void* const va, const void* const vb, void* const vdf)
{
  const uint32_t* const df = (const uint32_t*)vdf;
  const uint32_t        a  = *(const uint32_t*)va;
  const uint32_t        b  = *(const uint32_t*)vb;
  if (df[a] != df[b]) {
    return df[a] > df[b] ? -1 : 1;
  }
  return a < b ? -1 : a > b;
}

/* Pick the frequent values (df[] per dense number) and split each doc's
 * values into frequent and other ones, setting the bitmaps. */
static FdxStatus
split_frequent(FdxTxn* const txn, SearchColumns* const c,
               const uint32_t* const df)
{
  const uint32_t n   = c->n_docs;
  c->words           = ((size_t)n + 63) / 64;
  c->freq_off        = (uint32_t*)calloc((size_t)n + 1, sizeof(uint32_t));
  if (!c->freq_off) {
    return FDX_ERR_NO_MEMORY;
  }
  uint32_t  min_df = n / COLUMNS_FREQ_DIVISOR;
  if (min_df < 2) {
    min_df = 2;
  }
  size_t max_freq = c->words ? COLUMNS_FREQ_BYTES / (c->words * 8) : 0;
  if (max_freq > COLUMNS_MAX_FREQ) {
    max_freq = COLUMNS_MAX_FREQ;
  }
  uint32_t* const picked =
    (uint32_t*)malloc(((size_t)c->n_dense + 1) * sizeof(uint32_t));
  uint32_t* const freq_index =
    (uint32_t*)malloc(((size_t)c->n_dense + 1) * sizeof(uint32_t));
  if (!picked || !freq_index) {
    free(picked);
    free(freq_index);
    return FDX_ERR_NO_MEMORY;
  }
  size_t n_picked = 0;
  for (uint32_t d = 0; d < c->n_dense; ++d) {
    freq_index[d] = UINT32_MAX;
    if (df[d] >= min_df) {
      picked[n_picked++] = d;
    }
  }
  qsort_r(picked, n_picked, sizeof(uint32_t), df_desc_cmp, (void*)df);
  if (n_picked > max_freq) {
    n_picked = max_freq;
  }
  c->n_freq     = (uint32_t)n_picked;
  c->freq_dense = picked; /* the first n_freq are used */
  c->freq_df    = (uint32_t*)malloc((n_picked + 1) * sizeof(uint32_t));
  c->freq_facet = (uint8_t*)malloc(n_picked + 1);
  if (!c->freq_df || !c->freq_facet) {
    free(freq_index);
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < n_picked; ++i) {
    const uint8_t* term = NULL;
    size_t         len  = 0;
    c->freq_df[i]       = df[picked[i]];
    c->freq_facet[i]    = FDX_N_FACETS;
    if (!fdx_search_tid_info(txn, c->dense_tid[picked[i]], NULL, &term,
                             &len) &&
        len >= 2 && term[0] == TERM_FACET) {
      for (int f = 0; f < FDX_N_FACETS; ++f) {
        if (term[1] == (uint8_t)fdx_facet_codes[f]) {
          c->freq_facet[i] = (uint8_t)f;
        }
      }
    }
  }
  c->freq_bits  = (uint64_t*)calloc(n_picked * c->words + 1, sizeof(uint64_t));
  if (!c->freq_bits) {
    free(freq_index);
    return FDX_ERR_NO_MEMORY;
  }
  size_t n_freq_entries = 0;
  for (size_t i = 0; i < n_picked; ++i) {
    freq_index[picked[i]] = (uint32_t)i;
    n_freq_entries += df[picked[i]];
  }
  c->freq_facets =
    (uint32_t*)malloc((n_freq_entries ? n_freq_entries : 1) * sizeof(uint32_t));
  if (!c->freq_facets) {
    free(freq_index);
    return FDX_ERR_NO_MEMORY;
  }
  /* In place: the other values move down within facets[]. */
  uint32_t w = 0, fw = 0;
  for (uint32_t d = 0; d < n; ++d) {
    const uint32_t from = c->facet_off[d];
    const uint32_t to   = c->facet_off[d + 1];
    c->facet_off[d]     = w;
    c->freq_off[d]      = fw;
    for (uint32_t i = from; i < to; ++i) {
      const uint32_t v = c->facets[i];
      const uint32_t f = freq_index[v];
      if (f == UINT32_MAX) {
        c->facets[w++] = v;
      } else {
        c->freq_facets[fw++] = v;
        c->freq_bits[f * c->words + d / 64] |= (uint64_t)1 << (d % 64);
      }
    }
  }
  c->facet_off[n]  = w;
  c->freq_off[n]   = fw;
  c->freq_per_doc  = n ? (double)fw / n : 0;
  free(freq_index);
  return FDX_SUCCESS;
}

/* Copy the document records `txn` sees. */
static FdxStatus
columns_build(FdxTxn* const txn, SearchColumns** const ret)
{
  *ret = NULL;
  SearchCounters counters;
  FdxStatus      st = fdx_search_counters_get(txn, &counters);
  if (st) {
    return st;
  }
  if (counters.next_doc > COLUMNS_MAX_DOCS) {
    return FDX_ERR_LIMIT;
  }
  const uint32_t       n = counters.next_doc;
  SearchColumns* const c = (SearchColumns*)calloc(1, sizeof(SearchColumns));
  if (!c) {
    return FDX_ERR_NO_MEMORY;
  }
  c->refs      = 1;
  c->txnid     = mdb_txn_id(txn->txn);
  c->n_docs    = n;
  c->docs      = (ColDoc*)calloc(n ? n : 1, sizeof(ColDoc));
  c->gs        = (FdxId*)calloc(2 * (size_t)(n ? n : 1), sizeof(FdxId));
  c->facet_off = (uint32_t*)calloc((size_t)n + 1, sizeof(uint32_t));
  if (!c->docs || !c->gs || !c->facet_off) {
    columns_free(c);
    return FDX_ERR_NO_MEMORY;
  }
  size_t      n_facets = 0, facets_cap = 0, dense_cap = 0;
  uint32_t*   df       = NULL; /* docs per dense number */
  DenseMap    map      = {NULL, NULL, 0, 0};
  uint32_t    filled   = 0; /* facet_off is set below this doc */
  MDB_cursor* cur      = NULL;
  int rc = mdb_cursor_open(txn->txn, txn->store->search_docs, &cur);
  if (rc) {
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
      if (val.mv_size < sizeof(DocHead)) {
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
      while (filled <= doc) {
        c->facet_off[filled++] = (uint32_t)n_facets;
      }
      ColDoc* const d = &c->docs[doc];
      d->modified     = head.modified;
      memcpy(d->len, head.len, sizeof(d->len));
      d->flags        = (uint8_t)((head.flags & DOC_DATED) | COL_PRESENT);
      c->gs[2 * (size_t)doc]     = head.g;
      c->gs[2 * (size_t)doc + 1] = head.s;
      if (n_facets + head.n_facets > UINT32_MAX) {
        st = FDX_ERR_LIMIT;
        break;
      }
      if (n_facets + head.n_facets > facets_cap) {
        size_t cap = facets_cap ? facets_cap * 2 : 4096;
        while (cap < n_facets + head.n_facets) {
          cap *= 2;
        }
        uint32_t* const grown =
          (uint32_t*)realloc(c->facets, cap * sizeof(uint32_t));
        if (!grown) {
          st = FDX_ERR_NO_MEMORY;
          break;
        }
        c->facets  = grown;
        facets_cap = cap;
      }
      const uint8_t* const tids = (const uint8_t*)val.mv_data + tids_at;
      for (uint32_t i = 0; i < head.n_facets; ++i) {
        uint32_t tid;
        memcpy(&tid, tids + 4 * (size_t)i, 4);
        if (!dense_id(&map, c, &dense_cap, &df, tid,
                      &c->facets[n_facets++])) {
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
  free(map.keys);
  free(map.vals);
  if (!st && rc != MDB_NOTFOUND) {
    st = fdx_lmdb_status(rc);
  }
  if (!st) {
    while (filled <= n) {
      c->facet_off[filled++] = (uint32_t)n_facets;
    }
    st = split_frequent(txn, c, df);
  }
  free(df);
  if (st) {
    columns_free(c);
    return st;
  }
  *ret = c;
  return FDX_SUCCESS;
}

SearchColumns*
fdx_search_columns_acquire(FdxTxn* const txn)
{
  if (!txn || txn->write || !search_available(txn)) {
    return NULL;
  }
  FdxStore* const store = txn->store;
  const uint64_t  id    = mdb_txn_id(txn->txn);
  pthread_mutex_lock(&store->search_columns.lock);
  SearchColumns* c = (SearchColumns*)store->search_columns.current;
  if (!store->search_columns.on) {
    pthread_mutex_unlock(&store->search_columns.lock);
    return NULL;
  }
  if (c && c->txnid == id) {
    ++c->refs;
    pthread_mutex_unlock(&store->search_columns.lock);
    return c;
  }
  const double now = mono_s();
  if ((c && c->txnid > id) || store->search_columns.building ||
      now < store->search_columns.not_before) {
    pthread_mutex_unlock(&store->search_columns.lock);
    return NULL;
  }
  store->search_columns.building = true;
  pthread_mutex_unlock(&store->search_columns.lock);

  SearchColumns* built = NULL;
  const FdxStatus st   = columns_build(txn, &built);
  const double    done = mono_s();

  pthread_mutex_lock(&store->search_columns.lock);
  store->search_columns.building   = false;
  /* A failed build (a store too big, no memory) is not retried soon. */
  store->search_columns.not_before =
    done + (st ? 60.0 : 4.0 * (done - now));
  if (built && store->search_columns.on) {
    c = (SearchColumns*)store->search_columns.current;
    if (!c || c->txnid < built->txnid) {
      columns_unref(c);
      store->search_columns.current = built;
      store->search_columns.free_fn = columns_store_free;
      ++built->refs; /* the store's and this search's */
    }
  }
  pthread_mutex_unlock(&store->search_columns.lock);
  return built; /* holds the reference columns_build() gave it */
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
  pthread_mutex_unlock(&store->search_columns.lock);
  if (!keep) {
    return FDX_SUCCESS;
  }
  /* Build the first copy now, so the first search does not wait for it. */
  FdxTxn*   txn = NULL;
  FdxStatus st  = fdx_txn_begin(store, 0, &txn);
  if (st) {
    return st;
  }
  fdx_search_columns_release(store, fdx_search_columns_acquire(txn));
  fdx_txn_abort(txn);
  return FDX_SUCCESS;
}
