/*
 * test_vocab.c: the vocabulary layer (fairdex/vocab.h) through its public
 * API: the shipped vocabularies, SKOS imports with and without problems,
 * export and re-import round trips, curation edits with their integrity
 * checks, the history and revert.
 *
 * Run with no arguments it checks what needs no external data:
 *
 * - fdx_vocab_install() installs the seven schemes with the concept counts
 *   of the shipped files, once: a second call, or a scheme a curator
 *   dropped afterwards (its graph cleared and its registry entry deleted),
 *   changes nothing, also after the store is reopened;
 * - a small SKOS document written here with one concept for each problem
 *   the header names (two prefLabels in one language, also when one of
 *   them is stated twice; no prefLabel; empty and language-less labels; a
 *   broader cycle through three concepts, every one of which is on it) is
 *   refused as INVALID with the problems listed under exactly the right
 *   concept IRIs and nothing written; with force the other concepts come
 *   in and the problem concepts do not; an import replaces the scheme's
 *   graph, and reverting it restores the graph exactly;
 * - every shipped vocabulary survives export (Turtle, RDF/XML) and
 *   re-import into a fresh store as the same RDF graph;
 * - edits: schemes and concepts created, replaced under If-Match (a stale
 *   ETag is STALE), each integrity problem refused as INVALID with the
 *   problem listed and the store unchanged (language tags compared
 *   without case, as BCP 47 does), broader/narrower/related kept
 *   symmetric, deprecation with a replacement, hard deletion refused while
 *   a dataset uses the concept (directly or through a distribution's
 *   format) and allowed when unused, the history entries (who, action,
 *   the N-Quads removed and added), fdx_vocab_revert() restoring exactly
 *   the statements before the change, and the per-concept history that
 *   includes changes made through a linked concept.
 *
 * Run as `test_vocab --skosmos DIR` it imports every .ttl file of the
 * Skosmos test vocabularies (DIR is their test-vocab-data folder in the
 * external data; exit 77, skipped, when it is absent).  The table
 * `skosmos` below says, for each file, read from the file itself, which
 * concepts have which SKOS problems (as vocab.h lists them: links to
 * concepts a file does not describe are not among them); the files with
 * problems must be refused with nothing written and, forced, import the
 * other concepts only; the files without problems must import and survive
 * the same round trip as the shipped vocabularies.
 *
 * "The store unchanged" is checked on a snapshot: the generation, the
 * quad count, the whole store dumped as N-Quads, the registry and the
 * history.  Graphs are compared as RDF graphs: ground triples exactly,
 * triples with blank nodes up to a renaming of the blank nodes (colour
 * refinement, then a backtracking matcher; the graphs are small).
 */
#include "test_util.h"

#include "fairdex/rdf.h"
#include "fairdex/status.h"
#include "fairdex/store.h"
#include "fairdex/vocab.h"

#include <jansson.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SKOS FDX_VOCAB_SKOS
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT "http://purl.org/dc/terms/"
#define BASE "http://example.org/"
#define ANIMALS BASE "vocab/animals"
#define A_ ANIMALS "/"
#define EU "http://publications.europa.eu/resource/authority/"

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

typedef struct
{
  char*  data;
  size_t len;
  size_t cap;
} Buf;

static int
buf_write(void* const ctx, const char* const bytes, const size_t len)
{
  Buf* const b = (Buf*)ctx;
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + len + 1) {
      cap *= 2;
    }
    char* const grown = (char*)realloc(b->data, cap);
    REQUIRE(grown);
    b->data = grown;
    b->cap  = cap;
  }
  memcpy(b->data + b->len, bytes, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

static void
buf_puts(Buf* const b, const char* const s)
{
  buf_write(b, s, strlen(s));
}

static void
buf_free(Buf* const b)
{
  free(b->data);
  memset(b, 0, sizeof(*b));
}

/* Parse the JSON text `text` (the test's own: it must parse). */
static json_t*
J(const char* const text)
{
  json_error_t  err;
  json_t* const j = json_loads(text, 0, &err);
  if (!j) {
    fprintf(stderr, "test JSON does not parse: %s: %s\n", err.text, text);
    exit(1);
  }
  return j;
}

/* A fresh, empty store in the test's directory. */
static FdxStore*
fresh_store(const char* const name)
{
  return open_store(name, FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
}

static FdxId
iri_id(FdxTxn* const txn, const char* const iri)
{
  const FdxTerm t  = fdx_term_iri(iri);
  FdxId         id = FDX_ID_ANY;
  if (fdx_term_id(txn, &t, &id)) {
    return FDX_ID_ANY;
  }
  return id;
}

/* How many quads match; an absent IRI (FDX_ID_ANY from iri_id) given for
 * a position that must be bound makes the count 0. */
static uint64_t
count(FdxTxn* const txn,
      const FdxId   s,
      const FdxId   p,
      const FdxId   o,
      const FdxId   g)
{
  const FdxQuad q = { s, p, o, g };
  uint64_t      n = 0;
  CHECK_ST(fdx_quad_count(txn, &q, &n), FDX_SUCCESS);
  return n;
}

/* How many quads have the IRI `iri` as subject or object, in any graph. */
static uint64_t
mentions(FdxStore* const store, const char* const iri)
{
  FdxTxn* const txn = begin(store, 0);
  const FdxId   id  = iri_id(txn, iri);
  uint64_t      n   = 0;
  if (id != FDX_ID_ANY) {
    n = count(txn, id, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY) +
        count(txn, FDX_ID_ANY, FDX_ID_ANY, id, FDX_ID_ANY);
  }
  fdx_txn_abort(txn);
  return n;
}

/* Is the IRI typed skos:Concept in some graph? */
static bool
is_concept(FdxStore* const store, const char* const iri)
{
  FdxTxn* const txn = begin(store, 0);
  const FdxId   c   = iri_id(txn, iri);
  const FdxId   t   = iri_id(txn, RDF_TYPE);
  const FdxId   k   = iri_id(txn, SKOS "Concept");
  const bool    yes = c != FDX_ID_ANY && t != FDX_ID_ANY && k != FDX_ID_ANY &&
                   count(txn, c, t, k, FDX_ID_ANY) > 0;
  fdx_txn_abort(txn);
  return yes;
}

/* Report a result's outcome when it is not `want`. */
static void
check_outcome(const char* const           file,
              const int                   line,
              const FdxVocabResult* const r,
              const FdxVocabOutcome       want)
{
  if (r->outcome == want) {
    return;
  }
  char* const problems =
    r->problems ? json_dumps(r->problems, JSON_COMPACT) : NULL;
  char msg[1200];
  snprintf(msg,
           sizeof(msg),
           "outcome %d (%s: %s; problems %.600s), expected %d",
           (int)r->outcome,
           r->code,
           r->message,
           problems ? problems : "none",
           (int)want);
  free(problems);
  check_failed(file, line, msg);
}

#define CHECK_OUTCOME(r, want) check_outcome(__FILE__, __LINE__, &(r), (want))

/* Does the JSON string array `list` hold `text`? */
static bool
list_has(const json_t* const list, const char* const text)
{
  size_t        i;
  const json_t* item;
  json_array_foreach(list, i, item)
  {
    if (json_is_string(item) && !strcmp(json_string_value(item), text)) {
      return true;
    }
  }
  return false;
}

/* Does the edit problem list hold {"field": f..., "message": ...m...}?
 * `field` matches exactly, or as a prefix when it ends in '*'. */
static bool
has_problem(const json_t* const problems,
            const char* const   field,
            const char* const   message)
{
  const size_t  flen   = strlen(field);
  const bool    prefix = flen && field[flen - 1] == '*';
  size_t        i;
  const json_t* p;
  json_array_foreach(problems, i, p)
  {
    const char* const f = json_string_value(json_object_get(p, "field"));
    const char* const m = json_string_value(json_object_get(p, "message"));
    if (!f || !m) {
      continue;
    }
    const bool field_ok =
      prefix ? !strncmp(f, field, flen - 1) : !strcmp(f, field);
    if (field_ok && strstr(m, message)) {
      return true;
    }
  }
  return false;
}

#define CHECK_PROBLEM(r, field, message)                              \
  do {                                                                \
    if (!has_problem((r).problems, (field), (message))) {             \
      char* const all_ =                                              \
        (r).problems ? json_dumps((r).problems, JSON_COMPACT) : NULL; \
      char msg_[1200];                                                \
      snprintf(msg_,                                                  \
               sizeof(msg_),                                          \
               "no problem %s ~ \"%s\" in %.900s",                    \
               (field),                                               \
               (message),                                             \
               all_ ? all_ : "null");                                 \
      free(all_);                                                     \
      check_failed(__FILE__, __LINE__, msg_);                         \
    }                                                                 \
  } while (0)

/* ------------------------------------------------------------------------
 * Snapshots: is the store unchanged?
 * --------------------------------------------------------------------- */

typedef struct
{
  uint64_t generation;
  uint64_t quads;
  Buf      dump;     /* every quad as N-Quads, in index order */
  char*    registry; /* fdx_vocab_schemes() as JSON text */
  char*    history;  /* the whole history as JSON text */
} Snap;

static Snap
snap_take(FdxStore* const store)
{
  Snap snap;
  memset(&snap, 0, sizeof(snap));
  FdxTxn* const txn = begin(store, 0);
  FdxStoreStats stats;
  CHECK_ST(fdx_store_stats(txn, &stats), FDX_SUCCESS);
  snap.generation = stats.generation;
  snap.quads      = stats.quads;
  CHECK_ST(fdx_dump(txn, FDX_FORMAT_NQUADS, FDX_ID_ANY, buf_write, &snap.dump),
           FDX_SUCCESS);
  json_t* const schemes = fdx_vocab_schemes(txn);
  REQUIRE(schemes);
  snap.registry = json_dumps(schemes, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(schemes);
  FdxVocabResult r;
  memset(&r, 0, sizeof(r));
  fdx_vocab_history(txn, 0, 1000000, NULL, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  snap.history =
    r.body ? json_dumps(r.body, JSON_COMPACT | JSON_SORT_KEYS) : strdup("");
  fdx_vocab_result_clear(&r);
  fdx_txn_abort(txn);
  return snap;
}

static void
snap_free(Snap* const snap)
{
  buf_free(&snap->dump);
  free(snap->registry);
  free(snap->history);
  memset(snap, 0, sizeof(*snap));
}

/* Only the quads: the same generation-independent dump. */
static bool
snap_same_quads(const Snap* const a, const Snap* const b)
{
  return a->quads == b->quads && bytes_eq(a->dump.data ? a->dump.data : "",
                                          a->dump.len,
                                          b->dump.data ? b->dump.data : "",
                                          b->dump.len);
}

static void
check_unchanged(const char* const file,
                const int         line,
                FdxStore* const   store,
                const Snap* const before)
{
  Snap after = snap_take(store);
  if (after.generation != before->generation) {
    check_failed(file, line, "the store generation changed");
  }
  if (!snap_same_quads(before, &after)) {
    check_failed(file, line, "the quads changed");
  }
  if (strcmp(before->registry, after.registry)) {
    check_failed(file, line, "the scheme registry changed");
  }
  if (strcmp(before->history, after.history)) {
    check_failed(file, line, "the history changed");
  }
  snap_free(&after);
}

#define CHECK_UNCHANGED(store, snap) \
  check_unchanged(__FILE__, __LINE__, (store), &(snap))

/* ------------------------------------------------------------------------
 * Graphs compared as RDF graphs (blank nodes up to renaming)
 * --------------------------------------------------------------------- */

typedef struct
{
  char*  text[3];  /* N-Triples form of a ground term; NULL: a blank node */
  size_t blank[3]; /* the blank node's index in Graph.blanks */
} GTriple;

typedef struct
{
  GTriple* t;
  size_t   n;
  size_t   cap;
  FdxId*   blanks;
  size_t   n_blanks;
  size_t   cap_blanks;
} Graph;

static uint64_t
fnv(const void* const bytes, const size_t len, uint64_t h)
{
  const unsigned char* p = (const unsigned char*)bytes;
  for (size_t i = 0; i < len; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

static uint64_t
mix(const uint64_t h, const uint64_t v)
{
  return fnv(&v, sizeof(v), h);
}

static size_t
graph_blank(Graph* const g, const FdxId id)
{
  for (size_t i = 0; i < g->n_blanks; ++i) {
    if (g->blanks[i] == id) {
      return i;
    }
  }
  if (g->n_blanks == g->cap_blanks) {
    g->cap_blanks = g->cap_blanks ? 2 * g->cap_blanks : 16;
    g->blanks     = (FdxId*)realloc(g->blanks, g->cap_blanks * sizeof(FdxId));
    REQUIRE(g->blanks);
  }
  g->blanks[g->n_blanks] = id;
  return g->n_blanks++;
}

/* The triples of graph `graph` of the store `txn` reads. */
static void
graph_read(FdxTxn* const txn, const FdxId graph, Graph* const g)
{
  memset(g, 0, sizeof(*g));
  const FdxQuad pattern = { FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, graph };
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  REQUIRE(!fdx_quad_find(txn, &pattern, &it));
  while (!fdx_quad_iter_next(it, &q)) {
    if (g->n == g->cap) {
      g->cap = g->cap ? 2 * g->cap : 256;
      g->t   = (GTriple*)realloc(g->t, g->cap * sizeof(GTriple));
      REQUIRE(g->t);
    }
    GTriple* const t     = &g->t[g->n++];
    const FdxId    id[3] = { q.s, q.p, q.o };
    for (int k = 0; k < 3; ++k) {
      FdxTermBuf tb;
      REQUIRE(!fdx_term_get(txn, id[k], &tb));
      t->text[k]  = NULL;
      t->blank[k] = SIZE_MAX;
      if (tb.term.kind == FDX_TERM_BLANK) {
        t->blank[k] = graph_blank(g, id[k]);
      } else {
        Buf b = { 0 };
        CHECK_ST(fdx_write_term_nt(&tb.term, buf_write, &b), FDX_SUCCESS);
        t->text[k] = b.data ? b.data : strdup("");
      }
    }
  }
  fdx_quad_iter_free(it);
}

static void
graph_free(Graph* const g)
{
  for (size_t i = 0; i < g->n; ++i) {
    for (int k = 0; k < 3; ++k) {
      free(g->t[i].text[k]);
    }
  }
  free(g->t);
  free(g->blanks);
  memset(g, 0, sizeof(*g));
}

static bool
is_ground(const GTriple* const t)
{
  return t->text[0] && t->text[1] && t->text[2];
}

/* The triple as text, with blank node b written "_:m<map[b]>" (map NULL:
 * "_:m<b>"); NULL if a blank node is not mapped yet. */
static char*
triple_text(const GTriple* const t, const size_t* const map)
{
  Buf b = { 0 };
  for (int k = 0; k < 3; ++k) {
    if (t->text[k]) {
      buf_puts(&b, t->text[k]);
    } else {
      const size_t m = map ? map[t->blank[k]] : t->blank[k];
      if (m == SIZE_MAX) {
        buf_free(&b);
        return NULL;
      }
      char label[32];
      snprintf(label, sizeof(label), "_:m%zu", m);
      buf_puts(&b, label);
    }
    buf_puts(&b, k < 2 ? " " : " .");
  }
  return b.data;
}

static int
cmp_str(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static int
cmp_u64(const void* const a, const void* const b)
{
  const uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

/* One round of colour refinement: each blank node's new colour hashes its
 * colour with the sorted signatures of the triples it occurs in. */
static void
refine(const Graph* const g, const uint64_t* const colour, uint64_t* const next)
{
  uint64_t* sigs = (uint64_t*)malloc((3 * g->n + 1) * sizeof(uint64_t));
  REQUIRE(sigs);
  for (size_t x = 0; x < g->n_blanks; ++x) {
    size_t n = 0;
    for (size_t i = 0; i < g->n; ++i) {
      const GTriple* const t = &g->t[i];
      for (int pos = 0; pos < 3; ++pos) {
        if (t->text[pos] || t->blank[pos] != x) {
          continue;
        }
        uint64_t h = mix(0xcbf29ce484222325ull, (uint64_t)pos);
        for (int k = 0; k < 3; ++k) {
          if (t->text[k]) {
            h = fnv(t->text[k], strlen(t->text[k]), mix(h, 1));
          } else if (t->blank[k] == x) {
            h = mix(h, 2);
          } else {
            h = mix(mix(h, 3), colour[t->blank[k]]);
          }
        }
        sigs[n++] = h;
      }
    }
    qsort(sigs, n, sizeof(uint64_t), cmp_u64);
    uint64_t h = mix(0x84222325cbf29ce4ull, colour[x]);
    for (size_t i = 0; i < n; ++i) {
      h = mix(h, sigs[i]);
    }
    next[x] = h;
  }
  free(sigs);
}

static size_t
n_distinct(const uint64_t* const colour, const size_t n)
{
  uint64_t* sorted = (uint64_t*)malloc((n + 1) * sizeof(uint64_t));
  REQUIRE(sorted);
  memcpy(sorted, colour, n * sizeof(uint64_t));
  qsort(sorted, n, sizeof(uint64_t), cmp_u64);
  size_t d = 0;
  for (size_t i = 0; i < n; ++i) {
    d += i == 0 || sorted[i] != sorted[i - 1];
  }
  free(sorted);
  return d;
}

static bool
same_colours(const uint64_t* const a, const uint64_t* const b, const size_t n)
{
  uint64_t* x = (uint64_t*)malloc((n + 1) * sizeof(uint64_t));
  uint64_t* y = (uint64_t*)malloc((n + 1) * sizeof(uint64_t));
  REQUIRE(x && y);
  memcpy(x, a, n * sizeof(uint64_t));
  memcpy(y, b, n * sizeof(uint64_t));
  qsort(x, n, sizeof(uint64_t), cmp_u64);
  qsort(y, n, sizeof(uint64_t), cmp_u64);
  const bool same = !n || !memcmp(x, y, n * sizeof(uint64_t));
  free(x);
  free(y);
  return same;
}

typedef struct
{
  const Graph*    a;
  const Graph*    b;
  const uint64_t* ca;
  const uint64_t* cb;
  size_t*         map;   /* a's blank -> b's blank, SIZE_MAX: not yet */
  bool*           used;  /* b's blank taken */
  size_t*         order; /* a's blanks, in the order they are matched */
  char**          bset;  /* b's blank triples as text, sorted */
  size_t          nb;
  uint64_t        steps;
} Match;

/* Do a's triples with blank `x`, whose blanks are all mapped, map onto b's? */
static bool
consistent(const Match* const m, const size_t x)
{
  for (size_t i = 0; i < m->a->n; ++i) {
    const GTriple* const t = &m->a->t[i];
    if (is_ground(t) || !((!t->text[0] && t->blank[0] == x) ||
                          (!t->text[1] && t->blank[1] == x) ||
                          (!t->text[2] && t->blank[2] == x))) {
      continue;
    }
    char* const text = triple_text(t, m->map);
    if (!text) {
      continue;
    }
    const bool found =
      bsearch(&text, m->bset, m->nb, sizeof(char*), cmp_str) != NULL;
    free(text);
    if (!found) {
      return false;
    }
  }
  return true;
}

static bool
match_from(Match* const m, const size_t k)
{
  if (k == m->a->n_blanks) {
    return true;
  }
  const size_t x = m->order[k];
  for (size_t y = 0; y < m->b->n_blanks; ++y) {
    if (m->used[y] || m->cb[y] != m->ca[x]) {
      continue;
    }
    if (++m->steps > 2000000) {
      return false;
    }
    m->map[x]  = y;
    m->used[y] = true;
    if (consistent(m, x) && match_from(m, k + 1)) {
      return true;
    }
    m->used[y] = false;
    m->map[x]  = SIZE_MAX;
  }
  return false;
}

static const uint64_t* order_colours;

static int
cmp_by_class(const void* const pa, const void* const pb)
{
  /* order_colours holds (class size, colour) pairs per blank node */
  const size_t a = *(const size_t*)pa, b = *(const size_t*)pb;
  if (order_colours[2 * a] != order_colours[2 * b]) {
    return order_colours[2 * a] < order_colours[2 * b] ? -1 : 1;
  }
  if (order_colours[2 * a + 1] != order_colours[2 * b + 1]) {
    return order_colours[2 * a + 1] < order_colours[2 * b + 1] ? -1 : 1;
  }
  return a < b ? -1 : a > b;
}

/* Are `a` and `b` the same RDF graph?  If not, `why` says where. */
static bool
graph_iso(const Graph* const a,
          const Graph* const b,
          char* const        why,
          const size_t       why_size)
{
  bool ok = true;
  why[0]  = '\0';
  /* Ground triples: equal as sets. */
  size_t na = 0, nb = 0;
  char** ga = (char**)calloc(a->n + 1, sizeof(char*));
  char** gb = (char**)calloc(b->n + 1, sizeof(char*));
  REQUIRE(ga && gb);
  for (size_t i = 0; i < a->n; ++i) {
    if (is_ground(&a->t[i])) {
      ga[na++] = triple_text(&a->t[i], NULL);
    }
  }
  for (size_t i = 0; i < b->n; ++i) {
    if (is_ground(&b->t[i])) {
      gb[nb++] = triple_text(&b->t[i], NULL);
    }
  }
  qsort(ga, na, sizeof(char*), cmp_str);
  qsort(gb, nb, sizeof(char*), cmp_str);
  for (size_t i = 0, j = 0; ok && (i < na || j < nb);) {
    const int c = i == na ? 1 : j == nb ? -1 : strcmp(ga[i], gb[j]);
    if (c == 0) {
      ++i;
      ++j;
    } else {
      snprintf(why,
               why_size,
               "ground triple only in the %s graph: %.300s",
               c < 0 ? "first" : "second",
               c < 0 ? ga[i] : gb[j]);
      ok = false;
    }
  }
  for (size_t i = 0; i < na; ++i) {
    free(ga[i]);
  }
  for (size_t i = 0; i < nb; ++i) {
    free(gb[i]);
  }
  free(ga);
  free(gb);
  if (!ok) {
    return false;
  }
  /* Blank node triples: the same numbers, then an isomorphism. */
  const size_t ba = a->n - na, bb = b->n - nb;
  if (ba != bb || a->n_blanks != b->n_blanks) {
    snprintf(why,
             why_size,
             "%zu/%zu triples with blank nodes and %zu/%zu blank nodes",
             ba,
             bb,
             a->n_blanks,
             b->n_blanks);
    return false;
  }
  const size_t n = a->n_blanks;
  if (!n) {
    return true;
  }
  uint64_t* ca  = (uint64_t*)malloc(n * sizeof(uint64_t));
  uint64_t* cb  = (uint64_t*)malloc(n * sizeof(uint64_t));
  uint64_t* na2 = (uint64_t*)malloc(n * sizeof(uint64_t));
  uint64_t* nb2 = (uint64_t*)malloc(n * sizeof(uint64_t));
  REQUIRE(ca && cb && na2 && nb2);
  for (size_t i = 0; i < n; ++i) {
    ca[i] = cb[i] = 1;
  }
  size_t classes = 1;
  for (size_t round = 0; round <= n; ++round) {
    refine(a, ca, na2);
    refine(b, cb, nb2);
    memcpy(ca, na2, n * sizeof(uint64_t));
    memcpy(cb, nb2, n * sizeof(uint64_t));
    if (!same_colours(ca, cb, n)) {
      snprintf(why,
               why_size,
               "the blank nodes differ (colour refinement, round %zu)",
               round);
      ok = false;
      break;
    }
    const size_t d = n_distinct(ca, n);
    if (d == classes && round > 0) {
      break;
    }
    classes = d;
  }
  if (ok) {
    /* Match the blank nodes of the smallest classes first. */
    Match m;
    memset(&m, 0, sizeof(m));
    m.a            = a;
    m.b            = b;
    m.ca           = ca;
    m.cb           = cb;
    m.map          = (size_t*)malloc(n * sizeof(size_t));
    m.used         = (bool*)calloc(n, sizeof(bool));
    m.order        = (size_t*)malloc(n * sizeof(size_t));
    m.bset         = (char**)calloc(bb + 1, sizeof(char*));
    uint64_t* keys = (uint64_t*)malloc(2 * n * sizeof(uint64_t));
    REQUIRE(m.map && m.used && m.order && m.bset && keys);
    for (size_t i = 0; i < n; ++i) {
      size_t size = 0;
      for (size_t j = 0; j < n; ++j) {
        size += ca[j] == ca[i];
      }
      keys[2 * i]     = size;
      keys[2 * i + 1] = ca[i];
      m.map[i]        = SIZE_MAX;
      m.order[i]      = i;
    }
    order_colours = keys;
    qsort(m.order, n, sizeof(size_t), cmp_by_class);
    for (size_t i = 0; i < b->n; ++i) {
      if (!is_ground(&b->t[i])) {
        m.bset[m.nb++] = triple_text(&b->t[i], NULL);
      }
    }
    qsort(m.bset, m.nb, sizeof(char*), cmp_str);
    ok = match_from(&m, 0);
    if (!ok) {
      snprintf(why,
               why_size,
               "no mapping of the %zu blank nodes makes the graphs equal "
               "(%" PRIu64 " steps)",
               n,
               m.steps);
    }
    for (size_t i = 0; i < m.nb; ++i) {
      free(m.bset[i]);
    }
    free(m.bset);
    free(m.map);
    free(m.used);
    free(m.order);
    free(keys);
  }
  free(ca);
  free(cb);
  free(na2);
  free(nb2);
  return ok;
}

/* A self-check of graph_iso on hand-made graphs, so a matcher that always
 * says "equal" cannot pass the round trips. */
static void
test_graph_iso(void)
{
  static const char* const docs[][2] = {
    /* the same graph, blank nodes renamed and reordered: equal */
    { "_:a <http://e/p> _:b .\n_:b <http://e/p> _:c .\n_:c <http://e/q> \"x\" "
      ".\n",
      "_:z <http://e/q> \"x\" .\n_:y <http://e/p> _:z .\n_:x <http://e/p> _:y "
      ".\n" },
    /* a chain against a fork: not equal */
    { "_:a <http://e/p> _:b .\n_:b <http://e/p> _:c .\n",
      "_:a <http://e/p> _:b .\n_:a <http://e/p> _:c .\n" },
    /* two symmetric cycles (every colour the same): equal */
    { "_:a <http://e/p> _:b .\n_:b <http://e/p> _:a .\n_:c <http://e/p> _:d .\n"
      "_:d <http://e/p> _:c .\n",
      "_:w <http://e/p> _:x .\n_:y <http://e/p> _:z .\n_:z <http://e/p> _:y .\n"
      "_:x <http://e/p> _:w .\n" },
    /* a 4-cycle against two 2-cycles (colour refinement cannot tell): not
     * equal */
    { "_:a <http://e/p> _:b .\n_:b <http://e/p> _:a .\n_:c <http://e/p> _:d .\n"
      "_:d <http://e/p> _:c .\n",
      "_:a <http://e/p> _:b .\n_:b <http://e/p> _:c .\n_:c <http://e/p> _:d .\n"
      "_:d <http://e/p> _:a .\n" },
    /* a ground difference: not equal */
    { "<http://e/s> <http://e/p> \"1\" .\n",
      "<http://e/s> <http://e/p> \"2\" .\n" },
  };
  static const bool equal[] = { true, false, true, false, false };
  for (size_t i = 0; i < sizeof(equal) / sizeof(*equal); ++i) {
    Graph g[2];
    for (int k = 0; k < 2; ++k) {
      char name[32];
      snprintf(name, sizeof(name), "iso%zu-%d", i, k);
      FdxStore* const store = fresh_store(name);
      char            path[4200];
      snprintf(path, sizeof(path), "%s/%s.nt", tmp_root, name);
      FILE* const f = fopen(path, "w");
      REQUIRE(f);
      fputs(docs[i][k], f);
      fclose(f);
      FdxLoadOptions opts;
      memset(&opts, 0, sizeof(opts));
      FdxError err;
      memset(&err, 0, sizeof(err));
      CHECK_ST(fdx_load_file(store, path, &opts, NULL, &err), FDX_SUCCESS);
      FdxTxn* const txn = begin(store, 0);
      graph_read(txn, FDX_ID_DEFAULT_GRAPH, &g[k]);
      fdx_txn_abort(txn);
      fdx_store_free(store);
    }
    char       why[512];
    const bool same = graph_iso(&g[0], &g[1], why, sizeof(why));
    if (same != equal[i]) {
      fprintf(stderr, "graph_iso case %zu: %s\n", i, why);
    }
    CHECK(same == equal[i]);
    graph_free(&g[0]);
    graph_free(&g[1]);
  }
}

/* ------------------------------------------------------------------------
 * Import helpers
 * --------------------------------------------------------------------- */

static void
import_text(FdxStore* const       store,
            const char* const     text,
            const FdxFormat       format,
            const char* const     scheme,
            const bool            force,
            FdxVocabResult* const r)
{
  fdx_vocab_import(
    store, "tester", text, strlen(text), format, "test.ttl", scheme, force, r);
}

/* The problems the import result lists for `concept`, or NULL. */
static const json_t*
problems_of(const FdxVocabResult* const r, const char* const concept)
{
  size_t        i;
  const json_t* entry;
  json_array_foreach(r->problems, i, entry)
  {
    const char* const c = json_string_value(json_object_get(entry, "concept"));
    if (c && !strcmp(c, concept)) {
      return json_object_get(entry, "problems");
    }
  }
  return NULL;
}

/* Does one of the problems listed for `concept` contain one of the
 * '|'-separated alternatives of `want`? */
static bool
concept_has_problem(const FdxVocabResult* const r,
                    const char* const concept,
                    const char* const want)
{
  const json_t* const list = problems_of(r, concept);
  size_t              i;
  const json_t*       p;
  json_array_foreach(list, i, p)
  {
    const char* const text = json_string_value(p);
    for (const char* alt = want; text && alt;) {
      const char* const bar = strchr(alt, '|');
      const size_t      n   = bar ? (size_t)(bar - alt) : strlen(alt);
      char              needle[128];
      snprintf(needle, sizeof(needle), "%.*s", (int)n, alt);
      if (strstr(text, needle)) {
        return true;
      }
      alt = bar ? bar + 1 : NULL;
    }
  }
  return false;
}

typedef struct
{
  const char* concept;
  const char* problem; /* a part of the message; '|' separates choices */
} Bad;

/* Check that the import result lists exactly the concepts of `bad`, each
 * with its problem. */
static void
check_import_problems(const char* const           what,
                      const FdxVocabResult* const r,
                      const Bad* const            bad,
                      const size_t                n_bad)
{
  for (size_t i = 0; i < n_bad; ++i) {
    if (!concept_has_problem(r, bad[i].concept, bad[i].problem)) {
      const json_t* const list = problems_of(r, bad[i].concept);
      char* const         text = list ? json_dumps(list, JSON_COMPACT) : NULL;
      char                msg[1024];
      snprintf(msg,
               sizeof(msg),
               "%s: <%s> should have the problem \"%s\"; "
               "listed: %.500s",
               what,
               bad[i].concept,
               bad[i].problem,
               text ? text : "nothing");
      free(text);
      check_failed(__FILE__, __LINE__, msg);
    }
  }
  size_t        i;
  const json_t* entry;
  json_array_foreach(r->problems, i, entry)
  {
    const char* const c = json_string_value(json_object_get(entry, "concept"));
    bool              expected = false;
    for (size_t k = 0; k < n_bad && c; ++k) {
      expected = expected || !strcmp(c, bad[k].concept);
    }
    if (!expected) {
      char* const text = json_dumps(entry, JSON_COMPACT);
      char        msg[1024];
      snprintf(msg,
               sizeof(msg),
               "%s: unexpected problem %.800s",
               what,
               text ? text : "?");
      free(text);
      check_failed(__FILE__, __LINE__, msg);
    }
  }
  if (json_array_size(r->problems) != n_bad) {
    char msg[256];
    snprintf(msg,
             sizeof(msg),
             "%s: %zu concepts with problems, expected %zu",
             what,
             json_array_size(r->problems),
             n_bad);
    check_failed(__FILE__, __LINE__, msg);
  }
}

/* The IRIs typed skos:Concept in a document (a parse callback). */
typedef struct
{
  char** v;
  size_t n;
} Names;

static FdxStatus
collect_concepts(void* const          ctx,
                 const FdxTerm* const s,
                 const FdxTerm* const p,
                 const FdxTerm* const o,
                 const FdxTerm* const g)
{
  (void)g;
  Names* const names = (Names*)ctx;
  if (s->kind == FDX_TERM_IRI && p->value_len == strlen(RDF_TYPE) &&
      !memcmp(p->value, RDF_TYPE, p->value_len) && o->kind == FDX_TERM_IRI &&
      o->value_len == strlen(SKOS "Concept") &&
      !memcmp(o->value, SKOS "Concept", o->value_len)) {
    names->v = (char**)realloc(names->v, (names->n + 1) * sizeof(char*));
    REQUIRE(names->v);
    names->v[names->n++] = strndup(s->value, s->value_len);
  }
  return FDX_SUCCESS;
}

static void
names_free(Names* const names)
{
  for (size_t i = 0; i < names->n; ++i) {
    free(names->v[i]);
  }
  free(names->v);
  memset(names, 0, sizeof(*names));
}

/* After a forced import: every concept with a problem is absent from the
 * store (neither subject nor object anywhere); every other concept the
 * document types skos:Concept is in. */
static void
check_forced(const char* const           what,
             FdxStore* const             store,
             const FdxVocabResult* const r,
             const char* const           text,
             const size_t                len,
             const FdxFormat             format)
{
  size_t        i;
  const json_t* entry;
  json_array_foreach(r->problems, i, entry)
  {
    const char* const c = json_string_value(json_object_get(entry, "concept"));
    if (c && mentions(store, c)) {
      char msg[600];
      snprintf(
        msg, sizeof(msg), "%s: <%s> has problems but was imported", what, c);
      check_failed(__FILE__, __LINE__, msg);
    }
  }
  Names    names = { 0 };
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_parse_bytes(
             text, len, format, NULL, what, collect_concepts, &names, &err),
           FDX_SUCCESS);
  for (size_t k = 0; k < names.n; ++k) {
    if (problems_of(r, names.v[k])) {
      continue;
    }
    if (!is_concept(store, names.v[k])) {
      char msg[600];
      snprintf(msg,
               sizeof(msg),
               "%s: <%s> has no problem but was not "
               "imported",
               what,
               names.v[k]);
      check_failed(__FILE__, __LINE__, msg);
    }
  }
  names_free(&names);
  /* The schemes are registered, with their graphs. */
  FdxTxn* const txn     = begin(store, 0);
  json_t* const schemes = json_object_get(r->body, "schemes");
  CHECK(json_array_size(schemes) > 0);
  json_array_foreach(schemes, i, entry)
  {
    FdxId g = FDX_ID_ANY;
    CHECK_ST(fdx_vocab_scheme_find(
               txn, json_string_value(json_object_get(entry, "iri")), NULL, &g),
             FDX_SUCCESS);
    CHECK(g != FDX_ID_ANY);
  }
  fdx_txn_abort(txn);
}

/* Export graph `graph` of `a` as `format`, import it into a fresh store
 * (with `scheme` as the import scheme, as the first import had it), and
 * check that the scheme's graph there is the same RDF graph. */
static void
round_trip_graph(const char* const what,
                 FdxStore* const   a,
                 const char* const scheme_iri,
                 const char* const given,
                 const FdxFormat   format,
                 const char* const store_name)
{
  FdxTxn* txn   = begin(a, 0);
  FdxId   graph = FDX_ID_ANY;
  CHECK_ST(fdx_vocab_scheme_find(txn, scheme_iri, NULL, &graph), FDX_SUCCESS);
  Buf   out = { 0 };
  Graph ga;
  memset(&ga, 0, sizeof(ga));
  if (graph != FDX_ID_ANY) {
    CHECK_ST(fdx_dump(txn, format, graph, buf_write, &out), FDX_SUCCESS);
    graph_read(txn, graph, &ga);
  }
  fdx_txn_abort(txn);
  if (graph == FDX_ID_ANY) {
    /* An empty scheme graph: nothing to carry. */
    buf_free(&out);
    return;
  }
  FdxStore* const b = fresh_store(store_name);
  FdxVocabResult  r;
  memset(&r, 0, sizeof(r));
  fdx_vocab_import(b,
                   "tester",
                   out.data ? out.data : "",
                   out.len,
                   format,
                   what,
                   given,
                   false,
                   &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  if (r.outcome != FDX_VOCAB_OK) {
    fprintf(stderr,
            "%s (%s): the export does not import back\n",
            what,
            fdx_format_name(format));
  }
  fdx_vocab_result_clear(&r);
  txn          = begin(b, 0);
  FdxId graph2 = FDX_ID_ANY;
  CHECK_ST(fdx_vocab_scheme_find(txn, scheme_iri, NULL, &graph2), FDX_SUCCESS);
  Graph gb;
  memset(&gb, 0, sizeof(gb));
  if (graph2 != FDX_ID_ANY) {
    graph_read(txn, graph2, &gb);
  }
  fdx_txn_abort(txn);
  char why[512];
  if (!graph_iso(&ga, &gb, why, sizeof(why))) {
    char msg[900];
    snprintf(msg,
             sizeof(msg),
             "%s: <%s> through %s is not the same graph "
             "(%zu and %zu triples): %s",
             what,
             scheme_iri,
             fdx_format_name(format),
             ga.n,
             gb.n,
             why);
    check_failed(__FILE__, __LINE__, msg);
  }
  CHECK(ga.n > 0);
  graph_free(&ga);
  graph_free(&gb);
  buf_free(&out);
  fdx_store_free(b);
}

/* Round-trip every scheme graph of `store` through Turtle and RDF/XML. */
static void
round_trip_store(const char* const what,
                 FdxStore* const   store,
                 const char* const given)
{
  FdxTxn* const txn     = begin(store, 0);
  json_t* const schemes = fdx_vocab_schemes(txn);
  fdx_txn_abort(txn);
  REQUIRE(schemes);
  size_t        i;
  const json_t* s;
  json_array_foreach(schemes, i, s)
  {
    const char* const      iri = json_string_value(json_object_get(s, "iri"));
    static const FdxFormat formats[2] = { FDX_FORMAT_TURTLE,
                                          FDX_FORMAT_RDFXML };
    for (int k = 0; k < 2; ++k) {
      static unsigned n_stores = 0;
      char            name[64];
      snprintf(name, sizeof(name), "rt-%u", n_stores++);
      char label[300];
      snprintf(label,
               sizeof(label),
               "%s [%s]",
               what,
               json_string_value(json_object_get(s, "id")));
      round_trip_graph(label, store, iri, given, formats[k], name);
    }
  }
  json_decref(schemes);
}

/* ------------------------------------------------------------------------
 * The shipped vocabularies
 * --------------------------------------------------------------------- */

static void
test_install(void)
{
  FdxStore* store     = fresh_store("install");
  bool      installed = false;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_vocab_install(store, BASE, &installed, &err), FDX_SUCCESS);
  CHECK(installed);

  static const struct
  {
    const char* id;
    const char* iri;
    int         concepts;
  } want[] = {
    { "access-right", EU "access-right", 2 },
    { "data-theme", EU "data-theme", 14 },
    { "file-type", EU "file-type", 197 },
    { "frequency", EU "frequency", 23 },
    { "health-category", BASE "vocab/health-category", 0 },
    { "language", EU "language", 399 },
    { "licence", EU "licence", 47 },
  };
  const size_t n_want = sizeof(want) / sizeof(*want);
  FdxTxn*      txn    = begin(store, 0);
  json_t*      list   = fdx_vocab_schemes(txn);
  REQUIRE(list);
  CHECK(json_array_size(list) == n_want);
  for (size_t k = 0; k < n_want; ++k) {
    bool          found = false;
    size_t        i;
    const json_t* s;
    json_array_foreach(list, i, s)
    {
      if (strcmp(json_string_value(json_object_get(s, "id")), want[k].id)) {
        continue;
      }
      found = true;
      CHECK(!strcmp(json_string_value(json_object_get(s, "iri")), want[k].iri));
      if (json_integer_value(json_object_get(s, "concepts")) !=
          want[k].concepts) {
        fprintf(stderr,
                "%s: %lld concepts, expected %d\n",
                want[k].id,
                (long long)json_integer_value(json_object_get(s, "concepts")),
                want[k].concepts);
      }
      CHECK(json_integer_value(json_object_get(s, "concepts")) ==
            want[k].concepts);
      CHECK(json_is_true(json_object_get(s, "shipped")));
    }
    if (!found) {
      fprintf(stderr, "scheme %s is not installed\n", want[k].id);
    }
    CHECK(found);
  }
  json_decref(list);

  /* A concept reads back with its labels. */
  FdxVocabResult r;
  memset(&r, 0, sizeof(r));
  fdx_vocab_concept_get(txn, "data-theme", "HEAL", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(!strcmp(json_string_value(json_object_get(r.body, "iri")),
                EU "data-theme/HEAL"));
  CHECK(!strcmp(json_string_value(
                  json_object_get(json_object_get(r.body, "prefLabel"), "en")),
                "Health"));
  CHECK(r.etag[0] == '"');
  fdx_vocab_result_clear(&r);
  fdx_vocab_concept_get(txn, EU "file-type", EU "file-type/CSV", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  fdx_vocab_scheme_get(txn, "health-category", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(json_array_size(json_object_get(r.body, "topConcepts")) == 0);
  CHECK(!strcmp(
    json_string_value(json_object_get(json_object_get(r.body, "title"), "en")),
    "Health categories"));
  fdx_vocab_result_clear(&r);
  fdx_vocab_scheme_get(txn, "data-theme", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(json_array_size(json_object_get(r.body, "topConcepts")) == 14);
  fdx_vocab_result_clear(&r);
  fdx_txn_abort(txn);

  /* A second call does nothing. */
  Snap before = snap_take(store);
  installed   = true;
  CHECK_ST(fdx_vocab_install(store, BASE, &installed, &err), FDX_SUCCESS);
  CHECK(!installed);
  CHECK_ST(fdx_vocab_install(store, "http://other.example/", NULL, &err),
           FDX_SUCCESS);
  CHECK_UNCHANGED(store, before);
  snap_free(&before);

  /* A curator drops the licence scheme (its graph and its registry
   * entry): it does not come back, not even after a reopen. */
  FdxTxn* w     = begin(store, FDX_TXN_WRITE);
  FdxId   graph = FDX_ID_ANY;
  CHECK_ST(fdx_vocab_scheme_find(w, "licence", NULL, &graph), FDX_SUCCESS);
  CHECK(graph != FDX_ID_ANY);
  uint64_t removed = 0;
  CHECK_ST(fdx_graph_clear(w, graph, &removed), FDX_SUCCESS);
  CHECK(removed > 0);
  CHECK_ST(fdx_aux_del(w, "vocab_schemes", "licence", strlen("licence")),
           FDX_SUCCESS);
  CHECK_ST(fdx_txn_commit(w), FDX_SUCCESS);
  before = snap_take(store);
  CHECK_ST(fdx_vocab_install(store, BASE, &installed, &err), FDX_SUCCESS);
  CHECK(!installed);
  CHECK_UNCHANGED(store, before);
  fdx_store_free(store);
  store = open_store("install", FDX_STORE_NO_SYNC, 0, 0);
  CHECK_ST(fdx_vocab_install(store, BASE, &installed, &err), FDX_SUCCESS);
  CHECK(!installed);
  CHECK_UNCHANGED(store, before);
  txn = begin(store, 0);
  CHECK_ST(fdx_vocab_scheme_find(txn, "licence", NULL, NULL), FDX_FAILURE);
  CHECK_ST(fdx_vocab_scheme_find(txn, EU "licence", NULL, NULL), FDX_FAILURE);
  list = fdx_vocab_schemes(txn);
  CHECK(json_array_size(list) == n_want - 1);
  json_decref(list);
  fdx_txn_abort(txn);
  snap_free(&before);
  fdx_store_free(store);
}

/* Every shipped vocabulary, exported and imported into a fresh store, is
 * the same graph. */
static void
test_shipped_round_trip(void)
{
  FdxStore* const store = fresh_store("shipped-rt");
  FdxError        err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_vocab_install(store, BASE, NULL, &err), FDX_SUCCESS);
  round_trip_store("shipped", store, NULL);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * An import with one concept per SKOS problem
 * --------------------------------------------------------------------- */

#define EX "http://example.org/inline/"

static const char problems_ttl[] =
  "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
  "@prefix ex: <" EX "> .\n"
  "ex:scheme a skos:ConceptScheme ; skos:prefLabel \"Inline\"@en .\n"
  "ex:good a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"Good\"@en ; skos:narrower ex:good2 .\n"
  "ex:good2 a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"Good two\"@en, \"Gut zwei\"@de ; skos:broader ex:good .\n"
  "ex:user a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"Uses good\"@en ; skos:related ex:good .\n"
  "ex:twopref a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"One\"@en, \"Two\"@en, \"Eins\"@de .\n"
  /* the same label twice (a repeated statement) and another one */
  "ex:twice a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"Same\"@en, \"Same\"@en, \"Other\"@en .\n"
  "ex:nopref a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:altLabel \"Only an alternative\"@en .\n"
  "ex:emptypref a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"\"@en .\n"
  "ex:emptyalt a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"Empty alt\"@en ; skos:altLabel \"   \"@en .\n"
  "ex:nolang a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"No language\" .\n"
  /* A, B and C are all on the cycle A -> B -> C -> A; A's first link
   * (to C) closes the shorter cycle A -> C -> A first. */
  "ex:cycA a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"A\"@en ; skos:broader ex:cycC, ex:cycB .\n"
  "ex:cycB a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"B\"@en ; skos:broader ex:cycC .\n"
  "ex:cycC a skos:Concept ; skos:inScheme ex:scheme ;\n"
  "  skos:prefLabel \"C\"@en ; skos:broader ex:cycA .\n";

static const Bad problems_bad[] = {
  { EX "twopref", "two prefLabels in one language" },
  { EX "twice", "two prefLabels in one language" },
  { EX "nopref", "no prefLabel" },
  { EX "emptypref", "empty prefLabel" },
  { EX "emptyalt", "empty altLabel" },
  { EX "nolang", "without a language" },
  { EX "cycA", "broader cycle" },
  { EX "cycB", "broader cycle" },
  { EX "cycC", "broader cycle" },
};

static void
test_import_problems(void)
{
  FdxStore* const store = fresh_store("import-problems");
  const size_t    n_bad = sizeof(problems_bad) / sizeof(*problems_bad);
  FdxVocabResult  r;
  memset(&r, 0, sizeof(r));

  Snap before = snap_take(store);
  import_text(store, problems_ttl, FDX_FORMAT_TURTLE, NULL, false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_INVALID);
  CHECK(r.change == 0);
  check_import_problems("inline", &r, problems_bad, n_bad);
  CHECK_UNCHANGED(store, before);
  snap_free(&before);
  CHECK(!mentions(store, EX "good"));
  fdx_vocab_result_clear(&r);

  /* With force: the other concepts come in, the problem ones do not. */
  import_text(store, problems_ttl, FDX_FORMAT_TURTLE, NULL, true, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(r.change > 0);
  check_import_problems("inline --force", &r, problems_bad, n_bad);
  CHECK(json_integer_value(json_object_get(r.body, "concepts")) == 3);
  CHECK(json_integer_value(json_object_get(r.body, "skipped_concepts")) ==
        (json_int_t)n_bad);
  check_forced(
    "inline", store, &r, problems_ttl, strlen(problems_ttl), FDX_FORMAT_TURTLE);
  fdx_vocab_result_clear(&r);
  FdxTxn* txn = begin(store, 0);
  fdx_vocab_concept_get(txn, "scheme", "good", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(list_has(json_object_get(r.body, "narrower"), EX "good2"));
  fdx_vocab_result_clear(&r);
  fdx_vocab_concept_get(txn, "scheme", "user", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(list_has(json_object_get(r.body, "related"), EX "good"));
  fdx_vocab_result_clear(&r);
  fdx_vocab_concept_get(txn, "scheme", "cycB", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_NOT_FOUND);
  fdx_vocab_result_clear(&r);
  fdx_txn_abort(txn);

  /* Schemes: a document without one needs --scheme. */
  static const char no_scheme[] =
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    "<http://example.org/loose/a> a skos:Concept ; skos:prefLabel \"A\"@en .\n";
  before = snap_take(store);
  import_text(store, no_scheme, FDX_FORMAT_TURTLE, NULL, false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_INVALID);
  CHECK(!strcmp(r.code, "no_scheme"));
  CHECK_UNCHANGED(store, before);
  fdx_vocab_result_clear(&r);
  import_text(store, no_scheme, FDX_FORMAT_TURTLE, "not an IRI", false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_BAD_INPUT);
  CHECK_UNCHANGED(store, before);
  fdx_vocab_result_clear(&r);
  import_text(store, "@prefix broken", FDX_FORMAT_TURTLE, NULL, false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_BAD_INPUT);
  CHECK_UNCHANGED(store, before);
  fdx_vocab_result_clear(&r);
  snap_free(&before);
  import_text(
    store, no_scheme, FDX_FORMAT_TURTLE, "http://example.org/loose", false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  txn = begin(store, 0);
  fdx_vocab_concept_get(txn, "http://example.org/loose", "a", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

/* An import replaces the scheme's graph, as one history entry that a
 * revert undoes exactly. */
static void
test_import_replace_revert(void)
{
  FdxStore* const   store = fresh_store("import-replace");
  static const char v1[] =
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    "@prefix ex: <http://example.org/colours/> .\n"
    "ex:colours a skos:ConceptScheme ; skos:prefLabel \"Colours\"@en .\n"
    "ex:red a skos:Concept ; skos:inScheme ex:colours ;\n"
    "  skos:prefLabel \"Red\"@en ; skos:notation \"R\" .\n"
    "ex:blue a skos:Concept ; skos:inScheme ex:colours ;\n"
    "  skos:prefLabel \"Blue\"@en ; skos:note [ skos:prefLabel \"x\"@en ] .\n";
  static const char v2[] =
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    "@prefix ex: <http://example.org/colours/> .\n"
    "ex:colours a skos:ConceptScheme ; skos:prefLabel \"Colours\"@en .\n"
    "ex:red a skos:Concept ; skos:inScheme ex:colours ;\n"
    "  skos:prefLabel \"Crimson\"@en .\n"
    "ex:green a skos:Concept ; skos:inScheme ex:colours ;\n"
    "  skos:prefLabel \"Green\"@en .\n";
  FdxVocabResult r;
  memset(&r, 0, sizeof(r));
  import_text(store, v1, FDX_FORMAT_TURTLE, NULL, false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const uint64_t first = r.change;
  CHECK(first > 0);
  CHECK(json_integer_value(json_object_get(r.body, "concepts")) == 2);
  fdx_vocab_result_clear(&r);
  Snap after_v1 = snap_take(store);

  import_text(store, v2, FDX_FORMAT_TURTLE, NULL, false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const uint64_t second = r.change;
  CHECK(second > first);
  fdx_vocab_result_clear(&r);
  CHECK(!mentions(store, "http://example.org/colours/blue"));
  CHECK(is_concept(store, "http://example.org/colours/green"));

  FdxTxn* txn = begin(store, 0);
  fdx_vocab_history(txn, first, 10, NULL, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const json_t* changes = json_object_get(r.body, "changes");
  CHECK(json_array_size(changes) == 1);
  const json_t* entry = json_array_get(changes, 0);
  CHECK(json_integer_value(json_object_get(entry, "id")) == (json_int_t)second);
  CHECK(!strcmp(json_string_value(json_object_get(entry, "action")), "import"));
  CHECK(!strcmp(json_string_value(json_object_get(entry, "who")), "tester"));
  CHECK(list_has(json_object_get(entry, "removed"),
                 "<http://example.org/colours/red> "
                 "<http://www.w3.org/2004/02/skos/core#prefLabel> \"Red\"@en "
                 "<http://example.org/colours/colours> ."));
  CHECK(list_has(json_object_get(entry, "added"),
                 "<http://example.org/colours/red> "
                 "<http://www.w3.org/2004/02/skos/core#prefLabel> "
                 "\"Crimson\"@en <http://example.org/colours/colours> ."));
  fdx_vocab_result_clear(&r);
  fdx_txn_abort(txn);

  fdx_vocab_revert(store, "reverter", second, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  Snap now = snap_take(store);
  CHECK(snap_same_quads(&after_v1, &now));
  snap_free(&now);
  snap_free(&after_v1);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * Edits
 * --------------------------------------------------------------------- */

/* Read concept `c` of `scheme`: its JSON (new) and ETag. */
static json_t*
get_concept(FdxStore* const   store,
            const char* const scheme,
            const char* const c,
            char              etag[FDX_VOCAB_ETAG_MAX])
{
  FdxTxn* const  txn = begin(store, 0);
  FdxVocabResult r;
  memset(&r, 0, sizeof(r));
  fdx_vocab_concept_get(txn, scheme, c, &r);
  fdx_txn_abort(txn);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  if (etag) {
    snprintf(etag, FDX_VOCAB_ETAG_MAX, "%s", r.etag);
  }
  json_t* const body = json_incref(r.body);
  fdx_vocab_result_clear(&r);
  return body ? body : json_object();
}

static FdxVocabOutcome
concept_outcome(FdxStore* const   store,
                const char* const scheme,
                const char* const c)
{
  FdxTxn* const  txn = begin(store, 0);
  FdxVocabResult r;
  memset(&r, 0, sizeof(r));
  fdx_vocab_concept_get(txn, scheme, c, &r);
  fdx_txn_abort(txn);
  const FdxVocabOutcome out = r.outcome;
  fdx_vocab_result_clear(&r);
  return out;
}

/* The history entry `id` (new), or NULL. */
static json_t*
history_entry(FdxStore* const store, const uint64_t id)
{
  FdxTxn* const  txn = begin(store, 0);
  FdxVocabResult r;
  memset(&r, 0, sizeof(r));
  fdx_vocab_history(txn, id - 1, 1, NULL, &r);
  fdx_txn_abort(txn);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  json_t* entry = json_array_get(json_object_get(r.body, "changes"), 0);
  if (entry &&
      json_integer_value(json_object_get(entry, "id")) != (json_int_t)id) {
    entry = NULL;
  }
  json_incref(entry);
  fdx_vocab_result_clear(&r);
  return entry;
}

/* Is history entry `id` in the history of concept `c`? */
static bool
in_concept_history(FdxStore* const   store,
                   const char* const scheme,
                   const char* const c,
                   const uint64_t    id)
{
  FdxTxn* const  txn = begin(store, 0);
  FdxVocabResult r;
  memset(&r, 0, sizeof(r));
  fdx_vocab_concept_history(txn, scheme, c, 0, 1000, &r);
  fdx_txn_abort(txn);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  bool          found = false;
  size_t        i;
  const json_t* e;
  json_array_foreach(json_object_get(r.body, "changes"), i, e)
  {
    found =
      found || json_integer_value(json_object_get(e, "id")) == (json_int_t)id;
  }
  fdx_vocab_result_clear(&r);
  return found;
}

/* Add the N-Quads `nq` to the store, outside the vocabulary API. */
typedef struct
{
  FdxTxn* txn;
} AddCtx;

static FdxStatus
add_statement(void* const          ctx,
              const FdxTerm* const s,
              const FdxTerm* const p,
              const FdxTerm* const o,
              const FdxTerm* const g)
{
  FdxTxn* const txn = ((AddCtx*)ctx)->txn;
  FdxQuad       q   = { 0, 0, 0, FDX_ID_DEFAULT_GRAPH };
  REQUIRE(!fdx_term_intern(txn, s, &q.s));
  REQUIRE(!fdx_term_intern(txn, p, &q.p));
  REQUIRE(!fdx_term_intern(txn, o, &q.o));
  if (g) {
    REQUIRE(!fdx_term_intern(txn, g, &q.g));
  }
  const FdxStatus st = fdx_quad_add(txn, &q);
  REQUIRE(st == FDX_SUCCESS || st == FDX_FAILURE);
  return FDX_SUCCESS;
}

static void
add_nquads(FdxStore* const store, const char* const nq)
{
  AddCtx   ctx = { begin(store, FDX_TXN_WRITE) };
  FdxError err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_parse_bytes(nq,
                           strlen(nq),
                           FDX_FORMAT_NQUADS,
                           NULL,
                           "test",
                           add_statement,
                           &ctx,
                           &err),
           FDX_SUCCESS);
  CHECK_ST(fdx_txn_commit(ctx.txn), FDX_SUCCESS);
}

#define NQ_SKOS(p) "<http://www.w3.org/2004/02/skos/core#" p ">"
#define NQ_G " <" ANIMALS "> ."

static void
edit_create(FdxStore* const       store,
            const char* const     json,
            FdxVocabResult* const r)
{
  json_t* const j = J(json);
  fdx_vocab_concept_create(store, "alice", "animals", j, r);
  json_decref(j);
}

static void
edit_replace(FdxStore* const       store,
             const char* const     c,
             const char* const     if_match,
             const char* const     json,
             FdxVocabResult* const r)
{
  json_t* const j = J(json);
  fdx_vocab_concept_replace(store, "bob", "animals", c, if_match, j, r);
  json_decref(j);
}

/* An edit that must be refused with `want`, leaving the store unchanged;
 * the result stays in `r` for the caller to look at. */
#define REFUSED(store, want, r, call)  \
  do {                                 \
    Snap before_ = snap_take(store);   \
    call;                              \
    CHECK_OUTCOME((r), (want));        \
    CHECK((r).change == 0);            \
    CHECK_UNCHANGED((store), before_); \
    snap_free(&before_);               \
  } while (0)

static void
test_edits(void)
{
  FdxStore* const store = fresh_store("edits");
  FdxVocabResult  r;
  memset(&r, 0, sizeof(r));

  /* --- schemes --- */
  json_t* j = J("{\"id\": \"animals\", \"title\": {\"en\": \"Animals\", "
                "\"de\": \"Tiere\"}}");
  fdx_vocab_scheme_create(store, "alice", BASE, j, &r);
  json_decref(j);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  CHECK(r.change > 0);
  CHECK(!strcmp(json_string_value(json_object_get(r.body, "iri")), ANIMALS));
  CHECK(!strcmp(json_string_value(json_object_get(r.body, "id")), "animals"));
  fdx_vocab_result_clear(&r);

  j = J("{\"id\": \"animals\"}");
  REFUSED(store,
          FDX_VOCAB_CONFLICT,
          r,
          fdx_vocab_scheme_create(store, "alice", BASE, j, &r));
  json_decref(j);
  fdx_vocab_result_clear(&r);
  j = J("{\"id\": \"other\", \"iri\": \"" ANIMALS "\"}");
  REFUSED(store,
          FDX_VOCAB_CONFLICT,
          r,
          fdx_vocab_scheme_create(store, "alice", BASE, j, &r));
  json_decref(j);
  fdx_vocab_result_clear(&r);
  j = J("{\"id\": \"bad id!\", \"iri\": \"no iri\", \"title\": {\"e n\": "
        "\"x\"}}");
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          fdx_vocab_scheme_create(store, "alice", BASE, j, &r));
  CHECK_PROBLEM(r, "id", "id");
  CHECK_PROBLEM(r, "iri", "IRI");
  CHECK_PROBLEM(r, "title*", "language tag");
  json_decref(j);
  fdx_vocab_result_clear(&r);
  j = J("{\"id\": \"plants\", \"colour\": \"green\"}");
  REFUSED(store,
          FDX_VOCAB_BAD_INPUT,
          r,
          fdx_vocab_scheme_create(store, "alice", BASE, j, &r));
  json_decref(j);
  fdx_vocab_result_clear(&r);

  /* --- concepts, and symmetric links --- */
  edit_create(store,
              "{\"id\": \"mammal\", \"prefLabel\": {\"en\": \"Mammal\", "
              "\"de\": \"S\xc3\xa4ugetier\"}, \"notation\": \"M\"}",
              &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  CHECK(
    !strcmp(json_string_value(json_object_get(r.body, "iri")), A_ "mammal"));
  CHECK(!strcmp(json_string_value(json_object_get(r.body, "id")), "mammal"));
  CHECK(json_integer_value(json_object_get(r.body, "usage")) == 0);
  CHECK(r.etag[0] == '"');
  const uint64_t mammal_created = r.change;
  CHECK(mammal_created > 0);
  fdx_vocab_result_clear(&r);

  json_t* e = history_entry(store, mammal_created);
  REQUIRE(e);
  CHECK(!strcmp(json_string_value(json_object_get(e, "action")), "create"));
  CHECK(!strcmp(json_string_value(json_object_get(e, "who")), "alice"));
  CHECK(!strcmp(json_string_value(json_object_get(e, "concept")), A_ "mammal"));
  CHECK(!strcmp(json_string_value(json_object_get(e, "scheme")), ANIMALS));
  CHECK(json_array_size(json_object_get(e, "removed")) == 0);
  CHECK(list_has(json_object_get(e, "added"),
                 "<" A_ "mammal> " NQ_SKOS("prefLabel") " \"Mammal\"@en" NQ_G));
  CHECK(list_has(json_object_get(e, "added"),
                 "<" A_ "mammal> <" RDF_TYPE "> " NQ_SKOS("Concept") NQ_G));
  CHECK(list_has(json_object_get(e, "added"),
                 "<" A_ "mammal> " NQ_SKOS("notation") " \"M\"" NQ_G));
  json_decref(e);

  edit_create(store,
              "{\"id\": \"dog\", \"prefLabel\": {\"en\": \"Dog\"}, "
              "\"broader\": [\"mammal\"]}",
              &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  const uint64_t dog_created = r.change;
  fdx_vocab_result_clear(&r);
  e = history_entry(store, dog_created);
  REQUIRE(e);
  CHECK(list_has(json_object_get(e, "added"),
                 "<" A_ "mammal> " NQ_SKOS("narrower") " <" A_ "dog>" NQ_G));
  CHECK(list_has(json_object_get(e, "added"),
                 "<" A_ "dog> " NQ_SKOS("broader") " <" A_ "mammal>" NQ_G));
  json_decref(e);

  edit_create(store,
              "{\"id\": \"cat\", \"prefLabel\": {\"en\": \"Cat\"}, "
              "\"broader\": [\"" A_ "mammal\"], \"related\": [\"dog\"]}",
              &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  const uint64_t cat_created = r.change;
  fdx_vocab_result_clear(&r);

  json_t* c = get_concept(store, "animals", "mammal", NULL);
  CHECK(list_has(json_object_get(c, "narrower"), A_ "dog"));
  CHECK(list_has(json_object_get(c, "narrower"), A_ "cat"));
  CHECK(json_array_size(json_object_get(c, "broader")) == 0);
  json_decref(c);
  c = get_concept(store, "animals", "dog", NULL);
  CHECK(list_has(json_object_get(c, "related"), A_ "cat"));
  CHECK(list_has(json_object_get(c, "broader"), A_ "mammal"));
  json_decref(c);

  /* The history of a concept includes changes made through the concepts
   * that link to it. */
  CHECK(in_concept_history(store, "animals", "mammal", mammal_created));
  CHECK(in_concept_history(store, "animals", "mammal", dog_created));
  CHECK(in_concept_history(store, "animals", "mammal", cat_created));
  CHECK(in_concept_history(store, "animals", "dog", cat_created));
  CHECK(!in_concept_history(store, "animals", "dog", mammal_created));
  CHECK(!in_concept_history(store, "animals", "cat", dog_created));

  /* The scheme: mammal is its only top concept. */
  FdxTxn* txn = begin(store, 0);
  fdx_vocab_scheme_get(txn, "animals", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(json_integer_value(json_object_get(r.body, "concepts")) == 3);
  CHECK(json_array_size(json_object_get(r.body, "topConcepts")) == 1);
  fdx_vocab_result_clear(&r);
  fdx_txn_abort(txn);

  /* --- create refused --- */
  REFUSED(store,
          FDX_VOCAB_CONFLICT,
          r,
          edit_create(store,
                      "{\"id\": \"dog\", \"prefLabel\": {\"en\": "
                      "\"Dog again\"}}",
                      &r));
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_BAD_INPUT,
          r,
          edit_create(store,
                      "{\"id\": \"x\", \"prefLabel\": {\"en\": "
                      "\"X\"}, \"colour\": \"red\"}",
                      &r));
  fdx_vocab_result_clear(&r);
  REFUSED(store, FDX_VOCAB_BAD_INPUT, r, edit_create(store, "[1, 2]", &r));
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_create(store,
                      "{\"iri\": \"not an iri\", \"prefLabel\": "
                      "{\"en\": \"X\"}}",
                      &r));
  CHECK_PROBLEM(r, "iri", "not a valid IRI");
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_create(store, "{\"prefLabel\": {\"en\": \"X\"}}", &r));
  CHECK_PROBLEM(r, "id", "id");
  fdx_vocab_result_clear(&r);
  /* Read-only fields (vocab.h, fdx_vocab_concept_create): "usage" is
   * ignored, "deprecated" and "replacedBy" may only repeat the state. */
  Snap before;
  edit_create(store,
              "{\"id\": \"ro\", \"prefLabel\": {\"en\": \"RO\"}, "
              "\"usage\": 7, \"deprecated\": false, \"replacedBy\": []}",
              &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  CHECK(json_integer_value(json_object_get(r.body, "usage")) == 0);
  CHECK(json_is_false(json_object_get(r.body, "deprecated")));
  fdx_vocab_result_clear(&r);
  before = snap_take(store);
  edit_create(store,
              "{\"id\": \"ro2\", \"prefLabel\": {\"en\": \"RO\"}, "
              "\"deprecated\": true, \"replacedBy\": [\"dog\"]}",
              &r);
  CHECK_OUTCOME(r, FDX_VOCAB_INVALID);
  CHECK_PROBLEM(r, "deprecated", "read-only");
  CHECK_PROBLEM(r, "replacedBy", "read-only");
  if (r.outcome != FDX_VOCAB_CREATED) {
    CHECK_UNCHANGED(store, before);
  }
  snap_free(&before);
  fdx_vocab_result_clear(&r);
  json_t* nothing = J("{\"id\": \"x\", \"prefLabel\": {\"en\": \"X\"}}");
  REFUSED(store,
          FDX_VOCAB_NOT_FOUND,
          r,
          fdx_vocab_concept_create(store, "alice", "plants", nothing, &r));
  json_decref(nothing);
  fdx_vocab_result_clear(&r);

  /* --- replace under If-Match --- */
  /* A statement the JSON does not describe, which edits must keep. */
  add_nquads(store,
             "<" A_ "dog> <http://example.org/ns#code> \"D-1\"" NQ_G "\n");
  char etag1[FDX_VOCAB_ETAG_MAX];
  c = get_concept(store, "animals", "dog", etag1);
  json_decref(c);
  const char* const dog_v2 =
    "{\"prefLabel\": {\"en\": \"Dog\", \"de\": \"Hund\"}, \"altLabel\": "
    "{\"en\": [\"Hound\", \"Doggy\"]}, \"broader\": [\"mammal\"], "
    "\"related\": [\"cat\"], \"definition\": {\"en\": \"A domestic canid\"}}";
  edit_replace(store, "dog", etag1, dog_v2, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const uint64_t dog_v2_change = r.change;
  CHECK(dog_v2_change > cat_created);
  CHECK(strcmp(r.etag, etag1) != 0);
  CHECK(!strcmp(json_string_value(
                  json_object_get(json_object_get(r.body, "prefLabel"), "de")),
                "Hund"));
  CHECK(json_array_size(
          json_object_get(json_object_get(r.body, "altLabel"), "en")) == 2);
  char etag2[FDX_VOCAB_ETAG_MAX];
  snprintf(etag2, sizeof(etag2), "%s", r.etag);
  fdx_vocab_result_clear(&r);
  c = get_concept(store, "animals", "dog", NULL);
  CHECK(list_has(json_object_get(c, "broader"), A_ "mammal"));
  json_decref(c);
  {
    txn                = begin(store, 0);
    const FdxTerm code = fdx_term_literal("D-1", NULL, NULL);
    FdxId         o    = FDX_ID_ANY;
    CHECK_ST(fdx_term_id(txn, &code, &o), FDX_SUCCESS);
    CHECK(count(txn,
                iri_id(txn, A_ "dog"),
                iri_id(txn, "http://example.org/ns#code"),
                o,
                iri_id(txn, ANIMALS)) == 1);
    fdx_txn_abort(txn);
  }
  e = history_entry(store, dog_v2_change);
  REQUIRE(e);
  CHECK(!strcmp(json_string_value(json_object_get(e, "action")), "update"));
  CHECK(!strcmp(json_string_value(json_object_get(e, "who")), "bob"));
  CHECK(list_has(json_object_get(e, "added"),
                 "<" A_ "dog> " NQ_SKOS("prefLabel") " \"Hund\"@de" NQ_G));
  CHECK(list_has(json_object_get(e, "added"),
                 "<" A_ "dog> " NQ_SKOS("altLabel") " \"Hound\"@en" NQ_G));
  CHECK(!list_has(json_object_get(e, "added"),
                  "<" A_ "dog> " NQ_SKOS("prefLabel") " \"Dog\"@en" NQ_G));
  CHECK(!list_has(json_object_get(e, "removed"),
                  "<" A_ "dog> " NQ_SKOS("prefLabel") " \"Dog\"@en" NQ_G));
  json_decref(e);

  /* The old ETag is stale now; the store does not change. */
  REFUSED(store,
          FDX_VOCAB_STALE,
          r,
          edit_replace(store,
                       "dog",
                       etag1,
                       "{\"prefLabel\": {\"en\": "
                       "\"Hound\"}}",
                       &r));
  CHECK(!strcmp(r.etag, etag2));
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_STALE,
          r,
          edit_replace(store,
                       "dog",
                       "\"0000000000000000\"",
                       "{\"prefLabel\": {\"en\": \"Hound\"}}",
                       &r));
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_NOT_FOUND,
          r,
          edit_replace(store,
                       "wolf",
                       "*",
                       "{\"prefLabel\": {\"en\": "
                       "\"Wolf\"}}",
                       &r));
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_BAD_INPUT,
          r,
          edit_replace(store,
                       "dog",
                       "*",
                       "{\"iri\": \"" A_ "cat\", "
                       "\"prefLabel\": {\"en\": \"X\"}}",
                       &r));
  fdx_vocab_result_clear(&r);

  /* A broader link dropped is dropped on both sides, and comes back. */
  edit_replace(store,
               "dog",
               etag2,
               "{\"prefLabel\": {\"en\": \"Dog\"}, \"related\": [\"cat\"]}",
               &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  c = get_concept(store, "animals", "mammal", NULL);
  CHECK(!list_has(json_object_get(c, "narrower"), A_ "dog"));
  CHECK(list_has(json_object_get(c, "narrower"), A_ "cat"));
  json_decref(c);
  edit_replace(store, "dog", "*", dog_v2, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  c = get_concept(store, "animals", "mammal", NULL);
  CHECK(list_has(json_object_get(c, "narrower"), A_ "dog"));
  json_decref(c);
  /* related, edited from the other side */
  edit_replace(store,
               "cat",
               "*",
               "{\"prefLabel\": {\"en\": \"Cat\"}, \"broader\": [\"mammal\"]}",
               &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  c = get_concept(store, "animals", "dog", NULL);
  CHECK(!list_has(json_object_get(c, "related"), A_ "cat"));
  json_decref(c);
  edit_replace(store,
               "cat",
               "*",
               "{\"prefLabel\": {\"en\": \"Cat\"}, \"broader\": [\"mammal\"], "
               "\"related\": [\"dog\"]}",
               &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  c = get_concept(store, "animals", "dog", NULL);
  CHECK(list_has(json_object_get(c, "related"), A_ "cat"));
  json_decref(c);

  /* --- integrity: every problem listed, nothing written --- */
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_replace(store,
                       "cat",
                       "*",
                       "{\"prefLabel\": {\"en\": [\"Cat\", \"Kitty\"], "
                       "\"en_GB!\": \"Cat\", \"fr\": \"  \"}, "
                       "\"altLabel\": {\"de\": [\"\"]}, "
                       "\"broader\": [\"nope\", \"http://exa mple.org/x\"], "
                       "\"related\": [\"" A_ "ghost\"], "
                       "\"exactMatch\": [\"http://exa mple.org/y\"]}",
                       &r));
  CHECK_PROBLEM(r, "prefLabel.en", "two prefLabels in one language");
  CHECK_PROBLEM(r, "prefLabel.en_GB!", "not a language tag");
  CHECK_PROBLEM(r, "prefLabel.fr", "empty");
  CHECK_PROBLEM(r, "altLabel.de", "empty");
  CHECK_PROBLEM(r, "broader[0]", "does not exist");
  CHECK_PROBLEM(r, "broader[1]", "not a valid IRI");
  CHECK_PROBLEM(r, "related[0]", "does not exist");
  CHECK_PROBLEM(r, "exactMatch[0]", "not a valid IRI");
  CHECK(json_array_size(r.problems) == 8);
  fdx_vocab_result_clear(&r);
  /* Language tags are case-insensitive (BCP 47): "en" and "EN" are one
   * language. */
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_replace(store,
                       "cat",
                       "*",
                       "{\"prefLabel\": {\"en\": \"Cat\", \"EN\": "
                       "\"Kitty\"}}",
                       &r));
  CHECK_PROBLEM(r, "prefLabel*", "two prefLabels in one language");
  if (r.change) {
    /* accepted after all: undo it, so the steps below see the same store */
    const uint64_t accepted = r.change;
    fdx_vocab_result_clear(&r);
    fdx_vocab_revert(store, "test", accepted, &r);
  }
  fdx_vocab_result_clear(&r);
  REFUSED(
    store,
    FDX_VOCAB_INVALID,
    r,
    edit_replace(store, "cat", "*", "{\"prefLabel\": {\"en\": \"\"}}", &r));
  CHECK_PROBLEM(r, "prefLabel.en", "empty");
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_replace(
            store, "cat", "*", "{\"altLabel\": {\"en\": [\"Puss\"]}}", &r));
  CHECK_PROBLEM(r, "prefLabel", "prefLabel");
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_replace(store,
                       "cat",
                       "*",
                       "{\"prefLabel\": {\"en\": \"Cat\"}, "
                       "\"broader\": [\"cat\"]}",
                       &r));
  CHECK_PROBLEM(r, "broader[0]", "own");
  fdx_vocab_result_clear(&r);
  /* A duplicate notation (mammal has "M"), and a bad one. */
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_replace(store,
                       "cat",
                       "*",
                       "{\"prefLabel\": {\"en\": \"Cat\"}, "
                       "\"notation\": \"M\"}",
                       &r));
  CHECK_PROBLEM(r, "notation", A_ "mammal");
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_create(store,
                      "{\"id\": \"whale\", \"prefLabel\": {\"en\": "
                      "\"Whale\"}, \"notation\": \"M\"}",
                      &r));
  CHECK_PROBLEM(r, "notation", "already used");
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_replace(store,
                       "cat",
                       "*",
                       "{\"prefLabel\": {\"en\": \"Cat\"}, "
                       "\"notation\": \" M\"}",
                       &r));
  CHECK_PROBLEM(r, "notation", "invalid notation");
  fdx_vocab_result_clear(&r);

  /* A broader cycle through three concepts. */
  edit_create(store, "{\"id\": \"a1\", \"prefLabel\": {\"en\": \"A1\"}}", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  fdx_vocab_result_clear(&r);
  edit_create(store,
              "{\"id\": \"b1\", \"prefLabel\": {\"en\": \"B1\"}, "
              "\"broader\": [\"a1\"]}",
              &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  fdx_vocab_result_clear(&r);
  edit_create(store,
              "{\"id\": \"c1\", \"prefLabel\": {\"en\": \"C1\"}, "
              "\"broader\": [\"b1\"]}",
              &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_replace(store,
                       "a1",
                       "*",
                       "{\"prefLabel\": {\"en\": \"A1\"}, "
                       "\"broader\": [\"c1\"], "
                       "\"narrower\": [\"b1\"]}",
                       &r));
  CHECK_PROBLEM(r, "broader", "cycle");
  CHECK_PROBLEM(r, "broader", A_ "b1");
  fdx_vocab_result_clear(&r);
  /* the same cycle closed by narrower, from a new concept */
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_create(store,
                      "{\"id\": \"d1\", \"prefLabel\": {\"en\": "
                      "\"D1\"}, \"broader\": [\"c1\"], \"narrower\": "
                      "[\"a1\"]}",
                      &r));
  CHECK_PROBLEM(r, "broader", "cycle");
  CHECK(concept_outcome(store, "animals", "d1") == FDX_VOCAB_NOT_FOUND);
  fdx_vocab_result_clear(&r);
  /* a cycle and a duplicate notation: both listed */
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          edit_replace(store,
                       "a1",
                       "*",
                       "{\"prefLabel\": {\"en\": \"A1\"}, "
                       "\"broader\": [\"c1\"], "
                       "\"narrower\": [\"b1\"], "
                       "\"notation\": \"M\"}",
                       &r));
  CHECK_PROBLEM(r, "broader", "cycle");
  CHECK_PROBLEM(r, "notation", "already used");
  fdx_vocab_result_clear(&r);

  /* --- deprecation --- */
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          fdx_vocab_concept_delete(
            store, "carol", "animals", "cat", NULL, "ghost", false, &r));
  CHECK_PROBLEM(r, "replacedBy", "does not exist");
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_INVALID,
          r,
          fdx_vocab_concept_delete(
            store, "carol", "animals", "cat", NULL, "cat", false, &r));
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_STALE,
          r,
          fdx_vocab_concept_delete(store,
                                   "carol",
                                   "animals",
                                   "cat",
                                   "\"0000000000000000\"",
                                   "dog",
                                   false,
                                   &r));
  fdx_vocab_result_clear(&r);
  fdx_vocab_concept_delete(
    store, "carol", "animals", "cat", "*", "dog", false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const uint64_t deprecated = r.change;
  fdx_vocab_result_clear(&r);
  c = get_concept(store, "animals", "cat", NULL);
  CHECK(json_is_true(json_object_get(c, "deprecated")));
  CHECK(list_has(json_object_get(c, "replacedBy"), A_ "dog"));
  json_decref(c);
  e = history_entry(store, deprecated);
  REQUIRE(e);
  CHECK(!strcmp(json_string_value(json_object_get(e, "action")), "deprecate"));
  CHECK(!strcmp(json_string_value(json_object_get(e, "who")), "carol"));
  CHECK(list_has(json_object_get(e, "added"),
                 "<" A_ "cat> <" DCT "isReplacedBy> <" A_ "dog>" NQ_G));
  json_decref(e);

  /* --- hard deletion: refused while a dataset uses the concept --- */
  edit_create(
    store, "{\"id\": \"fish\", \"prefLabel\": {\"en\": \"Fish\"}}", &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  fdx_vocab_result_clear(&r);
  edit_create(store,
              "{\"id\": \"bird\", \"prefLabel\": {\"en\": \"Bird\"}, "
              "\"broader\": [\"mammal\"], \"related\": [\"fish\"]}",
              &r);
  CHECK_OUTCOME(r, FDX_VOCAB_CREATED);
  fdx_vocab_result_clear(&r);
  add_nquads(store,
             "<http://example.org/ds/1> <" RDF_TYPE "> <" DCAT "Dataset> "
             "<http://example.org/catalog> .\n"
             "<http://example.org/ds/1> <" DCT "title> \"Pets\"@en "
             "<http://example.org/catalog> .\n"
             "<http://example.org/ds/1> <" DCAT "theme> <" A_ "mammal> "
             "<http://example.org/catalog> .\n"
             "<http://example.org/ds/2> <" RDF_TYPE "> <" DCAT "Dataset> "
             "<http://example.org/catalog> .\n"
             "<http://example.org/ds/2> <" DCAT "distribution> "
             "<http://example.org/dist/2> <http://example.org/catalog> .\n"
             "<http://example.org/dist/2> <" DCT "format> <" A_ "fish> "
             "<http://example.org/catalog> .\n");
  txn = begin(store, 0);
  CHECK(fdx_vocab_usage(txn, iri_id(txn, A_ "mammal")) == 1);
  CHECK(fdx_vocab_usage(txn, iri_id(txn, A_ "fish")) == 1);
  CHECK(fdx_vocab_usage(txn, iri_id(txn, A_ "bird")) == 0);
  fdx_vocab_concept_datasets(txn, "animals", "fish", 10, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(json_integer_value(json_object_get(r.body, "total")) == 1);
  CHECK(
    !strcmp(json_string_value(json_object_get(
              json_array_get(json_object_get(r.body, "datasets"), 0), "iri")),
            "http://example.org/ds/2"));
  fdx_vocab_result_clear(&r);
  fdx_txn_abort(txn);
  c = get_concept(store, "animals", "mammal", NULL);
  CHECK(json_integer_value(json_object_get(c, "usage")) == 1);
  json_decref(c);

  REFUSED(store,
          FDX_VOCAB_CONFLICT,
          r,
          fdx_vocab_concept_delete(
            store, "carol", "animals", "mammal", "*", NULL, true, &r));
  CHECK(json_integer_value(json_object_get(r.body, "total")) == 1);
  CHECK(
    !strcmp(json_string_value(json_object_get(
              json_array_get(json_object_get(r.body, "datasets"), 0), "iri")),
            "http://example.org/ds/1"));
  fdx_vocab_result_clear(&r);
  REFUSED(store,
          FDX_VOCAB_CONFLICT,
          r,
          fdx_vocab_concept_delete(
            store, "carol", "animals", "fish", "*", NULL, true, &r));
  fdx_vocab_result_clear(&r);
  /* deprecating a used concept is fine, and says who uses it */
  fdx_vocab_concept_delete(
    store, "carol", "animals", "fish", NULL, NULL, false, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  CHECK(json_integer_value(
          json_object_get(json_object_get(r.body, "datasets"), "total")) == 1);
  fdx_vocab_result_clear(&r);

  /* An unused concept goes, with every link to it. */
  Snap before_delete = snap_take(store);
  fdx_vocab_concept_delete(
    store, "carol", "animals", "bird", "*", NULL, true, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const uint64_t bird_deleted = r.change;
  fdx_vocab_result_clear(&r);
  CHECK(concept_outcome(store, "animals", "bird") == FDX_VOCAB_NOT_FOUND);
  CHECK(mentions(store, A_ "bird") == 0);
  c = get_concept(store, "animals", "mammal", NULL);
  CHECK(!list_has(json_object_get(c, "narrower"), A_ "bird"));
  json_decref(c);
  c = get_concept(store, "animals", "fish", NULL);
  CHECK(!list_has(json_object_get(c, "related"), A_ "bird"));
  json_decref(c);
  e = history_entry(store, bird_deleted);
  REQUIRE(e);
  CHECK(!strcmp(json_string_value(json_object_get(e, "action")), "delete"));
  CHECK(list_has(json_object_get(e, "removed"),
                 "<" A_ "bird> " NQ_SKOS("prefLabel") " \"Bird\"@en" NQ_G));
  CHECK(list_has(json_object_get(e, "removed"),
                 "<" A_ "mammal> " NQ_SKOS("narrower") " <" A_ "bird>" NQ_G));
  CHECK(json_array_size(json_object_get(e, "added")) == 0);
  json_decref(e);
  /* A concept removed for good keeps its history (asked by IRI). */
  CHECK(in_concept_history(store, "animals", A_ "bird", bird_deleted));
  /* ... and a revert brings every statement back. */
  fdx_vocab_revert(store, "dave", bird_deleted, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  {
    Snap now = snap_take(store);
    CHECK(snap_same_quads(&before_delete, &now));
    snap_free(&now);
  }
  snap_free(&before_delete);
  CHECK(concept_outcome(store, "animals", "bird") == FDX_VOCAB_OK);

  /* --- revert --- */
  /* An edit of dog (through its links, of cat and fish too), reverted:
   * the store's quads are exactly those before the edit. */
  char etag3[FDX_VOCAB_ETAG_MAX];
  c = get_concept(store, "animals", "dog", etag3);
  json_decref(c);
  Snap before_edit = snap_take(store);
  edit_replace(store,
               "dog",
               etag3,
               "{\"prefLabel\": {\"en\": \"Doggo\"}, \"broader\": [\"cat\"], "
               "\"related\": [\"fish\"], \"notation\": \"D\"}",
               &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const uint64_t edit = r.change;
  fdx_vocab_result_clear(&r);
  Snap after_edit = snap_take(store);
  CHECK(!snap_same_quads(&before_edit, &after_edit));
  fdx_vocab_revert(store, "dave", edit, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const uint64_t revert = r.change;
  CHECK(revert > edit);
  CHECK(json_integer_value(json_object_get(r.body, "reverts")) ==
        (json_int_t)edit);
  fdx_vocab_result_clear(&r);
  {
    Snap now = snap_take(store);
    CHECK(snap_same_quads(&before_edit, &now));
    snap_free(&now);
  }
  e = history_entry(store, revert);
  REQUIRE(e);
  CHECK(!strcmp(json_string_value(json_object_get(e, "action")), "revert"));
  CHECK(!strcmp(json_string_value(json_object_get(e, "who")), "dave"));
  CHECK(json_integer_value(json_object_get(e, "reverts")) == (json_int_t)edit);
  json_decref(e);
  c = get_concept(store, "animals", "dog", NULL);
  CHECK(list_has(json_object_get(c, "broader"), A_ "mammal"));
  CHECK(!list_has(json_object_get(c, "broader"), A_ "cat"));
  json_decref(c);
  c = get_concept(store, "animals", "cat", NULL);
  CHECK(!list_has(json_object_get(c, "narrower"), A_ "dog"));
  json_decref(c);
  /* reverting the revert redoes the edit */
  fdx_vocab_revert(store, "dave", revert, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  fdx_vocab_result_clear(&r);
  {
    Snap now = snap_take(store);
    CHECK(snap_same_quads(&after_edit, &now));
    snap_free(&now);
  }
  snap_free(&before_edit);
  snap_free(&after_edit);
  REFUSED(
    store, FDX_VOCAB_NOT_FOUND, r, fdx_vocab_revert(store, "dave", 999999, &r));
  fdx_vocab_result_clear(&r);
  REFUSED(
    store, FDX_VOCAB_NOT_FOUND, r, fdx_vocab_revert(store, "dave", 0, &r));
  fdx_vocab_result_clear(&r);

  /* --- the history in pages --- */
  txn = begin(store, 0);
  fdx_vocab_history(txn, 2, 3, NULL, &r);
  CHECK_OUTCOME(r, FDX_VOCAB_OK);
  const json_t* changes = json_object_get(r.body, "changes");
  CHECK(json_array_size(changes) == 3);
  for (size_t i = 0; i < json_array_size(changes); ++i) {
    CHECK(json_integer_value(json_object_get(json_array_get(changes, i),
                                             "id")) == (json_int_t)(3 + i));
  }
  CHECK(json_integer_value(json_object_get(r.body, "next")) == 5);
  fdx_vocab_result_clear(&r);
  fdx_txn_abort(txn);

  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * The Skosmos test vocabularies
 * --------------------------------------------------------------------- */

#define SM "http://www.skosmos.skos/"
#define GIVEN "http://example.org/skosmos/"

typedef struct
{
  const char* file;
  const char* scheme;   /* given to the import: the file has no scheme */
  int         concepts; /* concepts a clean import reports, -1: any */
  const Bad*  bad;      /* the concepts with problems */
  size_t      n_bad;
  bool        all_bad; /* `bad` lists every concept with problems */
} SkosFile;

static const Bad cycle_bad[] = {
  { SM "cycle/ta2", "broader cycle" },
  { SM "cycle/ta3", "broader cycle" },
  { SM "cycle/ta4", "broader cycle" },
};
static const Bad nolang_bad[] = {
  { SM "nolang/no1", "without a language" },
  { SM "nolang/no2", "without a language" },
  { SM "nolang/no3", "without a language" },
};
static const Bad hash_bad[] = {
  { SM "hash#c1", "without a language" }, /* altLabel "number symbol" */
};
static const Bad test_bad[] = {
  { SM "test/ta120", "no prefLabel" },
  { SM "test/ta127", "without a language" },
};
static const Bad hierarchy_bad[] = {
  { SM "test-hierarchy/ta113", "no prefLabel" },
  { SM "test-hierarchy/ta120", "no prefLabel" },
  { SM "test-hierarchy/ta127", "without a language" },
};
static const Bad notation_sort_bad[] = {
  { SM "test/ta0120", "no prefLabel" },
};

#define BADS(a) a, sizeof(a) / sizeof(*(a))

static const SkosFile skosmos[] = {
  { "altlabel.ttl", NULL, 1, NULL, 0, true },
  { "cbd.ttl", GIVEN "cbd", 2, NULL, 0, true },
  { "changes.ttl", GIVEN "changes", 5, NULL, 0, true },
  { "collation.ttl", GIVEN "collation", 3, NULL, 0, true },
  { "conceptPropertyLabels.ttl", NULL, 4, NULL, 0, true },
  { "cycle.ttl", NULL, -1, BADS(cycle_bad), true },
  { "date.ttl", GIVEN "date", 5, NULL, 0, true },
  { "default_graph.ttl", GIVEN "default-graph", 0, NULL, 0, true },
  { "dup.ttl", GIVEN "dup", 7, NULL, 0, true },
  /* ta111's broader ta1 is not in the file: not a problem for an import */
  { "dupgroup.ttl", GIVEN "dupgroup", 1, NULL, 0, true },
  { "groups.ttl", NULL, 7, NULL, 0, true },
  { "hash.ttl", NULL, -1, BADS(hash_bad), true },
  /* two schemes and concepts in neither: the file as it is, and with the
   * main scheme named, which the concepts then join */
  { "http304.ttl", NULL, -1, NULL, 0, true },
  { "http304.ttl", SM "test/http304mainconceptscheme", 7, NULL, 0, true },
  { "mapping.ttl", GIVEN "mapping", 2, NULL, 0, true },
  /* cs1..cs3 name c1..c3 as top concepts, which nothing describes: only
   * named, they are not concepts */
  { "multiple-schemes.ttl", NULL, 3, NULL, 0, true },
  { "myns-ontology.ttl", GIVEN "myns", 0, NULL, 0, true },
  { "nolang.ttl", NULL, -1, BADS(nolang_bad), true },
  { "prefix.ttl", GIVEN "prefix", 1, NULL, 0, true },
  { "sub.ttl", GIVEN "sub", 1, NULL, 0, true },
  { "subtag.ttl", GIVEN "subtag", 1, NULL, 0, true },
  { "test-551-A.ttl", NULL, 551, NULL, 0, true },
  { "test-concept-schemes.ttl", NULL, 6, NULL, 0, true },
  { "test-hierarchy-without-top-concepts.ttl",
    NULL,
    -1,
    BADS(hierarchy_bad),
    true },
  { "test-hierarchy.ttl", NULL, -1, BADS(hierarchy_bad), true },
  { "test-marc.ttl", NULL, 0, NULL, 0, true },
  { "test-notation-sort.ttl", NULL, -1, BADS(notation_sort_bad), true },
  { "test-qualified-broader.ttl", GIVEN "qualified-broader", 3, NULL, 0, true },
  { "test-qualified-notation.ttl",
    GIVEN "qualified-notation",
    5,
    NULL,
    0,
    true },
  { "test-rdf-list.ttl", NULL, 27, NULL, 0, true },
  { "test.ttl", NULL, -1, BADS(test_bad), true },
  { "xl.ttl", GIVEN "xl", 1, NULL, 0, true },
  /* its SKOS-XL labels are in the scheme, but are not concepts */
  { "yso.ttl", NULL, 270, NULL, 0, true },
};
#define N_SKOSMOS (sizeof(skosmos) / sizeof(*skosmos))

static char*
read_whole(const char* const path, size_t* const ret_len)
{
  FILE* const f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  Buf    b = { 0 };
  char   chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
    buf_write(&b, chunk, n);
  }
  fclose(f);
  *ret_len = b.len;
  return b.data ? b.data : strdup("");
}

static void
test_skosmos_file(const char* const     dir,
                  const SkosFile* const sf,
                  const size_t          index)
{
  char path[4200];
  snprintf(path, sizeof(path), "%s/%s", dir, sf->file);
  size_t      len  = 0;
  char* const text = read_whole(path, &len);
  if (!text) {
    fprintf(stderr, "cannot read %s\n", path);
    CHECK(text);
    return;
  }
  char name[64];
  snprintf(name, sizeof(name), "skosmos-%zu", index);
  char label[300];
  snprintf(label,
           sizeof(label),
           "%s%s%s",
           sf->file,
           sf->scheme ? " --scheme " : "",
           sf->scheme ? sf->scheme : "");
  FdxStore* const store = fresh_store(name);
  FdxVocabResult  r;
  memset(&r, 0, sizeof(r));
  Snap before = snap_take(store);
  fdx_vocab_import(store,
                   "tester",
                   text,
                   len,
                   FDX_FORMAT_TURTLE,
                   sf->file,
                   sf->scheme,
                   false,
                   &r);
  if (sf->bad) {
    /* Refused, the problems listed per concept, nothing written. */
    CHECK_OUTCOME(r, FDX_VOCAB_INVALID);
    CHECK(!strcmp(r.code, "skos_problems"));
    CHECK(r.change == 0);
    if (sf->all_bad) {
      check_import_problems(label, &r, sf->bad, sf->n_bad);
    } else {
      for (size_t i = 0; i < sf->n_bad; ++i) {
        if (!concept_has_problem(&r, sf->bad[i].concept, sf->bad[i].problem)) {
          fprintf(stderr,
                  "%s: <%s> should have the problem \"%s\"\n",
                  label,
                  sf->bad[i].concept,
                  sf->bad[i].problem);
          CHECK(false);
        }
      }
    }
    CHECK_UNCHANGED(store, before);
    fdx_vocab_result_clear(&r);
    /* Forced: the others in, the problem concepts out. */
    fdx_vocab_import(store,
                     "tester",
                     text,
                     len,
                     FDX_FORMAT_TURTLE,
                     sf->file,
                     sf->scheme,
                     true,
                     &r);
    CHECK_OUTCOME(r, FDX_VOCAB_OK);
    if (sf->all_bad) {
      check_import_problems(label, &r, sf->bad, sf->n_bad);
    }
    CHECK(json_integer_value(json_object_get(r.body, "skipped_concepts")) ==
          (json_int_t)json_array_size(r.problems));
    check_forced(label, store, &r, text, len, FDX_FORMAT_TURTLE);
  } else {
    CHECK_OUTCOME(r, FDX_VOCAB_OK);
    CHECK(r.change > 0);
    CHECK(!r.problems || json_array_size(r.problems) == 0);
    if (sf->concepts >= 0 && json_integer_value(json_object_get(
                               r.body, "concepts")) != sf->concepts) {
      fprintf(
        stderr,
        "%s: %lld concepts, expected %d\n",
        label,
        (long long)json_integer_value(json_object_get(r.body, "concepts")),
        sf->concepts);
      CHECK(false);
    }
    CHECK(json_integer_value(json_object_get(r.body, "skipped_concepts")) == 0);
    if (sf->concepts > 0) {
      /* Every concept the file types is in. */
      Names    names = { 0 };
      FdxError err;
      memset(&err, 0, sizeof(err));
      CHECK_ST(fdx_parse_bytes(text,
                               len,
                               FDX_FORMAT_TURTLE,
                               NULL,
                               sf->file,
                               collect_concepts,
                               &names,
                               &err),
               FDX_SUCCESS);
      for (size_t i = 0; i < names.n; ++i) {
        if (!is_concept(store, names.v[i])) {
          fprintf(stderr, "%s: <%s> was not imported\n", label, names.v[i]);
          CHECK(false);
        }
      }
      names_free(&names);
    }
    fdx_vocab_result_clear(&r);
    round_trip_store(label, store, sf->scheme);
  }
  fdx_vocab_result_clear(&r);
  snap_free(&before);
  fdx_store_free(store);
  free(text);
}

static int
run_skosmos(const char* const dir)
{
  struct stat st;
  char        probe[4200];
  snprintf(probe, sizeof(probe), "%s/cycle.ttl", dir);
  if (stat(dir, &st) || !S_ISDIR(st.st_mode) || stat(probe, &st)) {
    printf("test_vocab: the Skosmos test vocabularies are not in %s (the "
           "meson option external_data names the external data folder); "
           "skipping\n",
           dir);
    return 77;
  }
  /* Every .ttl file there is in the table. */
  DIR* const d = opendir(dir);
  REQUIRE(d);
  const struct dirent* ent;
  size_t               n_ttl = 0;
  while ((ent = readdir(d))) {
    const size_t n = strlen(ent->d_name);
    if (n < 5 || strcmp(ent->d_name + n - 4, ".ttl")) {
      continue;
    }
    ++n_ttl;
    bool known = false;
    for (size_t i = 0; i < N_SKOSMOS; ++i) {
      known = known || !strcmp(skosmos[i].file, ent->d_name);
    }
    if (!known) {
      fprintf(stderr,
              "%s/%s is not in the table of test_vocab.c\n",
              dir,
              ent->d_name);
    }
    CHECK(known);
  }
  closedir(d);
  CHECK(n_ttl >= 30);
  for (size_t i = 0; i < N_SKOSMOS; ++i) {
    const int failures = n_failures;
    test_skosmos_file(dir, &skosmos[i], i);
    printf("test_vocab: %s%s%s: %s\n",
           skosmos[i].file,
           skosmos[i].scheme ? " --scheme " : "",
           skosmos[i].scheme ? skosmos[i].scheme : "",
           n_failures == failures ? "ok" : "FAILED");
  }
  return test_finish("test_vocab --skosmos");
}

int
main(const int argc, char** const argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 3 && !strcmp(argv[1], "--skosmos")) {
    make_tmp_root("vocab-skosmos");
    return run_skosmos(argv[2]);
  }
  if (argc != 1) {
    fprintf(stderr, "usage: test_vocab [--skosmos DIR]\n");
    return 2;
  }
  make_tmp_root("vocab");
  test_graph_iso();
  test_install();
  test_import_problems();
  test_import_replace_revert();
  test_edits();
  test_shipped_round_trip();
  return test_finish("test_vocab");
}
