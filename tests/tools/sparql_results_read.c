/*
 * sparql_results_read.c: test-only readers for SPARQL query results (SRX,
 * SRJ, TSV, CSV), the in-memory result set they fill, and the comparator;
 * see sparql_results_read.h for what each accepts and what "equal" means.
 *
 * The comparator works on a coded copy of both results: every bound cell
 * that is not a blank node gets the number of its equivalence class of
 * terms (the terms of both results sorted together), every blank node a
 * number of its own per result.  Rows then compare as integers.  For bags
 * of rows, blank nodes are coloured by colour refinement (a blank node's
 * colour is rehashed from the rows it occurs in, with the colours of the
 * other blank nodes there, until the number of colours stops growing).
 * The colouring is the same function of both results, so equal answers get
 * equal multisets of row signatures (blank nodes replaced by colours);
 * that is checked by sorting.  A backtracking search then pairs each row
 * holding blank nodes with an unused row of the same signature whose blank
 * nodes fit the bijection built so far.  Only that search can say "equal"
 * for rows with blank nodes, so hash collisions cost time, never
 * correctness.
 */
#include "sparql_results_read.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSD              "http://www.w3.org/2001/XMLSchema#"
#define SRX_NS           "http://www.w3.org/2005/sparql-results#"
#define SEARCH_LIMIT     50000000ull /* backtracking steps before giving up */
#define MAX_REFINEMENTS  16

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static FdxStatus
fail(char* const       why,
     const size_t      why_len,
     const FdxStatus   st,
     const char* const fmt,
     ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

static FdxStatus
fail(char* const       why,
     const size_t      why_len,
     const FdxStatus   st,
     const char* const fmt,
     ...)
{
  if (why && why_len) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, why_len, fmt, args);
    va_end(args);
  }
  return st;
}

static char*
dup_bytes(const char* const s, const size_t n)
{
  char* const d = (char*)malloc(n + 1);
  if (d) {
    if (n) {
      memcpy(d, s, n);
    }
    d[n] = '\0';
  }
  return d;
}

static char
lower(const char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool
bytes_are(const char* const s, const size_t n, const char* const lit)
{
  const size_t ln = strlen(lit);
  return n == ln && (!n || !memcmp(s, lit, n));
}

/* A growable byte buffer for decoded strings. */
typedef struct {
  char*  p;
  size_t n;
  size_t cap;
} Buf;

static bool
buf_add(Buf* const b, const char* const s, const size_t n)
{
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n + 1) {
      cap *= 2;
    }
    char* const p = (char*)realloc(b->p, cap);
    if (!p) {
      return false;
    }
    b->p   = p;
    b->cap = cap;
  }
  if (n) {
    memcpy(b->p + b->n, s, n);
  }
  b->n += n;
  b->p[b->n] = '\0';
  return true;
}

static bool
buf_add_utf8(Buf* const b, const uint32_t cp)
{
  char   u[4];
  size_t n = 0;
  if (cp < 0x80) {
    u[n++] = (char)cp;
  } else if (cp < 0x800) {
    u[n++] = (char)(0xC0 | (cp >> 6));
    u[n++] = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    u[n++] = (char)(0xE0 | (cp >> 12));
    u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[n++] = (char)(0x80 | (cp & 0x3F));
  } else {
    u[n++] = (char)(0xF0 | (cp >> 18));
    u[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[n++] = (char)(0x80 | (cp & 0x3F));
  }
  return buf_add(b, u, n);
}

/* ------------------------------------------------------------------------
 * Result sets
 * --------------------------------------------------------------------- */

SrResults*
sr_results_new(void)
{
  return (SrResults*)calloc(1, sizeof(SrResults));
}

static void
term_clear(FdxTerm* const t)
{
  free((void*)t->value);
  free((void*)t->lang);
  free((void*)t->datatype);
  memset(t, 0, sizeof(*t));
}

static void
clear_rows(SrResults* const r)
{
  for (size_t i = 0; i < r->n_rows * r->n_vars; ++i) {
    term_clear(&r->cells[i]);
  }
  free(r->cells);
  r->cells    = NULL;
  r->n_rows   = 0;
  r->cap_rows = 0;
}

static void
clear_vars(SrResults* const r)
{
  for (size_t i = 0; i < r->n_vars; ++i) {
    free(r->vars[i]);
  }
  free(r->vars);
  r->vars   = NULL;
  r->n_vars = 0;
}

void
sr_results_free(SrResults* const r)
{
  if (r) {
    clear_rows(r);
    clear_vars(r);
    free(r);
  }
}

FdxStatus
sr_results_add_var(SrResults* const r, const char* const name, const size_t len)
{
  if (!r || r->n_rows || r->is_boolean) {
    return FDX_ERR_BAD_ARG;
  }
  for (size_t i = 0; i < r->n_vars; ++i) {
    if (bytes_are(name, len, r->vars[i])) {
      return FDX_ERR_BAD_ARG;
    }
  }
  char** const vars =
    (char**)realloc(r->vars, (r->n_vars + 1) * sizeof(char*));
  if (!vars) {
    return FDX_ERR_NO_MEMORY;
  }
  r->vars = vars;
  if (!(r->vars[r->n_vars] = dup_bytes(name, len))) {
    return FDX_ERR_NO_MEMORY;
  }
  ++r->n_vars;
  return FDX_SUCCESS;
}

static bool
term_copy(FdxTerm* const dst, const FdxTerm* const src)
{
  memset(dst, 0, sizeof(*dst));
  dst->kind = src->kind;
  if (!(dst->value = dup_bytes(src->value, src->value_len))) {
    return false;
  }
  dst->value_len = src->value_len;
  if (src->kind == FDX_TERM_LITERAL && src->lang && src->lang_len) {
    if (!(dst->lang = dup_bytes(src->lang, src->lang_len))) {
      term_clear(dst);
      return false;
    }
    dst->lang_len = src->lang_len;
  } else if (src->kind == FDX_TERM_LITERAL && src->datatype &&
             src->datatype_len) {
    if (!(dst->datatype = dup_bytes(src->datatype, src->datatype_len))) {
      term_clear(dst);
      return false;
    }
    dst->datatype_len = src->datatype_len;
  }
  return true;
}

FdxStatus
sr_results_add_row(SrResults* const r, const FdxTerm* const* const values)
{
  if (!r || r->is_boolean || (r->n_vars && !values)) {
    return FDX_ERR_BAD_ARG;
  }
  if (r->n_rows == r->cap_rows) {
    const size_t cap   = r->cap_rows ? r->cap_rows * 2 : 16;
    const size_t bytes = cap * (r->n_vars ? r->n_vars : 1) * sizeof(FdxTerm);
    FdxTerm* const cells = (FdxTerm*)realloc(r->cells, bytes);
    if (!cells) {
      return FDX_ERR_NO_MEMORY;
    }
    r->cells    = cells;
    r->cap_rows = cap;
  }
  FdxTerm* const row = r->cells + r->n_rows * r->n_vars;
  for (size_t i = 0; i < r->n_vars; ++i) {
    memset(&row[i], 0, sizeof(row[i]));
    if (values[i] && !term_copy(&row[i], values[i])) {
      for (size_t j = 0; j < i; ++j) {
        term_clear(&row[j]);
      }
      return FDX_ERR_NO_MEMORY;
    }
  }
  ++r->n_rows;
  return FDX_SUCCESS;
}

const FdxTerm*
sr_results_get(const SrResults* const r, const size_t row, const size_t var)
{
  const FdxTerm* const t = &r->cells[row * r->n_vars + var];
  return t->kind ? t : NULL;
}

/* CSV and TSV write an ASK result as one column _askResult: read it back
 * as a boolean. */
static void
detect_ask(SrResults* const r)
{
  if (r->n_vars != 1 || strcmp(r->vars[0], "_askResult") || r->n_rows != 1) {
    return;
  }
  const FdxTerm* const t = sr_results_get(r, 0, 0);
  if (!t || t->kind != FDX_TERM_LITERAL || t->lang_len) {
    return;
  }
  const bool yes = bytes_are(t->value, t->value_len, "true");
  if (!yes && !bytes_are(t->value, t->value_len, "false")) {
    return;
  }
  clear_rows(r);
  clear_vars(r);
  r->is_boolean = true;
  r->boolean    = yes;
}

bool
sr_format_from_path(const char* const path, FdxResultsFormat* const ret)
{
  const char* const dot = strrchr(path, '.');
  if (!dot || strchr(dot, '/')) {
    return false;
  }
  char ext[8] = {0};
  for (size_t i = 0; i < sizeof(ext) - 1 && dot[1 + i]; ++i) {
    ext[i] = lower(dot[1 + i]);
  }
  if (!strcmp(ext, "srx") || !strcmp(ext, "xml")) {
    *ret = FDX_RESULTS_XML;
  } else if (!strcmp(ext, "srj") || !strcmp(ext, "json")) {
    *ret = FDX_RESULTS_JSON;
  } else if (!strcmp(ext, "tsv")) {
    *ret = FDX_RESULTS_TSV;
  } else if (!strcmp(ext, "csv")) {
    *ret = FDX_RESULTS_CSV;
  } else {
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------------
 * JSON (jansson)
 * --------------------------------------------------------------------- */

static FdxStatus
json_term(json_t* const v, FdxTerm* const t, char* const why, const size_t wl)
{
  json_t* const type  = json_object_get(v, "type");
  json_t* const value = json_object_get(v, "value");
  if (!json_is_object(v) || !json_is_string(type) || !json_is_string(value)) {
    return fail(why, wl, FDX_ERR_SYNTAX, "a term needs \"type\" and \"value\"");
  }
  const char* const ty = json_string_value(type);
  memset(t, 0, sizeof(*t));
  t->value     = json_string_value(value);
  t->value_len = json_string_length(value);
  if (!strcmp(ty, "uri")) {
    t->kind = FDX_TERM_IRI;
  } else if (!strcmp(ty, "bnode")) {
    t->kind = FDX_TERM_BLANK;
  } else if (!strcmp(ty, "literal") || !strcmp(ty, "typed-literal")) {
    t->kind = FDX_TERM_LITERAL;
  } else {
    return fail(why, wl, FDX_ERR_SYNTAX, "unknown term type \"%s\"", ty);
  }
  json_t* const lang = json_object_get(v, "xml:lang");
  json_t* const dt   = json_object_get(v, "datatype");
  if ((lang || dt) && t->kind != FDX_TERM_LITERAL) {
    return fail(why, wl, FDX_ERR_SYNTAX, "language or datatype on a %s", ty);
  }
  if ((lang && !json_is_string(lang)) || (dt && !json_is_string(dt)) ||
      (lang && dt)) {
    return fail(why, wl, FDX_ERR_SYNTAX, "bad \"xml:lang\" or \"datatype\"");
  }
  if (lang) {
    t->lang     = json_string_value(lang);
    t->lang_len = json_string_length(lang);
  }
  if (dt) {
    t->datatype     = json_string_value(dt);
    t->datatype_len = json_string_length(dt);
  }
  return FDX_SUCCESS;
}

static FdxStatus
read_json(const char* const bytes,
          const size_t      len,
          SrResults* const  r,
          char* const       why,
          const size_t      wl)
{
  json_error_t jerr;
  json_t* const root =
    json_loadb(bytes, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
  if (!root) {
    return fail(why, wl, FDX_ERR_SYNTAX, "JSON %d:%d: %s", jerr.line,
                jerr.column, jerr.text);
  }
  FdxStatus       st   = FDX_SUCCESS;
  FdxTerm*        tmp  = NULL;
  const FdxTerm** ptrs = NULL;
  json_t* const   head = json_object_get(root, "head");
  json_t* const   boo  = json_object_get(root, "boolean");
  if (!json_is_object(root) || !json_is_object(head)) {
    st = fail(why, wl, FDX_ERR_SYNTAX, "no \"head\" object");
    goto done;
  }
  if (boo) {
    if (!json_is_boolean(boo)) {
      st = fail(why, wl, FDX_ERR_SYNTAX, "\"boolean\" is not true or false");
      goto done;
    }
    r->is_boolean = true;
    r->boolean    = json_is_true(boo);
    goto done;
  }
  json_t* const vars = json_object_get(head, "vars");
  if (!json_is_array(vars)) {
    st = fail(why, wl, FDX_ERR_SYNTAX, "no \"head\".\"vars\" array");
    goto done;
  }
  for (size_t i = 0; i < json_array_size(vars); ++i) {
    json_t* const v = json_array_get(vars, i);
    if (!json_is_string(v)) {
      st = fail(why, wl, FDX_ERR_SYNTAX, "a variable name is not a string");
      goto done;
    }
    if ((st = sr_results_add_var(r, json_string_value(v),
                                 json_string_length(v)))) {
      fail(why, wl, st, "repeated variable \"%s\"", json_string_value(v));
      goto done;
    }
  }
  json_t* const results  = json_object_get(root, "results");
  json_t* const bindings = json_object_get(results, "bindings");
  if (!json_is_object(results) || !json_is_array(bindings)) {
    st = fail(why, wl, FDX_ERR_SYNTAX, "no \"results\".\"bindings\" array");
    goto done;
  }
  tmp  = (FdxTerm*)calloc(r->n_vars + 1, sizeof(FdxTerm));
  ptrs = (const FdxTerm**)calloc(r->n_vars + 1, sizeof(FdxTerm*));
  if (!tmp || !ptrs) {
    st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  for (size_t row = 0; row < json_array_size(bindings); ++row) {
    json_t* const b = json_array_get(bindings, row);
    if (!json_is_object(b)) {
      st = fail(why, wl, FDX_ERR_SYNTAX, "binding %zu is not an object", row);
      goto done;
    }
    memset(ptrs, 0, r->n_vars * sizeof(FdxTerm*));
    const char* key = NULL;
    json_t*     val = NULL;
    json_object_foreach(b, key, val)
    {
      size_t v = 0;
      while (v < r->n_vars && strcmp(r->vars[v], key)) {
        ++v;
      }
      if (v == r->n_vars) {
        st = fail(why, wl, FDX_ERR_SYNTAX,
                  "binding %zu names undeclared variable \"%s\"", row, key);
        goto done;
      }
      if ((st = json_term(val, &tmp[v], why, wl))) {
        goto done;
      }
      ptrs[v] = &tmp[v];
    }
    if ((st = sr_results_add_row(r, ptrs))) {
      goto done;
    }
  }
done:
  free(tmp);
  free(ptrs);
  json_decref(root);
  return st;
}

/* ------------------------------------------------------------------------
 * XML (libxml2)
 * --------------------------------------------------------------------- */

static bool
is_el(const xmlNode* const n, const char* const name)
{
  return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         !strcmp((const char*)n->ns->href, SRX_NS) &&
         !strcmp((const char*)n->name, name);
}

/* Only whitespace, comments and processing instructions may sit between
 * the elements of the format. */
static bool
is_ignorable(const xmlNode* const n)
{
  if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
    return true;
  }
  if (n->type != XML_TEXT_NODE) {
    return false;
  }
  for (const xmlChar* c = n->content; c && *c; ++c) {
    if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') {
      return false;
    }
  }
  return true;
}

static FdxStatus
xml_binding(const xmlNode* const b,
            FdxTerm* const       t,
            xmlChar** const      owned, /* 3 strings to free */
            char* const          why,
            const size_t         wl)
{
  const xmlNode* el = NULL;
  for (const xmlNode* c = b->children; c; c = c->next) {
    if (is_ignorable(c)) {
      continue;
    }
    if (el || c->type != XML_ELEMENT_NODE) {
      return fail(why, wl, FDX_ERR_SYNTAX, "line %d: a binding holds one term",
                  c->line);
    }
    el = c;
  }
  if (!el) {
    return fail(why, wl, FDX_ERR_SYNTAX, "line %d: empty binding", b->line);
  }
  memset(t, 0, sizeof(*t));
  if (is_el(el, "uri")) {
    t->kind = FDX_TERM_IRI;
  } else if (is_el(el, "bnode")) {
    t->kind = FDX_TERM_BLANK;
  } else if (is_el(el, "literal")) {
    t->kind = FDX_TERM_LITERAL;
  } else if (is_el(el, "unbound")) {
    return FDX_FAILURE;
  } else {
    return fail(why, wl, FDX_ERR_SYNTAX, "line %d: unknown term <%s>",
                el->line, (const char*)el->name);
  }
  for (const xmlNode* c = el->children; c; c = c->next) {
    if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE &&
        c->type != XML_COMMENT_NODE) {
      return fail(why, wl, FDX_ERR_SYNTAX, "line %d: markup inside a term",
                  c->line);
    }
  }
  owned[0] = xmlNodeGetContent(el);
  if (!owned[0]) {
    owned[0] = xmlStrdup((const xmlChar*)"");
  }
  t->value     = (const char*)owned[0];
  t->value_len = strlen(t->value);
  if (t->kind == FDX_TERM_LITERAL) {
    owned[1] = xmlGetNsProp(el, (const xmlChar*)"lang", XML_XML_NAMESPACE);
    owned[2] = xmlGetNoNsProp(el, (const xmlChar*)"datatype");
    if (owned[1] && owned[2]) {
      return fail(why, wl, FDX_ERR_SYNTAX,
                  "line %d: literal with language and datatype", el->line);
    }
    if (owned[1]) {
      t->lang     = (const char*)owned[1];
      t->lang_len = strlen(t->lang);
    }
    if (owned[2]) {
      t->datatype     = (const char*)owned[2];
      t->datatype_len = strlen(t->datatype);
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
xml_result(const xmlNode* const res,
           SrResults* const     r,
           FdxTerm* const       tmp,
           const FdxTerm** const ptrs,
           xmlChar** const      owned,
           char* const          why,
           const size_t         wl)
{
  FdxStatus st = FDX_SUCCESS;
  memset(ptrs, 0, r->n_vars * sizeof(FdxTerm*));
  for (const xmlNode* b = res->children; b && !st; b = b->next) {
    if (is_ignorable(b)) {
      continue;
    }
    if (!is_el(b, "binding")) {
      return fail(why, wl, FDX_ERR_SYNTAX, "line %d: not a <binding>",
                  b->line);
    }
    xmlChar* const name = xmlGetNoNsProp(b, (const xmlChar*)"name");
    size_t         v    = 0;
    while (name && v < r->n_vars && strcmp(r->vars[v], (const char*)name)) {
      ++v;
    }
    if (!name || v == r->n_vars || ptrs[v]) {
      st = fail(why, wl, FDX_ERR_SYNTAX,
                "line %d: binding of an undeclared or repeated variable %s",
                b->line, name ? (const char*)name : "(no name)");
      xmlFree(name);
      break;
    }
    xmlFree(name);
    xmlChar** const mine = owned + 3 * v;
    st                   = xml_binding(b, &tmp[v], mine, why, wl);
    if (st == FDX_SUCCESS) {
      ptrs[v] = &tmp[v];
    } else if (st == FDX_FAILURE) {
      st = FDX_SUCCESS; /* <unbound/> */
    }
  }
  if (!st) {
    st = sr_results_add_row(r, ptrs);
  }
  for (size_t i = 0; i < 3 * r->n_vars; ++i) {
    xmlFree(owned[i]);
    owned[i] = NULL;
  }
  return st;
}

static FdxStatus
read_xml(const char* const bytes,
         const size_t      len,
         SrResults* const  r,
         char* const       why,
         const size_t      wl)
{
  if (len > INT32_MAX) {
    return fail(why, wl, FDX_ERR_SYNTAX, "document too large");
  }
  xmlResetLastError();
  xmlDoc* const doc =
    xmlReadMemory(bytes, (int)len, "results.srx", NULL,
                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) {
    const xmlError* const e = xmlGetLastError();
    fail(why, wl, FDX_ERR_SYNTAX, "XML line %d: %s", e ? e->line : 0,
         e && e->message ? e->message : "parse error");
    const size_t k = why ? strlen(why) : 0;
    if (k && why[k - 1] == '\n') {
      why[k - 1] = '\0';
    }
    return FDX_ERR_SYNTAX;
  }
  FdxStatus       st    = FDX_SUCCESS;
  FdxTerm*        tmp   = NULL;
  const FdxTerm** ptrs  = NULL;
  xmlChar**       owned = NULL;
  const xmlNode*  root  = xmlDocGetRootElement(doc);
  bool            seen_results = false;
  if (!root || !is_el(root, "sparql")) {
    st = fail(why, wl, FDX_ERR_SYNTAX, "the root is not <sparql> in " SRX_NS);
    goto done;
  }
  for (const xmlNode* n = root->children; n && !st; n = n->next) {
    if (is_ignorable(n)) {
      continue;
    }
    if (is_el(n, "head")) {
      for (const xmlNode* v = n->children; v && !st; v = v->next) {
        if (is_ignorable(v) || is_el(v, "link")) {
          continue;
        }
        xmlChar* const name = xmlGetNoNsProp(v, (const xmlChar*)"name");
        if (!is_el(v, "variable") || !name) {
          st = fail(why, wl, FDX_ERR_SYNTAX, "line %d: bad <head> content",
                    v->line);
        } else if ((st = sr_results_add_var(r, (const char*)name,
                                            strlen((const char*)name)))) {
          fail(why, wl, st, "line %d: repeated variable %s", v->line,
               (const char*)name);
        }
        xmlFree(name);
      }
    } else if (is_el(n, "boolean")) {
      xmlChar* const c = xmlNodeGetContent(n);
      const char*    s = c ? (const char*)c : "";
      while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
        ++s;
      }
      size_t k = strlen(s);
      while (k && (s[k - 1] == ' ' || s[k - 1] == '\n' || s[k - 1] == '\t' ||
                   s[k - 1] == '\r')) {
        --k;
      }
      if (bytes_are(s, k, "true") || bytes_are(s, k, "false")) {
        r->is_boolean = true;
        r->boolean    = bytes_are(s, k, "true");
      } else {
        st = fail(why, wl, FDX_ERR_SYNTAX, "line %d: <boolean> is not "
                  "true or false", n->line);
      }
      xmlFree(c);
    } else if (is_el(n, "results")) {
      seen_results = true;
      tmp          = (FdxTerm*)calloc(r->n_vars + 1, sizeof(FdxTerm));
      ptrs  = (const FdxTerm**)calloc(r->n_vars + 1, sizeof(FdxTerm*));
      owned = (xmlChar**)calloc(3 * r->n_vars + 1, sizeof(xmlChar*));
      if (!tmp || !ptrs || !owned) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      for (const xmlNode* res = n->children; res && !st; res = res->next) {
        if (is_ignorable(res)) {
          continue;
        }
        if (!is_el(res, "result")) {
          st = fail(why, wl, FDX_ERR_SYNTAX, "line %d: not a <result>",
                    res->line);
          break;
        }
        st = xml_result(res, r, tmp, ptrs, owned, why, wl);
      }
    } else {
      st = fail(why, wl, FDX_ERR_SYNTAX, "line %d: unexpected <%s>", n->line,
                (const char*)n->name);
    }
  }
  if (!st && r->is_boolean == seen_results) {
    st = fail(why, wl, FDX_ERR_SYNTAX,
              "need exactly one of <results> and <boolean>");
  }
done:
  free(tmp);
  free(ptrs);
  free(owned);
  xmlFreeDoc(doc);
  return st;
}

/* ------------------------------------------------------------------------
 * TSV
 * --------------------------------------------------------------------- */

static int
hex_value(const char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/* Decode a \u or \U escape at s[i] == 'u' or 'U' into `b`; advance *i. */
static bool
uchar(const char* const s, const size_t n, size_t* const i, Buf* const b)
{
  const size_t digits = s[*i] == 'u' ? 4 : 8;
  if (*i + digits >= n) {
    return false;
  }
  uint32_t cp = 0;
  for (size_t k = 1; k <= digits; ++k) {
    const int h = hex_value(s[*i + k]);
    if (h < 0) {
      return false;
    }
    cp = cp * 16 + (uint32_t)h;
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return false;
  }
  *i += digits + 1;
  return buf_add_utf8(b, cp);
}

/* Decode the IRI between '<' and '>' (s is after '<'), up to `n` bytes;
 * sets *used to the bytes consumed, '>' included. */
static bool
tsv_iri(const char* const s, const size_t n, Buf* const b, size_t* const used)
{
  size_t i = 0;
  while (i < n && s[i] != '>') {
    if (s[i] == '\\') {
      ++i;
      if (i >= n || (s[i] != 'u' && s[i] != 'U') || !uchar(s, n, &i, b)) {
        return false;
      }
      continue;
    }
    if (s[i] == '<' || (unsigned char)s[i] <= 0x20 || !buf_add(b, &s[i], 1)) {
      return false;
    }
    ++i;
  }
  if (i >= n) {
    return false;
  }
  *used = i + 1;
  return true;
}

/* Turtle's number tokens; see results_write.c. */
static const char*
tsv_number_type(const char* const s, const size_t n)
{
  size_t i = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  size_t a = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++a;
  }
  bool   dot = false;
  size_t f   = 0;
  if (i < n && s[i] == '.') {
    dot = true;
    for (++i; i < n && s[i] >= '0' && s[i] <= '9'; ++i) {
      ++f;
    }
  }
  if (i == n) {
    return !dot ? (a ? XSD "integer" : NULL) : (f ? XSD "decimal" : NULL);
  }
  if (s[i] != 'e' && s[i] != 'E') {
    return NULL;
  }
  ++i;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  size_t e = 0;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; ++i) {
    ++e;
  }
  return (i == n && e && (a || f)) ? XSD "double" : NULL;
}

/* Parse one TSV field as a term, into strings owned by `t` (kind 0 for an
 * empty field). */
static FdxStatus
tsv_term(const char* const s,
         const size_t      n,
         FdxTerm* const    t,
         char* const       why,
         const size_t      wl)
{
  memset(t, 0, sizeof(*t));
  if (!n) {
    return FDX_SUCCESS;
  }
  Buf       v  = {NULL, 0, 0};
  Buf       x  = {NULL, 0, 0}; /* language or datatype */
  FdxStatus st = FDX_ERR_SYNTAX;
  if (s[0] == '<') {
    size_t used = 0;
    if (tsv_iri(s + 1, n - 1, &v, &used) && used == n - 1) {
      t->kind = FDX_TERM_IRI;
      st      = FDX_SUCCESS;
    }
  } else if (n > 2 && s[0] == '_' && s[1] == ':') {
    if (buf_add(&v, s + 2, n - 2)) {
      t->kind = FDX_TERM_BLANK;
      st      = FDX_SUCCESS;
    }
  } else if (s[0] == '"' || s[0] == '\'') {
    const char q  = s[0];
    size_t     i  = 1;
    bool       ok = buf_add(&v, "", 0);
    while (ok && i < n && s[i] != q) {
      if (s[i] != '\\') {
        ok = buf_add(&v, &s[i++], 1);
        continue;
      }
      if (++i >= n) {
        ok = false;
        break;
      }
      const char* const from = "tbnrf\"'\\";
      const char* const to   = "\t\b\n\r\f\"'\\";
      const char* const e    = strchr(from, s[i]);
      if (e && s[i]) {
        ok = buf_add(&v, &to[e - from], 1);
        ++i;
      } else if (s[i] == 'u' || s[i] == 'U') {
        ok = uchar(s, n, &i, &v);
      } else {
        ok = false;
      }
    }
    if (ok && i < n) {
      ++i; /* the closing quote */
      t->kind = FDX_TERM_LITERAL;
      if (i == n) {
        st = FDX_SUCCESS;
      } else if (s[i] == '@' && i + 1 < n) {
        if (buf_add(&x, s + i + 1, n - i - 1)) {
          t->lang     = x.p;
          t->lang_len = x.n;
          x.p         = NULL;
          st          = FDX_SUCCESS;
        }
      } else if (n - i > 3 && s[i] == '^' && s[i + 1] == '^' &&
                 s[i + 2] == '<') {
        size_t used = 0;
        if (tsv_iri(s + i + 3, n - i - 3, &x, &used) && used == n - i - 3) {
          t->datatype     = x.p;
          t->datatype_len = x.n;
          x.p             = NULL;
          st              = FDX_SUCCESS;
        }
      }
    }
  } else {
    const char* dt = tsv_number_type(s, n);
    if (bytes_are(s, n, "true") || bytes_are(s, n, "false")) {
      dt = XSD "boolean";
    }
    if (dt && buf_add(&v, s, n)) {
      t->kind         = FDX_TERM_LITERAL;
      t->datatype     = dup_bytes(dt, strlen(dt));
      t->datatype_len = strlen(dt);
      st              = t->datatype ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
    }
  }
  free(x.p);
  if (st) {
    free(v.p);
    free((void*)t->lang);
    free((void*)t->datatype);
    memset(t, 0, sizeof(*t));
    return fail(why, wl, st, "not a term: %.*s", (int)(n < 60 ? n : 60), s);
  }
  t->value     = v.p ? v.p : dup_bytes("", 0);
  t->value_len = v.n;
  return t->value ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
}

/* The next line of `s` from *pos: its start and length without the line
 * end (LF or CRLF).  False at the end; a final line end does not start an
 * empty line. */
static bool
next_line(const char* const s,
          const size_t      len,
          size_t* const     pos,
          const char** const ret_line,
          size_t* const      ret_n)
{
  if (*pos >= len) {
    return false;
  }
  const char* const start = s + *pos;
  const char* const nl    = (const char*)memchr(start, '\n', len - *pos);
  size_t            n     = nl ? (size_t)(nl - start) : len - *pos;
  *pos += n + (nl ? 1 : 0);
  if (n && start[n - 1] == '\r') {
    --n;
  }
  *ret_line = start;
  *ret_n    = n;
  return true;
}

static FdxStatus
read_tsv(const char* const bytes,
         const size_t      len,
         SrResults* const  r,
         char* const       why,
         const size_t      wl)
{
  size_t      pos  = 0;
  const char* line = NULL;
  size_t      n    = 0;
  if (!next_line(bytes, len, &pos, &line, &n)) {
    return fail(why, wl, FDX_ERR_SYNTAX, "no header line");
  }
  FdxStatus st = FDX_SUCCESS;
  for (size_t i = 0; n && i <= n && !st;) {
    const char* const tab = (const char*)memchr(line + i, '\t', n - i);
    const size_t      end = tab ? (size_t)(tab - line) : n;
    if (end - i < 2 || (line[i] != '?' && line[i] != '$')) {
      return fail(why, wl, FDX_ERR_SYNTAX, "bad header field %zu", r->n_vars);
    }
    if ((st = sr_results_add_var(r, line + i + 1, end - i - 1))) {
      return fail(why, wl, st, "repeated variable %.*s", (int)(end - i - 1),
                  line + i + 1);
    }
    i = end + 1;
  }
  FdxTerm* const        tmp  = (FdxTerm*)calloc(r->n_vars + 1, sizeof(FdxTerm));
  const FdxTerm** const ptrs =
    (const FdxTerm**)calloc(r->n_vars + 1, sizeof(FdxTerm*));
  if (!tmp || !ptrs) {
    st = FDX_ERR_NO_MEMORY;
  }
  for (size_t lineno = 2; !st && next_line(bytes, len, &pos, &line, &n);
       ++lineno) {
    size_t i = 0;
    size_t v = 0;
    for (; v < r->n_vars && !st; ++v) {
      const char* const tab =
        i <= n ? (const char*)memchr(line + i, '\t', n - i) : NULL;
      const size_t end = tab ? (size_t)(tab - line) : n;
      if (i > n || (!tab && v + 1 < r->n_vars)) {
        st = fail(why, wl, FDX_ERR_SYNTAX, "line %zu: too few fields", lineno);
        break;
      }
      if ((st = tsv_term(line + i, end - i, &tmp[v], why, wl))) {
        char inner[256];
        snprintf(inner, sizeof(inner), "%s", why ? why : "");
        fail(why, wl, st, "line %zu field %zu: %s", lineno, v + 1, inner);
        break;
      }
      ptrs[v] = tmp[v].kind ? &tmp[v] : NULL;
      i       = end + 1;
    }
    if (!st && ((r->n_vars && i <= n) || (!r->n_vars && n))) {
      st = fail(why, wl, FDX_ERR_SYNTAX, "line %zu: too many fields", lineno);
    }
    if (!st) {
      st = sr_results_add_row(r, ptrs);
    }
    for (size_t k = 0; k < r->n_vars; ++k) {
      term_clear(&tmp[k]);
    }
  }
  free(tmp);
  free(ptrs);
  if (!st) {
    detect_ask(r);
  }
  return st;
}

/* ------------------------------------------------------------------------
 * CSV
 * --------------------------------------------------------------------- */

/* One CSV record: its fields as (start, length) in `text`, unescaped. */
typedef struct {
  Buf     text;
  size_t* starts;
  size_t* lens;
  size_t  n;
  size_t  cap;
} Record;

static bool
record_add(Record* const rec, const size_t start)
{
  if (rec->n == rec->cap) {
    const size_t  cap    = rec->cap ? rec->cap * 2 : 8;
    size_t* const starts = (size_t*)realloc(rec->starts, cap * sizeof(size_t));
    if (!starts) {
      return false;
    }
    rec->starts        = starts;
    size_t* const lens = (size_t*)realloc(rec->lens, cap * sizeof(size_t));
    if (!lens) {
      return false;
    }
    rec->lens = lens;
    rec->cap  = cap;
  }
  rec->starts[rec->n] = start;
  rec->lens[rec->n]   = rec->text.n - start;
  ++rec->n;
  return true;
}

/* Parse the record at *pos (RFC 4180, CRLF or LF ends it). */
static FdxStatus
csv_record(const char* const s,
           const size_t      len,
           size_t* const     pos,
           Record* const     rec,
           char* const       why,
           const size_t      wl)
{
  rec->n      = 0;
  rec->text.n = 0;
  size_t i    = *pos;
  for (;;) {
    const size_t start = rec->text.n;
    if (!buf_add(&rec->text, "", 0)) {
      return FDX_ERR_NO_MEMORY;
    }
    if (i < len && s[i] == '"') {
      for (++i;; ++i) {
        if (i >= len) {
          return fail(why, wl, FDX_ERR_SYNTAX, "unterminated quoted field");
        }
        if (s[i] == '"') {
          if (i + 1 < len && s[i + 1] == '"') {
            ++i;
          } else {
            ++i;
            break;
          }
        }
        if (!buf_add(&rec->text, &s[i], 1)) {
          return FDX_ERR_NO_MEMORY;
        }
      }
      if (i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
        return fail(why, wl, FDX_ERR_SYNTAX, "text after a quoted field");
      }
    } else {
      const size_t from = i;
      while (i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
        ++i;
      }
      if (!buf_add(&rec->text, s + from, i - from)) {
        return FDX_ERR_NO_MEMORY;
      }
    }
    if (!record_add(rec, start)) {
      return FDX_ERR_NO_MEMORY;
    }
    if (i < len && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < len && s[i] == '\r') {
      ++i;
    }
    if (i < len && s[i] == '\n') {
      ++i;
    }
    *pos = i;
    return FDX_SUCCESS;
  }
}

static FdxStatus
read_csv(const char* const bytes,
         const size_t      len,
         SrResults* const  r,
         char* const       why,
         const size_t      wl)
{
  Record          rec  = {{NULL, 0, 0}, NULL, NULL, 0, 0};
  size_t          pos  = 0;
  FdxTerm*        tmp  = NULL;
  const FdxTerm** ptrs = NULL;
  FdxStatus       st   = FDX_SUCCESS;
  if (!len) {
    return fail(why, wl, FDX_ERR_SYNTAX, "no header line");
  }
  if ((st = csv_record(bytes, len, &pos, &rec, why, wl))) {
    goto done;
  }
  /* One empty field: a header without variables. */
  for (size_t f = 0; f < rec.n && !(rec.n == 1 && !rec.lens[0]); ++f) {
    if ((st = sr_results_add_var(r, rec.text.p + rec.starts[f],
                                 rec.lens[f]))) {
      fail(why, wl, st, "bad or repeated variable in the header");
      goto done;
    }
  }
  tmp  = (FdxTerm*)calloc(r->n_vars + 1, sizeof(FdxTerm));
  ptrs = (const FdxTerm**)calloc(r->n_vars + 1, sizeof(FdxTerm*));
  if (!tmp || !ptrs) {
    st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  for (size_t row = 1; pos < len; ++row) {
    if ((st = csv_record(bytes, len, &pos, &rec, why, wl))) {
      goto done;
    }
    const bool empty_ok = !r->n_vars && rec.n == 1 && !rec.lens[0];
    if (rec.n != r->n_vars && !empty_ok) {
      st = fail(why, wl, FDX_ERR_SYNTAX, "record %zu has %zu fields, not %zu",
                row, rec.n, r->n_vars);
      goto done;
    }
    for (size_t v = 0; v < r->n_vars; ++v) {
      const char* const f = rec.text.p + rec.starts[v];
      const size_t      n = rec.lens[v];
      memset(&tmp[v], 0, sizeof(tmp[v]));
      ptrs[v] = n ? &tmp[v] : NULL;
      if (n > 2 && f[0] == '_' && f[1] == ':') {
        tmp[v].kind      = FDX_TERM_BLANK;
        tmp[v].value     = f + 2;
        tmp[v].value_len = n - 2;
      } else {
        tmp[v].kind      = FDX_TERM_LITERAL;
        tmp[v].value     = f;
        tmp[v].value_len = n;
      }
    }
    if ((st = sr_results_add_row(r, ptrs))) {
      goto done;
    }
  }
  detect_ask(r);
done:
  free(rec.text.p);
  free(rec.starts);
  free(rec.lens);
  free(tmp);
  free(ptrs);
  return st;
}

/* ------------------------------------------------------------------------
 * Reading entry points
 * --------------------------------------------------------------------- */

FdxStatus
sr_read_bytes(const FdxResultsFormat format,
              const char* const      bytes,
              const size_t           len,
              SrResults** const      ret_results,
              char* const            why,
              const size_t           why_len)
{
  if (!ret_results || (!bytes && len)) {
    return FDX_ERR_BAD_ARG;
  }
  SrResults* const r = sr_results_new();
  if (!r) {
    return FDX_ERR_NO_MEMORY;
  }
  const char* const b  = bytes ? bytes : "";
  FdxStatus         st = FDX_ERR_BAD_ARG;
  switch (format) {
  case FDX_RESULTS_JSON:
    st = read_json(b, len, r, why, why_len);
    break;
  case FDX_RESULTS_XML:
    st = read_xml(b, len, r, why, why_len);
    break;
  case FDX_RESULTS_TSV:
    st = read_tsv(b, len, r, why, why_len);
    break;
  case FDX_RESULTS_CSV:
    st = read_csv(b, len, r, why, why_len);
    break;
  }
  if (st) {
    sr_results_free(r);
    return st;
  }
  *ret_results = r;
  return FDX_SUCCESS;
}

FdxStatus
sr_slurp(const char* const path, char** const ret_bytes, size_t* const ret_len)
{
  FILE* const f = fopen(path, "rb");
  if (!f) {
    return FDX_ERR_IO;
  }
  Buf    b = {NULL, 0, 0};
  char   chunk[65536];
  size_t n  = 0;
  bool   ok = buf_add(&b, "", 0);
  while (ok && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
    ok = buf_add(&b, chunk, n);
  }
  ok = ok && !ferror(f);
  fclose(f);
  if (!ok) {
    free(b.p);
    return FDX_ERR_IO;
  }
  *ret_bytes = b.p;
  *ret_len   = b.n;
  return FDX_SUCCESS;
}

FdxStatus
sr_read_file(const char* const      path,
             const FdxResultsFormat format,
             SrResults** const      ret_results,
             char* const            why,
             const size_t           why_len)
{
  char*     bytes = NULL;
  size_t    len   = 0;
  FdxStatus st    = sr_slurp(path, &bytes, &len);
  if (st) {
    return fail(why, why_len, st, "%s: cannot read", path);
  }
  char inner[512] = "";
  st = sr_read_bytes(format, bytes, len, ret_results, inner, sizeof(inner));
  free(bytes);
  if (st) {
    return fail(why, why_len, st, "%s: %s", path, inner);
  }
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Writing through fairdex's writer
 * --------------------------------------------------------------------- */

FdxStatus
sr_results_write(const SrResults* const r,
                 const FdxResultsFormat format,
                 const FdxWriteBytes    write,
                 void* const            ctx)
{
  FdxResultsWriter* w  = NULL;
  FdxStatus         st = fdx_results_writer_new(format, write, ctx, &w);
  if (st) {
    return st;
  }
  const FdxTerm** const ptrs =
    (const FdxTerm**)calloc(r->n_vars + 1, sizeof(FdxTerm*));
  if (!ptrs) {
    fdx_results_writer_free(w);
    return FDX_ERR_NO_MEMORY;
  }
  if (r->is_boolean) {
    st = fdx_results_boolean(w, r->boolean);
  } else {
    st = fdx_results_begin(w, (const char* const*)r->vars, r->n_vars);
    for (size_t row = 0; !st && row < r->n_rows; ++row) {
      for (size_t v = 0; v < r->n_vars; ++v) {
        ptrs[v] = sr_results_get(r, row, v);
      }
      st = fdx_results_row(w, ptrs);
    }
  }
  if (!st) {
    st = fdx_results_end(w);
  }
  free(ptrs);
  fdx_results_writer_free(w);
  return st;
}

/* ------------------------------------------------------------------------
 * Printing terms and rows for messages
 * --------------------------------------------------------------------- */

typedef struct {
  char*  p;
  size_t size;
  size_t n;
} Out;

static void
out_raw(Out* const o, const char* const s, const size_t n)
{
  for (size_t i = 0; i < n && o->n + 1 < o->size; ++i) {
    o->p[o->n++] = s[i];
  }
  if (o->size) {
    o->p[o->n] = '\0';
  }
}

static void
out_escaped(Out* const o, const char* const s, const size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      out_raw(o, "\\", 1);
      out_raw(o, &s[i], 1);
    } else if (c < 0x20 || c == 0x7F) {
      char e[8];
      snprintf(e, sizeof(e), "\\u%04X", c);
      out_raw(o, e, 6);
    } else {
      out_raw(o, &s[i], 1);
    }
  }
}

static void
out_term(Out* const o, const FdxTerm* const t)
{
  if (!t) {
    out_raw(o, "UNDEF", 5);
    return;
  }
  switch (t->kind) {
  case FDX_TERM_IRI:
    out_raw(o, "<", 1);
    out_escaped(o, t->value, t->value_len);
    out_raw(o, ">", 1);
    return;
  case FDX_TERM_BLANK:
    out_raw(o, "_:", 2);
    out_escaped(o, t->value, t->value_len);
    return;
  case FDX_TERM_LITERAL:
    out_raw(o, "\"", 1);
    out_escaped(o, t->value, t->value_len);
    out_raw(o, "\"", 1);
    if (t->lang_len) {
      out_raw(o, "@", 1);
      out_escaped(o, t->lang, t->lang_len);
    } else if (t->datatype_len) {
      out_raw(o, "^^<", 3);
      out_escaped(o, t->datatype, t->datatype_len);
      out_raw(o, ">", 1);
    }
    return;
  }
  out_raw(o, "?kind?", 6);
}

void
sr_term_format(const FdxTerm* const t, char* const buf, const size_t size)
{
  Out o = {buf, size, 0};
  if (size) {
    buf[0] = '\0';
  }
  out_term(&o, t && t->kind ? t : NULL);
}

/* Row `row` of `r`, its variables in the order `cols` gives. */
static void
format_row(const SrResults* const r,
           const size_t           row,
           const size_t* const    cols,
           char* const            buf,
           const size_t           size)
{
  Out o = {buf, size, 0};
  if (size) {
    buf[0] = '\0';
  }
  for (size_t v = 0; v < r->n_vars; ++v) {
    const size_t c = cols ? cols[v] : v;
    out_raw(&o, v ? " ?" : "?", v ? 2 : 1);
    out_raw(&o, r->vars[c], strlen(r->vars[c]));
    out_raw(&o, "=", 1);
    out_term(&o, sr_results_get(r, row, c));
  }
}

/* ------------------------------------------------------------------------
 * Comparing
 * --------------------------------------------------------------------- */

/* The datatype a literal is compared by: none for simple and xsd:string
 * literals, none for language-tagged ones (rdf:langString). */
static void
cmp_datatype(const FdxTerm* const t, const char** ret, size_t* ret_len)
{
  if (t->lang_len || !t->datatype_len ||
      bytes_are(t->datatype, t->datatype_len, XSD "string")) {
    *ret     = "";
    *ret_len = 0;
  } else {
    *ret     = t->datatype;
    *ret_len = t->datatype_len;
  }
}

static int
cmp_bytes(const char* const a,
          const size_t      an,
          const char* const b,
          const size_t      bn)
{
  const size_t n = an < bn ? an : bn;
  const int    c = n ? memcmp(a, b, n) : 0;
  if (c) {
    return c;
  }
  return an < bn ? -1 : an > bn;
}

/* Order of terms that are not blank nodes; 0 means the same RDF term. */
static int
ground_cmp(const FdxTerm* const x, const FdxTerm* const y)
{
  if (x->kind != y->kind) {
    return x->kind < y->kind ? -1 : 1;
  }
  int c = cmp_bytes(x->value, x->value_len, y->value, y->value_len);
  if (c || x->kind != FDX_TERM_LITERAL) {
    return c;
  }
  const size_t xl = x->lang_len;
  const size_t yl = y->lang_len;
  for (size_t i = 0; i < xl && i < yl; ++i) {
    const char a = lower(x->lang[i]);
    const char b = lower(y->lang[i]);
    if (a != b) {
      return a < b ? -1 : 1;
    }
  }
  if (xl != yl) {
    return xl < yl ? -1 : 1;
  }
  const char* xd = NULL;
  const char* yd = NULL;
  size_t      xn = 0;
  size_t      yn = 0;
  cmp_datatype(x, &xd, &xn);
  cmp_datatype(y, &yd, &yn);
  return cmp_bytes(xd, xn, yd, yn);
}

/* A cell reference for sorting terms of both results together. */
typedef struct {
  const FdxTerm* t;
  uint64_t*      code; /* where the class number goes */
} TermRef;

/* The numeric value of a literal of XSD integer, decimal, float or double
 * type (derived integer types included); false for anything else. */
static bool
numeric_value(const FdxTerm* const t, char* const type, double* const ret)
{
  static const char xsd[] = "http://www.w3.org/2001/XMLSchema#";
  if (t->kind != FDX_TERM_LITERAL || !t->datatype ||
      t->datatype_len <= sizeof(xsd) - 1 ||
      memcmp(t->datatype, xsd, sizeof(xsd) - 1) || t->value_len >= 64) {
    return false;
  }
  const char* const local = t->datatype + sizeof(xsd) - 1;
  const size_t      ll    = t->datatype_len - (sizeof(xsd) - 1);
  if ((ll == 7 && !memcmp(local, "integer", 7)) || (ll == 3 && !memcmp(local, "int", 3)) ||
      (ll == 4 && !memcmp(local, "long", 4))) {
    *type = 'i';
  } else if (ll == 7 && !memcmp(local, "decimal", 7)) {
    *type = 'd';
  } else if ((ll == 6 && !memcmp(local, "double", 6)) ||
             (ll == 5 && !memcmp(local, "float", 5))) {
    *type = local[0];
  } else {
    return false;
  }
  char buf[64];
  memcpy(buf, t->value, t->value_len);
  buf[t->value_len] = '\0';
  char* end         = NULL;
  *ret              = strtod(buf, &end);
  return end && end != buf && !*end;
}

/* ground_cmp, but numeric literals of one type compare by value. */
static int
value_cmp(const FdxTerm* const x, const FdxTerm* const y)
{
  char   tx = 0, ty = 0;
  double vx = 0, vy = 0;
  const bool nx = numeric_value(x, &tx, &vx);
  const bool ny = numeric_value(y, &ty, &vy);
  if (nx && ny) {
    if (tx != ty) {
      return tx < ty ? -1 : 1;
    }
    return vx < vy ? -1 : vx > vy ? 1 : 0;
  }
  if (nx != ny) {
    return nx ? -1 : 1; /* numbers first, so the order stays total */
  }
  return ground_cmp(x, y);
}

static int
termref_cmp(const void* const a, const void* const b, void* const ctx)
{
  const TermRef* const x = (const TermRef*)a;
  const TermRef* const y = (const TermRef*)b;
  return *(const bool*)ctx ? value_cmp(x->t, y->t) : ground_cmp(x->t, y->t);
}

static int
blankref_cmp(const void* const a, const void* const b)
{
  const TermRef* const x = (const TermRef*)a;
  const TermRef* const y = (const TermRef*)b;
  return cmp_bytes(x->t->value, x->t->value_len, y->t->value,
                   y->t->value_len);
}

/*
 * A result coded for comparison: cell (row, col) in the column order of
 * the first result; 0 unbound, GROUND + class for a term, BLANK + id for a
 * blank node (ids count from 0 per result).
 */
#define CODE_GROUND 1ull
#define CODE_BLANK  (1ull << 62)

typedef struct {
  size_t    n_rows;
  size_t    n_cols;
  uint64_t* cells;
  size_t    n_blanks;
  uint64_t* colour; /* per blank node */
  uint64_t* sig;    /* cells with blank ids replaced by colours */
  size_t*   order;  /* rows sorted by signature */
} Coded;

static void
coded_free(Coded* const c)
{
  free(c->cells);
  free(c->colour);
  free(c->sig);
  free(c->order);
}

static uint64_t
mix64(uint64_t x)
{
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/* Code both results: ground classes across both, blank ids per result. */
static bool
code_both(const SrResults* const a,
          const SrResults* const b,
          const size_t* const    bcols,
          bool                   by_value,
          Coded* const           ca,
          Coded* const           cb)
{
  const size_t nv    = a->n_vars;
  const size_t cells = a->n_rows * nv;
  ca->n_rows = cb->n_rows = a->n_rows;
  ca->n_cols = cb->n_cols = nv;
  ca->cells = (uint64_t*)calloc(cells + 1, sizeof(uint64_t));
  cb->cells = (uint64_t*)calloc(cells + 1, sizeof(uint64_t));
  TermRef* const refs = (TermRef*)calloc(2 * cells + 1, sizeof(TermRef));
  if (!ca->cells || !cb->cells || !refs) {
    free(refs);
    return false;
  }
  /* Ground terms of both, sorted together. */
  size_t n = 0;
  for (size_t side = 0; side < 2; ++side) {
    const SrResults* const r = side ? b : a;
    Coded* const           c = side ? cb : ca;
    for (size_t row = 0; row < r->n_rows; ++row) {
      for (size_t v = 0; v < nv; ++v) {
        const FdxTerm* const t = sr_results_get(r, row, side ? bcols[v] : v);
        if (t && t->kind != FDX_TERM_BLANK) {
          refs[n].t      = t;
          refs[n++].code = &c->cells[row * nv + v];
        }
      }
    }
  }
  qsort_r(refs, n, sizeof(TermRef), termref_cmp, &by_value);
  uint64_t cls = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i && termref_cmp(&refs[i - 1], &refs[i], &by_value)) {
      ++cls;
    }
    *refs[i].code = CODE_GROUND + cls;
  }
  /* Blank nodes, one numbering per result. */
  for (size_t side = 0; side < 2; ++side) {
    const SrResults* const r = side ? b : a;
    Coded* const           c = side ? cb : ca;
    n                        = 0;
    for (size_t row = 0; row < r->n_rows; ++row) {
      for (size_t v = 0; v < nv; ++v) {
        const FdxTerm* const t = sr_results_get(r, row, side ? bcols[v] : v);
        if (t && t->kind == FDX_TERM_BLANK) {
          refs[n].t      = t;
          refs[n++].code = &c->cells[row * nv + v];
        }
      }
    }
    qsort(refs, n, sizeof(TermRef), blankref_cmp);
    uint64_t id = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i && blankref_cmp(&refs[i - 1], &refs[i])) {
        ++id;
      }
      *refs[i].code = CODE_BLANK + id;
    }
    c->n_blanks = n ? (size_t)id + 1 : 0;
  }
  free(refs);
  return true;
}

static int
u64_cmp(const void* const pa, const void* const pb)
{
  const uint64_t x = *(const uint64_t*)pa;
  const uint64_t y = *(const uint64_t*)pb;
  return x < y ? -1 : x > y;
}

/* Colour refinement over both results in lockstep. */
static bool
refine(Coded* const ca, Coded* const cb)
{
  Coded* const sides[2] = {ca, cb};
  for (size_t s = 0; s < 2; ++s) {
    Coded* const c = sides[s];
    c->colour      = (uint64_t*)calloc(c->n_blanks + 1, sizeof(uint64_t));
    c->sig = (uint64_t*)calloc(c->n_rows * c->n_cols + 1, sizeof(uint64_t));
    if (!c->colour || !c->sig) {
      return false;
    }
  }
  uint64_t* const acc =
    (uint64_t*)calloc((ca->n_blanks > cb->n_blanks ? ca->n_blanks
                                                    : cb->n_blanks) + 1,
                      sizeof(uint64_t));
  uint64_t* const sorted =
    (uint64_t*)calloc(ca->n_blanks + 1, sizeof(uint64_t));
  if (!acc || !sorted) {
    free(acc);
    free(sorted);
    return false;
  }
  size_t n_colours = ca->n_blanks ? 1 : 0;
  for (size_t round = 0; round < MAX_REFINEMENTS && ca->n_blanks; ++round) {
    for (size_t s = 0; s < 2; ++s) {
      Coded* const c = sides[s];
      memset(acc, 0, c->n_blanks * sizeof(uint64_t));
      for (size_t row = 0; row < c->n_rows; ++row) {
        const uint64_t* const cells = c->cells + row * c->n_cols;
        uint64_t              h     = 0x5EED;
        for (size_t v = 0; v < c->n_cols; ++v) {
          const uint64_t x = cells[v] >= CODE_BLANK
                               ? mix64(c->colour[cells[v] - CODE_BLANK] ^ 7)
                               : cells[v];
          h = mix64(h ^ x) + v;
        }
        for (size_t v = 0; v < c->n_cols; ++v) {
          if (cells[v] >= CODE_BLANK) {
            acc[cells[v] - CODE_BLANK] += mix64(h ^ (v + 1));
          }
        }
      }
      for (size_t k = 0; k < c->n_blanks; ++k) {
        c->colour[k] = mix64(c->colour[k] * 31 + acc[k]);
      }
    }
    memcpy(sorted, ca->colour, ca->n_blanks * sizeof(uint64_t));
    qsort(sorted, ca->n_blanks, sizeof(uint64_t), u64_cmp);
    size_t distinct = 0;
    for (size_t k = 0; k < ca->n_blanks; ++k) {
      distinct += !k || sorted[k] != sorted[k - 1];
    }
    if (distinct <= n_colours && round) {
      break;
    }
    n_colours = distinct;
  }
  free(acc);
  free(sorted);
  for (size_t s = 0; s < 2; ++s) {
    Coded* const c = sides[s];
    for (size_t i = 0; i < c->n_rows * c->n_cols; ++i) {
      c->sig[i] = c->cells[i] >= CODE_BLANK
                    ? CODE_BLANK | (c->colour[c->cells[i] - CODE_BLANK] >> 2)
                    : c->cells[i];
    }
  }
  return true;
}

/* qsort has no context argument; the comparator is single-threaded. */
static const Coded* sort_ctx = NULL;

static int
sig_cmp_rows(const Coded* const c, const size_t x, const size_t y)
{
  const uint64_t* const a = c->sig + x * c->n_cols;
  const uint64_t* const b = c->sig + y * c->n_cols;
  for (size_t v = 0; v < c->n_cols; ++v) {
    if (a[v] != b[v]) {
      return a[v] < b[v] ? -1 : 1;
    }
  }
  return 0;
}

static int
order_cmp(const void* const pa, const void* const pb)
{
  const size_t x = *(const size_t*)pa;
  const size_t y = *(const size_t*)pb;
  const int    c = sig_cmp_rows(sort_ctx, x, y);
  return c ? c : (x < y ? -1 : x > y);
}

static bool
sort_rows(Coded* const c)
{
  c->order = (size_t*)calloc(c->n_rows + 1, sizeof(size_t));
  if (!c->order) {
    return false;
  }
  for (size_t i = 0; i < c->n_rows; ++i) {
    c->order[i] = i;
  }
  sort_ctx = c;
  qsort(c->order, c->n_rows, sizeof(size_t), order_cmp);
  sort_ctx = NULL;
  return true;
}

static int
sig_cmp_across(const Coded* const ca,
               const size_t       x,
               const Coded* const cb,
               const size_t       y)
{
  const uint64_t* const a = ca->sig + x * ca->n_cols;
  const uint64_t* const b = cb->sig + y * cb->n_cols;
  for (size_t v = 0; v < ca->n_cols; ++v) {
    if (a[v] != b[v]) {
      return a[v] < b[v] ? -1 : 1;
    }
  }
  return 0;
}

/* The bijection being built between blank ids of a and of b. */
typedef struct {
  int64_t* ab;
  int64_t* ba;
  size_t*  trail; /* a-ids in the order they were mapped */
  size_t   n_trail;
} Bijection;

static void
bij_undo(Bijection* const m, const size_t mark)
{
  while (m->n_trail > mark) {
    const size_t ka = m->trail[--m->n_trail];
    m->ba[m->ab[ka]] = -1;
    m->ab[ka]        = -1;
  }
}

/* Extend the bijection so that row x of a matches row y of b (their ground
 * cells are known to be equal); on failure leave it as it was. */
static bool
bij_match(Bijection* const   m,
          const Coded* const ca,
          const size_t       x,
          const Coded* const cb,
          const size_t       y)
{
  const size_t          mark = m->n_trail;
  const uint64_t* const a    = ca->cells + x * ca->n_cols;
  const uint64_t* const b    = cb->cells + y * cb->n_cols;
  for (size_t v = 0; v < ca->n_cols; ++v) {
    const bool ab = a[v] >= CODE_BLANK;
    const bool bb = b[v] >= CODE_BLANK;
    if (!ab && !bb) {
      if (a[v] != b[v]) {
        bij_undo(m, mark);
        return false;
      }
      continue;
    }
    if (ab != bb) {
      bij_undo(m, mark);
      return false;
    }
    const size_t ka = (size_t)(a[v] - CODE_BLANK);
    const size_t kb = (size_t)(b[v] - CODE_BLANK);
    if (m->ab[ka] < 0 && m->ba[kb] < 0) {
      m->ab[ka]                = (int64_t)kb;
      m->ba[kb]                = (int64_t)ka;
      m->trail[m->n_trail++]   = ka;
    } else if (m->ab[ka] != (int64_t)kb) {
      bij_undo(m, mark);
      return false;
    }
  }
  return true;
}

/* Rows of a that hold blank nodes, most constrained (smallest group of
 * equal signatures) first. */
typedef struct {
  size_t row;        /* row of a */
  size_t first;      /* its group: positions [first, end) in the orders */
  size_t end;
} Pending;

static int
pending_cmp(const void* const pa, const void* const pb)
{
  const Pending* const x  = (const Pending*)pa;
  const Pending* const y  = (const Pending*)pb;
  const size_t         xs = x->end - x->first;
  const size_t         ys = y->end - y->first;
  if (xs != ys) {
    return xs < ys ? -1 : 1;
  }
  if (x->first != y->first) {
    return x->first < y->first ? -1 : 1;
  }
  return x->row < y->row ? -1 : x->row > y->row;
}

typedef enum { SEARCH_FOUND, SEARCH_NONE, SEARCH_GAVE_UP } SearchResult;

static SearchResult
search(const Coded* const ca,
       const Coded* const cb,
       Bijection* const   m,
       const Pending*     pend,
       const size_t       n_pend)
{
  size_t* const cursor = (size_t*)calloc(n_pend + 1, sizeof(size_t));
  size_t* const chosen = (size_t*)calloc(n_pend + 1, sizeof(size_t));
  size_t* const mark   = (size_t*)calloc(n_pend + 1, sizeof(size_t));
  bool* const   used   = (bool*)calloc(cb->n_rows + 1, sizeof(bool));
  SearchResult  res    = SEARCH_NONE;
  if (!cursor || !chosen || !mark || !used) {
    res = SEARCH_GAVE_UP;
    goto done;
  }
  size_t   depth = 0;
  uint64_t work  = 0;
  if (n_pend) {
    cursor[0] = pend[0].first;
    mark[0]   = m->n_trail;
  }
  while (depth < n_pend) {
    if (++work > SEARCH_LIMIT) {
      res = SEARCH_GAVE_UP;
      goto done;
    }
    const Pending* const p     = &pend[depth];
    bool                 found = false;
    while (cursor[depth] < p->end) {
      const size_t y = cb->order[cursor[depth]++];
      if (!used[y] && bij_match(m, ca, p->row, cb, y)) {
        chosen[depth] = y;
        used[y]       = true;
        found         = true;
        break;
      }
    }
    if (found) {
      if (++depth < n_pend) {
        cursor[depth] = pend[depth].first;
        mark[depth]   = m->n_trail;
      }
      continue;
    }
    if (!depth) {
      goto done; /* SEARCH_NONE */
    }
    --depth;
    used[chosen[depth]] = false;
    bij_undo(m, mark[depth]);
  }
  res = SEARCH_FOUND;
done:
  free(cursor);
  free(chosen);
  free(mark);
  free(used);
  return res;
}

static bool
equal_coded(const SrResults* const a,
            const SrResults* const b,
            const size_t* const    bcols,
            const unsigned         flags,
            char* const            why,
            const size_t           wl)
{
  Coded     ca  = {0, 0, NULL, 0, NULL, NULL, NULL};
  Coded     cb  = {0, 0, NULL, 0, NULL, NULL, NULL};
  Bijection m   = {NULL, NULL, NULL, 0};
  Pending*  pend = NULL;
  bool      eq   = false;
  char      ra[700];
  char      rb[700];
  if (!code_both(a, b, bcols, (flags & SR_CMP_NUMERIC_VALUE) != 0, &ca, &cb)) {
    fail(why, wl, FDX_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  m.ab    = (int64_t*)malloc((ca.n_blanks + 1) * sizeof(int64_t));
  m.ba    = (int64_t*)malloc((cb.n_blanks + 1) * sizeof(int64_t));
  m.trail = (size_t*)malloc((ca.n_blanks + 1) * sizeof(size_t));
  if (!m.ab || !m.ba || !m.trail) {
    fail(why, wl, FDX_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  for (size_t k = 0; k < ca.n_blanks; ++k) {
    m.ab[k] = -1;
  }
  for (size_t k = 0; k < cb.n_blanks; ++k) {
    m.ba[k] = -1;
  }
  if (ca.n_blanks != cb.n_blanks) {
    fail(why, wl, FDX_FAILURE, "%zu blank nodes against %zu", ca.n_blanks,
         cb.n_blanks);
    goto done;
  }

  if (flags & SR_CMP_ORDERED) {
    for (size_t row = 0; row < a->n_rows; ++row) {
      if (!bij_match(&m, &ca, row, &cb, row)) {
        format_row(a, row, NULL, ra, sizeof(ra));
        format_row(b, row, bcols, rb, sizeof(rb));
        fail(why, wl, FDX_FAILURE, "row %zu differs:\n  a: %s\n  b: %s",
             row + 1, ra, rb);
        goto done;
      }
    }
    eq = true;
    goto done;
  }

  if (!refine(&ca, &cb) || !sort_rows(&ca) || !sort_rows(&cb)) {
    fail(why, wl, FDX_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < a->n_rows; ++i) {
    const int c = sig_cmp_across(&ca, ca.order[i], &cb, cb.order[i]);
    if (c) {
      /* The smaller signature is the one the other result lacks. */
      if (c < 0) {
        format_row(a, ca.order[i], NULL, ra, sizeof(ra));
        fail(why, wl, FDX_FAILURE, "a has a row b lacks (row %zu): %s",
             ca.order[i] + 1, ra);
      } else {
        format_row(b, cb.order[i], bcols, rb, sizeof(rb));
        fail(why, wl, FDX_FAILURE, "b has a row a lacks (row %zu): %s",
             cb.order[i] + 1, rb);
      }
      goto done;
    }
  }
  /* Rows with blank nodes: the search. */
  pend          = (Pending*)calloc(a->n_rows + 1, sizeof(Pending));
  size_t n_pend = 0;
  if (!pend) {
    fail(why, wl, FDX_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < a->n_rows;) {
    size_t end = i + 1;
    while (end < a->n_rows &&
           !sig_cmp_rows(&ca, ca.order[i], ca.order[end])) {
      ++end;
    }
    for (size_t k = i; k < end; ++k) {
      const size_t          row   = ca.order[k];
      const uint64_t* const cells = ca.cells + row * ca.n_cols;
      bool                  blank = false;
      for (size_t v = 0; v < ca.n_cols; ++v) {
        blank = blank || cells[v] >= CODE_BLANK;
      }
      if (blank) {
        pend[n_pend].row     = row;
        pend[n_pend].first   = i;
        pend[n_pend++].end   = end;
      }
    }
    i = end;
  }
  qsort(pend, n_pend, sizeof(Pending), pending_cmp);
  switch (search(&ca, &cb, &m, pend, n_pend)) {
  case SEARCH_FOUND:
    eq = true;
    break;
  case SEARCH_NONE:
    fail(why, wl, FDX_FAILURE,
         "the rows match up to blank node names, but no one renaming of "
         "blank nodes makes them match");
    break;
  case SEARCH_GAVE_UP:
    fail(why, wl, FDX_FAILURE, "blank node search gave up (or no memory)");
    break;
  }
done:
  free(pend);
  free(m.ab);
  free(m.ba);
  free(m.trail);
  coded_free(&ca);
  coded_free(&cb);
  return eq;
}

/* The CSV view of `r`: each term reduced to the text CSV writes for it. */
static SrResults*
csv_view(const SrResults* const r)
{
  SrResults* const c = sr_results_new();
  const FdxTerm**  p = (const FdxTerm**)calloc(r->n_vars + 1, sizeof(FdxTerm*));
  FdxTerm*         t = (FdxTerm*)calloc(r->n_vars + 1, sizeof(FdxTerm));
  Buf              b = {NULL, 0, 0};
  bool             ok = c && p && t;
  if (ok) {
    c->is_boolean = r->is_boolean;
    c->boolean    = r->boolean;
  }
  for (size_t v = 0; ok && v < r->n_vars; ++v) {
    ok = !sr_results_add_var(c, r->vars[v], strlen(r->vars[v]));
  }
  for (size_t row = 0; ok && row < r->n_rows; ++row) {
    b.n = 0;
    /* All texts of the row in one buffer: offsets first, pointers after. */
    size_t* const off = (size_t*)calloc(r->n_vars + 1, sizeof(size_t));
    ok                = off != NULL;
    for (size_t v = 0; ok && v < r->n_vars; ++v) {
      const FdxTerm* const x = sr_results_get(r, row, v);
      off[v]                 = b.n;
      if (x && x->kind == FDX_TERM_BLANK) {
        ok = buf_add(&b, "_:", 2);
      }
      ok = ok && (!x || buf_add(&b, x->value, x->value_len));
      p[v] = NULL;
    }
    for (size_t v = 0; ok && v < r->n_vars; ++v) {
      const char* const s = b.p + off[v];
      const size_t      n = (v + 1 < r->n_vars ? off[v + 1] : b.n) - off[v];
      memset(&t[v], 0, sizeof(t[v]));
      if (!n) {
        continue;
      }
      p[v] = &t[v];
      if (n > 2 && s[0] == '_' && s[1] == ':') {
        t[v].kind      = FDX_TERM_BLANK;
        t[v].value     = s + 2;
        t[v].value_len = n - 2;
      } else {
        t[v].kind      = FDX_TERM_LITERAL;
        t[v].value     = s;
        t[v].value_len = n;
      }
    }
    ok = ok && !sr_results_add_row(c, p);
    free(off);
  }
  free(b.p);
  free(p);
  free(t);
  if (!ok) {
    sr_results_free(c);
    return NULL;
  }
  return c;
}

static void
list_vars(const SrResults* const r, char* const buf, const size_t size)
{
  Out o = {buf, size, 0};
  if (size) {
    buf[0] = '\0';
  }
  for (size_t v = 0; v < r->n_vars; ++v) {
    out_raw(&o, v ? " ?" : "?", v ? 2 : 1);
    out_raw(&o, r->vars[v], strlen(r->vars[v]));
  }
}

bool
sr_results_equal(const SrResults* const a,
                 const SrResults* const b,
                 const unsigned         flags,
                 char* const            why,
                 const size_t           wl)
{
  if (why && wl) {
    why[0] = '\0';
  }
  if (flags & SR_CMP_CSV) {
    SrResults* const va = csv_view(a);
    SrResults* const vb = csv_view(b);
    bool             eq = false;
    if (!va || !vb) {
      fail(why, wl, FDX_ERR_NO_MEMORY, "out of memory");
    } else {
      eq = sr_results_equal(va, vb, flags & ~(unsigned)SR_CMP_CSV, why, wl);
    }
    sr_results_free(va);
    sr_results_free(vb);
    return eq;
  }
  if (a->is_boolean || b->is_boolean) {
    if (a->is_boolean != b->is_boolean) {
      fail(why, wl, FDX_FAILURE, "%s is a boolean, %s is not",
           a->is_boolean ? "a" : "b", a->is_boolean ? "b" : "a");
      return false;
    }
    if (a->boolean != b->boolean) {
      fail(why, wl, FDX_FAILURE, "a is %s, b is %s",
           a->boolean ? "true" : "false", b->boolean ? "true" : "false");
      return false;
    }
    return true;
  }
  /* Same variables, maybe in another order. */
  size_t* const bcols = (size_t*)calloc(a->n_vars + 1, sizeof(size_t));
  if (!bcols) {
    fail(why, wl, FDX_ERR_NO_MEMORY, "out of memory");
    return false;
  }
  bool same_vars = a->n_vars == b->n_vars;
  for (size_t v = 0; same_vars && v < a->n_vars; ++v) {
    size_t k = 0;
    while (k < b->n_vars && strcmp(a->vars[v], b->vars[k])) {
      ++k;
    }
    same_vars = k < b->n_vars;
    bcols[v]  = k;
  }
  if (!same_vars) {
    char va[300];
    char vb[300];
    list_vars(a, va, sizeof(va));
    list_vars(b, vb, sizeof(vb));
    fail(why, wl, FDX_FAILURE, "variables differ: a has %s; b has %s", va,
         vb);
    free(bcols);
    return false;
  }
  if (a->n_rows != b->n_rows) {
    fail(why, wl, FDX_FAILURE, "a has %zu rows, b has %zu", a->n_rows,
         b->n_rows);
    free(bcols);
    return false;
  }
  const bool eq = equal_coded(a, b, bcols, flags, why, wl);
  free(bcols);
  return eq;
}
