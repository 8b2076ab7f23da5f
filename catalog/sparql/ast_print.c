/*
 * ast_print.c: the syntax tree of ast.h written as an S-expression, in
 * the manner of Jena's SSE but in our own, stable format.  It is what
 * `fairdex query --explain` shows and what the parser's data-driven
 * tests (tests/sparql/parse/NAME.sse) compare against, so a change here
 * is a change to every expected file: keep it rare and deliberate.
 *
 * The format.  Lists are `(name item ...)`.  A list that holds other
 * lists of patterns (a query, a group, a bgp, ...) puts each of those on
 * a line of its own, indented two spaces deeper than the list; terms,
 * paths, triples and expressions stay on one line (an EXISTS pattern
 * inside an expression is the one exception: its group goes on new
 * lines).  Nothing is abbreviated except as said here.
 *
 *   Terms    <iri>                  rdf: and xsd: IRIs whose local part is
 *                                   letters, digits and '_' print as
 *                                   rdf:local and xsd:local
 *            "lexical"  "lexical"@lang  "lexical"^^<datatype>
 *                                   (escapes \" \\ \n \r \t, other control
 *                                   characters \u00XX; all else as is)
 *            ?name                  a named variable
 *            ??N                    a blank-node variable, N its index
 *            _:bN                   template blank node N
 *            undef                  a VALUES cell with no value
 *   Paths    IRI  (reverse P)  (seq P P)  (alt P P)  (path* P)  (path+ P)
 *            (path? P)  (notoneof IRI ... (reverse IRI) ...)
 *   Triples  (triple S P O)  (path S PATH O)  (quad G S P O)
 *   Exprs    (|| a b) (&& a b) (= a b) (!= a b) (< a b) (> a b) (<= a b)
 *            (>= a b) (in a b ...) (notin a b ...) (+ a b) (- a b)
 *            (* a b) (/ a b) (! a) (+ a) (- a)   constants and variables
 *            as terms; built-ins by their lower-case name: (str a),
 *            (regex a b), (exists GROUP), (notexists GROUP), (bnode),
 *            (sameterm a b); (call <iri> args...) for functions;
 *            aggregates as (count #I distinct *) (sum #I a)
 *            (group_concat #I a (separator "s")) (agg #I <iri> args...),
 *            I the aggregate's index in its SELECT.
 *   Groups   (group (scope ?v ...) ELEMENT ...) with elements
 *            (bgp TRIPLE ...)  (filter E)  (optional GROUP)  (minus GROUP)
 *            (union GROUP GROUP ...)  (graph NAME GROUP)
 *            (service [silent] NAME GROUP)  (bind ?v E)
 *            (values (?v ...) (row T ...) ...)  (subquery BODY)  GROUP
 *   Queries  (select|construct|construct-where|ask|describe
 *              (base <iri>) (vars V ...) (from <iri>) (from-named <iri>)
 *              (template QUAD ...) (bnodes N) (describe T ... | *)
 *              BODY)
 *            where BODY is, each when present: (distinct) (reduced)
 *            (project V (as ?v E) ...) or (project * V ...), (where GROUP),
 *            (group-by E (as ?v E) ...), (having E ...),
 *            (order-by (asc E) (desc E) ...), (limit N), (offset N),
 *            (values ...), (aggregated N) (N aggregates, grouped query).
 *   Updates  (update (vars V ...) OP ...) with OP one of
 *            (load [silent] <iri> GRAPH)  (clear [silent] GRAPH)
 *            (drop [silent] GRAPH)  (create [silent] GRAPH)
 *            (add|move|copy [silent] GRAPH GRAPH)
 *            (insert-data (bnodes N) QUAD ...)  (delete-data QUAD ...)
 *            (delete-where (delete QUAD ...) (where GROUP))
 *            (modify (with <iri>) (delete QUAD ...) (insert QUAD ...)
 *              (bnodes N) (using <iri>) (using-named <iri>) (where GROUP))
 *            GRAPH being <iri>, default, named or all.
 *
 * The output ends with a newline.  Errors: only those of the stream,
 * checked once at the end (FDX_ERR_IO).
 */
#include "ast.h"

#include <stdio.h>
#include <string.h>

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define XSD_NS "http://www.w3.org/2001/XMLSchema#"

typedef struct
{
  FILE*               out;
  const FdxSparqlVar* vars;
  uint32_t            n_vars;
} Writer;

static void
put(Writer* const w, const char* const s)
{
  fputs(s, w->out);
}

/* A new line indented `indent` spaces. */
static void
newline(Writer* const w, const unsigned indent)
{
  fputc('\n', w->out);
  for (unsigned i = 0; i < indent; ++i) {
    fputc(' ', w->out);
  }
}

/* Open a list on a new line. */
static void
open_line(Writer* const w, const unsigned indent, const char* const name)
{
  newline(w, indent);
  fputc('(', w->out);
  put(w, name);
}

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

/* The local part after `ns` if it is a plain name, else NULL. */
static const char*
plain_local(const char* const iri, const size_t len, const char* const ns)
{
  const size_t n = strlen(ns);
  if (len <= n || memcmp(iri, ns, n)) {
    return NULL;
  }
  for (size_t i = n; i < len; ++i) {
    const char c = iri[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_')) {
      return NULL;
    }
  }
  return iri + n;
}

/* Characters of `s`, escaping `quote`, '\\' and control characters. */
static void
put_escaped(Writer* const     w,
            const char* const s,
            const size_t      len,
            const char        quote)
{
  for (size_t i = 0; i < len; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if (c == (unsigned char)quote || c == '\\') {
      fputc('\\', w->out);
      fputc(c, w->out);
    } else if (c == '\n') {
      put(w, "\\n");
    } else if (c == '\r') {
      put(w, "\\r");
    } else if (c == '\t') {
      put(w, "\\t");
    } else if (c < 0x20 || c == 0x7F) {
      fprintf(w->out, "\\u%04X", (unsigned)c);
    } else {
      fputc(c, w->out);
    }
  }
}

static void
put_iri(Writer* const w, const char* const iri, const size_t len)
{
  const char* local = plain_local(iri, len, RDF_NS);
  if (local) {
    fprintf(w->out, "rdf:%.*s", (int)(len - (size_t)(local - iri)), local);
    return;
  }
  local = plain_local(iri, len, XSD_NS);
  if (local) {
    fprintf(w->out, "xsd:%.*s", (int)(len - (size_t)(local - iri)), local);
    return;
  }
  fputc('<', w->out);
  put_escaped(w, iri, len, '>');
  fputc('>', w->out);
}

static void
put_var(Writer* const w, const uint32_t v)
{
  if (v < w->n_vars && !w->vars[v].is_blank && w->vars[v].name) {
    fprintf(w->out, "?%.*s", (int)w->vars[v].name_len, w->vars[v].name);
  } else {
    fprintf(w->out, "??%u", (unsigned)v);
  }
}

static void
put_string(Writer* const w, const char* const s, const size_t len)
{
  fputc('"', w->out);
  put_escaped(w, s, len, '"');
  fputc('"', w->out);
}

static void
put_term(Writer* const w, const FdxSparqlTerm* const t)
{
  switch (t->kind) {
    case FDX_SPARQL_TERM_NONE:
      put(w, "undef");
      break;
    case FDX_SPARQL_TERM_IRI:
      put_iri(w, t->value, t->value_len);
      break;
    case FDX_SPARQL_TERM_LITERAL:
      put_string(w, t->value, t->value_len);
      if (t->lang) {
        fprintf(w->out, "@%.*s", (int)t->lang_len, t->lang);
      } else if (t->datatype) {
        put(w, "^^");
        put_iri(w, t->datatype, t->datatype_len);
      }
      break;
    case FDX_SPARQL_TERM_VAR:
      put_var(w, t->index);
      break;
    case FDX_SPARQL_TERM_BNODE:
      fprintf(w->out, "_:b%u", (unsigned)t->index);
      break;
  }
}

/* ------------------------------------------------------------------------
 * Paths, triples, quads
 * --------------------------------------------------------------------- */

static void
put_path(Writer* const w, const FdxSparqlPath* const path)
{
  switch (path->kind) {
    case FDX_SPARQL_PATH_LINK:
      put_iri(w, path->iri.str, path->iri.len);
      return;
    case FDX_SPARQL_PATH_INVERSE:
      put(w, "(reverse ");
      put_path(w, path->left);
      break;
    case FDX_SPARQL_PATH_SEQ:
    case FDX_SPARQL_PATH_ALT:
      put(w, path->kind == FDX_SPARQL_PATH_SEQ ? "(seq " : "(alt ");
      put_path(w, path->left);
      fputc(' ', w->out);
      put_path(w, path->right);
      break;
    case FDX_SPARQL_PATH_ZERO_OR_MORE:
    case FDX_SPARQL_PATH_ONE_OR_MORE:
    case FDX_SPARQL_PATH_ZERO_OR_ONE:
      put(w,
          path->kind == FDX_SPARQL_PATH_ZERO_OR_MORE  ? "(path* "
          : path->kind == FDX_SPARQL_PATH_ONE_OR_MORE ? "(path+ "
                                                      : "(path? ");
      put_path(w, path->left);
      break;
    case FDX_SPARQL_PATH_NEGATED:
      put(w, "(notoneof");
      for (uint32_t i = 0; i < path->n_forward; ++i) {
        fputc(' ', w->out);
        put_iri(w, path->forward[i].str, path->forward[i].len);
      }
      for (uint32_t i = 0; i < path->n_inverse; ++i) {
        put(w, " (reverse ");
        put_iri(w, path->inverse[i].str, path->inverse[i].len);
        fputc(')', w->out);
      }
      break;
  }
  fputc(')', w->out);
}

static void
put_triple(Writer* const w, const FdxSparqlTriple* const t)
{
  put(w, t->path ? "(path " : "(triple ");
  put_term(w, &t->s);
  fputc(' ', w->out);
  if (t->path) {
    put_path(w, t->path);
  } else {
    put_term(w, &t->p);
  }
  fputc(' ', w->out);
  put_term(w, &t->o);
  fputc(')', w->out);
}

static void
put_quads(Writer* const              w,
          const unsigned             indent,
          const FdxSparqlQuad* const quads,
          const uint32_t             n)
{
  for (uint32_t i = 0; i < n; ++i) {
    const FdxSparqlQuad* const q = &quads[i];
    newline(w, indent);
    if (q->g.kind == FDX_SPARQL_TERM_NONE) {
      put(w, "(triple ");
    } else {
      put(w, "(quad ");
      put_term(w, &q->g);
      fputc(' ', w->out);
    }
    put_term(w, &q->s);
    fputc(' ', w->out);
    put_term(w, &q->p);
    fputc(' ', w->out);
    put_term(w, &q->o);
    fputc(')', w->out);
  }
}

/* ------------------------------------------------------------------------
 * Expressions
 * --------------------------------------------------------------------- */

static void
put_group(Writer* w, unsigned indent, const FdxSparqlGroup* g);

static const char* const builtin_names[FDX_SPARQL_N_BUILTINS] = {
  "str",     "lang",      "langmatches",    "datatype",  "bound",
  "iri",     "uri",       "bnode",          "rand",      "abs",
  "ceil",    "floor",     "round",          "concat",    "strlen",
  "ucase",   "lcase",     "encode_for_uri", "contains",  "strstarts",
  "strends", "strbefore", "strafter",       "year",      "month",
  "day",     "hours",     "minutes",        "seconds",   "timezone",
  "tz",      "now",       "uuid",           "struuid",   "md5",
  "sha1",    "sha256",    "sha384",         "sha512",    "coalesce",
  "if",      "strlang",   "strdt",          "sameterm",  "isiri",
  "isuri",   "isblank",   "isliteral",      "isnumeric", "regex",
  "substr",  "replace",   "exists",         "notexists",
};

static const char* const aggregate_names[] = {
  "count", "sum", "min", "max", "avg", "sample", "group_concat", "agg",
};

static const char* const operator_names[] = {
  "||",    "&&", "=", "!=", "<", ">", "<=", ">=", "in",
  "notin", "+",  "-", "*",  "/", "!", "+",  "-",
};

/* `indent` is where an EXISTS pattern's lines go. */
static void
put_expr(Writer* const w, const unsigned indent, const FdxSparqlExpr* const e)
{
  switch (e->kind) {
    case FDX_SPARQL_EXPR_TERM:
    case FDX_SPARQL_EXPR_VAR:
      put_term(w, &e->term);
      return;
    case FDX_SPARQL_EXPR_CALL:
      fputc('(', w->out);
      put(w,
          (unsigned)e->fn < FDX_SPARQL_N_BUILTINS ? builtin_names[e->fn] : "?");
      if (e->pattern) {
        put_group(w, indent + 2, e->pattern);
      }
      break;
    case FDX_SPARQL_EXPR_FUNCTION:
      put(w, "(call ");
      put_iri(w, e->iri.str, e->iri.len);
      break;
    case FDX_SPARQL_EXPR_AGGREGATE:
      fprintf(
        w->out, "(%s #%u", aggregate_names[e->agg], (unsigned)e->agg_index);
      if (e->agg == FDX_SPARQL_AGG_CUSTOM) {
        fputc(' ', w->out);
        put_iri(w, e->iri.str, e->iri.len);
      }
      if (e->distinct) {
        put(w, " distinct");
      }
      if (e->star) {
        put(w, " *");
      }
      break;
    default:
      fputc('(', w->out);
      put(w, operator_names[e->kind]);
      break;
  }
  for (uint32_t i = 0; i < e->n_args; ++i) {
    fputc(' ', w->out);
    put_expr(w, indent, e->args[i]);
  }
  if (e->kind == FDX_SPARQL_EXPR_AGGREGATE && e->separator.str) {
    put(w, " (separator ");
    put_string(w, e->separator.str, e->separator.len);
    fputc(')', w->out);
  }
  fputc(')', w->out);
}

/* ------------------------------------------------------------------------
 * Groups and query bodies
 * --------------------------------------------------------------------- */

static void
put_select_body(Writer* w, unsigned indent, const FdxSparqlSelect* sel);

static void
put_values(Writer* const                w,
           const unsigned               indent,
           const FdxSparqlValues* const v)
{
  open_line(w, indent, "values (");
  for (uint32_t i = 0; i < v->n_vars; ++i) {
    if (i) {
      fputc(' ', w->out);
    }
    put_var(w, v->vars[i]);
  }
  fputc(')', w->out);
  for (uint32_t r = 0; r < v->n_rows; ++r) {
    open_line(w, indent + 2, "row");
    for (uint32_t i = 0; i < v->n_vars; ++i) {
      fputc(' ', w->out);
      put_term(w, &v->cells[(size_t)r * v->n_vars + i]);
    }
    fputc(')', w->out);
  }
  fputc(')', w->out);
}

static void
put_element(Writer* const                 w,
            const unsigned                indent,
            const FdxSparqlElement* const el)
{
  switch (el->kind) {
    case FDX_SPARQL_EL_TRIPLES:
      open_line(w, indent, "bgp");
      for (uint32_t i = 0; i < el->n_triples; ++i) {
        newline(w, indent + 2);
        put_triple(w, &el->triples[i]);
      }
      break;
    case FDX_SPARQL_EL_FILTER:
      open_line(w, indent, "filter ");
      put_expr(w, indent, el->expr);
      break;
    case FDX_SPARQL_EL_OPTIONAL:
      open_line(w, indent, "optional");
      put_group(w, indent + 2, el->group);
      break;
    case FDX_SPARQL_EL_MINUS:
      open_line(w, indent, "minus");
      put_group(w, indent + 2, el->group);
      break;
    case FDX_SPARQL_EL_UNION:
      open_line(w, indent, "union");
      for (uint32_t i = 0; i < el->n_groups; ++i) {
        put_group(w, indent + 2, el->groups[i]);
      }
      break;
    case FDX_SPARQL_EL_GRAPH:
    case FDX_SPARQL_EL_SERVICE:
      open_line(
        w, indent, el->kind == FDX_SPARQL_EL_GRAPH ? "graph " : "service ");
      if (el->silent) {
        put(w, "silent ");
      }
      put_term(w, &el->name);
      put_group(w, indent + 2, el->group);
      break;
    case FDX_SPARQL_EL_BIND:
      open_line(w, indent, "bind ");
      put_var(w, el->var);
      fputc(' ', w->out);
      put_expr(w, indent, el->expr);
      break;
    case FDX_SPARQL_EL_VALUES:
      put_values(w, indent, el->values);
      return;
    case FDX_SPARQL_EL_SUBQUERY:
      open_line(w, indent, "subquery");
      put_select_body(w, indent + 2, el->subquery);
      break;
    case FDX_SPARQL_EL_GROUP:
      put_group(w, indent, el->group);
      return;
  }
  fputc(')', w->out);
}

/* A group on a new line at `indent`. */
static void
put_group(Writer* const w, const unsigned indent, const FdxSparqlGroup* const g)
{
  open_line(w, indent, "group (scope");
  for (uint32_t i = 0; i < g->n_scope; ++i) {
    fputc(' ', w->out);
    put_var(w, g->scope[i]);
  }
  fputc(')', w->out);
  for (uint32_t i = 0; i < g->n_elements; ++i) {
    put_element(w, indent + 2, &g->elements[i]);
  }
  fputc(')', w->out);
}

static void
put_select_body(Writer* const                w,
                const unsigned               indent,
                const FdxSparqlSelect* const sel)
{
  if (sel->distinct) {
    open_line(w, indent, "distinct)");
  }
  if (sel->reduced) {
    open_line(w, indent, "reduced)");
  }
  if (sel->n_projection || sel->star) {
    open_line(w, indent, sel->star ? "project *" : "project");
    for (uint32_t i = 0; i < sel->n_projection; ++i) {
      const FdxSparqlProjection* const pr = &sel->projection[i];
      fputc(' ', w->out);
      if (pr->expr) {
        put(w, "(as ");
        put_var(w, pr->var);
        fputc(' ', w->out);
        put_expr(w, indent, pr->expr);
        fputc(')', w->out);
      } else {
        put_var(w, pr->var);
      }
    }
    fputc(')', w->out);
  }
  if (sel->where) {
    open_line(w, indent, "where");
    put_group(w, indent + 2, sel->where);
    fputc(')', w->out);
  }
  if (sel->n_group_by) {
    open_line(w, indent, "group-by");
    for (uint32_t i = 0; i < sel->n_group_by; ++i) {
      const FdxSparqlGroupKey* const k = &sel->group_by[i];
      fputc(' ', w->out);
      if (k->has_var) {
        put(w, "(as ");
        put_var(w, k->var);
        fputc(' ', w->out);
        put_expr(w, indent, k->expr);
        fputc(')', w->out);
      } else {
        put_expr(w, indent, k->expr);
      }
    }
    fputc(')', w->out);
  }
  if (sel->n_having) {
    open_line(w, indent, "having");
    for (uint32_t i = 0; i < sel->n_having; ++i) {
      fputc(' ', w->out);
      put_expr(w, indent, sel->having[i]);
    }
    fputc(')', w->out);
  }
  if (sel->n_order_by) {
    open_line(w, indent, "order-by");
    for (uint32_t i = 0; i < sel->n_order_by; ++i) {
      put(w, sel->order_by[i].descending ? " (desc " : " (asc ");
      put_expr(w, indent, sel->order_by[i].expr);
      fputc(')', w->out);
    }
    fputc(')', w->out);
  }
  if (sel->has_limit) {
    newline(w, indent);
    fprintf(w->out, "(limit %llu)", (unsigned long long)sel->limit);
  }
  if (sel->has_offset) {
    newline(w, indent);
    fprintf(w->out, "(offset %llu)", (unsigned long long)sel->offset);
  }
  if (sel->values) {
    put_values(w, indent, sel->values);
  }
  if (sel->aggregated) {
    newline(w, indent);
    fprintf(w->out, "(aggregated %u)", (unsigned)sel->n_aggregates);
  }
}

static void
put_vars(Writer* const w, const unsigned indent)
{
  if (!w->n_vars) {
    return;
  }
  open_line(w, indent, "vars");
  for (uint32_t i = 0; i < w->n_vars; ++i) {
    fputc(' ', w->out);
    put_var(w, i);
  }
  fputc(')', w->out);
}

static void
put_iri_item(Writer* const      w,
             const unsigned     indent,
             const char* const  name,
             const FdxSparqlIri iri)
{
  open_line(w, indent, name);
  fputc(' ', w->out);
  put_iri(w, iri.str, iri.len);
  fputc(')', w->out);
}

static FdxStatus
finish(FILE* const out)
{
  fputc('\n', out);
  return ferror(out) ? FDX_ERR_IO : FDX_SUCCESS;
}

FdxStatus
fdx_sparql_query_print(const FdxSparqlQuery* const query, FILE* const out)
{
  if (!query || !out) {
    return FDX_ERR_BAD_ARG;
  }
  static const char* const forms[] = {
    "select", "construct", "ask", "describe"
  };
  Writer w = { out, query->vars, query->n_vars };
  fputc('(', out);
  put(&w,
      query->construct_where      ? "construct-where"
      : (unsigned)query->form < 4 ? forms[query->form]
                                  : "?");
  if (query->base.str) {
    put_iri_item(&w, 2, "base", query->base);
  }
  put_vars(&w, 2);
  for (uint32_t i = 0; i < query->n_from; ++i) {
    put_iri_item(&w, 2, "from", query->from[i]);
  }
  for (uint32_t i = 0; i < query->n_from_named; ++i) {
    put_iri_item(&w, 2, "from-named", query->from_named[i]);
  }
  if (query->form == FDX_SPARQL_QUERY_CONSTRUCT) {
    open_line(&w, 2, "template");
    put_quads(&w, 4, query->construct, query->n_construct);
    fputc(')', out);
  }
  if (query->n_bnodes) {
    newline(&w, 2);
    fprintf(out, "(bnodes %u)", (unsigned)query->n_bnodes);
  }
  if (query->form == FDX_SPARQL_QUERY_DESCRIBE && !query->select->star) {
    open_line(&w, 2, "describe");
    for (uint32_t i = 0; i < query->n_describe; ++i) {
      fputc(' ', out);
      put_term(&w, &query->describe[i]);
    }
    fputc(')', out);
  }
  if (query->select) {
    put_select_body(&w, 2, query->select);
  }
  fputc(')', out);
  return finish(out);
}

static void
put_graph_ref(Writer* const w, const FdxSparqlGraphRef* const ref)
{
  fputc(' ', w->out);
  switch (ref->kind) {
    case FDX_SPARQL_GRAPH_IRI:
      put_iri(w, ref->iri.str, ref->iri.len);
      break;
    case FDX_SPARQL_GRAPH_DEFAULT:
      put(w, "default");
      break;
    case FDX_SPARQL_GRAPH_NAMED:
      put(w, "named");
      break;
    case FDX_SPARQL_GRAPH_ALL:
      put(w, "all");
      break;
  }
}

static void
put_bnodes(Writer* const w, const unsigned indent, const uint32_t n)
{
  if (n) {
    newline(w, indent);
    fprintf(w->out, "(bnodes %u)", (unsigned)n);
  }
}

static void
put_operation(Writer* const                   w,
              const unsigned                  indent,
              const FdxSparqlOperation* const op)
{
  static const char* const names[] = {
    "load", "clear",       "drop",        "create",       "add",    "move",
    "copy", "insert-data", "delete-data", "delete-where", "modify",
  };
  open_line(w, indent, (unsigned)op->kind < 11 ? names[op->kind] : "?");
  if (op->silent) {
    put(w, " silent");
  }
  switch (op->kind) {
    case FDX_SPARQL_OP_LOAD:
      fputc(' ', w->out);
      put_iri(w, op->source.str, op->source.len);
      put_graph_ref(w, &op->target);
      break;
    case FDX_SPARQL_OP_CLEAR:
    case FDX_SPARQL_OP_DROP:
    case FDX_SPARQL_OP_CREATE:
      put_graph_ref(w, &op->target);
      break;
    case FDX_SPARQL_OP_ADD:
    case FDX_SPARQL_OP_MOVE:
    case FDX_SPARQL_OP_COPY:
      put_graph_ref(w, &op->from);
      put_graph_ref(w, &op->target);
      break;
    case FDX_SPARQL_OP_INSERT_DATA:
      put_bnodes(w, indent + 2, op->n_bnodes);
      put_quads(w, indent + 2, op->insert, op->n_insert);
      break;
    case FDX_SPARQL_OP_DELETE_DATA:
      put_quads(w, indent + 2, op->delete_, op->n_delete);
      break;
    case FDX_SPARQL_OP_DELETE_WHERE:
    case FDX_SPARQL_OP_MODIFY:
      if (op->with.str) {
        put_iri_item(w, indent + 2, "with", op->with);
      }
      if (op->kind == FDX_SPARQL_OP_DELETE_WHERE || op->has_delete) {
        open_line(w, indent + 2, "delete");
        put_quads(w, indent + 4, op->delete_, op->n_delete);
        fputc(')', w->out);
      }
      if (op->has_insert) {
        open_line(w, indent + 2, "insert");
        put_quads(w, indent + 4, op->insert, op->n_insert);
        fputc(')', w->out);
      }
      put_bnodes(w, indent + 2, op->n_bnodes);
      for (uint32_t i = 0; i < op->n_using; ++i) {
        put_iri_item(w, indent + 2, "using", op->using_[i]);
      }
      for (uint32_t i = 0; i < op->n_using_named; ++i) {
        put_iri_item(w, indent + 2, "using-named", op->using_named[i]);
      }
      if (op->where) {
        open_line(w, indent + 2, "where");
        put_group(w, indent + 4, op->where);
        fputc(')', w->out);
      }
      break;
  }
  fputc(')', w->out);
}

FdxStatus
fdx_sparql_update_print(const FdxSparqlUpdate* const update, FILE* const out)
{
  if (!update || !out) {
    return FDX_ERR_BAD_ARG;
  }
  Writer w = { out, update->vars, update->n_vars };
  put(&w, "(update");
  put_vars(&w, 2);
  for (uint32_t i = 0; i < update->n_ops; ++i) {
    put_operation(&w, 2, &update->ops[i]);
  }
  fputc(')', out);
  return finish(out);
}
