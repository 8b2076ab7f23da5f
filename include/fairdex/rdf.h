/*
 * fairdex/rdf.h: reading and writing RDF documents.
 *
 * Parsing goes through Redland's raptor2 (Turtle, TriG, RDF/XML), with
 * network and file access switched off so a harvested document cannot make
 * the parser fetch anything, and through serd for N-Triples and N-Quads,
 * the bulk-load formats, which it parses about twice as fast.  Writing N-Triples,
 * N-Quads, Turtle and TriG is our own streaming code, because raptor's
 * Turtle writer holds the whole graph in memory and it has no TriG writer.
 *
 * Loading a file into the store is all-or-nothing: one write transaction per
 * file, so a syntax error anywhere leaves the store as it was.
 */
#ifndef FAIRDEX_RDF_H
#define FAIRDEX_RDF_H

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  FDX_FORMAT_UNKNOWN  = 0,
  FDX_FORMAT_NTRIPLES = 1,
  FDX_FORMAT_NQUADS   = 2,
  FDX_FORMAT_TURTLE   = 3,
  FDX_FORMAT_TRIG     = 4,
  FDX_FORMAT_RDFXML   = 5
} FdxFormat;

/**
 * The format named `name` ("ntriples", "nquads", "turtle", "trig",
 * "rdfxml", and the common aliases "nt", "nq", "ttl", "xml", "rdf"), or
 * FDX_FORMAT_UNKNOWN.
 */
FdxFormat
fdx_format_from_name(const char* name);

/**
 * The format a file name suggests by its extension (".gz" is looked
 * through), or FDX_FORMAT_UNKNOWN.
 */
FdxFormat
fdx_format_from_path(const char* path);

/** Guess the format from the first bytes of a document. */
FdxFormat
fdx_format_sniff(const char* bytes, size_t len);

/** The canonical name of `format` ("ntriples", ...), or "unknown". */
const char*
fdx_format_name(FdxFormat format);

/** True if `format` can carry named graphs. */
bool
fdx_format_has_graphs(FdxFormat format);

/* ------------------------------------------------------------------------
 * Loading
 * --------------------------------------------------------------------- */

/** How fdx_load_file() reads and where it writes. */
typedef struct {
  FdxFormat   format;    /**< FDX_FORMAT_UNKNOWN: from extension or content. */
  const char* graph;     /**< Target graph IRI, or NULL: default graph (and
                              the graphs the document names, for N-Quads and
                              TriG). */
  const char* base;      /**< Base IRI, or NULL for the file's own URI. */
  uint64_t    max_bytes; /**< Largest (decompressed) input, 0: unlimited. */
  size_t      sort_buffer_bytes; /**< See fdx_loader_new(); 0: default. */
  size_t      block_bytes; /**< Parsed statements travel from the parser
                                thread to the writer in blocks of this size
                                (0: 1 MiB; at least 512).  Small blocks only
                                make sense in tests. */
  /** Called now and then with bytes read so far, may be NULL. */
  void (*progress)(void* ctx, uint64_t bytes_read, uint64_t quads);
  void* progress_ctx;
} FdxLoadOptions;

/** What one fdx_load_file() did. */
typedef struct {
  uint64_t  quads_read;  /**< Statements the parser produced. */
  uint64_t  quads_added; /**< Quads that were new to the store. */
  uint64_t  bytes_read;  /**< Input bytes (decompressed). */
  FdxFormat format;      /**< The format used. */
} FdxLoadResult;

/**
 * Load the RDF document at `path` ("-" is standard input; a ".gz" file or a
 * gzip stream is decompressed) into `store` in one write transaction.  On a
 * syntax error `err` names file, line and column and the store is unchanged.
 * Blank node labels are made unique to this load, so two files that both say
 * _:b1 mean two nodes.  `ret_result` may be NULL.
 */
FdxStatus
fdx_load_file(FdxStore*             store,
              const char*           path,
              const FdxLoadOptions* options,
              FdxLoadResult*        ret_result,
              FdxError*             err);

/* ------------------------------------------------------------------------
 * Writing
 * --------------------------------------------------------------------- */

/** Where writers send bytes; returns 0 on success. */
typedef int (*FdxWriteBytes)(void* ctx, const char* bytes, size_t len);

/**
 * Stream the quads of `graph` (FDX_ID_ANY: all graphs) as `format` through
 * `write`.  N-Triples and Turtle cannot name graphs: with FDX_ID_ANY they
 * write the union of all graphs, each triple once.  TriG and N-Quads keep
 * graphs; the default graph's quads come without a graph name.
 */
FdxStatus
fdx_dump(FdxTxn*       txn,
         FdxFormat     format,
         FdxId         graph,
         FdxWriteBytes write,
         void*         ctx);

/**
 * Write `term` in N-Triples syntax (the same in N-Quads) to `write`.
 * Returns FDX_ERR_IO if `write` failed.
 */
FdxStatus
fdx_write_term_nt(const FdxTerm* term, FdxWriteBytes write, void* ctx);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_RDF_H */
