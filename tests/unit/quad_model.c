/*
 * quad_model.c: the brute-force quad model shared by test_quads.c and
 * test_loader.c, and the comparison of a store with it; see quad_model.h.
 */
#include "quad_model.h"

#include "test_util.h"

#include <inttypes.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Quad vectors
 * --------------------------------------------------------------------- */

void
vec_push(QuadVec* const v, const FdxQuad* const q)
{
  if (v->n == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 256;
    v->q   = (FdxQuad*)realloc(v->q, v->cap * sizeof(FdxQuad));
    REQUIRE(v->q);
  }
  v->q[v->n++] = *q;
}

int
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

bool
quad_matches(const FdxQuad* const q, const FdxQuad* const pat)
{
  return (!pat->s || pat->s == q->s) && (!pat->p || pat->p == q->p) &&
         (!pat->o || pat->o == q->o) && (!pat->g || pat->g == q->g);
}

/* ------------------------------------------------------------------------
 * The model
 * --------------------------------------------------------------------- */

#define XSD "http://www.w3.org/2001/XMLSchema#"

const char* const inlined_literals[N_INLINED][2] = {
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

int
pool_index(const FdxId* const pool, const int n, const FdxId id)
{
  for (int i = 0; i < n; ++i) {
    if (pool[i] && pool[i] == id) {
      return i;
    }
  }
  return -1;
}

FdxQuad
model_quad(const Model* const m,
           const int          s,
           const int          p,
           const int          o,
           const int          g)
{
  const FdxQuad q = { m->s[s], m->p[p], m->o[o], m->g[g] };
  return q;
}

uint64_t
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

void
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

void
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

/* ------------------------------------------------------------------------
 * Comparing the store with the model
 * --------------------------------------------------------------------- */

void
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

bool
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
  if (m->check_past_end) {
    /* Past the end it stays at the end. */
    CHECK_ST(fdx_quad_iter_next(it, &q), FDX_FAILURE);
  }
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

/* Store and per-predicate counts, and the generation.  Predicates the store
 * has not seen (id 0) are counted but not asked about. */
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
    if (!m->p[p]) {
      continue;
    }
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
  if (m->check_non_predicates) {
    /* Ids that are no predicate have no statistics. */
    FdxPredicateStats ret;
    CHECK_ST(fdx_predicate_stats(txn, m->extra[0], &ret), FDX_FAILURE);
    CHECK_ST(fdx_predicate_stats(txn, m->s[1], &ret), FDX_FAILURE);
  }
}

/* Every pattern with the positions of `mask` bound to every known pool
 * value (and extra[0], an id in no quad, if there is one), recursively from
 * position `pos`.  Returns what is left of `budget`, less one per pattern
 * that failed. */
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
    const FdxId id = i < sizes[pos] ? pools[pos][i] : m->extra[0];
    if (id) {
      set_pos(pat, pos, id);
      budget = check_all_values(txn, m, mask, pos + 1, pat, budget);
    }
  }
  return budget;
}

void
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
          set_pos(&pat, pos, m->random_value(m, pos));
        }
      }
      failures += !check_pattern(txn, m, &pat);
    }
  }
}

void
commit(FdxTxn* const txn, Model* const m, const bool changed)
{
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  m->generation += changed;
}
