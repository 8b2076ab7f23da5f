/*
 * search_impl.h: what the search index's source files share (the layout
 * of its tables and the codecs of their records); nobody else sees it.
 *
 * Six tables in the store's environment (schema 4):
 *
 *   search_terms     index term bytes -> tid (4 bytes, native order);
 *                    and NUL NUL -> the index counters (SearchCounters).
 *   search_tids      tid (4 bytes BE) -> df (4 bytes native: documents
 *                    with the term), the term's length (2 bytes BE), the
 *                    term bytes, and for a keyword its text as first seen
 *                    (for display).  New tids are larger than all others,
 *                    so a commit appends its new terms here.
 *                    A term is a folded, stemmed word (UTF-8, never starts
 *                    with a byte below 0x20), a facet value (0x01, the
 *                    facet's code letter, then an 8-byte BE id or the
 *                    folded keyword or the year), or a title for
 *                    suggestions (0x02, the folded title, at most
 *                    SUGGEST_TERM_MAX bytes; its postings say which docs
 *                    have it and search_tids keeps it as written).
 *   search_postings  tid (4 bytes BE), first doc (4 bytes BE) -> a block:
 *                    up to BLOCK_MAX entries in doc order, each a varint
 *                    doc delta (from the previous entry; the first entry's
 *                    delta is 0, it is the key's doc), a field mask byte
 *                    and one tf byte per set bit (mask 0: a facet value).
 *   search_docs      doc (4 bytes BE) -> DocHead, the folded English and
 *                    German title sort keys, facet tids (4 bytes native
 *                    each).
 *   search_forward   doc (4 bytes BE) -> the doc's postings as written:
 *                    tid (4 bytes native), mask, tf bytes; for updates.
 *   search_keys      'k', subject (8 BE), graph (8 BE) -> doc (4 bytes
 *                    native); and 'h', the 64-bit id hash of the subject's
 *                    IRI (8 BE, see fdx_search_hash_id()), doc (4 BE) ->
 *                    nothing, for the API's short ids; and 'm', the
 *                    doc's dct:modified (else issued) as 8 bytes BE with
 *                    the sign bit flipped (0 for an undated doc), the
 *                    doc's bits inverted (4 BE) -> nothing: walked
 *                    backwards, every doc newest first, undated last,
 *                    docs of one date in doc order (fdx_search_mod_key()).
 *
 * Doc numbers are handed out in increasing order and never reused, so a
 * bulk load only appends to the end of each term's postings.
 */
#ifndef FDX_SEARCH_IMPL_H
#define FDX_SEARCH_IMPL_H

#include "../store/store_impl.h"
#include "fairdex/search.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* Text fields. */
enum {
  F_TITLE       = 0,
  F_KEYWORD     = 1,
  F_DESCRIPTION = 2,
  F_PUBLISHER   = 3,
  F_CONCEPT     = 4,
  F_IDENTIFIER  = 5,
  N_FIELDS      = 6
};

/* Entries per postings block. */
#define BLOCK_MAX 128

/* Bytes of folded title kept for sorting by title. */
#define TITLE_KEY_MAX 96

/* Term kinds: the first byte of a non-word term. */
#define TERM_FACET 0x01
#define TERM_TITLE 0x02

/* The longest term. */
#define TERM_MAX 256

/* The longest title suggestion term (folded title bytes). */
#define SUGGEST_TERM_MAX 120

/* Facet code letters, by FdxFacet. */
extern const char fdx_facet_codes[FDX_N_FACETS];

/* The index counters, under NUL NUL in search_terms. */
typedef struct {
  uint32_t next_doc;
  uint32_t next_tid;
  uint64_t docs;
  uint64_t len_sum[N_FIELDS]; /* tokens per field over all docs */
} SearchCounters;

/* The fixed part of a search_docs record (native byte order). */
typedef struct {
  uint64_t g;
  uint64_t s;
  int64_t  modified; /* unix seconds, valid if flags & DOC_DATED */
  uint16_t len[N_FIELDS];
  uint8_t  cls;          /* 1 Dataset, 2 DataService, 3 DatasetSeries */
  uint8_t  flags;
  uint8_t  title_len_en; /* folded English title sort key that follows */
  uint8_t  title_len_de; /* then the German one; TITLE_SAME: none, the
                            English one serves */
  uint32_t n_facets;     /* facet tids after the titles */
} DocHead;

#define DOC_DATED 1

/* DocHead.title_len_de when the German sort key is the English one. */
#define TITLE_SAME 0xFF

/* One posting: a doc and its term frequency per field. */
typedef struct {
  uint32_t doc;
  uint8_t  mask;
  uint8_t  tf[N_FIELDS];
} Posting;

/* Seconds on the monotonic clock (time limits, build durations). */
static inline double
search_now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Is the search index there (a store opened read-only before its upgrade
 * to schema 4 has none)? */
static inline bool
search_available(const FdxTxn* const txn)
{
  return txn->store->has_search;
}

static inline void
put_u32be(uint8_t* const out, const uint32_t v)
{
  out[0] = (uint8_t)(v >> 24);
  out[1] = (uint8_t)(v >> 16);
  out[2] = (uint8_t)(v >> 8);
  out[3] = (uint8_t)v;
}

static inline uint32_t
get_u32be(const uint8_t* const in)
{
  return ((uint32_t)in[0] << 24) | ((uint32_t)in[1] << 16) |
         ((uint32_t)in[2] << 8) | in[3];
}

/* Decode one posting from `p` (< end), after the doc `prev` (the block's
 * first doc for the first entry).  Returns the next position, or NULL for
 * a malformed block. */
static inline const uint8_t*
posting_decode(const uint8_t* p,
               const uint8_t* const end,
               const uint32_t       prev,
               Posting* const       out)
{
  uint32_t delta = 0;
  unsigned shift = 0;
  for (;;) {
    if (p >= end || shift > 28) {
      return NULL;
    }
    const uint8_t b = *p++;
    delta |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      break;
    }
    shift += 7;
  }
  if (p >= end) {
    return NULL;
  }
  out->doc  = prev + delta;
  out->mask = *p++;
  for (int f = 0; f < N_FIELDS; ++f) {
    if (out->mask & (1u << f)) {
      if (p >= end) {
        return NULL;
      }
      out->tf[f] = *p++;
    } else {
      out->tf[f] = 0;
    }
  }
  return p;
}

/* A map from tid to a signed count (open addressing; keys are tid + 1,
 * 0 empty): the commit's document frequency changes, a search's facet
 * counts.  Iterate over `cap` slots, skipping empty keys. */
typedef struct {
  uint32_t* keys;
  int64_t*  vals;
  size_t    cap;
  size_t    n;
} TidMap;

/* Add `d` to the count of `tid` (false when out of memory). */
bool
fdx_tidmap_add(TidMap* m, uint32_t tid, int64_t d);

/* The count of `tid`, added as 0 (*added true) if it was not there; NULL
 * when out of memory.  Valid until the next call. */
int64_t*
fdx_tidmap_value(TidMap* m, uint32_t tid, bool* added);

/* Free the map's arrays (and leave it empty). */
void
fdx_tidmap_free(TidMap* m);

/* What tells two states of the index's document records apart: a
 * record written takes a new doc number (next_doc grows), a removed one
 * lowers docs, and a rebuild (which numbers afresh) sets epoch. */
typedef struct {
  uint64_t epoch;
  uint32_t next_doc;
  uint64_t docs;
} SearchVersion;

FdxStatus
fdx_search_version(FdxTxn* txn, SearchVersion* ret);

static inline bool
search_version_eq(const SearchVersion* const a, const SearchVersion* const b)
{
  return a->epoch == b->epoch && a->next_doc == b->next_doc &&
         a->docs == b->docs;
}

/* Read the counters (zeros for a new index). */
FdxStatus
fdx_search_counters_get(FdxTxn* txn, SearchCounters* ret);

/* Look up the tid of `term`: FDX_FAILURE if it is not indexed. */
FdxStatus
fdx_search_tid(FdxTxn* txn, const uint8_t* term, size_t len, uint32_t* ret);

/* The df of `tid` and its term bytes (borrowed from the store). */
FdxStatus
fdx_search_tid_info(FdxTxn*         txn,
                    uint32_t        tid,
                    uint32_t*       ret_df,
                    const uint8_t** ret_term,
                    size_t*         ret_len);

/* The same, and the text shown for a keyword (empty for other terms). */
FdxStatus
fdx_search_tid_shown(FdxTxn*         txn,
                     uint32_t        tid,
                     uint32_t*       ret_df,
                     const uint8_t** ret_term,
                     size_t*         ret_len,
                     const uint8_t** ret_shown,
                     size_t*         ret_shown_len);

/* The 'm' key of a doc in search_keys (see above). */
#define SEARCH_MOD_KEY 13
void
fdx_search_mod_key(uint8_t* out, bool dated, int64_t modified, uint32_t doc);

/* The facet term of an id value: 0x01, code, 8 bytes BE.  Returns its
 * length (10). */
size_t
fdx_search_facet_term_id(FdxFacet facet, FdxId id, uint8_t* out);

/* The facet term of a text value (keyword, year): 0x01, code, folded
 * text.  Returns its length, or 0 if it does not fit in `cap`. */
size_t
fdx_search_facet_term_text(FdxFacet    facet,
                           const char* text,
                           size_t      len,
                           uint8_t*    out,
                           size_t      cap);

/* Facet values kept in a document's row; a doc with more keeps them in
 * SearchColumns.spill. */
#define ROW_VALUES 10

/* ColRow.n_values of a doc whose values are spilled: values[0] is where
 * they start in SearchColumns.spill, values[1] how many. */
#define ROW_SPILLED 0xFF

/* One document's record as columns.c copies it: what scoring, filters
 * and facet counting read of a candidate, in one 64-byte cache line. */
typedef struct {
  int64_t  modified; /* as DocHead */
  uint16_t len[N_FIELDS];
  uint8_t  flags;    /* DOC_DATED */
  uint8_t  n_values; /* facet values (dense numbers) below, or ROW_SPILLED */
  uint16_t unused;
  uint32_t values[ROW_VALUES];
} ColRow;

/* SearchColumns.row_of of a doc number without a record. */
#define ROW_NONE UINT32_MAX

/* The document records of one snapshot, in memory (columns.c). */
typedef struct {
  unsigned      refs;    /* under the store's search_columns.lock */
  uint64_t      txnid;   /* the LMDB snapshot it was copied from */
  SearchVersion version; /* the index state it copies */
  uint32_t      n_docs;  /* doc numbers below this are described */
  /* Doc number -> row (ROW_NONE: no such doc).  Rows are only for the
   * docs there are: doc numbers are not reused, so a store that changed
   * much has many more numbers than docs. */
  uint32_t*     row_of;
  uint32_t      n_rows;
  ColRow*       rows;   /* 64-byte aligned */
  FdxId*        gs;     /* graph and subject of each row */
  uint32_t*     spill;  /* facet values of rows with over ROW_VALUES */
  /* Facet values are dense numbers (the values that occur, in order of
   * first sight); dense_tid[] gives each one's tid. */
  uint32_t* dense_tid;
  uint32_t  n_dense;
  double    values_per_row; /* facet values of a doc, on average */
  /* What a search's facet lists need of each value, read once: its facet
   * (FDX_N_FACETS: not a facet value), its id (id facets) or text
   * (keyword and year, as shown), and the text it sorts by on a tie (the
   * IRI or literal, or that text; "" when unknown). */
  uint8_t*  dense_facet;
  FdxId*    dense_id;
  char**    dense_key;
  /* Decoded postings lists of terms of many docs, filled by searches as
   * they read them (query.c's lists; see fdx_search_postings_cache()). */
  pthread_mutex_t cache_lock;
  uint32_t*       cache_keys; /* tid + 1, 0 empty; open addressing */
  void**          cache_items;
  size_t*         cache_n;
  size_t          cache_cap;   /* slots, a power of two */
  size_t          cache_count;
  size_t          cache_bytes;
} SearchColumns;

/* The copy for `txn`'s snapshot, with a reference the caller gives back
 * with fdx_search_columns_release(); NULL when there is none to use (off,
 * a write transaction, being built, out of date): read LMDB instead. */
SearchColumns*
fdx_search_columns_acquire(FdxTxn* txn);

void
fdx_search_columns_release(FdxStore* store, SearchColumns* columns);

/* Is a postings list of `df` docs worth keeping decoded in `c`? */
bool
fdx_search_postings_cacheable(const SearchColumns* c, uint32_t df);

/* The decoded list of `tid` kept in `c`: true with *items and *n. */
bool
fdx_search_postings_cached(SearchColumns* c, uint32_t tid,
                           const void** items, size_t* n);

/* Offer `c` the decoded list `items` of `n` entries of `size` bytes
 * (malloc'd) for `tid`.  True when `c` took it (it frees it with itself):
 * *ret_items and *ret_n are then the list kept (this one, or one another
 * search kept first, this one being freed).  False when over its budget:
 * the list stays the caller's. */
bool
fdx_search_postings_cache(SearchColumns* c, uint32_t tid, void* items,
                          size_t n, size_t size, const void** ret_items,
                          size_t* ret_n);

#endif /* FDX_SEARCH_IMPL_H */
