/*
 * test_results_compare.c: the test readers and the comparator
 * (tests/tools/sparql_results_read.h) on small hand-made documents, so
 * that the checks the other tests make with them can be trusted.
 *
 * Readers: what each format's corner cases read as (XML entities, CDATA,
 * comments and <unbound/>; JSON typed-literal and \u0000; TSV quotes,
 * escapes, bare numbers and booleans, CRLF; CSV quoting, empty fields and
 * blank nodes; the _askResult form), and that malformed documents are
 * refused with a reason.
 * Comparator: term equality (language case, xsd:string), variable order,
 * bag versus sequence, blank node bijections that colour refinement cannot
 * tell apart (a 6-cycle against two triangles), and the CSV way.
 */
#include "sparql_results_read.h"
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#define XSD "http://www.w3.org/2001/XMLSchema#"
#define SRX_OPEN                                                   \
  "<?xml version=\"1.0\"?>\n"                                      \
  "<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n"

static SrResults*
read_ok(const FdxResultsFormat format, const char* const text)
{
  SrResults* r = NULL;
  char       why[512];
  const FdxStatus st =
    sr_read_bytes(format, text, strlen(text), &r, why, sizeof(why));
  CHECK_ST(st, FDX_SUCCESS);
  if (st) {
    fprintf(stderr, "  reading %.60s...: %s\n", text, why);
  }
  return r;
}

/* Read `len` bytes (which may hold NUL). */
static SrResults*
read_ok_n(const FdxResultsFormat format, const char* const text, size_t len)
{
  SrResults* r = NULL;
  char       why[512];
  CHECK_ST(sr_read_bytes(format, text, len, &r, why, sizeof(why)),
           FDX_SUCCESS);
  return r;
}

static void
read_bad(const FdxResultsFormat format, const char* const text)
{
  SrResults* r = NULL;
  char       why[512];
  why[0] = '\0';
  const FdxStatus st =
    sr_read_bytes(format, text, strlen(text), &r, why, sizeof(why));
  CHECK(st != FDX_SUCCESS);
  CHECK(!r);
  CHECK(why[0] != '\0');
  if (st == FDX_SUCCESS) {
    fprintf(stderr, "  accepted: %s\n", text);
    sr_results_free(r);
  }
}

/* Does the term at (row, var) print as `want`? */
static bool
cell_is(const SrResults* const r,
        const size_t           row,
        const size_t           var,
        const char* const      want)
{
  char buf[512];
  if (!r || row >= r->n_rows || var >= r->n_vars) {
    return false;
  }
  sr_term_format(sr_results_get(r, row, var), buf, sizeof(buf));
  if (strcmp(buf, want)) {
    fprintf(stderr, "  cell (%zu, %zu) is %s, want %s\n", row, var, buf,
            want);
    return false;
  }
  return true;
}

static bool
equal(const SrResults* const a, const SrResults* const b, const unsigned flags)
{
  char why[1024];
  return a && b && sr_results_equal(a, b, flags, why, sizeof(why));
}

/* ------------------------------------------------------------------------
 * Readers
 * --------------------------------------------------------------------- */

static void
test_read_xml(void)
{
  SrResults* const r = read_ok(
    FDX_RESULTS_XML,
    SRX_OPEN "<!-- a comment -->\n"
             "<head><variable name='a'/><link href='x'/>"
             "<variable name=\"b\"/></head>\n"
             "<results ordered='true' distinct='false'>\n"
             "<result>"
             "<binding name='b'><literal xml:lang='EN'>x &amp; &lt;y&gt;"
             " &#x1D11E;<![CDATA[<z>]]></literal></binding>"
             "<binding name='a'><uri>http://ex/a?b=1&amp;c=2</uri></binding>"
             "</result>\n"
             "<result><binding name='a'><unbound/></binding>"
             "<binding name='b'><literal datatype='" XSD "integer'> 1 "
             "</literal></binding></result>\n"
             "<result><binding name='a'><bnode>r0</bnode></binding>"
             "<binding name='b'><literal>line&#xD;\nnext</literal></binding>"
             "</result>\n"
             "<result></result>\n"
             "</results></sparql>\n");
  if (r) {
    CHECK(r->n_vars == 2 && r->n_rows == 4 && !r->is_boolean);
    CHECK(!strcmp(r->vars[0], "a") && !strcmp(r->vars[1], "b"));
    CHECK(cell_is(r, 0, 0, "<http://ex/a?b=1&c=2>"));
    CHECK(cell_is(r, 0, 1, "\"x & <y> \xF0\x9D\x84\x9E<z>\"@EN"));
    CHECK(cell_is(r, 1, 0, "UNDEF"));
    CHECK(cell_is(r, 1, 1, "\" 1 \"^^<" XSD "integer>"));
    CHECK(cell_is(r, 2, 0, "_:r0"));
    CHECK(cell_is(r, 2, 1, "\"line\\u000D\\u000Anext\""));
    CHECK(cell_is(r, 3, 0, "UNDEF") && cell_is(r, 3, 1, "UNDEF"));
  }
  sr_results_free(r);

  SrResults* const t = read_ok(
    FDX_RESULTS_XML, SRX_OPEN "<head/><boolean> false </boolean></sparql>");
  CHECK(t && t->is_boolean && !t->boolean);
  sr_results_free(t);

  read_bad(FDX_RESULTS_XML, "");
  read_bad(FDX_RESULTS_XML, "<sparql>");
  read_bad(FDX_RESULTS_XML, "<sparql><head/><results/></sparql>"); /* ns */
  read_bad(FDX_RESULTS_XML, SRX_OPEN "<head/></sparql>");
  read_bad(FDX_RESULTS_XML, SRX_OPEN "<head/><boolean>yes</boolean></sparql>");
  read_bad(FDX_RESULTS_XML,
           SRX_OPEN "<head><variable name='a'/></head><results><result>"
                    "<binding name='b'><uri>x</uri></binding>"
                    "</result></results></sparql>");
  read_bad(FDX_RESULTS_XML,
           SRX_OPEN "<head><variable name='a'/><variable name='a'/></head>"
                    "<results/></sparql>");
  read_bad(FDX_RESULTS_XML,
           SRX_OPEN "<head><variable name='a'/></head><results><result>"
                    "<binding name='a'><iri>x</iri></binding>"
                    "</result></results></sparql>");
  read_bad(FDX_RESULTS_XML,
           SRX_OPEN "<head><variable name='a'/></head><results><result>"
                    "<binding name='a'><literal xml:lang='en' datatype='d'>"
                    "x</literal></binding></result></results></sparql>");
}

static void
test_read_json(void)
{
  SrResults* const r = read_ok(
    FDX_RESULTS_JSON,
    "{\"head\":{\"vars\":[\"a\",\"b\"],\"link\":[\"x\"]},"
    "\"results\":{\"bindings\":["
    "{\"b\":{\"type\":\"typed-literal\",\"value\":\"1\","
    "\"datatype\":\"" XSD "integer\"},"
    "\"a\":{\"type\":\"literal\",\"value\":\"nul\\u0000and\\ttab\","
    "\"xml:lang\":\"de\"}},"
    "{},"
    "{\"a\":{\"type\":\"bnode\",\"value\":\"b1\"},"
    "\"b\":{\"type\":\"uri\",\"value\":\"http://ex/\\u00e4\"}}"
    "]}}");
  if (r) {
    CHECK(r->n_vars == 2 && r->n_rows == 3);
    CHECK(cell_is(r, 0, 0, "\"nul\\u0000and\\u0009tab\"@de"));
    CHECK(cell_is(r, 0, 1, "\"1\"^^<" XSD "integer>"));
    CHECK(cell_is(r, 1, 0, "UNDEF"));
    CHECK(cell_is(r, 2, 0, "_:b1"));
    CHECK(cell_is(r, 2, 1, "<http://ex/\xC3\xA4>"));
    CHECK(sr_results_get(r, 0, 0)->value_len == 11);
  }
  sr_results_free(r);
  SrResults* const t =
    read_ok(FDX_RESULTS_JSON, "{\"head\":{},\"boolean\":true}");
  CHECK(t && t->is_boolean && t->boolean);
  sr_results_free(t);

  read_bad(FDX_RESULTS_JSON, "");
  read_bad(FDX_RESULTS_JSON, "[]");
  read_bad(FDX_RESULTS_JSON, "{\"head\":{},\"boolean\":\"true\"}");
  read_bad(FDX_RESULTS_JSON, "{\"head\":{\"vars\":[\"a\"]}}");
  read_bad(FDX_RESULTS_JSON, "{\"head\":{\"vars\":[\"a\",\"a\"]},"
                             "\"results\":{\"bindings\":[]}}");
  read_bad(FDX_RESULTS_JSON, "{\"head\":{\"vars\":[\"a\"]},"
                             "\"results\":{\"bindings\":[{\"b\":"
                             "{\"type\":\"uri\",\"value\":\"x\"}}]}}");
  read_bad(FDX_RESULTS_JSON, "{\"head\":{\"vars\":[\"a\"]},"
                             "\"results\":{\"bindings\":[{\"a\":"
                             "{\"type\":\"iri\",\"value\":\"x\"}}]}}");
  read_bad(FDX_RESULTS_JSON, "{\"head\":{\"vars\":[\"a\"]},"
                             "\"results\":{\"bindings\":[{\"a\":"
                             "{\"type\":\"uri\",\"value\":\"x\","
                             "\"xml:lang\":\"en\"}}]}}");
  read_bad(FDX_RESULTS_JSON, "{\"head\":{\"vars\":[\"a\"]},"
                             "\"results\":{\"bindings\":[{\"a\":"
                             "{\"type\":\"uri\",\"value\":\"x\"},"
                             "\"a\":{\"type\":\"uri\",\"value\":\"y\"}}]}}");
}

static void
test_read_tsv(void)
{
  SrResults* const r = read_ok(
    FDX_RESULTS_TSV,
    "?a\t$b\t?c\r\n"
    "<http://ex/a\\u0020b>\t'single \"q\"'\t\"esc \\t\\n\\r\\\"\\'\\\\"
    "\\u00e4\\U0001D11E\\b\\f\"@en-GB\r\n"
    "12\t-1.5\t+.5E-3\r\n"
    "\t\ttrue\r\n"
    "_:x\t\"5\"^^<" XSD "integer>\t_:x\r\n"
    "\"\"\t\"\"^^<" XSD "string>\t\r\n");
  if (r) {
    CHECK(r->n_vars == 3 && r->n_rows == 5);
    CHECK(!strcmp(r->vars[1], "b"));
    CHECK(cell_is(r, 0, 0, "<http://ex/a b>"));
    CHECK(cell_is(r, 0, 1, "\"single \\\"q\\\"\""));
    CHECK(cell_is(r, 0, 2,
                  "\"esc \\u0009\\u000A\\u000D\\\"'\\\\\xC3\xA4\xF0\x9D\x84"
                  "\x9E\\u0008\\u000C\"@en-GB"));
    CHECK(cell_is(r, 1, 0, "\"12\"^^<" XSD "integer>"));
    CHECK(cell_is(r, 1, 1, "\"-1.5\"^^<" XSD "decimal>"));
    CHECK(cell_is(r, 1, 2, "\"+.5E-3\"^^<" XSD "double>"));
    CHECK(cell_is(r, 2, 0, "UNDEF") && cell_is(r, 2, 1, "UNDEF"));
    CHECK(cell_is(r, 2, 2, "\"true\"^^<" XSD "boolean>"));
    CHECK(cell_is(r, 3, 0, "_:x") && cell_is(r, 3, 2, "_:x"));
    CHECK(cell_is(r, 4, 0, "\"\"") && cell_is(r, 4, 2, "UNDEF"));
  }
  sr_results_free(r);

  /* One variable: an empty line is a row with nothing bound; the last
   * line end does not start a row; a missing last line end is fine. */
  SrResults* const one = read_ok(FDX_RESULTS_TSV, "?x\n\n<a>");
  CHECK(one && one->n_rows == 2 && cell_is(one, 0, 0, "UNDEF") &&
        cell_is(one, 1, 0, "<a>"));
  sr_results_free(one);
  SrResults* const none = read_ok(FDX_RESULTS_TSV, "?x\n");
  CHECK(none && none->n_rows == 0 && none->n_vars == 1);
  sr_results_free(none);
  SrResults* const zero = read_ok(FDX_RESULTS_TSV, "\n\n\n");
  CHECK(zero && zero->n_vars == 0 && zero->n_rows == 2);
  sr_results_free(zero);
  SrResults* const ask = read_ok(FDX_RESULTS_TSV, "?_askResult\nfalse\n");
  CHECK(ask && ask->is_boolean && !ask->boolean);
  sr_results_free(ask);

  read_bad(FDX_RESULTS_TSV, "");
  read_bad(FDX_RESULTS_TSV, "x\n");
  read_bad(FDX_RESULTS_TSV, "?x\t?x\n");
  read_bad(FDX_RESULTS_TSV, "?x\t?y\n<a>\n");
  read_bad(FDX_RESULTS_TSV, "?x\n<a>\t<b>\n");
  read_bad(FDX_RESULTS_TSV, "?x\n<a\n");
  read_bad(FDX_RESULTS_TSV, "?x\n<a b>\n");
  read_bad(FDX_RESULTS_TSV, "?x\n\"open\n");
  read_bad(FDX_RESULTS_TSV, "?x\n\"x\"@\n");
  read_bad(FDX_RESULTS_TSV, "?x\n\"x\"^^xsd:string\n");
  read_bad(FDX_RESULTS_TSV, "?x\n\"\\q\"\n");
  read_bad(FDX_RESULTS_TSV, "?x\n\"\\uD800\"\n");
  read_bad(FDX_RESULTS_TSV, "?x\nhttp://ex/a\n");
  read_bad(FDX_RESULTS_TSV, "?x\n1.\n");
  read_bad(FDX_RESULTS_TSV, "?x\n_:\n");
}

static void
test_read_csv(void)
{
  static const char text[] = "a,b,c\r\n"
                             "http://ex/a,\"x,\"\"y\"\"\r\nz\",_:n\r\n"
                             ",\"\",\n"
                             "_:n,nul\0byte,_:\n";
  SrResults* const  r      = read_ok_n(FDX_RESULTS_CSV, text, sizeof(text) - 1);
  if (r) {
    CHECK(r->n_vars == 3 && r->n_rows == 3);
    CHECK(cell_is(r, 0, 0, "\"http://ex/a\""));
    CHECK(cell_is(r, 0, 1, "\"x,\\\"y\\\"\\u000D\\u000Az\""));
    CHECK(cell_is(r, 0, 2, "_:n"));
    CHECK(cell_is(r, 1, 0, "UNDEF") && cell_is(r, 1, 1, "UNDEF") &&
          cell_is(r, 1, 2, "UNDEF"));
    CHECK(cell_is(r, 2, 0, "_:n"));
    CHECK(cell_is(r, 2, 1, "\"nul\\u0000byte\""));
    CHECK(cell_is(r, 2, 2, "\"_:\""));
  }
  sr_results_free(r);
  SrResults* const ask = read_ok(FDX_RESULTS_CSV, "_askResult\r\ntrue\r\n");
  CHECK(ask && ask->is_boolean && ask->boolean);
  sr_results_free(ask);
  SrResults* const one = read_ok(FDX_RESULTS_CSV, "x\r\n\r\n");
  CHECK(one && one->n_rows == 1 && cell_is(one, 0, 0, "UNDEF"));
  sr_results_free(one);

  read_bad(FDX_RESULTS_CSV, "");
  read_bad(FDX_RESULTS_CSV, "x,x\r\n");
  read_bad(FDX_RESULTS_CSV, "x,y\r\n1\r\n");
  read_bad(FDX_RESULTS_CSV, "x\r\n1,2\r\n");
  read_bad(FDX_RESULTS_CSV, "x\r\n\"open\r\n");
  read_bad(FDX_RESULTS_CSV, "x\r\n\"a\"b\r\n");
}

/* ------------------------------------------------------------------------
 * Comparator
 * --------------------------------------------------------------------- */

static void
test_terms(void)
{
  SrResults* const a = read_ok(FDX_RESULTS_TSV,
                               "?x\n\"chat\"@EN-gb\n\"s\"\n"
                               "\"1\"^^<" XSD "integer>\n<http://ex/a>\n");
  SrResults* const b = read_ok(FDX_RESULTS_TSV,
                               "?x\n\"chat\"@en-GB\n\"s\"^^<" XSD "string>\n"
                               "1\n<http://ex/a>\n");
  CHECK(equal(a, b, SR_CMP_ORDERED));
  static const char* const different[] = {
    "?x\n\"chat\"@en\n\"s\"\n1\n<http://ex/a>\n",
    "?x\n\"chat\"@en-gb\n\"s\"^^<" XSD "token>\n1\n<http://ex/a>\n",
    "?x\n\"chat\"@en-gb\n\"s\"\n01\n<http://ex/a>\n",
    "?x\n\"chat\"@en-gb\n\"s\"\n1.0\n<http://ex/a>\n",
    "?x\n\"chat\"@en-gb\n\"s\"\n1\n\"http://ex/a\"\n",
    "?x\n\"chat\"@en-gb\n\"s\"\n1\n_:a\n",
    "?x\n\"chat\"@en-gb\n\"s\"\n1\n\n",
    "?x\n\"chat\"@en-gb\n\"s \"\n1\n<http://ex/a>\n",
  };
  for (size_t i = 0; i < sizeof(different) / sizeof(different[0]); ++i) {
    SrResults* const c = read_ok(FDX_RESULTS_TSV, different[i]);
    CHECK(!equal(a, c, 0));
    CHECK(!equal(c, a, 0));
    sr_results_free(c);
  }
  sr_results_free(a);
  sr_results_free(b);
}

static void
test_shapes(void)
{
  SrResults* const a  = read_ok(FDX_RESULTS_TSV, "?x\t?y\n1\t2\n3\t\n1\t2\n");
  SrResults* const b  = read_ok(FDX_RESULTS_TSV, "?y\t?x\n\t3\n2\t1\n2\t1\n");
  SrResults* const c  = read_ok(FDX_RESULTS_TSV, "?x\t?y\n1\t2\n3\t\n3\t\n");
  SrResults* const d  = read_ok(FDX_RESULTS_TSV, "?x\t?z\n1\t2\n3\t\n1\t2\n");
  SrResults* const e  = read_ok(FDX_RESULTS_TSV, "?x\t?y\n1\t2\n3\t\n");
  SrResults* const t  = read_ok(FDX_RESULTS_TSV, "?_askResult\ntrue\n");
  SrResults* const f  = read_ok(FDX_RESULTS_TSV, "?_askResult\nfalse\n");
  SrResults* const t2 = read_ok(FDX_RESULTS_JSON,
                                "{\"head\":{},\"boolean\":true}");
  CHECK(equal(a, b, 0));           /* variable and row order */
  CHECK(!equal(a, b, SR_CMP_ORDERED));
  CHECK(equal(a, a, SR_CMP_ORDERED));
  CHECK(!equal(a, c, 0));          /* a bag, not a set */
  CHECK(!equal(a, d, 0));          /* other variables */
  CHECK(!equal(a, e, 0));          /* fewer rows */
  CHECK(equal(t, t2, 0));
  CHECK(!equal(t, f, 0));
  CHECK(!equal(t, a, 0));
  CHECK(!equal(a, t, SR_CMP_CSV));
  char why[512];
  CHECK(!sr_results_equal(a, c, 0, why, sizeof(why)));
  CHECK(strstr(why, "row") != NULL);
  CHECK(!sr_results_equal(a, d, 0, why, sizeof(why)));
  CHECK(strstr(why, "variables differ") != NULL);
  SrResults* const all[] = {a, b, c, d, e, t, f, t2};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); ++i) {
    sr_results_free(all[i]);
  }
}

static void
test_blank_nodes(void)
{
  /* One node in two places against two nodes. */
  SrResults* const shared = read_ok(FDX_RESULTS_TSV, "?x\t?y\n_:a\t_:a\n");
  SrResults* const split  = read_ok(FDX_RESULTS_TSV, "?x\t?y\n_:a\t_:b\n");
  CHECK(!equal(shared, split, 0));
  CHECK(!equal(split, shared, 0));
  /* The bijection spans rows. */
  SrResults* const rows_a = read_ok(FDX_RESULTS_TSV, "?x\n_:a\n_:a\n_:b\n");
  SrResults* const rows_b = read_ok(FDX_RESULTS_TSV, "?x\n_:q\n_:r\n_:r\n");
  SrResults* const rows_c = read_ok(FDX_RESULTS_TSV, "?x\n_:q\n_:r\n_:s\n");
  CHECK(equal(rows_a, rows_b, 0));
  CHECK(!equal(rows_a, rows_b, SR_CMP_ORDERED));
  CHECK(!equal(rows_a, rows_c, 0));

  /* A 6-cycle, the same cycle relabelled and reordered, and two
   * triangles: every node has the same colour, so only the search can
   * tell the triangles apart. */
  SrResults* const cycle = read_ok(FDX_RESULTS_TSV,
                                   "?s\t?o\n_:a\t_:b\n_:b\t_:c\n_:c\t_:d\n"
                                   "_:d\t_:e\n_:e\t_:f\n_:f\t_:a\n");
  SrResults* const cycle2 = read_ok(FDX_RESULTS_TSV,
                                    "?o\t?s\n_:n3\t_:n2\n_:n1\t_:n6\n"
                                    "_:n5\t_:n4\n_:n2\t_:n1\n_:n4\t_:n3\n"
                                    "_:n6\t_:n5\n");
  SrResults* const triangles = read_ok(FDX_RESULTS_TSV,
                                       "?s\t?o\n_:a\t_:b\n_:b\t_:c\n_:c\t_:a\n"
                                       "_:d\t_:e\n_:e\t_:f\n_:f\t_:d\n");
  CHECK(equal(cycle, cycle2, 0));
  CHECK(equal(cycle2, cycle, 0));
  CHECK(!equal(cycle, triangles, 0));
  CHECK(!equal(triangles, cycle, 0));
  char why[512];
  CHECK(!sr_results_equal(cycle, triangles, 0, why, sizeof(why)));
  CHECK(strstr(why, "renaming") != NULL);

  /* Rows pair off one to one: a triangle with each edge twice is not
   * the complete digraph on three nodes, though every node has the same
   * colour and every edge maps to an edge. */
  SrResults* const doubled = read_ok(FDX_RESULTS_TSV,
                                     "?s\t?o\n_:a\t_:b\n_:b\t_:c\n_:c\t_:a\n"
                                     "_:a\t_:b\n_:b\t_:c\n_:c\t_:a\n");
  SrResults* const complete = read_ok(FDX_RESULTS_TSV,
                                      "?s\t?o\n_:c\t_:d\n_:d\t_:c\n_:d\t_:e\n"
                                      "_:e\t_:d\n_:e\t_:c\n_:c\t_:e\n");
  CHECK(!equal(doubled, complete, 0));
  CHECK(!equal(complete, doubled, 0));
  CHECK(equal(doubled, doubled, 0));
  sr_results_free(doubled);
  sr_results_free(complete);

  /* Blank nodes mixed with ground terms in big groups. */
  SrResults* const many_a = sr_results_new();
  SrResults* const many_b = sr_results_new();
  REQUIRE(many_a && many_b);
  REQUIRE(!sr_results_add_var(many_a, "x", 1));
  REQUIRE(!sr_results_add_var(many_a, "y", 1));
  REQUIRE(!sr_results_add_var(many_b, "y", 1));
  REQUIRE(!sr_results_add_var(many_b, "x", 1));
  for (size_t i = 0; i < 2000; ++i) {
    char la[32];
    char lb[32];
    snprintf(la, sizeof(la), "a%zu", i / 2);
    snprintf(lb, sizeof(lb), "b%zu", (1999 - i) / 2);
    const FdxTerm ta       = {FDX_TERM_BLANK, la, strlen(la), NULL, 0, NULL, 0};
    const FdxTerm tb       = {FDX_TERM_BLANK, lb, strlen(lb), NULL, 0, NULL, 0};
    const FdxTerm v        = {FDX_TERM_LITERAL, "v", 1, NULL, 0, NULL, 0};
    const FdxTerm* const ra[] = {&ta, &v};
    const FdxTerm* const rb[] = {&v, &tb};
    REQUIRE(!sr_results_add_row(many_a, ra));
    REQUIRE(!sr_results_add_row(many_b, rb));
  }
  CHECK(equal(many_a, many_b, 0));
  SrResults* const all[] = {shared, split,  rows_a,    rows_b, rows_c,
                            cycle,  cycle2, triangles, many_a, many_b};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); ++i) {
    sr_results_free(all[i]);
  }
}

static void
test_csv_way(void)
{
  SrResults* const tsv = read_ok(FDX_RESULTS_TSV,
                                 "?x\t?y\n<http://ex/a>\t\"\"\n"
                                 "\"4\"^^<" XSD "integer>\t_:z\n");
  SrResults* const csv = read_ok(FDX_RESULTS_CSV,
                                 "x,y\r\nhttp://ex/a,\r\n4,_:other\r\n");
  SrResults* const bad = read_ok(FDX_RESULTS_CSV,
                                 "x,y\r\nhttp://ex/a,\r\n4.0,_:other\r\n");
  CHECK(equal(tsv, csv, SR_CMP_CSV));
  CHECK(equal(csv, tsv, SR_CMP_CSV | SR_CMP_ORDERED));
  CHECK(!equal(tsv, csv, 0));
  CHECK(!equal(tsv, bad, SR_CMP_CSV));
  sr_results_free(tsv);
  sr_results_free(csv);
  sr_results_free(bad);
}

static void
test_paths(void)
{
  FdxResultsFormat f = FDX_RESULTS_JSON;
  CHECK(sr_format_from_path("a/b.srx", &f) && f == FDX_RESULTS_XML);
  CHECK(sr_format_from_path("b.SRJ", &f) && f == FDX_RESULTS_JSON);
  CHECK(sr_format_from_path("b.tsv", &f) && f == FDX_RESULTS_TSV);
  CHECK(sr_format_from_path("b.csv", &f) && f == FDX_RESULTS_CSV);
  CHECK(!sr_format_from_path("b.rq", &f));
  CHECK(!sr_format_from_path("dir.srx/b", &f));
  CHECK(!sr_format_from_path("noext", &f));
  SrResults* r = NULL;
  char       why[256];
  CHECK_ST(sr_read_file("/nonexistent/x.srx", FDX_RESULTS_XML, &r, why,
                        sizeof(why)),
           FDX_ERR_IO);
  CHECK(!r);
}

int
main(void)
{
  test_start("test_results_compare");
  test_read_xml();
  test_read_json();
  test_read_tsv();
  test_read_csv();
  test_terms();
  test_shapes();
  test_blank_nodes();
  test_csv_way();
  test_paths();
  return test_finish("test_results_compare");
}
