/*
 * query.c: the public face of the SPARQL engine (fairdex/sparql.h).
 *
 * Prepares queries (the parser's tree plus options), runs them in a
 * caller's transaction with limits, and turns solutions into what each
 * query form returns: rows of terms (SELECT), a boolean (ASK), triples
 * (CONSTRUCT with its template, DESCRIBE with the concise bounded
 * description of each resource).  Also runs update requests: every
 * operation of a request in the caller's one write transaction.
 */
#include "eval.h"
#include "fairdex/rdf.h"
#include "fairdex/sparql.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct FdxQueryImpl {
  FdxSparqlQuery* ast;
  FdxQueryOptions options;
};

static void
options_fill(FdxQueryOptions* const o, const FdxQueryOptions* const in)
{
  memset(o, 0, sizeof(*o));
  if (in) {
    *o = *in;
  }
  if (!o->timeout_ms) {
    o->timeout_ms = FDX_QUERY_DEFAULT_TIMEOUT_MS;
  }
  if (!o->max_rows) {
    o->max_rows = FDX_QUERY_DEFAULT_MAX_ROWS;
  }
  if (!o->max_memory) {
    o->max_memory = FDX_QUERY_DEFAULT_MAX_MEMORY;
  }
}

FdxStatus
fdx_query_prepare(const char* const            text,
                  const size_t                 len,
                  const FdxQueryOptions* const options,
                  FdxQuery** const             ret,
                  FdxError* const              err)
{
  if ((!text && len) || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  FdxQuery* const q = (FdxQuery*)calloc(1, sizeof(FdxQuery));
  if (!q) {
    return FDX_ERR_NO_MEMORY;
  }
  options_fill(&q->options, options);
  const FdxStatus st = fdx_sparql_parse_query(
    text ? text : "", len, options ? options->base_iri : NULL, NULL, &q->ast, err);
  if (st) {
    free(q);
    return st;
  }
  q->options.base_iri = NULL; /* the tree keeps the base */
  *ret                = q;
  return FDX_SUCCESS;
}

FdxQueryForm
fdx_query_form(const FdxQuery* const q)
{
  return (FdxQueryForm)q->ast->form;
}

bool
fdx_query_ordered(const FdxQuery* const q)
{
  return q->ast->form == FDX_SPARQL_QUERY_SELECT && q->ast->select->n_order_by;
}

void
fdx_query_free(FdxQuery* const q)
{
  if (q) {
    fdx_sparql_query_free(q->ast);
    free(q);
  }
}

FdxStatus
fdx_query_explain(const FdxQuery* const q, FILE* const out)
{
  if (!q || !out) {
    return FDX_ERR_BAD_ARG;
  }
  return fdx_sparql_query_print(q->ast, out);
}

/* ------------------------------------------------------------------------
 * Executions
 * --------------------------------------------------------------------- */

static uint64_t
monotonic_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static FdxStatus
exec_init(Exec* const ex, FdxTxn* const txn, const FdxQueryOptions* const o,
          const uint32_t n_vars, FdxError* const err)
{
  memset(ex, 0, sizeof(*ex));
  ex->txn    = txn;
  ex->n_vars = n_vars;
  ex->cache_terms = !fdx_txn_is_write(txn);
  ex->err    = err;
  ex->terms  = term_table_new();
  if (!ex->terms) {
    return FDX_ERR_NO_MEMORY;
  }
  if (o->timeout_ms != UINT64_MAX) {
    ex->deadline_ns = monotonic_ns() + o->timeout_ms * 1000000u;
  }
  ex->max_memory = o->max_memory;
  ex->cancelled  = o->cancelled;
  ex->cancel_ctx = o->cancel_ctx;
  ex->now        = time(NULL);
  ex->rand_state = monotonic_ns() | 1;
  return FDX_SUCCESS;
}

static void
exec_clear(Exec* const ex)
{
  eval_state_free(ex);
  expr_cleanup(ex);
  term_table_free(ex->terms);
  arena_free(&ex->scratch);
  arena_free(&ex->arena);
  free(ex->graphs);
  free(ex->named);
}

/* Resolve FROM / FROM NAMED to graph ids (graphs the store lacks are
 * left out: they are empty). */
static FdxStatus
set_dataset(Exec* const ex, const FdxSparqlIri* const from, const uint32_t n_from,
            const FdxSparqlIri* const named, const uint32_t n_named)
{
  if (!n_from && !n_named) {
    return FDX_SUCCESS;
  }
  ex->restrict_default = true;
  ex->restrict_named   = true;
  ex->graphs = (FdxId*)calloc(n_from + 1, sizeof(FdxId));
  ex->named  = (FdxId*)calloc(n_named + 1, sizeof(FdxId));
  if (!ex->graphs || !ex->named) {
    return FDX_ERR_NO_MEMORY;
  }
  for (uint32_t i = 0; i < n_from + n_named; ++i) {
    const FdxSparqlIri* const iri = i < n_from ? &from[i] : &named[i - n_from];
    const FdxTerm t  = {FDX_TERM_IRI, iri->str, iri->len, NULL, 0, NULL, 0};
    FdxId         id = 0;
    FdxStatus     st = fdx_term_id(ex->txn, &t, &id);
    if (st == FDX_FAILURE) {
      continue;
    }
    if (st) {
      return st;
    }
    if (i < n_from) {
      ex->graphs[ex->n_graphs++] = id;
    } else {
      ex->named[ex->n_named++] = id;
    }
  }
  return FDX_SUCCESS;
}

/* The protocol's default-graph-uri / named-graph-uri in place of the
 * query's FROM / FROM NAMED. */
static FdxStatus
set_protocol_dataset(Exec* const ex, const FdxQueryOptions* const o)
{
  const size_t n = o->n_default_graphs + o->n_named_graphs;
  if (n > UINT32_MAX) {
    return FDX_ERR_LIMIT;
  }
  FdxSparqlIri* const iris = (FdxSparqlIri*)calloc(n, sizeof(FdxSparqlIri));
  if (!iris) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < n; ++i) {
    iris[i].str = i < o->n_default_graphs
                    ? o->default_graphs[i]
                    : o->named_graphs[i - o->n_default_graphs];
    iris[i].len = iris[i].str ? strlen(iris[i].str) : 0;
  }
  /* An empty list on one side still restricts it (to nothing), as the
   * protocol asks when only the other side is given. */
  const FdxStatus st =
    set_dataset(ex, iris, (uint32_t)o->n_default_graphs,
                iris + o->n_default_graphs, (uint32_t)o->n_named_graphs);
  free(iris);
  return st;
}

/* Decode ids for the sink. */
static FdxStatus
decode(Exec* const ex, const FdxId id, FdxTermBuf* const buf,
       const FdxTerm** const ret)
{
  if (!id) {
    *ret = NULL;
    return FDX_SUCCESS;
  }
  FdxStatus st = exec_term_get(ex, id, buf);
  if (st) {
    return st == FDX_FAILURE ? FDX_ERR_CORRUPT : st;
  }
  *ret = &buf->term;
  return FDX_SUCCESS;
}

typedef struct {
  const FdxSparqlQuery* ast;
  const FdxQuerySink*   sink;
  const FdxQueryOptions* options;
  uint64_t              rows;
  bool                  found;
  /* CONSTRUCT / DESCRIBE */
  uint64_t              solution;
  TupleSet              triples; /* (s, p, o) sent so far */
  FdxId*                describe; /* resources to describe */
  size_t                n_describe;
  size_t                cap_describe;
} Output;

static FdxStatus
count_row(Exec* const ex, Output* const out)
{
  if (++out->rows > out->options->max_rows) {
    return exec_fail(ex, FDX_ERR_LIMIT,
                     "query row limit reached (%llu rows)",
                     (unsigned long long)out->options->max_rows);
  }
  return FDX_SUCCESS;
}

static FdxStatus
emit_select(Exec* const ex, void* const ctx, const FdxId* const row)
{
  Output* const               out = (Output*)ctx;
  const FdxSparqlSelect* const sel = out->ast->select;
  FdxStatus                    st  = count_row(ex, out);
  if (st) {
    return st;
  }
  enum { STACK = 32 };
  FdxTermBuf     bufs_stack[STACK];
  const FdxTerm* terms_stack[STACK];
  FdxTermBuf*    bufs  = bufs_stack;
  const FdxTerm** terms = terms_stack;
  if (sel->n_projection > STACK) {
    bufs  = (FdxTermBuf*)malloc(sel->n_projection * sizeof(FdxTermBuf));
    terms = (const FdxTerm**)malloc(sel->n_projection * sizeof(FdxTerm*));
    if (!bufs || !terms) {
      free(bufs);
      free(terms);
      return FDX_ERR_NO_MEMORY;
    }
  }
  for (uint32_t i = 0; i < sel->n_projection && !st; ++i) {
    st = decode(ex, row[sel->projection[i].var], &bufs[i], &terms[i]);
  }
  if (!st && out->sink->row) {
    st = out->sink->row(out->sink->ctx, terms);
  }
  if (bufs != bufs_stack) {
    free(bufs);
    free(terms);
  }
  return st;
}

static FdxStatus
emit_ask(Exec* const ex, void* const ctx, const FdxId* const row)
{
  (void)ex;
  (void)row;
  ((Output*)ctx)->found = true;
  return FDX_FAILURE;
}

/* Send (s, p, o) to the sink unless it was sent before. */
static FdxStatus
emit_triple(Exec* const ex, Output* const out, const FdxId s, const FdxId p,
            const FdxId o)
{
  const FdxId t[3] = {s, p, o};
  size_t      idx;
  bool        is_new;
  out->triples.width = 3;
  FdxStatus st       = tuple_set_add(ex, &out->triples, t, &idx, &is_new);
  if (st || !is_new) {
    return st;
  }
  st = count_row(ex, out);
  if (st) {
    return st;
  }
  FdxTermBuf     b[3];
  const FdxTerm* terms[3];
  for (int i = 0; i < 3 && !st; ++i) {
    st = decode(ex, t[i], &b[i], &terms[i]);
  }
  if (!st && out->sink->triple) {
    st = out->sink->triple(out->sink->ctx, terms[0], terms[1], terms[2]);
  }
  return st;
}

/* The id a template term takes in one solution. */
static FdxStatus
template_id(Exec* const ex, const FdxSparqlTerm* const t, const FdxId* const row,
            const uint64_t solution, FdxId* const ret)
{
  switch (t->kind) {
  case FDX_SPARQL_TERM_VAR:
    *ret = row[t->index];
    return FDX_SUCCESS;
  case FDX_SPARQL_TERM_BNODE: {
    char label[48];
    const int n = snprintf(label, sizeof(label), "c%llux%u",
                           (unsigned long long)solution, t->index);
    const FdxTerm term = {FDX_TERM_BLANK, label, (size_t)n, NULL, 0, NULL, 0};
    return exec_term_id(ex, &term, ret);
  }
  case FDX_SPARQL_TERM_IRI:
  case FDX_SPARQL_TERM_LITERAL: {
    const FdxTerm term = {t->kind == FDX_SPARQL_TERM_IRI ? FDX_TERM_IRI
                                                         : FDX_TERM_LITERAL,
                          t->value, t->value_len, t->lang, t->lang_len,
                          t->datatype, t->datatype_len};
    return exec_term_id(ex, &term, ret);
  }
  default:
    *ret = 0;
    return FDX_SUCCESS;
  }
}

static bool
is_literal_id(const Exec* const ex, const FdxId id)
{
  const FdxIdTag tag = fdx_id_tag(id);
  if (tag == (FdxIdTag)FDX_TAG_LOCAL) {
    FdxTermBuf b;
    return !exec_term_get((Exec*)ex, id, &b) && b.term.kind == FDX_TERM_LITERAL;
  }
  return tag >= FDX_TAG_SIMPLE;
}

static bool
is_iri_id(const Exec* const ex, const FdxId id)
{
  const FdxIdTag tag = fdx_id_tag(id);
  if (tag == (FdxIdTag)FDX_TAG_LOCAL) {
    FdxTermBuf b;
    return !exec_term_get((Exec*)ex, id, &b) && b.term.kind == FDX_TERM_IRI;
  }
  return tag == FDX_TAG_IRI;
}

static FdxStatus
emit_construct(Exec* const ex, void* const ctx, const FdxId* const row)
{
  Output* const         out = (Output*)ctx;
  const FdxSparqlQuery* q   = out->ast;
  FdxStatus             st  = FDX_SUCCESS;
  ++out->solution;
  for (uint32_t i = 0; i < q->n_construct && !st; ++i) {
    const FdxSparqlQuad* const t = &q->construct[i];
    FdxId                      s, p, o;
    if ((st = template_id(ex, &t->s, row, out->solution, &s)) ||
        (st = template_id(ex, &t->p, row, out->solution, &p)) ||
        (st = template_id(ex, &t->o, row, out->solution, &o))) {
      break;
    }
    /* Unbound variables and ill-formed triples are left out. */
    if (!s || !p || !o || is_literal_id(ex, s) || !is_iri_id(ex, p)) {
      continue;
    }
    st = emit_triple(ex, out, s, p, o);
  }
  return st;
}

static FdxStatus
add_describe(Exec* const ex, Output* const out, const FdxId id)
{
  (void)ex;
  if (!id) {
    return FDX_SUCCESS;
  }
  for (size_t i = 0; i < out->n_describe; ++i) {
    if (out->describe[i] == id) {
      return FDX_SUCCESS;
    }
  }
  if (out->n_describe == out->cap_describe) {
    const size_t cap = out->cap_describe ? out->cap_describe * 2 : 16;
    FdxId* const d   = (FdxId*)realloc(out->describe, cap * sizeof(FdxId));
    if (!d) {
      return FDX_ERR_NO_MEMORY;
    }
    out->describe     = d;
    out->cap_describe = cap;
  }
  out->describe[out->n_describe++] = id;
  return FDX_SUCCESS;
}

static FdxStatus
emit_describe_row(Exec* const ex, void* const ctx, const FdxId* const row)
{
  Output* const         out = (Output*)ctx;
  const FdxSparqlQuery* q   = out->ast;
  FdxStatus             st  = FDX_SUCCESS;
  if (q->select->star) {
    for (uint32_t i = 0; i < q->select->n_projection && !st; ++i) {
      st = add_describe(ex, out, row[q->select->projection[i].var]);
    }
    return st;
  }
  for (uint32_t i = 0; i < q->n_describe && !st; ++i) {
    if (q->describe[i].kind == FDX_SPARQL_TERM_VAR) {
      st = add_describe(ex, out, row[q->describe[i].index]);
    }
  }
  return st;
}

/* The concise bounded description of `id`: its triples, and those of
 * the blank nodes they lead to. */
static FdxStatus
describe_one(Exec* const ex, Output* const out, const FdxId id, unsigned depth)
{
  if (fdx_id_tag(id) == (FdxIdTag)FDX_TAG_LOCAL || depth > 64) {
    return FDX_SUCCESS;
  }
  const FdxQuad pattern = {id, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY};
  FdxQuadIter*  it      = NULL;
  FdxStatus     st      = fdx_quad_find(ex->txn, &pattern, &it);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  /* Collect first: recursion opens other scans. */
  FdxId* bnodes = NULL;
  size_t n = 0, cap = 0;
  FdxQuad q;
  while (!(st = fdx_quad_iter_next(it, &q))) {
    const size_t before = out->triples.n;
    if ((st = exec_tick(ex)) || (st = emit_triple(ex, out, q.s, q.p, q.o))) {
      break;
    }
    if (out->triples.n > before && fdx_id_tag(q.o) == FDX_TAG_BLANK) {
      if (n == cap) {
        cap           = cap ? cap * 2 : 16;
        FdxId* const g = (FdxId*)realloc(bnodes, cap * sizeof(FdxId));
        if (!g) {
          st = FDX_ERR_NO_MEMORY;
          break;
        }
        bnodes = g;
      }
      bnodes[n++] = q.o;
    }
  }
  fdx_quad_iter_free(it);
  if (st == FDX_FAILURE) {
    st = FDX_SUCCESS;
  }
  for (size_t i = 0; i < n && !st; ++i) {
    st = describe_one(ex, out, bnodes[i], depth + 1);
  }
  free(bnodes);
  return st;
}

FdxStatus
fdx_query_exec(const FdxQuery* const        query,
               FdxTxn* const                txn,
               const FdxQueryOptions* const options,
               const FdxQuerySink* const    sink,
               FdxError* const              err)
{
  if (!query || !txn || !sink) {
    return FDX_ERR_BAD_ARG;
  }
  FdxQueryOptions o;
  options_fill(&o, options ? options : &query->options);
  const FdxSparqlQuery* const ast = query->ast;
  Exec                        ex;
  FdxStatus st = exec_init(&ex, txn, &o, ast->n_vars, err);
  if (st) {
    return st;
  }
  ex.query = ast;
  Output out;
  memset(&out, 0, sizeof(out));
  out.ast     = ast;
  out.sink    = sink;
  out.options = &o;
  FdxId* const seed = (FdxId*)calloc(ast->n_vars + 1, sizeof(FdxId));
  if (!seed) {
    st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  if (options && (options->n_default_graphs || options->n_named_graphs)) {
    st = set_protocol_dataset(&ex, options);
  } else {
    st = set_dataset(&ex, ast->from, ast->n_from, ast->from_named,
                     ast->n_from_named);
  }
  if (st) {
    goto done;
  }
  switch (ast->form) {
  case FDX_SPARQL_QUERY_SELECT: {
    const FdxSparqlSelect* const sel   = ast->select;
    const char**                 names =
      (const char**)calloc(sel->n_projection + 1, sizeof(char*));
    if (!names) {
      st = FDX_ERR_NO_MEMORY;
      goto done;
    }
    for (uint32_t i = 0; i < sel->n_projection; ++i) {
      const char* const n = ast->vars[sel->projection[i].var].name;
      names[i]            = n ? n : "";
    }
    st = sink->begin ? sink->begin(sink->ctx, names, sel->n_projection)
                     : FDX_SUCCESS;
    free(names);
    if (!st) {
      st = eval_select(&ex, sel, NULL, seed, emit_select, &out);
    }
    break;
  }
  case FDX_SPARQL_QUERY_ASK:
    st = eval_select(&ex, ast->select, NULL, seed, emit_ask, &out);
    if (st == FDX_FAILURE) {
      st = FDX_SUCCESS;
    }
    if (!st && sink->boolean) {
      st = sink->boolean(sink->ctx, out.found);
    }
    break;
  case FDX_SPARQL_QUERY_CONSTRUCT:
    st = eval_select(&ex, ast->select, NULL, seed, emit_construct, &out);
    break;
  case FDX_SPARQL_QUERY_DESCRIBE:
    for (uint32_t i = 0; i < ast->n_describe && !st; ++i) {
      const FdxSparqlTerm* const t = &ast->describe[i];
      if (t->kind == FDX_SPARQL_TERM_IRI) {
        const FdxTerm term = {FDX_TERM_IRI, t->value, t->value_len, NULL, 0, NULL, 0};
        FdxId         id   = 0;
        st                 = fdx_term_id(txn, &term, &id);
        if (st == FDX_FAILURE) {
          st = FDX_SUCCESS;
        } else if (!st) {
          st = add_describe(&ex, &out, id);
        }
      }
    }
    if (!st && ast->select->where) {
      st = eval_select(&ex, ast->select, NULL, seed, emit_describe_row, &out);
    }
    for (size_t i = 0; i < out.n_describe && !st; ++i) {
      st = describe_one(&ex, &out, out.describe[i], 0);
    }
    break;
  }
done:
  if (!st && ex.status) {
    st = ex.status;
  }
  if (st && ex.status == st && err && !err->message[0]) {
    fdx_error_set(err, st, "", 0, 0, "%s", fdx_strerror(st));
  }
  free(seed);
  tuple_set_free(&out.triples);
  free(out.describe);
  exec_clear(&ex);
  return st;
}

/* ------------------------------------------------------------------------
 * Updates
 * --------------------------------------------------------------------- */

typedef struct {
  FdxId* quads; /* 4 per quad: s p o g */
  size_t n;
  size_t cap;
} QuadBuf;

static FdxStatus
quadbuf_add(QuadBuf* const b, const FdxId s, const FdxId p, const FdxId o,
            const FdxId g)
{
  if (b->n == b->cap) {
    const size_t cap   = b->cap ? b->cap * 2 : 64;
    FdxId* const quads = (FdxId*)realloc(b->quads, cap * 4 * sizeof(FdxId));
    if (!quads) {
      return FDX_ERR_NO_MEMORY;
    }
    b->quads = quads;
    b->cap   = cap;
  }
  FdxId* const q = b->quads + 4 * b->n++;
  q[0]           = s;
  q[1]           = p;
  q[2]           = o;
  q[3]           = g;
  return FDX_SUCCESS;
}

/* The store id of a template term for writing: interned (inserts) or
 * looked up (deletes; 0 when the store lacks it). */
static FdxStatus
write_id(Exec* const ex, const FdxSparqlTerm* const t, const FdxId* const row,
         const uint64_t bnode_scope, const bool insert, FdxId* const ret)
{
  *ret = 0;
  FdxTerm term;
  memset(&term, 0, sizeof(term));
  char label[64];
  switch (t->kind) {
  case FDX_SPARQL_TERM_VAR: {
    if (!row || !row[t->index]) {
      return FDX_SUCCESS;
    }
    const FdxId id = row[t->index];
    if (fdx_id_tag(id) != (FdxIdTag)FDX_TAG_LOCAL) {
      *ret = id;
      return FDX_SUCCESS;
    }
    FdxTermBuf b;
    FdxStatus  st = exec_term_get(ex, id, &b);
    if (st) {
      return st;
    }
    term = b.term;
    break;
  }
  case FDX_SPARQL_TERM_BNODE: {
    const int n = snprintf(label, sizeof(label), "u%llxx%u",
                           (unsigned long long)bnode_scope, t->index);
    term        = (FdxTerm){FDX_TERM_BLANK, label, (size_t)n, NULL, 0, NULL, 0};
    break;
  }
  case FDX_SPARQL_TERM_IRI:
  case FDX_SPARQL_TERM_LITERAL:
    term = (FdxTerm){t->kind == FDX_SPARQL_TERM_IRI ? FDX_TERM_IRI : FDX_TERM_LITERAL,
                     t->value, t->value_len, t->lang, t->lang_len, t->datatype,
                     t->datatype_len};
    break;
  default:
    return FDX_SUCCESS;
  }
  FdxStatus st = insert ? fdx_term_intern(ex->txn, &term, ret)
                        : fdx_term_id(ex->txn, &term, ret);
  if (st == FDX_FAILURE) {
    *ret = 0;
    st   = FDX_SUCCESS;
  }
  return st;
}

static FdxStatus
graph_id(Exec* const ex, const FdxSparqlIri* const iri, const bool insert,
         FdxId* const ret)
{
  if (!iri->str) {
    *ret = FDX_ID_DEFAULT_GRAPH;
    return FDX_SUCCESS;
  }
  const FdxTerm t  = {FDX_TERM_IRI, iri->str, iri->len, NULL, 0, NULL, 0};
  FdxStatus     st = insert ? fdx_term_intern(ex->txn, &t, ret)
                            : fdx_term_id(ex->txn, &t, ret);
  if (st == FDX_FAILURE) {
    *ret = 0;
    st   = FDX_SUCCESS;
  }
  return st;
}

/* Instantiate `quads` for `row` (NULL for DATA) into `out`. */
static FdxStatus
instantiate(Exec* const ex, const FdxSparqlQuad* const quads, const uint32_t n,
            const FdxId* const row, const FdxId default_graph,
            const uint64_t scope, const bool insert, QuadBuf* const out)
{
  for (uint32_t i = 0; i < n; ++i) {
    const FdxSparqlQuad* const t = &quads[i];
    FdxId                      s, p, o, g = default_graph;
    FdxStatus                  st;
    if ((st = write_id(ex, &t->s, row, scope, insert, &s)) ||
        (st = write_id(ex, &t->p, row, scope, insert, &p)) ||
        (st = write_id(ex, &t->o, row, scope, insert, &o))) {
      return st;
    }
    if (t->g.kind != FDX_SPARQL_TERM_NONE &&
        (st = write_id(ex, &t->g, row, scope, insert, &g))) {
      return st;
    }
    if (!s || !p || !o || !g) {
      continue; /* unbound, or (deleting) a term the store lacks */
    }
    if (fdx_id_tag(s) >= FDX_TAG_SIMPLE || fdx_id_tag(p) != FDX_TAG_IRI ||
        (g != FDX_ID_DEFAULT_GRAPH && fdx_id_tag(g) != FDX_TAG_IRI)) {
      continue; /* not a valid quad: skipped, as the spec says */
    }
    if ((st = quadbuf_add(out, s, p, o, g))) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
apply(Exec* const ex, const QuadBuf* const b, const bool insert,
      FdxUpdateStats* const stats)
{
  for (size_t i = 0; i < b->n; ++i) {
    const FdxId* const q    = b->quads + 4 * i;
    const FdxQuad      quad = {q[0], q[1], q[2], q[3]};
    const FdxStatus    st =
      insert ? fdx_quad_add(ex->txn, &quad) : fdx_quad_remove(ex->txn, &quad);
    if (st == FDX_FAILURE) {
      continue;
    }
    if (st) {
      return st;
    }
    if (insert) {
      ++stats->inserted;
    } else {
      ++stats->deleted;
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
collect_solution(Exec* const ex, void* const ctx, const FdxId* const row)
{
  QuadBuf* const b = (QuadBuf*)ctx; /* rows, n_vars wide, in `quads` */
  const size_t   w = ex->n_vars ? ex->n_vars : 1;
  if (b->n == b->cap) {
    const size_t cap  = b->cap ? b->cap * 2 : 64;
    FdxId* const rows = (FdxId*)realloc(b->quads, cap * w * sizeof(FdxId));
    if (!rows) {
      return FDX_ERR_NO_MEMORY;
    }
    b->quads     = rows;
    FdxStatus st = exec_charge(ex, (cap - b->cap) * w * sizeof(FdxId));
    b->cap       = cap;
    if (st) {
      return st;
    }
  }
  memcpy(b->quads + b->n * w, row, ex->n_vars * sizeof(FdxId));
  ++b->n;
  return FDX_SUCCESS;
}

/* Every quad of graph `g` (FDX_ID_ANY: of every named graph). */
static FdxStatus
graph_quads(Exec* const ex, const FdxId g, QuadBuf* const out)
{
  const FdxQuad pattern = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, g};
  FdxQuadIter*  it      = NULL;
  FdxStatus     st      = fdx_quad_find(ex->txn, &pattern, &it);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  FdxQuad q;
  while (!(st = fdx_quad_iter_next(it, &q))) {
    if ((st = quadbuf_add(out, q.s, q.p, q.o, q.g))) {
      break;
    }
  }
  fdx_quad_iter_free(it);
  return st == FDX_FAILURE ? FDX_SUCCESS : st;
}

static FdxStatus
clear_graphs(Exec* const ex, const FdxSparqlGraphRef* const ref,
             FdxUpdateStats* const stats)
{
  FdxStatus st;
  FdxId     g = 0;
  switch (ref->kind) {
  case FDX_SPARQL_GRAPH_IRI:
    if ((st = graph_id(ex, &ref->iri, false, &g)) || !g) {
      return st;
    }
    break;
  case FDX_SPARQL_GRAPH_DEFAULT:
    g = FDX_ID_DEFAULT_GRAPH;
    break;
  case FDX_SPARQL_GRAPH_NAMED:
  case FDX_SPARQL_GRAPH_ALL: {
    /* Collect the graphs first: clearing changes the index walked. */
    FdxId* gs = NULL;
    size_t n = 0, cap = 0;
    FdxId  cur = FDX_ID_ANY;
    while (!(st = fdx_graph_next(ex->txn, cur, &cur))) {
      if (cur == FDX_ID_DEFAULT_GRAPH && ref->kind == FDX_SPARQL_GRAPH_NAMED) {
        continue;
      }
      if (n == cap) {
        cap            = cap ? cap * 2 : 16;
        FdxId* const r = (FdxId*)realloc(gs, cap * sizeof(FdxId));
        if (!r) {
          free(gs);
          return FDX_ERR_NO_MEMORY;
        }
        gs = r;
      }
      gs[n++] = cur;
    }
    st = st == FDX_FAILURE ? FDX_SUCCESS : st;
    for (size_t i = 0; i < n && !st; ++i) {
      uint64_t removed = 0;
      st               = fdx_graph_clear(ex->txn, gs[i], &removed);
      stats->deleted += removed;
    }
    free(gs);
    return st;
  }
  }
  uint64_t removed = 0;
  st               = fdx_graph_clear(ex->txn, g, &removed);
  stats->deleted += removed;
  return st;
}

/* The local path a file: IRI names (percent-escapes decoded), or NULL. */
static char*
file_iri_path(const FdxSparqlIri* const iri)
{
  if (iri->len < 8 || memcmp(iri->str, "file://", 7)) {
    return NULL;
  }
  const char* s = iri->str + 7;
  if (!strncmp(s, "localhost/", 10)) {
    s += 9;
  }
  if (*s != '/') {
    return NULL; /* file://host/... names another machine */
  }
  char* const path = (char*)malloc(strlen(s) + 1);
  size_t      n    = 0;
  for (; path && *s; ++s) {
    if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
      const char hex[3] = {s[1], s[2], '\0'};
      path[n++]         = (char)strtol(hex, NULL, 16);
      s += 2;
    } else {
      path[n++] = *s;
    }
  }
  if (path) {
    path[n] = '\0';
  }
  return path;
}

/* LOAD <file:...> [INTO GRAPH <g>]: only local files, only where the
 * caller allows it (the command line, not the network). */
static FdxStatus
run_load(Exec* const ex, const FdxSparqlOperation* const op, const bool allow_load,
         FdxUpdateStats* const stats)
{
  if (!allow_load) {
    return op->silent ? FDX_SUCCESS
                      : exec_fail(ex, FDX_ERR_UNSUPPORTED,
                                  "LOAD is not allowed here (only from the "
                                  "command line)");
  }
  char* const path = file_iri_path(&op->source);
  if (!path) {
    return op->silent ? FDX_SUCCESS
                      : exec_fail(ex, FDX_ERR_UNSUPPORTED,
                                  "LOAD reads only local file: IRIs, not <%s>",
                                  op->source.str);
  }
  if (op->silent && access(path, R_OK)) {
    free(path);
    return FDX_SUCCESS; /* nothing to load, and nothing was written */
  }
  FdxLoadOptions opts;
  memset(&opts, 0, sizeof(opts));
  opts.graph = op->target.kind == FDX_SPARQL_GRAPH_IRI ? op->target.iri.str : NULL;
  opts.base  = op->source.str;
  FdxLoadResult res;
  FdxError      lerr;
  memset(&lerr, 0, sizeof(lerr));
  FdxStatus st = fdx_load_file_in(ex->txn, path, &opts, &res, &lerr);
  free(path);
  if (!st) {
    stats->inserted += res.quads_added;
    return FDX_SUCCESS;
  }
  /* Even with SILENT a file that fails part way fails the request: part of
   * it may already be in the transaction. */
  if (st == FDX_ERR_MAP_FULL) {
    return st;
  }
  if (lerr.line) {
    return exec_fail(ex, st, "LOAD %s: line %ld, column %ld: %s", op->source.str,
                     lerr.line, lerr.column, lerr.message);
  }
  return exec_fail(ex, st, "LOAD %s: %s", op->source.str,
                   lerr.message[0] ? lerr.message : fdx_strerror(st));
}

static FdxStatus
run_operation(Exec* const ex, const FdxSparqlOperation* const op,
              const bool allow_load, FdxUpdateStats* const stats)
{
  QuadBuf        del = {NULL, 0, 0}, ins = {NULL, 0, 0}, rows = {NULL, 0, 0};
  FdxStatus      st  = FDX_SUCCESS;
  const uint64_t scope =
    ((uint64_t)time(NULL) << 20) ^ (uint64_t)(ex->rand_state++ & 0xfffff);
  switch (op->kind) {
  case FDX_SPARQL_OP_LOAD:
    st = run_load(ex, op, allow_load, stats);
    break;
  case FDX_SPARQL_OP_CLEAR:
  case FDX_SPARQL_OP_DROP:
    st = clear_graphs(ex, &op->target, stats);
    break;
  case FDX_SPARQL_OP_CREATE:
    break; /* graphs exist when they hold quads */
  case FDX_SPARQL_OP_ADD:
  case FDX_SPARQL_OP_MOVE:
  case FDX_SPARQL_OP_COPY: {
    FdxId from = 0, to = 0;
    if ((st = graph_id(ex, &op->from.iri, false, &from)) ||
        (st = graph_id(ex, &op->target.iri, true, &to))) {
      break;
    }
    if (op->from.kind == FDX_SPARQL_GRAPH_DEFAULT) {
      from = FDX_ID_DEFAULT_GRAPH;
    }
    if (op->target.kind == FDX_SPARQL_GRAPH_DEFAULT) {
      to = FDX_ID_DEFAULT_GRAPH;
    }
    if (from == to) {
      break;
    }
    if (from && (st = graph_quads(ex, from, &ins))) {
      break;
    }
    if (op->kind != FDX_SPARQL_OP_ADD) {
      uint64_t removed = 0;
      if ((st = fdx_graph_clear(ex->txn, to, &removed))) {
        break;
      }
      stats->deleted += removed;
    }
    for (size_t i = 0; i < ins.n; ++i) {
      ins.quads[4 * i + 3] = to;
    }
    if ((st = apply(ex, &ins, true, stats))) {
      break;
    }
    if (op->kind == FDX_SPARQL_OP_MOVE && from) {
      uint64_t removed = 0;
      st               = fdx_graph_clear(ex->txn, from, &removed);
      stats->deleted += removed;
    }
    break;
  }
  case FDX_SPARQL_OP_INSERT_DATA:
    if (!(st = instantiate(ex, op->insert, op->n_insert, NULL,
                           FDX_ID_DEFAULT_GRAPH, scope, true, &ins))) {
      st = apply(ex, &ins, true, stats);
    }
    break;
  case FDX_SPARQL_OP_DELETE_DATA:
    if (!(st = instantiate(ex, op->delete_, op->n_delete, NULL,
                           FDX_ID_DEFAULT_GRAPH, scope, false, &del))) {
      st = apply(ex, &del, false, stats);
    }
    break;
  case FDX_SPARQL_OP_DELETE_WHERE:
  case FDX_SPARQL_OP_MODIFY: {
    FdxId with = FDX_ID_DEFAULT_GRAPH;
    if (op->with.str && (st = graph_id(ex, &op->with, true, &with))) {
      break;
    }
    /* The dataset of the WHERE clause: USING, else WITH, else all. */
    free(ex->graphs);
    free(ex->named);
    ex->graphs = ex->named = NULL;
    ex->n_graphs = ex->n_named = 0;
    ex->restrict_default = ex->restrict_named = false;
    if (op->n_using || op->n_using_named) {
      st = set_dataset(ex, op->using_, op->n_using, op->using_named,
                       op->n_using_named);
    } else if (op->with.str) {
      ex->restrict_default = true;
      ex->graphs           = (FdxId*)calloc(1, sizeof(FdxId));
      if (!ex->graphs) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      ex->graphs[0] = with;
      ex->n_graphs  = 1;
    }
    Op* where = NULL;
    if (st || (st = eval_translate(ex, op->where, &where))) {
      break;
    }
    FdxId* const seed = (FdxId*)calloc(ex->n_vars + 1, sizeof(FdxId));
    if (!seed) {
      st = FDX_ERR_NO_MEMORY;
      break;
    }
    st = eval_op(ex, where, seed, collect_solution, &rows);
    free(seed);
    const size_t w = ex->n_vars ? ex->n_vars : 1;
    for (size_t i = 0; i < rows.n && !st; ++i) {
      const FdxId* const row = rows.quads + i * w;
      if (op->kind == FDX_SPARQL_OP_DELETE_WHERE || op->has_delete) {
        st = instantiate(ex, op->delete_, op->n_delete, row, with, scope, false, &del);
      }
      if (!st && op->has_insert) {
        st = instantiate(ex, op->insert, op->n_insert, row, with, scope + i + 1,
                         true, &ins);
      }
    }
    if (!st) {
      st = apply(ex, &del, false, stats);
    }
    if (!st) {
      st = apply(ex, &ins, true, stats);
    }
    break;
  }
  }
  free(del.quads);
  free(ins.quads);
  free(rows.quads);
  return st;
}

FdxStatus
fdx_update_exec(FdxTxn* const                txn,
                const char* const            text,
                const size_t                 len,
                const FdxQueryOptions* const options,
                const bool                   allow_load,
                FdxUpdateStats* const        ret_stats,
                FdxError* const              err)
{
  if (!txn || (!text && len)) {
    return FDX_ERR_BAD_ARG;
  }
  if (!fdx_txn_is_write(txn)) {
    return FDX_ERR_READ_ONLY;
  }
  FdxQueryOptions o;
  options_fill(&o, options);
  FdxSparqlUpdate* up = NULL;
  FdxStatus st = fdx_sparql_parse_update(text ? text : "", len, o.base_iri, NULL,
                                         &up, err);
  if (st) {
    return st;
  }
  FdxUpdateStats stats = {0, 0, 0};
  for (uint32_t i = 0; i < up->n_ops && !st; ++i) {
    Exec ex;
    if ((st = exec_init(&ex, txn, &o, up->n_vars, err))) {
      break;
    }
    st = run_operation(&ex, &up->ops[i], allow_load, &stats);
    if (!st && ex.status) {
      st = ex.status;
    }
    exec_clear(&ex);
    ++stats.operations;
  }
  fdx_sparql_update_free(up);
  if (!st && ret_stats) {
    *ret_stats = stats;
  }
  return st;
}
