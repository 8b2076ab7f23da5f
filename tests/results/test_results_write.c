/*
 * test_results_write.c: the SPARQL query results writers
 * (fairdex/sparql_results.h).
 *
 * 1. Format names and media types.
 * 2. Exact bytes for small results in every format: no rows, no variables,
 *    all kinds of term, unbound values, booleans, and strings holding
 *    quotes, commas, tabs, newlines, CR, backslashes, control characters,
 *    NUL, non-ASCII (ä, U+1D11E), ill-formed UTF-8 and XML-illegal
 *    characters, with the substitution count and strict mode.
 * 3. Misuse: bad arguments, bad terms, calls out of order, a failing
 *    callback.
 * 4. Random result sets written, read back with the test readers and
 *    compared (exactly for JSON, XML and TSV, the CSV way for CSV); the
 *    comparator is also checked to see a shuffled, relabelled copy as equal
 *    and a changed copy as different.
 * 5. 1,000,000 rows per format into a callback that counts bytes: no call
 *    bigger than a chunk, every call but the last a full chunk, and after
 *    each row no more than one chunk held back.
 */
#include "sparql_results_read.h"
#include "test_util.h"

#include "fairdex/sparql_results.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSD "http://www.w3.org/2001/XMLSchema#"

static const FdxResultsFormat all_formats[] = {
  FDX_RESULTS_JSON, FDX_RESULTS_XML, FDX_RESULTS_CSV, FDX_RESULTS_TSV};
static const char* const format_names[] = {"JSON", "XML", "CSV", "TSV"};

/* ------------------------------------------------------------------------
 * A sink that keeps what is written
 * --------------------------------------------------------------------- */

typedef struct {
  char*  p;
  size_t n;
  size_t cap;
  size_t calls;
  size_t max_call;
  bool   fail; /* make every call fail */
} Sink;

static int
sink_write(void* const ctx, const char* const bytes, const size_t len)
{
  Sink* const s = (Sink*)ctx;
  ++s->calls;
  if (len > s->max_call) {
    s->max_call = len;
  }
  if (s->fail) {
    return 1;
  }
  if (s->n + len + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->n + len + 1) {
      cap *= 2;
    }
    char* const p = (char*)realloc(s->p, cap);
    REQUIRE(p);
    s->p   = p;
    s->cap = cap;
  }
  memcpy(s->p + s->n, bytes, len);
  s->n += len;
  s->p[s->n] = '\0';
  return 0;
}

static void
sink_reset(Sink* const s)
{
  free(s->p);
  memset(s, 0, sizeof(*s));
}

/* Compare the sink with `want` (`want_len` bytes), saying where they part. */
static bool
sink_is(const Sink* const s,
        const char* const want,
        const size_t      want_len,
        const char* const what)
{
  if (s->n == want_len && (!want_len || !memcmp(s->p, want, want_len))) {
    return true;
  }
  size_t i = 0;
  while (i < s->n && i < want_len && s->p[i] == want[i]) {
    ++i;
  }
  fprintf(stderr,
          "%s: output differs at byte %zu (got %zu bytes, want %zu)\n"
          "--- got from there:\n%.*s\n--- want from there:\n%.*s\n---\n",
          what, i, s->n, want_len, (int)(s->n - i > 200 ? 200 : s->n - i),
          s->p ? s->p + i : "", (int)(want_len - i > 200 ? 200 : want_len - i),
          want + i);
  return false;
}

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

static FdxTerm
iri(const char* const s)
{
  FdxTerm t = {FDX_TERM_IRI, s, strlen(s), NULL, 0, NULL, 0};
  return t;
}

static FdxTerm
blank(const char* const s)
{
  FdxTerm t = {FDX_TERM_BLANK, s, strlen(s), NULL, 0, NULL, 0};
  return t;
}

static FdxTerm
lit_n(const char* const s, const size_t n)
{
  FdxTerm t = {FDX_TERM_LITERAL, s, n, NULL, 0, NULL, 0};
  return t;
}

static FdxTerm
lit(const char* const s)
{
  return lit_n(s, strlen(s));
}

static FdxTerm
lang_lit(const char* const s, const char* const lang)
{
  FdxTerm t = {FDX_TERM_LITERAL, s, strlen(s), lang, strlen(lang), NULL, 0};
  return t;
}

static FdxTerm
typed(const char* const s, const char* const dt)
{
  FdxTerm t = {FDX_TERM_LITERAL, s, strlen(s), NULL, 0, dt, strlen(dt)};
  return t;
}

/* Write a whole SELECT result (rows of n_vars term pointers) to `sink`. */
static FdxStatus
write_select(const FdxResultsFormat   format,
             const char* const* const vars,
             const size_t             n_vars,
             const FdxTerm* const*    rows,
             const size_t             n_rows,
             Sink* const              sink,
             uint64_t* const          ret_replaced)
{
  FdxResultsWriter* w = NULL;
  FdxStatus         st =
    fdx_results_writer_new(format, sink_write, sink, &w);
  if (st) {
    return st;
  }
  st = fdx_results_begin(w, vars, n_vars);
  for (size_t r = 0; !st && r < n_rows; ++r) {
    st = fdx_results_row(w, rows + r * n_vars);
  }
  if (!st) {
    st = fdx_results_end(w);
  }
  if (ret_replaced) {
    *ret_replaced = fdx_results_writer_replaced(w);
  }
  fdx_results_writer_free(w);
  return st;
}

static FdxStatus
write_boolean(const FdxResultsFormat format, const bool value, Sink* const sink)
{
  FdxResultsWriter* w  = NULL;
  FdxStatus         st = fdx_results_writer_new(format, sink_write, sink, &w);
  if (!st) {
    st = fdx_results_boolean(w, value);
  }
  if (!st) {
    st = fdx_results_end(w);
  }
  fdx_results_writer_free(w);
  return st;
}

/* ------------------------------------------------------------------------
 * 1. Names
 * --------------------------------------------------------------------- */

static void
test_names(void)
{
  static const struct {
    const char*      name;
    FdxResultsFormat format;
  } good[] = {
    {"json", FDX_RESULTS_JSON},
    {"JSON", FDX_RESULTS_JSON},
    {"srj", FDX_RESULTS_JSON},
    {"application/sparql-results+json", FDX_RESULTS_JSON},
    {"Application/SPARQL-Results+JSON; charset=utf-8", FDX_RESULTS_JSON},
    {"xml", FDX_RESULTS_XML},
    {"srx", FDX_RESULTS_XML},
    {" application/sparql-results+xml ", FDX_RESULTS_XML},
    {"csv", FDX_RESULTS_CSV},
    {"text/csv;charset=utf-8", FDX_RESULTS_CSV},
    {"tsv", FDX_RESULTS_TSV},
    {"text/tab-separated-values ; charset=UTF-8", FDX_RESULTS_TSV},
  };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); ++i) {
    FdxResultsFormat f = (FdxResultsFormat)99;
    CHECK_ST(fdx_results_format_from_name(good[i].name, &f), FDX_SUCCESS);
    CHECK(f == good[i].format);
  }
  static const char* const bad[] = {
    "", "js", "jsonx", "application/json", "text/xml", "text/plain", ";csv"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    FdxResultsFormat f = (FdxResultsFormat)99;
    CHECK_ST(fdx_results_format_from_name(bad[i], &f), FDX_FAILURE);
    CHECK(f == (FdxResultsFormat)99);
  }
  FdxResultsFormat f = FDX_RESULTS_JSON;
  CHECK_ST(fdx_results_format_from_name(NULL, &f), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_results_format_from_name("json", NULL), FDX_ERR_BAD_ARG);

  CHECK(!strcmp(fdx_results_media_type(FDX_RESULTS_JSON),
                "application/sparql-results+json"));
  CHECK(!strcmp(fdx_results_media_type(FDX_RESULTS_XML),
                "application/sparql-results+xml"));
  CHECK(!strcmp(fdx_results_media_type(FDX_RESULTS_CSV), "text/csv"));
  CHECK(!strcmp(fdx_results_media_type(FDX_RESULTS_TSV),
                "text/tab-separated-values"));
  CHECK(!strcmp(fdx_results_media_type((FdxResultsFormat)7),
                "application/octet-stream"));
  CHECK(!strcmp(fdx_results_content_type(FDX_RESULTS_JSON),
                "application/sparql-results+json"));
  CHECK(!strcmp(fdx_results_content_type(FDX_RESULTS_CSV),
                "text/csv; charset=utf-8"));
  CHECK(!strcmp(fdx_results_content_type(FDX_RESULTS_TSV),
                "text/tab-separated-values; charset=utf-8"));
  /* Every media type names its own format. */
  for (size_t i = 0; i < 4; ++i) {
    FdxResultsFormat g = (FdxResultsFormat)99;
    CHECK_ST(fdx_results_format_from_name(
               fdx_results_content_type(all_formats[i]), &g),
             FDX_SUCCESS);
    CHECK(g == all_formats[i]);
  }
}

/* ------------------------------------------------------------------------
 * 2. Exact output
 * --------------------------------------------------------------------- */

#define XML_HEAD                             \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n"

static void
test_empty(void)
{
  static const char* const vars[] = {"s"};
  Sink                     sink   = {0};

  /* One variable, no rows. */
  static const char* const want1[] = {
    "{\"head\":{\"vars\":[\"s\"]},\n\"results\":{\"bindings\":[\n]}}\n",
    XML_HEAD "  <head>\n    <variable name=\"s\"/>\n  </head>\n"
             "  <results>\n  </results>\n</sparql>\n",
    "s\r\n",
    "?s\n",
  };
  /* No variables, no rows. */
  static const char* const want0[] = {
    "{\"head\":{\"vars\":[]},\n\"results\":{\"bindings\":[\n]}}\n",
    XML_HEAD "  <head/>\n  <results>\n  </results>\n</sparql>\n",
    "\r\n",
    "\n",
  };
  /* No variables, one (empty) row: SELECT * {} */
  static const char* const want01[] = {
    "{\"head\":{\"vars\":[]},\n\"results\":{\"bindings\":[\n{}\n]}}\n",
    XML_HEAD "  <head/>\n  <results>\n    <result>\n    </result>\n"
             "  </results>\n</sparql>\n",
    "\r\n\r\n",
    "\n\n",
  };
  for (size_t i = 0; i < 4; ++i) {
    CHECK_ST(write_select(all_formats[i], vars, 1, NULL, 0, &sink, NULL),
             FDX_SUCCESS);
    CHECK(sink_is(&sink, want1[i], strlen(want1[i]), format_names[i]));
    sink_reset(&sink);
    CHECK_ST(write_select(all_formats[i], NULL, 0, NULL, 0, &sink, NULL),
             FDX_SUCCESS);
    CHECK(sink_is(&sink, want0[i], strlen(want0[i]), format_names[i]));
    sink_reset(&sink);
    FdxResultsWriter* w = NULL;
    CHECK_ST(fdx_results_writer_new(all_formats[i], sink_write, &sink, &w),
             FDX_SUCCESS);
    CHECK_ST(fdx_results_begin(w, NULL, 0), FDX_SUCCESS);
    CHECK_ST(fdx_results_row(w, NULL), FDX_SUCCESS);
    CHECK_ST(fdx_results_end(w), FDX_SUCCESS);
    CHECK(fdx_results_writer_rows(w) == 1);
    fdx_results_writer_free(w);
    CHECK(sink_is(&sink, want01[i], strlen(want01[i]), format_names[i]));
    sink_reset(&sink);
  }
}

static void
test_booleans(void)
{
  static const char* const want_true[] = {
    "{\"head\":{},\"boolean\":true}\n",
    XML_HEAD "  <head/>\n  <boolean>true</boolean>\n</sparql>\n",
    "_askResult\r\ntrue\r\n",
    "?_askResult\ntrue\n",
  };
  static const char* const want_false[] = {
    "{\"head\":{},\"boolean\":false}\n",
    XML_HEAD "  <head/>\n  <boolean>false</boolean>\n</sparql>\n",
    "_askResult\r\nfalse\r\n",
    "?_askResult\nfalse\n",
  };
  Sink sink = {0};
  for (size_t i = 0; i < 4; ++i) {
    CHECK_ST(write_boolean(all_formats[i], true, &sink), FDX_SUCCESS);
    CHECK(sink_is(&sink, want_true[i], strlen(want_true[i]), format_names[i]));
    SrResults* r = NULL;
    CHECK_ST(sr_read_bytes(all_formats[i], sink.p, sink.n, &r, NULL, 0),
             FDX_SUCCESS);
    CHECK(r && r->is_boolean && r->boolean);
    sr_results_free(r);
    sink_reset(&sink);
    CHECK_ST(write_boolean(all_formats[i], false, &sink), FDX_SUCCESS);
    CHECK(
      sink_is(&sink, want_false[i], strlen(want_false[i]), format_names[i]));
    r = NULL;
    CHECK_ST(sr_read_bytes(all_formats[i], sink.p, sink.n, &r, NULL, 0),
             FDX_SUCCESS);
    CHECK(r && r->is_boolean && !r->boolean);
    sr_results_free(r);
    sink_reset(&sink);
  }
}

static void
test_small(void)
{
  static const char* const vars[] = {"s", "o", "x"};
  const FdxTerm            a      = iri("http://ex/a");
  const FdxTerm            chat   = lang_lit("chat", "fr");
  const FdxTerm            b0     = blank("b0");
  const FdxTerm            n42    = typed("42", XSD "integer");
  const FdxTerm            q      = lit("a,b\"c");
  const FdxTerm            sp     = iri("http://ex/a b");
  const FdxTerm            xs     = typed("x", XSD "string");
  const FdxTerm            dec    = typed("2.5", XSD "decimal");
  const FdxTerm* const     rows[] = {
    &a, &chat, NULL, &b0, &n42, &q, NULL, NULL, NULL, &sp, &xs, &dec};

  static const char json[] =
    "{\"head\":{\"vars\":[\"s\",\"o\",\"x\"]},\n"
    "\"results\":{\"bindings\":[\n"
    "{\"s\":{\"type\":\"uri\",\"value\":\"http://ex/a\"},"
    "\"o\":{\"type\":\"literal\",\"value\":\"chat\",\"xml:lang\":\"fr\"}},\n"
    "{\"s\":{\"type\":\"bnode\",\"value\":\"b0\"},"
    "\"o\":{\"type\":\"literal\",\"value\":\"42\","
    "\"datatype\":\"http://www.w3.org/2001/XMLSchema#integer\"},"
    "\"x\":{\"type\":\"literal\",\"value\":\"a,b\\\"c\"}},\n"
    "{},\n"
    "{\"s\":{\"type\":\"uri\",\"value\":\"http://ex/a b\"},"
    "\"o\":{\"type\":\"literal\",\"value\":\"x\"},"
    "\"x\":{\"type\":\"literal\",\"value\":\"2.5\","
    "\"datatype\":\"http://www.w3.org/2001/XMLSchema#decimal\"}}\n"
    "]}}\n";
  static const char xml[] =
    XML_HEAD
    "  <head>\n"
    "    <variable name=\"s\"/>\n"
    "    <variable name=\"o\"/>\n"
    "    <variable name=\"x\"/>\n"
    "  </head>\n"
    "  <results>\n"
    "    <result>\n"
    "      <binding name=\"s\"><uri>http://ex/a</uri></binding>\n"
    "      <binding name=\"o\"><literal xml:lang=\"fr\">chat</literal>"
    "</binding>\n"
    "    </result>\n"
    "    <result>\n"
    "      <binding name=\"s\"><bnode>b0</bnode></binding>\n"
    "      <binding name=\"o\"><literal datatype=\"http://www.w3.org/2001/"
    "XMLSchema#integer\">42</literal></binding>\n"
    "      <binding name=\"x\"><literal>a,b\"c</literal></binding>\n"
    "    </result>\n"
    "    <result>\n"
    "    </result>\n"
    "    <result>\n"
    "      <binding name=\"s\"><uri>http://ex/a b</uri></binding>\n"
    "      <binding name=\"o\"><literal>x</literal></binding>\n"
    "      <binding name=\"x\"><literal datatype=\"http://www.w3.org/2001/"
    "XMLSchema#decimal\">2.5</literal></binding>\n"
    "    </result>\n"
    "  </results>\n"
    "</sparql>\n";
  static const char csv[] = "s,o,x\r\n"
                            "http://ex/a,chat,\r\n"
                            "_:b0,42,\"a,b\"\"c\"\r\n"
                            ",,\r\n"
                            "http://ex/a b,x,2.5\r\n";
  static const char tsv[] = "?s\t?o\t?x\n"
                            "<http://ex/a>\t\"chat\"@fr\t\n"
                            "_:b0\t42\t\"a,b\\\"c\"\n"
                            "\t\t\n"
                            "<http://ex/a\\u0020b>\t\"x\"\t2.5\n";
  const char* const want[]     = {json, xml, csv, tsv};
  const size_t      want_len[] = {sizeof(json) - 1, sizeof(xml) - 1,
                                  sizeof(csv) - 1, sizeof(tsv) - 1};
  Sink              sink       = {0};
  for (size_t i = 0; i < 4; ++i) {
    uint64_t replaced = 9;
    CHECK_ST(write_select(all_formats[i], vars, 3, rows, 4, &sink, &replaced),
             FDX_SUCCESS);
    CHECK(sink_is(&sink, want[i], want_len[i], format_names[i]));
    CHECK(replaced == 0);
    /* The readers give the same rows back. */
    SrResults* r = NULL;
    char       why[512];
    CHECK_ST(sr_read_bytes(all_formats[i], sink.p, sink.n, &r, why,
                           sizeof(why)),
             FDX_SUCCESS);
    if (r) {
      CHECK(r->n_vars == 3 && r->n_rows == 4);
      CHECK(!sr_results_get(r, 2, 0) && !sr_results_get(r, 2, 2));
    }
    sr_results_free(r);
    sink_reset(&sink);
  }
}

/* One literal with every awkward character, and awkward datatypes and
 * labels. */
static void
test_escapes(void)
{
  static const char value[] = "q\"c,t\tn\nr\rb\\z\x01\x1F\x7F"
                              "\xC3\xA4"
                              "\xF0\x9D\x84\x9E"
                              "\0end";
  static const char* const vars[] = {"v", "d", "b"};
  const FdxTerm            hard   = lit_n(value, sizeof(value) - 1);
  const FdxTerm            dt     = typed("1", "http://ex/d\"t<&>\t\n\r|");
  const FdxTerm            bad    = blank("a b");
  const FdxTerm            dash   = blank("-x.");
  const FdxTerm            dot    = blank("b.1");
  const FdxTerm* const     rows[] = {&hard, &dt, &bad, NULL, NULL, &dash,
                                     NULL, NULL, &dot};

  static const char json[] =
    "{\"head\":{\"vars\":[\"v\",\"d\",\"b\"]},\n"
    "\"results\":{\"bindings\":[\n"
    "{\"v\":{\"type\":\"literal\",\"value\":\"q\\\"c,t\\tn\\nr\\rb\\\\z"
    "\\u0001\\u001F\x7F\xC3\xA4\xF0\x9D\x84\x9E\\u0000end\"},"
    "\"d\":{\"type\":\"literal\",\"value\":\"1\","
    "\"datatype\":\"http://ex/d\\\"t<&>\\t\\n\\r|\"},"
    "\"b\":{\"type\":\"bnode\",\"value\":\"a b\"}},\n"
    "{\"b\":{\"type\":\"bnode\",\"value\":\"-x.\"}},\n"
    "{\"b\":{\"type\":\"bnode\",\"value\":\"b.1\"}}\n"
    "]}}\n";
  static const char xml[] =
    XML_HEAD
    "  <head>\n"
    "    <variable name=\"v\"/>\n"
    "    <variable name=\"d\"/>\n"
    "    <variable name=\"b\"/>\n"
    "  </head>\n"
    "  <results>\n"
    "    <result>\n"
    "      <binding name=\"v\"><literal>q\"c,t\tn\nr&#xD;b\\z"
    "\xEF\xBF\xBD\xEF\xBF\xBD\x7F\xC3\xA4\xF0\x9D\x84\x9E\xEF\xBF\xBD"
    "end</literal></binding>\n"
    "      <binding name=\"d\"><literal datatype=\"http://ex/d&quot;t&lt;"
    "&amp;&gt;&#x9;&#xA;&#xD;|\">1</literal></binding>\n"
    "      <binding name=\"b\"><bnode>a b</bnode></binding>\n"
    "    </result>\n"
    "    <result>\n"
    "      <binding name=\"b\"><bnode>-x.</bnode></binding>\n"
    "    </result>\n"
    "    <result>\n"
    "      <binding name=\"b\"><bnode>b.1</bnode></binding>\n"
    "    </result>\n"
    "  </results>\n"
    "</sparql>\n";
  static const char csv[] = "v,d,b\r\n"
                            "\"q\"\"c,t\tn\nr\rb\\z\x01\x1F\x7F"
                            "\xC3\xA4"
                            "\xF0\x9D\x84\x9E"
                            "\0end\",1,_:a b\r\n"
                            ",,_:-x.\r\n"
                            ",,_:b.1\r\n";
  static const char tsv[] = "?v\t?d\t?b\n"
                            "\"q\\\"c,t\\tn\\nr\\rb\\\\z\\u0001\\u001F\\u007F"
                            "\xC3\xA4"
                            "\xF0\x9D\x84\x9E"
                            "\\u0000end\"\t\"1\"^^<http://ex/d\\u0022t"
                            "\\u003C&\\u003E\\u0009\\u000A\\u000D"
                            "\\u007C>\t_:ax20b\n"
                            "\t\t_:x2Dxx2E\n"
                            "\t\t_:b.1\n";
  const char* const want[]     = {json, xml, csv, tsv};
  const size_t      want_len[] = {sizeof(json) - 1, sizeof(xml) - 1,
                                  sizeof(csv) - 1, sizeof(tsv) - 1};
  /* XML loses \x01, \x1F and NUL; TSV rewrites two labels, one in row 1. */
  const uint64_t want_replaced[] = {0, 3, 0, 2};
  const uint64_t want_row1[]     = {0, 3, 0, 1};
  Sink           sink            = {0};
  for (size_t i = 0; i < 4; ++i) {
    uint64_t replaced = 99;
    CHECK_ST(write_select(all_formats[i], vars, 3, rows, 3, &sink, &replaced),
             FDX_SUCCESS);
    CHECK(sink_is(&sink, want[i], want_len[i], format_names[i]));
    CHECK(replaced == want_replaced[i]);
    sink_reset(&sink);
  }

  /* The same row in strict mode: refused, with nothing written, where
   * something would be replaced. */
  for (size_t i = 0; i < 4; ++i) {
    FdxResultsWriter* w = NULL;
    CHECK_ST(fdx_results_writer_new(all_formats[i], sink_write, &sink, &w),
             FDX_SUCCESS);
    CHECK_ST(fdx_results_writer_set_strict(w, true), FDX_SUCCESS);
    CHECK_ST(fdx_results_begin(w, vars, 3), FDX_SUCCESS);
    CHECK_ST(fdx_results_flush(w), FDX_SUCCESS);
    const size_t before = sink.n;
    CHECK_ST(fdx_results_row(w, rows),
             want_row1[i] ? FDX_ERR_UNSUPPORTED : FDX_SUCCESS);
    CHECK_ST(fdx_results_flush(w), FDX_SUCCESS);
    CHECK((sink.n == before) == (want_row1[i] != 0));
    CHECK(fdx_results_writer_replaced(w) == 0);
    CHECK(fdx_results_writer_rows(w) == (want_row1[i] ? 0u : 1u));
    /* The rows that need no substitution still go. */
    CHECK_ST(fdx_results_row(w, rows + 6), FDX_SUCCESS);
    CHECK_ST(fdx_results_writer_set_strict(w, false), FDX_SUCCESS);
    CHECK_ST(fdx_results_row(w, rows), FDX_SUCCESS);
    CHECK(fdx_results_writer_replaced(w) == want_row1[i]);
    CHECK_ST(fdx_results_end(w), FDX_SUCCESS);
    fdx_results_writer_free(w);
    sink_reset(&sink);
  }
}

/* Ill-formed UTF-8 becomes U+FFFD, one per maximal ill-formed subpart;
 * U+FFFE is legal everywhere but in XML. */
static void
test_bad_utf8(void)
{
  static const char        bytes[] = "a\xC3(b\xC0\xAF\xED\xA0\x80"
                                     "\xE0\x80\xAF\xF4\x90\x80\x80\xE2\x82";
  static const char* const vars[]  = {"v"};
  const FdxTerm            t       = lit_n(bytes, sizeof(bytes) - 1);
  const FdxTerm            fffe    = lit("x\xEF\xBF\xBEy");
  const FdxTerm* const     rows[]  = {&t, &fffe};
#define R "\xEF\xBF\xBD"
#define R13 R R R R R R R R R R R R R
  static const char json[] =
    "{\"head\":{\"vars\":[\"v\"]},\n\"results\":{\"bindings\":[\n"
    "{\"v\":{\"type\":\"literal\",\"value\":\"a" R "(b" R13 "\"}},\n"
    "{\"v\":{\"type\":\"literal\",\"value\":\"x\xEF\xBF\xBEy\"}}\n"
    "]}}\n";
  static const char xml[] =
    XML_HEAD "  <head>\n    <variable name=\"v\"/>\n  </head>\n"
             "  <results>\n"
             "    <result>\n"
             "      <binding name=\"v\"><literal>a" R "(b" R13
             "</literal></binding>\n"
             "    </result>\n"
             "    <result>\n"
             "      <binding name=\"v\"><literal>x" R "y</literal>"
             "</binding>\n"
             "    </result>\n"
             "  </results>\n</sparql>\n";
  static const char csv[] =
    "v\r\na" R "(b" R13 "\r\nx\xEF\xBF\xBEy\r\n";
  static const char tsv[] =
    "?v\n\"a" R "(b" R13 "\"\n\"x\xEF\xBF\xBEy\"\n";
#undef R13
#undef R
  const char* const want[]     = {json, xml, csv, tsv};
  const size_t      want_len[] = {sizeof(json) - 1, sizeof(xml) - 1,
                                  sizeof(csv) - 1, sizeof(tsv) - 1};
  const uint64_t    want_rep[] = {14, 15, 14, 14};
  Sink              sink       = {0};
  for (size_t i = 0; i < 4; ++i) {
    uint64_t replaced = 0;
    CHECK_ST(write_select(all_formats[i], vars, 1, rows, 2, &sink, &replaced),
             FDX_SUCCESS);
    CHECK(sink_is(&sink, want[i], want_len[i], format_names[i]));
    CHECK(replaced == want_rep[i]);
    sink_reset(&sink);
  }
}

/* ------------------------------------------------------------------------
 * 3. Misuse
 * --------------------------------------------------------------------- */

static void
test_misuse(void)
{
  Sink              sink = {0};
  FdxResultsWriter* w    = NULL;
  CHECK_ST(fdx_results_writer_new((FdxResultsFormat)4, sink_write, &sink, &w),
           FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_results_writer_new(FDX_RESULTS_JSON, NULL, &sink, &w),
           FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_results_writer_new(FDX_RESULTS_JSON, sink_write, &sink, NULL),
           FDX_ERR_BAD_ARG);
  CHECK(!w);
  CHECK_ST(fdx_results_writer_set_strict(NULL, true), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_results_begin(NULL, NULL, 0), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_results_row(NULL, NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_results_boolean(NULL, true), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_results_flush(NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_results_end(NULL), FDX_ERR_BAD_ARG);
  CHECK(fdx_results_writer_rows(NULL) == 0);
  CHECK(fdx_results_writer_replaced(NULL) == 0);
  fdx_results_writer_free(NULL);

  for (size_t f = 0; f < 4; ++f) {
    w = NULL;
    CHECK_ST(fdx_results_writer_new(all_formats[f], sink_write, &sink, &w),
             FDX_SUCCESS);
    REQUIRE(w);
    /* Out of order before the start. */
    CHECK_ST(fdx_results_row(w, NULL), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_end(w), FDX_ERR_BAD_ARG);

    /* Bad names leave the writer as it was. */
    static const char* const empty[]  = {"a", ""};
    static const char* const dash[]   = {"a-b"};
    static const char* const space[]  = {"a b"};
    static const char* const quote[]  = {"a\"b"};
    static const char* const twice[]  = {"x", "y", "x"};
    static const char* const nul[]    = {"x", NULL};
    static const char* const badutf[] = {"a\xC3"};
    CHECK_ST(fdx_results_begin(w, empty, 2), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_begin(w, dash, 1), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_begin(w, space, 1), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_begin(w, quote, 1), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_begin(w, twice, 3), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_begin(w, nul, 2), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_begin(w, badutf, 1), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_begin(w, NULL, 1), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_flush(w), FDX_SUCCESS);
    CHECK(sink.n == 0);

    static const char* const vars[] = {"x_1", "\xC3\xA4nd", "Y"};
    CHECK_ST(fdx_results_begin(w, vars, 3), FDX_SUCCESS);
    CHECK_ST(fdx_results_begin(w, vars, 3), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_boolean(w, true), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_flush(w), FDX_SUCCESS);
    const size_t head = sink.n;

    /* Bad terms: refused before anything of the row is written. */
    const FdxTerm good     = iri("http://ex/a");
    FdxTerm       kind0    = iri("http://ex/a");
    FdxTerm       kind9    = iri("http://ex/a");
    FdxTerm       nullval  = lit("x");
    FdxTerm       empty_b  = blank("");
    FdxTerm       both     = typed("x", XSD "string");
    FdxTerm       badlang  = lang_lit("x", "e n");
    FdxTerm       digit1   = lang_lit("x", "1en");
    FdxTerm       dash1    = lang_lit("x", "-en");
    FdxTerm       dash2    = lang_lit("x", "en--gb");
    FdxTerm       dash3    = lang_lit("x", "en-");
    FdxTerm       nulllang = lit("x");
    kind0.kind             = (FdxTermKind)0;
    kind9.kind             = (FdxTermKind)9;
    nullval.value          = NULL;
    both.lang              = "en";
    both.lang_len          = 2;
    nulllang.lang_len      = 2;
    const FdxTerm* const bad_terms[] = {
      &kind0, &kind9,  &nullval, &empty_b, &both, &badlang,
      &nulllang, &digit1, &dash1, &dash2, &dash3};
    for (size_t i = 0; i < sizeof(bad_terms) / sizeof(bad_terms[0]); ++i) {
      const FdxTerm* const row[] = {&good, NULL, bad_terms[i]};
      CHECK_ST(fdx_results_row(w, row), FDX_ERR_BAD_ARG);
    }
    CHECK_ST(fdx_results_row(w, NULL), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_flush(w), FDX_SUCCESS);
    CHECK(sink.n == head);
    CHECK(fdx_results_writer_rows(w) == 0);

    /* A language tag or datatype of length 0 counts as absent, and a
     * NULL value of length 0 is the empty string. */
    FdxTerm nolang = lang_lit("x", "");
    FdxTerm nodt   = typed("y", "");
    FdxTerm nothing = lit_n(NULL, 0);
    nodt.datatype   = "ignored";
    const FdxTerm* const plain_row[] = {&nolang, &nodt, &nothing};
    CHECK_ST(fdx_results_row(w, plain_row), FDX_SUCCESS);
    CHECK(fdx_results_writer_rows(w) == 1);
    CHECK_ST(fdx_results_end(w), FDX_SUCCESS);
    CHECK_ST(fdx_results_end(w), FDX_ERR_BAD_ARG);
    CHECK_ST(fdx_results_row(w, plain_row), FDX_ERR_BAD_ARG);
    fdx_results_writer_free(w);

    /* Read it back: three simple literals, the last one empty (unbound
     * in CSV, which cannot tell them apart). */
    SrResults* r = NULL;
    CHECK_ST(sr_read_bytes(all_formats[f], sink.p, sink.n, &r, NULL, 0),
             FDX_SUCCESS);
    if (r) {
      CHECK(r->n_rows == 1 && r->n_vars == 3);
      CHECK(!strcmp(r->vars[1], "\xC3\xA4nd"));
      const FdxTerm* const t0 = sr_results_get(r, 0, 0);
      const FdxTerm* const t1 = sr_results_get(r, 0, 1);
      const FdxTerm* const t2 = sr_results_get(r, 0, 2);
      CHECK(t0 && t0->kind == FDX_TERM_LITERAL && !t0->lang_len &&
            !t0->datatype_len);
      CHECK(t1 && t1->kind == FDX_TERM_LITERAL && !t1->datatype_len);
      if (all_formats[f] == FDX_RESULTS_CSV) {
        CHECK(!t2);
      } else {
        CHECK(t2 && t2->kind == FDX_TERM_LITERAL && t2->value_len == 0);
      }
    }
    sr_results_free(r);
    sink_reset(&sink);
  }

  /* A failing callback: found at the first flush, then sticky. */
  for (size_t f = 0; f < 4; ++f) {
    static const char* const vars[] = {"v"};
    sink.fail                       = true;
    CHECK_ST(write_select(all_formats[f], vars, 1, NULL, 0, &sink, NULL),
             FDX_ERR_IO);
    CHECK_ST(write_boolean(all_formats[f], true, &sink), FDX_ERR_IO);

    char* const big = (char*)malloc(3 * FDX_RESULTS_CHUNK);
    REQUIRE(big);
    memset(big, 'x', 3 * FDX_RESULTS_CHUNK);
    const FdxTerm        t     = lit_n(big, 3 * FDX_RESULTS_CHUNK);
    const FdxTerm* const row[] = {&t};
    w                          = NULL;
    CHECK_ST(fdx_results_writer_new(all_formats[f], sink_write, &sink, &w),
             FDX_SUCCESS);
    CHECK_ST(fdx_results_begin(w, vars, 1), FDX_SUCCESS);
    const size_t calls = sink.calls;
    CHECK_ST(fdx_results_row(w, row), FDX_ERR_IO);
    CHECK(sink.calls == calls + 1); /* nothing more after the failure */
    CHECK_ST(fdx_results_row(w, row), FDX_ERR_IO);
    CHECK_ST(fdx_results_flush(w), FDX_ERR_IO);
    CHECK_ST(fdx_results_end(w), FDX_ERR_IO);
    CHECK(sink.calls == calls + 1);
    fdx_results_writer_free(w);
    free(big);
    sink_reset(&sink);
  }

  /* A writer freed half way. */
  w = NULL;
  CHECK_ST(fdx_results_writer_new(FDX_RESULTS_XML, sink_write, &sink, &w),
           FDX_SUCCESS);
  static const char* const one[] = {"v"};
  CHECK_ST(fdx_results_begin(w, one, 1), FDX_SUCCESS);
  fdx_results_writer_free(w);
  CHECK(sink.n == 0);
  sink_reset(&sink);
}

/* ------------------------------------------------------------------------
 * 4. Random round trips
 * --------------------------------------------------------------------- */

static const char* const pieces[] = {
  "a", "Z", "0", "9", " ", "\"", "'", ",", ";", "\t", "\n", "\r", "\r\n",
  "\\", "<", ">", "&", "{", "^", "`", "|", "%", "@", ".", "-", "_:", "]]>",
  "\x7F", "\xC3\xA4", "\xE2\x82\xAC", "\xF0\x9D\x84\x9E", "\xE2\x80\xA8",
  "true", "12", "e5",
  /* From here on, not in XML. */
  "\x01", "\x1F", "\x0B", "\xEF\xBF\xBE",
  /* NUL last: its length is 1, not strlen. */
  ""};
#define N_PIECES     (sizeof(pieces) / sizeof(pieces[0]))
#define N_XML_PIECES (N_PIECES - 5)

static size_t
random_text(char* const buf, const size_t max, const bool xml_safe)
{
  const size_t n_pieces = (size_t)rng_below(9);
  size_t       n        = 0;
  for (size_t i = 0; i < n_pieces; ++i) {
    const size_t k   = (size_t)rng_below(xml_safe ? N_XML_PIECES : N_PIECES);
    const size_t len = k == N_PIECES - 1 ? 1 : strlen(pieces[k]);
    if (n + len < max) {
      memcpy(buf + n, pieces[k], len);
      n += len;
    }
  }
  return n;
}

static const char* const labels[] = {"b0",     "b1",         "b2",  "x",
                                     "node_7", "n\xC3\xA9", "a.b", "B"};
static const char* const langs[]  = {"en", "EN-gb", "fr", "de-CH-1996", "x"};
static const char* const dts[]    = {XSD "integer", XSD "decimal",
                                     XSD "double",  XSD "boolean",
                                     XSD "string",  "http://ex/dt",
                                     "http://ex/d t\"<>", XSD "date",
                                     "http://ex/\t\n\r&"};
static const char* const numbers[] = {"42", "-7", "+3", "01", "2.5", ".5",
                                      "1.", "1e3", "1.0E-6", "-.5e+2", "INF",
                                      "NaN", "abc", "", "1 "};

/* A random term of any kind; strings are written into `buf`. */
static FdxTerm
random_term(char* const buf, const size_t size, const bool xml_safe)
{
  FdxTerm t = {FDX_TERM_LITERAL, buf, 0, NULL, 0, NULL, 0};
  switch (rng_below(6)) {
  case 0:
    memcpy(buf, "http://ex/", 10);
    t.kind      = FDX_TERM_IRI;
    t.value_len = 10 + random_text(buf + 10, size - 10, xml_safe);
    break;
  case 1:
    t = blank(labels[rng_below(sizeof(labels) / sizeof(labels[0]))]);
    break;
  case 2:
    t.value_len = random_text(buf, size, xml_safe);
    break;
  case 3:
    t.value_len = random_text(buf, size, xml_safe);
    t.lang      = langs[rng_below(sizeof(langs) / sizeof(langs[0]))];
    t.lang_len  = strlen(t.lang);
    break;
  default:
    if (rng_below(2)) {
      const char* const n = numbers[rng_below(sizeof(numbers) /
                                              sizeof(numbers[0]))];
      t.value_len         = strlen(n);
      memcpy(buf, n, t.value_len);
    } else {
      t.value_len = random_text(buf, size, xml_safe);
    }
    t.datatype     = dts[rng_below(sizeof(dts) / sizeof(dts[0]))];
    t.datatype_len = strlen(t.datatype);
    break;
  }
  return t;
}

static SrResults*
random_results(const bool xml_safe)
{
  SrResults* const r = sr_results_new();
  REQUIRE(r);
  static const char* const names[] = {"s", "p", "o", "g", "\xC3\xA4",
                                      "long_name_9"};
  const size_t             n_vars  = (size_t)rng_below(7);
  for (size_t v = 0; v < n_vars; ++v) {
    REQUIRE(!sr_results_add_var(r, names[v], strlen(names[v])));
  }
  const size_t n_rows = (size_t)rng_below(60);
  char         bufs[6][400];
  for (size_t row = 0; row < n_rows; ++row) {
    FdxTerm        terms[6];
    const FdxTerm* ptrs[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    for (size_t v = 0; v < n_vars; ++v) {
      if (rng_below(5)) {
        terms[v] = random_term(bufs[v], sizeof(bufs[v]), xml_safe);
        ptrs[v]  = &terms[v];
      }
    }
    REQUIRE(!sr_results_add_row(r, ptrs));
  }
  return r;
}

/* A copy with rows shuffled and blank nodes renamed (or, with `change`,
 * one bound cell's value changed). */
static SrResults*
shuffled_copy(const SrResults* const r, const bool change)
{
  SrResults* const c = sr_results_new();
  REQUIRE(c);
  for (size_t v = 0; v < r->n_vars; ++v) {
    REQUIRE(!sr_results_add_var(c, r->vars[v], strlen(r->vars[v])));
  }
  size_t* const perm = (size_t*)calloc(r->n_rows + 1, sizeof(size_t));
  REQUIRE(perm);
  for (size_t i = 0; i < r->n_rows; ++i) {
    perm[i] = i;
  }
  for (size_t i = r->n_rows; i > 1; --i) {
    const size_t j = (size_t)rng_below(i);
    const size_t t = perm[i - 1];
    perm[i - 1]    = perm[j];
    perm[j]        = t;
  }
  bool changed = false;
  for (size_t i = 0; i < r->n_rows; ++i) {
    FdxTerm        terms[6];
    const FdxTerm* ptrs[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    char           labels_buf[6][64];
    for (size_t v = 0; v < r->n_vars; ++v) {
      const FdxTerm* const t = sr_results_get(r, perm[i], v);
      if (!t) {
        continue;
      }
      terms[v] = *t;
      ptrs[v]  = &terms[v];
      if (t->kind == FDX_TERM_BLANK) {
        snprintf(labels_buf[v], sizeof(labels_buf[v]), "renamed_%.*s",
                 (int)t->value_len, t->value);
        terms[v].value     = labels_buf[v];
        terms[v].value_len = strlen(labels_buf[v]);
      } else if (change && !changed) {
        terms[v].value     = "changed value";
        terms[v].value_len = 13;
        changed            = true;
      }
    }
    REQUIRE(!sr_results_add_row(c, ptrs));
  }
  free(perm);
  if (change && !changed) {
    sr_results_free(c);
    return NULL;
  }
  return c;
}

static void
test_random(void)
{
  const size_t n_sets = 300;
  size_t       round_trips[4] = {0, 0, 0, 0};
  for (size_t set = 0; set < n_sets; ++set) {
    const bool       xml_safe = rng_below(2);
    SrResults* const r        = random_results(xml_safe);
    for (size_t f = 0; f < 4; ++f) {
      if (all_formats[f] == FDX_RESULTS_XML && !xml_safe) {
        continue;
      }
      Sink sink = {0};
      CHECK_ST(sr_results_write(r, all_formats[f], sink_write, &sink),
               FDX_SUCCESS);
      SrResults* back = NULL;
      char       why[1024];
      const FdxStatus st =
        sr_read_bytes(all_formats[f], sink.p, sink.n, &back, why, sizeof(why));
      CHECK_ST(st, FDX_SUCCESS);
      if (st) {
        fprintf(stderr, "set %zu, %s: %s\n", set, format_names[f], why);
      }
      const unsigned flags =
        SR_CMP_ORDERED | (all_formats[f] == FDX_RESULTS_CSV ? SR_CMP_CSV : 0);
      if (back) {
        const bool eq = sr_results_equal(r, back, flags, why, sizeof(why));
        CHECK(eq);
        if (!eq) {
          fprintf(stderr, "set %zu, %s: %s\n", set, format_names[f], why);
        }
        round_trips[f] += eq;
      }
      sr_results_free(back);
      sink_reset(&sink);
    }

    /* The comparator: order and blank node names do not matter, values
     * do. */
    char             why[1024];
    SrResults* const same = shuffled_copy(r, false);
    CHECK(sr_results_equal(r, same, 0, why, sizeof(why)));
    CHECK(sr_results_equal(same, r, 0, why, sizeof(why)));
    CHECK(sr_results_equal(r, same, SR_CMP_CSV, why, sizeof(why)));
    sr_results_free(same);
    SrResults* const other = shuffled_copy(r, true);
    if (other) {
      CHECK(!sr_results_equal(r, other, 0, why, sizeof(why)));
      CHECK(why[0] != '\0');
    }
    sr_results_free(other);
    sr_results_free(r);
  }
  printf("random: %zu sets; round trips JSON %zu, XML %zu, CSV %zu, TSV %zu\n",
         n_sets, round_trips[0], round_trips[1], round_trips[2],
         round_trips[3]);
}

/* ------------------------------------------------------------------------
 * 5. A million rows
 * --------------------------------------------------------------------- */

typedef struct {
  uint64_t bytes;
  uint64_t calls;
  uint64_t short_calls; /* calls of less than a chunk */
  size_t   max_call;
} Counter;

static int
count_write(void* const ctx, const char* const bytes, const size_t len)
{
  Counter* const c = (Counter*)ctx;
  (void)bytes;
  c->bytes += len;
  ++c->calls;
  c->short_calls += len < FDX_RESULTS_CHUNK;
  if (len > c->max_call) {
    c->max_call = len;
  }
  return 0;
}

/* Row `i`: three terms of fixed width, so that every row but the first
 * (JSON's has no leading comma) has the same length. */
typedef struct {
  char    iri[64];
  char    label[64];
  char    num[16];
  FdxTerm t[3];
} BigRow;

static const FdxTerm* const*
big_row(BigRow* const b, const uint32_t i, const FdxTerm** const ptrs)
{
  snprintf(b->iri, sizeof(b->iri), "http://example.org/item/%07" PRIu32, i);
  snprintf(b->label, sizeof(b->label), "label \"%07" PRIu32 "\"", i);
  snprintf(b->num, sizeof(b->num), "%07" PRIu32, i);
  b->t[0] = iri(b->iri);
  b->t[1] = lang_lit(b->label, "en");
  b->t[2] = typed(b->num, XSD "integer");
  for (size_t k = 0; k < 3; ++k) {
    ptrs[k] = &b->t[k];
  }
  return ptrs;
}

/* Bytes written for the head (flushed), one row, the rest, and the end. */
static void
measure(const FdxResultsFormat format,
        uint64_t* const        ret_head,
        uint64_t* const        ret_first,
        uint64_t* const        ret_row,
        uint64_t* const        ret_end)
{
  static const char* const vars[] = {"item", "label", "n"};
  uint64_t                 total[3];
  uint64_t                 head = 0;
  for (uint32_t rows = 0; rows < 3; ++rows) {
    Counter           c = {0, 0, 0, 0};
    FdxResultsWriter* w = NULL;
    REQUIRE(!fdx_results_writer_new(format, count_write, &c, &w));
    REQUIRE(!fdx_results_begin(w, vars, 3));
    REQUIRE(!fdx_results_flush(w));
    head = c.bytes;
    for (uint32_t i = 0; i < rows; ++i) {
      BigRow         b;
      const FdxTerm* ptrs[3];
      REQUIRE(!fdx_results_row(w, big_row(&b, i, ptrs)));
    }
    REQUIRE(!fdx_results_end(w));
    fdx_results_writer_free(w);
    total[rows] = c.bytes;
  }
  *ret_head  = head;
  *ret_first = total[1] - total[0];
  *ret_row   = total[2] - total[1];
  *ret_end   = total[0] - head;
}

static void
test_million(void)
{
  static const char* const vars[] = {"item", "label", "n"};
  const uint32_t           n_rows = 1000000;
  for (size_t f = 0; f < 4; ++f) {
    uint64_t head = 0, first = 0, row = 0, end = 0;
    measure(all_formats[f], &head, &first, &row, &end);
    Counter           c = {0, 0, 0, 0};
    FdxResultsWriter* w = NULL;
    REQUIRE(!fdx_results_writer_new(all_formats[f], count_write, &c, &w));
    CHECK_ST(fdx_results_begin(w, vars, 3), FDX_SUCCESS);
    uint64_t produced   = head;
    uint64_t max_behind = 0; /* the most bytes held back after a row */
    bool     behind_ok  = true;
    for (uint32_t i = 0; i < n_rows; ++i) {
      BigRow         b;
      const FdxTerm* ptrs[3];
      CHECK_ST(fdx_results_row(w, big_row(&b, i, ptrs)), FDX_SUCCESS);
      produced += i ? row : first;
      if (c.bytes > produced || produced - c.bytes > FDX_RESULTS_CHUNK) {
        behind_ok = false;
      } else if (produced - c.bytes > max_behind) {
        max_behind = produced - c.bytes;
      }
    }
    CHECK(behind_ok);
    /* Every call but the last was a full chunk. */
    CHECK(c.short_calls == 0);
    CHECK_ST(fdx_results_end(w), FDX_SUCCESS);
    CHECK(fdx_results_writer_rows(w) == n_rows);
    fdx_results_writer_free(w);
    CHECK(c.bytes == produced + end);
    CHECK(c.max_call == FDX_RESULTS_CHUNK);
    CHECK(c.short_calls <= 1);
    CHECK(c.calls == (c.bytes + FDX_RESULTS_CHUNK - 1) / FDX_RESULTS_CHUNK);
    printf("million %s: %" PRIu64 " bytes in %" PRIu64
           " calls, at most %zu bytes a call, at most %" PRIu64
           " bytes held back\n",
           format_names[f], c.bytes, c.calls, c.max_call, max_behind);
  }
}

int
main(void)
{
  test_start("test_results_write");
  test_names();
  test_empty();
  test_booleans();
  test_small();
  test_escapes();
  test_bad_utf8();
  test_misuse();
  test_random();
  test_million();
  sr_results_free(NULL);
  return test_finish("test_results_write");
}
