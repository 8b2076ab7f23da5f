/*
 * fairdex/memgraph.h: a small RDF graph held in memory, for looking at a
 * document before anything is stored: vocabulary import checks a SKOS
 * file, the harvester cuts a catalogue page into one record per dataset.
 * Terms are interned (each distinct term once, by index); triples are
 * index triples in document order, duplicates kept out.
 *
 * Not for big data: a document of a few million triples fits, a catalogue
 * dump belongs in the store (fdx_load_file).
 */
#ifndef FAIRDEX_MEMGRAPH_H
#define FAIRDEX_MEMGRAPH_H

#include "fairdex/rdf.h"
#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A term of the graph; the strings are NUL-terminated and owned by it. */
typedef struct {
  FdxTermKind kind;
  const char* value;
  const char* lang;     /**< or NULL */
  const char* datatype; /**< or NULL */
  size_t      value_len;
} FdxMemTerm;

/** A triple as indexes of its terms. */
typedef struct {
  size_t s, p, o;
} FdxMemTriple;

typedef struct FdxMemGraphImpl FdxMemGraph;

/** A new empty graph, or NULL when out of memory. */
FdxMemGraph*
fdx_memgraph_new(void);

void
fdx_memgraph_free(FdxMemGraph* graph);

/** The index of `term`, added if new.  FDX_ERR_BAD_ARG for a NUL byte in
 * the term, FDX_ERR_LIMIT past 2^32 terms. */
FdxStatus
fdx_memgraph_intern(FdxMemGraph* graph, const FdxTerm* term, size_t* ret);

/** The index of the IRI `iri`, or SIZE_MAX if the graph does not hold it. */
size_t
fdx_memgraph_find_iri(const FdxMemGraph* graph, const char* iri);

/** Add a triple (a duplicate is ignored). */
FdxStatus
fdx_memgraph_add(FdxMemGraph* graph, const FdxTerm* s, const FdxTerm* p,
                 const FdxTerm* o);

/** Add a triple of indexes (a duplicate is ignored). */
FdxStatus
fdx_memgraph_add_ids(FdxMemGraph* graph, size_t s, size_t p, size_t o);

/** The terms and their count; valid until the graph changes. */
const FdxMemTerm*
fdx_memgraph_terms(const FdxMemGraph* graph, size_t* ret_n);

/** The triples in the order they were added, and their count. */
const FdxMemTriple*
fdx_memgraph_triples(const FdxMemGraph* graph, size_t* ret_n);

/** An FdxTerm view of term `i` (borrowed from the graph). */
FdxTerm
fdx_memgraph_view(const FdxMemGraph* graph, size_t i);

/**
 * Parse a document into the graph (see fdx_parse_bytes(); graph names are
 * dropped).  Blank node labels are kept as the parser gives them, made
 * unique to this call by the prefix `blank_prefix` (may be NULL).  At
 * most `max_triples` triples (0: no limit): more is FDX_ERR_LIMIT.
 */
FdxStatus
fdx_memgraph_parse(FdxMemGraph* graph,
                   const char*  bytes,
                   size_t       len,
                   FdxFormat    format,
                   const char*  base,
                   const char*  name,
                   const char*  blank_prefix,
                   size_t       max_triples,
                   FdxError*    err);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_MEMGRAPH_H */
