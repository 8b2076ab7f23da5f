/*
 * test_sparql_parse.c: the parser's C API (ast.h), for what the printed
 * cases in parse/ cannot show: argument checks, the three limits and the
 * status they give, NULL destructors, outputs left alone on failure,
 * error positions (lines, code-point columns, byte order mark, CR LF),
 * the variable table (?x and $x, blank-node variables), the aggregate
 * index, literals holding NUL, RFC 3986 resolution (the normal and
 * abnormal examples of section 5.4), and I/O errors when printing.
 */
#include "ast.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      ++n_failures;                                                            \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* Parse `text` as a query that must be valid; NULL (and a report) if not. */
static FdxSparqlQuery*
query_ok(const char* const text, const char* const base)
{
  FdxSparqlQuery* q = NULL;
  FdxError        err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st =
    fdx_sparql_parse_query(text, strlen(text), base, NULL, &q, &err);
  if (st) {
    ++n_failures;
    fprintf(stderr,
            "unexpected failure (%s) %ld:%ld: %s\n  in: %s\n",
            fdx_strerror(st),
            err.line,
            err.column,
            err.message,
            text);
    return NULL;
  }
  return q;
}

/* Parse `len` bytes of `text` as a query that must fail with `want`; the
 * error in *err. */
static void
query_fails(const char* const                 text,
            const size_t                      len,
            const FdxSparqlParseLimits* const limits,
            const FdxStatus                   want,
            FdxError* const                   err)
{
  FdxSparqlQuery* const sentinel = (FdxSparqlQuery*)&n_failures;
  FdxSparqlQuery*       q        = sentinel;
  memset(err, 0, sizeof(*err));
  const FdxStatus st = fdx_sparql_parse_query(text, len, NULL, limits, &q, err);
  if (st != want) {
    ++n_failures;
    fprintf(stderr,
            "expected %s, got %s (%ld:%ld: %s)\n  in: %.200s\n",
            fdx_strerror(want),
            fdx_strerror(st),
            err->line,
            err->column,
            err->message,
            text);
  }
  CHECK(q == sentinel); /* left alone on failure */
  if (st == FDX_SUCCESS) {
    fdx_sparql_query_free(q);
  }
}

/* ------------------------------------------------------------------------
 * Arguments, destructors, outputs
 * --------------------------------------------------------------------- */

static void
test_arguments(void)
{
  fdx_sparql_query_free(NULL);
  fdx_sparql_update_free(NULL);

  FdxSparqlQuery*  q = NULL;
  FdxSparqlUpdate* u = NULL;
  FdxError         err;
  CHECK(fdx_sparql_parse_query(NULL, 3, NULL, NULL, &q, &err) ==
        FDX_ERR_BAD_ARG);
  CHECK(fdx_sparql_parse_query("ASK{}", 5, NULL, NULL, NULL, &err) ==
        FDX_ERR_BAD_ARG);
  CHECK(fdx_sparql_parse_update(NULL, 3, NULL, NULL, &u, NULL) ==
        FDX_ERR_BAD_ARG);
  CHECK(fdx_sparql_parse_update("", 0, NULL, NULL, NULL, NULL) ==
        FDX_ERR_BAD_ARG);
  CHECK(q == NULL && u == NULL);

  /* NULL text of length 0 is the empty text: no query, an empty update. */
  CHECK(fdx_sparql_parse_query(NULL, 0, NULL, NULL, &q, &err) ==
        FDX_ERR_SYNTAX);
  CHECK(err.line == 1 && err.column == 1);
  CHECK(strstr(err.message, "found end of input") != NULL);
  CHECK(err.source[0] == '\0');
  CHECK(fdx_sparql_parse_update(NULL, 0, NULL, NULL, &u, NULL) == FDX_SUCCESS);
  CHECK(u && u->n_ops == 0 && u->n_vars == 0);
  fdx_sparql_update_free(u);
  u = NULL;
  CHECK(fdx_sparql_parse_update("# nothing\n ; ", 13, NULL, NULL, &u, NULL) ==
        FDX_ERR_SYNTAX);
  CHECK(fdx_sparql_parse_update(
          " PREFIX : <x:>  # only a prologue", 33, NULL, NULL, &u, NULL) ==
        FDX_SUCCESS);
  CHECK(u && u->n_ops == 0);
  fdx_sparql_update_free(u);

  /* A failure with no FdxError to fill. */
  CHECK(fdx_sparql_parse_query("ASK {", 5, NULL, NULL, &q, NULL) ==
        FDX_ERR_SYNTAX);
  CHECK(q == NULL);

  /* The text need not be NUL-terminated: only `len` bytes are read. */
  const char buf[] = { 'A', 'S', 'K', '{', '}', 'x', 'y', 'z' };
  CHECK(fdx_sparql_parse_query(buf, 5, NULL, NULL, &q, &err) == FDX_SUCCESS);
  CHECK(q && q->form == FDX_SPARQL_QUERY_ASK);
  fdx_sparql_query_free(q);

  CHECK(fdx_sparql_query_print(NULL, stdout) == FDX_ERR_BAD_ARG);
  CHECK(fdx_sparql_update_print(NULL, stdout) == FDX_ERR_BAD_ARG);
}

static void
test_print_io_error(void)
{
  FdxSparqlQuery* const q = query_ok("SELECT * { ?s ?p ?o }", NULL);
  FILE* const           f = fopen("/dev/null", "r");
  if (q && f) {
    CHECK(fdx_sparql_query_print(q, NULL) == FDX_ERR_BAD_ARG);
    CHECK(fdx_sparql_query_print(q, f) == FDX_ERR_IO);
  }
  if (f) {
    fclose(f);
  }
  fdx_sparql_query_free(q);
}

/* ------------------------------------------------------------------------
 * Limits
 * --------------------------------------------------------------------- */

static void
test_limits(void)
{
  FdxError err;

  /* Bytes: over the limit is FDX_ERR_LIMIT, with no position. */
  FdxSparqlParseLimits lim = { 0, 0, 0 };
  lim.max_bytes            = 10;
  query_fails("SELECT * { }", 12, &lim, FDX_ERR_LIMIT, &err);
  CHECK(err.line == 0 && err.column == 0);
  CHECK(strstr(err.message, "12 bytes") != NULL);
  lim.max_bytes     = 12;
  FdxSparqlQuery* q = NULL;
  CHECK(fdx_sparql_parse_query("SELECT * { }", 12, NULL, &lim, &q, &err) ==
        FDX_SUCCESS);
  fdx_sparql_query_free(q);

  /* Depth: four nested groups are four levels. */
  lim.max_bytes = 0;
  lim.max_depth = 3;
  query_fails("ASK {{{{}}}}", 12, &lim, FDX_ERR_LIMIT, &err);
  CHECK(err.line == 1 && err.column == 8);
  CHECK(strstr(err.message, "3 levels") != NULL);
  lim.max_depth = 4;
  q             = NULL;
  CHECK(fdx_sparql_parse_query("ASK {{{{}}}}", 12, NULL, &lim, &q, &err) ==
        FDX_SUCCESS);
  fdx_sparql_query_free(q);

  /* A chain of two operators is two levels: group, '(' and two '+'. */
  const char* const chain = "ASK { FILTER(1 + 2 + 3) }";
  lim.max_depth           = 3;
  query_fails(chain, strlen(chain), &lim, FDX_ERR_LIMIT, &err);
  lim.max_depth = 4;
  q             = NULL;
  CHECK(fdx_sparql_parse_query(chain, strlen(chain), NULL, &lim, &q, &err) ==
        FDX_SUCCESS);
  fdx_sparql_query_free(q);

  /* The default depth stops 10000 nested parentheses. */
  const size_t n    = 10000;
  char* const  deep = (char*)malloc(2 * n + 32);
  if (deep) {
    size_t o = (size_t)sprintf(deep, "ASK { FILTER ");
    for (size_t i = 0; i < n; ++i) {
      deep[o++] = '(';
    }
    deep[o++] = '1';
    for (size_t i = 0; i < n; ++i) {
      deep[o++] = ')';
    }
    o += (size_t)sprintf(deep + o, " }");
    query_fails(deep, o, NULL, FDX_ERR_LIMIT, &err);
    CHECK(err.line == 1 &&
          err.column == 13 + (long)FDX_SPARQL_DEFAULT_MAX_DEPTH);
    free(deep);
  }

  /* Memory: a long list of triples in a small budget. */
  char* const big = (char*)malloc(128 * 1024);
  if (big) {
    size_t o = (size_t)sprintf(big, "SELECT * {");
    for (int i = 0; i < 2000; ++i) {
      o +=
        (size_t)sprintf(big + o, " ?s%d <http://example.org/p> ?o%d .", i, i);
    }
    o += (size_t)sprintf(big + o, " }");
    lim.max_depth  = 0;
    lim.max_memory = 16 * 1024;
    query_fails(big, o, &lim, FDX_ERR_LIMIT, &err);
    CHECK(strstr(err.message, "memory") != NULL);
    lim.max_memory = 0;
    q              = NULL;
    CHECK(fdx_sparql_parse_query(big, o, NULL, &lim, &q, &err) == FDX_SUCCESS);
    CHECK(q && q->n_vars == 4000);
    fdx_sparql_query_free(q);
    free(big);
  }

  /* Every memory budget from nothing up: each one either is enough or
   * fails cleanly with FDX_ERR_LIMIT, and a bigger one is never worse
   * (under the sanitizers this runs every failure path that a budget can
   * reach, with no leak). */
  const char* const mixed =
    "PREFIX : <http://example.org/> "
    "SELECT ?s (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s :p/:q* ?o ; :r [ :t ( 1 2 "
    ") ] "
    "OPTIONAL { ?o :u ?v FILTER NOT EXISTS { ?v :w 'x'@en } } "
    "BIND (CONCAT(STR(?s), \"-\") AS ?b) VALUES ?z { 1 UNDEF } "
    "{ SELECT ?s { ?s a :T } LIMIT 3 } UNION { ?s :x _:b1 } } "
    "GROUP BY ?s HAVING (COUNT(*) > 1) ORDER BY DESC(?n)";
  bool enough = false;
  for (size_t m = 1; m < 200000; m += m < 8192 ? 61 : 997) {
    lim.max_depth  = 0;
    lim.max_memory = m;
    q              = NULL;
    const FdxStatus st =
      fdx_sparql_parse_query(mixed, strlen(mixed), NULL, &lim, &q, &err);
    CHECK(st == FDX_SUCCESS || st == FDX_ERR_LIMIT);
    CHECK(!enough || st == FDX_SUCCESS);
    enough = st == FDX_SUCCESS;
    CHECK((st == FDX_SUCCESS) == (q != NULL));
    fdx_sparql_query_free(q);
  }
  CHECK(enough);
  lim.max_memory = 0;

  /* LIMIT beyond 64 bits. */
  const char* const huge = "SELECT * {} LIMIT 18446744073709551616";
  query_fails(huge, strlen(huge), NULL, FDX_ERR_LIMIT, &err);
  const char* const max = "SELECT * {} LIMIT 18446744073709551615";
  q                     = query_ok(max, NULL);
  CHECK(q && q->select->has_limit && q->select->limit == UINT64_MAX);
  fdx_sparql_query_free(q);
}

/* ------------------------------------------------------------------------
 * Error positions
 * --------------------------------------------------------------------- */

static void
expect_position(const char* const text,
                const size_t      len,
                const long        line,
                const long        column)
{
  FdxError err;
  query_fails(text, len, NULL, FDX_ERR_SYNTAX, &err);
  if (err.line != line || err.column != column) {
    ++n_failures;
    fprintf(stderr,
            "expected the error at %ld:%ld, got %ld:%ld: %s\n",
            line,
            column,
            err.line,
            err.column,
            err.message);
  }
}

static void
test_positions(void)
{
  /* Columns count code points: "ééé" is 5 columns with its quotes. */
  const char* const t1 = "ASK {\n  \"\xC3\xA9\xC3\xA9\xC3\xA9\" :p }";
  expect_position(t1, strlen(t1), 2, 9);
  /* CR LF is one line break, a lone CR is one too (so line 3 is empty). */
  const char* const t2 = "ASK {\r\n?s ?p ?o .\r\r  ?x }";
  expect_position(t2, strlen(t2), 4, 6);
  /* A byte order mark takes no column. */
  const char* const t3 = "\xEF\xBB\xBF"
                         "ASK { ?x }";
  expect_position(t3, strlen(t3), 1, 10);
  /* Invalid UTF-8: at the bad byte. */
  const char* const t4 = "ASK { \"a\xFF\" }";
  expect_position(t4, strlen(t4), 1, 9);
  const char* const t5 = "ASK { \"\xC3\xA9\xC3\" }"; /* cut short */
  expect_position(t5, strlen(t5), 1, 9);
  const char* const t6 = "ASK { \"\xED\xA0\x80\" }"; /* a surrogate */
  expect_position(t6, strlen(t6), 1, 8);
  /* A NUL byte is a character like any other: the lexer rejects it. */
  const char t7[] = { 'A', 'S', 'K', ' ', '{', ' ', '\0', ' ', '}' };
  expect_position(t7, sizeof(t7), 1, 7);
  /* End of input: just after the last character. */
  const char* const t8 = "SELECT * WHERE {\n  ?s ?p ?o";
  expect_position(t8, strlen(t8), 2, 11);

  FdxError err;
  query_fails(t8, strlen(t8), NULL, FDX_ERR_SYNTAX, &err);
  CHECK(strstr(err.message, "expected '}'") != NULL);
  CHECK(strstr(err.message, "found end of input") != NULL);
}

/* ------------------------------------------------------------------------
 * The variable table and the aggregates
 * --------------------------------------------------------------------- */

static bool
name_is(const FdxSparqlVar* const v, const char* const name)
{
  return v->name && v->name_len == strlen(name) &&
         !memcmp(v->name, name, v->name_len);
}

static void
test_variables(void)
{
  FdxSparqlQuery* q =
    query_ok("SELECT ?x $x ?y { ?x ?p $y . _:b ?p [] . _:b ?q ?x }", NULL);
  if (!q) {
    return;
  }
  const FdxSparqlSelect* const sel = q->select;
  CHECK(sel->n_projection == 3);
  CHECK(sel->projection[0].var == sel->projection[1].var);
  CHECK(sel->projection[0].var != sel->projection[2].var);
  CHECK(name_is(&q->vars[sel->projection[0].var], "x"));
  CHECK(name_is(&q->vars[sel->projection[2].var], "y"));
  /* ?x ?y ?p ?q, _:b (one variable, used twice) and []. */
  CHECK(q->n_vars == 6);
  unsigned n_blank = 0;
  unsigned n_anon  = 0;
  for (uint32_t i = 0; i < q->n_vars; ++i) {
    if (q->vars[i].is_blank) {
      ++n_blank;
      n_anon += q->vars[i].name == NULL;
      if (q->vars[i].name) {
        CHECK(name_is(&q->vars[i], "b"));
      }
    }
  }
  CHECK(n_blank == 2 && n_anon == 1);
  const FdxSparqlElement* const el = &sel->where->elements[0];
  CHECK(el->kind == FDX_SPARQL_EL_TRIPLES && el->n_triples == 3);
  CHECK(el->triples[1].s.kind == FDX_SPARQL_TERM_VAR);
  CHECK(el->triples[1].s.index == el->triples[2].s.index);
  CHECK(q->vars[el->triples[1].s.index].is_blank);
  /* The scope holds named variables only. */
  CHECK(sel->where->n_scope == 4);
  for (uint32_t i = 0; i < sel->where->n_scope; ++i) {
    CHECK(!q->vars[sel->where->scope[i]].is_blank);
    CHECK(i == 0 || sel->where->scope[i - 1] < sel->where->scope[i]);
  }
  fdx_sparql_query_free(q);

  /* One table for the whole text: subqueries and EXISTS share it. */
  q = query_ok(
    "SELECT ?x { { SELECT ?x { ?x ?p ?o } } FILTER EXISTS { ?x ?p ?z } }",
    NULL);
  if (q) {
    CHECK(q->n_vars == 4);
    fdx_sparql_query_free(q);
  }
}

static void
test_aggregates(void)
{
  FdxSparqlQuery* const q =
    query_ok("SELECT (SUM(?x) AS ?s) (COUNT(*) AS ?c) { ?a ?b ?x } "
             "HAVING (AVG(?x) > 1) ORDER BY MIN(?x) DESC(COUNT(DISTINCT ?x))",
             NULL);
  if (!q) {
    return;
  }
  const FdxSparqlSelect* const sel = q->select;
  CHECK(sel->aggregated);
  CHECK(sel->n_aggregates == 5);
  static const FdxSparqlAggregate kinds[] = { FDX_SPARQL_AGG_SUM,
                                              FDX_SPARQL_AGG_COUNT,
                                              FDX_SPARQL_AGG_AVG,
                                              FDX_SPARQL_AGG_MIN,
                                              FDX_SPARQL_AGG_COUNT };
  for (uint32_t i = 0; i < sel->n_aggregates && i < 5; ++i) {
    CHECK(sel->aggregates[i]->kind == FDX_SPARQL_EXPR_AGGREGATE);
    CHECK(sel->aggregates[i]->agg_index == i);
    CHECK(sel->aggregates[i]->agg == kinds[i]);
  }
  CHECK(sel->aggregates[1]->star && sel->aggregates[1]->n_args == 0);
  CHECK(sel->aggregates[4]->distinct && !sel->aggregates[4]->star);
  CHECK(sel->projection[0].expr == sel->aggregates[0]);
  fdx_sparql_query_free(q);
}

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

static void
test_literals(void)
{
  FdxSparqlQuery* const q =
    query_ok("ASK { ?s ?p \"a\\u0000b\", 'x'@en-GB, -1.5e0, +7, true }", NULL);
  if (!q) {
    return;
  }
  const FdxSparqlElement* const el = &q->select->where->elements[0];
  CHECK(el->n_triples == 5);
  const FdxSparqlTerm* const s = &el->triples[0].o;
  CHECK(s->kind == FDX_SPARQL_TERM_LITERAL && s->value_len == 3);
  CHECK(s->value[0] == 'a' && s->value[1] == '\0' && s->value[2] == 'b');
  CHECK(s->value[3] == '\0');
  CHECK(!s->lang && !s->datatype);
  const FdxSparqlTerm* const l = &el->triples[1].o;
  CHECK(l->lang && l->lang_len == 5 && !memcmp(l->lang, "en-GB", 5) &&
        !l->datatype);
  const FdxSparqlTerm* const d = &el->triples[2].o;
  CHECK(d->value_len == 6 && !strcmp(d->value, "-1.5e0"));
  CHECK(!strcmp(d->datatype, "http://www.w3.org/2001/XMLSchema#double"));
  CHECK(!strcmp(el->triples[3].o.value, "+7"));
  CHECK(!strcmp(el->triples[3].o.datatype,
                "http://www.w3.org/2001/XMLSchema#integer"));
  CHECK(!strcmp(el->triples[4].o.value, "true"));
  CHECK(!strcmp(el->triples[4].o.datatype,
                "http://www.w3.org/2001/XMLSchema#boolean"));
  fdx_sparql_query_free(q);
}

/* RFC 3986 section 5.4: base http://a/b/c/d;p?q. */
static void
test_resolution(void)
{
  static const char* const cases[][2] = {
    { "g:h", "g:h" },
    { "g", "http://a/b/c/g" },
    { "./g", "http://a/b/c/g" },
    { "g/", "http://a/b/c/g/" },
    { "/g", "http://a/g" },
    { "//g", "http://g" },
    { "?y", "http://a/b/c/d;p?y" },
    { "g?y", "http://a/b/c/g?y" },
    { "#s", "http://a/b/c/d;p?q#s" },
    { "g#s", "http://a/b/c/g#s" },
    { "g?y#s", "http://a/b/c/g?y#s" },
    { ";x", "http://a/b/c/;x" },
    { "g;x", "http://a/b/c/g;x" },
    { "g;x?y#s", "http://a/b/c/g;x?y#s" },
    { "", "http://a/b/c/d;p?q" },
    { ".", "http://a/b/c/" },
    { "./", "http://a/b/c/" },
    { "..", "http://a/b/" },
    { "../", "http://a/b/" },
    { "../g", "http://a/b/g" },
    { "../..", "http://a/" },
    { "../../", "http://a/" },
    { "../../g", "http://a/g" },
    /* 5.4.2, abnormal */
    { "../../../g", "http://a/g" },
    { "../../../../g", "http://a/g" },
    { "/./g", "http://a/g" },
    { "/../g", "http://a/g" },
    { "g.", "http://a/b/c/g." },
    { ".g", "http://a/b/c/.g" },
    { "g..", "http://a/b/c/g.." },
    { "..g", "http://a/b/c/..g" },
    { "./../g", "http://a/b/g" },
    { "./g/.", "http://a/b/c/g/" },
    { "g/./h", "http://a/b/c/g/h" },
    { "g/../h", "http://a/b/c/h" },
    { "g;x=1/./y", "http://a/b/c/g;x=1/y" },
    { "g;x=1/../y", "http://a/b/c/y" },
    { "g?y/./x", "http://a/b/c/g?y/./x" },
    { "g?y/../x", "http://a/b/c/g?y/../x" },
    { "g#s/./x", "http://a/b/c/g#s/./x" },
    { "g#s/../x", "http://a/b/c/g#s/../x" },
    { "http:g", "http:g" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    char text[256];
    snprintf(text, sizeof(text), "ASK { <%s> ?p ?o }", cases[i][0]);
    /* Once through the base_iri argument, once through BASE. */
    for (int how = 0; how < 2; ++how) {
      char with_base[300];
      snprintf(
        with_base, sizeof(with_base), "BASE <http://a/b/c/d;p?q> %s", text);
      FdxSparqlQuery* const q =
        how ? query_ok(with_base, NULL) : query_ok(text, "http://a/b/c/d;p?q");
      if (!q) {
        continue;
      }
      const FdxSparqlTerm* const s =
        &q->select->where->elements[0].triples[0].s;
      if (s->kind != FDX_SPARQL_TERM_IRI || strcmp(s->value, cases[i][1]) ||
          s->value_len != strlen(cases[i][1])) {
        ++n_failures;
        fprintf(stderr,
                "<%s> resolved to <%s>, expected <%s>\n",
                cases[i][0],
                s->value ? s->value : "(null)",
                cases[i][1]);
      }
      CHECK(q->base.str && !strcmp(q->base.str, "http://a/b/c/d;p?q"));
      fdx_sparql_query_free(q);
    }
  }

  /* No base: relative IRIs stay as written; BASE may itself be relative
   * and is resolved against the one before it. */
  FdxSparqlQuery* q = query_ok("ASK { <../a> ?p ?o }", NULL);
  if (q) {
    CHECK(!strcmp(q->select->where->elements[0].triples[0].s.value, "../a"));
    CHECK(q->base.str == NULL);
    fdx_sparql_query_free(q);
  }
  q = query_ok(
    "BASE <http://x/y/> BASE <../z/> PREFIX p: <q#> ASK { p:r ?p ?o }", NULL);
  if (q) {
    CHECK(!strcmp(q->base.str, "http://x/z/"));
    CHECK(!strcmp(q->select->where->elements[0].triples[0].s.value,
                  "http://x/z/q#r"));
    fdx_sparql_query_free(q);
  }
}

/* ------------------------------------------------------------------------
 * Updates
 * --------------------------------------------------------------------- */

static void
test_update(void)
{
  const char* const text =
    "PREFIX : <http://e/> "
    "INSERT DATA { _:a :p _:b . GRAPH :g { _:a :q [] } } ; "
    "INSERT { _:x :p ?o } WHERE { ?s :p ?o } ; "
    "INSERT { _:x :p ?o } WHERE { ?s :q ?o }";
  FdxSparqlUpdate* u = NULL;
  FdxError         err;
  CHECK(fdx_sparql_parse_update(text, strlen(text), NULL, NULL, &u, &err) ==
        FDX_SUCCESS);
  if (!u) {
    fprintf(stderr, "%ld:%ld: %s\n", err.line, err.column, err.message);
    return;
  }
  CHECK(u->n_ops == 3);
  const FdxSparqlOperation* const d = &u->ops[0];
  CHECK(d->kind == FDX_SPARQL_OP_INSERT_DATA && d->n_insert == 2 &&
        d->n_bnodes == 3);
  CHECK(d->insert[0].s.kind == FDX_SPARQL_TERM_BNODE);
  CHECK(d->insert[0].s.index == d->insert[1].s.index); /* _:a, both graphs */
  CHECK(d->insert[1].g.kind == FDX_SPARQL_TERM_IRI);
  CHECK(d->insert[1].o.value == NULL); /* [] has no label */
  CHECK(u->ops[1].kind == FDX_SPARQL_OP_MODIFY && u->ops[1].n_bnodes == 1);
  CHECK(u->ops[2].n_bnodes == 1 && u->ops[2].insert[0].s.index == 0);
  fdx_sparql_update_free(u);

  /* INSERT DATA's labels belong to the whole request. */
  const char* const twice =
    "INSERT DATA { _:a <p> <o> } ; INSERT { _:a <p> ?o } WHERE { ?s ?p ?o }";
  u = NULL;
  CHECK(fdx_sparql_parse_update(twice, strlen(twice), NULL, NULL, &u, &err) ==
        FDX_ERR_SYNTAX);
  CHECK(u == NULL);
  CHECK(err.line == 1 && err.column == 40);
}

int
main(void)
{
  test_arguments();
  test_print_io_error();
  test_limits();
  test_positions();
  test_variables();
  test_aggregates();
  test_literals();
  test_resolution();
  test_update();
  printf("api: %s (%d failed checks)\n",
         n_failures ? "FAILED" : "passed",
         n_failures);
  return n_failures ? 1 : 0;
}
