/*
 * test_triple_writer.c: the triple writer (FdxTripleWriter, rdf.h) in all
 * four formats.  One graph with every kind of term (IRIs that need escapes
 * or are not ASCII, IRIs under prefixes, blank nodes with labels that need
 * mapping, simple, language-tagged and typed literals with quotes,
 * newlines, backslashes, control characters, non-ASCII, a string longer
 * than the writer's buffer, numbers Turtle can write bare and ones it
 * cannot) goes out in N-Triples, Turtle, RDF/XML and JSON-LD and comes
 * back: through raptor2 for the first three, through a converter in this
 * file for JSON-LD (raptor has no JSON-LD parser), which also checks that
 * the document has the shape rdf.h promises.  The triples that come back
 * must be the triples that went in, blank nodes matched by structure.
 *
 * Then the rest of the contract: the layout (prefixes, ";" and ","
 * grouping, bare numbers), what each format refuses, U+FFFD repairs and
 * their count, argument checks that leave the writer usable, a failing
 * callback, empty documents, flush, JSON-LD's node size cap, prefix
 * changes, and fdx_dump() in RDF/XML and JSON-LD.
 *
 * FDX_TEST_SHOW=1 prints each round-trip document (the long literal cut);
 * FDX_TEST_KEEP=DIR saves them whole as DIR/<format>.out, for checking
 * with other tools (a JSON-LD processor, say).
 */
#include "test_util.h"

#include "fairdex/rdf.h"
#include "fairdex/store.h"

#include <jansson.h>
#include <raptor2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EX "http://example.org/"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT "http://purl.org/dc/terms/"

/* ------------------------------------------------------------------------
 * Byte buffers and the write callback
 * --------------------------------------------------------------------- */

typedef struct {
  char*  data;
  size_t len;
  size_t cap;
  size_t calls;     /* times the callback ran */
  size_t max_piece; /* longest piece it got */
  size_t fail_at;   /* 0, or fail the call with this number */
} Buf;

static void
buf_add(Buf* const b, const char* const s, const size_t n)
{
  if (b->len + n + 1 > b->cap) {
    b->cap  = (b->len + n + 1) * 2;
    b->data = (char*)realloc(b->data, b->cap);
    REQUIRE(b->data);
  }
  if (n) {
    memcpy(b->data + b->len, s, n);
  }
  b->len += n;
  b->data[b->len] = '\0';
}

static void
buf_str(Buf* const b, const char* const s)
{
  buf_add(b, s, strlen(s));
}

static void
buf_free(Buf* const b)
{
  free(b->data);
  memset(b, 0, sizeof(*b));
}

static int
buf_write(void* const ctx, const char* const bytes, const size_t len)
{
  Buf* const b = (Buf*)ctx;
  ++b->calls;
  if (b->fail_at && b->calls >= b->fail_at) {
    return -1;
  }
  if (len > b->max_piece) {
    b->max_piece = len;
  }
  buf_add(b, bytes, len);
  return 0;
}

static bool
contains(const Buf* const b, const char* const needle)
{
  return b->data && strstr(b->data, needle) != NULL;
}

static bool
show(void)
{
  const char* const v = getenv("FDX_TEST_SHOW");
  return v && *v && strcmp(v, "0");
}

/* ------------------------------------------------------------------------
 * Graphs: triples of owned terms, compared with blank nodes matched by
 * structure
 * --------------------------------------------------------------------- */

typedef struct {
  FdxTermKind kind;
  char*       value; /* owned; may hold NUL bytes */
  size_t      len;
  char*       lang; /* owned or NULL */
  char*       dt;   /* owned or NULL */
} T;

typedef struct {
  T s, p, o;
} Triple;

typedef struct {
  Triple* v;
  size_t  n;
  size_t  cap;
} Graph;

static char*
dup_n(const char* const s, const size_t n)
{
  char* const c = (char*)malloc(n + 1);
  REQUIRE(c);
  if (n) {
    memcpy(c, s, n);
  }
  c[n] = '\0';
  return c;
}

static T
t_make(const FdxTermKind kind,
       const char* const value,
       const size_t      len,
       const char* const lang,
       const char* const dt)
{
  T t = {kind, dup_n(value, len), len, lang ? dup_n(lang, strlen(lang)) : NULL,
         dt ? dup_n(dt, strlen(dt)) : NULL};
  return t;
}

static void
t_free(T* const t)
{
  free(t->value);
  free(t->lang);
  free(t->dt);
}

static void
graph_add(Graph* const g, const T s, const T p, const T o)
{
  if (g->n == g->cap) {
    g->cap = g->cap ? g->cap * 2 : 64;
    g->v   = (Triple*)realloc(g->v, g->cap * sizeof(Triple));
    REQUIRE(g->v);
  }
  g->v[g->n].s = s;
  g->v[g->n].p = p;
  g->v[g->n].o = o;
  ++g->n;
}

static void
graph_free(Graph* const g)
{
  for (size_t i = 0; i < g->n; ++i) {
    t_free(&g->v[i].s);
    t_free(&g->v[i].p);
    t_free(&g->v[i].o);
  }
  free(g->v);
  memset(g, 0, sizeof(*g));
}

/* A term as text, every byte outside printable ASCII as \xHH. */
static void
t_text(Buf* const b, const T* const t)
{
  static const char hex[] = "0123456789ABCDEF";
  buf_str(b, t->kind == FDX_TERM_IRI     ? "<"
             : t->kind == FDX_TERM_BLANK ? "_:"
                                         : "\"");
  for (size_t i = 0; i < t->len; ++i) {
    const unsigned char c = (unsigned char)t->value[i];
    if (c < 0x20 || c >= 0x7F || c == '\\' || c == '"') {
      const char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
      buf_add(b, e, 4);
    } else {
      buf_add(b, (const char*)&c, 1);
    }
  }
  buf_str(b, t->kind == FDX_TERM_IRI ? ">" : t->kind == FDX_TERM_BLANK ? ""
                                                                       : "\"");
  if (t->lang) {
    /* Language tags are case-insensitive, and raptor's N-Triples parser
     * lowercases them whatever its options say (test_layout checks that
     * the writer keeps their case). */
    buf_str(b, "@");
    for (const char* c = t->lang; *c; ++c) {
      const char l = *c >= 'A' && *c <= 'Z' ? (char)(*c + 32) : *c;
      buf_add(b, &l, 1);
    }
  } else if (t->dt) {
    buf_str(b, "^^<");
    buf_str(b, t->dt);
    buf_str(b, ">");
  }
}

static int
cmp_str(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

/* The structural name of blank node `label` in `g`: its triples, each
 * with the other end written out unless it is a blank node too, sorted. */
static char*
blank_signature(const Graph* const g, const T* const label)
{
  char** parts = (char**)calloc(2 * g->n + 1, sizeof(char*));
  size_t n     = 0;
  REQUIRE(parts);
  for (size_t i = 0; i < g->n; ++i) {
    const Triple* const t = &g->v[i];
    for (int dir = 0; dir < 2; ++dir) {
      const T* const self  = dir ? &t->o : &t->s;
      const T* const other = dir ? &t->s : &t->o;
      if (self->kind != FDX_TERM_BLANK || self->len != label->len ||
          memcmp(self->value, label->value, label->len)) {
        continue;
      }
      Buf b = {0};
      buf_str(&b, dir ? "in " : "out ");
      t_text(&b, &t->p);
      buf_str(&b, " ");
      if (other->kind == FDX_TERM_BLANK) {
        buf_str(&b, other->len == label->len &&
                        !memcmp(other->value, label->value, label->len)
                      ? "self"
                      : "_");
      } else {
        t_text(&b, other);
      }
      parts[n++] = b.data;
    }
  }
  qsort(parts, n, sizeof(char*), cmp_str);
  Buf sig = {0};
  buf_str(&sig, "[");
  for (size_t i = 0; i < n; ++i) {
    buf_str(&sig, parts[i]);
    buf_str(&sig, i + 1 < n ? " | " : "");
    free(parts[i]);
  }
  buf_str(&sig, "]");
  free(parts);
  return sig.data;
}

/* One line per triple, blank nodes by signature; sorted.  Also counts the
 * distinct blank node labels and distinct signatures. */
static char**
canon(const Graph* const g, size_t* const ret_labels, size_t* const ret_sigs)
{
  char** lines = (char**)calloc(g->n + 1, sizeof(char*));
  char** sigs  = (char**)calloc(2 * g->n + 1, sizeof(char*));
  char** labs  = (char**)calloc(2 * g->n + 1, sizeof(char*));
  size_t n_labs = 0;
  REQUIRE(lines && sigs && labs);
  for (size_t i = 0; i < g->n; ++i) {
    Buf        b    = {0};
    const T* const terms[3] = {&g->v[i].s, &g->v[i].p, &g->v[i].o};
    for (int k = 0; k < 3; ++k) {
      if (terms[k]->kind == FDX_TERM_BLANK) {
        char* const sig = blank_signature(g, terms[k]);
        buf_str(&b, sig);
        Buf lab = {0};
        t_text(&lab, terms[k]);
        bool seen = false;
        for (size_t j = 0; j < n_labs && !seen; ++j) {
          seen = !strcmp(labs[j], lab.data);
        }
        if (seen) {
          free(lab.data);
          free(sig);
        } else {
          labs[n_labs] = lab.data;
          sigs[n_labs] = sig;
          ++n_labs;
        }
      } else {
        t_text(&b, terms[k]);
      }
      buf_str(&b, k < 2 ? " " : " .");
    }
    lines[i] = b.data;
  }
  qsort(lines, g->n, sizeof(char*), cmp_str);
  qsort(sigs, n_labs, sizeof(char*), cmp_str);
  size_t distinct = 0;
  for (size_t i = 0; i < n_labs; ++i) {
    distinct += i == 0 || strcmp(sigs[i], sigs[i - 1]);
  }
  for (size_t i = 0; i < n_labs; ++i) {
    free(sigs[i]);
    free(labs[i]);
  }
  free(sigs);
  free(labs);
  *ret_labels = n_labs;
  *ret_sigs   = distinct;
  return lines;
}

/* Are `got` and `want` the same graph (blank nodes by structure)?  The
 * blank nodes of `want` must have distinct structures for this to mean
 * anything, which is checked too.  Reports the first difference. */
static bool
same_graph(const char* const what, const Graph* const got,
           const Graph* const want)
{
  size_t gl, gs, wl, ws;
  char** g  = canon(got, &gl, &gs);
  char** w  = canon(want, &wl, &ws);
  bool   ok = true;
  CHECK(wl == ws); /* the test graph's blank nodes are told apart */
  if (got->n != want->n || gl != wl) {
    fprintf(stderr, "%s: %zu triples and %zu blank nodes, expected %zu and "
                    "%zu\n", what, got->n, gl, want->n, wl);
    ok = false;
  }
  for (size_t i = 0; ok && i < got->n; ++i) {
    if (strcmp(g[i], w[i])) {
      fprintf(stderr, "%s: first difference:\n  got:  %.300s\n  want: %.300s\n",
              what, g[i], w[i]);
      ok = false;
    }
  }
  for (size_t i = 0; i < got->n; ++i) {
    free(g[i]);
  }
  for (size_t i = 0; i < want->n; ++i) {
    free(w[i]);
  }
  free(g);
  free(w);
  return ok;
}

/* ------------------------------------------------------------------------
 * Reading back: raptor2 for N-Triples, Turtle and RDF/XML
 * --------------------------------------------------------------------- */

typedef struct {
  Graph* g;
  int    errors;
} ReadCtx;

static T
from_raptor(const raptor_term* const t)
{
  size_t n = 0;
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI: {
    const unsigned char* const s =
      raptor_uri_as_counted_string(t->value.uri, &n);
    return t_make(FDX_TERM_IRI, (const char*)s, n, NULL, NULL);
  }
  case RAPTOR_TERM_TYPE_BLANK:
    return t_make(FDX_TERM_BLANK, (const char*)t->value.blank.string,
                  t->value.blank.string_len, NULL, NULL);
  case RAPTOR_TERM_TYPE_LITERAL: {
    const raptor_term_literal_value* const l = &t->value.literal;
    const char* dt =
      l->datatype ? (const char*)raptor_uri_as_string(l->datatype) : NULL;
    if (dt && !strcmp(dt, XSD "string")) {
      dt = NULL;
    }
    /* The language with its length: raptor keeps that in an unsigned
     * char, and a longer tag comes back cut and unterminated. */
    T r = t_make(FDX_TERM_LITERAL, (const char*)l->string, l->string_len, NULL,
                 dt);
    if (l->language) {
      r.lang = dup_n((const char*)l->language, l->language_len);
    }
    return r;
  }
  case RAPTOR_TERM_TYPE_UNKNOWN:
  default:
    break;
  }
  return t_make(FDX_TERM_IRI, "?", 1, NULL, NULL);
}

static void
read_statement(void* const data, raptor_statement* const st)
{
  ReadCtx* const ctx = (ReadCtx*)data;
  graph_add(ctx->g, from_raptor(st->subject), from_raptor(st->predicate),
            from_raptor(st->object));
}

static void
read_log(void* const data, raptor_log_message* const m)
{
  if (m->level >= RAPTOR_LOG_LEVEL_ERROR) {
    ++((ReadCtx*)data)->errors;
    fprintf(stderr, "raptor: line %d: %s\n",
            m->locator ? m->locator->line : -1, m->text);
  }
}

/* Parse `doc` as raptor's `syntax`; false on any error. */
static bool
raptor_read(const char* const syntax, const Buf* const doc, Graph* const g)
{
  raptor_world* const world = raptor_new_world();
  REQUIRE(world);
  ReadCtx ctx = {g, 0};
  raptor_world_set_flag(world, RAPTOR_WORLD_FLAG_WWW_SKIP_INIT_FINISH, 1);
  raptor_world_set_log_handler(world, &ctx, read_log);
  REQUIRE(!raptor_world_open(world));
  raptor_parser* const parser = raptor_new_parser(world, syntax);
  REQUIRE(parser);
  raptor_parser_set_option(parser, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_option(parser, RAPTOR_OPTION_NO_FILE, NULL, 1);
  raptor_parser_set_statement_handler(parser, &ctx, read_statement);
  raptor_uri* const base =
    raptor_new_uri(world, (const unsigned char*)"http://base.invalid/doc");
  int rc = raptor_parser_parse_start(parser, base);
  if (!rc) {
    rc = raptor_parser_parse_chunk(parser, (const unsigned char*)doc->data,
                                   doc->len, 1);
  }
  raptor_free_uri(base);
  raptor_free_parser(parser);
  raptor_free_world(world);
  return !rc && !ctx.errors;
}

/* ------------------------------------------------------------------------
 * Reading back: JSON-LD in the shape rdf.h promises, by hand
 * --------------------------------------------------------------------- */

static T
jsonld_node_id(const char* const id, const size_t len)
{
  if (len >= 2 && !memcmp(id, "_:", 2)) {
    return t_make(FDX_TERM_BLANK, id + 2, len - 2, NULL, NULL);
  }
  return t_make(FDX_TERM_IRI, id, len, NULL, NULL);
}

/* A value object as a term; false if it is not one of the two shapes. */
static bool
jsonld_value(json_t* const v, T* const ret)
{
  if (!json_is_object(v)) {
    return false;
  }
  json_t* const id    = json_object_get(v, "@id");
  json_t* const value = json_object_get(v, "@value");
  json_t* const lang  = json_object_get(v, "@language");
  json_t* const type  = json_object_get(v, "@type");
  if (id) {
    if (!json_is_string(id) || json_object_size(v) != 1) {
      return false;
    }
    *ret = jsonld_node_id(json_string_value(id), json_string_length(id));
    return true;
  }
  if (!json_is_string(value) || (lang && type) ||
      (lang && !json_is_string(lang)) || (type && !json_is_string(type)) ||
      json_object_size(v) != (size_t)(1 + (lang != NULL) + (type != NULL))) {
    return false;
  }
  *ret = t_make(FDX_TERM_LITERAL, json_string_value(value),
                json_string_length(value),
                lang ? json_string_value(lang) : NULL,
                type ? json_string_value(type) : NULL);
  return true;
}

/* Parse `doc` as the writer's JSON-LD and turn it into triples; false if
 * it is not JSON or not that shape. */
static bool
jsonld_read(const Buf* const doc, Graph* const g)
{
  json_error_t err;
  json_t* const root =
    json_loadb(doc->data, doc->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
               &err);
  if (!root) {
    fprintf(stderr, "JSON: line %d: %s\n", err.line, err.text);
    return false;
  }
  bool ok = json_is_array(root);
  for (size_t i = 0; ok && i < json_array_size(root); ++i) {
    json_t* const node = json_array_get(root, i);
    json_t* const id   = json_object_get(node, "@id");
    if (!json_is_object(node) || !json_is_string(id) ||
        json_object_size(node) < 2) {
      ok = false;
      break;
    }
    const char*  key;
    size_t       key_len;
    json_t*      values;
    json_object_keylen_foreach(node, key, key_len, values)
    {
      if (!ok || !strcmp(key, "@id")) {
        continue;
      }
      const bool is_type = !strcmp(key, "@type");
      if ((key[0] == '@' && !is_type) || !json_is_array(values) ||
          json_array_size(values) == 0) {
        ok = false;
        continue;
      }
      for (size_t k = 0; ok && k < json_array_size(values); ++k) {
        json_t* const v = json_array_get(values, k);
        T             o;
        if (is_type) {
          if (!json_is_string(v)) {
            ok = false;
            break;
          }
          o = t_make(FDX_TERM_IRI, json_string_value(v), json_string_length(v),
                     NULL, NULL);
        } else if (!jsonld_value(v, &o)) {
          ok = false;
          break;
        }
        graph_add(g, jsonld_node_id(json_string_value(id),
                                    json_string_length(id)),
                  is_type ? t_make(FDX_TERM_IRI, RDF "type",
                                   strlen(RDF "type"), NULL, NULL)
                          : t_make(FDX_TERM_IRI, key, key_len, NULL, NULL),
                  o);
      }
    }
  }
  json_decref(root);
  if (!ok) {
    fprintf(stderr, "JSON-LD: not the expected shape\n");
  }
  return ok;
}

/* The layout: "[", one node object per line, "]" (or "[]"). */
static bool
jsonld_lines_ok(const Buf* const doc)
{
  if (!strcmp(doc->data, "[]\n")) {
    return true;
  }
  if (doc->len < 5 || strncmp(doc->data, "[\n{", 3) ||
      strcmp(doc->data + doc->len - 4, "}\n]\n")) {
    return false;
  }
  /* Every line between is one node object, "{...}" or "{...},". */
  for (const char* line = doc->data + 2; *line != ']';) {
    const char* const nl = strchr(line, '\n');
    if (!nl || line[0] != '{' ||
        !(nl[-1] == '}' || (nl[-1] == ',' && nl[-2] == '}'))) {
      return false;
    }
    line = nl + 1;
  }
  return true;
}

/* ------------------------------------------------------------------------
 * The test graph
 * --------------------------------------------------------------------- */

static FdxTerm
iri(const char* const s)
{
  return fdx_term_iri(s);
}

static FdxTerm
blank(const char* const label)
{
  const FdxTerm t = {FDX_TERM_BLANK, label, strlen(label), NULL, 0, NULL, 0};
  return t;
}

static FdxTerm
lit(const char* const s, const char* const lang, const char* const dt)
{
  return fdx_term_literal(s, lang, dt);
}

static FdxTerm
lit_n(const char* const s, const size_t n)
{
  const FdxTerm t = {FDX_TERM_LITERAL, s, n, NULL, 0, NULL, 0};
  return t;
}

typedef struct {
  FdxTerm s, p, o;
} In;

#define LONG_LEN 100000

static char long_text[LONG_LEN + 1];

/* The description literal: quotes, newline, CR, TAB, backslash,
 * non-ASCII from two, three and four bytes, DEL and a control byte. */
static const char tricky[] =
  "quotes \" and 'single', newline\nCR\r tab\t backslash \\ end\\ "
  "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 DEL\x7F ctl\x01.";

/* Every kind of term; no blank node shares a structure with another. */
static size_t
make_input(In* const in)
{
  for (size_t i = 0; i < LONG_LEN; ++i) {
    long_text[i] = i % 97 == 96 ? '\n' : "Herz Kreislauf Studie "[i % 22];
  }
  long_text[LONG_LEN] = '\0';
  size_t n = 0;
#define ADD(S, P, O) (in[n].s = (S), in[n].p = (P), in[n].o = (O), ++n)
  const FdxTerm a = iri(EX "a");
  ADD(a, iri(RDF "type"), iri(DCAT "Dataset"));
  ADD(a, iri(RDF "type"), iri(EX "Thing"));
  ADD(a, iri(DCT "title"), lit("Plain title", NULL, NULL));
  ADD(a, iri(DCT "title"), lit("Titel", "de", NULL));
  ADD(a, iri(DCT "title"), lit("Title", "EN-gb", NULL));
  ADD(a, iri(DCT "title"), lit("Titel", "de-CH-1996", NULL));
  ADD(a, iri(DCT "description"), lit(tricky, NULL, NULL));
  ADD(a, iri(EX "count"), lit("42", NULL, XSD "integer"));
  ADD(a, iri(EX "count"), lit("-7", NULL, XSD "integer"));
  ADD(a, iri(EX "count"), lit("+5", NULL, XSD "integer"));
  ADD(a, iri(EX "count"), lit("007", NULL, XSD "integer"));
  ADD(a, iri(EX "count"), lit("12x", NULL, XSD "integer"));
  ADD(a, iri(EX "dec"), lit("1.5", NULL, XSD "decimal"));
  ADD(a, iri(EX "dec"), lit("-.5", NULL, XSD "decimal"));
  ADD(a, iri(EX "dec"), lit("1.", NULL, XSD "decimal"));
  ADD(a, iri(EX "dbl"), lit("1.0e3", NULL, XSD "double"));
  ADD(a, iri(EX "dbl"), lit(".5E-2", NULL, XSD "double"));
  ADD(a, iri(EX "dbl"), lit("1.e5", NULL, XSD "double"));
  ADD(a, iri(EX "dbl"), lit("INF", NULL, XSD "double"));
  ADD(a, iri(EX "dbl"), lit("1.5", NULL, XSD "double"));
  ADD(a, iri(EX "bool"), lit("true", NULL, XSD "boolean"));
  ADD(a, iri(EX "bool"), lit("1", NULL, XSD "boolean"));
  ADD(a, iri(EX "str"), lit("typed string", NULL, XSD "string"));
  ADD(a, iri(EX "date"), lit("2024-06-07", NULL, XSD "date"));
  ADD(a, iri(EX "custom"), lit("x y", NULL, EX "dt#custom"));
  ADD(a, iri(EX "empty"), lit("", NULL, NULL));
  ADD(a, iri(EX "long"), lit(long_text, NULL, NULL));
  ADD(a, iri(DCAT "distribution"), blank("d1"));
  ADD(a, iri(EX "iri"), iri(EX "esc\"{}|^`\\end"));
  ADD(a, iri(EX "iri"), iri(EX "\xC3\xA9t\xC3\xA9/\xE6\x97\xA5\xE6\x9C\xAC"));
  ADD(a, iri(EX "pfx"), iri(DCT "1abc"));
  ADD(a, iri(EX "pfx"), iri(DCT "a.b"));
  ADD(a, iri(EX "pfx"), iri(DCT "a-b_c"));
  ADD(a, iri(EX "pfx"), iri(DCT));
  ADD(a, iri(EX "p#frag"), lit("hash predicate", NULL, NULL));
  ADD(blank("d1"), iri(RDF "type"), iri(DCAT "Distribution"));
  ADD(blank("d1"), iri(DCAT "accessURL"), iri(EX "file.csv"));
  ADD(blank("d1"), iri(DCT "format"), blank("1b"));
  ADD(blank("1b"), iri("http://www.w3.org/2000/01/rdf-schema#label"),
      lit("format node", NULL, NULL));
  ADD(blank("1b"), iri(RDF "type"), blank("d1"));
  ADD(blank("1b"), iri(RDF "type"), lit("literal type", NULL, NULL));
  ADD(iri(EX "b"), iri(EX "knows"), a);
  ADD(a, iri(EX "again"), lit("subject a again", NULL, NULL));
  ADD(blank("odd.label\xC3\xA9"), iri(EX "p"), lit("odd label", NULL, NULL));
  ADD(iri("urn:x:y"), iri("urn:p:q"), lit("urn IRIs", NULL, NULL));
#undef ADD
  return n;
}

/* U+FFFD in place of what the RDF/XML writer cannot write (the test data
 * has only C0 controls and DEL of that kind). */
static T
xml_cleaned(const T t)
{
  Buf b = {0};
  buf_add(&b, "", 0);
  for (size_t i = 0; i < t.len; ++i) {
    const unsigned char c = (unsigned char)t.value[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      buf_str(&b, "\xEF\xBF\xBD");
    } else {
      buf_add(&b, (const char*)&c, 1);
    }
  }
  T r = t_make(t.kind, b.data, b.len, t.lang, t.dt);
  free(b.data);
  return r;
}

static T
from_fdx(const FdxTerm* const t)
{
  char* lang = t->lang ? dup_n(t->lang, t->lang_len) : NULL;
  char* dt   = t->datatype ? dup_n(t->datatype, t->datatype_len) : NULL;
  if (dt && !strcmp(dt, XSD "string")) {
    free(dt);
    dt = NULL;
  }
  T r = t_make(t->kind, t->value, t->value_len, lang, dt);
  free(lang);
  free(dt);
  return r;
}

/* The graph the input should come back as in `format`. */
static void
expected(const In* const in, const size_t n, const FdxFormat format,
         Graph* const g)
{
  for (size_t i = 0; i < n; ++i) {
    T o = from_fdx(&in[i].o);
    if (format == FDX_FORMAT_RDFXML) {
      T c = xml_cleaned(o);
      t_free(&o);
      o = c;
    }
    graph_add(g, from_fdx(&in[i].s), from_fdx(&in[i].p), o);
  }
}

/* Write the input in `format` into `doc`, with ex: bound. */
static void
write_all(const FdxFormat format, const In* const in, const size_t n,
          Buf* const doc, uint64_t* const ret_replaced)
{
  FdxTripleWriter* w = NULL;
  CHECK_ST(fdx_triple_writer_new(format, buf_write, doc, &w), FDX_SUCCESS);
  REQUIRE(w);
  CHECK_ST(fdx_triple_writer_prefix(w, "ex", EX), FDX_SUCCESS);
  for (size_t i = 0; i < n; ++i) {
    CHECK_ST(fdx_triple_writer_add(w, &in[i].s, &in[i].p, &in[i].o),
             FDX_SUCCESS);
  }
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  *ret_replaced = fdx_triple_writer_replaced(w);
  fdx_triple_writer_free(w);
  const char* const keep = getenv("FDX_TEST_KEEP");
  if (keep && *keep) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.out", keep, fdx_format_name(format));
    FILE* const f = fopen(path, "wb");
    CHECK(f && fwrite(doc->data, 1, doc->len, f) == doc->len);
    if (f) {
      fclose(f);
    }
  }
  if (show()) {
    printf("---- %s (%zu bytes; long literal cut)\n", fdx_format_name(format),
           doc->len);
    /* The long literal would drown everything: show around it. */
    const char* const cut = strstr(doc->data, "Herz Kreislauf");
    if (cut) {
      printf("%.*s[...]%s\n", (int)(cut - doc->data), doc->data,
             cut + LONG_LEN + 200 < doc->data + doc->len ? cut + LONG_LEN + 200
                                                         : "");
    } else {
      printf("%s\n", doc->data);
    }
  }
}

/* Round trip in every format. */
static void
test_round_trip(void)
{
  static In    in[64];
  const size_t n = make_input(in);
  const struct {
    FdxFormat   format;
    const char* parser; /* raptor's, or NULL: JSON-LD */
  } formats[] = {
    {FDX_FORMAT_NTRIPLES, "ntriples"},
    {FDX_FORMAT_TURTLE, "turtle"},
    {FDX_FORMAT_RDFXML, "rdfxml"},
    {FDX_FORMAT_JSONLD, NULL},
    {FDX_FORMAT_NQUADS, "nquads"},
    {FDX_FORMAT_TRIG, "trig"},
  };
  for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); ++f) {
    Buf      doc      = {0};
    uint64_t replaced = 0;
    write_all(formats[f].format, in, n, &doc, &replaced);
    Graph got = {0}, want = {0};
    expected(in, n, formats[f].format, &want);
    const bool parsed = formats[f].parser
                          ? raptor_read(formats[f].parser, &doc, &got)
                          : jsonld_read(&doc, &got);
    CHECK(parsed);
    if (!same_graph(fdx_format_name(formats[f].format), &got, &want)) {
      check_failed(__FILE__, __LINE__, fdx_format_name(formats[f].format));
    }
    /* Only RDF/XML has to replace anything here: DEL and the control
     * byte. */
    CHECK(replaced == (formats[f].format == FDX_FORMAT_RDFXML ? 2u : 0u));
    /* Pieces are at most the buffer, except for the one long literal. */
    CHECK(doc.max_piece <= 65536 || doc.max_piece >= LONG_LEN);
    if (formats[f].format == FDX_FORMAT_JSONLD) {
      CHECK(jsonld_lines_ok(&doc));
    }
    graph_free(&got);
    graph_free(&want);
    buf_free(&doc);
  }
}

/* ------------------------------------------------------------------------
 * Layout of each format
 * --------------------------------------------------------------------- */

static void
test_layout(void)
{
  static In    in[64];
  const size_t n = make_input(in);
  uint64_t     replaced;

  Buf ttl = {0};
  write_all(FDX_FORMAT_TURTLE, in, n, &ttl, &replaced);
  CHECK(!strncmp(ttl.data, "@prefix rdf: <" RDF "> .\n", 14));
  CHECK(contains(&ttl, "@prefix dcat: <" DCAT "> .\n"));
  CHECK(contains(&ttl, "@prefix healthdcatap: "
                       "<http://healthdataportal.eu/ns/health#> .\n"));
  CHECK(contains(&ttl, "@prefix ex: <" EX "> .\n\n"));
  CHECK(contains(&ttl, "\nex:a a dcat:Dataset, ex:Thing ;\n"
                       "    dct:title \"Plain title\", \"Titel\"@de, "
                       "\"Title\"@EN-gb, \"Titel\"@de-CH-1996 ;\n"));
  CHECK(contains(&ttl, "    ex:count 42, -7, +5, 007, "
                       "\"12x\"^^xsd:integer ;\n"));
  CHECK(contains(&ttl, "    ex:dec 1.5, -.5, \"1.\"^^xsd:decimal ;\n"));
  CHECK(contains(&ttl, "    ex:dbl 1.0e3, .5E-2, 1.e5, \"INF\"^^xsd:double, "
                       "\"1.5\"^^xsd:double ;\n"));
  CHECK(contains(&ttl, "    ex:bool true, \"1\"^^xsd:boolean ;\n"));
  CHECK(contains(&ttl, "    ex:str \"typed string\" ;\n"));
  CHECK(contains(&ttl, "    ex:custom \"x y\"^^<" EX "dt#custom> ;\n"));
  CHECK(contains(&ttl, "\"quotes \\\" and 'single', newline\\nCR\\r tab\\t "
                       "backslash \\\\ end\\\\ caf\xC3\xA9"));
  CHECK(contains(&ttl, "DEL\\u007F ctl\\u0001.\""));
  CHECK(contains(&ttl, "ex:iri <" EX "esc\\u0022\\u007B\\u007D\\u007C\\u005E"
                       "\\u0060\\u005Cend>, <" EX "\xC3\xA9t\xC3\xA9/"));
  CHECK(contains(&ttl, "ex:pfx dct:1abc, <" DCT "a.b>, dct:a-b_c, dct: ;\n"));
  CHECK(contains(&ttl, "    ex:p#frag") == false);
  CHECK(contains(&ttl, "    <" EX "p#frag> \"hash predicate\" .\n"));
  CHECK(contains(&ttl, "\n_:d1 a dcat:Distribution ;\n"));
  CHECK(contains(&ttl, "\n_:1b rdfs:label \"format node\" ;\n"
                       "    a _:d1, \"literal type\" .\n"));
  CHECK(contains(&ttl, "\nex:a ex:again \"subject a again\" .\n"));
  CHECK(contains(&ttl, "\n_:oddx2ElabelxC3xA9 ex:p \"odd label\" .\n"));
  buf_free(&ttl);

  Buf nt = {0};
  write_all(FDX_FORMAT_NTRIPLES, in, n, &nt, &replaced);
  CHECK(contains(&nt, "<" EX "a> <" RDF "type> <" DCAT "Dataset> .\n"));
  CHECK(contains(&nt, "<" EX "a> <" EX "count> \"42\"^^<" XSD "integer> .\n"));
  CHECK(contains(&nt, "<" EX "a> <" EX "str> \"typed string\" .\n"));
  CHECK(contains(&nt, "_:1b <" RDF "type> _:d1 .\n"));
  CHECK(!contains(&nt, "@prefix"));
  buf_free(&nt);

  Buf xml = {0};
  write_all(FDX_FORMAT_RDFXML, in, n, &xml, &replaced);
  CHECK(!strncmp(xml.data, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", 39));
  CHECK(contains(&xml, "xmlns:dcat=\"" DCAT "\""));
  CHECK(contains(&xml, "xmlns:ex=\"" EX "\""));
  CHECK(contains(&xml, "<dct:title xml:lang=\"de\">Titel</dct:title>"));
  CHECK(contains(&xml, "rdf:nodeID=\"_1b\""));
  CHECK(contains(&xml, "ctl\xEF\xBF\xBD."));
  CHECK(contains(&xml, "</rdf:RDF>\n"));
  buf_free(&xml);

  Buf js = {0};
  write_all(FDX_FORMAT_JSONLD, in, n, &js, &replaced);
  CHECK(!strncmp(js.data, "[\n{\"@id\": \"" EX "a\", \"@type\": [\"" DCAT
                          "Dataset\", \"" EX "Thing\"], ",
                 14 + strlen(EX) + strlen(DCAT) + 25));
  CHECK(contains(&js, "\"" DCT "title\": [{\"@value\": \"Plain title\"}, "
                      "{\"@value\": \"Titel\", \"@language\": \"de\"}, "));
  CHECK(contains(&js, "{\"@value\": \"42\", \"@type\": \"" XSD "integer\"}"));
  CHECK(contains(&js, "\"" DCAT "distribution\": [{\"@id\": \"_:d1\"}]"));
  /* rdf:type with a blank node or a literal is no "@type". */
  CHECK(contains(&js, "\"" RDF "type\": [{\"@id\": \"_:d1\"}, "
                      "{\"@value\": \"literal type\"}]"));
  CHECK(contains(&js, "\\u0001"));
  CHECK(contains(&js, "\xF0\x9F\x98\x80")); /* UTF-8 as it is */
  /* Subject a again, later: a second node object with the same @id. */
  CHECK(contains(&js, ",\n{\"@id\": \"" EX "a\", \"" EX "again\""));
  buf_free(&js);
}

/* ------------------------------------------------------------------------
 * What each format refuses, and the repairs
 * --------------------------------------------------------------------- */

/* Exact N-Triples for the characters raptor will not read back. */
static void
test_ntriples_escapes(void)
{
  Buf              doc = {0};
  FdxTripleWriter* w   = NULL;
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_NTRIPLES, buf_write, &doc, &w),
           FDX_SUCCESS);
  const FdxTerm s  = iri(EX "a b<c>d");
  const FdxTerm p  = iri(EX "p");
  const FdxTerm o  = lit_n("a\0b", 3);
  const FdxTerm o2 = blank("_x");
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o2), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  CHECK(!strcmp(doc.data, "<" EX "a\\u0020b\\u003Cc\\u003Ed> <" EX "p> "
                          "\"a\\u0000b\" .\n"
                          "<" EX "a\\u0020b\\u003Cc\\u003Ed> <" EX "p> "
                          "_:x5Fx .\n"));
  fdx_triple_writer_free(w);
  buf_free(&doc);

  /* JSON-LD carries the NUL too. */
  Buf js = {0};
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_JSONLD, buf_write, &js, &w),
           FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  Graph g = {0};
  CHECK(jsonld_read(&js, &g));
  CHECK(g.n == 1 && g.v[0].o.len == 3 && !memcmp(g.v[0].o.value, "a\0b", 3));
  graph_free(&g);
  fdx_triple_writer_free(w);
  buf_free(&js);
}

static void
test_rdfxml_refusals(void)
{
  Buf              doc = {0};
  FdxTripleWriter* w   = NULL;
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_RDFXML, buf_write, &doc, &w),
           FDX_SUCCESS);
  const FdxTerm s    = iri(EX "s");
  const FdxTerm p    = iri(EX "p");
  const FdxTerm o    = lit("ok", NULL, NULL);
  const FdxTerm bad1 = iri(EX "p1/2");
  const FdxTerm xl   = lit("<b>a & b</b>", NULL, RDF "XMLLiteral");
  char          long_lang[300];
  memset(long_lang, 'a', sizeof(long_lang) - 1);
  long_lang[sizeof(long_lang) - 1] = '\0';
  const FdxTerm ll                 = lit("x", long_lang, NULL);
  const FdxTerm ctl                = lit("\x02", NULL, NULL);

  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS);
  const size_t before = doc.len + 0;
  const FdxTerm bad2 = iri(EX);
  CHECK_ST(fdx_triple_writer_add(w, &s, &bad1, &ctl), FDX_ERR_UNSUPPORTED);
  CHECK_ST(fdx_triple_writer_add(w, &s, &bad2, &o), FDX_ERR_UNSUPPORTED);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &xl), FDX_ERR_UNSUPPORTED);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &ll), FDX_ERR_UNSUPPORTED);
  /* Refused triples change nothing: not the count, not the output. */
  CHECK(fdx_triple_writer_replaced(w) == 0);
  CHECK_ST(fdx_triple_writer_flush(w), FDX_SUCCESS);
  CHECK(!strstr(doc.data, "p1/2") && !strstr(doc.data, "<b>"));
  CHECK(doc.len >= before);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &ctl), FDX_SUCCESS);
  CHECK(fdx_triple_writer_replaced(w) == 1);
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  Graph got = {0};
  CHECK(raptor_read("rdfxml", &doc, &got));
  CHECK(got.n == 2);
  graph_free(&got);
  fdx_triple_writer_free(w);
  buf_free(&doc);

  /* The same triples are fine in the other formats.  (The long language
   * tag is not read back with raptor: its parsers keep a tag's length in
   * an unsigned char and overrun their buffers on longer ones.) */
  const FdxFormat others[] = {FDX_FORMAT_NTRIPLES, FDX_FORMAT_TURTLE,
                              FDX_FORMAT_JSONLD};
  for (size_t f = 0; f < 3; ++f) {
    Buf d = {0};
    CHECK_ST(fdx_triple_writer_new(others[f], buf_write, &d, &w),
             FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_add(w, &s, &bad1, &ctl), FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_add(w, &s, &p, &xl), FDX_SUCCESS);
    const bool raptor = others[f] != FDX_FORMAT_JSONLD;
    if (!raptor) {
      CHECK_ST(fdx_triple_writer_add(w, &s, &p, &ll), FDX_SUCCESS);
    }
    CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
    CHECK(fdx_triple_writer_replaced(w) == 0);
    Graph g = {0};
    CHECK(raptor ? raptor_read(fdx_format_name(others[f]), &d, &g)
                 : jsonld_read(&d, &g));
    CHECK(g.n == (raptor ? 2u : 3u));
    for (size_t i = 0; !raptor && i < g.n; ++i) {
      CHECK(!g.v[i].o.lang || !strcmp(g.v[i].o.lang, long_lang));
    }
    graph_free(&g);
    fdx_triple_writer_free(w);
    buf_free(&d);
    /* Written whole all the same. */
    CHECK_ST(fdx_triple_writer_new(others[f], buf_write, &d, &w),
             FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_add(w, &s, &p, &ll), FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
    CHECK(contains(&d, long_lang));
    fdx_triple_writer_free(w);
    buf_free(&d);
  }

  /* JSON-LD refuses a predicate that would be a keyword. */
  Buf js = {0};
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_JSONLD, buf_write, &js, &w),
           FDX_SUCCESS);
  const FdxTerm at = iri("@type");
  CHECK_ST(fdx_triple_writer_add(w, &s, &at, &o), FDX_ERR_UNSUPPORTED);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  Graph g = {0};
  CHECK(jsonld_read(&js, &g) && g.n == 1);
  graph_free(&g);
  fdx_triple_writer_free(w);
  buf_free(&js);
}

/* Ill-formed UTF-8 becomes U+FFFD, one per maximal ill-formed
 * subsequence, in every format. */
static void
test_utf8_repair(void)
{
  /* A stray continuation byte, a truncated 3-byte sequence before ASCII,
   * an overlong '/', an encoded surrogate, a byte that is never UTF-8. */
  static const char bad[] = "a\x80" "b\xE6\x97" "c\xC0\xAF" "d\xED\xA0\x80"
                            "e\xFF";
  static const char fixed[] = "a\xEF\xBF\xBD" "b\xEF\xBF\xBD"
                              "c\xEF\xBF\xBD\xEF\xBF\xBD"
                              "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                              "e\xEF\xBF\xBD";
  const FdxFormat formats[] = {FDX_FORMAT_NTRIPLES, FDX_FORMAT_TURTLE,
                               FDX_FORMAT_RDFXML, FDX_FORMAT_JSONLD};
  for (size_t f = 0; f < 4; ++f) {
    Buf              doc = {0};
    FdxTripleWriter* w   = NULL;
    CHECK_ST(fdx_triple_writer_new(formats[f], buf_write, &doc, &w),
             FDX_SUCCESS);
    const FdxTerm s = iri(EX "s\xE9");
    const FdxTerm p = iri(EX "p");
    const FdxTerm o = lit(bad, NULL, EX "dt\xFF");
    CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
    CHECK(fdx_triple_writer_replaced(w) == 10);
    Graph g = {0};
    CHECK(formats[f] == FDX_FORMAT_JSONLD
            ? jsonld_read(&doc, &g)
            : raptor_read(fdx_format_name(formats[f]), &doc, &g));
    CHECK(g.n == 1);
    if (g.n == 1) {
      CHECK(!strcmp(g.v[0].s.value, EX "s\xEF\xBF\xBD"));
      CHECK(!strcmp(g.v[0].o.value, fixed));
      CHECK(g.v[0].o.dt && !strcmp(g.v[0].o.dt, EX "dt\xEF\xBF\xBD"));
    }
    graph_free(&g);
    fdx_triple_writer_free(w);
    buf_free(&doc);
  }
}

/* ------------------------------------------------------------------------
 * The API's rules
 * --------------------------------------------------------------------- */

static void
test_arguments(void)
{
  Buf              doc = {0};
  FdxTripleWriter* w   = NULL;
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_UNKNOWN, buf_write, &doc, &w),
           FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_new((FdxFormat)99, buf_write, &doc, &w),
           FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_TURTLE, NULL, &doc, &w),
           FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_TURTLE, buf_write, &doc, NULL),
           FDX_ERR_BAD_ARG);
  CHECK(w == NULL);
  CHECK_ST(fdx_triple_writer_add(NULL, NULL, NULL, NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_end(NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_flush(NULL), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_prefix(NULL, "a", EX), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_clear_prefixes(NULL), FDX_ERR_BAD_ARG);
  CHECK(fdx_triple_writer_replaced(NULL) == 0);
  fdx_triple_writer_free(NULL);

  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_TURTLE, buf_write, &doc, &w),
           FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, NULL, EX), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_prefix(w, "1a", EX), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_prefix(w, "a.b", EX), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_prefix(w, "a:", EX), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_prefix(w, "ok", ""), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_prefix(w, "ok", EX "\xFF"), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_prefix(w, "", EX "e/"), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "ex-1_b", EX), FDX_SUCCESS);

  const FdxTerm s      = iri(EX "s");
  const FdxTerm p      = iri(EX "p");
  const FdxTerm o      = lit("o", NULL, NULL);
  const FdxTerm b      = blank("b");
  const FdxTerm empty  = iri("");
  const FdxTerm eblank = blank("");
  const FdxTerm nul    = {FDX_TERM_IRI, NULL, 3, NULL, 0, NULL, 0};
  const FdxTerm kind   = {(FdxTermKind)7, "x", 1, NULL, 0, NULL, 0};
  const FdxTerm both   = {FDX_TERM_LITERAL, "x", 1, "en", 2, XSD "int", 20};
  const FdxTerm nlang  = {FDX_TERM_LITERAL, "x", 1, NULL, 2, NULL, 0};
  const FdxTerm bad_l1 = lit("x", "en-", NULL);
  const FdxTerm bad_l2 = lit("x", "-en", NULL);
  const FdxTerm bad_l3 = lit("x", "e n", NULL);
  const FdxTerm bad_l4 = lit("x", "1en", NULL);
  const FdxTerm lit_s  = lit("s", NULL, NULL);
  const FdxTerm* const bad[][3] = {
    {NULL, &p, &o},   {&s, NULL, &o},    {&s, &p, NULL},    {&lit_s, &p, &o},
    {&s, &b, &o},     {&s, &lit_s, &o},  {&empty, &p, &o},  {&s, &empty, &o},
    {&s, &p, &empty}, {&eblank, &p, &o}, {&nul, &p, &o},    {&kind, &p, &o},
    {&s, &p, &kind},  {&s, &p, &both},   {&s, &p, &nlang},  {&s, &p, &bad_l1},
    {&s, &p, &bad_l2}, {&s, &p, &bad_l3}, {&s, &p, &bad_l4},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    CHECK_ST(fdx_triple_writer_add(w, bad[i][0], bad[i][1], bad[i][2]),
             FDX_ERR_BAD_ARG);
  }
  CHECK(doc.calls == 0);
  /* Still usable; an empty lang or datatype counts as absent; an empty
   * literal with a NULL pointer is fine. */
  const FdxTerm elang = {FDX_TERM_LITERAL, "x", 1, "", 0, "", 0};
  const FdxTerm enul  = {FDX_TERM_LITERAL, NULL, 0, NULL, 0, NULL, 0};
  const FdxTerm pe    = iri(EX "e/x");
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &elang), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_add(w, &s, &pe, &enul), FDX_SUCCESS);
  /* Prefixes are fixed once the first triple is written. */
  CHECK_ST(fdx_triple_writer_prefix(w, "late", EX), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_clear_prefixes(w), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_end(w), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_ERR_BAD_ARG);
  CHECK(contains(&doc, "@prefix : <" EX "e/> .\n"));
  CHECK(contains(&doc, "@prefix ex-1_b: <" EX "> .\n"));
  CHECK(contains(&doc, "ex-1_b:s ex-1_b:p \"x\" ;\n    :x \"\" .\n"));
  Graph g = {0};
  CHECK(raptor_read("turtle", &doc, &g) && g.n == 2);
  graph_free(&g);
  fdx_triple_writer_free(w);
  buf_free(&doc);
}

/* Prefix changes: rebinding, unbinding, the longer namespace winning,
 * and no prefixes at all. */
static void
test_prefixes(void)
{
  Buf              doc = {0};
  FdxTripleWriter* w   = NULL;
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_TURTLE, buf_write, &doc, &w),
           FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "ex", EX), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "exa", EX "a/"), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "dct", NULL), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "dcat", EX "cat#"), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "nope", NULL), FDX_SUCCESS);
  const FdxTerm s  = iri(EX "a/b");
  const FdxTerm p  = iri(DCT "title");
  const FdxTerm p2 = iri(EX "cat#x");
  const FdxTerm o  = iri(EX "c");
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p2, &o), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  CHECK(!contains(&doc, "@prefix dct:"));
  CHECK(!contains(&doc, "@prefix dcat: <" "http://www.w3.org/ns/dcat#"));
  CHECK(contains(&doc, "@prefix dcat: <" EX "cat#> .\n"));
  CHECK(contains(&doc, "\nexa:b <" DCT "title> ex:c ;\n    dcat:x ex:c .\n"));
  fdx_triple_writer_free(w);
  buf_free(&doc);

  /* No prefixes: Turtle is N-Triples with grouping. */
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_TURTLE, buf_write, &doc, &w),
           FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_clear_prefixes(w), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  CHECK(!strcmp(doc.data, "<" EX "a/b> <" DCT "title> <" EX "c> .\n"));
  fdx_triple_writer_free(w);
  buf_free(&doc);

  /* RDF/XML: the prefixes name the property elements. */
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_RDFXML, buf_write, &doc, &w),
           FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "ex", EX), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "xmlfoo", EX "x/"), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_prefix(w, "", EX "e/"), FDX_SUCCESS);
  const FdxTerm p3 = iri(EX "knows");
  CHECK_ST(fdx_triple_writer_add(w, &s, &p3, &o), FDX_SUCCESS);
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  CHECK(contains(&doc, "<ex:knows rdf:resource=\"" EX "c\"/>"));
  CHECK(!contains(&doc, "xmlns:xmlfoo") && !contains(&doc, "xmlns=\""));
  Graph g = {0};
  CHECK(raptor_read("rdfxml", &doc, &g) && g.n == 1);
  graph_free(&g);
  fdx_triple_writer_free(w);
  buf_free(&doc);
}

/* Empty documents are complete documents. */
static void
test_empty(void)
{
  const FdxFormat formats[] = {FDX_FORMAT_NTRIPLES, FDX_FORMAT_TURTLE,
                               FDX_FORMAT_RDFXML, FDX_FORMAT_JSONLD};
  for (size_t f = 0; f < 4; ++f) {
    Buf              doc = {0};
    FdxTripleWriter* w   = NULL;
    CHECK_ST(fdx_triple_writer_new(formats[f], buf_write, &doc, &w),
             FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
    Graph g = {0};
    if (formats[f] == FDX_FORMAT_JSONLD) {
      CHECK(doc.data && !strcmp(doc.data, "[]\n"));
      CHECK(jsonld_read(&doc, &g));
    } else if (formats[f] == FDX_FORMAT_NTRIPLES) {
      CHECK(doc.len == 0);
    } else {
      buf_add(&doc, "", 0);
      CHECK(raptor_read(fdx_format_name(formats[f]), &doc, &g));
    }
    CHECK(g.n == 0);
    graph_free(&g);
    fdx_triple_writer_free(w);
    buf_free(&doc);
  }
}

/* A failing callback: FDX_ERR_IO from then on, and no more calls. */
static void
test_write_failure(void)
{
  const FdxFormat formats[] = {FDX_FORMAT_NTRIPLES, FDX_FORMAT_TURTLE,
                               FDX_FORMAT_RDFXML, FDX_FORMAT_JSONLD};
  const FdxTerm   s = iri(EX "s");
  const FdxTerm   p = iri(EX "p");
  const FdxTerm   o = lit("o", NULL, NULL);
  for (size_t f = 0; f < 4; ++f) {
    Buf              doc = {0};
    FdxTripleWriter* w   = NULL;
    doc.fail_at          = 1;
    CHECK_ST(fdx_triple_writer_new(formats[f], buf_write, &doc, &w),
             FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS); /* buffered */
    CHECK_ST(fdx_triple_writer_flush(w), FDX_ERR_IO);
    CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_ERR_IO);
    CHECK_ST(fdx_triple_writer_prefix(w, "x", EX), FDX_ERR_IO);
    CHECK_ST(fdx_triple_writer_end(w), FDX_ERR_IO);
    CHECK_ST(fdx_triple_writer_flush(w), FDX_ERR_IO);
    CHECK(doc.calls == 1);
    fdx_triple_writer_free(w);
    buf_free(&doc);

    /* A failure inside a long run of writes is seen by add(). */
    Buf big = {0};
    big.fail_at = 2;
    CHECK_ST(fdx_triple_writer_new(formats[f], buf_write, &big, &w),
             FDX_SUCCESS);
    FdxStatus st = FDX_SUCCESS;
    for (int i = 0; i < 100000 && !st; ++i) {
      st = fdx_triple_writer_add(w, &s, &p, &o);
    }
    CHECK_ST(st, FDX_ERR_IO);
    CHECK(big.calls == 2);
    fdx_triple_writer_free(w);
    buf_free(&big);
  }
}

/* flush() hands everything over; in JSON-LD it closes the node object. */
static void
test_flush(void)
{
  const FdxTerm s  = iri(EX "s");
  const FdxTerm p  = iri(EX "p");
  const FdxTerm o1 = lit("one", NULL, NULL);
  const FdxTerm o2 = lit("two", NULL, NULL);
  const FdxFormat formats[] = {FDX_FORMAT_NTRIPLES, FDX_FORMAT_TURTLE,
                               FDX_FORMAT_RDFXML, FDX_FORMAT_JSONLD};
  for (size_t f = 0; f < 4; ++f) {
    Buf              doc = {0};
    FdxTripleWriter* w   = NULL;
    CHECK_ST(fdx_triple_writer_new(formats[f], buf_write, &doc, &w),
             FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o1), FDX_SUCCESS);
    CHECK(doc.calls == 0);
    CHECK_ST(fdx_triple_writer_flush(w), FDX_SUCCESS);
    CHECK(contains(&doc, "one"));
    CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o2), FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
    CHECK_ST(fdx_triple_writer_flush(w), FDX_SUCCESS);
    Graph g = {0};
    CHECK(formats[f] == FDX_FORMAT_JSONLD
            ? jsonld_read(&doc, &g)
            : raptor_read(fdx_format_name(formats[f]), &doc, &g));
    CHECK(g.n == 2);
    if (formats[f] == FDX_FORMAT_TURTLE) {
      CHECK(contains(&doc, "ex:s ex:p \"one\", \"two\" .\n") ||
            contains(&doc, "<" EX "s> <" EX "p> \"one\", \"two\" .\n"));
    }
    if (formats[f] == FDX_FORMAT_JSONLD) {
      CHECK(jsonld_lines_ok(&doc));
      CHECK(contains(&doc, "}]},\n{\"@id\": \"" EX "s\""));
    }
    graph_free(&g);
    fdx_triple_writer_free(w);
    buf_free(&doc);
  }
}

/* A long run of one subject: node objects of at most
 * FDX_JSONLD_NODE_TRIPLES triples, all with the same @id. */
static void
test_jsonld_node_cap(void)
{
  Buf              doc = {0};
  FdxTripleWriter* w   = NULL;
  CHECK_ST(fdx_triple_writer_new(FDX_FORMAT_JSONLD, buf_write, &doc, &w),
           FDX_SUCCESS);
  const FdxTerm s = iri(EX "s");
  const size_t  n = 2 * FDX_JSONLD_NODE_TRIPLES + 10;
  Graph         want = {0};
  for (size_t i = 0; i < n; ++i) {
    char pn[64], on[64];
    snprintf(pn, sizeof(pn), EX "p%zu", i % 3);
    snprintf(on, sizeof(on), "%zu", i);
    const FdxTerm p = iri(pn);
    const FdxTerm o = lit(on, NULL, XSD "integer");
    CHECK_ST(fdx_triple_writer_add(w, &s, &p, &o), FDX_SUCCESS);
    graph_add(&want, from_fdx(&s), from_fdx(&p), from_fdx(&o));
  }
  CHECK_ST(fdx_triple_writer_end(w), FDX_SUCCESS);
  CHECK(jsonld_lines_ok(&doc));
  size_t nodes = 0;
  for (const char* c = doc.data; (c = strstr(c, "{\"@id\": ")); ++c) {
    ++nodes;
  }
  CHECK(nodes == 3);
  Graph got = {0};
  CHECK(jsonld_read(&doc, &got));
  CHECK(same_graph("jsonld cap", &got, &want));
  graph_free(&got);
  graph_free(&want);
  fdx_triple_writer_free(w);
  buf_free(&doc);
}

/* fdx_dump() through the triple writer, and the format names. */
static void
test_dump_and_names(void)
{
  CHECK(fdx_format_from_name("jsonld") == FDX_FORMAT_JSONLD);
  CHECK(fdx_format_from_name("JSON-LD") == FDX_FORMAT_JSONLD);
  CHECK(fdx_format_from_path("x/cat.jsonld") == FDX_FORMAT_JSONLD);
  CHECK(!strcmp(fdx_format_name(FDX_FORMAT_JSONLD), "jsonld"));
  CHECK(!fdx_format_has_graphs(FDX_FORMAT_JSONLD));
  CHECK(!strcmp(fdx_format_media_type(FDX_FORMAT_JSONLD),
                "application/ld+json"));
  CHECK(!strcmp(fdx_format_media_type(FDX_FORMAT_RDFXML),
                "application/rdf+xml"));
  CHECK(!strcmp(fdx_format_media_type(FDX_FORMAT_TURTLE), "text/turtle"));
  CHECK(!strcmp(fdx_format_media_type(FDX_FORMAT_NTRIPLES),
                "application/n-triples"));
  CHECK(!strcmp(fdx_format_media_type(FDX_FORMAT_UNKNOWN),
                "application/octet-stream"));

  make_tmp_root("triple-writer");
  char path[4200];
  snprintf(path, sizeof(path), "%s/in.nq", tmp_root);
  FILE* const f = fopen(path, "w");
  REQUIRE(f);
  fputs("<" EX "a> <" EX "p> \"x\"@en <" EX "g1> .\n"
        "<" EX "a> <" EX "p> \"x\"@en <" EX "g2> .\n"
        "<" EX "a> <" RDF "type> <" EX "T> .\n"
        "<" EX "a> <" EX "q> _:b .\n"
        "_:b <" EX "r> \"42\"^^<" XSD "integer> <" EX "g1> .\n",
        f);
  fclose(f);
  FdxStore* const store = open_store("dump", FDX_STORE_CREATE, 0, 0);
  FdxError        err;
  memset(&err, 0, sizeof(err));
  CHECK_ST(fdx_load_file(store, path, NULL, NULL, &err), FDX_SUCCESS);

  /* N-Quads loaded as JSON-LD is not JSON: a syntax error at line 1, and
   * nothing loaded (the dump below still has the 4 triples). */
  FdxLoadOptions lo;
  memset(&lo, 0, sizeof(lo));
  lo.format = FDX_FORMAT_JSONLD;
  CHECK_ST(fdx_load_file(store, path, &lo, NULL, &err), FDX_ERR_SYNTAX);
  CHECK(err.line == 1);

  FdxTxn* const txn = begin(store, 0);
  Buf           nt  = {0};
  CHECK_ST(fdx_dump(txn, FDX_FORMAT_NTRIPLES, FDX_ID_ANY, buf_write, &nt),
           FDX_SUCCESS);
  Graph want = {0};
  CHECK(raptor_read("ntriples", &nt, &want));
  CHECK(want.n == 4); /* the union: the triple in two graphs counts once */
  const FdxFormat formats[] = {FDX_FORMAT_RDFXML, FDX_FORMAT_JSONLD};
  for (size_t i = 0; i < 2; ++i) {
    Buf doc = {0};
    CHECK_ST(fdx_dump(txn, formats[i], FDX_ID_ANY, buf_write, &doc),
             FDX_SUCCESS);
    Graph got = {0};
    CHECK(formats[i] == FDX_FORMAT_JSONLD ? jsonld_read(&doc, &got)
                                          : raptor_read("rdfxml", &doc, &got));
    CHECK(same_graph(fdx_format_name(formats[i]), &got, &want));
    graph_free(&got);
    buf_free(&doc);
  }
  CHECK_ST(fdx_dump(txn, FDX_FORMAT_UNKNOWN, FDX_ID_ANY, buf_write, &nt),
           FDX_ERR_BAD_ARG);
  graph_free(&want);
  buf_free(&nt);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

int
main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_round_trip();
  test_layout();
  test_ntriples_escapes();
  test_rdfxml_refusals();
  test_utf8_repair();
  test_arguments();
  test_prefixes();
  test_empty();
  test_write_failure();
  test_flush();
  test_jsonld_node_cap();
  test_dump_and_names();
  return test_finish("triple_writer");
}
