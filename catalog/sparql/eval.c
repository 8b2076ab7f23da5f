/*
 * eval.c: the SPARQL algebra and its evaluator.
 *
 * Translation (section 18.2) turns a group graph pattern into operators:
 * basic graph patterns (BGP), property paths, Join, LeftJoin, Filter,
 * Union, Minus, Graph, Extend (BIND), Table (VALUES) and subqueries.
 * Evaluation pushes solutions through callbacks (see eval.h for the seed
 * rule).  BGPs are index nested-loop joins: their triple patterns are
 * ordered greedily by estimated size given what is already bound (the
 * per-predicate statistics give the sizes), and every scan is one range
 * of one of the store's six orderings.
 *
 * The default graph is the union of all graphs.  A pattern that leaves
 * the graph open is scanned in an ordering with the graph last (SPOG, POSG
 * or OSPG), so the copies of one triple in several graphs come one after
 * another and are dropped by comparing with the previous match.
 *
 * Operators whose result does not depend on the seed (MINUS's right side,
 * subqueries) are evaluated once per execution and kept, charged to the
 * memory limit.
 *
 * Where many rows reach a pattern, it is answered from a table made by one
 * scan of its predicate (PatternHash: sorted pairs, or a bitmap of
 * subjects for a class test).  Three shapes of SELECT skip making every
 * solution (eval_count, eval_distinct_objects, eval_ordered): COUNT over
 * one pattern counts its scan; DISTINCT of a predicate's objects jumps
 * from object to object; ORDER BY a date or number with a LIMIT reads the
 * predicate in that order and stops after the LIMIT.
 */
#include "eval.h"

#include "../key_sort.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Operators
 * --------------------------------------------------------------------- */

typedef struct {
  bool     is_var;
  uint32_t var;
  FdxId    id; /* constant; 0 = a constant the store lacks */
} Slot;

/* Which graph a pattern reads: the default graph, a named one, the one a
 * variable names (the pattern binds it), or the active graph that an
 * enclosing GRAPH ?g sets while it walks the named graphs. */
typedef enum { GM_DEFAULT, GM_CONST, GM_VAR, GM_ACTIVE } GraphMode;

typedef struct {
  GraphMode mode;
  Slot      g;
} GraphCtx;

typedef struct {
  Slot s, p, o;
} Pattern;

typedef enum {
  OP_UNIT,
  OP_BGP,
  OP_PATH,
  OP_JOIN,
  OP_LEFTJOIN,
  OP_FILTER,
  OP_UNION,
  OP_MINUS,
  OP_GRAPH,
  OP_EXTEND,
  OP_TABLE,
  OP_SUBQUERY,
  OP_EMPTY
} OpKind;

struct Op {
  OpKind                kind;
  const Op*             a;
  const Op*             b;
  Pattern*              pats;
  uint32_t              n_pats;
  GraphCtx              graph;
  Slot                  ps, po;
  const FdxSparqlPath*  path;
  FdxSparqlExpr* const* exprs;
  uint32_t              n_exprs;
  Slot                  gname;
  uint32_t              var;
  const FdxSparqlExpr*  expr;
  FdxId*                cells;
  const uint32_t*       tvars;
  uint32_t              n_tvars;
  uint32_t              n_rows;
  const FdxSparqlSelect* sel;
  bool                  active;  /* GRAPH ?g walking the named graphs */
  struct Plan**         plans;   /* BGP: join orders already worked out
                                    (heap memory, freed with the state) */
  uint64_t*             certain; /* bit set of variables always bound */
  bool                  seed_safe;
};

/* Kept results of seed-independent operators, and the row stack. */
typedef struct {
  const void* key;
  FdxId       graph; /* the active graph it was computed in */
  FdxId*      rows;
  size_t      n;
} Cached;

typedef struct {
  const void* group;
  Op*         op;
} Translated;

/* A probe table for one pattern with a constant predicate: all of the
 * predicate's (subject, object) pairs from one range scan, keyed by the
 * side the join has already bound.  Used where the rows reaching the
 * pattern outnumber the predicate's quads: one sequential scan and a
 * probe per row beat a B-tree descent per row (a hash join).  With the
 * object constant too (`?d a dcat:Dataset` after ?d is bound) it is a set
 * of subjects and the probe is a membership test (a semi-join).
 *
 * The pairs are kept sorted by key.  Rows often arrive in key order (the
 * outer pattern was scanned in subject order too): then a probe finds its
 * key a step or two after where the last one ended, reading the pairs
 * front to back like a merge join.  Any other probe asks an
 * open-addressing index from each key to its first pair, made the first
 * time one does.
 *
 * A subject set (by 3) is a bitmap over the subjects' dictionary
 * sequence numbers instead, one per kind (IRI, blank node): those numbers
 * are dense, so it takes a bit per term of the store (1.25 MB for ten
 * million terms) where pairs would take 16 bytes per quad, it needs no
 * sort, and a probe is one bit test.  */
typedef FdxKeyPair HashPair; /* key, and the other id as value */

/* Bitmap of subject set members, per kind of subject (0 IRI, 1 blank). */
typedef struct {
  uint64_t* words;
  size_t    n_words;
} SubjectBits;

typedef struct {
  const void* op;
  uint32_t    pattern;
  uint8_t     by; /* 1 subject, 2 object, 3 subject set */
  bool        failed; /* too big for the memory limit: scan instead */
  bool        built;
  uint64_t    lookups;   /* done by scanning before the table is built */
  uint64_t    threshold; /* build once this many were done */
  uint32_t*   slots;  /* key's slot -> index + 1 of its first pair */
  size_t      mask;
  HashPair*   pairs;  /* sorted by key */
  size_t      n;
  size_t      cap;
  size_t      cursor; /* where the last probe's pairs ended */
  SubjectBits bits[2]; /* by 3: the set (use_bits), n its size */
  bool        use_bits;
} PatternHash;

struct EvalState {
  PatternHash** hashes; /* each its own allocation: probes hold pointers
                           while nested patterns add tables */
  size_t        n_hashes;
  FdxId*      stack; /* rows_push / rows_pop */
  size_t      depth;
  size_t      cap;
  Cached**    cache; /* each its own allocation: users hold pointers */
  size_t      n_cache;
  Translated* tr;
  size_t      n_tr;
  struct Plan** all_plans; /* every plan made, to free */
  size_t        n_plans;
};

static size_t
words(const Exec* const ex)
{
  return (ex->n_vars + 63) / 64 + 1;
}

static EvalState*
state(Exec* const ex)
{
  if (!ex->eval) {
    ex->eval = (EvalState*)calloc(1, sizeof(EvalState));
  }
  return ex->eval;
}

void
eval_state_free(Exec* const ex)
{
  EvalState* const s = ex->eval;
  if (s) {
    for (size_t i = 0; i < s->n_cache; ++i) {
      free(s->cache[i]->rows);
      free(s->cache[i]);
    }
    for (size_t i = 0; i < s->n_hashes; ++i) {
      free(s->hashes[i]->slots);
      free(s->hashes[i]->pairs);
      free(s->hashes[i]->bits[0].words);
      free(s->hashes[i]->bits[1].words);
      free(s->hashes[i]);
    }
    free(s->hashes);
    free(s->cache);
    free(s->tr);
    for (size_t i = 0; i < s->n_plans; ++i) {
      free(s->all_plans[i]);
    }
    free(s->all_plans);
    free(s->stack);
    free(s);
    ex->eval = NULL;
  }
}

FdxId*
rows_push(Exec* const ex)
{
  EvalState* const s = state(ex);
  if (!s) {
    return NULL;
  }
  const size_t w = ex->n_vars ? ex->n_vars : 1;
  if (s->depth == s->cap) {
    /* Callers hold pointers into the stack: never move it.  Grow by
     * chaining is not possible with one array, so the stack is sized
     * once for the deepest nesting the parser allows. */
    if (s->stack) {
      return NULL;
    }
    s->cap   = 4096;
    s->stack = (FdxId*)calloc(s->cap * w, sizeof(FdxId));
    if (!s->stack) {
      s->cap = 0;
      return NULL;
    }
  }
  return s->stack + w * s->depth++;
}

void
rows_pop(Exec* const ex)
{
  --ex->eval->depth;
}

/* ------------------------------------------------------------------------
 * Variable sets
 * --------------------------------------------------------------------- */

static uint64_t*
set_new(Exec* const ex)
{
  uint64_t* const s = (uint64_t*)arena_alloc(&ex->arena, words(ex) * 8);
  if (s) {
    memset(s, 0, words(ex) * 8);
  }
  return s;
}

static void
set_add(uint64_t* const s, const uint32_t v)
{
  s[v / 64] |= UINT64_C(1) << (v % 64);
}

static bool
set_has(const uint64_t* const s, const uint32_t v)
{
  return (s[v / 64] >> (v % 64)) & 1;
}

static void
set_union(Exec* const ex, uint64_t* const d, const uint64_t* const s)
{
  for (size_t i = 0; i < words(ex); ++i) {
    d[i] |= s[i];
  }
}

/* ------------------------------------------------------------------------
 * Translation
 * --------------------------------------------------------------------- */

static Op*
op_new(Exec* const ex, const OpKind kind)
{
  Op* const op = (Op*)arena_alloc(&ex->arena, sizeof(Op));
  if (op) {
    memset(op, 0, sizeof(*op));
    op->kind    = kind;
    op->certain = set_new(ex);
    if (kind == OP_BGP) {
      op->plans = (struct Plan**)arena_alloc(&ex->arena, sizeof(struct Plan*));
      if (!op->plans) {
        return NULL;
      }
      *op->plans = NULL;
    }
    if (!op->certain) {
      return NULL;
    }
    op->seed_safe = kind == OP_BGP || kind == OP_PATH || kind == OP_JOIN ||
                    kind == OP_UNION || kind == OP_GRAPH ||
                    kind == OP_TABLE || kind == OP_UNIT || kind == OP_EMPTY;
  }
  return op;
}

static FdxStatus
make_slot(Exec* const ex, const FdxSparqlTerm* const t, Slot* const ret)
{
  memset(ret, 0, sizeof(*ret));
  if (t->kind == FDX_SPARQL_TERM_VAR) {
    ret->is_var = true;
    ret->var    = t->index;
    return FDX_SUCCESS;
  }
  FdxTerm term = {FDX_TERM_IRI, t->value, t->value_len, NULL, 0, NULL, 0};
  if (t->kind == FDX_SPARQL_TERM_LITERAL) {
    term.kind         = FDX_TERM_LITERAL;
    term.lang         = t->lang;
    term.lang_len     = t->lang_len;
    term.datatype     = t->datatype;
    term.datatype_len = t->datatype_len;
  } else if (t->kind != FDX_SPARQL_TERM_IRI) {
    return FDX_ERR_BAD_ARG;
  }
  const FdxStatus st = exec_term_id(ex, &term, &ret->id);
  return st;
}

static void
slot_vars(const Slot* const s, uint64_t* const set)
{
  if (s->is_var) {
    set_add(set, s->var);
  }
}

static Op*
join(Exec* const ex, Op* const a, Op* const b)
{
  if (!a || !b) {
    return NULL;
  }
  if (a->kind == OP_UNIT) {
    return b;
  }
  if (b->kind == OP_UNIT) {
    return a;
  }
  Op* const op = op_new(ex, OP_JOIN);
  if (op) {
    op->a = a;
    op->b = b;
    set_union(ex, op->certain, a->certain);
    set_union(ex, op->certain, b->certain);
  }
  return op;
}

static FdxStatus
translate(Exec* ex, const FdxSparqlGroup* g, const GraphCtx* gc, Op** ret);
static FdxStatus
translate_exists(Exec* ex, const FdxSparqlExpr* e, const GraphCtx* gc);

/* The path operator for one triple pattern with a path predicate. */
static Op*
path_op(Exec* const ex, const FdxSparqlTriple* const t, const GraphCtx* const gc)
{
  Op* const op = op_new(ex, OP_PATH);
  if (!op || make_slot(ex, &t->s, &op->ps) || make_slot(ex, &t->o, &op->po)) {
    return NULL;
  }
  op->path  = t->path;
  op->graph = *gc;
  slot_vars(&op->ps, op->certain);
  slot_vars(&op->po, op->certain);
  if (gc->mode == GM_VAR) {
    set_add(op->certain, gc->g.var);
  }
  return op;
}

/* Add the triples of a block to `bgp` (patterns) or as path operators to
 * `*paths`. */
static FdxStatus
add_triples(Exec* const ex, Op* const bgp, const FdxSparqlElement* const el,
            const GraphCtx* const gc, Op** const paths)
{
  Pattern* const pats = (Pattern*)arena_alloc(
    &ex->arena, (bgp->n_pats + el->n_triples) * sizeof(Pattern));
  if (!pats) {
    return FDX_ERR_NO_MEMORY;
  }
  if (bgp->n_pats) {
    memcpy(pats, bgp->pats, bgp->n_pats * sizeof(Pattern));
  }
  bgp->pats = pats;
  for (uint32_t i = 0; i < el->n_triples; ++i) {
    const FdxSparqlTriple* const t = &el->triples[i];
    FdxStatus                    st;
    if (t->path) {
      /* ^iri is a plain pattern the other way round. */
      if (t->path->kind == FDX_SPARQL_PATH_INVERSE &&
          t->path->left->kind == FDX_SPARQL_PATH_LINK) {
        Pattern* const p    = &pats[bgp->n_pats];
        FdxSparqlTerm  pred = {FDX_SPARQL_TERM_IRI, 0, t->path->left->iri.str,
                               t->path->left->iri.len, NULL, 0, NULL, 0};
        if ((st = make_slot(ex, &t->o, &p->s)) ||
            (st = make_slot(ex, &pred, &p->p)) ||
            (st = make_slot(ex, &t->s, &p->o))) {
          return st;
        }
        ++bgp->n_pats;
        continue;
      }
      Op* const op = path_op(ex, t, gc);
      if (!op || !(*paths = *paths ? join(ex, *paths, op) : op)) {
        return FDX_ERR_NO_MEMORY;
      }
      continue;
    }
    Pattern* const p = &pats[bgp->n_pats];
    if ((st = make_slot(ex, &t->s, &p->s)) || (st = make_slot(ex, &t->p, &p->p)) ||
        (st = make_slot(ex, &t->o, &p->o))) {
      return st;
    }
    ++bgp->n_pats;
  }
  return FDX_SUCCESS;
}

static FdxStatus
table_op(Exec* const ex, const FdxSparqlValues* const v, Op** const ret)
{
  Op* const op = op_new(ex, OP_TABLE);
  if (!op) {
    return FDX_ERR_NO_MEMORY;
  }
  op->tvars   = v->vars;
  op->n_tvars = v->n_vars;
  op->n_rows  = v->n_rows;
  op->cells   = (FdxId*)arena_alloc(&ex->arena,
                                  (size_t)v->n_rows * v->n_vars * sizeof(FdxId) + 8);
  if (!op->cells) {
    return FDX_ERR_NO_MEMORY;
  }
  for (uint32_t c = 0; c < v->n_vars; ++c) {
    bool all = v->n_rows > 0;
    for (uint32_t r = 0; r < v->n_rows; ++r) {
      const FdxSparqlTerm* const t = &v->cells[(size_t)r * v->n_vars + c];
      FdxId                      id = 0;
      if (t->kind != FDX_SPARQL_TERM_NONE) {
        Slot            s;
        const FdxStatus st = make_slot(ex, t, &s);
        if (st) {
          return st;
        }
        id = s.id;
      }
      all = all && id;
      op->cells[(size_t)r * v->n_vars + c] = id;
    }
    if (all) {
      set_add(op->certain, v->vars[c]);
    }
  }
  *ret = op;
  return FDX_SUCCESS;
}

static FdxStatus
translate_where(Exec* ex, const FdxSparqlSelect* sel, const GraphCtx* gc,
                Op** ret);

/* Patterns whose meaning does not change when the patterns themselves
 * bind GRAPH's variable (no filters, MINUS, BIND or subqueries that could
 * see it too early or not at all). */
static bool
simple(const Op* const op)
{
  switch (op->kind) {
  case OP_BGP:
    return !op->n_exprs; /* a filter must not see ?g */
  case OP_PATH:
  case OP_UNIT:
  case OP_EMPTY:
  case OP_TABLE:
    return true;
  case OP_JOIN:
  case OP_UNION:
    return simple(op->a) && simple(op->b);
  case OP_LEFTJOIN:
    return !op->n_exprs && simple(op->a) && simple(op->b);
  case OP_GRAPH:
    return simple(op->a);
  default:
    return false;
  }
}

/* Add the variables `e` reads to `vars`; false if it holds EXISTS (whose
 * meaning depends on the whole solution, so it must wait). */
static bool
expr_vars(const FdxSparqlExpr* const e, uint64_t* const vars)
{
  if (e->kind == FDX_SPARQL_EXPR_VAR) {
    set_add(vars, e->term.index);
    return true;
  }
  if (e->kind == FDX_SPARQL_EXPR_AGGREGATE ||
      (e->kind == FDX_SPARQL_EXPR_CALL &&
       (e->fn == FDX_SPARQL_FN_EXISTS || e->fn == FDX_SPARQL_FN_NOT_EXISTS ||
        e->fn == FDX_SPARQL_FN_RAND || e->fn == FDX_SPARQL_FN_BNODE))) {
    return false;
  }
  for (uint32_t i = 0; i < e->n_args; ++i) {
    if (!expr_vars(e->args[i], vars)) {
      return false;
    }
  }
  return true;
}

/* Can filter `e` run inside a BGP binding `bgp_vars`? */
static bool
pushable(Exec* const ex, const FdxSparqlExpr* const e,
         const uint64_t* const bgp_vars)
{
  uint64_t* const vars = set_new(ex);
  if (!vars || !expr_vars(e, vars)) {
    return false;
  }
  for (size_t w = 0; w < words(ex); ++w) {
    if (vars[w] & ~bgp_vars[w]) {
      return false;
    }
  }
  return true;
}

static FdxStatus
translate(Exec* const ex, const FdxSparqlGroup* const g,
          const GraphCtx* const gc, Op** const ret)
{
  Op*        acc     = op_new(ex, OP_UNIT);
  Op*        bgp     = NULL;
  Op*        paths   = NULL;
  FdxStatus  st      = FDX_SUCCESS;
  FdxSparqlExpr** filters = NULL;
  uint32_t   n_filters = 0;
  if (!acc) {
    return FDX_ERR_NO_MEMORY;
  }
  if (g) {
    filters = (FdxSparqlExpr**)arena_alloc(&ex->arena,
                                           (g->n_elements + 1) * sizeof(*filters));
    if (!filters) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  for (uint32_t i = 0; g && i < g->n_elements && !st; ++i) {
    const FdxSparqlElement* const el = &g->elements[i];
    /* A triples block continues the current BGP; anything else but a
     * filter ends it. */
    if (el->kind != FDX_SPARQL_EL_TRIPLES && el->kind != FDX_SPARQL_EL_FILTER &&
        (bgp || paths)) {
      if (bgp) {
        acc = join(ex, acc, bgp);
      }
      if (paths) {
        acc = join(ex, acc, paths);
      }
      bgp = paths = NULL;
      if (!acc) {
        return FDX_ERR_NO_MEMORY;
      }
    }
    Op* sub = NULL;
    switch (el->kind) {
    case FDX_SPARQL_EL_TRIPLES:
      if (!bgp && !(bgp = op_new(ex, OP_BGP))) {
        return FDX_ERR_NO_MEMORY;
      }
      bgp->graph = *gc;
      st         = add_triples(ex, bgp, el, gc, &paths);
      for (uint32_t k = 0; k < bgp->n_pats; ++k) {
        slot_vars(&bgp->pats[k].s, bgp->certain);
        slot_vars(&bgp->pats[k].p, bgp->certain);
        slot_vars(&bgp->pats[k].o, bgp->certain);
      }
      if (gc->mode == GM_VAR && bgp->n_pats) {
        set_add(bgp->certain, gc->g.var);
      }
      break;
    case FDX_SPARQL_EL_FILTER:
      filters[n_filters++] = el->expr;
      st = translate_exists(ex, el->expr, gc);
      break;
    case FDX_SPARQL_EL_OPTIONAL: {
      if ((st = translate(ex, el->group, gc, &sub))) {
        break;
      }
      Op* const op = op_new(ex, OP_LEFTJOIN);
      if (!op) {
        return FDX_ERR_NO_MEMORY;
      }
      op->a = acc;
      if (sub->kind == OP_FILTER) {
        op->b       = sub->a;
        op->exprs   = sub->exprs;
        op->n_exprs = sub->n_exprs;
      } else {
        op->b = sub;
      }
      set_union(ex, op->certain, acc->certain);
      acc = op;
      break;
    }
    case FDX_SPARQL_EL_MINUS: {
      if ((st = translate(ex, el->group, gc, &sub))) {
        break;
      }
      Op* const op = op_new(ex, OP_MINUS);
      if (!op) {
        return FDX_ERR_NO_MEMORY;
      }
      op->a = acc;
      op->b = sub;
      set_union(ex, op->certain, acc->certain);
      acc = op;
      break;
    }
    case FDX_SPARQL_EL_UNION: {
      Op* u = NULL;
      for (uint32_t k = 0; k < el->n_groups && !st; ++k) {
        if ((st = translate(ex, el->groups[k], gc, &sub))) {
          break;
        }
        if (!u) {
          u = sub;
          continue;
        }
        Op* const op = op_new(ex, OP_UNION);
        if (!op) {
          return FDX_ERR_NO_MEMORY;
        }
        op->a = u;
        op->b = sub;
        for (size_t w = 0; w < words(ex); ++w) {
          op->certain[w] = u->certain[w] & sub->certain[w];
        }
        u = op;
      }
      if (!st && !(acc = join(ex, acc, u))) {
        return FDX_ERR_NO_MEMORY;
      }
      break;
    }
    case FDX_SPARQL_EL_GRAPH: {
      GraphCtx inner;
      inner.mode = el->name.kind == FDX_SPARQL_TERM_VAR ? GM_VAR : GM_CONST;
      if ((st = make_slot(ex, &el->name, &inner.g)) ||
          (st = translate(ex, el->group, &inner, &sub))) {
        break;
      }
      bool active = false;
      if (inner.mode == GM_VAR && !simple(sub)) {
        /* The named graphs one by one, the variable bound after. */
        inner.mode = GM_ACTIVE;
        active     = true;
        if ((st = translate(ex, el->group, &inner, &sub))) {
          break;
        }
      }
      Op* const op = op_new(ex, OP_GRAPH);
      if (!op) {
        return FDX_ERR_NO_MEMORY;
      }
      op->gname  = inner.g;
      op->active = active;
      op->a      = sub;
      set_union(ex, op->certain, sub->certain);
      slot_vars(&op->gname, op->certain);
      if (!(acc = join(ex, acc, op))) {
        return FDX_ERR_NO_MEMORY;
      }
      break;
    }
    case FDX_SPARQL_EL_SERVICE:
      if (!el->silent) {
        return exec_fail(ex, FDX_ERR_UNSUPPORTED,
                         "SERVICE (federated query) is not supported");
      }
      break; /* SILENT: a failed service is one empty solution */
    case FDX_SPARQL_EL_BIND: {
      Op* const op = op_new(ex, OP_EXTEND);
      if (!op) {
        return FDX_ERR_NO_MEMORY;
      }
      op->a    = acc;
      op->var  = el->var;
      op->expr = el->expr;
      set_union(ex, op->certain, acc->certain);
      acc = op;
      break;
    }
    case FDX_SPARQL_EL_VALUES:
      if (!(st = table_op(ex, el->values, &sub)) && !(acc = join(ex, acc, sub))) {
        return FDX_ERR_NO_MEMORY;
      }
      break;
    case FDX_SPARQL_EL_SUBQUERY: {
      Op* const op = op_new(ex, OP_SUBQUERY);
      if (!op) {
        return FDX_ERR_NO_MEMORY;
      }
      op->sel = el->subquery;
      Op* where = NULL;
      if ((st = translate_where(ex, el->subquery, gc, &where))) {
        break;
      }
      op->a = where;
      if (!(acc = join(ex, acc, op))) {
        return FDX_ERR_NO_MEMORY;
      }
      break;
    }
    case FDX_SPARQL_EL_GROUP:
      if (!(st = translate(ex, el->group, gc, &sub)) && !(acc = join(ex, acc, sub))) {
        return FDX_ERR_NO_MEMORY;
      }
      break;
    }
  }
  if (st) {
    return st;
  }
  if (bgp) {
    acc = join(ex, acc, bgp);
  }
  if (paths) {
    acc = join(ex, acc, paths);
  }
  if (!acc) {
    return FDX_ERR_NO_MEMORY;
  }
  if (n_filters && acc->kind == OP_BGP && !acc->n_exprs) {
    /* Filters on the BGP's own variables run inside its join, as soon as
     * their variables are bound; the rest stay above it. */
    FdxSparqlExpr** pushed = (FdxSparqlExpr**)arena_alloc(
      &ex->arena, n_filters * sizeof(FdxSparqlExpr*));
    if (!pushed) {
      return FDX_ERR_NO_MEMORY;
    }
    uint32_t n_pushed = 0, n_kept = 0;
    for (uint32_t i = 0; i < n_filters; ++i) {
      if (pushable(ex, filters[i], acc->certain)) {
        pushed[n_pushed++] = filters[i];
      } else {
        filters[n_kept++] = filters[i];
      }
    }
    acc->exprs   = pushed;
    acc->n_exprs = n_pushed;
    n_filters    = n_kept;
  }
  if (n_filters) {
    Op* const op = op_new(ex, OP_FILTER);
    if (!op) {
      return FDX_ERR_NO_MEMORY;
    }
    op->a       = acc;
    op->exprs   = filters;
    op->n_exprs = n_filters;
    set_union(ex, op->certain, acc->certain);
    acc = op;
  }
  *ret = acc;
  return FDX_SUCCESS;
}

static FdxStatus
translate_cached(Exec* const ex, const FdxSparqlGroup* const g, Op** const ret)
{
  EvalState* const s = state(ex);
  if (!s) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < s->n_tr; ++i) {
    if (s->tr[i].group == g) {
      *ret = s->tr[i].op;
      return FDX_SUCCESS;
    }
  }
  const GraphCtx gc = {GM_DEFAULT, {false, 0, 0}};
  FdxStatus      st = translate(ex, g, &gc, ret);
  if (st) {
    return st;
  }
  Translated* const tr =
    (Translated*)realloc(s->tr, (s->n_tr + 1) * sizeof(Translated));
  if (!tr) {
    return FDX_ERR_NO_MEMORY;
  }
  s->tr              = tr;
  s->tr[s->n_tr++]   = (Translated){g, *ret};
  return FDX_SUCCESS;
}

/* Translate the EXISTS patterns of a filter `e` in the graph context of
 * the group the filter is in (inside GRAPH ?g they read ?g's graph, not
 * the default graph), ahead of eval_exists(), which finds them cached. */
static FdxStatus
translate_exists(Exec* const ex, const FdxSparqlExpr* const e,
                 const GraphCtx* const gc)
{
  if (!e) {
    return FDX_SUCCESS;
  }
  if (e->pattern && gc->mode != GM_DEFAULT) {
    EvalState* const s = state(ex);
    if (!s) {
      return FDX_ERR_NO_MEMORY;
    }
    /* A group translated again (GRAPH ?g first tries the variable, then
     * the active graph) replaces its EXISTS translations: the last one is
     * the one evaluated. */
    Op*       op = NULL;
    FdxStatus st = translate(ex, e->pattern, gc, &op);
    if (st) {
      return st;
    }
    size_t at = s->n_tr;
    for (size_t i = 0; i < s->n_tr && at == s->n_tr; ++i) {
      at = s->tr[i].group == e->pattern ? i : at;
    }
    if (at == s->n_tr) {
      Translated* const tr =
        (Translated*)realloc(s->tr, (s->n_tr + 1) * sizeof(Translated));
      if (!tr) {
        return FDX_ERR_NO_MEMORY;
      }
      s->tr = tr;
      ++s->n_tr;
    }
    s->tr[at] = (Translated){e->pattern, op};
  }
  for (uint32_t i = 0; i < e->n_args; ++i) {
    const FdxStatus st = translate_exists(ex, e->args[i], gc);
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

FdxStatus
eval_translate(Exec* const ex, const FdxSparqlGroup* const group, Op** const ret)
{
  return translate_cached(ex, group, ret);
}

static FdxStatus
translate_where(Exec* const ex, const FdxSparqlSelect* const sel,
                const GraphCtx* const gc, Op** const ret)
{
  Op*       where = NULL;
  FdxStatus st    = translate(ex, sel->where, gc, &where);
  if (st) {
    return st;
  }
  if (sel->values) {
    Op* table = NULL;
    if ((st = table_op(ex, sel->values, &table))) {
      return st;
    }
    if (!(where = join(ex, where, table))) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  *ret = where;
  return FDX_SUCCESS;
}

FdxStatus
eval_translate_where(Exec* const ex, const FdxSparqlSelect* const sel,
                     Op** const ret)
{
  EvalState* const s = state(ex);
  if (!s) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < s->n_tr; ++i) {
    if (s->tr[i].group == (const void*)sel) {
      *ret = s->tr[i].op;
      return FDX_SUCCESS;
    }
  }
  const GraphCtx gc    = {GM_DEFAULT, {false, 0, 0}};
  Op*            where = NULL;
  FdxStatus      st    = translate_where(ex, sel, &gc, &where);
  if (st) {
    return st;
  }
  Translated* const tr =
    (Translated*)realloc(s->tr, (s->n_tr + 1) * sizeof(Translated));
  if (!tr) {
    return FDX_ERR_NO_MEMORY;
  }
  s->tr            = tr;
  s->tr[s->n_tr++] = (Translated){sel, where};
  *ret             = where;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Scanning the store
 * --------------------------------------------------------------------- */

static bool
in_list(const FdxId* const list, const uint32_t n, const FdxId id)
{
  for (uint32_t i = 0; i < n; ++i) {
    if (list[i] == id) {
      return true;
    }
  }
  return false;
}

/* Is `g` a named graph of the dataset? */
static bool
is_named_graph(const Exec* const ex, const FdxId g)
{
  if (g == FDX_ID_DEFAULT_GRAPH || fdx_id_tag(g) == FDX_TAG_LOCAL) {
    return false;
  }
  return !ex->restrict_named || in_list(ex->named, ex->n_named, g);
}

/* The graph a scan runs in: FDX_ID_ANY with `union_` for the default
 * graph, a graph id, or FDX_ID_ANY with `named_only` for GRAPH ?g. */
typedef struct {
  FdxId g;
  bool  union_;     /* drop repeats of one triple across graphs */
  bool  named_only; /* skip the default graph and non-dataset graphs */
  bool  nothing;    /* the graph cannot match */
} ScanGraph;

static ScanGraph
scan_graph(const Exec* const ex, const GraphCtx* const gc, const FdxId* const row)
{
  ScanGraph sg = {FDX_ID_ANY, false, false, false};
  switch (gc->mode) {
  case GM_DEFAULT:
    sg.union_ = true;
    if (ex->restrict_default && ex->n_graphs == 1) {
      sg.g      = ex->graphs[0];
      sg.union_ = false;
    } else if (ex->restrict_default && ex->n_graphs == 0) {
      sg.nothing = true;
    }
    break;
  case GM_CONST:
    sg.g       = gc->g.id;
    sg.nothing = !gc->g.id || !is_named_graph(ex, gc->g.id);
    break;
  case GM_ACTIVE:
    sg.g       = ex->active_graph;
    sg.nothing = !sg.g;
    break;
  case GM_VAR:
    if (row[gc->g.var]) {
      sg.g       = row[gc->g.var];
      sg.nothing = !is_named_graph(ex, sg.g);
    } else {
      sg.named_only = true;
    }
    break;
  }
  return sg;
}

/* Whether a matched quad's graph is acceptable for `sg`. */
static bool
graph_ok(const Exec* const ex, const ScanGraph* const sg, const FdxId g)
{
  if (sg->named_only) {
    return is_named_graph(ex, g);
  }
  if (sg->union_ && ex->restrict_default) {
    return in_list(ex->graphs, ex->n_graphs, g);
  }
  return true;
}

typedef FdxStatus (*QuadFn)(Exec* ex, void* ctx, const FdxQuad* q);

/* Hand every quad of `it` in `sg` to `fn`, repeats across graphs dropped
 * for the union default graph; frees `it`. */
static FdxStatus
scan_iter(Exec* const ex, const ScanGraph* const sg, FdxQuadIter* const it,
          QuadFn fn, void* const ctx)
{
  FdxQuad   q;
  FdxQuad   prev = {0, 0, 0, 0};
  bool      have = false;
  FdxStatus st   = FDX_SUCCESS;
  FdxStatus walk;
  /* `walk` is the scan's own status (FDX_FAILURE: done); `st` is the
   * callback's, whose FDX_FAILURE (stop) must reach the caller. */
  while (!(walk = fdx_quad_iter_next(it, &q))) {
    if ((st = exec_tick(ex))) {
      break;
    }
    if (!graph_ok(ex, sg, q.g)) {
      continue;
    }
    if (sg->union_) {
      if (have && q.s == prev.s && q.p == prev.p && q.o == prev.o) {
        continue;
      }
      prev = q;
      have = true;
    }
    if ((st = fn(ex, ctx, &q))) {
      break;
    }
  }
  fdx_quad_iter_free(it);
  if (st) {
    return st;
  }
  return walk == FDX_FAILURE ? FDX_SUCCESS : walk;
}

/* Every quad matching (s, p, o) in `sg`, repeats across graphs dropped
 * for the union default graph. */
static FdxStatus
scan(Exec* const ex, const ScanGraph* const sg, const FdxId s, const FdxId p,
     const FdxId o, QuadFn fn, void* const ctx)
{
  if (sg->nothing) {
    return FDX_SUCCESS;
  }
  if (fdx_id_tag(s) == FDX_TAG_LOCAL || fdx_id_tag(p) == FDX_TAG_LOCAL ||
      fdx_id_tag(o) == FDX_TAG_LOCAL || fdx_id_tag(sg->g) == FDX_TAG_LOCAL) {
    return FDX_SUCCESS; /* terms the store does not hold */
  }
  const FdxQuad pattern = {s, p, o, sg->g};
  FdxQuadIter*  it      = NULL;
  FdxStatus     st      = fdx_quad_find(ex->txn, &pattern, &it);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  return scan_iter(ex, sg, it, fn, ctx);
}

/* The quads of predicate `p` whose object lies in [lo, hi] (one tag's
 * range of inlined values) or is a typed literal that is not inlined:
 * those are the objects a date or dateTime comparison can let through
 * (see pattern_range()).  Two range scans instead of the predicate. */
static FdxStatus
scan_objects(Exec* const ex, const ScanGraph* const sg, const FdxId p,
             const FdxId lo, const FdxId hi, QuadFn fn, void* const ctx)
{
  if (sg->nothing || fdx_id_tag(p) == FDX_TAG_LOCAL) {
    return FDX_SUCCESS;
  }
  const FdxId ranges[2][2] = {
    {lo, hi},
    {(FdxId)FDX_TAG_TYPED << 60, ((FdxId)(FDX_TAG_TYPED + 1) << 60) - 1}};
  FdxStatus st = FDX_SUCCESS;
  for (int r = 0; r < 2 && !st; ++r) {
    FdxQuadIter* it = NULL;
    st = fdx_quad_find_objects(ex->txn, p, ranges[r][0], ranges[r][1], &it);
    if (!st) {
      st = scan_iter(ex, sg, it, fn, ctx);
    }
  }
  return st;
}

/* ------------------------------------------------------------------------
 * Basic graph patterns
 * --------------------------------------------------------------------- */

static FdxId
slot_value(const Slot* const s, const FdxId* const row)
{
  return s->is_var ? row[s->var] : s->id;
}

/* How many quads have object `o`, in any graph: the store counts them in
 * one look-up (OSPG).  UINT64_MAX when not known. */
static uint64_t
quads_with_object(Exec* const ex, const FdxId o)
{
  const FdxQuad with_o = {FDX_ID_ANY, FDX_ID_ANY, o, FDX_ID_ANY};
  uint64_t      n      = 0;
  if (!o || fdx_id_tag(o) == FDX_TAG_LOCAL ||
      fdx_quad_count(ex->txn, &with_o, &n)) {
    return UINT64_MAX;
  }
  return n;
}

/* Estimated matches of pattern `p` given the row's bindings. */
static double
estimate(Exec* const ex, const Pattern* const p, const FdxId* const row,
         const uint64_t* const bound)
{
  const bool sb = !p->s.is_var || row[p->s.var] || set_has(bound, p->s.var);
  const bool pb = !p->p.is_var || row[p->p.var] || set_has(bound, p->p.var);
  const bool ob = !p->o.is_var || row[p->o.var] || set_has(bound, p->o.var);
  FdxStoreStats stats;
  double        total = 1e6;
  if (!fdx_store_stats(ex->txn, &stats)) {
    total = (double)stats.quads + 1;
  }
  if (pb && !p->p.is_var) {
    FdxPredicateStats ps;
    if (!p->p.id || fdx_predicate_stats(ex->txn, p->p.id, &ps)) {
      return 0; /* an unknown predicate matches nothing */
    }
    const double q = (double)ps.quads + 1;
    if (sb && ob) {
      return 1;
    }
    if (sb) {
      return q / ((double)ps.subjects + 1) + 1;
    }
    if (ob) {
      /* A known object (a class, a theme): the store counts the quads
       * with that object in one lookup, an upper bound on those with the
       * predicate too, and usually the very number; better than the
       * predicate's average when objects differ in size, as classes do. */
      const uint64_t n = quads_with_object(ex, p->o.is_var ? row[p->o.var] : p->o.id);
      if ((double)n < q) {
        return (double)n + 1;
      }
      return q / ((double)ps.objects + 1) + 1;
    }
    return q;
  }
  if (sb && ob) {
    return 2;
  }
  if (sb) {
    return 20;
  }
  if (ob) {
    return pb ? 10 : 50;
  }
  return pb ? total / 10 : total;
}

static FdxStatus
filters_pass(Exec* ex, FdxSparqlExpr* const* exprs, uint32_t n, const FdxId* row,
             bool* ret);

/* A BGP's join order for one set of bound variables, and the depth at
 * which each pushed-down filter has all its variables. */
struct Plan {
  struct Plan* next;
  uint64_t     sig;
  uint32_t     n_pats;
  uint32_t*    filter_depth; /* n_exprs entries after `order` */
  uint8_t*     probe;        /* per depth: 0 scan, 1 hash by subject,
                                2 hash by object, 3 subject set for a
                                constant object (see PatternHash) */
  FdxId*       range;        /* per depth: an object id range (lo, hi) to
                                scan instead of the whole predicate, or
                                (0, 0); see pattern_range() */
  uint32_t     order[];
};
typedef struct Plan Plan;

typedef struct {
  const Op*   op;
  const Plan* plan;
  uint32_t    depth;
  FdxId*      row;
  EmitFn      emit;
  void*       ctx;
} BgpRun;

static FdxStatus
bgp_step(Exec* ex, BgpRun* run);

static FdxStatus
bgp_quad(Exec* const ex, void* const ctx, const FdxQuad* const q)
{
  BgpRun* const        run = (BgpRun*)ctx;
  const Pattern* const p   = &run->op->pats[run->plan->order[run->depth]];
  FdxId* const         row = rows_push(ex);
  if (!row) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  memcpy(row, run->row, ex->n_vars * sizeof(FdxId));
  const Slot* const slots[3] = {&p->s, &p->p, &p->o};
  const FdxId       vals[3]  = {q->s, q->p, q->o};
  bool              ok       = true;
  for (int i = 0; i < 3 && ok; ++i) {
    if (slots[i]->is_var) {
      FdxId* const cell = &row[slots[i]->var];
      if (!*cell) {
        *cell = vals[i];
      } else {
        ok = *cell == vals[i];
      }
    }
  }
  const GraphCtx* const gc = &run->op->graph;
  if (ok && gc->mode == GM_VAR) {
    FdxId* const cell = &row[gc->g.var];
    if (!*cell) {
      *cell = q->g;
    } else {
      ok = *cell == q->g;
    }
  }
  FdxStatus st = FDX_SUCCESS;
  if (ok) {
    FdxId* const saved = run->row;
    run->row           = row;
    ++run->depth;
    st = bgp_step(ex, run);
    --run->depth;
    run->row = saved;
  }
  rows_pop(ex);
  return st;
}

static uint64_t
key_slot(const FdxId key)
{
  uint64_t h = key * UINT64_C(0x9e3779b97f4a7c15);
  return h ^ (h >> 31);
}

typedef struct {
  PatternHash* h;
  uint8_t      by;
  FdxStatus    st;
} HashFill;

/* Which bitmap a subject goes in, or -1 for none (a literal is never a
 * subject). */
static int
bits_kind(const FdxId s)
{
  const FdxIdTag tag = fdx_id_tag(s);
  return tag == FDX_TAG_IRI ? 0 : tag == FDX_TAG_BLANK ? 1 : -1;
}

static uint64_t
bits_payload(const FdxId s)
{
  return s & ((UINT64_C(1) << 60) - 1);
}

/* Add subject `s` to a subject set's bitmaps, growing them. */
static FdxStatus
bits_add(Exec* const ex, PatternHash* const h, const FdxId s)
{
  const int k = bits_kind(s);
  if (k < 0) {
    return FDX_SUCCESS;
  }
  const uint64_t     pl = bits_payload(s);
  SubjectBits* const b  = &h->bits[k];
  if (pl / 64 >= b->n_words) {
    if (pl / 64 >= (uint64_t)1 << 32) {
      return FDX_ERR_UNSUPPORTED; /* build_hash() falls back to lookups */
    }
    size_t n = b->n_words ? b->n_words : 1024;
    while (n <= pl / 64) {
      n *= 2;
    }
    /* Charged before it is taken: over the limit, build_hash() forgets
     * the table without having held it. */
    const FdxStatus st = exec_charge(ex, (n - b->n_words) * sizeof(uint64_t));
    if (st) {
      return st;
    }
    uint64_t* const words = (uint64_t*)realloc(b->words, n * sizeof(uint64_t));
    if (!words) {
      return FDX_ERR_NO_MEMORY;
    }
    memset(words + b->n_words, 0, (n - b->n_words) * sizeof(uint64_t));
    b->words   = words;
    b->n_words = n;
  }
  b->words[pl / 64] |= UINT64_C(1) << (pl % 64);
  ++h->n;
  return FDX_SUCCESS;
}

static bool
bits_has(const PatternHash* const h, const FdxId s)
{
  const int k = bits_kind(s);
  if (k < 0) {
    return false;
  }
  const uint64_t pl = bits_payload(s);
  return pl / 64 < h->bits[k].n_words &&
         (h->bits[k].words[pl / 64] >> (pl % 64) & 1);
}

static FdxStatus
hash_add(Exec* const ex, void* const ctx, const FdxQuad* const q)
{
  HashFill* const    f = (HashFill*)ctx;
  PatternHash* const h = f->h;
  if (f->by == 3) {
    return bits_add(ex, h, q->s);
  }
  if (h->n == h->cap) {
    const size_t    cap   = h->cap ? h->cap * 2 : 1024;
    HashPair* const pairs = (HashPair*)realloc(h->pairs, cap * sizeof(HashPair));
    if (!pairs) {
      return FDX_ERR_NO_MEMORY;
    }
    h->pairs = pairs;
    const FdxStatus st = exec_charge(ex, (cap - h->cap) * sizeof(HashPair));
    h->cap             = cap;
    if (st) {
      return st;
    }
  }
  h->pairs[h->n++] = f->by == 2 ? (HashPair){q->o, q->s} : (HashPair){q->s, q->o};
  return FDX_SUCCESS;
}

/* Sort the pairs by key where the scan did not. */
static FdxStatus
sort_table(Exec* const ex, PatternHash* const h)
{
  bool sorted = true;
  for (size_t i = 1; i < h->n && sorted; ++i) {
    sorted = h->pairs[i - 1].key <= h->pairs[i].key;
  }
  if (sorted) {
    return FDX_SUCCESS;
  }
  const FdxStatus st = exec_charge(ex, h->n * sizeof(HashPair));
  if (st) {
    return st;
  }
  if (!fdx_key_pairs_sort(h->pairs, h->n)) {
    return FDX_ERR_NO_MEMORY;
  }
  ex->memory -= h->n * sizeof(HashPair); /* the sort's buffer is gone */
  return FDX_SUCCESS;
}

/* Index each key's first pair, when a probe first needs it (rows in key
 * order never do). */
static FdxStatus
index_table(Exec* const ex, PatternHash* const h)
{
  size_t distinct = h->n ? 1 : 0;
  for (size_t i = 1; i < h->n; ++i) {
    distinct += h->pairs[i - 1].key != h->pairs[i].key;
  }
  size_t slots = 16;
  while (slots < 2 * distinct) {
    slots *= 2;
  }
  FdxStatus st = exec_charge(ex, slots * sizeof(uint32_t));
  if (st) {
    return st;
  }
  if (!(h->slots = (uint32_t*)calloc(slots, sizeof(uint32_t)))) {
    return FDX_ERR_NO_MEMORY;
  }
  h->mask = slots - 1;
  for (size_t i = 0; i < h->n; ++i) {
    if (i && h->pairs[i - 1].key == h->pairs[i].key) {
      continue;
    }
    size_t j = key_slot(h->pairs[i].key) & h->mask;
    while (h->slots[j]) {
      j = (j + 1) & h->mask;
    }
    h->slots[j] = (uint32_t)i + 1;
  }
  return FDX_SUCCESS;
}

/* The hash probe of pattern `index` of `op` (built on first use). NULL
 * in *ret when it could not be built within the memory limit: scan. */
static FdxStatus
build_hash(Exec* ex, PatternHash* h, PatternHash** ret);

static FdxStatus
pattern_hash(Exec* const ex, const Op* const op, const uint32_t index,
             const uint8_t by, PatternHash** const ret)
{
  EvalState* const es = state(ex);
  if (!es) {
    return FDX_ERR_NO_MEMORY;
  }
  PatternHash* found = NULL;
  for (size_t i = 0; i < es->n_hashes && !found; ++i) {
    PatternHash* const h = es->hashes[i];
    if (h->op == op && h->pattern == index && h->by == by) {
      found = h;
    }
  }
  if (found) {
    if (found->built || found->failed) {
      *ret = found->failed ? NULL : found;
      return FDX_SUCCESS;
    }
    /* The plan guessed many rows would come; wait until they do (filters
     * and selective joins often cut them down) before paying for the
     * whole predicate: scanning is never more than twice the best. */
    if (++found->lookups < found->threshold) {
      *ret = NULL;
      return FDX_SUCCESS;
    }
    return build_hash(ex, found, ret);
  }
  PatternHash** const grown =
    (PatternHash**)realloc(es->hashes, (es->n_hashes + 1) * sizeof(PatternHash*));
  if (!grown) {
    return FDX_ERR_NO_MEMORY;
  }
  es->hashes           = grown;
  PatternHash* const h = (PatternHash*)calloc(1, sizeof(PatternHash));
  if (!h) {
    return FDX_ERR_NO_MEMORY;
  }
  es->hashes[es->n_hashes++] = h;
  h->op      = op;
  h->pattern = index;
  h->by      = by;
  /* Build once the look-ups done so far cost about what the scan would:
   * a look-up is a B-tree descent (about a microsecond), a scanned quad
   * some 15 ns, a sorted pair a few times that.  A subject set scans only
   * the quads with its object, which the store counts in one look-up. */
  FdxPredicateStats ps;
  uint64_t          scanned = 0;
  if (!fdx_predicate_stats(ex->txn, op->pats[index].p.id, &ps)) {
    scanned = ps.quads;
    if (by == 3) {
      const uint64_t n = quads_with_object(ex, op->pats[index].o.id);
      scanned          = n < scanned ? n : scanned;
    }
  }
  h->threshold = scanned / (by == 3 ? 64 : 20);
  h->lookups   = 1;
  if (h->lookups < h->threshold) {
    *ret = NULL;
    return FDX_SUCCESS;
  }
  return build_hash(ex, h, ret);
}

/* Fill `h` from one scan of its predicate (or predicate and object). */
static FdxStatus
build_hash(Exec* const ex, PatternHash* const h, PatternHash** const ret)
{
  const Op* const op    = (const Op*)h->op;
  const uint32_t  index = h->pattern;
  const uint8_t   by    = h->by;
  h->built              = true;
  /* The whole predicate, in the union default graph. */
  const ScanGraph sg   = {FDX_ID_ANY, true, false, false};
  HashFill        fill = {h, by, FDX_SUCCESS};
  const size_t    mem  = ex->memory;
  const FdxId o  = by == 3 ? op->pats[index].o.id : FDX_ID_ANY;
  FdxStatus   st = scan(ex, &sg, FDX_ID_ANY, op->pats[index].p.id, o, hash_add, &fill);
  h->use_bits = by == 3;
  if (!st && !h->use_bits) {
    st = sort_table(ex, h);
  }
  if ((st == FDX_ERR_LIMIT && ex->status == FDX_ERR_LIMIT &&
       ex->memory > ex->max_memory) ||
      st == FDX_ERR_UNSUPPORTED) {
    /* Over the memory limit, or subject numbers too large for a bitmap:
     * forget the table and scan per row. */
    ex->status = FDX_SUCCESS;
    ex->memory = mem;
    free(h->slots);
    free(h->pairs);
    free(h->bits[0].words);
    free(h->bits[1].words);
    memset(h->bits, 0, sizeof(h->bits));
    h->use_bits = false;
    h->slots  = NULL;
    h->pairs  = NULL;
    h->n      = 0;
    h->cap    = 0;
    h->failed = true;
    *ret      = NULL;
    return FDX_SUCCESS;
  }
  if (st) {
    return st;
  }
  *ret = h;
  return FDX_SUCCESS;
}

/* The index of the first pair with `key` into *ret, or SIZE_MAX: a few
 * steps on from the last probe's end when keys come in order, else the
 * index (made now if need be). */
static FdxStatus
find_key(Exec* const ex, PatternHash* const h, const FdxId key,
         size_t* const ret)
{
  *ret     = SIZE_MAX;
  size_t i = h->cursor;
  if (i < h->n && h->pairs[i].key <= key) {
    /* Gallop forward from the cursor: the key lies within 2^k pairs,
     * then a binary search in the last stretch. */
    size_t lo = i, step = 1;
    while (lo + step < h->n && h->pairs[lo + step].key < key && step < 4096) {
      lo += step;
      step *= 2;
    }
    if (step < 4096 || lo + step >= h->n || h->pairs[lo + step].key >= key) {
      size_t hi = lo + step < h->n ? lo + step : h->n; /* pairs[hi] >= key */
      while (lo < hi) { /* first index in [lo, hi] with key >= `key` */
        const size_t mid = lo + (hi - lo) / 2;
        if (h->pairs[mid].key < key) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo == h->n || h->pairs[lo].key > key) {
        h->cursor = lo;
        return FDX_SUCCESS;
      }
      *ret = lo;
      return FDX_SUCCESS;
    }
  }
  if (!h->slots) {
    const FdxStatus st = index_table(ex, h);
    if (st) {
      return st;
    }
  }
  for (size_t j = key_slot(key) & h->mask; h->slots[j]; j = (j + 1) & h->mask) {
    if (h->pairs[h->slots[j] - 1].key == key) {
      *ret = h->slots[j] - 1;
      break;
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
probe_hash(Exec* const ex, PatternHash* const h, const FdxId key,
           const FdxId p, const uint8_t by, BgpRun* const run)
{
  if (!h->n) {
    return FDX_SUCCESS;
  }
  if (h->use_bits) {
    if (!bits_has(h, key)) {
      return FDX_SUCCESS;
    }
    const Pattern* const pat = &((const Op*)h->op)->pats[h->pattern];
    const FdxQuad        q   = {key, p, pat->o.id, FDX_ID_ANY};
    return bgp_quad(ex, run, &q);
  }
  size_t          i  = SIZE_MAX;
  const FdxStatus fs = find_key(ex, h, key, &i);
  if (fs || i == SIZE_MAX) {
    return fs;
  }
  /* The cursor moves past this key's pairs before they are emitted: the
   * rows they make may probe this table again. */
  size_t end = i;
  while (end < h->n && h->pairs[end].key == key) {
    ++end;
  }
  h->cursor = end;
  for (; i < end; ++i) {
    const HashPair* const e = &h->pairs[i];
    const FdxQuad q = {by == 2 ? e->value : key, p, by == 2 ? key : e->value,
                       FDX_ID_ANY};
    const FdxStatus st = bgp_quad(ex, run, &q);
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
bgp_step(Exec* const ex, BgpRun* const run)
{
  /* Filters whose variables are all bound by now. */
  for (uint32_t f = 0; f < run->op->n_exprs; ++f) {
    if (run->plan->filter_depth[f] == run->depth) {
      bool            ok;
      const FdxStatus st = filters_pass(ex, &run->op->exprs[f], 1, run->row, &ok);
      if (st || !ok) {
        return st;
      }
    }
  }
  if (run->depth == run->op->n_pats) {
    return run->emit(ex, run->ctx, run->row);
  }
  const Pattern* const p  = &run->op->pats[run->plan->order[run->depth]];
  const ScanGraph      sg = scan_graph(ex, &run->op->graph, run->row);
  const FdxId          s  = slot_value(&p->s, run->row);
  const FdxId          pp = slot_value(&p->p, run->row);
  const FdxId          o  = slot_value(&p->o, run->row);
  if ((!p->s.is_var && !s) || (!p->p.is_var && !pp) || (!p->o.is_var && !o)) {
    return FDX_SUCCESS; /* a constant the store lacks */
  }
  const uint8_t by = run->plan->probe[run->depth];
  if (by && (by == 1 ? s && !o : by == 2 ? o && !s : s && o)) {
    PatternHash* h  = NULL;
    FdxStatus    st = pattern_hash(ex, run->op, run->plan->order[run->depth], by, &h);
    if (st) {
      return st;
    }
    if (h) {
      return probe_hash(ex, h, by == 2 ? o : s, pp, by, run);
    }
  }
  const FdxId* const range = &run->plan->range[2 * run->depth];
  if (range[0] && !s && !o && !sg.g) {
    return scan_objects(ex, &sg, pp, range[0], range[1], bgp_quad, run);
  }
  return scan(ex, &sg, s, pp, o, bgp_quad, run);
}

/* Which of the BGP's variable positions the seed binds, as a signature. */
static uint64_t
bound_signature(const Op* const op, const FdxId* const seed)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (uint32_t i = 0; i < op->n_pats; ++i) {
    const Slot* const slots[3] = {&op->pats[i].s, &op->pats[i].p, &op->pats[i].o};
    for (int k = 0; k < 3; ++k) {
      const bool b = slots[k]->is_var && seed[slots[k]->var];
      h            = (h ^ (uint64_t)(b + 1)) * UINT64_C(0x100000001b3);
    }
  }
  if (op->graph.mode == GM_VAR) {
    h = (h ^ (uint64_t)(seed[op->graph.g.var] ? 2 : 1)) * UINT64_C(0x100000001b3);
  }
  return h;
}

/* Narrow [*lo, *hi] by the comparisons of variable `var` with xsd:date
 * or xsd:dateTime constants among the conjuncts of `e`.  *tag is the kind
 * of constant seen (0 before any); a mix of kinds sets *mixed. */
static void
range_from(const FdxSparqlExpr* const e, const uint32_t var, FdxIdTag* const tag,
           FdxId* const lo, FdxId* const hi, bool* const mixed)
{
  if (e->kind == FDX_SPARQL_EXPR_AND && e->n_args == 2) {
    range_from(e->args[0], var, tag, lo, hi, mixed);
    range_from(e->args[1], var, tag, lo, hi, mixed);
    return;
  }
  FdxSparqlExprKind k = e->kind;
  if ((k != FDX_SPARQL_EXPR_LT && k != FDX_SPARQL_EXPR_GT &&
       k != FDX_SPARQL_EXPR_LE && k != FDX_SPARQL_EXPR_GE &&
       k != FDX_SPARQL_EXPR_EQ) ||
      e->n_args != 2) {
    return;
  }
  const FdxSparqlExpr* a = e->args[0];
  const FdxSparqlExpr* c = e->args[1];
  if (c->kind == FDX_SPARQL_EXPR_VAR && a->kind == FDX_SPARQL_EXPR_TERM) {
    /* constant OP ?var: turn it round */
    const FdxSparqlExpr* const t = a;
    a                            = c;
    c                            = t;
    k = k == FDX_SPARQL_EXPR_LT   ? FDX_SPARQL_EXPR_GT
        : k == FDX_SPARQL_EXPR_GT ? FDX_SPARQL_EXPR_LT
        : k == FDX_SPARQL_EXPR_LE ? FDX_SPARQL_EXPR_GE
        : k == FDX_SPARQL_EXPR_GE ? FDX_SPARQL_EXPR_LE
                                  : k;
  }
  if (a->kind != FDX_SPARQL_EXPR_VAR || a->term.index != var ||
      c->kind != FDX_SPARQL_EXPR_TERM || c->term.kind != FDX_SPARQL_TERM_LITERAL) {
    return;
  }
  const FdxTerm t = {FDX_TERM_LITERAL, c->term.value, c->term.value_len,
                     c->term.lang,     c->term.lang_len,
                     c->term.datatype, c->term.datatype_len};
  FdxId id = 0;
  if (!fdx_term_inline(&t, &id) ||
      (fdx_id_tag(id) != FDX_TAG_DATE && fdx_id_tag(id) != FDX_TAG_DATETIME)) {
    return;
  }
  const FdxIdTag kind = fdx_id_tag(id);
  if (*tag && *tag != kind) {
    *mixed = true;
    return;
  }
  if (!*tag) {
    *tag = kind;
    *lo  = (FdxId)kind << 60;
    *hi  = ((FdxId)(kind + 1) << 60) - 1;
  }
  /* Ids hold (UTC instant << 8 | zone code).  A value without a zone
   * compares with a zoned one as if at most 14 hours away, and a date is
   * a whole day: widen by that much (the filter itself still decides). */
  const FdxId slack = kind == FDX_TAG_DATE ? (FdxId)2 << 8
                                           : (FdxId)(14 * 3600000 + 1000) << 8;
  const FdxId base  = (FdxId)kind << 60;
  const FdxId top   = ((FdxId)(kind + 1) << 60) - 1;
  const FdxId low   = (id & ~(FdxId)0xff) - base > slack
                        ? (id & ~(FdxId)0xff) - slack
                        : base;
  const FdxId high  = top - (id | 0xff) > slack ? (id | 0xff) + slack : top;
  if ((k == FDX_SPARQL_EXPR_GT || k == FDX_SPARQL_EXPR_GE ||
       k == FDX_SPARQL_EXPR_EQ) && low > *lo) {
    *lo = low;
  }
  if ((k == FDX_SPARQL_EXPR_LT || k == FDX_SPARQL_EXPR_LE ||
       k == FDX_SPARQL_EXPR_EQ) && high < *hi) {
    *hi = high;
  }
}

/* When the BGP's pushed filters compare pattern `p`'s object (a variable)
 * with xsd:date or xsd:dateTime constants and its predicate is a constant,
 * the object ids such a comparison can let through: [*lo, *hi] within the
 * inlined tag, plus every non-inlined typed literal (scan_objects()).
 * Inlined dates and dateTimes sort by value, so this reads the matching
 * part of the predicate instead of all of it. */
static bool
pattern_range(const Op* const op, const Pattern* const p, FdxId* const lo,
              FdxId* const hi)
{
  if (p->p.is_var || !p->p.id || !p->o.is_var ||
      (p->s.is_var && p->s.var == p->o.var)) {
    return false;
  }
  FdxIdTag tag   = FDX_TAG_SPECIAL;
  bool     mixed = false;
  for (uint32_t f = 0; f < op->n_exprs; ++f) {
    range_from(op->exprs[f], p->o.var, &tag, lo, hi, &mixed);
  }
  return tag != FDX_TAG_SPECIAL && !mixed && *lo <= *hi;
}

/* Whether pattern `i` is a class test, `?s p C` with `p` and `C`
 * constant, that another pattern of the BGP with a constant predicate
 * could be joined to on ?s.  Started from, it binds only ?s and sends
 * every row to a per-row lookup of the other; placed after it, it is a
 * membership test in a bitmap (see PatternHash), the cheapest probe
 * there is.  The planner starts from it only if it is 4 times smaller
 * (class sizes are estimated as the average of the predicate's objects). */
static bool
semi_join_later(const Op* const op, const uint32_t i)
{
  const Pattern* const p = &op->pats[i];
  if (!p->s.is_var || p->p.is_var || p->o.is_var) {
    return false;
  }
  for (uint32_t j = 0; j < op->n_pats; ++j) {
    const Pattern* const q = &op->pats[j];
    if (j != i && !q->p.is_var && q->s.is_var && q->s.var == p->s.var) {
      return true;
    }
  }
  return false;
}

/* Work out (or find) the join order for this seed: greedily the cheapest
 * pattern next given what is bound, preferring patterns connected to what
 * is bound; and where each pushed-down filter can run. */
static FdxStatus
bgp_plan(Exec* const ex, const Op* const op, const FdxId* const seed,
         const Plan** const ret)
{
  const uint64_t sig = bound_signature(op, seed);
  for (const Plan* p = *op->plans; p; p = p->next) {
    if (p->sig == sig) {
      *ret = p;
      return FDX_SUCCESS;
    }
  }
  EvalState* const es = state(ex);
  /* One block: the Plan, order, filter_depth, probe, then (aligned) the
   * object ranges. */
  const size_t head_bytes = sizeof(Plan) +
                            (op->n_pats + op->n_exprs + 1) * sizeof(uint32_t) +
                            op->n_pats + 1;
  const size_t range_at   = (head_bytes + sizeof(FdxId) - 1) / sizeof(FdxId) *
                          sizeof(FdxId);
  Plan* const plan =
    (Plan*)calloc(1, range_at + (2 * (size_t)op->n_pats + 2) * sizeof(FdxId));
  uint64_t* const bound = (uint64_t*)calloc(words(ex), sizeof(uint64_t));
  bool* const     used  = (bool*)calloc(op->n_pats + 1, 1);
  Plan** const    all =
    es ? (Plan**)realloc(es->all_plans, (es->n_plans + 1) * sizeof(Plan*)) : NULL;
  if (all) {
    es->all_plans = all;
  }
  if (!plan || !bound || !used || !all) {
    free(plan);
    free(bound);
    free(used);
    return FDX_ERR_NO_MEMORY;
  }
  es->all_plans[es->n_plans++] = plan;
  plan->range        = (FdxId*)((char*)plan + range_at);
  plan->sig          = sig;
  plan->n_pats       = op->n_pats;
  plan->filter_depth = plan->order + op->n_pats;
  plan->probe        = (uint8_t*)(plan->filter_depth + op->n_exprs + 1);
  double rows        = 1;
  for (uint32_t v = 0; v < ex->n_vars; ++v) {
    if (seed[v]) {
      set_add(bound, v);
    }
  }
  for (uint32_t k = 0; k < op->n_pats; ++k) {
    uint32_t best      = 0;
    double   best_cost = -1;
    for (uint32_t i = 0; i < op->n_pats; ++i) {
      if (used[i]) {
        continue;
      }
      double               cost = estimate(ex, &op->pats[i], seed, bound);
      const Pattern* const p    = &op->pats[i];
      FdxId                lo = 0, hi = 0;
      if (p->o.is_var && !set_has(bound, p->o.var) && !seed[p->o.var] &&
          (!p->s.is_var || (!set_has(bound, p->s.var) && !seed[p->s.var])) &&
          pattern_range(op, p, &lo, &hi)) {
        cost /= 20; /* a date range: a guess at how much it keeps */
      }
      const bool connected = k == 0 || (p->s.is_var && set_has(bound, p->s.var)) ||
                             (p->o.is_var && set_has(bound, p->o.var)) ||
                             (p->p.is_var && set_has(bound, p->p.var));
      if (!connected) {
        cost *= 1000;
      }
      if (k == 0 && semi_join_later(op, i)) {
        cost *= 4;
      }
      if (best_cost < 0 || cost < best_cost) {
        best      = i;
        best_cost = cost;
      }
    }
    used[best]     = true;
    plan->order[k] = best;
    {
      /* A hash probe where many rows will look this pattern up. */
      const Pattern* const bp = &op->pats[best];
      const bool sb = bp->s.is_var && (seed[bp->s.var] || set_has(bound, bp->s.var));
      const bool ob = bp->o.is_var && (seed[bp->o.var] || set_has(bound, bp->o.var));
      FdxPredicateStats ps;
      const bool plain = k > 0 && !bp->p.is_var && bp->p.id &&
                         op->graph.mode == GM_DEFAULT && !ex->restrict_default &&
                         !fdx_predicate_stats(ex->txn, bp->p.id, &ps) && rows > 64 &&
                         rows * 20 > (double)ps.quads;
      if (plain && bp->s.is_var && bp->o.is_var && sb != ob) {
        plan->probe[k] = sb ? 1 : 2;
      } else if (plain && sb && !bp->o.is_var && bp->o.id) {
        plan->probe[k] = 3; /* a membership test: is (s, p, o) there? */
      }
      FdxId lo = 0, hi = 0;
      if (bp->s.is_var && !sb && !ob && pattern_range(op, bp, &lo, &hi)) {
        plan->range[2 * k]     = lo;
        plan->range[2 * k + 1] = hi;
      }
      rows *= best_cost > 0 ? best_cost : 1;
    }
    slot_vars(&op->pats[best].s, bound);
    slot_vars(&op->pats[best].p, bound);
    slot_vars(&op->pats[best].o, bound);
    if (op->graph.mode == GM_VAR) {
      set_add(bound, op->graph.g.var);
    }
  }
  /* Each filter at the first depth where all its variables are bound. */
  uint64_t* const vars = (uint64_t*)calloc(words(ex), sizeof(uint64_t));
  uint64_t* const have = (uint64_t*)calloc(words(ex), sizeof(uint64_t));
  for (uint32_t f = 0; vars && have && f < op->n_exprs; ++f) {
    memset(vars, 0, words(ex) * sizeof(uint64_t));
    memset(have, 0, words(ex) * sizeof(uint64_t));
    expr_vars(op->exprs[f], vars);
    for (uint32_t v = 0; v < ex->n_vars; ++v) {
      if (seed[v]) {
        set_add(have, v);
      }
    }
    uint32_t depth = 0;
    for (;; ++depth) {
      bool covered = true;
      for (size_t w = 0; w < words(ex) && covered; ++w) {
        covered = !(vars[w] & ~have[w]);
      }
      if (covered || depth == op->n_pats) {
        break;
      }
      const Pattern* const p = &op->pats[plan->order[depth]];
      slot_vars(&p->s, have);
      slot_vars(&p->p, have);
      slot_vars(&p->o, have);
      if (op->graph.mode == GM_VAR) {
        set_add(have, op->graph.g.var);
      }
    }
    plan->filter_depth[f] = depth;
  }
  const bool oom = !vars || !have;
  free(vars);
  free(have);
  free(bound);
  free(used);
  if (oom) {
    return FDX_ERR_NO_MEMORY;
  }
  plan->next  = *op->plans;
  *op->plans  = plan;
  *ret        = plan;
  return FDX_SUCCESS;
}

static FdxStatus
eval_bgp(Exec* const ex, const Op* const op, const FdxId* const seed,
         EmitFn emit, void* const ctx)
{
  const Plan* plan = NULL;
  FdxStatus   st   = bgp_plan(ex, op, seed, &plan);
  if (st) {
    return st;
  }
  FdxId* const row = rows_push(ex);
  if (!row) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  memcpy(row, seed, ex->n_vars * sizeof(FdxId));
  BgpRun run = {op, plan, 0, row, emit, ctx};
  st         = bgp_step(ex, &run);
  rows_pop(ex);
  return st;
}

typedef struct {
  FdxId* row; /* the first solution, copied */
  bool   found;
} FirstRow;

static FdxStatus
first_row(Exec* const ex, void* const ctx, const FdxId* const row)
{
  FirstRow* const f = (FirstRow*)ctx;
  memcpy(f->row, row, ex->n_vars * sizeof(FdxId));
  f->found = true;
  return FDX_FAILURE; /* enough */
}

/* Whether `op` is a basic graph pattern over the whole union default
 * graph (no GRAPH, no FROM): what the shortcuts below read directly. */
static bool
union_bgp(const Exec* const ex, const Op* const op)
{
  return op->kind == OP_BGP && op->graph.mode == GM_DEFAULT && !ex->restrict_default;
}

/* The pattern of `op` (a BGP) with constant predicate and ?var as its
 * object and another variable as its subject, or NULL. */
static const Pattern*
object_pattern(const Op* const op, const uint32_t var, const FdxId* const seed)
{
  for (uint32_t i = 0; i < op->n_pats; ++i) {
    const Pattern* const p = &op->pats[i];
    if (!p->p.is_var && p->p.id && fdx_id_tag(p->p.id) != FDX_TAG_LOCAL &&
        p->o.is_var && p->o.var == var && p->s.is_var && p->s.var != var &&
        !seed[p->s.var]) {
      return p;
    }
  }
  return NULL;
}

FdxStatus
eval_distinct_objects(Exec* const ex, const Op* const op, const FdxId* const seed,
                      const uint32_t var, EmitFn emit, void* const ctx,
                      bool* const ret_used)
{
  *ret_used = false;
  if (!union_bgp(ex, op) || seed[var]) {
    return FDX_SUCCESS;
  }
  const Pattern* const drive = object_pattern(op, var, seed);
  FdxPredicateStats    ps;
  if (!drive || fdx_predicate_stats(ex->txn, drive->p.id, &ps) ||
      ps.objects * 8 >= ps.quads) {
    return FDX_SUCCESS; /* few quads per object: scanning them all is as good */
  }
  *ret_used           = true;
  FdxId* const row    = rows_push(ex);
  FdxId* const found  = row ? rows_push(ex) : NULL;
  if (!found) {
    if (row) {
      rows_pop(ex);
    }
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  FdxStatus st   = FDX_SUCCESS;
  FdxId     from = 1;
  for (;;) {
    if ((st = exec_tick(ex))) {
      break;
    }
    /* The next object from `from` on: one B-tree search. */
    FdxQuadIter* it = NULL;
    if ((st = fdx_quad_find_objects(ex->txn, drive->p.id, from, UINT64_MAX, &it))) {
      break;
    }
    FdxQuad q;
    st = fdx_quad_iter_next(it, &q);
    fdx_quad_iter_free(it);
    if (st) {
      st = st == FDX_FAILURE ? FDX_SUCCESS : st;
      break;
    }
    memcpy(row, seed, ex->n_vars * sizeof(FdxId));
    row[var]     = q.o;
    FirstRow f   = {found, false};
    st           = eval_bgp(ex, op, row, first_row, &f);
    if (st == FDX_FAILURE && f.found) {
      st = emit(ex, ctx, found);
    }
    if (st || q.o == UINT64_MAX) {
      break;
    }
    from = q.o + 1;
  }
  rows_pop(ex);
  rows_pop(ex);
  return st;
}

static FdxStatus
count_quad(Exec* const ex, void* const ctx, const FdxQuad* const q)
{
  (void)ex;
  (void)q;
  ++*(uint64_t*)ctx;
  return FDX_SUCCESS;
}

FdxStatus
eval_count(Exec* const ex, const Op* const op, const FdxId* const seed,
           const uint32_t var, uint64_t* const ret, bool* const ret_used)
{
  *ret_used = false;
  *ret      = 0;
  if (op->kind != OP_BGP || op->n_pats != 1 || op->n_exprs ||
      op->graph.mode != GM_DEFAULT) {
    return FDX_SUCCESS;
  }
  const Pattern* const p        = &op->pats[0];
  const Slot* const    slots[3] = {&p->s, &p->p, &p->o};
  bool                 has_var  = var == UINT32_MAX;
  for (int i = 0; i < 3; ++i) {
    if (!slots[i]->is_var) {
      continue;
    }
    if (seed[slots[i]->var]) {
      return FDX_SUCCESS;
    }
    for (int j = 0; j < i; ++j) {
      if (slots[j]->is_var && slots[j]->var == slots[i]->var) {
        return FDX_SUCCESS; /* ?x ?p ?x: the scan does not check */
      }
    }
    has_var |= slots[i]->var == var;
  }
  if (!has_var) {
    return FDX_SUCCESS;
  }
  *ret_used = true;
  for (int i = 0; i < 3; ++i) {
    if (!slots[i]->is_var && !slots[i]->id) {
      return FDX_SUCCESS; /* a constant the store lacks: none */
    }
  }
  const ScanGraph sg = scan_graph(ex, &op->graph, seed);
  return scan(ex, &sg, slot_value(&p->s, seed), slot_value(&p->p, seed),
              slot_value(&p->o, seed), count_quad, ret);
}

/* The first object of predicate `p` in one direction, or 0. */
static FdxStatus
edge_object(Exec* const ex, const FdxId p, const bool descending, FdxId* const ret)
{
  FdxQuadIter* it = NULL;
  FdxStatus    st = descending
                      ? fdx_quad_find_objects_desc(ex->txn, p, 1, UINT64_MAX, &it)
                      : fdx_quad_find_objects(ex->txn, p, 1, UINT64_MAX, &it);
  *ret            = 0;
  if (st) {
    return st;
  }
  FdxQuad q;
  st = fdx_quad_iter_next(it, &q);
  fdx_quad_iter_free(it);
  if (!st) {
    *ret = q.o;
  }
  return st == FDX_FAILURE ? FDX_SUCCESS : st;
}

FdxStatus
eval_ordered(Exec* const ex, const Op* const op, const FdxId* const seed,
             const uint32_t var, const bool descending, EmitFn emit,
             void* const ctx, bool (*enough)(void* ctx), bool* const ret_used)
{
  *ret_used = false;
  if (!union_bgp(ex, op) || seed[var]) {
    return FDX_SUCCESS;
  }
  const Pattern* const drive = object_pattern(op, var, seed);
  if (!drive) {
    return FDX_SUCCESS;
  }
  /* Every object of one inline kind: the first and the last agree. */
  FdxId     low = 0, high = 0;
  FdxStatus st  = edge_object(ex, drive->p.id, false, &low);
  if (!st) {
    st = edge_object(ex, drive->p.id, true, &high);
  }
  if (st || !low || !fdx_id_is_inline(low) || !fdx_id_is_inline(high) ||
      fdx_id_tag(low) != fdx_id_tag(high)) {
    return st;
  }
  *ret_used       = true;
  FdxQuadIter* it = NULL;
  st = descending ? fdx_quad_find_objects_desc(ex->txn, drive->p.id, low, high, &it)
                  : fdx_quad_find_objects(ex->txn, drive->p.id, low, high, &it);
  if (st) {
    return st;
  }
  FdxId* const row = rows_push(ex);
  if (!row) {
    fdx_quad_iter_free(it);
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  FdxQuad   q;
  FdxQuad   prev = {0, 0, 0, 0};
  FdxStatus walk;
  while (!(walk = fdx_quad_iter_next(it, &q))) {
    if ((st = exec_tick(ex))) {
      break;
    }
    if (q.s == prev.s && q.o == prev.o) {
      continue; /* the same triple in another graph */
    }
    if (prev.o && q.o != prev.o && enough(ctx)) {
      break;
    }
    prev = q;
    memcpy(row, seed, ex->n_vars * sizeof(FdxId));
    row[drive->s.var] = q.s;
    row[var]          = q.o;
    if ((st = eval_bgp(ex, op, row, emit, ctx))) {
      break;
    }
  }
  rows_pop(ex);
  fdx_quad_iter_free(it);
  if (st) {
    return st;
  }
  return walk == FDX_FAILURE || walk == FDX_SUCCESS ? FDX_SUCCESS : walk;
}

/* ------------------------------------------------------------------------
 * Property paths
 * --------------------------------------------------------------------- */

typedef FdxStatus (*PairFn)(Exec* ex, void* ctx, FdxId a, FdxId b);

/* A set of ids (open addressing). */
typedef struct {
  FdxId* slots;
  size_t mask;
  size_t n;
} IdSet;

static void
idset_free(IdSet* const s)
{
  free(s->slots);
  memset(s, 0, sizeof(*s));
}

static uint64_t
id_hash(const FdxId id)
{
  uint64_t h = id * UINT64_C(0x9e3779b97f4a7c15);
  return h ^ (h >> 29);
}

/* Add `id`; true if it was new.  Sets *oom on allocation failure. */
static bool
idset_add(Exec* const ex, IdSet* const s, const FdxId id, bool* const oom)
{
  if ((s->n + 1) * 2 > s->mask) {
    const size_t n     = s->mask ? (s->mask + 1) * 2 : 64;
    FdxId* const slots = (FdxId*)calloc(n, sizeof(FdxId));
    if (!slots || exec_charge(ex, n * sizeof(FdxId) / 2)) {
      free(slots);
      *oom = true;
      return false;
    }
    for (size_t i = 0; s->mask && i <= s->mask; ++i) {
      if (s->slots[i]) {
        size_t j = id_hash(s->slots[i]) & (n - 1);
        while (slots[j]) {
          j = (j + 1) & (n - 1);
        }
        slots[j] = s->slots[i];
      }
    }
    free(s->slots);
    s->slots = slots;
    s->mask  = n - 1;
  }
  size_t j = id_hash(id) & s->mask;
  while (s->slots[j]) {
    if (s->slots[j] == id) {
      return false;
    }
    j = (j + 1) & s->mask;
  }
  s->slots[j] = id;
  ++s->n;
  return true;
}

static FdxStatus
path_pairs(Exec* ex, const FdxSparqlPath* p, const ScanGraph* sg, FdxId from,
           FdxId to, PairFn fn, void* ctx);

typedef struct {
  PairFn fn;
  void*  ctx;
  FdxId  p;         /* LINK: the predicate, for negated sets */
  const FdxSparqlPath* neg;
  bool   inverse;
  FdxId* excluded;
  uint32_t n_excluded;
} LinkCtx;

static FdxStatus
link_quad(Exec* const ex, void* const ctx, const FdxQuad* const q)
{
  LinkCtx* const c = (LinkCtx*)ctx;
  if (c->excluded && in_list(c->excluded, c->n_excluded, q->p)) {
    return FDX_SUCCESS;
  }
  return c->inverse ? c->fn(ex, c->ctx, q->o, q->s) : c->fn(ex, c->ctx, q->s, q->o);
}

static FdxStatus
iri_id(Exec* const ex, const FdxSparqlIri* const iri, FdxId* const ret)
{
  const FdxTerm   t  = {FDX_TERM_IRI, iri->str, iri->len, NULL, 0, NULL, 0};
  const FdxStatus st = exec_term_find(ex, &t, ret);
  if (st == FDX_FAILURE) {
    *ret = 0;
    return FDX_SUCCESS;
  }
  return st;
}

typedef struct {
  PairFn fn;
  void*  ctx;
} SwapCtx;

static FdxStatus
swap_pair(Exec* const ex, void* const ctx, const FdxId a, const FdxId b)
{
  const SwapCtx* const c = (const SwapCtx*)ctx;
  return c->fn(ex, c->ctx, b, a);
}

typedef struct {
  const FdxSparqlPath* right;
  const ScanGraph*     sg;
  FdxId                to;
  FdxId                start;
  PairFn               fn;
  void*                ctx;
} SeqCtx;

static FdxStatus
seq_inner(Exec* const ex, void* const ctx, const FdxId m, const FdxId b)
{
  (void)m;
  const SeqCtx* const c = (const SeqCtx*)ctx;
  return c->fn(ex, c->ctx, c->start, b);
}

static FdxStatus
seq_outer(Exec* const ex, void* const ctx, const FdxId a, const FdxId m)
{
  SeqCtx* const c     = (SeqCtx*)ctx;
  SeqCtx        inner = *c;
  inner.start         = a;
  return path_pairs(ex, c->right, c->sg, m, c->to, seq_inner, &inner);
}

/* Nodes reached in one step, collected. */
typedef struct {
  FdxId* ids;
  size_t n;
  size_t cap;
} IdVec;

static FdxStatus
collect_b(Exec* const ex, void* const ctx, const FdxId a, const FdxId b)
{
  (void)a;
  IdVec* const v = (IdVec*)ctx;
  if (v->n == v->cap) {
    const size_t cap = v->cap ? v->cap * 2 : 64;
    FdxId* const ids = (FdxId*)realloc(v->ids, cap * sizeof(FdxId));
    if (!ids || exec_charge(ex, (cap - v->cap) * sizeof(FdxId))) {
      free(ids == v->ids ? NULL : ids);
      return ex->status ? ex->status : FDX_ERR_NO_MEMORY;
    }
    v->ids = ids;
    v->cap = cap;
  }
  v->ids[v->n++] = b;
  return FDX_SUCCESS;
}

/* Closure from `from` over `step` (*, + or ?): each node reached once. */
static FdxStatus
closure_from(Exec* const ex, const FdxSparqlPath* const p, const ScanGraph* const sg,
             const FdxId from, const bool backwards, PairFn fn, void* const ctx,
             const FdxId want)
{
  IdSet     seen = {NULL, 0, 0};
  IdVec     frontier = {NULL, 0, 0};
  IdVec     next = {NULL, 0, 0};
  FdxStatus st   = FDX_SUCCESS;
  bool      oom  = false;
  const bool zero = p->kind != FDX_SPARQL_PATH_ONE_OR_MORE;
  const bool once = p->kind == FDX_SPARQL_PATH_ZERO_OR_ONE;
  if (zero) {
    idset_add(ex, &seen, from, &oom);
    if (!want || want == from) {
      st = backwards ? fn(ex, ctx, from, from) : fn(ex, ctx, from, from);
    }
  }
  if (!st && !oom) {
    st = collect_b(ex, &frontier, 0, from);
  }
  for (int round = 0; !st && !oom && frontier.n; ++round) {
    next.n = 0;
    for (size_t i = 0; i < frontier.n && !st; ++i) {
      st = backwards ? path_pairs(ex, p->left, sg, 0, frontier.ids[i], swap_pair,
                                  &(SwapCtx){collect_b, &next})
                     : path_pairs(ex, p->left, sg, frontier.ids[i], 0, collect_b, &next);
    }
    frontier.n = 0;
    for (size_t i = 0; i < next.n && !st; ++i) {
      const FdxId node = next.ids[i];
      if (!idset_add(ex, &seen, node, &oom)) {
        continue;
      }
      if (!want || want == node) {
        st = backwards ? fn(ex, ctx, node, from) : fn(ex, ctx, from, node);
      }
      if (!st) {
        st = collect_b(ex, &frontier, 0, node);
      }
    }
    if (once) {
      break;
    }
  }
  idset_free(&seen);
  free(frontier.ids);
  free(next.ids);
  if (oom && !st) {
    st = ex->status ? ex->status : FDX_ERR_NO_MEMORY;
  }
  return st;
}

/* Every node of the graph (subjects and objects), each once. */
static FdxStatus
node_quad(Exec* const ex, void* const ctx, const FdxQuad* const q)
{
  void** const  c    = (void**)ctx;
  IdSet* const  seen = (IdSet*)c[0];
  IdVec* const  out  = (IdVec*)c[1];
  bool          oom  = false;
  FdxStatus     st   = FDX_SUCCESS;
  if (idset_add(ex, seen, q->s, &oom)) {
    st = collect_b(ex, out, 0, q->s);
  }
  if (!st && !oom && idset_add(ex, seen, q->o, &oom)) {
    st = collect_b(ex, out, 0, q->o);
  }
  return oom ? (ex->status ? ex->status : FDX_ERR_NO_MEMORY) : st;
}

static FdxStatus
path_pairs(Exec* const ex, const FdxSparqlPath* const p, const ScanGraph* const sg,
           const FdxId from, const FdxId to, PairFn fn, void* const ctx)
{
  FdxStatus st;
  if ((st = exec_tick(ex))) {
    return st;
  }
  switch (p->kind) {
  case FDX_SPARQL_PATH_LINK: {
    FdxId pid;
    if ((st = iri_id(ex, &p->iri, &pid))) {
      return st;
    }
    if (!pid) {
      return FDX_SUCCESS;
    }
    LinkCtx c = {fn, ctx, pid, NULL, false, NULL, 0};
    return scan(ex, sg, from, pid, to, link_quad, &c);
  }
  case FDX_SPARQL_PATH_INVERSE: {
    SwapCtx c = {fn, ctx};
    return path_pairs(ex, p->left, sg, to, from, swap_pair, &c);
  }
  case FDX_SPARQL_PATH_SEQ: {
    SeqCtx c = {p->right, sg, to, 0, fn, ctx};
    return path_pairs(ex, p->left, sg, from, 0, seq_outer, &c);
  }
  case FDX_SPARQL_PATH_ALT:
    if ((st = path_pairs(ex, p->left, sg, from, to, fn, ctx))) {
      return st;
    }
    return path_pairs(ex, p->right, sg, from, to, fn, ctx);
  case FDX_SPARQL_PATH_NEGATED: {
    FdxId    fwd[64], inv[64];
    uint32_t nf = 0, ni = 0;
    for (uint32_t i = 0; i < p->n_forward && i < 64; ++i) {
      if ((st = iri_id(ex, &p->forward[i], &fwd[nf]))) {
        return st;
      }
      nf += fwd[nf] != 0;
    }
    for (uint32_t i = 0; i < p->n_inverse && i < 64; ++i) {
      if ((st = iri_id(ex, &p->inverse[i], &inv[ni]))) {
        return st;
      }
      ni += inv[ni] != 0;
    }
    if (p->n_forward || !p->n_inverse) {
      LinkCtx c = {fn, ctx, 0, p, false, fwd, nf};
      if ((st = scan(ex, sg, from, FDX_ID_ANY, to, link_quad, &c))) {
        return st;
      }
    }
    if (p->n_inverse) {
      LinkCtx c = {fn, ctx, 0, p, true, inv, ni};
      return scan(ex, sg, to, FDX_ID_ANY, from, link_quad, &c);
    }
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_PATH_ZERO_OR_MORE:
  case FDX_SPARQL_PATH_ONE_OR_MORE:
  case FDX_SPARQL_PATH_ZERO_OR_ONE: {
    if (from) {
      return closure_from(ex, p, sg, from, false, fn, ctx, to);
    }
    if (to) {
      return closure_from(ex, p, sg, to, true, fn, ctx, 0);
    }
    /* Both ends open: start from every node of the graph. */
    IdSet seen  = {NULL, 0, 0};
    IdVec nodes = {NULL, 0, 0};
    void* c[2]  = {&seen, &nodes};
    st          = scan(ex, sg, 0, 0, 0, node_quad, c);
    idset_free(&seen);
    for (size_t i = 0; i < nodes.n && !st; ++i) {
      st = closure_from(ex, p, sg, nodes.ids[i], false, fn, ctx, 0);
    }
    free(nodes.ids);
    return st;
  }
  }
  return FDX_SUCCESS;
}

typedef struct {
  const Op* op;
  FdxId*    row;
  EmitFn    emit;
  void*     ctx;
  FdxId     graph; /* bound graph for GRAPH ?g, or 0 */
} PathRun;

static FdxStatus
path_emit(Exec* const ex, void* const ctx, const FdxId a, const FdxId b)
{
  PathRun* const r   = (PathRun*)ctx;
  FdxId* const   row = rows_push(ex);
  if (!row) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  memcpy(row, r->row, ex->n_vars * sizeof(FdxId));
  const Slot* const slots[2] = {&r->op->ps, &r->op->po};
  const FdxId       vals[2]  = {a, b};
  bool              ok       = true;
  for (int i = 0; i < 2 && ok; ++i) {
    if (slots[i]->is_var) {
      FdxId* const cell = &row[slots[i]->var];
      if (!*cell) {
        *cell = vals[i];
      } else {
        ok = *cell == vals[i];
      }
    } else {
      ok = slots[i]->id == vals[i];
    }
  }
  if (ok && r->graph && r->op->graph.mode == GM_VAR) {
    row[r->op->graph.g.var] = r->graph;
  }
  const FdxStatus st = ok ? r->emit(ex, r->ctx, row) : FDX_SUCCESS;
  rows_pop(ex);
  return st;
}

static FdxStatus
found_quad(Exec* const ex, void* const ctx, const FdxQuad* const q)
{
  (void)ex;
  (void)q;
  *(bool*)ctx = true;
  return FDX_FAILURE;
}

/* Is `id` a subject or object in `sg`? */
static FdxStatus
is_node(Exec* const ex, const ScanGraph* const sg, const FdxId id, bool* const ret)
{
  *ret         = false;
  FdxStatus st = scan(ex, sg, id, FDX_ID_ANY, FDX_ID_ANY, found_quad, ret);
  if (st == FDX_FAILURE) {
    st = FDX_SUCCESS;
  }
  if (!st && !*ret) {
    st = scan(ex, sg, FDX_ID_ANY, FDX_ID_ANY, id, found_quad, ret);
    if (st == FDX_FAILURE) {
      st = FDX_SUCCESS;
    }
  }
  return st;
}

static FdxStatus
eval_path(Exec* const ex, const Op* const op, const FdxId* const seed,
          EmitFn emit, void* const ctx)
{
  const FdxId from = slot_value(&op->ps, seed);
  const FdxId to   = slot_value(&op->po, seed);
  PathRun run = {op, (FdxId*)seed, emit, ctx, 0};
  if (op->graph.mode == GM_VAR && !seed[op->graph.g.var]) {
    /* Each named graph in turn. */
    FdxId     g    = FDX_ID_ANY;
    FdxStatus st   = FDX_SUCCESS;
    FdxStatus walk = FDX_SUCCESS;
    while (!st && !(walk = fdx_graph_next(ex->txn, g, &g))) {
      if (!is_named_graph(ex, g)) {
        continue;
      }
      const ScanGraph sg = {g, false, false, false};
      run.graph          = g;
      st = path_pairs(ex, op->path, &sg, from, to, path_emit, &run);
    }
    return st ? st : walk == FDX_FAILURE ? FDX_SUCCESS : walk;
  }
  const ScanGraph sg = scan_graph(ex, &op->graph, seed);
  if (sg.nothing) {
    return FDX_SUCCESS;
  }
  /* An end bound by an earlier pattern (not written in the path) must be
   * a node of the graph: a zero-length path joins only nodes and the
   * constants written in it. */
  const Slot* const ends[2] = {&op->ps, &op->po};
  for (int i = 0; i < 2; ++i) {
    if (ends[i]->is_var && seed[ends[i]->var]) {
      bool      node = false;
      FdxStatus st   = is_node(ex, &sg, seed[ends[i]->var], &node);
      if (st || !node) {
        return st;
      }
    }
  }
  return path_pairs(ex, op->path, &sg, from, to, path_emit, &run);
}

/* ------------------------------------------------------------------------
 * The other operators
 * --------------------------------------------------------------------- */

static bool
compatible_rows(const Exec* const ex, const FdxId* const a, const FdxId* const b)
{
  for (uint32_t i = 0; i < ex->n_vars; ++i) {
    if (a[i] && b[i] && a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

/* Filters: all must be true. */
static FdxStatus
filters_pass(Exec* const ex, FdxSparqlExpr* const* const exprs, const uint32_t n,
             const FdxId* const row, bool* const ret)
{
  *ret = true;
  for (uint32_t i = 0; i < n && *ret; ++i) {
    Value           v;
    const FdxStatus st = expr_eval(ex, exprs[i], row, NULL, &v);
    arena_reset(&ex->scratch);
    if (st) {
      return st;
    }
    *ret = value_ebv(&v) == 1;
  }
  return FDX_SUCCESS;
}

typedef struct {
  const Op* op;
  EmitFn    emit;
  void*     ctx;
  bool      found;
  const FdxId* seed;
} OpRun;

static FdxStatus
join_left(Exec* const ex, void* const ctx, const FdxId* const row)
{
  OpRun* const r = (OpRun*)ctx;
  return eval_op(ex, r->op->b, row, r->emit, r->ctx);
}

static FdxStatus
filter_row(Exec* const ex, void* const ctx, const FdxId* const row)
{
  OpRun* const r = (OpRun*)ctx;
  bool         ok;
  FdxStatus    st = filters_pass(ex, r->op->exprs, r->op->n_exprs, row, &ok);
  if (st || !ok) {
    return st;
  }
  return r->emit(ex, r->ctx, row);
}

static FdxStatus
leftjoin_right(Exec* const ex, void* const ctx, const FdxId* const row)
{
  OpRun* const r = (OpRun*)ctx;
  bool         ok = true;
  FdxStatus    st = FDX_SUCCESS;
  if (r->op->n_exprs) {
    st = filters_pass(ex, r->op->exprs, r->op->n_exprs, row, &ok);
  }
  if (st || !ok) {
    return st;
  }
  r->found = true;
  return r->emit(ex, r->ctx, row);
}

static FdxStatus
leftjoin_left(Exec* const ex, void* const ctx, const FdxId* const row)
{
  OpRun* const r     = (OpRun*)ctx;
  OpRun        inner = *r;
  inner.found        = false;
  FdxStatus st       = eval_op(ex, r->op->b, row, leftjoin_right, &inner);
  if (st || inner.found) {
    return st;
  }
  return r->emit(ex, r->ctx, row);
}

/* Materialize a seed-independent operator once per execution. */
typedef struct {
  FdxId* rows;
  size_t n;
  size_t cap;
} RowBuf;

static FdxStatus
collect_row(Exec* const ex, void* const ctx, const FdxId* const row)
{
  RowBuf* const b = (RowBuf*)ctx;
  if (b->n == b->cap) {
    const size_t cap  = b->cap ? b->cap * 2 : 64;
    FdxId* const rows = (FdxId*)realloc(b->rows, cap * ex->n_vars * sizeof(FdxId) + 8);
    if (!rows) {
      return FDX_ERR_NO_MEMORY;
    }
    FdxStatus st = exec_charge(ex, (cap - b->cap) * ex->n_vars * sizeof(FdxId));
    b->rows      = rows;
    b->cap       = cap;
    if (st) {
      return st;
    }
  }
  memcpy(b->rows + b->n * ex->n_vars, row, ex->n_vars * sizeof(FdxId));
  ++b->n;
  return FDX_SUCCESS;
}

static FdxStatus
materialize(Exec* const ex, const void* const key, const Op* const op,
            const FdxSparqlSelect* const sel, const Cached** const ret)
{
  EvalState* const s = state(ex);
  if (!s) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < s->n_cache; ++i) {
    if (s->cache[i]->key == key && s->cache[i]->graph == ex->active_graph) {
      *ret = s->cache[i];
      return FDX_SUCCESS;
    }
  }
  FdxId* const seed = (FdxId*)calloc(ex->n_vars + 1, sizeof(FdxId));
  if (!seed) {
    return FDX_ERR_NO_MEMORY;
  }
  RowBuf    b  = {NULL, 0, 0};
  FdxStatus st = sel ? eval_select(ex, sel, op, seed, collect_row, &b)
                     : eval_op(ex, op, seed, collect_row, &b);
  free(seed);
  if (st) {
    free(b.rows);
    return st;
  }
  Cached** const grown =
    (Cached**)realloc(s->cache, (s->n_cache + 1) * sizeof(Cached*));
  Cached* const c = grown ? (Cached*)malloc(sizeof(Cached)) : NULL;
  if (grown) {
    s->cache = grown;
  }
  if (!c) {
    free(b.rows);
    return FDX_ERR_NO_MEMORY;
  }
  *c                     = (Cached){key, ex->active_graph, b.rows, b.n};
  s->cache[s->n_cache++] = c;
  *ret                   = c;
  return FDX_SUCCESS;
}

static FdxStatus
minus_left(Exec* const ex, void* const ctx, const FdxId* const row)
{
  OpRun* const  r = (OpRun*)ctx;
  const Cached* c = NULL;
  FdxStatus     st = materialize(ex, r->op->b, r->op->b, NULL, &c);
  if (st) {
    return st;
  }
  for (size_t i = 0; i < c->n; ++i) {
    const FdxId* const m      = c->rows + i * ex->n_vars;
    bool               shared = false;
    bool               compat = true;
    for (uint32_t v = 0; v < ex->n_vars && compat; ++v) {
      if (row[v] && m[v]) {
        shared = true;
        compat = row[v] == m[v];
      }
    }
    if (shared && compat) {
      return FDX_SUCCESS; /* removed */
    }
  }
  return r->emit(ex, r->ctx, row);
}

static FdxStatus
extend_row(Exec* const ex, void* const ctx, const FdxId* const row)
{
  OpRun* const r   = (OpRun*)ctx;
  FdxId* const out = rows_push(ex);
  if (!out) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  memcpy(out, row, ex->n_vars * sizeof(FdxId));
  Value v;
  ++ex->row_seq;
  FdxStatus st = expr_eval(ex, r->op->expr, row, NULL, &v);
  if (!st && v.kind != V_UNBOUND) {
    st = value_id(ex, &v, &out[r->op->var]);
  }
  arena_reset(&ex->scratch);
  if (!st) {
    st = r->emit(ex, r->ctx, out);
  }
  rows_pop(ex);
  return st;
}

/* Join a row of a seed-independent result with the seed. */
static FdxStatus
emit_merged(Exec* const ex, const FdxId* const seed, const FdxId* const row,
            EmitFn emit, void* const ctx)
{
  if (!compatible_rows(ex, seed, row)) {
    return FDX_SUCCESS;
  }
  FdxId* const out = rows_push(ex);
  if (!out) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  for (uint32_t i = 0; i < ex->n_vars; ++i) {
    out[i] = row[i] ? row[i] : seed[i];
  }
  const FdxStatus st = emit(ex, ctx, out);
  rows_pop(ex);
  return st;
}

typedef struct {
  uint32_t var;
  FdxId    graph;
  EmitFn   emit;
  void*    ctx;
} ActiveRun;

static FdxStatus
active_emit(Exec* const ex, void* const ctx, const FdxId* const row)
{
  const ActiveRun* const a = (const ActiveRun*)ctx;
  if (row[a->var] && row[a->var] != a->graph) {
    return FDX_SUCCESS;
  }
  FdxId* const out = rows_push(ex);
  if (!out) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  memcpy(out, row, ex->n_vars * sizeof(FdxId));
  out[a->var]        = a->graph;
  const FdxStatus st = a->emit(ex, a->ctx, out);
  rows_pop(ex);
  return st;
}

/* GRAPH ?g over a pattern that must not see ?g bound by its own
 * patterns: each named graph in turn becomes the active graph, and ?g is
 * bound to it in what the pattern returns. */
static FdxStatus
eval_graph_active(Exec* const ex, const Op* const op, const FdxId* const seed,
                  EmitFn emit, void* const ctx)
{
  const uint32_t v     = op->gname.var;
  const FdxId    saved = ex->active_graph;
  FdxStatus      st    = FDX_SUCCESS;
  FdxStatus      walk  = FDX_SUCCESS;
  FdxId          g     = FDX_ID_ANY;
  ActiveRun      run   = {v, 0, emit, ctx};
  while (!st) {
    if (seed[v]) {
      if (g) {
        break; /* the one graph the seed names is done */
      }
      FdxId found = 0;
      g           = seed[v];
      if (!is_named_graph(ex, g) || fdx_graph_next(ex->txn, g - 1, &found) ||
          found != g) {
        break;
      }
    } else if ((walk = fdx_graph_next(ex->txn, g, &g))) {
      break;
    } else if (!is_named_graph(ex, g)) {
      continue;
    }
    ex->active_graph = g;
    run.graph        = g;
    st               = eval_op(ex, op->a, seed, active_emit, &run);
  }
  ex->active_graph = saved;
  return st ? st : walk == FDX_FAILURE ? FDX_SUCCESS : walk;
}

static FdxStatus
eval_graph(Exec* const ex, const Op* const op, const FdxId* const seed,
           EmitFn emit, void* const ctx)
{
  const Slot* const gs = &op->gname;
  if (!gs->is_var) {
    FdxId g = 0;
    if (!gs->id || !is_named_graph(ex, gs->id) ||
        fdx_graph_next(ex->txn, gs->id - 1, &g) || g != gs->id) {
      return FDX_SUCCESS; /* not a named graph of the dataset */
    }
    return eval_op(ex, op->a, seed, emit, ctx);
  }
  if (op->active) {
    return eval_graph_active(ex, op, seed, emit, ctx);
  }
  if (seed[gs->var]) {
    FdxId g = 0;
    if (!is_named_graph(ex, seed[gs->var]) ||
        fdx_graph_next(ex->txn, seed[gs->var] - 1, &g) || g != seed[gs->var]) {
      return FDX_SUCCESS;
    }
    return eval_op(ex, op->a, seed, emit, ctx);
  }
  if (set_has(op->a->certain, gs->var)) {
    return eval_op(ex, op->a, seed, emit, ctx); /* the patterns bind it */
  }
  FdxId* const row = rows_push(ex);
  if (!row) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  memcpy(row, seed, ex->n_vars * sizeof(FdxId));
  FdxId     g    = FDX_ID_ANY;
  FdxStatus st   = FDX_SUCCESS;
  FdxStatus walk = FDX_SUCCESS;
  while (!st && !(walk = fdx_graph_next(ex->txn, g, &g))) {
    if (!is_named_graph(ex, g)) {
      continue;
    }
    row[gs->var] = g;
    st           = eval_op(ex, op->a, row, emit, ctx);
  }
  rows_pop(ex);
  return st ? st : walk == FDX_FAILURE ? FDX_SUCCESS : walk;
}

typedef struct {
  const FdxId* seed;
  EmitFn       emit;
  void*        ctx;
} MergeRun;

static FdxStatus
merge_emit(Exec* const ex, void* const ctx, const FdxId* const row)
{
  const MergeRun* const m = (const MergeRun*)ctx;
  return emit_merged(ex, m->seed, row, m->emit, m->ctx);
}

static FdxStatus
eval_inner(Exec* const ex, const Op* const op, const FdxId* const seed,
           EmitFn emit, void* const ctx)
{
  OpRun     run = {op, emit, ctx, false, seed};
  FdxStatus st;
  if ((st = exec_tick(ex))) {
    return st;
  }
  switch (op->kind) {
  case OP_UNIT:
    return emit(ex, ctx, seed);
  case OP_EMPTY:
    return FDX_SUCCESS;
  case OP_BGP:
    return eval_bgp(ex, op, seed, emit, ctx);
  case OP_PATH:
    return eval_path(ex, op, seed, emit, ctx);
  case OP_JOIN:
    return eval_op(ex, op->a, seed, join_left, &run);
  case OP_LEFTJOIN:
    return eval_op(ex, op->a, seed, leftjoin_left, &run);
  case OP_FILTER:
    return eval_op(ex, op->a, seed, filter_row, &run);
  case OP_UNION:
    if ((st = eval_op(ex, op->a, seed, emit, ctx))) {
      return st;
    }
    return eval_op(ex, op->b, seed, emit, ctx);
  case OP_MINUS:
    return eval_op(ex, op->a, seed, minus_left, &run);
  case OP_GRAPH:
    return eval_graph(ex, op, seed, emit, ctx);
  case OP_EXTEND:
    return eval_op(ex, op->a, seed, extend_row, &run);
  case OP_TABLE:
    for (uint32_t r = 0; r < op->n_rows && !st; ++r) {
      FdxId* const row = rows_push(ex);
      if (!row) {
        return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
      }
      memcpy(row, seed, ex->n_vars * sizeof(FdxId));
      bool ok = true;
      for (uint32_t c = 0; c < op->n_tvars && ok; ++c) {
        const FdxId id = op->cells[(size_t)r * op->n_tvars + c];
        FdxId* const cell = &row[op->tvars[c]];
        if (id) {
          ok    = !*cell || *cell == id;
          *cell = id;
        }
      }
      if (ok) {
        st = emit(ex, ctx, row);
      }
      rows_pop(ex);
    }
    return st;
  case OP_SUBQUERY: {
    const Cached* c = NULL;
    if ((st = materialize(ex, op, op->a, op->sel, &c))) {
      return st;
    }
    for (size_t i = 0; i < c->n && !st; ++i) {
      st = emit_merged(ex, seed, c->rows + i * ex->n_vars, emit, ctx);
    }
    return st;
  }
  }
  return FDX_SUCCESS;
}

FdxStatus
eval_op(Exec* const ex, const Op* const op, const FdxId* const seed,
        EmitFn emit, void* const ctx)
{
  if (op->seed_safe || (ex->in_exists && op->kind != OP_SUBQUERY)) {
    return eval_inner(ex, op, seed, emit, ctx);
  }
  /* Only the seed's variables this operator surely binds go in; the rest
   * is joined with its results. */
  bool extra = false;
  for (uint32_t i = 0; i < ex->n_vars && !extra; ++i) {
    extra = seed[i] && !set_has(op->certain, i);
  }
  if (!extra) {
    return eval_inner(ex, op, seed, emit, ctx);
  }
  FdxId* const inner = rows_push(ex);
  if (!inner) {
    return exec_fail(ex, FDX_ERR_LIMIT, "query too deeply nested");
  }
  for (uint32_t i = 0; i < ex->n_vars; ++i) {
    inner[i] = set_has(op->certain, i) ? seed[i] : 0;
  }
  MergeRun        m  = {seed, emit, ctx};
  const FdxStatus st = eval_inner(ex, op, inner, merge_emit, &m);
  rows_pop(ex);
  return st;
}

/* ------------------------------------------------------------------------
 * EXISTS
 * --------------------------------------------------------------------- */

static FdxStatus
exists_found(Exec* const ex, void* const ctx, const FdxId* const row)
{
  (void)ex;
  (void)row;
  *(bool*)ctx = true;
  return FDX_FAILURE; /* one is enough */
}

FdxStatus
eval_exists(Exec* const ex, const FdxSparqlGroup* const pattern,
            const FdxId* const row, bool* const ret)
{
  Op*       op = NULL;
  FdxStatus st = translate_cached(ex, pattern, &op);
  if (st) {
    return st;
  }
  *ret = false;
  /* The scratch arena holds the caller's values: keep it. */
  Arena saved  = ex->scratch;
  ex->scratch  = (Arena){NULL, 0};
  ++ex->in_exists;
  st = eval_op(ex, op, row, exists_found, ret);
  --ex->in_exists;
  arena_free(&ex->scratch);
  ex->scratch = saved;
  return st == FDX_FAILURE ? FDX_SUCCESS : st;
}
