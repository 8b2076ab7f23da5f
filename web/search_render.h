/*
 * search_render.h: the JSON of the search API, shared by `fairdex serve`
 * (/api/datasets, /api/datasets/{id}, /api/suggest) and `fairdex search
 * --json`, so the CLI prints exactly what the API answers.
 */
#ifndef FDX_SEARCH_RENDER_H
#define FDX_SEARCH_RENDER_H

#include "serve.h"

#include "fairdex/search.h"

#include <stdbool.h>
#include <stddef.h>

/* How to render. */
typedef struct {
  const char* lang;     /* preferred label language ("de"); NULL: any */
  const char* base;     /* the server's base IRI (ids under base/dataset/) */
  size_t      page;     /* 1-based, echoed */
  size_t      per_page; /* echoed */
  size_t      snippet_bytes;
} SearchRender;

/* The API id of a resource IRI: the rest of base + "dataset/" + id if the
 * IRI is there (and that rest has no '/', '?' or '#'), else the hash id
 * ("x" + 16 hex). */
void search_render_id(const SearchRender* opts, const char* iri, size_t len,
                      Buf* out);

/* The whole answer of /api/datasets as JSON. */
FdxStatus search_render_results(FdxTxn* txn, FdxSearch* search,
                                const FdxSearchResult* result,
                                const SearchRender* opts, Buf* out);

/* One dataset (or data service or series) with its distributions, as the
 * friendly JSON of /api/datasets/{id}. */
FdxStatus search_render_dataset(FdxTxn* txn, FdxId graph, FdxId subject,
                                const SearchRender* opts, Buf* out);

#endif /* FDX_SEARCH_RENDER_H */
