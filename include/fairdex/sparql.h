/*
 * fairdex/sparql.h: SPARQL 1.1 queries and updates over a fairdex store.
 *
 * A query is prepared once (parsed and checked) and executed any number of
 * times, each time inside a transaction the caller owns.  Results stream to
 * a sink of callbacks: solutions for SELECT, one boolean for ASK, triples
 * for CONSTRUCT and DESCRIBE.  Terms handed to the sink are borrowed: they
 * stay valid only until the callback returns.
 *
 * The dataset: without FROM / FROM NAMED, the default graph is the union of
 * every graph in the store (triples in several graphs count once) and GRAPH
 * ranges over every named graph.  FROM and FROM NAMED narrow both.
 *
 * Limits: every execution has a time limit and a row limit, and the memory
 * held for sorting, grouping, DISTINCT and hash joins is bounded.  Going
 * over one stops the work promptly with FDX_ERR_LIMIT and a message naming
 * the limit.
 */
#ifndef FAIRDEX_SPARQL_H
#define FAIRDEX_SPARQL_H

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Default limits (each can be changed per execution). */
#define FDX_QUERY_DEFAULT_TIMEOUT_MS 30000
#define FDX_QUERY_DEFAULT_MAX_ROWS 1000000
#define FDX_QUERY_DEFAULT_MAX_MEMORY ((size_t)512 << 20)

/** How a query is prepared and run.  Zero fields take the defaults. */
typedef struct {
  const char* base_iri;   /**< Base for relative IRIs, or NULL. */
  uint64_t    timeout_ms; /**< Wall-clock limit per execution; UINT64_MAX:
                               none. */
  uint64_t    max_rows;   /**< Most solutions or triples returned;
                               UINT64_MAX: none. */
  size_t      max_memory; /**< Most bytes held by sorts, groups, DISTINCT
                               and hash joins. */
  /** The SPARQL Protocol's `default-graph-uri` and `named-graph-uri`: when
   * either count is non-zero (in the options given to fdx_query_exec()),
   * these graph IRIs (NUL-terminated, borrowed for the call) make the
   * dataset and the query's own FROM / FROM NAMED are ignored. */
  const char* const* default_graphs;
  size_t             n_default_graphs;
  const char* const* named_graphs;
  size_t             n_named_graphs;
  /** If not NULL, asked every few thousand steps (from the executing
   * thread): returning true stops the run with FDX_ERR_LIMIT and the
   * message "query cancelled".  A server uses it to end queries when it
   * stops. */
  bool (*cancelled)(void* ctx);
  void* cancel_ctx;
} FdxQueryOptions;

typedef enum {
  FDX_QUERY_SELECT    = 0,
  FDX_QUERY_CONSTRUCT = 1,
  FDX_QUERY_ASK       = 2,
  FDX_QUERY_DESCRIBE  = 3
} FdxQueryForm;

/**
 * Where results go.  Each callback returns FDX_SUCCESS to go on; any other
 * status stops the execution, which returns that status.  Callbacks for
 * other forms may be NULL.
 */
typedef struct {
  void* ctx;
  /** SELECT: the variable names (without '?'), once, before any row. */
  FdxStatus (*begin)(void* ctx, const char* const* vars, size_t n_vars);
  /** SELECT: one solution; `values[i]` is NULL where var i is unbound. */
  FdxStatus (*row)(void* ctx, const FdxTerm* const* values);
  /** ASK: the answer. */
  FdxStatus (*boolean)(void* ctx, bool value);
  /** CONSTRUCT, DESCRIBE: one triple (duplicates are removed). */
  FdxStatus (*triple)(void* ctx, const FdxTerm* s, const FdxTerm* p,
                      const FdxTerm* o);
} FdxQuerySink;

typedef struct FdxQueryImpl FdxQuery;

/**
 * Parse and check the `len` bytes of `text` as a SPARQL 1.1 query.  On
 * success `*ret_query` is a new query (free it with fdx_query_free()).
 * FDX_ERR_SYNTAX with `err` (line, column, message) for an invalid query,
 * FDX_ERR_LIMIT for one too long or too deeply nested.
 */
FdxStatus
fdx_query_prepare(const char*            text,
                  size_t                 len,
                  const FdxQueryOptions* options,
                  FdxQuery**             ret_query,
                  FdxError*              err);

/** The query's form. */
FdxQueryForm
fdx_query_form(const FdxQuery* query);

/** True if the query fixes the order of its results (a top-level ORDER
 * BY); otherwise their order means nothing. */
bool
fdx_query_ordered(const FdxQuery* query);

/**
 * Run `query` in `txn` (read or write), sending results to `sink`.
 * `options` (may be NULL: the query's own) sets the limits of this run.
 * Returns FDX_ERR_LIMIT when a limit stopped it (err says which), or the
 * status a sink callback returned.
 */
FdxStatus
fdx_query_exec(const FdxQuery*        query,
               FdxTxn*                txn,
               const FdxQueryOptions* options,
               const FdxQuerySink*    sink,
               FdxError*              err);

/** Write the query's parsed form as an S-expression (for --explain). */
FdxStatus
fdx_query_explain(const FdxQuery* query, FILE* out);

/** Free `query` (NULL is fine). */
void
fdx_query_free(FdxQuery* query);

/** What an update request changed. */
typedef struct {
  uint64_t inserted; /**< Quads added. */
  uint64_t deleted;  /**< Quads removed. */
  uint32_t operations;
} FdxUpdateStats;

/**
 * Parse and run a SPARQL 1.1 update request in `txn` (a write
 * transaction): all its operations or, on any error, none of them (the
 * caller aborts the transaction).  LOAD reads only local files (file: IRIs
 * or plain paths) and only when `allow_load` is true.
 */
FdxStatus
fdx_update_exec(FdxTxn*                txn,
                const char*            text,
                size_t                 len,
                const FdxQueryOptions* options,
                bool                   allow_load,
                FdxUpdateStats*        ret_stats,
                FdxError*              err);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_SPARQL_H */
