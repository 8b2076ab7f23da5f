/*
 * select.c: what happens to solutions after the WHERE clause: grouping
 * and aggregates, HAVING, projection expressions, ORDER BY, projection,
 * DISTINCT / REDUCED and OFFSET / LIMIT (SPARQL 1.1 sections 11 and 15).
 *
 * Solutions stream through when they can (no ORDER BY, no grouping):
 * DISTINCT keeps a hash set of the projected rows it has passed, and
 * LIMIT stops the WHERE evaluation as soon as it is reached.  Grouping
 * keeps one accumulator per aggregate per group, not the group's rows.
 * ORDER BY keeps the rows and their sort keys, or only the best
 * OFFSET + LIMIT of them (a bounded heap) when there is a LIMIT.  All of
 * it is charged to the execution's memory limit.
 */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Hash sets of id tuples (DISTINCT, groups, DISTINCT aggregates)
 * --------------------------------------------------------------------- */

static uint64_t
tuple_hash(const FdxId* const t, const uint32_t w)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (uint32_t i = 0; i < w; ++i) {
    h = (h ^ t[i]) * UINT64_C(0x100000001b3);
    h ^= h >> 31;
  }
  return h;
}

void
tuple_set_free(TupleSet* const s)
{
  free(s->tuples);
  free(s->slots);
  memset(s, 0, sizeof(*s));
}

/* Find `t`, adding it if absent; *ret_index is its index, *ret_new whether
 * it was added. */
FdxStatus
tuple_set_add(Exec* const ex, TupleSet* const s, const FdxId* const t,
              size_t* const ret_index, bool* const ret_new)
{
  const uint32_t w = s->width;
  if ((s->n + 1) * 2 > s->mask) {
    const size_t    n     = s->mask ? (s->mask + 1) * 2 : 64;
    uint32_t* const slots = (uint32_t*)calloc(n, sizeof(uint32_t));
    if (!slots) {
      return FDX_ERR_NO_MEMORY;
    }
    for (size_t i = 0; i < s->n; ++i) {
      size_t j = tuple_hash(s->tuples + i * w, w) & (n - 1);
      while (slots[j]) {
        j = (j + 1) & (n - 1);
      }
      slots[j] = (uint32_t)i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->mask  = n - 1;
    FdxStatus st = exec_charge(ex, n * sizeof(uint32_t) / 2);
    if (st) {
      return st;
    }
  }
  size_t j = tuple_hash(t, w) & s->mask;
  for (; s->slots[j]; j = (j + 1) & s->mask) {
    const size_t i = s->slots[j] - 1;
    if (!memcmp(s->tuples + i * w, t, w * sizeof(FdxId))) {
      *ret_index = i;
      *ret_new   = false;
      return FDX_SUCCESS;
    }
  }
  if (s->n == s->cap) {
    const size_t cap    = s->cap ? s->cap * 2 : 64;
    FdxId* const tuples = (FdxId*)realloc(s->tuples, cap * w * sizeof(FdxId) + 8);
    if (!tuples) {
      return FDX_ERR_NO_MEMORY;
    }
    s->tuples    = tuples;
    FdxStatus st = exec_charge(ex, (cap - s->cap) * w * sizeof(FdxId));
    s->cap       = cap;
    if (st) {
      return st;
    }
  }
  memcpy(s->tuples + s->n * w, t, w * sizeof(FdxId));
  s->slots[j] = (uint32_t)s->n + 1;
  *ret_index  = s->n++;
  *ret_new    = true;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Aggregates
 * --------------------------------------------------------------------- */

typedef struct {
  uint64_t  count;
  ValueKind kind;   /* SUM/AVG: the promoted numeric type so far */
  int64_t   isum;
  double    dsum;
  bool      error;
  FdxId     best;   /* MIN/MAX/SAMPLE */
  char*     text;   /* GROUP_CONCAT */
  size_t    text_len;
  size_t    text_cap;
  TupleSet  seen;   /* DISTINCT */
} Acc;

typedef struct {
  const FdxSparqlSelect* sel;
  const FdxId*           seed;
  EmitFn                 emit;
  void*                  ctx;
  /* grouping */
  TupleSet  groups; /* keys */
  Acc*      accs;   /* groups.n x n_aggregates */
  size_t    accs_cap;
  FdxId*    firsts; /* a row of each group (for SAMPLE-free key vars) */
  FdxId     last_key[16]; /* the previous row's key, when it had <= 16 */
  size_t    last_group;   /* and its group, if have_last */
  bool      have_last;
  /* ordering */
  FdxId*    sorted; /* rows with their key ids after them */
  size_t    n_sorted;
  size_t    cap_sorted;
  uint32_t  width; /* n_vars + n_order_by */
  bool      top_k;
  uint64_t  keep;  /* OFFSET + LIMIT when top_k */
  /* output */
  TupleSet  distinct;
  size_t    last_distinct; /* the index of the last row looked up */
  uint64_t  skipped;
  uint64_t  emitted;
  bool      limit_hit;
  FdxStatus downstream; /* a stop that came from `emit` */
} SelectRun;

static void
acc_free(Acc* const a)
{
  free(a->text);
  tuple_set_free(&a->seen);
}

static ValueKind
promote(const ValueKind a, const ValueKind b)
{
  if (a == V_DOUBLE || b == V_DOUBLE) {
    return V_DOUBLE;
  }
  if (a == V_FLOAT || b == V_FLOAT) {
    return V_FLOAT;
  }
  if (a == V_DECIMAL || b == V_DECIMAL) {
    return V_DECIMAL;
  }
  return V_INTEGER;
}

static FdxStatus
acc_add(Exec* const ex, const FdxSparqlExpr* const agg, Acc* const a,
        const FdxId* const row)
{
  FdxStatus st;
  if (agg->star) {
    if (agg->distinct) {
      size_t idx;
      bool   is_new;
      a->seen.width = ex->n_vars;
      if ((st = tuple_set_add(ex, &a->seen, row, &idx, &is_new)) || !is_new) {
        return st;
      }
    }
    ++a->count;
    return FDX_SUCCESS;
  }
  if (a->error) {
    return FDX_SUCCESS;
  }
  Value v;
  const FdxSparqlExpr* const arg = agg->args[0];
  if (arg->kind == FDX_SPARQL_EXPR_VAR &&
      (agg->agg == FDX_SPARQL_AGG_COUNT || agg->agg == FDX_SPARQL_AGG_SAMPLE)) {
    /* A variable counted or sampled: its id is enough, no decoding. */
    const FdxId id = row[arg->term.index];
    if (!id) {
      return FDX_SUCCESS;
    }
    if (agg->distinct) {
      size_t idx;
      bool   is_new;
      a->seen.width = 1;
      if ((st = tuple_set_add(ex, &a->seen, &id, &idx, &is_new)) || !is_new) {
        return st;
      }
    }
    if (agg->agg == FDX_SPARQL_AGG_COUNT) {
      ++a->count;
    } else if (!a->best) {
      a->best = id;
    }
    return FDX_SUCCESS;
  }
  if ((st = expr_eval(ex, arg, row, NULL, &v))) {
    return st;
  }
  if (v.kind == V_UNBOUND) {
    if (agg->agg != FDX_SPARQL_AGG_COUNT && agg->agg != FDX_SPARQL_AGG_SAMPLE) {
      a->error = agg->agg != FDX_SPARQL_AGG_MIN && agg->agg != FDX_SPARQL_AGG_MAX
                   ? true
                   : a->error;
    }
    return FDX_SUCCESS;
  }
  FdxId id = 0;
  if ((st = value_id(ex, &v, &id))) {
    return st;
  }
  if (agg->distinct) {
    size_t idx;
    bool   is_new;
    a->seen.width = 1;
    if ((st = tuple_set_add(ex, &a->seen, &id, &idx, &is_new)) || !is_new) {
      return st;
    }
  }
  switch (agg->agg) {
  case FDX_SPARQL_AGG_COUNT:
    ++a->count;
    break;
  case FDX_SPARQL_AGG_SUM:
  case FDX_SPARQL_AGG_AVG:
    if (!value_is_numeric(&v)) {
      a->error = true;
      break;
    }
    a->kind = a->count ? promote(a->kind, v.kind) : v.kind;
    if (v.kind == V_INTEGER && !__builtin_add_overflow(a->isum, v.v.i, &a->isum)) {
      a->dsum += (double)v.v.i;
    } else {
      a->dsum += value_number(&v);
      if (v.kind == V_INTEGER) {
        a->kind = promote(a->kind, V_DECIMAL);
      }
    }
    ++a->count;
    break;
  case FDX_SPARQL_AGG_MIN:
  case FDX_SPARQL_AGG_MAX:
    if (!a->best) {
      a->best = id;
    } else {
      Value cur;
      Value nv = v;
      if ((st = value_from_id(ex, a->best, &cur))) {
        return st;
      }
      const int c = value_order(&nv, &cur);
      if (agg->agg == FDX_SPARQL_AGG_MIN ? c < 0 : c > 0) {
        a->best = id;
      }
    }
    break;
  case FDX_SPARQL_AGG_SAMPLE:
    if (!a->best) {
      a->best = id;
    }
    break;
  case FDX_SPARQL_AGG_GROUP_CONCAT: {
    if (v.kind != V_STRING && v.kind != V_LANG) {
      a->error = true;
      break;
    }
    const char*  sep     = agg->separator.str ? agg->separator.str : " ";
    const size_t sep_len = agg->separator.str ? agg->separator.len : 1;
    const size_t need    = a->text_len + (a->count ? sep_len : 0) + v.len + 1;
    if (need > a->text_cap) {
      const size_t cap  = need * 2;
      char* const  text = (char*)realloc(a->text, cap);
      if (!text) {
        return FDX_ERR_NO_MEMORY;
      }
      if ((st = exec_charge(ex, cap - a->text_cap))) {
        a->text = text;
        return st;
      }
      a->text     = text;
      a->text_cap = cap;
    }
    if (a->count) {
      memcpy(a->text + a->text_len, sep, sep_len);
      a->text_len += sep_len;
    }
    if (v.len) {
      memcpy(a->text + a->text_len, v.str, v.len);
    }
    a->text_len += v.len;
    ++a->count;
    break;
  }
  case FDX_SPARQL_AGG_CUSTOM:
    a->error = true;
    break;
  }
  return FDX_SUCCESS;
}

static FdxStatus
acc_value(Exec* const ex, const FdxSparqlExpr* const agg, const Acc* const a,
          Value* const ret)
{
  memset(ret, 0, sizeof(*ret));
  if (a->error) {
    return FDX_SUCCESS;
  }
  switch (agg->agg) {
  case FDX_SPARQL_AGG_COUNT:
    value_integer(ret, (int64_t)a->count);
    return FDX_SUCCESS;
  case FDX_SPARQL_AGG_SUM:
    if (!a->count) {
      value_integer(ret, 0);
    } else if (a->kind == V_INTEGER) {
      value_integer(ret, a->isum);
    } else if (a->kind == V_DECIMAL) {
      value_decimal(ret, a->dsum);
    } else if (a->kind == V_FLOAT) {
      value_float(ret, a->dsum);
    } else {
      value_double(ret, a->dsum);
    }
    return FDX_SUCCESS;
  case FDX_SPARQL_AGG_AVG:
    if (!a->count) {
      value_integer(ret, 0);
    } else if (a->kind == V_INTEGER || a->kind == V_DECIMAL) {
      value_decimal(ret, a->dsum / (double)a->count);
    } else if (a->kind == V_FLOAT) {
      value_float(ret, a->dsum / (double)a->count);
    } else {
      value_double(ret, a->dsum / (double)a->count);
    }
    return FDX_SUCCESS;
  case FDX_SPARQL_AGG_MIN:
  case FDX_SPARQL_AGG_MAX:
  case FDX_SPARQL_AGG_SAMPLE:
    return a->best ? value_from_id(ex, a->best, ret) : FDX_SUCCESS;
  case FDX_SPARQL_AGG_GROUP_CONCAT: {
    char* const s = arena_strdup(&ex->scratch, a->text ? a->text : "", a->text_len);
    if (!s) {
      return FDX_ERR_NO_MEMORY;
    }
    value_string(ret, s, a->text_len);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_AGG_CUSTOM:
    return FDX_SUCCESS;
  }
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Output: projection, DISTINCT, OFFSET, LIMIT
 * --------------------------------------------------------------------- */

static FdxStatus
output(Exec* const ex, SelectRun* const r, const FdxId* const row)
{
  const FdxSparqlSelect* const sel = r->sel;
  FdxId* const                 out = rows_push(ex);
  if (!out) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  if (sel->n_projection) {
    memset(out, 0, ex->n_vars * sizeof(FdxId));
    for (uint32_t i = 0; i < sel->n_projection; ++i) {
      out[sel->projection[i].var] = row[sel->projection[i].var];
    }
  } else {
    /* The bodies of CONSTRUCT, ASK and DESCRIBE keep every variable. */
    memcpy(out, row, ex->n_vars * sizeof(FdxId));
  }
  FdxStatus st = FDX_SUCCESS;
  if (sel->distinct || sel->reduced) {
    size_t idx;
    bool   is_new;
    r->distinct.width = ex->n_vars;
    /* The last row seen again (rows often come in the order of the
     * projected values) is a repeat without hashing. */
    bool same = r->distinct.n > 0;
    for (uint32_t i = 0; same && i < ex->n_vars; ++i) {
      same = r->distinct.tuples[r->last_distinct * ex->n_vars + i] == out[i];
    }
    if (same) {
      rows_pop(ex);
      return FDX_SUCCESS;
    }
    if ((st = tuple_set_add(ex, &r->distinct, out, &idx, &is_new))) {
      rows_pop(ex);
      return st;
    }
    r->last_distinct = idx;
    if (!is_new) {
      rows_pop(ex);
      return FDX_SUCCESS;
    }
  }
  if (sel->has_offset && r->skipped < sel->offset) {
    ++r->skipped;
    rows_pop(ex);
    return FDX_SUCCESS;
  }
  if (sel->has_limit && r->emitted >= sel->limit) {
    r->limit_hit = true;
    rows_pop(ex);
    return FDX_FAILURE;
  }
  ++r->emitted;
  st = r->emit(ex, r->ctx, out);
  if (st == FDX_FAILURE) {
    r->downstream = FDX_FAILURE;
  }
  if (!st && sel->has_limit && r->emitted >= sel->limit) {
    r->limit_hit = true;
    st           = FDX_FAILURE;
  }
  rows_pop(ex);
  return st;
}

/* Evaluate the (expr AS ?v) items of the SELECT list into `row`. */
static FdxStatus
project_exprs(Exec* const ex, const FdxSparqlSelect* const sel, FdxId* const row,
              const Value* const aggs)
{
  ++ex->row_seq;
  for (uint32_t i = 0; i < sel->n_projection; ++i) {
    const FdxSparqlProjection* const p = &sel->projection[i];
    if (!p->expr) {
      continue;
    }
    Value     v;
    FdxStatus st = expr_eval(ex, p->expr, row, aggs, &v);
    if (!st && v.kind != V_UNBOUND) {
      st = value_id(ex, &v, &row[p->var]);
    }
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * ORDER BY
 * --------------------------------------------------------------------- */

typedef struct {
  Exec*                  ex;
  const FdxSparqlSelect* sel;
  uint32_t               width;
  FdxStatus              st;
} SortCtx;

static int
cmp_keys(SortCtx* const c, const FdxId* const a, const FdxId* const b)
{
  Exec* const ex = c->ex;
  for (uint32_t k = 0; k < c->sel->n_order_by; ++k) {
    const FdxId x = a[ex->n_vars + k];
    const FdxId y = b[ex->n_vars + k];
    if (x == y) {
      continue;
    }
    int r;
    /* Inline values of one kind sort by id (dates and times by their UTC
     * instant, then zone: a valid order for ORDER BY). */
    if (x && y && fdx_id_is_inline(x) && fdx_id_tag(x) == fdx_id_tag(y)) {
      r = x < y ? -1 : 1;
    } else {
      Value vx, vy;
      if (value_from_id(ex, x, &vx) || value_from_id(ex, y, &vy)) {
        c->st = ex->status ? ex->status : FDX_ERR_CORRUPT;
        return 0;
      }
      r = value_order(&vx, &vy);
    }
    if (r) {
      return c->sel->order_by[k].descending ? -r : r;
    }
  }
  return 0;
}

static int
qsort_cmp(const void* const a, const void* const b, void* const ctx)
{
  return cmp_keys((SortCtx*)ctx, (const FdxId*)a, (const FdxId*)b);
}

static void
heap_swap(FdxId* const a, FdxId* const b, const uint32_t w)
{
  for (uint32_t i = 0; i < w; ++i) {
    const FdxId t = a[i];
    a[i]          = b[i];
    b[i]          = t;
  }
}

/* Keep the row with its ORDER BY keys. */
static FdxStatus
keep_sorted(Exec* const ex, SelectRun* const r, const FdxId* const row,
            const Value* const aggs)
{
  const FdxSparqlSelect* const sel = r->sel;
  const uint32_t               w   = r->width;
  if (r->n_sorted == r->cap_sorted) {
    const size_t cap  = r->cap_sorted ? r->cap_sorted * 2 : 256;
    FdxId* const rows = (FdxId*)realloc(r->sorted, cap * w * sizeof(FdxId) + 8);
    if (!rows) {
      return FDX_ERR_NO_MEMORY;
    }
    r->sorted    = rows;
    FdxStatus st = exec_charge(ex, (cap - r->cap_sorted) * w * sizeof(FdxId));
    r->cap_sorted = cap;
    if (st) {
      return st;
    }
  }
  /* With a LIMIT the rows form a heap of the best `keep` so far, worst
   * on top; the candidate is built in the slot after them. */
  if (r->top_k && r->keep == 0) {
    return FDX_SUCCESS;
  }
  FdxId* const dst = r->sorted + r->n_sorted * w;
  memcpy(dst, row, ex->n_vars * sizeof(FdxId));
  for (uint32_t k = 0; k < sel->n_order_by; ++k) {
    const FdxSparqlExpr* const key = sel->order_by[k].expr;
    if (key->kind == FDX_SPARQL_EXPR_VAR) {
      dst[ex->n_vars + k] = row[key->term.index]; /* no need to decode */
      continue;
    }
    Value     v;
    FdxStatus st = expr_eval(ex, key, row, aggs, &v);
    if (!st) {
      st = value_id(ex, &v, &dst[ex->n_vars + k]);
    }
    if (st) {
      return st;
    }
  }
  if (!r->top_k) {
    ++r->n_sorted;
    return FDX_SUCCESS;
  }
  SortCtx c = {ex, sel, w, FDX_SUCCESS};
  if (r->n_sorted < r->keep) {
    /* Not full yet: sift the new row up. */
    size_t i = r->n_sorted++;
    while (i > 0) {
      const size_t parent = (i - 1) / 2;
      FdxId* const a      = r->sorted + i * w;
      FdxId* const b      = r->sorted + parent * w;
      if (cmp_keys(&c, a, b) <= 0) {
        break;
      }
      heap_swap(a, b, w);
      i = parent;
    }
    return c.st;
  }
  /* Full: the new row replaces the worst if it sorts before it. */
  if (cmp_keys(&c, dst, r->sorted) >= 0) {
    return c.st;
  }
  memcpy(r->sorted, dst, w * sizeof(FdxId));
  for (size_t i = 0;;) {
    const size_t l = 2 * i + 1, rr = l + 1;
    size_t       worst = i;
    if (l < r->n_sorted &&
        cmp_keys(&c, r->sorted + l * w, r->sorted + worst * w) > 0) {
      worst = l;
    }
    if (rr < r->n_sorted &&
        cmp_keys(&c, r->sorted + rr * w, r->sorted + worst * w) > 0) {
      worst = rr;
    }
    if (worst == i) {
      break;
    }
    heap_swap(r->sorted + i * w, r->sorted + worst * w, w);
    i = worst;
  }
  return c.st;
}

static FdxStatus
flush_sorted(Exec* const ex, SelectRun* const r)
{
  SortCtx c = {ex, r->sel, r->width, FDX_SUCCESS};
  /* qsort_r is not stable; SPARQL leaves the order of ties undefined. */
  if (r->n_sorted > 1) {
    qsort_r(r->sorted, r->n_sorted, r->width * sizeof(FdxId), qsort_cmp, &c);
  }
  if (c.st) {
    return c.st;
  }
  FdxStatus st = FDX_SUCCESS;
  for (size_t i = 0; i < r->n_sorted && !st; ++i) {
    st = output(ex, r, r->sorted + i * r->width);
  }
  return st;
}

/* ------------------------------------------------------------------------
 * The pipeline
 * --------------------------------------------------------------------- */

static FdxStatus
after_projection(Exec* const ex, SelectRun* const r, FdxId* const row,
                 const Value* const aggs)
{
  if (r->sel->n_order_by) {
    return keep_sorted(ex, r, row, aggs);
  }
  return output(ex, r, row);
}

static FdxStatus
where_row(Exec* const ex, void* const ctx, const FdxId* const in)
{
  SelectRun* const             r   = (SelectRun*)ctx;
  const FdxSparqlSelect* const sel = r->sel;
  FdxStatus                    st;
  if (sel->aggregated) {
    /* Group key: the GROUP BY values. */
    FdxId  key_buf[16];
    FdxId* key = sel->n_group_by <= 16
                   ? key_buf
                   : (FdxId*)arena_alloc(&ex->scratch, sel->n_group_by * sizeof(FdxId));
    if (!key) {
      return FDX_ERR_NO_MEMORY;
    }
    for (uint32_t i = 0; i < sel->n_group_by; ++i) {
      const FdxSparqlExpr* const e = sel->group_by[i].expr;
      if (e->kind == FDX_SPARQL_EXPR_VAR) {
        key[i] = in[e->term.index]; /* no need to decode */
        continue;
      }
      Value v;
      if ((st = expr_eval(ex, e, in, NULL, &v)) || (st = value_id(ex, &v, &key[i]))) {
        return st;
      }
    }
    size_t g;
    bool   is_new = false;
    r->groups.width = sel->n_group_by ? sel->n_group_by : 1;
    FdxId          zero = 0;
    const FdxId*   k    = sel->n_group_by ? key : &zero;
    const size_t   kb   = r->groups.width * sizeof(FdxId);
    /* Rows often come grouped (the scan's order is the key's): the same
     * key as the last row's is the same group, without hashing. */
    bool same = r->have_last;
    for (uint32_t i = 0; same && i < r->groups.width; ++i) {
      same = r->last_key[i] == k[i];
    }
    if (same) {
      g = r->last_group;
    } else {
      if ((st = tuple_set_add(ex, &r->groups, k, &g, &is_new))) {
        return st;
      }
      if (kb <= sizeof(r->last_key)) {
        memcpy(r->last_key, k, kb);
        r->last_group = g;
        r->have_last  = true;
      }
    }
    const uint32_t na = sel->n_aggregates;
    if (is_new) {
      if (r->groups.n > r->accs_cap) {
        const size_t cap  = r->groups.n * 2;
        Acc* const   accs = (Acc*)realloc(r->accs, cap * (na ? na : 1) * sizeof(Acc));
        FdxId* const firsts =
          (FdxId*)realloc(r->firsts, cap * ex->n_vars * sizeof(FdxId) + 8);
        if (accs) {
          r->accs = accs;
        }
        if (firsts) {
          r->firsts = firsts;
        }
        if (!accs || !firsts) {
          return FDX_ERR_NO_MEMORY;
        }
        memset(r->accs + r->accs_cap * (na ? na : 1), 0,
               (cap - r->accs_cap) * (na ? na : 1) * sizeof(Acc));
        if ((st = exec_charge(ex, (cap - r->accs_cap) *
                                    ((na ? na : 1) * sizeof(Acc) +
                                     ex->n_vars * sizeof(FdxId))))) {
          r->accs_cap = cap;
          return st;
        }
        r->accs_cap = cap;
      }
      memcpy(r->firsts + g * ex->n_vars, in, ex->n_vars * sizeof(FdxId));
    }
    for (uint32_t a = 0; a < na; ++a) {
      if ((st = acc_add(ex, sel->aggregates[a], &r->accs[g * na + a], in))) {
        return st;
      }
    }
    arena_reset(&ex->scratch);
    return FDX_SUCCESS;
  }
  FdxId* const row = rows_push(ex);
  if (!row) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  memcpy(row, in, ex->n_vars * sizeof(FdxId));
  st = project_exprs(ex, sel, row, NULL);
  if (!st) {
    st = after_projection(ex, r, row, NULL);
  }
  arena_reset(&ex->scratch);
  rows_pop(ex);
  return st;
}

static FdxStatus
finish_groups(Exec* const ex, SelectRun* const r)
{
  const FdxSparqlSelect* const sel = r->sel;
  const uint32_t               na  = sel->n_aggregates;
  FdxStatus                    st  = FDX_SUCCESS;
  /* No GROUP BY and no solutions: one group, with empty aggregates. */
  if (!r->groups.n && !sel->n_group_by) {
    FdxId  zero = 0;
    size_t g;
    bool   is_new;
    r->groups.width = 1;
    if ((st = tuple_set_add(ex, &r->groups, &zero, &g, &is_new))) {
      return st;
    }
    r->accs    = (Acc*)calloc(na ? na : 1, sizeof(Acc));
    r->firsts  = (FdxId*)calloc(ex->n_vars + 1, sizeof(FdxId));
    r->accs_cap = 1;
    if (!r->accs || !r->firsts) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  Value* const aggs = (Value*)calloc(na ? na : 1, sizeof(Value));
  FdxId* const row  = rows_push(ex);
  if (!aggs || !row) {
    free(aggs);
    return row ? FDX_ERR_NO_MEMORY
               : exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  for (size_t g = 0; g < r->groups.n && !st; ++g) {
    if ((st = exec_tick(ex))) {
      break;
    }
    memset(row, 0, ex->n_vars * sizeof(FdxId));
    const FdxId* const key = r->groups.tuples + g * r->groups.width;
    for (uint32_t i = 0; i < sel->n_group_by; ++i) {
      const FdxSparqlGroupKey* const k = &sel->group_by[i];
      if (k->has_var) {
        row[k->var] = key[i];
      } else if (k->expr->kind == FDX_SPARQL_EXPR_VAR) {
        row[k->expr->term.index] = key[i];
      }
    }
    for (uint32_t a = 0; a < na && !st; ++a) {
      st = acc_value(ex, sel->aggregates[a], &r->accs[g * na + a], &aggs[a]);
    }
    bool ok = true;
    for (uint32_t h = 0; h < sel->n_having && ok && !st; ++h) {
      Value v;
      st = expr_eval(ex, sel->having[h], row, aggs, &v);
      ok = value_ebv(&v) == 1;
    }
    if (!st && ok) {
      st = project_exprs(ex, sel, row, aggs);
      if (!st) {
        st = after_projection(ex, r, row, aggs);
      }
    }
    arena_reset(&ex->scratch);
  }
  rows_pop(ex);
  free(aggs);
  return st;
}

/* The one group of an aggregate without GROUP BY, its COUNT known: what
 * `n` rows through where_row() would have made. */
static FdxStatus
count_group(Exec* const ex, SelectRun* const r, const uint64_t n)
{
  FdxId  zero = 0;
  size_t g;
  bool   is_new;
  r->groups.width = 1;
  FdxStatus st    = tuple_set_add(ex, &r->groups, &zero, &g, &is_new);
  if (st) {
    return st;
  }
  r->accs    = (Acc*)calloc(1, sizeof(Acc));
  r->firsts  = (FdxId*)calloc(ex->n_vars + 1, sizeof(FdxId));
  r->accs_cap = 1;
  if (!r->accs || !r->firsts) {
    return FDX_ERR_NO_MEMORY;
  }
  r->accs[0].count = n;
  return FDX_SUCCESS;
}

/* Whether every ORDER BY key is variable `var` itself (or there is none):
 * then which solution stands for a DISTINCT value does not matter.  An
 * ORDER BY another variable sorts the solutions before DISTINCT keeps the
 * first of each value, so the one kept decides where the value goes. */
static bool
orders_by_only(const FdxSparqlSelect* const sel, const uint32_t var)
{
  for (uint32_t k = 0; k < sel->n_order_by; ++k) {
    const FdxSparqlExpr* const e = sel->order_by[k].expr;
    if (e->kind != FDX_SPARQL_EXPR_VAR || e->term.index != var) {
      return false;
    }
  }
  return true;
}

/* Whether ORDER BY with a LIMIT has kept as many rows as it will show:
 * rows read in the first key's order can stop at its next value. */
static bool
top_k_full(void* const ctx)
{
  const SelectRun* const r = (const SelectRun*)ctx;
  return r->n_sorted >= r->keep;
}

FdxStatus
eval_select(Exec* const ex, const FdxSparqlSelect* const sel,
            const Op* where, const FdxId* const seed, EmitFn emit,
            void* const ctx)
{
  FdxStatus st = FDX_SUCCESS;
  if (!where) {
    Op* op = NULL;
    if ((st = eval_translate_where(ex, sel, &op))) {
      return st;
    }
    where = op;
  }
  SelectRun r;
  memset(&r, 0, sizeof(r));
  r.sel   = sel;
  r.seed  = seed;
  r.emit  = emit;
  r.ctx   = ctx;
  r.width = ex->n_vars + sel->n_order_by;
  if (sel->n_order_by && sel->has_limit && !sel->distinct && !sel->reduced) {
    const uint64_t offset = sel->has_offset ? sel->offset : 0;
    r.top_k = true;
    r.keep  = offset > UINT64_MAX - sel->limit ? UINT64_MAX : sel->limit + offset;
  }
  /* Shapes answered without making every solution (eval.h): COUNT over
   * one triple pattern, DISTINCT of one predicate's objects, ORDER BY a
   * date or number with a LIMIT.  Otherwise (handled false) the WHERE
   * clause's solutions all go through where_row(). */
  bool handled = false;
  if (sel->aggregated && !sel->n_group_by && !sel->n_having &&
      sel->n_aggregates == 1 && sel->aggregates[0]->agg == FDX_SPARQL_AGG_COUNT &&
      !sel->aggregates[0]->distinct &&
      (sel->aggregates[0]->star ||
       sel->aggregates[0]->args[0]->kind == FDX_SPARQL_EXPR_VAR)) {
    const FdxSparqlExpr* const agg = sel->aggregates[0];
    uint64_t                   n   = 0;
    st = eval_count(ex, where, seed, agg->star ? UINT32_MAX : agg->args[0]->term.index,
                    &n, &handled);
    if (!st && handled && n) {
      st = count_group(ex, &r, n);
    }
  }
  if (!handled && sel->distinct && !sel->aggregated && sel->n_projection == 1 &&
      !sel->projection[0].expr && orders_by_only(sel, sel->projection[0].var)) {
    st = eval_distinct_objects(ex, where, seed, sel->projection[0].var, where_row,
                               &r, &handled);
  }
  if (!handled && r.top_k && !sel->aggregated && r.keep > 0 &&
      sel->order_by[0].expr->kind == FDX_SPARQL_EXPR_VAR) {
    st = eval_ordered(ex, where, seed, sel->order_by[0].expr->term.index,
                      sel->order_by[0].descending, where_row, &r, top_k_full,
                      &handled);
  }
  if (!handled) {
    st = eval_op(ex, where, seed, where_row, &r);
  }
  if (st == FDX_FAILURE && r.limit_hit && r.downstream != FDX_FAILURE) {
    st = FDX_SUCCESS; /* our LIMIT stopped the WHERE clause */
  }
  if (!st && sel->aggregated) {
    st = finish_groups(ex, &r);
  }
  if (!st && sel->n_order_by) {
    st = flush_sorted(ex, &r);
  }
  if (st == FDX_FAILURE && r.limit_hit && r.downstream != FDX_FAILURE) {
    st = FDX_SUCCESS;
  }
  const uint32_t na = sel->n_aggregates;
  for (size_t g = 0; r.accs && g < r.groups.n; ++g) {
    for (uint32_t a = 0; a < na; ++a) {
      acc_free(&r.accs[g * na + a]);
    }
  }
  free(r.accs);
  free(r.firsts);
  free(r.sorted);
  tuple_set_free(&r.groups);
  tuple_set_free(&r.distinct);
  return st;
}
