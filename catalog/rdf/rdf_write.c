/*
 * rdf_write.c: streaming writers for N-Triples, N-Quads, Turtle and TriG:
 * `fdx_dump`, which feeds them from an index scan, and the triple writer
 * (FdxTripleWriter), which takes triples one at a time (CONSTRUCT and
 * DESCRIBE results) and also fronts the RDF/XML (raptor_write.c) and
 * JSON-LD (jsonld_write.c) writers.
 *
 * Hand-written because raptor's Turtle serializer collects the whole graph
 * in memory before writing and raptor has no TriG serializer; a dump of a
 * large store must stream in constant memory.  The scans arrive sorted
 * (GSPO for one graph or for TriG/N-Quads, SPOG for the union), so Turtle's
 * subject and predicate grouping is just "same as the previous triple".
 * The triple writer groups the same way, and so groups well exactly when
 * its caller sends a subject's triples together.
 *
 * Output is buffered here (Out, rdf_write_impl.h) and handed to the
 * caller's FdxWriteBytes in large pieces.
 */
#include "fairdex/rdf.h"

#include "../store/store_impl.h"
#include "rdf_write_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
out_uchar(Out* const out, const unsigned c)
{
  char u[8];
  snprintf(u, sizeof(u), "\\u%04X", c);
  out_bytes(out, u, 6);
}

static void
write_iri(Out* const out, const char* const s, const size_t n)
{
  out_bytes(out, "<", 1);
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c == '<' || c == '>' || c == '"' || c == '{' ||
        c == '}' || c == '|' || c == '^' || c == '`' || c == '\\') {
      out_bytes(out, s + start, i - start);
      out_uchar(out, c);
      start = i + 1;
    }
  }
  out_bytes(out, s + start, n - start);
  out_bytes(out, ">", 1);
}

static void
write_string(Out* const out, const char* const s, const size_t n)
{
  out_bytes(out, "\"", 1);
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c   = (unsigned char)s[i];
    const char*         esc = NULL;
    switch (c) {
    case '"':
      esc = "\\\"";
      break;
    case '\\':
      esc = "\\\\";
      break;
    case '\n':
      esc = "\\n";
      break;
    case '\r':
      esc = "\\r";
      break;
    case '\t':
      esc = "\\t";
      break;
    default:
      break;
    }
    if (esc || c < 0x20 || c == 0x7F) {
      out_bytes(out, s + start, i - start);
      if (esc) {
        out_str(out, esc);
      } else {
        out_uchar(out, c);
      }
      start = i + 1;
    }
  }
  out_bytes(out, s + start, n - start);
  out_bytes(out, "\"", 1);
}

size_t
fdx_rdf_blank_label(const char* const s, const size_t n, char* const out)
{
  /* Labels we mint are [A-Za-z0-9_]; anything else is written as xHH. */
  static const char hex[] = "0123456789ABCDEF";
  size_t            len   = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || (c == '_' && i > 0) ||
        (c == '-' && i > 0)) {
      out[len++] = (char)c;
    } else {
      out[len++] = 'x';
      out[len++] = hex[c >> 4];
      out[len++] = hex[c & 15];
    }
  }
  return len;
}

static void
write_blank(Out* const out, const char* const s, const size_t n)
{
  out_bytes(out, "_:", 2);
  /* In slices, so that a label of any length needs no allocation. */
  char   tmp[3 * 256];
  size_t i = 0;
  while (i < n) {
    const size_t k = n - i < 256 ? n - i : 256;
    out_bytes(out, tmp, fdx_rdf_blank_label(s + i, k, tmp));
    i += k;
  }
}

/* ------------------------------------------------------------------------
 * Turtle names
 * --------------------------------------------------------------------- */

#define PFX(name, ns) {name, sizeof(name) - 1, ns, sizeof(ns) - 1}

/* The vocabularies of DCAT-AP and HealthDCAT-AP catalogues.  No namespace
 * here starts another, so an IRI has at most one candidate. */
static const FdxRdfPrefix prefixes[] = {
  PFX("rdf", RDF_NS),
  PFX("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
  PFX("xsd", XSD_NS),
  PFX("owl", "http://www.w3.org/2002/07/owl#"),
  PFX("dcat", "http://www.w3.org/ns/dcat#"),
  PFX("dct", "http://purl.org/dc/terms/"),
  PFX("dc", "http://purl.org/dc/elements/1.1/"),
  PFX("foaf", "http://xmlns.com/foaf/0.1/"),
  PFX("skos", "http://www.w3.org/2004/02/skos/core#"),
  PFX("vcard", "http://www.w3.org/2006/vcard/ns#"),
  PFX("prov", "http://www.w3.org/ns/prov#"),
  PFX("adms", "http://www.w3.org/ns/adms#"),
  PFX("schema", "http://schema.org/"),
  PFX("dcatap", "http://data.europa.eu/r5r/"),
  PFX("healthdcatap", "http://healthdataportal.eu/ns/health#"),
  PFX("odrl", "http://www.w3.org/ns/odrl/2/"),
  PFX("spdx", "http://spdx.org/rdf/terms#"),
  PFX("locn", "http://www.w3.org/ns/locn#"),
  PFX("hydra", "http://www.w3.org/ns/hydra/core#"),
  PFX("eu-theme",
      "http://publications.europa.eu/resource/authority/data-theme/"),
  PFX("eu-ft", "http://publications.europa.eu/resource/authority/file-type/"),
  PFX("eu-ar",
      "http://publications.europa.eu/resource/authority/access-right/"),
  PFX("eu-freq",
      "http://publications.europa.eu/resource/authority/frequency/"),
  PFX("eu-lang", "http://publications.europa.eu/resource/authority/language/"),
};
#define N_PREFIXES (sizeof(prefixes) / sizeof(prefixes[0]))

/* A conservative PN_LOCAL check: letters, digits, '_' and '-' only, not
 * starting with '-'.  Anything else is written as a full IRI. */
static bool
simple_local_char(const char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool
simple_local(const char* const s, const size_t n)
{
  if (n == 0) {
    return true;
  }
  if (s[0] == '-') {
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    if (!simple_local_char(s[i])) {
      return false;
    }
  }
  return true;
}

/* The IRI as prefix:local with the longest namespace of `list` that
 * starts it (the later binding on a tie), else as <IRI>. */
static void
write_iri_ttl(Out* const                out,
              const char* const         s,
              const size_t              n,
              const FdxRdfPrefix* const list,
              const size_t              n_list)
{
  /* The local part must be simple, so a namespace must reach at least
   * past the last character that is not: that rules out most prefixes by
   * their length alone, before any comparison. */
  size_t min_ns = n;
  while (min_ns > 0 && simple_local_char(s[min_ns - 1])) {
    --min_ns;
  }
  const FdxRdfPrefix* best = NULL;
  for (size_t i = 0; i < n_list; ++i) {
    const size_t nl = list[i].ns_len;
    if (nl >= min_ns && n >= nl && nl > 0 && (!best || nl >= best->ns_len) &&
        s[nl - 1] == list[i].ns[nl - 1] && !memcmp(s, list[i].ns, nl) &&
        simple_local(s + nl, n - nl)) {
      best = &list[i];
    }
  }
  if (best) {
    out_bytes(out, best->name, best->name_len);
    out_bytes(out, ":", 1);
    out_bytes(out, s + best->ns_len, n - best->ns_len);
    return;
  }
  write_iri(out, s, n);
}

/* `t` in N-Triples syntax, or with `list` (not NULL) in Turtle syntax. */
static void
write_term(Out* const                out,
           const FdxTerm* const      t,
           const FdxRdfPrefix* const list,
           const size_t              n_list)
{
  switch (t->kind) {
  case FDX_TERM_IRI:
    if (list) {
      write_iri_ttl(out, t->value, t->value_len, list, n_list);
    } else {
      write_iri(out, t->value, t->value_len);
    }
    return;
  case FDX_TERM_BLANK:
    write_blank(out, t->value, t->value_len);
    return;
  case FDX_TERM_LITERAL:
    write_string(out, t->value, t->value_len);
    if (t->lang) {
      out_bytes(out, "@", 1);
      out_bytes(out, t->lang, t->lang_len);
    } else if (t->datatype) {
      out_bytes(out, "^^", 2);
      if (list) {
        write_iri_ttl(out, t->datatype, t->datatype_len, list, n_list);
      } else {
        write_iri(out, t->datatype, t->datatype_len);
      }
    }
    return;
  }
}

FdxStatus
fdx_write_term_nt(const FdxTerm* const term,
                  const FdxWriteBytes  write,
                  void* const          ctx)
{
  if (!term || !write) {
    return FDX_ERR_BAD_ARG;
  }
  Out* const out = (Out*)malloc(sizeof(Out));
  if (!out) {
    return FDX_ERR_NO_MEMORY;
  }
  out_init(out, write, ctx);
  write_term(out, term, NULL, 0);
  out_flush(out);
  const bool failed = out->failed;
  free(out);
  return failed ? FDX_ERR_IO : FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Triple writer
 *
 * The object behind FdxTripleWriter (rdf.h).  Every triple passes through
 * fdx_triple_writer_add(), which checks the terms, makes their strings
 * valid UTF-8 (repaired copies in `fix`, only when needed), compares
 * subject and predicate with the previous triple's (copies in `subject`
 * and `predicate`), and then writes N-Triples or Turtle here or hands the
 * triple to the RDF/XML or JSON-LD backend.  The previous subject and
 * predicate are those of the last triple *written*: a triple refused with
 * FDX_ERR_UNSUPPORTED changes nothing.
 * --------------------------------------------------------------------- */

typedef enum { MODE_NT, MODE_TURTLE, MODE_RDFXML, MODE_JSONLD } Mode;

/* A growable byte buffer. */
typedef struct {
  char*  buf;
  size_t cap;
} Scratch;

/* A copy of the previous subject or predicate. */
typedef struct {
  FdxTermKind kind;
  Scratch     bytes;
  size_t      len;
  bool        set;
} Held;

struct FdxTripleWriterImpl {
  Mode          mode;
  FdxStatus     status;  /* final error, or FDX_SUCCESS */
  bool          started; /* the head is written */
  bool          ended;
  bool          open;    /* Turtle: a statement is open */
  uint64_t      replaced;
  FdxRdfPrefix* prefixes; /* owned copies */
  size_t        n_prefixes;
  Held          subject;
  Held          predicate;
  Scratch       fix[4]; /* repaired s, p and o values, o's datatype */
  FdxRdfxml*    rdfxml;
  FdxJsonld*    jsonld;
  Out           out;
};

static bool
scratch_reserve(Scratch* const sc, const size_t n)
{
  if (n <= sc->cap) {
    return true;
  }
  size_t cap = sc->cap ? sc->cap : 64;
  while (cap < n) {
    cap *= 2;
  }
  char* const buf = (char*)realloc(sc->buf, cap);
  if (!buf) {
    return false;
  }
  sc->buf = buf;
  sc->cap = cap;
  return true;
}

/* The length of the UTF-8 sequence at s[i] (of `n` bytes), setting `*ok`
 * if it is well-formed (Unicode table 3-7); if it is not, the length is
 * that of its maximal subpart, at least 1, which becomes one U+FFFD. */
static size_t
utf8_seq(const unsigned char* const s,
         const size_t               n,
         const size_t               i,
         bool* const                ok)
{
  const unsigned char c    = s[i];
  size_t              need = 0;
  unsigned char       lo = 0x80, hi = 0xBF;
  if (c < 0x80) {
    *ok = true;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2;
    lo   = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    need = 2;
  } else if (c == 0xED) {
    need = 2;
    hi   = 0x9F;
  } else if (c == 0xF0) {
    need = 3;
    lo   = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else if (c == 0xF4) {
    need = 3;
    hi   = 0x8F;
  } else {
    *ok = false;
    return 1;
  }
  size_t k = 1;
  for (; k <= need && i + k < n; ++k) {
    const unsigned char d = s[i + k];
    if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) {
      break;
    }
  }
  *ok = k == need + 1;
  return k;
}

/* Point `*str` (`*len` bytes) at a well-formed UTF-8 version of itself:
 * itself if it already is, else a copy in `sc` with U+FFFD for each
 * ill-formed subsequence, counted in `*count`. */
static FdxStatus
utf8_fix(const char** const str,
         size_t* const      len,
         Scratch* const     sc,
         uint64_t* const    count)
{
  const unsigned char* const s = (const unsigned char*)*str;
  const size_t               n = *len;
  size_t                     i = 0;
  bool                       ok = true;
  while (i < n) {
    if (s[i] < 0x80) {
      /* ASCII runs eight bytes at a time. */
      uint64_t word;
      while (i + 8 <= n && (memcpy(&word, s + i, 8), !(word & 0x8080808080808080ull))) {
        i += 8;
      }
      if (i < n && s[i] < 0x80) {
        ++i;
      }
      continue;
    }
    const size_t k = utf8_seq(s, n, i, &ok);
    if (!ok) {
      break;
    }
    i += k;
  }
  if (i == n) {
    return FDX_SUCCESS;
  }
  /* At most three bytes out for each byte in. */
  if (!scratch_reserve(sc, 3 * n)) {
    return FDX_ERR_NO_MEMORY;
  }
  memcpy(sc->buf, s, i);
  size_t o = i;
  while (i < n) {
    const size_t k = utf8_seq(s, n, i, &ok);
    if (ok) {
      memcpy(sc->buf + o, s + i, k);
      o += k;
    } else {
      memcpy(sc->buf + o, "\xEF\xBF\xBD", 3);
      o += 3;
      ++*count;
    }
    i += k;
  }
  *str = sc->buf;
  *len = o;
  return FDX_SUCCESS;
}

/* Turtle's LANGTAG without '@': [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*. */
static bool
langtag_ok(const char* const s, const size_t n)
{
  size_t i = 0;
  while (i < n && ((s[i] >= 'a' && s[i] <= 'z') ||
                   (s[i] >= 'A' && s[i] <= 'Z'))) {
    ++i;
  }
  if (i == 0) {
    return false;
  }
  while (i < n) {
    if (s[i++] != '-') {
      return false;
    }
    const size_t start = i;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') ||
                     (s[i] >= 'A' && s[i] <= 'Z') ||
                     (s[i] >= '0' && s[i] <= '9'))) {
      ++i;
    }
    if (i == start) {
      return false;
    }
  }
  return true;
}

/* The checks of fdx_triple_writer_add(), for a term of one of `kinds`
 * (a bit per FdxTermKind). */
static bool
term_ok(const FdxTerm* const t, const unsigned kinds)
{
  if (!t || t->kind < FDX_TERM_IRI || t->kind > FDX_TERM_LITERAL ||
      !(kinds & (1u << t->kind)) || (!t->value && t->value_len)) {
    return false;
  }
  if (t->kind != FDX_TERM_LITERAL) {
    return t->value_len > 0;
  }
  if ((!t->lang && t->lang_len) || (!t->datatype && t->datatype_len)) {
    return false;
  }
  const bool lang = t->lang && t->lang_len;
  if (lang && t->datatype && t->datatype_len) {
    return false;
  }
  return !lang || langtag_ok(t->lang, t->lang_len);
}

/* A view of `t` that the formats can write as it is: strings made valid
 * UTF-8 (with `fix_value` and `fix_dt`), an absent language tag or
 * datatype NULL, xsd:string dropped. */
static FdxStatus
clean_term(const FdxTerm* const t,
           Scratch* const       fix_value,
           Scratch* const       fix_dt,
           uint64_t* const      count,
           FdxTerm* const       ret)
{
  FdxTerm c = {t->kind, t->value ? t->value : "", t->value_len, NULL, 0,
               NULL,    0};
  FdxStatus st = utf8_fix(&c.value, &c.value_len, fix_value, count);
  if (!st && t->kind == FDX_TERM_LITERAL) {
    if (t->lang && t->lang_len) {
      c.lang     = t->lang; /* ASCII, checked */
      c.lang_len = t->lang_len;
    } else if (t->datatype && t->datatype_len &&
               !fdx_rdf_eq(t->datatype, t->datatype_len, XSD_NS "string")) {
      c.datatype     = t->datatype;
      c.datatype_len = t->datatype_len;
      st = utf8_fix(&c.datatype, &c.datatype_len, fix_dt, count);
    }
  }
  if (!st) {
    *ret = c;
  }
  return st;
}

static bool
held_eq(const Held* const h, const FdxTerm* const t)
{
  return h->set && h->kind == t->kind && h->len == t->value_len &&
         !memcmp(h->bytes.buf, t->value, t->value_len);
}

static FdxStatus
held_set(Held* const h, const FdxTerm* const t)
{
  if (!scratch_reserve(&h->bytes, t->value_len + 1)) {
    h->set = false;
    return FDX_ERR_NO_MEMORY;
  }
  memcpy(h->bytes.buf, t->value, t->value_len);
  h->kind = t->kind;
  h->len  = t->value_len;
  h->set  = true;
  return FDX_SUCCESS;
}

/* Record a final error: from now on every call returns it. */
static FdxStatus
writer_fail(FdxTripleWriter* const w, const FdxStatus st)
{
  w->status = st;
  return st;
}

static void
free_prefix(FdxRdfPrefix* const p)
{
  free((void*)p->name);
  free((void*)p->ns);
}

static char*
copy_str(const char* const s, const size_t n)
{
  char* const c = (char*)malloc(n + 1);
  if (c) {
    memcpy(c, s, n);
    c[n] = '\0';
  }
  return c;
}

/* Bind `name` to `ns` (NULL: unbind) in `w`'s list. */
static FdxStatus
set_prefix(FdxTripleWriter* const w,
           const char* const      name,
           const size_t           name_len,
           const char* const      ns,
           const size_t           ns_len)
{
  size_t i = 0;
  while (i < w->n_prefixes &&
         !fdx_rdf_eq(name, name_len, w->prefixes[i].name)) {
    ++i;
  }
  if (i < w->n_prefixes) {
    /* Unbind, or rebind as the latest binding (which wins ties). */
    FdxRdfPrefix old = w->prefixes[i];
    memmove(w->prefixes + i, w->prefixes + i + 1,
            (w->n_prefixes - i - 1) * sizeof(FdxRdfPrefix));
    --w->n_prefixes;
    free_prefix(&old);
  }
  if (!ns) {
    return FDX_SUCCESS;
  }
  FdxRdfPrefix* const list = (FdxRdfPrefix*)realloc(
    w->prefixes, (w->n_prefixes + 1) * sizeof(FdxRdfPrefix));
  if (!list) {
    return FDX_ERR_NO_MEMORY;
  }
  w->prefixes           = list;
  FdxRdfPrefix* const p = &list[w->n_prefixes];
  p->name               = copy_str(name, name_len);
  p->ns                 = copy_str(ns, ns_len);
  p->name_len           = name_len;
  p->ns_len             = ns_len;
  if (!p->name || !p->ns) {
    free_prefix(p);
    return FDX_ERR_NO_MEMORY;
  }
  ++w->n_prefixes;
  return FDX_SUCCESS;
}

FdxStatus
fdx_triple_writer_new(const FdxFormat         format,
                      const FdxWriteBytes     write,
                      void* const             ctx,
                      FdxTripleWriter** const ret_writer)
{
  Mode mode;
  switch (format) {
  case FDX_FORMAT_NTRIPLES:
  case FDX_FORMAT_NQUADS:
    mode = MODE_NT;
    break;
  case FDX_FORMAT_TURTLE:
  case FDX_FORMAT_TRIG:
    mode = MODE_TURTLE;
    break;
  case FDX_FORMAT_RDFXML:
    mode = MODE_RDFXML;
    break;
  case FDX_FORMAT_JSONLD:
    mode = MODE_JSONLD;
    break;
  case FDX_FORMAT_UNKNOWN:
  default:
    return FDX_ERR_BAD_ARG;
  }
  if (!write || !ret_writer) {
    return FDX_ERR_BAD_ARG;
  }
  FdxTripleWriter* const w =
    (FdxTripleWriter*)calloc(1, sizeof(FdxTripleWriter));
  if (!w) {
    return FDX_ERR_NO_MEMORY;
  }
  w->mode = mode;
  out_init(&w->out, write, ctx);
  FdxStatus st = FDX_SUCCESS;
  for (size_t i = 0; i < N_PREFIXES && !st; ++i) {
    st = set_prefix(w, prefixes[i].name, prefixes[i].name_len, prefixes[i].ns,
                    prefixes[i].ns_len);
  }
  if (!st && mode == MODE_RDFXML) {
    st = fdx_rdfxml_new(&w->out, &w->replaced, &w->rdfxml);
  } else if (!st && mode == MODE_JSONLD) {
    st = fdx_jsonld_new(&w->out, &w->jsonld);
  }
  if (st) {
    fdx_triple_writer_free(w);
    return st;
  }
  *ret_writer = w;
  return FDX_SUCCESS;
}

/* A Turtle prefix name that is also an XML NCName: "" or
 * [A-Za-z][A-Za-z0-9_-]*. */
static bool
prefix_name_ok(const char* const s)
{
  for (size_t i = 0; s[i]; ++i) {
    const char c = s[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && (i == 0 || !((c >= '0' && c <= '9') || c == '_' ||
                                c == '-'))) {
      return false;
    }
  }
  return true;
}

FdxStatus
fdx_triple_writer_prefix(FdxTripleWriter* const writer,
                         const char* const      prefix,
                         const char* const      iri)
{
  if (!writer || !prefix) {
    return FDX_ERR_BAD_ARG;
  }
  if (writer->status) {
    return writer->status;
  }
  if (writer->started || writer->ended || !prefix_name_ok(prefix)) {
    return FDX_ERR_BAD_ARG;
  }
  size_t iri_len = 0;
  if (iri) {
    iri_len = strlen(iri);
    const char* check     = iri;
    size_t      check_len = iri_len;
    uint64_t    bad       = 0;
    Scratch     none      = {NULL, 0};
    /* Any repair means it was not UTF-8: refuse rather than repair. */
    const FdxStatus st    = utf8_fix(&check, &check_len, &none, &bad);
    free(none.buf);
    if (st) {
      return st;
    }
    if (!iri_len || bad) {
      return FDX_ERR_BAD_ARG;
    }
  }
  return set_prefix(writer, prefix, strlen(prefix), iri, iri_len);
}

FdxStatus
fdx_triple_writer_clear_prefixes(FdxTripleWriter* const writer)
{
  if (!writer) {
    return FDX_ERR_BAD_ARG;
  }
  if (writer->status) {
    return writer->status;
  }
  if (writer->started || writer->ended) {
    return FDX_ERR_BAD_ARG;
  }
  for (size_t i = 0; i < writer->n_prefixes; ++i) {
    free_prefix(&writer->prefixes[i]);
  }
  writer->n_prefixes = 0;
  return FDX_SUCCESS;
}

/* The head: Turtle's @prefix lines, RDF/XML's rdf:RDF start tag. */
static FdxStatus
writer_start(FdxTripleWriter* const w)
{
  FdxStatus st = FDX_SUCCESS;
  w->started   = true;
  if (w->mode == MODE_TURTLE) {
    for (size_t i = 0; i < w->n_prefixes; ++i) {
      out_str(&w->out, "@prefix ");
      out_bytes(&w->out, w->prefixes[i].name, w->prefixes[i].name_len);
      out_str(&w->out, ": ");
      write_iri(&w->out, w->prefixes[i].ns, w->prefixes[i].ns_len);
      out_str(&w->out, " .\n");
    }
    if (w->n_prefixes) {
      out_str(&w->out, "\n");
    }
  } else if (w->mode == MODE_RDFXML) {
    st = fdx_rdfxml_start(w->rdfxml, w->prefixes, w->n_prefixes);
  }
  return st;
}

/* Is `v` (`n` bytes) Turtle's token for the numeric datatype `dt`
 * (INTEGER, DECIMAL or DOUBLE), so that a Turtle reader gives back the
 * same lexical form and datatype? */
static bool
ttl_number(const char* const v, const size_t n, const char* const dt)
{
  size_t i = 0, int_digits = 0, frac_digits = 0, exp_digits = 0;
  bool   dot = false, exp = false;
  if (i < n && (v[i] == '+' || v[i] == '-')) {
    ++i;
  }
  for (; i < n && v[i] >= '0' && v[i] <= '9'; ++i) {
    ++int_digits;
  }
  if (i < n && v[i] == '.') {
    dot = true;
    for (++i; i < n && v[i] >= '0' && v[i] <= '9'; ++i) {
      ++frac_digits;
    }
  }
  if (i < n && (v[i] == 'e' || v[i] == 'E')) {
    exp = true;
    if (++i < n && (v[i] == '+' || v[i] == '-')) {
      ++i;
    }
    for (; i < n && v[i] >= '0' && v[i] <= '9'; ++i) {
      ++exp_digits;
    }
  }
  if (i != n) {
    return false;
  }
  if (!strcmp(dt, XSD_NS "integer")) {
    return !dot && !exp && int_digits; /* INTEGER */
  }
  if (!strcmp(dt, XSD_NS "decimal")) {
    return dot && !exp && frac_digits; /* DECIMAL */
  }
  /* DOUBLE: [0-9]+ '.' [0-9]* EXP | '.' [0-9]+ EXP | [0-9]+ EXP */
  return exp && exp_digits && (int_digits || frac_digits);
}

/* Can literal `o` be written bare in Turtle and read back the same? */
static bool
ttl_bare(const FdxTerm* const o)
{
  if (!o->datatype) {
    return false;
  }
  const char* const dts[] = {XSD_NS "integer", XSD_NS "decimal",
                             XSD_NS "double"};
  for (size_t i = 0; i < 3; ++i) {
    if (fdx_rdf_eq(o->datatype, o->datatype_len, dts[i])) {
      return ttl_number(o->value, o->value_len, dts[i]);
    }
  }
  return fdx_rdf_eq(o->datatype, o->datatype_len, XSD_NS "boolean") &&
         (fdx_rdf_eq(o->value, o->value_len, "true") ||
          fdx_rdf_eq(o->value, o->value_len, "false"));
}

static void
turtle_add(FdxTripleWriter* const w,
           const FdxTerm* const   s,
           const FdxTerm* const   p,
           const FdxTerm* const   o,
           const bool             new_subj,
           const bool             new_pred)
{
  Out* const out = &w->out;
  if (w->open) {
    out_str(out, new_subj ? " .\n" : new_pred ? " ;\n    " : ", ");
  }
  if (new_subj) {
    write_term(out, s, w->prefixes, w->n_prefixes);
    out_bytes(out, " ", 1);
  }
  if (new_pred) {
    if (fdx_rdf_eq(p->value, p->value_len, RDF_NS "type")) {
      out_bytes(out, "a", 1);
    } else {
      write_term(out, p, w->prefixes, w->n_prefixes);
    }
    out_bytes(out, " ", 1);
  }
  if (o->kind == FDX_TERM_LITERAL && ttl_bare(o)) {
    out_bytes(out, o->value, o->value_len);
  } else {
    write_term(out, o, w->prefixes, w->n_prefixes);
  }
  w->open = true;
}

static void
ntriples_add(Out* const           out,
             const FdxTerm* const s,
             const FdxTerm* const p,
             const FdxTerm* const o)
{
  write_term(out, s, NULL, 0);
  out_bytes(out, " ", 1);
  write_term(out, p, NULL, 0);
  out_bytes(out, " ", 1);
  write_term(out, o, NULL, 0);
  out_bytes(out, " .\n", 3);
}

FdxStatus
fdx_triple_writer_add(FdxTripleWriter* const w,
                      const FdxTerm* const   s,
                      const FdxTerm* const   p,
                      const FdxTerm* const   o)
{
  if (!w) {
    return FDX_ERR_BAD_ARG;
  }
  if (w->status) {
    return w->status;
  }
  const unsigned resource = (1u << FDX_TERM_IRI) | (1u << FDX_TERM_BLANK);
  if (w->ended || !term_ok(s, resource) || !term_ok(p, 1u << FDX_TERM_IRI) ||
      !term_ok(o, resource | (1u << FDX_TERM_LITERAL))) {
    return FDX_ERR_BAD_ARG;
  }
  uint64_t  fixes = 0;
  FdxTerm   cs, cp, co;
  FdxStatus st;
  if ((st = clean_term(s, &w->fix[0], NULL, &fixes, &cs)) ||
      (st = clean_term(p, &w->fix[1], NULL, &fixes, &cp)) ||
      (st = clean_term(o, &w->fix[2], &w->fix[3], &fixes, &co))) {
    return writer_fail(w, st);
  }
  if (!w->started && (st = writer_start(w))) {
    return writer_fail(w, st);
  }
  const bool new_subj = !held_eq(&w->subject, &cs);
  const bool new_pred = new_subj || !held_eq(&w->predicate, &cp);
  switch (w->mode) {
  case MODE_NT:
    ntriples_add(&w->out, &cs, &cp, &co);
    break;
  case MODE_TURTLE:
    turtle_add(w, &cs, &cp, &co, new_subj, new_pred);
    break;
  case MODE_RDFXML:
    st = fdx_rdfxml_add(w->rdfxml, &cs, &cp, &co);
    break;
  case MODE_JSONLD:
    st = fdx_jsonld_add(w->jsonld, &cs, &cp, &co, new_subj);
    break;
  }
  /* A failed callback trumps whatever the backend made of it (raptor
   * reports its own write errors as errors of the statement). */
  if (w->out.failed) {
    st = FDX_ERR_IO;
  }
  if (st == FDX_ERR_UNSUPPORTED) {
    return st; /* nothing written, nothing changed */
  }
  if (!st && new_subj) {
    st = held_set(&w->subject, &cs);
  }
  if (!st && new_pred) {
    st = held_set(&w->predicate, &cp);
  }
  if (st) {
    return writer_fail(w, st);
  }
  w->replaced += fixes;
  return FDX_SUCCESS;
}

FdxStatus
fdx_triple_writer_flush(FdxTripleWriter* const w)
{
  if (!w) {
    return FDX_ERR_BAD_ARG;
  }
  if (w->status) {
    return w->status;
  }
  FdxStatus st = FDX_SUCCESS;
  if (w->started && !w->ended) {
    if (w->mode == MODE_RDFXML) {
      st = fdx_rdfxml_flush(w->rdfxml);
    } else if (w->mode == MODE_JSONLD) {
      st = fdx_jsonld_flush(w->jsonld);
    }
  }
  out_flush(&w->out);
  if (!st && w->out.failed) {
    st = FDX_ERR_IO;
  }
  return st ? writer_fail(w, st) : FDX_SUCCESS;
}

FdxStatus
fdx_triple_writer_end(FdxTripleWriter* const w)
{
  if (!w) {
    return FDX_ERR_BAD_ARG;
  }
  if (w->status) {
    return w->status;
  }
  if (w->ended) {
    return FDX_ERR_BAD_ARG;
  }
  FdxStatus st = w->started ? FDX_SUCCESS : writer_start(w);
  w->ended     = true;
  if (!st) {
    switch (w->mode) {
    case MODE_NT:
      break;
    case MODE_TURTLE:
      if (w->open) {
        out_str(&w->out, " .\n");
      }
      break;
    case MODE_RDFXML:
      st = fdx_rdfxml_end(w->rdfxml);
      break;
    case MODE_JSONLD:
      st = fdx_jsonld_end(w->jsonld);
      break;
    }
  }
  out_flush(&w->out);
  if (!st && w->out.failed) {
    st = FDX_ERR_IO;
  }
  return st ? writer_fail(w, st) : FDX_SUCCESS;
}

uint64_t
fdx_triple_writer_replaced(const FdxTripleWriter* const writer)
{
  return writer ? writer->replaced : 0;
}

void
fdx_triple_writer_free(FdxTripleWriter* const writer)
{
  if (!writer) {
    return;
  }
  fdx_rdfxml_free(writer->rdfxml);
  fdx_jsonld_free(writer->jsonld);
  for (size_t i = 0; i < writer->n_prefixes; ++i) {
    free_prefix(&writer->prefixes[i]);
  }
  free(writer->prefixes);
  free(writer->subject.bytes.buf);
  free(writer->predicate.bytes.buf);
  for (size_t i = 0; i < 4; ++i) {
    free(writer->fix[i].buf);
  }
  free(writer);
}

/* ------------------------------------------------------------------------
 * Dump
 * --------------------------------------------------------------------- */

static FdxStatus
decode(FdxTxn* const txn, const FdxId id, FdxTermBuf* const buf)
{
  const FdxStatus st = fdx_term_get(txn, id, buf);
  return st == FDX_FAILURE ? FDX_ERR_CORRUPT : st;
}

FdxStatus
fdx_dump(FdxTxn* const       txn,
         const FdxFormat     format,
         const FdxId         graph,
         const FdxWriteBytes write,
         void* const         ctx)
{
  if (!txn || !write || format == FDX_FORMAT_UNKNOWN ||
      (unsigned)format > FDX_FORMAT_JSONLD) {
    return FDX_ERR_BAD_ARG;
  }
  const bool turtle = format == FDX_FORMAT_TURTLE || format == FDX_FORMAT_TRIG;
  const bool quads  = fdx_format_has_graphs(format);
  /* Union of all graphs without graph names: SPOG, skipping repeats of the
   * same triple in several graphs.  Otherwise GSPO, graph by graph. */
  const bool union_triples = !quads && graph == FDX_ID_ANY;

  /* RDF/XML and JSON-LD go through a triple writer, which has its own
   * buffer; `out` then stays empty. */
  FdxTripleWriter* tw = NULL;
  if (format == FDX_FORMAT_RDFXML || format == FDX_FORMAT_JSONLD) {
    const FdxStatus tst = fdx_triple_writer_new(format, write, ctx, &tw);
    if (tst) {
      return tst;
    }
  }
  Out* const out = (Out*)malloc(sizeof(Out));
  if (!out) {
    fdx_triple_writer_free(tw);
    return FDX_ERR_NO_MEMORY;
  }
  out_init(out, write, ctx);

  if (turtle) {
    for (size_t i = 0; i < N_PREFIXES; ++i) {
      out_str(out, "@prefix ");
      out_str(out, prefixes[i].name);
      out_str(out, ": <");
      out_str(out, prefixes[i].ns);
      out_str(out, "> .\n");
    }
    out_str(out, "\n");
  }

  FdxQuadIter* it = NULL;
  FdxStatus    st;
  if (union_triples) {
    /* An unbound pattern scans the first ordering, SPOG. */
    const FdxQuad all = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY};
    st                = fdx_quad_find(txn, &all, &it);
  } else {
    const FdxQuad pattern = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, graph};
    if (graph == FDX_ID_ANY) {
      /* Whole store, graph by graph: scan GSPO key by key. */
      st = FDX_SUCCESS;
    } else {
      st = fdx_quad_find(txn, &pattern, &it);
    }
  }

  /* For a whole-store TriG/N-Quads dump we walk GSPO directly. */
  MDB_cursor* gcur = NULL;
  if (!st && !it) {
    const int rc =
      mdb_cursor_open(txn->txn, txn->store->order[FDX_ORDER_GSPO], &gcur);
    st = fdx_lmdb_status(rc);
  }

  FdxQuad    prev  = {0, 0, 0, 0};
  bool       open_ = false; /* a Turtle statement is open */
  bool       in_graph_block = false;
  FdxTermBuf tb;
  MDB_val    gkey, gval;
  int        grc       = gcur ? mdb_cursor_get(gcur, &gkey, &gval, MDB_FIRST)
                              : MDB_NOTFOUND;
  FdxQuadIter* git     = NULL;

  while (!st && !out->failed) {
    FdxQuad q;
    if (it) {
      st = fdx_quad_iter_next(it, &q);
    } else {
      /* Next quad from the per-graph iterator, moving to the next graph
       * key when one runs out. */
      st = git ? fdx_quad_iter_next(git, &q) : FDX_FAILURE;
      while (st == FDX_FAILURE && gcur && !grc) {
        fdx_quad_iter_free(git);
        git = NULL;
        const FdxQuad gp = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY,
                            fdx_get_u64((const uint8_t*)gkey.mv_data)};
        if ((st = fdx_quad_find(txn, &gp, &git))) {
          break;
        }
        grc = mdb_cursor_get(gcur, &gkey, &gval, MDB_NEXT_NODUP);
        st  = fdx_quad_iter_next(git, &q);
      }
    }
    if (st) {
      break;
    }
    if (union_triples && open_ && q.s == prev.s && q.p == prev.p &&
        q.o == prev.o) {
      continue; /* the same triple in another graph */
    }

    if (tw) {
      FdxTermBuf tp, to;
      if ((st = decode(txn, q.s, &tb)) || (st = decode(txn, q.p, &tp)) ||
          (st = decode(txn, q.o, &to)) ||
          (st = fdx_triple_writer_add(tw, &tb.term, &tp.term, &to.term))) {
        break;
      }
      prev  = q;
      open_ = true;
      continue;
    }
    if (!turtle) {
      if ((st = decode(txn, q.s, &tb))) {
        break;
      }
      write_term(out, &tb.term, NULL, 0);
      out_bytes(out, " ", 1);
      if ((st = decode(txn, q.p, &tb))) {
        break;
      }
      write_term(out, &tb.term, NULL, 0);
      out_bytes(out, " ", 1);
      if ((st = decode(txn, q.o, &tb))) {
        break;
      }
      write_term(out, &tb.term, NULL, 0);
      if (quads && q.g != FDX_ID_DEFAULT_GRAPH) {
        out_bytes(out, " ", 1);
        if ((st = decode(txn, q.g, &tb))) {
          break;
        }
        write_term(out, &tb.term, NULL, 0);
      }
      out_bytes(out, " .\n", 3);
      prev  = q;
      open_ = true;
      continue;
    }

    /* Turtle / TriG with grouping. */
    const bool new_graph = quads && (!open_ || q.g != prev.g);
    const bool new_subj  = new_graph || !open_ || q.s != prev.s;
    const bool new_pred  = new_subj || q.p != prev.p;
    if (open_) {
      out_str(out, new_subj ? " .\n" : new_pred ? " ;\n    " : ", ");
    }
    if (new_graph) {
      if (in_graph_block) {
        out_str(out, "}\n");
        in_graph_block = false;
      }
      if (q.g != FDX_ID_DEFAULT_GRAPH) {
        /* "<g> {" rather than "GRAPH <g> {": both are TriG, and raptor's
         * TriG parser reads only the first. */
        out_str(out, "\n");
        if ((st = decode(txn, q.g, &tb))) {
          break;
        }
        write_term(out, &tb.term, prefixes, N_PREFIXES);
        out_str(out, " {\n");
        in_graph_block = true;
      }
    }
    if (new_subj) {
      if (in_graph_block) {
        out_str(out, "  ");
      }
      if ((st = decode(txn, q.s, &tb))) {
        break;
      }
      write_term(out, &tb.term, prefixes, N_PREFIXES);
      out_bytes(out, " ", 1);
    }
    if (new_pred) {
      if (!new_subj && in_graph_block) {
        out_str(out, "  ");
      }
      if ((st = decode(txn, q.p, &tb))) {
        break;
      }
      static const char rdf_type[] =
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
      if (tb.term.value_len == sizeof(rdf_type) - 1 &&
          !memcmp(tb.term.value, rdf_type, sizeof(rdf_type) - 1)) {
        out_bytes(out, "a", 1);
      } else {
        write_term(out, &tb.term, prefixes, N_PREFIXES);
      }
      out_bytes(out, " ", 1);
    }
    if ((st = decode(txn, q.o, &tb))) {
      break;
    }
    write_term(out, &tb.term, prefixes, N_PREFIXES);
    prev  = q;
    open_ = true;
  }
  if (st == FDX_FAILURE) {
    st = FDX_SUCCESS;
  }
  if (!st && tw) {
    st = fdx_triple_writer_end(tw);
  }
  fdx_triple_writer_free(tw);
  if (!st && turtle && open_) {
    out_str(out, " .\n");
  }
  if (!st && in_graph_block) {
    out_str(out, "}\n");
  }
  fdx_quad_iter_free(it);
  fdx_quad_iter_free(git);
  if (gcur) {
    mdb_cursor_close(gcur);
  }
  out_flush(out);
  if (!st && out->failed) {
    st = FDX_ERR_IO;
  }
  free(out);
  return st;
}
