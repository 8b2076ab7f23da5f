/*
 * run.c: one harvest run of one source.  The adapter lists the source and
 * hands over records; this file decides what to write.  Each record is
 * hashed (SHA-256 over its statements as sorted N-Triples, blank nodes
 * blanked) and compared with the hash stored for it: unchanged records cost
 * no write.  New and changed ones are written in batches, each record
 * replacing its own named graph together with its dcat:CatalogRecord and
 * the stored state; a batch that fails is written again record by record,
 * so a bad record fails alone.  A batch is one transaction, or several
 * when the last one held more of the store's map than TXN_MAPPED_DEFAULT
 * (or FdxRunOptions.txn_mapped, $FAIRDEX_HARVEST_TXN_MAPPED): the
 * harvest's resident set would otherwise grow with the store.
 * Pages are fetched with the validators of the last run; a 304 replays
 * the records the page listed then.  A page's state (validators and
 * records) waits for the batch holding its records and is written in its
 * last transaction, after them, so a page never claims records the store
 * does not hold and a source of small pages (OAI-PMH's 100) still commits
 * once per batch, not once per page.
 *
 * Three threads share the work, so the source's time to answer, ours to
 * map and hash, and the store's to write overlap: a full batch is written
 * by a writer thread while the next one fills (one batch at a time; its
 * outcome is counted when it is joined), and an adapter that knows its
 * next page asks for it ahead (run_prefetch()), fetched in a thread of its
 * own while this page's records are handed over.
 *
 * After a complete listing the source's records that were not listed are
 * deleted, unless the listing was empty (an outage answering 200 with
 * nothing) or they are more than the source's delete_threshold of its
 * records (the run stops and says so).  A failed listing deletes nothing.
 */
#include "harvest_impl.h"

#include "fairdex/rdf.h"

#include <libxml/parser.h>
#include <nettle/sha2.h>

#include <pthread.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECORDS_TABLE "harvest_records"
#define PAGES_TABLE "harvest_pages"
#define RUNS_TABLE "harvest_runs"
#define SETTINGS_TABLE "settings"
#define RUN_NEXT_KEY "harvest_run_next"
#define BATCH_RECORDS 1000
/* The bytes of the store's map a write transaction may hold at its
 * commit (fdx_store_last_commit_mapped()), unless the run's options say
 * otherwise (FdxRunOptions.txn_mapped): the pages it wrote stay mapped for
 * LMDB's commit, and the bigger the store, the more pages the same records
 * write (scattered over more of each B-tree).  Over the budget the next
 * transactions take fewer records, at least TXN_RECORDS_MIN; under three
 * quarters of it, more again, up to a batch. */
#define TXN_MAPPED_DEFAULT ((uint64_t)32 << 20)
#define TXN_RECORDS_MIN 50
/* Page states waiting for their batch: at most this many, or bytes. */
#define BATCH_PAGES 256
#define BATCH_PAGE_BYTES ((size_t)16 << 20)
#define MAX_REPORT_ERRORS 1000
#define KEY_BYTES 16

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT "http://purl.org/dc/terms/"
#define PROV "http://www.w3.org/ns/prov#"
#define SPDX "http://spdx.org/rdf/terms#"
#define FOAF_PRIMARY_TOPIC "http://xmlns.com/foaf/0.1/primaryTopic"
#define XSD_DATETIME "http://www.w3.org/2001/XMLSchema#dateTime"

/* A record's statements copied out of its FdxMemGraph into one block
 * that fits them (a memgraph keeps room for a thousand triples, and a
 * batch waiting to be written holds a thousand records). */
typedef struct {
  FdxTerm*      terms; /* indexed as in the memgraph */
  FdxMemTriple* triples;
  size_t        n_triples;
  size_t        n_terms;
} RecordGraph;

/* A record waiting to be written. */
typedef struct {
  uint8_t      key[KEY_BYTES];
  char*        id;
  char*        graph_iri;
  char*        dataset_iri;
  char*        source_url;
  char*        hash; /* hex */
  char*        issued; /* first harvested, from the stored state */
  char*        original;      /* the source's own text, or NULL */
  char*        original_type; /* its media type */
  bool         is_new;
  FdxStatus    rejected; /* the store refused it alone (BAD_ARG, LIMIT) */
  RecordGraph* graph;    /* one block: free() */
} Pending;

/* A page's state, waiting to be written with its batch. */
typedef struct {
  uint8_t key[KEY_BYTES]; /* of the page URL */
  char*   text;           /* the JSON state */
} PendingPage;

/* The records and page states of one write transaction.  One batch fills
 * while the one before is written by the writer thread (see flush()); the
 * writer touches only its batch, and reports through it. */
typedef struct {
  Pending     records[BATCH_RECORDS];
  size_t      n;
  PendingPage pages[BATCH_PAGES];
  size_t      n_pages;
  size_t      page_bytes;
  bool        write_pages;  /* no store failure before it: pages too */
  FdxStatus   store_status; /* a store failure while writing it */
} Batch;

/* A page being fetched ahead (run_prefetch()).  The fetcher belongs to
 * the thread until it is joined: every other fetch joins it first. */
typedef struct {
  bool           running;
  pthread_t      thread;
  FdxFetcher*    fetcher;
  char*          url;
  char*          accept;
  json_t*        stored; /* the page's stored state, as run_page() reads */
  const char*    inm;    /* validators sent, borrowed from `stored` */
  const char*    ims;
  FdxFetchResult res;
  FdxStatus      st;
} Prefetch;

/* A set of record keys (open addressing, linear probing, filled to three
 * quarters: the keys are SHA-256 prefixes, evenly spread).  The one part
 * of a run's memory that grows with the source: a 16-byte slot per record
 * listed, over 4/3 to 8/3 slots each (the table doubles when full). */
typedef struct {
  uint8_t* keys; /* n_slots * KEY_BYTES, all-zero: empty */
  size_t   n;
  size_t   n_slots;
} KeySet;

struct HarvestRun {
  FdxStore*            store;
  const FdxSource*     source;
  const FdxRunOptions* options;
  const char*          base;
  FdxFetcher*          fetcher;
  uint64_t             id;
  char                 started[32];
  char                 run_iri[512];
  json_t*              report;
  json_t*              errors;
  uint64_t             added, updated, unchanged, deleted, failed, pages,
    listed;
  uint64_t             lookups; /* stored states looked up */
  KeySet               seen;
  Batch                batches[2];
  Batch*               batch;    /* filling */
  Batch*               writing;  /* being written, or NULL */
  bool                 writer_running;
  pthread_t            writer;
  uint64_t             blank_counter; /* the writer's */
  size_t               txn_records;   /* the writer's: per transaction */
  /* the page being read */
  char*                page_url;
  char*                page_etag;
  char*                page_last_modified;
  json_t*              page_records; /* hex keys listed on it */
  json_t*              page_links;
  Prefetch             prefetch;
  char                 message[512];
  FdxStatus            store_status; /* a store failure ends the run */
  char                 since[32];    /* last complete run's start, or "" */
  bool                 incremental;
};

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static void
now_iso(char out[32])
{
  const time_t t = time(NULL);
  struct tm    tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
hex(const uint8_t* const in, const size_t n, char* const out)
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out[2 * i]     = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = '\0';
}

/* Every LOOKUPS_TRIM_EVERY look-ups of stored states, in their read
 * transaction: over LOOKUPS_MAPPED of file-backed resident bytes, drop
 * the store's pages no write has dirtied.  Each look-up of a record's
 * state maps the 64 KiB around a leaf page of the records table, a
 * different one for each record, beside the writer's transaction, which
 * does not see them coming: at 300,000 CKAN records harvest.sh's
 * file-backed peak was 105 MiB without these trims, 82 with them. */
#define LOOKUPS_TRIM_EVERY 64
#define LOOKUPS_MAPPED ((uint64_t)64 << 20)

static void
lookups_trim(HarvestRun* const run, FdxTxn* const txn)
{
  if (++run->lookups % LOOKUPS_TRIM_EVERY == 0) {
    fdx_txn_trim_mapped(txn, LOOKUPS_MAPPED);
  }
}

static void
record_key(const char* const id, uint8_t out[KEY_BYTES])
{
  struct sha256_ctx ctx;
  uint8_t           digest[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, strlen(id), (const uint8_t*)id);
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  memcpy(out, digest, KEY_BYTES);
}

/* source name, NUL, 16-byte key: the auxiliary tables' key. */
static size_t
table_key(const HarvestRun* const run, const uint8_t key[KEY_BYTES],
          uint8_t* const out)
{
  const size_t n = strlen(run->source->name);
  memcpy(out, run->source->name, n + 1);
  memcpy(out + n + 1, key, KEY_BYTES);
  return n + 1 + KEY_BYTES;
}

static bool
keyset_add(KeySet* const s, const uint8_t key[KEY_BYTES])
{
  static const uint8_t zero[KEY_BYTES] = {0};
  if ((s->n + 1) * 4 > s->n_slots * 3) {
    const size_t   n    = s->n_slots ? s->n_slots * 2 : 1024;
    uint8_t* const keys = (uint8_t*)calloc(n, KEY_BYTES);
    if (!keys) {
      return false;
    }
    for (size_t i = 0; i < s->n_slots; ++i) {
      const uint8_t* const k = s->keys + i * KEY_BYTES;
      if (memcmp(k, zero, KEY_BYTES)) {
        uint64_t h;
        memcpy(&h, k, 8);
        size_t j = h & (n - 1);
        while (memcmp(keys + j * KEY_BYTES, zero, KEY_BYTES)) {
          j = (j + 1) & (n - 1);
        }
        memcpy(keys + j * KEY_BYTES, k, KEY_BYTES);
      }
    }
    free(s->keys);
    s->keys    = keys;
    s->n_slots = n;
  }
  uint64_t h;
  memcpy(&h, key, 8);
  size_t j = h & (s->n_slots - 1);
  while (memcmp(s->keys + j * KEY_BYTES, zero, KEY_BYTES)) {
    if (!memcmp(s->keys + j * KEY_BYTES, key, KEY_BYTES)) {
      return true;
    }
    j = (j + 1) & (s->n_slots - 1);
  }
  memcpy(s->keys + j * KEY_BYTES, key, KEY_BYTES);
  ++s->n;
  return true;
}

static bool
keyset_has(const KeySet* const s, const uint8_t key[KEY_BYTES])
{
  static const uint8_t zero[KEY_BYTES] = {0};
  if (!s->n_slots) {
    return false;
  }
  uint64_t h;
  memcpy(&h, key, 8);
  for (size_t j = h & (s->n_slots - 1);
       memcmp(s->keys + j * KEY_BYTES, zero, KEY_BYTES);
       j = (j + 1) & (s->n_slots - 1)) {
    if (!memcmp(s->keys + j * KEY_BYTES, key, KEY_BYTES)) {
      return true;
    }
  }
  return false;
}

const FdxSource*
run_source(const HarvestRun* const run)
{
  return run->source;
}

const char*
run_base(const HarvestRun* const run)
{
  return run->base;
}

bool
run_cancelled(HarvestRun* const run)
{
  return run->options && run->options->cancelled &&
         run->options->cancelled(run->options->cancel_ctx);
}

void
run_fail(HarvestRun* const run, const char* const fmt, ...)
{
  if (run->message[0]) {
    return; /* the first reason is the one that counts */
  }
  va_list args;
  va_start(args, fmt);
  vsnprintf(run->message, sizeof(run->message), fmt, args);
  va_end(args);
}

void
run_record_error(HarvestRun* const run, const char* const record,
                 const char* const fmt, ...)
{
  char    message[600];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  ++run->failed;
  if (json_array_size(run->errors) < MAX_REPORT_ERRORS) {
    json_array_append_new(run->errors,
                          json_pack("{s:s?, s:s}", "record", record,
                                    "message", message));
  }
}

static void
progress(HarvestRun* const run)
{
  if (run->options && run->options->progress) {
    json_t* const r = json_pack(
      "{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "source", run->source->name,
      "added", (json_int_t)run->added, "updated", (json_int_t)run->updated,
      "unchanged", (json_int_t)run->unchanged, "deleted",
      (json_int_t)run->deleted, "failed", (json_int_t)run->failed, "pages",
      (json_int_t)run->pages);
    run->options->progress(run->options->progress_ctx, r);
    json_decref(r);
  }
}

/* ------------------------------------------------------------------------
 * Content hash
 * --------------------------------------------------------------------- */

/* The N-Triples lines of a graph, each NUL-terminated, one after the
 * other in one buffer. */
typedef struct {
  char*   data;
  size_t  len;
  size_t  cap;
  bool    failed; /* out of memory */
} LineBuf;

static int
write_line_bytes(void* const ctx, const char* const bytes, const size_t len)
{
  LineBuf* const b = (LineBuf*)ctx;
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + len + 1) {
      cap *= 2;
    }
    char* const grown = (char*)realloc(b->data, cap);
    if (!grown) {
      b->failed = true;
      return -1;
    }
    b->data = grown;
    b->cap  = cap;
  }
  memcpy(b->data + b->len, bytes, len);
  b->len += len;
  return 0;
}

static int
cmp_str(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

/* SHA-256 of the graph's triples as sorted N-Triples lines, blank nodes
 * written as "_:b" (their labels differ from parse to parse). */
static FdxStatus
graph_hash(const FdxMemGraph* const g, char out[2 * SHA256_DIGEST_SIZE + 1])
{
  size_t                    n = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(g, &n);
  size_t* const starts = (size_t*)malloc((n ? n : 1) * sizeof(size_t));
  char** const  lines  = (char**)malloc((n ? n : 1) * sizeof(char*));
  LineBuf       buf    = {NULL, 0, 0, false};
  FdxStatus     st     = starts && lines ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  for (size_t i = 0; i < n && !st; ++i) {
    const size_t ids[3] = {t[i].s, t[i].p, t[i].o};
    starts[i]           = buf.len;
    for (int k = 0; k < 3 && !st; ++k) {
      const FdxTerm term = fdx_memgraph_view(g, ids[k]);
      if (term.kind == FDX_TERM_BLANK) {
        write_line_bytes(&buf, "_:b", 3);
      } else {
        st = fdx_write_term_nt(&term, write_line_bytes, &buf);
      }
      write_line_bytes(&buf, " ", 1);
    }
    write_line_bytes(&buf, "", 1); /* the line's NUL */
    if (buf.failed) {
      st = FDX_ERR_NO_MEMORY;
    }
  }
  if (!st) {
    /* The buffer moves no more: the lines can be pointed at. */
    for (size_t i = 0; i < n; ++i) {
      lines[i] = buf.data + starts[i];
    }
    qsort(lines, n, sizeof(char*), cmp_str);
    struct sha256_ctx ctx;
    uint8_t           digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    for (size_t i = 0; i < n; ++i) {
      sha256_update(&ctx, strlen(lines[i]), (const uint8_t*)lines[i]);
      sha256_update(&ctx, 1, (const uint8_t*)"\n");
    }
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    hex(digest, SHA256_DIGEST_SIZE, out);
  }
  free(buf.data);
  free(lines);
  free(starts);
  return st;
}

/* The statements of `g` as one new block (free()), or NULL when out of
 * memory. */
static RecordGraph*
record_graph(const FdxMemGraph* const g)
{
  size_t                    n_terms = 0, n_triples = 0;
  const FdxMemTriple* const triples = fdx_memgraph_triples(g, &n_triples);
  fdx_memgraph_terms(g, &n_terms);
  size_t text = 0;
  for (size_t i = 0; i < n_terms; ++i) {
    const FdxTerm t = fdx_memgraph_view(g, i);
    text += t.value_len + 1 + (t.lang ? t.lang_len + 1 : 0) +
            (t.datatype ? t.datatype_len + 1 : 0);
  }
  RecordGraph* const r = (RecordGraph*)malloc(
    sizeof(RecordGraph) + n_terms * sizeof(FdxTerm) +
    n_triples * sizeof(FdxMemTriple) + text);
  if (!r) {
    return NULL;
  }
  r->terms     = (FdxTerm*)(r + 1);
  r->triples   = (FdxMemTriple*)(r->terms + n_terms);
  r->n_triples = n_triples;
  r->n_terms   = n_terms;
  if (n_triples) {
    memcpy(r->triples, triples, n_triples * sizeof(FdxMemTriple));
  }
  char* out = (char*)(r->triples + n_triples);
  for (size_t i = 0; i < n_terms; ++i) {
    FdxTerm t = fdx_memgraph_view(g, i);
    if (t.value_len) {
      memcpy(out, t.value, t.value_len);
    }
    out[t.value_len] = '\0';
    t.value          = out;
    out += t.value_len + 1;
    if (t.lang) {
      memcpy(out, t.lang, t.lang_len + 1);
      t.lang = out;
      out += t.lang_len + 1;
    }
    if (t.datatype) {
      memcpy(out, t.datatype, t.datatype_len + 1);
      t.datatype = out;
      out += t.datatype_len + 1;
    }
    r->terms[i] = t;
  }
  return r;
}

/* ------------------------------------------------------------------------
 * Writing records
 * --------------------------------------------------------------------- */

static void
pending_free(Pending* const p)
{
  free(p->id);
  free(p->graph_iri);
  free(p->dataset_iri);
  free(p->source_url);
  free(p->hash);
  free(p->issued);
  free(p->original);
  free(p->original_type);
  free(p->graph);
  memset(p, 0, sizeof(*p));
}

static FdxStatus
iri_id(FdxTxn* const txn, const char* const iri, FdxId* const ret)
{
  const FdxTerm t = fdx_term_iri(iri);
  return fdx_term_intern(txn, &t, ret);
}

/* Where a batch's records go: their quads are collected by a bulk
 * loader and written sorted, one ordering at a time, when the batch ends
 * (quad by quad, each of a batch's 30,000 quads cost eleven B-tree
 * searches in six orderings).  `graphs` are the record graphs the loader
 * holds quads of: a record that comes twice in one batch has its first
 * quads written before its graph is replaced again.  A record's graph is
 * replaced by difference: `old` holds the quads it had (sorted), `kept`
 * marks those the new record has too, and only the others are removed
 * (the loader adds only quads the store lacks), so rewriting an unchanged
 * record (harvest --full) costs no removal of what stays. */
typedef struct {
  FdxTxn*    txn;
  FdxLoader* loader;
  FdxId*     graphs;
  size_t     n_graphs;
  size_t     cap_graphs;
  FdxQuad*   old;
  bool*      kept;
  size_t     n_old;
  size_t     cap_old;
} RecordSink;

static FdxStatus
sink_flush(RecordSink* const w)
{
  FdxStatus st = FDX_SUCCESS;
  if (w->loader) {
    st = fdx_loader_finish(w->loader, NULL);
    fdx_loader_free(w->loader);
    w->loader = NULL;
  }
  w->n_graphs = 0;
  return st;
}

/* Note graph `g` as about to be written; flushes first if it already
 * has quads in the loader. */
static FdxStatus
sink_graph(RecordSink* const w, const FdxId g)
{
  for (size_t i = 0; i < w->n_graphs; ++i) {
    if (w->graphs[i] == g) {
      const FdxStatus st = sink_flush(w);
      if (st) {
        return st;
      }
      break;
    }
  }
  if (w->n_graphs == w->cap_graphs) {
    const size_t cap   = w->cap_graphs ? w->cap_graphs * 2 : 64;
    FdxId* const grown = (FdxId*)realloc(w->graphs, cap * sizeof(FdxId));
    if (!grown) {
      return FDX_ERR_NO_MEMORY;
    }
    w->graphs     = grown;
    w->cap_graphs = cap;
  }
  w->graphs[w->n_graphs++] = g;
  /* A batch of 1,000 records is some 30,000 quads: a small sort buffer. */
  return w->loader ? FDX_SUCCESS
                   : fdx_loader_new(w->txn, (size_t)16 << 20, &w->loader);
}

static int
quad_cmp(const void* const va, const void* const vb)
{
  const FdxQuad* const a = (const FdxQuad*)va;
  const FdxQuad* const b = (const FdxQuad*)vb;
  if (a->s != b->s) {
    return a->s < b->s ? -1 : 1;
  }
  if (a->p != b->p) {
    return a->p < b->p ? -1 : 1;
  }
  if (a->o != b->o) {
    return a->o < b->o ? -1 : 1;
  }
  return a->g < b->g ? -1 : a->g > b->g;
}

/* Start replacing graph `g`: its quads into w->old, none kept yet. */
static FdxStatus
replace_begin(RecordSink* const w, const FdxId g)
{
  w->n_old                = 0;
  const FdxQuad pattern   = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, g};
  FdxQuadIter*  it        = NULL;
  FdxStatus     st        = fdx_quad_find(w->txn, &pattern, &it);
  FdxQuad       q;
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    if (w->n_old == w->cap_old) {
      const size_t   cap   = w->cap_old ? w->cap_old * 2 : 64;
      FdxQuad* const grown = (FdxQuad*)realloc(w->old, cap * sizeof(FdxQuad));
      bool* const    kept  = grown ? (bool*)realloc(w->kept, cap) : NULL;
      if (grown) {
        w->old = grown;
      }
      if (!kept) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      w->kept    = kept;
      w->cap_old = cap;
    }
    w->old[w->n_old++] = q;
  }
  fdx_quad_iter_free(it);
  if (st != FDX_FAILURE) { /* FDX_FAILURE: the end of the quads */
    w->n_old = 0;
    return st;
  }
  if (w->n_old) {
    qsort(w->old, w->n_old, sizeof(FdxQuad), quad_cmp);
    memset(w->kept, 0, w->n_old);
  }
  return FDX_SUCCESS;
}

/* End replacing: remove the old quads the new record does not have. */
static FdxStatus
replace_end(RecordSink* const w)
{
  FdxStatus st = FDX_SUCCESS;
  for (size_t i = 0; i < w->n_old && !st; ++i) {
    if (!w->kept[i] && (st = fdx_quad_remove(w->txn, &w->old[i])) ==
                         FDX_FAILURE) {
      st = FDX_SUCCESS; /* gone already */
    }
  }
  w->n_old = 0;
  return st;
}

static FdxStatus
sink_quad(RecordSink* const w, const FdxQuad* const q)
{
  if (w->n_old) {
    const FdxQuad* const at = (const FdxQuad*)bsearch(
      q, w->old, w->n_old, sizeof(FdxQuad), quad_cmp);
    if (at) {
      w->kept[at - w->old] = true;
    }
  }
  return fdx_loader_add_ids(w->loader, q);
}

static FdxStatus
add_quad(RecordSink* const w, const FdxId s, const char* const p,
         const FdxTerm* const o, const FdxId g)
{
  FdxId     pid, oid;
  FdxStatus st;
  if ((st = iri_id(w->txn, p, &pid)) ||
      (st = fdx_term_intern(w->txn, o, &oid))) {
    return st;
  }
  const FdxQuad q = {s, pid, oid, g};
  return sink_quad(w, &q);
}

/* Write one record into its graph (inside the caller's transaction). */
static FdxStatus
write_record(HarvestRun* const run, RecordSink* const w, Pending* const p)
{
  FdxTxn* const txn = w->txn;
  FdxId         g, rec;
  FdxStatus     st;
  if ((st = iri_id(txn, p->graph_iri, &g))) {
    return st;
  }
  rec = g; /* the record's graph is named by its catalogue record */
  if ((st = sink_graph(w, g)) || (st = replace_begin(w, g))) {
    return st;
  }
  const size_t              n = p->graph->n_triples;
  const FdxMemTriple* const t = p->graph->triples;
  char                      label[96];
  /* Each term interned once per record (0: not yet), not once per use. */
  FdxId* const id_of =
    (FdxId*)calloc(p->graph->n_terms ? p->graph->n_terms : 1, sizeof(FdxId));
  if (!id_of) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < n && !st; ++i) {
    const size_t ids[3] = {t[i].s, t[i].p, t[i].o};
    FdxId        q[3];
    for (int k = 0; k < 3 && !st; ++k) {
      if (id_of[ids[k]]) {
        q[k] = id_of[ids[k]];
        continue;
      }
      FdxTerm term = p->graph->terms[ids[k]];
      if (term.kind == FDX_TERM_BLANK) {
        /* Blank nodes scoped to this write of this record. */
        const int len = snprintf(label, sizeof(label), "h%llur%llux%zu",
                                 (unsigned long long)run->id,
                                 (unsigned long long)run->blank_counter,
                                 ids[k]);
        term.value     = label;
        term.value_len = (size_t)len;
      }
      if (!(st = fdx_term_intern(txn, &term, &q[k]))) {
        id_of[ids[k]] = q[k];
      }
    }
    if (!st) {
      const FdxQuad quad = {q[0], q[1], q[2], g};
      st                 = sink_quad(w, &quad);
    }
  }
  free(id_of);
  ++run->blank_counter;
  /* The catalogue record and its provenance. */
  char now[32];
  now_iso(now);
  FdxId checksum;
  const FdxTerm now_t = fdx_term_literal(now, NULL, XSD_DATETIME);
  const FdxTerm issued_t =
    fdx_term_literal(p->issued ? p->issued : now, NULL, XSD_DATETIME);
  const FdxTerm hash_t = fdx_term_literal(p->hash, NULL, NULL);
  char ident[600];
  snprintf(ident, sizeof(ident), "%s:%s", run->source->name, p->id);
  const FdxTerm ident_t = fdx_term_literal(ident, NULL, NULL);
  snprintf(label, sizeof(label), "h%llur%llucs", (unsigned long long)run->id,
           (unsigned long long)run->blank_counter);
  const FdxTerm checksum_t = {FDX_TERM_BLANK, label, strlen(label),
                              NULL, 0, NULL, 0};
  FdxTerm       term;
  if (!st && !(st = fdx_term_intern(txn, &checksum_t, &checksum))) {
    term = fdx_term_iri(DCAT "CatalogRecord");
    st   = add_quad(w, rec, RDF_TYPE, &term, g);
    term = (FdxTerm){FDX_TERM_IRI, p->dataset_iri, strlen(p->dataset_iri),
                     NULL, 0, NULL, 0};
    if (!st) {
      st = add_quad(w, rec, FOAF_PRIMARY_TOPIC, &term, g);
    }
    if (!st) {
      st = add_quad(w, rec, DCT "modified", &now_t, g);
    }
    if (!st) {
      st = add_quad(w, rec, DCT "issued", &issued_t, g);
    }
    if (!st) {
      st = add_quad(w, rec, DCT "identifier", &ident_t, g);
    }
    term = fdx_term_iri(p->source_url);
    if (!st) {
      st = add_quad(w, rec, PROV "wasDerivedFrom", &term, g);
    }
    term = fdx_term_iri(run->run_iri);
    if (!st) {
      st = add_quad(w, rec, PROV "wasGeneratedBy", &term, g);
    }
    if (!st) {
      st = add_quad(w, rec, SPDX "checksum", &checksum_t, g);
    }
    term = fdx_term_iri(SPDX "Checksum");
    if (!st) {
      st = add_quad(w, checksum, RDF_TYPE, &term, g);
    }
    if (!st && p->original) {
      /* The source's own record, kept whole. */
      char src_label[96];
      snprintf(src_label, sizeof(src_label), "h%llur%llusrc",
               (unsigned long long)run->id,
               (unsigned long long)run->blank_counter);
      const FdxTerm src_t = {FDX_TERM_BLANK, src_label, strlen(src_label),
                             NULL, 0, NULL, 0};
      FdxId src;
      const bool json = strstr(p->original_type, "json") != NULL;
      const FdxTerm value_t = fdx_term_literal(
        p->original, NULL,
        json ? "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
             : "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral");
      const FdxTerm type_t = fdx_term_literal(p->original_type, NULL, NULL);
      const FdxTerm entity_t = fdx_term_iri(PROV "Entity");
      if (!(st = fdx_term_intern(txn, &src_t, &src)) &&
          !(st = add_quad(w, rec, DCT "source", &src_t, g)) &&
          !(st = add_quad(w, src, RDF_TYPE, &entity_t, g)) &&
          !(st = add_quad(w, src,
                          "http://www.w3.org/1999/02/22-rdf-syntax-ns#value",
                          &value_t, g))) {
        st = add_quad(w, src, DCT "format", &type_t, g);
      }
    }
    term = fdx_term_iri(SPDX "checksumAlgorithm_sha256");
    if (!st) {
      st = add_quad(w, checksum, SPDX "algorithm", &term, g);
    }
    if (!st) {
      st = add_quad(w, checksum, SPDX "checksumValue", &hash_t, g);
    }
  }
  if (!st) {
    st = replace_end(w);
  }
  /* The stored state. */
  if (!st) {
    json_t* const state = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id", p->id, "graph",
      p->graph_iri, "dataset", p->dataset_iri, "hash", p->hash, "issued",
      p->issued ? p->issued : now, "run", (json_int_t)run->id, "modified",
      now);
    char* const text = state ? json_dumps(state, JSON_COMPACT) : NULL;
    json_decref(state);
    uint8_t      key[128];
    const size_t klen = table_key(run, p->key, key);
    st = text ? fdx_aux_put(txn, RECORDS_TABLE, key, klen, text, strlen(text))
              : FDX_ERR_NO_MEMORY;
    free(text);
  }
  return st;
}

typedef struct {
  HarvestRun* run;
  Batch*      batch;
  size_t      from, to; /* records[from, to) */
  bool        pages;    /* and the batch's page states */
} BatchJob;

static FdxStatus
write_batch(FdxTxn* const txn, void* const ctx)
{
  BatchJob* const job  = (BatchJob*)ctx;
  Batch* const    b    = job->batch;
  FdxStatus       st   = FDX_SUCCESS;
  RecordSink      sink = {txn, NULL, NULL, 0, 0, NULL, NULL, 0, 0};
  for (size_t i = job->from; i < job->to && !st; ++i) {
    st = write_record(job->run, &sink, &b->records[i]);
  }
  if (!st) {
    st = sink_flush(&sink);
  }
  fdx_loader_free(sink.loader); /* left by a failure */
  free(sink.graphs);
  free(sink.old);
  free(sink.kept);
  for (size_t i = 0; job->pages && i < b->n_pages && !st; ++i) {
    const PendingPage* const pp = &b->pages[i];
    uint8_t                  pkey[128];
    const size_t             plen = table_key(job->run, pp->key, pkey);
    st = fdx_aux_put(txn, PAGES_TABLE, pkey, plen, pp->text, strlen(pp->text));
  }
  return st;
}

/* Write records [from, to) of a batch, and its page states when `pages`:
 * all in one transaction, or, if that fails, each record alone so a bad
 * one fails alone (marked `rejected`), and the page states after them.
 * Whether the one transaction was committed. */
static bool
write_part(HarvestRun* const run, Batch* const b, const size_t from,
           const size_t to, const bool pages)
{
  BatchJob job = {run, b, from, to, pages};
  if (!fdx_store_write(run->store, write_batch, &job)) {
    return true;
  }
  for (size_t i = from; i < to; ++i) {
    BatchJob        one = {run, b, i, i + 1, false};
    const FdxStatus rst = fdx_store_write(run->store, write_batch, &one);
    if (rst == FDX_ERR_BAD_ARG || rst == FDX_ERR_LIMIT) {
      b->records[i].rejected = rst;
    } else if (rst) {
      b->store_status = rst;
      return false;
    }
  }
  if (pages && b->n_pages) {
    BatchJob page_job = {run, b, 0, 0, true};
    b->store_status = fdx_store_write(run->store, write_batch, &page_job);
  }
  return false;
}

/* Size the next transactions by what one of `n` records held mapped at
 * its commit (see TXN_MAPPED_DEFAULT).  Only a transaction of the full
 * size says how that size does: a batch's short last part may map
 * nearly as much (the process's other file-backed pages count too). */
static void
size_transactions(HarvestRun* const run, const size_t n)
{
  const uint64_t budget = run->options && run->options->txn_mapped
                            ? run->options->txn_mapped
                            : TXN_MAPPED_DEFAULT;
  const uint64_t mapped = fdx_store_last_commit_mapped(run->store);
  size_t         next   = run->txn_records;
  if (n != run->txn_records || mapped == UINT64_MAX) {
    return; /* a short part, or not known */
  }
  if (mapped > budget) {
    /* Aim under the budget: pages per record grow with the store. */
    next = (size_t)((double)n * 0.9 * (double)budget / (double)mapped);
  } else if (mapped < budget / 4 * 3) {
    next = run->txn_records + run->txn_records / 4;
  }
  run->txn_records = next < TXN_RECORDS_MIN ? TXN_RECORDS_MIN
                     : next > BATCH_RECORDS ? BATCH_RECORDS
                                            : next;
}

/* Write a batch's records, in transactions of run->txn_records, the page
 * states with the last one (a page never claims records the store does
 * not hold).  Runs in the writer thread; the outcome stays in the
 * batch. */
static void
write_batch_now(HarvestRun* const run, Batch* const b)
{
  size_t from = 0;
  do {
    const size_t to =
      b->n - from > run->txn_records ? from + run->txn_records : b->n;
    const bool one = write_part(run, b, from, to, to == b->n && b->write_pages);
    if (b->store_status) {
      return;
    }
    if (one && to > from) {
      size_transactions(run, to - from);
    }
    from = to;
  } while (from < b->n);
}

static void*
writer_main(void* const arg)
{
  HarvestRun* const run = (HarvestRun*)arg;
  write_batch_now(run, run->writing);
  return NULL;
}

static void
batch_clear(Batch* const b)
{
  for (size_t i = 0; i < b->n; ++i) {
    pending_free(&b->records[i]);
  }
  for (size_t i = 0; i < b->n_pages; ++i) {
    free(b->pages[i].text);
  }
  b->n            = 0;
  b->n_pages      = 0;
  b->page_bytes   = 0;
  b->store_status = FDX_SUCCESS;
}

/* Wait for the batch being written, if any, and account for it: records
 * counted, refused ones reported, a store failure kept in the run. */
static FdxStatus
flush_finish(HarvestRun* const run)
{
  Batch* const b = run->writing;
  if (!b) {
    return run->store_status;
  }
  if (run->writer_running) {
    pthread_join(run->writer, NULL);
    run->writer_running = false;
  }
  for (size_t i = 0; i < b->n; ++i) {
    const Pending* const p = &b->records[i];
    if (p->rejected) {
      run_record_error(run, p->id, "cannot be stored: %s%s",
                       fdx_strerror(p->rejected),
                       p->rejected == FDX_ERR_LIMIT ? " (a term is too long)"
                                                    : "");
    } else if (p->is_new) {
      ++run->added;
    } else {
      ++run->updated;
    }
  }
  if (b->store_status && !run->store_status) {
    run->store_status = b->store_status;
  }
  batch_clear(b);
  run->writing = NULL;
  progress(run);
  return run->store_status;
}

/* Hand the filling batch to the writer thread, after the one before it is
 * written; the listing goes on mapping records meanwhile.  After a store
 * failure nothing more is written. */
static FdxStatus
flush_start(HarvestRun* const run)
{
  FdxStatus st = flush_finish(run);
  Batch* const b = run->batch;
  if (st) {
    batch_clear(b); /* never accepted, as if the run had stopped sooner */
    return st;
  }
  if (!b->n && !b->n_pages) {
    return FDX_SUCCESS;
  }
  b->write_pages = true;
  run->writing   = b;
  run->batch     = b == &run->batches[0] ? &run->batches[1] : &run->batches[0];
  run->writer_running =
    !pthread_create(&run->writer, NULL, writer_main, run);
  if (!run->writer_running) {
    write_batch_now(run, b); /* no thread: write it here */
  }
  return FDX_SUCCESS;
}

/* Write everything waiting, and wait for it. */
static FdxStatus
flush(HarvestRun* const run)
{
  const FdxStatus st = flush_start(run);
  return st ? st : flush_finish(run);
}

FdxStatus
run_record(HarvestRun* const run, HarvestRecord* const record)
{
  FdxMemGraph* const graph = record->graph;
  record->graph            = NULL;
  if (run->store_status) {
    fdx_memgraph_free(graph);
    return run->store_status;
  }
  ++run->listed;
  if (run->listed > run->source->max_records) {
    fdx_memgraph_free(graph);
    run_fail(run, "the source lists more than max_records (%llu) records",
             (unsigned long long)run->source->max_records);
    return FDX_ERR_LIMIT;
  }
  uint8_t key[KEY_BYTES];
  record_key(record->id, key);
  char key_hex[2 * KEY_BYTES + 1];
  hex(key, KEY_BYTES, key_hex);
  if (run->page_records) {
    json_array_append_new(run->page_records, json_string(key_hex));
  }
  if (keyset_has(&run->seen, key)) {
    fdx_memgraph_free(graph);
    ++run->unchanged; /* listed twice: once is enough */
    return FDX_SUCCESS;
  }
  if (!keyset_add(&run->seen, key)) {
    fdx_memgraph_free(graph);
    return FDX_ERR_NO_MEMORY;
  }
  char      hash[2 * SHA256_DIGEST_SIZE + 1];
  FdxStatus st = graph_hash(graph, hash);
  if (st) {
    fdx_memgraph_free(graph);
    return st;
  }
  if (record->original) {
    /* What the mapping leaves out counts too. */
    struct sha256_ctx ctx;
    uint8_t           digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(hash), (const uint8_t*)hash);
    sha256_update(&ctx, strlen(record->original),
                  (const uint8_t*)record->original);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    hex(digest, SHA256_DIGEST_SIZE, hash);
  }
  /* The stored state: the same hash means nothing to do. */
  char*   issued = NULL;
  bool    is_new = true;
  FdxTxn* txn    = NULL;
  if ((st = fdx_txn_begin(run->store, 0, &txn))) {
    fdx_memgraph_free(graph);
    return st;
  }
  uint8_t      tkey[128];
  const size_t klen = table_key(run, key, tkey);
  const void*  val  = NULL;
  size_t       n    = 0;
  if (!fdx_aux_get(txn, RECORDS_TABLE, tkey, klen, &val, &n)) {
    json_error_t  jerr;
    json_t* const state = json_loadb((const char*)val, n, 0, &jerr);
    const char* const old = json_string_value(json_object_get(state, "hash"));
    is_new                = false;
    if (old && !strcmp(old, hash) && !(run->options && run->options->full)) {
      json_decref(state);
      lookups_trim(run, txn);
      fdx_txn_abort(txn);
      fdx_memgraph_free(graph);
      ++run->unchanged;
      return FDX_SUCCESS;
    }
    const char* const first = json_string_value(json_object_get(state, "issued"));
    issued                  = first ? strdup(first) : NULL;
    json_decref(state);
  }
  lookups_trim(run, txn);
  fdx_txn_abort(txn);
  Pending* const p = &run->batch->records[run->batch->n++];
  memcpy(p->key, key, KEY_BYTES);
  p->id          = strdup(record->id);
  p->dataset_iri = strdup(record->dataset_iri);
  p->source_url  = strdup(record->source_url);
  p->hash        = strdup(hash);
  p->issued      = issued;
  p->is_new      = is_new;
  if (record->original) {
    p->original      = strdup(record->original);
    p->original_type = strdup(record->original_type
                                ? record->original_type
                                : "application/octet-stream");
    if (!p->original || !p->original_type) {
      pending_free(p);
      --run->batch->n;
      fdx_memgraph_free(graph);
      return FDX_ERR_NO_MEMORY;
    }
  }
  p->graph       = record_graph(graph);
  fdx_memgraph_free(graph);
  if (asprintf(&p->graph_iri, "%srecord/%s-%s", run->base, run->source->name,
               key_hex) < 0) {
    p->graph_iri = NULL;
  }
  if (!p->id || !p->dataset_iri || !p->source_url || !p->hash ||
      !p->graph || !p->graph_iri) {
    pending_free(p);
    --run->batch->n;
    return FDX_ERR_NO_MEMORY;
  }
  return run->batch->n == BATCH_RECORDS ? flush_start(run) : FDX_SUCCESS;
}

typedef struct {
  HarvestRun* run;
  uint8_t     key[KEY_BYTES];
  bool        gone;
} DeletedJob;

static FdxStatus
delete_one(FdxTxn* const txn, void* const ctx)
{
  DeletedJob* const job = (DeletedJob*)ctx;
  job->gone             = false;
  uint8_t      key[128];
  const size_t klen = table_key(job->run, job->key, key);
  const void*  val  = NULL;
  size_t       n    = 0;
  FdxStatus    st   = fdx_aux_get(txn, RECORDS_TABLE, key, klen, &val, &n);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st; /* never harvested */
  }
  json_error_t  jerr;
  json_t* const state = json_loadb((const char*)val, n, 0, &jerr);
  const char*   graph = json_string_value(json_object_get(state, "graph"));
  FdxId         g;
  if (graph) {
    const FdxTerm t = fdx_term_iri(graph);
    if (!fdx_term_id(txn, &t, &g)) {
      st = fdx_graph_clear(txn, g, NULL);
    }
  }
  json_decref(state);
  if (!st) {
    st = fdx_aux_del(txn, RECORDS_TABLE, key, klen);
    st = st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  job->gone = !st;
  return st;
}

FdxStatus
run_record_deleted(HarvestRun* const run, const char* const id)
{
  if (run->store_status) {
    return run->store_status;
  }
  FdxStatus st = flush(run); /* an earlier version may be waiting */
  if (st) {
    return st;
  }
  DeletedJob job;
  memset(&job, 0, sizeof(job));
  job.run = run;
  record_key(id, job.key);
  keyset_add(&run->seen, job.key); /* listed: as deleted */
  ++run->listed;
  if ((st = fdx_store_write(run->store, delete_one, &job))) {
    run->store_status = st;
    return st;
  }
  if (job.gone) {
    ++run->deleted;
  }
  return FDX_SUCCESS;
}

char*
run_mint_dataset(const HarvestRun* const run, const char* const key,
                 const size_t len)
{
  struct sha256_ctx ctx;
  uint8_t           d[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, len, (const uint8_t*)key);
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, d);
  char hexd[17];
  hex(d, 8, hexd);
  char* iri = NULL;
  if (asprintf(&iri, "%sdataset/%s-%s", run->base, run->source->name, hexd) <
      0) {
    return NULL;
  }
  return iri;
}

void
run_record_keep(HarvestRun* const run, const char* const id)
{
  uint8_t key[KEY_BYTES];
  record_key(id, key);
  if (!keyset_has(&run->seen, key)) {
    keyset_add(&run->seen, key);
    ++run->listed;
  }
}

const char*
run_since(const HarvestRun* const run)
{
  return run->since[0] && !(run->options && run->options->full) ? run->since
                                                                 : NULL;
}

time_t
fdx_harvest_time(const char* const text)
{
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  if (!text || !strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
    return 0;
  }
  const time_t t = timegm(&tm);
  return t == (time_t)-1 ? 0 : t;
}

/* Whether `started` (a run's "YYYY-MM-DDThh:mm:ssZ") is less than
 * `max_age` seconds ago (UINT64_MAX: forever; 0 or 1: never); false for
 * NULL.  A minute of slack for ages of an hour and more: a schedule of the
 * same period starts a run a second or so short of it after the last. */
static bool
recent_enough(const char* const started, const uint64_t max_age)
{
  if (max_age == UINT64_MAX) {
    return true;
  }
  if (max_age <= 1) {
    return false;
  }
  const time_t   then  = fdx_harvest_time(started);
  const time_t   now   = time(NULL);
  const uint64_t slack = max_age >= 3600 ? 60 : 0;
  return then && now >= then && (uint64_t)(now - then) + slack < max_age;
}

void
run_incremental(HarvestRun* const run)
{
  run->incremental = true;
}

/* ------------------------------------------------------------------------
 * Pages
 * --------------------------------------------------------------------- */

void
run_page_clear(HarvestPage* const page)
{
  fdx_fetch_result_clear(&page->fetch);
  json_decref(page->links);
  memset(page, 0, sizeof(*page));
}

static void
page_state_clear(HarvestRun* const run)
{
  free(run->page_url);
  free(run->page_etag);
  free(run->page_last_modified);
  json_decref(run->page_records);
  json_decref(run->page_links);
  run->page_url = run->page_etag = run->page_last_modified = NULL;
  run->page_records = run->page_links = NULL;
}

static size_t
page_key(const HarvestRun* const run, const char* const url,
         uint8_t* const out)
{
  uint8_t key[KEY_BYTES];
  record_key(url, key);
  return table_key(run, key, out);
}

/* The value of hex digit `c`, or -1. */
static int
hex_digit(const char c)
{
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* Decode 2 * n hex digits of `text` into `out`; false on a non-digit. */
static bool
hex_decode(const char* const text, uint8_t* const out, const size_t n)
{
  for (size_t k = 0; k < n; ++k) {
    const int hi = hex_digit(text[2 * k]);
    const int lo = hex_digit(text[2 * k + 1]);
    if (hi < 0 || lo < 0) {
      return false;
    }
    out[k] = (uint8_t)(hi << 4 | lo);
  }
  return true;
}

/* Replay a page's records from the last run: seen and unchanged. */
static void
replay_page(HarvestRun* const run, const json_t* const records)
{
  size_t        i;
  const json_t* item;
  json_array_foreach(records, i, item)
  {
    const char* const text = json_string_value(item);
    uint8_t           key[KEY_BYTES];
    if (!text || strlen(text) != 2 * KEY_BYTES) {
      continue;
    }
    if (!hex_decode(text, key, KEY_BYTES)) {
      continue;
    }
    if (!keyset_has(&run->seen, key)) {
      keyset_add(&run->seen, key);
      ++run->unchanged;
      ++run->listed;
    }
    json_array_append(run->page_records, (json_t*)item);
  }
}

/* The validators and records of the last copy of the page `url`: one
 * this run read already and has not written yet, or the store's.  New, or
 * NULL. */
static json_t*
page_stored(HarvestRun* const run, const char* const url)
{
  uint8_t      pkey[128];
  const size_t plen   = page_key(run, url, pkey);
  json_t*      stored = NULL;
  json_error_t jerr;
  /* The filling batch holds newer states than the one being written
   * (which the writer only reads). */
  const Batch* const batches[2] = {run->batch, run->writing};
  for (int k = 0; k < 2 && !stored; ++k) {
    for (size_t i = batches[k] ? batches[k]->n_pages : 0;
         i-- > 0 && !stored;) {
      const PendingPage* const pp = &batches[k]->pages[i];
      if (!memcmp(pp->key, pkey + plen - KEY_BYTES, KEY_BYTES)) {
        stored = json_loadb(pp->text, strlen(pp->text), 0, &jerr);
      }
    }
  }
  FdxTxn* txn = NULL;
  if (!stored && !fdx_txn_begin(run->store, 0, &txn)) {
    const void* val = NULL;
    size_t      n   = 0;
    if (!fdx_aux_get(txn, PAGES_TABLE, pkey, plen, &val, &n)) {
      stored = json_loadb((const char*)val, n, 0, &jerr);
    }
    fdx_txn_abort(txn);
  }
  return stored;
}

static void*
prefetch_main(void* const arg)
{
  Prefetch* const pf = (Prefetch*)arg;
  pf->st = fdx_fetch(pf->fetcher, pf->url, pf->accept, pf->inm, pf->ims,
                     &pf->res);
  return NULL;
}

/* Wait for the page fetched ahead, if any; the run's fetcher is free
 * again.  Unless `keep`, its answer is dropped. */
static void
prefetch_join(HarvestRun* const run, const bool keep)
{
  Prefetch* const pf = &run->prefetch;
  if (pf->running) {
    pthread_join(pf->thread, NULL);
    pf->running = false;
  }
  if (!keep) {
    fdx_fetch_result_clear(&pf->res);
    json_decref(pf->stored);
    free(pf->url);
    free(pf->accept);
    memset(pf, 0, sizeof(*pf));
  }
}

/* If the page fetched ahead is `url` asked for with `accept`, take its
 * answer (*ret_res, *ret_st) and stored state (*ret_stored, new) and
 * return true; otherwise drop it and return false. */
static bool
prefetch_take(HarvestRun* const run, const char* const url,
              const char* const accept, json_t** const ret_stored,
              FdxFetchResult* const ret_res, FdxStatus* const ret_st)
{
  Prefetch* const pf = &run->prefetch;
  if (!pf->url || strcmp(pf->url, url) ||
      strcmp(pf->accept, accept ? accept : "")) {
    prefetch_join(run, false);
    return false;
  }
  prefetch_join(run, true);
  *ret_stored = pf->stored;
  *ret_res    = pf->res;
  *ret_st     = pf->st;
  pf->stored  = NULL;
  memset(&pf->res, 0, sizeof(pf->res));
  prefetch_join(run, false);
  return true;
}

void
run_prefetch(HarvestRun* const run, const char* const url,
             const char* const accept)
{
  prefetch_join(run, false);
  if (run_cancelled(run) || run->pages >= run->source->max_pages) {
    return; /* run_page() will say so, without a request */
  }
  Prefetch* const pf   = &run->prefetch;
  const bool      full = run->options && run->options->full;
  pf->url     = strdup(url);
  pf->accept  = strdup(accept ? accept : "");
  if (!pf->url || !pf->accept) {
    prefetch_join(run, false);
    return; /* run_page() fetches it */
  }
  pf->stored  = page_stored(run, url);
  pf->inm     = full ? NULL
                     : json_string_value(json_object_get(pf->stored, "etag"));
  pf->ims     = full ? NULL
                     : json_string_value(
                         json_object_get(pf->stored, "last_modified"));
  pf->fetcher = run->fetcher;
  pf->running = !pthread_create(&pf->thread, NULL, prefetch_main, pf);
  if (!pf->running) {
    prefetch_join(run, false); /* run_page() fetches it */
  }
}

/* Count one more page fetched, unless the run is cancelled or has had
 * max_pages (then it fails, saying why). */
static FdxStatus
count_page(HarvestRun* const run)
{
  if (run_cancelled(run)) {
    run_fail(run, "cancelled");
    return FDX_ERR_UNKNOWN;
  }
  if (run->pages >= run->source->max_pages) {
    run_fail(run, "more than max_pages (%u) pages", run->source->max_pages);
    return FDX_ERR_LIMIT;
  }
  ++run->pages;
  return FDX_SUCCESS;
}

FdxStatus
run_page(HarvestRun* const run, const char* const url,
         const char* const accept, HarvestPage* const page)
{
  memset(page, 0, sizeof(*page));
  page_state_clear(run);
  const FdxStatus allowed = count_page(run);
  if (allowed) {
    return allowed;
  }
  const bool  full = run->options && run->options->full;
  json_t*     stored = NULL;
  const char* inm    = NULL;
  const char* ims    = NULL;
  FdxStatus   st     = FDX_SUCCESS;
  const bool  taken =
    prefetch_take(run, url, accept, &stored, &page->fetch, &st);
  if (!taken) {
    stored = page_stored(run, url);
  }
  inm = full ? NULL : json_string_value(json_object_get(stored, "etag"));
  ims = full ? NULL
             : json_string_value(json_object_get(stored, "last_modified"));
  if (!taken) {
    st = fdx_fetch(run->fetcher, url, accept, inm, ims, &page->fetch);
  }
  run->page_url     = strdup(url);
  run->page_records = json_array();
  if (st || page->fetch.st) {
    run_fail(run, "%s: %s", url,
             page->fetch.error[0] ? page->fetch.error : fdx_strerror(st));
    json_decref(stored);
    return st ? st : page->fetch.st;
  }
  if (page->fetch.not_modified) {
    page->not_modified = true;
    page->links = json_incref(json_object_get(stored, "links"));
    replay_page(run, json_object_get(stored, "records"));
    run->page_links = json_incref(page->links);
    run->page_etag  = inm ? strdup(inm) : NULL;
    run->page_last_modified = ims ? strdup(ims) : NULL;
  } else {
    run->page_etag = page->fetch.etag ? strdup(page->fetch.etag) : NULL;
    run->page_last_modified =
      page->fetch.last_modified ? strdup(page->fetch.last_modified) : NULL;
  }
  json_decref(stored);
  progress(run);
  return FDX_SUCCESS;
}

FdxStatus
run_fetch(HarvestRun* const run, const char* const url,
          const char* const accept, FdxFetchResult* const res)
{
  memset(res, 0, sizeof(*res));
  prefetch_join(run, false);
  const FdxStatus allowed = count_page(run);
  if (allowed) {
    return allowed;
  }
  const FdxStatus st = fdx_fetch(run->fetcher, url, accept, NULL, NULL, res);
  return st ? st : res->st;
}

void
run_page_links(HarvestRun* const run, const json_t* const links)
{
  json_decref(run->page_links);
  run->page_links = json_deep_copy(links);
}

FdxStatus
run_page_done(HarvestRun* const run, HarvestPage* const page)
{
  (void)page;
  if (!run->page_url) {
    return FDX_SUCCESS;
  }
  if (!run->page_etag && !run->page_last_modified) {
    page_state_clear(run);
    return FDX_SUCCESS; /* nothing to make the next request conditional */
  }
  json_t* const state = json_pack(
    "{s:s, s:s?, s:s?, s:O, s:O?}", "url", run->page_url, "etag",
    run->page_etag, "last_modified", run->page_last_modified, "records",
    run->page_records, "links", run->page_links);
  char* const text = state ? json_dumps(state, JSON_COMPACT) : NULL;
  json_decref(state);
  if (!text) {
    return FDX_ERR_NO_MEMORY;
  }
  FdxStatus st = run->store_status;
  if (st || strlen(text) > FDX_AUX_MAX_VALUE) {
    free(text);
  } else if ((run->batch->n_pages == BATCH_PAGES ||
              run->batch->page_bytes + strlen(text) > BATCH_PAGE_BYTES) &&
             (st = flush(run))) {
    free(text);
  } else {
    /* Written after the records the batch holds (flush()). */
    PendingPage* const pp = &run->batch->pages[run->batch->n_pages++];
    uint8_t            pkey[128];
    const size_t       plen = page_key(run, run->page_url, pkey);
    memcpy(pp->key, pkey + plen - KEY_BYTES, KEY_BYTES);
    pp->text = text;
    run->batch->page_bytes += strlen(text);
  }
  page_state_clear(run);
  return st;
}

/* ------------------------------------------------------------------------
 * Deletion
 * --------------------------------------------------------------------- */

/* The sweep walks the source's stored records SWEEP_PAGE at a time, each
 * page in a transaction of its own, whose end lets the store drop the
 * pages the walk mapped (fdx_store_write()): the records of a big source
 * lie on pages all over the store, and a walk in one transaction mapped
 * them all (136 MiB at 30,000 records). */
#define SWEEP_PAGE 2048

typedef struct {
  HarvestRun* run;
  size_t      prefix_len;
  uint64_t    known;
  uint8_t*    gone; /* keys (table keys' last 16 bytes) */
  char**      graphs;
  size_t      n_gone;
  size_t      cap_gone;
  FdxStatus   st;
  uint8_t     after[FDX_AUX_MAX_KEY]; /* the last key walked: where the
                                       * next page starts */
  size_t      after_len;
  size_t      in_page; /* records walked in this page */
  bool        more;    /* the page ended before the source's records */
} Sweep;

static FdxStatus
sweep_record(void* const ctx, const void* const key, const size_t key_len,
             const void* const val, const size_t val_len)
{
  Sweep* const w = (Sweep*)ctx;
  if (key_len != w->prefix_len + KEY_BYTES ||
      memcmp(key, w->run->source->name, w->prefix_len)) {
    return FDX_FAILURE; /* past this source's records */
  }
  if (w->in_page == SWEEP_PAGE) {
    w->more = true;
    return FDX_FAILURE; /* the next page starts here */
  }
  ++w->in_page;
  memcpy(w->after, key, key_len);
  w->after_len = key_len;
  ++w->known;
  const uint8_t* const k = (const uint8_t*)key + w->prefix_len;
  if (keyset_has(&w->run->seen, k)) {
    return FDX_SUCCESS;
  }
  if (w->n_gone == w->cap_gone) {
    w->cap_gone = w->cap_gone ? w->cap_gone * 2 : 64;
    uint8_t* const gone = (uint8_t*)realloc(w->gone, w->cap_gone * KEY_BYTES);
    char** const graphs = (char**)realloc(w->graphs, w->cap_gone * sizeof(char*));
    if (gone) {
      w->gone = gone;
    }
    if (graphs) {
      w->graphs = graphs;
    }
    if (!gone || !graphs) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  json_error_t  jerr;
  json_t* const state = json_loadb((const char*)val, val_len, 0, &jerr);
  const char*   graph = json_string_value(json_object_get(state, "graph"));
  memcpy(w->gone + w->n_gone * KEY_BYTES, k, KEY_BYTES);
  w->graphs[w->n_gone++] = graph ? strdup(graph) : NULL;
  json_decref(state);
  return FDX_SUCCESS;
}

typedef struct {
  HarvestRun* run;
  Sweep*      sweep;
  size_t      from, to;
} DeleteJob;

static FdxStatus
delete_batch(FdxTxn* const txn, void* const ctx)
{
  DeleteJob* const job = (DeleteJob*)ctx;
  FdxStatus        st  = FDX_SUCCESS;
  for (size_t i = job->from; i < job->to && !st; ++i) {
    const char* const graph = job->sweep->graphs[i];
    FdxId             g;
    if (graph) {
      const FdxTerm t = fdx_term_iri(graph);
      if (!fdx_term_id(txn, &t, &g)) {
        st = fdx_graph_clear(txn, g, NULL);
      }
    }
    uint8_t      key[128];
    const size_t klen =
      table_key(job->run, job->sweep->gone + i * KEY_BYTES, key);
    if (!st) {
      st = fdx_aux_del(txn, RECORDS_TABLE, key, klen);
      st = st == FDX_FAILURE ? FDX_SUCCESS : st;
    }
  }
  return st;
}

/* One page of the sweep's walk (see SWEEP_PAGE): reads only, in a write
 * transaction for the trim after its commit, which writes nothing. */
static FdxStatus
sweep_page(FdxTxn* const txn, void* const ctx)
{
  Sweep* const w = (Sweep*)ctx;
  w->in_page     = 0;
  w->more        = false;
  const FdxStatus st =
    fdx_aux_each(txn, RECORDS_TABLE, w->after, w->after_len, sweep_record, w);
  return st == FDX_FAILURE ? FDX_SUCCESS : st;
}

/* After a complete listing: delete what the source no longer lists. */
static FdxStatus
sweep(HarvestRun* const run, const char** const ret_status)
{
  Sweep w;
  memset(&w, 0, sizeof(w));
  w.run        = run;
  w.prefix_len = strlen(run->source->name) + 1;
  FdxStatus st = w.prefix_len <= sizeof(w.after) ? FDX_SUCCESS : FDX_ERR_LIMIT;
  if (!st) {
    memcpy(w.after, run->source->name, w.prefix_len);
    w.after_len = w.prefix_len;
  }
  for (bool more = !st; more; more = !st && w.more) {
    st = fdx_store_write(run->store, sweep_page, &w);
  }
  *ret_status = "complete";
  if (!st && w.n_gone) {
    if (run->listed == 0) {
      *ret_status = "failed";
      run_fail(run, "the source listed no records (it had %llu): an empty "
                    "listing deletes nothing",
               (unsigned long long)w.known);
    } else if ((double)w.n_gone >
               run->source->delete_threshold * (double)w.known) {
      *ret_status = "stopped";
      run_fail(run, "the run would delete %zu of the source's %llu records, "
                    "more than delete_threshold (%g): nothing deleted",
               w.n_gone, (unsigned long long)w.known,
               run->source->delete_threshold);
    } else {
      for (size_t from = 0; from < w.n_gone && !st; from += 256) {
        DeleteJob job = {run, &w, from,
                         from + 256 < w.n_gone ? from + 256 : w.n_gone};
        st = fdx_store_write(run->store, delete_batch, &job);
        if (!st) {
          run->deleted += job.to - job.from;
        }
      }
    }
  }
  for (size_t i = 0; i < w.n_gone; ++i) {
    free(w.graphs[i]);
  }
  free(w.graphs);
  free(w.gone);
  return st;
}

/* ------------------------------------------------------------------------
 * Reports
 * --------------------------------------------------------------------- */

static void
put_be64(uint8_t* const out, const uint64_t v)
{
  for (int i = 0; i < 8; ++i) {
    out[i] = (uint8_t)(v >> (56 - 8 * i));
  }
}

static uint64_t
get_be64(const uint8_t* const in)
{
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | in[i];
  }
  return v;
}

typedef struct {
  HarvestRun* run;
  const char* text;
  bool        new_id;
} ReportJob;

static FdxStatus
write_report(FdxTxn* const txn, void* const ctx)
{
  ReportJob* const job = (ReportJob*)ctx;
  FdxStatus        st  = FDX_SUCCESS;
  if (job->new_id) {
    const void* val = NULL;
    size_t      n   = 0;
    uint64_t    id  = 1;
    st = fdx_aux_get(txn, SETTINGS_TABLE, RUN_NEXT_KEY, strlen(RUN_NEXT_KEY),
                     &val, &n);
    if (!st && n == 8) {
      id = get_be64((const uint8_t*)val);
    } else if (st && st != FDX_FAILURE) {
      return st;
    }
    uint8_t next[8];
    put_be64(next, id + 1);
    if ((st = fdx_aux_put(txn, SETTINGS_TABLE, RUN_NEXT_KEY,
                          strlen(RUN_NEXT_KEY), next, 8))) {
      return st;
    }
    job->run->id = id;
    json_object_set_new(job->run->report, "id", json_integer((json_int_t)id));
    return FDX_SUCCESS; /* the report follows with its id */
  }
  uint8_t key[8];
  put_be64(key, job->run->id);
  return fdx_aux_put(txn, RUNS_TABLE, key, 8, job->text, strlen(job->text));
}

static FdxStatus
save_report(HarvestRun* const run)
{
  char* const text = json_dumps(run->report, JSON_COMPACT);
  if (!text) {
    return FDX_ERR_NO_MEMORY;
  }
  ReportJob       job = {run, text, false};
  const FdxStatus st  = fdx_store_write(run->store, write_report, &job);
  free(text);
  return st;
}

json_t*
fdx_harvest_report(FdxTxn* const txn, const uint64_t id)
{
  uint8_t key[8];
  put_be64(key, id);
  const void* val = NULL;
  size_t      n   = 0;
  if (fdx_aux_get(txn, RUNS_TABLE, key, 8, &val, &n)) {
    return NULL;
  }
  json_error_t jerr;
  return json_loadb((const char*)val, n, 0, &jerr);
}

typedef struct {
  const char* source;
  json_t*     list;
  size_t      limit;
} ReportWalk;

static FdxStatus
walk_report(void* const ctx, const void* const key, const size_t key_len,
            const void* const val, const size_t val_len)
{
  (void)key;
  (void)key_len;
  ReportWalk* const w = (ReportWalk*)ctx;
  json_error_t      jerr;
  json_t* const     r = json_loadb((const char*)val, val_len, 0, &jerr);
  if (!r) {
    return FDX_ERR_CORRUPT;
  }
  const char* const src = json_string_value(json_object_get(r, "source"));
  if (w->source && (!src || strcmp(src, w->source))) {
    json_decref(r);
    return FDX_SUCCESS;
  }
  json_array_append_new(w->list, r);
  return json_array_size(w->list) >= w->limit ? FDX_FAILURE : FDX_SUCCESS;
}

json_t*
fdx_harvest_reports(FdxTxn* const txn, const char* const source,
                    const uint64_t since, const size_t limit)
{
  ReportWalk w = {source, json_array(), limit ? limit : 1};
  uint8_t    after[8];
  put_be64(after, since);
  const FdxStatus st = fdx_aux_each(txn, RUNS_TABLE, since ? after : NULL,
                                    since ? 8 : 0, walk_report, &w);
  if (st && st != FDX_FAILURE) {
    json_decref(w.list);
    return NULL;
  }
  return w.list;
}

json_t*
fdx_harvest_reports_newest(FdxTxn* const txn, const char* const source,
                           const uint64_t before, const size_t limit)
{
  /* Ids are dense (RUN_NEXT_KEY hands them out), so walk them down. */
  const void* val  = NULL;
  size_t      n    = 0;
  uint64_t    next = 1;
  FdxStatus   st   = fdx_aux_get(txn, SETTINGS_TABLE, RUN_NEXT_KEY,
                                 strlen(RUN_NEXT_KEY), &val, &n);
  if (!st && n == 8) {
    next = get_be64((const uint8_t*)val);
  } else if (st && st != FDX_FAILURE) {
    return NULL;
  }
  ReportWalk w = {source, json_array(), limit ? limit : 1};
  st           = FDX_SUCCESS;
  for (uint64_t id = (before && before < next ? before : next) - 1;
       id > 0 && !st; --id) {
    uint8_t key[8];
    put_be64(key, id);
    if (!(st = fdx_aux_get(txn, RUNS_TABLE, key, 8, &val, &n))) {
      st = walk_report(&w, key, 8, val, n);
    } else if (st == FDX_FAILURE) {
      st = FDX_SUCCESS; /* an id whose run never wrote its report */
    }
  }
  if (st && st != FDX_FAILURE) {
    json_decref(w.list);
    return NULL;
  }
  return w.list;
}

/* ------------------------------------------------------------------------
 * A run
 * --------------------------------------------------------------------- */

static bool
fetch_cancelled(void* const ctx)
{
  return run_cancelled((HarvestRun*)ctx);
}

/* libxml2 (OAI-PMH, sitemaps, HTML) wants its global state made once, in
 * one thread, before parsers run in several (serve --harvest-config). */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

FdxStatus
fdx_harvest_run(FdxStore* const store, const FdxSource* const source,
                const FdxRunOptions* const options, json_t** const ret_report,
                FdxError* const err)
{
  pthread_once(&xml_once, xmlInitParser);
  if (ret_report) {
    *ret_report = NULL;
  }
  HarvestRun* const run = (HarvestRun*)calloc(1, sizeof(HarvestRun));
  if (!run) {
    return FDX_ERR_NO_MEMORY;
  }
  run->store   = store;
  run->batch   = &run->batches[0];
  run->txn_records = BATCH_RECORDS;
  run->source  = source;
  run->options = options;
  run->base    = options && options->base ? options->base
                                          : "http://127.0.0.1:8080/";
  run->errors  = json_array();
  now_iso(run->started);
  /* Every field of a finished report, so a client reads a running one
   * the same way (counts start at 0; the end writes the real ones). */
  run->report = json_pack(
    "{s:I, s:s, s:s, s:s, s:n, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:n}", "id",
    (json_int_t)0, "source", source->name, "type",
    fdx_source_type_name(source->type), "started", run->started, "finished",
    "status", "running", "added", (json_int_t)0, "updated", (json_int_t)0,
    "unchanged", (json_int_t)0, "deleted", (json_int_t)0, "failed",
    (json_int_t)0, "pages", (json_int_t)0, "message");
  FdxStatus st = run->report && run->errors ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  /* An id, and a "running" report: a run that dies leaves a trace. */
  ReportJob job = {run, NULL, true};
  if (!st) {
    st = fdx_store_write(store, write_report, &job);
  }
  if (!st) {
    /* The last complete run of this source, for incremental listings. */
    FdxTxn* txn = NULL;
    if (!fdx_txn_begin(store, 0, &txn)) {
      json_t* const reports = fdx_harvest_reports(txn, source->name, 0,
                                                  (size_t)-1);
      size_t        i;
      const json_t* r;
      const char*   listed_all = NULL; /* the last complete listing's start */
      json_array_foreach(reports, i, r)
      {
        const char* const status =
          json_string_value(json_object_get(r, "status"));
        const char* const started =
          json_string_value(json_object_get(r, "started"));
        const char* const listing =
          json_string_value(json_object_get(r, "listing"));
        if (status && started && !strcmp(status, "complete") &&
            strlen(started) < sizeof(run->since)) {
          snprintf(run->since, sizeof(run->since), "%s", started);
          /* Reports older than the field are not known to have. */
          if (listing && !strcmp(listing, "complete")) {
            listed_all = started;
          }
        }
      }
      /* Deletions are seen only by listing everything: once the last
       * complete listing is old enough, this run is one. */
      if (run->since[0] &&
          !recent_enough(listed_all, source->complete_listing_s)) {
        run->since[0] = '\0';
      }
      json_decref(reports);
      fdx_txn_abort(txn);
    }
    snprintf(run->run_iri, sizeof(run->run_iri), "%sharvest/runs/%llu",
             run->base, (unsigned long long)run->id);
    json_object_set_new(run->report, "errors", json_incref(run->errors));
    st = save_report(run);
  }
  if (st) {
    fdx_error_set(err, st, NULL, 0, 0, "cannot start the run: %s",
                  fdx_strerror(st));
    json_decref(run->report);
    json_decref(run->errors);
    free(run);
    return st;
  }
  FdxFetchOptions fo;
  memset(&fo, 0, sizeof(fo));
  fo.timeout_s     = source->timeout_s;
  fo.max_bytes     = source->max_document_bytes;
  fo.allow_private = source->allow_private_addresses;
  fo.min_delay_ms  = source->min_delay_ms;
  fo.no_delay      = source->min_delay_ms == 0;
  fo.max_retries   = source->max_retries;
  fo.no_retries    = source->max_retries == 0;
  fo.ignore_robots = source->ignore_robots;
  fo.cancelled     = fetch_cancelled;
  fo.cancel_ctx    = run;
  const char* status = "failed";
  FdxStatus   ast    = fdx_fetcher_new(&fo, &run->fetcher);
  if (ast) {
    run_fail(run, "cannot start fetching: %s", fdx_strerror(ast));
  } else {
    switch (source->type) {
    case FDX_SOURCE_DCAT:
      ast = adapter_dcat(run);
      break;
    case FDX_SOURCE_FDP:
      ast = adapter_fdp(run);
      break;
    case FDX_SOURCE_SCHEMAORG:
      ast = adapter_schemaorg(run);
      break;
    case FDX_SOURCE_FOLDER:
      ast = adapter_folder(run);
      break;
    case FDX_SOURCE_CKAN:
      ast = adapter_ckan(run);
      break;
    case FDX_SOURCE_OAI_PMH:
      ast = adapter_oai_pmh(run);
      break;
    }
  }
  prefetch_join(run, false); /* a page the listing did not come to */
  /* Whatever the listing did, what it handed over is written. */
  FdxStatus fst = flush(run);
  if (!ast && !fst && !run_cancelled(run)) {
    if (run->incremental) {
      status = "complete"; /* only changes were listed: nothing to sweep */
    } else {
      fst = sweep(run, &status);
    }
  } else if (!run->message[0]) {
    run_fail(run, "%s", run_cancelled(run) ? "cancelled"
                                           : fdx_strerror(ast ? ast : fst));
  }
  char finished[32];
  now_iso(finished);
  json_object_set_new(run->report, "finished", json_string(finished));
  json_object_set_new(run->report, "status", json_string(status));
  json_object_set_new(run->report, "listing",
                      json_string(run->incremental ? "incremental"
                                                   : "complete"));
  json_object_set_new(run->report, "added", json_integer((json_int_t)run->added));
  json_object_set_new(run->report, "updated",
                      json_integer((json_int_t)run->updated));
  json_object_set_new(run->report, "unchanged",
                      json_integer((json_int_t)run->unchanged));
  json_object_set_new(run->report, "deleted",
                      json_integer((json_int_t)run->deleted));
  json_object_set_new(run->report, "failed",
                      json_integer((json_int_t)run->failed));
  json_object_set_new(run->report, "pages", json_integer((json_int_t)run->pages));
  json_object_set_new(run->report, "message",
                      run->message[0] ? json_string(run->message)
                                      : json_null());
  const FdxStatus sst = save_report(run);
  page_state_clear(run);
  batch_clear(&run->batches[0]); /* left by a failed store */
  batch_clear(&run->batches[1]);
  fdx_fetcher_free(run->fetcher);
  free(run->seen.keys);
  json_decref(run->errors);
  st = fst ? fst : sst;
  if (st) {
    fdx_error_set(err, st, source->name, 0, 0, "the store failed: %s",
                  fdx_strerror(st));
    json_decref(run->report);
  } else if (ret_report) {
    *ret_report = run->report;
  } else {
    json_decref(run->report);
  }
  free(run);
  return st;
}
