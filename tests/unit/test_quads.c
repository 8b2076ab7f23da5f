/*
 * test_quads.c: the six quad orderings, pattern scans and statistics,
 * checked against a brute-force model.
 *
 * The store answers every quad pattern from one of six orderings, keeps
 * per-store and per-predicate counts up to date on every write, and counts
 * committed changes in a generation number that clients use as an ETag.
 * Each of these can be subtly wrong for only some combinations of bound
 * positions, or only once a key's duplicates span several LMDB pages, so
 * this test keeps the truth in a plain array of booleans over small id
 * spaces (collisions are frequent, as in real data), applies random adds
 * and removes to both, and after every transaction compares: the result of
 * fdx_quad_find for all 16 bound/unbound combinations and many pattern
 * values (as sorted sets, with no duplicates within one scan),
 * fdx_quad_count, fdx_store_stats and fdx_predicate_stats.  One predicate
 * gets more than 5000 quads, so scans cross page boundaries in LMDB
 * sub-databases.  It also checks that fdx_graph_clear replaces a graph
 * atomically while an older reader keeps its snapshot (LMDB MVCC), that an
 * aborted transaction changes nothing, and that the generation goes up by
 * exactly one per committed transaction that changed quads.
 *
 * Random parts use a fixed-seed xorshift generator (FDX_TEST_SEED
 * overrides the seed, which is printed) so a failure reproduces.
 */
#include "quad_model.h"
#include "test_util.h"

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSD "http://www.w3.org/2001/XMLSchema#"
#define EX "http://example.org/"

/* The first random transactions draw their subjects from the first
 * NS_SMALL of the pool. */
enum
{
  NS_SMALL = 20
};

/* ------------------------------------------------------------------------
 * The model (quad_model.h): the pools of ids, interned here
 * --------------------------------------------------------------------- */

/* A pattern value for position `pos`: mostly from its pool, sometimes any
 * id at all (which may then match nothing). */
static FdxId
random_value(const Model* const m, const int pos)
{
  if (rng_below(100) < 15) {
    return m->all[rng_below((unsigned)m->n_all)];
  }
  switch (pos) {
    case 0:
      return m->s[rng_below(NS)];
    case 1:
      return m->p[rng_below(NP)];
    case 2:
      return m->o[rng_below(NO)];
    default:
      return m->g[rng_below(NG)];
  }
}

/* Intern the terms of the pools (no quads yet). */
static void
model_init(FdxStore* const store, Model* const m)
{
  memset(m, 0, sizeof(*m));
  /* This test's way of checking (quad_model.h). */
  m->random_value         = random_value;
  m->check_past_end       = true;
  m->check_non_predicates = true;

  FdxTxn* const txn = begin(store, FDX_TXN_WRITE);
  char          buf[128];
  for (int i = 0; i < NS; ++i) {
    FdxTerm t;
    if (i % 4 == 3) {
      snprintf(buf, sizeof(buf), "b%d", i);
      t = (FdxTerm){ FDX_TERM_BLANK, buf, strlen(buf), NULL, 0, NULL, 0 };
    } else {
      snprintf(buf, sizeof(buf), EX "s/%d", i);
      t = fdx_term_iri(buf);
    }
    CHECK_ST(fdx_term_intern(txn, &t, &m->s[i]), FDX_SUCCESS);
  }
  for (int i = 0; i < NP; ++i) {
    snprintf(buf, sizeof(buf), EX "p/%d", i);
    const FdxTerm t = fdx_term_iri(buf);
    CHECK_ST(fdx_term_intern(txn, &t, &m->p[i]), FDX_SUCCESS);
  }
  /* Objects: some subjects again, IRIs, literals of every kind, and
   * inlined values. */
  for (int i = 0; i < NO; ++i) {
    FdxTerm t;
    if (i < 5) {
      m->o[i] = m->s[i];
      continue;
    }
    if (i < 10) {
      snprintf(buf, sizeof(buf), EX "o/%d", i);
      t = fdx_term_iri(buf);
    } else if (i < 14) {
      snprintf(buf, sizeof(buf), "literal %d", i);
      t = fdx_term_literal(buf, NULL, NULL);
    } else if (i < 17) {
      snprintf(buf, sizeof(buf), "text %d", i);
      t = fdx_term_literal(buf, i % 2 ? "en" : "de", NULL);
    } else if (i < 19) {
      snprintf(buf, sizeof(buf), "typed %d", i);
      t = fdx_term_literal(buf, NULL, EX "dt");
    } else {
      t = fdx_term_literal(
        inlined_literals[i - 19][0], NULL, inlined_literals[i - 19][1]);
    }
    CHECK_ST(fdx_term_intern(txn, &t, &m->o[i]), FDX_SUCCESS);
  }
  m->g[0] = FDX_ID_DEFAULT_GRAPH;
  for (int i = 1; i < NG - 1; ++i) {
    snprintf(buf, sizeof(buf), EX "g/%d", i);
    const FdxTerm t = fdx_term_iri(buf);
    CHECK_ST(fdx_term_intern(txn, &t, &m->g[i]), FDX_SUCCESS);
  }
  m->g[NG - 1] = m->s[5]; /* a subject that also names a graph */
  for (int i = 0; i < NX - 1; ++i) {
    snprintf(buf, sizeof(buf), EX "unused/%d", i);
    const FdxTerm t = fdx_term_iri(buf);
    CHECK_ST(fdx_term_intern(txn, &t, &m->extra[i]), FDX_SUCCESS);
  }
  const FdxTerm num = fdx_term_literal("999999", NULL, XSD "integer");
  CHECK_ST(fdx_term_intern(txn, &num, &m->extra[NX - 1]), FDX_SUCCESS);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  /* Every id in one list, distinct (the subjects reused as objects and
   * graph once). */
  const FdxId* const pools[5] = { m->s, m->p, m->o, m->g, m->extra };
  const int          sizes[5] = { NS, NP, NO, NG, NX };
  for (int k = 0; k < 5; ++k) {
    for (int i = 0; i < sizes[k]; ++i) {
      if (pool_index(m->all, (int)m->n_all, pools[k][i]) < 0) {
        m->all[m->n_all++] = pools[k][i];
      }
    }
  }
  /* Within each pool, ids are distinct. */
  for (int k = 0; k < 5; ++k) {
    for (int i = 0; i < sizes[k]; ++i) {
      CHECK(pool_index(pools[k], i, pools[k][i]) < 0);
    }
  }
}

/* Compare the committed state with the model. */
static void
verify_committed(FdxStore* const    store,
                 const Model* const m,
                 const int          n_random,
                 const bool         exhaustive)
{
  FdxTxn* const txn = begin(store, 0);
  verify(txn, m, n_random, exhaustive);
  fdx_txn_abort(txn);
}

/* ------------------------------------------------------------------------
 * Writing
 * --------------------------------------------------------------------- */

/* Add (s,p,o,g) by pool index, checking the status against the model. */
static bool
add(FdxTxn* const txn,
    Model* const  m,
    const int     s,
    const int     p,
    const int     o,
    const int     g)
{
  const FdxQuad   q   = model_quad(m, s, p, o, g);
  const bool      had = m->has[s][p][o][g];
  const FdxStatus st  = fdx_quad_add(txn, &q);
  CHECK_ST(st, had ? FDX_FAILURE : FDX_SUCCESS);
  m->has[s][p][o][g] = true;
  return !had;
}

static bool
del(FdxTxn* const txn,
    Model* const  m,
    const int     s,
    const int     p,
    const int     o,
    const int     g)
{
  const FdxQuad   q   = model_quad(m, s, p, o, g);
  const bool      had = m->has[s][p][o][g];
  const FdxStatus st  = fdx_quad_remove(txn, &q);
  CHECK_ST(st, had ? FDX_SUCCESS : FDX_FAILURE);
  m->has[s][p][o][g] = false;
  return had;
}

/* `n` random adds (`add_pct` percent) and removes with subjects below
 * `ns`.  Returns whether any quad changed. */
static bool
random_ops(FdxTxn* const  txn,
           Model* const   m,
           const int      n,
           const int      ns,
           const unsigned add_pct)
{
  bool changed = false;
  for (int i = 0; i < n; ++i) {
    const int s = (int)rng_below((unsigned)ns);
    const int p = (int)rng_below(NP);
    const int o = (int)rng_below(NO);
    const int g = (int)rng_below(NG);
    if (rng_below(100) < add_pct) {
      changed |= add(txn, m, s, p, o, g);
    } else {
      changed |= del(txn, m, s, p, o, g);
    }
  }
  return changed;
}

/* ------------------------------------------------------------------------
 * The tests
 * --------------------------------------------------------------------- */

/* Many small transactions over a small space, checked after each. */
static void
test_random_txns(FdxStore* const store, Model* const m)
{
  for (int t = 0; t < 14; ++t) {
    FdxTxn* const txn = begin(store, FDX_TXN_WRITE);
    const bool    changed =
      random_ops(txn, m, 150 + (int)rng_below(400), NS_SMALL, t < 8 ? 75 : 45);
    /* The writer sees its own changes before it commits. */
    verify(txn, m, 4, false);
    commit(txn, m, changed);
    verify_committed(store, m, t % 5 == 4 ? 40 : 12, t % 5 == 4);
  }
  printf("  random transactions: %" PRIu64 " quads, generation %" PRIu64 "\n",
         model_size(m),
         m->generation);
}

/* One predicate on more than 5000 quads, then half of them removed. */
static void
test_big_predicate(FdxStore* const store, Model* const m)
{
  FdxTxn* txn     = begin(store, FDX_TXN_WRITE);
  bool    changed = false;
  int     n_p0    = 0;
  for (int s = 0; s < NS; ++s) {
    for (int o = 0; o < NO; ++o) {
      for (int g = 0; g < NG; ++g) {
        n_p0 += m->has[s][0][o][g];
      }
    }
  }
  while (n_p0 < 5200) {
    if (add(txn,
            m,
            (int)rng_below(NS),
            0,
            (int)rng_below(NO),
            (int)rng_below(NG))) {
      ++n_p0;
      changed = true;
    }
  }
  /* Some other predicates over all subjects too. */
  changed |= random_ops(txn, m, 2000, NS, 90);
  commit(txn, m, changed);
  verify_committed(store, m, 60, true);
  printf("  big predicate: %d quads with p0, %" PRIu64 " in all\n",
         n_p0,
         model_size(m));

  /* Remove half of p0's quads, in random order. */
  int(*list)[3] = (int(*)[3])malloc(sizeof(int[3]) * NS * NO * NG);
  REQUIRE(list);
  int n = 0;
  for (int s = 0; s < NS; ++s) {
    for (int o = 0; o < NO; ++o) {
      for (int g = 0; g < NG; ++g) {
        if (m->has[s][0][o][g]) {
          list[n][0] = s;
          list[n][1] = o;
          list[n][2] = g;
          ++n;
        }
      }
    }
  }
  for (int i = n - 1; i > 0; --i) {
    const int j = (int)rng_below((unsigned)i + 1);
    int       tmp[3];
    memcpy(tmp, list[i], sizeof(tmp));
    memcpy(list[i], list[j], sizeof(tmp));
    memcpy(list[j], tmp, sizeof(tmp));
  }
  txn = begin(store, FDX_TXN_WRITE);
  for (int i = 0; i < n / 2; ++i) {
    CHECK(del(txn, m, list[i][0], 0, list[i][1], list[i][2]));
  }
  verify(txn, m, 10, false);
  commit(txn, m, n > 1);
  verify_committed(store, m, 60, true);
  free(list);

  /* Remove every quad of predicate 4, and of graph 2, one by one. */
  txn     = begin(store, FDX_TXN_WRITE);
  changed = false;
  for (int s = 0; s < NS; ++s) {
    for (int o = 0; o < NO; ++o) {
      for (int g = 0; g < NG; ++g) {
        if (m->has[s][4][o][g]) {
          changed |= del(txn, m, s, 4, o, g);
        }
        for (int p = 0; p < NP; ++p) {
          if (g == 2 && m->has[s][p][o][g]) {
            changed |= del(txn, m, s, p, o, g);
          }
        }
      }
    }
  }
  commit(txn, m, changed);
  verify_committed(store, m, 30, false);

  /* And a mixed transaction over the whole space. */
  txn     = begin(store, FDX_TXN_WRITE);
  changed = random_ops(txn, m, 3000, NS, 50);
  commit(txn, m, changed);
  verify_committed(store, m, 60, true);
}

/* Every quad of predicate `p` with an object in [lo, hi], by scanning
 * up (fdx_quad_find_objects) or down (fdx_quad_find_objects_desc). */
static size_t
object_range(FdxTxn* const txn, const FdxId p, const FdxId lo, const FdxId hi,
             const bool desc, FdxQuad* const out, const size_t cap)
{
  FdxQuadIter* it = NULL;
  CHECK_ST(desc ? fdx_quad_find_objects_desc(txn, p, lo, hi, &it)
                : fdx_quad_find_objects(txn, p, lo, hi, &it),
           FDX_SUCCESS);
  size_t  n = 0;
  FdxQuad q;
  while (it && !fdx_quad_iter_next(it, &q)) {
    CHECK(q.p == p && q.o >= lo && q.o <= hi);
    if (n < cap) {
      out[n] = q;
    }
    ++n;
  }
  fdx_quad_iter_free(it);
  return n;
}

/* A predicate's object range read downwards is the upward one reversed,
 * across LMDB pages and at the ends of the range (bounds that are
 * objects, bounds between objects, a range past the last object). */
static void
test_object_ranges_desc(FdxStore* const store, const Model* const m)
{
  FdxTxn* const txn = begin(store, 0);
  FdxId         sorted[NO];
  int           n_o = 0;
  for (int o = 0; o < NO; ++o) {
    if (m->o[o]) {
      sorted[n_o++] = m->o[o];
    }
  }
  for (int i = 1; i < n_o; ++i) { /* insertion sort */
    for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; --j) {
      const FdxId t = sorted[j];
      sorted[j]     = sorted[j - 1];
      sorted[j - 1] = t;
    }
  }
  REQUIRE(n_o >= 4);
  const FdxId ranges[][2] = {
    {1, UINT64_MAX},
    {sorted[1], sorted[n_o - 2]},
    {sorted[1] + 1, sorted[n_o - 2] - 1},
    {sorted[n_o / 2], sorted[n_o / 2]},
    {sorted[n_o - 1] + 1, UINT64_MAX},
    {1, sorted[0]},
  };
  const size_t   cap  = (size_t)NS * NO * NG;
  FdxQuad* const up   = (FdxQuad*)malloc(cap * sizeof(FdxQuad));
  FdxQuad* const down = (FdxQuad*)malloc(cap * sizeof(FdxQuad));
  REQUIRE(up && down);
  size_t total = 0;
  for (int p = 0; p < NP; ++p) {
    for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); ++r) {
      const size_t n  = object_range(txn, m->p[p], ranges[r][0], ranges[r][1],
                                     false, up, cap);
      const size_t nd = object_range(txn, m->p[p], ranges[r][0], ranges[r][1],
                                     true, down, cap);
      CHECK(n == nd);
      for (size_t i = 0; i < n && n == nd; ++i) {
        const FdxQuad* const a = &up[i];
        const FdxQuad* const b = &down[n - 1 - i];
        if (a->s != b->s || a->o != b->o || a->g != b->g) {
          CHECK(!"a downward object range is not the upward one reversed");
          break;
        }
      }
      total += n;
    }
  }
  CHECK(total > 5000);
  printf("  object ranges read down and up: %zu quads\n", total);
  free(up);
  free(down);
  fdx_txn_abort(txn);
}

/* An aborted transaction changes nothing, and moves no generation. */
static void
test_abort(FdxStore* const store, Model* const m)
{
  Model* const saved = (Model*)malloc(sizeof(Model));
  REQUIRE(saved);
  memcpy(saved, m, sizeof(Model));

  FdxTxn* const txn = begin(store, FDX_TXN_WRITE);
  random_ops(txn, m, 1500, NS, 50);
  uint64_t removed = 0;
  CHECK_ST(fdx_graph_clear(txn, m->g[1], &removed), FDX_SUCCESS);
  for (int s = 0; s < NS; ++s) {
    for (int p = 0; p < NP; ++p) {
      for (int o = 0; o < NO; ++o) {
        m->has[s][p][o][1] = false;
      }
    }
  }
  const FdxTerm t  = fdx_term_iri(EX "aborted");
  FdxId         id = FDX_ID_ANY;
  CHECK_ST(fdx_term_intern(txn, &t, &id), FDX_SUCCESS);
  verify(txn, m, 4, false);
  fdx_txn_abort(txn);

  memcpy(m, saved, sizeof(Model));
  free(saved);
  verify_committed(store, m, 30, true);
  FdxTxn* const rtxn = begin(store, 0);
  CHECK_ST(fdx_term_id(rtxn, &t, &id), FDX_FAILURE);
  fdx_txn_abort(rtxn);
}

/* Transactions that change no quad leave the generation alone. */
static void
test_no_change(FdxStore* const store, Model* const m)
{
  /* Nothing at all. */
  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  commit(txn, m, false);
  verify_committed(store, m, 2, false);

  /* Only adds of quads that are there, removes of quads that are not, a
   * term interned, and a graph with no quads cleared. */
  txn      = begin(store, FDX_TXN_WRITE);
  int adds = 0, dels = 0;
  while (adds < 200 || dels < 200) {
    const int     s = (int)rng_below(NS);
    const int     p = (int)rng_below(NP);
    const int     o = (int)rng_below(NO);
    const int     g = (int)rng_below(NG);
    const FdxQuad q = model_quad(m, s, p, o, g);
    if (m->has[s][p][o][g] && adds < 200) {
      CHECK_ST(fdx_quad_add(txn, &q), FDX_FAILURE);
      ++adds;
    } else if (!m->has[s][p][o][g] && dels < 200) {
      CHECK_ST(fdx_quad_remove(txn, &q), FDX_FAILURE);
      ++dels;
    }
  }
  const FdxTerm t  = fdx_term_iri(EX "no-change");
  FdxId         id = FDX_ID_ANY;
  CHECK_ST(fdx_term_intern(txn, &t, &id), FDX_SUCCESS);
  uint64_t removed = 99;
  CHECK_ST(fdx_graph_clear(txn, m->extra[1], &removed), FDX_SUCCESS);
  CHECK(removed == 0);
  commit(txn, m, false);
  verify_committed(store, m, 10, false);

  /* A read transaction "committed". */
  txn = begin(store, 0);
  CHECK(!fdx_txn_is_write(txn));
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  /* Many changes in one transaction: exactly one step. */
  txn = begin(store, FDX_TXN_WRITE);
  CHECK(fdx_txn_is_write(txn));
  const bool changed = random_ops(txn, m, 500, NS, 50);
  CHECK(changed);
  commit(txn, m, changed);
  verify_committed(store, m, 10, false);
}

/* Graph replacement: clear and refill in one transaction, while a reader
 * that began before the commit keeps seeing the old graph. */
static void
test_graph_clear(FdxStore* const store, Model* const m)
{
  const int gi = 3; /* the graph named by a subject */
  /* Make sure the graph has some quads to lose. */
  FdxTxn* txn     = begin(store, FDX_TXN_WRITE);
  bool    changed = false;
  for (int i = 0; i < 300; ++i) {
    changed |= add(
      txn, m, (int)rng_below(NS), (int)rng_below(NP), (int)rng_below(NO), gi);
  }
  commit(txn, m, changed);

  Model* old = (Model*)malloc(sizeof(Model));
  REQUIRE(old);
  memcpy(old, m, sizeof(Model));
  uint64_t in_graph = 0;
  for (int s = 0; s < NS; ++s) {
    for (int p = 0; p < NP; ++p) {
      for (int o = 0; o < NO; ++o) {
        in_graph += m->has[s][p][o][gi];
      }
    }
  }

  FdxTxn* const before = begin(store, 0);

  txn              = begin(store, FDX_TXN_WRITE);
  uint64_t removed = 0;
  CHECK_ST(fdx_graph_clear(txn, m->g[gi], &removed), FDX_SUCCESS);
  CHECK(removed == in_graph);
  for (int s = 0; s < NS; ++s) {
    for (int p = 0; p < NP; ++p) {
      for (int o = 0; o < NO; ++o) {
        m->has[s][p][o][gi] = false;
      }
    }
  }
  const FdxQuad gpat = { 0, 0, 0, m->g[gi] };
  check_pattern(txn, m, &gpat);
  for (int i = 0; i < 200; ++i) {
    add(txn, m, (int)rng_below(NS), (int)rng_below(NP), (int)rng_below(NO), gi);
  }
  verify(txn, m, 6, false);
  commit(txn, m, true);

  FdxTxn* const after = begin(store, 0);
  /* The old reader: the old graph, old counts, old generation. */
  verify(before, old, 20, true);
  /* A new reader: the new graph. */
  verify(after, m, 20, true);
  fdx_txn_abort(before);
  fdx_txn_abort(after);
  free(old);

  /* Clearing the default graph, then changing our mind. */
  old = (Model*)malloc(sizeof(Model));
  REQUIRE(old);
  memcpy(old, m, sizeof(Model));
  txn = begin(store, FDX_TXN_WRITE);
  CHECK_ST(fdx_graph_clear(txn, FDX_ID_DEFAULT_GRAPH, NULL), FDX_SUCCESS);
  for (int s = 0; s < NS; ++s) {
    for (int p = 0; p < NP; ++p) {
      for (int o = 0; o < NO; ++o) {
        m->has[s][p][o][0] = false;
      }
    }
  }
  verify(txn, m, 6, false);
  fdx_txn_abort(txn);
  memcpy(m, old, sizeof(Model));
  free(old);
  verify_committed(store, m, 10, false);
}

static void
test_bad_args(FdxStore* const store, const Model* const m)
{
  FdxTxn* const txn  = begin(store, FDX_TXN_WRITE);
  const FdxQuad good = { m->s[0], m->p[0], m->o[0], m->g[0] };
  for (int pos = 0; pos < 4; ++pos) {
    FdxQuad q = good;
    set_pos(&q, pos, FDX_ID_ANY);
    CHECK_ST(fdx_quad_add(txn, &q), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_quad_remove(txn, &q), FDX_ERR_BAD_ARG);
  }
  /* Not RDF quads: a literal or inlined value as subject, predicate or
   * graph, a blank node as predicate, an id of no known tag. */
  const FdxId literal = ((FdxId)FDX_TAG_SIMPLE << 60) | 1;
  const FdxId integer = ((FdxId)FDX_TAG_INTEGER << 60) | 5;
  const FdxId blank   = ((FdxId)FDX_TAG_BLANK << 60) | 1;
  const FdxId no_tag  = ((FdxId)15 << 60) | 1;
  const FdxQuad not_rdf[] = {
    {literal, good.p, good.o, good.g}, {integer, good.p, good.o, good.g},
    {good.s, literal, good.o, good.g}, {good.s, blank, good.o, good.g},
    {good.s, good.p, good.o, literal}, {good.s, good.p, good.o, integer},
    {good.s, good.p, no_tag, good.g},  {no_tag, good.p, good.o, good.g},
  };
  for (size_t i = 0; i < sizeof(not_rdf) / sizeof(not_rdf[0]); ++i) {
    CHECK_ST(fdx_quad_add(txn, &not_rdf[i]), FDX_ERR_BAD_ARG);
    /* Not there, but removable: an older store may hold one. */
    CHECK_ST(fdx_quad_remove(txn, &not_rdf[i]), FDX_FAILURE);
  }
  const FdxQuad default_object = {good.s, good.p, FDX_ID_DEFAULT_GRAPH, good.g};
  CHECK_ST(fdx_quad_add(txn, &default_object), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_quad_remove(txn, &default_object), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_quad_add(txn, NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_graph_clear(txn, FDX_ID_ANY, NULL), FDX_ERR_BAD_ARG);
  FdxQuadIter* it = NULL;
  CHECK_ST(fdx_quad_find(txn, NULL, &it), FDX_ERR_BAD_ARG);
  fdx_txn_abort(txn);

  FdxTxn* const rtxn = begin(store, 0);
  CHECK_ST(fdx_quad_add(rtxn, &good), FDX_ERR_READ_ONLY);
  CHECK_ST(fdx_quad_remove(rtxn, &good), FDX_ERR_READ_ONLY);
  CHECK_ST(fdx_graph_clear(rtxn, m->g[1], NULL), FDX_ERR_READ_ONLY);
  fdx_txn_abort(rtxn);
}

int
main(void)
{
  test_start("test_quads");
  make_tmp_root("quads");
  FdxStore* store =
    open_store("store", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);

  Model* const m = (Model*)calloc(1, sizeof(Model));
  REQUIRE(m);
  model_init(store, m);
  /* Interning terms changes no quad. */
  verify_committed(store, m, 2, false);

  test_random_txns(store, m);
  test_big_predicate(store, m);
  test_object_ranges_desc(store, m);
  test_abort(store, m);
  test_no_change(store, m);
  test_graph_clear(store, m);
  test_bad_args(store, m);

  /* Everything again after closing and reopening the store. */
  fdx_store_free(store);
  store = open_store("store", FDX_STORE_NO_SYNC, 0, 0);
  verify_committed(store, m, 60, true);
  fdx_store_free(store);
  free(m);

  return test_finish("test_quads");
}
