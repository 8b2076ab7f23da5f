/*
 * fairdex/sparql_results.h: streaming writers for the four SPARQL 1.1 query
 * results formats, the bytes a SPARQL endpoint sends back for SELECT and ASK.
 *
 *   JSON  application/sparql-results+json  (SPARQL 1.1 Query Results JSON)
 *   XML   application/sparql-results+xml   (SPARQL Query Results XML Format)
 *   CSV   text/csv                         (SPARQL 1.1 Query Results CSV)
 *   TSV   text/tab-separated-values        (SPARQL 1.1 Query Results TSV)
 *
 * A writer is fed one solution at a time and hands its output to the
 * caller's FdxWriteBytes callback (rdf.h) in chunks of FDX_RESULTS_CHUNK
 * bytes, so its memory is the same for ten rows or ten million: the chunk,
 * plus a copy of the variable names.  It never calls `write` with more than
 * FDX_RESULTS_CHUNK bytes at once.
 *
 * Use, for a SELECT query:
 *
 *     fdx_results_writer_new(FDX_RESULTS_JSON, write, ctx, &w);
 *     fdx_results_begin(w, names, n_vars);
 *     for each solution: fdx_results_row(w, values);   (n_vars terms each)
 *     fdx_results_end(w);
 *     fdx_results_writer_free(w);
 *
 * and for an ASK query fdx_results_boolean() in place of begin and rows.
 *
 * What goes out (read this once):
 *
 * - Every output is valid UTF-8.  Term strings are taken to be UTF-8; a
 *   byte sequence that is not (a stray continuation byte, an overlong or
 *   truncated sequence, an encoded surrogate) is written as U+FFFD, one
 *   U+FFFD per maximal ill-formed subsequence, as Unicode recommends.
 * - XML 1.0 cannot carry U+0000-U+0008, U+000B, U+000C, U+000E-U+001F,
 *   U+FFFE or U+FFFF, not even as character references ("&#0;" makes a
 *   document ill-formed).  The XML writer writes each as U+FFFD, so that the
 *   document stays well-formed: by the time a row reaches the writer the
 *   response is usually half sent and cannot become an error any more, and
 *   a client that gets a truncated or ill-formed document learns nothing.
 *   A client that needs such strings exactly should ask for JSON or TSV,
 *   which carry every code point.  Carriage returns are written as "&#xD;",
 *   because an XML parser would turn a raw CR into LF.
 * - Each such substitution (and each blank node label that TSV cannot
 *   write as it is, see below) is counted; fdx_results_writer_replaced()
 *   tells the caller, who may log it.  A writer switched to strict mode
 *   with fdx_results_writer_set_strict() instead refuses the row with
 *   FDX_ERR_UNSUPPORTED before writing any of it.
 * - In JSON and XML, a solution leaves out its unbound variables.  In CSV
 *   and TSV an unbound variable is an empty field.
 * - A literal whose datatype is xsd:string is written as a simple literal,
 *   the same RDF 1.1 term.
 * - Blank node labels are the caller's: the writer does not rename them.
 *   JSON, XML and CSV write them as they are.  TSV writes them in Turtle
 *   syntax ("_:label"); a label that is not a Turtle blank node label
 *   (labels fairdex mints always are) has each byte that does not fit
 *   written as "xHH" (hex), which is counted as a substitution.
 *
 * Per format:
 *
 * - JSON: one line per solution, e.g.
 *     {"head":{"vars":["s","o"]},
 *     "results":{"bindings":[
 *     {"s":{"type":"uri","value":"http://ex/a"},"o":{"type":"literal",
 *     "value":"chat","xml:lang":"fr"}}
 *     ]}}
 *   (the third line is one line).  Strings use the escapes \" \\ \b \f \n
 *   \r \t and \u00XX for the other control characters; everything else,
 *   non-ASCII included, is written as it is.  Typed literals carry
 *   "datatype", blank nodes are {"type":"bnode","value":"label"}.
 *   ASK: {"head":{},"boolean":true}.
 * - XML: the namespace http://www.w3.org/2005/sparql-results#, indented by
 *   two spaces, one <binding> per line; text escapes & < > (and CR, above),
 *   attribute values also " and TAB, LF and CR as character references.
 *   ASK: <head/> then <boolean>true</boolean>.
 * - CSV: RFC 4180 as the SPARQL 1.1 CSV format uses it: a header line of
 *   the variable names, lines end with CRLF, a field is quoted with '"'
 *   (inner quotes doubled) when it holds '"', ',', CR or LF.  IRIs are
 *   written bare, literals as their lexical form only, blank nodes as
 *   "_:label".  As the spec says, an empty string literal and an unbound
 *   variable are both an empty field.  CSV has no escapes: every other
 *   byte, control characters and NUL included, is written as it is.
 * - TSV: a header line "?s<TAB>?o", lines end with LF, terms in Turtle
 *   syntax: <iri> (characters Turtle does not allow in an IRI, such as
 *   space, '<', '>' or '"', as \u00XX), "lexical" with the escapes \t \n \r
 *   \" \\ and \u00XX for other control characters and DEL, then @lang or
 *   ^^<datatype>.  As the spec recommends, xsd:integer, xsd:decimal and
 *   xsd:double literals are written bare (42, 2.5, 1.0e6) when their
 *   lexical form is Turtle's INTEGER, DECIMAL or DOUBLE token respectively,
 *   so that a Turtle reader gives back the same lexical form and datatype
 *   ("01"^^xsd:integer goes out as 01).  Other lexical forms of these types
 *   ("INF"^^xsd:double, "1."^^xsd:decimal) are quoted and typed, and so are
 *   all other typed literals, booleans included.
 *
 * ASK in CSV and TSV: the CSV/TSV spec covers only SELECT.  fairdex writes
 * what Apache Jena writes and reads, a single column `_askResult` holding
 * one row, true or false:
 *     CSV: "_askResult\r\ntrue\r\n"      TSV: "?_askResult\ntrue\n"
 *
 * Errors: every function that can fail returns an FdxStatus (status.h).
 * Once the callback has failed, the writer calls it no more, and
 * fdx_results_row(), fdx_results_flush() and fdx_results_end() return
 * FDX_ERR_IO.
 */
#ifndef FAIRDEX_SPARQL_RESULTS_H
#define FAIRDEX_SPARQL_RESULTS_H

#include "fairdex/rdf.h"
#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The results formats.  The numbers are part of the interface. */
typedef enum {
  FDX_RESULTS_JSON = 0, /**< application/sparql-results+json */
  FDX_RESULTS_XML  = 1, /**< application/sparql-results+xml */
  FDX_RESULTS_CSV  = 2, /**< text/csv */
  FDX_RESULTS_TSV  = 3  /**< text/tab-separated-values */
} FdxResultsFormat;

/** The size of a writer's buffer, and the most it passes to `write`. */
#define FDX_RESULTS_CHUNK ((size_t)65536)

/**
 * Find the format called `name` and set `*ret_format`.  Names are matched
 * without regard to case: the short names "json", "xml", "csv", "tsv", the
 * file extensions "srj" and "srx", and the media types
 * "application/sparql-results+json", "application/sparql-results+xml",
 * "text/csv" and "text/tab-separated-values".  A media type may carry
 * parameters and spaces ("text/csv; charset=utf-8"): they are ignored.
 * Content negotiation (q-values, wildcards) is the caller's business.
 *
 * Returns FDX_FAILURE, leaving `*ret_format` alone, for any other name, and
 * FDX_ERR_BAD_ARG if `name` or `ret_format` is NULL.
 */
FdxStatus
fdx_results_format_from_name(const char* name, FdxResultsFormat* ret_format);

/**
 * The media type of `format`, without parameters
 * ("application/sparql-results+json", ...), for matching an Accept header.
 * Static, never NULL; "application/octet-stream" for an unknown value.
 */
const char*
fdx_results_media_type(FdxResultsFormat format);

/**
 * The value for a Content-Type header carrying `format`: the media type,
 * with "; charset=utf-8" for CSV and TSV, as the CSV/TSV spec asks (text
 * types default to US-ASCII).  Static, never NULL.
 */
const char*
fdx_results_content_type(FdxResultsFormat format);

/** A results writer; see the top of this header. */
typedef struct FdxResultsWriterImpl FdxResultsWriter;

/**
 * Make a writer of `format` that sends its bytes to `write(ctx, ...)`.
 * Nothing is written yet.  The new writer must be freed with
 * fdx_results_writer_free().  `write` returns 0 on success; any other value
 * makes the call that wrote return FDX_ERR_IO, and later ones too.
 *
 * Returns FDX_ERR_BAD_ARG for an unknown format or a NULL `write` or
 * `ret_writer`, FDX_ERR_NO_MEMORY if the writer (about FDX_RESULTS_CHUNK
 * bytes) cannot be allocated.  `*ret_writer` is set only on success.
 */
FdxStatus
fdx_results_writer_new(FdxResultsFormat   format,
                       FdxWriteBytes      write,
                       void*              ctx,
                       FdxResultsWriter** ret_writer);

/**
 * Refuse, rather than repair, what the format cannot carry exactly (see
 * the top of this header): with `strict` true, fdx_results_row() returns
 * FDX_ERR_UNSUPPORTED for a row with a string that is not UTF-8, an
 * XML-illegal character (XML) or a blank node label Turtle cannot write
 * (TSV), and writes none of that row.  Off by default.  May be called at
 * any time.  Returns FDX_ERR_BAD_ARG if `writer` is NULL.
 */
FdxStatus
fdx_results_writer_set_strict(FdxResultsWriter* writer, bool strict);

/**
 * Start a SELECT result with the `n_vars` variables `var_names` (names
 * without '?' or '$', NUL-terminated, borrowed for the call only: the
 * writer copies them).  Writes the head.  `var_names` may be NULL when
 * `n_vars` is 0.
 *
 * A name must be non-empty, valid UTF-8, with no ASCII character other
 * than letters, digits and '_' (SPARQL's VARNAME is stricter; this is what
 * keeps every format's syntax intact), and names must differ.
 *
 * Returns FDX_ERR_BAD_ARG for a NULL writer, a bad or repeated name, or a
 * call that is not the first on this writer (nothing is written then);
 * FDX_ERR_NO_MEMORY if the names cannot be copied; FDX_ERR_IO if the
 * callback failed.
 */
FdxStatus
fdx_results_begin(FdxResultsWriter*  writer,
                  const char* const* var_names,
                  size_t             n_vars);

/**
 * Write one solution: `values[i]` is the value of the i-th variable given
 * to fdx_results_begin(), or NULL if it is unbound.  The terms and their
 * strings are borrowed for the call only.  `values` may be NULL when there
 * are no variables.
 *
 * Terms (FdxTerm, store.h) are checked before anything is written: the
 * kind must be one of FDX_TERM_IRI, FDX_TERM_BLANK and FDX_TERM_LITERAL; a
 * string pointer may be NULL only with length 0; a blank node label must
 * not be empty; a literal has at most one of a language tag and a
 * datatype, and its language tag is Turtle's LANGTAG without the '@'
 * (letters, then groups of letters and digits after '-': "en", "de-CH-1996").  A language tag or datatype of length 0
 * counts as absent; on an IRI or a blank node both are ignored.  A row that
 * fails the check returns FDX_ERR_BAD_ARG and is not written; the writer
 * stays usable.
 *
 * Returns FDX_ERR_BAD_ARG as above or when not between fdx_results_begin()
 * and fdx_results_end(); FDX_ERR_UNSUPPORTED in strict mode (see
 * fdx_results_writer_set_strict()); FDX_ERR_IO if the callback failed.
 */
FdxStatus
fdx_results_row(FdxResultsWriter* writer, const FdxTerm* const* values);

/**
 * Write the result of an ASK query: the whole document but its end, in
 * place of fdx_results_begin() and rows.  Must be the first call on the
 * writer (else FDX_ERR_BAD_ARG).  FDX_ERR_IO if the callback failed.
 */
FdxStatus
fdx_results_boolean(FdxResultsWriter* writer, bool value);

/**
 * Hand everything buffered so far to the callback, for a caller that wants
 * the client to see the first rows early (the writer itself passes bytes on
 * only when its chunk is full, which may be in the middle of a term).
 * After this call the callback has seen everything up to the end of the
 * last solution written.  Returns FDX_ERR_IO if the callback failed,
 * FDX_ERR_BAD_ARG if `writer` is NULL.
 */
FdxStatus
fdx_results_flush(FdxResultsWriter* writer);

/**
 * Finish the document (after fdx_results_begin() and the rows, or after
 * fdx_results_boolean()) and flush it to the callback.  Afterwards only
 * fdx_results_writer_free() and the counters are useful.
 *
 * Returns FDX_ERR_BAD_ARG if neither begin nor boolean came first, or end
 * was already called; FDX_ERR_IO if the callback failed, now or earlier.
 */
FdxStatus
fdx_results_end(FdxResultsWriter* writer);

/** The number of solutions written by fdx_results_row() so far (0 for a
 * NULL writer). */
uint64_t
fdx_results_writer_rows(const FdxResultsWriter* writer);

/**
 * The number of substitutions made so far: ill-formed UTF-8 sequences and
 * XML-illegal characters written as U+FFFD, and TSV blank node labels
 * written with "xHH" escapes.  0 means the output carries every term
 * exactly.  0 for a NULL writer.
 */
uint64_t
fdx_results_writer_replaced(const FdxResultsWriter* writer);

/**
 * Free `writer` (NULL is fine) without writing anything more: a writer
 * freed before fdx_results_end() leaves an incomplete document behind.
 */
void
fdx_results_writer_free(FdxResultsWriter* writer);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_SPARQL_RESULTS_H */
