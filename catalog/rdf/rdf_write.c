/*
 * rdf_write.c: streaming writers for N-Triples, N-Quads, Turtle and TriG,
 * and `fdx_dump`, which feeds them from an index scan.
 *
 * Hand-written because raptor's Turtle serializer collects the whole graph
 * in memory before writing and raptor has no TriG serializer; a dump of a
 * large store must stream in constant memory.  The scans arrive sorted
 * (GSPO for one graph or for TriG/N-Quads, SPOG for the union), so Turtle's
 * subject and predicate grouping is just "same as the previous triple".
 *
 * Output is buffered here and handed to the caller's FdxWriteBytes in large
 * pieces.
 */
#include "fairdex/rdf.h"

#include "../store/store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_BUF 65536

typedef struct {
  FdxWriteBytes write;
  void*         ctx;
  char          buf[OUT_BUF];
  size_t        len;
  bool          failed;
} Out;

static void
out_flush(Out* const out)
{
  if (out->len && !out->failed && out->write(out->ctx, out->buf, out->len)) {
    out->failed = true;
  }
  out->len = 0;
}

static void
out_bytes(Out* const out, const char* const s, const size_t n)
{
  if (n > OUT_BUF - out->len) {
    out_flush(out);
    if (n > OUT_BUF) {
      if (!out->failed && out->write(out->ctx, s, n)) {
        out->failed = true;
      }
      return;
    }
  }
  memcpy(out->buf + out->len, s, n);
  out->len += n;
}

static void
out_str(Out* const out, const char* const s)
{
  out_bytes(out, s, strlen(s));
}

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

static void
write_blank(Out* const out, const char* const s, const size_t n)
{
  out_bytes(out, "_:", 2);
  /* Labels we mint are [A-Za-z0-9_]; anything else is written as _HH. */
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || (c == '_' && i > 0) ||
        (c == '-' && i > 0)) {
      out_bytes(out, (const char*)&s[i], 1);
    } else {
      const char e[3] = {'x', hex[c >> 4], hex[c & 15]};
      out_bytes(out, e, 3);
    }
  }
}

/* ------------------------------------------------------------------------
 * Turtle names
 * --------------------------------------------------------------------- */

static const struct {
  const char* prefix;
  const char* ns;
} prefixes[] = {
  {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
  {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
  {"xsd", "http://www.w3.org/2001/XMLSchema#"},
  {"owl", "http://www.w3.org/2002/07/owl#"},
  {"dcat", "http://www.w3.org/ns/dcat#"},
  {"dct", "http://purl.org/dc/terms/"},
  {"dc", "http://purl.org/dc/elements/1.1/"},
  {"foaf", "http://xmlns.com/foaf/0.1/"},
  {"skos", "http://www.w3.org/2004/02/skos/core#"},
  {"vcard", "http://www.w3.org/2006/vcard/ns#"},
  {"prov", "http://www.w3.org/ns/prov#"},
  {"adms", "http://www.w3.org/ns/adms#"},
  {"schema", "http://schema.org/"},
  {"dcatap", "http://data.europa.eu/r5r/"},
  {"healthdcatap", "http://healthdataportal.eu/ns/health#"},
  {"odrl", "http://www.w3.org/ns/odrl/2/"},
  {"spdx", "http://spdx.org/rdf/terms#"},
  {"locn", "http://www.w3.org/ns/locn#"},
  {"hydra", "http://www.w3.org/ns/hydra/core#"},
  {"eu-theme", "http://publications.europa.eu/resource/authority/data-theme/"},
  {"eu-ft", "http://publications.europa.eu/resource/authority/file-type/"},
  {"eu-ar",
   "http://publications.europa.eu/resource/authority/access-right/"},
  {"eu-freq", "http://publications.europa.eu/resource/authority/frequency/"},
  {"eu-lang", "http://publications.europa.eu/resource/authority/language/"},
};
#define N_PREFIXES (sizeof(prefixes) / sizeof(prefixes[0]))

/* A conservative PN_LOCAL check: letters, digits, '_' and '-' only, not
 * starting with '-'.  Anything else is written as a full IRI. */
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
    const char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

static void
write_iri_ttl(Out* const out, const char* const s, const size_t n)
{
  for (size_t i = 0; i < N_PREFIXES; ++i) {
    const size_t nl = strlen(prefixes[i].ns);
    if (n >= nl && !memcmp(s, prefixes[i].ns, nl) &&
        simple_local(s + nl, n - nl)) {
      out_str(out, prefixes[i].prefix);
      out_bytes(out, ":", 1);
      out_bytes(out, s + nl, n - nl);
      return;
    }
  }
  write_iri(out, s, n);
}

static void
write_term(Out* const out, const FdxTerm* const t, const bool turtle)
{
  switch (t->kind) {
  case FDX_TERM_IRI:
    if (turtle) {
      write_iri_ttl(out, t->value, t->value_len);
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
      if (turtle) {
        write_iri_ttl(out, t->datatype, t->datatype_len);
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
  out->write  = write;
  out->ctx    = ctx;
  out->len    = 0;
  out->failed = false;
  write_term(out, term, false);
  out_flush(out);
  const bool failed = out->failed;
  free(out);
  return failed ? FDX_ERR_IO : FDX_SUCCESS;
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
  if (!txn || !write || format == FDX_FORMAT_RDFXML ||
      format == FDX_FORMAT_UNKNOWN) {
    return format == FDX_FORMAT_RDFXML ? FDX_ERR_UNSUPPORTED : FDX_ERR_BAD_ARG;
  }
  const bool turtle = format == FDX_FORMAT_TURTLE || format == FDX_FORMAT_TRIG;
  const bool quads  = fdx_format_has_graphs(format);
  /* Union of all graphs without graph names: SPOG, skipping repeats of the
   * same triple in several graphs.  Otherwise GSPO, graph by graph. */
  const bool union_triples = !quads && graph == FDX_ID_ANY;

  Out* const out = (Out*)malloc(sizeof(Out));
  if (!out) {
    return FDX_ERR_NO_MEMORY;
  }
  out->write  = write;
  out->ctx    = ctx;
  out->len    = 0;
  out->failed = false;

  if (turtle) {
    for (size_t i = 0; i < N_PREFIXES; ++i) {
      out_str(out, "@prefix ");
      out_str(out, prefixes[i].prefix);
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

    if (!turtle) {
      if ((st = decode(txn, q.s, &tb))) {
        break;
      }
      write_term(out, &tb.term, false);
      out_bytes(out, " ", 1);
      if ((st = decode(txn, q.p, &tb))) {
        break;
      }
      write_term(out, &tb.term, false);
      out_bytes(out, " ", 1);
      if ((st = decode(txn, q.o, &tb))) {
        break;
      }
      write_term(out, &tb.term, false);
      if (quads && q.g != FDX_ID_DEFAULT_GRAPH) {
        out_bytes(out, " ", 1);
        if ((st = decode(txn, q.g, &tb))) {
          break;
        }
        write_term(out, &tb.term, false);
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
        write_term(out, &tb.term, true);
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
      write_term(out, &tb.term, true);
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
        write_term(out, &tb.term, true);
      }
      out_bytes(out, " ", 1);
    }
    if ((st = decode(txn, q.o, &tb))) {
      break;
    }
    write_term(out, &tb.term, true);
    prev  = q;
    open_ = true;
  }
  if (st == FDX_FAILURE) {
    st = FDX_SUCCESS;
  }
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
