/*
 * sparql_results_read.h: test-only readers for the four SPARQL query
 * results formats, an in-memory result set, and the comparator that says
 * whether two result sets are the same answer.  Used by the `results`
 * suite, by the `srcmp` tool and by the W3C evaluation-test runner.
 *
 * Not part of fairdex: it reads whole documents into memory (test files
 * are small) and uses libxml2 and jansson, which the catalog does not.
 *
 * Reading:
 *   SRX (XML)  libxml2, network off, no entity expansion.  <link> is
 *              ignored, so is SPARQL 2005's <unbound/>.
 *   SRJ (JSON) jansson; "\u0000" in strings is accepted.  "typed-literal"
 *              (SPARQL 1.0's JSON note) is read as "literal".
 *   TSV        header of ?names, terms in Turtle syntax (<iri>, _:label,
 *              "..." or '...' with escapes, @lang, ^^<iri>, bare
 *              integers, decimals, doubles and booleans); CRLF or LF.
 *   CSV        RFC 4180 with CRLF or LF.  CSV does not say what kind of
 *              term a field is: an empty field (quoted or not) is unbound,
 *              "_:label" is a blank node, anything else a simple literal
 *              holding the field's text.  Compare CSV results with
 *              SR_CMP_CSV.
 *   In CSV and TSV a single column named _askResult holding one row of
 *   true or false is read as an ASK result (what fairdex and Jena write).
 *
 * Comparing (sr_results_equal): booleans must be equal; otherwise the sets
 * of variable names must be equal (their order does not matter), and the
 * rows equal as multisets (as sequences with SR_CMP_ORDERED), with blank
 * nodes matched by one bijection across the whole result.  Terms are equal
 * when kind and lexical form (bytes) are equal, language tags equal without
 * regard to ASCII case, and datatype IRIs equal, a simple literal being
 * the same as an xsd:string one (RDF 1.1).  SR_CMP_CSV compares the CSV
 * way: each term is reduced to the text CSV writes for it (IRI, lexical
 * form, or _:label as a blank node), and an empty string counts as unbound.
 *
 * Blank nodes are matched exactly: rows without blank nodes must match
 * one for one; blank nodes are coloured by the rows they occur in (colour
 * refinement, the same in both results), and a backtracking search pairs
 * rows of equal colouring, checking the bijection as it goes.
 */
#ifndef FDX_TEST_SPARQL_RESULTS_READ_H
#define FDX_TEST_SPARQL_RESULTS_READ_H

#include "fairdex/rdf.h"
#include "fairdex/sparql_results.h"
#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdbool.h>
#include <stddef.h>

/**
 * A result set.  Every string is owned by it, NUL-terminated beyond its
 * length (values may hold NUL bytes: use the lengths).  Row r's value of
 * variable v is cells[r * n_vars + v]; kind 0 means unbound.  A term's
 * lang or datatype is NULL when absent.
 */
typedef struct {
  bool     is_boolean; /**< an ASK result: `boolean`, no variables or rows */
  bool     boolean;
  size_t   n_vars;
  char**   vars;
  size_t   n_rows;
  FdxTerm* cells;
  size_t   cap_rows;
} SrResults;

/** Flags for sr_results_equal(). */
enum {
  SR_CMP_ORDERED = 1u << 0, /**< rows as sequences, not multisets */
  SR_CMP_CSV     = 1u << 1, /**< compare the CSV way (see above) */
  SR_CMP_NUMERIC_VALUE = 1u << 2 /**< literals of one numeric XSD
                                      datatype are equal when their values
                                      are ("2.0" = "2"^^xsd:decimal), as
                                      the W3C evaluation tests need: their
                                      expected files use varied lexical
                                      forms */
};

/** A new, empty SELECT result, or NULL if out of memory. */
SrResults*
sr_results_new(void);

/** Free `r` and everything in it (NULL is fine). */
void
sr_results_free(SrResults* r);

/**
 * Add a variable called `name` (`len` bytes, copied).  Only before the
 * first row.  FDX_ERR_BAD_ARG after rows or for a repeated name.
 */
FdxStatus
sr_results_add_var(SrResults* r, const char* name, size_t len);

/** Add a row of n_vars terms (NULL: unbound), copied. */
FdxStatus
sr_results_add_row(SrResults* r, const FdxTerm* const* values);

/** The value of variable `var` in row `row`, borrowed; NULL if unbound. */
const FdxTerm*
sr_results_get(const SrResults* r, size_t row, size_t var);

/** The format a file name's extension names (.srx/.xml, .srj/.json, .tsv,
 * .csv); false if none. */
bool
sr_format_from_path(const char* path, FdxResultsFormat* ret_format);

/**
 * Parse `len` bytes of `format` into a new result set (free it with
 * sr_results_free()).  On failure returns FDX_ERR_SYNTAX (or
 * FDX_ERR_NO_MEMORY) and puts the reason into `why` (may be NULL).
 */
FdxStatus
sr_read_bytes(FdxResultsFormat format,
              const char*      bytes,
              size_t           len,
              SrResults**      ret_results,
              char*            why,
              size_t           why_len);

/**
 * Read the file at `path` as `format` (see sr_read_bytes()).  FDX_ERR_IO
 * if it cannot be read.
 */
FdxStatus
sr_read_file(const char*      path,
             FdxResultsFormat format,
             SrResults**      ret_results,
             char*            why,
             size_t           why_len);

/** Read a whole file into a new NUL-terminated buffer (free() it). */
FdxStatus
sr_slurp(const char* path, char** ret_bytes, size_t* ret_len);

/**
 * Write `r` with fairdex's results writer in `format` to `write(ctx, ...)`.
 * Returns the writer's status.
 */
FdxStatus
sr_results_write(const SrResults* r,
                 FdxResultsFormat format,
                 FdxWriteBytes    write,
                 void*            ctx);

/**
 * True if `a` and `b` are the same answer under `flags` (SR_CMP_*).  If
 * not, a short reason goes into `why` (may be NULL).
 */
bool
sr_results_equal(const SrResults* a,
                 const SrResults* b,
                 unsigned         flags,
                 char*            why,
                 size_t           why_len);

/** Write `t` (NULL: unbound, shown as "UNDEF") in N-Triples-like syntax
 * into `buf`, truncated to `size`. */
void
sr_term_format(const FdxTerm* t, char* buf, size_t size);

#endif /* FDX_TEST_SPARQL_RESULTS_READ_H */
