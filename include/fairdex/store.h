/*
 * fairdex/store.h: the quad store, fairdex's single source of truth.
 *
 * A store is one directory holding one LMDB environment.  It keeps RDF quads
 * (subject, predicate, object, graph) as 64-bit term ids in six orderings, so
 * that any quad pattern, with any positions bound, is one range scan.  Terms
 * are kept in a dictionary; integers, decimals, booleans, dates and
 * date-times in canonical form are packed into the id itself and sort by
 * value.
 *
 * Lifetimes (read this once): every pointer the store hands out (a decoded
 * term's strings, an iterator) is *borrowed* and stays valid until the
 * transaction it came from ends, unless the function says otherwise.  One
 * process may hold one write transaction at a time per store; any number of
 * read transactions may run in any threads and processes, and are never
 * blocked by the writer.  A transaction must only be used by the thread that
 * began it.
 *
 * Errors: every function that can fail returns an FdxStatus (status.h).
 */
#ifndef FAIRDEX_STORE_H
#define FAIRDEX_STORE_H

#include "fairdex/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Term ids
 * --------------------------------------------------------------------- */

/**
 * A term id.  The top four bits are a tag (see FdxIdTag); the rest is either
 * a dictionary sequence number or an inlined value.  Ids of one tag sort
 * among themselves by value for the inlined tags; the tags sort in the
 * order listed, which is SPARQL's order of term kinds (blank nodes, IRIs,
 * literals).
 */
typedef uint64_t FdxId;

/** In a pattern: any term.  Never the id of a stored term. */
#define FDX_ID_ANY ((FdxId)0)
/** The graph id of the default graph. */
#define FDX_ID_DEFAULT_GRAPH ((FdxId)1)

typedef enum {
  FDX_TAG_SPECIAL  = 0, /**< FDX_ID_ANY and FDX_ID_DEFAULT_GRAPH. */
  FDX_TAG_BLANK    = 1, /**< A blank node (dictionary). */
  FDX_TAG_IRI      = 2, /**< An IRI (dictionary). */
  FDX_TAG_SIMPLE   = 3, /**< A literal without language or datatype. */
  FDX_TAG_LANG     = 4, /**< A literal with a language tag. */
  FDX_TAG_TYPED    = 5, /**< A typed literal that is not inlined. */
  FDX_TAG_INTEGER  = 6, /**< Inlined canonical xsd:integer. */
  FDX_TAG_DECIMAL  = 7, /**< Inlined canonical xsd:decimal. */
  FDX_TAG_BOOLEAN  = 8, /**< Inlined xsd:boolean "true"/"false". */
  FDX_TAG_DATE     = 9, /**< Inlined canonical xsd:date. */
  FDX_TAG_DATETIME = 10 /**< Inlined canonical xsd:dateTime. */
} FdxIdTag;

/** The tag of `id`. */
static inline FdxIdTag
fdx_id_tag(FdxId id)
{
  return (FdxIdTag)(id >> 60);
}

/** True if `id` carries its value and needs no dictionary look-up. */
static inline bool
fdx_id_is_inline(FdxId id)
{
  return fdx_id_tag(id) >= FDX_TAG_INTEGER;
}

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

typedef enum {
  FDX_TERM_IRI     = 1,
  FDX_TERM_BLANK   = 2,
  FDX_TERM_LITERAL = 3
} FdxTermKind;

/**
 * An RDF term as a view over strings someone else owns.  Strings are not
 * NUL-terminated in general; lengths are in bytes.  For a blank node `value`
 * is the label without "_:".  A literal has at most one of `lang` and
 * `datatype`; a literal with neither is a simple literal (xsd:string, which
 * is how "x"^^xsd:string is stored too, as RDF 1.1 makes them the same term).
 */
typedef struct {
  FdxTermKind kind;
  const char* value;
  size_t      value_len;
  const char* lang;     /**< Language tag, or NULL. */
  size_t      lang_len;
  const char* datatype; /**< Datatype IRI, or NULL. */
  size_t      datatype_len;
} FdxTerm;

/** Room for a decoded term: inlined values are written into `scratch`. */
typedef struct {
  FdxTerm term;
  char    scratch[96];
} FdxTermBuf;

/** Make an IRI term view of the NUL-terminated `iri` (borrowed). */
FdxTerm
fdx_term_iri(const char* iri);

/** Make a simple literal term view of the NUL-terminated `lex` (borrowed). */
FdxTerm
fdx_term_literal(const char* lex, const char* lang, const char* datatype);

/**
 * If `term` is a literal that fits in an id (canonical lexical form of
 * xsd:integer, xsd:decimal, xsd:boolean, xsd:date or xsd:dateTime), set
 * `*ret_id` and return true.  Decoding the id gives back the same bytes.
 */
bool
fdx_term_inline(const FdxTerm* term, FdxId* ret_id);

/* ------------------------------------------------------------------------
 * Store
 * --------------------------------------------------------------------- */

typedef struct FdxStoreImpl FdxStore;
typedef struct FdxTxnImpl   FdxTxn;

/** Flags for fdx_store_open(). */
enum {
  FDX_STORE_CREATE    = 1u << 0, /**< Create the directory and store. */
  FDX_STORE_READ_ONLY = 1u << 1, /**< Open for reading only. */
  FDX_STORE_NO_SYNC   = 1u << 2  /**< Do not fsync on commit (tests). */
};

/** Default limit on the size of one term in bytes (16 MiB). */
#define FDX_DEFAULT_MAX_TERM_BYTES ((size_t)16 << 20)

/**
 * The store layout version this build writes; newer stores are refused.
 * Version 3 added the change feed and the auxiliary tables, version 4 the
 * search index (fairdex/search.h): an older store opened for writing is
 * upgraded in place (and its search index built), and one opened
 * read-only reads as having an empty feed, empty auxiliary tables and no
 * search index.  Version 1 is refused.
 */
#define FDX_STORE_SCHEMA_VERSION 4

/**
 * Create an unopened store handle.  Fails only for lack of memory.  Configure
 * it with the setters below, then call fdx_store_open().
 */
FdxStatus
fdx_store_new(FdxStore** ret_store);

/**
 * Set the initial map size in bytes (default 1 GiB; a store that has grown
 * keeps its larger size).  The map grows by itself when full; a small value
 * is only useful in tests.  Only before fdx_store_open().
 */
FdxStatus
fdx_store_set_map_size(FdxStore* store, uint64_t bytes);

/** Set the largest term accepted, in bytes.  Only before opening. */
FdxStatus
fdx_store_set_max_term_bytes(FdxStore* store, size_t bytes);

/**
 * Open the store in directory `dir` with FDX_STORE_* `flags`.  Clears stale
 * reader slots left by crashed processes, checks the schema version
 * (FDX_ERR_VERSION for a store from a newer fairdex) and, with
 * FDX_STORE_CREATE, creates what is missing.  On failure `err` (may be NULL)
 * says why.
 */
FdxStatus
fdx_store_open(FdxStore* store, const char* dir, unsigned flags, FdxError* err);

/** Close and free `store` (NULL is fine).  No transaction may be open. */
void
fdx_store_free(FdxStore* store);

/** The largest term the store accepts, in bytes. */
size_t
fdx_store_max_term_bytes(const FdxStore* store);

/** The current map size in bytes. */
uint64_t
fdx_store_map_size(const FdxStore* store);

/* ------------------------------------------------------------------------
 * Transactions
 * --------------------------------------------------------------------- */

/** Flags for fdx_txn_begin(). */
enum {
  FDX_TXN_WRITE = 1u << 0
};

/**
 * Begin a transaction.  A write transaction waits for any other writer (in
 * any process).  The new transaction is returned in `*ret_txn` and must end
 * with fdx_txn_commit() or fdx_txn_abort().
 */
FdxStatus
fdx_txn_begin(FdxStore* store, unsigned flags, FdxTxn** ret_txn);

/**
 * Commit and free `txn`.  For a write transaction that changed quads, the
 * store generation goes up by one.  On error nothing was committed.  A read
 * transaction commits like an abort.  `txn` is freed in every case.
 */
FdxStatus
fdx_txn_commit(FdxTxn* txn);

/** Abandon and free `txn` (NULL is fine). */
void
fdx_txn_abort(FdxTxn* txn);

/** True if `txn` may write. */
bool
fdx_txn_is_write(const FdxTxn* txn);

/** Free disk below which writes stop, by default. */
#define FDX_DEFAULT_MIN_FREE_DISK ((uint64_t)128 << 20)

/**
 * Stop writing (FDX_ERR_NO_SPACE, the transaction left to abort, nothing
 * committed lost) once the disk of the store has less than `bytes` free;
 * checked when a write transaction begins and every few thousand quads or
 * documents while it writes.  LMDB writes through its memory map, where a
 * full disk is no error but a fatal signal, so the margin must cover what
 * a writer writes between two checks (default FDX_DEFAULT_MIN_FREE_DISK).
 */
FdxStatus
fdx_store_set_min_free_disk(FdxStore* store, uint64_t bytes);

/** A number that tells this store handle apart from every other one this
 * process made (freed ones included), for caches keyed by store. */
uint64_t
fdx_store_instance(const FdxStore* store);

/** The store `txn` belongs to (NULL for NULL). */
FdxStore*
fdx_txn_store(const FdxTxn* txn);

/**
 * The generation `txn` sees: the number of committed transactions that
 * changed quads.  Clients use it as an ETag and to follow changes.
 */
uint64_t
fdx_txn_generation(const FdxTxn* txn);

/** Work to run inside a write transaction; see fdx_store_write(). */
typedef FdxStatus (*FdxWriteFunc)(FdxTxn* txn, void* ctx);

/**
 * Run `fn` in a new write transaction and commit it if `fn` returns
 * FDX_SUCCESS (or FDX_FAILURE); otherwise abort and return `fn`'s status.
 * If the map fills up, the transaction is aborted, the map grows and `fn`
 * runs again from the start: `fn` must be safe to run more than once.
 */
FdxStatus
fdx_store_write(FdxStore* store, FdxWriteFunc fn, void* ctx);

/* ------------------------------------------------------------------------
 * Dictionary
 * --------------------------------------------------------------------- */

/**
 * Find the id of `term`.  Returns FDX_FAILURE if the store has never seen
 * it (inlined values always succeed), FDX_ERR_BAD_ARG for a malformed term.
 */
FdxStatus
fdx_term_id(FdxTxn* txn, const FdxTerm* term, FdxId* ret_id);

/**
 * Find or add `term` (write transaction) and return its id.  FDX_ERR_LIMIT
 * if the term is longer than the store's maximum.
 */
FdxStatus
fdx_term_intern(FdxTxn* txn, const FdxTerm* term, FdxId* ret_id);

/**
 * Decode `id` into `buf`.  The strings in `buf->term` point into `buf` or
 * into the store and stay valid until `txn` ends or `buf` is reused.
 * FDX_FAILURE if no such term exists.
 */
FdxStatus
fdx_term_get(FdxTxn* txn, FdxId id, FdxTermBuf* buf);

/* ------------------------------------------------------------------------
 * Quads
 * --------------------------------------------------------------------- */

/** A quad of ids; in a pattern FDX_ID_ANY matches anything. */
typedef struct {
  FdxId s;
  FdxId p;
  FdxId o;
  FdxId g; /**< FDX_ID_DEFAULT_GRAPH for the default graph. */
} FdxQuad;

typedef struct FdxQuadIterImpl FdxQuadIter;

/** Add `quad` (write transaction).  FDX_FAILURE if it was already there;
 *  FDX_ERR_BAD_ARG if it is not an RDF quad: the subject must be an IRI or
 *  a blank node, the predicate an IRI, the graph FDX_ID_DEFAULT_GRAPH, an
 *  IRI or a blank node, and no position FDX_ID_ANY. */
FdxStatus
fdx_quad_add(FdxTxn* txn, const FdxQuad* quad);

/** Remove `quad`.  FDX_FAILURE if it was not there; FDX_ERR_BAD_ARG for
 *  FDX_ID_ANY anywhere or FDX_ID_DEFAULT_GRAPH outside the graph (a quad
 *  fdx_quad_add() refuses can still be removed: a store written before it
 *  refused them may hold one). */
FdxStatus
fdx_quad_remove(FdxTxn* txn, const FdxQuad* quad);

/**
 * Iterate over the quads matching `pattern` (FDX_ID_ANY is a wildcard), as
 * one range scan over the ordering whose prefix holds the bound positions.
 * The iterator is new; free it with fdx_quad_iter_free() before `txn` ends.
 * The quads must not be changed while the iterator is in use.
 */
FdxStatus
fdx_quad_find(FdxTxn* txn, const FdxQuad* pattern, FdxQuadIter** ret_iter);

/**
 * Iterate over the quads of predicate `p` (in every graph) whose object id
 * lies in [o_min, o_max], in object order: one range scan.  Since inlined
 * values sort by value within their tag, this finds, for example, every
 * canonical xsd:date between two dates without reading the others.  Free
 * the iterator with fdx_quad_iter_free().  FDX_ERR_BAD_ARG for
 * FDX_ID_ANY as `p` or o_min > o_max.
 */
FdxStatus
fdx_quad_find_objects(FdxTxn*       txn,
                      FdxId         p,
                      FdxId         o_min,
                      FdxId         o_max,
                      FdxQuadIter** ret_iter);

/**
 * As fdx_quad_find_objects(), but from the highest object down: quads in
 * descending (object, subject, graph) order.  Reads one quad at a time,
 * for a scan that stops early (ORDER BY DESC ... LIMIT).
 */
FdxStatus
fdx_quad_find_objects_desc(FdxTxn*       txn,
                           FdxId         p,
                           FdxId         o_min,
                           FdxId         o_max,
                           FdxQuadIter** ret_iter);

/** Write the next quad to `*ret_quad`; FDX_FAILURE at the end. */
FdxStatus
fdx_quad_iter_next(FdxQuadIter* iter, FdxQuad* ret_quad);

/** Free `iter` (NULL is fine). */
void
fdx_quad_iter_free(FdxQuadIter* iter);

/** Count the quads matching `pattern` without decoding them. */
FdxStatus
fdx_quad_count(FdxTxn* txn, const FdxQuad* pattern, uint64_t* ret_count);

/**
 * Remove every quad of graph `g` (write transaction), setting
 * `*ret_removed` (may be NULL).  To replace a graph atomically, clear it and
 * add the new quads in the same transaction.
 */
FdxStatus
fdx_graph_clear(FdxTxn* txn, FdxId g, uint64_t* ret_removed);

/**
 * The smallest graph id greater than `after` that holds at least one quad
 * (pass FDX_ID_ANY to start), in `*ret_graph`; FDX_FAILURE when there is
 * none.  Walking with it lists every graph, the default graph
 * (FDX_ID_DEFAULT_GRAPH) first if it holds quads.
 */
FdxStatus
fdx_graph_next(FdxTxn* txn, FdxId after, FdxId* ret_graph);

/* ------------------------------------------------------------------------
 * Statistics
 * --------------------------------------------------------------------- */

/** Whole-store counts. */
typedef struct {
  uint64_t quads;      /**< Quads in all graphs. */
  uint64_t terms;      /**< Dictionary entries (inlined values not counted). */
  uint64_t graphs;     /**< Graphs holding quads, the default one included. */
  uint64_t predicates; /**< Distinct predicates. */
  uint64_t generation; /**< See fdx_txn_generation(). */
  uint64_t disk_bytes; /**< Size of the data file. */
  uint64_t used_bytes; /**< Bytes of the map in use. */
  uint64_t map_bytes;  /**< Current map size. */
} FdxStoreStats;

/** Read the store's counts as `txn` sees them. */
FdxStatus
fdx_store_stats(FdxTxn* txn, FdxStoreStats* ret_stats);

/** The bytes of the store's map the last committed write transaction
 *  had written and held in this process's resident set when it committed
 *  (its dirty pages, which stay mapped for LMDB's commit, found in
 *  /proc/self/pagemap); where that walk was not made (a transaction that
 *  mapped little) or cannot be, this process's file-backed resident bytes
 *  then, a bound above it.  A writer of many transactions, a
 *  harvest, sizes them by it, so its resident set does not follow the
 *  store's size: the pages one record's writes touch are scattered the
 *  more widely, the bigger the store. */
uint64_t
fdx_store_last_commit_mapped(FdxStore* store);

/** In a transaction `txn` (a read one, typically): when this process's
 *  file-backed resident bytes pass `budget`, unmap the store's pages that
 *  no write transaction has dirtied (they stay in the page cache and fault
 *  back when touched).  For a thread that looks up many scattered keys of
 *  a big store while another thread writes it (a harvest checks each
 *  record's stored hash): each look-up maps the 64 KiB around the page it
 *  reads, which a write transaction's own trims do not see coming.  Costs
 *  a read of /proc/self/statm; over the budget, a walk of
 *  /proc/self/pagemap (milliseconds at gigabytes of store). */
void
fdx_txn_trim_mapped(FdxTxn* txn, uint64_t budget);

/** Per-predicate counts, kept up to date by every write. */
typedef struct {
  uint64_t quads;    /**< Quads with this predicate. */
  uint64_t subjects; /**< Distinct subjects with this predicate. */
  uint64_t objects;  /**< Distinct objects with this predicate. */
} FdxPredicateStats;

/** Read the counts for predicate `p`; FDX_FAILURE if it is unused. */
FdxStatus
fdx_predicate_stats(FdxTxn* txn, FdxId p, FdxPredicateStats* ret_stats);

/* ------------------------------------------------------------------------
 * Bulk loading
 * --------------------------------------------------------------------- */

typedef struct FdxLoaderImpl FdxLoader;

/**
 * Start a bulk load inside write transaction `txn`.  Quads added to the
 * loader are buffered, sorted in runs of at most `sort_buffer_bytes` (0 for
 * the default of 192 MiB) and appended to the indexes in order, which is
 * much faster than fdx_quad_add() for many quads.  Nothing is visible to
 * other transactions before `txn` commits.
 */
FdxStatus
fdx_loader_new(FdxTxn* txn, size_t sort_buffer_bytes, FdxLoader** ret_loader);

/**
 * Add one quad of terms; `g` NULL means the default graph.  Terms are copied
 * as needed: the caller may reuse its strings once this returns.
 */
FdxStatus
fdx_loader_add(FdxLoader*     loader,
               const FdxTerm* s,
               const FdxTerm* p,
               const FdxTerm* o,
               const FdxTerm* g);

/**
 * Add one quad of ids (from fdx_term_intern(), or FDX_ID_DEFAULT_GRAPH as
 * `g`): for writers that intern terms themselves, such as the harvester
 * writing a batch of records.  FDX_ERR_BAD_ARG for a quad fdx_quad_add()
 * refuses (a literal subject, a non-IRI predicate, FDX_ID_ANY, a
 * default-graph id outside `g`).
 */
FdxStatus
fdx_loader_add_ids(FdxLoader* loader, const FdxQuad* quad);

/**
 * Write everything buffered to the indexes.  `*ret_added` (may be NULL) is
 * the number of quads that were new to the store.
 */
FdxStatus
fdx_loader_finish(FdxLoader* loader, uint64_t* ret_added);

/** Free `loader` (NULL is fine); unfinished work is dropped. */
void
fdx_loader_free(FdxLoader* loader);

/* ------------------------------------------------------------------------
 * Change feed
 * --------------------------------------------------------------------- */

/*
 * The change feed lets a client mirror the catalogue's DCAT resources
 * incrementally.  Every commit that changes quads records, in the same
 * transaction and under its new generation, one entry per (graph, subject)
 * whose quads it changed, for the subjects that are typed (rdf:type)
 * dcat:Dataset, dcat:DataService, dcat:DatasetSeries or dcat:Catalog in
 * that graph before or after the commit.  The entry is an upsert if the
 * subject still has quads in that graph after the commit, a delete if not.
 * Every write path feeds it: fdx_quad_add(), fdx_quad_remove(),
 * fdx_graph_clear() and the bulk loader.  A commit that touches no such
 * subject records nothing, although the generation still goes up; a
 * commit that changes no quads records nothing and keeps the generation.
 *
 * "Typed before" is approximated from what the transaction did: a subject
 * whose DCAT type quad the transaction removed counts as typed before, even
 * if that quad had been added earlier in the same transaction.  The feed
 * may therefore hold a delete for a subject a client never saw; clients
 * treat deletes of unknown subjects as no-ops.
 */

/** What happened to a (graph, subject) in a commit. */
typedef enum {
  FDX_CHANGE_UPSERT = 1, /**< It has quads in the graph after the commit. */
  FDX_CHANGE_DELETE = 2  /**< It has no quads left in the graph. */
} FdxChangeOp;

/** One entry of the change feed. */
typedef struct {
  uint64_t    generation; /**< The commit's generation (after the commit). */
  FdxId       graph;      /**< FDX_ID_DEFAULT_GRAPH for the default graph. */
  FdxId       subject;    /**< The DCAT resource (an IRI or blank node). */
  FdxChangeOp op;
} FdxChange;

/**
 * Called by fdx_changes_read() for each change; `change` is borrowed for
 * the call only.  Return FDX_SUCCESS to go on; any other status stops the
 * read and is returned by it.
 */
typedef FdxStatus (*FdxChangeFunc)(void* ctx, const FdxChange* change);

/**
 * Call `fn` for each change of the commits with generation > `since`, in
 * commit order, and within a commit in (graph, subject) order.  Only whole
 * commits are given: the read stops before the commit that would take the
 * number of changes given past `limit`, except that the first commit is
 * always given whole (so a `limit` of 0 gives exactly one commit, and a
 * client always makes progress).
 *
 * `*ret_next` (may be NULL) is the generation to pass as `since` next
 * time: the generation of the last commit given if more are left, or,
 * when none is left, the generation `txn` sees (which may be past the last
 * recorded commit, since commits that touch no DCAT resource record
 * nothing).  A `since` at or past the generation of `txn` gives nothing
 * and sets `*ret_next` to that generation.  A commit's record is written
 * as it commits, so a write transaction reads only earlier commits.
 *
 * Returns FDX_SUCCESS, a status returned by `fn` other than FDX_SUCCESS
 * (then `*ret_next` is left untouched), FDX_ERR_BAD_ARG if `txn` or `fn`
 * is NULL, or FDX_ERR_CORRUPT for a malformed record.  A version-2 store
 * opened read-only has an empty feed (until it is opened again after a
 * writer has upgraded it).
 */
FdxStatus
fdx_changes_read(FdxTxn*       txn,
                 uint64_t      since,
                 uint64_t      limit,
                 FdxChangeFunc fn,
                 void*         ctx,
                 uint64_t*     ret_next);

/* ------------------------------------------------------------------------
 * Auxiliary tables
 * --------------------------------------------------------------------- */

/*
 * Small named key/value tables beside the quads, for what the programs
 * around the store keep (API tokens, harvest run reports, ...).  They are
 * not RDF: writing them changes neither the generation nor the change
 * feed, and SPARQL does not see them.  They share the store's transactions,
 * so an auxiliary write commits or aborts with the quads written beside it.
 *
 * A table is named by a NUL-terminated string of 1 to FDX_AUX_MAX_TABLE
 * bytes.  Keys are 1 to FDX_AUX_MAX_KEY bytes, compared as unsigned bytes
 * (memcmp, shorter first on a tie); values are 0 to FDX_AUX_MAX_VALUE
 * bytes.  A NULL or empty table name or key, or a NULL buffer with a
 * nonzero length, is FDX_ERR_BAD_ARG; a name, key or value over its
 * maximum is FDX_ERR_LIMIT.  Tables need no creating: a table with no
 * keys is simply empty.  A version-2 store opened read-only has empty
 * tables.
 */

/** The longest table name, in bytes (without the NUL). */
#define FDX_AUX_MAX_TABLE 64
/** The longest key, in bytes. */
#define FDX_AUX_MAX_KEY 400
/** The longest value, in bytes (16 MiB). */
#define FDX_AUX_MAX_VALUE ((size_t)16 << 20)

/**
 * Set `key` of `table` to the `val_len` bytes at `val` (write transaction;
 * FDX_ERR_READ_ONLY otherwise), replacing any value it had.  The bytes are
 * copied.
 */
FdxStatus
fdx_aux_put(FdxTxn*     txn,
            const char* table,
            const void* key,
            size_t      key_len,
            const void* val,
            size_t      val_len);

/**
 * Find `key` of `table`: its value in `*ret_val` and `*ret_val_len`, or
 * FDX_FAILURE if it is absent.  The value is borrowed: it stays valid
 * until `txn` ends or writes again, whichever comes first.
 */
FdxStatus
fdx_aux_get(FdxTxn*      txn,
            const char*  table,
            const void*  key,
            size_t       key_len,
            const void** ret_val,
            size_t*      ret_val_len);

/**
 * Remove `key` from `table` (write transaction; FDX_ERR_READ_ONLY
 * otherwise).  FDX_FAILURE if it was absent.
 */
FdxStatus
fdx_aux_del(FdxTxn* txn, const char* table, const void* key, size_t key_len);

/**
 * Called by fdx_aux_each() for each entry; `key` and `val` are borrowed
 * for the call only.  Return FDX_SUCCESS to go on; any other status stops
 * the walk and is returned by it.
 */
typedef FdxStatus (*FdxAuxFunc)(void*       ctx,
                                const void* key,
                                size_t      key_len,
                                const void* val,
                                size_t      val_len);

/**
 * Call `fn` for each entry of `table` in key order, starting at the first
 * key greater than the `after_len` bytes at `after` (`after` NULL, or
 * `after_len` 0: from the first key), so a walk can be resumed, or paged,
 * from the last key it saw (`after` need not be a key of the table; one
 * longer than FDX_AUX_MAX_KEY is FDX_ERR_LIMIT).  `fn` must not write to
 * `table`.  Returns FDX_SUCCESS at the end of the table, or the status
 * `fn` stopped with.
 */
FdxStatus
fdx_aux_each(FdxTxn*     txn,
             const char* table,
             const void* after,
             size_t      after_len,
             FdxAuxFunc  fn,
             void*       ctx);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_STORE_H */
