/*
 * loader.c: bulk loading, the fast path behind `fairdex load`.
 *
 * Quads arrive one at a time as terms.  Each term is turned into an id
 * through a bounded in-memory cache in front of the dictionary (the spike
 * showed dictionary look-ups, not index puts, are the cost of a big load).
 * Ids are buffered in a run of at most `sort_buffer_bytes`.
 *
 * A load that fits in one run is sorted and written straight to each of
 * the six orderings.  A bigger one spills: each full run is sorted once per
 * ordering and the six sorted copies go to an unnamed temporary file beside
 * the store; at the end each ordering k-way merges its copies from every
 * run.  The sorting and spilling happen on a sorter thread while the loader
 * fills a second run buffer, so two runs' buffers (and the sort's scratch)
 * are the memory a big load holds besides the term cache.  Writing a run straight into big tables would put most rows between
 * keys already stored, one B-tree descent and a dirty page each; merged,
 * every ordering of a fresh store is written strictly in order.
 *
 * Writing one ordering (write_order):
 *  - Keys beyond the last key an ordering held cannot exist yet, so all
 *    their duplicates go in with one MDB_APPEND|MDB_MULTIPLE put: LMDB
 *    fills pages left to right without searching.
 *  - Other keys take one put per quad (MDB_NODUPDATA skips quads already
 *    stored), still in sorted order so the pages they touch are hot.
 *
 * SPOG goes first and decides which quads are new, which counts quads per
 * predicate.  The first quad of each (s,p) group in SPOG, (p,o) group in
 * POSG and g group in GSPO tells whether the predicate gained a subject,
 * an object, or the store a graph; those are decided against the table
 * itself, so quads the store already held are never counted twice.  Memory
 * is the run buffer plus the term cache, whatever the input size.
 *
 * The change feed: the quads SPOG finds new are also noted, by (graph,
 * subject), for the feed record the commit writes (changes.c).  Arriving
 * sorted by subject, they cost about one note per subject.
 */
#include "store_impl.h"

#include "../key_sort.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SORT_BYTES ((size_t)192 << 20)
#define CACHE_ARENA_BYTES ((size_t)64 << 20)
#define VAL_SIZE 24

/* ------------------------------------------------------------------------
 * Term cache: open addressing over (hash, id, arena offset, length).
 * --------------------------------------------------------------------- */

typedef struct {
  uint64_t hash; /* 0 marks an empty slot */
  FdxId    id;
  size_t   offset;
  size_t   len;
} CacheSlot;

typedef struct {
  CacheSlot* slots;
  size_t     mask;
  size_t     used;
  uint8_t*   arena;
  size_t     arena_used;
  size_t     arena_cap;
} TermCache;

/* The cache starts small and doubles up to CACHE_SLOTS_MAX slots and
 * CACHE_ARENA_BYTES of term bytes, so a small load costs little; when
 * full it is emptied and starts over. */
#define CACHE_SLOTS_MIN ((size_t)1 << 12)
#define CACHE_SLOTS_MAX ((size_t)1 << 21)
#define CACHE_ARENA_MIN ((size_t)1 << 16)

static FdxStatus
cache_init(TermCache* const c)
{
  c->mask      = CACHE_SLOTS_MIN - 1;
  c->slots     = (CacheSlot*)calloc(c->mask + 1, sizeof(CacheSlot));
  c->arena_cap = CACHE_ARENA_MIN;
  c->arena     = (uint8_t*)malloc(c->arena_cap);
  return c->slots && c->arena ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
}

static void
cache_clear(TermCache* const c)
{
  memset(c->slots, 0, (c->mask + 1) * sizeof(CacheSlot));
  c->used       = 0;
  c->arena_used = 0;
}

static bool
cache_get(const TermCache* const c,
          const uint64_t         h,
          const uint8_t* const   bytes,
          const size_t           len,
          FdxId* const           ret)
{
  for (size_t i = h & c->mask;; i = (i + 1) & c->mask) {
    const CacheSlot* const s = &c->slots[i];
    if (!s->hash) {
      return false;
    }
    if (s->hash == h && s->len == len &&
        !memcmp(c->arena + s->offset, bytes, len)) {
      *ret = s->id;
      return true;
    }
  }
}

/* Double the slot table, re-inserting every entry. */
static bool
cache_grow_slots(TermCache* const c)
{
  const size_t     n     = (c->mask + 1) * 2;
  CacheSlot* const slots = (CacheSlot*)calloc(n, sizeof(CacheSlot));
  if (!slots) {
    return false;
  }
  for (size_t i = 0; i <= c->mask; ++i) {
    if (c->slots[i].hash) {
      size_t j = c->slots[i].hash & (n - 1);
      while (slots[j].hash) {
        j = (j + 1) & (n - 1);
      }
      slots[j] = c->slots[i];
    }
  }
  free(c->slots);
  c->slots = slots;
  c->mask  = n - 1;
  return true;
}

static void
cache_put(TermCache* const     c,
          const uint64_t       h,
          const uint8_t* const bytes,
          const size_t         len,
          const FdxId          id)
{
  if (len > CACHE_ARENA_BYTES / 16) {
    return; /* huge terms are not worth caching */
  }
  if (c->used * 2 > c->mask &&
      (c->mask + 1 >= CACHE_SLOTS_MAX || !cache_grow_slots(c))) {
    cache_clear(c);
  }
  while (c->arena_used + len > c->arena_cap) {
    uint8_t* grown = NULL;
    if (c->arena_cap < CACHE_ARENA_BYTES &&
        (grown = (uint8_t*)realloc(c->arena, c->arena_cap * 2))) {
      c->arena = grown;
      c->arena_cap *= 2;
    } else {
      cache_clear(c);
      if (len > c->arena_cap) {
        return;
      }
    }
  }
  size_t i = h & c->mask;
  while (c->slots[i].hash) {
    i = (i + 1) & c->mask;
  }
  memcpy(c->arena + c->arena_used, bytes, len);
  c->slots[i] = (CacheSlot){h, id, c->arena_used, len};
  c->arena_used += len;
  ++c->used;
}

/* ------------------------------------------------------------------------
 * Per-predicate statistic deltas for one run.
 * --------------------------------------------------------------------- */

typedef struct {
  FdxId   p;
  int64_t d[3];
} PDelta;

typedef struct {
  PDelta* items;
  size_t  n;
  size_t  cap;
} PDeltas;

static int64_t*
pdelta(PDeltas* const pd, const FdxId p)
{
  /* Few predicates, and runs arrive grouped by p in POSG: look at the last
   * entry first, then search. */
  if (pd->n && pd->items[pd->n - 1].p == p) {
    return pd->items[pd->n - 1].d;
  }
  for (size_t i = 0; i < pd->n; ++i) {
    if (pd->items[i].p == p) {
      return pd->items[i].d;
    }
  }
  if (pd->n == pd->cap) {
    const size_t cap   = pd->cap ? pd->cap * 2 : 64;
    PDelta*      grown = (PDelta*)realloc(pd->items, cap * sizeof(PDelta));
    if (!grown) {
      return NULL;
    }
    pd->items = grown;
    pd->cap   = cap;
  }
  pd->items[pd->n] = (PDelta){p, {0, 0, 0}};
  return pd->items[pd->n++].d;
}

/* ------------------------------------------------------------------------
 * Sorting ids: quads are kept as four ids in the current ordering's order,
 * so one comparison function serves every ordering.
 * --------------------------------------------------------------------- */

typedef struct {
  uint64_t k[4];
} Row;

static inline int
row_cmp(const Row* const a, const Row* const b)
{
  for (int i = 0; i < 4; ++i) {
    if (a->k[i] != b->k[i]) {
      return a->k[i] < b->k[i] ? -1 : 1;
    }
  }
  return 0;
}

/* LSD radix sort on the digits of the first `words` keys, least
 * significant first, skipping digits that are the same in every row.  The
 * sort is stable, so rows already sorted by key 3 need only words = 3.
 * Digits are 16 bits, or 8 for fewer rows than a 16-bit pass has counters
 * (a harvest batch: the counters would cost more than the rows). */
static FdxStatus
rows_sort(Row* const rows, const size_t n, const int words)
{
  if (n < 2) {
    return FDX_SUCCESS;
  }
  const int      bits   = n < ((size_t)1 << 16) ? 8 : 16;
  const size_t   digits = (size_t)1 << bits;
  const uint64_t mask   = digits - 1;
  Row*           tmp    = (Row*)malloc(n * sizeof(Row));
  if (!tmp) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t* const count = (size_t*)malloc(digits * sizeof(size_t));
  if (!count) {
    free(tmp);
    return FDX_ERR_NO_MEMORY;
  }
  Row* src = rows;
  Row* dst = tmp;
  for (int word = words - 1; word >= 0; --word) {
    /* Which digits vary in this word? */
    uint64_t diff = 0;
    for (size_t i = 1; i < n; ++i) {
      diff |= src[i].k[word] ^ src[0].k[word];
    }
    for (int shift = 0; shift < 64; shift += bits) {
      if (!((diff >> shift) & mask)) {
        continue;
      }
      memset(count, 0, digits * sizeof(size_t));
      for (size_t i = 0; i < n; ++i) {
        ++count[(src[i].k[word] >> shift) & mask];
      }
      size_t total = 0;
      for (size_t d = 0; d < digits; ++d) {
        const size_t c = count[d];
        count[d]       = total;
        total += c;
      }
      for (size_t i = 0; i < n; ++i) {
        dst[count[(src[i].k[word] >> shift) & mask]++] = src[i];
      }
      Row* const t = src;
      src          = dst;
      dst          = t;
    }
  }
  if (src != rows) {
    memcpy(rows, src, n * sizeof(Row));
  }
  free(count);
  free(tmp);
  return FDX_SUCCESS;
}

/* Reorder each row from ordering `from` to ordering `to`. */
static void
rows_permute(Row* const rows, const size_t n, const FdxOrder from,
             const FdxOrder to)
{
  int map[4]; /* map[i]: index in the `from` row of `to`'s i-th position */
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      if (fdx_order_positions[from][j] == fdx_order_positions[to][i]) {
        map[i] = j;
      }
    }
  }
  for (size_t r = 0; r < n; ++r) {
    const Row old = rows[r];
    for (int i = 0; i < 4; ++i) {
      rows[r].k[i] = old.k[map[i]];
    }
  }
}

/* ------------------------------------------------------------------------
 * The loader
 * --------------------------------------------------------------------- */

/* With MDB_WRITEMAP every page a load writes is mapped into this process
 * and counts as resident until unmapped.  Every TRIM_EVERY rows written
 * or read, the mapped pages are dropped if they hold more than
 * MAPPED_BUDGET: dictionary inserts land all over the term tables, so a
 * fixed schedule would either keep too much or unmap far too often.
 * Measured at 20 M triples: 1 GiB keeps the peak resident set at 1.8 GiB
 * (with MDB_NORDAHEAD); 512 MiB saved little and cost more faults. */
#define TRIM_EVERY ((uint64_t)1 << 16)
#define MAPPED_BUDGET ((uint64_t)1024 << 20)

/* A run spilled to the temporary file: its six sorted copies. */
typedef struct {
  uint64_t off[FDX_N_ORDERS]; /* byte offset of each ordering's rows */
  uint64_t n;                 /* distinct rows in the run */
} SpilledRun;

struct FdxLoaderImpl {
  FdxTxn*   txn;
  int         spill_fd; /* -1 until the first run spills */
  uint64_t    spill_end;
  SpilledRun* runs;
  size_t      n_runs;
  size_t      cap_runs;
  /* The sorter thread: sorts and spills one full run while the loader
   * fills the other buffer with the next. */
  pthread_t   sorter;
  bool        sorting;      /* a sorter job is running */
  Row*        job_rows;     /* the run it works on (then the spare buffer) */
  size_t      job_n;
  size_t      job_alloc;    /* rows allocated in job_rows */
  FdxStatus   job_status;
  uint64_t  since_drop; /* rows handled since pages were last dropped */
  bool      small_run;  /* flush() is writing fewer than TRIM_EVERY rows */
  Row*      rows; /* in SPOG order while filling */
  size_t    n_rows;
  size_t    cap_rows;   /* most rows in one run */
  size_t    alloc_rows; /* rows allocated so far */
  TermCache cache;
  uint8_t*  scratch;
  size_t    scratch_cap;
  uint64_t  added;
  PDeltas   pd;
};

FdxStatus
fdx_loader_new(FdxTxn* const    txn,
               size_t           sort_buffer_bytes,
               FdxLoader** const ret)
{
  if (!txn || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  if (!txn->write) {
    return FDX_ERR_READ_ONLY;
  }
  FdxStatus st = fdx_txn_cursors(txn);
  if (st) {
    return st;
  }
  if (!sort_buffer_bytes) {
    sort_buffer_bytes = DEFAULT_SORT_BYTES;
  }
  FdxLoader* const l = (FdxLoader*)calloc(1, sizeof(FdxLoader));
  if (!l) {
    return FDX_ERR_NO_MEMORY;
  }
  l->txn      = txn;
  l->spill_fd = -1;
  /* The radix sort needs a second buffer of the same size. */
  l->cap_rows = sort_buffer_bytes / (2 * sizeof(Row));
  if (l->cap_rows < 1024) {
    l->cap_rows = 1024;
  }
  /* The run buffer grows as rows come, up to cap_rows. */
  l->alloc_rows = l->cap_rows < 4096 ? l->cap_rows : 4096;
  l->rows       = (Row*)malloc(l->alloc_rows * sizeof(Row));
  if (!l->rows || (st = cache_init(&l->cache))) {
    fdx_loader_free(l);
    return FDX_ERR_NO_MEMORY;
  }
  *ret = l;
  return FDX_SUCCESS;
}

void
fdx_loader_free(FdxLoader* const l)
{
  if (l) {
    free(l->rows);
    free(l->cache.slots);
    free(l->cache.arena);
    free(l->scratch);
    if (l->sorting) {
      pthread_join(l->sorter, NULL);
    }
    free(l->job_rows);
    free(l->pd.items);
    free(l->runs);
    if (l->spill_fd >= 0) {
      close(l->spill_fd);
    }
    free(l);
  }
}

/* Encode a term into the loader's scratch buffer (no allocation per term). */
static FdxStatus
encode_scratch(FdxLoader* const l, const FdxTerm* const t, size_t* ret_len)
{
  FdxStatus st =
    fdx_term_encode_into(t, l->scratch, l->scratch_cap, ret_len);
  if (st == FDX_FAILURE) {
    free(l->scratch);
    l->scratch_cap = *ret_len * 2;
    if (!(l->scratch = (uint8_t*)malloc(l->scratch_cap))) {
      l->scratch_cap = 0;
      return FDX_ERR_NO_MEMORY;
    }
    st = fdx_term_encode_into(t, l->scratch, l->scratch_cap, ret_len);
  }
  return st;
}

/* Find or add encoded term bytes, through the cache. */
static FdxStatus
intern_bytes(FdxLoader* const     l,
             const uint8_t* const bytes,
             const size_t         len,
             FdxId* const         ret)
{
  if (len > l->txn->store->max_term_bytes) {
    return FDX_ERR_LIMIT;
  }
  const uint64_t h = fdx_bytes_hash(bytes, len);
  if (cache_get(&l->cache, h, bytes, len, ret)) {
    return FDX_SUCCESS;
  }
  const FdxStatus st = fdx_dict_intern(l->txn, bytes, len, ret);
  if (!st) {
    cache_put(&l->cache, h, bytes, len, *ret);
  }
  return st;
}

static FdxStatus
intern(FdxLoader* const l, const FdxTerm* const t, FdxId* const ret)
{
  if (fdx_term_inline(t, ret)) {
    return FDX_SUCCESS;
  }
  size_t          len;
  const FdxStatus st = encode_scratch(l, t, &len);
  return st ? st : intern_bytes(l, l->scratch, len, ret);
}

static FdxStatus
spill_run(FdxLoader* l);

/* Count `n` rows handled; keep the store's mapped pages in budget, and
 * stop while the disk still has room (fdx_store_check_space(): writes
 * through the map to a full disk would kill the process). */
static FdxStatus
note_rows(FdxLoader* const l, const size_t n)
{
  if (l->small_run) {
    /* A small run (a harvest batch): its transaction keeps its mapped
     * pages in the budget of quad-by-quad writes, dropping the clean
     * ones as it goes. */
    return fdx_txn_count_writes(l->txn, n);
  }
  l->since_drop += n;
  if (l->since_drop >= TRIM_EVERY) {
    fdx_store_trim_mapped_pages(l->txn->store, MAPPED_BUDGET);
    l->since_drop = 0;
    return fdx_store_check_space(l->txn->store);
  }
  return FDX_SUCCESS;
}

/* Room for one more row: grow the buffer, or write the run when full. */
static FdxStatus
make_room(FdxLoader* const l)
{
  if (l->n_rows < l->alloc_rows) {
    return FDX_SUCCESS;
  }
  if (l->alloc_rows < l->cap_rows) {
    size_t n = l->alloc_rows * 2;
    if (n > l->cap_rows) {
      n = l->cap_rows;
    }
    Row* const grown = (Row*)realloc(l->rows, n * sizeof(Row));
    if (grown) {
      l->rows       = grown;
      l->alloc_rows = n;
      return FDX_SUCCESS;
    }
  }
  return spill_run(l);
}

FdxStatus
fdx_loader_add(FdxLoader* const     l,
               const FdxTerm* const s,
               const FdxTerm* const p,
               const FdxTerm* const o,
               const FdxTerm* const g)
{
  if (!l || !s || !p || !o) {
    return FDX_ERR_BAD_ARG;
  }
  if (s->kind == FDX_TERM_LITERAL || p->kind != FDX_TERM_IRI ||
      (g && g->kind == FDX_TERM_LITERAL)) {
    return FDX_ERR_BAD_ARG;
  }
  FdxQuad   q;
  FdxStatus st;
  if ((st = intern(l, s, &q.s)) || (st = intern(l, p, &q.p)) ||
      (st = intern(l, o, &q.o))) {
    return st;
  }
  q.g = FDX_ID_DEFAULT_GRAPH;
  if (g && (st = intern(l, g, &q.g))) {
    return st;
  }
  if ((st = make_room(l))) {
    return st;
  }
  Row* const r = &l->rows[l->n_rows++];
  r->k[0]      = q.s;
  r->k[1]      = q.p;
  r->k[2]      = q.o;
  r->k[3]      = q.g;
  return FDX_SUCCESS;
}

FdxStatus
fdx_loader_add_encoded(FdxLoader* const            l,
                       const FdxEncodedTerm* const terms)
{
  FdxId     ids[4];
  FdxStatus st;
  for (int i = 0; i < 4; ++i) {
    if (terms[i].bytes) {
      if ((st = intern_bytes(l, terms[i].bytes, terms[i].len, &ids[i]))) {
        return st;
      }
    } else {
      ids[i] = terms[i].id;
    }
  }
  if ((st = make_room(l))) {
    return st;
  }
  Row* const r = &l->rows[l->n_rows++];
  memcpy(r->k, ids, sizeof(ids));
  return note_rows(l, 1);
}

FdxStatus
fdx_loader_add_ids(FdxLoader* const l, const FdxQuad* const q)
{
  if (!l || !q || !fdx_quad_ids_valid(q)) {
    return FDX_ERR_BAD_ARG;
  }
  const FdxStatus st = make_room(l);
  if (st) {
    return st;
  }
  Row* const r = &l->rows[l->n_rows++];
  r->k[0]      = q->s;
  r->k[1]      = q->p;
  r->k[2]      = q->o;
  r->k[3]      = q->g;
  return note_rows(l, 1);
}

/* The last (key, value) in ordering `o`, as a row; false if empty. */
static bool
last_row(MDB_cursor* const cur, Row* const ret)
{
  MDB_val key, val;
  if (mdb_cursor_get(cur, &key, &val, MDB_LAST) ||
      mdb_cursor_get(cur, &key, &val, MDB_LAST_DUP)) {
    return false;
  }
  const uint8_t* const k = (const uint8_t*)key.mv_data;
  const uint8_t* const v = (const uint8_t*)val.mv_data;
  ret->k[0]              = fdx_get_u64(k);
  ret->k[1]              = fdx_get_u64(v);
  ret->k[2]              = fdx_get_u64(v + 8);
  ret->k[3]              = fdx_get_u64(v + 16);
  return true;
}

/* Does ordering `cur` hold a (key, first value id) prefix? */
static FdxStatus
has_prefix(MDB_cursor* const cur, const Row* const r, const int len,
           bool* const ret)
{
  uint8_t kbuf[8];
  uint8_t vbuf[VAL_SIZE] = {0};
  fdx_put_u64(kbuf, r->k[0]);
  MDB_val key = {8, kbuf};
  MDB_val val = {VAL_SIZE, vbuf};
  int     rc;
  if (len == 1) {
    rc = mdb_cursor_get(cur, &key, &val, MDB_SET);
  } else {
    fdx_put_u64(vbuf, r->k[1]);
    rc = mdb_cursor_get(cur, &key, &val, MDB_GET_BOTH_RANGE);
    if (!rc && fdx_get_u64((const uint8_t*)val.mv_data) != r->k[1]) {
      rc = MDB_NOTFOUND;
    }
  }
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  *ret = !rc;
  return FDX_SUCCESS;
}

/* In SPOG, whether some graph holds the triple of row `r` (s p o g). */
static FdxStatus
triple_stored(MDB_cursor* const cur, const Row* const r, bool* const ret)
{
  uint8_t kbuf[8];
  uint8_t vbuf[VAL_SIZE] = {0};
  fdx_put_u64(kbuf, r->k[0]);
  fdx_put_u64(vbuf, r->k[1]);
  fdx_put_u64(vbuf + 8, r->k[2]);
  MDB_val   key = {8, kbuf};
  MDB_val   val = {VAL_SIZE, vbuf};
  const int rc  = mdb_cursor_get(cur, &key, &val, MDB_GET_BOTH_RANGE);
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  *ret = !rc && val.mv_size == VAL_SIZE && !memcmp(val.mv_data, vbuf, 16);
  return FDX_SUCCESS;
}

/*
 * Write sorted, distinct rows to ordering `ord`, key group by key group.
 * Within a group, rows whose values sort after the key's last stored
 * duplicate (all of them, for a key the table lacks) go in with one
 * MDB_MULTIPLE put that appends; the rest take one put each.  With
 * `check_new` (SPOG), rows that already exist are dropped from `rows` and
 * `*n` shrinks to the new ones.  `count`, if set, is called for each row
 * that starts a prefix of `group_len` ids (1: the key; 2: key and first
 * value) that the table did not hold before.
 */
typedef FdxStatus (*CountNew)(FdxLoader* l, const Row* row);

static int
val_cmp(const Row* const r, const uint64_t v[3])
{
  for (int k = 0; k < 3; ++k) {
    if (r->k[k + 1] != v[k]) {
      return r->k[k + 1] < v[k] ? -1 : 1;
    }
  }
  return 0;
}

static FdxStatus
write_order(FdxLoader* const l,
            const FdxOrder   ord,
            Row* const       rows,
            size_t* const    n,
            const bool       check_new,
            const int        group_len,
            const CountNew   count)
{
  MDB_cursor* const cur = l->txn->cur[ord];
  Row               last;
  const bool        has_last = last_row(cur, &last);
  size_t            out      = 0;
  FdxStatus         st       = FDX_SUCCESS;
  uint8_t*          vals     = NULL;
  size_t            vals_cap = 0;

  for (size_t i = 0; i < *n && !st;) {
    size_t end = i + 1;
    while (end < *n && rows[end].k[0] == rows[i].k[0]) {
      ++end;
    }
    uint8_t kbuf[8];
    fdx_put_u64(kbuf, rows[i].k[0]);
    MDB_val key = {8, kbuf};

    /* Where does this key stand in the table? */
    bool     at_end     = !has_last || rows[i].k[0] > last.k[0];
    bool     key_exists = false;
    uint64_t last_dup[3] = {0, 0, 0};
    if (!at_end) {
      /* A copy of `key`: LMDB points a looked-up key into its pages. */
      MDB_val found = key;
      MDB_val v;
      int     rc = mdb_cursor_get(cur, &found, &v, MDB_SET_KEY);
      if (!rc) {
        rc = mdb_cursor_get(cur, &found, &v, MDB_LAST_DUP);
        if (!rc) {
          key_exists = true;
          for (int k = 0; k < 3; ++k) {
            last_dup[k] = fdx_get_u64((const uint8_t*)v.mv_data + 8 * k);
          }
        }
      }
      if (rc && rc != MDB_NOTFOUND) {
        st = fdx_lmdb_status(rc);
        break;
      }
    }
    size_t split = i;
    if (key_exists) {
      while (split < end && val_cmp(&rows[split], last_dup) <= 0) {
        ++split;
      }
    }

    /* Rows among the stored duplicates: one put each. */
    for (size_t j = i; j < split && !st; ++j) {
      const bool first =
        group_len == 2 && (j == i || rows[j].k[1] != rows[j - 1].k[1]);
      bool existed = true;
      if (count && first &&
          (st = has_prefix(cur, &rows[j], group_len, &existed))) {
        break;
      }
      /* SPOG: did a graph hold the triple before?  (Not: its subject's
       * description in the union of the graphs changed.) */
      bool held = false;
      if (check_new && (st = triple_stored(cur, &rows[j], &held))) {
        break;
      }
      uint8_t vbuf[VAL_SIZE];
      for (int k = 0; k < 3; ++k) {
        fdx_put_u64(vbuf + 8 * k, rows[j].k[k + 1]);
      }
      MDB_val   val = {VAL_SIZE, vbuf};
      const int rc  = mdb_cursor_put(cur, &key, &val, MDB_NODUPDATA);
      if (rc == MDB_KEYEXIST) {
        continue; /* already stored (only possible in SPOG) */
      }
      if (rc) {
        st = fdx_lmdb_status(rc);
        break;
      }
      if (count && first && !existed && (st = count(l, &rows[j]))) {
        break;
      }
      if (check_new) {
        if (!held) {
          fdx_relabel_note(l->txn, rows[j].k[0]);
        }
        rows[out++] = rows[j];
      }
      /* one key may have millions of rows */
      if ((st = note_rows(l, 1))) {
        break;
      }
    }
    if (st || split == end) {
      i = end;
      continue;
    }

    /* Rows after every stored duplicate: all new, appended at once. */
    for (size_t j = split; j < end && count; ++j) {
      bool is_new;
      if (group_len == 1) {
        is_new = j == split && !key_exists;
      } else if (j > i && rows[j].k[1] == rows[j - 1].k[1]) {
        is_new = false; /* same prefix as the previous row */
      } else {
        is_new = !(key_exists && j == split && rows[j].k[1] == last_dup[0]);
      }
      if (is_new && (st = count(l, &rows[j]))) {
        break;
      }
    }
    const size_t m = end - split;
    if (!st && m * VAL_SIZE > vals_cap) {
      vals_cap             = m * VAL_SIZE * 2;
      uint8_t* const grown = (uint8_t*)realloc(vals, vals_cap);
      if (!grown) {
        st = FDX_ERR_NO_MEMORY;
      } else {
        vals = grown;
      }
    }
    if (st) {
      break;
    }
    for (size_t j = 0; j < m; ++j) {
      for (int k = 0; k < 3; ++k) {
        fdx_put_u64(vals + j * VAL_SIZE + 8 * k, rows[split + j].k[k + 1]);
      }
    }
    MDB_val        val[2] = {{VAL_SIZE, vals}, {m, NULL}};
    const unsigned flags =
      MDB_MULTIPLE | MDB_APPENDDUP | (at_end ? MDB_APPEND : 0);
    const int rc = mdb_cursor_put(cur, &key, val, flags);
    if (rc) {
      st = fdx_lmdb_status(rc);
      break;
    }
    if (check_new) {
      /* Stored duplicates all sort before these: only the last one can
       * hold one of their triples. */
      for (size_t j = split; j < end; ++j) {
        if (!key_exists || rows[j].k[1] != last_dup[0] ||
            rows[j].k[2] != last_dup[1]) {
          fdx_relabel_note(l->txn, rows[j].k[0]);
        }
      }
      memmove(rows + out, rows + split, m * sizeof(Row));
      out += m;
    }
    if ((st = note_rows(l, end - split))) {
      break;
    }
    i = end;
  }
  free(vals);
  if (!st && check_new) {
    *n = out;
  }
  return st;
}

/* In SPOG rows: k = s p o g.  A new (s,p) pair: p gained a subject. */
static FdxStatus
count_subject(FdxLoader* const l, const Row* const r)
{
  int64_t* const d = pdelta(&l->pd, r->k[1]);
  if (!d) {
    return FDX_ERR_NO_MEMORY;
  }
  ++d[1];
  return FDX_SUCCESS;
}

/* In POSG rows: k = p o s g.  A new (p,o) pair: p gained an object. */
static FdxStatus
count_object(FdxLoader* const l, const Row* const r)
{
  int64_t* const d = pdelta(&l->pd, r->k[0]);
  if (!d) {
    return FDX_ERR_NO_MEMORY;
  }
  ++d[2];
  return FDX_SUCCESS;
}

/* In GSPO rows: a new graph key. */
static FdxStatus
count_graph(FdxLoader* const l, const Row* const r)
{
  (void)r;
  ++l->txn->meta.graphs;
  return FDX_SUCCESS;
}

/* Sort the run's rows (SPOG order) and drop duplicates; returns the
 * number of distinct rows through `ret_n`. */
static FdxStatus
sort_rows_distinct(Row* const rows, size_t n, size_t* const ret_n)
{
  const FdxStatus st = rows_sort(rows, n, 4);
  if (st || n == 0) {
    *ret_n = 0;
    return st;
  }
  size_t u = 1;
  for (size_t i = 1; i < n; ++i) {
    if (row_cmp(&rows[i], &rows[u - 1])) {
      rows[u++] = rows[i];
    }
  }
  *ret_n = u;
  return FDX_SUCCESS;
}

static FdxStatus
sort_distinct(FdxLoader* const l, size_t* const ret_n)
{
  return sort_rows_distinct(l->rows, l->n_rows, ret_n);
}

/* The order in which a run is sorted into the orderings: each ordering's
 * last position is the previous one's first, so rows already sorted by the
 * previous ordering are sorted by this one's last id, and a stable sort on
 * the other three finishes the job. */
static const FdxOrder sort_sequence[FDX_N_ORDERS] = {
  FDX_ORDER_SPOG, FDX_ORDER_GPOS, FDX_ORDER_OSPG,
  FDX_ORDER_GSPO, FDX_ORDER_POSG, FDX_ORDER_OGSP};

/* Re-sort rows sorted in ordering `prev` into ordering `o` (a full sort
 * unless `o` follows `prev` in sort_sequence). */
static FdxStatus
resort(Row* const rows, const size_t n, const FdxOrder prev, const FdxOrder o)
{
  const bool last_is_prev_first =
    fdx_order_positions[o][3] == fdx_order_positions[prev][0];
  rows_permute(rows, n, prev, o);
  return rows_sort(rows, n, last_is_prev_first ? 3 : 4);
}

/* What an ordering counts when it meets a new key or (key, first id). */
static CountNew
order_counter(const FdxOrder o)
{
  return o == FDX_ORDER_SPOG   ? count_subject
         : o == FDX_ORDER_POSG ? count_object
         : o == FDX_ORDER_GSPO ? count_graph
                               : NULL;
}

static int
order_group_len(const FdxOrder o)
{
  return o == FDX_ORDER_SPOG || o == FDX_ORDER_POSG ? 2 : 1;
}

/* Count `n` quads new to the store (rows in SPOG order), and note their
 * (graph, subject) pairs for the change feed.  Both write paths (flush and
 * merge_order) call this with exactly the quads SPOG found new. */
static FdxStatus
count_quads(FdxLoader* const l, const Row* const rows, const size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    int64_t* const d = pdelta(&l->pd, rows[i].k[1]);
    if (!d) {
      return FDX_ERR_NO_MEMORY;
    }
    ++d[0];
    /* For the change feed: in SPOG order a subject's quads come together,
     * so this notes about one pair per subject. */
    fdx_feed_note(l->txn, rows[i].k[3], rows[i].k[0]);
  }
  l->txn->meta.quads += n;
  l->added += n;
  if (n) {
    l->txn->quads_changed = true;
    l->txn->meta_dirty    = true;
  }
  return FDX_SUCCESS;
}

/* Fold the run's per-predicate deltas into the statistics table. */
static FdxStatus
apply_pstats(FdxLoader* const l)
{
  for (size_t i = 0; i < l->pd.n; ++i) {
    const PDelta* const d  = &l->pd.items[i];
    const FdxStatus     st =
      fdx_pstats_adjust(l->txn, d->p, d->d[0], d->d[1], d->d[2]);
    if (st) {
      return st;
    }
  }
  l->pd.n = 0;
  return FDX_SUCCESS;
}

/* Write the buffered run straight to the six orderings (a load that never
 * spilled). */
static FdxStatus
flush(FdxLoader* const l)
{
  size_t    n;
  FdxStatus st = sort_distinct(l, &n);
  if (st || n == 0) {
    return st;
  }
  l->small_run = n < TRIM_EVERY;
  /* SPOG keeps only what the store lacks; the rest need only those. */
  if ((st = write_order(l, FDX_ORDER_SPOG, l->rows, &n, true, 2,
                        count_subject)) ||
      (st = count_quads(l, l->rows, n))) {
    return st;
  }
  for (int i = 1; i < FDX_N_ORDERS && n; ++i) {
    const FdxOrder o = sort_sequence[i];
    if ((st = resort(l->rows, n, sort_sequence[i - 1], o))) {
      return st;
    }
    size_t m = n;
    if ((st = write_order(l, o, l->rows, &m, false, order_group_len(o),
                          order_counter(o)))) {
      return st;
    }
  }
  l->n_rows    = 0;
  l->small_run = false;
  if (n >= TRIM_EVERY) {
    /* A big load's pages; a small batch's stay for the commit. */
    fdx_store_drop_mapped_pages(l->txn->store);
    l->since_drop = 0;
  }
  return apply_pstats(l);
}

/* ------------------------------------------------------------------------
 * Spilling runs and merging them
 * --------------------------------------------------------------------- */

/* An unnamed file beside the store (nothing to clean up after a crash);
 * where O_TMPFILE is unsupported, a named one removed at once. */
static FdxStatus
spill_open(FdxLoader* const l)
{
  const char* const dir = l->txn->store->dir;
  int               fd  = -1;
#ifdef O_TMPFILE
  fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd < 0) {
    const size_t len  = strlen(dir) + 32;
    char* const  path = (char*)malloc(len);
    if (!path) {
      return FDX_ERR_NO_MEMORY;
    }
    snprintf(path, len, "%s/.load-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd >= 0) {
      unlink(path);
    }
    free(path);
  }
  if (fd < 0) {
    return FDX_ERR_IO;
  }
  l->spill_fd = fd;
  return FDX_SUCCESS;
}

static FdxStatus
spill_write(FdxLoader* const l, const Row* const rows, const size_t n)
{
  const uint8_t* p    = (const uint8_t*)rows;
  size_t         left = n * sizeof(Row);
  while (left) {
    const ssize_t w = pwrite(l->spill_fd, p, left, (off_t)l->spill_end);
    if (w <= 0) {
      return w < 0 && errno == ENOSPC ? FDX_ERR_NO_SPACE : FDX_ERR_IO;
    }
    p += w;
    left -= (size_t)w;
    l->spill_end += (uint64_t)w;
  }
  return FDX_SUCCESS;
}

/* Sort `rows` into each ordering and append the six copies to the spill
 * file as the next run (the sorter thread's job; it alone touches the
 * spill file and the run list while it works). */
static FdxStatus
spill_rows(FdxLoader* const l, Row* const rows, const size_t n_rows)
{
  FdxStatus st;
  if (l->spill_fd < 0 && (st = spill_open(l))) {
    return st;
  }
  if (l->n_runs == l->cap_runs) {
    const size_t      cap  = l->cap_runs ? l->cap_runs * 2 : 16;
    SpilledRun* const runs =
      (SpilledRun*)realloc(l->runs, cap * sizeof(SpilledRun));
    if (!runs) {
      return FDX_ERR_NO_MEMORY;
    }
    l->runs     = runs;
    l->cap_runs = cap;
  }
  SpilledRun* const run = &l->runs[l->n_runs];
  size_t            n;
  if ((st = sort_rows_distinct(rows, n_rows, &n))) {
    return st;
  }
  run->n = n;
  for (int i = 0; i < FDX_N_ORDERS; ++i) {
    const FdxOrder o = sort_sequence[i];
    if (i && (st = resort(rows, n, sort_sequence[i - 1], o))) {
      return st;
    }
    run->off[o] = l->spill_end;
    if ((st = spill_write(l, rows, n))) {
      return st;
    }
  }
  ++l->n_runs;
  return FDX_SUCCESS;
}

static void*
sorter_main(void* const data)
{
  FdxLoader* const l = (FdxLoader*)data;
  l->job_status      = spill_rows(l, l->job_rows, l->job_n);
  return NULL;
}

/* Wait for the sorter's job, if any; its status. */
static FdxStatus
sorter_wait(FdxLoader* const l)
{
  if (!l->sorting) {
    return FDX_SUCCESS;
  }
  pthread_join(l->sorter, NULL);
  l->sorting = false;
  return l->job_status;
}

/* The run buffer is full: hand it to the sorter thread and go on filling
 * the other buffer (where threads cannot start, sort here). */
static FdxStatus
spill_run(FdxLoader* const l)
{
  FdxStatus st = sorter_wait(l);
  if (st) {
    return st;
  }
  Row* const   spare       = l->job_rows;
  const size_t spare_alloc = l->job_alloc;
  l->job_rows              = l->rows;
  l->job_alloc             = l->alloc_rows;
  l->job_n                 = l->n_rows;
  l->n_rows                = 0;
  if (spare && spare_alloc >= l->alloc_rows) {
    l->rows = spare;
  } else {
    free(spare);
    if (!(l->rows = (Row*)malloc(l->alloc_rows * sizeof(Row)))) {
      l->rows       = l->job_rows;
      l->job_rows   = NULL;
      l->job_alloc  = 0;
      l->n_rows     = l->job_n;
      return FDX_ERR_NO_MEMORY;
    }
  }
  l->job_status = FDX_SUCCESS;
  if (pthread_create(&l->sorter, NULL, sorter_main, l)) {
    return spill_rows(l, l->job_rows, l->job_n);
  }
  l->sorting = true;
  return FDX_SUCCESS;
}

/* One run's rows of one ordering, read back a buffer at a time. */
#define MERGE_READ_ROWS ((size_t)8192)

typedef struct {
  uint64_t off;
  uint64_t end;
  Row*     buf;
  size_t   pos;
  size_t   len;
} RunReader;

/* Refill `r`; leaves r->len == 0 at the end of its rows. */
static FdxStatus
reader_fill(const int fd, RunReader* const r)
{
  const uint64_t left = (r->end - r->off) / sizeof(Row);
  const size_t   want = left < MERGE_READ_ROWS ? (size_t)left : MERGE_READ_ROWS;
  uint8_t*       p    = (uint8_t*)r->buf;
  size_t         need = want * sizeof(Row);
  while (need) {
    const ssize_t got = pread(fd, p, need, (off_t)r->off);
    if (got <= 0) {
      return FDX_ERR_IO;
    }
    p += got;
    need -= (size_t)got;
    r->off += (uint64_t)got;
  }
  r->pos = 0;
  r->len = want;
  return FDX_SUCCESS;
}

static inline bool
reader_less(const RunReader* const a, const RunReader* const b)
{
  return row_cmp(&a->buf[a->pos], &b->buf[b->pos]) < 0;
}

/* Restore the min-heap of readers below index `i`. */
static void
heap_down(RunReader** const heap, const size_t n, size_t i)
{
  for (;;) {
    size_t       min = i;
    const size_t a   = 2 * i + 1;
    const size_t b   = a + 1;
    if (a < n && reader_less(heap[a], heap[min])) {
      min = a;
    }
    if (b < n && reader_less(heap[b], heap[min])) {
      min = b;
    }
    if (min == i) {
      return;
    }
    RunReader* const t = heap[i];
    heap[i]            = heap[min];
    heap[min]          = t;
    i                  = min;
  }
}

/* Write ordering `o` in chunks of the run buffer (sorted, and each chunk
 * after the previous one, which is all write_order needs). */
static FdxStatus
write_chunk(FdxLoader* const l, const FdxOrder o, size_t n)
{
  FdxStatus st = write_order(l, o, l->rows, &n, o == FDX_ORDER_SPOG,
                             order_group_len(o), order_counter(o));
  if (!st && o == FDX_ORDER_SPOG) {
    st = count_quads(l, l->rows, n);
  }
  return st;
}

/* Merge every run's copy of ordering `o`, drop duplicates across runs,
 * and write the result. */
static FdxStatus
merge_order(FdxLoader* const l, const FdxOrder o)
{
  const size_t      k       = l->n_runs;
  RunReader* const  readers = (RunReader*)calloc(k, sizeof(RunReader));
  RunReader** const heap    = (RunReader**)calloc(k, sizeof(RunReader*));
  FdxStatus         st      = readers && heap ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  size_t            n_heap  = 0;
  for (size_t i = 0; i < k && !st; ++i) {
    RunReader* const r = &readers[i];
    r->off             = l->runs[i].off[o];
    r->end             = r->off + l->runs[i].n * sizeof(Row);
    if (!(r->buf = (Row*)malloc(MERGE_READ_ROWS * sizeof(Row)))) {
      st = FDX_ERR_NO_MEMORY;
    } else if (!(st = reader_fill(l->spill_fd, r)) && r->len) {
      heap[n_heap++] = r;
    }
  }
  for (size_t i = n_heap / 2; i-- > 0;) {
    heap_down(heap, n_heap, i);
  }
  const size_t chunk     = l->alloc_rows;
  size_t       n         = 0;
  Row          last      = {{0, 0, 0, 0}};
  bool         have_last = false;
  while (n_heap && !st) {
    RunReader* const r   = heap[0];
    const Row* const row = &r->buf[r->pos];
    if (!have_last || row_cmp(row, &last)) {
      if (n == chunk) {
        if ((st = write_chunk(l, o, n))) {
          break;
        }
        n = 0;
      }
      last         = *row;
      have_last    = true;
      l->rows[n++] = last;
    }
    if (++r->pos == r->len) {
      if ((st = reader_fill(l->spill_fd, r))) {
        break;
      }
      if (!r->len) {
        heap[0] = heap[--n_heap];
      }
    }
    heap_down(heap, n_heap, 0);
  }
  if (!st && n) {
    st = write_chunk(l, o, n);
  }
  for (size_t i = 0; readers && i < k; ++i) {
    free(readers[i].buf);
  }
  free(readers);
  free(heap);
  return st;
}

FdxStatus
fdx_loader_finish(FdxLoader* const l, uint64_t* const ret_added)
{
  if (!l) {
    return FDX_ERR_BAD_ARG;
  }
  FdxStatus st = sorter_wait(l);
  if (st) {
    return st;
  }
  free(l->job_rows); /* the spare buffer is not needed any more */
  l->job_rows  = NULL;
  l->job_alloc = 0;
  if (!l->n_runs) {
    st = flush(l);
  } else if (!(st = l->n_rows ? spill_rows(l, l->rows, l->n_rows) : FDX_SUCCESS)) {
    l->n_rows = 0;
    for (int o = 0; o < FDX_N_ORDERS && !st; ++o) {
      st = merge_order(l, (FdxOrder)o);
    }
    if (!st) {
      st = apply_pstats(l);
    }
    close(l->spill_fd);
    l->spill_fd = -1;
    l->n_runs   = 0;
    fdx_store_drop_mapped_pages(l->txn->store);
  }
  if (!st && ret_added) {
    *ret_added = l->added;
  }
  return st;
}
