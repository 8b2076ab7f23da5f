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
#include "fairdex/status.h"
#include "fairdex/store.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSD "http://www.w3.org/2001/XMLSchema#"
#define EX "http://example.org/"

/* ------------------------------------------------------------------------
 * Checks, temporary directory, random numbers
 * --------------------------------------------------------------------- */

static int n_failures = 0;

static void
check_failed(const char* const file, const int line, const char* const what)
{
  if (++n_failures <= 60) {
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
  }
}

#define CHECK(cond)                            \
  do {                                         \
    if (!(cond)) {                             \
      check_failed(__FILE__, __LINE__, #cond); \
    }                                          \
  } while (0)

#define CHECK_ST(expr, want)                        \
  do {                                              \
    const FdxStatus got_st_ = (expr);               \
    if (got_st_ != (want)) {                        \
      char msg_[512];                               \
      snprintf(msg_,                                \
               sizeof(msg_),                        \
               "%s gave %d (%s), expected %d (%s)", \
               #expr,                               \
               (int)got_st_,                        \
               fdx_strerror(got_st_),               \
               (int)(want),                         \
               fdx_strerror(want));                 \
      check_failed(__FILE__, __LINE__, msg_);       \
    }                                               \
  } while (0)

#define REQUIRE(cond)                          \
  do {                                         \
    if (!(cond)) {                             \
      check_failed(__FILE__, __LINE__, #cond); \
      exit(1);                                 \
    }                                          \
  } while (0)

static char tmp_root[4096];

static int
rm_entry(const char* const        path,
         const struct stat* const sb,
         const int                flag,
         struct FTW* const        ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void
remove_tmp_root(void)
{
  if (tmp_root[0]) {
    nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmp_root[0] = '\0';
  }
}

static uint64_t rng_state = 0;

static uint64_t
rng_next(void)
{
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * UINT64_C(0x2545F4914F6CDD1D);
}

static unsigned
rng_below(const unsigned n)
{
  return (unsigned)(rng_next() % n);
}

static FdxTxn*
begin(FdxStore* const store, const unsigned flags)
{
  FdxTxn* txn = NULL;
  REQUIRE(fdx_txn_begin(store, flags, &txn) == FDX_SUCCESS);
  REQUIRE(txn);
  return txn;
}

/* ------------------------------------------------------------------------
 * Quad vectors
 * --------------------------------------------------------------------- */

typedef struct
{
  FdxQuad* q;
  size_t   n;
  size_t   cap;
} QuadVec;

static void
vec_push(QuadVec* const v, const FdxQuad* const q)
{
  if (v->n == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 256;
    v->q   = (FdxQuad*)realloc(v->q, v->cap * sizeof(FdxQuad));
    REQUIRE(v->q);
  }
  v->q[v->n++] = *q;
}

static int
quad_cmp(const void* const a, const void* const b)
{
  const FdxQuad* const x     = (const FdxQuad*)a;
  const FdxQuad* const y     = (const FdxQuad*)b;
  const FdxId          xs[4] = { x->s, x->p, x->o, x->g };
  const FdxId          ys[4] = { y->s, y->p, y->o, y->g };
  for (int i = 0; i < 4; ++i) {
    if (xs[i] != ys[i]) {
      return xs[i] < ys[i] ? -1 : 1;
    }
  }
  return 0;
}

static bool
quad_matches(const FdxQuad* const q, const FdxQuad* const pat)
{
  return (!pat->s || pat->s == q->s) && (!pat->p || pat->p == q->p) &&
         (!pat->o || pat->o == q->o) && (!pat->g || pat->g == q->g);
}

/* ------------------------------------------------------------------------
 * The model: which (s, p, o, g) of the id pools are stored
 * --------------------------------------------------------------------- */

enum
{
  NS       = 100,
  NS_SMALL = 20,
  NP       = 5,
  NO       = 30,
  NG       = 4,
  NX       = 4
};

typedef struct
{
  FdxId    s[NS];
  FdxId    p[NP];
  FdxId    o[NO];
  FdxId    g[NG];
  FdxId    extra[NX]; /* ids of terms in no quad */
  FdxId    all[NS + NP + NO + NG + NX];
  size_t   n_all;
  bool     has[NS][NP][NO][NG];
  uint64_t generation; /* what the store's generation must be */
} Model;

static int
pool_index(const FdxId* const pool, const int n, const FdxId id)
{
  for (int i = 0; i < n; ++i) {
    if (pool[i] == id) {
      return i;
    }
  }
  return -1;
}

static FdxQuad
model_quad(const Model* const m,
           const int          s,
           const int          p,
           const int          o,
           const int          g)
{
  const FdxQuad q = { m->s[s], m->p[p], m->o[o], m->g[g] };
  return q;
}

static uint64_t
model_size(const Model* const m)
{
  uint64_t n = 0;
  for (int s = 0; s < NS; ++s) {
    for (int p = 0; p < NP; ++p) {
      for (int o = 0; o < NO; ++o) {
        for (int g = 0; g < NG; ++g) {
          n += m->has[s][p][o][g];
        }
      }
    }
  }
  return n;
}

/* The quads of the model matching `pat`, sorted. */
static void
model_match(const Model* const m, const FdxQuad* const pat, QuadVec* const out)
{
  out->n                      = 0;
  int                lo[4]    = { 0, 0, 0, 0 };
  int                hi[4]    = { NS, NP, NO, NG };
  const FdxId* const pools[4] = { m->s, m->p, m->o, m->g };
  const FdxId        ids[4]   = { pat->s, pat->p, pat->o, pat->g };
  for (int i = 0; i < 4; ++i) {
    if (ids[i] != FDX_ID_ANY) {
      const int k = pool_index(pools[i], hi[i], ids[i]);
      if (k < 0) {
        return;
      }
      lo[i] = k;
      hi[i] = k + 1;
    }
  }
  for (int s = lo[0]; s < hi[0]; ++s) {
    for (int p = lo[1]; p < hi[1]; ++p) {
      for (int o = lo[2]; o < hi[2]; ++o) {
        for (int g = lo[3]; g < hi[3]; ++g) {
          if (m->has[s][p][o][g]) {
            const FdxQuad q = model_quad(m, s, p, o, g);
            vec_push(out, &q);
          }
        }
      }
    }
  }
  if (out->n > 1) {
    qsort(out->q, out->n, sizeof(FdxQuad), quad_cmp);
  }
}

/* Intern the terms of the pools (no quads yet). */
static void
model_init(FdxStore* const store, Model* const m)
{
  memset(m, 0, sizeof(*m));
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
  static const char* const inl[][2] = {
    { "-5", XSD "integer" },
    { "0", XSD "integer" },
    { "7", XSD "integer" },
    { "42", XSD "integer" },
    { "1000000", XSD "integer" },
    { "3.25", XSD "decimal" },
    { "-0.5", XSD "decimal" },
    { "true", XSD "boolean" },
    { "false", XSD "boolean" },
    { "2020-02-29", XSD "date" },
    { "2021-03-04T10:11:12Z", XSD "dateTime" },
  };
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
      t = fdx_term_literal(inl[i - 19][0], NULL, inl[i - 19][1]);
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

/* ------------------------------------------------------------------------
 * Comparing the store with the model
 * --------------------------------------------------------------------- */

static void
print_quad(const char* const what, const FdxQuad* const q)
{
  fprintf(stderr,
          "  %s (%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64
          ")\n",
          what,
          q->s,
          q->p,
          q->o,
          q->g);
}

/* Scan and count `pat` and compare with the model. */
static bool
check_pattern(FdxTxn* const txn, const Model* const m, const FdxQuad* pat)
{
  static QuadVec want, got;
  model_match(m, pat, &want);
  got.n = 0;

  bool         ok = true;
  FdxQuadIter* it = NULL;
  FdxStatus    st = fdx_quad_find(txn, pat, &it);
  CHECK_ST(st, FDX_SUCCESS);
  if (st) {
    return false;
  }
  FdxQuad q;
  while (!(st = fdx_quad_iter_next(it, &q))) {
    if (!quad_matches(&q, pat)) {
      if (ok) {
        print_quad("scan returned a quad outside the pattern", &q);
      }
      ok = false;
    }
    vec_push(&got, &q);
    if (got.n > 1000000) {
      fprintf(stderr, "  scan does not end\n");
      ok = false;
      break;
    }
  }
  CHECK_ST(st, FDX_FAILURE);
  /* Past the end it stays at the end. */
  CHECK_ST(fdx_quad_iter_next(it, &q), FDX_FAILURE);
  fdx_quad_iter_free(it);

  if (got.n > 1) {
    qsort(got.q, got.n, sizeof(FdxQuad), quad_cmp);
  }
  for (size_t i = 1; i < got.n; ++i) {
    if (!quad_cmp(&got.q[i - 1], &got.q[i])) {
      if (ok) {
        print_quad("scan returned twice", &got.q[i]);
      }
      ok = false;
    }
  }
  if (got.n != want.n ||
      (got.n && memcmp(got.q, want.q, got.n * sizeof(FdxQuad)))) {
    if (ok) {
      fprintf(
        stderr, "  scan gave %zu quads, the model has %zu\n", got.n, want.n);
      size_t i = 0, j = 0;
      int    shown = 0;
      while ((i < got.n || j < want.n) && shown < 4) {
        const int c = i == got.n    ? 1
                      : j == want.n ? -1
                                    : quad_cmp(&got.q[i], &want.q[j]);
        if (c < 0) {
          print_quad("extra", &got.q[i++]);
          ++shown;
        } else if (c > 0) {
          print_quad("missing", &want.q[j++]);
          ++shown;
        } else {
          ++i;
          ++j;
        }
      }
    }
    ok = false;
  }

  uint64_t count = UINT64_MAX;
  CHECK_ST(fdx_quad_count(txn, pat, &count), FDX_SUCCESS);
  if (count != want.n) {
    if (ok) {
      fprintf(
        stderr, "  count gave %" PRIu64 ", the model has %zu\n", count, want.n);
    }
    ok = false;
  }
  if (!ok) {
    print_quad("for pattern", pat);
    CHECK(!"store and model disagree");
  }
  return ok;
}

/* Store and per-predicate counts, and the generation. */
static void
check_stats(FdxTxn* const txn, const Model* const m)
{
  uint64_t quads = 0, graphs = 0, predicates = 0;
  bool     g_used[NG] = { false };
  for (int p = 0; p < NP; ++p) {
    uint64_t pq = 0, ps = 0, po = 0;
    bool     o_used[NO] = { false };
    for (int s = 0; s < NS; ++s) {
      bool s_used = false;
      for (int o = 0; o < NO; ++o) {
        for (int g = 0; g < NG; ++g) {
          if (m->has[s][p][o][g]) {
            ++pq;
            s_used    = true;
            o_used[o] = true;
            g_used[g] = true;
          }
        }
      }
      ps += s_used;
    }
    for (int o = 0; o < NO; ++o) {
      po += o_used[o];
    }
    quads += pq;
    predicates += pq > 0;

    FdxPredicateStats ret = { 0, 0, 0 };
    const FdxStatus   st  = fdx_predicate_stats(txn, m->p[p], &ret);
    if (!pq) {
      CHECK_ST(st, FDX_FAILURE);
    } else {
      CHECK_ST(st, FDX_SUCCESS);
      if (ret.quads != pq || ret.subjects != ps || ret.objects != po) {
        fprintf(stderr,
                "  predicate %d: store has %" PRIu64 " quads, %" PRIu64
                " subjects, %" PRIu64 " objects; model %" PRIu64 ", %" PRIu64
                ", %" PRIu64 "\n",
                p,
                ret.quads,
                ret.subjects,
                ret.objects,
                pq,
                ps,
                po);
        CHECK(!"predicate statistics disagree");
      }
    }
  }
  for (int g = 0; g < NG; ++g) {
    graphs += g_used[g];
  }
  FdxStoreStats stats;
  memset(&stats, 0xff, sizeof(stats));
  CHECK_ST(fdx_store_stats(txn, &stats), FDX_SUCCESS);
  if (stats.quads != quads || stats.graphs != graphs ||
      stats.predicates != predicates) {
    fprintf(stderr,
            "  store stats: %" PRIu64 " quads, %" PRIu64 " graphs, %" PRIu64
            " predicates; model %" PRIu64 ", %" PRIu64 ", %" PRIu64 "\n",
            stats.quads,
            stats.graphs,
            stats.predicates,
            quads,
            graphs,
            predicates);
    CHECK(!"store statistics disagree");
  }
  CHECK(stats.generation == m->generation);
  CHECK(fdx_txn_generation(txn) == m->generation);
  /* Ids that are no predicate have no statistics. */
  FdxPredicateStats ret;
  CHECK_ST(fdx_predicate_stats(txn, m->extra[0], &ret), FDX_FAILURE);
  CHECK_ST(fdx_predicate_stats(txn, m->s[1], &ret), FDX_FAILURE);
}

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

static void
set_pos(FdxQuad* const q, const int pos, const FdxId id)
{
  switch (pos) {
    case 0:
      q->s = id;
      break;
    case 1:
      q->p = id;
      break;
    case 2:
      q->o = id;
      break;
    default:
      q->g = id;
      break;
  }
}

/* Every pattern with the positions of `mask` bound to every pool value
 * (and one id from no pool), recursively from position `pos`. */
static int
check_all_values(FdxTxn* const      txn,
                 const Model* const m,
                 const unsigned     mask,
                 const int          pos,
                 FdxQuad* const     pat,
                 int                budget)
{
  if (pos == 4) {
    return check_pattern(txn, m, pat) ? budget : budget - 1;
  }
  if (!(mask & (1u << pos))) {
    set_pos(pat, pos, FDX_ID_ANY);
    return check_all_values(txn, m, mask, pos + 1, pat, budget);
  }
  const FdxId* const pools[4] = { m->s, m->p, m->o, m->g };
  const int          sizes[4] = { NS, NP, NO, NG };
  for (int i = 0; i <= sizes[pos] && budget > 0; ++i) {
    set_pos(pat, pos, i < sizes[pos] ? pools[pos][i] : m->extra[0]);
    budget = check_all_values(txn, m, mask, pos + 1, pat, budget);
  }
  return budget;
}

/*
 * Compare everything: statistics, then for each of the 16 combinations of
 * bound positions `n_random` random patterns, and with `exhaustive` every
 * pattern with one or two bound positions.
 */
static void
verify(FdxTxn* const      txn,
       const Model* const m,
       const int          n_random,
       const bool         exhaustive)
{
  check_stats(txn, m);
  for (unsigned mask = 0; mask < 16; ++mask) {
    const int bound = (int)((mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1) +
                            ((mask >> 3) & 1));
    if (exhaustive && bound <= 2) {
      FdxQuad pat = { 0, 0, 0, 0 };
      /* Stop after a few failures of one mask: one is enough to see. */
      check_all_values(txn, m, mask, 0, &pat, 3);
      continue;
    }
    int failures = 0;
    for (int i = 0; i < (bound ? n_random : 1) && failures < 3; ++i) {
      FdxQuad pat = { 0, 0, 0, 0 };
      for (int pos = 0; pos < 4; ++pos) {
        if (mask & (1u << pos)) {
          set_pos(&pat, pos, random_value(m, pos));
        }
      }
      failures += !check_pattern(txn, m, &pat);
    }
  }
}

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

static void
commit(FdxTxn* const txn, Model* const m, const bool changed)
{
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  m->generation += changed;
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
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* const seed_env = getenv("FDX_TEST_SEED");
  rng_state = seed_env ? strtoull(seed_env, NULL, 0) : UINT64_C(20240607);
  if (!rng_state) {
    rng_state = 1;
  }
  printf("test_quads: seed %" PRIu64 " (set FDX_TEST_SEED to change)\n",
         rng_state);

  const char* const tmpdir = getenv("TMPDIR");
  snprintf(tmp_root,
           sizeof(tmp_root),
           "%s/fdx-test-quads-XXXXXX",
           tmpdir && tmpdir[0] ? tmpdir : "/tmp");
  if (!mkdtemp(tmp_root)) {
    perror("mkdtemp");
    return 1;
  }
  atexit(remove_tmp_root);

  char dir[4200];
  snprintf(dir, sizeof(dir), "%s/store", tmp_root);
  FdxStore* store = NULL;
  REQUIRE(fdx_store_new(&store) == FDX_SUCCESS);
  REQUIRE(
    fdx_store_open(store, dir, FDX_STORE_CREATE | FDX_STORE_NO_SYNC, NULL) ==
    FDX_SUCCESS);

  Model* const m = (Model*)calloc(1, sizeof(Model));
  REQUIRE(m);
  model_init(store, m);
  /* Interning terms changes no quad. */
  verify_committed(store, m, 2, false);

  test_random_txns(store, m);
  test_big_predicate(store, m);
  test_abort(store, m);
  test_no_change(store, m);
  test_graph_clear(store, m);
  test_bad_args(store, m);

  /* Everything again after closing and reopening the store. */
  fdx_store_free(store);
  store = NULL;
  REQUIRE(fdx_store_new(&store) == FDX_SUCCESS);
  REQUIRE(fdx_store_open(store, dir, FDX_STORE_NO_SYNC, NULL) == FDX_SUCCESS);
  verify_committed(store, m, 60, true);
  fdx_store_free(store);
  free(m);

  if (n_failures) {
    fprintf(stderr, "test_quads: %d check(s) failed\n", n_failures);
    return 1;
  }
  printf("test_quads: ok\n");
  return 0;
}
