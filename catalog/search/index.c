/*
 * index.c: keeping the search index in line with the quads, inside the
 * store's commit.
 *
 * fdx_search_commit() runs in every write transaction that changed quads,
 * after the change feed and before LMDB commits, so search changes with the
 * data in one transaction.  It works from the (graph, subject) pairs the
 * transaction touched (txn->touched, see changes.c):
 *   - a pair typed dcat:Dataset, dcat:DataService or dcat:DatasetSeries in
 *     its graph is (re)indexed;
 *   - a pair that is a document but is no longer typed is removed;
 *   - any other pair (a distribution, a publisher, a concept whose labels
 *     changed, ...) may feed documents that point at it: every quad that
 *     has it as object is followed back, and the documents found are
 *     reindexed.  That one step back is all a document reads (its own
 *     quads, its distributions' in its graph, and the labels of what it
 *     points at, from the union of the graphs).  So documents in other
 *     graphs are followed only when the union description of the subject
 *     changed (txn->relabeled): a harvested record repeating a publisher's
 *     name that other records already carry reindexes nobody else.
 *
 * Indexing a document extracts its fields and facets from the store
 * (extract_doc()), compares them with what its forward record says it had,
 * and queues posting operations (tid, doc, tf or delete).  The queue is
 * sorted and merged into the postings blocks when it fills and at the end
 * (apply_ops()), so a bulk load of a million datasets rewrites each
 * term's last block once per flush instead of once per document.  Term
 * ids and document frequencies are cached for the commit, and the
 * document frequencies written once at the end.
 *
 * Hand-written: no library keeps an inverted index inside an LMDB
 * transaction of ours; the tokenizer (tokenize.c) does the language work
 * with utf8proc and Snowball.
 */
#include "search_impl.h"
#include "tokenize.h"

#include "../civil_date.h"
#include "../key_sort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

/* Mapped store pages (bytes) above which a commit indexing many docs
 * drops them, as the bulk loader does. */
#define INDEX_MAPPED_BUDGET ((uint64_t)1 << 30)

/* Posting operations queued before they are merged into the blocks. */
#define OPS_FLUSH ((size_t)1 << 22)

/* Keys of search_keys held back to be written in key order (and the
 * longest such key: 'k', subject, graph). */
#define KEYS_FLUSH ((size_t)1 << 20)
#define PENDING_KEY_MAX 17

/* Caps on what one document may contribute (a hostile record must not
 * make one commit unbounded). */
#define MAX_DOC_TERMS 20000
#define MAX_DOC_FACETS 4096
#define MAX_LABELS 32
#define MAX_DISTRIBUTIONS 1000
#define MAX_TEXT_BYTES ((size_t)1 << 20)

#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDFS "http://www.w3.org/2000/01/rdf-schema#"
#define DCT "http://purl.org/dc/terms/"
#define DCAT "http://www.w3.org/ns/dcat#"
#define SKOS "http://www.w3.org/2004/02/skos/core#"
#define FOAF "http://xmlns.com/foaf/0.1/"
#define VCARD "http://www.w3.org/2006/vcard/ns#"
#define ADMS "http://www.w3.org/ns/adms#"
#define HEALTH "http://healthdataportal.eu/ns/health#"

const char fdx_facet_codes[FDX_N_FACETS] = {'t', 'p', 'f', 'l', 'a', 'k', 'y'};

/* What a predicate of a document means to the index. */
typedef enum {
  R_NONE = 0,
  R_TITLE,
  R_DESCRIPTION,
  R_KEYWORD,
  R_IDENTIFIER,
  R_ADMS_IDENTIFIER,
  R_PUBLISHER,
  R_THEME,
  R_CONCEPT,
  R_LICENSE,
  R_ACCESS_RIGHTS,
  R_MODIFIED,
  R_ISSUED,
  R_DISTRIBUTION,
  R_FORMAT,
  R_MEDIA_TYPE,
  R_NOTATION,
  R_LABEL,
  N_ROLES
} Role;

static const struct {
  const char* iri;
  Role        role;
} role_iris[] = {
  {DCT "title", R_TITLE},
  {DCT "description", R_DESCRIPTION},
  {DCAT "keyword", R_KEYWORD},
  {DCT "identifier", R_IDENTIFIER},
  {ADMS "identifier", R_ADMS_IDENTIFIER},
  {DCT "publisher", R_PUBLISHER},
  {DCAT "theme", R_THEME},
  {DCT "subject", R_CONCEPT},
  {DCT "type", R_CONCEPT},
  {HEALTH "healthCategory", R_CONCEPT},
  {HEALTH "healthTheme", R_CONCEPT},
  {DCT "license", R_LICENSE},
  {DCT "accessRights", R_ACCESS_RIGHTS},
  {DCT "modified", R_MODIFIED},
  {DCT "issued", R_ISSUED},
  {DCAT "distribution", R_DISTRIBUTION},
  {DCT "format", R_FORMAT},
  {DCAT "mediaType", R_MEDIA_TYPE},
  {SKOS "notation", R_NOTATION},
  {SKOS "prefLabel", R_LABEL},
  {SKOS "altLabel", R_LABEL},
  {RDFS "label", R_LABEL},
  {FOAF "name", R_LABEL},
  {VCARD "fn", R_LABEL},
  {VCARD "organization-name", R_LABEL},
};
#define N_ROLE_IRIS (sizeof(role_iris) / sizeof(role_iris[0]))

static const char* const doc_classes[3] = {
  DCAT "Dataset", DCAT "DataService", DCAT "DatasetSeries"};

/* ------------------------------------------------------------------------
 * Small hash maps: term bytes -> u32 (arena-backed) and u32 -> i64
 * --------------------------------------------------------------------- */

typedef struct {
  uint64_t* slots; /* hash << 32 | (entry index + 1); 0 empty */
  size_t    cap;   /* power of two */
  struct TermEntry {
    uint32_t off; /* into arena */
    uint16_t len;
    uint32_t hash;
    uint32_t value;
    int32_t  df_delta;  /* the commit's change to the term's df */
    uint32_t shown_off; /* a new keyword's text as seen, in `shown` */
    uint16_t shown_len;
  }*       entries;
  size_t   n;
  size_t   entries_cap;
  uint8_t* arena;
  size_t   arena_len;
  size_t   arena_cap;
} TermMap;

/* The maps' hash (32 bits of fdx_bytes_hash()). */
static uint32_t
hash_bytes(const uint8_t* const p, const size_t n)
{
  return (uint32_t)(fdx_bytes_hash(p, n) >> 32);
}

static void
termmap_clear(TermMap* const m)
{
  if (m->slots) {
    memset(m->slots, 0, m->cap * sizeof(uint64_t));
  }
  m->n         = 0;
  m->arena_len = 0;
}

static void
termmap_free(TermMap* const m)
{
  free(m->slots);
  free(m->entries);
  free(m->arena);
  memset(m, 0, sizeof(*m));
}

/* `cap` zeroed slots; a big table in huge pages where the kernel gives
 * them on request: a bulk load's term map has millions of entries, and
 * with 4 KiB pages nearly every look-up would also miss the TLB. */
static uint64_t*
slots_alloc(const size_t cap)
{
  const size_t huge  = (size_t)2 << 20;
  const size_t bytes = cap * sizeof(uint64_t);
  if (bytes < huge) {
    return (uint64_t*)calloc(cap, sizeof(uint64_t));
  }
  void* const p = aligned_alloc(huge, bytes); /* a multiple of `huge` */
  if (p) {
    madvise(p, bytes, MADV_HUGEPAGE);
    memset(p, 0, bytes);
  }
  return (uint64_t*)p;
}

static bool
termmap_rehash(TermMap* const m, const size_t cap)
{
  uint64_t* const slots = slots_alloc(cap);
  if (!slots) {
    return false;
  }
  for (size_t i = 0; i < m->n; ++i) {
    const uint32_t h = m->entries[i].hash;
    size_t         j = h & (cap - 1);
    while (slots[j]) {
      j = (j + 1) & (cap - 1);
    }
    slots[j] = (uint64_t)h << 32 | ((uint32_t)i + 1);
  }
  free(m->slots);
  m->slots = slots;
  m->cap   = cap;
  return true;
}

/* Find `key`, whose hash_bytes() is `h`; with `add`, add it (value 0) if
 * absent.  Returns the entry index, or -1 if absent (or out of memory
 * when adding; *oom set). */
static long
termmap_find_hashed(TermMap* const       m,
                    const uint8_t* const key,
                    const size_t         len,
                    const uint32_t       h,
                    const bool           add,
                    bool* const          oom)
{
  if (m->cap) {
    size_t j = h & (m->cap - 1);
    for (uint64_t slot; (slot = m->slots[j]); j = (j + 1) & (m->cap - 1)) {
      if ((uint32_t)(slot >> 32) != h) {
        continue;
      }
      const uint32_t                i = (uint32_t)slot - 1;
      const struct TermEntry* const e = &m->entries[i];
      if (e->len == len && !memcmp(m->arena + e->off, key, len)) {
        return (long)i;
      }
    }
  }
  if (!add) {
    return -1;
  }
  if ((m->n + 1) * 2 > m->cap &&
      !termmap_rehash(m, m->cap ? m->cap * 2 : 256)) {
    *oom = true;
    return -1;
  }
  if (m->n == m->entries_cap) {
    const size_t cap = m->entries_cap ? m->entries_cap * 2 : 256;
    void* const  grown =
      realloc(m->entries, cap * sizeof(struct TermEntry));
    if (!grown) {
      *oom = true;
      return -1;
    }
    m->entries     = (struct TermEntry*)grown;
    m->entries_cap = cap;
  }
  if (m->arena_len + len > m->arena_cap) {
    size_t cap = m->arena_cap ? m->arena_cap : 4096;
    while (cap < m->arena_len + len) {
      cap *= 2;
    }
    uint8_t* const grown = (uint8_t*)realloc(m->arena, cap);
    if (!grown) {
      *oom = true;
      return -1;
    }
    m->arena     = grown;
    m->arena_cap = cap;
  }
  memcpy(m->arena + m->arena_len, key, len);
  struct TermEntry* const e = &m->entries[m->n];
  e->off                    = (uint32_t)m->arena_len;
  e->len                    = (uint16_t)len;
  e->hash                   = h;
  e->value                  = 0;
  e->df_delta               = 0;
  e->shown_off              = 0;
  e->shown_len              = 0;
  m->arena_len += len;
  size_t j = h & (m->cap - 1);
  while (m->slots[j]) {
    j = (j + 1) & (m->cap - 1);
  }
  m->slots[j] = (uint64_t)h << 32 | ((uint32_t)m->n + 1);
  return (long)m->n++;
}

static long
termmap_find(TermMap* const       m,
             const uint8_t* const key,
             const size_t         len,
             const bool           add,
             bool* const          oom)
{
  return termmap_find_hashed(m, key, len, hash_bytes(key, len), add, oom);
}

/* Ask for the slot of hash `h` ahead of a look-up (see write_doc()). */
static inline void
termmap_prefetch_slot(const TermMap* const m, const uint32_t h)
{
  if (m->cap) {
    __builtin_prefetch(&m->slots[h & (m->cap - 1)]);
  }
}

/* Ask for the entry the first slot of hash `h` points at, once its slot
 * has come in. */
static inline void
termmap_prefetch_entry(const TermMap* const m, const uint32_t h)
{
  if (m->cap) {
    const uint64_t slot = m->slots[h & (m->cap - 1)];
    if (slot && (uint32_t)(slot >> 32) == h) {
      const struct TermEntry* const e = &m->entries[(uint32_t)slot - 1];
      __builtin_prefetch(e);
    }
  }
}

/* ------------------------------------------------------------------------
 * The commit's state
 * --------------------------------------------------------------------- */

/* A queued change to one posting. */
typedef struct {
  uint32_t tid;
  uint32_t doc;
  uint32_t seq; /* queue order: the later of two ops on one posting wins */
  uint8_t  del;
  uint8_t  mask;
  uint8_t  tf[N_FIELDS];
} Op;

/* A growable byte string. */
typedef struct {
  uint8_t* data;
  size_t   len;
  size_t   cap;
} Bytes;

/* Make room for `extra` more bytes in `b` (false when out of memory). */
static bool
bytes_reserve(Bytes* const b, const size_t extra)
{
  if (b->len + extra <= b->cap) {
    return true;
  }
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < b->len + extra) {
    cap *= 2;
  }
  uint8_t* const grown = (uint8_t*)realloc(b->data, cap);
  if (!grown) {
    return false;
  }
  b->data = grown;
  b->cap  = cap;
  return true;
}

/* A document being built. */
typedef struct {
  TermMap  terms; /* term bytes -> index into tf */
  uint8_t (*tf)[N_FIELDS];
  size_t   tf_cap;
  uint32_t len[N_FIELDS];
  uint8_t (*facets)[12]; /* MAX_DOC_FACETS facet terms (len byte + term) */
  size_t   n_facets;      /* in `facets` */
  size_t   n_text_facets; /* in the indexer's `kw` */
  TermMap  facet_seen;
  bool     dated;
  char     year[4]; /* of the date, as written */
  int64_t  modified;
  bool     have_modified; /* from dct:modified (beats issued) */
  /* Folded title sort keys: [0] English, [1] German, [2] any other. */
  char     title[3][TITLE_KEY_MAX];
  size_t   title_len[3];
  Bytes    suggest; /* title suggestion terms: len(2), term, len(2), shown */
  uint8_t  cls;
  int      field; /* the field tokens go to (tokenizer callback) */
  bool     oom;
  size_t   text_bytes;
} Doc;


typedef struct {
  FdxTxn*        txn;
  FdxTokenizer*  tk;
  SearchCounters counters;
  bool           counters_dirty;
  uint32_t       first_new_tid; /* tids from here on are this commit's */
  Bytes          shown;         /* shown texts of new keywords */
  FdxId          type_id;
  FdxId          class_ids[3];
  FdxId          role_ids[N_ROLE_IRIS];
  MDB_cursor*    spog;
  MDB_cursor*    gspo;
  MDB_cursor*    ospg;
  MDB_cursor*    ogsp;
  MDB_cursor*    post;
  TermMap        tids; /* term -> tid, for the commit */
  TidMap         df; /* df changes of the postings removed */
  Op*            ops;
  size_t         n_ops;
  size_t         ops_cap;
  uint32_t       seq;
  Doc            doc;
  Bytes          kw; /* keyword facet terms of the doc: len(2) + bytes */
  /* The label cache: the terms the labels of an object gave, so a
   * publisher or theme shared by many documents is read and tokenized
   * once per commit.  `labels` maps (object, field) to a run of
   * `label_arena` (entries: length byte, term bytes). */
  TermMap        labels;
  struct LabelRun {
    uint32_t off;
    uint32_t len;
  }*             label_runs;
  size_t         label_runs_cap;
  Bytes          label_arena;
  bool           recording;
  FdxTermBuf     tbuf;
  FdxTermBuf     tbuf2;
  uint64_t       indexed;
  /* Keys of search_keys written by this run_work(), put in key order
   * when it ends (flush_keys()). */
  struct PendingKey {
    uint8_t key[PENDING_KEY_MAX];
    uint8_t key_len;
    uint8_t val_len;
    uint8_t val[4];
  }*             keys;
  size_t         n_keys;
  size_t         keys_cap;
  /* A bit per tid of this commit (from first_new_tid): set once
   * apply_ops() has written a block of it.  Until then it has none to
   * find or merge with. */
  uint8_t*       new_written;
  size_t         new_written_bits;
  /* A small commit (a harvest's transaction): its writes count towards
   * the transaction's mapped-pages budget (fdx_txn_count_writes()), the
   * postings' merge and the key and df writes at its end too. */
  bool           count_writes;
} Indexer;

/* Count `n` writes of a small commit (Indexer.count_writes). */
static inline FdxStatus
indexer_count_writes(Indexer* const ix, const uint64_t n)
{
  return ix->count_writes ? fdx_txn_count_writes(ix->txn, n) : FDX_SUCCESS;
}

static FdxStatus
lmdb_st(const int rc)
{
  return rc ? fdx_lmdb_status(rc) : FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Counters and terms
 * --------------------------------------------------------------------- */

static const uint8_t counters_key[2] = {0, 0};

/* NUL NUL 'e' in search_terms: the id of the transaction that last
 * rebuilt the index (doc numbers and tids start over then); absent: 0. */
static const uint8_t epoch_key[3] = {0, 0, 'e'};

/* The 4-byte (native order) value of `key` in `dbi`: FDX_FAILURE if
 * absent, FDX_ERR_CORRUPT if it is not 4 bytes. */
static FdxStatus
get_u32(MDB_txn* const txn, const MDB_dbi dbi, const void* const key_bytes,
        const size_t key_len, uint32_t* const ret)
{
  MDB_val   key = {key_len, (void*)key_bytes};
  MDB_val   val;
  const int rc = mdb_get(txn, dbi, &key, &val);
  if (rc == MDB_NOTFOUND) {
    return FDX_FAILURE;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  if (val.mv_size != 4) {
    return FDX_ERR_CORRUPT;
  }
  memcpy(ret, val.mv_data, 4);
  return FDX_SUCCESS;
}

/* Read the fixed-size record under `key` in search_terms into `out` (left
 * as it is when there is none, or no index). */
static FdxStatus
index_record(FdxTxn* const txn, const uint8_t* const key_bytes,
             const size_t key_len, void* const out, const size_t size)
{
  if (!txn->store->has_search) {
    return FDX_SUCCESS;
  }
  MDB_val   key = {key_len, (void*)key_bytes};
  MDB_val   val;
  const int rc = mdb_get(txn->txn, txn->store->search_terms, &key, &val);
  if (rc == MDB_NOTFOUND) {
    return FDX_SUCCESS;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  if (val.mv_size != size) {
    return FDX_ERR_CORRUPT;
  }
  memcpy(out, val.mv_data, size);
  return FDX_SUCCESS;
}

FdxStatus
fdx_search_version(FdxTxn* const txn, SearchVersion* const ret)
{
  memset(ret, 0, sizeof(*ret));
  SearchCounters  counters;
  const FdxStatus st = fdx_search_counters_get(txn, &counters);
  if (st) {
    return st;
  }
  ret->next_doc = counters.next_doc;
  ret->docs     = counters.docs;
  return index_record(txn, epoch_key, sizeof(epoch_key), &ret->epoch,
                      sizeof(ret->epoch));
}

FdxStatus
fdx_search_counters_get(FdxTxn* const txn, SearchCounters* const ret)
{
  memset(ret, 0, sizeof(*ret));
  return index_record(txn, counters_key, sizeof(counters_key), ret,
                      sizeof(*ret));
}

static FdxStatus
counters_put(Indexer* const ix)
{
  MDB_val key = {2, (void*)counters_key};
  MDB_val val = {sizeof(ix->counters), &ix->counters};
  return lmdb_st(
    mdb_put(ix->txn->txn, ix->txn->store->search_terms, &key, &val, 0));
}

FdxStatus
fdx_search_tid(FdxTxn* const        txn,
               const uint8_t* const term,
               const size_t         len,
               uint32_t* const      ret)
{
  if (!len || len > TERM_MAX) {
    return FDX_FAILURE;
  }
  return get_u32(txn->txn, txn->store->search_terms, term, len, ret);
}

FdxStatus
fdx_search_tid_info(FdxTxn* const         txn,
                    const uint32_t        tid,
                    uint32_t* const       ret_df,
                    const uint8_t** const ret_term,
                    size_t* const         ret_len)
{
  return fdx_search_tid_shown(txn, tid, ret_df, ret_term, ret_len, NULL,
                              NULL);
}

FdxStatus
fdx_search_tid_shown(FdxTxn* const         txn,
                     const uint32_t        tid,
                     uint32_t* const       ret_df,
                     const uint8_t** const ret_term,
                     size_t* const         ret_len,
                     const uint8_t** const ret_shown,
                     size_t* const         ret_shown_len)
{
  uint8_t kbuf[4];
  put_u32be(kbuf, tid);
  MDB_val   key = {4, kbuf};
  MDB_val   val;
  const int rc = mdb_get(txn->txn, txn->store->search_tids, &key, &val);
  if (rc == MDB_NOTFOUND) {
    return FDX_FAILURE;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  const uint8_t* const v = (const uint8_t*)val.mv_data;
  if (val.mv_size < 6) {
    return FDX_ERR_CORRUPT;
  }
  const size_t tlen = ((size_t)v[4] << 8) | v[5];
  if (6 + tlen > val.mv_size) {
    return FDX_ERR_CORRUPT;
  }
  if (ret_df) {
    memcpy(ret_df, v, 4);
  }
  if (ret_term) {
    *ret_term = v + 6;
  }
  if (ret_len) {
    *ret_len = tlen;
  }
  if (ret_shown) {
    *ret_shown = v + 6 + tlen;
  }
  if (ret_shown_len) {
    *ret_shown_len = val.mv_size - 6 - tlen;
  }
  return FDX_SUCCESS;
}

/* The tid of `term`: from the commit's term map, else the index, else a
 * new one.  New terms are only noted here (with `shown`, a keyword's text
 * as first seen); write_new_terms() writes them once, at the end, with
 * their final document frequency. */
static FdxStatus
tid_of_shown(Indexer* const       ix,
             const uint8_t* const term,
             const size_t         len,
             const uint32_t       hash, /* hash_bytes(term, len) */
             const uint8_t* const shown,
             const size_t         shown_len,
             uint32_t* const      ret,
             uint32_t* const      ret_entry)
{
  bool       oom = false;
  const long e   = termmap_find_hashed(&ix->tids, term, len, hash, true, &oom);
  if (e < 0) {
    return FDX_ERR_NO_MEMORY;
  }
  *ret_entry = (uint32_t)e;
  if (ix->tids.entries[e].value) {
    *ret = ix->tids.entries[e].value - 1;
    return FDX_SUCCESS;
  }
  uint32_t  tid = 0;
  /* An index that had no terms when the commit began has none but ours. */
  FdxStatus st  = ix->first_new_tid ? fdx_search_tid(ix->txn, term, len, &tid)
                                    : FDX_FAILURE;
  if (st == FDX_FAILURE) {
    tid = ix->counters.next_tid++;
    if (tid == UINT32_MAX - 1) {
      return FDX_ERR_LIMIT;
    }
    ix->counters_dirty = true;
    const size_t sl    = shown_len <= TERM_MAX ? shown_len : 0;
    if (sl) {
      Bytes* const b = &ix->shown;
      if (!bytes_reserve(b, sl)) {
        return FDX_ERR_NO_MEMORY;
      }
      memcpy(b->data + b->len, shown, sl);
      ix->tids.entries[e].shown_off = (uint32_t)b->len;
      ix->tids.entries[e].shown_len = (uint16_t)sl;
      b->len += sl;
    }
    st = FDX_SUCCESS;
  }
  if (!st) {
    ix->tids.entries[e].value = tid + 1;
    *ret                      = tid;
  }
  return st;
}

static FdxStatus
tid_of(Indexer* const       ix,
       const uint8_t* const term,
       const size_t         len,
       uint32_t* const      ret,
       uint32_t* const      ret_entry)
{
  return tid_of_shown(ix, term, len, hash_bytes(term, len), NULL, 0, ret,
                      ret_entry);
}

static FdxStatus add_df(Indexer* ix, uint32_t tid, int64_t delta);

/* Order of new terms for writing: by term bytes. */
static int
entry_cmp(const void* const va, const void* const vb, void* const vmap)
{
  const TermMap* const          m = (const TermMap*)vmap;
  const struct TermEntry* const a = &m->entries[*(const uint32_t*)va];
  const struct TermEntry* const b = &m->entries[*(const uint32_t*)vb];
  const size_t n = a->len < b->len ? a->len : b->len;
  const int    c = memcmp(m->arena + a->off, m->arena + b->off, n);
  return c ? c : (a->len < b->len ? -1 : a->len > b->len);
}

/* The first 8 bytes of an entry's term as a big-endian number (shorter
 * terms padded with zeros), which orders like the bytes. */
static uint64_t
entry_prefix(const TermMap* const m, const uint32_t i)
{
  const struct TermEntry* const e = &m->entries[i];
  uint64_t                      v = 0;
  for (size_t k = 0; k < 8; ++k) {
    v = (v << 8) | (k < e->len ? m->arena[e->off + k] : 0);
  }
  return v;
}

/* Sort `order` (entries of `m`) by term bytes: a radix sort on the
 * 8-byte prefixes, then a comparison sort within each run of equal
 * prefixes.  qsort alone, with a comparison call per step, costs several
 * times this on a bulk load's millions of new terms. */
static bool
sort_entries(const TermMap* const m, uint32_t* const order, const size_t n)
{
  if (n < 2) {
    return true;
  }
  FdxKeyPair* const a = (FdxKeyPair*)malloc(n * sizeof(FdxKeyPair));
  if (!a) {
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    a[i].key   = entry_prefix(m, order[i]);
    a[i].value = order[i];
  }
  const bool ok = fdx_key_pairs_sort(a, n);
  for (size_t i = 0; ok && i < n; ++i) {
    order[i] = (uint32_t)a[i].value;
  }
  /* Runs of one prefix (facet values of one facet, titles that start
   * alike: they can be long): by the whole term. */
  for (size_t i = 0; ok && i < n;) {
    size_t j = i + 1;
    while (j < n && a[j].key == a[i].key) {
      ++j;
    }
    if (j - i > 1) {
      qsort_r(order + i, j - i, sizeof(uint32_t), entry_cmp, (void*)m);
    }
    i = j;
  }
  free(a);
  return ok;
}

/* Put with MDB_APPEND where the key sorts after every key of the table
 * (new docs, new terms' tids and postings), else an ordinary put. */
static int
put_append(MDB_txn* const txn, const MDB_dbi dbi, MDB_val* const key,
           MDB_val* const val)
{
  const int rc = mdb_put(txn, dbi, key, val, MDB_APPEND);
  return rc == MDB_KEYEXIST ? mdb_put(txn, dbi, key, val, 0) : rc;
}

/* Write the terms this commit made: tid -> df, term, shown text (in tid
 * order, appended), then term -> tid (in term order). */
static FdxStatus
write_new_terms(Indexer* const ix)
{
  MDB_txn* const  txn   = ix->txn->txn;
  FdxStore* const store = ix->txn->store;
  const TermMap*  m     = &ix->tids;
  uint32_t*       order = NULL;
  size_t          n     = 0;
  for (size_t i = 0; i < m->n; ++i) {
    if (m->entries[i].value && m->entries[i].value - 1 >= ix->first_new_tid) {
      ++n;
    }
  }
  if (!n) {
    return FDX_SUCCESS;
  }
  if (!(order = (uint32_t*)malloc(n * sizeof(uint32_t)))) {
    return FDX_ERR_NO_MEMORY;
  }
  n = 0;
  /* Entries were added in tid order, so this walk appends. */
  int rc = 0;
  for (size_t i = 0; i < m->n && !rc; ++i) {
    const struct TermEntry* const e = &m->entries[i];
    if (!e->value || e->value - 1 < ix->first_new_tid) {
      continue;
    }
    order[n++]      = (uint32_t)i;
    const uint32_t tid = e->value - 1;
    uint8_t        kbuf[4];
    put_u32be(kbuf, tid);
    uint8_t  rbuf[6 + 2 * TERM_MAX];
    uint32_t df = e->df_delta > 0 ? (uint32_t)e->df_delta : 0;
    memcpy(rbuf, &df, 4);
    rbuf[4] = (uint8_t)(e->len >> 8);
    rbuf[5] = (uint8_t)e->len;
    memcpy(rbuf + 6, m->arena + e->off, e->len);
    if (e->shown_len) {
      memcpy(rbuf + 6 + e->len, ix->shown.data + e->shown_off, e->shown_len);
    }
    MDB_val key = {4, kbuf};
    MDB_val val = {6 + (size_t)e->len + e->shown_len, rbuf};
    rc          = put_append(txn, store->search_tids, &key, &val);
  }
  if (!rc && !sort_entries(m, order, n)) {
    rc = ENOMEM;
  }
  MDB_cursor* cur = NULL;
  if (!rc) {
    rc = mdb_cursor_open(txn, store->search_terms, &cur);
  }
  /* Terms after the table's last key (all of them, in a new index) are
   * appended without a search; sorted, once one is, the rest are too. */
  uint8_t last[TERM_MAX + 8];
  size_t  last_len = 0;
  bool    before   = false;
  if (!rc) {
    MDB_val lk, lv;
    const int lrc = mdb_cursor_get(cur, &lk, &lv, MDB_LAST);
    if (!lrc && lk.mv_size <= sizeof(last)) {
      memcpy(last, lk.mv_data, lk.mv_size);
      last_len = lk.mv_size;
      before   = true;
    } else if (!lrc) {
      rc = MDB_CORRUPTED;
    } else if (lrc != MDB_NOTFOUND) {
      rc = lrc;
    }
  }
  for (size_t i = 0; i < n && !rc; ++i) {
    const struct TermEntry* const e   = &m->entries[order[i]];
    uint32_t                      tid = e->value - 1;
    MDB_val key = {e->len, m->arena + e->off};
    MDB_val val = {4, &tid};
    if (before) {
      const size_t k = e->len < last_len ? e->len : last_len;
      const int    c = memcmp(m->arena + e->off, last, k);
      before         = c < 0 || (c == 0 && e->len <= last_len);
    }
    rc = mdb_cursor_put(cur, &key, &val, before ? 0 : MDB_APPEND);
  }
  if (cur) {
    mdb_cursor_close(cur);
  }
  free(order);
  return lmdb_st(rc);
}

/* Apply the commit's document frequency changes: those of the terms it
 * wrote (in the term map) and those of the postings it removed. */
static FdxStatus
apply_df(Indexer* const ix)
{
  FdxStatus st = write_new_terms(ix);
  for (size_t i = 0; i < ix->tids.n && !st; ++i) {
    const struct TermEntry* const e = &ix->tids.entries[i];
    if (e->df_delta && e->value && e->value - 1 < ix->first_new_tid &&
        !(st = indexer_count_writes(ix, 2))) {
      st = add_df(ix, e->value - 1, e->df_delta);
    }
  }
  const TidMap* const m = &ix->df;
  for (size_t i = 0; i < m->cap && !st; ++i) {
    if (m->keys[i] && m->vals[i] && !(st = indexer_count_writes(ix, 2))) {
      st = add_df(ix, m->keys[i] - 1, m->vals[i]);
    }
  }
  return st;
}

/* Change the df of `tid` by `delta`. */
static FdxStatus
add_df(Indexer* const ix, const uint32_t tid, const int64_t delta)
{
  uint8_t kbuf[4];
  put_u32be(kbuf, tid);
  MDB_val key = {4, kbuf};
  MDB_val val;
  int rc = mdb_get(ix->txn->txn, ix->txn->store->search_tids, &key, &val);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  if (val.mv_size < 6 || val.mv_size > 6 + 2 * TERM_MAX) {
    return FDX_ERR_CORRUPT;
  }
  uint8_t  buf[6 + 2 * TERM_MAX];
  uint32_t df;
  memcpy(buf, val.mv_data, val.mv_size);
  memcpy(&df, buf, 4);
  const int64_t next = (int64_t)df + delta;
  df                 = next < 0 ? 0 : (uint32_t)next;
  memcpy(buf, &df, 4);
  MDB_val nval = {val.mv_size, buf};
  rc = mdb_put(ix->txn->txn, ix->txn->store->search_tids, &key, &nval, 0);
  return rc ? fdx_lmdb_status(rc) : FDX_SUCCESS;
}

size_t
fdx_search_facet_term_id(const FdxFacet facet, const FdxId id, uint8_t* out)
{
  out[0] = TERM_FACET;
  out[1] = (uint8_t)fdx_facet_codes[facet];
  fdx_put_u64(out + 2, id);
  return 10;
}

size_t
fdx_search_facet_term_text(const FdxFacet facet,
                           const char*    text,
                           const size_t   len,
                           uint8_t*       out,
                           const size_t   cap)
{
  if (cap < 3) {
    return 0;
  }
  out[0] = TERM_FACET;
  out[1] = (uint8_t)fdx_facet_codes[facet];
  if (facet == FDX_FACET_YEAR) {
    if (len + 2 > cap) {
      return 0;
    }
    memcpy(out + 2, text, len);
    return len + 2;
  }
  char      buf[TERM_MAX + 1];
  const int n = fdx_token_fold(text, len, buf, sizeof(buf));
  if (n <= 0 || (size_t)n + 2 > cap) {
    return 0;
  }
  memcpy(out + 2, buf, (size_t)n);
  return (size_t)n + 2;
}

/* ------------------------------------------------------------------------
 * Dates
 * --------------------------------------------------------------------- */

static bool
digits(const char* const s, const size_t n, int* const ret)
{
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  *ret = v;
  return true;
}

bool
fdx_search_parse_date(const char* const s, const size_t len, int64_t* ret)
{
  int y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0;
  if (len < 4 || !digits(s, 4, &y)) {
    return false;
  }
  size_t i = 4;
  if (len >= 7 && s[4] == '-') {
    if (!digits(s + 5, 2, &mo)) {
      return false;
    }
    i = 7;
    if (len >= 10 && s[7] == '-') {
      if (!digits(s + 8, 2, &d)) {
        return false;
      }
      i = 10;
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) {
    return false;
  }
  int64_t tz = 0;
  if (i < len && (s[i] == 'T' || s[i] == ' ')) {
    if (len < i + 6 || !digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
        !digits(s + i + 4, 2, &mi)) {
      return false;
    }
    i += 6;
    if (i + 3 <= len && s[i] == ':' && digits(s + i + 1, 2, &sec)) {
      i += 3;
    }
    while (i < len && (s[i] == '.' || (s[i] >= '0' && s[i] <= '9'))) {
      ++i;
    }
  }
  if (i < len && (s[i] == '+' || s[i] == '-') && len >= i + 6) {
    int th = 0, tm = 0;
    if (digits(s + i + 1, 2, &th) && digits(s + i + 4, 2, &tm)) {
      tz = (s[i] == '-' ? -1 : 1) * ((int64_t)th * 3600 + tm * 60);
    }
  }
  if (h > 24 || mi > 59 || sec > 60) {
    return false;
  }
  *ret = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
         (int64_t)h * 3600 + mi * 60 + sec - tz;
  return true;
}

/* ------------------------------------------------------------------------
 * Extracting a document
 * --------------------------------------------------------------------- */

static Role
role_of(const Indexer* const ix, const FdxId p)
{
  for (size_t i = 0; i < N_ROLE_IRIS; ++i) {
    if (ix->role_ids[i] == p) {
      return role_iris[i].role;
    }
  }
  return R_NONE;
}

/* Tokenizer callback: count the term in the doc's current field. */
static int
count_term(Indexer* const ix, const char* const term, const size_t term_len)
{
  Doc* const d = &ix->doc;
  if (d->terms.n >= MAX_DOC_TERMS) {
    return 0;
  }
  bool       oom = false;
  const long e   = termmap_find(&d->terms, (const uint8_t*)term, term_len,
                                true, &oom);
  if (e < 0) {
    d->oom = true;
    return 1;
  }
  if ((size_t)e >= d->tf_cap) {
    const size_t cap   = d->tf_cap ? d->tf_cap * 2 : 256;
    void* const  grown = realloc(d->tf, cap * sizeof(*d->tf));
    if (!grown) {
      d->oom = true;
      return 1;
    }
    d->tf     = (uint8_t(*)[N_FIELDS])grown;
    d->tf_cap = cap;
  }
  if ((size_t)e == d->terms.n - 1 && !d->terms.entries[e].value) {
    memset(d->tf[e], 0, N_FIELDS);
    d->terms.entries[e].value = 1;
  }
  if (d->tf[e][d->field] < 255) {
    ++d->tf[e][d->field];
  }
  ++d->len[d->field];
  return 0;
}

/* Tokenizer callback: count the term in the doc's current field (and
 * keep it for the label cache while labels are read). */
static int
on_token(void* const ctx, const FdxToken* const token)
{
  Indexer* const ix = (Indexer*)ctx;
  if (token->stop || !token->term_len || token->term_len > TERM_MAX) {
    return 0;
  }
  if (ix->recording) {
    Bytes* const b = &ix->label_arena;
    if (!bytes_reserve(b, token->term_len + 1)) {
      ix->doc.oom = true;
      return 1;
    }
    b->data[b->len] = (uint8_t)token->term_len;
    memcpy(b->data + b->len + 1, token->term, token->term_len);
    b->len += token->term_len + 1;
  }
  return count_term(ix, token->term, token->term_len);
}

/* Cut `len` bytes of UTF-8 at `max` without splitting a character. */
static size_t
utf8_prefix(const char* const s, const size_t len, const size_t max)
{
  if (len <= max) {
    return len;
  }
  size_t n = max;
  while (n > 0 && ((uint8_t)s[n] & 0xC0) == 0x80) {
    --n;
  }
  return n;
}

/* A title: its sort key for its language, and a suggestion term (0x02,
 * the folded title) that keeps the title as written for display. */
static bool
add_title(Indexer* const ix, const FdxTerm* const t, const char* const lang)
{
  Doc* const   d = &ix->doc;
  char         buf[TERM_MAX + 1];
  const size_t in = utf8_prefix(t->value, t->value_len, 200);
  const int    n  = fdx_token_fold(t->value, in, buf, sizeof(buf));
  if (n <= 0) {
    return true;
  }
  const int slot = (lang[0] == 'e' || lang[0] == 'E') &&
                       (lang[1] == 'n' || lang[1] == 'N') &&
                       (!lang[2] || lang[2] == '-')
                     ? 0
                   : (lang[0] == 'd' || lang[0] == 'D') &&
                       (lang[1] == 'e' || lang[1] == 'E') &&
                       (!lang[2] || lang[2] == '-')
                     ? 1
                     : 2;
  if (!d->title_len[slot]) {
    d->title_len[slot] = utf8_prefix(buf, (size_t)n, TITLE_KEY_MAX);
    memcpy(d->title[slot], buf, d->title_len[slot]);
  }
  /* The suggestion term and the title as shown. */
  const size_t tlen  = utf8_prefix(buf, (size_t)n, SUGGEST_TERM_MAX);
  const size_t shown = utf8_prefix(t->value, t->value_len, TERM_MAX);
  Bytes* const b     = &d->suggest;
  const size_t need  = b->len + 5 + tlen + shown;
  if (!bytes_reserve(b, 5 + tlen + shown)) {
    return false;
  }
  uint8_t* const p = b->data + b->len;
  p[0]             = (uint8_t)((tlen + 1) >> 8);
  p[1]             = (uint8_t)(tlen + 1);
  p[2]             = TERM_TITLE;
  memcpy(p + 3, buf, tlen);
  p[3 + tlen] = (uint8_t)(shown >> 8);
  p[4 + tlen] = (uint8_t)shown;
  memcpy(p + 5 + tlen, t->value, shown);
  b->len = need;
  return true;
}

/* Tokenize the literal `id` into `field`. */
static FdxStatus
add_text(Indexer* const ix, const FdxId id, const int field)
{
  FdxStatus st = fdx_term_get(ix->txn, id, &ix->tbuf);
  if (st == FDX_FAILURE) {
    return FDX_SUCCESS;
  }
  if (st) {
    return st;
  }
  const FdxTerm* const t = &ix->tbuf.term;
  if (t->kind != FDX_TERM_LITERAL || !t->value_len) {
    return FDX_SUCCESS;
  }
  Doc* const d = &ix->doc;
  if (d->text_bytes + t->value_len > MAX_TEXT_BYTES) {
    return FDX_SUCCESS;
  }
  d->text_bytes += t->value_len;
  char lang[32] = "";
  if (t->lang && t->lang_len < sizeof(lang)) {
    memcpy(lang, t->lang, t->lang_len);
    lang[t->lang_len] = '\0';
  }
  d->field = field;
  if (field == F_TITLE && !add_title(ix, t, lang)) {
    return FDX_ERR_NO_MEMORY;
  }
  if (fdx_tokenize(ix->tk, t->value, t->value_len, fdx_token_lang(lang),
                   on_token, ix) < 0 ||
      d->oom) {
    return FDX_ERR_NO_MEMORY;
  }
  return FDX_SUCCESS;
}

/* Tokenizer callback for identifiers: count the words without digits. */
static int
on_letter_token(void* const ctx, const FdxToken* const token)
{
  for (size_t i = 0; i < token->folded_len; ++i) {
    if ((uint8_t)(token->folded[i] - '0') <= 9) {
      return 0;
    }
  }
  return on_token(ctx, token);
}

/* An identifier: the whole literal folded as one term ("FDX-ATH-2021" is
 * "fdx-ath-2021"), which a query clause finds through its own folded text
 * (query.c), and its words of letters; not its parts with digits:
 * identifiers are mostly unique, and those parts (of a UUID, say) would
 * fill the term dictionary with words nobody searches for. */
static FdxStatus
add_identifier(Indexer* const ix, const FdxId id)
{
  FdxStatus st = fdx_term_get(ix->txn, id, &ix->tbuf);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  const FdxTerm* const t = &ix->tbuf.term;
  if (t->kind != FDX_TERM_LITERAL || !t->value_len ||
      t->value_len > TERM_MAX) {
    return FDX_SUCCESS;
  }
  char      buf[TERM_MAX + 1];
  const int n = fdx_token_fold(t->value, t->value_len, buf, sizeof(buf));
  if (n <= 0 || (uint8_t)buf[0] < 0x20) {
    return FDX_SUCCESS;
  }
  ix->doc.field = F_IDENTIFIER;
  count_term(ix, buf, (size_t)n);
  /* And its words of letters ("fdx", "ath"), unstemmed: the parts with
   * digits are what makes identifiers unique. */
  if (fdx_tokenize(ix->tk, t->value, t->value_len, FDX_TOKEN_LANG_NONE,
                   on_letter_token, ix) < 0) {
    return FDX_ERR_NO_MEMORY;
  }
  return ix->doc.oom ? FDX_ERR_NO_MEMORY : FDX_SUCCESS;
}

/* Note a facet value (a term of up to 10 bytes). */
static void
add_facet_id(Indexer* const ix, const FdxFacet facet, const FdxId id)
{
  Doc* const d = &ix->doc;
  uint8_t    term[10];
  fdx_search_facet_term_id(facet, id, term);
  bool oom = false;
  if (d->n_facets + d->n_text_facets >= MAX_DOC_FACETS ||
      termmap_find(&d->facet_seen, term, 10, false, &oom) >= 0) {
    return;
  }
  if (termmap_find(&d->facet_seen, term, 10, true, &oom) < 0) {
    d->oom = true;
    return;
  }
  d->facets[d->n_facets][0] = 10;
  memcpy(d->facets[d->n_facets] + 1, term, 10);
  ++d->n_facets;
}

/* Note a facet value of text (keyword, year). */
static void
add_facet_text(Indexer* const    ix,
               const FdxFacet    facet,
               const char* const text,
               const size_t      len)
{
  Doc* const d = &ix->doc;
  uint8_t    term[TERM_MAX];
  const size_t n =
    fdx_search_facet_term_text(facet, text, len, term, sizeof(term));
  bool oom = false;
  if (!n || n < 3 || d->n_facets + d->n_text_facets >= MAX_DOC_FACETS ||
      termmap_find(&d->facet_seen, term, n, false, &oom) >= 0) {
    return;
  }
  if (termmap_find(&d->facet_seen, term, n, true, &oom) < 0) {
    d->oom = true;
    return;
  }
  Bytes* const b    = &ix->kw;
  const size_t dlen = len < TERM_MAX ? len : TERM_MAX;
  if (!bytes_reserve(b, n + 4 + dlen)) {
    d->oom = true;
    return;
  }
  b->data[b->len]     = (uint8_t)(n >> 8);
  b->data[b->len + 1] = (uint8_t)n;
  memcpy(b->data + b->len + 2, term, n);
  b->len += n + 2;
  /* The text as first seen, for display. */
  b->data[b->len]     = (uint8_t)(dlen >> 8);
  b->data[b->len + 1] = (uint8_t)dlen;
  memcpy(b->data + b->len + 2, text, dlen);
  b->len += dlen + 2;
  ++d->n_text_facets;
}

/* A date: dct:modified wins over dct:issued. */
static FdxStatus
add_date(Indexer* const ix, const FdxId id, const bool modified)
{
  Doc* const d = &ix->doc;
  if (d->have_modified || (!modified && d->dated)) {
    return FDX_SUCCESS;
  }
  FdxStatus st = fdx_term_get(ix->txn, id, &ix->tbuf);
  if (st == FDX_FAILURE) {
    return FDX_SUCCESS;
  }
  if (st) {
    return st;
  }
  const FdxTerm* const t = &ix->tbuf.term;
  int64_t              secs;
  if (t->kind == FDX_TERM_LITERAL &&
      fdx_search_parse_date(t->value, t->value_len, &secs)) {
    d->dated         = true;
    d->modified      = secs;
    d->have_modified = modified;
    memcpy(d->year, t->value, 4); /* parsing checked the four digits */
  }
  return FDX_SUCCESS;
}

/* Position `cur` (an ordering whose key is `a` and values start with `b`)
 * at the first value starting with b; false if none. */
static FdxStatus
seek2(MDB_cursor* const cur,
      const FdxId       a,
      const FdxId       b,
      uint8_t* const    kbuf,
      MDB_val* const    key,
      MDB_val* const    val)
{
  uint8_t vbuf[24];
  fdx_put_u64(kbuf, a);
  fdx_put_u64(vbuf, b);
  memset(vbuf + 8, 0, 16);
  key->mv_size = 8;
  key->mv_data = kbuf;
  val->mv_size = 24;
  val->mv_data = vbuf;
  const int rc = mdb_cursor_get(cur, key, val, MDB_GET_BOTH_RANGE);
  if (rc == MDB_NOTFOUND) {
    return FDX_FAILURE;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  return fdx_get_u64((const uint8_t*)val->mv_data) == b ? FDX_SUCCESS
                                                        : FDX_FAILURE;
}

static FdxStatus read_labels(Indexer* ix, FdxId o, int field);

/* The most bytes of cached label terms (the cache starts over beyond). */
#define LABEL_CACHE_BYTES ((size_t)64 << 20)

/* Add the labels of `o` (from any graph) to `field`, from the label cache
 * when this commit has read them already. */
static FdxStatus
add_labels(Indexer* const ix, const FdxId o, const int field)
{
  if (fdx_id_is_inline(o)) {
    return FDX_SUCCESS;
  }
  uint8_t key[9];
  fdx_put_u64(key, o);
  key[8]      = (uint8_t)field;
  bool       oom = false;
  const long e   = termmap_find(&ix->labels, key, 9, false, &oom);
  Doc* const d   = &ix->doc;
  if (e >= 0) {
    const struct LabelRun* const run = &ix->label_runs[e];
    d->field                         = field;
    for (uint32_t at = run->off; at < run->off + run->len;) {
      const size_t n = ix->label_arena.data[at];
      count_term(ix, (const char*)ix->label_arena.data + at + 1, n);
      at += (uint32_t)n + 1;
    }
    return d->oom ? FDX_ERR_NO_MEMORY : FDX_SUCCESS;
  }
  if (ix->label_arena.len > LABEL_CACHE_BYTES) {
    termmap_clear(&ix->labels);
    ix->label_arena.len = 0;
  }
  const size_t start = ix->label_arena.len;
  ix->recording      = true;
  const FdxStatus st = read_labels(ix, o, field);
  ix->recording      = false;
  if (st) {
    return st;
  }
  const long ne = termmap_find(&ix->labels, key, 9, true, &oom);
  if (ne < 0) {
    return FDX_ERR_NO_MEMORY;
  }
  if ((size_t)ne >= ix->label_runs_cap) {
    const size_t cap   = ix->label_runs_cap ? ix->label_runs_cap * 2 : 256;
    void* const  grown = realloc(ix->label_runs, cap * sizeof(*ix->label_runs));
    if (!grown) {
      return FDX_ERR_NO_MEMORY;
    }
    ix->label_runs     = (struct LabelRun*)grown;
    ix->label_runs_cap = cap;
  }
  ix->label_runs[ne].off = (uint32_t)start;
  ix->label_runs[ne].len = (uint32_t)(ix->label_arena.len - start);
  return FDX_SUCCESS;
}

/* Read and tokenize the labels of `o` into `field`. */
static FdxStatus
read_labels(Indexer* const ix, const FdxId o, const int field)
{
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, o);
  MDB_val key = {8, kbuf};
  MDB_val val;
  int     rc = mdb_cursor_get(ix->spog, &key, &val, MDB_SET_KEY);
  if (rc == MDB_NOTFOUND) {
    return FDX_SUCCESS;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  /* Collect first: tokenizing decodes terms, which moves no cursor of
   * ours, but keep the walk simple. */
  FdxId  labels[MAX_LABELS];
  size_t n    = 0;
  FdxId  last = 0;
  while (!rc) {
    const uint8_t* const v = (const uint8_t*)val.mv_data;
    const FdxId          p = fdx_get_u64(v);
    const FdxId          l = fdx_get_u64(v + 8);
    if (l != last && (role_of(ix, p) == R_LABEL ||
                      (field == F_PUBLISHER && role_of(ix, p) == R_TITLE))) {
      if (n == MAX_LABELS) {
        break;
      }
      labels[n++] = l;
      last        = l;
    }
    rc = mdb_cursor_get(ix->spog, &key, &val, MDB_NEXT_DUP);
  }
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  for (size_t i = 0; i < n; ++i) {
    const FdxStatus st = add_text(ix, labels[i], field);
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

/* Read the quads of `s` in graph `g` into (p, o) pairs (a fresh array,
 * capped; *ret_n). */
static FdxStatus
read_pairs(Indexer* const ix,
           const FdxId    g,
           const FdxId    s,
           FdxId**        ret,
           size_t* const  ret_n)
{
  size_t  n = 0, cap = 64;
  FdxId*  pairs = (FdxId*)malloc(cap * 2 * sizeof(FdxId));
  uint8_t kbuf[8];
  MDB_val key, val;
  if (!pairs) {
    return FDX_ERR_NO_MEMORY;
  }
  FdxStatus st = seek2(ix->gspo, g, s, kbuf, &key, &val);
  while (!st) {
    const uint8_t* const v = (const uint8_t*)val.mv_data;
    if (fdx_get_u64(v) != s) {
      break;
    }
    if (n == cap) {
      if (cap >= 1u << 20) {
        break; /* a subject with a million quads: index what we have */
      }
      FdxId* const grown = (FdxId*)realloc(pairs, cap * 4 * sizeof(FdxId));
      if (!grown) {
        free(pairs);
        return FDX_ERR_NO_MEMORY;
      }
      pairs = grown;
      cap *= 2;
    }
    pairs[2 * n]     = fdx_get_u64(v + 8);
    pairs[2 * n + 1] = fdx_get_u64(v + 16);
    ++n;
    const int rc = mdb_cursor_get(ix->gspo, &key, &val, MDB_NEXT_DUP);
    st           = rc == MDB_NOTFOUND ? FDX_FAILURE : lmdb_st(rc);
  }
  if (st && st != FDX_FAILURE) {
    free(pairs);
    return st;
  }
  *ret   = pairs;
  *ret_n = n;
  return FDX_SUCCESS;
}

/* A distribution: its format (dct:format, else dcat:mediaType) and
 * licence. */
static FdxStatus
add_distribution(Indexer* const ix, const FdxId g, const FdxId dist)
{
  FdxId*    pairs = NULL;
  size_t    n     = 0;
  FdxStatus st    = read_pairs(ix, g, dist, &pairs, &n);
  if (st) {
    return st;
  }
  bool  have_format = false;
  FdxId media       = 0;
  for (size_t i = 0; i < n; ++i) {
    const Role r = role_of(ix, pairs[2 * i]);
    const FdxId o = pairs[2 * i + 1];
    if (r == R_FORMAT) {
      add_facet_id(ix, FDX_FACET_FORMAT, o);
      have_format = true;
    } else if (r == R_MEDIA_TYPE && !media) {
      media = o;
    } else if (r == R_LICENSE) {
      add_facet_id(ix, FDX_FACET_LICENSE, o);
    }
  }
  if (!have_format && media) {
    add_facet_id(ix, FDX_FACET_FORMAT, media);
  }
  free(pairs);
  return FDX_SUCCESS;
}

/* The notation of an adms:identifier node. */
static FdxStatus
add_adms_identifier(Indexer* const ix, const FdxId g, const FdxId node)
{
  const FdxTerm* t = NULL;
  FdxStatus      st = fdx_term_get(ix->txn, node, &ix->tbuf2);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  t = &ix->tbuf2.term;
  if (t->kind == FDX_TERM_LITERAL) {
    return add_identifier(ix, node);
  }
  FdxId* pairs = NULL;
  size_t n     = 0;
  if ((st = read_pairs(ix, g, node, &pairs, &n))) {
    return st;
  }
  for (size_t i = 0; i < n && !st; ++i) {
    if (role_of(ix, pairs[2 * i]) == R_NOTATION) {
      st = add_identifier(ix, pairs[2 * i + 1]);
    }
  }
  free(pairs);
  return st;
}

static void
doc_reset(Doc* const d)
{
  termmap_clear(&d->terms);
  termmap_clear(&d->facet_seen);
  memset(d->len, 0, sizeof(d->len));
  d->n_facets      = 0;
  d->n_text_facets = 0;
  d->dated         = false;
  d->have_modified = false;
  d->modified      = 0;
  memset(d->title_len, 0, sizeof(d->title_len));
  d->suggest.len   = 0;
  d->cls           = 0;
  d->oom           = false;
  d->text_bytes    = 0;
}

/* Build the document of (g, s) in ix->doc. */
static FdxStatus
extract_doc(Indexer* const ix, const FdxId g, const FdxId s, const uint8_t cls)
{
  /* The tokenizer (two stemmers, their caches) only for commits that
   * index a document: most small updates touch none. */
  if (!ix->tk && !(ix->tk = fdx_tokenizer_new())) {
    return FDX_ERR_NO_MEMORY;
  }
  Doc* const d = &ix->doc;
  doc_reset(d);
  ix->kw.len = 0;
  d->cls     = cls;
  FdxId*    pairs = NULL;
  size_t    n     = 0;
  FdxStatus st    = read_pairs(ix, g, s, &pairs, &n);
  if (st) {
    return st;
  }
  size_t dists = 0;
  for (size_t i = 0; i < n && !st; ++i) {
    const FdxId p = pairs[2 * i];
    const FdxId o = pairs[2 * i + 1];
    switch (role_of(ix, p)) {
    case R_TITLE:
      st = add_text(ix, o, F_TITLE);
      break;
    case R_DESCRIPTION:
      st = add_text(ix, o, F_DESCRIPTION);
      break;
    case R_KEYWORD:
      if (!(st = add_text(ix, o, F_KEYWORD))) {
        /* add_text() left the literal in tbuf. */
        const FdxTerm* const t = &ix->tbuf.term;
        if (t->kind == FDX_TERM_LITERAL && t->value_len) {
          add_facet_text(ix, FDX_FACET_KEYWORD, t->value, t->value_len);
        }
      }
      break;
    case R_IDENTIFIER:
      st = add_identifier(ix, o);
      break;
    case R_ADMS_IDENTIFIER:
      st = add_adms_identifier(ix, g, o);
      break;
    case R_PUBLISHER:
      add_facet_id(ix, FDX_FACET_PUBLISHER, o);
      st = fdx_id_is_inline(o) ? FDX_SUCCESS : add_text(ix, o, F_PUBLISHER);
      if (!st) {
        st = add_labels(ix, o, F_PUBLISHER);
      }
      break;
    case R_THEME:
      add_facet_id(ix, FDX_FACET_THEME, o);
      st = add_labels(ix, o, F_CONCEPT);
      break;
    case R_CONCEPT:
      st = add_labels(ix, o, F_CONCEPT);
      break;
    case R_LICENSE:
      add_facet_id(ix, FDX_FACET_LICENSE, o);
      break;
    case R_ACCESS_RIGHTS:
      add_facet_id(ix, FDX_FACET_ACCESS_RIGHTS, o);
      break;
    case R_MODIFIED:
      st = add_date(ix, o, true);
      break;
    case R_ISSUED:
      st = add_date(ix, o, false);
      break;
    case R_DISTRIBUTION:
      if (dists++ < MAX_DISTRIBUTIONS) {
        st = add_distribution(ix, g, o);
      }
      break;
    default:
      break;
    }
  }
  free(pairs);
  if (!st && d->dated) {
    /* The year as written (in its own time zone), as SPARQL's YEAR(). */
    add_facet_text(ix, FDX_FACET_YEAR, d->year, 4);
  }
  if (!st && d->oom) {
    st = FDX_ERR_NO_MEMORY;
  }
  return st;
}

/* ------------------------------------------------------------------------
 * Posting operations
 * --------------------------------------------------------------------- */

static FdxStatus apply_ops(Indexer* ix);

static FdxStatus
queue_op(Indexer* const       ix,
         const uint32_t       tid,
         const uint32_t       doc,
         const bool           del,
         const uint8_t        mask,
         const uint8_t* const tf)
{
  if (ix->n_ops == ix->ops_cap) {
    if (ix->ops_cap >= OPS_FLUSH) {
      const FdxStatus st = apply_ops(ix);
      if (st) {
        return st;
      }
    } else {
      const size_t cap   = ix->ops_cap ? ix->ops_cap * 2 : 4096;
      Op* const    grown = (Op*)realloc(ix->ops, cap * sizeof(Op));
      if (!grown) {
        return FDX_ERR_NO_MEMORY;
      }
      ix->ops     = grown;
      ix->ops_cap = cap;
    }
  }
  Op* const op = &ix->ops[ix->n_ops++];
  op->tid      = tid;
  op->doc      = doc;
  op->seq      = ix->seq++;
  op->del      = del;
  op->mask     = mask;
  if (tf) {
    memcpy(op->tf, tf, N_FIELDS);
  } else {
    memset(op->tf, 0, N_FIELDS);
  }
  return FDX_SUCCESS;
}

/* Sort ops by (tid, doc), keeping queue order among equals: an LSD
 * radix sort over 16-bit digits (doc low, doc high, tid low, tid high),
 * skipping a digit all ops share.  A bulk load queues millions of ops;
 * qsort's calls to a comparison function cost several times this. */
static bool
sort_ops(Op* const ops, const size_t n)
{
  if (n < 2) {
    return true;
  }
  Op* const     tmp   = (Op*)malloc(n * sizeof(Op));
  size_t* const count = (size_t*)malloc(65536 * sizeof(size_t));
  if (!tmp || !count) {
    free(tmp);
    free(count);
    return false;
  }
  Op* from = ops;
  Op* to   = tmp;
  /* Ops come queued doc by doc, so a bulk load's are sorted by doc
   * already: then the (stable) passes on tid alone finish the job. */
  bool by_doc = true;
  for (size_t i = 1; i < n && by_doc; ++i) {
    by_doc = ops[i - 1].doc <= ops[i].doc;
  }
  for (int pass = by_doc ? 2 : 0; pass < 4; ++pass) {
    const unsigned shift = (pass & 1) ? 16 : 0;
    memset(count, 0, 65536 * sizeof(size_t));
    for (size_t i = 0; i < n; ++i) {
      const uint32_t v = pass < 2 ? from[i].doc : from[i].tid;
      ++count[(v >> shift) & 0xffff];
    }
    const uint32_t first = ((pass < 2 ? from[0].doc : from[0].tid) >> shift) &
                           0xffff;
    if (count[first] == n) {
      continue; /* every op has this digit */
    }
    size_t sum = 0;
    for (size_t d = 0; d < 65536; ++d) {
      const size_t c = count[d];
      count[d]       = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; ++i) {
      const uint32_t v = pass < 2 ? from[i].doc : from[i].tid;
      to[count[(v >> shift) & 0xffff]++] = from[i];
    }
    Op* const t = from;
    from        = to;
    to          = t;
  }
  if (from != ops) {
    memcpy(ops, from, n * sizeof(Op));
  }
  free(tmp);
  free(count);
  return true;
}

static size_t
varint_put(uint8_t* const out, uint32_t v)
{
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

/* Encode postings[0..n) as one block into `out` (room for n * 12 bytes). */
static size_t
block_encode(const Posting* const postings, const size_t n, uint8_t* out)
{
  size_t   len  = 0;
  uint32_t prev = postings[0].doc;
  for (size_t i = 0; i < n; ++i) {
    len += varint_put(out + len, postings[i].doc - prev);
    prev       = postings[i].doc;
    out[len++] = postings[i].mask;
    for (int f = 0; f < N_FIELDS; ++f) {
      if (postings[i].mask & (1u << f)) {
        out[len++] = postings[i].tf[f];
      }
    }
  }
  return len;
}

/* Scratch for merging one block. */
typedef struct {
  Posting* items;
  size_t   n;
  size_t   cap;
} PostingList;

static bool
plist_push(PostingList* const l, const Posting* const p)
{
  if (l->n == l->cap) {
    const size_t   cap   = l->cap ? l->cap * 2 : 256;
    Posting* const grown = (Posting*)realloc(l->items, cap * sizeof(Posting));
    if (!grown) {
      return false;
    }
    l->items = grown;
    l->cap   = cap;
  }
  l->items[l->n++] = *p;
  return true;
}

/* Write `merged` as blocks of `tid`, replacing the block that started at
 * `old_first` (if `had_old`). */
static FdxStatus
write_blocks(Indexer* const           ix,
             const uint32_t           tid,
             const PostingList* const merged,
             const bool               had_old,
             const uint32_t           old_first)
{
  MDB_txn* const txn = ix->txn->txn;
  const MDB_dbi  dbi = ix->txn->store->search_postings;
  bool           old_kept = false;
  uint8_t        buf[BLOCK_MAX * (5 + 1 + N_FIELDS)];
  for (size_t i = 0; i < merged->n; i += BLOCK_MAX) {
    const size_t n = merged->n - i < BLOCK_MAX ? merged->n - i : BLOCK_MAX;
    uint8_t      kbuf[8];
    put_u32be(kbuf, tid);
    put_u32be(kbuf + 4, merged->items[i].doc);
    old_kept      = old_kept || (had_old && merged->items[i].doc == old_first);
    MDB_val key   = {8, kbuf};
    MDB_val val   = {block_encode(merged->items + i, n, buf), buf};
    const int rc  = tid >= ix->first_new_tid
                      ? put_append(txn, dbi, &key, &val)
                      : mdb_put(txn, dbi, &key, &val, 0);
    if (rc) {
      return fdx_lmdb_status(rc);
    }
  }
  if (had_old && !old_kept) {
    uint8_t kbuf[8];
    put_u32be(kbuf, tid);
    put_u32be(kbuf + 4, old_first);
    MDB_val   key = {8, kbuf};
    const int rc  = mdb_del(txn, dbi, &key, NULL);
    if (rc && rc != MDB_NOTFOUND) {
      return fdx_lmdb_status(rc);
    }
  }
  return FDX_SUCCESS;
}

/* Is the cursor on a block of `tid`?  Then its first doc in *ret. */
static bool
at_block_of(const int rc, const MDB_val* const key, const uint32_t tid,
            uint32_t* const ret)
{
  if (rc || key->mv_size != 8 ||
      get_u32be((const uint8_t*)key->mv_data) != tid) {
    return false;
  }
  *ret = get_u32be((const uint8_t*)key->mv_data + 4);
  return true;
}

/* The block of `tid` that holds `doc`: the last one starting at or before
 * it, else the first one (which starts after it); *ret_have false if tid
 * has no block. */
static FdxStatus
find_block(Indexer* const  ix,
           const uint32_t  tid,
           const uint32_t  doc,
           bool* const     ret_have,
           uint32_t* const ret_first)
{
  uint8_t kbuf[8];
  put_u32be(kbuf, tid);
  put_u32be(kbuf + 4, doc);
  MDB_val  key = {8, kbuf};
  MDB_val  val;
  uint32_t after = 0;
  int      rc    = mdb_cursor_get(ix->post, &key, &val, MDB_SET_RANGE);
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  const bool have_after = at_block_of(rc, &key, tid, &after);
  *ret_have             = true;
  if (have_after && after == doc) {
    *ret_first = doc;
    return FDX_SUCCESS;
  }
  rc = mdb_cursor_get(ix->post, &key, &val, rc ? MDB_LAST : MDB_PREV);
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  if (at_block_of(rc, &key, tid, ret_first)) {
    return FDX_SUCCESS;
  }
  *ret_first = after;
  *ret_have  = have_after;
  return FDX_SUCCESS;
}

/* Where the block of `tid` after the one starting at `first` starts
 * (UINT32_MAX if it is the last). */
static FdxStatus
next_block(Indexer* const  ix,
           const uint32_t  tid,
           const uint32_t  first,
           uint32_t* const ret)
{
  *ret = UINT32_MAX;
  if (first == UINT32_MAX) {
    return FDX_SUCCESS;
  }
  uint8_t kbuf[8];
  put_u32be(kbuf, tid);
  put_u32be(kbuf + 4, first + 1);
  MDB_val   key = {8, kbuf};
  MDB_val   val;
  const int rc = mdb_cursor_get(ix->post, &key, &val, MDB_SET_RANGE);
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  at_block_of(rc, &key, tid, ret);
  return FDX_SUCCESS;
}

/* Merge the queued ops into the postings blocks. */
static FdxStatus
apply_ops(Indexer* const ix)
{
  if (!ix->n_ops) {
    return FDX_SUCCESS;
  }
  if (!sort_ops(ix->ops, ix->n_ops)) {
    return FDX_ERR_NO_MEMORY;
  }
  const size_t bits = ix->counters.next_tid > ix->first_new_tid
                        ? ix->counters.next_tid - ix->first_new_tid
                        : 0;
  if (bits > ix->new_written_bits) {
    const size_t   old_bytes = (ix->new_written_bits + 7) / 8;
    const size_t   bytes     = (bits * 2 + 7) / 8;
    uint8_t* const grown     = (uint8_t*)realloc(ix->new_written, bytes);
    if (!grown) {
      return FDX_ERR_NO_MEMORY;
    }
    memset(grown + old_bytes, 0, bytes - old_bytes);
    ix->new_written      = grown;
    ix->new_written_bits = bytes * 8;
  }
  PostingList merged = {NULL, 0, 0};
  PostingList out    = {NULL, 0, 0};
  FdxStatus   st     = FDX_SUCCESS;
  size_t      i      = 0;
  while (i < ix->n_ops && !st && !(st = indexer_count_writes(ix, 4))) {
    const uint32_t tid = ix->ops[i].tid;
    const uint32_t doc = ix->ops[i].doc;
    /* The block holding `doc`: the last one of tid starting at or before
     * it, else tid's first block (when that starts after it). */
    bool           have       = false;
    uint32_t       first      = 0;
    uint32_t       next_first = UINT32_MAX; /* where the next block starts */
    const bool     is_new     = tid >= ix->first_new_tid;
    const uint32_t bit        = is_new ? tid - ix->first_new_tid : 0;
    const bool     unwritten =
      is_new && !(ix->new_written[bit / 8] & (1u << (bit % 8)));
    if (!unwritten &&
        ((st = find_block(ix, tid, doc, &have, &first)) ||
         (have && (st = next_block(ix, tid, first, &next_first))))) {
      break;
    }
    merged.n = 0;
    if (have) {
      uint8_t kbuf[8];
      put_u32be(kbuf, tid);
      put_u32be(kbuf + 4, first);
      MDB_val   key = {8, kbuf};
      MDB_val   val;
      const int rc =
        mdb_get(ix->txn->txn, ix->txn->store->search_postings, &key, &val);
      if (rc) {
        st = fdx_lmdb_status(rc);
        break;
      }
      const uint8_t*       p    = (const uint8_t*)val.mv_data;
      const uint8_t* const end  = p + val.mv_size;
      uint32_t             prev = first;
      while (p < end) {
        Posting post;
        if (!(p = posting_decode(p, end, prev, &post))) {
          st = FDX_ERR_CORRUPT;
          break;
        }
        prev = post.doc;
        if (!plist_push(&merged, &post)) {
          st = FDX_ERR_NO_MEMORY;
          break;
        }
      }
      if (st) {
        break;
      }
    }
    /* Merge the ops of tid that fall before next_first. */
    size_t m = 0;
    out.n    = 0;
    while (i < ix->n_ops && ix->ops[i].tid == tid &&
           ix->ops[i].doc < next_first && !st) {
      /* The last op on one doc wins. */
      size_t j = i;
      while (j + 1 < ix->n_ops && ix->ops[j + 1].tid == tid &&
             ix->ops[j + 1].doc == ix->ops[i].doc) {
        ++j;
      }
      const Op* const op = &ix->ops[j];
      while (m < merged.n && merged.items[m].doc < op->doc) {
        if (!plist_push(&out, &merged.items[m++])) {
          st = FDX_ERR_NO_MEMORY;
        }
      }
      if (m < merged.n && merged.items[m].doc == op->doc) {
        ++m; /* replaced or deleted */
      }
      if (!op->del) {
        Posting post;
        post.doc  = op->doc;
        post.mask = op->mask;
        memcpy(post.tf, op->tf, N_FIELDS);
        if (!plist_push(&out, &post)) {
          st = FDX_ERR_NO_MEMORY;
        }
      }
      i = j + 1;
    }
    while (!st && m < merged.n) {
      if (!plist_push(&out, &merged.items[m++])) {
        st = FDX_ERR_NO_MEMORY;
      }
    }
    if (!st) {
      st = write_blocks(ix, tid, &out, have, first);
    }
    if (is_new) {
      ix->new_written[bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
  }
  free(out.items);
  free(merged.items);
  ix->n_ops = 0;
  return st;
}

/* ------------------------------------------------------------------------
 * Documents
 * --------------------------------------------------------------------- */

void
fdx_search_mod_key(uint8_t* const out, const bool dated,
                   const int64_t modified, const uint32_t doc)
{
  out[0] = 'm';
  fdx_put_u64(out + 1, dated ? (uint64_t)modified ^ ((uint64_t)1 << 63) : 0);
  put_u32be(out + 9, ~doc);
}

static void
doc_key(uint8_t* const out, const FdxId g, const FdxId s)
{
  out[0] = 'k';
  fdx_put_u64(out + 1, s);
  fdx_put_u64(out + 9, g);
}

/* The doc of (g, s), if it has one. */
static FdxStatus
doc_find(Indexer* const ix, const FdxId g, const FdxId s, uint32_t* const ret)
{
  uint8_t kbuf[17];
  doc_key(kbuf, g, s);
  return get_u32(ix->txn->txn, ix->txn->store->search_keys, kbuf, 17, ret);
}

/* The 64-bit hash behind the API's short ids: FNV-1a, then a
 * multiply-xorshift finalizer (MurmurHash3's) so that every input bit
 * reaches every output bit.  Not for security: an id only has to be
 * stable and rarely shared (and two IRIs that share one are both found). */
static uint64_t
id_hash(const char* const s, const size_t len)
{
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < len; ++i) {
    h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

void
fdx_search_hash_id(const char* const iri, const size_t len, char out[18])
{
  static const char hex[] = "0123456789abcdef";
  const uint64_t    h     = id_hash(iri, len);
  out[0]                  = 'x';
  for (int i = 0; i < 16; ++i) {
    out[1 + i] = hex[(h >> (60 - 4 * i)) & 15];
  }
  out[17] = '\0';
}

/* The 'h' key of a doc: 'h', the 64-bit id hash of the subject IRI, doc. */
static FdxStatus
hash_key(Indexer* const ix, const FdxId s, const uint32_t doc, uint8_t* out,
         bool* const ret_ok)
{
  *ret_ok      = false;
  FdxStatus st = fdx_term_get(ix->txn, s, &ix->tbuf2);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  if (ix->tbuf2.term.kind != FDX_TERM_IRI) {
    return FDX_SUCCESS;
  }
  out[0] = 'h';
  fdx_put_u64(out + 1, id_hash(ix->tbuf2.term.value, ix->tbuf2.term.value_len));
  put_u32be(out + 9, doc);
  *ret_ok = true;
  return FDX_SUCCESS;
}

/* Remove doc `doc` of (g, s): its postings, records and counts. */
static FdxStatus
remove_doc(Indexer* const ix, const FdxId g, const FdxId s, const uint32_t doc)
{
  MDB_txn* const   txn   = ix->txn->txn;
  FdxStore* const  store = ix->txn->store;
  uint8_t          dkey[4];
  put_u32be(dkey, doc);
  MDB_val   key = {4, dkey};
  MDB_val   val;
  FdxStatus st = FDX_SUCCESS;
  int       rc = mdb_get(txn, store->search_forward, &key, &val);
  if (!rc) {
    const uint8_t*       p   = (const uint8_t*)val.mv_data;
    const uint8_t* const end = p + val.mv_size;
    /* Copy: queueing may flush, which writes and moves pages. */
    uint8_t* const copy = (uint8_t*)malloc(val.mv_size ? val.mv_size : 1);
    if (!copy) {
      return FDX_ERR_NO_MEMORY;
    }
    memcpy(copy, p, val.mv_size);
    p = copy;
    const uint8_t* const cend = copy + (end - (const uint8_t*)val.mv_data);
    while (p + 5 <= cend && !st) {
      uint32_t tid;
      memcpy(&tid, p, 4);
      const uint8_t mask = p[4];
      p += 5;
      for (int f = 0; f < N_FIELDS; ++f) {
        if (mask & (1u << f)) {
          ++p;
        }
      }
      st = queue_op(ix, tid, doc, true, 0, NULL);
      if (!st && !fdx_tidmap_add(&ix->df, tid, -1)) {
        st = FDX_ERR_NO_MEMORY;
      }
    }
    free(copy);
    if (!st) {
      rc = mdb_del(txn, store->search_forward, &key, NULL);
    }
  }
  if (st) {
    return st;
  }
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  key.mv_size = 4;
  key.mv_data = dkey;
  rc          = mdb_get(txn, store->search_docs, &key, &val);
  if (!rc && val.mv_size >= sizeof(DocHead)) {
    DocHead head;
    memcpy(&head, val.mv_data, sizeof(head));
    for (int f = 0; f < N_FIELDS; ++f) {
      ix->counters.len_sum[f] -= head.len[f] <= ix->counters.len_sum[f]
                                   ? head.len[f]
                                   : ix->counters.len_sum[f];
    }
    key.mv_size = 4;
    key.mv_data = dkey;
    if ((rc = mdb_del(txn, store->search_docs, &key, NULL))) {
      return fdx_lmdb_status(rc);
    }
    uint8_t mk[SEARCH_MOD_KEY];
    fdx_search_mod_key(mk, (head.flags & DOC_DATED) != 0, head.modified, doc);
    MDB_val mkey = {SEARCH_MOD_KEY, mk};
    rc           = mdb_del(txn, store->search_keys, &mkey, NULL);
    if (rc && rc != MDB_NOTFOUND) {
      return fdx_lmdb_status(rc);
    }
  } else if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  uint8_t kbuf[17];
  doc_key(kbuf, g, s);
  MDB_val kkey = {17, kbuf};
  rc           = mdb_del(txn, store->search_keys, &kkey, NULL);
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  uint8_t hk[13];
  bool    ok = false;
  if ((st = hash_key(ix, s, doc, hk, &ok))) {
    return st;
  }
  if (ok) {
    MDB_val hkey = {13, hk};
    rc           = mdb_del(txn, store->search_keys, &hkey, NULL);
    if (rc && rc != MDB_NOTFOUND) {
      return fdx_lmdb_status(rc);
    }
  }
  if (ix->counters.docs) {
    --ix->counters.docs;
  }
  ix->counters_dirty = true;
  return FDX_SUCCESS;
}

/*
 * search_keys entries of new documents are held back and written in key
 * order when run_work() ends (or KEYS_FLUSH of them are held): of a
 * document's three keys, its modified-order key and its short-id hash
 * would otherwise go to random places in the table, a B-tree descent
 * and most often a page fault each on a bulk load of a million
 * documents; in order, keys after the table's last are appended.  Safe
 * because nothing in run_work() looks up a key of a document it wrote:
 * each (graph, subject) is indexed once per run_work(), and doc_find()
 * and remove_doc() only meet documents of earlier transactions.
 */
static FdxStatus flush_keys(Indexer* ix);

static FdxStatus
pend_key(Indexer* const ix, const uint8_t* const key, const size_t key_len,
         const void* const val, const size_t val_len)
{
  if (ix->n_keys == ix->keys_cap) {
    if (ix->keys_cap >= KEYS_FLUSH) {
      const FdxStatus st = flush_keys(ix);
      if (st) {
        return st;
      }
    } else {
      const size_t cap   = ix->keys_cap ? ix->keys_cap * 2 : 1024;
      void* const  grown = realloc(ix->keys, cap * sizeof(*ix->keys));
      if (!grown) {
        return FDX_ERR_NO_MEMORY;
      }
      ix->keys     = (struct PendingKey*)grown;
      ix->keys_cap = cap;
    }
  }
  struct PendingKey* const k = &ix->keys[ix->n_keys++];
  memset(k->key, 0, sizeof(k->key));
  memcpy(k->key, key, key_len);
  k->key_len = (uint8_t)key_len;
  k->val_len = (uint8_t)val_len;
  if (val_len) {
    memcpy(k->val, val, val_len);
  }
  return FDX_SUCCESS;
}

/* memcmp order, shorter first on a tie (LMDB's default for the table). */
static int
pending_cmp(const void* const va, const void* const vb)
{
  const struct PendingKey* const a = (const struct PendingKey*)va;
  const struct PendingKey* const b = (const struct PendingKey*)vb;
  const size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
  const int    c = memcmp(a->key, b->key, n);
  return c ? c : (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

static uint64_t
pending_prefix(const struct PendingKey* const k)
{
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | k->key[i]; /* zero-padded past key_len */
  }
  return v;
}

/* Write the held keys in key order. */
static FdxStatus
flush_keys(Indexer* const ix)
{
  const size_t n = ix->n_keys;
  if (!n) {
    return FDX_SUCCESS;
  }
  FdxKeyPair* const a = (FdxKeyPair*)malloc(n * sizeof(FdxKeyPair));
  struct PendingKey* const sorted =
    (struct PendingKey*)malloc(n * sizeof(struct PendingKey));
  FdxStatus st = a && sorted ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  for (size_t i = 0; i < n && !st; ++i) {
    a[i].key   = pending_prefix(&ix->keys[i]);
    a[i].value = i;
  }
  if (!st && !fdx_key_pairs_sort(a, n)) {
    st = FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < n && !st; ++i) {
    sorted[i] = ix->keys[a[i].value];
  }
  /* Equal prefixes (one subject in two graphs, one modified time): by
   * the whole key. */
  for (size_t i = 0; i < n && !st;) {
    size_t j = i + 1;
    while (j < n && a[j].key == a[i].key) {
      ++j;
    }
    if (j - i > 1) {
      qsort(sorted + i, j - i, sizeof(struct PendingKey), pending_cmp);
    }
    i = j;
  }
  free(a);
  MDB_cursor* cur = NULL;
  int         rc  = st ? 0
                         : mdb_cursor_open(ix->txn->txn,
                                           ix->txn->store->search_keys, &cur);
  struct PendingKey last;
  bool              before = false;
  if (!st && !rc) {
    MDB_val lk, lv;
    const int lrc = mdb_cursor_get(cur, &lk, &lv, MDB_LAST);
    if (!lrc && lk.mv_size <= PENDING_KEY_MAX) {
      memset(&last, 0, sizeof(last));
      last.key_len = (uint8_t)lk.mv_size;
      memcpy(last.key, lk.mv_data, lk.mv_size);
      before = true;
    } else if (!lrc) {
      rc = MDB_CORRUPTED; /* no key of the table is longer */
    } else if (lrc != MDB_NOTFOUND) {
      rc = lrc;
    }
  }
  for (size_t i = 0; i < n && !st && !rc; ++i) {
    const struct PendingKey* const k = &sorted[i];
    if ((st = indexer_count_writes(ix, 1))) {
      break;
    }
    if (before) {
      before = pending_cmp(k, &last) <= 0;
    }
    MDB_val key = {k->key_len, (void*)k->key};
    MDB_val val = {k->val_len, (void*)k->val};
    rc          = mdb_cursor_put(cur, &key, &val, before ? 0 : MDB_APPEND);
  }
  if (cur) {
    mdb_cursor_close(cur);
  }
  free(sorted);
  ix->n_keys = 0;
  return st ? st : lmdb_st(rc);
}

/* A posting of the doc being written, for sorting by tid. */
typedef struct {
  uint32_t tid;
  uint32_t entry; /* in the indexer's term map */
  uint8_t  mask;
  uint8_t  tf[N_FIELDS];
} FwdEntry;

/* How many terms ahead write_doc() asks for a term's map entry. */
#define ENTRY_PREFETCH_AHEAD 4

/* Write ix->doc as the doc of (g, s): a new doc number each time (the
 * old one, if any, is removed first), so postings only ever grow at the
 * end and an update is a removal and an append. */
static FdxStatus
write_doc(Indexer* const ix, const FdxId g, const FdxId s)
{
  Doc* const      d     = &ix->doc;
  MDB_txn* const  txn   = ix->txn->txn;
  FdxStore* const store = ix->txn->store;
  FdxStatus       st    = FDX_SUCCESS;
  size_t n_suggest = 0;
  for (size_t off = 0; off + 2 <= d->suggest.len; ++n_suggest) {
    const uint8_t* const rec = d->suggest.data + off;
    const size_t         tl  = ((size_t)rec[0] << 8) | rec[1];
    off += 4 + tl + (((size_t)rec[2 + tl] << 8) | rec[3 + tl]);
  }
  const size_t n = d->terms.n + d->n_facets + d->n_text_facets + n_suggest;
  FwdEntry* const fwd   = (FwdEntry*)malloc((n ? n : 1) * sizeof(FwdEntry));
  if (!fwd) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t nf = 0;
  /* The commit's term map is big at a bulk load (millions of terms in a
   * table of 64 MB and more): each look-up would wait for its slot, then
   * for the entry the slot points at.  The doc's terms carry their hashes
   * (the same function), so every slot is asked for first, and each
   * entry a few terms ahead. */
  for (size_t i = 0; i < d->terms.n; ++i) {
    termmap_prefetch_slot(&ix->tids, d->terms.entries[i].hash);
  }
  for (size_t i = 0; i < d->terms.n && !st; ++i) {
    const struct TermEntry* const e = &d->terms.entries[i];
    FwdEntry* const               f = &fwd[nf];
    if (i + ENTRY_PREFETCH_AHEAD < d->terms.n) {
      termmap_prefetch_entry(&ix->tids,
                             d->terms.entries[i + ENTRY_PREFETCH_AHEAD].hash);
    }
    if ((st = tid_of_shown(ix, d->terms.arena + e->off, e->len, e->hash, NULL,
                           0, &f->tid, &f->entry))) {
      break;
    }
    f->mask = 0;
    for (int k = 0; k < N_FIELDS; ++k) {
      f->tf[k] = d->tf[i][k];
      if (f->tf[k]) {
        f->mask |= (uint8_t)(1u << k);
      }
    }
    ++nf;
  }
  /* Facets: fixed-size ones, then the text ones. */
  const size_t    n_all = d->n_facets + d->n_text_facets;
  uint32_t* const facet_tids =
    (uint32_t*)malloc((n_all ? n_all : 1) * sizeof(uint32_t));
  size_t n_ft = 0;
  if (!facet_tids) {
    st = FDX_ERR_NO_MEMORY;
  }
  const size_t fixed = d->n_facets;
  uint32_t* const facet_entries =
    (uint32_t*)malloc((n_all ? n_all : 1) * sizeof(uint32_t));
  if (!facet_entries) {
    st = FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < fixed && !st; ++i) {
    uint32_t tid, entry;
    if (!(st = tid_of(ix, d->facets[i] + 1, d->facets[i][0], &tid, &entry))) {
      facet_entries[n_ft] = entry;
      facet_tids[n_ft++]  = tid;
    }
  }
  for (size_t off = 0; off + 2 <= ix->kw.len && !st;) {
    const uint8_t* const rec = ix->kw.data + off;
    const size_t         len = ((size_t)rec[0] << 8) | rec[1];
    const uint8_t* const dsp = rec + 2 + len;
    const size_t         dlen = ((size_t)dsp[0] << 8) | dsp[1];
    uint32_t             tid, entry;
    if (!(st = tid_of_shown(ix, rec + 2, len, hash_bytes(rec + 2, len),
                            dsp + 2, dlen, &tid, &entry))) {
      facet_entries[n_ft] = entry;
      facet_tids[n_ft++]  = tid;
    }
    off += 4 + len + dlen;
  }
  /* Title suggestions: postings (for removal and df), not facets. */
  for (size_t off = 0; off + 2 <= d->suggest.len && !st;) {
    const uint8_t* const rec  = d->suggest.data + off;
    const size_t         tl   = ((size_t)rec[0] << 8) | rec[1];
    const uint8_t* const dsp  = rec + 2 + tl;
    const size_t         dl   = ((size_t)dsp[0] << 8) | dsp[1];
    uint32_t             tid  = 0, entry = 0;
    bool                 seen = false;
    if (!(st = tid_of_shown(ix, rec + 2, tl, hash_bytes(rec + 2, tl), dsp + 2,
                            dl, &tid, &entry))) {
      for (size_t k = 0; k < nf && !seen; ++k) {
        seen = fwd[k].tid == tid; /* the same title twice */
      }
      if (!seen) {
        fwd[nf].tid   = tid;
        fwd[nf].entry = entry;
        fwd[nf].mask  = 0;
        memset(fwd[nf].tf, 0, N_FIELDS);
        ++nf;
      }
    }
    off += 4 + tl + dl;
  }
  for (size_t i = 0; i < n_ft && !st; ++i) {
    fwd[nf].tid   = facet_tids[i];
    fwd[nf].entry = facet_entries[i];
    fwd[nf].mask  = 0;
    memset(fwd[nf].tf, 0, N_FIELDS);
    ++nf;
  }
  if (st) {
    free(fwd);
    free(facet_tids);
    free(facet_entries);
    return st;
  }

  /* The old doc goes, the new one is appended. */
  uint32_t old = 0;
  st           = doc_find(ix, g, s, &old);
  if (!st) {
    st = remove_doc(ix, g, s, old);
  } else if (st == FDX_FAILURE) {
    st = FDX_SUCCESS;
  }
  const uint32_t doc = ix->counters.next_doc;
  if (!st && doc == UINT32_MAX - 1) {
    st = FDX_ERR_LIMIT;
  }
  /* Forward record and postings. */
  uint8_t* const fbuf = (uint8_t*)malloc(nf * (5 + N_FIELDS) + 1);
  size_t         flen = 0;
  if (!st && !fbuf) {
    st = FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < nf && !st; ++i) {
    memcpy(fbuf + flen, &fwd[i].tid, 4);
    fbuf[flen + 4] = fwd[i].mask;
    flen += 5;
    for (int k = 0; k < N_FIELDS; ++k) {
      if (fwd[i].mask & (1u << k)) {
        fbuf[flen++] = fwd[i].tf[k];
      }
    }
    st = queue_op(ix, fwd[i].tid, doc, false, fwd[i].mask, fwd[i].tf);
    ++ix->tids.entries[fwd[i].entry].df_delta;
  }
  uint8_t dkey[4];
  put_u32be(dkey, doc);
  if (!st) {
    MDB_val key = {4, dkey};
    MDB_val val = {flen, fbuf};
    st = lmdb_st(put_append(txn, store->search_forward, &key, &val));
  }
  free(fbuf);
  free(fwd);
  free(facet_entries);
  /* The doc record. */
  if (!st) {
    DocHead head;
    memset(&head, 0, sizeof(head));
    head.g        = g;
    head.s        = s;
    head.modified = d->modified;
    head.flags    = d->dated ? DOC_DATED : 0;
    head.cls      = d->cls;
    for (int k = 0; k < N_FIELDS; ++k) {
      head.len[k] = d->len[k] > 65535 ? 65535 : (uint16_t)d->len[k];
      ix->counters.len_sum[k] += head.len[k];
    }
    /* Sort keys: English (else any other, else German) and German (else
     * any other, else English). */
    const int en = d->title_len[0] ? 0 : d->title_len[2] ? 2 : 1;
    const int de = d->title_len[1] ? 1 : d->title_len[2] ? 2 : 0;
    const bool same = en == de;
    head.title_len_en = (uint8_t)d->title_len[en];
    head.title_len_de = same ? TITLE_SAME : (uint8_t)d->title_len[de];
    head.n_facets     = (uint32_t)n_ft;
    const size_t tl   = head.title_len_en + (same ? 0 : head.title_len_de);
    const size_t rlen = sizeof(head) + tl + n_ft * 4;
    uint8_t*     rec  = (uint8_t*)malloc(rlen);
    if (!rec) {
      st = FDX_ERR_NO_MEMORY;
    } else {
      memcpy(rec, &head, sizeof(head));
      memcpy(rec + sizeof(head), d->title[en], head.title_len_en);
      if (!same) {
        memcpy(rec + sizeof(head) + head.title_len_en, d->title[de],
               head.title_len_de);
      }
      memcpy(rec + sizeof(head) + tl, facet_tids, n_ft * 4);
      MDB_val key = {4, dkey};
      MDB_val val = {rlen, rec};
      st = lmdb_st(put_append(txn, store->search_docs, &key, &val));
      free(rec);
    }
  }
  free(facet_tids);
  /* Keys: (s, g) -> doc, the modified order, and the short id. */
  if (!st) {
    uint8_t mk[SEARCH_MOD_KEY];
    fdx_search_mod_key(mk, d->dated, d->modified, doc);
    st = pend_key(ix, mk, SEARCH_MOD_KEY, NULL, 0);
  }
  if (!st) {
    uint8_t kbuf[17];
    doc_key(kbuf, g, s);
    st = pend_key(ix, kbuf, 17, &doc, 4);
  }
  if (!st) {
    uint8_t hk[13];
    bool    ok = false;
    if (!(st = hash_key(ix, s, doc, hk, &ok)) && ok) {
      st = pend_key(ix, hk, 13, NULL, 0);
    }
  }
  if (!st) {
    ++ix->counters.docs;
    ++ix->counters.next_doc;
    ix->counters_dirty = true;
    ++ix->indexed;
  }
  return st;
}

/* ------------------------------------------------------------------------
 * The commit
 * --------------------------------------------------------------------- */

/* A (graph, subject) to bring in line, and what it is. */
typedef struct {
  FdxId   g;
  FdxId   s;
  uint8_t cls; /* 0: not (any longer) a document */
} Work;

static int
work_cmp(const void* const va, const void* const vb)
{
  const Work* const a = (const Work*)va;
  const Work* const b = (const Work*)vb;
  if (a->g != b->g) {
    return a->g < b->g ? -1 : 1;
  }
  if (a->s != b->s) {
    return a->s < b->s ? -1 : 1;
  }
  return 0;
}

typedef struct {
  Work*  items;
  size_t n;
  size_t cap;
} WorkList;

static bool
work_push(WorkList* const l, const FdxId g, const FdxId s, const uint8_t cls)
{
  if (l->n == l->cap) {
    const size_t cap   = l->cap ? l->cap * 2 : 1024;
    Work* const  grown = (Work*)realloc(l->items, cap * sizeof(Work));
    if (!grown) {
      return false;
    }
    l->items = grown;
    l->cap   = cap;
  }
  l->items[l->n++] = (Work){g, s, cls};
  return true;
}

/* Which document class (1..3) (g, s) has, 0 for none: the lowest class
 * among the rdf:type values of s in g.  Read from GSPO, whose key g holds
 * one record's few quads, rather than from SPOG, where a licence or a
 * publisher named by every record has a duplicate per graph. */
static FdxStatus
doc_class(Indexer* const ix, const FdxId g, const FdxId s, uint8_t* const ret)
{
  *ret = 0;
  if (!ix->type_id) {
    return FDX_SUCCESS;
  }
  uint8_t vbuf[24];
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, g);
  fdx_put_u64(vbuf, s);
  fdx_put_u64(vbuf + 8, ix->type_id);
  fdx_put_u64(vbuf + 16, 0);
  MDB_val key = {8, kbuf};
  MDB_val val = {24, vbuf};
  int     rc  = mdb_cursor_get(ix->gspo, &key, &val, MDB_GET_BOTH_RANGE);
  while (!rc) {
    /* GSPO values: s, p, o. */
    const uint8_t* const v = (const uint8_t*)val.mv_data;
    if (fdx_get_u64(v) != s || fdx_get_u64(v + 8) != ix->type_id) {
      break;
    }
    const FdxId o = fdx_get_u64(v + 16);
    for (int i = 0; i < 3; ++i) {
      if (ix->class_ids[i] && o == ix->class_ids[i] &&
          (!*ret || i + 1 < *ret)) {
        *ret = (uint8_t)(i + 1);
      }
    }
    if (*ret == 1) {
      return FDX_SUCCESS;
    }
    rc = mdb_cursor_get(ix->gspo, &key, &val, MDB_NEXT_DUP);
  }
  return rc && rc != MDB_NOTFOUND ? fdx_lmdb_status(rc) : FDX_SUCCESS;
}

static void
indexer_close(Indexer* const ix)
{
  if (ix->spog) {
    mdb_cursor_close(ix->spog);
  }
  if (ix->gspo) {
    mdb_cursor_close(ix->gspo);
  }
  if (ix->ospg) {
    mdb_cursor_close(ix->ospg);
  }
  if (ix->ogsp) {
    mdb_cursor_close(ix->ogsp);
  }
  if (ix->post) {
    mdb_cursor_close(ix->post);
  }
  fdx_tokenizer_free(ix->tk);
  termmap_free(&ix->tids);
  termmap_free(&ix->doc.terms);
  termmap_free(&ix->doc.facet_seen);
  free(ix->doc.tf);
  free(ix->doc.facets);
  free(ix->doc.suggest.data);
  fdx_tidmap_free(&ix->df);
  free(ix->ops);
  free(ix->kw.data);
  free(ix->shown.data);
  termmap_free(&ix->labels);
  free(ix->label_runs);
  free(ix->label_arena.data);
  free(ix->keys);
  free(ix->new_written);
}

static FdxStatus
indexer_open(Indexer* const ix, FdxTxn* const txn)
{
  memset(ix, 0, sizeof(*ix));
  ix->txn        = txn;
  ix->doc.facets = (uint8_t(*)[12])malloc(MAX_DOC_FACETS * 12);
  if (!ix->doc.facets) {
    return FDX_ERR_NO_MEMORY;
  }
  FdxStatus st = fdx_search_counters_get(txn, &ix->counters);
  ix->first_new_tid = ix->counters.next_tid;
  if (!st) {
    st = fdx_iri_id(txn, RDF "type", &ix->type_id);
  }
  for (int i = 0; i < 3 && !st; ++i) {
    st = fdx_iri_id(txn, doc_classes[i], &ix->class_ids[i]);
  }
  for (size_t i = 0; i < N_ROLE_IRIS && !st; ++i) {
    st = fdx_iri_id(txn, role_iris[i].iri, &ix->role_ids[i]);
    if (!ix->role_ids[i]) {
      ix->role_ids[i] = (FdxId)-1; /* matches no predicate */
    }
  }
  if (st) {
    return st;
  }
  FdxStore* const store = txn->store;
  int rc = mdb_cursor_open(txn->txn, store->order[FDX_ORDER_SPOG], &ix->spog);
  if (!rc) {
    rc = mdb_cursor_open(txn->txn, store->order[FDX_ORDER_GSPO], &ix->gspo);
  }
  if (!rc) {
    rc = mdb_cursor_open(txn->txn, store->order[FDX_ORDER_OSPG], &ix->ospg);
  }
  if (!rc) {
    rc = mdb_cursor_open(txn->txn, store->order[FDX_ORDER_OGSP], &ix->ogsp);
  }
  if (!rc) {
    rc = mdb_cursor_open(txn->txn, store->search_postings, &ix->post);
  }
  return lmdb_st(rc);
}

/* Index or remove each work item, then flush. */
static FdxStatus
run_work(Indexer* const ix, WorkList* const work)
{
  if (work->n) {
    qsort(work->items, work->n, sizeof(Work), work_cmp);
  }
  FdxStatus st      = FDX_SUCCESS;
  ix->count_writes  = work->n < 1024;
  for (size_t i = 0; i < work->n && !st; ++i) {
    const Work* const w = &work->items[i];
    if (i && !work_cmp(w, &work->items[i - 1])) {
      continue;
    }
    /* A bulk load indexes a million docs in its commit, reading quads
     * from all over the store: keep the pages that maps within the
     * loader's budget (they stay in the page cache), and stop while the
     * disk still has room (see fdx_store_check_space()). */
    if (i % 1024 == 1023) {
      fdx_store_trim_mapped_pages(ix->txn->store, INDEX_MAPPED_BUDGET);
    }
    /* A small commit (a harvest batch) keeps its transaction's budget
     * instead, which keeps the pages it wrote: a document's indexing
     * reads some ten quads and writes a few keys. */
    if ((st = indexer_count_writes(ix, 16))) {
      break;
    }
    if (i % 4096 == 4095 && (st = fdx_store_check_space(ix->txn->store))) {
      break;
    }
    if (w->cls) {
      if (!(st = extract_doc(ix, w->g, w->s, w->cls))) {
        st = write_doc(ix, w->g, w->s);
      }
    } else {
      uint32_t doc = 0;
      st           = doc_find(ix, w->g, w->s, &doc);
      if (!st) {
        st = remove_doc(ix, w->g, w->s, doc);
      } else if (st == FDX_FAILURE) {
        st = FDX_SUCCESS;
      }
    }
  }
  if (!st) {
    st = flush_keys(ix);
  }
  if (!st) {
    st = apply_ops(ix);
  }
  if (!st) {
    st = apply_df(ix);
  }
  if (!st) {
    st = fdx_store_check_space(ix->txn->store);
  }
  if (!st && ix->counters_dirty) {
    st = counters_put(ix);
  }
  return st;
}

/* True if the committing transaction touched (g, s) (txn->touched,
 * compacted: sorted by (g, s)).  fdx_search_commit() classifies every
 * touched pair itself, so a referrer among them needs no second look. */
static bool
touched(const FdxTxn* const txn, const FdxId g, const FdxId s)
{
  size_t lo = 0, hi = txn->touched.n;
  while (lo < hi) {
    const size_t            mid = lo + (hi - lo) / 2;
    const FdxTouched* const t   = &txn->touched.items[mid];
    if (t->g == g && t->s == s) {
      return true;
    }
    if (t->g < g || (t->g == g && t->s < s)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

/* Follow the quads that have `o` as object back to the documents that
 * use it, adding them to `work`: in graph `only_g`, or in any graph when
 * it is FDX_ID_ANY.  Referrers the transaction touched are left to
 * fdx_search_commit()'s own pass over the touched pairs. */
static FdxStatus
add_referrers(Indexer* const ix, const FdxId o, const FdxId only_g,
              WorkList* const work)
{
  if (only_g != FDX_ID_ANY) {
    /* One graph: a range of OGSP (values g, s, p) instead of every use of
     * `o` -- a publisher named in every harvested record has many. */
    uint8_t kbuf[8], vbuf[24];
    fdx_put_u64(kbuf, o);
    fdx_put_u64(vbuf, only_g);
    fdx_put_u64(vbuf + 8, 0);
    fdx_put_u64(vbuf + 16, 0);
    MDB_val key = {8, kbuf};
    MDB_val val = {24, vbuf};
    int     rc  = mdb_cursor_get(ix->ogsp, &key, &val, MDB_GET_BOTH_RANGE);
    FdxId   last_s = 0;
    while (!rc) {
      const uint8_t* const v = (const uint8_t*)val.mv_data;
      if (fdx_get_u64(v) != only_g) {
        break;
      }
      const FdxId s = fdx_get_u64(v + 8);
      if (s != last_s && !touched(ix->txn, only_g, s)) {
        last_s            = s;
        uint8_t   cls     = 0;
        FdxStatus st      = doc_class(ix, only_g, s, &cls);
        if (st) {
          return st;
        }
        if (cls && !work_push(work, only_g, s, cls)) {
          return FDX_ERR_NO_MEMORY;
        }
      }
      rc = mdb_cursor_get(ix->ogsp, &key, &val, MDB_NEXT_DUP);
    }
    return rc && rc != MDB_NOTFOUND ? fdx_lmdb_status(rc) : FDX_SUCCESS;
  }
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, o);
  MDB_val key = {8, kbuf};
  MDB_val val;
  int     rc = mdb_cursor_get(ix->ospg, &key, &val, MDB_SET_KEY);
  if (rc == MDB_NOTFOUND) {
    return FDX_SUCCESS;
  }
  FdxId last_s = 0, last_g = 0;
  while (!rc) {
    /* OSPG values: s, p, g. */
    const uint8_t* const v = (const uint8_t*)val.mv_data;
    const FdxId          s = fdx_get_u64(v);
    const FdxId          g = fdx_get_u64(v + 16);
    if ((s != last_s || g != last_g) && (only_g == FDX_ID_ANY || g == only_g) &&
        !touched(ix->txn, g, s)) {
      last_s = s;
      last_g = g;
      uint8_t         cls = 0;
      const FdxStatus st  = doc_class(ix, g, s, &cls);
      if (st) {
        return st;
      }
      if (cls && !work_push(work, g, s, cls)) {
        return FDX_ERR_NO_MEMORY;
      }
    }
    rc = mdb_cursor_get(ix->ospg, &key, &val, MDB_NEXT_DUP);
  }
  return rc == MDB_NOTFOUND ? FDX_SUCCESS : fdx_lmdb_status(rc);
}

/* Where `s` is in txn->relabeled (compacted: sorted by (0, s)), the
 * subjects whose union description changed in this transaction; SIZE_MAX
 * if it is not there. */
static size_t
relabeled_at(const FdxTxn* const txn, const FdxId s)
{
  size_t lo = 0, hi = txn->relabeled.n;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const FdxId  v   = txn->relabeled.items[mid].s;
    if (v == s) {
      return mid;
    }
    if (v < s) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return SIZE_MAX;
}

FdxStatus
fdx_search_commit(FdxTxn* const txn)
{
  if (!txn->store->has_search || !txn->touched.n) {
    return FDX_SUCCESS;
  }
  const double start = search_now_s();
  fdx_touched_compact(&txn->touched);
  fdx_touched_compact(&txn->relabeled);
  Indexer   ix;
  WorkList  work = {NULL, 0, 0};
  FdxStatus st   = indexer_open(&ix, txn);
  /* Which relabeled subjects had their referrers in every graph followed
   * already: once covers all the graphs that touched them (a licence new
   * to the store, named by each record of a batch, is followed once, not
   * once per record). */
  bool* const followed_everywhere =
    (bool*)calloc(txn->relabeled.n ? txn->relabeled.n : 1, sizeof(bool));
  if (!st && !followed_everywhere) {
    st = FDX_ERR_NO_MEMORY;
  }
  const FdxTouchedList* const touched = &txn->touched;
  for (size_t i = 0; i < touched->n && !st; ++i) {
    const FdxTouched* const t   = &touched->items[i];
    uint8_t                 cls = 0;
    if ((st = doc_class(&ix, t->g, t->s, &cls))) {
      break;
    }
    if (cls) {
      if (!work_push(&work, t->g, t->s, cls)) {
        st = FDX_ERR_NO_MEMORY;
      }
      continue;
    }
    uint32_t doc = 0;
    st           = doc_find(&ix, t->g, t->s, &doc);
    if (!st) {
      if (!work_push(&work, t->g, t->s, 0)) {
        st = FDX_ERR_NO_MEMORY;
      }
    } else if (st == FDX_FAILURE) {
      st = FDX_SUCCESS;
    }
    if (!st) {
      /* Documents in its own graph read it directly; documents in other
       * graphs read only its labels, from the union of the graphs, so
       * they need a look only when that changed. */
      const size_t at = relabeled_at(txn, t->s);
      if (at == SIZE_MAX) {
        st = add_referrers(&ix, t->s, t->g, &work);
      } else if (!followed_everywhere[at]) {
        followed_everywhere[at] = true;
        st = add_referrers(&ix, t->s, FDX_ID_ANY, &work);
      }
    }
  }
  if (!st) {
    st = run_work(&ix, &work);
  }
  free(followed_everywhere);
  free(work.items);
  indexer_close(&ix);
  txn->store->search_seconds += search_now_s() - start;
  return st;
}

double
fdx_search_seconds(const FdxStore* const store)
{
  return store ? store->search_seconds : 0.0;
}

/* ------------------------------------------------------------------------
 * Rebuild
 * --------------------------------------------------------------------- */

typedef struct {
  uint64_t documents;
} RebuildCtx;

static FdxStatus
rebuild_txn(FdxTxn* const txn, void* const vctx)
{
  RebuildCtx* const ctx   = (RebuildCtx*)vctx;
  FdxStore* const   store = txn->store;
  if (!store->has_search) {
    return FDX_ERR_UNSUPPORTED;
  }
  const MDB_dbi tables[] = {store->search_terms, store->search_tids,
                            store->search_postings, store->search_docs,
                            store->search_forward, store->search_keys};
  for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); ++i) {
    const int rc = mdb_drop(txn->txn, tables[i], 0);
    if (rc) {
      return fdx_lmdb_status(rc);
    }
  }
  Indexer   ix;
  WorkList  work = {NULL, 0, 0};
  FdxStatus st   = indexer_open(&ix, txn);
  /* Every subject typed with a document class, from POSG. */
  MDB_cursor* posg = NULL;
  if (!st) {
    st = lmdb_st(
      mdb_cursor_open(txn->txn, store->order[FDX_ORDER_POSG], &posg));
  }
  for (int c = 0; c < 3 && !st && ix.type_id; ++c) {
    if (!ix.class_ids[c]) {
      continue;
    }
    uint8_t kbuf[8];
    MDB_val key, val;
    st = seek2(posg, ix.type_id, ix.class_ids[c], kbuf, &key, &val);
    while (!st) {
      const uint8_t* const v = (const uint8_t*)val.mv_data;
      if (fdx_get_u64(v) != ix.class_ids[c]) {
        break;
      }
      if (!work_push(&work, fdx_get_u64(v + 16), fdx_get_u64(v + 8),
                     (uint8_t)(c + 1))) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      const int rc = mdb_cursor_get(posg, &key, &val, MDB_NEXT_DUP);
      st           = rc == MDB_NOTFOUND ? FDX_FAILURE : lmdb_st(rc);
    }
    if (st == FDX_FAILURE) {
      st = FDX_SUCCESS;
    }
  }
  if (posg) {
    mdb_cursor_close(posg);
  }
  if (!st) {
    /* A subject typed with two classes is indexed once (run_work() skips
     * repeats), with the class found first. */
    memset(&ix.counters, 0, sizeof(ix.counters));
    ix.counters_dirty = true;
    st                = run_work(&ix, &work);
  }
  ctx->documents = ix.counters.docs;
  free(work.items);
  indexer_close(&ix);
  if (!st) {
    uint64_t      epoch = (uint64_t)mdb_txn_id(txn->txn);
    MDB_val       key   = {sizeof(epoch_key), (void*)epoch_key};
    MDB_val       val   = {sizeof(epoch), &epoch};
    st = lmdb_st(mdb_put(txn->txn, store->search_terms, &key, &val, 0));
  }
  return st;
}

FdxStatus
fdx_search_rebuild(FdxStore* const store,
                   uint64_t* const ret_documents,
                   FdxError* const err)
{
  if (!store) {
    return FDX_ERR_BAD_ARG;
  }
  RebuildCtx      ctx = {0};
  const FdxStatus st  = fdx_store_write(store, rebuild_txn, &ctx);
  if (st) {
    return fdx_error_set(err, st, "", 0, 0,
                         "cannot rebuild the search index: %s",
                         fdx_strerror(st));
  }
  if (ret_documents) {
    *ret_documents = ctx.documents;
  }
  return FDX_SUCCESS;
}
