/*
 * changes.c: the change feed, one record per commit that changed the quads
 * of a DCAT resource, written in the commit's own transaction.
 *
 * Invariant: the record under generation G lists exactly the (graph,
 * subject) pairs that the commit which made the generation G changed and
 * that are typed dcat:Dataset, dcat:DataService, dcat:DatasetSeries or
 * dcat:Catalog in that graph after the commit, or were before it; each
 * with UPSERT if the subject has quads left in the graph, DELETE if not.
 * Since the record and the quads commit together, a reader that has
 * applied the records up to G holds the DCAT resources as generation G
 * has them.
 *
 * Why the work is split between the writes and the commit.  Deciding
 * "typed" and "has quads left" needs the state after the commit, and a
 * transaction may add and remove the same quad many times, so the write
 * paths only note which pairs they touched and the commit decides once
 * per pair.  Noting must be cheap enough for the bulk loader's inner
 * loop (millions of quads): it is an append to an array in the
 * transaction, skipped when the pair is the one noted last.  Writes come
 * grouped by subject (the loader writes in SPOG order, fdx_graph_clear()
 * in GSPO order), so the array holds about one entry per subject touched;
 * when it fills it is sorted and deduplicated before it grows, so memory
 * follows the number of distinct pairs, not of quads.
 *
 * "Typed before the commit" is not looked up: the quads before the commit
 * are gone by then.  It is enough to know which pairs lost a quad that
 * typed them, as a typed subject that lost no type quad is still typed
 * after; removals of such quads are noted in a second, small list.  So
 * at commit, for each distinct pair:
 *   typed_after  = a quad (s, rdf:type, C, g) exists, C one of the four;
 *   typed_before = typed_after or the pair lost such a quad;
 *   entry        = typed_after  ? UPSERT
 *                : typed_before ? (any quad (s, ?, ?, g) ? UPSERT : DELETE)
 *                : none.
 * A type quad added and removed in one transaction thus gives a DELETE of
 * a subject no reader saw, which readers ignore.
 *
 * Record: key the generation (8 bytes, big-endian, so LMDB's order is
 * commit order), value the entries sorted by (graph, subject), 17 bytes
 * each: graph id, subject id, op byte.  No entries, no record.
 */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#define ENTRY_SIZE 17
#define VAL_SIZE 24

/* A list this long is compacted (sorted, deduplicated) before it grows. */
#define COMPACT_MIN ((size_t)1 << 14)

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define DCAT "http://www.w3.org/ns/dcat#"

static const char* const feed_classes[4] = {
  DCAT "Dataset", DCAT "DataService", DCAT "DatasetSeries", DCAT "Catalog"};

/* ------------------------------------------------------------------------
 * Touched pairs
 * --------------------------------------------------------------------- */

static int
touched_cmp(const void* const va, const void* const vb)
{
  const FdxTouched* const a = (const FdxTouched*)va;
  const FdxTouched* const b = (const FdxTouched*)vb;
  if (a->g != b->g) {
    return a->g < b->g ? -1 : 1;
  }
  if (a->s != b->s) {
    return a->s < b->s ? -1 : 1;
  }
  return 0;
}

void
fdx_touched_compact(FdxTouchedList* const list)
{
  if (list->n < 2) {
    return;
  }
  qsort(list->items, list->n, sizeof(FdxTouched), touched_cmp);
  size_t u = 1;
  for (size_t i = 1; i < list->n; ++i) {
    if (touched_cmp(&list->items[i], &list->items[u - 1])) {
      list->items[u++] = list->items[i];
    }
  }
  list->n = u;
}

/* Append (g, s) to `list`, with no check for a repeat. */
static void
touched_append(FdxTxn* const         txn,
               FdxTouchedList* const list,
               const FdxId           g,
               const FdxId           s)
{
  if (list->n == list->cap) {
    /* Sorting a long list first often frees enough room; grow only if
     * it stays more than half full, so each sort is paid for by as many
     * appends as it leaves room for. */
    if (list->n >= COMPACT_MIN) {
      fdx_touched_compact(list);
    }
    if (list->n * 2 > list->cap || !list->cap) {
      const size_t      cap   = list->cap ? list->cap * 2 : 256;
      FdxTouched* const grown =
        (FdxTouched*)realloc(list->items, cap * sizeof(FdxTouched));
      if (!grown) {
        txn->feed_status = FDX_ERR_NO_MEMORY;
        return;
      }
      list->items = grown;
      list->cap   = cap;
    }
  }
  list->items[list->n++] = (FdxTouched){g, s};
}

void
fdx_feed_grow(FdxTxn* const         txn,
              FdxTouchedList* const list,
              const FdxId           g,
              const FdxId           s)
{
  touched_append(txn, list, g, s);
}

void
fdx_feed_free(FdxTxn* const txn)
{
  free(txn->touched.items);
  free(txn->untyped.items);
  free(txn->relabeled.items);
  memset(&txn->touched, 0, sizeof(txn->touched));
  memset(&txn->untyped, 0, sizeof(txn->untyped));
  memset(&txn->relabeled, 0, sizeof(txn->relabeled));
}

/* ------------------------------------------------------------------------
 * The ids of rdf:type and the DCAT classes
 * --------------------------------------------------------------------- */

FdxStatus
fdx_iri_id(FdxTxn* const txn, const char* const iri, FdxId* const ret)
{
  const FdxTerm   term = fdx_term_iri(iri);
  const FdxStatus st   = fdx_term_id(txn, &term, ret);
  if (st == FDX_FAILURE) {
    *ret = 0;
    return FDX_SUCCESS;
  }
  return st;
}

/* Make txn->feed_ids current.  Terms are never removed and never change
 * id, so once all five are found they stay right; an absent one is looked
 * up again only after the dictionary has grown. */
static FdxStatus
feed_ids_refresh(FdxTxn* const txn)
{
  FdxFeedIds* const ids = &txn->feed_ids;
  if (ids->known && ids->next_term == txn->meta.next_term) {
    return FDX_SUCCESS;
  }
  bool all = ids->known && ids->type;
  for (int i = 0; i < 4 && all; ++i) {
    all = ids->classes[i] != 0;
  }
  if (all) {
    ids->next_term = txn->meta.next_term;
    return FDX_SUCCESS;
  }
  FdxStatus st = fdx_iri_id(txn, RDF_TYPE, &ids->type);
  for (int i = 0; i < 4 && !st; ++i) {
    st = fdx_iri_id(txn, feed_classes[i], &ids->classes[i]);
  }
  ids->known     = !st;
  ids->next_term = txn->meta.next_term;
  return st;
}

static bool
is_feed_class(const FdxFeedIds* const ids, const FdxId o)
{
  for (int i = 0; i < 4; ++i) {
    if (ids->classes[i] && ids->classes[i] == o) {
      return true;
    }
  }
  return false;
}

void
fdx_feed_note_removed(FdxTxn* const txn, const FdxQuad* const quad)
{
  fdx_feed_note(txn, quad->g, quad->s);
  /* Most removals are not type quads: compare with the cached id first. */
  if (txn->feed_ids.known && txn->feed_ids.type &&
      quad->p != txn->feed_ids.type) {
    return;
  }
  const FdxStatus st = feed_ids_refresh(txn);
  if (st) {
    txn->feed_status = st;
    return;
  }
  const FdxFeedIds* const ids = &txn->feed_ids;
  if (ids->type && quad->p == ids->type && is_feed_class(ids, quad->o)) {
    FdxTouchedList* const list = &txn->untyped;
    if (!list->n || list->items[list->n - 1].g != quad->g ||
        list->items[list->n - 1].s != quad->s) {
      touched_append(txn, list, quad->g, quad->s);
    }
  }
}

/* ------------------------------------------------------------------------
 * Deciding at commit
 * --------------------------------------------------------------------- */

/* Is (s, rdf:type, C, g) stored for one of the feed's classes?  One exact
 * look-up per class the dictionary holds: walking all of the subject's
 * type quads instead would cost, for a subject typed in thousands of
 * graphs, thousands of steps for each of those graphs. */
static FdxStatus
typed_in(MDB_cursor* const       spog,
         const FdxFeedIds* const ids,
         const FdxId             g,
         const FdxId             s,
         bool* const             ret)
{
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, s);
  for (int i = 0; i < 4; ++i) {
    if (!ids->classes[i]) {
      continue;
    }
    uint8_t vbuf[VAL_SIZE];
    fdx_put_u64(vbuf, ids->type);
    fdx_put_u64(vbuf + 8, ids->classes[i]);
    fdx_put_u64(vbuf + 16, g);
    MDB_val   key = {8, kbuf};
    MDB_val   val = {VAL_SIZE, vbuf};
    const int rc  = mdb_cursor_get(spog, &key, &val, MDB_GET_BOTH);
    if (!rc) {
      *ret = true;
      return FDX_SUCCESS;
    }
    if (rc != MDB_NOTFOUND) {
      return fdx_lmdb_status(rc);
    }
  }
  *ret = false;
  return FDX_SUCCESS;
}

/* Decide each touched pair; append its entry to `out` (room for one entry
 * per touched pair) and return the number of entries. */
static FdxStatus
decide(FdxTxn* const txn, uint8_t* const out, size_t* const ret_n)
{
  const FdxFeedIds* const ids  = &txn->feed_ids;
  MDB_cursor*             spog = NULL;
  MDB_cursor*             gspo = NULL;
  int rc = mdb_cursor_open(txn->txn, txn->store->order[FDX_ORDER_SPOG], &spog);
  if (!rc) {
    rc = mdb_cursor_open(txn->txn, txn->store->order[FDX_ORDER_GSPO], &gspo);
  }
  FdxStatus st = fdx_lmdb_status(rc);

  const FdxTouchedList* const touched = &txn->touched;
  const FdxTouchedList* const untyped = &txn->untyped;
  size_t                      u       = 0; /* next in `untyped` */
  size_t                      n       = 0;
  for (size_t i = 0; i < touched->n && !st; ++i) {
    const FdxTouched* const t = &touched->items[i];
    /* Both lists are sorted, and every untyped pair was touched. */
    while (u < untyped->n && touched_cmp(&untyped->items[u], t) < 0) {
      ++u;
    }
    const bool lost_type =
      u < untyped->n && !touched_cmp(&untyped->items[u], t);
    bool typed   = false;
    bool present = true;
    if ((st = typed_in(spog, ids, t->g, t->s, &typed))) {
      break;
    }
    if (!typed && !lost_type) {
      continue;
    }
    if (!typed && (st = fdx_prefix2_exists(gspo, t->g, t->s, &present))) {
      break;
    }
    uint8_t* const e = out + ENTRY_SIZE * n++;
    fdx_put_u64(e, t->g);
    fdx_put_u64(e + 8, t->s);
    e[16] = (uint8_t)(present ? FDX_CHANGE_UPSERT : FDX_CHANGE_DELETE);
  }
  if (spog) {
    mdb_cursor_close(spog);
  }
  if (gspo) {
    mdb_cursor_close(gspo);
  }
  if (!st) {
    *ret_n = n;
  }
  return st;
}

FdxStatus
fdx_feed_commit(FdxTxn* const txn)
{
  FdxStatus st = txn->feed_status;
  if (st || !txn->touched.n || !txn->store->has_changes) {
    return st;
  }
  if ((st = feed_ids_refresh(txn))) {
    return st;
  }
  bool any_class = false;
  for (int i = 0; i < 4; ++i) {
    any_class = any_class || txn->feed_ids.classes[i];
  }
  if (!txn->feed_ids.type || !any_class) {
    return FDX_SUCCESS; /* nothing can be typed, or have lost a type */
  }
  fdx_touched_compact(&txn->touched);
  fdx_touched_compact(&txn->untyped);

  uint8_t* const out = (uint8_t*)malloc(txn->touched.n * ENTRY_SIZE);
  if (!out) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t n = 0;
  if (!(st = decide(txn, out, &n)) && n) {
    uint8_t kbuf[8];
    fdx_put_u64(kbuf, txn->meta.generation);
    MDB_val key = {8, kbuf};
    MDB_val val = {n * ENTRY_SIZE, out};
    st = fdx_lmdb_status(mdb_put(txn->txn, txn->store->changes, &key, &val, 0));
  }
  free(out);
  return st;
}

/* ------------------------------------------------------------------------
 * Reading
 * --------------------------------------------------------------------- */

FdxStatus
fdx_changes_read(FdxTxn* const       txn,
                 const uint64_t      since,
                 const uint64_t      limit,
                 const FdxChangeFunc fn,
                 void* const         ctx,
                 uint64_t* const     ret_next)
{
  if (!txn || !fn) {
    return FDX_ERR_BAD_ARG;
  }
  const uint64_t now = txn->meta.generation;
  if (since >= now || !txn->store->has_changes) {
    if (ret_next) {
      *ret_next = now;
    }
    return FDX_SUCCESS;
  }
  MDB_cursor* cur = NULL;
  int         rc  = mdb_cursor_open(txn->txn, txn->store->changes, &cur);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, since + 1);
  MDB_val   key   = {8, kbuf};
  MDB_val   val;
  FdxStatus st    = FDX_SUCCESS;
  uint64_t  given = 0;
  uint64_t  last  = 0;
  bool      first = true;
  bool      more  = false;
  for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); !rc;
       rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
    if (key.mv_size != 8 || !val.mv_size || val.mv_size % ENTRY_SIZE) {
      st = FDX_ERR_CORRUPT;
      break;
    }
    const size_t n = val.mv_size / ENTRY_SIZE;
    if (!first && given + n > limit) {
      more = true;
      break;
    }
    FdxChange change;
    change.generation = fdx_get_u64((const uint8_t*)key.mv_data);
    for (size_t i = 0; i < n && !st; ++i) {
      const uint8_t* const e = (const uint8_t*)val.mv_data + ENTRY_SIZE * i;
      if (e[16] != FDX_CHANGE_UPSERT && e[16] != FDX_CHANGE_DELETE) {
        st = FDX_ERR_CORRUPT;
        break;
      }
      change.graph   = fdx_get_u64(e);
      change.subject = fdx_get_u64(e + 8);
      change.op      = (FdxChangeOp)e[16];
      st             = fn(ctx, &change);
    }
    if (st) {
      break;
    }
    given += n;
    last  = change.generation;
    first = false;
  }
  mdb_cursor_close(cur);
  if (st) {
    return st;
  }
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  if (ret_next) {
    *ret_next = more || last > now ? last : now;
  }
  return FDX_SUCCESS;
}
