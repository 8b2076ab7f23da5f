/*
 * test_changes.c: the change feed (fdx_changes_read and the records every
 * write path leaves behind it).
 *
 * A federation client mirrors the catalogue by reading the feed from the
 * last generation it saw, so an entry the store forgets to record is a
 * dataset that silently never reaches the mirror, and a wrong op deletes
 * one that still exists.  This test checks, commit by commit: adding a
 * dataset and changing one of its titles give upserts; removing every
 * quad of a subject (fdx_graph_clear, or quad by quad) gives a delete;
 * removing only its type quad while other quads stay gives an upsert and
 * then nothing more; subjects without one of the four DCAT classes give
 * nothing; a subject in two graphs gives two entries; a commit that
 * changes no quads, and an aborted one, leave the generation and the feed
 * alone; the bulk loader, with a sort buffer so small that it spills runs
 * and merges them, and without, records its new datasets, and a load of
 * quads the store already holds records nothing.  Paging: a limit smaller
 * than one commit still gives that whole commit, pages are whole commits
 * and as long as the limit allows, and `next` walks from page to page up
 * to the generation the transaction sees; a `since` at or past it gives
 * nothing.  A pass of random transactions over small id spaces (so that
 * the same subject often gains and loses types in several graphs) checks
 * every record against a brute-force model of the rule in store.h.
 *
 * Random parts use a fixed-seed xorshift generator (FDX_TEST_SEED
 * overrides the seed, which is printed) so a failure reproduces.
 */
#include "test_util.h"

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EX "http://example.org/"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT "http://purl.org/dc/terms/"

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

static FdxId
iri(FdxTxn* const txn, const char* const s)
{
  const FdxTerm t  = fdx_term_iri(s);
  FdxId         id = 0;
  REQUIRE(fdx_term_intern(txn, &t, &id) == FDX_SUCCESS);
  return id;
}

static FdxId
lit(FdxTxn* const txn, const char* const lex)
{
  const FdxTerm t  = fdx_term_literal(lex, "en", NULL);
  FdxId         id = 0;
  REQUIRE(fdx_term_intern(txn, &t, &id) == FDX_SUCCESS);
  return id;
}

static void
add(FdxTxn* const txn,
    const FdxId   s,
    const FdxId   p,
    const FdxId   o,
    const FdxId   g)
{
  const FdxQuad q = { s, p, o, g };
  CHECK_ST(fdx_quad_add(txn, &q), FDX_SUCCESS);
}

static void
rem(FdxTxn* const txn,
    const FdxId   s,
    const FdxId   p,
    const FdxId   o,
    const FdxId   g)
{
  const FdxQuad q = { s, p, o, g };
  CHECK_ST(fdx_quad_remove(txn, &q), FDX_SUCCESS);
}

static void
commit(FdxTxn* const txn)
{
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
}

static uint64_t
generation(FdxStore* const store)
{
  FdxTxn* const  txn = begin(store, 0);
  const uint64_t gen = fdx_txn_generation(txn);
  fdx_txn_abort(txn);
  return gen;
}

/* Changes collected by a read. */
typedef struct
{
  FdxChange* items;
  size_t     n;
  size_t     cap;
  size_t     stop_after; /* nonzero: stop with FDX_FAILURE after this many */
} Feed;

static FdxStatus
collect(void* const ctx, const FdxChange* const change)
{
  Feed* const f = (Feed*)ctx;
  if (f->stop_after && f->n == f->stop_after) {
    return FDX_FAILURE;
  }
  if (f->n == f->cap) {
    f->cap   = f->cap ? f->cap * 2 : 64;
    f->items = (FdxChange*)realloc(f->items, f->cap * sizeof(FdxChange));
    REQUIRE(f->items);
  }
  f->items[f->n++] = *change;
  return FDX_SUCCESS;
}

static void
feed_clear(Feed* const f)
{
  free(f->items);
  memset(f, 0, sizeof(*f));
}

/* Entries come in commit order, and within a commit by (graph, subject),
 * each pair once. */
static void
check_order(const Feed* const f)
{
  for (size_t i = 1; i < f->n; ++i) {
    const FdxChange* const a = &f->items[i - 1];
    const FdxChange* const b = &f->items[i];
    CHECK(a->generation <= b->generation);
    if (a->generation == b->generation) {
      CHECK(a->graph < b->graph ||
            (a->graph == b->graph && a->subject < b->subject));
    }
  }
  for (size_t i = 0; i < f->n; ++i) {
    CHECK(f->items[i].op == FDX_CHANGE_UPSERT ||
          f->items[i].op == FDX_CHANGE_DELETE);
  }
}

/* Read the feed after `since` in a new read transaction. */
static void
read_feed(FdxStore* const store,
          const uint64_t  since,
          const uint64_t  limit,
          Feed* const     out,
          uint64_t* const ret_next)
{
  FdxTxn* const txn = begin(store, 0);
  feed_clear(out);
  CHECK_ST(fdx_changes_read(txn, since, limit, collect, out, ret_next),
           FDX_SUCCESS);
  fdx_txn_abort(txn);
  check_order(out);
}

/* The changes recorded under generation `gen` exactly. */
static void
read_commit(FdxStore* const store, const uint64_t gen, Feed* const out)
{
  uint64_t next = 0;
  read_feed(store, gen - 1, 0, out, &next);
  size_t n = 0;
  for (size_t i = 0; i < out->n; ++i) {
    if (out->items[i].generation == gen) {
      out->items[n++] = out->items[i];
    }
  }
  out->n = n;
}

/* Field by field: FdxChange has padding after `op`. */
static bool
change_eq(const FdxChange* const a, const FdxChange* const b)
{
  return a->generation == b->generation && a->graph == b->graph &&
         a->subject == b->subject && a->op == b->op;
}

static bool
has(const Feed* const f, const FdxId g, const FdxId s, const FdxChangeOp op)
{
  for (size_t i = 0; i < f->n; ++i) {
    if (f->items[i].graph == g && f->items[i].subject == s) {
      return f->items[i].op == op;
    }
  }
  return false;
}

/* ------------------------------------------------------------------------
 * Commit by commit
 * --------------------------------------------------------------------- */

typedef struct
{
  FdxId type, dataset, catalog, service, series, distribution;
  FdxId title, desc, name;
  FdxId g1, g2, g3;
  FdxId d, x, p, c, s, t, z;
  FdxId a, b;
} Ids;

static void
make_ids(FdxStore* const store, Ids* const ids)
{
  FdxTxn* const txn = begin(store, FDX_TXN_WRITE);
  ids->type         = iri(txn, RDF_TYPE);
  ids->dataset      = iri(txn, DCAT "Dataset");
  ids->catalog      = iri(txn, DCAT "Catalog");
  ids->service      = iri(txn, DCAT "DataService");
  ids->series       = iri(txn, DCAT "DatasetSeries");
  ids->distribution = iri(txn, DCAT "Distribution");
  ids->title        = iri(txn, DCT "title");
  ids->desc         = iri(txn, DCT "description");
  ids->name         = iri(txn, "http://xmlns.com/foaf/0.1/name");
  ids->g1           = iri(txn, EX "g1");
  ids->g2           = iri(txn, EX "g2");
  ids->g3           = iri(txn, EX "g3");
  ids->d            = iri(txn, EX "dataset/d");
  ids->x            = iri(txn, EX "distribution/x");
  ids->p            = iri(txn, EX "publisher/p");
  ids->c            = iri(txn, EX "catalog/c");
  ids->s            = iri(txn, EX "service/s");
  ids->t            = iri(txn, EX "series/t");
  ids->z            = iri(txn, EX "z");
  ids->a            = lit(txn, "A");
  ids->b            = lit(txn, "B");
  commit(txn);
}

/* The checks of one commit: the generation it made and its entries. */
static void
expect_commit(FdxStore* const store,
              const uint64_t  gen,
              const size_t    n_entries,
              Feed* const     f)
{
  CHECK(generation(store) == gen);
  read_commit(store, gen, f);
  CHECK(f->n == n_entries);
  if (f->n != n_entries) {
    printf("  generation %" PRIu64 ": %zu entries, expected %zu\n",
           gen,
           f->n,
           n_entries);
  }
}

static void
test_commits(void)
{
  FdxStore* const store =
    open_store("commits", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  Ids ids;
  make_ids(store, &ids);
  Feed           f    = { NULL, 0, 0, 0 };
  const uint64_t base = generation(store); /* interning alone: no change */
  CHECK(base == 0);

  /* A dataset with a distribution and a publisher: only the dataset. */
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  add(txn, ids.d, ids.type, ids.dataset, ids.g1);
  add(txn, ids.d, ids.title, ids.a, ids.g1);
  add(txn, ids.d, ids.desc, ids.a, ids.g1);
  add(txn, ids.x, ids.type, ids.distribution, ids.g1);
  add(txn, ids.x, ids.title, ids.a, ids.g1);
  add(txn, ids.p, ids.name, ids.a, ids.g1);
  commit(txn);
  expect_commit(store, 1, 1, &f);
  CHECK(has(&f, ids.g1, ids.d, FDX_CHANGE_UPSERT));

  /* One of its titles changes. */
  txn = begin(store, FDX_TXN_WRITE);
  rem(txn, ids.d, ids.title, ids.a, ids.g1);
  add(txn, ids.d, ids.title, ids.b, ids.g1);
  commit(txn);
  expect_commit(store, 2, 1, &f);
  CHECK(has(&f, ids.g1, ids.d, FDX_CHANGE_UPSERT));

  /* The same dataset in a second graph, a catalogue in two graphs. */
  txn = begin(store, FDX_TXN_WRITE);
  add(txn, ids.d, ids.type, ids.dataset, ids.g2);
  add(txn, ids.d, ids.title, ids.a, ids.g2);
  add(txn, ids.c, ids.type, ids.catalog, ids.g2);
  add(txn, ids.c, ids.type, ids.catalog, ids.g3);
  commit(txn);
  expect_commit(store, 3, 3, &f);
  CHECK(has(&f, ids.g2, ids.d, FDX_CHANGE_UPSERT));
  CHECK(has(&f, ids.g2, ids.c, FDX_CHANGE_UPSERT));
  CHECK(has(&f, ids.g3, ids.c, FDX_CHANGE_UPSERT));

  /* No quad changes: an add of a stored quad, a removal of an absent one,
   * a new term.  Then an aborted change. */
  txn                  = begin(store, FDX_TXN_WRITE);
  const FdxQuad stored = { ids.d, ids.type, ids.dataset, ids.g1 };
  const FdxQuad absent = { ids.d, ids.type, ids.catalog, ids.g1 };
  CHECK_ST(fdx_quad_add(txn, &stored), FDX_FAILURE);
  CHECK_ST(fdx_quad_remove(txn, &absent), FDX_FAILURE);
  (void)iri(txn, EX "new-term");
  commit(txn);
  txn = begin(store, FDX_TXN_WRITE);
  add(txn, ids.d, ids.desc, ids.b, ids.g1);
  fdx_txn_abort(txn);
  CHECK(generation(store) == 3);
  uint64_t next = 0;
  read_feed(store, 0, UINT64_MAX, &f, &next);
  CHECK(f.n == 5);
  CHECK(next == 3);

  /* Only the type quad goes; the other quads stay: an upsert. */
  txn = begin(store, FDX_TXN_WRITE);
  rem(txn, ids.d, ids.type, ids.dataset, ids.g1);
  commit(txn);
  expect_commit(store, 4, 1, &f);
  CHECK(has(&f, ids.g1, ids.d, FDX_CHANGE_UPSERT));

  /* Untyped now in g1: its changes there are not followed any more, but
   * the generation still goes up. */
  txn = begin(store, FDX_TXN_WRITE);
  rem(txn, ids.d, ids.title, ids.b, ids.g1);
  commit(txn);
  expect_commit(store, 5, 0, &f);
  read_feed(store, 4, UINT64_MAX, &f, &next);
  CHECK(f.n == 0);
  CHECK(next == 5);

  /* Clearing g2 removes every quad of both resources there. */
  txn              = begin(store, FDX_TXN_WRITE);
  uint64_t removed = 0;
  CHECK_ST(fdx_graph_clear(txn, ids.g2, &removed), FDX_SUCCESS);
  CHECK(removed == 3);
  commit(txn);
  expect_commit(store, 6, 2, &f);
  CHECK(has(&f, ids.g2, ids.d, FDX_CHANGE_DELETE));
  CHECK(has(&f, ids.g2, ids.c, FDX_CHANGE_DELETE));

  /* The catalogue's only quad in g3, removed by itself. */
  txn = begin(store, FDX_TXN_WRITE);
  rem(txn, ids.c, ids.type, ids.catalog, ids.g3);
  commit(txn);
  expect_commit(store, 7, 1, &f);
  CHECK(has(&f, ids.g3, ids.c, FDX_CHANGE_DELETE));

  /* The other two classes; and a type added to a subject that had quads
   * (x, a distribution, becomes a dataset as well). */
  txn = begin(store, FDX_TXN_WRITE);
  add(txn, ids.s, ids.type, ids.service, ids.g1);
  add(txn, ids.s, ids.title, ids.a, ids.g1);
  add(txn, ids.t, ids.type, ids.series, ids.g1);
  add(txn, ids.x, ids.type, ids.dataset, ids.g1);
  commit(txn);
  expect_commit(store, 8, 3, &f);
  CHECK(has(&f, ids.g1, ids.s, FDX_CHANGE_UPSERT));
  CHECK(has(&f, ids.g1, ids.t, FDX_CHANGE_UPSERT));
  CHECK(has(&f, ids.g1, ids.x, FDX_CHANGE_UPSERT));

  /* A type quad removed and added back: still typed, an upsert.  One
   * added and removed again on a subject with nothing else: a delete (the
   * approximation store.h documents). */
  txn = begin(store, FDX_TXN_WRITE);
  rem(txn, ids.s, ids.type, ids.service, ids.g1);
  add(txn, ids.s, ids.type, ids.service, ids.g1);
  add(txn, ids.z, ids.type, ids.dataset, ids.g1);
  rem(txn, ids.z, ids.type, ids.dataset, ids.g1);
  commit(txn);
  expect_commit(store, 9, 2, &f);
  CHECK(has(&f, ids.g1, ids.s, FDX_CHANGE_UPSERT));
  CHECK(has(&f, ids.g1, ids.z, FDX_CHANGE_DELETE));

  /* The default graph. */
  txn = begin(store, FDX_TXN_WRITE);
  add(txn, ids.d, ids.type, ids.dataset, FDX_ID_DEFAULT_GRAPH);
  commit(txn);
  expect_commit(store, 10, 1, &f);
  CHECK(has(&f, FDX_ID_DEFAULT_GRAPH, ids.d, FDX_CHANGE_UPSERT));

  /* A write transaction reads the committed feed, not its own changes. */
  txn = begin(store, FDX_TXN_WRITE);
  add(txn, ids.d, ids.title, ids.b, FDX_ID_DEFAULT_GRAPH);
  feed_clear(&f);
  CHECK_ST(fdx_changes_read(txn, 9, UINT64_MAX, collect, &f, &next),
           FDX_SUCCESS);
  CHECK(f.n == 1);
  CHECK(next == 10);
  commit(txn);
  expect_commit(store, 11, 1, &f);

  /* Paging over the whole history (entries of generations 1 to 11, as
   * recorded above: 1 1 3 1 0 2 1 3 2 1 1). */
  Feed all = { NULL, 0, 0, 0 };
  read_feed(store, 0, UINT64_MAX, &all, &next);
  CHECK(all.n == 16);
  CHECK(next == 11);
  for (uint64_t limit = 0; limit <= 5; ++limit) {
    size_t   seen  = 0;
    uint64_t since = 0;
    for (int page = 0; page < 40; ++page) {
      read_feed(store, since, limit, &f, &next);
      if (!f.n) {
        break;
      }
      /* Whole commits, the same entries as the full read, in order. */
      CHECK(seen + f.n <= all.n);
      for (size_t i = 0; i < f.n && seen + i < all.n; ++i) {
        CHECK(change_eq(&f.items[i], &all.items[seen + i]));
      }
      seen += f.n;
      const uint64_t last = f.items[f.n - 1].generation;
      CHECK(seen == all.n || all.items[seen].generation != last);
      /* Over the limit only with a single commit; else as long as the
       * limit allows. */
      if (f.n > limit) {
        CHECK(f.items[0].generation == last);
      }
      if (seen < all.n) {
        size_t next_commit = 0;
        for (size_t i = seen;
             i < all.n && all.items[i].generation == all.items[seen].generation;
             ++i) {
          ++next_commit;
        }
        CHECK(f.n + next_commit > limit);
        CHECK(next == last);
      } else {
        CHECK(next == 11);
      }
      since = next;
    }
    CHECK(seen == all.n);
    CHECK(since == 11);
  }

  /* A limit smaller than the first commit still gives it whole. */
  read_feed(store, 2, 1, &f, &next);
  CHECK(f.n == 3);
  CHECK(next == 3);

  /* Since at or past the generation: nothing, and next is the generation. */
  static const uint64_t past[] = { 11, 12, 1000, UINT64_MAX };
  for (size_t i = 0; i < sizeof(past) / sizeof(past[0]); ++i) {
    next = 7;
    read_feed(store, past[i], 10, &f, &next);
    CHECK(f.n == 0);
    CHECK(next == 11);
  }
  /* From a generation that has no record of its own. */
  read_feed(store, 4, 1, &f, &next);
  CHECK(f.n == 2);
  CHECK(f.items[0].generation == 6);
  CHECK(next == 6);

  /* A callback that stops: its status, and `next` untouched. */
  FdxTxn* const rtxn = begin(store, 0);
  feed_clear(&f);
  f.stop_after = 2;
  next         = 12345;
  CHECK_ST(fdx_changes_read(rtxn, 0, UINT64_MAX, collect, &f, &next),
           FDX_FAILURE);
  CHECK(f.n == 2);
  CHECK(next == 12345);
  f.stop_after = 0;
  CHECK_ST(fdx_changes_read(NULL, 0, 1, collect, &f, &next), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_changes_read(rtxn, 0, 1, NULL, &f, &next), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_changes_read(rtxn, 0, 1, collect, &f, NULL), FDX_SUCCESS);
  fdx_txn_abort(rtxn);

  /* The feed survives closing and opening. */
  fdx_store_free(store);
  FdxStore* const again  = open_store("commits", FDX_STORE_READ_ONLY, 0, 0);
  Feed            reread = { NULL, 0, 0, 0 };
  read_feed(again, 0, UINT64_MAX, &reread, &next);
  CHECK(reread.n == all.n);
  for (size_t i = 0; i < reread.n && i < all.n; ++i) {
    CHECK(change_eq(&reread.items[i], &all.items[i]));
  }
  CHECK(next == 11);
  fdx_store_free(again);
  feed_clear(&reread);
  feed_clear(&all);
  feed_clear(&f);
}

/* ------------------------------------------------------------------------
 * The bulk loader
 * --------------------------------------------------------------------- */

#define LOAD_DATASETS 700
#define LOAD_OTHERS 300

static void
load_iri(FdxLoader* const  loader,
         const char* const s,
         const char* const p,
         const char* const o,
         const FdxTerm*    g)
{
  const FdxTerm ts = fdx_term_iri(s);
  const FdxTerm tp = fdx_term_iri(p);
  const FdxTerm to = fdx_term_iri(o);
  CHECK_ST(fdx_loader_add(loader, &ts, &tp, &to, g), FDX_SUCCESS);
}

static void
load_lit(FdxLoader* const  loader,
         const char* const s,
         const char* const p,
         const char* const o,
         const FdxTerm*    g)
{
  const FdxTerm ts = fdx_term_iri(s);
  const FdxTerm tp = fdx_term_iri(p);
  const FdxTerm to = fdx_term_literal(o, NULL, NULL);
  CHECK_ST(fdx_loader_add(loader, &ts, &tp, &to, g), FDX_SUCCESS);
}

static void
name_of(char* const       buf,
        const size_t      size,
        const char* const kind,
        const unsigned    i)
{
  snprintf(buf, size, EX "%s/%u", kind, i);
}

static FdxId
id_of(FdxStore* const store, const char* const kind, const unsigned i)
{
  char name[128];
  name_of(name, sizeof(name), kind, i);
  FdxTxn* const txn = begin(store, 0);
  const FdxTerm t   = fdx_term_iri(name);
  FdxId         id  = 0;
  CHECK_ST(fdx_term_id(txn, &t, &id), FDX_SUCCESS);
  fdx_txn_abort(txn);
  return id;
}

static void
test_loader(void)
{
  FdxStore* const store =
    open_store("loader", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  const FdxTerm g     = fdx_term_iri(EX "graph");
  const FdxTerm other = fdx_term_iri(EX "other-graph");
  char          s[128];
  char          v[64];
  Feed          f = { NULL, 0, 0, 0 };

  /* Spilled: 700 datasets of 4 quads (20 of them in the default graph)
   * and 300 untyped subjects of 2, in shuffled order, through runs of
   * 1024 rows (the smallest sort buffer). */
  unsigned order[LOAD_DATASETS + LOAD_OTHERS];
  for (unsigned i = 0; i < LOAD_DATASETS + LOAD_OTHERS; ++i) {
    order[i] = i;
  }
  for (unsigned i = LOAD_DATASETS + LOAD_OTHERS - 1; i > 0; --i) {
    const unsigned j = (unsigned)rng_below(i + 1);
    const unsigned t = order[i];
    order[i]         = order[j];
    order[j]         = t;
  }
  FdxTxn*    txn    = begin(store, FDX_TXN_WRITE);
  FdxLoader* loader = NULL;
  CHECK_ST(fdx_loader_new(txn, 1, &loader), FDX_SUCCESS);
  for (unsigned k = 0; k < LOAD_DATASETS + LOAD_OTHERS; ++k) {
    const unsigned i = order[k];
    snprintf(v, sizeof(v), "value %u", i);
    if (i < LOAD_DATASETS) {
      const FdxTerm* const gi = i < 20 ? NULL : &g;
      name_of(s, sizeof(s), "dataset", i);
      load_iri(loader, s, RDF_TYPE, DCAT "Dataset", gi);
      load_lit(loader, s, DCT "title", v, gi);
      load_lit(loader, s, DCT "description", v, gi);
      load_iri(loader, s, DCAT "distribution", EX "distribution", gi);
    } else {
      name_of(s, sizeof(s), "agent", i);
      load_iri(loader, s, RDF_TYPE, "http://xmlns.com/foaf/0.1/Agent", &g);
      load_lit(loader, s, "http://xmlns.com/foaf/0.1/name", v, &g);
    }
  }
  uint64_t added = 0;
  CHECK_ST(fdx_loader_finish(loader, &added), FDX_SUCCESS);
  fdx_loader_free(loader);
  CHECK(added == LOAD_DATASETS * 4 + LOAD_OTHERS * 2);
  FdxId g_id = 0;
  CHECK_ST(fdx_term_id(txn, &g, &g_id), FDX_SUCCESS);
  commit(txn);
  expect_commit(store, 1, LOAD_DATASETS, &f);
  size_t in_default = 0;
  for (size_t i = 0; i < f.n; ++i) {
    CHECK(f.items[i].op == FDX_CHANGE_UPSERT);
    CHECK(f.items[i].graph == g_id || f.items[i].graph == FDX_ID_DEFAULT_GRAPH);
    in_default += f.items[i].graph == FDX_ID_DEFAULT_GRAPH;
  }
  CHECK(in_default == 20);
  CHECK(has(&f, g_id, id_of(store, "dataset", 699), FDX_CHANGE_UPSERT));
  CHECK(!has(&f, g_id, id_of(store, "agent", 700), FDX_CHANGE_UPSERT));

  /* Spilled again: quads the store holds (all of them again), one new
   * quad for 50 datasets and 50 agents, and a quad for 50 datasets in a
   * graph where they are not typed. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_loader_new(txn, 1, &loader), FDX_SUCCESS);
  for (unsigned i = 0; i < LOAD_DATASETS; ++i) {
    const FdxTerm* const gi = i < 20 ? NULL : &g;
    snprintf(v, sizeof(v), "value %u", i);
    name_of(s, sizeof(s), "dataset", i);
    load_iri(loader, s, RDF_TYPE, DCAT "Dataset", gi);
    load_lit(loader, s, DCT "title", v, gi);
    if (i >= 100 && i < 150) {
      load_lit(loader, s, DCT "identifier", v, gi);
    }
    if (i >= 200 && i < 250) {
      load_lit(loader, s, DCT "identifier", v, &other);
    }
  }
  for (unsigned i = LOAD_DATASETS; i < LOAD_DATASETS + 50; ++i) {
    name_of(s, sizeof(s), "agent", i);
    load_lit(loader, s, DCT "identifier", "x", &g);
  }
  CHECK_ST(fdx_loader_finish(loader, &added), FDX_SUCCESS);
  fdx_loader_free(loader);
  CHECK(added == 150);
  commit(txn);
  expect_commit(store, 2, 50, &f);
  for (size_t i = 0; i < f.n; ++i) {
    CHECK(f.items[i].op == FDX_CHANGE_UPSERT && f.items[i].graph == g_id);
  }
  CHECK(has(&f, g_id, id_of(store, "dataset", 100), FDX_CHANGE_UPSERT));
  CHECK(has(&f, g_id, id_of(store, "dataset", 149), FDX_CHANGE_UPSERT));

  /* Nothing new: no generation, no record. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_loader_new(txn, 1, &loader), FDX_SUCCESS);
  for (unsigned i = 20; i < LOAD_DATASETS; ++i) {
    name_of(s, sizeof(s), "dataset", i);
    load_iri(loader, s, RDF_TYPE, DCAT "Dataset", &g);
  }
  CHECK_ST(fdx_loader_finish(loader, &added), FDX_SUCCESS);
  fdx_loader_free(loader);
  CHECK(added == 0);
  commit(txn);
  CHECK(generation(store) == 2);

  /* Not spilled (the default sort buffer): a new dataset, a quad for an
   * old one. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_loader_new(txn, 0, &loader), FDX_SUCCESS);
  name_of(s, sizeof(s), "dataset", 5000);
  load_iri(loader, s, RDF_TYPE, DCAT "Catalog", &g);
  name_of(s, sizeof(s), "dataset", 300);
  load_lit(loader, s, DCT "identifier", "y", &g);
  CHECK_ST(fdx_loader_finish(loader, &added), FDX_SUCCESS);
  fdx_loader_free(loader);
  CHECK(added == 2);
  commit(txn);
  expect_commit(store, 3, 2, &f);
  CHECK(has(&f, g_id, id_of(store, "dataset", 5000), FDX_CHANGE_UPSERT));
  CHECK(has(&f, g_id, id_of(store, "dataset", 300), FDX_CHANGE_UPSERT));

  /* Clearing the graph deletes every dataset in it. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_graph_clear(txn, g_id, NULL), FDX_SUCCESS);
  commit(txn);
  expect_commit(store, 4, LOAD_DATASETS - 20 + 1, &f);
  for (size_t i = 0; i < f.n; ++i) {
    CHECK(f.items[i].op == FDX_CHANGE_DELETE);
  }
  feed_clear(&f);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * Many subjects in one transaction (the list is compacted as it grows)
 * --------------------------------------------------------------------- */

#define MANY 40000

static void
test_many(void)
{
  FdxStore* const store =
    open_store("many", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn*      txn      = begin(store, FDX_TXN_WRITE);
  const FdxId  type     = iri(txn, RDF_TYPE);
  const FdxId  dataset  = iri(txn, DCAT "Dataset");
  const FdxId  title    = iri(txn, DCT "title");
  const FdxId  g        = iri(txn, EX "g");
  const FdxId  value    = lit(txn, "v");
  FdxId* const subjects = (FdxId*)malloc(MANY * sizeof(FdxId));
  REQUIRE(subjects);
  char name[64];
  for (unsigned i = 0; i < MANY; ++i) {
    snprintf(name, sizeof(name), EX "many/%u", i);
    subjects[i] = iri(txn, name);
  }
  /* Every subject twice, far apart: nothing for the last-pair check to
   * drop, so the list fills and is compacted. */
  for (unsigned i = 0; i < MANY; ++i) {
    add(txn, subjects[i], type, dataset, g);
  }
  for (unsigned i = 0; i < MANY; ++i) {
    add(txn, subjects[i], title, value, g);
  }
  commit(txn);
  Feed f = { NULL, 0, 0, 0 };
  expect_commit(store, 1, MANY, &f);
  for (size_t i = 0; i < f.n; ++i) {
    CHECK(f.items[i].op == FDX_CHANGE_UPSERT && f.items[i].graph == g);
  }

  /* Half lose their type, every other one of those keeps its title. */
  txn = begin(store, FDX_TXN_WRITE);
  for (unsigned i = 0; i < MANY / 2; ++i) {
    rem(txn, subjects[i], type, dataset, g);
  }
  for (unsigned i = 0; i < MANY / 2; i += 2) {
    rem(txn, subjects[i], title, value, g);
  }
  commit(txn);
  expect_commit(store, 2, MANY / 2, &f);
  size_t deletes = 0;
  for (size_t i = 0; i < f.n; ++i) {
    deletes += f.items[i].op == FDX_CHANGE_DELETE;
  }
  CHECK(deletes == MANY / 4);
  CHECK(has(&f, g, subjects[0], FDX_CHANGE_DELETE));
  CHECK(has(&f, g, subjects[1], FDX_CHANGE_UPSERT));
  free(subjects);
  feed_clear(&f);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * Random transactions against a model of the rule
 * --------------------------------------------------------------------- */

enum
{
  NS = 5,
  NP = 2,
  NO = 5,
  NG = 3
};

#define QUAD_INDEX(s, p, o, g) ((((s)*NP + (p)) * NO + (o)) * NG + (g))

typedef struct
{
  bool present[NS * NP * NO * NG];
  bool touched[NG][NS];
  bool lost_type[NG][NS];
} Model;

/* Objects 0 and 1 are feed classes (Dataset, Catalog), 2 is not
 * (Distribution), 3 and 4 are literals.  Predicate 0 is rdf:type. */
static bool
model_typed(const Model* const m, const int g, const int s)
{
  return m->present[QUAD_INDEX(s, 0, 0, g)] ||
         m->present[QUAD_INDEX(s, 0, 1, g)];
}

static bool
model_has_quads(const Model* const m, const int g, const int s)
{
  for (int p = 0; p < NP; ++p) {
    for (int o = 0; o < NO; ++o) {
      if (m->present[QUAD_INDEX(s, p, o, g)]) {
        return true;
      }
    }
  }
  return false;
}

static void
test_random(void)
{
  FdxStore* const store =
    open_store("random", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxId   s_ids[NS], p_ids[NP], o_ids[NO], g_ids[NG];
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  char    name[64];
  for (int i = 0; i < NS; ++i) {
    snprintf(name, sizeof(name), EX "s%d", i);
    s_ids[i] = iri(txn, name);
  }
  p_ids[0] = iri(txn, RDF_TYPE);
  p_ids[1] = iri(txn, DCT "title");
  o_ids[0] = iri(txn, DCAT "Dataset");
  o_ids[1] = iri(txn, DCAT "Catalog");
  o_ids[2] = iri(txn, DCAT "Distribution");
  o_ids[3] = lit(txn, "a");
  o_ids[4] = lit(txn, "b");
  g_ids[0] = FDX_ID_DEFAULT_GRAPH;
  g_ids[1] = iri(txn, EX "g1");
  g_ids[2] = iri(txn, EX "g2");
  commit(txn);

  Model* const m     = (Model*)calloc(1, sizeof(Model));
  Model* const saved = (Model*)calloc(1, sizeof(Model));
  REQUIRE(m && saved);
  Feed     f         = { NULL, 0, 0, 0 };
  uint64_t gen       = 0;
  unsigned n_records = 0;
  for (int round = 0; round < 400; ++round) {
    memcpy(saved, m, sizeof(Model));
    memset(m->touched, 0, sizeof(m->touched));
    memset(m->lost_type, 0, sizeof(m->lost_type));
    bool changed    = false;
    txn             = begin(store, FDX_TXN_WRITE);
    const int n_ops = 1 + (int)rng_below(12);
    for (int op = 0; op < n_ops; ++op) {
      const int     s = (int)rng_below(NS), p = (int)rng_below(NP);
      const int     o = (int)rng_below(NO), g = (int)rng_below(NG);
      const FdxQuad q       = { s_ids[s], p_ids[p], o_ids[o], g_ids[g] };
      bool* const   present = &m->present[QUAD_INDEX(s, p, o, g)];
      const int     kind    = (int)rng_below(100);
      if (kind < 4) {
        uint64_t removed = 0;
        CHECK_ST(fdx_graph_clear(txn, g_ids[g], &removed), FDX_SUCCESS);
        uint64_t expected = 0;
        for (int ss = 0; ss < NS; ++ss) {
          for (int pp = 0; pp < NP; ++pp) {
            for (int oo = 0; oo < NO; ++oo) {
              bool* const pr = &m->present[QUAD_INDEX(ss, pp, oo, g)];
              if (*pr) {
                *pr = false;
                ++expected;
                m->touched[g][ss] = true;
                if (pp == 0 && oo < 2) {
                  m->lost_type[g][ss] = true;
                }
              }
            }
          }
        }
        CHECK(removed == expected);
        changed = changed || expected;
      } else if (kind < 55) {
        CHECK_ST(fdx_quad_add(txn, &q), *present ? FDX_FAILURE : FDX_SUCCESS);
        if (!*present) {
          *present         = true;
          changed          = true;
          m->touched[g][s] = true;
        }
      } else {
        CHECK_ST(fdx_quad_remove(txn, &q),
                 *present ? FDX_SUCCESS : FDX_FAILURE);
        if (*present) {
          *present         = false;
          changed          = true;
          m->touched[g][s] = true;
          if (p == 0 && o < 2) {
            m->lost_type[g][s] = true;
          }
        }
      }
    }
    if (rng_below(10) == 0) {
      fdx_txn_abort(txn);
      memcpy(m, saved, sizeof(Model));
      CHECK(generation(store) == gen);
      continue;
    }
    commit(txn);
    if (!changed) {
      CHECK(generation(store) == gen);
      continue;
    }
    CHECK(generation(store) == ++gen);

    /* The model's record, in (graph, subject) id order: graph ids and
     * subject ids were interned in index order. */
    read_commit(store, gen, &f);
    size_t n_expected = 0;
    for (int g = 0; g < NG; ++g) {
      for (int s = 0; s < NS; ++s) {
        if (!m->touched[g][s]) {
          continue;
        }
        const bool typed_after = model_typed(m, g, s);
        if (!typed_after && !m->lost_type[g][s]) {
          continue;
        }
        const FdxChangeOp op = typed_after || model_has_quads(m, g, s)
                                 ? FDX_CHANGE_UPSERT
                                 : FDX_CHANGE_DELETE;
        CHECK(n_expected < f.n);
        if (n_expected < f.n) {
          const FdxChange* const c = &f.items[n_expected];
          CHECK(c->graph == g_ids[g] && c->subject == s_ids[s] && c->op == op);
        }
        ++n_expected;
      }
    }
    CHECK(f.n == n_expected);
    n_records += n_expected > 0;
  }
  printf(
    "  random: %" PRIu64 " generations, %u with a record\n", gen, n_records);
  CHECK(n_records > 50);

  /* And the whole history pages to the same end. */
  uint64_t next = 0, since = 0;
  for (;;) {
    read_feed(store, since, 3, &f, &next);
    if (!f.n) {
      break;
    }
    since = next;
  }
  CHECK(next == gen);
  free(m);
  free(saved);
  feed_clear(&f);
  fdx_store_free(store);
}

/* ------------------------------------------------------------------------
 * A store without any DCAT terms
 * --------------------------------------------------------------------- */

static void
test_no_dcat(void)
{
  FdxStore* const store =
    open_store("plain", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxTxn* const txn = begin(store, FDX_TXN_WRITE);
  const FdxId   s   = iri(txn, EX "s");
  const FdxId   p   = iri(txn, EX "p");
  add(txn, s, p, s, FDX_ID_DEFAULT_GRAPH);
  rem(txn, s, p, s, FDX_ID_DEFAULT_GRAPH);
  add(txn, s, p, p, FDX_ID_DEFAULT_GRAPH);
  commit(txn);
  Feed     f    = { NULL, 0, 0, 0 };
  uint64_t next = 0;
  read_feed(store, 0, UINT64_MAX, &f, &next);
  CHECK(f.n == 0);
  CHECK(next == 1);
  feed_clear(&f);
  fdx_store_free(store);
}

int
main(void)
{
  test_start("test_changes");
  make_tmp_root("changes");
  test_commits();
  test_loader();
  test_many();
  test_random();
  test_no_dcat();
  return test_finish("test_changes");
}
