/*
 * rdf_write_impl.h: what the RDF writers in catalog/rdf/ share, and the
 * interface between the triple writer (rdf_write.c) and the two formats it
 * hands to a third-party library, RDF/XML (raptor_write.c, raptor2) and
 * JSON-LD (jsonld_write.c, jansson).  Not installed; nothing outside
 * catalog/rdf/ includes it.
 *
 * The split: rdf_write.c owns the FdxTripleWriter.  It checks each triple,
 * repairs its strings to valid UTF-8, tracks the previous subject and
 * predicate (so it can tell a backend "new subject"), owns the output
 * buffer and the prefix list, and writes N-Triples and Turtle itself.  A
 * backend gets terms that have passed those checks and writes into the
 * writer's Out; it never calls the user's callback itself, and reports
 * I/O failure only through `out->failed`.
 */
#ifndef FDX_RDF_WRITE_IMPL_H
#define FDX_RDF_WRITE_IMPL_H

#include "fairdex/rdf.h"
#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Buffered output
 * --------------------------------------------------------------------- */

#define OUT_BUF 65536

/* Bytes on their way to the caller's FdxWriteBytes, in pieces of up to
 * OUT_BUF (a longer run of bytes goes straight through).  Once the
 * callback fails, `failed` stays set and nothing more is passed on. */
typedef struct {
  FdxWriteBytes write;
  void*         ctx;
  char          buf[OUT_BUF];
  size_t        len;
  bool          failed;
} Out;

static inline void
out_init(Out* const out, const FdxWriteBytes write, void* const ctx)
{
  out->write  = write;
  out->ctx    = ctx;
  out->len    = 0;
  out->failed = false;
}

static inline void
out_flush(Out* const out)
{
  if (out->len && !out->failed && out->write(out->ctx, out->buf, out->len)) {
    out->failed = true;
  }
  out->len = 0;
}

static inline void
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
  if (n) {
    memcpy(out->buf + out->len, s, n);
    out->len += n;
  }
}

static inline void
out_str(Out* const out, const char* const s)
{
  out_bytes(out, s, strlen(s));
}

/* ------------------------------------------------------------------------
 * Shared helpers (rdf_write.c)
 * --------------------------------------------------------------------- */

/* A prefix binding: `name` and `ns` are NUL-terminated (a writer's own
 * bindings are copies it frees; the built-in table is static). */
typedef struct {
  const char* name;
  size_t      name_len;
  const char* ns;
  size_t      ns_len;
} FdxRdfPrefix;

/* Write the blank node label `s` (`n` bytes, n > 0) as fairdex writes
 * labels in every format: ASCII letters and digits, and '_' and '-' after
 * the first byte, as they are, every other byte as "xHH".  `out` has room
 * for 3 * n bytes; returns the length written (no NUL). */
size_t
fdx_rdf_blank_label(const char* s, size_t n, char* out);

#define XSD_NS "http://www.w3.org/2001/XMLSchema#"
#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

/* Is the `n` bytes at `s` the NUL-terminated `lit`? */
static inline bool
fdx_rdf_eq(const char* const s, const size_t n, const char* const lit)
{
  const size_t ln = strlen(lit);
  return n == ln && (n == 0 || !memcmp(s, lit, n));
}

/* ------------------------------------------------------------------------
 * RDF/XML (raptor_write.c)
 * --------------------------------------------------------------------- */

typedef struct FdxRdfxmlImpl FdxRdfxml;

/* A new RDF/XML backend writing to `out` and counting substitutions in
 * `*replaced`; nothing is written yet.  FDX_ERR_NO_MEMORY, or
 * FDX_ERR_UNSUPPORTED if raptor has no "rdfxml" serializer. */
FdxStatus
fdx_rdfxml_new(Out* out, uint64_t* replaced, FdxRdfxml** ret);

/* Write the head, declaring `n` prefixes. */
FdxStatus
fdx_rdfxml_start(FdxRdfxml* x, const FdxRdfPrefix* prefixes, size_t n);

/* Write one checked triple; FDX_ERR_UNSUPPORTED (nothing written) for
 * one RDF/XML cannot carry. */
FdxStatus
fdx_rdfxml_add(FdxRdfxml*     x,
               const FdxTerm* s,
               const FdxTerm* p,
               const FdxTerm* o);

/* Pass on what raptor holds back. */
FdxStatus
fdx_rdfxml_flush(FdxRdfxml* x);

/* Write the end of the document. */
FdxStatus
fdx_rdfxml_end(FdxRdfxml* x);

void
fdx_rdfxml_free(FdxRdfxml* x);

/* ------------------------------------------------------------------------
 * JSON-LD (jsonld_write.c)
 * --------------------------------------------------------------------- */

typedef struct FdxJsonldImpl FdxJsonld;

/* A new JSON-LD backend writing to `out`; nothing is written yet. */
FdxStatus
fdx_jsonld_new(Out* out, FdxJsonld** ret);

/* Add one checked triple; `new_subject` says that `s` differs from the
 * previous triple's subject. */
FdxStatus
fdx_jsonld_add(FdxJsonld*     j,
               const FdxTerm* s,
               const FdxTerm* p,
               const FdxTerm* o,
               bool           new_subject);

/* Write the open node object, if any. */
FdxStatus
fdx_jsonld_flush(FdxJsonld* j);

/* Write the open node object and the end of the document. */
FdxStatus
fdx_jsonld_end(FdxJsonld* j);

void
fdx_jsonld_free(FdxJsonld* j);

#endif /* FDX_RDF_WRITE_IMPL_H */
