/*
 * raptor_write.c: the RDF/XML backend of the triple writer, the one place
 * that writes with raptor2 (rdf_io.c is the one that reads with it).
 *
 * Which serializer: raptor's "rdfxml" writes each statement as its own
 * rdf:Description the moment it gets it, so it streams in constant memory.
 * "rdfxml-abbrev" nests and groups, but keeps every statement until the end
 * of the document, and flushed in pieces it would lose the rdf:nodeID of a
 * blank node whose references went out in an earlier piece.  So "rdfxml",
 * with our prefixes declared on rdf:RDF so that property elements read
 * dcat:keyword rather than ns0:keyword.
 *
 * Safety: raptor gets no base IRI and RAPTOR_OPTION_RELATIVE_URIS off, so
 * it writes every IRI as it is and resolves nothing; its web layer is never
 * initialised (RAPTOR_WORLD_FLAG_WWW_SKIP_INIT_FINISH), and it writes only
 * to an iostream of ours.  Its log messages come to log_handler(), never to
 * stderr.
 *
 * What raptor would get wrong is kept from it: a statement it cannot write
 * is refused before raptor sees it where we can tell (rdf:XMLLiteral, which
 * it copies into the document unescaped; a language tag longer than its
 * 255-byte limit), and otherwise when raptor reports an error for the
 * statement (a predicate with no XML name to split off), which it does
 * before writing any of it.  Characters XML 1.0 forbids (and U+007F, which
 * raptor refuses too) are replaced first, because raptor stops in the
 * middle of an element on them.  Blank node
 * labels are made XML names.
 */
#include "rdf_write_impl.h"

#include <raptor2.h>

#include <stdlib.h>
#include <string.h>

/* The strings of one statement that may need a cleaned copy. */
enum {
  FIX_S,
  FIX_P,
  FIX_O,
  FIX_DT,
  N_FIX
};

struct FdxRdfxmlImpl {
  raptor_world*      world;
  raptor_serializer* ser;
  raptor_iostream*   io;
  Out*               out;
  uint64_t*          replaced;
  bool               error; /* raptor logged an error */
  char*              fix[N_FIX];
  size_t             fix_cap[N_FIX];
};

static void
log_handler(void* const data, raptor_log_message* const message)
{
  if (message->level >= RAPTOR_LOG_LEVEL_ERROR) {
    ((FdxRdfxml*)data)->error = true;
  }
}

static int
io_write_byte(void* const ctx, const int byte)
{
  Out* const out = ((FdxRdfxml*)ctx)->out;
  const char c   = (char)byte;
  out_bytes(out, &c, 1);
  return out->failed ? 1 : 0;
}

static int
io_write_bytes(void* const       ctx,
               const void* const ptr,
               const size_t      size,
               const size_t      nmemb)
{
  Out* const out = ((FdxRdfxml*)ctx)->out;
  out_bytes(out, (const char*)ptr, size * nmemb);
  return out->failed ? 0 : (int)nmemb;
}

/* Version 2: raptor 2.0.15 refuses version 1 handlers. */
static const raptor_iostream_handler io_handler = {
  2, NULL, NULL, io_write_byte, io_write_bytes, NULL, NULL, NULL,
};

static bool
fix_reserve(FdxRdfxml* const x, const int i, const size_t n)
{
  if (n <= x->fix_cap[i]) {
    return true;
  }
  char* const buf = (char*)realloc(x->fix[i], n);
  if (!buf) {
    return false;
  }
  x->fix[i]     = buf;
  x->fix_cap[i] = n;
  return true;
}

/* The length of the (well-formed UTF-8) character at s[i] if raptor
 * cannot write it in XML 1.0, else 0: the C0 controls other than TAB, LF
 * and CR, U+FFFE and U+FFFF, which XML 1.0 forbids, and U+007F, which XML
 * allows but raptor refuses.  Surrogates cannot occur in well-formed
 * UTF-8. */
static size_t
xml_illegal(const unsigned char* const s, const size_t n, const size_t i)
{
  if (s[i] < 0x20) {
    return s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ? 0 : 1;
  }
  if (s[i] == 0x7F) {
    return 1;
  }
  if (s[i] == 0xEF && i + 2 < n && s[i + 1] == 0xBF &&
      (s[i + 2] == 0xBE || s[i + 2] == 0xBF)) {
    return 3;
  }
  return 0;
}

/* Point `*str` at a copy of itself with U+FFFD for each character that
 * xml_illegal() finds, if it has any; counted in x->replaced. */
static FdxStatus
xml_clean(FdxRdfxml* const   x,
          const int          slot,
          const char** const str,
          size_t* const      len)
{
  const unsigned char* const s = (const unsigned char*)*str;
  const size_t               n = *len;
  size_t                     i = 0;
  while (i < n && !xml_illegal(s, n, i)) {
    ++i;
  }
  if (i == n) {
    return FDX_SUCCESS;
  }
  if (!fix_reserve(x, slot, 3 * n)) {
    return FDX_ERR_NO_MEMORY;
  }
  char* const buf = x->fix[slot];
  memcpy(buf, s, i);
  size_t o = i;
  while (i < n) {
    const size_t k = xml_illegal(s, n, i);
    if (k) {
      memcpy(buf + o, "\xEF\xBF\xBD", 3);
      o += 3;
      i += k;
      ++*x->replaced;
    } else {
      buf[o++] = (char)s[i++];
    }
  }
  *str = buf;
  *len = o;
  return FDX_SUCCESS;
}

FdxStatus
fdx_rdfxml_new(Out* const out, uint64_t* const replaced, FdxRdfxml** const ret)
{
  FdxRdfxml* const x = (FdxRdfxml*)calloc(1, sizeof(FdxRdfxml));
  if (!x) {
    return FDX_ERR_NO_MEMORY;
  }
  x->out       = out;
  x->replaced  = replaced;
  FdxStatus st = FDX_SUCCESS;
  x->world     = raptor_new_world();
  if (!x->world ||
      raptor_world_set_flag(
        x->world, RAPTOR_WORLD_FLAG_WWW_SKIP_INIT_FINISH, 1) ||
      raptor_world_set_log_handler(x->world, x, log_handler) ||
      raptor_world_open(x->world)) {
    st = FDX_ERR_NO_MEMORY;
    goto fail;
  }
  x->ser = raptor_new_serializer(x->world, "rdfxml");
  if (!x->ser) {
    st = FDX_ERR_UNSUPPORTED;
    goto fail;
  }
  raptor_serializer_set_option(x->ser, RAPTOR_OPTION_RELATIVE_URIS, NULL, 0);
  x->io = raptor_new_iostream_from_handler(x->world, x, &io_handler);
  if (!x->io) {
    st = FDX_ERR_NO_MEMORY;
    goto fail;
  }
  *ret = x;
  return FDX_SUCCESS;

fail:
  fdx_rdfxml_free(x);
  return st;
}

/* Would raptor declare `name` as an XML namespace prefix?  Not "" (the
 * default namespace would turn every unprefixed element into ours), not
 * "rdf" (raptor declares its own) and nothing starting with "xml"
 * (reserved by Namespaces in XML). */
static bool
declare_prefix(const FdxRdfPrefix* const p)
{
  if (p->name_len == 0 || !strcmp(p->name, "rdf")) {
    return false;
  }
  return !(p->name_len >= 3 && (p->name[0] | 0x20) == 'x' &&
           (p->name[1] | 0x20) == 'm' && (p->name[2] | 0x20) == 'l');
}

FdxStatus
fdx_rdfxml_start(FdxRdfxml* const          x,
                 const FdxRdfPrefix* const prefixes,
                 const size_t              n)
{
  for (size_t i = 0; i < n; ++i) {
    if (!declare_prefix(&prefixes[i])) {
      continue;
    }
    /* The namespace IRI goes into an attribute: clean it like any IRI. */
    const char* ns     = prefixes[i].ns;
    size_t      ns_len = prefixes[i].ns_len;
    FdxStatus   st     = xml_clean(x, FIX_S, &ns, &ns_len);
    if (st) {
      return st;
    }
    raptor_uri* const uri = raptor_new_uri_from_counted_string(
      x->world, (const unsigned char*)ns, ns_len);
    if (!uri) {
      return FDX_ERR_NO_MEMORY;
    }
    const int rc = raptor_serializer_set_namespace(
      x->ser, uri, (const unsigned char*)prefixes[i].name);
    raptor_free_uri(uri);
    if (rc) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  x->error = false;
  if (raptor_serializer_start_to_iostream(x->ser, NULL, x->io) || x->error) {
    return FDX_ERR_UNKNOWN;
  }
  return FDX_SUCCESS;
}

/* A raptor term for `t`, or NULL if out of memory.  `slot` names the
 * scratch buffer for a cleaned copy of its value. */
static raptor_term*
make_term(FdxRdfxml* const     x,
          const FdxTerm* const t,
          const int            slot,
          FdxStatus* const     st)
{
  const char* value = t->value;
  size_t      len   = t->value_len;
  if (t->kind == FDX_TERM_BLANK) {
    /* An XML name: letters, digits, '_' and '-' from the label mapping,
     * which never starts with '_'; so a leading '_' before a digit
     * cannot make two labels the same. */
    if (!fix_reserve(x, slot, 3 * len + 1)) {
      *st = FDX_ERR_NO_MEMORY;
      return NULL;
    }
    char* const  buf  = x->fix[slot];
    const size_t lead = value[0] >= '0' && value[0] <= '9' ? 1 : 0;
    buf[0]            = '_';
    const size_t n    = lead + fdx_rdf_blank_label(value, len, buf + lead);
    return raptor_new_term_from_counted_blank(
      x->world, (const unsigned char*)buf, n);
  }
  if ((*st = xml_clean(x, slot, &value, &len))) {
    return NULL;
  }
  if (t->kind == FDX_TERM_IRI) {
    return raptor_new_term_from_counted_uri_string(
      x->world, (const unsigned char*)value, len);
  }
  raptor_uri* dt = NULL;
  if (t->datatype) {
    const char* dts    = t->datatype;
    size_t      dt_len = t->datatype_len;
    if ((*st = xml_clean(x, FIX_DT, &dts, &dt_len))) {
      return NULL;
    }
    dt = raptor_new_uri_from_counted_string(
      x->world, (const unsigned char*)dts, dt_len);
    if (!dt) {
      return NULL;
    }
  }
  /* The term takes its own reference to the datatype. */
  raptor_term* const term =
    raptor_new_term_from_counted_literal(x->world,
                                         (const unsigned char*)value,
                                         len,
                                         dt,
                                         (const unsigned char*)t->lang,
                                         (unsigned char)t->lang_len);
  if (dt) {
    raptor_free_uri(dt);
  }
  return term;
}

FdxStatus
fdx_rdfxml_add(FdxRdfxml* const     x,
               const FdxTerm* const s,
               const FdxTerm* const p,
               const FdxTerm* const o)
{
  if (o->kind == FDX_TERM_LITERAL &&
      (o->lang_len > 255 ||
       (o->datatype &&
        fdx_rdf_eq(o->datatype, o->datatype_len, RDF_NS "XMLLiteral")))) {
    return FDX_ERR_UNSUPPORTED;
  }
  /* Replacements are counted only for a statement that is written. */
  const uint64_t   replaced_before = *x->replaced;
  FdxStatus        st              = FDX_SUCCESS;
  raptor_statement stmt;
  raptor_statement_init(&stmt, x->world);
  stmt.subject   = make_term(x, s, FIX_S, &st);
  stmt.predicate = stmt.subject ? make_term(x, p, FIX_P, &st) : NULL;
  stmt.object    = stmt.predicate ? make_term(x, o, FIX_O, &st) : NULL;
  if (!stmt.object) {
    raptor_statement_clear(&stmt);
    *x->replaced = replaced_before;
    return st ? st : FDX_ERR_NO_MEMORY;
  }
  x->error     = false;
  const int rc = raptor_serializer_serialize_statement(x->ser, &stmt);
  raptor_statement_clear(&stmt);
  if (rc || x->error) {
    *x->replaced = replaced_before;
    return FDX_ERR_UNSUPPORTED;
  }
  return FDX_SUCCESS;
}

FdxStatus
fdx_rdfxml_flush(FdxRdfxml* const x)
{
  return raptor_serializer_flush(x->ser) ? FDX_ERR_UNKNOWN : FDX_SUCCESS;
}

FdxStatus
fdx_rdfxml_end(FdxRdfxml* const x)
{
  x->error = false;
  if (raptor_serializer_serialize_end(x->ser) || x->error) {
    return FDX_ERR_UNKNOWN;
  }
  return FDX_SUCCESS;
}

void
fdx_rdfxml_free(FdxRdfxml* const x)
{
  if (!x) {
    return;
  }
  /* The serializer writes to the iostream, so it goes first. */
  if (x->ser) {
    raptor_free_serializer(x->ser);
  }
  if (x->io) {
    raptor_free_iostream(x->io);
  }
  if (x->world) {
    raptor_free_world(x->world);
  }
  for (int i = 0; i < N_FIX; ++i) {
    free(x->fix[i]);
  }
  free(x);
}
