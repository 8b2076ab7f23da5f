/*
 * quads.c: the six quad orderings, pattern scans, and the statistics kept
 * beside them.
 *
 * Each ordering is a DUPSORT|DUPFIXED table: the key is the ordering's first
 * id, the duplicates are the other three ids (24 bytes), all big-endian.  A
 * pattern with bound positions B is answered from the ordering whose first
 * |B| positions are exactly B (pick_order), as one range scan:
 *   |B| = 0   the whole table,
 *   |B| = 1   the duplicates of one key,
 *   |B| >= 2  the duplicates of one key from the first value with the bound
 *             prefix (MDB_GET_BOTH_RANGE) while the prefix holds.
 * Scans read a page of duplicates at a time (MDB_GET_MULTIPLE).
 *
 * Statistics: per predicate the number of quads, of distinct subjects and
 * of distinct objects; per store the number of quads, graphs and
 * predicates.  Adding a quad checks, before it is inserted, whether its
 * (s,p) prefix exists in SPOG and its (p,o) prefix in POSG; removing one
 * checks after.
 *
 * Every add and remove also notes its (graph, subject) for the change
 * feed (changes.c), which decides at commit what to record.
 */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#define VAL_SIZE 24

static void
fdx_quad_key(const FdxOrder     ord,
             const FdxQuad*     quad,
             uint8_t            key[8],
             uint8_t            val[24])
{
  const FdxId ids[4] = {quad->s, quad->p, quad->o, quad->g};
  const int*  pos    = fdx_order_positions[ord];
  fdx_put_u64(key, ids[pos[0]]);
  fdx_put_u64(val, ids[pos[1]]);
  fdx_put_u64(val + 8, ids[pos[2]]);
  fdx_put_u64(val + 16, ids[pos[3]]);
}

static void
fdx_quad_from_key(const FdxOrder       ord,
                  const uint8_t* const key,
                  const uint8_t* const val,
                  FdxQuad* const       ret)
{
  /* One case per ordering (as fdx_order_positions says): every scan
   * decodes each quad it reads, and storing through a looked-up position
   * and reading back stalls the CPU. */
  const FdxId k  = fdx_get_u64(key);
  const FdxId v0 = fdx_get_u64(val);
  const FdxId v1 = fdx_get_u64(val + 8);
  const FdxId v2 = fdx_get_u64(val + 16);
  switch (ord) {
  case FDX_ORDER_SPOG:
    *ret = (FdxQuad){k, v0, v1, v2};
    return;
  case FDX_ORDER_POSG:
    *ret = (FdxQuad){v1, k, v0, v2};
    return;
  case FDX_ORDER_OSPG:
    *ret = (FdxQuad){v0, v1, k, v2};
    return;
  case FDX_ORDER_GSPO:
    *ret = (FdxQuad){v0, v1, v2, k};
    return;
  case FDX_ORDER_GPOS:
    *ret = (FdxQuad){v2, v0, v1, k};
    return;
  case FDX_ORDER_OGSP:
    *ret = (FdxQuad){v1, v2, k, v0};
    return;
  }
  *ret = (FdxQuad){0, 0, 0, 0};
}

/* The ordering for a set of bound positions and how many lead it. */
static FdxOrder
pick_order(const FdxQuad* const pattern, int* const ret_bound)
{
  const FdxId ids[4] = {pattern->s, pattern->p, pattern->o, pattern->g};
  unsigned    mask   = 0;
  int         n      = 0;
  for (int i = 0; i < 4; ++i) {
    if (ids[i] != FDX_ID_ANY) {
      mask |= 1u << i;
      ++n;
    }
  }
  *ret_bound = n;
  for (int o = 0; o < FDX_N_ORDERS; ++o) {
    unsigned prefix = 0;
    for (int i = 0; i < n; ++i) {
      prefix |= 1u << fdx_order_positions[o][i];
    }
    if (prefix == mask) {
      return (FdxOrder)o;
    }
  }
  return FDX_ORDER_SPOG; /* unreachable: the six orderings cover all */
}

/* ------------------------------------------------------------------------
 * Statistics
 * --------------------------------------------------------------------- */

FdxStatus
fdx_pstats_adjust(FdxTxn* const txn,
                  const FdxId   p,
                  const int64_t dquads,
                  const int64_t dsubjects,
                  const int64_t dobjects)
{
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, p);
  MDB_val  key = {8, kbuf};
  MDB_val  val;
  uint64_t counts[3] = {0, 0, 0};
  int      rc        = mdb_get(txn->txn, txn->store->pstats, &key, &val);
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  const bool existed = !rc;
  if (existed) {
    if (val.mv_size != 24) {
      return FDX_ERR_CORRUPT;
    }
    for (int i = 0; i < 3; ++i) {
      counts[i] = fdx_get_u64((const uint8_t*)val.mv_data + 8 * i);
    }
  }
  counts[0] += (uint64_t)dquads;
  counts[1] += (uint64_t)dsubjects;
  counts[2] += (uint64_t)dobjects;
  txn->meta_dirty = true;
  if (counts[0] == 0) {
    if (existed) {
      --txn->meta.predicates;
      return fdx_lmdb_status(mdb_del(txn->txn, txn->store->pstats, &key, NULL));
    }
    return FDX_SUCCESS;
  }
  if (!existed) {
    ++txn->meta.predicates;
  }
  uint8_t vbuf[24];
  for (int i = 0; i < 3; ++i) {
    fdx_put_u64(vbuf + 8 * i, counts[i]);
  }
  val.mv_size = 24;
  val.mv_data = vbuf;
  return fdx_lmdb_status(mdb_put(txn->txn, txn->store->pstats, &key, &val, 0));
}

FdxStatus
fdx_predicate_stats(FdxTxn* const            txn,
                    const FdxId              p,
                    FdxPredicateStats* const ret)
{
  if (!txn || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, p);
  MDB_val   key = {8, kbuf};
  MDB_val   val;
  const int rc = mdb_get(txn->txn, txn->store->pstats, &key, &val);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  if (val.mv_size != 24) {
    return FDX_ERR_CORRUPT;
  }
  const uint8_t* const v = (const uint8_t*)val.mv_data;
  ret->quads             = fdx_get_u64(v);
  ret->subjects          = fdx_get_u64(v + 8);
  ret->objects           = fdx_get_u64(v + 16);
  return FDX_SUCCESS;
}

FdxStatus
fdx_prefix2_exists(MDB_cursor* const cur,
                   const FdxId       a,
                   const FdxId       b,
                   bool* const       ret)
{
  uint8_t kbuf[8];
  uint8_t vbuf[VAL_SIZE] = {0};
  fdx_put_u64(kbuf, a);
  fdx_put_u64(vbuf, b);
  MDB_val   key = {8, kbuf};
  MDB_val   val = {VAL_SIZE, vbuf};
  const int rc  = mdb_cursor_get(cur, &key, &val, MDB_GET_BOTH_RANGE);
  if (rc == MDB_NOTFOUND) {
    *ret = false;
    return FDX_SUCCESS;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  *ret = fdx_get_u64((const uint8_t*)val.mv_data) == b;
  return FDX_SUCCESS;
}

static FdxStatus
key_exists(MDB_cursor* const cur, const FdxId a, bool* const ret)
{
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, a);
  MDB_val   key = {8, kbuf};
  MDB_val   val;
  const int rc = mdb_cursor_get(cur, &key, &val, MDB_SET);
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  *ret = !rc;
  return FDX_SUCCESS;
}

/* Does the store hold other quads with the same (s,p), the same (p,o),
 * the same graph?  Asked before an insert and after a removal, these say
 * whether a predicate gains or loses a subject or object, and the store
 * a graph. */
static FdxStatus
neighbours(FdxTxn* const        txn,
           const FdxQuad* const quad,
           bool* const          ret_sp,
           bool* const          ret_po,
           bool* const          ret_g)
{
  FdxStatus st;
  if ((st = fdx_prefix2_exists(txn->cur[FDX_ORDER_SPOG], quad->s, quad->p,
                           ret_sp)) ||
      (st = fdx_prefix2_exists(txn->cur[FDX_ORDER_POSG], quad->p, quad->o,
                           ret_po))) {
    return st;
  }
  return key_exists(txn->cur[FDX_ORDER_GSPO], quad->g, ret_g);
}

/* ------------------------------------------------------------------------
 * Adding and removing
 * --------------------------------------------------------------------- */

static bool
quad_valid(const FdxQuad* const q)
{
  return q && fdx_quad_ids_valid(q);
}

/* What fdx_quad_remove() takes: any quad of ids, so that one a store
 * holds from before fdx_quad_ids_valid() (a literal subject) can still be
 * removed, and its graph cleared. */
static bool
quad_removable(const FdxQuad* const q)
{
  return q && q->s != FDX_ID_ANY && q->p != FDX_ID_ANY &&
         q->o != FDX_ID_ANY && q->g != FDX_ID_ANY &&
         q->s != FDX_ID_DEFAULT_GRAPH && q->p != FDX_ID_DEFAULT_GRAPH &&
         q->o != FDX_ID_DEFAULT_GRAPH;
}

/* Whether some graph holds the triple of `quad` (any graph). */
static FdxStatus
triple_held(FdxTxn* const txn, const FdxQuad* const quad, bool* const ret)
{
  uint8_t kbuf[8];
  uint8_t vbuf[VAL_SIZE];
  const FdxQuad any = {quad->s, quad->p, quad->o, 0};
  fdx_quad_key(FDX_ORDER_SPOG, &any, kbuf, vbuf);
  MDB_val   key = {8, kbuf};
  MDB_val   val = {VAL_SIZE, vbuf};
  const int rc =
    mdb_cursor_get(txn->cur[FDX_ORDER_SPOG], &key, &val, MDB_GET_BOTH_RANGE);
  if (rc == MDB_NOTFOUND) {
    *ret = false;
    return FDX_SUCCESS;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  /* SPOG values are p, o, g: the first at or after (p, o, 0). */
  *ret = val.mv_size == VAL_SIZE && !memcmp(val.mv_data, vbuf, 16);
  return FDX_SUCCESS;
}

static FdxStatus
fdx_quads_insert_checked(FdxTxn* const txn, const FdxQuad* const quad)
{
  bool      held = false;
  FdxStatus hst  = triple_held(txn, quad, &held);
  if (hst) {
    return hst;
  }
  bool            had_sp = false, had_po = false, had_g = false;
  const FdxStatus st     = neighbours(txn, quad, &had_sp, &had_po, &had_g);
  if (st) {
    return st;
  }
  for (int o = 0; o < FDX_N_ORDERS; ++o) {
    uint8_t kbuf[8];
    uint8_t vbuf[VAL_SIZE];
    fdx_quad_key((FdxOrder)o, quad, kbuf, vbuf);
    MDB_val   key = {8, kbuf};
    MDB_val   val = {VAL_SIZE, vbuf};
    const int rc  = mdb_cursor_put(txn->cur[o], &key, &val, MDB_NODUPDATA);
    if (rc == MDB_KEYEXIST && o == FDX_ORDER_SPOG) {
      return FDX_FAILURE;
    }
    if (rc) {
      return fdx_lmdb_status(rc);
    }
  }
  ++txn->meta.quads;
  if (!had_g) {
    ++txn->meta.graphs;
  }
  txn->meta_dirty    = true;
  txn->quads_changed = true;
  fdx_feed_note(txn, quad->g, quad->s);
  if (!held) {
    fdx_relabel_note(txn, quad->s);
  }
  return fdx_pstats_adjust(txn, quad->p, 1, had_sp ? 0 : 1, had_po ? 0 : 1);
}

FdxStatus
fdx_quad_add(FdxTxn* const txn, const FdxQuad* const quad)
{
  if (!txn || !quad_valid(quad)) {
    return FDX_ERR_BAD_ARG;
  }
  const FdxStatus st = fdx_txn_cursors(txn);
  if (st) {
    return st;
  }
  /* Existence first, so statistics are only touched for new quads. */
  uint8_t kbuf[8];
  uint8_t vbuf[VAL_SIZE];
  fdx_quad_key(FDX_ORDER_SPOG, quad, kbuf, vbuf);
  MDB_val   key = {8, kbuf};
  MDB_val   val = {VAL_SIZE, vbuf};
  const int rc =
    mdb_cursor_get(txn->cur[FDX_ORDER_SPOG], &key, &val, MDB_GET_BOTH);
  if (!rc) {
    return FDX_FAILURE;
  }
  if (rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  return fdx_quads_insert_checked(txn, quad);
}

FdxStatus
fdx_quad_remove(FdxTxn* const txn, const FdxQuad* const quad)
{
  if (!txn || !quad_removable(quad)) {
    return FDX_ERR_BAD_ARG;
  }
  FdxStatus st = fdx_txn_cursors(txn);
  if (st) {
    return st;
  }
  for (int o = 0; o < FDX_N_ORDERS; ++o) {
    uint8_t kbuf[8];
    uint8_t vbuf[VAL_SIZE];
    fdx_quad_key((FdxOrder)o, quad, kbuf, vbuf);
    MDB_val key = {8, kbuf};
    MDB_val val = {VAL_SIZE, vbuf};
    int     rc  = mdb_cursor_get(txn->cur[o], &key, &val, MDB_GET_BOTH);
    if (rc == MDB_NOTFOUND && o == FDX_ORDER_SPOG) {
      return FDX_FAILURE;
    }
    if (rc || (rc = mdb_cursor_del(txn->cur[o], 0))) {
      return rc == MDB_NOTFOUND ? FDX_ERR_CORRUPT : fdx_lmdb_status(rc);
    }
  }
  bool has_sp = false, has_po = false, has_g = false, held = false;
  if ((st = neighbours(txn, quad, &has_sp, &has_po, &has_g)) ||
      (st = triple_held(txn, quad, &held))) {
    return st;
  }
  if (!held) {
    fdx_relabel_note(txn, quad->s);
  }
  --txn->meta.quads;
  if (!has_g) {
    --txn->meta.graphs;
  }
  txn->meta_dirty    = true;
  txn->quads_changed = true;
  fdx_feed_note_removed(txn, quad);
  return fdx_pstats_adjust(txn, quad->p, -1, has_sp ? 0 : -1,
                           has_po ? 0 : -1);
}

/* ------------------------------------------------------------------------
 * Scans
 * --------------------------------------------------------------------- */

struct FdxQuadIterImpl {
  FdxTxn*      txn;
  FdxQuadIter* next_spare; /* in the transaction's pool of freed iterators */
  MDB_cursor* cur;
  FdxOrder    order;
  int         bound;      /* how many leading positions are fixed */
  uint8_t     key[8];     /* the fixed key, when bound >= 1 */
  uint8_t     prefix[24]; /* the fixed value prefix, when bound >= 2 */
  size_t      prefix_len;
  /* The current page of duplicates from MDB_GET_MULTIPLE. */
  const uint8_t* page;
  size_t         page_n;
  size_t         page_i;
  uint8_t        cur_key[8];
  bool           started;
  bool           done;
  /* fdx_quad_find_objects(): objects from `prefix` (8 bytes) up to `hi`. */
  bool           ranged;
  uint8_t        hi[8];
  bool           descending; /* fdx_quad_find_objects_desc() */
  bool           last_page;  /* the page holds the scan's last quads */
};

/* A fresh iterator over ordering `order`: a freed one (and its open
 * cursor) from this transaction's pool, since a query runs many small
 * scans, else a new one. */
static FdxStatus
iter_acquire(FdxTxn* const txn, const FdxOrder order, FdxQuadIter** const ret)
{
  FdxQuadIter* it = NULL;
  for (FdxQuadIter** link = &txn->spare_iters; *link; link = &(*link)->next_spare) {
    if ((*link)->order == order) {
      it    = *link;
      *link = it->next_spare;
      --txn->n_spare;
      MDB_cursor* const cur = it->cur;
      memset(it, 0, sizeof(*it));
      it->cur = cur;
      break;
    }
  }
  const bool reused = it != NULL;
  if (!it && !(it = (FdxQuadIter*)calloc(1, sizeof(FdxQuadIter)))) {
    return FDX_ERR_NO_MEMORY;
  }
  it->txn   = txn;
  it->order = order;
  if (!reused) {
    const int rc = mdb_cursor_open(txn->txn, txn->store->order[order], &it->cur);
    if (rc) {
      free(it);
      return fdx_lmdb_status(rc);
    }
  }
  *ret = it;
  return FDX_SUCCESS;
}

FdxStatus
fdx_quad_find(FdxTxn* const        txn,
              const FdxQuad* const pattern,
              FdxQuadIter** const  ret)
{
  if (!txn || !pattern || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  int            bound = 0;
  const FdxOrder order = pick_order(pattern, &bound);
  FdxQuadIter*   it    = NULL;
  const FdxStatus st   = iter_acquire(txn, order, &it);
  if (st) {
    return st;
  }
  it->bound = bound;
  uint8_t val[VAL_SIZE];
  fdx_quad_key(it->order, pattern, it->key, val);
  it->prefix_len = it->bound > 1 ? (size_t)(it->bound - 1) * 8 : 0;
  memcpy(it->prefix, val, it->prefix_len);
  *ret = it;
  return FDX_SUCCESS;
}

FdxStatus
fdx_quad_find_objects(FdxTxn* const       txn,
                      const FdxId         p,
                      const FdxId         o_min,
                      const FdxId         o_max,
                      FdxQuadIter** const ret)
{
  if (!txn || !ret || p == FDX_ID_ANY || o_min > o_max) {
    return FDX_ERR_BAD_ARG;
  }
  FdxQuadIter*    it = NULL;
  const FdxStatus st = iter_acquire(txn, FDX_ORDER_POSG, &it);
  if (st) {
    return st;
  }
  /* Positioned like a pattern with p and o bound (MDB_GET_BOTH_RANGE at
   * the first object), then read on while the object is <= o_max. */
  it->bound      = 2;
  it->ranged     = true;
  it->prefix_len = 8;
  fdx_put_u64(it->key, p);
  fdx_put_u64(it->prefix, o_min);
  fdx_put_u64(it->hi, o_max);
  *ret = it;
  return FDX_SUCCESS;
}

FdxStatus
fdx_quad_find_objects_desc(FdxTxn* const       txn,
                           const FdxId         p,
                           const FdxId         o_min,
                           const FdxId         o_max,
                           FdxQuadIter** const ret)
{
  const FdxStatus st = fdx_quad_find_objects(txn, p, o_min, o_max, ret);
  if (!st) {
    (*ret)->descending = true;
  }
  return st;
}

/* The next quad of a descending object range: positioned first at the
 * last duplicate not above (hi, max, max), then one MDB_PREV_DUP a step
 * until the object falls below the range. */
static FdxStatus
iter_next_desc(FdxQuadIter* const it, FdxQuad* const ret)
{
  MDB_val key = {8, it->key};
  MDB_val val;
  int     rc;
  if (!it->started) {
    it->started = true;
    uint8_t top[VAL_SIZE];
    memcpy(top, it->hi, 8);
    memset(top + 8, 0xff, VAL_SIZE - 8);
    val.mv_size = VAL_SIZE;
    val.mv_data = top;
    rc          = mdb_cursor_get(it->cur, &key, &val, MDB_GET_BOTH_RANGE);
    if (rc == MDB_NOTFOUND) {
      /* No duplicate at or above the top: the key's last one, if any. */
      key.mv_size = 8;
      key.mv_data = it->key;
      rc          = mdb_cursor_get(it->cur, &key, &val, MDB_SET_KEY);
      if (!rc) {
        rc = mdb_cursor_get(it->cur, &key, &val, MDB_LAST_DUP);
      }
    } else if (!rc && val.mv_size == VAL_SIZE &&
               memcmp(val.mv_data, top, VAL_SIZE) > 0) {
      rc = mdb_cursor_get(it->cur, &key, &val, MDB_PREV_DUP);
    }
  } else {
    rc = mdb_cursor_get(it->cur, &key, &val, MDB_PREV_DUP);
  }
  if (rc) {
    it->done = true;
    return rc == MDB_NOTFOUND ? FDX_FAILURE : fdx_lmdb_status(rc);
  }
  if (val.mv_size != VAL_SIZE) {
    it->done = true;
    return FDX_ERR_CORRUPT;
  }
  if (memcmp(val.mv_data, it->prefix, 8) < 0) {
    it->done = true; /* below the lowest object */
    return FDX_FAILURE;
  }
  fdx_quad_from_key(it->order, it->key, (const uint8_t*)val.mv_data, ret);
  return FDX_SUCCESS;
}

/* Close every pooled iterator (before the transaction ends). */
void
fdx_txn_free_spare_iters(FdxTxn* const txn)
{
  while (txn->spare_iters) {
    FdxQuadIter* const it = txn->spare_iters;
    txn->spare_iters      = it->next_spare;
    mdb_cursor_close(it->cur);
    free(it);
  }
  txn->n_spare = 0;
}

/* The first duplicate of the page, from `from`, at or above `bound`
 * (its first `len` bytes compared), by binary search: the duplicates of a
 * page are sorted. */
static size_t
page_lower(const FdxQuadIter* const it, size_t from, const uint8_t* const bound,
           const size_t len, const bool above)
{
  size_t hi = it->page_n;
  while (from < hi) {
    const size_t mid = from + (hi - from) / 2;
    const int    c   = memcmp(it->page + VAL_SIZE * mid, bound, len);
    if (above ? c <= 0 : c < 0) {
      from = mid + 1;
    } else {
      hi = mid;
    }
  }
  return from;
}

/* Narrow a fresh page to the duplicates in the scan's bounds, so that
 * fdx_quad_iter_next() hands them out without comparing each: skip those
 * below the lower bound (MDB_GET_MULTIPLE hands out whole pages, so the
 * first page may start before the position found), and end the page, and
 * the scan, at the first one above the upper bound. */
static void
trim_page(FdxQuadIter* const it)
{
  const uint8_t* lo  = NULL;
  const uint8_t* hi  = NULL;
  size_t         len = 0;
  if (it->ranged) {
    lo  = it->prefix;
    hi  = it->hi;
    len = 8;
  } else if (it->prefix_len) {
    lo = hi = it->prefix;
    len     = it->prefix_len;
  } else {
    return;
  }
  if (it->page_n && memcmp(it->page, lo, len) < 0) {
    it->page_i = page_lower(it, 0, lo, len, false);
  }
  if (it->page_n && memcmp(it->page + VAL_SIZE * (it->page_n - 1), hi, len) > 0) {
    it->page_n    = page_lower(it, it->page_i, hi, len, true);
    it->last_page = true;
  }
}

/* Load the next page of duplicates; `op` positions the cursor first. */
static bool
load_page(FdxQuadIter* const it, MDB_cursor_op op)
{
  MDB_val key, val;
  if (op != MDB_GET_MULTIPLE && op != MDB_NEXT_MULTIPLE) {
    /* Position only; then fetch the page at that position. */
    key.mv_size = 8;
    key.mv_data = it->key;
    if (op == MDB_GET_BOTH_RANGE) {
      uint8_t vbuf[VAL_SIZE] = {0};
      memcpy(vbuf, it->prefix, it->prefix_len);
      val.mv_size = VAL_SIZE;
      val.mv_data = vbuf;
      if (mdb_cursor_get(it->cur, &key, &val, op)) {
        return false;
      }
    } else if (mdb_cursor_get(it->cur, &key, &val, op)) {
      return false;
    }
    memcpy(it->cur_key, key.mv_data, 8);
    op = MDB_GET_MULTIPLE;
  }
  if (mdb_cursor_get(it->cur, &key, &val, op)) {
    return false;
  }
  it->page   = (const uint8_t*)val.mv_data;
  it->page_n = val.mv_size / VAL_SIZE;
  it->page_i = 0;
  trim_page(it);
  return it->page_n > 0 || it->last_page;
}

FdxStatus
fdx_quad_iter_next(FdxQuadIter* const it, FdxQuad* const ret)
{
  if (!it || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  if (it->descending) {
    return it->done ? FDX_FAILURE : iter_next_desc(it, ret);
  }
  while (!it->done) {
    if (it->page && it->page_i < it->page_n) {
      /* trim_page() left only duplicates within the bounds. */
      const uint8_t* const v = it->page + VAL_SIZE * it->page_i++;
      fdx_quad_from_key(it->order, it->cur_key, v, ret);
      return FDX_SUCCESS;
    }
    if (it->last_page) {
      it->done = true; /* the page went past the upper bound */
      break;
    }
    bool more;
    if (!it->started) {
      it->started = true;
      more        = load_page(it, it->bound == 0   ? MDB_FIRST
                                  : it->bound == 1 ? MDB_SET_KEY
                                                   : MDB_GET_BOTH_RANGE);
    } else {
      /* The rest of this key's duplicates, then (unbound) the next key. */
      more = load_page(it, MDB_NEXT_MULTIPLE);
      if (!more && it->bound == 0) {
        more = load_page(it, MDB_NEXT_NODUP);
      }
    }
    if (!more) {
      it->done = true;
    }
  }
  return FDX_FAILURE;
}

void
fdx_quad_iter_free(FdxQuadIter* const it)
{
  if (it) {
    FdxTxn* const txn = it->txn;
    if (txn && txn->n_spare < 32) {
      it->next_spare   = txn->spare_iters;
      txn->spare_iters = it;
      ++txn->n_spare;
      return;
    }
    mdb_cursor_close(it->cur);
    free(it);
  }
}

FdxStatus
fdx_quad_count(FdxTxn* const        txn,
               const FdxQuad* const pattern,
               uint64_t* const      ret)
{
  if (!txn || !pattern || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  int bound;
  (void)pick_order(pattern, &bound);
  if (bound == 0) {
    *ret = txn->meta.quads;
    return FDX_SUCCESS;
  }
  FdxQuadIter* it = NULL;
  FdxStatus    st = fdx_quad_find(txn, pattern, &it);
  if (st) {
    return st;
  }
  uint64_t n = 0;
  if (bound == 1) {
    MDB_val key = {8, it->key};
    MDB_val val;
    int     rc = mdb_cursor_get(it->cur, &key, &val, MDB_SET_KEY);
    size_t  count = 0;
    if (!rc) {
      rc = mdb_cursor_count(it->cur, &count);
    }
    fdx_quad_iter_free(it);
    if (rc && rc != MDB_NOTFOUND) {
      return fdx_lmdb_status(rc);
    }
    *ret = rc ? 0 : count;
    return FDX_SUCCESS;
  }
  FdxQuad q;
  while (!(st = fdx_quad_iter_next(it, &q))) {
    ++n;
  }
  fdx_quad_iter_free(it);
  if (st != FDX_FAILURE) {
    return st;
  }
  *ret = n;
  return FDX_SUCCESS;
}

FdxStatus
fdx_graph_next(FdxTxn* const txn, const FdxId after, FdxId* const ret)
{
  if (!txn || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  if (after == UINT64_MAX) {
    return FDX_FAILURE;
  }
  MDB_cursor* cur = NULL;
  int rc = mdb_cursor_open(txn->txn, txn->store->order[FDX_ORDER_GSPO], &cur);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, after + 1);
  MDB_val key = {8, kbuf};
  MDB_val val;
  rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
  if (!rc) {
    *ret = fdx_get_u64((const uint8_t*)key.mv_data);
  }
  mdb_cursor_close(cur);
  return rc == MDB_NOTFOUND ? FDX_FAILURE : fdx_lmdb_status(rc);
}

FdxStatus
fdx_graph_clear(FdxTxn* const txn, const FdxId g, uint64_t* const ret_removed)
{
  if (!txn || g == FDX_ID_ANY) {
    return FDX_ERR_BAD_ARG;
  }
  if (!txn->write) {
    return FDX_ERR_READ_ONLY;
  }
  /* Collect first: the scan's cursor must not see its table change. */
  const FdxQuad pattern = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, g};
  FdxQuadIter*  it      = NULL;
  FdxStatus     st      = fdx_quad_find(txn, &pattern, &it);
  if (st) {
    return st;
  }
  size_t   n = 0, cap = 0;
  FdxQuad* quads = NULL;
  FdxQuad  q;
  while (!(st = fdx_quad_iter_next(it, &q))) {
    if (n == cap) {
      cap = cap ? cap * 2 : 256;
      FdxQuad* const grown = (FdxQuad*)realloc(quads, cap * sizeof(FdxQuad));
      if (!grown) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      quads = grown;
    }
    quads[n++] = q;
  }
  fdx_quad_iter_free(it);
  if (st != FDX_FAILURE) {
    free(quads);
    return st;
  }
  st = FDX_SUCCESS;
  for (size_t i = 0; i < n && !st; ++i) {
    st = fdx_quad_remove(txn, &quads[i]);
  }
  free(quads);
  if (!st && ret_removed) {
    *ret_removed = n;
  }
  return st;
}
