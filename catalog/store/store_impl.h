/*
 * store_impl.h: what the store's source files share and nobody else sees.
 *
 * Layout of the LMDB environment (one directory, one data file):
 *
 *   meta      string key -> value: schema version, generation, counters.
 *   id2term   8-byte big-endian sequence number -> term bytes.
 *   term2id   term bytes (or, for long terms, a prefix and a 128-bit hash)
 *             -> 8-byte id, DUPSORT|DUPFIXED so hash collisions can coexist.
 *   spog posg ospg gspo gpos ogsp
 *             the six quad orderings: key = first id (8 bytes), duplicates =
 *             the other three ids (24 bytes), DUPSORT|DUPFIXED.  Ids are
 *             big-endian so LMDB's byte order is id order.  Six is the least
 *             number of orderings in which every set of bound positions of a
 *             quad is the prefix of one of them (each ordering has exactly
 *             one two-position prefix, and there are six pairs).  Every
 *             pattern that leaves the graph open has an ordering with the
 *             graph last (SPOG, POSG, OSPG come first, so they are chosen),
 *             so the copies of one triple in several graphs arrive next to
 *             each other and SPARQL's union default graph drops them cheaply.
 *   pstats    8-byte predicate id -> quads, subjects, objects (3 x u64 BE).
 *   changes   (schema 3) the change feed: 8-byte big-endian generation ->
 *             the commit's entries, 17 bytes each: graph id, subject id
 *             (8 bytes BE each), op byte (FdxChangeOp); sorted by (graph,
 *             subject), one entry per pair.  Commits that touched no DCAT
 *             resource have no record.  See changes.c.
 *   aux       (schema 3) the auxiliary tables: table name, NUL, key bytes
 *             -> value bytes.  The NUL sorts a table's keys together and
 *             before those of any table whose name it prefixes ("a" before
 *             "ab").  See aux.c.
 *
 *   search_terms search_tids search_postings search_docs search_forward
 *   search_keys
 *             (schema 4) the full-text search index, written by the
 *             commit; see catalog/search/search_impl.h.
 *
 * Eighteen named tables in all; open_env() allows FDX_MAX_DBS.  A
 * version-2 store lacks `changes` and `aux`, a version-3 store the search
 * tables: opened for writing it gains them (and version 4, and the search
 * index is built from its quads); opened read-only it reads the feed and
 * aux tables as empty (has_changes, has_aux false) and has no search
 * (has_search false).
 *
 * Term bytes: one kind byte then the content.  'I' iri | 'B' label |
 * 'S' lexical | 'L' lang NUL lexical | 'T' datatype NUL lexical.
 */
#ifndef FDX_STORE_IMPL_H
#define FDX_STORE_IMPL_H

#include "fairdex/store.h"

#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define FDX_N_ORDERS 6

/* The most named tables an environment may open (LMDB's maxdbs): the 18
 * of schema 4 and room to grow. */
#define FDX_MAX_DBS 24

typedef enum {
  FDX_ORDER_SPOG = 0,
  FDX_ORDER_POSG = 1,
  FDX_ORDER_OSPG = 2,
  FDX_ORDER_GSPO = 3,
  FDX_ORDER_GPOS = 4,
  FDX_ORDER_OGSP = 5
} FdxOrder;

/* Positions within FdxQuad, in the order of its fields. */
enum { POS_S = 0, POS_P = 1, POS_O = 2, POS_G = 3 };

/* For each ordering, which quad position comes first, second, ... */
extern const int fdx_order_positions[FDX_N_ORDERS][4];

/* Long terms: keys shorter than this are the term bytes themselves; longer
 * terms are keyed by their first FDX_LONG_PREFIX bytes and a 16-byte hash,
 * so every long key is exactly FDX_LONG_KEY bytes. */
#define FDX_LONG_KEY 480
#define FDX_LONG_PREFIX (FDX_LONG_KEY - 16)

typedef struct {
  uint64_t generation;
  uint64_t next_term; /* next dictionary sequence number */
  uint64_t quads;
  uint64_t graphs;
  uint64_t predicates;
  uint64_t terms;
  uint64_t bnode_scope; /* last scope handed out for blank node labels */
} FdxMeta;

struct FdxStoreImpl {
  MDB_env*         env;
  MDB_dbi          meta;
  MDB_dbi          id2term;
  MDB_dbi          term2id;
  MDB_dbi          order[FDX_N_ORDERS];
  MDB_dbi          pstats;
  MDB_dbi          changes;
  MDB_dbi          aux;
  bool             has_changes; /* false: a version-2 store, read-only */
  bool             has_aux;
  MDB_dbi          search_terms;
  MDB_dbi          search_tids;
  MDB_dbi          search_postings;
  MDB_dbi          search_docs;
  MDB_dbi          search_forward;
  MDB_dbi          search_keys;
  bool             has_search;   /* false: an older store, read-only */
  bool             search_stale; /* upgraded at open: rebuild the index */
  double           search_seconds; /* spent keeping it, by this handle */
  /* Ids of the label predicates fdx_search_label() reads, once found (ids
   * never change); 0 until the dictionary has the IRI. */
  pthread_mutex_t  label_lock;
  FdxId            label_preds[8];
  uint64_t         label_next_term; /* the dictionary's size at the look-up */
  uint64_t         map_size;
  size_t           max_term_bytes;
  unsigned         flags;
  bool             open;
  pthread_rwlock_t resize_lock; /* held shared by every live transaction */
  char*            dir;
  void*            map_addr; /* where the data file is mapped, once found */
  uint64_t         last_commit_mapped; /* fdx_store_last_commit_mapped() */
  uint64_t         instance; /* see fdx_store_instance() */
  uint64_t         min_free_disk; /* fdx_store_set_min_free_disk() */
  /* The search index's in-memory copy of its document records, kept for
   * servers (catalog/search/columns.c owns what `current` points at and
   * frees it through free_fn; the store only holds it). */
  struct {
    pthread_mutex_t lock;
    bool            on;
    bool            building;
    double          not_before; /* no rebuild before (CLOCK_MONOTONIC s) */
    void*           current;
    void            (*free_fn)(void*);
    pthread_t       thread; /* the latest background build */
    bool            thread_live; /* not joined yet */
  } search_columns;
};

/* FDX_ERR_NO_SPACE when the disk of the store has less free than a
 * margin, else FDX_SUCCESS (also when it cannot tell).  Writers check it
 * before writing and every so often while writing: LMDB writes through
 * the map (MDB_WRITEMAP), where a full disk is not an error but SIGBUS. */
FdxStatus
fdx_store_check_space(const FdxStore* store);

/* A (graph, subject) pair whose quads a transaction changed. */
typedef struct {
  FdxId g;
  FdxId s;
} FdxTouched;

/* A growable list of touched pairs (changes.c). */
typedef struct {
  FdxTouched* items;
  size_t      n;
  size_t      cap;
} FdxTouchedList;

/* The ids of rdf:type and of the four DCAT classes the feed follows, as a
 * transaction last looked them up (0: not in the dictionary). */
typedef struct {
  bool     known;
  uint64_t next_term; /* the dictionary's next_term at the look-up */
  FdxId    type;
  FdxId    classes[4];
} FdxFeedIds;

/* The terms a write transaction interned and their ids, so a harvest
 * batch that names the same predicates, classes and publishers in every
 * record looks each up in term2id once (dict.c).  Open addressing over
 * (hash, offset into `bytes`); a slot with id 0 is empty.  Bounded: it
 * starts over when full. */
typedef struct {
  uint64_t hash;
  uint32_t offset;
  uint32_t len;
  FdxId    id;
} FdxTermCacheSlot;

typedef struct {
  FdxTermCacheSlot* slots;
  size_t            n_slots; /* a power of two, or 0 */
  size_t            n;
  uint8_t*          bytes;
  size_t            bytes_len;
  size_t            bytes_cap;
} FdxTermCache;

struct FdxTxnImpl {
  FdxStore* store;
  MDB_txn*  txn;
  bool      write;
  bool      meta_dirty;
  bool      quads_changed;
  uint64_t  cursor_calls; /* writes, for the trim (fdx_txn_count_writes) */
  uint64_t  last_mapped; /* mapped bytes at the last look (the trim's) */
  uint64_t  trim_floor; /* mapped bytes the last trim left (its dirty
                           pages; see lmdb_env.c, "Resident set") */
  FdxMeta   meta;
  /* Cursors kept open for the life of a write transaction. */
  MDB_cursor* cur[FDX_N_ORDERS];
  MDB_cursor* cur_pstats;
  /* Freed scan iterators kept for reuse (quads.c). */
  FdxQuadIter* spare_iters;
  unsigned     n_spare;
  /* The change feed's bookkeeping (changes.c): every (g, s) whose quads
   * changed, and those that lost a quad typing them with a DCAT class. */
  FdxTouchedList touched;
  FdxTouchedList untyped;
  /* Subjects (in .s; .g is 0) whose description in the union of the graphs
   * changed: a quad added whose triple no other graph held, or removed
   * whose triple no other graph holds.  Search follows only these back to
   * documents in other graphs (their labels come from the union). */
  FdxTouchedList relabeled;
  FdxFeedIds     feed_ids;
  FdxStatus      feed_status; /* a failure to record, reported at commit */
  FdxTermCache   term_cache;
};

/* Free the transaction's term cache (when it ends, either way). */
void
fdx_term_cache_free(FdxTxn* txn);

/* Close the pooled scan iterators; called before the transaction ends. */
void
fdx_txn_free_spare_iters(FdxTxn* txn);

/* Map an LMDB return code to a status. */
FdxStatus
fdx_lmdb_status(int rc);

/* Whether `q` is an RDF quad the store may hold: an IRI or blank node as
 * subject, an IRI as predicate, any term as object, and the default graph,
 * an IRI or a blank node as graph.  Not FDX_ID_ANY anywhere, and no id of
 * an unknown tag (a literal subject would otherwise be stored, and dumped
 * as N-Quads no reader takes back). */
static inline bool
fdx_quad_ids_valid(const FdxQuad* const q)
{
  const FdxIdTag s = fdx_id_tag(q->s);
  const FdxIdTag o = fdx_id_tag(q->o);
  const FdxIdTag g = fdx_id_tag(q->g);
  return (s == FDX_TAG_BLANK || s == FDX_TAG_IRI) &&
         fdx_id_tag(q->p) == FDX_TAG_IRI && o >= FDX_TAG_BLANK &&
         o <= FDX_TAG_DATETIME &&
         (q->g == FDX_ID_DEFAULT_GRAPH || g == FDX_TAG_IRI ||
          g == FDX_TAG_BLANK);
}

/* Big-endian 64-bit integers in keys (one byte swap on little-endian
 * machines; these sit on every scan's inner loop). */
static inline void
fdx_put_u64(uint8_t* const out, const uint64_t v)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const uint64_t be = __builtin_bswap64(v);
  memcpy(out, &be, 8);
#else
  for (int i = 7; i >= 0; --i) {
    out[7 - i] = (uint8_t)(v >> (8 * i));
  }
#endif
}

static inline uint64_t
fdx_get_u64(const uint8_t* const in)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t be;
  memcpy(&be, in, 8);
  return __builtin_bswap64(be);
#else
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | in[i];
  }
  return v;
#endif
}

/* Serialize `term` into kind-byte form.  Returns a new buffer in *ret and
 * its length, or an error. */
FdxStatus
fdx_term_encode(const FdxTerm* term, uint8_t** ret, size_t* ret_len);

/* Serialize `term` into `buf` of `cap` bytes.  If it does not fit, return
 * FDX_FAILURE with the needed size in *ret_len. */
FdxStatus
fdx_term_encode_into(const FdxTerm* term,
                     uint8_t*       buf,
                     size_t         cap,
                     size_t*        ret_len);

/* Find or add term bytes (write transaction). */
FdxStatus
fdx_dict_intern(FdxTxn* txn, const uint8_t* bytes, size_t len, FdxId* ret_id);

/* Statistics helpers shared by quads.c and loader.c. */
FdxStatus
fdx_pstats_adjust(FdxTxn* txn,
                  FdxId   p,
                  int64_t dquads,
                  int64_t dsubjects,
                  int64_t dobjects);

/* Does any quad start with the two ids a, b in the ordering `cur` walks
 * (key a, first value id b)? */
FdxStatus
fdx_prefix2_exists(MDB_cursor* cur, FdxId a, FdxId b, bool* ret);

/* Ensure the write transaction's cursors are open. */
FdxStatus
fdx_txn_cursors(FdxTxn* txn);

/* Count `n` quads written (or found there) by a write transaction; every
 * TRIM_CHECK_QUADS of them its mapped pages are kept in budget and the
 * disk's room is checked (fdx_txn_cursors() counts one per call). */
FdxStatus
fdx_txn_count_writes(FdxTxn* txn, uint64_t n);

/* A term already serialized (term bytes), or an id when `bytes` is NULL
 * (an inlined value, or FDX_ID_DEFAULT_GRAPH). */
typedef struct {
  const uint8_t* bytes;
  size_t         len;
  FdxId          id;
} FdxEncodedTerm;

/* Add a quad of encoded terms (s, p, o, g) to a bulk load: the fast path
 * for parsers that serialize terms in another thread. */
FdxStatus
fdx_loader_add_encoded(FdxLoader* loader, const FdxEncodedTerm* terms);

/* Grow the map, if needed, so that `bytes` more fit (no transaction of
 * this process may be open).  Saves the reruns a full map costs. */
FdxStatus
fdx_store_reserve(FdxStore* store, uint64_t bytes);

/* Unmap the pages of the map from this process (they stay in the page
 * cache, dirty ones included: the map is MAP_SHARED), so a long bulk load
 * does not count the whole store in its resident set. */
void
fdx_store_drop_mapped_pages(FdxStore* store);

/* Drop the mapped pages, as above, only if this process's file-backed
 * resident set is over `budget` bytes (read from /proc/self/statm; where
 * that cannot be read, drop).  Cheap enough to call every few thousand
 * writes, so the resident set follows the budget, not a fixed schedule. */
void
fdx_store_trim_mapped_pages(FdxStore* store, uint64_t budget);

/* ------------------------------------------------------------------------
 * Change feed bookkeeping (changes.c)
 * --------------------------------------------------------------------- */

/* Append (g, s) to `list`, growing (or compacting) it: the slow path of
 * fdx_feed_note().  Out of memory is kept in txn->feed_status. */
void
fdx_feed_grow(FdxTxn* txn, FdxTouchedList* list, FdxId g, FdxId s);

/* Note that the quads of `s` in graph `g` changed.  Cheap enough for the
 * bulk loader's inner loop: an append, skipped when the pair is the one
 * noted last.  Never fails: running out of memory is kept in
 * txn->feed_status and fails the commit. */
static inline void
fdx_feed_note(FdxTxn* const txn, const FdxId g, const FdxId s)
{
  FdxTouchedList* const list = &txn->touched;
  if (list->n && list->items[list->n - 1].s == s &&
      list->items[list->n - 1].g == g) {
    return;
  }
  if (list->n < list->cap) {
    list->items[list->n++] = (FdxTouched){g, s};
    return;
  }
  fdx_feed_grow(txn, list, g, s);
}

/* Note that the union description of `s` changed (see
 * FdxTxn.relabeled). */
static inline void
fdx_relabel_note(FdxTxn* const txn, const FdxId s)
{
  FdxTouchedList* const list = &txn->relabeled;
  if (list->n && list->items[list->n - 1].s == s) {
    return;
  }
  if (list->n < list->cap) {
    list->items[list->n++] = (FdxTouched){0, s};
    return;
  }
  fdx_feed_grow(txn, list, 0, s);
}

/* Note the removal of `quad` (after it succeeded). */
void
fdx_feed_note_removed(FdxTxn* txn, const FdxQuad* quad);

/* Write the change feed record of a committing transaction that changed
 * quads, under its new generation txn->meta.generation (before the LMDB
 * commit). */
FdxStatus
fdx_feed_commit(FdxTxn* txn);

/* Free the bookkeeping (when the transaction ends, either way). */
void
fdx_feed_free(FdxTxn* txn);

/* The id of the IRI `iri`, or 0 if the dictionary lacks it (changes.c). */
FdxStatus
fdx_iri_id(FdxTxn* txn, const char* iri, FdxId* ret);

/* Sort `list` by (g, s) and drop duplicates (changes.c). */
void
fdx_touched_compact(FdxTouchedList* list);

/* Bring the search index in line with the quads the committing
 * transaction changed (catalog/search/index.c); called by fdx_txn_commit()
 * after the change feed, before LMDB commits. */
FdxStatus
fdx_search_commit(FdxTxn* txn);

/* Take the next blank node scope (write transaction). */
uint64_t
fdx_txn_next_bnode_scope(FdxTxn* txn);

#endif /* FDX_STORE_IMPL_H */
